/*
 * wdfassert.h - the framework's verification macros (WDK wdfassert.h).
 *
 * WDFVERIFY(exp) checks exp when the driver runs with KMDF Verifier's WdfVerifyOn flag
 * (WdfDriverGlobals->DriverFlags), and reports a failure as an assertion does;
 * WDFCASSERT is a compile-time assertion.
 */
#ifndef _WDFASSERT_H_
#define _WDFASSERT_H_

#include <wdfglobals.h>

WDF_EXTERN_C_START

#define WDFVERIFY(exp)                                                                             \
    {                                                                                              \
        if ((WdfDriverGlobals->DriverFlags & WdfVerifyOn) && !(exp)) {                            \
            RtlAssert((PVOID) #exp, (PVOID)__FILE__, __LINE__, NULL);                              \
        }                                                                                          \
    }

#define VERIFY_IS_IRQL_PASSIVE_LEVEL() WDFVERIFY(KeGetCurrentIrql() == PASSIVE_LEVEL)
#define IS_AT_PASSIVE() WDFVERIFY(KeGetCurrentIrql() == PASSIVE_LEVEL)

#define WDFCASSERT(c) _Static_assert(c, #c)

WDF_EXTERN_C_END

#endif /* _WDFASSERT_H_ */
