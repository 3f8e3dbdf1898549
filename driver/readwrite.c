/*++

Module Name:

    readwrite.c

Abstract:

    The queue's read and write callbacks, and the echo store they move data in and out
    of: what a write leaves and a read returns. (The WDK samples keep these in queue.c;
    here queue.c is the variant's file, so the callbacks both variants share are here.)
    What differs between the variants, how a request whose data has moved is parked and
    then completed by the timer or the cancel routine, is in queue.c of each variant.

Environment:

    Kernel mode

--*/

#include "driver.h"

_IRQL_requires_max_(DISPATCH_LEVEL)
static
NTSTATUS
EchoStoreWrite(
    _Inout_ PECHO_STORE Store,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
static
NTSTATUS
EchoStoreRead(
    _In_ PECHO_STORE Store,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
static
VOID
EchoStoreFree(
    _Inout_ PECHO_STORE Store
    );

/*++

Routine Description:

    Allocates an echo buffer from nonpaged pool, no-execute where Windows has it
    (POOL_NX_OPTIN, driver.h). The caller copies a write's data over the whole block at
    once, so it need not be zeroed: ExAllocatePoolUninitialized, the documented
    replacement for ExAllocatePoolWithTag in drivers that load on Windows versions
    before Windows 10, version 2004 (ExAllocatePool2 exists from that version on).

--*/
_IRQL_requires_max_(DISPATCH_LEVEL)
static
PVOID
EchoAllocateBuffer(
    _In_ SIZE_T Length
    )
{
    return ExAllocatePoolUninitialized(NonPagedPool, Length, ECHO_POOL_TAG);
}

/*++

Routine Description:

    Frees a block from EchoAllocateBuffer.

--*/
_IRQL_requires_max_(DISPATCH_LEVEL)
static
VOID
EchoFreeBuffer(
    _In_ _Post_invalid_ PVOID Buffer
    )
{
    ExFreePoolWithTag(Buffer, ECHO_POOL_TAG);
}

/*++

Routine Description:

    Takes a write's data into the store. A write longer than ECHO_MAX_WRITE_LENGTH is
    refused and the stored data stays. Otherwise a new buffer of the write's size is
    allocated and filled, and only then does it replace the old one, so that a write
    that fails for want of memory also leaves the stored data as it was.

Arguments:

    Store - the queue's store.

    Request - the write request; on success its information is set to Length.

    Length - the write's length, as the framework presented it (never 0: the framework
        completes zero-length writes itself).

Return Value:

    STATUS_SUCCESS; STATUS_BUFFER_OVERFLOW for a write that is too long;
    STATUS_INSUFFICIENT_RESOURCES when no buffer can be had; or the status of the
    framework call that failed. On failure the caller completes the request with it and
    no information.

--*/
_Use_decl_annotations_
static
NTSTATUS
EchoStoreWrite(
    PECHO_STORE Store,
    WDFREQUEST Request,
    size_t Length
    )
{
    WDFMEMORY memory;
    PVOID buffer;
    NTSTATUS status;

    if (Length > ECHO_MAX_WRITE_LENGTH) {
        KdPrint(("Echo: write of %Iu bytes is longer than %u\n", Length, ECHO_MAX_WRITE_LENGTH));
        return STATUS_BUFFER_OVERFLOW;
    }

    status = WdfRequestRetrieveInputMemory(Request, &memory);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfRequestRetrieveInputMemory failed with status 0x%08X\n", status));
        return status;
    }

    buffer = EchoAllocateBuffer(Length);
    if (buffer == NULL) {
        KdPrint(("Echo: no pool for a %Iu-byte buffer\n", Length));
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    status = WdfMemoryCopyToBuffer(memory, 0, buffer, Length);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfMemoryCopyToBuffer failed with status 0x%08X\n", status));
        EchoFreeBuffer(buffer);
        return status;
    }

    EchoStoreFree(Store);
    Store->Buffer = buffer;
    Store->Length = (ULONG)Length;

    WdfRequestSetInformation(Request, (ULONG_PTR)Length);

    return STATUS_SUCCESS;
}

/*++

Routine Description:

    Copies the stored data, or as much of it as the read asks for, into a read request.
    The caller completes a read at once when the store is empty, without calling this.

Arguments:

    Store - the queue's store, not empty.

    Request - the read request; on success its information is set to the bytes copied.

    Length - the read's length (never 0).

Return Value:

    STATUS_SUCCESS, or the status of the framework call that failed.

--*/
_Use_decl_annotations_
static
NTSTATUS
EchoStoreRead(
    PECHO_STORE Store,
    WDFREQUEST Request,
    size_t Length
    )
{
    WDFMEMORY memory;
    size_t length;
    NTSTATUS status;

    NT_ASSERT(Store->Buffer != NULL);

    status = WdfRequestRetrieveOutputMemory(Request, &memory);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfRequestRetrieveOutputMemory failed with status 0x%08X\n", status));
        return status;
    }

    length = min(Length, (size_t)Store->Length);

    status = WdfMemoryCopyFromBuffer(memory, 0, Store->Buffer, length);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: WdfMemoryCopyFromBuffer failed with status 0x%08X\n", status));
        return status;
    }

    WdfRequestSetInformation(Request, (ULONG_PTR)length);

    return STATUS_SUCCESS;
}

/*++

Routine Description:

    Frees the stored data, if any; the store is empty afterwards.

--*/
_Use_decl_annotations_
static
VOID
EchoStoreFree(
    PECHO_STORE Store
    )
{
    if (Store->Buffer != NULL) {
        EchoFreeBuffer(Store->Buffer);
        Store->Buffer = NULL;
        Store->Length = 0;
    }
}

/*++

Routine Description:

    A write: its data replaces the stored data, and the request is parked until the next
    timer tick completes it with the written length.

Arguments:

    Queue - the default queue.

    Request - the write.

    Length - its length; the framework completes zero-length writes itself.

--*/
_Use_decl_annotations_
VOID
EchoEvtIoWrite(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t Length
    )
{
    PQUEUE_CONTEXT queueContext = QueueGetContext(Queue);
    NTSTATUS status;

    status = EchoStoreWrite(&queueContext->Store, Request, Length);
    if (!NT_SUCCESS(status)) {
        WdfRequestCompleteWithInformation(Request, status, 0);
        return;
    }

    EchoQueueParkRequest(queueContext, Request, status);
}

/*++

Routine Description:

    A read: with nothing stored it completes at once with no data; otherwise it receives
    the stored data (as much as fits) and is parked until the next timer tick.

Arguments:

    Queue - the default queue.

    Request - the read.

    Length - its length; the framework completes zero-length reads itself.

--*/
_Use_decl_annotations_
VOID
EchoEvtIoRead(
    WDFQUEUE Queue,
    WDFREQUEST Request,
    size_t Length
    )
{
    PQUEUE_CONTEXT queueContext = QueueGetContext(Queue);
    NTSTATUS status;

    if (queueContext->Store.Buffer == NULL) {
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
        return;
    }

    status = EchoStoreRead(&queueContext->Store, Request, Length);
    if (!NT_SUCCESS(status)) {
        WdfRequestCompleteWithInformation(Request, status, 0);
        return;
    }

    EchoQueueParkRequest(queueContext, Request, status);
}

/*++

Routine Description:

    Frees the stored data when the framework deletes the queue (on device removal),
    after every request of the queue is gone.

--*/
_Use_decl_annotations_
VOID
EchoEvtIoQueueContextDestroy(
    WDFOBJECT Object
    )
{
    EchoStoreFree(&QueueGetContext((WDFQUEUE)Object)->Store);
}
