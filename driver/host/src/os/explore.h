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

#endif /* HOS_EXPLORE_H */
