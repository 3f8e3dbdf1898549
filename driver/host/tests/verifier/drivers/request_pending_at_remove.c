/*++

Module Name:

    request_pending_at_remove.c

Abstract:

    Breaks REQUEST_PENDING_AT_REMOVE: EvtIoWrite keeps the request, not cancelable, and
    nothing ever completes it, so it is still owned by the driver when the device is
    removed. The queue is not power-managed, so that the move to D3 on the way to removal
    does not wait for the request.

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
    WDF_IO_QUEUE_CONFIG queueConfig;

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchSequential);
    queueConfig.EvtIoWrite = VtEvtIoWrite;
    queueConfig.PowerManaged = WdfFalse;
    return WdfIoQueueCreate(Device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES,
                            &VtGetDeviceContext(Device)->Queue);
}

VOID
VtEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Length);

    VtGetDeviceContext(WdfIoQueueGetDevice(Queue))->HeldRequest = Request;
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
