/*++

Module Name:

    device.h

Abstract:

    The echo device: its creation, and the self-managed I/O callbacks that start and
    stop the queue and the timer as the device enters and leaves the working state. The
    device needs no context of its own: the timer period goes to the queue, which keeps
    everything the I/O path uses.

Environment:

    Kernel mode

--*/

#pragma once

_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS
EchoDeviceCreate(
    _Inout_ PWDFDEVICE_INIT DeviceInit,
    _In_ ULONG TimerPeriodMs
    );

EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT EchoEvtDeviceSelfManagedIoInit;
EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART EchoEvtDeviceSelfManagedIoRestart;
EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND EchoEvtDeviceSelfManagedIoSuspend;
