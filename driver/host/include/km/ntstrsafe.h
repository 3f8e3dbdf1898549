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

#endif /* KMDFHOST_NTSTRSAFE_H */
