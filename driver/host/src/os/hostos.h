/*
 * hostos.h - the one door through which the host reaches the operating system.
 *
 * Every thread, lock, wait, clock read, timer and deferred call of the host goes
 * through these functions, and nothing else in the host includes <pthread.h> or calls
 * clock_gettime. That keeps the host's concurrency in one place: a deterministic,
 * seed-driven scheduler that explores interleavings of I/O, cancel, DPC and PnP can
 * replace this file without touching the components above it.
 *
 * Model: any number of "application" threads (the callers of the Win32 surface and of
 * the control API), one DPC thread that runs timer and DPC routines one at a time
 * (like one processor's DPC queue), and one worker thread for passive-level work items.
 */
#ifndef HOSTOS_H
#define HOSTOS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ locks and waits */

struct HOS_XTASK;

typedef struct HOS_MUTEX {
    pthread_mutex_t Mutex;
    struct HOS_XTASK *XOwner; /* explore mode: the task that holds it (the pthread mutex is unused) */
    bool Ordering;            /* stands for a Windows or KMDF lock (HosMutexInitOrdering) */
} HOS_MUTEX;

typedef struct HOS_COND {
    pthread_cond_t Cond;
} HOS_COND;

void HosMutexInit(HOS_MUTEX *Mutex);
/*
 * A mutex that stands for a lock of Windows or of KMDF (a WDFSPINLOCK, a queue's or a
 * request's lock): in explore mode its release happens before its next acquire for the
 * race detector (os/race.c). A plain HosMutexInit mutex guards the host's own
 * bookkeeping and orders nothing for the driver.
 */
void HosMutexInitOrdering(HOS_MUTEX *Mutex);
void HosMutexDestroy(HOS_MUTEX *Mutex);
void HosMutexLock(HOS_MUTEX *Mutex);
void HosMutexUnlock(HOS_MUTEX *Mutex);
bool HosMutexTryLock(HOS_MUTEX *Mutex);

void HosCondInit(HOS_COND *Cond);
void HosCondDestroy(HOS_COND *Cond);
void HosCondSignal(HOS_COND *Cond);
void HosCondBroadcast(HOS_COND *Cond);
void HosCondWait(HOS_COND *Cond, HOS_MUTEX *Mutex);
/* Waits until signalled or until HosNowNs() >= DeadlineNs; false on time-out. */
bool HosCondWaitUntil(HOS_COND *Cond, HOS_MUTEX *Mutex, uint64_t DeadlineNs);

/* Deadline for a relative time-out; UINT64_MAX ("never") for TimeoutNs == UINT64_MAX. */
uint64_t HosDeadlineAfter(uint64_t TimeoutNs);

/* ------------------------------------------------------------------------------- time */

/* Monotonic time in nanoseconds. */
uint64_t HosNowNs(void);

/* --------------------------------------------------------------------------- threads */

typedef struct HOS_THREAD HOS_THREAD;
typedef void HOS_THREAD_ROUTINE(void *Context);

/* Starts a thread; false when the system has no thread to give. */
bool HosThreadStart(HOS_THREAD **Thread, const char *Name, HOS_THREAD_ROUTINE *Routine,
                    void *Context);
/* Waits for the thread to end and frees it. */
void HosThreadJoin(HOS_THREAD *Thread);
/* A small number that identifies the calling thread for as long as it lives (never 0). */
uint64_t HosCurrentThreadId(void);
/* Lets other threads run (used in spin waits only). */
void HosYield(void);
/*
 * Registers Routine(Context) to run on the calling thread when it exits (any thread: the
 * host's own and the application's), once per registration, before the thread's
 * thread-local storage goes. At most one registration per thread; false when there is
 * already one or no memory. The I/O manager uses it to cancel a thread's I/O at exit.
 */
bool HosAtThreadExit(HOS_THREAD_ROUTINE *Routine, void *Context);

/* ---------------------------------------------------- DPC thread: timers and DPCs */

/*
 * Starts the DPC and worker threads. Idempotent; the other functions below call it.
 * Returns false when the threads cannot be started.
 */
bool HosStart(void);

/* True when the caller runs on the DPC thread (in a timer routine or a DPC). */
bool HosInDpc(void);

typedef struct HOS_TIMER HOS_TIMER;
typedef void HOS_TIMER_ROUTINE(void *Context);

/* A timer whose routine runs on the DPC thread. NULL when out of memory. */
HOS_TIMER *HosTimerCreate(HOS_TIMER_ROUTINE *Routine, void *Context);

/*
 * Sets the timer to fire DueNs from now, then every PeriodNs (0: once), replacing any
 * earlier setting. Returns true when the timer was already set (KeSetTimerEx).
 */
bool HosTimerSet(HOS_TIMER *Timer, uint64_t DueNs, uint64_t PeriodNs);

/*
 * Cancels the timer. Returns true when it was set (its routine had not run for the
 * last due time). With Wait, also waits until a routine that is running returns; Wait
 * must not be used from the timer's own routine.
 */
bool HosTimerCancel(HOS_TIMER *Timer, bool Wait);

/* Cancels the timer, waits for its routine, and frees it. Not from its own routine. */
void HosTimerDelete(HOS_TIMER *Timer);

/* Queues Routine(Context) to run once on the DPC thread. false when out of memory. */
bool HosQueueDpc(HOS_TIMER_ROUTINE *Routine, void *Context);

/* ---------------------------------------------------- worker thread: work items */

/* Queues Routine(Context) to run once on the worker thread. false when out of memory. */
bool HosQueueWork(HOS_THREAD_ROUTINE *Routine, void *Context);

/* Waits until every DPC and work item queued before this call has run. */
void HosFlushQueues(void);

/* ------------------------------------------------------------- explore mode */

/*
 * Explore mode (os/explore.c): set once, by KmdfHostExploreBegin, before the host does
 * anything else in the process. Every host thread then runs as a task under one
 * scheduler that lets one task run at a time and chooses the next at each scheduling
 * point; time is virtual. Outside explore mode every function above works on real
 * threads and the only cost is the test of this flag.
 */
extern bool HosExploring;

/*
 * A scheduling point: in explore mode the scheduler may let another task run here.
 * Verb says what is about to happen ("WdfRequestComplete", "enter", "IoCancelIrp"),
 * Name what it happens to (a callback's name, or NULL), Caller the code address to
 * blame (the driver's call site for a DDI).
 */
void HosExplorePoint(const char *Verb, const char *Name, const void *Object, const void *Caller);

#define HOS_SCHEDULE_POINT(Verb, Name, Object)                                                  \
    do {                                                                                        \
        if (__builtin_expect(HosExploring, 0)) {                                                \
            HosExplorePoint((Verb), (Name), (Object),                                           \
                            __builtin_extract_return_addr(__builtin_return_address(0)));       \
        }                                                                                       \
    } while (0)

/*
 * Says what the calling thread is about to wait for with HosCondWait(Until), and which
 * thread (HosCurrentThreadId) must act first (0: unknown), so that a deadlock report can
 * name the wait-for cycle. HosExploreNoteWait(NULL, 0) after the wait.
 */
void HosExploreNoteWait(const char *What, const void *Object, uint64_t OwnerThreadId);

/*
 * The race detector (os/race.c; explore mode with a driver built with
 * scripts/build-host-driver --race). Sync is any address that stands for a
 * synchronization object: a release by one task happens before every later acquire of
 * the same address by another. HosRaceForget drops an object that is gone (its address
 * may be reused). Watched memory is memory the driver owns, checked for accesses with no
 * happens-before between them; What (printf format) names it in a report.
 */
extern bool HosRaceOn; /* explore mode, and a driver built with --race was loaded */
void HosRaceAcquire(const void *Sync);
void HosRaceRelease(const void *Sync);
void HosRaceForget(const void *Sync);
void HosRaceWatch(const void *Start, size_t Size, const char *Format, ...) __attribute__((format(printf, 3, 4)));
void HosRaceUnwatch(const void *Start, size_t Size);

#define HOS_RACE_ACQUIRE(Sync)                                                                  \
    do {                                                                                        \
        if (__builtin_expect(HosRaceOn, 0)) {                                                   \
            HosRaceAcquire(Sync);                                                               \
        }                                                                                       \
    } while (0)
#define HOS_RACE_RELEASE(Sync)                                                                  \
    do {                                                                                        \
        if (__builtin_expect(HosRaceOn, 0)) {                                                   \
            HosRaceRelease(Sync);                                                               \
        }                                                                                       \
    } while (0)

#endif /* HOSTOS_H */
