/*++

Module Name:

    device.h

Abstract:

    The echo device: its creation, and the self-managed I/O callbacks that start and
    stop the queue and the timer as the device enters and leaves the working state.

Environment:

    Kernel mode

--*/

#pragma once

//
// The framework device object's context.
//
typedef struct _DEVICE_CONTEXT {
    //
    // The period of the queue's timer, from the registry.
    //
    ULONG TimerPeriodMs;
} DEVICE_CONTEXT, *PDEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, EchoGetDeviceContext)

_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS
EchoDeviceCreate(
    _Inout_ PWDFDEVICE_INIT DeviceInit,
    _In_ ULONG TimerPeriodMs
    );

EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT EchoEvtDeviceSelfManagedIoInit;
EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART EchoEvtDeviceSelfManagedIoRestart;
EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND EchoEvtDeviceSelfManagedIoSuspend;
