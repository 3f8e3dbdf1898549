/*
 * hostos.c - threads, locks, waits, time, timers and deferred calls for the host.
 *
 * See hostos.h for the model. Timers and DPCs share one DPC thread that runs one
 * routine at a time, earliest due first; work items run on one worker thread in FIFO
 * order. Both threads start on first use and live for the rest of the process, as a
 * kernel's DPC queue and system worker threads do.
 */
#define _GNU_SOURCE
#include "hostos.h"
#include "explore.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ locks and waits */

static void HosCheck(int Error, const char *What)
{
    if (Error != 0) {
        fprintf(stderr, "kmdfhost: %s failed: %s\n", What, strerror(Error));
        abort();
    }
}

void HosMutexInit(HOS_MUTEX *Mutex)
{
    pthread_mutexattr_t attr;
    HosCheck(pthread_mutexattr_init(&attr), "pthread_mutexattr_init");
    /* Error checking makes a host locking bug fail loudly instead of deadlocking. */
    HosCheck(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK), "pthread_mutexattr_settype");
    HosCheck(pthread_mutex_init(&Mutex->Mutex, &attr), "pthread_mutex_init");
    Mutex->XOwner = NULL;
    Mutex->Ordering = false;
    pthread_mutexattr_destroy(&attr);
}

void HosMutexInitOrdering(HOS_MUTEX *Mutex)
{
    HosMutexInit(Mutex);
    Mutex->Ordering = true;
}

void HosMutexDestroy(HOS_MUTEX *Mutex) { HosCheck(pthread_mutex_destroy(&Mutex->Mutex), "pthread_mutex_destroy"); }
void HosMutexLock(HOS_MUTEX *Mutex)
{
    if (HosExploring) {
        HosXMutexLock(Mutex);
        return;
    }
    HosCheck(pthread_mutex_lock(&Mutex->Mutex), "pthread_mutex_lock");
}
void HosMutexUnlock(HOS_MUTEX *Mutex)
{
    if (HosExploring) {
        HosXMutexUnlock(Mutex);
        return;
    }
    HosCheck(pthread_mutex_unlock(&Mutex->Mutex), "pthread_mutex_unlock");
}

bool HosMutexTryLock(HOS_MUTEX *Mutex)
{
    if (HosExploring) {
        return HosXMutexTryLock(Mutex);
    }
    int error = pthread_mutex_trylock(&Mutex->Mutex);
    if (error == EBUSY) {
        return false;
    }
    HosCheck(error, "pthread_mutex_trylock");
    return true;
}

void HosCondInit(HOS_COND *Cond)
{
    pthread_condattr_t attr;
    HosCheck(pthread_condattr_init(&attr), "pthread_condattr_init");
    /* Deadlines are read from CLOCK_MONOTONIC (HosNowNs); wait on the same clock. */
    HosCheck(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), "pthread_condattr_setclock");
    HosCheck(pthread_cond_init(&Cond->Cond, &attr), "pthread_cond_init");
    pthread_condattr_destroy(&attr);
}

void HosCondDestroy(HOS_COND *Cond) { HosCheck(pthread_cond_destroy(&Cond->Cond), "pthread_cond_destroy"); }
void HosCondSignal(HOS_COND *Cond)
{
    if (HosExploring) {
        HosXCondSignal(Cond, false);
        return;
    }
    HosCheck(pthread_cond_signal(&Cond->Cond), "pthread_cond_signal");
}
void HosCondBroadcast(HOS_COND *Cond)
{
    if (HosExploring) {
        HosXCondSignal(Cond, true);
        return;
    }
    HosCheck(pthread_cond_broadcast(&Cond->Cond), "pthread_cond_broadcast");
}
void HosCondWait(HOS_COND *Cond, HOS_MUTEX *Mutex)
{
    if (HosExploring) {
        (void)HosXCondWait(Cond, Mutex, UINT64_MAX);
        return;
    }
    HosCheck(pthread_cond_wait(&Cond->Cond, &Mutex->Mutex), "pthread_cond_wait");
}

bool HosCondWaitUntil(HOS_COND *Cond, HOS_MUTEX *Mutex, uint64_t DeadlineNs)
{
    if (HosExploring) {
        return HosXCondWait(Cond, Mutex, DeadlineNs);
    }
    if (DeadlineNs == UINT64_MAX) {
        HosCondWait(Cond, Mutex);
        return true;
    }
    struct timespec ts = {.tv_sec = (time_t)(DeadlineNs / 1000000000u),
                          .tv_nsec = (long)(DeadlineNs % 1000000000u)};
    int error = pthread_cond_timedwait(&Cond->Cond, &Mutex->Mutex, &ts);
    if (error == ETIMEDOUT) {
        return false;
    }
    HosCheck(error, "pthread_cond_timedwait");
    return true;
}

uint64_t HosNowNs(void)
{
    if (HosExploring) {
        return HosXNow();
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t HosDeadlineAfter(uint64_t TimeoutNs)
{
    if (TimeoutNs == UINT64_MAX) {
        return UINT64_MAX;
    }
    uint64_t now = HosNowNs();
    return (UINT64_MAX - now < TimeoutNs) ? UINT64_MAX : now + TimeoutNs;
}

/* --------------------------------------------------------------------------- threads */

struct HOS_THREAD {
    pthread_t Thread;
    HOS_XTASK *Task; /* explore mode: the task that runs Routine */
    HOS_THREAD_ROUTINE *Routine;
    void *Context;
    char Name[16];
};

static _Thread_local uint64_t HosThreadNumber;
static atomic_uint_fast64_t HosNextThreadNumber = 1;

uint64_t HosCurrentThreadId(void)
{
    if (HosThreadNumber == 0) {
        HosThreadNumber = atomic_fetch_add(&HosNextThreadNumber, 1);
    }
    return HosThreadNumber;
}

/* Thread-exit routines: one pthread key whose destructor runs the thread's registration. */
typedef struct HOS_EXIT_REGISTRATION {
    HOS_THREAD_ROUTINE *Routine;
    void *Context;
} HOS_EXIT_REGISTRATION;

static pthread_key_t HosExitKey;
static pthread_once_t HosExitKeyOnce = PTHREAD_ONCE_INIT;

static void HosRunExitRoutine(void *Value)
{
    HOS_EXIT_REGISTRATION *registration = Value;
    registration->Routine(registration->Context);
    free(registration);
}

static void HosCreateExitKey(void)
{
    if (pthread_key_create(&HosExitKey, HosRunExitRoutine) != 0) {
        abort();
    }
}

bool HosAtThreadExit(HOS_THREAD_ROUTINE *Routine, void *Context)
{
    pthread_once(&HosExitKeyOnce, HosCreateExitKey);
    if (pthread_getspecific(HosExitKey) != NULL) {
        return false;
    }
    HOS_EXIT_REGISTRATION *registration = malloc(sizeof(*registration));
    if (registration == NULL) {
        return false;
    }
    registration->Routine = Routine;
    registration->Context = Context;
    if (pthread_setspecific(HosExitKey, registration) != 0) {
        free(registration);
        return false;
    }
    return true;
}

static void *HosThreadMain(void *Argument)
{
    HOS_THREAD *thread = Argument;
    pthread_setname_np(pthread_self(), thread->Name);
    thread->Routine(thread->Context);
    return NULL;
}

bool HosThreadStart(HOS_THREAD **Thread, const char *Name, HOS_THREAD_ROUTINE *Routine, void *Context)
{
    HOS_THREAD *thread = calloc(1, sizeof(*thread));
    if (thread == NULL) {
        return false;
    }
    thread->Routine = Routine;
    thread->Context = Context;
    snprintf(thread->Name, sizeof(thread->Name), "%s", Name != NULL ? Name : "kmdfhost");
    if (HosExploring) {
        thread->Task = HosXTaskCreate(thread->Name, Routine, Context);
        if (thread->Task == NULL) {
            free(thread);
            return false;
        }
        *Thread = thread;
        return true;
    }
    if (pthread_create(&thread->Thread, NULL, HosThreadMain, thread) != 0) {
        free(thread);
        return false;
    }
    *Thread = thread;
    return true;
}

void HosThreadJoin(HOS_THREAD *Thread)
{
    if (HosExploring) {
        HosXTaskJoin(Thread->Task);
        free(Thread);
        return;
    }
    HosCheck(pthread_join(Thread->Thread, NULL), "pthread_join");
    free(Thread);
}

void HosYield(void)
{
    if (HosExploring) {
        HosXYield();
        return;
    }
    sched_yield();
}

/* ------------------------------------------------------------------ DPC thread */

/*
 * One entry of the DPC thread's queue: a timer (Routine run at DueNs, then every
 * PeriodNs) or a one-shot DPC (DueNs = 0, freed after it runs). Entries are kept in a
 * list sorted by due time; the list and every timer's state are guarded by HosDpcLock.
 */
struct HOS_TIMER {
    struct HOS_TIMER *Next;
    HOS_TIMER_ROUTINE *Routine;
    void *Context;
    uint64_t DueNs;
    uint64_t PeriodNs;
    bool Queued;    /* in HosDpcList */
    bool Running;   /* its routine runs now on the DPC thread */
    bool OneShot;   /* a HosQueueDpc entry, freed after it runs */
};

typedef struct HOS_WORK {
    struct HOS_WORK *Next;
    HOS_THREAD_ROUTINE *Routine;
    void *Context;
} HOS_WORK;

static pthread_once_t HosStartOnce = PTHREAD_ONCE_INIT;
static bool HosStarted;
static HOS_MUTEX HosDpcLock;
static HOS_COND HosDpcWake;  /* the DPC thread waits here for the next due entry */
static HOS_COND HosDpcIdle;  /* signalled when a routine returns */
static HOS_TIMER *HosDpcList;
static uint64_t HosDpcOneShotPending; /* one-shot DPCs queued and not yet returned */
static HOS_THREAD *HosDpcThread;
static _Thread_local bool HosOnDpcThread;

static HOS_MUTEX HosWorkLock;
static HOS_COND HosWorkWake;
static HOS_COND HosWorkDone;
static HOS_WORK *HosWorkHead;
static HOS_WORK **HosWorkTail = &HosWorkHead;
static uint64_t HosWorkQueued;
static uint64_t HosWorkRun;
static HOS_THREAD *HosWorkThread;

static void HosDpcInsert(HOS_TIMER *Timer)
{
    HOS_TIMER **link = &HosDpcList;
    while (*link != NULL && (*link)->DueNs <= Timer->DueNs) {
        link = &(*link)->Next;
    }
    Timer->Next = *link;
    *link = Timer;
    Timer->Queued = true;
}

static void HosDpcRemove(HOS_TIMER *Timer)
{
    for (HOS_TIMER **link = &HosDpcList; *link != NULL; link = &(*link)->Next) {
        if (*link == Timer) {
            *link = Timer->Next;
            Timer->Next = NULL;
            Timer->Queued = false;
            return;
        }
    }
}

static void HosDpcThreadMain(void *Context)
{
    (void)Context;
    HosOnDpcThread = true;
    HosMutexLock(&HosDpcLock);
    for (;;) {
        HOS_TIMER *next = HosDpcList;
        if (next == NULL) {
            HosCondWait(&HosDpcWake, &HosDpcLock);
            continue;
        }
        if (next->DueNs > HosNowNs()) {
            HosCondWaitUntil(&HosDpcWake, &HosDpcLock, next->DueNs);
            continue;
        }
        HosDpcRemove(next);
        if (next->PeriodNs != 0) {
            /* Periodic: the next due time counts from this one, so the period does not drift. */
            next->DueNs += next->PeriodNs;
            uint64_t now = HosNowNs();
            if (next->DueNs < now) {
                next->DueNs = now + next->PeriodNs;
            }
            HosDpcInsert(next);
        }
        next->Running = true;
        HOS_TIMER_ROUTINE *routine = next->Routine;
        void *context = next->Context;
        bool oneShot = next->OneShot;
        HosMutexUnlock(&HosDpcLock);
        if (HosExploring) {
            HosExplorePoint(oneShot ? "DPC runs" : "timer fires", NULL, next, NULL);
            /* Setting a timer or queueing a DPC happens before its routine runs. */
            HOS_RACE_ACQUIRE(next);
        }
        routine(context);
        HosMutexLock(&HosDpcLock);
        if (oneShot) {
            if (HosRaceOn) {
                /* The routine's end happens before a flush that waited for it. */
                HosRaceForget(next);
                HosRaceRelease(&HosDpcOneShotPending);
            }
            free(next);
            HosDpcOneShotPending--;
        } else {
            /* ... and before a cancel or delete that waited for it. */
            HOS_RACE_RELEASE(next);
            next->Running = false;
        }
        HosCondBroadcast(&HosDpcIdle);
    }
}

static void HosWorkThreadMain(void *Context)
{
    (void)Context;
    HosMutexLock(&HosWorkLock);
    for (;;) {
        HOS_WORK *work = HosWorkHead;
        if (work == NULL) {
            HosCondWait(&HosWorkWake, &HosWorkLock);
            continue;
        }
        HosWorkHead = work->Next;
        if (HosWorkHead == NULL) {
            HosWorkTail = &HosWorkHead;
        }
        HosMutexUnlock(&HosWorkLock);
        if (HosExploring) {
            HosExplorePoint("work item runs", NULL, work, NULL);
            /* Queueing a work item happens before it runs. */
            HOS_RACE_ACQUIRE(work);
        }
        work->Routine(work->Context);
        if (HosRaceOn) {
            HosRaceForget(work);
        }
        free(work);
        HosMutexLock(&HosWorkLock);
        /* Its end happens before a flush that waited for it. */
        HOS_RACE_RELEASE(&HosWorkRun);
        HosWorkRun++;
        HosCondBroadcast(&HosWorkDone);
    }
}

static void HosStartThreads(void)
{
    HosMutexInit(&HosDpcLock);
    HosCondInit(&HosDpcWake);
    HosCondInit(&HosDpcIdle);
    HosMutexInit(&HosWorkLock);
    HosCondInit(&HosWorkWake);
    HosCondInit(&HosWorkDone);
    HosStarted = HosThreadStart(&HosDpcThread, "kmdfhost-dpc", HosDpcThreadMain, NULL) &&
                 HosThreadStart(&HosWorkThread, "kmdfhost-work", HosWorkThreadMain, NULL);
}

bool HosStart(void)
{
    pthread_once(&HosStartOnce, HosStartThreads);
    return HosStarted;
}

bool HosInDpc(void) { return HosOnDpcThread; }

HOS_TIMER *HosTimerCreate(HOS_TIMER_ROUTINE *Routine, void *Context)
{
    if (!HosStart()) {
        return NULL;
    }
    HOS_TIMER *timer = calloc(1, sizeof(*timer));
    if (timer != NULL) {
        timer->Routine = Routine;
        timer->Context = Context;
    }
    return timer;
}

bool HosTimerSet(HOS_TIMER *Timer, uint64_t DueNs, uint64_t PeriodNs)
{
    HosMutexLock(&HosDpcLock);
    bool wasQueued = Timer->Queued;
    if (wasQueued) {
        HosDpcRemove(Timer);
    }
    Timer->DueNs = HosDeadlineAfter(DueNs);
    Timer->PeriodNs = PeriodNs;
    HOS_RACE_RELEASE(Timer);
    HosDpcInsert(Timer);
    HosCondSignal(&HosDpcWake);
    HosMutexUnlock(&HosDpcLock);
    return wasQueued;
}

bool HosTimerCancel(HOS_TIMER *Timer, bool Wait)
{
    HosMutexLock(&HosDpcLock);
    bool wasQueued = Timer->Queued;
    if (wasQueued) {
        HosDpcRemove(Timer);
    }
    if (Wait && !HosOnDpcThread) {
        while (Timer->Running) {
            HosCondWait(&HosDpcIdle, &HosDpcLock);
        }
        HOS_RACE_ACQUIRE(Timer);
    }
    HosMutexUnlock(&HosDpcLock);
    return wasQueued;
}

void HosTimerDelete(HOS_TIMER *Timer)
{
    if (Timer == NULL) {
        return;
    }
    HosTimerCancel(Timer, true);
    if (HosRaceOn) {
        HosRaceForget(Timer);
    }
    free(Timer);
}

bool HosQueueDpc(HOS_TIMER_ROUTINE *Routine, void *Context)
{
    if (!HosStart()) {
        return false;
    }
    HOS_TIMER *dpc = calloc(1, sizeof(*dpc));
    if (dpc == NULL) {
        return false;
    }
    dpc->Routine = Routine;
    dpc->Context = Context;
    dpc->OneShot = true;
    HosMutexLock(&HosDpcLock);
    dpc->DueNs = 0;
    HOS_RACE_RELEASE(dpc);
    /* Due at 0: ahead of every timer, behind DPCs queued earlier (insertion keeps order). */
    HosDpcInsert(dpc);
    HosDpcOneShotPending++;
    HosCondSignal(&HosDpcWake);
    HosMutexUnlock(&HosDpcLock);
    return true;
}

bool HosQueueWork(HOS_THREAD_ROUTINE *Routine, void *Context)
{
    if (!HosStart()) {
        return false;
    }
    HOS_WORK *work = calloc(1, sizeof(*work));
    if (work == NULL) {
        return false;
    }
    work->Routine = Routine;
    work->Context = Context;
    HosMutexLock(&HosWorkLock);
    HOS_RACE_RELEASE(work);
    *HosWorkTail = work;
    HosWorkTail = &work->Next;
    HosWorkQueued++;
    HosCondSignal(&HosWorkWake);
    HosMutexUnlock(&HosWorkLock);
    return true;
}

void HosFlushQueues(void)
{
    if (!HosStart()) {
        return;
    }
    /* Wait until no one-shot DPC is queued or running (timers are not DPCs: they are
     * cancelled by their owners, with HosTimerCancel). */
    if (!HosOnDpcThread) {
        HosMutexLock(&HosDpcLock);
        while (HosDpcOneShotPending != 0) {
            HosCondWait(&HosDpcIdle, &HosDpcLock);
        }
        HOS_RACE_ACQUIRE(&HosDpcOneShotPending);
        HosMutexUnlock(&HosDpcLock);
    }
    HosMutexLock(&HosWorkLock);
    uint64_t target = HosWorkQueued;
    while (HosWorkRun < target) {
        HosCondWait(&HosWorkDone, &HosWorkLock);
    }
    HOS_RACE_ACQUIRE(&HosWorkRun);
    HosMutexUnlock(&HosWorkLock);
}
