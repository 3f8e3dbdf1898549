/*
 * wdfstring.h - framework string objects (WDK wdfstring.h).
 */
#ifndef _WDFSTRING_H_
#define _WDFSTRING_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfStringCreate(_In_opt_ PCUNICODE_STRING UnicodeString,
                                _In_opt_ PWDF_OBJECT_ATTRIBUTES StringAttributes,
                                _Out_ WDFSTRING *String);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID
    WdfStringGetUnicodeString(_In_ WDFSTRING String, _Out_ PUNICODE_STRING UnicodeString);

/* ---- The rest of the KMDF 1.15 surface of wdfstring.h. */
/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFSTRINGCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PCUNICODE_STRING UnicodeString, PWDF_OBJECT_ATTRIBUTES StringAttributes, WDFSTRING* String);
typedef VOID (*PFN_WDFSTRINGGETUNICODESTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFSTRING String, PUNICODE_STRING UnicodeString);

WDF_EXTERN_C_END

#endif /* _WDFSTRING_H_ */
