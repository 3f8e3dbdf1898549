/*
 * handle.c - the last error, typed reference-counted objects, the handle table, and
 * CloseHandle.
 *
 * Handles are small multiples of 4 (never NULL, never INVALID_HANDLE_VALUE), as on
 * Windows, where the two low bits of a kernel handle are tag bits that the object
 * manager ignores; the low bit of OVERLAPPED.hEvent relies on that ("a valid event
 * handle whose low-order bit is set keeps I/O completion from being queued to a
 * completion port", GetQueuedCompletionStatus documentation).
 */
#include <errno.h>
#include <stdlib.h>

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

BOOL KhW32FailStatus(KH_STATUS Status)
{
    return KhW32Fail(KmdfHostNtStatusToWin32Error(Status));
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

/* ------------------------------------------------------------------ objects */

void KhW32InitObject(KH_W32_OBJECT *Object, KH_W32_TYPE Type, KH_W32_DELETE_ROUTINE *Delete)
{
    Object->Type = Type;
    atomic_init(&Object->RefCount, 1);
    KhW32InitWaitList(&Object->WaitList);
    Object->Delete = Delete;
}

void KhW32Reference(KH_W32_OBJECT *Object)
{
    atomic_fetch_add_explicit(&Object->RefCount, 1, memory_order_relaxed);
}

void KhW32Dereference(KH_W32_OBJECT *Object)
{
    if (atomic_fetch_sub_explicit(&Object->RefCount, 1, memory_order_acq_rel) == 1) {
        Object->Delete(Object);
    }
}

/* ------------------------------------------------------------------ handle table */

static HOS_MUTEX TableLock;
static KH_W32_OBJECT **Table; /* Table[i] is the object of handle (i + 1) * 4 */
static size_t TableSize;
static size_t TableHint; /* no free slot below this index */

__attribute__((constructor)) static void KhW32HandleTableInit(void)
{
    HosMutexInit(&TableLock);
}

static bool HandleToIndex(HANDLE Handle, size_t *Index)
{
    uintptr_t Value = (uintptr_t)Handle & ~(uintptr_t)3;
    if (Handle == INVALID_HANDLE_VALUE || Value == 0) {
        return false;
    }
    *Index = (Value >> 2) - 1;
    return true;
}

HANDLE KhW32InsertHandle(KH_W32_OBJECT *Object)
{
    HANDLE Handle = NULL;
    HosMutexLock(&TableLock);
    size_t Index = TableHint;
    while (Index < TableSize && Table[Index] != NULL) {
        Index++;
    }
    if (Index == TableSize) {
        size_t NewSize = TableSize ? TableSize * 2 : 64;
        KH_W32_OBJECT **NewTable = realloc(Table, NewSize * sizeof(*NewTable));
        if (NewTable != NULL) {
            for (size_t i = TableSize; i < NewSize; i++) {
                NewTable[i] = NULL;
            }
            Table = NewTable;
            TableSize = NewSize;
        }
    }
    if (Index < TableSize) {
        Table[Index] = Object;
        TableHint = Index + 1;
        Handle = (HANDLE)(uintptr_t)((Index + 1) * 4);
    }
    HosMutexUnlock(&TableLock);
    return Handle;
}

KH_W32_OBJECT *KhW32ReferenceHandle(HANDLE Handle, KH_W32_TYPE Type)
{
    size_t Index;
    KH_W32_OBJECT *Object = NULL;
    if (!HandleToIndex(Handle, &Index)) {
        return NULL;
    }
    HosMutexLock(&TableLock);
    if (Index < TableSize && Table[Index] != NULL &&
        (Type == KhW32TypeAny || Table[Index]->Type == Type)) {
        Object = Table[Index];
        KhW32Reference(Object);
        if (Object->Type == KhW32TypeFile) {
            /* Under the table lock, so that CloseHandle cannot close the I/O manager's
               file between this lookup and the caller's use of it. */
            atomic_fetch_add(&((KH_W32_FILE *)Object)->KhUsers, 1);
        }
    }
    HosMutexUnlock(&TableLock);
    return Object;
}

void KhW32ReleaseHandleReference(KH_W32_OBJECT *Object)
{
    if (Object->Type == KhW32TypeFile) {
        KhW32ReleaseFileUser((KH_W32_FILE *)Object);
    }
    KhW32Dereference(Object);
}

/* Removes the handle's entry when its type is Type (any type but Excluded when Type is
   KhW32TypeAny); returns the object with the table's reference, or NULL. */
static KH_W32_OBJECT *RemoveEntry(HANDLE Handle, KH_W32_TYPE Type, KH_W32_TYPE Excluded)
{
    size_t Index;
    KH_W32_OBJECT *Object = NULL;
    if (!HandleToIndex(Handle, &Index)) {
        return NULL;
    }
    HosMutexLock(&TableLock);
    if (Index < TableSize && Table[Index] != NULL &&
        (Type == KhW32TypeAny ? Table[Index]->Type != Excluded : Table[Index]->Type == Type)) {
        Object = Table[Index];
        Table[Index] = NULL;
        if (Index < TableHint) {
            TableHint = Index;
        }
    }
    HosMutexUnlock(&TableLock);
    return Object;
}

KH_W32_OBJECT *KhW32RemoveHandle(HANDLE Handle, KH_W32_TYPE Type)
{
    return RemoveEntry(Handle, Type, KhW32TypeAny);
}

/*
 * CloseHandle: "Closes an open object handle." For a file, closing its (only) handle
 * sends IRP_MJ_CLEANUP, which cancels the I/O still pending on the file object; the
 * file object itself is closed (IRP_MJ_CLOSE) when its last reference goes. Closing a
 * completion port's handle makes threads blocked in GetQueuedCompletionStatus return
 * ERROR_ABANDONED_WAIT_0. A device information set is not a kernel handle (it is
 * released with SetupDiDestroyDeviceInfoList), so it is refused here.
 */
KMDFHOST_API BOOL CloseHandle(HANDLE hObject)
{
    KH_W32_OBJECT *Object = RemoveEntry(hObject, KhW32TypeAny, KhW32TypeDevInfo);
    if (Object == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    switch (Object->Type) {
    case KhW32TypeFile:
        KhW32CloseFile((KH_W32_FILE *)Object);
        break;
    case KhW32TypePort:
        KhW32ClosePort((KH_W32_PORT *)Object);
        KhW32Dereference(Object);
        break;
    default:
        KhW32Dereference(Object);
        break;
    }
    return TRUE;
}
