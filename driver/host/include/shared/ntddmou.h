/*
 * ntddmou.h - the mouse device interface (WDK ntddmou.h) for the user-mode KMDF host:
 * the mouse class's IOCTLs and the structures they carry. Names, values and layouts
 * follow https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddmou/
 *
 * Drivers and applications both include it: it relies on
 * its includer for the basic types and CTL_CODE (ntddk.h or wdm.h in a driver, windows.h
 * and winioctl.h in an application), as Microsoft's does.
 */

#include <guiddef.h>

/* The GUIDs: declared by a first inclusion, defined by one with INITGUID (initguid.h);
   an inclusion that has nothing new to give leaves them alone. */
#ifndef KH_NTDDMOU_GUIDS_DECLARED
#define KH_NTDDMOU_GUIDS_DECLARED
#define KH_NTDDMOU_GUIDS_EMIT
#elif defined(INITGUID) && !defined(KH_NTDDMOU_GUIDS_DEFINED)
#define KH_NTDDMOU_GUIDS_EMIT
#endif
#ifdef KH_NTDDMOU_GUIDS_EMIT
#undef KH_NTDDMOU_GUIDS_EMIT
#ifdef INITGUID
#define KH_NTDDMOU_GUIDS_DEFINED
#endif
/* The mouse device interface class. */
DEFINE_GUID(GUID_DEVINTERFACE_MOUSE, 0x378de44cL, 0x56ef, 0x11d1, 0xbc, 0x8c, 0x00, 0xa0, 0xc9, 0x14, 0x05, 0xdd);
#define GUID_CLASS_MOUSE GUID_DEVINTERFACE_MOUSE

#endif /* KH_NTDDMOU_GUIDS_EMIT */

#ifndef _NTDDMOU_
#define _NTDDMOU_


#define DD_MOUSE_DEVICE_NAME "\\Device\\PointerClass"
#define DD_MOUSE_DEVICE_NAME_U L"\\Device\\PointerClass"

#define IOCTL_MOUSE_QUERY_ATTRIBUTES CTL_CODE(FILE_DEVICE_MOUSE, 0, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_MOUSE_INSERT_DATA CTL_CODE(FILE_DEVICE_MOUSE, 1, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* One mouse report as the port driver passes it to the class driver. */
typedef struct _MOUSE_INPUT_DATA {
    USHORT UnitId;
    USHORT Flags;
    union {
        ULONG Buttons;
        struct {
            USHORT ButtonFlags;
            USHORT ButtonData;
        };
    };
    ULONG RawButtons;
    LONG LastX;
    LONG LastY;
    ULONG ExtraInformation;
} MOUSE_INPUT_DATA, *PMOUSE_INPUT_DATA;

/* MOUSE_INPUT_DATA.ButtonFlags. */
#define MOUSE_LEFT_BUTTON_DOWN 0x0001
#define MOUSE_LEFT_BUTTON_UP 0x0002
#define MOUSE_RIGHT_BUTTON_DOWN 0x0004
#define MOUSE_RIGHT_BUTTON_UP 0x0008
#define MOUSE_MIDDLE_BUTTON_DOWN 0x0010
#define MOUSE_MIDDLE_BUTTON_UP 0x0020
#define MOUSE_BUTTON_1_DOWN MOUSE_LEFT_BUTTON_DOWN
#define MOUSE_BUTTON_1_UP MOUSE_LEFT_BUTTON_UP
#define MOUSE_BUTTON_2_DOWN MOUSE_RIGHT_BUTTON_DOWN
#define MOUSE_BUTTON_2_UP MOUSE_RIGHT_BUTTON_UP
#define MOUSE_BUTTON_3_DOWN MOUSE_MIDDLE_BUTTON_DOWN
#define MOUSE_BUTTON_3_UP MOUSE_MIDDLE_BUTTON_UP
#define MOUSE_BUTTON_4_DOWN 0x0040
#define MOUSE_BUTTON_4_UP 0x0080
#define MOUSE_BUTTON_5_DOWN 0x0100
#define MOUSE_BUTTON_5_UP 0x0200
#define MOUSE_WHEEL 0x0400
#define MOUSE_HWHEEL 0x0800

/* MOUSE_INPUT_DATA.Flags. */
#define MOUSE_MOVE_RELATIVE 0
#define MOUSE_MOVE_ABSOLUTE 1
#define MOUSE_VIRTUAL_DESKTOP 0x02
#define MOUSE_ATTRIBUTES_CHANGED 0x04
#define MOUSE_MOVE_NOCOALESCE 0x08
#define MOUSE_TERMSRV_SRC_SHADOW 0x100

/* IOCTL_MOUSE_QUERY_ATTRIBUTES's output. */
typedef struct _MOUSE_ATTRIBUTES {
    USHORT MouseIdentifier;
    USHORT NumberOfButtons;
    USHORT SampleRate;
    ULONG InputDataQueueLength;
} MOUSE_ATTRIBUTES, *PMOUSE_ATTRIBUTES;

/* MOUSE_ATTRIBUTES.MouseIdentifier. */
#define MOUSE_INPORT_HARDWARE 0x0001
#define MOUSE_I8042_HARDWARE 0x0002
#define MOUSE_SERIAL_HARDWARE 0x0004
#define BALLPOINT_I8042_HARDWARE 0x0008
#define BALLPOINT_SERIAL_HARDWARE 0x0010
#define WHEELMOUSE_I8042_HARDWARE 0x0020
#define WHEELMOUSE_SERIAL_HARDWARE 0x0040
#define MOUSE_HID_HARDWARE 0x0080
#define WHEELMOUSE_HID_HARDWARE 0x0100
#define HORIZONTAL_WHEEL_PRESENT 0x8000

typedef struct _MOUSE_UNIT_ID_PARAMETER {
    USHORT UnitId;
} MOUSE_UNIT_ID_PARAMETER, *PMOUSE_UNIT_ID_PARAMETER;

/* Error log values of the mouse drivers start here. */
#define MOUSE_ERROR_VALUE_BASE 20000

#endif /* _NTDDMOU_ */
