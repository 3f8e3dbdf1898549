/*
 * ldrdataref.c - a WDM driver that keeps the address of a routine the host does not
 * implement in a variable. That reference is bound when the module is mapped, not on a
 * first call, so the load fails and names the routine.
 */
#include <ntddk.h>

NTKERNELAPI NTSTATUS NTAPI IoFunctionTheHostLacks(PDRIVER_OBJECT DriverObject);

typedef NTSTATUS NTAPI LDR_ROUTINE(PDRIVER_OBJECT DriverObject);
LDR_ROUTINE *volatile LdrRoutine = IoFunctionTheHostLacks;

DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    return RegistryPath == NULL ? LdrRoutine(DriverObject) : STATUS_SUCCESS;
}
