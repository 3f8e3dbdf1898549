/*
 * fxmemory.c - framework memory objects (WDFMEMORY) created by the driver.
 *
 * WdfMemoryCreate allocates the object and its buffer (two allocation points);
 * WdfMemoryCreatePreallocated wraps a buffer the driver owns. The copy methods check
 * bounds as documented: WdfMemoryCopyToBuffer returns STATUS_BUFFER_TOO_SMALL when the
 * offset or the count overruns the memory object; WdfMemoryCopyFromBuffer returns
 * STATUS_INVALID_BUFFER_SIZE for an offset past the end and STATUS_BUFFER_TOO_SMALL
 * when the count does not fit after the offset; both return STATUS_INVALID_PARAMETER
 * for a NULL buffer or a zero count.
 *
 * Lookaside lists (WdfLookasideListCreate, WdfMemoryCreateFromLookaside) hand out memory
 * objects of one size; the host allocates each buffer afresh, and a memory object keeps
 * its list alive until it is deleted, as the framework does.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

static void FxMemoryDestroy(FX_OBJECT *Object)
{
    FX_MEMORY *memory = (FX_MEMORY *)Object;
    if (memory->OwnsBuffer) {
        free(memory->Buffer);
    }
    if (memory->LockedMdl != NULL) {
        MmUnlockPages(memory->LockedMdl);
        IoFreeMdl(memory->LockedMdl);
        memory->LockedMdl = NULL;
    }
    memory->Buffer = NULL;
    if (memory->Lookaside != NULL) {
        FX_LOOKASIDE *lookaside = memory->Lookaside;
        memory->Lookaside = NULL;
        FxObjectDereference(&lookaside->Object);
    }
}

static const FX_OBJECT_OPS FxMemoryOps = {NULL, FxMemoryDestroy};

/*
 * The memory object of WdfRequestProbeAndLockUserBufferForRead/ForWrite: a child of the
 * request, so that "the framework frees the memory object when the driver completes the
 * request" (and with it unlocks the pages); the driver may not delete it.
 */
NTSTATUS FxMemoryCreateForLockedMdl(FX_REQUEST *Request, PMDL Mdl, PVOID Buffer, size_t Size, FX_MEMORY **Memory)
{
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_MEMORY), FxTypeMemory, NULL, Request->Object.Driver,
                                       &FxMemoryOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_MEMORY *memory = (FX_MEMORY *)object;
    object->NoDriverDelete = true;
    object->ExecutionLevel = Request->Object.ExecutionLevel;
    memory->Buffer = Buffer;
    memory->Size = Size;
    memory->LockedMdl = Mdl;
    FxObjectInsert(object, &Request->Object);
    *Memory = memory;
    return STATUS_SUCCESS;
}

static NTSTATUS FxMemoryCreate(PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Preallocated,
                               size_t BufferSize, WDFMEMORY *Memory, PVOID *Buffer, const char *Api)
{
    if (Memory == NULL || BufferSize == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    *Memory = NULL;
    if (Buffer != NULL) {
        *Buffer = NULL;
    }
    NTSTATUS status;
    FX_OBJECT *parent = FxDefaultParent(Attributes, Api, &status);
    if (parent == NULL) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_MEMORY), FxTypeMemory, Attributes, parent->Driver,
                              &FxMemoryOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_MEMORY *memory = (FX_MEMORY *)object;
    if (Preallocated != NULL) {
        memory->Buffer = Preallocated;
        memory->Preallocated = true;
    } else {
        if (KhAllocationShouldFail()) {
            FxObjectFreeUninserted(object);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memory->Buffer = calloc(1, BufferSize);
        if (memory->Buffer == NULL) {
            FxObjectFreeUninserted(object);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memory->OwnsBuffer = true;
    }
    memory->Size = BufferSize;
    object->ExecutionLevel = FxResolveExecutionLevel(Attributes, parent);
    FxObjectInsert(object, parent);
    *Memory = (WDFMEMORY)object;
    if (Buffer != NULL) {
        *Buffer = memory->Buffer;
    }
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfMemoryCreate(PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType,
                                ULONG PoolTag, size_t BufferSize, WDFMEMORY *Memory, PVOID *Buffer)
{
    (void)PoolType;
    (void)PoolTag;
    return FxMemoryCreate(Attributes, NULL, BufferSize, Memory, Buffer, "WdfMemoryCreate");
}

WDFAPI NTSTATUS WdfMemoryCreatePreallocated(PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer,
                                            size_t BufferSize, WDFMEMORY *Memory)
{
    if (Buffer == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxMemoryCreate(Attributes, Buffer, BufferSize, Memory, NULL,
                          "WdfMemoryCreatePreallocated");
}

/*
 * A memory object that stands for a request's buffer lives as long as the request
 * object, which a driver's reference can keep past completion; its buffer does not:
 * once the request is completed the buffer belongs to the I/O manager again (the
 * MemAfterReqCompleted and BufAfterReqCompleted rules that WdfMemoryCopyToBuffer and
 * WdfMemoryCopyFromBuffer list). Such use is REQUEST_USED_AFTER_COMPLETION.
 */
static FX_MEMORY *FxMemoryGet(WDFMEMORY Memory, const char *Api)
{
    FX_MEMORY *memory = (FX_MEMORY *)FxObjectFromHandle(Memory, FxTypeMemory, Api);
    if (memory == NULL || !memory->Object.Embedded || memory->Object.EmbeddedIn == NULL ||
        memory->Object.EmbeddedIn->Type != FxTypeRequest) {
        return memory;
    }
    FX_REQUEST *request = (FX_REQUEST *)memory->Object.EmbeddedIn;
    HosMutexLock(&request->Lock);
    bool completed = request->Completed;
    HosMutexUnlock(&request->Lock);
    if (completed) {
        FxReport(memory->Object.Driver, "REQUEST_USED_AFTER_COMPLETION",
                 "%s called on WDFMEMORY %p of WDFREQUEST %p after the request was completed", Api,
                 (void *)memory, (void *)request);
        return NULL;
    }
    return memory;
}

WDFAPI PVOID WdfMemoryGetBuffer(WDFMEMORY Memory, size_t *BufferSize)
{
    FX_MEMORY *memory = FxMemoryGet(Memory, "WdfMemoryGetBuffer");
    if (BufferSize != NULL) {
        *BufferSize = memory != NULL ? memory->Size : 0;
    }
    return memory != NULL ? memory->Buffer : NULL;
}

WDFAPI NTSTATUS WdfMemoryCopyToBuffer(WDFMEMORY SourceMemory, size_t SourceOffset, PVOID Buffer,
                                      size_t NumBytesToCopyTo)
{
    FX_MEMORY *memory = FxMemoryGet(SourceMemory, "WdfMemoryCopyToBuffer");
    if (memory == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Buffer == NULL || NumBytesToCopyTo == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (SourceOffset >= memory->Size || NumBytesToCopyTo > memory->Size - SourceOffset) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(Buffer, (char *)memory->Buffer + SourceOffset, NumBytesToCopyTo);
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfMemoryCopyFromBuffer(WDFMEMORY DestinationMemory, size_t DestinationOffset,
                                        PVOID Buffer, size_t NumBytesToCopyFrom)
{
    FX_MEMORY *memory = FxMemoryGet(DestinationMemory, "WdfMemoryCopyFromBuffer");
    if (memory == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Buffer == NULL || NumBytesToCopyFrom == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (DestinationOffset >= memory->Size) {
        return STATUS_INVALID_BUFFER_SIZE;
    }
    if (NumBytesToCopyFrom > memory->Size - DestinationOffset) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    memcpy((char *)memory->Buffer + DestinationOffset, Buffer, NumBytesToCopyFrom);
    return STATUS_SUCCESS;
}

/*
 * WdfMemoryAssignBuffer: gives a memory object that WdfMemoryCreatePreallocated created a
 * new buffer (the old one stays the driver's). A zero BufferSize or a NULL Buffer is
 * STATUS_INVALID_PARAMETER; any other memory object is not a handle this method takes
 * (the framework bug checks; the host reports INVALID_HANDLE).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfmemory/nf-wdfmemory-wdfmemoryassignbuffer
 */
WDFAPI NTSTATUS WdfMemoryAssignBuffer(WDFMEMORY Memory, PVOID Buffer, size_t BufferSize)
{
    FX_MEMORY *memory = FxMemoryGet(Memory, "WdfMemoryAssignBuffer");
    if (memory == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (!memory->Preallocated) {
        FxReport(memory->Object.Driver, "INVALID_HANDLE",
                 "WdfMemoryAssignBuffer on WDFMEMORY %p, which WdfMemoryCreatePreallocated did not create",
                 (void *)memory);
        return STATUS_INVALID_HANDLE;
    }
    if (Buffer == NULL || BufferSize == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    memory->Buffer = Buffer;
    memory->Size = BufferSize;
    return STATUS_SUCCESS;
}

static const FX_OBJECT_OPS FxLookasideOps = {NULL, NULL};

/*
 * WdfLookasideListCreate: a list whose memory objects have BufferSize bytes (nonzero,
 * else STATUS_INVALID_PARAMETER) and the object attributes MemoryAttributes. The list's
 * parent is LookasideAttributes' ParentObject, else MemoryAttributes', else the driver.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfmemory/nf-wdfmemory-wdflookasidelistcreate
 */
WDFAPI NTSTATUS WdfLookasideListCreate(PWDF_OBJECT_ATTRIBUTES LookasideAttributes, size_t BufferSize,
                                       POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes, ULONG PoolTag,
                                       WDFLOOKASIDE *Lookaside)
{
    (void)PoolTag;
    if (Lookaside == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Lookaside = NULL;
    if (BufferSize == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = FxValidateAttributes(LookasideAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = FxValidateAttributes(MemoryAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if ((PoolType & 1) != 0 && KeGetCurrentIrql() > PASSIVE_LEVEL) {
        /* A paged-pool list is created at PASSIVE_LEVEL only. */
        FxReport(NULL, "IRQL_TOO_HIGH_FOR_DDI", "WdfLookasideListCreate of a paged-pool list at IRQL %u",
                 (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    PWDF_OBJECT_ATTRIBUTES parentAttributes = LookasideAttributes;
    if ((parentAttributes == NULL || parentAttributes->ParentObject == NULL) && MemoryAttributes != NULL &&
        MemoryAttributes->ParentObject != NULL) {
        parentAttributes = MemoryAttributes;
    }
    FX_OBJECT *parent = FxDefaultParent(parentAttributes, "WdfLookasideListCreate", &status);
    if (parent == NULL) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_LOOKASIDE), FxTypeLookaside, LookasideAttributes, parent->Driver,
                              &FxLookasideOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_LOOKASIDE *list = (FX_LOOKASIDE *)object;
    list->BufferSize = BufferSize;
    if (MemoryAttributes != NULL) {
        list->MemoryAttributes = *MemoryAttributes;
        list->HasMemoryAttributes = true;
    }
    object->ExecutionLevel = FxResolveExecutionLevel(LookasideAttributes, parent);
    FxObjectInsert(object, parent);
    *Lookaside = (WDFLOOKASIDE)object;
    return STATUS_SUCCESS;
}

/*
 * WdfMemoryCreateFromLookaside: a memory object with a buffer of the list's size (zeroed
 * by the host), made with the list's memory attributes; WdfObjectDelete gives it back.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfmemory/nf-wdfmemory-wdfmemorycreatefromlookaside
 */
WDFAPI NTSTATUS WdfMemoryCreateFromLookaside(WDFLOOKASIDE Lookaside, WDFMEMORY *Memory)
{
    FX_LOOKASIDE *list = (FX_LOOKASIDE *)FxObjectFromHandle(Lookaside, FxTypeLookaside,
                                                            "WdfMemoryCreateFromLookaside");
    if (list == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Memory == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = FxMemoryCreate(list->HasMemoryAttributes ? &list->MemoryAttributes : NULL, NULL,
                                     list->BufferSize, Memory, NULL, "WdfMemoryCreateFromLookaside");
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_MEMORY *memory = (FX_MEMORY *)*Memory;
    FxObjectReference(&list->Object);
    memory->Lookaside = list;
    return STATUS_SUCCESS;
}
