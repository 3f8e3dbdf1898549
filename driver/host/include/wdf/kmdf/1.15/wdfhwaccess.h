/*
 * wdfhwaccess.h - part of the KMDF 1.15 header set (WDK wdfhwaccess.h). KMDF 1.15 declares nothing in
 * it; it exists so that a driver (or wdf.h) that includes it compiles.
 */
#ifndef _WDFHWACCESS_H_
#define _WDFHWACCESS_H_

#include <wdftypes.h>

#endif /* _WDFHWACCESS_H_ */
