/*
 * polimit.c - power limit requests: a power limit policy driver's requests on a power
 * limit client device (PoCreatePowerLimitRequest, PoQueryPowerLimitAttributes,
 * PoSetPowerLimitValue, PoQueryPowerLimitValue, PoDeletePowerLimitRequest).
 *
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pocreatepowerlimitrequest
 * and the pages it links: a request object is created for a target device and a policy
 * device; through it the policy reads the target's power limit attributes, sets and
 * reads its limit values, and it is deleted when the policy no longer controls the
 * device. A client exposes its power limit domains as GUID_POWER_LIMIT_INTERFACE
 * (poclass.h's POWER_LIMIT_INTERFACE: QueryAttributes, SetPowerLimit, QueryPowerLimit,
 * answered to IRP_MN_QUERY_INTERFACE). The host's request queries that interface from
 * the top of the target's stack when it is created (version 1, at PASSIVE_LEVEL; a
 * target without it fails the creation with the query's status, STATUS_NOT_SUPPORTED
 * when no driver answers), calls the interface's functions with the caller's buffers,
 * and dereferences the interface when deleted. The request holds a reference on the
 * target device object.
 *
 * How Windows combines the limits of several policies' requests on one device is not
 * documented: the host takes one request per target device at a time, and reports a
 * second one as UNIMPLEMENTED_DDI rather than guess.
 */
#include <string.h>

#include <poclass.h>

#include "io/iop.h"

#define KH_POWER_LIMIT_TAG 'mLoP'

typedef struct _KH_POWER_LIMIT_REQUEST {
    LIST_ENTRY Link; /* KhPowerLimitRequests, under KhPowerLimitLock */
    PDEVICE_OBJECT Target;
    PDEVICE_OBJECT Policy;
    POWER_LIMIT_INTERFACE Interface;
} KH_POWER_LIMIT_REQUEST;

/* GUID_POWER_LIMIT_INTERFACE (wdmguid.h), whose storage is the drivers' (INITGUID). */
static const GUID KhPowerLimitInterfaceGuid = {0x3b96f4f2, 0xce49, 0x44d1, {0x91, 0xf8, 0x65, 0x2b, 0x81, 0x21, 0xe9, 0x3a}};

static KSPIN_LOCK KhPowerLimitLock; /* a zero KSPIN_LOCK is an initialized one */
static LIST_ENTRY KhPowerLimitRequests = {&KhPowerLimitRequests, &KhPowerLimitRequests};

static NTSTATUS KhPowerLimitQueryDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRP_MN_QUERY_INTERFACE for GUID_POWER_LIMIT_INTERFACE to the top of Target's stack. */
static NTSTATUS KhQueryPowerLimitInterface(PDEVICE_OBJECT Target, POWER_LIMIT_INTERFACE *Interface)
{
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(Target);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (irp == NULL) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* what a PnP IRP starts with */
    irp->IoStatus.Information = 0;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = IRP_MJ_PNP;
    stack->MinorFunction = IRP_MN_QUERY_INTERFACE;
    stack->Parameters.QueryInterface.InterfaceType = &KhPowerLimitInterfaceGuid;
    stack->Parameters.QueryInterface.Size = sizeof(*Interface);
    stack->Parameters.QueryInterface.Version = POWER_LIMIT_INTERFACE_VERSION;
    stack->Parameters.QueryInterface.Interface = (PINTERFACE)Interface;
    stack->Parameters.QueryInterface.InterfaceSpecificData = NULL;
    IoSetCompletionRoutine(irp, KhPowerLimitQueryDone, &done, TRUE, TRUE, TRUE);
    /* The completion routine signals in every case, and keeps the IRP for freeing here. */
    (void)IoCallDriver(top, irp);
    KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    ObDereferenceObject(top);
    return status;
}

NTKERNELAPI NTSTATUS NTAPI PoCreatePowerLimitRequest(PVOID *PowerLimitRequest, PDEVICE_OBJECT TargetDeviceObject,
                                                     PDEVICE_OBJECT PolicyDeviceObject,
                                                     PCOUNTED_REASON_CONTEXT Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (PowerLimitRequest == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *PowerLimitRequest = NULL;
    if (TargetDeviceObject == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        KhVerifierReport("IRQL_TOO_HIGH_FOR_WAIT",
                         "PoCreatePowerLimitRequest (which queries the target's interface) called at IRQL %u",
                         (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_STATE;
    }
    KIRQL irql;
    KeAcquireSpinLock(&KhPowerLimitLock, &irql);
    for (PLIST_ENTRY e = KhPowerLimitRequests.Flink; e != &KhPowerLimitRequests; e = e->Flink) {
        if (CONTAINING_RECORD(e, KH_POWER_LIMIT_REQUEST, Link)->Target == TargetDeviceObject) {
            KeReleaseSpinLock(&KhPowerLimitLock, irql);
            KhBugCheckReport("UNIMPLEMENTED_DDI",
                             "PoCreatePowerLimitRequest: a second power limit request on device %p (how Windows "
                             "combines several policies' limits is not documented; the host takes one request per "
                             "device)",
                             (void *)TargetDeviceObject);
        }
    }
    KeReleaseSpinLock(&KhPowerLimitLock, irql);

    KH_POWER_LIMIT_REQUEST *request = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *request, KH_POWER_LIMIT_TAG);
    if (request == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = KhQueryPowerLimitInterface(TargetDeviceObject, &request->Interface);
    if (NT_SUCCESS(status) &&
        (request->Interface.QueryAttributes == NULL || request->Interface.SetPowerLimit == NULL ||
         request->Interface.QueryPowerLimit == NULL)) {
        /* An answer without the functions is no power limit interface. */
        if (request->Interface.InterfaceDereference != NULL) {
            request->Interface.InterfaceDereference(request->Interface.Context);
        }
        status = STATUS_NOT_SUPPORTED;
    }
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(request, KH_POWER_LIMIT_TAG);
        return status;
    }
    ObReferenceObject(TargetDeviceObject);
    request->Target = TargetDeviceObject;
    request->Policy = PolicyDeviceObject;
    KeAcquireSpinLock(&KhPowerLimitLock, &irql);
    InsertTailList(&KhPowerLimitRequests, &request->Link);
    KeReleaseSpinLock(&KhPowerLimitLock, irql);
    *PowerLimitRequest = request;
    return STATUS_SUCCESS;
}

NTKERNELAPI VOID NTAPI PoDeletePowerLimitRequest(PVOID PowerLimitRequest)
{
    KH_POWER_LIMIT_REQUEST *request = PowerLimitRequest;
    if (request == NULL) {
        /* Windows stops on the NULL dereference. */
        KhBugCheckReport("BUGCHECK", "PoDeletePowerLimitRequest called with a NULL request");
    }
    KIRQL irql;
    KeAcquireSpinLock(&KhPowerLimitLock, &irql);
    RemoveEntryList(&request->Link);
    KeReleaseSpinLock(&KhPowerLimitLock, irql);
    if (request->Interface.InterfaceDereference != NULL) {
        request->Interface.InterfaceDereference(request->Interface.Context);
    }
    ObDereferenceObject(request->Target);
    ExFreePoolWithTag(request, KH_POWER_LIMIT_TAG);
}

NTKERNELAPI NTSTATUS NTAPI PoQueryPowerLimitAttributes(PVOID PowerLimitRequest, ULONG BufferCount,
                                                       PPOWER_LIMIT_ATTRIBUTES Buffer, PULONG AttributeCount)
{
    KH_POWER_LIMIT_REQUEST *request = PowerLimitRequest;
    if (request == NULL || AttributeCount == NULL || (BufferCount != 0 && Buffer == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    return request->Interface.QueryAttributes(request->Interface.Context, BufferCount, Buffer, AttributeCount);
}

NTKERNELAPI NTSTATUS NTAPI PoSetPowerLimitValue(PVOID PowerLimitRequest, PCOUNTED_REASON_CONTEXT Reason,
                                                ULONG ValueCount, PPOWER_LIMIT_VALUE Values)
{
    KH_POWER_LIMIT_REQUEST *request = PowerLimitRequest;
    UNREFERENCED_PARAMETER(Reason);
    if (request == NULL || ValueCount == 0 || Values == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return request->Interface.SetPowerLimit(request->Interface.Context, ValueCount, Values);
}

NTKERNELAPI NTSTATUS NTAPI PoQueryPowerLimitValue(PVOID PowerLimitRequest, ULONG ValueCount,
                                                  PPOWER_LIMIT_VALUE Values)
{
    KH_POWER_LIMIT_REQUEST *request = PowerLimitRequest;
    if (request == NULL || ValueCount == 0 || Values == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return request->Interface.QueryPowerLimit(request->Interface.Context, ValueCount, Values);
}
