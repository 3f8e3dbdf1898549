/*
 * verifier.c - the verifier: what happens to a report of a broken rule, and the rule
 * catalogue (verifier.h).
 *
 * A rule broken by a driver is one line, "VERIFIER: RULE_ID: what, where", written to
 * stderr before the process aborts, as a bug check halts Windows; a test that sets a
 * sink (KmdfHostSetVerifierSink) receives the line instead and the host carries on.
 * The checks themselves live where the rules are (ke, ex, io, rtl, kd, wdf) and report
 * through ke (KhVerifierReport); the verifier installs ke's report hook at start-up,
 * counts every report and delivers it. A bug check is counted and always stops the host.
 */
#include <stdatomic.h>
#include <string.h>

#include <kmdfhost.h>

#include "ke/ke.h"
#include "verifier/verifier.h"

static HOS_MUTEX KhSinkLock;
static KH_VERIFIER_SINK *KhSink;
static void *KhSinkContext;
static atomic_uint_fast64_t KhReportCount;

/* ke's report hook: counts the report, hands it to the sink when there is one. */
static BOOLEAN KhVerifierDeliver(const char *RuleId, const char *Line, BOOLEAN Fatal)
{
    atomic_fetch_add(&KhReportCount, 1);
    if (Fatal) {
        return FALSE;
    }
    HosMutexLock(&KhSinkLock);
    KH_VERIFIER_SINK *sink = KhSink;
    void *context = KhSinkContext;
    HosMutexUnlock(&KhSinkLock);
    if (sink == NULL) {
        return FALSE;
    }
    sink(context, RuleId, Line);
    return TRUE;
}

__attribute__((constructor)) static void KhVerifierInit(void)
{
    HosMutexInit(&KhSinkLock);
    KhSetReportHook(KhVerifierDeliver);
}

/* A sink lets tests capture reports; NULL restores the default (stderr and abort). */
KMDFHOST_API void KmdfHostSetVerifierSink(KH_VERIFIER_SINK *Sink, void *Context)
{
    HosMutexLock(&KhSinkLock);
    KhSink = Sink;
    KhSinkContext = Context;
    HosMutexUnlock(&KhSinkLock);
}

KMDFHOST_API uint64_t KmdfHostVerifierReportCount(void) { return atomic_load(&KhReportCount); }
