/*
 * MUTANT (explore test driver): the AutoSync queue with the timer's AutomaticSerialization off, so the timer callback
 * runs alongside the I/O callbacks and the cancel routine. The explorer must find it.
 */
/*++

Module Name:

    queue.c (AutoSync)

Abstract:

    The default queue of the AutoSync variant: reads and writes are parked, cancelable,
    and a periodic timer completes them. The framework keeps the I/O callbacks, the
    cancel routine and the timer callback from running at the same time (queue
    synchronization scope, and a timer parented to the queue with automatic
    serialization), so the queue context needs no lock.

    Compare driversync\queue.c, which does without the framework's serialization.

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

    The AutoSync variant needs nothing of the device before it is created: the
    framework's serialization replaces per-request bookkeeping.

--*/
_Use_decl_annotations_
VOID
EchoQueueConfigureDeviceInit(
    PWDFDEVICE_INIT DeviceInit
    )
{
    PAGED_CODE();

    UNREFERENCED_PARAMETER(DeviceInit);
}

/*++

Routine Description:

    Creates the default queue, sequential so that the framework presents one request at
    a time and the next only after the driver completes the current one, with the queue
    as synchronization scope; then the periodic timer, parented to the queue so that the
    framework serializes its callback with the queue's callbacks. The timer is started
    by self-managed I/O (device.c).

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
    WDF_TIMER_CONFIG timerConfig;
    WDF_OBJECT_ATTRIBUTES timerAttributes;
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
    queueAttributes.SynchronizationScope = WdfSynchronizationScopeQueue;
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

    //
    // WDF_TIMER_CONFIG_INIT_PERIODIC turns AutomaticSerialization on: with the queue as
    // parent, the framework takes the queue's synchronization lock around
    // EchoEvtTimerFunc.
    //
    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, EchoEvtTimerFunc, TimerPeriodMs);
    timerConfig.AutomaticSerialization = FALSE; /* MUTATION */
    WDF_OBJECT_ATTRIBUTES_INIT(&timerAttributes);
    timerAttributes.ParentObject = queue;

    status = WdfTimerCreate(&timerConfig, &timerAttributes, &queueContext->Timer);
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
    the next timer tick, and cancelable meanwhile. The context is set before the request
    is marked cancelable because WdfRequestMarkCancelable calls the cancel routine
    before it returns when the request is already cancelled (the framework allows it
    here: this thread holds the queue's lock), and the cancel routine must then find the
    request to unpark it. After the call the request may be completed: it is not touched
    again.

--*/
_Use_decl_annotations_
VOID
EchoQueueParkRequest(
    PQUEUE_CONTEXT QueueContext,
    WDFREQUEST Request,
    NTSTATUS Status
    )
{
    NT_ASSERT(QueueContext->CurrentRequest == NULL);

    QueueContext->CurrentRequest = Request;
    QueueContext->CurrentStatus = Status;

    WdfRequestMarkCancelable(Request, EchoEvtRequestCancel);
}

/*++

Routine Description:

    The application cancelled the parked request (CancelIoEx, or its handle closed or its
    thread exited). The framework calls this at most once, serialized with the timer
    callback, and only while the request is still marked cancelable; so the request is
    the current one, and this routine alone completes it.

--*/
_Use_decl_annotations_
VOID
EchoEvtRequestCancel(
    WDFREQUEST Request
    )
{
    PQUEUE_CONTEXT queueContext = QueueGetContext(WdfRequestGetIoQueue(Request));

    KdPrint(("Echo: request %p cancelled\n", Request));

    if (queueContext->CurrentRequest == Request) {
        queueContext->CurrentRequest = NULL;
    }

    WdfRequestCompleteWithInformation(Request, STATUS_CANCELLED, 0);
}

/*++

Routine Description:

    The timer tick: completes the parked request, if any, with its saved status. Before
    completing, the request must stop being cancelable; if WdfRequestUnmarkCancelable
    says STATUS_CANCELLED, the cancel routine has the request (it runs as soon as this
    callback releases the queue's lock) and completes it instead.

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
    NTSTATUS status;

    request = queueContext->CurrentRequest;
    if (request == NULL) {
        return;
    }

    status = WdfRequestUnmarkCancelable(request);
    if (status == STATUS_CANCELLED) {
        return;
    }

    queueContext->CurrentRequest = NULL;
    WdfRequestComplete(request, queueContext->CurrentStatus);
}
