/*
 * kmdfhost_crt.h - the parts of the Microsoft C runtime that Win32 console programs rely
 * on and glibc spells differently: Microsoft's printf format language, and the _-named
 * string functions. scripts/build-host-app puts this header in front of every source
 * file it compiles (-include), so it applies to a file whether or not it includes
 * <windows.h>, as the Microsoft C runtime applies to every file of a program.
 *
 * printf and its family are macros for functions of libkmdfhost (src/win32/format.c)
 * that implement Microsoft's format language:
 *   %ws %ls %S (in printf) / %s (in wprintf)   a wide (wchar_t) string
 *   %hs %s (in printf) / %S %hs (in wprintf)  a narrow string
 *   %wc %lc %C / %hc                          a wide / narrow character
 *   %wZ %Z                                    a UNICODE_STRING / ANSI_STRING pointer
 *   %I64d %I64u %I64x                         a 64-bit integer
 *   %I32d                                     a 32-bit integer
 *   %Id %Iu %Ix                               an integer of pointer size (SIZE_T, ULONG_PTR)
 *   %ld %lu %lx                               a 32-bit LONG / ULONG, as long is on Windows
 *   %p                                        a pointer as 16 uppercase hex digits
 *   %n                                        disabled, as in the Microsoft C runtime:
 *                                             reported on stderr, then abort()
 * Text goes out as UTF-8. Wide strings are converted, so the narrow and wide functions
 * may be mixed on one stream as on Windows (glibc would fix a stream's orientation).
 * _snprintf and _snwprintf keep Microsoft's return of -1 when the text does not fit;
 * snprintf and swprintf follow C99.
 *
 * With a 16-bit wchar_t (build-host-app's default, as on Windows) the functions are the
 * KhCrt16* forms, whose wide text (the format of the wide functions, and %ws, %S, %wc
 * ... arguments of all) is UTF-16, and counts of wide characters are UTF-16 units;
 * kmdfhost_wchar16.h, included at the end, maps the W functions and the wide C runtime.
 */
#ifndef KMDFHOST_CRT_H
#define KMDFHOST_CRT_H

/*
 * In C++, the whole standard library comes first. Its headers must not see the macros
 * that Windows headers define: the old-style SAL annotations (__in, __out, ...) are
 * identifiers in libstdc++, min and max (windef.h) are function templates there, and
 * <cstdio> and <cwchar> #undef the printf names defined below. Included here, ahead of
 * everything, their include guards keep them from being read again later.
 */
#ifdef __cplusplus
#if __has_include(<bits/stdc++.h>)
#include <bits/stdc++.h>
#else
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#endif
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "kmdfhost.h"

/*
 * A program compiled with a 16-bit wchar_t, as on Windows (scripts/build-host-app does
 * so unless --wchar32): the functions below are their KhCrt16* forms, whose wide text
 * is UTF-16, and kmdfhost_wchar16.h (included at the end) maps the W functions and the
 * wide C runtime.
 */
#if defined(__SIZEOF_WCHAR_T__) && __SIZEOF_WCHAR_T__ == 2
#define KMDFHOST_WCHAR16 1
#define KhCrtPrintf KhCrt16Printf
#define KhCrtVprintf KhCrt16Vprintf
#define KhCrtFprintf KhCrt16Fprintf
#define KhCrtVfprintf KhCrt16Vfprintf
#define KhCrtSprintf KhCrt16Sprintf
#define KhCrtVsprintf KhCrt16Vsprintf
#define KhCrtSnprintf KhCrt16Snprintf
#define KhCrtVsnprintf KhCrt16Vsnprintf
#define KhCrtMsSnprintf KhCrt16MsSnprintf
#define KhCrtMsVsnprintf KhCrt16MsVsnprintf
#define KhCrtScprintf KhCrt16Scprintf
#define KhCrtVscprintf KhCrt16Vscprintf
#define KhCrtWprintf KhCrt16Wprintf
#define KhCrtVwprintf KhCrt16Vwprintf
#define KhCrtFwprintf KhCrt16Fwprintf
#define KhCrtVfwprintf KhCrt16Vfwprintf
#define KhCrtSwprintf KhCrt16Swprintf
#define KhCrtVswprintf KhCrt16Vswprintf
#define KhCrtMsSnwprintf KhCrt16MsSnwprintf
#define KhCrtMsVsnwprintf KhCrt16MsVsnwprintf
#define KhCrtScwprintf KhCrt16Scwprintf
#define KhCrtVscwprintf KhCrt16Vscwprintf
#define KhCrtPutws KhCrt16Putws
#define KhCrtFputws KhCrt16Fputws
#endif

#ifdef __cplusplus
extern "C" {
#endif

KMDFHOST_API int KhCrtPrintf(const char *Format, ...);
KMDFHOST_API int KhCrtVprintf(const char *Format, va_list Arguments);
KMDFHOST_API int KhCrtFprintf(FILE *Stream, const char *Format, ...);
KMDFHOST_API int KhCrtVfprintf(FILE *Stream, const char *Format, va_list Arguments);
KMDFHOST_API int KhCrtSprintf(char *Buffer, const char *Format, ...);
KMDFHOST_API int KhCrtVsprintf(char *Buffer, const char *Format, va_list Arguments);
KMDFHOST_API int KhCrtSnprintf(char *Buffer, size_t Count, const char *Format, ...);
KMDFHOST_API int KhCrtVsnprintf(char *Buffer, size_t Count, const char *Format, va_list Arguments);
KMDFHOST_API int KhCrtMsSnprintf(char *Buffer, size_t Count, const char *Format, ...);
KMDFHOST_API int KhCrtMsVsnprintf(char *Buffer, size_t Count, const char *Format,
                                  va_list Arguments);
KMDFHOST_API int KhCrtScprintf(const char *Format, ...);
KMDFHOST_API int KhCrtVscprintf(const char *Format, va_list Arguments);

KMDFHOST_API int KhCrtWprintf(const wchar_t *Format, ...);
KMDFHOST_API int KhCrtVwprintf(const wchar_t *Format, va_list Arguments);
KMDFHOST_API int KhCrtFwprintf(FILE *Stream, const wchar_t *Format, ...);
KMDFHOST_API int KhCrtVfwprintf(FILE *Stream, const wchar_t *Format, va_list Arguments);
KMDFHOST_API int KhCrtSwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...);
KMDFHOST_API int KhCrtVswprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format,
                                va_list Arguments);
KMDFHOST_API int KhCrtMsSnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, ...);
KMDFHOST_API int KhCrtMsVsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format,
                                   va_list Arguments);
KMDFHOST_API int KhCrtScwprintf(const wchar_t *Format, ...);
KMDFHOST_API int KhCrtVscwprintf(const wchar_t *Format, va_list Arguments);
/*
 * rand and srand as the Microsoft C runtime has them: "rand returns a pseudorandom
 * integer in the range 0 to RAND_MAX (32767)", each thread with its own seed (1 until
 * srand). glibc's RAND_MAX is 2^31-1, and a Windows program that sizes a buffer with
 * rand() would ask for gigabytes. The generator is the runtime's well-known linear
 * congruential one (seed * 214013 + 2531011, bits 16 to 30).
 */
KMDFHOST_API int KhCrtRand(void);
KMDFHOST_API void KhCrtSrand(unsigned int Seed);

/* _putws and fputws: the text as UTF-8 (fputws without a newline). */
KMDFHOST_API int KhCrtPutws(const wchar_t *Text);
KMDFHOST_API int KhCrtFputws(const wchar_t *Text, FILE *Stream);

/* wmain, the entry point of a _UNICODE program: C linkage, as the Microsoft compiler
   gives it, so that the main in crt/wmain.c finds a C++ program's wmain. */
#ifdef __cplusplus
int wmain(int argc, wchar_t **argv);
#endif

#define printf KhCrtPrintf
#undef RAND_MAX
#define RAND_MAX 0x7fff
#define rand KhCrtRand
#define srand KhCrtSrand
#ifdef __cplusplus
} /* extern "C" */
namespace std {
using ::KhCrtRand; /* std::rand */
using ::KhCrtSrand;
/* std::printf and the rest, which the macros below make std::KhCrtPrintf ... */
using ::KhCrtPrintf;
using ::KhCrtVprintf;
using ::KhCrtFprintf;
using ::KhCrtVfprintf;
using ::KhCrtSprintf;
using ::KhCrtVsprintf;
using ::KhCrtSnprintf;
using ::KhCrtVsnprintf;
using ::KhCrtWprintf;
using ::KhCrtVwprintf;
using ::KhCrtFwprintf;
using ::KhCrtVfwprintf;
using ::KhCrtSwprintf;
using ::KhCrtVswprintf;
using ::KhCrtFputws;
} // namespace std
extern "C" {
#endif
#define vprintf KhCrtVprintf
#define fprintf KhCrtFprintf
#define vfprintf KhCrtVfprintf
#define sprintf KhCrtSprintf
#define vsprintf KhCrtVsprintf
#define snprintf KhCrtSnprintf
#define vsnprintf KhCrtVsnprintf
#define _snprintf KhCrtMsSnprintf
#define _vsnprintf KhCrtMsVsnprintf
#define _scprintf KhCrtScprintf
#define _vscprintf KhCrtVscprintf
#define wprintf KhCrtWprintf
#define vwprintf KhCrtVwprintf
#define fwprintf KhCrtFwprintf
#define vfwprintf KhCrtVfwprintf
#define swprintf KhCrtSwprintf
#define vswprintf KhCrtVswprintf
#define _snwprintf KhCrtMsSnwprintf
#define _vsnwprintf KhCrtMsVsnwprintf
#define _scwprintf KhCrtScwprintf
#define _vscwprintf KhCrtVscwprintf
#define _putws KhCrtPutws
#define fputws KhCrtFputws

/* The Microsoft C runtime's other names for standard functions. */
#define _stricmp strcasecmp
#define _strnicmp strncasecmp
#define stricmp strcasecmp
#define strnicmp strncasecmp
#define _strdup strdup
#define _atoi64(s) strtoll((s), NULL, 10)
#define _strtoui64 strtoull
#define _strtoi64 strtoll
#ifndef KMDFHOST_WCHAR16 /* else kmdfhost_wchar16.h */
#define _wcsicmp wcscasecmp
#define _wcsnicmp wcsncasecmp
#define _wcsdup wcsdup
#define _wtoi(s) ((int)wcstol((s), NULL, 10))
#define _wtol(s) wcstol((s), NULL, 10)
#define _wtoi64(s) wcstoll((s), NULL, 10)
#define _wcstoui64 wcstoull
#define _wcstoi64 wcstoll
#endif
#define _countof(a) (sizeof(a) / sizeof((a)[0]))
#define _TRUNCATE ((size_t)-1)
#ifndef _MAX_PATH
#define _MAX_PATH 260
#endif

#ifndef __cdecl
#define __cdecl
#endif

#ifdef __cplusplus
}
#endif

#ifdef KMDFHOST_WCHAR16
#include "kmdfhost_wchar16.h"
#endif

#endif /* KMDFHOST_CRT_H */
