/*
 * test_hostos.c - the host's one door: timers and DPCs on the DPC thread, work items on
 * the worker thread, timed waits.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "hostos.h"
#include "khtest.h"

#define MS 1000000ull

typedef struct TICKS {
    atomic_int Count;
    int Target;
    uint64_t FirstNs;
    uint64_t TargetNs;
    bool AlwaysOnDpcThread;
    KT_EVENT Reached;
} TICKS;

static void TickRoutine(void *Context)
{
    TICKS *ticks = Context;
    if (!HosInDpc()) {
        ticks->AlwaysOnDpcThread = false;
    }
    int count = atomic_fetch_add(&ticks->Count, 1) + 1;
    if (count == 1) {
        ticks->FirstNs = HosNowNs();
    }
    if (count == ticks->Target) {
        ticks->TargetNs = HosNowNs();
        KtEventSet(&ticks->Reached);
    }
}

/* A periodic timer fires again and again, on the DPC thread, a period apart at least. */
static void TestPeriodicTimer(void)
{
    KtSection("periodic timer");
    TICKS ticks = {.Target = 5, .AlwaysOnDpcThread = true};
    KtEventInit(&ticks.Reached);
    HOS_TIMER *timer = HosTimerCreate(TickRoutine, &ticks);
    KT_CHECK(timer != NULL);
    uint64_t start = HosNowNs();
    KT_CHECK(!HosTimerSet(timer, 3 * MS, 2 * MS));
    KT_CHECK(KtEventWait(&ticks.Reached, KT_WAIT_MS));
    KT_CHECK(HosTimerCancel(timer, true));
    KT_CHECK(!HosTimerCancel(timer, true));
    KT_CHECK(ticks.FirstNs - start >= 3 * MS);
    /* Due times do not drift: the fifth tick is due at 3 + 4 * 2 ms after the start. */
    KT_CHECKF(ticks.TargetNs - start >= 11 * MS, "5th tick after %llu ns",
              (unsigned long long)(ticks.TargetNs - start));
    KT_CHECK(ticks.AlwaysOnDpcThread);
    int after = atomic_load(&ticks.Count);
    HosFlushQueues();
    KT_CHECK(atomic_load(&ticks.Count) == after);
    HosTimerDelete(timer);
    KtEventDestroy(&ticks.Reached);
}

/* Setting a timer that is already set replaces the setting and says so (KeSetTimerEx). */
static void TestTimerResetReportsQueued(void)
{
    KtSection("timer set twice");
    TICKS ticks = {.Target = 1, .AlwaysOnDpcThread = true};
    KtEventInit(&ticks.Reached);
    HOS_TIMER *timer = HosTimerCreate(TickRoutine, &ticks);
    KT_CHECK(!HosTimerSet(timer, 60000 * MS, 0));
    KT_CHECK(HosTimerSet(timer, 1 * MS, 0));
    KT_CHECK(KtEventWait(&ticks.Reached, KT_WAIT_MS));
    /* A one-shot timer that has fired is no longer set. */
    KT_CHECK(!HosTimerCancel(timer, true));
    KT_CHECK(atomic_load(&ticks.Count) == 1);
    HosTimerDelete(timer);
    KtEventDestroy(&ticks.Reached);
}

typedef struct BLOCKING {
    KT_EVENT Entered;
    KT_EVENT Release;
    atomic_bool Done;
    HOS_TIMER *Timer;
    atomic_bool CancelSawDone;
} BLOCKING;

static void BlockingRoutine(void *Context)
{
    BLOCKING *blocking = Context;
    KtEventSet(&blocking->Entered);
    KtEventWait(&blocking->Release, KT_WAIT_MS);
    atomic_store(&blocking->Done, true);
}

static void *CancelWaiting(void *Context)
{
    BLOCKING *blocking = Context;
    HosTimerCancel(blocking->Timer, true);
    atomic_store(&blocking->CancelSawDone, atomic_load(&blocking->Done));
    return NULL;
}

/* HosTimerCancel with Wait returns only after a running routine has returned. */
static void TestCancelWaitsForRunningRoutine(void)
{
    KtSection("cancel waits for a running routine");
    BLOCKING blocking = {0};
    KtEventInit(&blocking.Entered);
    KtEventInit(&blocking.Release);
    blocking.Timer = HosTimerCreate(BlockingRoutine, &blocking);
    HosTimerSet(blocking.Timer, 1 * MS, 0);
    KT_CHECK(KtEventWait(&blocking.Entered, KT_WAIT_MS));
    pthread_t canceller;
    KT_CHECK(pthread_create(&canceller, NULL, CancelWaiting, &blocking) == 0);
    KtEventSet(&blocking.Release);
    pthread_join(canceller, NULL);
    KT_CHECK(atomic_load(&blocking.CancelSawDone));
    HosTimerDelete(blocking.Timer);
    KtEventDestroy(&blocking.Entered);
    KtEventDestroy(&blocking.Release);
}

typedef struct ORDER {
    int Seen[8];
    atomic_int Next;
    bool OnDpcThread;
    bool OnWorkerThread;
} ORDER;

typedef struct ORDER_ITEM {
    ORDER *Order;
    int Index;
} ORDER_ITEM;

static void RecordDpc(void *Context)
{
    ORDER_ITEM *item = Context;
    item->Order->OnDpcThread &= HosInDpc();
    item->Order->Seen[atomic_fetch_add(&item->Order->Next, 1)] = item->Index;
}

static void RecordWork(void *Context)
{
    ORDER_ITEM *item = Context;
    item->Order->OnWorkerThread &= !HosInDpc();
    item->Order->Seen[atomic_fetch_add(&item->Order->Next, 1)] = item->Index;
}

/* DPCs run in the order queued, on the DPC thread; HosFlushQueues waits for them. */
static void TestDpcOrderAndFlush(void)
{
    KtSection("DPC order and flush");
    ORDER order = {.OnDpcThread = true};
    ORDER_ITEM items[8];
    for (int i = 0; i < 8; i++) {
        items[i] = (ORDER_ITEM){&order, i};
        KT_CHECK(HosQueueDpc(RecordDpc, &items[i]));
    }
    HosFlushQueues();
    KT_CHECK(atomic_load(&order.Next) == 8);
    for (int i = 0; i < 8; i++) {
        KT_CHECKF(order.Seen[i] == i, "position %d ran DPC %d", i, order.Seen[i]);
    }
    KT_CHECK(order.OnDpcThread);
}

/* Work items run in FIFO order off the DPC thread; HosFlushQueues waits for them. */
static void TestWorkOrderAndFlush(void)
{
    KtSection("work item order and flush");
    ORDER order = {.OnWorkerThread = true};
    ORDER_ITEM items[8];
    for (int i = 0; i < 8; i++) {
        items[i] = (ORDER_ITEM){&order, i};
        KT_CHECK(HosQueueWork(RecordWork, &items[i]));
    }
    HosFlushQueues();
    KT_CHECK(atomic_load(&order.Next) == 8);
    for (int i = 0; i < 8; i++) {
        KT_CHECKF(order.Seen[i] == i, "position %d ran item %d", i, order.Seen[i]);
    }
    KT_CHECK(order.OnWorkerThread);
}

/* A timed wait that nobody signals ends at its deadline and says so. */
static void TestTimedWait(void)
{
    KtSection("timed wait");
    HOS_MUTEX mutex;
    HOS_COND cond;
    HosMutexInit(&mutex);
    HosCondInit(&cond);
    HosMutexLock(&mutex);
    uint64_t deadline = HosDeadlineAfter(2 * MS);
    bool signalled = true;
    while (signalled && HosNowNs() < deadline) {
        signalled = HosCondWaitUntil(&cond, &mutex, deadline);
    }
    HosMutexUnlock(&mutex);
    KT_CHECK(!signalled);
    KT_CHECK(HosNowNs() >= deadline);
    KT_CHECK(HosDeadlineAfter(UINT64_MAX) == UINT64_MAX);
    HosCondDestroy(&cond);
    HosMutexDestroy(&mutex);
}

int main(void)
{
    KT_CHECK(HosStart());
    KT_CHECK(HosCurrentThreadId() != 0);
    TestPeriodicTimer();
    TestTimerResetReportsQueued();
    TestCancelWaitsForRunningRoutine();
    TestDpcOrderAndFlush();
    TestWorkOrderAndFlush();
    TestTimedWait();
    return KtFinish();
}
