/*
 * khchild.c - the function driver of the bus tests' children, loaded by the host for
 * hardware ID KhBus\Toy (and KhBus\StaticToy). Its interface's IOCTLs ask the PDO below
 * who it is (a request sent down the stack through the default I/O target), keep a
 * request in its own manual queue, or send one down for the PDO to keep: I/O in flight
 * in both drivers when the child goes away. It holds the bus's driver-defined interface
 * (WdfFdoQueryForInterface) from EvtDevicePrepareHardware to EvtDeviceReleaseHardware.
 */
#define INITGUID
#include <ntddk.h>
#include <wdf.h>

#include "bus.h"

DEFINE_GUID(GUID_KHBUS_TOY_INTERFACE, 0x1b6c9f11, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
DEFINE_GUID(GUID_KHCHILD_INTERFACE, 0x1b6c9f10, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);

typedef struct _KHCHILD_DEVICE {
    WDFQUEUE Parked;
    KHBUS_TOY_INTERFACE Toy; /* from the bus, held between prepare and release hardware */
    BOOLEAN HaveToy;
} KHCHILD_DEVICE, *PKHCHILD_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KHCHILD_DEVICE, KhChildGetDevice)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD KhChildDeviceAdd;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL KhChildControl;
EVT_WDF_REQUEST_COMPLETION_ROUTINE KhChildSentDone;
EVT_WDF_DEVICE_PREPARE_HARDWARE KhChildPrepareHardware;
EVT_WDF_DEVICE_RELEASE_HARDWARE KhChildReleaseHardware;

/* The bus's interface, asked for down the stack; the bus referenced it for us. */
NTSTATUS KhChildPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
    UNREFERENCED_PARAMETER(Raw);
    UNREFERENCED_PARAMETER(Translated);
    PKHCHILD_DEVICE context = KhChildGetDevice(Device);
    NTSTATUS status = WdfFdoQueryForInterface(Device, &GUID_KHBUS_TOY_INTERFACE, &context->Toy.Header,
                                              sizeof(context->Toy), KHBUS_TOY_INTERFACE_VERSION, NULL);
    context->HaveToy = NT_SUCCESS(status);
    return status;
}

NTSTATUS KhChildReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Translated)
{
    UNREFERENCED_PARAMETER(Translated);
    PKHCHILD_DEVICE context = KhChildGetDevice(Device);
    if (context->HaveToy) {
        context->Toy.Header.InterfaceDereference(context->Toy.Header.Context);
        context->HaveToy = FALSE;
    }
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, KhChildDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

NTSTATUS KhChildDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDevicePrepareHardware = KhChildPrepareHardware;
    pnp.EvtDeviceReleaseHardware = KhChildReleaseHardware;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KHCHILD_DEVICE);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = KhChildControl;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (NT_SUCCESS(status)) {
        WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchManual);
        status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &KhChildGetDevice(device)->Parked);
    }
    if (NT_SUCCESS(status)) {
        status = WdfDeviceCreateDeviceInterface(device, &GUID_KHCHILD_INTERFACE, NULL);
    }
    return status;
}

/* A request sent down came back: its status and information go up. */
VOID KhChildSentDone(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_COMPLETION_PARAMS Params, WDFCONTEXT Context)
{
    UNREFERENCED_PARAMETER(Target);
    UNREFERENCED_PARAMETER(Context);
    WdfRequestCompleteWithInformation(Request, Params->IoStatus.Status, Params->IoStatus.Information);
}

static void KhChildSendDown(WDFDEVICE Device, WDFREQUEST Request, ULONG Code)
{
    WDFIOTARGET target = WdfDeviceGetIoTarget(Device);
    WDFMEMORY output = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    if (Code == IOCTL_KHBUS_PDO_WHO) {
        status = WdfRequestRetrieveOutputMemory(Request, &output);
    }
    if (NT_SUCCESS(status)) {
        status = WdfIoTargetFormatRequestForIoctl(target, Request, Code, NULL, NULL, output, NULL);
    }
    if (NT_SUCCESS(status)) {
        WdfRequestSetCompletionRoutine(Request, KhChildSentDone, NULL);
        if (!WdfRequestSend(Request, target, WDF_NO_SEND_OPTIONS)) {
            status = WdfRequestGetStatus(Request);
        } else {
            return;
        }
    }
    WdfRequestComplete(Request, status);
}

VOID KhChildControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength,
                    ULONG IoControlCode)
{
    WDFDEVICE device = WdfIoQueueGetDevice(Queue);
    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);
    switch (IoControlCode) {
    case IOCTL_KHCHILD_WHO:
        KhChildSendDown(device, Request, IOCTL_KHBUS_PDO_WHO);
        return;
    case IOCTL_KHCHILD_PARK_BELOW:
        KhChildSendDown(device, Request, IOCTL_KHBUS_PDO_PARK);
        return;
    case IOCTL_KHCHILD_IFACE: {
        PVOID output;
        NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), &output, NULL);
        if (NT_SUCCESS(status)) {
            PKHCHILD_DEVICE context = KhChildGetDevice(device);
            *(ULONG *)output = context->Toy.GetSerial(context->Toy.Header.Context);
        }
        WdfRequestCompleteWithInformation(Request, status, NT_SUCCESS(status) ? sizeof(ULONG) : 0);
        return;
    }
    case IOCTL_KHCHILD_PARK: {
        NTSTATUS status = WdfRequestForwardToIoQueue(Request, KhChildGetDevice(device)->Parked);
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
        }
        return;
    }
    default:
        WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }
}
