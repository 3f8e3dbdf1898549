/*
 * wcrt16.c - the wide C runtime of programs whose wchar_t is 16 bits, as on Windows
 * (scripts/build-host-app; include/um/kmdfhost_wchar16.h maps wcslen to KhCrt16_wcslen
 * and so on). Part of libkmdfhost_wchar16.a, which only 16-bit programs link.
 *
 * This file is compiled with the platform's wchar_t: the strings here are uint16_t
 * arrays, UTF-16 code units, which is what the program's wchar_t arrays are. The
 * functions follow the Microsoft C runtime's documentation ("wcslen", "strcmp, wcscmp",
 * "_stricmp, _wcsicmp" (both strings converted to lowercase before comparing), "strtol,
 * wcstol" (long is 32 bits on Windows: LONG_MAX or LONG_MIN with ERANGE on overflow),
 * "strtoul, wcstoul" (ULONG_MAX with ERANGE; a minus sign negates the result), ...).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "wchar16p.h"

typedef uint16_t WC16;

size_t KhCrt16_wcslen(const WC16 *String)
{
    size_t n = 0;
    while (String[n] != 0) {
        n++;
    }
    return n;
}

size_t KhCrt16_wcsnlen(const WC16 *String, size_t MaxCount)
{
    size_t n = 0;
    while (n < MaxCount && String[n] != 0) {
        n++;
    }
    return n;
}

WC16 *KhCrt16_wcscpy(WC16 *Destination, const WC16 *Source)
{
    memmove(Destination, Source, (KhCrt16_wcslen(Source) + 1) * sizeof(WC16));
    return Destination;
}

/* "If count is greater than the length of strSource, the destination string is padded
   with null characters up to length count"; no NUL when Source is Count long or more. */
WC16 *KhCrt16_wcsncpy(WC16 *Destination, const WC16 *Source, size_t Count)
{
    size_t n = KhCrt16_wcsnlen(Source, Count);
    memmove(Destination, Source, n * sizeof(WC16));
    for (size_t i = n; i < Count; i++) {
        Destination[i] = 0;
    }
    return Destination;
}

WC16 *KhCrt16_wcscat(WC16 *Destination, const WC16 *Source)
{
    KhCrt16_wcscpy(Destination + KhCrt16_wcslen(Destination), Source);
    return Destination;
}

/* At most Count characters of Source, then always a NUL. */
WC16 *KhCrt16_wcsncat(WC16 *Destination, const WC16 *Source, size_t Count)
{
    WC16 *End = Destination + KhCrt16_wcslen(Destination);
    size_t n = KhCrt16_wcsnlen(Source, Count);
    memmove(End, Source, n * sizeof(WC16));
    End[n] = 0;
    return Destination;
}

int KhCrt16_wcsncmp(const WC16 *String1, const WC16 *String2, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        if (String1[i] != String2[i]) {
            return String1[i] < String2[i] ? -1 : 1;
        }
        if (String1[i] == 0) {
            break;
        }
    }
    return 0;
}

int KhCrt16_wcscmp(const WC16 *String1, const WC16 *String2)
{
    return KhCrt16_wcsncmp(String1, String2, SIZE_MAX);
}

static WC16 Lower(WC16 c)
{
    return (WC16)towlower(c);
}

int KhCrt16__wcsnicmp(const WC16 *String1, const WC16 *String2, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        WC16 a = Lower(String1[i]);
        WC16 b = Lower(String2[i]);
        if (a != b) {
            return a < b ? -1 : 1;
        }
        if (a == 0) {
            break;
        }
    }
    return 0;
}

int KhCrt16__wcsicmp(const WC16 *String1, const WC16 *String2)
{
    return KhCrt16__wcsnicmp(String1, String2, SIZE_MAX);
}

/* The terminating NUL is part of the string: wcschr(s, 0) finds it. */
WC16 *KhCrt16_wcschr(const WC16 *String, WC16 Character)
{
    for (;; String++) {
        if (*String == Character) {
            return (WC16 *)String;
        }
        if (*String == 0) {
            return NULL;
        }
    }
}

WC16 *KhCrt16_wcsrchr(const WC16 *String, WC16 Character)
{
    const WC16 *Found = NULL;
    for (;; String++) {
        if (*String == Character) {
            Found = String;
        }
        if (*String == 0) {
            return (WC16 *)Found;
        }
    }
}

WC16 *KhCrt16_wcsstr(const WC16 *String, const WC16 *Search)
{
    size_t n = KhCrt16_wcslen(Search);
    for (; *String != 0 || n == 0; String++) {
        if (KhCrt16_wcsncmp(String, Search, n) == 0) {
            return (WC16 *)String;
        }
    }
    return NULL;
}

size_t KhCrt16_wcsspn(const WC16 *String, const WC16 *Set)
{
    size_t n = 0;
    while (String[n] != 0 && KhCrt16_wcschr(Set, String[n]) != NULL) {
        n++;
    }
    return n;
}

size_t KhCrt16_wcscspn(const WC16 *String, const WC16 *Set)
{
    size_t n = 0;
    while (String[n] != 0 && KhCrt16_wcschr(Set, String[n]) == NULL) {
        n++;
    }
    return n;
}

WC16 *KhCrt16_wcspbrk(const WC16 *String, const WC16 *Set)
{
    size_t n = KhCrt16_wcscspn(String, Set);
    return String[n] != 0 ? (WC16 *)String + n : NULL;
}

WC16 *KhCrt16__wcsdup(const WC16 *String)
{
    if (String == NULL) {
        return NULL;
    }
    size_t Size = (KhCrt16_wcslen(String) + 1) * sizeof(WC16);
    WC16 *Copy = malloc(Size);
    if (Copy != NULL) {
        memcpy(Copy, String, Size);
    }
    return Copy;
}

WC16 *KhCrt16__wcslwr(WC16 *String)
{
    for (WC16 *p = String; *p != 0; p++) {
        *p = (WC16)towlower(*p);
    }
    return String;
}

WC16 *KhCrt16__wcsupr(WC16 *String)
{
    for (WC16 *p = String; *p != 0; p++) {
        *p = (WC16)towupper(*p);
    }
    return String;
}

/* ------------------------------------------------------------------ numbers */

/*
 * Converts with the C library's strtoull: the run of ASCII characters after the
 * leading white space (a number is ASCII) is copied into a narrow buffer. *Negative
 * tells whether a minus sign came first; the magnitude is returned, ULLONG_MAX with
 * *Overflow on overflow. *End (when not NULL) points after the number, or at String
 * when there is none.
 */
static unsigned long long Convert(const WC16 *String, WC16 **End, int Base, bool *Negative,
                                  bool *Overflow)
{
    *Negative = false;
    *Overflow = false;
    const WC16 *p = String;
    while (*p != 0 && iswspace(*p)) {
        p++;
    }
    size_t n = 0;
    while (p[n] != 0 && p[n] < 0x80u) {
        n++;
    }
    char Small[96];
    char *Narrow = n < sizeof(Small) ? Small : malloc(n + 1);
    if (Narrow == NULL) {
        if (End != NULL) {
            *End = (WC16 *)String;
        }
        errno = ENOMEM;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        Narrow[i] = (char)p[i];
    }
    Narrow[n] = '\0';
    const char *Digits = Narrow;
    if (*Digits == '+' || *Digits == '-') {
        *Negative = *Digits == '-';
        Digits++;
    }
    char *Stop = NULL;
    unsigned long long Value = 0;
    if (*Digits == '+' || *Digits == '-' || isspace((unsigned char)*Digits)) {
        Stop = Narrow; /* strtoull would accept a second sign or more space: no number */
    } else {
        int Saved = errno;
        errno = 0;
        Value = strtoull(Digits, &Stop, Base);
        if (errno == ERANGE) {
            *Overflow = true;
        } else if (errno == EINVAL) {
            Stop = Narrow;
        }
        if (errno != ERANGE) {
            errno = Saved;
        }
        if (Stop == Digits) {
            Stop = Narrow; /* no digits: nothing was converted */
        }
    }
    if (End != NULL) {
        *End = (WC16 *)(Stop == Narrow ? String : p + (Stop - Narrow));
    }
    if (Narrow != Small) {
        free(Narrow);
    }
    return Value;
}

/* Windows' long is 32 bits: LONG_MAX 0x7FFFFFFF, LONG_MIN -0x80000000. */
long KhCrt16_wcstol(const WC16 *String, WC16 **End, int Base)
{
    bool Negative;
    bool Overflow;
    unsigned long long Magnitude = Convert(String, End, Base, &Negative, &Overflow);
    if (!Negative && (Overflow || Magnitude > 0x7FFFFFFFull)) {
        errno = ERANGE;
        return 0x7FFFFFFFL;
    }
    if (Negative && (Overflow || Magnitude > 0x80000000ull)) {
        errno = ERANGE;
        return -0x7FFFFFFFL - 1;
    }
    return Negative ? -(long)Magnitude : (long)Magnitude;
}

/* ULONG_MAX (0xFFFFFFFF) on overflow; "-" negates the value, as strtoul does. */
unsigned long KhCrt16_wcstoul(const WC16 *String, WC16 **End, int Base)
{
    bool Negative;
    bool Overflow;
    unsigned long long Magnitude = Convert(String, End, Base, &Negative, &Overflow);
    if (Overflow || Magnitude > 0xFFFFFFFFull) {
        errno = ERANGE;
        return 0xFFFFFFFFul;
    }
    uint32_t Value = (uint32_t)Magnitude;
    return Negative ? (uint32_t)(0u - Value) : Value;
}

long long KhCrt16_wcstoll(const WC16 *String, WC16 **End, int Base)
{
    bool Negative;
    bool Overflow;
    unsigned long long Magnitude = Convert(String, End, Base, &Negative, &Overflow);
    if (!Negative && (Overflow || Magnitude > (unsigned long long)INT64_MAX)) {
        errno = ERANGE;
        return INT64_MAX;
    }
    if (Negative && (Overflow || Magnitude > (unsigned long long)INT64_MAX + 1u)) {
        errno = ERANGE;
        return INT64_MIN;
    }
    return Negative ? (long long)(0u - Magnitude) : (long long)Magnitude;
}

unsigned long long KhCrt16_wcstoull(const WC16 *String, WC16 **End, int Base)
{
    bool Negative;
    bool Overflow;
    unsigned long long Magnitude = Convert(String, End, Base, &Negative, &Overflow);
    if (Overflow) {
        errno = ERANGE;
        return UINT64_MAX;
    }
    return Negative ? 0u - Magnitude : Magnitude;
}

int KhCrt16__wtoi(const WC16 *String)
{
    return (int)KhCrt16_wcstol(String, NULL, 10);
}

long KhCrt16__wtol(const WC16 *String)
{
    return KhCrt16_wcstol(String, NULL, 10);
}

long long KhCrt16__wtoi64(const WC16 *String)
{
    return KhCrt16_wcstoll(String, NULL, 10);
}

/* ------------------------------------------------------------------ wmem* */

WC16 *KhCrt16_wmemcpy(WC16 *Destination, const WC16 *Source, size_t Count)
{
    memcpy(Destination, Source, Count * sizeof(WC16));
    return Destination;
}

WC16 *KhCrt16_wmemmove(WC16 *Destination, const WC16 *Source, size_t Count)
{
    memmove(Destination, Source, Count * sizeof(WC16));
    return Destination;
}

WC16 *KhCrt16_wmemset(WC16 *Destination, WC16 Character, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        Destination[i] = Character;
    }
    return Destination;
}

int KhCrt16_wmemcmp(const WC16 *Buffer1, const WC16 *Buffer2, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        if (Buffer1[i] != Buffer2[i]) {
            return Buffer1[i] < Buffer2[i] ? -1 : 1;
        }
    }
    return 0;
}

WC16 *KhCrt16_wmemchr(const WC16 *Buffer, WC16 Character, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        if (Buffer[i] == Character) {
            return (WC16 *)Buffer + i;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ conversions */

/*
 * mbstowcs: UTF-8 (the host's ANSI code page) to UTF-16. "If mbstowcs encounters an
 * invalid multibyte character, it returns -1"; with Destination NULL it returns the
 * length the conversion needs (without the NUL). At most Count units are stored, and
 * the NUL only when it fits.
 */
size_t KhCrt16_mbstowcs(WC16 *Destination, const char *Source, size_t Count)
{
    size_t Units = 0;
    const unsigned char *p = (const unsigned char *)Source;
    while (*p != 0) {
        uint32_t Code;
        size_t Length = KhWchar16DecodeUtf8(p, &Code);
        if (Length == 0) {
            errno = EILSEQ;
            return (size_t)-1;
        }
        p += Length;
        WC16 Pair[2];
        size_t n = KhWchar16Encode(Code, Pair);
        if (Destination != NULL) {
            if (Units + n > Count) {
                return Units;
            }
            memcpy(Destination + Units, Pair, n * sizeof(WC16));
        }
        Units += n;
    }
    if (Destination != NULL && Units < Count) {
        Destination[Units] = 0;
    }
    return Units;
}

/*
 * wcstombs: UTF-16 to UTF-8; -1 for a unit that is no character (a lone surrogate). With
 * Destination NULL, the bytes the conversion needs (without the NUL). At most Count
 * bytes, never a partial character, the NUL when it fits.
 */
size_t KhCrt16_wcstombs(char *Destination, const WC16 *Source, size_t Count)
{
    size_t Bytes = 0;
    for (size_t i = 0; Source[i] != 0; i++) {
        uint32_t Code = Source[i];
        if (Code >= 0xD800u && Code < 0xDC00u && Source[i + 1] >= 0xDC00u && Source[i + 1] < 0xE000u) {
            Code = 0x10000u + ((Code - 0xD800u) << 10) + (Source[i + 1] - 0xDC00u);
            i++;
        } else if (Code >= 0xD800u && Code < 0xE000u) {
            errno = EILSEQ;
            return (size_t)-1;
        }
        char Utf8[4];
        size_t n = KhWchar16EncodeUtf8(Code, Utf8);
        if (Destination != NULL) {
            if (Bytes + n > Count) {
                return Bytes;
            }
            memcpy(Destination + Bytes, Utf8, n);
        }
        Bytes += n;
    }
    if (Destination != NULL && Bytes < Count) {
        Destination[Bytes] = '\0';
    }
    return Bytes;
}

/* _wfopen: the names as UTF-8 (what the host's file names are), then fopen. */
FILE *KhCrt16__wfopen(const WC16 *FileName, const WC16 *Mode)
{
    if (FileName == NULL || Mode == NULL) {
        errno = EINVAL;
        return NULL;
    }
    char *Name = KhWchar16ToUtf8(FileName);
    char *Flags = KhWchar16ToUtf8(Mode);
    FILE *File = NULL;
    if (Name == NULL || Flags == NULL) {
        errno = errno != 0 ? errno : ENOMEM;
    } else {
        File = fopen(Name, Flags);
    }
    free(Name);
    free(Flags);
    return File;
}
