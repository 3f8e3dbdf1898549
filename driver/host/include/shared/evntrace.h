/*
 * evntrace.h - event tracing levels (SDK/WDK evntrace.h), as WPP-traced drivers use
 * them in their trace calls.
 * https://learn.microsoft.com/windows/win32/api/evntrace/ns-evntrace-enable_trace_parameters
 */
#ifndef _EVNTRACE_
#define _EVNTRACE_

#define TRACE_LEVEL_NONE 0
#define TRACE_LEVEL_CRITICAL 1
#define TRACE_LEVEL_FATAL 1
#define TRACE_LEVEL_ERROR 2
#define TRACE_LEVEL_WARNING 3
#define TRACE_LEVEL_INFORMATION 4
#define TRACE_LEVEL_VERBOSE 5
#define TRACE_LEVEL_RESERVED6 6
#define TRACE_LEVEL_RESERVED7 7
#define TRACE_LEVEL_RESERVED8 8
#define TRACE_LEVEL_RESERVED9 9

#endif /* _EVNTRACE_ */
