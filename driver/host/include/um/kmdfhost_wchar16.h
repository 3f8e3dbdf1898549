/*
 * kmdfhost_wchar16.h - Windows' 16-bit wchar_t for the programs of
 * scripts/build-host-app. kmdfhost_crt.h includes it when the program is compiled with a
 * 16-bit wchar_t (-fshort-wchar, what build-host-app does unless --wchar32): WCHAR,
 * L"..." literals and wchar_t arrays then have the layout they have on Windows, so the
 * text a program puts into an IOCTL buffer is the UTF-16 a driver (whose WCHAR is 16
 * bits) reads.
 *
 * The host's Win32 layer keeps the platform's 32-bit wchar_t (the Java client passes
 * that through JNA), and the C library's wide functions take 32-bit strings too. So,
 * in a 16-bit program:
 * - every W function the um headers declare is a macro for a variant of its own
 *   (CreateFileW is KhW16_CreateFileW, ...) in libkmdfhost_wchar16.a, which build-host-app
 *   links into 16-bit programs only: it converts UTF-16 to the platform's wchar_t and
 *   back at the boundary (surrogate pairs are one character there) and calls the Win32
 *   layer. tests/wchar16 (wchar16_w_functions) fails when a W function has no variant;
 * - the wide C runtime a Windows program uses (wcslen ... wcstoul, _wcsicmp, mbstowcs,
 *   _wfopen) is KhCrt16_<name>, of the same library, with the Microsoft C runtime's
 *   semantics (wcstol and wcstoul convert to 32-bit long and unsigned long, as long is on
 *   Windows, and return LONG_MAX/LONG_MIN or ULONG_MAX of Windows with ERANGE on
 *   overflow; text is UTF-8 where the C runtime would use the ANSI code page, which is
 *   UTF-8 on the host); the printf family is KhCrt16* of libkmdfhost (src/win32/format.c):
 *   Microsoft's format language with UTF-16 wide strings;
 * - the C library's other wide functions would read and write 32-bit units: they are
 *   declared unavailable, so that a call fails to compile with a message that names the
 *   reason (build the program with --wchar32 if it needs them);
 * - towupper, towlower and the isw* classes are the C library's: they take a character
 *   (wint_t), not a string, and mean the same with either width;
 * - C++: libstdc++'s wide library (std::wstring, std::wcout, the w streams ...) is
 *   compiled with the platform's 32-bit wchar_t and cannot work with 16-bit text: those
 *   names are poisoned, and build-host-app explains the error; such a program builds with
 *   --wchar32.
 */
#ifndef KMDFHOST_UM_WCHAR16_H
#define KMDFHOST_UM_WCHAR16_H

#if !defined(__SIZEOF_WCHAR_T__) || __SIZEOF_WCHAR_T__ != 2
#error "kmdfhost_wchar16.h is for programs compiled with a 16-bit wchar_t (-fshort-wchar)"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <wctype.h>
#include <inttypes.h>

/* ------------------------------------------------------------------ W functions */

/* One line per W function of the um headers (tests/wchar16 keeps the list complete). */
#define CreateEventW KhW16_CreateEventW
#define CreateFileW KhW16_CreateFileW
#define FormatMessageW KhW16_FormatMessageW
#define OutputDebugStringW KhW16_OutputDebugStringW
#define lstrlenW KhW16_lstrlenW
#define GetCurrentDirectoryW KhW16_GetCurrentDirectoryW
#define SetupDiGetClassDevsW KhW16_SetupDiGetClassDevsW
#define SetupDiGetDeviceInterfaceDetailW KhW16_SetupDiGetDeviceInterfaceDetailW
#define SetupDiGetDeviceInstanceIdW KhW16_SetupDiGetDeviceInstanceIdW
#define SetupDiGetDeviceRegistryPropertyW KhW16_SetupDiGetDeviceRegistryPropertyW
#define CM_Get_DevNode_Registry_PropertyW KhW16_CM_Get_DevNode_Registry_PropertyW
#define CM_Get_Device_Interface_List_SizeW KhW16_CM_Get_Device_Interface_List_SizeW
#define CM_Get_Device_Interface_ListW KhW16_CM_Get_Device_Interface_ListW
#define OpenSCManagerW KhW16_OpenSCManagerW
#define CreateServiceW KhW16_CreateServiceW
#define OpenServiceW KhW16_OpenServiceW
#define StartServiceW KhW16_StartServiceW

/* ------------------------------------------------------------------ wide C runtime */

#ifdef __cplusplus
extern "C" {
#endif

size_t KhCrt16_wcslen(const wchar_t *String);
size_t KhCrt16_wcsnlen(const wchar_t *String, size_t MaxCount);
wchar_t *KhCrt16_wcscpy(wchar_t *Destination, const wchar_t *Source);
wchar_t *KhCrt16_wcsncpy(wchar_t *Destination, const wchar_t *Source, size_t Count);
wchar_t *KhCrt16_wcscat(wchar_t *Destination, const wchar_t *Source);
wchar_t *KhCrt16_wcsncat(wchar_t *Destination, const wchar_t *Source, size_t Count);
int KhCrt16_wcscmp(const wchar_t *String1, const wchar_t *String2);
int KhCrt16_wcsncmp(const wchar_t *String1, const wchar_t *String2, size_t Count);
int KhCrt16__wcsicmp(const wchar_t *String1, const wchar_t *String2);
int KhCrt16__wcsnicmp(const wchar_t *String1, const wchar_t *String2, size_t Count);
wchar_t *KhCrt16_wcschr(const wchar_t *String, wchar_t Character);
wchar_t *KhCrt16_wcsrchr(const wchar_t *String, wchar_t Character);
wchar_t *KhCrt16_wcsstr(const wchar_t *String, const wchar_t *Search);
wchar_t *KhCrt16_wcspbrk(const wchar_t *String, const wchar_t *Set);
size_t KhCrt16_wcsspn(const wchar_t *String, const wchar_t *Set);
size_t KhCrt16_wcscspn(const wchar_t *String, const wchar_t *Set);
wchar_t *KhCrt16__wcsdup(const wchar_t *String);
wchar_t *KhCrt16__wcslwr(wchar_t *String);
wchar_t *KhCrt16__wcsupr(wchar_t *String);
long KhCrt16_wcstol(const wchar_t *String, wchar_t **End, int Base);
unsigned long KhCrt16_wcstoul(const wchar_t *String, wchar_t **End, int Base);
long long KhCrt16_wcstoll(const wchar_t *String, wchar_t **End, int Base);
unsigned long long KhCrt16_wcstoull(const wchar_t *String, wchar_t **End, int Base);
int KhCrt16__wtoi(const wchar_t *String);
long KhCrt16__wtol(const wchar_t *String);
long long KhCrt16__wtoi64(const wchar_t *String);
wchar_t *KhCrt16_wmemcpy(wchar_t *Destination, const wchar_t *Source, size_t Count);
wchar_t *KhCrt16_wmemmove(wchar_t *Destination, const wchar_t *Source, size_t Count);
wchar_t *KhCrt16_wmemset(wchar_t *Destination, wchar_t Character, size_t Count);
int KhCrt16_wmemcmp(const wchar_t *Buffer1, const wchar_t *Buffer2, size_t Count);
wchar_t *KhCrt16_wmemchr(const wchar_t *Buffer, wchar_t Character, size_t Count);
size_t KhCrt16_mbstowcs(wchar_t *Destination, const char *Source, size_t Count);
size_t KhCrt16_wcstombs(char *Destination, const wchar_t *Source, size_t Count);
FILE *KhCrt16__wfopen(const wchar_t *FileName, const wchar_t *Mode);

#ifdef __cplusplus
}
#endif

#undef wcslen
#define wcslen KhCrt16_wcslen
#undef wcsnlen
#define wcsnlen KhCrt16_wcsnlen
#undef wcscpy
#define wcscpy KhCrt16_wcscpy
#undef wcsncpy
#define wcsncpy KhCrt16_wcsncpy
#undef wcscat
#define wcscat KhCrt16_wcscat
#undef wcsncat
#define wcsncat KhCrt16_wcsncat
#undef wcscmp
#define wcscmp KhCrt16_wcscmp
#undef wcsncmp
#define wcsncmp KhCrt16_wcsncmp
#undef _wcsicmp
#define _wcsicmp KhCrt16__wcsicmp
#undef _wcsnicmp
#define _wcsnicmp KhCrt16__wcsnicmp
#undef wcsicmp
#define wcsicmp KhCrt16__wcsicmp
#undef wcsnicmp
#define wcsnicmp KhCrt16__wcsnicmp
#undef wcscasecmp
#define wcscasecmp KhCrt16__wcsicmp
#undef wcsncasecmp
#define wcsncasecmp KhCrt16__wcsnicmp
#undef wcschr
#define wcschr KhCrt16_wcschr
#undef wcsrchr
#define wcsrchr KhCrt16_wcsrchr
#undef wcsstr
#define wcsstr KhCrt16_wcsstr
#undef wcspbrk
#define wcspbrk KhCrt16_wcspbrk
#undef wcsspn
#define wcsspn KhCrt16_wcsspn
#undef wcscspn
#define wcscspn KhCrt16_wcscspn
#undef _wcsdup
#define _wcsdup KhCrt16__wcsdup
#undef wcsdup
#define wcsdup KhCrt16__wcsdup
#undef _wcslwr
#define _wcslwr KhCrt16__wcslwr
#undef _wcsupr
#define _wcsupr KhCrt16__wcsupr
#undef wcstol
#define wcstol KhCrt16_wcstol
#undef wcstoul
#define wcstoul KhCrt16_wcstoul
#undef wcstoll
#define wcstoll KhCrt16_wcstoll
#undef wcstoull
#define wcstoull KhCrt16_wcstoull
#undef _wcstoi64
#define _wcstoi64 KhCrt16_wcstoll
#undef _wcstoui64
#define _wcstoui64 KhCrt16_wcstoull
#undef _wtoi
#define _wtoi KhCrt16__wtoi
#undef _wtol
#define _wtol KhCrt16__wtol
#undef _wtoi64
#define _wtoi64 KhCrt16__wtoi64
#undef wmemcpy
#define wmemcpy KhCrt16_wmemcpy
#undef wmemmove
#define wmemmove KhCrt16_wmemmove
#undef wmemset
#define wmemset KhCrt16_wmemset
#undef wmemcmp
#define wmemcmp KhCrt16_wmemcmp
#undef wmemchr
#define wmemchr KhCrt16_wmemchr
#undef mbstowcs
#define mbstowcs KhCrt16_mbstowcs
#undef wcstombs
#define wcstombs KhCrt16_wcstombs
#undef _wfopen
#define _wfopen KhCrt16__wfopen

/*
 * The C library's other functions on wide strings or characters stored in memory: they
 * would read or write 32-bit units. A call does not compile, and says why.
 */
#define KH_WCHAR16_UNAVAILABLE_TEXT                                                        \
    "the C library's function takes a 32-bit wchar_t, and programs of build-host-app "     \
    "have Windows' 16-bit wchar_t (scripts/build-host-app --wchar32 builds with the "      \
    "platform's wchar_t)"
#ifdef __cplusplus
#define KH_WCHAR16_UNAVAILABLE(name)                                                       \
    extern "C" int KhCrt16_##name##_unavailable(const void *, ...)                         \
        __attribute__((unavailable(KH_WCHAR16_UNAVAILABLE_TEXT)));                         \
    namespace std {                                                                        \
    using ::KhCrt16_##name##_unavailable;                                                  \
    }
#else
#define KH_WCHAR16_UNAVAILABLE(name)                                                       \
    int KhCrt16_##name##_unavailable(const void *, ...)                                    \
        __attribute__((unavailable(KH_WCHAR16_UNAVAILABLE_TEXT)));
#endif
KH_WCHAR16_UNAVAILABLE(wcstod)
KH_WCHAR16_UNAVAILABLE(wcstof)
KH_WCHAR16_UNAVAILABLE(wcstold)
KH_WCHAR16_UNAVAILABLE(wcstoimax)
KH_WCHAR16_UNAVAILABLE(wcstoumax)
KH_WCHAR16_UNAVAILABLE(wcscoll)
KH_WCHAR16_UNAVAILABLE(wcsxfrm)
KH_WCHAR16_UNAVAILABLE(wcsftime)
KH_WCHAR16_UNAVAILABLE(wcstok)
KH_WCHAR16_UNAVAILABLE(wcpcpy)
KH_WCHAR16_UNAVAILABLE(wcpncpy)
KH_WCHAR16_UNAVAILABLE(wcschrnul)
KH_WCHAR16_UNAVAILABLE(wmempcpy)
KH_WCHAR16_UNAVAILABLE(wcswidth)
KH_WCHAR16_UNAVAILABLE(wcwidth)
KH_WCHAR16_UNAVAILABLE(wcrtomb)
KH_WCHAR16_UNAVAILABLE(mbrtowc)
KH_WCHAR16_UNAVAILABLE(mbsrtowcs)
KH_WCHAR16_UNAVAILABLE(wcsrtombs)
KH_WCHAR16_UNAVAILABLE(mbsnrtowcs)
KH_WCHAR16_UNAVAILABLE(wcsnrtombs)
KH_WCHAR16_UNAVAILABLE(mbtowc)
KH_WCHAR16_UNAVAILABLE(wctomb)
KH_WCHAR16_UNAVAILABLE(fgetws)
KH_WCHAR16_UNAVAILABLE(fgetwc)
KH_WCHAR16_UNAVAILABLE(getwc)
KH_WCHAR16_UNAVAILABLE(getwchar)
KH_WCHAR16_UNAVAILABLE(fputwc)
KH_WCHAR16_UNAVAILABLE(putwc)
KH_WCHAR16_UNAVAILABLE(putwchar)
KH_WCHAR16_UNAVAILABLE(ungetwc)
KH_WCHAR16_UNAVAILABLE(fwide)
KH_WCHAR16_UNAVAILABLE(swscanf)
KH_WCHAR16_UNAVAILABLE(wscanf)
KH_WCHAR16_UNAVAILABLE(fwscanf)
KH_WCHAR16_UNAVAILABLE(vswscanf)
KH_WCHAR16_UNAVAILABLE(vwscanf)
KH_WCHAR16_UNAVAILABLE(vfwscanf)
KH_WCHAR16_UNAVAILABLE(open_wmemstream)
#undef KH_WCHAR16_UNAVAILABLE
#undef wcstod
#define wcstod KhCrt16_wcstod_unavailable
#undef wcstof
#define wcstof KhCrt16_wcstof_unavailable
#undef wcstold
#define wcstold KhCrt16_wcstold_unavailable
#undef wcstoimax
#define wcstoimax KhCrt16_wcstoimax_unavailable
#undef wcstoumax
#define wcstoumax KhCrt16_wcstoumax_unavailable
#undef wcscoll
#define wcscoll KhCrt16_wcscoll_unavailable
#undef wcsxfrm
#define wcsxfrm KhCrt16_wcsxfrm_unavailable
#undef wcsftime
#define wcsftime KhCrt16_wcsftime_unavailable
#undef wcstok
#define wcstok KhCrt16_wcstok_unavailable
#undef wcpcpy
#define wcpcpy KhCrt16_wcpcpy_unavailable
#undef wcpncpy
#define wcpncpy KhCrt16_wcpncpy_unavailable
#undef wcschrnul
#define wcschrnul KhCrt16_wcschrnul_unavailable
#undef wmempcpy
#define wmempcpy KhCrt16_wmempcpy_unavailable
#undef wcswidth
#define wcswidth KhCrt16_wcswidth_unavailable
#undef wcwidth
#define wcwidth KhCrt16_wcwidth_unavailable
#undef wcrtomb
#define wcrtomb KhCrt16_wcrtomb_unavailable
#undef mbrtowc
#define mbrtowc KhCrt16_mbrtowc_unavailable
#undef mbsrtowcs
#define mbsrtowcs KhCrt16_mbsrtowcs_unavailable
#undef wcsrtombs
#define wcsrtombs KhCrt16_wcsrtombs_unavailable
#undef mbsnrtowcs
#define mbsnrtowcs KhCrt16_mbsnrtowcs_unavailable
#undef wcsnrtombs
#define wcsnrtombs KhCrt16_wcsnrtombs_unavailable
#undef mbtowc
#define mbtowc KhCrt16_mbtowc_unavailable
#undef wctomb
#define wctomb KhCrt16_wctomb_unavailable
#undef fgetws
#define fgetws KhCrt16_fgetws_unavailable
#undef fgetwc
#define fgetwc KhCrt16_fgetwc_unavailable
#undef getwc
#define getwc KhCrt16_getwc_unavailable
#undef getwchar
#define getwchar KhCrt16_getwchar_unavailable
#undef fputwc
#define fputwc KhCrt16_fputwc_unavailable
#undef putwc
#define putwc KhCrt16_putwc_unavailable
#undef putwchar
#define putwchar KhCrt16_putwchar_unavailable
#undef ungetwc
#define ungetwc KhCrt16_ungetwc_unavailable
#undef fwide
#define fwide KhCrt16_fwide_unavailable
#undef swscanf
#define swscanf KhCrt16_swscanf_unavailable
#undef wscanf
#define wscanf KhCrt16_wscanf_unavailable
#undef fwscanf
#define fwscanf KhCrt16_fwscanf_unavailable
#undef vswscanf
#define vswscanf KhCrt16_vswscanf_unavailable
#undef vwscanf
#define vwscanf KhCrt16_vwscanf_unavailable
#undef vfwscanf
#define vfwscanf KhCrt16_vfwscanf_unavailable
#undef open_wmemstream
#define open_wmemstream KhCrt16_open_wmemstream_unavailable

#ifdef __cplusplus
/* std::wcslen and the rest name the same functions, as <cwchar> makes them. */
namespace std {
using ::KhCrt16_wcslen;
using ::KhCrt16_wcsnlen;
using ::KhCrt16_wcscpy;
using ::KhCrt16_wcsncpy;
using ::KhCrt16_wcscat;
using ::KhCrt16_wcsncat;
using ::KhCrt16_wcscmp;
using ::KhCrt16_wcsncmp;
using ::KhCrt16_wcschr;
using ::KhCrt16_wcsrchr;
using ::KhCrt16_wcsstr;
using ::KhCrt16_wcspbrk;
using ::KhCrt16_wcsspn;
using ::KhCrt16_wcscspn;
using ::KhCrt16_wcstol;
using ::KhCrt16_wcstoul;
using ::KhCrt16_wcstoll;
using ::KhCrt16_wcstoull;
using ::KhCrt16_wmemcpy;
using ::KhCrt16_wmemmove;
using ::KhCrt16_wmemset;
using ::KhCrt16_wmemcmp;
using ::KhCrt16_wmemchr;
using ::KhCrt16_mbstowcs;
using ::KhCrt16_wcstombs;
} // namespace std

/* libstdc++'s wide library is compiled with a 32-bit wchar_t (see above). */
#pragma GCC poison wstring wstring_view wcout wcin wcerr wclog wostream wistream wiostream
#pragma GCC poison wstringstream wostringstream wistringstream wstringbuf wstreambuf
#pragma GCC poison wifstream wofstream wfstream wfilebuf wios to_wstring wregex wcmatch
#pragma GCC poison wsmatch wstreampos wstring_convert
#endif

#endif /* KMDFHOST_UM_WCHAR16_H */
