/*
 * kbdmou.h - what the keyboard and mouse class drivers and the port drivers below them
 * share (WDK kbdmou.h), for the user-mode KMDF host: the internal connect and
 * disconnect IOCTLs, CONNECT_DATA and the class service callback. Names, values and
 * layouts follow Microsoft's documentation:
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/kbdmou/
 */
#ifndef _KBDMOU_
#define _KBDMOU_

#include <wdm.h>
#include <ntddkbd.h>
#include <ntddmou.h>

/* Device and resource names of the port and class drivers. */
#define DD_KEYBOARD_PORT_DEVICE_NAME "\\Device\\KeyboardPort"
#define DD_KEYBOARD_PORT_DEVICE_NAME_U L"\\Device\\KeyboardPort"
#define DD_KEYBOARD_PORT_BASE_NAME_U L"KeyboardPort"
#define DD_POINTER_PORT_DEVICE_NAME "\\Device\\PointerPort"
#define DD_POINTER_PORT_DEVICE_NAME_U L"\\Device\\PointerPort"
#define DD_POINTER_PORT_BASE_NAME_U L"PointerPort"
#define DD_KEYBOARD_CLASS_BASE_NAME_U L"KeyboardClass"
#define DD_POINTER_CLASS_BASE_NAME_U L"PointerClass"
#define DD_KEYBOARD_RESOURCE_CLASS_NAME_U L"Keyboard"
#define DD_POINTER_RESOURCE_CLASS_NAME_U L"Pointer"
#define DD_KEYBOARD_MOUSE_COMBO_RESOURCE_CLASS_NAME_U L"Keyboard/Pointer"

#define POINTER_PORTS_MAXIMUM 8
#define KEYBOARD_PORTS_MAXIMUM 8

/* Error log detail values. */
#define KBDMOU_COULD_NOT_SEND_COMMAND 0x0000
#define KBDMOU_COULD_NOT_SEND_PARAM 0x0001
#define KBDMOU_NO_RESPONSE 0x0002
#define KBDMOU_INCORRECT_RESPONSE 0x0004

#define I8042_ERROR_VALUE_BASE 1000
#define INPORT_ERROR_VALUE_BASE 2000
#define SERIAL_MOUSE_ERROR_VALUE_BASE 3000

/* Internal device control requests from a class driver to the port driver below it. */
#define IOCTL_INTERNAL_KEYBOARD_CONNECT CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0080, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_KEYBOARD_DISCONNECT CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0100, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_KEYBOARD_ENABLE CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0200, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_KEYBOARD_DISABLE CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0400, METHOD_NEITHER, FILE_ANY_ACCESS)

#define IOCTL_INTERNAL_MOUSE_CONNECT CTL_CODE(FILE_DEVICE_MOUSE, 0x0080, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_MOUSE_DISCONNECT CTL_CODE(FILE_DEVICE_MOUSE, 0x0100, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_MOUSE_ENABLE CTL_CODE(FILE_DEVICE_MOUSE, 0x0200, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_MOUSE_DISABLE CTL_CODE(FILE_DEVICE_MOUSE, 0x0400, METHOD_NEITHER, FILE_ANY_ACCESS)

/* The class driver's device object and its service callback, which the port driver
   calls to hand over input (IOCTL_INTERNAL_*_CONNECT's input). */
typedef struct _CONNECT_DATA {
    PDEVICE_OBJECT ClassDeviceObject;
    PVOID ClassService;
} CONNECT_DATA, *PCONNECT_DATA;

/* The class service callback: SystemArgument1 and 2 are the first and one past the last
   input packet, SystemArgument3 a PULONG that receives how many were consumed. */
typedef VOID (*PSERVICE_CALLBACK_ROUTINE)(_In_ PVOID NormalContext, _In_ PVOID SystemArgument1,
                                          _In_ PVOID SystemArgument2, _Inout_ PVOID SystemArgument3);

#endif /* _KBDMOU_ */
