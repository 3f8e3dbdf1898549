/*++

Module Name:

    spinlock_acquired_twice.c

Abstract:

    Breaks SPINLOCK_MISUSE (acquired twice): EvtIoWrite acquires its spin lock and then
    acquires it again on the same thread, which on Windows spins forever.

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
    WdfSpinLockAcquire(lock);
    WdfSpinLockRelease(lock);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
