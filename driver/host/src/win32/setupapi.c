/*
 * setupapi.c - the SetupAPI functions that find device interfaces:
 * SetupDiGetClassDevsW, SetupDiEnumDeviceInterfaces, SetupDiGetDeviceInterfaceDetailW,
 * SetupDiDestroyDeviceInfoList.
 *
 * A device information set is a snapshot of the enabled interfaces of one interface
 * class, taken when SetupDiGetClassDevsW runs (as on Windows: an interface enabled or
 * disabled afterwards does not change the set). The interfaces come from the PnP
 * manager (KmdfHostGetInterfaceList) and each forms its own device information element.
 * The host does not know devices' setup classes, so SP_DEVINFO_DATA.ClassGuid is
 * GUID_NULL; DevInst is a number that identifies the element within its set.
 *
 * An HDEVINFO is not a kernel handle (CloseHandle and the wait functions refuse it):
 * it is the address of the set, which SetupAPI validates on every call, as setupapi.dll
 * does. Sets are kept on one list that only grows: a destroyed set's entry is marked
 * free (its paths released) and reused by a later set, so that an HDEVINFO that was
 * destroyed is recognised (ERROR_INVALID_HANDLE) rather than followed into freed memory.
 * The list is updated with atomic operations only (no lock).
 */
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <wctype.h>

#include "win32/win32p.h"

typedef struct KH_W32_DEVINFO {
    struct KH_W32_DEVINFO *Next; /* the list of every set, never unlinked */
    atomic_int State;            /* SetFree, SetClaimed (being built), SetLive */
    GUID ClassGuid;
    size_t Count;
    wchar_t **Paths; /* snapshot taken by SetupDiGetClassDevsW */
} KH_W32_DEVINFO;

enum { SetFree, SetClaimed, SetLive };

static _Atomic(KH_W32_DEVINFO *) Sets;

/* A free entry (claimed for the caller), or a new one pushed on the list. */
static KH_W32_DEVINFO *ClaimSet(void)
{
    for (KH_W32_DEVINFO *Set = atomic_load(&Sets); Set != NULL; Set = Set->Next) {
        int Expected = SetFree;
        if (atomic_compare_exchange_strong(&Set->State, &Expected, SetClaimed)) {
            return Set;
        }
    }
    KH_W32_DEVINFO *Set = calloc(1, sizeof(*Set));
    if (Set == NULL) {
        return NULL;
    }
    atomic_init(&Set->State, SetClaimed);
    KH_W32_DEVINFO *Head = atomic_load(&Sets);
    do {
        Set->Next = Head;
    } while (!atomic_compare_exchange_weak(&Sets, &Head, Set));
    return Set;
}

static void ReleasePaths(KH_W32_DEVINFO *Set)
{
    for (size_t i = 0; i < Set->Count; i++) {
        free(Set->Paths[i]);
    }
    free(Set->Paths);
    Set->Paths = NULL;
    Set->Count = 0;
}

/* The live set of an HDEVINFO, or NULL when it names none. */
static KH_W32_DEVINFO *LookupSet(HDEVINFO DeviceInfoSet)
{
    for (KH_W32_DEVINFO *Set = atomic_load(&Sets); Set != NULL; Set = Set->Next) {
        if ((HDEVINFO)Set == DeviceInfoSet) {
            return atomic_load(&Set->State) == SetLive ? Set : NULL;
        }
    }
    return NULL;
}

/* The interface list of the class, in the CM_Get_Device_Interface_List format. */
static NTSTATUS GetInterfaceList(const GUID *Guid, char **ListOut)
{
    uint8_t Bytes[16];
    memcpy(Bytes, Guid, sizeof(Bytes)); /* GUID is already in Windows' byte layout */
    size_t Size = 256;
    for (;;) {
        char *List = malloc(Size);
        if (List == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        size_t Required = 0;
        NTSTATUS Status = KmdfHostGetInterfaceList(Bytes, List, Size, &Required);
        if (NT_SUCCESS(Status)) {
            *ListOut = List;
            return Status;
        }
        free(List);
        if (Status != STATUS_BUFFER_TOO_SMALL || Required <= Size) {
            return Status;
        }
        Size = Required; /* the list grew in between: ask again */
    }
}

/*
 * True when the interface Path ("\\?\ROOT#ECHO#0000#{guid}") belongs to Enumerator:
 * either a device instance ID ("ROOT\ECHO\0000") or a PnP enumerator name ("ROOT"),
 * compared without regard to case.
 */
static bool MatchesEnumerator(const wchar_t *Path, const wchar_t *Enumerator)
{
    if (wcsncmp(Path, L"\\\\?\\", 4) != 0) {
        return false;
    }
    const wchar_t *Instance = Path + 4;
    const wchar_t *End = wcsstr(Instance, L"#{");
    if (End == NULL) {
        return false;
    }
    size_t i = 0;
    for (; Instance + i < End && Enumerator[i] != L'\0'; i++) {
        wchar_t c = Instance[i] == L'#' ? L'\\' : Instance[i];
        if (towupper((wint_t)c) != towupper((wint_t)Enumerator[i])) {
            return false;
        }
    }
    if (Enumerator[i] != L'\0') {
        return false;
    }
    /* The whole instance ID, or its first component (the enumerator). */
    return Instance + i == End || Instance[i] == L'#';
}

/*
 * SetupDiGetClassDevsW for device interfaces: "DIGCF_DEVICEINTERFACE: Return devices that
 * support device interfaces for the specified device interface classes", ClassGuid being
 * the interface class, optionally with DIGCF_PRESENT ("only devices that are currently
 * present") and DIGCF_PROFILE ("only devices that are a part of the current hardware
 * profile"; the host has one profile, which holds every device). The flags are a bitwise
 * OR of "zero or more" of the documented flags, so DIGCF_PRESENT is not required; the
 * host keeps no record of the interfaces of devices that are not present, so the set is
 * the same with or without it. DIGCF_ALLCLASSES and DIGCF_DEFAULT, and sets of setup
 * classes (no DIGCF_DEVICEINTERFACE), are not offered by the host and fail with
 * ERROR_INVALID_FLAGS; a NULL ClassGuid fails with ERROR_INVALID_PARAMETER. Failure
 * returns INVALID_HANDLE_VALUE.
 */
KMDFHOST_API HDEVINFO SetupDiGetClassDevsW(const GUID *ClassGuid, PCWSTR Enumerator,
                                           HWND hwndParent, DWORD Flags)
{
    (void)hwndParent;
    if (!(Flags & DIGCF_DEVICEINTERFACE) ||
        (Flags & ~(DIGCF_DEVICEINTERFACE | DIGCF_PRESENT | DIGCF_PROFILE)) != 0) {
        KhW32SetLastError(ERROR_INVALID_FLAGS);
        return INVALID_HANDLE_VALUE;
    }
    if (ClassGuid == NULL) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    char *List = NULL;
    NTSTATUS Status = GetInterfaceList(ClassGuid, &List);
    if (!NT_SUCCESS(Status)) {
        KhW32FailStatus(Status);
        return INVALID_HANDLE_VALUE;
    }
    KH_W32_DEVINFO *Set = ClaimSet();
    if (Set == NULL) {
        free(List);
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    Set->ClassGuid = *ClassGuid;
    Set->Count = 0;

    size_t Count = 0;
    for (const char *p = List; *p != '\0'; p += strlen(p) + 1) {
        Count++;
    }
    bool OutOfMemory = false;
    Set->Paths = calloc(Count ? Count : 1, sizeof(*Set->Paths));
    OutOfMemory = Set->Paths == NULL;
    for (const char *p = List; !OutOfMemory && *p != '\0'; p += strlen(p) + 1) {
        wchar_t *Path = KhW32Utf8ToWide(p);
        if (Path == NULL) {
            OutOfMemory = true;
            break;
        }
        if (Enumerator != NULL && !MatchesEnumerator(Path, Enumerator)) {
            free(Path);
            continue;
        }
        Set->Paths[Set->Count++] = Path;
    }
    free(List);
    if (OutOfMemory) {
        ReleasePaths(Set);
        atomic_store(&Set->State, SetFree);
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    atomic_store(&Set->State, SetLive);
    return (HDEVINFO)Set;
}

/*
 * SetupDiEnumDeviceInterfaces: the MemberIndex-th interface of the set (0-based);
 * ERROR_NO_MORE_ITEMS past the end ("Repeated calls to this function return an
 * SP_DEVICE_INTERFACE_DATA structure for a different device interface. ... If the index
 * is out of range, the function fails and GetLastError returns ERROR_NO_MORE_ITEMS").
 * DeviceInterfaceData->cbSize must be sizeof(SP_DEVICE_INTERFACE_DATA)
 * (ERROR_INVALID_USER_BUFFER). With DeviceInfoData, only that element's interfaces count.
 */
KMDFHOST_API BOOL SetupDiEnumDeviceInterfaces(HDEVINFO DeviceInfoSet,
                                              PSP_DEVINFO_DATA DeviceInfoData,
                                              const GUID *InterfaceClassGuid, DWORD MemberIndex,
                                              PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    if (Set == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    DWORD Error = ERROR_SUCCESS;
    size_t Index = MemberIndex;
    if (InterfaceClassGuid == NULL) {
        Error = ERROR_INVALID_PARAMETER;
    } else if (DeviceInterfaceData == NULL ||
               DeviceInterfaceData->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA)) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInfoData != NULL && DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA)) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (memcmp(InterfaceClassGuid, &Set->ClassGuid, sizeof(GUID)) != 0) {
        Error = ERROR_NO_MORE_ITEMS; /* the set holds interfaces of its class only */
    } else if (DeviceInfoData != NULL) {
        /* One interface per element: index 0 of element DevInst is interface DevInst-1. */
        if (DeviceInfoData->DevInst == 0 || DeviceInfoData->DevInst > Set->Count) {
            Error = ERROR_INVALID_PARAMETER;
        } else if (MemberIndex != 0) {
            Error = ERROR_NO_MORE_ITEMS;
        } else {
            Index = DeviceInfoData->DevInst - 1;
        }
    } else if (Index >= Set->Count) {
        Error = ERROR_NO_MORE_ITEMS;
    }
    if (Error == ERROR_SUCCESS) {
        DeviceInterfaceData->InterfaceClassGuid = Set->ClassGuid;
        DeviceInterfaceData->Flags = SPINT_ACTIVE;
        DeviceInterfaceData->Reserved = (ULONG_PTR)(Index + 1);
    }
    if (Error != ERROR_SUCCESS) {
        return KhW32Fail(Error);
    }
    return TRUE;
}

/*
 * SetupDiGetDeviceInterfaceDetailW, with the documented two-call size protocol:
 * "Call SetupDiGetDeviceInterfaceDetail with a NULL DeviceInterfaceDetailData pointer, a
 * DeviceInterfaceDetailDataSize of zero, and a valid RequiredSize variable. In response
 * to such a call, this function returns the required buffer size at RequiredSize and
 * fails with GetLastError returning ERROR_INSUFFICIENT_BUFFER." A buffer that is given
 * must have cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W) of 64-bit Windows, 8
 * (ERROR_INVALID_USER_BUFFER otherwise, also when the size cannot even hold the header
 * and one character, or when a size comes without a buffer). The path is written as a
 * NUL-terminated wide string at offset 4. DeviceInfoData, when given, receives the
 * element that owns the interface.
 */
KMDFHOST_API BOOL SetupDiGetDeviceInterfaceDetailW(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    if (Set == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    const size_t PathOffset = offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath);
    DWORD Error = ERROR_SUCCESS;
    size_t Index = 0;
    if (DeviceInterfaceData == NULL ||
        DeviceInterfaceData->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA)) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInterfaceData->Reserved == 0 || DeviceInterfaceData->Reserved > Set->Count) {
        Error = ERROR_INVALID_PARAMETER;
    } else if (DeviceInterfaceDetailData != NULL &&
               (DeviceInterfaceDetailData->cbSize != KH_SP_DEVICE_INTERFACE_DETAIL_DATA_W_CBSIZE ||
                DeviceInterfaceDetailDataSize < PathOffset + sizeof(WCHAR))) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInterfaceDetailData == NULL && DeviceInterfaceDetailDataSize != 0) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInfoData != NULL && DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA)) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else {
        Index = DeviceInterfaceData->Reserved - 1;
    }

    if (Error == ERROR_SUCCESS) {
        const wchar_t *Path = Set->Paths[Index];
        size_t Needed = PathOffset + (wcslen(Path) + 1) * sizeof(WCHAR);
        if (RequiredSize != NULL) {
            *RequiredSize = (DWORD)Needed;
        }
        if (DeviceInfoData != NULL) {
            memset(&DeviceInfoData->ClassGuid, 0, sizeof(DeviceInfoData->ClassGuid));
            DeviceInfoData->DevInst = (DWORD)(Index + 1);
            DeviceInfoData->Reserved = (ULONG_PTR)(Index + 1);
        }
        if (DeviceInterfaceDetailData == NULL || DeviceInterfaceDetailDataSize < Needed) {
            Error = ERROR_INSUFFICIENT_BUFFER;
        } else {
            /* Through a byte pointer: DevicePath is declared with one element (ANYSIZE_ARRAY). */
            memcpy((char *)DeviceInterfaceDetailData + PathOffset, Path,
                   (wcslen(Path) + 1) * sizeof(WCHAR));
        }
    }
    if (Error != ERROR_SUCCESS) {
        return KhW32Fail(Error);
    }
    return TRUE;
}

/* SetupDiDestroyDeviceInfoList: "deletes a device information set and frees all
   associated memory." */
KMDFHOST_API BOOL SetupDiDestroyDeviceInfoList(HDEVINFO DeviceInfoSet)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    int Expected = SetLive;
    if (Set == NULL || !atomic_compare_exchange_strong(&Set->State, &Expected, SetClaimed)) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    ReleasePaths(Set);
    atomic_store(&Set->State, SetFree);
    return TRUE;
}
