/*
 * win32p.h - internals shared by the files of the Win32 surface (kernel32, setupapi).
 *
 * The surface keeps, like the Windows object manager and dispatcher, a handle table of
 * typed, reference-counted objects (events, files, completion ports, device information
 * sets) and one dispatcher lock that guards every waitable state: event states, the
 * signal state of file objects, completion port queues and the lists of threads
 * waiting on them. Waits register a wait block on each object they wait for; signalling
 * an object wakes the threads registered on it, which then re-evaluate their wait.
 *
 * This side is built with the platform's wchar_t and never includes ntddk.h or wdf.h;
 * it reaches the kernel half only through kmdfhost.h.
 */
#ifndef KHWIN32_H
#define KHWIN32_H

#include <stdatomic.h>
#include <stdbool.h>

#include "kmdfhost.h"
#include "kmdfhost_win32.h"
#include "os/hostos.h"

/* ------------------------------------------------------------------ NTSTATUS values */

#define KH_STATUS_SUCCESS ((KH_STATUS)0x00000000)
#define KH_STATUS_TIMEOUT ((KH_STATUS)0x00000102)
#define KH_STATUS_PENDING ((KH_STATUS)0x00000103)
#define KH_STATUS_BUFFER_OVERFLOW ((KH_STATUS)0x80000005)
#define KH_STATUS_CANCELLED ((KH_STATUS)0xC0000120)
#define KH_STATUS_BUFFER_TOO_SMALL ((KH_STATUS)0xC0000023)
#define KH_STATUS_END_OF_FILE ((KH_STATUS)0xC0000011)

#define KH_NT_SUCCESS(s) ((KH_STATUS)(s) >= 0)
/* Severity "error" (0xC...): such a failure returned at once never reaches the caller's
   OVERLAPPED, event or completion port (see file.c). */
#define KH_NT_ERROR(s) ((((uint32_t)(s)) >> 30) == 3u)
#define KH_NT_WARNING(s) ((((uint32_t)(s)) >> 30) == 2u)

/* ------------------------------------------------------------------ last error */

/* Sets the calling thread's last error and errno to Error (JNA reads errno on Linux). */
void KhW32SetLastError(DWORD Error);
/* Sets the last error to the mapping of Status; returns FALSE for `return` chaining. */
BOOL KhW32FailStatus(KH_STATUS Status);
/* Sets the last error to Error; returns FALSE. */
BOOL KhW32Fail(DWORD Error);

/* ------------------------------------------------------------------ objects */

typedef enum KH_W32_TYPE {
    KhW32TypeAny = 0,
    KhW32TypeEvent,
    KhW32TypeFile,
    KhW32TypePort,
    KhW32TypeDevInfo,
} KH_W32_TYPE;

typedef struct KH_W32_WAITER {
    HOS_COND Cond;
} KH_W32_WAITER;

/* One per (waiting thread, object) pair, linked into the object's wait list. */
typedef struct KH_W32_WAIT_BLOCK {
    struct KH_W32_WAIT_BLOCK *Next;
    struct KH_W32_WAIT_BLOCK *Prev;
    KH_W32_WAITER *Waiter;
} KH_W32_WAIT_BLOCK;

typedef struct KH_W32_OBJECT KH_W32_OBJECT;
typedef void KH_W32_DELETE_ROUTINE(KH_W32_OBJECT *Object);

struct KH_W32_OBJECT {
    KH_W32_TYPE Type;
    atomic_long RefCount;
    KH_W32_WAIT_BLOCK WaitList; /* circular, sentinel; under the dispatcher lock */
    KH_W32_DELETE_ROUTINE *Delete;
};

typedef struct KH_W32_EVENT {
    KH_W32_OBJECT Header;
    bool ManualReset;
    bool Signaled; /* under the dispatcher lock */
} KH_W32_EVENT;

/* A completion packet: what GetQueuedCompletionStatus returns. */
typedef struct KH_W32_PACKET {
    struct KH_W32_PACKET *Next;
    ULONG_PTR Key;
    ULONG_PTR Information;
    OVERLAPPED *Overlapped;
    KH_STATUS Status;
} KH_W32_PACKET;

typedef struct KH_W32_PORT {
    KH_W32_OBJECT Header;
    KH_W32_PACKET *Head; /* FIFO, under the dispatcher lock */
    KH_W32_PACKET *Tail;
    bool Closed; /* its handle was closed: waiters get ERROR_ABANDONED_WAIT_0 */
} KH_W32_PORT;

typedef struct KH_W32_OP KH_W32_OP;

typedef struct KH_W32_FILE {
    KH_W32_OBJECT Header;
    KH_FILE *Kh;          /* the I/O manager's file object */
    atomic_int KhUsers;   /* the handle plus calls in progress that use Kh */
    bool Overlapped;      /* opened with FILE_FLAG_OVERLAPPED */
    /* Under the dispatcher lock: */
    bool Signaled;        /* the file object's own event */
    bool SyncBusy;        /* a synchronous I/O holds the file (non-overlapped handles) */
    UCHAR NotificationModes;
    KH_W32_PORT *Port;    /* associated completion port (referenced) */
    ULONG_PTR Key;
    KH_W32_OP *Ops;       /* outstanding operations, doubly linked */
    KH_W32_WAIT_BLOCK SyncWaitList; /* threads waiting for SyncBusy to clear */
} KH_W32_FILE;

typedef struct KH_W32_DEVINFO {
    KH_W32_OBJECT Header;
    GUID ClassGuid;
    size_t Count;
    wchar_t **Paths; /* snapshot taken by SetupDiGetClassDevsW */
} KH_W32_DEVINFO;

/* Initializes an object header with one reference (the creator's). */
void KhW32InitObject(KH_W32_OBJECT *Object, KH_W32_TYPE Type, KH_W32_DELETE_ROUTINE *Delete);
void KhW32Reference(KH_W32_OBJECT *Object);
void KhW32Dereference(KH_W32_OBJECT *Object);

/* ------------------------------------------------------------------ handle table */

/* Enters Object into the table, taking over the caller's reference. NULL if no memory. */
HANDLE KhW32InsertHandle(KH_W32_OBJECT *Object);
/*
 * Looks Handle up (the low two bits are ignored, as Windows ignores them). Returns the
 * object with a new reference, or NULL when the handle is not open or not of Type
 * (KhW32TypeAny for any type). A file's reference also keeps its I/O manager file open
 * (KhUsers). Release with KhW32ReleaseHandleReference.
 */
KH_W32_OBJECT *KhW32ReferenceHandle(HANDLE Handle, KH_W32_TYPE Type);
void KhW32ReleaseHandleReference(KH_W32_OBJECT *Object);
/* Removes Handle from the table; returns its object and the table's reference, or NULL. */
KH_W32_OBJECT *KhW32RemoveHandle(HANDLE Handle, KH_W32_TYPE Type);

/* ------------------------------------------------------------------ dispatcher */

void KhW32LockDispatcher(void);
void KhW32UnlockDispatcher(void);
/* Wakes the threads waiting on Object (dispatcher lock held). */
void KhW32WakeWaiters(KH_W32_OBJECT *Object);
void KhW32WakeList(KH_W32_WAIT_BLOCK *List);
/* Initializes an empty wait list. */
void KhW32InitWaitList(KH_W32_WAIT_BLOCK *List);

typedef bool KH_W32_WAIT_CHECK(void *Context);

/*
 * With the dispatcher lock held: waits until Check(Context) returns true (true) or the
 * deadline (HosNowNs() scale, UINT64_MAX for none) passes (false), waking whenever one
 * of the Count wait lists is signalled. Check runs with the lock held and may consume
 * what it found (an auto-reset event, a queued packet).
 */
bool KhW32WaitLocked(KH_W32_WAIT_BLOCK *const *Lists, size_t Count, KH_W32_WAIT_CHECK *Check,
                     void *Context, uint64_t DeadlineNs);

/* Deadline for a Win32 time-out in milliseconds (INFINITE: none). */
uint64_t KhW32Deadline(DWORD Milliseconds);

/* Sets an event (dispatcher lock held). */
void KhW32SetEventLocked(KH_W32_EVENT *Event);

/* ------------------------------------------------------------------ ports and files */

/* Queues Packet (allocated by the caller) to Port (dispatcher lock held). */
void KhW32QueuePacketLocked(KH_W32_PORT *Port, KH_W32_PACKET *Packet);
/* Closes a port's handle: wakes its waiters with ERROR_ABANDONED_WAIT_0. */
void KhW32ClosePort(KH_W32_PORT *Port);
/* Closes a file's handle: cleanup now, close once no call uses the file any more. */
void KhW32CloseFile(KH_W32_FILE *File);
/* Drops one KhUsers reference; the last one sends close to the I/O manager. */
void KhW32ReleaseFileUser(KH_W32_FILE *File);

/* ------------------------------------------------------------------ strings */

/* UTF-8 to a newly allocated wchar_t string (NULL when out of memory or invalid). */
wchar_t *KhW32Utf8ToWide(const char *Utf8);
/* wchar_t string to newly allocated UTF-8 (NULL when out of memory or invalid). */
char *KhW32WideToUtf8(const wchar_t *Wide);

#endif /* KHWIN32_H */
