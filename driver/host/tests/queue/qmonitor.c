/*
 * qmonitor.c - a monitor driver in the manner of the toaster sample's toastmon: it
 * registers for the arrival and removal of the test driver's device interface
 * (IoRegisterPlugPlayNotification, existing interfaces included), opens each arriving
 * interface as a remote I/O target by name, with callbacks for its device's removal
 * (EvtIoTargetQueryRemove, EvtIoTargetRemoveCanceled, EvtIoTargetRemoveComplete), and
 * reports each step to the test program (qtest.h).
 */
#define INITGUID
#include <ntddk.h>
#include <wdf.h>
#include <wdmguid.h>

#include "qtest.h"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD QmEvtDeviceAdd;
EVT_WDF_OBJECT_CONTEXT_CLEANUP QmEvtDeviceCleanup;
EVT_WDF_IO_TARGET_QUERY_REMOVE QmEvtQueryRemove;
EVT_WDF_IO_TARGET_REMOVE_CANCELED QmEvtRemoveCanceled;
EVT_WDF_IO_TARGET_REMOVE_COMPLETE QmEvtRemoveComplete;
DRIVER_NOTIFICATION_CALLBACK_ROUTINE QmInterfaceChange;

#define Q_DEFINE_GUID(Name, ...) DEFINE_GUID(Name, __VA_ARGS__)
Q_DEFINE_GUID(GUID_QTEST_WATCHED, QTEST_GUID_DATA);

typedef struct _QM_DEVICE_CONTEXT {
    WDFDEVICE Device;
    WDFCOLLECTION Targets;
    WDFWAITLOCK TargetsLock;
    PVOID Notification;
} QM_DEVICE_CONTEXT, *PQM_DEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(QM_DEVICE_CONTEXT, QmDeviceContext)

typedef struct _QM_TARGET_CONTEXT {
    PQM_DEVICE_CONTEXT Owner;
} QM_TARGET_CONTEXT, *PQM_TARGET_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(QM_TARGET_CONTEXT, QmTargetContext)

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, QmEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

NTSTATUS QmEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, QM_DEVICE_CONTEXT);
    attributes.EvtCleanupCallback = QmEvtDeviceCleanup;
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PQM_DEVICE_CONTEXT context = QmDeviceContext(device);
    context->Device = device;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfCollectionCreate(&attributes, &context->Targets);
    if (NT_SUCCESS(status)) {
        status = WdfWaitLockCreate(&attributes, &context->TargetsLock);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* Existing interfaces arrive first, possibly before the device starts. */
    return IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange,
                                          PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES,
                                          (PVOID)&GUID_QTEST_WATCHED, WdfDriverWdmGetDriverObject(Driver),
                                          QmInterfaceChange, context, &context->Notification);
}

VOID QmEvtDeviceCleanup(WDFOBJECT Device)
{
    PQM_DEVICE_CONTEXT context = QmDeviceContext(Device);
    if (context->Notification != NULL) {
        IoUnregisterPlugPlayNotificationEx(context->Notification);
        context->Notification = NULL;
    }
}

static BOOLEAN QmIsWatchedHardware(WDFIOTARGET Target)
{
    static const char expected[] = "root\\QTEST";
    WDFMEMORY memory;
    if (!NT_SUCCESS(WdfIoTargetAllocAndQueryTargetProperty(Target, DevicePropertyHardwareID, NonPagedPoolNx,
                                                           WDF_NO_OBJECT_ATTRIBUTES, &memory))) {
        return FALSE;
    }
    size_t size = 0;
    PWCHAR ids = WdfMemoryGetBuffer(memory, &size);
    BOOLEAN same = size >= sizeof(expected) * sizeof(WCHAR);
    for (size_t i = 0; same && i < sizeof(expected); i++) {
        same = ids[i] == (WCHAR)expected[i];
    }
    WdfObjectDelete(memory);
    return same;
}

static NTSTATUS QmOpenTarget(PQM_DEVICE_CONTEXT Context, PUNICODE_STRING SymbolicLink)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, QM_TARGET_CONTEXT);
    WDFIOTARGET target;
    NTSTATUS status = WdfIoTargetCreate(Context->Device, &attributes, &target);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    QmTargetContext(target)->Owner = Context;
    WDF_IO_TARGET_OPEN_PARAMS openParams;
    WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(&openParams, SymbolicLink, STANDARD_RIGHTS_ALL);
    openParams.ShareAccess = FILE_SHARE_WRITE | FILE_SHARE_READ;
    openParams.EvtIoTargetQueryRemove = QmEvtQueryRemove;
    openParams.EvtIoTargetRemoveCanceled = QmEvtRemoveCanceled;
    openParams.EvtIoTargetRemoveComplete = QmEvtRemoveComplete;
    status = WdfIoTargetOpen(target, &openParams);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(target);
        return status;
    }
    BOOLEAN watched = QmIsWatchedHardware(target);
    WdfWaitLockAcquire(Context->TargetsLock, NULL);
    status = WdfCollectionAdd(Context->Targets, target);
    WdfWaitLockRelease(Context->TargetsLock);
    if (!NT_SUCCESS(status)) {
        WdfObjectDelete(target);
        return status;
    }
    QMonitorEvent("arrival", watched ? 1 : 0);
    return STATUS_SUCCESS;
}

NTSTATUS QmInterfaceChange(PVOID NotificationStructure, PVOID Context)
{
    PDEVICE_INTERFACE_CHANGE_NOTIFICATION notification = NotificationStructure;
    if (IsEqualGUID(&notification->Event, &GUID_DEVICE_INTERFACE_ARRIVAL)) {
        NTSTATUS status = QmOpenTarget(Context, notification->SymbolicLinkName);
        if (!NT_SUCCESS(status)) {
            QMonitorEvent("arrival-failed", status);
        }
    } else if (IsEqualGUID(&notification->Event, &GUID_DEVICE_INTERFACE_REMOVAL)) {
        QMonitorEvent("removal", 1);
    }
    return STATUS_SUCCESS;
}

NTSTATUS QmEvtQueryRemove(WDFIOTARGET IoTarget)
{
    QMonitorEvent("query-remove", 1);
    if (QMonitorVeto()) {
        return STATUS_UNSUCCESSFUL;
    }
    WdfIoTargetCloseForQueryRemove(IoTarget);
    return STATUS_SUCCESS;
}

VOID QmEvtRemoveCanceled(WDFIOTARGET IoTarget)
{
    WDF_IO_TARGET_OPEN_PARAMS openParams;
    WDF_IO_TARGET_OPEN_PARAMS_INIT_REOPEN(&openParams);
    NTSTATUS status = WdfIoTargetOpen(IoTarget, &openParams);
    QMonitorEvent("remove-cancelled", status);
}

VOID QmEvtRemoveComplete(WDFIOTARGET IoTarget)
{
    PQM_DEVICE_CONTEXT owner = QmTargetContext(IoTarget)->Owner;
    WdfWaitLockAcquire(owner->TargetsLock, NULL);
    WdfCollectionRemove(owner->Targets, IoTarget);
    WdfWaitLockRelease(owner->TargetsLock);
    WdfObjectDelete(IoTarget);
    QMonitorEvent("remove-complete", 1);
}
