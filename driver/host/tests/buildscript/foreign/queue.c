/*++

Module Name:

    queue.c

Abstract:

    The counter driver's default queue: parallel dispatch, device control requests only
    (the framework fails reads and writes with STATUS_INVALID_DEVICE_REQUEST).

Environment:

    Kernel mode

--*/

#include "counter.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, CounterQueueInitialize)
#endif

NTSTATUS
CounterQueueInitialize(
    _In_ WDFDEVICE Device
    )
{
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDFQUEUE queue;

    PAGED_CODE();

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = CounterEvtIoDeviceControl;
    return WdfIoQueueCreate(Device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &queue);
}

//
// Answers IOCTL_COUNTER_ADD and IOCTL_COUNTER_GET. Buffered I/O: the input and output
// buffers are the same system buffer, so the input is read before the output is written.
//
VOID
CounterEvtIoDeviceControl(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t OutputBufferLength,
    _In_ size_t InputBufferLength,
    _In_ ULONG IoControlCode
    )
{
    PCOUNTER_CONTEXT context = WdfObjectGet_COUNTER_CONTEXT(WdfIoQueueGetDevice(Queue));
    PULONG input;
    PULONG output;
    LONG value;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);

    switch (IoControlCode) {
    case IOCTL_COUNTER_ADD:
        status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&input, NULL);
        if (!NT_SUCCESS(status)) {
            break;
        }
        value = (LONG)(*input * COUNTER_STEP);
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), (PVOID *)&output, NULL);
        if (!NT_SUCCESS(status)) {
            break;
        }
        *output = (ULONG)(InterlockedExchangeAdd(&context->Value, value) + value);
        CounterTrace(("Counter: add %d -> %u\n", value, *output));
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(ULONG));
        return;

    case IOCTL_COUNTER_GET:
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), (PVOID *)&output, NULL);
        if (!NT_SUCCESS(status)) {
            break;
        }
        *output = (ULONG)InterlockedCompareExchange(&context->Value, 0, 0);
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(ULONG));
        return;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    WdfRequestComplete(Request, status);
}
