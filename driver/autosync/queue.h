/*++

Module Name:

    queue.h (AutoSync)

Abstract:

    The AutoSync variant's queue. The framework serializes everything that touches the
    queue's context: the queue's synchronization scope is the queue, so its I/O
    callbacks and the cancel routines of its requests never run at the same time, and
    the timer is parented to the queue with automatic serialization, so its callback
    joins them. The driver has no lock of its own.

    Compare driversync\queue.h, where the driver does the same with a spin lock.

Environment:

    Kernel mode

--*/

#pragma once

typedef struct _QUEUE_CONTEXT {
    //
    // What the last write left.
    //
    ECHO_STORE Store;

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
