/*
 * iot_lower.c - the function driver at the bottom of the I/O target tests' device stack.
 *
 * Writes store their data, reads return what the last write stored, device controls
 * reverse a buffer, count what arrived, or keep a request cancelable until it is
 * cancelled (so that a target's stop, a time-out or a cancellation has something to
 * cancel). Its device has a name, so that a remote I/O target can open it by name.
 */
#define INITGUID
#include <ntddk.h>
#include <wdf.h>

#include "iotarget.h"

DEFINE_GUID(GUID_IOT_INTERFACE, 0x6f1d2a43, 0x8c2e, 0x4b7a, 0x9d, 0x11, 0x52, 0x0e, 0x3c, 0x7b, 0x44, 0x90);

typedef struct _IOT_LOWER_CONTEXT {
    WDFSPINLOCK Lock;
    UCHAR Data[256];
    size_t Length;
    LONG Seen;
} IOT_LOWER_CONTEXT, *PIOT_LOWER_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(IOT_LOWER_CONTEXT, IotLowerGetContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD IotLowerDeviceAdd;
EVT_WDF_IO_QUEUE_IO_READ IotLowerRead;
EVT_WDF_IO_QUEUE_IO_WRITE IotLowerWrite;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL IotLowerDeviceControl;
EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL IotLowerInternalDeviceControl;
EVT_WDF_REQUEST_CANCEL IotLowerCancel;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, IotLowerDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

static PIOT_LOWER_CONTEXT IotLowerContextOf(WDFREQUEST Request)
{
    return IotLowerGetContext(WdfIoQueueGetDevice(WdfRequestGetIoQueue(Request)));
}

NTSTATUS IotLowerDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    DECLARE_CONST_UNICODE_STRING(name, IOT_LOWER_DEVICE_NAME);
    NTSTATUS status = WdfDeviceInitAssignName(DeviceInit, &name);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, IOT_LOWER_CONTEXT);
    WDFDEVICE device;
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PIOT_LOWER_CONTEXT context = IotLowerGetContext(device);
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfSpinLockCreate(&attributes, &context->Lock);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoRead = IotLowerRead;
    queueConfig.EvtIoWrite = IotLowerWrite;
    queueConfig.EvtIoDeviceControl = IotLowerDeviceControl;
    queueConfig.EvtIoInternalDeviceControl = IotLowerInternalDeviceControl;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return WdfDeviceCreateDeviceInterface(device, &GUID_IOT_INTERFACE, NULL);
}

static VOID IotLowerSaw(PIOT_LOWER_CONTEXT Context) { InterlockedIncrement(&Context->Seen); }

VOID IotLowerRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Queue);
    PIOT_LOWER_CONTEXT context = IotLowerContextOf(Request);
    IotLowerSaw(context);
    PVOID buffer;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, 1, &buffer, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    WdfSpinLockAcquire(context->Lock);
    size_t n = context->Length < Length ? context->Length : Length;
    RtlCopyMemory(buffer, context->Data, n);
    WdfSpinLockRelease(context->Lock);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, n);
}

VOID IotLowerWrite(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Queue);
    PIOT_LOWER_CONTEXT context = IotLowerContextOf(Request);
    IotLowerSaw(context);
    PVOID buffer;
    NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, 1, &buffer, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    if (Length > sizeof(context->Data)) {
        Length = sizeof(context->Data);
    }
    WdfSpinLockAcquire(context->Lock);
    RtlCopyMemory(context->Data, buffer, Length);
    context->Length = Length;
    WdfSpinLockRelease(context->Lock);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

VOID IotLowerCancel(WDFREQUEST Request) { WdfRequestComplete(Request, STATUS_CANCELLED); }

static VOID IotLowerCompleteUlong(WDFREQUEST Request, ULONG Value)
{
    PULONG out;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), (PVOID *)&out, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    *out = Value;
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(ULONG));
}

VOID IotLowerDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                           size_t InputBufferLength, ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(Queue);
    PIOT_LOWER_CONTEXT context = IotLowerContextOf(Request);
    IotLowerSaw(context);
    switch (IoControlCode) {
    case IOCTL_IOT_LOWER_REVERSE: {
        PUCHAR in, out;
        NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, 1, (PVOID *)&in, NULL);
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveOutputBuffer(Request, InputBufferLength, (PVOID *)&out, NULL);
        }
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
            return;
        }
        UCHAR copy[256];
        size_t n = InputBufferLength < sizeof(copy) ? InputBufferLength : sizeof(copy);
        RtlCopyMemory(copy, in, n); /* buffered: input and output share one buffer */
        for (size_t i = 0; i < n; i++) {
            out[i] = copy[n - 1 - i];
        }
        UNREFERENCED_PARAMETER(OutputBufferLength);
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, n);
        return;
    }
    case IOCTL_IOT_LOWER_PARK: {
        NTSTATUS status = WdfRequestMarkCancelableEx(Request, IotLowerCancel);
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
        }
        return;
    }
    case IOCTL_IOT_LOWER_COUNT:
        IotLowerCompleteUlong(Request, (ULONG)context->Seen);
        return;
    case IOCTL_IOT_LOWER_WHO:
        IotLowerCompleteUlong(Request, 'L');
        return;
    default:
        WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }
}

VOID IotLowerInternalDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                                   size_t InputBufferLength, ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);
    IotLowerSaw(IotLowerContextOf(Request));
    if (IoControlCode == IOCTL_IOT_LOWER_OTHERS) {
        /* The arguments arrive as the sender's pointers (Parameters.Others). */
        WDF_REQUEST_PARAMETERS parameters;
        WDF_REQUEST_PARAMETERS_INIT(&parameters);
        WdfRequestGetParameters(Request, &parameters);
        PULONG a = parameters.Parameters.Others.Arg1;
        PULONG b = parameters.Parameters.Others.Arg2;
        PULONG sum = parameters.Parameters.Others.Arg4;
        if (a == NULL || b == NULL || sum == NULL ||
            parameters.Parameters.Others.IoControlCode != IOCTL_IOT_LOWER_OTHERS) {
            WdfRequestComplete(Request, STATUS_INVALID_PARAMETER);
            return;
        }
        *sum = *a + *b;
        WdfRequestComplete(Request, STATUS_SUCCESS);
        return;
    }
    if (IoControlCode != IOCTL_IOT_LOWER_ADD_ONE) {
        WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }
    PULONG in;
    NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&in, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    IotLowerCompleteUlong(Request, *in + 1);
}
