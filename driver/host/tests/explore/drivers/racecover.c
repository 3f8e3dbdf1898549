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
                         4: the buffer of a write request, which the write
                            callback stamps and parks and the timer reads and
                            completes (the framework's request buffers)
        RACE_TIMER_LOCK  0: none (the mistake: a data race with the write callback;
                            with RACE_MEMORY 4 the write callback stamps the buffer
                            after it released the lock under which it parked it)
                         1: the WDFSPINLOCK the write callback takes
                         2: a KSPIN_LOCK, which the write callback takes as well
                            (not with RACE_MEMORY 4)
        RACE_COPY        0: the timer stores to the count
                         1: it copies the count's 64-byte block (RtlCopyMemory)
                         2: it clears that block (RtlZeroMemory)
                         (1 and 2 with RACE_MEMORY 1: copies and fills are checked
                         as accesses too)

    With RACE_TIMER_LOCK 1 or 2 the two accesses are ordered by the lock and nothing
    may be reported. Writes complete at once with their length; the device, its queue,
    its reads and the timer's setup are testdevice.c's.

Environment:

    Kernel mode

--*/

#include "testdevice.h"

#ifndef RACE_MEMORY
#define RACE_MEMORY 1
#endif
#ifndef RACE_TIMER_LOCK
#define RACE_TIMER_LOCK 0
#endif
#ifndef RACE_COPY
#define RACE_COPY 0
#endif
#if RACE_COPY != 0 && RACE_MEMORY != 1
#error RACE_COPY needs RACE_MEMORY 1
#endif
#if RACE_MEMORY == 4 && RACE_TIMER_LOCK == 2
#error RACE_MEMORY 4 takes the WDFSPINLOCK or no lock
#endif

#define RACE_STAMP 0x52616365u

#define RACE_POOL_TAG 'ecaR'

/* The count with data around it: large enough that a copy of it stays a call to memcpy. */
typedef struct _RACE_BLOCK {
    ULONG Writes;
    UCHAR Data[60];
} RACE_BLOCK;

typedef struct _RACE_CONTEXT {
    WDFSPINLOCK Lock;
    KSPIN_LOCK KernelLock;
    RACE_BLOCK Block;   /* RACE_MEMORY 1: the count is Block.Writes */
    RACE_BLOCK Saved;   /* RACE_COPY 1: the timer's copy of Block */
    PULONG PoolWrites;
    WDFREQUEST Parked;  /* RACE_MEMORY 4: the write the timer completes next */
} RACE_CONTEXT, *PRACE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(RACE_CONTEXT, RaceGetContext)

ULONG RaceGlobalWrites;

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD RaceEvtDeviceAdd;
EVT_WDF_OBJECT_CONTEXT_CLEANUP RaceEvtDeviceCleanup;
EVT_WDF_IO_QUEUE_IO_WRITE RaceEvtIoWrite;
EVT_WDF_TIMER RaceEvtTimer;
TEST_DEVICE_CREATE_OBJECTS RaceCreateObjects;

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

/*++

Routine Description:

    Creates the test device (testdevice.c) with this driver's context, write callback,
    timer callback and objects: the spin locks and the pool block of the count.

--*/
NTSTATUS
RaceEvtDeviceAdd(
    _In_ WDFDRIVER Driver,
    _Inout_ PWDFDEVICE_INIT DeviceInit
    )
{
    static const TEST_DEVICE_CONFIG config = {
        WDF_GET_CONTEXT_TYPE_INFO(RACE_CONTEXT), RaceEvtDeviceCleanup, RaceEvtIoWrite, RaceEvtTimer,
        RaceCreateObjects};

    UNREFERENCED_PARAMETER(Driver);

    return TestDeviceCreate(DeviceInit, &config);
}

NTSTATUS
RaceCreateObjects(
    _In_ WDFDEVICE Device,
    _In_ PWDF_OBJECT_ATTRIBUTES ParentedToDevice
    )
{
    PRACE_CONTEXT context = RaceGetContext(Device);

    KeInitializeSpinLock(&context->KernelLock);
    context->PoolWrites = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(ULONG), RACE_POOL_TAG);
    if (context->PoolWrites == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return WdfSpinLockCreate(ParentedToDevice, &context->Lock);
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

#if RACE_MEMORY != 4

/* The count, wherever this build keeps it. */
static PULONG
RaceCounter(
    _In_ PRACE_CONTEXT Context
    )
{
#if RACE_MEMORY == 1
    return &Context->Block.Writes;
#elif RACE_MEMORY == 2
    UNREFERENCED_PARAMETER(Context);
    return &RaceGlobalWrites;
#else
    return Context->PoolWrites;
#endif
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

/* What the timer does with the count (RACE_COPY). */
static VOID
RaceTimerAccess(
    _In_ PRACE_CONTEXT Context
    )
{
#if RACE_COPY == 1
    RtlCopyMemory(&Context->Saved, &Context->Block, sizeof(Context->Block));
#elif RACE_COPY == 2
    RtlZeroMemory(&Context->Block, sizeof(Context->Block));
#else
    *RaceCounter(Context) = 0;
#endif
}

/*++

Routine Description:

    Resets, copies or clears the count (RACE_COPY): under the lock this build names,
    or (RACE_TIMER_LOCK 0, the mistake) under none.

--*/
VOID
RaceEvtTimer(
    _In_ WDFTIMER Timer
    )
{
    PRACE_CONTEXT context = RaceGetContext(WdfTimerGetParentObject(Timer));
#if RACE_TIMER_LOCK == 1
    WdfSpinLockAcquire(context->Lock);
    RaceTimerAccess(context);
    WdfSpinLockRelease(context->Lock);
#elif RACE_TIMER_LOCK == 2
    KIRQL irql;

    KeAcquireSpinLock(&context->KernelLock, &irql);
    RaceTimerAccess(context);
    KeReleaseSpinLock(&context->KernelLock, irql);
#else
    RaceTimerAccess(context);
#endif
}

#else /* RACE_MEMORY == 4: the request's buffer */

/*++

Routine Description:

    Stamps the first ULONG of the write's buffer and parks the request for the timer.
    With RACE_TIMER_LOCK 0 the stamp comes after the lock is released, when the timer
    may already hold the request: the mistake.

--*/
VOID
RaceEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    PRACE_CONTEXT context = RaceGetContext(WdfIoQueueGetDevice(Queue));
    PULONG data;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Length);

    status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&data, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    WdfSpinLockAcquire(context->Lock);
#if RACE_TIMER_LOCK != 0
    *data = RACE_STAMP;
#endif
    context->Parked = Request;
    WdfSpinLockRelease(context->Lock);
#if RACE_TIMER_LOCK == 0
    *data = RACE_STAMP;
#endif
}

/*++

Routine Description:

    Takes the parked write under the lock, reads its stamp and completes it with its
    length.

--*/
VOID
RaceEvtTimer(
    _In_ WDFTIMER Timer
    )
{
    PRACE_CONTEXT context = RaceGetContext(WdfTimerGetParentObject(Timer));
    WDFREQUEST request;
    PULONG data;
    size_t length = 0;
    NTSTATUS status;

    WdfSpinLockAcquire(context->Lock);
    request = context->Parked;
    context->Parked = NULL;
    status = STATUS_SUCCESS;
    if (request != NULL) {
        status = WdfRequestRetrieveInputBuffer(request, sizeof(ULONG), (PVOID *)&data, &length);
        if (NT_SUCCESS(status) && *data != RACE_STAMP) {
            status = STATUS_DATA_ERROR;
        }
    }
    WdfSpinLockRelease(context->Lock);
    if (request != NULL) {
        WdfRequestCompleteWithInformation(request, status, NT_SUCCESS(status) ? length : 0);
    }
}

#endif /* RACE_MEMORY */
