/*
 * file.c - CreateFileW on device interfaces, ReadFile, WriteFile, DeviceIoControl,
 * GetOverlappedResult(Ex), CancelIo, CancelIoEx, SetFileCompletionNotificationModes,
 * and the closing of file handles.
 *
 * How an I/O call runs (the path of NtReadFile/NtWriteFile/NtDeviceIoControlFile and
 * the I/O manager's completion, as the Win32 and WDK documentation describe it):
 *
 * 1. On an overlapped handle, OVERLAPPED.Internal is set to STATUS_PENDING, the event
 *    in hEvent is reset (ReadFile and WriteFile reset it to nonsignaled when they begin
 *    the operation, as their documentation says), and the file object's own event is
 *    reset. The operation is recorded in the file's list of outstanding operations,
 *    keyed by its OVERLAPPED address, with the thread that issued it (for CancelIo).
 * 2. The IRP goes to the driver through KmdfHostSubmitIo.
 * 3. When it completes, the I/O status block is written into the caller's OVERLAPPED
 *    (Internal = NTSTATUS, InternalHigh = bytes), then the event is set, or, when the
 *    request has no event (or the handle is synchronous), the file object's event
 *    (unless FILE_SKIP_SET_EVENT_ON_HANDLE), then a packet is
 *    queued to the associated completion port. No packet is queued when the low bit of
 *    hEvent is set ("a valid event handle whose low-order bit is set keeps I/O
 *    completion from being queued to a completion port"), nor when the request
 *    succeeded at once on a handle with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
 * 4. A request that fails at once with an error status (severity 3) without having
 *    been pended is not completed towards the caller by the I/O manager: ReadFile and
 *    WriteFile return FALSE with the error, and neither the OVERLAPPED, nor the event,
 *    nor the completion port sees it (so an application handles such a failure where
 *    the call returns, and only there). A warning such as STATUS_BUFFER_OVERFLOW is
 *    reported as a failure by the call (ERROR_MORE_DATA, since it is not NT_SUCCESS)
 *    and still completes through the OVERLAPPED, the event and the port, as a success
 *    does.
 *
 * A synchronous (non-overlapped) handle waits for the completion inside the call and
 * serializes its synchronous I/O as the I/O manager does for a file object opened for
 * synchronous I/O. The buffers and OVERLAPPED structures belong to the caller and must
 * stay valid until the operation completes, as on Windows.
 */
#include <stdlib.h>
#include <string.h>

#include "win32/win32p.h"

struct KH_W32_OP {
    KH_W32_OP *Next; /* in File->Ops, under the dispatcher lock */
    KH_W32_OP *Prev;
    atomic_int RefCount;     /* the operation itself plus cancellers holding it */
    KH_W32_FILE *File;       /* referenced */
    OVERLAPPED *Overlapped;  /* the caller's, or NULL */
    KH_W32_EVENT *Event;     /* referenced, or NULL */
    bool SkipPort;           /* low bit of hEvent */
    uint64_t ThreadId;       /* issuing thread, for CancelIo */
    KH_W32_PACKET *Packet;   /* preallocated completion packet (overlapped handles) */
    /* Under the dispatcher lock: */
    bool Submitting;         /* the issuing call has not finished with it yet */
    bool CancelRequested;    /* CancelIo(Ex) or cleanup asked for it (see IssueIo) */
    bool Completed;
    KH_STATUS Status;
    uint64_t Information;
    KH_W32_WAIT_BLOCK WaitList; /* the issuing call waits here for Completed */
};

/* ------------------------------------------------------------------ file objects */

static void DeleteFileObject(KH_W32_OBJECT *Object)
{
    KH_W32_FILE *File = (KH_W32_FILE *)Object;
    if (File->Port != NULL) {
        KhW32Dereference(&File->Port->Header);
    }
    free(File);
}

void KhW32ReleaseFileUser(KH_W32_FILE *File)
{
    if (atomic_fetch_sub(&File->KhUsers, 1) == 1) {
        /* No handle and no call in progress: drop the I/O manager's file (IRP_MJ_CLOSE
           follows once its last IRP has completed). */
        KmdfHostCloseFile(File->Kh);
    }
}

void KhW32CloseFile(KH_W32_FILE *File)
{
    /* The last handle closes: IRP_MJ_CLEANUP, after the I/O manager cancels the file's
       pending IRPs; they complete as STATUS_CANCELLED through the usual path. */
    KhW32LockDispatcher();
    for (KH_W32_OP *Op = File->Ops; Op != NULL; Op = Op->Next) {
        Op->CancelRequested = true;
    }
    KhW32UnlockDispatcher();
    KmdfHostCleanupFile(File->Kh);
    KhW32ReleaseHandleReference(&File->Header);
}

static char *PathToUtf8(LPCWSTR Path)
{
    char *Utf8 = KhW32WideToUtf8(Path);
    /* "\\.\" and "\\?\" both name the Win32 device namespace (\GLOBAL??). */
    if (Utf8 != NULL && strncmp(Utf8, "\\\\.\\", 4) == 0) {
        Utf8[2] = '?';
    }
    return Utf8;
}

/*
 * CreateFileW on a device interface path ("\\?\ROOT#ECHO#0000#{...}"), as SetupAPI
 * returns it. Access and share modes are accepted and not enforced: the host has no
 * security descriptors, and a device that wants one opener at a time says so to the
 * framework (exclusive device) or in its EvtDeviceFileCreate. Only
 * OPEN_EXISTING and OPEN_ALWAYS can open a device; the other valid dispositions would
 * create a file, which a device namespace does not allow (ERROR_INVALID_PARAMETER); an
 * out-of-range disposition is ERROR_INVALID_PARAMETER as documented. A path that names
 * no present interface fails with the mapping of STATUS_OBJECT_NAME_NOT_FOUND,
 * ERROR_FILE_NOT_FOUND. FILE_FLAG_OVERLAPPED makes the handle asynchronous.
 */
KMDFHOST_API HANDLE CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                                LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
                                HANDLE hTemplateFile)
{
    (void)dwDesiredAccess;
    (void)dwShareMode;
    (void)lpSecurityAttributes;
    (void)hTemplateFile;
    if (lpFileName == NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    if (dwCreationDisposition != OPEN_EXISTING && dwCreationDisposition != OPEN_ALWAYS) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    char *Path = PathToUtf8(lpFileName);
    if (Path == NULL) {
        KhW32SetLastError(lpFileName[0] == L'\0' ? ERROR_PATH_NOT_FOUND : ERROR_INVALID_NAME);
        return INVALID_HANDLE_VALUE;
    }
    KH_W32_FILE *File = calloc(1, sizeof(*File));
    if (File == NULL) {
        free(Path);
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    KH_FILE *Kh = NULL;
    KH_STATUS Status = KmdfHostCreateFile(Path, &Kh);
    free(Path);
    if (!KH_NT_SUCCESS(Status)) {
        free(File);
        KhW32FailStatus(Status);
        return INVALID_HANDLE_VALUE;
    }
    KhW32InitObject(&File->Header, KhW32TypeFile, DeleteFileObject);
    File->Kh = Kh;
    atomic_init(&File->KhUsers, 1);
    File->Overlapped = (dwFlagsAndAttributes & FILE_FLAG_OVERLAPPED) != 0;
    KhW32InitWaitList(&File->SyncWaitList);
    HANDLE Handle = KhW32InsertHandle(&File->Header);
    if (Handle == NULL) {
        KmdfHostCleanupFile(Kh);
        KmdfHostCloseFile(Kh);
        free(File);
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    /* OPEN_ALWAYS on something that exists reports ERROR_ALREADY_EXISTS; otherwise a
       successful CreateFileW leaves ERROR_SUCCESS. */
    KhW32SetLastError(dwCreationDisposition == OPEN_ALWAYS ? ERROR_ALREADY_EXISTS
                                                           : ERROR_SUCCESS);
    return Handle;
}

/* ------------------------------------------------------------------ operations */

static void ReleaseOp(KH_W32_OP *Op)
{
    if (atomic_fetch_sub(&Op->RefCount, 1) == 1) {
        free(Op);
    }
}

static void LinkOpLocked(KH_W32_FILE *File, KH_W32_OP *Op)
{
    Op->Prev = NULL;
    Op->Next = File->Ops;
    if (File->Ops != NULL) {
        File->Ops->Prev = Op;
    }
    File->Ops = Op;
}

static void UnlinkOpLocked(KH_W32_FILE *File, KH_W32_OP *Op)
{
    if (Op->Prev != NULL) {
        Op->Prev->Next = Op->Next;
    } else {
        File->Ops = Op->Next;
    }
    if (Op->Next != NULL) {
        Op->Next->Prev = Op->Prev;
    }
    Op->Next = Op->Prev = NULL;
}

/*
 * The I/O manager's completion of an operation towards the caller (step 3 and 4 of the
 * header comment). SyncReturn: the dispatch routine returned the final status rather
 * than STATUS_PENDING. Dispatcher lock held.
 */
static void DeliverLocked(KH_W32_OP *Op, bool SyncReturn)
{
    KH_W32_FILE *File = Op->File;
    UnlinkOpLocked(File, Op);
    if (SyncReturn && KH_NT_ERROR(Op->Status)) {
        return;
    }
    if (Op->Overlapped != NULL) {
        /* The caller may poll Internal from another thread (HasOverlappedIoCompleted):
           the byte count is published before the status. */
        __atomic_store_n(&Op->Overlapped->InternalHigh, (ULONG_PTR)Op->Information,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&Op->Overlapped->Internal, (ULONG_PTR)(uint32_t)Op->Status,
                         __ATOMIC_RELEASE);
    }
    if (Op->Event != NULL) {
        KhW32SetEventLocked(Op->Event);
    }
    /* The file object's own event is what an overlapped request without an event
       signals ("If an event is not used, each completed I/O operation will signal the
       file, named pipe, or communications device", Synchronization and Overlapped Input
       and Output); a request with an explicit event signals only that event, unless
       the file object is synchronous, whose event marks the end of every request. */
    if (!(File->NotificationModes & FILE_SKIP_SET_EVENT_ON_HANDLE) &&
        (Op->Event == NULL || !File->Overlapped)) {
        File->Signaled = true;
        KhW32WakeWaiters(&File->Header);
    }
    bool SkipOnSuccess = SyncReturn && KH_NT_SUCCESS(Op->Status) &&
                         (File->NotificationModes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    if (File->Port != NULL && Op->Packet != NULL && !Op->SkipPort && !SkipOnSuccess) {
        Op->Packet->Key = File->Key;
        Op->Packet->Information = (ULONG_PTR)Op->Information;
        Op->Packet->Overlapped = Op->Overlapped;
        Op->Packet->Status = Op->Status;
        KhW32QueuePacketLocked(File->Port, Op->Packet);
        Op->Packet = NULL;
    }
}

/* What is left after delivery, outside the dispatcher lock. */
static void RetireOp(KH_W32_OP *Op)
{
    free(Op->Packet);
    Op->Packet = NULL;
    if (Op->Event != NULL) {
        KhW32Dereference(&Op->Event->Header);
    }
    KhW32Dereference(&Op->File->Header);
    ReleaseOp(Op);
}

/* KH_IO_COMPLETION: runs once per IRP, on whatever thread completes it. */
static void OnIoComplete(void *Context, KH_STATUS Status, uint64_t Information)
{
    KH_W32_OP *Op = Context;
    KhW32LockDispatcher();
    Op->Completed = true;
    Op->Status = Status;
    Op->Information = Information;
    if (Op->Submitting) {
        /* The issuing call is still running: it delivers, knowing how the dispatch
           routine returned. Op must not be touched after the unlock. */
        KhW32WakeList(&Op->WaitList);
        KhW32UnlockDispatcher();
        return;
    }
    DeliverLocked(Op, false);
    KhW32UnlockDispatcher();
    RetireOp(Op);
}

typedef struct FILE_WAIT {
    KH_W32_FILE *File;
    KH_W32_OP *Op;
} FILE_WAIT;

static bool CheckSyncFree(void *Context)
{
    KH_W32_FILE *File = ((FILE_WAIT *)Context)->File;
    if (File->SyncBusy) {
        return false;
    }
    File->SyncBusy = true;
    return true;
}

static bool CheckOpCompleted(void *Context)
{
    return ((FILE_WAIT *)Context)->Op->Completed;
}

typedef struct IO_RESULT {
    BOOL Pending;        /* overlapped, pended by the driver: ERROR_IO_PENDING */
    KH_STATUS Status;    /* final status otherwise */
    uint64_t Information;
} IO_RESULT;

/*
 * Issues one read, write or device control on File. Returns FALSE with the last error
 * set for a failure to start it (bad parameters, no memory); TRUE otherwise, with Result
 * telling whether it is pending or how it ended.
 */
static BOOL IssueIo(KH_W32_FILE *File, uint8_t Major, DWORD Code, void *Buffer, DWORD Length,
                    void *Output, DWORD OutputLength, OVERLAPPED *Overlapped, IO_RESULT *Result)
{
    if (File->Overlapped && Overlapped == NULL) {
        /* An asynchronous file object needs an OVERLAPPED (and its offset). */
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    KH_W32_OP *Op = calloc(1, sizeof(*Op));
    if (Op == NULL) {
        return KhW32Fail(ERROR_NO_SYSTEM_RESOURCES);
    }
    KH_W32_EVENT *Event = NULL;
    if (Overlapped != NULL && Overlapped->hEvent != NULL) {
        Event = (KH_W32_EVENT *)KhW32ReferenceHandle(Overlapped->hEvent, KhW32TypeEvent);
        if (Event == NULL) {
            free(Op);
            return KhW32Fail(ERROR_INVALID_HANDLE);
        }
        Op->SkipPort = ((uintptr_t)Overlapped->hEvent & 1u) != 0;
    }
    if (File->Overlapped) {
        Op->Packet = calloc(1, sizeof(*Op->Packet));
        if (Op->Packet == NULL) {
            if (Event != NULL) {
                KhW32Dereference(&Event->Header);
            }
            free(Op);
            return KhW32Fail(ERROR_NO_SYSTEM_RESOURCES);
        }
    }
    atomic_init(&Op->RefCount, 1);
    KhW32InitWaitList(&Op->WaitList);
    KhW32Reference(&File->Header);
    Op->File = File;
    Op->Overlapped = Overlapped;
    Op->Event = Event;
    Op->ThreadId = HosCurrentThreadId();
    Op->Submitting = true;

    FILE_WAIT Wait = {File, Op};
    KH_W32_WAIT_BLOCK *SyncList = &File->SyncWaitList;
    KhW32LockDispatcher();
    if (!File->Overlapped) {
        /* One synchronous I/O at a time per file object (FO_SYNCHRONOUS_IO). */
        KhW32WaitLocked(&SyncList, 1, CheckSyncFree, &Wait, UINT64_MAX);
    }
    if (Overlapped != NULL) {
        __atomic_store_n(&Overlapped->Internal, (ULONG_PTR)(uint32_t)KH_STATUS_PENDING,
                         __ATOMIC_RELAXED);
    }
    if (Event != NULL) {
        Event->Signaled = false;
    }
    File->Signaled = false;
    LinkOpLocked(File, Op);
    KhW32UnlockDispatcher();

    KH_STATUS Returned = KmdfHostSubmitIo(File->Kh, Major, Code, Buffer, Length, Output,
                                          OutputLength, OnIoComplete, Op);

    bool Retire = false;
    KhW32LockDispatcher();
    if (Returned == KH_STATUS_PENDING && Op->CancelRequested && !Op->Completed) {
        /* A cancel came while the IRP was on its way to the driver, possibly before the
           I/O manager knew it: as Windows marks such an IRP cancelled for the driver to
           see, cancel it again now that it is known. The reference keeps Op (the IRP's
           context) alive even if it completes meanwhile. */
        atomic_fetch_add(&Op->RefCount, 1);
        KhW32UnlockDispatcher();
        KmdfHostCancelIo(File->Kh, Op);
        ReleaseOp(Op);
        KhW32LockDispatcher();
    }
    if (!File->Overlapped || Returned != KH_STATUS_PENDING) {
        /* A synchronous handle waits for the end; a final status returned by the
           dispatch routine means the IRP has completed (its callback may still be on
           its way from another thread). */
        KH_W32_WAIT_BLOCK *OpList = &Op->WaitList;
        KhW32WaitLocked(&OpList, 1, CheckOpCompleted, &Wait, UINT64_MAX);
    }
    Result->Pending = FALSE;
    if (Op->Completed) {
        DeliverLocked(Op, Returned != KH_STATUS_PENDING);
        Result->Status = Op->Status;
        Result->Information = Op->Information;
        /* NtReadFile, NtWriteFile and NtDeviceIoControlFile return what the dispatch
           routine returned. On an overlapped handle an IRP that the driver pended is
           "completing asynchronously" to the caller (FALSE, ERROR_IO_PENDING) even when
           it has completed by now: its result is delivered through the OVERLAPPED, the
           event and the port only, and FILE_SKIP_COMPLETION_PORT_ON_SUCCESS does not
           skip its packet ("A request returns success immediately without returning
           ERROR_PENDING"), so the caller handles it exactly once. */
        Result->Pending = File->Overlapped && Returned == KH_STATUS_PENDING;
        Retire = true;
    } else {
        Op->Submitting = false;
        Result->Pending = TRUE;
    }
    if (!File->Overlapped) {
        File->SyncBusy = false;
        KhW32WakeList(&File->SyncWaitList);
    }
    KhW32UnlockDispatcher();
    if (Retire) {
        RetireOp(Op);
    }
    return TRUE;
}

/*
 * Turns an issued operation into what ReadFile, WriteFile and DeviceIoControl return.
 * On an overlapped handle: ERROR_IO_PENDING when the dispatch routine returned
 * STATUS_PENDING; TRUE with the byte count for a success returned at once; otherwise
 * FALSE with the mapped status (a warning such as STATUS_BUFFER_OVERFLOW included). On
 * a synchronous handle the byte count is also reported for warnings ("ERROR_MORE_DATA
 * ... lpBytesReturned indicates the amount of data received"), and a read that reaches
 * the end of the file succeeds with 0 bytes ("When a synchronous read operation reaches
 * the end of a file, ReadFile returns TRUE and sets *lpNumberOfBytesRead to zero").
 */
static BOOL IoReturn(const IO_RESULT *Result, bool Synchronous, bool IsRead, LPDWORD Bytes)
{
    if (Result->Pending) {
        return KhW32Fail(ERROR_IO_PENDING);
    }
    if (KH_NT_SUCCESS(Result->Status)) {
        if (Bytes != NULL) {
            *Bytes = (DWORD)Result->Information;
        }
        return TRUE;
    }
    if (Synchronous && IsRead && Result->Status == KH_STATUS_END_OF_FILE) {
        if (Bytes != NULL) {
            *Bytes = 0;
        }
        return TRUE;
    }
    if (Synchronous && KH_NT_WARNING(Result->Status) && Bytes != NULL) {
        *Bytes = (DWORD)Result->Information;
    }
    return KhW32FailStatus(Result->Status);
}

static BOOL DoIo(HANDLE Handle, uint8_t Major, DWORD Code, void *Buffer, DWORD Length,
                 void *Output, DWORD OutputLength, LPDWORD Bytes, OVERLAPPED *Overlapped)
{
    /* "sets this value to zero before doing any work or error checking" */
    if (Bytes != NULL) {
        *Bytes = 0;
    }
    KH_W32_FILE *File = (KH_W32_FILE *)KhW32ReferenceHandle(Handle, KhW32TypeFile);
    if (File == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    if (Overlapped == NULL && Bytes == NULL) {
        /* "This parameter can be NULL only when the lpOverlapped parameter is not NULL." */
        KhW32ReleaseHandleReference(&File->Header);
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    IO_RESULT Result = {FALSE, KH_STATUS_SUCCESS, 0};
    BOOL Issued = IssueIo(File, Major, Code, Buffer, Length, Output, OutputLength, Overlapped,
                          &Result);
    bool Synchronous = !File->Overlapped;
    if (!Issued) {
        /* The last error is set; keep it from being overwritten. */
        DWORD Error = GetLastError();
        KhW32ReleaseHandleReference(&File->Header);
        return KhW32Fail(Error);
    }
    KhW32ReleaseHandleReference(&File->Header);
    return IoReturn(&Result, Synchronous, Major == KH_IRP_MJ_READ, Bytes);
}

KMDFHOST_API BOOL ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                           LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped)
{
    return DoIo(hFile, KH_IRP_MJ_READ, 0, lpBuffer, nNumberOfBytesToRead, NULL, 0,
                lpNumberOfBytesRead, lpOverlapped);
}

KMDFHOST_API BOOL WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                            LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped)
{
    /* The I/O manager only reads a write's buffer (buffered I/O copies it in at
       submission), so dropping const here is sound. */
    return DoIo(hFile, KH_IRP_MJ_WRITE, 0, (void *)(uintptr_t)lpBuffer, nNumberOfBytesToWrite,
                NULL, 0, lpNumberOfBytesWritten, lpOverlapped);
}

/*
 * DeviceIoControl: IRP_MJ_DEVICE_CONTROL with the input and output buffers. A driver
 * that does not handle the code lets the framework complete the request with
 * STATUS_INVALID_DEVICE_REQUEST, which the caller sees as ERROR_INVALID_FUNCTION.
 */
KMDFHOST_API BOOL DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer,
                                  DWORD nInBufferSize, LPVOID lpOutBuffer, DWORD nOutBufferSize,
                                  LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped)
{
    return DoIo(hDevice, KH_IRP_MJ_DEVICE_CONTROL, dwIoControlCode, lpInBuffer, nInBufferSize,
                lpOutBuffer, nOutBufferSize, lpBytesReturned, lpOverlapped);
}

/* ------------------------------------------------------------------ results */

/*
 * GetOverlappedResultEx, as documented: when OVERLAPPED.Internal is still
 * STATUS_PENDING, a zero time-out fails with ERROR_IO_INCOMPLETE; otherwise the call
 * waits on hEvent or, when hEvent is NULL, on the file handle itself ("If the hEvent
 * member of the OVERLAPPED structure is NULL, the system uses the state of the hFile
 * handle to signal when the operation has been completed"), and a wait that runs out
 * fails with WAIT_TIMEOUT. Then InternalHigh is the byte count and Internal the status:
 * TRUE for success, FALSE with the mapped error otherwise. bAlertable is ignored (the
 * host has no APCs, so WAIT_IO_COMPLETION never happens).
 */
KMDFHOST_API BOOL GetOverlappedResultEx(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                        LPDWORD lpNumberOfBytesTransferred,
                                        DWORD dwMilliseconds, BOOL bAlertable)
{
    (void)bAlertable;
    if (lpOverlapped == NULL || lpNumberOfBytesTransferred == NULL) {
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    KH_STATUS Status =
        (KH_STATUS)(uint32_t)__atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
    if (Status == KH_STATUS_PENDING) {
        if (dwMilliseconds == 0) {
            return KhW32Fail(ERROR_IO_INCOMPLETE);
        }
        HANDLE Wait = lpOverlapped->hEvent != NULL ? lpOverlapped->hEvent : hFile;
        DWORD Result = WaitForSingleObject(Wait, dwMilliseconds);
        if (Result == WAIT_TIMEOUT) {
            return KhW32Fail(WAIT_TIMEOUT);
        }
        if (Result != WAIT_OBJECT_0) {
            return FALSE; /* WAIT_FAILED: the last error is set */
        }
        Status = (KH_STATUS)(uint32_t)__atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
        if (Status == KH_STATUS_PENDING) {
            /* The object was signalled by something else than this operation. */
            return KhW32Fail(ERROR_IO_INCOMPLETE);
        }
    }
    *lpNumberOfBytesTransferred =
        (DWORD)__atomic_load_n(&lpOverlapped->InternalHigh, __ATOMIC_RELAXED);
    if (!KH_NT_SUCCESS(Status)) {
        return KhW32FailStatus(Status);
    }
    return TRUE;
}

KMDFHOST_API BOOL GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                      LPDWORD lpNumberOfBytesTransferred, BOOL bWait)
{
    return GetOverlappedResultEx(hFile, lpOverlapped, lpNumberOfBytesTransferred,
                                 bWait ? INFINITE : 0, FALSE);
}

/* ------------------------------------------------------------------ cancellation */

/*
 * CancelIo: "Cancels all pending input and output (I/O) operations that are issued by
 * the calling thread for the specified file." Succeeds also when there is nothing to
 * cancel; the cancelled operations complete with ERROR_OPERATION_ABORTED.
 */
KMDFHOST_API BOOL CancelIo(HANDLE hFile)
{
    KH_W32_FILE *File = (KH_W32_FILE *)KhW32ReferenceHandle(hFile, KhW32TypeFile);
    if (File == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    uint64_t Thread = HosCurrentThreadId();
    size_t Count = 0;
    KH_W32_OP **Ops = NULL;
    KhW32LockDispatcher();
    for (KH_W32_OP *Op = File->Ops; Op != NULL; Op = Op->Next) {
        Count += Op->ThreadId == Thread;
    }
    if (Count != 0) {
        Ops = malloc(Count * sizeof(*Ops));
    }
    size_t Taken = 0;
    if (Ops != NULL) {
        for (KH_W32_OP *Op = File->Ops; Op != NULL; Op = Op->Next) {
            if (Op->ThreadId == Thread) {
                Op->CancelRequested = true;
                atomic_fetch_add(&Op->RefCount, 1);
                Ops[Taken++] = Op;
            }
        }
    }
    KhW32UnlockDispatcher();
    if (Count != 0 && Ops == NULL) {
        KhW32ReleaseHandleReference(&File->Header);
        return KhW32Fail(ERROR_NOT_ENOUGH_MEMORY);
    }
    /* Outside the lock: cancellation may complete an IRP on this very thread. The
       references keep each Op (the IRP's context) from being reused meanwhile. */
    for (size_t i = 0; i < Taken; i++) {
        KmdfHostCancelIo(File->Kh, Ops[i]);
        ReleaseOp(Ops[i]);
    }
    free(Ops);
    KhW32ReleaseHandleReference(&File->Header);
    return TRUE;
}

/*
 * CancelIoEx: with lpOverlapped NULL, "all I/O requests issued for hFile by any thread
 * in the calling process are canceled"; otherwise only the request of that OVERLAPPED.
 * "If this function cannot find a request to cancel, the return value is 0 (zero), and
 * GetLastError returns ERROR_NOT_FOUND."
 */
KMDFHOST_API BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)
{
    KH_W32_FILE *File = (KH_W32_FILE *)KhW32ReferenceHandle(hFile, KhW32TypeFile);
    if (File == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    size_t Found = 0;
    if (lpOverlapped == NULL) {
        /* The file's list of outstanding operations decides whether there was anything
           to cancel: an operation whose IRP is still on its way to the driver counts
           (IssueIo cancels it once it is known). */
        KhW32LockDispatcher();
        for (KH_W32_OP *Op = File->Ops; Op != NULL; Op = Op->Next) {
            Op->CancelRequested = true;
            Found++;
        }
        KhW32UnlockDispatcher();
        KmdfHostCancelIo(File->Kh, NULL);
    } else {
        KH_W32_OP *Target = NULL;
        KhW32LockDispatcher();
        for (KH_W32_OP *Op = File->Ops; Op != NULL; Op = Op->Next) {
            if (Op->Overlapped == lpOverlapped) {
                Op->CancelRequested = true;
                Target = Op;
                atomic_fetch_add(&Op->RefCount, 1);
                break;
            }
        }
        KhW32UnlockDispatcher();
        if (Target != NULL) {
            KmdfHostCancelIo(File->Kh, Target);
            ReleaseOp(Target);
            Found = 1;
        }
    }
    KhW32ReleaseHandleReference(&File->Header);
    if (Found == 0) {
        return KhW32Fail(ERROR_NOT_FOUND);
    }
    return TRUE;
}

/*
 * SetFileCompletionNotificationModes: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (no packet
 * when a request succeeds at once) and FILE_SKIP_SET_EVENT_ON_HANDLE (the file object's
 * own event is not set; "If an explicit event is provided for the request, it is still
 * signaled"). Modes accumulate and cannot be turned off again.
 */
KMDFHOST_API BOOL SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags)
{
    if (Flags & ~(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    KH_W32_FILE *File = (KH_W32_FILE *)KhW32ReferenceHandle(FileHandle, KhW32TypeFile);
    if (File == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    KhW32LockDispatcher();
    File->NotificationModes |= Flags;
    KhW32UnlockDispatcher();
    KhW32ReleaseHandleReference(&File->Header);
    return TRUE;
}
