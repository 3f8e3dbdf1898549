/*
 * fxqueryinterface.c - driver-defined interfaces (wdfqueryinterface.h): a device exposes
 * an INTERFACE by GUID, and the framework answers IRP_MN_QUERY_INTERFACE for it
 * ("Using Driver-Defined Interfaces"). A bus driver's PDO may instead pass the query on
 * to its parent's stack (SendQueryToParentStack).
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/using-driver-defined-interfaces
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-interface
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

typedef struct FX_QUERY_INTERFACE {
    struct FX_QUERY_INTERFACE *Next;
    GUID Type;
    bool SendToParent;
    bool Import;
    PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST EvtProcess;
    _Alignas(16) unsigned char Interface[]; /* a copy of the driver's, Size bytes */
} FX_QUERY_INTERFACE;

/*
 * WdfDeviceAddQueryInterface: the framework keeps a copy of the interface (its Size
 * bytes) and answers queries for InterfaceType with it. STATUS_INVALID_PARAMETER for a
 * config without an interface or a type, an interface smaller than INTERFACE, or
 * SendQueryToParentStack on a device that is not a PDO.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfqueryinterface/nf-wdfqueryinterface-wdfdeviceaddqueryinterface
 */
WDFAPI NTSTATUS WdfDeviceAddQueryInterface(WDFDEVICE Device, PWDF_QUERY_INTERFACE_CONFIG InterfaceConfig)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceAddQueryInterface");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (InterfaceConfig == NULL || InterfaceConfig->Size != sizeof(WDF_QUERY_INTERFACE_CONFIG) ||
        InterfaceConfig->Interface == NULL || InterfaceConfig->InterfaceType == NULL ||
        InterfaceConfig->Interface->Size < sizeof(INTERFACE) ||
        (InterfaceConfig->SendQueryToParentStack && device->PdoData == NULL) ||
        (InterfaceConfig->ImportInterface && InterfaceConfig->EvtDeviceProcessQueryInterfaceRequest == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    size_t size = InterfaceConfig->Interface->Size;
    FX_QUERY_INTERFACE *entry = KhAllocationShouldFail() ? NULL : calloc(1, sizeof(*entry) + size);
    if (entry == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    entry->Type = *InterfaceConfig->InterfaceType;
    entry->SendToParent = InterfaceConfig->SendQueryToParentStack;
    entry->Import = InterfaceConfig->ImportInterface;
    entry->EvtProcess = InterfaceConfig->EvtDeviceProcessQueryInterfaceRequest;
    memcpy(entry->Interface, InterfaceConfig->Interface, size);
    HosMutexLock(&device->Lock);
    entry->Next = device->QueryInterfaces;
    device->QueryInterfaces = entry;
    HosMutexUnlock(&device->Lock);
    return STATUS_SUCCESS;
}

void FxQueryInterfacesFree(FX_DEVICE *Device)
{
    while (Device->QueryInterfaces != NULL) {
        FX_QUERY_INTERFACE *next = Device->QueryInterfaces->Next;
        free(Device->QueryInterfaces);
        Device->QueryInterfaces = next;
    }
}

static NTSTATUS FxQuerySignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS FxSendQueryInterface(PDEVICE_OBJECT Device, PIO_STACK_LOCATION Stack)
{
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(Device);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (irp == NULL) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_PNP;
    next->MinorFunction = IRP_MN_QUERY_INTERFACE;
    next->Parameters.QueryInterface = Stack->Parameters.QueryInterface;
    IoSetCompletionRoutine(irp, FxQuerySignal, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(top, irp) == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    }
    NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    ObDereferenceObject(top);
    return status;
}

/* The same query, sent to the top of the parent device's stack and waited for. */
static NTSTATUS FxQueryParentStack(FX_DEVICE *Device, PIO_STACK_LOCATION Stack)
{
    FX_DEVICE *parent = Device->PdoData != NULL ? Device->PdoData->Parent : NULL;
    if (parent == NULL) {
        return STATUS_NOT_SUPPORTED;
    }
    return FxSendQueryInterface(parent->Fdo, Stack);
}

bool FxQueryInterfaceDispatch(FX_DEVICE *Device, PIRP Irp, NTSTATUS *Status)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    const GUID *type = stack->Parameters.QueryInterface.InterfaceType;
    if (type == NULL) {
        return false;
    }
    HosMutexLock(&Device->Lock);
    FX_QUERY_INTERFACE *entry = Device->QueryInterfaces;
    while (entry != NULL && memcmp(&entry->Type, type, sizeof(GUID)) != 0) {
        entry = entry->Next;
    }
    HosMutexUnlock(&Device->Lock);
    if (entry == NULL) {
        return false; /* not ours: down the stack, or, at a PDO, completed as it is */
    }
    NTSTATUS status;
    if (entry->SendToParent) {
        status = FxQueryParentStack(Device, stack);
    } else {
        PINTERFACE ours = (PINTERFACE)entry->Interface;
        PINTERFACE theirs = stack->Parameters.QueryInterface.Interface;
        USHORT size = stack->Parameters.QueryInterface.Size;
        if (theirs == NULL || size < sizeof(INTERFACE)) {
            status = STATUS_INVALID_PARAMETER;
        } else {
            /* The exposed interface is the driver's copy, as much of it as the requester
               has room for; an imported one is the requester's (ImportInterface). */
            if (!entry->Import) {
                memcpy(theirs, ours, size < ours->Size ? size : ours->Size);
                theirs->Size = size < ours->Size ? size : ours->Size;
            }
            status = STATUS_SUCCESS;
            if (entry->EvtProcess != NULL) {
                FX_CALLBACK_FRAME frame;
                FxCallbackEnter(&frame, Device->Object.Driver, NULL, "EvtDeviceProcessQueryInterfaceRequest", Device);
                status = entry->EvtProcess((WDFDEVICE)Device, (LPGUID)type, theirs,
                                           stack->Parameters.QueryInterface.InterfaceSpecificData);
                FxCallbackLeave(&frame);
            }
            /* The provider references the interface it hands out; the requester
               dereferences it when done. */
            if (NT_SUCCESS(status) && theirs->InterfaceReference != NULL) {
                theirs->InterfaceReference(theirs->Context);
            }
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    *Status = status;
    return true;
}
