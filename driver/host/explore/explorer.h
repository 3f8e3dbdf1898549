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

#endif /* EXPLORER_H */
