/*
 * file.c - CreateFileW on devices, ReadFile, WriteFile, DeviceIoControl,
 * GetOverlappedResult(Ex), CancelIo, CancelIoEx, SetFileCompletionNotificationModes, on
 * NtCreateFile, NtReadFile, NtWriteFile, NtDeviceIoControlFile, NtCancelIoFile(Ex) and
 * NtSetInformationFile, as kernel32 does on Windows:
 *
 * - The OVERLAPPED is the I/O status block: Internal receives the NTSTATUS, InternalHigh
 *   the byte count. kernel32 sets Internal to STATUS_PENDING before the call, passes
 *   hEvent as the Event and the OVERLAPPED as the ApcContext of the packet, or no
 *   ApcContext when the low bit of hEvent is set ("a valid event handle whose low-order
 *   bit is set keeps I/O completion from being queued to a completion port"), and the
 *   OVERLAPPED's Offset/OffsetHigh as the byte offset.
 * - STATUS_PENDING becomes FALSE with ERROR_IO_PENDING; a success returned at once, TRUE
 *   with the byte count; any other status (a warning such as STATUS_BUFFER_OVERFLOW
 *   included, since it is not NT_SUCCESS) FALSE with the mapped error. A request that
 *   failed at once with an error status was not completed towards the OVERLAPPED, the
 *   event or the port (the I/O manager's rule, io/ntapi.c), so an application handles
 *   such a failure where the call returns, and only there.
 * - Without an OVERLAPPED the call is synchronous: on a synchronous handle the I/O
 *   manager waits; the byte count is also reported for warnings ("ERROR_MORE_DATA ...
 *   lpBytesReturned indicates the amount of data received"), and a read that reaches the
 *   end of the file succeeds with 0 bytes ("When a synchronous read operation reaches the
 *   end of a file, ReadFile returns TRUE and sets *lpNumberOfBytesRead to zero").
 * The buffers and OVERLAPPED structures belong to the caller and must stay valid until
 * the operation completes, as on Windows.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "win32/win32p.h"

/*
 * CreateFileW on a device path ("\\?\ROOT#ECHO#0000#{...}" as SetupAPI returns it, or
 * "\\.\Name"), turned into the NT path "\??\..." as RtlDosPathNameToNtPathName does, or on
 * a file of the host (any other path; relative ones from the current directory). A
 * device's create request carries the disposition, for the driver to judge; an
 * out-of-range disposition is ERROR_INVALID_PARAMETER as documented. A path that names
 * no present device fails with ERROR_FILE_NOT_FOUND (STATUS_OBJECT_NAME_NOT_FOUND).
 * Without FILE_FLAG_OVERLAPPED the file object is synchronous
 * (FILE_SYNCHRONOUS_IO_NONALERT).
 */
KMDFHOST_API HANDLE CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                                LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
                                HANDLE hTemplateFile)
{
    (void)lpSecurityAttributes;
    (void)hTemplateFile;
    static const ULONG Dispositions[] = {0, FILE_CREATE, FILE_OVERWRITE_IF, FILE_OPEN,
                                         FILE_OPEN_IF, FILE_OVERWRITE};
    if (lpFileName == NULL || dwCreationDisposition < CREATE_NEW ||
        dwCreationDisposition > TRUNCATE_EXISTING) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    if (lpFileName[0] == L'\0') {
        KhW32SetLastError(ERROR_PATH_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    /* "\\?\X" and "\\.\X" both name the Win32 device namespace, \??\X. Any other path
       is a file of the host's file system, "\" or "/" separating its components: an
       absolute one ("/x", "\x") as it is, a relative one from the current directory, as
       RtlDosPathNameToNtPathName completes it (hostfile.c of the I/O manager opens it). */
    const wchar_t *Name = lpFileName;
    wchar_t *Absolute = NULL;
    if (wcsncmp(Name, L"\\\\?\\", 4) == 0 || wcsncmp(Name, L"\\\\.\\", 4) == 0) {
        Name += 4;
    } else if (Name[0] == L'\\' || Name[0] == L'/') {
        Absolute = wcsdup(Name);
        if (Absolute != NULL) {
            Absolute[0] = L'/';
        }
        Name = Absolute;
    } else {
        char Cwd[4096];
        wchar_t *WideCwd = getcwd(Cwd, sizeof(Cwd)) != NULL ? KhW32Utf8ToWide(Cwd) : NULL;
        size_t Length = WideCwd != NULL ? wcslen(WideCwd) + 1 + wcslen(Name) + 1 : 0;
        Absolute = WideCwd != NULL ? malloc(Length * sizeof(wchar_t)) : NULL;
        if (Absolute != NULL) {
            swprintf(Absolute, Length, L"%ls/%ls", WideCwd, Name);
        }
        free(WideCwd);
        Name = Absolute;
    }
    if (Name == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    size_t Units = 0;
    uint16_t *Utf16 = KhW32WideToUtf16(Name, &Units);
    free(Absolute);
    uint16_t *Path = Utf16 != NULL ? malloc((Units + 4) * sizeof(uint16_t)) : NULL;
    if (Path == NULL || Units + 4 > 0x7FFF) {
        free(Utf16);
        free(Path);
        KhW32SetLastError(Utf16 == NULL ? ERROR_INVALID_NAME : ERROR_FILENAME_EXCED_RANGE);
        return INVALID_HANDLE_VALUE;
    }
    Path[0] = '\\';
    Path[1] = '?';
    Path[2] = '?';
    Path[3] = '\\';
    memcpy(Path + 4, Utf16, Units * sizeof(uint16_t));
    free(Utf16);
    UNICODE_STRING NtName = {(USHORT)((Units + 4) * sizeof(uint16_t)),
                             (USHORT)((Units + 4) * sizeof(uint16_t)), Path};
    OBJECT_ATTRIBUTES Attributes;
    InitializeObjectAttributes(&Attributes, &NtName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    IO_STATUS_BLOCK Iosb = {{0}, 0};
    HANDLE Handle = NULL;
    ULONG Options = FILE_NON_DIRECTORY_FILE;
    if (!(dwFlagsAndAttributes & FILE_FLAG_OVERLAPPED)) {
        Options |= FILE_SYNCHRONOUS_IO_NONALERT;
    }
    NTSTATUS Status = NtCreateFile(&Handle, dwDesiredAccess | SYNCHRONIZE | FILE_READ_ATTRIBUTES,
                                   &Attributes, &Iosb, NULL, dwFlagsAndAttributes & 0xFFFFu,
                                   dwShareMode, Dispositions[dwCreationDisposition], Options,
                                   NULL, 0);
    free(Path);
    if (!NT_SUCCESS(Status)) {
        KhW32FailStatus(Status);
        return INVALID_HANDLE_VALUE;
    }
    /* OPEN_ALWAYS (or CREATE_ALWAYS) on something that exists reports
       ERROR_ALREADY_EXISTS; otherwise a successful CreateFileW leaves ERROR_SUCCESS. */
    bool Existed = (dwCreationDisposition == OPEN_ALWAYS || dwCreationDisposition == CREATE_ALWAYS) &&
                   Iosb.Information == FILE_OPENED;
    KhW32SetLastError(Existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return Handle;
}

/* ------------------------------------------------------------------ read, write, control */

typedef enum IO_KIND { IoRead, IoWrite, IoControl } IO_KIND;

static NTSTATUS Issue(IO_KIND Kind, HANDLE Handle, HANDLE Event, PVOID ApcContext,
                      PIO_STATUS_BLOCK Iosb, DWORD Code, void *Buffer, DWORD Length, void *Output,
                      DWORD OutputLength, PLARGE_INTEGER Offset)
{
    switch (Kind) {
    case IoRead:
        return NtReadFile(Handle, Event, NULL, ApcContext, Iosb, Buffer, Length, Offset, NULL);
    case IoWrite:
        return NtWriteFile(Handle, Event, NULL, ApcContext, Iosb, Buffer, Length, Offset, NULL);
    default:
        return NtDeviceIoControlFile(Handle, Event, NULL, ApcContext, Iosb, Code, Buffer, Length,
                                     Output, OutputLength);
    }
}

static BOOL DoIo(IO_KIND Kind, HANDLE Handle, DWORD Code, void *Buffer, DWORD Length, void *Output,
                 DWORD OutputLength, LPDWORD Bytes, OVERLAPPED *Overlapped)
{
    /* "sets this value to zero before doing any work or error checking" */
    if (Bytes != NULL) {
        *Bytes = 0;
    }
    if (Overlapped != NULL) {
        __atomic_store_n(&Overlapped->Internal, (ULONG_PTR)(uint32_t)STATUS_PENDING,
                         __ATOMIC_RELAXED);
        LARGE_INTEGER Offset;
        Offset.LowPart = Overlapped->Offset;
        Offset.HighPart = (LONG)Overlapped->OffsetHigh;
        HANDLE Event = Overlapped->hEvent;
        PVOID ApcContext = ((uintptr_t)Event & 1u) ? NULL : Overlapped;
        NTSTATUS Status = Issue(Kind, Handle, Event, ApcContext, (PIO_STATUS_BLOCK)(void *)Overlapped,
                                Code, Buffer, Length, Output, OutputLength, &Offset);
        if (Status == STATUS_PENDING) {
            return KhW32Fail(ERROR_IO_PENDING);
        }
        if (NT_SUCCESS(Status)) {
            if (Bytes != NULL) {
                *Bytes = (DWORD)__atomic_load_n(&Overlapped->InternalHigh, __ATOMIC_RELAXED);
            }
            return TRUE;
        }
        return KhW32FailStatus(Status);
    }
    if (Bytes == NULL) {
        /* "This parameter can be NULL only when the lpOverlapped parameter is not NULL." */
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    IO_STATUS_BLOCK Iosb = {{0}, 0};
    NTSTATUS Status = Issue(Kind, Handle, NULL, NULL, &Iosb, Code, Buffer, Length, Output,
                            OutputLength, NULL);
    if (Status == STATUS_PENDING) {
        /* A device control on an asynchronous handle without an OVERLAPPED: kernel32
           waits on the file handle, which the I/O manager signals at completion. */
        NTSTATUS Wait = NtWaitForSingleObject(Handle, 0, NULL);
        if (!NT_SUCCESS(Wait)) {
            return KhW32FailStatus(Wait);
        }
        Status = __atomic_load_n(&Iosb.Status, __ATOMIC_ACQUIRE);
    }
    if (NT_SUCCESS(Status)) {
        *Bytes = (DWORD)Iosb.Information;
        return TRUE;
    }
    if (Kind == IoRead && Status == STATUS_END_OF_FILE) {
        *Bytes = 0;
        return TRUE;
    }
    if (NT_WARNING(Status)) {
        *Bytes = (DWORD)Iosb.Information;
    }
    return KhW32FailStatus(Status);
}

KMDFHOST_API BOOL ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                           LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped)
{
    return DoIo(IoRead, hFile, 0, lpBuffer, nNumberOfBytesToRead, NULL, 0, lpNumberOfBytesRead,
                lpOverlapped);
}

KMDFHOST_API BOOL WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                            LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped)
{
    /* The I/O manager only reads a write's buffer, so dropping const here is sound. */
    return DoIo(IoWrite, hFile, 0, (void *)(uintptr_t)lpBuffer, nNumberOfBytesToWrite, NULL, 0,
                lpNumberOfBytesWritten, lpOverlapped);
}

/*
 * DeviceIoControl: IRP_MJ_DEVICE_CONTROL with the input and output buffers. A driver
 * that does not handle the code lets the framework complete the request with
 * STATUS_INVALID_DEVICE_REQUEST, which the caller sees as ERROR_INVALID_FUNCTION.
 */
KMDFHOST_API BOOL DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer,
                                  DWORD nInBufferSize, LPVOID lpOutBuffer, DWORD nOutBufferSize,
                                  LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped)
{
    return DoIo(IoControl, hDevice, dwIoControlCode, lpInBuffer, nInBufferSize, lpOutBuffer,
                nOutBufferSize, lpBytesReturned, lpOverlapped);
}

/* ------------------------------------------------------------------ results */

/*
 * GetOverlappedResultEx, as documented: when OVERLAPPED.Internal is still
 * STATUS_PENDING, a zero time-out fails with ERROR_IO_INCOMPLETE; otherwise the call
 * waits on hEvent or, when hEvent is NULL, on the file handle itself ("If the hEvent
 * member of the OVERLAPPED structure is NULL, the system uses the state of the hFile
 * handle to signal when the operation has been completed"), and a wait that runs out
 * fails with WAIT_TIMEOUT. Then InternalHigh is the byte count and Internal the status:
 * TRUE for success, FALSE with the mapped error otherwise. bAlertable is ignored (the
 * host has no APCs, so WAIT_IO_COMPLETION never happens).
 */
KMDFHOST_API BOOL GetOverlappedResultEx(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                        LPDWORD lpNumberOfBytesTransferred,
                                        DWORD dwMilliseconds, BOOL bAlertable)
{
    (void)bAlertable;
    if (lpOverlapped == NULL || lpNumberOfBytesTransferred == NULL) {
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    NTSTATUS Status =
        (NTSTATUS)(uint32_t)__atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
    if (Status == STATUS_PENDING) {
        if (dwMilliseconds == 0) {
            return KhW32Fail(ERROR_IO_INCOMPLETE);
        }
        HANDLE Wait = lpOverlapped->hEvent != NULL ? lpOverlapped->hEvent : hFile;
        DWORD Result = WaitForSingleObject(Wait, dwMilliseconds);
        if (Result == WAIT_TIMEOUT) {
            return KhW32Fail(WAIT_TIMEOUT);
        }
        if (Result != WAIT_OBJECT_0) {
            return FALSE; /* WAIT_FAILED: the last error is set */
        }
        Status = (NTSTATUS)(uint32_t)__atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
        if (Status == STATUS_PENDING) {
            /* The object was signalled by something else than this operation. */
            return KhW32Fail(ERROR_IO_INCOMPLETE);
        }
    }
    *lpNumberOfBytesTransferred =
        (DWORD)__atomic_load_n(&lpOverlapped->InternalHigh, __ATOMIC_RELAXED);
    if (!NT_SUCCESS(Status)) {
        return KhW32FailStatus(Status);
    }
    return TRUE;
}

KMDFHOST_API BOOL GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                      LPDWORD lpNumberOfBytesTransferred, BOOL bWait)
{
    return GetOverlappedResultEx(hFile, lpOverlapped, lpNumberOfBytesTransferred,
                                 bWait ? INFINITE : 0, FALSE);
}

/* ------------------------------------------------------------------ cancellation */

/*
 * CancelIo: "Cancels all pending input and output (I/O) operations that are issued by
 * the calling thread for the specified file" (NtCancelIoFile). Succeeds also when there
 * is nothing to cancel; the cancelled operations complete with ERROR_OPERATION_ABORTED.
 */
KMDFHOST_API BOOL CancelIo(HANDLE hFile)
{
    IO_STATUS_BLOCK Iosb;
    NTSTATUS Status = NtCancelIoFile(hFile, &Iosb);
    return NT_SUCCESS(Status) ? TRUE : KhW32FailStatus(Status);
}

/*
 * CancelIoEx (NtCancelIoFileEx): with lpOverlapped NULL, "all I/O requests issued for
 * hFile by any thread in the calling process are canceled"; otherwise only the request
 * of that OVERLAPPED (its I/O status block). "If this function cannot find a request to
 * cancel, the return value is 0 (zero), and GetLastError returns ERROR_NOT_FOUND."
 */
KMDFHOST_API BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped)
{
    IO_STATUS_BLOCK Iosb;
    NTSTATUS Status = NtCancelIoFileEx(hFile, (PIO_STATUS_BLOCK)(void *)lpOverlapped, &Iosb);
    return NT_SUCCESS(Status) ? TRUE : KhW32FailStatus(Status);
}

/*
 * SetFileCompletionNotificationModes: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (no packet
 * when a request succeeds at once) and FILE_SKIP_SET_EVENT_ON_HANDLE (the file object's
 * own event is not set; "If an explicit event is provided for the request, it is still
 * signaled"), through NtSetInformationFile(FileIoCompletionNotificationInformation).
 * Modes accumulate and cannot be turned off again.
 */
KMDFHOST_API BOOL SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags)
{
    if (Flags & ~(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
        return KhW32Fail(ERROR_INVALID_PARAMETER);
    }
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION Info = {Flags};
    IO_STATUS_BLOCK Iosb;
    NTSTATUS Status = NtSetInformationFile(FileHandle, &Iosb, &Info, sizeof(Info),
                                           FileIoCompletionNotificationInformation);
    if (Status == STATUS_OBJECT_TYPE_MISMATCH) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    return NT_SUCCESS(Status) ? TRUE : KhW32FailStatus(Status);
}
