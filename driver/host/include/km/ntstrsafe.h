/*
 * ntstrsafe.h - bounded string functions for kernel code (the WDK's RtlString* and
 * RtlUnicodeString* helpers), for the user-mode KMDF host.
 *
 * As in the WDK these are inline functions; the printf family formats with the
 * kernel's _vsnprintf/_vsnwprintf (the Microsoft C runtime's format language, wide
 * forms with %s meaning a wide string). Results are always NUL-terminated (except the
 * counted UNICODE_STRING forms); truncation returns STATUS_BUFFER_OVERFLOW with the
 * truncated result, a zero or oversized destination STATUS_INVALID_PARAMETER.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntstrsafe/
 */
#ifndef KMDFHOST_NTSTRSAFE_H
#define KMDFHOST_NTSTRSAFE_H

#include <ntdef.h>
#include <ntstatus.h>

#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH (0xffff / sizeof(wchar_t))
#define NTSTRSAFE_MAX_LENGTH (NTSTRSAFE_MAX_CCH - 1)

typedef char *NTSTRSAFE_PSTR;
typedef const char *NTSTRSAFE_PCSTR;
typedef wchar_t *NTSTRSAFE_PWSTR;
typedef const wchar_t *NTSTRSAFE_PCWSTR;

NTSYSAPI int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list Args);
NTSYSAPI int _vsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list Args);

FORCEINLINE size_t RtlpStrSafeLenW(NTSTRSAFE_PCWSTR s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != 0) {
        n++;
    }
    return n;
}

FORCEINLINE size_t RtlpStrSafeLenA(NTSTRSAFE_PCSTR s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != 0) {
        n++;
    }
    return n;
}

FORCEINLINE NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n;
    if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH) {
        if (pcchLength) *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    n = RtlpStrSafeLenW(psz, cchMax);
    if (n == cchMax) {
        if (pcchLength) *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    if (pcchLength) *pcchLength = n;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t *pcchLength)
{
    size_t n;
    if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH) {
        if (pcchLength) *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    n = RtlpStrSafeLenA(psz, cchMax);
    if (n == cchMax) {
        if (pcchLength) *pcchLength = 0;
        return STATUS_INVALID_PARAMETER;
    }
    if (pcchLength) *pcchLength = n;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    size_t cch = 0;
    NTSTATUS status = RtlStringCchLengthW(psz, cbMax / sizeof(wchar_t), &cch);
    if (pcbLength) *pcbLength = cch * sizeof(wchar_t);
    return status;
}

FORCEINLINE NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t *pcbLength)
{
    return RtlStringCchLengthA(psz, cbMax, pcbLength);
}

FORCEINLINE NTSTATUS RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
                                        size_t cchToCopy)
{
    size_t n;
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH) {
        return STATUS_INVALID_PARAMETER;
    }
    n = RtlpStrSafeLenW(pszSrc, cchToCopy);
    if (n >= cchDest) {
        memcpy(pszDest, pszSrc, (cchDest - 1) * sizeof(wchar_t));
        pszDest[cchDest - 1] = 0;
        return STATUS_BUFFER_OVERFLOW;
    }
    memcpy(pszDest, pszSrc, n * sizeof(wchar_t));
    pszDest[n] = 0;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
                                        size_t cchToCopy)
{
    size_t n;
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH) {
        return STATUS_INVALID_PARAMETER;
    }
    n = RtlpStrSafeLenA(pszSrc, cchToCopy);
    if (n >= cchDest) {
        memcpy(pszDest, pszSrc, cchDest - 1);
        pszDest[cchDest - 1] = 0;
        return STATUS_BUFFER_OVERFLOW;
    }
    memcpy(pszDest, pszSrc, n);
    pszDest[n] = 0;
    return STATUS_SUCCESS;
}

#define RtlStringCchCopyW(d, c, s) RtlStringCchCopyNW((d), (c), (s), NTSTRSAFE_MAX_CCH)
#define RtlStringCchCopyA(d, c, s) RtlStringCchCopyNA((d), (c), (s), NTSTRSAFE_MAX_CCH)
#define RtlStringCbCopyW(d, cb, s) RtlStringCchCopyNW((d), (cb) / sizeof(wchar_t), (s), NTSTRSAFE_MAX_CCH)
#define RtlStringCbCopyA(d, cb, s) RtlStringCchCopyNA((d), (cb), (s), NTSTRSAFE_MAX_CCH)
#define RtlStringCbCopyNW(d, cb, s, cbn) RtlStringCchCopyNW((d), (cb) / sizeof(wchar_t), (s), (cbn) / sizeof(wchar_t))
#define RtlStringCbCopyNA(d, cb, s, cbn) RtlStringCchCopyNA((d), (cb), (s), (cbn))

FORCEINLINE NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    size_t used;
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH) {
        return STATUS_INVALID_PARAMETER;
    }
    used = RtlpStrSafeLenW(pszDest, cchDest);
    if (used == cchDest) {
        return STATUS_INVALID_PARAMETER;
    }
    return RtlStringCchCopyNW(pszDest + used, cchDest - used, pszSrc, NTSTRSAFE_MAX_CCH);
}

FORCEINLINE NTSTATUS RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    size_t used;
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH) {
        return STATUS_INVALID_PARAMETER;
    }
    used = RtlpStrSafeLenA(pszDest, cchDest);
    if (used == cchDest) {
        return STATUS_INVALID_PARAMETER;
    }
    return RtlStringCchCopyNA(pszDest + used, cchDest - used, pszSrc, NTSTRSAFE_MAX_CCH);
}

#define RtlStringCbCatW(d, cb, s) RtlStringCchCatW((d), (cb) / sizeof(wchar_t), (s))
#define RtlStringCbCatA(d, cb, s) RtlStringCchCatA((d), (cb), (s))

FORCEINLINE NTSTATUS RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat,
                                          va_list argList)
{
    int written;
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH) {
        return STATUS_INVALID_PARAMETER;
    }
    written = _vsnprintf(pszDest, cchDest - 1, pszFormat, argList);
    pszDest[cchDest - 1] = 0;
    if (written < 0 || (size_t)written > cchDest - 1) {
        return STATUS_BUFFER_OVERFLOW;
    }
    pszDest[written] = 0;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat,
                                          va_list argList)
{
    int written;
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH) {
        return STATUS_INVALID_PARAMETER;
    }
    written = _vsnwprintf(pszDest, cchDest - 1, pszFormat, argList);
    pszDest[cchDest - 1] = 0;
    if (written < 0 || (size_t)written > cchDest - 1) {
        return STATUS_BUFFER_OVERFLOW;
    }
    pszDest[written] = 0;
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    NTSTATUS status;
    va_list args;
    va_start(args, pszFormat);
    status = RtlStringCchVPrintfA(pszDest, cchDest, pszFormat, args);
    va_end(args);
    return status;
}

FORCEINLINE NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    NTSTATUS status;
    va_list args;
    va_start(args, pszFormat);
    status = RtlStringCchVPrintfW(pszDest, cchDest, pszFormat, args);
    va_end(args);
    return status;
}

FORCEINLINE NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    NTSTATUS status;
    va_list args;
    va_start(args, pszFormat);
    status = RtlStringCchVPrintfA(pszDest, cbDest, pszFormat, args);
    va_end(args);
    return status;
}

FORCEINLINE NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    NTSTATUS status;
    va_list args;
    va_start(args, pszFormat);
    status = RtlStringCchVPrintfW(pszDest, cbDest / sizeof(wchar_t), pszFormat, args);
    va_end(args);
    return status;
}

#define RtlStringCbVPrintfA(d, cb, f, a) RtlStringCchVPrintfA((d), (cb), (f), (a))
#define RtlStringCbVPrintfW(d, cb, f, a) RtlStringCchVPrintfW((d), (cb) / sizeof(wchar_t), (f), (a))

/* Formats into the string's buffer (MaximumLength bytes) and sets Length; no NUL. */
FORCEINLINE NTSTATUS RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat,
                                             va_list argList)
{
    size_t cch;
    int written;
    if (DestinationString == NULL || (DestinationString->Buffer == NULL && DestinationString->MaximumLength != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    cch = DestinationString->MaximumLength / sizeof(wchar_t);
    written = _vsnwprintf(DestinationString->Buffer, cch, pszFormat, argList);
    if (written < 0 || (size_t)written > cch) {
        DestinationString->Length = (USHORT)(cch * sizeof(wchar_t));
        return STATUS_BUFFER_OVERFLOW;
    }
    DestinationString->Length = (USHORT)(written * sizeof(wchar_t));
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    NTSTATUS status;
    va_list args;
    va_start(args, pszFormat);
    status = RtlUnicodeStringVPrintf(DestinationString, pszFormat, args);
    va_end(args);
    return status;
}

FORCEINLINE NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    USHORT n = SourceString->Length;
    NTSTATUS status = STATUS_SUCCESS;
    if (n > DestinationString->MaximumLength) {
        n = (USHORT)(DestinationString->MaximumLength & ~1);
        status = STATUS_BUFFER_OVERFLOW;
    }
    memcpy(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    return status;
}

FORCEINLINE NTSTATUS RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    USHORT room = (USHORT)(DestinationString->MaximumLength - DestinationString->Length);
    USHORT n = SourceString->Length;
    NTSTATUS status = STATUS_SUCCESS;
    if (n > room) {
        n = (USHORT)(room & ~1);
        status = STATUS_BUFFER_OVERFLOW;
    }
    memcpy((PUCHAR)DestinationString->Buffer + DestinationString->Length, SourceString->Buffer, n);
    DestinationString->Length = (USHORT)(DestinationString->Length + n);
    return status;
}

FORCEINLINE NTSTATUS RtlUnicodeStringInit(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    size_t n = 0;
    if (pszSrc != NULL) {
        n = RtlpStrSafeLenW(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH + 1);
        if (n > NTSTRSAFE_UNICODE_STRING_MAX_CCH) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    DestinationString->Buffer = (PWCH)pszSrc;
    DestinationString->Length = (USHORT)(n * sizeof(wchar_t));
    DestinationString->MaximumLength = (USHORT)(pszSrc ? (n + 1) * sizeof(wchar_t) : 0);
    return STATUS_SUCCESS;
}


/* ------------------------------------------------------------ the Ex forms and their flags */

/*
 * dwFlags of the Ex forms: the low byte is a fill byte; STRSAFE_IGNORE_NULLS treats a
 * NULL source as ""; STRSAFE_FILL_BEHIND_NULL fills what follows the result's NUL on
 * success; STRSAFE_FILL_ON_FAILURE fills the whole destination (then terminates it) on
 * failure; STRSAFE_NULL_ON_FAILURE leaves an empty string on failure;
 * STRSAFE_NO_TRUNCATION leaves the destination as it was (a copy: empty) instead of
 * truncating. The Ex forms also return the end of the result and what is left of the
 * destination, NUL included.
 */
#define STRSAFE_IGNORE_NULLS 0x00000100
#define STRSAFE_FILL_BEHIND_NULL 0x00000200
#define STRSAFE_FILL_ON_FAILURE 0x00000400
#define STRSAFE_NULL_ON_FAILURE 0x00000800
#define STRSAFE_NO_TRUNCATION 0x00001000
#define STRSAFE_VALID_FLAGS                                                                          \
    (0x000000FF | STRSAFE_IGNORE_NULLS | STRSAFE_FILL_BEHIND_NULL | STRSAFE_FILL_ON_FAILURE |          \
     STRSAFE_NULL_ON_FAILURE | STRSAFE_NO_TRUNCATION)
#define STRSAFE_FILL_BYTE(x) ((ULONG)(((x) & 0x000000FF) | STRSAFE_FILL_BEHIND_NULL))
#define STRSAFE_FAILURE_BYTE(x) ((ULONG)(((x) & 0x000000FF) | STRSAFE_FILL_ON_FAILURE))
#define STRSAFE_GET_FILL_PATTERN(dwFlags) ((int)((dwFlags) & 0x000000FF))
/* For the UNICODE_STRING forms: an empty string on failure. */
#define STRSAFE_ZERO_LENGTH_ON_FAILURE STRSAFE_NULL_ON_FAILURE

/* Defines the Ex forms for one character type T (suffix S: A or W). */
#define KH_STRSAFE_EX(T, S, EMPTY)                                                                   \
    /* Applies the flags to a finished operation; Start is where the destination's old             \
       contents ended (0 for a copy). */                                                          \
    FORCEINLINE NTSTATUS RtlpStrSafeExDone##S(T *pszDest, size_t cchDest, size_t Start, NTSTATUS status,  \
                                              T **ppszDestEnd, size_t *pcchRemaining, ULONG dwFlags)      \
    {                                                                                             \
        size_t end = 0;                                                                           \
        if (pszDest != NULL && cchDest != 0) {                                                    \
            if (NT_SUCCESS(status)) {                                                             \
                end = RtlpStrSafeLen##S(pszDest, cchDest);                                        \
                if (dwFlags & STRSAFE_FILL_BEHIND_NULL) {                                          \
                    memset(pszDest + end + 1, STRSAFE_GET_FILL_PATTERN(dwFlags),                  \
                           (cchDest - end - 1) * sizeof(T));                                      \
                }                                                                                 \
            } else {                                                                              \
                if (dwFlags & STRSAFE_FILL_ON_FAILURE) {                                           \
                    memset(pszDest, STRSAFE_GET_FILL_PATTERN(dwFlags), cchDest * sizeof(T));      \
                    pszDest[cchDest - 1] = 0;                                                     \
                }                                                                                 \
                if (dwFlags & (STRSAFE_NULL_ON_FAILURE)) {                                         \
                    pszDest[0] = 0;                                                               \
                } else if ((dwFlags & STRSAFE_NO_TRUNCATION) && status == STATUS_BUFFER_OVERFLOW) { \
                    pszDest[Start] = 0;                                                           \
                }                                                                                 \
                end = RtlpStrSafeLen##S(pszDest, cchDest);                                        \
                if (end == cchDest) {                                                             \
                    end = cchDest - 1;                                                            \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
        if (ppszDestEnd != NULL) {                                                                \
            *ppszDestEnd = pszDest != NULL ? pszDest + end : NULL;                                \
        }                                                                                         \
        if (pcchRemaining != NULL) {                                                              \
            *pcchRemaining = cchDest - end;                                                       \
        }                                                                                         \
        return status;                                                                            \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlpStrSafeExBegin##S(T *pszDest, size_t cchDest, const T **ppszSrc, ULONG dwFlags) \
    {                                                                                             \
        if ((dwFlags & ~(ULONG)STRSAFE_VALID_FLAGS) != 0 || cchDest > NTSTRSAFE_MAX_CCH) {        \
            return STATUS_INVALID_PARAMETER;                                                      \
        }                                                                                         \
        if (*ppszSrc == NULL) {                                                                   \
            if (!(dwFlags & STRSAFE_IGNORE_NULLS)) {                                              \
                return STATUS_INVALID_PARAMETER;                                                  \
            }                                                                                     \
            *ppszSrc = EMPTY;                                                                     \
        }                                                                                         \
        if (pszDest == NULL || cchDest == 0) {                                                    \
            /* Only an empty result fits in no buffer at all. */                                  \
            if (cchDest == 0 && (dwFlags & STRSAFE_IGNORE_NULLS)) {                               \
                return (*ppszSrc)[0] == 0 ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;              \
            }                                                                                     \
            return STATUS_INVALID_PARAMETER;                                                      \
        }                                                                                         \
        return STATUS_PENDING;                                                                    \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlStringCchCopyNEx##S(T *pszDest, size_t cchDest, const T *pszSrc, size_t cchToCopy, \
                                                T **ppszDestEnd, size_t *pcchRemaining, ULONG dwFlags)      \
    {                                                                                             \
        NTSTATUS status = RtlpStrSafeExBegin##S(pszDest, cchDest, &pszSrc, dwFlags);              \
        if (status == STATUS_PENDING) {                                                           \
            status = RtlStringCchCopyN##S(pszDest, cchDest, pszSrc, cchToCopy);                   \
        }                                                                                         \
        return RtlpStrSafeExDone##S(pszDest, cchDest, 0, status, ppszDestEnd, pcchRemaining, dwFlags); \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlStringCchCopyEx##S(T *pszDest, size_t cchDest, const T *pszSrc, T **ppszDestEnd, \
                                               size_t *pcchRemaining, ULONG dwFlags)              \
    {                                                                                             \
        return RtlStringCchCopyNEx##S(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH, ppszDestEnd,    \
                                      pcchRemaining, dwFlags);                                    \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlStringCchCatNEx##S(T *pszDest, size_t cchDest, const T *pszSrc, size_t cchToAppend, \
                                               T **ppszDestEnd, size_t *pcchRemaining, ULONG dwFlags) \
    {                                                                                             \
        size_t used = 0;                                                                          \
        NTSTATUS status = RtlpStrSafeExBegin##S(pszDest, cchDest, &pszSrc, dwFlags);              \
        if (status == STATUS_PENDING) {                                                           \
            used = RtlpStrSafeLen##S(pszDest, cchDest);                                           \
            status = used == cchDest ? STATUS_INVALID_PARAMETER                                   \
                                     : RtlStringCchCopyN##S(pszDest + used, cchDest - used, pszSrc, cchToAppend); \
        }                                                                                         \
        return RtlpStrSafeExDone##S(pszDest, cchDest, used, status, ppszDestEnd, pcchRemaining, dwFlags); \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlStringCchCatN##S(T *pszDest, size_t cchDest, const T *pszSrc, size_t cchToAppend) \
    {                                                                                             \
        return RtlStringCchCatNEx##S(pszDest, cchDest, pszSrc, cchToAppend, NULL, NULL, 0);       \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlStringCchCatEx##S(T *pszDest, size_t cchDest, const T *pszSrc, T **ppszDestEnd, \
                                              size_t *pcchRemaining, ULONG dwFlags)               \
    {                                                                                             \
        return RtlStringCchCatNEx##S(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH, ppszDestEnd,     \
                                     pcchRemaining, dwFlags);                                     \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlStringCchVPrintfEx##S(T *pszDest, size_t cchDest, T **ppszDestEnd,    \
                                                  size_t *pcchRemaining, ULONG dwFlags, const T *pszFormat, \
                                                  va_list argList)                                \
    {                                                                                             \
        NTSTATUS status = RtlpStrSafeExBegin##S(pszDest, cchDest, &pszFormat, dwFlags);           \
        if (status == STATUS_PENDING) {                                                           \
            status = RtlStringCchVPrintf##S(pszDest, cchDest, pszFormat, argList);                \
        }                                                                                         \
        return RtlpStrSafeExDone##S(pszDest, cchDest, 0, status, ppszDestEnd, pcchRemaining, dwFlags); \
    }                                                                                             \
                                                                                                  \
    FORCEINLINE NTSTATUS RtlStringCchPrintfEx##S(T *pszDest, size_t cchDest, T **ppszDestEnd,     \
                                                 size_t *pcchRemaining, ULONG dwFlags, const T *pszFormat, ...) \
    {                                                                                             \
        va_list args;                                                                             \
        va_start(args, pszFormat);                                                                \
        NTSTATUS status = RtlStringCchVPrintfEx##S(pszDest, cchDest, ppszDestEnd, pcchRemaining,  \
                                                   dwFlags, pszFormat, args);                     \
        va_end(args);                                                                             \
        return status;                                                                            \
    }                                                                                             \
                                                                                                  \
    /* The byte-counted Ex forms: sizes and what is left in bytes. */                             \
    FORCEINLINE NTSTATUS RtlpStrSafeCbRemaining##S(NTSTATUS status, size_t cchRemaining, size_t *pcbRemaining) \
    {                                                                                             \
        if (pcbRemaining != NULL) {                                                               \
            *pcbRemaining = cchRemaining * sizeof(T);                                             \
        }                                                                                         \
        return status;                                                                            \
    }                                                                                             \
    FORCEINLINE NTSTATUS RtlStringCbCopyEx##S(T *pszDest, size_t cbDest, const T *pszSrc, T **ppszDestEnd, \
                                              size_t *pcbRemaining, ULONG dwFlags)                \
    {                                                                                             \
        size_t cch = 0;                                                                           \
        NTSTATUS status = RtlStringCchCopyEx##S(pszDest, cbDest / sizeof(T), pszSrc, ppszDestEnd, &cch, dwFlags); \
        return RtlpStrSafeCbRemaining##S(status, cch, pcbRemaining);                              \
    }                                                                                             \
    FORCEINLINE NTSTATUS RtlStringCbCopyNEx##S(T *pszDest, size_t cbDest, const T *pszSrc, size_t cbToCopy, \
                                               T **ppszDestEnd, size_t *pcbRemaining, ULONG dwFlags) \
    {                                                                                             \
        size_t cch = 0;                                                                           \
        NTSTATUS status = RtlStringCchCopyNEx##S(pszDest, cbDest / sizeof(T), pszSrc, cbToCopy / sizeof(T), \
                                                 ppszDestEnd, &cch, dwFlags);                     \
        return RtlpStrSafeCbRemaining##S(status, cch, pcbRemaining);                              \
    }                                                                                             \
    FORCEINLINE NTSTATUS RtlStringCbCatEx##S(T *pszDest, size_t cbDest, const T *pszSrc, T **ppszDestEnd, \
                                             size_t *pcbRemaining, ULONG dwFlags)                 \
    {                                                                                             \
        size_t cch = 0;                                                                           \
        NTSTATUS status = RtlStringCchCatEx##S(pszDest, cbDest / sizeof(T), pszSrc, ppszDestEnd, &cch, dwFlags); \
        return RtlpStrSafeCbRemaining##S(status, cch, pcbRemaining);                              \
    }                                                                                             \
    FORCEINLINE NTSTATUS RtlStringCbCatN##S(T *pszDest, size_t cbDest, const T *pszSrc, size_t cbToAppend) \
    {                                                                                             \
        return RtlStringCchCatN##S(pszDest, cbDest / sizeof(T), pszSrc, cbToAppend / sizeof(T));  \
    }                                                                                             \
    FORCEINLINE NTSTATUS RtlStringCbCatNEx##S(T *pszDest, size_t cbDest, const T *pszSrc, size_t cbToAppend, \
                                              T **ppszDestEnd, size_t *pcbRemaining, ULONG dwFlags) \
    {                                                                                             \
        size_t cch = 0;                                                                           \
        NTSTATUS status = RtlStringCchCatNEx##S(pszDest, cbDest / sizeof(T), pszSrc, cbToAppend / sizeof(T), \
                                                ppszDestEnd, &cch, dwFlags);                      \
        return RtlpStrSafeCbRemaining##S(status, cch, pcbRemaining);                              \
    }                                                                                             \
    FORCEINLINE NTSTATUS RtlStringCbVPrintfEx##S(T *pszDest, size_t cbDest, T **ppszDestEnd,      \
                                                 size_t *pcbRemaining, ULONG dwFlags, const T *pszFormat, \
                                                 va_list argList)                                 \
    {                                                                                             \
        size_t cch = 0;                                                                           \
        NTSTATUS status = RtlStringCchVPrintfEx##S(pszDest, cbDest / sizeof(T), ppszDestEnd, &cch, dwFlags, \
                                                   pszFormat, argList);                           \
        return RtlpStrSafeCbRemaining##S(status, cch, pcbRemaining);                              \
    }                                                                                             \
    FORCEINLINE NTSTATUS RtlStringCbPrintfEx##S(T *pszDest, size_t cbDest, T **ppszDestEnd,       \
                                                size_t *pcbRemaining, ULONG dwFlags, const T *pszFormat, ...) \
    {                                                                                             \
        va_list args;                                                                             \
        va_start(args, pszFormat);                                                                \
        NTSTATUS status = RtlStringCbVPrintfEx##S(pszDest, cbDest, ppszDestEnd, pcbRemaining, dwFlags, \
                                                  pszFormat, args);                               \
        va_end(args);                                                                             \
        return status;                                                                            \
    }

KH_STRSAFE_EX(char, A, "")
KH_STRSAFE_EX(wchar_t, W, L"")

/* ------------------------------------------------------------ counted UNICODE_STRING forms */

/* A UNICODE_STRING is valid when its lengths are even, Length <= MaximumLength, both
   within NTSTRSAFE_UNICODE_STRING_MAX_CCH, and it has a buffer when it has room. */
FORCEINLINE NTSTATUS RtlUnicodeStringValidateEx(PCUNICODE_STRING SourceString, ULONG dwFlags)
{
    if ((dwFlags & ~(ULONG)STRSAFE_IGNORE_NULLS) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (SourceString == NULL) {
        return (dwFlags & STRSAFE_IGNORE_NULLS) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }
    if ((SourceString->Length & 1) || (SourceString->MaximumLength & 1) ||
        SourceString->Length > SourceString->MaximumLength ||
        SourceString->MaximumLength > NTSTRSAFE_UNICODE_STRING_MAX_CCH * sizeof(wchar_t) ||
        (SourceString->Buffer == NULL && SourceString->MaximumLength != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

FORCEINLINE NTSTATUS RtlUnicodeStringValidate(PCUNICODE_STRING SourceString)
{
    return RtlUnicodeStringValidateEx(SourceString, 0);
}

FORCEINLINE NTSTATUS RtlUnicodeStringInitEx(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc, ULONG dwFlags)
{
    if ((dwFlags & ~(ULONG)STRSAFE_IGNORE_NULLS) != 0 || DestinationString == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return RtlUnicodeStringInit(DestinationString, pszSrc);
}

/*
 * Puts Count characters of Source into Destination, after its contents when Append;
 * applies the flags and reports the room left in RemainingString (Buffer at the end of
 * the result, Length 0).
 */
FORCEINLINE NTSTATUS RtlpUnicodeStringPut(PUNICODE_STRING Destination, PCWSTR Source, size_t Count, BOOLEAN Append,
                                          PUNICODE_STRING RemainingString, ULONG dwFlags)
{
    size_t start;
    size_t room;
    size_t n = Count;
    NTSTATUS status = STATUS_SUCCESS;
    if ((dwFlags & ~(ULONG)STRSAFE_VALID_FLAGS) != 0 || !NT_SUCCESS(RtlUnicodeStringValidate(Destination)) ||
        (Source == NULL && Count != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    start = Append ? Destination->Length / sizeof(wchar_t) : 0;
    room = Destination->MaximumLength / sizeof(wchar_t) - start;
    if (n > room) {
        status = STATUS_BUFFER_OVERFLOW;
        n = (dwFlags & STRSAFE_NO_TRUNCATION) ? 0 : room;
    }
    if (n != 0) {
        memmove(Destination->Buffer + start, Source, n * sizeof(wchar_t));
    }
    Destination->Length = (USHORT)((start + n) * sizeof(wchar_t));
    if (!NT_SUCCESS(status)) {
        if (dwFlags & STRSAFE_FILL_ON_FAILURE) {
            memset(Destination->Buffer, STRSAFE_GET_FILL_PATTERN(dwFlags), Destination->MaximumLength);
            Destination->Length = Destination->MaximumLength;
        }
        if (dwFlags & STRSAFE_ZERO_LENGTH_ON_FAILURE) {
            Destination->Length = 0;
        } else if (dwFlags & STRSAFE_NO_TRUNCATION) {
            Destination->Length = (USHORT)(start * sizeof(wchar_t));
        }
    } else if (dwFlags & STRSAFE_FILL_BEHIND_NULL) {
        memset((PUCHAR)Destination->Buffer + Destination->Length, STRSAFE_GET_FILL_PATTERN(dwFlags),
               Destination->MaximumLength - Destination->Length);
    }
    if (RemainingString != NULL) {
        RemainingString->Buffer = Destination->Buffer + Destination->Length / sizeof(wchar_t);
        RemainingString->Length = 0;
        RemainingString->MaximumLength = (USHORT)(Destination->MaximumLength - Destination->Length);
    }
    return status;
}

FORCEINLINE size_t RtlpUnicodeStringCch(PCUNICODE_STRING String)
{
    return String != NULL ? String->Length / sizeof(wchar_t) : 0;
}

#define KH_UNICODE_SOURCE(s) ((s) != NULL ? (PCWSTR)(s)->Buffer : (PCWSTR)L"")

FORCEINLINE NTSTATUS RtlUnicodeStringCopyEx(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                            PUNICODE_STRING RemainingString, ULONG dwFlags)
{
    if (SourceString == NULL && !(dwFlags & STRSAFE_IGNORE_NULLS)) {
        return STATUS_INVALID_PARAMETER;
    }
    return RtlpUnicodeStringPut(DestinationString, KH_UNICODE_SOURCE(SourceString), RtlpUnicodeStringCch(SourceString),
                                FALSE, RemainingString, dwFlags);
}

FORCEINLINE NTSTATUS RtlUnicodeStringCatEx(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                           PUNICODE_STRING RemainingString, ULONG dwFlags)
{
    if (SourceString == NULL && !(dwFlags & STRSAFE_IGNORE_NULLS)) {
        return STATUS_INVALID_PARAMETER;
    }
    return RtlpUnicodeStringPut(DestinationString, KH_UNICODE_SOURCE(SourceString), RtlpUnicodeStringCch(SourceString),
                                TRUE, RemainingString, dwFlags);
}

FORCEINLINE NTSTATUS RtlUnicodeStringCopyNEx(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                             size_t cchToCopy, PUNICODE_STRING RemainingString, ULONG dwFlags)
{
    size_t n = RtlpUnicodeStringCch(SourceString);
    if (SourceString == NULL && !(dwFlags & STRSAFE_IGNORE_NULLS)) {
        return STATUS_INVALID_PARAMETER;
    }
    return RtlpUnicodeStringPut(DestinationString, KH_UNICODE_SOURCE(SourceString), n < cchToCopy ? n : cchToCopy,
                                FALSE, RemainingString, dwFlags);
}

FORCEINLINE NTSTATUS RtlUnicodeStringCatNEx(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                            size_t cchToAppend, PUNICODE_STRING RemainingString, ULONG dwFlags)
{
    size_t n = RtlpUnicodeStringCch(SourceString);
    if (SourceString == NULL && !(dwFlags & STRSAFE_IGNORE_NULLS)) {
        return STATUS_INVALID_PARAMETER;
    }
    return RtlpUnicodeStringPut(DestinationString, KH_UNICODE_SOURCE(SourceString), n < cchToAppend ? n : cchToAppend,
                                TRUE, RemainingString, dwFlags);
}

FORCEINLINE NTSTATUS RtlUnicodeStringCopyStringNEx(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc,
                                                   size_t cchToCopy, PUNICODE_STRING RemainingString, ULONG dwFlags)
{
    if (pszSrc == NULL && !(dwFlags & STRSAFE_IGNORE_NULLS)) {
        return STATUS_INVALID_PARAMETER;
    }
    pszSrc = pszSrc != NULL ? pszSrc : L"";
    return RtlpUnicodeStringPut(DestinationString, pszSrc, RtlpStrSafeLenW(pszSrc, cchToCopy), FALSE,
                                RemainingString, dwFlags);
}

FORCEINLINE NTSTATUS RtlUnicodeStringCatStringNEx(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc,
                                                  size_t cchToAppend, PUNICODE_STRING RemainingString, ULONG dwFlags)
{
    if (pszSrc == NULL && !(dwFlags & STRSAFE_IGNORE_NULLS)) {
        return STATUS_INVALID_PARAMETER;
    }
    pszSrc = pszSrc != NULL ? pszSrc : L"";
    return RtlpUnicodeStringPut(DestinationString, pszSrc, RtlpStrSafeLenW(pszSrc, cchToAppend), TRUE,
                                RemainingString, dwFlags);
}

#define RtlUnicodeStringCopyN(d, s, n) RtlUnicodeStringCopyNEx((d), (s), (n), NULL, 0)
#define RtlUnicodeStringCatN(d, s, n) RtlUnicodeStringCatNEx((d), (s), (n), NULL, 0)
#define RtlUnicodeStringCopyString(d, s) RtlUnicodeStringCopyStringNEx((d), (s), NTSTRSAFE_MAX_CCH, NULL, 0)
#define RtlUnicodeStringCopyStringEx(d, s, r, f) RtlUnicodeStringCopyStringNEx((d), (s), NTSTRSAFE_MAX_CCH, (r), (f))
#define RtlUnicodeStringCopyStringN(d, s, n) RtlUnicodeStringCopyStringNEx((d), (s), (n), NULL, 0)
#define RtlUnicodeStringCatString(d, s) RtlUnicodeStringCatStringNEx((d), (s), NTSTRSAFE_MAX_CCH, NULL, 0)
#define RtlUnicodeStringCatStringEx(d, s, r, f) RtlUnicodeStringCatStringNEx((d), (s), NTSTRSAFE_MAX_CCH, (r), (f))
#define RtlUnicodeStringCatStringN(d, s, n) RtlUnicodeStringCatStringNEx((d), (s), (n), NULL, 0)
#define RtlUnicodeStringCbCopyN(d, s, cb) RtlUnicodeStringCopyN((d), (s), (cb) / sizeof(wchar_t))
#define RtlUnicodeStringCbCatN(d, s, cb) RtlUnicodeStringCatN((d), (s), (cb) / sizeof(wchar_t))
#define RtlUnicodeStringCbCopyStringN(d, s, cb) RtlUnicodeStringCopyStringN((d), (s), (cb) / sizeof(wchar_t))
#define RtlUnicodeStringCbCatStringN(d, s, cb) RtlUnicodeStringCatStringN((d), (s), (cb) / sizeof(wchar_t))

FORCEINLINE NTSTATUS RtlUnicodeStringVPrintfEx(PUNICODE_STRING DestinationString, PUNICODE_STRING RemainingString,
                                               ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    NTSTATUS status;
    if ((dwFlags & ~(ULONG)STRSAFE_VALID_FLAGS) != 0 || !NT_SUCCESS(RtlUnicodeStringValidate(DestinationString))) {
        return STATUS_INVALID_PARAMETER;
    }
    status = RtlUnicodeStringVPrintf(DestinationString, pszFormat, argList);
    if (!NT_SUCCESS(status)) {
        if (dwFlags & STRSAFE_FILL_ON_FAILURE) {
            memset(DestinationString->Buffer, STRSAFE_GET_FILL_PATTERN(dwFlags), DestinationString->MaximumLength);
            DestinationString->Length = DestinationString->MaximumLength;
        }
        if (dwFlags & (STRSAFE_ZERO_LENGTH_ON_FAILURE | STRSAFE_NO_TRUNCATION)) {
            DestinationString->Length = 0;
        }
    } else if (dwFlags & STRSAFE_FILL_BEHIND_NULL) {
        memset((PUCHAR)DestinationString->Buffer + DestinationString->Length, STRSAFE_GET_FILL_PATTERN(dwFlags),
               DestinationString->MaximumLength - DestinationString->Length);
    }
    if (RemainingString != NULL) {
        RemainingString->Buffer = DestinationString->Buffer + DestinationString->Length / sizeof(wchar_t);
        RemainingString->Length = 0;
        RemainingString->MaximumLength = (USHORT)(DestinationString->MaximumLength - DestinationString->Length);
    }
    return status;
}

FORCEINLINE NTSTATUS RtlUnicodeStringPrintfEx(PUNICODE_STRING DestinationString, PUNICODE_STRING RemainingString,
                                              ULONG dwFlags, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    NTSTATUS status;
    va_list args;
    va_start(args, pszFormat);
    status = RtlUnicodeStringVPrintfEx(DestinationString, RemainingString, dwFlags, pszFormat, args);
    va_end(args);
    return status;
}

/* A counted string into a NUL-terminated buffer. */
FORCEINLINE NTSTATUS RtlStringCchCopyUnicodeStringEx(NTSTRSAFE_PWSTR pszDest, size_t cchDest,
                                                     PCUNICODE_STRING SourceString, NTSTRSAFE_PWSTR *ppszDestEnd,
                                                     size_t *pcchRemaining, ULONG dwFlags)
{
    if (!NT_SUCCESS(RtlUnicodeStringValidateEx(SourceString, dwFlags & STRSAFE_IGNORE_NULLS))) {
        return RtlpStrSafeExDoneW(pszDest, cchDest, 0, STATUS_INVALID_PARAMETER, ppszDestEnd, pcchRemaining, dwFlags);
    }
    PCWSTR source = KH_UNICODE_SOURCE(SourceString);
    return RtlStringCchCopyNExW(pszDest, cchDest, source, RtlpUnicodeStringCch(SourceString), ppszDestEnd,
                                pcchRemaining, dwFlags | STRSAFE_IGNORE_NULLS);
}

FORCEINLINE NTSTATUS RtlStringCchCopyUnicodeString(NTSTRSAFE_PWSTR pszDest, size_t cchDest,
                                                   PCUNICODE_STRING SourceString)
{
    return RtlStringCchCopyUnicodeStringEx(pszDest, cchDest, SourceString, NULL, NULL, 0);
}

FORCEINLINE NTSTATUS RtlStringCbCopyUnicodeStringEx(NTSTRSAFE_PWSTR pszDest, size_t cbDest,
                                                    PCUNICODE_STRING SourceString, NTSTRSAFE_PWSTR *ppszDestEnd,
                                                    size_t *pcbRemaining, ULONG dwFlags)
{
    size_t cch = 0;
    NTSTATUS status = RtlStringCchCopyUnicodeStringEx(pszDest, cbDest / sizeof(wchar_t), SourceString, ppszDestEnd,
                                                      &cch, dwFlags);
    return RtlpStrSafeCbRemainingW(status, cch, pcbRemaining);
}

FORCEINLINE NTSTATUS RtlStringCbCopyUnicodeString(NTSTRSAFE_PWSTR pszDest, size_t cbDest, PCUNICODE_STRING SourceString)
{
    return RtlStringCbCopyUnicodeStringEx(pszDest, cbDest, SourceString, NULL, NULL, 0);
}

#endif /* KMDFHOST_NTSTRSAFE_H */
