/*
 * format.c - Microsoft's printf format language for programs built with
 * scripts/build-host-app (kmdfhost_crt.h maps printf and its family here).
 *
 * The format language is that of the Microsoft C runtime ("Format specification syntax:
 * printf and wprintf functions", "Size prefixes for printf and wprintf format-type
 * specifiers"):
 * - size prefixes h, hh, l (32 bits: long is 32 bits on Windows), ll, I (pointer size),
 *   I32, I64, j, z, t, w (wide, for c/s); L on a floating-point value is the same as
 *   none (long double is double on Windows);
 * - in the narrow functions %s and %c are narrow and %S and %C wide; in the wide
 *   functions the other way round; h forces narrow, l and w wide;
 * - %Z prints an ANSI_STRING (%wZ a UNICODE_STRING) given by address;
 * - %p prints 16 uppercase hexadecimal digits; a NULL string prints "(null)";
 * - %n is disabled by default in the Microsoft C runtime, which then calls the invalid
 *   parameter handler and ends the program: the host reports it and aborts.
 * Numbers and floating point are formatted by the C library's snprintf once the
 * argument has been fetched with the size Windows gives it. Output is UTF-8.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32/win32p.h"
#include "kmdfhost_crt.h"

/* kmdfhost_crt.h maps the C library's names to this file's: the C library is what this
   file itself calls. */
#undef printf
#undef vprintf
#undef fprintf
#undef vfprintf
#undef sprintf
#undef vsprintf
#undef snprintf
#undef vsnprintf
#undef swprintf
#undef vswprintf
#undef fputws

/* ------------------------------------------------------------------ output buffer */

typedef struct KH_FMT_OUT {
    char *Data;
    size_t Length;
    size_t Capacity;
    bool Failed; /* out of memory */
    bool Utf16;  /* the program's wchar_t is 16 bits: wide text is UTF-16 (KhCrt16*) */
} KH_FMT_OUT;

static void Put(KH_FMT_OUT *Out, const char *Text, size_t Length)
{
    if (Out->Failed) {
        return;
    }
    if (Out->Length + Length + 1 > Out->Capacity) {
        size_t Capacity = Out->Capacity ? Out->Capacity : 128;
        while (Out->Length + Length + 1 > Capacity) {
            Capacity *= 2;
        }
        char *Data = realloc(Out->Data, Capacity);
        if (Data == NULL) {
            Out->Failed = true;
            return;
        }
        Out->Data = Data;
        Out->Capacity = Capacity;
    }
    memcpy(Out->Data + Out->Length, Text, Length);
    Out->Length += Length;
    Out->Data[Out->Length] = '\0';
}

static void PutRepeated(KH_FMT_OUT *Out, char c, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        Put(Out, &c, 1);
    }
}

/* Number of characters (code points) in UTF-8 text. */
static size_t Utf8Chars(const char *Text, size_t Length)
{
    size_t Chars = 0;
    for (size_t i = 0; i < Length; i++) {
        if (((unsigned char)Text[i] & 0xC0u) != 0x80u) {
            Chars++;
        }
    }
    return Chars;
}

/* The number of wide characters of UTF-8 text: code points, or UTF-16 units (a
   character above U+FFFF, four UTF-8 bytes, is two) when Utf16. */
static size_t WideChars(const char *Text, size_t Length, bool Utf16)
{
    size_t Chars = Utf8Chars(Text, Length);
    for (size_t i = 0; Utf16 && i < Length; i++) {
        if (((unsigned char)Text[i] & 0xF8u) == 0xF0u) {
            Chars++;
        }
    }
    return Chars;
}

/* Pads Text (UTF-8) to Width characters, on the left unless LeftAlign. */
static void PutPadded(KH_FMT_OUT *Out, const char *Text, size_t Length, int Width, bool LeftAlign)
{
    size_t Chars = Utf8Chars(Text, Length);
    size_t Pad = Width > 0 && (size_t)Width > Chars ? (size_t)Width - Chars : 0;
    if (!LeftAlign) {
        PutRepeated(Out, ' ', Pad);
    }
    Put(Out, Text, Length);
    if (LeftAlign) {
        PutRepeated(Out, ' ', Pad);
    }
}

/* A narrow string, at most Precision bytes (-1: all). */
static void PutNarrow(KH_FMT_OUT *Out, const char *Text, int Precision, int Width, bool LeftAlign)
{
    if (Text == NULL) {
        Text = "(null)";
    }
    size_t Length = Precision < 0 ? strlen(Text) : strnlen(Text, (size_t)Precision);
    PutPadded(Out, Text, Length, Width, LeftAlign);
}

/* A wide string, at most Precision wide characters (-1: all) of Count (-1: to the NUL).
   Text is UTF-16 (16-bit units, surrogate pairs joined) when Utf16, else the platform's
   wchar_t. A lone surrogate prints as U+FFFD. */
static void PutWide(KH_FMT_OUT *Out, const void *Text, bool Utf16, long Count, int Precision,
                    int Width, bool LeftAlign)
{
    if (Text == NULL) {
        PutNarrow(Out, NULL, Precision, Width, LeftAlign);
        return;
    }
    const uint16_t *Units = Text;
    const wchar_t *Chars = Text;
    KH_FMT_OUT Utf8 = {0};
    for (long i = 0; (Count < 0 ? (Utf16 ? Units[i] != 0 : Chars[i] != L'\0') : i < Count) &&
                     (Precision < 0 || i < Precision);
         i++) {
        uint32_t Code = Utf16 ? Units[i] : (uint32_t)Chars[i];
        if (Utf16 && Code >= 0xD800u && Code < 0xDC00u && (Count < 0 || i + 1 < Count) &&
            (Precision < 0 || i + 1 < Precision) && Units[i + 1] >= 0xDC00u && Units[i + 1] < 0xE000u) {
            Code = 0x10000u + ((Code - 0xD800u) << 10) + (Units[i + 1] - 0xDC00u);
            i++;
        }
        char Buffer[4];
        Put(&Utf8, Buffer, KhW32EncodeUtf8(KhW32ScalarOrReplacement(Code), Buffer));
    }
    if (Utf8.Failed) {
        Out->Failed = true;
    } else {
        PutPadded(Out, Utf8.Data != NULL ? Utf8.Data : "", Utf8.Length, Width, LeftAlign);
    }
    free(Utf8.Data);
}

/* ------------------------------------------------------------------ the formatter */

typedef enum SIZE_PREFIX {
    SizeNone,
    SizeChar,   /* hh */
    SizeShort,  /* h */
    SizeLong,   /* l: 32 bits, as on Windows; for c/s: wide */
    SizeLong64, /* ll, I64, q */
    SizePtr,    /* I, z, t */
    SizeMax,    /* j */
    SizeWide,   /* w */
    SizeDouble, /* L */
} SIZE_PREFIX;

/* Appends a conversion that the C library formats: Spec is "%<flags><width><.prec>" and
   Conversion the final characters ("lld", "f", ...). */
static void PutWithLibc(KH_FMT_OUT *Out, const char *Spec, const char *Conversion, ...)
{
    char Format[64];
    snprintf(Format, sizeof(Format), "%s%s", Spec, Conversion);
    va_list Arguments;
    va_start(Arguments, Conversion);
    char Small[128];
    va_list Copy;
    va_copy(Copy, Arguments);
    int Length = vsnprintf(Small, sizeof(Small), Format, Copy);
    va_end(Copy);
    if (Length < 0) {
        va_end(Arguments);
        return;
    }
    if ((size_t)Length < sizeof(Small)) {
        Put(Out, Small, (size_t)Length);
    } else {
        char *Large = malloc((size_t)Length + 1);
        if (Large == NULL) {
            Out->Failed = true;
        } else {
            vsnprintf(Large, (size_t)Length + 1, Format, Arguments);
            Put(Out, Large, (size_t)Length);
            free(Large);
        }
    }
    va_end(Arguments);
}

/*
 * Formats Format (UTF-8; from a wide format when Wide, which changes what %s, %c, %S
 * and %C take) with Arguments into Out.
 */
static void Format(KH_FMT_OUT *Out, const char *FormatText, bool Wide, va_list *Arguments)
{
    const char *p = FormatText;
    while (*p != '\0') {
        if (*p != '%') {
            const char *Start = p;
            while (*p != '\0' && *p != '%') {
                p++;
            }
            Put(Out, Start, (size_t)(p - Start));
            continue;
        }
        const char *SpecStart = p++;
        if (*p == '%') {
            Put(Out, "%", 1);
            p++;
            continue;
        }

        /* Flags, width, precision: copied into Spec with '*' resolved. */
        char Spec[48];
        size_t SpecLength = 0;
        Spec[SpecLength++] = '%';
        bool LeftAlign = false;
        while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0') {
            if (*p == '-') {
                LeftAlign = true;
            }
            if (SpecLength < 8) {
                Spec[SpecLength++] = *p;
            }
            p++;
        }
        int Width = -1;
        if (*p == '*') {
            Width = va_arg(*Arguments, int);
            if (Width < 0) {
                LeftAlign = true;
                Width = -Width;
                Spec[SpecLength++] = '-';
            }
            p++;
        } else if (*p >= '0' && *p <= '9') {
            Width = 0;
            while (*p >= '0' && *p <= '9') {
                Width = Width * 10 + (*p - '0');
                p++;
            }
        }
        if (Width >= 0) {
            SpecLength += (size_t)snprintf(Spec + SpecLength, sizeof(Spec) - SpecLength, "%d", Width);
        }
        int Precision = -1;
        if (*p == '.') {
            p++;
            Precision = 0;
            if (*p == '*') {
                Precision = va_arg(*Arguments, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9') {
                    Precision = Precision * 10 + (*p - '0');
                    p++;
                }
            }
            if (Precision >= 0) {
                SpecLength += (size_t)snprintf(Spec + SpecLength, sizeof(Spec) - SpecLength, ".%d",
                                               Precision);
            }
        }
        Spec[SpecLength] = '\0';

        SIZE_PREFIX Size = SizeNone;
        if (p[0] == 'h' && p[1] == 'h') {
            Size = SizeChar;
            p += 2;
        } else if (p[0] == 'h') {
            Size = SizeShort;
            p++;
        } else if (p[0] == 'l' && p[1] == 'l') {
            Size = SizeLong64;
            p += 2;
        } else if (p[0] == 'l') {
            Size = SizeLong;
            p++;
        } else if (p[0] == 'I' && p[1] == '6' && p[2] == '4') {
            Size = SizeLong64;
            p += 3;
        } else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') {
            Size = SizeNone;
            p += 3;
        } else if (p[0] == 'I' || p[0] == 'z' || p[0] == 't') {
            Size = SizePtr;
            p++;
        } else if (p[0] == 'j') {
            Size = SizeMax;
            p++;
        } else if (p[0] == 'q') {
            Size = SizeLong64;
            p++;
        } else if (p[0] == 'w') {
            Size = SizeWide;
            p++;
        } else if (p[0] == 'L') {
            Size = SizeDouble;
            p++;
        }

        char Conversion = *p;
        if (Conversion == '\0') {
            Put(Out, SpecStart, (size_t)(p - SpecStart));
            break;
        }
        p++;
        switch (Conversion) {
        case 'd':
        case 'i': {
            long long Value;
            switch (Size) {
            case SizeChar:
                Value = (signed char)va_arg(*Arguments, int);
                break;
            case SizeShort:
                Value = (short)va_arg(*Arguments, int);
                break;
            case SizeLong64:
                Value = va_arg(*Arguments, long long);
                break;
            case SizePtr:
                Value = (long long)va_arg(*Arguments, intptr_t);
                break;
            case SizeMax:
                Value = (long long)va_arg(*Arguments, intmax_t);
                break;
            default: /* none, l (32-bit long), w and L (ignored) */
                Value = va_arg(*Arguments, int);
                break;
            }
            PutWithLibc(Out, Spec, "lld", Value);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            unsigned long long Value;
            switch (Size) {
            case SizeChar:
                Value = (unsigned char)va_arg(*Arguments, unsigned int);
                break;
            case SizeShort:
                Value = (unsigned short)va_arg(*Arguments, unsigned int);
                break;
            case SizeLong64:
                Value = va_arg(*Arguments, unsigned long long);
                break;
            case SizePtr:
                Value = (unsigned long long)va_arg(*Arguments, uintptr_t);
                break;
            case SizeMax:
                Value = (unsigned long long)va_arg(*Arguments, uintmax_t);
                break;
            default:
                Value = va_arg(*Arguments, unsigned int);
                break;
            }
            char Conv[4] = {'l', 'l', Conversion, '\0'};
            PutWithLibc(Out, Spec, Conv, Value);
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
            double Value = va_arg(*Arguments, double);
            char Conv[2] = {Conversion, '\0'};
            PutWithLibc(Out, Spec, Conv, Value);
            break;
        }
        case 'p': {
            void *Value = va_arg(*Arguments, void *);
            char Text[24];
            int Length = snprintf(Text, sizeof(Text), "%016llX", (unsigned long long)(uintptr_t)Value);
            PutPadded(Out, Text, (size_t)Length, Width, LeftAlign);
            break;
        }
        case 'c':
        case 'C': {
            bool WideChar = Size == SizeLong || Size == SizeWide ||
                            (Size != SizeShort && ((Conversion == 'c') == Wide));
            char Buffer[4];
            size_t Length;
            if (WideChar) {
                /* A 16-bit wchar_t is promoted to int; a lone UTF-16 unit that is a
                   surrogate prints as U+FFFD. */
                uint32_t Code = (uint32_t)va_arg(*Arguments, wint_t);
                Length = KhW32EncodeUtf8(KhW32ScalarOrReplacement(Out->Utf16 ? (Code & 0xFFFFu) : Code), Buffer);
            } else {
                Buffer[0] = (char)va_arg(*Arguments, int);
                Length = 1;
            }
            PutPadded(Out, Buffer, Length, Width, LeftAlign);
            break;
        }
        case 's':
        case 'S': {
            bool WideString = Size == SizeLong || Size == SizeWide ||
                              (Size != SizeShort && ((Conversion == 's') == Wide));
            if (WideString) {
                PutWide(Out, va_arg(*Arguments, const void *), Out->Utf16, -1, Precision, Width,
                        LeftAlign);
            } else {
                PutNarrow(Out, va_arg(*Arguments, const char *), Precision, Width, LeftAlign);
            }
            break;
        }
        case 'Z': {
            /* ANSI_STRING / UNICODE_STRING: USHORT Length (bytes), USHORT MaximumLength,
               then the buffer pointer at offset 8 on 64-bit Windows. */
            const unsigned char *String = va_arg(*Arguments, const unsigned char *);
            if (String == NULL) {
                PutNarrow(Out, NULL, Precision, Width, LeftAlign);
                break;
            }
            uint16_t Length;
            const void *Buffer;
            memcpy(&Length, String, sizeof(Length));
            memcpy(&Buffer, String + 8, sizeof(Buffer));
            if (Size == SizeWide || Size == SizeLong) {
                /* The host's UNICODE_STRING holds UTF-16 code units (kmdfhost_nt.h). */
                static const uint16_t Empty[1] = {0};
                PutWide(Out, Buffer != NULL ? Buffer : Empty, true, Length / 2, Precision, Width,
                        LeftAlign);
            } else {
                int Bytes = Precision >= 0 && Precision < Length ? Precision : Length;
                PutPadded(Out, Buffer != NULL ? Buffer : "", (size_t)Bytes, Width, LeftAlign);
            }
            break;
        }
        case 'n':
            fflush(stdout);
            fprintf(stderr, "kmdfhost: printf: %%n is disabled, as in the Microsoft C runtime "
                            "(an invalid parameter); the program ends\n");
            abort();
        default:
            /* Not a conversion: the text as it stands (the Microsoft C runtime would call
               its invalid parameter handler). */
            Put(Out, SpecStart, (size_t)(p - SpecStart));
            break;
        }
    }
}

/* Formats a narrow format into a new buffer; NULL when out of memory. */
static char *FormatNarrow(const char *FormatText, bool Utf16, va_list Arguments, size_t *Length)
{
    KH_FMT_OUT Out = {.Utf16 = Utf16};
    va_list Copy;
    va_copy(Copy, Arguments);
    Put(&Out, "", 0);
    Format(&Out, FormatText != NULL ? FormatText : "(null)", false, &Copy);
    va_end(Copy);
    if (Out.Failed) {
        free(Out.Data);
        return NULL;
    }
    *Length = Out.Length;
    return Out.Data;
}

/* Formats a wide format (UTF-16 when Utf16, else wchar_t) into new UTF-8 text. */
static char *FormatWide(const void *FormatText, bool Utf16, va_list Arguments, size_t *Length)
{
    char *Utf8;
    if (FormatText == NULL) {
        Utf8 = strdup("(null)");
    } else if (Utf16) {
        KH_FMT_OUT Text = {0};
        Put(&Text, "", 0);
        PutWide(&Text, FormatText, true, -1, -1, 0, false);
        Utf8 = Text.Data;
        if (Text.Failed) {
            free(Text.Data);
            Utf8 = NULL;
        }
    } else {
        Utf8 = KhW32WideToUtf8(FormatText);
    }
    if (Utf8 == NULL) {
        return NULL;
    }
    KH_FMT_OUT Out = {.Utf16 = Utf16};
    va_list Copy;
    va_copy(Copy, Arguments);
    Put(&Out, "", 0);
    Format(&Out, Utf8, true, &Copy);
    va_end(Copy);
    free(Utf8);
    if (Out.Failed) {
        free(Out.Data);
        return NULL;
    }
    *Length = Out.Length;
    return Out.Data;
}

/* Writes Text to Stream in one call, so that lines of several threads do not mix. */
static int Emit(FILE *Stream, char *Text, size_t Length, int Result)
{
    if (Text == NULL) {
        errno = ENOMEM;
        return -1;
    }
    size_t Written = fwrite(Text, 1, Length, Stream);
    free(Text);
    return Written == Length ? Result : -1;
}

/* ------------------------------------------------------------------ narrow functions */

static int VfprintfCore(FILE *Stream, const char *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    char *Text = FormatNarrow(FormatText, Utf16, Arguments, &Length);
    return Emit(Stream, Text, Length, (int)Length);
}

KMDFHOST_API int KhCrtVfprintf(FILE *Stream, const char *FormatText, va_list Arguments)
{
    return VfprintfCore(Stream, FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtFprintf(FILE *Stream, const char *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVfprintf(Stream, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

KMDFHOST_API int KhCrtVprintf(const char *FormatText, va_list Arguments)
{
    return KhCrtVfprintf(stdout, FormatText, Arguments);
}

KMDFHOST_API int KhCrtPrintf(const char *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVfprintf(stdout, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

/* C99 vsnprintf: at most Count - 1 bytes and a NUL; returns the full length. */
static int VsnprintfCore(char *Buffer, size_t Count, const char *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    char *Text = FormatNarrow(FormatText, Utf16, Arguments, &Length);
    if (Text == NULL) {
        return -1;
    }
    if (Count > 0 && Buffer != NULL) {
        size_t Copy = Length < Count - 1 ? Length : Count - 1;
        memcpy(Buffer, Text, Copy);
        Buffer[Copy] = '\0';
    }
    free(Text);
    return (int)Length;
}

KMDFHOST_API int KhCrtVsnprintf(char *Buffer, size_t Count, const char *FormatText, va_list Arguments)
{
    return VsnprintfCore(Buffer, Count, FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtSnprintf(char *Buffer, size_t Count, const char *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVsnprintf(Buffer, Count, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

KMDFHOST_API int KhCrtVsprintf(char *Buffer, const char *FormatText, va_list Arguments)
{
    return KhCrtVsnprintf(Buffer, SIZE_MAX, FormatText, Arguments);
}

KMDFHOST_API int KhCrtSprintf(char *Buffer, const char *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVsnprintf(Buffer, SIZE_MAX, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

/* Microsoft's _vsnprintf: the text and a NUL if it fits; the text without NUL if it fits
   exactly; otherwise Count bytes of it and -1. */
static int MsVsnprintfCore(char *Buffer, size_t Count, const char *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    char *Text = FormatNarrow(FormatText, Utf16, Arguments, &Length);
    if (Text == NULL) {
        return -1;
    }
    int Result = (int)Length;
    if (Length < Count) {
        memcpy(Buffer, Text, Length + 1);
    } else if (Length == Count) {
        memcpy(Buffer, Text, Length);
    } else {
        memcpy(Buffer, Text, Count);
        Result = -1;
    }
    free(Text);
    return Result;
}

KMDFHOST_API int KhCrtMsVsnprintf(char *Buffer, size_t Count, const char *FormatText, va_list Arguments)
{
    return MsVsnprintfCore(Buffer, Count, FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtMsSnprintf(char *Buffer, size_t Count, const char *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtMsVsnprintf(Buffer, Count, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

static int VscprintfCore(const char *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    char *Text = FormatNarrow(FormatText, Utf16, Arguments, &Length);
    free(Text);
    return Text != NULL ? (int)Length : -1;
}

KMDFHOST_API int KhCrtVscprintf(const char *FormatText, va_list Arguments)
{
    return VscprintfCore(FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtScprintf(const char *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVscprintf(FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

/* ------------------------------------------------------------------ wide functions */

static int VfwprintfCore(FILE *Stream, const void *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    char *Text = FormatWide(FormatText, Utf16, Arguments, &Length);
    /* The result counts wide characters, as the wide functions do. */
    int Chars = Text != NULL ? (int)WideChars(Text, Length, Utf16) : -1;
    return Emit(Stream, Text, Length, Chars);
}

KMDFHOST_API int KhCrtVfwprintf(FILE *Stream, const wchar_t *FormatText, va_list Arguments)
{
    return VfwprintfCore(Stream, FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtFwprintf(FILE *Stream, const wchar_t *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVfwprintf(Stream, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

KMDFHOST_API int KhCrtVwprintf(const wchar_t *FormatText, va_list Arguments)
{
    return KhCrtVfwprintf(stdout, FormatText, Arguments);
}

KMDFHOST_API int KhCrtWprintf(const wchar_t *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVfwprintf(stdout, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

/* The formatted text as wide characters into Buffer (Count of them, NUL included): UTF-16
   units when Utf16, else the platform's wchar_t. Returns the length, or -1 when it does
   not fit (then truncated and terminated, or with MsForm Count characters without NUL). */
static int StoreWide(void *Buffer, size_t Count, char *Text, bool Utf16, bool MsForm)
{
    if (Text == NULL) {
        return -1;
    }
    wchar_t *Wide = KhW32Utf8ToWide(Text);
    free(Text);
    if (Wide == NULL) {
        return -1;
    }
    size_t Length = wcslen(Wide);
    const void *Source = Wide;
    uint16_t *Units = NULL;
    size_t Unit = sizeof(wchar_t);
    if (Utf16) {
        Units = KhW32WideToUtf16(Wide, &Length);
        if (Units == NULL) {
            free(Wide);
            return -1;
        }
        Source = Units;
        Unit = sizeof(uint16_t);
    }
    int Result = (int)Length;
    if (Length < Count) {
        memcpy(Buffer, Source, (Length + 1) * Unit);
    } else if (MsForm) {
        /* _snwprintf: Count characters, terminated only when the text fits exactly. */
        memcpy(Buffer, Source, (Length == Count ? Length : Count) * Unit);
        Result = Length == Count ? (int)Length : -1;
    } else {
        if (Count > 0) {
            memcpy(Buffer, Source, (Count - 1) * Unit);
            memset((char *)Buffer + (Count - 1) * Unit, 0, Unit);
        }
        Result = -1;
    }
    free(Units);
    free(Wide);
    return Result;
}

/* swprintf with a count (the ISO form): -1 when the text does not fit, which is then
   truncated and terminated. */
static int VswprintfCore(void *Buffer, size_t Count, const void *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    return StoreWide(Buffer, Count, FormatWide(FormatText, Utf16, Arguments, &Length), Utf16, false);
}

KMDFHOST_API int KhCrtVswprintf(wchar_t *Buffer, size_t Count, const wchar_t *FormatText, va_list Arguments)
{
    return VswprintfCore(Buffer, Count, FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtSwprintf(wchar_t *Buffer, size_t Count, const wchar_t *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVswprintf(Buffer, Count, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

static int MsVsnwprintfCore(void *Buffer, size_t Count, const void *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    return StoreWide(Buffer, Count, FormatWide(FormatText, Utf16, Arguments, &Length), Utf16, true);
}

KMDFHOST_API int KhCrtMsVsnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *FormatText, va_list Arguments)
{
    return MsVsnwprintfCore(Buffer, Count, FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtMsSnwprintf(wchar_t *Buffer, size_t Count, const wchar_t *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtMsVsnwprintf(Buffer, Count, FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

static int VscwprintfCore(const void *FormatText, bool Utf16, va_list Arguments)
{
    size_t Length = 0;
    char *Text = FormatWide(FormatText, Utf16, Arguments, &Length);
    int Chars = Text != NULL ? (int)WideChars(Text, Length, Utf16) : -1;
    free(Text);
    return Chars;
}

KMDFHOST_API int KhCrtVscwprintf(const wchar_t *FormatText, va_list Arguments)
{
    return VscwprintfCore(FormatText, false, Arguments);
}

KMDFHOST_API int KhCrtScwprintf(const wchar_t *FormatText, ...)
{
    va_list Arguments;
    va_start(Arguments, FormatText);
    int Result = KhCrtVscwprintf(FormatText, Arguments);
    va_end(Arguments);
    return Result;
}

KMDFHOST_API int KhCrtFputws(const wchar_t *Text, FILE *Stream)
{
    char *Utf8 = KhW32WideToUtf8(Text);
    if (Utf8 == NULL) {
        return -1;
    }
    int Result = fputs(Utf8, Stream) >= 0 ? 0 : -1;
    free(Utf8);
    return Result;
}

KMDFHOST_API int KhCrtPutws(const wchar_t *Text)
{
    if (KhCrtFputws(Text, stdout) != 0 || fputc('\n', stdout) == EOF) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ 16-bit wchar_t */

/*
 * The same functions for programs whose wchar_t is 16 bits (scripts/build-host-app
 * compiles with -fshort-wchar, as wchar_t is on Windows): kmdfhost_crt.h maps the
 * KhCrt* names to these KhCrt16* ones there. Wide text, in the format and in the
 * arguments of the narrow functions alike (%ws, %S ...), is UTF-16.
 */
#define KH_VARIADIC(Name, Core, Params, Last, ...)                                         \
    KMDFHOST_API int Name Params                                                           \
    {                                                                                      \
        va_list Arguments;                                                                 \
        va_start(Arguments, Last);                                                         \
        int Result = Core(__VA_ARGS__, true, Arguments);                                   \
        va_end(Arguments);                                                                 \
        return Result;                                                                     \
    }
#define KH_VLIST(Name, Core, Params, ...)                                                  \
    KMDFHOST_API int Name Params { return Core(__VA_ARGS__, true, Arguments); }

KH_VLIST(KhCrt16Vfprintf, VfprintfCore, (FILE *Stream, const char *FormatText, va_list Arguments),
         Stream, FormatText)
KH_VARIADIC(KhCrt16Fprintf, VfprintfCore, (FILE *Stream, const char *FormatText, ...), FormatText,
            Stream, FormatText)
KH_VLIST(KhCrt16Vprintf, VfprintfCore, (const char *FormatText, va_list Arguments), stdout, FormatText)
KH_VARIADIC(KhCrt16Printf, VfprintfCore, (const char *FormatText, ...), FormatText, stdout, FormatText)
KH_VLIST(KhCrt16Vsnprintf, VsnprintfCore,
         (char *Buffer, size_t Count, const char *FormatText, va_list Arguments), Buffer, Count,
         FormatText)
KH_VARIADIC(KhCrt16Snprintf, VsnprintfCore, (char *Buffer, size_t Count, const char *FormatText, ...),
            FormatText, Buffer, Count, FormatText)
KH_VLIST(KhCrt16Vsprintf, VsnprintfCore, (char *Buffer, const char *FormatText, va_list Arguments),
         Buffer, SIZE_MAX, FormatText)
KH_VARIADIC(KhCrt16Sprintf, VsnprintfCore, (char *Buffer, const char *FormatText, ...), FormatText,
            Buffer, SIZE_MAX, FormatText)
KH_VLIST(KhCrt16MsVsnprintf, MsVsnprintfCore,
         (char *Buffer, size_t Count, const char *FormatText, va_list Arguments), Buffer, Count,
         FormatText)
KH_VARIADIC(KhCrt16MsSnprintf, MsVsnprintfCore,
            (char *Buffer, size_t Count, const char *FormatText, ...), FormatText, Buffer, Count,
            FormatText)
KH_VLIST(KhCrt16Vscprintf, VscprintfCore, (const char *FormatText, va_list Arguments), FormatText)
KH_VARIADIC(KhCrt16Scprintf, VscprintfCore, (const char *FormatText, ...), FormatText, FormatText)

KH_VLIST(KhCrt16Vfwprintf, VfwprintfCore,
         (FILE *Stream, const uint16_t *FormatText, va_list Arguments), Stream, FormatText)
KH_VARIADIC(KhCrt16Fwprintf, VfwprintfCore, (FILE *Stream, const uint16_t *FormatText, ...),
            FormatText, Stream, FormatText)
KH_VLIST(KhCrt16Vwprintf, VfwprintfCore, (const uint16_t *FormatText, va_list Arguments), stdout,
         FormatText)
KH_VARIADIC(KhCrt16Wprintf, VfwprintfCore, (const uint16_t *FormatText, ...), FormatText, stdout,
            FormatText)
KH_VLIST(KhCrt16Vswprintf, VswprintfCore,
         (uint16_t *Buffer, size_t Count, const uint16_t *FormatText, va_list Arguments), Buffer,
         Count, FormatText)
KH_VARIADIC(KhCrt16Swprintf, VswprintfCore,
            (uint16_t *Buffer, size_t Count, const uint16_t *FormatText, ...), FormatText, Buffer,
            Count, FormatText)
KH_VLIST(KhCrt16MsVsnwprintf, MsVsnwprintfCore,
         (uint16_t *Buffer, size_t Count, const uint16_t *FormatText, va_list Arguments), Buffer,
         Count, FormatText)
KH_VARIADIC(KhCrt16MsSnwprintf, MsVsnwprintfCore,
            (uint16_t *Buffer, size_t Count, const uint16_t *FormatText, ...), FormatText, Buffer,
            Count, FormatText)
KH_VLIST(KhCrt16Vscwprintf, VscwprintfCore, (const uint16_t *FormatText, va_list Arguments),
         FormatText)
KH_VARIADIC(KhCrt16Scwprintf, VscwprintfCore, (const uint16_t *FormatText, ...), FormatText,
            FormatText)
#undef KH_VARIADIC
#undef KH_VLIST

KMDFHOST_API int KhCrt16Fputws(const uint16_t *Text, FILE *Stream)
{
    if (Text == NULL) {
        errno = EINVAL;
        return -1;
    }
    KH_FMT_OUT Utf8 = {0};
    Put(&Utf8, "", 0);
    PutWide(&Utf8, Text, true, -1, -1, 0, false);
    int Result = !Utf8.Failed && fputs(Utf8.Data, Stream) >= 0 ? 0 : -1;
    free(Utf8.Data);
    return Result;
}

KMDFHOST_API int KhCrt16Putws(const uint16_t *Text)
{
    if (KhCrt16Fputws(Text, stdout) != 0 || fputc('\n', stdout) == EOF) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ rand (kmdfhost_crt.h) */

static _Thread_local unsigned int KhCrtRandSeed = 1;

KMDFHOST_API int KhCrtRand(void)
{
    KhCrtRandSeed = KhCrtRandSeed * 214013u + 2531011u;
    return (int)((KhCrtRandSeed >> 16) & 0x7fffu);
}

KMDFHOST_API void KhCrtSrand(unsigned int Seed) { KhCrtRandSeed = Seed; }
