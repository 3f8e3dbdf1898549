/*
 * khbus.c - the bus driver of the bus tests: children ("toys") plugged in and unplugged
 * through IOCTLs of the bus FDO's interface, enumerated dynamically with the default
 * child list, and one static child created in EvtDriverDeviceAdd.
 *
 * Each child's PDO has hardware ID KhBus\Toy and compatible ID KhBus\AnyToy (from serial
 * KHBUS_SERIAL_NO_DRIVER on: KhBus\Unknown alone, a device no driver serves; from
 * KHBUS_SERIAL_RAW on: KhBus\RawToy, a raw device), the serial number as its instance ID,
 * a queue that answers who it is or keeps a request until it is cancelled (I/O in flight
 * at the bus when the child goes away), and a device interface it creates before the PnP
 * manager knows it.
 */
#define INITGUID
#include <ntddk.h>
#include <ntstrsafe.h>
#include <wdf.h>

#include "bus.h"

DEFINE_GUID(GUID_KHBUS_INTERFACE, 0x1b6c9f0e, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
DEFINE_GUID(GUID_KHBUS_TOY_INTERFACE, 0x1b6c9f11, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
DEFINE_GUID(GUID_KHBUS_PDO_INTERFACE, 0x1b6c9f12, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
DEFINE_GUID(GUID_KHBUS_CLASS, 0x1b6c9f0f, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);

typedef struct _KHBUS_DESCRIPTION {
    WDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER Header;
    ULONG Serial;
} KHBUS_DESCRIPTION, *PKHBUS_DESCRIPTION;

typedef struct _KHBUS_FDO {
    WDFDEVICE StaticChild;
    LONG PdosCreated;
    LONG Ejects;
    LONG InterfaceReferences;
    LONG ReportedMissing;
    LONG LastMissingSerial;
} KHBUS_FDO, *PKHBUS_FDO;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KHBUS_FDO, KhBusFdo)

typedef struct _KHBUS_PDO {
    ULONG Serial;
    WDFQUEUE Parked;
} KHBUS_PDO, *PKHBUS_PDO;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KHBUS_PDO, KhBusPdo)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD KhBusDeviceAdd;
EVT_WDF_CHILD_LIST_CREATE_DEVICE KhBusCreatePdo;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL KhBusFdoControl;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL KhBusPdoControl;
EVT_WDF_DEVICE_EJECT KhBusEject;
EVT_WDF_DEVICE_REPORTED_MISSING KhBusReportedMissing;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, KhBusDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

static VOID KhBusToyReference(PVOID Context)
{
    InterlockedIncrement(&KhBusFdo(WdfPdoGetParent((WDFDEVICE)Context))->InterfaceReferences);
}

static VOID KhBusToyDereference(PVOID Context)
{
    InterlockedDecrement(&KhBusFdo(WdfPdoGetParent((WDFDEVICE)Context))->InterfaceReferences);
}

static ULONG KhBusToySerial(PVOID Context)
{
    return KhBusPdo((WDFDEVICE)Context)->Serial;
}

/* The PDO's IDs, texts, capabilities, queues and interfaces, for a dynamic or the static
   child. *Pdo is set once WdfDeviceCreate succeeded (the caller deletes a static one that
   fails later). */
static NTSTATUS KhBusBuildPdo(WDFDEVICE Parent, PWDFDEVICE_INIT ChildInit, ULONG Serial, PCWSTR HardwareId,
                              WDFDEVICE *Pdo)
{
    UNICODE_STRING hardware;
    RtlInitUnicodeString(&hardware, HardwareId);
    DECLARE_CONST_UNICODE_STRING(compatible, KHBUS_COMPATIBLE_ID);
    DECLARE_CONST_UNICODE_STRING(description, L"Kh toy");
    DECLARE_CONST_UNICODE_STRING(location, L"Kh bus slot");
    DECLARE_UNICODE_STRING_SIZE(instance, 16);
    UNREFERENCED_PARAMETER(Parent);

    NTSTATUS status = WdfPdoInitAssignDeviceID(ChildInit, &hardware);
    if (NT_SUCCESS(status)) {
        status = WdfPdoInitAddHardwareID(ChildInit, &hardware);
    }
    if (NT_SUCCESS(status) && Serial < KHBUS_SERIAL_NO_DRIVER) {
        status = WdfPdoInitAddCompatibleID(ChildInit, &compatible);
    }
    if (NT_SUCCESS(status)) {
        status = RtlUnicodeStringPrintf(&instance, L"%02d", Serial);
    }
    if (NT_SUCCESS(status)) {
        status = WdfPdoInitAssignInstanceID(ChildInit, &instance);
    }
    if (NT_SUCCESS(status)) {
        status = WdfPdoInitAddDeviceText(ChildInit, &description, &location, 0x409);
    }
    if (NT_SUCCESS(status) && Serial >= KHBUS_SERIAL_RAW) {
        /* Started without a function driver ("Enumerating Raw Devices"). */
        status = WdfPdoInitAssignRawDevice(ChildInit, &GUID_KHBUS_CLASS);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WdfPdoInitSetDefaultLocale(ChildInit, 0x409);
    WDF_PDO_EVENT_CALLBACKS callbacks;
    WDF_PDO_EVENT_CALLBACKS_INIT(&callbacks);
    callbacks.EvtDeviceEject = KhBusEject;
    callbacks.EvtDeviceReportedMissing = KhBusReportedMissing;
    WdfPdoInitSetEventCallbacks(ChildInit, &callbacks);

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KHBUS_PDO);
    WDFDEVICE pdo;
    status = WdfDeviceCreate(&ChildInit, &attributes, &pdo);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    *Pdo = pdo;
    KhBusPdo(pdo)->Serial = Serial;
    /* Before the PDO is reported (the static child: before WdfFdoAddStaticChild), as
       kbfiltr's raw PDO does: the framework registers it once the PDO is known. */
    status = WdfDeviceCreateDeviceInterface(pdo, &GUID_KHBUS_PDO_INTERFACE, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_DEVICE_PNP_CAPABILITIES pnp;
    WDF_DEVICE_PNP_CAPABILITIES_INIT(&pnp);
    pnp.Removable = WdfTrue;
    pnp.EjectSupported = WdfTrue;
    pnp.SurpriseRemovalOK = WdfTrue;
    pnp.Address = Serial;
    pnp.UINumber = Serial;
    WdfDeviceSetPnpCapabilities(pdo, &pnp);
    WDF_DEVICE_POWER_CAPABILITIES power;
    WDF_DEVICE_POWER_CAPABILITIES_INIT(&power);
    power.DeviceD1 = WdfTrue;
    power.DeviceState[PowerSystemWorking] = PowerDeviceD0;
    WdfDeviceSetPowerCapabilities(pdo, &power);

    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = KhBusPdoControl;
    status = WdfIoQueueCreate(pdo, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (NT_SUCCESS(status)) {
        WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchManual);
        status = WdfIoQueueCreate(pdo, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &KhBusPdo(pdo)->Parked);
    }
    if (NT_SUCCESS(status)) {
        /* The interface a child's function driver asks for; Context is the PDO. */
        KHBUS_TOY_INTERFACE toy;
        RtlZeroMemory(&toy, sizeof(toy));
        toy.Header.Size = sizeof(toy);
        toy.Header.Version = KHBUS_TOY_INTERFACE_VERSION;
        toy.Header.Context = pdo;
        toy.Header.InterfaceReference = KhBusToyReference;
        toy.Header.InterfaceDereference = KhBusToyDereference;
        toy.GetSerial = KhBusToySerial;
        WDF_QUERY_INTERFACE_CONFIG config;
        WDF_QUERY_INTERFACE_CONFIG_INIT(&config, &toy.Header, &GUID_KHBUS_TOY_INTERFACE, NULL);
        status = WdfDeviceAddQueryInterface(pdo, &config);
    }
    return status;
}

NTSTATUS KhBusDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WdfDeviceInitSetDeviceType(DeviceInit, FILE_DEVICE_BUS_EXTENDER);
    WDF_CHILD_LIST_CONFIG config;
    WDF_CHILD_LIST_CONFIG_INIT(&config, sizeof(KHBUS_DESCRIPTION), KhBusCreatePdo);
    WdfFdoInitSetDefaultChildListConfig(DeviceInit, &config, WDF_NO_OBJECT_ATTRIBUTES);

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KHBUS_FDO);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchSequential);
    queueConfig.EvtIoDeviceControl = KhBusFdoControl;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = WdfDeviceCreateDeviceInterface(device, &GUID_KHBUS_INTERFACE, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PNP_BUS_INFORMATION busInfo;
    busInfo.BusTypeGuid = GUID_KHBUS_CLASS;
    busInfo.LegacyBusType = PNPBus;
    busInfo.BusNumber = 0;
    WdfDeviceSetBusInformationForChildren(device, &busInfo);

    /* Static enumeration: one child, created now and reported at the first enumeration. */
    PWDFDEVICE_INIT childInit = WdfPdoInitAllocate(device);
    if (childInit == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    WDFDEVICE child = NULL;
    status = KhBusBuildPdo(device, childInit, KHBUS_STATIC_SERIAL, KHBUS_STATIC_ID, &child);
    if (!NT_SUCCESS(status)) {
        if (child == NULL) {
            WdfDeviceInitFree(childInit);
        } else {
            /* Created, never added: the driver deletes it (WdfFdoAddStaticChild remarks). */
            WdfObjectDelete(child);
        }
        return status;
    }
    status = WdfFdoAddStaticChild(device, child);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(child);
        return status;
    }
    KhBusFdo(device)->StaticChild = child;
    return STATUS_SUCCESS;
}

NTSTATUS KhBusCreatePdo(WDFCHILDLIST ChildList, PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER IdentificationDescription,
                        PWDFDEVICE_INIT ChildInit)
{
    PKHBUS_DESCRIPTION description = CONTAINING_RECORD(IdentificationDescription, KHBUS_DESCRIPTION, Header);
    WDFDEVICE parent = WdfChildListGetDevice(ChildList);
    WDFDEVICE pdo = NULL;
    NTSTATUS status = KhBusBuildPdo(parent, ChildInit, description->Serial,
                                    description->Serial >= KHBUS_SERIAL_RAW         ? KHBUS_RAW_ID
                                    : description->Serial >= KHBUS_SERIAL_NO_DRIVER ? KHBUS_UNKNOWN_ID
                                                                                    : KHBUS_HARDWARE_ID,
                                    &pdo);
    if (NT_SUCCESS(status)) {
        if (WdfPdoGetParent(pdo) != parent) {
            return STATUS_INTERNAL_ERROR;
        }
        InterlockedIncrement(&KhBusFdo(parent)->PdosCreated);
    }
    return status;
}

NTSTATUS KhBusEject(WDFDEVICE Device)
{
    InterlockedIncrement(&KhBusFdo(WdfPdoGetParent(Device))->Ejects);
    return STATUS_SUCCESS;
}

VOID KhBusReportedMissing(WDFDEVICE Device)
{
    PKHBUS_FDO fdo = KhBusFdo(WdfPdoGetParent(Device));
    InterlockedExchange(&fdo->LastMissingSerial, (LONG)KhBusPdo(Device)->Serial);
    InterlockedIncrement(&fdo->ReportedMissing);
}

static void KhBusDescription(PKHBUS_DESCRIPTION Description, ULONG Serial)
{
    WDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER_INIT(&Description->Header, sizeof(*Description));
    Description->Serial = Serial;
}

static void KhBusCounts(WDFDEVICE Device, KHBUS_COUNTS *Counts)
{
    PKHBUS_FDO fdo = KhBusFdo(Device);
    RtlZeroMemory(Counts, sizeof(*Counts));
    Counts->PdosCreated = (unsigned)fdo->PdosCreated;
    Counts->Ejects = (unsigned)fdo->Ejects;
    Counts->InterfaceReferences = (int)fdo->InterfaceReferences;
    Counts->ReportedMissing = (unsigned)fdo->ReportedMissing;
    Counts->LastMissingSerial = (unsigned)fdo->LastMissingSerial;
    WDFCHILDLIST list = WdfFdoGetDefaultChildList(Device);
    WDF_CHILD_LIST_ITERATOR iterator;
    WDF_CHILD_LIST_ITERATOR_INIT(&iterator, WdfRetrievePresentChildren);
    WdfChildListBeginIteration(list, &iterator);
    for (;;) {
        WDFDEVICE child;
        KHBUS_DESCRIPTION description;
        KhBusDescription(&description, 0);
        WDF_CHILD_RETRIEVE_INFO info;
        WDF_CHILD_RETRIEVE_INFO_INIT(&info, &description.Header);
        if (WdfChildListRetrieveNextDevice(list, &iterator, &child, &info) != STATUS_SUCCESS) {
            break;
        }
        if (info.Status == WdfChildListRetrieveDeviceSuccess && child != NULL &&
            KhBusPdo(child)->Serial == description.Serial) {
            Counts->Present++;
        }
    }
    WdfChildListEndIteration(list, &iterator);
    WdfFdoLockStaticChildListForIteration(Device);
    for (WDFDEVICE child = WdfFdoRetrieveNextStaticChild(Device, NULL, WdfRetrievePresentChildren); child != NULL;
         child = WdfFdoRetrieveNextStaticChild(Device, child, WdfRetrievePresentChildren)) {
        Counts->StaticPresent++;
    }
    WdfFdoUnlockStaticChildListFromIteration(Device);
}

static void KhBusBadInput(WDFDEVICE Device, KHBUS_BAD_INPUT *Result)
{
    WDFCHILDLIST list = WdfFdoGetDefaultChildList(Device);
    struct {
        WDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER Header;
        ULONG Serial;
        ULONG Extra;
    } wrong;
    WDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER_INIT(&wrong.Header, sizeof(wrong));
    wrong.Serial = 55;
    Result->WrongSizeAdd = WdfChildListAddOrUpdateChildDescriptionAsPresent(list, &wrong.Header, NULL);

    KHBUS_DESCRIPTION description;
    KhBusDescription(&description, 56);
    (void)WdfChildListAddOrUpdateChildDescriptionAsPresent(list, &description.Header, NULL);
    Result->DuplicateAdd = WdfChildListAddOrUpdateChildDescriptionAsPresent(list, &description.Header, NULL);
    (void)WdfChildListUpdateChildDescriptionAsMissing(list, &description.Header);

    KhBusDescription(&description, 57);
    Result->MissingUnknown = WdfChildListUpdateChildDescriptionAsMissing(list, &description.Header);
    Result->EjectUnknown = WdfChildListRequestChildEject(list, &description.Header);
    WDF_CHILD_RETRIEVE_INFO info;
    WDF_CHILD_RETRIEVE_INFO_INIT(&info, &description.Header);
    Result->RetrieveUnknownNull = WdfChildListRetrievePdo(list, &info) == NULL;
    Result->RetrieveUnknownStatus = info.Status;

    Result->StaticNotPdo = WdfFdoAddStaticChild(Device, Device);

    WDF_CHILD_LIST_CONFIG config;
    WDF_CHILD_LIST_CONFIG_INIT(&config, sizeof(KHBUS_DESCRIPTION), NULL);
    WDFCHILDLIST other;
    Result->ChildListCreateNoCallback = WdfChildListCreate(Device, &config, WDF_NO_OBJECT_ATTRIBUTES, &other);

    /* A handle of the wrong type: the verifier reports INVALID_HANDLE. */
    WdfChildListBeginScan((WDFCHILDLIST)Device);
}

/*
 * IOCTL_KHBUS_DELETE: WdfObjectDelete of a device. A static PDO that was never added to
 * the static list is the driver's to delete (its creation's error path, WdfFdoAddStaticChild
 * remarks); the others are the framework's, and the verifier reports the call.
 */
static NTSTATUS KhBusDelete(WDFDEVICE Device, ULONG What)
{
    if (What == KHBUS_DELETE_UNREPORTED) {
        PWDFDEVICE_INIT init = WdfPdoInitAllocate(Device);
        if (init == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        WDFDEVICE pdo = NULL;
        NTSTATUS status = KhBusBuildPdo(Device, init, KHBUS_STATIC_SERIAL + 1, KHBUS_STATIC_ID, &pdo);
        if (pdo == NULL) {
            WdfDeviceInitFree(init);
            return NT_SUCCESS(status) ? STATUS_INTERNAL_ERROR : status;
        }
        /* A state set before the PnP manager knows the PDO is kept for its first
           IRP_MN_QUERY_PNP_DEVICE_STATE; there is no device to invalidate yet (kbfiltr's
           raw PDO hides itself so). */
        WDF_DEVICE_STATE state;
        WDF_DEVICE_STATE_INIT(&state);
        state.DontDisplayInUI = WdfTrue;
        WdfDeviceSetDeviceState(pdo, &state);
        WdfObjectDelete(pdo);
        return status;
    }
    if (What == KHBUS_DELETE_STATIC) {
        WdfObjectDelete(KhBusFdo(Device)->StaticChild);
        return STATUS_SUCCESS;
    }
    if (What == KHBUS_DELETE_FDO) {
        WdfObjectDelete(Device);
        return STATUS_SUCCESS;
    }
    if (What > KHBUS_DELETE_DYNAMIC) {
        KHBUS_DESCRIPTION description;
        KhBusDescription(&description, What - KHBUS_DELETE_DYNAMIC);
        WDF_CHILD_RETRIEVE_INFO info;
        WDF_CHILD_RETRIEVE_INFO_INIT(&info, &description.Header);
        WDFDEVICE pdo = WdfChildListRetrievePdo(WdfFdoGetDefaultChildList(Device), &info);
        if (pdo == NULL) {
            return STATUS_NO_SUCH_DEVICE;
        }
        WdfObjectDelete(pdo);
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_PARAMETER;
}

/* The PDO of a dynamic child, or NULL. */
static WDFDEVICE KhBusChildPdo(WDFDEVICE Device, ULONG Serial)
{
    KHBUS_DESCRIPTION description;
    KhBusDescription(&description, Serial);
    WDF_CHILD_RETRIEVE_INFO info;
    WDF_CHILD_RETRIEVE_INFO_INIT(&info, &description.Header);
    return WdfChildListRetrievePdo(WdfFdoGetDefaultChildList(Device), &info);
}

/* IOCTL_KHBUS_RELATE: one child is removed whenever another is (removal relations). */
static NTSTATUS KhBusRelate(WDFDEVICE Device, const ULONG *Input)
{
    WDFDEVICE owner = KhBusChildPdo(Device, Input[0]);
    WDFDEVICE other = Input[2] == KHBUS_RELATE_CLEAR ? NULL : KhBusChildPdo(Device, Input[1]);
    if (owner == NULL || (Input[2] != KHBUS_RELATE_CLEAR && other == NULL)) {
        return STATUS_NO_SUCH_DEVICE;
    }
    switch (Input[2]) {
    case KHBUS_RELATE_ADD:
        return WdfDeviceAddRemovalRelationsPhysicalDevice(owner, WdfDeviceWdmGetDeviceObject(other));
    case KHBUS_RELATE_REMOVE:
        WdfDeviceRemoveRemovalRelationsPhysicalDevice(owner, WdfDeviceWdmGetDeviceObject(other));
        return STATUS_SUCCESS;
    case KHBUS_RELATE_CLEAR:
        WdfDeviceClearRemovalRelationsDevices(owner);
        return STATUS_SUCCESS;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

/* IOCTL_KHBUS_SET_STATE: the bus, or one of its children, is failed or gone. */
static NTSTATUS KhBusSetState(WDFDEVICE Device, const ULONG *Input)
{
    WDFDEVICE target = Device;
    if (Input[0] != 0) {
        KHBUS_DESCRIPTION description;
        KhBusDescription(&description, Input[0]);
        WDF_CHILD_RETRIEVE_INFO info;
        WDF_CHILD_RETRIEVE_INFO_INIT(&info, &description.Header);
        target = WdfChildListRetrievePdo(WdfFdoGetDefaultChildList(Device), &info);
        if (target == NULL) {
            return STATUS_NO_SUCH_DEVICE;
        }
    }
    WDF_DEVICE_STATE state;
    WDF_DEVICE_STATE_INIT(&state);
    if (Input[1] == KHBUS_STATE_FAILED) {
        state.Failed = WdfTrue;
    } else if (Input[1] == KHBUS_STATE_REMOVED) {
        state.Removed = WdfTrue;
    } else {
        return STATUS_INVALID_PARAMETER;
    }
    WdfDeviceSetDeviceState(target, &state);
    return STATUS_SUCCESS;
}

VOID KhBusFdoControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength,
                     ULONG IoControlCode)
{
    WDFDEVICE device = WdfIoQueueGetDevice(Queue);
    WDFCHILDLIST list = WdfFdoGetDefaultChildList(device);
    ULONG *serial = NULL;
    PVOID output = NULL;
    size_t information = 0;
    NTSTATUS status = STATUS_SUCCESS;
    UNREFERENCED_PARAMETER(OutputBufferLength);
    if (IoControlCode == IOCTL_KHBUS_PLUG || IoControlCode == IOCTL_KHBUS_UNPLUG || IoControlCode == IOCTL_KHBUS_EJECT ||
        IoControlCode == IOCTL_KHBUS_DELETE) {
        status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&serial, NULL);
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
            return;
        }
    }
    KHBUS_DESCRIPTION description;
    KhBusDescription(&description, serial != NULL ? *serial : 0);
    switch (IoControlCode) {
    case IOCTL_KHBUS_PLUG:
        status = WdfChildListAddOrUpdateChildDescriptionAsPresent(list, &description.Header, NULL);
        break;
    case IOCTL_KHBUS_UNPLUG:
        if (*serial == 0) {
            WdfChildListBeginScan(list);
            WdfChildListEndScan(list);
        } else {
            status = WdfChildListUpdateChildDescriptionAsMissing(list, &description.Header);
        }
        break;
    case IOCTL_KHBUS_EJECT:
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), &output, NULL);
        if (NT_SUCCESS(status)) {
            *(ULONG *)output = WdfChildListRequestChildEject(list, &description.Header);
            information = sizeof(ULONG);
        }
        break;
    case IOCTL_KHBUS_STATIC_MISSING:
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), &output, NULL);
        if (NT_SUCCESS(status)) {
            *(ULONG *)output = (ULONG)WdfPdoMarkMissing(KhBusFdo(device)->StaticChild);
            information = sizeof(ULONG);
        }
        break;
    case IOCTL_KHBUS_STATIC_EJECT:
        WdfPdoRequestEject(KhBusFdo(device)->StaticChild);
        break;
    case IOCTL_KHBUS_DELETE:
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), &output, NULL);
        if (NT_SUCCESS(status)) {
            *(ULONG *)output = (ULONG)KhBusDelete(device, *serial);
            information = sizeof(ULONG);
        }
        break;
    case IOCTL_KHBUS_SET_STATE: {
        ULONG *input = NULL;
        status = WdfRequestRetrieveInputBuffer(Request, 2 * sizeof(ULONG), (PVOID *)&input, NULL);
        if (NT_SUCCESS(status)) {
            status = KhBusSetState(device, input);
        }
        break;
    }
    case IOCTL_KHBUS_RELATE: {
        ULONG *input = NULL;
        status = WdfRequestRetrieveInputBuffer(Request, 3 * sizeof(ULONG), (PVOID *)&input, NULL);
        if (NT_SUCCESS(status)) {
            status = KhBusRelate(device, input);
        }
        break;
    }
    case IOCTL_KHBUS_COUNTS:
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(KHBUS_COUNTS), &output, NULL);
        if (NT_SUCCESS(status)) {
            KhBusCounts(device, output);
            information = sizeof(KHBUS_COUNTS);
        }
        break;
    case IOCTL_KHBUS_BAD_INPUT:
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(KHBUS_BAD_INPUT), &output, NULL);
        if (NT_SUCCESS(status)) {
            KhBusBadInput(device, output);
            information = sizeof(KHBUS_BAD_INPUT);
        }
        break;
    case IOCTL_KHBUS_RESCAN: {
        ULONG *serials = NULL;
        size_t length = 0;
        status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&serials, &length);
        if (NT_SUCCESS(status)) {
            /* A scan: the children reported now are present, the others missing. */
            WdfChildListBeginScan(list);
            for (size_t i = 0; i < length / sizeof(ULONG) && i < InputBufferLength / sizeof(ULONG); i++) {
                KhBusDescription(&description, serials[i]);
                (void)WdfChildListAddOrUpdateChildDescriptionAsPresent(list, &description.Header, NULL);
            }
            WdfChildListEndScan(list);
        }
        break;
    }
    case IOCTL_KHBUS_TEXT: {
        PWCHAR text = NULL;
        size_t length = 0;
        status = WdfRequestRetrieveInputBuffer(Request, sizeof(WCHAR), (PVOID *)&text, &length);
        if (NT_SUCCESS(status)) {
            /* What the buffer holds, read as the driver's 16-bit WCHARs. */
            ULONG units = 0;
            while (units < length / sizeof(WCHAR) && text[units] != UNICODE_NULL) {
                units++;
            }
            static const WCHAR expected[] = KHBUS_TEXT;
            BOOLEAN same = length == sizeof(expected) && RtlCompareMemory(text, expected, length) == length;
            status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), &output, NULL);
            if (NT_SUCCESS(status)) {
                *(ULONG *)output = units;
                information = sizeof(ULONG);
                status = same ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
                if (!same) {
                    KdPrint(("khbus: IOCTL_KHBUS_TEXT: %lu bytes, %lu WCHARs: not the expected text\n", (ULONG)length,
                             units));
                }
            }
        }
        break;
    }
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    WdfRequestCompleteWithInformation(Request, status, information);
}

VOID KhBusPdoControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength,
                     ULONG IoControlCode)
{
    WDFDEVICE pdo = WdfIoQueueGetDevice(Queue);
    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);
    if (IoControlCode == IOCTL_KHBUS_PDO_WHO) {
        PVOID output;
        NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), &output, NULL);
        if (NT_SUCCESS(status)) {
            *(ULONG *)output = KhBusPdo(pdo)->Serial;
        }
        WdfRequestCompleteWithInformation(Request, status, NT_SUCCESS(status) ? sizeof(ULONG) : 0);
        return;
    }
    if (IoControlCode == IOCTL_KHBUS_PDO_PARK) {
        /* The framework cancels it when the child goes (its queues are purged). */
        NTSTATUS status = WdfRequestForwardToIoQueue(Request, KhBusPdo(pdo)->Parked);
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
        }
        return;
    }
    WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
}
