/*
 * fxverifier.c - WdfVerifierDbgBreakPoint and WdfVerifierKeBugCheck.
 *
 * A driver calls these where it has found its own state broken. On Windows the first
 * breaks into an attached kernel debugger and the second stops the system with the
 * driver's bug check code. The host has no debugger to break into, so each is a
 * verifier report naming the driver's call site, and then the process stops as a bug
 * check would (a test's verifier sink may capture the break point report instead).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfverifier/nf-wdfverifier-wdfverifierdbgbreakpoint
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfverifier/nf-wdfverifier-wdfverifierkebugcheck
 */
#include "wdf/fxp.h"
#include "ldr/ldr.h"


#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))

WDFAPI VOID WdfVerifierDbgBreakPoint(VOID)
{
    char where[768];
    KhVerifierReport("BREAKPOINT", "WdfVerifierDbgBreakPoint with no debugger attached, called from %s",
                     KhDescribeCallSite(KH_CALLER(), where, sizeof(where)));
}

WDFAPI VOID WdfVerifierKeBugCheck(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2,
                                  ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4)
{
    char where[768];
    /* A bug check never returns: a sink sees the report, then the host stops. */
    KhBugCheckReport("BUGCHECK", "WdfVerifierKeBugCheck(0x%08x, %#lx, %#lx, %#lx, %#lx), called from %s",
                     (unsigned)BugCheckCode, (unsigned long)BugCheckParameter1, (unsigned long)BugCheckParameter2,
                     (unsigned long)BugCheckParameter3, (unsigned long)BugCheckParameter4,
                     KhDescribeCallSite(KH_CALLER(), where, sizeof(where)));
}
