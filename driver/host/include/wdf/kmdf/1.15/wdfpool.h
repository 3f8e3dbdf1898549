/*
 * wdfpool.h - part of the KMDF 1.15 header set (WDK wdfpool.h). KMDF 1.15 declares nothing in
 * it; it exists so that a driver (or wdf.h) that includes it compiles.
 */
#ifndef _WDFPOOL_H_
#define _WDFPOOL_H_

#include <wdftypes.h>

#endif /* _WDFPOOL_H_ */
