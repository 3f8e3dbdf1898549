/*
 * wdftypes.h - basic types of the Kernel-Mode Driver Framework: handle types, the
 * common enumerations, the WDFAPI export marker, time-out conversions and the
 * framework's own NTSTATUS values (wdfstatus.h in the WDK).
 *
 * Names and values follow the WDK headers so that KMDF driver sources compile
 * unchanged. In the WDK the WdfXxx functions are inline wrappers that call through the
 * WdfFunctions table of Wdf01000.sys; in the host they are ordinary functions exported
 * by libkmdfhost.so, with the same names and signatures.
 */
#ifndef _WDFTYPES_H_
#define _WDFTYPES_H_

#include <ntddk.h>
#include <stddef.h>

#ifdef __cplusplus
#define WDF_EXTERN_C extern "C"
#define WDF_EXTERN_C_START extern "C" {
#define WDF_EXTERN_C_END }
#else
#define WDF_EXTERN_C
#define WDF_EXTERN_C_START
#define WDF_EXTERN_C_END
#endif

WDF_EXTERN_C_START

/* The framework version the driver is built against (WDK: set by the project). */
#ifndef KMDF_VERSION_MAJOR
#define KMDF_VERSION_MAJOR 1
#endif
#ifndef KMDF_VERSION_MINOR
#define KMDF_VERSION_MINOR 15
#endif

/* Functions exported by the framework library. */
#if defined(__GNUC__)
#define WDFAPI __attribute__((visibility("default")))
#else
#define WDFAPI
#endif

/* SAL annotations that the framework headers use, for a base header that lacks some. */
#ifndef _Function_class_
#define _Function_class_(x)
#endif
#ifndef _IRQL_requires_same_
#define _IRQL_requires_same_
#endif
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(x)
#endif
#ifndef _IRQL_requires_
#define _IRQL_requires_(x)
#endif
#ifndef _Must_inspect_result_
#define _Must_inspect_result_
#endif
#ifndef _When_
#define _When_(c, a)
#endif
#ifndef _Post_satisfies_
#define _Post_satisfies_(x)
#endif
#ifndef _Out_writes_bytes_
#define _Out_writes_bytes_(x)
#endif
#ifndef _In_reads_bytes_
#define _In_reads_bytes_(x)
#endif
#ifndef _Out_writes_bytes_opt_
#define _Out_writes_bytes_opt_(x)
#endif
#ifndef _Outptr_
#define _Outptr_
#endif
#ifndef _Outptr_opt_result_bytebuffer_
#define _Outptr_opt_result_bytebuffer_(x)
#endif
#ifndef _Outptr_result_bytebuffer_
#define _Outptr_result_bytebuffer_(x)
#endif
#ifndef _Strict_type_match_
#define _Strict_type_match_
#endif
#ifndef _Drivertype_
#define _Drivertype_(x)
#endif
#ifndef _Acquires_lock_
#define _Acquires_lock_(x)
#endif
#ifndef _Releases_lock_
#define _Releases_lock_(x)
#endif
#ifndef _IRQL_raises_
#define _IRQL_raises_(x)
#endif
#ifndef _IRQL_saves_
#define _IRQL_saves_
#endif
#ifndef _IRQL_restores_
#define _IRQL_restores_
#endif
#ifndef _Kernel_float_used_
#define _Kernel_float_used_
#endif
#ifndef FORCEINLINE
#define FORCEINLINE static inline __attribute__((always_inline))
#endif
#ifndef FASTCALL
#define FASTCALL
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef _In_z_
#define _In_z_
#endif
#ifndef POINTER_ALIGNMENT
#define POINTER_ALIGNMENT
#endif
#ifndef DECLARE_HANDLE
/* As ntdef.h declares handles: distinct pointer types only with STRICT, which kernel-mode
   builds do not define (the WDK's kernel headers leave it to the driver); without it every
   handle is a HANDLE, and a WDFDEVICE converts to and from PVOID as drivers rely on (the
   toaster bus declares a routine with PVOID and defines it with WDFDEVICE). */
#ifdef STRICT
#define DECLARE_HANDLE(name)                                                                       \
    struct name##__ {                                                                              \
        int unused;                                                                                \
    };                                                                                             \
    typedef struct name##__ *name
#else
#define DECLARE_HANDLE(name) typedef HANDLE name
#endif
#endif

/* ------------------------------------------------------------------------- handles */

/* The general handle is typeless (as in the WDK), so that every typed handle converts to it. */
typedef HANDLE WDFOBJECT, *PWDFOBJECT;
DECLARE_HANDLE(WDFDRIVER);
DECLARE_HANDLE(WDFDEVICE);
DECLARE_HANDLE(WDFQUEUE);
DECLARE_HANDLE(WDFREQUEST);
DECLARE_HANDLE(WDFMEMORY);
DECLARE_HANDLE(WDFTIMER);
DECLARE_HANDLE(WDFSPINLOCK);
DECLARE_HANDLE(WDFWAITLOCK);
DECLARE_HANDLE(WDFKEY);
DECLARE_HANDLE(WDFSTRING);
DECLARE_HANDLE(WDFFILEOBJECT);
DECLARE_HANDLE(WDFCMRESLIST);
DECLARE_HANDLE(WDFCOLLECTION);
DECLARE_HANDLE(WDFDPC);
DECLARE_HANDLE(WDFWORKITEM);
DECLARE_HANDLE(WDFINTERRUPT);
DECLARE_HANDLE(WDFIOTARGET);
DECLARE_HANDLE(WDFLOOKASIDE);
DECLARE_HANDLE(WDFWMIPROVIDER);
DECLARE_HANDLE(WDFWMIINSTANCE);
DECLARE_HANDLE(WDFUSBDEVICE);
DECLARE_HANDLE(WDFUSBINTERFACE);
DECLARE_HANDLE(WDFUSBPIPE);
DECLARE_HANDLE(WDFDMAENABLER);
DECLARE_HANDLE(WDFDMATRANSACTION);
DECLARE_HANDLE(WDFCOMMONBUFFER);
DECLARE_HANDLE(WDFCHILDLIST);
DECLARE_HANDLE(WDFIORESREQLIST);
DECLARE_HANDLE(WDFIORESLIST);

/* An untyped pointer that the driver passes through the framework. */
typedef PVOID WDFCONTEXT;

/* The opaque structure that EvtDriverDeviceAdd receives and fills. */
typedef struct WDFDEVICE_INIT WDFDEVICE_INIT, *PWDFDEVICE_INIT;

#define WDF_NO_HANDLE NULL
#define WDF_NO_CONTEXT NULL
#define WDF_NO_EVENT_CALLBACK NULL
#define WDF_NO_OBJECT_ATTRIBUTES NULL
#define WDF_NO_SEND_OPTIONS NULL

/* ----------------------------------------------------------------- enumerations */

typedef enum _WDF_TRI_STATE {
    WdfFalse = FALSE,
    WdfTrue = TRUE,
    WdfUseDefault = 2,
} WDF_TRI_STATE,
    *PWDF_TRI_STATE;

typedef enum _WDF_EXECUTION_LEVEL {
    WdfExecutionLevelInvalid = 0x00,
    WdfExecutionLevelInheritFromParent,
    WdfExecutionLevelPassive,
    WdfExecutionLevelDispatch,
} WDF_EXECUTION_LEVEL;

typedef enum _WDF_SYNCHRONIZATION_SCOPE {
    WdfSynchronizationScopeInvalid = 0x00,
    WdfSynchronizationScopeInheritFromParent,
    WdfSynchronizationScopeDevice,
    WdfSynchronizationScopeQueue,
    WdfSynchronizationScopeNone,
} WDF_SYNCHRONIZATION_SCOPE;

/* ------------------------------------------------------------------- time-outs */

/* Time-outs are in 100-nanosecond units: negative relative, positive absolute. */
#define WDF_TIMEOUT_TO_SEC ((LONGLONG)1 * 10 * 1000 * 1000)
#define WDF_TIMEOUT_TO_MS ((LONGLONG)1 * 10 * 1000)
#define WDF_TIMEOUT_TO_US ((LONGLONG)1 * 10)

FORCEINLINE LONGLONG WDF_REL_TIMEOUT_IN_SEC(_In_ ULONGLONG Time)
{
    return (LONGLONG)Time * -1 * WDF_TIMEOUT_TO_SEC;
}

FORCEINLINE LONGLONG WDF_ABS_TIMEOUT_IN_SEC(_In_ ULONGLONG Time)
{
    return (LONGLONG)Time * WDF_TIMEOUT_TO_SEC;
}

FORCEINLINE LONGLONG WDF_REL_TIMEOUT_IN_MS(_In_ ULONGLONG Time)
{
    return (LONGLONG)Time * -1 * WDF_TIMEOUT_TO_MS;
}

FORCEINLINE LONGLONG WDF_ABS_TIMEOUT_IN_MS(_In_ ULONGLONG Time)
{
    return (LONGLONG)Time * WDF_TIMEOUT_TO_MS;
}

FORCEINLINE LONGLONG WDF_REL_TIMEOUT_IN_US(_In_ ULONGLONG Time)
{
    return (LONGLONG)Time * -1 * WDF_TIMEOUT_TO_US;
}

FORCEINLINE LONGLONG WDF_ABS_TIMEOUT_IN_US(_In_ ULONGLONG Time)
{
    return (LONGLONG)Time * WDF_TIMEOUT_TO_US;
}

/* ------------------------------------------------------------------ alignment */

FORCEINLINE size_t WDF_ALIGN_SIZE_DOWN(_In_ size_t Length, _In_ size_t AlignTo)
{
    return Length & ~(AlignTo - 1);
}

FORCEINLINE size_t WDF_ALIGN_SIZE_UP(_In_ size_t Length, _In_ size_t AlignTo)
{
    return WDF_ALIGN_SIZE_DOWN(Length + AlignTo - 1, AlignTo);
}

#define WDF_PTR_ADD_OFFSET_TYPE(_ptr, _offset, _type) ((_type)(((PUCHAR)(_ptr)) + (_offset)))
#define WDF_PTR_ADD_OFFSET(_ptr, _offset) WDF_PTR_ADD_OFFSET_TYPE(_ptr, _offset, PVOID)

/* ------------------------------------------------- framework status values */

#ifndef FACILITY_DRIVER_FRAMEWORK
#define FACILITY_DRIVER_FRAMEWORK 0x20
#endif
#define STATUS_WDF_QUEUED ((NTSTATUS)0x40200000L)
#define STATUS_WDF_POSTED ((NTSTATUS)0x40200002L)
#define STATUS_WDF_NO_PACKAGE ((NTSTATUS)0xC0200200L)
#define STATUS_WDF_INTERNAL_ERROR ((NTSTATUS)0xC0200201L)
#define STATUS_WDF_PAUSED ((NTSTATUS)0xC0200203L)
#define STATUS_WDF_BUSY ((NTSTATUS)0xC0200204L)
#define STATUS_WDF_IO_TIMEOUT_NOT_SENT ((NTSTATUS)0xC0200205L)
#define STATUS_WDF_REQUEST_ALREADY_PENDING ((NTSTATUS)0xC0200207L)
#define STATUS_WDF_REQUEST_INVALID_STATE ((NTSTATUS)0xC0200208L)
#define STATUS_WDF_OBJECT_ATTRIBUTES_INVALID ((NTSTATUS)0xC0200209L)
#define STATUS_WDF_TOO_FRAGMENTED ((NTSTATUS)0xC020020AL)
#define STATUS_WDF_NO_CALLBACK ((NTSTATUS)0xC020020BL)
#define STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL ((NTSTATUS)0xC020020CL)
#define STATUS_WDF_PARENT_ALREADY_ASSIGNED ((NTSTATUS)0xC020020DL)
#define STATUS_WDF_PARENT_IS_SELF ((NTSTATUS)0xC020020EL)
#define STATUS_WDF_PARENT_ASSIGNMENT_NOT_ALLOWED ((NTSTATUS)0xC020020FL)
#define STATUS_WDF_SYNCHRONIZATION_SCOPE_INVALID ((NTSTATUS)0xC0200210L)
#define STATUS_WDF_EXECUTION_LEVEL_INVALID ((NTSTATUS)0xC0200211L)
#define STATUS_WDF_PARENT_NOT_SPECIFIED ((NTSTATUS)0xC0200212L)

/* ---- The rest of the KMDF 1.15 surface of wdftypes.h. */

/* The distance in bytes from _base to _addr. */
#define WDF_PTR_GET_OFFSET(_base, _addr) ((size_t)(((PUCHAR)(_addr)) - ((PUCHAR)(_base))))
typedef UCHAR BYTE;

typedef struct WDFCXDEVICE_INIT *PWDFCXDEVICE_INIT;

WDF_EXTERN_C_END

#endif /* _WDFTYPES_H_ */
