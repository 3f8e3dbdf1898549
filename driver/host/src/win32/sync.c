/*
 * sync.c - events, WaitForSingleObject and WaitForMultipleObjects, on the NT services
 * (NtCreateEvent, NtSetEvent, NtResetEvent, NtWaitForMultipleObjects).
 *
 * What a wait sees, following "Wait Functions" and "Synchronization Objects": an event
 * (an auto-reset event is reset by the wait it satisfies), a file (signalled when an
 * I/O of the file completes, reset when one starts: which is why GetOverlappedResult
 * prefers hEvent), a completion port (signalled while packets are queued). Device
 * information sets are not kernel objects (ERROR_INVALID_HANDLE).
 */
#include "win32/win32p.h"

/*
 * CreateEventW: an unnamed event, manual-reset (NotificationEvent) or auto-reset
 * (SynchronizationEvent), initially signalled or not. Named events (shared between
 * processes on Windows) are not supported by the host and fail with ERROR_NOT_SUPPORTED;
 * lpEventAttributes is accepted and ignored (no security or handle inheritance).
 */
KMDFHOST_API HANDLE CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                                 BOOL bInitialState, LPCWSTR lpName)
{
    (void)lpEventAttributes;
    if (lpName != NULL && lpName[0] != L'\0') {
        KhW32SetLastError(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    HANDLE Handle = NULL;
    NTSTATUS Status = NtCreateEvent(&Handle, EVENT_ALL_ACCESS, NULL,
                                    bManualReset ? NotificationEvent : SynchronizationEvent,
                                    bInitialState ? 1 : 0);
    if (!NT_SUCCESS(Status)) {
        KhW32FailStatus(Status);
        return NULL;
    }
    /* An unnamed event did not exist before: the last error is ERROR_SUCCESS. */
    KhW32SetLastError(ERROR_SUCCESS);
    return Handle;
}

KMDFHOST_API BOOL SetEvent(HANDLE hEvent)
{
    NTSTATUS Status = NtSetEvent(hEvent, NULL);
    return NT_SUCCESS(Status) ? TRUE : KhW32FailStatus(Status);
}

KMDFHOST_API BOOL ResetEvent(HANDLE hEvent)
{
    NTSTATUS Status = NtResetEvent(hEvent, NULL);
    return NT_SUCCESS(Status) ? TRUE : KhW32FailStatus(Status);
}

/*
 * WaitForMultipleObjects: WAIT_OBJECT_0 + index (wait-any: the lowest signalled index;
 * wait-all: WAIT_OBJECT_0), WAIT_TIMEOUT, or WAIT_FAILED with the last error set
 * (ERROR_INVALID_PARAMETER for a bad count or, with bWaitAll, a handle given twice;
 * ERROR_INVALID_HANDLE for a handle that is not a waitable object).
 */
KMDFHOST_API DWORD WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                          DWORD dwMilliseconds)
{
    if (nCount == 0 || nCount > MAXIMUM_WAIT_OBJECTS || lpHandles == NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    HANDLE Handles[MAXIMUM_WAIT_OBJECTS];
    for (DWORD i = 0; i < nCount; i++) {
        Handles[i] = lpHandles[i];
    }
    LARGE_INTEGER Storage;
    NTSTATUS Status = NtWaitForMultipleObjects(nCount, Handles, bWaitAll ? WaitAll : WaitAny, 0,
                                               KhW32Timeout(dwMilliseconds, &Storage));
    if (Status == STATUS_TIMEOUT) {
        return WAIT_TIMEOUT;
    }
    if (NT_SUCCESS(Status) && (DWORD)Status < MAXIMUM_WAIT_OBJECTS) {
        return WAIT_OBJECT_0 + (DWORD)Status;
    }
    if (Status >= STATUS_ABANDONED_WAIT_0 && Status <= STATUS_ABANDONED_WAIT_63) {
        return WAIT_ABANDONED_0 + (DWORD)(Status - STATUS_ABANDONED_WAIT_0);
    }
    if (Status == STATUS_OBJECT_TYPE_MISMATCH) {
        KhW32SetLastError(ERROR_INVALID_HANDLE);
    } else {
        KhW32FailStatus(Status);
    }
    return WAIT_FAILED;
}

KMDFHOST_API DWORD WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    return WaitForMultipleObjects(1, &hHandle, FALSE, dwMilliseconds);
}
