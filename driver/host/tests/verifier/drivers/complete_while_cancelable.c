/*++

Module Name:

    complete_while_cancelable.c

Abstract:

    Breaks COMPLETE_WHILE_CANCELABLE: EvtIoWrite marks the request cancelable and then
    completes it without WdfRequestUnmarkCancelable.

Environment:

    Kernel mode

--*/

#include "vtest.h"

EVT_WDF_IO_QUEUE_IO_WRITE VtEvtIoWrite;
EVT_WDF_REQUEST_CANCEL VtEvtRequestCancel;

static
NTSTATUS
RuleDeviceAdd(
    _In_ WDFDEVICE Device
    )
{
    return VtCreateDefaultQueue(Device, WdfIoQueueDispatchSequential, VtEvtIoWrite, NULL);
}

VOID
VtEvtRequestCancel(
    _In_ WDFREQUEST Request
    )
{
    WdfRequestComplete(Request, STATUS_CANCELLED);
}

VOID
VtEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Queue);

    WdfRequestMarkCancelable(Request, VtEvtRequestCancel);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
