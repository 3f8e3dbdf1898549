/*
 * win32_echo.c - the host's Win32 surface against the echo driver, both variants:
 * SetupAPI enumeration and its size protocol, interfaces appearing at start and going
 * at removal, synchronous and overlapped I/O with events and completion ports,
 * synchronous completion on an overlapped handle with and without
 * SetFileCompletionNotificationModes, failed I/O through a port, CancelIo, CancelIoEx,
 * CloseHandle with I/O in flight, an IOCTL the driver does not take, and an oversize
 * write.
 *
 * The echo driver parks each read and write until its next timer tick (period
 * TimerPeriodMs). Scenarios that need completions use a short period; scenarios that
 * need I/O to stay pending use the longest valid period (10 s) on a device started just
 * before, so that no tick comes while they run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "w32test.h"

#define SERVICE "EchoKmdf"
#define INSTANCE "ROOT\\ECHO\\0000"
#define MAX_WRITE 40960u
#define ECHO_FLAGS (DIGCF_PRESENT | DIGCF_DEVICEINTERFACE)

static const GUID EchoGuid = {0xcdc35b6e, 0x0be4, 0x4936,
                              {0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c, 0x1a}};
static const wchar_t EchoPath[] = L"\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";



/* ------------------------------------------------------------------ helpers */

static const char *g_Module;

static KT_DEVICE StartEcho(uint32_t TimerPeriodMs)
{
    KT_DEVICE device;
    EXPECT_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS);
    EXPECT_STATUS(KmdfHostSetServiceParameterULong(SERVICE, "TimerPeriodMs", TimerPeriodMs),
                    KT_STATUS_SUCCESS);
    EXPECT_STATUS(KtLoadDriver(&device, g_Module, SERVICE), KT_STATUS_SUCCESS);
    uint8_t guid[16];
    memcpy(guid, &EchoGuid, 16);
    EXPECT_STATUS(KtAddAndStart(&device, INSTANCE, guid), KT_STATUS_SUCCESS);
    return device;
}

/* Removes the device and unloads the driver (each called exactly once). */
static void RemoveAndUnload(KT_DEVICE *Device)
{
    if (Device->Node != NULL) {
        EXPECT_STATUS(KmdfHostRemoveDevice(Device->Node), KT_STATUS_SUCCESS);
        Device->Node = NULL;
    }
    if (Device->Driver != NULL) {
        EXPECT_STATUS(KmdfHostUnloadDriver(Device->Driver), KT_STATUS_SUCCESS);
        Device->Driver = NULL;
    }
}

static HANDLE Open(DWORD Flags)
{
    HANDLE h = CreateFileW(EchoPath, GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, Flags, NULL);
    KT_CHECKF(h != INVALID_HANDLE_VALUE, "CreateFileW failed with %u", (unsigned)GetLastError());
    return h;
}

static void InitOverlapped(OVERLAPPED *Ov, HANDLE Event)
{
    memset(Ov, 0, sizeof *Ov);
    Ov->hEvent = Event;
}

static HANDLE NewEvent(void)
{
    HANDLE e = CreateEventW(NULL, TRUE, FALSE, NULL);
    KT_CHECK(e != NULL);
    return e;
}

/* Waits for the operation and returns GetOverlappedResult's verdict and error. */
static BOOL WaitResult(HANDLE File, OVERLAPPED *Ov, DWORD *Bytes, DWORD *Error)
{
    BOOL ok = GetOverlappedResultEx(File, Ov, Bytes, KT_WAIT_MS, FALSE);
    *Error = ok ? 0 : GetLastError();
    KT_CHECKF(ok || *Error != WAIT_TIMEOUT, "the operation did not complete in time");
    return ok;
}

/* ------------------------------------------------------------------ SetupAPI */

static size_t CountInterfaces(void)
{
    HDEVINFO set = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, ECHO_FLAGS);
    KT_CHECK(set != INVALID_HANDLE_VALUE);
    size_t count = 0;
    SP_DEVICE_INTERFACE_DATA data;
    memset(&data, 0, sizeof data);
    data.cbSize = sizeof data;
    while (SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, (DWORD)count, &data)) {
        count++;
    }
    EXPECT_ERROR(ERROR_NO_MORE_ITEMS);
    SetupDiDestroyDeviceInfoList(set);
    return count;
}

static void TestSetupApi(void)
{
    KtSection("SetupDi: enumeration, ERROR_NO_MORE_ITEMS, the detail size protocol");
    HDEVINFO set = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, ECHO_FLAGS);
    KT_CHECK(set != INVALID_HANDLE_VALUE);
    SP_DEVICE_INTERFACE_DATA data;
    memset(&data, 0, sizeof data);
    data.cbSize = sizeof data;
    KT_CHECK(SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, 0, &data));
    KT_CHECK(memcmp(&data.InterfaceClassGuid, &EchoGuid, sizeof(GUID)) == 0);
    KT_CHECK(data.Flags & SPINT_ACTIVE);
    SP_DEVICE_INTERFACE_DATA next = data;
    KT_CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, 1, &next));
    EXPECT_ERROR(ERROR_NO_MORE_ITEMS);

    DWORD required = 0;
    KT_CHECK(!SetupDiGetDeviceInterfaceDetailW(set, &data, NULL, 0, &required, NULL));
    EXPECT_ERROR(ERROR_INSUFFICIENT_BUFFER);
    size_t expected = 4 + (wcslen(EchoPath) + 1) * sizeof(wchar_t);
    KT_CHECKF(required == expected, "RequiredSize %u, expected %zu", (unsigned)required, expected);

    PSP_DEVICE_INTERFACE_DETAIL_DATA_W detail = calloc(1, required + 16);
    detail->cbSize = 8;
    DWORD again = 0;
    KT_CHECK(!SetupDiGetDeviceInterfaceDetailW(set, &data, detail, required - 4, &again, NULL));
    EXPECT_ERROR(ERROR_INSUFFICIENT_BUFFER);
    KT_CHECK(again == required);

    detail->cbSize = 6; /* the 32-bit value */
    KT_CHECK(!SetupDiGetDeviceInterfaceDetailW(set, &data, detail, required, NULL, NULL));
    EXPECT_ERROR(ERROR_INVALID_USER_BUFFER);
    detail->cbSize = 8;
    KT_CHECK(!SetupDiGetDeviceInterfaceDetailW(set, &data, detail, 7, NULL, NULL)); /* < 8 */
    EXPECT_ERROR(ERROR_INVALID_USER_BUFFER);
    KT_CHECK(!SetupDiGetDeviceInterfaceDetailW(set, &data, NULL, required, NULL, NULL));
    EXPECT_ERROR(ERROR_INVALID_USER_BUFFER);

    detail->cbSize = 8;
    SP_DEVINFO_DATA devinfo;
    memset(&devinfo, 0, sizeof devinfo);
    devinfo.cbSize = sizeof devinfo;
    KT_CHECK(SetupDiGetDeviceInterfaceDetailW(set, &data, detail, required, NULL, &devinfo));
    /* The path as a wide string at offset 4. */
    const wchar_t *path = (const wchar_t *)((const char *)detail + 4);
    KT_CHECKF(wcscasecmp(path, EchoPath) == 0, "path %ls", path);
    KT_CHECK(devinfo.DevInst != 0);
    free(detail);

    data.cbSize = 28;
    KT_CHECK(!SetupDiGetDeviceInterfaceDetailW(set, &data, NULL, 0, &required, NULL));
    EXPECT_ERROR(ERROR_INVALID_USER_BUFFER);
    KT_CHECK(SetupDiDestroyDeviceInfoList(set));

    KtSection("SetupDi: DIGCF_DEVICEINTERFACE without DIGCF_PRESENT lists the interface too");
    set = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, DIGCF_DEVICEINTERFACE);
    KT_CHECK(set != INVALID_HANDLE_VALUE);
    data.cbSize = sizeof data;
    KT_CHECK(SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, 0, &data));
    SetupDiDestroyDeviceInfoList(set);

    KtSection("SetupDi: an enumerator filter (device instance ID)");
    set = SetupDiGetClassDevsW(&EchoGuid, L"root\\echo\\0000", NULL,
                               DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    data.cbSize = sizeof data;
    KT_CHECK(SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, 0, &data));
    SetupDiDestroyDeviceInfoList(set);
    set = SetupDiGetClassDevsW(&EchoGuid, L"ROOT\\ECHO\\0001", NULL,
                               DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    KT_CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &EchoGuid, 0, &data));
    EXPECT_ERROR(ERROR_NO_MORE_ITEMS);
    SetupDiDestroyDeviceInfoList(set);
}

static void TestInterfaceLifetime(void)
{
    KtSection("interfaces appear when the device starts and go when it is removed");
    EXPECT_STATUS(KmdfHostSetServiceParameterULong(SERVICE, "TimerPeriodMs", 10),
                    KT_STATUS_SUCCESS);
    KT_DEVICE device;
    EXPECT_STATUS(KtLoadDriver(&device, g_Module, SERVICE), KT_STATUS_SUCCESS);
    KT_CHECK(CountInterfaces() == 0);
    EXPECT_STATUS(KmdfHostAddDevice(device.Driver, INSTANCE, &device.Node), KT_STATUS_SUCCESS);
    KT_CHECK(CountInterfaces() == 0);
    EXPECT_STATUS(KmdfHostStartDevice(device.Node), KT_STATUS_SUCCESS);
    KT_CHECK(CountInterfaces() == 1);

    /* A set is a snapshot: it keeps the interface after the device has gone. */
    HDEVINFO before = SetupDiGetClassDevsW(&EchoGuid, NULL, NULL, ECHO_FLAGS);
    EXPECT_STATUS(KmdfHostRemoveDevice(device.Node), KT_STATUS_SUCCESS);
    device.Node = NULL;
    KT_CHECK(CountInterfaces() == 0);
    SP_DEVICE_INTERFACE_DATA data;
    memset(&data, 0, sizeof data);
    data.cbSize = sizeof data;
    KT_CHECK(SetupDiEnumDeviceInterfaces(before, NULL, &EchoGuid, 0, &data));
    SetupDiDestroyDeviceInfoList(before);

    KtSection("CreateFileW on the removed device's path: ERROR_FILE_NOT_FOUND");
    HANDLE h = CreateFileW(EchoPath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    KT_CHECK(h == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_FILE_NOT_FOUND);
    RemoveAndUnload(&device);
}

/* ------------------------------------------------------------------ synchronous I/O */

static void TestSynchronous(void)
{
    KtSection("synchronous write and read round trip");
    HANDLE h = Open(FILE_ATTRIBUTE_NORMAL);
    uint8_t out[512], in[512];
    KtFillPattern(out, sizeof out, 1);
    memset(in, 0, sizeof in);
    DWORD bytes = 0;
    KT_CHECK(WriteFile(h, out, sizeof out, &bytes, NULL));
    KT_CHECK(bytes == sizeof out);
    bytes = 0;
    KT_CHECK(ReadFile(h, in, sizeof in, &bytes, NULL));
    KT_CHECK(bytes == sizeof in);
    KT_CHECK(KtCheckPattern(in, sizeof in, 1));

    KtSection("a synchronous handle needs lpNumberOfBytes when there is no OVERLAPPED");
    KT_CHECK(!WriteFile(h, out, sizeof out, NULL, NULL));
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);

    KtSection("oversize write (40961 bytes): ERROR_MORE_DATA");
    uint8_t *big = calloc(1, MAX_WRITE + 1);
    bytes = 77;
    KT_CHECK(!WriteFile(h, big, MAX_WRITE + 1, &bytes, NULL));
    EXPECT_ERROR(ERROR_MORE_DATA);
    KT_CHECK(bytes == 0);
    free(big);

    KtSection("an IOCTL the driver does not take: ERROR_INVALID_FUNCTION");
    DWORD code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    uint8_t ioin[8] = {0}, ioout[8];
    bytes = 5;
    KT_CHECK(!DeviceIoControl(h, code, ioin, sizeof ioin, ioout, sizeof ioout, &bytes, NULL));
    EXPECT_ERROR(ERROR_INVALID_FUNCTION);
    KT_CHECK(bytes == 0);

    KtSection("the data written last is read back");
    KtFillPattern(out, sizeof out, 2);
    KT_CHECK(WriteFile(h, out, 100, &bytes, NULL) && bytes == 100);
    KT_CHECK(ReadFile(h, in, sizeof in, &bytes, NULL));
    KT_CHECK(bytes == 100 && KtCheckPattern(in, 100, 2));
    KT_CHECK(CloseHandle(h));
}

/* ------------------------------------------------------------------ overlapped I/O */

static void TestOverlappedEvent(void)
{
    KtSection("overlapped write: ERROR_IO_PENDING, then completion through the event");
    HANDLE h = Open(FILE_FLAG_OVERLAPPED);
    HANDLE event = NewEvent();
    SetEvent(event); /* the call must reset it */
    OVERLAPPED ov;
    InitOverlapped(&ov, event);
    uint8_t out[512];
    KtFillPattern(out, sizeof out, 3);
    DWORD bytes = 99;
    KT_CHECK(!WriteFile(h, out, sizeof out, &bytes, &ov));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(bytes == 0);
    KT_CHECK(WaitForSingleObject(event, KT_WAIT_MS) == WAIT_OBJECT_0);
    KT_CHECK(ov.Internal == 0);
    KT_CHECK(ov.InternalHigh == sizeof out);
    DWORD error;
    KT_CHECK(WaitResult(h, &ov, &bytes, &error));
    KT_CHECK(bytes == sizeof out);

    KtSection("overlapped read: GetOverlappedResult(bWait) and the data");
    uint8_t in[512];
    memset(in, 0, sizeof in);
    InitOverlapped(&ov, event);
    BOOL ok = ReadFile(h, in, sizeof in, NULL, &ov);
    KT_CHECK(!ok);
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(GetOverlappedResult(h, &ov, &bytes, TRUE));
    KT_CHECK(bytes == sizeof in && KtCheckPattern(in, sizeof in, 3));

    KtSection("an overlapped handle needs an OVERLAPPED");
    KT_CHECK(!ReadFile(h, in, sizeof in, &bytes, NULL));
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);

    KtSection("no event: GetOverlappedResult waits on the file handle");
    InitOverlapped(&ov, NULL);
    KT_CHECK(!WriteFile(h, out, 64, NULL, &ov));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(GetOverlappedResult(h, &ov, &bytes, TRUE));
    KT_CHECK(bytes == 64);
    CloseHandle(event);
    KT_CHECK(CloseHandle(h));
}

static void TestOverlappedPort(void)
{
    KtSection("overlapped I/O on a completion port");
    HANDLE h = Open(FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(h, NULL, 0x1234, 1);
    KT_CHECK(port != NULL);
    KT_CHECK(CreateIoCompletionPort(h, port, 5, 0) == NULL); /* already associated */
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);
    OVERLAPPED ov;
    InitOverlapped(&ov, NULL);
    uint8_t out[256];
    KtFillPattern(out, sizeof out, 4);
    KT_CHECK(!WriteFile(h, out, sizeof out, NULL, &ov));
    EXPECT_ERROR(ERROR_IO_PENDING);
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = NULL;
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, KT_WAIT_MS));
    KT_CHECK(got == &ov && key == 0x1234 && bytes == sizeof out);
    KT_CHECK(ov.Internal == 0 && ov.InternalHigh == sizeof out);

    KtSection("a synchronous success on an overlapped handle still signals and queues");
    HANDLE event = NewEvent();
    InitOverlapped(&ov, event);
    bytes = 99;
    /* A zero-length write is completed by the framework at once. */
    KT_CHECK(WriteFile(h, out, 0, &bytes, &ov));
    KT_CHECK(bytes == 0);
    KT_CHECK(WaitForSingleObject(event, 0) == WAIT_OBJECT_0);
    /* With an event, the event alone is signalled, not the file object. */
    KT_CHECK(WaitForSingleObject(h, 0) == WAIT_TIMEOUT);
    got = NULL;
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    KT_CHECK(got == &ov && bytes == 0 && key == 0x1234);

    KtSection("without an event, a completed request signals the file object");
    InitOverlapped(&ov, NULL);
    KT_CHECK(WriteFile(h, out, 0, &bytes, &ov));
    KT_CHECK(WaitForSingleObject(h, 0) == WAIT_OBJECT_0);
    got = NULL;
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    KT_CHECK(got == &ov);
    InitOverlapped(&ov, event);
    ResetEvent(event);
    KT_CHECK(WriteFile(h, out, 0, &bytes, &ov)); /* a new request resets the file's event */
    KT_CHECK(WaitForSingleObject(h, 0) == WAIT_TIMEOUT);
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));

    KtSection("the low bit of hEvent keeps the packet off the port");
    ResetEvent(event);
    InitOverlapped(&ov, (HANDLE)((uintptr_t)event | 1));
    KT_CHECK(WriteFile(h, out, 0, &bytes, &ov));
    KT_CHECK(WaitForSingleObject(event, 0) == WAIT_OBJECT_0);
    got = &ov;
    KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(got == NULL);

    KtSection("an oversize write, failed in EvtIoWrite behind the framework's STATUS_PENDING: "
              "ERROR_IO_PENDING, then STATUS_BUFFER_OVERFLOW through the port");
    /* The framework marks every request it queues pending and returns STATUS_PENDING,
       so the caller sees the call as pending even though the driver completed the
       request before the dispatch routine returned. */
    uint8_t *big = calloc(1, MAX_WRITE + 1);
    InitOverlapped(&ov, event);
    KT_CHECK(!WriteFile(h, big, MAX_WRITE + 1, NULL, &ov));
    EXPECT_ERROR(ERROR_IO_PENDING);
    got = NULL;
    KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_ERROR(ERROR_MORE_DATA);
    KT_CHECK(got == &ov);
    KT_CHECK(ov.Internal == 0x80000005u);
    free(big);

    KtSection("an error returned at once (IOCTL) reaches neither the port nor the event");
    DWORD code = CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS);
    SetEvent(event);
    InitOverlapped(&ov, event);
    KT_CHECK(!DeviceIoControl(h, code, NULL, 0, NULL, 0, NULL, &ov));
    EXPECT_ERROR(ERROR_INVALID_FUNCTION);
    KT_CHECK(WaitForSingleObject(event, 0) == WAIT_TIMEOUT); /* reset at submission only */
    got = &ov;
    KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_ERROR(WAIT_TIMEOUT);

    KtSection("FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE");
    KT_CHECK(!SetFileCompletionNotificationModes(h, 0x80));
    EXPECT_ERROR(ERROR_INVALID_PARAMETER);
    KT_CHECK(SetFileCompletionNotificationModes(
        h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE));
    ResetEvent(event);
    InitOverlapped(&ov, event);
    KT_CHECK(WriteFile(h, out, 0, &bytes, &ov));
    KT_CHECK(WaitForSingleObject(event, 0) == WAIT_OBJECT_0); /* an explicit event still is */
    got = &ov;
    KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(got == NULL);
    InitOverlapped(&ov, NULL);
    KT_CHECK(WriteFile(h, out, 0, &bytes, &ov));
    KT_CHECK(WaitForSingleObject(h, 0) == WAIT_TIMEOUT); /* the file's is not */
    /* A pending request still queues its packet. */
    InitOverlapped(&ov, event);
    KT_CHECK(!WriteFile(h, out, 32, NULL, &ov));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, KT_WAIT_MS));
    KT_CHECK(got == &ov && bytes == 32);

    CloseHandle(event);
    KT_CHECK(CloseHandle(h));
    KT_CHECK(CloseHandle(port));
}

/* ------------------------------------------------------------------ cancellation */

/* A synchronous write that the device's first tick (100 ms after its start) completes. */
static void TakeFirstTick(void)
{
    HANDLE h = Open(FILE_ATTRIBUTE_NORMAL);
    uint8_t first[16] = {0};
    DWORD written = 0;
    KT_CHECK(WriteFile(h, first, sizeof first, &written, NULL) && written == sizeof first);
    KT_CHECK(CloseHandle(h));
}

/* The driver holds one request at a time: a write parks until the next tick (10 s
   away) and a read behind it waits in the framework's queue. */
static void TestCancelIoEx(void)
{
    KtSection("CancelIoEx of one request, of an unknown one, then of all");
    HANDLE h = Open(FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(h, NULL, 9, 0);
    HANDLE e1 = NewEvent(), e2 = NewEvent();
    OVERLAPPED w, r, unknown;
    InitOverlapped(&w, e1);
    InitOverlapped(&r, e2);
    InitOverlapped(&unknown, NULL);
    uint8_t out[128], in[128];
    KtFillPattern(out, sizeof out, 5);
    KT_CHECK(!WriteFile(h, out, sizeof out, NULL, &w));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(!ReadFile(h, in, sizeof in, NULL, &r));
    EXPECT_ERROR(ERROR_IO_PENDING);

    KT_CHECK(!CancelIoEx(h, &unknown));
    EXPECT_ERROR(ERROR_NOT_FOUND);
    KT_CHECK(CancelIoEx(h, &r));
    DWORD bytes, error;
    KT_CHECK(!WaitResult(h, &r, &bytes, &error));
    KT_CHECK(error == ERROR_OPERATION_ABORTED);
    KT_CHECK(r.Internal == 0xC0000120u);
    DWORD key = 0;
    ULONG_PTR k = 0;
    LPOVERLAPPED got = NULL;
    KtSection("failed I/O through the port: FALSE with the OVERLAPPED set");
    KT_CHECK(!GetQueuedCompletionStatus(port, &key, &k, &got, KT_WAIT_MS));
    EXPECT_ERROR(ERROR_OPERATION_ABORTED);
    KT_CHECK(got == &r && k == 9);
    KT_CHECK(!GetOverlappedResult(h, &w, &bytes, FALSE)); /* the write is still pending */
    EXPECT_ERROR(ERROR_IO_INCOMPLETE);
    KtSection("GetOverlappedResultEx: a time-out is WAIT_TIMEOUT");
    uint64_t start = KtNowNs();
    KT_CHECK(!GetOverlappedResultEx(h, &w, &bytes, 20, FALSE));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(KtNowNs() - start >= 20u * 1000000u);
    KT_CHECK(w.Internal == 0x103u); /* STATUS_PENDING */

    KT_CHECK(CancelIoEx(h, NULL));
    KT_CHECK(!WaitResult(h, &w, &bytes, &error));
    KT_CHECK(error == ERROR_OPERATION_ABORTED);
    KT_CHECK(!GetQueuedCompletionStatus(port, &key, &k, &got, KT_WAIT_MS));
    EXPECT_ERROR(ERROR_OPERATION_ABORTED);
    KT_CHECK(got == &w);
    KT_CHECK(!CancelIoEx(h, NULL));
    EXPECT_ERROR(ERROR_NOT_FOUND);
    KT_CHECK(!CancelIoEx(h, &w));
    EXPECT_ERROR(ERROR_NOT_FOUND);
    CloseHandle(e1);
    CloseHandle(e2);
    KT_CHECK(CloseHandle(h));
    CloseHandle(port);
}

typedef struct CANCEL_THREAD {
    HANDLE File;
    OVERLAPPED Ov;
    uint8_t Buffer[64];
    HANDLE Issued;  /* set by the thread once its write is pending */
    HANDLE Cancel;  /* set by the main thread: call CancelIo now */
    HANDLE Done;
    BOOL CancelResult;
} CANCEL_THREAD;

static void *CancelIoThread(void *Arg)
{
    CANCEL_THREAD *t = Arg;
    KtFillPattern(t->Buffer, sizeof t->Buffer, 6);
    BOOL ok = WriteFile(t->File, t->Buffer, sizeof t->Buffer, NULL, &t->Ov);
    KT_CHECK(!ok && GetLastError() == ERROR_IO_PENDING);
    SetEvent(t->Issued);
    if (WaitForSingleObject(t->Cancel, KT_WAIT_MS) == WAIT_OBJECT_0) {
        t->CancelResult = CancelIo(t->File);
    }
    SetEvent(t->Done);
    return NULL;
}

static void TestCancelIo(void)
{
    KtSection("CancelIo cancels only the calling thread's I/O");
    HANDLE h = Open(FILE_FLAG_OVERLAPPED);
    CANCEL_THREAD t;
    memset(&t, 0, sizeof t);
    t.File = h;
    t.Issued = NewEvent();
    t.Cancel = NewEvent();
    t.Done = NewEvent();
    InitOverlapped(&t.Ov, NewEvent());
    pthread_t thread;
    KT_CHECK(pthread_create(&thread, NULL, CancelIoThread, &t) == 0);
    KT_CHECK(WaitForSingleObject(t.Issued, KT_WAIT_MS) == WAIT_OBJECT_0);

    OVERLAPPED r;
    InitOverlapped(&r, NewEvent());
    uint8_t in[64];
    KT_CHECK(!ReadFile(h, in, sizeof in, NULL, &r)); /* queued behind the parked write */
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(CancelIo(h)); /* this thread's read only */
    DWORD bytes, error;
    KT_CHECK(!WaitResult(h, &r, &bytes, &error));
    KT_CHECK(error == ERROR_OPERATION_ABORTED);
    KT_CHECK(!GetOverlappedResult(h, &t.Ov, &bytes, FALSE));
    EXPECT_ERROR(ERROR_IO_INCOMPLETE);

    SetEvent(t.Cancel); /* now the other thread cancels its own write */
    KT_CHECK(WaitForSingleObject(t.Done, KT_WAIT_MS) == WAIT_OBJECT_0);
    pthread_join(thread, NULL);
    KT_CHECK(t.CancelResult);
    KT_CHECK(!WaitResult(h, &t.Ov, &bytes, &error));
    KT_CHECK(error == ERROR_OPERATION_ABORTED);
    KT_CHECK(CancelIo(h)); /* nothing left: still TRUE */

    CloseHandle(r.hEvent);
    CloseHandle(t.Ov.hEvent);
    CloseHandle(t.Issued);
    CloseHandle(t.Cancel);
    CloseHandle(t.Done);
    KT_CHECK(CloseHandle(h));
}

static void TestCloseWithIoInFlight(void)
{
    KtSection("CloseHandle with I/O in flight: it completes with ERROR_OPERATION_ABORTED");
    HANDLE h = Open(FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(h, NULL, 3, 0);
    OVERLAPPED w, r;
    InitOverlapped(&w, NewEvent());
    InitOverlapped(&r, NewEvent());
    HANDLE we = w.hEvent, re = r.hEvent;
    uint8_t out[64], in[64];
    KtFillPattern(out, sizeof out, 7);
    KT_CHECK(!WriteFile(h, out, sizeof out, NULL, &w));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(!ReadFile(h, in, sizeof in, NULL, &r));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(CloseHandle(h));
    HANDLE events[2] = {we, re};
    KT_CHECK(WaitForMultipleObjects(2, events, TRUE, KT_WAIT_MS) == WAIT_OBJECT_0);
    KT_CHECK(w.Internal == 0xC0000120u && r.Internal == 0xC0000120u);
    int seen = 0;
    for (int i = 0; i < 2; i++) {
        DWORD bytes;
        ULONG_PTR key;
        LPOVERLAPPED got = NULL;
        KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, KT_WAIT_MS));
        EXPECT_ERROR(ERROR_OPERATION_ABORTED);
        KT_CHECK(key == 3);
        seen |= got == &w ? 1 : got == &r ? 2 : 4;
    }
    KT_CHECK(seen == 3);
    KT_CHECK(!CancelIoEx(h, NULL)); /* the handle is gone */
    EXPECT_ERROR(ERROR_INVALID_HANDLE);
    CloseHandle(we);
    CloseHandle(re);
    CloseHandle(port);
}

typedef struct SYNC_WRITER {
    HANDLE File;
    BOOL Result;
    DWORD Error;
    HANDLE Started;
    pid_t Tid;
} SYNC_WRITER;

static void *SyncWriterThread(void *Arg)
{
    SYNC_WRITER *s = Arg;
    uint8_t out[32];
    DWORD bytes = 0;
    KtFillPattern(out, sizeof out, 8);
    s->Tid = (pid_t)syscall(SYS_gettid);
    SetEvent(s->Started);
    s->Result = WriteFile(s->File, out, sizeof out, &bytes, NULL);
    s->Error = s->Result ? 0 : GetLastError();
    return NULL;
}

typedef struct SYNC_CLOSER {
    HANDLE File;
    BOOL Result;
    pid_t Tid;
} SYNC_CLOSER;

static void *SyncCloserThread(void *Arg)
{
    SYNC_CLOSER *c = Arg;
    __atomic_store_n(&c->Tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    c->Result = CloseHandle(c->File);
    return NULL;
}

/*
 * On a synchronous handle the I/O manager serializes the file object's I/O with the file
 * object lock, and closing the last handle takes that lock before the cleanup
 * (IopCloseFile): a CloseHandle that races a synchronous call on another thread waits
 * for the call to end, and the call is not cancelled by it (applications cancel first,
 * with CancelIoEx or CancelSynchronousIo). Here the write ends at the driver's next tick:
 * on a device with a 2 s period, after a first write has taken the first tick (100 ms
 * after the start), the writer and then the closer block for about 2 s.
 */
static void TestCloseSynchronousInFlight(void)
{
    KtSection("CloseHandle while another thread blocks in a synchronous write: it waits");
    HANDLE h = Open(FILE_ATTRIBUTE_NORMAL);
    uint8_t first[16] = {0};
    DWORD written = 0;
    KT_CHECK(WriteFile(h, first, sizeof first, &written, NULL) && written == sizeof first);
    SYNC_WRITER s = {h, FALSE, 0, NewEvent(), 0};
    pthread_t writer;
    KT_CHECK(pthread_create(&writer, NULL, SyncWriterThread, &s) == 0);
    KT_CHECK(WaitForSingleObject(s.Started, KT_WAIT_MS) == WAIT_OBJECT_0);
    /* Once the writer sleeps, it waits inside WriteFile for its parked write. */
    KT_CHECK(W32WaitUntilSleeping(s.Tid));
    SYNC_CLOSER c = {h, FALSE, 0};
    pthread_t closer;
    KT_CHECK(pthread_create(&closer, NULL, SyncCloserThread, &c) == 0);
    while (__atomic_load_n(&c.Tid, __ATOMIC_SEQ_CST) == 0) {
        sched_yield();
    }
    KT_CHECK(W32WaitUntilSleeping(c.Tid));
    pthread_join(writer, NULL);
    pthread_join(closer, NULL);
    /* The close did not cancel the write: it completed at the tick, then the close ran. */
    KT_CHECKF(s.Result, "the write failed with %u", (unsigned)s.Error);
    KT_CHECK(c.Result);
    CloseHandle(s.Started);
}

/* ------------------------------------------------------------------ surprise removal */

static void TestSurpriseRemoval(KT_DEVICE *Device)
{
    KtSection("surprise removal: outstanding I/O ends, new I/O and opens fail");
    HANDLE h = Open(FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(h, NULL, 11, 0);
    OVERLAPPED w, r;
    InitOverlapped(&w, NewEvent());
    InitOverlapped(&r, NewEvent());
    uint8_t out[64], in[64];
    KtFillPattern(out, sizeof out, 9);
    KT_CHECK(!WriteFile(h, out, sizeof out, NULL, &w));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(!ReadFile(h, in, sizeof in, NULL, &r));
    EXPECT_ERROR(ERROR_IO_PENDING);

    EXPECT_STATUS(KmdfHostSurpriseRemoveDevice(Device->Node), KT_STATUS_SUCCESS);
    KT_CHECK(CountInterfaces() == 0);
    for (int i = 0; i < 2; i++) {
        DWORD bytes;
        ULONG_PTR key;
        LPOVERLAPPED got = NULL;
        SetLastError(0);
        BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &got, KT_WAIT_MS);
        DWORD error = GetLastError();
        /* Each ends, one way or the other: the write the driver holds is completed by
           its next tick before the queue stops (the driver's documented suspend
           order), what waits in the queue is cancelled by the framework. */
        KT_CHECKF(got == &w || got == &r, "ok %d error %u", ok, (unsigned)error);
        KT_CHECKF(ok || error == ERROR_OPERATION_ABORTED, "error %u", (unsigned)error);
    }
    OVERLAPPED late;
    InitOverlapped(&late, NULL);
    BOOL ok = WriteFile(h, out, sizeof out, NULL, &late);
    DWORD error = GetLastError();
    if (!ok && error == ERROR_IO_PENDING) {
        /* Failed behind the dispatch routine's STATUS_PENDING: the failure arrives
           through the OVERLAPPED (and the port). */
        DWORD bytes;
        ok = GetOverlappedResultEx(h, &late, &bytes, KT_WAIT_MS, FALSE);
        error = GetLastError();
        ULONG_PTR key;
        LPOVERLAPPED got = NULL;
        KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, KT_WAIT_MS));
        KT_CHECK(got == &late);
    }
    KT_CHECKF(!ok && error != ERROR_IO_PENDING && error != WAIT_TIMEOUT,
              "a write after surprise removal: %d, %u", ok, (unsigned)error);
    HANDLE again = CreateFileW(EchoPath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                               FILE_ATTRIBUTE_NORMAL, NULL);
    KT_CHECK(again == INVALID_HANDLE_VALUE);
    EXPECT_ERROR(ERROR_FILE_NOT_FOUND);
    KT_CHECK(CloseHandle(h));
    CloseHandle(w.hEvent);
    CloseHandle(r.hEvent);
    CloseHandle(port);
}

/* ------------------------------------------------------------------ stress */

#define STRESS_OPS 64

static void TestCompletionsRaceCancel(void)
{
    KtSection("%d overlapped requests, CancelIoEx midway: each completes exactly once",
              2 * STRESS_OPS);
    HANDLE h = Open(FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(h, NULL, 21, 0);
    static OVERLAPPED ovs[2 * STRESS_OPS];
    static uint8_t buffers[2 * STRESS_OPS][128];
    int seen[2 * STRESS_OPS] = {0};
    for (int i = 0; i < 2 * STRESS_OPS; i++) {
        InitOverlapped(&ovs[i], NULL);
        BOOL ok;
        if (i % 2 == 0) {
            KtFillPattern(buffers[i], sizeof buffers[i], (uint32_t)i);
            ok = WriteFile(h, buffers[i], sizeof buffers[i], NULL, &ovs[i]);
        } else {
            ok = ReadFile(h, buffers[i], sizeof buffers[i], NULL, &ovs[i]);
        }
        DWORD error = GetLastError();
        /* The first write parks in the driver; everything else waits in its queue. */
        KT_CHECKF(!ok && error == ERROR_IO_PENDING, "request %d: %u", i, (unsigned)error);
    }
    int completed = 0, aborted = 0;
    for (int n = 0; n < 2 * STRESS_OPS; n++) {
        if (n == 8) {
            KT_CHECK(CancelIoEx(h, NULL));
        }
        DWORD bytes;
        ULONG_PTR key;
        LPOVERLAPPED got = NULL;
        BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &got, KT_WAIT_MS);
        DWORD error = ok ? 0 : GetLastError();
        if (!KT_CHECKF(got != NULL, "no packet %d: error %u", n, (unsigned)error)) {
            break;
        }
        ptrdiff_t index = got - ovs;
        KT_CHECK(index >= 0 && index < 2 * STRESS_OPS && key == 21);
        seen[index]++;
        if (ok) {
            completed++;
        } else {
            KT_CHECKF(error == ERROR_OPERATION_ABORTED, "error %u", (unsigned)error);
            aborted++;
        }
    }
    for (int i = 0; i < 2 * STRESS_OPS; i++) {
        KT_CHECKF(seen[i] == 1, "request %d completed %d times", i, seen[i]);
    }
    KT_CHECK(completed >= 8 && aborted > 0);
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED got = NULL;
    KT_CHECK(!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(CloseHandle(h));
    CloseHandle(port);
}

/* ------------------------------------------------------------------ main */

static void RunVariant(const char *Module)
{
    g_Module = Module;
    KtSection("===== %s =====", Module);
    TestInterfaceLifetime();

    KT_DEVICE device = StartEcho(10);
    TestSetupApi();
    TestSynchronous();
    TestOverlappedEvent();
    TestOverlappedPort();
    RemoveAndUnload(&device);

    /* No tick while these run: requests stay pending until cancelled. The first tick
       comes 100 ms after the start; a first write takes it, so that a slow machine does
       not see it complete a request that the scenarios expect to stay pending. */
    device = StartEcho(10000);
    TakeFirstTick();
    TestCancelIoEx();
    TestCancelIo();
    TestCloseWithIoInFlight();
    RemoveAndUnload(&device);

    device = StartEcho(2000);
    TestCloseSynchronousInFlight();
    RemoveAndUnload(&device);

    device = StartEcho(1);
    TestCompletionsRaceCancel();
    RemoveAndUnload(&device);

    device = StartEcho(10);
    TestSurpriseRemoval(&device);
    RemoveAndUnload(&device);
}

int main(void)
{
    KtVerifierCapture();
    RunVariant("echo-autosync.so");
    RunVariant("echo-driversync.so");
    KtCheckNoVerifierReports("win32_echo");
    return KtFinish();
}
