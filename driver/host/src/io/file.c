/*
 * file.c - file objects and the I/O entry points of kmdfhost.h: create, submit (read,
 * write, device control), cancel, cleanup and close.
 *
 * Life of a file object, as on Windows: IRP_MJ_CREATE when it is opened;
 * IRP_MJ_CLEANUP when its handle is closed (after the I/O manager cancelled the file's
 * outstanding IRPs); IRP_MJ_CLOSE when its last reference goes, that is once the handle
 * is closed and every outstanding IRP has completed. Each outstanding IRP holds a
 * reference on the file, and the IRP itself stays allocated while a canceller looks at
 * it, so cancellation may race completion freely.
 *
 * Buffers follow the device's I/O method: DO_BUFFERED_IO (or METHOD_BUFFERED) gives the
 * driver Irp->AssociatedIrp.SystemBuffer, a host copy (not driver pool) that is copied
 * out at completion unless the status is an error (NT_ERROR); DO_DIRECT_IO (or
 * METHOD_IN/OUT_DIRECT for the output buffer) gives an MDL describing the caller's
 * buffer; neither gives Irp->UserBuffer (and Type3InputBuffer).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/methods-for-accessing-data-buffers
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/completing-irps
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "io/iop.h"

/* ------------------------------------------------------------------ references and close */

static void KhFileClose(KH_FILE *File);

static void KhFileCloseWork(void *Context) { KhFileClose(Context); }

void KhFileReference(PFILE_OBJECT FileObject)
{
    KH_FILE *file = CONTAINING_RECORD(FileObject, KH_FILE, FileObject);
    __atomic_add_fetch(&file->References, 1, __ATOMIC_SEQ_CST);
}

/* The last reference sends IRP_MJ_CLOSE, from the worker thread when not at PASSIVE_LEVEL. */
static void KhFileRelease(KH_FILE *File, bool Defer)
{
    if (__atomic_sub_fetch(&File->References, 1, __ATOMIC_SEQ_CST) != 0) {
        return;
    }
    if ((Defer || KeGetCurrentIrql() != PASSIVE_LEVEL) && HosQueueWork(KhFileCloseWork, File)) {
        return;
    }
    KhFileClose(File);
}

void KhFileDereference(PFILE_OBJECT FileObject) { KhFileRelease(CONTAINING_RECORD(FileObject, KH_FILE, FileObject), true); }

/*
 * Starts a dispatch for the file's device: fails with STATUS_DELETE_PENDING when the
 * device is being removed or gone (the driver would fail it with its remove lock).
 */
static NTSTATUS KhBeginDispatch(KH_FILE *File)
{
    NTSTATUS status = STATUS_SUCCESS;
    HosMutexLock(&KhIoLock);
    if ((File->Node != NULL && File->Node->Removing) || File->Device->DeviceObjectExtension->Deleted) {
        status = STATUS_DELETE_PENDING;
    } else if (File->Node != NULL) {
        File->Node->ActiveDispatches++;
    }
    HosMutexUnlock(&KhIoLock);
    return status;
}

static void KhEndDispatch(KH_FILE *File)
{
    if (File->Node == NULL) {
        return;
    }
    HosMutexLock(&KhIoLock);
    if (--File->Node->ActiveDispatches == 0) {
        HosCondBroadcast(&KhIoCond);
    }
    HosMutexUnlock(&KhIoLock);
}

static void KhFileFree(KH_FILE *File)
{
    if (File->Node != NULL) {
        HosMutexLock(&KhIoLock);
        File->Node->OpenFiles--;
        HosMutexUnlock(&KhIoLock);
        KhNodeDereference(File->Node);
    }
    KhDeviceDereference(File->Device);
    KhFreeHostUnicodeString(&File->FileObject.FileName);
    free(File);
}

static void KhFileClose(KH_FILE *File)
{
    if (NT_SUCCESS(KhBeginDispatch(File))) {
        KhIoSendSynchronous(File->Device, IRP_MJ_CLOSE, 0, &File->FileObject, NULL, NULL, NULL);
        KhEndDispatch(File);
    }
    KhFileFree(File);
}

/* ------------------------------------------------------------------ create */

static void KhFillCreate(PIO_STACK_LOCATION Stack, void *Context)
{
    Stack->Parameters.Create.SecurityContext = Context;
    Stack->Parameters.Create.Options = (FILE_OPEN << 24) | FILE_NON_DIRECTORY_FILE;
    Stack->Parameters.Create.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    Stack->Parameters.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE;
    Stack->Parameters.Create.EaLength = 0;
}

/*
 * Opens the device behind an interface (or other symbolic link) path. A path that
 * names a device that is being or has been removed gives STATUS_NO_SUCH_DEVICE, as the
 * I/O manager answers an open of a device object marked for deletion; a disabled or
 * unknown interface STATUS_OBJECT_NAME_NOT_FOUND.
 */
/* Under KhIoLock: a device being or already removed (an open gives STATUS_NO_SUCH_DEVICE). */
static bool KhDeviceGoneLocked(PDEVICE_OBJECT Device)
{
    struct _KH_DEVNODE *node = Device->DeviceObjectExtension->Devnode;
    return Device->DeviceObjectExtension->Deleted ||
           (node != NULL && (node->Removing || node->State == KhNodeSurpriseRemoved || node->State == KhNodeRemoved));
}

/* Under KhIoLock: takes the references an open of Device holds (or says why it fails). */
static NTSTATUS KhOpenDeviceLocked(PDEVICE_OBJECT Device, KH_FILE *File)
{
    struct _KH_DEVNODE *node = Device->DeviceObjectExtension->Devnode;
    if (KhDeviceGoneLocked(Device)) {
        return STATUS_NO_SUCH_DEVICE;
    }
    File->Device = Device;
    KhDeviceReference(File->Device);
    File->Node = node;
    if (node != NULL) {
        node->References++;
        node->OpenFiles++;
    }
    return STATUS_SUCCESS;
}

static KH_STATUS KhCreateFileOpened(KH_FILE *file, const char *remainder, KH_FILE **File);

KMDFHOST_API KH_STATUS KmdfHostCreateFile(const char *Path, KH_FILE **File)
{
    if (Path == NULL || File == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    KH_FILE *file = calloc(1, sizeof(*file));
    if (file == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    const char *remainder = "";
    NTSTATUS status = STATUS_SUCCESS;
    HosMutexLock(&KhIoLock);
    KH_LINK *link = KhIoResolvePathLocked(Path, &remainder);
    if (link == NULL) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (KhDeviceGoneLocked(link->Target)) {
        status = STATUS_NO_SUCH_DEVICE;
    } else if (!link->Enabled) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        status = KhOpenDeviceLocked(link->Target, file);
    }
    HosMutexUnlock(&KhIoLock);
    if (!NT_SUCCESS(status)) {
        free(file);
        return status;
    }
    return KhCreateFileOpened(file, remainder, File);
}

/*
 * IoGetDeviceObjectPointer: opens the named device (a device name such as \Device\X, or a
 * symbolic link \??\X, \DosDevices\X), closes the handle (IRP_MJ_CLEANUP) and returns the
 * file object, referenced, and the top device object of its stack. Dereferencing the
 * file object sends IRP_MJ_CLOSE.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceobjectpointer
 */
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                                    PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject)
{
    (void)DesiredAccess;
    if (ObjectName == NULL || FileObject == NULL || DeviceObject == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    char *name = KhUnicodeStringToUtf8(ObjectName);
    KH_FILE *file = calloc(1, sizeof(*file));
    if (name == NULL || file == NULL) {
        free(name);
        free(file);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    static const char *const linkPrefixes[] = {"\\DosDevices\\Global\\", "\\DosDevices\\", "\\GLOBAL??\\", "\\??\\"};
    const char *remainder = "";
    NTSTATUS status = STATUS_OBJECT_NAME_NOT_FOUND;
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT device = KhIoFindNamedDeviceLocked(name);
    for (size_t i = 0; device == NULL && i < sizeof(linkPrefixes) / sizeof(linkPrefixes[0]); i++) {
        size_t n = strlen(linkPrefixes[i]);
        if (strncasecmp(name, linkPrefixes[i], n) == 0) {
            char path[1024];
            snprintf(path, sizeof(path), "\\??\\%s", name + n);
            KH_LINK *link = KhIoResolvePathLocked(path, &remainder);
            if (link != NULL && link->Enabled) {
                device = link->Target;
                remainder = name + n + (remainder - (path + 4));
            }
        }
    }
    if (device != NULL) {
        status = KhOpenDeviceLocked(device, file);
    }
    HosMutexUnlock(&KhIoLock);
    if (!NT_SUCCESS(status)) {
        free(name);
        free(file);
        return status;
    }
    KH_FILE *opened;
    status = KhCreateFileOpened(file, remainder, &opened);
    free(name);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* The handle closes at once; its reference becomes the caller's. */
    (void)KmdfHostCleanupFile(opened);
    *FileObject = &opened->FileObject;
    *DeviceObject = IoGetAttachedDevice(opened->Device);
    return STATUS_SUCCESS;
}

static KH_STATUS KhCreateFileOpened(KH_FILE *file, const char *remainder, KH_FILE **File)
{
    NTSTATUS status;

    PFILE_OBJECT fo = &file->FileObject;
    fo->Type = IO_TYPE_FILE;
    fo->Size = (CSHORT)sizeof(FILE_OBJECT);
    fo->DeviceObject = file->Device;
    fo->ReadAccess = TRUE;
    fo->WriteAccess = TRUE;
    fo->SharedRead = TRUE;
    fo->SharedWrite = TRUE;
    fo->Flags = FO_HANDLE_CREATED;
    KeInitializeEvent(&fo->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&fo->Event, NotificationEvent, FALSE);
    KeInitializeSpinLock(&fo->IrpListLock);
    InitializeListHead(&fo->IrpList);
    InitializeListHead(&file->Outstanding);
    file->References = 1; /* the handle */
    if (remainder[0] != 0 && !KhHostUnicodeString(remainder, &fo->FileName)) {
        KhFileFree(file);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    IO_SECURITY_CONTEXT security = {0};
    security.DesiredAccess = FILE_GENERIC_READ | FILE_GENERIC_WRITE;
    status = KhBeginDispatch(file);
    if (NT_SUCCESS(status)) {
        status = KhIoSendSynchronous(file->Device, IRP_MJ_CREATE, 0, fo, KhFillCreate, &security, NULL);
        KhEndDispatch(file);
    }
    if (!NT_SUCCESS(status)) {
        KhFileFree(file);
        return status;
    }
    fo->Flags |= FO_FILE_OPEN;
    *File = file;
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ submit */

/* The I/O manager's completion of a submitted IRP: copy out, then tell the caller once. */
static void KhSubmitFinal(KH_IRP *Header)
{
    PIRP irp = &Header->Irp;
    NTSTATUS status = irp->IoStatus.Status;
    ULONG_PTR information = irp->IoStatus.Information;
    KH_FILE *file = Header->File;

    if (Header->CopyOutBuffered && !NT_ERROR(status) && Header->SystemBuffer != NULL) {
        ULONG_PTR copy = information < Header->UserOutputLength ? information : Header->UserOutputLength;
        if (copy != 0) {
            memcpy(Header->UserOutput, Header->SystemBuffer, copy);
        }
    }
    HosMutexLock(&KhIoLock);
    RemoveEntryList(&Header->FileLink);
    InitializeListHead(&Header->FileLink);
    file->OutstandingCount--;
    HosMutexUnlock(&KhIoLock);

    Header->UserCompletion(Header->UserContext, status, (uint64_t)information);
    KhFileRelease(file, true);
    KhIrpDereference(Header);
}

/* Fails a submission before it reaches the driver; the completion still runs once. */
static KH_STATUS KhFailSubmit(KH_IO_COMPLETION *Completion, void *Context, NTSTATUS Status)
{
    Completion(Context, Status, 0);
    return Status;
}

KMDFHOST_API KH_STATUS KmdfHostSubmitIo(KH_FILE *File, uint8_t MajorFunction, uint32_t IoControlCode, void *Buffer,
                                        uint32_t Length, void *OutputBuffer, uint32_t OutputLength,
                                        KH_IO_COMPLETION *Completion, void *Context)
{
    if (File == NULL || Completion == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (MajorFunction != IRP_MJ_READ && MajorFunction != IRP_MJ_WRITE && MajorFunction != IRP_MJ_DEVICE_CONTROL) {
        return KhFailSubmit(Completion, Context, STATUS_INVALID_PARAMETER);
    }
    if ((Length != 0 && Buffer == NULL) || (OutputLength != 0 && OutputBuffer == NULL)) {
        return KhFailSubmit(Completion, Context, STATUS_INVALID_USER_BUFFER);
    }
    HosMutexLock(&KhIoLock);
    bool cleanedUp = File->CleanedUp;
    HosMutexUnlock(&KhIoLock);
    if (cleanedUp) {
        return KhFailSubmit(Completion, Context, STATUS_FILE_CLOSED);
    }
    NTSTATUS status = KhBeginDispatch(File);
    if (!NT_SUCCESS(status)) {
        return KhFailSubmit(Completion, Context, status);
    }

    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT top = KhTopOfStackLocked(File->Device);
    KhDeviceReference(top);
    HosMutexUnlock(&KhIoLock);

    KH_IRP *header = KhIoAllocateIrp(top->StackSize);
    if (header == NULL) {
        KhDeviceDereference(top);
        KhEndDispatch(File);
        return KhFailSubmit(Completion, Context, STATUS_INSUFFICIENT_RESOURCES);
    }
    PIRP irp = &header->Irp;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = MajorFunction;
    stack->FileObject = &File->FileObject;
    irp->RequestorMode = UserMode;
    irp->Tail.Overlay.Thread = (PETHREAD)KeGetCurrentThread();
    irp->Tail.Overlay.OriginalFileObject = &File->FileObject;
    header->MajorFunction = MajorFunction;

    /* Buffers, by method. */
    ULONG method;
    if (MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        method = METHOD_FROM_CTL_CODE(IoControlCode);
        stack->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
        stack->Parameters.DeviceIoControl.InputBufferLength = Length;
        stack->Parameters.DeviceIoControl.OutputBufferLength = OutputLength;
    } else {
        method = (top->Flags & DO_BUFFERED_IO) ? METHOD_BUFFERED : (top->Flags & DO_DIRECT_IO) ? METHOD_OUT_DIRECT : METHOD_NEITHER;
        stack->Parameters.Read.Length = Length; /* Read and Write share the layout */
        stack->Parameters.Read.ByteOffset.QuadPart = 0;
        irp->Flags = MajorFunction == IRP_MJ_READ ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
    }
    bool ok = true;
    if (MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        if (method == METHOD_BUFFERED) {
            size_t size = Length > OutputLength ? Length : OutputLength;
            if (size != 0) {
                header->SystemBuffer = malloc(size);
                ok = header->SystemBuffer != NULL;
                if (ok && Length != 0) {
                    memcpy(header->SystemBuffer, Buffer, Length);
                }
            }
            irp->AssociatedIrp.SystemBuffer = header->SystemBuffer;
            irp->UserBuffer = OutputBuffer;
            irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (OutputLength != 0 ? IRP_INPUT_OPERATION : 0);
            header->CopyOutBuffered = OutputLength != 0;
            header->UserOutput = OutputBuffer;
            header->UserOutputLength = OutputLength;
        } else if (method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT) {
            if (Length != 0) {
                header->SystemBuffer = malloc(Length);
                ok = header->SystemBuffer != NULL;
                if (ok) {
                    memcpy(header->SystemBuffer, Buffer, Length);
                }
            }
            irp->AssociatedIrp.SystemBuffer = header->SystemBuffer;
            if (ok && OutputLength != 0) {
                irp->MdlAddress = KhIoBuildMdl(OutputBuffer, OutputLength);
                ok = irp->MdlAddress != NULL;
                if (ok) {
                    MmProbeAndLockPages(irp->MdlAddress, UserMode, method == METHOD_IN_DIRECT ? IoReadAccess : IoWriteAccess);
                }
            }
        } else {
            stack->Parameters.DeviceIoControl.Type3InputBuffer = Buffer;
            irp->UserBuffer = OutputBuffer;
        }
    } else if (method == METHOD_BUFFERED) {
        if (Length != 0) {
            header->SystemBuffer = malloc(Length);
            ok = header->SystemBuffer != NULL;
            if (ok && MajorFunction == IRP_MJ_WRITE) {
                memcpy(header->SystemBuffer, Buffer, Length);
            }
        }
        irp->AssociatedIrp.SystemBuffer = header->SystemBuffer;
        irp->UserBuffer = Buffer;
        irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (MajorFunction == IRP_MJ_READ ? IRP_INPUT_OPERATION : 0);
        header->CopyOutBuffered = MajorFunction == IRP_MJ_READ;
        header->UserOutput = Buffer;
        header->UserOutputLength = Length;
    } else if (method == METHOD_OUT_DIRECT) {
        if (Length != 0) {
            irp->MdlAddress = KhIoBuildMdl(Buffer, Length);
            ok = irp->MdlAddress != NULL;
            if (ok) {
                MmProbeAndLockPages(irp->MdlAddress, UserMode, MajorFunction == IRP_MJ_READ ? IoWriteAccess : IoReadAccess);
            }
        }
    } else {
        irp->UserBuffer = Buffer;
    }
    if (!ok) {
        KhIrpDereference(header);
        KhDeviceDereference(top);
        KhEndDispatch(File);
        return KhFailSubmit(Completion, Context, STATUS_INSUFFICIENT_RESOURCES);
    }

    header->File = File;
    header->UserCompletion = Completion;
    header->UserContext = Context;
    header->UserBuffer = Buffer;
    header->UserLength = Length;
    header->Final = KhSubmitFinal;
    KhIrpReference(header); /* ours, until the dispatch routine has returned */
    KhFileReference(&File->FileObject);
    HosMutexLock(&KhIoLock);
    InsertTailList(&File->Outstanding, &header->FileLink);
    File->OutstandingCount++;
    HosMutexUnlock(&KhIoLock);

    status = IoCallDriver(top, irp);

    if (status != STATUS_PENDING && !__atomic_load_n(&header->Completed, __ATOMIC_SEQ_CST)) {
        KH_DRIVER *driver = KhDriverFromDriverObject(top->DriverObject);
        KhVerifierReport("IRP_STATUS_MISMATCH",
                         "dispatch routine (major function 0x%02x) of driver %s returned 0x%08x, not STATUS_PENDING, "
                         "for IRP %p it has not completed",
                         MajorFunction, driver != NULL ? driver->ServiceName : "?", (unsigned)status, (void *)irp);
    }
    KhEndDispatch(File);
    KhIrpDereference(header);
    KhDeviceDereference(top);
    return status;
}

/* ------------------------------------------------------------------ cancel, cleanup, close */

KMDFHOST_API size_t KmdfHostCancelIo(KH_FILE *File, void *Context)
{
    if (File == NULL) {
        return 0;
    }
    size_t count = 0;
    size_t capacity = 0;
    KH_IRP **found = NULL;
    HosMutexLock(&KhIoLock);
    capacity = File->OutstandingCount;
    if (capacity != 0) {
        found = malloc(capacity * sizeof(*found));
    }
    if (found != NULL) {
        for (PLIST_ENTRY e = File->Outstanding.Flink; e != &File->Outstanding && count < capacity; e = e->Flink) {
            KH_IRP *header = CONTAINING_RECORD(e, KH_IRP, FileLink);
            if (Context == NULL || header->UserContext == Context) {
                KhIrpReference(header); /* keeps it allocated should it complete meanwhile */
                found[count++] = header;
            }
        }
    }
    HosMutexUnlock(&KhIoLock);
    for (size_t i = 0; i < count; i++) {
        IoCancelIrp(&found[i]->Irp);
        KhIrpDereference(found[i]);
    }
    free(found);
    return count;
}

/*
 * The handle is closing: cancel the file's outstanding IRPs, then IRP_MJ_CLEANUP
 * (not waiting for the cancellations, which complete through each IRP's completion).
 */
KMDFHOST_API KH_STATUS KmdfHostCleanupFile(KH_FILE *File)
{
    if (File == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&KhIoLock);
    bool already = File->CleanedUp;
    File->CleanedUp = true;
    HosMutexUnlock(&KhIoLock);
    if (already) {
        return STATUS_SUCCESS;
    }
    KmdfHostCancelIo(File, NULL);
    NTSTATUS status = KhBeginDispatch(File);
    if (!NT_SUCCESS(status)) {
        /* The device is gone: there is no driver to clean up for. */
        return STATUS_SUCCESS;
    }
    status = KhIoSendSynchronous(File->Device, IRP_MJ_CLEANUP, 0, &File->FileObject, NULL, NULL, NULL);
    KhEndDispatch(File);
    File->FileObject.Flags |= FO_CLEANUP_COMPLETE;
    return status;
}

KMDFHOST_API void KmdfHostCloseFile(KH_FILE *File)
{
    if (File == NULL) {
        return;
    }
    HosMutexLock(&KhIoLock);
    bool cleanedUp = File->CleanedUp;
    File->CloseRequested = true;
    HosMutexUnlock(&KhIoLock);
    if (!cleanedUp) {
        KmdfHostCleanupFile(File);
    }
    KhFileRelease(File, false);
}
