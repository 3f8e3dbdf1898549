/*
 * ldrlenient.c - a WDM driver that imports two routines the host does not implement
 * and calls them only on a path this run never takes (a NULL registry path). It must
 * load, and everything it does call must work.
 */
#include <ntddk.h>

NTKERNELAPI NTSTATUS NTAPI IoFunctionTheHostLacks(PDRIVER_OBJECT DriverObject);
NTKERNELAPI VOID NTAPI KeOtherFunctionTheHostLacks(ULONG A, ULONG B);

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD LdrLenientUnload;

VOID LdrLenientUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); }

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    if (RegistryPath == NULL) {
        KeOtherFunctionTheHostLacks(1, 2);
        return IoFunctionTheHostLacks(DriverObject);
    }
    PVOID block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'nfoL');
    if (block == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ExFreePoolWithTag(block, 'nfoL');
    DriverObject->DriverUnload = LdrLenientUnload;
    return STATUS_SUCCESS;
}
