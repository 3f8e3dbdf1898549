/*
 * fxobject.c - the framework object model: allocation with contexts, reference counts,
 * parent/child lifetime, cleanup and destroy callbacks, handle validation, the
 * synchronization locks of the synchronization scope, and the bracket around every
 * driver callback.
 *
 * Object lifetime as documented in "Framework Object Life Cycle" and "Framework Object
 * Context Space" (learn.microsoft.com/windows-hardware/drivers/wdf):
 *  - every object has a parent (the driver object by default) and is deleted, at the
 *    latest, when its parent is deleted; the framework deletes the children first;
 *  - deletion calls EvtCleanupCallback (children before parents), then drops the
 *    creation reference; EvtDestroyCallback runs once the reference count reaches zero,
 *    after which the context memory is gone;
 *  - context memory is allocated with the object and zeroed.
 */
#include "wdf/fxp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Protects the object tree (parents, children), the list of live objects, contexts
   and the quarantine. Never held while a driver callback runs. */
static HOS_MUTEX FxGlobalLock;
static FX_LINK FxLiveObjects;

/* Freed object memory waits here, poisoned, before it is returned to the allocator. */
#define FX_QUARANTINE_SIZE 8192
static void *FxQuarantine[FX_QUARANTINE_SIZE];
static size_t FxQuarantineNext;

static _Thread_local const char *FxThreadCallback;
static _Thread_local FX_DRIVER *FxThreadDriver;
#define FX_MAX_HELD_SPINLOCKS 16
static _Thread_local void *FxThreadSpinLocks[FX_MAX_HELD_SPINLOCKS];
static _Thread_local int FxThreadSpinLockCount;

__attribute__((constructor)) static void FxObjectModuleInit(void)
{
    HosMutexInit(&FxGlobalLock);
    FxListInit(&FxLiveObjects);
}

/* ------------------------------------------------------------------ reporting */

const char *FxCurrentCallback(void)
{
    return FxThreadCallback != NULL ? FxThreadCallback : "no driver callback";
}

FX_DRIVER *FxCurrentDriver(void)
{
    return FxThreadDriver;
}

void FxReport(FX_DRIVER *Driver, const char *RuleId, const char *Format, ...)
{
    char what[512];
    va_list args;
    va_start(args, Format);
    vsnprintf(what, sizeof(what), Format, args);
    va_end(args);
    if (Driver == NULL) {
        Driver = FxThreadDriver;
    }
    KhVerifierReport(RuleId, "%s, driver %s, in %s", what, FxDriverName(Driver),
                     FxCurrentCallback());
}

const char *FxTypeName(FX_TYPE Type)
{
    switch (Type) {
    case FxTypeObject:
        return "WDFOBJECT";
    case FxTypeDriver:
        return "WDFDRIVER";
    case FxTypeDevice:
        return "WDFDEVICE";
    case FxTypeQueue:
        return "WDFQUEUE";
    case FxTypeRequest:
        return "WDFREQUEST";
    case FxTypeMemory:
        return "WDFMEMORY";
    case FxTypeTimer:
        return "WDFTIMER";
    case FxTypeSpinLock:
        return "WDFSPINLOCK";
    case FxTypeWaitLock:
        return "WDFWAITLOCK";
    case FxTypeKey:
        return "WDFKEY";
    case FxTypeString:
        return "WDFSTRING";
    case FxTypeFileObject:
        return "WDFFILEOBJECT";
    case FxTypeDpc:
        return "WDFDPC";
    case FxTypeWorkItem:
        return "WDFWORKITEM";
    case FxTypeIoTarget:
        return "WDFIOTARGET";
    case FxTypeCollection:
        return "WDFCOLLECTION";
    case FxTypeChildList:
        return "WDFCHILDLIST";
    case FxTypeWmiProvider:
        return "WDFWMIPROVIDER";
    case FxTypeLookaside:
        return "WDFLOOKASIDE";
    case FxTypeWmiInstance:
        return "WDFWMIINSTANCE";
    case FxTypeCmResList:
        return "WDFCMRESLIST";
    default:
        return "handle";
    }
}

/* --------------------------------------------------------------- validation */

FX_OBJECT *FxObjectFromHandle(const void *Handle, FX_TYPE Type, const char *Api)
{
    FX_OBJECT *object = (FX_OBJECT *)Handle;
    if (object == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "%s called with a NULL %s", Api, FxTypeName(Type));
        return NULL;
    }
    if (object->Magic == FX_MAGIC_DEAD) {
        if (object->Type == FxTypeRequest || (object->Embedded && object->EmbeddedIn != NULL &&
                                              object->EmbeddedIn->Type == FxTypeRequest)) {
            FxReport(object->Driver, "REQUEST_USED_AFTER_COMPLETION",
                     "%s called on %s %p after its request was completed", Api,
                     FxTypeName(object->Type), Handle);
        } else {
            FxReport(object->Driver, "OBJECT_USED_AFTER_DELETE",
                     "%s called on %s %p after it was deleted", Api, FxTypeName(object->Type),
                     Handle);
        }
        return NULL;
    }
    if (object->Magic != FX_MAGIC_LIVE) {
        FxReport(NULL, "INVALID_HANDLE", "%s called with %p, which is not a framework handle", Api,
                 Handle);
        return NULL;
    }
    if (Type != FxTypeAny && object->Type != Type) {
        FxReport(object->Driver, "INVALID_HANDLE", "%s expects a %s but was given %s %p", Api,
                 FxTypeName(Type), FxTypeName(object->Type), Handle);
        return NULL;
    }
    return object;
}

NTSTATUS FxValidateAttributes(PWDF_OBJECT_ATTRIBUTES Attributes)
{
    if (Attributes == NULL) {
        return STATUS_SUCCESS;
    }
    if (Attributes->Size != sizeof(WDF_OBJECT_ATTRIBUTES)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (Attributes->ContextTypeInfo != NULL &&
        Attributes->ContextTypeInfo->Size != sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (Attributes->ContextSizeOverride != 0 && Attributes->ContextTypeInfo == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Attributes->ExecutionLevel < WdfExecutionLevelInheritFromParent ||
        Attributes->ExecutionLevel > WdfExecutionLevelDispatch) {
        return STATUS_WDF_EXECUTION_LEVEL_INVALID;
    }
    if (Attributes->SynchronizationScope < WdfSynchronizationScopeInheritFromParent ||
        Attributes->SynchronizationScope > WdfSynchronizationScopeNone) {
        return STATUS_WDF_SYNCHRONIZATION_SCOPE_INVALID;
    }
    return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- allocation */

static size_t FxContextSize(PWDF_OBJECT_ATTRIBUTES Attributes)
{
    if (Attributes == NULL || Attributes->ContextTypeInfo == NULL) {
        return 0;
    }
    size_t size = Attributes->ContextTypeInfo->ContextSize;
    if (Attributes->ContextSizeOverride > size) {
        size = Attributes->ContextSizeOverride;
    }
    return size;
}

static void FxContextInit(FX_CONTEXT *Context, FX_OBJECT *Owner, PWDF_OBJECT_ATTRIBUTES Attributes,
                          size_t Size, FX_TYPE Type)
{
    Context->Owner = Owner;
    Context->TypeInfo = Attributes->ContextTypeInfo;
    Context->Size = Size;
    if (HosRaceOn) {
        /* Context memory is the driver's: the race detector watches it (os/race.c). */
        const char *name = Context->TypeInfo->ContextName;
        HosRaceWatch(Context->Data, Size, "%s context %s", FxTypeName(Type), name != NULL ? name : "?");
    }
}

/* The object's context memory goes back to the host: no longer watched. */
static void FxContextUnwatch(FX_CONTEXT *Context)
{
    if (HosRaceOn) {
        HosRaceUnwatch(Context->Data, Context->Size);
    }
}

NTSTATUS FxObjectAllocate(size_t BodySize, FX_TYPE Type, PWDF_OBJECT_ATTRIBUTES Attributes,
                          FX_DRIVER *Driver, const FX_OBJECT_OPS *Ops, FX_OBJECT **Object)
{
    *Object = NULL;
    NTSTATUS status = FxValidateAttributes(Attributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    size_t body = (BodySize + 15) & ~(size_t)15;
    size_t contextSize = FxContextSize(Attributes);
    size_t total = body + (Attributes != NULL && Attributes->ContextTypeInfo != NULL
                               ? sizeof(FX_CONTEXT) + contextSize
                               : 0);
    /* One allocation point: the object and its context are one block, as in KMDF. */
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FX_OBJECT *object = aligned_alloc(16, (total + 15) & ~(size_t)15);
    if (object == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(object, 0, total);
    object->Magic = FX_MAGIC_LIVE;
    object->Type = Type;
    object->Driver = Driver;
    FxListInit(&object->Children);
    FxListInit(&object->Sibling);
    FxListInit(&object->AllLink);
    atomic_init(&object->RefCount, 1);
    atomic_init(&object->State, FxStateLive);
    object->Ops = Ops;
    object->ExecutionLevel = WdfExecutionLevelInheritFromParent;
    object->SyncScope = WdfSynchronizationScopeInheritFromParent;
    if (Attributes != NULL) {
        object->EvtCleanup = Attributes->EvtCleanupCallback;
        object->EvtDestroy = Attributes->EvtDestroyCallback;
        object->ExecutionLevel = Attributes->ExecutionLevel;
        object->SyncScope = Attributes->SynchronizationScope;
        if (Attributes->ContextTypeInfo != NULL) {
            FX_CONTEXT *context = (FX_CONTEXT *)((char *)object + body);
            FxContextInit(context, object, Attributes, contextSize, Type);
            object->Contexts = context;
        }
    }
    *Object = object;
    return STATUS_SUCCESS;
}

static void FxQuarantineAdd(void *Memory)
{
    void *evicted;
    HosMutexLock(&FxGlobalLock);
    evicted = FxQuarantine[FxQuarantineNext];
    FxQuarantine[FxQuarantineNext] = Memory;
    FxQuarantineNext = (FxQuarantineNext + 1) % FX_QUARANTINE_SIZE;
    HosMutexUnlock(&FxGlobalLock);
    free(evicted);
}

void FxObjectFreeUninserted(FX_OBJECT *Object)
{
    FX_CONTEXT *context = Object->Contexts;
    while (context != NULL) {
        FX_CONTEXT *next = context->Next;
        FxContextUnwatch(context);
        if (context->Separate) {
            free(context);
        }
        context = next;
    }
    Object->Magic = FX_MAGIC_DEAD;
    free(Object);
}

void FxObjectInsert(FX_OBJECT *Object, FX_OBJECT *Parent)
{
    if (Parent != NULL) {
        FxObjectReference(Parent);
    }
    HosMutexLock(&FxGlobalLock);
    Object->Parent = Parent;
    if (Parent != NULL) {
        FxListInsertTail(&Parent->Children, &Object->Sibling);
    }
    FxListInsertTail(&FxLiveObjects, &Object->AllLink);
    Object->Inserted = true;
    HosMutexUnlock(&FxGlobalLock);
}

/* ----------------------------------------------------------- reference counts */

void FxObjectReference(FX_OBJECT *Object)
{
    if (Object->Embedded) {
        FxObjectReference(Object->EmbeddedIn);
        return;
    }
    atomic_fetch_add(&Object->RefCount, 1);
}

static void FxRunDestroyCallbacks(FX_OBJECT *Object)
{
    FX_CALLBACK_FRAME frame;
    if (Object->EvtDestroy != NULL) {
        FxCallbackEnter(&frame, Object->Driver, NULL, "EvtDestroyCallback", Object);
        Object->EvtDestroy((WDFOBJECT)Object);
        FxCallbackLeave(&frame);
    }
    for (FX_CONTEXT *context = Object->Contexts; context != NULL; context = context->Next) {
        if (context->EvtDestroy != NULL) {
            FxCallbackEnter(&frame, Object->Driver, NULL, "EvtDestroyCallback", Object);
            context->EvtDestroy((WDFOBJECT)Object);
            FxCallbackLeave(&frame);
        }
    }
}

/* The last reference is gone: destroy callbacks, type teardown, memory to quarantine. */
static void FxObjectDestroy(FX_OBJECT *Object)
{
    atomic_store(&Object->State, FxStateDestroyed);
    FxRunDestroyCallbacks(Object);
    if (Object->Ops != NULL && Object->Ops->Destroy != NULL) {
        Object->Ops->Destroy(Object);
    }
    FX_OBJECT *parent;
    FX_CONTEXT *extra;
    HosMutexLock(&FxGlobalLock);
    parent = Object->Parent;
    if (Object->Inserted) {
        FxListRemove(&Object->Sibling);
        FxListRemove(&Object->AllLink);
        Object->Inserted = false;
    }
    /* Children that outlived the parent (kept by references) lose their parent link. */
    while (!FxListEmpty(&Object->Children)) {
        FX_OBJECT *child = FX_CONTAINING(Object->Children.Next, FX_OBJECT, Sibling);
        FxListRemove(&child->Sibling);
        child->Parent = NULL;
    }
    extra = Object->Contexts;
    Object->Contexts = NULL;
    Object->Magic = FX_MAGIC_DEAD;
    HosMutexUnlock(&FxGlobalLock);
    while (extra != NULL) {
        FX_CONTEXT *next = extra->Next;
        FxContextUnwatch(extra);
        if (extra->Separate) {
            free(extra);
        }
        extra = next;
    }
    FxQuarantineAdd(Object);
    if (parent != NULL) {
        FxObjectDereference(parent);
    }
}

void FxObjectDereference(FX_OBJECT *Object)
{
    if (Object->Embedded) {
        FxObjectDereference(Object->EmbeddedIn);
        return;
    }
    long remaining = atomic_fetch_sub(&Object->RefCount, 1) - 1;
    if (remaining > 0) {
        return;
    }
    if (remaining < 0 || atomic_load(&Object->State) == FxStateLive) {
        /* More dereferences than references: keep the object rather than free it twice. */
        atomic_fetch_add(&Object->RefCount, 1);
        FxReport(Object->Driver, "OBJECT_REFERENCE_UNDERFLOW",
                 "%s %p dereferenced more often than referenced", FxTypeName(Object->Type),
                 (void *)Object);
        return;
    }
    FxObjectDestroy(Object);
}

/* ------------------------------------------------------------------- deletion */

static void FxRunCleanupCallbacks(FX_OBJECT *Object)
{
    FX_CALLBACK_FRAME frame;
    if (Object->EvtCleanup != NULL) {
        FxCallbackEnter(&frame, Object->Driver, NULL, "EvtCleanupCallback", Object);
        Object->EvtCleanup((WDFOBJECT)Object);
        FxCallbackLeave(&frame);
    }
    for (FX_CONTEXT *context = Object->Contexts; context != NULL; context = context->Next) {
        if (context->EvtCleanup != NULL) {
            FxCallbackEnter(&frame, Object->Driver, NULL, "EvtCleanupCallback", Object);
            context->EvtCleanup((WDFOBJECT)Object);
            FxCallbackLeave(&frame);
        }
    }
}

void FxObjectDelete(FX_OBJECT *Object)
{
    int expected = FxStateLive;
    if (!atomic_compare_exchange_strong(&Object->State, &expected, FxStateDeleting)) {
        return;
    }
    FxObjectReference(Object);
    if (Object->Ops != NULL && Object->Ops->Dispose != NULL) {
        Object->Ops->Dispose(Object);
    }
    /* Children first, the most recently created first. */
    for (;;) {
        FX_OBJECT *child = NULL;
        HosMutexLock(&FxGlobalLock);
        for (FX_LINK *link = Object->Children.Prev; link != &Object->Children; link = link->Prev) {
            FX_OBJECT *candidate = FX_CONTAINING(link, FX_OBJECT, Sibling);
            if (atomic_load(&candidate->State) == FxStateLive) {
                child = candidate;
                atomic_fetch_add(&child->RefCount, 1);
                break;
            }
        }
        HosMutexUnlock(&FxGlobalLock);
        if (child == NULL) {
            break;
        }
        FxObjectDelete(child);
        FxObjectDereference(child);
    }
    FxRunCleanupCallbacks(Object);
    FxObjectDereference(Object); /* the creation reference */
    FxObjectDereference(Object); /* ours */
}

/* ----------------------------------------------------------------- relations */

FX_DEVICE *FxObjectGetDevice(FX_OBJECT *Object)
{
    FX_DEVICE *device = NULL;
    HosMutexLock(&FxGlobalLock);
    for (FX_OBJECT *o = Object; o != NULL; o = o->Parent) {
        if (o->Type == FxTypeDevice) {
            device = (FX_DEVICE *)o;
            break;
        }
    }
    HosMutexUnlock(&FxGlobalLock);
    return device;
}

/*
 * "Using Automatic Synchronization": an object whose execution level is
 * InheritFromParent takes its parent's; the driver object's default is dispatch level.
 */
WDF_EXECUTION_LEVEL FxResolveExecutionLevel(PWDF_OBJECT_ATTRIBUTES Attributes, FX_OBJECT *Parent)
{
    if (Attributes != NULL && Attributes->ExecutionLevel != WdfExecutionLevelInheritFromParent &&
        Attributes->ExecutionLevel != WdfExecutionLevelInvalid) {
        return Attributes->ExecutionLevel;
    }
    if (Parent != NULL && Parent->ExecutionLevel != WdfExecutionLevelInheritFromParent &&
        Parent->ExecutionLevel != WdfExecutionLevelInvalid) {
        return Parent->ExecutionLevel;
    }
    return WdfExecutionLevelDispatch;
}

FX_SYNC_LOCK *FxSerializationLockOf(FX_OBJECT *Object)
{
    FX_SYNC_LOCK *lock = NULL;
    HosMutexLock(&FxGlobalLock);
    for (FX_OBJECT *o = Object; o != NULL; o = o->Parent) {
        if (o->Type == FxTypeQueue || o->Type == FxTypeDevice) {
            lock = o->SyncLock;
            break;
        }
    }
    HosMutexUnlock(&FxGlobalLock);
    return lock;
}

void FxReportLeaks(FX_DRIVER *Driver)
{
    char list[384];
    size_t used = 0;
    unsigned count = 0;
    list[0] = '\0';
    HosMutexLock(&FxGlobalLock);
    for (FX_LINK *link = FxLiveObjects.Next; link != &FxLiveObjects; link = link->Next) {
        FX_OBJECT *object = FX_CONTAINING(link, FX_OBJECT, AllLink);
        if (object->Driver != Driver || object == &Driver->Object) {
            continue;
        }
        if (count < 6 && used < sizeof(list)) {
            used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s %p (%ld references)",
                                     count ? ", " : "", FxTypeName(object->Type), (void *)object,
                                     (long)atomic_load(&object->RefCount));
        }
        count++;
        object->Driver = NULL;
    }
    HosMutexUnlock(&FxGlobalLock);
    if (count != 0) {
        KhVerifierReport("OBJECT_LEAK",
                         "%u framework object(s) still alive after the driver object was deleted: "
                         "%s%s, driver %s, at unload",
                         count, list, count > 6 ? ", ..." : "", FxDriverName(Driver));
    }
}

/* ------------------------------------------------------------- sync locks */

FX_SYNC_LOCK *FxSyncLockCreate(bool Passive)
{
    if (KhAllocationShouldFail()) {
        return NULL;
    }
    FX_SYNC_LOCK *lock = calloc(1, sizeof(*lock));
    if (lock == NULL) {
        return NULL;
    }
    HosMutexInitOrdering(&lock->Mutex);
    atomic_init(&lock->Owner, 0);
    atomic_init(&lock->InCallback, 0);
    lock->Passive = Passive;
    return lock;
}

void FxSyncLockDelete(FX_SYNC_LOCK *Lock)
{
    if (Lock != NULL) {
        HosMutexDestroy(&Lock->Mutex);
        free(Lock);
    }
}

bool FxSyncLockHeldByCaller(FX_SYNC_LOCK *Lock)
{
    return Lock != NULL && atomic_load(&Lock->Owner) == HosCurrentThreadId();
}

void FxSyncLockAcquire(FX_SYNC_LOCK *Lock)
{
    KIRQL old = PASSIVE_LEVEL;
    if (!Lock->Passive) {
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    }
    HosMutexLock(&Lock->Mutex);
    atomic_store(&Lock->Owner, HosCurrentThreadId());
    Lock->OldIrql = old;
}

void FxSyncLockRelease(FX_SYNC_LOCK *Lock)
{
    KIRQL old = Lock->OldIrql;
    /* Take the deferred queues while still holding the lock: the next holder may defer
       them again (and relink DeferredNext) as soon as it is released. A lock serves at
       most one device's queues. */
    FX_QUEUE *deferred[64];
    size_t count = 0;
    while (Lock->Deferred != NULL && count < 64) {
        FX_QUEUE *queue = Lock->Deferred;
        Lock->Deferred = queue->DeferredNext;
        HosMutexLock(&queue->Lock);
        queue->DeferredOnLock = false;
        queue->DeferredNext = NULL;
        HosMutexUnlock(&queue->Lock);
        deferred[count++] = queue;
    }
    atomic_store(&Lock->Owner, 0);
    HosMutexUnlock(&Lock->Mutex);
    if (!Lock->Passive) {
        KeLowerIrql(old);
    }
    for (size_t i = 0; i < count; i++) {
        FxQueueDispatch(deferred[i]);
        FxObjectDereference(&deferred[i]->Object);
    }
}

/* ---------------------------------------------------------- callback frames */

void FxSpinLockNoteAcquired(void *SpinLock)
{
    if (FxThreadSpinLockCount < FX_MAX_HELD_SPINLOCKS) {
        FxThreadSpinLocks[FxThreadSpinLockCount] = SpinLock;
    }
    FxThreadSpinLockCount++;
}

void FxSpinLockNoteReleased(void *SpinLock)
{
    int count = FxThreadSpinLockCount < FX_MAX_HELD_SPINLOCKS ? FxThreadSpinLockCount
                                                              : FX_MAX_HELD_SPINLOCKS;
    for (int i = count - 1; i >= 0; i--) {
        if (FxThreadSpinLocks[i] == SpinLock) {
            memmove(&FxThreadSpinLocks[i], &FxThreadSpinLocks[i + 1],
                    (size_t)(count - 1 - i) * sizeof(void *));
            break;
        }
    }
    if (FxThreadSpinLockCount > 0) {
        FxThreadSpinLockCount--;
    }
}

bool FxSpinLockHeldByThisThread(void *SpinLock)
{
    int count = FxThreadSpinLockCount < FX_MAX_HELD_SPINLOCKS ? FxThreadSpinLockCount
                                                              : FX_MAX_HELD_SPINLOCKS;
    for (int i = 0; i < count; i++) {
        if (FxThreadSpinLocks[i] == SpinLock) {
            return true;
        }
    }
    return false;
}

int FxSpinLocksHeldByCaller(void)
{
    return FxThreadSpinLockCount + (int)KhSpinLocksHeldByCurrentThread();
}

void FxCallbackEnter(FX_CALLBACK_FRAME *Frame, FX_DRIVER *Driver, FX_SYNC_LOCK *Lock,
                     const char *Name, const void *Object)
{
    Frame->PreviousName = FxThreadCallback;
    Frame->PreviousDriver = FxThreadDriver;
    Frame->Lock = NULL;
    Frame->Serialized = false;
    Frame->Object = Object;
    Frame->Name = Name;
    if (HosExploring) {
        HosExplorePoint("enter", Name, Object, __builtin_extract_return_addr(__builtin_return_address(0)));
    }
    if (Lock != NULL && !FxSyncLockHeldByCaller(Lock)) {
        FxSyncLockAcquire(Lock);
        Frame->Lock = Lock;
        Frame->Serialized = true;
        if (atomic_fetch_add(&Lock->InCallback, 1) != 0) {
            FxThreadCallback = Name;
            FxReport(Driver, "SERIALIZATION_BROKEN",
                     "%s for %p started while another callback serialized with it was running",
                     Name, Object);
        }
    }
    FxThreadCallback = Name;
    FxThreadDriver = Driver;
    Frame->SpinLocksHeld = FxThreadSpinLockCount;
    Frame->KernelSpinLocksHeld = KhSpinLocksHeldByCurrentThread();
}

void FxCallbackLeave(FX_CALLBACK_FRAME *Frame)
{
    while (FxThreadSpinLockCount > Frame->SpinLocksHeld) {
        int top = FxThreadSpinLockCount - 1;
        void *lock = top < FX_MAX_HELD_SPINLOCKS ? FxThreadSpinLocks[top] : NULL;
        FxReport(FxThreadDriver, "SPINLOCK_MISUSE", "%s returned with WDFSPINLOCK %p still held",
                 FxCurrentCallback(), lock);
        if (lock == NULL) {
            FxThreadSpinLockCount = Frame->SpinLocksHeld;
            break;
        }
        FxSpinLockForceRelease(lock);
    }
    if (KhSpinLocksHeldByCurrentThread() > Frame->KernelSpinLocksHeld) {
        FxReport(FxThreadDriver, "SPINLOCK_MISUSE", "%s returned with a KSPIN_LOCK still held",
                 FxCurrentCallback());
    }
    if (Frame->Serialized) {
        atomic_fetch_sub(&Frame->Lock->InCallback, 1);
    }
    FxThreadCallback = Frame->PreviousName;
    FxThreadDriver = Frame->PreviousDriver;
    if (Frame->Lock != NULL) {
        FxSyncLockRelease(Frame->Lock);
    }
    if (HosExploring) {
        HosExplorePoint("leave", Frame->Name, Frame->Object, __builtin_extract_return_addr(__builtin_return_address(0)));
    }
}

/* ------------------------------------------------------ WdfObject* methods */

WDFAPI PVOID FASTCALL WdfObjectGetTypedContextWorker(WDFOBJECT Handle,
                                                     PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo)
{
    FX_OBJECT *object = FxObjectFromHandle(Handle, FxTypeAny, "WdfObjectGetTypedContext");
    if (object == NULL || TypeInfo == NULL) {
        return NULL;
    }
    void *data = NULL;
    HosMutexLock(&FxGlobalLock);
    for (FX_CONTEXT *context = object->Contexts; context != NULL; context = context->Next) {
        if (context->TypeInfo == TypeInfo || context->TypeInfo->UniqueType == TypeInfo) {
            data = context->Data;
            break;
        }
    }
    HosMutexUnlock(&FxGlobalLock);
    return data;
}

WDFAPI NTSTATUS WdfObjectAllocateContext(WDFOBJECT Handle, PWDF_OBJECT_ATTRIBUTES ContextAttributes,
                                         PVOID *Context)
{
    FX_OBJECT *object = FxObjectFromHandle(Handle, FxTypeAny, "WdfObjectAllocateContext");
    if (Context != NULL) {
        *Context = NULL;
    }
    if (object == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ContextAttributes == NULL || ContextAttributes->ContextTypeInfo == NULL) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    NTSTATUS status = FxValidateAttributes(ContextAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (ContextAttributes->ParentObject != NULL) {
        return STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED;
    }
    if (atomic_load(&object->State) != FxStateLive) {
        return STATUS_DELETE_PENDING;
    }
    size_t size = FxContextSize(ContextAttributes);
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FX_CONTEXT *context = aligned_alloc(16, (sizeof(FX_CONTEXT) + size + 15) & ~(size_t)15);
    if (context == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(context, 0, sizeof(FX_CONTEXT) + size);
    FxContextInit(context, object, ContextAttributes, size, object->Type);
    context->Separate = true;
    context->EvtCleanup = ContextAttributes->EvtCleanupCallback;
    context->EvtDestroy = ContextAttributes->EvtDestroyCallback;
    HosMutexLock(&FxGlobalLock);
    for (FX_CONTEXT *existing = object->Contexts; existing != NULL; existing = existing->Next) {
        if (existing->TypeInfo == context->TypeInfo) {
            HosMutexUnlock(&FxGlobalLock);
            free(context);
            return STATUS_OBJECT_NAME_EXISTS;
        }
    }
    if (object->Contexts == NULL) {
        object->Contexts = context;
    } else {
        FX_CONTEXT *last = object->Contexts;
        while (last->Next != NULL) {
            last = last->Next;
        }
        last->Next = context;
    }
    HosMutexUnlock(&FxGlobalLock);
    if (Context != NULL) {
        *Context = context->Data;
    }
    return STATUS_SUCCESS;
}

WDFAPI WDFOBJECT FASTCALL WdfObjectContextGetObject(PVOID ContextPointer)
{
    if (ContextPointer == NULL) {
        return NULL;
    }
    FX_CONTEXT *context = FX_CONTAINING(ContextPointer, FX_CONTEXT, Data);
    return (WDFOBJECT)context->Owner;
}

WDFAPI VOID WdfObjectReferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCHAR File)
{
    (void)Tag;
    (void)Line;
    (void)File;
    FX_OBJECT *object = FxObjectFromHandle(Handle, FxTypeAny, "WdfObjectReference");
    if (object != NULL) {
        FxObjectReference(object);
    }
}

WDFAPI VOID WdfObjectDereferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCHAR File)
{
    (void)Tag;
    (void)Line;
    (void)File;
    FX_OBJECT *object = FxObjectFromHandle(Handle, FxTypeAny, "WdfObjectDereference");
    if (object != NULL) {
        FxObjectDereference(object);
    }
}

/*
 * WdfObjectCreate: a general object. Its parent is the given object or, by default,
 * the driver object (the driver whose callback is running).
 */
WDFAPI NTSTATUS WdfObjectCreate(PWDF_OBJECT_ATTRIBUTES Attributes, WDFOBJECT *Object)
{
    if (Object == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Object = NULL;
    FX_OBJECT *parent = NULL;
    if (Attributes != NULL && Attributes->ParentObject != NULL) {
        parent = FxObjectFromHandle(Attributes->ParentObject, FxTypeAny, "WdfObjectCreate");
        if (parent == NULL) {
            return STATUS_INVALID_HANDLE;
        }
    } else {
        FX_DRIVER *driver = (FX_DRIVER *)WdfGetDriver();
        parent = driver != NULL ? &driver->Object : NULL;
    }
    if (parent == NULL) {
        return STATUS_WDF_PARENT_NOT_SPECIFIED;
    }
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_OBJECT), FxTypeObject, Attributes, parent->Driver,
                                       NULL, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    object->ExecutionLevel = FxResolveExecutionLevel(Attributes, parent);
    FxObjectInsert(object, parent);
    *Object = (WDFOBJECT)object;
    return STATUS_SUCCESS;
}

/*
 * WdfObjectDelete: "a driver cannot delete ... framework driver objects, framework
 * device objects that represent PnP devices, request objects it received from the
 * framework" (WdfObjectDelete remarks); those are reported and left alone. A PDO the
 * driver created for static enumeration is its own to delete until it is in the
 * static child list: "If WdfFdoAddStaticChild returns an NTSTATUS value that
 * NT_SUCCESS evaluates as FALSE, the driver must call WdfObjectDelete to delete the
 * framework device object that represents the child device. The driver must not
 * delete the framework device object after WdfFdoAddStaticChild returns
 * STATUS_SUCCESS" (WdfFdoAddStaticChild remarks; fxdevice.c, fxfdo.c).
 */
WDFAPI VOID WdfObjectDelete(WDFOBJECT Handle)
{
    FX_OBJECT *object = FxObjectFromHandle(Handle, FxTypeAny, "WdfObjectDelete");
    if (object == NULL) {
        return;
    }
    if (object->NoDriverDelete || object->Embedded) {
        FxReport(object->Driver, "INVALID_OBJECT_DELETE",
                 "WdfObjectDelete on %s %p, which the framework owns", FxTypeName(object->Type),
                 (void *)object);
        return;
    }
    if (object->Type == FxTypeDevice && !((struct FX_DEVICE *)object)->Control) {
        /* A PnP device the driver may delete: its device object goes too. */
        FxDeviceDeleteByDriver((struct FX_DEVICE *)object);
        return;
    }
    FxObjectDelete(object);
}

static FX_SYNC_LOCK *FxObjectLockOf(WDFOBJECT Handle, const char *Api)
{
    FX_OBJECT *object = FxObjectFromHandle(Handle, FxTypeAny, Api);
    if (object == NULL) {
        return NULL;
    }
    if (object->SyncLock == NULL) {
        FxReport(object->Driver, "INVALID_HANDLE", "%s on %s %p, which has no synchronization lock",
                 Api, FxTypeName(object->Type), (void *)object);
    }
    return object->SyncLock;
}

WDFAPI VOID WdfObjectAcquireLock(WDFOBJECT Object)
{
    FX_SYNC_LOCK *lock = FxObjectLockOf(Object, "WdfObjectAcquireLock");
    if (lock != NULL) {
        FxSyncLockAcquire(lock);
    }
}

WDFAPI VOID WdfObjectReleaseLock(WDFOBJECT Object)
{
    FX_SYNC_LOCK *lock = FxObjectLockOf(Object, "WdfObjectReleaseLock");
    if (lock != NULL) {
        FxSyncLockRelease(lock);
    }
}
