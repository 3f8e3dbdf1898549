/*
 * wdftimer.h - framework timer objects (WDK wdftimer.h).
 */
#ifndef _WDFTIMER_H_
#define _WDFTIMER_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef _Function_class_(EVT_WDF_TIMER) _IRQL_requires_same_ _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_TIMER(_In_ WDFTIMER Timer);
typedef EVT_WDF_TIMER *PFN_WDF_TIMER;

typedef struct _WDF_TIMER_CONFIG {
    ULONG Size;
    PFN_WDF_TIMER EvtTimerFunc;
    ULONG Period;
    BOOLEAN AutomaticSerialization;
    ULONG TolerableDelay;
    BOOLEAN UseHighResolutionTimer;
} WDF_TIMER_CONFIG, *PWDF_TIMER_CONFIG;

/* A one-shot timer; automatic serialization on, as documented for the INIT function. */
FORCEINLINE VOID WDF_TIMER_CONFIG_INIT(_Out_ PWDF_TIMER_CONFIG Config,
                                       _In_ PFN_WDF_TIMER EvtTimerFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_TIMER_CONFIG));
    Config->Size = sizeof(WDF_TIMER_CONFIG);
    Config->EvtTimerFunc = EvtTimerFunc;
    Config->Period = 0;
    Config->AutomaticSerialization = TRUE;
    Config->TolerableDelay = 0;
}

/* A periodic timer firing every Period milliseconds after the due time. */
FORCEINLINE VOID WDF_TIMER_CONFIG_INIT_PERIODIC(_Out_ PWDF_TIMER_CONFIG Config,
                                                _In_ PFN_WDF_TIMER EvtTimerFunc, _In_ LONG Period)
{
    RtlZeroMemory(Config, sizeof(WDF_TIMER_CONFIG));
    Config->Size = sizeof(WDF_TIMER_CONFIG);
    Config->EvtTimerFunc = EvtTimerFunc;
    Config->Period = (ULONG)Period;
    Config->AutomaticSerialization = TRUE;
    Config->TolerableDelay = 0;
}

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfTimerCreate(_In_ PWDF_TIMER_CONFIG Config,
                               _In_ PWDF_OBJECT_ATTRIBUTES Attributes, _Out_ WDFTIMER *Timer);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI BOOLEAN
    WdfTimerStart(_In_ WDFTIMER Timer, _In_ LONGLONG DueTime);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI BOOLEAN
    WdfTimerStop(_In_ WDFTIMER Timer, _In_ BOOLEAN Wait);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFOBJECT WdfTimerGetParentObject(_In_ WDFTIMER Timer);

/* ---- The rest of the KMDF 1.15 surface of wdftimer.h. */
#define TolerableDelayUnlimited ((ULONG)-1)

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFTIMERCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_TIMER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFTIMER* Timer);
typedef BOOLEAN (*PFN_WDFTIMERSTART)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFTIMER Timer, LONGLONG DueTime);
typedef BOOLEAN (*PFN_WDFTIMERSTOP)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFTIMER Timer, BOOLEAN Wait);
typedef WDFOBJECT (*PFN_WDFTIMERGETPARENTOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFTIMER Timer);

WDF_EXTERN_C_END

#endif /* _WDFTIMER_H_ */
