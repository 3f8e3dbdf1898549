/*
 * fxio.c - framework I/O queues (WDFQUEUE).
 *
 * Semantics from "Framework Queue Objects", "Dispatching Methods for I/O Requests",
 * "Managing I/O Queues", WDF_IO_QUEUE_CONFIG and the WdfIoQueueXxx reference pages:
 *  - sequential: one request at a time; the next is presented only after the driver
 *    completes (or forwards) the one it has;
 *  - parallel: as many as arrive (up to NumberOfPresentedRequests);
 *  - manual: the driver pulls requests with WdfIoQueueRetrieveNextRequest;
 *  - zero-length reads and writes are completed by the framework with STATUS_SUCCESS
 *    unless AllowZeroLengthRequests;
 *  - a request type the queue has no callback for (and no EvtIoDefault) is failed with
 *    STATUS_INVALID_DEVICE_REQUEST;
 *  - requests waiting in a queue are cancelable by the framework: cancelling one
 *    completes it with STATUS_CANCELLED without the driver seeing it (or hands it to
 *    EvtIoCanceledOnQueue when the driver has one);
 *  - a queue that does not accept requests (purged, drained) fails new ones with
 *    STATUS_INVALID_DEVICE_STATE; a stopped queue keeps them;
 *  - the synchronization scope serializes the queue's callbacks (and the cancel
 *    routines of its requests) with the queue's or the device's lock.
 *
 * Presentation runs on whichever thread has something to present (the caller's thread
 * for a new IRP, the completing thread after a completion) but never recursively and
 * never while that thread holds the queue's synchronization lock: then it is deferred
 * until the lock is released (FxSyncLockRelease). One thread at a time runs the
 * presentation loop of a queue; it re-examines the queue under the queue's lock after every
 * callback, so a change made meanwhile by another thread is never missed.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

static void FxQueueIrpCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp);

/* ------------------------------------------------------------------ state */

static bool FxQueueCanPresent(FX_QUEUE *Queue)
{
    if (!Queue->DispatchEnabled || Queue->PowerStopped ||
        Queue->Config.DispatchType == WdfIoQueueDispatchManual) {
        return false;
    }
    if (Queue->Config.DispatchType == WdfIoQueueDispatchSequential) {
        return Queue->OwnedCount == 0;
    }
    ULONG limit = Queue->Config.Settings.Parallel.NumberOfPresentedRequests;
    return limit == 0 || limit == (ULONG)-1 || Queue->OwnedCount < limit;
}

static void FxQueueDispatchDeferred(void *Context);

/*
 * A power-managed queue that has requests (waiting or with the driver) holds a power
 * reference on its device, so that the idle policy does not power the device down under
 * them and a request arriving at an idle device brings it back to D0 ("Using
 * Power-Managed I/O Queues"). Taken and released under the queue's lock, so that the
 * device sees them in order.
 */
static void FxQueueUpdatePowerReference(FX_QUEUE *Queue)
{
    if (!Queue->PowerManaged) {
        return;
    }
    HosMutexLock(&Queue->Lock);
    bool busy = Queue->PendingCount + Queue->OwnedCount > 0;
    if (busy && !Queue->PowerReferenced) {
        Queue->PowerReferenced = true;
        FxDevicePowerReference(Queue->Device);
    } else if (!busy && Queue->PowerReferenced) {
        Queue->PowerReferenced = false;
        FxDevicePowerDereference(Queue->Device);
    }
    HosMutexUnlock(&Queue->Lock);
}

/*
 * Whether the calling thread may take the queue's synchronization lock for a callback:
 * it holds it already (the callback nests in a serialized one), or it holds no driver
 * spin lock and its IRQL allows the kind of lock (a passive-level lock is a wait lock).
 */
static bool FxQueueCanTakeSyncLock(FX_SYNC_LOCK *Lock)
{
    if (Lock == NULL || FxSyncLockHeldByCaller(Lock)) {
        return true;
    }
    if (FxSpinLocksHeldByCaller() > 0) {
        return false;
    }
    return !Lock->Passive || KeGetCurrentIrql() == PASSIVE_LEVEL;
}

/*
 * Signals waiters and runs a pending stop/purge/drain completion callback when due.
 * EvtIoQueueState is one of the queue callbacks that the synchronization scope
 * serializes ("Using Automatic Synchronization": request handlers, EvtIoQueueState,
 * EvtIoResume, EvtIoStop), so it runs under the queue's synchronization lock; a thread
 * that cannot take that lock now leaves the callback to the DPC or worker thread.
 */
static void FxQueueCheckState(FX_QUEUE *Queue)
{
    PFN_WDF_IO_QUEUE_STATE callback = NULL;
    WDFCONTEXT context = NULL;
    FX_SYNC_LOCK *lock = Queue->Object.SyncLock;
    bool defer = false;
    FxQueueUpdatePowerReference(Queue);
    HosMutexLock(&Queue->Lock);
    HosCondBroadcast(&Queue->Idle);
    if (Queue->StateCallback != NULL && Queue->OwnedCount == 0 &&
        (!Queue->StateCallbackWantsEmptyQueue || Queue->PendingCount == 0)) {
        if (FxQueueCanTakeSyncLock(lock)) {
            callback = Queue->StateCallback;
            context = Queue->StateContext;
            Queue->StateCallback = NULL;
        } else {
            defer = true;
        }
    }
    HosMutexUnlock(&Queue->Lock);
    if (defer) {
        /* The deferred presentation loop ends with this check, on a thread that can. */
        FxObjectReference(&Queue->Object);
        bool queued = lock->Passive ? HosQueueWork(FxQueueDispatchDeferred, Queue)
                                    : HosQueueDpc(FxQueueDispatchDeferred, Queue);
        if (!queued) {
            FxObjectDereference(&Queue->Object);
        }
    }
    if (callback != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, Queue->Object.Driver, lock, "EvtIoQueueState", Queue);
        callback((WDFQUEUE)Queue, context);
        FxCallbackLeave(&frame);
    }
}

/* -------------------------------------------------------------- presentation */

/* Calls the queue's callback for the request's type, under the synchronization lock. */
static void FxQueuePresent(FX_QUEUE *Queue, FX_REQUEST *Request)
{
    WDF_IO_QUEUE_CONFIG *config = &Queue->Config;
    WDF_REQUEST_PARAMETERS *p = &Request->Parameters;
    FX_SYNC_LOCK *lock = Queue->Object.SyncLock;
    FX_DRIVER *driver = Queue->Object.Driver;
    FX_CALLBACK_FRAME frame;
    WDFQUEUE queue = (WDFQUEUE)Queue;
    WDFREQUEST request = (WDFREQUEST)Request;

    if (p->Type == WdfRequestTypeRead && config->EvtIoRead != NULL) {
        FxCallbackEnter(&frame, driver, lock, "EvtIoRead", Request);
        config->EvtIoRead(queue, request, p->Parameters.Read.Length);
    } else if (p->Type == WdfRequestTypeWrite && config->EvtIoWrite != NULL) {
        FxCallbackEnter(&frame, driver, lock, "EvtIoWrite", Request);
        config->EvtIoWrite(queue, request, p->Parameters.Write.Length);
    } else if (p->Type == WdfRequestTypeDeviceControl && config->EvtIoDeviceControl != NULL) {
        FxCallbackEnter(&frame, driver, lock, "EvtIoDeviceControl", Request);
        config->EvtIoDeviceControl(queue, request, p->Parameters.DeviceIoControl.OutputBufferLength,
                                   p->Parameters.DeviceIoControl.InputBufferLength,
                                   p->Parameters.DeviceIoControl.IoControlCode);
    } else if (p->Type == WdfRequestTypeDeviceControlInternal &&
               config->EvtIoInternalDeviceControl != NULL) {
        FxCallbackEnter(&frame, driver, lock, "EvtIoInternalDeviceControl", Request);
        config->EvtIoInternalDeviceControl(queue, request,
                                           p->Parameters.DeviceIoControl.OutputBufferLength,
                                           p->Parameters.DeviceIoControl.InputBufferLength,
                                           p->Parameters.DeviceIoControl.IoControlCode);
    } else if (config->EvtIoDefault != NULL) {
        FxCallbackEnter(&frame, driver, lock, "EvtIoDefault", Request);
        config->EvtIoDefault(queue, request);
    } else {
        /* Forwarded here without a callback for its type. */
        WdfRequestComplete(request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }
    FxCallbackLeave(&frame);
}

/* Runs a deferred presentation loop (DPC thread or worker thread). */
static void FxQueueDispatchDeferred(void *Context)
{
    FX_QUEUE *queue = Context;
    FxQueueDispatch(queue);
    FxObjectDereference(&queue->Object);
}

void FxQueueDispatch(FX_QUEUE *Queue)
{
    HosMutexLock(&Queue->Lock);
    /* Any thread that may present does so, even while another thread (or this one, in
       a callback that sent a request back to its own stack) runs a presentation loop:
       KMDF counts dispatching threads instead of excluding them (FxIoQueue's
       m_Dispatching), so a parallel queue presents a request at once. The dispatch type
       (FxQueueCanPresent) and the synchronization lock keep what they promise. */
    FX_SYNC_LOCK *lock = Queue->Object.SyncLock;
    if (lock != NULL && FxSyncLockHeldByCaller(lock)) {
        /* Never present while this thread holds the queue's synchronization lock (for
           example a completion from an automatically serialized timer): after release. */
        if (!Queue->DeferredOnLock) {
            Queue->DeferredOnLock = true;
            Queue->DeferredNext = lock->Deferred;
            lock->Deferred = Queue;
            FxObjectReference(&Queue->Object);
        }
        HosMutexUnlock(&Queue->Lock);
        return;
    }
    if (Queue->Object.ExecutionLevel == WdfExecutionLevelPassive &&
        KeGetCurrentIrql() > PASSIVE_LEVEL) {
        /* A passive-level queue's callbacks run at PASSIVE_LEVEL: present from the
           worker thread when the caller is at a raised IRQL (a DPC, a spin lock). */
        FxObjectReference(&Queue->Object);
        if (HosQueueWork(FxQueueDispatchDeferred, Queue)) {
            HosMutexUnlock(&Queue->Lock);
            return;
        }
        FxObjectDereference(&Queue->Object);
    } else if (FxSpinLocksHeldByCaller() > 0) {
        /* The caller holds a driver spin lock: present from the DPC thread instead, so
           that the next callback can take that lock. */
        FxObjectReference(&Queue->Object);
        if (HosQueueDpc(FxQueueDispatchDeferred, Queue)) {
            HosMutexUnlock(&Queue->Lock);
            return;
        }
        FxObjectDereference(&Queue->Object);
    }
    Queue->Dispatching++;
    for (;;) {
        FX_REQUEST *request = NULL;
        if (FxQueueCanPresent(Queue)) {
            for (FX_LINK *link = Queue->Pending.Next; link != &Queue->Pending; link = link->Next) {
                FX_REQUEST *candidate = FX_CONTAINING(link, FX_REQUEST, QueueLink);
                /* A request whose cancel routine already ran (or is about to) stays for it. */
                if (IoSetCancelRoutine(candidate->Irp, NULL) != NULL) {
                    request = candidate;
                    break;
                }
            }
        }
        if (request == NULL) {
            /* WdfIoQueueReadyNotify: "each time a specified I/O queue that was previously
               empty receives one or more I/O requests", and when a stopped queue that
               holds requests starts again; never while the queue is stopped. */
            if (Queue->ReadyCallback != NULL && Queue->ReadyPending && Queue->PendingCount > 0 &&
                Queue->DispatchEnabled && !Queue->PowerStopped) {
                PFN_WDF_IO_QUEUE_STATE ready = Queue->ReadyCallback;
                WDFCONTEXT readyContext = Queue->ReadyContext;
                Queue->ReadyPending = false;
                HosMutexUnlock(&Queue->Lock);
                FX_CALLBACK_FRAME frame;
                FxCallbackEnter(&frame, Queue->Object.Driver, lock, "EvtIoQueueState", Queue);
                ready((WDFQUEUE)Queue, readyContext);
                FxCallbackLeave(&frame);
                HosMutexLock(&Queue->Lock);
                continue;
            }
            break;
        }
        FxListRemove(&request->QueueLink);
        Queue->PendingCount--;
        FxListInsertTail(&Queue->Owned, &request->QueueLink);
        Queue->OwnedCount++;
        HosMutexLock(&request->Lock);
        request->DriverOwned = true;
        HosMutexUnlock(&request->Lock);
        if (Queue->Config.DispatchType == WdfIoQueueDispatchSequential && Queue->OwnedCount != 1) {
            FxReport(
                Queue->Object.Driver, "SERIALIZATION_BROKEN",
                "sequential WDFQUEUE %p presented request %p while the driver owned %lu others",
                (void *)Queue, (void *)request, (unsigned long)(Queue->OwnedCount - 1));
        }
        HosMutexUnlock(&Queue->Lock);
        FxQueuePresent(Queue, request);
        HosMutexLock(&Queue->Lock);
    }
    Queue->Dispatching--;
    HosMutexUnlock(&Queue->Lock);
    FxQueueCheckState(Queue);
}

bool FxQueueInsert(FX_QUEUE *Queue, FX_REQUEST *Request)
{
    HosMutexLock(&Queue->Lock);
    if (!Queue->Accepting) {
        HosMutexUnlock(&Queue->Lock);
        return false;
    }
    FxObjectReference(&Queue->Object);
    atomic_store(&Request->Queue, Queue);
    HosMutexLock(&Request->Lock);
    Request->DriverOwned = false;
    HosMutexUnlock(&Request->Lock);
    if (Queue->PendingCount == 0) {
        Queue->ReadyPending = true;
    }
    FxListInsertTail(&Queue->Pending, &Request->QueueLink);
    Queue->PendingCount++;
    /* Waiting requests are cancelable by the framework. */
    IoSetCancelRoutine(Request->Irp, FxQueueIrpCancel);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    BOOLEAN cancelled = Request->Irp->Cancel;
    IoReleaseCancelSpinLock(irql);
    if (cancelled && IoSetCancelRoutine(Request->Irp, NULL) != NULL) {
        FxListRemove(&Request->QueueLink);
        Queue->PendingCount--;
        HosMutexUnlock(&Queue->Lock);
        FxRequestCompleteByFramework(Request, STATUS_CANCELLED);
        return true;
    }
    HosMutexUnlock(&Queue->Lock);
    FxQueueUpdatePowerReference(Queue);
    FxQueueDispatch(Queue);
    return true;
}

void FxQueueRemoveOwned(FX_QUEUE *Queue, FX_REQUEST *Request)
{
    HosMutexLock(&Queue->Lock);
    FxListRemove(&Request->QueueLink);
    if (Queue->OwnedCount > 0) {
        Queue->OwnedCount--;
    }
    HosMutexLock(&Request->Lock);
    if (Request->StopAcknowledged) {
        Request->StopAcknowledged = false;
        Queue->AcknowledgedCount--;
    }
    HosMutexUnlock(&Request->Lock);
    HosMutexUnlock(&Queue->Lock);
}

/* Driver-owned requests, referenced, that match Acknowledged. */
static size_t FxQueueSnapshotOwned(FX_QUEUE *Queue, bool Acknowledged, FX_REQUEST **Requests,
                                   size_t Max)
{
    size_t count = 0;
    HosMutexLock(&Queue->Lock);
    for (FX_LINK *link = Queue->Owned.Next; link != &Queue->Owned && count < Max;
         link = link->Next) {
        FX_REQUEST *request = FX_CONTAINING(link, FX_REQUEST, QueueLink);
        HosMutexLock(&request->Lock);
        bool match = request->StopAcknowledged == Acknowledged && !request->Completed;
        HosMutexUnlock(&request->Lock);
        if (match) {
            FxObjectReference(&request->Object);
            Requests[count++] = request;
        }
    }
    HosMutexUnlock(&Queue->Lock);
    return count;
}

void FxQueueStopOwned(FX_QUEUE *Queue, ULONG Action)
{
    PFN_WDF_IO_QUEUE_IO_STOP routine = Queue->Config.EvtIoStop;
    if (routine == NULL) {
        return;
    }
    FX_REQUEST *owned[64];
    size_t count = FxQueueSnapshotOwned(Queue, false, owned, 64);
    for (size_t i = 0; i < count; i++) {
        HosMutexLock(&owned[i]->Lock);
        bool live = !owned[i]->Completed && owned[i]->DriverOwned;
        ULONG flags = Action | (owned[i]->Cancelable ? WdfRequestStopRequestCancelable : 0);
        HosMutexUnlock(&owned[i]->Lock);
        if (live) {
            FX_CALLBACK_FRAME frame;
            FxCallbackEnter(&frame, Queue->Object.Driver, Queue->Object.SyncLock, "EvtIoStop",
                            owned[i]);
            routine((WDFQUEUE)Queue, (WDFREQUEST)owned[i], flags);
            FxCallbackLeave(&frame);
        }
        FxObjectDereference(&owned[i]->Object);
    }
}

/* Back in D0: EvtIoResume for the requests whose EvtIoStop the driver acknowledged. */
static void FxQueueResumeOwned(FX_QUEUE *Queue)
{
    FX_REQUEST *owned[64];
    size_t count = FxQueueSnapshotOwned(Queue, true, owned, 64);
    for (size_t i = 0; i < count; i++) {
        HosMutexLock(&Queue->Lock);
        HosMutexLock(&owned[i]->Lock);
        bool acknowledged = owned[i]->StopAcknowledged;
        if (acknowledged) {
            owned[i]->StopAcknowledged = false;
            Queue->AcknowledgedCount--;
        }
        HosMutexUnlock(&owned[i]->Lock);
        HosMutexUnlock(&Queue->Lock);
        if (acknowledged && Queue->Config.EvtIoResume != NULL) {
            FX_CALLBACK_FRAME frame;
            FxCallbackEnter(&frame, Queue->Object.Driver, Queue->Object.SyncLock, "EvtIoResume",
                            owned[i]);
            Queue->Config.EvtIoResume((WDFQUEUE)Queue, (WDFREQUEST)owned[i]);
            FxCallbackLeave(&frame);
        }
        FxObjectDereference(&owned[i]->Object);
    }
}

/*
 * Puts a request the driver gave back at the head of the queue's waiting requests, so
 * that it is delivered again first, cancelable by the framework again. Under
 * Queue->Lock. False when its IRP was cancelled meanwhile: the request is then out of
 * the queue and the caller completes it with STATUS_CANCELLED.
 */
static bool FxQueueInsertHeadLocked(FX_QUEUE *Queue, FX_REQUEST *Request)
{
    Request->QueueLink.Next = Queue->Pending.Next;
    Request->QueueLink.Prev = &Queue->Pending;
    Queue->Pending.Next->Prev = &Request->QueueLink;
    Queue->Pending.Next = &Request->QueueLink;
    Queue->PendingCount++;
    IoSetCancelRoutine(Request->Irp, FxQueueIrpCancel);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    BOOLEAN cancelled = Request->Irp->Cancel;
    IoReleaseCancelSpinLock(irql);
    if (cancelled && IoSetCancelRoutine(Request->Irp, NULL) != NULL) {
        FxListRemove(&Request->QueueLink);
        Queue->PendingCount--;
        return false;
    }
    return true;
}

/*
 * WdfRequestStopAcknowledge, from EvtIoStop: with Requeue the request goes back to the
 * head of its queue (the framework owns it again and delivers it after the device is
 * back in D0); without, the driver keeps it but the device may leave D0 meanwhile.
 */
WDFAPI VOID WdfRequestStopAcknowledge(WDFREQUEST Request, BOOLEAN Requeue)
{
    HOS_SCHEDULE_POINT("WdfRequestStopAcknowledge", NULL, NULL);
    FX_REQUEST *request =
        (FX_REQUEST *)FxObjectFromHandle(Request, FxTypeRequest, "WdfRequestStopAcknowledge");
    if (request == NULL) {
        return;
    }
    FX_QUEUE *queue = atomic_load(&request->Queue);
    HosMutexLock(&request->Lock);
    bool valid = !request->Completed && request->DriverOwned && queue != NULL;
    bool cancelable = request->Cancelable;
    HosMutexUnlock(&request->Lock);
    if (!valid) {
        FxReport(request->Object.Driver, "REQUEST_USED_AFTER_COMPLETION",
                 "WdfRequestStopAcknowledge on WDFREQUEST %p, which the driver does not own",
                 (void *)request);
        return;
    }
    if (Requeue && cancelable) {
        FxReport(request->Object.Driver, "COMPLETE_WHILE_CANCELABLE",
                 "WdfRequestStopAcknowledge(Requeue = TRUE) on WDFREQUEST %p, which is still "
                 "marked cancelable",
                 (void *)request);
        return;
    }
    HosMutexLock(&queue->Lock);
    if (Requeue) {
        FxListRemove(&request->QueueLink);
        queue->OwnedCount--;
        HosMutexLock(&request->Lock);
        request->DriverOwned = false;
        if (request->StopAcknowledged) {
            request->StopAcknowledged = false;
            queue->AcknowledgedCount--;
        }
        HosMutexUnlock(&request->Lock);
        if (!FxQueueInsertHeadLocked(queue, request)) {
            HosMutexUnlock(&queue->Lock);
            FxRequestCompleteByFramework(request, STATUS_CANCELLED);
            FxQueueCheckState(queue);
            return;
        }
    } else {
        HosMutexLock(&request->Lock);
        if (!request->StopAcknowledged) {
            request->StopAcknowledged = true;
            queue->AcknowledgedCount++;
        }
        HosMutexUnlock(&request->Lock);
    }
    HosMutexUnlock(&queue->Lock);
    FxQueueCheckState(queue);
}

void FxQueueRequestDone(FX_QUEUE *Queue)
{
    FxQueueCheckState(Queue);
    FxQueueDispatch(Queue);
}

/*
 * The cancel routine of a request waiting in a queue (IoCancelIrp on its IRP). The
 * request is still in Pending: the presentation loop leaves requests whose cancel
 * routine it could not take back.
 */
static void FxQueueIrpCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    FX_REQUEST *request = FxRequestFromIrp(Irp);
    FX_QUEUE *queue = atomic_load(&request->Queue);
    HosMutexLock(&queue->Lock);
    FxListRemove(&request->QueueLink);
    queue->PendingCount--;
    PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE canceledOnQueue = queue->Config.EvtIoCanceledOnQueue;
    if (canceledOnQueue != NULL) {
        /* "EvtIoCanceledOnQueue ... the driver must complete the request." */
        FxListInsertTail(&queue->Owned, &request->QueueLink);
        queue->OwnedCount++;
        HosMutexLock(&request->Lock);
        request->DriverOwned = true;
        HosMutexUnlock(&request->Lock);
    }
    HosMutexUnlock(&queue->Lock);
    if (canceledOnQueue != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, queue->Object.Driver, queue->Object.SyncLock,
                        "EvtIoCanceledOnQueue", request);
        canceledOnQueue((WDFQUEUE)queue, (WDFREQUEST)request);
        FxCallbackLeave(&frame);
    } else {
        FxRequestCompleteByFramework(request, STATUS_CANCELLED);
    }
}

/* ------------------------------------------------------------ IRP routing */

static bool FxQueueHandles(FX_QUEUE *Queue, UCHAR Major)
{
    WDF_IO_QUEUE_CONFIG *config = &Queue->Config;
    if (config->DispatchType == WdfIoQueueDispatchManual || config->EvtIoDefault != NULL) {
        return true;
    }
    switch (Major) {
    case IRP_MJ_READ:
        return config->EvtIoRead != NULL;
    case IRP_MJ_WRITE:
        return config->EvtIoWrite != NULL;
    case IRP_MJ_DEVICE_CONTROL:
        return config->EvtIoDeviceControl != NULL;
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        return config->EvtIoInternalDeviceControl != NULL;
    default:
        return false;
    }
}

/* The queue for a request type: the one configured for it, else the default queue when
   it has a callback for the type (referenced; NULL when there is none). */
static FX_QUEUE *FxQueueFor(FX_DEVICE *Device, UCHAR Major)
{
    FX_QUEUE *queue = NULL;
    HosMutexLock(&Device->Lock);
    if (Major <= IRP_MJ_MAXIMUM_FUNCTION && Device->Dispatch[Major] != NULL) {
        queue = Device->Dispatch[Major];
    } else if (Device->DefaultQueue != NULL && FxQueueHandles(Device->DefaultQueue, Major)) {
        queue = Device->DefaultQueue;
    }
    if (queue != NULL) {
        FxObjectReference(&queue->Object);
    }
    HosMutexUnlock(&Device->Lock);
    return queue;
}

/*
 * Puts a request into its queue. On failure the request is untouched and still the
 * caller's (WdfDeviceEnqueueRequest: "the driver must complete the request"):
 * STATUS_INVALID_DEVICE_REQUEST without a queue for the type, STATUS_INVALID_DEVICE_STATE
 * when the queue does not accept requests.
 */
NTSTATUS FxQueueRouteRequest(FX_DEVICE *Device, FX_REQUEST *Request)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Request->Irp);
    UCHAR major = stack->MajorFunction;
    FX_QUEUE *queue = FxQueueFor(Device, major);
    if (queue == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    /* "If AllowZeroLengthRequests is FALSE, the framework does not put zero-length read
       or write requests in the queue: it completes them with STATUS_SUCCESS." */
    if (!queue->Config.AllowZeroLengthRequests &&
        ((major == IRP_MJ_READ && stack->Parameters.Read.Length == 0) ||
         (major == IRP_MJ_WRITE && stack->Parameters.Write.Length == 0))) {
        FxObjectDereference(&queue->Object);
        HosMutexLock(&Request->Lock);
        Request->DriverOwned = false;
        HosMutexUnlock(&Request->Lock);
        FxRequestCompleteByFramework(Request, STATUS_SUCCESS);
        return STATUS_SUCCESS;
    }
    bool inserted = FxQueueInsert(queue, Request);
    FxObjectDereference(&queue->Object);
    return inserted ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_STATE;
}

/*
 * EvtIoInCallerContext ("Intercepting an I/O Request before it is Queued"): the framework
 * calls it for every read, write and device control request, on the thread that issued
 * the request and before any queueing or locking; the driver then queues the request
 * with WdfDeviceEnqueueRequest or completes it. The request is the driver's from here.
 */
static NTSTATUS FxQueueCallInCallerContext(FX_DEVICE *Device, PIRP Irp)
{
    FX_REQUEST *request;
    NTSTATUS status = FxRequestCreateForIrp(Device, Irp, &request);
    if (!NT_SUCCESS(status)) {
        FxCompleteIrp(Irp, status, 0);
        return status;
    }
    IoMarkIrpPending(Irp);
    HosMutexLock(&request->Lock);
    request->DriverOwned = true;
    request->InCallerContext = true;
    request->CallerThread = HosCurrentThreadId();
    HosMutexUnlock(&request->Lock);
    /* The callback's own reference: the request may be completed inside it. */
    FxObjectReference(&request->Object);
    Device->EvtIoInCallerContext((WDFDEVICE)Device, (WDFREQUEST)request);
    HosMutexLock(&request->Lock);
    request->InCallerContext = false;
    HosMutexUnlock(&request->Lock);
    FxObjectDereference(&request->Object);
    return STATUS_PENDING;
}

NTSTATUS FxQueueDispatchIrp(FX_DEVICE *Device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UCHAR major = stack->MajorFunction;
    if (Device->EvtIoInCallerContext != NULL &&
        (major == IRP_MJ_READ || major == IRP_MJ_WRITE || major == IRP_MJ_DEVICE_CONTROL ||
         major == IRP_MJ_INTERNAL_DEVICE_CONTROL)) {
        return FxQueueCallInCallerContext(Device, Irp);
    }
    FX_QUEUE *queue = FxQueueFor(Device, major);
    if (queue == NULL && Device->Filter && Device->Lower != NULL) {
        /* A filter passes what it does not handle to the next lower driver. */
        return FxDeviceForwardIrp(Device, Irp);
    }
    if (queue == NULL) {
        FxCompleteIrp(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    bool zeroLength = !queue->Config.AllowZeroLengthRequests &&
                      ((major == IRP_MJ_READ && stack->Parameters.Read.Length == 0) ||
                       (major == IRP_MJ_WRITE && stack->Parameters.Write.Length == 0));
    FxObjectDereference(&queue->Object);
    if (zeroLength) {
        /* Completed at once, without a request (see FxQueueRouteRequest). */
        FxCompleteIrp(Irp, STATUS_SUCCESS, 0);
        return STATUS_SUCCESS;
    }
    FX_REQUEST *request;
    NTSTATUS status = FxRequestCreateForIrp(Device, Irp, &request);
    if (!NT_SUCCESS(status)) {
        FxCompleteIrp(Irp, status, 0);
        return status;
    }
    IoMarkIrpPending(Irp);
    status = FxQueueRouteRequest(Device, request);
    if (!NT_SUCCESS(status)) {
        FxRequestCompleteByFramework(request, status);
    }
    return STATUS_PENDING;
}

/* ------------------------------------------------------------- lifetime */

/* Cancels what waits in the queue (and, with Owned, the driver's cancelable requests). */
static void FxQueueCancelAll(FX_QUEUE *Queue, bool Owned)
{
    FX_LINK cancelled;
    FxListInit(&cancelled);
    FX_REQUEST *owned[64];
    size_t ownedCount = 0;
    HosMutexLock(&Queue->Lock);
    FX_LINK *link = Queue->Pending.Next;
    while (link != &Queue->Pending) {
        FX_REQUEST *request = FX_CONTAINING(link, FX_REQUEST, QueueLink);
        link = link->Next;
        if (IoSetCancelRoutine(request->Irp, NULL) != NULL) {
            FxListRemove(&request->QueueLink);
            Queue->PendingCount--;
            FxListInsertTail(&cancelled, &request->QueueLink);
        }
    }
    if (Owned) {
        for (link = Queue->Owned.Next; link != &Queue->Owned && ownedCount < 64;
             link = link->Next) {
            FX_REQUEST *request = FX_CONTAINING(link, FX_REQUEST, QueueLink);
            FxObjectReference(&request->Object);
            owned[ownedCount++] = request;
        }
    }
    HosMutexUnlock(&Queue->Lock);
    while (!FxListEmpty(&cancelled)) {
        FX_REQUEST *request = FX_CONTAINING(cancelled.Next, FX_REQUEST, QueueLink);
        FxListRemove(&request->QueueLink);
        FxRequestCompleteByFramework(request, STATUS_CANCELLED);
    }
    /* "...and cancels driver-owned cancellable requests" (WdfIoQueuePurgeSynchronously). */
    for (size_t i = 0; i < ownedCount; i++) {
        FxRequestCancelDriverOwned(owned[i]);
        FxObjectDereference(&owned[i]->Object);
    }
}

void FxQueuePurgeInternal(FX_QUEUE *Queue)
{
    HosMutexLock(&Queue->Lock);
    Queue->Accepting = false;
    Queue->DispatchEnabled = false;
    HosMutexUnlock(&Queue->Lock);
    /* On removal "EvtIoStop ... WdfRequestStopActionPurge" for what the driver owns. */
    FxQueueStopOwned(Queue, WdfRequestStopActionPurge);
    FxQueueCancelAll(Queue, true);
    FxQueueCheckState(Queue);
}

bool FxQueueWaitDriverIdle(FX_QUEUE *Queue, uint64_t TimeoutNs, bool ExceptAcknowledged)
{
    uint64_t deadline = HosDeadlineAfter(TimeoutNs);
    bool idle = true;
    HosMutexLock(&Queue->Lock);
    while (Queue->OwnedCount > (ExceptAcknowledged ? Queue->AcknowledgedCount : 0)) {
        if (!HosCondWaitUntil(&Queue->Idle, &Queue->Lock, deadline)) {
            idle = Queue->OwnedCount <= (ExceptAcknowledged ? Queue->AcknowledgedCount : 0);
            break;
        }
    }
    HosMutexUnlock(&Queue->Lock);
    return idle;
}

/* Waits without a time-out, as the documented synchronous methods do. */
static void FxQueueWait(FX_QUEUE *Queue, bool AlsoPending)
{
    HosMutexLock(&Queue->Lock);
    while (Queue->OwnedCount != 0 || (AlsoPending && Queue->PendingCount != 0)) {
        HosCondWait(&Queue->Idle, &Queue->Lock);
    }
    HosMutexUnlock(&Queue->Lock);
}

ULONG FxQueueAbandonOwned(FX_QUEUE *Queue)
{
    FX_REQUEST *owned[64];
    ULONG count = 0;
    HosMutexLock(&Queue->Lock);
    for (FX_LINK *link = Queue->Owned.Next; link != &Queue->Owned && count < 64;
         link = link->Next) {
        FX_REQUEST *request = FX_CONTAINING(link, FX_REQUEST, QueueLink);
        FxObjectReference(&request->Object);
        owned[count++] = request;
    }
    HosMutexUnlock(&Queue->Lock);
    for (ULONG i = 0; i < count; i++) {
        FxRequestCompleteByFramework(owned[i], STATUS_CANCELLED);
        FxObjectDereference(&owned[i]->Object);
    }
    return count;
}

void FxQueuePowerStop(FX_QUEUE *Queue)
{
    HosMutexLock(&Queue->Lock);
    Queue->PowerStopped = true;
    HosMutexUnlock(&Queue->Lock);
}

void FxQueuePowerStart(FX_QUEUE *Queue)
{
    HosMutexLock(&Queue->Lock);
    Queue->PowerStopped = false;
    Queue->ReadyPending = true;
    HosMutexUnlock(&Queue->Lock);
    FxQueueResumeOwned(Queue);
    FxQueueDispatch(Queue);
}

static void FxQueueDispose(FX_OBJECT *Object)
{
    FX_QUEUE *queue = (FX_QUEUE *)Object;
    FxQueuePurgeInternal(queue);
    if (!FxQueueWaitDriverIdle(queue, FX_SAFETY_TIMEOUT_NS, false)) {
        ULONG pending = FxQueueAbandonOwned(queue);
        FxReport(Object->Driver, "REQUEST_PENDING_AT_REMOVE",
                 "%lu request(s) still owned by the driver when WDFQUEUE %p was deleted",
                 (unsigned long)pending, (void *)queue);
    }
    FX_DEVICE *device = queue->Device;
    HosMutexLock(&device->Lock);
    FxListRemove(&queue->DeviceLink);
    if (device->DefaultQueue == queue) {
        device->DefaultQueue = NULL;
    }
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        if (device->Dispatch[i] == queue) {
            device->Dispatch[i] = NULL;
        }
    }
    HosMutexUnlock(&device->Lock);
}

static void FxQueueDestroy(FX_OBJECT *Object)
{
    FX_QUEUE *queue = (FX_QUEUE *)Object;
    if (Object->SyncLock != NULL && Object->SyncLock != queue->Device->Object.SyncLock) {
        FxSyncLockDelete(Object->SyncLock);
    }
    Object->SyncLock = NULL;
    HosCondDestroy(&queue->Idle);
    HosMutexDestroy(&queue->Lock);
}

static const FX_OBJECT_OPS FxQueueOps = {FxQueueDispose, FxQueueDestroy};

/* ------------------------------------------------------------- methods */

static FX_QUEUE *FxQueueGet(WDFQUEUE Queue, const char *Api)
{
    return (FX_QUEUE *)FxObjectFromHandle(Queue, FxTypeQueue, Api);
}

/*
 * WdfIoQueueCreate: the queue's parent is the device. Its synchronization scope is its
 * own or, when InheritFromParent, the device's (whose default is the driver's, whose
 * default is None). Power-managed unless PowerManaged is WdfFalse; a power-managed
 * queue delivers requests only while the device is in D0.
 */
WDFAPI NTSTATUS WdfIoQueueCreate(WDFDEVICE Device, PWDF_IO_QUEUE_CONFIG Config,
                                 PWDF_OBJECT_ATTRIBUTES QueueAttributes, WDFQUEUE *Queue)
{
    if (Queue != NULL) {
        *Queue = NULL;
    }
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfIoQueueCreate");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Config == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Config->Size != sizeof(WDF_IO_QUEUE_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (Config->DispatchType <= WdfIoQueueDispatchInvalid ||
        Config->DispatchType >= WdfIoQueueDispatchMax) {
        return STATUS_INVALID_PARAMETER;
    }
    if (QueueAttributes != NULL && QueueAttributes->ParentObject != NULL &&
        QueueAttributes->ParentObject != (WDFOBJECT)Device) {
        return STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED;
    }
    if (Config->DispatchType != WdfIoQueueDispatchManual && !Config->DefaultQueue &&
        Config->EvtIoDefault == NULL && Config->EvtIoRead == NULL && Config->EvtIoWrite == NULL &&
        Config->EvtIoDeviceControl == NULL && Config->EvtIoInternalDeviceControl == NULL) {
        return STATUS_WDF_NO_CALLBACK;
    }
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_QUEUE), FxTypeQueue, QueueAttributes,
                                       device->Object.Driver, &FxQueueOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_QUEUE *queue = (FX_QUEUE *)object;
    queue->Device = device;
    queue->Config = *Config;
    queue->PowerManaged = Config->PowerManaged != WdfFalse;
    object->ExecutionLevel = FxResolveExecutionLevel(QueueAttributes, &device->Object);

    WDF_SYNCHRONIZATION_SCOPE scope = object->SyncScope;
    if (scope == WdfSynchronizationScopeInheritFromParent ||
        scope == WdfSynchronizationScopeInvalid) {
        scope = device->Object.SyncScope;
        if (scope == WdfSynchronizationScopeInheritFromParent ||
            scope == WdfSynchronizationScopeInvalid) {
            scope = device->Object.Driver->Object.SyncScope;
        }
    }
    if (scope == WdfSynchronizationScopeDevice) {
        if (device->Object.SyncLock == NULL) {
            FxObjectFreeUninserted(object);
            return STATUS_WDF_SYNCHRONIZATION_SCOPE_INVALID;
        }
        object->SyncLock = device->Object.SyncLock;
    } else if (scope == WdfSynchronizationScopeQueue) {
        object->SyncLock = FxSyncLockCreate(object->ExecutionLevel == WdfExecutionLevelPassive);
        if (object->SyncLock == NULL) {
            FxObjectFreeUninserted(object);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    object->SyncScope = scope;
    HosMutexInitOrdering(&queue->Lock);
    HosCondInit(&queue->Idle);
    FxListInit(&queue->Pending);
    FxListInit(&queue->Owned);
    queue->Accepting = true;
    queue->DispatchEnabled = true;

    HosMutexLock(&device->Lock);
    if (Config->DefaultQueue && device->DefaultQueue != NULL) {
        HosMutexUnlock(&device->Lock);
        if (object->SyncLock != device->Object.SyncLock) {
            FxSyncLockDelete(object->SyncLock);
        }
        HosCondDestroy(&queue->Idle);
        HosMutexDestroy(&queue->Lock);
        FxObjectFreeUninserted(object);
        return STATUS_WDF_BUSY;
    }
    queue->PowerStopped = queue->PowerManaged && !device->InD0;
    FxListInsertTail(&device->Queues, &queue->DeviceLink);
    if (Config->DefaultQueue) {
        device->DefaultQueue = queue;
    }
    HosMutexUnlock(&device->Lock);
    FxObjectInsert(object, &device->Object);
    if (Queue != NULL) {
        *Queue = (WDFQUEUE)queue;
    }
    return STATUS_SUCCESS;
}

WDFAPI WDFDEVICE WdfIoQueueGetDevice(WDFQUEUE Queue)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueGetDevice");
    return queue != NULL ? (WDFDEVICE)queue->Device : NULL;
}

WDFAPI WDF_IO_QUEUE_STATE WdfIoQueueGetState(WDFQUEUE Queue, PULONG QueueRequests,
                                             PULONG DriverRequests)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueGetState");
    if (queue == NULL) {
        return (WDF_IO_QUEUE_STATE)0;
    }
    HosMutexLock(&queue->Lock);
    int state = 0;
    if (queue->Accepting) {
        state |= WdfIoQueueAcceptRequests;
    }
    if (queue->DispatchEnabled) {
        state |= WdfIoQueueDispatchRequests;
    }
    if (queue->PendingCount == 0) {
        state |= WdfIoQueueNoRequests;
    }
    if (queue->OwnedCount == 0) {
        state |= WdfIoQueueDriverNoRequests;
    }
    if (queue->PowerStopped) {
        state |= WdfIoQueuePnpHeld;
    }
    if (QueueRequests != NULL) {
        *QueueRequests = queue->PendingCount;
    }
    if (DriverRequests != NULL) {
        *DriverRequests = queue->OwnedCount;
    }
    HosMutexUnlock(&queue->Lock);
    return (WDF_IO_QUEUE_STATE)state;
}

/* WdfIoQueueStart: accept and deliver requests again (after stop, purge or drain). */
WDFAPI VOID WdfIoQueueStart(WDFQUEUE Queue)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueStart");
    if (queue == NULL) {
        return;
    }
    HosMutexLock(&queue->Lock);
    queue->Accepting = true;
    queue->DispatchEnabled = true;
    queue->ReadyPending = true;
    HosMutexUnlock(&queue->Lock);
    FxQueueDispatch(queue);
}

static void FxQueueSetState(FX_QUEUE *Queue, bool Accepting, bool Dispatching,
                            PFN_WDF_IO_QUEUE_STATE Callback, WDFCONTEXT Context, bool WantsEmpty)
{
    HosMutexLock(&Queue->Lock);
    Queue->Accepting = Accepting;
    Queue->DispatchEnabled = Dispatching;
    Queue->StateCallback = Callback;
    Queue->StateContext = Context;
    Queue->StateCallbackWantsEmptyQueue = WantsEmpty;
    HosMutexUnlock(&Queue->Lock);
}

static bool FxCheckPassive(FX_QUEUE *Queue, const char *Api)
{
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(Queue->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT", "%s on WDFQUEUE %p at IRQL %u",
                 Api, (void *)Queue, (unsigned)KeGetCurrentIrql());
        return false;
    }
    return true;
}

/* WdfIoQueueStop: stop delivering; the queue keeps accepting (and holding) requests. */
WDFAPI VOID WdfIoQueueStop(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopComplete, WDFCONTEXT Context)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueStop");
    if (queue == NULL) {
        return;
    }
    HosMutexLock(&queue->Lock);
    bool accepting = queue->Accepting;
    HosMutexUnlock(&queue->Lock);
    FxQueueSetState(queue, accepting, false, StopComplete, Context, false);
    FxQueueCheckState(queue);
}

/* WdfIoQueueStopSynchronously: stop, then return once the driver owns no request of it. */
WDFAPI VOID WdfIoQueueStopSynchronously(WDFQUEUE Queue)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueStopSynchronously");
    if (queue == NULL || !FxCheckPassive(queue, "WdfIoQueueStopSynchronously")) {
        return;
    }
    HosMutexLock(&queue->Lock);
    queue->DispatchEnabled = false;
    HosMutexUnlock(&queue->Lock);
    FxQueueWait(queue, false);
}

WDFAPI VOID WdfIoQueuePurge(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE PurgeComplete,
                            WDFCONTEXT Context)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueuePurge");
    if (queue == NULL) {
        return;
    }
    FxQueueSetState(queue, false, false, PurgeComplete, Context, true);
    FxQueueCancelAll(queue, true);
    FxQueueCheckState(queue);
}

WDFAPI VOID WdfIoQueuePurgeSynchronously(WDFQUEUE Queue)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueuePurgeSynchronously");
    if (queue == NULL || !FxCheckPassive(queue, "WdfIoQueuePurgeSynchronously")) {
        return;
    }
    FxQueueSetState(queue, false, false, NULL, NULL, true);
    FxQueueCancelAll(queue, true);
    FxQueueWait(queue, true);
}

/* WdfIoQueueDrain: stop accepting, keep delivering what is queued. */
WDFAPI VOID WdfIoQueueDrain(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE DrainComplete,
                            WDFCONTEXT Context)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueDrain");
    if (queue == NULL) {
        return;
    }
    FxQueueSetState(queue, false, true, DrainComplete, Context, true);
    FxQueueDispatch(queue);
}

WDFAPI VOID WdfIoQueueDrainSynchronously(WDFQUEUE Queue)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueDrainSynchronously");
    if (queue == NULL || !FxCheckPassive(queue, "WdfIoQueueDrainSynchronously")) {
        return;
    }
    FxQueueSetState(queue, false, true, NULL, NULL, true);
    FxQueueDispatch(queue);
    FxQueueWait(queue, true);
}

/* WdfIoQueueStopAndPurge: stop delivering, cancel what waits and what the driver holds
   cancelable; new requests are still accepted and held. */
WDFAPI VOID WdfIoQueueStopAndPurge(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopAndPurgeComplete,
                                   WDFCONTEXT Context)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueStopAndPurge");
    if (queue == NULL) {
        return;
    }
    FxQueueSetState(queue, true, false, StopAndPurgeComplete, Context, false);
    FxQueueCancelAll(queue, true);
    FxQueueCheckState(queue);
}

WDFAPI VOID WdfIoQueueStopAndPurgeSynchronously(WDFQUEUE Queue)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueStopAndPurgeSynchronously");
    if (queue == NULL || !FxCheckPassive(queue, "WdfIoQueueStopAndPurgeSynchronously")) {
        return;
    }
    FxQueueSetState(queue, true, false, NULL, NULL, false);
    FxQueueCancelAll(queue, true);
    FxQueueWait(queue, false);
}

/*
 * The preamble of the methods that hand out a request (WdfIoQueueRetrieve*,
 * WdfIoQueueFindRequest): a NULL OutRequest is STATUS_INVALID_PARAMETER, otherwise it is
 * cleared first; a bad queue handle is STATUS_INVALID_HANDLE (and FxQueueGet's report).
 * NULL with *Status on a failure.
 */
static FX_QUEUE *FxQueueGetForRequest(WDFQUEUE Queue, WDFREQUEST *OutRequest, const char *Api, NTSTATUS *Status)
{
    if (OutRequest == NULL) {
        *Status = STATUS_INVALID_PARAMETER;
        return NULL;
    }
    *OutRequest = NULL;
    FX_QUEUE *queue = FxQueueGet(Queue, Api);
    *Status = queue != NULL ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
    return queue;
}

/*
 * An optional handle argument of those methods (FoundRequest, FileObject): NULL stays
 * NULL; a handle that is not a live object of Type is STATUS_INVALID_PARAMETER (after
 * FxObjectFromHandle's report). False on a bad handle.
 */
static bool FxQueueOptionalArgument(const void *Handle, FX_TYPE Type, const char *Api, FX_OBJECT **Object)
{
    *Object = NULL;
    if (Handle == NULL) {
        return true;
    }
    *Object = FxObjectFromHandle(Handle, Type, Api);
    return *Object != NULL;
}

/* Whether the queue hands out requests now (under Queue->Lock): not while it is stopped
   (STATUS_WDF_PAUSED) or powered down. */
static bool FxQueueDispatchingLocked(FX_QUEUE *Queue)
{
    return Queue->DispatchEnabled && !Queue->PowerStopped;
}

/* Takes a waiting request out of the queue for the driver (it now owns it). Under
   Queue->Lock; false when the request's cancel routine already runs. */
static bool FxQueueHandOutLocked(FX_QUEUE *Queue, FX_REQUEST *Request)
{
    if (IoSetCancelRoutine(Request->Irp, NULL) == NULL) {
        return false;
    }
    FxListRemove(&Request->QueueLink);
    Queue->PendingCount--;
    FxListInsertTail(&Queue->Owned, &Request->QueueLink);
    Queue->OwnedCount++;
    HosMutexLock(&Request->Lock);
    Request->DriverOwned = true;
    HosMutexUnlock(&Request->Lock);
    return true;
}

/*
 * WdfIoQueueRetrieveNextRequest: hands the next waiting request to the driver.
 * STATUS_NO_MORE_ENTRIES when none waits, STATUS_WDF_PAUSED when the queue is stopped,
 * STATUS_INVALID_DEVICE_STATE when "the specified I/O queue is configured for the
 * parallel dispatching method" (manual and sequential queues only).
 */
WDFAPI NTSTATUS WdfIoQueueRetrieveNextRequest(WDFQUEUE Queue, WDFREQUEST *OutRequest)
{
    NTSTATUS queueStatus;
    FX_QUEUE *queue = FxQueueGetForRequest(Queue, OutRequest, "WdfIoQueueRetrieveNextRequest", &queueStatus);
    if (queue == NULL) {
        return queueStatus;
    }
    if (queue->Config.DispatchType == WdfIoQueueDispatchParallel) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    FX_REQUEST *request = NULL;
    HosMutexLock(&queue->Lock);
    if (!FxQueueDispatchingLocked(queue)) {
        HosMutexUnlock(&queue->Lock);
        return STATUS_WDF_PAUSED;
    }
    for (FX_LINK *link = queue->Pending.Next; link != &queue->Pending; link = link->Next) {
        FX_REQUEST *candidate = FX_CONTAINING(link, FX_REQUEST, QueueLink);
        if (FxQueueHandOutLocked(queue, candidate)) {
            request = candidate;
            break;
        }
    }
    HosMutexUnlock(&queue->Lock);
    if (request == NULL) {
        return STATUS_NO_MORE_ENTRIES;
    }
    *OutRequest = (WDFREQUEST)request;
    FxQueueCheckState(queue);
    return STATUS_SUCCESS;
}

/* Whether Request waits in Queue (under Queue->Lock). */
static bool FxQueueHoldsLocked(FX_QUEUE *Queue, FX_REQUEST *Request)
{
    for (FX_LINK *link = Queue->Pending.Next; link != &Queue->Pending; link = link->Next) {
        if (FX_CONTAINING(link, FX_REQUEST, QueueLink) == Request) {
            return true;
        }
    }
    return false;
}

/*
 * WdfIoQueueRetrieveRequestByFileObject: the first waiting request of FileObject goes to
 * the driver. As WdfIoQueueRetrieveNextRequest: manual and sequential queues only
 * (STATUS_INVALID_DEVICE_STATE on a parallel one), STATUS_WDF_PAUSED while the queue is
 * stopped, STATUS_NO_MORE_ENTRIES when no request of that file waits.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueueretrieverequestbyfileobject
 */
WDFAPI NTSTATUS WdfIoQueueRetrieveRequestByFileObject(WDFQUEUE Queue, WDFFILEOBJECT FileObject,
                                                      WDFREQUEST *OutRequest)
{
    NTSTATUS queueStatus;
    FX_QUEUE *queue = FxQueueGetForRequest(Queue, OutRequest, "WdfIoQueueRetrieveRequestByFileObject", &queueStatus);
    if (queue == NULL) {
        return queueStatus;
    }
    FX_FILEOBJECT *file = (FX_FILEOBJECT *)FxObjectFromHandle(
        FileObject, FxTypeFileObject, "WdfIoQueueRetrieveRequestByFileObject");
    if (file == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (queue->Config.DispatchType == WdfIoQueueDispatchParallel) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    FX_REQUEST *found = NULL;
    HosMutexLock(&queue->Lock);
    if (!FxQueueDispatchingLocked(queue)) {
        HosMutexUnlock(&queue->Lock);
        return STATUS_WDF_PAUSED;
    }
    for (FX_LINK *link = queue->Pending.Next; link != &queue->Pending; link = link->Next) {
        FX_REQUEST *candidate = FX_CONTAINING(link, FX_REQUEST, QueueLink);
        if (candidate->File == file && FxQueueHandOutLocked(queue, candidate)) {
            found = candidate;
            break;
        }
    }
    HosMutexUnlock(&queue->Lock);
    if (found == NULL) {
        return STATUS_NO_MORE_ENTRIES;
    }
    *OutRequest = (WDFREQUEST)found;
    FxQueueCheckState(queue);
    return STATUS_SUCCESS;
}

/*
 * WdfIoQueueFindRequest: the next waiting request (after FoundRequest, of FileObject when
 * given) without giving it to the driver; its parameters are copied to Parameters. The
 * request gains a reference the driver drops with WdfObjectDereference. Manual queues
 * only (STATUS_INVALID_DEVICE_REQUEST); STATUS_NOT_FOUND when FoundRequest no longer
 * waits in the queue (cancelled, retrieved); STATUS_NO_MORE_ENTRIES at the end.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuefindrequest
 */
WDFAPI NTSTATUS WdfIoQueueFindRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest,
                                      WDFFILEOBJECT FileObject, PWDF_REQUEST_PARAMETERS Parameters,
                                      WDFREQUEST *OutRequest)
{
    NTSTATUS queueStatus;
    FX_QUEUE *queue = FxQueueGetForRequest(Queue, OutRequest, "WdfIoQueueFindRequest", &queueStatus);
    if (queue == NULL) {
        return queueStatus;
    }
    FX_OBJECT *afterObject;
    FX_OBJECT *fileObject;
    if (!FxQueueOptionalArgument(FoundRequest, FxTypeRequest, "WdfIoQueueFindRequest", &afterObject) ||
        !FxQueueOptionalArgument(FileObject, FxTypeFileObject, "WdfIoQueueFindRequest", &fileObject)) {
        return STATUS_INVALID_PARAMETER;
    }
    FX_REQUEST *after = (FX_REQUEST *)afterObject;
    FX_FILEOBJECT *file = (FX_FILEOBJECT *)fileObject;
    if (Parameters != NULL && Parameters->Size != sizeof(WDF_REQUEST_PARAMETERS)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (queue->Config.DispatchType != WdfIoQueueDispatchManual) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    FX_REQUEST *found = NULL;
    NTSTATUS status = STATUS_NO_MORE_ENTRIES;
    HosMutexLock(&queue->Lock);
    FX_LINK *start = queue->Pending.Next;
    if (after != NULL) {
        if (!FxQueueHoldsLocked(queue, after)) {
            HosMutexUnlock(&queue->Lock);
            return STATUS_NOT_FOUND;
        }
        start = after->QueueLink.Next;
    }
    for (FX_LINK *link = start; link != &queue->Pending; link = link->Next) {
        FX_REQUEST *candidate = FX_CONTAINING(link, FX_REQUEST, QueueLink);
        if (file == NULL || candidate->File == file) {
            found = candidate;
            break;
        }
    }
    if (found != NULL) {
        FxObjectReference(&found->Object);
        if (Parameters != NULL) {
            *Parameters = found->Parameters;
        }
        *OutRequest = (WDFREQUEST)found;
        status = STATUS_SUCCESS;
    }
    HosMutexUnlock(&queue->Lock);
    return status;
}

/*
 * WdfIoQueueRetrieveFoundRequest: the request WdfIoQueueFindRequest found goes to the
 * driver; STATUS_NOT_FOUND when it no longer waits in the queue (it may have been
 * cancelled). The reference of WdfIoQueueFindRequest stays the driver's to drop.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueueretrievefoundrequest
 */
WDFAPI NTSTATUS WdfIoQueueRetrieveFoundRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest,
                                               WDFREQUEST *OutRequest)
{
    NTSTATUS queueStatus;
    FX_QUEUE *queue = FxQueueGetForRequest(Queue, OutRequest, "WdfIoQueueRetrieveFoundRequest", &queueStatus);
    if (queue == NULL) {
        return queueStatus;
    }
    FX_REQUEST *request = (FX_REQUEST *)FxObjectFromHandle(FoundRequest, FxTypeRequest,
                                                           "WdfIoQueueRetrieveFoundRequest");
    if (request == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (queue->Config.DispatchType != WdfIoQueueDispatchManual) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    HosMutexLock(&queue->Lock);
    if (!FxQueueDispatchingLocked(queue)) {
        HosMutexUnlock(&queue->Lock);
        return STATUS_WDF_PAUSED;
    }
    bool retrieved = FxQueueHoldsLocked(queue, request) && FxQueueHandOutLocked(queue, request);
    HosMutexUnlock(&queue->Lock);
    if (!retrieved) {
        return STATUS_NOT_FOUND;
    }
    *OutRequest = (WDFREQUEST)request;
    FxQueueCheckState(queue);
    return STATUS_SUCCESS;
}

/*
 * WdfIoQueueReadyNotify: registers (QueueReady) or removes (NULL) the EvtIoQueueState
 * callback a manual queue calls when it goes from empty to holding requests, and when
 * it starts again holding requests; it may run before this call returns. One
 * registration at a time; removing one needs the queue stopped. Otherwise
 * STATUS_INVALID_DEVICE_REQUEST, as for a queue that is not manual.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuereadynotify
 */
WDFAPI NTSTATUS WdfIoQueueReadyNotify(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE QueueReady,
                                      WDFCONTEXT Context)
{
    FX_QUEUE *queue = FxQueueGet(Queue, "WdfIoQueueReadyNotify");
    if (queue == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (queue->Config.DispatchType != WdfIoQueueDispatchManual) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (atomic_load(&queue->Object.State) != FxStateLive) {
        return STATUS_DELETE_PENDING;
    }
    HosMutexLock(&queue->Lock);
    if (QueueReady != NULL) {
        if (queue->ReadyCallback != NULL) {
            HosMutexUnlock(&queue->Lock);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        queue->ReadyCallback = QueueReady;
        queue->ReadyContext = Context;
        /* Requests that wait already are reported at once. */
        queue->ReadyPending = true;
    } else {
        if (queue->ReadyCallback == NULL || queue->DispatchEnabled) {
            HosMutexUnlock(&queue->Lock);
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        queue->ReadyCallback = NULL;
        queue->ReadyContext = NULL;
    }
    HosMutexUnlock(&queue->Lock);
    if (QueueReady != NULL) {
        FxQueueDispatch(queue);
    }
    return STATUS_SUCCESS;
}

/*
 * WdfRequestRequeue (fxrequest.c) for a request of Queue: back at the head of the manual
 * queue it came from, owned by the framework again.
 */
NTSTATUS FxQueueRequeue(FX_QUEUE *Queue, FX_REQUEST *Request)
{
    HosMutexLock(&Queue->Lock);
    FxListRemove(&Request->QueueLink);
    Queue->OwnedCount--;
    HosMutexLock(&Request->Lock);
    Request->DriverOwned = false;
    if (Request->StopAcknowledged) {
        Request->StopAcknowledged = false;
        Queue->AcknowledgedCount--;
    }
    HosMutexUnlock(&Request->Lock);
    bool queued = FxQueueInsertHeadLocked(Queue, Request);
    HosMutexUnlock(&Queue->Lock);
    if (!queued) {
        FxRequestCompleteByFramework(Request, STATUS_CANCELLED);
    }
    FxQueueCheckState(Queue);
    return STATUS_SUCCESS;
}
