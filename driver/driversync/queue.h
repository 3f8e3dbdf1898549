/*++

Module Name:

    queue.h (DriverSync)

Abstract:

    The DriverSync variant's queue. The framework serializes nothing here (the queue's
    synchronization scope is none, the timer has no automatic serialization): the timer
    callback, the cancel routine and the I/O callbacks can run at the same time on
    different processors. The driver keeps them in step itself, with a spin lock over
    the parked request and a per-request count of who may still complete it.

    Compare autosync\queue.h, where the framework does this.

Environment:

    Kernel mode

--*/

#pragma once

typedef struct _QUEUE_CONTEXT {
    //
    // What the last write left. Only the I/O callbacks touch it, and the sequential
    // queue presents one request at a time, so it needs no lock.
    //
    ECHO_STORE Store;

    //
    // Guards CurrentRequest and CurrentStatus, which the I/O callbacks, the timer
    // callback and the cancel routine all touch.
    //
    WDFSPINLOCK SpinLock;

    //
    // The request the driver has parked, cancelable, until the next timer tick, and the
    // status the tick completes it with. NULL when none is parked.
    //
    WDFREQUEST CurrentRequest;
    NTSTATUS CurrentStatus;

    //
    // The periodic timer that completes the parked request.
    //
    WDFTIMER Timer;
} QUEUE_CONTEXT, *PQUEUE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(QUEUE_CONTEXT, QueueGetContext)

//
// Every request's context (WdfDeviceInitSetRequestAttributes).
//
typedef struct _REQUEST_CONTEXT {
    //
    // How many parties may still complete the parked request: the parking slot
    // (CurrentRequest, emptied by the timer or by the cancel routine) and the cancel
    // routine. Each drops its claim when it is done with the request; the one that drops
    // the last claim completes it. So exactly one of the timer and the cancel routine
    // completes each request, whatever order they run in.
    //
    LONG CompletionClaims;
} REQUEST_CONTEXT, *PREQUEST_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(REQUEST_CONTEXT, RequestGetContext)
