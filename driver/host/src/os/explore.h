/*
 * explore.h - the explore-mode halves of the hostos primitives (os/explore.c). hostos.c
 * calls these when HosExploring is set; nothing else does.
 */
#ifndef HOS_EXPLORE_H
#define HOS_EXPLORE_H

#include "hostos.h"

typedef struct HOS_XTASK HOS_XTASK;

void HosXMutexLock(HOS_MUTEX *Mutex);
void HosXMutexUnlock(HOS_MUTEX *Mutex);
bool HosXMutexTryLock(HOS_MUTEX *Mutex);
void HosXCondSignal(HOS_COND *Cond, bool All);
/* false on time-out */
bool HosXCondWait(HOS_COND *Cond, HOS_MUTEX *Mutex, uint64_t DeadlineNs);
uint64_t HosXNow(void);
void HosXYield(void);
/* A new task that runs Routine(Context) when the scheduler first chooses it. NULL on failure. */
HOS_XTASK *HosXTaskCreate(const char *Name, HOS_THREAD_ROUTINE *Routine, void *Context);
/* Waits until the task has ended (a scheduling point), then frees it. */
void HosXTaskJoin(HOS_XTASK *Task);

/* The calling task's id, or -1 when the caller is not a task. */
int HosXCurrentTask(void);
/* A task's name (tasks keep their ids until the next run begins). */
const char *HosXTaskNameOf(int Id);
/* This run records source locations (the final run of a report, or a fuzzer's). */
bool HosXSymbolizing(void);

/* The race detector's (os/race.c) task events. */
void HosRaceReset(void);
void HosRaceTaskStarted(int Creator, int Task);
void HosRaceTaskJoined(int Joiner, int Task);

#endif /* HOS_EXPLORE_H */
