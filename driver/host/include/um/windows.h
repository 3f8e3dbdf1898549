/*
 * windows.h - the Win32 API of the user-mode KMDF host, for console programs built with
 * scripts/build-host-app (see driver/host/README.md, "Native Win32 programs").
 *
 * What is declared is implemented by libkmdfhost (kernel32, setupapi and cfgmgr32
 * functions on the host's I/O manager); there is no declaration of a function the host
 * lacks, so a program that needs one fails to build with that function's name rather
 * than at run time. A and W forms exist side by side; UNICODE picks the name without a
 * suffix (CreateFile is CreateFileW with UNICODE, CreateFileA without), as in the SDK.
 * WCHAR is wchar_t, 16 bits in programs of build-host-app as on Windows: see winnt.h.
 */
#ifndef KMDFHOST_UM_WINDOWS_H
#define KMDFHOST_UM_WINDOWS_H

#include <stdarg.h>

#include <windef.h>
#include <winerror.h>
#include <winbase.h>
#include <wincon.h>
#include <winioctl.h>
#include <winsvc.h>

#endif /* KMDFHOST_UM_WINDOWS_H */
