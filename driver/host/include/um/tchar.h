/*
 * tchar.h - generic-text names of the Microsoft C runtime (the basics), for programs
 * built with scripts/build-host-app. _UNICODE picks the wide functions, as in the SDK.
 * A program whose entry point is wmain (_tmain with _UNICODE) is started through it:
 * scripts/build-host-app links a main that converts the arguments to wide strings.
 */
#ifndef KMDFHOST_UM_TCHAR_H
#define KMDFHOST_UM_TCHAR_H

#include "kmdfhost_crt.h"

#ifdef _UNICODE
typedef wchar_t _TCHAR;
typedef wchar_t _TSCHAR;
typedef wchar_t _TUCHAR;
typedef wint_t _TINT;
#define __T(x) L##x
#define _tmain wmain
#define _tprintf wprintf
#define _ftprintf fwprintf
#define _stprintf swprintf
#define _sntprintf _snwprintf
#define _vtprintf vwprintf
#define _vsntprintf _vsnwprintf
#define _tcslen wcslen
#define _tcscpy wcscpy
#define _tcsncpy wcsncpy
#define _tcscat wcscat
#define _tcscmp wcscmp
#define _tcsncmp wcsncmp
#define _tcsicmp _wcsicmp
#define _tcsnicmp _wcsnicmp
#define _tcschr wcschr
#define _tcsrchr wcsrchr
#define _tcsstr wcsstr
#define _tcsdup _wcsdup
#define _tcstol wcstol
#define _tcstoul wcstoul
#define _ttoi _wtoi
#define _tstoi _wtoi
#define _ttol _wtol
#define _totupper towupper
#define _totlower towlower
#else
typedef char _TCHAR;
typedef signed char _TSCHAR;
typedef unsigned char _TUCHAR;
typedef int _TINT;
#define __T(x) x
#define _tmain main
#define _tprintf printf
#define _ftprintf fprintf
#define _stprintf sprintf
#define _sntprintf _snprintf
#define _vtprintf vprintf
#define _vsntprintf _vsnprintf
#define _tcslen strlen
#define _tcscpy strcpy
#define _tcsncpy strncpy
#define _tcscat strcat
#define _tcscmp strcmp
#define _tcsncmp strncmp
#define _tcsicmp _stricmp
#define _tcsnicmp _strnicmp
#define _tcschr strchr
#define _tcsrchr strrchr
#define _tcsstr strstr
#define _tcsdup _strdup
#define _tcstol strtol
#define _tcstoul strtoul
#define _ttoi atoi
#define _tstoi atoi
#define _ttol atol
#define _totupper toupper
#define _totlower tolower
#endif
#define _T(x) __T(x)
#define _TEXT(x) __T(x)

#endif /* KMDFHOST_UM_TCHAR_H */
