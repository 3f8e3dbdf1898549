/*
 * recorder_driver.c - a non-PnP KMDF driver that uses the WPP recorder: it creates a
 * log of its own, traces to it and to the default log, renames it and deletes it when
 * it unloads. Loaded under the service name "RecorderBad" it misuses the recorder
 * instead (the default log disabled, the log deleted twice and traced to after its
 * deletion, the default log renamed) for the verifier to report.
 */
#include <ntddk.h>
#include <wdf.h>
#include <wpprecorder.h>
#include "recorder_trace.h"
#include "recorder_driver.tmh"

DRIVER_INITIALIZE DriverEntry;
static EVT_WDF_DRIVER_UNLOAD RecorderEvtDriverUnload;

static RECORDER_LOG RecorderLog;

static BOOLEAN EndsWith(PCUNICODE_STRING Text, PCWSTR Suffix)
{
    USHORT length = 0;
    while (Suffix[length] != 0) {
        length++;
    }
    USHORT count = Text->Length / sizeof(WCHAR);
    if (count < length) {
        return FALSE;
    }
    for (USHORT i = 0; i < length; i++) {
        if (Text->Buffer[count - length + i] != Suffix[i]) {
            return FALSE;
        }
    }
    return TRUE;
}

static void RecorderEvtDriverUnload(WDFDRIVER Driver)
{
    UNREFERENCED_PARAMETER(Driver);
    if (RecorderLog != NULL) {
        LogInfo(RecorderLog, "unloading");
        WppRecorderLogDelete(RecorderLog);
        RecorderLog = NULL;
    }
    WPP_CLEANUP(WdfDriverWdmGetDriverObject(Driver));
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    BOOLEAN misuse = EndsWith(RegistryPath, L"RecorderBad");
    WPP_INIT_TRACING(DriverObject, RegistryPath);

    RECORDER_CONFIGURE_PARAMS configure;
    RECORDER_CONFIGURE_PARAMS_INIT(&configure);
    configure.CreateDefaultLog = misuse ? FALSE : TRUE;
    WppRecorderConfigure(&configure);
    DbgPrint("default log available: %d\n", (int)WppRecorderIsDefaultLogAvailable());

    RECORDER_LOG_CREATE_PARAMS create;
    RECORDER_LOG_CREATE_PARAMS_INIT(&create, "KhRecorderLogIdentifierTooLong");
    if (!misuse) {
        RECORDER_LOG_CREATE_PARAMS_INIT(&create, "KhDevice");
        create.LogIdentifierAppendValue = 0x2a;
        create.LogIdentifierAppendValueSet = TRUE;
    }
    NTSTATUS status = WppRecorderLogCreate(&create, &RecorderLog);
    DbgPrint("WppRecorderLogCreate: 0x%08x\n", status);
    if (!NT_SUCCESS(status)) {
        RecorderLog = NULL;
        return status;
    }
    LogInfo(RecorderLog, "created, value %d", 42);
    LogError(RecorderLog, "failed with %!STATUS!", STATUS_INVALID_PARAMETER);
    LogInfo(WppRecorderLogGetDefault(), "to the default log");
    DriverTrace("no log: %s", "plain WPP");

    if (misuse) {
        RECORDER_LOG other = (RECORDER_LOG)(ULONG_PTR)1;
        DbgPrint("create without parameters: 0x%08x, log %p\n", WppRecorderLogCreate(NULL, &other), (void *)other);
        WppRecorderLogSetIdentifier(WppRecorderLogGetDefault(), "Renamed");
        WppRecorderLogDelete(RecorderLog);
        WppRecorderLogDelete(RecorderLog);
        LogInfo(RecorderLog, "after its deletion");
        RecorderLog = NULL;
    } else {
        WppRecorderLogSetIdentifier(RecorderLog, "KhRenamed");
        LogInfo(RecorderLog, "renamed");
    }

    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);
    config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    config.EvtDriverUnload = RecorderEvtDriverUnload;
    status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        if (RecorderLog != NULL) {
            WppRecorderLogDelete(RecorderLog);
            RecorderLog = NULL;
        }
        WPP_CLEANUP(DriverObject);
    }
    return status;
}
