/*
 * main.c - kmdfhost-explore, the deterministic schedule explorer behind scripts/explore.
 *
 *   kmdfhost-explore --driver FILE.so [--scenario NAME|all] [--schedules N] [--seed S]
 *                    [--strategy random|pct|exhaustive] [--replay SEED]
 *                    [--pct-depth D] [--preemptions K] [--timer-ms MS] [--service NAME]
 *                    [--instance ID] [--quiet]
 *
 * Each schedule runs in a child process of its own (fork), so that every run starts
 * from the same state and a crash or a verifier report ends only that run. The child
 * enters explore mode, loads the driver, adds and starts a root device, runs the
 * scenario, removes the device and unloads the driver (the verifier checks for leaks
 * there). It writes every scheduling decision and its finding, if any, to memory shared
 * with this process.
 *
 * Strategies: random (seeded random walk), pct (probabilistic concurrency testing with
 * bug depth d: random task priorities and d - 1 priority change points), exhaustive
 * (depth-first search of every schedule with at most K preemptions, in a fixed order).
 * For random and pct, schedule i of a run with --seed S uses the seed mix(S, i), which
 * a finding prints; --replay that seed runs that one schedule again. For exhaustive the
 * "seed" is the schedule's index in the search.
 *
 * A finding is shortened by delta debugging: the choices where the failing schedule
 * departed from the default (run the current task on) are reduced to a minimal set that
 * still produces the same rule, and that schedule is printed step by step.
 *
 * Exit: 0 nothing found; 1 a finding; 2 usage; 3 the driver does not load.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "explorer.h"

enum { XP_RANDOM, XP_PCT, XP_EXHAUSTIVE };
static const char *const XpStrategyNames[] = {"random", "pct", "exhaustive"};

typedef struct XP_OPTIONS {
    const char *Driver;
    const char *DriverLabel;
    const char *Scenario;
    uint64_t Schedules;
    uint64_t Seed;
    int Strategy;
    bool Replay;
    uint64_t ReplaySeed;
    uint32_t PctDepth;
    uint32_t Preemptions;
    uint32_t TimerMs;
    const char *Service;
    const char *Instance;
    bool Quiet;
    uint32_t RoundTrips; /* the round-trip benchmark instead of exploring */
    uint32_t RoundTripSize;
    const char *Input;   /* a fuzzer input to replay */
} XP_OPTIONS;

static XP_OPTIONS Options = {
    .Scenario = "all",
    .Schedules = 1000,
    .Seed = 1,
    .Strategy = XP_RANDOM,
    /* Depth 5: the depth that catches every mutant of the CTest suite within its budget
       (the timer-unlocked mutant needs 5; the others are found at 3 too, sooner at 5). */
    .PctDepth = 5,
    .Preemptions = 2,
    .TimerMs = 10,
    .Service = "EchoKmdf",
    .Instance = "ROOT\\ECHO\\0000",
};

#define XP_CAPACITY (1u << 17)

static KH_EXPLORE_SHARED *Shared;

/* ------------------------------------------------------------------ fuzzer inputs */

static uint8_t XpInputData[4096];
static XP_INPUT XpInput;

static void XpInputScenarioRun(const XP_TARGET *Target) { XpRunOps(Target, XpInput.Ops, XpInput.OpCount); }

static const XP_SCENARIO XpInputScenario = {"input", "the operations of a fuzzer input", XpInputScenarioRun};

/* ------------------------------------------------------------------ one run (child side) */

static void XpScenarioBody(const XP_TARGET *Target, const void *Context)
{
    ((const XP_SCENARIO *)Context)->Run(Target);
}

static void XpChild(const XP_SCENARIO *Scenario, const KH_EXPLORE_CONFIG *Config)
{
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, 1);
    }
    /* A run that makes no scheduling decision for this long loops in driver code. */
    alarm(60);
    /*
     * Only one task runs at a time, so the run loses nothing on one CPU, and a hand-over
     * from one task to the next then wakes a thread on the same CPU instead of another
     * one (measured 1.6 times faster). The CPU the run starts on, not a fixed one: each
     * schedule is a new process, so explorers running side by side (CTest) stay spread
     * over the CPUs. The tasks' threads, created after this, inherit it. When it fails the
     * run is only slower.
     */
    int cpu = sched_getcpu();
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        (void)sched_setaffinity(0, sizeof(set), &set);
    }
    KmdfHostExploreBegin(Config);
    XP_SETUP setup = {Options.Driver, Options.Service, Options.Instance, Options.TimerMs};
    int rc = XpWithDevice(&setup, XpScenarioBody, Scenario);
    if (rc != 0) {
        _exit(rc);
    }
    KmdfHostExploreEnd();
    fflush(NULL);
    _exit(0);
}

typedef struct XP_RESULT {
    int Exit; /* 0 clean, 1 finding, 3 no load, 4 no start */
} XP_RESULT;

static const char *XpSignalName(int Signal)
{
    switch (Signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGALRM: return "SIGALRM";
    default: return "a signal";
    }
}

static XP_RESULT XpRun(const XP_SCENARIO *Scenario, const KH_EXPLORE_CONFIG *Base, int Strategy, uint64_t Seed,
                       const KH_EXPLORE_CHOICE *Script, size_t ScriptCount, bool Symbolize)
{
    KH_EXPLORE_CONFIG config = *Base;
    config.Strategy = Strategy;
    config.Seed = Seed;
    config.Script = Script;
    config.ScriptCount = ScriptCount;
    config.Symbolize = Symbolize;
    config.Shared = Shared;
    memset(Shared, 0, offsetof(KH_EXPLORE_SHARED, Steps));
    Shared->Capacity = XP_CAPACITY;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("kmdfhost-explore: fork");
        exit(2);
    }
    if (pid == 0) {
        XpChild(Scenario, &config);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("kmdfhost-explore: waitpid");
            exit(2);
        }
    }
    XP_RESULT result = {0};
    if (WIFEXITED(status)) {
        result.Exit = WEXITSTATUS(status);
        if (result.Exit == 0 && !Shared->Finished) {
            result.Exit = 1;
            snprintf(Shared->Rule, sizeof(Shared->Rule), "PROPERTY");
            snprintf(Shared->Line, sizeof(Shared->Line), "VERIFIER: PROPERTY: the run ended before the scenario did");
        }
        if (result.Exit == 1 && Shared->Rule[0] == '\0') {
            snprintf(Shared->Rule, sizeof(Shared->Rule), "CRASH");
            snprintf(Shared->Line, sizeof(Shared->Line), "VERIFIER: CRASH: the run exited with status 1");
        }
    } else if (WIFSIGNALED(status)) {
        result.Exit = 1;
        int sig = WTERMSIG(status);
        if (Shared->Rule[0] == '\0') {
            if (sig == SIGALRM) {
                snprintf(Shared->Rule, sizeof(Shared->Rule), "HANG");
                snprintf(Shared->Line, sizeof(Shared->Line),
                         "VERIFIER: HANG: the run made no progress for 60 s of real time (a loop with no "
                         "scheduling point)");
            } else {
                snprintf(Shared->Rule, sizeof(Shared->Rule), "CRASH");
                snprintf(Shared->Line, sizeof(Shared->Line), "VERIFIER: CRASH: the run ended with %s (%d)",
                         XpSignalName(sig), sig);
            }
            Shared->FindingStep = Shared->StepCount;
        }
    }
    return result;
}

/* ------------------------------------------------------------------ reporting */

typedef struct XP_CHOICES {
    KH_EXPLORE_CHOICE *Items;
    size_t Count;
} XP_CHOICES;

/* The choices where the last run departed from the default strategy, each named by its
   task and the number of the decision among that task's own (ByTask), or by the number
   of the decision in the run. */
static XP_CHOICES XpDeviations(bool ByTask)
{
    uint64_t steps = Shared->StepCount < Shared->Capacity ? Shared->StepCount : Shared->Capacity;
    XP_CHOICES out = {calloc(steps + 1, sizeof(KH_EXPLORE_CHOICE)), 0};
    for (uint64_t i = 0; i < steps; i++) {
        if (!Shared->Steps[i].Default && !Shared->Steps[i].NoChoice) {
            out.Items[out.Count].Step = ByTask ? Shared->Steps[i].TaskStep : Shared->Steps[i].Point;
            out.Items[out.Count].Task = ByTask ? Shared->Steps[i].Task : KH_EXPLORE_ANY_TASK;
            out.Items[out.Count].Option = Shared->Steps[i].Chosen;
            out.Count++;
        }
    }
    return out;
}

static bool XpReproduces(const XP_SCENARIO *Scenario, const KH_EXPLORE_CONFIG *Base, const char *Rule,
                         const KH_EXPLORE_CHOICE *Items, size_t Count, unsigned *Budget)
{
    if (*Budget == 0) {
        return false;
    }
    (*Budget)--;
    XP_RESULT r = XpRun(Scenario, Base, KH_EXPLORE_STRATEGY_DEFAULT, 0, Items, Count, false);
    return r.Exit == 1 && strcmp(Shared->Rule, Rule) == 0;
}

/* Delta debugging (ddmin) over the forced choices, keeping the finding's rule. */
static XP_CHOICES XpMinimize(const XP_SCENARIO *Scenario, const KH_EXPLORE_CONFIG *Base, const char *Rule,
                             XP_CHOICES Choices)
{
    unsigned budget = 400;
    KH_EXPLORE_CHOICE *scratch = calloc(Choices.Count + 1, sizeof(KH_EXPLORE_CHOICE));
    if (!XpReproduces(Scenario, Base, Rule, Choices.Items, Choices.Count, &budget)) {
        free(scratch);
        return Choices; /* the forced schedule does not reproduce: keep the whole schedule */
    }
    if (XpReproduces(Scenario, Base, Rule, NULL, 0, &budget)) {
        Choices.Count = 0;
        free(scratch);
        return Choices;
    }
    size_t n = 2;
    while (Choices.Count >= 2 && budget > 0) {
        size_t chunk = (Choices.Count + n - 1) / n;
        bool reduced = false;
        for (size_t start = 0; start < Choices.Count && !reduced; start += chunk) {
            size_t end = start + chunk < Choices.Count ? start + chunk : Choices.Count;
            /* The subset alone. */
            if (XpReproduces(Scenario, Base, Rule, Choices.Items + start, end - start, &budget)) {
                memmove(Choices.Items, Choices.Items + start, (end - start) * sizeof(KH_EXPLORE_CHOICE));
                Choices.Count = end - start;
                n = 2;
                reduced = true;
                break;
            }
        }
        for (size_t start = 0; start < Choices.Count && !reduced && n > 2; start += chunk) {
            size_t end = start + chunk < Choices.Count ? start + chunk : Choices.Count;
            /* Its complement. */
            size_t m = 0;
            for (size_t i = 0; i < Choices.Count; i++) {
                if (i < start || i >= end) {
                    scratch[m++] = Choices.Items[i];
                }
            }
            if (XpReproduces(Scenario, Base, Rule, scratch, m, &budget)) {
                memcpy(Choices.Items, scratch, m * sizeof(KH_EXPLORE_CHOICE));
                Choices.Count = m;
                n = n > 3 ? n - 1 : 2;
                reduced = true;
            }
        }
        if (!reduced) {
            if (n >= Choices.Count) {
                break;
            }
            n = n * 2 < Choices.Count ? n * 2 : Choices.Count;
        }
    }
    if (Choices.Count == 1 && XpReproduces(Scenario, Base, Rule, NULL, 0, &budget)) {
        Choices.Count = 0;
    }
    free(scratch);
    return Choices;
}

typedef struct XP_SYMBOL {
    char Function[256];
    char Location[512];
} XP_SYMBOL;

/* Source locations of the callers of the Count steps Index[], with addr2line (one call per module). */
static void XpSymbolize(const uint64_t *Index, size_t Count, XP_SYMBOL *Symbols)
{
    for (int m = 0; m < KH_EXPLORE_MAX_MODULES && Shared->Modules[m][0] != '\0'; m++) {
        char command[1 << 15];
        size_t used = (size_t)snprintf(command, sizeof(command), "addr2line -f -e '%s'", Shared->Modules[m]);
        size_t *which = calloc(Count + 1, sizeof(size_t));
        size_t n = 0;
        for (size_t k = 0; k < Count && used < sizeof(command) - 64; k++) {
            const KH_EXPLORE_STEP *s = &Shared->Steps[Index[k]];
            if (s->Module == m) {
                used += (size_t)snprintf(command + used, sizeof(command) - used, " 0x%" PRIxPTR, s->Caller);
                which[n++] = k;
            }
        }
        snprintf(command + used, sizeof(command) - used, " 2>/dev/null");
        FILE *pipe = n > 0 ? popen(command, "r") : NULL;
        for (size_t k = 0; pipe != NULL && k < n; k++) {
            char function[256], location[512];
            if (fgets(function, sizeof(function), pipe) == NULL || fgets(location, sizeof(location), pipe) == NULL) {
                break;
            }
            function[strcspn(function, "\n")] = '\0';
            location[strcspn(location, "\n ")] = '\0';
            const char *base = strrchr(location, '/');
            base = base != NULL ? base + 1 : location;
            XP_SYMBOL *sym = &Symbols[which[k]];
            snprintf(sym->Function, sizeof(sym->Function), "%s", function);
            snprintf(sym->Location, sizeof(sym->Location), "%s", base);
        }
        if (pipe != NULL) {
            pclose(pipe);
        }
        free(which);
    }
}

static bool XpIsDriverModule(int Module)
{
    if (Module < 0) {
        return false;
    }
    const char *name = strrchr(Shared->Modules[Module], '/');
    name = name != NULL ? name + 1 : Shared->Modules[Module];
    return strstr(name, "libkmdfhost") == NULL;
}

static bool XpForced(const XP_CHOICES *Forced, uint64_t Step)
{
    const KH_EXPLORE_STEP *s = &Shared->Steps[Step];
    for (size_t k = 0; k < Forced->Count; k++) {
        const KH_EXPLORE_CHOICE *c = &Forced->Items[k];
        if (s->NoChoice) {
            return false;
        }
        if (c->Task == KH_EXPLORE_ANY_TASK ? c->Step == s->Point : c->Task == s->Task && c->Step == s->TaskStep) {
            return true;
        }
    }
    return false;
}

#define XP_PRINT_HEAD 60
#define XP_PRINT_TAIL 8

/*
 * Prints the steps that matter: forced choices (*), task switches and the driver's own
 * calls; up to the last forced choice and a little beyond, then the last few steps.
 */
static void XpPrintSchedule(const XP_CHOICES *Forced)
{
    uint64_t steps = Shared->StepCount < Shared->Capacity ? Shared->StepCount : Shared->Capacity;
    uint64_t *index = calloc(steps + 1, sizeof(uint64_t));
    size_t count = 0;
    int lastTask = -1;
    for (uint64_t i = 0; i < steps; i++) {
        const KH_EXPLORE_STEP *s = &Shared->Steps[i];
        bool keep = XpForced(Forced, i) || XpIsDriverModule(s->Module) || s->Task != lastTask || i + 1 == steps;
        if (keep) {
            index[count++] = i;
            lastTask = s->Task;
        }
    }
    /* Head: through the last forced choice plus a few; tail: the last few. */
    size_t lastForced = 0;
    for (size_t k = 0; k < count; k++) {
        if (XpForced(Forced, index[k])) {
            lastForced = k;
        }
    }
    size_t head = lastForced + 12 > XP_PRINT_HEAD ? lastForced + 12 : XP_PRINT_HEAD;
    if (head > 2 * XP_PRINT_HEAD) {
        head = 2 * XP_PRINT_HEAD; /* a schedule that could not be shortened much */
    }
    bool cut = count > head + XP_PRINT_TAIL;
    size_t selected = 0;
    for (size_t k = 0; k < count; k++) {
        if (!cut || k < head || k >= count - XP_PRINT_TAIL) {
            index[selected++] = index[k];
        }
    }
    XP_SYMBOL *symbols = calloc(selected + 1, sizeof(XP_SYMBOL));
    XpSymbolize(index, selected, symbols);
    printf("schedule: %" PRIu64 " steps, %zu forced choice(s) after delta debugging; "
           "the steps that matter (* forced choice, task switches, driver calls):\n",
           Shared->StepCount, Forced->Count);
    for (size_t k = 0; k < selected; k++) {
        uint64_t i = index[k];
        const KH_EXPLORE_STEP *s = &Shared->Steps[i];
        if (cut && k == head) {
            printf("        ... %zu more steps like the above ...\n", count - head - XP_PRINT_TAIL);
        }
        char what[160];
        snprintf(what, sizeof(what), "%s%s%s", s->Verb != NULL ? s->Verb : "?", s->Name != NULL ? " " : "",
                 s->Name != NULL ? s->Name : "");
        char where[800] = "";
        if (symbols[k].Location[0] != '\0') {
            snprintf(where, sizeof(where), "%s (%s)", symbols[k].Location, symbols[k].Function);
        }
        char next[64] = "";
        if (s->Chosen != s->Task) {
            snprintf(next, sizeof(next), " -> %s",
                     s->Chosen == KH_EXPLORE_CLOCK ? "clock" : Shared->TaskNames[s->Chosen]);
        }
        printf("  %c%6" PRIu64 "  %-14s %-34s %s%s  [t=%" PRIu64 " ms]\n", XpForced(Forced, i) ? '*' : ' ', i + 1,
               Shared->TaskNames[s->Task], what, where, next,
               (uint64_t)((s->ClockNs - 1000000000ull) / 1000000u));
    }
    free(symbols);
    free(index);
}

static int XpReport(const XP_SCENARIO *Scenario, const KH_EXPLORE_CONFIG *Base, uint64_t Seed, uint64_t Schedule)
{
    char rule[sizeof(Shared->Rule)];
    snprintf(rule, sizeof(rule), "%s", Shared->Rule);
    /* Delta debugging over the choices named both ways; the shorter result is kept. */
    XP_CHOICES choices = XpDeviations(true);
    XP_CHOICES byStep = XpDeviations(false);
    XP_CHOICES minimal = XpMinimize(Scenario, Base, rule, choices);
    XP_CHOICES minimalByStep = XpMinimize(Scenario, Base, rule, byStep);
    if (minimalByStep.Count < minimal.Count) {
        minimal = minimalByStep;
    }
    /* The shortened schedule once more, with source locations. */
    XpRun(Scenario, Base, KH_EXPLORE_STRATEGY_DEFAULT, 0, minimal.Items, minimal.Count, true);
    if (strcmp(Shared->Rule, rule) != 0) {
        /* Could not shorten reproducibly: print the original schedule. */
        XpRun(Scenario, Base, Options.Strategy == XP_PCT ? KH_EXPLORE_STRATEGY_PCT : KH_EXPLORE_STRATEGY_RANDOM,
              Seed, Options.Strategy == XP_EXHAUSTIVE ? choices.Items : NULL,
              Options.Strategy == XP_EXHAUSTIVE ? choices.Count : 0, true);
        minimal.Count = 0;
    }
    printf("%s\n", Shared->Line);
    printf("seed: %" PRIu64 "\n", Seed);
    printf("scenario: %s, strategy: %s, schedule %" PRIu64 ", driver: %s\n", Scenario->Name,
           XpStrategyNames[Options.Strategy], Schedule + 1, Options.DriverLabel);
    if (Options.Input != NULL) {
        printf("replay: scripts/explore --driver %s --input %s\n", Options.DriverLabel, Options.Input);
    } else {
        printf("replay: scripts/explore --driver %s --scenario %s --strategy %s --replay %" PRIu64 "\n",
               Options.DriverLabel, Scenario->Name, XpStrategyNames[Options.Strategy], Seed);
    }
    XpPrintSchedule(&minimal);
    fflush(stdout);
    free(choices.Items);
    free(byStep.Items);
    return 1;
}

/* ------------------------------------------------------------------ strategies */

static uint64_t XpMix(uint64_t Seed, uint64_t Index)
{
    uint64_t z = Seed * 0x9e3779b97f4a7c15ull + Index + 1;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int XpCheckLoad(const XP_RESULT *Result)
{
    if (Result->Exit == XP_NO_LOAD) {
        fprintf(stderr, "explore: the driver %s does not load\n", Options.DriverLabel);
        return 3;
    }
    if (Result->Exit == XP_NO_START) {
        fprintf(stderr, "explore: the driver %s loads but its device does not start\n", Options.DriverLabel);
        return 3;
    }
    return -1;
}

/* Random walk and PCT: schedule i uses the seed mix(Seed, i). */
static int XpSampled(const XP_SCENARIO *Scenario, const KH_EXPLORE_CONFIG *Base, uint64_t *Runs)
{
    int strategy = Options.Strategy == XP_PCT ? KH_EXPLORE_STRATEGY_PCT : KH_EXPLORE_STRATEGY_RANDOM;
    uint64_t count = Options.Replay ? 1 : Options.Schedules;
    KH_EXPLORE_CONFIG config = *Base;
    Base = &config;
    if (Options.Input != NULL) {
        config.PctSteps = XP_INPUT_PCT_STEPS; /* as the fuzzer ran it */
    } else if (strategy == KH_EXPLORE_STRATEGY_PCT) {
        /* PCT draws its change points from the length of a run: measure it once, with the
           default schedule (a function of the driver and the scenario, so replays agree). */
        XP_RESULT r = XpRun(Scenario, Base, KH_EXPLORE_STRATEGY_DEFAULT, 0, NULL, 0, false);
        int load = XpCheckLoad(&r);
        if (load >= 0) {
            return load;
        }
        config.PctSteps = Shared->StepCount > 10 ? Shared->StepCount : 10;
    }
    for (uint64_t i = 0; i < count; i++) {
        uint64_t seed = Options.Replay ? Options.ReplaySeed : XpMix(Options.Seed, i);
        XP_RESULT r = XpRun(Scenario, Base, strategy, seed, NULL, 0, false);
        (*Runs)++;
        int load = XpCheckLoad(&r);
        if (load >= 0) {
            return load;
        }
        if (r.Exit != 0) {
            return XpReport(Scenario, Base, seed, i);
        }
    }
    return 0;
}

typedef struct XP_FRAME {
    uint64_t Options;
    uint64_t Tried;
    uint64_t Point; /* the decision's scheduling point, which a script names */
    uint8_t Task;
    uint8_t Chosen;
} XP_FRAME;

/*
 * A preemption: switching away from a task that could go on, or letting time pass while
 * any task could run (a timer firing "early"). Bounding both keeps the search fair: it
 * cannot starve the application forever by firing the periodic timer again and again.
 */
static bool XpPreempts(const XP_FRAME *Frame, unsigned Option)
{
    if (Option == KH_EXPLORE_CLOCK) {
        return (Frame->Options & ~(1ull << KH_EXPLORE_CLOCK)) != 0;
    }
    return Option != Frame->Task && (Frame->Options & (1ull << Frame->Task)) != 0;
}

/* Depth-first search over every schedule with at most K preemptions. */
static int XpExhaustive(const XP_SCENARIO *Scenario, const KH_EXPLORE_CONFIG *Base, uint64_t *Runs)
{
    XP_FRAME *frames = calloc(XP_CAPACITY, sizeof(XP_FRAME));
    KH_EXPLORE_CHOICE *script = calloc(XP_CAPACITY, sizeof(KH_EXPLORE_CHOICE));
    size_t depth = 0;
    uint64_t limit = Options.Replay ? Options.ReplaySeed + 1 : Options.Schedules;
    int exitCode = 0;
    for (uint64_t index = 0; index < limit; index++) {
        for (size_t k = 0; k < depth; k++) {
            script[k].Step = frames[k].Point;
            script[k].Task = KH_EXPLORE_ANY_TASK;
            script[k].Option = frames[k].Chosen;
        }
        XP_RESULT r = XpRun(Scenario, Base, KH_EXPLORE_STRATEGY_DEFAULT, 0, script, depth, false);
        (*Runs)++;
        int load = XpCheckLoad(&r);
        if (load >= 0) {
            exitCode = load;
            break;
        }
        if (r.Exit != 0 && (!Options.Replay || index == Options.ReplaySeed)) {
            exitCode = XpReport(Scenario, Base, index, index);
            break;
        }
        /* Without Symbolize every recorded step is a decision: frame k is decision k. */
        uint64_t steps = Shared->StepCount < Shared->Capacity ? Shared->StepCount : Shared->Capacity;
        for (uint64_t k = depth; k < steps; k++) {
            const KH_EXPLORE_STEP *s = &Shared->Steps[k];
            frames[k] = (XP_FRAME){s->EnabledMask, 1ull << s->Chosen, s->Point, s->Task, s->Chosen};
        }
        depth = steps;
        /* Backtrack to the deepest decision with an untried choice within the bound. */
        bool found = false;
        while (depth > 0 && !found) {
            XP_FRAME *top = &frames[depth - 1];
            unsigned preemptions = 0;
            for (size_t k = 0; k + 1 < depth; k++) {
                preemptions += XpPreempts(&frames[k], frames[k].Chosen);
            }
            for (unsigned option = 0; option < 64 && !found; option++) {
                uint64_t bit = 1ull << option;
                if ((top->Options & bit) && !(top->Tried & bit) &&
                    preemptions + XpPreempts(top, option) <= Options.Preemptions) {
                    top->Tried |= bit;
                    top->Chosen = (uint8_t)option;
                    found = true;
                }
            }
            if (!found) {
                depth--;
            }
        }
        if (!found) {
            if (!Options.Quiet) {
                printf("explore: %s: the search is complete (every schedule with at most %u preemptions)\n",
                       Scenario->Name, Options.Preemptions);
            }
            break;
        }
    }
    free(frames);
    free(script);
    return exitCode;
}

/* ------------------------------------------------------------------ benchmark */

static double XpSeconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The memcpy bound: round trips per second if each cost only its two copies of Size bytes. */
static double XpMemcpyBound(uint32_t Size)
{
    uint8_t *a = malloc(Size), *b = malloc(Size), *c = malloc(Size);
    memset(a, 1, Size);
    memset(b, 2, Size);
    memset(c, 3, Size);
    /* The best of many batches: a bound, not an average on a busy machine. */
    double best = 1e9;
    double start = XpSeconds();
    while (XpSeconds() - start < 0.3) {
        double t0 = XpSeconds();
        for (int i = 0; i < 200; i++) {
            memcpy(b, a, Size);
            memcpy(c, b, Size);
            __asm__ volatile("" : : "r"(c) : "memory");
        }
        double t = (XpSeconds() - t0) / 200;
        if (t < best) {
            best = t;
        }
    }
    free(a);
    free(b);
    free(c);
    return 1.0 / best;
}

/* CPU time (user and system) used by the runs this process has waited for. */
static double XpChildCpuSeconds(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_CHILDREN, &usage) != 0) {
        return 0;
    }
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 + (double)usage.ru_stime.tv_sec +
           (double)usage.ru_stime.tv_usec / 1e6;
}

/*
 * Echo round trips in virtual time: one schedule (the default strategy) of N write+read
 * round trips, timed from outside, minus a schedule of one round trip (load, start,
 * remove, unload), against the memcpy bound of the two copies per round trip. The CPU
 * time per round trip is printed as well: on a busy machine it varies less than the
 * elapsed time.
 */
static int XpRoundTripBenchmark(const KH_EXPLORE_CONFIG *Base)
{
    KH_EXPLORE_CONFIG config = *Base;
    config.MaxSteps = (uint64_t)Options.RoundTrips * 400 + 100000;
    config.MaxVirtualNs = (uint64_t)Options.RoundTrips * 4ull * Options.TimerMs * 1000000ull + 30ull * 1000000000ull;
    XpRoundTripSize = Options.RoundTripSize != 0 ? Options.RoundTripSize : 512;
    double elapsed[2], cpu[2];
    uint64_t steps = 0, virtualNs = 0;
    for (int pass = 0; pass < 2; pass++) {
        XpRoundTrips = pass == 0 ? 1 : Options.RoundTrips + 1;
        double start = XpSeconds();
        double cpuStart = XpChildCpuSeconds();
        XP_RESULT r = XpRun(&XpRoundTripScenario, &config, KH_EXPLORE_STRATEGY_DEFAULT, 0, NULL, 0, false);
        elapsed[pass] = XpSeconds() - start;
        cpu[pass] = XpChildCpuSeconds() - cpuStart;
        int load = XpCheckLoad(&r);
        if (load >= 0) {
            return load;
        }
        if (r.Exit != 0) {
            return XpReport(&XpRoundTripScenario, &config, 0, 0);
        }
        steps = Shared->StepCount;
        virtualNs = Shared->ClockNs - 1000000000ull;
    }
    double seconds = elapsed[1] - elapsed[0];
    double cpuPerRoundTrip = (cpu[1] - cpu[0]) / Options.RoundTrips;
    double rate = seconds > 0 ? Options.RoundTrips / seconds : 0;
    double bound = XpMemcpyBound(XpRoundTripSize);
    printf("roundtrip: %u round trips of %u bytes in %.3f s (%.1f s of virtual time, %.0f decisions each, "
           "%.1f us of CPU each): %.0f round trips per second; memcpy bound (two copies): %.0f per second; "
           "%.2f%% of it\n",
           Options.RoundTrips, XpRoundTripSize, seconds, (double)virtualNs / 1e9,
           (double)steps / (Options.RoundTrips + 1), cpuPerRoundTrip > 0 ? cpuPerRoundTrip * 1e6 : 0.0, rate, bound,
           bound > 0 ? 100.0 * rate / bound : 0.0);
    return 0;
}

/* ------------------------------------------------------------------ command line */

static int XpUsage(const char *Message)
{
    if (Message != NULL) {
        fprintf(stderr, "explore: %s\n", Message);
    }
    fprintf(stderr,
            "usage: explore --driver FILE.so|autosync|driversync [--scenario NAME|all] [--schedules N]\n"
            "               [--seed S] [--strategy random|pct|exhaustive] [--replay SEED]\n"
            "               [--pct-depth D] [--preemptions K] [--timer-ms MS] [--quiet]\n"
            "       explore --driver ... --roundtrips N [--size BYTES]   (benchmark, virtual time)\n"
            "       explore --driver ... --input FILE   (replay a fuzzer input with the full report)\n"
            "scenarios:");
    for (const XP_SCENARIO *s = XpScenarios; s->Name != NULL; s++) {
        fprintf(stderr, " %s", s->Name);
    }
    fprintf(stderr, "\n");
    return 2;
}

static bool XpNumber(const char *Text, uint64_t *Value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(Text, &end, 0);
    if (errno != 0 || end == Text || *end != '\0' || Text[0] == '-') {
        return false;
    }
    *Value = v;
    return true;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t number = 0;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            XpUsage(NULL);
            return 0;
        }
        if (strcmp(arg, "--quiet") == 0) {
            Options.Quiet = true;
            continue;
        }
        if (value == NULL) {
            return XpUsage("an option lacks its value");
        }
        i++;
        if (strcmp(arg, "--driver") == 0) {
            Options.Driver = value;
        } else if (strcmp(arg, "--label") == 0) {
            Options.DriverLabel = value;
        } else if (strcmp(arg, "--scenario") == 0) {
            Options.Scenario = value;
        } else if (strcmp(arg, "--service") == 0) {
            Options.Service = value;
        } else if (strcmp(arg, "--instance") == 0) {
            Options.Instance = value;
        } else if (strcmp(arg, "--input") == 0) {
            Options.Input = value;
        } else if (strcmp(arg, "--strategy") == 0) {
            if (strcmp(value, "random") == 0) {
                Options.Strategy = XP_RANDOM;
            } else if (strcmp(value, "pct") == 0) {
                Options.Strategy = XP_PCT;
            } else if (strcmp(value, "exhaustive") == 0) {
                Options.Strategy = XP_EXHAUSTIVE;
            } else {
                return XpUsage("--strategy is random, pct or exhaustive");
            }
        } else if (strcmp(arg, "--schedules") != 0 && strcmp(arg, "--seed") != 0 && strcmp(arg, "--replay") != 0 &&
                   strcmp(arg, "--pct-depth") != 0 && strcmp(arg, "--preemptions") != 0 &&
                   strcmp(arg, "--timer-ms") != 0 && strcmp(arg, "--roundtrips") != 0 &&
                   strcmp(arg, "--size") != 0) {
            return XpUsage("unknown option");
        } else if (!XpNumber(value, &number)) {
            return XpUsage("a number is expected");
        } else if (strcmp(arg, "--schedules") == 0 && number > 0) {
            Options.Schedules = number;
        } else if (strcmp(arg, "--seed") == 0) {
            Options.Seed = number;
        } else if (strcmp(arg, "--replay") == 0) {
            Options.Replay = true;
            Options.ReplaySeed = number;
        } else if (strcmp(arg, "--pct-depth") == 0 && number >= 1 && number <= 16) {
            Options.PctDepth = (uint32_t)number;
        } else if (strcmp(arg, "--preemptions") == 0 && number <= 64) {
            Options.Preemptions = (uint32_t)number;
        } else if (strcmp(arg, "--timer-ms") == 0 && number >= 1 && number <= 10000) {
            Options.TimerMs = (uint32_t)number;
        } else if (strcmp(arg, "--roundtrips") == 0 && number >= 1 && number <= 1000000) {
            Options.RoundTrips = (uint32_t)number;
        } else if (strcmp(arg, "--size") == 0 && number >= 1 && number <= 40960) {
            Options.RoundTripSize = (uint32_t)number;
        } else {
            return XpUsage("unknown option or value out of range");
        }
    }
    if (Options.Driver == NULL) {
        return XpUsage("--driver is required");
    }
    if (Options.DriverLabel == NULL) {
        Options.DriverLabel = Options.Driver;
    }
    const XP_SCENARIO *selected[64];
    size_t count = 0;
    for (const XP_SCENARIO *s = XpScenarios; s->Name != NULL; s++) {
        if (strcmp(Options.Scenario, "all") == 0 || strcmp(Options.Scenario, s->Name) == 0) {
            selected[count++] = s;
        }
    }
    if (count == 0) {
        return XpUsage("no such scenario");
    }
    if (Options.Replay && count != 1) {
        return XpUsage("--replay needs one --scenario");
    }
    if (access(Options.Driver, R_OK) != 0) {
        fprintf(stderr, "explore: the driver %s does not load: %s\n", Options.DriverLabel, strerror(errno));
        return 3;
    }
    size_t bytes = offsetof(KH_EXPLORE_SHARED, Steps) + (size_t)XP_CAPACITY * sizeof(KH_EXPLORE_STEP);
    Shared = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (Shared == MAP_FAILED) {
        perror("explore: mmap");
        return 2;
    }
    KH_EXPLORE_CONFIG base = {
        .PctDepth = Options.PctDepth,
        .MaxSteps = 100000,
        .MaxVirtualNs = 30ull * 1000000000ull,
    };
    if (Options.RoundTrips != 0) {
        return XpRoundTripBenchmark(&base);
    }
    if (Options.Input != NULL) {
        FILE *file = fopen(Options.Input, "rb");
        size_t size = file != NULL ? fread(XpInputData, 1, sizeof(XpInputData), file) : 0;
        if (file != NULL) {
            fclose(file);
        }
        if (!XpDecodeInput(XpInputData, size, &XpInput)) {
            return XpUsage("--input needs a fuzzer input of at least 10 bytes");
        }
        Options.Strategy = XpInput.Strategy == KH_EXPLORE_STRATEGY_PCT ? XP_PCT : XP_RANDOM;
        base.PctDepth = XpInput.PctDepth;
        Options.Replay = true;
        Options.ReplaySeed = XpInput.Seed;
        uint64_t runs = 0;
        int rc = XpSampled(&XpInputScenario, &base, &runs);
        if (rc == 0) {
            printf("explore: the input %s ran without a finding (%" PRIu64 " steps)\n", Options.Input,
                   Shared->StepCount);
        }
        return rc;
    }
    for (size_t k = 0; k < count; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        uint64_t runs = 0;
        uint64_t stepsTotal = 0;
        int rc = Options.Strategy == XP_EXHAUSTIVE ? XpExhaustive(selected[k], &base, &runs)
                                                    : XpSampled(selected[k], &base, &runs);
        stepsTotal = Shared->StepCount;
        if (rc != 0) {
            return rc;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (Options.Replay) {
            printf("explore: %s: the schedule with seed %" PRIu64 " ran without a finding (%" PRIu64 " steps)\n",
                   selected[k]->Name, Options.ReplaySeed, stepsTotal);
        } else {
            printf("explore: %s: %" PRIu64 " schedules (%s), no finding, %.0f schedules per second\n",
                   selected[k]->Name, runs, XpStrategyNames[Options.Strategy],
                   seconds > 0 ? (double)runs / seconds : 0.0);
        }
        fflush(stdout);
    }
    return 0;
}
