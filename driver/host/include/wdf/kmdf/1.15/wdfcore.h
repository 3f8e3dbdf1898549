/*
 * wdfcore.h - the framework's time-out conversions and pointer arithmetic helpers
 * (WDK wdfcore.h: WDF_REL_TIMEOUT_IN_SEC/MS/US, WDF_ABS_TIMEOUT_IN_*, WDF_PTR_ADD_OFFSET,
 * WDF_PTR_GET_OFFSET). The host declares them in wdftypes.h, which this includes.
 */
#ifndef _WDFCORE_H_
#define _WDFCORE_H_

#include <wdftypes.h>

#endif /* _WDFCORE_H_ */
