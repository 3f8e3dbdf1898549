/*
 * ke.c - the kernel layer: IRQL, spin locks, dispatcher objects (events, semaphores,
 * mutexes), fast and guarded mutexes, time, delays and thread identity.
 *
 * IRQL is tracked per thread. A thread starts at PASSIVE_LEVEL, except the host's DPC
 * thread, which runs at DISPATCH_LEVEL as DPCs and timer routines do on Windows.
 *
 * All dispatcher objects share one lock and one condition variable (the host's
 * "dispatcher lock"): a state change broadcasts, waiters recheck their object. This
 * keeps KEVENT and KSPIN_LOCK plain data, as on Windows, with no per-object
 * initialization or teardown, and every wait goes through hostos.
 *
 * A KSPIN_LOCK holds the id of the thread that owns it (0 when free). Acquiring blocks
 * on the dispatcher condition rather than spinning; the observable semantics (mutual
 * exclusion, DISPATCH_LEVEL while held) are Windows'. Misuse is reported as
 * SPINLOCK_MISUSE: acquiring a lock the thread already holds (a deadlock on Windows),
 * releasing a lock that is not held, releasing a lock another thread holds.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/introduction-to-spin-locks
 */
#include <stdio.h>
#include <time.h>

#include <ntifs.h>

#include "ke/ke.h"

HOS_MUTEX KhDispatcherLock;
HOS_COND KhDispatcherCond;

/* System time (100 ns since 1601) at the moment HosNowNs() was 0. */
static LONGLONG KhSystemTimeBase;

#define KH_EPOCH_DIFFERENCE_100NS 116444736000000000LL /* 1601-01-01 to 1970-01-01 */

__attribute__((constructor)) static void KhKeInit(void)
{
    HosMutexInit(&KhDispatcherLock);
    HosCondInit(&KhDispatcherCond);
    /*
     * The one wall-clock read of the host: it anchors system time to the monotonic
     * clock (hostos), so that system time then advances with HosNowNs.
     */
    LONGLONG now = (LONGLONG)time(NULL) * 10000000LL + KH_EPOCH_DIFFERENCE_100NS;
    KhSystemTimeBase = now - (LONGLONG)(HosNowNs() / 100);
}

/* ------------------------------------------------------------------ threads */

static _Thread_local KH_THREAD KhThread;

KH_THREAD *KhCurrentThread(void)
{
    KH_THREAD *thread = &KhThread;
    if (!thread->IrqlKnown) {
        thread->Irql = HosInDpc() ? DISPATCH_LEVEL : PASSIVE_LEVEL;
        thread->IrqlKnown = true;
    }
    return thread;
}

NTKERNELAPI PKTHREAD NTAPI KeGetCurrentThread(VOID) { return (PKTHREAD)(void *)KhCurrentThread(); }

NTKERNELAPI HANDLE NTAPI PsGetCurrentThreadId(VOID) { return (HANDLE)(uintptr_t)HosCurrentThreadId(); }

/* The host is one process, "System" (process id 4 on Windows). */
NTKERNELAPI HANDLE NTAPI PsGetCurrentProcessId(VOID) { return (HANDLE)(uintptr_t)4; }

NTKERNELAPI PEPROCESS NTAPI IoGetCurrentProcess(VOID)
{
    static char KhSystemProcess;
    return (PEPROCESS)(void *)&KhSystemProcess;
}

/* The host presents one processor: DPCs run one at a time, as on a uniprocessor. */
NTKERNELAPI ULONG NTAPI KeGetCurrentProcessorNumber(VOID) { return 0; }

NTKERNELAPI ULONG NTAPI KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcNumber != NULL) {
        ProcNumber->Group = 0;
        ProcNumber->Number = 0;
        ProcNumber->Reserved = 0;
    }
    return 0;
}

NTKERNELAPI ULONG NTAPI KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
    if (ActiveProcessors != NULL) {
        *ActiveProcessors = 1;
    }
    return 1;
}

ULONG KhSpinLocksHeldByCurrentThread(void) { return KhCurrentThread()->SpinLocksHeld; }

/* ------------------------------------------------------------------ IRQL */

NTHALAPI KIRQL NTAPI KeGetCurrentIrql(VOID) { return KhCurrentThread()->Irql; }

/* KeRaiseIrql: raising to a lower IRQL is a bug (IRQL_NOT_GREATER_OR_EQUAL on Windows). */
NTHALAPI KIRQL NTAPI KfRaiseIrql(KIRQL NewIrql)
{
    KH_THREAD *thread = KhCurrentThread();
    KIRQL old = thread->Irql;
    if (NewIrql < old) {
        KhVerifierReport("IRQL_MISUSE", "KeRaiseIrql to %u from the higher IRQL %u, at %p", (unsigned)NewIrql,
                         (unsigned)old, __builtin_return_address(0));
    }
    thread->Irql = NewIrql;
    return old;
}

/* KeLowerIrql: lowering to a higher IRQL is a bug (IRQL_NOT_LESS_OR_EQUAL on Windows). */
NTHALAPI VOID NTAPI KeLowerIrql(KIRQL NewIrql)
{
    KH_THREAD *thread = KhCurrentThread();
    if (NewIrql > thread->Irql) {
        KhVerifierReport("IRQL_MISUSE", "KeLowerIrql to %u from the lower IRQL %u, at %p", (unsigned)NewIrql,
                         (unsigned)thread->Irql, __builtin_return_address(0));
    }
    thread->Irql = NewIrql;
}

NTHALAPI KIRQL NTAPI KeRaiseIrqlToDpcLevel(VOID)
{
    KH_THREAD *thread = KhCurrentThread();
    KIRQL old = thread->Irql;
    if (old < DISPATCH_LEVEL) {
        thread->Irql = DISPATCH_LEVEL;
    }
    return old;
}

/* ------------------------------------------------------------------ spin locks */

static void KhSpinLockAcquire(PKSPIN_LOCK SpinLock, const void *Caller)
{
    ULONG_PTR self = (ULONG_PTR)HosCurrentThreadId();
    if (HosExploring) {
        HosExplorePoint("KeAcquireSpinLock", NULL, SpinLock, Caller);
    }
    HosMutexLock(&KhDispatcherLock);
    if (*SpinLock == self) {
        HosMutexUnlock(&KhDispatcherLock);
        KhVerifierReport("SPINLOCK_MISUSE",
                         "spin lock %p acquired again by the thread that holds it (a deadlock on Windows), at %p",
                         (void *)SpinLock, Caller);
        return;
    }
    while (*SpinLock != 0) {
        HosExploreNoteWait("KSPIN_LOCK", SpinLock, (uint64_t)*SpinLock);
        HosCondWait(&KhDispatcherCond, &KhDispatcherLock);
        HosExploreNoteWait(NULL, NULL, 0);
    }
    *SpinLock = self;
    HOS_RACE_ACQUIRE(SpinLock);
    HosMutexUnlock(&KhDispatcherLock);
    KhCurrentThread()->SpinLocksHeld++;
}

static void KhSpinLockRelease(PKSPIN_LOCK SpinLock, const void *Caller)
{
    ULONG_PTR self = (ULONG_PTR)HosCurrentThreadId();
    HosMutexLock(&KhDispatcherLock);
    ULONG_PTR owner = *SpinLock;
    if (owner == self) {
        HOS_RACE_RELEASE(SpinLock);
        *SpinLock = 0;
        HosCondBroadcast(&KhDispatcherCond);
        HosMutexUnlock(&KhDispatcherLock);
        KH_THREAD *thread = KhCurrentThread();
        if (thread->SpinLocksHeld > 0) {
            thread->SpinLocksHeld--;
        }
        if (HosExploring) {
            HosExplorePoint("KeReleaseSpinLock", NULL, SpinLock, Caller);
        }
        return;
    }
    HosMutexUnlock(&KhDispatcherLock);
    if (owner == 0) {
        KhVerifierReport("SPINLOCK_MISUSE", "spin lock %p released but not held, at %p", (void *)SpinLock, Caller);
    } else {
        KhVerifierReport("SPINLOCK_MISUSE", "spin lock %p released by thread %llu but held by thread %llu, at %p",
                         (void *)SpinLock, (unsigned long long)self, (unsigned long long)owner, Caller);
    }
}

#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))

NTKERNELAPI KIRQL NTAPI KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KhSpinLockAcquire(SpinLock, KH_CALLER());
    return old;
}

NTKERNELAPI VOID NTAPI KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    KhSpinLockRelease(SpinLock, KH_CALLER());
    KhCurrentThread()->Irql = NewIrql;
}

NTKERNELAPI VOID NTAPI KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { KhSpinLockAcquire(SpinLock, KH_CALLER()); }

NTKERNELAPI VOID NTAPI KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { KhSpinLockRelease(SpinLock, KH_CALLER()); }

NTKERNELAPI BOOLEAN NTAPI KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    ULONG_PTR self = (ULONG_PTR)HosCurrentThreadId();
    BOOLEAN acquired = FALSE;
    HosMutexLock(&KhDispatcherLock);
    if (*SpinLock == 0) {
        *SpinLock = self;
        acquired = TRUE;
        HOS_RACE_ACQUIRE(SpinLock);
    }
    HosMutexUnlock(&KhDispatcherLock);
    if (acquired) {
        KhCurrentThread()->SpinLocksHeld++;
    }
    return acquired;
}

/* TRUE when the lock is free (a hint: it may be taken at once by another thread). */
NTKERNELAPI BOOLEAN NTAPI KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN free = (BOOLEAN)(*SpinLock == 0);
    HosMutexUnlock(&KhDispatcherLock);
    return free;
}

NTKERNELAPI KIRQL NTAPI KeAcquireSpinLockForDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KhSpinLockAcquire(SpinLock, KH_CALLER());
    return old;
}

NTKERNELAPI VOID NTAPI KeReleaseSpinLockForDpc(PKSPIN_LOCK SpinLock, KIRQL OldIrql)
{
    KhSpinLockRelease(SpinLock, KH_CALLER());
    KhCurrentThread()->Irql = OldIrql;
}

NTKERNELAPI VOID NTAPI KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = KeRaiseIrqlToDpcLevel();
    KhSpinLockAcquire(SpinLock, KH_CALLER());
}

NTKERNELAPI VOID NTAPI KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KhSpinLockRelease(LockHandle->LockQueue.Lock, KH_CALLER());
    KhCurrentThread()->Irql = LockHandle->OldIrql;
}

NTKERNELAPI VOID NTAPI KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    KhSpinLockAcquire(SpinLock, KH_CALLER());
}

NTKERNELAPI VOID NTAPI KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KhSpinLockRelease(LockHandle->LockQueue.Lock, KH_CALLER());
}

/* ------------------------------------------------------------------ dispatcher objects */

enum { KhEventNotification = 0, KhEventSynchronization = 1, KhMutantObject = 2, KhQueueObject = 4, KhSemaphoreObject = 5 };

NTKERNELAPI VOID NTAPI KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    Event->Header.Type = (UCHAR)(Type == SynchronizationEvent ? KhEventSynchronization : KhEventNotification);
    Event->Header.Signalling = 0;
    Event->Header.Size = (UCHAR)(sizeof(KEVENT) / sizeof(LONG));
    Event->Header.Reserved1 = 0;
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

/* Returns the previous state. A notification event releases every waiter. */
NTKERNELAPI LONG NTAPI KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    HosMutexLock(&KhDispatcherLock);
    LONG previous = Event->Header.SignalState;
    /* Setting an event happens before the waits it satisfies. */
    HOS_RACE_RELEASE(Event);
    Event->Header.SignalState = 1;
    HosCondBroadcast(&KhDispatcherCond);
    HosMutexUnlock(&KhDispatcherLock);
    return previous;
}

NTKERNELAPI VOID NTAPI KeClearEvent(PRKEVENT Event)
{
    HosMutexLock(&KhDispatcherLock);
    Event->Header.SignalState = 0;
    HosMutexUnlock(&KhDispatcherLock);
}

NTKERNELAPI LONG NTAPI KeResetEvent(PRKEVENT Event)
{
    HosMutexLock(&KhDispatcherLock);
    LONG previous = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    HosMutexUnlock(&KhDispatcherLock);
    return previous;
}

NTKERNELAPI LONG NTAPI KeReadStateEvent(PRKEVENT Event)
{
    HosMutexLock(&KhDispatcherLock);
    LONG state = Event->Header.SignalState;
    HosMutexUnlock(&KhDispatcherLock);
    return state;
}

NTKERNELAPI VOID NTAPI KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    Semaphore->Header.Type = KhSemaphoreObject;
    Semaphore->Header.Signalling = 0;
    Semaphore->Header.Size = (UCHAR)(sizeof(KSEMAPHORE) / sizeof(LONG));
    Semaphore->Header.Reserved1 = 0;
    Semaphore->Header.SignalState = Count;
    InitializeListHead(&Semaphore->Header.WaitListHead);
    Semaphore->Limit = Limit;
}

/* Adds Adjustment to the count; returns the previous count. Exceeding the limit is a bug. */
NTKERNELAPI LONG NTAPI KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    HosMutexLock(&KhDispatcherLock);
    LONG previous = Semaphore->Header.SignalState;
    if (Adjustment <= 0 || previous > Semaphore->Limit - Adjustment) {
        HosMutexUnlock(&KhDispatcherLock);
        /* Windows raises STATUS_SEMAPHORE_LIMIT_EXCEEDED, which in kernel mode is fatal. */
        KeBugCheckEx(0x0000001E /* KMODE_EXCEPTION_NOT_HANDLED */, (ULONG_PTR)(ULONG)STATUS_SEMAPHORE_LIMIT_EXCEEDED,
                     (ULONG_PTR)Semaphore, (ULONG_PTR)previous, (ULONG_PTR)Adjustment);
    }
    HOS_RACE_RELEASE(Semaphore);
    Semaphore->Header.SignalState = previous + Adjustment;
    HosCondBroadcast(&KhDispatcherCond);
    HosMutexUnlock(&KhDispatcherLock);
    return previous;
}

NTKERNELAPI LONG NTAPI KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    HosMutexLock(&KhDispatcherLock);
    LONG state = Semaphore->Header.SignalState;
    HosMutexUnlock(&KhDispatcherLock);
    return state;
}

/* A mutex is signalled (SignalState 1) when free; its owner may acquire it recursively. */
NTKERNELAPI VOID NTAPI KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    (void)Level;
    Mutex->Header.Type = KhMutantObject;
    Mutex->Header.Signalling = 0;
    Mutex->Header.Size = (UCHAR)(sizeof(KMUTEX) / sizeof(LONG));
    Mutex->Header.Reserved1 = 0;
    Mutex->Header.SignalState = 1;
    InitializeListHead(&Mutex->Header.WaitListHead);
    InitializeListHead(&Mutex->MutantListEntry);
    Mutex->OwnerThread = NULL;
    Mutex->Abandoned = FALSE;
    Mutex->ApcDisable = 1;
}

NTKERNELAPI LONG NTAPI KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    (void)Wait;
    PKTHREAD self = KeGetCurrentThread();
    HosMutexLock(&KhDispatcherLock);
    LONG previous = Mutex->Header.SignalState;
    if (Mutex->OwnerThread != self) {
        HosMutexUnlock(&KhDispatcherLock);
        KeBugCheckEx(0x00000011 /* THREAD_NOT_MUTEX_OWNER */,
                     (ULONG_PTR)Mutex, (ULONG_PTR)self, 0, 0);
    }
    HOS_RACE_RELEASE(Mutex);
    Mutex->Header.SignalState++;
    if (Mutex->Header.SignalState == 1) {
        Mutex->OwnerThread = NULL;
        HosCondBroadcast(&KhDispatcherCond);
    }
    HosMutexUnlock(&KhDispatcherLock);
    return previous;
}

NTKERNELAPI LONG NTAPI KeReadStateMutex(PRKMUTEX Mutex)
{
    HosMutexLock(&KhDispatcherLock);
    LONG state = Mutex->Header.SignalState;
    HosMutexUnlock(&KhDispatcherLock);
    return state;
}

/* Under the dispatcher lock: is Object signalled for this thread? */
static bool KhObjectSignalled(PDISPATCHER_HEADER Header, PKTHREAD Self)
{
    if (Header->Type == KhMutantObject) {
        return Header->SignalState > 0 || ((PKMUTEX)Header)->OwnerThread == Self;
    }
    return Header->SignalState > 0;
}

/* Under the dispatcher lock: the side effect of a satisfied wait. */
static void KhObjectAcquire(PDISPATCHER_HEADER Header, PKTHREAD Self)
{
    /* A satisfied wait comes after the signal that satisfied it. */
    HOS_RACE_ACQUIRE(Header);
    switch (Header->Type) {
    case KhEventSynchronization:
    case 9: /* a synchronization timer (KiTimerSynchronizationObject) releases one waiter */
        Header->SignalState = 0;
        break;
    case KhSemaphoreObject:
        Header->SignalState--;
        break;
    case KhMutantObject:
        Header->SignalState--;
        ((PKMUTEX)Header)->OwnerThread = Self;
        break;
    default:
        break;
    }
}

/* The deadline of a kernel time-out (NULL: none; negative: relative; positive: absolute). */
static uint64_t KhTimeoutDeadline(PLARGE_INTEGER Timeout)
{
    if (Timeout == NULL) {
        return UINT64_MAX;
    }
    LONGLONG value = Timeout->QuadPart;
    if (value <= 0) {
        uint64_t relative = (uint64_t)(-value) * 100u;
        return HosDeadlineAfter(relative);
    }
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    LONGLONG remaining = value - now.QuadPart;
    return HosDeadlineAfter(remaining > 0 ? (uint64_t)remaining * 100u : 0);
}

static void KhCheckWaitIrql(PLARGE_INTEGER Timeout, const void *Caller)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql >= DISPATCH_LEVEL && (Timeout == NULL || Timeout->QuadPart != 0)) {
        KhVerifierReport("IRQL_TOO_HIGH_FOR_WAIT", "wait with a nonzero time-out at IRQL %u, at %p", (unsigned)irql,
                         Caller);
    }
}

NTKERNELAPI NTSTATUS NTAPI KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                                    KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                                    BOOLEAN Alertable, PLARGE_INTEGER Timeout, PVOID WaitBlockArray)
{
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;
    (void)WaitBlockArray;
    if (Count == 0 || Count > MAXIMUM_WAIT_OBJECTS) {
        return STATUS_INVALID_PARAMETER;
    }
    KhCheckWaitIrql(Timeout, KH_CALLER());
    PKTHREAD self = KeGetCurrentThread();
    uint64_t deadline = KhTimeoutDeadline(Timeout);
    HosMutexLock(&KhDispatcherLock);
    for (;;) {
        if (WaitType == WaitAny) {
            for (ULONG i = 0; i < Count; i++) {
                PDISPATCHER_HEADER header = Object[i];
                if (KhObjectSignalled(header, self)) {
                    KhObjectAcquire(header, self);
                    HosMutexUnlock(&KhDispatcherLock);
                    return STATUS_WAIT_0 + (NTSTATUS)i;
                }
            }
        } else {
            ULONG signalled = 0;
            for (ULONG i = 0; i < Count; i++) {
                if (KhObjectSignalled(Object[i], self)) {
                    signalled++;
                }
            }
            if (signalled == Count) {
                for (ULONG i = 0; i < Count; i++) {
                    KhObjectAcquire(Object[i], self);
                }
                HosMutexUnlock(&KhDispatcherLock);
                return STATUS_WAIT_0;
            }
        }
        if (deadline != UINT64_MAX && HosNowNs() >= deadline) {
            HosMutexUnlock(&KhDispatcherLock);
            return STATUS_TIMEOUT;
        }
        HosExploreNoteWait("a dispatcher object (KeWaitForMultipleObjects)", Object[0], 0);
        HosCondWaitUntil(&KhDispatcherCond, &KhDispatcherLock, deadline);
        HosExploreNoteWait(NULL, NULL, 0);
    }
}

NTKERNELAPI NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                                 BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    PVOID objects[1] = {Object};
    return KeWaitForMultipleObjects(1, objects, WaitAny, WaitReason, WaitMode, Alertable, Timeout, NULL);
}

/* ------------------------------------------------------------------ kernel queues */

/*
 * A KQUEUE is the dispatcher object behind an I/O completion port: signalled while it
 * holds entries (waiting on it does not remove one), entries first in, first out. Its
 * Header.Signalling byte is the queue's "abandoned" flag (the byte Windows' dispatcher
 * header shares between Signalling and Abandoned): set by KeRundownQueue, after which
 * every removal, waiting or not, returns STATUS_ABANDONED. MaximumCount (the concurrency
 * value) is kept and not enforced: the host does not schedule threads.
 */
NTKERNELAPI VOID NTAPI KeInitializeQueue(PRKQUEUE Queue, ULONG Count)
{
    Queue->Header.Type = KhQueueObject;
    Queue->Header.Signalling = 0;
    Queue->Header.Size = (UCHAR)(sizeof(KQUEUE) / sizeof(LONG));
    Queue->Header.Reserved1 = 0;
    Queue->Header.SignalState = 0;
    InitializeListHead(&Queue->Header.WaitListHead);
    InitializeListHead(&Queue->EntryListHead);
    InitializeListHead(&Queue->ThreadListHead);
    Queue->CurrentCount = 0;
    Queue->MaximumCount = Count != 0 ? Count : KeQueryActiveProcessorCount(NULL);
}

NTKERNELAPI LONG NTAPI KeReadStateQueue(PRKQUEUE Queue)
{
    HosMutexLock(&KhDispatcherLock);
    LONG state = Queue->Header.SignalState;
    HosMutexUnlock(&KhDispatcherLock);
    return state;
}

static LONG KhInsertQueue(PRKQUEUE Queue, PLIST_ENTRY Entry, bool Head)
{
    HosMutexLock(&KhDispatcherLock);
    LONG previous = Queue->Header.SignalState;
    if (Head) {
        InsertHeadList(&Queue->EntryListHead, Entry);
    } else {
        InsertTailList(&Queue->EntryListHead, Entry);
    }
    HOS_RACE_RELEASE(Queue);
    Queue->Header.SignalState = previous + 1;
    HosCondBroadcast(&KhDispatcherCond);
    HosMutexUnlock(&KhDispatcherLock);
    return previous;
}

NTKERNELAPI LONG NTAPI KeInsertQueue(PRKQUEUE Queue, PLIST_ENTRY Entry) { return KhInsertQueue(Queue, Entry, false); }

NTKERNELAPI LONG NTAPI KeInsertHeadQueue(PRKQUEUE Queue, PLIST_ENTRY Entry) { return KhInsertQueue(Queue, Entry, true); }

NTKERNELAPI ULONG NTAPI KeRemoveQueueEx(PRKQUEUE Queue, KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                        PLARGE_INTEGER Timeout, PLIST_ENTRY *EntryArray, ULONG Count)
{
    (void)WaitMode;
    (void)Alertable;
    if (Count == 0) {
        return 0;
    }
    KhCheckWaitIrql(Timeout, KH_CALLER());
    uint64_t deadline = KhTimeoutDeadline(Timeout);
    HosMutexLock(&KhDispatcherLock);
    for (;;) {
        if (Queue->Header.Signalling) {
            HosMutexUnlock(&KhDispatcherLock);
            EntryArray[0] = (PLIST_ENTRY)(ULONG_PTR)STATUS_ABANDONED;
            return 1;
        }
        if (Queue->Header.SignalState > 0) {
            ULONG removed = 0;
            while (removed < Count && !IsListEmpty(&Queue->EntryListHead)) {
                EntryArray[removed++] = RemoveHeadList(&Queue->EntryListHead);
                Queue->Header.SignalState--;
            }
            HOS_RACE_ACQUIRE(Queue);
            HosMutexUnlock(&KhDispatcherLock);
            return removed;
        }
        if (deadline != UINT64_MAX && HosNowNs() >= deadline) {
            HosMutexUnlock(&KhDispatcherLock);
            EntryArray[0] = (PLIST_ENTRY)(ULONG_PTR)STATUS_TIMEOUT;
            return 1;
        }
        HosExploreNoteWait("a queue entry (KeRemoveQueueEx)", Queue, 0);
        HosCondWaitUntil(&KhDispatcherCond, &KhDispatcherLock, deadline);
        HosExploreNoteWait(NULL, NULL, 0);
    }
}

NTKERNELAPI PLIST_ENTRY NTAPI KeRemoveQueue(PRKQUEUE Queue, KPROCESSOR_MODE WaitMode, PLARGE_INTEGER Timeout)
{
    PLIST_ENTRY entry = NULL;
    KeRemoveQueueEx(Queue, WaitMode, FALSE, Timeout, &entry, 1);
    return entry;
}

NTKERNELAPI PLIST_ENTRY NTAPI KeRundownQueue(PRKQUEUE Queue)
{
    HosMutexLock(&KhDispatcherLock);
    PLIST_ENTRY first = NULL;
    if (!IsListEmpty(&Queue->EntryListHead)) {
        /* Unlink the head: the entries stay linked to each other, the last one's Flink
           back at the first. */
        first = Queue->EntryListHead.Flink;
        PLIST_ENTRY last = Queue->EntryListHead.Blink;
        first->Blink = last;
        last->Flink = first;
        InitializeListHead(&Queue->EntryListHead);
    }
    Queue->Header.SignalState = 0;
    Queue->Header.Signalling = 1;
    HosCondBroadcast(&KhDispatcherCond);
    HosMutexUnlock(&KhDispatcherLock);
    return first;
}

/* ------------------------------------------------------------------ fast and guarded mutexes */

static void KhFastMutexAcquire(PFAST_MUTEX FastMutex)
{
    PKTHREAD self = KeGetCurrentThread();
    HosMutexLock(&KhDispatcherLock);
    if (FastMutex->Owner == self) {
        HosMutexUnlock(&KhDispatcherLock);
        KhVerifierReport("MUTEX_MISUSE", "fast mutex %p acquired again by its owner (a deadlock on Windows)",
                         (void *)FastMutex);
        return;
    }
    while (FastMutex->Count == 0) {
        FastMutex->Contention++;
        HosCondWait(&KhDispatcherCond, &KhDispatcherLock);
    }
    FastMutex->Count = 0;
    FastMutex->Owner = self;
    HOS_RACE_ACQUIRE(FastMutex);
    HosMutexUnlock(&KhDispatcherLock);
}

static void KhFastMutexRelease(PFAST_MUTEX FastMutex)
{
    PKTHREAD self = KeGetCurrentThread();
    HosMutexLock(&KhDispatcherLock);
    if (FastMutex->Owner != self) {
        HosMutexUnlock(&KhDispatcherLock);
        KhVerifierReport("MUTEX_MISUSE", "fast mutex %p released by a thread that does not own it", (void *)FastMutex);
        return;
    }
    HOS_RACE_RELEASE(FastMutex);
    FastMutex->Owner = NULL;
    FastMutex->Count = FM_LOCK_BIT;
    HosCondBroadcast(&KhDispatcherCond);
    HosMutexUnlock(&KhDispatcherLock);
}

/* ExAcquireFastMutex raises to APC_LEVEL and keeps the old IRQL in the mutex. */
NTKERNELAPI VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KhFastMutexAcquire(FastMutex);
    FastMutex->OldIrql = old;
}

NTKERNELAPI VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    KIRQL old = (KIRQL)FastMutex->OldIrql;
    KhFastMutexRelease(FastMutex);
    KeLowerIrql(old);
}

NTKERNELAPI BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    PKTHREAD self = KeGetCurrentThread();
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN acquired = (BOOLEAN)(FastMutex->Count != 0);
    if (acquired) {
        FastMutex->Count = 0;
        FastMutex->Owner = self;
        HOS_RACE_ACQUIRE(FastMutex);
    }
    HosMutexUnlock(&KhDispatcherLock);
    if (acquired) {
        FastMutex->OldIrql = old;
    } else {
        KeLowerIrql(old);
    }
    return acquired;
}

NTKERNELAPI VOID FASTCALL ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex) { KhFastMutexAcquire(FastMutex); }
NTKERNELAPI VOID FASTCALL ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex) { KhFastMutexRelease(FastMutex); }

NTKERNELAPI VOID FASTCALL KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex) { ExInitializeFastMutex(Mutex); }
NTKERNELAPI VOID FASTCALL KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex) { KhFastMutexAcquire(Mutex); }
NTKERNELAPI VOID FASTCALL KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex) { KhFastMutexRelease(Mutex); }

NTKERNELAPI BOOLEAN FASTCALL KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    PKTHREAD self = KeGetCurrentThread();
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN acquired = (BOOLEAN)(Mutex->Count != 0);
    if (acquired) {
        Mutex->Count = 0;
        Mutex->Owner = self;
        HOS_RACE_ACQUIRE(Mutex);
    }
    HosMutexUnlock(&KhDispatcherLock);
    return acquired;
}

/* Critical and guarded regions disable APCs; the host has no APCs to disable. */
NTKERNELAPI VOID NTAPI KeEnterCriticalRegion(VOID) { KhCurrentThread()->CriticalRegion++; }
NTKERNELAPI VOID NTAPI KeLeaveCriticalRegion(VOID) { KhCurrentThread()->CriticalRegion--; }
NTKERNELAPI VOID NTAPI KeEnterGuardedRegion(VOID) { KhCurrentThread()->CriticalRegion++; }
NTKERNELAPI VOID NTAPI KeLeaveGuardedRegion(VOID) { KhCurrentThread()->CriticalRegion--; }
NTKERNELAPI BOOLEAN NTAPI KeAreApcsDisabled(VOID)
{
    KH_THREAD *thread = KhCurrentThread();
    return (BOOLEAN)(thread->CriticalRegion > 0 || thread->Irql >= APC_LEVEL);
}
NTKERNELAPI BOOLEAN NTAPI KeAreAllApcsDisabled(VOID) { return (BOOLEAN)(KhCurrentThread()->Irql >= APC_LEVEL); }

/* ------------------------------------------------------------------ time */

NTKERNELAPI VOID NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = KhSystemTimeBase + (LONGLONG)(HosNowNs() / 100);
}

NTKERNELAPI VOID NTAPI KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime) { KeQuerySystemTime(CurrentTime); }

/* Interrupt time: 100 ns units since the host started its clock. */
NTKERNELAPI ULONGLONG NTAPI KeQueryInterruptTime(VOID) { return HosNowNs() / 100; }

NTKERNELAPI ULONGLONG NTAPI KeQueryInterruptTimePrecise(PULONG64 QpcTimeStamp)
{
    uint64_t now = HosNowNs();
    if (QpcTimeStamp != NULL) {
        *QpcTimeStamp = now / 100;
    }
    return now / 100;
}

NTKERNELAPI ULONGLONG NTAPI KeQueryUnbiasedInterruptTime(VOID) { return HosNowNs() / 100; }

/* Clock ticks of KeQueryTimeIncrement (15.625 ms, the Windows default). */
#define KH_TIME_INCREMENT 156250

NTKERNELAPI ULONG NTAPI KeQueryTimeIncrement(VOID) { return KH_TIME_INCREMENT; }

NTKERNELAPI VOID NTAPI KeQueryTickCount(PLARGE_INTEGER CurrentCount)
{
    CurrentCount->QuadPart = (LONGLONG)(HosNowNs() / 100 / KH_TIME_INCREMENT);
}

/* The performance counter runs at 10 MHz, as on current Windows 10 systems. */
NTKERNELAPI LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER counter;
    if (PerformanceFrequency != NULL) {
        PerformanceFrequency->QuadPart = 10000000;
    }
    counter.QuadPart = (LONGLONG)(HosNowNs() / 100);
    return counter;
}

/*
 * KeDelayExecutionThread: the calling thread sleeps for the interval (negative:
 * relative, 100 ns units; positive: until an absolute system time). Not at DISPATCH_LEVEL.
 */
NTKERNELAPI NTSTATUS NTAPI KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    (void)WaitMode;
    (void)Alertable;
    KhCheckWaitIrql(Interval, KH_CALLER());
    uint64_t deadline = KhTimeoutDeadline(Interval);
    HosMutexLock(&KhDispatcherLock);
    while (HosNowNs() < deadline) {
        HosCondWaitUntil(&KhDispatcherCond, &KhDispatcherLock, deadline);
    }
    HosMutexUnlock(&KhDispatcherLock);
    return STATUS_SUCCESS;
}

/* A busy wait, as on Windows; meant for a few microseconds. */
NTHALAPI VOID NTAPI KeStallExecutionProcessor(ULONG MicroSeconds)
{
    uint64_t deadline = HosNowNs() + (uint64_t)MicroSeconds * 1000u;
    while (HosNowNs() < deadline) {
        HosYield();
    }
}

/* ------------------------------------------------------------------ DPCs */

/*
 * The DPC queue: KDPCs linked through DpcListEntry, first in, first out, except that a
 * HighImportance DPC goes to the head ("placed at the beginning of the DPC queue",
 * KeSetImportanceDpc). It is drained on the host's DPC thread (hostos) by one host timer
 * that KeInsertQueueDpc sets due at once, so that inserting allocates nothing and cannot
 * fail, as on Windows. DpcData is non-NULL while the DPC is queued. Everything here is
 * under the dispatcher lock.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/introduction-to-dpc-objects
 */
static PKDPC KiDpcHead;
static PKDPC KiDpcTail;
static ULONG KiDpcRunning;        /* DPC routines running (0 or 1: one DPC thread) */
static ULONG64 KiDpcIdleEpoch;    /* counts the times the queue went idle */
static HOS_TIMER *KiDpcInterrupt; /* drains the queue on the DPC thread */
static HOS_TIMER *KiClock;        /* expires kernel timers on the DPC thread */
static LIST_ENTRY KiTimerList = {&KiTimerList, &KiTimerList};

/* A driver's unload in progress (KhKeDriverUnloadBegin to End), under the dispatcher
   lock: its module's range, the DPCs of its code inserted since the unload routine
   began (or since its last KeFlushQueuedDpcs), and the routine the DPC thread runs. */
static uintptr_t KiUnloadStart;
static uintptr_t KiUnloadEnd;
static ULONG KiUnloadDpcInserts;
static PKDEFERRED_ROUTINE KiUnloadDpcRoutine;
static PKDEFERRED_ROUTINE KiDpcRunningRoutine;

static BOOLEAN KiInUnloadingModule(const void *Address)
{
    return (BOOLEAN)(KiUnloadStart != 0 && (uintptr_t)Address >= KiUnloadStart && (uintptr_t)Address < KiUnloadEnd);
}

#define KI_DPC_QUEUED ((PVOID)(uintptr_t)1)
enum { KiTimerNotificationObject = 8, KiTimerSynchronizationObject = 9 };

static void KiDrainDpcs(void *Context);
static void KiClockExpire(void *Context);

/* Under the dispatcher lock: the two host timers, made on first use. */
static void KiEnsureInterruptsLocked(void)
{
    if (KiDpcInterrupt == NULL) {
        KiDpcInterrupt = HosTimerCreate(KiDrainDpcs, NULL);
    }
    if (KiClock == NULL) {
        KiClock = HosTimerCreate(KiClockExpire, NULL);
    }
    if (KiDpcInterrupt == NULL || KiClock == NULL) {
        HosMutexUnlock(&KhDispatcherLock);
        KeBugCheckEx(0x000000B8 /* ATTEMPTED_SWITCH_FROM_DPC: no DPC machinery */, 0, 0, 0, 0);
    }
}

NTKERNELAPI VOID NTAPI KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    RtlZeroMemory(Dpc, sizeof(*Dpc));
    Dpc->Type = 19; /* DpcObject */
    Dpc->Importance = MediumImportance;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
}

NTKERNELAPI VOID NTAPI KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance) { Dpc->Importance = (UCHAR)Importance; }

/* Under the dispatcher lock. */
static BOOLEAN KiInsertQueueDpcLocked(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    if (Dpc->DpcData != NULL) {
        return FALSE;
    }
    KiEnsureInterruptsLocked();
    Dpc->DpcData = KI_DPC_QUEUED;
    if (KiInUnloadingModule((const void *)Dpc->DeferredRoutine)) {
        KiUnloadDpcInserts++;
        KiUnloadDpcRoutine = Dpc->DeferredRoutine;
    }
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    Dpc->DpcListEntry.Next = NULL;
    if (KiDpcHead == NULL) {
        KiDpcHead = KiDpcTail = Dpc;
    } else if (Dpc->Importance == HighImportance) {
        Dpc->DpcListEntry.Next = &KiDpcHead->DpcListEntry;
        KiDpcHead = Dpc;
    } else {
        KiDpcTail->DpcListEntry.Next = &Dpc->DpcListEntry;
        KiDpcTail = Dpc;
    }
    HosTimerSet(KiDpcInterrupt, 0, 0);
    return TRUE;
}

/*
 * KeInsertQueueDpc: FALSE when the DPC is already queued (the new arguments are then
 * ignored); otherwise queues it with the two arguments its routine receives.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinsertqueuedpc
 */
NTKERNELAPI BOOLEAN NTAPI KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN inserted = KiInsertQueueDpcLocked(Dpc, SystemArgument1, SystemArgument2);
    HosMutexUnlock(&KhDispatcherLock);
    return inserted;
}

/*
 * KeRemoveQueueDpc: takes a queued DPC off the queue (TRUE); FALSE when it was not
 * queued. A routine already running is not waited for (KeFlushQueuedDpcs does that).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keremovequeuedpc
 */
NTKERNELAPI BOOLEAN NTAPI KeRemoveQueueDpc(PRKDPC Dpc)
{
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN removed = FALSE;
    if (Dpc->DpcData != NULL) {
        PKDPC previous = NULL;
        for (PKDPC item = KiDpcHead; item != NULL;
             item = item->DpcListEntry.Next != NULL ? CONTAINING_RECORD(item->DpcListEntry.Next, KDPC, DpcListEntry)
                                                    : NULL) {
            if (item == Dpc) {
                PKDPC next = item->DpcListEntry.Next != NULL
                                 ? CONTAINING_RECORD(item->DpcListEntry.Next, KDPC, DpcListEntry)
                                 : NULL;
                if (previous == NULL) {
                    KiDpcHead = next;
                } else {
                    previous->DpcListEntry.Next = item->DpcListEntry.Next;
                }
                if (KiDpcTail == item) {
                    KiDpcTail = previous;
                }
                break;
            }
            previous = item;
        }
        Dpc->DpcData = NULL;
        Dpc->DpcListEntry.Next = NULL;
        removed = TRUE;
        if (KiInUnloadingModule((const void *)Dpc->DeferredRoutine) && KiUnloadDpcInserts != 0) {
            KiUnloadDpcInserts--;
        }
        if (KiDpcHead == NULL && KiDpcRunning == 0) {
            KiDpcIdleEpoch++;
            HosCondBroadcast(&KhDispatcherCond);
        }
    }
    HosMutexUnlock(&KhDispatcherLock);
    return removed;
}

/* On the DPC thread (DISPATCH_LEVEL): runs the queued DPCs, one at a time. */
static void KiDrainDpcs(void *Context)
{
    (void)Context;
    HosMutexLock(&KhDispatcherLock);
    while (KiDpcHead != NULL) {
        PKDPC dpc = KiDpcHead;
        KiDpcHead = dpc->DpcListEntry.Next != NULL ? CONTAINING_RECORD(dpc->DpcListEntry.Next, KDPC, DpcListEntry)
                                                   : NULL;
        if (KiDpcHead == NULL) {
            KiDpcTail = NULL;
        }
        dpc->DpcListEntry.Next = NULL;
        PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
        PVOID context = dpc->DeferredContext;
        PVOID argument1 = dpc->SystemArgument1;
        PVOID argument2 = dpc->SystemArgument2;
        /* Dequeued before its routine runs: the routine may queue it again. */
        dpc->DpcData = NULL;
        KiDpcRunning++;
        KiDpcRunningRoutine = routine;
        HosMutexUnlock(&KhDispatcherLock);
        routine(dpc, context, argument1, argument2);
        KH_THREAD *thread = KhCurrentThread();
        if (thread->Irql != DISPATCH_LEVEL) {
            KhVerifierReport("IRQL_MISUSE", "DPC routine %p returned at IRQL %u, not DISPATCH_LEVEL", (void *)routine,
                             (unsigned)thread->Irql);
            thread->Irql = DISPATCH_LEVEL;
        }
        if (thread->SpinLocksHeld != 0) {
            KhVerifierReport("SPINLOCK_MISUSE", "DPC routine %p returned holding %lu spin lock(s)", (void *)routine,
                             (unsigned long)thread->SpinLocksHeld);
        }
        HosMutexLock(&KhDispatcherLock);
        KiDpcRunning--;
        KiDpcRunningRoutine = NULL;
    }
    KiDpcIdleEpoch++;
    HosCondBroadcast(&KhDispatcherCond);
    HosMutexUnlock(&KhDispatcherLock);
}

/*
 * KeFlushQueuedDpcs: returns once every DPC queued before the call has run, at
 * PASSIVE_LEVEL (a call from a DPC would wait for itself: IRQL_TOO_HIGH_FOR_WAIT).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushqueueddpcs
 */
NTKERNELAPI VOID NTAPI KeFlushQueuedDpcs(VOID)
{
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        KhVerifierReport("IRQL_TOO_HIGH_FOR_WAIT", "KeFlushQueuedDpcs at IRQL %u, at %p",
                         (unsigned)KeGetCurrentIrql(), KH_CALLER());
        return;
    }
    KhFlushDpcs();
    /* Every DPC inserted before the call has run: none of them is pending any more. */
    HosMutexLock(&KhDispatcherLock);
    KiUnloadDpcInserts = 0;
    HosMutexUnlock(&KhDispatcherLock);
}

void KhFlushDpcs(void)
{
    if (HosInDpc()) {
        return; /* the DPC thread cannot wait for itself */
    }
    HosMutexLock(&KhDispatcherLock);
    if (KiDpcHead != NULL || KiDpcRunning != 0) {
        ULONG64 epoch = KiDpcIdleEpoch;
        while (KiDpcIdleEpoch == epoch) {
            HosCondWait(&KhDispatcherCond, &KhDispatcherLock);
        }
    }
    HosMutexUnlock(&KhDispatcherLock);
}

/* ------------------------------------------------------------------ timers */

/*
 * Kernel timers: a set timer is on KiTimerList (TimerListEntry) with its due interrupt
 * time (KeQueryInterruptTime's clock, 100 ns) in DueTime; one host timer, KiClock, is
 * due at the earliest of them. When a timer expires it is signalled (a notification
 * timer stays signalled until set again; a synchronization timer releases one waiter),
 * its DPC is queued with the low and high halves of the expiry's interrupt time as
 * arguments, and a periodic timer is set again Period milliseconds later. A timer set
 * again is first taken off the list, so KeSetTimer(Ex) replaces the earlier setting.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/timer-objects-and-dpcs
 */
NTKERNELAPI VOID NTAPI KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    RtlZeroMemory(Timer, sizeof(*Timer));
    Timer->Header.Type = (UCHAR)(Type == SynchronizationTimer ? KiTimerSynchronizationObject : KiTimerNotificationObject);
    Timer->Header.Size = (UCHAR)(sizeof(KTIMER) / sizeof(LONG));
    InitializeListHead(&Timer->Header.WaitListHead);
    InitializeListHead(&Timer->TimerListEntry);
}

NTKERNELAPI VOID NTAPI KeInitializeTimer(PKTIMER Timer) { KeInitializeTimerEx(Timer, NotificationTimer); }

/* Under the dispatcher lock: KiClock due at the earliest set timer, or cancelled. */
static void KiProgramClockLocked(void)
{
    ULONGLONG earliest = UINT64_MAX;
    for (PLIST_ENTRY entry = KiTimerList.Flink; entry != &KiTimerList; entry = entry->Flink) {
        PKTIMER timer = CONTAINING_RECORD(entry, KTIMER, TimerListEntry);
        if (timer->DueTime.QuadPart < earliest) {
            earliest = timer->DueTime.QuadPart;
        }
    }
    if (earliest == UINT64_MAX) {
        HosTimerCancel(KiClock, false);
        return;
    }
    uint64_t now = HosNowNs();
    uint64_t due = earliest * 100u;
    HosTimerSet(KiClock, due > now ? due - now : 0, 0);
}

static BOOLEAN KiRemoveTimerLocked(PKTIMER Timer)
{
    if (IsListEmpty(&Timer->TimerListEntry)) {
        return FALSE;
    }
    RemoveEntryList(&Timer->TimerListEntry);
    InitializeListHead(&Timer->TimerListEntry);
    return TRUE;
}

/* On the DPC thread: expires every timer that is due, then programs the clock again. */
static void KiClockExpire(void *Context)
{
    (void)Context;
    HosMutexLock(&KhDispatcherLock);
    ULONGLONG now = HosNowNs() / 100u;
    LIST_ENTRY expired;
    InitializeListHead(&expired);
    for (PLIST_ENTRY entry = KiTimerList.Flink; entry != &KiTimerList;) {
        PKTIMER timer = CONTAINING_RECORD(entry, KTIMER, TimerListEntry);
        entry = entry->Flink;
        if (timer->DueTime.QuadPart <= now) {
            RemoveEntryList(&timer->TimerListEntry);
            InsertTailList(&expired, &timer->TimerListEntry);
        }
    }
    while (!IsListEmpty(&expired)) {
        PKTIMER timer = CONTAINING_RECORD(RemoveHeadList(&expired), KTIMER, TimerListEntry);
        InitializeListHead(&timer->TimerListEntry);
        timer->Header.SignalState = 1;
        if (timer->Period != 0) {
            ULONGLONG next = timer->DueTime.QuadPart + (ULONGLONG)timer->Period * 10000u;
            timer->DueTime.QuadPart = next > now ? next : now + (ULONGLONG)timer->Period * 10000u;
            InsertTailList(&KiTimerList, &timer->TimerListEntry);
        }
        if (timer->Dpc != NULL) {
            KiInsertQueueDpcLocked(timer->Dpc, (PVOID)(ULONG_PTR)(ULONG)now, (PVOID)(ULONG_PTR)(ULONG)(now >> 32));
        }
    }
    HosCondBroadcast(&KhDispatcherCond);
    KiProgramClockLocked();
    HosMutexUnlock(&KhDispatcherLock);
}

/*
 * KeSetTimerEx: sets the timer to expire at DueTime (negative: relative, 100 ns units;
 * positive: absolute system time), then every Period milliseconds (0: once), queueing
 * Dpc (optional) at each expiry. The timer becomes not signalled. Returns TRUE when the
 * timer was already set (the earlier setting is replaced). A negative Period is
 * STATUS_INVALID_PARAMETER_3 on Windows (a bug check); the host reports ASSERTION_FAILED.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesettimerex
 */
NTKERNELAPI BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    if (Period < 0) {
        KhVerifierReport("ASSERTION_FAILED", "KeSetTimerEx with the negative period %ld, at %p", (long)Period,
                         KH_CALLER());
        return FALSE;
    }
    ULONGLONG now = HosNowNs() / 100u;
    ULONGLONG due;
    if (DueTime.QuadPart <= 0) {
        due = now + (ULONGLONG)(-DueTime.QuadPart);
    } else {
        LARGE_INTEGER system;
        KeQuerySystemTime(&system);
        due = DueTime.QuadPart > system.QuadPart ? now + (ULONGLONG)(DueTime.QuadPart - system.QuadPart) : now;
    }
    HosMutexLock(&KhDispatcherLock);
    KiEnsureInterruptsLocked();
    BOOLEAN wasSet = KiRemoveTimerLocked(Timer);
    Timer->Header.SignalState = 0;
    Timer->DueTime.QuadPart = due;
    Timer->Period = (ULONG)Period;
    Timer->Dpc = Dpc;
    InsertTailList(&KiTimerList, &Timer->TimerListEntry);
    KiProgramClockLocked();
    HosMutexUnlock(&KhDispatcherLock);
    return wasSet;
}

NTKERNELAPI BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

/*
 * KeCancelTimer: takes a set timer off the timer queue (TRUE), so that it neither
 * expires nor queues its DPC; FALSE when it was not set. Its signal state and a DPC
 * already queued by an earlier expiry are left as they are.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kecanceltimer
 */
NTKERNELAPI BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer)
{
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN wasSet = KiRemoveTimerLocked(Timer);
    if (wasSet && KiClock != NULL) {
        KiProgramClockLocked();
    }
    HosMutexUnlock(&KhDispatcherLock);
    return wasSet;
}

NTKERNELAPI BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer)
{
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN state = Timer->Header.SignalState != 0;
    HosMutexUnlock(&KhDispatcherLock);
    return state;
}

/* ------------------------------------------------------------------ a driver's unload */

void KhKeDriverUnloadBegin(uintptr_t Start, uintptr_t End)
{
    HosMutexLock(&KhDispatcherLock);
    KiUnloadStart = Start;
    KiUnloadEnd = End;
    KiUnloadDpcInserts = 0;
    KiUnloadDpcRoutine = NULL;
    HosMutexUnlock(&KhDispatcherLock);
}

/*
 * A driver must cancel its timers and make sure its DPCs have run before it unloads:
 * Windows stops with bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS
 * (or 0xC7 TIMER_OR_DPC_INVALID when Driver Verifier finds a timer or DPC in the
 * unloaded image), and KeFlushQueuedDpcs is what an unload routine calls to be sure no
 * DPC of the driver is still queued or running.
 * https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xce--driver-unloaded-without-cancelling-pending-operations
 * https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc7--timer-or-dpc-invalid
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushqueueddpcs
 */
void KhKeDriverUnloadEnd(const char *DriverName)
{
    ULONG timers = 0;
    PKDEFERRED_ROUTINE timerRoutine = NULL;
    const void *timerObject = NULL;
    ULONG queued = 0;
    PKDEFERRED_ROUTINE dpcRoutine = NULL;
    HosMutexLock(&KhDispatcherLock);
    BOOLEAN cancelled = FALSE;
    for (PLIST_ENTRY entry = KiTimerList.Flink; entry != &KiTimerList;) {
        PKTIMER timer = CONTAINING_RECORD(entry, KTIMER, TimerListEntry);
        entry = entry->Flink;
        PKDEFERRED_ROUTINE routine = timer->Dpc != NULL ? timer->Dpc->DeferredRoutine : NULL;
        if (KiInUnloadingModule(timer) || (routine != NULL && KiInUnloadingModule((const void *)routine))) {
            timers++;
            timerObject = timer;
            timerRoutine = routine;
            KiRemoveTimerLocked(timer);
            cancelled = TRUE;
        }
    }
    if (cancelled && KiClock != NULL) {
        KiProgramClockLocked();
    }
    PKDPC previous = NULL;
    for (PKDPC item = KiDpcHead; item != NULL;) {
        PKDPC next = item->DpcListEntry.Next != NULL ? CONTAINING_RECORD(item->DpcListEntry.Next, KDPC, DpcListEntry)
                                                     : NULL;
        if (KiInUnloadingModule((const void *)item->DeferredRoutine) || KiInUnloadingModule(item)) {
            queued++;
            dpcRoutine = item->DeferredRoutine;
            if (previous == NULL) {
                KiDpcHead = next;
            } else {
                previous->DpcListEntry.Next = item->DpcListEntry.Next;
            }
            if (KiDpcTail == item) {
                KiDpcTail = previous;
            }
            item->DpcData = NULL;
            item->DpcListEntry.Next = NULL;
        } else {
            previous = item;
        }
        item = next;
    }
    if (KiDpcHead == NULL && KiDpcRunning == 0) {
        KiDpcIdleEpoch++;
        HosCondBroadcast(&KhDispatcherCond);
    }
    BOOLEAN running = KiDpcRunningRoutine != NULL && KiInUnloadingModule((const void *)KiDpcRunningRoutine);
    if (running) {
        dpcRoutine = KiDpcRunningRoutine;
    }
    ULONG unflushed = KiUnloadDpcInserts;
    if (dpcRoutine == NULL) {
        dpcRoutine = KiUnloadDpcRoutine;
    }
    KiUnloadStart = KiUnloadEnd = 0;
    KiUnloadDpcInserts = 0;
    KiUnloadDpcRoutine = NULL;
    HosMutexUnlock(&KhDispatcherLock);

    if (timers != 0) {
        KhVerifierReport("PENDING_OPERATIONS_AT_UNLOAD",
                         "driver %s unloaded with %lu kernel timer(s) still set (KTIMER %p, DPC routine %p); "
                         "KeCancelTimer them in the unload routine",
                         DriverName, (unsigned long)timers, timerObject, (void *)timerRoutine);
    }
    if (queued != 0 || running || unflushed != 0) {
        KhVerifierReport("PENDING_OPERATIONS_AT_UNLOAD",
                         "driver %s unloaded with DPC(s) of its code pending (%lu queued, %s, %lu inserted during "
                         "the unload routine with no KeFlushQueuedDpcs after; routine %p)",
                         DriverName, (unsigned long)queued, running ? "one running" : "none running",
                         (unsigned long)unflushed, (void *)dpcRoutine);
    }
}
