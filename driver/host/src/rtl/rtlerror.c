/*
 * rtlerror.c - RtlNtStatusToDosError: the NTSTATUS to Win32 error mapping, the one table
 * of the host (kernel32 applies it when a call fails with an NTSTATUS: BaseSetLastNTError).
 *
 * The table follows Microsoft's published mapping ("INFO: Mapping NT Status Error Codes
 * to Win32 Error Codes", KB113996, the table the WDK's winerror tool prints), for every
 * status that a KMDF driver, the framework, the host's I/O manager and its PnP manager
 * can complete a request or an open with. As RtlNtStatusToDosError documents, a status
 * without a corresponding system error code gives ERROR_MR_MID_NOT_FOUND. Rules of the
 * NTSTATUS layout apply around the table, in the order RtlNtStatusToDosErrorNoTeb
 * applies them: STATUS_SUCCESS is 0; a customer-defined status (the C bit, 0x20000000)
 * is returned as it is; 0x8007xxxx (NTSTATUS_FROM_WIN32, which gives the status warning
 * severity, and HRESULT_FROM_WIN32) carries the Win32 code in its low 16 bits; a status
 * with the N bit set (0xDxxxxxxx, HRESULT_FROM_NT) maps as the status without it; after
 * the table, 0xC001xxxx (an OS/2 error code as the redirector reports it) gives its low
 * 16 bits. No other facility is special: an error-severity 0xC007xxxx status has no
 * mapping.
 */
#include <ntifs.h>

#include "rtl/rtl.h"

/* Win32 error codes (winerror.h) of the table. */

#define ERROR_ACCESS_DENIED 5u
#define ERROR_ALREADY_EXISTS 183u
#define ERROR_ARITHMETIC_OVERFLOW 534u
#define ERROR_BAD_COMMAND 22u
#define ERROR_BAD_LENGTH 24u
#define ERROR_BAD_PATHNAME 161u
#define ERROR_DISK_FULL 112u
#define ERROR_BUSY 170u
#define ERROR_CRC 23u
#define ERROR_DEVICE_NOT_CONNECTED 1167u
#define ERROR_DEVICE_REMOVED 1617u
#define ERROR_DEV_NOT_EXIST 55u
#define ERROR_FILENAME_EXCED_RANGE 206u
#define ERROR_FILE_NOT_FOUND 2u
#define ERROR_GEN_FAILURE 31u
#define ERROR_HANDLE_EOF 38u
#define ERROR_INSUFFICIENT_BUFFER 122u
#define ERROR_INTERNAL_ERROR 1359u
#define ERROR_INVALID_FUNCTION 1u
#define ERROR_INVALID_HANDLE 6u
#define ERROR_INVALID_NAME 123u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_INVALID_USER_BUFFER 1784u
#define ERROR_IO_DEVICE 1117u
#define ERROR_IO_PENDING 997u
#define ERROR_MORE_DATA 234u
#define ERROR_NOACCESS 998u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_NOT_FOUND 1168u
#define ERROR_NOT_READY 21u
#define ERROR_NOT_SUPPORTED 50u
#define ERROR_NO_MORE_FILES 18u
#define ERROR_NO_MORE_ITEMS 259u
#define ERROR_NO_SYSTEM_RESOURCES 1450u
#define ERROR_OPERATION_ABORTED 995u
#define ERROR_PATH_NOT_FOUND 3u
#define ERROR_REQUEST_ABORTED 1235u
#define ERROR_SEM_TIMEOUT 121u
#define ERROR_SHARING_VIOLATION 32u
#define ERROR_TIMEOUT 1460u
#define ERROR_TOO_MANY_POSTS 298u
#define ERROR_SUCCESS 0u
#define ERROR_MR_MID_NOT_FOUND 317u

typedef struct STATUS_MAPPING {
    uint32_t Status;
    ULONG Error;
} STATUS_MAPPING;

static const STATUS_MAPPING Mappings[] = {
    {0x00000102u, ERROR_TIMEOUT},              /* STATUS_TIMEOUT */
    {0x00000103u, ERROR_IO_PENDING},           /* STATUS_PENDING */
    {0x00000105u, ERROR_MORE_DATA},            /* STATUS_MORE_ENTRIES */
    {0x80000005u, ERROR_MORE_DATA},            /* STATUS_BUFFER_OVERFLOW */
    {0x80000006u, ERROR_NO_MORE_FILES},        /* STATUS_NO_MORE_FILES */
    {0x8000000Fu, ERROR_NOT_READY},            /* STATUS_DEVICE_POWERED_OFF */
    {0x80000010u, ERROR_NOT_READY},            /* STATUS_DEVICE_OFF_LINE */
    {0x80000011u, ERROR_BUSY},                 /* STATUS_DEVICE_BUSY */
    {0x8000001Au, ERROR_NO_MORE_ITEMS},        /* STATUS_NO_MORE_ENTRIES */
    {0xC0000001u, ERROR_GEN_FAILURE},          /* STATUS_UNSUCCESSFUL */
    {0xC0000002u, ERROR_INVALID_FUNCTION},     /* STATUS_NOT_IMPLEMENTED */
    {0xC0000003u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_INFO_CLASS */
    {0xC0000004u, ERROR_BAD_LENGTH},           /* STATUS_INFO_LENGTH_MISMATCH */
    {0xC0000005u, ERROR_NOACCESS},             /* STATUS_ACCESS_VIOLATION */
    {0xC0000008u, ERROR_INVALID_HANDLE},       /* STATUS_INVALID_HANDLE */
    {0xC000000Du, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER */
    {0xC000000Eu, ERROR_FILE_NOT_FOUND},       /* STATUS_NO_SUCH_DEVICE */
    {0xC000000Fu, ERROR_FILE_NOT_FOUND},       /* STATUS_NO_SUCH_FILE */
    {0xC0000010u, ERROR_INVALID_FUNCTION},     /* STATUS_INVALID_DEVICE_REQUEST */
    {0xC0000011u, ERROR_HANDLE_EOF},           /* STATUS_END_OF_FILE */
    {0xC0000016u, ERROR_MORE_DATA},            /* STATUS_MORE_PROCESSING_REQUIRED */
    {0xC0000017u, ERROR_NOT_ENOUGH_MEMORY},    /* STATUS_NO_MEMORY */
    {0xC0000022u, ERROR_ACCESS_DENIED},        /* STATUS_ACCESS_DENIED */
    {0xC0000023u, ERROR_INSUFFICIENT_BUFFER},  /* STATUS_BUFFER_TOO_SMALL */
    {0xC0000024u, ERROR_INVALID_HANDLE},       /* STATUS_OBJECT_TYPE_MISMATCH */
    {0xC0000030u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_MIX */
    {0xC0000033u, ERROR_INVALID_NAME},         /* STATUS_OBJECT_NAME_INVALID */
    {0xC0000034u, ERROR_FILE_NOT_FOUND},       /* STATUS_OBJECT_NAME_NOT_FOUND */
    {0xC0000035u, ERROR_ALREADY_EXISTS},       /* STATUS_OBJECT_NAME_COLLISION */
    {0xC0000039u, ERROR_BAD_PATHNAME},         /* STATUS_OBJECT_PATH_INVALID */
    {0xC000003Au, ERROR_PATH_NOT_FOUND},       /* STATUS_OBJECT_PATH_NOT_FOUND */
    {0xC000003Bu, ERROR_BAD_PATHNAME},         /* STATUS_OBJECT_PATH_SYNTAX_BAD */
    {0xC000003Eu, ERROR_CRC},                  /* STATUS_DATA_ERROR */
    {0xC0000043u, ERROR_SHARING_VIOLATION},    /* STATUS_SHARING_VIOLATION */
    {0xC0000047u, ERROR_TOO_MANY_POSTS},       /* STATUS_SEMAPHORE_LIMIT_EXCEEDED */
    {0xC0000056u, ERROR_ACCESS_DENIED},        /* STATUS_DELETE_PENDING */
    {0xC000007Fu, ERROR_DISK_FULL},            /* STATUS_DISK_FULL */
    {0xC0000095u, ERROR_ARITHMETIC_OVERFLOW},  /* STATUS_INTEGER_OVERFLOW */
    {0xC000009Au, ERROR_NO_SYSTEM_RESOURCES},  /* STATUS_INSUFFICIENT_RESOURCES */
    {0xC000009Cu, ERROR_CRC},                  /* STATUS_DEVICE_DATA_ERROR */
    {0xC000009Du, ERROR_DEVICE_NOT_CONNECTED}, /* STATUS_DEVICE_NOT_CONNECTED */
    {0xC000009Eu, ERROR_NOT_READY},            /* STATUS_DEVICE_POWER_FAILURE */
    {0xC00000A3u, ERROR_NOT_READY},            /* STATUS_DEVICE_NOT_READY */
    {0xC00000AFu, ERROR_INVALID_FUNCTION},     /* STATUS_ILLEGAL_FUNCTION */
    {0xC00000B5u, ERROR_SEM_TIMEOUT},          /* STATUS_IO_TIMEOUT */
    {0xC00000BBu, ERROR_NOT_SUPPORTED},        /* STATUS_NOT_SUPPORTED */
    {0xC00000C0u, ERROR_DEV_NOT_EXIST},        /* STATUS_DEVICE_DOES_NOT_EXIST */
    {0xC00000E5u, ERROR_INTERNAL_ERROR},       /* STATUS_INTERNAL_ERROR */
    {0xC00000E8u, ERROR_INVALID_USER_BUFFER},  /* STATUS_INVALID_USER_BUFFER */
    {0xC00000EFu, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_1 */
    {0xC00000F0u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_2 */
    {0xC00000F1u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_3 */
    {0xC00000F2u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_4 */
    {0xC00000F3u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_5 */
    {0xC00000F4u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_6 */
    {0xC00000F5u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_7 */
    {0xC00000F6u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_8 */
    {0xC00000F7u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_9 */
    {0xC00000F8u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_10 */
    {0xC00000F9u, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_11 */
    {0xC00000FAu, ERROR_INVALID_PARAMETER},    /* STATUS_INVALID_PARAMETER_12 */
    {0xC0000106u, ERROR_FILENAME_EXCED_RANGE}, /* STATUS_NAME_TOO_LONG */
    {0xC0000120u, ERROR_OPERATION_ABORTED},    /* STATUS_CANCELLED */
    {0xC0000128u, ERROR_INVALID_HANDLE},       /* STATUS_FILE_CLOSED */
    {0xC0000182u, ERROR_INVALID_PARAMETER},    /* STATUS_DEVICE_CONFIGURATION_ERROR */
    {0xC0000183u, ERROR_IO_DEVICE},            /* STATUS_DRIVER_INTERNAL_ERROR */
    {0xC0000184u, ERROR_BAD_COMMAND},          /* STATUS_INVALID_DEVICE_STATE */
    {0xC0000185u, ERROR_IO_DEVICE},            /* STATUS_IO_DEVICE_ERROR */
    {0xC0000186u, ERROR_IO_DEVICE},            /* STATUS_DEVICE_PROTOCOL_ERROR */
    {0xC0000206u, ERROR_INVALID_USER_BUFFER},  /* STATUS_INVALID_BUFFER_SIZE */
    {0xC0000225u, ERROR_NOT_FOUND},            /* STATUS_NOT_FOUND */
    {0xC0000240u, ERROR_REQUEST_ABORTED},      /* STATUS_REQUEST_ABORTED */
    {0xC00002B6u, ERROR_DEVICE_REMOVED},       /* STATUS_DEVICE_REMOVED */
};

/* RtlNtStatusToDosError (see the file comment). */
NTSYSAPI ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status)
{
    uint32_t Value = (uint32_t)Status;
    if (Value == 0) {
        return ERROR_SUCCESS;
    }
    /* A customer-defined status (bit 29) is passed through unchanged. */
    if (Value & 0x20000000u) {
        return Value;
    }
    /* 0x8007xxxx: a Win32 error code already (NTSTATUS_FROM_WIN32, HRESULT_FROM_WIN32). */
    if ((Value & 0xFFFF0000u) == 0x80070000u) {
        return Value & 0xFFFFu;
    }
    /* 0xDxxxxxxx: HRESULT_FROM_NT of a status; map the status itself. */
    if ((Value & 0xF0000000u) == 0xD0000000u) {
        Value &= 0xCFFFFFFFu;
    }
    for (size_t i = 0; i < sizeof(Mappings) / sizeof(Mappings[0]); i++) {
        if (Mappings[i].Status == Value) {
            return Mappings[i].Error;
        }
    }
    /* 0xC001xxxx: an OS/2 error code that the redirector passed on; the low word. */
    if ((Value >> 16) == 0xC001u) {
        return Value & 0xFFFFu;
    }
    return ERROR_MR_MID_NOT_FOUND;
}
