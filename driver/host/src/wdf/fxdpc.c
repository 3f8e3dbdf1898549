/*
 * fxdpc.c - framework DPC objects (WDFDPC), wdfdpc.h.
 *
 * From WdfDpcCreate / WdfDpcEnqueue / WdfDpcCancel:
 *  - the parent (required) is a device, a queue, or an object whose parents lead to a
 *    device; the DPC is deleted with it, cancelled and waited for;
 *  - EvtDpcFunc runs at DISPATCH_LEVEL (the host's DPC thread);
 *  - AutomaticSerialization makes the callback take the synchronization lock of the
 *    parent queue or device; a DPC cannot join a passive-level (wait) lock, creation
 *    then fails with STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
 *  - WdfDpcEnqueue returns FALSE when the DPC was already queued.
 */
#include "wdf/fxp.h"

typedef struct FX_DPC {
    FX_OBJECT Object;
    HOS_TIMER *Timer;
    WDF_DPC_CONFIG Config;
    FX_SYNC_LOCK *Lock;
} FX_DPC;

static _Thread_local FX_DPC *FxDpcInCallback;

static void FxDpcRoutine(void *Context)
{
    FX_DPC *dpc = Context;
    if (atomic_load(&dpc->Object.State) != FxStateLive) {
        return;
    }
    FxObjectReference(&dpc->Object);
    FX_DPC *previous = FxDpcInCallback;
    FxDpcInCallback = dpc;
    FX_CALLBACK_FRAME frame;
    FxCallbackEnter(&frame, dpc->Object.Driver, dpc->Lock, "EvtDpcFunc", dpc);
    dpc->Config.EvtDpcFunc((WDFDPC)dpc);
    FxCallbackLeave(&frame);
    FxObjectDereference(&dpc->Object);
    FxDpcInCallback = previous;
}

static void FxDpcDeleteWork(void *Context)
{
    HosTimerDelete(Context);
}

static void FxDpcDispose(FX_OBJECT *Object)
{
    FX_DPC *dpc = (FX_DPC *)Object;
    HosTimerCancel(dpc->Timer, FxDpcInCallback != dpc && !HosInDpc());
}

static void FxDpcDestroy(FX_OBJECT *Object)
{
    FX_DPC *dpc = (FX_DPC *)Object;
    if (HosInDpc()) {
        HosTimerCancel(dpc->Timer, false);
        (void)HosQueueWork(FxDpcDeleteWork, dpc->Timer);
    } else {
        HosTimerDelete(dpc->Timer);
    }
    dpc->Timer = NULL;
}

static const FX_OBJECT_OPS FxDpcOps = {FxDpcDispose, FxDpcDestroy};

WDFAPI NTSTATUS WdfDpcCreate(PWDF_DPC_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDPC *Dpc)
{
    if (Dpc == NULL || Config == NULL || Config->EvtDpcFunc == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Dpc = NULL;
    if (Config->Size != sizeof(WDF_DPC_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (Attributes == NULL || Attributes->ParentObject == NULL) {
        return STATUS_WDF_PARENT_NOT_SPECIFIED;
    }
    FX_OBJECT *parent = FxObjectFromHandle(Attributes->ParentObject, FxTypeAny, "WdfDpcCreate");
    if (parent == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (FxObjectGetDevice(parent) == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    FX_SYNC_LOCK *lock = Config->AutomaticSerialization ? FxSerializationLockOf(parent) : NULL;
    if (lock != NULL && lock->Passive) {
        return STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL;
    }
    FX_OBJECT *object;
    NTSTATUS status =
        FxObjectAllocate(sizeof(FX_DPC), FxTypeDpc, Attributes, parent->Driver, &FxDpcOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_DPC *dpc = (FX_DPC *)object;
    dpc->Config = *Config;
    dpc->Lock = lock;
    object->ExecutionLevel = WdfExecutionLevelDispatch;
    if (KhAllocationShouldFail()) {
        FxObjectFreeUninserted(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    dpc->Timer = HosTimerCreate(FxDpcRoutine, dpc);
    if (dpc->Timer == NULL) {
        FxObjectFreeUninserted(object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FxObjectInsert(object, parent);
    *Dpc = (WDFDPC)object;
    return STATUS_SUCCESS;
}

WDFAPI BOOLEAN WdfDpcEnqueue(WDFDPC Dpc)
{
    FX_DPC *dpc = (FX_DPC *)FxObjectFromHandle(Dpc, FxTypeDpc, "WdfDpcEnqueue");
    if (dpc == NULL || atomic_load(&dpc->Object.State) != FxStateLive) {
        return FALSE;
    }
    /* A one-shot timer due now: TRUE when it was not queued already. */
    return HosTimerSet(dpc->Timer, 0, 0) ? FALSE : TRUE;
}

WDFAPI BOOLEAN WdfDpcCancel(WDFDPC Dpc, BOOLEAN Wait)
{
    FX_DPC *dpc = (FX_DPC *)FxObjectFromHandle(Dpc, FxTypeDpc, "WdfDpcCancel");
    if (dpc == NULL) {
        return FALSE;
    }
    bool wait = Wait != FALSE;
    if (wait && (FxDpcInCallback == dpc || KeGetCurrentIrql() > PASSIVE_LEVEL)) {
        FxReport(dpc->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT",
                 "WdfDpcCancel(Wait = TRUE) on WDFDPC %p at IRQL %u or from its own EvtDpcFunc",
                 (void *)dpc, (unsigned)KeGetCurrentIrql());
        wait = false;
    }
    return HosTimerCancel(dpc->Timer, wait) ? TRUE : FALSE;
}

WDFAPI WDFOBJECT WdfDpcGetParentObject(WDFDPC Dpc)
{
    FX_DPC *dpc = (FX_DPC *)FxObjectFromHandle(Dpc, FxTypeDpc, "WdfDpcGetParentObject");
    return dpc != NULL ? (WDFOBJECT)dpc->Object.Parent : NULL;
}
