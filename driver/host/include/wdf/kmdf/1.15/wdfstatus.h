/*
 * wdfstatus.h - the framework's own NTSTATUS values (WDK wdfstatus.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFSTATUS_H_
#define _WDFSTATUS_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

#define STATUS_SEVERITY_WARNING 0x2

#define STATUS_SEVERITY_SUCCESS 0x0

#define STATUS_SEVERITY_INFORMATIONAL 0x1

#define STATUS_SEVERITY_ERROR 0x3

#define STATUS_WDF_DEVICE_REMOVED_NOT_SENT ((NTSTATUS)0xC0200206L)

WDF_EXTERN_C_END

#endif /* _WDFSTATUS_H_ */
