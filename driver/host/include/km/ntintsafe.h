/*
 * ntintsafe.h - overflow-checked integer arithmetic and conversions (the Rtl*Add,
 * Rtl*Sub, Rtl*Mult and Rtl*To* helpers of the WDK), for the user-mode KMDF host.
 * Each returns STATUS_SUCCESS with the result, or STATUS_INTEGER_OVERFLOW with the
 * result set to the type's error value (all bits set for unsigned types, as the WDK
 * does). https://learn.microsoft.com/windows-hardware/drivers/ddi/ntintsafe/
 */
#ifndef KMDFHOST_NTINTSAFE_H
#define KMDFHOST_NTINTSAFE_H

#include <ntdef.h>
#include <ntstatus.h>

#define KH_INTSAFE_BINOP(Name, Type, Op, Error)                                                 \
    FORCEINLINE NTSTATUS Name(Type Augend, Type Addend, Type *Result)                           \
    {                                                                                           \
        if (__builtin_##Op##_overflow(Augend, Addend, Result)) {                                \
            *Result = (Type)(Error);                                                            \
            return STATUS_INTEGER_OVERFLOW;                                                     \
        }                                                                                       \
        return STATUS_SUCCESS;                                                                  \
    }

KH_INTSAFE_BINOP(RtlUShortAdd, USHORT, add, 0xffff)
KH_INTSAFE_BINOP(RtlUShortSub, USHORT, sub, 0xffff)
KH_INTSAFE_BINOP(RtlUShortMult, USHORT, mul, 0xffff)
KH_INTSAFE_BINOP(RtlULongAdd, ULONG, add, 0xffffffffU)
KH_INTSAFE_BINOP(RtlULongSub, ULONG, sub, 0xffffffffU)
KH_INTSAFE_BINOP(RtlULongMult, ULONG, mul, 0xffffffffU)
KH_INTSAFE_BINOP(RtlUIntAdd, UINT, add, 0xffffffffU)
KH_INTSAFE_BINOP(RtlUIntSub, UINT, sub, 0xffffffffU)
KH_INTSAFE_BINOP(RtlUIntMult, UINT, mul, 0xffffffffU)
KH_INTSAFE_BINOP(RtlULongLongAdd, ULONGLONG, add, ~0ULL)
KH_INTSAFE_BINOP(RtlULongLongSub, ULONGLONG, sub, ~0ULL)
KH_INTSAFE_BINOP(RtlULongLongMult, ULONGLONG, mul, ~0ULL)
KH_INTSAFE_BINOP(RtlSizeTAdd, SIZE_T, add, ~(SIZE_T)0)
KH_INTSAFE_BINOP(RtlSizeTSub, SIZE_T, sub, ~(SIZE_T)0)
KH_INTSAFE_BINOP(RtlSizeTMult, SIZE_T, mul, ~(SIZE_T)0)
KH_INTSAFE_BINOP(RtlULongPtrAdd, ULONG_PTR, add, ~(ULONG_PTR)0)
KH_INTSAFE_BINOP(RtlULongPtrSub, ULONG_PTR, sub, ~(ULONG_PTR)0)
KH_INTSAFE_BINOP(RtlULongPtrMult, ULONG_PTR, mul, ~(ULONG_PTR)0)
KH_INTSAFE_BINOP(RtlLongAdd, LONG, add, 0)
KH_INTSAFE_BINOP(RtlLongSub, LONG, sub, 0)
KH_INTSAFE_BINOP(RtlLongMult, LONG, mul, 0)
KH_INTSAFE_BINOP(RtlLongLongAdd, LONGLONG, add, 0)
KH_INTSAFE_BINOP(RtlLongLongSub, LONGLONG, sub, 0)
KH_INTSAFE_BINOP(RtlLongLongMult, LONGLONG, mul, 0)
#define RtlDWordAdd RtlULongAdd
#define RtlDWordSub RtlULongSub
#define RtlDWordMult RtlULongMult
#define RtlDWordPtrAdd RtlULongPtrAdd
#define RtlSIZETAdd RtlSizeTAdd
#define RtlSIZETMult RtlSizeTMult
#define RtlSIZETSub RtlSizeTSub

#define KH_INTSAFE_CONVERT(Name, From, To, Error)                                               \
    FORCEINLINE NTSTATUS Name(From Operand, To *Result)                                         \
    {                                                                                           \
        To value = (To)Operand;                                                                 \
        if ((From)value != Operand || ((value < 0) != (Operand < 0))) {                         \
            *Result = (To)(Error);                                                              \
            return STATUS_INTEGER_OVERFLOW;                                                     \
        }                                                                                       \
        *Result = value;                                                                        \
        return STATUS_SUCCESS;                                                                  \
    }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtype-limits"
#pragma GCC diagnostic ignored "-Wsign-compare"
KH_INTSAFE_CONVERT(RtlULongLongToULong, ULONGLONG, ULONG, 0xffffffffU)
KH_INTSAFE_CONVERT(RtlULongLongToUShort, ULONGLONG, USHORT, 0xffff)
KH_INTSAFE_CONVERT(RtlULongLongToLong, ULONGLONG, LONG, 0)
KH_INTSAFE_CONVERT(RtlSizeTToULong, SIZE_T, ULONG, 0xffffffffU)
KH_INTSAFE_CONVERT(RtlSizeTToUShort, SIZE_T, USHORT, 0xffff)
KH_INTSAFE_CONVERT(RtlSizeTToLong, SIZE_T, LONG, 0)
KH_INTSAFE_CONVERT(RtlULongToUShort, ULONG, USHORT, 0xffff)
KH_INTSAFE_CONVERT(RtlULongToUChar, ULONG, UCHAR, 0xff)
KH_INTSAFE_CONVERT(RtlULongToLong, ULONG, LONG, 0)
KH_INTSAFE_CONVERT(RtlLongToULong, LONG, ULONG, 0xffffffffU)
KH_INTSAFE_CONVERT(RtlLongToUShort, LONG, USHORT, 0xffff)
KH_INTSAFE_CONVERT(RtlLongToSizeT, LONG, SIZE_T, ~(SIZE_T)0)
KH_INTSAFE_CONVERT(RtlLongLongToULong, LONGLONG, ULONG, 0xffffffffU)
KH_INTSAFE_CONVERT(RtlLongLongToLong, LONGLONG, LONG, 0)
KH_INTSAFE_CONVERT(RtlULongPtrToULong, ULONG_PTR, ULONG, 0xffffffffU)
#pragma GCC diagnostic pop
#define RtlSIZETToULong RtlSizeTToULong
#define RtlULongLongToSizeT(a, b) ((*(b) = (SIZE_T)(a)), STATUS_SUCCESS)

#endif /* KMDFHOST_NTINTSAFE_H */
