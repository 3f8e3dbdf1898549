/*
 * fxfdo.c - the function and filter device methods of wdffdo.h.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

/*
 * WdfFdoInitSetFilter: the device is an upper or lower filter. The framework then gives
 * it the I/O type and device type of the device below (WdfDeviceCreate), passes down the
 * requests of a type it has no queue for (fxio.c) and, when it has no
 * EvtDeviceFileCreate, creates, cleanups and closes (fxfileobject.c), instead of failing
 * or completing them as it does for a function driver.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitsetfilter
 */
WDFAPI VOID WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "WdfFdoInitSetFilter called with a NULL PWDFDEVICE_INIT");
        return;
    }
    DeviceInit->Filter = true;
}

/* ------------------------------------------------------------ bus drivers */

/*
 * WdfFdoInitSetDefaultChildListConfig: the FDO gets a default child list (dynamic
 * enumeration) when WdfDeviceCreate creates it.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitsetdefaultchildlistconfig
 */
WDFAPI VOID WdfFdoInitSetDefaultChildListConfig(PWDFDEVICE_INIT DeviceInit, PWDF_CHILD_LIST_CONFIG Config,
                                                PWDF_OBJECT_ATTRIBUTES DefaultChildListAttributes)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "WdfFdoInitSetDefaultChildListConfig called with a NULL PWDFDEVICE_INIT");
        return;
    }
    if (Config == NULL || Config->Size != sizeof(WDF_CHILD_LIST_CONFIG) || Config->EvtChildListCreateDevice == NULL ||
        Config->IdentificationDescriptionSize < sizeof(WDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER)) {
        FxReport(DeviceInit->Driver, "INVALID_HANDLE",
                 "WdfFdoInitSetDefaultChildListConfig called with an invalid WDF_CHILD_LIST_CONFIG");
        return;
    }
    DeviceInit->HasDefaultChildList = true;
    DeviceInit->DefaultChildListConfig = *Config;
    DeviceInit->HasDefaultChildListAttributes = DefaultChildListAttributes != NULL;
    if (DefaultChildListAttributes != NULL) {
        DeviceInit->DefaultChildListAttributes = *DefaultChildListAttributes;
    }
}

WDFAPI WDFCHILDLIST WdfFdoGetDefaultChildList(WDFDEVICE Fdo)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Fdo, FxTypeDevice, "WdfFdoGetDefaultChildList");
    return device != NULL ? (WDFCHILDLIST)device->DefaultChildList : NULL;
}

/* The FDO's static list, created at the first static child. */
static FX_CHILDLIST *FxStaticList(FX_DEVICE *Device, bool Create)
{
    HosMutexLock(&Device->Lock);
    FX_CHILDLIST *list = Device->StaticChildList;
    HosMutexUnlock(&Device->Lock);
    if (list == NULL && Create) {
        WDF_OBJECT_ATTRIBUTES attributes;
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
        if (NT_SUCCESS(FxChildListCreate(Device, NULL, &attributes, true, &list))) {
            HosMutexLock(&Device->Lock);
            Device->StaticChildList = list;
            HosMutexUnlock(&Device->Lock);
        }
    }
    return list;
}

/*
 * WdfFdoAddStaticChild: a PDO the driver created (WdfPdoInitAllocate, WdfDeviceCreate)
 * becomes a child of the FDO, reported at the next enumeration.
 * STATUS_INVALID_PARAMETER when Child is not a PDO of Fdo, or was added already.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoaddstaticchild
 */
WDFAPI NTSTATUS WdfFdoAddStaticChild(WDFDEVICE Fdo, WDFDEVICE Child)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Fdo, FxTypeDevice, "WdfFdoAddStaticChild");
    FX_DEVICE *child = (FX_DEVICE *)FxObjectFromHandle(Child, FxTypeDevice, "WdfFdoAddStaticChild");
    if (device == NULL || child == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (child->PdoData == NULL || child->PdoData->Parent != device || child->PdoData->Child != NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    FX_CHILDLIST *list = FxStaticList(device, true);
    FX_CHILD *entry = KhAllocationShouldFail() ? NULL : calloc(1, sizeof(*entry));
    if (list == NULL || entry == NULL) {
        free(entry);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    entry->List = list;
    entry->Pdo = child;
    entry->Present = true;
    child->PdoData->Child = entry;
    /* From now on the framework owns the PDO: WdfObjectDelete on it is reported. */
    child->Object.NoDriverDelete = true;
    HosMutexLock(&list->Lock);
    /* Kept in the order the driver added them. */
    FX_CHILD **link = &list->Children;
    while (*link != NULL) {
        link = &(*link)->Next;
    }
    *link = entry;
    HosMutexUnlock(&list->Lock);
    if (device->Pdo != NULL) {
        IoInvalidateDeviceRelations(device->Pdo, BusRelations);
    }
    return STATUS_SUCCESS;
}

/*
 * Iteration of the static children: lock, retrieve each (WdfRetrievePresentChildren,
 * WdfRetrieveMissingChildren ...), unlock. The position is the last device returned.
 */
WDFAPI VOID WdfFdoLockStaticChildListForIteration(WDFDEVICE Fdo)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Fdo, FxTypeDevice, "WdfFdoLockStaticChildListForIteration");
    FX_CHILDLIST *list = device != NULL ? FxStaticList(device, true) : NULL;
    if (list != NULL) {
        HosMutexLock(&list->Lock);
        list->StaticLocked = true;
        HosMutexUnlock(&list->Lock);
    }
}

WDFAPI WDFDEVICE WdfFdoRetrieveNextStaticChild(WDFDEVICE Fdo, WDFDEVICE PreviousChild, ULONG Flags)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Fdo, FxTypeDevice, "WdfFdoRetrieveNextStaticChild");
    FX_CHILDLIST *list = device != NULL ? FxStaticList(device, false) : NULL;
    if (list == NULL) {
        return NULL;
    }
    HosMutexLock(&list->Lock);
    if (!list->StaticLocked) {
        HosMutexUnlock(&list->Lock);
        FxReport(device->Object.Driver, "INVALID_HANDLE",
                 "WdfFdoRetrieveNextStaticChild without WdfFdoLockStaticChildListForIteration");
        return NULL;
    }
    FX_CHILD *child = list->Children;
    if (PreviousChild != NULL) {
        while (child != NULL && (WDFDEVICE)child->Pdo != PreviousChild) {
            child = child->Next;
        }
        child = child != NULL ? child->Next : NULL;
    }
    for (; child != NULL; child = child->Next) {
        ULONG kind = child->Present ? WdfRetrievePresentChildren : WdfRetrieveMissingChildren;
        if (Flags & kind) {
            break;
        }
    }
    WDFDEVICE result = child != NULL ? (WDFDEVICE)child->Pdo : NULL;
    HosMutexUnlock(&list->Lock);
    return result;
}

WDFAPI VOID WdfFdoUnlockStaticChildListFromIteration(WDFDEVICE Fdo)
{
    FX_DEVICE *device =
        (FX_DEVICE *)FxObjectFromHandle(Fdo, FxTypeDevice, "WdfFdoUnlockStaticChildListFromIteration");
    FX_CHILDLIST *list = device != NULL ? FxStaticList(device, false) : NULL;
    if (list != NULL) {
        HosMutexLock(&list->Lock);
        list->StaticLocked = false;
        HosMutexUnlock(&list->Lock);
        /* Changes made while locked are reported now. */
        if (device->Pdo != NULL) {
            IoInvalidateDeviceRelations(device->Pdo, BusRelations);
        }
    }
}

/*
 * WdfFdoQueryForInterface: IRP_MN_QUERY_INTERFACE sent to the top of the device's own
 * stack (drivers above first, then down to the bus), at PASSIVE_LEVEL; the interface's
 * provider has referenced it, and the caller dereferences it when done.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoqueryforinterface
 */
WDFAPI NTSTATUS WdfFdoQueryForInterface(WDFDEVICE Fdo, LPCGUID InterfaceType, PINTERFACE Interface, USHORT Size,
                                        USHORT Version, PVOID InterfaceSpecificData)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Fdo, FxTypeDevice, "WdfFdoQueryForInterface");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (InterfaceType == NULL || Interface == NULL || Size < sizeof(INTERFACE)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        FxReport(device->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT",
                 "WdfFdoQueryForInterface (which waits for the query) called at IRQL %u", (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_STATE;
    }
    IO_STACK_LOCATION stack;
    memset(&stack, 0, sizeof(stack));
    stack.Parameters.QueryInterface.InterfaceType = InterfaceType;
    stack.Parameters.QueryInterface.Size = Size;
    stack.Parameters.QueryInterface.Version = Version;
    stack.Parameters.QueryInterface.Interface = Interface;
    stack.Parameters.QueryInterface.InterfaceSpecificData = InterfaceSpecificData;
    return FxSendQueryInterface(device->Fdo, &stack);
}

/* The PDO a WDFDEVICE_INIT of EvtDriverDeviceAdd is for (NULL for a control device's). */
static PDEVICE_OBJECT FxInitPdo(PWDFDEVICE_INIT DeviceInit, const char *Api)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "%s called with a NULL PWDFDEVICE_INIT", Api);
        return NULL;
    }
    return DeviceInit->Control ? NULL : DeviceInit->Pdo;
}

/*
 * WdfFdoInitWdmGetPhysicalDevice: the PDO of the device EvtDriverDeviceAdd is adding, for
 * a driver that needs the WDM object before WdfDeviceCreate (NULL for a control
 * device's WDFDEVICE_INIT, which has none).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitwdmgetphysicaldevice
 */
WDFAPI PDEVICE_OBJECT WdfFdoInitWdmGetPhysicalDevice(PWDFDEVICE_INIT DeviceInit)
{
    return FxInitPdo(DeviceInit, "WdfFdoInitWdmGetPhysicalDevice");
}

/*
 * WdfFdoInitQueryProperty, WdfFdoInitAllocAndQueryProperty, WdfFdoInitOpenRegistryKey:
 * what the WdfDevice forms give, from EvtDriverDeviceAdd before the device exists (for
 * example a filter deciding whether to attach); a key's parent is the driver.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitqueryproperty
 */
WDFAPI NTSTATUS WdfFdoInitQueryProperty(PWDFDEVICE_INIT DeviceInit,
                                        DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength,
                                        PVOID PropertyBuffer, PULONG ResultLength)
{
    PDEVICE_OBJECT pdo = FxInitPdo(DeviceInit, "WdfFdoInitQueryProperty");
    if (DeviceInit == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxQueryProperty(DeviceInit->Driver, pdo, DeviceProperty, BufferLength, PropertyBuffer,
                           ResultLength, "WdfFdoInitQueryProperty");
}

WDFAPI NTSTATUS WdfFdoInitAllocAndQueryProperty(PWDFDEVICE_INIT DeviceInit,
                                                DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                                POOL_TYPE PoolType,
                                                PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes,
                                                WDFMEMORY *PropertyMemory)
{
    PDEVICE_OBJECT pdo = FxInitPdo(DeviceInit, "WdfFdoInitAllocAndQueryProperty");
    if (DeviceInit == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxAllocAndQueryProperty(DeviceInit->Driver, pdo, DeviceProperty, PoolType,
                                   PropertyMemoryAttributes, PropertyMemory,
                                   "WdfFdoInitAllocAndQueryProperty");
}

WDFAPI NTSTATUS WdfFdoInitOpenRegistryKey(PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType,
                                          ACCESS_MASK DesiredAccess,
                                          PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    PDEVICE_OBJECT pdo = FxInitPdo(DeviceInit, "WdfFdoInitOpenRegistryKey");
    if (DeviceInit == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxOpenDeviceKey(DeviceInit->Driver, &DeviceInit->Driver->Object, pdo,
                           DeviceInstanceKeyType, DesiredAccess, KeyAttributes, Key,
                           "WdfFdoInitOpenRegistryKey");
}
