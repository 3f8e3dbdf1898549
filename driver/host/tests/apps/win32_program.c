/*
 * win32_program.c - a Win32 console program in C, built with scripts/build-host-app and
 * run with scripts/host-run against an echo driver variant. It uses the headers and
 * functions a driver's test program uses, as such a program would on Windows:
 *
 *   win32_program          formats, memory, threads, critical sections, then against the
 *                          device: interface discovery (CM_* A form and SetupDi* W form),
 *                          synchronous I/O, overlapped I/O with events, threads doing
 *                          I/O, and a completion port
 *   win32_program cancel   cancellation; run with --timer-ms 10000 so that after the
 *                          first timer tick (which completes a synchronous write) no
 *                          request can complete for ten seconds
 *
 * Exit status 0 when every check holds; 1 with the failing check on stderr.
 */
#define INITGUID

#include <windows.h>
#include <cfgmgr32.h>
#include <setupapi.h>
#include <strsafe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "public.h"

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "win32_program.c:%d: check failed: %s (last error %lu)\n",        \
                    __LINE__, #cond, GetLastError());                                         \
            fflush(stdout);                                                                  \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

#define PATTERN_LENGTH 512
#define TICK_MS 10000 /* generous bound for one timer tick of the default period */

static char DevicePathA[MAX_PATH];

static void FillPattern(UCHAR *Buffer, ULONG Length)
{
    for (ULONG i = 0; i < Length; i++) {
        Buffer[i] = (UCHAR)i;
    }
}

static BOOL IsPattern(const UCHAR *Buffer, ULONG Length)
{
    for (ULONG i = 0; i < Length; i++) {
        if (Buffer[i] != (UCHAR)i) {
            return FALSE;
        }
    }
    return TRUE;
}

/* ------------------------------------------------------------------ no device */

static void CheckFormats(void)
{
    char Text[256];
    WCHAR Wide[64];
    ULONG_PTR Size = 4096;
    LONG_PTR Offset = -12;
    LONGLONG Big = -1234567890123LL;
    ULONG Long = 4000000000u;

    /* Microsoft's size prefixes and string types in the narrow functions. */
    CHECK(SUCCEEDED(StringCchPrintfA(Text, ARRAYSIZE(Text), "%ws|%S|%hs|%s|%wc|%C", L"wide",
                                     L"upper", "narrow", "plain", L'w', L'c')));
    CHECK(strcmp(Text, "wide|upper|narrow|plain|w|c") == 0);
    CHECK(snprintf(Text, sizeof(Text), "%I64d|%Iu|%Id|%lu|%I64x|%I32d", Big, Size, Offset, Long,
                   0x1234567890ULL, -5) > 0);
    CHECK(strcmp(Text, "-1234567890123|4096|-12|4000000000|1234567890|-5") == 0);
    CHECK(snprintf(Text, sizeof(Text), "%p", (void *)(ULONG_PTR)0xABCDEF) == 16);
    CHECK(strcmp(Text, "0000000000ABCDEF") == 0);
    CHECK(snprintf(Text, sizeof(Text), "[%-6ws][%6.2ws][%.3s]", L"ab", L"xyz", "abcdef") > 0);
    CHECK(strcmp(Text, "[ab    ][    xy][abc]") == 0);
    /* Microsoft's _snprintf: -1 when the text does not fit; C99 snprintf: the length. */
    CHECK(_snprintf(Text, 4, "%s", "toolong") == -1 && memcmp(Text, "tool", 4) == 0);
    CHECK(snprintf(Text, 4, "%s", "toolong") == 7 && strcmp(Text, "too") == 0);

    /* The wide functions: %s is wide there, %S and %hs narrow. */
    CHECK(swprintf(Wide, ARRAYSIZE(Wide), L"%s+%S+%hs+%d", L"w", "n", "h", 42) == 8);
    CHECK(wcscmp(Wide, L"w+n+h+42") == 0);
    CHECK(SUCCEEDED(StringCchPrintfW(Wide, ARRAYSIZE(Wide), L"%ws-%I64u", L"id", 7ULL)));
    CHECK(wcscmp(Wide, L"id-7") == 0);

    /* strsafe: truncation is reported and the result terminated. */
    CHECK(StringCchCopyA(Text, 4, "abcdef") == STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(strcmp(Text, "abc") == 0);
    CHECK(StringCchCopyW(Wide, 0, L"x") == STRSAFE_E_INVALID_PARAMETER);
    CHECK(StringCchCopyW(Wide, ARRAYSIZE(Wide), L"ab") == S_OK);
    CHECK(StringCchCatW(Wide, ARRAYSIZE(Wide), L"cd") == S_OK && wcscmp(Wide, L"abcd") == 0);
    size_t Length = 0;
    CHECK(StringCchLengthW(Wide, ARRAYSIZE(Wide), &Length) == S_OK && Length == 4);
    CHECK(StringCchLengthA("abc", 3, &Length) == STRSAFE_E_INVALID_PARAMETER);

    /* FormatMessage in both forms. */
    char *Message = NULL;
    DWORD Chars = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                                     FORMAT_MESSAGE_IGNORE_INSERTS,
                                 NULL, ERROR_FILE_NOT_FOUND, 0, (LPSTR)&Message, 0, NULL);
    CHECK(Chars > 0 && strncmp(Message, "The system cannot find the file specified.", 42) == 0);
    CHECK(LocalFree(Message) == NULL);
    CHECK(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_FILE_NOT_FOUND, 0, Wide, 4, NULL) == 0 &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER);
}

static void CheckMemory(void)
{
    HANDLE Heap = GetProcessHeap();
    UCHAR *Block = HeapAlloc(Heap, HEAP_ZERO_MEMORY, 100);
    CHECK(Block != NULL && HeapSize(Heap, 0, Block) == 100);
    for (int i = 0; i < 100; i++) {
        CHECK(Block[i] == 0);
    }
    FillPattern(Block, 100);
    Block = HeapReAlloc(Heap, HEAP_ZERO_MEMORY, Block, 300);
    CHECK(Block != NULL && HeapSize(Heap, 0, Block) == 300 && IsPattern(Block, 100) && Block[299] == 0);
    CHECK(HeapFree(Heap, 0, Block));
    CHECK(HeapFree(Heap, 0, NULL));

    HANDLE Private = HeapCreate(0, 0, 0);
    CHECK(Private != NULL);
    CHECK(HeapAlloc(Private, 0, 64) != NULL); /* freed by HeapDestroy */
    CHECK(HeapDestroy(Private));

    UCHAR *Local = LocalAlloc(LPTR, 32);
    CHECK(Local != NULL && Local[31] == 0);
    CHECK(LocalFree(Local) == NULL);
    CHECK(LocalAlloc(LMEM_MOVEABLE, 8) == NULL && GetLastError() == ERROR_NOT_SUPPORTED);
}

typedef struct GATE {
    HANDLE Go;
    CRITICAL_SECTION *Lock;
    BOOL Entered;
} GATE;

static DWORD WINAPI WaitThenExit(LPVOID Parameter)
{
    GATE *Gate = Parameter;
    WaitForSingleObject(Gate->Go, INFINITE);
    return 77;
}

static DWORD WINAPI TryLock(LPVOID Parameter)
{
    GATE *Gate = Parameter;
    Gate->Entered = TryEnterCriticalSection(Gate->Lock);
    if (Gate->Entered) {
        LeaveCriticalSection(Gate->Lock);
    }
    return 0;
}

static void CheckThreads(void)
{
    GATE Gate = {CreateEventA(NULL, TRUE, FALSE, NULL), NULL, FALSE};
    CHECK(Gate.Go != NULL);
    DWORD Id = 0;
    HANDLE Thread = CreateThread(NULL, 0, WaitThenExit, &Gate, 0, &Id);
    CHECK(Thread != NULL && Id != 0 && Id != GetCurrentThreadId());
    DWORD Code = 0;
    /* The thread cannot end before the event is set. */
    CHECK(GetExitCodeThread(Thread, &Code) && Code == STILL_ACTIVE);
    CHECK(WaitForSingleObject(Thread, 0) == WAIT_TIMEOUT);
    CHECK(SetEvent(Gate.Go));
    CHECK(WaitForSingleObject(Thread, INFINITE) == WAIT_OBJECT_0);
    CHECK(GetExitCodeThread(Thread, &Code) && Code == 77);
    /* A thread object stays signalled. */
    CHECK(WaitForSingleObject(Thread, 0) == WAIT_OBJECT_0);
    CHECK(CloseHandle(Thread));
    CHECK(CreateThread(NULL, 0, WaitThenExit, &Gate, CREATE_SUSPENDED, NULL) == NULL &&
          GetLastError() == ERROR_NOT_SUPPORTED);

    /* A critical section is recursive for its owner and closed to others. */
    CRITICAL_SECTION Lock;
    InitializeCriticalSection(&Lock);
    Gate.Lock = &Lock;
    EnterCriticalSection(&Lock);
    EnterCriticalSection(&Lock);
    Thread = CreateThread(NULL, 0, TryLock, &Gate, 0, NULL);
    CHECK(Thread != NULL && WaitForSingleObject(Thread, INFINITE) == WAIT_OBJECT_0);
    CHECK(!Gate.Entered);
    CloseHandle(Thread);
    LeaveCriticalSection(&Lock);
    LeaveCriticalSection(&Lock);
    Thread = CreateThread(NULL, 0, TryLock, &Gate, 0, NULL);
    CHECK(Thread != NULL && WaitForSingleObject(Thread, INFINITE) == WAIT_OBJECT_0);
    CHECK(Gate.Entered);
    CloseHandle(Thread);
    DeleteCriticalSection(&Lock);
    CloseHandle(Gate.Go);

    /* Sleep waits at least as long as asked. */
    ULONGLONG Before = GetTickCount64();
    Sleep(30);
    CHECK(GetTickCount64() - Before >= 30);
    LARGE_INTEGER Frequency, Counter;
    CHECK(QueryPerformanceFrequency(&Frequency) && Frequency.QuadPart > 0);
    CHECK(QueryPerformanceCounter(&Counter) && Counter.QuadPart > 0);
}

/* ------------------------------------------------------------------ the device */

static void FindDevice(void)
{
    ULONG Size = 0;
    CHECK(CM_Get_Device_Interface_List_SizeA(&Size, (LPGUID)&GUID_DEVINTERFACE_ECHO, NULL,
                                             CM_GET_DEVICE_INTERFACE_LIST_PRESENT) == CR_SUCCESS);
    CHECK(Size > 1);
    char *List = malloc(Size);
    CHECK(List != NULL);
    CHECK(CM_Get_Device_Interface_ListA((LPGUID)&GUID_DEVINTERFACE_ECHO, NULL, List, Size - 1,
                                        CM_GET_DEVICE_INTERFACE_LIST_PRESENT) == CR_BUFFER_SMALL);
    CHECK(CM_Get_Device_Interface_ListA((LPGUID)&GUID_DEVINTERFACE_ECHO, NULL, List, Size,
                                        CM_GET_DEVICE_INTERFACE_LIST_PRESENT) == CR_SUCCESS);
    CHECK(StringCchCopyA(DevicePathA, ARRAYSIZE(DevicePathA), List) == S_OK);
    CHECK(List[strlen(List) + 1] == '\0'); /* one device, one interface */
    free(List);
    /* The list of the device instance host-run created holds the same path. */
    CHECK(CM_Get_Device_Interface_List_SizeA(&Size, (LPGUID)&GUID_DEVINTERFACE_ECHO, "root\\echo\\0000",
                                             CM_GET_DEVICE_INTERFACE_LIST_PRESENT) == CR_SUCCESS &&
          Size == strlen(DevicePathA) + 2);
    CHECK(CM_Get_Device_Interface_List_SizeA(&Size, (LPGUID)&GUID_DEVINTERFACE_ECHO, "ROOT\\OTHER\\0000",
                                             0) == CR_SUCCESS &&
          Size == 1);

    /* SetupAPI, W form: the same path. */
    HDEVINFO Set = SetupDiGetClassDevsW(&GUID_DEVINTERFACE_ECHO, NULL, NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    CHECK(Set != INVALID_HANDLE_VALUE);
    SP_DEVICE_INTERFACE_DATA Interface;
    ZeroMemory(&Interface, sizeof(Interface));
    Interface.cbSize = sizeof(Interface);
    CHECK(SetupDiEnumDeviceInterfaces(Set, NULL, &GUID_DEVINTERFACE_ECHO, 0, &Interface));
    DWORD Required = 0;
    CHECK(!SetupDiGetDeviceInterfaceDetailW(Set, &Interface, NULL, 0, &Required, NULL) &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W Detail = malloc(Required);
    CHECK(Detail != NULL);
    Detail->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W);
    CHECK(SetupDiGetDeviceInterfaceDetailW(Set, &Interface, Detail, Required, NULL, NULL));
    char Path[MAX_PATH];
    CHECK(SUCCEEDED(StringCchPrintfA(Path, ARRAYSIZE(Path), "%ws", Detail->DevicePath)));
    CHECK(strcmp(Path, DevicePathA) == 0);
    free(Detail);
    CHECK(!SetupDiEnumDeviceInterfaces(Set, NULL, &GUID_DEVINTERFACE_ECHO, 1, &Interface) &&
          GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(SetupDiDestroyDeviceInfoList(Set));
    printf("DevicePath: %s\n", DevicePathA);
}

static void WriteReadSync(HANDLE Device, ULONG Length)
{
    UCHAR *Out = malloc(Length);
    UCHAR *In = calloc(1, Length);
    CHECK(Out != NULL && In != NULL);
    FillPattern(Out, Length);
    DWORD Done = 0;
    CHECK(WriteFile(Device, Out, Length, &Done, NULL) && Done == Length);
    CHECK(ReadFile(Device, In, Length, &Done, NULL));
    /* Another thread's write may have replaced the buffer in between: same pattern,
       possibly shorter. */
    CHECK(Done <= Length && IsPattern(In, Done));
    free(Out);
    free(In);
}

static DWORD WINAPI IoThread(LPVOID Parameter)
{
    (void)Parameter;
    HANDLE Device = CreateFileA(DevicePathA, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                                FILE_ATTRIBUTE_NORMAL, NULL);
    if (Device == INVALID_HANDLE_VALUE) {
        return 1;
    }
    for (int i = 0; i < 3; i++) {
        WriteReadSync(Device, 256 + 64 * (ULONG)i);
    }
    CloseHandle(Device);
    return 0;
}

static void CheckSyncAndThreads(void)
{
    HANDLE Device = CreateFileA(DevicePathA, GENERIC_READ | GENERIC_WRITE,
                                FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(Device != INVALID_HANDLE_VALUE);
    UCHAR Out[PATTERN_LENGTH], In[PATTERN_LENGTH];
    FillPattern(Out, sizeof(Out));
    DWORD Done = 0;
    CHECK(WriteFile(Device, Out, sizeof(Out), &Done, NULL) && Done == sizeof(Out));
    CHECK(ReadFile(Device, In, sizeof(In), &Done, NULL) && Done == sizeof(In));
    CHECK(memcmp(In, Out, sizeof(In)) == 0);
    printf("%Iu pattern bytes written and read back\n", (SIZE_T)Done);

    /* More than the driver keeps (40 KiB): the write fails as the driver completes it. */
    UCHAR *Large = calloc(1, 64 * 1024);
    CHECK(Large != NULL);
    CHECK(!WriteFile(Device, Large, 64 * 1024, &Done, NULL));
    free(Large);
    CloseHandle(Device);

    HANDLE Threads[2];
    for (int i = 0; i < 2; i++) {
        Threads[i] = CreateThread(NULL, 0, IoThread, NULL, 0, NULL);
        CHECK(Threads[i] != NULL);
    }
    CHECK(WaitForMultipleObjects(2, Threads, TRUE, 60000) == WAIT_OBJECT_0);
    for (int i = 0; i < 2; i++) {
        DWORD Code = 1;
        CHECK(GetExitCodeThread(Threads[i], &Code) && Code == 0);
        CloseHandle(Threads[i]);
    }
    printf("two threads wrote and read on their own handles\n");
}

static void CheckOverlapped(void)
{
    HANDLE Device = CreateFileW(L"\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}",
                                GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                                FILE_FLAG_OVERLAPPED, NULL);
    CHECK(Device != INVALID_HANDLE_VALUE);
    UCHAR Out[PATTERN_LENGTH], In[PATTERN_LENGTH];
    FillPattern(Out, sizeof(Out));
    OVERLAPPED Ov;
    ZeroMemory(&Ov, sizeof(Ov));
    Ov.hEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(Ov.hEvent != NULL);
    DWORD Done = 0;
    CHECK(WriteFile(Device, Out, sizeof(Out), NULL, &Ov) || GetLastError() == ERROR_IO_PENDING);
    CHECK(WaitForSingleObject(Ov.hEvent, TICK_MS) == WAIT_OBJECT_0);
    CHECK(GetOverlappedResult(Device, &Ov, &Done, FALSE) && Done == sizeof(Out));
    CHECK(Ov.Internal == 0 && Ov.InternalHigh == sizeof(Out));
    CHECK(ReadFile(Device, In, sizeof(In), NULL, &Ov) || GetLastError() == ERROR_IO_PENDING);
    CHECK(GetOverlappedResult(Device, &Ov, &Done, TRUE) && Done == sizeof(In));
    CHECK(memcmp(In, Out, sizeof(In)) == 0);
    CloseHandle(Ov.hEvent);

    /* A completion port: every operation's packet exactly once, with the port's key. */
    enum { COUNT = 8 };
    OVERLAPPED Ops[COUNT];
    UCHAR Buffers[COUNT][64];
    BOOL Seen[COUNT] = {FALSE};
    HANDLE Port = CreateIoCompletionPort(Device, NULL, 7, 0);
    CHECK(Port != NULL);
    ZeroMemory(Ops, sizeof(Ops));
    for (int i = 0; i < COUNT; i++) {
        FillPattern(Buffers[i], sizeof(Buffers[i]));
        CHECK(WriteFile(Device, Buffers[i], sizeof(Buffers[i]), NULL, &Ops[i]) ||
              GetLastError() == ERROR_IO_PENDING);
    }
    for (int i = 0; i < COUNT; i++) {
        DWORD Bytes = 0;
        ULONG_PTR Key = 0;
        OVERLAPPED *Completed = NULL;
        CHECK(GetQueuedCompletionStatus(Port, &Bytes, &Key, &Completed, TICK_MS * COUNT));
        CHECK(Key == 7 && Bytes == 64 && Completed >= Ops && Completed < Ops + COUNT);
        CHECK(!Seen[Completed - Ops]);
        Seen[Completed - Ops] = TRUE;
    }
    DWORD Bytes;
    ULONG_PTR Key;
    OVERLAPPED *Completed;
    CHECK(!GetQueuedCompletionStatus(Port, &Bytes, &Key, &Completed, 0) && Completed == NULL &&
          GetLastError() == WAIT_TIMEOUT);
    printf("%d overlapped writes completed through the port with key %Iu\n", COUNT, (ULONG_PTR)7);
    CloseHandle(Device);
    CloseHandle(Port);
}

/* ------------------------------------------------------------------ cancel */

typedef struct PENDING_READ {
    HANDLE Device;
    OVERLAPPED Ov;
    UCHAR Buffer[64];
    HANDLE Issued;
    HANDLE Finish;
    BOOL Pending;
} PENDING_READ;

/* Issues a read, then stays alive until told (a thread's end would cancel its I/O, as
   on Windows). */
static DWORD WINAPI IssueRead(LPVOID Parameter)
{
    PENDING_READ *Read = Parameter;
    BOOL Ok = ReadFile(Read->Device, Read->Buffer, sizeof(Read->Buffer), NULL, &Read->Ov);
    DWORD Error = GetLastError();
    Read->Pending = !Ok && Error == ERROR_IO_PENDING;
    SetEvent(Read->Issued);
    WaitForSingleObject(Read->Finish, INFINITE);
    return 0;
}

static void ExpectAborted(HANDLE Device, OVERLAPPED *Ov)
{
    DWORD Done = 1;
    CHECK(!GetOverlappedResult(Device, Ov, &Done, TRUE));
    CHECK(GetLastError() == ERROR_OPERATION_ABORTED && Done == 0);
    CHECK(Ov->Internal == 0xC0000120u); /* STATUS_CANCELLED */
}

static void CheckCancel(void)
{
    HANDLE Device = CreateFileA(DevicePathA, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                                FILE_FLAG_OVERLAPPED, NULL);
    CHECK(Device != INVALID_HANDLE_VALUE);

    /* A write completed by the first timer tick; the next tick is TimerPeriodMs away. */
    UCHAR Out[16];
    FillPattern(Out, sizeof(Out));
    OVERLAPPED First;
    ZeroMemory(&First, sizeof(First));
    DWORD Done = 0;
    CHECK(WriteFile(Device, Out, sizeof(Out), NULL, &First) || GetLastError() == ERROR_IO_PENDING);
    CHECK(GetOverlappedResult(Device, &First, &Done, TRUE) && Done == sizeof(Out));

    /* Three reads: the first parked in the driver, the others queued in the framework. */
    OVERLAPPED Ops[3];
    UCHAR Buffers[3][16];
    ZeroMemory(Ops, sizeof(Ops));
    for (int i = 0; i < 3; i++) {
        CHECK(!ReadFile(Device, Buffers[i], sizeof(Buffers[i]), NULL, &Ops[i]) &&
              GetLastError() == ERROR_IO_PENDING);
    }
    CHECK(!GetOverlappedResult(Device, &Ops[1], &Done, FALSE) && GetLastError() == ERROR_IO_INCOMPLETE);
    /* CancelIoEx of one operation: that one only (queued in the framework). */
    CHECK(CancelIoEx(Device, &Ops[1]));
    ExpectAborted(Device, &Ops[1]);
    CHECK(Ops[2].Internal == STATUS_PENDING);
    /* CancelIoEx of an OVERLAPPED that is not outstanding: ERROR_NOT_FOUND. */
    CHECK(!CancelIoEx(Device, &Ops[1]) && GetLastError() == ERROR_NOT_FOUND);

    /* CancelIo cancels the calling thread's I/O only: another thread's read stays. */
    PENDING_READ Other;
    ZeroMemory(&Other, sizeof(Other));
    Other.Device = Device;
    Other.Issued = CreateEventA(NULL, TRUE, FALSE, NULL);
    Other.Finish = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE Thread = CreateThread(NULL, 0, IssueRead, &Other, 0, NULL);
    CHECK(Thread != NULL && WaitForSingleObject(Other.Issued, INFINITE) == WAIT_OBJECT_0);
    CHECK(Other.Pending);
    CHECK(CancelIo(Device));
    ExpectAborted(Device, &Ops[0]); /* the cancel routine of the parked request */
    ExpectAborted(Device, &Ops[2]);
    CHECK(!GetOverlappedResult(Device, &Other.Ov, &Done, FALSE) && GetLastError() == ERROR_IO_INCOMPLETE);
    /* CancelIoEx with NULL: every operation of the handle, whichever thread issued it. */
    CHECK(CancelIoEx(Device, NULL));
    ExpectAborted(Device, &Other.Ov);
    CHECK(SetEvent(Other.Finish));
    CHECK(WaitForSingleObject(Thread, INFINITE) == WAIT_OBJECT_0);
    DWORD Code = 1;
    CHECK(GetExitCodeThread(Thread, &Code) && Code == 0);
    CloseHandle(Thread);
    CloseHandle(Other.Issued);
    CloseHandle(Other.Finish);
    CHECK(CloseHandle(Device));
    printf("cancelled: one queued read, the calling thread's reads, then another thread's\n");
}

int __cdecl main(int argc, char *argv[])
{
    if (argc > 1 && _stricmp(argv[1], "cancel") == 0) {
        FindDevice();
        CheckCancel();
        return 0;
    }
    if (argc > 1) {
        printf("Usage: win32_program [cancel]\n");
        return 2;
    }
    CheckFormats();
    CheckMemory();
    CheckThreads();
    FindDevice();
    CheckSyncAndThreads();
    CheckOverlapped();
    printf("all checks passed\n");
    return 0;
}
