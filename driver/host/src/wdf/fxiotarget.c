/*
 * fxiotarget.c - framework I/O targets (WDFIOTARGET) and sending requests to them.
 *
 * What the host follows, from "Introduction to I/O Targets", "Controlling a General I/O
 * Target's State", "Sending I/O Requests to General I/O Targets" and the method pages:
 *  - A device attached above another device object has a default (local) I/O target,
 *    the next lower driver (WdfDeviceGetIoTarget). The framework starts it when the
 *    device starts, stops it (leaving sent I/O pending) when the device leaves D0,
 *    starts it again on return to D0, and closes it when the device is removed.
 *  - A remote target (WdfIoTargetCreate + WdfIoTargetOpen) is one the driver opens
 *    itself: an existing device object, or a device by name (the file object is held
 *    until WdfIoTargetClose or deletion).
 *  - WdfRequestSend on a started target passes the IRP to the target's driver; on a
 *    stopped target it keeps the request until WdfIoTargetStart (STATUS_WDF_QUEUED for
 *    the caller, still TRUE); on a closed, deleted or purged target it returns FALSE and
 *    WdfRequestGetStatus gives STATUS_INVALID_DEVICE_STATE, and the completion routine
 *    does not run. WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE sends through a stopped
 *    target.
 *  - Requests kept by a stopped target are completed with
 *    STATUS_WDF_DEVICE_REMOVED_NOT_SENT when the target is closed or purged.
 *  - WdfIoTargetStop: WdfIoTargetCancelSentIo cancels and waits, WaitForSentIoToComplete
 *    waits, LeaveSentIoPending does neither.
 *  - The completion routine (WdfRequestSetCompletionRoutine) runs once the target has
 *    completed the request, with WDF_REQUEST_COMPLETION_PARAMS: the IRP's status block,
 *    and for a request formatted by WdfIoTargetFormatRequestForXxx the buffers and
 *    lengths; for WdfRequestFormatRequestUsingCurrentType the type is
 *    WdfRequestTypeNoFormat. The framework does not synchronize it with the queue's
 *    callbacks. A request received from a queue is then the driver's to complete.
 *  - WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET passes the IRP on with the driver's own
 *    stack location (IoSkipCurrentIrpStackLocation): the framework no longer tracks it
 *    and the driver must not touch the request again.
 *  - WDF_REQUEST_SEND_OPTION_SYNCHRONOUS and WdfIoTargetSendXxxSynchronously wait for
 *    the completion (at PASSIVE_LEVEL); with a time-out the request is cancelled when it
 *    runs out and completes with STATUS_IO_TIMEOUT.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>


FX_IOTARGET *FxIoTargetGet(WDFIOTARGET Handle, const char *Api)
{
    return (FX_IOTARGET *)FxObjectFromHandle(Handle, FxTypeIoTarget, Api);
}

/* ------------------------------------------------------------- creation */

static void FxIoTargetDispose(FX_OBJECT *Object);
static NTSTATUS FxTargetReopen(FX_IOTARGET *Target);

static void FxIoTargetDestroy(FX_OBJECT *Object)
{
    FX_IOTARGET *target = (FX_IOTARGET *)Object;
    HosCondDestroy(&target->Idle);
    HosMutexDestroy(&target->Lock);
}

static const FX_OBJECT_OPS FxIoTargetOps = {FxIoTargetDispose, FxIoTargetDestroy};

static NTSTATUS FxIoTargetAllocate(FX_DEVICE *Device, PWDF_OBJECT_ATTRIBUTES Attributes,
                                   FX_IOTARGET **Target)
{
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_IOTARGET), FxTypeIoTarget, Attributes,
                                       Device->Object.Driver, &FxIoTargetOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_IOTARGET *target = (FX_IOTARGET *)object;
    target->Device = Device;
    HosMutexInitOrdering(&target->Lock);
    HosCondInit(&target->Idle);
    FxListInit(&target->SentList);
    FxListInit(&target->Pended);
    /* As KMDF creates it: started, but with no device until WdfIoTargetOpen, so that a
       send fails with STATUS_INVALID_DEVICE_STATE. */
    target->State = WdfIoTargetStarted;
    *Target = target;
    return STATUS_SUCCESS;
}

NTSTATUS FxIoTargetCreateDefault(FX_DEVICE *Device)
{
    FX_IOTARGET *target;
    NTSTATUS status = FxIoTargetAllocate(Device, NULL, &target);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    target->Object.NoDriverDelete = true;
    target->IsDefault = true;
    target->TargetDevice = Device->Lower;
    target->TargetPdo = Device->Pdo;
    /* Created stopped: the device's start starts it. */
    target->State = WdfIoTargetStopped;
    FxObjectInsert(&target->Object, &Device->Object);
    Device->DefaultTarget = target;
    return STATUS_SUCCESS;
}


WDFAPI NTSTATUS WdfIoTargetCreate(WDFDEVICE Device, PWDF_OBJECT_ATTRIBUTES IoTargetAttributes,
                                  WDFIOTARGET *IoTarget)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfIoTargetCreate");
    if (IoTarget != NULL) {
        *IoTarget = NULL;
    }
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (IoTarget == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = FxValidateAttributes(IoTargetAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* "The default parent of each I/O target object is the device object." */
    FX_OBJECT *parent = &device->Object;
    if (IoTargetAttributes != NULL && IoTargetAttributes->ParentObject != NULL) {
        parent = FxObjectFromHandle(IoTargetAttributes->ParentObject, FxTypeAny, "WdfIoTargetCreate");
        if (parent == NULL) {
            return STATUS_INVALID_HANDLE;
        }
    }
    FX_IOTARGET *target;
    status = FxIoTargetAllocate(device, IoTargetAttributes, &target);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FxObjectInsert(&target->Object, parent);
    *IoTarget = (WDFIOTARGET)target;
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------- completion */

static void FxRequestRestoreIrp(FX_REQUEST *Request)
{
    PIRP irp = Request->Irp;
    if (Request->BounceBuffer != NULL) {
        if (Request->BounceOutput != NULL && NT_SUCCESS(irp->IoStatus.Status)) {
            size_t n = irp->IoStatus.Information;
            if (n > Request->BounceOutputLength) {
                n = Request->BounceOutputLength;
            }
            memcpy(Request->BounceOutput, Request->BounceBuffer, n);
        }
        free(Request->BounceBuffer);
        Request->BounceBuffer = NULL;
        Request->BounceOutput = NULL;
    }
    if (Request->FormatMdl != NULL) {
        IoFreeMdl(Request->FormatMdl);
        Request->FormatMdl = NULL;
    }
    if (Request->SavedBuffers) {
        irp->AssociatedIrp.SystemBuffer = Request->SavedSystemBuffer;
        irp->UserBuffer = Request->SavedUserBuffer;
        irp->MdlAddress = Request->SavedMdl;
        Request->SavedBuffers = false;
    }
}

void FxRequestReleaseFormat(FX_REQUEST *Request)
{
    FxRequestRestoreIrp(Request);
}

/* Fills the completion parameters from the IRP (the format set Type and the buffers). */
static void FxCompletionParamsFromIrp(FX_REQUEST *Request)
{
    WDF_REQUEST_COMPLETION_PARAMS *p = &Request->CompletionParams;
    p->Size = sizeof(*p);
    p->IoStatus = Request->Irp->IoStatus;
    if (Request->TimedOut && p->IoStatus.Status == STATUS_CANCELLED) {
        p->IoStatus.Status = STATUS_IO_TIMEOUT;
        Request->Irp->IoStatus.Status = STATUS_IO_TIMEOUT;
    }
    switch (p->Type) {
    case WdfRequestTypeRead:
        p->Parameters.Read.Length = p->IoStatus.Information;
        break;
    case WdfRequestTypeWrite:
        p->Parameters.Write.Length = p->IoStatus.Information;
        break;
    case WdfRequestTypeDeviceControl:
    case WdfRequestTypeDeviceControlInternal:
        p->Parameters.Ioctl.Output.Length = p->IoStatus.Information;
        break;
    default:
        break;
    }
}

/* The request left the target (completed there, or failed before being sent). */
static void FxRequestDeliverCompletion(FX_REQUEST *Request, FX_IOTARGET *Target)
{
    FxRequestRestoreIrp(Request);
    FxCompletionParamsFromIrp(Request);
    HosMutexLock(&Request->Lock);
    /* What the target reported becomes the request's information, as the IRP's is. */
    Request->Information = Request->Irp->IoStatus.Information;
    Request->Sent = false;
    Request->Formatted = false;
    Request->Target = NULL;
    bool synchronous = Request->Synchronous;
    PFN_WDF_REQUEST_COMPLETION_ROUTINE routine = Request->EvtCompletion;
    WDFCONTEXT context = Request->CompletionContext;
    if (synchronous) {
        Request->SendComplete = true;
        HosCondBroadcast(&Request->SendDone);
    }
    HosMutexUnlock(&Request->Lock);
    if (!synchronous && routine != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, Request->Object.Driver, NULL, "EvtRequestCompletionRoutine", Request);
        routine((WDFREQUEST)Request, (WDFIOTARGET)Target, &Request->CompletionParams, context);
        FxCallbackLeave(&frame);
    }
    FxObjectDereference(&Target->Object);
}

static NTSTATUS FxTargetIrpCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    FX_REQUEST *request = Context;
    FX_IOTARGET *target = request->Target;
    HosMutexLock(&target->Lock);
    FxListRemove(&request->TargetLink);
    target->SentCount--;
    HosCondBroadcast(&target->Idle);
    HosMutexUnlock(&target->Lock);
    FxRequestDeliverCompletion(request, target);
    /* The IRP stays with the request: the driver completes (or deletes) it. */
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Passes a formatted request to the target's driver (Target->Lock not held). */
static void FxTargetCallDriver(FX_IOTARGET *Target, FX_REQUEST *Request)
{
    PIRP irp = Request->Irp;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    if (Target->TargetFile != NULL) {
        next->FileObject = Target->TargetFile;
    }
    IoSetCompletionRoutine(irp, FxTargetIrpCompletion, Request, TRUE, TRUE, TRUE);
    (void)IoCallDriver(Target->TargetDevice, irp);
}

/* Completes requests a target kept without sending them (close, purge, deletion). */
static void FxFailPended(FX_IOTARGET *Target, FX_LINK *List)
{
    while (!FxListEmpty(List)) {
        FX_REQUEST *request = FX_CONTAINING(List->Next, FX_REQUEST, TargetLink);
        FxListRemove(&request->TargetLink);
        request->Irp->IoStatus.Status = STATUS_WDF_DEVICE_REMOVED_NOT_SENT;
        request->Irp->IoStatus.Information = 0;
        FxRequestDeliverCompletion(request, Target);
    }
}

/* Cancels every sent request (IoCancelIrp); Target->Lock not held. */
static void FxCancelSent(FX_IOTARGET *Target)
{
    for (;;) {
        PIRP irp = NULL;
        HosMutexLock(&Target->Lock);
        for (FX_LINK *l = Target->SentList.Next; l != &Target->SentList; l = l->Next) {
            FX_REQUEST *request = FX_CONTAINING(l, FX_REQUEST, TargetLink);
            if (!request->Irp->Cancel) {
                irp = request->Irp;
                break;
            }
        }
        HosMutexUnlock(&Target->Lock);
        if (irp == NULL) {
            return;
        }
        /* Sets Irp->Cancel, so the loop moves on to the next request. */
        (void)IoCancelIrp(irp);
    }
}

static void FxWaitSentIdle(FX_IOTARGET *Target)
{
    HosMutexLock(&Target->Lock);
    while (Target->SentCount != 0) {
        HosCondWait(&Target->Idle, &Target->Lock);
    }
    HosMutexUnlock(&Target->Lock);
}

/* ------------------------------------------------------------- state */

bool FxIoTargetCheckPassive(FX_IOTARGET *Target, const char *Api)
{
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(Target->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT",
                 "%s at IRQL %u, which must wait at PASSIVE_LEVEL", Api, (unsigned)KeGetCurrentIrql());
        return false;
    }
    return true;
}

static NTSTATUS FxTargetStart(FX_IOTARGET *Target)
{
    FX_LINK resend;
    FxListInit(&resend);
    HosMutexLock(&Target->Lock);
    switch (Target->State) {
    case WdfIoTargetStarted:
        HosMutexUnlock(&Target->Lock);
        return STATUS_SUCCESS;
    case WdfIoTargetStopped:
    case WdfIoTargetPurged:
        break;
    default:
        HosMutexUnlock(&Target->Lock);
        return STATUS_INVALID_DEVICE_STATE;
    }
    Target->State = WdfIoTargetStarted;
    while (!FxListEmpty(&Target->Pended)) {
        FX_LINK *l = Target->Pended.Next;
        FxListRemove(l);
        FxListInsertTail(&resend, l);
    }
    HosMutexUnlock(&Target->Lock);
    /* Sends what the stopped target kept, in the order the driver sent it. */
    while (!FxListEmpty(&resend)) {
        FX_REQUEST *request = FX_CONTAINING(resend.Next, FX_REQUEST, TargetLink);
        FxListRemove(&request->TargetLink);
        HosMutexLock(&Target->Lock);
        bool started = Target->State == WdfIoTargetStarted;
        if (started) {
            FxListInsertTail(&Target->SentList, &request->TargetLink);
            Target->SentCount++;
        } else {
            FxListInsertTail(&Target->Pended, &request->TargetLink);
        }
        HosMutexUnlock(&Target->Lock);
        if (started) {
            FxTargetCallDriver(Target, request);
        }
    }
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfIoTargetStart(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetStart");
    return target != NULL ? FxTargetStart(target) : STATUS_INVALID_HANDLE;
}

static void FxTargetStop(FX_IOTARGET *Target, WDF_IO_TARGET_SENT_IO_ACTION Action)
{
    HosMutexLock(&Target->Lock);
    if (Target->State == WdfIoTargetStarted || Target->State == WdfIoTargetPurged) {
        Target->State = WdfIoTargetStopped;
    }
    HosMutexUnlock(&Target->Lock);
    if (Action == WdfIoTargetCancelSentIo) {
        FxCancelSent(Target);
    }
    if (Action == WdfIoTargetCancelSentIo || Action == WdfIoTargetWaitForSentIoToComplete) {
        FxWaitSentIdle(Target);
    }
}

WDFAPI VOID WdfIoTargetStop(WDFIOTARGET IoTarget, WDF_IO_TARGET_SENT_IO_ACTION Action)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetStop");
    if (target == NULL) {
        return;
    }
    if (Action != WdfIoTargetCancelSentIo && Action != WdfIoTargetWaitForSentIoToComplete &&
        Action != WdfIoTargetLeaveSentIoPending) {
        FxReport(target->Object.Driver, "INVALID_HANDLE", "WdfIoTargetStop with action %d, not a "
                 "WDF_IO_TARGET_SENT_IO_ACTION", (int)Action);
        return;
    }
    if (Action != WdfIoTargetLeaveSentIoPending && !FxIoTargetCheckPassive(target, "WdfIoTargetStop")) {
        return;
    }
    FxTargetStop(target, Action);
}

WDFAPI VOID WdfIoTargetPurge(WDFIOTARGET IoTarget, WDF_IO_TARGET_PURGE_IO_ACTION Action)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetPurge");
    if (target == NULL) {
        return;
    }
    if (Action != WdfIoTargetPurgeIoAndWait && Action != WdfIoTargetPurgeIo) {
        FxReport(target->Object.Driver, "INVALID_HANDLE", "WdfIoTargetPurge with action %d, not a "
                 "WDF_IO_TARGET_PURGE_IO_ACTION", (int)Action);
        return;
    }
    if (Action == WdfIoTargetPurgeIoAndWait && !FxIoTargetCheckPassive(target, "WdfIoTargetPurge")) {
        return;
    }
    FX_LINK pended;
    FxListInit(&pended);
    HosMutexLock(&target->Lock);
    if (target->State == WdfIoTargetStarted || target->State == WdfIoTargetStopped) {
        target->State = WdfIoTargetPurged;
    }
    while (!FxListEmpty(&target->Pended)) {
        FX_LINK *l = target->Pended.Next;
        FxListRemove(l);
        FxListInsertTail(&pended, l);
    }
    HosMutexUnlock(&target->Lock);
    FxFailPended(target, &pended);
    FxCancelSent(target);
    if (Action == WdfIoTargetPurgeIoAndWait) {
        FxWaitSentIdle(target);
    }
}

/* Close: no more I/O; sent requests cancelled and waited for, kept ones failed. */
static void FxTargetClose(FX_IOTARGET *Target, WDF_IO_TARGET_STATE NewState)
{
    FX_LINK pended;
    FxListInit(&pended);
    HosMutexLock(&Target->Lock);
    Target->State = NewState;
    while (!FxListEmpty(&Target->Pended)) {
        FX_LINK *l = Target->Pended.Next;
        FxListRemove(l);
        FxListInsertTail(&pended, l);
    }
    PFILE_OBJECT file = Target->TargetFile;
    PVOID notification = NULL;
    if (NewState != WdfIoTargetClosedForQueryRemove) {
        /* Closed for good: no more notifications of the device's removal. Closed for a
           query-remove, the target keeps listening for its outcome. */
        notification = Target->Notification;
        Target->Notification = NULL;
    }
    HosMutexUnlock(&Target->Lock);
    FxFailPended(Target, &pended);
    FxCancelSent(Target);
    FxWaitSentIdle(Target);
    if (file != NULL) {
        /* The file goes (for a query-remove too: an open file would veto the removal);
           a by-name target keeps its name for WdfIoTargetOpenReopen. */
        HosMutexLock(&Target->Lock);
        Target->TargetFile = NULL;
        if (!Target->IsDefault) {
            Target->TargetDevice = NULL;
        }
        HosMutexUnlock(&Target->Lock);
        ObDereferenceObject(file);
    }
    if (notification != NULL) {
        (void)IoUnregisterPlugPlayNotificationEx(notification);
    }
}

WDFAPI VOID WdfIoTargetClose(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetClose");
    if (target == NULL || !FxIoTargetCheckPassive(target, "WdfIoTargetClose")) {
        return;
    }
    FxTargetClose(target, WdfIoTargetClosed);
}

WDFAPI VOID WdfIoTargetCloseForQueryRemove(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetCloseForQueryRemove");
    if (target == NULL || !FxIoTargetCheckPassive(target, "WdfIoTargetCloseForQueryRemove")) {
        return;
    }
    FxTargetClose(target, WdfIoTargetClosedForQueryRemove);
}

static void FxIoTargetDispose(FX_OBJECT *Object)
{
    FX_IOTARGET *target = (FX_IOTARGET *)Object;
    FxTargetClose(target, WdfIoTargetDeleted);
    free(target->OpenName.Buffer);
    target->OpenName.Buffer = NULL;
}

/*
 * The removal of a remote target's device (target device change notification, which the
 * framework registers for a target opened by name). The driver's callbacks decide when
 * it registered them; otherwise the framework's defaults: on a query-remove the target
 * closes its file (WdfIoTargetCloseForQueryRemove), on a cancelled removal it reopens,
 * on a completed removal it closes.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/controlling-a-general-i-o-target-s-state
 */
static NTSTATUS FxIoTargetDeviceChange(PVOID NotificationStructure, PVOID Context)
{
    PTARGET_DEVICE_REMOVAL_NOTIFICATION notification = NotificationStructure;
    FX_IOTARGET *target = Context;
    static const GUID queryRemove = {0xcb3a4006, 0x46f0, 0x11d0, {0xb0, 0x8f, 0x00, 0x60, 0x97, 0x13, 0x05, 0x3f}};
    static const GUID removeCancelled = {0xcb3a4007, 0x46f0, 0x11d0, {0xb0, 0x8f, 0x00, 0x60, 0x97, 0x13, 0x05, 0x3f}};
    NTSTATUS status = STATUS_SUCCESS;
    FX_CALLBACK_FRAME frame;
    /* The driver may delete the target from its callback. */
    FxObjectReference(&target->Object);
    if (IsEqualGUID(&notification->Event, &queryRemove)) {
        if (target->EvtQueryRemove != NULL) {
            FxCallbackEnter(&frame, target->Object.Driver, NULL, "EvtIoTargetQueryRemove", target);
            status = target->EvtQueryRemove((WDFIOTARGET)target);
            FxCallbackLeave(&frame);
        } else {
            FxTargetClose(target, WdfIoTargetClosedForQueryRemove);
        }
    } else if (IsEqualGUID(&notification->Event, &removeCancelled)) {
        if (target->EvtRemoveCanceled != NULL) {
            FxCallbackEnter(&frame, target->Object.Driver, NULL, "EvtIoTargetRemoveCanceled", target);
            target->EvtRemoveCanceled((WDFIOTARGET)target);
            FxCallbackLeave(&frame);
        } else {
            (void)FxTargetReopen(target);
        }
    } else {
        if (target->EvtRemoveComplete != NULL) {
            FxCallbackEnter(&frame, target->Object.Driver, NULL, "EvtIoTargetRemoveComplete", target);
            target->EvtRemoveComplete((WDFIOTARGET)target);
            FxCallbackLeave(&frame);
        } else {
            FxTargetClose(target, WdfIoTargetClosed);
        }
    }
    FxObjectDereference(&target->Object);
    return status;
}

/* WdfIoTargetOpenReopen: a target closed for a query-remove opens its device by name
   again; an open (stopped) one starts. */
static NTSTATUS FxTargetReopen(FX_IOTARGET *Target)
{
    HosMutexLock(&Target->Lock);
    bool hasDevice = Target->TargetDevice != NULL;
    bool byName = Target->OpenName.Buffer != NULL;
    HosMutexUnlock(&Target->Lock);
    if (hasDevice) {
        return FxTargetStart(Target);
    }
    if (!byName) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    PDEVICE_OBJECT device = NULL;
    PFILE_OBJECT file = NULL;
    NTSTATUS status = IoGetDeviceObjectPointer(&Target->OpenName, Target->OpenAccess, &file, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    HosMutexLock(&Target->Lock);
    Target->TargetDevice = device;
    Target->TargetFile = file;
    Target->State = WdfIoTargetStarted;
    HosMutexUnlock(&Target->Lock);
    return STATUS_SUCCESS;
}

/*
 * After an open by name: keeps the name for a reopen and the driver's removal callbacks,
 * and registers for the removal of the target's device. A device outside Plug and Play
 * (a control device) has no removal to watch.
 */
static void FxTargetWatchRemoval(FX_IOTARGET *Target, PWDF_IO_TARGET_OPEN_PARAMS OpenParams, PFILE_OBJECT File)
{
    PWCH name = NULL;
    USHORT length = OpenParams->TargetDeviceName.Length;
    if (!KhAllocationShouldFail() && (name = malloc((size_t)length + sizeof(WCHAR))) != NULL) {
        memcpy(name, OpenParams->TargetDeviceName.Buffer, length);
        name[length / sizeof(WCHAR)] = 0;
    }
    HosMutexLock(&Target->Lock);
    free(Target->OpenName.Buffer);
    Target->OpenName.Buffer = name;
    Target->OpenName.Length = name != NULL ? length : 0;
    Target->OpenName.MaximumLength = name != NULL ? (USHORT)(length + sizeof(WCHAR)) : 0;
    Target->OpenAccess = OpenParams->DesiredAccess;
    Target->EvtQueryRemove = OpenParams->EvtIoTargetQueryRemove;
    Target->EvtRemoveCanceled = OpenParams->EvtIoTargetRemoveCanceled;
    Target->EvtRemoveComplete = OpenParams->EvtIoTargetRemoveComplete;
    bool registered = Target->Notification != NULL;
    HosMutexUnlock(&Target->Lock);
    if (registered || File == NULL) {
        return;
    }
    PVOID notification = NULL;
    NTSTATUS status = IoRegisterPlugPlayNotification(
        EventCategoryTargetDeviceChange, 0, File, Target->Device->Object.Driver->DriverObject,
        (PDRIVER_NOTIFICATION_CALLBACK_ROUTINE)FxIoTargetDeviceChange, Target, &notification);
    if (NT_SUCCESS(status)) {
        HosMutexLock(&Target->Lock);
        Target->Notification = notification;
        HosMutexUnlock(&Target->Lock);
    }
}

WDFAPI NTSTATUS WdfIoTargetOpen(WDFIOTARGET IoTarget, PWDF_IO_TARGET_OPEN_PARAMS OpenParams)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetOpen");
    if (target == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (OpenParams == NULL || OpenParams->Size != sizeof(WDF_IO_TARGET_OPEN_PARAMS)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (target->IsDefault) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (!FxIoTargetCheckPassive(target, "WdfIoTargetOpen")) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    PDEVICE_OBJECT device = NULL;
    PFILE_OBJECT file = NULL;
    switch (OpenParams->Type) {
    case WdfIoTargetOpenUseExistingDevice:
        if (OpenParams->TargetDeviceObject == NULL) {
            return STATUS_INVALID_PARAMETER;
        }
        device = OpenParams->TargetDeviceObject;
        break;
    case WdfIoTargetOpenByName: {
        NTSTATUS status = IoGetDeviceObjectPointer(&OpenParams->TargetDeviceName,
                                                   OpenParams->DesiredAccess, &file, &device);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        break;
    }
    case WdfIoTargetOpenReopen:
        return FxTargetReopen(target);
    default:
        FxReport(target->Object.Driver, "UNIMPLEMENTED_DDI",
                 "WdfIoTargetOpen with open type %d (only existing device, by name and reopen are "
                 "implemented)", (int)OpenParams->Type);
        return STATUS_NOT_IMPLEMENTED;
    }
    HosMutexLock(&target->Lock);
    bool open = target->TargetDevice != NULL &&
                (target->State == WdfIoTargetStarted || target->State == WdfIoTargetStopped);
    if (!open) {
        target->TargetDevice = device;
        target->TargetFile = file;
        target->TargetPdo = NULL;
        target->State = WdfIoTargetStarted;
    }
    HosMutexUnlock(&target->Lock);
    if (open) {
        if (file != NULL) {
            ObDereferenceObject(file);
        }
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (OpenParams->Type == WdfIoTargetOpenByName) {
        FxTargetWatchRemoval(target, OpenParams, file);
    }
    return STATUS_SUCCESS;
}

WDFAPI WDF_IO_TARGET_STATE WdfIoTargetGetState(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetGetState");
    if (target == NULL) {
        return WdfIoTargetStateUndefined;
    }
    HosMutexLock(&target->Lock);
    WDF_IO_TARGET_STATE state = target->State;
    HosMutexUnlock(&target->Lock);
    return state;
}

WDFAPI WDFDEVICE WdfIoTargetGetDevice(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetGetDevice");
    return target != NULL ? (WDFDEVICE)target->Device : NULL;
}

WDFAPI PDEVICE_OBJECT WdfIoTargetWdmGetTargetDeviceObject(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetWdmGetTargetDeviceObject");
    return target != NULL ? target->TargetDevice : NULL;
}

WDFAPI PDEVICE_OBJECT WdfIoTargetWdmGetTargetPhysicalDevice(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetWdmGetTargetPhysicalDevice");
    return target != NULL ? target->TargetPdo : NULL;
}

WDFAPI PFILE_OBJECT WdfIoTargetWdmGetTargetFileObject(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetWdmGetTargetFileObject");
    return target != NULL ? target->TargetFile : NULL;
}

WDFAPI HANDLE WdfIoTargetWdmGetTargetFileHandle(WDFIOTARGET IoTarget)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetWdmGetTargetFileHandle");
    if (target != NULL && target->TargetFile != NULL) {
        FxReport(target->Object.Driver, "UNIMPLEMENTED_DDI",
                 "WdfIoTargetWdmGetTargetFileHandle: the host opens targets by file object, "
                 "without a kernel handle");
    }
    return NULL;
}

/* ---------------------------------------------- the device drives its default target */

void FxIoTargetDeviceStarted(FX_DEVICE *Device)
{
    if (Device->DefaultTarget != NULL) {
        (void)FxTargetStart(Device->DefaultTarget);
    }
}

void FxIoTargetDeviceStopping(FX_DEVICE *Device, bool CancelSentIo)
{
    if (Device->DefaultTarget != NULL) {
        FxTargetStop(Device->DefaultTarget,
                     CancelSentIo ? WdfIoTargetCancelSentIo : WdfIoTargetLeaveSentIoPending);
    }
}

void FxIoTargetDeviceRemoved(FX_DEVICE *Device)
{
    if (Device->DefaultTarget != NULL) {
        FxTargetClose(Device->DefaultTarget, WdfIoTargetDeleted);
    }
}

/* ------------------------------------------------------------- requests */

static void FxRequestCreatedDestroy(FX_OBJECT *Object)
{
    FX_REQUEST *request = (FX_REQUEST *)Object;
    FxRequestRestoreIrp(request);
    if (request->Irp != NULL) {
        IoFreeIrp(request->Irp);
    }
    HosCondDestroy(&request->SendDone);
    HosMutexDestroy(&request->Lock);
}

static void FxRequestCreatedDispose(FX_OBJECT *Object)
{
    FX_REQUEST *request = (FX_REQUEST *)Object;
    HosMutexLock(&request->Lock);
    bool sent = request->Sent;
    HosMutexUnlock(&request->Lock);
    if (sent) {
        FxReport(Object->Driver, "OBJECT_USED_AFTER_DELETE",
                 "WDFREQUEST %p deleted while an I/O target still has it", (void *)request);
    }
}

static const FX_OBJECT_OPS FxRequestCreatedOps = {FxRequestCreatedDispose, FxRequestCreatedDestroy};

NTSTATUS FxRequestCreateInternal(FX_DRIVER *Driver, PWDF_OBJECT_ATTRIBUTES Attributes,
                                        FX_OBJECT *Parent, CCHAR StackSize, FX_REQUEST **Request)
{
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_REQUEST), FxTypeRequest, Attributes, Driver,
                                       &FxRequestCreatedOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PIRP irp = IoAllocateIrp(StackSize, FALSE);
    if (irp == NULL) {
        FxObjectFreeUninserted(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FX_REQUEST *request = (FX_REQUEST *)object;
    HosMutexInitOrdering(&request->Lock);
    HosCondInit(&request->SendDone);
    FxListInit(&request->QueueLink);
    FxListInit(&request->TargetLink);
    request->DriverCreated = true;
    request->Irp = irp;
    irp->Tail.Overlay.DriverContext[3] = request;
    irp->IoStatus.Status = STATUS_SUCCESS;
    request->Parameters.Size = sizeof(request->Parameters);
    request->Parameters.Type = WdfRequestTypeNoFormat;
    atomic_init(&request->Queue, NULL);
    FxObjectInsert(object, Parent);
    *Request = request;
    return STATUS_SUCCESS;
}


/* A request the driver may hand to a target: not completed, not with a target already. */
FX_REQUEST *FxRequestForTarget(WDFREQUEST Handle, const char *Api)
{
    FX_REQUEST *request = (FX_REQUEST *)FxObjectFromHandle(Handle, FxTypeRequest, Api);
    if (request == NULL) {
        return NULL;
    }
    HosMutexLock(&request->Lock);
    bool completed = request->Completed;
    HosMutexUnlock(&request->Lock);
    if (completed) {
        FxReport(request->Object.Driver, "REQUEST_USED_AFTER_COMPLETION",
                 "%s called on WDFREQUEST %p after it was completed", Api, (void *)request);
        return NULL;
    }
    return request;
}




/* Room below the driver's stack location for the target's stack. */
static bool FxRequestHasRoom(FX_REQUEST *Request, FX_IOTARGET *Target)
{
    PDEVICE_OBJECT device = Target->TargetDevice;
    return device != NULL && Request->Irp->CurrentLocation - 1 >= device->StackSize;
}

NTSTATUS FxRequestBeginFormat(FX_REQUEST *Request)
{
    HosMutexLock(&Request->Lock);
    bool sent = Request->Sent;
    HosMutexUnlock(&Request->Lock);
    if (sent) {
        return STATUS_WDF_REQUEST_ALREADY_PENDING;
    }
    FxRequestRestoreIrp(Request);
    memset(&Request->CompletionParams, 0, sizeof(Request->CompletionParams));
    Request->CompletionParams.Size = sizeof(Request->CompletionParams);
    Request->CompletionParams.Type = WdfRequestTypeNoFormat;
    return STATUS_SUCCESS;
}



/* A buffer for a format: a memory object (and its offsets) or a plain buffer. */
typedef struct FX_BUFFER {
    PVOID Address;
    size_t Length;
    WDFMEMORY Memory; /* for the completion parameters */
    size_t Offset;
    PMDL Mdl;         /* the driver's own MDL (WdfMemoryDescriptorTypeMdl) */
} FX_BUFFER;

static NTSTATUS FxBufferFromMemory(WDFMEMORY Memory, PWDFMEMORY_OFFSET Offsets, const char *Api,
                                   FX_BUFFER *Buffer)
{
    memset(Buffer, 0, sizeof(*Buffer));
    if (Memory == NULL) {
        return STATUS_SUCCESS;
    }
    size_t size = 0;
    FX_OBJECT *object = FxObjectFromHandle(Memory, FxTypeMemory, Api);
    if (object == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    PVOID base = WdfMemoryGetBuffer(Memory, &size);
    size_t offset = 0;
    size_t length = size;
    if (Offsets != NULL) {
        offset = Offsets->BufferOffset;
        length = Offsets->BufferLength != 0 ? Offsets->BufferLength : size - offset;
        if (offset > size || length > size - offset) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    Buffer->Address = (char *)base + offset;
    Buffer->Length = length;
    Buffer->Memory = Memory;
    Buffer->Offset = offset;
    return STATUS_SUCCESS;
}

static NTSTATUS FxBufferFromDescriptor(PWDF_MEMORY_DESCRIPTOR Descriptor, const char *Api,
                                       FX_BUFFER *Buffer)
{
    memset(Buffer, 0, sizeof(*Buffer));
    if (Descriptor == NULL) {
        return STATUS_SUCCESS;
    }
    switch (Descriptor->Type) {
    case WdfMemoryDescriptorTypeBuffer:
        Buffer->Address = Descriptor->u.BufferType.Buffer;
        Buffer->Length = Descriptor->u.BufferType.Length;
        return STATUS_SUCCESS;
    case WdfMemoryDescriptorTypeMdl:
        Buffer->Mdl = Descriptor->u.MdlType.Mdl;
        Buffer->Address = Buffer->Mdl != NULL ? MmGetSystemAddressForMdlSafe(Buffer->Mdl, NormalPagePriority) : NULL;
        Buffer->Length = Descriptor->u.MdlType.BufferLength;
        return Buffer->Address != NULL ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    case WdfMemoryDescriptorTypeHandle:
        return FxBufferFromMemory(Descriptor->u.HandleType.Memory, Descriptor->u.HandleType.Offsets, Api,
                                  Buffer);
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

/* Places one buffer in the IRP as the target device's I/O type expects it. */
static NTSTATUS FxPlaceBuffer(FX_REQUEST *Request, FX_IOTARGET *Target, FX_BUFFER *Buffer)
{
    PIRP irp = Request->Irp;
    if (!Request->SavedBuffers) {
        Request->SavedBuffers = true;
        Request->SavedSystemBuffer = irp->AssociatedIrp.SystemBuffer;
        Request->SavedUserBuffer = irp->UserBuffer;
        Request->SavedMdl = irp->MdlAddress;
    }
    irp->AssociatedIrp.SystemBuffer = Buffer->Address;
    irp->UserBuffer = Buffer->Address;
    irp->MdlAddress = NULL;
    if (Buffer->Address != NULL && (Target->TargetDevice->Flags & DO_DIRECT_IO)) {
        if (Buffer->Mdl != NULL) {
            irp->MdlAddress = Buffer->Mdl;
        } else {
            PMDL mdl = IoAllocateMdl(Buffer->Address, (ULONG)Buffer->Length, FALSE, FALSE, NULL);
            if (mdl == NULL) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            MmBuildMdlForNonPagedPool(mdl);
            Request->FormatMdl = mdl;
            irp->MdlAddress = mdl;
        }
    }
    return STATUS_SUCCESS;
}

static NTSTATUS FxFormatReadWrite(FX_IOTARGET *Target, FX_REQUEST *Request, bool Write,
                                  FX_BUFFER *Buffer, PLONGLONG DeviceOffset)
{
    if (Target->TargetDevice == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!FxRequestHasRoom(Request, Target)) {
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    NTSTATUS status = FxRequestBeginFormat(Request);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FxPlaceBuffer(Request, Target, Buffer);
    if (!NT_SUCCESS(status)) {
        FxRequestRestoreIrp(Request);
        return status;
    }
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(Request->Irp);
    memset(next, 0, sizeof(*next));
    next->MajorFunction = Write ? IRP_MJ_WRITE : IRP_MJ_READ;
    next->Parameters.Read.Length = (ULONG)Buffer->Length;
    next->Parameters.Read.ByteOffset.QuadPart = DeviceOffset != NULL ? *DeviceOffset : 0;
    WDF_REQUEST_COMPLETION_PARAMS *p = &Request->CompletionParams;
    p->Type = Write ? WdfRequestTypeWrite : WdfRequestTypeRead;
    p->Parameters.Read.Buffer = Buffer->Memory;
    p->Parameters.Read.Offset = Buffer->Offset;
    Request->Formatted = true;
    return STATUS_SUCCESS;
}

/*
 * The start of formatting a device-control request for the target: the request has a
 * stack location for it, the buffers the request came with are saved (restored on
 * completion or reuse) and cleared, and the next stack location is zeroed for the caller
 * to fill.
 */
static NTSTATUS FxBeginControlFormat(FX_IOTARGET *Target, FX_REQUEST *Request, PIO_STACK_LOCATION *Next)
{
    if (Target->TargetDevice == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (!FxRequestHasRoom(Request, Target)) {
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    NTSTATUS status = FxRequestBeginFormat(Request);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PIRP irp = Request->Irp;
    Request->SavedBuffers = true;
    Request->SavedSystemBuffer = irp->AssociatedIrp.SystemBuffer;
    Request->SavedUserBuffer = irp->UserBuffer;
    Request->SavedMdl = irp->MdlAddress;
    irp->MdlAddress = NULL;
    irp->UserBuffer = NULL;
    irp->AssociatedIrp.SystemBuffer = NULL;
    *Next = IoGetNextIrpStackLocation(irp);
    memset(*Next, 0, sizeof(**Next));
    return STATUS_SUCCESS;
}

static NTSTATUS FxFormatIoctl(FX_IOTARGET *Target, FX_REQUEST *Request, bool Internal, ULONG Code,
                              FX_BUFFER *Input, FX_BUFFER *Output)
{
    PIO_STACK_LOCATION next;
    NTSTATUS status = FxBeginControlFormat(Target, Request, &next);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PIRP irp = Request->Irp;
    next->MajorFunction = Internal ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL;
    next->Parameters.DeviceIoControl.IoControlCode = Code;
    next->Parameters.DeviceIoControl.InputBufferLength = (ULONG)Input->Length;
    next->Parameters.DeviceIoControl.OutputBufferLength = (ULONG)Output->Length;
    switch (Code & 3) {
    case METHOD_BUFFERED: {
        /* One system buffer for both directions, as the I/O manager builds it. */
        size_t size = Input->Length > Output->Length ? Input->Length : Output->Length;
        if (size != 0) {
            Request->BounceBuffer = calloc(1, size);
            if (Request->BounceBuffer == NULL) {
                FxRequestRestoreIrp(Request);
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            if (Input->Length != 0) {
                memcpy(Request->BounceBuffer, Input->Address, Input->Length);
            }
            Request->BounceOutput = Output->Length != 0 ? Output->Address : NULL;
            Request->BounceOutputLength = Output->Length;
        }
        irp->AssociatedIrp.SystemBuffer = Request->BounceBuffer;
        break;
    }
    case METHOD_IN_DIRECT:
    case METHOD_OUT_DIRECT:
        irp->AssociatedIrp.SystemBuffer = Input->Address;
        if (Output->Address != NULL) {
            if (Output->Mdl != NULL) {
                irp->MdlAddress = Output->Mdl;
            } else {
                PMDL mdl = IoAllocateMdl(Output->Address, (ULONG)Output->Length, FALSE, FALSE, NULL);
                if (mdl == NULL) {
                    FxRequestRestoreIrp(Request);
                    return STATUS_INSUFFICIENT_RESOURCES;
                }
                MmBuildMdlForNonPagedPool(mdl);
                Request->FormatMdl = mdl;
                irp->MdlAddress = mdl;
            }
        }
        break;
    default: /* METHOD_NEITHER */
        next->Parameters.DeviceIoControl.Type3InputBuffer = Input->Address;
        irp->UserBuffer = Output->Address;
        break;
    }
    WDF_REQUEST_COMPLETION_PARAMS *p = &Request->CompletionParams;
    p->Type = Internal ? WdfRequestTypeDeviceControlInternal : WdfRequestTypeDeviceControl;
    p->Parameters.Ioctl.IoControlCode = Code;
    p->Parameters.Ioctl.Input.Buffer = Input->Memory;
    p->Parameters.Ioctl.Input.Offset = Input->Offset;
    p->Parameters.Ioctl.Output.Buffer = Output->Memory;
    p->Parameters.Ioctl.Output.Offset = Output->Offset;
    Request->Formatted = true;
    return STATUS_SUCCESS;
}

/*
 * An internal device control request of the "Others" kind: the buffers of up to three
 * memory objects become Argument1, Argument2 and Argument4 of the next stack location
 * (Argument3 is the IOCTL code), passed as they are, without buffering: a protocol
 * between two kernel-mode drivers.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfiotarget/nf-wdfiotarget-wdfiotargetformatrequestforinternalioctlothers
 */
static NTSTATUS FxFormatOthers(FX_IOTARGET *Target, FX_REQUEST *Request, ULONG Code, FX_BUFFER *Arg1,
                               FX_BUFFER *Arg2, FX_BUFFER *Arg4)
{
    PIO_STACK_LOCATION next;
    NTSTATUS status = FxBeginControlFormat(Target, Request, &next);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    next->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    next->Parameters.Others.Argument1 = Arg1->Address;
    next->Parameters.Others.Argument2 = Arg2->Address;
    next->Parameters.DeviceIoControl.IoControlCode = Code;
    next->Parameters.Others.Argument4 = Arg4->Address;
    WDF_REQUEST_COMPLETION_PARAMS *p = &Request->CompletionParams;
    p->Type = WdfRequestTypeDeviceControlInternal;
    p->Parameters.Others.Argument1.Ptr = Arg1->Address;
    p->Parameters.Others.Argument2.Ptr = Arg2->Address;
    p->Parameters.Others.Argument3.Value = Code;
    p->Parameters.Others.Argument4.Ptr = Arg4->Address;
    Request->Formatted = true;
    return STATUS_SUCCESS;
}

static NTSTATUS FxFormatArgs(WDFIOTARGET IoTarget, WDFREQUEST Request, const char *Api,
                             FX_IOTARGET **Target, FX_REQUEST **Out)
{
    *Target = FxIoTargetGet(IoTarget, Api);
    *Out = FxRequestForTarget(Request, Api);
    return *Target != NULL && *Out != NULL ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

WDFAPI NTSTATUS WdfIoTargetFormatRequestForRead(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                WDFMEMORY OutputBuffer,
                                                PWDFMEMORY_OFFSET OutputBufferOffset,
                                                PLONGLONG DeviceOffset)
{
    static const char api[] = "WdfIoTargetFormatRequestForRead";
    FX_IOTARGET *target;
    FX_REQUEST *request;
    NTSTATUS status = FxFormatArgs(IoTarget, Request, api, &target, &request);
    FX_BUFFER buffer;
    if (NT_SUCCESS(status)) {
        status = FxBufferFromMemory(OutputBuffer, OutputBufferOffset, api, &buffer);
    }
    return NT_SUCCESS(status) ? FxFormatReadWrite(target, request, false, &buffer, DeviceOffset) : status;
}

WDFAPI NTSTATUS WdfIoTargetFormatRequestForWrite(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                 WDFMEMORY InputBuffer,
                                                 PWDFMEMORY_OFFSET InputBufferOffset,
                                                 PLONGLONG DeviceOffset)
{
    static const char api[] = "WdfIoTargetFormatRequestForWrite";
    FX_IOTARGET *target;
    FX_REQUEST *request;
    NTSTATUS status = FxFormatArgs(IoTarget, Request, api, &target, &request);
    FX_BUFFER buffer;
    if (NT_SUCCESS(status)) {
        status = FxBufferFromMemory(InputBuffer, InputBufferOffset, api, &buffer);
    }
    return NT_SUCCESS(status) ? FxFormatReadWrite(target, request, true, &buffer, DeviceOffset) : status;
}

static NTSTATUS FxFormatIoctlApi(WDFIOTARGET IoTarget, WDFREQUEST Request, bool Internal, ULONG IoctlCode,
                                 WDFMEMORY InputBuffer, PWDFMEMORY_OFFSET InputBufferOffset,
                                 WDFMEMORY OutputBuffer, PWDFMEMORY_OFFSET OutputBufferOffset, const char *Api)
{
    FX_IOTARGET *target;
    FX_REQUEST *request;
    NTSTATUS status = FxFormatArgs(IoTarget, Request, Api, &target, &request);
    FX_BUFFER input, output;
    if (NT_SUCCESS(status)) {
        status = FxBufferFromMemory(InputBuffer, InputBufferOffset, Api, &input);
    }
    if (NT_SUCCESS(status)) {
        status = FxBufferFromMemory(OutputBuffer, OutputBufferOffset, Api, &output);
    }
    return NT_SUCCESS(status) ? FxFormatIoctl(target, request, Internal, IoctlCode, &input, &output) : status;
}

WDFAPI NTSTATUS WdfIoTargetFormatRequestForIoctl(WDFIOTARGET IoTarget, WDFREQUEST Request, ULONG IoctlCode,
                                                 WDFMEMORY InputBuffer, PWDFMEMORY_OFFSET InputBufferOffset,
                                                 WDFMEMORY OutputBuffer, PWDFMEMORY_OFFSET OutputBufferOffset)
{
    return FxFormatIoctlApi(IoTarget, Request, false, IoctlCode, InputBuffer, InputBufferOffset, OutputBuffer,
                            OutputBufferOffset, "WdfIoTargetFormatRequestForIoctl");
}

WDFAPI NTSTATUS WdfIoTargetFormatRequestForInternalIoctl(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                         ULONG IoctlCode, WDFMEMORY InputBuffer,
                                                         PWDFMEMORY_OFFSET InputBufferOffset,
                                                         WDFMEMORY OutputBuffer,
                                                         PWDFMEMORY_OFFSET OutputBufferOffset)
{
    return FxFormatIoctlApi(IoTarget, Request, true, IoctlCode, InputBuffer, InputBufferOffset, OutputBuffer,
                            OutputBufferOffset, "WdfIoTargetFormatRequestForInternalIoctl");
}

WDFAPI NTSTATUS WdfIoTargetFormatRequestForInternalIoctlOthers(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                               ULONG IoctlCode, WDFMEMORY OtherArg1,
                                                               PWDFMEMORY_OFFSET OtherArg1Offset, WDFMEMORY OtherArg2,
                                                               PWDFMEMORY_OFFSET OtherArg2Offset, WDFMEMORY OtherArg4,
                                                               PWDFMEMORY_OFFSET OtherArg4Offset)
{
    static const char api[] = "WdfIoTargetFormatRequestForInternalIoctlOthers";
    FX_IOTARGET *target;
    FX_REQUEST *request;
    NTSTATUS status = FxFormatArgs(IoTarget, Request, api, &target, &request);
    FX_BUFFER arg1, arg2, arg4;
    if (NT_SUCCESS(status)) {
        status = FxBufferFromMemory(OtherArg1, OtherArg1Offset, api, &arg1);
    }
    if (NT_SUCCESS(status)) {
        status = FxBufferFromMemory(OtherArg2, OtherArg2Offset, api, &arg2);
    }
    if (NT_SUCCESS(status)) {
        status = FxBufferFromMemory(OtherArg4, OtherArg4Offset, api, &arg4);
    }
    return NT_SUCCESS(status) ? FxFormatOthers(target, request, IoctlCode, &arg1, &arg2, &arg4) : status;
}

/* ------------------------------------------------------------- sending */

/*
 * Hands a formatted request to the target. Returns STATUS_PENDING when the target has it
 * (sent or kept while stopped), or the status of a failure (the request untouched).
 */
NTSTATUS FxIoTargetSubmit(FX_IOTARGET *Target, FX_REQUEST *Request, ULONG Flags, bool Synchronous)
{
    HosMutexLock(&Request->Lock);
    if (Request->Sent) {
        HosMutexUnlock(&Request->Lock);
        return STATUS_WDF_REQUEST_ALREADY_PENDING;
    }
    bool formatted = Request->Formatted;
    HosMutexUnlock(&Request->Lock);
    if (!formatted) {
        /* An unformatted request has no stack location for the target to read. */
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    HosMutexLock(&Target->Lock);
    WDF_IO_TARGET_STATE state = Target->State;
    bool send;
    if (Flags & WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE) {
        send = state == WdfIoTargetStarted || state == WdfIoTargetStopped || state == WdfIoTargetPurged;
    } else {
        send = state == WdfIoTargetStarted;
    }
    bool pend = !send && state == WdfIoTargetStopped && !(Flags & WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE);
    if ((!send && !pend) || Target->TargetDevice == NULL) {
        HosMutexUnlock(&Target->Lock);
        return STATUS_INVALID_DEVICE_STATE;
    }
    FxObjectReference(&Target->Object);
    HosMutexLock(&Request->Lock);
    Request->Sent = true;
    Request->Synchronous = Synchronous;
    Request->SendComplete = false;
    Request->TimedOut = false;
    Request->Target = Target;
    HosMutexUnlock(&Request->Lock);
    Request->Irp->IoStatus.Status = STATUS_SUCCESS;
    Request->Irp->IoStatus.Information = 0;
    Request->Irp->Cancel = FALSE;
    if (send) {
        FxListInsertTail(&Target->SentList, &Request->TargetLink);
        Target->SentCount++;
    } else {
        FxListInsertTail(&Target->Pended, &Request->TargetLink);
    }
    HosMutexUnlock(&Target->Lock);
    if (send) {
        FxTargetCallDriver(Target, Request);
    }
    return STATUS_PENDING;
}

/* Cancels a request a target has: a sent one through its IRP, a kept one directly. */
bool FxIoTargetCancelRequest(FX_REQUEST *Request, bool TimedOut)
{
    FX_IOTARGET *target = Request->Target;
    if (target == NULL) {
        return false;
    }
    HosMutexLock(&target->Lock);
    bool found = false, sent = false;
    for (FX_LINK *l = target->Pended.Next; l != &target->Pended; l = l->Next) {
        if (l == &Request->TargetLink) {
            found = true;
            FxListRemove(l);
            break;
        }
    }
    if (!found) {
        for (FX_LINK *l = target->SentList.Next; l != &target->SentList; l = l->Next) {
            if (l == &Request->TargetLink) {
                sent = true;
                break;
            }
        }
    }
    if (TimedOut && (found || sent)) {
        Request->TimedOut = true;
    }
    HosMutexUnlock(&target->Lock);
    if (found) {
        Request->Irp->IoStatus.Status = STATUS_CANCELLED;
        Request->Irp->IoStatus.Information = 0;
        FxRequestDeliverCompletion(Request, target);
        return true;
    }
    return sent ? IoCancelIrp(Request->Irp) : false;
}


/* Waits for a synchronous send; cancels the request when the time-out runs out. */
NTSTATUS FxRequestWaitSynchronous(FX_REQUEST *Request, PWDF_REQUEST_SEND_OPTIONS Options)
{
    bool timed = Options != NULL && (Options->Flags & WDF_REQUEST_SEND_OPTION_TIMEOUT) && Options->Timeout != 0;
    uint64_t deadline = 0;
    if (timed) {
        LONGLONG t = Options->Timeout;
        uint64_t ns;
        if (t < 0) {
            ns = (uint64_t)(-t) * 100;
        } else {
            LARGE_INTEGER now;
            KeQuerySystemTime(&now);
            ns = t > now.QuadPart ? (uint64_t)(t - now.QuadPart) * 100 : 0;
        }
        deadline = HosDeadlineAfter(ns);
    }
    HosMutexLock(&Request->Lock);
    while (!Request->SendComplete) {
        if (timed) {
            if (!HosCondWaitUntil(&Request->SendDone, &Request->Lock, deadline) && !Request->SendComplete) {
                HosMutexUnlock(&Request->Lock);
                (void)FxIoTargetCancelRequest(Request, true);
                HosMutexLock(&Request->Lock);
                timed = false;
            }
        } else {
            HosCondWait(&Request->SendDone, &Request->Lock);
        }
    }
    Request->Synchronous = false;
    HosMutexUnlock(&Request->Lock);
    NTSTATUS status = Request->Irp->IoStatus.Status;
    return status;
}

bool FxSendOptionsValid(FX_REQUEST *Request, PWDF_REQUEST_SEND_OPTIONS Options, const char *Api)
{
    if (Options != NULL && Options->Size != sizeof(WDF_REQUEST_SEND_OPTIONS)) {
        FxReport(Request != NULL ? Request->Object.Driver : NULL, "INVALID_HANDLE",
                 "%s with a WDF_REQUEST_SEND_OPTIONS whose Size is %lu", Api, (unsigned long)Options->Size);
        return false;
    }
    return true;
}


/* WdfIoTargetSendXxxSynchronously: format, send and wait, with the driver's request or
   one of the framework's own. */
static NTSTATUS FxSendSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS Options,
                                    PULONG_PTR Information, const char *Api, UCHAR Major, ULONG Code,
                                    PWDF_MEMORY_DESCRIPTOR First, PWDF_MEMORY_DESCRIPTOR Second,
                                    PLONGLONG DeviceOffset, bool Others, PWDF_MEMORY_DESCRIPTOR Third)
{
    if (Information != NULL) {
        *Information = 0;
    }
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, Api);
    if (target == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    FX_REQUEST *request = NULL;
    if (Request != NULL && (request = FxRequestForTarget(Request, Api)) == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (!FxSendOptionsValid(request, Options, Api)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!FxIoTargetCheckPassive(target, Api)) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    FX_BUFFER a, b, c;
    NTSTATUS status = FxBufferFromDescriptor(First, Api, &a);
    if (NT_SUCCESS(status)) {
        status = FxBufferFromDescriptor(Second, Api, &b);
    }
    if (NT_SUCCESS(status)) {
        status = FxBufferFromDescriptor(Third, Api, &c);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    bool own = request == NULL;
    if (own) {
        HosMutexLock(&target->Lock);
        PDEVICE_OBJECT device = target->TargetDevice;
        HosMutexUnlock(&target->Lock);
        if (device == NULL) {
            return STATUS_INVALID_DEVICE_STATE;
        }
        status = FxRequestCreateInternal(target->Object.Driver, NULL, &target->Object, device->StackSize, &request);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    if (Others) {
        status = FxFormatOthers(target, request, Code, &a, &b, &c);
    } else if (Major == IRP_MJ_READ || Major == IRP_MJ_WRITE) {
        status = FxFormatReadWrite(target, request, Major == IRP_MJ_WRITE, &a, DeviceOffset);
    } else {
        status = FxFormatIoctl(target, request, Major == IRP_MJ_INTERNAL_DEVICE_CONTROL, Code, &a, &b);
    }
    if (NT_SUCCESS(status)) {
        ULONG flags = Options != NULL ? Options->Flags : 0;
        status = FxIoTargetSubmit(target, request, flags, true);
        if (status == STATUS_PENDING) {
            status = FxRequestWaitSynchronous(request, Options);
            if (Information != NULL) {
                *Information = request->Irp->IoStatus.Information;
            }
        }
    }
    if (own) {
        FxObjectDelete(&request->Object);
    }
    return status;
}

WDFAPI NTSTATUS WdfIoTargetSendReadSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                 PWDF_MEMORY_DESCRIPTOR OutputBuffer, PLONGLONG DeviceOffset,
                                                 PWDF_REQUEST_SEND_OPTIONS RequestOptions, PULONG_PTR BytesRead)
{
    return FxSendSynchronously(IoTarget, Request, RequestOptions, BytesRead, "WdfIoTargetSendReadSynchronously",
                               IRP_MJ_READ, 0, OutputBuffer, NULL, DeviceOffset, false, NULL);
}

WDFAPI NTSTATUS WdfIoTargetSendWriteSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                  PWDF_MEMORY_DESCRIPTOR InputBuffer, PLONGLONG DeviceOffset,
                                                  PWDF_REQUEST_SEND_OPTIONS RequestOptions, PULONG_PTR BytesWritten)
{
    return FxSendSynchronously(IoTarget, Request, RequestOptions, BytesWritten,
                               "WdfIoTargetSendWriteSynchronously", IRP_MJ_WRITE, 0, InputBuffer, NULL,
                               DeviceOffset, false, NULL);
}

WDFAPI NTSTATUS WdfIoTargetSendIoctlSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request, ULONG IoctlCode,
                                                  PWDF_MEMORY_DESCRIPTOR InputBuffer,
                                                  PWDF_MEMORY_DESCRIPTOR OutputBuffer,
                                                  PWDF_REQUEST_SEND_OPTIONS RequestOptions,
                                                  PULONG_PTR BytesReturned)
{
    return FxSendSynchronously(IoTarget, Request, RequestOptions, BytesReturned,
                               "WdfIoTargetSendIoctlSynchronously", IRP_MJ_DEVICE_CONTROL, IoctlCode, InputBuffer,
                               OutputBuffer, NULL, false, NULL);
}

WDFAPI NTSTATUS WdfIoTargetSendInternalIoctlSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                          ULONG IoctlCode, PWDF_MEMORY_DESCRIPTOR InputBuffer,
                                                          PWDF_MEMORY_DESCRIPTOR OutputBuffer,
                                                          PWDF_REQUEST_SEND_OPTIONS RequestOptions,
                                                          PULONG_PTR BytesReturned)
{
    return FxSendSynchronously(IoTarget, Request, RequestOptions, BytesReturned,
                               "WdfIoTargetSendInternalIoctlSynchronously", IRP_MJ_INTERNAL_DEVICE_CONTROL,
                               IoctlCode, InputBuffer, OutputBuffer, NULL, false, NULL);
}

/*
 * WdfIoTargetSendInternalIoctlOthersSynchronously: an internal device control request of
 * the "Others" kind (three memory descriptors, each optional), sent and waited for.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfiotarget/nf-wdfiotarget-wdfiotargetsendinternalioctlotherssynchronously
 */
WDFAPI NTSTATUS WdfIoTargetSendInternalIoctlOthersSynchronously(WDFIOTARGET IoTarget, WDFREQUEST Request,
                                                                ULONG IoctlCode, PWDF_MEMORY_DESCRIPTOR OtherArg1,
                                                                PWDF_MEMORY_DESCRIPTOR OtherArg2,
                                                                PWDF_MEMORY_DESCRIPTOR OtherArg4,
                                                                PWDF_REQUEST_SEND_OPTIONS RequestOptions,
                                                                PULONG_PTR BytesReturned)
{
    return FxSendSynchronously(IoTarget, Request, RequestOptions, BytesReturned,
                               "WdfIoTargetSendInternalIoctlOthersSynchronously", IRP_MJ_INTERNAL_DEVICE_CONTROL,
                               IoctlCode, OtherArg1, OtherArg2, NULL, true, OtherArg4);
}

/* ------------------------------------------------------------- the target's properties */

/* The PDO of the target's device, referenced; NULL while the target has no device. */
static PDEVICE_OBJECT FxTargetPdo(FX_IOTARGET *Target)
{
    HosMutexLock(&Target->Lock);
    PDEVICE_OBJECT device = Target->TargetPdo != NULL ? Target->TargetPdo : Target->TargetDevice;
    if (device != NULL) {
        ObReferenceObject(device);
    }
    HosMutexUnlock(&Target->Lock);
    if (device == NULL) {
        return NULL;
    }
    PDEVICE_OBJECT pdo = IoGetDeviceAttachmentBaseRef(device);
    ObDereferenceObject(device);
    return pdo;
}

/*
 * WdfIoTargetQueryTargetProperty, WdfIoTargetAllocAndQueryTargetProperty: a Plug and Play
 * property of the device the target sends to (IoGetDeviceProperty on the PDO of its
 * stack); STATUS_INVALID_DEVICE_STATE while the target has no device (closed).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfiotarget/nf-wdfiotarget-wdfiotargetquerytargetproperty
 */
WDFAPI NTSTATUS WdfIoTargetQueryTargetProperty(WDFIOTARGET IoTarget, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                               ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetQueryTargetProperty");
    if (target == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ResultLength == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *ResultLength = 0;
    PDEVICE_OBJECT pdo = FxTargetPdo(target);
    if (pdo == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    NTSTATUS status = FxQueryProperty(target->Object.Driver, pdo, DeviceProperty, BufferLength, PropertyBuffer,
                                      ResultLength, "WdfIoTargetQueryTargetProperty");
    ObDereferenceObject(pdo);
    return status;
}

WDFAPI NTSTATUS WdfIoTargetAllocAndQueryTargetProperty(WDFIOTARGET IoTarget, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                                       POOL_TYPE PoolType,
                                                       PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes,
                                                       WDFMEMORY *PropertyMemory)
{
    FX_IOTARGET *target = FxIoTargetGet(IoTarget, "WdfIoTargetAllocAndQueryTargetProperty");
    if (target == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (PropertyMemory == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *PropertyMemory = NULL;
    PDEVICE_OBJECT pdo = FxTargetPdo(target);
    if (pdo == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    NTSTATUS status = FxAllocAndQueryProperty(target->Object.Driver, pdo, DeviceProperty, PoolType,
                                              PropertyMemoryAttributes, PropertyMemory,
                                              "WdfIoTargetAllocAndQueryTargetProperty");
    ObDereferenceObject(pdo);
    return status;
}
