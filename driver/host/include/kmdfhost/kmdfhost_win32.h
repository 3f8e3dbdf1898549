/*
 * kmdfhost_win32.h - the kernel32 and setupapi functions that the host implements.
 *
 * These are the Win32 declarations, with Windows' names, types and values, of the
 * functions that echoapp calls (through JNA on Linux, through the real DLLs on Windows).
 * C programs on Linux include this header instead of <windows.h> and <setupapi.h>.
 *
 * Types are those of 64-bit Windows with one deliberate difference: WCHAR is wchar_t,
 * which in the host's Win32 layer is the platform's (32-bit on Linux), because that is
 * what JNA passes for a Java String there. Programs of scripts/build-host-app have
 * Windows' 16-bit wchar_t; um/kmdfhost_wchar16.h maps the W functions declared here to
 * their 16-bit variants for them. Every structure has the layout of 64-bit Windows,
 * checked below.
 *
 * This header never mixes with <ntddk.h> or <wdf.h> (those use a 16-bit WCHAR).
 */
#ifndef KMDFHOST_WIN32_H
#define KMDFHOST_WIN32_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "kmdfhost.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WINAPI
#define WINBASEAPI KMDFHOST_API
#define WINSETUPAPI KMDFHOST_API

/* ------------------------------------------------------------------------- types */

typedef uint32_t DWORD;
typedef int32_t BOOL;
typedef uint8_t BYTE;
typedef uint8_t UCHAR;
typedef uint16_t WORD;
typedef uint32_t ULONG;
typedef int32_t LONG;
typedef uintptr_t ULONG_PTR;
typedef ULONG_PTR *PULONG_PTR;
typedef DWORD *LPDWORD;
typedef DWORD *PDWORD;
typedef ULONG *PULONG;
typedef void *PVOID;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef void *HANDLE;
typedef HANDLE *PHANDLE;
typedef HANDLE HLOCAL;
typedef HANDLE HWND;
typedef wchar_t WCHAR; /* the platform's wide character: see the header comment */
typedef WCHAR *LPWSTR;
typedef WCHAR *PWSTR;
typedef const WCHAR *LPCWSTR;
typedef const WCHAR *PCWSTR;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)
#define INFINITE 0xFFFFFFFFu

/* The same definition as guiddef.h's, which <windows.h> includes first. */
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
#endif
typedef GUID *LPGUID;
typedef const GUID *LPCGUID;

typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

/* minwinbase.h. Internal receives the NTSTATUS, InternalHigh the byte count. */
typedef struct _OVERLAPPED {
    ULONG_PTR Internal;
    ULONG_PTR InternalHigh;
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        };
        PVOID Pointer;
    };
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;

typedef struct _OVERLAPPED_ENTRY {
    ULONG_PTR lpCompletionKey;
    LPOVERLAPPED lpOverlapped;
    ULONG_PTR Internal;
    DWORD dwNumberOfBytesTransferred;
} OVERLAPPED_ENTRY, *LPOVERLAPPED_ENTRY;

/* setupapi.h */
typedef PVOID HDEVINFO;

typedef struct _SP_DEVINFO_DATA {
    DWORD cbSize;
    GUID ClassGuid;
    DWORD DevInst;
    ULONG_PTR Reserved;
} SP_DEVINFO_DATA, *PSP_DEVINFO_DATA;

typedef struct _SP_DEVICE_INTERFACE_DATA {
    DWORD cbSize;
    GUID InterfaceClassGuid;
    DWORD Flags;
    ULONG_PTR Reserved;
} SP_DEVICE_INTERFACE_DATA, *PSP_DEVICE_INTERFACE_DATA;

/*
 * cbSize must be 8, the value of 64-bit Windows (sizeof of this structure there: a DWORD
 * and one WCHAR, padded). DevicePath starts at offset 4.
 */
typedef struct _SP_DEVICE_INTERFACE_DETAIL_DATA_W {
    DWORD cbSize;
    WCHAR DevicePath[1];
} SP_DEVICE_INTERFACE_DETAIL_DATA_W, *PSP_DEVICE_INTERFACE_DETAIL_DATA_W;

#define KH_SP_DEVICE_INTERFACE_DETAIL_DATA_W_CBSIZE 8u

#ifndef __cplusplus
_Static_assert(sizeof(OVERLAPPED) == 32, "OVERLAPPED layout of 64-bit Windows");
_Static_assert(offsetof(OVERLAPPED, hEvent) == 24, "OVERLAPPED layout of 64-bit Windows");
_Static_assert(sizeof(OVERLAPPED_ENTRY) == 32, "OVERLAPPED_ENTRY layout of 64-bit Windows");
_Static_assert(sizeof(GUID) == 16, "GUID layout");
_Static_assert(sizeof(SP_DEVINFO_DATA) == 32, "SP_DEVINFO_DATA layout of 64-bit Windows");
_Static_assert(sizeof(SP_DEVICE_INTERFACE_DATA) == 32,
               "SP_DEVICE_INTERFACE_DATA layout of 64-bit Windows");
_Static_assert(offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath) == 4,
               "SP_DEVICE_INTERFACE_DETAIL_DATA_W: the path at offset 4");
#endif

/* --------------------------------------------------------------------- constants */

/* winerror.h */
#define ERROR_SUCCESS 0u
#define NO_ERROR 0u
#define ERROR_INVALID_FUNCTION 1u
#define ERROR_FILE_NOT_FOUND 2u
#define ERROR_PATH_NOT_FOUND 3u
#define ERROR_ACCESS_DENIED 5u
#define ERROR_INVALID_HANDLE 6u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_INVALID_DATA 13u
#define ERROR_OUTOFMEMORY 14u
#define ERROR_NO_MORE_FILES 18u
#define ERROR_NOT_READY 21u
#define ERROR_BAD_COMMAND 22u
#define ERROR_CRC 23u
#define ERROR_BAD_LENGTH 24u
#define ERROR_GEN_FAILURE 31u
#define ERROR_SHARING_VIOLATION 32u
#define ERROR_HANDLE_EOF 38u
#define ERROR_NOT_SUPPORTED 50u
#define ERROR_DEV_NOT_EXIST 55u
#define ERROR_FILE_EXISTS 80u
#define ERROR_DISK_FULL 112u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_CALL_NOT_IMPLEMENTED 120u
#define ERROR_SEM_TIMEOUT 121u
#define ERROR_INSUFFICIENT_BUFFER 122u
#define ERROR_INVALID_NAME 123u
#define ERROR_BAD_PATHNAME 161u
#define ERROR_BUSY 170u
#define ERROR_ALREADY_EXISTS 183u
#define ERROR_FILENAME_EXCED_RANGE 206u
#define ERROR_MORE_DATA 234u
#define WAIT_TIMEOUT 258u
#define ERROR_NO_MORE_ITEMS 259u
#define ERROR_TOO_MANY_POSTS 298u
#define ERROR_MR_MID_NOT_FOUND 317u
#define ERROR_ARITHMETIC_OVERFLOW 534u
#define ERROR_ABANDONED_WAIT_0 735u
#define ERROR_OPERATION_ABORTED 995u
#define ERROR_IO_INCOMPLETE 996u
#define ERROR_IO_PENDING 997u
#define ERROR_NOACCESS 998u
#define ERROR_INVALID_FLAGS 1004u
#define ERROR_IO_DEVICE 1117u
#define ERROR_DEVICE_NOT_CONNECTED 1167u
#define ERROR_NOT_FOUND 1168u
#define ERROR_REQUEST_ABORTED 1235u
#define ERROR_INTERNAL_ERROR 1359u
#define ERROR_NO_SYSTEM_RESOURCES 1450u
#define ERROR_TIMEOUT 1460u
#define ERROR_DEVICE_REMOVED 1617u
#define ERROR_INVALID_USER_BUFFER 1784u
#define ERROR_RESOURCE_LANG_NOT_FOUND 1815u

/* Wait results (synchapi.h / winbase.h) */
#define WAIT_OBJECT_0 0u
#define WAIT_ABANDONED_0 0x80u
#define WAIT_IO_COMPLETION 0xC0u
#define WAIT_FAILED 0xFFFFFFFFu
#define MAXIMUM_WAIT_OBJECTS 64u

/* CreateFileW */
#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_ALL 0x10000000u
#define FILE_SHARE_READ 0x00000001u
#define FILE_SHARE_WRITE 0x00000002u
#define FILE_SHARE_DELETE 0x00000004u
#define CREATE_NEW 1u
#define CREATE_ALWAYS 2u
#define OPEN_EXISTING 3u
#define OPEN_ALWAYS 4u
#define TRUNCATE_EXISTING 5u
#define FILE_ATTRIBUTE_NORMAL 0x00000080u
#define FILE_FLAG_OVERLAPPED 0x40000000u

/* SetFileCompletionNotificationModes */
#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1u
#define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2u

/* FormatMessageW */
#define FORMAT_MESSAGE_ALLOCATE_BUFFER 0x00000100u
#define FORMAT_MESSAGE_IGNORE_INSERTS 0x00000200u
#define FORMAT_MESSAGE_FROM_STRING 0x00000400u
#define FORMAT_MESSAGE_FROM_HMODULE 0x00000800u
#define FORMAT_MESSAGE_FROM_SYSTEM 0x00001000u
#define FORMAT_MESSAGE_ARGUMENT_ARRAY 0x00002000u
#define FORMAT_MESSAGE_MAX_WIDTH_MASK 0x000000FFu
#define LANG_NEUTRAL 0x00u
#define LANG_ENGLISH 0x09u
#define SUBLANG_DEFAULT 0x01u
#define MAKELANGID(p, s) ((((WORD)(s)) << 10) | (WORD)(p))

/* SetupDiGetClassDevsW */
#define DIGCF_DEFAULT 0x00000001u
#define DIGCF_PRESENT 0x00000002u
#define DIGCF_ALLCLASSES 0x00000004u
#define DIGCF_PROFILE 0x00000008u
#define DIGCF_DEVICEINTERFACE 0x00000010u
/* SP_DEVICE_INTERFACE_DATA.Flags */
#define SPINT_ACTIVE 0x00000001u
#define SPINT_DEFAULT 0x00000002u
#define SPINT_REMOVED 0x00000004u

/* SetupDiGetDeviceRegistryProperty: the SPDRP_* codes (setupapi.h) */
#define SPDRP_DEVICEDESC 0x00000000u
#define SPDRP_HARDWAREID 0x00000001u
#define SPDRP_COMPATIBLEIDS 0x00000002u
#define SPDRP_UNUSED0 0x00000003u
#define SPDRP_SERVICE 0x00000004u
#define SPDRP_UNUSED1 0x00000005u
#define SPDRP_UNUSED2 0x00000006u
#define SPDRP_CLASS 0x00000007u
#define SPDRP_CLASSGUID 0x00000008u
#define SPDRP_DRIVER 0x00000009u
#define SPDRP_CONFIGFLAGS 0x0000000Au
#define SPDRP_MFG 0x0000000Bu
#define SPDRP_FRIENDLYNAME 0x0000000Cu
#define SPDRP_LOCATION_INFORMATION 0x0000000Du
#define SPDRP_PHYSICAL_DEVICE_OBJECT_NAME 0x0000000Eu
#define SPDRP_CAPABILITIES 0x0000000Fu
#define SPDRP_UI_NUMBER 0x00000010u
#define SPDRP_UPPERFILTERS 0x00000011u
#define SPDRP_LOWERFILTERS 0x00000012u
#define SPDRP_BUSTYPEGUID 0x00000013u
#define SPDRP_LEGACYBUSTYPE 0x00000014u
#define SPDRP_BUSNUMBER 0x00000015u
#define SPDRP_ENUMERATOR_NAME 0x00000016u
#define SPDRP_SECURITY 0x00000017u
#define SPDRP_SECURITY_SDS 0x00000018u
#define SPDRP_DEVTYPE 0x00000019u
#define SPDRP_EXCLUSIVE 0x0000001Au
#define SPDRP_CHARACTERISTICS 0x0000001Bu
#define SPDRP_ADDRESS 0x0000001Cu
#define SPDRP_UI_NUMBER_DESC_FORMAT 0x0000001Du
#define SPDRP_DEVICE_POWER_DATA 0x0000001Eu
#define SPDRP_REMOVAL_POLICY 0x0000001Fu
#define SPDRP_REMOVAL_POLICY_HW_DEFAULT 0x00000020u
#define SPDRP_REMOVAL_POLICY_OVERRIDE 0x00000021u
#define SPDRP_INSTALL_STATE 0x00000022u
#define SPDRP_LOCATION_PATHS 0x00000023u
#define SPDRP_BASE_CONTAINERID 0x00000024u
#define SPDRP_MAXIMUM_PROPERTY 0x00000025u
/* Registry value types (winnt.h) */
#ifndef REG_NONE
#define REG_NONE 0u
#define REG_SZ 1u
#define REG_EXPAND_SZ 2u
#define REG_BINARY 3u
#define REG_DWORD 4u
#define REG_DWORD_LITTLE_ENDIAN 4u
#define REG_DWORD_BIG_ENDIAN 5u
#define REG_LINK 6u
#define REG_MULTI_SZ 7u
#define REG_RESOURCE_LIST 8u
#define REG_FULL_RESOURCE_DESCRIPTOR 9u
#define REG_RESOURCE_REQUIREMENTS_LIST 10u
#define REG_QWORD 11u
#define REG_QWORD_LITTLE_ENDIAN 11u
#endif
/* SetupAPI's own errors (winerror.h: APPLICATION_ERROR_MASK | ERROR_SEVERITY_ERROR | n) */
#ifndef ERROR_INVALID_REG_PROPERTY
#define ERROR_INVALID_REG_PROPERTY 0xE0000209u
#endif
#ifndef ERROR_NO_SUCH_DEVINST
#define ERROR_NO_SUCH_DEVINST 0xE000020Bu
#endif

/* winioctl.h */
#define CTL_CODE(DeviceType, Function, Method, Access)                                   \
    (((DWORD)(DeviceType) << 16) | ((DWORD)(Access) << 14) | ((DWORD)(Function) << 2) |  \
     (DWORD)(Method))
#define METHOD_BUFFERED 0u
#define FILE_ANY_ACCESS 0u
#define FILE_DEVICE_UNKNOWN 0x00000022u

/* ------------------------------------------------------------------ last error */

WINBASEAPI DWORD WINAPI GetLastError(void);
WINBASEAPI void WINAPI SetLastError(DWORD dwErrCode);

/* ------------------------------------------------------------------ handles */

WINBASEAPI BOOL WINAPI CloseHandle(HANDLE hObject);

/* ------------------------------------------------------------------ events and waits */

WINBASEAPI HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes,
                                      BOOL bManualReset, BOOL bInitialState, LPCWSTR lpName);
WINBASEAPI BOOL WINAPI SetEvent(HANDLE hEvent);
WINBASEAPI BOOL WINAPI ResetEvent(HANDLE hEvent);
WINBASEAPI DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
WINBASEAPI DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles,
                                               BOOL bWaitAll, DWORD dwMilliseconds);

/* ------------------------------------------------------------------ files and I/O */

WINBASEAPI HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess,
                                     DWORD dwShareMode,
                                     LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                                     DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes,
                                     HANDLE hTemplateFile);
WINBASEAPI BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                                LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
                                 LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode,
                                       LPVOID lpInBuffer, DWORD nInBufferSize,
                                       LPVOID lpOutBuffer, DWORD nOutBufferSize,
                                       LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                           LPDWORD lpNumberOfBytesTransferred, BOOL bWait);
WINBASEAPI BOOL WINAPI GetOverlappedResultEx(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                             LPDWORD lpNumberOfBytesTransferred,
                                             DWORD dwMilliseconds, BOOL bAlertable);
WINBASEAPI BOOL WINAPI CancelIo(HANDLE hFile);
WINBASEAPI BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped);
WINBASEAPI BOOL WINAPI SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags);

/* ------------------------------------------------------------------ completion ports */

WINBASEAPI HANDLE WINAPI CreateIoCompletionPort(HANDLE FileHandle,
                                                HANDLE ExistingCompletionPort,
                                                ULONG_PTR CompletionKey,
                                                DWORD NumberOfConcurrentThreads);
WINBASEAPI BOOL WINAPI GetQueuedCompletionStatus(HANDLE CompletionPort,
                                                 LPDWORD lpNumberOfBytesTransferred,
                                                 PULONG_PTR lpCompletionKey,
                                                 LPOVERLAPPED *lpOverlapped,
                                                 DWORD dwMilliseconds);
WINBASEAPI BOOL WINAPI GetQueuedCompletionStatusEx(HANDLE CompletionPort,
                                                   LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                                   ULONG ulCount, PULONG ulNumEntriesRemoved,
                                                   DWORD dwMilliseconds, BOOL fAlertable);
WINBASEAPI BOOL WINAPI PostQueuedCompletionStatus(HANDLE CompletionPort,
                                                  DWORD dwNumberOfBytesTransferred,
                                                  ULONG_PTR dwCompletionKey,
                                                  LPOVERLAPPED lpOverlapped);

/* ------------------------------------------------------------------ messages */

WINBASEAPI DWORD WINAPI FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
                                       DWORD dwLanguageId, LPWSTR lpBuffer, DWORD nSize,
                                       va_list *Arguments);
WINBASEAPI HLOCAL WINAPI LocalFree(HLOCAL hMem);

/* ------------------------------------------------------------------ setupapi */

WINSETUPAPI HDEVINFO WINAPI SetupDiGetClassDevsW(const GUID *ClassGuid, PCWSTR Enumerator,
                                                 HWND hwndParent, DWORD Flags);
WINSETUPAPI BOOL WINAPI SetupDiEnumDeviceInterfaces(HDEVINFO DeviceInfoSet,
                                                    PSP_DEVINFO_DATA DeviceInfoData,
                                                    const GUID *InterfaceClassGuid,
                                                    DWORD MemberIndex,
                                                    PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData);
WINSETUPAPI BOOL WINAPI SetupDiGetDeviceInterfaceDetailW(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData);
WINSETUPAPI BOOL WINAPI SetupDiDestroyDeviceInfoList(HDEVINFO DeviceInfoSet);
WINSETUPAPI BOOL WINAPI SetupDiEnumDeviceInfo(HDEVINFO DeviceInfoSet, DWORD MemberIndex,
                                              PSP_DEVINFO_DATA DeviceInfoData);
WINSETUPAPI BOOL WINAPI SetupDiGetDeviceInstanceIdW(HDEVINFO DeviceInfoSet,
                                                    PSP_DEVINFO_DATA DeviceInfoData,
                                                    PWSTR DeviceInstanceId,
                                                    DWORD DeviceInstanceIdSize, PDWORD RequiredSize);
WINSETUPAPI BOOL WINAPI SetupDiGetDeviceRegistryPropertyW(HDEVINFO DeviceInfoSet,
                                                          PSP_DEVINFO_DATA DeviceInfoData,
                                                          DWORD Property, PDWORD PropertyRegDataType,
                                                          BYTE *PropertyBuffer,
                                                          DWORD PropertyBufferSize, PDWORD RequiredSize);

/* ------------------------------------------------------------------ host extras */

/*
 * The Win32 error code that Windows' RtlNtStatusToDosError gives for Status (what
 * kernel32 stores as the last error when a call fails with that NTSTATUS). Not a
 * kernel32 export; exported by the host so that tests and tools can check the mapping.
 */
KMDFHOST_API DWORD KmdfHostNtStatusToWin32Error(KH_STATUS Status);

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_WIN32_H */
