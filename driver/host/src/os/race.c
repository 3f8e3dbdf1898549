/*
 * race.c - explore mode's data race detector: happens-before over the host's own
 * synchronization events, checked on the memory a driver owns.
 *
 * A driver built with scripts/build-host-driver --race is compiled with the compiler's
 * ThreadSanitizer instrumentation (-fsanitize=thread) but linked without TSan's runtime:
 * every load and store it makes calls __tsan_read4, __tsan_write8 and so on, and the
 * schedule explorer (explore/race_tsan.c) supplies those entry points and forwards them
 * here. TSan's runtime is never loaded.
 *
 * Happens-before is the classic vector-clock construction (Lamport; FastTrack's epochs):
 *   - every task has a vector clock; a task's own component counts its releases;
 *   - a synchronization object (any address) has a clock; a release joins the task's
 *     clock into the object's and then advances the task's own component; an acquire
 *     joins the object's clock into the task's;
 *   - a task starts with its creator's clock, and a join acquires the ended task's.
 * The events that count are those the host routes through src/os that order code on
 * Windows too: the locks that stand for Windows and KMDF locks (HosMutexInitOrdering:
 * WDFSPINLOCK, WDFWAITLOCK, the framework's synchronization-scope, queue, request,
 * device, work-item and I/O-target locks), KSPIN_LOCKs, fast and guarded mutexes,
 * event, semaphore, mutex and queue objects (signal to satisfied wait), timer, DPC and
 * work item queueing to their run (and a run to a wait for it), thread start and join,
 * and the driver's own atomic operations (Interlocked*: acquire and release). An IRP's
 * completion reaches its waiter through an event or a completion port, so it orders too.
 * The detector is on once a module built with --race is loaded (its constructor calls
 * __tsan_init: KmdfHostExploreRaceEnable); before that nothing is watched. The
 * host's bookkeeping locks (handle tables, the object tree, the pool's list, the
 * verifier) order nothing here: on Windows they do not exist or do not order the
 * driver's code. The explorer's baton hand-over orders nothing either: that one task
 * runs at a time is how the explorer works, not a promise the driver can rely on.
 *
 * Only one task runs at a time, so nothing here needs atomics or locks.
 *
 * Watched memory (HosRaceWatch): WDF object context memory, the driver module's
 * writable data (.data and .bss), the pool blocks the driver allocates and the buffers
 * of the requests presented to it (until their completion). Each 8-byte
 * granule keeps its last few accesses (task, clock, bytes, read or write, code address);
 * an access that conflicts with one of them (the same bytes, another task, at least one
 * a write) and is not ordered after it by happens-before is a race: DATA_RACE, with both
 * accesses, the memory's owner and offset, and the driver's source lines.
 */
#define _GNU_SOURCE
#include "explore.h"
#include "hostos.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmdfhost_explore.h"

#define HOS_RACE_TASKS KH_EXPLORE_MAX_TASKS
#define HOS_RACE_CELLS 4

typedef struct HOS_VCLOCK {
    uint32_t C[HOS_RACE_TASKS];
} HOS_VCLOCK;

/* One remembered access to an 8-byte granule. */
typedef struct HOS_RCELL {
    const void *Pc;
    uint32_t Clock;
    uint8_t Task;
    uint8_t Mask; /* the bytes of the granule it touched */
    uint8_t Write;
    uint8_t Used;
} HOS_RCELL;

typedef struct HOS_RGRANULE {
    HOS_RCELL Cell[HOS_RACE_CELLS];
} HOS_RGRANULE;

typedef struct HOS_RRANGE {
    uintptr_t Start;
    uintptr_t End;
    char What[96]; /* "WDFQUEUE context QUEUE_CONTEXT", "pool block 'Echo' (512 bytes)" */
    HOS_RGRANULE *Shadow;
    size_t Granules;
} HOS_RRANGE;

/* A synchronization object's clock, in an open-addressing table keyed by address. */
typedef struct HOS_RSYNC {
    const void *Key;
    HOS_VCLOCK Clock;
} HOS_RSYNC;

bool HosRaceOn;

static HOS_VCLOCK HosRTask[HOS_RACE_TASKS];
static HOS_RSYNC *HosRSync;
static size_t HosRSyncCapacity;
static size_t HosRSyncCount;
static HOS_RRANGE *HosRRanges; /* sorted by Start, disjoint */
static size_t HosRRangeCount;
static size_t HosRRangeCapacity;
static uintptr_t HosRLow = UINTPTR_MAX;
static uintptr_t HosRHigh;
static uint32_t HosRReplace;
static bool HosRReporting;

/* ------------------------------------------------------------------ clocks */

static void HosRJoin(HOS_VCLOCK *Into, const HOS_VCLOCK *From)
{
    for (int i = 0; i < HOS_RACE_TASKS; i++) {
        if (From->C[i] > Into->C[i]) {
            Into->C[i] = From->C[i];
        }
    }
}

static size_t HosRHash(const void *Key)
{
    uint64_t z = (uint64_t)(uintptr_t)Key * 0x9e3779b97f4a7c15ull;
    return (size_t)(z ^ (z >> 29));
}

static HOS_RSYNC *HosRSyncFind(const void *Key, bool Create)
{
    if (HosRSyncCapacity == 0 || (Create && (HosRSyncCount + 1) * 4 > HosRSyncCapacity * 3)) {
        if (!Create) {
            return NULL;
        }
        size_t capacity = HosRSyncCapacity == 0 ? 1024 : HosRSyncCapacity * 2;
        HOS_RSYNC *table = calloc(capacity, sizeof(HOS_RSYNC));
        if (table == NULL) {
            fprintf(stderr, "kmdfhost explore: out of memory for the race detector\n");
            abort();
        }
        for (size_t i = 0; i < HosRSyncCapacity; i++) {
            if (HosRSync[i].Key != NULL) {
                size_t at = HosRHash(HosRSync[i].Key) & (capacity - 1);
                while (table[at].Key != NULL) {
                    at = (at + 1) & (capacity - 1);
                }
                table[at] = HosRSync[i];
            }
        }
        free(HosRSync);
        HosRSync = table;
        HosRSyncCapacity = capacity;
    }
    size_t at = HosRHash(Key) & (HosRSyncCapacity - 1);
    while (HosRSync[at].Key != NULL) {
        if (HosRSync[at].Key == Key) {
            return &HosRSync[at];
        }
        at = (at + 1) & (HosRSyncCapacity - 1);
    }
    if (!Create) {
        return NULL;
    }
    HosRSync[at].Key = Key;
    memset(&HosRSync[at].Clock, 0, sizeof(HosRSync[at].Clock));
    HosRSyncCount++;
    return &HosRSync[at];
}

void HosRaceAcquire(const void *Sync)
{
    int self = HosXCurrentTask();
    if (self < 0 || Sync == NULL) {
        return;
    }
    HOS_RSYNC *sync = HosRSyncFind(Sync, false);
    if (sync != NULL) {
        HosRJoin(&HosRTask[self], &sync->Clock);
    }
}

void HosRaceRelease(const void *Sync)
{
    int self = HosXCurrentTask();
    if (self < 0 || Sync == NULL) {
        return;
    }
    HOS_RSYNC *sync = HosRSyncFind(Sync, true);
    HosRJoin(&sync->Clock, &HosRTask[self]);
    HosRTask[self].C[self]++;
}

void HosRaceForget(const void *Sync)
{
    /* Deleting from linear probing: clear the clock instead (a stale key orders nothing). */
    HOS_RSYNC *sync = HosRSyncFind(Sync, false);
    if (sync != NULL) {
        memset(&sync->Clock, 0, sizeof(sync->Clock));
    }
}

void HosRaceTaskStarted(int Creator, int Task)
{
    memset(&HosRTask[Task], 0, sizeof(HosRTask[Task]));
    if (Creator >= 0) {
        HosRTask[Task] = HosRTask[Creator];
        HosRTask[Creator].C[Creator]++;
    }
    HosRTask[Task].C[Task]++;
}

void HosRaceTaskJoined(int Joiner, int Task)
{
    HosRJoin(&HosRTask[Joiner], &HosRTask[Task]);
}

void HosRaceReset(void)
{
    for (int i = 0; i < HOS_RACE_TASKS; i++) {
        memset(&HosRTask[i], 0, sizeof(HosRTask[i]));
        HosRTask[i].C[i] = 1;
    }
    if (HosRSync != NULL) {
        memset(HosRSync, 0, HosRSyncCapacity * sizeof(HOS_RSYNC));
    }
    HosRSyncCount = 0;
    for (size_t i = 0; i < HosRRangeCount; i++) {
        memset(HosRRanges[i].Shadow, 0, HosRRanges[i].Granules * sizeof(HOS_RGRANULE));
    }
    HosRReplace = 0;
}

/* ------------------------------------------------------------------ watched memory */

static void HosRBounds(void)
{
    HosRLow = HosRRangeCount > 0 ? HosRRanges[0].Start : UINTPTR_MAX;
    HosRHigh = HosRRangeCount > 0 ? HosRRanges[HosRRangeCount - 1].End : 0;
}

/* The index of the first range whose End is above Address. */
static size_t HosRLowerBound(uintptr_t Address)
{
    size_t low = 0, high = HosRRangeCount;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (HosRRanges[mid].End <= Address) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

static void HosRRemoveAt(size_t Index)
{
    free(HosRRanges[Index].Shadow);
    memmove(&HosRRanges[Index], &HosRRanges[Index + 1], (HosRRangeCount - Index - 1) * sizeof(HOS_RRANGE));
    HosRRangeCount--;
}

void HosRaceUnwatch(const void *Start, size_t Size)
{
    if (HosRRangeCount == 0) {
        return;
    }
    uintptr_t start = (uintptr_t)Start;
    uintptr_t end = start + (Size != 0 ? Size : 1);
    size_t i = HosRLowerBound(start);
    while (i < HosRRangeCount && HosRRanges[i].Start < end) {
        HosRRemoveAt(i);
    }
    HosRBounds();
}

void HosRaceWatch(const void *Start, size_t Size, const char *Format, ...)
{
    if (!HosRaceOn || Size == 0 || Start == NULL) {
        return;
    }
    HosRaceUnwatch(Start, Size);
    if (HosRRangeCount == HosRRangeCapacity) {
        size_t capacity = HosRRangeCapacity == 0 ? 64 : HosRRangeCapacity * 2;
        HOS_RRANGE *ranges = realloc(HosRRanges, capacity * sizeof(HOS_RRANGE));
        if (ranges == NULL) {
            return;
        }
        HosRRanges = ranges;
        HosRRangeCapacity = capacity;
    }
    uintptr_t start = (uintptr_t)Start;
    HOS_RRANGE range;
    memset(&range, 0, sizeof(range));
    range.Start = start;
    range.End = start + Size;
    range.Granules = ((range.End - 1) >> 3) - (start >> 3) + 1;
    range.Shadow = calloc(range.Granules, sizeof(HOS_RGRANULE));
    if (range.Shadow == NULL) {
        return;
    }
    va_list args;
    va_start(args, Format);
    vsnprintf(range.What, sizeof(range.What), Format, args);
    va_end(args);
    size_t at = HosRLowerBound(start);
    memmove(&HosRRanges[at + 1], &HosRRanges[at], (HosRRangeCount - at) * sizeof(HOS_RRANGE));
    HosRRanges[at] = range;
    HosRRangeCount++;
    HosRBounds();
}

/* ------------------------------------------------------------------ reports */

/* "queue.c:266 (EchoEvtTimerFunc)", or "module.so+0x1234" when not symbolized. */
static void HosRDescribePc(const void *Pc, char *Out, size_t Size)
{
    Dl_info info;
    if (Pc == NULL || dladdr(Pc, &info) == 0 || info.dli_fname == NULL) {
        snprintf(Out, Size, "%p", Pc);
        return;
    }
    const char *base = strrchr(info.dli_fname, '/');
    base = base != NULL ? base + 1 : info.dli_fname;
    /* The instrumentation call's return address: step back into the call itself. */
    uintptr_t offset = (uintptr_t)Pc - (uintptr_t)info.dli_fbase - 1;
    snprintf(Out, Size, "%s+0x%" PRIxPTR, base, offset);
    if (!HosXSymbolizing()) {
        return;
    }
    char command[1024];
    snprintf(command, sizeof(command), "addr2line -f -e '%s' 0x%" PRIxPTR " 2>/dev/null", info.dli_fname, offset);
    FILE *pipe = popen(command, "r");
    if (pipe == NULL) {
        return;
    }
    char function[256], location[512];
    if (fgets(function, sizeof(function), pipe) != NULL && fgets(location, sizeof(location), pipe) != NULL) {
        function[strcspn(function, "\n")] = '\0';
        location[strcspn(location, "\n ")] = '\0';
        const char *file = strrchr(location, '/');
        file = file != NULL ? file + 1 : location;
        if (file[0] != '?') {
            snprintf(Out, Size, "%.300s (%.200s)", file, function);
        }
    }
    pclose(pipe);
}

static void HosRReport(const HOS_RRANGE *Range, uintptr_t Address, size_t Size, bool Write, const void *Pc,
                       const HOS_RCELL *Earlier, uintptr_t Granule)
{
    if (HosRReporting) {
        return;
    }
    HosRReporting = true;
    int self = HosXCurrentTask();
    char now[640], before[640];
    HosRDescribePc(Pc, now, sizeof(now));
    HosRDescribePc(Earlier->Pc, before, sizeof(before));
    /* The first byte both accesses touched. */
    uintptr_t both = Granule;
    for (int b = 0; b < 8; b++) {
        uintptr_t at = Granule + (uintptr_t)b;
        if ((Earlier->Mask & (1u << b)) && at >= Address && at < Address + Size) {
            both = at;
            break;
        }
    }
    KmdfHostExploreFinding("DATA_RACE",
                           "%s of %zu byte(s) at %p (%s + 0x%" PRIxPTR ") by task %s at %s, and an earlier %s of "
                           "the same memory by task %s at %s, with no lock or ordering between them",
                           Write ? "write" : "read", Size, (void *)both, Range->What, both - Range->Start,
                           HosXTaskNameOf(self), now, Earlier->Write ? "write" : "read",
                           HosXTaskNameOf(Earlier->Task), before);
}

/* ------------------------------------------------------------------ accesses */

static void HosRGranule(const HOS_RRANGE *Range, HOS_RGRANULE *Granule, uintptr_t Base, uint8_t Mask,
                        uintptr_t Address, size_t Size, bool Write, const void *Pc, int Self)
{
    const HOS_VCLOCK *now = &HosRTask[Self];
    uint32_t clock = now->C[Self];
    HOS_RCELL *slot = NULL;
    for (int i = 0; i < HOS_RACE_CELLS; i++) {
        HOS_RCELL *cell = &Granule->Cell[i];
        if (!cell->Used) {
            continue;
        }
        if (cell->Task == Self) {
            /* The same bytes again by the same task: keep one cell (a write covers a read). */
            if (cell->Mask == Mask && (Write || !cell->Write)) {
                slot = cell;
            }
            continue;
        }
        if ((cell->Mask & Mask) == 0 || (!Write && !cell->Write)) {
            continue;
        }
        if (cell->Clock > now->C[cell->Task]) {
            HosRReport(Range, Address, Size, Write, Pc, cell, Base);
            return;
        }
    }
    if (slot == NULL) {
        for (int i = 0; i < HOS_RACE_CELLS && slot == NULL; i++) {
            if (!Granule->Cell[i].Used) {
                slot = &Granule->Cell[i];
            }
        }
    }
    if (slot == NULL) {
        /* An access ordered before this one is the one to forget. */
        for (int i = 0; i < HOS_RACE_CELLS && slot == NULL; i++) {
            HOS_RCELL *cell = &Granule->Cell[i];
            if (cell->Clock <= now->C[cell->Task]) {
                slot = cell;
            }
        }
    }
    if (slot == NULL) {
        slot = &Granule->Cell[HosRReplace++ % HOS_RACE_CELLS];
    }
    slot->Pc = Pc;
    slot->Clock = clock;
    slot->Task = (uint8_t)Self;
    slot->Mask = Mask;
    slot->Write = Write;
    slot->Used = 1;
}

KMDFHOST_API void KmdfHostExploreRaceEnable(void)
{
    /* Task clocks are kept from the first run on; objects' clocks count from here. */
    if (HosExploring) {
        HosRaceOn = true;
    }
}

KMDFHOST_API void KmdfHostExploreRaceAccess(const void *Address, size_t Size, int Write, const void *Pc)
{
    uintptr_t start = (uintptr_t)Address;
    uintptr_t end = start + Size;
    if (!HosRaceOn || Size == 0 || start >= HosRHigh || end <= HosRLow) {
        return;
    }
    int self = HosXCurrentTask();
    if (self < 0) {
        return;
    }
    for (size_t i = HosRLowerBound(start); i < HosRRangeCount && HosRRanges[i].Start < end; i++) {
        HOS_RRANGE *range = &HosRRanges[i];
        uintptr_t from = start > range->Start ? start : range->Start;
        uintptr_t to = end < range->End ? end : range->End;
        for (uintptr_t g = from & ~(uintptr_t)7; g < to; g += 8) {
            uint8_t mask = 0;
            for (int b = 0; b < 8; b++) {
                if (g + (uintptr_t)b >= from && g + (uintptr_t)b < to) {
                    mask |= (uint8_t)(1u << b);
                }
            }
            HOS_RGRANULE *granule = &range->Shadow[(g >> 3) - (range->Start >> 3)];
            HosRGranule(range, granule, g, mask, start, Size, Write != 0, Pc, self);
        }
    }
}

KMDFHOST_API void KmdfHostExploreRaceAtomic(const void *Address, int Acquire, int Release)
{
    if (!HosRaceOn) {
        return;
    }
    if (Acquire) {
        HosRaceAcquire(Address);
    }
    if (Release) {
        HosRaceRelease(Address);
    }
}
