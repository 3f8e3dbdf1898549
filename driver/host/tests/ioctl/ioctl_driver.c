/*
 * ioctl_driver.c - a non-PnP KMDF driver whose control device answers device controls of
 * all four transfer types, as Microsoft's non-PnP ioctl sample does, and checks the
 * documented failures of the caller-context methods:
 *  - EvtIoInCallerContext takes every request first, on the caller's thread; for a
 *    METHOD_NEITHER control it retrieves the caller's buffers
 *    (WdfRequestRetrieveUnsafeUserInputBuffer / OutputBuffer), probes and locks them
 *    (WdfRequestProbeAndLockUserBufferForRead / ForWrite), keeps the memory objects in
 *    the request's context and queues the request (WdfDeviceEnqueueRequest);
 *  - the queue's EvtIoDeviceControl answers: the output is the input reversed, through
 *    the system buffer (METHOD_BUFFERED), the MDL (METHOD_OUT_DIRECT, through
 *    WdfRequestRetrieveOutputWdmMdl), or the locked user buffer (METHOD_NEITHER);
 *    METHOD_IN_DIRECT checks that its output buffer, read through the MDL, holds what
 *    the input holds.
 * Codes whose answer is a status: IOCTL_T_NEITHER_LATE tries the caller-context methods
 * from the queue (outside the caller's context) and completes with the probe's status;
 * IOCTL_T_ENQUEUE_LATE completes with the status of a second WdfDeviceEnqueueRequest from
 * the queue. IOCTL_T_FILE uses the Zw file services as the WDK's non-PnP sample does: it
 * writes its input to \SystemRoot\KhIoctl\Test.txt (created or overwritten), appends it
 * once more, rewinds (ZwSetInformationFile, FilePositionInformation), reads the file
 * back into the output buffer and answers with the bytes read, or with the first
 * failing status. A write has no queue: WdfDeviceEnqueueRequest fails and the request is
 * completed with that status.
 */
#include <ntddk.h>
#include <wdf.h>

#define T_TYPE 0x8125
#define IOCTL_T_BUFFERED CTL_CODE(T_TYPE, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_T_IN_DIRECT CTL_CODE(T_TYPE, 0x901, METHOD_IN_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_T_OUT_DIRECT CTL_CODE(T_TYPE, 0x902, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_T_NEITHER CTL_CODE(T_TYPE, 0x903, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_T_NEITHER_LATE CTL_CODE(T_TYPE, 0x904, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_T_ENQUEUE_LATE CTL_CODE(T_TYPE, 0x905, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_T_FILE CTL_CODE(T_TYPE, 0x906, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* The smallest output buffer of IOCTL_T_BUFFERED (STATUS_BUFFER_TOO_SMALL below it). */
#define T_MIN_OUTPUT 16

typedef struct T_REQUEST_CONTEXT {
    WDFMEMORY Input;
    WDFMEMORY Output;
} T_REQUEST_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(T_REQUEST_CONTEXT, TGetRequestContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_UNLOAD TUnload;
EVT_WDF_IO_IN_CALLER_CONTEXT TInCallerContext;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL TDeviceControl;

static void Reverse(UCHAR *To, const UCHAR *From, size_t Length)
{
    for (size_t i = 0; i < Length; i++) {
        To[i] = From[Length - 1 - i];
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);
    config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    config.EvtDriverUnload = TUnload;
    WDFDRIVER driver;
    NTSTATUS status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, &driver);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)(A;;GRGW;;;WD)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(driver, &sddl);
    if (init == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    WdfDeviceInitSetIoType(init, WdfDeviceIoBuffered);
    WdfDeviceInitSetIoInCallerContextCallback(init, TInCallerContext);
    DECLARE_CONST_UNICODE_STRING(name, L"\\Device\\KhIoctlTest");
    status = WdfDeviceInitAssignName(init, &name);
    WDFDEVICE device = NULL;
    if (NT_SUCCESS(status)) {
        status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &device);
    }
    if (!NT_SUCCESS(status)) {
        WdfDeviceInitFree(init);
        return status;
    }
    DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\KhIoctlTest");
    status = WdfDeviceCreateSymbolicLink(device, &link);
    if (NT_SUCCESS(status)) {
        WDF_IO_QUEUE_CONFIG queueConfig;
        WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
        queueConfig.EvtIoDeviceControl = TDeviceControl;
        status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    }
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(device);
        return status;
    }
    WdfControlFinishInitializing(device);
    return STATUS_SUCCESS;
}

/* The control device is the driver object's child: deleting the driver deletes it. */
VOID TUnload(WDFDRIVER Driver)
{
    UNREFERENCED_PARAMETER(Driver);
}

VOID TInCallerContext(WDFDEVICE Device, WDFREQUEST Request)
{
    WDF_REQUEST_PARAMETERS params;
    WDF_REQUEST_PARAMETERS_INIT(&params);
    WdfRequestGetParameters(Request, &params);
    NTSTATUS status;
    if (params.Type == WdfRequestTypeDeviceControl &&
        params.Parameters.DeviceIoControl.IoControlCode == IOCTL_T_NEITHER) {
        PVOID in, out;
        size_t inLength, outLength;
        status = WdfRequestRetrieveUnsafeUserInputBuffer(Request, 0, &in, &inLength);
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveUnsafeUserOutputBuffer(Request, 0, &out, &outLength);
        }
        T_REQUEST_CONTEXT *context = NULL;
        if (NT_SUCCESS(status)) {
            WDF_OBJECT_ATTRIBUTES attributes;
            WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, T_REQUEST_CONTEXT);
            status = WdfObjectAllocateContext(Request, &attributes, (PVOID *)&context);
        }
        if (NT_SUCCESS(status)) {
            status = WdfRequestProbeAndLockUserBufferForRead(Request, in, inLength, &context->Input);
        }
        if (NT_SUCCESS(status)) {
            status = WdfRequestProbeAndLockUserBufferForWrite(Request, out, outLength, &context->Output);
        }
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
            return;
        }
    }
    status = WdfDeviceEnqueueRequest(Device, Request);
    if (!NT_SUCCESS(status)) {
        /* The request is still ours ("the driver must complete the request"). */
        WdfRequestComplete(Request, status);
    }
}

/* IOCTL_T_FILE: the Zw file services on a file of the system root (PASSIVE_LEVEL). */
static NTSTATUS TFileRoundTrip(PVOID In, size_t InLength, PVOID Out, size_t OutLength, ULONG_PTR *Information)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\SystemRoot\\KhIoctl\\Test.txt");
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    IO_STATUS_BLOCK iosb;
    HANDLE file;
    NTSTATUS status = ZwCreateFile(&file, SYNCHRONIZE | GENERIC_READ | GENERIC_WRITE, &attributes, &iosb, NULL,
                                   FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ, FILE_OVERWRITE_IF,
                                   FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = ZwWriteFile(file, NULL, NULL, NULL, &iosb, In, (ULONG)InLength, NULL, NULL);
    if (NT_SUCCESS(status) && iosb.Information != InLength) {
        status = STATUS_DATA_ERROR;
    }
    if (NT_SUCCESS(status)) {
        LARGE_INTEGER end;
        end.HighPart = -1;
        end.LowPart = FILE_WRITE_TO_END_OF_FILE;
        status = ZwWriteFile(file, NULL, NULL, NULL, &iosb, In, (ULONG)InLength, &end, NULL);
    }
    if (NT_SUCCESS(status)) {
        FILE_POSITION_INFORMATION position;
        position.CurrentByteOffset.QuadPart = 0;
        status = ZwSetInformationFile(file, &iosb, &position, sizeof(position), FilePositionInformation);
    }
    if (NT_SUCCESS(status)) {
        status = ZwReadFile(file, NULL, NULL, NULL, &iosb, Out, (ULONG)OutLength, NULL, NULL);
        *Information = iosb.Information;
    }
    if (NT_SUCCESS(status)) {
        /* At the end now: a read there is STATUS_END_OF_FILE with no bytes. */
        UCHAR more;
        NTSTATUS eof = ZwReadFile(file, NULL, NULL, NULL, &iosb, &more, 1, NULL, NULL);
        if (eof != STATUS_END_OF_FILE || iosb.Information != 0 || *Information != 2 * InLength) {
            status = STATUS_DATA_ERROR;
        }
    }
    ZwClose(file);
    return status;
}

VOID TDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength,
                    ULONG IoControlCode)
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR information = 0;
    PVOID in = NULL, out = NULL;
    size_t inLength = 0, outLength = 0;
    switch (IoControlCode) {
    case IOCTL_T_BUFFERED:
        status = WdfRequestRetrieveInputBuffer(Request, 1, &in, &inLength);
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveOutputBuffer(Request, T_MIN_OUTPUT, &out, &outLength);
        }
        if (NT_SUCCESS(status)) {
            /* One system buffer holds both: reverse through a copy. */
            UCHAR copy[256];
            size_t n = inLength < outLength ? inLength : outLength;
            n = n < sizeof(copy) ? n : sizeof(copy);
            RtlCopyMemory(copy, in, n);
            Reverse(out, copy, n);
            information = n;
        }
        break;
    case IOCTL_T_IN_DIRECT: {
        /* The output buffer carries data to the driver: its mapping and the MDL's agree,
           and it holds what the input holds. */
        PMDL mdl = NULL;
        status = WdfRequestRetrieveInputBuffer(Request, 1, &in, &inLength);
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveOutputBuffer(Request, 1, &out, &outLength);
        }
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveOutputWdmMdl(Request, &mdl);
        }
        if (NT_SUCCESS(status)) {
            PVOID mapped = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
            if (mapped != out || MmGetMdlByteCount(mdl) != outLength || outLength != OutputBufferLength ||
                inLength != InputBufferLength || outLength < inLength ||
                RtlCompareMemory(in, mapped, inLength) != inLength) {
                status = STATUS_DATA_ERROR;
            } else {
                information = outLength;
            }
        }
        break;
    }
    case IOCTL_T_OUT_DIRECT: {
        PMDL mdl = NULL;
        status = WdfRequestRetrieveInputBuffer(Request, 1, &in, &inLength);
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveOutputWdmMdl(Request, &mdl);
        }
        if (NT_SUCCESS(status)) {
            out = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
            outLength = MmGetMdlByteCount(mdl);
            size_t n = inLength < outLength ? inLength : outLength;
            Reverse(out, in, n);
            information = n;
        }
        break;
    }
    case IOCTL_T_NEITHER: {
        T_REQUEST_CONTEXT *context = TGetRequestContext(Request);
        in = WdfMemoryGetBuffer(context->Input, &inLength);
        out = WdfMemoryGetBuffer(context->Output, &outLength);
        size_t n = inLength < outLength ? inLength : outLength;
        Reverse(out, in, n);
        information = n;
        break;
    }
    case IOCTL_T_NEITHER_LATE: {
        /* Outside the caller's context: no unsafe buffer, no probe, and the safe
           retrieval has no buffer for a user-mode METHOD_NEITHER request either. */
        NTSTATUS unsafe = WdfRequestRetrieveUnsafeUserInputBuffer(Request, 0, &in, &inLength);
        NTSTATUS safe = WdfRequestRetrieveInputBuffer(Request, 0, &in, &inLength);
        WDF_REQUEST_PARAMETERS params;
        WDF_REQUEST_PARAMETERS_INIT(&params);
        WdfRequestGetParameters(Request, &params);
        WDFMEMORY memory = NULL;
        status = WdfRequestProbeAndLockUserBufferForRead(
            Request, params.Parameters.DeviceIoControl.Type3InputBuffer, InputBufferLength, &memory);
        if (unsafe != STATUS_INVALID_DEVICE_REQUEST || safe != STATUS_INVALID_DEVICE_REQUEST || memory != NULL) {
            DbgPrint("ioctl_driver: outside the caller's context: unsafe 0x%08x, safe 0x%08x, probe 0x%08x\n",
                     unsafe, safe, status);
            status = STATUS_INTERNAL_ERROR;
        }
        break;
    }
    case IOCTL_T_ENQUEUE_LATE:
        status = WdfDeviceEnqueueRequest(WdfIoQueueGetDevice(Queue), Request);
        if (NT_SUCCESS(status)) {
            return; /* it would belong to the queue again (not expected) */
        }
        break;
    case IOCTL_T_FILE: {
        UCHAR data[64];
        status = WdfRequestRetrieveInputBuffer(Request, 1, &in, &inLength);
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveOutputBuffer(Request, 1, &out, &outLength);
        }
        if (NT_SUCCESS(status)) {
            /* The input and the output share the system buffer. */
            inLength = inLength < sizeof(data) ? inLength : sizeof(data);
            RtlCopyMemory(data, in, inLength);
            status = TFileRoundTrip(data, inLength, out, outLength, &information);
        }
        break;
    }
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    WdfRequestCompleteWithInformation(Request, status, NT_SUCCESS(status) ? information : 0);
}
