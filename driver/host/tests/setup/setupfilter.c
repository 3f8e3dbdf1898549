/*
 * setupfilter.c - a KMDF filter driver (WdfFdoInitSetFilter) for the stacks host-run builds
 * with --upper-filter and --lower-filter: it takes IOCTL_SETUPTEST_STACK (setupstack.h,
 * appending SETUP_FILTER_NAME) and lets the framework pass every other request down.
 * Built twice, as setupfiltera.so and setupfilterb.so, with SETUP_FILTER_NAME "a" and "b".
 */
#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>

#include "setuptest.h"
#include "setupstack.h"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD SetupFilterDeviceAdd;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL SetupFilterDeviceControl;

VOID SetupFilterDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                              size_t InputBufferLength, ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);
    WDFDEVICE device = WdfIoQueueGetDevice(Queue);
    if (IoControlCode == IOCTL_SETUPTEST_STACK) {
        SetupTestStackControl(device, Request, SETUP_FILTER_NAME);
        return;
    }
    /* Anything else goes down unchanged, and its completion back up by itself. */
    WDF_REQUEST_SEND_OPTIONS options;
    WDF_REQUEST_SEND_OPTIONS_INIT(&options, WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET);
    WdfRequestFormatRequestUsingCurrentType(Request);
    if (!WdfRequestSend(Request, WdfDeviceGetIoTarget(device), &options)) {
        WdfRequestComplete(Request, WdfRequestGetStatus(Request));
    }
}

NTSTATUS SetupFilterDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WdfFdoInitSetFilter(DeviceInit);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = SetupFilterDeviceControl;
    return WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, SetupFilterDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
