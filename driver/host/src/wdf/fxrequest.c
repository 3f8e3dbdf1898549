/*
 * fxrequest.c - framework request objects (WDFREQUEST) and the request buffers as
 * WDFMEMORY objects.
 *
 * One request object per IRP that reaches a queue (or EvtDeviceFileCreate). It carries
 * the context that WdfDeviceInitSetRequestAttributes asked for, zeroed for every
 * request. Completion completes the IRP and deletes the request; the handle then stays
 * recognizable (quarantine) so that later use is reported as
 * REQUEST_USED_AFTER_COMPLETION or DOUBLE_COMPLETION.
 *
 * Cancellation, from "Canceling I/O Requests" and the WdfRequestMarkCancelable(Ex) /
 * WdfRequestUnmarkCancelable pages:
 *  - WdfRequestMarkCancelable: if the request was already cancelled, the framework
 *    calls EvtRequestCancel before WdfRequestMarkCancelable returns;
 *  - WdfRequestMarkCancelableEx: if already cancelled, returns STATUS_CANCELLED and
 *    does not call EvtRequestCancel (the driver completes the request itself);
 *  - WdfRequestUnmarkCancelable: STATUS_CANCELLED when EvtRequestCancel has run or is
 *    about to run, in which case the driver must not complete the request there;
 *  - EvtRequestCancel runs under the queue's synchronization lock when the queue's
 *    synchronization scope gives it one.
 * The IRP's cancel routine (IoSetCancelRoutine) decides, with its atomic exchange, who
 * owns a cancellation: whoever takes the routine back.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

static void FxRequestIrpCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp);

/* ---------------------------------------------------------------- helpers */

static BOOLEAN FxIrpCancelFlag(PIRP Irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    BOOLEAN cancelled = Irp->Cancel;
    IoReleaseCancelSpinLock(irql);
    return cancelled;
}

void FxCompleteIrp(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

FX_REQUEST *FxRequestFromIrp(PIRP Irp)
{
    return (FX_REQUEST *)Irp->Tail.Overlay.DriverContext[3];
}

void FxMemoryInitEmbedded(FX_MEMORY *Memory, FX_OBJECT *Owner, PVOID Buffer, size_t Size)
{
    memset(Memory, 0, sizeof(*Memory));
    Memory->Object.Magic = FX_MAGIC_LIVE;
    Memory->Object.Type = FxTypeMemory;
    Memory->Object.Driver = Owner->Driver;
    Memory->Object.Embedded = true;
    Memory->Object.EmbeddedIn = Owner;
    Memory->Object.NoDriverDelete = true;
    FxListInit(&Memory->Object.Children);
    FxListInit(&Memory->Object.Sibling);
    FxListInit(&Memory->Object.AllLink);
    atomic_init(&Memory->Object.RefCount, 1);
    atomic_init(&Memory->Object.State, FxStateLive);
    Memory->Buffer = Buffer;
    Memory->Size = Size;
}

/*
 * Explore mode's race detector watches the request's buffers while the driver may use
 * them: from the request's creation until its completion hands them back to the I/O
 * manager. (The input and output buffers of METHOD_BUFFERED are one system buffer.)
 */
static void FxRequestWatchBuffers(FX_REQUEST *Request)
{
    if (!HosRaceOn) {
        return;
    }
    FX_MEMORY *in = Request->InputMemory.Object.Type == FxTypeMemory ? &Request->InputMemory : NULL;
    FX_MEMORY *out = Request->OutputMemory.Object.Type == FxTypeMemory ? &Request->OutputMemory : NULL;
    if (in != NULL && out != NULL && in->Buffer == out->Buffer) {
        size_t size = in->Size > out->Size ? in->Size : out->Size;
        HosRaceWatch(in->Buffer, size, "WDFREQUEST buffer of %zu bytes", size);
        out = NULL;
    } else if (in != NULL) {
        HosRaceWatch(in->Buffer, in->Size, "WDFREQUEST input buffer of %zu bytes", in->Size);
    }
    if (out != NULL) {
        HosRaceWatch(out->Buffer, out->Size, "WDFREQUEST output buffer of %zu bytes", out->Size);
    }
    Request->RaceWatched = true;
}

static void FxRequestUnwatchBuffers(FX_REQUEST *Request)
{
    if (!Request->RaceWatched) {
        return;
    }
    Request->RaceWatched = false;
    if (Request->InputMemory.Object.Type == FxTypeMemory && Request->InputMemory.Buffer != NULL) {
        HosRaceUnwatch(Request->InputMemory.Buffer, Request->InputMemory.Size);
    }
    if (Request->OutputMemory.Object.Type == FxTypeMemory && Request->OutputMemory.Buffer != NULL) {
        HosRaceUnwatch(Request->OutputMemory.Buffer, Request->OutputMemory.Size);
    }
}

static void FxRequestDestroy(FX_OBJECT *Object)
{
    FX_REQUEST *request = (FX_REQUEST *)Object;
    FxRequestUnwatchBuffers(request);
    /* The buffers die with the request: their handles become recognizably dead too. */
    if (request->InputMemory.Object.Type == FxTypeMemory) {
        request->InputMemory.Object.Magic = FX_MAGIC_DEAD;
    }
    if (request->OutputMemory.Object.Type == FxTypeMemory) {
        request->OutputMemory.Object.Magic = FX_MAGIC_DEAD;
    }
    FxRequestReleaseFormat(request);
    if (request->InputWdmMdl != NULL) {
        IoFreeMdl(request->InputWdmMdl);
    }
    if (request->OutputWdmMdl != NULL) {
        IoFreeMdl(request->OutputWdmMdl);
    }
    HosCondDestroy(&request->SendDone);
    HosMutexDestroy(&request->Lock);
}

static const FX_OBJECT_OPS FxRequestOps = {NULL, FxRequestDestroy};

NTSTATUS FxRequestCreateForIrp(FX_DEVICE *Device, PIRP Irp, FX_REQUEST **Request)
{
    *Request = NULL;
    FX_OBJECT *object;
    NTSTATUS status =
        FxObjectAllocate(sizeof(FX_REQUEST), FxTypeRequest,
                         Device->HasRequestAttributes ? &Device->RequestAttributes : NULL,
                         Device->Object.Driver, &FxRequestOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_REQUEST *request = (FX_REQUEST *)object;
    object->NoDriverDelete = true;
    object->ExecutionLevel = Device->Object.ExecutionLevel;
    HosMutexInitOrdering(&request->Lock);
    HosCondInit(&request->SendDone);
    FxListInit(&request->QueueLink);
    FxListInit(&request->TargetLink);
    request->Irp = Irp;
    request->Device = Device;
    atomic_init(&request->Queue, NULL);
    Irp->Tail.Overlay.DriverContext[3] = request;

    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    WDF_REQUEST_PARAMETERS *p = &request->Parameters;
    p->Size = sizeof(*p);
    p->MinorFunction = stack->MinorFunction;
    p->Type = (WDF_REQUEST_TYPE)stack->MajorFunction;
    PVOID system = Irp->AssociatedIrp.SystemBuffer;
    switch (stack->MajorFunction) {
    case IRP_MJ_CREATE:
        p->Parameters.Create.SecurityContext =
            (struct _IO_SECURITY_CONTEXT *)stack->Parameters.Create.SecurityContext;
        p->Parameters.Create.Options = stack->Parameters.Create.Options;
        p->Parameters.Create.FileAttributes = stack->Parameters.Create.FileAttributes;
        p->Parameters.Create.ShareAccess = stack->Parameters.Create.ShareAccess;
        p->Parameters.Create.EaLength = stack->Parameters.Create.EaLength;
        break;
    case IRP_MJ_READ:
    case IRP_MJ_WRITE: {
        bool read = stack->MajorFunction == IRP_MJ_READ;
        ULONG length = stack->Parameters.Read.Length; /* Read and Write share the layout */
        if (read) {
            p->Parameters.Read.Length = length;
            p->Parameters.Read.Key = stack->Parameters.Read.Key;
            p->Parameters.Read.DeviceOffset = stack->Parameters.Read.ByteOffset.QuadPart;
        } else {
            p->Parameters.Write.Length = length;
            p->Parameters.Write.Key = stack->Parameters.Write.Key;
            p->Parameters.Write.DeviceOffset = stack->Parameters.Write.ByteOffset.QuadPart;
        }
        /* The buffer as the device's I/O type has it: the system buffer (buffered), the
           MDL's system address (direct), the caller's address only for a kernel-mode
           caller (neither; a user address has to be probed and locked in the caller's
           context). */
        PVOID buffer = NULL;
        bool have = true;
        if (Device->IoType == WdfDeviceIoDirect) {
            buffer = Irp->MdlAddress != NULL ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority) : NULL;
        } else if (Device->IoType == WdfDeviceIoNeither) {
            have = Irp->RequestorMode == KernelMode;
            buffer = Irp->UserBuffer;
        } else {
            buffer = system;
        }
        if (have) {
            FxMemoryInitEmbedded(read ? &request->OutputMemory : &request->InputMemory, object, buffer, length);
        }
        break;
    }
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL: {
        ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
        p->Parameters.DeviceIoControl.OutputBufferLength =
            stack->Parameters.DeviceIoControl.OutputBufferLength;
        p->Parameters.DeviceIoControl.InputBufferLength =
            stack->Parameters.DeviceIoControl.InputBufferLength;
        p->Parameters.DeviceIoControl.IoControlCode = code;
        p->Parameters.DeviceIoControl.Type3InputBuffer =
            stack->Parameters.DeviceIoControl.Type3InputBuffer;
        if (stack->MajorFunction == IRP_MJ_INTERNAL_DEVICE_CONTROL) {
            /* KMDF copies the stack location's parameters as they are, so that an internal
               request of the "Others" kind (WdfIoTargetFormatRequestForInternalIoctlOthers)
               reaches the driver with its pointer arguments whole: Parameters.Others.Arg1
               and Arg2 share their place with the two lengths, Arg4 with Type3InputBuffer. */
            p->Parameters.Others.Arg1 = stack->Parameters.Others.Argument1;
            p->Parameters.Others.Arg2 = stack->Parameters.Others.Argument2;
            p->Parameters.Others.Arg4 = stack->Parameters.Others.Argument4;
        }
        ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
        ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
        switch (METHOD_FROM_CTL_CODE(code)) {
        case METHOD_BUFFERED:
            FxMemoryInitEmbedded(&request->InputMemory, object, system, inLength);
            FxMemoryInitEmbedded(&request->OutputMemory, object, system, outLength);
            break;
        case METHOD_IN_DIRECT:
        case METHOD_OUT_DIRECT:
            /* The input in the system buffer; the output buffer described by the MDL,
               which the framework maps (MmGetSystemAddressForMdlSafe). */
            FxMemoryInitEmbedded(&request->InputMemory, object, system, inLength);
            FxMemoryInitEmbedded(&request->OutputMemory, object,
                                 Irp->MdlAddress != NULL ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority)
                                                         : NULL,
                                 outLength);
            break;
        default:
            /* METHOD_NEITHER: only a kernel-mode caller's addresses are usable as they are. */
            if (Irp->RequestorMode == KernelMode) {
                FxMemoryInitEmbedded(&request->InputMemory, object,
                                     stack->Parameters.DeviceIoControl.Type3InputBuffer, inLength);
                FxMemoryInitEmbedded(&request->OutputMemory, object, Irp->UserBuffer, outLength);
            }
            break;
        }
        break;
    }
    default:
        break;
    }
    request->File = FxFileObjectLookup(Device, stack->FileObject);
    FxRequestWatchBuffers(request);
    FxObjectInsert(object, NULL);
    *Request = request;
    return STATUS_SUCCESS;
}

/*
 * Completes the IRP and deletes the request. The caller has set Completed under the
 * request's lock, so exactly one thread gets here per request.
 */
static void FxRequestFinish(FX_REQUEST *Request, NTSTATUS Status, CCHAR Boost)
{
    PIRP irp = Request->Irp;
    FX_QUEUE *queue = atomic_load(&Request->Queue);
    HosMutexLock(&Request->Lock);
    bool owned = Request->DriverOwned;
    Request->DriverOwned = false;
    ULONG_PTR information = Request->Information;
    Request->Status = Status;
    HosMutexUnlock(&Request->Lock);
    if (queue != NULL && owned) {
        FxQueueRemoveOwned(queue, Request);
    }
    if (Request->IsCreate && !NT_SUCCESS(Status)) {
        FxFileObjectCreateFailed(Request->File);
    }
    irp->IoStatus.Status = Status;
    irp->IoStatus.Information = information;
    FxRequestUnwatchBuffers(Request);
    IoCompleteRequest(irp, Boost);
    FxObjectDelete(&Request->Object);
    if (queue != NULL) {
        FxQueueRequestDone(queue);
        FxObjectDereference(&queue->Object);
    }
}

/*
 * WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET: the IRP now belongs to the target's driver.
 * The request leaves its queue and is deleted without completing the IRP.
 */
void FxRequestForgetIrp(FX_REQUEST *Request)
{
    FX_QUEUE *queue = atomic_load(&Request->Queue);
    HosMutexLock(&Request->Lock);
    bool owned = Request->DriverOwned;
    Request->DriverOwned = false;
    Request->Completed = true;
    HosMutexUnlock(&Request->Lock);
    if (queue != NULL && owned) {
        FxQueueRemoveOwned(queue, Request);
    }
    Request->Irp->Tail.Overlay.DriverContext[3] = NULL;
    FxObjectDelete(&Request->Object);
    if (queue != NULL) {
        FxQueueRequestDone(queue);
        FxObjectDereference(&queue->Object);
    }
}

void FxRequestCompleteByFramework(FX_REQUEST *Request, NTSTATUS Status)
{
    HosMutexLock(&Request->Lock);
    if (Request->Completed) {
        HosMutexUnlock(&Request->Lock);
        return;
    }
    Request->Completed = true;
    Request->Cancelable = false;
    Request->Information = 0;
    HosMutexUnlock(&Request->Lock);
    /* A forced completion (device removal) must not leave the IRP's cancel routine set. */
    (void)IoSetCancelRoutine(Request->Irp, NULL);
    FxRequestFinish(Request, Status, IO_NO_INCREMENT);
}

/*
 * Runs the driver's EvtRequestCancel for a request whose cancel routine this thread
 * took (the IRP's cancel routine, a purge, or MarkCancelable on a cancelled request).
 */
static void FxRequestRunCancel(FX_REQUEST *Request)
{
    FxObjectReference(&Request->Object);
    HosMutexLock(&Request->Lock);
    if (Request->Completed) {
        /* The driver completed it while cancelable (reported); the IRP is ours to finish. */
        HosMutexUnlock(&Request->Lock);
        FxRequestFinish(Request, STATUS_CANCELLED, IO_NO_INCREMENT);
        FxObjectDereference(&Request->Object);
        return;
    }
    PFN_WDF_REQUEST_CANCEL routine = Request->EvtCancel;
    Request->Cancelable = false;
    Request->CancelClaimed = true;
    HosMutexUnlock(&Request->Lock);
    FX_QUEUE *queue = atomic_load(&Request->Queue);
    FX_CALLBACK_FRAME frame;
    FxCallbackEnter(&frame, Request->Object.Driver, queue != NULL ? queue->Object.SyncLock : NULL,
                    "EvtRequestCancel", Request);
    routine((WDFREQUEST)Request);
    FxCallbackLeave(&frame);
    FxObjectDereference(&Request->Object);
}

static void FxRequestIrpCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    FxRequestRunCancel(FxRequestFromIrp(Irp));
}

void FxRequestCancelDriverOwned(FX_REQUEST *Request)
{
    HosMutexLock(&Request->Lock);
    bool cancelable = Request->Cancelable && !Request->Completed;
    HosMutexUnlock(&Request->Lock);
    if (!cancelable || IoSetCancelRoutine(Request->Irp, NULL) == NULL) {
        return;
    }
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    Request->Irp->Cancel = TRUE;
    IoReleaseCancelSpinLock(irql);
    FxRequestRunCancel(Request);
}

/* ------------------------------------------------------ validation */

/* A live, not yet completed request; reports REQUEST_USED_AFTER_COMPLETION otherwise. */
static FX_REQUEST *FxRequestGet(WDFREQUEST Handle, const char *Api)
{
    FX_REQUEST *request = (FX_REQUEST *)FxObjectFromHandle(Handle, FxTypeRequest, Api);
    if (request == NULL) {
        return NULL;
    }
    HosMutexLock(&request->Lock);
    bool completed = request->Completed;
    HosMutexUnlock(&request->Lock);
    if (completed) {
        FxReport(request->Object.Driver, "REQUEST_USED_AFTER_COMPLETION",
                 "%s called on WDFREQUEST %p after it was completed", Api, (void *)request);
        return NULL;
    }
    return request;
}

/* The largest information a request may complete with (read and device control). */
static bool FxInformationLimit(FX_REQUEST *Request, size_t *Limit)
{
    switch (Request->Parameters.Type) {
    case WdfRequestTypeRead:
        *Limit = Request->Parameters.Parameters.Read.Length;
        return true;
    case WdfRequestTypeDeviceControl:
        /* A device control without an output buffer may complete with the number of
           input bytes it used: KMDF checks the information against the output buffer only
           when there is one (Microsoft's toaster bus completes its plug-in IOCTL so). */
        *Limit = Request->Parameters.Parameters.DeviceIoControl.OutputBufferLength;
        return *Limit != 0;
    case WdfRequestTypeDeviceControlInternal:
        *Limit = Request->Parameters.Parameters.DeviceIoControl.OutputBufferLength;
        return true;
    default:
        return false;
    }
}

/* Stores Information; INFORMATION_EXCEEDS_BUFFER when it overruns the output buffer. */
static void FxRequestSetInformationChecked(FX_REQUEST *Request, ULONG_PTR Information,
                                           const char *Api)
{
    size_t limit;
    if (FxInformationLimit(Request, &limit) && Information > limit) {
        FxReport(Request->Object.Driver, "INFORMATION_EXCEEDS_BUFFER",
                 "%s sets information %lu on WDFREQUEST %p whose output buffer has %lu bytes", Api,
                 (unsigned long)Information, (void *)Request, (unsigned long)limit);
        Information = limit;
    }
    HosMutexLock(&Request->Lock);
    Request->Information = Information;
    HosMutexUnlock(&Request->Lock);
}

/* ------------------------------------------------------------ completion */

static void FxRequestCompleteByDriver(WDFREQUEST Handle, NTSTATUS Status, bool HasInformation,
                                      ULONG_PTR Information, CCHAR Boost, const char *Api)
{
    FX_OBJECT *header = (FX_OBJECT *)Handle;
    if (header != NULL && header->Magic == FX_MAGIC_DEAD && header->Type == FxTypeRequest) {
        FxReport(header->Driver, "DOUBLE_COMPLETION",
                 "%s on WDFREQUEST %p, which was already completed", Api, (void *)Handle);
        return;
    }
    FX_REQUEST *request = (FX_REQUEST *)FxObjectFromHandle(Handle, FxTypeRequest, Api);
    if (request == NULL) {
        return;
    }
    HosMutexLock(&request->Lock);
    bool completed = request->Completed;
    HosMutexUnlock(&request->Lock);
    if (completed) {
        FxReport(request->Object.Driver, "DOUBLE_COMPLETION",
                 "%s on WDFREQUEST %p, which was already completed", Api, (void *)request);
        return;
    }
    if (HasInformation) {
        FxRequestSetInformationChecked(request, Information, Api);
    }
    HosMutexLock(&request->Lock);
    if (request->Completed) {
        HosMutexUnlock(&request->Lock);
        FxReport(request->Object.Driver, "DOUBLE_COMPLETION",
                 "%s on WDFREQUEST %p, which was already completed", Api, (void *)request);
        return;
    }
    request->Completed = true;
    if (request->Cancelable) {
        request->Cancelable = false;
        HosMutexUnlock(&request->Lock);
        FxReport(request->Object.Driver, "COMPLETE_WHILE_CANCELABLE",
                 "%s on WDFREQUEST %p, which is still marked cancelable (call "
                 "WdfRequestUnmarkCancelable first)",
                 Api, (void *)request);
        if (IoSetCancelRoutine(request->Irp, NULL) == NULL) {
            /* The cancel path owns the IRP now; it finishes the request. */
            return;
        }
    } else {
        HosMutexUnlock(&request->Lock);
    }
    FxRequestFinish(request, Status, Boost);
}

WDFAPI VOID WdfRequestComplete(WDFREQUEST Request, NTSTATUS Status)
{
    HOS_SCHEDULE_POINT("WdfRequestComplete", NULL, NULL);
    FxRequestCompleteByDriver(Request, Status, false, 0, IO_NO_INCREMENT, "WdfRequestComplete");
}

WDFAPI VOID WdfRequestCompleteWithInformation(WDFREQUEST Request, NTSTATUS Status,
                                              ULONG_PTR Information)
{
    HOS_SCHEDULE_POINT("WdfRequestCompleteWithInformation", NULL, NULL);
    FxRequestCompleteByDriver(Request, Status, true, Information, IO_NO_INCREMENT,
                              "WdfRequestCompleteWithInformation");
}

WDFAPI VOID WdfRequestCompleteWithPriorityBoost(WDFREQUEST Request, NTSTATUS Status,
                                                CCHAR PriorityBoost)
{
    HOS_SCHEDULE_POINT("WdfRequestCompleteWithPriorityBoost", NULL, NULL);
    FxRequestCompleteByDriver(Request, Status, false, 0, PriorityBoost,
                              "WdfRequestCompleteWithPriorityBoost");
}

WDFAPI VOID WdfRequestSetInformation(WDFREQUEST Request, ULONG_PTR Information)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestSetInformation");
    if (request != NULL) {
        FxRequestSetInformationChecked(request, Information, "WdfRequestSetInformation");
    }
}

WDFAPI ULONG_PTR WdfRequestGetInformation(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestGetInformation");
    if (request == NULL) {
        return 0;
    }
    HosMutexLock(&request->Lock);
    ULONG_PTR information = request->Information;
    HosMutexUnlock(&request->Lock);
    return information;
}

WDFAPI NTSTATUS WdfRequestGetStatus(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestGetStatus");
    return request != NULL ? request->Irp->IoStatus.Status : STATUS_INVALID_HANDLE;
}

/* ------------------------------------------------------------- buffers */

/* WdfRequestRetrieve*: STATUS_INVALID_DEVICE_REQUEST when the request has no such
   buffer, STATUS_BUFFER_TOO_SMALL when it is empty or below the minimum length. */
static NTSTATUS FxRequestBuffer(WDFREQUEST Handle, bool Input, size_t Minimum, FX_MEMORY **Memory,
                                const char *Api)
{
    *Memory = NULL;
    FX_REQUEST *request = FxRequestGet(Handle, Api);
    if (request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    FX_MEMORY *memory = Input ? &request->InputMemory : &request->OutputMemory;
    if (memory->Object.Type != FxTypeMemory) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (memory->Size == 0 || memory->Buffer == NULL || memory->Size < Minimum) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    *Memory = memory;
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfRequestRetrieveInputMemory(WDFREQUEST Request, WDFMEMORY *Memory)
{
    FX_MEMORY *memory;
    NTSTATUS status = FxRequestBuffer(Request, true, 0, &memory, "WdfRequestRetrieveInputMemory");
    if (Memory != NULL) {
        *Memory = (WDFMEMORY)memory;
    }
    return status;
}

WDFAPI NTSTATUS WdfRequestRetrieveOutputMemory(WDFREQUEST Request, WDFMEMORY *Memory)
{
    FX_MEMORY *memory;
    NTSTATUS status = FxRequestBuffer(Request, false, 0, &memory, "WdfRequestRetrieveOutputMemory");
    if (Memory != NULL) {
        *Memory = (WDFMEMORY)memory;
    }
    return status;
}

WDFAPI NTSTATUS WdfRequestRetrieveInputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
                                              PVOID *Buffer, size_t *Length)
{
    FX_MEMORY *memory;
    NTSTATUS status = FxRequestBuffer(Request, true, MinimumRequiredLength, &memory,
                                      "WdfRequestRetrieveInputBuffer");
    if (Buffer != NULL) {
        *Buffer = memory != NULL ? memory->Buffer : NULL;
    }
    if (Length != NULL) {
        *Length = memory != NULL ? memory->Size : 0;
    }
    return status;
}

WDFAPI NTSTATUS WdfRequestRetrieveOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredSize,
                                               PVOID *Buffer, size_t *Length)
{
    FX_MEMORY *memory;
    NTSTATUS status = FxRequestBuffer(Request, false, MinimumRequiredSize, &memory,
                                      "WdfRequestRetrieveOutputBuffer");
    if (Buffer != NULL) {
        *Buffer = memory != NULL ? memory->Buffer : NULL;
    }
    if (Length != NULL) {
        *Length = memory != NULL ? memory->Size : 0;
    }
    return status;
}

/*
 * METHOD_NEITHER and neither-I/O buffers: the caller's own addresses, which a driver may
 * take only in EvtIoInCallerContext (WdfRequestRetrieveUnsafeUserInputBuffer /
 * OutputBuffer, "must be called from EvtIoInCallerContext") and then has to probe and
 * lock there. The host models the caller's process context as that callback on the
 * thread that issued the request: elsewhere the retrieval is
 * STATUS_INVALID_DEVICE_REQUEST, as KMDF's verifier answers, and a probe and lock is
 * STATUS_ACCESS_VIOLATION ("the current thread is not the creator of the I/O request").
 * The input buffer exists for a device control (Type3InputBuffer) and, on a neither-I/O
 * device, for a write (UserBuffer); the output buffer for a device control (UserBuffer)
 * and, on a neither-I/O device, for a read. Internal device controls have none.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestretrieveunsafeuserinputbuffer
 */
static bool FxRequestInCallerContext(FX_REQUEST *Request)
{
    HosMutexLock(&Request->Lock);
    bool in = Request->InCallerContext && Request->CallerThread == HosCurrentThreadId();
    HosMutexUnlock(&Request->Lock);
    return in;
}

static NTSTATUS FxRequestUnsafeBuffer(WDFREQUEST Handle, bool Input, size_t Minimum, PVOID *Buffer, size_t *Length,
                                      const char *Api)
{
    if (Buffer != NULL) {
        *Buffer = NULL;
    }
    if (Length != NULL) {
        *Length = 0;
    }
    FX_REQUEST *request = FxRequestGet(Handle, Api);
    if (request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Buffer == NULL) {
        FxReport(request->Object.Driver, "INVALID_HANDLE", "%s with a NULL buffer pointer", Api);
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        FxReport(request->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT", "%s at IRQL %u (PASSIVE_LEVEL only)", Api,
                 (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (!FxRequestInCallerContext(request)) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    PIRP irp = request->Irp;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    PVOID address = NULL;
    size_t size = 0;
    bool neitherDevice = request->Device->IoType == WdfDeviceIoNeither;
    if (stack->MajorFunction == IRP_MJ_DEVICE_CONTROL &&
        METHOD_FROM_CTL_CODE(stack->Parameters.DeviceIoControl.IoControlCode) == METHOD_NEITHER) {
        address = Input ? stack->Parameters.DeviceIoControl.Type3InputBuffer : irp->UserBuffer;
        size = Input ? stack->Parameters.DeviceIoControl.InputBufferLength
                     : stack->Parameters.DeviceIoControl.OutputBufferLength;
    } else if (neitherDevice && stack->MajorFunction == (Input ? IRP_MJ_WRITE : IRP_MJ_READ)) {
        address = irp->UserBuffer;
        size = stack->Parameters.Read.Length;
    } else {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (size < Minimum) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    *Buffer = address;
    if (Length != NULL) {
        *Length = size;
    }
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfRequestRetrieveUnsafeUserInputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
                                                        PVOID *InputBuffer, size_t *Length)
{
    return FxRequestUnsafeBuffer(Request, true, MinimumRequiredLength, InputBuffer, Length,
                                 "WdfRequestRetrieveUnsafeUserInputBuffer");
}

WDFAPI NTSTATUS WdfRequestRetrieveUnsafeUserOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength,
                                                         PVOID *OutputBuffer, size_t *Length)
{
    return FxRequestUnsafeBuffer(Request, false, MinimumRequiredLength, OutputBuffer, Length,
                                 "WdfRequestRetrieveUnsafeUserOutputBuffer");
}

/*
 * WdfRequestProbeAndLockUserBufferForRead / ForWrite: an MDL for a user buffer of the
 * request, probed and locked for reading (the driver reads it: a write's data) or writing,
 * mapped, and wrapped in a memory object that the framework frees, unlocking the pages,
 * when the request is completed. STATUS_INVALID_USER_BUFFER for a zero length,
 * STATUS_INVALID_PARAMETER for a NULL buffer or memory pointer, STATUS_ACCESS_VIOLATION
 * outside the caller's context (above).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestprobeandlockuserbufferforread
 */
static NTSTATUS FxRequestProbeAndLock(WDFREQUEST Handle, PVOID Buffer, size_t Length, WDFMEMORY *MemoryObject,
                                      LOCK_OPERATION Operation, const char *Api)
{
    if (MemoryObject != NULL) {
        *MemoryObject = NULL;
    }
    FX_REQUEST *request = FxRequestGet(Handle, Api);
    if (request == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (MemoryObject == NULL) {
        FxReport(request->Object.Driver, "INVALID_HANDLE", "%s with a NULL WDFMEMORY pointer", Api);
        return STATUS_INVALID_PARAMETER;
    }
    if (Length == 0) {
        return STATUS_INVALID_USER_BUFFER;
    }
    if (Buffer == NULL || Length > MAXULONG) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        FxReport(request->Object.Driver, "IRQL_TOO_HIGH_FOR_WAIT", "%s at IRQL %u (PASSIVE_LEVEL only)", Api,
                 (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (!FxRequestInCallerContext(request)) {
        return STATUS_ACCESS_VIOLATION;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PMDL mdl = IoAllocateMdl(Buffer, (ULONG)Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmProbeAndLockPages(mdl, UserMode, Operation);
    PVOID system = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (system == NULL) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FX_MEMORY *memory;
    NTSTATUS status = FxMemoryCreateForLockedMdl(request, mdl, system, Length, &memory);
    if (!NT_SUCCESS(status)) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return status;
    }
    *MemoryObject = (WDFMEMORY)memory;
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfRequestProbeAndLockUserBufferForRead(WDFREQUEST Request, PVOID Buffer, size_t Length,
                                                        WDFMEMORY *MemoryObject)
{
    return FxRequestProbeAndLock(Request, Buffer, Length, MemoryObject, IoReadAccess,
                                 "WdfRequestProbeAndLockUserBufferForRead");
}

WDFAPI NTSTATUS WdfRequestProbeAndLockUserBufferForWrite(WDFREQUEST Request, PVOID Buffer, size_t Length,
                                                         WDFMEMORY *MemoryObject)
{
    return FxRequestProbeAndLock(Request, Buffer, Length, MemoryObject, IoWriteAccess,
                                 "WdfRequestProbeAndLockUserBufferForWrite");
}

/*
 * WdfRequestRetrieveInputWdmMdl / OutputWdmMdl: the MDL of a request's buffer. Direct
 * I/O has one already (Irp->MdlAddress: a direct-I/O read's or write's buffer, a
 * METHOD_IN_DIRECT or METHOD_OUT_DIRECT output buffer); for a buffer in the system buffer
 * (buffered I/O, every device control's input but METHOD_NEITHER's) the framework builds
 * one, freed with the request. STATUS_INVALID_DEVICE_REQUEST when the request has no such
 * buffer (a read's input, a write's output, METHOD_NEITHER, neither I/O, internal device
 * controls), STATUS_BUFFER_TOO_SMALL when it is empty.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestretrieveinputwdmmdl
 */
static NTSTATUS FxRequestWdmMdl(WDFREQUEST Handle, bool Input, PMDL *Mdl, const char *Api)
{
    if (Mdl != NULL) {
        *Mdl = NULL;
    }
    FX_REQUEST *request = FxRequestGet(Handle, Api);
    if (request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Mdl == NULL) {
        FxReport(request->Object.Driver, "INVALID_HANDLE", "%s with a NULL PMDL pointer", Api);
        return STATUS_INVALID_PARAMETER;
    }
    PIRP irp = request->Irp;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG length = 0;
    bool direct = false;
    switch (stack->MajorFunction) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        if ((stack->MajorFunction == IRP_MJ_READ) == Input || request->Device->IoType == WdfDeviceIoNeither) {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        length = stack->Parameters.Read.Length;
        direct = request->Device->IoType == WdfDeviceIoDirect;
        break;
    case IRP_MJ_DEVICE_CONTROL: {
        ULONG method = METHOD_FROM_CTL_CODE(stack->Parameters.DeviceIoControl.IoControlCode);
        if (method == METHOD_NEITHER) {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
        length = Input ? stack->Parameters.DeviceIoControl.InputBufferLength
                       : stack->Parameters.DeviceIoControl.OutputBufferLength;
        direct = !Input && method != METHOD_BUFFERED;
        break;
    }
    default:
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (length == 0) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (direct) {
        if (irp->MdlAddress == NULL) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        *Mdl = irp->MdlAddress;
        return STATUS_SUCCESS;
    }
    PMDL *slot = Input ? &request->InputWdmMdl : &request->OutputWdmMdl;
    if (*slot == NULL) {
        if (irp->AssociatedIrp.SystemBuffer == NULL) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        PMDL mdl = IoAllocateMdl(irp->AssociatedIrp.SystemBuffer, length, FALSE, FALSE, NULL);
        if (mdl == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        MmBuildMdlForNonPagedPool(mdl);
        *slot = mdl;
    }
    *Mdl = *slot;
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfRequestRetrieveInputWdmMdl(WDFREQUEST Request, PMDL *Mdl)
{
    return FxRequestWdmMdl(Request, true, Mdl, "WdfRequestRetrieveInputWdmMdl");
}

WDFAPI NTSTATUS WdfRequestRetrieveOutputWdmMdl(WDFREQUEST Request, PMDL *Mdl)
{
    return FxRequestWdmMdl(Request, false, Mdl, "WdfRequestRetrieveOutputWdmMdl");
}

/* ------------------------------------------------------------ queries */

WDFAPI VOID WdfRequestGetParameters(WDFREQUEST Request, PWDF_REQUEST_PARAMETERS Parameters)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestGetParameters");
    if (request == NULL || Parameters == NULL) {
        return;
    }
    if (Parameters->Size != sizeof(WDF_REQUEST_PARAMETERS)) {
        FxReport(request->Object.Driver, "INVALID_HANDLE",
                 "WdfRequestGetParameters with an uninitialized WDF_REQUEST_PARAMETERS (Size %u)",
                 (unsigned)Parameters->Size);
        return;
    }
    *Parameters = request->Parameters;
}

WDFAPI WDFFILEOBJECT WdfRequestGetFileObject(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestGetFileObject");
    return request != NULL ? (WDFFILEOBJECT)request->File : NULL;
}

WDFAPI WDFQUEUE WdfRequestGetIoQueue(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestGetIoQueue");
    return request != NULL ? (WDFQUEUE)atomic_load(&request->Queue) : NULL;
}

WDFAPI PIRP WdfRequestWdmGetIrp(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestWdmGetIrp");
    return request != NULL ? request->Irp : NULL;
}

WDFAPI KPROCESSOR_MODE WdfRequestGetRequestorMode(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestGetRequestorMode");
    return request != NULL ? request->Irp->RequestorMode : UserMode;
}

/*
 * WdfRequestIsFrom32BitProcess: TRUE when the request comes from a 32-bit application on
 * 64-bit Windows. Every caller of the host is a 64-bit process (the host runs 64-bit
 * programs only, and kernel-mode requests are native), so it is FALSE for every live
 * request.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestisfrom32bitprocess
 */
WDFAPI BOOLEAN WdfRequestIsFrom32BitProcess(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestIsFrom32BitProcess");
    (void)request;
    return FALSE;
}

/* -------------------------------------------------------- cancellation */

static NTSTATUS FxRequestMark(WDFREQUEST Handle, PFN_WDF_REQUEST_CANCEL EvtRequestCancel, bool Ex,
                              const char *Api)
{
    FX_REQUEST *request = FxRequestGet(Handle, Api);
    if (request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (EvtRequestCancel == NULL) {
        FxReport(request->Object.Driver, "INVALID_HANDLE",
                 "%s on WDFREQUEST %p without a cancel routine", Api, (void *)request);
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&request->Lock);
    if (!request->DriverOwned) {
        /* "STATUS_INVALID_DEVICE_REQUEST: The driver does not own the I/O request"
           (WdfRequestMarkCancelableEx). */
        HosMutexUnlock(&request->Lock);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (request->Cancelable) {
        HosMutexUnlock(&request->Lock);
        FxReport(request->Object.Driver, "MARK_CANCELABLE_TWICE",
                 "%s on WDFREQUEST %p, which is already marked cancelable", Api, (void *)request);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    request->EvtCancel = EvtRequestCancel;
    request->Cancelable = true;
    request->CancelClaimed = false;
    HosMutexUnlock(&request->Lock);
    IoSetCancelRoutine(request->Irp, FxRequestIrpCancel);
    if (FxIrpCancelFlag(request->Irp) && IoSetCancelRoutine(request->Irp, NULL) != NULL) {
        /* Cancelled before it was marked, and the cancel routine is ours to run. */
        if (Ex) {
            HosMutexLock(&request->Lock);
            request->Cancelable = false;
            HosMutexUnlock(&request->Lock);
            return STATUS_CANCELLED;
        }
        FxRequestRunCancel(request);
    }
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfRequestMarkCancelable(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
    HOS_SCHEDULE_POINT("WdfRequestMarkCancelable", NULL, NULL);
    (void)FxRequestMark(Request, EvtRequestCancel, false, "WdfRequestMarkCancelable");
}

WDFAPI NTSTATUS WdfRequestMarkCancelableEx(WDFREQUEST Request,
                                           PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
    HOS_SCHEDULE_POINT("WdfRequestMarkCancelableEx", NULL, NULL);
    return FxRequestMark(Request, EvtRequestCancel, true, "WdfRequestMarkCancelableEx");
}

WDFAPI NTSTATUS WdfRequestUnmarkCancelable(WDFREQUEST Request)
{
    HOS_SCHEDULE_POINT("WdfRequestUnmarkCancelable", NULL, NULL);
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestUnmarkCancelable");
    if (request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    /* WdfRequestUnmarkCancelable returns STATUS_CANCELLED when the request has been
       cancelled (EvtRequestCancel has run or is about to), STATUS_INVALID_DEVICE_REQUEST
       when the driver does not own the request, and STATUS_INVALID_PARAMETER when "the
       request is already not cancelable". */
    HosMutexLock(&request->Lock);
    if (request->CancelClaimed) {
        HosMutexUnlock(&request->Lock);
        return STATUS_CANCELLED;
    }
    if (!request->DriverOwned) {
        HosMutexUnlock(&request->Lock);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (!request->Cancelable) {
        HosMutexUnlock(&request->Lock);
        /* KMDF Verifier breaks here ("WDFREQUEST ... is not cancelable"): the driver lost
           track of its own request, typically a timer or cancel path that unmarks a
           request some other path already unmarked. */
        FxReport(request->Object.Driver, "UNMARK_NOT_CANCELABLE",
                 "WdfRequestUnmarkCancelable on WDFREQUEST %p, which is not marked cancelable "
                 "(never marked, or unmarked already)",
                 (void *)request);
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexUnlock(&request->Lock);
    if (IoSetCancelRoutine(request->Irp, NULL) == NULL) {
        /* The cancel routine runs or is about to run. */
        return STATUS_CANCELLED;
    }
    HosMutexLock(&request->Lock);
    request->Cancelable = false;
    HosMutexUnlock(&request->Lock);
    return STATUS_SUCCESS;
}

WDFAPI BOOLEAN WdfRequestIsCanceled(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestIsCanceled");
    return request != NULL ? FxIrpCancelFlag(request->Irp) : FALSE;
}

/*
 * WdfRequestForwardToIoQueue: a request the driver received from one queue goes back
 * into another queue of the same device; the driver no longer owns it.
 */
static NTSTATUS FxRequestForward(FX_REQUEST *request, FX_QUEUE *destination, bool ToParent,
                                 const char *Api);

WDFAPI NTSTATUS WdfRequestForwardToIoQueue(WDFREQUEST Request, WDFQUEUE DestinationQueue)
{
    HOS_SCHEDULE_POINT("WdfRequestForwardToIoQueue", NULL, NULL);
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestForwardToIoQueue");
    FX_QUEUE *destination =
        (FX_QUEUE *)FxObjectFromHandle(DestinationQueue, FxTypeQueue, "WdfRequestForwardToIoQueue");
    if (request == NULL || destination == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    return FxRequestForward(request, destination, false, "WdfRequestForwardToIoQueue");
}

/*
 * WdfRequestForwardToParentDeviceIoQueue: a child device's request goes into a queue of
 * its parent (bus) device. Only for a PDO whose WDFDEVICE_INIT called
 * WdfPdoInitAllowForwardingRequestToParent, and only to a queue of that parent:
 * otherwise STATUS_INVALID_DEVICE_REQUEST; STATUS_INFO_LENGTH_MISMATCH for options of
 * the wrong size.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestforwardtoparentdeviceioqueue
 */
WDFAPI NTSTATUS WdfRequestForwardToParentDeviceIoQueue(WDFREQUEST Request, WDFQUEUE ParentDeviceQueue,
                                                       PWDF_REQUEST_FORWARD_OPTIONS ForwardOptions)
{
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestForwardToParentDeviceIoQueue");
    FX_QUEUE *destination = (FX_QUEUE *)FxObjectFromHandle(
        ParentDeviceQueue, FxTypeQueue, "WdfRequestForwardToParentDeviceIoQueue");
    if (request == NULL || destination == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ForwardOptions == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ForwardOptions->Size != sizeof(WDF_REQUEST_FORWARD_OPTIONS)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if ((ForwardOptions->Flags & ~(ULONG)WDF_REQUEST_FORWARD_OPTION_SEND_AND_FORGET) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxRequestForward(request, destination, true, "WdfRequestForwardToParentDeviceIoQueue");
}

static NTSTATUS FxRequestForward(FX_REQUEST *request, FX_QUEUE *destination, bool ToParent,
                                 const char *Api)
{
    FX_QUEUE *source = atomic_load(&request->Queue);
    HosMutexLock(&request->Lock);
    bool owned = request->DriverOwned;
    bool cancelable = request->Cancelable;
    HosMutexUnlock(&request->Lock);
    if (source == NULL || !owned || source == destination) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (ToParent ? (!source->Device->AllowForwardingToParent ||
                    source->Device->ParentDevice == NULL ||
                    destination->Device != source->Device->ParentDevice)
                 : destination->Device != source->Device) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (cancelable) {
        FxReport(request->Object.Driver, "COMPLETE_WHILE_CANCELABLE",
                 "%s on WDFREQUEST %p, which is still marked cancelable", Api, (void *)request);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    /* "STATUS_WDF_BUSY: The destination queue is not accepting new requests"; the
       driver still owns the request then. */
    HosMutexLock(&destination->Lock);
    bool accepting = destination->Accepting;
    HosMutexUnlock(&destination->Lock);
    if (!accepting) {
        return STATUS_WDF_BUSY;
    }
    FxQueueRemoveOwned(source, request);
    HosMutexLock(&request->Lock);
    request->DriverOwned = false;
    HosMutexUnlock(&request->Lock);
    if (!FxQueueInsert(destination, request)) {
        /* The destination stopped accepting meanwhile: back to the driver, still owned
           through the source queue (whose reference the request keeps). */
        HosMutexLock(&source->Lock);
        FxListInsertTail(&source->Owned, &request->QueueLink);
        source->OwnedCount++;
        HosMutexLock(&request->Lock);
        request->DriverOwned = true;
        HosMutexUnlock(&request->Lock);
        HosMutexUnlock(&source->Lock);
        return STATUS_WDF_BUSY;
    }
    FxQueueRequestDone(source);
    FxObjectDereference(&source->Object);
    return STATUS_SUCCESS;
}

/*
 * WdfRequestRequeue: a request the driver took from a manual queue goes back to the
 * head of that queue. STATUS_INVALID_DEVICE_REQUEST when it did not come from a queue,
 * the driver does not own it, it is cancelable, or the queue is not manual.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfrequest/nf-wdfrequest-wdfrequestrequeue
 */
WDFAPI NTSTATUS WdfRequestRequeue(WDFREQUEST Request)
{
    HOS_SCHEDULE_POINT("WdfRequestRequeue", NULL, NULL);
    FX_REQUEST *request = FxRequestGet(Request, "WdfRequestRequeue");
    if (request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    FX_QUEUE *queue = atomic_load(&request->Queue);
    HosMutexLock(&request->Lock);
    bool owned = request->DriverOwned;
    bool cancelable = request->Cancelable;
    HosMutexUnlock(&request->Lock);
    if (queue == NULL || !owned || cancelable ||
        queue->Config.DispatchType != WdfIoQueueDispatchManual) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return FxQueueRequeue(queue, request);
}

/* ------------------------------------------------------ sending to I/O targets */

/* The target side of these methods is fxiotarget.c ("Sending I/O Requests to General I/O
   Targets", WdfRequestSend, WdfRequestReuse, WdfRequestCreate). */

/* WdfRequestCreate without a target: stack locations for a stack of this depth. */
#define FX_DEFAULT_REQUEST_STACK_SIZE 8

WDFAPI NTSTATUS WdfRequestCreate(PWDF_OBJECT_ATTRIBUTES RequestAttributes, WDFIOTARGET IoTarget,
                                 WDFREQUEST *Request)
{
    if (Request != NULL) {
        *Request = NULL;
    }
    FX_IOTARGET *target = NULL;
    if (IoTarget != NULL && (target = FxIoTargetGet(IoTarget, "WdfRequestCreate")) == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Request == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = FxValidateAttributes(RequestAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_OBJECT *parent = FxDefaultParent(RequestAttributes, "WdfRequestCreate", &status);
    if (parent == NULL) {
        return status;
    }
    CCHAR stackSize = FX_DEFAULT_REQUEST_STACK_SIZE;
    if (target != NULL && target->TargetDevice != NULL) {
        stackSize = target->TargetDevice->StackSize;
    }
    FX_REQUEST *request;
    status = FxRequestCreateInternal(parent->Driver, RequestAttributes, parent, stackSize, &request);
    if (NT_SUCCESS(status)) {
        request->Object.ExecutionLevel = FxResolveExecutionLevel(RequestAttributes, parent);
        *Request = (WDFREQUEST)request;
    }
    return status;
}

WDFAPI NTSTATUS WdfRequestReuse(WDFREQUEST Request, PWDF_REQUEST_REUSE_PARAMS ReuseParams)
{
    FX_REQUEST *request = FxRequestForTarget(Request, "WdfRequestReuse");
    if (request == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ReuseParams == NULL || ReuseParams->Size != sizeof(WDF_REQUEST_REUSE_PARAMS)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ReuseParams->Flags & WDF_REQUEST_REUSE_SET_NEW_IRP) {
        /* "STATUS_WDF_REQUEST_INVALID_STATE: the driver supplied an IRP ... but the request
           object was not obtained from WdfRequestCreateFromIrp" (the host has no
           WdfRequestCreateFromIrp, so no request qualifies). */
        return STATUS_WDF_REQUEST_INVALID_STATE;
    }
    HosMutexLock(&request->Lock);
    bool sent = request->Sent;
    HosMutexUnlock(&request->Lock);
    if (sent) {
        return STATUS_WDF_REQUEST_ALREADY_PENDING;
    }
    FxRequestReleaseFormat(request);
    if (request->DriverCreated) {
        IoReuseIrp(request->Irp, ReuseParams->Status);
    } else {
        /* A request received from a queue keeps its IRP and stack; reuse resets the
           cancel flag and the status ("Reusing Framework Request Objects"). */
        request->Irp->IoStatus.Status = ReuseParams->Status;
        request->Irp->IoStatus.Information = 0;
        request->Irp->Cancel = FALSE;
    }
    HosMutexLock(&request->Lock);
    request->Formatted = false;
    request->EvtCompletion = NULL;
    request->CompletionContext = NULL;
    request->TimedOut = false;
    request->Information = 0;
    memset(&request->CompletionParams, 0, sizeof(request->CompletionParams));
    HosMutexUnlock(&request->Lock);
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfRequestSetCompletionRoutine(WDFREQUEST Request,
                                           PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine,
                                           WDFCONTEXT CompletionContext)
{
    FX_REQUEST *request = FxRequestForTarget(Request, "WdfRequestSetCompletionRoutine");
    if (request == NULL) {
        return;
    }
    HosMutexLock(&request->Lock);
    request->EvtCompletion = CompletionRoutine;
    request->CompletionContext = CompletionContext;
    HosMutexUnlock(&request->Lock);
}

WDFAPI VOID WdfRequestGetCompletionParams(WDFREQUEST Request, PWDF_REQUEST_COMPLETION_PARAMS Params)
{
    FX_REQUEST *request = FxRequestForTarget(Request, "WdfRequestGetCompletionParams");
    if (request == NULL || Params == NULL) {
        return;
    }
    HosMutexLock(&request->Lock);
    *Params = request->CompletionParams;
    HosMutexUnlock(&request->Lock);
}

WDFAPI VOID WdfRequestFormatRequestUsingCurrentType(WDFREQUEST Request)
{
    FX_REQUEST *request = FxRequestForTarget(Request, "WdfRequestFormatRequestUsingCurrentType");
    if (request == NULL) {
        return;
    }
    if (request->DriverCreated || request->Irp->CurrentLocation > request->Irp->StackCount) {
        /* A request the driver created has no current stack location to copy. */
        FxReport(request->Object.Driver, "INVALID_HANDLE",
                 "WdfRequestFormatRequestUsingCurrentType on WDFREQUEST %p, which the driver "
                 "created (it has no current type to copy)",
                 (void *)request);
        return;
    }
    if (!NT_SUCCESS(FxRequestBeginFormat(request))) {
        return;
    }
    IoCopyCurrentIrpStackLocationToNext(request->Irp);
    request->Formatted = true;
}

WDFAPI VOID WdfRequestWdmFormatUsingStackLocation(WDFREQUEST Request, PIO_STACK_LOCATION Stack)
{
    FX_REQUEST *request = FxRequestForTarget(Request, "WdfRequestWdmFormatUsingStackLocation");
    if (request == NULL || Stack == NULL || !NT_SUCCESS(FxRequestBeginFormat(request))) {
        return;
    }
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(request->Irp);
    *next = *Stack;
    next->CompletionRoutine = NULL;
    next->Context = NULL;
    next->Control = 0;
    request->Formatted = true;
}

WDFAPI BOOLEAN WdfRequestCancelSentRequest(WDFREQUEST Request)
{
    FX_REQUEST *request = (FX_REQUEST *)FxObjectFromHandle(Request, FxTypeRequest, "WdfRequestCancelSentRequest");
    if (request == NULL) {
        return FALSE;
    }
    HosMutexLock(&request->Lock);
    bool sent = request->Sent;
    HosMutexUnlock(&request->Lock);
    return sent && FxIoTargetCancelRequest(request, false) ? TRUE : FALSE;
}

WDFAPI BOOLEAN WdfRequestSend(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_SEND_OPTIONS Options)
{
    FX_REQUEST *request = FxRequestForTarget(Request, "WdfRequestSend");
    FX_IOTARGET *target = FxIoTargetGet(Target, "WdfRequestSend");
    if (request == NULL || target == NULL) {
        return FALSE;
    }
    if (!FxSendOptionsValid(request, Options, "WdfRequestSend")) {
        request->Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        return FALSE;
    }
    ULONG flags = Options != NULL ? Options->Flags : 0;
    if (flags & (WDF_REQUEST_SEND_OPTION_IMPERSONATE_CLIENT | WDF_REQUEST_SEND_OPTION_IMPERSONATION_IGNORE_FAILURE)) {
        /* Impersonation is a UMDF option. */
        request->Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        return FALSE;
    }
    if (flags & WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET) {
        /* The IRP goes on with the driver's own stack location; only a request the driver
           received can be sent this way, with no completion routine and no time-out. */
        if (request->DriverCreated || request->EvtCompletion != NULL ||
            (flags & (WDF_REQUEST_SEND_OPTION_SYNCHRONOUS | WDF_REQUEST_SEND_OPTION_TIMEOUT))) {
            request->Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
            return FALSE;
        }
        HosMutexLock(&target->Lock);
        bool started = target->State == WdfIoTargetStarted ||
                       ((flags & WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE) && target->State == WdfIoTargetStopped);
        PDEVICE_OBJECT device = target->TargetDevice;
        PFILE_OBJECT file = target->TargetFile;
        HosMutexUnlock(&target->Lock);
        if (!started || device == NULL) {
            request->Irp->IoStatus.Status = STATUS_INVALID_DEVICE_STATE;
            return FALSE;
        }
        FxRequestReleaseFormat(request);
        PIRP irp = request->Irp;
        IoSkipCurrentIrpStackLocation(irp);
        if (file != NULL) {
            IoGetNextIrpStackLocation(irp)->FileObject = file;
        }
        FxRequestForgetIrp(request);
        (void)IoCallDriver(device, irp);
        return TRUE;
    }
    bool synchronous = (flags & WDF_REQUEST_SEND_OPTION_SYNCHRONOUS) != 0;
    if (synchronous && !FxIoTargetCheckPassive(target, "WdfRequestSend(WDF_REQUEST_SEND_OPTION_SYNCHRONOUS)")) {
        request->Irp->IoStatus.Status = STATUS_INVALID_DEVICE_STATE;
        return FALSE;
    }
    if ((flags & WDF_REQUEST_SEND_OPTION_TIMEOUT) && Options->Timeout != 0 && !synchronous) {
        FxReport(request->Object.Driver, "UNIMPLEMENTED_DDI",
                 "WdfRequestSend with WDF_REQUEST_SEND_OPTION_TIMEOUT on an asynchronous send "
                 "(the host implements time-outs of synchronous sends)");
        request->Irp->IoStatus.Status = STATUS_NOT_IMPLEMENTED;
        return FALSE;
    }
    NTSTATUS status = FxIoTargetSubmit(target, request, flags, synchronous);
    if (status != STATUS_PENDING) {
        request->Irp->IoStatus.Status = status;
        return FALSE;
    }
    if (synchronous) {
        (void)FxRequestWaitSynchronous(request, Options);
        /* "If the request is sent synchronously, the return value indicates whether the
           request completed successfully" (WdfRequestSend). */
        return NT_SUCCESS(request->Irp->IoStatus.Status) ? TRUE : FALSE;
    }
    return TRUE;
}
