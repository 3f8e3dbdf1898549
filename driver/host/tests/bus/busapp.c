/*
 * busapp.c - a Win32 program run by scripts/host-run with the bus tests' bus driver
 * (khbus) and, through --child-driver, its children's function driver (khchild):
 *
 *   host-run --driver khbus.so --child-driver 'KhBus\StaticToy=khchild.so' -- busapp
 *
 * The bus's static child is started before main: the program finds its function
 * driver's interface with SetupDi, asks it who it is (the request goes down to the
 * PDO), plugs in a child, sends WCHAR text in an IOCTL that the bus driver checks byte
 * for byte (the program's WCHAR is 16 bits, as on Windows, and so is the driver's), and
 * exits at once, leaving the host to remove the bus with whatever its children are
 * doing. Exit 0 when all went as expected.
 */
#include <windows.h>
#include <initguid.h>
#include <setupapi.h>

#include <stdio.h>

#include "bus.h"

DEFINE_GUID(GUID_KHBUS_INTERFACE, 0x1b6c9f0e, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
DEFINE_GUID(GUID_KHCHILD_INTERFACE, 0x1b6c9f10, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);

/* Opens the only interface of a class (fails when there is none or more than one). */
static HANDLE OpenOnly(const GUID *Guid, const char *What)
{
    HDEVINFO set = SetupDiGetClassDevsW(Guid, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (set == INVALID_HANDLE_VALUE) {
        printf("SetupDiGetClassDevs(%s) failed: %lu\n", What, GetLastError());
        return INVALID_HANDLE_VALUE;
    }
    SP_DEVICE_INTERFACE_DATA data;
    data.cbSize = sizeof(data);
    HANDLE file = INVALID_HANDLE_VALUE;
    if (!SetupDiEnumDeviceInterfaces(set, NULL, Guid, 0, &data)) {
        printf("no %s interface: %lu\n", What, GetLastError());
    } else if (SetupDiEnumDeviceInterfaces(set, NULL, Guid, 1, &data)) {
        printf("more than one %s interface\n", What);
    } else {
        data.cbSize = sizeof(data);
        SetupDiEnumDeviceInterfaces(set, NULL, Guid, 0, &data);
        char buffer[1024];
        PSP_DEVICE_INTERFACE_DETAIL_DATA_W detail = (PSP_DEVICE_INTERFACE_DETAIL_DATA_W)buffer;
        detail->cbSize = sizeof(*detail);
        if (!SetupDiGetDeviceInterfaceDetailW(set, &data, detail, sizeof(buffer), NULL, NULL)) {
            printf("SetupDiGetDeviceInterfaceDetail(%s) failed: %lu\n", What, GetLastError());
        } else {
            file = CreateFileW(detail->DevicePath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
            if (file == INVALID_HANDLE_VALUE) {
                printf("CreateFile(%s) failed: %lu\n", What, GetLastError());
            }
        }
    }
    SetupDiDestroyDeviceInfoList(set);
    return file;
}

int main(void)
{
    HANDLE child = OpenOnly(&GUID_KHCHILD_INTERFACE, "child");
    if (child == INVALID_HANDLE_VALUE) {
        return 1;
    }
    ULONG who = 0;
    DWORD bytes = 0;
    if (!DeviceIoControl(child, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof(who), &bytes, NULL) ||
        bytes != sizeof(who) || who != KHBUS_STATIC_SERIAL) {
        printf("IOCTL_KHCHILD_WHO: error %lu, %lu bytes, serial %lu (expected %u)\n", GetLastError(), bytes, who,
               KHBUS_STATIC_SERIAL);
        return 1;
    }
    CloseHandle(child);
    HANDLE bus = OpenOnly(&GUID_KHBUS_INTERFACE, "bus");
    if (bus == INVALID_HANDLE_VALUE) {
        return 1;
    }
    ULONG serial = 3;
    if (!DeviceIoControl(bus, IOCTL_KHBUS_PLUG, &serial, sizeof(serial), NULL, 0, &bytes, NULL)) {
        printf("IOCTL_KHBUS_PLUG failed: %lu\n", GetLastError());
        return 1;
    }
    /* WCHAR text in an IOCTL buffer, as a Windows program sends it (the toaster's enum
       sends a hardware ID so): the driver, whose WCHAR is 16 bits, checks the bytes. The
       literal, and the same text put together at run time. */
    ULONG units = 0;
    if (!DeviceIoControl(bus, IOCTL_KHBUS_TEXT, (PVOID)KHBUS_TEXT, sizeof(KHBUS_TEXT), &units, sizeof(units), &bytes,
                         NULL) ||
        units != KHBUS_TEXT_WCHARS) {
        printf("IOCTL_KHBUS_TEXT (literal): error %lu, the driver read %lu WCHARs (expected %u)\n", GetLastError(),
               units, KHBUS_TEXT_WCHARS);
        return 1;
    }
    WCHAR text[32];
    swprintf(text, ARRAYSIZE(text), L"%s\\%s-%c%s", L"KhBus", L"Text", L'\u00e9', L"\U0001F600");
    units = 0;
    if (!DeviceIoControl(bus, IOCTL_KHBUS_TEXT, text, (DWORD)((wcslen(text) + 1) * sizeof(WCHAR)), &units,
                         sizeof(units), &bytes, NULL) ||
        units != KHBUS_TEXT_WCHARS) {
        printf("IOCTL_KHBUS_TEXT (swprintf): error %lu, the driver read %lu WCHARs (expected %u)\n", GetLastError(),
               units, KHBUS_TEXT_WCHARS);
        return 1;
    }
    /* The handle stays open: the host closes it at exit, then removes the bus. */
    printf("static child %lu answered; child %lu plugged in; the bus read %lu WCHARs of text: %ws\n", who, serial,
           units, text);
    return 0;
}
