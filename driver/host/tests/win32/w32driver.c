/*
 * w32driver.c - a small WDM function driver (no KMDF) for the Win32 surface tests that
 * need a dispatch routine to return in a particular way, which a KMDF driver cannot
 * choose: buffered I/O, one device interface (GUID_DEVINTERFACE_W32TEST) enabled at start.
 *
 *   IRP_MJ_WRITE   marks the IRP pending, completes it with STATUS_SUCCESS and the
 *                  write's length, then returns STATUS_PENDING: the IRP is complete
 *                  before the dispatch routine returns, and the caller was told "pending".
 *   IRP_MJ_READ    completes at once with STATUS_SUCCESS and fills the buffer with 0x5A.
 *   IOCTL_W32TEST_PEND_FAIL
 *                  as the write, but completes with STATUS_DEVICE_NOT_READY.
 *   other IOCTLs   STATUS_INVALID_DEVICE_REQUEST at once.
 */
#include <ntddk.h>
#include <initguid.h>

#include "w32driver.h"

typedef struct _W32TEST_EXTENSION {
    PDEVICE_OBJECT Lower;
    UNICODE_STRING Interface;
} W32TEST_EXTENSION, *PW32TEST_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE W32TestAddDevice;
static DRIVER_UNLOAD W32TestUnload;
static DRIVER_DISPATCH W32TestCreateClose;
static DRIVER_DISPATCH W32TestRead;
static DRIVER_DISPATCH W32TestWrite;
static DRIVER_DISPATCH W32TestControl;
static DRIVER_DISPATCH W32TestPnp;
static DRIVER_DISPATCH W32TestPower;
static IO_COMPLETION_ROUTINE W32TestSignal;

static NTSTATUS Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* Pending, then completed before the dispatch routine returns: legal WDM. */
static NTSTATUS PendAndComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    IoMarkIrpPending(Irp);
    Complete(Irp, Status, Information);
    return STATUS_PENDING;
}

static NTSTATUS W32TestCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return Complete(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS W32TestWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    return PendAndComplete(Irp, STATUS_SUCCESS, length);
}

static NTSTATUS W32TestRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    if (length != 0) {
        RtlFillMemory(Irp->AssociatedIrp.SystemBuffer, length, 0x5A);
    }
    return Complete(Irp, STATUS_SUCCESS, length);
}

static NTSTATUS W32TestControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_W32TEST_PEND_FAIL) {
        return PendAndComplete(Irp, STATUS_DEVICE_NOT_READY, 0);
    }
    return Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static NTSTATUS W32TestSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS ForwardAndWait(PW32TEST_EXTENSION Ext, PIRP Irp)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, W32TestSignal, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(Ext->Lower, Irp) == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    }
    return Irp->IoStatus.Status;
}

static NTSTATUS W32TestPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PW32TEST_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = ForwardAndWait(ext, Irp);
        if (NT_SUCCESS(status)) {
            status = IoSetDeviceInterfaceState(&ext->Interface, TRUE);
        }
        return Complete(Irp, status, 0);
    case IRP_MN_SURPRISE_REMOVAL:
        IoSetDeviceInterfaceState(&ext->Interface, FALSE);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_REMOVE_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE: {
        PDEVICE_OBJECT lower = ext->Lower;
        IoSetDeviceInterfaceState(&ext->Interface, FALSE);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoDetachDevice(lower);
        RtlFreeUnicodeString(&ext->Interface);
        IoDeleteDevice(DeviceObject);
        return status;
    }
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->Lower, Irp);
}

static NTSTATUS W32TestPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PW32TEST_EXTENSION ext = DeviceObject->DeviceExtension;
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->Lower, Irp);
}

static NTSTATUS W32TestAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT device;
    /* Named, so that a test can also open it by its device name (NtCreateFile). */
    UNICODE_STRING name = RTL_CONSTANT_STRING(W32TEST_DEVICE_NAME);
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(W32TEST_EXTENSION), &name,
                                     FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PW32TEST_EXTENSION ext = device->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    status = IoRegisterDeviceInterface(PhysicalDeviceObject, &GUID_DEVINTERFACE_W32TEST, NULL,
                                       &ext->Interface);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    ext->Lower = IoAttachDeviceToDeviceStack(device, PhysicalDeviceObject);
    if (ext->Lower == NULL) {
        RtlFreeUnicodeString(&ext->Interface);
        IoDeleteDevice(device);
        return STATUS_NO_SUCH_DEVICE;
    }
    device->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID W32TestUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = W32TestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = W32TestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = W32TestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = W32TestRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = W32TestWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = W32TestControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = W32TestPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = W32TestPower;
    DriverObject->DriverExtension->AddDevice = W32TestAddDevice;
    DriverObject->DriverUnload = W32TestUnload;
    return STATUS_SUCCESS;
}
