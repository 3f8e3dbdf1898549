/*
 * setupdriver.c - a KMDF test driver for the installation of a device from its INF
 * (host-run --inf, --device-value): at AddDevice it reads what setup wrote for it - a
 * REG_DWORD and a REG_SZ of its hardware key (WdfDeviceOpenRegistryKey with
 * PLUGPLAY_REGKEY_DEVICE), a REG_DWORD of its software key (PLUGPLAY_REGKEY_DRIVER), its
 * description and setup class GUID (WdfDeviceQueryProperty) - and returns them for
 * IOCTL_SETUPTEST_GET_INFO on its device interface. IOCTL_SETUPTEST_STACK shows where it sits
 * in its device stack (setupstack.h's SetupTestStackControl).
 */
#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>

#include "setuptest.h"
#include "setupstack.h"

typedef struct _SETUPTEST_CONTEXT {
    SETUPTEST_INFO Info;
} SETUPTEST_CONTEXT, *PSETUPTEST_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(SETUPTEST_CONTEXT, SetupTestGetContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD SetupTestDeviceAdd;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL SetupTestDeviceControl;

/* A REG_DWORD of one of the device's keys. */
static NTSTATUS SetupTestQueryULong(WDFDEVICE Device, ULONG KeyType, PCUNICODE_STRING Name, unsigned int *Value)
{
    WDFKEY key;
    NTSTATUS status = WdfDeviceOpenRegistryKey(Device, KeyType, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (NT_SUCCESS(status)) {
        ULONG value = 0;
        status = WdfRegistryQueryULong(key, Name, &value);
        *Value = value;
        WdfRegistryClose(key);
    }
    return status;
}

/* A device property as a NUL-terminated UTF-16 string of at most Count units. */
static NTSTATUS SetupTestQueryString(WDFDEVICE Device, DEVICE_REGISTRY_PROPERTY Property, unsigned short *Out,
                                     ULONG Count)
{
    ULONG length = 0;
    RtlZeroMemory(Out, Count * sizeof(WCHAR));
    return WdfDeviceQueryProperty(Device, Property, (Count - 1) * sizeof(WCHAR), Out, &length);
}

NTSTATUS SetupTestDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, SETUPTEST_CONTEXT);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PSETUPTEST_CONTEXT context = SetupTestGetContext(device);
    DECLARE_CONST_UNICODE_STRING(valueName, L"SetupTestValue");
    DECLARE_CONST_UNICODE_STRING(portName, L"PortName");
    DECLARE_CONST_UNICODE_STRING(softName, L"SoftwareValue");
    context->Info.ValueStatus = SetupTestQueryULong(device, PLUGPLAY_REGKEY_DEVICE, &valueName, &context->Info.Value);
    context->Info.SoftStatus = SetupTestQueryULong(device, PLUGPLAY_REGKEY_DRIVER, &softName, &context->Info.SoftValue);

    WDFKEY key;
    context->Info.PortStatus =
        WdfDeviceOpenRegistryKey(device, PLUGPLAY_REGKEY_DEVICE, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (NT_SUCCESS(context->Info.PortStatus)) {
        UNICODE_STRING port;
        port.Buffer = (PWCH)context->Info.PortName;
        port.Length = 0;
        port.MaximumLength = (USHORT)(sizeof(context->Info.PortName) - sizeof(WCHAR));
        context->Info.PortStatus = WdfRegistryQueryUnicodeString(key, &portName, NULL, &port);
        WdfRegistryClose(key);
    }
    context->Info.DescriptionStatus = SetupTestQueryString(device, DevicePropertyDeviceDescription,
                                                           context->Info.Description, 64);
    context->Info.ClassGuidStatus = SetupTestQueryString(device, DevicePropertyClassGuid, context->Info.ClassGuid, 40);

    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_SETUPTEST, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = SetupTestDeviceControl;
    return WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}

VOID SetupTestDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                            size_t InputBufferLength, ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);
    if (IoControlCode == IOCTL_SETUPTEST_STACK) {
        SetupTestStackControl(WdfIoQueueGetDevice(Queue), Request, "function");
        return;
    }
    if (IoControlCode != IOCTL_SETUPTEST_GET_INFO) {
        WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }
    PVOID buffer;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, sizeof(SETUPTEST_INFO), &buffer, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    RtlCopyMemory(buffer, &SetupTestGetContext(WdfIoQueueGetDevice(Queue))->Info, sizeof(SETUPTEST_INFO));
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, sizeof(SETUPTEST_INFO));
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, SetupTestDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
