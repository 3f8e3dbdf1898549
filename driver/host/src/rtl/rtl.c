/*
 * rtl.c - the runtime library: counted strings, memory comparison, GUID strings,
 * version queries, and the UTF-8/UTF-16 conversions the host uses at its edges.
 *
 * Semantics follow the WDK documentation of each routine
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/). Case-insensitive
 * comparisons upcase with RtlUpcaseUnicodeChar, which the host implements for ASCII and
 * Latin-1; the ANSI code page of the host is Latin-1 (characters outside it become '?').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex/ex.h"
#include "ke/ke.h"
#include "rtl/rtl.h"

/* ------------------------------------------------------------------ UTF conversions */

size_t KhUtf16ToUtf8(const WCHAR *Text, size_t Units, char *Out, size_t Size)
{
    size_t length = 0;
    for (size_t i = 0; i < Units; i++) {
        uint32_t cp = Text[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < Units && Text[i + 1] >= 0xDC00 && Text[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (Text[i + 1] - 0xDC00u);
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        char bytes[4];
        size_t n;
        if (cp < 0x80) {
            bytes[0] = (char)cp;
            n = 1;
        } else if (cp < 0x800) {
            bytes[0] = (char)(0xC0 | (cp >> 6));
            bytes[1] = (char)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            bytes[0] = (char)(0xE0 | (cp >> 12));
            bytes[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            bytes[2] = (char)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            bytes[0] = (char)(0xF0 | (cp >> 18));
            bytes[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            bytes[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            bytes[3] = (char)(0x80 | (cp & 0x3F));
            n = 4;
        }
        for (size_t k = 0; k < n; k++) {
            if (length + 1 < Size) {
                Out[length] = bytes[k];
            }
            length++;
        }
    }
    if (Size > 0) {
        Out[length < Size ? length : Size - 1] = 0;
    }
    return length;
}

size_t KhUtf8ToUtf16(const char *Text, size_t Length, WCHAR *Out, size_t Size)
{
    const unsigned char *s = (const unsigned char *)Text;
    size_t units = 0;
    size_t i = 0;
    while (i < Length) {
        uint32_t cp;
        size_t extra;
        unsigned char c = s[i];
        if (c < 0x80) {
            cp = c;
            extra = 0;
        } else if ((c & 0xE0) == 0xC0) {
            cp = c & 0x1F;
            extra = 1;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0F;
            extra = 2;
        } else if ((c & 0xF8) == 0xF0) {
            cp = c & 0x07;
            extra = 3;
        } else {
            cp = 0xFFFD;
            extra = 0;
        }
        i++;
        for (size_t k = 0; k < extra; k++) {
            if (i >= Length || (s[i] & 0xC0) != 0x80) {
                cp = 0xFFFD;
                break;
            }
            cp = (cp << 6) | (s[i++] & 0x3F);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            cp = 0xFFFD;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            if (units < Size) {
                Out[units] = (WCHAR)(0xD800 + (cp >> 10));
            }
            units++;
            if (units < Size) {
                Out[units] = (WCHAR)(0xDC00 + (cp & 0x3FF));
            }
            units++;
        } else {
            if (units < Size) {
                Out[units] = (WCHAR)cp;
            }
            units++;
        }
    }
    if (Size > 0) {
        Out[units < Size ? units : Size - 1] = 0;
    }
    return units;
}

bool KhHostUnicodeString(const char *Text, PUNICODE_STRING String)
{
    size_t length = strlen(Text);
    size_t units = KhUtf8ToUtf16(Text, length, NULL, 0);
    if (units > UNICODE_STRING_MAX_CHARS) {
        return false;
    }
    WCHAR *buffer = malloc((units + 1) * sizeof(WCHAR));
    if (buffer == NULL) {
        return false;
    }
    KhUtf8ToUtf16(Text, length, buffer, units + 1);
    String->Buffer = buffer;
    String->Length = (USHORT)(units * sizeof(WCHAR));
    String->MaximumLength = (USHORT)((units + 1) * sizeof(WCHAR));
    return true;
}

void KhFreeHostUnicodeString(PUNICODE_STRING String)
{
    free(String->Buffer);
    String->Buffer = NULL;
    String->Length = String->MaximumLength = 0;
}

char *KhUnicodeStringToUtf8(PCUNICODE_STRING String)
{
    size_t units = String->Buffer != NULL ? String->Length / sizeof(WCHAR) : 0;
    size_t bytes = KhUtf16ToUtf8(String->Buffer, units, NULL, 0);
    char *text = malloc(bytes + 1);
    if (text != NULL) {
        KhUtf16ToUtf8(String->Buffer, units, text, bytes + 1);
    }
    return text;
}

int KhStrCaseCmp(const char *A, const char *B)
{
    for (;; A++, B++) {
        int a = (unsigned char)*A;
        int b = (unsigned char)*B;
        if (a >= 'a' && a <= 'z') {
            a -= 'a' - 'A';
        }
        if (b >= 'a' && b <= 'z') {
            b -= 'a' - 'A';
        }
        if (a != b || a == 0) {
            return a - b;
        }
    }
}

/* ------------------------------------------------------------------ memory */

NTSYSAPI SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const UCHAR *a = Source1;
    const UCHAR *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i]) {
        i++;
    }
    return i;
}

/* ------------------------------------------------------------------ counted strings */

static size_t KhWcsLen(PCWSTR Text)
{
    size_t n = 0;
    while (Text[n] != 0) {
        n++;
    }
    return n;
}

/* RtlInitUnicodeString: points at the NUL-terminated source; lengths in bytes. */
NTSYSAPI VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    DestinationString->Buffer = (PWCH)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        return;
    }
    size_t bytes = KhWcsLen(SourceString) * sizeof(WCHAR);
    if (bytes > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR)) {
        bytes = UNICODE_STRING_MAX_BYTES - sizeof(WCHAR);
    }
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
}

NTSYSAPI NTSTATUS NTAPI RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (SourceString != NULL && KhWcsLen(SourceString) * sizeof(WCHAR) > UNICODE_STRING_MAX_BYTES - sizeof(WCHAR)) {
        return STATUS_NAME_TOO_LONG;
    }
    RtlInitUnicodeString(DestinationString, SourceString);
    return STATUS_SUCCESS;
}

NTSYSAPI VOID NTAPI RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    DestinationString->Buffer = (PCHAR)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        return;
    }
    size_t bytes = strlen(SourceString);
    if (bytes > 0xFFFE) {
        bytes = 0xFFFE;
    }
    DestinationString->Length = (USHORT)bytes;
    DestinationString->MaximumLength = (USHORT)(bytes + 1);
}

NTSYSAPI VOID NTAPI RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
    RtlInitAnsiString(DestinationString, SourceString);
}

/* Copies as much as fits; NUL-terminates when there is room, as Windows does. */
NTSYSAPI VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (SourceString == NULL) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = SourceString->Length;
    if (n > DestinationString->MaximumLength) {
        n = DestinationString->MaximumLength & (USHORT)~1u;
    }
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if (n + sizeof(WCHAR) <= DestinationString->MaximumLength) {
        DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
    }
}

NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    WCHAR c = SourceCharacter;
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7)) {
        return (WCHAR)(c - 0x20);
    }
    if (c == 0xFF) {
        return 0x178;
    }
    return c;
}

NTSYSAPI WCHAR NTAPI RtlDowncaseUnicodeChar(WCHAR SourceCharacter)
{
    WCHAR c = SourceCharacter;
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) {
        return (WCHAR)(c + 0x20);
    }
    if (c == 0x178) {
        return 0xFF;
    }
    return c;
}

/* <0, 0 or >0 as String1 sorts before, equal to or after String2. */
NTSYSAPI LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                            BOOLEAN CaseInSensitive)
{
    size_t n1 = String1->Length / sizeof(WCHAR);
    size_t n2 = String2->Length / sizeof(WCHAR);
    size_t n = n1 < n2 ? n1 : n2;
    for (size_t i = 0; i < n; i++) {
        WCHAR a = String1->Buffer[i];
        WCHAR b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = RtlUpcaseUnicodeChar(a);
            b = RtlUpcaseUnicodeChar(b);
        }
        if (a != b) {
            return (LONG)a - (LONG)b;
        }
    }
    return (LONG)n1 - (LONG)n2;
}

NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                             BOOLEAN CaseInSensitive)
{
    return (BOOLEAN)(String1->Length == String2->Length &&
                     RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0);
}

/* TRUE when String1 is a prefix of String2. */
NTSYSAPI BOOLEAN NTAPI RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                              BOOLEAN CaseInSensitive)
{
    if (String1->Length > String2->Length) {
        return FALSE;
    }
    UNICODE_STRING head = {String1->Length, String1->Length, String2->Buffer};
    return RtlEqualUnicodeString(String1, &head, CaseInSensitive);
}

NTSYSAPI LONG NTAPI RtlCompareString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    size_t n = String1->Length < String2->Length ? String1->Length : String2->Length;
    for (size_t i = 0; i < n; i++) {
        int a = (unsigned char)String1->Buffer[i];
        int b = (unsigned char)String2->Buffer[i];
        if (CaseInSensitive) {
            a = RtlUpcaseUnicodeChar((WCHAR)a);
            b = RtlUpcaseUnicodeChar((WCHAR)b);
        }
        if (a != b) {
            return a - b;
        }
    }
    return (LONG)String1->Length - (LONG)String2->Length;
}

NTSYSAPI BOOLEAN NTAPI RtlEqualString(const STRING *String1, const STRING *String2, BOOLEAN CaseInSensitive)
{
    return (BOOLEAN)(String1->Length == String2->Length && RtlCompareString(String1, String2, CaseInSensitive) == 0);
}

/* Appends; STATUS_BUFFER_TOO_SMALL (and no change) when it does not fit. */
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    USHORT n = Source->Length;
    if (n == 0) {
        return STATUS_SUCCESS;
    }
    if ((ULONG)Destination->Length + n > Destination->MaximumLength) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    memmove((PUCHAR)Destination->Buffer + Destination->Length, Source->Buffer, n);
    Destination->Length = (USHORT)(Destination->Length + n);
    if ((ULONG)Destination->Length + sizeof(WCHAR) <= Destination->MaximumLength) {
        Destination->Buffer[Destination->Length / sizeof(WCHAR)] = 0;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    UNICODE_STRING source;
    if (Source == NULL) {
        return STATUS_SUCCESS;
    }
    RtlInitUnicodeString(&source, Source);
    return RtlAppendUnicodeStringToString(Destination, &source);
}

/* Pool for strings the Rtl routines allocate: attributed to the driver that called them. */
static PVOID KhRtlAllocate(SIZE_T Bytes, ULONG Tag, const void *Caller)
{
    return KhAllocatePool(PagedPool, 0, Bytes, Tag, FALSE, Caller);
}

static NTSTATUS KhUnicodeToAnsi(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                BOOLEAN AllocateDestinationString, const void *Caller)
{
    size_t units = SourceString->Length / sizeof(WCHAR);
    if (units + 1 > 0xFFFF) {
        return STATUS_INVALID_PARAMETER_2;
    }
    if (AllocateDestinationString) {
        DestinationString->Buffer = KhRtlAllocate(units + 1, 'grtS', Caller);
        if (DestinationString->Buffer == NULL) {
            return STATUS_NO_MEMORY;
        }
        DestinationString->MaximumLength = (USHORT)(units + 1);
    } else if (units > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < units; i++) {
        WCHAR c = SourceString->Buffer[i];
        DestinationString->Buffer[i] = (CHAR)(c < 0x100 ? c : '?');
    }
    DestinationString->Length = (USHORT)units;
    if (units < DestinationString->MaximumLength) {
        DestinationString->Buffer[units] = 0;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                                     BOOLEAN AllocateDestinationString)
{
    return KhUnicodeToAnsi(DestinationString, SourceString, AllocateDestinationString,
                           __builtin_extract_return_addr(__builtin_return_address(0)));
}

NTSYSAPI NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                                     BOOLEAN AllocateDestinationString)
{
    size_t bytes = (size_t)SourceString->Length * sizeof(WCHAR);
    if (bytes + sizeof(WCHAR) > UNICODE_STRING_MAX_BYTES) {
        return STATUS_INVALID_PARAMETER_2;
    }
    if (AllocateDestinationString) {
        DestinationString->Buffer =
            KhRtlAllocate(bytes + sizeof(WCHAR), 'grtS', __builtin_extract_return_addr(__builtin_return_address(0)));
        if (DestinationString->Buffer == NULL) {
            return STATUS_NO_MEMORY;
        }
        DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    } else if (bytes > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < SourceString->Length; i++) {
        DestinationString->Buffer[i] = (WCHAR)(unsigned char)SourceString->Buffer[i];
    }
    DestinationString->Length = (USHORT)bytes;
    if (bytes + sizeof(WCHAR) <= DestinationString->MaximumLength) {
        DestinationString->Buffer[SourceString->Length] = 0;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                               BOOLEAN AllocateDestinationString)
{
    USHORT bytes = SourceString->Length;
    if (AllocateDestinationString) {
        DestinationString->Buffer =
            KhRtlAllocate(bytes, 'grtS', __builtin_extract_return_addr(__builtin_return_address(0)));
        if (DestinationString->Buffer == NULL && bytes != 0) {
            return STATUS_NO_MEMORY;
        }
        DestinationString->MaximumLength = bytes;
    } else if (bytes > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < bytes / sizeof(WCHAR); i++) {
        DestinationString->Buffer[i] = RtlUpcaseUnicodeChar(SourceString->Buffer[i]);
    }
    DestinationString->Length = bytes;
    return STATUS_SUCCESS;
}

/* Frees a string allocated by an Rtl routine (for example RtlStringFromGUID). */
NTSYSAPI VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer != NULL) {
        ExFreePool(UnicodeString->Buffer);
    }
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

NTSYSAPI VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString->Buffer != NULL) {
        ExFreePool(AnsiString->Buffer);
    }
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

NTSYSAPI NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    char digits[40];
    size_t n = 0;
    if (Base == 0) {
        Base = 10;
    }
    if (Base != 2 && Base != 8 && Base != 10 && Base != 16) {
        return STATUS_INVALID_PARAMETER;
    }
    do {
        digits[n++] = "0123456789ABCDEF"[Value % Base];
        Value /= Base;
    } while (Value != 0);
    if ((n + 1) * sizeof(WCHAR) > String->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < n; i++) {
        String->Buffer[i] = (WCHAR)digits[n - 1 - i];
    }
    String->Buffer[n] = 0;
    String->Length = (USHORT)(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* Leading blanks and sign allowed; 0x/0o/0b prefixes select the base when Base is 0. */
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    size_t n = String->Length / sizeof(WCHAR);
    size_t i = 0;
    bool negative = false;
    ULONG result = 0;
    while (i < n && (String->Buffer[i] == ' ' || String->Buffer[i] == '\t')) {
        i++;
    }
    if (i < n && (String->Buffer[i] == '-' || String->Buffer[i] == '+')) {
        negative = String->Buffer[i] == '-';
        i++;
    }
    if (Base == 0) {
        Base = 10;
        if (i + 1 < n && String->Buffer[i] == '0') {
            WCHAR p = String->Buffer[i + 1];
            if (p == 'x' || p == 'X') {
                Base = 16;
                i += 2;
            } else if (p == 'o' || p == 'O') {
                Base = 8;
                i += 2;
            } else if (p == 'b' || p == 'B') {
                Base = 2;
                i += 2;
            }
        }
    } else if (Base != 2 && Base != 8 && Base != 10 && Base != 16) {
        return STATUS_INVALID_PARAMETER;
    }
    for (; i < n; i++) {
        WCHAR c = String->Buffer[i];
        ULONG digit;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            break;
        }
        if (digit >= Base) {
            break;
        }
        result = result * Base + digit;
    }
    *Value = negative ? (ULONG)(0u - result) : result;
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ GUIDs */

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" in upper case, allocated from pool. */
NTSYSAPI NTSTATUS NTAPI RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString)
{
    char text[40];
    int n = snprintf(text, sizeof(text), "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)Guid->Data1,
                     Guid->Data2, Guid->Data3, Guid->Data4[0], Guid->Data4[1], Guid->Data4[2], Guid->Data4[3],
                     Guid->Data4[4], Guid->Data4[5], Guid->Data4[6], Guid->Data4[7]);
    WCHAR *buffer = KhAllocatePool(PagedPool, 0, (size_t)(n + 1) * sizeof(WCHAR), 'diuG', FALSE,
                                   __builtin_extract_return_addr(__builtin_return_address(0)));
    if (buffer == NULL) {
        return STATUS_NO_MEMORY;
    }
    for (int i = 0; i <= n; i++) {
        buffer[i] = (WCHAR)text[i];
    }
    GuidString->Buffer = buffer;
    GuidString->Length = (USHORT)(n * sizeof(WCHAR));
    GuidString->MaximumLength = (USHORT)((n + 1) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

static int KhHexDigit(WCHAR c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

NTSYSAPI NTSTATUS NTAPI RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid)
{
    static const char pattern[] = "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}";
    uint8_t bytes[16];
    size_t nibble = 0;
    if (GuidString->Length != (sizeof(pattern) - 1) * sizeof(WCHAR)) {
        return STATUS_INVALID_PARAMETER;
    }
    for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
        WCHAR c = GuidString->Buffer[i];
        if (pattern[i] != 'X') {
            if (c != (WCHAR)pattern[i]) {
                return STATUS_INVALID_PARAMETER;
            }
            continue;
        }
        int d = KhHexDigit(c);
        if (d < 0) {
            return STATUS_INVALID_PARAMETER;
        }
        if (nibble % 2 == 0) {
            bytes[nibble / 2] = (uint8_t)(d << 4);
        } else {
            bytes[nibble / 2] |= (uint8_t)d;
        }
        nibble++;
    }
    Guid->Data1 = ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) | bytes[3];
    Guid->Data2 = (uint16_t)((bytes[4] << 8) | bytes[5]);
    Guid->Data3 = (uint16_t)((bytes[6] << 8) | bytes[7]);
    memcpy(Guid->Data4, bytes + 8, 8);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ versions */

#define KH_OS_MAJOR 10
#define KH_OS_MINOR 0
#define KH_OS_BUILD 19045
#define KH_NTDDI_VERSION NTDDI_WIN10_VB

NTSYSAPI NTSTATUS NTAPI RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation)
{
    ULONG size = lpVersionInformation->dwOSVersionInfoSize;
    if (size != sizeof(RTL_OSVERSIONINFOW) && size != sizeof(RTL_OSVERSIONINFOEXW)) {
        return STATUS_INVALID_PARAMETER;
    }
    lpVersionInformation->dwMajorVersion = KH_OS_MAJOR;
    lpVersionInformation->dwMinorVersion = KH_OS_MINOR;
    lpVersionInformation->dwBuildNumber = KH_OS_BUILD;
    lpVersionInformation->dwPlatformId = VER_PLATFORM_WIN32_NT;
    memset(lpVersionInformation->szCSDVersion, 0, sizeof(lpVersionInformation->szCSDVersion));
    if (size == sizeof(RTL_OSVERSIONINFOEXW)) {
        PRTL_OSVERSIONINFOEXW ex = (PRTL_OSVERSIONINFOEXW)lpVersionInformation;
        ex->wServicePackMajor = 0;
        ex->wServicePackMinor = 0;
        ex->wSuiteMask = 0;
        ex->wProductType = VER_NT_WORKSTATION;
        ex->wReserved = 0;
    }
    return STATUS_SUCCESS;
}

/* TRUE for every NTDDI version up to Windows 10, version 2004 (NTDDI_WIN10_VB). */
NTSYSAPI BOOLEAN NTAPI RtlIsNtDdiVersionAvailable(ULONG Version) { return (BOOLEAN)(Version <= KH_NTDDI_VERSION); }

NTSYSAPI BOOLEAN NTAPI RtlIsServicePackVersionInstalled(ULONG Version)
{
    return (BOOLEAN)(OSVER(Version) < OSVER(KH_NTDDI_VERSION) || Version <= KH_NTDDI_VERSION);
}

/* FALSE: the host is a free (retail) build of the system. */
NTKERNELAPI BOOLEAN PsGetVersion(PULONG MajorVersion, PULONG MinorVersion, PULONG BuildNumber,
                                 PUNICODE_STRING CSDVersion)
{
    if (MajorVersion) *MajorVersion = KH_OS_MAJOR;
    if (MinorVersion) *MinorVersion = KH_OS_MINOR;
    if (BuildNumber) *BuildNumber = KH_OS_BUILD;
    if (CSDVersion) CSDVersion->Length = 0;
    return FALSE;
}

/* ------------------------------------------------------------------ calendar time */

#define KH_TICKS_PER_MS 10000LL
#define KH_MS_PER_DAY 86400000LL

static bool KhIsLeapYear(int Year) { return (Year % 4 == 0 && Year % 100 != 0) || Year % 400 == 0; }

static int KhDaysInMonth(int Year, int Month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return Month == 2 && KhIsLeapYear(Year) ? 29 : days[Month - 1];
}

/* Splits a system time (100 ns since 1601-01-01, a Monday) into calendar fields. */
NTSYSAPI VOID NTAPI RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
    LONGLONG ms = Time->QuadPart / KH_TICKS_PER_MS;
    LONGLONG days = ms / KH_MS_PER_DAY;
    LONGLONG rest = ms % KH_MS_PER_DAY;
    TimeFields->Weekday = (CSHORT)((days + 1) % 7);
    TimeFields->Milliseconds = (CSHORT)(rest % 1000);
    rest /= 1000;
    TimeFields->Second = (CSHORT)(rest % 60);
    rest /= 60;
    TimeFields->Minute = (CSHORT)(rest % 60);
    TimeFields->Hour = (CSHORT)(rest / 60);
    int year = 1601;
    for (;;) {
        int length = KhIsLeapYear(year) ? 366 : 365;
        if (days < length) {
            break;
        }
        days -= length;
        year++;
    }
    int month = 1;
    while (days >= KhDaysInMonth(year, month)) {
        days -= KhDaysInMonth(year, month);
        month++;
    }
    TimeFields->Year = (CSHORT)year;
    TimeFields->Month = (CSHORT)month;
    TimeFields->Day = (CSHORT)(days + 1);
}

/* The reverse; FALSE when a field is out of range. Weekday is ignored. */
NTSYSAPI BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    int year = TimeFields->Year;
    int month = TimeFields->Month;
    if (year < 1601 || month < 1 || month > 12 || TimeFields->Day < 1 || TimeFields->Day > KhDaysInMonth(year, month) ||
        TimeFields->Hour < 0 || TimeFields->Hour > 23 || TimeFields->Minute < 0 || TimeFields->Minute > 59 ||
        TimeFields->Second < 0 || TimeFields->Second > 59 || TimeFields->Milliseconds < 0 ||
        TimeFields->Milliseconds > 999) {
        return FALSE;
    }
    LONGLONG days = 0;
    for (int y = 1601; y < year; y++) {
        days += KhIsLeapYear(y) ? 366 : 365;
    }
    for (int m = 1; m < month; m++) {
        days += KhDaysInMonth(year, m);
    }
    days += TimeFields->Day - 1;
    LONGLONG ms = days * KH_MS_PER_DAY +
                  ((TimeFields->Hour * 60LL + TimeFields->Minute) * 60LL + TimeFields->Second) * 1000LL +
                  TimeFields->Milliseconds;
    Time->QuadPart = ms * KH_TICKS_PER_MS;
    return TRUE;
}

/*
 * RtlAssert: a failed ASSERT/NT_ASSERT of a DBG build, or a PAGED_CODE() check.
 * On Windows it breaks into the debugger, or bug-checks without one.
 * https://learn.microsoft.com/windows-hardware/drivers/debugger/using-the-assert-macro
 */
NTSYSAPI VOID NTAPI RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber,
                              PSTR MutableMessage)
{
    const char *assertion = VoidFailedAssertion != NULL ? (const char *)VoidFailedAssertion : "?";
    const char *file = VoidFileName != NULL ? (const char *)VoidFileName : "?";
    if (strncmp(assertion, "PAGED_CODE()", 12) == 0) {
        KhVerifierReport("IRQL_TOO_HIGH_FOR_PAGED_CODE", "pageable code ran at IRQL %u, at %s:%u",
                         (unsigned)KeGetCurrentIrql(), file, (unsigned)LineNumber);
        return;
    }
    KhVerifierReport("ASSERTION_FAILED", "%s%s%s, at %s:%u", assertion, MutableMessage ? ": " : "",
                     MutableMessage ? MutableMessage : "", file, (unsigned)LineNumber);
}
