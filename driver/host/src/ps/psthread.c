/*
 * psthread.c - thread objects of the process manager: NtCreateThreadEx and
 * NtQueryInformationThread (ThreadBasicInformation), what kernel32's CreateThread and
 * GetExitCodeThread call on Windows.
 *
 * A thread object is a KEVENT (notification) behind a handle: a wait on the handle waits
 * for it through the one dispatcher (NtWaitForMultipleObjects), and it is signalled when
 * the thread's start routine returns ("When a thread terminates, the thread object
 * attains a signaled state, satisfying any threads that were waiting on the object").
 * Its exit status is STATUS_PENDING while it runs (so GetExitCodeThread reports
 * STILL_ACTIVE), then the routine's return value. The thread itself runs through src/os
 * like every thread of the host.
 * https://learn.microsoft.com/windows/win32/procthread/terminating-a-thread
 */
#include <setjmp.h>
#include <stdlib.h>

#include <ntifs.h>

#include "ob/ob.h"
#include "os/hostos.h"
#include "ps/ps.h"

typedef NTSTATUS(NTAPI *KH_USER_THREAD_START_ROUTINE)(PVOID ThreadParameter);

/* THREAD_BASIC_INFORMATION, the layout of 64-bit Windows. */
typedef struct _KH_THREAD_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PVOID TebBaseAddress;
    struct {
        HANDLE UniqueProcess;
        HANDLE UniqueThread;
    } ClientId; /* CLIENT_ID */
    KAFFINITY AffinityMask;
    KPRIORITY Priority;
    KPRIORITY BasePriority;
} KH_THREAD_BASIC_INFORMATION;

#define KH_THREAD_BASIC_INFORMATION_CLASS 0 /* ThreadBasicInformation */
#define KH_THREAD_CREATE_FLAGS_CREATE_SUSPENDED 0x00000001
#define KH_CURRENT_PROCESS ((HANDLE)(LONG_PTR)-1)

typedef struct _KH_THREAD_OBJECT {
    KH_OBJECT_HEADER Ob;
    KEVENT Ended;
    volatile NTSTATUS ExitStatus;
    ULONG_PTR Id;
    HOS_THREAD *Os;
    volatile LONG ReapClaims; /* NtCreateThreadEx and the thread: the last one reaps */
    KH_USER_THREAD_START_ROUTINE StartRoutine;
    PKSTART_ROUTINE SystemStartRoutine; /* a system thread's (PsCreateSystemThread) */
    PVOID Argument;
    jmp_buf Terminate; /* where PsTerminateSystemThread leaves the start routine */
    NTSTATUS TerminateStatus;
} KH_THREAD_OBJECT;

/* The system thread the calling thread is (PsTerminateSystemThread), or NULL. */
static _Thread_local KH_THREAD_OBJECT *PspCurrentSystemThread;

static volatile LONG64 PspNextThreadId = 0x1000;

static void PspDeleteThread(KH_OBJECT_HEADER *Object) { free(Object); }

static PDISPATCHER_HEADER PspThreadWaitObject(KH_OBJECT_HEADER *Object)
{
    return &((KH_THREAD_OBJECT *)Object)->Ended.Header;
}

/* What ObReferenceObjectByHandle gives a driver: the thread's dispatcher object. */
static PVOID PspThreadBody(KH_OBJECT_HEADER *Object) { return &((KH_THREAD_OBJECT *)Object)->Ended; }

static const KH_OBJECT_TYPE PspThreadObjectType = {
    .Name = "Thread",
    .Delete = PspDeleteThread,
    .WaitObject = PspThreadWaitObject,
    .Body = PspThreadBody,
};

static POBJECT_TYPE PspThreadType = (POBJECT_TYPE)(uintptr_t)&PspThreadObjectType;
__attribute__((visibility("default"))) POBJECT_TYPE *PsThreadType = &PspThreadType;

KH_OBJECT_HEADER *KhPsThreadFromBody(PVOID Body)
{
    PDISPATCHER_HEADER header = Body;
    if (header->Type == NotificationEvent && header->Reserved1 == KH_THREAD_OBJECT_MARK) {
        return &CONTAINING_RECORD(Body, KH_THREAD_OBJECT, Ended)->Ob;
    }
    return NULL;
}

/* On the worker thread: the ended thread's resources go once it has returned. */
static void PspReapThread(void *Context)
{
    KH_THREAD_OBJECT *thread = Context;
    HosThreadJoin(thread->Os);
    KhObDereference(&thread->Ob); /* the running thread's reference */
}

/* The second of NtCreateThreadEx (which stores Os once the thread has started) and the
   thread's end queues the reaping. */
static void PspReleaseClaim(KH_THREAD_OBJECT *Thread)
{
    if (__atomic_sub_fetch(&Thread->ReapClaims, 1, __ATOMIC_ACQ_REL) != 0) {
        return;
    }
    if (!HosQueueWork(PspReapThread, Thread)) {
        /* No memory for the work item: the thread object stays (a small leak at worst);
           its handle and waits work as before. */
    }
}

static void PspThreadMain(void *Context)
{
    KH_THREAD_OBJECT *thread = Context;
    volatile NTSTATUS status = STATUS_SUCCESS;
    if (thread->SystemStartRoutine != NULL) {
        PspCurrentSystemThread = thread;
        if (setjmp(thread->Terminate) == 0) {
            thread->SystemStartRoutine(thread->Argument);
        } else {
            status = thread->TerminateStatus;
        }
        PspCurrentSystemThread = NULL;
    } else {
        status = thread->StartRoutine(thread->Argument);
    }
    __atomic_store_n(&thread->ExitStatus, status, __ATOMIC_RELEASE);
    KeSetEvent(&thread->Ended, IO_NO_INCREMENT, FALSE);
    PspReleaseClaim(thread);
}

/* Enters a handle for Thread and starts it. */
static NTSTATUS PspStartThread(KH_THREAD_OBJECT *Thread, const char *Name, PHANDLE ThreadHandle, PCLIENT_ID ClientId)
{
    KhObInitializeObject(&Thread->Ob, &PspThreadObjectType);
    KeInitializeEvent(&Thread->Ended, NotificationEvent, FALSE);
    Thread->Ended.Header.Reserved1 = KH_THREAD_OBJECT_MARK;
    Thread->ExitStatus = STATUS_PENDING;
    Thread->Id = (ULONG_PTR)__atomic_fetch_add(&PspNextThreadId, 4, __ATOMIC_RELAXED);
    Thread->ReapClaims = 2;
    /* One reference for the handle (the creator's), one for the running thread. */
    KhObReference(&Thread->Ob);
    NTSTATUS status = KhObInsertHandle(&Thread->Ob, ThreadHandle);
    if (!NT_SUCCESS(status)) {
        free(Thread);
        return status;
    }
    if (ClientId != NULL) {
        ClientId->UniqueProcess = (HANDLE)(ULONG_PTR)4;
        ClientId->UniqueThread = (HANDLE)Thread->Id;
    }
    if (!HosThreadStart(&Thread->Os, Name, PspThreadMain, Thread)) {
        KhObDereference(&Thread->Ob); /* the running thread's reference */
        NtClose(*ThreadHandle);
        *ThreadHandle = NULL;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PspReleaseClaim(Thread);
    return STATUS_SUCCESS;
}

/*
 * NtCreateThreadEx: a thread of the (one) process that runs StartRoutine(Argument);
 * ThreadHandle receives a handle to it. Only the calling process (NtCurrentProcess())
 * can receive threads; THREAD_CREATE_FLAGS_CREATE_SUSPENDED and an attribute list are
 * not implemented (STATUS_NOT_IMPLEMENTED); stack sizes are accepted and the system's
 * default stack is used; security attributes are ignored.
 */
NTSYSAPI NTSTATUS NTAPI NtCreateThreadEx(PHANDLE ThreadHandle, ACCESS_MASK DesiredAccess,
                                         PVOID ObjectAttributes, HANDLE ProcessHandle, PVOID StartRoutine,
                                         PVOID Argument, ULONG CreateFlags, SIZE_T ZeroBits, SIZE_T StackSize,
                                         SIZE_T MaximumStackSize, PVOID AttributeList)
{
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(ObjectAttributes);
    UNREFERENCED_PARAMETER(ZeroBits);
    UNREFERENCED_PARAMETER(StackSize);
    UNREFERENCED_PARAMETER(MaximumStackSize);
    if (ThreadHandle == NULL || StartRoutine == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ProcessHandle != KH_CURRENT_PROCESS) {
        return STATUS_INVALID_HANDLE;
    }
    if ((CreateFlags & KH_THREAD_CREATE_FLAGS_CREATE_SUSPENDED) || AttributeList != NULL) {
        return STATUS_NOT_IMPLEMENTED;
    }
    KH_THREAD_OBJECT *thread = calloc(1, sizeof(*thread));
    if (thread == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    thread->StartRoutine = (KH_USER_THREAD_START_ROUTINE)StartRoutine;
    thread->Argument = Argument;
    return PspStartThread(thread, "win32", ThreadHandle, NULL);
}

/*
 * PsCreateSystemThread: a kernel thread at PASSIVE_LEVEL that runs StartRoutine
 * (StartContext) until it returns or calls PsTerminateSystemThread; ThreadHandle
 * receives a handle to its thread object, which is signalled when it ends. The host
 * has one process: ProcessHandle is NULL (the system process) or NtCurrentProcess().
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pscreatesystemthread
 */
NTKERNELAPI NTSTATUS NTAPI PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                                                POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                                                PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine, PVOID StartContext)
{
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(ObjectAttributes);
    if (ThreadHandle == NULL || StartRoutine == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (ProcessHandle != NULL && ProcessHandle != KH_CURRENT_PROCESS) {
        return STATUS_INVALID_HANDLE;
    }
    KH_THREAD_OBJECT *thread = calloc(1, sizeof(*thread));
    if (thread == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    thread->SystemStartRoutine = StartRoutine;
    thread->Argument = StartContext;
    return PspStartThread(thread, "system", ThreadHandle, ClientId);
}

/*
 * PsTerminateSystemThread: ends the calling system thread with ExitStatus; it does not
 * return. STATUS_INVALID_PARAMETER when the caller is not a system thread.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-psterminatesystemthread
 */
NTKERNELAPI NTSTATUS NTAPI PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    KH_THREAD_OBJECT *thread = PspCurrentSystemThread;
    if (thread == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    thread->TerminateStatus = ExitStatus;
    longjmp(thread->Terminate, 1);
}

/* NtQueryInformationThread: ThreadBasicInformation only (STATUS_INVALID_INFO_CLASS). */
NTSYSAPI NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, ULONG ThreadInformationClass,
                                                 PVOID ThreadInformation, ULONG ThreadInformationLength,
                                                 PULONG ReturnLength)
{
    if (ThreadInformationClass != KH_THREAD_BASIC_INFORMATION_CLASS) {
        return STATUS_INVALID_INFO_CLASS;
    }
    if (ReturnLength != NULL) {
        *ReturnLength = sizeof(KH_THREAD_BASIC_INFORMATION);
    }
    if (ThreadInformationLength != sizeof(KH_THREAD_BASIC_INFORMATION)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (ThreadInformation == NULL) {
        return STATUS_ACCESS_VIOLATION;
    }
    KH_OBJECT_HEADER *object;
    NTSTATUS status = KhObReferenceByHandle(ThreadHandle, &PspThreadObjectType, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    KH_THREAD_OBJECT *thread = (KH_THREAD_OBJECT *)object;
    KH_THREAD_BASIC_INFORMATION info = {0};
    info.ExitStatus = __atomic_load_n(&thread->ExitStatus, __ATOMIC_ACQUIRE);
    info.ClientId.UniqueProcess = (HANDLE)(ULONG_PTR)1;
    info.ClientId.UniqueThread = (HANDLE)thread->Id;
    info.AffinityMask = 1;
    RtlCopyMemory(ThreadInformation, &info, sizeof(info));
    KhObDereference(object);
    return STATUS_SUCCESS;
}
