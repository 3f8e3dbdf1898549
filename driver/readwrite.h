/*++

Module Name:

    readwrite.h

Abstract:

    The echo store, what the last write left for the next reads, and the queue's read
    and write callbacks, which both variants share (readwrite.c).

Environment:

    Kernel mode

--*/

#pragma once

//
// The data the last write left, for the next reads. Owned by the queue (both variants
// keep one in their queue context); only the queue's I/O callbacks touch it, and a
// sequential queue presents one request at a time.
//
typedef struct _ECHO_STORE {
    _Field_size_bytes_opt_(Length) PVOID Buffer;
    ULONG Length;
} ECHO_STORE, *PECHO_STORE;

EVT_WDF_IO_QUEUE_IO_READ EchoEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE EchoEvtIoWrite;
EVT_WDF_OBJECT_CONTEXT_DESTROY EchoEvtIoQueueContextDestroy;
