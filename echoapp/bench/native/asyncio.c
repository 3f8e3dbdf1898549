/*
 * asyncio.c - the native reference client of the CPU-per-request benchmark: what
 * `echoapp -Async N` does, in C against the Win32 API. It finds the echo interface with
 * SetupAPI, opens it twice with FILE_FLAG_OVERLAPPED (a writer and a reader), binds each
 * handle to its own completion port served by its own thread, and keeps up to 100 writes
 * and 100 reads in flight until N of each have completed. Every write sends its own
 * pattern (its number in the first 8 bytes, then a xorshift sequence seeded with it, as
 * echoapp's Pattern); every read must return nothing or a prefix of what some write sent.
 *
 *   asyncio [N] [WARMUP]     default N = 100000, WARMUP = 20000 (each kind)
 *
 * Prints the process CPU time per request (writes and reads counted together) over the N
 * requests after the warm-up, then "data verified". Exit 0, or 1 on a failed or wrong
 * request. Build and run on the host:
 *
 *   scripts/build-host-driver -I driver -o target/bench/instant.so echoapp/bench/native/instant.c
 *   scripts/build-host-app -D UNICODE -D _UNICODE -I driver -o target/bench/asyncio echoapp/bench/native/asyncio.c
 *   scripts/host-run --driver target/bench/instant.so -- target/bench/asyncio 100000
 *
 * On Windows it builds with cl (link setupapi.lib) and runs against an installed driver.
 */
#include <windows.h>
#include <setupapi.h>
#include <initguid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/resource.h>
#endif

#include "public.h"

#define IN_FLIGHT 100
#define LENGTH 1024

typedef struct _REQUEST {
    OVERLAPPED Overlapped;          /* first: the packet's OVERLAPPED is the request */
    ULONGLONG Number;
    UCHAR Buffer[LENGTH];
} REQUEST;

typedef struct _SIDE {
    HANDLE File;
    HANDLE Port;
    BOOL Write;
    REQUEST Requests[IN_FLIGHT];
    volatile LONG64 Submitted;      /* only the side's own thread submits, after the first batch */
    LONG64 Completed;
    LONG64 Target;
    LONG64 Empty;
    volatile LONG Failed;
} SIDE;

static SIDE Writer, Reader;
static volatile LONG64 WritesSubmitted;

static void Fill(ULONGLONG number, UCHAR *data, DWORD length)
{
    DWORD i = 0;
    ULONGLONG state;
    for (; i < 8 && i < length; i++) {
        data[i] = (UCHAR)(number >> (8 * i));
    }
    state = number * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    while (i < length) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for (int b = 0; b < 8 && i < length; b++, i++) {
            data[i] = (UCHAR)(state >> (8 * b));
        }
    }
}

/* True when the bytes are a prefix of some submitted write's pattern. */
static BOOL Verify(const UCHAR *data, DWORD length)
{
    UCHAR expected[LENGTH];
    ULONGLONG number = 0;
    if (length < 8) {
        return FALSE; /* the driver echoes whole writes: a short read is wrong */
    }
    for (int i = 7; i >= 0; i--) {
        number = (number << 8) | data[i];
    }
    if (number >= (ULONGLONG)WritesSubmitted) {
        return FALSE;
    }
    Fill(number, expected, length);
    return memcmp(expected, data, length) == 0;
}

static BOOL Submit(SIDE *side, REQUEST *request)
{
    BOOL ok;
    ZeroMemory(&request->Overlapped, sizeof(request->Overlapped));
    request->Number = (ULONGLONG)side->Submitted++;
    if (side->Write) {
        Fill(request->Number, request->Buffer, LENGTH);
        InterlockedIncrement64(&WritesSubmitted);
        ok = WriteFile(side->File, request->Buffer, LENGTH, NULL, &request->Overlapped);
    } else {
        ok = ReadFile(side->File, request->Buffer, LENGTH, NULL, &request->Overlapped);
    }
    if (!ok && GetLastError() != ERROR_IO_PENDING) {
        fprintf(stderr, "asyncio: %s failed: error %lu\n", side->Write ? "WriteFile" : "ReadFile", GetLastError());
        return FALSE;
    }
    return TRUE;
}

/* One side's completion thread: each packet settles its request and submits the next. */
static DWORD WINAPI Run(LPVOID parameter)
{
    SIDE *side = (SIDE *)parameter;
    while (side->Completed < side->Target) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        OVERLAPPED *overlapped = NULL;
        BOOL ok = GetQueuedCompletionStatus(side->Port, &bytes, &key, &overlapped, INFINITE);
        REQUEST *request = (REQUEST *)overlapped;
        if (request == NULL) {
            fprintf(stderr, "asyncio: GetQueuedCompletionStatus failed: error %lu\n", GetLastError());
            side->Failed = 1;
            return 1;
        }
        if (!ok || (side->Write && bytes != LENGTH) || (!side->Write && bytes > 0 && !Verify(request->Buffer, bytes))) {
            fprintf(stderr, "asyncio: %s request %llu: %s, %lu bytes\n", side->Write ? "write" : "read",
                    (unsigned long long)request->Number, ok ? "wrong data" : "failed", bytes);
            side->Failed = 1;
            return 1;
        }
        if (!side->Write && bytes == 0) {
            side->Empty++;
        }
        side->Completed++;
        if (side->Submitted < side->Target && !Submit(side, request)) {
            side->Failed = 1;
            return 1;
        }
    }
    return 0;
}

static WCHAR *FindEcho(void)
{
    HDEVINFO set = SetupDiGetClassDevsW(&GUID_DEVINTERFACE_ECHO, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    SP_DEVICE_INTERFACE_DATA data;
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W detail;
    DWORD size = 0;
    WCHAR *path;
    if (set == INVALID_HANDLE_VALUE) {
        return NULL;
    }
    data.cbSize = sizeof(data);
    if (!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVINTERFACE_ECHO, 0, &data)) {
        SetupDiDestroyDeviceInfoList(set);
        return NULL;
    }
    SetupDiGetDeviceInterfaceDetailW(set, &data, NULL, 0, &size, NULL);
    detail = (PSP_DEVICE_INTERFACE_DETAIL_DATA_W)malloc(size);
    detail->cbSize = sizeof(*detail);
    if (!SetupDiGetDeviceInterfaceDetailW(set, &data, detail, size, NULL, NULL)) {
        free(detail);
        SetupDiDestroyDeviceInfoList(set);
        return NULL;
    }
    path = _wcsdup(detail->DevicePath);
    free(detail);
    SetupDiDestroyDeviceInfoList(set);
    return path;
}

static BOOL Open(SIDE *side, const WCHAR *path, BOOL write)
{
    side->Write = write;
    side->File = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                             FILE_FLAG_OVERLAPPED, NULL);
    if (side->File == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "asyncio: CreateFileW failed: error %lu\n", GetLastError());
        return FALSE;
    }
    side->Port = CreateIoCompletionPort(side->File, NULL, 1, 1);
    if (side->Port == NULL) {
        fprintf(stderr, "asyncio: CreateIoCompletionPort failed: error %lu\n", GetLastError());
        return FALSE;
    }
    return TRUE;
}

/* Runs one phase of `count` writes and `count` reads on both sides. */
static BOOL Phase(LONG64 count)
{
    HANDLE threads[2];
    SIDE *sides[2] = {&Writer, &Reader};
    for (int s = 0; s < 2; s++) {
        sides[s]->Target = sides[s]->Completed + count;
    }
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < IN_FLIGHT && sides[s]->Submitted < sides[s]->Target; i++) {
            if (!Submit(sides[s], &sides[s]->Requests[i])) {
                return FALSE;
            }
        }
    }
    for (int s = 0; s < 2; s++) {
        threads[s] = CreateThread(NULL, 0, Run, sides[s], 0, NULL);
    }
    WaitForMultipleObjects(2, threads, TRUE, INFINITE);
    CloseHandle(threads[0]);
    CloseHandle(threads[1]);
    return !Writer.Failed && !Reader.Failed;
}

static double CpuSeconds(void)
{
#ifdef _WIN32
    FILETIME created, exited, kernel, user;
    GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user);
    return ((((ULONGLONG)kernel.dwHighDateTime << 32) | kernel.dwLowDateTime)
            + (((ULONGLONG)user.dwHighDateTime << 32) | user.dwLowDateTime)) / 1e7;
#else
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
#endif
}

int main(int argc, char **argv)
{
    LONG64 count = argc > 1 ? atoll(argv[1]) : 100000;
    LONG64 warmup = argc > 2 ? atoll(argv[2]) : 20000;
    WCHAR *path = FindEcho();
    double before, after;
    if (path == NULL) {
        fprintf(stderr, "asyncio: no echo interface is present\n");
        return 3;
    }
    if (!Open(&Writer, path, TRUE) || !Open(&Reader, path, FALSE)) {
        return 3;
    }
    if (warmup > 0 && !Phase(warmup)) {
        return 1;
    }
    before = CpuSeconds();
    if (!Phase(count)) {
        return 1;
    }
    after = CpuSeconds();
    printf("native: %lld writes and %lld reads (%lld returned no data), CPU %.3f s, %.2f us per request\n",
           (long long)count, (long long)count, (long long)Reader.Empty, after - before,
           (after - before) * 1e6 / (2.0 * (double)count));
    printf("data verified\n");
    CloseHandle(Writer.File);
    CloseHandle(Reader.File);
    CloseHandle(Writer.Port);
    CloseHandle(Reader.Port);
    free(path);
    return 0;
}
