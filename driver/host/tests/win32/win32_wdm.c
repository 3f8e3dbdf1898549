/*
 * win32_wdm.c - the host's Win32 surface against the WDM test driver w32driver.so, for
 * what a KMDF driver cannot make happen on demand: a dispatch routine that returns
 * STATUS_PENDING for an IRP it has already completed. NtReadFile, NtWriteFile and
 * NtDeviceIoControlFile return what the dispatch routine returned, so such a call is
 * "pending" to the caller (FALSE, ERROR_IO_PENDING) and its result arrives only through
 * the OVERLAPPED, the event and the completion port - also on a handle with
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, which skips the packet only for a call that
 * returned success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <uchar.h>

#include "kmdfhost_nt.h"
#include "w32driver.h"
#include "w32test.h"
#include <ntstatus.h>

#define SERVICE "W32Test"
#define INSTANCE "ROOT\\W32TEST\\0000"

/* GUID_DEVINTERFACE_W32TEST of w32driver.h */
static const GUID TestGuid = {
    0x5b0e9d21, 0x7c43, 0x4a8e, {0x9f, 0x12, 0x3d, 0x4c, 0x5b, 0x6a, 0x7e, 0x80}};

static HANDLE Open(const KT_DEVICE *Device, DWORD Flags)
{
    wchar_t path[512];
    size_t i = 0;
    for (; Device->InterfacePath[i] != '\0' && i + 1 < sizeof path / sizeof path[0]; i++) {
        path[i] = (wchar_t)(unsigned char)Device->InterfacePath[i];
    }
    path[i] = L'\0';
    HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, Flags, NULL);
    KT_CHECKF(h != INVALID_HANDLE_VALUE, "CreateFileW failed with %u", (unsigned)GetLastError());
    return h;
}

static void TestPendingButCompleted(const KT_DEVICE *Device)
{
    KtSection("dispatch returned STATUS_PENDING after completing: ERROR_IO_PENDING, "
              "one packet, also with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS");
    HANDLE h = Open(Device, FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(h, NULL, 0x77, 0);
    KT_CHECK(port != NULL);
    KT_CHECK(SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = event;
    uint8_t out[16] = {1, 2, 3};
    DWORD bytes = 99;
    KT_CHECK(!WriteFile(h, out, sizeof out, &bytes, &ov));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(bytes == 0);
    KT_CHECK(WaitForSingleObject(event, KT_WAIT_MS) == WAIT_OBJECT_0);
    KT_CHECK(ov.Internal == 0 && ov.InternalHigh == sizeof out);
    KT_CHECK(GetOverlappedResult(h, &ov, &bytes, FALSE) && bytes == sizeof out);
    DWORD n = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = NULL;
    KT_CHECK(GetQueuedCompletionStatus(port, &n, &key, &got, KT_WAIT_MS));
    KT_CHECK(got == &ov && n == sizeof out && key == 0x77);
    got = &ov;
    KT_CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 0));
    EXPECT_ERROR(WAIT_TIMEOUT);
    KT_CHECK(got == NULL);

    KtSection("a failure completed behind STATUS_PENDING: ERROR_IO_PENDING, then the error");
    ResetEvent(event);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = event;
    KT_CHECK(!DeviceIoControl(h, IOCTL_W32TEST_PEND_FAIL, NULL, 0, NULL, 0, NULL, &ov));
    EXPECT_ERROR(ERROR_IO_PENDING);
    KT_CHECK(WaitForSingleObject(event, KT_WAIT_MS) == WAIT_OBJECT_0);
    KT_CHECK(ov.Internal == 0xC00000A3u); /* STATUS_DEVICE_NOT_READY */
    KT_CHECK(!GetOverlappedResult(h, &ov, &bytes, TRUE));
    EXPECT_ERROR(ERROR_NOT_READY);
    got = NULL;
    KT_CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, KT_WAIT_MS));
    EXPECT_ERROR(ERROR_NOT_READY);
    KT_CHECK(got == &ov);

    KtSection("a success returned at once on that handle: TRUE and no packet");
    uint8_t in[8];
    memset(&ov, 0, sizeof ov);
    ov.hEvent = event;
    KT_CHECK(ReadFile(h, in, sizeof in, &bytes, &ov));
    KT_CHECK(bytes == sizeof in && in[0] == 0x5A);
    got = &ov;
    KT_CHECK(!GetQueuedCompletionStatus(port, &n, &key, &got, 0));
    EXPECT_ERROR(WAIT_TIMEOUT);

    CloseHandle(event);
    KT_CHECK(CloseHandle(h));
    KT_CHECK(CloseHandle(port));

    KtSection("the same on a synchronous handle: the final result");
    h = Open(Device, FILE_ATTRIBUTE_NORMAL);
    bytes = 0;
    KT_CHECK(WriteFile(h, out, sizeof out, &bytes, NULL));
    KT_CHECK(bytes == sizeof out);
    KT_CHECK(!DeviceIoControl(h, IOCTL_W32TEST_PEND_FAIL, NULL, 0, NULL, 0, &bytes, NULL));
    EXPECT_ERROR(ERROR_NOT_READY);
    KT_CHECK(CloseHandle(h));
}

static void TestSuccessKeepsLastError(const KT_DEVICE *Device)
{
    KtSection("successful calls leave the last error, and errno with it, as they were");
    HANDLE h = Open(Device, FILE_FLAG_OVERLAPPED);
    HANDLE port = CreateIoCompletionPort(h, NULL, 1, 0);
    HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = event;
    uint8_t buffer[8];
    DWORD bytes = 0;
    SetLastError(ERROR_MORE_DATA);
    KT_CHECK(ReadFile(h, buffer, sizeof buffer, &bytes, &ov));
    EXPECT_ERROR(ERROR_MORE_DATA);
    KT_CHECK(WaitForSingleObject(event, KT_WAIT_MS) == WAIT_OBJECT_0);
    EXPECT_ERROR(ERROR_MORE_DATA);
    KT_CHECK(GetOverlappedResult(h, &ov, &bytes, TRUE));
    EXPECT_ERROR(ERROR_MORE_DATA);
    ULONG_PTR key;
    LPOVERLAPPED got;
    KT_CHECK(GetQueuedCompletionStatus(port, &bytes, &key, &got, KT_WAIT_MS));
    EXPECT_ERROR(ERROR_MORE_DATA);
    KT_CHECK(WaitForSingleObject(event, 0) == WAIT_OBJECT_0);
    ResetEvent(event);
    KT_CHECK(WaitForSingleObject(event, 5) == WAIT_TIMEOUT);
    EXPECT_ERROR(ERROR_MORE_DATA);
    KT_CHECK(CloseHandle(event));
    KT_CHECK(CloseHandle(h));
    KT_CHECK(CloseHandle(port));
    EXPECT_ERROR(ERROR_MORE_DATA);
    h = Open(Device, FILE_ATTRIBUTE_NORMAL);
    SetLastError(ERROR_MORE_DATA);
    KT_CHECK(WriteFile(h, buffer, sizeof buffer, &bytes, NULL));
    EXPECT_ERROR(ERROR_MORE_DATA);
    KT_CHECK(CloseHandle(h));
    EXPECT_ERROR(ERROR_MORE_DATA);
}

/* NtCreateFile by the device object's name, and a synchronous read through the Nt services. */
static void TestOpenByDeviceName(void)
{
    KtSection("NtCreateFile by device name (\\Device\\W32Test), a synchronous NtReadFile");
    static const char16_t Name[] = u"\\Device\\W32Test";
    UNICODE_STRING name = {sizeof Name - 2, sizeof Name, (uint16_t *)(uintptr_t)Name};
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    HANDLE h = NULL;
    IO_STATUS_BLOCK iosb = {{0}, 0};
    EXPECT_STATUS(NtCreateFile(&h, FILE_READ_DATA | SYNCHRONIZE, &attributes, &iosb, NULL, 0, 0, FILE_OPEN,
                               FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0),
                  STATUS_SUCCESS);
    KT_CHECK(iosb.Information == FILE_OPENED);
    uint8_t in[8] = {0};
    EXPECT_STATUS(NtReadFile(h, NULL, NULL, NULL, &iosb, in, sizeof in, NULL, NULL), STATUS_SUCCESS);
    KT_CHECK(iosb.Information == sizeof in && in[0] == 0x5A && in[7] == 0x5A);
    EXPECT_STATUS(NtClose(h), STATUS_SUCCESS);
    static const char16_t Other[] = u"\\Device\\W32Other";
    UNICODE_STRING other = {sizeof Other - 2, sizeof Other, (uint16_t *)(uintptr_t)Other};
    attributes.ObjectName = &other;
    EXPECT_STATUS(NtCreateFile(&h, FILE_READ_DATA | SYNCHRONIZE, &attributes, &iosb, NULL, 0, 0, FILE_OPEN,
                               FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0),
                  STATUS_OBJECT_NAME_NOT_FOUND);
}

int main(void)
{
    KtVerifierCapture();
    KT_DEVICE device;
    EXPECT_STATUS(KtLoadDriver(&device, "w32driver.so", SERVICE), KT_STATUS_SUCCESS);
    uint8_t guid[16];
    memcpy(guid, &TestGuid, sizeof guid);
    EXPECT_STATUS(KtAddAndStart(&device, INSTANCE, guid), KT_STATUS_SUCCESS);
    TestPendingButCompleted(&device);
    TestSuccessKeepsLastError(&device);
    TestOpenByDeviceName();
    KtTeardown(&device, "win32_wdm");
    return KtFinish();
}
