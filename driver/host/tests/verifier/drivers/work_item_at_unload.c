/*++

Module Name:

    work_item_at_unload.c

Abstract:

    Breaks PENDING_OPERATIONS_AT_UNLOAD with a work item: EvtDriverUnload queues an
    ExQueueWorkItem work item of the driver and returns at once. The routine waits five
    seconds for an event nobody sets, so whatever the scheduling it is still queued or
    running when the unload routine has returned (bug check 0xCE on Windows, where the
    system does not keep the image loaded for such an item).

Environment:

    Kernel mode

--*/

#include "vtest.h"

static WORK_QUEUE_ITEM VtWorkItem;
static KEVENT VtNeverSet;

EVT_WDF_DRIVER_UNLOAD VtEvtDriverUnload;
WORKER_THREAD_ROUTINE VtWorkRoutine;

VOID
VtWorkRoutine(
    _In_ PVOID Parameter
    )
{
    LARGE_INTEGER timeout;

    UNREFERENCED_PARAMETER(Parameter);

    timeout.QuadPart = -50000000LL; // five seconds
    KeWaitForSingleObject(&VtNeverSet, Executive, KernelMode, FALSE, &timeout);
}

VOID
VtEvtDriverUnload(
    _In_ WDFDRIVER Driver
    )
{
    UNREFERENCED_PARAMETER(Driver);

    KeInitializeEvent(&VtNeverSet, NotificationEvent, FALSE);
    ExInitializeWorkItem(&VtWorkItem, VtWorkRoutine, NULL);
    ExQueueWorkItem(&VtWorkItem, DelayedWorkQueue);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    VtAddQueueCompletingWrites,
    VtEvtDriverUnload,
};
