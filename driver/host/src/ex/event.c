/*
 * event.c - event objects: NtCreateEvent, NtSetEvent, NtResetEvent, NtClearEvent (and
 * the Zw names drivers use). An event object is a KEVENT behind a handle; waits on it go
 * through the one dispatcher (KeWaitForMultipleObjects, via NtWaitForMultipleObjects).
 * A notification (manual-reset) event stays signalled until reset; a synchronization
 * (auto-reset) event is reset by the wait it satisfies.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwcreateevent
 */
#include <stdlib.h>

#include <ntifs.h>

#include "ex/ex.h"

static void ExpDeleteEvent(KH_OBJECT_HEADER *Object) { free(Object); }

static PDISPATCHER_HEADER ExpEventWaitObject(KH_OBJECT_HEADER *Object)
{
    return &((KH_EVENT_OBJECT *)Object)->Event.Header;
}

static PVOID ExpEventBody(KH_OBJECT_HEADER *Object) { return &((KH_EVENT_OBJECT *)Object)->Event; }

const KH_OBJECT_TYPE KhExEventObjectType = {
    .Name = "Event",
    .Delete = ExpDeleteEvent,
    .WaitObject = ExpEventWaitObject,
    .Body = ExpEventBody,
};

/* The exported type pointer of ObReferenceObjectByHandle. */
static POBJECT_TYPE ExpEventObjectType = (POBJECT_TYPE)(uintptr_t)&KhExEventObjectType;
__attribute__((visibility("default"))) POBJECT_TYPE *ExEventObjectType = &ExpEventObjectType;

/*
 * Named events (shared between processes on Windows) are not implemented by the host:
 * an ObjectName fails with STATUS_NOT_IMPLEMENTED. Security attributes are ignored (the
 * host has no security descriptors).
 */
NTSYSAPI NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                      EVENT_TYPE EventType, BOOLEAN InitialState)
{
    (void)DesiredAccess;
    if (EventHandle == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    if (EventType != NotificationEvent && EventType != SynchronizationEvent) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ObjectAttributes != NULL && ObjectAttributes->ObjectName != NULL && ObjectAttributes->ObjectName->Length != 0) {
        return STATUS_NOT_IMPLEMENTED;
    }
    KH_EVENT_OBJECT *event = calloc(1, sizeof(*event));
    if (event == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KhObInitializeObject(&event->Ob, &KhExEventObjectType);
    KeInitializeEvent(&event->Event, EventType, InitialState);
    event->Event.Header.Reserved1 = KH_EVENT_OBJECT_MARK;
    NTSTATUS status = KhObInsertHandle(&event->Ob, EventHandle);
    if (!NT_SUCCESS(status)) {
        free(event);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI ZwCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                      EVENT_TYPE EventType, BOOLEAN InitialState)
{
    return NtCreateEvent(EventHandle, DesiredAccess, ObjectAttributes, EventType, InitialState);
}

static NTSTATUS ExpReferenceEvent(HANDLE Handle, KH_EVENT_OBJECT **Event)
{
    KH_OBJECT_HEADER *object;
    NTSTATUS status = KhObReferenceByHandle(Handle, &KhExEventObjectType, &object);
    *Event = (KH_EVENT_OBJECT *)object;
    return status;
}

NTSYSAPI NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KH_EVENT_OBJECT *event;
    NTSTATUS status = ExpReferenceEvent(EventHandle, &event);
    if (NT_SUCCESS(status)) {
        LONG previous = KeSetEvent(&event->Event, EVENT_INCREMENT, FALSE);
        if (PreviousState != NULL) {
            *PreviousState = previous;
        }
        KhObDereference(&event->Ob);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI ZwSetEvent(HANDLE EventHandle, PLONG PreviousState) { return NtSetEvent(EventHandle, PreviousState); }

NTSYSAPI NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    KH_EVENT_OBJECT *event;
    NTSTATUS status = ExpReferenceEvent(EventHandle, &event);
    if (NT_SUCCESS(status)) {
        LONG previous = KeResetEvent(&event->Event);
        if (PreviousState != NULL) {
            *PreviousState = previous;
        }
        KhObDereference(&event->Ob);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI NtClearEvent(HANDLE EventHandle)
{
    KH_EVENT_OBJECT *event;
    NTSTATUS status = ExpReferenceEvent(EventHandle, &event);
    if (NT_SUCCESS(status)) {
        KeClearEvent(&event->Event);
        KhObDereference(&event->Ob);
    }
    return status;
}
