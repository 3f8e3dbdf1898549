/*
 * wdfwmi.h - WMI providers and instances of a device (WDK wdfwmi.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFWMI_H_
#define _WDFWMI_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef enum _WDF_WMI_PROVIDER_CONTROL {
    WdfWmiControlInvalid = 0,
    WdfWmiEventControl,
    WdfWmiInstanceControl,
} WDF_WMI_PROVIDER_CONTROL;

typedef enum _WDF_WMI_PROVIDER_FLAGS {
    WdfWmiProviderEventOnly = 0x0001,
    WdfWmiProviderExpensive = 0x0002,
    WdfWmiProviderTracing = 0x0004,
    WdfWmiProviderValidFlags = WdfWmiProviderEventOnly | WdfWmiProviderExpensive | WdfWmiProviderTracing,
} WDF_WMI_PROVIDER_FLAGS;

typedef NTSTATUS EVT_WDF_WMI_INSTANCE_QUERY_INSTANCE(WDFWMIINSTANCE WmiInstance, ULONG OutBufferSize, PVOID OutBuffer, PULONG BufferUsed);
typedef EVT_WDF_WMI_INSTANCE_QUERY_INSTANCE *PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE;

typedef NTSTATUS EVT_WDF_WMI_INSTANCE_SET_INSTANCE(WDFWMIINSTANCE WmiInstance, ULONG InBufferSize, PVOID InBuffer);
typedef EVT_WDF_WMI_INSTANCE_SET_INSTANCE *PFN_WDF_WMI_INSTANCE_SET_INSTANCE;

typedef NTSTATUS EVT_WDF_WMI_INSTANCE_SET_ITEM(WDFWMIINSTANCE WmiInstance, ULONG DataItemId, ULONG InBufferSize, PVOID InBuffer);
typedef EVT_WDF_WMI_INSTANCE_SET_ITEM *PFN_WDF_WMI_INSTANCE_SET_ITEM;

typedef NTSTATUS EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD(WDFWMIINSTANCE WmiInstance, ULONG MethodId, ULONG InBufferSize, ULONG OutBufferSize, PVOID Buffer, PULONG BufferUsed);
typedef EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD *PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD;

typedef NTSTATUS EVT_WDF_WMI_PROVIDER_FUNCTION_CONTROL(WDFWMIPROVIDER WmiProvider, WDF_WMI_PROVIDER_CONTROL Control, BOOLEAN Enable);
typedef EVT_WDF_WMI_PROVIDER_FUNCTION_CONTROL *PFN_WDF_WMI_PROVIDER_FUNCTION_CONTROL;

typedef struct _WDF_WMI_PROVIDER_CONFIG {
    ULONG Size;
    GUID Guid;
    ULONG Flags;
    ULONG MinInstanceBufferSize;
    PFN_WDF_WMI_PROVIDER_FUNCTION_CONTROL EvtWmiProviderFunctionControl;
} WDF_WMI_PROVIDER_CONFIG, *PWDF_WMI_PROVIDER_CONFIG;

typedef struct _WDF_WMI_INSTANCE_CONFIG {
    ULONG Size;
    WDFWMIPROVIDER Provider;
    PWDF_WMI_PROVIDER_CONFIG ProviderConfig;
    BOOLEAN UseContextForQuery;
    BOOLEAN Register;
    PFN_WDF_WMI_INSTANCE_QUERY_INSTANCE EvtWmiInstanceQueryInstance;
    PFN_WDF_WMI_INSTANCE_SET_INSTANCE EvtWmiInstanceSetInstance;
    PFN_WDF_WMI_INSTANCE_SET_ITEM EvtWmiInstanceSetItem;
    PFN_WDF_WMI_INSTANCE_EXECUTE_METHOD EvtWmiInstanceExecuteMethod;
} WDF_WMI_INSTANCE_CONFIG, *PWDF_WMI_INSTANCE_CONFIG;

WDFAPI NTSTATUS WdfWmiProviderCreate(WDFDEVICE Device, PWDF_WMI_PROVIDER_CONFIG WmiProviderConfig, PWDF_OBJECT_ATTRIBUTES ProviderAttributes, WDFWMIPROVIDER* WmiProvider);
WDFAPI WDFDEVICE WdfWmiProviderGetDevice(WDFWMIPROVIDER WmiProvider);
WDFAPI BOOLEAN WdfWmiProviderIsEnabled(WDFWMIPROVIDER WmiProvider, WDF_WMI_PROVIDER_CONTROL ProviderControl);
WDFAPI ULONGLONG WdfWmiProviderGetTracingHandle(WDFWMIPROVIDER WmiProvider);
WDFAPI NTSTATUS WdfWmiInstanceCreate(WDFDEVICE Device, PWDF_WMI_INSTANCE_CONFIG InstanceConfig, PWDF_OBJECT_ATTRIBUTES InstanceAttributes, WDFWMIINSTANCE* Instance);
WDFAPI NTSTATUS WdfWmiInstanceRegister(WDFWMIINSTANCE WmiInstance);
WDFAPI VOID WdfWmiInstanceDeregister(WDFWMIINSTANCE WmiInstance);
WDFAPI WDFDEVICE WdfWmiInstanceGetDevice(WDFWMIINSTANCE WmiInstance);
WDFAPI WDFWMIPROVIDER WdfWmiInstanceGetProvider(WDFWMIINSTANCE WmiInstance);
WDFAPI NTSTATUS WdfWmiInstanceFireEvent(WDFWMIINSTANCE WmiInstance, ULONG EventDataSize, PVOID EventData);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFWMIPROVIDERCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_WMI_PROVIDER_CONFIG WmiProviderConfig, PWDF_OBJECT_ATTRIBUTES ProviderAttributes, WDFWMIPROVIDER* WmiProvider);
typedef WDFDEVICE (*PFN_WDFWMIPROVIDERGETDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIPROVIDER WmiProvider);
typedef BOOLEAN (*PFN_WDFWMIPROVIDERISENABLED)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIPROVIDER WmiProvider, WDF_WMI_PROVIDER_CONTROL ProviderControl);
typedef ULONGLONG (*PFN_WDFWMIPROVIDERGETTRACINGHANDLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIPROVIDER WmiProvider);
typedef NTSTATUS (*PFN_WDFWMIINSTANCECREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_WMI_INSTANCE_CONFIG InstanceConfig, PWDF_OBJECT_ATTRIBUTES InstanceAttributes, WDFWMIINSTANCE* Instance);
typedef NTSTATUS (*PFN_WDFWMIINSTANCEREGISTER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIINSTANCE WmiInstance);
typedef VOID (*PFN_WDFWMIINSTANCEDEREGISTER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIINSTANCE WmiInstance);
typedef WDFDEVICE (*PFN_WDFWMIINSTANCEGETDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIINSTANCE WmiInstance);
typedef WDFWMIPROVIDER (*PFN_WDFWMIINSTANCEGETPROVIDER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIINSTANCE WmiInstance);
typedef NTSTATUS (*PFN_WDFWMIINSTANCEFIREEVENT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFWMIINSTANCE WmiInstance, ULONG EventDataSize, PVOID EventData);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_WMI_PROVIDER_CONFIG_INIT(PWDF_WMI_PROVIDER_CONFIG Config, CONST GUID *Guid)
{
    RtlZeroMemory(Config, sizeof(*Config));
    Config->Size = (ULONG)sizeof(*Config);
    Config->Guid = *Guid;
}

FORCEINLINE VOID WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER(PWDF_WMI_INSTANCE_CONFIG Config, WDFWMIPROVIDER Provider)
{
    RtlZeroMemory(Config, sizeof(*Config));
    Config->Size = (ULONG)sizeof(*Config);
    Config->Provider = Provider;
}

FORCEINLINE VOID WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER_CONFIG(PWDF_WMI_INSTANCE_CONFIG Config, PWDF_WMI_PROVIDER_CONFIG ProviderConfig)
{
    RtlZeroMemory(Config, sizeof(*Config));
    Config->Size = (ULONG)sizeof(*Config);
    Config->ProviderConfig = ProviderConfig;
}

FORCEINLINE NTSTATUS WDF_WMI_BUFFER_APPEND_STRING(PVOID Buffer, ULONG BufferLength, PCUNICODE_STRING String, PULONG RequiredSize)
{
    /* WMI's counted string: a USHORT byte count, then the characters (no terminator). */
    ULONG needed = (ULONG)sizeof(USHORT) + String->Length;
    *RequiredSize = needed;
    if (BufferLength < needed) {
    return STATUS_BUFFER_TOO_SMALL;
    }
    *(USHORT *)Buffer = String->Length;
    RtlCopyMemory((PUCHAR)Buffer + sizeof(USHORT), String->Buffer, String->Length);
    return STATUS_SUCCESS;
}

WDF_EXTERN_C_END

#endif /* _WDFWMI_H_ */
