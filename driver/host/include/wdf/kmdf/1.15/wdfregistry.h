/*
 * wdfregistry.h - framework registry key objects (WDK wdfregistry.h).
 */
#ifndef _WDFREGISTRY_H_
#define _WDFREGISTRY_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID WdfRegistryClose(_In_ WDFKEY Key);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI HANDLE WdfRegistryWdmGetHandle(_In_ WDFKEY Key);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfRegistryQueryValue(_In_ WDFKEY Key, _In_ PCUNICODE_STRING ValueName,
                                      _In_ ULONG ValueLength,
                                      _Out_writes_bytes_opt_(ValueLength) PVOID Value,
                                      _Out_opt_ PULONG ValueLengthQueried,
                                      _Out_opt_ PULONG ValueType);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfRegistryQueryULong(_In_ WDFKEY Key, _In_ PCUNICODE_STRING ValueName,
                                      _Out_ PULONG Value);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfRegistryAssignULong(_In_ WDFKEY Key, _In_ PCUNICODE_STRING ValueName,
                                       _In_ ULONG Value);

/* ---- The rest of the KMDF 1.15 surface of wdfregistry.h. */
#define WDF_REGKEY_DEVICE_SUBKEY 0

#define WDF_REGKEY_DRIVER_SUBKEY 0

WDFAPI NTSTATUS WdfRegistryOpenKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
WDFAPI NTSTATUS WdfRegistryCreateKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess, ULONG CreateOptions, PULONG CreateDisposition, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
WDFAPI NTSTATUS WdfRegistryRemoveKey(WDFKEY Key);
WDFAPI NTSTATUS WdfRegistryRemoveValue(WDFKEY Key, PCUNICODE_STRING ValueName);
WDFAPI NTSTATUS WdfRegistryQueryMemory(WDFKEY Key, PCUNICODE_STRING ValueName, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes, WDFMEMORY* Memory, PULONG ValueType);
WDFAPI NTSTATUS WdfRegistryQueryMultiString(WDFKEY Key, PCUNICODE_STRING ValueName, PWDF_OBJECT_ATTRIBUTES StringsAttributes, WDFCOLLECTION Collection);
WDFAPI NTSTATUS WdfRegistryQueryUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName, PUSHORT ValueByteLength, PUNICODE_STRING Value);
WDFAPI NTSTATUS WdfRegistryQueryString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String);
WDFAPI NTSTATUS WdfRegistryAssignValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType, ULONG ValueLength, PVOID Value);
WDFAPI NTSTATUS WdfRegistryAssignMemory(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType, WDFMEMORY Memory, PWDFMEMORY_OFFSET MemoryOffsets);
WDFAPI NTSTATUS WdfRegistryAssignMultiString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFCOLLECTION StringsCollection);
WDFAPI NTSTATUS WdfRegistryAssignUnicodeString(WDFKEY Key, PCUNICODE_STRING ValueName, PCUNICODE_STRING Value);
WDFAPI NTSTATUS WdfRegistryAssignString(WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFREGISTRYOPENKEY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
typedef NTSTATUS (*PFN_WDFREGISTRYCREATEKEY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess, ULONG CreateOptions, PULONG CreateDisposition, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
typedef VOID (*PFN_WDFREGISTRYCLOSE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key);
typedef HANDLE (*PFN_WDFREGISTRYWDMGETHANDLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key);
typedef NTSTATUS (*PFN_WDFREGISTRYREMOVEKEY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key);
typedef NTSTATUS (*PFN_WDFREGISTRYREMOVEVALUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName);
typedef NTSTATUS (*PFN_WDFREGISTRYQUERYVALUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueLength, PVOID Value, PULONG ValueLengthQueried, PULONG ValueType);
typedef NTSTATUS (*PFN_WDFREGISTRYQUERYMEMORY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes, WDFMEMORY* Memory, PULONG ValueType);
typedef NTSTATUS (*PFN_WDFREGISTRYQUERYMULTISTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, PWDF_OBJECT_ATTRIBUTES StringsAttributes, WDFCOLLECTION Collection);
typedef NTSTATUS (*PFN_WDFREGISTRYQUERYUNICODESTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, PUSHORT ValueByteLength, PUNICODE_STRING Value);
typedef NTSTATUS (*PFN_WDFREGISTRYQUERYSTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String);
typedef NTSTATUS (*PFN_WDFREGISTRYQUERYULONG)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value);
typedef NTSTATUS (*PFN_WDFREGISTRYASSIGNVALUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType, ULONG ValueLength, PVOID Value);
typedef NTSTATUS (*PFN_WDFREGISTRYASSIGNMEMORY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType, WDFMEMORY Memory, PWDFMEMORY_OFFSET MemoryOffsets);
typedef NTSTATUS (*PFN_WDFREGISTRYASSIGNMULTISTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, WDFCOLLECTION StringsCollection);
typedef NTSTATUS (*PFN_WDFREGISTRYASSIGNUNICODESTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, PCUNICODE_STRING Value);
typedef NTSTATUS (*PFN_WDFREGISTRYASSIGNSTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, WDFSTRING String);
typedef NTSTATUS (*PFN_WDFREGISTRYASSIGNULONG)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value);

WDF_EXTERN_C_END

#endif /* _WDFREGISTRY_H_ */
