/*
 * explore.c - explore mode: one runner, many tasks, every interleaving chosen.
 *
 * Each host thread is a real thread (so thread-local state, errno and the last error
 * stay per thread), but it runs only while it holds the baton: a futex word per task.
 * The running task gives the baton away only at a scheduling point, so exactly one
 * task runs at a time and the order of everything the tasks do is the order of the
 * scheduler's decisions. A hand-over is one FUTEX_WAKE of the next task and one
 * FUTEX_WAIT of the giver; a decision that lets the running task run on costs no
 * system call at all. A decision is made
 *   - at an explicit point (HOS_SCHEDULE_POINT: spin locks, callback entry and exit,
 *     request state DDIs, IRP cancel, timer and DPC dispatch),
 *   - at every condition signal and broadcast (event and completion port signals end
 *     there), and when a thread starts or ends,
 *   - whenever the running task blocks: on a lock another task holds, on a condition,
 *     on a thread it joins.
 * The choices are the tasks that can run and, when some task waits with a deadline
 * (the DPC thread for the next timer, a wait with a time-out), "the clock": virtual time
 * jumps to the earliest deadline and the tasks waiting for it wake up. A scenario with
 * thousands of timer ticks therefore takes no real time.
 *
 * A point where only one choice exists (the one task that can run, or only the clock)
 * is not a decision: it is taken without asking the strategy, draws nothing from the
 * seed's random stream, is not recorded and does not count for PCT's change points or
 * the exhaustive search's depth. Points keep their numbers, though: a forced choice
 * (a script) names a point by its number in the run or among its task's points, every
 * point counted, so that a shortened schedule's choices stay where they were when other
 * choices change. Every point counts toward the livelock bound, and a run that records
 * source locations (a report's final run) records the single-choice points as well,
 * marked, so that the printed schedule shows what the lone task did.
 *
 * Host mutexes are not decision points (they guard host-internal state for a few
 * instructions); they are still owned, and a task that finds one held blocks.
 *
 * Findings made here: DEADLOCK (no task can run, none waits with a deadline),
 * LIVELOCK (more decisions than the bound) and HANG (virtual time past the bound).
 */
#define _GNU_SOURCE
#include "explore.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmdfhost_explore.h"

bool HosExploring;

enum { XS_RUNNABLE, XS_BLOCKED, XS_DONE };
enum { XW_NONE, XW_MUTEX, XW_COND, XW_JOIN };

struct HOS_XTASK {
    int Id;
    int State;
    int WaitKind;
    const void *WaitObject;
    uint64_t WaitSeq;
    uint64_t Deadline;
    bool TimedOut;
    bool Started;
    const char *WaitWhat;       /* HosExploreNoteWait */
    const void *WaitWhatObject;
    uint64_t WaitOwnerThread;
    uint64_t ThreadId;          /* HosCurrentThreadId of its thread */
    uint64_t Priority;          /* PCT */
    uint32_t Points;            /* scheduling points this task reached in this run */
    uint32_t Baton;             /* 1: the task may run (HosXGiveBaton, HosXWaitBaton) */
    pthread_t Thread;
    HOS_THREAD_ROUTINE *Routine;
    void *Context;
    char Name[24];
};

static HOS_XTASK HosXTasks[KH_EXPLORE_MAX_TASKS];
static int HosXTaskCount;
static _Thread_local HOS_XTASK *HosXSelf;
static uint64_t HosXClock = 1000000000ull; /* virtual time starts at 1 s */
static uint64_t HosXWaitSeq;
static uint64_t HosXStep;      /* steps recorded: the decisions, and with Symbolize the other points */
static uint64_t HosXDecisions; /* decisions made: points with more than one choice */
static uint64_t HosXPoints;    /* every scheduling point (script numbering, the livelock bound) */
static KH_EXPLORE_CONFIG HosXConfig;
static KH_EXPLORE_SHARED *HosXShared;
static size_t HosXScriptNext;
static uint64_t HosXRng;
static uint64_t HosXPctChange[16];
static bool HosXQuiet;
static uint32_t HosXPctChangeCount;

/* ------------------------------------------------------------------ helpers */

static uint64_t HosXRandom(void)
{
    /* splitmix64: small, fast, and the same on every platform. */
    uint64_t z = (HosXRng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void HosXFatal(const char *What)
{
    fprintf(stderr, "kmdfhost explore: %s\n", What);
    abort();
}

/*
 * The baton. The giver sets the word and wakes its task; the task takes it (sets it back
 * to 0) and sleeps on the word while it is 0. A plain futex rather than a semaphore:
 * no waiter count to maintain, and nothing else shares the word.
 */
static void HosXGiveBaton(HOS_XTASK *Task)
{
    __atomic_store_n(&Task->Baton, 1u, __ATOMIC_RELEASE);
    if (syscall(SYS_futex, &Task->Baton, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 0) {
        HosXFatal("FUTEX_WAKE failed");
    }
}

static void HosXWaitBaton(HOS_XTASK *Task)
{
    while (__atomic_exchange_n(&Task->Baton, 0u, __ATOMIC_ACQUIRE) == 0) {
        if (syscall(SYS_futex, &Task->Baton, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) < 0 && errno != EAGAIN &&
            errno != EINTR) {
            HosXFatal("FUTEX_WAIT failed");
        }
    }
}

static HOS_XTASK *HosXMe(void)
{
    HOS_XTASK *self = HosXSelf;
    if (self == NULL) {
        HosXFatal("a thread that is not a task used the host in explore mode");
    }
    return self;
}

static const char *HosXTaskName(int Id)
{
    if (Id == KH_EXPLORE_CLOCK) {
        return "clock";
    }
    return HosXShared != NULL ? HosXShared->TaskNames[Id] : "?";
}

static HOS_XTASK *HosXTaskByThread(uint64_t ThreadId)
{
    for (int i = 0; i < HosXTaskCount; i++) {
        if (HosXTasks[i].ThreadId == ThreadId && HosXTasks[i].State != XS_DONE) {
            return &HosXTasks[i];
        }
    }
    return NULL;
}

static void HosXRecordFindingV(const char *RuleId, const char *Format, va_list Args)
{
    KH_EXPLORE_SHARED *shared = HosXShared;
    if (shared == NULL || shared->Rule[0] != '\0') {
        return;
    }
    char text[sizeof(shared->Line) - 128];
    vsnprintf(text, sizeof(text), Format, Args);
    snprintf(shared->Rule, sizeof(shared->Rule), "%s", RuleId);
    if (strncmp(text, "VERIFIER: ", 10) == 0) {
        snprintf(shared->Line, sizeof(shared->Line), "%s", text);
    } else {
        snprintf(shared->Line, sizeof(shared->Line), "VERIFIER: %s: %s", RuleId, text);
    }
    shared->FindingStep = HosXStep;
    shared->ClockNs = HosXClock;
}

KMDFHOST_API void KmdfHostExploreFinding(const char *RuleId, const char *Format, ...)
{
    va_list args;
    va_start(args, Format);
    HosXRecordFindingV(RuleId, Format, args);
    va_end(args);
    if (HosXConfig.AbortOnFinding) {
        fprintf(stderr, "%s\nseed: %llu\n", HosXShared != NULL ? HosXShared->Line : RuleId,
                (unsigned long long)HosXConfig.Seed);
        fflush(NULL);
        abort();
    }
    fflush(NULL);
    _exit(1);
}

int HosXCurrentTask(void) { return HosXSelf != NULL ? HosXSelf->Id : -1; }

const char *HosXTaskNameOf(int Id) { return Id >= 0 && Id < HosXTaskCount ? HosXTasks[Id].Name : "?"; }

bool HosXSymbolizing(void) { return HosXConfig.Symbolize || HosXConfig.AbortOnFinding; }

/* ------------------------------------------------------------------ decisions */

static uint64_t HosXEarliestDeadline(void)
{
    uint64_t earliest = UINT64_MAX;
    for (int i = 0; i < HosXTaskCount; i++) {
        HOS_XTASK *task = &HosXTasks[i];
        if (task->State == XS_BLOCKED && task->WaitKind == XW_COND && task->Deadline < earliest) {
            earliest = task->Deadline;
        }
    }
    return earliest;
}

static void HosXDescribeWait(HOS_XTASK *Task, char *Out, size_t Size);

static void HosXAdvanceClock(uint64_t To)
{
    if (To > HosXClock) {
        HosXClock = To;
    }
    if (HosXClock > HosXConfig.MaxVirtualNs) {
        /* Say what the application's tasks wait for (the host's own threads idle). */
        char waits[2048] = "";
        size_t used = 0;
        for (int i = 0; i < HosXTaskCount && used < sizeof(waits) - 1; i++) {
            if ((i == 0 || i > 2) && HosXTasks[i].State == XS_BLOCKED) {
                char wait[512];
                HosXDescribeWait(&HosXTasks[i], wait, sizeof(wait));
                used += (size_t)snprintf(waits + used, sizeof(waits) - used, "; %s", wait);
            }
        }
        KmdfHostExploreFinding("HANG", "the scenario did not end within %llu ms of virtual time%s",
                               (unsigned long long)((HosXConfig.MaxVirtualNs - 1000000000ull) / 1000000u), waits);
    }
    for (int i = 0; i < HosXTaskCount; i++) {
        HOS_XTASK *task = &HosXTasks[i];
        if (task->State == XS_BLOCKED && task->WaitKind == XW_COND && task->Deadline <= HosXClock) {
            task->State = XS_RUNNABLE;
            task->WaitKind = XW_NONE;
            task->TimedOut = true;
        }
    }
}

/* What the default strategy does: the current task runs on; else the lowest id; else time. */
static int HosXDefaultChoice(HOS_XTASK *Self, uint64_t Enabled)
{
    if (Self->State == XS_RUNNABLE) {
        return Self->Id;
    }
    for (int i = 0; i < HosXTaskCount; i++) {
        if (Enabled & (1ull << i)) {
            return i;
        }
    }
    return KH_EXPLORE_CLOCK;
}

static int HosXNthOption(uint64_t Options, uint64_t N)
{
    for (int i = 0; i < 64; i++) {
        if (Options & (1ull << i)) {
            if (N == 0) {
                return i;
            }
            N--;
        }
    }
    return KH_EXPLORE_CLOCK;
}

static int HosXStrategyChoice(HOS_XTASK *Self, uint64_t Options, int Default)
{
    switch (HosXConfig.Strategy) {
    case KH_EXPLORE_STRATEGY_RANDOM:
        return HosXNthOption(Options, HosXRandom() % (uint64_t)__builtin_popcountll(Options));
    case KH_EXPLORE_STRATEGY_PCT: {
        for (uint32_t i = 0; i < HosXPctChangeCount; i++) {
            if (HosXPctChange[i] == HosXDecisions && Self->State == XS_RUNNABLE) {
                /* A change point: the running task drops below every other task; half of
                   the change points also let a pending timer fire right here. */
                Self->Priority = i + 1;
                if ((Options & (1ull << KH_EXPLORE_CLOCK)) && (HosXRandom() & 1u)) {
                    return KH_EXPLORE_CLOCK;
                }
            }
        }
        int best = -1;
        for (int i = 0; i < HosXTaskCount; i++) {
            if ((Options & (1ull << i)) && (best < 0 || HosXTasks[i].Priority > HosXTasks[best].Priority)) {
                best = i;
            }
        }
        return best >= 0 ? best : KH_EXPLORE_CLOCK;
    }
    default:
        return Default;
    }
}

/* Records a step: point number Point of the run, TaskPoint of Self's; a decision, or a
   point with a single choice (Decision false). */
static void HosXRecord(HOS_XTASK *Self, uint64_t Options, int Chosen, int Default, const char *Verb,
                       const char *Name, const void *Caller, bool Decision, uint64_t Point, uint32_t TaskPoint)
{
    KH_EXPLORE_SHARED *shared = HosXShared;
    if (Decision) {
        HosXDecisions++;
    }
    if (shared == NULL) {
        HosXStep++;
        return;
    }
    if (HosXStep < shared->Capacity) {
        KH_EXPLORE_STEP *step = &shared->Steps[HosXStep];
        step->EnabledMask = Options;
        step->ClockNs = HosXClock;
        step->Verb = Verb;
        step->Name = Name;
        step->Caller = (uintptr_t)Caller;
        step->Module = -1;
        step->Task = (uint8_t)Self->Id;
        step->Chosen = (uint8_t)Chosen;
        step->Default = (uint8_t)(Chosen == Default);
        step->TaskStep = TaskPoint;
        step->Point = Point;
        step->NoChoice = (uint8_t)!Decision;
        if (HosXConfig.Symbolize && Caller != NULL) {
            Dl_info info;
            if (dladdr(Caller, &info) != 0 && info.dli_fname != NULL) {
                int m = 0;
                while (m < KH_EXPLORE_MAX_MODULES && shared->Modules[m][0] != '\0' &&
                       strcmp(shared->Modules[m], info.dli_fname) != 0) {
                    m++;
                }
                if (m < KH_EXPLORE_MAX_MODULES) {
                    if (shared->Modules[m][0] == '\0') {
                        snprintf(shared->Modules[m], sizeof(shared->Modules[m]), "%s", info.dli_fname);
                    }
                    step->Module = (int8_t)m;
                    /* The call's return address: step back one byte into the call itself. */
                    step->Caller = (uintptr_t)Caller - (uintptr_t)info.dli_fbase - 1;
                }
            }
        }
    }
    HosXStep++;
    shared->StepCount = HosXStep;
    shared->ClockNs = HosXClock;
}

static void HosXDeadlock(void);

/* The script's choice for point Point of the run (TaskPoint of Self's), or NULL. */
static const KH_EXPLORE_CHOICE *HosXScripted(const HOS_XTASK *Self, uint64_t Point, uint32_t TaskPoint)
{
    const KH_EXPLORE_CHOICE *script = HosXConfig.Script;
    if (script == NULL) {
        return NULL;
    }
    /* Entries for any task: in order of Step, followed with a cursor. */
    while (HosXScriptNext < HosXConfig.ScriptCount && script[HosXScriptNext].Task == KH_EXPLORE_ANY_TASK &&
           script[HosXScriptNext].Step < Point) {
        HosXScriptNext++;
    }
    if (HosXScriptNext < HosXConfig.ScriptCount && script[HosXScriptNext].Task == KH_EXPLORE_ANY_TASK &&
        script[HosXScriptNext].Step == Point) {
        return &script[HosXScriptNext];
    }
    /* Entries for one task: few (delta debugging), looked up directly. */
    for (size_t i = 0; i < HosXConfig.ScriptCount; i++) {
        if (script[i].Task == (uint32_t)Self->Id && script[i].Step == TaskPoint) {
            return &script[i];
        }
    }
    return NULL;
}

/* Gives the baton to Next and, unless the caller has ended, waits to get it back. */
static void HosXSwitchTo(HOS_XTASK *Self, HOS_XTASK *Next)
{
    if (Next == Self) {
        return;
    }
    HosXGiveBaton(Next);
    if (Self->State == XS_DONE) {
        return;
    }
    HosXWaitBaton(Self);
}

/*
 * A decision. The calling task is the one running; it may still be runnable (a
 * preemption point) or have just blocked or ended. Returns when the caller runs again.
 */
static void HosXDecide(const char *Verb, const char *Name, const void *Caller)
{
    HOS_XTASK *self = HosXMe();
    if (HosXQuiet) {
        /* Setting up: the default choice, nothing recorded or counted. */
        uint64_t enabled = 0;
        for (int i = 0; i < HosXTaskCount; i++) {
            if (HosXTasks[i].State == XS_RUNNABLE) {
                enabled |= 1ull << i;
            }
        }
        int def = HosXDefaultChoice(self, enabled);
        if (def == KH_EXPLORE_CLOCK) {
            HosXFatal("no task can run while the explorer sets up");
        }
        HosXSwitchTo(self, &HosXTasks[def]);
        return;
    }
    for (;;) {
        uint64_t point = HosXPoints++;
        uint32_t taskPoint = self->Points++;
        if (point >= HosXConfig.MaxSteps) {
            KmdfHostExploreFinding("LIVELOCK", "%llu scheduling points without the scenario ending",
                                   (unsigned long long)HosXConfig.MaxSteps);
        }
        uint64_t enabled = 0;
        for (int i = 0; i < HosXTaskCount; i++) {
            if (HosXTasks[i].State == XS_RUNNABLE) {
                enabled |= 1ull << i;
            }
        }
        uint64_t deadline = HosXEarliestDeadline();
        uint64_t options = enabled | (deadline != UINT64_MAX ? 1ull << KH_EXPLORE_CLOCK : 0);
        if (options == 0) {
            HosXDeadlock();
        }
        int def = HosXDefaultChoice(self, enabled);
        if ((options & (options - 1)) == 0) {
            /* One choice: no decision. (It is the default choice as well.) */
            if (HosXConfig.Symbolize) {
                HosXRecord(self, options, def, def, Verb, Name, Caller, false, point, taskPoint);
            }
            if (def == KH_EXPLORE_CLOCK) {
                HosXAdvanceClock(deadline);
                Verb = "clock";
                Name = NULL;
                Caller = NULL;
                continue;
            }
            HosXSwitchTo(self, &HosXTasks[def]);
            return;
        }
        int chosen = -1;
        const KH_EXPLORE_CHOICE *forced = HosXScripted(self, point, taskPoint);
        if (forced != NULL) {
            uint32_t option = forced->Option;
            if (option < 64 && (options & (1ull << option))) {
                chosen = (int)option;
            } else {
                chosen = def;
            }
        } else if (HosXConfig.Script != NULL && HosXConfig.Strategy == KH_EXPLORE_STRATEGY_DEFAULT) {
            chosen = def;
        } else {
            chosen = HosXStrategyChoice(self, options, def);
        }
        HosXRecord(self, options, chosen, def, Verb, Name, Caller, true, point, taskPoint);
        if (chosen == KH_EXPLORE_CLOCK) {
            HosXAdvanceClock(deadline);
            Verb = "clock";
            Name = NULL;
            Caller = NULL;
            continue;
        }
        HosXSwitchTo(self, &HosXTasks[chosen]);
        return;
    }
}

void HosExplorePoint(const char *Verb, const char *Name, const void *Object, const void *Caller)
{
    (void)Object;
    HosXDecide(Verb, Name, Caller);
}

void HosExploreNoteWait(const char *What, const void *Object, uint64_t OwnerThreadId)
{
    if (!HosExploring) {
        return;
    }
    HOS_XTASK *self = HosXMe();
    self->WaitWhat = What;
    self->WaitWhatObject = Object;
    self->WaitOwnerThread = OwnerThreadId;
}

/* ------------------------------------------------------------------ deadlock report */

/* The task that Task waits for, or NULL when that is not known. */
static HOS_XTASK *HosXWaitsFor(HOS_XTASK *Task)
{
    if (Task->State != XS_BLOCKED) {
        return NULL;
    }
    if (Task->WaitKind == XW_MUTEX) {
        return ((const HOS_MUTEX *)Task->WaitObject)->XOwner;
    }
    if (Task->WaitKind == XW_JOIN) {
        return (HOS_XTASK *)Task->WaitObject;
    }
    if (Task->WaitOwnerThread != 0) {
        return HosXTaskByThread(Task->WaitOwnerThread);
    }
    return NULL;
}

static void HosXDescribeWait(HOS_XTASK *Task, char *Out, size_t Size)
{
    HOS_XTASK *other = HosXWaitsFor(Task);
    const char *otherName = other != NULL ? HosXTaskName(other->Id) : NULL;
    switch (Task->WaitKind) {
    case XW_MUTEX:
        snprintf(Out, Size, "%s waits for %s %p held by %s", HosXTaskName(Task->Id),
                 Task->WaitWhat != NULL ? Task->WaitWhat : "a host lock", Task->WaitObject,
                 otherName != NULL ? otherName : "?");
        break;
    case XW_JOIN:
        snprintf(Out, Size, "%s waits for %s to end", HosXTaskName(Task->Id), otherName);
        break;
    default:
        if (Task->WaitWhat != NULL) {
            snprintf(Out, Size, "%s waits for %s %p%s%s", HosXTaskName(Task->Id), Task->WaitWhat,
                     Task->WaitWhatObject, otherName != NULL ? " held by " : "", otherName != NULL ? otherName : "");
        } else {
            snprintf(Out, Size, "%s waits for a signal (condition %p)", HosXTaskName(Task->Id), Task->WaitObject);
        }
        break;
    }
}

static void HosXDeadlock(void)
{
    char text[3072];
    size_t used = 0;
    /* Follow the wait-for edges from each blocked task until a task repeats: a cycle. */
    for (int start = 0; start < HosXTaskCount && used == 0; start++) {
        int seen[KH_EXPLORE_MAX_TASKS];
        int count = 0;
        HOS_XTASK *task = &HosXTasks[start];
        while (task != NULL && count < KH_EXPLORE_MAX_TASKS) {
            int at = -1;
            for (int i = 0; i < count; i++) {
                if (seen[i] == task->Id) {
                    at = i;
                }
            }
            if (at >= 0) {
                used += (size_t)snprintf(text + used, sizeof(text) - used, "wait-for cycle ");
                for (int i = at; i < count; i++) {
                    used += (size_t)snprintf(text + used, sizeof(text) - used, "%s -> ", HosXTaskName(seen[i]));
                }
                used += (size_t)snprintf(text + used, sizeof(text) - used, "%s", HosXTaskName(task->Id));
                break;
            }
            seen[count++] = task->Id;
            task = HosXWaitsFor(task);
        }
    }
    if (used == 0) {
        used += (size_t)snprintf(text, sizeof(text), "no task can run and none waits for a time-out");
    }
    for (int i = 0; i < HosXTaskCount && used < sizeof(text) - 1; i++) {
        HOS_XTASK *task = &HosXTasks[i];
        if (task->State == XS_BLOCKED) {
            char wait[512];
            HosXDescribeWait(task, wait, sizeof(wait));
            used += (size_t)snprintf(text + used, sizeof(text) - used, "; %s", wait);
        }
    }
    KmdfHostExploreFinding("DEADLOCK", "%s", text);
}

/* ------------------------------------------------------------------ tasks */

static HOS_XTASK *HosXNewTask(const char *Name)
{
    if (HosXTaskCount >= KH_EXPLORE_MAX_TASKS) {
        return NULL;
    }
    HOS_XTASK *task = &HosXTasks[HosXTaskCount];
    memset(task, 0, sizeof(*task));
    task->Id = HosXTaskCount;
    task->State = XS_RUNNABLE;
    task->Deadline = UINT64_MAX;
    /* PCT: distinct random priorities above the change-point priorities (1..d-1). */
    task->Priority = 1000 + (HosXRandom() >> 16);
    snprintf(task->Name, sizeof(task->Name), "%s", Name);
    if (HosXShared != NULL) {
        snprintf(HosXShared->TaskNames[task->Id], sizeof(HosXShared->TaskNames[task->Id]), "%s", Name);
        HosXShared->TaskCount = HosXTaskCount + 1;
    }
    HosXTaskCount++;
    return task;
}

static void *HosXTaskMain(void *Argument)
{
    HOS_XTASK *task = Argument;
    HosXSelf = task;
    HosXWaitBaton(task);
    /* Numbered only once it runs, so that thread ids follow the schedule. */
    task->ThreadId = HosCurrentThreadId();
    task->Routine(task->Context);
    task->State = XS_DONE;
    for (int i = 0; i < HosXTaskCount; i++) {
        HOS_XTASK *other = &HosXTasks[i];
        if (other->State == XS_BLOCKED && other->WaitKind == XW_JOIN && other->WaitObject == task) {
            other->State = XS_RUNNABLE;
            other->WaitKind = XW_NONE;
        }
    }
    HosXDecide("exit", NULL, NULL);
    return NULL;
}

HOS_XTASK *HosXTaskCreate(const char *Name, HOS_THREAD_ROUTINE *Routine, void *Context)
{
    HOS_XTASK *task = HosXNewTask(Name);
    if (task == NULL) {
        return NULL;
    }
    task->Routine = Routine;
    task->Context = Context;
    /* Starting a thread happens before everything it does. */
    HosRaceTaskStarted(HosXSelf != NULL ? HosXSelf->Id : -1, task->Id);
    if (pthread_create(&task->Thread, NULL, HosXTaskMain, task) != 0) {
        task->State = XS_DONE;
        return NULL;
    }
    task->Started = true;
    /* Names in the record must stay readable by the process that reads it: the shared copy. */
    HosXDecide("start", HosXTaskName(task->Id), __builtin_extract_return_addr(__builtin_return_address(0)));
    return task;
}

void HosXTaskJoin(HOS_XTASK *Task)
{
    HOS_XTASK *self = HosXMe();
    while (Task->State != XS_DONE) {
        self->State = XS_BLOCKED;
        self->WaitKind = XW_JOIN;
        self->WaitObject = Task;
        HosXDecide("join", HosXTaskName(Task->Id), NULL);
    }
    /* Everything a thread did happens before a join that waited for its end. */
    HosRaceTaskJoined(self->Id, Task->Id);
    if (Task->Started) {
        pthread_join(Task->Thread, NULL);
        Task->Started = false;
    }
}

/* ------------------------------------------------------------------ locks and waits */

void HosXMutexLock(HOS_MUTEX *Mutex)
{
    HOS_XTASK *self = HosXMe();
    if (Mutex->XOwner == self) {
        HosXFatal("a host mutex was locked twice by one task");
    }
    while (Mutex->XOwner != NULL) {
        self->State = XS_BLOCKED;
        self->WaitKind = XW_MUTEX;
        self->WaitObject = Mutex;
        HosXDecide("blocks", NULL, NULL);
    }
    Mutex->XOwner = self;
    if (Mutex->Ordering && HosRaceOn) {
        HosRaceAcquire(Mutex);
    }
}

bool HosXMutexTryLock(HOS_MUTEX *Mutex)
{
    HOS_XTASK *self = HosXMe();
    if (Mutex->XOwner != NULL) {
        return false;
    }
    Mutex->XOwner = self;
    if (Mutex->Ordering && HosRaceOn) {
        HosRaceAcquire(Mutex);
    }
    return true;
}

void HosXMutexUnlock(HOS_MUTEX *Mutex)
{
    HOS_XTASK *self = HosXMe();
    if (Mutex->XOwner != self) {
        HosXFatal("a host mutex was unlocked by a task that does not hold it");
    }
    if (Mutex->Ordering && HosRaceOn) {
        HosRaceRelease(Mutex);
    }
    Mutex->XOwner = NULL;
    for (int i = 0; i < HosXTaskCount; i++) {
        HOS_XTASK *task = &HosXTasks[i];
        if (task->State == XS_BLOCKED && task->WaitKind == XW_MUTEX && task->WaitObject == Mutex) {
            task->State = XS_RUNNABLE;
            task->WaitKind = XW_NONE;
        }
    }
}

void HosXCondSignal(HOS_COND *Cond, bool All)
{
    HOS_XTASK *first = NULL;
    bool any = false;
    for (int i = 0; i < HosXTaskCount; i++) {
        HOS_XTASK *task = &HosXTasks[i];
        if (task->State == XS_BLOCKED && task->WaitKind == XW_COND && task->WaitObject == Cond) {
            if (All) {
                task->State = XS_RUNNABLE;
                task->WaitKind = XW_NONE;
                any = true;
            } else if (first == NULL || task->WaitSeq < first->WaitSeq) {
                first = task;
            }
        }
    }
    if (first != NULL) {
        first->State = XS_RUNNABLE;
        first->WaitKind = XW_NONE;
        any = true;
    }
    /* A signal that wakes someone is a decision: the woken task may run first. */
    if (any) {
        HosXDecide("signal", NULL, NULL);
    }
}

bool HosXCondWait(HOS_COND *Cond, HOS_MUTEX *Mutex, uint64_t DeadlineNs)
{
    HOS_XTASK *self = HosXMe();
    if (DeadlineNs != UINT64_MAX && DeadlineNs <= HosXClock) {
        /* Already due: a time-out, after giving others the chance the wait would give. */
        HosXMutexUnlock(Mutex);
        HosXDecide("time-out", NULL, NULL);
        HosXMutexLock(Mutex);
        return false;
    }
    HosXMutexUnlock(Mutex);
    self->State = XS_BLOCKED;
    self->WaitKind = XW_COND;
    self->WaitObject = Cond;
    self->WaitSeq = ++HosXWaitSeq;
    self->Deadline = DeadlineNs;
    self->TimedOut = false;
    HosXDecide("waits", self->WaitWhat, NULL);
    bool timedOut = self->TimedOut;
    self->Deadline = UINT64_MAX;
    self->TimedOut = false;
    HosXMutexLock(Mutex);
    return !timedOut;
}

uint64_t HosXNow(void) { return HosXClock; }

void HosXYield(void)
{
    /* A spin: let the others run, and let a microsecond of virtual time pass. */
    HosXAdvanceClock(HosXClock + 1000u);
    HosXDecide("yield", NULL, NULL);
}

/* ------------------------------------------------------------------ the program's API */

/* Lets every task other than the caller run until it blocks, without recording decisions. */
static void HosXSettle(HOS_XTASK *Self)
{
    HosXQuiet = true;
    for (int i = 0; i < HosXTaskCount; i++) {
        if (i != Self->Id && HosXTasks[i].State == XS_RUNNABLE) {
            HosXSwitchTo(Self, &HosXTasks[i]);
            i = -1; /* back to main: look again from the start */
        }
    }
    HosXQuiet = false;
}

KMDFHOST_API void KmdfHostExploreBegin(const KH_EXPLORE_CONFIG *Config)
{
    bool again = HosExploring;
    if (again) {
        HOS_XTASK *self = HosXMe();
        if (self->Id != 0) {
            HosXFatal("KmdfHostExploreBegin again from another thread than the first run's");
        }
        /* Tasks 1 and 2 are the host's DPC and worker threads, idle; the rest ended. */
        for (int i = 3; i < HosXTaskCount; i++) {
            if (HosXTasks[i].State != XS_DONE) {
                HosXFatal("a thread of the previous run is still alive");
            }
        }
        HosXTaskCount = HosXTaskCount < 3 ? HosXTaskCount : 3;
    }
    HosXConfig = *Config;
    if (HosXConfig.MaxSteps == 0) {
        HosXConfig.MaxSteps = 200000;
    }
    HosXClock = 1000000000ull;
    if (HosXConfig.MaxVirtualNs == 0) {
        HosXConfig.MaxVirtualNs = 600ull * 1000000000ull;
    }
    HosXConfig.MaxVirtualNs += HosXClock;
    HosXShared = Config->Shared;
    HosXStep = 0;
    HosXDecisions = 0;
    HosXPoints = 0;
    HosXScriptNext = 0;
    HosXRng = Config->Seed;
    if (!again) {
        HOS_XTASK *main = HosXNewTask("main");
        if (main == NULL) {
            HosXFatal("cannot create the main task");
        }
        HosXSelf = main;
        main->ThreadId = HosCurrentThreadId();
        HosExploring = true;
        /* The DPC and worker threads now, so that every run starts with the same tasks. */
        HosXQuiet = true;
        if (!HosStart()) {
            HosXFatal("cannot start the host's DPC and worker threads");
        }
        HosXSettle(main);
    } else if (HosXShared != NULL) {
        for (int i = 0; i < HosXTaskCount; i++) {
            snprintf(HosXShared->TaskNames[i], sizeof(HosXShared->TaskNames[i]), "%s", HosXTasks[i].Name);
        }
    }
    if (HosXShared != NULL) {
        HosXShared->TaskCount = HosXTaskCount;
    }
    /* The strategy's random state, the same for a first run and a later one. */
    HosXRng = Config->Seed;
    for (int i = 0; i < HosXTaskCount; i++) {
        HosXTasks[i].Priority = 1000 + (HosXRandom() >> 16);
        HosXTasks[i].Points = 0;
    }
    HosRaceReset();
    HosXPctChangeCount = 0;
    if (HosXConfig.Strategy == KH_EXPLORE_STRATEGY_PCT) {
        uint32_t depth = HosXConfig.PctDepth == 0 ? 5 : HosXConfig.PctDepth; /* kmdfhost-explore's default */
        uint64_t steps = HosXConfig.PctSteps == 0 ? 1000 : HosXConfig.PctSteps;
        HosXPctChangeCount = depth - 1 < 16 ? depth - 1 : 16;
        for (uint32_t i = 0; i < HosXPctChangeCount; i++) {
            HosXPctChange[i] = 1 + HosXRandom() % steps;
        }
    }
}

KMDFHOST_API void KmdfHostExploreEnd(void)
{
    if (HosXShared != NULL) {
        HosXShared->Finished = 1;
        HosXShared->StepCount = HosXStep;
        HosXShared->ClockNs = HosXClock;
    }
}

KMDFHOST_API int KmdfHostExploreThreadStart(const char *Name, KH_EXPLORE_ROUTINE *Routine, void *Context,
                                            void **Thread)
{
    HOS_THREAD *thread;
    if (!HosThreadStart(&thread, Name, Routine, Context)) {
        return -1;
    }
    *Thread = thread;
    return 0;
}

KMDFHOST_API void KmdfHostExploreThreadJoin(void *Thread) { HosThreadJoin(Thread); }

KMDFHOST_API uint64_t KmdfHostExploreNowNs(void) { return HosNowNs(); }
