/*++

Module Name:

    information_exceeds_buffer.c

Abstract:

    Breaks INFORMATION_EXCEEDS_BUFFER: EvtIoRead completes a read with an information
    value larger than the read's buffer, as if it had copied more than fits.

Environment:

    Kernel mode

--*/

#include "vtest.h"

EVT_WDF_IO_QUEUE_IO_READ VtEvtIoRead;

static
NTSTATUS
RuleDeviceAdd(
    _In_ WDFDEVICE Device
    )
{
    return VtCreateDefaultQueue(Device, WdfIoQueueDispatchSequential, NULL, VtEvtIoRead);
}

VOID
VtEvtIoRead(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Queue);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length + 16);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
