/*
 * fuzz_explore.c - a libFuzzer target over operation sequences and scheduler choices.
 *
 * An input is: one byte for the strategy (even: random walk, odd: PCT), eight bytes of
 * seed for the scheduler, then up to 24 operations (explorer.h, XpDecodeInput and
 * XpRunOps: writes, reads,
 * CancelIoEx, waits, suspend and resume, close from another thread, surprise removal).
 * Each input is one run in explore mode against the driver named by the environment
 * variable KMDFHOST_FUZZ_DRIVER: load, start, the operations, remove, unload. The
 * oracle is the verifier (every rule, leaks at unload included), the explorer's own
 * findings (DEADLOCK, LIVELOCK, HANG) and the operations' properties (every I/O
 * completes once, with an allowed status, echo semantics): a finding prints its
 * VERIFIER line and the seed and aborts, which libFuzzer records as a crash with the
 * input that reproduces it. The runs follow one another in the one process (explore
 * mode allows that), so libFuzzer's coverage of the host guides it. scripts/explore
 * --input FILE replays an input with the explorer's full report (shortened schedule).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explorer.h"

#define FZ_CAPACITY (1u << 16)

static KH_EXPLORE_SHARED *FzShared;
static XP_SETUP FzSetup = {NULL, "EchoKmdf", "ROOT\\ECHO\\0000", 10};

typedef struct FZ_OPS {
    const uint8_t *Ops;
    size_t Count;
} FZ_OPS;

static void FzBody(const XP_TARGET *Target, const void *Context)
{
    const FZ_OPS *ops = Context;
    XpRunOps(Target, ops->Ops, ops->Count);
}

int LLVMFuzzerInitialize(int *Argc, char ***Argv)
{
    (void)Argc;
    (void)Argv;
    FzSetup.Driver = getenv("KMDFHOST_FUZZ_DRIVER");
    if (FzSetup.Driver == NULL) {
        fprintf(stderr, "kmdfhost-fuzz: set KMDFHOST_FUZZ_DRIVER to the driver module to fuzz\n");
        exit(2);
    }
    FzShared = calloc(1, sizeof(KH_EXPLORE_SHARED) + (size_t)FZ_CAPACITY * sizeof(KH_EXPLORE_STEP));
    if (FzShared == NULL) {
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    XP_INPUT input;
    if (!XpDecodeInput(Data, Size, &input)) {
        return 0;
    }
    memset(FzShared, 0, sizeof(*FzShared));
    FzShared->Capacity = FZ_CAPACITY;
    KH_EXPLORE_CONFIG config = {
        .Strategy = input.Strategy,
        .Seed = input.Seed,
        .PctDepth = input.PctDepth,
        .PctSteps = XP_INPUT_PCT_STEPS,
        .MaxSteps = 100000,
        .MaxVirtualNs = 30ull * 1000000000ull,
        .AbortOnFinding = 1,
        .Shared = FzShared,
    };
    KmdfHostExploreBegin(&config);
    FZ_OPS ops = {input.Ops, input.OpCount};
    int rc = XpWithDevice(&FzSetup, FzBody, &ops);
    if (rc != 0) {
        fprintf(stderr, "kmdfhost-fuzz: the driver %s %s\n", FzSetup.Driver,
                rc == XP_NO_LOAD ? "does not load" : "loads but its device does not start");
        exit(3);
    }
    KmdfHostExploreEnd();
    return 0;
}
