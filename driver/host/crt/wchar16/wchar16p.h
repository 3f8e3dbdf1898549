/*
 * wchar16p.h - conversions shared by the files of libkmdfhost_wchar16.a (the 16-bit
 * wchar_t support of scripts/build-host-app programs): UTF-16 (the program's wchar_t)
 * to and from UTF-8 and the platform's 32-bit wchar_t (the host's Win32 layer).
 */
#ifndef KMDFHOST_WCHAR16P_H
#define KMDFHOST_WCHAR16P_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* One UTF-8 character at Text: its length in bytes, 0 when invalid; *Code its value. */
size_t KhWchar16DecodeUtf8(const unsigned char *Text, uint32_t *Code);
/* Code as UTF-8 into Buffer (4 bytes); the length. */
size_t KhWchar16EncodeUtf8(uint32_t Code, char *Buffer);
/* Code as UTF-16 into Units (2 units: a surrogate pair above U+FFFF); the count. */
size_t KhWchar16Encode(uint32_t Code, uint16_t *Units);
/* The next character of UTF-16 text at Units[*i] (a pair joined; a lone surrogate as
   it is), *i advanced past it. */
uint32_t KhWchar16Next(const uint16_t *Units, size_t *i);

/* A NUL-terminated UTF-16 string as a new UTF-8 string (NULL: out of memory). */
char *KhWchar16ToUtf8(const uint16_t *Text);
/* A NUL-terminated UTF-16 string as a new wchar_t string; NULL when out of memory. */
wchar_t *KhWchar16ToWide(const uint16_t *Text);
/* Count units of UTF-16 as a new wchar_t string of *Chars characters (NUL added). */
wchar_t *KhWchar16ToWideN(const uint16_t *Text, size_t Count, size_t *Chars);
/* Count wchar_t characters as a new UTF-16 string of *Units units (NUL added). */
uint16_t *KhWchar16FromWideN(const wchar_t *Text, size_t Count, size_t *Units);
/* The UTF-16 length of Count wchar_t characters. */
size_t KhWchar16UnitsOf(const wchar_t *Text, size_t Count);

#endif /* KMDFHOST_WCHAR16P_H */
