/*
 * fxqueryinterface.c - driver-defined interfaces that other drivers get with
 * IRP_MN_QUERY_INTERFACE (WdfDeviceAddQueryInterface, wdfqueryinterface.h).
 *
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfqueryinterface/nf-wdfqueryinterface-wdfdeviceaddqueryinterface
 * and "Using Driver-Defined Interfaces": the framework keeps a copy of the interface
 * structure (Interface->Size bytes; a missing InterfaceReference or InterfaceDereference
 * becomes a no-op). When an IRP_MN_QUERY_INTERFACE for its GUID reaches the device, the
 * framework checks that the requester's buffer is large enough (Size) and the requested
 * Version is not older than the interface's (else STATUS_INVALID_BUFFER_SIZE), copies the
 * interface into the requester's buffer (unless ImportInterface: then the driver reads
 * the requester's), calls EvtDeviceProcessQueryInterfaceRequest if given (a failure other
 * than STATUS_NOT_SUPPORTED fails the request), calls the copy's InterfaceReference and,
 * for a function or filter device, passes the IRP down with that status before completing
 * it. A query for another GUID goes down the stack untouched. A PDO's interface added
 * with SendQueryToParentStack is answered by the parent device's stack: the framework
 * sends it the same query (FxSendQueryInterface, which WdfFdoQueryForInterface uses too).
 *
 * Checked as KMDF checks: PASSIVE_LEVEL (else STATUS_INVALID_DEVICE_REQUEST), not a
 * control device (STATUS_INVALID_DEVICE_REQUEST), the config's Size
 * (STATUS_INFO_LENGTH_MISMATCH), an interface type, an Interface unless it is imported,
 * a callback when it is imported, SendQueryToParentStack only on a PDO, and
 * Interface->Size >= sizeof(INTERFACE) (STATUS_INVALID_PARAMETER).
 */
#include <stdlib.h>
#include <string.h>

#include "wdf/fxp.h"

typedef struct FX_QUERY_INTERFACE {
    struct FX_QUERY_INTERFACE *Next;
    FX_DEVICE *Device;
    GUID InterfaceType;
    PINTERFACE Interface; /* the framework's copy, or NULL (imported without one) */
    BOOLEAN ImportInterface;
    BOOLEAN SendQueryToParentStack;
    PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST EvtProcess;
} FX_QUERY_INTERFACE;

/* Every device's interfaces, newest first, under FxQueryInterfaceLock. */
static FX_QUERY_INTERFACE *FxQueryInterfaces;
static HOS_MUTEX FxQueryInterfaceLock;

__attribute__((constructor)) static void FxQueryInterfaceInit(void) { HosMutexInit(&FxQueryInterfaceLock); }

static VOID FxInterfaceNoOp(PVOID Context) { UNREFERENCED_PARAMETER(Context); }

WDFAPI NTSTATUS WdfDeviceAddQueryInterface(WDFDEVICE Device, PWDF_QUERY_INTERFACE_CONFIG InterfaceConfig)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfDeviceAddQueryInterface");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (InterfaceConfig == NULL || InterfaceConfig->InterfaceType == NULL) {
        FxReport(device->Object.Driver, "ASSERTION_FAILED",
                 "WdfDeviceAddQueryInterface without a config or an interface type");
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL || device->Control) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (InterfaceConfig->Size != sizeof(WDF_QUERY_INTERFACE_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    PINTERFACE interface = InterfaceConfig->Interface;
    /* A framework PDO is a device without a lower device of its own driver's making: the
       host's framework devices with a Lower are function or filter devices. */
    bool pdo = device->Lower == NULL;
    if (InterfaceConfig->SendQueryToParentStack && !pdo) {
        return STATUS_INVALID_PARAMETER;
    }
    if (interface == NULL && !InterfaceConfig->SendQueryToParentStack && !InterfaceConfig->ImportInterface) {
        return STATUS_INVALID_PARAMETER;
    }
    if (InterfaceConfig->ImportInterface && InterfaceConfig->EvtDeviceProcessQueryInterfaceRequest == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (interface != NULL && interface->Size < sizeof(INTERFACE)) {
        return STATUS_INVALID_PARAMETER;
    }
    FX_QUERY_INTERFACE *entry = calloc(1, sizeof(*entry));
    if (entry == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (interface != NULL) {
        entry->Interface = malloc(interface->Size);
        if (entry->Interface == NULL) {
            free(entry);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memcpy(entry->Interface, interface, interface->Size);
        if (entry->Interface->InterfaceReference == NULL) {
            entry->Interface->InterfaceReference = FxInterfaceNoOp;
        }
        if (entry->Interface->InterfaceDereference == NULL) {
            entry->Interface->InterfaceDereference = FxInterfaceNoOp;
        }
    }
    entry->Device = device;
    entry->InterfaceType = *InterfaceConfig->InterfaceType;
    entry->ImportInterface = InterfaceConfig->ImportInterface;
    entry->SendQueryToParentStack = InterfaceConfig->SendQueryToParentStack;
    entry->EvtProcess = InterfaceConfig->EvtDeviceProcessQueryInterfaceRequest;
    HosMutexLock(&FxQueryInterfaceLock);
    entry->Next = FxQueryInterfaces;
    FxQueryInterfaces = entry;
    HosMutexUnlock(&FxQueryInterfaceLock);
    return STATUS_SUCCESS;
}

void FxQueryInterfacesDelete(FX_DEVICE *Device)
{
    HosMutexLock(&FxQueryInterfaceLock);
    FX_QUERY_INTERFACE **link = &FxQueryInterfaces;
    while (*link != NULL) {
        FX_QUERY_INTERFACE *entry = *link;
        if (entry->Device == Device) {
            *link = entry->Next;
            free(entry->Interface);
            free(entry);
        } else {
            link = &entry->Next;
        }
    }
    HosMutexUnlock(&FxQueryInterfaceLock);
}

NTSTATUS FxQueryInterfaceHandle(FX_DEVICE *Device, PIRP Irp, bool *Handled, bool *PassDown)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    const GUID *type = stack->Parameters.QueryInterface.InterfaceType;
    PINTERFACE exposed = stack->Parameters.QueryInterface.Interface;
    PVOID specific = stack->Parameters.QueryInterface.InterfaceSpecificData;
    NTSTATUS status = Irp->IoStatus.Status;
    FX_QUERY_INTERFACE *found = NULL;
    PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST process = NULL;
    PINTERFACE copy = NULL;
    bool toParent = false;
    *Handled = false;
    *PassDown = false;
    if (type == NULL) {
        return status;
    }
    HosMutexLock(&FxQueryInterfaceLock);
    for (FX_QUERY_INTERFACE *entry = FxQueryInterfaces; entry != NULL; entry = entry->Next) {
        if (entry->Device != Device || !IsEqualGUID(&entry->InterfaceType, type)) {
            continue;
        }
        found = entry;
        if (entry->Interface != NULL) {
            if (entry->Interface->Size > stack->Parameters.QueryInterface.Size ||
                entry->Interface->Version > stack->Parameters.QueryInterface.Version) {
                status = STATUS_INVALID_BUFFER_SIZE;
                break;
            }
            if (!entry->ImportInterface) {
                memcpy(exposed, entry->Interface, entry->Interface->Size);
            }
            copy = entry->Interface;
        }
        process = entry->EvtProcess;
        toParent = entry->SendQueryToParentStack;
        status = STATUS_SUCCESS;
        break;
    }
    HosMutexUnlock(&FxQueryInterfaceLock);
    if (found == NULL) {
        return status;
    }
    *Handled = true;
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (process != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, Device->Object.Driver, NULL, "EvtDeviceProcessQueryInterfaceRequest", Device);
        status = process((WDFDEVICE)Device, (LPGUID)type, exposed, specific);
        FxCallbackLeave(&frame);
        if (!NT_SUCCESS(status) && status != STATUS_NOT_SUPPORTED) {
            return status;
        }
    }
    if (toParent) {
        /* A bus driver's child: the parent's stack answers (and references it). */
        FX_DEVICE *parent = Device->PdoData != NULL ? Device->PdoData->Parent : NULL;
        *PassDown = false;
        return parent != NULL ? FxSendQueryInterface(parent->Fdo, stack) : STATUS_NOT_SUPPORTED;
    }
    (void)copy;
    if (exposed->InterfaceReference != NULL) {
        exposed->InterfaceReference(exposed->Context);
    }
    /* A function or filter device lets the drivers below see the answered query. */
    *PassDown = true;
    return status;
}

static NTSTATUS FxQuerySignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRP_MN_QUERY_INTERFACE with Stack's parameters, sent to the top of Device's stack
   (WdfFdoQueryForInterface, a child's SendQueryToParentStack) and waited for. */
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
    /* A PnP IRP starts as not supported, as its senders must set it. */
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
