/*++

Module Name:

    double_completion.c

Abstract:

    Breaks DOUBLE_COMPLETION: EvtIoWrite completes the request twice. It holds a
    reference on the request across both calls, so the handle stays valid and the second
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
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
    WdfObjectDereference(Request);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
