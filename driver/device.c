/*++

Module Name:

    device.c

Abstract:

    Creation of the echo device, and its self-managed I/O callbacks. Self-managed I/O
    is the framework's hook for work that is neither a queue nor an interrupt: here, the
    periodic timer that completes parked requests. The callbacks start the queue and the
    timer when the device enters the working state and stop them when it leaves it, in
    the order that lets a parked request finish first.

Environment:

    Kernel mode

--*/

#include "driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text (PAGE, EchoDeviceCreate)
#pragma alloc_text (PAGE, EchoEvtDeviceSelfManagedIoInit)
#pragma alloc_text (PAGE, EchoEvtDeviceSelfManagedIoRestart)
#pragma alloc_text (PAGE, EchoEvtDeviceSelfManagedIoSuspend)
#endif

/*++

Routine Description:

    Creates the device object with its self-managed I/O callbacks, the device interface
    applications open, and the default queue with its timer.

Arguments:

    DeviceInit - the framework's device initialization structure; WdfDeviceCreate
        consumes it.

    TimerPeriodMs - the period of the queue's timer.

Return Value:

    STATUS_SUCCESS or the status of the first call that failed. On failure the framework
    deletes whatever was created, with the device.

--*/
_Use_decl_annotations_
NTSTATUS
EchoDeviceCreate(
    PWDFDEVICE_INIT DeviceInit,
    ULONG TimerPeriodMs
    )
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnpPowerCallbacks;
    WDFDEVICE device;
    NTSTATUS status;

    PAGED_CODE();

    //
    // Init runs the first time the device enters D0, Restart every later time, Suspend
    // every time it leaves D0 (power-down or removal).
    //
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpPowerCallbacks);
    pnpPowerCallbacks.EvtDeviceSelfManagedIoInit = EchoEvtDeviceSelfManagedIoInit;
    pnpPowerCallbacks.EvtDeviceSelfManagedIoRestart = EchoEvtDeviceSelfManagedIoRestart;
    pnpPowerCallbacks.EvtDeviceSelfManagedIoSuspend = EchoEvtDeviceSelfManagedIoSuspend;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpPowerCallbacks);

    //
    // Opens of any name below the device get the device's own security check. The INF
    // sets the same characteristic with the security descriptor; asking for it here
    // keeps the device safe however it was installed.
    //
    WdfDeviceInitSetCharacteristics(DeviceInit, FILE_DEVICE_SECURE_OPEN, TRUE);

    //
    // What the variant needs of the device before it exists (DriverSync: a context on
    // every request).
    //
    EchoQueueConfigureDeviceInit(DeviceInit);

    status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Echo: WdfDeviceCreate failed with status 0x%08X\n", status);
        return status;
    }

    //
    // The framework enables the interface when the device starts and disables it when
    // the device is removed; applications find it by GUID_DEVINTERFACE_ECHO.
    //
    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_ECHO, NULL);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Echo: WdfDeviceCreateDeviceInterface failed with status 0x%08X\n", status);
        return status;
    }

    return EchoQueueInitialize(device, TimerPeriodMs);
}

/*++

Routine Description:

    Starts the default queue and the timer that completes parked requests. Shared by
    the Init and Restart callbacks, which differ only in when the framework calls them.

--*/
_IRQL_requires_(PASSIVE_LEVEL)
static
VOID
EchoStartQueueAndTimer(
    _In_ WDFDEVICE Device
    )
{
    WDFQUEUE queue;

    PAGED_CODE();

    queue = WdfDeviceGetDefaultQueue(Device);

    WdfIoQueueStart(queue);

    //
    // The first tick comes ECHO_TIMER_DUE_TIME_MS after the start, the next ones every
    // period (the period was given when the timer was created).
    //
    WdfTimerStart(QueueGetContext(queue)->Timer, WDF_REL_TIMEOUT_IN_MS(ECHO_TIMER_DUE_TIME_MS));
}

/*++

Routine Description:

    The framework calls this once, the first time the device enters the working state
    after it started.

Return Value:

    STATUS_SUCCESS.

--*/
_Use_decl_annotations_
NTSTATUS
EchoEvtDeviceSelfManagedIoInit(
    WDFDEVICE Device
    )
{
    PAGED_CODE();

    KdPrint(("Echo: EchoEvtDeviceSelfManagedIoInit\n"));

    EchoStartQueueAndTimer(Device);

    return STATUS_SUCCESS;
}

/*++

Routine Description:

    The framework calls this each time the device returns to the working state after a
    suspend (power-down and back).

Return Value:

    STATUS_SUCCESS.

--*/
_Use_decl_annotations_
NTSTATUS
EchoEvtDeviceSelfManagedIoRestart(
    WDFDEVICE Device
    )
{
    PAGED_CODE();

    KdPrint(("Echo: EchoEvtDeviceSelfManagedIoRestart\n"));

    EchoStartQueueAndTimer(Device);

    return STATUS_SUCCESS;
}

/*++

Routine Description:

    The framework calls this when the device leaves the working state: before a
    power-down, and on surprise removal or removal. The order matters. The queue is
    stopped first, synchronously: no new request is presented, and the call returns
    only when the driver has completed the request it owns, which the still-running
    timer does at its next tick (or the cancel routine, if the application cancels).
    Only then is the timer stopped, waiting for a tick that is running.

Return Value:

    STATUS_SUCCESS.

--*/
_Use_decl_annotations_
NTSTATUS
EchoEvtDeviceSelfManagedIoSuspend(
    WDFDEVICE Device
    )
{
    WDFQUEUE queue;

    PAGED_CODE();

    KdPrint(("Echo: EchoEvtDeviceSelfManagedIoSuspend\n"));

    queue = WdfDeviceGetDefaultQueue(Device);

    WdfIoQueueStopSynchronously(queue);

    WdfTimerStop(QueueGetContext(queue)->Timer, TRUE);

    return STATUS_SUCCESS;
}
