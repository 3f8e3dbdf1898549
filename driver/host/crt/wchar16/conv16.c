/*
 * conv16.c - UTF-16, UTF-8 and the platform's wchar_t (wchar16p.h). A surrogate pair is
 * one character; a lone surrogate is kept as its value (Windows' file and device names
 * may hold one), so text goes through the Win32 layer and back unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "wchar16p.h"

size_t KhWchar16DecodeUtf8(const unsigned char *Text, uint32_t *Code)
{
    unsigned char c = Text[0];
    size_t Length;
    uint32_t Value;
    if (c < 0x80u) {
        *Code = c;
        return 1;
    } else if (c >= 0xC2u && c < 0xE0u) {
        Length = 2;
        Value = c & 0x1Fu;
    } else if (c >= 0xE0u && c < 0xF0u) {
        Length = 3;
        Value = c & 0x0Fu;
    } else if (c >= 0xF0u && c < 0xF5u) {
        Length = 4;
        Value = c & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < Length; i++) {
        if ((Text[i] & 0xC0u) != 0x80u) {
            return 0;
        }
        Value = (Value << 6) | (Text[i] & 0x3Fu);
    }
    /* Overlong forms, surrogates and values above U+10FFFF are not UTF-8. */
    if ((Length == 3 && Value < 0x800u) || (Length == 4 && (Value < 0x10000u || Value > 0x10FFFFu)) ||
        (Value >= 0xD800u && Value < 0xE000u)) {
        return 0;
    }
    *Code = Value;
    return Length;
}

size_t KhWchar16EncodeUtf8(uint32_t Code, char *Buffer)
{
    if (Code > 0x10FFFFu) {
        Code = 0xFFFDu;
    }
    if (Code < 0x80u) {
        Buffer[0] = (char)Code;
        return 1;
    }
    if (Code < 0x800u) {
        Buffer[0] = (char)(0xC0u | (Code >> 6));
        Buffer[1] = (char)(0x80u | (Code & 0x3Fu));
        return 2;
    }
    if (Code < 0x10000u) {
        Buffer[0] = (char)(0xE0u | (Code >> 12));
        Buffer[1] = (char)(0x80u | ((Code >> 6) & 0x3Fu));
        Buffer[2] = (char)(0x80u | (Code & 0x3Fu));
        return 3;
    }
    Buffer[0] = (char)(0xF0u | (Code >> 18));
    Buffer[1] = (char)(0x80u | ((Code >> 12) & 0x3Fu));
    Buffer[2] = (char)(0x80u | ((Code >> 6) & 0x3Fu));
    Buffer[3] = (char)(0x80u | (Code & 0x3Fu));
    return 4;
}

size_t KhWchar16Encode(uint32_t Code, uint16_t *Units)
{
    if (Code > 0x10FFFFu) {
        Code = 0xFFFDu;
    }
    if (Code < 0x10000u) {
        Units[0] = (uint16_t)Code;
        return 1;
    }
    Code -= 0x10000u;
    Units[0] = (uint16_t)(0xD800u + (Code >> 10));
    Units[1] = (uint16_t)(0xDC00u + (Code & 0x3FFu));
    return 2;
}

uint32_t KhWchar16Next(const uint16_t *Units, size_t *i)
{
    uint32_t Code = Units[*i];
    (*i)++;
    if (Code >= 0xD800u && Code < 0xDC00u && Units[*i] >= 0xDC00u && Units[*i] < 0xE000u) {
        Code = 0x10000u + ((Code - 0xD800u) << 10) + (Units[*i] - 0xDC00u);
        (*i)++;
    }
    return Code;
}

static size_t Length16(const uint16_t *Text)
{
    size_t n = 0;
    while (Text[n] != 0) {
        n++;
    }
    return n;
}

char *KhWchar16ToUtf8(const uint16_t *Text)
{
    size_t Count = Length16(Text);
    char *Utf8 = malloc(Count * 3 + 1); /* a unit is at most 3 bytes, a pair 4 */
    if (Utf8 == NULL) {
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < Count;) {
        n += KhWchar16EncodeUtf8(KhWchar16Next(Text, &i), Utf8 + n);
    }
    Utf8[n] = '\0';
    return Utf8;
}

wchar_t *KhWchar16ToWideN(const uint16_t *Text, size_t Count, size_t *Chars)
{
    wchar_t *Wide = malloc((Count + 1) * sizeof(wchar_t));
    if (Wide == NULL) {
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < Count;) {
        /* A pair split by Count (its low half beyond) stays a lone high surrogate. */
        uint32_t Code = Text[i];
        if (Code >= 0xD800u && Code < 0xDC00u && i + 1 < Count) {
            Code = KhWchar16Next(Text, &i);
        } else {
            i++;
        }
        Wide[n++] = (wchar_t)Code;
    }
    Wide[n] = L'\0';
    if (Chars != NULL) {
        *Chars = n;
    }
    return Wide;
}

wchar_t *KhWchar16ToWide(const uint16_t *Text)
{
    return KhWchar16ToWideN(Text, Length16(Text), NULL);
}

size_t KhWchar16UnitsOf(const wchar_t *Text, size_t Count)
{
    size_t Units = 0;
    for (size_t i = 0; i < Count; i++) {
        Units += (uint32_t)Text[i] >= 0x10000u && (uint32_t)Text[i] <= 0x10FFFFu ? 2 : 1;
    }
    return Units;
}

uint16_t *KhWchar16FromWideN(const wchar_t *Text, size_t Count, size_t *Units)
{
    size_t Needed = KhWchar16UnitsOf(Text, Count);
    uint16_t *Utf16 = malloc((Needed + 1) * sizeof(uint16_t));
    if (Utf16 == NULL) {
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < Count; i++) {
        n += KhWchar16Encode((uint32_t)Text[i], Utf16 + n);
    }
    Utf16[n] = 0;
    if (Units != NULL) {
        *Units = n;
    }
    return Utf16;
}
