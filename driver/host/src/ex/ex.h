/*
 * ex.h - what the executive (src/ex: pool, fast mutexes' relatives, allocation failure
 * injection) offers the other host components, beyond the Ex* routines drivers call.
 *
 * Pool attribution: a pool block belongs to the driver module that contains the code
 * that called the allocator (the allocator's return address, looked up in the address
 * ranges of the loaded driver modules, recorded at load time). Blocks allocated by code
 * of the host itself (for example the KMDF runtime calling ExAllocatePoolWithTag) belong
 * to no driver: they are neither leak-checked at unload nor allocation points; the KMDF
 * runtime counts and checks its own objects. The return address is robust against
 * callbacks on any thread (DPC, worker, application threads) and needs no cooperation
 * from the framework; it is defeated only by a tail call from a driver routine into
 * the allocator, which scripts/build-host-driver's default (unoptimized) build does not
 * produce.
 */
#ifndef KH_EX_H
#define KH_EX_H

#include <stdint.h>

#include <kmdfhost.h>
#include <ntddk.h>

#include "ob/ob.h"

/* ------------------------------------------------------------------- pool */

/* The loader announces a driver before its DriverEntry runs, and after it is gone. */
void KhPoolDriverLoaded(KH_DRIVER *Driver);
/* Reports POOL_LEAK for the driver's live blocks and frees them. */
void KhPoolDriverUnloaded(KH_DRIVER *Driver);
/* Allocates pool charged to the driver that owns CallerAddress (internal entry point). */
PVOID KhAllocatePool(POOL_TYPE PoolType, POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, BOOLEAN Zero,
                     const void *CallerAddress);

/*
 * Reports PENDING_OPERATIONS_AT_UNLOAD for the ExQueueWorkItem items whose routine is
 * code of the module [Start, End) and that are still queued or running (the loader
 * calls it when the driver's unload routine has returned).
 */
void KhExDriverUnloadCheck(const char *DriverName, uintptr_t Start, uintptr_t End);

/* --------------------------------------------------- allocation failure injection */

/*
 * One allocation point passed; TRUE when this allocation must fail (the N-th point
 * after KmdfHostFailAllocation(N)). The KMDF runtime calls it once per framework object
 * or framework memory allocation a driver asks for; driver pool allocations, and the
 * I/O manager's allocations on a driver's behalf, call it too.
 */
BOOLEAN KhAllocationShouldFail(void);

/* ------------------------------------------------------------------- event objects */

/* An event object (the object manager's Event type, event.c): NtCreateEvent's, and the
   Event argument of the I/O system services. */
typedef struct _KH_EVENT_OBJECT {
    KH_OBJECT_HEADER Ob;
    KEVENT Event;
} KH_EVENT_OBJECT;

extern const KH_OBJECT_TYPE KhExEventObjectType;

/* The KEVENT of an event object carries this in Header.Reserved1 (0 in any other
   KEVENT), so that ObfReferenceObject and ObfDereferenceObject recognise it. */
#define KH_EVENT_OBJECT_MARK 0x4F

/* The event object of a KEVENT that ObReferenceObjectByHandle gave out, or NULL. */
static inline KH_EVENT_OBJECT *KhExEventObjectFromBody(PVOID Body)
{
    PDISPATCHER_HEADER header = Body;
    if ((header->Type == NotificationEvent || header->Type == SynchronizationEvent) &&
        header->Reserved1 == KH_EVENT_OBJECT_MARK) {
        return CONTAINING_RECORD(Body, KH_EVENT_OBJECT, Event);
    }
    return NULL;
}

#endif /* KH_EX_H */
