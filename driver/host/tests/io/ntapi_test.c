/*
 * ntapi_test.c - the NT system services (kmdfhost_nt.h) driven directly, as a native
 * program calls ntdll, against the echo driver (both variants): NtCreateFile by
 * interface link and by device name, synchronous and overlapped NtWriteFile/NtReadFile,
 * events, completion port packets (I/O and posted), NtCancelIoFile(Ex), NtClose with I/O
 * pending, a port closed under a waiter, and the cancellation of an exiting thread's
 * I/O (IoCancelThreadIo).
 *
 * The echo driver parks each write (and each read of stored data) until its next timer
 * tick; a device with TimerPeriodMs 10 completes them quickly, one with 10000 keeps them
 * pending until they are cancelled.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include <sys/syscall.h>
#include <unistd.h>

#include "kmdfhost_nt.h"
#include "w32test.h"
#include <ntstatus.h>

#define SERVICE "EchoKmdf"
#define INSTANCE "ROOT\\ECHO\\0000"

static const char *g_Module;
static const char16_t EchoLink[] = u"\\??\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";
static const char16_t Missing[] = u"\\??\\ROOT#ECHO#0001#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";

#define CHECK_NT(call, expected)                                                            \
    do {                                                                                    \
        NTSTATUS status_ = (call);                                                          \
        KT_CHECK_STATUS(status_, expected);                                                 \
    } while (0)

static KT_DEVICE StartEcho(uint32_t TimerPeriodMs)
{
    KT_DEVICE device;
    CHECK_NT(KmdfHostInitialize(), STATUS_SUCCESS);
    CHECK_NT(KmdfHostSetServiceParameterULong(SERVICE, "TimerPeriodMs", TimerPeriodMs), STATUS_SUCCESS);
    CHECK_NT(KtLoadDriver(&device, g_Module, SERVICE), STATUS_SUCCESS);
    uint8_t guid[16];
    KtGuid(guid, 0xcdc35b6e, 0x0be4, 0x4936, 0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c, 0x1a);
    CHECK_NT(KtAddAndStart(&device, INSTANCE, guid), STATUS_SUCCESS);
    return device;
}

static NTSTATUS OpenPath(const char16_t *Path, ULONG Disposition, ULONG Options, PHANDLE Handle,
                         PIO_STATUS_BLOCK Iosb)
{
    size_t units = 0;
    while (Path[units] != 0) {
        units++;
    }
    UNICODE_STRING name = {(USHORT)(units * 2), (USHORT)(units * 2), (uint16_t *)(uintptr_t)Path};
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtCreateFile(Handle, FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE, &attributes, Iosb, NULL, 0,
                        0, Disposition, Options | FILE_NON_DIRECTORY_FILE, NULL, 0);
}

static HANDLE Open(bool Synchronous)
{
    HANDLE h = NULL;
    IO_STATUS_BLOCK iosb = {{0}, 0};
    CHECK_NT(OpenPath(EchoLink, FILE_OPEN, Synchronous ? FILE_SYNCHRONOUS_IO_NONALERT : 0, &h, &iosb),
             STATUS_SUCCESS);
    KT_CHECK(iosb.Status == STATUS_SUCCESS && iosb.Information == FILE_OPENED);
    return h;
}

static HANDLE NewEvent(void)
{
    HANDLE event = NULL;
    CHECK_NT(NtCreateEvent(&event, EVENT_ALL_ACCESS, NULL, NotificationEvent, 0), STATUS_SUCCESS);
    return event;
}

static LARGE_INTEGER RelativeMs(uint32_t Ms)
{
    LARGE_INTEGER t;
    t.QuadPart = -(LONGLONG)Ms * 10000;
    return t;
}

/* ------------------------------------------------------------------ open */

static void TestOpen(void)
{
    KtSection("NtCreateFile: by interface link, FILE_OPENED; unknown link; dispositions go to the device");
    HANDLE h = Open(true);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
    CHECK_NT(NtClose(h), STATUS_INVALID_HANDLE);
    IO_STATUS_BLOCK iosb;
    CHECK_NT(OpenPath(Missing, FILE_OPEN, 0, &h, &iosb), STATUS_OBJECT_NAME_NOT_FOUND);
    /* A device judges the disposition itself (Parameters.Create.Options); the echo
       driver's framework default create opens it whatever it says. */
    CHECK_NT(OpenPath(EchoLink, FILE_CREATE, 0, &h, &iosb), STATUS_SUCCESS);
    KT_CHECK(iosb.Information == FILE_OPENED);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
    CHECK_NT(OpenPath(EchoLink, FILE_OVERWRITE_IF + 1, 0, &h, &iosb), STATUS_INVALID_PARAMETER);
    CHECK_NT(OpenPath(EchoLink, FILE_OPEN_IF, 0, &h, &iosb), STATUS_SUCCESS);
    KT_CHECK(iosb.Information == FILE_OPENED);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
}

/* ------------------------------------------------------------------ synchronous */

static void TestSynchronous(void)
{
    KtSection("synchronous file object: NtWriteFile and NtReadFile return the final status");
    HANDLE h = Open(true);
    uint8_t out[512], in[512];
    KtFillPattern(out, sizeof out, 21);
    IO_STATUS_BLOCK iosb = {{0}, 0};
    CHECK_NT(NtWriteFile(h, NULL, NULL, NULL, &iosb, out, sizeof out, NULL, NULL), STATUS_SUCCESS);
    KT_CHECK(iosb.Status == STATUS_SUCCESS && iosb.Information == sizeof out);
    memset(in, 0, sizeof in);
    memset(&iosb, 0, sizeof iosb);
    CHECK_NT(NtReadFile(h, NULL, NULL, NULL, &iosb, in, sizeof in, NULL, NULL), STATUS_SUCCESS);
    KT_CHECK(iosb.Information == sizeof in && KtCheckPattern(in, sizeof in, 21));

    KtSection("a wait on a synchronous file handle: signalled after its request");
    CHECK_NT(NtWaitForSingleObject(h, 0, NULL), STATUS_WAIT_0);
    CHECK_NT(NtReadFile(h, NULL, NULL, NULL, NULL, in, sizeof in, NULL, NULL), STATUS_ACCESS_VIOLATION);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
}

/* ------------------------------------------------------------------ overlapped */

static void TestOverlapped(void)
{
    KtSection("asynchronous file object: STATUS_PENDING, then the event and the I/O status block");
    HANDLE h = Open(false);
    HANDLE event = NewEvent();
    uint8_t out[300], in[300];
    KtFillPattern(out, sizeof out, 22);
    IO_STATUS_BLOCK iosb;
    iosb.Pointer = (PVOID)(ULONG_PTR)(ULONG)STATUS_PENDING;
    iosb.Information = 0;
    LARGE_INTEGER offset = {.QuadPart = 0};
    CHECK_NT(NtSetEvent(event, NULL), STATUS_SUCCESS); /* the call resets it */
    CHECK_NT(NtWriteFile(h, event, NULL, NULL, &iosb, out, sizeof out, &offset, NULL), STATUS_PENDING);
    LARGE_INTEGER timeout = RelativeMs(KT_WAIT_MS);
    CHECK_NT(NtWaitForSingleObject(event, 0, &timeout), STATUS_WAIT_0);
    KT_CHECK(__atomic_load_n(&iosb.Status, __ATOMIC_ACQUIRE) == STATUS_SUCCESS);
    KT_CHECK(iosb.Information == sizeof out);
    CHECK_NT(NtReadFile(h, event, NULL, NULL, &iosb, in, sizeof in, &offset, NULL), STATUS_PENDING);
    CHECK_NT(NtWaitForSingleObject(event, 0, &timeout), STATUS_WAIT_0);
    KT_CHECK(iosb.Status == STATUS_SUCCESS && iosb.Information == sizeof in);
    KT_CHECK(KtCheckPattern(in, sizeof in, 22));

    KtSection("an asynchronous file object needs a byte offset; a bad event handle");
    CHECK_NT(NtReadFile(h, event, NULL, NULL, &iosb, in, sizeof in, NULL, NULL), STATUS_INVALID_PARAMETER);
    CHECK_NT(NtReadFile(h, h, NULL, NULL, &iosb, in, sizeof in, &offset, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    CHECK_NT(NtReadFile(event, NULL, NULL, NULL, &iosb, in, sizeof in, &offset, NULL),
             STATUS_OBJECT_TYPE_MISMATCH);
    KtSection("NtWaitForMultipleObjects: wait-any returns the signalled index, wait-all refuses a twin");
    HANDLE other = NewEvent();
    HANDLE both[2] = {other, event};
    CHECK_NT(NtWaitForMultipleObjects(2, both, WaitAny, 0, &timeout), STATUS_WAIT_1);
    HANDLE twins[2] = {event, event};
    CHECK_NT(NtWaitForMultipleObjects(2, twins, WaitAll, 0, &timeout), STATUS_INVALID_PARAMETER_MIX);
    LARGE_INTEGER zero = {.QuadPart = 0};
    CHECK_NT(NtWaitForSingleObject(other, 0, &zero), STATUS_TIMEOUT);
    CHECK_NT(NtClose(other), STATUS_SUCCESS);
    CHECK_NT(NtClose(event), STATUS_SUCCESS);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
}

/* ------------------------------------------------------------------ completion ports */

static void TestPort(void)
{
    KtSection("completion port: an I/O packet carries the key, the ApcContext and the status");
    HANDLE h = Open(false);
    HANDLE port = NULL;
    CHECK_NT(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, NULL, 0), STATUS_SUCCESS);
    FILE_COMPLETION_INFORMATION info = {port, (PVOID)(uintptr_t)0x5150};
    IO_STATUS_BLOCK iosb;
    CHECK_NT(NtSetInformationFile(h, &iosb, &info, sizeof info, FileCompletionInformation), STATUS_SUCCESS);
    CHECK_NT(NtSetInformationFile(h, &iosb, &info, sizeof info, FileCompletionInformation),
             STATUS_INVALID_PARAMETER);
    uint8_t out[128];
    KtFillPattern(out, sizeof out, 23);
    IO_STATUS_BLOCK wiosb;
    int marker = 0;
    LARGE_INTEGER offset = {.QuadPart = 0};
    CHECK_NT(NtWriteFile(h, NULL, NULL, &marker, &wiosb, out, sizeof out, &offset, NULL), STATUS_PENDING);
    PVOID key = NULL;
    PVOID apc = NULL;
    IO_STATUS_BLOCK got;
    LARGE_INTEGER timeout = RelativeMs(KT_WAIT_MS);
    CHECK_NT(NtRemoveIoCompletion(port, &key, &apc, &got, &timeout), STATUS_SUCCESS);
    KT_CHECK(key == (PVOID)(uintptr_t)0x5150 && apc == &marker);
    KT_CHECK(got.Status == STATUS_SUCCESS && got.Information == sizeof out);
    KT_CHECK(wiosb.Status == STATUS_SUCCESS && wiosb.Information == sizeof out);

    KtSection("posted packets: first in, first out; a port is signalled while it holds packets");
    CHECK_NT(NtSetIoCompletion(port, (PVOID)1, (PVOID)11, STATUS_SUCCESS, 7), STATUS_SUCCESS);
    CHECK_NT(NtSetIoCompletion(port, (PVOID)2, (PVOID)22, STATUS_CANCELLED, 8), STATUS_SUCCESS);
    LARGE_INTEGER zero = {.QuadPart = 0};
    CHECK_NT(NtWaitForSingleObject(port, 0, &zero), STATUS_WAIT_0);
    FILE_IO_COMPLETION_INFORMATION entries[4];
    ULONG removed = 0;
    CHECK_NT(NtRemoveIoCompletionEx(port, entries, 4, &removed, &zero, 0), STATUS_SUCCESS);
    KT_CHECK(removed == 2);
    KT_CHECK(entries[0].KeyContext == (PVOID)1 && entries[0].ApcContext == (PVOID)11 &&
             entries[0].IoStatusBlock.Information == 7);
    KT_CHECK(entries[1].KeyContext == (PVOID)2 && entries[1].IoStatusBlock.Status == STATUS_CANCELLED);
    CHECK_NT(NtWaitForSingleObject(port, 0, &zero), STATUS_TIMEOUT);
    CHECK_NT(NtRemoveIoCompletion(port, &key, &apc, &got, &zero), STATUS_TIMEOUT);

    KtSection("an error returned at once reaches no port; unknown notification modes are refused");
    FILE_IO_COMPLETION_NOTIFICATION_INFORMATION modes = {0x80};
    CHECK_NT(NtSetInformationFile(h, &iosb, &modes, sizeof modes, FileIoCompletionNotificationInformation),
             STATUS_INVALID_PARAMETER);
    CHECK_NT(NtDeviceIoControlFile(h, NULL, NULL, &marker, &wiosb, 0x222000, NULL, 0, NULL, 0),
             STATUS_INVALID_DEVICE_REQUEST);
    CHECK_NT(NtRemoveIoCompletion(port, &key, &apc, &got, &zero), STATUS_TIMEOUT);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
    CHECK_NT(NtClose(port), STATUS_SUCCESS);
}

/* ------------------------------------------------------------------ cancel and close */

typedef struct PORT_WAITER {
    HANDLE Port;
    NTSTATUS Status;
    pid_t Tid;
} PORT_WAITER;

static void *PortWaiter(void *Arg)
{
    PORT_WAITER *w = Arg;
    __atomic_store_n(&w->Tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    PVOID key, apc;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER timeout = RelativeMs(KT_WAIT_MS);
    w->Status = NtRemoveIoCompletion(w->Port, &key, &apc, &iosb, &timeout);
    return NULL;
}

typedef struct EXITING_WRITER {
    HANDLE File;
    HANDLE Event;
    IO_STATUS_BLOCK Iosb;
    NTSTATUS Returned;
} EXITING_WRITER;

static void *ExitingWriter(void *Arg)
{
    EXITING_WRITER *w = Arg;
    static uint8_t out[64];
    LARGE_INTEGER offset = {.QuadPart = 0};
    w->Returned = NtWriteFile(w->File, w->Event, NULL, NULL, &w->Iosb, out, sizeof out, &offset, NULL);
    return NULL; /* the thread ends with its write pending */
}

static void TestCancelAndClose(void)
{
    LARGE_INTEGER timeout = RelativeMs(KT_WAIT_MS);
    KtSection("NtCancelIoFileEx: one request by its I/O status block, then none left");
    HANDLE h = Open(false);
    HANDLE event = NewEvent();
    uint8_t out[64];
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset = {.QuadPart = 0};
    CHECK_NT(NtWriteFile(h, event, NULL, NULL, &iosb, out, sizeof out, &offset, NULL), STATUS_PENDING);
    IO_STATUS_BLOCK other, ciosb;
    CHECK_NT(NtCancelIoFileEx(h, &other, &ciosb), STATUS_NOT_FOUND);
    CHECK_NT(NtCancelIoFileEx(h, &iosb, &ciosb), STATUS_SUCCESS);
    CHECK_NT(NtWaitForSingleObject(event, 0, &timeout), STATUS_WAIT_0);
    KT_CHECK(iosb.Status == STATUS_CANCELLED && iosb.Information == 0);
    CHECK_NT(NtCancelIoFileEx(h, NULL, &ciosb), STATUS_NOT_FOUND);

    KtSection("NtCancelIoFile cancels the calling thread's requests");
    CHECK_NT(NtWriteFile(h, event, NULL, NULL, &iosb, out, sizeof out, &offset, NULL), STATUS_PENDING);
    CHECK_NT(NtCancelIoFile(h, &ciosb), STATUS_SUCCESS);
    CHECK_NT(NtWaitForSingleObject(event, 0, &timeout), STATUS_WAIT_0);
    KT_CHECK(iosb.Status == STATUS_CANCELLED);

    KtSection("NtClose with a request pending: the cleanup cancels it, its packet still comes");
    HANDLE port = NULL;
    CHECK_NT(NtCreateIoCompletion(&port, IO_COMPLETION_ALL_ACCESS, NULL, 1), STATUS_SUCCESS);
    FILE_COMPLETION_INFORMATION info = {port, (PVOID)9};
    CHECK_NT(NtSetInformationFile(h, &ciosb, &info, sizeof info, FileCompletionInformation), STATUS_SUCCESS);
    CHECK_NT(NtWriteFile(h, event, NULL, &iosb, &iosb, out, sizeof out, &offset, NULL), STATUS_PENDING);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
    CHECK_NT(NtWaitForSingleObject(event, 0, &timeout), STATUS_WAIT_0);
    KT_CHECK(iosb.Status == STATUS_CANCELLED);
    PVOID key, apc;
    IO_STATUS_BLOCK got;
    CHECK_NT(NtRemoveIoCompletion(port, &key, &apc, &got, &timeout), STATUS_SUCCESS);
    KT_CHECK(key == (PVOID)9 && apc == &iosb && got.Status == STATUS_CANCELLED);

    KtSection("the port's handle closed under a waiter: STATUS_ABANDONED_WAIT_0");
    PORT_WAITER w = {port, STATUS_PENDING, 0};
    pthread_t thread;
    KT_CHECK(pthread_create(&thread, NULL, PortWaiter, &w) == 0);
    while (__atomic_load_n(&w.Tid, __ATOMIC_SEQ_CST) == 0) {
        sched_yield();
    }
    /* Once the waiter sleeps, it waits in NtRemoveIoCompletion on the empty port. */
    KT_CHECK(W32WaitUntilSleeping(w.Tid));
    CHECK_NT(NtClose(port), STATUS_SUCCESS);
    pthread_join(thread, NULL);
    KT_CHECK_STATUS(w.Status, STATUS_ABANDONED_WAIT_0);

    KtSection("a thread that exits has its I/O cancelled (IoCancelThreadIo)");
    h = Open(false);
    EXITING_WRITER ew;
    memset(&ew, 0, sizeof ew);
    ew.File = h;
    ew.Event = event;
    KT_CHECK(pthread_create(&thread, NULL, ExitingWriter, &ew) == 0);
    pthread_join(thread, NULL);
    KT_CHECK_STATUS(ew.Returned, STATUS_PENDING);
    CHECK_NT(NtWaitForSingleObject(event, 0, &timeout), STATUS_WAIT_0);
    KT_CHECK(ew.Iosb.Status == STATUS_CANCELLED);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
    CHECK_NT(NtClose(event), STATUS_SUCCESS);
}

static void RunVariant(const char *Module)
{
    g_Module = Module;
    KtSection("===== %s =====", Module);
    KT_DEVICE device = StartEcho(10);
    TestOpen();
    TestSynchronous();
    TestOverlapped();
    TestPort();
    KtTeardown(&device, Module);

    /* No tick while these run: requests stay pending until cancelled. A first write takes
       the first tick (100 ms after the start), which a slow machine could otherwise see
       complete a request meant to stay pending. */
    device = StartEcho(10000);
    HANDLE h = Open(true);
    uint8_t first[16] = {0};
    IO_STATUS_BLOCK iosb;
    CHECK_NT(NtWriteFile(h, NULL, NULL, NULL, &iosb, first, sizeof first, NULL, NULL), STATUS_SUCCESS);
    CHECK_NT(NtClose(h), STATUS_SUCCESS);
    TestCancelAndClose();
    KtTeardown(&device, Module);
}

int main(void)
{
    KtVerifierCapture();
    RunVariant("echo-autosync.so");
    RunVariant("echo-driversync.so");
    return KtFinish();
}
