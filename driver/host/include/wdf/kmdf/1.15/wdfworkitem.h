/*
 * wdfworkitem.h - framework work-item objects (WDK wdfworkitem.h).
 */
#ifndef _WDFWORKITEM_H_
#define _WDFWORKITEM_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef _Function_class_(EVT_WDF_WORKITEM) _IRQL_requires_same_ _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_WORKITEM(_In_ WDFWORKITEM WorkItem);
typedef EVT_WDF_WORKITEM *PFN_WDF_WORKITEM;

typedef struct _WDF_WORKITEM_CONFIG {
    ULONG Size;
    PFN_WDF_WORKITEM EvtWorkItemFunc;
    BOOLEAN AutomaticSerialization;
} WDF_WORKITEM_CONFIG, *PWDF_WORKITEM_CONFIG;

FORCEINLINE VOID WDF_WORKITEM_CONFIG_INIT(_Out_ PWDF_WORKITEM_CONFIG Config,
                                          _In_ PFN_WDF_WORKITEM EvtWorkItemFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_WORKITEM_CONFIG));
    Config->Size = sizeof(WDF_WORKITEM_CONFIG);
    Config->EvtWorkItemFunc = EvtWorkItemFunc;
    Config->AutomaticSerialization = TRUE;
}

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfWorkItemCreate(_In_ PWDF_WORKITEM_CONFIG Config,
                                  _In_ PWDF_OBJECT_ATTRIBUTES Attributes,
                                  _Out_ WDFWORKITEM *WorkItem);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfWorkItemEnqueue(_In_ WDFWORKITEM WorkItem);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFOBJECT
    WdfWorkItemGetParentObject(_In_ WDFWORKITEM WorkItem);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID WdfWorkItemFlush(_In_ WDFWORKITEM WorkItem);

/* ---- The rest of the KMDF 1.15 surface of wdfworkitem.h. */
/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFWORKITEMCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_WORKITEM_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFWORKITEM* WorkItem);
typedef VOID (*PFN_WDFWORKITEMENQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWORKITEM WorkItem);
typedef WDFOBJECT (*PFN_WDFWORKITEMGETPARENTOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWORKITEM WorkItem);
typedef VOID (*PFN_WDFWORKITEMFLUSH)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWORKITEM WorkItem);

WDF_EXTERN_C_END

#endif /* _WDFWORKITEM_H_ */
