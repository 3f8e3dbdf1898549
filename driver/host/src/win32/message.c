/*
 * message.c - FormatMessageW for system error codes, and LocalFree.
 *
 * The texts are those of Windows' English (United States) system message table, each
 * ending with "\r\n" as FormatMessage returns them, for every error code that the host's
 * Win32 surface can set (including every result of the NTSTATUS mapping in status.c).
 */
#include <stdlib.h>
#include <wchar.h>

#include "win32/win32p.h"

typedef struct SYSTEM_MESSAGE {
    DWORD Id;
    const wchar_t *Text;
} SYSTEM_MESSAGE;

static const SYSTEM_MESSAGE Messages[] = {
    {ERROR_SUCCESS, L"The operation completed successfully.\r\n"},
    {ERROR_INVALID_FUNCTION, L"Incorrect function.\r\n"},
    {ERROR_FILE_NOT_FOUND, L"The system cannot find the file specified.\r\n"},
    {ERROR_PATH_NOT_FOUND, L"The system cannot find the path specified.\r\n"},
    {ERROR_ACCESS_DENIED, L"Access is denied.\r\n"},
    {ERROR_INVALID_HANDLE, L"The handle is invalid.\r\n"},
    {ERROR_NOT_ENOUGH_MEMORY,
     L"Not enough memory resources are available to process this command.\r\n"},
    {ERROR_INVALID_DATA, L"The data is invalid.\r\n"},
    {ERROR_OUTOFMEMORY,
     L"Not enough memory resources are available to complete this operation.\r\n"},
    {ERROR_NO_MORE_FILES, L"There are no more files.\r\n"},
    {ERROR_NOT_READY, L"The device is not ready.\r\n"},
    {ERROR_BAD_COMMAND, L"The device does not recognize the command.\r\n"},
    {ERROR_CRC, L"Data error (cyclic redundancy check).\r\n"},
    {ERROR_BAD_LENGTH, L"The program issued a command but the command length is incorrect.\r\n"},
    {ERROR_GEN_FAILURE, L"A device attached to the system is not functioning.\r\n"},
    {ERROR_SHARING_VIOLATION,
     L"The process cannot access the file because it is being used by another process.\r\n"},
    {ERROR_HANDLE_EOF, L"Reached the end of the file.\r\n"},
    {ERROR_NOT_SUPPORTED, L"The request is not supported.\r\n"},
    {ERROR_DEV_NOT_EXIST, L"The specified network resource or device is no longer available.\r\n"},
    {ERROR_FILE_EXISTS, L"The file exists.\r\n"},
    {ERROR_DISK_FULL, L"There is not enough space on the disk.\r\n"},
    {ERROR_INVALID_PARAMETER, L"The parameter is incorrect.\r\n"},
    {ERROR_CALL_NOT_IMPLEMENTED, L"This function is not supported on this system.\r\n"},
    {ERROR_SEM_TIMEOUT, L"The semaphore timeout period has expired.\r\n"},
    {ERROR_INSUFFICIENT_BUFFER, L"The data area passed to a system call is too small.\r\n"},
    {ERROR_INVALID_NAME, L"The filename, directory name, or volume label syntax is incorrect.\r\n"},
    {ERROR_BAD_PATHNAME, L"The specified path is invalid.\r\n"},
    {ERROR_BUSY, L"The requested resource is in use.\r\n"},
    {ERROR_ALREADY_EXISTS, L"Cannot create a file when that file already exists.\r\n"},
    {ERROR_FILENAME_EXCED_RANGE, L"The filename or extension is too long.\r\n"},
    {ERROR_MORE_DATA, L"More data is available.\r\n"},
    {WAIT_TIMEOUT, L"The wait operation timed out.\r\n"},
    {ERROR_NO_MORE_ITEMS, L"No more data is available.\r\n"},
    {ERROR_TOO_MANY_POSTS, L"Too many posts were made to a semaphore.\r\n"},
    {ERROR_MR_MID_NOT_FOUND, L"The system cannot find message text for message number 0x%1 in "
                             L"the message file for %2.\r\n"},
    {ERROR_ARITHMETIC_OVERFLOW, L"Arithmetic result exceeded 32 bits.\r\n"},
    {ERROR_ABANDONED_WAIT_0, L"ERROR_ABANDONED_WAIT_0\r\n"},
    {ERROR_OPERATION_ABORTED, L"The I/O operation has been aborted because of either a thread "
                              L"exit or an application request.\r\n"},
    {ERROR_IO_INCOMPLETE, L"Overlapped I/O event is not in a signaled state.\r\n"},
    {ERROR_IO_PENDING, L"Overlapped I/O operation is in progress.\r\n"},
    {ERROR_NOACCESS, L"Invalid access to memory location.\r\n"},
    {ERROR_INVALID_FLAGS, L"Invalid flags.\r\n"},
    {ERROR_IO_DEVICE,
     L"The request could not be performed because of an I/O device error.\r\n"},
    {ERROR_DEVICE_NOT_CONNECTED, L"The device is not connected.\r\n"},
    {ERROR_NOT_FOUND, L"Element not found.\r\n"},
    {ERROR_REQUEST_ABORTED, L"The request was aborted.\r\n"},
    {ERROR_INTERNAL_ERROR, L"An internal error occurred.\r\n"},
    {ERROR_NO_SYSTEM_RESOURCES,
     L"Insufficient system resources exist to complete the requested service.\r\n"},
    {ERROR_TIMEOUT, L"This operation returned because the timeout period expired.\r\n"},
    {ERROR_DEVICE_REMOVED, L"The device has been removed.\r\n"},
    {ERROR_INVALID_USER_BUFFER,
     L"The supplied user buffer is not valid for the requested operation.\r\n"},
    {ERROR_RESOURCE_LANG_NOT_FOUND,
     L"The specified resource language ID cannot be found in the image file.\r\n"},
};

static const wchar_t *FindMessage(DWORD Id)
{
    for (size_t i = 0; i < sizeof(Messages) / sizeof(Messages[0]); i++) {
        if (Messages[i].Id == Id) {
            return Messages[i].Text;
        }
    }
    return NULL;
}

/* True when the text holds an insert sequence (%1 ... %99). */
static bool HasInserts(const wchar_t *Text)
{
    for (; *Text != L'\0'; Text++) {
        if (Text[0] == L'%' && Text[1] >= L'1' && Text[1] <= L'9') {
            return true;
        }
    }
    return false;
}

/*
 * FormatMessageW with FORMAT_MESSAGE_FROM_SYSTEM: the system message text of
 * dwMessageId. Supported, as documented:
 * - dwLanguageId 0 (the default, English here), or any sublanguage of LANG_NEUTRAL or
 *   LANG_ENGLISH; another language fails with ERROR_RESOURCE_LANG_NOT_FOUND;
 * - FORMAT_MESSAGE_ALLOCATE_BUFFER: lpBuffer receives a buffer of at least nSize
 *   characters that the caller frees with LocalFree; otherwise the text and its
 *   terminating NUL must fit into nSize characters (ERROR_INSUFFICIENT_BUFFER);
 * - FORMAT_MESSAGE_IGNORE_INSERTS: inserts such as %1 are copied as they are;
 * - a width of FORMAT_MESSAGE_MAX_WIDTH_MASK: the text's line breaks become spaces.
 * An unknown message number fails with ERROR_MR_MID_NOT_FOUND. The return value is the
 * number of characters stored, without the terminating NUL; 0 on failure.
 * Not supported by the host (ERROR_INVALID_PARAMETER): FORMAT_MESSAGE_FROM_STRING,
 * FORMAT_MESSAGE_FROM_HMODULE, and expanding inserts from Arguments.
 */
KMDFHOST_API DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId,
                                  DWORD dwLanguageId, LPWSTR lpBuffer, DWORD nSize,
                                  va_list *Arguments)
{
    (void)lpSource;
    (void)Arguments;
    if (!(dwFlags & FORMAT_MESSAGE_FROM_SYSTEM) ||
        (dwFlags & (FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_FROM_HMODULE)) ||
        lpBuffer == NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    WORD Primary = (WORD)(dwLanguageId & 0x3FFu);
    if (dwLanguageId > 0xFFFFu || (Primary != LANG_NEUTRAL && Primary != LANG_ENGLISH)) {
        KhW32SetLastError(ERROR_RESOURCE_LANG_NOT_FOUND);
        return 0;
    }
    const wchar_t *Text = FindMessage(dwMessageId);
    if (Text == NULL) {
        KhW32SetLastError(ERROR_MR_MID_NOT_FOUND);
        return 0;
    }
    if (!(dwFlags & FORMAT_MESSAGE_IGNORE_INSERTS) && HasInserts(Text)) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }

    bool NoBreaks = (dwFlags & FORMAT_MESSAGE_MAX_WIDTH_MASK) == FORMAT_MESSAGE_MAX_WIDTH_MASK;
    size_t Length = 0;
    for (const wchar_t *p = Text; *p != L'\0'; p++) {
        if (NoBreaks && p[0] == L'\r' && p[1] == L'\n') {
            p++; /* "\r\n" becomes one space */
        }
        Length++;
    }

    wchar_t *Out = lpBuffer;
    if (dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        size_t Chars = Length + 1 > nSize ? Length + 1 : nSize;
        Out = malloc(Chars * sizeof(wchar_t));
        if (Out == NULL) {
            KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
    } else if (Length + 1 > nSize) {
        KhW32SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    size_t i = 0;
    for (const wchar_t *p = Text; *p != L'\0'; p++) {
        if (NoBreaks && p[0] == L'\r' && p[1] == L'\n') {
            p++;
            Out[i++] = L' ';
        } else {
            Out[i++] = *p;
        }
    }
    Out[i] = L'\0';
    if (dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        *(LPWSTR *)(void *)lpBuffer = Out;
    }
    return (DWORD)Length;
}

/*
 * LocalFree: frees memory that FormatMessageW allocated for the caller. Returns NULL on
 * success, as documented; LocalFree(NULL) does nothing.
 */
KMDFHOST_API HLOCAL LocalFree(HLOCAL hMem)
{
    free(hMem);
    return NULL;
}
