/*++

Module Name:

    testdevice.c

Abstract:

    The device the schedule explorer's test drivers share (see testdevice.h).

Environment:

    Kernel mode

--*/

#include "testdevice.h"

#include <initguid.h>
#include "public.h"

/* The part of the device's state that is the same in every test driver. */
typedef struct _TEST_DEVICE_CONTEXT {
    WDFTIMER Timer;
} TEST_DEVICE_CONTEXT, *PTEST_DEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(TEST_DEVICE_CONTEXT, TestDeviceGetContext)

EVT_WDF_DEVICE_D0_ENTRY TestDeviceEvtD0Entry;
EVT_WDF_DEVICE_D0_EXIT TestDeviceEvtD0Exit;
EVT_WDF_IO_QUEUE_IO_READ TestDeviceEvtIoRead;

NTSTATUS
TestDeviceCreate(
    _Inout_ PWDFDEVICE_INIT DeviceInit,
    _In_ const TEST_DEVICE_CONFIG *Config
    )
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnpPower;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_TIMER_CONFIG timerConfig;
    PTEST_DEVICE_CONTEXT context;
    WDFDEVICE device;
    NTSTATUS status;

    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpPower);
    pnpPower.EvtDeviceD0Entry = TestDeviceEvtD0Entry;
    pnpPower.EvtDeviceD0Exit = TestDeviceEvtD0Exit;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpPower);

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ContextTypeInfo = Config->ContextType->UniqueType;
    attributes.EvtCleanupCallback = Config->EvtCleanup;
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, TEST_DEVICE_CONTEXT);
    status = WdfObjectAllocateContext(device, &attributes, (PVOID *)&context);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_ECHO, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoWrite = Config->EvtIoWrite;
    queueConfig.EvtIoRead = TestDeviceEvtIoRead;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    if (Config->CreateObjects != NULL) {
        status = Config->CreateObjects(device, &attributes);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }

    WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, Config->EvtTimer, 10);
    timerConfig.AutomaticSerialization = FALSE;
    return WdfTimerCreate(&timerConfig, &attributes, &context->Timer);
}

NTSTATUS
TestDeviceEvtD0Entry(
    _In_ WDFDEVICE Device,
    _In_ WDF_POWER_DEVICE_STATE PreviousState
    )
{
    UNREFERENCED_PARAMETER(PreviousState);

    WdfTimerStart(TestDeviceGetContext(Device)->Timer, WDF_REL_TIMEOUT_IN_MS(10));
    return STATUS_SUCCESS;
}

NTSTATUS
TestDeviceEvtD0Exit(
    _In_ WDFDEVICE Device,
    _In_ WDF_POWER_DEVICE_STATE TargetState
    )
{
    UNREFERENCED_PARAMETER(TargetState);

    WdfTimerStop(TestDeviceGetContext(Device)->Timer, TRUE);
    return STATUS_SUCCESS;
}

/* Reads complete at once with no data. */
VOID
TestDeviceEvtIoRead(
    _In_ WDFQUEUE Queue,
    _In_ WDFREQUEST Request,
    _In_ size_t Length
    )
{
    UNREFERENCED_PARAMETER(Queue);
    UNREFERENCED_PARAMETER(Length);

    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
}
