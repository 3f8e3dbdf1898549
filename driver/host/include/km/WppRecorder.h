/*
 * WppRecorder.h - the WPP recorder (Inflight Trace Recorder) interface of wpprecorder.h.
 *
 * On Windows a driver's WPP trace calls are also kept in in-memory recorder logs: a
 * default log, and logs the driver creates (WppRecorderLogCreate) and names with an
 * identifier; a trace function whose first argument is a RECORDER_LOG (IFRLOG in the
 * WPP configuration) writes to that log. On the host every trace line goes to the
 * debugger output (DbgPrint, see kmdfhost_wpp.h), a recorder log's lines starting with
 * the log's identifier. Logs are real objects: using or deleting a deleted log is the
 * verifier's WPP_RECORDER_LOG_MISUSE report.
 * https://learn.microsoft.com/windows-hardware/drivers/devtest/using-wpp-recorder
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wpprecorder/
 */
#ifndef KMDFHOST_WPPRECORDER_H
#define KMDFHOST_WPPRECORDER_H

#include <wdm.h>

/* The size of RECORDER_LOG_CREATE_PARAMS.LogIdentifier, in characters. */
#define RECORDER_LOG_IDENTIFIER_MAX_CHARS 16

/* An opaque handle to a recorder log. */
typedef struct KH_RECORDER_LOG_OBJECT *RECORDER_LOG;

/* ne-wpprecorder-wpp_recorder_tri_state */
typedef enum _WPP_RECORDER_TRI_STATE {
    WppRecorderFalse = FALSE,
    WppRecorderTrue = TRUE,
    WppRecorderUseDefault = 2
} WPP_RECORDER_TRI_STATE, *PWPP_RECORDER_TRI_STATE;

/* ns-wpprecorder-_recorder_configure_params: the default log's configuration. */
typedef struct _RECORDER_CONFIGURE_PARAMS {
    ULONG Size;
    BOOLEAN CreateDefaultLog;                 /* TRUE (the default): WPP uses the default log */
    WPP_RECORDER_TRI_STATE UseTimeStamp;
    WPP_RECORDER_TRI_STATE PreciseTimeStamp;
} RECORDER_CONFIGURE_PARAMS, *PRECORDER_CONFIGURE_PARAMS;

/* ns-wpprecorder-_recorder_log_create_params: WppRecorderLogCreate's input. */
typedef struct _RECORDER_LOG_CREATE_PARAMS {
    ULONG Size;
    ULONG LogTag;                             /* optional tag of the log's memory */
    ULONG TotalBufferSize;                    /* bytes of the log area */
    ULONG ErrorPartitionSize;                 /* bytes of it kept for errors; 0: none */
    ULONG_PTR LogIdentifierAppendValue;       /* a number/pointer appended to the identifier */
    BOOLEAN LogIdentifierAppendValueSet;
    ULONG LogIdentifierSize;                  /* sizeof(LogIdentifier) as the client defines it */
    CHAR LogIdentifier[RECORDER_LOG_IDENTIFIER_MAX_CHARS];
    WPP_RECORDER_TRI_STATE UseTimeStamp;
    WPP_RECORDER_TRI_STATE PreciseTimeStamp;
} RECORDER_LOG_CREATE_PARAMS, *PRECORDER_LOG_CREATE_PARAMS;

/* nf-wpprecorder-recorder_configure_params_init: CreateDefaultLog TRUE, time stamps
 * as the package's INF says (WppRecorderUseDefault). */
FORCEINLINE VOID RECORDER_CONFIGURE_PARAMS_INIT(PRECORDER_CONFIGURE_PARAMS Params)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = sizeof(*Params);
    Params->CreateDefaultLog = TRUE;
    Params->UseTimeStamp = WppRecorderUseDefault;
    Params->PreciseTimeStamp = WppRecorderUseDefault;
}

/* nf-wpprecorder-recorder_log_create_params_init: the identifier (optional) is copied,
 * cut to fit LogIdentifier; the sizes stay 0, the recorder's defaults. */
FORCEINLINE VOID RECORDER_LOG_CREATE_PARAMS_INIT(PRECORDER_LOG_CREATE_PARAMS Params, PCSTR LogIdentifier)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = sizeof(*Params);
    Params->LogIdentifierSize = sizeof(Params->LogIdentifier);
    Params->UseTimeStamp = WppRecorderUseDefault;
    Params->PreciseTimeStamp = WppRecorderUseDefault;
    if (LogIdentifier != NULL) {
        for (ULONG i = 0; i + 1 < sizeof(Params->LogIdentifier) && LogIdentifier[i] != '\0'; i++) {
            Params->LogIdentifier[i] = LogIdentifier[i];
        }
    }
}

/* nf-wpprecorder-wpprecorderconfigure: enables or disables the default log
 * (PASSIVE_LEVEL). */
NTSYSAPI VOID WppRecorderConfigure(PRECORDER_CONFIGURE_PARAMS ConfigureParams);

/* nf-wpprecorder-wpprecorderlogcreate: creates a log (<= DISPATCH_LEVEL). On failure
 * the driver must neither log to nor delete *RecorderLog. */
NTSYSAPI NTSTATUS WppRecorderLogCreate(PRECORDER_LOG_CREATE_PARAMS CreateParams, RECORDER_LOG *RecorderLog);

/* Deletes a log WppRecorderLogCreate created. */
NTSYSAPI VOID WppRecorderLogDelete(RECORDER_LOG RecorderLog);

/* nf-wpprecorder-imp_wpprecorderloggetdefault: the default log's handle. */
NTSYSAPI RECORDER_LOG WppRecorderLogGetDefault(VOID);

/* WppRecorderIsDefaultLogAvailable: TRUE while the default log is enabled. */
NTSYSAPI BOOLEAN WppRecorderIsDefaultLogAvailable(VOID);

/* nf-wpprecorder-wpprecorderlogsetidentifier: renames a created log (never the
 * default log). */
NTSYSAPI VOID WppRecorderLogSetIdentifier(RECORDER_LOG RecorderLog, PCSTR LogIdentifier);

#endif /* KMDFHOST_WPPRECORDER_H */
