/*
 * fxregistry.c - framework registry key objects (WDFKEY), wdfregistry.h.
 *
 * A WDFKEY wraps a registry handle of the configuration manager (ZwOpenKey) and closes
 * it when the object is deleted; queries go through ZwQueryValueKey.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

typedef struct FX_KEY {
    FX_OBJECT Object;
    HANDLE Handle;
} FX_KEY;

static void FxKeyDestroy(FX_OBJECT *Object)
{
    FX_KEY *key = (FX_KEY *)Object;
    if (key->Handle != NULL) {
        ZwClose(key->Handle);
        key->Handle = NULL;
    }
}

static const FX_OBJECT_OPS FxKeyOps = {NULL, FxKeyDestroy};

NTSTATUS FxRegistryOpenKey(FX_DRIVER *Driver, FX_OBJECT *Parent, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                           PUNICODE_STRING Name, ACCESS_MASK DesiredAccess, WDFKEY *Key)
{
    FX_OBJECT *object;
    NTSTATUS status =
        FxObjectAllocate(sizeof(FX_KEY), FxTypeKey, KeyAttributes, Driver, &FxKeyOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL,
                               NULL);
    HANDLE handle = NULL;
    status = ZwOpenKey(&handle, DesiredAccess, &attributes);
    if (!NT_SUCCESS(status)) {
        FxObjectFreeUninserted(object);
        return status;
    }
    ((FX_KEY *)object)->Handle = handle;
    object->ExecutionLevel = FxResolveExecutionLevel(KeyAttributes, Parent);
    FxObjectInsert(object, Parent);
    *Key = (WDFKEY)object;
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfRegistryClose(WDFKEY Key)
{
    FX_OBJECT *object = FxObjectFromHandle(Key, FxTypeKey, "WdfRegistryClose");
    if (object != NULL) {
        FxObjectDelete(object);
    }
}

WDFAPI HANDLE WdfRegistryWdmGetHandle(WDFKEY Key)
{
    FX_KEY *key = (FX_KEY *)FxObjectFromHandle(Key, FxTypeKey, "WdfRegistryWdmGetHandle");
    return key != NULL ? key->Handle : NULL;
}

/* Reads a value as KEY_VALUE_PARTIAL_INFORMATION into a buffer of its own. */
static NTSTATUS FxRegistryQuery(FX_KEY *Key, PCUNICODE_STRING ValueName,
                                PKEY_VALUE_PARTIAL_INFORMATION *Info)
{
    *Info = NULL;
    ULONG length = 0;
    NTSTATUS status = ZwQueryValueKey(Key->Handle, (PUNICODE_STRING)ValueName,
                                      KeyValuePartialInformation, NULL, 0, &length);
    if (status != STATUS_BUFFER_TOO_SMALL && status != STATUS_BUFFER_OVERFLOW) {
        return NT_SUCCESS(status) ? STATUS_INTERNAL_ERROR : status;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info = calloc(1, length);
    if (info == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = ZwQueryValueKey(Key->Handle, (PUNICODE_STRING)ValueName, KeyValuePartialInformation,
                             info, length, &length);
    if (!NT_SUCCESS(status)) {
        free(info);
        return status;
    }
    *Info = info;
    return STATUS_SUCCESS;
}

/*
 * WdfRegistryQueryULong: the value must be a REG_DWORD; another type gives
 * STATUS_OBJECT_TYPE_MISMATCH, a missing value STATUS_OBJECT_NAME_NOT_FOUND.
 */
WDFAPI NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value)
{
    FX_KEY *key = (FX_KEY *)FxObjectFromHandle(Key, FxTypeKey, "WdfRegistryQueryULong");
    if (key == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ValueName == NULL || Value == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info;
    NTSTATUS status = FxRegistryQuery(key, ValueName, &info);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)) {
        status = STATUS_OBJECT_TYPE_MISMATCH;
    } else {
        memcpy(Value, info->Data, sizeof(ULONG));
    }
    free(info);
    return status;
}

/*
 * WdfRegistryQueryValue: copies the data into Value; STATUS_BUFFER_OVERFLOW with the
 * needed length in ValueLengthQueried when ValueLength is too small.
 */
WDFAPI NTSTATUS WdfRegistryQueryValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueLength,
                                      PVOID Value, PULONG ValueLengthQueried, PULONG ValueType)
{
    FX_KEY *key = (FX_KEY *)FxObjectFromHandle(Key, FxTypeKey, "WdfRegistryQueryValue");
    if (key == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ValueName == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info;
    NTSTATUS status = FxRegistryQuery(key, ValueName, &info);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (ValueLengthQueried != NULL) {
        *ValueLengthQueried = info->DataLength;
    }
    if (ValueType != NULL) {
        *ValueType = info->Type;
    }
    if (Value == NULL || ValueLength < info->DataLength) {
        status = STATUS_BUFFER_OVERFLOW;
    } else {
        memcpy(Value, info->Data, info->DataLength);
    }
    free(info);
    return status;
}

WDFAPI NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value)
{
    FX_KEY *key = (FX_KEY *)FxObjectFromHandle(Key, FxTypeKey, "WdfRegistryAssignULong");
    if (key == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ValueName == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return ZwSetValueKey(key->Handle, (PUNICODE_STRING)ValueName, 0, REG_DWORD, &Value,
                         sizeof(Value));
}
