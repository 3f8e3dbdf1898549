/*
 * ctl_driver.c - a non-PnP KMDF driver with a control device, as the WDK's non-PnP
 * samples are written: DriverEntry creates a named control device with a symbolic link
 * and a queue; EvtDriverUnload deletes it. Device controls answer from the queue; one
 * checks the documented failures of WdfDeviceCreateSymbolicLink.
 */
#include <ntddk.h>
#include <wdf.h>

#define CTL_DEVICE_NAME L"\\Device\\KhCtlTest"
#define CTL_LINK_NAME L"\\DosDevices\\KhCtlTest"
#define IOCTL_CTL_ECHO CTL_CODE(0x8124, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_CTL_LINK_AGAIN CTL_CODE(0x8124, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_UNLOAD CtlUnload;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL CtlDeviceControl;

static WDFDEVICE g_Control;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);
    config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    config.EvtDriverUnload = CtlUnload;
    WDFDRIVER driver;
    NTSTATUS status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, &driver);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* Everyone may read and write; the host keeps no security descriptors. */
    DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)(A;;GRGW;;;WD)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(driver, &sddl);
    if (init == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    DECLARE_CONST_UNICODE_STRING(name, CTL_DEVICE_NAME);
    status = WdfDeviceInitAssignName(init, &name);
    if (NT_SUCCESS(status)) {
        status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &g_Control);
    }
    if (!NT_SUCCESS(status)) {
        WdfDeviceInitFree(init);
        return status;
    }
    DECLARE_CONST_UNICODE_STRING(link, CTL_LINK_NAME);
    status = WdfDeviceCreateSymbolicLink(g_Control, &link);
    if (NT_SUCCESS(status)) {
        WDF_IO_QUEUE_CONFIG queueConfig;
        WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchSequential);
        queueConfig.EvtIoDeviceControl = CtlDeviceControl;
        status = WdfIoQueueCreate(g_Control, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    }
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(g_Control);
        return status;
    }
    WdfControlFinishInitializing(g_Control);
    return STATUS_SUCCESS;
}

VOID CtlUnload(WDFDRIVER Driver)
{
    UNREFERENCED_PARAMETER(Driver);
    WdfObjectDelete(g_Control);
}

VOID CtlDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength,
                      ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(Queue);
    if (IoControlCode == IOCTL_CTL_ECHO) {
        PVOID in, out;
        NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, 1, &in, NULL);
        if (NT_SUCCESS(status)) {
            status = WdfRequestRetrieveOutputBuffer(Request, InputBufferLength, &out, NULL);
        }
        UNREFERENCED_PARAMETER(OutputBufferLength);
        WdfRequestCompleteWithInformation(Request, status, NT_SUCCESS(status) ? InputBufferLength : 0);
        return;
    }
    if (IoControlCode == IOCTL_CTL_LINK_AGAIN) {
        /* A second link is refused, and so is an empty name. */
        DECLARE_CONST_UNICODE_STRING(other, L"\\DosDevices\\KhCtlOther");
        UNICODE_STRING empty = {0, 0, NULL};
        NTSTATUS again = WdfDeviceCreateSymbolicLink(g_Control, &other);
        NTSTATUS none = WdfDeviceCreateSymbolicLink(g_Control, &empty);
        WdfRequestComplete(Request, again == STATUS_INVALID_DEVICE_REQUEST && none == STATUS_INVALID_DEVICE_REQUEST
                                        ? STATUS_SUCCESS
                                        : STATUS_UNSUCCESSFUL);
        return;
    }
    WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
}
