/*
 * msdialect.c - a driver written in Microsoft's C dialect, as MSVC alone compiles it:
 * __FUNCTION__ concatenated with string literals, and a variadic macro used with no
 * variadic arguments, whose comma before __VA_ARGS__ MSVC drops. GNU C rejects both;
 * scripts/build-host-driver --ms-dialect builds it.
 */
#include <ntddk.h>
#include <wdf.h>

#define MsPrint(Format, ...) DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "[msdialect] " Format, __VA_ARGS__)
#define MsEnter() MsPrint("Entering " __FUNCTION__ "\n")
#define MsLeave(Status) MsPrint("Leaving " __FUNCTION__ ": 0x%08x\n", (Status))

static VOID MsUnload(WDFDRIVER Driver)
{
    UNREFERENCED_PARAMETER(Driver);
    MsEnter();
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    MsEnter();
    WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);
    config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    config.EvtDriverUnload = MsUnload;
    NTSTATUS status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
    MsLeave(status);
    return status;
}
