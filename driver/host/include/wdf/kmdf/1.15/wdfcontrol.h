/*
 * wdfcontrol.h - control device objects: devices that are not part of a PnP stack (WDK wdfcontrol.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFCONTROL_H_
#define _WDFCONTROL_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef VOID EVT_WDF_DEVICE_SHUTDOWN_NOTIFICATION(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SHUTDOWN_NOTIFICATION *PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION;

typedef enum _WDF_DEVICE_SHUTDOWN_FLAGS {
    WdfDeviceShutdown = 0x01,
    WdfDeviceLastChanceShutdown = 0x02,
} WDF_DEVICE_SHUTDOWN_FLAGS;

WDFAPI PWDFDEVICE_INIT WdfControlDeviceInitAllocate(WDFDRIVER Driver, CONST UNICODE_STRING* SDDLString);
WDFAPI VOID WdfControlDeviceInitSetShutdownNotification(PWDFDEVICE_INIT DeviceInit, PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION Notification, UCHAR Flags);
WDFAPI VOID WdfControlFinishInitializing(WDFDEVICE Device);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef PWDFDEVICE_INIT (*PFN_WDFCONTROLDEVICEINITALLOCATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver, CONST UNICODE_STRING* SDDLString);
typedef VOID (*PFN_WDFCONTROLDEVICEINITSETSHUTDOWNNOTIFICATION)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION Notification, UCHAR Flags);
typedef VOID (*PFN_WDFCONTROLFINISHINITIALIZING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);

WDF_EXTERN_C_END

#endif /* _WDFCONTROL_H_ */
