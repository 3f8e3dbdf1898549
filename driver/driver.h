/*++

Module Name:

    driver.h

Abstract:

    Common declarations of the echo driver: the headers it builds with, its constants,
    the driver object's context, and the routines that driver.c and device.c export to
    each other. What differs between the two variants (the queue and how it keeps the
    timer, the cancel routine and the I/O callbacks in step) is in queue.h and queue.c of
    the variant's directory, autosync\ or driversync\, which the build puts on the
    include path.

Environment:

    Kernel mode

--*/

#pragma once

//
// Opt in to no-execute nonpaged pool: with POOL_NX_OPTIN, NonPagedPool means
// NonPagedPoolNx on Windows 8 and later once DriverEntry calls
// ExInitializeDriverRuntime(DrvRtPoolNxOptIn), and plain NonPagedPool on Windows 7
// (which has no NonPagedPoolNx), so one binary loads on both.
//
#ifndef POOL_NX_OPTIN
#define POOL_NX_OPTIN 1
#endif

#include <ntddk.h>
#include <wdf.h>

//
// The WDK 7.1 build for Windows 7 knows SAL 1 only; there the SAL 2 annotations of
// this driver read as nothing. Every newer kit defines them all.
//
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif
#ifndef _IRQL_requires_
#define _IRQL_requires_(irql)
#endif
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(irql)
#endif
#ifndef _In_
#define _In_
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Field_size_bytes_opt_
#define _Field_size_bytes_opt_(size)
#endif
#ifndef _Post_invalid_
#define _Post_invalid_
#endif

//
// initguid.h makes DEFINE_GUID in public.h define the interface GUID rather than only
// declare it; the definition is DECLSPEC_SELECTANY, so every file may include this one.
//
#include <initguid.h>
#include "public.h"

//
// The data the last write left, for the next reads. Owned by the queue (both variants
// keep one in their queue context); only the queue's I/O callbacks touch it, and a
// sequential queue presents one request at a time.
//
typedef struct _ECHO_STORE {
    _Field_size_bytes_opt_(Length) PVOID Buffer;
    ULONG Length;
} ECHO_STORE, *PECHO_STORE;

#include "device.h"

//
// The variant's queue.h (autosync\ or driversync\, on the include path): its
// QUEUE_CONTEXT, which holds an ECHO_STORE named Store and a WDFTIMER named Timer.
//
#include "queue.h"

//
// The queue, as both variants build it. Each variant's queue.c creates the queue and
// its timer and keeps its parked request in step with the timer and the cancel routine;
// store.c has the read and write callbacks, which are the same for both.
//
_IRQL_requires_(PASSIVE_LEVEL)
VOID
EchoQueueConfigureDeviceInit(
    _Inout_ PWDFDEVICE_INIT DeviceInit
    );

_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS
EchoQueueInitialize(
    _In_ WDFDEVICE Device,
    _In_ ULONG TimerPeriodMs
    );

//
// Parks a request whose data has moved: the next timer tick completes it with Status,
// unless it is cancelled first. The request may be completed before this returns.
//
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
EchoQueueParkRequest(
    _In_ PQUEUE_CONTEXT QueueContext,
    _In_ WDFREQUEST Request,
    _In_ NTSTATUS Status
    );

EVT_WDF_IO_QUEUE_IO_READ EchoEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE EchoEvtIoWrite;
EVT_WDF_OBJECT_CONTEXT_DESTROY EchoEvtIoQueueContextDestroy;
EVT_WDF_REQUEST_CANCEL EchoEvtRequestCancel;
EVT_WDF_TIMER EchoEvtTimerFunc;

//
// Pool tag of the echo buffer: 'Echo' read backwards, as pool tools display tags.
//
#define ECHO_POOL_TAG 'ohcE'

//
// The timer period comes from the REG_DWORD value TimerPeriodMs under the service's
// Parameters key (the INF sets it). A missing value gives the default; a value out of
// bounds is logged and the default used.
//
#define ECHO_TIMER_PERIOD_VALUE_NAME L"TimerPeriodMs"
#define ECHO_TIMER_PERIOD_DEFAULT_MS 10
#define ECHO_TIMER_PERIOD_MIN_MS 1
#define ECHO_TIMER_PERIOD_MAX_MS 10000

//
// The first timer tick after self-managed I/O starts or restarts comes this long after.
//
#define ECHO_TIMER_DUE_TIME_MS 100

//
// The framework driver object's context: the settings read once in DriverEntry.
//
typedef struct _DRIVER_CONTEXT {
    ULONG TimerPeriodMs;
} DRIVER_CONTEXT, *PDRIVER_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DRIVER_CONTEXT, EchoGetDriverContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD EchoEvtDeviceAdd;
EVT_WDF_OBJECT_CONTEXT_CLEANUP EchoEvtDriverContextCleanup;

_IRQL_requires_(PASSIVE_LEVEL)
ULONG
EchoReadTimerPeriod(
    _In_ WDFDRIVER Driver
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS
EchoStoreWrite(
    _Inout_ PECHO_STORE Store,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS
EchoStoreRead(
    _In_ PECHO_STORE Store,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
EchoStoreFree(
    _Inout_ PECHO_STORE Store
    );

//
// Allocates the echo buffer from nonpaged, no-execute pool. The caller copies the
// write's data over the whole block at once, so it need not be zeroed.
//
_IRQL_requires_max_(DISPATCH_LEVEL)
FORCEINLINE
PVOID
EchoAllocateBuffer(
    _In_ SIZE_T Length
    )
{
#if defined(NTDDI_WIN10_VB)
    //
    // WDK for Windows 10, version 2004 and later: ExAllocatePoolWithTag is deprecated,
    // and ExAllocatePool2 exists only from that version of Windows on. The documented
    // replacement for drivers that also load on earlier versions, down to Windows 7, is
    // ExAllocatePoolUninitialized.
    //
    return ExAllocatePoolUninitialized(NonPagedPool, Length, ECHO_POOL_TAG);
#else
    //
    // Older kits (the WDK 7.1 build for Windows 7): ExAllocatePoolWithTag is the
    // allocator, and not deprecated there.
    //
    return ExAllocatePoolWithTag(NonPagedPool, Length, ECHO_POOL_TAG);
#endif
}

//
// Frees a block from EchoAllocateBuffer.
//
_IRQL_requires_max_(DISPATCH_LEVEL)
FORCEINLINE
VOID
EchoFreeBuffer(
    _In_ _Post_invalid_ PVOID Buffer
    )
{
    ExFreePoolWithTag(Buffer, ECHO_POOL_TAG);
}
