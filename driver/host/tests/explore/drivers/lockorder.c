/*++

Module Name:

    lockorder.c

Abstract:

    A test driver for the schedule explorer's DEADLOCK finding: it speaks the echo
    protocol's device interface, and its write callback takes two spin locks in the
    order A then B while its periodic timer takes them in the order B then A. On real
    threads this deadlocks only when the timer fires while a write sits between its two
    acquisitions; the explorer must find that schedule and print the wait-for cycle.
    Writes complete at once with their length; the device, its queue, its reads and
    the timer's setup are testdevice.c's.

Environment:

    Kernel mode

--*/

#include "testdevice.h"

typedef struct _LOCKORDER_CONTEXT {
    WDFSPINLOCK LockA;
    WDFSPINLOCK LockB;
    ULONG Writes;
} LOCKORDER_CONTEXT, *PLOCKORDER_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(LOCKORDER_CONTEXT, LockOrderGetContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD LockOrderEvtDeviceAdd;
EVT_WDF_IO_QUEUE_IO_WRITE LockOrderEvtIoWrite;
EVT_WDF_TIMER LockOrderEvtTimer;
TEST_DEVICE_CREATE_OBJECTS LockOrderCreateLocks;

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

    Creates the test device (testdevice.c) with this driver's context, write callback,
    timer callback and two spin locks.

--*/
NTSTATUS
LockOrderEvtDeviceAdd(
    _In_ WDFDRIVER Driver,
    _Inout_ PWDFDEVICE_INIT DeviceInit
    )
{
    static const TEST_DEVICE_CONFIG config = {
        WDF_GET_CONTEXT_TYPE_INFO(LOCKORDER_CONTEXT), NULL, LockOrderEvtIoWrite, LockOrderEvtTimer,
        LockOrderCreateLocks};

    UNREFERENCED_PARAMETER(Driver);

    return TestDeviceCreate(DeviceInit, &config);
}

NTSTATUS
LockOrderCreateLocks(
    _In_ WDFDEVICE Device,
    _In_ PWDF_OBJECT_ATTRIBUTES ParentedToDevice
    )
{
    PLOCKORDER_CONTEXT context = LockOrderGetContext(Device);
    NTSTATUS status;

    status = WdfSpinLockCreate(ParentedToDevice, &context->LockA);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return WdfSpinLockCreate(ParentedToDevice, &context->LockB);
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
