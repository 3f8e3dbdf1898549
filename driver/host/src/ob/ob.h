/*
 * ob.h - the object manager: typed, reference-counted objects and the one handle table
 * of the host (the process's handle table on Windows, which the host's single process
 * shares with the kernel), used by the I/O manager (files, completion ports), the
 * executive (events) and the configuration manager (registry keys).
 *
 * An object embeds a KH_OBJECT_HEADER. Its type says how it is referenced (the header's
 * own count, or the object's, as for file objects), what closing its last handle does
 * (the file's cleanup, a port's rundown), what its last reference does, and which
 * dispatcher object a wait on one of its handles waits for.
 */
#ifndef KH_OB_H
#define KH_OB_H

#include <ntddk.h>

typedef struct _KH_OBJECT_HEADER KH_OBJECT_HEADER;

typedef struct _KH_OBJECT_TYPE {
    const char *Name;
    /* The object's own reference counting; NULL: the header's PointerCount, and Delete
       runs when it drops to zero. */
    void (*Reference)(KH_OBJECT_HEADER *Object);
    void (*Dereference)(KH_OBJECT_HEADER *Object);
    void (*Delete)(KH_OBJECT_HEADER *Object);
    /* The last handle of the object was closed (optional; runs before the handle's
       reference is dropped). */
    void (*Close)(KH_OBJECT_HEADER *Object);
    /* The dispatcher object that a wait on a handle of this type waits for; NULL when
       the type cannot be waited on. */
    PDISPATCHER_HEADER (*WaitObject)(KH_OBJECT_HEADER *Object);
    /* Handles of this type belong to the kernel side (a driver's registry keys): the end
       of the program's process (KmdfHostCloseProcessHandles) leaves them open. */
    BOOLEAN KernelOnly;
    /* What ObReferenceObjectByHandle gives a driver (the FILE_OBJECT, the KEVENT), which
       ObfReferenceObject and ObfDereferenceObject then take; NULL when a driver cannot
       be given the object. */
    PVOID (*Body)(KH_OBJECT_HEADER *Object);
} KH_OBJECT_TYPE;

struct _KH_OBJECT_HEADER {
    const KH_OBJECT_TYPE *Type;
    volatile LONG PointerCount; /* when the type has no Reference routine */
    volatile LONG HandleCount;
};

/* Initializes a header with one reference, the creator's. */
void KhObInitializeObject(KH_OBJECT_HEADER *Object, const KH_OBJECT_TYPE *Type);
void KhObReference(KH_OBJECT_HEADER *Object);
void KhObDereference(KH_OBJECT_HEADER *Object);

/* Enters a handle for Object, which then holds the caller's reference.
   STATUS_INSUFFICIENT_RESOURCES (the caller keeps its reference) when the table is full. */
NTSTATUS KhObInsertHandle(KH_OBJECT_HEADER *Object, PHANDLE Handle);

/* The object of Handle, referenced (release with KhObDereference). Type NULL accepts any
   type. STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH. */
NTSTATUS KhObReferenceByHandle(HANDLE Handle, const KH_OBJECT_TYPE *Type, KH_OBJECT_HEADER **Object);

#endif /* KH_OB_H */
