/*++

Module Name:

    request_used_after_completion.c

Abstract:

    Breaks REQUEST_USED_AFTER_COMPLETION: EvtIoWrite completes the request and then sets
    its information. A reference held across the calls keeps the handle valid, so the
    call reaches the framework's check rather than freed memory.

Environment:

    Kernel mode

--*/

#include "vtest.h"

EVT_WDF_IO_QUEUE_IO_WRITE VtEvtIoWrite;

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

    WdfObjectReference(Request);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
    WdfRequestSetInformation(Request, Length);
    WdfObjectDereference(Request);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
