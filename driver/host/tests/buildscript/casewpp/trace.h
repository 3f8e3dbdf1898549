/*
 * trace.h - WPP tracing of the case-and-trace driver, as a WDK driver declares it:
 * one control GUID with two flags, and the trace functions in a configuration block.
 */
#ifndef CASEWPP_TRACE_H
#define CASEWPP_TRACE_H

#include <EvnTrace.h>

#define WPP_CONTROL_GUIDS                                                                   \
    WPP_DEFINE_CONTROL_GUID(CaseWppTraceGuid, (5c2f83a1, 7b1e, 4f0a, 9d44, 2e61b0c3d7f9), \
                            WPP_DEFINE_BIT(TRACE_DRIVER) WPP_DEFINE_BIT(TRACE_QUEUE))

#define WPP_LEVEL_FLAGS_LOGGER(lvl, flags) WPP_LEVEL_LOGGER(flags)
#define WPP_LEVEL_FLAGS_ENABLED(lvl, flags) (WPP_LEVEL_ENABLED(flags) && WPP_CONTROL(WPP_BIT_##flags).Level >= lvl)

//
// begin_wpp config
// FUNC TraceEvents(LEVEL, FLAGS, MSG, ...);
// FUNC TraceInfo{LEVEL=TRACE_LEVEL_INFORMATION,FLAGS=TRACE_DRIVER}(MSG,...);
// FUNC TraceEnter{LEVEL=TRACE_LEVEL_VERBOSE}(FLAGS);
// FUNC KdTrace{LEVEL=TRACE_LEVEL_WARNING,FLAGS=TRACE_QUEUE}((MSG, ...));
// end_wpp
//

#endif
