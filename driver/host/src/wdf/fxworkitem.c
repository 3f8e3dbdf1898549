/*
 * fxworkitem.c - framework work items (WDFWORKITEM), wdfworkitem.h.
 *
 * From WdfWorkItemCreate / WdfWorkItemEnqueue / WdfWorkItemFlush:
 *  - the parent (required) is a device, a queue, or an object whose parents lead to a
 *    device; the work item is deleted with it, and flushed;
 *  - EvtWorkItemFunc runs at PASSIVE_LEVEL (the host's worker thread);
 *  - AutomaticSerialization makes the callback take the synchronization lock of the
 *    parent queue or device; a work item can only join a passive-level (wait) lock,
 *    otherwise creation fails with STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
 *  - WdfWorkItemEnqueue does nothing when the work item is queued and has not started yet.
 */
#include "wdf/fxp.h"

typedef struct FX_WORKITEM {
    FX_OBJECT Object;
    WDF_WORKITEM_CONFIG Config;
    FX_SYNC_LOCK *Lock;
    HOS_MUTEX Mutex;
    HOS_COND Idle;
    bool Queued;  /* enqueued, not started */
    bool Running; /* EvtWorkItemFunc runs */
} FX_WORKITEM;

static _Thread_local FX_WORKITEM *FxWorkItemInCallback;

static void FxWorkItemRoutine(void *Context)
{
    FX_WORKITEM *item = Context;
    HosMutexLock(&item->Mutex);
    item->Queued = false;
    item->Running = true;
    HosMutexUnlock(&item->Mutex);
    FX_WORKITEM *previous = FxWorkItemInCallback;
    FxWorkItemInCallback = item;
    /* A work item deleted (with its parent) before it could run does not run. */
    if (atomic_load(&item->Object.State) == FxStateLive) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, item->Object.Driver, item->Lock, "EvtWorkItemFunc", item);
        item->Config.EvtWorkItemFunc((WDFWORKITEM)item);
        FxCallbackLeave(&frame);
    }
    FxWorkItemInCallback = previous;
    HosMutexLock(&item->Mutex);
    item->Running = false;
    HosCondBroadcast(&item->Idle);
    HosMutexUnlock(&item->Mutex);
    FxObjectDereference(&item->Object); /* taken by WdfWorkItemEnqueue */
}

/* Waits until the work item is neither queued nor running (not from its own callback). */
static void FxWorkItemWait(FX_WORKITEM *Item)
{
    if (FxWorkItemInCallback == Item) {
        return;
    }
    HosMutexLock(&Item->Mutex);
    while (Item->Queued || Item->Running) {
        HosCondWait(&Item->Idle, &Item->Mutex);
    }
    HosMutexUnlock(&Item->Mutex);
}

static void FxWorkItemDestroy(FX_OBJECT *Object)
{
    FX_WORKITEM *item = (FX_WORKITEM *)Object;
    HosCondDestroy(&item->Idle);
    HosMutexDestroy(&item->Mutex);
}

/*
 * Deletion waits for a running callback, as KMDF flushes a work item it deletes; from
 * another work item's callback (the worker thread itself) it cannot wait, and a queued
 * work item then finds itself deleted and does not run. A queued work item holds a
 * reference, so its memory outlives the deletion either way.
 */
static void FxWorkItemDispose(FX_OBJECT *Object)
{
    FX_WORKITEM *item = (FX_WORKITEM *)Object;
    if (FxWorkItemInCallback == NULL && KeGetCurrentIrql() == PASSIVE_LEVEL) {
        FxWorkItemWait(item);
    }
}

static const FX_OBJECT_OPS FxWorkItemOps = {FxWorkItemDispose, FxWorkItemDestroy};

WDFAPI NTSTATUS WdfWorkItemCreate(PWDF_WORKITEM_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                                  WDFWORKITEM *WorkItem)
{
    if (WorkItem == NULL || Config == NULL || Config->EvtWorkItemFunc == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *WorkItem = NULL;
    if (Config->Size != sizeof(WDF_WORKITEM_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (Attributes == NULL || Attributes->ParentObject == NULL) {
        return STATUS_WDF_PARENT_NOT_SPECIFIED;
    }
    FX_OBJECT *parent =
        FxObjectFromHandle(Attributes->ParentObject, FxTypeAny, "WdfWorkItemCreate");
    if (parent == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (FxObjectGetDevice(parent) == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    FX_SYNC_LOCK *lock = Config->AutomaticSerialization ? FxSerializationLockOf(parent) : NULL;
    if (lock != NULL && !lock->Passive) {
        return STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
    }
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_WORKITEM), FxTypeWorkItem, Attributes,
                                       parent->Driver, &FxWorkItemOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_WORKITEM *item = (FX_WORKITEM *)object;
    item->Config = *Config;
    item->Lock = lock;
    object->ExecutionLevel = WdfExecutionLevelPassive;
    HosMutexInitOrdering(&item->Mutex);
    HosCondInit(&item->Idle);
    FxObjectInsert(object, parent);
    *WorkItem = (WDFWORKITEM)object;
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfWorkItemEnqueue(WDFWORKITEM WorkItem)
{
    FX_WORKITEM *item =
        (FX_WORKITEM *)FxObjectFromHandle(WorkItem, FxTypeWorkItem, "WdfWorkItemEnqueue");
    if (item == NULL || atomic_load(&item->Object.State) != FxStateLive) {
        return;
    }
    HosMutexLock(&item->Mutex);
    if (item->Queued) {
        HosMutexUnlock(&item->Mutex);
        return;
    }
    item->Queued = true;
    HosMutexUnlock(&item->Mutex);
    FxObjectReference(&item->Object);
    if (!HosQueueWork(FxWorkItemRoutine, item)) {
        HosMutexLock(&item->Mutex);
        item->Queued = false;
        HosCondBroadcast(&item->Idle);
        HosMutexUnlock(&item->Mutex);
        FxObjectDereference(&item->Object);
    }
}

WDFAPI WDFOBJECT WdfWorkItemGetParentObject(WDFWORKITEM WorkItem)
{
    FX_WORKITEM *item =
        (FX_WORKITEM *)FxObjectFromHandle(WorkItem, FxTypeWorkItem, "WdfWorkItemGetParentObject");
    return item != NULL ? (WDFOBJECT)item->Object.Parent : NULL;
}

WDFAPI VOID WdfWorkItemFlush(WDFWORKITEM WorkItem)
{
    FX_WORKITEM *item =
        (FX_WORKITEM *)FxObjectFromHandle(WorkItem, FxTypeWorkItem, "WdfWorkItemFlush");
    if (item == NULL) {
        return;
    }
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        FxReport(item->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT",
                 "WdfWorkItemFlush on WDFWORKITEM %p at IRQL %u", (void *)item,
                 (unsigned)KeGetCurrentIrql());
        return;
    }
    FxWorkItemWait(item);
}
