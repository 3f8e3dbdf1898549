/*
 * cfgmgr32.c - the configuration manager functions that find device interfaces:
 * CM_Get_Device_Interface_List_Size(A/W), CM_Get_Device_Interface_List(A/W) and
 * CM_MapCrToWin32Err; and CM_Get_DevNode_Registry_Property(A/W), a device node's
 * registry properties (setupapi.c's, by DevInst).
 *
 * The list comes from the PnP manager (KmdfHostGetInterfaceList) in the documented
 * format: "a list of NULL-terminated device interface instance paths, terminated by an
 * additional NULL"; with no interface it is a single NUL, and its size 1. The A forms
 * return the paths in UTF-8, the host's ANSI code page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#define WIN32_NO_STATUS /* the NTSTATUS values come from <ntstatus.h> */
#include <cfgmgr32.h>
#undef WIN32_NO_STATUS

#include "win32/win32p.h"

/* The class's interface list from the PnP manager, UTF-8, in the list format. */
static CONFIGRET GetList(const GUID *Guid, char **ListOut, size_t *SizeOut)
{
    uint8_t Bytes[16];
    memcpy(Bytes, Guid, sizeof(Bytes)); /* GUID is already in Windows' byte layout */
    size_t Size = 256;
    for (;;) {
        char *List = malloc(Size);
        if (List == NULL) {
            return CR_OUT_OF_MEMORY;
        }
        size_t Required = 0;
        KH_STATUS Status = KmdfHostGetInterfaceList(Bytes, List, Size, &Required);
        if (NT_SUCCESS(Status)) {
            *ListOut = List;
            *SizeOut = Required;
            return CR_SUCCESS;
        }
        free(List);
        if (Status != STATUS_BUFFER_TOO_SMALL || Required <= Size) {
            return CR_FAILURE;
        }
        Size = Required; /* the list grew in between: ask again */
    }
}

/* True when Path ("\\?\ROOT#ECHO#0000#{guid}") is an interface of the device instance
   DeviceId ("ROOT\ECHO\0000"), compared without regard to case. */
static bool OfDevice(const char *Path, const char *DeviceId)
{
    if (strncmp(Path, "\\\\?\\", 4) != 0) {
        return false;
    }
    const char *Instance = Path + 4;
    const char *End = strstr(Instance, "#{");
    size_t Length = strlen(DeviceId);
    if (End == NULL || (size_t)(End - Instance) != Length) {
        return false;
    }
    for (size_t i = 0; i < Length; i++) {
        char c = Instance[i] == '#' ? '\\' : Instance[i];
        char d = DeviceId[i];
        if ((c >= 'a' && c <= 'z' ? c - 32 : c) != (d >= 'a' && d <= 'z' ? d - 32 : d)) {
            return false;
        }
    }
    return true;
}

/*
 * The filtered list: the interfaces of DeviceId (all of them for NULL or ""), in UTF-8
 * and in the list format; *SizeOut receives its size in bytes.
 */
static CONFIGRET GetFilteredList(LPGUID Guid, const char *DeviceId, ULONG Flags, char **ListOut,
                                 size_t *SizeOut)
{
    if (Guid == NULL) {
        return CR_INVALID_POINTER;
    }
    if (Flags & ~(ULONG)CM_GET_DEVICE_INTERFACE_LIST_BITS) {
        return CR_INVALID_FLAG;
    }
    char *List;
    size_t Size;
    CONFIGRET Result = GetList(Guid, &List, &Size);
    if (Result != CR_SUCCESS) {
        return Result;
    }
    if (DeviceId != NULL && DeviceId[0] != '\0') {
        char *Out = List;
        for (char *Path = List; *Path != '\0';) {
            size_t Length = strlen(Path) + 1;
            if (OfDevice(Path, DeviceId)) {
                memmove(Out, Path, Length);
                Out += Length;
            }
            Path += Length;
        }
        *Out = '\0';
        Size = (size_t)(Out - List) + 1;
    }
    *ListOut = List;
    *SizeOut = Size;
    return CR_SUCCESS;
}

/* Number of characters of the UTF-8 list as wide characters (NULs included). */
static size_t WideLength(const char *List, size_t Size)
{
    size_t Chars = 0;
    for (size_t i = 0; i < Size; i++) {
        if (((unsigned char)List[i] & 0xC0u) != 0x80u) {
            Chars++;
        }
    }
    return Chars;
}

static char *DeviceIdToUtf8(DEVINSTID_W DeviceId, CONFIGRET *Result)
{
    *Result = CR_SUCCESS;
    if (DeviceId == NULL) {
        return NULL;
    }
    char *Utf8 = KhW32WideToUtf8(DeviceId);
    if (Utf8 == NULL) {
        *Result = CR_INVALID_DEVICE_ID;
    }
    return Utf8;
}

KMDFHOST_API CONFIGRET WINAPI CM_Get_Device_Interface_List_SizeA(PULONG pulLen, LPGUID InterfaceClassGuid,
                                                                  DEVINSTID_A pDeviceID, ULONG ulFlags)
{
    if (pulLen == NULL) {
        return CR_INVALID_POINTER;
    }
    *pulLen = 0;
    char *List;
    size_t Size;
    CONFIGRET Result = GetFilteredList(InterfaceClassGuid, pDeviceID, ulFlags, &List, &Size);
    if (Result == CR_SUCCESS) {
        *pulLen = (ULONG)Size;
        free(List);
    }
    return Result;
}

KMDFHOST_API CONFIGRET WINAPI CM_Get_Device_Interface_List_SizeW(PULONG pulLen, LPGUID InterfaceClassGuid,
                                                                  DEVINSTID_W pDeviceID, ULONG ulFlags)
{
    if (pulLen == NULL) {
        return CR_INVALID_POINTER;
    }
    *pulLen = 0;
    CONFIGRET Result;
    char *DeviceId = DeviceIdToUtf8(pDeviceID, &Result);
    if (Result != CR_SUCCESS) {
        return Result;
    }
    char *List;
    size_t Size;
    Result = GetFilteredList(InterfaceClassGuid, DeviceId, ulFlags, &List, &Size);
    free(DeviceId);
    if (Result == CR_SUCCESS) {
        *pulLen = (ULONG)WideLength(List, Size);
        free(List);
    }
    return Result;
}

KMDFHOST_API CONFIGRET WINAPI CM_Get_Device_Interface_ListA(LPGUID InterfaceClassGuid, DEVINSTID_A pDeviceID,
                                                             PZZSTR Buffer, ULONG BufferLen, ULONG ulFlags)
{
    if (Buffer == NULL || BufferLen == 0) {
        return CR_INVALID_POINTER;
    }
    char *List;
    size_t Size;
    CONFIGRET Result = GetFilteredList(InterfaceClassGuid, pDeviceID, ulFlags, &List, &Size);
    if (Result != CR_SUCCESS) {
        return Result;
    }
    if (Size > BufferLen) {
        Result = CR_BUFFER_SMALL;
    } else {
        memcpy(Buffer, List, Size);
    }
    free(List);
    return Result;
}

KMDFHOST_API CONFIGRET WINAPI CM_Get_Device_Interface_ListW(LPGUID InterfaceClassGuid, DEVINSTID_W pDeviceID,
                                                             PZZWSTR Buffer, ULONG BufferLen, ULONG ulFlags)
{
    if (Buffer == NULL || BufferLen == 0) {
        return CR_INVALID_POINTER;
    }
    CONFIGRET Result;
    char *DeviceId = DeviceIdToUtf8(pDeviceID, &Result);
    if (Result != CR_SUCCESS) {
        return Result;
    }
    char *List;
    size_t Size;
    Result = GetFilteredList(InterfaceClassGuid, DeviceId, ulFlags, &List, &Size);
    free(DeviceId);
    if (Result != CR_SUCCESS) {
        return Result;
    }
    if (WideLength(List, Size) > BufferLen) {
        free(List);
        return CR_BUFFER_SMALL;
    }
    /* Each path on its own; the list's final NUL after the last. */
    size_t Out = 0;
    for (const char *Path = List; *Path != '\0'; Path += strlen(Path) + 1) {
        wchar_t *Wide = KhW32Utf8ToWide(Path);
        if (Wide == NULL) {
            free(List);
            return CR_OUT_OF_MEMORY;
        }
        size_t Length = wcslen(Wide) + 1;
        memcpy(Buffer + Out, Wide, Length * sizeof(wchar_t));
        Out += Length;
        free(Wide);
    }
    Buffer[Out] = L'\0';
    free(List);
    return CR_SUCCESS;
}

/* CM_MapCrToWin32Err: the Win32 error of the documented mapping, DefaultErr otherwise. */
KMDFHOST_API DWORD WINAPI CM_MapCrToWin32Err(CONFIGRET CmReturnCode, DWORD DefaultErr)
{
    switch (CmReturnCode) {
    case CR_SUCCESS:
        return ERROR_SUCCESS;
    case CR_OUT_OF_MEMORY:
        return ERROR_NOT_ENOUGH_MEMORY;
    case CR_INVALID_POINTER:
        return ERROR_INVALID_USER_BUFFER;
    case CR_INVALID_FLAG:
        return ERROR_INVALID_FLAGS;
    case CR_INVALID_DEVNODE:
    case CR_INVALID_DEVICE_ID:
    case CR_INVALID_MACHINENAME:
    case CR_INVALID_PROPERTY:
    case CR_INVALID_REFERENCE_STRING:
        return ERROR_INVALID_DATA;
    case CR_INVALID_DATA:
        return ERROR_INVALID_PARAMETER;
    case CR_NO_SUCH_DEVNODE:
    case CR_NO_SUCH_LOGICAL_DEV:
    case CR_NO_SUCH_DEVICE_INTERFACE:
    case CR_NO_SUCH_VALUE:
    case CR_NO_SUCH_REGISTRY_KEY:
        return ERROR_NOT_FOUND;
    case CR_BUFFER_SMALL:
        return ERROR_INSUFFICIENT_BUFFER;
    case CR_ACCESS_DENIED:
        return ERROR_ACCESS_DENIED;
    case CR_CALL_NOT_IMPLEMENTED:
        return ERROR_CALL_NOT_IMPLEMENTED;
    default:
        return DefaultErr;
    }
}

/*
 * CM_Get_DevNode_Registry_Property(W/A): "retrieves a specified value from a device's
 * registry key" - the property SetupDiGetDeviceRegistryProperty reports under the SPDRP_*
 * code one less than ulProperty. "If the buffer is too small, ... pulLength receives the
 * required size" with CR_BUFFER_SMALL; a property the device lacks: CR_NO_SUCH_VALUE.
 * https://learn.microsoft.com/windows/win32/api/cfgmgr32/nf-cfgmgr32-cm_get_devnode_registry_propertyw
 */
static CONFIGRET GetDevNodeProperty(DEVINST dnDevInst, ULONG ulProperty, PULONG pulRegDataType, PVOID Buffer,
                                    PULONG pulLength, ULONG ulFlags, bool Ansi)
{
    if (ulFlags != 0) {
        return CR_INVALID_FLAG;
    }
    if (pulLength == NULL || (Buffer == NULL && *pulLength != 0)) {
        return CR_INVALID_POINTER;
    }
    if (ulProperty < CM_DRP_MIN || ulProperty > CM_DRP_MAX) {
        return CR_INVALID_PROPERTY;
    }
    const char *Id = KhW32DevInstId(dnDevInst);
    if (Id == NULL) {
        return CR_INVALID_DEVNODE;
    }
    DWORD Type = 0;
    uint8_t *Data = NULL;
    size_t Size = 0;
    DWORD Error = KhW32GetDeviceProperty(Id, ulProperty - 1, &Type, &Data, &Size);
    switch (Error) {
    case ERROR_SUCCESS:
        break;
    case ERROR_INVALID_DATA:
        return CR_NO_SUCH_VALUE;
    case ERROR_INVALID_REG_PROPERTY:
        return CR_INVALID_PROPERTY;
    case ERROR_NO_SUCH_DEVINST:
        return CR_NO_SUCH_DEVNODE;
    default:
        return CR_OUT_OF_MEMORY;
    }
    size_t Needed = KhW32ConvertProperty(Type, Data, Size, Ansi, NULL);
    if (pulRegDataType != NULL) {
        *pulRegDataType = Type;
    }
    CONFIGRET Result = CR_SUCCESS;
    if (Buffer == NULL || *pulLength < Needed) {
        Result = CR_BUFFER_SMALL;
    } else {
        KhW32ConvertProperty(Type, Data, Size, Ansi, Buffer);
    }
    *pulLength = (ULONG)Needed;
    free(Data);
    return Result;
}

KMDFHOST_API CONFIGRET WINAPI CM_Get_DevNode_Registry_PropertyW(DEVINST dnDevInst, ULONG ulProperty,
                                                                PULONG pulRegDataType, PVOID Buffer,
                                                                PULONG pulLength, ULONG ulFlags)
{
    return GetDevNodeProperty(dnDevInst, ulProperty, pulRegDataType, Buffer, pulLength, ulFlags, false);
}

KMDFHOST_API CONFIGRET WINAPI CM_Get_DevNode_Registry_PropertyA(DEVINST dnDevInst, ULONG ulProperty,
                                                                PULONG pulRegDataType, PVOID Buffer,
                                                                PULONG pulLength, ULONG ulFlags)
{
    return GetDevNodeProperty(dnDevInst, ulProperty, pulRegDataType, Buffer, pulLength, ulFlags, true);
}
