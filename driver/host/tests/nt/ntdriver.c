/*
 * ntdriver.c - a WDM driver for the NT tests: it allocates pool from its own code, so
 * that the host charges the blocks to it.
 *
 * DriverEntry reads REG_DWORD LeakCount from its Parameters key and allocates that many
 * 24-byte blocks with tag 'Leak' which it never frees, plus one block with tag 'Keep'
 * that its unload routine frees. Exported helpers let the test allocate and free pool
 * from driver code.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD NtDrvUnload;
static PVOID g_Keep;

/* Allocates from the driver's code (the block is charged to this driver). */
__attribute__((visibility("default"))) PVOID NtDrvAllocate(SIZE_T Size, ULONG Tag)
{
    return ExAllocatePool2(POOL_FLAG_NON_PAGED, Size, Tag);
}

__attribute__((visibility("default"))) VOID NtDrvFree(PVOID Block, ULONG Tag)
{
    ExFreePoolWithTag(Block, Tag);
}

/* Allocates three lookaside entries and frees two (or all three unless LeaveOne). */
__attribute__((visibility("default"))) VOID NtDrvLookaside(BOOLEAN LeaveOne)
{
    NPAGED_LOOKASIDE_LIST list;
    PVOID entries[3];
    ExInitializeNPagedLookasideList(&list, NULL, NULL, POOL_NX_ALLOCATION, 48, 'kooL', 0);
    for (int i = 0; i < 3; i++) {
        entries[i] = ExAllocateFromNPagedLookasideList(&list);
    }
    for (int i = 0; i < 3; i++) {
        if (entries[i] != NULL && !(LeaveOne && i == 1)) {
            ExFreeToNPagedLookasideList(&list, entries[i]);
        }
    }
    ExDeleteNPagedLookasideList(&list);
}

static ULONG NtDrvReadLeakCount(PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING parameters = RTL_CONSTANT_STRING(L"Parameters");
    UNICODE_STRING valueName = RTL_CONSTANT_STRING(L"LeakCount");
    OBJECT_ATTRIBUTES attributes;
    HANDLE service;
    HANDLE key;
    ULONG count = 0;

    InitializeObjectAttributes(&attributes, RegistryPath, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    if (!NT_SUCCESS(ZwOpenKey(&service, KEY_READ, &attributes))) {
        return 0;
    }
    InitializeObjectAttributes(&attributes, &parameters, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, service, NULL);
    if (NT_SUCCESS(ZwOpenKey(&key, KEY_READ, &attributes))) {
        UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
        PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
        ULONG length;
        if (NT_SUCCESS(ZwQueryValueKey(key, &valueName, KeyValuePartialInformation, info, sizeof(buffer), &length)) &&
            info->Type == REG_DWORD && info->DataLength == sizeof(ULONG)) {
            RtlCopyMemory(&count, info->Data, sizeof(count));
        }
        ZwClose(key);
    }
    ZwClose(service);
    return count;
}

static VOID NtDrvUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(g_Keep, 'peeK');
    g_Keep = NULL;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    ULONG leaks = NtDrvReadLeakCount(RegistryPath);
    for (ULONG i = 0; i < leaks; i++) {
        if (ExAllocatePoolWithTag(NonPagedPoolNx, 24, 'kaeL') == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    g_Keep = ExAllocatePoolZero(NonPagedPoolNx, 8, 'peeK');
    if (g_Keep == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    DriverObject->DriverUnload = NtDrvUnload;
    return STATUS_SUCCESS;
}
