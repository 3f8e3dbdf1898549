/*
 * wdfverifier.h - the framework's verifier entry points (WDK wdfverifier.h).
 *
 * WdfVerifierDbgBreakPoint breaks into a kernel debugger when one is attached and
 * WdfVerifierKeBugCheck stops the system; a driver calls them where it has found its
 * own state broken. The host has no debugger, so both are verifier reports naming the
 * driver's call site. WdfGetTriageInfo returns the framework's internal triage block,
 * which the host does not have.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfverifier/
 */
#ifndef _WDFVERIFIER_H_
#define _WDFVERIFIER_H_

#include <wdftypes.h>

WDF_EXTERN_C_START

WDFAPI VOID WdfVerifierDbgBreakPoint(VOID);

WDFAPI VOID WdfVerifierKeBugCheck(_In_ ULONG BugCheckCode, _In_ ULONG_PTR BugCheckParameter1,
                                  _In_ ULONG_PTR BugCheckParameter2, _In_ ULONG_PTR BugCheckParameter3,
                                  _In_ ULONG_PTR BugCheckParameter4);

WDFAPI PVOID WdfGetTriageInfo(VOID);

/* ---- The rest of the KMDF 1.15 surface of wdfverifier.h. */
/* The framework function table's entry types (the first parameter is the driver globals). */
typedef VOID (*PFN_WDFVERIFIERDBGBREAKPOINT)(PWDF_DRIVER_GLOBALS DriverGlobals);
typedef VOID (*PFN_WDFVERIFIERKEBUGCHECK)(PWDF_DRIVER_GLOBALS DriverGlobals, ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4);
typedef PVOID (*PFN_WDFGETTRIAGEINFO)(PWDF_DRIVER_GLOBALS DriverGlobals);

WDF_EXTERN_C_END

#endif /* _WDFVERIFIER_H_ */
