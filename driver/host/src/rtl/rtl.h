/*
 * rtl.h - what the runtime library (src/rtl) offers the other host components, beyond
 * the Rtl* routines drivers call (km/wdm.h): UTF-8/UTF-16 conversions between host
 * strings and UNICODE_STRINGs, and a case-insensitive ASCII comparison.
 */
#ifndef KH_RTL_H
#define KH_RTL_H

#include <stdbool.h>
#include <stddef.h>

#include <ntddk.h>

/* UTF-16 (Units code units) to UTF-8 into Out (Size bytes, NUL-terminated when Size > 0);
   returns the full UTF-8 length. Unpaired surrogates become U+FFFD. */
size_t KhUtf16ToUtf8(const WCHAR *Text, size_t Units, char *Out, size_t Size);
/* UTF-8 (Length bytes) to UTF-16 into Out (Size units); returns the full length in units. */
size_t KhUtf8ToUtf16(const char *Text, size_t Length, WCHAR *Out, size_t Size);
/* Builds a UNICODE_STRING from UTF-8 in host memory (free with KhFreeHostUnicodeString). */
bool KhHostUnicodeString(const char *Text, PUNICODE_STRING String);
void KhFreeHostUnicodeString(PUNICODE_STRING String);
/* A UNICODE_STRING as a malloc'ed UTF-8 C string (NULL when out of memory). */
char *KhUnicodeStringToUtf8(PCUNICODE_STRING String);
/* Case-insensitive comparison of two UTF-8 strings for ASCII letters. */
int KhStrCaseCmp(const char *A, const char *B);

#endif /* KH_RTL_H */
