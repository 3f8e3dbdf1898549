/*
 * pool.c - the executive's pool allocator, with the accounting the verifier needs.
 *
 * Each block carries a header with its tag, size, pool type and owner. The owner is the
 * loaded driver whose code called the allocator (found from the allocator's return
 * address, see ex/ex.h); host code owns its own blocks. A driver's live blocks are
 * kept on a list in its KH_DRIVER, so that unloading it can report what it leaked
 * (POOL_LEAK, by tag and size) and give the memory back. A driver allocation is also an
 * allocation point for fault injection.
 *
 * Semantics: ExAllocatePoolWithTag returns uninitialized memory (filled here with 0xCD,
 * so that code reading it before writing shows), ExAllocatePool2 zeroes unless
 * POOL_FLAG_UNINITIALIZED is given, POOL_ZERO_ALLOCATION in the pool type zeroes.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepoolwithtag
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepool2
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exfreepoolwithtag
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex/ex.h"
#include "ke/ke.h"
#include "ldr/ldr.h"

#define KH_POOL_MAGIC 0x6c6f6f50u /* "Pool" */
#define KH_POOL_FREED 0x65657246u /* "Free" */
#define KH_POOL_FILL 0xCD

typedef struct _KH_POOL_HEADER {
    LIST_ENTRY Link;   /* in the owner's list, under KhPoolLock */
    KH_DRIVER *Owner;  /* NULL: host */
    SIZE_T Size;
    ULONG Tag;
    ULONG Magic;
    ULONG PoolType;
    ULONG Reserved;
} KH_POOL_HEADER;

_Static_assert(sizeof(KH_POOL_HEADER) % MEMORY_ALLOCATION_ALIGNMENT == 0, "pool blocks stay 16-byte aligned");

static HOS_MUTEX KhPoolLock;
static LIST_ENTRY KhHostPoolBlocks;

__attribute__((constructor)) static void KhPoolInit(void)
{
    HosMutexInit(&KhPoolLock);
    InitializeListHead(&KhHostPoolBlocks);
}

void KhPoolDriverLoaded(KH_DRIVER *Driver) { InitializeListHead(&Driver->PoolBlocks); }

/* The tag as pool tools show it: its bytes in memory order. */
static void KhTagText(ULONG Tag, char Text[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(Tag >> (8 * i));
        Text[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    Text[4] = 0;
}

static bool KhPoolTypeIsPaged(ULONG PoolType) { return ((PoolType & 0x3F) & 1) != 0 && (PoolType & 0x3F) != DontUseThisType; }

PVOID KhAllocatePool(POOL_TYPE PoolType, POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, BOOLEAN Zero,
                     const void *CallerAddress)
{
    KH_DRIVER *owner = KhFindDriverByAddress((uintptr_t)CallerAddress);
    bool paged = Flags != 0 ? (Flags & POOL_FLAG_PAGED) != 0 : KhPoolTypeIsPaged((ULONG)PoolType);

    if (paged && KeGetCurrentIrql() > APC_LEVEL) {
        char tag[5];
        KhTagText(Tag, tag);
        KhVerifierReport("IRQL_TOO_HIGH_FOR_PAGED_POOL", "paged pool (tag '%s', %zu bytes) allocated at IRQL %u, by %s at %p",
                         tag, (size_t)NumberOfBytes, (unsigned)KeGetCurrentIrql(),
                         owner != NULL ? owner->ServiceName : "the host", CallerAddress);
    }
    if (owner != NULL && KhAllocationShouldFail()) {
        return NULL;
    }
    if (NumberOfBytes > SIZE_MAX - sizeof(KH_POOL_HEADER)) {
        return NULL;
    }
    KH_POOL_HEADER *header = malloc(sizeof(KH_POOL_HEADER) + NumberOfBytes);
    if (header == NULL) {
        return NULL;
    }
    header->Owner = owner;
    header->Size = NumberOfBytes;
    header->Tag = Tag;
    header->Magic = KH_POOL_MAGIC;
    header->PoolType = (ULONG)PoolType;
    header->Reserved = 0;
    memset(header + 1, Zero ? 0 : KH_POOL_FILL, NumberOfBytes);
    if (owner != NULL && HosRaceOn) {
        /* The driver's pool blocks are its memory: the race detector watches them. */
        char tag[5];
        KhTagText(Tag, tag);
        HosRaceWatch(header + 1, NumberOfBytes, "pool block '%s' of %zu bytes", tag, (size_t)NumberOfBytes);
    }

    HosMutexLock(&KhPoolLock);
    InsertTailList(owner != NULL ? &owner->PoolBlocks : &KhHostPoolBlocks, &header->Link);
    HosMutexUnlock(&KhPoolLock);
    return header + 1;
}

static void KhFreePool(PVOID P, ULONG Tag, bool CheckTag, const void *CallerAddress)
{
    if (P == NULL) {
        KhVerifierReport("BAD_POOL_FREE", "freeing a NULL pointer, at %p", CallerAddress);
        return;
    }
    KH_POOL_HEADER *header = (KH_POOL_HEADER *)P - 1;
    HosMutexLock(&KhPoolLock);
    if (header->Magic != KH_POOL_MAGIC) {
        HosMutexUnlock(&KhPoolLock);
        KhVerifierReport("BAD_POOL_FREE", "%p is not an allocated pool block (freed twice?), at %p", P,
                         CallerAddress);
        return;
    }
    if (CheckTag && Tag != header->Tag) {
        char expected[5];
        char given[5];
        KhTagText(header->Tag, expected);
        KhTagText(Tag, given);
        HosMutexUnlock(&KhPoolLock);
        KhVerifierReport("POOL_TAG_MISMATCH", "block %p (%zu bytes) has tag '%s' but is freed with tag '%s', at %p", P,
                         (size_t)header->Size, expected, given, CallerAddress);
        HosMutexLock(&KhPoolLock);
        if (header->Magic != KH_POOL_MAGIC) {
            HosMutexUnlock(&KhPoolLock);
            return;
        }
    }
    RemoveEntryList(&header->Link);
    header->Magic = KH_POOL_FREED;
    HosMutexUnlock(&KhPoolLock);
    if (HosRaceOn) {
        HosRaceUnwatch(P, header->Size);
    }
    free(header);
}

void KhPoolDriverUnloaded(KH_DRIVER *Driver)
{
    LIST_ENTRY leaked;
    InitializeListHead(&leaked);
    HosMutexLock(&KhPoolLock);
    if (!IsListEmpty(&Driver->PoolBlocks)) {
        /* Move the whole list to the local head. */
        leaked.Flink = Driver->PoolBlocks.Flink;
        leaked.Blink = Driver->PoolBlocks.Blink;
        leaked.Flink->Blink = &leaked;
        leaked.Blink->Flink = &leaked;
        InitializeListHead(&Driver->PoolBlocks);
    }
    HosMutexUnlock(&KhPoolLock);
    if (IsListEmpty(&leaked)) {
        return;
    }

    /* Group by tag and size, in allocation order. */
    struct {
        ULONG Tag;
        SIZE_T Size;
        size_t Count;
    } groups[16];
    size_t groupCount = 0;
    size_t blocks = 0;
    size_t bytes = 0;
    size_t ungrouped = 0;
    for (PLIST_ENTRY e = leaked.Flink; e != &leaked; e = e->Flink) {
        KH_POOL_HEADER *h = CONTAINING_RECORD(e, KH_POOL_HEADER, Link);
        blocks++;
        bytes += h->Size;
        size_t g;
        for (g = 0; g < groupCount; g++) {
            if (groups[g].Tag == h->Tag && groups[g].Size == h->Size) {
                groups[g].Count++;
                break;
            }
        }
        if (g == groupCount) {
            if (groupCount < sizeof(groups) / sizeof(groups[0])) {
                groups[groupCount].Tag = h->Tag;
                groups[groupCount].Size = h->Size;
                groups[groupCount].Count = 1;
                groupCount++;
            } else {
                ungrouped++;
            }
        }
    }
    char detail[1024];
    size_t used = 0;
    for (size_t g = 0; g < groupCount && used < sizeof(detail); g++) {
        char tag[5];
        KhTagText(groups[g].Tag, tag);
        int n = snprintf(detail + used, sizeof(detail) - used, "%stag '%s' %zu bytes x%zu", g == 0 ? "" : ", ", tag,
                         (size_t)groups[g].Size, groups[g].Count);
        if (n < 0) {
            break;
        }
        used += (size_t)n;
    }
    if (ungrouped != 0 && used < sizeof(detail)) {
        snprintf(detail + used, sizeof(detail) - used, ", and %zu more", ungrouped);
    }
    KhVerifierReport("POOL_LEAK", "driver %s unloaded with %zu pool block(s), %zu bytes, still allocated: %s",
                     Driver->ServiceName, blocks, bytes, detail);

    /* The module is going away: nobody can free these any more. */
    while (!IsListEmpty(&leaked)) {
        KH_POOL_HEADER *h = CONTAINING_RECORD(RemoveHeadList(&leaked), KH_POOL_HEADER, Link);
        h->Magic = KH_POOL_FREED;
        free(h);
    }
}

/* ------------------------------------------------------------------ exported */

#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))

static BOOLEAN KhPoolTypeZeroes(POOL_TYPE PoolType) { return (BOOLEAN)((PoolType & POOL_ZERO_ALLOCATION) != 0); }

NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return KhAllocatePool(PoolType, 0, NumberOfBytes, Tag, KhPoolTypeZeroes(PoolType), KH_CALLER());
}

/* The tag Windows uses for untagged allocations: "None". */
NTKERNELAPI PVOID NTAPI ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return KhAllocatePool(PoolType, 0, NumberOfBytes, 'enoN', KhPoolTypeZeroes(PoolType), KH_CALLER());
}

NTKERNELAPI PVOID NTAPI ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                                      EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return KhAllocatePool(PoolType, 0, NumberOfBytes, Tag, KhPoolTypeZeroes(PoolType), KH_CALLER());
}

NTKERNELAPI PVOID NTAPI ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return KhAllocatePool(PoolType, 0, NumberOfBytes, Tag, KhPoolTypeZeroes(PoolType), KH_CALLER());
}

/*
 * ExAllocatePool2: exactly one of POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE and
 * POOL_FLAG_PAGED is required; the block is zeroed unless POOL_FLAG_UNINITIALIZED.
 */
NTKERNELAPI PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    POOL_FLAGS kind = Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    if (kind != POOL_FLAG_NON_PAGED && kind != POOL_FLAG_NON_PAGED_EXECUTE && kind != POOL_FLAG_PAGED) {
        return NULL;
    }
    POOL_TYPE type = kind == POOL_FLAG_PAGED ? PagedPool : (kind == POOL_FLAG_NON_PAGED ? NonPagedPoolNx : NonPagedPoolExecute);
    return KhAllocatePool(type, kind, NumberOfBytes, Tag, (BOOLEAN)((Flags & POOL_FLAG_UNINITIALIZED) == 0),
                          KH_CALLER());
}

NTKERNELAPI VOID NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag) { KhFreePool(P, Tag, Tag != 0, KH_CALLER()); }

NTKERNELAPI VOID NTAPI ExFreePool(PVOID P) { KhFreePool(P, 0, false, KH_CALLER()); }

/* ------------------------------------------------------------------ lookaside lists */

static void KhInitializeLookaside(PGENERAL_LOOKASIDE Lookaside, POOL_TYPE Type, PALLOCATE_FUNCTION Allocate,
                                  PFREE_FUNCTION Free, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    memset(Lookaside, 0, sizeof(*Lookaside));
    Lookaside->Type = Type;
    Lookaside->Tag = Tag;
    Lookaside->Size = (ULONG)Size;
    Lookaside->Depth = Depth;
    Lookaside->MaximumDepth = Depth;
    Lookaside->Allocate = Allocate;
    Lookaside->Free = Free;
    InitializeListHead(&Lookaside->ListEntry);
}

/* An entry: the driver's own allocate routine, or pool charged to the calling driver. */
static PVOID KhLookasideAllocate(PGENERAL_LOOKASIDE Lookaside, const void *Caller)
{
    __atomic_add_fetch(&Lookaside->TotalAllocates, 1, __ATOMIC_RELAXED);
    if (Lookaside->Allocate != NULL) {
        return Lookaside->Allocate(Lookaside->Type, Lookaside->Size, Lookaside->Tag);
    }
    return KhAllocatePool(Lookaside->Type, 0, Lookaside->Size, Lookaside->Tag, FALSE, Caller);
}

static void KhLookasideFree(PGENERAL_LOOKASIDE Lookaside, PVOID Entry, const void *Caller)
{
    __atomic_add_fetch(&Lookaside->TotalFrees, 1, __ATOMIC_RELAXED);
    if (Lookaside->Free != NULL) {
        Lookaside->Free(Entry);
    } else {
        KhFreePool(Entry, Lookaside->Tag, true, Caller);
    }
}

NTKERNELAPI VOID NTAPI ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                                       PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                                       USHORT Depth)
{
    POOL_TYPE type = (Flags & POOL_NX_ALLOCATION) ? NonPagedPoolNx : NonPagedPoolExecute;
    KhInitializeLookaside(&Lookaside->L, type, Allocate, Free, Size, Tag, Depth);
}

NTKERNELAPI VOID NTAPI ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) { (void)Lookaside; }

NTKERNELAPI PVOID NTAPI ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    return KhLookasideAllocate(&Lookaside->L, KH_CALLER());
}

NTKERNELAPI VOID NTAPI ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    KhLookasideFree(&Lookaside->L, Entry, KH_CALLER());
}

NTKERNELAPI VOID NTAPI ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                                      PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                                      USHORT Depth)
{
    (void)Flags;
    KhInitializeLookaside(&Lookaside->L, PagedPool, Allocate, Free, Size, Tag, Depth);
}

NTKERNELAPI VOID NTAPI ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) { (void)Lookaside; }

NTKERNELAPI PVOID NTAPI ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    return KhLookasideAllocate(&Lookaside->L, KH_CALLER());
}

NTKERNELAPI VOID NTAPI ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    KhLookasideFree(&Lookaside->L, Entry, KH_CALLER());
}

/* ------------------------------------------------ allocation failure injection */

/*
 * The verifier's low-resources simulation, reduced to one deterministic knob: the N-th
 * allocation point from now fails. Allocation points are the allocations made on a
 * driver's behalf (driver pool, framework objects and memory, IRPs and device objects
 * a driver asks for).
 */
static atomic_uint_fast64_t KhAllocationPoints;
static atomic_int_fast64_t KhFailAt = -1;

/* The N-th allocation point from now fails, once; N < 0 disables. */
KMDFHOST_API void KmdfHostFailAllocation(int64_t N)
{
    if (N < 0) {
        atomic_store(&KhFailAt, -1);
    } else {
        atomic_store(&KhFailAt, (int_fast64_t)atomic_load(&KhAllocationPoints) + N);
    }
}

KMDFHOST_API uint64_t KmdfHostAllocationCount(void) { return atomic_load(&KhAllocationPoints); }

BOOLEAN KhAllocationShouldFail(void)
{
    uint_fast64_t index = atomic_fetch_add(&KhAllocationPoints, 1);
    int_fast64_t target = atomic_load(&KhFailAt);
    if (target >= 0 && (uint_fast64_t)target == index) {
        /* Only the first thread to reach the point fails it. */
        return atomic_compare_exchange_strong(&KhFailAt, &target, -1) ? TRUE : FALSE;
    }
    return FALSE;
}
