/*
 * wdfsync.h - framework spin locks and wait locks (WDK wdfsync.h).
 */
#ifndef _WDFSYNC_H_
#define _WDFSYNC_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfWaitLockCreate(_In_opt_ PWDF_OBJECT_ATTRIBUTES LockAttributes,
                                  _Out_ WDFWAITLOCK *Lock);

_When_(Timeout == NULL, _IRQL_requires_max_(PASSIVE_LEVEL)) WDFAPI NTSTATUS
    WdfWaitLockAcquire(_In_ WDFWAITLOCK Lock, _In_opt_ PLONGLONG Timeout);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfWaitLockRelease(_In_ WDFWAITLOCK Lock);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfSpinLockCreate(_In_opt_ PWDF_OBJECT_ATTRIBUTES SpinLockAttributes,
                                  _Out_ WDFSPINLOCK *SpinLock);

_IRQL_requires_max_(DISPATCH_LEVEL) _IRQL_raises_(DISPATCH_LEVEL) WDFAPI VOID
    WdfSpinLockAcquire(_In_ _IRQL_saves_ WDFSPINLOCK SpinLock);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfSpinLockRelease(_In_ _IRQL_restores_ WDFSPINLOCK SpinLock);

/* ---- The rest of the KMDF 1.15 surface of wdfsync.h. */
/* The framework function table's entry types (the first parameter is the driver globals). */
typedef VOID (*PFN_WDFOBJECTACQUIRELOCK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object);
typedef VOID (*PFN_WDFOBJECTRELEASELOCK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object);
typedef NTSTATUS (*PFN_WDFWAITLOCKCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK* Lock);
typedef NTSTATUS (*PFN_WDFWAITLOCKACQUIRE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWAITLOCK Lock, PLONGLONG Timeout);
typedef VOID (*PFN_WDFWAITLOCKRELEASE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWAITLOCK Lock);
typedef NTSTATUS (*PFN_WDFSPINLOCKCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES SpinLockAttributes, WDFSPINLOCK* SpinLock);
typedef VOID (*PFN_WDFSPINLOCKACQUIRE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFSPINLOCK SpinLock);
typedef VOID (*PFN_WDFSPINLOCKRELEASE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFSPINLOCK SpinLock);

WDF_EXTERN_C_END

#endif /* _WDFSYNC_H_ */
