/*++

Module Name:

    dpc_at_unload.c

Abstract:

    Breaks PENDING_OPERATIONS_AT_UNLOAD with a DPC: EvtDriverUnload queues a DPC of
    the driver and returns without KeFlushQueuedDpcs, so the DPC may still be queued or
    running when the driver's image goes away (bug check 0xCE on Windows).

Environment:

    Kernel mode

--*/

#include "vtest.h"

static KDPC VtDpc;

EVT_WDF_DRIVER_UNLOAD VtEvtDriverUnload;
KDEFERRED_ROUTINE VtDpcRoutine;

VOID
VtDpcRoutine(
    _In_ PKDPC Dpc,
    _In_opt_ PVOID DeferredContext,
    _In_opt_ PVOID SystemArgument1,
    _In_opt_ PVOID SystemArgument2
    )
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(DeferredContext);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
}

VOID
VtEvtDriverUnload(
    _In_ WDFDRIVER Driver
    )
{
    UNREFERENCED_PARAMETER(Driver);

    KeInitializeDpc(&VtDpc, VtDpcRoutine, NULL);
    KeInsertQueueDpc(&VtDpc, NULL, NULL);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    VtAddQueueCompletingWrites,
    VtEvtDriverUnload,
};
