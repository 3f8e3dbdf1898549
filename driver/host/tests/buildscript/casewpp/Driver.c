/*
 * Driver.c - a KMDF driver written as on Windows: its include names differ in case from
 * the files (NTDDK.h, Wdf.h, Trace.h, EvnTrace.h) and one uses "\" as the separator,
 * and it traces with WPP (Driver.tmh, WPP_INIT_TRACING, TraceEvents, WPP_CLEANUP).
 */
#include <NTDDK.h>
#include <Wdf.h>
#include "Trace.h"
#include "inc\Defs.h"
#include "Driver.tmh"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_UNLOAD CaseWppEvtDriverUnload;

VOID CaseWppEvtDriverUnload(_In_ WDFDRIVER Driver)
{
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC! unloading");
    WPP_CLEANUP(WdfDriverWdmGetDriverObject(Driver));
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    NTSTATUS status;

    WPP_INIT_TRACING(DriverObject, RegistryPath);
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC! Entry, %d%% of %wZ", 100, RegistryPath);
    TraceInfo("value %d from %s", CASEWPP_VALUE, "defs.h");
    TraceEnter(TRACE_QUEUE);
    CaseWppQueueTrace();

    WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);
    config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    config.EvtDriverUnload = CaseWppEvtDriverUnload;
    status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
    DoTraceMessage(TRACE_DRIVER, "WdfDriverCreate returned %!STATUS! at line %!LINE! of %!FILE!", status);
    if (!NT_SUCCESS(status)) {
        TraceEvents(TRACE_LEVEL_ERROR, TRACE_DRIVER, "WdfDriverCreate failed %!STATUS!", status);
        WPP_CLEANUP(DriverObject);
    }
    return status;
}
