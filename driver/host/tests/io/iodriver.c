/*
 * iodriver.c - a small WDM function driver for the I/O manager tests (no KMDF).
 *
 * DriverEntry fills the dispatch table and AddDevice directly. The device uses
 * buffered I/O and registers one interface, enabled at start and disabled at surprise
 * removal and removal. Writes store their data; reads return it, or, in "park" mode,
 * are held cancelable (IoSetCancelRoutine) until IOCTL_IOTEST_RELEASE completes them
 * with the stored data; in "hold" mode (Park == 2) they are held without a cancel
 * routine, so that only the release completes them. Create, cleanup and close are counted in a shared block the
 * test reads through IoTestCounters. Cleanup completes the file's parked reads. PnP and
 * power are the shared skeleton's (tests/common/wdmskel.c), with hooks that count starts,
 * surprise removals and removes, record the device power state, and wait at removal
 * for the remove lock.
 */
#include <ntddk.h>
#include <initguid.h>

#include "iotest.h"
#include "wdmskel.h"

typedef struct _IOTEST_EXTENSION {
    WDMSKEL_DEVICE Skel; /* first: the skeleton's part (Self, Lower, Interface) */
    IO_REMOVE_LOCK RemoveLock;
    KSPIN_LOCK Lock; /* guards Parked, Data, Length */
    LIST_ENTRY Parked;
    UCHAR Data[IOTEST_MAX_DATA];
    ULONG Length;
} IOTEST_EXTENSION, *PIOTEST_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE IoTestAddDevice;
static DRIVER_UNLOAD IoTestUnload;
static DRIVER_DISPATCH IoTestCreateClose;
static DRIVER_DISPATCH IoTestCleanup;
static DRIVER_DISPATCH IoTestRead;
static DRIVER_DISPATCH IoTestWrite;
static DRIVER_DISPATCH IoTestControl;
static DRIVER_CANCEL IoTestCancel;

static IOTEST_COUNTERS g_Counters;

__attribute__((visibility("default"))) PIOTEST_COUNTERS IoTestCounters(void) { return &g_Counters; }

static NTSTATUS IoTestCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->MajorFunction == IRP_MJ_CREATE) {
        InterlockedIncrement(&g_Counters.Creates);
        if (stack->FileObject->FileName.Length != 0) {
            InterlockedIncrement(&g_Counters.CreatesWithName);
        }
    } else {
        InterlockedIncrement(&g_Counters.Closes);
    }
    return WdmSkelComplete(Irp, STATUS_SUCCESS, 0);
}

/* Parked IRP: cancel routine unlinks it (under the driver's lock) and completes it. */
static VOID IoTestCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIOTEST_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL irql;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->Lock, irql);
    InterlockedIncrement(&g_Counters.Cancelled);
    WdmSkelComplete(Irp, STATUS_CANCELLED, 0);
}

/* Takes a parked IRP out of the list unless its cancel routine already owns it. */
static PIRP TakeParked(PIOTEST_EXTENSION Ext, PFILE_OBJECT FileObject)
{
    for (PLIST_ENTRY e = Ext->Parked.Flink; e != &Ext->Parked; e = e->Flink) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (FileObject != NULL && IoGetCurrentIrpStackLocation(irp)->FileObject != FileObject) {
            continue;
        }
        if (irp->Tail.Overlay.DriverContext[0] == (PVOID)1) {
            if (FileObject != NULL) {
                continue; /* held: only the release completes it */
            }
        } else if (IoSetCancelRoutine(irp, NULL) == NULL) {
            continue; /* being cancelled: the cancel routine completes it */
        }
        RemoveEntryList(e);
        return irp;
    }
    return NULL;
}

static NTSTATUS IoTestCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIOTEST_EXTENSION ext = DeviceObject->DeviceExtension;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    InterlockedIncrement(&g_Counters.Cleanups);
    for (;;) {
        KIRQL irql;
        KeAcquireSpinLock(&ext->Lock, &irql);
        PIRP parked = TakeParked(ext, file);
        KeReleaseSpinLock(&ext->Lock, irql);
        if (parked == NULL) {
            break;
        }
        WdmSkelComplete(parked, STATUS_CANCELLED, 0);
    }
    return WdmSkelComplete(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS IoTestWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIOTEST_EXTENSION ext = DeviceObject->DeviceExtension;
    ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Write.Length;
    KIRQL irql;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        return WdmSkelComplete(Irp, status, 0);
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    if (length > IOTEST_MAX_DATA) {
        return WdmSkelComplete(Irp, STATUS_BUFFER_OVERFLOW, 0);
    }
    KeAcquireSpinLock(&ext->Lock, &irql);
    RtlCopyMemory(ext->Data, Irp->AssociatedIrp.SystemBuffer, length);
    ext->Length = length;
    KeReleaseSpinLock(&ext->Lock, irql);
    return WdmSkelComplete(Irp, STATUS_SUCCESS, length);
}

static ULONG CopyStored(PIOTEST_EXTENSION Ext, PIRP Irp)
{
    ULONG length = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    ULONG n = min(length, Ext->Length);
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, Ext->Data, n);
    return n;
}

static NTSTATUS IoTestRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIOTEST_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    LONG park = InterlockedOr(&g_Counters.Park, 0);
    if (park == 0) {
        ULONG n = CopyStored(ext, Irp);
        KeReleaseSpinLock(&ext->Lock, irql);
        return WdmSkelComplete(Irp, STATUS_SUCCESS, n);
    }
    IoMarkIrpPending(Irp);
    InsertTailList(&ext->Parked, &Irp->Tail.Overlay.ListEntry);
    if (park == 2) {
        Irp->Tail.Overlay.DriverContext[0] = (PVOID)1;
        KeReleaseSpinLock(&ext->Lock, irql);
        return STATUS_PENDING;
    }
    Irp->Tail.Overlay.DriverContext[0] = NULL;
    /*
     * Irp->Cancel is written under the cancel spin lock: checking it and setting the
     * cancel routine under that lock leaves no window for a cancellation to be missed.
     */
    KIRQL cancelIrql;
    IoAcquireCancelSpinLock(&cancelIrql);
    BOOLEAN cancelled = Irp->Cancel;
    if (!cancelled) {
        IoSetCancelRoutine(Irp, IoTestCancel);
    }
    IoReleaseCancelSpinLock(cancelIrql);
    if (cancelled) {
        /* Cancelled before it could be made cancelable: complete it here. */
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        KeReleaseSpinLock(&ext->Lock, irql);
        InterlockedIncrement(&g_Counters.Cancelled);
        WdmSkelComplete(Irp, STATUS_CANCELLED, 0);
        return STATUS_PENDING;
    }
    KeReleaseSpinLock(&ext->Lock, irql);
    return STATUS_PENDING;
}

static NTSTATUS IoTestControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIOTEST_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_IOTEST_ECHO: {
        /* METHOD_BUFFERED: input and output share the system buffer; reverse the bytes. */
        ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
        ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
        PUCHAR data = Irp->AssociatedIrp.SystemBuffer;
        ULONG n = min(in, out);
        for (ULONG i = 0; i < n / 2; i++) {
            UCHAR t = data[i];
            data[i] = data[n - 1 - i];
            data[n - 1 - i] = t;
        }
        return WdmSkelComplete(Irp, STATUS_SUCCESS, n);
    }
    case IOCTL_IOTEST_FILL: {
        /* METHOD_OUT_DIRECT: fill the caller's buffer through the MDL. */
        PUCHAR out = Irp->MdlAddress != NULL ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority) : NULL;
        if (out == NULL) {
            return WdmSkelComplete(Irp, STATUS_INVALID_PARAMETER, 0);
        }
        ULONG n = MmGetMdlByteCount(Irp->MdlAddress);
        for (ULONG i = 0; i < n; i++) {
            out[i] = (UCHAR)(i * 3);
        }
        return WdmSkelComplete(Irp, STATUS_SUCCESS, n);
    }
    case IOCTL_IOTEST_SELF: {
        /* A request of our own to our device, built and waited for the WDM way. */
        ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
        ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
        UCHAR local[64];
        IO_STATUS_BLOCK iosb;
        KEVENT event;
        if (in > sizeof(local) || out > sizeof(local)) {
            return WdmSkelComplete(Irp, STATUS_INVALID_PARAMETER, 0);
        }
        RtlCopyMemory(local, Irp->AssociatedIrp.SystemBuffer, in);
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        PIRP inner = IoBuildDeviceIoControlRequest(IOCTL_IOTEST_ECHO, ext->Skel.Self, local, in, local, out, FALSE, &event,
                                                   &iosb);
        if (inner == NULL) {
            return WdmSkelComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        }
        if (IoCallDriver(ext->Skel.Self, inner) == STATUS_PENDING) {
            KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        }
        if (!NT_SUCCESS(iosb.Status)) {
            return WdmSkelComplete(Irp, iosb.Status, 0);
        }
        ULONG n = (ULONG)iosb.Information;
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        inner = IoBuildSynchronousFsdRequest(IRP_MJ_WRITE, ext->Skel.Self, local, n, NULL, &event, &iosb);
        if (inner == NULL) {
            return WdmSkelComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        }
        if (IoCallDriver(ext->Skel.Self, inner) == STATUS_PENDING) {
            KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        }
        RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, local, n);
        return WdmSkelComplete(Irp, iosb.Status, NT_SUCCESS(iosb.Status) ? n : 0);
    }
    case IOCTL_IOTEST_RELEASE: {
        ULONG released = 0;
        for (;;) {
            KIRQL irql;
            KeAcquireSpinLock(&ext->Lock, &irql);
            PIRP parked = TakeParked(ext, NULL);
            ULONG n = parked != NULL ? CopyStored(ext, parked) : 0;
            KeReleaseSpinLock(&ext->Lock, irql);
            if (parked == NULL) {
                break;
            }
            WdmSkelComplete(parked, STATUS_SUCCESS, n);
            released++;
        }
        return WdmSkelComplete(Irp, STATUS_SUCCESS, released);
    }
    default:
        return WdmSkelComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static VOID IoTestStarted(PWDMSKEL_DEVICE Device, NTSTATUS Status)
{
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(Status);
    InterlockedIncrement(&g_Counters.Starts);
}

static VOID IoTestSurpriseRemoved(PWDMSKEL_DEVICE Device)
{
    UNREFERENCED_PARAMETER(Device);
    InterlockedIncrement(&g_Counters.SurpriseRemovals);
}

/* Removal waits until no I/O holds the remove lock any more. */
static VOID IoTestRemoving(PWDMSKEL_DEVICE Device)
{
    PIOTEST_EXTENSION ext = CONTAINING_RECORD(Device, IOTEST_EXTENSION, Skel);
    InterlockedIncrement(&g_Counters.Removes);
    IoAcquireRemoveLock(&ext->RemoveLock, ext);
    IoReleaseRemoveLockAndWait(&ext->RemoveLock, ext);
}

static VOID IoTestDevicePowerSet(PWDMSKEL_DEVICE Device, DEVICE_POWER_STATE State)
{
    UNREFERENCED_PARAMETER(Device);
    InterlockedExchange(&g_Counters.PowerState, (LONG)State);
}

static NTSTATUS IoTestAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT device;
    NTSTATUS status = WdmSkelAddDevice(DriverObject, PhysicalDeviceObject, sizeof(IOTEST_EXTENSION), NULL,
                                       &GUID_DEVINTERFACE_IOTEST, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PIOTEST_EXTENSION ext = device->DeviceExtension;
    IoInitializeRemoveLock(&ext->RemoveLock, 'mRoI', 0, 0);
    KeInitializeSpinLock(&ext->Lock);
    InitializeListHead(&ext->Parked);
    return STATUS_SUCCESS;
}

static VOID IoTestUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    InterlockedIncrement(&g_Counters.Unloads);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    RtlZeroMemory(&g_Counters, sizeof(g_Counters));
    DriverObject->MajorFunction[IRP_MJ_CREATE] = IoTestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = IoTestCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = IoTestCleanup;
    DriverObject->MajorFunction[IRP_MJ_READ] = IoTestRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = IoTestWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = IoTestControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = WdmSkelPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = WdmSkelPower;
    WdmSkelHooks.Started = IoTestStarted;
    WdmSkelHooks.SurpriseRemoved = IoTestSurpriseRemoved;
    WdmSkelHooks.Removing = IoTestRemoving;
    WdmSkelHooks.DevicePowerSet = IoTestDevicePowerSet;
    DriverObject->DriverExtension->AddDevice = IoTestAddDevice;
    DriverObject->DriverUnload = IoTestUnload;
    return STATUS_SUCCESS;
}
