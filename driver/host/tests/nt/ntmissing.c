/*
 * ntmissing.c - a driver that calls a kernel function the host does not have, so that
 * its load fails and the loader names the function.
 */
#include <ntddk.h>

NTKERNELAPI NTSTATUS NTAPI IoFunctionTheHostLacks(PDRIVER_OBJECT DriverObject);

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    return IoFunctionTheHostLacks(DriverObject);
}
