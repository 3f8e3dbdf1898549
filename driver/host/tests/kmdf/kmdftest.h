/*
 * kmdftest.h - the contract between the framework tests (kmdf_test.c) and their test
 * driver (kmdftest_driver.c).
 *
 * The test program is linked with exported symbols, so the driver module, loaded by
 * the host, resolves KmdfTestEvent, KmdfTestConfig and KmdfTestRegister against it: the
 * driver reports what the framework made it do (events), reads the scenario's
 * configuration, and hands the test a table of actions that the test runs on its own
 * threads (as a driver's own thread would). Plain C types only: the driver is built with
 * a 16-bit WCHAR, the test program is not.
 */
#ifndef KMDFTEST_H
#define KMDFTEST_H

#include <stdint.h>

/* Deliberate driver bugs, one per verifier rule. */
enum KMDF_TEST_BUG {
    KtBugNone = 0,
    KtBugDoubleCompletion,
    KtBugCompleteWhileCancelable,
    KtBugMarkCancelableTwice,
    KtBugUseAfterCompletion,
    KtBugInformationExceedsBuffer,
    KtBugPendingAtRemove,
    KtBugSpinLockTwice,
    KtBugSpinLockWrongThread,
    KtBugSpinLockHeldOnReturn,
    KtBugObjectLeak,
    KtBugTimerStopWaitInCallback,
    KtBugMemoryAfterCompletion,
    KtBugDeleteResourceList,    /* WdfObjectDelete on the raw list in EvtDevicePrepareHardware */
    KtBugResourceListBadHandle, /* the device handle passed as a WDFCMRESLIST */
};

typedef struct KMDF_TEST_CONFIG {
    int DispatchType;    /* 1 sequential, 2 parallel, 3 manual */
    int QueueSyncScope;  /* 0 inherit, else a WDF_SYNCHRONIZATION_SCOPE value */
    int DeviceSyncScope; /* 0 inherit, else a WDF_SYNCHRONIZATION_SCOPE value */
    int AllowZeroLength;
    int Park;              /* reads and writes are kept by the driver, not completed */
    int CancelMode;        /* 0 not cancelable, 1 MarkCancelable, 2 MarkCancelableEx,
                              3 marked later by the test (MarkParked) */
    int TimerPeriodMs;     /* 0: no timer */
    int TimerParentDevice; /* the timer's parent is the device (else the default queue) */
    int TimerAutoSerialize;
    int TimerCompletes;  /* each tick completes the oldest parked request */
    int SpinUs;          /* serialized callbacks busy-wait this long */
    int ObjectTest;      /* DriverEntry runs the object/context/memory checks */
    int IoStopMode;      /* EvtIoStop: 0 none, 1 acknowledge, 2 requeue (a purge
                            completes the request with STATUS_CANCELLED) */
    int ForwardToManual; /* reads are forwarded to a manual queue */
    int QueuePassive;    /* the queue's execution level is WdfExecutionLevelPassive */
    int DpcAndWorkItem;  /* a WDFDPC on the queue and a WDFWORKITEM on the device */
    int Bug;             /* enum KMDF_TEST_BUG */
    int ResourceLists;   /* EvtDevicePrepare/ReleaseHardware exercise their resource lists */
    int32_t FailDriverEntry; /* DriverEntry returns this status after WdfDriverCreate (0: it succeeds) */
    int StaticStopRemove;    /* EvtDriverDeviceAdd calls WdfDeviceSetStaticStopRemove(FALSE) this often */
} KMDF_TEST_CONFIG;

/* Actions the test runs in the driver, from a test thread. */
typedef struct KMDF_TEST_OPS {
    /* Completes the oldest parked request with Status after unmarking it. Returns 1 when
       one was completed, 0 when none was parked, -1 when its cancel routine has it. */
    int (*CompleteParked)(int32_t Status, uint64_t Information);
    int (*ParkedCount)(void);
    /* Marks the oldest parked request cancelable (CancelMode 3): returns the status of
       WdfRequestMarkCancelableEx when Ex, else 0 after WdfRequestMarkCancelable. */
    int32_t (*MarkParked)(int Ex);
    void (*StopQueueSynchronously)(void);
    void (*StartQueue)(void);
    int (*StartTimer)(int64_t DueTime);
    int (*StopTimer)(int Wait);
    /* Nonzero while EvtTimerFunc runs. */
    int (*TimerRunning)(void);
    /* WdfIoQueueGetState of the default queue. */
    int (*QueueState)(void);
    int (*EnqueueDpc)(void);
    int (*CancelDpc)(int Wait);
    void (*EnqueueWorkItem)(void);
    void (*FlushWorkItem)(void);
    /* WdfIoQueueRetrieveNextRequest on the manual queue; completes what it got with
       STATUS_SUCCESS. Returns the retrieval status. */
    int32_t (*RetrieveManual)(void);
    void (*PurgeQueueSynchronously)(void);
    void (*DrainQueueSynchronously)(void);
    /* WdfRequestUnmarkCancelable on the oldest parked request: its status (-1: none). */
    int32_t (*UnmarkParked)(void);
    /* WdfIoQueueStop on the default queue; its EvtIoQueueState records "queue-state"
       with the IRQL it runs at. */
    void (*StopQueue)(void);
    /* WdfIoQueuePurgeSynchronously on the manual queue (ForwardToManual). */
    void (*PurgeManual)(void);
    /* WdfIoQueueRetrieveNextRequest on the default queue; completes what it got with
       STATUS_SUCCESS. Returns the retrieval status. */
    int32_t (*RetrieveDefault)(void);
    /* WdfDeviceSetStaticStopRemove(device, Stoppable). */
    void (*SetStaticStopRemove)(int Stoppable);
    /* WdfDeviceGetSystemPowerAction of the device. */
    int (*SystemPowerAction)(void);
} KMDF_TEST_OPS;

#define KMDFTEST_EXPORT __attribute__((visibility("default")))

/* Implemented by the test program. */
KMDFTEST_EXPORT void KmdfTestEvent(const char *Name, int64_t Value);
KMDFTEST_EXPORT const KMDF_TEST_CONFIG *KmdfTestConfig(void);
KMDFTEST_EXPORT void KmdfTestRegister(const KMDF_TEST_OPS *Ops);

/* The test driver's interface class {5D3C1A20-7E4B-4F61-9C2D-8A0B1E6F4C37}. */
#define KMDFTEST_GUID_DATA                                                                         \
    0x5D3C1A20, 0x7E4B, 0x4F61, 0x9C, 0x2D, 0x8A, 0x0B, 0x1E, 0x6F, 0x4C, 0x37

#endif /* KMDFTEST_H */
