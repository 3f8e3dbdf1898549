/*
 * wdfdpc.h - framework DPC objects (WDK wdfdpc.h).
 */
#ifndef _WDFDPC_H_
#define _WDFDPC_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef _Function_class_(EVT_WDF_DPC) _IRQL_requires_same_ _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_DPC(_In_ WDFDPC Dpc);
typedef EVT_WDF_DPC *PFN_WDF_DPC;

typedef struct _WDF_DPC_CONFIG {
    ULONG Size;
    PFN_WDF_DPC EvtDpcFunc;
    BOOLEAN AutomaticSerialization;
} WDF_DPC_CONFIG, *PWDF_DPC_CONFIG;

FORCEINLINE VOID WDF_DPC_CONFIG_INIT(_Out_ PWDF_DPC_CONFIG Config, _In_ PFN_WDF_DPC EvtDpcFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_DPC_CONFIG));
    Config->Size = sizeof(WDF_DPC_CONFIG);
    Config->EvtDpcFunc = EvtDpcFunc;
    Config->AutomaticSerialization = TRUE;
}

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfDpcCreate(_In_ PWDF_DPC_CONFIG Config, _In_ PWDF_OBJECT_ATTRIBUTES Attributes,
                             _Out_ WDFDPC *Dpc);

_IRQL_requires_max_(HIGH_LEVEL) WDFAPI BOOLEAN WdfDpcEnqueue(_In_ WDFDPC Dpc);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI BOOLEAN WdfDpcCancel(_In_ WDFDPC Dpc, _In_ BOOLEAN Wait);

_IRQL_requires_max_(HIGH_LEVEL) WDFAPI WDFOBJECT WdfDpcGetParentObject(_In_ WDFDPC Dpc);

/* ---- The rest of the KMDF 1.15 surface of wdfdpc.h. */
WDFAPI PKDPC WdfDpcWdmGetDpc(WDFDPC Dpc);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFDPCCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_DPC_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDPC* Dpc);
typedef BOOLEAN (*PFN_WDFDPCENQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc);
typedef BOOLEAN (*PFN_WDFDPCCANCEL)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc, BOOLEAN Wait);
typedef WDFOBJECT (*PFN_WDFDPCGETPARENTOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc);
typedef PKDPC (*PFN_WDFDPCWDMGETDPC)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDPC Dpc);

WDF_EXTERN_C_END

#endif /* _WDFDPC_H_ */
