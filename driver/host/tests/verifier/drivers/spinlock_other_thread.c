/*++

Module Name:

    spinlock_other_thread.c

Abstract:

    Breaks SPINLOCK_MISUSE (released by another thread): the timer routine, on the DPC
    thread, acquires the spin lock and waits; EvtIoWrite, on the thread that sent the
    write, releases it while the timer routine still runs, then lets the timer routine
    return. Neither callback returns holding the lock, so the only broken rule is the
    release by a thread that does not own the lock. The timer is not serialized with
    anything (no synchronization scope, no automatic serialization).

Environment:

    Kernel mode

--*/

#include "vtest.h"

EVT_WDF_IO_QUEUE_IO_WRITE VtEvtIoWrite;
EVT_WDF_TIMER VtEvtTimer;

static
NTSTATUS
RuleDeviceAdd(
    _In_ WDFDEVICE Device
    )
{
    PVT_DEVICE_CONTEXT context = VtGetDeviceContext(Device);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_TIMER_CONFIG timerConfig;
    NTSTATUS status;

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = Device;
    status = WdfSpinLockCreate(&attributes, &context->Lock);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_TIMER_CONFIG_INIT(&timerConfig, VtEvtTimer);
    timerConfig.AutomaticSerialization = FALSE;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = Device;
    status = WdfTimerCreate(&timerConfig, &attributes, &context->Timer);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return VtCreateDefaultQueue(Device, WdfIoQueueDispatchSequential, VtEvtIoWrite, NULL);
}

VOID
VtEvtTimer(
    _In_ WDFTIMER Timer
    )
{
    PVT_DEVICE_CONTEXT context = VtGetDeviceContext(WdfTimerGetParentObject(Timer));

    WdfSpinLockAcquire(context->Lock);
    InterlockedExchange(&context->Acquired, 1);
    (VOID)VtSpinUntilSet(&context->Released);
}

VOID
VtEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    PVT_DEVICE_CONTEXT context = VtGetDeviceContext(WdfIoQueueGetDevice(Queue));

    WdfTimerStart(context->Timer, WDF_REL_TIMEOUT_IN_MS(1));
    if (VtSpinUntilSet(&context->Acquired)) {
        WdfSpinLockRelease(context->Lock);
    }
    InterlockedExchange(&context->Released, 1);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

const VT_RULE VtRule = {
    NULL,
    NULL,
    RuleDeviceAdd,
    NULL,
};
