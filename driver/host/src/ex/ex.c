/*
 * ex.c - the executive's small services: interlocked lists (guarded by a caller's spin
 * lock) and the local-time conversions.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <ntddk.h>

#include "ex/ex.h"
#include "ke/ke.h"
#include "os/hostos.h"

/* ------------------------------------------------------------------ interlocked lists */

/* Each returns the list's first (or removed) entry as it was before, NULL when empty. */
NTKERNELAPI PLIST_ENTRY FASTCALL ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                                             ULONG_PTR *Lock)
{
    KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
    PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : ListHead->Flink;
    InsertHeadList(ListHead, ListEntry);
    KeReleaseSpinLock(Lock, old);
    return first;
}

NTKERNELAPI PLIST_ENTRY FASTCALL ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                                             ULONG_PTR *Lock)
{
    KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
    PLIST_ENTRY last = IsListEmpty(ListHead) ? NULL : ListHead->Blink;
    InsertTailList(ListHead, ListEntry);
    KeReleaseSpinLock(Lock, old);
    return last;
}

NTKERNELAPI PLIST_ENTRY FASTCALL ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, ULONG_PTR *Lock)
{
    KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
    PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
    KeReleaseSpinLock(Lock, old);
    return first;
}

NTKERNELAPI PSINGLE_LIST_ENTRY FASTCALL ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
                                                                   PSINGLE_LIST_ENTRY ListEntry, ULONG_PTR *Lock)
{
    KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
    PSINGLE_LIST_ENTRY first = ListHead->Next;
    PushEntryList(ListHead, ListEntry);
    KeReleaseSpinLock(Lock, old);
    return first;
}

NTKERNELAPI PSINGLE_LIST_ENTRY FASTCALL ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, ULONG_PTR *Lock)
{
    KIRQL old = KeAcquireSpinLockRaiseToDpc(Lock);
    PSINGLE_LIST_ENTRY first = PopEntryList(ListHead);
    KeReleaseSpinLock(Lock, old);
    return first;
}

/* ------------------------------------------------------------------ time */

/* The host runs in UTC. */
NTKERNELAPI VOID NTAPI ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime)
{
    *LocalTime = *SystemTime;
}

NTKERNELAPI VOID NTAPI ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime)
{
    *SystemTime = *LocalTime;
}

/* ------------------------------------------------------------------ SLISTs */

/*
 * Interlocked singly linked lists: push, pop and flush are atomic with respect to one
 * another on the same header, callable at IRQL <= DISPATCH_LEVEL. The header keeps the
 * first entry (address / 16: entries are 16-byte aligned on 64-bit Windows), the depth
 * and a sequence number that every change advances, as Windows' does. The host makes
 * each operation atomic under one lock of its own rather than with a 16-byte
 * compare-exchange; the observable semantics are the same.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/singly-and-doubly-linked-lists
 */
static HOS_MUTEX ExpSListLock;

__attribute__((constructor)) static void ExpSListInit(void) { HosMutexInit(&ExpSListLock); }

static PSLIST_ENTRY ExpSListFirst(const SLIST_HEADER *ListHead)
{
    return (PSLIST_ENTRY)(uintptr_t)((ULONGLONG)ListHead->HeaderX64.NextEntry << 4);
}

static void ExpSListSet(PSLIST_HEADER ListHead, PSLIST_ENTRY First, ULONGLONG Depth)
{
    ListHead->HeaderX64.NextEntry = (ULONGLONG)(uintptr_t)First >> 4;
    ListHead->HeaderX64.Depth = Depth;
    ListHead->HeaderX64.Sequence = ListHead->HeaderX64.Sequence + 1;
}

/* Returns the entry that was first before the push (NULL when the list was empty). */
NTKERNELAPI PSLIST_ENTRY FASTCALL ExpInterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
    if (((uintptr_t)ListEntry & 15) != 0) {
        KhVerifierReport("ASSERTION_FAILED", "SLIST entry %p is not 16-byte aligned, at %p", (void *)ListEntry,
                         __builtin_return_address(0));
        return NULL;
    }
    HosMutexLock(&ExpSListLock);
    PSLIST_ENTRY first = ExpSListFirst(ListHead);
    ListEntry->Next = first;
    ExpSListSet(ListHead, ListEntry, ListHead->HeaderX64.Depth + 1);
    HosMutexUnlock(&ExpSListLock);
    return first;
}

/* Removes and returns the first entry, NULL when the list is empty. */
NTKERNELAPI PSLIST_ENTRY FASTCALL ExpInterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    HosMutexLock(&ExpSListLock);
    PSLIST_ENTRY first = ExpSListFirst(ListHead);
    if (first != NULL) {
        ExpSListSet(ListHead, first->Next, ListHead->HeaderX64.Depth - 1);
    }
    HosMutexUnlock(&ExpSListLock);
    return first;
}

/* Empties the list and returns its former first entry (the whole chain). */
NTKERNELAPI PSLIST_ENTRY FASTCALL ExpInterlockedFlushSList(PSLIST_HEADER ListHead)
{
    HosMutexLock(&ExpSListLock);
    PSLIST_ENTRY first = ExpSListFirst(ListHead);
    if (first != NULL) {
        ExpSListSet(ListHead, NULL, 0);
    }
    HosMutexUnlock(&ExpSListLock);
    return first;
}

NTKERNELAPI USHORT NTAPI ExQueryDepthSList(PSLIST_HEADER ListHead)
{
    HosMutexLock(&ExpSListLock);
    USHORT depth = (USHORT)ListHead->HeaderX64.Depth;
    HosMutexUnlock(&ExpSListLock);
    return depth;
}

NTKERNELAPI PSLIST_ENTRY NTAPI RtlFirstEntrySList(const SLIST_HEADER *ListHead)
{
    HosMutexLock(&ExpSListLock);
    PSLIST_ENTRY first = ExpSListFirst(ListHead);
    HosMutexUnlock(&ExpSListLock);
    return first;
}

/* ------------------------------------------------------------------ work items */

/*
 * The work items queued and not yet finished, under ExpWorkLock: one record each, so
 * that a driver's unload can tell which of its routines are still queued or running
 * (the item itself may be freed by its routine).
 */
typedef struct _EXP_WORK {
    LIST_ENTRY Link;
    PWORK_QUEUE_ITEM Item;
    PWORKER_THREAD_ROUTINE Routine; /* the routine at queueing time */
    bool Running;
} EXP_WORK;

static HOS_MUTEX ExpWorkLock;
static LIST_ENTRY ExpWorkList = {&ExpWorkList, &ExpWorkList};

__attribute__((constructor)) static void ExpWorkInit(void) { HosMutexInit(&ExpWorkLock); }

static void ExpRunWorkItem(void *Context)
{
    EXP_WORK *work = Context;
    PWORK_QUEUE_ITEM item = work->Item;
    PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
    PVOID parameter = item->Parameter;
    HosMutexLock(&ExpWorkLock);
    work->Running = true;
    HosMutexUnlock(&ExpWorkLock);
    /* No longer queued: the routine may queue the item again (or free it). */
    __atomic_store_n(&item->List.Flink, NULL, __ATOMIC_RELEASE);
    routine(parameter);
    KH_THREAD *thread = KhCurrentThread();
    if (thread->Irql != PASSIVE_LEVEL) {
        KhVerifierReport("IRQL_MISUSE", "work item routine %p returned at IRQL %u, not PASSIVE_LEVEL",
                         (void *)routine, (unsigned)thread->Irql);
        thread->Irql = PASSIVE_LEVEL;
    }
    HosMutexLock(&ExpWorkLock);
    RemoveEntryList(&work->Link);
    HosMutexUnlock(&ExpWorkLock);
    free(work);
}

/*
 * ExQueueWorkItem: runs the item's routine (ExInitializeWorkItem) with its parameter on
 * a system worker thread at PASSIVE_LEVEL. The host has one worker thread for every
 * queue type. Queueing an item that is still queued is bug check WORKER_INVALID (0xE4),
 * as on Windows.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exqueueworkitem
 */
NTKERNELAPI VOID NTAPI ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    (void)QueueType;
    PLIST_ENTRY expected = NULL;
    if (!__atomic_compare_exchange_n(&WorkItem->List.Flink, &expected, &WorkItem->List, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        KeBugCheckEx(0x000000E4 /* WORKER_INVALID */, 0x2 /* already queued */, (ULONG_PTR)WorkItem, 0, 0);
    }
    EXP_WORK *work = calloc(1, sizeof(*work));
    if (work == NULL) {
        KeBugCheckEx(0x000000E4 /* WORKER_INVALID */, (ULONG_PTR)WorkItem, 0, 0, 0);
    }
    work->Item = WorkItem;
    work->Routine = WorkItem->WorkerRoutine;
    HosMutexLock(&ExpWorkLock);
    InsertTailList(&ExpWorkList, &work->Link);
    HosMutexUnlock(&ExpWorkLock);
    if (!HosQueueWork(ExpRunWorkItem, work)) {
        HosMutexLock(&ExpWorkLock);
        RemoveEntryList(&work->Link);
        HosMutexUnlock(&ExpWorkLock);
        free(work);
        KeBugCheckEx(0x000000E4 /* WORKER_INVALID */, (ULONG_PTR)WorkItem, 0, 0, 0);
    }
}

/*
 * ExQueueWorkItem's documentation warns that the system does not keep a driver loaded
 * while its work item is queued or running (IoQueueWorkItem, which holds a reference on
 * the device object, exists for that reason): a driver that unloads with one still
 * pending stops Windows with bug check 0xCE
 * DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exqueueworkitem
 * https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xce--driver-unloaded-without-cancelling-pending-operations
 */
void KhExDriverUnloadCheck(const char *DriverName, uintptr_t Start, uintptr_t End)
{
    ULONG queued = 0;
    ULONG running = 0;
    PWORKER_THREAD_ROUTINE routine = NULL;
    HosMutexLock(&ExpWorkLock);
    for (PLIST_ENTRY e = ExpWorkList.Flink; e != &ExpWorkList; e = e->Flink) {
        EXP_WORK *work = CONTAINING_RECORD(e, EXP_WORK, Link);
        if ((uintptr_t)work->Routine >= Start && (uintptr_t)work->Routine < End) {
            if (work->Running) {
                running++;
            } else {
                queued++;
            }
            routine = work->Routine;
        }
    }
    HosMutexUnlock(&ExpWorkLock);
    if (queued != 0 || running != 0) {
        KhVerifierReport("PENDING_OPERATIONS_AT_UNLOAD",
                         "driver %s unloaded with ExQueueWorkItem work item(s) of its code pending (%lu queued, "
                         "%lu running; routine %p)",
                         DriverName, (unsigned long)queued, (unsigned long)running, (void *)routine);
    }
}
