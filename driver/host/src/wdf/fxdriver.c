/*
 * fxdriver.c - the framework driver object (WDFDRIVER), the service's Parameters
 * registry key, registry key objects, string objects and the version queries.
 *
 * WdfDriverCreate takes over the WDM driver object as KMDF does: every
 * MajorFunction[] entry points at the framework's dispatch routine, AddDevice at the
 * framework's (which calls EvtDriverDeviceAdd), and DriverUnload at the framework's
 * (which calls EvtDriverUnload, then deletes the driver object and its children).
 */
#include "wdf/fx.h"
#include "wdf/khwdf.h"

#include <stdlib.h>
#include <string.h>

static HOS_MUTEX FxDriverListLock;
static FX_LINK FxDrivers;
static FX_DRIVER *FxLastDriver;

__attribute__((constructor)) static void FxDriverModuleInit(void)
{
    HosMutexInit(&FxDriverListLock);
    FxListInit(&FxDrivers);
}

const char *FxDriverName(FX_DRIVER *Driver)
{
    return Driver != NULL && Driver->Name[0] != '\0' ? Driver->Name : "(unknown)";
}

FX_DRIVER *FxDriverFromDriverObject(PDRIVER_OBJECT DriverObject)
{
    FX_DRIVER *found = NULL;
    HosMutexLock(&FxDriverListLock);
    for (FX_LINK *link = FxDrivers.Next; link != &FxDrivers; link = link->Next) {
        FX_DRIVER *driver = FX_CONTAINING(link, FX_DRIVER, DriverLink);
        if (driver->DriverObject == DriverObject) {
            found = driver;
            break;
        }
    }
    HosMutexUnlock(&FxDriverListLock);
    return found;
}

static void FxDriverDestroy(FX_OBJECT *Object)
{
    FX_DRIVER *driver = (FX_DRIVER *)Object;
    free(driver->RegistryPath.Buffer);
    driver->RegistryPath.Buffer = NULL;
}

static const FX_OBJECT_OPS FxDriverOps = {NULL, FxDriverDestroy};

/* The service name: the last component of the registry path, for reports. */
static void FxDriverSetName(FX_DRIVER *Driver)
{
    const WCHAR *path = Driver->RegistryPath.Buffer;
    size_t length = Driver->RegistryPath.Length / sizeof(WCHAR);
    size_t start = 0;
    for (size_t i = 0; i < length; i++) {
        if (path[i] == L'\\') {
            start = i + 1;
        }
    }
    size_t out = 0;
    for (size_t i = start; i < length && out + 1 < sizeof(Driver->Name); i++) {
        Driver->Name[out++] = path[i] < 0x80 ? (char)path[i] : '?';
    }
    Driver->Name[out] = '\0';
}

static void FxDriverUnload(PDRIVER_OBJECT DriverObject)
{
    FX_DRIVER *driver = FxDriverFromDriverObject(DriverObject);
    if (driver == NULL) {
        return;
    }
    if (driver->Config.EvtDriverUnload != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, driver, NULL, "EvtDriverUnload", driver);
        driver->Config.EvtDriverUnload((WDFDRIVER)driver);
        FxCallbackLeave(&frame);
    }
    HosMutexLock(&FxDriverListLock);
    FxListRemove(&driver->DriverLink);
    if (FxLastDriver == driver) {
        FxLastDriver = NULL;
    }
    HosMutexUnlock(&FxDriverListLock);
    /* Deleting the driver object deletes everything parented to it; what survives is a leak. */
    FxObjectReference(&driver->Object);
    FxObjectDelete(&driver->Object);
    FxReportLeaks(driver);
    FxObjectDereference(&driver->Object);
}

void KhWdfDriverEntryFailed(PDRIVER_OBJECT DriverObject)
{
    FX_DRIVER *driver = FxDriverFromDriverObject(DriverObject);
    if (driver == NULL) {
        return;
    }
    HosMutexLock(&FxDriverListLock);
    FxListRemove(&driver->DriverLink);
    if (FxLastDriver == driver) {
        FxLastDriver = NULL;
    }
    HosMutexUnlock(&FxDriverListLock);
    FxObjectDelete(&driver->Object);
}

/*
 * WdfDriverCreate: "creates a framework driver object for the calling driver" and must
 * be called from DriverEntry. Unless WdfDriverInitNoDispatchOverride is set, the
 * framework installs its own dispatch routines; a non-PnP driver
 * (WdfDriverInitNonPnpDriver) gets no AddDevice routine.
 */
WDFAPI NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
                                PWDF_OBJECT_ATTRIBUTES DriverAttributes,
                                PWDF_DRIVER_CONFIG DriverConfig, WDFDRIVER *Driver)
{
    if (Driver != NULL) {
        *Driver = NULL;
    }
    if (DriverObject == NULL || RegistryPath == NULL || DriverConfig == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (DriverConfig->Size != sizeof(WDF_DRIVER_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (DriverAttributes != NULL && DriverAttributes->ParentObject != NULL) {
        return STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED;
    }
    if (FxDriverFromDriverObject(DriverObject) != NULL) {
        return STATUS_DRIVER_INTERNAL_ERROR;
    }
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_DRIVER), FxTypeDriver, DriverAttributes, NULL,
                                       &FxDriverOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_DRIVER *driver = (FX_DRIVER *)object;
    object->Driver = driver;
    object->NoDriverDelete = true;
    driver->DriverObject = DriverObject;
    driver->Config = *DriverConfig;
    object->ExecutionLevel = FxResolveExecutionLevel(DriverAttributes, NULL);
    /* "The driver object's default synchronization scope is WdfSynchronizationScopeNone." */
    if (object->SyncScope == WdfSynchronizationScopeInheritFromParent) {
        object->SyncScope = WdfSynchronizationScopeNone;
    }
    if (KhAllocationShouldFail()) {
        FxObjectFreeUninserted(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    driver->RegistryPath.Buffer = calloc(1, RegistryPath->Length + sizeof(WCHAR));
    if (driver->RegistryPath.Buffer == NULL) {
        FxObjectFreeUninserted(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(driver->RegistryPath.Buffer, RegistryPath->Buffer, RegistryPath->Length);
    driver->RegistryPath.Length = RegistryPath->Length;
    driver->RegistryPath.MaximumLength = (USHORT)(RegistryPath->Length + sizeof(WCHAR));
    FxDriverSetName(driver);
    FxObjectInsert(object, NULL);

    if (!(DriverConfig->DriverInitFlags & WdfDriverInitNoDispatchOverride)) {
        for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
            DriverObject->MajorFunction[i] = FxDispatch;
        }
    }
    if (!(DriverConfig->DriverInitFlags & WdfDriverInitNonPnpDriver) &&
        DriverObject->DriverExtension != NULL) {
        DriverObject->DriverExtension->AddDevice = FxAddDevice;
    }
    DriverObject->DriverUnload = FxDriverUnload;

    HosMutexLock(&FxDriverListLock);
    FxListInsertTail(&FxDrivers, &driver->DriverLink);
    FxLastDriver = driver;
    HosMutexUnlock(&FxDriverListLock);
    if (Driver != NULL) {
        *Driver = (WDFDRIVER)driver;
    }
    return STATUS_SUCCESS;
}

WDFAPI WDFDRIVER WdfGetDriver(VOID)
{
    FX_DRIVER *driver = FxCurrentDriver();
    if (driver == NULL) {
        HosMutexLock(&FxDriverListLock);
        driver = FxLastDriver;
        HosMutexUnlock(&FxDriverListLock);
    }
    return (WDFDRIVER)driver;
}

WDFAPI PWSTR WdfDriverGetRegistryPath(WDFDRIVER Driver)
{
    FX_DRIVER *driver =
        (FX_DRIVER *)FxObjectFromHandle(Driver, FxTypeDriver, "WdfDriverGetRegistryPath");
    return driver != NULL ? driver->RegistryPath.Buffer : NULL;
}

WDFAPI PDRIVER_OBJECT WdfDriverWdmGetDriverObject(WDFDRIVER Driver)
{
    FX_DRIVER *driver =
        (FX_DRIVER *)FxObjectFromHandle(Driver, FxTypeDriver, "WdfDriverWdmGetDriverObject");
    return driver != NULL ? driver->DriverObject : NULL;
}

WDFAPI WDFDRIVER WdfWdmDriverGetWdfDriverHandle(PDRIVER_OBJECT DriverObject)
{
    return (WDFDRIVER)FxDriverFromDriverObject(DriverObject);
}

/* The framework version string, as WdfDriverRetrieveVersionString returns it. */
static const WCHAR FxVersionString[] =
    L"Kernel Mode Driver Framework (user-mode host) version 1.33";

WDFAPI BOOLEAN WdfDriverIsVersionAvailable(WDFDRIVER Driver,
                                           PWDF_DRIVER_VERSION_AVAILABLE_PARAMS Params)
{
    if (FxObjectFromHandle(Driver, FxTypeDriver, "WdfDriverIsVersionAvailable") == NULL ||
        Params == NULL || Params->Size != sizeof(WDF_DRIVER_VERSION_AVAILABLE_PARAMS)) {
        return FALSE;
    }
    /* TRUE when the framework's version is at least the one asked for (same major). */
    return Params->MajorVersion == FX_VERSION_MAJOR && Params->MinorVersion <= FX_VERSION_MINOR;
}

/* ------------------------------------------------------------------ strings */

typedef struct FX_STRING {
    FX_OBJECT Object;
    UNICODE_STRING String;
} FX_STRING;

static void FxStringDestroy(FX_OBJECT *Object)
{
    FX_STRING *string = (FX_STRING *)Object;
    free(string->String.Buffer);
    string->String.Buffer = NULL;
}

static const FX_OBJECT_OPS FxStringOps = {NULL, FxStringDestroy};

/* Replaces the string's contents; one allocation point. */
static NTSTATUS FxStringAssign(FX_STRING *String, const WCHAR *Buffer, size_t Bytes)
{
    if (Bytes > 0xFFFC) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    WCHAR *copy = calloc(1, Bytes + sizeof(WCHAR));
    if (copy == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Bytes != 0) {
        memcpy(copy, Buffer, Bytes);
    }
    free(String->String.Buffer);
    String->String.Buffer = copy;
    String->String.Length = (USHORT)Bytes;
    String->String.MaximumLength = (USHORT)(Bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* The parent given in Attributes, else the driver object of the caller. */
FX_OBJECT *FxDefaultParent(PWDF_OBJECT_ATTRIBUTES Attributes, const char *Api, NTSTATUS *Status)
{
    *Status = STATUS_SUCCESS;
    if (Attributes != NULL && Attributes->ParentObject != NULL) {
        FX_OBJECT *parent = FxObjectFromHandle(Attributes->ParentObject, FxTypeAny, Api);
        if (parent == NULL) {
            *Status = STATUS_INVALID_HANDLE;
        }
        return parent;
    }
    FX_DRIVER *driver = (FX_DRIVER *)WdfGetDriver();
    if (driver == NULL) {
        *Status = STATUS_WDF_PARENT_NOT_SPECIFIED;
        return NULL;
    }
    return &driver->Object;
}

WDFAPI NTSTATUS WdfStringCreate(PCUNICODE_STRING UnicodeString,
                                PWDF_OBJECT_ATTRIBUTES StringAttributes, WDFSTRING *String)
{
    if (String == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *String = NULL;
    NTSTATUS status;
    FX_OBJECT *parent = FxDefaultParent(StringAttributes, "WdfStringCreate", &status);
    if (parent == NULL) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_STRING), FxTypeString, StringAttributes, parent->Driver,
                              &FxStringOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_STRING *string = (FX_STRING *)object;
    status = FxStringAssign(string, UnicodeString != NULL ? UnicodeString->Buffer : NULL,
                            UnicodeString != NULL ? UnicodeString->Length : 0);
    if (!NT_SUCCESS(status)) {
        FxObjectFreeUninserted(object);
        return status;
    }
    object->ExecutionLevel = FxResolveExecutionLevel(StringAttributes, parent);
    FxObjectInsert(object, parent);
    *String = (WDFSTRING)object;
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfStringGetUnicodeString(WDFSTRING String, PUNICODE_STRING UnicodeString)
{
    FX_STRING *string =
        (FX_STRING *)FxObjectFromHandle(String, FxTypeString, "WdfStringGetUnicodeString");
    if (string == NULL || UnicodeString == NULL) {
        return;
    }
    *UnicodeString = string->String;
}

WDFAPI NTSTATUS WdfDriverRetrieveVersionString(WDFDRIVER Driver, WDFSTRING String)
{
    if (FxObjectFromHandle(Driver, FxTypeDriver, "WdfDriverRetrieveVersionString") == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    FX_STRING *string =
        (FX_STRING *)FxObjectFromHandle(String, FxTypeString, "WdfDriverRetrieveVersionString");
    if (string == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    return FxStringAssign(string, FxVersionString, sizeof(FxVersionString) - sizeof(WCHAR));
}

/* ------------------------------------------------------------------ registry */

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

/*
 * WdfDriverOpenParametersRegistryKey: opens <RegistryPath>\Parameters, the key that
 * the INF's AddReg fills for the service.
 */
WDFAPI NTSTATUS WdfDriverOpenParametersRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                                   PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                                   WDFKEY *Key)
{
    if (Key == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Key = NULL;
    FX_DRIVER *driver =
        (FX_DRIVER *)FxObjectFromHandle(Driver, FxTypeDriver, "WdfDriverOpenParametersRegistryKey");
    if (driver == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    FX_OBJECT *parent = &driver->Object;
    if (KeyAttributes != NULL && KeyAttributes->ParentObject != NULL) {
        parent = FxObjectFromHandle(KeyAttributes->ParentObject, FxTypeAny,
                                    "WdfDriverOpenParametersRegistryKey");
        if (parent == NULL) {
            return STATUS_INVALID_HANDLE;
        }
    }
    static const WCHAR suffix[] = L"\\Parameters";
    size_t bytes = driver->RegistryPath.Length + sizeof(suffix);
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    WCHAR *path = calloc(1, bytes);
    if (path == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(path, driver->RegistryPath.Buffer, driver->RegistryPath.Length);
    memcpy((char *)path + driver->RegistryPath.Length, suffix, sizeof(suffix));
    UNICODE_STRING name;
    name.Buffer = path;
    name.Length = (USHORT)(bytes - sizeof(WCHAR));
    name.MaximumLength = (USHORT)bytes;

    FX_OBJECT *object;
    NTSTATUS status =
        FxObjectAllocate(sizeof(FX_KEY), FxTypeKey, KeyAttributes, driver, &FxKeyOps, &object);
    if (!NT_SUCCESS(status)) {
        free(path);
        return status;
    }
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL,
                               NULL);
    HANDLE handle = NULL;
    status = ZwOpenKey(&handle, DesiredAccess, &attributes);
    free(path);
    if (!NT_SUCCESS(status)) {
        FxObjectFreeUninserted(object);
        return status;
    }
    ((FX_KEY *)object)->Handle = handle;
    object->ExecutionLevel = FxResolveExecutionLevel(KeyAttributes, parent);
    FxObjectInsert(object, parent);
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
