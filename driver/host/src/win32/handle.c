/*
 * handle.c - the last error, CloseHandle, and the status mapping export.
 */
#include <errno.h>

#include "win32/win32p.h"

/* ------------------------------------------------------------------ last error */

/* The thread's last error, as the TEB's LastErrorValue on Windows. */
static _Thread_local DWORD LastError;

void KhW32SetLastError(DWORD Error)
{
    LastError = Error;
    /*
     * JNA's Native.getLastError() and LastErrorException read errno on non-Windows
     * platforms, so the same value goes to errno of the same thread. Callers set the
     * last error as their final action so that nothing overwrites errno afterwards.
     */
    errno = (int)Error;
}

BOOL KhW32Fail(DWORD Error)
{
    KhW32SetLastError(Error);
    return FALSE;
}

BOOL KhW32FailStatus(NTSTATUS Status)
{
    return KhW32Fail(RtlNtStatusToDosError(Status));
}

PLARGE_INTEGER KhW32Timeout(DWORD Milliseconds, PLARGE_INTEGER Storage)
{
    if (Milliseconds == INFINITE) {
        return NULL;
    }
    Storage->QuadPart = -(LONGLONG)Milliseconds * 10000;
    return Storage;
}

/* GetLastError: "The return value is the calling thread's last-error code." */
KMDFHOST_API DWORD GetLastError(void)
{
    return LastError;
}

/* SetLastError: sets the calling thread's last-error code (and errno, see above). */
KMDFHOST_API void SetLastError(DWORD dwErrCode)
{
    KhW32SetLastError(dwErrCode);
}

/* The host's export of RtlNtStatusToDosError for the mapping tests (kmdfhost_win32.h). */
KMDFHOST_API DWORD KmdfHostNtStatusToWin32Error(KH_STATUS Status)
{
    return RtlNtStatusToDosError(Status);
}

/*
 * CloseHandle: "Closes an open object handle" - NtClose. For a file, closing its last
 * handle sends IRP_MJ_CLEANUP, which cancels the I/O still pending on the file object
 * (and on a synchronous handle first waits for a call in progress); closing a
 * completion port's handle makes threads blocked in GetQueuedCompletionStatus return
 * ERROR_ABANDONED_WAIT_0. A device information set is not a kernel handle (it is
 * released with SetupDiDestroyDeviceInfoList): ERROR_INVALID_HANDLE.
 */
KMDFHOST_API BOOL CloseHandle(HANDLE hObject)
{
    NTSTATUS Status = NtClose(hObject);
    if (!NT_SUCCESS(Status)) {
        return KhW32FailStatus(Status);
    }
    return TRUE;
}
