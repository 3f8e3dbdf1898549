/*
 * wdkheaders.c - compile-time checks of the device-class headers the host provides
 * (kbdmou.h, ntddkbd.h, ntddmou.h, ntdd8042.h, ntddser.h, poclass.h, batclass.h,
 * devguid.h and the boot-driver and power-limit parts of ntddk.h and wdm.h): the sizes
 * and offsets of documented structures on x64 and the values of IOCTL codes, written
 * out as numbers rather than computed by CTL_CODE, so that a wrong header fails the
 * build. WdkHeadersCheckGuids compares GUIDs with their documented string forms at run
 * time (cbdriver.c exports it to the test).
 */
#include <ntddk.h>
#include <initguid.h>
#include <devguid.h>
#include <wdmguid.h>
#include <kbdmou.h>
#include <ntdd8042.h>
#include <ntddser.h>
#include <batclass.h>
#include <ntstrsafe.h>

#include <stddef.h>

#define SIZE(type, size) _Static_assert(sizeof(type) == (size), "sizeof(" #type ")")
#define AT(type, field, offset) _Static_assert(offsetof(type, field) == (offset), #type "." #field)
#define CODE(name, value) _Static_assert((name) == (value), #name)

/* Keyboard and mouse (ntddkbd.h, ntddmou.h, kbdmou.h, ntdd8042.h). */
CODE(IOCTL_KEYBOARD_QUERY_ATTRIBUTES, 0x000B0000);
CODE(IOCTL_KEYBOARD_SET_TYPEMATIC, 0x000B0004);
CODE(IOCTL_KEYBOARD_SET_INDICATORS, 0x000B0008);
CODE(IOCTL_KEYBOARD_QUERY_TYPEMATIC, 0x000B0020);
CODE(IOCTL_KEYBOARD_QUERY_INDICATORS, 0x000B0040);
CODE(IOCTL_KEYBOARD_QUERY_INDICATOR_TRANSLATION, 0x000B0080);
CODE(IOCTL_MOUSE_QUERY_ATTRIBUTES, 0x000F0000);
CODE(IOCTL_INTERNAL_KEYBOARD_CONNECT, 0x000B0203);
CODE(IOCTL_INTERNAL_KEYBOARD_DISCONNECT, 0x000B0403);
CODE(IOCTL_INTERNAL_MOUSE_CONNECT, 0x000F0203);
CODE(IOCTL_INTERNAL_MOUSE_DISCONNECT, 0x000F0403);
CODE(IOCTL_INTERNAL_I8042_HOOK_KEYBOARD, 0x000B3FC3);
CODE(IOCTL_INTERNAL_I8042_HOOK_MOUSE, 0x000F3FC3);
CODE(IOCTL_INTERNAL_I8042_KEYBOARD_WRITE_BUFFER, 0x000B3FC7);
CODE(I8042ReservedMinimum, 1000);
CODE(ExpectingGetDeviceIdDetectValue, 35);
SIZE(KEYBOARD_INPUT_DATA, 12);
AT(KEYBOARD_INPUT_DATA, Flags, 4);
AT(KEYBOARD_INPUT_DATA, ExtraInformation, 8);
SIZE(KEYBOARD_ATTRIBUTES, 28);
AT(KEYBOARD_ATTRIBUTES, InputDataQueueLength, 12);
AT(KEYBOARD_ATTRIBUTES, KeyRepeatMinimum, 16);
AT(KEYBOARD_ATTRIBUTES, KeyRepeatMaximum, 22);
SIZE(KEYBOARD_INDICATOR_PARAMETERS, 4);
SIZE(KEYBOARD_TYPEMATIC_PARAMETERS, 6);
SIZE(MOUSE_INPUT_DATA, 24);
AT(MOUSE_INPUT_DATA, ButtonFlags, 4);
AT(MOUSE_INPUT_DATA, ButtonData, 6);
AT(MOUSE_INPUT_DATA, RawButtons, 8);
AT(MOUSE_INPUT_DATA, LastX, 12);
AT(MOUSE_INPUT_DATA, ExtraInformation, 20);
SIZE(MOUSE_ATTRIBUTES, 12);
SIZE(CONNECT_DATA, 16);
SIZE(OUTPUT_PACKET, 24);
SIZE(INTERNAL_I8042_HOOK_KEYBOARD, 48);
AT(INTERNAL_I8042_HOOK_KEYBOARD, QueueKeyboardPacket, 32);
SIZE(INTERNAL_I8042_HOOK_MOUSE, 40);

/* Serial (ntddser.h). */
CODE(IOCTL_SERIAL_SET_BAUD_RATE, 0x001B0004);
CODE(IOCTL_SERIAL_SET_TIMEOUTS, 0x001B001C);
CODE(IOCTL_SERIAL_GET_WAIT_MASK, 0x001B0040);
CODE(IOCTL_SERIAL_SET_WAIT_MASK, 0x001B0044);
CODE(IOCTL_SERIAL_WAIT_ON_MASK, 0x001B0048);
CODE(IOCTL_SERIAL_PURGE, 0x001B004C);
CODE(IOCTL_SERIAL_GET_MODEMSTATUS, 0x001B0068);
CODE(IOCTL_SERIAL_GET_COMMSTATUS, 0x001B006C);
CODE(IOCTL_SERIAL_GET_PROPERTIES, 0x001B0074);
CODE(IOCTL_SERIAL_SET_FIFO_CONTROL, 0x001B009C);
SIZE(SERIAL_LINE_CONTROL, 3);
SIZE(SERIAL_TIMEOUTS, 20);
SIZE(SERIAL_CHARS, 6);
SIZE(SERIAL_HANDFLOW, 16);
SIZE(SERIAL_STATUS, 20);
AT(SERIAL_STATUS, EofReceived, 16);
SIZE(SERIAL_COMMPROP, 64);
AT(SERIAL_COMMPROP, SettableData, 40);
AT(SERIAL_COMMPROP, ProvChar, 60);
SIZE(SERIALPERF_STATS, 24);
SIZE(SERIAL_BASIC_SETTINGS, 44);

/* Battery, thermal, power limit (poclass.h, batclass.h, wdm.h). */
CODE(IOCTL_BATTERY_QUERY_TAG, 0x00294040);
CODE(IOCTL_BATTERY_QUERY_INFORMATION, 0x00294044);
CODE(IOCTL_BATTERY_SET_INFORMATION, 0x00298048);
CODE(IOCTL_BATTERY_QUERY_STATUS, 0x0029404C);
CODE(IOCTL_THERMAL_QUERY_INFORMATION, 0x00294080);
CODE(IOCTL_THERMAL_SET_COOLING_POLICY, 0x00298084);
CODE(IOCTL_THERMAL_READ_TEMPERATURE, 0x00294090);
CODE(IOCTL_GET_SYS_BUTTON_CAPS, 0x00294140);
SIZE(BATTERY_QUERY_INFORMATION, 12);
SIZE(BATTERY_INFORMATION, 36);
AT(BATTERY_INFORMATION, Chemistry, 8);
AT(BATTERY_INFORMATION, CycleCount, 32);
SIZE(BATTERY_STATUS, 16);
SIZE(BATTERY_WAIT_STATUS, 20);
SIZE(BATTERY_MANUFACTURE_DATE, 4);
SIZE(BATTERY_REPORTING_SCALE, 8);
SIZE(BATTERY_NOTIFY, 12);
SIZE(BATTERY_MINIPORT_INFO, 80);
SIZE(BATTERY_MINIPORT_INFO_V1_1, 88);
AT(BATTERY_MINIPORT_INFO_V1_1, Pdo, 64);
AT(BATTERY_MINIPORT_INFO_V1_1, Fdo, 80);
SIZE(BATTERY_WMI_STATUS, 24);
SIZE(THERMAL_INFORMATION, 88);
AT(THERMAL_INFORMATION, Processors, 16);
AT(THERMAL_INFORMATION, ActiveTripPointCount, 40);
AT(THERMAL_INFORMATION, ActiveTripPoint, 44);
SIZE(THERMAL_WAIT_READ, 12);
SIZE(THERMAL_POLICY, 24);
SIZE(THERMAL_COOLING_INTERFACE, 56);
AT(THERMAL_COOLING_INTERFACE, Flags, 32);
SIZE(POWER_LIMIT_INTERFACE, 64);
AT(POWER_LIMIT_INTERFACE, DomainCount, 32);
SIZE(POWER_LIMIT_ATTRIBUTES, 36);
SIZE(POWER_LIMIT_VALUE, 16);
SIZE(COUNTED_REASON_CONTEXT, 40);
AT(COUNTED_REASON_CONTEXT, SimpleString, 8);
AT(COUNTED_REASON_CONTEXT, StringCount, 28);

/* Boot-start driver callbacks (ntddk.h). */
SIZE(BDCB_IMAGE_INFORMATION, 104);
AT(BDCB_IMAGE_INFORMATION, ImageName, 8);
AT(BDCB_IMAGE_INFORMATION, ImageHash, 72);
AT(BDCB_IMAGE_INFORMATION, CertificateThumbprintLength, 100);
CODE(BdCbInitializeImage, 1);
CODE(BdCbStatusPrepareForUnload, 2);
CODE(BdCbClassificationKnownBadImageBootCritical, 3);

/* GUIDs against their documented string forms. */
static const struct {
    const GUID *Guid;
    const char *Text;
} g_Guids[] = {
    {&GUID_DEVINTERFACE_KEYBOARD, "{884b96c3-56ef-11d1-bc8c-00a0c91405dd}"},
    {&GUID_DEVINTERFACE_MOUSE, "{378de44c-56ef-11d1-bc8c-00a0c91405dd}"},
    {&GUID_DEVINTERFACE_COMPORT, "{86e0d1e0-8089-11d0-9ce4-08003e301f73}"},
    {&GUID_DEVICE_BATTERY, "{72631e54-78a4-11d0-bcf7-00aa00b7b32a}"},
    {&GUID_DEVICE_THERMAL_ZONE, "{4afa3d51-74a7-11d0-be5e-00a0c9062857}"},
    {&GUID_DEVINTERFACE_THERMAL_COOLING, "{dbe4373d-3c81-40cb-ace4-e0e5d05f0c9f}"},
    {&GUID_DEVINTERFACE_POWER_LIMIT, "{8f366301-091e-4056-b92f-958b27625fce}"},
    {&GUID_THERMAL_COOLING_INTERFACE, "{ecbe47a8-c498-4bb9-bd70-e867e0940d22}"},
    {&GUID_POWER_LIMIT_INTERFACE, "{3b96f4f2-ce49-44d1-91f8-652b8121e93a}"},
    {&BATTERY_STATUS_WMI_GUID, "{fc4670d1-ebbf-416e-87ce-374a4ebc111a}"},
    {&GUID_DEVCLASS_KEYBOARD, "{4d36e96b-e325-11ce-bfc1-08002be10318}"},
    {&GUID_DEVCLASS_MOUSE, "{4d36e96f-e325-11ce-bfc1-08002be10318}"},
    {&GUID_DEVCLASS_BATTERY, "{72631e54-78a4-11d0-bcf7-00aa00b7b32a}"},
};

ULONG WdkHeadersCheckGuids(char *Message, size_t Size)
{
    ULONG failures = 0;
    for (size_t i = 0; i < sizeof(g_Guids) / sizeof(g_Guids[0]); i++) {
        const GUID *g = g_Guids[i].Guid;
        char text[40];
        RtlStringCbPrintfA(text, sizeof text, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
                           (unsigned)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2],
                           g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
        size_t n = 0;
        while (text[n] != '\0' && text[n] == g_Guids[i].Text[n]) {
            n++;
        }
        if (text[n] != g_Guids[i].Text[n]) {
            if (failures++ == 0) {
                RtlStringCbPrintfA(Message, Size, "GUID %zu is %s, documented %s", i, text, g_Guids[i].Text);
            }
        }
    }
    return failures;
}
