/*
 * explorer.h - the schedule explorer's program (kmdfhost-explore): its scenarios and
 * what they run against.
 */
#ifndef EXPLORER_H
#define EXPLORER_H

#include <stdbool.h>
#include <stdint.h>

#include "kmdfhost.h"
#include "kmdfhost_explore.h"
#include "kmdfhost_win32.h"

/* The device a scenario works on: started before it runs, removed after. */
typedef struct XP_TARGET {
    const wchar_t *Path; /* the device interface's path */
    KH_DRIVER *Driver;
    KH_DEVNODE *Node;
} XP_TARGET;

typedef struct XP_SCENARIO {
    const char *Name;
    const char *Description;
    void (*Run)(const XP_TARGET *Target);
} XP_SCENARIO;

/* Ended by an entry with a NULL name. */
extern const XP_SCENARIO XpScenarios[];

/* The benchmark scenario (not among XpScenarios): XpRoundTrips write+read round trips of
   XpRoundTripSize bytes, one after the other, each checked. */
extern const XP_SCENARIO XpRoundTripScenario;
extern uint32_t XpRoundTrips;
extern uint32_t XpRoundTripSize;

/* Which driver and device a run sets up. */
typedef struct XP_SETUP {
    const char *Driver;   /* the module's path */
    const char *Service;  /* its service name (registry parameters) */
    const char *Instance; /* the root device's instance id */
    uint32_t TimerMs;     /* TimerPeriodMs, for drivers that read it */
} XP_SETUP;

#define XP_NO_LOAD 3
#define XP_NO_START 4

/*
 * In explore mode: loads the driver, adds and starts the device, runs Body on it, removes
 * the device and unloads the driver (where the verifier checks for leaks). Returns 0, or
 * XP_NO_LOAD / XP_NO_START. A finding ends the run through KmdfHostExploreFinding.
 */
int XpWithDevice(const XP_SETUP *Setup, void (*Body)(const XP_TARGET *Target, const void *Context),
                 const void *Context);

/*
 * An operation sequence, as the fuzzer makes them: each byte is one operation (its low
 * three bits the kind, the rest a parameter): start a write or a read, CancelIoEx one
 * I/O or all from another thread, wait for the oldest I/O, suspend and resume the device
 * from another thread, close the handle from another thread (the next I/O reopens it),
 * surprise removal (the last operation). Then every I/O is waited for and checked.
 */
void XpRunOps(const XP_TARGET *Target, const uint8_t *Ops, size_t Count);

/*
 * A fuzzer input (fuzz/fuzz_explore.c), which scripts/explore --input replays: one byte
 * for the strategy (bit 0: PCT, else random walk; bits 1 and up: the PCT depth, 2 + n % 3),
 * eight bytes of seed (little-endian), then the operations (XpRunOps). PCT draws its
 * change points from the first XP_INPUT_PCT_STEPS decisions. false when too short.
 */
typedef struct XP_INPUT {
    int Strategy; /* KH_EXPLORE_STRATEGY_RANDOM or _PCT */
    uint64_t Seed;
    uint32_t PctDepth;
    const uint8_t *Ops;
    size_t OpCount;
} XP_INPUT;
#define XP_INPUT_PCT_STEPS 400
bool XpDecodeInput(const uint8_t *Data, size_t Size, XP_INPUT *Input);

#endif /* EXPLORER_H */
