/*
 * strsafe.h - the safe string functions of the Windows SDK (StringCch* counting
 * characters, StringCb* counting bytes), A and W forms, for programs built with
 * scripts/build-host-app. Like the SDK's, these are inline functions of the header.
 *
 * Documented behaviour kept here: a destination size of 0 or above STRSAFE_MAX_CCH
 * fails with STRSAFE_E_INVALID_PARAMETER and leaves the destination alone; a result that
 * does not fit is truncated, always NUL-terminated, and returned with
 * STRSAFE_E_INSUFFICIENT_BUFFER; the *Printf functions use Microsoft's format language
 * (kmdfhost_crt.h). WCHAR is the platform's wchar_t (winnt.h).
 */
#ifndef KMDFHOST_UM_STRSAFE_H
#define KMDFHOST_UM_STRSAFE_H

#include <stdarg.h>

#include <winnt.h>
#include <winerror.h>

#include "kmdfhost_crt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STRSAFE_MAX_CCH 2147483647
#define STRSAFE_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007AL)
#define STRSAFE_E_INVALID_PARAMETER ((HRESULT)0x80070057L)
#define STRSAFE_E_END_OF_FILE ((HRESULT)0x80070026L)

typedef char *STRSAFE_LPSTR;
typedef const char *STRSAFE_LPCSTR;
typedef wchar_t *STRSAFE_LPWSTR;
typedef const wchar_t *STRSAFE_LPCWSTR;

#define KH_STRSAFE_COPY(Suffix, Char)                                                        \
    static inline HRESULT StringCchCopyN##Suffix(Char *pszDest, size_t cchDest,             \
                                                 const Char *pszSrc, size_t cchToCopy)      \
    {                                                                                        \
        if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH || cchToCopy > STRSAFE_MAX_CCH) {      \
            return STRSAFE_E_INVALID_PARAMETER;                                              \
        }                                                                                    \
        size_t i = 0;                                                                        \
        while (i < cchToCopy && pszSrc[i] != 0) {                                            \
            if (i == cchDest - 1) {                                                          \
                pszDest[i] = 0;                                                              \
                return STRSAFE_E_INSUFFICIENT_BUFFER;                                        \
            }                                                                                \
            pszDest[i] = pszSrc[i];                                                          \
            i++;                                                                             \
        }                                                                                    \
        pszDest[i] = 0;                                                                      \
        return S_OK;                                                                         \
    }                                                                                        \
    static inline HRESULT StringCchCopy##Suffix(Char *pszDest, size_t cchDest,              \
                                                const Char *pszSrc)                          \
    {                                                                                        \
        return StringCchCopyN##Suffix(pszDest, cchDest, pszSrc, STRSAFE_MAX_CCH);            \
    }                                                                                        \
    static inline HRESULT StringCbCopy##Suffix(Char *pszDest, size_t cbDest,                \
                                               const Char *pszSrc)                           \
    {                                                                                        \
        return StringCchCopy##Suffix(pszDest, cbDest / sizeof(Char), pszSrc);                \
    }                                                                                        \
    static inline HRESULT StringCbCopyN##Suffix(Char *pszDest, size_t cbDest,               \
                                                const Char *pszSrc, size_t cbToCopy)         \
    {                                                                                        \
        return StringCchCopyN##Suffix(pszDest, cbDest / sizeof(Char), pszSrc,               \
                                      cbToCopy / sizeof(Char));                              \
    }                                                                                        \
    static inline HRESULT StringCchLength##Suffix(const Char *psz, size_t cchMax,           \
                                                  size_t *pcchLength)                        \
    {                                                                                        \
        if (psz == NULL || cchMax > STRSAFE_MAX_CCH) {                                       \
            if (pcchLength != NULL) {                                                        \
                *pcchLength = 0;                                                             \
            }                                                                                \
            return STRSAFE_E_INVALID_PARAMETER;                                              \
        }                                                                                    \
        size_t n = 0;                                                                        \
        while (n < cchMax && psz[n] != 0) {                                                  \
            n++;                                                                             \
        }                                                                                    \
        if (n == cchMax) {                                                                   \
            if (pcchLength != NULL) {                                                        \
                *pcchLength = 0;                                                             \
            }                                                                                \
            return STRSAFE_E_INVALID_PARAMETER;                                              \
        }                                                                                    \
        if (pcchLength != NULL) {                                                            \
            *pcchLength = n;                                                                 \
        }                                                                                    \
        return S_OK;                                                                         \
    }                                                                                        \
    static inline HRESULT StringCbLength##Suffix(const Char *psz, size_t cbMax,             \
                                                 size_t *pcbLength)                          \
    {                                                                                        \
        size_t cch = 0;                                                                      \
        HRESULT hr = StringCchLength##Suffix(psz, cbMax / sizeof(Char), &cch);               \
        if (pcbLength != NULL) {                                                             \
            *pcbLength = cch * sizeof(Char);                                                 \
        }                                                                                    \
        return hr;                                                                           \
    }                                                                                        \
    static inline HRESULT StringCchCatN##Suffix(Char *pszDest, size_t cchDest,              \
                                                const Char *pszSrc, size_t cchToAppend)      \
    {                                                                                        \
        size_t used = 0;                                                                     \
        if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH) {                                     \
            return STRSAFE_E_INVALID_PARAMETER;                                              \
        }                                                                                    \
        if (FAILED(StringCchLength##Suffix(pszDest, cchDest, &used))) {                      \
            return STRSAFE_E_INVALID_PARAMETER;                                              \
        }                                                                                    \
        return StringCchCopyN##Suffix(pszDest + used, cchDest - used, pszSrc, cchToAppend);  \
    }                                                                                        \
    static inline HRESULT StringCchCat##Suffix(Char *pszDest, size_t cchDest,               \
                                               const Char *pszSrc)                           \
    {                                                                                        \
        return StringCchCatN##Suffix(pszDest, cchDest, pszSrc, STRSAFE_MAX_CCH);             \
    }                                                                                        \
    static inline HRESULT StringCbCat##Suffix(Char *pszDest, size_t cbDest,                 \
                                              const Char *pszSrc)                            \
    {                                                                                        \
        return StringCchCat##Suffix(pszDest, cbDest / sizeof(Char), pszSrc);                 \
    }

KH_STRSAFE_COPY(A, char)
KH_STRSAFE_COPY(W, wchar_t)
#undef KH_STRSAFE_COPY

static inline HRESULT StringCchVPrintfA(char *pszDest, size_t cchDest, const char *pszFormat,
                                        va_list argList)
{
    if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH) {
        return STRSAFE_E_INVALID_PARAMETER;
    }
    int n = KhCrtVsnprintf(pszDest, cchDest, pszFormat, argList);
    if (n < 0) {
        pszDest[0] = 0;
        return STRSAFE_E_INVALID_PARAMETER;
    }
    return (size_t)n >= cchDest ? STRSAFE_E_INSUFFICIENT_BUFFER : S_OK;
}

static inline HRESULT StringCchVPrintfW(wchar_t *pszDest, size_t cchDest, const wchar_t *pszFormat,
                                        va_list argList)
{
    if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH) {
        return STRSAFE_E_INVALID_PARAMETER;
    }
    /* -1: the text did not fit; the host's swprintf leaves it truncated and terminated. */
    int n = KhCrtVswprintf(pszDest, cchDest, pszFormat, argList);
    return n < 0 ? STRSAFE_E_INSUFFICIENT_BUFFER : S_OK;
}

static inline HRESULT StringCchPrintfA(char *pszDest, size_t cchDest, const char *pszFormat, ...)
{
    va_list args;
    va_start(args, pszFormat);
    HRESULT hr = StringCchVPrintfA(pszDest, cchDest, pszFormat, args);
    va_end(args);
    return hr;
}

static inline HRESULT StringCchPrintfW(wchar_t *pszDest, size_t cchDest, const wchar_t *pszFormat,
                                       ...)
{
    va_list args;
    va_start(args, pszFormat);
    HRESULT hr = StringCchVPrintfW(pszDest, cchDest, pszFormat, args);
    va_end(args);
    return hr;
}

static inline HRESULT StringCbPrintfA(char *pszDest, size_t cbDest, const char *pszFormat, ...)
{
    va_list args;
    va_start(args, pszFormat);
    HRESULT hr = StringCchVPrintfA(pszDest, cbDest / sizeof(char), pszFormat, args);
    va_end(args);
    return hr;
}

static inline HRESULT StringCbPrintfW(wchar_t *pszDest, size_t cbDest, const wchar_t *pszFormat,
                                      ...)
{
    va_list args;
    va_start(args, pszFormat);
    HRESULT hr = StringCchVPrintfW(pszDest, cbDest / sizeof(wchar_t), pszFormat, args);
    va_end(args);
    return hr;
}

#define StringCbVPrintfA(d, cb, f, a) StringCchVPrintfA((d), (cb) / sizeof(char), (f), (a))
#define StringCbVPrintfW(d, cb, f, a) StringCchVPrintfW((d), (cb) / sizeof(wchar_t), (f), (a))

#ifdef UNICODE
#define StringCchCopy StringCchCopyW
#define StringCchCopyN StringCchCopyNW
#define StringCbCopy StringCbCopyW
#define StringCbCopyN StringCbCopyNW
#define StringCchCat StringCchCatW
#define StringCchCatN StringCchCatNW
#define StringCbCat StringCbCatW
#define StringCchLength StringCchLengthW
#define StringCbLength StringCbLengthW
#define StringCchPrintf StringCchPrintfW
#define StringCbPrintf StringCbPrintfW
#define StringCchVPrintf StringCchVPrintfW
#define StringCbVPrintf StringCbVPrintfW
#else
#define StringCchCopy StringCchCopyA
#define StringCchCopyN StringCchCopyNA
#define StringCbCopy StringCbCopyA
#define StringCbCopyN StringCbCopyNA
#define StringCchCat StringCchCatA
#define StringCchCatN StringCchCatNA
#define StringCbCat StringCbCatA
#define StringCchLength StringCchLengthA
#define StringCbLength StringCbLengthA
#define StringCchPrintf StringCchPrintfA
#define StringCbPrintf StringCbPrintfA
#define StringCchVPrintf StringCchVPrintfA
#define StringCbVPrintf StringCbVPrintfA
#endif

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_UM_STRSAFE_H */
