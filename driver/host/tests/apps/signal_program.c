/*
 * signal_program.c - a Win32 program that waits with I/O pending until a signal comes,
 * for the signal tests of scripts/host-run (host_run_test.sh).
 *
 * Run with --timer-ms 10000 (see below).
 *
 *   signal_program wait   prints READY once a read is pending, then waits for ever: a
 *                         terminating signal takes the default action (the life cycle
 *                         ends, then the process ends by the signal)
 *   signal_program ctrl   the same with a console control handler: CTRL_C_EVENT (SIGINT)
 *                         wakes the program, which cancels its read, prints what
 *                         happened and exits with 42
 */
#define INITGUID

#include <windows.h>
#include <cfgmgr32.h>

#include <stdio.h>
#include <string.h>

#include "public.h"

static HANDLE CtrlEvent;
static volatile LONG CtrlType = -1;

static BOOL WINAPI OnCtrl(DWORD Type)
{
    if (Type != CTRL_C_EVENT) {
        return FALSE;
    }
    CtrlType = (LONG)Type;
    SetEvent(CtrlEvent);
    return TRUE;
}

int main(int argc, char *argv[])
{
    if (argc != 2 || (strcmp(argv[1], "wait") != 0 && strcmp(argv[1], "ctrl") != 0)) {
        fprintf(stderr, "usage: signal_program wait|ctrl\n");
        return 2;
    }
    WCHAR List[512];
    if (CM_Get_Device_Interface_ListW((LPGUID)&GUID_DEVINTERFACE_ECHO, NULL, List, ARRAYSIZE(List),
                                      CM_GET_DEVICE_INTERFACE_LIST_PRESENT) != CR_SUCCESS ||
        List[0] == L'\0') {
        fprintf(stderr, "no echo device\n");
        return 3;
    }
    HANDLE Device = CreateFileW(List, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                                FILE_FLAG_OVERLAPPED, NULL);
    if (Device == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "CreateFileW failed: %lu\n", GetLastError());
        return 1;
    }
    CtrlEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (strcmp(argv[1], "ctrl") == 0 && !SetConsoleCtrlHandler(OnCtrl, TRUE)) {
        return 1;
    }
    /* A write that the first timer tick completes; run with --timer-ms 10000, the read
       after it then stays pending for ten seconds. */
    static UCHAR Buffer[16];
    OVERLAPPED Ov;
    DWORD Done = 0;
    ZeroMemory(&Ov, sizeof(Ov));
    if ((!WriteFile(Device, Buffer, sizeof(Buffer), NULL, &Ov) && GetLastError() != ERROR_IO_PENDING) ||
        !GetOverlappedResult(Device, &Ov, &Done, TRUE)) {
        fprintf(stderr, "WriteFile failed: %lu\n", GetLastError());
        return 1;
    }
    ZeroMemory(&Ov, sizeof(Ov));
    if (ReadFile(Device, Buffer, sizeof(Buffer), NULL, &Ov) || GetLastError() != ERROR_IO_PENDING) {
        fprintf(stderr, "ReadFile did not pend: %lu\n", GetLastError());
        return 1;
    }
    printf("READY\n");
    fflush(stdout);
    WaitForSingleObject(CtrlEvent, INFINITE);

    /* Only the ctrl form gets here. */
    CancelIoEx(Device, &Ov);
    BOOL Ok = GetOverlappedResult(Device, &Ov, &Done, TRUE);
    printf("handled console control event %ld; the read %s\n", CtrlType,
           Ok ? "completed" : GetLastError() == ERROR_OPERATION_ABORTED ? "was cancelled" : "failed");
    CloseHandle(Device);
    CloseHandle(CtrlEvent);
    return 42;
}
