/*
 * string.c - conversions between the kernel half's UTF-8 strings (kmdfhost.h) and the
 * platform's wchar_t strings that the W functions take (UTF-32 on Linux). Independent of
 * the C locale on purpose: the process's locale is the application's business.
 */
#include <stdlib.h>

#include "win32/win32p.h"

_Static_assert(sizeof(wchar_t) == 4, "the Win32 surface expects a 32-bit wchar_t");

/* Decodes one UTF-8 sequence at *Text; returns the code point or -1 when invalid. */
static long DecodeUtf8(const unsigned char **Text)
{
    const unsigned char *p = *Text;
    long Code;
    int More;
    if (p[0] < 0x80) {
        Code = p[0];
        More = 0;
    } else if ((p[0] & 0xE0) == 0xC0) {
        Code = p[0] & 0x1F;
        More = 1;
    } else if ((p[0] & 0xF0) == 0xE0) {
        Code = p[0] & 0x0F;
        More = 2;
    } else if ((p[0] & 0xF8) == 0xF0) {
        Code = p[0] & 0x07;
        More = 3;
    } else {
        return -1;
    }
    for (int i = 1; i <= More; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return -1;
        }
        Code = (Code << 6) | (p[i] & 0x3F);
    }
    static const long Minimum[] = {0, 0x80, 0x800, 0x10000};
    if (Code < Minimum[More] || Code > 0x10FFFF || (Code >= 0xD800 && Code <= 0xDFFF)) {
        return -1;
    }
    *Text = p + More + 1;
    return Code;
}

wchar_t *KhW32Utf8ToWide(const char *Utf8)
{
    size_t Count = 0;
    const unsigned char *p = (const unsigned char *)Utf8;
    while (*p != 0) {
        if (DecodeUtf8(&p) < 0) {
            return NULL;
        }
        Count++;
    }
    wchar_t *Wide = malloc((Count + 1) * sizeof(wchar_t));
    if (Wide == NULL) {
        return NULL;
    }
    p = (const unsigned char *)Utf8;
    for (size_t i = 0; i < Count; i++) {
        Wide[i] = (wchar_t)DecodeUtf8(&p);
    }
    Wide[Count] = L'\0';
    return Wide;
}

size_t KhW32EncodeUtf8(uint32_t Code, char *Out)
{
    if (Code < 0x80) {
        if (Out) Out[0] = (char)Code;
        return 1;
    }
    if (Code < 0x800) {
        if (Out) {
            Out[0] = (char)(0xC0 | (Code >> 6));
            Out[1] = (char)(0x80 | (Code & 0x3F));
        }
        return 2;
    }
    if (Code < 0x10000) {
        if (Out) {
            Out[0] = (char)(0xE0 | (Code >> 12));
            Out[1] = (char)(0x80 | ((Code >> 6) & 0x3F));
            Out[2] = (char)(0x80 | (Code & 0x3F));
        }
        return 3;
    }
    if (Out) {
        Out[0] = (char)(0xF0 | (Code >> 18));
        Out[1] = (char)(0x80 | ((Code >> 12) & 0x3F));
        Out[2] = (char)(0x80 | ((Code >> 6) & 0x3F));
        Out[3] = (char)(0x80 | (Code & 0x3F));
    }
    return 4;
}

char *KhW32WideToUtf8(const wchar_t *Wide)
{
    size_t Bytes = 0;
    for (const wchar_t *p = Wide; *p != L'\0'; p++) {
        unsigned long Code = (unsigned long)(uint32_t)*p;
        if (Code > 0x10FFFF || (Code >= 0xD800 && Code <= 0xDFFF)) {
            return NULL;
        }
        Bytes += KhW32EncodeUtf8((uint32_t)Code, NULL);
    }
    char *Utf8 = malloc(Bytes + 1);
    if (Utf8 == NULL) {
        return NULL;
    }
    size_t At = 0;
    for (const wchar_t *p = Wide; *p != L'\0'; p++) {
        At += KhW32EncodeUtf8((uint32_t)*p, Utf8 + At);
    }
    Utf8[At] = '\0';
    return Utf8;
}

uint16_t *KhW32WideToUtf16(const wchar_t *Wide, size_t *Units)
{
    size_t Count = 0;
    for (const wchar_t *p = Wide; *p != L'\0'; p++) {
        unsigned long Code = (unsigned long)(uint32_t)*p;
        if (Code > 0x10FFFF || (Code >= 0xD800 && Code <= 0xDFFF)) {
            return NULL;
        }
        Count += Code >= 0x10000 ? 2 : 1;
    }
    uint16_t *Utf16 = malloc((Count + 1) * sizeof(uint16_t));
    if (Utf16 == NULL) {
        return NULL;
    }
    size_t At = 0;
    for (const wchar_t *p = Wide; *p != L'\0'; p++) {
        unsigned long Code = (unsigned long)(uint32_t)*p;
        if (Code >= 0x10000) {
            Code -= 0x10000;
            Utf16[At++] = (uint16_t)(0xD800 | (Code >> 10));
            Utf16[At++] = (uint16_t)(0xDC00 | (Code & 0x3FF));
        } else {
            Utf16[At++] = (uint16_t)Code;
        }
    }
    Utf16[At] = 0;
    *Units = Count;
    return Utf16;
}
