/*
 * file.c - file objects: open (IRP_MJ_CREATE), references, the file object type of the
 * object manager (waits, the last handle's cleanup), cancellation of a file's IRPs,
 * cleanup and close; and the I/O entry points of kmdfhost.h that the C tests drive the
 * I/O manager with (KmdfHostCreateFile, KmdfHostSubmitIo with a completion callback,
 * KmdfHostCancelIo, KmdfHostCleanupFile, KmdfHostCloseFile). Applications come in through
 * the NT system services of ntapi.c instead.
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
#include <string.h>
#include <strings.h>

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
void KhFileRelease(KH_FILE *File, bool Defer)
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
NTSTATUS KhIoBeginDispatch(KH_FILE *File)
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

void KhIoEndDispatch(KH_FILE *File)
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
    if (File->Port != NULL) {
        KhObDereference(&File->Port->Ob);
    }
    KhDeviceDereference(File->Device);
    KhFreeHostUnicodeString(&File->FileObject.FileName);
    free(File);
}

static void KhFileClose(KH_FILE *File)
{
    if (NT_SUCCESS(KhIoBeginDispatch(File))) {
        KhIoSendSynchronous(File->Device, IRP_MJ_CLOSE, 0, &File->FileObject, NULL, NULL, NULL);
        KhIoEndDispatch(File);
    }
    KhFileFree(File);
}

/* ------------------------------------------------------------------ create */

typedef struct KH_CREATE_CONTEXT {
    IO_SECURITY_CONTEXT Security;
    ULONG Options; /* the disposition in the high byte, the create options below */
} KH_CREATE_CONTEXT;

static void KhFillCreate(PIO_STACK_LOCATION Stack, void *Context)
{
    KH_CREATE_CONTEXT *create = Context;
    Stack->Parameters.Create.SecurityContext = &create->Security;
    Stack->Parameters.Create.Options = create->Options;
    Stack->Parameters.Create.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    Stack->Parameters.Create.ShareAccess = FILE_SHARE_READ | FILE_SHARE_WRITE;
    Stack->Parameters.Create.EaLength = 0;
}

/*
 * Opens the device behind an interface (or other symbolic link) path, or a named device
 * object. A path that names a device that is being or has been removed gives
 * STATUS_NO_SUCH_DEVICE, as the I/O manager answers an open of a device object marked
 * for deletion; a disabled or unknown interface STATUS_OBJECT_NAME_NOT_FOUND.
 */
NTSTATUS KhIoOpenFile(const char *Path, bool Synchronous, KH_FILE **File)
{
    return KhIoOpenFileEx(Path, Synchronous, FILE_OPEN, FILE_NON_DIRECTORY_FILE, File);
}

/* The disposition and create options reach the device's create request
   (Parameters.Create.Options), for the driver to judge, as on Windows. */
NTSTATUS KhIoOpenFileEx(const char *Path, bool Synchronous, ULONG Disposition, ULONG CreateOptions, KH_FILE **File)
{
    KH_FILE *file = calloc(1, sizeof(*file));
    if (file == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    const char *remainder = "";
    NTSTATUS status = STATUS_SUCCESS;
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT target = NULL;
    bool enabled = true;
    if (strncasecmp(Path, "\\Device\\", 8) == 0) {
        size_t length = strcspn(Path + 8, "\\") + 8;
        char *name = strndup(Path, length);
        target = name != NULL ? KhFindNamedDeviceLocked(name) : NULL;
        remainder = Path + length;
        free(name);
    } else {
        KH_LINK *link = KhIoResolvePathLocked(Path, &remainder);
        if (link != NULL) {
            target = link->Target;
            enabled = link->Enabled;
        }
    }
    struct _KH_DEVNODE *node = target != NULL ? target->DeviceObjectExtension->Devnode : NULL;
    if (target == NULL) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (target->DeviceObjectExtension->Deleted ||
               (node != NULL && (node->Removing || node->State == KhNodeSurpriseRemoved || node->State == KhNodeRemoved))) {
        status = STATUS_NO_SUCH_DEVICE;
    } else if (!enabled) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        file->Device = target;
        KhDeviceReference(file->Device);
        file->Node = node;
        if (node != NULL) {
            node->References++;
            node->OpenFiles++;
        }
    }
    HosMutexUnlock(&KhIoLock);
    if (!NT_SUCCESS(status)) {
        free(file);
        return status;
    }

    KhObInitializeObject(&file->Ob, &KhIoFileObjectType);
    PFILE_OBJECT fo = &file->FileObject;
    fo->Type = IO_TYPE_FILE;
    fo->Size = (CSHORT)sizeof(FILE_OBJECT);
    fo->DeviceObject = file->Device;
    fo->ReadAccess = TRUE;
    fo->WriteAccess = TRUE;
    fo->SharedRead = TRUE;
    fo->SharedWrite = TRUE;
    fo->Flags = FO_HANDLE_CREATED | (Synchronous ? FO_SYNCHRONOUS_IO : 0);
    KeInitializeEvent(&fo->Lock, SynchronizationEvent, FALSE);
    KeInitializeEvent(&fo->Event, NotificationEvent, FALSE);
    KeInitializeSpinLock(&fo->IrpListLock);
    InitializeListHead(&fo->IrpList);
    InitializeListHead(&file->Outstanding);
    file->References = 1; /* the caller's */
    if (remainder[0] != 0 && !KhHostUnicodeString(remainder, &fo->FileName)) {
        KhFileFree(file);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    KH_CREATE_CONTEXT create = {{0}, (Disposition << 24) | (CreateOptions & 0x00FFFFFFu)};
    create.Security.DesiredAccess = FILE_GENERIC_READ | FILE_GENERIC_WRITE;
    status = KhIoBeginDispatch(file);
    if (NT_SUCCESS(status)) {
        status = KhIoSendSynchronous(file->Device, IRP_MJ_CREATE, 0, fo, KhFillCreate, &create, NULL);
        KhIoEndDispatch(file);
    }
    if (!NT_SUCCESS(status)) {
        KhFileFree(file);
        return status;
    }
    fo->Flags |= FO_FILE_OPEN;
    *File = file;
    return STATUS_SUCCESS;
}

KMDFHOST_API KH_STATUS KmdfHostCreateFile(const char *Path, KH_FILE **File)
{
    if (Path == NULL || File == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return KhIoOpenFile(Path, false, File);
}

/*
 * IoGetDeviceObjectPointer: opens the named device (a device name such as \Device\X, or a
 * symbolic link \??\X, \DosDevices\X, \GLOBAL??\X), closes the handle at once
 * (IRP_MJ_CLEANUP) and returns the file object, referenced, and the top device object of
 * its stack. Dereferencing the file object sends IRP_MJ_CLOSE.
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
    if (name == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* The link directories are one namespace (\??\); device names stay as they are. */
    static const char *const linkPrefixes[] = {"\\DosDevices\\Global\\", "\\DosDevices\\", "\\GLOBAL??\\"};
    char *path = name;
    for (size_t i = 0; i < sizeof(linkPrefixes) / sizeof(linkPrefixes[0]); i++) {
        size_t n = strlen(linkPrefixes[i]);
        if (strncasecmp(name, linkPrefixes[i], n) == 0) {
            path = malloc(strlen(name) - n + 5);
            if (path != NULL) {
                strcpy(path, "\\??\\");
                strcat(path, name + n);
            }
            break;
        }
    }
    KH_FILE *file = NULL;
    NTSTATUS status = path != NULL ? KhIoOpenFile(path, false, &file) : STATUS_INSUFFICIENT_RESOURCES;
    if (path != name) {
        free(path);
    }
    free(name);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* The handle closes at once; its reference becomes the caller's. */
    (void)KhIoCleanupFile(file);
    *FileObject = &file->FileObject;
    *DeviceObject = IoGetAttachedDevice(file->Device);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ the object type */

static void KhFileObReference(KH_OBJECT_HEADER *Object) { KhFileReference(&((KH_FILE *)Object)->FileObject); }
static void KhFileObDereference(KH_OBJECT_HEADER *Object) { KhFileRelease((KH_FILE *)Object, false); }

/* The file object lock that serializes a synchronous file object's I/O (FO_SYNCHRONOUS_IO). */
void KhIoAcquireFileObjectLock(PFILE_OBJECT FileObject)
{
    __atomic_add_fetch(&FileObject->Waiters, 1, __ATOMIC_SEQ_CST);
    while (__atomic_exchange_n(&FileObject->Busy, 1, __ATOMIC_SEQ_CST) != 0) {
        KeWaitForSingleObject(&FileObject->Lock, Executive, KernelMode, FALSE, NULL);
    }
    __atomic_sub_fetch(&FileObject->Waiters, 1, __ATOMIC_SEQ_CST);
}

void KhIoReleaseFileObjectLock(PFILE_OBJECT FileObject)
{
    __atomic_store_n(&FileObject->Busy, 0, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&FileObject->Waiters, __ATOMIC_SEQ_CST) != 0) {
        KeSetEvent(&FileObject->Lock, IO_NO_INCREMENT, FALSE);
    }
}

/*
 * The last handle of the file is closed (IopCloseFile): on a synchronous file object the
 * I/O manager first takes the file object lock, so a close that races a synchronous
 * call on another thread waits for that call to finish; then it cancels what is still
 * outstanding and sends IRP_MJ_CLEANUP.
 */
static void KhFileObClose(KH_OBJECT_HEADER *Object)
{
    KH_FILE *file = (KH_FILE *)Object;
    bool synchronous = (__atomic_load_n(&file->FileObject.Flags, __ATOMIC_RELAXED) & FO_SYNCHRONOUS_IO) != 0;
    if (synchronous) {
        KhIoAcquireFileObjectLock(&file->FileObject);
    }
    KhIoCleanupFile(file);
    if (synchronous) {
        KhIoReleaseFileObjectLock(&file->FileObject);
    }
}

/* A wait on a file handle waits for the file object's event ("each completed I/O
   operation will signal the file", Synchronization and Overlapped Input and Output). */
static PDISPATCHER_HEADER KhFileObWaitObject(KH_OBJECT_HEADER *Object)
{
    return &((KH_FILE *)Object)->FileObject.Event.Header;
}

static PVOID KhFileObBody(KH_OBJECT_HEADER *Object) { return &((KH_FILE *)Object)->FileObject; }

const KH_OBJECT_TYPE KhIoFileObjectType = {
    .Name = "File",
    .Reference = KhFileObReference,
    .Dereference = KhFileObDereference,
    .Close = KhFileObClose,
    .WaitObject = KhFileObWaitObject,
    .Body = KhFileObBody,
};

/* The exported type pointer of ObReferenceObjectByHandle. */
static POBJECT_TYPE KhIoFileObjectTypePointer = (POBJECT_TYPE)(uintptr_t)&KhIoFileObjectType;
__attribute__((visibility("default"))) POBJECT_TYPE *IoFileObjectType = &KhIoFileObjectTypePointer;

/* ------------------------------------------------------------------ submit (tests) */

/* The I/O manager's completion of a submitted IRP: copy out, then tell the caller once. */
static void KhSubmitFinal(KH_IRP *Header)
{
    PIRP irp = &Header->Irp;
    KH_FILE *file = Header->File;
    KhIoCopyOut(Header);
    HosMutexLock(&KhIoLock);
    RemoveEntryList(&Header->FileLink);
    InitializeListHead(&Header->FileLink);
    file->OutstandingCount--;
    HosMutexUnlock(&KhIoLock);

    Header->UserCompletion(Header->UserContext, irp->IoStatus.Status, (uint64_t)irp->IoStatus.Information);
    KhFileRelease(file, true);
    KhIrpDereference(Header);
}

/* Fails a submission before it reaches the driver; the completion still runs once. */
static KH_STATUS KhFailSubmit(KH_IO_COMPLETION *Completion, void *Context, NTSTATUS Status)
{
    Completion(Context, Status, 0);
    return Status;
}

/* Reports a dispatch routine that returned a final status for an IRP it did not complete. */
void KhIoCheckDispatchReturn(KH_IRP *Header, PDEVICE_OBJECT Device, NTSTATUS Status)
{
    if (Status != STATUS_PENDING && !__atomic_load_n(&Header->Completed, __ATOMIC_SEQ_CST)) {
        KH_DRIVER *driver = KhDriverFromDriverObject(Device->DriverObject);
        KhVerifierReport("IRP_STATUS_MISMATCH",
                         "dispatch routine (major function 0x%02x) of driver %s returned 0x%08x, not STATUS_PENDING, "
                         "for IRP %p it has not completed",
                         Header->MajorFunction, driver != NULL ? driver->ServiceName : "?", (unsigned)Status,
                         (void *)&Header->Irp);
    }
}

/*
 * The IRP of KmdfHostSubmitIo: built like those of the I/O system services (ntapi.c),
 * completed towards a callback instead of an I/O status block, event and port.
 */
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
    NTSTATUS status = KhIoBeginDispatch(File);
    if (!NT_SUCCESS(status)) {
        return KhFailSubmit(Completion, Context, status);
    }

    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT top = KhTopOfStackLocked(File->Device);
    KhDeviceReference(top);
    HosMutexUnlock(&KhIoLock);

    KH_IRP *header = KhIoAllocateIrp(top->StackSize);
    if (header == NULL || !KhIoBuildRequest(header, top, MajorFunction, IoControlCode, Buffer, Length, OutputBuffer,
                                            OutputLength, NULL, UserMode)) {
        if (header != NULL) {
            KhIrpDereference(header);
        }
        KhDeviceDereference(top);
        KhIoEndDispatch(File);
        return KhFailSubmit(Completion, Context, STATUS_INSUFFICIENT_RESOURCES);
    }
    PIRP irp = &header->Irp;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->FileObject = &File->FileObject;
    irp->Tail.Overlay.Thread = (PETHREAD)KeGetCurrentThread();
    irp->Tail.Overlay.OriginalFileObject = &File->FileObject;
    header->File = File;
    header->UserCompletion = Completion;
    header->UserContext = Context;
    header->Final = KhSubmitFinal;
    KhIrpReference(header); /* ours, until the dispatch routine has returned */
    KhFileReference(&File->FileObject);
    HosMutexLock(&KhIoLock);
    InsertTailList(&File->Outstanding, &header->FileLink);
    File->OutstandingCount++;
    HosMutexUnlock(&KhIoLock);

    status = IoCallDriver(top, irp);

    KhIoCheckDispatchReturn(header, top, status);
    KhIoEndDispatch(File);
    KhIrpDereference(header);
    KhDeviceDereference(top);
    return status;
}

/* ------------------------------------------------------------------ cancel, cleanup, close */

size_t KhIoCancelFileIrps(KH_FILE *File, KH_IRP_MATCH *Match, void *Context)
{
    size_t count = 0;
    size_t capacity = 0;
    KH_IRP *stackFound[8];
    KH_IRP **found = stackFound;
    HosMutexLock(&KhIoLock);
    capacity = File->OutstandingCount;
    if (capacity > sizeof(stackFound) / sizeof(stackFound[0])) {
        found = malloc(capacity * sizeof(*found));
    }
    if (found != NULL) {
        for (PLIST_ENTRY e = File->Outstanding.Flink; e != &File->Outstanding && count < capacity; e = e->Flink) {
            KH_IRP *header = CONTAINING_RECORD(e, KH_IRP, FileLink);
            if (Match == NULL || Match(header, Context)) {
                KhIrpReference(header); /* keeps it allocated should it complete meanwhile */
                found[count++] = header;
            }
        }
    }
    HosMutexUnlock(&KhIoLock);
    /* Outside the lock: a cancel routine may complete the IRP on this very thread. */
    for (size_t i = 0; i < count; i++) {
        IoCancelIrp(&found[i]->Irp);
        KhIrpDereference(found[i]);
    }
    if (found != stackFound) {
        free(found);
    }
    return count;
}

static bool KhMatchUserContext(KH_IRP *Irp, void *Context) { return Irp->UserContext == Context; }

KMDFHOST_API size_t KmdfHostCancelIo(KH_FILE *File, void *Context)
{
    if (File == NULL) {
        return 0;
    }
    return KhIoCancelFileIrps(File, Context != NULL ? KhMatchUserContext : NULL, Context);
}

/*
 * The handle is closing: cancel the file's outstanding IRPs, then IRP_MJ_CLEANUP
 * (not waiting for the cancellations, which complete through each IRP's completion).
 */
NTSTATUS KhIoCleanupFile(KH_FILE *File)
{
    HosMutexLock(&KhIoLock);
    bool already = File->CleanedUp;
    File->CleanedUp = true;
    HosMutexUnlock(&KhIoLock);
    if (already) {
        return STATUS_SUCCESS;
    }
    KhIoCancelFileIrps(File, NULL, NULL);
    NTSTATUS status = KhIoBeginDispatch(File);
    if (!NT_SUCCESS(status)) {
        /* The device is gone: there is no driver to clean up for. */
        return STATUS_SUCCESS;
    }
    status = KhIoSendSynchronous(File->Device, IRP_MJ_CLEANUP, 0, &File->FileObject, NULL, NULL, NULL);
    KhIoEndDispatch(File);
    __atomic_or_fetch(&File->FileObject.Flags, FO_CLEANUP_COMPLETE, __ATOMIC_SEQ_CST);
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostCleanupFile(KH_FILE *File)
{
    if (File == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return KhIoCleanupFile(File);
}

KMDFHOST_API void KmdfHostCloseFile(KH_FILE *File)
{
    if (File == NULL) {
        return;
    }
    KhIoCleanupFile(File);
    KhFileRelease(File, false);
}
