/*
 * wdmskel.c - the PnP and power skeleton of the WDM test drivers (see wdmskel.h).
 */
#include "wdmskel.h"

WDMSKEL_HOOKS WdmSkelHooks;

static IO_COMPLETION_ROUTINE WdmSkelSignal;

NTSTATUS WdmSkelComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS WdmSkelSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    /* The IRP stays the dispatch routine's, which completes it after the wait. */
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* The classic start-device pattern: the lower drivers start first. */
NTSTATUS WdmSkelForwardAndWait(PWDMSKEL_DEVICE Device, PIRP Irp)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, WdmSkelSignal, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(Device->Lower, Irp) == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    }
    return Irp->IoStatus.Status;
}

NTSTATUS WdmSkelPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWDMSKEL_DEVICE dev = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = WdmSkelForwardAndWait(dev, Irp);
        if (NT_SUCCESS(status)) {
            status = IoSetDeviceInterfaceState(&dev->Interface, TRUE);
        }
        if (WdmSkelHooks.Started != NULL) {
            WdmSkelHooks.Started(dev, status);
        }
        return WdmSkelComplete(Irp, status, 0);
    case IRP_MN_SURPRISE_REMOVAL:
        if (WdmSkelHooks.SurpriseRemoved != NULL) {
            WdmSkelHooks.SurpriseRemoved(dev);
        }
        IoSetDeviceInterfaceState(&dev->Interface, FALSE);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_REMOVE_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE: {
        PDEVICE_OBJECT lower = dev->Lower;
        if (WdmSkelHooks.Removing != NULL) {
            WdmSkelHooks.Removing(dev);
        }
        IoSetDeviceInterfaceState(&dev->Interface, FALSE);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoDetachDevice(lower);
        RtlFreeUnicodeString(&dev->Interface);
        IoDeleteDevice(DeviceObject);
        return status;
    }
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(dev->Lower, Irp);
}

NTSTATUS WdmSkelPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PWDMSKEL_DEVICE dev = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (WdmSkelHooks.DevicePowerSet != NULL && stack->MinorFunction == IRP_MN_SET_POWER &&
        stack->Parameters.Power.Type == DevicePowerState) {
        WdmSkelHooks.DevicePowerSet(dev, stack->Parameters.Power.State.DeviceState);
    }
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(dev->Lower, Irp);
}

NTSTATUS WdmSkelAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject, ULONG ExtensionSize,
                          PUNICODE_STRING Name, const GUID *InterfaceGuid, PDEVICE_OBJECT *Device)
{
    PDEVICE_OBJECT device;
    NTSTATUS status = IoCreateDevice(DriverObject, ExtensionSize, Name, FILE_DEVICE_UNKNOWN,
                                     FILE_DEVICE_SECURE_OPEN, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PWDMSKEL_DEVICE dev = device->DeviceExtension;
    RtlZeroMemory(dev, ExtensionSize);
    dev->Self = device;
    status = IoRegisterDeviceInterface(PhysicalDeviceObject, InterfaceGuid, NULL, &dev->Interface);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(device);
        return status;
    }
    dev->Lower = IoAttachDeviceToDeviceStack(device, PhysicalDeviceObject);
    if (dev->Lower == NULL) {
        RtlFreeUnicodeString(&dev->Interface);
        IoDeleteDevice(device);
        return STATUS_NO_SUCH_DEVICE;
    }
    device->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    *Device = device;
    return STATUS_SUCCESS;
}
