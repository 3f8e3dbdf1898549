/*
 * port.c - I/O completion ports: CreateIoCompletionPort, GetQueuedCompletionStatus(Ex),
 * PostQueuedCompletionStatus, on NtCreateIoCompletion, NtSetInformationFile
 * (FileCompletionInformation), NtRemoveIoCompletion(Ex) and NtSetIoCompletion.
 *
 * A packet carries what the I/O manager puts into it: the completion key of the file's
 * association, the ApcContext of the request (kernel32 passes the OVERLAPPED), and the
 * I/O status block (NTSTATUS and byte count). Packets are dequeued first in, first out.
 */
#include "win32/win32p.h"

/*
 * CreateIoCompletionPort:
 * - FileHandle INVALID_HANDLE_VALUE: creates a port "without associating it with a file
 *   handle" (ExistingCompletionPort must be NULL, CompletionKey is ignored);
 * - a file handle and ExistingCompletionPort NULL: creates a port and associates the
 *   file with it;
 * - a file handle and a port: associates the file with that port and returns the port.
 * The file must have been opened with FILE_FLAG_OVERLAPPED and must not be associated
 * already (ERROR_INVALID_PARAMETER otherwise, as NtSetInformationFile(
 * FileCompletionInformation) refuses both). NumberOfConcurrentThreads is passed on.
 */
KMDFHOST_API HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
                                           ULONG_PTR CompletionKey,
                                           DWORD NumberOfConcurrentThreads)
{
    if (FileHandle == INVALID_HANDLE_VALUE && ExistingCompletionPort != NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    HANDLE Port = ExistingCompletionPort;
    if (Port == NULL) {
        NTSTATUS Status = NtCreateIoCompletion(&Port, IO_COMPLETION_ALL_ACCESS, NULL,
                                               NumberOfConcurrentThreads);
        if (!NT_SUCCESS(Status)) {
            KhW32FailStatus(Status);
            return NULL;
        }
    }
    if (FileHandle != INVALID_HANDLE_VALUE) {
        FILE_COMPLETION_INFORMATION Info = {Port, (PVOID)CompletionKey};
        IO_STATUS_BLOCK Iosb;
        NTSTATUS Status = NtSetInformationFile(FileHandle, &Iosb, &Info, sizeof(Info),
                                               FileCompletionInformation);
        if (!NT_SUCCESS(Status)) {
            if (ExistingCompletionPort == NULL) {
                NtClose(Port);
            }
            if (Status == STATUS_OBJECT_TYPE_MISMATCH) {
                KhW32SetLastError(ERROR_INVALID_HANDLE);
            } else {
                KhW32FailStatus(Status);
            }
            return NULL;
        }
    }
    return Port;
}

/* The last error of a removal that found no packet: time-out or a closed port. */
static BOOL FailRemove(NTSTATUS Status)
{
    if (Status == STATUS_TIMEOUT) {
        return KhW32Fail(WAIT_TIMEOUT);
    }
    if (Status == STATUS_ABANDONED_WAIT_0) {
        /* "If a call to GetQueuedCompletionStatus fails because the completion port
           handle associated with it is closed while the call is outstanding, the
           function returns FALSE, *lpOverlapped will be NULL, and GetLastError will
           return ERROR_ABANDONED_WAIT_0." */
        return KhW32Fail(ERROR_ABANDONED_WAIT_0);
    }
    return KhW32FailStatus(Status);
}

/*
 * GetQueuedCompletionStatus, as documented:
 * - a packet of a successful I/O (or a posted packet): TRUE, with the byte count, key
 *   and OVERLAPPED;
 * - a packet of a failed I/O: FALSE, *lpOverlapped set, and the last error is the
 *   I/O's status mapped to a Win32 error (ERROR_OPERATION_ABORTED for a cancelled one);
 * - no packet within the time-out: FALSE, *lpOverlapped NULL, WAIT_TIMEOUT;
 * - the port's handle closed while waiting: FALSE, *lpOverlapped NULL,
 *   ERROR_ABANDONED_WAIT_0.
 */
KMDFHOST_API BOOL GetQueuedCompletionStatus(HANDLE CompletionPort,
                                            LPDWORD lpNumberOfBytesTransferred,
                                            PULONG_PTR lpCompletionKey,
                                            LPOVERLAPPED *lpOverlapped, DWORD dwMilliseconds)
{
    if (lpOverlapped == NULL || lpNumberOfBytesTransferred == NULL || lpCompletionKey == NULL) {
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    *lpOverlapped = NULL;
    PVOID Key = NULL;
    PVOID ApcContext = NULL;
    IO_STATUS_BLOCK Iosb;
    LARGE_INTEGER Storage;
    NTSTATUS Status = NtRemoveIoCompletion(CompletionPort, &Key, &ApcContext, &Iosb,
                                           KhW32Timeout(dwMilliseconds, &Storage));
    if (Status != STATUS_SUCCESS) {
        return FailRemove(Status);
    }
    *lpNumberOfBytesTransferred = (DWORD)Iosb.Information;
    *lpCompletionKey = (ULONG_PTR)Key;
    *lpOverlapped = ApcContext;
    if (!NT_SUCCESS(Iosb.Status)) {
        return KhW32FailStatus(Iosb.Status);
    }
    return TRUE;
}

/*
 * GetQueuedCompletionStatusEx: removes up to ulCount packets at once, waiting for the
 * first. Each OVERLAPPED_ENTRY receives the key, the OVERLAPPED, the byte count and, in
 * Internal, the I/O's NTSTATUS (the entry is the kernel's FILE_IO_COMPLETION_INFORMATION
 * layout); failed I/O does not make the call fail. Time-out: FALSE with WAIT_TIMEOUT.
 * fAlertable is ignored: the host has no APCs, so the wait is never alerted.
 */
KMDFHOST_API BOOL GetQueuedCompletionStatusEx(HANDLE CompletionPort,
                                              LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                              ULONG ulCount, PULONG ulNumEntriesRemoved,
                                              DWORD dwMilliseconds, BOOL fAlertable)
{
    (void)fAlertable;
    if (lpCompletionPortEntries == NULL || ulCount == 0 || ulNumEntriesRemoved == NULL) {
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    *ulNumEntriesRemoved = 0;
    LARGE_INTEGER Storage;
    ULONG Removed = 0;
    NTSTATUS Status = NtRemoveIoCompletionEx(
        CompletionPort, (PFILE_IO_COMPLETION_INFORMATION)(void *)lpCompletionPortEntries, ulCount,
        &Removed, KhW32Timeout(dwMilliseconds, &Storage), 0);
    if (Status != STATUS_SUCCESS) {
        return FailRemove(Status);
    }
    *ulNumEntriesRemoved = Removed;
    return TRUE;
}

/*
 * PostQueuedCompletionStatus: queues a packet with the given values and a successful
 * status, so that GetQueuedCompletionStatus returns TRUE for it.
 */
KMDFHOST_API BOOL PostQueuedCompletionStatus(HANDLE CompletionPort,
                                             DWORD dwNumberOfBytesTransferred,
                                             ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped)
{
    NTSTATUS Status = NtSetIoCompletion(CompletionPort, (PVOID)dwCompletionKey, lpOverlapped,
                                        STATUS_SUCCESS, dwNumberOfBytesTransferred);
    return NT_SUCCESS(Status) ? TRUE : KhW32FailStatus(Status);
}
