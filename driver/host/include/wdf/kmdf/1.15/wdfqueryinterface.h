/*
 * wdfqueryinterface.h - driver-defined interfaces that other drivers query with IRP_MN_QUERY_INTERFACE (WDK wdfqueryinterface.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFQUERYINTERFACE_H_
#define _WDFQUERYINTERFACE_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef NTSTATUS EVT_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST(WDFDEVICE Device, LPGUID InterfaceType, PINTERFACE ExposedInterface, PVOID ExposedInterfaceSpecificData);
typedef EVT_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST *PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST;

typedef struct _WDF_QUERY_INTERFACE_CONFIG {
    ULONG Size;
    PINTERFACE Interface;
    CONST GUID * InterfaceType;
    BOOLEAN SendQueryToParentStack;
    PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST EvtDeviceProcessQueryInterfaceRequest;
    BOOLEAN ImportInterface;
} WDF_QUERY_INTERFACE_CONFIG, *PWDF_QUERY_INTERFACE_CONFIG;

WDFAPI NTSTATUS WdfDeviceAddQueryInterface(WDFDEVICE Device, PWDF_QUERY_INTERFACE_CONFIG InterfaceConfig);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFDEVICEADDQUERYINTERFACE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_QUERY_INTERFACE_CONFIG InterfaceConfig);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_QUERY_INTERFACE_CONFIG_INIT(PWDF_QUERY_INTERFACE_CONFIG InterfaceConfig, PINTERFACE Interface, CONST GUID *InterfaceType, PFN_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST EvtDeviceProcessQueryInterfaceRequest)
{
    RtlZeroMemory(InterfaceConfig, sizeof(*InterfaceConfig));
    InterfaceConfig->Size = (ULONG)sizeof(*InterfaceConfig);
    InterfaceConfig->Interface = Interface;
    InterfaceConfig->InterfaceType = InterfaceType;
    InterfaceConfig->EvtDeviceProcessQueryInterfaceRequest = EvtDeviceProcessQueryInterfaceRequest;
}

FORCEINLINE VOID WdfDeviceInterfaceReferenceNoOp(PVOID Context)
{
    /* For an interface whose provider needs no reference counting. */
    UNREFERENCED_PARAMETER(Context);
}

FORCEINLINE VOID WdfDeviceInterfaceDereferenceNoOp(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
}

WDF_EXTERN_C_END

#endif /* _WDFQUERYINTERFACE_H_ */
