/*
 * MUTANT (explore test driver): the DriverSync cancel routine that takes the slot and its claim without checking that
 * the request is still the parked one. The explorer must find it.
 */
/*++

Module Name:

    queue.c (DriverSync)

Abstract:

    The default queue of the DriverSync variant: reads and writes are parked, cancelable,
    and a periodic timer completes them, as in the AutoSync variant; but the framework
    does not serialize the timer callback, the cancel routine and the I/O callbacks, so
    the driver does, with a spin lock and a per-request count of completion claims
    (queue.h).

    The protocol, for a parked request R (claims start at 2: the slot and the cancel
    routine):
    - The timer, under the lock, empties the slot and calls WdfRequestUnmarkCancelable.
      If that succeeds, the cancel routine will never run: the timer completes R. If it
      returns STATUS_CANCELLED, the cancel routine has run or will run: the timer drops
      the slot's claim.
    - The cancel routine, under the lock, empties the slot if R is still in it (dropping
      the slot's claim), then drops its own claim.
    - Whoever drops the last claim completes R with STATUS_CANCELLED.
    Completion happens after the lock is released: completing a request can make the
    framework present the next one on this thread, whose callback takes the lock.

    Compare autosync\queue.c, where the framework's serialization makes all this
    unnecessary.

Environment:

    Kernel mode

--*/

#include "driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text (PAGE, EchoQueueConfigureDeviceInit)
#pragma alloc_text (PAGE, EchoQueueInitialize)
#endif

/*++

Routine Description:

    Gives every request a REQUEST_CONTEXT, for its completion claims. The framework
    allocates and zeroes it with each request.

--*/
_Use_decl_annotations_
VOID
EchoQueueConfigureDeviceInit(
    PWDFDEVICE_INIT DeviceInit
    )
{
    WDF_OBJECT_ATTRIBUTES requestAttributes;

    PAGED_CODE();

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&requestAttributes, REQUEST_CONTEXT);
    WdfDeviceInitSetRequestAttributes(DeviceInit, &requestAttributes);
}

/*++

Routine Description:

    Creates the default queue, sequential so that the framework presents one request at
    a time and the next only after the driver completes the current one, with no
    synchronization scope; then the spin lock and the periodic timer, both parented to
    the queue, the timer without automatic serialization. The timer is started by
    self-managed I/O (device.c).

Arguments:

    Device - the echo device.

    TimerPeriodMs - the timer's period.

Return Value:

    STATUS_SUCCESS, or the status of the framework call that failed.

--*/
_Use_decl_annotations_
NTSTATUS
EchoQueueInitialize(
    WDFDEVICE Device,
    ULONG TimerPeriodMs
    )
{
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_OBJECT_ATTRIBUTES queueAttributes;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_TIMER_CONFIG timerConfig;
    PQUEUE_CONTEXT queueContext;
    WDFQUEUE queue;
    NTSTATUS status;

    PAGED_CODE();

    //
    // Reads and writes only: the framework fails every other request, device controls
    // included, with STATUS_INVALID_DEVICE_REQUEST.
    //
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchSequential);
    queueConfig.EvtIoRead = EchoEvtIoRead;
    queueConfig.EvtIoWrite = EchoEvtIoWrite;

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&queueAttributes, QUEUE_CONTEXT);
    queueAttributes.SynchronizationScope = WdfSynchronizationScopeNone;
    queueAttributes.EvtDestroyCallback = EchoEvtIoQueueContextDestroy;

    status = WdfIoQueueCreate(Device, &queueConfig, &queueAttributes, &queue);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Echo: WdfIoQueueCreate failed with status 0x%08X\n", status);
        return status;
    }

    //
    // The framework zeroed the context: empty store, nothing parked.
    //
    queueContext = QueueGetContext(queue);
    queueContext->CurrentStatus = STATUS_INVALID_DEVICE_REQUEST;

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = queue;

    status = WdfSpinLockCreate(&attributes, &queueContext->SpinLock);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Echo: WdfSpinLockCreate failed with status 0x%08X\n", status);
        return status;
    }

    //
    // No automatic serialization: the queue has no synchronization scope to join, and
    // the callback takes the driver's spin lock instead.
    //
    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, EchoEvtTimerFunc, TimerPeriodMs);
    timerConfig.AutomaticSerialization = FALSE;

    status = WdfTimerCreate(&timerConfig, &attributes, &queueContext->Timer);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Echo: WdfTimerCreate failed with status 0x%08X\n", status);
        return status;
    }

    return STATUS_SUCCESS;
}

/*++

Routine Description:

    Parks a request whose data has moved: it becomes the current request, completed by
    the next timer tick, and cancelable meanwhile. WdfRequestMarkCancelableEx, unlike
    WdfRequestMarkCancelable, does not call the cancel routine when the request is
    already cancelled; it returns STATUS_CANCELLED instead, which is what makes it safe
    to call with the spin lock held (the cancel routine takes the same lock). The
    request is then completed here, after the lock is released.

--*/
_Use_decl_annotations_
VOID
EchoQueueParkRequest(
    PQUEUE_CONTEXT QueueContext,
    WDFREQUEST Request,
    NTSTATUS Status
    )
{
    NTSTATUS status;

    InterlockedExchange(&RequestGetContext(Request)->CompletionClaims, 2);

    WdfSpinLockAcquire(QueueContext->SpinLock);

    NT_ASSERT(QueueContext->CurrentRequest == NULL);

    status = WdfRequestMarkCancelableEx(Request, EchoEvtRequestCancel);
    if (NT_SUCCESS(status)) {
        QueueContext->CurrentRequest = Request;
        QueueContext->CurrentStatus = Status;
    }

    WdfSpinLockRelease(QueueContext->SpinLock);

    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: request %p was cancelled before it was parked\n", Request));
        WdfRequestCompleteWithInformation(Request, status, 0);
    }
}

/*++

Routine Description:

    The application cancelled the parked request (CancelIoEx, or its handle closed or its
    thread exited). The framework calls this at most once, and possibly while the timer
    callback runs on another processor. If the request is still parked, this routine
    takes it out and with it the slot's claim; then it drops its own claim, and completes
    the request if that was the last one.

--*/
_Use_decl_annotations_
VOID
EchoEvtRequestCancel(
    WDFREQUEST Request
    )
{
    PQUEUE_CONTEXT queueContext = QueueGetContext(WdfRequestGetIoQueue(Request));
    PREQUEST_CONTEXT requestContext = RequestGetContext(Request);
    BOOLEAN complete;

    KdPrint(("Echo: request %p cancelled\n", Request));

    WdfSpinLockAcquire(queueContext->SpinLock);

    /* MUTATION: takes the slot's claim without checking that the request is still parked. */
    queueContext->CurrentRequest = NULL;
    InterlockedDecrement(&requestContext->CompletionClaims);

    complete = (InterlockedDecrement(&requestContext->CompletionClaims) == 0);

    WdfSpinLockRelease(queueContext->SpinLock);

    if (complete) {
        WdfRequestCompleteWithInformation(Request, STATUS_CANCELLED, 0);
    }
}

/*++

Routine Description:

    The timer tick: takes the parked request, if any, out of the slot. If it can still
    be made non-cancelable, the cancel routine will never run for it and the tick
    completes it with its saved status; otherwise the cancel routine has it, and the tick
    only drops the slot's claim (completing the request in the unlikely case that the
    cancel routine has already dropped its own).

--*/
_Use_decl_annotations_
VOID
EchoEvtTimerFunc(
    WDFTIMER Timer
    )
{
    WDFQUEUE queue = (WDFQUEUE)WdfTimerGetParentObject(Timer);
    PQUEUE_CONTEXT queueContext = QueueGetContext(queue);
    WDFREQUEST request;
    NTSTATUS status = STATUS_CANCELLED;
    BOOLEAN complete = FALSE;

    WdfSpinLockAcquire(queueContext->SpinLock);

    request = queueContext->CurrentRequest;
    if (request != NULL) {
        queueContext->CurrentRequest = NULL;

        if (WdfRequestUnmarkCancelable(request) != STATUS_CANCELLED) {
            status = queueContext->CurrentStatus;
            complete = TRUE;
        } else {
            complete = (InterlockedDecrement(&RequestGetContext(request)->CompletionClaims) == 0);
        }
    }

    WdfSpinLockRelease(queueContext->SpinLock);

    if (complete) {
        WdfRequestComplete(request, status);
    }
}
