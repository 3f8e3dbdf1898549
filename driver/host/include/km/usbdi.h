/* usbdi.h - the USB driver interface (WDK usbdi.h): what usb.h declares. */
#ifndef __USBDI_H__
#define __USBDI_H__

#include <usb.h>

#endif /* __USBDI_H__ */
