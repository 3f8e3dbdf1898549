/*
 * port.c - I/O completion ports: CreateIoCompletionPort, GetQueuedCompletionStatus(Ex),
 * PostQueuedCompletionStatus.
 *
 * A packet carries what the I/O manager puts into it on Windows: the completion key of
 * the file's association, the OVERLAPPED address, and the I/O status block (NTSTATUS and
 * byte count). Packets are dequeued first in, first out. NumberOfConcurrentThreads is
 * accepted and not enforced: the host does not schedule threads.
 */
#include <stdlib.h>

#include "win32/win32p.h"

static void DeletePort(KH_W32_OBJECT *Object)
{
    KH_W32_PORT *Port = (KH_W32_PORT *)Object;
    KH_W32_PACKET *Packet = Port->Head;
    while (Packet != NULL) {
        KH_W32_PACKET *Next = Packet->Next;
        free(Packet);
        Packet = Next;
    }
    free(Port);
}

void KhW32QueuePacketLocked(KH_W32_PORT *Port, KH_W32_PACKET *Packet)
{
    Packet->Next = NULL;
    if (Port->Tail != NULL) {
        Port->Tail->Next = Packet;
    } else {
        Port->Head = Packet;
    }
    Port->Tail = Packet;
    KhW32WakeWaiters(&Port->Header);
}

static KH_W32_PACKET *DequeueLocked(KH_W32_PORT *Port)
{
    KH_W32_PACKET *Packet = Port->Head;
    if (Packet != NULL) {
        Port->Head = Packet->Next;
        if (Port->Head == NULL) {
            Port->Tail = NULL;
        }
    }
    return Packet;
}

void KhW32ClosePort(KH_W32_PORT *Port)
{
    KhW32LockDispatcher();
    Port->Closed = true;
    KhW32WakeWaiters(&Port->Header);
    KhW32UnlockDispatcher();
}

static HANDLE NewPort(KH_W32_PORT **PortOut)
{
    KH_W32_PORT *Port = calloc(1, sizeof(*Port));
    if (Port == NULL) {
        return NULL;
    }
    KhW32InitObject(&Port->Header, KhW32TypePort, DeletePort);
    HANDLE Handle = KhW32InsertHandle(&Port->Header);
    if (Handle == NULL) {
        free(Port);
        return NULL;
    }
    *PortOut = Port;
    return Handle;
}

/*
 * CreateIoCompletionPort:
 * - FileHandle INVALID_HANDLE_VALUE: creates a port "without associating it with a file
 *   handle" (ExistingCompletionPort must be NULL, CompletionKey is ignored);
 * - a file handle and ExistingCompletionPort NULL: creates a port and associates the
 *   file with it;
 * - a file handle and a port: associates the file with that port and returns the port.
 * The file must have been opened with FILE_FLAG_OVERLAPPED and must not be associated
 * already (ERROR_INVALID_PARAMETER otherwise, as NtSetInformationFile(
 * FileCompletionInformation) refuses both).
 */
KMDFHOST_API HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
                                           ULONG_PTR CompletionKey,
                                           DWORD NumberOfConcurrentThreads)
{
    (void)NumberOfConcurrentThreads;
    KH_W32_PORT *Port = NULL;
    if (FileHandle == INVALID_HANDLE_VALUE) {
        if (ExistingCompletionPort != NULL) {
            KhW32SetLastError(ERROR_INVALID_PARAMETER);
            return NULL;
        }
        HANDLE Handle = NewPort(&Port);
        if (Handle == NULL) {
            KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return NULL;
        }
        return Handle;
    }

    KH_W32_FILE *File = (KH_W32_FILE *)KhW32ReferenceHandle(FileHandle, KhW32TypeFile);
    if (File == NULL) {
        KhW32SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    HANDLE PortHandle = ExistingCompletionPort;
    bool Created = false;
    DWORD Error = ERROR_SUCCESS;
    if (PortHandle == NULL) {
        PortHandle = NewPort(&Port);
        if (PortHandle == NULL) {
            Error = ERROR_NOT_ENOUGH_MEMORY;
        } else {
            KhW32Reference(&Port->Header);
            Created = true;
        }
    } else {
        Port = (KH_W32_PORT *)KhW32ReferenceHandle(PortHandle, KhW32TypePort);
        if (Port == NULL) {
            Error = ERROR_INVALID_HANDLE;
        }
    }

    if (Error == ERROR_SUCCESS) {
        KhW32LockDispatcher();
        if (!File->Overlapped || File->Port != NULL) {
            Error = ERROR_INVALID_PARAMETER;
        } else {
            File->Port = Port; /* the association keeps the port object alive */
            KhW32Reference(&Port->Header);
            File->Key = CompletionKey;
        }
        KhW32UnlockDispatcher();
    }

    if (Port != NULL) {
        KhW32Dereference(&Port->Header);
    }
    if (Error != ERROR_SUCCESS && Created) {
        KH_W32_OBJECT *Object = KhW32RemoveHandle(PortHandle, KhW32TypePort);
        if (Object != NULL) {
            KhW32Dereference(Object);
        }
    }
    KhW32ReleaseHandleReference(&File->Header);
    if (Error != ERROR_SUCCESS) {
        KhW32SetLastError(Error);
        return NULL;
    }
    return PortHandle;
}

typedef struct DEQUEUE_CONTEXT {
    KH_W32_PORT *Port;
} DEQUEUE_CONTEXT;

static bool CheckPort(void *Context)
{
    KH_W32_PORT *Port = ((DEQUEUE_CONTEXT *)Context)->Port;
    return Port->Closed || Port->Head != NULL;
}

/*
 * Waits for the port to hold a packet. Returns ERROR_SUCCESS (dispatcher lock held on
 * return, a packet queued), WAIT_TIMEOUT or ERROR_ABANDONED_WAIT_0 ("If a call to
 * GetQueuedCompletionStatus fails because the completion port handle associated with it
 * is closed while the call is outstanding, the function returns FALSE, *lpOverlapped
 * will be NULL, and GetLastError will return ERROR_ABANDONED_WAIT_0").
 */
static DWORD WaitForPacketLocked(KH_W32_PORT *Port, DWORD Milliseconds)
{
    DEQUEUE_CONTEXT Context = {Port};
    KH_W32_WAIT_BLOCK *List = &Port->Header.WaitList;
    bool Ready = KhW32WaitLocked(&List, 1, CheckPort, &Context, KhW32Deadline(Milliseconds));
    if (Port->Closed) {
        return ERROR_ABANDONED_WAIT_0;
    }
    return Ready ? ERROR_SUCCESS : WAIT_TIMEOUT;
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
    KH_W32_PORT *Port = (KH_W32_PORT *)KhW32ReferenceHandle(CompletionPort, KhW32TypePort);
    if (Port == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    KhW32LockDispatcher();
    DWORD Error = WaitForPacketLocked(Port, dwMilliseconds);
    KH_W32_PACKET *Packet = Error == ERROR_SUCCESS ? DequeueLocked(Port) : NULL;
    KhW32UnlockDispatcher();
    KhW32ReleaseHandleReference(&Port->Header);
    if (Packet == NULL) {
        return KhW32Fail(Error);
    }
    KH_STATUS Status = Packet->Status;
    *lpNumberOfBytesTransferred = (DWORD)Packet->Information;
    *lpCompletionKey = Packet->Key;
    *lpOverlapped = Packet->Overlapped;
    free(Packet);
    if (!KH_NT_SUCCESS(Status)) {
        return KhW32FailStatus(Status);
    }
    return TRUE;
}

/*
 * GetQueuedCompletionStatusEx: removes up to ulCount packets at once, waiting for the
 * first. Each OVERLAPPED_ENTRY receives the key, the OVERLAPPED, the byte count and, in
 * Internal, the I/O's NTSTATUS (the entry is the kernel's FILE_IO_COMPLETION_INFORMATION
 * layout); failed I/O does not make the call fail. Time-out: FALSE with WAIT_TIMEOUT.
 * fAlertable is ignored: the host has no APCs.
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
    KH_W32_PORT *Port = (KH_W32_PORT *)KhW32ReferenceHandle(CompletionPort, KhW32TypePort);
    if (Port == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    KH_W32_PACKET *Packets = NULL;
    ULONG Removed = 0;
    KhW32LockDispatcher();
    DWORD Error = WaitForPacketLocked(Port, dwMilliseconds);
    if (Error == ERROR_SUCCESS) {
        KH_W32_PACKET **Tail = &Packets;
        KH_W32_PACKET *Packet;
        while (Removed < ulCount && (Packet = DequeueLocked(Port)) != NULL) {
            *Tail = Packet;
            Tail = &Packet->Next;
            Packet->Next = NULL;
            Removed++;
        }
    }
    KhW32UnlockDispatcher();
    KhW32ReleaseHandleReference(&Port->Header);
    if (Removed == 0) {
        return KhW32Fail(Error);
    }
    ULONG i = 0;
    while (Packets != NULL) {
        KH_W32_PACKET *Next = Packets->Next;
        lpCompletionPortEntries[i].lpCompletionKey = Packets->Key;
        lpCompletionPortEntries[i].lpOverlapped = Packets->Overlapped;
        lpCompletionPortEntries[i].Internal = (ULONG_PTR)(uint32_t)Packets->Status;
        lpCompletionPortEntries[i].dwNumberOfBytesTransferred = (DWORD)Packets->Information;
        free(Packets);
        Packets = Next;
        i++;
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
    KH_W32_PORT *Port = (KH_W32_PORT *)KhW32ReferenceHandle(CompletionPort, KhW32TypePort);
    if (Port == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    KH_W32_PACKET *Packet = calloc(1, sizeof(*Packet));
    if (Packet == NULL) {
        KhW32ReleaseHandleReference(&Port->Header);
        return KhW32Fail(ERROR_NO_SYSTEM_RESOURCES);
    }
    Packet->Key = dwCompletionKey;
    Packet->Information = dwNumberOfBytesTransferred;
    Packet->Overlapped = lpOverlapped;
    Packet->Status = KH_STATUS_SUCCESS;
    KhW32LockDispatcher();
    KhW32QueuePacketLocked(Port, Packet);
    KhW32UnlockDispatcher();
    KhW32ReleaseHandleReference(&Port->Header);
    return TRUE;
}
