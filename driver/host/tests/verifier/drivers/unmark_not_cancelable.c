/*++

Module Name:

    unmark_not_cancelable.c

Abstract:

    Breaks UNMARK_NOT_CANCELABLE: EvtIoWrite calls WdfRequestUnmarkCancelable on a request
    it never marked cancelable (as a timer path does that unmarks a request another path
    already unmarked), then completes it as a correct driver would.

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

    (VOID)WdfRequestUnmarkCancelable(Request);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
