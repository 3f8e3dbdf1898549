/*
 * wmi_driver.c - a WMI provider: the host's WMI test driver (wmi_test.c drives it).
 *
 * Its blocks are the classes of KhWmi.mof, whose header (KhWmiMof.h) build-host-driver
 * --mof generates:
 *   KhWmiCounter   two instances (Value 10 and 20, Scale 1), query, set instance, set
 *                  item and methods Add, Hide (deregisters the instance) and Misuse
 *                  (WMI methods called wrongly, for the verifier tests);
 *   KhWmiFixed     one read-only instance answered from its context (UseContextForQuery);
 *   KhWmiChanged   an event-only block, fired with the new value whenever a counter is
 *                  set, once WMI has enabled its events (EvtWmiProviderFunctionControl).
 * The driver is also a kernel-mode WMI consumer of its own KhWmiChanged events
 * (IoWMIOpenBlock, IoWMISetNotificationCallback, closed by ObDereferenceObject when the
 * device goes); method Consumed says how many it received.
 * EvtDriverDeviceAdd also checks the documented failures of a second
 * WdfDeviceAssignMofResourceName and of a second provider for the same GUID, and fails
 * when they are not what the documentation says.
 */
#include <ntddk.h>
#include <wdf.h>

#include <wmistr.h>
#include <initguid.h>
#include "khwmimof.h"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD KhWmiEvtDeviceAdd;
EVT_WDF_WMI_INSTANCE_QUERY_INSTANCE KhWmiCounterQuery;
EVT_WDF_WMI_INSTANCE_SET_INSTANCE KhWmiCounterSet;
EVT_WDF_WMI_INSTANCE_SET_ITEM KhWmiCounterSetItem;
EVT_WDF_WMI_INSTANCE_EXECUTE_METHOD KhWmiCounterExecute;
EVT_WDF_WMI_PROVIDER_FUNCTION_CONTROL KhWmiChangedControl;
EVT_WDF_OBJECT_CONTEXT_CLEANUP KhWmiEvtDeviceCleanup;

typedef struct _KH_WMI_DEVICE {
    WDFWMIINSTANCE Changed;
    ULONG ControlCalls; /* EvtWmiProviderFunctionControl calls */
    PVOID ChangedBlock; /* IoWMIOpenBlock's object for KhWmiChanged */
    volatile LONG ConsumedEvents;
} KH_WMI_DEVICE;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KH_WMI_DEVICE, KhWmiDeviceData)

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KhWmiCounter, KhWmiCounterData)
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KhWmiFixed, KhWmiFixedData)

static void KhWmiFireChanged(WDFWMIINSTANCE Counter, ULONG Value)
{
    WDFDEVICE device = WdfWmiInstanceGetDevice(Counter);
    KH_WMI_DEVICE *data = KhWmiDeviceData(device);
    WDFWMIPROVIDER provider = WdfWmiInstanceGetProvider(data->Changed);
    if (WdfWmiProviderIsEnabled(provider, WdfWmiEventControl)) {
        KhWmiChanged event = {Value};
        (void)WdfWmiInstanceFireEvent(data->Changed, sizeof(event), &event);
    }
}

NTSTATUS KhWmiCounterQuery(_In_ WDFWMIINSTANCE WmiInstance, _In_ ULONG OutBufferSize, _Out_ PVOID OutBuffer,
                           _Out_ PULONG BufferUsed)
{
    /* MinInstanceBufferSize guarantees the room: the framework answered too-small itself. */
    if (OutBufferSize < KhWmiCounter_SIZE) {
        *BufferUsed = KhWmiCounter_SIZE;
        return STATUS_BUFFER_TOO_SMALL;
    }
    RtlCopyMemory(OutBuffer, KhWmiCounterData(WmiInstance), KhWmiCounter_SIZE);
    *BufferUsed = KhWmiCounter_SIZE;
    return STATUS_SUCCESS;
}

NTSTATUS KhWmiCounterSet(_In_ WDFWMIINSTANCE WmiInstance, _In_ ULONG InBufferSize, _In_ PVOID InBuffer)
{
    if (InBufferSize < KhWmiCounter_SIZE) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    RtlCopyMemory(KhWmiCounterData(WmiInstance), InBuffer, KhWmiCounter_SIZE);
    KhWmiFireChanged(WmiInstance, KhWmiCounterData(WmiInstance)->Value);
    return STATUS_SUCCESS;
}

NTSTATUS KhWmiCounterSetItem(_In_ WDFWMIINSTANCE WmiInstance, _In_ ULONG DataItemId, _In_ ULONG InBufferSize,
                             _In_ PVOID InBuffer)
{
    KhWmiCounter *counter = KhWmiCounterData(WmiInstance);
    if (DataItemId != KhWmiCounter_Value_ID && DataItemId != KhWmiCounter_Scale_ID) {
        return STATUS_WMI_ITEMID_NOT_FOUND;
    }
    if (InBufferSize < sizeof(ULONG)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (DataItemId == KhWmiCounter_Value_ID) {
        counter->Value = *(PULONG)InBuffer;
        KhWmiFireChanged(WmiInstance, counter->Value);
    } else {
        counter->Scale = *(PULONG)InBuffer;
    }
    return STATUS_SUCCESS;
}

NTSTATUS KhWmiCounterExecute(_In_ WDFWMIINSTANCE WmiInstance, _In_ ULONG MethodId, _In_ ULONG InBufferSize,
                             _In_ ULONG OutBufferSize, _Inout_ PVOID Buffer, _Out_ PULONG BufferUsed)
{
    KhWmiCounter *counter = KhWmiCounterData(WmiInstance);
    *BufferUsed = 0;
    switch (MethodId) {
    case Add: {
        if (InBufferSize < Add_IN_SIZE) {
            return STATUS_INVALID_PARAMETER;
        }
        if (OutBufferSize < Add_OUT_SIZE) {
            *BufferUsed = Add_OUT_SIZE;
            return STATUS_BUFFER_TOO_SMALL;
        }
        ULONG amount = ((PAdd_IN)Buffer)->Amount;
        ((PAdd_OUT)Buffer)->Result = counter->Value + amount * counter->Scale;
        *BufferUsed = Add_OUT_SIZE;
        return STATUS_SUCCESS;
    }
    case Hide:
        WdfWmiInstanceDeregister(WmiInstance);
        return STATUS_SUCCESS;
    case Misuse: {
        if (InBufferSize < Misuse_IN_SIZE) {
            return STATUS_INVALID_PARAMETER;
        }
        ULONG how = ((PMisuse_IN)Buffer)->How;
        if (how == 1) {
            /* WdfWmiInstanceFireEvent is documented for IRQL <= APC_LEVEL. */
            KIRQL old;
            KeRaiseIrql(DISPATCH_LEVEL, &old);
            NTSTATUS status = WdfWmiInstanceFireEvent(WmiInstance, 0, NULL);
            KeLowerIrql(old);
            return status == STATUS_INVALID_DEVICE_REQUEST ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
        }
        if (how == 2) {
            /* A NULL handle. */
            return WdfWmiInstanceRegister(NULL) == STATUS_INVALID_HANDLE ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
        }
        return STATUS_INVALID_PARAMETER;
    }
    case Consumed: {
        if (OutBufferSize < Consumed_OUT_SIZE) {
            *BufferUsed = Consumed_OUT_SIZE;
            return STATUS_BUFFER_TOO_SMALL;
        }
        KH_WMI_DEVICE *data = KhWmiDeviceData(WdfWmiInstanceGetDevice(WmiInstance));
        ((PConsumed_OUT)Buffer)->Count = (ULONG)InterlockedCompareExchange(&data->ConsumedEvents, 0, 0);
        *BufferUsed = Consumed_OUT_SIZE;
        return STATUS_SUCCESS;
    }
    case Announce: {
        /* As the toaster sample announces an arrival: IoWMIWriteEvent with a
           WNODE_SINGLE_INSTANCE named dynamically (a counted string), which WMI frees. */
        if (InBufferSize < Announce_IN_SIZE) {
            return STATUS_INVALID_PARAMETER;
        }
        ULONG value = ((PAnnounce_IN)Buffer)->Value;
        DECLARE_CONST_UNICODE_STRING(name, L"KhWmiCounter_0");
        ULONG nameOffset = (ULONG)FIELD_OFFSET(WNODE_SINGLE_INSTANCE, VariableData);
        ULONG dataOffset = (nameOffset + sizeof(USHORT) + name.Length + 7) & ~7u;
        ULONG size = dataOffset + sizeof(ULONG);
        PWNODE_SINGLE_INSTANCE wnode = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'imWK');
        if (wnode == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        wnode->WnodeHeader.BufferSize = size;
        wnode->WnodeHeader.ProviderId = IoWMIDeviceObjectToProviderId(WdfDeviceWdmGetDeviceObject(WdfWmiInstanceGetDevice(WmiInstance)));
        wnode->WnodeHeader.Guid = KhWmiChanged_GUID;
        wnode->WnodeHeader.Flags = WNODE_FLAG_EVENT_ITEM | WNODE_FLAG_SINGLE_INSTANCE;
        wnode->OffsetInstanceName = nameOffset;
        PUSHORT counted = (PUSHORT)((PUCHAR)wnode + nameOffset);
        counted[0] = name.Length;
        RtlCopyMemory(counted + 1, name.Buffer, name.Length);
        wnode->DataBlockOffset = dataOffset;
        wnode->SizeDataBlock = sizeof(ULONG);
        *(PULONG)((PUCHAR)wnode + dataOffset) = value;
        NTSTATUS status = IoWMIWriteEvent(wnode);
        if (!NT_SUCCESS(status)) {
            ExFreePool(wnode);
            return status;
        }
        /* A WNODE that is not an event is refused, and stays the caller's. */
        WNODE_HEADER notEvent;
        RtlZeroMemory(&notEvent, sizeof(notEvent));
        notEvent.BufferSize = sizeof(notEvent);
        return IoWMIWriteEvent(&notEvent) == STATUS_INVALID_PARAMETER ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
    }
    default:
        return STATUS_WMI_ITEMID_NOT_FOUND;
    }
}

/* A KhWmiChanged event, as WMI hands it to a kernel-mode consumer. */
static VOID KhWmiOnChanged(PVOID Wnode, PVOID Context)
{
    PWNODE_HEADER header = Wnode;
    KH_WMI_DEVICE *data = Context;
    if (header != NULL && (header->Flags & WNODE_FLAG_EVENT_ITEM) && IsEqualGUID(&header->Guid, &KhWmiChanged_GUID)) {
        InterlockedIncrement(&data->ConsumedEvents);
    }
}

VOID KhWmiEvtDeviceCleanup(_In_ WDFOBJECT Object)
{
    KH_WMI_DEVICE *data = KhWmiDeviceData((WDFDEVICE)Object);
    if (data->ChangedBlock != NULL) {
        ObDereferenceObject(data->ChangedBlock);
        data->ChangedBlock = NULL;
    }
}

NTSTATUS KhWmiChangedControl(_In_ WDFWMIPROVIDER WmiProvider, _In_ WDF_WMI_PROVIDER_CONTROL Control,
                             _In_ BOOLEAN Enable)
{
    UNREFERENCED_PARAMETER(Control);
    UNREFERENCED_PARAMETER(Enable);
    KhWmiDeviceData(WdfWmiProviderGetDevice(WmiProvider))->ControlCalls++;
    return STATUS_SUCCESS;
}

static NTSTATUS KhWmiCreateCounter(WDFDEVICE Device, WDFWMIPROVIDER Provider, ULONG Value)
{
    WDF_WMI_INSTANCE_CONFIG config;
    WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER(&config, Provider);
    config.Register = TRUE;
    config.EvtWmiInstanceQueryInstance = KhWmiCounterQuery;
    config.EvtWmiInstanceSetInstance = KhWmiCounterSet;
    config.EvtWmiInstanceSetItem = KhWmiCounterSetItem;
    config.EvtWmiInstanceExecuteMethod = KhWmiCounterExecute;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KhWmiCounter);
    WDFWMIINSTANCE instance;
    NTSTATUS status = WdfWmiInstanceCreate(Device, &config, &attributes, &instance);
    if (NT_SUCCESS(status)) {
        KhWmiCounterData(instance)->Value = Value;
        KhWmiCounterData(instance)->Scale = 1;
    }
    return status;
}

NTSTATUS KhWmiEvtDeviceAdd(_In_ WDFDRIVER Driver, _Inout_ PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KH_WMI_DEVICE);
    attributes.EvtCleanupCallback = KhWmiEvtDeviceCleanup;
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    KH_WMI_DEVICE *data = KhWmiDeviceData(device);
    /* A block opened without WMIGUID_NOTIFICATION takes no callback. */
    PVOID queryOnly;
    status = IoWMIOpenBlock(&KhWmiChanged_GUID, WMIGUID_QUERY, &queryOnly);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = IoWMISetNotificationCallback(queryOnly, KhWmiOnChanged, data);
    ObDereferenceObject(queryOnly);
    if (status != STATUS_ACCESS_DENIED) {
        return STATUS_UNSUCCESSFUL;
    }
    status = IoWMIOpenBlock(&KhWmiChanged_GUID, WMIGUID_NOTIFICATION | SYNCHRONIZE, &data->ChangedBlock);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = IoWMISetNotificationCallback(data->ChangedBlock, KhWmiOnChanged, data);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    DECLARE_CONST_UNICODE_STRING(mofName, L"KhWmiMofResource");
    status = WdfDeviceAssignMofResourceName(device, &mofName);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* A second name: STATUS_INVALID_DEVICE_REQUEST. */
    if (WdfDeviceAssignMofResourceName(device, &mofName) != STATUS_INVALID_DEVICE_REQUEST) {
        return STATUS_UNSUCCESSFUL;
    }

    /* KhWmiCounter: an explicit provider, two instances. */
    WDF_WMI_PROVIDER_CONFIG providerConfig;
    WDF_WMI_PROVIDER_CONFIG_INIT(&providerConfig, &KhWmiCounter_GUID);
    providerConfig.MinInstanceBufferSize = KhWmiCounter_SIZE;
    WDFWMIPROVIDER counters;
    status = WdfWmiProviderCreate(device, &providerConfig, WDF_NO_OBJECT_ATTRIBUTES, &counters);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* One provider per GUID: a second one gives STATUS_OBJECT_NAME_EXISTS. */
    WDFWMIPROVIDER again;
    if (WdfWmiProviderCreate(device, &providerConfig, WDF_NO_OBJECT_ATTRIBUTES, &again) != STATUS_OBJECT_NAME_EXISTS) {
        return STATUS_UNSUCCESSFUL;
    }
    status = KhWmiCreateCounter(device, counters, 10);
    if (NT_SUCCESS(status)) {
        status = KhWmiCreateCounter(device, counters, 20);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }

    /* KhWmiFixed: the provider made by WdfWmiInstanceCreate, answered from the context. */
    WDF_WMI_PROVIDER_CONFIG fixedConfig;
    WDF_WMI_PROVIDER_CONFIG_INIT(&fixedConfig, &KhWmiFixed_GUID);
    WDF_WMI_INSTANCE_CONFIG fixedInstance;
    WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER_CONFIG(&fixedInstance, &fixedConfig);
    fixedInstance.Register = TRUE;
    fixedInstance.UseContextForQuery = TRUE;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KhWmiFixed);
    WDFWMIINSTANCE fixed;
    status = WdfWmiInstanceCreate(device, &fixedInstance, &attributes, &fixed);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    KhWmiFixedData(fixed)->Serial = 0x1122334455667788ull;
    KhWmiFixedData(fixed)->Version = 7;

    /* KhWmiChanged: an event-only block. */
    WDF_WMI_PROVIDER_CONFIG eventConfig;
    WDF_WMI_PROVIDER_CONFIG_INIT(&eventConfig, &KhWmiChanged_GUID);
    eventConfig.Flags = WdfWmiProviderEventOnly;
    eventConfig.EvtWmiProviderFunctionControl = KhWmiChangedControl;
    WDF_WMI_INSTANCE_CONFIG eventInstance;
    WDF_WMI_INSTANCE_CONFIG_INIT_PROVIDER_CONFIG(&eventInstance, &eventConfig);
    eventInstance.Register = TRUE;
    return WdfWmiInstanceCreate(device, &eventInstance, WDF_NO_OBJECT_ATTRIBUTES, &KhWmiDeviceData(device)->Changed);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, KhWmiEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
