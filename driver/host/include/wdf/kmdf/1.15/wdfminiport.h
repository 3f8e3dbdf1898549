/*
 * wdfminiport.h - miniport drivers: a framework driver object for a driver that a port driver owns (WDK wdfminiport.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFMINIPORT_H_
#define _WDFMINIPORT_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

WDFAPI NTSTATUS WdfDeviceMiniportCreate(WDFDRIVER Driver, PWDF_OBJECT_ATTRIBUTES Attributes, PDEVICE_OBJECT DeviceObject, PDEVICE_OBJECT AttachedDeviceObject, PDEVICE_OBJECT Pdo, WDFDEVICE* Device);
WDFAPI VOID WdfDriverMiniportUnload(WDFDRIVER Driver);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFDEVICEMINIPORTCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver, PWDF_OBJECT_ATTRIBUTES Attributes, PDEVICE_OBJECT DeviceObject, PDEVICE_OBJECT AttachedDeviceObject, PDEVICE_OBJECT Pdo, WDFDEVICE* Device);
typedef VOID (*PFN_WDFDRIVERMINIPORTUNLOAD)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDRIVER Driver);

WDF_EXTERN_C_END

#endif /* _WDFMINIPORT_H_ */
