/*
 * ldrbreak.c - a KMDF driver that finds its state broken in DriverEntry and calls
 * WdfVerifierDbgBreakPoint (as Microsoft's echo sample does on an error path), or,
 * with the service parameter BugCheck set, WdfVerifierKeBugCheck.
 */
#include <ntddk.h>
#include <wdf.h>

DRIVER_INITIALIZE DriverEntry;

static ULONG LdrReadBugCheckParameter(PUNICODE_STRING RegistryPath)
{
    OBJECT_ATTRIBUTES attributes;
    HANDLE key;
    ULONG value = 0;
    InitializeObjectAttributes(&attributes, RegistryPath, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    if (!NT_SUCCESS(ZwOpenKey(&key, KEY_READ, &attributes))) {
        return 0;
    }
    UNICODE_STRING parametersName = RTL_CONSTANT_STRING(L"Parameters");
    HANDLE parameters;
    InitializeObjectAttributes(&attributes, &parametersName, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, key, NULL);
    if (NT_SUCCESS(ZwOpenKey(&parameters, KEY_READ, &attributes))) {
        UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
        ULONG length;
        UNICODE_STRING valueName = RTL_CONSTANT_STRING(L"BugCheck");
        if (NT_SUCCESS(ZwQueryValueKey(parameters, &valueName, KeyValuePartialInformation, buffer, sizeof(buffer),
                                       &length))) {
            PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
            if (info->Type == REG_DWORD && info->DataLength == sizeof(ULONG)) {
                RtlCopyMemory(&value, info->Data, sizeof(ULONG));
            }
        }
        ZwClose(parameters);
    }
    ZwClose(key);
    return value;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (LdrReadBugCheckParameter(RegistryPath) != 0) {
        WdfVerifierKeBugCheck(0xE2, 1, 2, 3, 4);
    }
    WdfVerifierDbgBreakPoint();
    return STATUS_UNSUCCESSFUL;
}
