/*++

Module Name:

    driver.h

Abstract:

    Common declarations of the echo driver: its constants, the driver object's context,
    and the routines that its files export to each other. What differs between the two
    variants (the queue and how it keeps the timer, the cancel routine and the I/O
    callbacks in step) is in queue.h and queue.c of the variant's directory, autosync\
    or driversync\, which the build puts on the include path.

    The WDK 7.1 build for Windows 7 also includes legacy\win7\win7compat.h (it defines
    ECHO_WIN7_COMPAT): what that old kit lacks, in one place.

Environment:

    Kernel mode

--*/

#pragma once

//
// Opt in to no-execute nonpaged pool: with POOL_NX_OPTIN, NonPagedPool means
// NonPagedPoolNx on Windows 8 and later once DriverEntry calls
// ExInitializeDriverRuntime(DrvRtPoolNxOptIn). It must precede the kit's headers.
//
#ifndef POOL_NX_OPTIN
#define POOL_NX_OPTIN 1
#endif

#include <ntddk.h>
#include <wdf.h>
#ifdef ECHO_WIN7_COMPAT
#include "win7compat.h"
#endif

//
// initguid.h makes DEFINE_GUID in public.h define the interface GUID rather than only
// declare it; the definition is DECLSPEC_SELECTANY, so every file may include this one.
//
#include <initguid.h>
#include "public.h"
#include "readwrite.h"
#include "device.h"
#include "queue.h"

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

_IRQL_requires_(PASSIVE_LEVEL)
ULONG
EchoReadTimerPeriod(
    _In_ WDFDRIVER Driver
    );

//
// The queue, as both variants build it. Each variant's queue.c creates the queue and
// its timer and keeps its parked request in step with the timer and the cancel routine;
// readwrite.c has the read and write callbacks, which are the same for both.
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

EVT_WDF_REQUEST_CANCEL EchoEvtRequestCancel;
EVT_WDF_TIMER EchoEvtTimerFunc;
