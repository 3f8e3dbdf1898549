/*
 * usb.h - the USB driver interface's basic types (WDK usb.h): USBD status codes, pipe
 * and configuration handles, pipe types and the URB. The host has no USB stack: the URB
 * is opaque here, and the WDF USB functions are not implemented (a call is reported as
 * UNIMPLEMENTED_DDI).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/usb/
 */
#ifndef __USB_H__
#define __USB_H__

#include <ntdef.h>
#include <usbspec.h>

typedef LONG USBD_STATUS;

#define USBD_SUCCESS(Status) ((USBD_STATUS)(Status) >= 0)
#define USBD_PENDING(Status) ((ULONG)(Status) >> 30 == 1)
#define USBD_ERROR(Status) ((USBD_STATUS)(Status) < 0)

#define USBD_STATUS_SUCCESS ((USBD_STATUS)0x00000000L)
#define USBD_STATUS_PENDING ((USBD_STATUS)0x40000000L)
#define USBD_STATUS_CANCELED ((USBD_STATUS)0xC0010000L)

typedef PVOID USBD_PIPE_HANDLE;
typedef PVOID USBD_CONFIGURATION_HANDLE;
typedef PVOID USBD_INTERFACE_HANDLE;

typedef enum _USBD_PIPE_TYPE {
    UsbdPipeTypeControl,
    UsbdPipeTypeIsochronous,
    UsbdPipeTypeBulk,
    UsbdPipeTypeInterrupt
} USBD_PIPE_TYPE;

typedef struct _USBD_VERSION_INFORMATION {
    ULONG USBDI_Version;
    ULONG Supported_USB_Version;
} USBD_VERSION_INFORMATION, *PUSBD_VERSION_INFORMATION;

/* A USB request block: opaque in the host. */
typedef struct _URB URB, *PURB;

#endif /* __USB_H__ */
