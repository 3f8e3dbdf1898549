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

WDF_EXTERN_C_END

#endif /* _WDFSYNC_H_ */
