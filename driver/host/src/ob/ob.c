/*
 * ob.c - the object manager: object references, the handle table, NtClose, and the
 * waits on handles (NtWaitForSingleObject, NtWaitForMultipleObjects).
 *
 * Handles are small multiples of 4 (never NULL, never INVALID_HANDLE_VALUE), as on
 * Windows, where the two low bits of a handle are tag bits that the object manager
 * ignores; kernel32 relies on that for OVERLAPPED.hEvent ("a valid event handle whose
 * low-order bit is set keeps I/O completion from being queued to a completion port").
 * The host is one process: user-mode and kernel handles (OBJ_KERNEL_HANDLE) share the
 * one table, and any thread may use any handle.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/object-handles
 */
#include <stdlib.h>

#include <kmdfhost.h>

#include "ke/ke.h"
#include "ob/ob.h"

#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))

/* ------------------------------------------------------------------ references */

void KhObInitializeObject(KH_OBJECT_HEADER *Object, const KH_OBJECT_TYPE *Type)
{
    Object->Type = Type;
    Object->PointerCount = 1;
    Object->HandleCount = 0;
}

void KhObReference(KH_OBJECT_HEADER *Object)
{
    if (Object->Type->Reference != NULL) {
        Object->Type->Reference(Object);
    } else {
        __atomic_add_fetch(&Object->PointerCount, 1, __ATOMIC_RELAXED);
    }
}

void KhObDereference(KH_OBJECT_HEADER *Object)
{
    if (Object->Type->Dereference != NULL) {
        Object->Type->Dereference(Object);
    } else if (__atomic_sub_fetch(&Object->PointerCount, 1, __ATOMIC_ACQ_REL) == 0) {
        Object->Type->Delete(Object);
    }
}

/* ------------------------------------------------------------------ handle table */

static HOS_MUTEX ObpHandleTableLock;
static KH_OBJECT_HEADER **ObpTable; /* ObpTable[i] is the object of handle (i + 1) * 4 */
static size_t ObpTableSize;
static size_t ObpFreeHint; /* no free slot below this index */

__attribute__((constructor)) static void ObpInit(void) { HosMutexInit(&ObpHandleTableLock); }

static bool ObpHandleToIndex(HANDLE Handle, size_t *Index)
{
    uintptr_t value = (uintptr_t)Handle & ~(uintptr_t)3;
    if (Handle == (HANDLE)(intptr_t)-1 || value == 0) {
        return false;
    }
    *Index = (value >> 2) - 1;
    return true;
}

NTSTATUS KhObInsertHandle(KH_OBJECT_HEADER *Object, PHANDLE Handle)
{
    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    HosMutexLock(&ObpHandleTableLock);
    size_t index = ObpFreeHint;
    while (index < ObpTableSize && ObpTable[index] != NULL) {
        index++;
    }
    if (index == ObpTableSize) {
        size_t size = ObpTableSize != 0 ? ObpTableSize * 2 : 64;
        KH_OBJECT_HEADER **table = realloc(ObpTable, size * sizeof(*table));
        if (table != NULL) {
            for (size_t i = ObpTableSize; i < size; i++) {
                table[i] = NULL;
            }
            ObpTable = table;
            ObpTableSize = size;
        }
    }
    if (index < ObpTableSize) {
        ObpTable[index] = Object;
        ObpFreeHint = index + 1;
        __atomic_add_fetch(&Object->HandleCount, 1, __ATOMIC_RELAXED);
        *Handle = (HANDLE)(uintptr_t)((index + 1) * 4);
        status = STATUS_SUCCESS;
    }
    HosMutexUnlock(&ObpHandleTableLock);
    return status;
}

NTSTATUS KhObReferenceByHandle(HANDLE Handle, const KH_OBJECT_TYPE *Type, KH_OBJECT_HEADER **Object)
{
    size_t index;
    *Object = NULL;
    if (!ObpHandleToIndex(Handle, &index)) {
        return STATUS_INVALID_HANDLE;
    }
    NTSTATUS status = STATUS_INVALID_HANDLE;
    HosMutexLock(&ObpHandleTableLock);
    if (index < ObpTableSize && ObpTable[index] != NULL) {
        KH_OBJECT_HEADER *object = ObpTable[index];
        if (Type != NULL && object->Type != Type) {
            status = STATUS_OBJECT_TYPE_MISMATCH;
        } else {
            /* Under the table lock, so that NtClose cannot drop the handle's reference
               between the lookup and this one. */
            KhObReference(object);
            *Object = object;
            status = STATUS_SUCCESS;
        }
    }
    HosMutexUnlock(&ObpHandleTableLock);
    return status;
}

/*
 * NtClose: removes the handle, runs the type's close procedure when it was the object's
 * last handle, and drops the handle's reference.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntclose
 */
NTSYSAPI NTSTATUS NTAPI NtClose(HANDLE Handle)
{
    size_t index;
    if (!ObpHandleToIndex(Handle, &index)) {
        return STATUS_INVALID_HANDLE;
    }
    KH_OBJECT_HEADER *object = NULL;
    HosMutexLock(&ObpHandleTableLock);
    if (index < ObpTableSize && ObpTable[index] != NULL) {
        object = ObpTable[index];
        ObpTable[index] = NULL;
        if (index < ObpFreeHint) {
            ObpFreeHint = index;
        }
    }
    HosMutexUnlock(&ObpHandleTableLock);
    if (object == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (__atomic_sub_fetch(&object->HandleCount, 1, __ATOMIC_ACQ_REL) == 0 && object->Type->Close != NULL) {
        object->Type->Close(object);
    }
    KhObDereference(object);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI ZwClose(HANDLE Handle) { return NtClose(Handle); }

/*
 * The end of the program's process: closes every handle it still holds (files, events,
 * completion ports, threads), as Windows closes a process's handles when it ends, so
 * that cleanup and close reach the drivers and their pending I/O is cancelled. Handles
 * of kernel-only types (a driver's registry keys) stay. Returns how many were closed.
 */
KMDFHOST_API size_t KmdfHostCloseProcessHandles(void)
{
    size_t closed = 0;
    size_t index = 0;
    for (;;) {
        HANDLE handle = NULL;
        HosMutexLock(&ObpHandleTableLock);
        for (; index < ObpTableSize; index++) {
            if (ObpTable[index] != NULL && !ObpTable[index]->Type->KernelOnly) {
                handle = (HANDLE)(uintptr_t)((index + 1) * 4);
                break;
            }
        }
        HosMutexUnlock(&ObpHandleTableLock);
        if (handle == NULL) {
            return closed;
        }
        /* Another thread may close it first; either way the slot is done with. */
        if (NT_SUCCESS(NtClose(handle))) {
            closed++;
        }
        index++;
    }
}

/*
 * ObReferenceObjectByHandle: the object of a handle with a new reference, which the
 * caller drops with ObDereferenceObject. ObjectType is one of the exported type pointers
 * (*IoFileObjectType, *ExEventObjectType), or NULL for any type a driver can be given.
 * The host has no access checks: DesiredAccess and AccessMode are not enforced, and the
 * granted access reported is the desired one.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obreferenceobjectbyhandle
 */
NTKERNELAPI NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, POBJECT_TYPE ObjectType,
                                                     KPROCESSOR_MODE AccessMode, PVOID *Object,
                                                     POBJECT_HANDLE_INFORMATION HandleInformation)
{
    (void)AccessMode;
    if (Object == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Object = NULL;
    KH_OBJECT_HEADER *object;
    NTSTATUS status = KhObReferenceByHandle(Handle, (const KH_OBJECT_TYPE *)(const void *)ObjectType, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (object->Type->Body == NULL) {
        KhObDereference(object);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (HandleInformation != NULL) {
        HandleInformation->HandleAttributes = 0;
        HandleInformation->GrantedAccess = DesiredAccess;
    }
    *Object = object->Type->Body(object);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ waits */

/*
 * NtWaitForMultipleObjects: references every handle's object, then waits on their
 * dispatcher objects through KeWaitForMultipleObjects. A wait-all may not name one
 * object twice (STATUS_INVALID_PARAMETER_MIX). Alertable waits are not offered: the
 * host delivers no user APCs.
 * https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjects
 */
NTSYSAPI NTSTATUS NTAPI NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType, BOOLEAN Alertable,
                                                 PLARGE_INTEGER Timeout)
{
    if (Count == 0 || Count > MAXIMUM_WAIT_OBJECTS || Handles == NULL ||
        (WaitType != WaitAll && WaitType != WaitAny)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Alertable) {
        return STATUS_NOT_IMPLEMENTED;
    }
    KH_OBJECT_HEADER *objects[MAXIMUM_WAIT_OBJECTS];
    PVOID waits[MAXIMUM_WAIT_OBJECTS];
    ULONG referenced = 0;
    NTSTATUS status = STATUS_SUCCESS;
    for (; referenced < Count; referenced++) {
        status = KhObReferenceByHandle(Handles[referenced], NULL, &objects[referenced]);
        if (!NT_SUCCESS(status)) {
            break;
        }
        KH_OBJECT_HEADER *object = objects[referenced];
        waits[referenced] = object->Type->WaitObject != NULL ? object->Type->WaitObject(object) : NULL;
        if (waits[referenced] == NULL) {
            referenced++;
            status = STATUS_OBJECT_TYPE_MISMATCH;
            break;
        }
        if (WaitType == WaitAll) {
            for (ULONG j = 0; j < referenced; j++) {
                if (waits[j] == waits[referenced]) {
                    status = STATUS_INVALID_PARAMETER_MIX;
                }
            }
            if (!NT_SUCCESS(status)) {
                referenced++;
                break;
            }
        }
    }
    if (NT_SUCCESS(status)) {
        status = KeWaitForMultipleObjects(Count, waits, WaitType, UserRequest, UserMode, FALSE, Timeout, NULL);
    }
    for (ULONG i = 0; i < referenced; i++) {
        KhObDereference(objects[i]);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    return NtWaitForMultipleObjects(1, &Handle, WaitAny, Alertable, Timeout);
}

NTSYSAPI NTSTATUS NTAPI ZwWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    return NtWaitForSingleObject(Handle, Alertable, Timeout);
}
