/*
 * win32_surface.c - the parts of the host's Win32 surface that need no driver: the last
 * error and errno, handles, events and waits, completion ports, the NTSTATUS mapping,
 * FormatMessageW, SetupAPI on an empty interface class, and CreateFileW on a path that
 * names no device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "w32test.h"

static const GUID EchoGuid = {0xcdc35b6e, 0x0be4, 0x4936,
                              {0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c, 0x1a}};

/* Checks the last error and errno right after a failed call (errno first: nothing may
   run in between that could change it). */


/* ------------------------------------------------------------------ last error */

static void *OtherThreadError(void *Arg)
{
    (void)Arg;
    SetLastError(ERROR_NOT_FOUND);
    return (void *)(uintptr_t)GetLastError();
}

static void TestLastError(void)
{
    KtSection("SetLastError/GetLastError are per thread and mirrored in errno");
    SetLastError(ERROR_MORE_DATA);
    EXPECT_ERROR(ERROR_MORE_DATA);
    pthread_t thread;
    void *other = NULL;
    KT_CHECK(pthread_create(&thread, NULL, OtherThreadError, NULL) == 0);
    KT_CHECK(pthread_join(thread, &other) == 0);
    KT_CHECK((uintptr_t)other == ERROR_NOT_FOUND);
    KT_CHECK(GetLastError() == ERROR_MORE_DATA);
    SetLastError(0);
    EXPECT_ERROR(0);
}

/* ------------------------------------------------------------------ handles */

static void TestHandles(void)
{
    KtSection("invalid handles fail with ERROR_INVALID_HANDLE");
    KT_CHECK(!CloseHandle(NULL));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(!CloseHandle(INVALID_HANDLE_VALUE));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(!CloseHandle((HANDLE)(uintptr_t)0x7ff0));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(!SetEvent((HANDLE)(uintptr_t)0x7ff0));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);

    HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
    KT_CHECK(event != NULL && event != INVALID_HANDLE_VALUE);
    KT_CHECK(((uintptr_t)event & 3) == 0);
    /* A handle of the wrong type. */
    DWORD bytes = 1;
    char buffer[4];
    KT_CHECK(!ReadFile(event, buffer, sizeof buffer, &bytes, NULL));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(bytes == 0);
    KT_CHECK(!CancelIoEx(event, NULL));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(CloseHandle(event));
    KT_CHECK(!CloseHandle(event));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(!SetEvent(event));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
}

/* ------------------------------------------------------------------ events and waits */

typedef struct SIGNAL_LATER {
    HANDLE Started;
    HANDLE Target;
} SIGNAL_LATER;

static void *SetEventThread(void *Arg)
{
    SIGNAL_LATER *s = Arg;
    /* Wait for the main thread to say it is about to block, then release it. */
    if (WaitForSingleObject(s->Started, KT_WAIT_MS) == WAIT_OBJECT_0) {
        SetEvent(s->Target);
    }
    return NULL;
}

static void TestEvents(void)
{
    KtSection("CreateEventW, SetEvent, ResetEvent, WaitForSingleObject");
    HANDLE manual = CreateEventW(NULL, TRUE, TRUE, NULL);
    KT_CHECK(manual != NULL);
    EXPECT_ERROR(ERROR_SUCCESS);
    KT_CHECK(WaitForSingleObject(manual, 0) == WAIT_OBJECT_0);
    KT_CHECK(WaitForSingleObject(manual, 0) == WAIT_OBJECT_0); /* stays signalled */
    KT_CHECK(ResetEvent(manual));
    KT_CHECK(WaitForSingleObject(manual, 0) == WAIT_TIMEOUT);
    uint64_t start = KtNowNs();
    KT_CHECK(WaitForSingleObject(manual, 30) == WAIT_TIMEOUT);
    KT_CHECK(KtNowNs() - start >= 30u * 1000000u);

    HANDLE automatic = CreateEventW(NULL, FALSE, FALSE, NULL);
    KT_CHECK(WaitForSingleObject(automatic, 0) == WAIT_TIMEOUT);
    KT_CHECK(SetEvent(automatic));
    KT_CHECK(WaitForSingleObject(automatic, 0) == WAIT_OBJECT_0);
    KT_CHECK(WaitForSingleObject(automatic, 0) == WAIT_TIMEOUT); /* reset by the wait */

    KtSection("a wait is released by SetEvent from another thread");
    HANDLE started = CreateEventW(NULL, TRUE, FALSE, NULL);
    SIGNAL_LATER s = {started, automatic};
    pthread_t thread;
    KT_CHECK(pthread_create(&thread, NULL, SetEventThread, &s) == 0);
    KT_CHECK(SetEvent(started));
    KT_CHECK(WaitForSingleObject(automatic, KT_WAIT_MS) == WAIT_OBJECT_0);
    pthread_join(thread, NULL);

    KtSection("named events are not supported");
    KT_CHECK(CreateEventW(NULL, TRUE, FALSE, L"Global\\EchoEvent") == NULL);
    EXPECT_ERROR(ERROR_NOT_SUPPORTED);

    KtSection("WaitForMultipleObjects, wait-any and wait-all");
    HANDLE a = CreateEventW(NULL, FALSE, FALSE, NULL);
    HANDLE b = CreateEventW(NULL, FALSE, FALSE, NULL);
    HANDLE both[2] = {a, b};
    KT_CHECK(WaitForMultipleObjects(2, both, FALSE, 0) == WAIT_TIMEOUT);
    SetEvent(b);
    KT_CHECK(WaitForMultipleObjects(2, both, FALSE, 0) == WAIT_OBJECT_0 + 1);
    KT_CHECK(WaitForSingleObject(b, 0) == WAIT_TIMEOUT); /* consumed */
    SetEvent(a);
    SetEvent(b);
    KT_CHECK(WaitForMultipleObjects(2, both, FALSE, 0) == WAIT_OBJECT_0); /* lowest index */
    KT_CHECK(WaitForSingleObject(b, 0) == WAIT_OBJECT_0); /* b was left alone */
    /* Wait-all: nothing is consumed until all are signalled. */
    SetEvent(a);
    KT_CHECK(WaitForMultipleObjects(2, both, TRUE, 10) == WAIT_TIMEOUT);
    KT_CHECK(WaitForSingleObject(a, 0) == WAIT_OBJECT_0); /* still signalled, consume */
    SetEvent(a);
    SetEvent(b);
    KT_CHECK(WaitForMultipleObjects(2, both, TRUE, 0) == WAIT_OBJECT_0);
    KT_CHECK(WaitForMultipleObjects(2, both, FALSE, 0) == WAIT_TIMEOUT); /* both consumed */

    KtSection("WaitForMultipleObjects failures: WAIT_FAILED with the last error");
    HANDLE bad[2] = {a, (HANDLE)(uintptr_t)0x7ff0};
    KT_CHECK(WaitForMultipleObjects(2, bad, FALSE, 0) == WAIT_FAILED);
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(WaitForMultipleObjects(0, both, FALSE, 0) == WAIT_FAILED);
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);
    HANDLE twice[2] = {a, a};
    KT_CHECK(WaitForMultipleObjects(2, twice, TRUE, 0) == WAIT_FAILED);
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);
    KT_CHECK(WaitForSingleObject(NULL, 0) == WAIT_FAILED);
    EXPECT_ERROR(ERROR_INVALID_HANDLE);

    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(started);
    CloseHandle(automatic);
    CloseHandle(manual);
}

/* ------------------------------------------------------------------ completion ports */

typedef struct PORT_WAITER {
    HANDLE Port;
    HANDLE Ready;
    BOOL Result;
    DWORD Error;
    LPOVERLAPPED Overlapped;
    pid_t Tid;
} PORT_WAITER;

static void *PortWaiterThread(void *Arg)
{
    PORT_WAITER *w = Arg;
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    w->Overlapped = (LPOVERLAPPED)(uintptr_t)1;
    w->Tid = (pid_t)syscall(SYS_gettid);
    SetEvent(w->Ready);
    w->Result = GetQueuedCompletionStatus(w->Port, &bytes, &key, &w->Overlapped, KT_WAIT_MS);
    w->Error = GetLastError();
    return NULL;
}


static void TestPorts(void)
{
    KtSection("PostQueuedCompletionStatus and GetQueuedCompletionStatus");
    HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    KT_CHECK(port != NULL);
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    KT_CHECK(PostQueuedCompletionStatus(port, 123, 0xfeed, &ov));
    KT_CHECK(PostQueuedCompletionStatus(port, 7, 0xbeef, NULL));
    KT_CHECK(WaitForSingleObject(port, 0) == WAIT_OBJECT_0); /* packets queued */
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = NULL;
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    KT_CHECK(bytes == 123 && key == 0xfeed && got == &ov);
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    KT_CHECK(bytes == 7 && key == 0xbeef && got == NULL);

    KtSection("GetQueuedCompletionStatus time-out: FALSE, NULL OVERLAPPED, WAIT_TIMEOUT");
    got = &ov;
    KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(got == NULL);
    got = &ov;
    uint64_t start = KtNowNs();
    KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 25));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(got == NULL);
    KT_CHECK(KtNowNs() - start >= 25u * 1000000u);
    KT_CHECK(WaitForSingleObject(port, 0) == WAIT_TIMEOUT);

    KtSection("GetQueuedCompletionStatusEx removes several packets at once");
    OVERLAPPED ovs[3];
    memset(ovs, 0, sizeof ovs);
    for (int i = 0; i < 3; i++) {
        KT_CHECK(PostQueuedCompletionStatus(port, 10u + (DWORD)i, (ULONG_PTR)i, &ovs[i]));
    }
    OVERLAPPED_ENTRY entries[2];
    ULONG removed = 99;
    KT_CHECK(GetQueuedCompletionStatusEx(port, entries, 2, &removed, 0, FALSE));
    KT_CHECK(removed == 2);
    KT_CHECK(entries[0].lpOverlapped == &ovs[0] && entries[0].dwNumberOfBytesTransferred == 10 &&
             entries[0].lpCompletionKey == 0 && entries[0].Internal == 0);
    KT_CHECK(entries[1].lpOverlapped == &ovs[1] && entries[1].lpCompletionKey == 1);
    KT_CHECK(GetQueuedCompletionStatusEx(port, entries, 2, &removed, 0, FALSE));
    KT_CHECK(removed == 1 && entries[0].lpOverlapped == &ovs[2]);
    KT_CHECK(!GetQueuedCompletionStatusEx(port, entries, 2, &removed, 5, FALSE));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(removed == 0);
    KT_CHECK(!GetQueuedCompletionStatusEx(port, entries, 0, &removed, 0, FALSE));
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);

    KtSection("a port cannot be associated with INVALID_HANDLE_VALUE and a port");
    KT_CHECK(CreateIoCompletionPort(INVALID_HANDLE_VALUE, port, 0, 0) == NULL);
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);
    HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
    KT_CHECK(CreateIoCompletionPort(event, port, 1, 0) == NULL);
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(!PostQueuedCompletionStatus(event, 0, 0, NULL));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    CloseHandle(event);
    KT_CHECK(CloseHandle(port));

    KtSection("closing the port while a thread waits: ERROR_ABANDONED_WAIT_0");
    PORT_WAITER w = {CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0),
                     CreateEventW(NULL, TRUE, FALSE, NULL), TRUE, 0, NULL, 0};
    pthread_t thread;
    KT_CHECK(pthread_create(&thread, NULL, PortWaiterThread, &w) == 0);
    KT_CHECK(WaitForSingleObject(w.Ready, KT_WAIT_MS) == WAIT_OBJECT_0);
    /* After announcing itself the waiter's only blocking point is inside
       GetQueuedCompletionStatus: close the handle once the kernel reports it asleep. */
    KT_CHECK(W32WaitUntilSleeping(w.Tid));
    KT_CHECK(CloseHandle(w.Port));
    pthread_join(thread, NULL);
    KT_CHECK(!w.Result);
    KT_CHECKF(w.Error == ERROR_ABANDONED_WAIT_0, "error %u", (unsigned)w.Error);
    KT_CHECK(w.Overlapped == NULL);
    CloseHandle(w.Ready);
}

/* ------------------------------------------------------------------ error mapping */

typedef struct MAPPING {
    uint32_t Status;
    DWORD Error;
} MAPPING;

/* Microsoft's NTSTATUS to Win32 mapping (KB113996 / RtlNtStatusToDosError). */
static const MAPPING Expected[] = {
    {0x00000000u, 0},     /* STATUS_SUCCESS */
    {0x00000103u, 997},   /* STATUS_PENDING -> ERROR_IO_PENDING */
    {0x00000102u, 1460},  /* STATUS_TIMEOUT -> ERROR_TIMEOUT */
    {0xC0000120u, 995},   /* STATUS_CANCELLED -> ERROR_OPERATION_ABORTED */
    {0x80000005u, 234},   /* STATUS_BUFFER_OVERFLOW -> ERROR_MORE_DATA */
    {0xC000009Au, 1450},  /* STATUS_INSUFFICIENT_RESOURCES -> ERROR_NO_SYSTEM_RESOURCES */
    {0xC0000010u, 1},     /* STATUS_INVALID_DEVICE_REQUEST -> ERROR_INVALID_FUNCTION */
    {0xC000000Du, 87},    /* STATUS_INVALID_PARAMETER */
    {0xC0000023u, 122},   /* STATUS_BUFFER_TOO_SMALL -> ERROR_INSUFFICIENT_BUFFER */
    {0xC00000BBu, 50},    /* STATUS_NOT_SUPPORTED */
    {0xC000000Eu, 2},     /* STATUS_NO_SUCH_DEVICE -> ERROR_FILE_NOT_FOUND */
    {0xC00002B6u, 1617},  /* STATUS_DEVICE_REMOVED -> ERROR_DEVICE_REMOVED */
    {0xC0000056u, 5},     /* STATUS_DELETE_PENDING -> ERROR_ACCESS_DENIED */
    {0xC0000184u, 22},    /* STATUS_INVALID_DEVICE_STATE -> ERROR_BAD_COMMAND */
    {0xC0000034u, 2},     /* STATUS_OBJECT_NAME_NOT_FOUND -> ERROR_FILE_NOT_FOUND */
    {0xC0000001u, 31},    /* STATUS_UNSUCCESSFUL -> ERROR_GEN_FAILURE */
    {0xC00000A3u, 21},    /* STATUS_DEVICE_NOT_READY -> ERROR_NOT_READY */
    {0xC0000022u, 5},     /* STATUS_ACCESS_DENIED */
    {0xC0000225u, 1168},  /* STATUS_NOT_FOUND -> ERROR_NOT_FOUND */
    {0xC0000011u, 38},    /* STATUS_END_OF_FILE -> ERROR_HANDLE_EOF */
    {0xC0000008u, 6},     /* STATUS_INVALID_HANDLE */
    {0xC0000002u, 1},     /* STATUS_NOT_IMPLEMENTED -> ERROR_INVALID_FUNCTION */
    {0xC0000017u, 8},     /* STATUS_NO_MEMORY -> ERROR_NOT_ENOUGH_MEMORY */
    {0xC00000C0u, 55},    /* STATUS_DEVICE_DOES_NOT_EXIST -> ERROR_DEV_NOT_EXIST */
    {0xC0000206u, 1784},  /* STATUS_INVALID_BUFFER_SIZE -> ERROR_INVALID_USER_BUFFER */
    {0xC00000B5u, 121},   /* STATUS_IO_TIMEOUT -> ERROR_SEM_TIMEOUT */
    {0x80000011u, 170},   /* STATUS_DEVICE_BUSY -> ERROR_BUSY */
    {0xC0000128u, 6},     /* STATUS_FILE_CLOSED -> ERROR_INVALID_HANDLE */
    {0xC0000047u, 298},   /* STATUS_SEMAPHORE_LIMIT_EXCEEDED -> ERROR_TOO_MANY_POSTS */
    {0xC0000106u, 206},   /* STATUS_NAME_TOO_LONG -> ERROR_FILENAME_EXCED_RANGE */
    {0xC00000E5u, 1359},  /* STATUS_INTERNAL_ERROR -> ERROR_INTERNAL_ERROR */
    {0xC0000004u, 24},    /* STATUS_INFO_LENGTH_MISMATCH -> ERROR_BAD_LENGTH */
    {0xC0000024u, 6},     /* STATUS_OBJECT_TYPE_MISMATCH -> ERROR_INVALID_HANDLE */
    {0xC0000033u, 123},   /* STATUS_OBJECT_NAME_INVALID -> ERROR_INVALID_NAME */
    {0xC0000016u, 234},   /* STATUS_MORE_PROCESSING_REQUIRED -> ERROR_MORE_DATA */
    {0x8000001Au, 259},   /* STATUS_NO_MORE_ENTRIES -> ERROR_NO_MORE_ITEMS */
    {0xC0000183u, 1117},  /* STATUS_DRIVER_INTERNAL_ERROR -> ERROR_IO_DEVICE */
    {0xC00000F0u, 87},    /* STATUS_INVALID_PARAMETER_2 */
    {0x80070057u, 87},    /* NTSTATUS_FROM_WIN32(ERROR_INVALID_PARAMETER) (warning severity) */
    {0xC0070057u, 317},   /* error severity, facility 7: no rule, no table entry */
    {0xD000009Au, 1450},  /* HRESULT_FROM_NT(STATUS_INSUFFICIENT_RESOURCES) */
    {0xD0000120u, 995},   /* HRESULT_FROM_NT(STATUS_CANCELLED) */
    {0xC0010005u, 5},     /* an OS/2 error code from the redirector: the low word */
    {0xC0001234u, 317},   /* unknown -> ERROR_MR_MID_NOT_FOUND */
};

static void TestStatusMapping(void)
{
    KtSection("NTSTATUS to Win32 error mapping");
    for (size_t i = 0; i < sizeof Expected / sizeof Expected[0]; i++) {
        DWORD got = KmdfHostNtStatusToWin32Error((KH_STATUS)Expected[i].Status);
        KT_CHECKF(got == Expected[i].Error, "status 0x%08x -> %u, expected %u",
                  (unsigned)Expected[i].Status, (unsigned)got, (unsigned)Expected[i].Error);
    }
}

/* ------------------------------------------------------------------ FormatMessageW */

static bool MessageIs(DWORD Id, const wchar_t *Text)
{
    wchar_t buffer[512];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             Id, 0, buffer, 512, NULL);
    bool ok = n == wcslen(Text) && wcscmp(buffer, Text) == 0;
    if (!ok) {
        fprintf(stderr, "message %u: got %u characters \"%ls\"\n", (unsigned)Id, (unsigned)n,
                n ? buffer : L"");
    }
    return ok;
}

static void TestFormatMessage(void)
{
    KtSection("FormatMessageW returns Windows' English system messages");
    KT_CHECK(MessageIs(995, L"The I/O operation has been aborted because of either a thread "
                            L"exit or an application request.\r\n"));
    KT_CHECK(MessageIs(234, L"More data is available.\r\n"));
    KT_CHECK(MessageIs(2, L"The system cannot find the file specified.\r\n"));
    KT_CHECK(MessageIs(1, L"Incorrect function.\r\n"));
    KT_CHECK(MessageIs(1450, L"Insufficient system resources exist to complete the requested "
                             L"service.\r\n"));

    KtSection("every error the mapping can give has a message");
    for (size_t i = 0; i < sizeof Expected / sizeof Expected[0]; i++) {
        wchar_t buffer[512];
        DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                 NULL, Expected[i].Error, 0, buffer, 512, NULL);
        KT_CHECKF(n > 2 && buffer[n - 2] == L'\r' && buffer[n - 1] == L'\n',
                  "no message for %u", (unsigned)Expected[i].Error);
    }
    /* Sweep the ranges that hold every mapped status: each mapping has a message. */
    static const uint32_t Ranges[][2] = {
        {0x00000100u, 0x00000110u}, {0x80000000u, 0x80000030u}, {0xC0000000u, 0xC0000300u}};
    for (size_t r = 0; r < sizeof Ranges / sizeof Ranges[0]; r++) {
        for (uint32_t status = Ranges[r][0]; status < Ranges[r][1]; status++) {
            DWORD error = KmdfHostNtStatusToWin32Error((KH_STATUS)status);
            wchar_t buffer[512];
            if (error != ERROR_MR_MID_NOT_FOUND) {
                KT_CHECKF(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
                                             FORMAT_MESSAGE_IGNORE_INSERTS,
                                         NULL, error, 0, buffer, 512, NULL) > 0,
                          "status 0x%08x maps to %u, which has no message", (unsigned)status,
                          (unsigned)error);
            }
        }
    }
    static const DWORD SurfaceErrors[] = {
        ERROR_INVALID_HANDLE,   ERROR_INVALID_PARAMETER,  ERROR_IO_PENDING,
        ERROR_IO_INCOMPLETE,    WAIT_TIMEOUT,             ERROR_ABANDONED_WAIT_0,
        ERROR_NOT_FOUND,        ERROR_NO_MORE_ITEMS,      ERROR_INSUFFICIENT_BUFFER,
        ERROR_INVALID_USER_BUFFER, ERROR_INVALID_FLAGS,   ERROR_NOT_SUPPORTED,
        ERROR_NOT_ENOUGH_MEMORY, ERROR_ALREADY_EXISTS,    ERROR_PATH_NOT_FOUND,
        ERROR_INVALID_NAME,     ERROR_RESOURCE_LANG_NOT_FOUND, ERROR_MR_MID_NOT_FOUND,
    };
    for (size_t i = 0; i < sizeof SurfaceErrors / sizeof SurfaceErrors[0]; i++) {
        wchar_t buffer[512];
        KT_CHECKF(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                 NULL, SurfaceErrors[i], 0, buffer, 512, NULL) > 0,
                  "no message for %u", (unsigned)SurfaceErrors[i]);
    }

    KtSection("FORMAT_MESSAGE_ALLOCATE_BUFFER and LocalFree");
    LPWSTR allocated = NULL;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, ERROR_MORE_DATA, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT),
                             (LPWSTR)&allocated, 0, NULL);
    KT_CHECK(n == wcslen(L"More data is available.\r\n"));
    KT_CHECK(allocated != NULL && wcscmp(allocated, L"More data is available.\r\n") == 0);
    KT_CHECK(LocalFree(allocated) == NULL);

    KtSection("FormatMessageW failures");
    wchar_t small[8];
    KT_CHECK(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                            ERROR_OPERATION_ABORTED, 0, small, 8, NULL) == 0);
    EXPECT_ERROR(ERROR_INSUFFICIENT_BUFFER);
    wchar_t buffer[512];
    KT_CHECK(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                            0x12345, 0, buffer, 512, NULL) == 0);
    EXPECT_ERROR(ERROR_MR_MID_NOT_FOUND);
    KT_CHECK(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                            ERROR_MORE_DATA, MAKELANGID(0x07, SUBLANG_DEFAULT), buffer, 512,
                            NULL) == 0);
    EXPECT_ERROR(ERROR_RESOURCE_LANG_NOT_FOUND);

    KtSection("FORMAT_MESSAGE_MAX_WIDTH_MASK turns line breaks into spaces");
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                           FORMAT_MESSAGE_MAX_WIDTH_MASK,
                       NULL, ERROR_INVALID_FUNCTION, 0, buffer, 512, NULL);
    KT_CHECK(n == wcslen(L"Incorrect function. ") && wcscmp(buffer, L"Incorrect function. ") == 0);
}

/* ------------------------------------------------------------------ SetupAPI, CreateFileW */

static void TestSetupApiEmpty(void)
{
    KtSection("SetupDiGetClassDevsW: DEVICEINTERFACE with or without PRESENT and PROFILE, setup "
              "classes; what the host does not offer fails");
    HDEVINFO set = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, DIGCF_ALLCLASSES | DIGCF_DEVICEINTERFACE);
    KT_CHECK(set == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_INVALID_FLAGS);
    set = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, DIGCF_DEFAULT | DIGCF_DEVICEINTERFACE);
    KT_CHECK(set == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_INVALID_FLAGS);

    /* Setup-class sets: every installed device (ALLCLASSES, ClassGuid ignored), none here. */
    set = SetupDiGetClassDevsW(NULL, NULL, NULL, DIGCF_ALLCLASSES | DIGCF_PRESENT);
    KT_CHECK(set != INVALID_HANDLE_VALUE && set != NULL);
    SP_DEVINFO_DATA info;
    memset(&info, 0, sizeof info);
    info.cbSize = sizeof info;
    KT_CHECK(!SetupDiEnumDeviceInfo(set, 0, &info));
    EXPECT_ERROR(ERROR_NO_MORE_ITEMS);
    KT_CHECK(SetupDiDestroyDeviceInfoList(set));
    set = SetupDiGetClassDevsW(NULL, NULL, NULL, DIGCF_PRESENT);
    KT_CHECK(set == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);
    static const DWORD Accepted[] = {DIGCF_DEVICEINTERFACE, DIGCF_DEVICEINTERFACE | DIGCF_PROFILE,
                                     DIGCF_DEVICEINTERFACE | DIGCF_PRESENT | DIGCF_PROFILE};
    for (size_t i = 0; i < sizeof Accepted / sizeof Accepted[0]; i++) {
        set = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, Accepted[i]);
        KT_CHECKF(set != INVALID_HANDLE_VALUE, "flags 0x%x: error %u", (unsigned)Accepted[i],
                  (unsigned)GetLastError());
        if (set != INVALID_HANDLE_VALUE) {
            KT_CHECK(SetupDiDestroyDeviceInfoList(set));
        }
    }
    set = SetupDiGetClassDevsW(NULL, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    KT_CHECK(set == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);

    KtSection("no device: an empty set, ERROR_NO_MORE_ITEMS at index 0");
    set = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    KT_CHECK(set != INVALID_HANDLE_VALUE && set != NULL);
    SP_DEVICE_INTERFACE_DATA data;
    memset(&data, 0, sizeof data);
    data.cbSize = sizeof data;
    KT_CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, 0, &data));
    EXPECT_ERROR(ERROR_NO_MORE_ITEMS);
    data.cbSize = 28; /* the 32-bit size */
    KT_CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, 0, &data));
    EXPECT_ERROR(ERROR_INVALID_USER_BUFFER);
    KT_CHECK(!CloseHandle(set)); /* not a kernel handle */
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(WaitForSingleObject(set, 0) == WAIT_FAILED);
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    KT_CHECK(SetupDiDestroyDeviceInfoList(set));
    KT_CHECK(!SetupDiDestroyDeviceInfoList(set));
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
}

static void TestCreateFileNoDevice(void)
{
    KtSection("CreateFileW on a path that names no device: ERROR_FILE_NOT_FOUND");
    HANDLE h = CreateFileW(L"\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}",
                           GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    KT_CHECK(h == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_FILE_NOT_FOUND);
    h = CreateFileW(L"\\\\.\\NoSuchDevice", GENERIC_READ, 0, NULL, OPEN_EXISTING,
                    FILE_FLAG_OVERLAPPED, NULL);
    KT_CHECK(h == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_FILE_NOT_FOUND);

    KtSection("CreateFileW: a device path with any valid disposition is looked up; an invalid one is refused");
    /* The disposition would reach the device's create request (ntapi_test shows a device
       opening with FILE_CREATE); here no device is present. */
    h = CreateFileW(L"\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}",
                    GENERIC_READ, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    KT_CHECK(h == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_FILE_NOT_FOUND);
    h = CreateFileW(L"\\\\?\\x", GENERIC_READ, 0, NULL, 0, FILE_ATTRIBUTE_NORMAL, NULL);
    KT_CHECK(h == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);
}

int main(void)
{
    EXPECT_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS);
    TestLastError();
    TestHandles();
    TestEvents();
    TestPorts();
    TestStatusMapping();
    TestFormatMessage();
    TestSetupApiEmpty();
    TestCreateFileNoDevice();
    return KtFinish();
}
