/*
 * win32p.h - internals shared by the files of the Win32 surface (kernel32, setupapi).
 *
 * The surface only translates, as kernel32 does on Windows: it calls the NT system
 * services (kmdfhost_nt.h), converts strings (the platform's wchar_t to UTF-16), maps an
 * NTSTATUS to a Win32 error (RtlNtStatusToDosError), turns BOOL returns and the last
 * error (mirrored into errno for JNA) into what Win32 callers expect, and passes an
 * OVERLAPPED as the I/O status block. Handles, waits, events, completion ports and I/O
 * all belong to the object manager, the dispatcher and the I/O manager below.
 *
 * This side is built with the platform's wchar_t and never includes ntddk.h or wdf.h.
 */
#ifndef KHWIN32_H
#define KHWIN32_H

#include <stdbool.h>

#include "kmdfhost.h"
#include "kmdfhost_win32.h"
#include "kmdfhost_nt.h"
#include <ntstatus.h>

/* ------------------------------------------------------------------ last error */

/* Sets the calling thread's last error and errno to Error (JNA reads errno on Linux). */
void KhW32SetLastError(DWORD Error);
/* Sets the last error to RtlNtStatusToDosError(Status) (BaseSetLastNTError); returns FALSE. */
BOOL KhW32FailStatus(NTSTATUS Status);
/* Sets the last error to Error; returns FALSE. */
BOOL KhW32Fail(DWORD Error);

/* An NT time-out for a Win32 one in milliseconds: NULL for INFINITE, else relative. */
PLARGE_INTEGER KhW32Timeout(DWORD Milliseconds, PLARGE_INTEGER Storage);

/* ------------------------------------------------------------------ strings */

/* UTF-8 to a newly allocated wchar_t string (NULL when out of memory or invalid). */
wchar_t *KhW32Utf8ToWide(const char *Utf8);
/* wchar_t string to newly allocated UTF-8 (NULL when out of memory or invalid). */
char *KhW32WideToUtf8(const wchar_t *Wide);
/*
 * wchar_t string to a newly allocated UTF-16 string (code points above U+FFFF as
 * surrogate pairs); *Units receives its length without the terminating NUL. NULL when
 * out of memory or when Wide holds something that is no Unicode scalar value.
 */
uint16_t *KhW32WideToUtf16(const wchar_t *Wide, size_t *Units);
/*
 * Encodes Code as UTF-8 into Out (at least 4 bytes, or NULL to count only); returns the
 * length. Code is taken as it is: a caller that may hold a surrogate or a value above
 * U+10FFFF maps it first (KhW32ScalarOrReplacement).
 */
size_t KhW32EncodeUtf8(uint32_t Code, char *Out);
/* Code when it is a Unicode scalar value, else U+FFFD REPLACEMENT CHARACTER. */
static inline uint32_t KhW32ScalarOrReplacement(uint32_t Code)
{
    return Code > 0x10FFFFu || (Code >= 0xD800u && Code <= 0xDFFFu) ? 0xFFFDu : Code;
}

/* ------------------------------------------------------------------ devices (setupapi.c) */

/* The DevInst the process gives an instance ID (the same every time; 0 when out of
   memory), and the instance ID of a DevInst (NULL when never given out). */
DWORD KhW32DevInstOf(const char *InstanceId);
const char *KhW32DevInstId(DWORD DevInst);
/* An SPDRP_* property of a device in the registry's form (strings UTF-16LE), malloc'd in
   *Data: ERROR_SUCCESS, ERROR_INVALID_REG_PROPERTY, ERROR_INVALID_DATA (the device lacks
   it), ERROR_NO_SUCH_DEVINST or ERROR_NOT_ENOUGH_MEMORY. */
DWORD KhW32GetDeviceProperty(const char *InstanceId, DWORD Property, DWORD *Type, uint8_t **Data, size_t *Size);
/* That data as a caller gets it (strings in wchar_t, or UTF-8 when Ansi): its size in
   bytes, written to Out unless Out is NULL. */
size_t KhW32ConvertProperty(DWORD Type, const uint8_t *Data, size_t Size, bool Ansi, void *Out);

/* ------------------------------------------------------------------ installation (inf.c) */

/* Installs the device InstanceId (hardware ID HardwareId, driver service Service) from
   the INF file Path, as setup does before the driver is added; false with a message
   naming the file and line in Error. */
bool KhW32InstallInf(const char *Path, const char *InstanceId, const char *HardwareId, const char *Service,
                     char *Error, size_t ErrorSize);
/* One "NAME=TYPE:DATA" value in the device's hardware key (host-run --device-value). */
bool KhW32SetDeviceValue(const char *InstanceId, const char *Spec, char *Error, size_t ErrorSize);
/* A REG_MULTI_SZ value (UpperFilters, LowerFilters) of the device's Enum key. */
bool KhW32SetDeviceMultiString(const char *InstanceId, const char *ValueName, const char *const *Items, size_t Count,
                               char *Error, size_t ErrorSize);

/* ------------------------------------------------------------------ services */

/* Closes the program's handles, then stops every running driver service (service.c), as
   the end of the process does; the end of host-run's life cycle calls it too. */
void KhW32StopAllServices(void);

#endif /* KHWIN32_H */
