/*
 * fxtimer.c - framework timer objects (WDFTIMER).
 *
 * From WdfTimerCreate, WDF_TIMER_CONFIG, WdfTimerStart and WdfTimerStop:
 *  - the parent (required) is a device, a queue, or an object whose parents lead to a
 *    device; the timer is deleted with it;
 *  - EvtTimerFunc runs at DISPATCH_LEVEL (here: on the host's DPC thread), or at
 *    PASSIVE_LEVEL on a worker thread when the timer's execution level is passive (one
 *    shot only);
 *  - AutomaticSerialization: EvtTimerFunc runs under the synchronization lock of the
 *    parent queue or device, like that object's other callbacks; a passive-level parent
 *    lock with a dispatch-level timer is STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
 *  - WdfTimerStart returns TRUE when the timer was already in the system's timer queue;
 *    DueTime is negative relative or positive absolute, in 100 ns units; Period in ms;
 *  - WdfTimerStop returns TRUE when the timer was in the queue; with Wait "the framework
 *    does not return until all queued calls to the driver's deferred procedure calls
 *    (DPCs), including the driver's EvtTimerFunc callback functions, have executed"
 *    (KeFlushQueuedDpcs), and it must not be called that way from EvtTimerFunc.
 */
#include "wdf/fxp.h"

typedef struct FX_TIMER {
    FX_OBJECT Object;
    HOS_TIMER *Timer;
    WDF_TIMER_CONFIG Config;
    FX_SYNC_LOCK *Lock;
    bool Passive;
} FX_TIMER;

/* The timer whose EvtTimerFunc the calling thread is running. */
static _Thread_local FX_TIMER *FxTimerInCallback;

static void FxTimerInvoke(FX_TIMER *Timer)
{
    FX_TIMER *previous = FxTimerInCallback;
    FxTimerInCallback = Timer;
    FX_CALLBACK_FRAME frame;
    FxCallbackEnter(&frame, Timer->Object.Driver, Timer->Lock, "EvtTimerFunc", Timer);
    Timer->Config.EvtTimerFunc((WDFTIMER)Timer);
    FxCallbackLeave(&frame);
    /* Dropped while still marked as in the callback, so that a destroy here knows. */
    FxObjectDereference(&Timer->Object);
    FxTimerInCallback = previous;
}

static void FxTimerPassiveWork(void *Context)
{
    FxTimerInvoke(Context);
}

static void FxTimerRoutine(void *Context)
{
    FX_TIMER *timer = Context;
    if (atomic_load(&timer->Object.State) != FxStateLive || timer->Config.EvtTimerFunc == NULL) {
        return;
    }
    FxObjectReference(&timer->Object);
    if (timer->Passive) {
        if (!HosQueueWork(FxTimerPassiveWork, timer)) {
            FxObjectDereference(&timer->Object);
        }
        return;
    }
    FxTimerInvoke(timer);
}

static void FxTimerDeleteWork(void *Context)
{
    HosTimerDelete(Context);
}

static void FxTimerDispose(FX_OBJECT *Object)
{
    FX_TIMER *timer = (FX_TIMER *)Object;
    /* "When the parent is deleted the framework stops the timer and waits for a running
       callback" - except from the callback itself, which cannot wait for itself. */
    bool own = FxTimerInCallback == timer;
    HosTimerCancel(timer->Timer, !own && !HosInDpc());
}

static void FxTimerDestroy(FX_OBJECT *Object)
{
    FX_TIMER *timer = (FX_TIMER *)Object;
    if (FxTimerInCallback == timer || HosInDpc()) {
        /* On the DPC thread (possibly inside this timer's routine): free it elsewhere. */
        HosTimerCancel(timer->Timer, false);
        if (!HosQueueWork(FxTimerDeleteWork, timer->Timer)) {
            /* Leaked rather than freed under a running routine. */
        }
    } else {
        HosTimerDelete(timer->Timer);
    }
    timer->Timer = NULL;
}

static const FX_OBJECT_OPS FxTimerOps = {FxTimerDispose, FxTimerDestroy};

WDFAPI NTSTATUS WdfTimerCreate(PWDF_TIMER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                               WDFTIMER *Timer)
{
    if (Timer == NULL || Config == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Timer = NULL;
    if (Config->Size != sizeof(WDF_TIMER_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (Attributes == NULL || Attributes->ParentObject == NULL) {
        return STATUS_WDF_PARENT_NOT_SPECIFIED;
    }
    FX_OBJECT *parent = FxObjectFromHandle(Attributes->ParentObject, FxTypeAny, "WdfTimerCreate");
    if (parent == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (FxObjectGetDevice(parent) == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    WDF_EXECUTION_LEVEL level = FxResolveExecutionLevel(Attributes, parent);
    bool passive = Attributes->ExecutionLevel == WdfExecutionLevelPassive;
    if (passive && Config->Period != 0) {
        return STATUS_NOT_SUPPORTED;
    }
    FX_SYNC_LOCK *lock = NULL;
    if (Config->AutomaticSerialization) {
        lock = FxSerializationLockOf(parent);
        if (lock != NULL && lock->Passive && !passive) {
            return STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
        }
    }
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_TIMER), FxTypeTimer, Attributes, parent->Driver,
                                       &FxTimerOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_TIMER *timer = (FX_TIMER *)object;
    timer->Config = *Config;
    timer->Lock = lock;
    timer->Passive = passive;
    object->ExecutionLevel = passive ? WdfExecutionLevelPassive : level;
    if (KhAllocationShouldFail()) {
        FxObjectFreeUninserted(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    timer->Timer = HosTimerCreate(FxTimerRoutine, timer);
    if (timer->Timer == NULL) {
        FxObjectFreeUninserted(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FxObjectInsert(object, parent);
    *Timer = (WDFTIMER)object;
    return STATUS_SUCCESS;
}

/* A marker DPC: it runs after every DPC that was due when it was queued. */
typedef struct FX_DPC_FLUSH {
    HOS_MUTEX Lock;
    HOS_COND Ran;
    bool Done;
} FX_DPC_FLUSH;

static void FxDpcFlushMarker(void *Context)
{
    FX_DPC_FLUSH *flush = Context;
    HosMutexLock(&flush->Lock);
    flush->Done = true;
    HosCondBroadcast(&flush->Ran);
    HosMutexUnlock(&flush->Lock);
}

/*
 * Waits until the DPCs queued so far (WDFDPCs, due timers, deferred framework work on
 * the DPC thread) have run, as KeFlushQueuedDpcs does. The DPC thread runs what is due
 * in order of due time, and a marker set now is due after all of them.
 */
static void FxFlushQueuedDpcs(void)
{
    if (HosInDpc()) {
        return;
    }
    FX_DPC_FLUSH flush;
    HosMutexInit(&flush.Lock);
    HosCondInit(&flush.Ran);
    flush.Done = false;
    HOS_TIMER *marker = HosTimerCreate(FxDpcFlushMarker, &flush);
    if (marker != NULL) {
        (void)HosTimerSet(marker, 0, 0);
        HosMutexLock(&flush.Lock);
        while (!flush.Done) {
            HosCondWait(&flush.Ran, &flush.Lock);
        }
        HosMutexUnlock(&flush.Lock);
        /* Also waits until the marker's routine has returned. */
        HosTimerDelete(marker);
    }
    HosCondDestroy(&flush.Ran);
    HosMutexDestroy(&flush.Lock);
}

static FX_TIMER *FxTimerGet(WDFTIMER Timer, const char *Api)
{
    return (FX_TIMER *)FxObjectFromHandle(Timer, FxTypeTimer, Api);
}

WDFAPI BOOLEAN WdfTimerStart(WDFTIMER Timer, LONGLONG DueTime)
{
    FX_TIMER *timer = FxTimerGet(Timer, "WdfTimerStart");
    if (timer == NULL || atomic_load(&timer->Object.State) != FxStateLive) {
        return FALSE;
    }
    uint64_t dueNs = 0;
    if (DueTime < 0) {
        dueNs = (uint64_t)(-DueTime) * 100;
    } else if (DueTime > 0) {
        LARGE_INTEGER now;
        KeQuerySystemTime(&now);
        dueNs = DueTime > now.QuadPart ? (uint64_t)(DueTime - now.QuadPart) * 100 : 0;
    }
    uint64_t periodNs = (uint64_t)timer->Config.Period * 1000 * 1000;
    return HosTimerSet(timer->Timer, dueNs, periodNs) ? TRUE : FALSE;
}

WDFAPI BOOLEAN WdfTimerStop(WDFTIMER Timer, BOOLEAN Wait)
{
    FX_TIMER *timer = FxTimerGet(Timer, "WdfTimerStop");
    if (timer == NULL) {
        return FALSE;
    }
    bool wait = Wait != FALSE;
    if (wait && FxTimerInCallback == timer) {
        FxReport(timer->Object.Driver, "TIMER_STOP_WAIT_IN_CALLBACK",
                 "WdfTimerStop(Wait = TRUE) on WDFTIMER %p from its own EvtTimerFunc",
                 (void *)timer);
        wait = false;
    } else if (wait && KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(timer->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT",
                 "WdfTimerStop(Wait = TRUE) on WDFTIMER %p at IRQL %u", (void *)timer,
                 (unsigned)KeGetCurrentIrql());
        wait = false;
    }
    BOOLEAN wasSet = HosTimerCancel(timer->Timer, wait) ? TRUE : FALSE;
    if (wait) {
        FxFlushQueuedDpcs();
    }
    if (wait && timer->Passive) {
        HosFlushQueues();
    }
    return wasSet;
}

WDFAPI WDFOBJECT WdfTimerGetParentObject(WDFTIMER Timer)
{
    FX_TIMER *timer = FxTimerGet(Timer, "WdfTimerGetParentObject");
    return timer != NULL ? (WDFOBJECT)timer->Object.Parent : NULL;
}
