/*
 * dbgprint.c - DbgPrint and its format language, and the kernel's _vsnprintf family.
 *
 * DbgPrint formats like the Microsoft C runtime's printf, which differs from glibc's
 * where Windows is LLP64 or wide: %l is 32 bits, %I/%I32/%I64 give pointer-sized,
 * 32-bit and 64-bit integers, %wZ prints a PUNICODE_STRING, %Z a PANSI_STRING, %ws/%ls/%S
 * a wide string, %wc/%C a wide character, and %p prints 16 upper-case hex digits.
 * https://learn.microsoft.com/cpp/c-runtime-library/format-specification-syntax-printf-and-wprintf-functions
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-dbgprint
 *
 * Output goes to one file descriptor (KmdfHostSetDebugPrintFd), off by default as on
 * Windows without a debugger; KMDFHOST_DBGPRINT=1 in the environment sends it to stderr.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmdfhost.h>

#include "kd/kd.h"
#include "ke/ke.h"
#include "rtl/rtl.h"

static atomic_int KhDebugFd = -1;

__attribute__((constructor)) static void KhDebugPrintInit(void)
{
    const char *value = getenv("KMDFHOST_DBGPRINT");
    if (value != NULL && strcmp(value, "1") == 0) {
        atomic_store(&KhDebugFd, 2);
    }
}

KMDFHOST_API void KmdfHostSetDebugPrintFd(int Fd) { atomic_store(&KhDebugFd, Fd < 0 ? -1 : Fd); }

void KhDebugOutput(const char *Text, size_t Length)
{
    int fd = atomic_load(&KhDebugFd);
    while (fd >= 0 && Length > 0) {
        ssize_t written = write(fd, Text, Length);
        if (written <= 0) {
            break;
        }
        Text += written;
        Length -= (size_t)written;
    }
}

/* ------------------------------------------------------------------ the formatter */

typedef struct _KH_OUT {
    char *Buffer;
    size_t Size;
    size_t Length; /* everything produced, even past Size */
} KH_OUT;

static void OutBytes(KH_OUT *Out, const char *Bytes, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        if (Out->Length + 1 < Out->Size) {
            Out->Buffer[Out->Length] = Bytes[i];
        }
        Out->Length++;
    }
}

static void OutRepeat(KH_OUT *Out, char Character, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        OutBytes(Out, &Character, 1);
    }
}

/* Text padded to Width (counted in characters, here: UTF-8 sequences). */
static void OutPadded(KH_OUT *Out, const char *Text, size_t Bytes, int Width, bool Left)
{
    size_t characters = 0;
    for (size_t i = 0; i < Bytes; i++) {
        if (((unsigned char)Text[i] & 0xC0) != 0x80) {
            characters++;
        }
    }
    size_t pad = (Width > 0 && (size_t)Width > characters) ? (size_t)Width - characters : 0;
    if (!Left) {
        OutRepeat(Out, ' ', pad);
    }
    OutBytes(Out, Text, Bytes);
    if (Left) {
        OutRepeat(Out, ' ', pad);
    }
}

/* A wide string of Units code units, converted to UTF-8 and padded. */
static void OutWide(KH_OUT *Out, const WCHAR *Text, size_t Units, int Width, bool Left)
{
    char small[256];
    size_t needed = KhUtf16ToUtf8(Text, Units, NULL, 0);
    char *utf8 = needed < sizeof(small) ? small : malloc(needed + 1);
    if (utf8 == NULL) {
        OutPadded(Out, "(no memory)", 11, Width, Left);
        return;
    }
    KhUtf16ToUtf8(Text, Units, utf8, needed + 1);
    OutPadded(Out, utf8, needed, Width, Left);
    if (utf8 != small) {
        free(utf8);
    }
}

static size_t WideLength(const WCHAR *Text, size_t Max)
{
    size_t n = 0;
    while (n < Max && Text[n] != 0) {
        n++;
    }
    return n;
}

enum { SizeDefault, SizeChar, SizeShort, Size32, Size64, SizeLongDouble };

/*
 * The formatter proper. WideFormat selects the wide printf family's defaults: there %s
 * and %c are wide, %S and %C narrow.
 */
static void FormatInto(KH_OUT *Out, const char *Format, bool WideFormat, va_list *Args)
{
    const char *p = Format;
    while (*p != 0) {
        if (*p != '%') {
            const char *start = p;
            while (*p != 0 && *p != '%') {
                p++;
            }
            OutBytes(Out, start, (size_t)(p - start));
            continue;
        }
        const char *specStart = p++;
        char flags[8];
        size_t flagCount = 0;
        bool left = false;
        while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0') {
            if (*p == '-') {
                left = true;
            }
            if (flagCount < sizeof(flags) - 1) {
                flags[flagCount++] = *p;
            }
            p++;
        }
        flags[flagCount] = 0;
        int width = -1;
        if (*p == '*') {
            width = va_arg(*Args, int);
            if (width < 0) {
                left = true;
                width = -width;
                if (flagCount < sizeof(flags) - 1) {
                    flags[flagCount++] = '-';
                    flags[flagCount] = 0;
                }
            }
            p++;
        } else if (*p >= '0' && *p <= '9') {
            width = 0;
            while (*p >= '0' && *p <= '9') {
                width = width * 10 + (*p++ - '0');
            }
        }
        int precision = -1;
        if (*p == '.') {
            p++;
            precision = 0;
            if (*p == '*') {
                precision = va_arg(*Args, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9') {
                    precision = precision * 10 + (*p++ - '0');
                }
            }
        }
        int size = SizeDefault;
        bool wide = false;   /* w or l on s/c/Z */
        bool narrow = false; /* h on s/c */
        for (;;) {
            if (*p == 'h') {
                narrow = true;
                if (p[1] == 'h') {
                    size = SizeChar;
                    p += 2;
                } else {
                    size = SizeShort;
                    p++;
                }
            } else if (*p == 'l') {
                wide = true;
                if (p[1] == 'l') {
                    size = Size64;
                    p += 2;
                } else {
                    size = Size32;
                    p++;
                }
            } else if (*p == 'w') {
                wide = true;
                p++;
            } else if (*p == 'I') {
                if (p[1] == '6' && p[2] == '4') {
                    size = Size64;
                    p += 3;
                } else if (p[1] == '3' && p[2] == '2') {
                    size = Size32;
                    p += 3;
                } else {
                    size = Size64; /* pointer-sized on 64-bit Windows */
                    p++;
                }
            } else if (*p == 'z' || *p == 't' || *p == 'j') {
                size = Size64;
                p++;
            } else if (*p == 'L') {
                size = SizeLongDouble;
                p++;
            } else {
                break;
            }
        }
        char conversion = *p;
        if (conversion == 0) {
            OutBytes(Out, specStart, (size_t)(p - specStart));
            break;
        }
        p++;

        switch (conversion) {
        case '%':
            OutBytes(Out, "%", 1);
            break;
        case 'd':
        case 'i':
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            char spec[48];
            char small[128];
            bool isSigned = conversion == 'd' || conversion == 'i';
            long long value;
            if (size == Size64) {
                value = va_arg(*Args, long long);
            } else {
                int v = va_arg(*Args, int);
                if (size == SizeShort) {
                    value = isSigned ? (long long)(short)v : (long long)(unsigned short)v;
                } else if (size == SizeChar) {
                    value = isSigned ? (long long)(signed char)v : (long long)(unsigned char)v;
                } else {
                    value = isSigned ? (long long)v : (long long)(unsigned int)v;
                }
            }
            if (precision >= 0) {
                snprintf(spec, sizeof(spec), "%%%s.%dll%c", flags, precision, conversion);
            } else {
                snprintf(spec, sizeof(spec), "%%%sll%c", flags, conversion);
            }
            /* Width is applied here, after the number, so it needs no second spec. */
            int n = snprintf(small, sizeof(small), spec, value);
            if (n < 0) {
                break;
            }
            if (width > n) {
                bool zero = strchr(flags, '0') != NULL && !left && precision < 0;
                if (zero) {
                    /* Zero padding goes after a sign or 0x prefix. */
                    size_t prefix = 0;
                    if (small[0] == '-' || small[0] == '+' || small[0] == ' ') {
                        prefix = 1;
                    }
                    if (small[prefix] == '0' && (small[prefix + 1] == 'x' || small[prefix + 1] == 'X')) {
                        prefix += 2;
                    }
                    OutBytes(Out, small, prefix);
                    OutRepeat(Out, '0', (size_t)(width - n));
                    OutBytes(Out, small + prefix, (size_t)n - prefix);
                } else {
                    OutPadded(Out, small, (size_t)n, width, left);
                }
            } else {
                OutBytes(Out, small, (size_t)n);
            }
            break;
        }
        case 'p': {
            char small[32];
            void *pointer = va_arg(*Args, void *);
            int n = snprintf(small, sizeof(small), "%016llX", (unsigned long long)(uintptr_t)pointer);
            OutPadded(Out, small, (size_t)n, width, left);
            break;
        }
        case 'c':
        case 'C': {
            bool isWide = narrow ? false : (wide || (conversion == 'c' ? WideFormat : !WideFormat));
            int value = va_arg(*Args, int);
            if (isWide) {
                WCHAR w = (WCHAR)value;
                OutWide(Out, &w, 1, width, left);
            } else {
                char c = (char)value;
                OutPadded(Out, &c, 1, width, left);
            }
            break;
        }
        case 's':
        case 'S': {
            bool isWide = narrow ? false : (wide || (conversion == 's' ? WideFormat : !WideFormat));
            if (isWide) {
                const WCHAR *text = va_arg(*Args, const WCHAR *);
                if (text == NULL) {
                    OutPadded(Out, "(null)", 6, width, left);
                } else {
                    OutWide(Out, text, WideLength(text, precision >= 0 ? (size_t)precision : SIZE_MAX), width,
                            left);
                }
            } else {
                const char *text = va_arg(*Args, const char *);
                if (text == NULL) {
                    OutPadded(Out, "(null)", 6, width, left);
                } else {
                    size_t n = precision >= 0 ? strnlen(text, (size_t)precision) : strlen(text);
                    OutPadded(Out, text, n, width, left);
                }
            }
            break;
        }
        case 'Z': {
            if (wide) {
                PCUNICODE_STRING string = va_arg(*Args, PCUNICODE_STRING);
                if (string == NULL || string->Buffer == NULL) {
                    OutPadded(Out, "(null)", 6, width, left);
                } else {
                    size_t units = string->Length / sizeof(WCHAR);
                    if (precision >= 0 && (size_t)precision < units) {
                        units = (size_t)precision;
                    }
                    OutWide(Out, string->Buffer, units, width, left);
                }
            } else {
                PCANSI_STRING string = va_arg(*Args, PCANSI_STRING);
                if (string == NULL || string->Buffer == NULL) {
                    OutPadded(Out, "(null)", 6, width, left);
                } else {
                    size_t n = string->Length;
                    if (precision >= 0 && (size_t)precision < n) {
                        n = (size_t)precision;
                    }
                    OutPadded(Out, string->Buffer, n, width, left);
                }
            }
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            char spec[48];
            char small[512];
            double value = size == SizeLongDouble ? (double)va_arg(*Args, long double) : va_arg(*Args, double);
            if (precision >= 0) {
                snprintf(spec, sizeof(spec), "%%%s%d.%d%c", flags, width > 0 ? width : 0, precision, conversion);
            } else {
                snprintf(spec, sizeof(spec), "%%%s%d%c", flags, width > 0 ? width : 0, conversion);
            }
            int n = snprintf(small, sizeof(small), spec, value);
            if (n > 0) {
                OutBytes(Out, small, (size_t)n < sizeof(small) ? (size_t)n : sizeof(small) - 1);
            }
            break;
        }
        case 'n':
            /* %n writes nothing in the kernel's formatter: it is disabled for safety. */
            (void)va_arg(*Args, void *);
            break;
        default:
            /* Unknown conversion: printed as written. */
            OutBytes(Out, specStart, (size_t)(p - specStart));
            break;
        }
    }
}

int KhFormatDbgPrint(char *Buffer, size_t Size, const char *Format, va_list Args)
{
    KH_OUT out = {Buffer, Size, 0};
    va_list args;
    va_copy(args, Args);
    FormatInto(&out, Format != NULL ? Format : "(null)", false, &args);
    va_end(args);
    if (Size > 0) {
        Buffer[out.Length < Size ? out.Length : Size - 1] = 0;
    }
    return (int)out.Length;
}

/* ------------------------------------------------------------------ DbgPrint family */

/* Formats one message and writes it with the optional prefix; DbgPrint returns STATUS_SUCCESS. */
static ULONG KhDbgPrintV(const char *Prefix, const char *Format, va_list Args)
{
    char small[1024];
    char *text = small;
    size_t prefixLength = Prefix != NULL ? strlen(Prefix) : 0;
    if (atomic_load(&KhDebugFd) < 0) {
        return STATUS_SUCCESS;
    }
    int n = KhFormatDbgPrint(NULL, 0, Format, Args);
    if (n < 0) {
        return STATUS_SUCCESS;
    }
    size_t total = prefixLength + (size_t)n;
    if (total + 1 > sizeof(small)) {
        text = malloc(total + 1);
        if (text == NULL) {
            return (ULONG)STATUS_NO_MEMORY;
        }
    }
    if (prefixLength != 0) {
        memcpy(text, Prefix, prefixLength);
    }
    KhFormatDbgPrint(text + prefixLength, (size_t)n + 1, Format, Args);
    KhDebugOutput(text, total);
    if (text != small) {
        free(text);
    }
    return STATUS_SUCCESS;
}

NTSYSAPI ULONG DbgPrint(PCSTR Format, ...)
{
    va_list args;
    va_start(args, Format);
    ULONG status = KhDbgPrintV(NULL, Format, args);
    va_end(args);
    return status;
}

/*
 * DbgPrintEx: on Windows the component filter decides what reaches the debugger; the
 * host shows every component and level once output is enabled.
 */
NTSYSAPI ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    (void)ComponentId;
    (void)Level;
    va_list args;
    va_start(args, Format);
    ULONG status = KhDbgPrintV(NULL, Format, args);
    va_end(args);
    return status;
}

NTSYSAPI ULONG NTAPI vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist)
{
    (void)ComponentId;
    (void)Level;
    return KhDbgPrintV(NULL, Format, arglist);
}

NTSYSAPI ULONG NTAPI vDbgPrintExWithPrefix(PCCH Prefix, ULONG ComponentId, ULONG Level, PCCH Format,
                                           va_list arglist)
{
    (void)ComponentId;
    (void)Level;
    return KhDbgPrintV(Prefix, Format, arglist);
}

/* ------------------------------------------------------------------ _vsnprintf family */

/*
 * The Microsoft C runtime's _vsnprintf contract, which ntstrsafe relies on: at most
 * Count characters are written; the result is NUL-terminated only when shorter than
 * Count; the return value is the length, or -1 when the output did not fit.
 */
NTSYSAPI int _vsnprintf(char *Buffer, size_t Count, const char *Format, va_list Args)
{
    int n = KhFormatDbgPrint(NULL, 0, Format, Args);
    if (n < 0) {
        return -1;
    }
    char *text = malloc((size_t)n + 1);
    if (text == NULL) {
        return -1;
    }
    KhFormatDbgPrint(text, (size_t)n + 1, Format, Args);
    size_t copy = (size_t)n < Count ? (size_t)n : Count;
    memcpy(Buffer, text, copy);
    if ((size_t)n < Count) {
        Buffer[n] = 0;
    }
    free(text);
    return (size_t)n <= Count ? n : -1;
}

/* The wide form: the format and the result are UTF-16, Count is in characters. */
NTSYSAPI int _vsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *Format, va_list Args)
{
    size_t formatUnits = WideLength(Format, SIZE_MAX);
    size_t formatBytes = KhUtf16ToUtf8(Format, formatUnits, NULL, 0);
    char *format = malloc(formatBytes + 1);
    if (format == NULL) {
        return -1;
    }
    KhUtf16ToUtf8(Format, formatUnits, format, formatBytes + 1);

    KH_OUT out = {NULL, 0, 0};
    va_list args;
    va_copy(args, Args);
    FormatInto(&out, format, true, &args);
    va_end(args);
    char *text = malloc(out.Length + 1);
    if (text == NULL) {
        free(format);
        return -1;
    }
    out.Buffer = text;
    out.Size = out.Length + 1;
    out.Length = 0;
    va_copy(args, Args);
    FormatInto(&out, format, true, &args);
    va_end(args);
    text[out.Length] = 0;
    free(format);

    size_t units = KhUtf8ToUtf16(text, out.Length, NULL, 0);
    WCHAR *wide = malloc((units + 1) * sizeof(WCHAR));
    if (wide == NULL) {
        free(text);
        return -1;
    }
    KhUtf8ToUtf16(text, out.Length, wide, units + 1);
    free(text);
    size_t copy = units < Count ? units : Count;
    memcpy(Buffer, wide, copy * sizeof(WCHAR));
    if (units < Count) {
        Buffer[units] = 0;
    }
    free(wide);
    return units <= Count ? (int)units : -1;
}

/* A breakpoint with no kernel debugger attached stops the system. */
NTSYSAPI VOID NTAPI DbgBreakPoint(VOID)
{
    KhVerifierReport("BREAKPOINT", "DbgBreakPoint with no debugger attached, at %p",
                     __builtin_return_address(0));
}

NTSYSAPI VOID NTAPI DbgBreakPointWithStatus(ULONG Status)
{
    KhVerifierReport("BREAKPOINT", "DbgBreakPointWithStatus(0x%08x) with no debugger attached, at %p",
                     (unsigned)Status, __builtin_return_address(0));
}
