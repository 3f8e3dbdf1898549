/*
 * kmdfhost_wpp.h - WPP software tracing for drivers built by scripts/build-host-driver.
 *
 * On Windows the WPP preprocessor turns each trace call into an ETW event, decoded later
 * with the driver's trace format; the generated "x.tmh" header holds the macros. The
 * host has no ETW session to send events to, so the .tmh that build-host-driver
 * generates includes this header and every trace call prints through DbgPrint (the
 * host's debugger output): "[Level] FLAG: message". WPP's own format extensions are
 * rendered: %!FUNC!, %!FILE!, %!LINE!, %!LEVEL!, %!FLAGS!, %!STATUS!, %!HRESULT!,
 * %!WINERROR!, %!bool!, %!STDPREFIX! and %!COMPNAME!; any other %!TYPE! prints its
 * argument as a pointer-sized number with the type's name.
 * https://learn.microsoft.com/windows-hardware/drivers/devtest/wpp-software-tracing
 */
#ifndef KMDFHOST_WPP_H
#define KMDFHOST_WPP_H

#include <ntddk.h>
#include <evntrace.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static __inline__ __attribute__((unused)) const char *KhWppLevelName(ULONG Level)
{
    switch (Level) {
    case TRACE_LEVEL_NONE: return "None";
    case TRACE_LEVEL_CRITICAL: return "Critical";
    case TRACE_LEVEL_ERROR: return "Error";
    case TRACE_LEVEL_WARNING: return "Warning";
    case TRACE_LEVEL_INFORMATION: return "Information";
    case TRACE_LEVEL_VERBOSE: return "Verbose";
    default: return "Level";
    }
}

/* The DbgPrintEx level that matches a trace level. */
static __inline__ __attribute__((unused)) ULONG KhWppDebugLevel(ULONG Level)
{
    return Level <= TRACE_LEVEL_ERROR ? DPFLTR_ERROR_LEVEL
           : Level == TRACE_LEVEL_WARNING ? DPFLTR_WARNING_LEVEL
           : Level == TRACE_LEVEL_INFORMATION ? DPFLTR_INFO_LEVEL
                                              : DPFLTR_TRACE_LEVEL;
}

/* Appends Text to Out (at *Used of Size), doubling each '%' so that it prints as text. */
static __inline__ __attribute__((unused)) void KhWppAppendLiteral(char *Out, size_t Size, size_t *Used, const char *Text)
{
    for (; *Text != '\0' && *Used + 2 < Size; Text++) {
        if (*Text == '%') {
            Out[(*Used)++] = '%';
        }
        Out[(*Used)++] = *Text;
    }
    Out[*Used] = '\0';
}

/*
 * One trace call: MSG with WPP's %!TYPE! extensions rewritten into DbgPrint's language.
 * LogIdentifier is the identifier of the WPP recorder log the call writes to (NULL for
 * a trace function without a log argument); it starts the line, as the recorder's
 * decoder shows it.
 */
static __inline__ __attribute__((unused)) void KhWppTraceV(const char *LogIdentifier, ULONG Level, const char *Flags,
                                                           const char *File, int Line, const char *Function,
                                                           const char *Format, va_list Args)
{
    char format[1024];
    char text[64];
    size_t used = 0;
    format[0] = '\0';
    for (const char *p = Format; *p != '\0' && used + 2 < sizeof(format);) {
        const char *end = p[0] == '%' && p[1] == '!' ? strchr(p + 2, '!') : NULL;
        if (end == NULL) {
            if (p[0] == '%' && p[1] == '%') {
                format[used++] = *p++;
            }
            format[used++] = *p++;
            format[used] = '\0';
            continue;
        }
        size_t length = (size_t)(end - (p + 2));
        const char *type = p + 2;
        p = end + 1;
#define KH_WPP_IS(name) (length == sizeof(name) - 1 && strncmp(type, name, length) == 0)
        if (KH_WPP_IS("FUNC")) {
            KhWppAppendLiteral(format, sizeof(format), &used, Function);
        } else if (KH_WPP_IS("FILE")) {
            const char *base = strrchr(File, '/');
            KhWppAppendLiteral(format, sizeof(format), &used, base != NULL ? base + 1 : File);
        } else if (KH_WPP_IS("LINE")) {
            snprintf(text, sizeof(text), "%d", Line);
            KhWppAppendLiteral(format, sizeof(format), &used, text);
        } else if (KH_WPP_IS("LEVEL")) {
            KhWppAppendLiteral(format, sizeof(format), &used, KhWppLevelName(Level));
        } else if (KH_WPP_IS("FLAGS")) {
            KhWppAppendLiteral(format, sizeof(format), &used, Flags);
        } else if (KH_WPP_IS("STATUS") || KH_WPP_IS("HRESULT") || KH_WPP_IS("WINERROR")) {
            KhWppAppendLiteral(format, sizeof(format), &used, "");
            strncat(format, "0x%08x", sizeof(format) - used - 1);
            used = strlen(format);
        } else if (KH_WPP_IS("bool")) {
            strncat(format, "%d", sizeof(format) - used - 1);
            used = strlen(format);
        } else if (KH_WPP_IS("STDPREFIX") || KH_WPP_IS("COMPNAME")) {
            /* The decoder's prefix: the line's own prefix says it already. */
        } else {
            snprintf(text, sizeof(text), "%%!%.*s!", (int)(length < 40 ? length : 40), type);
            KhWppAppendLiteral(format, sizeof(format), &used, text);
            strncat(format, "(0x%p)", sizeof(format) - used - 1);
            used = strlen(format);
        }
#undef KH_WPP_IS
    }
    if (used + 1 < sizeof(format)) {
        format[used++] = '\n';
        format[used] = '\0';
    }
    char prefix[200];
    if (LogIdentifier != NULL) {
        snprintf(prefix, sizeof(prefix), "[%s] [%s] %s: ", LogIdentifier, KhWppLevelName(Level), Flags);
    } else {
        snprintf(prefix, sizeof(prefix), "[%s] %s: ", KhWppLevelName(Level), Flags);
    }
    vDbgPrintExWithPrefix(prefix, DPFLTR_IHVDRIVER_ID, KhWppDebugLevel(Level), format, Args);
}

static __inline__ __attribute__((unused)) void KhWppTrace(ULONG Level, const char *Flags, const char *File,
                                                          int Line, const char *Function, const char *Format, ...)
{
    va_list args;
    va_start(args, Format);
    KhWppTraceV(NULL, Level, Flags, File, Line, Function, Format, args);
    va_end(args);
}

/*
 * The identifier of a live WPP recorder log (WppRecorder.h), copied into Buffer; FALSE,
 * with the verifier's WPP_RECORDER_LOG_MISUSE report, for a deleted or unknown log.
 * Implemented by the host (src/kd/wpprecorder.c).
 */
NTSYSAPI BOOLEAN KmdfHostWppRecorderLogIdentifier(void *RecorderLog, char *Buffer, size_t Size);

/* A trace function whose first argument is a recorder log (IFRLOG in the WPP
 * configuration): the line goes to the debugger with the log's identifier, and a call
 * on a deleted or unknown log is reported instead of printed. */
static __inline__ __attribute__((unused)) void KhWppTraceLog(void *RecorderLog, ULONG Level, const char *Flags,
                                                             const char *File, int Line, const char *Function,
                                                             const char *Format, ...)
{
    char identifier[64];
    if (!KmdfHostWppRecorderLogIdentifier(RecorderLog, identifier, sizeof(identifier))) {
        return;
    }
    va_list args;
    va_start(args, Format);
    KhWppTraceV(identifier, Level, Flags, File, Line, Function, Format, args);
    va_end(args);
}

/* WPP_INIT_TRACING(DriverObject, RegistryPath) in a KMDF or WDM driver's DriverEntry. */
static __inline__ __attribute__((unused)) void KhWppInitTracing(const char *ControlNames)
{
    DbgPrint("WPP_INIT_TRACING: trace messages of control GUID(s)%s go to the debugger\n",
             ControlNames[0] != '\0' ? ControlNames : " (none)");
}

static __inline__ __attribute__((unused)) void KhWppCleanup(const char *ControlNames)
{
    DbgPrint("WPP_CLEANUP: tracing of control GUID(s)%s stopped\n",
             ControlNames[0] != '\0' ? ControlNames : " (none)");
}

#define WPP_INIT_TRACING(...) KhWppInitTracing(KhWppControlNames)
#define WPP_CLEANUP(...) KhWppCleanup(KhWppControlNames)

/* Every trace call reaches the debugger: tracing is always on. */
#ifndef WPP_LEVEL_ENABLED
#define WPP_LEVEL_ENABLED(FLAG) 1
#endif
#ifndef WPP_FLAG_ENABLED
#define WPP_FLAG_ENABLED(FLAG) 1
#endif

#define KH_WPP_TRACE(LEVEL, FLAGS, MSG, ...) KhWppTrace((ULONG)(LEVEL), FLAGS, __FILE__, __LINE__, __func__, MSG, ##__VA_ARGS__)
#define KH_WPP_TRACE_LOG(LOG, LEVEL, FLAGS, MSG, ...) \
    KhWppTraceLog((void *)(LOG), (ULONG)(LEVEL), FLAGS, __FILE__, __LINE__, __func__, MSG, ##__VA_ARGS__)

#endif /* KMDFHOST_WPP_H */
