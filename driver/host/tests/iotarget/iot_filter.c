/*
 * iot_filter.c - an upper filter (WdfFdoInitSetFilter) over iot_lower.c in one device
 * stack, written as a KMDF filter would be:
 *  - reads go down with WdfRequestFormatRequestUsingCurrentType and a completion
 *    routine, which records WDF_REQUEST_COMPLETION_PARAMS and completes the request;
 *  - writes go down with WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET;
 *  - device controls it does not know are forwarded like reads; its own device controls
 *    drive the I/O target DDIs one at a time and return an IOT_RESULT;
 *  - internal device controls have no queue, so the framework passes them down itself.
 */
#include <ntddk.h>
#include <wdf.h>

#include "iotarget.h"

#define IOT_TAG 'tFtI'

typedef struct _IOT_FILTER_CONTEXT {
    WDFIOTARGET Target;
    WDFSPINLOCK Lock;
    IOT_RESULT LastCompletion;
} IOT_FILTER_CONTEXT, *PIOT_FILTER_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(IOT_FILTER_CONTEXT, IotFilterGetContext)

/* What a request the filter created itself carries: the request it serves. */
typedef struct _IOT_SENT_CONTEXT {
    WDFREQUEST Original;
    WDFMEMORY Input;
    WDFMEMORY Output;
} IOT_SENT_CONTEXT, *PIOT_SENT_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(IOT_SENT_CONTEXT, IotSentGetContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD IotFilterDeviceAdd;
EVT_WDF_IO_QUEUE_IO_READ IotFilterRead;
EVT_WDF_IO_QUEUE_IO_WRITE IotFilterWrite;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL IotFilterDeviceControl;
EVT_WDF_REQUEST_COMPLETION_ROUTINE IotFilterForwardCompletion;
EVT_WDF_REQUEST_COMPLETION_ROUTINE IotFilterFormattedCompletion;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, IotFilterDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

NTSTATUS IotFilterDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WdfFdoInitSetFilter(DeviceInit);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, IOT_FILTER_CONTEXT);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PIOT_FILTER_CONTEXT context = IotFilterGetContext(device);
    context->Target = WdfDeviceGetIoTarget(device);
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfSpinLockCreate(&attributes, &context->Lock);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoRead = IotFilterRead;
    queueConfig.EvtIoWrite = IotFilterWrite;
    queueConfig.EvtIoDeviceControl = IotFilterDeviceControl;
    return WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}

static PIOT_FILTER_CONTEXT IotFilterContextOf(WDFREQUEST Request)
{
    return IotFilterGetContext(WdfIoQueueGetDevice(WdfRequestGetIoQueue(Request)));
}

/* Forwards a request down with its own parameters; completes it when that fails. */
static VOID IotFilterForward(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    WdfRequestFormatRequestUsingCurrentType(Request);
    WdfRequestSetCompletionRoutine(Request, IotFilterForwardCompletion, Context);
    if (!WdfRequestSend(Request, Context->Target, WDF_NO_SEND_OPTIONS)) {
        WdfRequestComplete(Request, WdfRequestGetStatus(Request));
    }
}

VOID IotFilterForwardCompletion(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_COMPLETION_PARAMS Params,
                                WDFCONTEXT Context)
{
    PIOT_FILTER_CONTEXT context = Context;
    UNREFERENCED_PARAMETER(Target);
    WdfSpinLockAcquire(context->Lock);
    RtlZeroMemory(&context->LastCompletion, sizeof(context->LastCompletion));
    context->LastCompletion.Status = Params->IoStatus.Status;
    context->LastCompletion.Type = (int)Params->Type;
    context->LastCompletion.Information = Params->IoStatus.Information;
    context->LastCompletion.Value = Params->Size == sizeof(*Params);
    WdfSpinLockRelease(context->Lock);
    WdfRequestComplete(Request, Params->IoStatus.Status);
}

VOID IotFilterRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Length);
    IotFilterForward(Request, IotFilterContextOf(Request));
}

VOID IotFilterWrite(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Length);
    WDF_REQUEST_SEND_OPTIONS options;
    WDF_REQUEST_SEND_OPTIONS_INIT(&options, WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET);
    if (!WdfRequestSend(Request, IotFilterContextOf(Request)->Target, &options)) {
        WdfRequestComplete(Request, WdfRequestGetStatus(Request));
    }
}

static VOID IotComplete(WDFREQUEST Request, const IOT_RESULT *Result)
{
    IOT_RESULT *out;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, sizeof(*out), (PVOID *)&out, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    *out = *Result;
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(*out));
}

/* Sends IOCTL_IOT_LOWER_REVERSE in a request of the filter's own, formatted with memory
   objects; the completion routine answers the original request. */
static VOID IotFilterFormatted(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    IOT_RESULT result = {0};
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, IOT_SENT_CONTEXT);
    WDFREQUEST own;
    NTSTATUS status = WdfRequestCreate(&attributes, Context->Target, &own);
    if (!NT_SUCCESS(status)) {
        result.Status = status;
        IotComplete(Request, &result);
        return;
    }
    PIOT_SENT_CONTEXT sent = IotSentGetContext(own);
    sent->Original = Request;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = own;
    PUCHAR in;
    status = WdfMemoryCreate(&attributes, NonPagedPoolNx, IOT_TAG, 8, &sent->Input, (PVOID *)&in);
    if (NT_SUCCESS(status)) {
        status = WdfMemoryCreate(&attributes, NonPagedPoolNx, IOT_TAG, 8, &sent->Output, NULL);
    }
    if (NT_SUCCESS(status)) {
        for (int i = 0; i < 8; i++) {
            in[i] = (UCHAR)('a' + i);
        }
        status = WdfIoTargetFormatRequestForIoctl(Context->Target, own, IOCTL_IOT_LOWER_REVERSE, sent->Input, NULL,
                                                  sent->Output, NULL);
    }
    if (NT_SUCCESS(status)) {
        WdfRequestSetCompletionRoutine(own, IotFilterFormattedCompletion, Context);
        if (!WdfRequestSend(own, Context->Target, WDF_NO_SEND_OPTIONS)) {
            status = WdfRequestGetStatus(own);
        }
    }
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(own);
        result.Status = status;
        IotComplete(Request, &result);
    }
}

VOID IotFilterFormattedCompletion(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_COMPLETION_PARAMS Params,
                                  WDFCONTEXT Context)
{
    UNREFERENCED_PARAMETER(Target);
    UNREFERENCED_PARAMETER(Context);
    PIOT_SENT_CONTEXT sent = IotSentGetContext(Request);
    IOT_RESULT result = {0};
    result.Status = Params->IoStatus.Status;
    result.Type = (int)Params->Type;
    result.Information = Params->Parameters.Ioctl.Output.Length;
    result.Value = Params->Parameters.Ioctl.IoControlCode == IOCTL_IOT_LOWER_REVERSE &&
                   Params->Parameters.Ioctl.Output.Buffer == sent->Output &&
                   Params->Parameters.Ioctl.Input.Buffer == sent->Input;
    size_t size;
    PUCHAR out = WdfMemoryGetBuffer(sent->Output, &size);
    RtlCopyMemory(result.Data, out, size < sizeof(result.Data) ? size : sizeof(result.Data));
    WDFREQUEST original = sent->Original;
    WdfObjectDelete(Request);
    IotComplete(original, &result);
}

static VOID IotFilterSyncRead(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    IOT_RESULT result = {0};
    UCHAR buffer[sizeof(result.Data)];
    WDF_MEMORY_DESCRIPTOR descriptor;
    WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&descriptor, buffer, sizeof(buffer));
    ULONG_PTR read = 0;
    result.Status = WdfIoTargetSendReadSynchronously(Context->Target, NULL, &descriptor, NULL, NULL, &read);
    result.Information = read;
    RtlCopyMemory(result.Data, buffer, read);
    IotComplete(Request, &result);
}

static VOID IotFilterClosedSend(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    UNREFERENCED_PARAMETER(Context);
    IOT_RESULT result = {0};
    WDFIOTARGET target;
    NTSTATUS status = WdfIoTargetCreate(WdfIoQueueGetDevice(WdfRequestGetIoQueue(Request)),
                                        WDF_NO_OBJECT_ATTRIBUTES, &target);
    if (!NT_SUCCESS(status)) {
        result.Status = status;
        IotComplete(Request, &result);
        return;
    }
    result.Value = (int)WdfIoTargetGetState(target);
    WDFREQUEST own;
    status = WdfRequestCreate(WDF_NO_OBJECT_ATTRIBUTES, NULL, &own);
    if (NT_SUCCESS(status)) {
        status = WdfIoTargetFormatRequestForRead(Context->Target, own, NULL, NULL, NULL);
    }
    if (NT_SUCCESS(status)) {
        result.Returned = WdfRequestSend(own, target, WDF_NO_SEND_OPTIONS);
        status = WdfRequestGetStatus(own);
        WdfObjectDelete(own);
    }
    WdfObjectDelete(target);
    result.Status = status;
    IotComplete(Request, &result);
}

static NTSTATUS IotSendWho(WDFIOTARGET Target, PULONG Who)
{
    WDF_MEMORY_DESCRIPTOR out;
    WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&out, Who, sizeof(*Who));
    return WdfIoTargetSendIoctlSynchronously(Target, NULL, IOCTL_IOT_LOWER_WHO, NULL, &out, NULL, NULL);
}

/* A remote target opened by name, and one opened on an existing device object. */
static VOID IotFilterRemote(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    UNREFERENCED_PARAMETER(Context);
    IOT_RESULT result = {0};
    WDFDEVICE device = WdfIoQueueGetDevice(WdfRequestGetIoQueue(Request));
    WDFIOTARGET target;
    NTSTATUS status = WdfIoTargetCreate(device, WDF_NO_OBJECT_ATTRIBUTES, &target);
    if (NT_SUCCESS(status)) {
        DECLARE_CONST_UNICODE_STRING(name, IOT_LOWER_DEVICE_NAME);
        WDF_IO_TARGET_OPEN_PARAMS params;
        WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(&params, &name, GENERIC_READ | GENERIC_WRITE);
        status = WdfIoTargetOpen(target, &params);
        if (NT_SUCCESS(status)) {
            ULONG who = 0;
            result.Value = WdfIoTargetWdmGetTargetFileObject(target) != NULL;
            status = IotSendWho(target, &who);
            result.Data[0] = (UCHAR)who;
            WdfIoTargetClose(target);
            result.Type = (int)WdfIoTargetGetState(target);
        }
        WdfObjectDelete(target);
    }
    if (NT_SUCCESS(status)) {
        status = WdfIoTargetCreate(device, WDF_NO_OBJECT_ATTRIBUTES, &target);
    }
    if (NT_SUCCESS(status)) {
        WDF_IO_TARGET_OPEN_PARAMS params;
        WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE(&params, WdfDeviceWdmGetAttachedDevice(device));
        status = WdfIoTargetOpen(target, &params);
        if (NT_SUCCESS(status)) {
            ULONG who = 0;
            status = IotSendWho(target, &who);
            result.Data[1] = (UCHAR)who;
        }
        WdfObjectDelete(target);
    }
    result.Status = status;
    IotComplete(Request, &result);
}

/* One request the filter created, sent again and again with WdfRequestReuse. */
static VOID IotFilterReuse(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    IOT_RESULT result = {0};
    WDFREQUEST own;
    NTSTATUS status = WdfRequestCreate(WDF_NO_OBJECT_ATTRIBUTES, Context->Target, &own);
    ULONG value = 0;
    for (int i = 0; NT_SUCCESS(status) && i < 5; i++) {
        WDF_REQUEST_REUSE_PARAMS reuse;
        WDF_REQUEST_REUSE_PARAMS_INIT(&reuse, WDF_REQUEST_REUSE_NO_FLAGS, STATUS_SUCCESS);
        status = WdfRequestReuse(own, &reuse);
        if (!NT_SUCCESS(status)) {
            break;
        }
        ULONG in = value, out = 0;
        WDF_MEMORY_DESCRIPTOR inDescriptor, outDescriptor;
        WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&inDescriptor, &in, sizeof(in));
        WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&outDescriptor, &out, sizeof(out));
        ULONG_PTR returned = 0;
        status = WdfIoTargetSendInternalIoctlSynchronously(Context->Target, own, IOCTL_IOT_LOWER_ADD_ONE,
                                                           &inDescriptor, &outDescriptor, NULL, &returned);
        if (NT_SUCCESS(status) && returned == sizeof(out)) {
            value = out;
        }
    }
    if (own != NULL) {
        WdfObjectDelete(own);
    }
    result.Status = status;
    result.Value = (int)value;
    IotComplete(Request, &result);
}

/*
 * Internal requests of the "Others" kind: WdfIoTargetSendInternalIoctlOthersSynchronously
 * with buffer descriptors, then a request of the filter's own formatted with
 * WdfIoTargetFormatRequestForInternalIoctlOthers from memory objects and sent
 * synchronously; and one missing argument, which the lower refuses.
 */
static VOID IotFilterOthers(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    IOT_RESULT result = {0};
    ULONG a = 20, b = 22, sum = 0;
    WDF_MEMORY_DESCRIPTOR da, db, dsum;
    WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&da, &a, sizeof(a));
    WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&db, &b, sizeof(b));
    WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(&dsum, &sum, sizeof(sum));
    ULONG_PTR returned = 0;
    NTSTATUS status = WdfIoTargetSendInternalIoctlOthersSynchronously(Context->Target, NULL, IOCTL_IOT_LOWER_OTHERS,
                                                                      &da, &db, &dsum, NULL, &returned);
    result.Status = status;
    result.Value = (int)sum;
    result.Information = returned;
    /* Arg2 left out: the lower sees a NULL pointer and fails the request. */
    result.Data[0] = (UCHAR)(WdfIoTargetSendInternalIoctlOthersSynchronously(Context->Target, NULL,
                                                                             IOCTL_IOT_LOWER_OTHERS, &da, NULL,
                                                                             &dsum, NULL, NULL) ==
                             STATUS_INVALID_PARAMETER);
    WDFREQUEST own;
    status = WdfRequestCreate(WDF_NO_OBJECT_ATTRIBUTES, Context->Target, &own);
    if (NT_SUCCESS(status)) {
        ULONG values[3] = {100, 5, 0};
        WDFMEMORY memory;
        WDF_OBJECT_ATTRIBUTES attributes;
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
        attributes.ParentObject = own;
        status = WdfMemoryCreatePreallocated(&attributes, values, sizeof(values), &memory);
        if (NT_SUCCESS(status)) {
            WDFMEMORY_OFFSET first = {0, sizeof(ULONG)};
            WDFMEMORY_OFFSET second = {sizeof(ULONG), sizeof(ULONG)};
            WDFMEMORY_OFFSET third = {2 * sizeof(ULONG), sizeof(ULONG)};
            status = WdfIoTargetFormatRequestForInternalIoctlOthers(Context->Target, own, IOCTL_IOT_LOWER_OTHERS,
                                                                    memory, &first, memory, &second, memory,
                                                                    &third);
        }
        if (NT_SUCCESS(status)) {
            WDF_REQUEST_SEND_OPTIONS options;
            WDF_REQUEST_SEND_OPTIONS_INIT(&options, WDF_REQUEST_SEND_OPTION_SYNCHRONOUS);
            if (WdfRequestSend(own, Context->Target, &options)) {
                status = WdfRequestGetStatus(own);
                WDF_REQUEST_COMPLETION_PARAMS params;
                WDF_REQUEST_COMPLETION_PARAMS_INIT(&params);
                WdfRequestGetCompletionParams(own, &params);
                result.Type = params.Type;
                result.Data[2] = (UCHAR)(params.Parameters.Others.Argument3.Value == IOCTL_IOT_LOWER_OTHERS &&
                                         params.Parameters.Others.Argument4.Ptr == &values[2]);
            } else {
                status = WdfRequestGetStatus(own);
            }
        }
        result.Data[1] = (UCHAR)values[2];
        result.Returned = status;
        WdfObjectDelete(own);
    } else {
        result.Returned = status;
    }
    IotComplete(Request, &result);
}

static VOID IotFilterTimeout(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    IOT_RESULT result = {0};
    WDF_REQUEST_SEND_OPTIONS options;
    WDF_REQUEST_SEND_OPTIONS_INIT(&options, 0);
    WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(&options, WDF_REL_TIMEOUT_IN_MS(20));
    result.Status = WdfIoTargetSendIoctlSynchronously(Context->Target, NULL, IOCTL_IOT_LOWER_PARK, NULL, NULL,
                                                      &options, NULL);
    IotComplete(Request, &result);
}

/* WdfRequestSend with WDF_REQUEST_SEND_OPTION_SYNCHRONOUS on a request of the filter's own. */
static VOID IotFilterSyncSend(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    IOT_RESULT result = {0};
    WDFREQUEST own;
    WDFMEMORY memory;
    NTSTATUS status = WdfRequestCreate(WDF_NO_OBJECT_ATTRIBUTES, Context->Target, &own);
    if (NT_SUCCESS(status)) {
        WDF_OBJECT_ATTRIBUTES attributes;
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
        attributes.ParentObject = own;
        status = WdfMemoryCreate(&attributes, NonPagedPoolNx, IOT_TAG, sizeof(ULONG), &memory, NULL);
        if (NT_SUCCESS(status)) {
            status = WdfIoTargetFormatRequestForIoctl(Context->Target, own, IOCTL_IOT_LOWER_WHO, NULL, NULL, memory,
                                                      NULL);
        }
        if (NT_SUCCESS(status)) {
            WDF_REQUEST_SEND_OPTIONS options;
            WDF_REQUEST_SEND_OPTIONS_INIT(&options, WDF_REQUEST_SEND_OPTION_SYNCHRONOUS);
            result.Returned = WdfRequestSend(own, Context->Target, &options);
            status = WdfRequestGetStatus(own);
            WDF_REQUEST_COMPLETION_PARAMS params;
            WDF_REQUEST_COMPLETION_PARAMS_INIT(&params);
            WdfRequestGetCompletionParams(own, &params);
            result.Type = (int)params.Type;
            result.Information = params.IoStatus.Information;
            ULONG who = 0;
            if (NT_SUCCESS(status)) {
                (void)WdfMemoryCopyToBuffer(memory, 0, &who, sizeof(who));
            }
            result.Value = (int)who;
        }
        WdfObjectDelete(own);
    }
    result.Status = status;
    IotComplete(Request, &result);
}

/* Documented failures: a new IRP for a request not made by WdfRequestCreateFromIrp,
   send-and-forget of a request the driver created, a send of an unformatted request. */
static VOID IotFilterBadInput(WDFREQUEST Request, PIOT_FILTER_CONTEXT Context)
{
    IOT_RESULT result = {0};
    WDF_REQUEST_REUSE_PARAMS reuse;
    WDF_REQUEST_REUSE_PARAMS_INIT(&reuse, WDF_REQUEST_REUSE_NO_FLAGS, STATUS_SUCCESS);
    WDF_REQUEST_REUSE_PARAMS_SET_NEW_IRP(&reuse, NULL);
    result.Status = WdfRequestReuse(Request, &reuse);
    WDFREQUEST own;
    NTSTATUS status = WdfRequestCreate(WDF_NO_OBJECT_ATTRIBUTES, Context->Target, &own);
    if (NT_SUCCESS(status)) {
        WDF_REQUEST_SEND_OPTIONS options;
        WDF_REQUEST_SEND_OPTIONS_INIT(&options, WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET);
        result.Returned = WdfRequestSend(own, Context->Target, &options);
        result.Value = WdfRequestGetStatus(own);
        /* Not formatted: there is no stack location for the target. */
        BOOLEAN sent = WdfRequestSend(own, Context->Target, WDF_NO_SEND_OPTIONS);
        result.Type = sent ? 0 : WdfRequestGetStatus(own);
        WdfObjectDelete(own);
    }
    /* A request handle where a target handle belongs: the verifier reports it. */
    result.Information = (unsigned long long)WdfIoTargetGetState((WDFIOTARGET)Request);
    IotComplete(Request, &result);
}

VOID IotFilterDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                            size_t InputBufferLength, ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);
    PIOT_FILTER_CONTEXT context = IotFilterContextOf(Request);
    IOT_RESULT result = {0};
    switch (IoControlCode) {
    case IOCTL_IOT_FILTER_SYNC_READ:
        IotFilterSyncRead(Request, context);
        return;
    case IOCTL_IOT_FILTER_FORMATTED:
        IotFilterFormatted(Request, context);
        return;
    case IOCTL_IOT_FILTER_STOP: {
        PULONG action;
        NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&action, NULL);
        if (NT_SUCCESS(status)) {
            WdfIoTargetStop(context->Target, (WDF_IO_TARGET_SENT_IO_ACTION)*action);
        }
        result.Status = status;
        result.Value = (int)WdfIoTargetGetState(context->Target);
        IotComplete(Request, &result);
        return;
    }
    case IOCTL_IOT_FILTER_START:
        result.Status = WdfIoTargetStart(context->Target);
        result.Value = (int)WdfIoTargetGetState(context->Target);
        IotComplete(Request, &result);
        return;
    case IOCTL_IOT_FILTER_STATE:
        result.Value = (int)WdfIoTargetGetState(context->Target);
        IotComplete(Request, &result);
        return;
    case IOCTL_IOT_FILTER_CLOSED_SEND:
        IotFilterClosedSend(Request, context);
        return;
    case IOCTL_IOT_FILTER_REMOTE:
        IotFilterRemote(Request, context);
        return;
    case IOCTL_IOT_FILTER_REUSE:
        IotFilterReuse(Request, context);
        return;
    case IOCTL_IOT_FILTER_OTHERS:
        IotFilterOthers(Request, context);
        return;
    case IOCTL_IOT_FILTER_TIMEOUT:
        IotFilterTimeout(Request, context);
        return;
    case IOCTL_IOT_FILTER_SYNC_SEND:
        IotFilterSyncSend(Request, context);
        return;
    case IOCTL_IOT_FILTER_BAD_INPUT:
        IotFilterBadInput(Request, context);
        return;
    case IOCTL_IOT_FILTER_LAST_COMPLETION:
        WdfSpinLockAcquire(context->Lock);
        result = context->LastCompletion;
        WdfSpinLockRelease(context->Lock);
        IotComplete(Request, &result);
        return;
    default:
        IotFilterForward(Request, context);
        return;
    }
}
