/*
 * kmdfhost_explore.h - the host's explore mode: a deterministic scheduler for every
 * host thread, driven by a strategy and a seed, with virtual time.
 *
 * A process calls KmdfHostExploreBegin once, before any other host call; from then on
 * the calling thread is the task "main", every thread the host starts (the DPC thread,
 * the worker thread) and every thread started with KmdfHostExploreThreadStart is a task,
 * and only one task runs at a time. At each scheduling point (lock acquire and release,
 * driver callback entry and exit, the DDIs that change a request's state, IRP
 * cancellation, waits, signals, timer expiry) the strategy chooses which task runs
 * next, or lets virtual time advance to the next due timer or time-out. A run is a
 * pure function of the driver, the program's own actions, the strategy and the seed.
 *
 * The run writes its steps and its finding, if any, to a KH_EXPLORE_SHARED block that
 * the caller provides (typically shared memory, so that a parent process reads it after
 * the run's process ends). scripts/explore is built on this.
 */
#ifndef KMDFHOST_EXPLORE_H
#define KMDFHOST_EXPLORE_H

#include <stddef.h>
#include <stdint.h>

#include "kmdfhost.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    KH_EXPLORE_STRATEGY_DEFAULT = 0, /* the current task runs on while it can; then the lowest id */
    KH_EXPLORE_STRATEGY_RANDOM = 1,  /* seeded random walk over the enabled choices */
    KH_EXPLORE_STRATEGY_PCT = 2,     /* probabilistic concurrency testing, bug depth PctDepth */
};

/* The choice that lets virtual time advance (any other choice is a task id). */
#define KH_EXPLORE_CLOCK 63
#define KH_EXPLORE_MAX_TASKS 62
#define KH_EXPLORE_MAX_MODULES 8

/*
 * A forced choice: run Option (a task id or KH_EXPLORE_CLOCK), if it can run, at a
 * scheduling point: with Task == KH_EXPLORE_ANY_TASK, point number Step of the run;
 * otherwise point number Step of those that task Task reaches (which shifts less when
 * other choices change: what delta debugging needs). Every point counts, whether it is
 * a decision or has a single choice (where a forced choice changes nothing).
 */
#define KH_EXPLORE_ANY_TASK 0xFFFFFFFFu
typedef struct KH_EXPLORE_CHOICE {
    uint64_t Step;
    uint32_t Option;
    uint32_t Task;
} KH_EXPLORE_CHOICE;

/*
 * One step: task Task reached a scheduling point (Verb Name at Caller); Chosen runs next.
 * A step is a decision (a point with more than one choice); with Symbolize, the points
 * with a single choice are recorded as well, marked NoChoice.
 */
typedef struct KH_EXPLORE_STEP {
    uint64_t EnabledMask; /* bit i: task i could run; bit KH_EXPLORE_CLOCK: time could advance */
    uint64_t ClockNs;     /* virtual time at the decision */
    const char *Verb;     /* string constants of the host: valid in a forked parent too */
    const char *Name;
    uintptr_t Caller;     /* with Symbolize: offset in Modules[Module]; else an address */
    int8_t Module;        /* -1: not symbolized */
    uint8_t Task;
    uint8_t Chosen;
    uint8_t Default;      /* Chosen is what the default strategy would have chosen */
    uint8_t NoChoice;     /* a point with a single choice: no decision */
    uint32_t TaskStep;    /* the number of this point among those Task reached */
    uint64_t Point;       /* the number of this point in the run */
} KH_EXPLORE_STEP;

typedef struct KH_EXPLORE_SHARED {
    uint64_t StepCount;   /* steps recorded (only the first Capacity are kept) */
    uint64_t Capacity;
    uint64_t FindingStep; /* the step at which the finding was made */
    uint64_t ClockNs;     /* virtual time at the end */
    int32_t Finished;     /* the program reached KmdfHostExploreEnd */
    int32_t TaskCount;
    char Rule[64];        /* empty: no finding */
    char Line[4096];
    char TaskNames[KH_EXPLORE_MAX_TASKS + 2][24];
    char Modules[KH_EXPLORE_MAX_MODULES][256];
    KH_EXPLORE_STEP Steps[]; /* Capacity entries */
} KH_EXPLORE_SHARED;

typedef struct KH_EXPLORE_CONFIG {
    int Strategy;
    uint64_t Seed;
    uint32_t PctDepth;       /* PCT: bug depth d (d - 1 priority change points) */
    uint64_t PctSteps;       /* PCT: change points are drawn from the first PctSteps decisions */
    uint64_t MaxSteps;       /* livelock bound: a run with more scheduling points is a finding */
    uint64_t MaxVirtualNs;   /* hang bound: virtual time past this is a finding */
    const KH_EXPLORE_CHOICE *Script; /* forced choices; the rest by Strategy. Entries for any
                                        task come by increasing Step */
    size_t ScriptCount;
    int Symbolize;           /* record Caller as module and offset (slower) */
    int AbortOnFinding;      /* a finding prints its line to stderr and aborts (for fuzzers) */
    KH_EXPLORE_SHARED *Shared;
} KH_EXPLORE_CONFIG;

/*
 * Starts a run in explore mode; the calling thread becomes task 0, "main", and the host's
 * DPC and worker threads are tasks 1 and 2. A process may make several runs, one after
 * the other, from the same thread: each starts from where the last left the host (a run
 * that unloaded its driver leaves it as it found it), with virtual time, the step count
 * and the strategy reset, so that a run is the same whether it is the process's first or
 * not. Every thread a run started must have been joined before the next run begins.
 */
KMDFHOST_API void KmdfHostExploreBegin(const KH_EXPLORE_CONFIG *Config);

/* The program's work is done: records the end of the run. Other tasks are abandoned. */
KMDFHOST_API void KmdfHostExploreEnd(void);

/* Records a finding (RuleId and the formatted line) and ends the process with status 1
   (with AbortOnFinding: prints the line to stderr and aborts). */
KMDFHOST_API void KmdfHostExploreFinding(const char *RuleId, const char *Format, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* Starts a task (an application thread). 0 on success. */
typedef void KH_EXPLORE_ROUTINE(void *Context);
KMDFHOST_API int KmdfHostExploreThreadStart(const char *Name, KH_EXPLORE_ROUTINE *Routine, void *Context,
                                            void **Thread);
/* Waits for the task to end (a scheduling point) and frees it. */
KMDFHOST_API void KmdfHostExploreThreadJoin(void *Thread);

/* Virtual time, in nanoseconds. */
KMDFHOST_API uint64_t KmdfHostExploreNowNs(void);

/*
 * The data race detector's entry points, for the instrumentation calls of a driver built
 * with scripts/build-host-driver --race (the explorer forwards __tsan_read4 and the like
 * here): an access of Size bytes at Address made by the code at Pc (Write: a store); an
 * atomic operation on Address (Acquire: it reads, Release: it writes; a read-modify-write
 * does both). Outside explore mode they do nothing.
 */
/* Turns the detector on (explore mode only): an instrumented module's constructor calls
   __tsan_init when it is loaded. Until then nothing is watched. */
KMDFHOST_API void KmdfHostExploreRaceEnable(void);
KMDFHOST_API void KmdfHostExploreRaceAccess(const void *Address, size_t Size, int Write, const void *Pc);
KMDFHOST_API void KmdfHostExploreRaceAtomic(const void *Address, int Acquire, int Release);

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_EXPLORE_H */
