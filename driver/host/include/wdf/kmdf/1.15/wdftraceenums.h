/*
 * wdftraceenums.h - part of the KMDF 1.15 header set (WDK wdftraceenums.h). KMDF 1.15 declares nothing in
 * it; it exists so that a driver (or wdf.h) that includes it compiles.
 */
#ifndef _WDFTRACEENUMS_H_
#define _WDFTRACEENUMS_H_

#include <wdftypes.h>

#endif /* _WDFTRACEENUMS_H_ */
