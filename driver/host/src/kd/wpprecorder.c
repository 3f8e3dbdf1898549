/*
 * wpprecorder.c - the WPP recorder's logs (WppRecorder.h): the default log and the logs
 * a driver creates, each with its identifier. Trace lines written to a log go to the
 * debugger output with the log's identifier (kmdfhost_wpp.h); the host keeps no
 * in-memory buffer of them.
 * https://learn.microsoft.com/windows-hardware/drivers/devtest/using-wpp-recorder
 *
 * A handle is checked against the list of live logs before it is used, so a deleted or
 * foreign handle is reported (WPP_RECORDER_LOG_MISUSE) and never dereferenced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ntddk.h>
#include <WppRecorder.h>
#include <kmdfhost.h>
#include "ke/ke.h"
#include "os/hostos.h"

struct KH_RECORDER_LOG_OBJECT {
    LIST_ENTRY Link;  /* in KhRecorderLogs, under KhRecorderLock */
    char Identifier[RECORDER_LOG_IDENTIFIER_MAX_CHARS + 24];
};

static HOS_MUTEX KhRecorderLock;
static LIST_ENTRY KhRecorderLogs;
/* The default log: always an object; WppRecorderConfigure(CreateDefaultLog FALSE)
 * makes it unavailable. */
static struct KH_RECORDER_LOG_OBJECT KhDefaultLog = {.Identifier = "WppRecorder default"};
static BOOLEAN KhDefaultLogAvailable = TRUE;

__attribute__((constructor)) static void KhRecorderInit(void)
{
    HosMutexInit(&KhRecorderLock);
    InitializeListHead(&KhRecorderLogs);
}

/* Under KhRecorderLock: whether Log is a live created log. */
static BOOLEAN KhRecorderIsLive(RECORDER_LOG Log)
{
    for (PLIST_ENTRY e = KhRecorderLogs.Flink; e != &KhRecorderLogs; e = e->Flink) {
        if (CONTAINING_RECORD(e, struct KH_RECORDER_LOG_OBJECT, Link) == Log) {
            return TRUE;
        }
    }
    return FALSE;
}

static void KhRecorderSetIdentifier(RECORDER_LOG Log, PCSTR Identifier, size_t Length, BOOLEAN AppendSet,
                                    ULONG_PTR Append)
{
    char name[RECORDER_LOG_IDENTIFIER_MAX_CHARS];
    size_t n = 0;
    for (; Identifier != NULL && n < Length && n + 1 < sizeof(name) && Identifier[n] != '\0'; n++) {
        name[n] = Identifier[n];
    }
    name[n] = '\0';
    if (AppendSet) {
        snprintf(Log->Identifier, sizeof(Log->Identifier), "%s %llx", name, (unsigned long long)Append);
    } else {
        snprintf(Log->Identifier, sizeof(Log->Identifier), "%s", name);
    }
}

NTSYSAPI VOID WppRecorderConfigure(PRECORDER_CONFIGURE_PARAMS ConfigureParams)
{
    if (ConfigureParams == NULL || ConfigureParams->Size < offsetof(RECORDER_CONFIGURE_PARAMS, UseTimeStamp)) {
        KhVerifierReport("WPP_RECORDER_LOG_MISUSE", "WppRecorderConfigure with %s, at %p",
                         ConfigureParams == NULL ? "no parameters" : "parameters of a wrong Size",
                         __builtin_return_address(0));
        return;
    }
    HosMutexLock(&KhRecorderLock);
    KhDefaultLogAvailable = ConfigureParams->CreateDefaultLog ? TRUE : FALSE;
    HosMutexUnlock(&KhRecorderLock);
}

NTSYSAPI NTSTATUS WppRecorderLogCreate(PRECORDER_LOG_CREATE_PARAMS CreateParams, RECORDER_LOG *RecorderLog)
{
    if (CreateParams == NULL || RecorderLog == NULL ||
        CreateParams->Size < offsetof(RECORDER_LOG_CREATE_PARAMS, UseTimeStamp)) {
        return STATUS_INVALID_PARAMETER;
    }
    *RecorderLog = NULL;
    if (CreateParams->ErrorPartitionSize != 0 && CreateParams->TotalBufferSize != 0 &&
        CreateParams->ErrorPartitionSize > CreateParams->TotalBufferSize) {
        return STATUS_INVALID_PARAMETER;
    }
    struct KH_RECORDER_LOG_OBJECT *log = calloc(1, sizeof(*log));
    if (log == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    size_t length = CreateParams->LogIdentifierSize != 0 && CreateParams->LogIdentifierSize < RECORDER_LOG_IDENTIFIER_MAX_CHARS
                        ? CreateParams->LogIdentifierSize
                        : RECORDER_LOG_IDENTIFIER_MAX_CHARS;
    KhRecorderSetIdentifier(log, CreateParams->LogIdentifier, length, CreateParams->LogIdentifierAppendValueSet,
                            CreateParams->LogIdentifierAppendValue);
    HosMutexLock(&KhRecorderLock);
    InsertTailList(&KhRecorderLogs, &log->Link);
    HosMutexUnlock(&KhRecorderLock);
    *RecorderLog = log;
    return STATUS_SUCCESS;
}

NTSYSAPI VOID WppRecorderLogDelete(RECORDER_LOG RecorderLog)
{
    HosMutexLock(&KhRecorderLock);
    if (RecorderLog == &KhDefaultLog || !KhRecorderIsLive(RecorderLog)) {
        HosMutexUnlock(&KhRecorderLock);
        KhVerifierReport("WPP_RECORDER_LOG_MISUSE", "WppRecorderLogDelete(%p): %s, at %p", (void *)RecorderLog,
                         RecorderLog == &KhDefaultLog ? "the default log is not the driver's to delete"
                                                      : "not a live recorder log (deleted already?)",
                         __builtin_return_address(0));
        return;
    }
    RemoveEntryList(&RecorderLog->Link);
    HosMutexUnlock(&KhRecorderLock);
    free(RecorderLog);
}

NTSYSAPI RECORDER_LOG WppRecorderLogGetDefault(VOID)
{
    return &KhDefaultLog;
}

NTSYSAPI BOOLEAN WppRecorderIsDefaultLogAvailable(VOID)
{
    HosMutexLock(&KhRecorderLock);
    BOOLEAN available = KhDefaultLogAvailable;
    HosMutexUnlock(&KhRecorderLock);
    return available;
}

NTSYSAPI VOID WppRecorderLogSetIdentifier(RECORDER_LOG RecorderLog, PCSTR LogIdentifier)
{
    HosMutexLock(&KhRecorderLock);
    if (RecorderLog == &KhDefaultLog || !KhRecorderIsLive(RecorderLog)) {
        HosMutexUnlock(&KhRecorderLock);
        KhVerifierReport("WPP_RECORDER_LOG_MISUSE", "WppRecorderLogSetIdentifier(%p): %s, at %p", (void *)RecorderLog,
                         RecorderLog == &KhDefaultLog ? "the default log's identifier is not to be set"
                                                      : "not a live recorder log (deleted already?)",
                         __builtin_return_address(0));
        return;
    }
    KhRecorderSetIdentifier(RecorderLog, LogIdentifier, RECORDER_LOG_IDENTIFIER_MAX_CHARS, FALSE, 0);
    HosMutexUnlock(&KhRecorderLock);
}

NTSYSAPI BOOLEAN KmdfHostWppRecorderLogIdentifier(void *RecorderLog, char *Buffer, size_t Size)
{
    RECORDER_LOG log = RecorderLog;
    HosMutexLock(&KhRecorderLock);
    if (log == &KhDefaultLog) {
        BOOLEAN available = KhDefaultLogAvailable;
        snprintf(Buffer, Size, "%s", log->Identifier);
        HosMutexUnlock(&KhRecorderLock);
        return available; /* a disabled default log records nothing */
    }
    if (!KhRecorderIsLive(log)) {
        HosMutexUnlock(&KhRecorderLock);
        KhVerifierReport("WPP_RECORDER_LOG_MISUSE", "a trace written to %p, not a live recorder log (deleted already?), at %p",
                         RecorderLog, __builtin_return_address(0));
        return FALSE;
    }
    snprintf(Buffer, Size, "%s", log->Identifier);
    HosMutexUnlock(&KhRecorderLock);
    return TRUE;
}
