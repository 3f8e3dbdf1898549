/*
 * fxdevice.c - the framework device object (WDFDEVICE): device initialization, the
 * WDM function device object attached over the PDO, device interfaces, the IRP
 * dispatch routine that WdfDriverCreate installs, and a simplified
 * PnP and power state machine that calls the driver's event callbacks in the order
 * that "PnP and Power Management Scenarios" (learn.microsoft.com, wdf) documents:
 *
 *   start:    EvtDevicePrepareHardware, EvtDeviceD0Entry(D3Final),
 *             EvtDeviceD0EntryPostInterruptsEnabled, power-managed queues started,
 *             EvtDeviceSelfManagedIoInit (first start), interfaces enabled
 *   to D3:    EvtDeviceSelfManagedIoSuspend, power-managed queues stopped (they keep
 *             accepting and hold new requests; delivered requests must finish),
 *             EvtDeviceD0ExitPreInterruptsDisabled, EvtDeviceD0Exit(D3)
 *   to D0:    EvtDeviceD0Entry(D3), power-managed queues restarted,
 *             EvtDeviceSelfManagedIoRestart
 *   removal:  interfaces disabled, EvtDeviceSelfManagedIoSuspend (if in D0), queues
 *             purged (waiting requests cancelled, new ones failed), EvtDeviceD0Exit(D3Final),
 *             EvtDeviceReleaseHardware, EvtDeviceSelfManagedIoFlush,
 *             EvtDeviceSelfManagedIoCleanup
 *   surprise removal:
 *             interfaces disabled, EvtDeviceSurpriseRemoval, queues purged,
 *             EvtDeviceSelfManagedIoSuspend (if in D0), then as on removal
 *   finally:  the device object and its children (queues, timers ...) are deleted.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

/* Guards FX_DEVICE_EXTENSION.Device against the removal of the WDFDEVICE. */
static HOS_MUTEX FxDeviceRefLock;

__attribute__((constructor)) static void FxDeviceModuleInit(void)
{
    HosMutexInit(&FxDeviceRefLock);
}

/* The device behind a DEVICE_OBJECT, referenced; NULL once it has been removed. */
static FX_DEVICE *FxDeviceAcquire(PDEVICE_OBJECT DeviceObject)
{
    FX_DEVICE_EXTENSION *extension = DeviceObject != NULL ? DeviceObject->DeviceExtension : NULL;
    FX_DEVICE *device = NULL;
    if (extension == NULL || extension->Magic != FX_EXTENSION_MAGIC) {
        return NULL;
    }
    HosMutexLock(&FxDeviceRefLock);
    device = atomic_load(&extension->Device);
    if (device != NULL) {
        FxObjectReference(&device->Object);
    }
    HosMutexUnlock(&FxDeviceRefLock);
    return device;
}

FX_DEVICE *FxDeviceFromDeviceObject(PDEVICE_OBJECT DeviceObject)
{
    FX_DEVICE *device = FxDeviceAcquire(DeviceObject);
    if (device != NULL) {
        FxObjectDereference(&device->Object);
    }
    return device;
}

static void FxPolicyShutdown(FX_DEVICE *Device);
static void FxPolicyPoFxUnregister(FX_DEVICE *Device);
static void FxPolicyDestroyLocks(FX_DEVICE *Device);
static void FxPolicyDeviceStarted(FX_DEVICE *Device);
static NTSTATUS FxPolicyPoFxRegister(FX_DEVICE *Device);

/* ------------------------------------------------------------ device init */

static PWDFDEVICE_INIT FxInitFromHandle(PWDFDEVICE_INIT DeviceInit, const char *Api)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "%s called with a NULL PWDFDEVICE_INIT", Api);
    }
    return DeviceInit;
}

WDFAPI VOID WdfDeviceInitSetPnpPowerEventCallbacks(
    PWDFDEVICE_INIT DeviceInit, PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetPnpPowerEventCallbacks") == NULL ||
        PnpPowerEventCallbacks == NULL) {
        return;
    }
    size_t size = PnpPowerEventCallbacks->Size;
    if (size > sizeof(WDF_PNPPOWER_EVENT_CALLBACKS)) {
        size = sizeof(WDF_PNPPOWER_EVENT_CALLBACKS);
    }
    memset(&DeviceInit->PnpPower, 0, sizeof(DeviceInit->PnpPower));
    memcpy(&DeviceInit->PnpPower, PnpPowerEventCallbacks, size);
}

/*
 * The power policy owner's wake callbacks (EvtDeviceArmWakeFromS0 ... WakeFromSxTriggered),
 * copied for the device WdfDeviceCreate makes; a structure whose Size is not this
 * version's registers nothing.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetpowerpolicyeventcallbacks
 */
WDFAPI VOID WdfDeviceInitSetPowerPolicyEventCallbacks(
    PWDFDEVICE_INIT DeviceInit, PWDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicyEventCallbacks)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetPowerPolicyEventCallbacks") == NULL ||
        PowerPolicyEventCallbacks == NULL || PowerPolicyEventCallbacks->Size != sizeof(WDF_POWER_POLICY_EVENT_CALLBACKS)) {
        return;
    }
    DeviceInit->PowerPolicy = *PowerPolicyEventCallbacks;
}

WDFAPI VOID WdfDeviceInitSetIoType(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_IO_TYPE IoType)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetIoType") != NULL) {
        DeviceInit->IoType = IoType;
    }
}

WDFAPI VOID WdfDeviceInitSetDeviceType(PWDFDEVICE_INIT DeviceInit, DEVICE_TYPE DeviceType)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetDeviceType") != NULL) {
        DeviceInit->DeviceType = DeviceType;
    }
}

WDFAPI VOID WdfDeviceInitSetExclusive(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsExclusive)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetExclusive") != NULL) {
        DeviceInit->Exclusive = IsExclusive;
    }
}

/*
 * WdfDeviceInitSetPowerPageable, WdfDeviceInitSetPowerNotPageable,
 * WdfDeviceInitSetPowerInrush: whether the device object has DO_POWER_PAGABLE (the
 * driver may touch pageable data during power transitions; the framework's default for
 * function and bus drivers) and DO_POWER_INRUSH (the device draws inrush current when
 * powered up, so it cannot be power pageable: Inrush also makes it not pageable). A
 * filter takes the device below's setting whatever it asks.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetpowerpageable
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetpowernotpageable
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetpowerinrush
 */
WDFAPI VOID WdfDeviceInitSetPowerPageable(PWDFDEVICE_INIT DeviceInit)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetPowerPageable") != NULL) {
        DeviceInit->PowerNotPageable = false;
    }
}

WDFAPI VOID WdfDeviceInitSetPowerNotPageable(PWDFDEVICE_INIT DeviceInit)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetPowerNotPageable") != NULL) {
        DeviceInit->PowerNotPageable = true;
    }
}

WDFAPI VOID WdfDeviceInitSetPowerInrush(PWDFDEVICE_INIT DeviceInit)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetPowerInrush") != NULL) {
        DeviceInit->PowerInrush = true;
        DeviceInit->PowerNotPageable = true;
    }
}

WDFAPI VOID WdfDeviceInitSetCharacteristics(PWDFDEVICE_INIT DeviceInit, ULONG DeviceCharacteristics,
                                            BOOLEAN OrInValues)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetCharacteristics") != NULL) {
        DeviceInit->Characteristics = OrInValues
                                          ? (DeviceInit->Characteristics | DeviceCharacteristics)
                                          : DeviceCharacteristics;
    }
}

/*
 * WdfDeviceInitSetIoInCallerContextCallback: the framework calls EvtIoInCallerContext for
 * each read, write and device control request, in the context of the thread that issued
 * it and before the request is queued; the driver queues it with WdfDeviceEnqueueRequest
 * (or completes it). A driver needs this for METHOD_NEITHER buffers, which are the
 * caller's addresses and valid only in its context.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetioincallercontextcallback
 */
WDFAPI VOID WdfDeviceInitSetIoInCallerContextCallback(PWDFDEVICE_INIT DeviceInit,
                                                      PFN_WDF_IO_IN_CALLER_CONTEXT EvtIoInCallerContext)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetIoInCallerContextCallback") != NULL) {
        DeviceInit->EvtIoInCallerContext = EvtIoInCallerContext;
    }
}

/* Every request the framework creates for the device gets these attributes (context). */
WDFAPI VOID WdfDeviceInitSetRequestAttributes(PWDFDEVICE_INIT DeviceInit,
                                              PWDF_OBJECT_ATTRIBUTES RequestAttributes)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetRequestAttributes") == NULL ||
        RequestAttributes == NULL) {
        return;
    }
    DeviceInit->RequestAttributes = *RequestAttributes;
    DeviceInit->HasRequestAttributes = true;
}

WDFAPI VOID WdfDeviceInitSetFileObjectConfig(PWDFDEVICE_INIT DeviceInit,
                                             PWDF_FILEOBJECT_CONFIG FileObjectConfig,
                                             PWDF_OBJECT_ATTRIBUTES FileObjectAttributes)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetFileObjectConfig") == NULL ||
        FileObjectConfig == NULL) {
        return;
    }
    DeviceInit->FileObjectConfig = *FileObjectConfig;
    DeviceInit->HasFileObjectConfig = true;
    if (FileObjectAttributes != NULL) {
        DeviceInit->FileObjectAttributes = *FileObjectAttributes;
        DeviceInit->HasFileObjectAttributes = true;
    }
}

WDFAPI NTSTATUS WdfDeviceInitAssignName(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceName)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitAssignName") == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    free(DeviceInit->DeviceName.Buffer);
    memset(&DeviceInit->DeviceName, 0, sizeof(DeviceInit->DeviceName));
    if (DeviceName == NULL) {
        return STATUS_SUCCESS;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    DeviceInit->DeviceName.Buffer = calloc(1, DeviceName->Length + sizeof(WCHAR));
    if (DeviceInit->DeviceName.Buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(DeviceInit->DeviceName.Buffer, DeviceName->Buffer, DeviceName->Length);
    DeviceInit->DeviceName.Length = DeviceName->Length;
    DeviceInit->DeviceName.MaximumLength = (USHORT)(DeviceName->Length + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* Copies a counted string into Target (NUL-terminated); a previous value is freed. */
NTSTATUS FxInitCopyString(UNICODE_STRING *Target, PCUNICODE_STRING Source)
{
    free(Target->Buffer);
    memset(Target, 0, sizeof(*Target));
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Target->Buffer = calloc(1, (size_t)Source->Length + sizeof(WCHAR));
    if (Target->Buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Source->Length != 0) {
        memcpy(Target->Buffer, Source->Buffer, Source->Length);
    }
    Target->Length = Source->Length;
    Target->MaximumLength = (USHORT)(Source->Length + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/*
 * WdfDeviceInitAssignSDDLString: the security descriptor of the device object, in SDDL.
 * As in KMDF, the call keeps a copy (a NULL string removes it, except for a control
 * device, which must have one: STATUS_INVALID_DEVICE_REQUEST); the string is parsed when
 * WdfDeviceCreate creates the device object as IoCreateDeviceSecure does, which fails a
 * malformed string with STATUS_INVALID_PARAMETER. The host makes no access checks on
 * opens, so a valid descriptor is not enforced.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitassignsddlstring
 */
WDFAPI NTSTATUS WdfDeviceInitAssignSDDLString(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING SDDLString)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitAssignSDDLString") == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (SDDLString == NULL) {
        if (DeviceInit->Control) {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        free(DeviceInit->Sddl.Buffer);
        memset(&DeviceInit->Sddl, 0, sizeof(DeviceInit->Sddl));
        return STATUS_SUCCESS;
    }
    if ((SDDLString->Length & 1) != 0 || SDDLString->Length > SDDLString->MaximumLength ||
        (SDDLString->Length != 0 && SDDLString->Buffer == NULL)) {
        /* KMDF's check of a UNICODE_STRING argument fails it so. */
        return STATUS_INVALID_PARAMETER;
    }
    return FxInitCopyString(&DeviceInit->Sddl, SDDLString);
}

/*
 * The subset of SDDL that IoCreateDeviceSecure accepts ("SDDL for Device Objects"):
 * "D:P" and then zero or more "(A;;Access;;;SID)", Access either "0x" and hex digits or
 * a sequence of the codes GA GR GW GX RC SD WD WO, SID one of the documented aliases or
 * a string SID "S-1-...".
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/sddl-for-device-objects
 */
static bool FxSddlIsHex(WCHAR c)
{
    return (c >= L'0' && c <= L'9') || (c >= L'a' && c <= L'f') || (c >= L'A' && c <= L'F');
}

static bool FxSddlAccessValid(const WCHAR *s, size_t n)
{
    if (n > 2 && s[0] == L'0' && (s[1] == L'x' || s[1] == L'X')) {
        for (size_t i = 2; i < n; i++) {
            if (!FxSddlIsHex(s[i])) {
                return false;
            }
        }
        return n <= 10;
    }
    static const char *const codes[] = {"GA", "GR", "GW", "GX", "RC", "SD", "WD", "WO"};
    if (n == 0 || n % 2 != 0) {
        return false;
    }
    for (size_t i = 0; i < n; i += 2) {
        bool known = false;
        for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++) {
            if (s[i] == (WCHAR)codes[c][0] && s[i + 1] == (WCHAR)codes[c][1]) {
                known = true;
            }
        }
        if (!known) {
            return false;
        }
    }
    return true;
}

static bool FxSddlSidValid(const WCHAR *s, size_t n)
{
    static const char *const aliases[] = {"SY", "LS", "NS", "BA", "BU", "BG", "AU", "AN",
                                          "IU", "NU", "SU", "WD", "RC"};
    if (n == 2) {
        for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
            if (s[0] == (WCHAR)aliases[a][0] && s[1] == (WCHAR)aliases[a][1]) {
                return true;
            }
        }
        return false;
    }
    /* S-1-<authority>-<subauthority>... : at least the authority, digits between dashes. */
    if (n < 5 || s[0] != L'S' || s[1] != L'-' || s[2] != L'1' || s[3] != L'-') {
        return false;
    }
    size_t digits = 0, parts = 0;
    for (size_t i = 4; i < n; i++) {
        if (s[i] >= L'0' && s[i] <= L'9') {
            digits++;
        } else if (s[i] == L'-' && digits > 0) {
            digits = 0;
            parts++;
        } else {
            return false;
        }
    }
    return digits > 0 && parts <= 15;
}

static bool FxSddlValid(PCUNICODE_STRING Sddl)
{
    const WCHAR *s = Sddl->Buffer;
    size_t n = Sddl->Length / sizeof(WCHAR), i = 3;
    if (n < 3 || s[0] != L'D' || s[1] != L':' || s[2] != L'P') {
        return false;
    }
    while (i < n) {
        /* (A;;Access;;;SID) */
        if (s[i] != L'(' || i + 1 >= n || s[i + 1] != L'A' || i + 3 >= n || s[i + 2] != L';' ||
            s[i + 3] != L';') {
            return false;
        }
        size_t access = i + 4, end = access;
        while (end < n && s[end] != L';') {
            end++;
        }
        if (end + 3 >= n || !FxSddlAccessValid(s + access, end - access) || s[end + 1] != L';' ||
            s[end + 2] != L';') {
            return false;
        }
        size_t sid = end + 3, close = sid;
        while (close < n && s[close] != L')') {
            close++;
        }
        if (close >= n || !FxSddlSidValid(s + sid, close - sid)) {
            return false;
        }
        i = close + 1;
    }
    return true;
}

static void FxInitFree(PWDFDEVICE_INIT DeviceInit)
{
    if (DeviceInit != NULL) {
        FxPdoDataFree(DeviceInit->PdoData);
        free(DeviceInit->DeviceName.Buffer);
        free(DeviceInit->Sddl.Buffer);
        free(DeviceInit);
    }
}

/* Only for inits the driver allocated itself (WdfControlDeviceInitAllocate) and did not
   pass to a successful WdfDeviceCreate. */
WDFAPI VOID WdfDeviceInitFree(PWDFDEVICE_INIT DeviceInit)
{
    if (DeviceInit != NULL && !DeviceInit->CreatedByFramework) {
        FxInitFree(DeviceInit);
    }
}

/* ---------------------------------------------------------------- the device */

static void FxRemovalRelationsClear(FX_DEVICE *Device);

static void FxDeviceDestroy(FX_OBJECT *Object)
{
    FX_DEVICE *device = (FX_DEVICE *)Object;
    FxRemovalRelationsClear(device);
    FX_INTERFACE *next;
    for (FX_INTERFACE *entry = device->Interfaces; entry != NULL; entry = next) {
        next = entry->Next;
        RtlFreeUnicodeString(&entry->SymbolicLink);
        free(entry->ReferenceString.Buffer);
        free(entry);
    }
    device->Interfaces = NULL;
    FxPdoDataFree(device->PdoData);
    device->PdoData = NULL;
    FxQueryInterfacesDelete(device);
    free(device->DeviceName.Buffer);
    free(device->SymbolicLinkName.Buffer);
    FxWmiDeviceDestroyed(device);
    if (device->Object.SyncLock != NULL) {
        FxSyncLockDelete(device->Object.SyncLock);
        device->Object.SyncLock = NULL;
    }
    FxPolicyShutdown(device);
    FxPolicyDestroyLocks(device);
    HosMutexDestroy(&device->Lock);
}

static void FxDeviceRemove(FX_DEVICE *Device);
static void FxControlDeviceDispose(FX_OBJECT *Object);
static void FxPolicyDestroyLocks(FX_DEVICE *Device)
{
    free(Device->Policy.PoFxIdleStates);
    Device->Policy.PoFxIdleStates = NULL;
    HosCondDestroy(&Device->Policy.Changed);
    HosMutexDestroy(&Device->Policy.Lock);
    HosMutexDestroy(&Device->Policy.Transition);
}

static const FX_OBJECT_OPS FxDeviceOps = {NULL, FxDeviceDestroy};
/* A control device goes when the driver deletes it (or with the driver object). */
static const FX_OBJECT_OPS FxControlDeviceOps = {FxControlDeviceDispose, FxDeviceDestroy};

/* Resolves the synchronization scope of a device: its own, else the driver's. */
static void FxDeviceDeleteStack(FX_DEVICE *Device);

static WDF_SYNCHRONIZATION_SCOPE FxDeviceScope(FX_DEVICE *Device)
{
    WDF_SYNCHRONIZATION_SCOPE scope = Device->Object.SyncScope;
    if (scope == WdfSynchronizationScopeInheritFromParent ||
        scope == WdfSynchronizationScopeInvalid) {
        scope = Device->Object.Driver->Object.SyncScope;
    }
    if (scope == WdfSynchronizationScopeInheritFromParent ||
        scope == WdfSynchronizationScopeInvalid) {
        scope = WdfSynchronizationScopeNone;
    }
    return scope;
}

/*
 * WdfDeviceCreate: creates the WDFDEVICE and its WDM device object, attaches it to the
 * device stack over the PDO, and consumes the WDFDEVICE_INIT (*DeviceInit becomes NULL
 * on success).
 */
WDFAPI NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT *DeviceInit,
                                PWDF_OBJECT_ATTRIBUTES DeviceAttributes, WDFDEVICE *Device)
{
    if (Device == NULL || DeviceInit == NULL || *DeviceInit == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Device = NULL;
    PWDFDEVICE_INIT init = *DeviceInit;
    if (DeviceAttributes != NULL && DeviceAttributes->ParentObject != NULL) {
        return STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED;
    }
    FX_DRIVER *driver = init->Driver;
    /* The device object is created as by IoCreateDeviceSecure when the init has an SDDL
       string: a string outside its subset fails the creation. */
    if (init->Sddl.Buffer != NULL && !FxSddlValid(&init->Sddl)) {
        return STATUS_INVALID_PARAMETER;
    }
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_DEVICE), FxTypeDevice, DeviceAttributes, driver,
                                       init->Control ? &FxControlDeviceOps : &FxDeviceOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_DEVICE *device = (FX_DEVICE *)object;
    /* "A driver can delete a control device object" (WdfObjectDelete); not a PnP one,
       except a PDO it created for static enumeration and has not yet passed to
       WdfFdoAddStaticChild: its error path deletes it (KMDF's FxDevice::DeleteObject
       removes such a PDO; one created in EvtChildListCreateDevice is the framework's). */
    bool staticPdo = init->PdoData != NULL && init->PdoData->Child == NULL;
    object->NoDriverDelete = !init->Control && !staticPdo;
    if (init->PdoData != NULL) {
        init->PdoData->Static = staticPdo;
    }
    device->Control = init->Control;
    object->ExecutionLevel = FxResolveExecutionLevel(DeviceAttributes, &driver->Object);
    HosMutexInitOrdering(&device->Lock);
    HosMutexInit(&device->Policy.Transition);
    HosMutexInit(&device->Policy.Lock);
    HosCondInit(&device->Policy.Changed);
    /* "By default, the function driver is the power policy owner" (Power Policy Ownership);
       a filter or a control device is not, unless WdfDeviceInitSetPowerPolicyOwnership. */
    memcpy(device->Preprocess, init->Preprocess, sizeof(device->Preprocess));
    device->Policy.Owner = init->PowerPolicyOwnerSet ? init->PowerPolicyOwner : !init->Filter && !init->Control;
    FxListInit(&device->Queues);
    FxListInit(&device->Files);
    device->Pdo = init->Pdo;
    device->PnpPower = init->PnpPower;
    device->PowerPolicy = init->PowerPolicy;
    device->HasRequestAttributes = init->HasRequestAttributes;
    device->RequestAttributes = init->RequestAttributes;
    device->HasFileObjectConfig = init->HasFileObjectConfig;
    device->FileObjectConfig = init->FileObjectConfig;
    device->HasFileObjectAttributes = init->HasFileObjectAttributes;
    device->FileObjectAttributes = init->FileObjectAttributes;
    device->IoType = init->IoType == WdfDeviceIoUndefined ? WdfDeviceIoBuffered : init->IoType;
    device->EvtIoInCallerContext = init->EvtIoInCallerContext;
    WDF_DEVICE_STATE_INIT(&device->DeviceState);

    /* Synchronization scope Device: one lock for the callbacks of all of its queues. */
    if (FxDeviceScope(device) == WdfSynchronizationScopeDevice) {
        object->SyncLock = FxSyncLockCreate(object->ExecutionLevel == WdfExecutionLevelPassive);
        if (object->SyncLock == NULL) {
            FxPolicyDestroyLocks(device);
            HosMutexDestroy(&device->Lock);
            FxObjectFreeUninserted(object);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }

    PDEVICE_OBJECT fdo = NULL;
    status = IoCreateDevice(driver->DriverObject, sizeof(FX_DEVICE_EXTENSION),
                            init->DeviceName.Buffer != NULL ? &init->DeviceName : NULL,
                            init->DeviceType, init->Characteristics, init->Exclusive, &fdo);
    if (!NT_SUCCESS(status)) {
        FxSyncLockDelete(object->SyncLock);
        object->SyncLock = NULL;
        FxPolicyDestroyLocks(device);
        HosMutexDestroy(&device->Lock);
        FxObjectFreeUninserted(object);
        return status;
    }
    FX_DEVICE_EXTENSION *extension = fdo->DeviceExtension;
    extension->Magic = FX_EXTENSION_MAGIC;
    atomic_store(&extension->Device, device);
    device->Extension = extension;
    device->Fdo = fdo;
    if (device->IoType == WdfDeviceIoDirect) {
        fdo->Flags |= DO_DIRECT_IO;
    } else if (device->IoType != WdfDeviceIoNeither) {
        fdo->Flags |= DO_BUFFERED_IO;
    }
    if (init->PdoData != NULL) {
        /* A PDO is the bottom of its stack: it is its own physical device object. */
        device->Pdo = fdo;
        fdo->Flags |= DO_BUS_ENUMERATED_DEVICE | DO_POWER_PAGABLE;
    } else if (init->Pdo != NULL) {
        device->Lower = IoAttachDeviceToDeviceStack(fdo, init->Pdo);
        if (device->Lower == NULL) {
            atomic_store(&extension->Device, NULL);
            IoDeleteDevice(fdo);
            FxSyncLockDelete(object->SyncLock);
            object->SyncLock = NULL;
            FxPolicyDestroyLocks(device);
            HosMutexDestroy(&device->Lock);
            FxObjectFreeUninserted(object);
            return STATUS_NO_SUCH_DEVICE;
        }
    }
    device->Filter = init->Filter;
    if (!device->Control && !device->Filter) {
        if (init->PowerNotPageable) {
            fdo->Flags &= ~DO_POWER_PAGABLE;
        } else {
            fdo->Flags |= DO_POWER_PAGABLE;
        }
        if (init->PowerInrush) {
            fdo->Flags |= DO_POWER_INRUSH;
        }
    }
    if (init->DeviceName.Buffer != NULL) {
        /* The init's copy moves to the device (WdfDeviceCreateSymbolicLink links to it). */
        device->DeviceName = init->DeviceName;
        memset(&init->DeviceName, 0, sizeof(init->DeviceName));
    }
    if (device->Control) {
        /* A control device has no PnP or power states: it is usable at once, its queues
           are not power-managed ("Using Control Device Objects"), and it stays
           initializing (opens fail) until WdfControlFinishInitializing. */
        device->PnpState = FxPnpStarted;
        device->InD0 = true;
    }
    if (device->Filter && device->Lower != NULL) {
        /* A filter takes the I/O type and device type of the device it attaches to
           (WdfFdoInitSetFilter: the framework ignores WdfDeviceInitSetIoType then). */
        fdo->Flags &= ~(DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE);
        fdo->Flags |= device->Lower->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO | DO_POWER_PAGABLE);
        fdo->DeviceType = device->Lower->DeviceType;
        fdo->Characteristics |= device->Lower->Characteristics;
        device->IoType = (fdo->Flags & DO_DIRECT_IO)     ? WdfDeviceIoDirect
                         : (fdo->Flags & DO_BUFFERED_IO) ? WdfDeviceIoBuffered
                                                         : WdfDeviceIoNeither;
    }
    if (!device->Control) {
        fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    FxObjectInsert(object, &driver->Object);
    if (device->Lower != NULL) {
        status = FxIoTargetCreateDefault(device);
        if (!NT_SUCCESS(status)) {
            FxDeviceDeleteStack(device);
            return status;
        }
    }
    if (init->HasDefaultChildList) {
        status = FxChildListCreate(device, &init->DefaultChildListConfig,
                                   init->HasDefaultChildListAttributes ? &init->DefaultChildListAttributes : NULL,
                                   false, &device->DefaultChildList);
        if (!NT_SUCCESS(status)) {
            FxDeviceDeleteStack(device);
            return status;
        }
    }
    /* The PDO's data moves to the device. */
    device->PdoData = init->PdoData;
    init->PdoData = NULL;
    if (device->PdoData != NULL) {
        /* WdfRequestForwardToParentDeviceIoQueue (fxrequest.c) checks these. */
        device->AllowForwardingToParent = device->PdoData->ForwardToParent;
        device->ParentDevice = device->PdoData->Parent;
    }
    init->CreatedDevice = device;
    if (init->CreatedByFramework) {
        /* The framework frees its init when EvtDriverDeviceAdd returns. */
    } else {
        FxInitFree(init);
    }
    *DeviceInit = NULL;
    *Device = (WDFDEVICE)device;
    return STATUS_SUCCESS;
}

/* Deletes a device whose stack never started (EvtDriverDeviceAdd failed) or was removed. */
static void FxDeviceDeleteStack(FX_DEVICE *Device)
{
    PDEVICE_OBJECT fdo = Device->Fdo;
    PDEVICE_OBJECT lower = Device->Lower;
    HosMutexLock(&FxDeviceRefLock);
    atomic_store(&Device->Extension->Device, NULL);
    HosMutexUnlock(&FxDeviceRefLock);
    FxObjectDelete(&Device->Object);
    if (lower != NULL) {
        IoDetachDevice(lower);
    }
    IoDeleteDevice(fdo);
}

/*
 * The AddDevice routine: builds a WDFDEVICE_INIT and calls EvtDriverDeviceAdd. When
 * the callback fails, the framework deletes the device it may have created.
 */
NTSTATUS FxAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    FX_DRIVER *driver = FxDriverFromDriverObject(DriverObject);
    if (driver == NULL || driver->Config.EvtDriverDeviceAdd == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PWDFDEVICE_INIT init = calloc(1, sizeof(*init));
    if (init == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    init->Driver = driver;
    init->Pdo = PhysicalDeviceObject;
    init->DeviceType = FILE_DEVICE_UNKNOWN;
    init->IoType = WdfDeviceIoBuffered;
    init->CreatedByFramework = true;
    FX_CALLBACK_FRAME frame;
    FxCallbackEnter(&frame, driver, NULL, "EvtDriverDeviceAdd", driver);
    NTSTATUS status = driver->Config.EvtDriverDeviceAdd((WDFDRIVER)driver, init);
    FxCallbackLeave(&frame);
    FX_DEVICE *device = init->CreatedDevice;
    FxInitFree(init);
    if (!NT_SUCCESS(status) && device != NULL) {
        FxDeviceDeleteStack(device);
    }
    return status;
}

WDFAPI WDFQUEUE WdfDeviceGetDefaultQueue(WDFDEVICE Device)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceGetDefaultQueue");
    if (device == NULL) {
        return NULL;
    }
    HosMutexLock(&device->Lock);
    FX_QUEUE *queue = device->DefaultQueue;
    HosMutexUnlock(&device->Lock);
    return (WDFQUEUE)queue;
}

WDFAPI WDFDRIVER WdfDeviceGetDriver(WDFDEVICE Device)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceGetDriver");
    return device != NULL ? (WDFDRIVER)device->Object.Driver : NULL;
}

WDFAPI PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceWdmGetDeviceObject");
    return device != NULL ? device->Fdo : NULL;
}

WDFAPI PDEVICE_OBJECT WdfDeviceWdmGetAttachedDevice(WDFDEVICE Device)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceWdmGetAttachedDevice");
    return device != NULL ? device->Lower : NULL;
}

WDFAPI PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceWdmGetPhysicalDevice");
    return device != NULL ? device->Pdo : NULL;
}

WDFAPI WDFDEVICE WdfWdmDeviceGetWdfDeviceHandle(PDEVICE_OBJECT DeviceObject)
{
    return (WDFDEVICE)FxDeviceFromDeviceObject(DeviceObject);
}

/*
 * WdfDeviceConfigureRequestDispatching: requests of one type go to the given queue
 * instead of the default queue: create (presented to EvtIoDefault, with its new
 * WDFFILEOBJECT, fxfileobject.c), read, write, device control and internal device
 * control; STATUS_WDF_BUSY when the type has its queue already.
 */
WDFAPI NTSTATUS WdfDeviceConfigureRequestDispatching(WDFDEVICE Device, WDFQUEUE Queue,
                                                     WDF_REQUEST_TYPE RequestType)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice,
                                                        "WdfDeviceConfigureRequestDispatching");
    FX_QUEUE *queue =
        (FX_QUEUE *)FxObjectFromHandle(Queue, FxTypeQueue, "WdfDeviceConfigureRequestDispatching");
    if (device == NULL || queue == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (queue->Device != device) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (RequestType != WdfRequestTypeCreate && RequestType != WdfRequestTypeRead &&
        RequestType != WdfRequestTypeWrite && RequestType != WdfRequestTypeDeviceControl &&
        RequestType != WdfRequestTypeDeviceControlInternal) {
        return STATUS_INVALID_PARAMETER;
    }
    /* Create requests reach a queue only through its EvtIoDefault (there is no
       EvtIoCreate): a queue without one cannot take them. */
    if (RequestType == WdfRequestTypeCreate && queue->Config.EvtIoDefault == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    HosMutexLock(&device->Lock);
    if (device->Dispatch[RequestType] != NULL) {
        HosMutexUnlock(&device->Lock);
        return STATUS_WDF_BUSY;
    }
    device->Dispatch[RequestType] = queue;
    HosMutexUnlock(&device->Lock);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------ interfaces */

static bool FxSameReference(const UNICODE_STRING *A, PCUNICODE_STRING B)
{
    size_t lengthA = A->Buffer != NULL ? A->Length : 0;
    size_t lengthB = B != NULL && B->Buffer != NULL ? B->Length : 0;
    return lengthA == lengthB && (lengthA == 0 || memcmp(A->Buffer, B->Buffer, lengthA) == 0);
}

/*
 * Whether the PnP manager knows the device: an FDO always, a PDO once its bus has
 * reported it (KMDF's GetSafePhysicalDevice is NULL before that). Interface registration
 * and state invalidation wait for it. Read under the device's lock (FxPdoRegisterInterfaces
 * sets Known under it).
 */
static bool FxDeviceKnownToPnp(const FX_DEVICE *Device)
{
    return Device->PdoData == NULL || Device->PdoData->Known;
}

/*
 * WdfDeviceCreateDeviceInterface: registers the interface (IoRegisterDeviceInterface);
 * the framework enables it when the device starts and disables it on removal. A PDO
 * that the PnP manager does not know yet (created, not yet reported by its bus) has no
 * device node to register on: the interface is recorded and registered once the PnP
 * manager asks the PDO for its resource requirements, before it starts, as KMDF does
 * (a PDO may create its interfaces before WdfFdoAddStaticChild, "Creating Device
 * Objects in a Bus Driver"; FxPdoRegisterInterfaces).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicecreatedeviceinterface
 */
WDFAPI NTSTATUS WdfDeviceCreateDeviceInterface(WDFDEVICE Device, CONST GUID *InterfaceClassGUID,
                                               PCUNICODE_STRING ReferenceString)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceCreateDeviceInterface");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (InterfaceClassGUID == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FX_INTERFACE *entry = calloc(1, sizeof(*entry));
    if (entry == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    entry->Guid = *InterfaceClassGUID;
    if (ReferenceString != NULL && ReferenceString->Buffer != NULL) {
        entry->ReferenceString.Buffer = calloc(1, ReferenceString->Length + sizeof(WCHAR));
        if (entry->ReferenceString.Buffer == NULL) {
            free(entry);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memcpy(entry->ReferenceString.Buffer, ReferenceString->Buffer, ReferenceString->Length);
        entry->ReferenceString.Length = ReferenceString->Length;
        entry->ReferenceString.MaximumLength = (USHORT)(ReferenceString->Length + sizeof(WCHAR));
    }
    HosMutexLock(&device->Lock);
    bool pending = !FxDeviceKnownToPnp(device);
    if (pending) {
        /* Registered by FxPdoRegisterInterfaces when the PDO becomes known. */
        entry->Next = device->Interfaces;
        device->Interfaces = entry;
        HosMutexUnlock(&device->Lock);
        return STATUS_SUCCESS;
    }
    HosMutexUnlock(&device->Lock);
    if (device->Pdo == NULL) {
        /* A control device has no PDO to register an interface on. */
        free(entry->ReferenceString.Buffer);
        free(entry);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    NTSTATUS status = IoRegisterDeviceInterface(
        device->Pdo, InterfaceClassGUID,
        (PUNICODE_STRING)(entry->ReferenceString.Buffer != NULL ? &entry->ReferenceString : NULL),
        &entry->SymbolicLink);
    if (!NT_SUCCESS(status)) {
        free(entry->ReferenceString.Buffer);
        free(entry);
        return status;
    }
    HosMutexLock(&device->Lock);
    entry->Next = device->Interfaces;
    device->Interfaces = entry;
    bool started = device->PnpState == FxPnpStarted;
    HosMutexUnlock(&device->Lock);
    if (started) {
        entry->Enabled = NT_SUCCESS(IoSetDeviceInterfaceState(&entry->SymbolicLink, TRUE));
    }
    return STATUS_SUCCESS;
}

/*
 * IRP_MN_QUERY_RESOURCE_REQUIREMENTS reached a PDO: the PnP manager knows it now, so the
 * interfaces created before are registered on it. KMDF registers them again at every
 * such request (a registration that exists gives the same symbolic link).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-resource-requirements
 */
NTSTATUS FxPdoRegisterInterfaces(FX_DEVICE *Pdo)
{
    NTSTATUS status = STATUS_SUCCESS;
    /* Interfaces created from now on register themselves; those recorded before are
       registered here (the list only grows at its head, entries stay until the device
       is destroyed). */
    HosMutexLock(&Pdo->Lock);
    Pdo->PdoData->Known = true;
    FX_INTERFACE *recorded = Pdo->Interfaces;
    HosMutexUnlock(&Pdo->Lock);
    for (FX_INTERFACE *entry = recorded; entry != NULL; entry = entry->Next) {
        if (entry->SymbolicLink.Buffer != NULL) {
            RtlFreeUnicodeString(&entry->SymbolicLink);
            memset(&entry->SymbolicLink, 0, sizeof(entry->SymbolicLink));
        }
        status = IoRegisterDeviceInterface(
            Pdo->Pdo, &entry->Guid,
            entry->ReferenceString.Buffer != NULL ? &entry->ReferenceString : NULL,
            &entry->SymbolicLink);
        if (!NT_SUCCESS(status)) {
            memset(&entry->SymbolicLink, 0, sizeof(entry->SymbolicLink));
            break;
        }
    }
    return status;
}

WDFAPI VOID WdfDeviceSetDeviceInterfaceState(WDFDEVICE Device, CONST GUID *InterfaceClassGUID,
                                             PCUNICODE_STRING ReferenceString,
                                             BOOLEAN IsInterfaceEnabled)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetDeviceInterfaceState");
    if (device == NULL || InterfaceClassGUID == NULL) {
        return;
    }
    for (FX_INTERFACE *entry = device->Interfaces; entry != NULL; entry = entry->Next) {
        if (memcmp(&entry->Guid, InterfaceClassGUID, sizeof(GUID)) == 0 &&
            FxSameReference(&entry->ReferenceString, ReferenceString)) {
            if ((bool)IsInterfaceEnabled != entry->Enabled && entry->SymbolicLink.Buffer != NULL) {
                IoSetDeviceInterfaceState(&entry->SymbolicLink, IsInterfaceEnabled);
                entry->Enabled = IsInterfaceEnabled;
            }
        }
    }
}

/*
 * WdfDeviceRetrieveDeviceInterfaceString: the symbolic link name of the device's
 * interface of InterfaceClassGUID and ReferenceString (NULL: the one without) into
 * String. STATUS_OBJECT_NAME_NOT_FOUND when the device has no such interface,
 * STATUS_INVALID_DEVICE_REQUEST for a control device (it has none), at PASSIVE_LEVEL
 * only.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceretrievedeviceinterfacestring
 */
WDFAPI NTSTATUS WdfDeviceRetrieveDeviceInterfaceString(WDFDEVICE Device, CONST GUID *InterfaceClassGUID,
                                                       PCUNICODE_STRING ReferenceString, WDFSTRING String)
{
    const char *api = "WdfDeviceRetrieveDeviceInterfaceString";
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, api);
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (InterfaceClassGUID == NULL ||
        (ReferenceString != NULL && ReferenceString->Length != 0 && ReferenceString->Buffer == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(device->Object.Driver, "IRQL_TOO_HIGH_FOR_DDI", "%s at IRQL %u", api, (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (device->Control) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (FxObjectFromHandle(String, FxTypeString, api) == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    /* The list only grows while the device lives (new entries go to its head under the
       device lock), so it is read as WdfDeviceSetDeviceInterfaceState reads it. */
    HosMutexLock(&device->Lock);
    FX_INTERFACE *first = device->Interfaces;
    HosMutexUnlock(&device->Lock);
    for (FX_INTERFACE *entry = first; entry != NULL; entry = entry->Next) {
        if (memcmp(&entry->Guid, InterfaceClassGUID, sizeof(GUID)) == 0 &&
            FxSameReference(&entry->ReferenceString, ReferenceString)) {
            return FxStringSet(String, entry->SymbolicLink.Buffer, entry->SymbolicLink.Length, api);
        }
    }
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

/*
 * WdfDeviceRetrieveDeviceName: the name WdfDeviceInitAssignName gave the device object
 * into String; STATUS_INVALID_PARAMETER for a device without a name. PASSIVE_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceretrievedevicename
 */
WDFAPI NTSTATUS WdfDeviceRetrieveDeviceName(WDFDEVICE Device, WDFSTRING String)
{
    const char *api = "WdfDeviceRetrieveDeviceName";
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, api);
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(device->Object.Driver, "IRQL_TOO_HIGH_FOR_DDI", "%s at IRQL %u", api, (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (FxObjectFromHandle(String, FxTypeString, api) == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (device->DeviceName.Buffer == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxStringSet(String, device->DeviceName.Buffer, device->DeviceName.Length, api);
}

static void FxDeviceSetInterfaces(FX_DEVICE *Device, bool Enable)
{
    for (FX_INTERFACE *entry = Device->Interfaces; entry != NULL; entry = entry->Next) {
        if (entry->Enabled != Enable && entry->SymbolicLink.Buffer != NULL) {
            NTSTATUS status = IoSetDeviceInterfaceState(&entry->SymbolicLink, Enable);
            entry->Enabled = Enable && NT_SUCCESS(status);
        }
    }
}

/* ----------------------------------------------------------- PnP and power */

/* Calls a PnP/power callback that returns a status (PnP callbacks are not serialized
   with I/O callbacks by the synchronization scope). */
#define FX_CALL_STATUS(device, field, name, ...)                                                   \
    ({                                                                                             \
        NTSTATUS _s = STATUS_SUCCESS;                                                              \
        if ((device)->PnpPower.field != NULL) {                                                    \
            FX_CALLBACK_FRAME _f;                                                                  \
            FxCallbackEnter(&_f, (device)->Object.Driver, NULL, name, (device));                   \
            _s = (device)->PnpPower.field((WDFDEVICE)(device), ##__VA_ARGS__);                     \
            FxCallbackLeave(&_f);                                                                  \
        }                                                                                          \
        _s;                                                                                        \
    })

#define FX_CALL_VOID(device, field, name)                                                          \
    do {                                                                                           \
        if ((device)->PnpPower.field != NULL) {                                                    \
            FX_CALLBACK_FRAME _f;                                                                  \
            FxCallbackEnter(&_f, (device)->Object.Driver, NULL, name, (device));                   \
            (device)->PnpPower.field((WDFDEVICE)(device));                                         \
            FxCallbackLeave(&_f);                                                                  \
        }                                                                                          \
    } while (0)

/* Snapshot of the device's queues, referenced, for walking without the device lock. */
static size_t FxDeviceQueues(FX_DEVICE *Device, FX_QUEUE **Queues, size_t Max)
{
    size_t count = 0;
    HosMutexLock(&Device->Lock);
    for (FX_LINK *link = Device->Queues.Next; link != &Device->Queues && count < Max;
         link = link->Next) {
        FX_QUEUE *queue = FX_CONTAINING(link, FX_QUEUE, DeviceLink);
        FxObjectReference(&queue->Object);
        Queues[count++] = queue;
    }
    HosMutexUnlock(&Device->Lock);
    return count;
}

static void FxReleaseQueues(FX_QUEUE **Queues, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        FxObjectDereference(&Queues[i]->Object);
    }
}

#define FX_MAX_QUEUES 64

static void FxDevicePowerQueues(FX_DEVICE *Device, bool Start, bool Wait)
{
    FX_QUEUE *queues[FX_MAX_QUEUES];
    size_t count = FxDeviceQueues(Device, queues, FX_MAX_QUEUES);
    for (size_t i = 0; i < count; i++) {
        if (!queues[i]->PowerManaged) {
            continue;
        }
        if (Start) {
            FxQueuePowerStart(queues[i]);
        } else {
            FxQueuePowerStop(queues[i]);
        }
    }
    if (!Start && Wait) {
        /* "The framework does not allow the device to leave its working state until all
           I/O requests that it has delivered from a power-managed queue have been
           completed, canceled, or postponed" (Using Power-Managed I/O Queues). */
        for (size_t i = 0; i < count; i++) {
            if (queues[i]->PowerManaged) {
                /* "When the device leaves D0 the framework calls EvtIoStop once for every
                   request the driver has not completed" (same page). */
                FxQueueStopOwned(queues[i], WdfRequestStopActionSuspend);
            }
        }
        for (size_t i = 0; i < count; i++) {
            if (queues[i]->PowerManaged &&
                !FxQueueWaitDriverIdle(queues[i], FX_SAFETY_TIMEOUT_NS, true)) {
                FxReport(Device->Object.Driver, "QUEUE_STOP_TIMED_OUT",
                         "requests delivered from power-managed WDFQUEUE %p were not completed "
                         "while device %p powered down",
                         (void *)queues[i], (void *)Device);
            }
        }
    }
    FxReleaseQueues(queues, count);
}

static NTSTATUS FxDeviceStart(FX_DEVICE *Device)
{
    if (Device->PnpState != FxPnpAdded) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    /* EvtDevicePrepareHardware and EvtDeviceReleaseHardware receive the device's raw
       and translated resource lists: empty, as the root bus assigns no hardware
       resources (fxresource.c). The device keeps them until it is deleted. */
    NTSTATUS status = STATUS_SUCCESS;
    if (Device->ResourcesRaw == NULL) {
        status = FxCmResListCreateForDevice(&Device->Object, &Device->ResourcesRaw);
    }
    if (NT_SUCCESS(status) && Device->ResourcesTranslated == NULL) {
        status = FxCmResListCreateForDevice(&Device->Object, &Device->ResourcesTranslated);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* The default I/O target is usable from EvtDevicePrepareHardware on. */
    FxIoTargetDeviceStarted(Device);
    status = FX_CALL_STATUS(Device, EvtDevicePrepareHardware, "EvtDevicePrepareHardware",
                            Device->ResourcesRaw, Device->ResourcesTranslated);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    Device->HardwarePrepared = true;
    status = FX_CALL_STATUS(Device, EvtDeviceD0Entry, "EvtDeviceD0Entry", WdfPowerDeviceD3Final);
    if (NT_SUCCESS(status)) {
        status = FX_CALL_STATUS(Device, EvtDeviceD0EntryPostInterruptsEnabled,
                                "EvtDeviceD0EntryPostInterruptsEnabled", WdfPowerDeviceD3Final);
        if (!NT_SUCCESS(status)) {
            (void)FX_CALL_STATUS(Device, EvtDeviceD0Exit, "EvtDeviceD0Exit", WdfPowerDeviceD3Final);
        }
    }
    if (!NT_SUCCESS(status)) {
        (void)FX_CALL_STATUS(Device, EvtDeviceReleaseHardware, "EvtDeviceReleaseHardware",
                             Device->ResourcesTranslated);
        Device->HardwarePrepared = false;
        return status;
    }
    Device->InD0 = true;
    FxDevicePowerQueues(Device, true, false);
    status = FX_CALL_STATUS(Device, EvtDeviceSelfManagedIoInit, "EvtDeviceSelfManagedIoInit");
    Device->SelfManagedIoInitialized = true;
    if (!NT_SUCCESS(status)) {
        /* A failed start: the framework tears the device down as on removal. */
        FxDevicePowerQueues(Device, false, false);
        (void)FX_CALL_STATUS(Device, EvtDeviceD0ExitPreInterruptsDisabled,
                             "EvtDeviceD0ExitPreInterruptsDisabled", WdfPowerDeviceD3Final);
        (void)FX_CALL_STATUS(Device, EvtDeviceD0Exit, "EvtDeviceD0Exit", WdfPowerDeviceD3Final);
        Device->InD0 = false;
        (void)FX_CALL_STATUS(Device, EvtDeviceReleaseHardware, "EvtDeviceReleaseHardware",
                             Device->ResourcesTranslated);
        Device->HardwarePrepared = false;
        FX_CALL_VOID(Device, EvtDeviceSelfManagedIoFlush, "EvtDeviceSelfManagedIoFlush");
        FX_CALL_VOID(Device, EvtDeviceSelfManagedIoCleanup, "EvtDeviceSelfManagedIoCleanup");
        Device->SelfManagedIoInitialized = false;
        return status;
    }
    HosMutexLock(&Device->Lock);
    Device->PnpState = FxPnpStarted;
    HosMutexUnlock(&Device->Lock);
    FxDeviceSetInterfaces(Device, true);
    FxPolicyDeviceStarted(Device);
    status = FxPolicyPoFxRegister(Device);
    if (!NT_SUCCESS(status)) {
        HosMutexLock(&Device->Policy.Lock);
        Device->Policy.Started = false;
        HosMutexUnlock(&Device->Policy.Lock);
        return status;
    }
    /* "The framework calls EvtChildListScanForChildren ... each time the parent device
       enters its working (D0) state." */
    FxChildListsScan(Device);
    FxWmiDeviceStarted(Device);
    return STATUS_SUCCESS;
}

/* Leaves D0 for Target (D3 when the system sleeps, the idle state when idle). */
static NTSTATUS FxDevicePowerDown(FX_DEVICE *Device, WDF_POWER_DEVICE_STATE Target)
{
    if (!Device->InD0) {
        return STATUS_SUCCESS;
    }
    NTSTATUS status = STATUS_SUCCESS;
    if (Device->SelfManagedIoInitialized) {
        status =
            FX_CALL_STATUS(Device, EvtDeviceSelfManagedIoSuspend, "EvtDeviceSelfManagedIoSuspend");
    }
    FxDevicePowerQueues(Device, false, true);
    /* Leaving D0 stops the default target; what it sent stays pending below. */
    FxIoTargetDeviceStopping(Device, false);
    (void)FX_CALL_STATUS(Device, EvtDeviceD0ExitPreInterruptsDisabled,
                         "EvtDeviceD0ExitPreInterruptsDisabled", Target);
    (void)FX_CALL_STATUS(Device, EvtDeviceD0Exit, "EvtDeviceD0Exit", Target);
    Device->InD0 = false;
    return status;
}

/* Returns to D0 from Previous, the state the device was in. */
static NTSTATUS FxDevicePowerUp(FX_DEVICE *Device, WDF_POWER_DEVICE_STATE Previous)
{
    if (Device->InD0 || Device->PnpState != FxPnpStarted) {
        return STATUS_SUCCESS;
    }
    NTSTATUS status =
        FX_CALL_STATUS(Device, EvtDeviceD0Entry, "EvtDeviceD0Entry", Previous);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FX_CALL_STATUS(Device, EvtDeviceD0EntryPostInterruptsEnabled,
                            "EvtDeviceD0EntryPostInterruptsEnabled", Previous);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    Device->InD0 = true;
    FxIoTargetDeviceStarted(Device);
    HosMutexLock(&Device->Policy.Lock);
    /* Under PoFx the power-managed queues wait for component 0's active condition. */
    bool holdQueues = Device->Policy.PoHandle != NULL && !Device->Policy.ComponentActive;
    HosMutexUnlock(&Device->Policy.Lock);
    if (!holdQueues) {
        FxDevicePowerQueues(Device, true, false);
    }
    if (Device->SelfManagedIoInitialized) {
        status =
            FX_CALL_STATUS(Device, EvtDeviceSelfManagedIoRestart, "EvtDeviceSelfManagedIoRestart");
    }
    return status;
}

/* ------------------------------------------------------------ power policy: S0 idle */

/*
 * The idle policy of "Supporting Idle Power-Down" (learn.microsoft.com, wdf): once the
 * device has been idle (no StopIdle reference, no request in a power-managed queue) for
 * IdleTimeout milliseconds, the framework takes it to DxState (EvtDeviceSelfManagedIoSuspend,
 * power-managed queues stopped, EvtDeviceD0ExitPreInterruptsDisabled and EvtDeviceD0Exit
 * with DxState as the target); a request arriving at a power-managed queue or
 * WdfDeviceStopIdle brings it back (EvtDeviceD0Entry with DxState as the previous state,
 * queues restarted, EvtDeviceSelfManagedIoRestart) before the request is presented.
 * A device that is the power policy owner and has an idle policy gets one thread that runs
 * these transitions at PASSIVE_LEVEL; the idle time-out is a timer of src/os.
 */

/* The WDF state the idle policy leaves D0 for (DxState; PowerDeviceMaximum: the deepest
   state that can still wake the device, which on the host's buses is D3). */
static WDF_POWER_DEVICE_STATE FxPolicyIdleTarget(FX_POWER_POLICY *Policy)
{
    switch (Policy->Idle.DxState) {
    case PowerDeviceD1:
        return WdfPowerDeviceD1;
    case PowerDeviceD2:
        return WdfPowerDeviceD2;
    default:
        return WdfPowerDeviceD3;
    }
}

/* Under Policy->Lock: starts the idle period when nothing holds the device in D0. */
static void FxPolicyArmLocked(FX_POWER_POLICY *Policy)
{
    if (Policy->Timer == NULL || !Policy->IdleEnabled || !Policy->Started || Policy->SystemSleeping ||
        Policy->IdleInDx || Policy->PoweringDown || Policy->References > 0 || Policy->PoFxAssigned) {
        /* Under PoFx, PoFx decides when the device's power is not required. */
        return;
    }
    uint64_t timeoutNs = (uint64_t)Policy->Idle.IdleTimeout * 1000ull * 1000ull;
    Policy->IdleDueNs = HosNowNs() + timeoutNs;
    Policy->TimerDue = false;
    HosTimerSet(Policy->Timer, timeoutNs, 0);
}

static void FxPolicyTimerRoutine(void *Context)
{
    FX_DEVICE *device = Context;
    HosMutexLock(&device->Policy.Lock);
    device->Policy.TimerDue = true;
    HosCondBroadcast(&device->Policy.Changed);
    HosMutexUnlock(&device->Policy.Lock);
}

/* The policy thread: idle power-down when the time-out ends, power-up when wanted. */
static void FxPolicyThread(void *Context)
{
    FX_DEVICE *device = Context;
    FX_POWER_POLICY *policy = &device->Policy;
    HosMutexLock(&policy->Lock);
    while (!policy->Stop) {
        if (policy->PoFxPowerRequiredPending && !policy->IdleInDx && !policy->PoweringDown) {
            /* The device is in D0 again (or never left): answer PoFx. */
            policy->PoFxPowerRequiredPending = false;
            POHANDLE handle = policy->PoHandle;
            HosMutexUnlock(&policy->Lock);
            PoFxReportDevicePoweredOn(handle);
            HosMutexLock(&policy->Lock);
            continue;
        }
        if (policy->PoFxNotRequiredPending && !policy->TimerDue && !policy->PoweringDown) {
            policy->PoFxNotRequiredPending = false;
            POHANDLE handle = policy->PoHandle;
            HosMutexUnlock(&policy->Lock);
            PoFxCompleteDevicePowerNotRequired(handle);
            HosMutexLock(&policy->Lock);
            continue;
        }
        if (policy->QueueChangeWanted && !policy->IdleInDx && !policy->PoweringDown) {
            policy->QueueChangeWanted = false;
            bool start = policy->ComponentActive;
            HosMutexUnlock(&policy->Lock);
            HosMutexLock(&policy->Transition);
            if (device->InD0) {
                FxDevicePowerQueues(device, start, false);
            }
            HosMutexUnlock(&policy->Transition);
            HosMutexLock(&policy->Lock);
            continue;
        }
        if (policy->PowerUpWanted && policy->IdleInDx && policy->Started && !policy->SystemSleeping) {
            policy->PowerUpWanted = false;
            WDF_POWER_DEVICE_STATE previous = policy->IdleState;
            HosMutexUnlock(&policy->Lock);
            HosMutexLock(&policy->Transition);
            NTSTATUS status = FxDevicePowerUp(device, previous);
            /* The state is published before the next transition can begin. */
            HosMutexLock(&policy->Lock);
            HosMutexUnlock(&policy->Transition);
            policy->IdleInDx = false;
            policy->PowerUpFailed = !NT_SUCCESS(status);
            HosCondBroadcast(&policy->Changed);
            FxPolicyArmLocked(policy);
            continue;
        }
        if (policy->TimerDue) {
            policy->TimerDue = false;
            if (policy->IdleEnabled && policy->Started && !policy->SystemSleeping && !policy->IdleInDx &&
                policy->References == 0 && HosNowNs() >= policy->IdleDueNs) {
                policy->PoweringDown = true;
                policy->PowerUpWanted = false;
                WDF_POWER_DEVICE_STATE target = FxPolicyIdleTarget(policy);
                policy->IdleState = target;
                HosMutexUnlock(&policy->Lock);
                HosMutexLock(&policy->Transition);
                bool wasInD0 = device->InD0;
                (void)FxDevicePowerDown(device, target);
                HosMutexLock(&policy->Lock);
                policy->PoweringDown = false;
                policy->IdleInDx = wasInD0 && !device->InD0;
                HosMutexUnlock(&policy->Transition);
                if (policy->IdleInDx) {
                    policy->IdlePowerDowns++;
                    /* A reference that came meanwhile (without PoFx, which asks itself), or
                       idle power-down disabled meanwhile, brings the device straight back. */
                    if ((policy->References > 0 && policy->PoHandle == NULL) || !policy->IdleEnabled) {
                        policy->PowerUpWanted = true;
                    }
                }
                HosCondBroadcast(&policy->Changed);
                FxPolicyArmLocked(policy);
            }
            continue;
        }
        HosCondWait(&policy->Changed, &policy->Lock);
    }
    HosMutexUnlock(&policy->Lock);
}

/* Takes a power reference: the device stays in (or returns to) D0. */
static void FxPolicyReferenceLocked(FX_POWER_POLICY *Policy)
{
    if (Policy->References++ == 0) {
        if (Policy->PoHandle != NULL) {
            /* The framework's power reference is component 0's activation reference. */
            PoFxActivateComponent(Policy->PoHandle, 0, 0);
        }
        if (Policy->Timer != NULL) {
            HosTimerCancel(Policy->Timer, false);
        }
        Policy->TimerDue = false;
        if ((Policy->IdleInDx || Policy->PoweringDown) && Policy->PoHandle == NULL) {
            /* (Under PoFx the device returns when PoFx says its power is required.) */
            Policy->PowerUpWanted = true;
            HosCondBroadcast(&Policy->Changed);
        }
    }
}

static void FxPolicyDereferenceLocked(FX_POWER_POLICY *Policy)
{
    if (Policy->References > 0 && --Policy->References == 0) {
        if (Policy->PoHandle != NULL) {
            PoFxIdleComponent(Policy->PoHandle, 0, 0);
        }
        FxPolicyArmLocked(Policy);
    }
}

void FxDevicePowerReference(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Policy.Lock);
    FxPolicyReferenceLocked(&Device->Policy);
    HosMutexUnlock(&Device->Policy.Lock);
}

void FxDevicePowerDereference(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Policy.Lock);
    FxPolicyDereferenceLocked(&Device->Policy);
    HosMutexUnlock(&Device->Policy.Lock);
}


/* ------------------------------------------------------------ power policy: PoFx */

/*
 * A device with power framework settings (WdfDeviceWdmAssignPowerFrameworkSettings) is
 * registered with PoFx when it starts, after EvtDeviceSelfManagedIoInit, with one
 * component (the driver's, or F0 only); EvtDeviceWdmPostPoFxRegisterDevice follows, then
 * PoFxStartDevicePowerManagement. The framework's power reference (StopIdle, requests in
 * power-managed queues) is component 0's activation reference; PoFx's
 * DevicePowerNotRequiredCallback takes the device to its idle Dx state and
 * DevicePowerRequiredCallback back to D0 ("Supporting Functional Power States",
 * learn.microsoft.com, wdf). At removal EvtDeviceWdmPrePoFxUnregisterDevice, then
 * PoFxUnregisterDevice.
 */
/* Component 0's condition: the power-managed queues run only while it is active. */
static void FxPoFxComponentCondition(FX_DEVICE *Device, ULONG Component, bool Active)
{
    if (Component != 0) {
        return;
    }
    FX_POWER_POLICY *policy = &Device->Policy;
    HosMutexLock(&policy->Lock);
    policy->ComponentActive = Active;
    policy->QueueChangeWanted = true;
    HosCondBroadcast(&policy->Changed);
    HosMutexUnlock(&policy->Lock);
}

static void FxPoFxActiveCondition(PVOID Context, ULONG Component)
{
    FX_DEVICE *device = Context;
    if (device->Policy.PoFx.ComponentActiveConditionCallback != NULL) {
        device->Policy.PoFx.ComponentActiveConditionCallback(device->Policy.PoFx.PoFxDeviceContext, Component);
    }
    FxPoFxComponentCondition(device, Component, true);
}

static void FxPoFxIdleCondition(PVOID Context, ULONG Component)
{
    FX_DEVICE *device = Context;
    FxPoFxComponentCondition(device, Component, false);
    if (device->Policy.PoFx.ComponentIdleConditionCallback != NULL) {
        device->Policy.PoFx.ComponentIdleConditionCallback(device->Policy.PoFx.PoFxDeviceContext, Component);
    } else {
        PoFxCompleteIdleCondition(device->Policy.PoHandle, Component);
    }
}

static void FxPoFxIdleState(PVOID Context, ULONG Component, ULONG State)
{
    FX_DEVICE *device = Context;
    if (device->Policy.PoFx.ComponentIdleStateCallback != NULL) {
        device->Policy.PoFx.ComponentIdleStateCallback(device->Policy.PoFx.PoFxDeviceContext, Component, State);
    } else {
        PoFxCompleteIdleState(device->Policy.PoHandle, Component);
    }
}

static NTSTATUS FxPoFxPowerControl(PVOID Context, LPCGUID Code, PVOID In, SIZE_T InSize, PVOID Out,
                                   SIZE_T OutSize, PSIZE_T Returned)
{
    FX_DEVICE *device = Context;
    if (device->Policy.PoFx.PowerControlCallback == NULL) {
        return STATUS_NOT_SUPPORTED;
    }
    return device->Policy.PoFx.PowerControlCallback(device->Policy.PoFx.PoFxDeviceContext, Code, In, InSize, Out,
                                                    OutSize, Returned);
}

static void FxPoFxPowerNotRequired(PVOID Context)
{
    FX_DEVICE *device = Context;
    FX_POWER_POLICY *policy = &device->Policy;
    HosMutexLock(&policy->Lock);
    policy->PoFxNotRequiredPending = true;
    policy->TimerDue = true;
    policy->IdleDueNs = 0;
    HosCondBroadcast(&policy->Changed);
    HosMutexUnlock(&policy->Lock);
}

static void FxPoFxPowerRequired(PVOID Context)
{
    FX_DEVICE *device = Context;
    FX_POWER_POLICY *policy = &device->Policy;
    HosMutexLock(&policy->Lock);
    policy->PoFxPowerRequiredPending = true;
    if (policy->IdleInDx || policy->PoweringDown) {
        policy->PowerUpWanted = true;
    }
    HosCondBroadcast(&policy->Changed);
    HosMutexUnlock(&policy->Lock);
}

static NTSTATUS FxPolicyPoFxRegister(FX_DEVICE *Device)
{
    FX_POWER_POLICY *policy = &Device->Policy;
    if (!policy->PoFxAssigned) {
        return STATUS_SUCCESS;
    }
    PO_FX_DEVICE fx;
    memset(&fx, 0, sizeof(fx));
    fx.Version = PO_FX_VERSION_V1;
    fx.ComponentCount = 1;
    fx.ComponentActiveConditionCallback = FxPoFxActiveCondition;
    fx.ComponentIdleConditionCallback = FxPoFxIdleCondition;
    fx.ComponentIdleStateCallback = FxPoFxIdleState;
    fx.DevicePowerRequiredCallback = FxPoFxPowerRequired;
    fx.DevicePowerNotRequiredCallback = FxPoFxPowerNotRequired;
    fx.PowerControlCallback = FxPoFxPowerControl;
    fx.DeviceContext = Device;
    fx.Components[0] = policy->PoFxComponent;
    POHANDLE handle = NULL;
    NTSTATUS status = PoFxRegisterDevice(Device->Pdo != NULL ? Device->Pdo : Device->Fdo, &fx, &handle);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    HosMutexLock(&policy->Lock);
    policy->PoHandle = handle;
    policy->ComponentActive = true; /* every component is active after PoFxRegisterDevice */
    if (policy->References > 0) {
        PoFxActivateComponent(handle, 0, 0);
    }
    HosMutexUnlock(&policy->Lock);
    if (policy->PoFx.EvtDeviceWdmPostPoFxRegisterDevice != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, Device->Object.Driver, NULL, "EvtDeviceWdmPostPoFxRegisterDevice", Device);
        status = policy->PoFx.EvtDeviceWdmPostPoFxRegisterDevice((WDFDEVICE)Device, handle);
        FxCallbackLeave(&frame);
        if (!NT_SUCCESS(status)) {
            HosMutexLock(&policy->Lock);
            policy->PoHandle = NULL;
            HosMutexUnlock(&policy->Lock);
            PoFxUnregisterDevice(handle);
            return status;
        }
    }
    PoFxStartDevicePowerManagement(handle);
    return STATUS_SUCCESS;
}

static void FxPolicyPoFxUnregister(FX_DEVICE *Device)
{
    FX_POWER_POLICY *policy = &Device->Policy;
    HosMutexLock(&policy->Lock);
    POHANDLE handle = policy->PoHandle;
    HosMutexUnlock(&policy->Lock);
    if (handle == NULL) {
        return;
    }
    if (policy->PoFx.EvtDeviceWdmPrePoFxUnregisterDevice != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, Device->Object.Driver, NULL, "EvtDeviceWdmPrePoFxUnregisterDevice", Device);
        policy->PoFx.EvtDeviceWdmPrePoFxUnregisterDevice((WDFDEVICE)Device, handle);
        FxCallbackLeave(&frame);
    }
    /* No PoFx callback runs once PoFxUnregisterDevice returns; the handle goes after it,
       so that a callback still running may use it. */
    PoFxUnregisterDevice(handle);
    HosMutexLock(&policy->Lock);
    policy->PoHandle = NULL;
    policy->PoFxNotRequiredPending = false;
    policy->PoFxPowerRequiredPending = false;
    HosMutexUnlock(&policy->Lock);
}

/* The device started: the first idle period begins. */
static void FxPolicyDeviceStarted(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Policy.Lock);
    Device->Policy.Started = true;
    FxPolicyArmLocked(&Device->Policy);
    HosMutexUnlock(&Device->Policy.Lock);
}

/* The device is being removed (or deleted): the policy thread and the timer end, and a
   StopIdle(WaitForD0 = TRUE) that waits gives up. Transitions after this are PnP's. */
static void FxPolicyShutdown(FX_DEVICE *Device)
{
    FX_POWER_POLICY *policy = &Device->Policy;
    FxPolicyPoFxUnregister(Device);
    HosMutexLock(&policy->Lock);
    policy->Started = false;
    policy->Stop = true;
    HOS_THREAD *thread = policy->Thread;
    HOS_TIMER *timer = policy->Timer;
    policy->Thread = NULL;
    policy->Timer = NULL;
    HosCondBroadcast(&policy->Changed);
    HosMutexUnlock(&policy->Lock);
    if (thread != NULL) {
        HosThreadJoin(thread);
    }
    if (timer != NULL) {
        HosTimerDelete(timer);
    }
}

/* IRP_MN_SET_POWER for Dx from the system (KmdfHostSuspendDevice): the idle timer stops; a
   device that idled to Dx already stays there. */
static NTSTATUS FxPolicySystemSleep(FX_DEVICE *Device)
{
    FX_POWER_POLICY *policy = &Device->Policy;
    HosMutexLock(&policy->Lock);
    policy->SystemSleeping = true;
    policy->TimerDue = false;
    if (policy->Timer != NULL) {
        HosTimerCancel(policy->Timer, false);
    }
    HosMutexUnlock(&policy->Lock);
    HosMutexLock(&policy->Transition);
    NTSTATUS status = FxDevicePowerDown(Device, WdfPowerDeviceD3);
    HosMutexUnlock(&policy->Transition);
    return status;
}

/*
 * IRP_MN_SET_POWER for D0 from the system. A device that had idled to Dx before the system
 * slept stays in Dx until it is needed, unless PowerUpIdleDeviceOnSystemWake is WdfTrue
 * (WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS); any other device returns to D0.
 */
static NTSTATUS FxPolicySystemWake(FX_DEVICE *Device)
{
    FX_POWER_POLICY *policy = &Device->Policy;
    HosMutexLock(&policy->Transition);
    HosMutexLock(&policy->Lock);
    bool stayIdle = policy->IdleInDx && policy->References == 0 &&
                    policy->Idle.PowerUpIdleDeviceOnSystemWake != WdfTrue;
    WDF_POWER_DEVICE_STATE previous = policy->IdleInDx ? policy->IdleState : WdfPowerDeviceD3;
    HosMutexUnlock(&policy->Lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (!stayIdle) {
        status = FxDevicePowerUp(Device, previous);
    }
    HosMutexLock(&policy->Lock);
    HosMutexUnlock(&policy->Transition);
    policy->SystemSleeping = false;
    if (!stayIdle) {
        policy->IdleInDx = false;
        policy->PowerUpWanted = false;
    }
    HosCondBroadcast(&policy->Changed);
    FxPolicyArmLocked(policy);
    HosMutexUnlock(&policy->Lock);
    return status;
}

/* Purges every queue of the device (removal and surprise removal). */
static void FxDevicePurgeQueues(FX_DEVICE *Device)
{
    FX_QUEUE *queues[FX_MAX_QUEUES];
    size_t count = FxDeviceQueues(Device, queues, FX_MAX_QUEUES);
    for (size_t i = 0; i < count; i++) {
        FxQueuePurgeInternal(queues[i]);
    }
    FxReleaseQueues(queues, count);
}

/*
 * Surprise removal, or removal of a device that was not surprise-removed. "A User
 * Unplugs a Device" gives two different orders:
 *   orderly removal:  EvtDeviceSelfManagedIoSuspend, then the power-managed queues are
 *                     stopped, EvtDeviceD0ExitPreInterruptsDisabled, EvtDeviceD0Exit ...
 *   surprise removal: EvtDeviceSurpriseRemoval first; then, if the device was in D0,
 *                     the power-managed queues are stopped and only then
 *                     EvtDeviceSelfManagedIoSuspend is called; EvtDeviceD0Exit ...
 */
static void FxDeviceTeardown(FX_DEVICE *Device, bool Surprise)
{
    /* The idle policy ends first: no idle transition races the removal. A device that had
       idled to Dx is not in D0, so it gets no second EvtDeviceD0Exit. */
    FxPolicyShutdown(Device);
    bool wasInD0 = Device->InD0;
    FxWmiDeviceStopping(Device);
    FxDeviceSetInterfaces(Device, false);
    FxDeviceDeleteSymbolicLink(Device);
    if (Surprise) {
        FX_CALL_VOID(Device, EvtDeviceSurpriseRemoval, "EvtDeviceSurpriseRemoval");
        FxDevicePurgeQueues(Device);
        FxIoTargetDeviceStopping(Device, true);
    }
    if (wasInD0 && Device->SelfManagedIoInitialized) {
        (void)FX_CALL_STATUS(Device, EvtDeviceSelfManagedIoSuspend,
                             "EvtDeviceSelfManagedIoSuspend");
    }
    if (!Surprise) {
        FxDevicePurgeQueues(Device);
    }
    if (wasInD0) {
        (void)FX_CALL_STATUS(Device, EvtDeviceD0ExitPreInterruptsDisabled,
                             "EvtDeviceD0ExitPreInterruptsDisabled", WdfPowerDeviceD3Final);
        (void)FX_CALL_STATUS(Device, EvtDeviceD0Exit, "EvtDeviceD0Exit", WdfPowerDeviceD3Final);
        Device->InD0 = false;
    }
    if (Device->HardwarePrepared) {
        (void)FX_CALL_STATUS(Device, EvtDeviceReleaseHardware, "EvtDeviceReleaseHardware",
                             Device->ResourcesTranslated);
        Device->HardwarePrepared = false;
    }
    if (Device->SelfManagedIoInitialized) {
        FX_CALL_VOID(Device, EvtDeviceSelfManagedIoFlush, "EvtDeviceSelfManagedIoFlush");
        FX_CALL_VOID(Device, EvtDeviceSelfManagedIoCleanup, "EvtDeviceSelfManagedIoCleanup");
        Device->SelfManagedIoInitialized = false;
    }
}

/* How long removal waits for the driver to finish requests that purging cancelled. */
#define FX_REMOVE_WAIT_NS (2ull * 1000 * 1000 * 1000)

static void FxDeviceRemove(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Lock);
    FX_PNP_STATE state = Device->PnpState;
    Device->PnpState = FxPnpRemoved;
    HosMutexUnlock(&Device->Lock);
    if (state != FxPnpSurpriseRemoved) {
        FxDeviceTeardown(Device, false);
    }
    FxDeviceDeleteSymbolicLink(Device);
    /* The default target goes: what the driver sent is cancelled and waited for, so
       that requests it forwarded come back to it before the queues must be idle. */
    FxIoTargetDeviceRemoved(Device);
    FX_QUEUE *queues[FX_MAX_QUEUES];
    size_t count = FxDeviceQueues(Device, queues, FX_MAX_QUEUES);
    for (size_t i = 0; i < count; i++) {
        if (!FxQueueWaitDriverIdle(queues[i], FX_REMOVE_WAIT_NS, false)) {
            ULONG pending = FxQueueAbandonOwned(queues[i]);
            FxReport(Device->Object.Driver, "REQUEST_PENDING_AT_REMOVE",
                     "%lu request(s) of WDFQUEUE %p still owned by the driver when device %p was "
                     "removed; the framework completed them with STATUS_CANCELLED",
                     (unsigned long)pending, (void *)queues[i], (void *)Device);
        }
    }
    FxReleaseQueues(queues, count);
}

/* Completion routine of an IRP sent down synchronously. */
static NTSTATUS FxSignalCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS FxForwardSynchronously(FX_DEVICE *Device, PIRP Irp)
{
    if (Device->Lower == NULL) {
        return STATUS_SUCCESS;
    }
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FxSignalCompletion, &event, TRUE, TRUE, TRUE);
    NTSTATUS status = IoCallDriver(Device->Lower, Irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    }
    return Irp->IoStatus.Status;
}

NTSTATUS FxDeviceForwardIrp(FX_DEVICE *Device, PIRP Irp)
{
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(Device->Lower, Irp);
}

static NTSTATUS FxForward(FX_DEVICE *Device, PIRP Irp)
{
    if (Device->Lower == NULL) {
        NTSTATUS status = Irp->IoStatus.Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(Device->Lower, Irp);
}

/* PNP_DEVICE_STATE flags: WdfTrue sets a flag, WdfFalse clears it, WdfUseDefault leaves it. */
static ULONG FxDevicePnpState(FX_DEVICE *Device, ULONG Flags)
{
    static const struct {
        size_t Offset;
        ULONG Flag;
    } map[] = {
        {offsetof(WDF_DEVICE_STATE, Disabled), PNP_DEVICE_DISABLED},
        {offsetof(WDF_DEVICE_STATE, DontDisplayInUI), PNP_DEVICE_DONT_DISPLAY_IN_UI},
        {offsetof(WDF_DEVICE_STATE, Failed), PNP_DEVICE_FAILED},
        {offsetof(WDF_DEVICE_STATE, NotDisableable), PNP_DEVICE_NOT_DISABLEABLE},
        {offsetof(WDF_DEVICE_STATE, Removed), PNP_DEVICE_REMOVED},
        {offsetof(WDF_DEVICE_STATE, ResourcesChanged), PNP_DEVICE_RESOURCE_REQUIREMENTS_CHANGED},
    };
    HosMutexLock(&Device->Lock);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        WDF_TRI_STATE value = *(WDF_TRI_STATE *)((char *)&Device->DeviceState + map[i].Offset);
        if (value == WdfTrue) {
            Flags |= map[i].Flag;
        } else if (value == WdfFalse) {
            Flags &= ~map[i].Flag;
        }
    }
    HosMutexUnlock(&Device->Lock);
    return Flags;
}

static NTSTATUS FxRemovalRelationsAnswer(FX_DEVICE *Device, PIRP Irp);

static NTSTATUS FxDispatchPnp(FX_DEVICE *Device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    if (Device->PdoData != NULL && FxPdoDispatchPnp(Device, Irp, &status)) {
        return status;
    }
    switch (stack->MinorFunction) {
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == BusRelations && Device->ChildLists != NULL) {
            /* A bus: its children's PDOs, then down the stack ("Dynamic Enumeration"). */
            status = FxChildListsBusRelations(Device, Irp);
            Irp->IoStatus.Status = status;
            if (!NT_SUCCESS(status)) {
                IoCompleteRequest(Irp, IO_NO_INCREMENT);
                return status;
            }
        } else if (stack->Parameters.QueryDeviceRelations.Type == RemovalRelations) {
            /* WdfDeviceAddRemovalRelationsPhysicalDevice's devices, added to those of
               the drivers above, then down the stack. */
            status = FxRemovalRelationsAnswer(Device, Irp);
            if (status != STATUS_NOT_SUPPORTED) {
                Irp->IoStatus.Status = status;
                if (!NT_SUCCESS(status)) {
                    IoCompleteRequest(Irp, IO_NO_INCREMENT);
                    return status;
                }
            }
        }
        return FxForward(Device, Irp);
    case IRP_MN_QUERY_CAPABILITIES:
        /* The bus fills the capabilities; a function driver's settings
           (WdfDeviceSetPnpCapabilities, ...) are applied on the way back up. */
        status = FxForwardSynchronously(Device, Irp);
        if (NT_SUCCESS(status)) {
            FxDeviceApplyCapabilities(Device, stack->Parameters.DeviceCapabilities.Capabilities);
        }
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    case IRP_MN_START_DEVICE:
        status = FxForwardSynchronously(Device, Irp);
        if (NT_SUCCESS(status)) {
            status = FxDeviceStart(Device);
        }
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
        if (atomic_load(&Device->StopRemoveBlocks) != 0) {
            /* WdfDeviceSetStaticStopRemove(FALSE): the framework fails the query itself,
               before the driver's callback. */
            status = STATUS_INVALID_DEVICE_STATE;
            Irp->IoStatus.Status = status;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return status;
        }
        if (stack->MinorFunction == IRP_MN_QUERY_STOP_DEVICE) {
            return FxForward(Device, Irp);
        }
        status = FX_CALL_STATUS(Device, EvtDeviceQueryRemove, "EvtDeviceQueryRemove");
        if (!NT_SUCCESS(status)) {
            Irp->IoStatus.Status = status;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return status;
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return FxForward(Device, Irp);
    case IRP_MN_SURPRISE_REMOVAL:
        HosMutexLock(&Device->Lock);
        Device->PnpState = FxPnpSurpriseRemoved;
        HosMutexUnlock(&Device->Lock);
        FxDeviceTeardown(Device, true);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return FxForward(Device, Irp);
    case IRP_MN_REMOVE_DEVICE: {
        PDEVICE_OBJECT fdo = Device->Fdo;
        PDEVICE_OBJECT lower = Device->Lower;
        FxDeviceRemove(Device);
        /* A bus: the PDOs its lists kept (removed, still reported) go with it. */
        FxChildListsParentRemoved(Device);
        if (Device->PdoData != NULL && !FxChildListPdoRemoved(Device)) {
            /* A PDO that its bus still reports stays until the bus reports it missing
               or is removed itself ("The framework deletes the PDO when the device is
               no longer present"). */
            Irp->IoStatus.Status = STATUS_SUCCESS;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_SUCCESS;
        }
        HosMutexLock(&FxDeviceRefLock);
        atomic_store(&Device->Extension->Device, NULL);
        HosMutexUnlock(&FxDeviceRefLock);
        FxObjectDelete(&Device->Object);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        if (lower != NULL) {
            IoSkipCurrentIrpStackLocation(Irp);
            status = IoCallDriver(lower, Irp);
            IoDetachDevice(lower);
        } else {
            status = STATUS_SUCCESS;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
        }
        IoDeleteDevice(fdo);
        return status;
    }
    case IRP_MN_QUERY_INTERFACE: {
        bool handled = false;
        bool passDown = false;
        status = FxQueryInterfaceHandle(Device, Irp, &handled, &passDown);
        if (!handled) {
            return FxForward(Device, Irp);
        }
        if (passDown && Device->Lower != NULL) {
            Irp->IoStatus.Status = status;
            status = FxForwardSynchronously(Device, Irp);
        }
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    case IRP_MN_QUERY_PNP_DEVICE_STATE:
        /* The state WdfDeviceSetDeviceState gave, over what the drivers below report. */
        Irp->IoStatus.Information = FxDevicePnpState(Device, (ULONG)Irp->IoStatus.Information);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return FxForward(Device, Irp);
    default:
        return FxForward(Device, Irp);
    }
}

static NTSTATUS FxDispatchPower(FX_DEVICE *Device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->MinorFunction != IRP_MN_SET_POWER ||
        stack->Parameters.Power.Type != DevicePowerState) {
        return FxForward(Device, Irp);
    }
    NTSTATUS status;
    if (stack->Parameters.Power.State.DeviceState == PowerDeviceD0) {
        status = FxForwardSynchronously(Device, Irp);
        if (NT_SUCCESS(status)) {
            status = FxPolicySystemWake(Device);
        }
        /* Powered up (or failed to): no system power action is under way any more. */
        atomic_store(&Device->SystemPowerAction, PowerActionNone);
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    /* Powering down: the system power action the D-IRP carries (PowerActionSleep for the
       host's system sleep) holds until the device is back in D0. */
    atomic_store(&Device->SystemPowerAction, (int)stack->Parameters.Power.ShutdownType);
    status = FxPolicySystemSleep(Device);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    return FxForward(Device, Irp);
}

static NTSTATUS FxDispatchToFramework(FX_DEVICE *Device, PIRP Irp);

/*
 * The dispatch routine for every major function: an IRP the driver preprocesses goes to
 * its EvtDeviceWdmIrpPreprocess first; PnP and power drive the state machine,
 * create/cleanup/close the file objects, everything else goes to the queues.
 */
NTSTATUS FxDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    FX_DEVICE *device = FxDeviceAcquire(DeviceObject);
    if (device == NULL) {
        /* The WDFDEVICE is gone (removed); the WDM device object lingers for open files. */
        NTSTATUS status =
            (stack->MajorFunction == IRP_MJ_CLEANUP || stack->MajorFunction == IRP_MJ_CLOSE)
                ? STATUS_SUCCESS
                : STATUS_DELETE_PENDING;
        if (stack->MajorFunction == IRP_MJ_PNP || stack->MajorFunction == IRP_MJ_POWER) {
            status = Irp->IoStatus.Status;
        }
        FxCompleteIrp(Irp, status, 0);
        return status;
    }
    NTSTATUS status;
    FX_PREPROCESS *preprocess = &device->Preprocess[stack->MajorFunction];
    if (preprocess->Evt != NULL && (preprocess->AllMinors || preprocess->Minors[stack->MinorFunction])) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, device->Object.Driver, NULL, "EvtDeviceWdmIrpPreprocess", device);
        status = preprocess->Evt((WDFDEVICE)device, Irp);
        FxCallbackLeave(&frame);
    } else {
        status = FxDispatchToFramework(device, Irp);
    }
    FxObjectDereference(&device->Object);
    return status;
}

static NTSTATUS FxDispatchToFramework(FX_DEVICE *device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    switch (stack->MajorFunction) {
    case IRP_MJ_PNP:
        status = FxDispatchPnp(device, Irp);
        break;
    case IRP_MJ_POWER:
        status = FxDispatchPower(device, Irp);
        break;
    case IRP_MJ_CREATE:
        status = FxDispatchCreate(device, Irp);
        break;
    case IRP_MJ_CLEANUP:
        status = FxDispatchCleanupClose(device, Irp, false);
        break;
    case IRP_MJ_CLOSE:
        status = FxDispatchCleanupClose(device, Irp, true);
        break;
    case IRP_MJ_SYSTEM_CONTROL:
        status = FxWmiDispatch(device, Irp);
        break;
    default:
        status = FxQueueDispatchIrp(device, Irp);
        break;
    }
    return status;
}

void FxDeviceDeleteByDriver(FX_DEVICE *Device)
{
    /* Only a static PDO the PnP manager has never seen reaches here (WdfObjectDelete
       checks NoDriverDelete): it has no device node, nothing started, no interface
       registered. */
    FxPdoDelete(Device);
}

void FxPdoDelete(FX_DEVICE *Pdo)
{
    PDEVICE_OBJECT object = Pdo->Fdo;
    HosMutexLock(&FxDeviceRefLock);
    atomic_store(&Pdo->Extension->Device, NULL);
    HosMutexUnlock(&FxDeviceRefLock);
    FxObjectDelete(&Pdo->Object);
    IoDeleteDevice(object);
}

/*
 * WdfDeviceSetPnpCapabilities / WdfDeviceSetPowerCapabilities: what the device reports
 * in IRP_MN_QUERY_CAPABILITIES (a PDO fills them, an FDO changes what the bus filled);
 * WdfUseDefault and -1 leave a value alone.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicesetpnpcapabilities
 */
WDFAPI VOID WdfDeviceSetPnpCapabilities(WDFDEVICE Device, PWDF_DEVICE_PNP_CAPABILITIES PnpCapabilities)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetPnpCapabilities");
    if (device == NULL || PnpCapabilities == NULL) {
        return;
    }
    if (PnpCapabilities->Size != sizeof(WDF_DEVICE_PNP_CAPABILITIES)) {
        FxReport(device->Object.Driver, "INVALID_HANDLE",
                 "WdfDeviceSetPnpCapabilities with a WDF_DEVICE_PNP_CAPABILITIES of size %lu",
                 (unsigned long)PnpCapabilities->Size);
        return;
    }
    device->PnpCapabilities = *PnpCapabilities;
    device->HasPnpCapabilities = true;
}

WDFAPI VOID WdfDeviceSetPowerCapabilities(WDFDEVICE Device, PWDF_DEVICE_POWER_CAPABILITIES PowerCapabilities)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetPowerCapabilities");
    if (device == NULL || PowerCapabilities == NULL) {
        return;
    }
    if (PowerCapabilities->Size != sizeof(WDF_DEVICE_POWER_CAPABILITIES)) {
        FxReport(device->Object.Driver, "INVALID_HANDLE",
                 "WdfDeviceSetPowerCapabilities with a WDF_DEVICE_POWER_CAPABILITIES of size %lu",
                 (unsigned long)PowerCapabilities->Size);
        return;
    }
    device->PowerCapabilities = *PowerCapabilities;
    device->HasPowerCapabilities = true;
}

/* WdfDeviceSetBusInformationForChildren: what the bus's PDOs answer to
   IRP_MN_QUERY_BUS_INFORMATION. */
WDFAPI VOID WdfDeviceSetBusInformationForChildren(WDFDEVICE Device, PPNP_BUS_INFORMATION BusInformation)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetBusInformationForChildren");
    if (device == NULL || BusInformation == NULL) {
        return;
    }
    device->BusInformation = *BusInformation;
    device->HasBusInformation = true;
}

/*
 * WdfDeviceEnqueueRequest: from EvtIoInCallerContext only, hands the request to the
 * device's queues as if it had just arrived (the queue configured for its type, else the
 * default queue). On failure the request is still the driver's, which completes it:
 * STATUS_INVALID_DEVICE_REQUEST without a queue for the type (or when called outside
 * EvtIoInCallerContext, as KMDF's verifier answers), STATUS_INVALID_DEVICE_STATE when the
 * queue does not accept requests.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceenqueuerequest
 */
WDFAPI NTSTATUS WdfDeviceEnqueueRequest(WDFDEVICE Device, WDFREQUEST Request)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceEnqueueRequest");
    FX_REQUEST *request = (FX_REQUEST *)FxObjectFromHandle(Request, FxTypeRequest, "WdfDeviceEnqueueRequest");
    if (device == NULL || request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    HosMutexLock(&request->Lock);
    bool completed = request->Completed;
    bool inCaller = request->InCallerContext && request->CallerThread == HosCurrentThreadId();
    HosMutexUnlock(&request->Lock);
    if (completed) {
        FxReport(device->Object.Driver, "REQUEST_USED_AFTER_COMPLETION",
                 "WdfDeviceEnqueueRequest called on WDFREQUEST %p after it was completed", (void *)request);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (!inCaller || request->Device != device || atomic_load(&request->Queue) != NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    /* Once queued, the request has left the caller's context (a queue may present it at
       once, on this thread, before EvtIoInCallerContext returns); it comes back to it when
       the queueing fails and the driver still owns it. */
    HosMutexLock(&request->Lock);
    request->InCallerContext = false;
    HosMutexUnlock(&request->Lock);
    NTSTATUS status = FxQueueRouteRequest(device, request);
    if (!NT_SUCCESS(status)) {
        HosMutexLock(&request->Lock);
        request->InCallerContext = true;
        HosMutexUnlock(&request->Lock);
    }
    return status;
}

/*
 * WdfDeviceInitAssignWdmIrpPreprocessCallback: EvtDeviceWdmIrpPreprocess receives the
 * IRPs of MajorFunction (only the given minor functions when there are any; a second
 * call with the same callback adds minor functions) before the framework does.
 * STATUS_INVALID_PARAMETER for a major function out of range, no callback, minor
 * functions without their array, or another callback for the same major function.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitassignwdmirppreprocesscallback
 */
WDFAPI NTSTATUS WdfDeviceInitAssignWdmIrpPreprocessCallback(PWDFDEVICE_INIT DeviceInit,
                                                            PFN_WDFDEVICE_WDM_IRP_PREPROCESS EvtDeviceWdmIrpPreprocess,
                                                            UCHAR MajorFunction, PUCHAR MinorFunctions,
                                                            ULONG NumMinorFunctions)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitAssignWdmIrpPreprocessCallback") == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (MajorFunction > IRP_MJ_MAXIMUM_FUNCTION || EvtDeviceWdmIrpPreprocess == NULL ||
        (NumMinorFunctions > 0 && MinorFunctions == NULL) || NumMinorFunctions > 256) {
        return STATUS_INVALID_PARAMETER;
    }
    FX_PREPROCESS *entry = &DeviceInit->Preprocess[MajorFunction];
    if (entry->Evt != NULL && entry->Evt != EvtDeviceWdmIrpPreprocess) {
        return STATUS_INVALID_PARAMETER;
    }
    entry->Evt = EvtDeviceWdmIrpPreprocess;
    if (NumMinorFunctions == 0) {
        entry->AllMinors = true;
    }
    for (ULONG i = 0; i < NumMinorFunctions; i++) {
        entry->Minors[MinorFunctions[i]] = true;
    }
    return STATUS_SUCCESS;
}

/*
 * WdfDeviceWdmDispatchPreprocessedIrp: the framework processes an IRP the driver
 * preprocessed. The driver skipped (IoSkipCurrentIrpStackLocation) or copied and set a
 * completion routine for its stack location ("Preprocessing and Postprocessing IRPs");
 * the framework takes the location back and dispatches it as if no callback had seen it.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicewdmdispatchpreprocessedirp
 */
WDFAPI NTSTATUS WdfDeviceWdmDispatchPreprocessedIrp(WDFDEVICE Device, PIRP Irp)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceWdmDispatchPreprocessedIrp");
    if (device == NULL || Irp == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    IoSetNextIrpStackLocation(Irp);
    return FxDispatchToFramework(device, Irp);
}

WDFAPI WDFIOTARGET WdfDeviceGetIoTarget(WDFDEVICE Device)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceGetIoTarget");
    return device != NULL ? (WDFIOTARGET)device->DefaultTarget : NULL;
}

/*
 * WdfDeviceAssignMofResourceName: the name of the MOF resource in the driver's image,
 * which the framework gives WMI in its registration (fxwmi.c). Once per device:
 * a second call gives STATUS_INVALID_DEVICE_REQUEST.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceassignmofresourcename
 */
WDFAPI NTSTATUS WdfDeviceAssignMofResourceName(WDFDEVICE Device, PCUNICODE_STRING MofResourceName)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceAssignMofResourceName");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(device->Object.Driver, "IRQL_TOO_HIGH_FOR_DDI", "WdfDeviceAssignMofResourceName called at IRQL %u; its highest is 0",
                 (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (MofResourceName == NULL || MofResourceName->Buffer == NULL || MofResourceName->Length == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    PWCHAR copy = malloc(MofResourceName->Length + sizeof(WCHAR));
    if (copy == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(copy, MofResourceName->Buffer, MofResourceName->Length);
    copy[MofResourceName->Length / sizeof(WCHAR)] = 0;
    HosMutexLock(&device->Lock);
    if (device->MofResourceName.Buffer != NULL) {
        HosMutexUnlock(&device->Lock);
        free(copy);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    device->MofResourceName.Buffer = copy;
    device->MofResourceName.Length = MofResourceName->Length;
    device->MofResourceName.MaximumLength = (USHORT)(MofResourceName->Length + sizeof(WCHAR));
    HosMutexUnlock(&device->Lock);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------ control devices */

static void FxControlDeviceDispose(FX_OBJECT *Object)
{
    FX_DEVICE *device = (FX_DEVICE *)Object;
    PDEVICE_OBJECT fdo = device->Fdo;
    /* As a removal: the queues are purged and the driver's requests waited for. */
    FxDeviceRemove(device);
    FxDeviceDeleteSymbolicLink(device);
    HosMutexLock(&FxDeviceRefLock);
    atomic_store(&device->Extension->Device, NULL);
    HosMutexUnlock(&FxDeviceRefLock);
    IoDeleteDevice(fdo);
}

/*
 * WdfDeviceCreateSymbolicLink: a link (\DosDevices\Name) to the device's name, or, for a
 * PnP device without one, to its PDO's name. One link per device: a second call gives
 * STATUS_INVALID_DEVICE_REQUEST; a control device without a name
 * STATUS_INVALID_DEVICE_STATE. The framework deletes the link when the device is removed
 * or deleted.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicecreatesymboliclink
 */
WDFAPI NTSTATUS WdfDeviceCreateSymbolicLink(WDFDEVICE Device, PCUNICODE_STRING SymbolicLinkName)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceCreateSymbolicLink");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (SymbolicLinkName == NULL || SymbolicLinkName->Length == 0 || SymbolicLinkName->Buffer == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    HosMutexLock(&device->Lock);
    bool linked = device->SymbolicLinkName.Buffer != NULL;
    HosMutexUnlock(&device->Lock);
    if (linked) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    UNICODE_STRING target = device->DeviceName;
    WCHAR pdoName[128];
    if (target.Buffer == NULL) {
        if (device->Control || device->Pdo == NULL) {
            return STATUS_INVALID_DEVICE_STATE;
        }
        ULONG length = 0;
        NTSTATUS status = IoGetDeviceProperty(device->Pdo, DevicePropertyPhysicalDeviceObjectName, sizeof(pdoName),
                                              pdoName, &length);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        RtlInitUnicodeString(&target, pdoName);
    }
    UNICODE_STRING link;
    link.Length = SymbolicLinkName->Length;
    link.MaximumLength = (USHORT)(SymbolicLinkName->Length + sizeof(WCHAR));
    link.Buffer = KhAllocationShouldFail() ? NULL : calloc(1, link.MaximumLength);
    if (link.Buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(link.Buffer, SymbolicLinkName->Buffer, link.Length);
    link.Buffer[link.Length / sizeof(WCHAR)] = 0;
    NTSTATUS status = IoCreateSymbolicLink(&link, &target);
    if (!NT_SUCCESS(status)) {
        free(link.Buffer);
        return status;
    }
    HosMutexLock(&device->Lock);
    device->SymbolicLinkName = link;
    HosMutexUnlock(&device->Lock);
    return STATUS_SUCCESS;
}

void FxDeviceDeleteSymbolicLink(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Lock);
    UNICODE_STRING link = Device->SymbolicLinkName;
    memset(&Device->SymbolicLinkName, 0, sizeof(Device->SymbolicLinkName));
    HosMutexUnlock(&Device->Lock);
    if (link.Buffer != NULL) {
        (void)IoDeleteSymbolicLink(&link);
        free(link.Buffer);
    }
}

/* ------------------------------------------------ registry keys and properties */

/* The PDO at the bottom of a device's stack, or NULL (a control device has none). */
static PDEVICE_OBJECT FxDevicePdo(FX_DEVICE *Device)
{
    return Device->Control ? NULL : Device->Pdo;
}

NTSTATUS FxOpenDeviceKey(FX_DRIVER *Driver, FX_OBJECT *Parent, PDEVICE_OBJECT Pdo, ULONG KeyType,
                         ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key,
                         const char *Api)
{
    if (Key == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Key = NULL;
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(Driver, "IRQL_TOO_HIGH_FOR_WAIT", "%s at IRQL %u", Api, (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (Pdo == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    NTSTATUS status = FxValidateAttributes(KeyAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (KeyAttributes != NULL && KeyAttributes->ParentObject != NULL) {
        Parent = FxObjectFromHandle(KeyAttributes->ParentObject, FxTypeAny, Api);
        if (Parent == NULL) {
            return STATUS_INVALID_HANDLE;
        }
    }
    HANDLE handle = NULL;
    status = IoOpenDeviceRegistryKey(Pdo, KeyType, DesiredAccess, &handle);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return FxRegistryWrapHandle(Driver, Parent, KeyAttributes, handle, Key);
}

/*
 * WdfDeviceOpenRegistryKey: the device's hardware key (PLUGPLAY_REGKEY_DEVICE) or
 * software key (PLUGPLAY_REGKEY_DRIVER) as a WDFKEY whose parent is the device unless
 * KeyAttributes names another. A control device has neither:
 * STATUS_INVALID_DEVICE_REQUEST.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceopenregistrykey
 */
WDFAPI NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType,
                                         ACCESS_MASK DesiredAccess,
                                         PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceOpenRegistryKey");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    return FxOpenDeviceKey(device->Object.Driver, &device->Object, FxDevicePdo(device),
                           DeviceInstanceKeyType, DesiredAccess, KeyAttributes, Key,
                           "WdfDeviceOpenRegistryKey");
}

NTSTATUS FxQueryProperty(FX_DRIVER *Driver, PDEVICE_OBJECT Pdo, DEVICE_REGISTRY_PROPERTY Property,
                         ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength,
                         const char *Api)
{
    if (ResultLength == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *ResultLength = 0;
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(Driver, "IRQL_TOO_HIGH_FOR_WAIT", "%s at IRQL %u", Api, (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (Pdo == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return IoGetDeviceProperty(Pdo, Property, BufferLength, PropertyBuffer, ResultLength);
}

NTSTATUS FxAllocAndQueryProperty(FX_DRIVER *Driver, PDEVICE_OBJECT Pdo,
                                 DEVICE_REGISTRY_PROPERTY Property, POOL_TYPE PoolType,
                                 PWDF_OBJECT_ATTRIBUTES Attributes, WDFMEMORY *Memory,
                                 const char *Api)
{
    if (Memory == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Memory = NULL;
    ULONG length = 0;
    NTSTATUS status = FxQueryProperty(Driver, Pdo, Property, 0, NULL, &length, Api);
    if (status != STATUS_BUFFER_TOO_SMALL) {
        return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
    }
    PVOID buffer = NULL;
    WDFMEMORY memory;
    status = WdfMemoryCreate(Attributes, PoolType, 0, length, &memory, &buffer);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FxQueryProperty(Driver, Pdo, Property, length, buffer, &length, Api);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(memory);
        return status;
    }
    *Memory = memory;
    return STATUS_SUCCESS;
}

/*
 * The preamble of the WdfDevice property queries: the device's driver (for reports) and
 * PDO (NULL for a control device); false, after FxObjectFromHandle's report, for a
 * handle that is not a live WDFDEVICE (the caller returns STATUS_INVALID_HANDLE).
 */
static bool FxDevicePropertySource(WDFDEVICE Device, const char *Api, FX_DRIVER **Driver, PDEVICE_OBJECT *Pdo)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, Api);
    if (device == NULL) {
        return false;
    }
    *Driver = device->Object.Driver;
    *Pdo = FxDevicePdo(device);
    return true;
}

/*
 * WdfDeviceQueryProperty: a Plug and Play property of the device (IoGetDeviceProperty on
 * its PDO); STATUS_BUFFER_TOO_SMALL with the size in ResultLength when the buffer is too
 * small. A control device has none: STATUS_INVALID_DEVICE_REQUEST.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicequeryproperty
 */
WDFAPI NTSTATUS WdfDeviceQueryProperty(WDFDEVICE Device, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                       ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength)
{
    FX_DRIVER *driver;
    PDEVICE_OBJECT pdo;
    if (!FxDevicePropertySource(Device, "WdfDeviceQueryProperty", &driver, &pdo)) {
        return STATUS_INVALID_HANDLE;
    }
    return FxQueryProperty(driver, pdo, DeviceProperty, BufferLength, PropertyBuffer, ResultLength,
                           "WdfDeviceQueryProperty");
}

/*
 * WdfDeviceAllocAndQueryProperty: the property in a new WDFMEMORY of exactly its size.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceallocandqueryproperty
 */
WDFAPI NTSTATUS WdfDeviceAllocAndQueryProperty(WDFDEVICE Device,
                                               DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                               POOL_TYPE PoolType,
                                               PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes,
                                               WDFMEMORY *PropertyMemory)
{
    FX_DRIVER *driver;
    PDEVICE_OBJECT pdo;
    if (!FxDevicePropertySource(Device, "WdfDeviceAllocAndQueryProperty", &driver, &pdo)) {
        return STATUS_INVALID_HANDLE;
    }
    return FxAllocAndQueryProperty(driver, pdo, DeviceProperty, PoolType, PropertyMemoryAttributes,
                                   PropertyMemory, "WdfDeviceAllocAndQueryProperty");
}

/* ------------------------------------------------------------ device object fields */

/*
 * WdfDeviceGetAlignmentRequirement and WdfDeviceSetAlignmentRequirement: the buffer
 * alignment of the device's WDM device object (DEVICE_OBJECT.AlignmentRequirement, a
 * FILE_*_ALIGNMENT value: the alignment minus one). Set replaces the value.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicesetalignmentrequirement
 */
WDFAPI ULONG WdfDeviceGetAlignmentRequirement(WDFDEVICE Device)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceGetAlignmentRequirement");
    return device != NULL ? device->Fdo->AlignmentRequirement : 0;
}

WDFAPI VOID WdfDeviceSetAlignmentRequirement(WDFDEVICE Device, ULONG AlignmentRequirement)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetAlignmentRequirement");
    if (device != NULL) {
        device->Fdo->AlignmentRequirement = AlignmentRequirement;
    }
}

/*
 * WdfDeviceGetCharacteristics and WdfDeviceSetCharacteristics: the FILE_* device
 * characteristics of the device's WDM device object. Set replaces them all, so a
 * driver gets them first and ORs its flags in, as the documentation says.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicesetcharacteristics
 */
WDFAPI ULONG WdfDeviceGetCharacteristics(WDFDEVICE Device)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceGetCharacteristics");
    return device != NULL ? device->Fdo->Characteristics : 0;
}

WDFAPI VOID WdfDeviceSetCharacteristics(WDFDEVICE Device, ULONG DeviceCharacteristics)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetCharacteristics");
    if (device != NULL) {
        device->Fdo->Characteristics = DeviceCharacteristics;
    }
}

/*
 * WdfDeviceSetStaticStopRemove: Stoppable FALSE says the device cannot be stopped or
 * removed now, so the framework fails IRP_MN_QUERY_STOP_DEVICE and
 * IRP_MN_QUERY_REMOVE_DEVICE (STATUS_INVALID_DEVICE_STATE) until a matching call with
 * TRUE; the calls nest. A TRUE with no FALSE to undo is a driver bug (an assertion in the
 * framework): ASSERTION_FAILED, and the count stays at zero.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicesetstaticstopremove
 */
WDFAPI VOID WdfDeviceSetStaticStopRemove(WDFDEVICE Device, BOOLEAN Stoppable)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetStaticStopRemove");
    if (device == NULL) {
        return;
    }
    if (!Stoppable) {
        atomic_fetch_add(&device->StopRemoveBlocks, 1);
        return;
    }
    LONG blocks = atomic_load(&device->StopRemoveBlocks);
    while (blocks > 0 && !atomic_compare_exchange_weak(&device->StopRemoveBlocks, &blocks, blocks - 1)) {
    }
    if (blocks <= 0) {
        FxReport(device->Object.Driver, "ASSERTION_FAILED",
                 "WdfDeviceSetStaticStopRemove(TRUE) on WDFDEVICE %p without a WdfDeviceSetStaticStopRemove(FALSE) "
                 "to undo",
                 (void *)device);
    }
}

/*
 * WdfDeviceGetSystemPowerAction: the system power action (POWER_ACTION) under way for the
 * device, as KMDF 1.15 tracks it: the ShutdownType of the device power IRP that powers
 * it down, from then until it is back in its working state; PowerActionNone otherwise,
 * and for a device's own idle power-down, which no system power action causes.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicegetsystempoweraction
 */
WDFAPI POWER_ACTION WdfDeviceGetSystemPowerAction(WDFDEVICE Device)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceGetSystemPowerAction");
    return device != NULL ? (POWER_ACTION)atomic_load(&device->SystemPowerAction) : PowerActionNone;
}

/* ------------------------------------------------------------ removal relations */

typedef struct FX_RELATED {
    struct FX_RELATED *Next;
    PDEVICE_OBJECT Pdo; /* referenced */
} FX_RELATED;

/*
 * WdfDeviceAddRemovalRelationsPhysicalDevice: "indicates that a specified device must be
 * removed when another specified device is removed": the framework reports PhysicalDevice
 * in the device's removal relations (IRP_MN_QUERY_DEVICE_RELATIONS, RemovalRelations),
 * which the PnP manager asks for when it removes the device, and removes those devices
 * first. A device already in the list: STATUS_DUPLICATE_OBJECTID, as KMDF's related
 * device list answers.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceaddremovalrelationsphysicaldevice
 */
WDFAPI NTSTATUS WdfDeviceAddRemovalRelationsPhysicalDevice(WDFDEVICE Device, PDEVICE_OBJECT PhysicalDevice)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceAddRemovalRelationsPhysicalDevice");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (PhysicalDevice == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    FX_RELATED *entry = KhAllocationShouldFail() ? NULL : calloc(1, sizeof(*entry));
    if (entry == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HosMutexLock(&device->Lock);
    for (FX_RELATED *related = device->RemovalRelations; related != NULL; related = related->Next) {
        if (related->Pdo == PhysicalDevice) {
            HosMutexUnlock(&device->Lock);
            free(entry);
            return STATUS_DUPLICATE_OBJECTID;
        }
    }
    ObReferenceObject(PhysicalDevice);
    entry->Pdo = PhysicalDevice;
    entry->Next = device->RemovalRelations;
    device->RemovalRelations = entry;
    HosMutexUnlock(&device->Lock);
    /* As KMDF: the PnP manager asks for removal relations when it removes the device,
       so the change is not announced. */
    return STATUS_SUCCESS;
}

/* WdfDeviceRemoveRemovalRelationsPhysicalDevice: PhysicalDevice is no longer removed
   with the device (nothing happens when it was not in the list). */
WDFAPI VOID WdfDeviceRemoveRemovalRelationsPhysicalDevice(WDFDEVICE Device, PDEVICE_OBJECT PhysicalDevice)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceRemoveRemovalRelationsPhysicalDevice");
    if (device == NULL) {
        return;
    }
    FX_RELATED *gone = NULL;
    HosMutexLock(&device->Lock);
    for (FX_RELATED **link = &device->RemovalRelations; *link != NULL; link = &(*link)->Next) {
        if ((*link)->Pdo == PhysicalDevice) {
            gone = *link;
            *link = gone->Next;
            break;
        }
    }
    HosMutexUnlock(&device->Lock);
    if (gone != NULL) {
        ObDereferenceObject(gone->Pdo);
        free(gone);
    }
}

static void FxRemovalRelationsClear(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Lock);
    FX_RELATED *list = Device->RemovalRelations;
    Device->RemovalRelations = NULL;
    HosMutexUnlock(&Device->Lock);
    while (list != NULL) {
        FX_RELATED *next = list->Next;
        ObDereferenceObject(list->Pdo);
        free(list);
        list = next;
    }
}

/* WdfDeviceClearRemovalRelationsDevices: the device's removal relations are emptied. */
WDFAPI VOID WdfDeviceClearRemovalRelationsDevices(WDFDEVICE Device)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceClearRemovalRelationsDevices");
    if (device != NULL) {
        FxRemovalRelationsClear(device);
    }
}

/* IRP_MN_QUERY_DEVICE_RELATIONS (RemovalRelations): the relations in the IRP (from the
   drivers above) plus the device's, each referenced for the PnP manager;
   STATUS_NOT_SUPPORTED (the IRP untouched) when the device has none. */
static NTSTATUS FxRemovalRelationsAnswer(FX_DEVICE *Device, PIRP Irp)
{
    PDEVICE_RELATIONS previous = (PDEVICE_RELATIONS)Irp->IoStatus.Information;
    HosMutexLock(&Device->Lock);
    ULONG count = 0;
    for (FX_RELATED *related = Device->RemovalRelations; related != NULL; related = related->Next) {
        count++;
    }
    if (count == 0) {
        HosMutexUnlock(&Device->Lock);
        return STATUS_NOT_SUPPORTED;
    }
    ULONG total = count + (previous != NULL ? previous->Count : 0);
    PDEVICE_RELATIONS relations =
        ExAllocatePoolWithTag(PagedPool, sizeof(DEVICE_RELATIONS) + (total - 1) * sizeof(PDEVICE_OBJECT), 'RxfW');
    if (relations == NULL) {
        HosMutexUnlock(&Device->Lock);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ULONG n = 0;
    for (ULONG i = 0; previous != NULL && i < previous->Count; i++) {
        relations->Objects[n++] = previous->Objects[i];
    }
    for (FX_RELATED *related = Device->RemovalRelations; related != NULL; related = related->Next) {
        ObReferenceObject(related->Pdo);
        relations->Objects[n++] = related->Pdo;
    }
    HosMutexUnlock(&Device->Lock);
    relations->Count = n;
    if (previous != NULL) {
        ExFreePool(previous);
    }
    Irp->IoStatus.Information = (ULONG_PTR)relations;
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------ device state */

/*
 * WdfDeviceSetDeviceState: the device's PnP state flags (what it answers to
 * IRP_MN_QUERY_PNP_DEVICE_STATE); a WdfUseDefault member leaves that flag as it was.
 * The framework then calls IoInvalidateDeviceState, as KMDF does, and the PnP manager
 * asks for the state on its own thread: a device set Failed or Removed is torn down
 * (IRP_MN_SURPRISE_REMOVAL, then IRP_MN_REMOVE_DEVICE; src/io/pnp.c).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicesetdevicestate
 */
WDFAPI VOID WdfDeviceSetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceSetDeviceState");
    if (device == NULL) {
        return;
    }
    if (DeviceState == NULL || DeviceState->Size != sizeof(WDF_DEVICE_STATE)) {
        FxReport(device->Object.Driver, "INVALID_HANDLE",
                 "WdfDeviceSetDeviceState with a WDF_DEVICE_STATE of size %lu (expected %lu)",
                 DeviceState != NULL ? (unsigned long)DeviceState->Size : 0ul,
                 (unsigned long)sizeof(WDF_DEVICE_STATE));
        return;
    }
    HosMutexLock(&device->Lock);
    WDF_TRI_STATE *to = &device->DeviceState.Disabled;
    const WDF_TRI_STATE *from = &DeviceState->Disabled;
    for (int i = 0; i < 6; i++) {
        if (from[i] != WdfUseDefault) {
            to[i] = from[i];
        }
    }
    /* A control device has no PnP state for the PnP manager to ask, and a PDO its bus has
       not reported yet has no device node: KMDF invalidates the state only of a PDO the PnP
       manager knows (FxPkgPnp::InvalidateDeviceState, GetSafePhysicalDevice); the state
       set is what the PDO answers once it is known. Known is set under the device's lock. */
    bool invalidate = !device->Control && device->Pdo != NULL && FxDeviceKnownToPnp(device);
    HosMutexUnlock(&device->Lock);
    if (invalidate) {
        IoInvalidateDeviceState(device->Pdo);
    }
}

/* WdfDeviceGetDeviceState: what WdfDeviceSetDeviceState set (WdfUseDefault otherwise). */
WDFAPI VOID WdfDeviceGetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceGetDeviceState");
    if (device == NULL) {
        return;
    }
    if (DeviceState == NULL || DeviceState->Size != sizeof(WDF_DEVICE_STATE)) {
        FxReport(device->Object.Driver, "INVALID_HANDLE",
                 "WdfDeviceGetDeviceState with a WDF_DEVICE_STATE of size %lu (expected %lu)",
                 DeviceState != NULL ? (unsigned long)DeviceState->Size : 0ul,
                 (unsigned long)sizeof(WDF_DEVICE_STATE));
        return;
    }
    HosMutexLock(&device->Lock);
    *DeviceState = device->DeviceState;
    HosMutexUnlock(&device->Lock);
}

/* ------------------------------------------------------------ power policy DDIs */

/*
 * WdfDeviceInitSetPowerPolicyOwnership: whether the driver is the power policy owner of
 * its device (by default the function driver is, a filter is not).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceinitsetpowerpolicyownership
 */
WDFAPI VOID WdfDeviceInitSetPowerPolicyOwnership(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsPowerPolicyOwner)
{
    if (FxInitFromHandle(DeviceInit, "WdfDeviceInitSetPowerPolicyOwnership") != NULL) {
        DeviceInit->PowerPolicyOwnerSet = true;
        DeviceInit->PowerPolicyOwner = IsPowerPolicyOwner != FALSE;
    }
}

static bool FxTriStateValid(WDF_TRI_STATE Value)
{
    return Value == WdfFalse || Value == WdfTrue || Value == WdfUseDefault;
}

/* The idle and wake settings' power states: D1, D2, D3, or PowerDeviceMaximum (the deepest
   state from which the device can still wake). */
static bool FxIdleDxStateValid(DEVICE_POWER_STATE State)
{
    return State == PowerDeviceD1 || State == PowerDeviceD2 || State == PowerDeviceD3 ||
           State == PowerDeviceMaximum;
}

/* The policy thread and timer, made when an idle policy is first assigned. */
static NTSTATUS FxPolicyCreateThread(FX_DEVICE *Device)
{
    FX_POWER_POLICY *policy = &Device->Policy;
    HosMutexLock(&policy->Lock);
    bool exists = policy->Thread != NULL;
    HosMutexUnlock(&policy->Lock);
    if (exists) {
        return STATUS_SUCCESS;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HOS_TIMER *timer = HosTimerCreate(FxPolicyTimerRoutine, Device);
    if (timer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HOS_THREAD *thread = NULL;
    HosMutexLock(&policy->Lock);
    policy->Stop = false;
    policy->Timer = timer;
    HosMutexUnlock(&policy->Lock);
    if (!HosThreadStart(&thread, "wdf-power-policy", FxPolicyThread, Device)) {
        HosMutexLock(&policy->Lock);
        policy->Timer = NULL;
        HosMutexUnlock(&policy->Lock);
        HosTimerDelete(timer);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HosMutexLock(&policy->Lock);
    policy->Thread = thread;
    HosMutexUnlock(&policy->Lock);
    return STATUS_SUCCESS;
}

/*
 * WdfDeviceAssignS0IdleSettings: the idle power-down policy. Documented statuses:
 * STATUS_INVALID_DEVICE_REQUEST when the driver is not the power policy owner,
 * STATUS_INFO_LENGTH_MISMATCH for a wrong Size, STATUS_INVALID_PARAMETER for an invalid
 * value (the IdleTimeoutType of the first call may not change), STATUS_POWER_STATE_INVALID
 * for an invalid DxState or when the device should wake itself from S0 but its bus says it
 * cannot (the host's buses give no device a wake signal). IdleTimeout 0 is the default,
 * 5 seconds (IdleTimeoutDefaultValue). Later calls may change the settings at any time;
 * disabling idle power-down brings an idle device back to D0.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceassigns0idlesettings
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/ns-wdfdevice-_wdf_device_power_policy_idle_settings
 */
WDFAPI NTSTATUS WdfDeviceAssignS0IdleSettings(WDFDEVICE Device, PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Settings)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceAssignS0IdleSettings");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Settings == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    /* The sizes of the structure in KMDF 1.7 (up to Enabled), 1.9 (up to
       PowerUpIdleDeviceOnSystemWake), 1.11 (up to IdleTimeoutType) and 1.13 on (all). */
    ULONG size = Settings->Size;
    if (size != sizeof(*Settings) &&
        size != offsetof(WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS, ExcludeD3Cold) &&
        size != offsetof(WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS, IdleTimeoutType) &&
        size != offsetof(WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS, PowerUpIdleDeviceOnSystemWake)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (!device->Policy.Owner) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS settings;
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&settings, Settings->IdleCaps);
    memcpy(&settings, Settings, size);
    settings.Size = sizeof(settings);
    if (settings.IdleCaps != IdleCannotWakeFromS0 && settings.IdleCaps != IdleCanWakeFromS0 &&
        settings.IdleCaps != IdleUsbSelectiveSuspend) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!FxTriStateValid(settings.Enabled) || !FxTriStateValid(settings.PowerUpIdleDeviceOnSystemWake) ||
        !FxTriStateValid(settings.ExcludeD3Cold) ||
        (settings.UserControlOfIdleSettings != IdleDoNotAllowUserControl &&
         settings.UserControlOfIdleSettings != IdleAllowUserControl) ||
        (settings.IdleTimeoutType != DriverManagedIdleTimeout &&
         settings.IdleTimeoutType != SystemManagedIdleTimeout &&
         settings.IdleTimeoutType != SystemManagedIdleTimeoutWithHint)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!FxIdleDxStateValid(settings.DxState)) {
        return STATUS_POWER_STATE_INVALID;
    }
    if (settings.IdleCaps != IdleCannotWakeFromS0) {
        /* No bus of the host reports that a device can signal wake (DeviceWake is
           PowerDeviceUnspecified in its capabilities). */
        return STATUS_POWER_STATE_INVALID;
    }
    if (settings.IdleTimeout == IdleTimeoutDefaultValue) {
        settings.IdleTimeout = 5000;
    }
    HosMutexLock(&device->Policy.Lock);
    bool typeChanged = device->Policy.IdleAssigned && device->Policy.Idle.IdleTimeoutType != settings.IdleTimeoutType;
    HosMutexUnlock(&device->Policy.Lock);
    if (typeChanged) {
        return STATUS_INVALID_PARAMETER;
    }
    bool enable = settings.Enabled != WdfFalse;
    if (enable) {
        NTSTATUS status = FxPolicyCreateThread(device);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    FX_POWER_POLICY *policy = &device->Policy;
    HosMutexLock(&policy->Lock);
    policy->Idle = settings;
    policy->IdleAssigned = true;
    policy->IdleEnabled = enable;
    if (!enable) {
        if (policy->Timer != NULL) {
            HosTimerCancel(policy->Timer, false);
        }
        policy->TimerDue = false;
        if (policy->IdleInDx || policy->PoweringDown) {
            policy->PowerUpWanted = true;
            HosCondBroadcast(&policy->Changed);
        }
    } else if (policy->References == 0) {
        /* New settings start a new idle period. */
        if (policy->Timer != NULL) {
            HosTimerCancel(policy->Timer, false);
        }
        FxPolicyArmLocked(policy);
    }
    HosMutexUnlock(&policy->Lock);
    return STATUS_SUCCESS;
}

/*
 * WdfDeviceAssignSxWakeSettings: arming the device to wake the system from Sx. Validated
 * as documented (STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_DEVICE_REQUEST when not the
 * power policy owner, STATUS_INVALID_PARAMETER, STATUS_POWER_STATE_INVALID for a DxState
 * of D0 or out of range); then, as no bus of the host can trigger a wake signal, it gives
 * STATUS_POWER_STATE_INVALID ("the bus driver indicates that the device cannot trigger a
 * wake signal") unless the driver only disables wake (Enabled = WdfFalse).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceassignsxwakesettings
 */
WDFAPI NTSTATUS WdfDeviceAssignSxWakeSettings(WDFDEVICE Device, PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Settings)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceAssignSxWakeSettings");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Settings == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    /* KMDF 1.5 ended at Enabled; 1.7 added ArmForWakeIfChildrenAreArmedForWake and
       IndicateChildWakeOnParentWake. */
    ULONG size = Settings->Size;
    if (size != sizeof(*Settings) &&
        size != offsetof(WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS, ArmForWakeIfChildrenAreArmedForWake)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (!device->Policy.Owner) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS settings;
    WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(&settings);
    memcpy(&settings, Settings, size);
    settings.Size = sizeof(settings);
    if (!FxTriStateValid(settings.Enabled) ||
        (settings.UserControlOfWakeSettings != WakeDoNotAllowUserControl &&
         settings.UserControlOfWakeSettings != WakeAllowUserControl)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!FxIdleDxStateValid(settings.DxState)) {
        return STATUS_POWER_STATE_INVALID;
    }
    if (settings.Enabled != WdfFalse) {
        return STATUS_POWER_STATE_INVALID;
    }
    HosMutexLock(&device->Policy.Lock);
    device->Policy.Wake = settings;
    device->Policy.WakeAssigned = true;
    HosMutexUnlock(&device->Policy.Lock);
    return STATUS_SUCCESS;
}

/*
 * WdfDeviceStopIdle(Actual, NoTrack): the device must be in D0 and stay there until the
 * matching WdfDeviceResumeIdle. STATUS_SUCCESS when it is in D0; with WaitForD0 FALSE,
 * STATUS_PENDING while it is powered up asynchronously; with WaitForD0 TRUE the call
 * returns once the device is in D0 (PASSIVE_LEVEL only: a wait above it is the verifier's
 * IRQL_TOO_HIGH_FOR_WAIT), or STATUS_POWER_STATE_INVALID when it cannot enter D0 (the
 * reference is then not held). STATUS_INVALID_DEVICE_STATE when the driver is not the
 * power policy owner.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicestopidle
 */
static NTSTATUS FxDeviceStopIdle(WDFDEVICE Device, BOOLEAN WaitForD0, const char *Api)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, Api);
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (!device->Policy.Owner) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (WaitForD0 && KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(device->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT",
                 "%s(WaitForD0 = TRUE) on WDFDEVICE %p at IRQL %u (PASSIVE_LEVEL only)", Api, (void *)device,
                 (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    FX_POWER_POLICY *policy = &device->Policy;
    HosMutexLock(&policy->Lock);
    policy->StopIdleCount++;
    policy->PowerUpFailed = false;
    FxPolicyReferenceLocked(policy);
    NTSTATUS status = STATUS_SUCCESS;
    bool away = policy->IdleInDx || policy->PoweringDown || policy->SystemSleeping;
    if (away && WaitForD0) {
        while ((policy->IdleInDx || policy->PoweringDown || policy->SystemSleeping) && policy->Started &&
               !policy->PowerUpFailed) {
            HosCondWait(&policy->Changed, &policy->Lock);
        }
        if (policy->PowerUpFailed || policy->IdleInDx || policy->PoweringDown || policy->SystemSleeping) {
            /* The device could not return to D0: the reference is not kept. */
            policy->StopIdleCount--;
            FxPolicyDereferenceLocked(policy);
            status = STATUS_POWER_STATE_INVALID;
        }
    } else if (away) {
        status = STATUS_PENDING;
    }
    HosMutexUnlock(&policy->Lock);
    return status;
}

/* WdfDeviceResumeIdle: releases a reference of WdfDeviceStopIdle; once none is left and
   no power-managed queue has requests, a new idle period begins. A call without a
   matching WdfDeviceStopIdle is the verifier's POWER_REFERENCE_UNDERFLOW.
   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdeviceresumeidle */
static void FxDeviceResumeIdle(WDFDEVICE Device, const char *Api)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, Api);
    if (device == NULL || !device->Policy.Owner) {
        return;
    }
    FX_POWER_POLICY *policy = &device->Policy;
    HosMutexLock(&policy->Lock);
    bool underflow = policy->StopIdleCount == 0;
    if (!underflow) {
        policy->StopIdleCount--;
        FxPolicyDereferenceLocked(policy);
    }
    HosMutexUnlock(&policy->Lock);
    if (underflow) {
        FxReport(device->Object.Driver, "POWER_REFERENCE_UNDERFLOW",
                 "%s on WDFDEVICE %p without a matching WdfDeviceStopIdle", Api, (void *)device);
    }
}

WDFAPI NTSTATUS WdfDeviceStopIdleActual(WDFDEVICE Device, BOOLEAN WaitForD0, PVOID Tag, LONG Line, PCHAR File)
{
    (void)Tag;
    (void)Line;
    (void)File;
    return FxDeviceStopIdle(Device, WaitForD0, "WdfDeviceStopIdle");
}

WDFAPI VOID WdfDeviceResumeIdleActual(WDFDEVICE Device, PVOID Tag, LONG Line, PCHAR File)
{
    (void)Tag;
    (void)Line;
    (void)File;
    FxDeviceResumeIdle(Device, "WdfDeviceResumeIdle");
}

WDFAPI NTSTATUS WdfDeviceStopIdleNoTrack(WDFDEVICE Device, BOOLEAN WaitForD0)
{
    return FxDeviceStopIdle(Device, WaitForD0, "WdfDeviceStopIdleNoTrack");
}

WDFAPI VOID WdfDeviceResumeIdleNoTrack(WDFDEVICE Device)
{
    FxDeviceResumeIdle(Device, "WdfDeviceResumeIdleNoTrack");
}

/*
 * WdfDeviceWdmAssignPowerFrameworkSettings: the device's single component and the PoFx
 * callbacks the framework forwards to the driver; the framework registers the device with
 * PoFx when it starts. The driver must be the power policy owner
 * (STATUS_INVALID_DEVICE_REQUEST otherwise) and have chosen a system-managed idle
 * time-out (SystemManagedIdleTimeout or SystemManagedIdleTimeoutWithHint) in
 * WdfDeviceAssignS0IdleSettings first (STATUS_INVALID_DEVICE_REQUEST otherwise);
 * STATUS_INFO_LENGTH_MISMATCH for a wrong Size, STATUS_INVALID_PARAMETER for a component
 * without idle states. The component and its idle states are copied.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-wdfdevicewdmassignpowerframeworksettings
 */
WDFAPI NTSTATUS WdfDeviceWdmAssignPowerFrameworkSettings(WDFDEVICE Device,
                                                         PWDF_POWER_FRAMEWORK_SETTINGS PowerFrameworkSettings)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceWdmAssignPowerFrameworkSettings");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (PowerFrameworkSettings == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (PowerFrameworkSettings->Size != sizeof(*PowerFrameworkSettings)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    FX_POWER_POLICY *policy = &device->Policy;
    HosMutexLock(&policy->Lock);
    bool systemManaged = policy->IdleAssigned && policy->Idle.IdleTimeoutType != DriverManagedIdleTimeout;
    bool registered = policy->PoHandle != NULL;
    HosMutexUnlock(&policy->Lock);
    if (!policy->Owner || !systemManaged || registered) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    PO_FX_COMPONENT component;
    PO_FX_COMPONENT_IDLE_STATE f0 = {0, 0, 0};
    if (PowerFrameworkSettings->Component != NULL) {
        component = *PowerFrameworkSettings->Component;
        if (component.IdleStateCount == 0 || component.IdleStates == NULL) {
            return STATUS_INVALID_PARAMETER;
        }
    } else {
        memset(&component, 0, sizeof(component));
        component.IdleStateCount = 1;
        component.IdleStates = &f0;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PO_FX_COMPONENT_IDLE_STATE *states = calloc(component.IdleStateCount, sizeof(*states));
    if (states == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(states, component.IdleStates, component.IdleStateCount * sizeof(*states));
    component.IdleStates = states;
    HosMutexLock(&policy->Lock);
    free(policy->PoFxIdleStates);
    policy->PoFxIdleStates = states;
    policy->PoFxComponent = component;
    policy->PoFx = *PowerFrameworkSettings;
    policy->PoFx.Component = &policy->PoFxComponent;
    policy->PoFxAssigned = true;
    HosMutexUnlock(&policy->Lock);
    return STATUS_SUCCESS;
}
