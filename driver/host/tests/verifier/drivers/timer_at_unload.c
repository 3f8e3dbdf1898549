/*++

Module Name:

    timer_at_unload.c

Abstract:

    Breaks PENDING_OPERATIONS_AT_UNLOAD with a kernel timer: DriverEntry sets a KTIMER,
    due in an hour with a DPC, and nothing cancels it, so it is still set when the
    driver unloads (bug check 0xCE, or 0xC7 under Driver Verifier, on Windows).

Environment:

    Kernel mode

--*/

#include "vtest.h"

static KTIMER VtTimer;
static KDPC VtTimerDpc;

KDEFERRED_ROUTINE VtTimerDpcRoutine;

VOID
VtTimerDpcRoutine(
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

static
NTSTATUS
RuleDriverEntry(
    _In_ WDFDRIVER Driver
    )
{
    LARGE_INTEGER dueTime;

    UNREFERENCED_PARAMETER(Driver);

    KeInitializeTimer(&VtTimer);
    KeInitializeDpc(&VtTimerDpc, VtTimerDpcRoutine, NULL);
    dueTime.QuadPart = -36000000000LL; // one hour
    KeSetTimer(&VtTimer, dueTime, &VtTimerDpc);
    return STATUS_SUCCESS;
}

const VT_RULE VtRule = {
    RuleDriverEntry,
    NULL,
    VtAddQueueCompletingWrites,
    NULL,
};
