/*++

Module Name:

    instant.c

Abstract:

    A KMDF driver that completes every read and write at once, so that a benchmark measures
    the I/O path (the application, the Win32 surface, the I/O manager, the framework) and
    not a timer. It offers the echo contract without echo's timer: it registers the echo
    interface class (GUID_DEVINTERFACE_ECHO), a write is copied into a device buffer (at
    most ECHO_MAX_WRITE_LENGTH bytes), and a read copies back a prefix of what the last
    write left (0 bytes when nothing was written yet). The queue is parallel: reads and
    writes are presented as they come, and a spin lock keeps each copy whole.

    It does not read TimerPeriodMs: it has no timer.

Environment:

    Kernel mode (the user-mode KMDF host: scripts/build-host-driver -I driver)

--*/

#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>

#include "public.h"

#define INSTANT_POOL_TAG 'tsnI'

typedef struct _INSTANT_CONTEXT {
    WDFSPINLOCK Lock;   // guards Buffer and Length
    PUCHAR Buffer;      // ECHO_MAX_WRITE_LENGTH bytes of non-paged pool
    size_t Length;      // bytes the last write left
} INSTANT_CONTEXT, *PINSTANT_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(INSTANT_CONTEXT, InstantGetContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD InstantEvtDeviceAdd;
EVT_WDF_OBJECT_CONTEXT_CLEANUP InstantEvtDeviceCleanup;
EVT_WDF_IO_QUEUE_IO_READ InstantEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE InstantEvtIoWrite;

/*
 * DriverEntry: the driver object, with InstantEvtDeviceAdd for each device the PnP
 * manager reports.
 */
NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;

    WDF_DRIVER_CONFIG_INIT(&config, InstantEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

/*
 * InstantEvtDeviceAdd: the device with its context (the buffer and its lock), the echo
 * interface, and a parallel default queue: nothing here waits, so nothing needs
 * serializing beyond the copy.
 */
NTSTATUS
InstantEvtDeviceAdd(
    _In_ WDFDRIVER Driver,
    _Inout_ PWDFDEVICE_INIT DeviceInit
    )
{
    NTSTATUS status;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDFDEVICE device;
    PINSTANT_CONTEXT context;

    UNREFERENCED_PARAMETER(Driver);

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, INSTANT_CONTEXT);
    attributes.EvtCleanupCallback = InstantEvtDeviceCleanup;
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    context = InstantGetContext(device);

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfSpinLockCreate(&attributes, &context->Lock);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    // Freed by InstantEvtDeviceCleanup, which runs even when a later step fails.
    context->Buffer = (PUCHAR)ExAllocatePool2(POOL_FLAG_NON_PAGED, ECHO_MAX_WRITE_LENGTH, INSTANT_POOL_TAG);
    if (context->Buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    context->Length = 0;

    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_ECHO, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoRead = InstantEvtIoRead;
    queueConfig.EvtIoWrite = InstantEvtIoWrite;
    return WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}

/*
 * InstantEvtDeviceCleanup: the device object is going away; release its buffer.
 */
VOID
InstantEvtDeviceCleanup(
    _In_ WDFOBJECT Object
    )
{
    PINSTANT_CONTEXT context = InstantGetContext((WDFDEVICE)Object);

    if (context->Buffer != NULL) {
        ExFreePoolWithTag(context->Buffer, INSTANT_POOL_TAG);
        context->Buffer = NULL;
    }
}

/*
 * InstantEvtIoWrite: keeps the write's bytes as the last write and completes it at once.
 * A write longer than the buffer completes with STATUS_BUFFER_OVERFLOW, as echo's does.
 */
VOID
InstantEvtIoWrite(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    PINSTANT_CONTEXT context = InstantGetContext(WdfIoQueueGetDevice(Queue));
    PVOID data;
    NTSTATUS status;

    if (Length > ECHO_MAX_WRITE_LENGTH) {
        WdfRequestCompleteWithInformation(Request, STATUS_BUFFER_OVERFLOW, 0);
        return;
    }
    status = WdfRequestRetrieveInputBuffer(Request, Length, &data, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    WdfSpinLockAcquire(context->Lock);
    RtlCopyMemory(context->Buffer, data, Length);
    context->Length = Length;
    WdfSpinLockRelease(context->Lock);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

/*
 * InstantEvtIoRead: copies back a prefix of what the last write left and completes at
 * once; 0 bytes when nothing was written yet.
 */
VOID
InstantEvtIoRead(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    PINSTANT_CONTEXT context = InstantGetContext(WdfIoQueueGetDevice(Queue));
    PVOID data;
    size_t copied;
    NTSTATUS status;

    status = WdfRequestRetrieveOutputBuffer(Request, Length, &data, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    WdfSpinLockAcquire(context->Lock);
    copied = min(Length, context->Length);
    RtlCopyMemory(data, context->Buffer, copied);
    WdfSpinLockRelease(context->Lock);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, copied);
}
