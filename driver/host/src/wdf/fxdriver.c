/*
 * fxdriver.c - the framework driver object (WDFDRIVER), wdfdriver.h: creation, the
 * service's Parameters registry key and the version queries.
 *
 * WdfDriverCreate takes over the WDM driver object as KMDF does: every
 * MajorFunction[] entry points at the framework's dispatch routine, AddDevice at the
 * framework's (which calls EvtDriverDeviceAdd), and DriverUnload at the framework's
 * (which calls EvtDriverUnload, then deletes the driver object and its children).
 */
#include "wdf/fxp.h"
#include "wdf/fxstub.h"

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

/* Called by the KMDF stub in the driver's module (fxstub.c) when DriverEntry failed. */
VOID FxStubDriverEntryFailed(PDRIVER_OBJECT DriverObject)
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

WDFAPI NTSTATUS WdfDriverRetrieveVersionString(WDFDRIVER Driver, WDFSTRING String)
{
    if (FxObjectFromHandle(Driver, FxTypeDriver, "WdfDriverRetrieveVersionString") == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    return FxStringSet(String, FxVersionString, sizeof(FxVersionString) - sizeof(WCHAR),
                       "WdfDriverRetrieveVersionString");
}

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

    NTSTATUS status = FxRegistryOpenKey(driver, parent, KeyAttributes, &name, DesiredAccess, Key);
    free(path);
    return status;
}

