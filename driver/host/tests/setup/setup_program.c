/*
 * setup_program.c - a Win32 program (built with scripts/build-host-app) that checks what
 * SetupAPI reports of a device installed from setuptest.inf by host-run --inf, and what
 * setupdriver.so read at AddDevice from the keys setup wrote.
 *
 *   setup_program inf         host-run --hardware-id Root\SETUPTEST --inf setuptest.inf
 *                             --device-value PortName=REG_SZ:COM7
 *   setup_program by-service  host-run --hardware-id Root\NOMATCH --inf setuptest.inf: no
 *                             model has that ID, so the model that installs the driver's
 *                             service is taken, and its hardware ID becomes the device's
 *   setup_program no-inf      host-run --hardware-id Root\SETUPTEST, no INF: no setup
 *                             class, no description
 *   setup_program stack STACK UPPER LOWER
 *                             host-run with --upper-filter / --lower-filter: the drivers
 *                             IOCTL_SETUPTEST_STACK passes, top down ("b,a,function,"),
 *                             and the device's UpperFilters and LowerFilters properties
 *                             ("setupfilterb,setupfiltera", or - for none)
 * Exit 0 when every check holds; otherwise 1, each failed check on stderr.
 */
#include <windows.h>
#include <setupapi.h>
#include <cfgmgr32.h>
#include <initguid.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "setuptest.h"

static const GUID NullGuid;
static const GUID OtherClass = {0x4d36e96d, 0xe325, 0x11ce, {0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18}};

static int Failures;

#define CHECK(Condition)                                                                              \
    do {                                                                                              \
        if (!(Condition)) {                                                                           \
            fprintf(stderr, "FAIL line %d: %s (last error %lu)\n", __LINE__, #Condition,             \
                    (unsigned long)GetLastError());                                                   \
            Failures++;                                                                               \
        }                                                                                             \
    } while (0)

/* Whether a UTF-16 string from the driver equals Expected (ASCII). */
static BOOL Utf16Is(const unsigned short *Text, const char *Expected)
{
    size_t i = 0;
    for (; Expected[i] != 0; i++) {
        if (Text[i] != (unsigned char)Expected[i]) {
            return FALSE;
        }
    }
    return Text[i] == 0;
}

/* The one device of a set made with Flags for Guid and Enumerator; FALSE when the set
   does not hold exactly one. */
static BOOL OneDevice(const GUID *Guid, PCWSTR Enumerator, DWORD Flags, HDEVINFO *Set, SP_DEVINFO_DATA *Info)
{
    *Set = SetupDiGetClassDevsW(Guid, Enumerator, NULL, Flags);
    if (*Set == INVALID_HANDLE_VALUE) {
        return FALSE;
    }
    Info->cbSize = sizeof(*Info);
    if (!SetupDiEnumDeviceInfo(*Set, 0, Info)) {
        return FALSE;
    }
    SP_DEVINFO_DATA Next;
    Next.cbSize = sizeof(Next);
    return !SetupDiEnumDeviceInfo(*Set, 1, &Next) && GetLastError() == ERROR_NO_MORE_ITEMS;
}

static DWORD CountDevices(const GUID *Guid, PCWSTR Enumerator, DWORD Flags)
{
    HDEVINFO Set = SetupDiGetClassDevsW(Guid, Enumerator, NULL, Flags);
    if (Set == INVALID_HANDLE_VALUE) {
        return (DWORD)-1;
    }
    SP_DEVINFO_DATA Info;
    Info.cbSize = sizeof(Info);
    DWORD n = 0;
    while (SetupDiEnumDeviceInfo(Set, n, &Info)) {
        n++;
    }
    if (GetLastError() != ERROR_NO_MORE_ITEMS) {
        n = (DWORD)-2;
    }
    SetupDiDestroyDeviceInfoList(Set);
    return n;
}

/* Reads the driver's SETUPTEST_INFO through its interface (found in an interface set,
   restricted to the device element Info of that set). */
static BOOL ReadDriverInfo(const wchar_t *ExpectedInstance, SETUPTEST_INFO *Out)
{
    HDEVINFO Set = SetupDiGetClassDevsW(&GUID_DEVINTERFACE_SETUPTEST, NULL, NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    CHECK(Set != INVALID_HANDLE_VALUE);
    if (Set == INVALID_HANDLE_VALUE) {
        return FALSE;
    }
    SP_DEVINFO_DATA Info;
    Info.cbSize = sizeof(Info);
    CHECK(SetupDiEnumDeviceInfo(Set, 0, &Info));
    CHECK(memcmp(&Info.ClassGuid, ExpectedInstance != NULL ? &GUID_DEVCLASS_SETUPTEST : &NullGuid,
                 sizeof(GUID)) == 0);
    SP_DEVICE_INTERFACE_DATA Interface;
    Interface.cbSize = sizeof(Interface);
    CHECK(SetupDiEnumDeviceInterfaces(Set, &Info, &GUID_DEVINTERFACE_SETUPTEST, 0, &Interface));
    CHECK(!SetupDiEnumDeviceInterfaces(Set, &Info, &GUID_DEVINTERFACE_SETUPTEST, 1, &Interface));
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    SP_DEVINFO_DATA Bad = Info;
    Bad.Reserved = 99;
    CHECK(!SetupDiEnumDeviceInterfaces(Set, &Bad, &GUID_DEVINTERFACE_SETUPTEST, 0, &Interface));
    CHECK(GetLastError() == ERROR_INVALID_PARAMETER);
    CHECK(SetupDiEnumDeviceInterfaces(Set, NULL, &GUID_DEVINTERFACE_SETUPTEST, 0, &Interface));

    DWORD Required = 0;
    CHECK(!SetupDiGetDeviceInterfaceDetailW(Set, &Interface, NULL, 0, &Required, NULL));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    union {
        SP_DEVICE_INTERFACE_DETAIL_DATA_W Detail;
        char Bytes[1024];
    } Buffer;
    CHECK(Required <= sizeof(Buffer));
    Buffer.Detail.cbSize = 8;
    SP_DEVINFO_DATA Owner;
    Owner.cbSize = sizeof(Owner);
    CHECK(SetupDiGetDeviceInterfaceDetailW(Set, &Interface, &Buffer.Detail, sizeof(Buffer), NULL, &Owner));
    CHECK(Owner.DevInst == Info.DevInst);
    CHECK(memcmp(&Owner.ClassGuid, &Info.ClassGuid, sizeof(GUID)) == 0);
    if (ExpectedInstance != NULL) {
        wchar_t Id[200];
        CHECK(SetupDiGetDeviceInstanceIdW(Set, &Owner, Id, 200, NULL));
        CHECK(wcscmp(Id, ExpectedInstance) == 0);
    }
    SetupDiDestroyDeviceInfoList(Set);

    HANDLE File = CreateFileW(Buffer.Detail.DevicePath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(File != INVALID_HANDLE_VALUE);
    if (File == INVALID_HANDLE_VALUE) {
        return FALSE;
    }
    DWORD Bytes = 0;
    BOOL Ok = DeviceIoControl(File, IOCTL_SETUPTEST_GET_INFO, NULL, 0, Out, sizeof(*Out), &Bytes, NULL);
    CHECK(Ok && Bytes == sizeof(*Out));
    CloseHandle(File);
    return Ok;
}

static void CheckInstalled(const wchar_t *Instance, const char *InstanceA, const char *HardwareId)
{
    HDEVINFO Set;
    SP_DEVINFO_DATA Info;
    CHECK(OneDevice(&GUID_DEVCLASS_SETUPTEST, NULL, DIGCF_PRESENT, &Set, &Info));
    if (Set == INVALID_HANDLE_VALUE) {
        return;
    }
    CHECK(memcmp(&Info.ClassGuid, &GUID_DEVCLASS_SETUPTEST, sizeof(GUID)) == 0);
    CHECK(Info.DevInst != 0);

    /* Instance ID: W and A, the size protocol. */
    wchar_t Id[200];
    DWORD Required = 0;
    CHECK(!SetupDiGetDeviceInstanceIdW(Set, &Info, NULL, 0, &Required));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(Required == wcslen(Instance) + 1);
    CHECK(!SetupDiGetDeviceInstanceIdW(Set, &Info, Id, Required - 1, NULL));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(SetupDiGetDeviceInstanceIdW(Set, &Info, Id, Required, NULL));
    CHECK(wcscmp(Id, Instance) == 0);
    char IdA[200];
    CHECK(SetupDiGetDeviceInstanceIdA(Set, &Info, IdA, sizeof(IdA), &Required));
    CHECK(strcmp(IdA, InstanceA) == 0 && Required == strlen(InstanceA) + 1);

    /* Registry properties: types, data, the size protocol, missing ones. */
    DWORD Type = 0;
    BYTE Data[512];
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_DEVICEDESC, &Type, NULL, 0, &Required));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(Type == REG_SZ && Required == (wcslen(L"Setup Test Device") + 1) * sizeof(wchar_t));
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_DEVICEDESC, &Type, Data, Required - 1, &Required));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_DEVICEDESC, &Type, Data, sizeof(Data), NULL));
    CHECK(wcscmp((wchar_t *)Data, L"Setup Test Device") == 0);
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_DEVICEDESC, &Type, Data, sizeof(Data), &Required));
    CHECK(strcmp((char *)Data, "Setup Test Device") == 0 && Required == strlen("Setup Test Device") + 1);
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_CLASS, &Type, Data, sizeof(Data), NULL));
    CHECK(Type == REG_SZ && strcmp((char *)Data, "SetupTest") == 0);
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_CLASSGUID, &Type, Data, sizeof(Data), NULL));
    CHECK(Type == REG_SZ && _stricmp((char *)Data, "{3c1d9e27-8a4b-4f60-b1d2-7e5a9c0f4b18}") == 0);
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_MFG, &Type, Data, sizeof(Data), NULL));
    CHECK(Type == REG_SZ && strcmp((char *)Data, "KMDF Host KMDF host tests 100% made") == 0);
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_SERVICE, &Type, Data, sizeof(Data), NULL));
    CHECK(Type == REG_SZ && strcmp((char *)Data, "setupdriver") == 0);
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_ENUMERATOR_NAME, &Type, Data, sizeof(Data), NULL));
    CHECK(Type == REG_SZ && strcmp((char *)Data, "ROOT") == 0);
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_PHYSICAL_DEVICE_OBJECT_NAME, &Type, Data,
                                            sizeof(Data), NULL));
    CHECK(Type == REG_SZ && strncmp((char *)Data, "\\Device\\", 8) == 0);
    /* REG_MULTI_SZ: the hardware ID, then the lower filters the .HW section added. */
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_HARDWAREID, &Type, Data, sizeof(Data), &Required));
    CHECK(Type == REG_MULTI_SZ && _stricmp((char *)Data, HardwareId) == 0 &&
          Required == strlen(HardwareId) + 2 && Data[Required - 1] == 0);
    CHECK(SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_LOWERFILTERS, &Type, Data, sizeof(Data), &Required));
    CHECK(Type == REG_MULTI_SZ && Required == (9 + 9 + 1) * sizeof(wchar_t) &&
          wcscmp((wchar_t *)Data, L"lowerone") == 0 && wcscmp((wchar_t *)Data + 9, L"lowertwo") == 0);
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_UPPERFILTERS, &Type, Data, sizeof(Data), NULL));
    CHECK(GetLastError() == ERROR_INVALID_DATA);
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_FRIENDLYNAME, &Type, Data, sizeof(Data), NULL));
    CHECK(GetLastError() == ERROR_INVALID_DATA);
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_MAXIMUM_PROPERTY, &Type, Data, sizeof(Data), NULL));
    CHECK(GetLastError() == ERROR_INVALID_REG_PROPERTY);
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_UNUSED0, &Type, Data, sizeof(Data), NULL));
    CHECK(GetLastError() == ERROR_INVALID_REG_PROPERTY);
    CHECK(SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_INSTALL_STATE, &Type, Data, sizeof(Data), &Required));
    CHECK(Type == REG_DWORD && Required == 4 && *(DWORD *)Data == 0 /* CM_INSTALL_STATE_INSTALLED */);

    /* The configuration manager's view of the same node, by its DevInst. */
    ULONG Length = 0;
    ULONG CmType = 0;
    CHECK(CM_Get_DevNode_Registry_PropertyA(Info.DevInst, CM_DRP_DEVICEDESC, &CmType, NULL, &Length, 0) ==
          CR_BUFFER_SMALL);
    CHECK(Length == strlen("Setup Test Device") + 1);
    CHECK(CM_Get_DevNode_Registry_PropertyA(Info.DevInst, CM_DRP_DEVICEDESC, &CmType, Data, &Length, 0) == CR_SUCCESS);
    CHECK(CmType == REG_SZ && strcmp((char *)Data, "Setup Test Device") == 0);
    Length = sizeof(Data);
    CHECK(CM_Get_DevNode_Registry_PropertyW(Info.DevInst, CM_DRP_CLASS, &CmType, Data, &Length, 0) == CR_SUCCESS);
    CHECK(wcscmp((wchar_t *)Data, L"SetupTest") == 0 && Length == 10 * sizeof(wchar_t));
    Length = sizeof(Data);
    CHECK(CM_Get_DevNode_Registry_PropertyW(Info.DevInst, CM_DRP_FRIENDLYNAME, &CmType, Data, &Length, 0) ==
          CR_NO_SUCH_VALUE);
    CHECK(CM_Get_DevNode_Registry_PropertyW(Info.DevInst, 0, &CmType, Data, &Length, 0) == CR_INVALID_PROPERTY);
    CHECK(CM_Get_DevNode_Registry_PropertyW(Info.DevInst, CM_DRP_CLASS, &CmType, Data, &Length, 1) ==
          CR_INVALID_FLAG);
    CHECK(CM_Get_DevNode_Registry_PropertyW(0x7fffffff, CM_DRP_CLASS, &CmType, Data, &Length, 0) ==
          CR_INVALID_DEVNODE);

    /* Bad element data. */
    SP_DEVINFO_DATA Bad = Info;
    Bad.cbSize = 28;
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Bad, SPDRP_DEVICEDESC, &Type, Data, sizeof(Data), NULL));
    CHECK(GetLastError() == ERROR_INVALID_USER_BUFFER);
    Bad = Info;
    Bad.Reserved = 7;
    CHECK(!SetupDiGetDeviceInstanceIdW(Set, &Bad, Id, 200, NULL));
    CHECK(GetLastError() == ERROR_INVALID_PARAMETER);
    Bad.cbSize = 28; /* the 32-bit size */
    CHECK(!SetupDiEnumDeviceInfo(Set, 0, &Bad));
    CHECK(GetLastError() == ERROR_INVALID_USER_BUFFER);
    CHECK(SetupDiDestroyDeviceInfoList(Set));
    CHECK(!SetupDiEnumDeviceInfo(Set, 0, &Info));
    CHECK(GetLastError() == ERROR_INVALID_HANDLE);

    /* Other filters: another class, every class, the enumerator. */
    CHECK(CountDevices(&OtherClass, NULL, DIGCF_PRESENT) == 0);
    CHECK(CountDevices(NULL, NULL, DIGCF_ALLCLASSES) == 1);
    CHECK(CountDevices(&OtherClass, NULL, DIGCF_ALLCLASSES | DIGCF_PRESENT) == 1);
    CHECK(CountDevices(&GUID_DEVCLASS_SETUPTEST, L"root", DIGCF_PRESENT) == 1);
    CHECK(CountDevices(&GUID_DEVCLASS_SETUPTEST, Instance, DIGCF_PRESENT) == 1);
    CHECK(CountDevices(&GUID_DEVCLASS_SETUPTEST, L"PCI", DIGCF_PRESENT) == 0);
    CHECK(CountDevices(&GUID_DEVCLASS_SETUPTEST, L"ROO", DIGCF_PRESENT) == 0);

    /* What the driver read at AddDevice. */
    SETUPTEST_INFO Driver;
    memset(&Driver, 0xcc, sizeof(Driver));
    if (ReadDriverInfo(Instance, &Driver)) {
        CHECK(Driver.ValueStatus == 0 && Driver.Value == 42);
        CHECK(Driver.SoftStatus == 0 && Driver.SoftValue == 0x1234);
        CHECK(Driver.DescriptionStatus == 0 && Utf16Is(Driver.Description, "Setup Test Device"));
        CHECK(Driver.ClassGuidStatus == 0);
        char Guid[40];
        for (int i = 0; i < 39; i++) {
            Guid[i] = (char)Driver.ClassGuid[i];
        }
        Guid[39] = 0;
        CHECK(_stricmp(Guid, "{3C1D9E27-8A4B-4F60-B1D2-7E5A9C0F4B18}") == 0);
    }
    printf("driver read PortName status 0x%08X\n", (unsigned)Driver.PortStatus);
    if (strcmp(HardwareId, "Root\\SETUPTEST") == 0 && wcscmp(Instance, L"ROOT\\SETUPTEST\\0000") == 0) {
        /* setup_program inf: --device-value PortName=REG_SZ:COM7 replaced the INF's COM1. */
        CHECK(Driver.PortStatus == 0 && Utf16Is(Driver.PortName, "COM7"));
    } else {
        CHECK(Driver.PortStatus == 0 && Utf16Is(Driver.PortName, "COM1"));
    }
}

static void CheckNotInstalled(void)
{
    CHECK(CountDevices(&GUID_DEVCLASS_SETUPTEST, NULL, DIGCF_PRESENT) == 0);
    HDEVINFO Set;
    SP_DEVINFO_DATA Info;
    CHECK(OneDevice(NULL, NULL, DIGCF_ALLCLASSES, &Set, &Info));
    if (Set == INVALID_HANDLE_VALUE) {
        return;
    }
    CHECK(memcmp(&Info.ClassGuid, &NullGuid, sizeof(GUID)) == 0);
    DWORD Type = 0, Required = 0;
    BYTE Data[256];
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_DEVICEDESC, &Type, Data, sizeof(Data), NULL));
    CHECK(GetLastError() == ERROR_INVALID_DATA);
    CHECK(!SetupDiGetDeviceRegistryPropertyW(Set, &Info, SPDRP_CLASSGUID, &Type, Data, sizeof(Data), NULL));
    CHECK(GetLastError() == ERROR_INVALID_DATA);
    /* A root device's hardware ID without an INF: root\<device>. */
    CHECK(SetupDiGetDeviceRegistryPropertyA(Set, &Info, SPDRP_HARDWAREID, &Type, Data, sizeof(Data), &Required));
    CHECK(Type == REG_MULTI_SZ && _stricmp((char *)Data, "root\\SETUPTEST") == 0);
    SetupDiDestroyDeviceInfoList(Set);
    SETUPTEST_INFO Driver;
    if (ReadDriverInfo(NULL, &Driver)) {
        CHECK(Driver.ValueStatus == (int)0xC0000034 /* STATUS_OBJECT_NAME_NOT_FOUND */);
        CHECK(Driver.DescriptionStatus == (int)0xC0000034);
    }
}

/* A REG_MULTI_SZ property as "x,y" ("-" when the device lacks it). */
static void FiltersProperty(HDEVINFO Set, SP_DEVINFO_DATA *Info, DWORD Property, char *Out, size_t Size)
{
    char Data[256];
    DWORD Type = 0;
    snprintf(Out, Size, "-");
    if (!SetupDiGetDeviceRegistryPropertyA(Set, Info, Property, &Type, (BYTE *)Data, sizeof(Data) - 1, NULL)) {
        CHECK(GetLastError() == ERROR_INVALID_DATA);
        return;
    }
    CHECK(Type == REG_MULTI_SZ);
    Out[0] = 0;
    for (const char *p = Data; *p != 0; p += strlen(p) + 1) {
        if (Out[0] != 0) {
            strncat(Out, ",", Size - strlen(Out) - 1);
        }
        strncat(Out, p, Size - strlen(Out) - 1);
    }
}

static void CheckStack(const char *Expected, const char *Upper, const char *Lower)
{
    HDEVINFO Set = SetupDiGetClassDevsW(&GUID_DEVINTERFACE_SETUPTEST, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    CHECK(Set != INVALID_HANDLE_VALUE);
    if (Set == INVALID_HANDLE_VALUE) {
        return;
    }
    SP_DEVICE_INTERFACE_DATA Interface;
    Interface.cbSize = sizeof(Interface);
    CHECK(SetupDiEnumDeviceInterfaces(Set, NULL, &GUID_DEVINTERFACE_SETUPTEST, 0, &Interface));
    union {
        SP_DEVICE_INTERFACE_DETAIL_DATA_W Detail;
        char Bytes[1024];
    } Buffer;
    Buffer.Detail.cbSize = 8;
    SP_DEVINFO_DATA Info;
    Info.cbSize = sizeof(Info);
    CHECK(SetupDiGetDeviceInterfaceDetailW(Set, &Interface, &Buffer.Detail, sizeof(Buffer), NULL, &Info));
    char Text[256];
    FiltersProperty(Set, &Info, SPDRP_UPPERFILTERS, Text, sizeof(Text));
    if (strcmp(Text, Upper) != 0) {
        fprintf(stderr, "UpperFilters: '%s', expected '%s'\n", Text, Upper);
        Failures++;
    }
    FiltersProperty(Set, &Info, SPDRP_LOWERFILTERS, Text, sizeof(Text));
    if (strcmp(Text, Lower) != 0) {
        fprintf(stderr, "LowerFilters: '%s', expected '%s'\n", Text, Lower);
        Failures++;
    }
    SetupDiDestroyDeviceInfoList(Set);

    HANDLE File = CreateFileW(Buffer.Detail.DevicePath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(File != INVALID_HANDLE_VALUE);
    if (File == INVALID_HANDLE_VALUE) {
        return;
    }
    char Stack[SETUPTEST_STACK_SIZE];
    memset(Stack, 0, sizeof(Stack));
    DWORD Bytes = 0;
    CHECK(DeviceIoControl(File, IOCTL_SETUPTEST_STACK, Stack, sizeof(Stack), Stack, sizeof(Stack), &Bytes, NULL));
    Stack[sizeof(Stack) - 1] = 0;
    if (strcmp(Stack, Expected) != 0) {
        fprintf(stderr, "the stack: '%s', expected '%s'\n", Stack, Expected);
        Failures++;
    }
    /* Other requests pass through the filters to the function driver and back. */
    SETUPTEST_INFO Driver;
    CHECK(DeviceIoControl(File, IOCTL_SETUPTEST_GET_INFO, NULL, 0, &Driver, sizeof(Driver), &Bytes, NULL));
    CHECK(Bytes == sizeof(Driver));
    CloseHandle(File);
}

int main(int argc, char **argv)
{
    const char *Mode = argc > 1 ? argv[1] : "";
    if (strcmp(Mode, "inf") == 0) {
        CheckInstalled(L"ROOT\\SETUPTEST\\0000", "ROOT\\SETUPTEST\\0000", "Root\\SETUPTEST");
    } else if (strcmp(Mode, "by-service") == 0) {
        CheckInstalled(L"ROOT\\NOMATCH\\0000", "ROOT\\NOMATCH\\0000", "Root\\SETUPTEST");
    } else if (strcmp(Mode, "stack") == 0 && argc == 5) {
        CheckStack(argv[2], argv[3], argv[4]);
    } else if (strcmp(Mode, "no-inf") == 0) {
        CheckNotInstalled();
    } else {
        fprintf(stderr, "usage: setup_program inf|by-service|no-inf|stack STACK UPPER LOWER\n");
        return 2;
    }
    if (Failures != 0) {
        fprintf(stderr, "%d checks failed\n", Failures);
        return 1;
    }
    printf("setup_program %s: every check holds\n", Mode);
    return 0;
}
