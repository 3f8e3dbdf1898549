/*
 * usbdlib.h - the USBD library's declarations (WDK usbdlib.h). The host has no USB
 * stack and implements none of its routines; the types come from usbdi.h.
 */
#ifndef __USBDLIB_H__
#define __USBDLIB_H__

#include <usbdi.h>

#endif /* __USBDLIB_H__ */
