/*
 * fxfileobject.c - framework file objects (WDFFILEOBJECT), wdffileobject.h, and the
 * framework's handling of IRP_MJ_CREATE, IRP_MJ_CLEANUP and IRP_MJ_CLOSE, which create,
 * notify and delete them (EvtDeviceFileCreate, EvtFileCleanup, EvtFileClose).
 */
#include "wdf/fxp.h"

static void FxFileObjectDispose(FX_OBJECT *Object)
{
    FX_FILEOBJECT *file = (FX_FILEOBJECT *)Object;
    HosMutexLock(&file->Device->Lock);
    FxListRemove(&file->DeviceLink);
    HosMutexUnlock(&file->Device->Lock);
}

static const FX_OBJECT_OPS FxFileObjectOps = {FxFileObjectDispose, NULL};

FX_FILEOBJECT *FxFileObjectLookup(FX_DEVICE *Device, PFILE_OBJECT FileObject)
{
    FX_FILEOBJECT *found = NULL;
    if (FileObject == NULL) {
        return NULL;
    }
    HosMutexLock(&Device->Lock);
    for (FX_LINK *link = Device->Files.Next; link != &Device->Files; link = link->Next) {
        FX_FILEOBJECT *file = FX_CONTAINING(link, FX_FILEOBJECT, DeviceLink);
        if (file->FileObject == FileObject) {
            found = file;
            break;
        }
    }
    HosMutexUnlock(&Device->Lock);
    return found;
}

WDFAPI PUNICODE_STRING WdfFileObjectGetFileName(WDFFILEOBJECT FileObject)
{
    FX_FILEOBJECT *file = (FX_FILEOBJECT *)FxObjectFromHandle(FileObject, FxTypeFileObject,
                                                              "WdfFileObjectGetFileName");
    return file != NULL && file->FileObject != NULL ? &file->FileObject->FileName : NULL;
}

WDFAPI WDFDEVICE WdfFileObjectGetDevice(WDFFILEOBJECT FileObject)
{
    FX_FILEOBJECT *file =
        (FX_FILEOBJECT *)FxObjectFromHandle(FileObject, FxTypeFileObject, "WdfFileObjectGetDevice");
    return file != NULL ? (WDFDEVICE)file->Device : NULL;
}

/* WdfFileObjectGetFlags: the Flags of the WDM file object (FO_xxx); 0 without one. */
WDFAPI ULONG WdfFileObjectGetFlags(WDFFILEOBJECT FileObject)
{
    FX_FILEOBJECT *file =
        (FX_FILEOBJECT *)FxObjectFromHandle(FileObject, FxTypeFileObject, "WdfFileObjectGetFlags");
    return file != NULL && file->FileObject != NULL ? file->FileObject->Flags : 0;
}

WDFAPI PFILE_OBJECT WdfFileObjectWdmGetFileObject(WDFFILEOBJECT FileObject)
{
    FX_FILEOBJECT *file = (FX_FILEOBJECT *)FxObjectFromHandle(FileObject, FxTypeFileObject,
                                                              "WdfFileObjectWdmGetFileObject");
    return file != NULL ? file->FileObject : NULL;
}

/*
 * IRP_MJ_CREATE: a WDFFILEOBJECT for the file object; EvtDeviceFileCreate (if any)
 * receives the create request and completes it, otherwise the framework completes it
 * with STATUS_SUCCESS.
 */
NTSTATUS FxDispatchCreate(FX_DEVICE *Device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    HosMutexLock(&Device->Lock);
    FX_PNP_STATE state = Device->PnpState;
    HosMutexUnlock(&Device->Lock);
    if (state == FxPnpSurpriseRemoved || state == FxPnpRemoved) {
        FxCompleteIrp(Irp, STATUS_DELETE_PENDING, 0);
        return STATUS_DELETE_PENDING;
    }
    FX_OBJECT *object;
    NTSTATUS status =
        FxObjectAllocate(sizeof(FX_FILEOBJECT), FxTypeFileObject,
                         Device->HasFileObjectAttributes ? &Device->FileObjectAttributes : NULL,
                         Device->Object.Driver, &FxFileObjectOps, &object);
    if (!NT_SUCCESS(status)) {
        FxCompleteIrp(Irp, status, 0);
        return status;
    }
    FX_FILEOBJECT *file = (FX_FILEOBJECT *)object;
    file->Device = Device;
    file->FileObject = stack->FileObject;
    object->NoDriverDelete = true;
    object->ExecutionLevel = FxResolveExecutionLevel(NULL, &Device->Object);
    HosMutexLock(&Device->Lock);
    FxListInsertTail(&Device->Files, &file->DeviceLink);
    HosMutexUnlock(&Device->Lock);
    FxObjectInsert(object, &Device->Object);

    /* A queue configured for WdfRequestTypeCreate takes the create request before
       EvtDeviceFileCreate would: the driver completes it from EvtIoDefault; a failure
       status deletes the file object again (FxRequestFinish). */
    HosMutexLock(&Device->Lock);
    FX_QUEUE *createQueue = Device->Dispatch[IRP_MJ_CREATE];
    if (createQueue != NULL) {
        FxObjectReference(&createQueue->Object);
    }
    HosMutexUnlock(&Device->Lock);
    if (createQueue != NULL) {
        FX_REQUEST *request;
        status = FxRequestCreateForIrp(Device, Irp, &request);
        if (!NT_SUCCESS(status)) {
            FxObjectDereference(&createQueue->Object);
            FxObjectDelete(object);
            FxCompleteIrp(Irp, status, 0);
            return status;
        }
        request->IsCreate = true;
        IoMarkIrpPending(Irp);
        if (!FxQueueInsert(createQueue, request)) {
            FxRequestCompleteByFramework(request, STATUS_INVALID_DEVICE_STATE);
        }
        FxObjectDereference(&createQueue->Object);
        return STATUS_PENDING;
    }

    if (!Device->HasFileObjectConfig || Device->FileObjectConfig.EvtDeviceFileCreate == NULL) {
        if (Device->Filter && Device->Lower != NULL) {
            /* A filter without EvtDeviceFileCreate lets the lower drivers open the file. */
            return FxDeviceForwardIrp(Device, Irp);
        }
        FxCompleteIrp(Irp, STATUS_SUCCESS, 0);
        return STATUS_SUCCESS;
    }
    FX_REQUEST *request;
    status = FxRequestCreateForIrp(Device, Irp, &request);
    if (!NT_SUCCESS(status)) {
        FxObjectDelete(object);
        FxCompleteIrp(Irp, status, 0);
        return status;
    }
    request->IsCreate = true;
    request->DriverOwned = true;
    IoMarkIrpPending(Irp);
    /* "Using Automatic Synchronization": with device-level synchronization the file
       object's callbacks are serialized with the queues' callbacks under the device's
       synchronization lock (Device->Object.SyncLock exists only for that scope). */
    FX_CALLBACK_FRAME frame;
    FxCallbackEnter(&frame, Device->Object.Driver, Device->Object.SyncLock, "EvtDeviceFileCreate",
                    request);
    Device->FileObjectConfig.EvtDeviceFileCreate((WDFDEVICE)Device, (WDFREQUEST)request,
                                                 (WDFFILEOBJECT)file);
    FxCallbackLeave(&frame);
    return STATUS_PENDING;
}

void FxFileObjectCreateFailed(FX_FILEOBJECT *File)
{
    if (File != NULL) {
        FxObjectDelete(&File->Object);
    }
}

NTSTATUS FxDispatchCleanupClose(FX_DEVICE *Device, PIRP Irp, bool Close)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    FX_FILEOBJECT *file = FxFileObjectLookup(Device, stack->FileObject);
    if (file != NULL && Device->HasFileObjectConfig) {
        PFN_WDF_FILE_CLEANUP routine =
            Close ? Device->FileObjectConfig.EvtFileClose : Device->FileObjectConfig.EvtFileCleanup;
        if (routine != NULL) {
            FX_CALLBACK_FRAME frame;
            FxCallbackEnter(&frame, Device->Object.Driver, Device->Object.SyncLock,
                            Close ? "EvtFileClose" : "EvtFileCleanup", file);
            routine((WDFFILEOBJECT)file);
            FxCallbackLeave(&frame);
        }
    }
    if (file != NULL && Close) {
        FxObjectDelete(&file->Object);
    }
    if (Device->Filter && Device->Lower != NULL) {
        return FxDeviceForwardIrp(Device, Irp);
    }
    FxCompleteIrp(Irp, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
}
