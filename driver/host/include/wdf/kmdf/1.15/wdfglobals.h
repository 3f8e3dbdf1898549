/*
 * wdfglobals.h - the per-driver globals block (WDK wdfglobals.h).
 *
 * In the WDK every framework call passes WdfDriverGlobals, the block that binds the
 * driver to the framework, as a hidden first parameter; the PFN_WDFXXX table entry
 * types of the other headers show it. The host's WdfXxx are plain functions that find
 * the calling driver from the call itself, so drivers never pass it.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/
 */
#ifndef _WDFGLOBALS_H_
#define _WDFGLOBALS_H_

#include <wdftypes.h>

WDF_EXTERN_C_START

#define WDF_DRIVER_GLOBALS_NAME_LEN (32)

typedef struct _WDF_DRIVER_GLOBALS {
    WDFDRIVER Driver;
    ULONG DriverFlags;
    ULONG DriverTag;
    CHAR DriverName[WDF_DRIVER_GLOBALS_NAME_LEN];
    BOOLEAN DisplaceDriverUnload;
} WDF_DRIVER_GLOBALS, *PWDF_DRIVER_GLOBALS;

/* The driver's globals: the WDK's stub library defines it; the host does not. */
extern PWDF_DRIVER_GLOBALS WdfDriverGlobals;

WDF_EXTERN_C_END

#endif /* _WDFGLOBALS_H_ */
