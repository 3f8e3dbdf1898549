/*
 * fxregistry.c - framework registry key objects (WDFKEY), wdfregistry.h.
 *
 * A WDFKEY wraps a registry handle of the configuration manager (ZwOpenKey,
 * ZwCreateKey) and closes it when the object is deleted; queries go through
 * ZwQueryValueKey, assignments through ZwSetValueKey. Every method runs at
 * PASSIVE_LEVEL (IRQL_TOO_HIGH_FOR_WAIT otherwise, as the registry may page).
 * A missing value gives STATUS_OBJECT_NAME_NOT_FOUND; a value of another type than the
 * method reads, STATUS_OBJECT_TYPE_MISMATCH.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/using-the-registry-in-umdf-1-x-drivers
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfregistry/
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

/* Opens (Create: creates) Name, relative to Root when not NULL, as a WDFKEY. */
static NTSTATUS FxRegistryOpenOrCreate(FX_DRIVER *Driver, FX_OBJECT *Parent,
                                       PWDF_OBJECT_ATTRIBUTES KeyAttributes, HANDLE Root,
                                       PCUNICODE_STRING Name, ACCESS_MASK DesiredAccess, bool Create,
                                       ULONG CreateOptions, PULONG CreateDisposition, WDFKEY *Key)
{
    FX_OBJECT *object;
    NTSTATUS status =
        FxObjectAllocate(sizeof(FX_KEY), FxTypeKey, KeyAttributes, Driver, &FxKeyOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, (PUNICODE_STRING)Name,
                               OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    HANDLE handle = NULL;
    status = Create ? ZwCreateKey(&handle, DesiredAccess, &attributes, 0, NULL, CreateOptions,
                                  CreateDisposition)
                    : ZwOpenKey(&handle, DesiredAccess, &attributes);
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

NTSTATUS FxRegistryOpenKey(FX_DRIVER *Driver, FX_OBJECT *Parent, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                           PUNICODE_STRING Name, ACCESS_MASK DesiredAccess, WDFKEY *Key)
{
    return FxRegistryOpenOrCreate(Driver, Parent, KeyAttributes, NULL, Name, DesiredAccess, false, 0,
                                  NULL, Key);
}

NTSTATUS FxRegistryWrapHandle(FX_DRIVER *Driver, FX_OBJECT *Parent, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                              HANDLE Handle, WDFKEY *Key)
{
    FX_OBJECT *object;
    NTSTATUS status =
        FxObjectAllocate(sizeof(FX_KEY), FxTypeKey, KeyAttributes, Driver, &FxKeyOps, &object);
    if (!NT_SUCCESS(status)) {
        ZwClose(Handle);
        return status;
    }
    ((FX_KEY *)object)->Handle = Handle;
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

/*
 * The key of a method, checked for the IRQL the registry needs (PASSIVE_LEVEL): NULL with
 * STATUS_INVALID_HANDLE for a bad handle, STATUS_INVALID_DEVICE_REQUEST (and
 * IRQL_TOO_HIGH_FOR_WAIT) above PASSIVE_LEVEL.
 */
static FX_KEY *FxKeyGet(WDFKEY Key, const char *Api, NTSTATUS *Status)
{
    FX_KEY *key = (FX_KEY *)FxObjectFromHandle(Key, FxTypeKey, Api);
    if (key == NULL) {
        *Status = STATUS_INVALID_HANDLE;
        return NULL;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(key->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT", "%s on WDFKEY %p at IRQL %u", Api,
                 (void *)key, (unsigned)KeGetCurrentIrql());
        *Status = STATUS_INVALID_DEVICE_REQUEST;
        return NULL;
    }
    *Status = STATUS_SUCCESS;
    return key;
}

/*
 * The preamble of the methods on one value of a key: FxKeyGet's checks, then a NULL
 * ValueName is STATUS_INVALID_PARAMETER. NULL with *Status on a failure.
 */
static FX_KEY *FxValueKeyGet(WDFKEY Key, PCUNICODE_STRING ValueName, const char *Api, NTSTATUS *Status)
{
    FX_KEY *key = FxKeyGet(Key, Api, Status);
    if (key != NULL && ValueName == NULL) {
        *Status = STATUS_INVALID_PARAMETER;
        return NULL;
    }
    return key;
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
 * A value that must be of type Type or AlsoType (pass the same twice for one type):
 * FxRegistryQuery's failures, or STATUS_OBJECT_TYPE_MISMATCH for another type.
 */
static NTSTATUS FxRegistryQueryOfType(FX_KEY *Key, PCUNICODE_STRING ValueName, ULONG Type, ULONG AlsoType,
                                      PKEY_VALUE_PARTIAL_INFORMATION *Info)
{
    NTSTATUS status = FxRegistryQuery(Key, ValueName, Info);
    if (NT_SUCCESS(status) && (*Info)->Type != Type && (*Info)->Type != AlsoType) {
        free(*Info);
        *Info = NULL;
        status = STATUS_OBJECT_TYPE_MISMATCH;
    }
    return status;
}

/*
 * WdfRegistryQueryULong: the value must be a REG_DWORD; another type gives
 * STATUS_OBJECT_TYPE_MISMATCH, a missing value STATUS_OBJECT_NAME_NOT_FOUND.
 */
WDFAPI NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryQueryULong", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if (Value == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info;
    NTSTATUS status = FxRegistryQueryOfType(key, ValueName, REG_DWORD, REG_DWORD, &info);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (info->DataLength != sizeof(ULONG)) {
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
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryQueryValue", &keyStatus);
    if (key == NULL) {
        return keyStatus;
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
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryAssignULong", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    return ZwSetValueKey(key->Handle, (PUNICODE_STRING)ValueName, 0, REG_DWORD, &Value,
                         sizeof(Value));
}

/* ------------------------------------------------------------ the rest of wdfregistry.h */

/* The parent of a new key (or memory, or string): the one Attributes names, else the
   driver of Owner. NULL (and *Status) when the named parent is not a live object. */
static FX_OBJECT *FxRegistryParent(FX_DRIVER *Driver, PWDF_OBJECT_ATTRIBUTES Attributes,
                                   const char *Api, NTSTATUS *Status)
{
    *Status = FxValidateAttributes(Attributes);
    if (!NT_SUCCESS(*Status)) {
        return NULL;
    }
    if (Attributes != NULL && Attributes->ParentObject != NULL) {
        FX_OBJECT *parent = FxObjectFromHandle(Attributes->ParentObject, FxTypeAny, Api);
        if (parent == NULL) {
            *Status = STATUS_INVALID_HANDLE;
        }
        return parent;
    }
    return &Driver->Object;
}

static NTSTATUS FxRegistryOpenChild(WDFKEY ParentKey, PCUNICODE_STRING KeyName,
                                    ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                    bool Create, ULONG CreateOptions, PULONG CreateDisposition,
                                    WDFKEY *Key, const char *Api)
{
    if (Key == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Key = NULL;
    HANDLE root = NULL;
    FX_DRIVER *driver = FxCurrentDriver();
    if (ParentKey != NULL) {
        NTSTATUS keyStatus;
        FX_KEY *parentKey = FxKeyGet(ParentKey, Api, &keyStatus);
        if (parentKey == NULL) {
            return keyStatus;
        }
        root = parentKey->Handle;
        driver = parentKey->Object.Driver;
    } else if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(driver, "IRQL_TOO_HIGH_FOR_WAIT", "%s at IRQL %u", Api,
                 (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (KeyName == NULL || KeyName->Buffer == NULL || KeyName->Length == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status;
    FX_OBJECT *parent = NULL;
    if (driver != NULL) {
        parent = FxRegistryParent(driver, KeyAttributes, Api, &status);
    } else {
        parent = FxDefaultParent(KeyAttributes, Api, &status);
    }
    if (parent == NULL) {
        return status;
    }
    return FxRegistryOpenOrCreate(parent->Driver, parent, KeyAttributes, root, KeyName,
                                  DesiredAccess, Create, CreateOptions, CreateDisposition, Key);
}

/*
 * WdfRegistryOpenKey: opens KeyName, a full path (\Registry\Machine\...) when ParentKey
 * is NULL, else relative to ParentKey. The WDFKEY's parent is the driver unless
 * KeyAttributes names one. STATUS_OBJECT_NAME_NOT_FOUND when the key does not exist.
 */
WDFAPI NTSTATUS WdfRegistryOpenKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName,
                                   ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                   WDFKEY *Key)
{
    return FxRegistryOpenChild(ParentKey, KeyName, DesiredAccess, KeyAttributes, false, 0, NULL,
                               Key, "WdfRegistryOpenKey");
}

/*
 * WdfRegistryCreateKey: opens KeyName, creating it when it does not exist;
 * CreateDisposition receives REG_CREATED_NEW_KEY or REG_OPENED_EXISTING_KEY.
 */
WDFAPI NTSTATUS WdfRegistryCreateKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName,
                                     ACCESS_MASK DesiredAccess, ULONG CreateOptions,
                                     PULONG CreateDisposition, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                     WDFKEY *Key)
{
    return FxRegistryOpenChild(ParentKey, KeyName, DesiredAccess, KeyAttributes, true, CreateOptions,
                               CreateDisposition, Key, "WdfRegistryCreateKey");
}

/*
 * WdfRegistryRemoveKey: deletes the key from the registry, then the WDFKEY itself.
 * A key with subkeys cannot be deleted (STATUS_CANNOT_DELETE; the WDFKEY stays).
 */
WDFAPI NTSTATUS WdfRegistryRemoveKey(WDFKEY Key)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxKeyGet(Key, "WdfRegistryRemoveKey", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    NTSTATUS status = ZwDeleteKey(key->Handle);
    if (NT_SUCCESS(status)) {
        FxObjectDelete(&key->Object);
    }
    return status;
}

WDFAPI NTSTATUS WdfRegistryRemoveValue(WDFKEY Key, PCUNICODE_STRING ValueName)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryRemoveValue", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    return ZwDeleteValueKey(key->Handle, (PUNICODE_STRING)ValueName);
}

/*
 * WdfRegistryQueryMemory: the value's data in a new WDFMEMORY of exactly its size
 * (parent: the driver unless MemoryAttributes names one), and its type.
 */
WDFAPI NTSTATUS WdfRegistryQueryMemory(WDFKEY Key, PCUNICODE_STRING ValueName, POOL_TYPE PoolType,
                                       PWDF_OBJECT_ATTRIBUTES MemoryAttributes, WDFMEMORY *Memory,
                                       PULONG ValueType)
{
    if (Memory == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Memory = NULL;
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryQueryMemory", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    NTSTATUS status;
    FX_OBJECT *parent =
        FxRegistryParent(key->Object.Driver, MemoryAttributes, "WdfRegistryQueryMemory", &status);
    if (parent == NULL) {
        return status;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info;
    status = FxRegistryQuery(key, ValueName, &info);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (info->DataLength == 0) {
        /* A WDFMEMORY cannot be empty. */
        free(info);
        return STATUS_RESOURCE_DATA_NOT_FOUND;
    }
    WDF_OBJECT_ATTRIBUTES attributes;
    if (MemoryAttributes != NULL) {
        attributes = *MemoryAttributes;
    } else {
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    }
    attributes.ParentObject = (WDFOBJECT)parent;
    PVOID buffer = NULL;
    status = WdfMemoryCreate(&attributes, PoolType, 0, info->DataLength, Memory, &buffer);
    if (NT_SUCCESS(status)) {
        memcpy(buffer, info->Data, info->DataLength);
        if (ValueType != NULL) {
            *ValueType = info->Type;
        }
    }
    free(info);
    return status;
}

/*
 * WdfRegistryQueryUnicodeString: a REG_SZ or REG_EXPAND_SZ value into Value's buffer
 * (Length without the terminating NUL). ValueByteLength receives the data's size, also
 * with STATUS_BUFFER_OVERFLOW when Value is too small (or NULL, to ask for the size).
 */
WDFAPI NTSTATUS WdfRegistryQueryUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                              PUSHORT ValueByteLength, PUNICODE_STRING Value)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryQueryUnicodeString", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if ((Value != NULL && (Value->MaximumLength == 0 || Value->Buffer == NULL))) {
        return STATUS_INVALID_PARAMETER;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info;
    NTSTATUS status = FxRegistryQueryOfType(key, ValueName, REG_SZ, REG_EXPAND_SZ, &info);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (info->DataLength > 0xFFFF) {
        free(info);
        return STATUS_INTEGER_OVERFLOW;
    }
    if (ValueByteLength != NULL) {
        *ValueByteLength = (USHORT)info->DataLength;
    }
    if (Value == NULL || Value->MaximumLength < info->DataLength) {
        free(info);
        return STATUS_BUFFER_OVERFLOW;
    }
    memcpy(Value->Buffer, info->Data, info->DataLength);
    USHORT length = (USHORT)(info->DataLength & ~1u);
    if (length >= sizeof(WCHAR) && Value->Buffer[length / sizeof(WCHAR) - 1] == 0) {
        length -= sizeof(WCHAR);
    }
    Value->Length = length;
    free(info);
    return STATUS_SUCCESS;
}

/* The characters of a string value, without the terminating NUL. */
static USHORT FxStringDataLength(PKEY_VALUE_PARTIAL_INFORMATION Info)
{
    USHORT length = (USHORT)(Info->DataLength & ~1u);
    const WCHAR *data = (const WCHAR *)Info->Data;
    while (length >= sizeof(WCHAR) && data[length / sizeof(WCHAR) - 1] == 0) {
        length -= sizeof(WCHAR);
    }
    return length;
}

/* WdfRegistryQueryString: a REG_SZ or REG_EXPAND_SZ value into a WDFSTRING. */
WDFAPI NTSTATUS WdfRegistryQueryString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryQueryString", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if (FxObjectFromHandle(String, FxTypeString, "WdfRegistryQueryString") == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info;
    NTSTATUS status = FxRegistryQueryOfType(key, ValueName, REG_SZ, REG_EXPAND_SZ, &info);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FxStringSet(String, (const WCHAR *)info->Data, FxStringDataLength(info),
                         "WdfRegistryQueryString");
    free(info);
    return status;
}

/*
 * WdfRegistryQueryMultiString: each string of a REG_MULTI_SZ value becomes a WDFSTRING
 * (with StringsAttributes) added to Collection; on a failure the strings added are
 * taken out again. STATUS_RESOURCE_DATA_NOT_FOUND for an empty value.
 */
WDFAPI NTSTATUS WdfRegistryQueryMultiString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                            PWDF_OBJECT_ATTRIBUTES StringsAttributes,
                                            WDFCOLLECTION Collection)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryQueryMultiString", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if (FxObjectFromHandle(Collection, FxTypeCollection, "WdfRegistryQueryMultiString") == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    NTSTATUS status = FxValidateAttributes(StringsAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PKEY_VALUE_PARTIAL_INFORMATION info;
    status = FxRegistryQueryOfType(key, ValueName, REG_MULTI_SZ, REG_MULTI_SZ, &info);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ULONG units = info->DataLength / sizeof(WCHAR);
    const WCHAR *data = (const WCHAR *)info->Data;
    /* A REG_MULTI_SZ's strings end with NULs; an empty string ends the list. */
    if (units == 0 || data[units - 1] != 0) {
        free(info);
        return units == 0 ? STATUS_RESOURCE_DATA_NOT_FOUND : STATUS_INVALID_PARAMETER;
    }
    ULONG initial = WdfCollectionGetCount(Collection);
    ULONG at = 0;
    while (NT_SUCCESS(status) && at < units && data[at] != 0) {
        ULONG end = at;
        while (end < units && data[end] != 0) {
            end++;
        }
        UNICODE_STRING text;
        text.Buffer = (PWCH)&data[at];
        text.Length = (USHORT)((end - at) * sizeof(WCHAR));
        text.MaximumLength = text.Length;
        WDFSTRING string;
        status = WdfStringCreate(&text, StringsAttributes, &string);
        if (NT_SUCCESS(status)) {
            status = WdfCollectionAdd(Collection, string);
            if (!NT_SUCCESS(status)) {
                WdfObjectDelete(string);
            }
        }
        at = end + 1;
    }
    if (!NT_SUCCESS(status)) {
        while (WdfCollectionGetCount(Collection) > initial) {
            WDFOBJECT item = WdfCollectionGetItem(Collection, initial);
            WdfCollectionRemoveItem(Collection, initial);
            WdfObjectDelete(item);
        }
    }
    free(info);
    return status;
}

/* WdfRegistryAssignValue: sets the value to ValueLength bytes of Value, of ValueType. */
WDFAPI NTSTATUS WdfRegistryAssignValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
                                       ULONG ValueLength, PVOID Value)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryAssignValue", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if ((Value == NULL && ValueLength != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    return ZwSetValueKey(key->Handle, (PUNICODE_STRING)ValueName, 0, ValueType, Value, ValueLength);
}

/*
 * WdfRegistryAssignMemory: the value becomes the bytes of a WDFMEMORY, all of them or
 * the range MemoryOffsets names (STATUS_INVALID_BUFFER_SIZE when it lies outside).
 */
WDFAPI NTSTATUS WdfRegistryAssignMemory(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
                                        WDFMEMORY Memory, PWDFMEMORY_OFFSET MemoryOffsets)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryAssignMemory", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if (FxObjectFromHandle(Memory, FxTypeMemory, "WdfRegistryAssignMemory") == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    size_t size = 0;
    char *buffer = WdfMemoryGetBuffer(Memory, &size);
    size_t offset = 0;
    size_t length = size;
    if (MemoryOffsets != NULL) {
        offset = MemoryOffsets->BufferOffset;
        length = MemoryOffsets->BufferLength != 0 ? MemoryOffsets->BufferLength : size - offset;
        if (offset > size || length > size - offset) {
            return STATUS_INVALID_BUFFER_SIZE;
        }
    }
    if (length > 0xFFFFFFFFu) {
        return STATUS_INVALID_BUFFER_SIZE;
    }
    return ZwSetValueKey(key->Handle, (PUNICODE_STRING)ValueName, 0, ValueType, buffer + offset,
                         (ULONG)length);
}

/* A REG_SZ value from counted text: the text and a terminating NUL. */
static NTSTATUS FxAssignCounted(FX_KEY *Key, PCUNICODE_STRING ValueName, PCUNICODE_STRING Text)
{
    size_t bytes = (Text->Length & ~1u) + sizeof(WCHAR);
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    WCHAR *data = calloc(1, bytes);
    if (data == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Text->Length != 0) {
        memcpy(data, Text->Buffer, Text->Length & ~1u);
    }
    NTSTATUS status =
        ZwSetValueKey(Key->Handle, (PUNICODE_STRING)ValueName, 0, REG_SZ, data, (ULONG)bytes);
    free(data);
    return status;
}

WDFAPI NTSTATUS WdfRegistryAssignUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                               PCUNICODE_STRING Value)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryAssignUnicodeString", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if (Value == NULL || (Value->Length != 0 && Value->Buffer == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxAssignCounted(key, ValueName, Value);
}

WDFAPI NTSTATUS WdfRegistryAssignString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryAssignString", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if (FxObjectFromHandle(String, FxTypeString, "WdfRegistryAssignString") == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    UNICODE_STRING text;
    WdfStringGetUnicodeString(String, &text);
    return FxAssignCounted(key, ValueName, &text);
}

/*
 * WdfRegistryAssignMultiString: a REG_MULTI_SZ of the WDFSTRINGs of a collection, in
 * its order; STATUS_INVALID_PARAMETER when an item is not a WDFSTRING (or is empty,
 * which would end the list early).
 */
WDFAPI NTSTATUS WdfRegistryAssignMultiString(WDFKEY Key, PCUNICODE_STRING ValueName,
                                             WDFCOLLECTION StringsCollection)
{
    NTSTATUS keyStatus;
    FX_KEY *key = FxValueKeyGet(Key, ValueName, "WdfRegistryAssignMultiString", &keyStatus);
    if (key == NULL) {
        return keyStatus;
    }
    if (FxObjectFromHandle(StringsCollection, FxTypeCollection, "WdfRegistryAssignMultiString") ==
        NULL) {
        return STATUS_INVALID_HANDLE;
    }
    ULONG count = WdfCollectionGetCount(StringsCollection);
    size_t bytes = sizeof(WCHAR);
    for (ULONG i = 0; i < count; i++) {
        FX_OBJECT *item = (FX_OBJECT *)WdfCollectionGetItem(StringsCollection, i);
        if (item == NULL || item->Type != FxTypeString) {
            return STATUS_INVALID_PARAMETER;
        }
        UNICODE_STRING text;
        WdfStringGetUnicodeString((WDFSTRING)item, &text);
        if (text.Length == 0) {
            return STATUS_INVALID_PARAMETER;
        }
        bytes += (text.Length & ~1u) + sizeof(WCHAR);
    }
    if (count == 0) {
        bytes += sizeof(WCHAR);
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    char *data = calloc(1, bytes);
    if (data == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    size_t at = 0;
    for (ULONG i = 0; i < count; i++) {
        UNICODE_STRING text;
        WdfStringGetUnicodeString((WDFSTRING)WdfCollectionGetItem(StringsCollection, i), &text);
        memcpy(data + at, text.Buffer, text.Length & ~1u);
        at += (text.Length & ~1u) + sizeof(WCHAR);
    }
    NTSTATUS status = ZwSetValueKey(key->Handle, (PUNICODE_STRING)ValueName, 0, REG_MULTI_SZ, data,
                                    (ULONG)bytes);
    free(data);
    return status;
}
