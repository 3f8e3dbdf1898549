/*
 * iocomp.c - I/O completion objects (completion ports): NtCreateIoCompletion,
 * NtSetIoCompletion, NtRemoveIoCompletion(Ex), and the queueing of the packets the I/O
 * manager makes of completed IRPs.
 *
 * A completion object is a KQUEUE of packets: signalled while packets are queued (a wait
 * on the port's handle does not dequeue), packets removed first in, first out. A packet
 * of a completed IRP is the IRP itself (as on Windows), freed when it is removed; one
 * posted by NtSetIoCompletion is a small allocation. When the last handle of the port is
 * closed, the queue is run down: the threads waiting in NtRemoveIoCompletion return
 * STATUS_ABANDONED_WAIT_0 ("If a call to GetQueuedCompletionStatus fails because the
 * completion port handle associated with it is closed while the call is outstanding,
 * the function returns FALSE, *lpOverlapped will be NULL, and GetLastError will return
 * ERROR_ABANDONED_WAIT_0"). NumberOfConcurrentThreads is kept, not enforced.
 * https://learn.microsoft.com/windows/win32/fileio/i-o-completion-ports
 */
#include <stdlib.h>

#include "io/iop.h"

static void IopFreePacket(KH_COMPLETION_PACKET *Packet)
{
    if (Packet->Irp != NULL) {
        KhIrpDereference(Packet->Irp);
    } else {
        free(Packet);
    }
}

/* Frees the packets of a run-down queue (a ring linked through Flink). */
static void IopFreeRundown(PLIST_ENTRY First)
{
    PLIST_ENTRY entry = First;
    while (entry != NULL) {
        PLIST_ENTRY next = entry->Flink != First ? entry->Flink : NULL;
        IopFreePacket(CONTAINING_RECORD(entry, KH_COMPLETION_PACKET, Link));
        entry = next;
    }
}

static void IopClosePort(KH_OBJECT_HEADER *Object)
{
    IopFreeRundown(KeRundownQueue(&((KH_PORT *)Object)->Queue));
}

/* Files associated with the port keep it; packets they queue after the close go here. */
static void IopDeletePort(KH_OBJECT_HEADER *Object)
{
    IopFreeRundown(KeRundownQueue(&((KH_PORT *)Object)->Queue));
    free(Object);
}

static PDISPATCHER_HEADER IopPortWaitObject(KH_OBJECT_HEADER *Object)
{
    return &((KH_PORT *)Object)->Queue.Header;
}

const KH_OBJECT_TYPE KhIoCompletionObjectType = {
    .Name = "IoCompletion",
    .Delete = IopDeletePort,
    .Close = IopClosePort,
    .WaitObject = IopPortWaitObject,
};

void KhIoQueuePacket(KH_PORT *Port, KH_COMPLETION_PACKET *Packet)
{
    KeInsertQueue(&Port->Queue, &Packet->Link);
}

/* Named completion objects are not implemented by the host (STATUS_NOT_IMPLEMENTED). */
NTSYSAPI NTSTATUS NTAPI NtCreateIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
                                             POBJECT_ATTRIBUTES ObjectAttributes, ULONG NumberOfConcurrentThreads)
{
    (void)DesiredAccess;
    if (IoCompletionHandle == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    if (ObjectAttributes != NULL && ObjectAttributes->ObjectName != NULL && ObjectAttributes->ObjectName->Length != 0) {
        return STATUS_NOT_IMPLEMENTED;
    }
    KH_PORT *port = calloc(1, sizeof(*port));
    if (port == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KhObInitializeObject(&port->Ob, &KhIoCompletionObjectType);
    KeInitializeQueue(&port->Queue, NumberOfConcurrentThreads);
    NTSTATUS status = KhObInsertHandle(&port->Ob, IoCompletionHandle);
    if (!NT_SUCCESS(status)) {
        free(port);
    }
    return status;
}

static NTSTATUS IopReferencePort(HANDLE Handle, KH_PORT **Port)
{
    KH_OBJECT_HEADER *object;
    NTSTATUS status = KhObReferenceByHandle(Handle, &KhIoCompletionObjectType, &object);
    *Port = (KH_PORT *)object;
    return status;
}

/* NtSetIoCompletion: posts a packet with the given values (PostQueuedCompletionStatus). */
NTSYSAPI NTSTATUS NTAPI NtSetIoCompletion(HANDLE IoCompletionHandle, PVOID KeyContext, PVOID ApcContext,
                                          NTSTATUS IoStatus, ULONG_PTR IoStatusInformation)
{
    KH_PORT *port;
    NTSTATUS status = IopReferencePort(IoCompletionHandle, &port);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    KH_COMPLETION_PACKET *packet = calloc(1, sizeof(*packet));
    if (packet == NULL) {
        KhObDereference(&port->Ob);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    packet->KeyContext = KeyContext;
    packet->ApcContext = ApcContext;
    packet->Status = IoStatus;
    packet->Information = IoStatusInformation;
    KhIoQueuePacket(port, packet);
    KhObDereference(&port->Ob);
    return STATUS_SUCCESS;
}

/* The status a KeRemoveQueue "entry" stands for, or STATUS_SUCCESS for a real entry. */
static NTSTATUS IopRemoveStatus(PLIST_ENTRY Entry)
{
    ULONG_PTR value = (ULONG_PTR)Entry;
    if (value == (ULONG_PTR)STATUS_TIMEOUT) {
        return STATUS_TIMEOUT;
    }
    if (value == (ULONG_PTR)STATUS_ABANDONED) {
        return STATUS_ABANDONED_WAIT_0;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI NtRemoveIoCompletion(HANDLE IoCompletionHandle, PVOID *KeyContext, PVOID *ApcContext,
                                             PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER Timeout)
{
    if (KeyContext == NULL || ApcContext == NULL || IoStatusBlock == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    KH_PORT *port;
    NTSTATUS status = IopReferencePort(IoCompletionHandle, &port);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PLIST_ENTRY entry = KeRemoveQueue(&port->Queue, UserMode, Timeout);
    KhObDereference(&port->Ob);
    status = IopRemoveStatus(entry);
    if (status != STATUS_SUCCESS) {
        return status;
    }
    KH_COMPLETION_PACKET *packet = CONTAINING_RECORD(entry, KH_COMPLETION_PACKET, Link);
    *KeyContext = packet->KeyContext;
    *ApcContext = packet->ApcContext;
    IoStatusBlock->Pointer = (PVOID)(ULONG_PTR)(ULONG)packet->Status;
    IoStatusBlock->Information = packet->Information;
    IopFreePacket(packet);
    return STATUS_SUCCESS;
}

/* Alertable removals are not implemented (the host delivers no user APCs). */
NTSYSAPI NTSTATUS NTAPI NtRemoveIoCompletionEx(HANDLE IoCompletionHandle,
                                               PFILE_IO_COMPLETION_INFORMATION IoCompletionInformation, ULONG Count,
                                               PULONG NumEntriesRemoved, PLARGE_INTEGER Timeout, BOOLEAN Alertable)
{
    if (IoCompletionInformation == NULL || NumEntriesRemoved == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    if (Count == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Alertable) {
        return STATUS_NOT_IMPLEMENTED;
    }
    *NumEntriesRemoved = 0;
    KH_PORT *port;
    NTSTATUS status = IopReferencePort(IoCompletionHandle, &port);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PLIST_ENTRY local[16];
    PLIST_ENTRY *entries = Count <= 16 ? local : malloc(Count * sizeof(*entries));
    if (entries == NULL) {
        KhObDereference(&port->Ob);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ULONG removed = KeRemoveQueueEx(&port->Queue, UserMode, FALSE, Timeout, entries, Count);
    KhObDereference(&port->Ob);
    status = removed == 1 ? IopRemoveStatus(entries[0]) : STATUS_SUCCESS;
    if (status == STATUS_SUCCESS) {
        for (ULONG i = 0; i < removed; i++) {
            KH_COMPLETION_PACKET *packet = CONTAINING_RECORD(entries[i], KH_COMPLETION_PACKET, Link);
            IoCompletionInformation[i].KeyContext = packet->KeyContext;
            IoCompletionInformation[i].ApcContext = packet->ApcContext;
            IoCompletionInformation[i].IoStatusBlock.Pointer = (PVOID)(ULONG_PTR)(ULONG)packet->Status;
            IoCompletionInformation[i].IoStatusBlock.Information = packet->Information;
            IopFreePacket(packet);
        }
        *NumEntriesRemoved = removed;
    }
    if (entries != local) {
        free(entries);
    }
    return status;
}
