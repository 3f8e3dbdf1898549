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

/*
 * The documented failures of device security strings, checked before the driver creates
 * its device: a string outside the subset IoCreateDeviceSecure accepts ("SDDL for Device
 * Objects") fails WdfDeviceCreate with STATUS_INVALID_PARAMETER, whether it came with
 * WdfControlDeviceInitAllocate or WdfDeviceInitAssignSDDLString, and a control device's
 * string cannot be removed (STATUS_INVALID_DEVICE_REQUEST). A mismatch fails DriverEntry
 * with the status seen.
 */
static NTSTATUS CtlCreateWithSddl(WDFDRIVER Driver, PCWSTR Sddl, BOOLEAN Assign)
{
    UNICODE_STRING text;
    RtlInitUnicodeString(&text, Sddl);
    DECLARE_CONST_UNICODE_STRING(valid, L"D:P(A;;GA;;;SY)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(Driver, Assign ? &valid : &text);
    if (init == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = Assign ? WdfDeviceInitAssignSDDLString(init, &text) : STATUS_SUCCESS;
    if (NT_SUCCESS(status)) {
        WDFDEVICE device;
        status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &device);
        if (NT_SUCCESS(status)) {
            WdfObjectDelete(device);
        }
    }
    if (init != NULL) {
        WdfDeviceInitFree(init);
    }
    return status;
}

static NTSTATUS CtlCheckSddl(WDFDRIVER Driver)
{
    static const PCWSTR malformed[] = {
        L"",                          /* no DACL */
        L"D:P(A;;GA;;;SY",            /* unterminated ACE */
        L"O:BAD:P(A;;GA;;;SY)",       /* an owner: outside the subset */
        L"D:(A;;GA;;;SY)",            /* not protected ("D:P") */
        L"D:P(D;;GA;;;SY)",           /* a deny ACE */
        L"D:P(A;;ZZ;;;SY)",           /* an unknown access code */
        L"D:P(A;;0xg;;;SY)",          /* a bad hexadecimal mask */
        L"D:P(A;;GA;;;XX)",           /* an unknown SID alias */
        L"D:P(A;;GA;;;S-1-)",         /* a truncated string SID */
        L"D:P(A;;GA;;;SY)junk",       /* trailing text */
    };
    for (ULONG i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        for (int assign = 0; assign < 2; assign++) {
            NTSTATUS status = CtlCreateWithSddl(Driver, malformed[i], (BOOLEAN)assign);
            if (status != STATUS_INVALID_PARAMETER) {
                DbgPrint("ctl_driver: SDDL string %lu (%s) gave 0x%08x, expected STATUS_INVALID_PARAMETER\n", i,
                         assign ? "assigned" : "allocated", (unsigned)status);
                return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
            }
        }
    }
    NTSTATUS status = CtlCreateWithSddl(Driver, L"D:P", TRUE); /* SDDL_DEVOBJ_KERNEL_ONLY */
    if (!NT_SUCCESS(status)) {
        DbgPrint("ctl_driver: D:P gave 0x%08x\n", (unsigned)status);
        return status;
    }
    DECLARE_CONST_UNICODE_STRING(valid, L"D:P(A;;GA;;;SY)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(Driver, &valid);
    if (init == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = WdfDeviceInitAssignSDDLString(init, NULL);
    WdfDeviceInitFree(init);
    if (status != STATUS_INVALID_DEVICE_REQUEST) {
        DbgPrint("ctl_driver: removing a control device's SDDL gave 0x%08x\n", (unsigned)status);
        return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
    }
    return STATUS_SUCCESS;
}

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
    status = CtlCheckSddl(driver);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* Everyone may read and write; the host makes no access checks. */
    DECLARE_CONST_UNICODE_STRING(sddl, L"D:P(A;;GA;;;SY)(A;;GRGW;;;WD)");
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(driver, &sddl);
    if (init == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* Replaced before creation: a hexadecimal access mask and a string SID are part of
       the subset IoCreateDeviceSecure accepts. */
    DECLARE_CONST_UNICODE_STRING(sddl2, L"D:P(A;;0x1f01ff;;;S-1-5-18)(A;;GRGWGX;;;BA)(A;;GRGW;;;WD)");
    DECLARE_CONST_UNICODE_STRING(name, CTL_DEVICE_NAME);
    status = WdfDeviceInitAssignSDDLString(init, &sddl2);
    if (NT_SUCCESS(status)) {
        status = WdfDeviceInitAssignName(init, &name);
    }
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
