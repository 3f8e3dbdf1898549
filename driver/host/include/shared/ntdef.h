/*
 * ntdef.h - the basic types and macros of the Windows kernel (LLP64), for the user-mode
 * KMDF host.
 *
 * Windows is LLP64: LONG and ULONG are 32 bits on every architecture, pointers and the
 * _PTR types are 64 bits on 64-bit Windows. Linux is LP64 (long is 64 bits), so the
 * types are defined from <stdint.h>, never from long. WCHAR is wchar_t, which must be
 * 16 bits as on Windows: kernel-side code builds with -fshort-wchar, which also makes
 * L"..." literals UTF-16. See
 * https://learn.microsoft.com/windows/win32/winprog/windows-data-types.
 */
#ifndef KMDFHOST_NTDEF_H
#define KMDFHOST_NTDEF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include <sdkddkver.h>
#include <sal.h>
#include <guiddef.h>

_Static_assert(sizeof(wchar_t) == 2,
               "WCHAR must be 16 bits as on Windows: build kernel-side code with -fshort-wchar");
_Static_assert(sizeof(void *) == 8, "the host implements 64-bit Windows");

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ compiler shims */

#ifndef _WIN64
#define _WIN64 1
#endif

#define NTAPI
#define NTAPI_INLINE
#define WINAPI
#define CALLBACK
#define __stdcall
#define __cdecl
#define __fastcall
#define _cdecl
#define FASTCALL
#define __ptr64
#define __ptr32
#define __unaligned
#define UNALIGNED
#define UNALIGNED64
#define RESTRICTED_POINTER
/* 64-bit Windows aligns the members so marked to a pointer's size (DECLSPEC_ALIGN(8)):
   the I/O stack location's DeviceIoControl lengths and code, the power parameters, and
   WDF_REQUEST_PARAMETERS sit where a driver's Parameters.Others.ArgumentN overlays them. */
#define POINTER_ALIGNMENT __attribute__((aligned(8)))
#define POINTER_64
#define POINTER_32
#define CONST const
#define VOID void
#define __int64 long long
#define __int32 int
#define __int16 short
#define __int8 char

/* MSVC's __pragma(...) carries #pragma warning and friends: meaningless to gcc. */
#define __pragma(x)
#define __noop(...) ((void)0)
#define __analysis_assume(e) ((void)0)
#define __assume(e) ((void)0)
#define __debugbreak() __builtin_trap()
#define __fastfail(code) __builtin_trap()

/* __declspec(x) maps each known specifier to its gcc spelling. */
#define __declspec(x) __KH_DECLSPEC_##x
#define __KH_DECLSPEC_selectany __attribute__((weak))
#define __KH_DECLSPEC_noinline __attribute__((noinline))
#define __KH_DECLSPEC_noreturn __attribute__((noreturn))
#define __KH_DECLSPEC_align(n) __attribute__((aligned(n)))
#define __KH_DECLSPEC_dllimport
#define __KH_DECLSPEC_dllexport __attribute__((visibility("default")))
#define __KH_DECLSPEC_deprecated __attribute__((deprecated))
#define __KH_DECLSPEC_nothrow
#define __KH_DECLSPEC_novtable
#define __KH_DECLSPEC_restrict
#define __KH_DECLSPEC_noalias
#define __KH_DECLSPEC_safebuffers
#define __KH_DECLSPEC_naked
#define __KH_DECLSPEC_thread __thread
#define __KH_DECLSPEC_code_seg(...)
#define __KH_DECLSPEC_allocate(...)
#define __KH_DECLSPEC_uuid(...)
#define __KH_DECLSPEC_guard(...)

#ifdef __cplusplus
#define EXTERN_C extern "C"
#define EXTERN_C_START extern "C" {
#define EXTERN_C_END }
#else
#ifndef EXTERN_C
#define EXTERN_C extern
#endif
#define EXTERN_C_START
#define EXTERN_C_END
#endif

#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT __attribute__((visibility("default")))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(64)

/* Names of anonymous members (the SDK names them only under NONAMELESSUNION). */
#ifndef DUMMYSTRUCTNAME
#define DUMMYSTRUCTNAME
#define DUMMYSTRUCTNAME2
#define DUMMYUNIONNAME
#define DUMMYUNIONNAME2
#endif
#define DECLSPEC_SELECTANY __attribute__((weak))
#define DECLSPEC_NOTHROW
#define DECLSPEC_NOVTABLE
#define DECLSPEC_UUID(x)
#define DECLSPEC_RESTRICT
#define DECLSPEC_NOALIAS
#define DECLSPEC_GUARDNOCF
#define DECLSPEC_GUARD_SUPPRESS
#define DECLSPEC_SAFEBUFFERS
#define DECLSPEC_DEPRECATED __attribute__((deprecated))
#define DECLSPEC_DEPRECATED_DDK
#define DECLSPEC_DEPRECATED_DDK_WIN10
#define DECLSPEC_DEPRECATED_DDK_WINXP
#define DEPRECATE_DDK_FUNCTIONS 0
#define DECLSPEC_CHPE_GUEST
#define DECLSPEC_CHPE_PATCHABLE
/* An inline function of a header: one static copy per file, as __forceinline behaves. */
#define FORCEINLINE static __inline__
#define NOINLINE __attribute__((noinline))

/*
 * What the kernel exports. Inside the host library (built with -fvisibility=hidden)
 * these declarations give the definitions default visibility; nothing else is
 * exported from it.
 */
#define NTSYSAPI EXTERN_C __attribute__((visibility("default")))
#define NTSYSCALLAPI EXTERN_C __attribute__((visibility("default")))
#define NTKERNELAPI EXTERN_C __attribute__((visibility("default")))
#define NTHALAPI EXTERN_C __attribute__((visibility("default")))
#define NTSTRSAFEDDI static __inline__ NTSTATUS
#define NTSTRSAFEWORKERDDI static __inline__ NTSTATUS

/* -------------------------------------------------------------------------- types */

typedef char CHAR, CCHAR, *PCHAR, *PCH, *LPCH, *PSZ, *PSTR, *LPSTR, *NPSTR;
typedef const char *PCCH, *LPCCH, *PCSTR, *LPCSTR, *PCSZ;
typedef signed char SCHAR, *PSCHAR;
typedef uint8_t UCHAR, *PUCHAR, BYTE, *PBYTE, *LPBYTE, BOOLEAN, *PBOOLEAN;
typedef const UCHAR *PCUCHAR;
typedef int16_t SHORT, *PSHORT, CSHORT;
typedef uint16_t USHORT, *PUSHORT, WORD, *PWORD;
typedef const USHORT *PCUSHORT;
typedef int32_t LONG, *PLONG, LONG32, *PLONG32, INT32, *PINT32;
typedef uint32_t ULONG, *PULONG, DWORD, *PDWORD, *LPDWORD, ULONG32, *PULONG32, UINT32, *PUINT32,
    DWORD32, *PDWORD32, CLONG, *PCLONG, LOGICAL, *PLOGICAL;
typedef int INT, *PINT, BOOL, *PBOOL;
typedef unsigned int UINT, *PUINT;
typedef int8_t INT8, *PINT8;
typedef uint8_t UINT8, *PUINT8;
typedef int16_t INT16, *PINT16;
typedef uint16_t UINT16, *PUINT16;
typedef int64_t LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64, *PINT64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64, *PDWORD64, UINT64, *PUINT64,
    DWORDLONG, *PDWORDLONG, USN;
typedef intptr_t LONG_PTR, *PLONG_PTR, INT_PTR, *PINT_PTR, SSIZE_T, *PSSIZE_T;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, UINT_PTR, *PUINT_PTR, DWORD_PTR, *PDWORD_PTR, SIZE_T,
    *PSIZE_T, KAFFINITY, *PKAFFINITY;
typedef ULONG_PTR HANDLE_PTR;
typedef float FLOAT, *PFLOAT;
typedef double DOUBLE;
typedef wchar_t WCHAR, *PWCHAR, *PWCH, *LPWCH, *PWSTR, *LPWSTR, *NWPSTR;
typedef const wchar_t *PCWCH, *LPCWCH, *PCWSTR, *LPCWSTR;
typedef PWSTR *PZPWSTR;
typedef void *PVOID, *LPVOID, *PVOID64;
typedef const void *PCVOID, *LPCVOID;
typedef void *HANDLE, **PHANDLE;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef LONG KPRIORITY;
typedef ULONG ACCESS_MASK, *PACCESS_MASK;
typedef ULONG LCID;
typedef USHORT LANGID;
typedef UCHAR KIRQL, *PKIRQL;
typedef CCHAR KPROCESSOR_MODE;

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    };
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef struct _LUID {
    ULONG LowPart;
    LONG HighPart;
} LUID, *PLUID;

/* A counted UTF-16 string: Length and MaximumLength are in bytes, no NUL required. */
typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* A counted 8-bit string. */
typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING, *PCOEM_STRING;

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct _LIST_ENTRY32 {
    ULONG Flink;
    ULONG Blink;
} LIST_ENTRY32, *PLIST_ENTRY32;

/* ------------------------------------------------------------- object attributes */

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    PUNICODE_STRING ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
typedef const OBJECT_ATTRIBUTES *PCOBJECT_ATTRIBUTES;

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L
#define OBJ_IGNORE_IMPERSONATED_DEVICEMAP 0x00000800L
#define OBJ_DONT_REPARSE 0x00001000L
#define OBJ_VALID_ATTRIBUTES 0x00001FF2L

#define InitializeObjectAttributes(p, n, a, r, s)                                               \
    do {                                                                                        \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);                                                \
        (p)->RootDirectory = (r);                                                               \
        (p)->Attributes = (a);                                                                  \
        (p)->ObjectName = (n);                                                                  \
        (p)->SecurityDescriptor = (s);                                                          \
        (p)->SecurityQualityOfService = NULL;                                                   \
    } while (0)

#define RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a) {sizeof(OBJECT_ATTRIBUTES), NULL, (PUNICODE_STRING)(n), (a), NULL, NULL}
#define RTL_INIT_OBJECT_ATTRIBUTES(n, a) RTL_CONSTANT_OBJECT_ATTRIBUTES(n, a)

/* ------------------------------------------------------------------- constants */

#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif
#define IN
#define OUT
#define OPTIONAL
#define NOTHING
#define ANYSIZE_ARRAY 1

#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG ((LONG)0x80000000)
#define MAXLONG 0x7fffffff
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffffU
#define MAXLONGLONG ((LONGLONG)0x7fffffffffffffffLL)
#define MINLONGLONG ((LONGLONG)0x8000000000000000ULL)
#define MAXULONGLONG ((ULONGLONG)~((ULONGLONG)0))
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONG_PTR ((LONG_PTR)(MAXULONG_PTR >> 1))
#define MAXSIZE_T ((SIZE_T)~((SIZE_T)0))
#define MAXSSIZE_T ((SSIZE_T)(MAXSIZE_T >> 1))
#define MAXUINT ((UINT)~((UINT)0))
#define MAXINT ((INT)(MAXUINT >> 1))
#define MAXDWORD 0xffffffffU
#define MAX_NATURAL_ALIGNMENT sizeof(ULONGLONG)
#define MEMORY_ALLOCATION_ALIGNMENT 16

/* ---------------------------------------------------------------- status macros */

#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status) ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status) ((((ULONG)(Status)) >> 30) == 3)
#define NT_FACILITY(Status) ((((ULONG)(Status)) >> 16) & 0xfff)
#define NT_CUSTOMER(Status) ((((ULONG)(Status)) >> 29) & 1)

/* --------------------------------------------------------------- helper macros */

#define C_ASSERT(e) _Static_assert(e, #e)
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define UFIELD_OFFSET(type, field) ((ULONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field)                                                 \
    ((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <= (((PCHAR)(Struct)) + (Size)))
#define RTL_NUMBER_OF_V1(A) (sizeof(A) / sizeof((A)[0]))
#define RTL_NUMBER_OF_V2(A) RTL_NUMBER_OF_V1(A)
#define RTL_NUMBER_OF(A) RTL_NUMBER_OF_V1(A)
#define ARRAYSIZE(A) RTL_NUMBER_OF_V2(A)
#define _ARRAYSIZE(A) RTL_NUMBER_OF_V1(A)
#define RTL_NUMBER_OF_FIELD(type, field) (RTL_NUMBER_OF(RTL_FIELD_TYPE(type, field)))
#define RTL_FIELD_TYPE(type, field) (((type *)0)->field)
#define RTL_PADDING_BETWEEN_FIELDS(T, F1, F2)                                                   \
    ((FIELD_OFFSET(T, F2) > FIELD_OFFSET(T, F1))                                                \
         ? (FIELD_OFFSET(T, F2) - FIELD_OFFSET(T, F1) - RTL_FIELD_SIZE(T, F1))                  \
         : (FIELD_OFFSET(T, F1) - FIELD_OFFSET(T, F2) - RTL_FIELD_SIZE(T, F2)))
#define CONTAINING_RECORD(address, type, field)                                                 \
    ((type *)((PCHAR)(address) - (ULONG_PTR)(&((type *)0)->field)))
#define TYPE_ALIGNMENT(t) _Alignof(t)
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) (ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), alignment))
#define ALIGN_DOWN_POINTER_BY(address, alignment) ((PVOID)ALIGN_DOWN_BY(address, alignment))
#define ALIGN_UP_POINTER_BY(address, alignment) ((PVOID)ALIGN_UP_BY(address, alignment))
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))
#define ALIGN_DOWN_POINTER(address, type) ALIGN_DOWN_POINTER_BY(address, sizeof(type))
#define ALIGN_UP_POINTER(address, type) ALIGN_UP_POINTER_BY(address, sizeof(type))

#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))

#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

#define Int32x32To64(a, b) (((LONGLONG)((LONG)(a))) * ((LONGLONG)((LONG)(b))))
#define UInt32x32To64(a, b) (((ULONGLONG)((ULONG)(a))) * ((ULONGLONG)((ULONG)(b))))
#define LOWORD(l) ((USHORT)(((ULONG_PTR)(l)) & 0xffff))
#define HIWORD(l) ((USHORT)((((ULONG_PTR)(l)) >> 16) & 0xffff))
#define LOBYTE(w) ((UCHAR)(((ULONG_PTR)(w)) & 0xff))
#define HIBYTE(w) ((UCHAR)((((ULONG_PTR)(w)) >> 8) & 0xff))
#define MAKELONG(a, b) ((LONG)(((USHORT)(((ULONG_PTR)(a)) & 0xffff)) | ((ULONG)((USHORT)(((ULONG_PTR)(b)) & 0xffff))) << 16))

#define BooleanFlagOn(F, SF) ((BOOLEAN)(((F) & (SF)) != 0))
#define FlagOn(_F, _SF) ((_F) & (_SF))
#define SetFlag(_F, _SF) ((_F) |= (_SF))
#define ClearFlag(_F, _SF) ((_F) &= ~(_SF))

/* Handles and pointers as 32-bit values, for 32-bit compatible structures. */
#define HandleToULong(h) ((ULONG)(ULONG_PTR)(h))
#define HandleToLong(h) ((LONG)(LONG_PTR)(h))
#define ULongToHandle(ul) ((HANDLE)(ULONG_PTR)(ul))
#define LongToHandle(h) ((HANDLE)(LONG_PTR)(h))
#define PtrToUlong(p) ((ULONG)(ULONG_PTR)(p))
#define PtrToLong(p) ((LONG)(LONG_PTR)(p))
#define PtrToUint(p) ((UINT)(UINT_PTR)(p))
#define PtrToInt(p) ((INT)(INT_PTR)(p))
#define PtrToUshort(p) ((USHORT)(ULONG_PTR)(p))
#define UlongToPtr(ul) ((PVOID)(ULONG_PTR)(ul))
#define LongToPtr(l) ((PVOID)(LONG_PTR)(l))
#define UintToPtr(ui) ((PVOID)(UINT_PTR)(ui))
#define IntToPtr(i) ((PVOID)(INT_PTR)(i))
#define PtrToPtr64(p) ((void *)(p))
#define Ptr64ToPtr(p) ((void *)(p))

/* Processor modes. */
typedef enum _MODE { KernelMode, UserMode, MaximumMode } MODE;

typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef enum _TIMER_TYPE { NotificationTimer, SynchronizationTimer } TIMER_TYPE;
typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue, WaitDpc } WAIT_TYPE;

typedef enum _NT_PRODUCT_TYPE { NtProductWinNt = 1, NtProductLanManNt, NtProductServer } NT_PRODUCT_TYPE;

/* Read-only and kernel-mode strings are the same in this host. */
#define RTL_CONST_CAST(type) (type)

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_NTDEF_H */
