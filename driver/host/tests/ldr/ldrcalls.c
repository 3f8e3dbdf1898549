/*
 * ldrcalls.c - a WDM driver whose DriverEntry calls a routine the host does not
 * implement: the load succeeds, the call is an UNIMPLEMENTED_DDI report.
 */
#include <ntddk.h>

NTKERNELAPI NTSTATUS NTAPI IoFunctionTheHostLacks(PDRIVER_OBJECT DriverObject);

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    return IoFunctionTheHostLacks(DriverObject);
}
