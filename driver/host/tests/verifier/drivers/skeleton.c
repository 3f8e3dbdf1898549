/*++

Module Name:

    skeleton.c

Abstract:

    DriverEntry and EvtDriverDeviceAdd of the verifier's test drivers (see vtest.h).

Environment:

    Kernel mode

--*/

#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>
#include "vtest.h"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD VtEvtDeviceAdd;

NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;
    WDFDRIVER driver;
    NTSTATUS status;

    WDF_DRIVER_CONFIG_INIT(&config, VtEvtDeviceAdd);
    config.EvtDriverUnload = VtRule.DriverUnload;
    status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
                             &driver);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return VtRule.DriverEntry != NULL ? VtRule.DriverEntry(driver) : STATUS_SUCCESS;
}

NTSTATUS
VtEvtDeviceAdd(
    _In_ WDFDRIVER Driver,
    _Inout_ PWDFDEVICE_INIT DeviceInit
    )
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDFDEVICE device;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Driver);

    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, VT_DEVICE_CONTEXT);
    if (VtRule.DeviceAttributes != NULL) {
        VtRule.DeviceAttributes(&attributes);
    }
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_VERIFIER_TEST, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return VtRule.DeviceAdd(device);
}

NTSTATUS
VtCreateDefaultQueue(
    _In_ WDFDEVICE Device,
    _In_ WDF_IO_QUEUE_DISPATCH_TYPE DispatchType,
    _In_opt_ PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite,
    _In_opt_ PFN_WDF_IO_QUEUE_IO_READ EvtIoRead
    )
{
    WDF_IO_QUEUE_CONFIG queueConfig;

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, DispatchType);
    queueConfig.EvtIoWrite = EvtIoWrite;
    queueConfig.EvtIoRead = EvtIoRead;
    return WdfIoQueueCreate(Device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES,
                            &VtGetDeviceContext(Device)->Queue);
}

static EVT_WDF_IO_QUEUE_IO_WRITE VtEvtIoWriteComplete;

static
VOID
VtEvtIoWriteComplete(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Queue);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

NTSTATUS
VtAddQueueCompletingWrites(
    _In_ WDFDEVICE Device
    )
{
    return VtCreateDefaultQueue(Device, WdfIoQueueDispatchSequential, VtEvtIoWriteComplete, NULL);
}
