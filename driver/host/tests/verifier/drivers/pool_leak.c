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

EVT_WDF_IO_QUEUE_IO_WRITE VtEvtIoWrite;

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

static
NTSTATUS
RuleDeviceAdd(
    _In_ WDFDEVICE Device
    )
{
    return VtCreateDefaultQueue(Device, WdfIoQueueDispatchSequential, VtEvtIoWrite, NULL);
}

VOID
VtEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Queue);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

const VT_RULE VtRule = {
    RuleDriverEntry,
    NULL,
    RuleDeviceAdd,
    NULL,
};
