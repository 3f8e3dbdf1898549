/*
 * fxsync.c - framework spin locks (WDFSPINLOCK) and wait locks (WDFWAITLOCK).
 *
 * WdfSpinLockAcquire raises the IRQL to DISPATCH_LEVEL and WdfSpinLockRelease restores
 * it ("Using Framework Locks"). The verifier watches the rules of spin locks: never
 * acquired twice by one thread, released only by the thread that holds it, and not
 * held when a driver callback returns (SPINLOCK_MISUSE).
 */
#include "wdf/fxp.h"

typedef struct FX_SPINLOCK {
    FX_OBJECT Object;
    HOS_MUTEX Mutex;
    _Atomic uint64_t Owner;
    KIRQL OldIrql;
} FX_SPINLOCK;

static void FxSpinLockDestroy(FX_OBJECT *Object)
{
    HosMutexDestroy(&((FX_SPINLOCK *)Object)->Mutex);
}

static const FX_OBJECT_OPS FxSpinLockOps = {NULL, FxSpinLockDestroy};

WDFAPI NTSTATUS WdfSpinLockCreate(PWDF_OBJECT_ATTRIBUTES SpinLockAttributes, WDFSPINLOCK *SpinLock)
{
    if (SpinLock == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *SpinLock = NULL;
    NTSTATUS status;
    FX_OBJECT *parent = FxDefaultParent(SpinLockAttributes, "WdfSpinLockCreate", &status);
    if (parent == NULL) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_SPINLOCK), FxTypeSpinLock, SpinLockAttributes,
                              parent->Driver, &FxSpinLockOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_SPINLOCK *lock = (FX_SPINLOCK *)object;
    HosMutexInitOrdering(&lock->Mutex);
    atomic_init(&lock->Owner, 0);
    object->ExecutionLevel = FxResolveExecutionLevel(SpinLockAttributes, parent);
    FxObjectInsert(object, parent);
    *SpinLock = (WDFSPINLOCK)object;
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfSpinLockAcquire(WDFSPINLOCK SpinLock)
{
    FX_SPINLOCK *lock =
        (FX_SPINLOCK *)FxObjectFromHandle(SpinLock, FxTypeSpinLock, "WdfSpinLockAcquire");
    if (lock == NULL) {
        return;
    }
    uint64_t self = HosCurrentThreadId();
    if (atomic_load(&lock->Owner) == self) {
        FxReport(lock->Object.Driver, "SPINLOCK_MISUSE",
                 "WDFSPINLOCK %p acquired by the thread that already holds it", (void *)lock);
        return;
    }
    HOS_SCHEDULE_POINT("WdfSpinLockAcquire", NULL, lock);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    HosExploreNoteWait("WDFSPINLOCK", lock, 0);
    HosMutexLock(&lock->Mutex);
    HosExploreNoteWait(NULL, NULL, 0);
    atomic_store(&lock->Owner, self);
    lock->OldIrql = old;
    FxSpinLockNoteAcquired(lock);
}

static void FxSpinLockReleaseHeld(FX_SPINLOCK *Lock)
{
    KIRQL old = Lock->OldIrql;
    atomic_store(&Lock->Owner, 0);
    FxSpinLockNoteReleased(Lock);
    HosMutexUnlock(&Lock->Mutex);
    KeLowerIrql(old);
}

WDFAPI VOID WdfSpinLockRelease(WDFSPINLOCK SpinLock)
{
    FX_SPINLOCK *lock =
        (FX_SPINLOCK *)FxObjectFromHandle(SpinLock, FxTypeSpinLock, "WdfSpinLockRelease");
    if (lock == NULL) {
        return;
    }
    if (atomic_load(&lock->Owner) != HosCurrentThreadId()) {
        FxReport(lock->Object.Driver, "SPINLOCK_MISUSE",
                 "WDFSPINLOCK %p released by a thread that does not hold it", (void *)lock);
        return;
    }
    FxSpinLockReleaseHeld(lock);
    HOS_SCHEDULE_POINT("WdfSpinLockRelease", NULL, lock);
}

void FxSpinLockForceRelease(void *SpinLock)
{
    FX_SPINLOCK *lock = SpinLock;
    if (atomic_load(&lock->Owner) == HosCurrentThreadId()) {
        FxSpinLockReleaseHeld(lock);
    } else {
        FxSpinLockNoteReleased(lock);
    }
}

/* ------------------------------------------------------------- wait locks */

typedef struct FX_WAITLOCK {
    FX_OBJECT Object;
    HOS_MUTEX Mutex;
    HOS_COND Released;
    bool Held;
} FX_WAITLOCK;

static void FxWaitLockDestroy(FX_OBJECT *Object)
{
    FX_WAITLOCK *lock = (FX_WAITLOCK *)Object;
    HosCondDestroy(&lock->Released);
    HosMutexDestroy(&lock->Mutex);
}

static const FX_OBJECT_OPS FxWaitLockOps = {NULL, FxWaitLockDestroy};

WDFAPI NTSTATUS WdfWaitLockCreate(PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK *Lock)
{
    if (Lock == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Lock = NULL;
    NTSTATUS status;
    FX_OBJECT *parent = FxDefaultParent(LockAttributes, "WdfWaitLockCreate", &status);
    if (parent == NULL) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_WAITLOCK), FxTypeWaitLock, LockAttributes, parent->Driver,
                              &FxWaitLockOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_WAITLOCK *lock = (FX_WAITLOCK *)object;
    HosMutexInitOrdering(&lock->Mutex);
    HosCondInit(&lock->Released);
    object->ExecutionLevel = FxResolveExecutionLevel(LockAttributes, parent);
    FxObjectInsert(object, parent);
    *Lock = (WDFWAITLOCK)object;
    return STATUS_SUCCESS;
}

/*
 * WdfWaitLockAcquire: Timeout NULL waits forever; 0 tries once (allowed at
 * DISPATCH_LEVEL); otherwise a relative (negative) time-out in 100 ns units.
 * STATUS_TIMEOUT when the lock could not be had in time.
 */
WDFAPI NTSTATUS WdfWaitLockAcquire(WDFWAITLOCK Lock, PLONGLONG Timeout)
{
    FX_WAITLOCK *lock =
        (FX_WAITLOCK *)FxObjectFromHandle(Lock, FxTypeWaitLock, "WdfWaitLockAcquire");
    if (lock == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    HOS_SCHEDULE_POINT("WdfWaitLockAcquire", NULL, lock);
    bool tryOnly = Timeout != NULL && *Timeout == 0;
    if (!tryOnly && KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(lock->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT",
                 "WdfWaitLockAcquire on WDFWAITLOCK %p at IRQL %u", (void *)lock,
                 (unsigned)KeGetCurrentIrql());
    }
    uint64_t deadline = UINT64_MAX;
    if (Timeout != NULL && *Timeout != 0) {
        LONGLONG units = *Timeout < 0 ? -*Timeout : *Timeout;
        deadline = HosDeadlineAfter((uint64_t)units * 100);
    }
    HosMutexLock(&lock->Mutex);
    while (lock->Held) {
        if (tryOnly) {
            HosMutexUnlock(&lock->Mutex);
            return STATUS_TIMEOUT;
        }
        if (deadline == UINT64_MAX) {
            HosExploreNoteWait("WDFWAITLOCK", lock, 0);
            HosCondWait(&lock->Released, &lock->Mutex);
            HosExploreNoteWait(NULL, NULL, 0);
        } else if (!HosCondWaitUntil(&lock->Released, &lock->Mutex, deadline) && lock->Held) {
            HosMutexUnlock(&lock->Mutex);
            return STATUS_TIMEOUT;
        }
    }
    lock->Held = true;
    HosMutexUnlock(&lock->Mutex);
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfWaitLockRelease(WDFWAITLOCK Lock)
{
    FX_WAITLOCK *lock =
        (FX_WAITLOCK *)FxObjectFromHandle(Lock, FxTypeWaitLock, "WdfWaitLockRelease");
    if (lock == NULL) {
        return;
    }
    HosMutexLock(&lock->Mutex);
    lock->Held = false;
    HosCondSignal(&lock->Released);
    HosMutexUnlock(&lock->Mutex);
    HOS_SCHEDULE_POINT("WdfWaitLockRelease", NULL, lock);
}
