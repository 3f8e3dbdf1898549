/*++

Module Name:

    racecover.c

Abstract:

    A test driver for the schedule explorer's data race detector: it speaks the echo
    protocol's device interface, its write callback counts writes under a lock, and its
    periodic timer resets the count. Which memory holds the count and which lock the
    timer takes are chosen when it is built, so that one source covers each kind of
    memory the detector watches:

        RACE_MEMORY      1: the device's context memory (RACE_CONTEXT)
                         2: a global of the module (.bss)
                         3: a pool block the driver allocates (tag 'Race')
        RACE_TIMER_LOCK  0: none (the mistake: a data race with the write callback)
                         1: the WDFSPINLOCK the write callback takes
                         2: a KSPIN_LOCK, which the write callback takes as well

    With RACE_TIMER_LOCK 1 or 2 the two accesses are ordered by the lock and nothing
    may be reported. Writes complete at once with their length; reads with no data.

Environment:

    Kernel mode

--*/

#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>
#include "public.h"

#ifndef RACE_MEMORY
#define RACE_MEMORY 1
#endif
#ifndef RACE_TIMER_LOCK
#define RACE_TIMER_LOCK 0
#endif

#define RACE_POOL_TAG 'ecaR'

typedef struct _RACE_CONTEXT {
    WDFSPINLOCK Lock;
    KSPIN_LOCK KernelLock;
    WDFTIMER Timer;
    ULONG Writes;
    PULONG PoolWrites;
} RACE_CONTEXT, *PRACE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(RACE_CONTEXT, RaceGetContext)

ULONG RaceGlobalWrites;

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD RaceEvtDeviceAdd;
EVT_WDF_OBJECT_CONTEXT_CLEANUP RaceEvtDeviceCleanup;
EVT_WDF_DEVICE_D0_ENTRY RaceEvtD0Entry;
EVT_WDF_DEVICE_D0_EXIT RaceEvtD0Exit;
EVT_WDF_IO_QUEUE_IO_WRITE RaceEvtIoWrite;
EVT_WDF_IO_QUEUE_IO_READ RaceEvtIoRead;
EVT_WDF_TIMER RaceEvtTimer;

NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;

    WDF_DRIVER_CONFIG_INIT(&config, RaceEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

/* The count, wherever this build keeps it. */
static PULONG
RaceCounter(
    _In_ PRACE_CONTEXT Context
    )
{
#if RACE_MEMORY == 1
    return &Context->Writes;
#elif RACE_MEMORY == 2
    UNREFERENCED_PARAMETER(Context);
    return &RaceGlobalWrites;
#else
    return Context->PoolWrites;
#endif
}

/*++

Routine Description:

    Creates the device with the echo interface, a parallel default queue, the spin
    locks, the pool block of the count and the periodic timer (10 ms, started in D0
    entry), all on the device.

--*/
NTSTATUS
RaceEvtDeviceAdd(
    _In_ WDFDRIVER Driver,
    _Inout_ PWDFDEVICE_INIT DeviceInit
    )
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnpPower;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_TIMER_CONFIG timerConfig;
    PRACE_CONTEXT context;
    WDFDEVICE device;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Driver);

    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpPower);
    pnpPower.EvtDeviceD0Entry = RaceEvtD0Entry;
    pnpPower.EvtDeviceD0Exit = RaceEvtD0Exit;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpPower);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, RACE_CONTEXT);
    attributes.EvtCleanupCallback = RaceEvtDeviceCleanup;
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    context = RaceGetContext(device);
    KeInitializeSpinLock(&context->KernelLock);
    context->PoolWrites = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(ULONG), RACE_POOL_TAG);
    if (context->PoolWrites == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_ECHO, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoWrite = RaceEvtIoWrite;
    queueConfig.EvtIoRead = RaceEvtIoRead;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfSpinLockCreate(&attributes, &context->Lock);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, RaceEvtTimer, 10);
    timerConfig.AutomaticSerialization = FALSE;
    return WdfTimerCreate(&timerConfig, &attributes, &context->Timer);
}

VOID
RaceEvtDeviceCleanup(
    _In_ WDFOBJECT Object
    )
{
    PRACE_CONTEXT context = RaceGetContext(Object);

    if (context->PoolWrites != NULL) {
        ExFreePoolWithTag(context->PoolWrites, RACE_POOL_TAG);
        context->PoolWrites = NULL;
    }
}

NTSTATUS
RaceEvtD0Entry(
    _In_ WDFDEVICE Device,
    _In_ WDF_POWER_DEVICE_STATE PreviousState
    )
{
    UNREFERENCED_PARAMETER(PreviousState);

    WdfTimerStart(RaceGetContext(Device)->Timer, WDF_REL_TIMEOUT_IN_MS(10));
    return STATUS_SUCCESS;
}

NTSTATUS
RaceEvtD0Exit(
    _In_ WDFDEVICE Device,
    _In_ WDF_POWER_DEVICE_STATE TargetState
    )
{
    UNREFERENCED_PARAMETER(TargetState);

    WdfTimerStop(RaceGetContext(Device)->Timer, TRUE);
    return STATUS_SUCCESS;
}

/*++

Routine Description:

    Counts the write under the locks, and completes it with its length.

--*/
VOID
RaceEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    PRACE_CONTEXT context = RaceGetContext(WdfIoQueueGetDevice(Queue));
    KIRQL irql;

    WdfSpinLockAcquire(context->Lock);
    KeAcquireSpinLock(&context->KernelLock, &irql);
    *RaceCounter(context) += 1;
    KeReleaseSpinLock(&context->KernelLock, irql);
    WdfSpinLockRelease(context->Lock);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

VOID
RaceEvtIoRead(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Length);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
}

/*++

Routine Description:

    Resets the count: under the lock this build names, or (RACE_TIMER_LOCK 0, the
    mistake) under none.

--*/
VOID
RaceEvtTimer(
    _In_ WDFTIMER Timer
    )
{
    PRACE_CONTEXT context = RaceGetContext(WdfTimerGetParentObject(Timer));
#if RACE_TIMER_LOCK == 1
    WdfSpinLockAcquire(context->Lock);
    *RaceCounter(context) = 0;
    WdfSpinLockRelease(context->Lock);
#elif RACE_TIMER_LOCK == 2
    KIRQL irql;

    KeAcquireSpinLock(&context->KernelLock, &irql);
    *RaceCounter(context) = 0;
    KeReleaseSpinLock(&context->KernelLock, irql);
#else
    *RaceCounter(context) = 0;
#endif
}
