/*
 * startup.c - start-up code that scripts/build-host-app links into every Win32 program
 * it builds. Before main, and before the program's C++ static constructors (priority
 * 101 runs first), it lets the host start the program's device when scripts/host-run
 * runs the program (KmdfHostAppStartup, src/win32/process.c).
 */
#include "kmdfhost.h"

__attribute__((constructor(101))) static void KhAppStartup(void)
{
    KmdfHostAppStartup();
}
