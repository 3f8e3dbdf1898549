/*++

Module Name:

    driver.c

Abstract:

    DriverEntry and device creation of the counter driver.

Environment:

    Kernel mode

--*/

//
// initguid.h first, so that DEFINE_GUID in counter_ioctl.h defines the interface GUID
// in this file rather than only declaring it.
//
#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>
#include "counter.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, CounterEvtDeviceAdd)
#endif

NTSTATUS
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;
    NTSTATUS status;

    CounterTrace(("Counter: DriverEntry %wZ, step %d\n", RegistryPath, COUNTER_STEP));

    WDF_DRIVER_CONFIG_INIT(&config, CounterEvtDeviceAdd);
    status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
                             WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        CounterTrace(("Counter: WdfDriverCreate failed 0x%x\n", status));
    }
    return status;
}

NTSTATUS
CounterEvtDeviceAdd(
    _In_ WDFDRIVER Driver,
    _Inout_ PWDFDEVICE_INIT DeviceInit
    )
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDFDEVICE device;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Driver);
    PAGED_CODE();

    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, COUNTER_CONTEXT);
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WdfObjectGet_COUNTER_CONTEXT(device)->Value = 0;

    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_COUNTER, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return CounterQueueInitialize(device);
}
