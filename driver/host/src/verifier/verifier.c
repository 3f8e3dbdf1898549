/*
 * verifier.c - the verifier core: how a broken rule is reported, and allocation
 * failure injection.
 *
 * A rule broken by a driver is one line, "VERIFIER: RULE_ID: what, where", written to
 * stderr before the process aborts, as a bug check halts Windows; a test that sets a
 * sink (KmdfHostSetVerifierSink) receives the line instead and the host carries on.
 * The rule ids are listed in nt/khnt.h (NT half) and wdf/fx.h (framework).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ntp.h"

static HOS_MUTEX KhSinkLock;
static KH_VERIFIER_SINK *KhSink;
static void *KhSinkContext;
static atomic_uint_fast64_t KhReportCount;

static atomic_uint_fast64_t KhAllocationPoints;
static atomic_int_fast64_t KhFailAt = -1;

__attribute__((constructor)) static void KhVerifierInit(void) { HosMutexInit(&KhSinkLock); }

/* A sink lets tests capture reports; NULL restores the default (stderr and abort). */
KMDFHOST_API void KmdfHostSetVerifierSink(KH_VERIFIER_SINK *Sink, void *Context)
{
    HosMutexLock(&KhSinkLock);
    KhSink = Sink;
    KhSinkContext = Context;
    HosMutexUnlock(&KhSinkLock);
}

KMDFHOST_API uint64_t KmdfHostVerifierReportCount(void) { return atomic_load(&KhReportCount); }

void KhVerifierReportV(const char *RuleId, const char *Format, va_list Args)
{
    char detail[1536];
    char line[2048];
    KH_VERIFIER_SINK *sink;
    void *context;

    vsnprintf(detail, sizeof(detail), Format, Args);
    snprintf(line, sizeof(line), "VERIFIER: %s: %s", RuleId, detail);
    atomic_fetch_add(&KhReportCount, 1);

    HosMutexLock(&KhSinkLock);
    sink = KhSink;
    context = KhSinkContext;
    HosMutexUnlock(&KhSinkLock);

    if (sink != NULL) {
        sink(context, RuleId, line);
        return;
    }
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
    abort();
}

void KhVerifierReport(const char *RuleId, const char *Format, ...)
{
    va_list args;
    va_start(args, Format);
    KhVerifierReportV(RuleId, Format, args);
    va_end(args);
}

/* The N-th allocation point from now fails, once; N < 0 disables. */
KMDFHOST_API void KmdfHostFailAllocation(int64_t N)
{
    if (N < 0) {
        atomic_store(&KhFailAt, -1);
    } else {
        atomic_store(&KhFailAt, (int_fast64_t)atomic_load(&KhAllocationPoints) + N);
    }
}

KMDFHOST_API uint64_t KmdfHostAllocationCount(void) { return atomic_load(&KhAllocationPoints); }

BOOLEAN KhAllocationShouldFail(void)
{
    uint_fast64_t index = atomic_fetch_add(&KhAllocationPoints, 1);
    int_fast64_t target = atomic_load(&KhFailAt);
    if (target >= 0 && (uint_fast64_t)target == index) {
        /* Only the first thread to reach the point fails it. */
        return atomic_compare_exchange_strong(&KhFailAt, &target, -1) ? TRUE : FALSE;
    }
    return FALSE;
}

/*
 * RtlAssert: a failed ASSERT/NT_ASSERT of a DBG build, or a PAGED_CODE() check.
 * On Windows it breaks into the debugger, or bug-checks without one.
 * https://learn.microsoft.com/windows-hardware/drivers/debugger/using-the-assert-macro
 */
NTSYSAPI VOID NTAPI RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber,
                              PSTR MutableMessage)
{
    const char *assertion = VoidFailedAssertion != NULL ? (const char *)VoidFailedAssertion : "?";
    const char *file = VoidFileName != NULL ? (const char *)VoidFileName : "?";
    if (strncmp(assertion, "PAGED_CODE()", 12) == 0) {
        KhVerifierReport("IRQL_TOO_HIGH_FOR_PAGED_CODE", "pageable code ran at IRQL %u, at %s:%u",
                         (unsigned)KeGetCurrentIrql(), file, (unsigned)LineNumber);
        return;
    }
    KhVerifierReport("ASSERTION_FAILED", "%s%s%s, at %s:%u", assertion, MutableMessage ? ": " : "",
                     MutableMessage ? MutableMessage : "", file, (unsigned)LineNumber);
}

/* A breakpoint with no kernel debugger attached stops the system. */
NTSYSAPI VOID NTAPI DbgBreakPoint(VOID)
{
    KhVerifierReport("BREAKPOINT", "DbgBreakPoint with no debugger attached, at %p",
                     __builtin_return_address(0));
}

NTSYSAPI VOID NTAPI DbgBreakPointWithStatus(ULONG Status)
{
    KhVerifierReport("BREAKPOINT", "DbgBreakPointWithStatus(0x%08x) with no debugger attached, at %p",
                     (unsigned)Status, __builtin_return_address(0));
}

/* A bug check never returns: the report is made, then the host stops, sink or not. */
NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2,
                                                      ULONG_PTR P3, ULONG_PTR P4)
{
    char line[256];
    snprintf(line, sizeof(line), "VERIFIER: BUGCHECK: KeBugCheckEx(0x%08x, %#lx, %#lx, %#lx, %#lx), at %p",
             (unsigned)BugCheckCode, (unsigned long)P1, (unsigned long)P2, (unsigned long)P3,
             (unsigned long)P4, __builtin_return_address(0));
    atomic_fetch_add(&KhReportCount, 1);
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
    abort();
}

NTKERNELAPI DECLSPEC_NORETURN VOID NTAPI KeBugCheck(ULONG BugCheckCode) { KeBugCheckEx(BugCheckCode, 0, 0, 0, 0); }
