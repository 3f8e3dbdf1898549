/*++

Module Name:

    counter.h

Abstract:

    The counter driver: a root-enumerated device whose parallel queue answers device
    control requests that add to and read a counter. The build defines COUNTER_STEP,
    the amount that one unit of IOCTL_COUNTER_ADD adds; COUNTER_TRACE turns on debug
    output.

Environment:

    Kernel mode

--*/

#pragma once

#include <ntddk.h>
#include <wdf.h>

#include <counter/counter_ioctl.h>

#ifndef COUNTER_STEP
#error "COUNTER_STEP must be defined by the build (for example -D COUNTER_STEP=1)"
#endif

#ifdef COUNTER_TRACE
#define CounterTrace(_x_) KdPrint(_x_)
#else
#define CounterTrace(_x_)
#endif

//
// The device's context: the counter, changed only with interlocked operations because
// the parallel queue may run several requests at once.
//
typedef struct _COUNTER_CONTEXT {
    volatile LONG Value;
} COUNTER_CONTEXT, *PCOUNTER_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE(COUNTER_CONTEXT)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD CounterEvtDeviceAdd;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL CounterEvtIoDeviceControl;

NTSTATUS
CounterQueueInitialize(
    _In_ WDFDEVICE Device
    );
