/*
 * bugcheck.c - bug checks and the report channel of the verifier.
 *
 * On Windows a rule broken under Driver Verifier ends in a bug check that halts the
 * system. Here every component reports through KhVerifierReport; the line goes to the
 * report hook that the verifier installs (which counts it and may hand it to a test's
 * sink), and otherwise to stderr before the process aborts. ke knows nothing of the
 * verifier beyond the hook, so the verifier sits above the kernel, not beside it.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kebugcheckex
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "ke/ke.h"

static _Atomic(KH_REPORT_HOOK *) KhReportHook;

void KhSetReportHook(KH_REPORT_HOOK *Hook) { atomic_store(&KhReportHook, Hook); }

/* The host stops, as a bug check halts Windows. */
static DECLSPEC_NORETURN void KhHalt(const char *Line)
{
    fprintf(stderr, "%s\n", Line);
    fflush(stderr);
    abort();
}

void KhVerifierReportV(const char *RuleId, const char *Format, va_list Args)
{
    char detail[1536];
    char line[2048];
    vsnprintf(detail, sizeof(detail), Format, Args);
    snprintf(line, sizeof(line), "VERIFIER: %s: %s", RuleId, detail);
    KH_REPORT_HOOK *hook = atomic_load(&KhReportHook);
    if (hook != NULL && hook(RuleId, line, FALSE)) {
        return;
    }
    KhHalt(line);
}

void KhVerifierReport(const char *RuleId, const char *Format, ...)
{
    va_list args;
    va_start(args, Format);
    KhVerifierReportV(RuleId, Format, args);
    va_end(args);
}

/* A bug check never returns: the report is made, then the host stops, sink or not. */
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2,
                                                      ULONG_PTR P3, ULONG_PTR P4)
{
    char line[256];
    snprintf(line, sizeof(line), "VERIFIER: BUGCHECK: KeBugCheckEx(0x%08x, %#lx, %#lx, %#lx, %#lx), at %p",
             (unsigned)BugCheckCode, (unsigned long)P1, (unsigned long)P2, (unsigned long)P3,
             (unsigned long)P4, __builtin_return_address(0));
    KH_REPORT_HOOK *hook = atomic_load(&KhReportHook);
    if (hook != NULL) {
        (void)hook("BUGCHECK", line, TRUE);
    }
    KhHalt(line);
}

NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheck(ULONG BugCheckCode) { KeBugCheckEx(BugCheckCode, 0, 0, 0, 0); }

/* A report that is a bug check: counted and shown to a sink, then the host stops. */
DECLSPEC_NORETURN void KhBugCheckReport(const char *RuleId, const char *Format, ...)
{
    char detail[1536];
    char line[2048];
    va_list args;
    va_start(args, Format);
    vsnprintf(detail, sizeof(detail), Format, args);
    va_end(args);
    snprintf(line, sizeof(line), "VERIFIER: %s: %s", RuleId, detail);
    KH_REPORT_HOOK *hook = atomic_load(&KhReportHook);
    if (hook != NULL) {
        (void)hook(RuleId, line, TRUE);
    }
    KhHalt(line);
}
