/*
 * wincon.h - console control handlers (SetConsoleCtrlHandler), for programs built with
 * scripts/build-host-app. A program run by scripts/host-run receives SIGINT as
 * CTRL_C_EVENT, SIGQUIT as CTRL_BREAK_EVENT, SIGHUP as CTRL_CLOSE_EVENT and SIGTERM as
 * CTRL_SHUTDOWN_EVENT, each on a thread of its own, as Windows calls the handlers; when no
 * handler returns TRUE the default action ends the process, as ExitProcess would, after
 * its handles are closed and the device is removed.
 */
#ifndef KMDFHOST_UM_WINCON_H
#define KMDFHOST_UM_WINCON_H

#include <winbase.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTRL_C_EVENT 0
#define CTRL_BREAK_EVENT 1
#define CTRL_CLOSE_EVENT 2
#define CTRL_LOGOFF_EVENT 5
#define CTRL_SHUTDOWN_EVENT 6

typedef BOOL(WINAPI *PHANDLER_ROUTINE)(DWORD CtrlType);

WINBASEAPI BOOL WINAPI SetConsoleCtrlHandler(PHANDLER_ROUTINE HandlerRoutine, BOOL Add);

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_UM_WINCON_H */
