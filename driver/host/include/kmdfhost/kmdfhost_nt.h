/*
 * kmdfhost_nt.h - the NT system services of the host's I/O manager, object manager and
 * dispatcher, declared for user-mode callers (what ntdll exports on Windows): the Win32
 * surface, native test programs and the C tests.
 *
 * Names, prototypes, structure layouts and values are Windows' (ntifs.h, winternl.h and
 * the documentation of each routine); drivers reach the same routines through the Zw
 * names declared in <wdm.h>/<ntifs.h>. One deliberate difference from Windows' user-mode
 * headers, as in kmdfhost_win32.h: WCHAR there is the platform's wchar_t, so the
 * UNICODE_STRING of this header holds UTF-16 code units as uint16_t (a C11 u"" literal
 * has that type on Linux), exactly as the kernel side reads it.
 *
 * Statuses are NTSTATUS values from <ntstatus.h> (include/shared). What the host does
 * not implement fails with STATUS_NOT_IMPLEMENTED (or STATUS_INVALID_INFO_CLASS for an
 * information class), never with a made-up success:
 *   - APC routines (ApcRoutine of the I/O services), alertable waits: the host delivers
 *     no user APCs;
 *   - named events and completion ports (an ObjectName in their OBJECT_ATTRIBUTES), and
 *     opens relative to a RootDirectory.
 * ByteOffset of a read or write goes to the driver in the IRP (an asynchronous file
 * object needs one); Key is not used.
 *
 * This header never mixes with <ntddk.h>, <wdm.h> or <ntdef.h> (a 16-bit WCHAR).
 */
#ifndef KMDFHOST_NT_H
#define KMDFHOST_NT_H

#include <stddef.h>
#include <stdint.h>

#include "kmdfhost_win32.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NTAPI
#define NTAPI
#endif
#ifndef NTSYSAPI
#define NTSYSAPI KMDFHOST_API
#endif
#ifndef NTSYSCALLAPI
#define NTSYSCALLAPI KMDFHOST_API
#endif

/* ------------------------------------------------------------------------- types */

#ifndef KMDFHOST_NT_TYPES_DEFINED
#define KMDFHOST_NT_TYPES_DEFINED
typedef int32_t NTSTATUS;
typedef NTSTATUS *PNTSTATUS;
typedef uint8_t BOOLEAN;
typedef BOOLEAN *PBOOLEAN;
typedef uint16_t USHORT;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG;
typedef LONG *PLONG;
typedef ULONG ACCESS_MASK;

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

/* Length and MaximumLength in bytes; Buffer holds UTF-16 code units (see above). */
typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    uint16_t *Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;

/* The layout of OVERLAPPED's first two members: kernel32 passes an OVERLAPPED as the
   I/O status block. */
typedef struct _IO_STATUS_BLOCK {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef void NTAPI IO_APC_ROUTINE(PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, ULONG Reserved);
typedef IO_APC_ROUTINE *PIO_APC_ROUTINE;

typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue, WaitDpc } WAIT_TYPE;
#endif /* KMDFHOST_NT_TYPES_DEFINED */

/* FILE_INFORMATION_CLASS: the classes NtSetInformationFile knows in the host. */
typedef enum _FILE_INFORMATION_CLASS {
    FileCompletionInformation = 30,
    FileIoCompletionNotificationInformation = 41,
} FILE_INFORMATION_CLASS, *PFILE_INFORMATION_CLASS;

/* FileCompletionInformation: associates a file with a completion port and a key. */
typedef struct _FILE_COMPLETION_INFORMATION {
    HANDLE Port;
    PVOID Key;
} FILE_COMPLETION_INFORMATION, *PFILE_COMPLETION_INFORMATION;

/* FileIoCompletionNotificationInformation: FILE_SKIP_* flags. */
typedef struct _FILE_IO_COMPLETION_NOTIFICATION_INFORMATION {
    ULONG Flags;
} FILE_IO_COMPLETION_NOTIFICATION_INFORMATION, *PFILE_IO_COMPLETION_NOTIFICATION_INFORMATION;

/* One completion packet as NtRemoveIoCompletionEx returns it (OVERLAPPED_ENTRY's layout). */
typedef struct _FILE_IO_COMPLETION_INFORMATION {
    PVOID KeyContext;
    PVOID ApcContext;
    IO_STATUS_BLOCK IoStatusBlock;
} FILE_IO_COMPLETION_INFORMATION, *PFILE_IO_COMPLETION_INFORMATION;

#ifndef __cplusplus
_Static_assert(sizeof(IO_STATUS_BLOCK) == 16, "IO_STATUS_BLOCK of 64-bit Windows");
_Static_assert(sizeof(OBJECT_ATTRIBUTES) == 48, "OBJECT_ATTRIBUTES of 64-bit Windows");
_Static_assert(sizeof(UNICODE_STRING) == 16, "UNICODE_STRING of 64-bit Windows");
_Static_assert(sizeof(FILE_IO_COMPLETION_INFORMATION) == sizeof(OVERLAPPED_ENTRY),
               "FILE_IO_COMPLETION_INFORMATION has OVERLAPPED_ENTRY's layout");
#endif

/* --------------------------------------------------------------------- constants */

#ifndef NT_SUCCESS
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((uint32_t)(Status)) >> 30) == 1u)
#define NT_WARNING(Status) ((((uint32_t)(Status)) >> 30) == 2u)
#define NT_ERROR(Status) ((((uint32_t)(Status)) >> 30) == 3u)
#endif

/* OBJECT_ATTRIBUTES.Attributes */
#ifndef OBJ_CASE_INSENSITIVE
#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_KERNEL_HANDLE 0x00000200L
#endif

#ifndef InitializeObjectAttributes
#define InitializeObjectAttributes(p, n, a, r, s)                                           \
    do {                                                                                    \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);                                            \
        (p)->RootDirectory = (r);                                                           \
        (p)->Attributes = (a);                                                              \
        (p)->ObjectName = (n);                                                              \
        (p)->SecurityDescriptor = (s);                                                      \
        (p)->SecurityQualityOfService = NULL;                                               \
    } while (0)
#endif

/* Access rights */
#ifndef SYNCHRONIZE
#define DELETE 0x00010000L
#define READ_CONTROL 0x00020000L
#define SYNCHRONIZE 0x00100000L
#define STANDARD_RIGHTS_REQUIRED 0x000F0000L
#endif
#ifndef FILE_READ_DATA
#define FILE_READ_DATA 0x0001
#define FILE_WRITE_DATA 0x0002
#define FILE_READ_ATTRIBUTES 0x0080
#define FILE_WRITE_ATTRIBUTES 0x0100
#endif
#ifndef EVENT_ALL_ACCESS
#define EVENT_QUERY_STATE 0x0001
#define EVENT_MODIFY_STATE 0x0002
#define EVENT_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3)
#endif
#ifndef IO_COMPLETION_ALL_ACCESS
#define IO_COMPLETION_MODIFY_STATE 0x0002
#define IO_COMPLETION_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3)
#endif

/* NtCreateFile: CreateDisposition */
#ifndef FILE_OPEN
#define FILE_SUPERSEDE 0x00000000
#define FILE_OPEN 0x00000001
#define FILE_CREATE 0x00000002
#define FILE_OPEN_IF 0x00000003
#define FILE_OVERWRITE 0x00000004
#define FILE_OVERWRITE_IF 0x00000005
#endif
/* NtCreateFile: CreateOptions */
#ifndef FILE_SYNCHRONOUS_IO_NONALERT
#define FILE_DIRECTORY_FILE 0x00000001
#define FILE_WRITE_THROUGH 0x00000002
#define FILE_SEQUENTIAL_ONLY 0x00000004
#define FILE_SYNCHRONOUS_IO_ALERT 0x00000010
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#define FILE_NON_DIRECTORY_FILE 0x00000040
#endif
/* IO_STATUS_BLOCK.Information of a successful open */
#ifndef FILE_OPENED
#define FILE_SUPERSEDED 0x00000000
#define FILE_OPENED 0x00000001
#define FILE_CREATED 0x00000002
#endif

/* ----------------------------------------------------------------- I/O services */

/*
 * NtCreateFile / NtOpenFile: opens the device named by ObjectName, an NT path such as
 * "\??\ROOT#ECHO#0000#{...}" (an interface's symbolic link) or "\Device\Name", compared
 * without regard to case; IRP_MJ_CREATE goes to the device's stack. Only FILE_OPEN and
 * FILE_OPEN_IF open a device (FILE_OPENED in Information); FILE_SYNCHRONOUS_IO_ALERT or
 * _NONALERT make the file object synchronous: the I/O manager then serializes its I/O
 * and each call returns only when its request has completed.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                                         POBJECT_ATTRIBUTES ObjectAttributes,
                                         PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize,
                                         ULONG FileAttributes, ULONG ShareAccess,
                                         ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer,
                                         ULONG EaLength);
NTSYSCALLAPI NTSTATUS NTAPI NtOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
                                       POBJECT_ATTRIBUTES ObjectAttributes,
                                       PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess,
                                       ULONG OpenOptions);

/*
 * NtReadFile, NtWriteFile, NtDeviceIoControlFile: build an IRP for the device's buffer
 * method and send it. They return what the dispatch routine returned (STATUS_PENDING
 * when the driver pended the request), or on a synchronous file object the final status.
 * At completion the I/O manager writes *IoStatusBlock, sets Event (or, without one, the
 * file object), and queues a packet with ApcContext to the file's completion port - except
 * for a request that failed with an error status before it was pended, whose status is
 * only the return value. Event is reset when the call begins.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                       PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                       ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key);
NTSYSCALLAPI NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                                        PVOID ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                                        ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key);
NTSYSCALLAPI NTSTATUS NTAPI NtDeviceIoControlFile(HANDLE FileHandle, HANDLE Event,
                                                  PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                                  PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode,
                                                  PVOID InputBuffer, ULONG InputBufferLength,
                                                  PVOID OutputBuffer, ULONG OutputBufferLength);

/*
 * NtCancelIoFile: cancels the calling thread's outstanding requests on the file.
 * NtCancelIoFileEx: cancels every outstanding request on the file, or only the one whose
 * I/O status block is IoRequestToCancel; STATUS_NOT_FOUND when there is none. Both return
 * before the cancelled requests complete.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtCancelIoFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock);
NTSYSCALLAPI NTSTATUS NTAPI NtCancelIoFileEx(HANDLE FileHandle, PIO_STATUS_BLOCK IoRequestToCancel,
                                             PIO_STATUS_BLOCK IoStatusBlock);

/* NtSetInformationFile: FileCompletionInformation and FileIoCompletionNotificationInformation. */
NTSYSCALLAPI NTSTATUS NTAPI NtSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock,
                                                 PVOID FileInformation, ULONG Length,
                                                 FILE_INFORMATION_CLASS FileInformationClass);

/* ------------------------------------------------------------- object manager */

/*
 * NtClose: closes a handle of any type (file, event, completion port, registry key). The
 * last handle of a file sends IRP_MJ_CLEANUP (after waiting for a synchronous file's
 * request in progress, and cancelling the file's outstanding requests); IRP_MJ_CLOSE
 * follows when the last reference goes. STATUS_INVALID_HANDLE for a handle that is not
 * open.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtClose(HANDLE Handle);

/* --------------------------------------------------------------- dispatcher */

/*
 * Waits on events, file objects (signalled when a request of the file completes) and
 * completion ports (signalled while packets are queued). Timeout: NULL waits for ever, a
 * negative value is relative, in 100 ns units. STATUS_WAIT_0 + index, STATUS_TIMEOUT;
 * STATUS_OBJECT_TYPE_MISMATCH for an object that cannot be waited on.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSYSCALLAPI NTSTATUS NTAPI NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType,
                                                     BOOLEAN Alertable, PLARGE_INTEGER Timeout);

NTSYSCALLAPI NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
                                          POBJECT_ATTRIBUTES ObjectAttributes, EVENT_TYPE EventType,
                                          BOOLEAN InitialState);
NTSYSCALLAPI NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSCALLAPI NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState);
NTSYSCALLAPI NTSTATUS NTAPI NtClearEvent(HANDLE EventHandle);

/* ------------------------------------------------------- I/O completion objects */

/*
 * A completion port. NumberOfConcurrentThreads is accepted and not enforced. Closing its
 * last handle makes the threads waiting in NtRemoveIoCompletion(Ex) return
 * STATUS_ABANDONED_WAIT_0.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtCreateIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
                                                 POBJECT_ATTRIBUTES ObjectAttributes,
                                                 ULONG NumberOfConcurrentThreads);
NTSYSCALLAPI NTSTATUS NTAPI NtSetIoCompletion(HANDLE IoCompletionHandle, PVOID KeyContext, PVOID ApcContext,
                                              NTSTATUS IoStatus, ULONG_PTR IoStatusInformation);
/* Dequeues one packet (first in, first out): STATUS_SUCCESS, STATUS_TIMEOUT, or
   STATUS_ABANDONED_WAIT_0 (the port's handle was closed). */
NTSYSCALLAPI NTSTATUS NTAPI NtRemoveIoCompletion(HANDLE IoCompletionHandle, PVOID *KeyContext,
                                                 PVOID *ApcContext, PIO_STATUS_BLOCK IoStatusBlock,
                                                 PLARGE_INTEGER Timeout);
/* Dequeues up to Count packets, waiting for the first. */
NTSYSCALLAPI NTSTATUS NTAPI NtRemoveIoCompletionEx(HANDLE IoCompletionHandle,
                                                   PFILE_IO_COMPLETION_INFORMATION IoCompletionInformation,
                                                   ULONG Count, PULONG NumEntriesRemoved,
                                                   PLARGE_INTEGER Timeout, BOOLEAN Alertable);

/* --------------------------------------------------------------------- threads */

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef enum _THREADINFOCLASS { ThreadBasicInformation = 0 } THREADINFOCLASS;

/* The layout of 64-bit Windows. ExitStatus is STATUS_PENDING while the thread runs. */
typedef struct _THREAD_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PVOID TebBaseAddress;
    CLIENT_ID ClientId;
    ULONG_PTR AffinityMask;
    LONG Priority;
    LONG BasePriority;
} THREAD_BASIC_INFORMATION, *PTHREAD_BASIC_INFORMATION;

typedef NTSTATUS(NTAPI *PUSER_THREAD_START_ROUTINE)(PVOID ThreadParameter);

#ifndef NtCurrentProcess
#define NtCurrentProcess() ((HANDLE)(intptr_t)-1)
#endif
#define THREAD_CREATE_FLAGS_CREATE_SUSPENDED 0x00000001
#ifndef THREAD_ALL_ACCESS
#define THREAD_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF)
#endif

/*
 * NtCreateThreadEx: a thread of the calling process (NtCurrentProcess()) running
 * StartRoutine (a PUSER_THREAD_START_ROUTINE) with Argument. Its handle is signalled when
 * the routine returns, whose result becomes the thread's exit status.
 * THREAD_CREATE_FLAGS_CREATE_SUSPENDED and an AttributeList: STATUS_NOT_IMPLEMENTED.
 * Stack sizes are accepted; the system's default stack is used.
 */
NTSYSCALLAPI NTSTATUS NTAPI NtCreateThreadEx(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                                             POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                                             PVOID StartRoutine, PVOID Argument, ULONG CreateFlags,
                                             ULONG_PTR ZeroBits, ULONG_PTR StackSize, ULONG_PTR MaximumStackSize,
                                             PVOID AttributeList);
/* ThreadBasicInformation only (STATUS_INVALID_INFO_CLASS otherwise). */
NTSYSCALLAPI NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, THREADINFOCLASS ThreadInformationClass,
                                                     PVOID ThreadInformation, ULONG ThreadInformationLength,
                                                     PULONG ReturnLength);

/* ---------------------------------------------------------------------- Rtl */

/* The Win32 error code for an NTSTATUS (what kernel32 stores as the last error). */
NTSYSAPI ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status);

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_NT_H */
