/*
 * ansi.c - the A (ANSI) forms of the kernel32 and setupapi functions, and the small
 * string helpers of kernel32 (lstrlen, OutputDebugString).
 *
 * As in Windows, an A function converts its strings and calls the W function. The
 * host's ANSI code page is UTF-8 (what CP_ACP is on Windows with the UTF-8 code page
 * selected), so every path and name converts without loss.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN32_NO_STATUS /* the NTSTATUS values come from <ntstatus.h> */
#include <setupapi.h>
#undef WIN32_NO_STATUS

#include "win32/win32p.h"

/* Converts an optional A string; false (last error set) when it cannot be converted. */
static bool ToWide(LPCSTR Text, wchar_t **Wide)
{
    *Wide = NULL;
    if (Text == NULL) {
        return true;
    }
    *Wide = KhW32Utf8ToWide(Text);
    if (*Wide == NULL) {
        KhW32SetLastError(ERROR_NO_UNICODE_TRANSLATION);
        return false;
    }
    return true;
}

KMDFHOST_API HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                                       LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                       DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
                                       HANDLE hTemplateFile)
{
    wchar_t *Name;
    if (!ToWide(lpFileName, &Name)) {
        return INVALID_HANDLE_VALUE;
    }
    HANDLE Handle = CreateFileW(Name, dwDesiredAccess, dwShareMode, lpSecurityAttributes,
                                dwCreationDisposition, dwFlagsAndAttributes, hTemplateFile);
    free(Name);
    return Handle;
}

KMDFHOST_API HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                                        BOOL bInitialState, LPCSTR lpName)
{
    wchar_t *Name;
    if (!ToWide(lpName, &Name)) {
        return NULL;
    }
    HANDLE Handle = CreateEventW(lpEventAttributes, bManualReset, bInitialState, Name);
    free(Name);
    return Handle;
}

/*
 * FormatMessageA: FormatMessageW's text in UTF-8, with the same flags and failures. The
 * return value counts the bytes stored (the TCHARs of the A form), without the NUL.
 */
KMDFHOST_API DWORD WINAPI FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
                                         DWORD dwLanguageId, LPSTR lpBuffer, DWORD nSize,
                                         va_list *Arguments)
{
    if (lpBuffer == NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    wchar_t *Wide = NULL;
    DWORD Chars = FormatMessageW(dwFlags | FORMAT_MESSAGE_ALLOCATE_BUFFER, lpSource, dwMessageId,
                                 dwLanguageId, (LPWSTR)(void *)&Wide, 0, Arguments);
    if (Chars == 0) {
        return 0;
    }
    char *Text = KhW32WideToUtf8(Wide);
    LocalFree(Wide);
    if (Text == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    size_t Length = strlen(Text);
    if (dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        size_t Bytes = Length + 1 > nSize ? Length + 1 : nSize;
        char *Out = LocalAlloc(LMEM_FIXED, Bytes);
        if (Out == NULL) {
            free(Text);
            return 0;
        }
        memcpy(Out, Text, Length + 1);
        *(LPSTR *)(void *)lpBuffer = Out;
    } else if (Length + 1 > nSize) {
        free(Text);
        KhW32SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    } else {
        memcpy(lpBuffer, Text, Length + 1);
    }
    free(Text);
    return (DWORD)Length;
}

KMDFHOST_API HDEVINFO WINAPI SetupDiGetClassDevsA(const GUID *ClassGuid, PCSTR Enumerator,
                                                  HWND hwndParent, DWORD Flags)
{
    wchar_t *Wide;
    if (!ToWide(Enumerator, &Wide)) {
        return INVALID_HANDLE_VALUE;
    }
    HDEVINFO Set = SetupDiGetClassDevsW(ClassGuid, Wide, hwndParent, Flags);
    free(Wide);
    return Set;
}

/*
 * SetupDiGetDeviceInterfaceDetailA: the W form's checks and size protocol, with the
 * path in UTF-8. cbSize must be sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_A) of 64-bit
 * Windows, 8; the path starts at offset 4.
 */
KMDFHOST_API BOOL WINAPI SetupDiGetDeviceInterfaceDetailA(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData)
{
    const size_t PathOffset = offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_A, DevicePath);
    if ((DeviceInterfaceDetailData != NULL &&
         (DeviceInterfaceDetailData->cbSize != sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_A) ||
          DeviceInterfaceDetailDataSize < PathOffset + 1)) ||
        (DeviceInterfaceDetailData == NULL && DeviceInterfaceDetailDataSize != 0)) {
        return KhW32Fail(ERROR_INVALID_USER_BUFFER);
    }
    DWORD WideSize = 0;
    if (SetupDiGetDeviceInterfaceDetailW(DeviceInfoSet, DeviceInterfaceData, NULL, 0, &WideSize,
                                         DeviceInfoData) ||
        GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
        return FALSE; /* the W form's error (it cannot succeed without a buffer) */
    }
    SP_DEVICE_INTERFACE_DETAIL_DATA_W *Wide = malloc(WideSize);
    if (Wide == NULL) {
        return KhW32Fail(ERROR_NOT_ENOUGH_MEMORY);
    }
    Wide->cbSize = KH_SP_DEVICE_INTERFACE_DETAIL_DATA_W_CBSIZE;
    if (!SetupDiGetDeviceInterfaceDetailW(DeviceInfoSet, DeviceInterfaceData, Wide, WideSize, NULL,
                                          NULL)) {
        free(Wide);
        return FALSE;
    }
    char *Path = KhW32WideToUtf8(Wide->DevicePath);
    free(Wide);
    if (Path == NULL) {
        return KhW32Fail(ERROR_NOT_ENOUGH_MEMORY);
    }
    size_t Needed = PathOffset + strlen(Path) + 1;
    if (RequiredSize != NULL) {
        *RequiredSize = (DWORD)Needed;
    }
    if (DeviceInterfaceDetailData == NULL || DeviceInterfaceDetailDataSize < Needed) {
        free(Path);
        return KhW32Fail(ERROR_INSUFFICIENT_BUFFER);
    }
    memcpy((char *)DeviceInterfaceDetailData + PathOffset, Path, strlen(Path) + 1);
    free(Path);
    KhW32SetLastError(ERROR_SUCCESS);
    return TRUE;
}

/* OutputDebugString: the host's debugger is stderr (as DbgPrint with KMDFHOST_DBGPRINT). */
KMDFHOST_API void WINAPI OutputDebugStringA(LPCSTR lpOutputString)
{
    if (lpOutputString != NULL) {
        fputs(lpOutputString, stderr);
    }
}

KMDFHOST_API void WINAPI OutputDebugStringW(LPCWSTR lpOutputString)
{
    char *Text = lpOutputString != NULL ? KhW32WideToUtf8(lpOutputString) : NULL;
    if (Text != NULL) {
        fputs(Text, stderr);
        free(Text);
    }
}

/* lstrlen: the length in TCHARs; 0 for NULL. */
KMDFHOST_API int WINAPI lstrlenA(LPCSTR lpString)
{
    return lpString != NULL ? (int)strlen(lpString) : 0;
}

KMDFHOST_API int WINAPI lstrlenW(LPCWSTR lpString)
{
    return lpString != NULL ? (int)wcslen(lpString) : 0;
}
