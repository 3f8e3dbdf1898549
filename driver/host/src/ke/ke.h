/*
 * ke.h - what the kernel (src/ke: the dispatcher, IRQL, spin locks, DPCs, bug checks)
 * offers the other host components, beyond the Ke* routines drivers call (km/wdm.h).
 *
 * Reports of broken rules go through ke, as a Driver Verifier violation ends in a bug
 * check on Windows: KhVerifierReport formats the line and hands it to the report hook
 * that the verifier (src/verifier, a higher layer) installs; without a hook, or when the
 * hook does not take the report, the line goes to stderr and the host stops. The rule
 * ids are the verifier's catalogue (src/verifier/verifier.h).
 */
#ifndef KH_KE_H
#define KH_KE_H

#include <stdarg.h>
#include <stdbool.h>

#include <ntddk.h>

#include "os/hostos.h"

/* ------------------------------------------------------------------ threads */

/* The kernel's view of a host thread (what KeGetCurrentThread points to). */
typedef struct _KH_THREAD {
    KIRQL Irql;
    bool IrqlKnown;      /* Irql is valid (set on first use from the thread's role) */
    ULONG SpinLocksHeld; /* KSPIN_LOCKs held, for KhSpinLocksHeldByCurrentThread */
    LONG CriticalRegion; /* KeEnterCriticalRegion depth */
    /* The I/O manager's (io/ntapi.c): the thread's outstanding IRPs (Irp->ThreadListEntry,
       under KhIoLock), cancelled when the thread exits (IoCancelThreadIo). */
    bool IrpListReady;
    bool Exiting;
    LIST_ENTRY IrpList;
    KEVENT IrpListEmpty;
} KH_THREAD;

KH_THREAD *KhCurrentThread(void);

/* The host's single dispatcher lock and condition: every dispatcher object waits on it. */
extern HOS_MUTEX KhDispatcherLock;
extern HOS_COND KhDispatcherCond;

/* Number of spin locks (KSPIN_LOCK, including in-stack queued) the calling thread holds. */
ULONG KhSpinLocksHeldByCurrentThread(void);

/* ------------------------------------------------------------------ reports */

/*
 * The report hook: receives each report as its rule id and whole line ("VERIFIER: ID:
 * what, where"). Fatal is TRUE for a bug check, which stops the host whatever the hook
 * answers. Returns TRUE when it took the report (a test's capturing sink), and the host
 * carries on; FALSE lets ke write the line to stderr and abort.
 */
typedef BOOLEAN KH_REPORT_HOOK(const char *RuleId, const char *Line, BOOLEAN Fatal);

/* Installs the report hook (NULL: none). The verifier installs its hook at start-up. */
void KhSetReportHook(KH_REPORT_HOOK *Hook);

/*
 * Reports a broken rule: formats "VERIFIER: <RuleId>: <what, where>" (Format is
 * printf-style, the C library's, not DbgPrint's) and delivers it through the report
 * hook. Returns only when the hook took the report.
 */
void KhVerifierReport(const char *RuleId, const char *Format, ...) __attribute__((format(printf, 2, 3)));

/*
 * A report that is a bug check (UNIMPLEMENTED_DDI, WdfVerifierKeBugCheck): the line
 * "VERIFIER: <RuleId>: ..." is counted and shown to a test's sink like any report, and
 * then the host stops whatever the sink says, because the caller cannot go on.
 */
DECLSPEC_NORETURN void KhBugCheckReport(const char *RuleId, const char *Format, ...)
    __attribute__((format(printf, 2, 3)));

/* KhVerifierReport with a va_list. */
void KhVerifierReportV(const char *RuleId, const char *Format, va_list Args);

/* ------------------------------------------------------------------ DPCs */

/* Returns once every DPC queued (KeInsertQueueDpc, timer expiries) before the call has
   run (KeFlushQueuedDpcs without its IRQL check; nothing from the DPC thread itself).
   The loader calls it before a driver's code goes away. */
void KhFlushDpcs(void);

/*
 * A driver's unload (PENDING_OPERATIONS_AT_UNLOAD): the loader calls Begin with the
 * module's address range [Start, End) before the driver's unload routine runs, and End
 * after it returns. End reports, once per kind, the kernel timers still set whose KTIMER
 * lies in the module or whose DPC routine is its code, and the DPCs of its code still
 * queued or running, or queued during the unload routine with no KeFlushQueuedDpcs (or
 * KeRemoveQueueDpc) after; then it cancels those timers and takes those DPCs off the
 * queue, so that nothing calls into the module once it is gone.
 */
void KhKeDriverUnloadBegin(uintptr_t Start, uintptr_t End);
void KhKeDriverUnloadEnd(const char *DriverName);

#endif /* KH_KE_H */
