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

WDF_EXTERN_C_END

#endif /* _WDFREGISTRY_H_ */
