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
 * PnP and power are the shared skeleton's (tests/common/wdmskel.c).
 */
#include <ntddk.h>
#include <initguid.h>

#include "w32driver.h"
#include "wdmskel.h"

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE W32TestAddDevice;
static DRIVER_UNLOAD W32TestUnload;
static DRIVER_DISPATCH W32TestCreateClose;
static DRIVER_DISPATCH W32TestRead;
static DRIVER_DISPATCH W32TestWrite;
static DRIVER_DISPATCH W32TestControl;

/* Pending, then completed before the dispatch routine returns: legal WDM. */
static NTSTATUS PendAndComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    IoMarkIrpPending(Irp);
    WdmSkelComplete(Irp, Status, Information);
    return STATUS_PENDING;
}

static NTSTATUS W32TestCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return WdmSkelComplete(Irp, STATUS_SUCCESS, 0);
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
    return WdmSkelComplete(Irp, STATUS_SUCCESS, length);
}

static NTSTATUS W32TestControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_W32TEST_PEND_FAIL) {
        return PendAndComplete(Irp, STATUS_DEVICE_NOT_READY, 0);
    }
    return WdmSkelComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

static NTSTATUS W32TestAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT device;
    /* Named, so that a test can also open it by its device name (NtCreateFile). */
    UNICODE_STRING name = RTL_CONSTANT_STRING(W32TEST_DEVICE_NAME);
    return WdmSkelAddDevice(DriverObject, PhysicalDeviceObject, sizeof(WDMSKEL_DEVICE), &name,
                            &GUID_DEVINTERFACE_W32TEST, &device);
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
    DriverObject->MajorFunction[IRP_MJ_PNP] = WdmSkelPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = WdmSkelPower;
    DriverObject->DriverExtension->AddDevice = W32TestAddDevice;
    DriverObject->DriverUnload = W32TestUnload;
    return STATUS_SUCCESS;
}
