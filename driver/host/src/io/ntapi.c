/*
 * ntapi.c - the I/O system services: NtCreateFile/NtOpenFile, NtReadFile, NtWriteFile,
 * NtDeviceIoControlFile, NtCancelIoFile, NtCancelIoFileEx, NtSetInformationFile (and
 * the Zw names drivers call), the I/O manager's completion of the IRPs they send
 * (IopCompleteRequest's job), and the cancellation of a thread's I/O when it exits.
 *
 * A request, as the I/O manager runs it:
 * 1. The Event argument (if any) and the file object's own event are reset; on a
 *    synchronous file object (FILE_SYNCHRONOUS_IO_*) the file object lock is taken
 *    first, which serializes the file's I/O.
 * 2. The IRP is built for the buffer method (irp.c) and put on the file's and the
 *    thread's lists of outstanding IRPs (where NtCancelIoFile(Ex), the file's cleanup and
 *    the thread's exit find it), then sent with IoCallDriver.
 * 3. At completion: buffered data are copied out; *IoStatusBlock is written (Information
 *    first, then Status, so that a caller polling Status sees both); Event is set, or,
 *    when the request has none or the file object is synchronous, the file object's
 *    event (unless FILE_SKIP_SET_EVENT_ON_HANDLE); a packet with ApcContext goes to the
 *    file's completion port, unless ApcContext is NULL (kernel32 passes NULL when the
 *    low bit of hEvent is set) or the request succeeded at once on a file with
 *    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
 * 4. A request whose dispatch routine returned an error status without pending it is
 *    not completed towards the caller: the status is only the return value (no I/O
 *    status block, event or packet). "Returned at once" and "pended" are told apart by
 *    what IoCallDriver returned; the IRP may complete on another thread before or after
 *    that, and whichever of the issuing thread and the completing thread comes second
 *    finishes the request.
 * The service returns what the dispatch routine returned; on a synchronous file object
 * it waits for the completion and returns the final status.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntreadfile
 * https://learn.microsoft.com/windows/win32/fileio/synchronous-and-asynchronous-i-o
 */
#include <stdlib.h>
#include <string.h>

#include "ex/ex.h"
#include "io/iop.h"

/* ------------------------------------------------------------------ a thread's I/O */

static void IopCancelThreadIo(void *Context);

/* The calling thread, its IRP list ready (and its exit hooked) on first use. */
static KH_THREAD *IopCurrentThread(void)
{
    KH_THREAD *thread = KhCurrentThread();
    if (!thread->IrpListReady) {
        InitializeListHead(&thread->IrpList);
        KeInitializeEvent(&thread->IrpListEmpty, NotificationEvent, FALSE);
        thread->IrpListReady = true;
        /* Without the hook (no memory) the thread's I/O simply outlives it. */
        (void)HosAtThreadExit(IopCancelThreadIo, thread);
    }
    return thread;
}

/* Windows' bound on the wait for a leaving thread's IRPs (IoCancelThreadIo). */
#define IOP_THREAD_EXIT_WAIT_100NS (-5LL * 60 * 10000000)

/*
 * A thread is exiting: as Windows does (IoCancelThreadIo, from the thread's exit), cancel
 * every IRP it issued and wait for them to complete, for at most five minutes; IRPs
 * still outstanding then are disassociated from the thread (they complete later as
 * usual, towards their I/O status block, event and port). "The system cancels
 * unprocessed IRPs if the thread that initiated the I/O request exits. ... If a canceled
 * IRP is not completed within 5 minutes, the I/O manager considers the IRP timed out.
 * Such IRPs are disassociated from the thread" (Canceling IRPs).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/canceling-irps
 */
static void IopCancelThreadIo(void *Context)
{
    KH_THREAD *thread = Context;
    for (;;) {
        KH_IRP *found = NULL;
        HosMutexLock(&KhIoLock);
        thread->Exiting = true;
        for (PLIST_ENTRY e = thread->IrpList.Flink; e != &thread->IrpList; e = e->Flink) {
            KH_IRP *header = CONTAINING_RECORD(e, KH_IRP, Irp.ThreadListEntry);
            if (!__atomic_load_n(&header->Irp.Cancel, __ATOMIC_SEQ_CST)) {
                KhIrpReference(header);
                found = header;
                break;
            }
        }
        HosMutexUnlock(&KhIoLock);
        if (found == NULL) {
            break;
        }
        IoCancelIrp(&found->Irp);
        KhIrpDereference(found);
    }
    HosMutexLock(&KhIoLock);
    bool empty = IsListEmpty(&thread->IrpList);
    HosMutexUnlock(&KhIoLock);
    if (!empty) {
        LARGE_INTEGER timeout = {.QuadPart = IOP_THREAD_EXIT_WAIT_100NS};
        KeWaitForSingleObject(&thread->IrpListEmpty, Executive, KernelMode, FALSE, &timeout);
    }
    HosMutexLock(&KhIoLock);
    while (!IsListEmpty(&thread->IrpList)) {
        PLIST_ENTRY e = RemoveHeadList(&thread->IrpList);
        InitializeListHead(e);
        CONTAINING_RECORD(e, KH_IRP, Irp.ThreadListEntry)->Thread = NULL;
    }
    thread->IrpListReady = false;
    HosMutexUnlock(&KhIoLock);
}

/* ------------------------------------------------------------------ completion */

/*
 * The I/O manager's completion of a request towards its caller (step 3 and 4 of the
 * file comment). SyncReturn: the dispatch routine returned the final status, not
 * STATUS_PENDING.
 */
static void IopCompleteRequest(KH_IRP *Header, bool SyncReturn)
{
    PIRP irp = &Header->Irp;
    KH_FILE *file = Header->File;
    PFILE_OBJECT fo = &file->FileObject;
    NTSTATUS status = irp->IoStatus.Status;
    ULONG_PTR information = irp->IoStatus.Information;
    KhIoCopyOut(Header);

    HosMutexLock(&KhIoLock);
    RemoveEntryList(&Header->FileLink);
    InitializeListHead(&Header->FileLink);
    file->OutstandingCount--;
    KH_THREAD *thread = Header->Thread;
    if (thread != NULL) {
        RemoveEntryList(&irp->ThreadListEntry);
        InitializeListHead(&irp->ThreadListEntry);
        Header->Thread = NULL;
        if (thread->Exiting && IsListEmpty(&thread->IrpList)) {
            KeSetEvent(&thread->IrpListEmpty, IO_NO_INCREMENT, FALSE);
        }
    }
    KH_PORT *port = file->Port;
    PVOID key = file->PortKey;
    HosMutexUnlock(&KhIoLock);
    ULONG flags = __atomic_load_n(&fo->Flags, __ATOMIC_SEQ_CST);

    if (!(SyncReturn && NT_ERROR(status))) {
        if (irp->UserIosb != NULL) {
            __atomic_store_n(&irp->UserIosb->Information, information, __ATOMIC_RELAXED);
            __atomic_store_n(&irp->UserIosb->Pointer, (PVOID)(ULONG_PTR)(ULONG)status, __ATOMIC_RELEASE);
        }
        if (irp->UserEvent != NULL) {
            KeSetEvent(irp->UserEvent, IO_NO_INCREMENT, FALSE);
        }
        /* A request with its own event signals only that event on an asynchronous file
           object ("If an event is not used, each completed I/O operation will signal the
           file"); a synchronous file object's event marks the end of every request. */
        if (!(flags & FO_SKIP_SET_EVENT) && (irp->UserEvent == NULL || Header->SynchronousFile)) {
            KeSetEvent(&fo->Event, IO_NO_INCREMENT, FALSE);
        }
        bool skipOnSuccess = SyncReturn && NT_SUCCESS(status) && (flags & FO_SKIP_COMPLETION_PORT);
        if (port != NULL && Header->ApcContext != NULL && !skipOnSuccess) {
            Header->Packet.KeyContext = key;
            Header->Packet.ApcContext = Header->ApcContext;
            Header->Packet.Status = status;
            Header->Packet.Information = information;
            Header->Packet.Irp = Header;
            KhIrpReference(Header); /* the packet's, until it is removed */
            KhIoQueuePacket(port, &Header->Packet);
        }
    }
    if (Header->SynchronousFile) {
        KeSetEvent(&Header->Done, IO_NO_INCREMENT, FALSE);
    }
    if (Header->EventObject != NULL) {
        KhObDereference(Header->EventObject);
        Header->EventObject = NULL;
    }
    KhFileRelease(file, true);
    KhIrpDereference(Header);
}

/* KH_IRP_FINAL: IofCompleteRequest reached the top of the stack. */
static void IopFinal(KH_IRP *Header)
{
    LONG old = __atomic_fetch_or(&Header->Handshake, KH_IRP_FINISHED, __ATOMIC_ACQ_REL);
    if (old & KH_IRP_DISPATCH_RETURNED) {
        /* The dispatch routine has returned: the request completes asynchronously. */
        IopCompleteRequest(Header, false);
    }
}

/* ------------------------------------------------------------------ read, write, control */

static NTSTATUS IopReferenceFile(HANDLE FileHandle, KH_FILE **File)
{
    KH_OBJECT_HEADER *object;
    NTSTATUS status = KhObReferenceByHandle(FileHandle, &KhIoFileObjectType, &object);
    *File = (KH_FILE *)object;
    return status;
}

/* The common body of NtReadFile, NtWriteFile and NtDeviceIoControlFile. */
static NTSTATUS IopSendRequest(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                               PIO_STATUS_BLOCK IoStatusBlock, UCHAR Major, ULONG IoControlCode, PVOID Buffer,
                               ULONG Length, PVOID Output, ULONG OutputLength, PLARGE_INTEGER ByteOffset,
                               KPROCESSOR_MODE Mode)
{
    if (IoStatusBlock == NULL) {
        return STATUS_ACCESS_VIOLATION; /* what probing the I/O status block raises */
    }
    if (ApcRoutine != NULL) {
        return STATUS_NOT_IMPLEMENTED; /* the host delivers no user APCs */
    }
    if ((Length != 0 && Buffer == NULL) || (OutputLength != 0 && Output == NULL)) {
        return STATUS_INVALID_USER_BUFFER;
    }
    NTSTATUS status;
    if ((Major == IRP_MJ_READ || Major == IRP_MJ_WRITE) &&
        KhIoHostFileIo(FileHandle, Event, IoStatusBlock, Major == IRP_MJ_WRITE, Buffer, Length, ByteOffset, &status)) {
        return status; /* a file of the host: synchronous */
    }
    KH_FILE *file;
    status = IopReferenceFile(FileHandle, &file);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    KH_OBJECT_HEADER *eventObject = NULL;
    if (Event != NULL) {
        status = KhObReferenceByHandle(Event, &KhExEventObjectType, &eventObject);
        if (!NT_SUCCESS(status)) {
            KhObDereference(&file->Ob);
            return status;
        }
    }
    PFILE_OBJECT fo = &file->FileObject;
    bool synchronous = (__atomic_load_n(&fo->Flags, __ATOMIC_RELAXED) & FO_SYNCHRONOUS_IO) != 0;
    if (!synchronous && ByteOffset == NULL && (Major == IRP_MJ_READ || Major == IRP_MJ_WRITE)) {
        /* "If the call to ZwCreateFile set neither of the CreateOptions flags
           FILE_SYNCHRONOUS_IO_ALERT or FILE_SYNCHRONOUS_IO_NONALERT, ByteOffset is
           required" (ZwReadFile, ZwWriteFile): the I/O manager has no file position to
           use for an asynchronous file object. */
        if (eventObject != NULL) {
            KhObDereference(eventObject);
        }
        KhObDereference(&file->Ob);
        return STATUS_INVALID_PARAMETER;
    }
    if (synchronous) {
        KhIoAcquireFileObjectLock(fo);
    }
    PDEVICE_OBJECT top = NULL;
    KH_IRP *header = NULL;
    HosMutexLock(&KhIoLock);
    if (file->CleanedUp) {
        status = STATUS_FILE_CLOSED;
    }
    HosMutexUnlock(&KhIoLock);
    bool dispatching = false;
    if (NT_SUCCESS(status)) {
        status = KhIoBeginDispatch(file);
        dispatching = NT_SUCCESS(status);
    }
    if (NT_SUCCESS(status)) {
        HosMutexLock(&KhIoLock);
        top = KhTopOfStackLocked(file->Device);
        KhDeviceReference(top);
        HosMutexUnlock(&KhIoLock);
        header = KhIoAllocateIrp(top->StackSize);
        if (header == NULL || !KhIoBuildRequest(header, top, Major, IoControlCode, Buffer, Length, Output,
                                                OutputLength, ByteOffset, Mode)) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    if (!NT_SUCCESS(status)) {
        if (header != NULL) {
            KhIrpDereference(header);
        }
        if (top != NULL) {
            KhDeviceDereference(top);
        }
        if (dispatching) {
            KhIoEndDispatch(file);
        }
        if (synchronous) {
            KhIoReleaseFileObjectLock(fo);
        }
        if (eventObject != NULL) {
            KhObDereference(eventObject);
        }
        KhObDereference(&file->Ob);
        return status;
    }

    KH_THREAD *thread = IopCurrentThread();
    PIRP irp = &header->Irp;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->FileObject = fo;
    irp->UserIosb = IoStatusBlock;
    irp->UserEvent = eventObject != NULL ? &((KH_EVENT_OBJECT *)eventObject)->Event : NULL;
    irp->Overlay.AsynchronousParameters.UserApcContext = ApcContext;
    irp->Tail.Overlay.Thread = (PETHREAD)KeGetCurrentThread();
    irp->Tail.Overlay.OriginalFileObject = fo;
    if (synchronous) {
        irp->Flags |= IRP_SYNCHRONOUS_API;
        KeInitializeEvent(&header->Done, NotificationEvent, FALSE);
    }
    header->File = file;
    header->EventObject = eventObject;
    header->ApcContext = ApcContext;
    header->SynchronousFile = synchronous;
    header->Final = IopFinal;
    if (irp->UserEvent != NULL) {
        KeClearEvent(irp->UserEvent);
    }
    KeClearEvent(&fo->Event);

    KhIrpReference(header);             /* ours, until the service returns */
    KhFileReference(fo);                /* the IRP's, until IopCompleteRequest */
    HosMutexLock(&KhIoLock);
    InsertTailList(&file->Outstanding, &header->FileLink);
    file->OutstandingCount++;
    InsertTailList(&thread->IrpList, &irp->ThreadListEntry);
    header->Thread = thread;
    HosMutexUnlock(&KhIoLock);

    NTSTATUS returned = IoCallDriver(top, irp);

    KhIoCheckDispatchReturn(header, top, returned);
    KhIoEndDispatch(file);
    KhDeviceDereference(top);
    header->DispatchStatus = returned;
    LONG old = __atomic_fetch_or(&header->Handshake, KH_IRP_DISPATCH_RETURNED, __ATOMIC_ACQ_REL);
    if (old & KH_IRP_FINISHED) {
        IopCompleteRequest(header, returned != STATUS_PENDING);
    }
    status = returned;
    if (synchronous) {
        if (!(old & KH_IRP_FINISHED)) {
            KeWaitForSingleObject(&header->Done, Executive, KernelMode, FALSE, NULL);
        }
        if (returned == STATUS_PENDING || !(old & KH_IRP_FINISHED)) {
            status = irp->IoStatus.Status;
        }
        fo->FinalStatus = status;
        KhIoReleaseFileObjectLock(fo);
    }
    KhIrpDereference(header);
    KhObDereference(&file->Ob);
    return status;
}

NTSYSAPI NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                   PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                   PLARGE_INTEGER ByteOffset, PULONG Key)
{
    (void)Key;
    return IopSendRequest(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IRP_MJ_READ, 0, Buffer, Length,
                          NULL, 0, ByteOffset, UserMode);
}

NTSYSAPI NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                    PLARGE_INTEGER ByteOffset, PULONG Key)
{
    (void)Key;
    return IopSendRequest(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IRP_MJ_WRITE, 0, Buffer, Length,
                          NULL, 0, ByteOffset, UserMode);
}

NTSYSAPI NTSTATUS NTAPI NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                              PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode,
                                              PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                              ULONG OutputBufferLength)
{
    return IopSendRequest(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IRP_MJ_DEVICE_CONTROL,
                          IoControlCode, InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength, NULL,
                          UserMode);
}

NTSYSAPI NTSTATUS NTAPI ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                   PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                   PLARGE_INTEGER ByteOffset, PULONG Key)
{
    (void)Key;
    return IopSendRequest(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IRP_MJ_READ, 0, Buffer, Length,
                          NULL, 0, ByteOffset, KernelMode);
}

NTSYSAPI NTSTATUS NTAPI ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                                    PLARGE_INTEGER ByteOffset, PULONG Key)
{
    (void)Key;
    return IopSendRequest(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IRP_MJ_WRITE, 0, Buffer, Length,
                          NULL, 0, ByteOffset, KernelMode);
}

NTSYSAPI NTSTATUS NTAPI ZwDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                              PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode,
                                              PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                              ULONG OutputBufferLength)
{
    return IopSendRequest(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, IRP_MJ_DEVICE_CONTROL,
                          IoControlCode, InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength, NULL,
                          KernelMode);
}

/* ------------------------------------------------------------------ create */

/*
 * NtCreateFile: ObjectName is an NT path. A file of the host ("\SystemRoot\...",
 * "\??\/...") is opened by hostfile.c. Anything else names a device: "\??\X" for a
 * symbolic link or a device interface, "\Device\X" for a named device object, each
 * possibly followed by a file name within the device, which the driver sees as the file
 * object's FileName. A device's create request carries the disposition and the create
 * options (Parameters.Create.Options), and the driver decides what they mean, as on
 * Windows; the open reports FILE_OPENED. Access and share modes are accepted and not
 * enforced: the host has no security descriptors, and a device that wants one opener at
 * a time says so to the framework (exclusive device) or in its EvtDeviceFileCreate. Opens
 * relative to a RootDirectory are not implemented (STATUS_NOT_IMPLEMENTED).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntcreatefile
 */
static NTSTATUS IopCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              PIO_STATUS_BLOCK IoStatusBlock, ULONG CreateDisposition, ULONG CreateOptions)
{
    if (FileHandle == NULL || IoStatusBlock == NULL || ObjectAttributes == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    if (ObjectAttributes->RootDirectory != NULL) {
        return STATUS_NOT_IMPLEMENTED;
    }
    if (ObjectAttributes->ObjectName == NULL || ObjectAttributes->ObjectName->Length == 0) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    if (CreateDisposition > FILE_OVERWRITE_IF) {
        return STATUS_INVALID_PARAMETER;
    }
    char *path = KhUnicodeStringToUtf8(ObjectAttributes->ObjectName);
    if (path == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    char *hostPath = NULL;
    NTSTATUS status;
    if (KhIoHostPath(path, &hostPath, &status)) {
        free(path);
        if (NT_SUCCESS(status)) {
            status = KhIoCreateHostFile(hostPath, DesiredAccess, ObjectAttributes->Attributes, CreateDisposition,
                                        CreateOptions, FileHandle, IoStatusBlock);
        }
        free(hostPath);
        return status;
    }
    KH_FILE *file = NULL;
    bool synchronous = (CreateOptions & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) != 0;
    status = KhIoOpenFileEx(path, synchronous, CreateDisposition, CreateOptions, &file);
    free(path);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    HANDLE handle = NULL;
    status = KhObInsertHandle(&file->Ob, &handle);
    if (!NT_SUCCESS(status)) {
        KmdfHostCloseFile(file);
        return status;
    }
    IoStatusBlock->Information = FILE_OPENED;
    IoStatusBlock->Pointer = (PVOID)(ULONG_PTR)(ULONG)STATUS_SUCCESS;
    *FileHandle = handle;
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                                     ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                                     ULONG EaLength)
{
    (void)AllocationSize;
    (void)FileAttributes;
    (void)ShareAccess;
    (void)EaBuffer;
    (void)EaLength;
    return IopCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, CreateDisposition, CreateOptions);
}

NTSYSAPI NTSTATUS NTAPI ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                     PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                                     ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                                     ULONG EaLength)
{
    return NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize, FileAttributes,
                        ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength);
}

NTSYSAPI NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                   PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, NULL, 0, ShareAccess, FILE_OPEN,
                        OpenOptions, NULL, 0);
}

NTSYSAPI NTSTATUS NTAPI ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                   PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return NtOpenFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess, OpenOptions);
}

/* ------------------------------------------------------------------ cancel */

static bool IopMatchThread(KH_IRP *Irp, void *Context) { return Irp->Thread == Context; }
static bool IopMatchIosb(KH_IRP *Irp, void *Context) { return Irp->Irp.UserIosb == Context; }

/* NtCancelIoFile: the calling thread's requests on the file (CancelIo). */
NTSYSAPI NTSTATUS NTAPI NtCancelIoFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock)
{
    if (IoStatusBlock == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    KH_FILE *file;
    NTSTATUS status = IopReferenceFile(FileHandle, &file);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    KhIoCancelFileIrps(file, IopMatchThread, KhCurrentThread());
    KhObDereference(&file->Ob);
    IoStatusBlock->Information = 0;
    IoStatusBlock->Pointer = (PVOID)(ULONG_PTR)(ULONG)STATUS_SUCCESS;
    return STATUS_SUCCESS;
}

/*
 * NtCancelIoFileEx: every request on the file, from any thread, or the one whose I/O
 * status block is IoRequestToCancel (CancelIoEx). STATUS_NOT_FOUND when none is
 * outstanding.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntcancelioFileex
 */
NTSYSAPI NTSTATUS NTAPI NtCancelIoFileEx(HANDLE FileHandle, PIO_STATUS_BLOCK IoRequestToCancel,
                                         PIO_STATUS_BLOCK IoStatusBlock)
{
    if (IoStatusBlock == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    KH_FILE *file;
    NTSTATUS status = IopReferenceFile(FileHandle, &file);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    size_t found = KhIoCancelFileIrps(file, IoRequestToCancel != NULL ? IopMatchIosb : NULL, IoRequestToCancel);
    KhObDereference(&file->Ob);
    status = found != 0 ? STATUS_SUCCESS : STATUS_NOT_FOUND;
    IoStatusBlock->Information = 0;
    IoStatusBlock->Pointer = (PVOID)(ULONG_PTR)(ULONG)status;
    return status;
}

/* ------------------------------------------------------------------ information */

/*
 * NtSetInformationFile, for the two classes of completion ports:
 * - FileCompletionInformation associates the file with a port and a key, once, and only
 *   an asynchronous file object (STATUS_INVALID_PARAMETER otherwise);
 * - FileIoCompletionNotificationInformation sets FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
 *   and FILE_SKIP_SET_EVENT_ON_HANDLE (FILE_SKIP_SET_USER_EVENT_ON_FAST_IO is accepted:
 *   the host has no fast I/O). The modes accumulate.
 * Other classes: STATUS_INVALID_INFO_CLASS (not implemented by the host).
 */
NTSYSAPI NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                             ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    if (IoStatusBlock == NULL || FileInformation == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    NTSTATUS hostStatus;
    if (KhIoHostFileSetInformation(FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass,
                                   &hostStatus)) {
        return hostStatus; /* a file of the host: FilePositionInformation */
    }
    if (FileInformationClass != FileCompletionInformation &&
        FileInformationClass != FileIoCompletionNotificationInformation) {
        return STATUS_INVALID_INFO_CLASS;
    }
    KH_FILE *file;
    NTSTATUS status = IopReferenceFile(FileHandle, &file);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (FileInformationClass == FileCompletionInformation) {
        PFILE_COMPLETION_INFORMATION info = FileInformation;
        KH_OBJECT_HEADER *port = NULL;
        if (Length < sizeof(*info)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
        } else {
            status = KhObReferenceByHandle(info->Port, &KhIoCompletionObjectType, &port);
            if (status == STATUS_OBJECT_TYPE_MISMATCH) {
                status = STATUS_INVALID_HANDLE;
            }
        }
        if (NT_SUCCESS(status)) {
            HosMutexLock(&KhIoLock);
            if ((__atomic_load_n(&file->FileObject.Flags, __ATOMIC_RELAXED) & FO_SYNCHRONOUS_IO) || file->Port != NULL) {
                status = STATUS_INVALID_PARAMETER;
            } else {
                file->Port = (KH_PORT *)port; /* the association keeps the port */
                file->PortKey = info->Key;
                port = NULL;
            }
            HosMutexUnlock(&KhIoLock);
        }
        if (port != NULL) {
            KhObDereference(port);
        }
    } else {
        PFILE_IO_COMPLETION_NOTIFICATION_INFORMATION info = FileInformation;
        if (Length < sizeof(*info)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
        } else if (info->Flags & ~(ULONG)(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE |
                                          FILE_SKIP_SET_USER_EVENT_ON_FAST_IO)) {
            status = STATUS_INVALID_PARAMETER;
        } else {
            ULONG flags = ((info->Flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) ? FO_SKIP_COMPLETION_PORT : 0) |
                          ((info->Flags & FILE_SKIP_SET_EVENT_ON_HANDLE) ? FO_SKIP_SET_EVENT : 0);
            __atomic_or_fetch(&file->FileObject.Flags, flags, __ATOMIC_SEQ_CST);
        }
    }
    KhObDereference(&file->Ob);
    IoStatusBlock->Information = 0;
    IoStatusBlock->Pointer = (PVOID)(ULONG_PTR)(ULONG)status;
    return status;
}

NTSYSAPI NTSTATUS NTAPI ZwSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                             ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    return NtSetInformationFile(FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass);
}
