/*++

Module Name:

    lockorder.c

Abstract:

    A test driver for the schedule explorer's DEADLOCK finding: it speaks the echo
    protocol's device interface, and its write callback takes two spin locks in the
    order A then B while its periodic timer takes them in the order B then A. On real
    threads this deadlocks only when the timer fires while a write sits between its two
    acquisitions; the explorer must find that schedule and print the wait-for cycle.
    Writes complete at once with their length; reads complete at once with no data.

Environment:

    Kernel mode

--*/

#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>
#include "public.h"

typedef struct _LOCKORDER_CONTEXT {
    WDFSPINLOCK LockA;
    WDFSPINLOCK LockB;
    WDFTIMER Timer;
    ULONG Writes;
} LOCKORDER_CONTEXT, *PLOCKORDER_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(LOCKORDER_CONTEXT, LockOrderGetContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD LockOrderEvtDeviceAdd;
EVT_WDF_DEVICE_D0_ENTRY LockOrderEvtD0Entry;
EVT_WDF_DEVICE_D0_EXIT LockOrderEvtD0Exit;
EVT_WDF_IO_QUEUE_IO_WRITE LockOrderEvtIoWrite;
EVT_WDF_IO_QUEUE_IO_READ LockOrderEvtIoRead;
EVT_WDF_TIMER LockOrderEvtTimer;

NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;

    WDF_DRIVER_CONFIG_INIT(&config, LockOrderEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

/*++

Routine Description:

    Creates the device with the echo interface, a parallel default queue, the two spin
    locks and the periodic timer (10 ms, started in D0 entry), all on the device.

--*/
NTSTATUS
LockOrderEvtDeviceAdd(
    _In_ WDFDRIVER Driver,
    _Inout_ PWDFDEVICE_INIT DeviceInit
    )
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnpPower;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_TIMER_CONFIG timerConfig;
    PLOCKORDER_CONTEXT context;
    WDFDEVICE device;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Driver);

    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpPower);
    pnpPower.EvtDeviceD0Entry = LockOrderEvtD0Entry;
    pnpPower.EvtDeviceD0Exit = LockOrderEvtD0Exit;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpPower);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, LOCKORDER_CONTEXT);
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    context = LockOrderGetContext(device);

    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_ECHO, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoWrite = LockOrderEvtIoWrite;
    queueConfig.EvtIoRead = LockOrderEvtIoRead;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfSpinLockCreate(&attributes, &context->LockA);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = WdfSpinLockCreate(&attributes, &context->LockB);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, LockOrderEvtTimer, 10);
    timerConfig.AutomaticSerialization = FALSE;
    return WdfTimerCreate(&timerConfig, &attributes, &context->Timer);
}

NTSTATUS
LockOrderEvtD0Entry(
    _In_ WDFDEVICE Device,
    _In_ WDF_POWER_DEVICE_STATE PreviousState
    )
{
    UNREFERENCED_PARAMETER(PreviousState);

    WdfTimerStart(LockOrderGetContext(Device)->Timer, WDF_REL_TIMEOUT_IN_MS(10));
    return STATUS_SUCCESS;
}

NTSTATUS
LockOrderEvtD0Exit(
    _In_ WDFDEVICE Device,
    _In_ WDF_POWER_DEVICE_STATE TargetState
    )
{
    UNREFERENCED_PARAMETER(TargetState);

    WdfTimerStop(LockOrderGetContext(Device)->Timer, TRUE);
    return STATUS_SUCCESS;
}

/*++

Routine Description:

    Counts the write under both locks, taken A then B (the timer takes B then A: the
    deliberate mistake), and completes it with its length.

--*/
VOID
LockOrderEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    PLOCKORDER_CONTEXT context = LockOrderGetContext(WdfIoQueueGetDevice(Queue));

    WdfSpinLockAcquire(context->LockA);
    WdfSpinLockAcquire(context->LockB);
    context->Writes++;
    WdfSpinLockRelease(context->LockB);
    WdfSpinLockRelease(context->LockA);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

VOID
LockOrderEvtIoRead(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Length);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
}

VOID
LockOrderEvtTimer(
    _In_ WDFTIMER Timer
    )
{
    PLOCKORDER_CONTEXT context = LockOrderGetContext(WdfTimerGetParentObject(Timer));

    WdfSpinLockAcquire(context->LockB);
    WdfSpinLockAcquire(context->LockA);
    context->Writes = 0;
    WdfSpinLockRelease(context->LockA);
    WdfSpinLockRelease(context->LockB);
}
