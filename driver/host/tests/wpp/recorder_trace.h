/*
 * recorder_trace.h - WPP configuration of recorder_driver: trace functions that take
 * the WPP recorder log to write to as their first argument (IFRLOG), as drivers that
 * keep one log per device declare them.
 */
#ifndef RECORDER_TRACE_H
#define RECORDER_TRACE_H

#define WPP_CONTROL_GUIDS                                                                       \
    WPP_DEFINE_CONTROL_GUID(KhRecorderGuid, (6f1d2c3b, 4a59, 4e68, 8b7c, 0d1e2f304152),     \
                            WPP_DEFINE_BIT(TRACE_DRIVER) WPP_DEFINE_BIT(TRACE_DEVICE))

//
// begin_wpp config
// FUNC LogInfo{LEVEL=TRACE_LEVEL_INFORMATION, FLAGS=TRACE_DEVICE}(IFRLOG, MSG, ...);
// FUNC LogError{LEVEL=TRACE_LEVEL_ERROR, FLAGS=TRACE_DEVICE}(IFRLOG, MSG, ...);
// FUNC DriverTrace{LEVEL=TRACE_LEVEL_INFORMATION, FLAGS=TRACE_DRIVER}(MSG, ...);
// end_wpp
//

#endif
