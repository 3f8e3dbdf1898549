/*
 * kd.h - what the debugger interface (src/kd: DbgPrint and its relatives, breakpoints)
 * offers the other host components.
 */
#ifndef KH_KD_H
#define KH_KD_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Formats like DbgPrint (the Microsoft C runtime's language: %wZ %Z %ws %S %wc %C, %I
 * %I32 %I64 size prefixes, %l as 32 bits, %p as 16 upper-case hex digits, widths,
 * precision, flags) into Buffer, always NUL-terminated when Size > 0. Wide text is
 * converted to UTF-8. Returns the length the whole output has (like vsnprintf), which
 * may exceed Size - 1.
 */
int KhFormatDbgPrint(char *Buffer, size_t Size, const char *Format, va_list Args);

/*
 * Writes Length bytes of already formatted debug output to the debug-print descriptor
 * (KmdfHostSetDebugPrintFd; dropped when it is -1). One write per call, so lines of
 * concurrent threads do not interleave.
 */
void KhDebugOutput(const char *Text, size_t Length);

#endif /* KH_KD_H */
