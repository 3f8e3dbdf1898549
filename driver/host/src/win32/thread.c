/*
 * thread.c - threads, sleeping, time and critical sections of kernel32: CreateThread,
 * GetExitCodeThread, GetCurrentThreadId, GetCurrentProcessId, SwitchToThread, Sleep,
 * SleepEx, ExitProcess, GetTickCount(64), QueryPerformanceCounter/Frequency and the
 * CRITICAL_SECTION functions.
 *
 * Threads, waits and the clock go through src/os like everything else in the host. A
 * thread object is waitable (sync.c): it is signalled when its routine returns, and it
 * stays signalled ("Processes and Threads": "When a thread terminates, the thread object
 * attains a signaled state, satisfying any threads that were waiting on the object").
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define WIN32_NO_STATUS
#include <windows.h>
#undef WIN32_NO_STATUS

#include "os/hostos.h"
#include "win32/win32p.h"

/* ------------------------------------------------------------------ thread ids */

/* Thread ids are handed out in creation order; a thread that CreateThread did not make
   (the program's main thread, a thread of the host) gets one when it first asks. */
static atomic_uint NextThreadId = 4;
static _Thread_local DWORD CurrentThreadId;

static DWORD AllocateThreadId(void)
{
    return atomic_fetch_add(&NextThreadId, 4);
}

KMDFHOST_API DWORD WINAPI GetCurrentThreadId(void)
{
    if (CurrentThreadId == 0) {
        CurrentThreadId = AllocateThreadId();
    }
    return CurrentThreadId;
}

KMDFHOST_API DWORD WINAPI GetCurrentProcessId(void)
{
    return (DWORD)getpid();
}

/* ------------------------------------------------------------------ CreateThread */

/* What the new thread needs before it calls the program's routine. */
typedef struct THREAD_START {
    LPTHREAD_START_ROUTINE Routine;
    LPVOID Parameter;
    DWORD Id;
} THREAD_START;

/* The start routine given to NtCreateThreadEx: the program's routine's result becomes
   the thread's exit status, as BaseThreadInitThunk makes it on Windows. */
static NTSTATUS NTAPI ThreadStart(PVOID Context)
{
    THREAD_START Start = *(THREAD_START *)Context;
    free(Context);
    CurrentThreadId = Start.Id;
    return (NTSTATUS)Start.Routine(Start.Parameter);
}

/*
 * CreateThread: NtCreateThreadEx. lpThreadAttributes and dwStackSize are accepted and
 * ignored (there is no security in the host, and threads get the system's default
 * stack). CREATE_SUSPENDED fails with ERROR_NOT_SUPPORTED: the host has no ResumeThread.
 */
KMDFHOST_API HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes,
                                        SIZE_T dwStackSize, LPTHREAD_START_ROUTINE lpStartAddress,
                                        LPVOID lpParameter, DWORD dwCreationFlags,
                                        LPDWORD lpThreadId)
{
    (void)lpThreadAttributes;
    if (lpStartAddress == NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (dwCreationFlags & CREATE_SUSPENDED) {
        KhW32SetLastError(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    THREAD_START *Start = malloc(sizeof(*Start));
    if (Start == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    Start->Routine = lpStartAddress;
    Start->Parameter = lpParameter;
    Start->Id = AllocateThreadId();
    DWORD Id = Start->Id;
    HANDLE Handle = NULL;
    NTSTATUS Status = NtCreateThreadEx(&Handle, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(),
                                       (PVOID)ThreadStart, Start, 0, 0, dwStackSize, 0, NULL);
    if (!NT_SUCCESS(Status)) {
        free(Start);
        KhW32FailStatus(Status);
        return NULL;
    }
    if (lpThreadId != NULL) {
        *lpThreadId = Id;
    }
    return Handle;
}

/* GetExitCodeThread: STILL_ACTIVE (STATUS_PENDING) while the thread runs, then its
   routine's result (NtQueryInformationThread, ThreadBasicInformation). */
KMDFHOST_API BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
    THREAD_BASIC_INFORMATION Info;
    NTSTATUS Status = NtQueryInformationThread(hThread, ThreadBasicInformation, &Info, sizeof(Info), NULL);
    if (!NT_SUCCESS(Status)) {
        return KhW32FailStatus(Status);
    }
    if (lpExitCode == NULL) {
        return KhW32Fail(ERROR_NOACCESS);
    }
    *lpExitCode = (DWORD)Info.ExitStatus;
    return TRUE;
}

KMDFHOST_API BOOL WINAPI SwitchToThread(void)
{
    HosYield();
    return TRUE;
}

/* ------------------------------------------------------------------ Sleep */

static HOS_MUTEX SleepLock;
static HOS_COND SleepCond; /* never signalled: sleeping is waiting for a time-out */

__attribute__((constructor)) static void KhW32SleepInit(void)
{
    HosMutexInit(&SleepLock);
    HosCondInit(&SleepCond);
}

/*
 * Sleep: "Suspends the execution of the current thread until the time-out interval
 * elapses." Sleep(0) gives up the rest of the time slice; INFINITE never returns.
 */
KMDFHOST_API void WINAPI Sleep(DWORD dwMilliseconds)
{
    if (dwMilliseconds == 0) {
        HosYield();
        return;
    }
    uint64_t Deadline = dwMilliseconds == INFINITE ? UINT64_MAX
                                                   : HosDeadlineAfter((uint64_t)dwMilliseconds * 1000000u);
    HosMutexLock(&SleepLock);
    for (;;) {
        if (Deadline == UINT64_MAX) {
            HosCondWait(&SleepCond, &SleepLock);
        } else if (!HosCondWaitUntil(&SleepCond, &SleepLock, Deadline)) {
            break;
        }
    }
    HosMutexUnlock(&SleepLock);
}

/* SleepEx: the host queues no APCs, so an alertable sleep is a sleep; returns 0. */
KMDFHOST_API DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable)
{
    (void)bAlertable;
    Sleep(dwMilliseconds);
    return 0;
}

/* ExitProcess: ends the process with uExitCode; the exit handlers run, so a program run
   by scripts/host-run still closes its handles and removes its device (process.c). */
KMDFHOST_API void WINAPI ExitProcess(UINT uExitCode)
{
    exit((int)uExitCode);
}

/* ------------------------------------------------------------------ time */

/* Milliseconds since the host's clock started (the system's monotonic clock). */
KMDFHOST_API ULONGLONG WINAPI GetTickCount64(void)
{
    return HosNowNs() / 1000000u;
}

/* GetTickCount: the same count, wrapping to zero every 49.7 days as documented. */
KMDFHOST_API DWORD WINAPI GetTickCount(void)
{
    return (DWORD)GetTickCount64();
}

/* A counter in nanoseconds: QueryPerformanceFrequency says 1,000,000,000 per second. */
KMDFHOST_API BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *lpPerformanceCount)
{
    if (lpPerformanceCount == NULL) {
        return KhW32Fail(ERROR_NOACCESS);
    }
    lpPerformanceCount->QuadPart = (LONGLONG)HosNowNs();
    return TRUE;
}

KMDFHOST_API BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *lpFrequency)
{
    if (lpFrequency == NULL) {
        return KhW32Fail(ERROR_NOACCESS);
    }
    lpFrequency->QuadPart = 1000000000;
    return TRUE;
}

/* ------------------------------------------------------------------ critical sections */

/*
 * A critical section is recursive: its owner may enter it again and must leave it as
 * often. The host keeps a mutex and condition in LockSemaphore; OwningThread holds the
 * owner's thread id and RecursionCount the depth, as on Windows.
 */
typedef struct KH_W32_CS {
    HOS_MUTEX Mutex;
    HOS_COND Released;
} KH_W32_CS;

static BOOL InitializeCs(LPCRITICAL_SECTION Cs, DWORD SpinCount)
{
    KH_W32_CS *Lock = calloc(1, sizeof(*Lock));
    if (Lock == NULL) {
        return KhW32Fail(ERROR_NOT_ENOUGH_MEMORY);
    }
    HosMutexInit(&Lock->Mutex);
    HosCondInit(&Lock->Released);
    Cs->DebugInfo = NULL;
    Cs->LockCount = -1;
    Cs->RecursionCount = 0;
    Cs->OwningThread = NULL;
    Cs->LockSemaphore = Lock;
    Cs->SpinCount = SpinCount;
    return TRUE;
}

KMDFHOST_API void WINAPI InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
    if (!InitializeCs(lpCriticalSection, 0)) {
        /* Windows raises STATUS_NO_MEMORY here; the host ends the program the same way. */
        fprintf(stderr, "kmdfhost: InitializeCriticalSection: out of memory\n");
        abort();
    }
}

KMDFHOST_API BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection,
                                                               DWORD dwSpinCount)
{
    return InitializeCs(lpCriticalSection, dwSpinCount);
}

static void EnterCs(LPCRITICAL_SECTION Cs, bool Wait, bool *Entered)
{
    KH_W32_CS *Lock = Cs->LockSemaphore;
    HANDLE Self = (HANDLE)(ULONG_PTR)GetCurrentThreadId();
    HosMutexLock(&Lock->Mutex);
    if (Cs->OwningThread == Self) {
        Cs->RecursionCount++;
        *Entered = true;
    } else {
        while (Cs->OwningThread != NULL && Wait) {
            HosCondWait(&Lock->Released, &Lock->Mutex);
        }
        *Entered = Cs->OwningThread == NULL;
        if (*Entered) {
            Cs->OwningThread = Self;
            Cs->RecursionCount = 1;
            Cs->LockCount = 0;
        }
    }
    HosMutexUnlock(&Lock->Mutex);
}

KMDFHOST_API void WINAPI EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
    bool Entered;
    EnterCs(lpCriticalSection, true, &Entered);
}

KMDFHOST_API BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
    bool Entered;
    EnterCs(lpCriticalSection, false, &Entered);
    return Entered ? TRUE : FALSE;
}

/* Leaving a critical section the thread does not own is a program error that Windows
   leaves undefined (a later EnterCriticalSection may hang); the host reports it. */
KMDFHOST_API void WINAPI LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
    KH_W32_CS *Lock = lpCriticalSection->LockSemaphore;
    HANDLE Self = (HANDLE)(ULONG_PTR)GetCurrentThreadId();
    HosMutexLock(&Lock->Mutex);
    if (lpCriticalSection->OwningThread != Self) {
        HosMutexUnlock(&Lock->Mutex);
        fprintf(stderr, "kmdfhost: LeaveCriticalSection by thread %u, which does not own it\n",
                GetCurrentThreadId());
        abort();
    }
    if (--lpCriticalSection->RecursionCount == 0) {
        lpCriticalSection->OwningThread = NULL;
        lpCriticalSection->LockCount = -1;
        HosCondSignal(&Lock->Released);
    }
    HosMutexUnlock(&Lock->Mutex);
}

KMDFHOST_API void WINAPI DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection)
{
    KH_W32_CS *Lock = lpCriticalSection->LockSemaphore;
    if (Lock != NULL) {
        HosCondDestroy(&Lock->Released);
        HosMutexDestroy(&Lock->Mutex);
        free(Lock);
        lpCriticalSection->LockSemaphore = NULL;
    }
}
