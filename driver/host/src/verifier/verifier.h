/*
 * verifier.h - the verifier's rule catalogue: every rule id the host reports, where it
 * is checked, and what breaks it. A report is one line, "VERIFIER: RULE_ID: what,
 * where", made with KhVerifierReport (ke/ke.h) or, in the framework, FxReport; the
 * verifier (verifier.c) counts it and delivers it to a test's sink, or the host stops.
 *
 * Rule ids are stable: add more as needed, never rename. The layout check
 * (tests/layout) fails when a report names an id that is not listed here, or when an
 * id listed here is missing from driver/host/README.md.
 *
 * KH_VERIFIER_RULES(RULE) expands RULE(Id, Component, Description) once per rule.
 */
#ifndef KH_VERIFIER_H
#define KH_VERIFIER_H

#define KH_VERIFIER_RULES(RULE)                                                                                   \
    /* Pool (src/ex) */                                                                                          \
    RULE(POOL_LEAK, "ex", "pool a driver still holds when it unloads (per tag and size)")                        \
    RULE(POOL_TAG_MISMATCH, "ex", "ExFreePoolWithTag with a tag other than the block's")                          \
    RULE(BAD_POOL_FREE, "ex", "freeing something that is not a live pool block")                                  \
    RULE(IRQL_TOO_HIGH_FOR_PAGED_POOL, "ex", "paged pool allocated at IRQL > APC_LEVEL")                          \
    /* Kernel (src/ke), runtime library (src/rtl), debugger (src/kd) */                                          \
    RULE(IRQL_TOO_HIGH_FOR_PAGED_CODE, "rtl", "PAGED_CODE() reached at IRQL > APC_LEVEL")                         \
    RULE(IRQL_TOO_HIGH_FOR_WAIT, "ke, wdf", "a wait with a nonzero time-out at IRQL >= DISPATCH_LEVEL, or a "    \
                                            "waiting framework method above PASSIVE_LEVEL")                       \
    RULE(IRQL_TOO_HIGH_FOR_DDI, "wdf", "a method called above the highest IRQL its documentation allows")          \
    RULE(IRQL_MISUSE, "ke", "KeRaiseIrql to a lower, or KeLowerIrql to a higher, IRQL")                           \
    RULE(SPINLOCK_MISUSE, "ke, wdf", "a spin lock acquired twice by its owner, released by another thread or "   \
                                     "while not held, or still held when a driver callback returns")              \
    RULE(ASSERTION_FAILED, "rtl, wdf", "ASSERT/NT_ASSERT (DBG builds) failed, or a framework assertion")          \
    RULE(BREAKPOINT, "kd", "DbgBreakPoint with no debugger")                                                      \
    RULE(WPP_RECORDER_LOG_MISUSE, "kd", "a WPP recorder log deleted twice, or a trace or "                      \
                                        "WppRecorderLogSetIdentifier on a deleted or foreign log")                \
    RULE(BUGCHECK, "ke", "KeBugCheckEx (always fatal)")                                                           \
    RULE(MUTEX_MISUSE, "ke", "a fast or guarded mutex acquired again by its owner, or released by a thread "     \
                             "that does not own it")                                                              \
    /* I/O manager (src/io) */                                                                                   \
    RULE(DOUBLE_COMPLETION, "io, wdf", "IoCompleteRequest on an IRP, or WdfRequestComplete on a request, "       \
                                       "already completed")                                                       \
    RULE(COMPLETE_WHILE_CANCELABLE, "io, wdf", "an IRP or request completed with a cancel routine still set "    \
                                               "(still marked cancelable)")                                       \
    RULE(IRP_STATUS_MISMATCH, "io", "a dispatch routine returned a status other than STATUS_PENDING without "    \
                                    "having completed the IRP")                                                   \
    RULE(COMPLETED_WITH_STATUS_PENDING, "io", "IoCompleteRequest with Irp->IoStatus.Status == STATUS_PENDING")    \
    RULE(NO_MORE_IRP_STACK_LOCATIONS, "io", "IoCallDriver with no stack location left (then fatal)")              \
    RULE(BAD_IRP_FREE, "io", "IoFreeIrp of something that is not an allocated IRP")                               \
    RULE(BAD_DEVICE_DELETE, "io", "IoDeleteDevice of a device object already deleted")                            \
    RULE(REMOVE_LOCK_MISUSE, "io", "IoReleaseRemoveLock more often than IoAcquireRemoveLock")                     \
    /* A driver's unload (src/ldr asks ke, ex and io) */                                                          \
    RULE(PENDING_OPERATIONS_AT_UNLOAD, "ke, ex, io",                                                              \
         "a driver unloaded with a kernel timer still set, a DPC queued or running (or queued in its unload "    \
         "routine with no KeFlushQueuedDpcs after), an ExQueueWorkItem work item queued or running, or a PnP "    \
         "notification still registered (bug check 0xCE on Windows)")                                             \
    /* The framework (src/wdf) */                                                                                \
    RULE(OBJECT_LEAK, "wdf", "framework objects still alive after the driver object is deleted at unload")       \
    RULE(MARK_CANCELABLE_TWICE, "wdf", "WdfRequestMarkCancelable(Ex) on a request already marked")                \
    RULE(UNMARK_NOT_CANCELABLE, "wdf", "WdfRequestUnmarkCancelable on a request not marked cancelable (never "    \
                                       "marked, or unmarked already)")                                            \
    RULE(REQUEST_USED_AFTER_COMPLETION, "wdf", "a WdfRequest* call on a completed request, or a WdfMemory* "     \
                                               "call on one of its buffers")                                      \
    RULE(INFORMATION_EXCEEDS_BUFFER, "wdf", "information larger than the read or device-control output buffer")  \
    RULE(REQUEST_PENDING_AT_REMOVE, "wdf", "the driver still owns requests when its device is removed")          \
    RULE(SERIALIZATION_BROKEN, "wdf", "callbacks that the synchronization scope promises to serialize ran at "   \
                                      "the same time, or a sequential queue presented a second request")          \
    RULE(INVALID_HANDLE, "wdf", "a NULL, foreign or wrongly typed handle passed to a method")                     \
    RULE(OBJECT_USED_AFTER_DELETE, "wdf", "a method called on a deleted object (not a request)")                  \
    RULE(INVALID_OBJECT_DELETE, "wdf", "WdfObjectDelete on an object the driver may not delete")                  \
    RULE(OBJECT_REFERENCE_UNDERFLOW, "wdf", "WdfObjectDereference without a matching reference")                  \
    RULE(TIMER_STOP_WAIT_IN_CALLBACK, "wdf", "WdfTimerStop(Wait = TRUE) from the timer's own callback")           \
    RULE(QUEUE_STOP_TIMED_OUT, "wdf", "requests delivered from a power-managed queue still unfinished long "      \
                                      "after the device began to power down")                                     \
    RULE(POWER_REFERENCE_UNDERFLOW, "wdf, po", "WdfDeviceResumeIdle without a matching WdfDeviceStopIdle, "     \
                                               "or PoFxIdleComponent without a matching PoFxActivateComponent")   \
    /* Stable ids of DESIGN.md reported by parts still to come */                                                \
    RULE(UNIMPLEMENTED_DDI, "ldr", "a driver called a DDI the host does not implement")                           \
    /* The schedule explorer (src/os/explore.c and its program, explore/) */                                     \
    RULE(DEADLOCK, "os", "no task can run and some wait (with the wait-for cycle)")                              \
    RULE(LIVELOCK, "os", "a scenario of the schedule explorer runs on without ending")                          \
    RULE(HANG, "os", "a scenario of the schedule explorer does not end within its bound of virtual time")      \
    RULE(PROPERTY, "os", "a scenario's property broke: an I/O completed twice or with a status not allowed, "   \
                         "or a read returned data no write stored")                                             \
    RULE(CRASH, "os", "a run of the schedule explorer ended with a signal (a crash in the driver or the host)")  \
    RULE(DATA_RACE, "os", "two tasks accessed the same driver memory, one of them writing, with no lock or "     \
                          "ordering between them (driver built with build-host-driver --race; src/os/race.c)")

#endif /* KH_VERIFIER_H */
