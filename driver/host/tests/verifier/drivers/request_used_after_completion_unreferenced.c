/*++

Module Name:

    request_used_after_completion_unreferenced.c

Abstract:

    Breaks REQUEST_USED_AFTER_COMPLETION the way a driver usually does: EvtIoWrite
    completes the request and then sets its information, holding no reference on it, so
    the call gets the handle of a request that the framework has already released
    (compare request_used_after_completion.c).

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

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
    WdfRequestSetInformation(Request, Length);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
