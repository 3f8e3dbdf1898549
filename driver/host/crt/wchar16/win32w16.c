/*
 * win32w16.c - the W functions of the um headers for programs whose wchar_t is 16 bits
 * (include/um/kmdfhost_wchar16.h maps CreateFileW to KhW16_CreateFileW and so on). Part
 * of libkmdfhost_wchar16.a, which only those programs link.
 *
 * Each converts the program's UTF-16 strings to the platform's wchar_t, calls the
 * host's Win32 function of the same name (built with that wchar_t), and converts what
 * it returns back. Sizes and counts the caller sees are in UTF-16 units, as on Windows;
 * errors are the Win32 function's, plus ERROR_NOT_ENOUGH_MEMORY when a conversion
 * cannot allocate.
 *
 * This file is compiled with the platform's wchar_t: WCHAR and LPCWSTR here are 32-bit
 * strings, and the program's strings are uint16_t.
 */
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <setupapi.h>
#include <cfgmgr32.h>

#include "wchar16p.h"

typedef uint16_t WC16;

/* A program's optional string: *Wide is NULL for NULL. FALSE (last error set) when out
   of memory. */
static BOOL Widen(const WC16 *Text, wchar_t **Wide)
{
    *Wide = NULL;
    if (Text == NULL) {
        return TRUE;
    }
    *Wide = KhWchar16ToWide(Text);
    if (*Wide == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    return TRUE;
}

/* The units of a double-NUL-terminated list (MULTI_SZ), its final NUL included. */
static size_t MultiLength16(const WC16 *List)
{
    size_t n = 0;
    while (List[n] != 0 || List[n + 1] != 0) {
        n++;
    }
    return n + 2;
}

/* ------------------------------------------------------------------ kernel32 */

HANDLE KhW16_CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                          BOOL bInitialState, const WC16 *lpName)
{
    wchar_t *Name;
    if (!Widen(lpName, &Name)) {
        return NULL;
    }
    HANDLE Event = CreateEventW(lpEventAttributes, bManualReset, bInitialState, Name);
    free(Name);
    return Event;
}

HANDLE KhW16_CreateFileW(const WC16 *lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                         LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                         DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)
{
    wchar_t *Name;
    if (!Widen(lpFileName, &Name)) {
        return INVALID_HANDLE_VALUE;
    }
    HANDLE File = CreateFileW(Name, dwDesiredAccess, dwShareMode, lpSecurityAttributes,
                              dwCreationDisposition, dwFlagsAndAttributes, hTemplateFile);
    free(Name);
    return File;
}

/*
 * FormatMessageW: the Win32 layer formats the text (its flags and errors); the UTF-16
 * text then goes into lpBuffer (nSize units with the NUL, or ERROR_INSUFFICIENT_BUFFER),
 * or, with FORMAT_MESSAGE_ALLOCATE_BUFFER, into a LocalAlloc buffer of at least nSize
 * units stored at *lpBuffer. Returns the units stored without the NUL.
 */
DWORD KhW16_FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD dwLanguageId,
                           WC16 *lpBuffer, DWORD nSize, va_list *Arguments)
{
    if (lpBuffer == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return 0;
    }
    wchar_t *Text = NULL;
    DWORD Chars = FormatMessageW(dwFlags | FORMAT_MESSAGE_ALLOCATE_BUFFER, lpSource, dwMessageId,
                                 dwLanguageId, (LPWSTR)(void *)&Text, 0, Arguments);
    if (Chars == 0) {
        return 0;
    }
    size_t Units = 0;
    WC16 *Utf16 = KhWchar16FromWideN(Text, Chars, &Units);
    LocalFree(Text);
    if (Utf16 == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    WC16 *Out = lpBuffer;
    if (dwFlags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        size_t Count = Units + 1 > nSize ? Units + 1 : nSize;
        Out = LocalAlloc(LMEM_FIXED, Count * sizeof(WC16));
        if (Out == NULL) {
            free(Utf16);
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
        *(WC16 **)(void *)lpBuffer = Out;
    } else if (Units + 1 > nSize) {
        free(Utf16);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    memcpy(Out, Utf16, (Units + 1) * sizeof(WC16));
    free(Utf16);
    return (DWORD)Units;
}

void KhW16_OutputDebugStringW(const WC16 *lpOutputString)
{
    wchar_t *Text;
    if (lpOutputString != NULL && Widen(lpOutputString, &Text)) {
        OutputDebugStringW(Text);
        free(Text);
    }
}

/* lstrlenW: the length in WCHARs (UTF-16 units); 0 for NULL. */
int KhW16_lstrlenW(const WC16 *lpString)
{
    int n = 0;
    if (lpString != NULL) {
        while (lpString[n] != 0) {
            n++;
        }
    }
    return n;
}

/* GetCurrentDirectoryW: the length in units without the NUL, or, when nBufferLength
   units cannot hold it with its NUL, the size needed with the NUL. */
DWORD KhW16_GetCurrentDirectoryW(DWORD nBufferLength, WC16 *lpBuffer)
{
    DWORD Needed = GetCurrentDirectoryW(0, NULL);
    if (Needed == 0) {
        return 0;
    }
    wchar_t *Wide = malloc(Needed * sizeof(wchar_t));
    if (Wide == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    DWORD Chars = GetCurrentDirectoryW(Needed, Wide);
    if (Chars == 0 || Chars >= Needed) {
        free(Wide);
        return 0; /* failed, or changed between the calls */
    }
    size_t Units = 0;
    WC16 *Utf16 = KhWchar16FromWideN(Wide, Chars, &Units);
    free(Wide);
    if (Utf16 == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    DWORD Result = (DWORD)Units;
    if (lpBuffer == NULL || Units + 1 > nBufferLength) {
        Result = (DWORD)(Units + 1);
    } else {
        memcpy(lpBuffer, Utf16, (Units + 1) * sizeof(WC16));
    }
    free(Utf16);
    return Result;
}

/* ------------------------------------------------------------------ setupapi */

HDEVINFO KhW16_SetupDiGetClassDevsW(const GUID *ClassGuid, const WC16 *Enumerator, HWND hwndParent,
                                    DWORD Flags)
{
    wchar_t *Name;
    if (!Widen(Enumerator, &Name)) {
        return INVALID_HANDLE_VALUE;
    }
    HDEVINFO Set = SetupDiGetClassDevsW(ClassGuid, Name, hwndParent, Flags);
    free(Name);
    return Set;
}

/*
 * SetupDiGetDeviceInterfaceDetailW with its documented two-call protocol, sizes in the
 * program's layout: the path at offset 4 as UTF-16, RequiredSize = 4 + (units + 1) * 2.
 * The checks of the Win32 layer apply (the same cbSize, 8, is right for both layouts);
 * the buffer the program gives is checked against its own layout.
 */
BOOL KhW16_SetupDiGetDeviceInterfaceDetailW(HDEVINFO DeviceInfoSet,
                                            PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
                                            void *DeviceInterfaceDetailData,
                                            DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize,
                                            PSP_DEVINFO_DATA DeviceInfoData)
{
    const size_t PathOffset = offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath);
    /* The size the Win32 layer needs; it checks the set and the interface data. */
    DWORD Wide = 0;
    if (SetupDiGetDeviceInterfaceDetailW(DeviceInfoSet, DeviceInterfaceData, NULL, 0, &Wide, NULL) ||
        GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
        return FALSE;
    }
    if (DeviceInterfaceDetailData != NULL) {
        DWORD cbSize;
        memcpy(&cbSize, DeviceInterfaceDetailData, sizeof(cbSize));
        if (cbSize != KH_SP_DEVICE_INTERFACE_DETAIL_DATA_W_CBSIZE ||
            DeviceInterfaceDetailDataSize < PathOffset + sizeof(WC16)) {
            SetLastError(ERROR_INVALID_USER_BUFFER);
            return FALSE;
        }
    } else if (DeviceInterfaceDetailDataSize != 0) {
        SetLastError(ERROR_INVALID_USER_BUFFER);
        return FALSE;
    }
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W Detail = malloc(Wide);
    if (Detail == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    Detail->cbSize = KH_SP_DEVICE_INTERFACE_DETAIL_DATA_W_CBSIZE;
    if (!SetupDiGetDeviceInterfaceDetailW(DeviceInfoSet, DeviceInterfaceData, Detail, Wide, NULL,
                                          DeviceInfoData)) {
        free(Detail);
        return FALSE;
    }
    const wchar_t *Path = (const wchar_t *)(const void *)((const char *)Detail + PathOffset);
    size_t Units = 0;
    WC16 *Utf16 = KhWchar16FromWideN(Path, wcslen(Path), &Units);
    free(Detail);
    if (Utf16 == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    size_t Needed = PathOffset + (Units + 1) * sizeof(WC16);
    if (RequiredSize != NULL) {
        *RequiredSize = (DWORD)Needed;
    }
    BOOL Result = TRUE;
    if (DeviceInterfaceDetailData == NULL || DeviceInterfaceDetailDataSize < Needed) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        Result = FALSE;
    } else {
        memcpy((char *)DeviceInterfaceDetailData + PathOffset, Utf16, (Units + 1) * sizeof(WC16));
    }
    free(Utf16);
    return Result;
}

/* ------------------------------------------------------------------ cfgmgr32 */

/* The interface list as UTF-16 (its final NUL included in *Units). */
static CONFIGRET InterfaceList16(LPGUID InterfaceClassGuid, const WC16 *pDeviceID, ULONG ulFlags,
                                 WC16 **List, size_t *Units)
{
    wchar_t *Device;
    if (!Widen(pDeviceID, &Device)) {
        return CR_OUT_OF_MEMORY;
    }
    CONFIGRET Result;
    for (;;) {
        ULONG Chars = 0;
        Result = CM_Get_Device_Interface_List_SizeW(&Chars, InterfaceClassGuid, Device, ulFlags);
        if (Result != CR_SUCCESS) {
            break;
        }
        wchar_t *Wide = malloc(Chars * sizeof(wchar_t));
        if (Wide == NULL) {
            Result = CR_OUT_OF_MEMORY;
            break;
        }
        Result = CM_Get_Device_Interface_ListW(InterfaceClassGuid, Device, Wide, Chars, ulFlags);
        if (Result == CR_BUFFER_SMALL) {
            free(Wide); /* an interface arrived between the calls */
            continue;
        }
        if (Result == CR_SUCCESS) {
            *List = KhWchar16FromWideN(Wide, Chars, Units);
            if (*List == NULL) {
                Result = CR_OUT_OF_MEMORY;
            }
        }
        free(Wide);
        break;
    }
    free(Device);
    return Result;
}

CONFIGRET KhW16_CM_Get_Device_Interface_List_SizeW(PULONG pulLen, LPGUID InterfaceClassGuid,
                                                   const WC16 *pDeviceID, ULONG ulFlags)
{
    if (pulLen == NULL) {
        return CM_Get_Device_Interface_List_SizeW(NULL, InterfaceClassGuid, NULL, ulFlags);
    }
    WC16 *List = NULL;
    size_t Units = 0;
    CONFIGRET Result = InterfaceList16(InterfaceClassGuid, pDeviceID, ulFlags, &List, &Units);
    if (Result == CR_SUCCESS) {
        *pulLen = (ULONG)Units;
        free(List);
    }
    return Result;
}

/* CR_BUFFER_SMALL when BufferLen units cannot hold the whole list. */
CONFIGRET KhW16_CM_Get_Device_Interface_ListW(LPGUID InterfaceClassGuid, const WC16 *pDeviceID,
                                              WC16 *Buffer, ULONG BufferLen, ULONG ulFlags)
{
    if (Buffer == NULL || BufferLen == 0) {
        return CM_Get_Device_Interface_ListW(InterfaceClassGuid, NULL, NULL, BufferLen, ulFlags);
    }
    WC16 *List = NULL;
    size_t Units = 0;
    CONFIGRET Result = InterfaceList16(InterfaceClassGuid, pDeviceID, ulFlags, &List, &Units);
    if (Result != CR_SUCCESS) {
        return Result;
    }
    if (Units > BufferLen) {
        Result = CR_BUFFER_SMALL;
    } else {
        memcpy(Buffer, List, Units * sizeof(WC16));
    }
    free(List);
    return Result;
}

/* ------------------------------------------------------------------ device properties */

/* Registry data of the Win32 layer (strings in the platform's wchar_t) in the program's
   layout: REG_SZ, REG_EXPAND_SZ and REG_MULTI_SZ as UTF-16, other types as they are.
   NULL when out of memory. */
static BYTE *PropertyTo16(DWORD Type, const BYTE *Data, size_t Size, size_t *Size16)
{
    if (Type == REG_SZ || Type == REG_EXPAND_SZ || Type == REG_MULTI_SZ) {
        size_t Units = 0;
        WC16 *Text = KhWchar16FromWideN((const wchar_t *)(const void *)Data, Size / sizeof(wchar_t), &Units);
        *Size16 = Units * sizeof(WC16);
        return (BYTE *)Text;
    }
    BYTE *Copy = malloc(Size != 0 ? Size : 1);
    if (Copy != NULL && Size != 0) {
        memcpy(Copy, Data, Size);
    }
    *Size16 = Size;
    return Copy;
}

/*
 * SetupDiGetDeviceInstanceIdW: the instance ID as UTF-16; RequiredSize in WCHARs with
 * the NUL, ERROR_INSUFFICIENT_BUFFER when DeviceInstanceIdSize WCHARs cannot hold it.
 */
BOOL KhW16_SetupDiGetDeviceInstanceIdW(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                       WC16 *DeviceInstanceId, DWORD DeviceInstanceIdSize, PDWORD RequiredSize)
{
    if (DeviceInstanceId == NULL && DeviceInstanceIdSize != 0) {
        /* The Win32 layer's answer to a size without a buffer. */
        return SetupDiGetDeviceInstanceIdW(DeviceInfoSet, DeviceInfoData, NULL, DeviceInstanceIdSize, RequiredSize);
    }
    DWORD Chars = 0;
    if (SetupDiGetDeviceInstanceIdW(DeviceInfoSet, DeviceInfoData, NULL, 0, &Chars) ||
        GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
        return FALSE;
    }
    wchar_t *Wide = malloc((Chars + 1) * sizeof(wchar_t));
    if (Wide == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    if (!SetupDiGetDeviceInstanceIdW(DeviceInfoSet, DeviceInfoData, Wide, Chars + 1, NULL)) {
        free(Wide);
        return FALSE;
    }
    size_t Units = 0;
    WC16 *Utf16 = KhWchar16FromWideN(Wide, wcslen(Wide), &Units);
    free(Wide);
    if (Utf16 == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    if (RequiredSize != NULL) {
        *RequiredSize = (DWORD)(Units + 1);
    }
    BOOL Result = TRUE;
    if (DeviceInstanceId == NULL || DeviceInstanceIdSize < Units + 1) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        Result = FALSE;
    } else {
        memcpy(DeviceInstanceId, Utf16, (Units + 1) * sizeof(WC16));
    }
    free(Utf16);
    return Result;
}

/*
 * SetupDiGetDeviceRegistryPropertyW: the property's type and data, strings as UTF-16;
 * RequiredSize in bytes of that layout, ERROR_INSUFFICIENT_BUFFER when PropertyBufferSize
 * bytes cannot hold it; the Win32 layer's errors otherwise.
 */
BOOL KhW16_SetupDiGetDeviceRegistryPropertyW(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                             DWORD Property, PDWORD PropertyRegDataType, BYTE *PropertyBuffer,
                                             DWORD PropertyBufferSize, PDWORD RequiredSize)
{
    if (PropertyBuffer == NULL && PropertyBufferSize != 0) {
        return SetupDiGetDeviceRegistryPropertyW(DeviceInfoSet, DeviceInfoData, Property, PropertyRegDataType, NULL,
                                                 PropertyBufferSize, RequiredSize);
    }
    DWORD Type = 0;
    DWORD Size = 0;
    BYTE *Data = NULL;
    /* The size, then the data (again if the property grew between the calls). */
    while (!SetupDiGetDeviceRegistryPropertyW(DeviceInfoSet, DeviceInfoData, Property, &Type, Data, Size, &Size)) {
        free(Data);
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
            return FALSE;
        }
        Data = malloc(Size != 0 ? Size : 1);
        if (Data == NULL) {
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            return FALSE;
        }
    }
    size_t Size16 = 0;
    BYTE *Data16 = PropertyTo16(Type, Data, Size, &Size16);
    free(Data);
    if (Data16 == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    if (PropertyRegDataType != NULL) {
        *PropertyRegDataType = Type;
    }
    if (RequiredSize != NULL) {
        *RequiredSize = (DWORD)Size16;
    }
    BOOL Result = TRUE;
    if (PropertyBuffer == NULL || PropertyBufferSize < Size16) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        Result = FALSE;
    } else {
        memcpy(PropertyBuffer, Data16, Size16);
    }
    free(Data16);
    return Result;
}

/*
 * CM_Get_DevNode_Registry_PropertyW: the property's type and data, strings as UTF-16;
 * *pulLength is the size in bytes of that layout, CR_BUFFER_SMALL when the buffer
 * cannot hold it; the Win32 layer's results otherwise.
 */
CONFIGRET KhW16_CM_Get_DevNode_Registry_PropertyW(DEVINST dnDevInst, ULONG ulProperty, PULONG pulRegDataType,
                                                  PVOID Buffer, PULONG pulLength, ULONG ulFlags)
{
    if (pulLength == NULL || (Buffer == NULL && *pulLength != 0)) {
        return CM_Get_DevNode_Registry_PropertyW(dnDevInst, ulProperty, pulRegDataType, Buffer, pulLength, ulFlags);
    }
    ULONG Type = 0;
    ULONG Size = 0;
    BYTE *Data = NULL;
    CONFIGRET Result;
    while ((Result = CM_Get_DevNode_Registry_PropertyW(dnDevInst, ulProperty, &Type, Data, &Size, ulFlags)) ==
           CR_BUFFER_SMALL) {
        free(Data);
        Data = malloc(Size != 0 ? Size : 1);
        if (Data == NULL) {
            return CR_OUT_OF_MEMORY;
        }
    }
    if (Result != CR_SUCCESS) {
        free(Data);
        return Result;
    }
    size_t Size16 = 0;
    BYTE *Data16 = PropertyTo16(Type, Data, Size, &Size16);
    free(Data);
    if (Data16 == NULL) {
        return CR_OUT_OF_MEMORY;
    }
    if (pulRegDataType != NULL) {
        *pulRegDataType = Type;
    }
    if (Buffer == NULL || *pulLength < Size16) {
        Result = CR_BUFFER_SMALL;
    } else {
        memcpy(Buffer, Data16, Size16);
    }
    *pulLength = (ULONG)Size16;
    free(Data16);
    return Result;
}

/* ------------------------------------------------------------------ services */

SC_HANDLE KhW16_OpenSCManagerW(const WC16 *lpMachineName, const WC16 *lpDatabaseName,
                               DWORD dwDesiredAccess)
{
    wchar_t *Machine;
    wchar_t *Database = NULL;
    SC_HANDLE Handle = NULL;
    if (Widen(lpMachineName, &Machine) && Widen(lpDatabaseName, &Database)) {
        Handle = OpenSCManagerW(Machine, Database, dwDesiredAccess);
    }
    free(Machine);
    free(Database);
    return Handle;
}

SC_HANDLE KhW16_CreateServiceW(SC_HANDLE hSCManager, const WC16 *lpServiceName,
                               const WC16 *lpDisplayName, DWORD dwDesiredAccess, DWORD dwServiceType,
                               DWORD dwStartType, DWORD dwErrorControl, const WC16 *lpBinaryPathName,
                               const WC16 *lpLoadOrderGroup, LPDWORD lpdwTagId,
                               const WC16 *lpDependencies, const WC16 *lpServiceStartName,
                               const WC16 *lpPassword)
{
    const WC16 *In[] = {lpServiceName, lpDisplayName, lpBinaryPathName, lpLoadOrderGroup,
                        lpServiceStartName, lpPassword};
    wchar_t *Out[6] = {0};
    wchar_t *Dependencies = NULL;
    SC_HANDLE Handle = NULL;
    BOOL Converted = TRUE;
    for (size_t i = 0; i < 6 && Converted; i++) {
        Converted = Widen(In[i], &Out[i]);
    }
    if (Converted && lpDependencies != NULL) {
        /* A double-NUL-terminated list. */
        Dependencies = KhWchar16ToWideN(lpDependencies, MultiLength16(lpDependencies), NULL);
        if (Dependencies == NULL) {
            SetLastError(ERROR_NOT_ENOUGH_MEMORY);
            Converted = FALSE;
        }
    }
    if (Converted) {
        Handle = CreateServiceW(hSCManager, Out[0], Out[1], dwDesiredAccess, dwServiceType, dwStartType,
                                dwErrorControl, Out[2], Out[3], lpdwTagId, Dependencies, Out[4], Out[5]);
    }
    for (size_t i = 0; i < 6; i++) {
        free(Out[i]);
    }
    free(Dependencies);
    return Handle;
}

SC_HANDLE KhW16_OpenServiceW(SC_HANDLE hSCManager, const WC16 *lpServiceName, DWORD dwDesiredAccess)
{
    wchar_t *Name;
    if (!Widen(lpServiceName, &Name)) {
        return NULL;
    }
    SC_HANDLE Handle = OpenServiceW(hSCManager, Name, dwDesiredAccess);
    free(Name);
    return Handle;
}

BOOL KhW16_StartServiceW(SC_HANDLE hService, DWORD dwNumServiceArgs, const WC16 **lpServiceArgVectors)
{
    if (lpServiceArgVectors == NULL || dwNumServiceArgs == 0) {
        return StartServiceW(hService, dwNumServiceArgs, NULL);
    }
    LPCWSTR *Arguments = calloc(dwNumServiceArgs, sizeof(*Arguments));
    BOOL Converted = Arguments != NULL;
    if (!Converted) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    }
    for (DWORD i = 0; Converted && i < dwNumServiceArgs; i++) {
        wchar_t *Argument;
        Converted = Widen(lpServiceArgVectors[i], &Argument);
        Arguments[i] = Argument;
    }
    BOOL Result = Converted && StartServiceW(hService, dwNumServiceArgs, Arguments);
    for (DWORD i = 0; Arguments != NULL && i < dwNumServiceArgs; i++) {
        free((void *)Arguments[i]);
    }
    free(Arguments);
    return Result;
}
