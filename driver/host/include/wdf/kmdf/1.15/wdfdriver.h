/*
 * wdfdriver.h - the framework driver object (WDK wdfdriver.h).
 */
#ifndef _WDFDRIVER_H_
#define _WDFDRIVER_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef enum _WDF_DRIVER_INIT_FLAGS {
    WdfDriverInitNonPnpDriver = 0x00000001,
    WdfDriverInitNoDispatchOverride = 0x00000002,
    WdfVerifyOn = 0x00000004,
    WdfVerifierOn = 0x00000008,
    WdfDriverInitCompanion = 0x00000010,
} WDF_DRIVER_INIT_FLAGS;

typedef _Function_class_(EVT_WDF_DRIVER_DEVICE_ADD) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DRIVER_DEVICE_ADD(_In_ WDFDRIVER Driver, _Inout_ PWDFDEVICE_INIT DeviceInit);
typedef EVT_WDF_DRIVER_DEVICE_ADD *PFN_WDF_DRIVER_DEVICE_ADD;

typedef _Function_class_(EVT_WDF_DRIVER_UNLOAD) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_DRIVER_UNLOAD(_In_ WDFDRIVER Driver);
typedef EVT_WDF_DRIVER_UNLOAD *PFN_WDF_DRIVER_UNLOAD;

typedef struct _WDF_DRIVER_CONFIG {
    ULONG Size;
    PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
    PFN_WDF_DRIVER_UNLOAD EvtDriverUnload;
    ULONG DriverInitFlags;
    ULONG DriverPoolTag;
} WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;

FORCEINLINE VOID WDF_DRIVER_CONFIG_INIT(_Out_ PWDF_DRIVER_CONFIG Config,
                                        _In_opt_ PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd)
{
    RtlZeroMemory(Config, sizeof(WDF_DRIVER_CONFIG));
    Config->Size = sizeof(WDF_DRIVER_CONFIG);
    Config->EvtDriverDeviceAdd = EvtDriverDeviceAdd;
}

typedef struct _WDF_DRIVER_VERSION_AVAILABLE_PARAMS {
    ULONG Size;
    ULONG MajorVersion;
    ULONG MinorVersion;
} WDF_DRIVER_VERSION_AVAILABLE_PARAMS, *PWDF_DRIVER_VERSION_AVAILABLE_PARAMS;

FORCEINLINE VOID
WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(_Out_ PWDF_DRIVER_VERSION_AVAILABLE_PARAMS Params,
                                         _In_ ULONG MajorVersion, _In_ ULONG MinorVersion)
{
    RtlZeroMemory(Params, sizeof(WDF_DRIVER_VERSION_AVAILABLE_PARAMS));
    Params->Size = sizeof(WDF_DRIVER_VERSION_AVAILABLE_PARAMS);
    Params->MajorVersion = MajorVersion;
    Params->MinorVersion = MinorVersion;
}

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfDriverCreate(_In_ PDRIVER_OBJECT DriverObject,
                                _In_ PCUNICODE_STRING RegistryPath,
                                _In_opt_ PWDF_OBJECT_ATTRIBUTES DriverAttributes,
                                _In_ PWDF_DRIVER_CONFIG DriverConfig, _Out_opt_ WDFDRIVER *Driver);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PWSTR WdfDriverGetRegistryPath(_In_ WDFDRIVER Driver);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PDRIVER_OBJECT
    WdfDriverWdmGetDriverObject(_In_ WDFDRIVER Driver);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFDRIVER
    WdfWdmDriverGetWdfDriverHandle(_In_ PDRIVER_OBJECT DriverObject);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfDriverOpenParametersRegistryKey(_In_ WDFDRIVER Driver,
                                                   _In_ ACCESS_MASK DesiredAccess,
                                                   _In_opt_ PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                                   _Out_ WDFKEY *Key);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfDriverRetrieveVersionString(_In_ WDFDRIVER Driver, _In_ WDFSTRING String);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI BOOLEAN WdfDriverIsVersionAvailable(
    _In_ WDFDRIVER Driver, _In_ PWDF_DRIVER_VERSION_AVAILABLE_PARAMS VersionAvailableParams);

/*
 * The driver's WDFDRIVER (WdfDriverGlobals->Driver in the WDK). The host has no
 * per-driver globals: it answers for the driver whose callback the calling thread runs,
 * else for the driver created last.
 */
WDFAPI WDFDRIVER WdfGetDriver(VOID);

/* ---- The rest of the KMDF 1.15 surface of wdfdriver.h. */

/* The pool tag of the framework's trace allocations. */
#define WDF_TRACE_ID ('TRAC')
typedef NTSTATUS EVT_WDF_TRACE_CALLBACK(UCHAR minorFunction, PVOID dataPath, ULONG bufferLength, PVOID buffer, PVOID context, PULONG size);
typedef EVT_WDF_TRACE_CALLBACK *PFN_WDF_TRACE_CALLBACK;

WDFAPI NTSTATUS WdfDriverRegisterTraceInfo(PDRIVER_OBJECT DriverObject, PFN_WDF_TRACE_CALLBACK EvtTraceCallback, PVOID ControlBlock);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFDRIVERCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath, PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig, WDFDRIVER* Driver);
typedef PWSTR (*PFN_WDFDRIVERGETREGISTRYPATH)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver);
typedef PDRIVER_OBJECT (*PFN_WDFDRIVERWDMGETDRIVEROBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver);
typedef NTSTATUS (*PFN_WDFDRIVEROPENPARAMETERSREGISTRYKEY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
typedef WDFDRIVER (*PFN_WDFWDMDRIVERGETWDFDRIVERHANDLE)(PWDF_DRIVER_GLOBALS DriverGlobals, PDRIVER_OBJECT DriverObject);
typedef NTSTATUS (*PFN_WDFDRIVERREGISTERTRACEINFO)(PWDF_DRIVER_GLOBALS DriverGlobals, PDRIVER_OBJECT DriverObject, PFN_WDF_TRACE_CALLBACK EvtTraceCallback, PVOID ControlBlock);
typedef NTSTATUS (*PFN_WDFDRIVERRETRIEVEVERSIONSTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver, WDFSTRING String);
typedef BOOLEAN (*PFN_WDFDRIVERISVERSIONAVAILABLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver, PWDF_DRIVER_VERSION_AVAILABLE_PARAMS VersionAvailableParams);

WDF_EXTERN_C_END

#endif /* _WDFDRIVER_H_ */
