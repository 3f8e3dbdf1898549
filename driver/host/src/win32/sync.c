/*
 * sync.c - the dispatcher (waitable states and waits), events, WaitForSingleObject and
 * WaitForMultipleObjects.
 *
 * Waitable objects and their signal state, following the synchronization documentation
 * ("Wait Functions", "Synchronization Objects"):
 *   event            signalled by SetEvent; an auto-reset event is reset when it
 *                    satisfies one wait, a manual-reset event stays signalled.
 *   file             the file object's own event: reset when an I/O starts on it and
 *                    set when one completes (so waiting on a file handle waits for "an"
 *                    I/O of that file, which is why GetOverlappedResult prefers hEvent).
 *   completion port  signalled while packets are queued (waiting does not dequeue).
 * Device information sets are not waitable (ERROR_INVALID_HANDLE).
 */
#include <stdlib.h>

#include "win32/win32p.h"

static HOS_MUTEX DispatcherLock;

__attribute__((constructor)) static void KhW32DispatcherInit(void)
{
    HosMutexInit(&DispatcherLock);
}

void KhW32LockDispatcher(void)
{
    HosMutexLock(&DispatcherLock);
}

void KhW32UnlockDispatcher(void)
{
    HosMutexUnlock(&DispatcherLock);
}

void KhW32InitWaitList(KH_W32_WAIT_BLOCK *List)
{
    List->Next = List;
    List->Prev = List;
    List->Waiter = NULL;
}

void KhW32WakeList(KH_W32_WAIT_BLOCK *List)
{
    for (KH_W32_WAIT_BLOCK *Block = List->Next; Block != List; Block = Block->Next) {
        HosCondSignal(&Block->Waiter->Cond);
    }
}

void KhW32WakeWaiters(KH_W32_OBJECT *Object)
{
    KhW32WakeList(&Object->WaitList);
}

uint64_t KhW32Deadline(DWORD Milliseconds)
{
    if (Milliseconds == INFINITE) {
        return UINT64_MAX;
    }
    return HosDeadlineAfter((uint64_t)Milliseconds * 1000000u);
}

bool KhW32WaitLocked(KH_W32_WAIT_BLOCK *const *Lists, size_t Count, KH_W32_WAIT_CHECK *Check,
                     void *Context, uint64_t DeadlineNs)
{
    if (Check(Context)) {
        return true;
    }
    if (DeadlineNs != UINT64_MAX && HosNowNs() >= DeadlineNs) {
        return false;
    }

    KH_W32_WAITER Waiter;
    KH_W32_WAIT_BLOCK Blocks[MAXIMUM_WAIT_OBJECTS + 1];
    HosCondInit(&Waiter.Cond);
    for (size_t i = 0; i < Count; i++) {
        KH_W32_WAIT_BLOCK *List = Lists[i];
        Blocks[i].Waiter = &Waiter;
        Blocks[i].Next = List;
        Blocks[i].Prev = List->Prev;
        List->Prev->Next = &Blocks[i];
        List->Prev = &Blocks[i];
    }

    bool Satisfied = false;
    for (;;) {
        if (DeadlineNs == UINT64_MAX) {
            HosCondWait(&Waiter.Cond, &DispatcherLock);
        } else if (!HosCondWaitUntil(&Waiter.Cond, &DispatcherLock, DeadlineNs)) {
            Satisfied = Check(Context);
            break;
        }
        if (Check(Context)) {
            Satisfied = true;
            break;
        }
    }

    for (size_t i = 0; i < Count; i++) {
        Blocks[i].Prev->Next = Blocks[i].Next;
        Blocks[i].Next->Prev = Blocks[i].Prev;
    }
    HosCondDestroy(&Waiter.Cond);
    return Satisfied;
}

/* ------------------------------------------------------------------ events */

static void DeleteEvent(KH_W32_OBJECT *Object)
{
    free(Object);
}

void KhW32SetEventLocked(KH_W32_EVENT *Event)
{
    Event->Signaled = true;
    KhW32WakeWaiters(&Event->Header);
}

/*
 * CreateEventW: an unnamed event, manual- or auto-reset, initially signalled or not.
 * Named events (shared between processes on Windows) are not supported by the host and
 * fail with ERROR_NOT_SUPPORTED; lpEventAttributes is accepted and ignored (there is no
 * security or handle inheritance in the host).
 */
KMDFHOST_API HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                                 BOOL bInitialState, LPCWSTR lpName)
{
    (void)lpEventAttributes;
    if (lpName != NULL && lpName[0] != L'\0') {
        KhW32SetLastError(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    KH_W32_EVENT *Event = calloc(1, sizeof(*Event));
    if (Event == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    KhW32InitObject(&Event->Header, KhW32TypeEvent, DeleteEvent);
    Event->ManualReset = bManualReset != FALSE;
    Event->Signaled = bInitialState != FALSE;
    HANDLE Handle = KhW32InsertHandle(&Event->Header);
    if (Handle == NULL) {
        free(Event);
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    /* An unnamed event did not exist before: the last error is ERROR_SUCCESS. */
    KhW32SetLastError(ERROR_SUCCESS);
    return Handle;
}

KMDFHOST_API BOOL SetEvent(HANDLE hEvent)
{
    KH_W32_EVENT *Event = (KH_W32_EVENT *)KhW32ReferenceHandle(hEvent, KhW32TypeEvent);
    if (Event == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    KhW32LockDispatcher();
    KhW32SetEventLocked(Event);
    KhW32UnlockDispatcher();
    KhW32ReleaseHandleReference(&Event->Header);
    return TRUE;
}

KMDFHOST_API BOOL ResetEvent(HANDLE hEvent)
{
    KH_W32_EVENT *Event = (KH_W32_EVENT *)KhW32ReferenceHandle(hEvent, KhW32TypeEvent);
    if (Event == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    KhW32LockDispatcher();
    Event->Signaled = false;
    KhW32UnlockDispatcher();
    KhW32ReleaseHandleReference(&Event->Header);
    return TRUE;
}

/* ------------------------------------------------------------------ waits */

typedef struct WAIT_CONTEXT {
    KH_W32_OBJECT **Objects;
    DWORD Count;
    bool WaitAll;
    DWORD Index; /* the object that satisfied a wait-any */
} WAIT_CONTEXT;

static bool IsSignaled(KH_W32_OBJECT *Object)
{
    switch (Object->Type) {
    case KhW32TypeEvent:
        return ((KH_W32_EVENT *)Object)->Signaled;
    case KhW32TypeFile:
        return ((KH_W32_FILE *)Object)->Signaled;
    case KhW32TypePort:
        return ((KH_W32_PORT *)Object)->Head != NULL;
    default:
        return false;
    }
}

/* What satisfying a wait does to the object: an auto-reset event is reset. */
static void Consume(KH_W32_OBJECT *Object)
{
    if (Object->Type == KhW32TypeEvent && !((KH_W32_EVENT *)Object)->ManualReset) {
        ((KH_W32_EVENT *)Object)->Signaled = false;
    }
}

static bool CheckWait(void *Context)
{
    WAIT_CONTEXT *Wait = Context;
    if (Wait->WaitAll) {
        /* "the function returns when the state of all objects is signaled" - and only
           then are the auto-reset events among them reset, all at once. */
        for (DWORD i = 0; i < Wait->Count; i++) {
            if (!IsSignaled(Wait->Objects[i])) {
                return false;
            }
        }
        for (DWORD i = 0; i < Wait->Count; i++) {
            Consume(Wait->Objects[i]);
        }
        Wait->Index = 0;
        return true;
    }
    /* "If more than one object became signaled during the call, this is the array
       index of the signaled object with the smallest index value." */
    for (DWORD i = 0; i < Wait->Count; i++) {
        if (IsSignaled(Wait->Objects[i])) {
            Consume(Wait->Objects[i]);
            Wait->Index = i;
            return true;
        }
    }
    return false;
}

/*
 * WaitForMultipleObjects: WAIT_OBJECT_0 + index (wait-any: the lowest signalled index;
 * wait-all: WAIT_OBJECT_0), WAIT_TIMEOUT, or WAIT_FAILED with the last error set
 * (ERROR_INVALID_PARAMETER for a bad count or, with bWaitAll, a handle given twice;
 * ERROR_INVALID_HANDLE for a handle that is not a waitable object).
 */
KMDFHOST_API DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                          DWORD dwMilliseconds)
{
    if (nCount == 0 || nCount > MAXIMUM_WAIT_OBJECTS || lpHandles == NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    uint64_t Deadline = KhW32Deadline(dwMilliseconds);
    KH_W32_OBJECT *Objects[MAXIMUM_WAIT_OBJECTS];
    KH_W32_WAIT_BLOCK *Lists[MAXIMUM_WAIT_OBJECTS];
    DWORD Referenced = 0;
    DWORD Error = ERROR_SUCCESS;
    for (; Referenced < nCount; Referenced++) {
        KH_W32_OBJECT *Object = KhW32ReferenceHandle(lpHandles[Referenced], KhW32TypeAny);
        if (Object == NULL) {
            Error = ERROR_INVALID_HANDLE;
            break;
        }
        Objects[Referenced] = Object;
        Lists[Referenced] = &Object->WaitList;
        if (Object->Type == KhW32TypeDevInfo) {
            Referenced++;
            Error = ERROR_INVALID_HANDLE;
            break;
        }
        if (bWaitAll) {
            /* "the array cannot contain multiple copies of the same object" (wait-all:
               STATUS_INVALID_PARAMETER_MIX, ERROR_INVALID_PARAMETER). */
            for (DWORD j = 0; j < Referenced; j++) {
                if (Objects[j] == Object) {
                    Error = ERROR_INVALID_PARAMETER;
                }
            }
            if (Error != ERROR_SUCCESS) {
                Referenced++;
                break;
            }
        }
    }

    DWORD Result = WAIT_FAILED;
    if (Error == ERROR_SUCCESS) {
        WAIT_CONTEXT Wait = {Objects, nCount, bWaitAll != FALSE, 0};
        KhW32LockDispatcher();
        bool Satisfied = KhW32WaitLocked(Lists, nCount, CheckWait, &Wait, Deadline);
        KhW32UnlockDispatcher();
        Result = Satisfied ? WAIT_OBJECT_0 + Wait.Index : WAIT_TIMEOUT;
    }
    for (DWORD i = 0; i < Referenced; i++) {
        KhW32ReleaseHandleReference(Objects[i]);
    }
    if (Result == WAIT_FAILED) {
        KhW32SetLastError(Error);
    }
    return Result;
}

KMDFHOST_API DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    return WaitForMultipleObjects(1, &hHandle, FALSE, dwMilliseconds);
}
