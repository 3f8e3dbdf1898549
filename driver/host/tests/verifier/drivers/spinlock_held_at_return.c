/*++

Module Name:

    spinlock_held_at_return.c

Abstract:

    Breaks SPINLOCK_MISUSE (still held when a callback returns): EvtIoWrite acquires its
    spin lock, completes the request and returns with the lock held.

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
    WDF_OBJECT_ATTRIBUTES attributes;
    NTSTATUS status;

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = Device;
    status = WdfSpinLockCreate(&attributes, &VtGetDeviceContext(Device)->Lock);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return VtCreateDefaultQueue(Device, WdfIoQueueDispatchSequential, VtEvtIoWrite, NULL);
}

VOID
VtEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    WDFSPINLOCK lock = VtGetDeviceContext(WdfIoQueueGetDevice(Queue))->Lock;

    WdfSpinLockAcquire(lock);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
