/*++

Module Name:

    serialization_broken.c

Abstract:

    Breaks SERIALIZATION_BROKEN: the device asks for queue-level synchronization, so the
    framework promises that the queue's callbacks and the queue's timer (parented to the
    queue, with automatic serialization) never run at the same time. EvtIoWrite gives up
    the queue's synchronization lock with WdfObjectReleaseLock, which only a driver that
    acquired it with WdfObjectAcquireLock may do, starts the timer and waits until the
    timer routine runs, so the two overlap. It then takes the lock back.

Environment:

    Kernel mode

--*/

#include "vtest.h"

EVT_WDF_IO_QUEUE_IO_WRITE VtEvtIoWrite;
EVT_WDF_TIMER VtEvtTimer;

static
VOID
RuleDeviceAttributes(
    _Inout_ PWDF_OBJECT_ATTRIBUTES Attributes
    )
{
    Attributes->SynchronizationScope = WdfSynchronizationScopeQueue;
}

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

    status = VtCreateDefaultQueue(Device, WdfIoQueueDispatchSequential, VtEvtIoWrite, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_TIMER_CONFIG_INIT(&timerConfig, VtEvtTimer);
    timerConfig.AutomaticSerialization = TRUE;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = context->Queue;
    return WdfTimerCreate(&timerConfig, &attributes, &context->Timer);
}

VOID
VtEvtTimer(
    _In_ WDFTIMER Timer
    )
{
    WDFQUEUE queue = (WDFQUEUE)WdfTimerGetParentObject(Timer);
    PVT_DEVICE_CONTEXT context = VtGetDeviceContext(WdfIoQueueGetDevice(queue));

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

    WdfObjectReleaseLock(Queue);
    WdfTimerStart(context->Timer, WDF_REL_TIMEOUT_IN_MS(1));
    (VOID)VtSpinUntilSet(&context->Acquired);
    InterlockedExchange(&context->Released, 1);
    WdfObjectAcquireLock(Queue);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

const VT_RULE VtRule = {
    NULL,
    RuleDeviceAttributes,
    RuleDeviceAdd,
    NULL,
};
