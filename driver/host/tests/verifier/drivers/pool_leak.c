/*++

Module Name:

    pool_leak.c

Abstract:

    Breaks POOL_LEAK: DriverEntry allocates a tagged pool block and nothing ever frees
    it, so the block is still there when the driver unloads.

Environment:

    Kernel mode

--*/

#include "vtest.h"

static PVOID VtLeakedBlock;

static
NTSTATUS
RuleDriverEntry(
    _In_ WDFDRIVER Driver
    )
{
    UNREFERENCED_PARAMETER(Driver);

    VtLeakedBlock = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, VT_POOL_TAG);
    return VtLeakedBlock != NULL ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

const VT_RULE VtRule = {
    RuleDriverEntry,
    NULL,
    VtAddQueueCompletingWrites,
    NULL,
};
