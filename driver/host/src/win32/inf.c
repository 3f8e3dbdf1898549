/*
 * inf.c - installs a device from a driver's INF file, as the PnP manager and SetupAPI do
 * on Windows when a device is installed with pnputil or devcon: what `scripts/host-run
 * --inf FILE` does before the driver is added to the device.
 *
 * Reading (https://learn.microsoft.com/windows-hardware/drivers/install/general-syntax-rules-for-inf-files):
 * - the file is UTF-16LE (with its byte order mark, as stampinf and Visual Studio write
 *   .inx files), UTF-16BE, UTF-8 (with or without a mark), or 8-bit text (bytes that are
 *   not UTF-8 are taken as Windows-1252's Latin-1 subset);
 * - ';' starts a comment outside quotes; a '\' at the end of a line continues it; text
 *   before the first section is ignored;
 *   [section] names and keys compare without regard to case; fields are separated by
 *   ',', a key from its fields by '='; "quoted" fields keep their blanks, "" is a quote;
 * - %strkey% is replaced by its value in [Strings] (or a localized [Strings.LLLL]
 *   section when [Strings] lacks it), %% by %; an unknown %token% (a DIRID such as %13%)
 *   stays as written;
 * - .inx files are stampinf's input: $ARCH$ becomes amd64 (the host is a 64-bit x86
 *   Windows), other $TOKEN$ are left as written (they are values setup does not read).
 *
 * Installing (https://learn.microsoft.com/windows-hardware/drivers/install/inf-manufacturer-section,
 * .../inf-models-section, .../inf-ddinstall-section, .../inf-ddinstall-hw-section,
 * .../inf-ddinstall-services-section, .../inf-addreg-directive):
 * - [Version]: Signature is required; Class and ClassGuid become the device's setup class;
 * - [Manufacturer] names each manufacturer's models section and its target-OS
 *   decorations: the first decoration that fits 64-bit x86 Windows NT ("NTamd64...",
 *   "NT", "NT.10.0...") whose section exists is taken, else the undecorated section; an
 *   entry with models for other platforms only is passed over;
 * - the model is the one whose hardware or compatible ID is the device's hardware ID
 *   (compared without regard to case). When none is, the first model whose install
 *   section's .Services section adds the driver's service (the module's name, as the
 *   service's name or as its ServiceBinary's file name without .sys) is taken,
 *   and its hardware ID becomes the device's (as devcon install creates a root device
 *   with the ID it is given). When no model installs the driver either, only the setup
 *   class is installed, and a warning says so;
 * - the DDInstall section is <install>.NTamd64, <install>.NT or <install>, the first that
 *   exists; .HW and .Services are suffixes of the one taken;
 * - the device's Enum key (HKLM\SYSTEM\CurrentControlSet\Enum\<instance>) receives
 *   DeviceDesc (the model's description), HardwareID, Mfg, Class, ClassGUID and Service
 *   (the AddService entry flagged SPSVCINST_ASSOCSERVICE, 0x2);
 * - AddReg: HKR of DDInstall.HW is the device's hardware key (Enum\<instance>\Device
 *   Parameters, what IoOpenDeviceRegistryKey and WdfDeviceOpenRegistryKey open with
 *   PLUGPLAY_REGKEY_DEVICE), except the values that are device properties (UpperFilters,
 *   LowerFilters, Security, DeviceType, DeviceCharacteristics, Exclusive), which setup
 *   keeps in the Enum key itself; HKR of DDInstall is the software key
 *   (Control\Class\<instance> in the host, PLUGPLAY_REGKEY_DRIVER); HKR of a
 *   service-install section is the service's key (Services\<name>); HKLM names a path
 *   under \Registry\Machine. Other roots (HKCR, HKCU, HKU) are reported and skipped.
 *   Flags: FLG_ADDREG_TYPE_SZ 0, _MULTI_SZ 0x10000, _EXPAND_SZ 0x20000, _BINARY 0x1,
 *   _DWORD 0x10001, _NONE 0x20001, other types (type << 16) | 1 with binary data;
 *   FLG_ADDREG_NOCLOBBER 0x2 keeps a value that exists, FLG_ADDREG_KEYONLY 0x10 creates
 *   the key only, FLG_ADDREG_DELVAL 0x4 is reported and skipped.
 * Errors name the file and the line ("FILE:LINE: ...") and fail the installation.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32/win32p.h"

#define ENUM_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\"
#define CLASS_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Class\\"
#define SERVICES_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"

typedef struct INF_LINE {
    const char *Section; /* the section's name, as written */
    int Number;          /* 1-based line of the file */
    char *Text;          /* comments removed, continuations joined, trimmed */
} INF_LINE;

typedef struct INF_SECTION {
    char *Name;
    int Number;
} INF_SECTION;

typedef struct INF {
    const char *Path;
    INF_LINE *Lines;
    size_t LineCount;
    INF_SECTION *Sections;
    size_t SectionCount;
    char Error[512];
} INF;

static bool Fail(INF *Inf, int Line, const char *Format, ...) __attribute__((format(printf, 3, 4)));

static bool Fail(INF *Inf, int Line, const char *Format, ...)
{
    char Message[400];
    va_list Args;
    va_start(Args, Format);
    vsnprintf(Message, sizeof(Message), Format, Args);
    va_end(Args);
    if (Line > 0) {
        snprintf(Inf->Error, sizeof(Inf->Error), "%s:%d: %s", Inf->Path, Line, Message);
    } else {
        snprintf(Inf->Error, sizeof(Inf->Error), "%s: %s", Inf->Path, Message);
    }
    return false;
}

static bool SameText(const char *A, const char *B)
{
    for (; *A != 0 && *B != 0; A++, B++) {
        if (tolower((unsigned char)*A) != tolower((unsigned char)*B)) {
            return false;
        }
    }
    return *A == *B;
}

static bool StartsWith(const char *Text, const char *Prefix)
{
    for (; *Prefix != 0; Text++, Prefix++) {
        if (tolower((unsigned char)*Text) != tolower((unsigned char)*Prefix)) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ text */

static void PutUtf8(char **Out, uint32_t C)
{
    char *o = *Out;
    if (C < 0x80) {
        *o++ = (char)C;
    } else if (C < 0x800) {
        *o++ = (char)(0xC0 | (C >> 6));
        *o++ = (char)(0x80 | (C & 0x3F));
    } else if (C < 0x10000) {
        *o++ = (char)(0xE0 | (C >> 12));
        *o++ = (char)(0x80 | ((C >> 6) & 0x3F));
        *o++ = (char)(0x80 | (C & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (C >> 18));
        *o++ = (char)(0x80 | ((C >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((C >> 6) & 0x3F));
        *o++ = (char)(0x80 | (C & 0x3F));
    }
    *Out = o;
}

static bool ValidUtf8(const unsigned char *S, size_t N)
{
    for (size_t i = 0; i < N;) {
        unsigned char c = S[i];
        size_t More = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 4;
        if (More == 4 || i + More >= N + (More == 0)) {
            return false;
        }
        for (size_t k = 1; k <= More; k++) {
            if ((S[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        i += More + 1;
    }
    return true;
}

/* The file's text in UTF-8 (NUL-terminated, NULs inside dropped). */
static char *DecodeFile(const unsigned char *Bytes, size_t Size)
{
    char *Text = malloc(Size * 3 + 1);
    if (Text == NULL) {
        return NULL;
    }
    char *o = Text;
    bool Le = Size >= 2 && Bytes[0] == 0xFF && Bytes[1] == 0xFE;
    bool Be = Size >= 2 && Bytes[0] == 0xFE && Bytes[1] == 0xFF;
    /* UTF-16LE without a mark: ASCII text with every second byte 0. */
    if (!Le && !Be && Size >= 4 && Bytes[0] != 0 && Bytes[1] == 0 && Bytes[2] != 0 && Bytes[3] == 0) {
        Le = true;
        Bytes -= 2;
        Size += 2;
    }
    if (Le || Be) {
        for (size_t i = 2; i + 1 < Size; i += 2) {
            uint32_t c = Le ? (uint32_t)(Bytes[i] | (Bytes[i + 1] << 8)) : (uint32_t)((Bytes[i] << 8) | Bytes[i + 1]);
            if (c >= 0xD800 && c <= 0xDBFF && i + 3 < Size) {
                uint32_t d = Le ? (uint32_t)(Bytes[i + 2] | (Bytes[i + 3] << 8))
                                : (uint32_t)((Bytes[i + 2] << 8) | Bytes[i + 3]);
                if (d >= 0xDC00 && d <= 0xDFFF) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                    i += 2;
                }
            }
            if (c != 0) {
                PutUtf8(&o, c);
            }
        }
    } else {
        size_t Start = Size >= 3 && Bytes[0] == 0xEF && Bytes[1] == 0xBB && Bytes[2] == 0xBF ? 3 : 0;
        bool Utf8 = ValidUtf8(Bytes + Start, Size - Start);
        for (size_t i = Start; i < Size; i++) {
            if (Bytes[i] == 0) {
                continue;
            }
            if (Utf8 || Bytes[i] < 0x80) {
                *o++ = (char)Bytes[i];
            } else {
                PutUtf8(&o, Bytes[i]);
            }
        }
    }
    *o = 0;
    return Text;
}

/* Replaces every $ARCH$ with amd64 (stampinf's architecture token). */
static char *StampArch(char *Text)
{
    size_t Count = 0;
    for (char *p = Text; (p = strstr(p, "$ARCH$")) != NULL; p += 6) {
        Count++;
    }
    if (Count == 0) {
        return Text;
    }
    char *Out = malloc(strlen(Text) + 1);
    if (Out == NULL) {
        free(Text);
        return NULL;
    }
    char *o = Out;
    for (char *p = Text; *p != 0;) {
        if (strncmp(p, "$ARCH$", 6) == 0) {
            memcpy(o, "amd64", 5);
            o += 5;
            p += 6;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    free(Text);
    return Out;
}

static char *Trim(char *S)
{
    while (*S == ' ' || *S == '\t' || *S == '\r' || *S == '\f' || *S == '\v') {
        S++;
    }
    size_t n = strlen(S);
    while (n > 0 && (S[n - 1] == ' ' || S[n - 1] == '\t' || S[n - 1] == '\r' || S[n - 1] == '\f' ||
                     S[n - 1] == '\v')) {
        S[--n] = 0;
    }
    return S;
}

/* Splits the text into lines and sections. */
static bool ParseText(INF *Inf, char *Text)
{
    size_t Capacity = 64, SectionCapacity = 16;
    Inf->Lines = malloc(Capacity * sizeof(*Inf->Lines));
    Inf->Sections = malloc(SectionCapacity * sizeof(*Inf->Sections));
    if (Inf->Lines == NULL || Inf->Sections == NULL) {
        return Fail(Inf, 0, "out of memory");
    }
    const char *Section = NULL;
    int Number = 0;
    char *p = Text;
    while (*p != 0) {
        /* One logical line: comments out, continuations joined. */
        int First = ++Number;
        size_t Cap = 128, Len = 0;
        char *Line = malloc(Cap);
        if (Line == NULL) {
            return Fail(Inf, First, "out of memory");
        }
        bool Quoted = false, Comment = false;
        for (;;) {
            char c = *p;
            if (c == 0) {
                break;
            }
            p++;
            if (c == '\n') {
                /* A '\' ending the line (blanks after it allowed) continues it. */
                size_t k = Len;
                while (k > 0 && (Line[k - 1] == ' ' || Line[k - 1] == '\t' || Line[k - 1] == '\r')) {
                    k--;
                }
                if (!Comment && !Quoted && k > 0 && Line[k - 1] == '\\') {
                    Len = k - 1;
                    Number++;
                    continue;
                }
                break;
            }
            if (Comment) {
                continue;
            }
            if (c == '"') {
                Quoted = !Quoted;
            } else if (c == ';' && !Quoted) {
                Comment = true;
                continue;
            }
            if (Len + 2 > Cap) {
                char *Bigger = realloc(Line, Cap *= 2);
                if (Bigger == NULL) {
                    free(Line);
                    return Fail(Inf, First, "out of memory");
                }
                Line = Bigger;
            }
            Line[Len++] = c;
        }
        Line[Len] = 0;
        if (Quoted) {
            free(Line);
            return Fail(Inf, First, "a quoted string is not closed");
        }
        char *Body = Trim(Line);
        if (*Body == 0) {
            free(Line);
            continue;
        }
        if (*Body == '[') {
            char *End = strchr(Body, ']');
            if (End == NULL || *Trim(End + 1) != 0) {
                free(Line);
                return Fail(Inf, First, "a section name must be [name], on a line of its own");
            }
            *End = 0;
            char *Name = strdup(Trim(Body + 1));
            free(Line);
            if (Name == NULL) {
                return Fail(Inf, First, "out of memory");
            }
            if (*Name == 0) {
                free(Name);
                return Fail(Inf, First, "an empty section name");
            }
            if (Inf->SectionCount == SectionCapacity) {
                INF_SECTION *Bigger = realloc(Inf->Sections, (SectionCapacity *= 2) * sizeof(*Bigger));
                if (Bigger == NULL) {
                    free(Name);
                    return Fail(Inf, First, "out of memory");
                }
                Inf->Sections = Bigger;
            }
            Inf->Sections[Inf->SectionCount].Name = Name;
            Inf->Sections[Inf->SectionCount++].Number = First;
            Section = Name;
            continue;
        }
        if (Section == NULL) {
            free(Line); /* text before the first section (a C-style banner in an .inx) is no part of any */
            continue;
        }
        if (Inf->LineCount == Capacity) {
            INF_LINE *Bigger = realloc(Inf->Lines, (Capacity *= 2) * sizeof(*Bigger));
            if (Bigger == NULL) {
                free(Line);
                return Fail(Inf, First, "out of memory");
            }
            Inf->Lines = Bigger;
        }
        memmove(Line, Body, strlen(Body) + 1);
        Inf->Lines[Inf->LineCount].Section = Section;
        Inf->Lines[Inf->LineCount].Number = First;
        Inf->Lines[Inf->LineCount++].Text = Line;
    }
    return true;
}

static const INF_SECTION *FindSection(const INF *Inf, const char *Name)
{
    for (size_t i = 0; i < Inf->SectionCount; i++) {
        if (SameText(Inf->Sections[i].Name, Name)) {
            return &Inf->Sections[i];
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ fields */

typedef struct FIELDS {
    char *Key; /* expanded, or NULL */
    size_t Count;
    char *Items[64]; /* expanded, unquoted */
} FIELDS;

static void FreeFields(FIELDS *F)
{
    free(F->Key);
    for (size_t i = 0; i < F->Count; i++) {
        free(F->Items[i]);
    }
    memset(F, 0, sizeof(*F));
}

static const char *StringValue(const INF *Inf, const char *Key, size_t KeyLength);

/* A raw field (blanks outside quotes trimmed) unquoted and with %strkey% expanded. */
static char *Expand(const INF *Inf, const char *Raw, size_t Length, int Depth)
{
    size_t Cap = Length + 1;
    char *Out = malloc(Cap);
    if (Out == NULL) {
        return NULL;
    }
    size_t o = 0;
    bool Quoted = false;
    for (size_t i = 0; i < Length; i++) {
        const char *Piece = NULL;
        size_t PieceLength = 0;
        char c = Raw[i];
        if (c == '"') {
            if (Quoted && i + 1 < Length && Raw[i + 1] == '"') {
                Piece = "\""; /* "" inside a quoted string */
                PieceLength = 1;
                i++;
            } else {
                Quoted = !Quoted; /* an opening or closing quote */
                continue;
            }
        } else if (c == '%') {
            const char *End = memchr(Raw + i + 1, '%', Length - i - 1);
            if (End == NULL) {
                Piece = "%";
                PieceLength = 1;
            } else if (End == Raw + i + 1) {
                Piece = "%"; /* %% */
                PieceLength = 1;
                i++;
            } else {
                const char *Value = Depth < 4 ? StringValue(Inf, Raw + i + 1, (size_t)(End - Raw - i - 1)) : NULL;
                if (Value != NULL) {
                    char *Inner = Expand(Inf, Value, strlen(Value), Depth + 1);
                    if (Inner == NULL) {
                        free(Out);
                        return NULL;
                    }
                    size_t n = strlen(Inner);
                    if (o + n + (Length - i) + 1 > Cap) {
                        Cap = o + n + (Length - i) + 1;
                        char *Bigger = realloc(Out, Cap);
                        if (Bigger == NULL) {
                            free(Inner);
                            free(Out);
                            return NULL;
                        }
                        Out = Bigger;
                    }
                    memcpy(Out + o, Inner, n);
                    o += n;
                    free(Inner);
                    i = (size_t)(End - Raw);
                    continue;
                }
                Piece = Raw + i; /* unknown (a DIRID such as %13%): as written */
                PieceLength = (size_t)(End - Raw - i) + 1;
                i = (size_t)(End - Raw);
            }
        } else {
            Piece = Raw + i;
            PieceLength = 1;
        }
        if (o + PieceLength + 1 > Cap) {
            Cap = (o + PieceLength + 1) * 2;
            char *Bigger = realloc(Out, Cap);
            if (Bigger == NULL) {
                free(Out);
                return NULL;
            }
            Out = Bigger;
        }
        memcpy(Out + o, Piece, PieceLength);
        o += PieceLength;
    }
    Out[o] = 0;
    return Out;
}

/* Splits a line into its key (WithKey: the part before an '=' outside quotes) and its
   comma-separated fields, each expanded. Returns false (Inf->Error) on failure. */
static bool SplitLine(INF *Inf, const INF_LINE *Line, bool WithKey, FIELDS *F)
{
    memset(F, 0, sizeof(*F));
    const char *Text = Line->Text;
    const char *Start = Text;
    if (WithKey) {
        bool Quoted = false;
        for (const char *p = Text; *p != 0; p++) {
            if (*p == '"') {
                Quoted = !Quoted;
            } else if (*p == '=' && !Quoted) {
                size_t n = (size_t)(p - Text);
                while (n > 0 && (Text[n - 1] == ' ' || Text[n - 1] == '\t')) {
                    n--;
                }
                F->Key = Expand(Inf, Text, n, 0);
                if (F->Key == NULL) {
                    return Fail(Inf, Line->Number, "out of memory");
                }
                Start = p + 1;
                break;
            }
        }
    }
    const char *p = Start;
    for (;;) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        const char *Begin = p;
        bool Quoted = false;
        while (*p != 0 && (Quoted || *p != ',')) {
            if (*p == '"') {
                Quoted = !Quoted;
            }
            p++;
        }
        size_t n = (size_t)(p - Begin);
        while (n > 0 && (Begin[n - 1] == ' ' || Begin[n - 1] == '\t')) {
            n--;
        }
        if (F->Count == sizeof(F->Items) / sizeof(F->Items[0])) {
            FreeFields(F);
            return Fail(Inf, Line->Number, "more than 64 fields on a line");
        }
        F->Items[F->Count] = Expand(Inf, Begin, n, 0);
        if (F->Items[F->Count] == NULL) {
            FreeFields(F);
            return Fail(Inf, Line->Number, "out of memory");
        }
        F->Count++;
        if (*p != ',') {
            break;
        }
        p++;
    }
    if (F->Count == 1 && F->Items[0][0] == 0) {
        free(F->Items[0]);
        F->Count = 0;
    }
    return true;
}

/* The raw value of a [Strings] key (localized [Strings.*] sections when [Strings] lacks
   it), quotes kept for Expand to remove; NULL when none. */
static const char *StringValue(const INF *Inf, const char *Key, size_t KeyLength)
{
    for (int Pass = 0; Pass < 2; Pass++) {
        for (size_t i = 0; i < Inf->LineCount; i++) {
            const INF_LINE *l = &Inf->Lines[i];
            bool Plain = SameText(l->Section, "Strings");
            if (Pass == 0 ? !Plain : (Plain || !StartsWith(l->Section, "Strings."))) {
                continue;
            }
            const char *Eq = strchr(l->Text, '=');
            if (Eq == NULL) {
                continue;
            }
            size_t n = (size_t)(Eq - l->Text);
            while (n > 0 && (l->Text[n - 1] == ' ' || l->Text[n - 1] == '\t')) {
                n--;
            }
            const char *k = l->Text;
            size_t kn = n;
            if (kn >= 2 && k[0] == '"' && k[kn - 1] == '"') {
                k++;
                kn -= 2;
            }
            if (kn != KeyLength) {
                continue;
            }
            bool Same = true;
            for (size_t j = 0; j < kn && Same; j++) {
                Same = tolower((unsigned char)k[j]) == tolower((unsigned char)Key[j]);
            }
            if (Same) {
                const char *v = Eq + 1;
                while (*v == ' ' || *v == '\t') {
                    v++;
                }
                return v;
            }
        }
    }
    return NULL;
}

/* The first line of Section whose key is Key (expanded fields in F); false when none. */
static bool FindKey(INF *Inf, const char *Section, const char *Key, FIELDS *F, int *Number, bool *Failed)
{
    *Failed = false;
    for (size_t i = 0; i < Inf->LineCount; i++) {
        if (!SameText(Inf->Lines[i].Section, Section)) {
            continue;
        }
        if (!SplitLine(Inf, &Inf->Lines[i], true, F)) {
            *Failed = true;
            return false;
        }
        if (F->Key != NULL && SameText(F->Key, Key)) {
            if (Number != NULL) {
                *Number = Inf->Lines[i].Number;
            }
            return true;
        }
        FreeFields(F);
    }
    return false;
}

/* ------------------------------------------------------------------ registry */

/* UTF-8 strings (Count of them; Multi: a REG_MULTI_SZ) as UTF-16LE registry data. */
static uint16_t *ToRegistryString(char *const *Items, size_t Count, bool Multi, size_t *Bytes)
{
    size_t Total = 0;
    uint16_t **Parts = calloc(Count ? Count : 1, sizeof(*Parts));
    size_t *Units = calloc(Count ? Count : 1, sizeof(*Units));
    uint16_t *Data = NULL;
    if (Parts == NULL || Units == NULL) {
        goto Done;
    }
    for (size_t i = 0; i < Count; i++) {
        wchar_t *Wide = KhW32Utf8ToWide(Items[i]);
        Parts[i] = Wide != NULL ? KhW32WideToUtf16(Wide, &Units[i]) : NULL;
        free(Wide);
        if (Parts[i] == NULL) {
            goto Done;
        }
        Total += Units[i] + 1;
    }
    Total += Multi ? 1 : (Count == 0 ? 1 : 0);
    Data = calloc(Total ? Total : 1, sizeof(uint16_t));
    if (Data == NULL) {
        goto Done;
    }
    size_t o = 0;
    for (size_t i = 0; i < Count; i++) {
        memcpy(Data + o, Parts[i], Units[i] * sizeof(uint16_t));
        o += Units[i] + 1;
    }
    *Bytes = Total * sizeof(uint16_t);
Done:
    for (size_t i = 0; Parts != NULL && i < Count; i++) {
        free(Parts[i]);
    }
    free(Parts);
    free(Units);
    return Data;
}

static bool SetString(INF *Inf, int Line, const char *Key, const char *Name, const char *Value, bool Multi)
{
    char *Items[1] = {(char *)Value};
    size_t Bytes = 0;
    uint16_t *Data = ToRegistryString(Items, 1, Multi, &Bytes);
    if (Data == NULL) {
        return Fail(Inf, Line, "out of memory");
    }
    KH_STATUS Status = KmdfHostSetRegistryValue(Key, Name, Multi ? REG_MULTI_SZ : REG_SZ, Data, Bytes);
    free(Data);
    if (!NT_SUCCESS(Status)) {
        return Fail(Inf, Line, "cannot set %s in %s: NTSTATUS 0x%08X", Name, Key, (unsigned)Status);
    }
    return true;
}

static char *Concat(const char *A, const char *B)
{
    char *S = malloc(strlen(A) + strlen(B) + 1);
    if (S != NULL) {
        strcpy(S, A);
        strcat(S, B);
    }
    return S;
}

static bool ParseNumber(const char *Text, unsigned long long *Value)
{
    if (*Text == 0) {
        return false;
    }
    char *End = NULL;
    *Value = strtoull(Text, &End, 0);
    return End != NULL && *End == 0;
}

/* Where HKR points for the section being installed. */
typedef struct HKR_TARGET {
    const char *Key;         /* the key HKR names */
    const char *PropertyKey; /* DDInstall.HW: the Enum key, for the device-property values */
} HKR_TARGET;

static bool IsDeviceProperty(const char *Name)
{
    static const char *const Names[] = {"UpperFilters", "LowerFilters", "Security",
                                        "DeviceType",   "DeviceCharacteristics", "Exclusive"};
    for (size_t i = 0; i < sizeof(Names) / sizeof(Names[0]); i++) {
        if (SameText(Name, Names[i])) {
            return true;
        }
    }
    return false;
}

/* One AddReg line: reg-root, [subkey], [value-entry-name], [flags], [value]... */
static bool AddRegLine(INF *Inf, const INF_LINE *Line, const HKR_TARGET *Hkr)
{
    FIELDS F;
    if (!SplitLine(Inf, Line, false, &F)) {
        return false;
    }
    bool Ok = false;
    char *Key = NULL;
    uint8_t *Data = NULL;
    if (F.Count < 1 || F.Items[0][0] == 0) {
        Fail(Inf, Line->Number, "an AddReg entry needs a registry root (HKR, HKLM, ...)");
        goto Done;
    }
    const char *Root = F.Items[0];
    const char *Subkey = F.Count > 1 ? F.Items[1] : "";
    const char *Name = F.Count > 2 ? F.Items[2] : "";
    unsigned long long Flags = 0;
    if (F.Count > 3 && F.Items[3][0] != 0 && !ParseNumber(F.Items[3], &Flags)) {
        Fail(Inf, Line->Number, "the AddReg flags '%s' are not a number", F.Items[3]);
        goto Done;
    }
    const char *Base;
    if (SameText(Root, "HKR")) {
        Base = Hkr->PropertyKey != NULL && *Subkey == 0 && IsDeviceProperty(Name) ? Hkr->PropertyKey : Hkr->Key;
    } else if (SameText(Root, "HKLM") || SameText(Root, "HKEY_LOCAL_MACHINE")) {
        Base = "\\Registry\\Machine";
    } else if (SameText(Root, "HKCR") || SameText(Root, "HKCU") || SameText(Root, "HKU")) {
        fprintf(stderr, "host-run: %s:%d: AddReg under %s skipped (the host has HKLM and HKR only)\n", Inf->Path,
                Line->Number, Root);
        Ok = true;
        goto Done;
    } else {
        Fail(Inf, Line->Number, "'%s' is no registry root (HKR, HKLM, HKCR, HKCU or HKU)", Root);
        goto Done;
    }
    if (*Subkey != 0) {
        char *WithSep = Concat(Base, "\\");
        Key = WithSep != NULL ? Concat(WithSep, Subkey) : NULL;
        free(WithSep);
    } else {
        Key = strdup(Base);
    }
    if (Key == NULL) {
        Fail(Inf, Line->Number, "out of memory");
        goto Done;
    }
    for (char *c = Key; *c != 0; c++) {
        if (*c == '/') {
            *c = '\\';
        }
    }
    if (Flags & 0x4) { /* FLG_ADDREG_DELVAL */
        fprintf(stderr, "host-run: %s:%d: AddReg FLG_ADDREG_DELVAL skipped\n", Inf->Path, Line->Number);
        Ok = true;
        goto Done;
    }
    if (Flags & 0x10) { /* FLG_ADDREG_KEYONLY */
        KH_STATUS Status = KmdfHostSetRegistryValue(Key, NULL, REG_NONE, NULL, 0);
        Ok = NT_SUCCESS(Status) || Fail(Inf, Line->Number, "cannot create %s: NTSTATUS 0x%08X", Key, (unsigned)Status);
        goto Done;
    }
    if (Flags & 0x2) { /* FLG_ADDREG_NOCLOBBER */
        size_t Required = 0;
        KH_STATUS Status = KmdfHostQueryRegistryValue(Key, Name, NULL, NULL, 0, &Required);
        if (Status != STATUS_OBJECT_NAME_NOT_FOUND) {
            Ok = true; /* it exists: kept */
            goto Done;
        }
    }
    uint32_t TypeFlags = (uint32_t)(Flags & 0xFFFF0001u);
    uint32_t Type;
    size_t Bytes = 0;
    char **Values = &F.Items[4];
    size_t ValueCount = F.Count > 4 ? F.Count - 4 : 0;
    if (TypeFlags == 0x00000000u || TypeFlags == 0x00020000u) {
        Type = TypeFlags == 0 ? REG_SZ : REG_EXPAND_SZ;
        Data = (uint8_t *)ToRegistryString(Values, ValueCount ? 1 : 0, false, &Bytes);
    } else if (TypeFlags == 0x00010000u) {
        Type = REG_MULTI_SZ;
        Data = (uint8_t *)ToRegistryString(Values, ValueCount, true, &Bytes);
    } else if (TypeFlags == 0x00010001u && ValueCount <= 1) {
        Type = REG_DWORD;
        unsigned long long Number = 0;
        if (ValueCount == 1 && Values[0][0] != 0 && (!ParseNumber(Values[0], &Number) || Number > 0xFFFFFFFFull)) {
            Fail(Inf, Line->Number, "the REG_DWORD value '%s' is not a 32-bit number", Values[0]);
            goto Done;
        }
        uint32_t Dword = (uint32_t)Number;
        Data = malloc(4);
        if (Data != NULL) {
            memcpy(Data, &Dword, 4);
        }
        Bytes = 4;
    } else {
        /* Binary data, byte by byte (REG_BINARY, a REG_DWORD given as bytes, REG_NONE, or
           another type as (type << 16) | FLG_ADDREG_BINVALUETYPE). */
        Type = TypeFlags == 0x00000001u ? REG_BINARY
               : TypeFlags == 0x00010001u ? REG_DWORD
               : TypeFlags == 0x00020001u ? REG_NONE
                                          : (TypeFlags >> 16);
        if (!(TypeFlags & 1)) {
            Fail(Inf, Line->Number, "the AddReg flags 0x%08llX name no value type", Flags);
            goto Done;
        }
        Data = malloc(ValueCount ? ValueCount : 1);
        for (size_t i = 0; Data != NULL && i < ValueCount; i++) {
            char *End = NULL;
            unsigned long Byte = strtoul(Values[i], &End, 16);
            if (Values[i][0] == 0 || *End != 0 || Byte > 0xFF) {
                Fail(Inf, Line->Number, "'%s' is not a hexadecimal byte", Values[i]);
                goto Done;
            }
            Data[i] = (uint8_t)Byte;
        }
        Bytes = ValueCount;
    }
    if (Data == NULL) {
        Fail(Inf, Line->Number, "out of memory");
        goto Done;
    }
    KH_STATUS Status = KmdfHostSetRegistryValue(Key, Name, Type, Data, Bytes);
    if (!NT_SUCCESS(Status)) {
        Fail(Inf, Line->Number, "cannot set %s in %s: NTSTATUS 0x%08X", Name, Key, (unsigned)Status);
        goto Done;
    }
    Ok = true;
Done:
    free(Data);
    free(Key);
    FreeFields(&F);
    return Ok;
}

/* Every AddReg directive of Section, each naming sections of AddReg lines. */
static bool AddRegOfSection(INF *Inf, const char *Section, const HKR_TARGET *Hkr)
{
    for (size_t i = 0; i < Inf->LineCount; i++) {
        if (!SameText(Inf->Lines[i].Section, Section)) {
            continue;
        }
        FIELDS F;
        if (!SplitLine(Inf, &Inf->Lines[i], true, &F)) {
            return false;
        }
        bool Ok = true;
        if (F.Key != NULL && SameText(F.Key, "AddReg")) {
            for (size_t j = 0; j < F.Count && Ok; j++) {
                if (F.Items[j][0] == 0) {
                    continue;
                }
                if (FindSection(Inf, F.Items[j]) == NULL) {
                    Ok = Fail(Inf, Inf->Lines[i].Number, "AddReg names [%s], which the file does not have",
                              F.Items[j]);
                    break;
                }
                for (size_t k = 0; k < Inf->LineCount && Ok; k++) {
                    if (SameText(Inf->Lines[k].Section, F.Items[j])) {
                        Ok = AddRegLine(Inf, &Inf->Lines[k], Hkr);
                    }
                }
            }
        }
        FreeFields(&F);
        if (!Ok) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ models */

/* The models section of a [Manufacturer] entry for 64-bit x86 Windows NT, or NULL. */
static const char *ModelsSection(INF *Inf, const FIELDS *Entry, char *Buffer, size_t Size)
{
    const char *Base = Entry->Items[0];
    for (size_t i = 1; i < Entry->Count; i++) {
        const char *d = Entry->Items[i];
        if (!StartsWith(d, "NT")) {
            continue;
        }
        const char *Rest = d + 2;
        if (StartsWith(Rest, "amd64")) {
            Rest += 5;
        } else if (*Rest != 0 && *Rest != '.') {
            continue; /* another architecture */
        }
        snprintf(Buffer, Size, "%s.%s", Base, d);
        if (FindSection(Inf, Buffer) != NULL) {
            return Buffer;
        }
    }
    snprintf(Buffer, Size, "%s", Base);
    return FindSection(Inf, Buffer) != NULL ? Buffer : NULL;
}

/* The DDInstall section actually used for an install-section name, or NULL. */
static const char *InstallSection(INF *Inf, const char *Name, char *Buffer, size_t Size)
{
    static const char *const Suffixes[] = {".NTamd64", ".NT", ""};
    for (size_t i = 0; i < 3; i++) {
        snprintf(Buffer, Size, "%s%s", Name, Suffixes[i]);
        if (FindSection(Inf, Buffer) != NULL) {
            return Buffer;
        }
    }
    return NULL;
}

/* Whether the service-install section's ServiceBinary is Service's file ("%12%\name.sys"
   for the service of the module name.so). */
static bool BinaryIs(INF *Inf, const char *Section, const char *Service)
{
    FIELDS F;
    bool Failed = false, Is = false;
    if (FindKey(Inf, Section, "ServiceBinary", &F, NULL, &Failed)) {
        if (F.Count == 1) {
            const char *Base = F.Items[0];
            for (const char *p = Base; *p != 0; p++) {
                if (*p == '\\' || *p == '/') {
                    Base = p + 1;
                }
            }
            size_t n = strlen(Service);
            Is = strlen(Base) == n + 4 && StartsWith(Base, Service) && SameText(Base + n, ".sys");
        }
        FreeFields(&F);
    }
    return Is;
}

/* Whether the install section's .Services adds Service (by its name or by its
   ServiceBinary's file name); *Assoc receives the service
   flagged SPSVCINST_ASSOCSERVICE (malloc'd) and *ServiceSection its install section. */
static bool ServicesOf(INF *Inf, const char *Install, const char *Service, bool *Adds, char **Assoc,
                       char **AssocSection, char **ServiceSection)
{
    *Adds = false;
    char Name[512];
    snprintf(Name, sizeof(Name), "%s.Services", Install);
    for (size_t i = 0; i < Inf->LineCount; i++) {
        if (!SameText(Inf->Lines[i].Section, Name)) {
            continue;
        }
        FIELDS F;
        if (!SplitLine(Inf, &Inf->Lines[i], true, &F)) {
            return false;
        }
        if (F.Key != NULL && SameText(F.Key, "AddService") && F.Count >= 1) {
            unsigned long long Flags = 0;
            if (F.Count >= 2 && F.Items[1][0] != 0 && !ParseNumber(F.Items[1], &Flags)) {
                Fail(Inf, Inf->Lines[i].Number, "the AddService flags '%s' are not a number", F.Items[1]);
                FreeFields(&F);
                return false;
            }
            if (Service != NULL && (SameText(F.Items[0], Service) || (F.Count >= 3 && BinaryIs(Inf, F.Items[2], Service)))) {
                *Adds = true;
                if (ServiceSection != NULL && F.Count >= 3 && *ServiceSection == NULL) {
                    *ServiceSection = strdup(F.Items[2]);
                }
            }
            if ((Flags & 0x2) && Assoc != NULL && *Assoc == NULL) {
                *Assoc = strdup(F.Items[0]);
                if (AssocSection != NULL && F.Count >= 3) {
                    *AssocSection = strdup(F.Items[2]);
                }
            }
        }
        FreeFields(&F);
    }
    return true;
}

typedef struct MODEL {
    char *Manufacturer;
    char *Description;
    char *Install;
    char *HardwareId;
    int Number;
} MODEL;

/* Finds the model for HardwareId (ByService: the first that installs Service). */
static bool FindModel(INF *Inf, const char *HardwareId, const char *Service, bool ByService, MODEL *Model,
                      bool *Found)
{
    *Found = false;
    for (size_t i = 0; i < Inf->LineCount && !*Found; i++) {
        if (!SameText(Inf->Lines[i].Section, "Manufacturer")) {
            continue;
        }
        FIELDS M;
        if (!SplitLine(Inf, &Inf->Lines[i], true, &M)) {
            return false;
        }
        if (M.Count < 1 || M.Items[0][0] == 0) {
            FreeFields(&M);
            return Fail(Inf, Inf->Lines[i].Number, "a [Manufacturer] entry needs a models section name");
        }
        char Buffer[512];
        const char *Models = ModelsSection(Inf, &M, Buffer, sizeof(Buffer));
        if (Models == NULL && M.Count == 1) {
            Fail(Inf, Inf->Lines[i].Number, "no models section [%s]", M.Items[0]);
            FreeFields(&M);
            return false;
        }
        if (Models == NULL) {
            FreeFields(&M); /* models for other platforms only */
            continue;
        }
        for (size_t j = 0; j < Inf->LineCount && !*Found; j++) {
            if (!SameText(Inf->Lines[j].Section, Models)) {
                continue;
            }
            FIELDS D;
            if (!SplitLine(Inf, &Inf->Lines[j], true, &D)) {
                FreeFields(&M);
                return false;
            }
            if (D.Count < 2 || D.Items[0][0] == 0) {
                FreeFields(&D);
                FreeFields(&M);
                return Fail(Inf, Inf->Lines[j].Number,
                            "a models entry is description = install-section, hardware-id[, compatible-id...]");
            }
            bool Match = false;
            if (ByService) {
                char Name[512];
                bool Adds = false;
                if (InstallSection(Inf, D.Items[0], Name, sizeof(Name)) != NULL &&
                    !ServicesOf(Inf, Name, Service, &Adds, NULL, NULL, NULL)) {
                    FreeFields(&D);
                    FreeFields(&M);
                    return false;
                }
                Match = Adds;
            } else {
                for (size_t k = 1; k < D.Count && !Match; k++) {
                    Match = SameText(D.Items[k], HardwareId);
                }
            }
            if (Match) {
                *Found = true;
                Model->Manufacturer = strdup(M.Key != NULL ? M.Key : "");
                Model->Description = strdup(D.Key != NULL ? D.Key : "");
                Model->Install = strdup(D.Items[0]);
                Model->HardwareId = strdup(ByService ? D.Items[1] : HardwareId);
                Model->Number = Inf->Lines[j].Number;
            }
            FreeFields(&D);
        }
        FreeFields(&M);
    }
    return true;
}

/* ------------------------------------------------------------------ install */

static bool Install(INF *Inf, const char *InstanceId, const char *HardwareId, const char *Service)
{
    bool Ok = false;
    char *EnumKey = Concat(ENUM_KEY, InstanceId);
    char *ParamsKey = EnumKey != NULL ? Concat(EnumKey, "\\Device Parameters") : NULL;
    char *SoftKey = Concat(CLASS_KEY, InstanceId);
    MODEL Model;
    memset(&Model, 0, sizeof(Model));
    char *Assoc = NULL, *AssocSection = NULL, *ServiceSection = NULL;
    FIELDS F;
    memset(&F, 0, sizeof(F));
    if (EnumKey == NULL || ParamsKey == NULL || SoftKey == NULL) {
        Fail(Inf, 0, "out of memory");
        goto Done;
    }

    /* [Version] */
    const INF_SECTION *Version = FindSection(Inf, "Version");
    if (Version == NULL) {
        Fail(Inf, 0, "no [Version] section");
        goto Done;
    }
    bool Failed = false;
    if (!FindKey(Inf, "Version", "Signature", &F, NULL, &Failed)) {
        if (!Failed) {
            Fail(Inf, Version->Number, "[Version] has no Signature (\"$Windows NT$\")");
        }
        goto Done;
    }
    if (F.Count != 1 || (!SameText(F.Items[0], "$Windows NT$") && !SameText(F.Items[0], "$Chicago$"))) {
        int Line = Version->Number;
        FreeFields(&F);
        Fail(Inf, Line, "the Signature is not \"$Windows NT$\" or \"$Chicago$\"");
        goto Done;
    }
    FreeFields(&F);
    int Number = 0;
    if (FindKey(Inf, "Version", "Class", &F, &Number, &Failed)) {
        if (F.Count != 1 || !SetString(Inf, Number, EnumKey, "Class", F.Items[0], false)) {
            if (F.Count != 1) {
                Fail(Inf, Number, "Class takes one name");
            }
            goto Done;
        }
        FreeFields(&F);
    } else if (Failed) {
        goto Done;
    }
    if (FindKey(Inf, "Version", "ClassGuid", &F, &Number, &Failed)) {
        unsigned a, b, c, d[8];
        char Tail;
        if (F.Count != 1 || strlen(F.Items[0]) != 38 ||
            sscanf(F.Items[0], "{%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x}%c", &a, &b, &c, &d[0], &d[1], &d[2], &d[3],
                   &d[4], &d[5], &d[6], &d[7], &Tail) != 11) {
            Fail(Inf, Number, "ClassGuid '%s' is not a GUID such as {4d36e96d-e325-11ce-bfc1-08002be10318}",
                 F.Count > 0 ? F.Items[0] : "");
            goto Done;
        }
        if (!SetString(Inf, Number, EnumKey, "ClassGUID", F.Items[0], false)) {
            goto Done;
        }
        FreeFields(&F);
    } else if (Failed) {
        goto Done;
    }

    /* The model. */
    bool Found = false;
    if (!FindModel(Inf, HardwareId, Service, false, &Model, &Found)) {
        goto Done;
    }
    if (!Found && !FindModel(Inf, HardwareId, Service, true, &Model, &Found)) {
        goto Done;
    }
    if (!Found) {
        fprintf(stderr,
                "host-run: %s: no model for the hardware ID %s, and none installs the service %s: only the "
                "setup class is installed\n",
                Inf->Path, HardwareId, Service);
        Ok = true;
        goto Done;
    }
    if (Model.Manufacturer == NULL || Model.Description == NULL || Model.Install == NULL || Model.HardwareId == NULL) {
        Fail(Inf, 0, "out of memory");
        goto Done;
    }
    char Ddinstall[512];
    if (InstallSection(Inf, Model.Install, Ddinstall, sizeof(Ddinstall)) == NULL) {
        Fail(Inf, Model.Number, "the install section [%s] (or [%s.NT], [%s.NTamd64]) is missing", Model.Install,
             Model.Install, Model.Install);
        goto Done;
    }
    char *HardwareIds[1] = {Model.HardwareId};
    size_t Bytes = 0;
    uint16_t *Ids = ToRegistryString(HardwareIds, 1, true, &Bytes);
    if (Ids == NULL || !NT_SUCCESS(KmdfHostSetRegistryValue(EnumKey, "HardwareID", REG_MULTI_SZ, Ids, Bytes))) {
        free(Ids);
        Fail(Inf, Model.Number, "cannot set the device's HardwareID");
        goto Done;
    }
    free(Ids);
    if (!SetString(Inf, Model.Number, EnumKey, "DeviceDesc", Model.Description, false) ||
        !SetString(Inf, Model.Number, EnumKey, "Mfg", Model.Manufacturer, false)) {
        goto Done;
    }
    bool Adds = false;
    if (!ServicesOf(Inf, Ddinstall, Service, &Adds, &Assoc, &AssocSection, &ServiceSection)) {
        goto Done;
    }
    if (Assoc != NULL && !SetString(Inf, Model.Number, EnumKey, "Service", Assoc, false)) {
        goto Done;
    }

    /* AddReg: the software key, the hardware key (and device properties), the services. */
    HKR_TARGET Soft = {SoftKey, NULL};
    HKR_TARGET Hard = {ParamsKey, EnumKey};
    char Hw[600];
    snprintf(Hw, sizeof(Hw), "%s.HW", Ddinstall);
    if (!AddRegOfSection(Inf, Ddinstall, &Soft) || !AddRegOfSection(Inf, Hw, &Hard)) {
        goto Done;
    }
    const char *Sections[2] = {AssocSection, ServiceSection};
    const char *Names[2] = {Assoc, Service};
    for (int i = 0; i < 2; i++) {
        if (Sections[i] == NULL || (i == 1 && Assoc != NULL && SameText(Assoc, Service))) {
            continue;
        }
        char *ServiceKey = Concat(SERVICES_KEY, Names[i]);
        if (ServiceKey == NULL) {
            Fail(Inf, 0, "out of memory");
            goto Done;
        }
        HKR_TARGET Svc = {ServiceKey, NULL};
        bool Done = AddRegOfSection(Inf, Sections[i], &Svc);
        free(ServiceKey);
        if (!Done) {
            goto Done;
        }
    }
    Ok = true;
Done:
    FreeFields(&F);
    free(Model.Manufacturer);
    free(Model.Description);
    free(Model.Install);
    free(Model.HardwareId);
    free(Assoc);
    free(AssocSection);
    free(ServiceSection);
    free(EnumKey);
    free(ParamsKey);
    free(SoftKey);
    return Ok;
}

/*
 * Installs the device InstanceId (hardware ID HardwareId, its driver's service Service)
 * from the INF file Path into the registry, before its driver is added. Returns true, or
 * false with a message naming the file (and the line) in Error.
 */
bool KhW32InstallInf(const char *Path, const char *InstanceId, const char *HardwareId, const char *Service,
                     char *Error, size_t ErrorSize)
{
    INF Inf;
    memset(&Inf, 0, sizeof(Inf));
    Inf.Path = Path;
    bool Ok = false;
    unsigned char *Bytes = NULL;
    char *Text = NULL;
    FILE *File = fopen(Path, "rb");
    if (File == NULL) {
        Fail(&Inf, 0, "cannot be read");
        goto Done;
    }
    size_t Size = 0, Cap = 65536;
    Bytes = malloc(Cap);
    while (Bytes != NULL) {
        size_t n = fread(Bytes + Size, 1, Cap - Size, File);
        Size += n;
        if (n == 0) {
            break;
        }
        if (Size == Cap) {
            unsigned char *Bigger = realloc(Bytes, Cap *= 2);
            if (Bigger == NULL) {
                free(Bytes);
                Bytes = NULL;
                break;
            }
            Bytes = Bigger;
        }
    }
    bool ReadError = ferror(File) != 0;
    fclose(File);
    if (Bytes == NULL || ReadError) {
        Fail(&Inf, 0, Bytes == NULL ? "out of memory" : "cannot be read");
        goto Done;
    }
    Text = DecodeFile(Bytes, Size);
    Text = Text != NULL ? StampArch(Text) : NULL;
    if (Text == NULL) {
        Fail(&Inf, 0, "out of memory");
        goto Done;
    }
    Ok = ParseText(&Inf, Text) && Install(&Inf, InstanceId, HardwareId, Service);
Done:
    if (!Ok) {
        snprintf(Error, ErrorSize, "%s", Inf.Error);
    }
    for (size_t i = 0; i < Inf.LineCount; i++) {
        free(Inf.Lines[i].Text);
    }
    for (size_t i = 0; i < Inf.SectionCount; i++) {
        free(Inf.Sections[i].Name);
    }
    free(Inf.Lines);
    free(Inf.Sections);
    free(Text);
    free(Bytes);
    return Ok;
}

/*
 * One value a class installer writes into the device's hardware key
 * (Enum\<instance>\Device Parameters): "NAME=TYPE:DATA" with TYPE REG_SZ (DATA as is),
 * REG_EXPAND_SZ, REG_DWORD (a number, 0x for hexadecimal), REG_MULTI_SZ (strings
 * separated by ',') or REG_BINARY (hexadecimal bytes, "01ff20" or "01,ff,20").
 */
bool KhW32SetDeviceValue(const char *InstanceId, const char *Spec, char *Error, size_t ErrorSize)
{
    const char *Eq = strchr(Spec, '=');
    const char *Colon = Eq != NULL ? strchr(Eq, ':') : NULL;
    if (Eq == NULL || Eq == Spec || Colon == NULL) {
        snprintf(Error, ErrorSize, "--device-value takes NAME=TYPE:DATA, not '%s'", Spec);
        return false;
    }
    char Name[256], Type[32];
    snprintf(Name, sizeof(Name), "%.*s", (int)(Eq - Spec), Spec);
    snprintf(Type, sizeof(Type), "%.*s", (int)(Colon - Eq - 1), Eq + 1);
    const char *Data = Colon + 1;
    char *EnumKey = Concat(ENUM_KEY, InstanceId);
    char *Key = EnumKey != NULL ? Concat(EnumKey, "\\Device Parameters") : NULL;
    free(EnumKey);
    uint8_t *Bytes = NULL;
    size_t Size = 0;
    uint32_t RegType;
    bool Ok = false;
    if (Key == NULL) {
        snprintf(Error, ErrorSize, "out of memory");
        goto Done;
    }
    if (SameText(Type, "REG_SZ") || SameText(Type, "REG_EXPAND_SZ")) {
        RegType = SameText(Type, "REG_SZ") ? REG_SZ : REG_EXPAND_SZ;
        char *Items[1] = {(char *)Data};
        Bytes = (uint8_t *)ToRegistryString(Items, 1, false, &Size);
    } else if (SameText(Type, "REG_MULTI_SZ")) {
        RegType = REG_MULTI_SZ;
        char *Copy = strdup(Data);
        char *Items[64];
        size_t Count = 0;
        for (char *p = Copy, *Save = NULL; Copy != NULL && Count < 64 && (p = strtok_r(p, ",", &Save)) != NULL;
             p = NULL) {
            Items[Count++] = p;
        }
        Bytes = Copy != NULL ? (uint8_t *)ToRegistryString(Items, Count, true, &Size) : NULL;
        free(Copy);
    } else if (SameText(Type, "REG_DWORD")) {
        RegType = REG_DWORD;
        unsigned long long Number;
        if (!ParseNumber(Data, &Number) || Number > 0xFFFFFFFFull) {
            snprintf(Error, ErrorSize, "--device-value %s: '%s' is not a 32-bit number", Name, Data);
            goto Done;
        }
        uint32_t Dword = (uint32_t)Number;
        Bytes = malloc(4);
        if (Bytes != NULL) {
            memcpy(Bytes, &Dword, 4);
        }
        Size = 4;
    } else if (SameText(Type, "REG_BINARY")) {
        RegType = REG_BINARY;
        Bytes = malloc(strlen(Data) / 2 + 1);
        for (const char *p = Data; Bytes != NULL && *p != 0;) {
            if (*p == ',') {
                p++;
                continue;
            }
            if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1])) {
                snprintf(Error, ErrorSize, "--device-value %s: '%s' is not hexadecimal bytes", Name, Data);
                goto Done;
            }
            char Hex[3] = {p[0], p[1], 0};
            Bytes[Size++] = (uint8_t)strtoul(Hex, NULL, 16);
            p += 2;
        }
    } else {
        snprintf(Error, ErrorSize,
                 "--device-value %s: the type '%s' is none of REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_MULTI_SZ, "
                 "REG_BINARY",
                 Name, Type);
        goto Done;
    }
    if (Bytes == NULL) {
        snprintf(Error, ErrorSize, "out of memory");
        goto Done;
    }
    KH_STATUS Status = KmdfHostSetRegistryValue(Key, Name, RegType, Bytes, Size);
    if (!NT_SUCCESS(Status)) {
        snprintf(Error, ErrorSize, "--device-value %s: NTSTATUS 0x%08X", Name, (unsigned)Status);
        goto Done;
    }
    Ok = true;
Done:
    free(Bytes);
    free(Key);
    return Ok;
}

/* A REG_MULTI_SZ of the device's Enum key (UpperFilters, LowerFilters), as setup writes it. */
bool KhW32SetDeviceMultiString(const char *InstanceId, const char *ValueName, const char *const *Items, size_t Count,
                               char *Error, size_t ErrorSize)
{
    char *Key = Concat(ENUM_KEY, InstanceId);
    size_t Bytes = 0;
    uint16_t *Data = Key != NULL ? ToRegistryString((char *const *)Items, Count, true, &Bytes) : NULL;
    KH_STATUS Status = Data != NULL ? KmdfHostSetRegistryValue(Key, ValueName, REG_MULTI_SZ, Data, Bytes)
                                    : STATUS_INSUFFICIENT_RESOURCES;
    free(Data);
    free(Key);
    if (!NT_SUCCESS(Status)) {
        snprintf(Error, ErrorSize, "setting %s of %s failed: NTSTATUS 0x%08X", ValueName, InstanceId,
                 (unsigned)Status);
        return false;
    }
    return true;
}
