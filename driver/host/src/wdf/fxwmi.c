/*
 * fxwmi.c - WMI providers and instances (wdfwmi.h), WdfDeviceAssignMofResourceName, and
 * the framework's side of IRP_MJ_SYSTEM_CONTROL.
 *
 * "Supporting WMI in KMDF Drivers": a driver creates one WMI provider object per data
 * block (a GUID of its MOF) and one WMI instance object per instance of the block. The
 * framework registers the device with WMI (IoWMIRegistrationControl) when it starts,
 * answers WMI's IRP_MN_REGINFO_EX with the providers that have registered instances
 * (instance names come from the PDO: WMIREG_FLAG_INSTANCE_PDO), turns the WMI IRPs into
 * the instance callbacks (EvtWmiInstanceQueryInstance, SetInstance, SetItem,
 * ExecuteMethod) and the provider's EvtWmiProviderFunctionControl, and deregisters the
 * device when it is removed.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/supporting-wmi-in-kmdf-drivers
 *
 * Instances are addressed by index (WNODE_FLAG_STATIC_INSTANCE_NAMES): the position of
 * the instance among its provider's registered instances, in the order of registration.
 * The WMI callbacks run at PASSIVE_LEVEL and are not serialized with the device's
 * synchronization scope, as KMDF runs them.
 */
#include "fxp.h"

#include <wmistr.h>

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ objects */

typedef struct FX_WMI_PROVIDER {
    FX_OBJECT Object;
    FX_DEVICE *Device;
    WDF_WMI_PROVIDER_CONFIG Config;
    bool EventsEnabled;     /* IRP_MN_ENABLE_EVENTS / DISABLE_EVENTS */
    bool CollectionEnabled; /* IRP_MN_ENABLE_COLLECTION / DISABLE_COLLECTION */
    bool Listed;            /* in the device's provider list */
    FX_LINK DeviceLink;     /* Device->WmiProviders, under Device->Lock */
    FX_LINK Instances;      /* registered instances, in order; under Device->Lock */
    ULONG InstanceCount;
} FX_WMI_PROVIDER;

typedef struct FX_WMI_INSTANCE {
    FX_OBJECT Object;
    FX_WMI_PROVIDER *Provider;
    WDF_WMI_INSTANCE_CONFIG Config;
    bool Registered;
    FX_LINK ProviderLink; /* Provider->Instances while registered */
} FX_WMI_INSTANCE;

/* The device's provider list exists from the first provider on (zeroed before). */
static void FxWmiListInitLocked(FX_DEVICE *Device)
{
    if (Device->WmiProviders.Next == NULL) {
        FxListInit(&Device->WmiProviders);
    }
}

/* Reports a call above the highest IRQL the DDI's page allows; true when it was. */
static bool FxWmiIrqlTooHigh(FX_DRIVER *Driver, KIRQL Highest, const char *Api)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql <= Highest) {
        return false;
    }
    FxReport(Driver, "IRQL_TOO_HIGH_FOR_DDI", "%s called at IRQL %u; its highest is %u", Api, (unsigned)irql,
             (unsigned)Highest);
    return true;
}

static void FxWmiProviderDispose(FX_OBJECT *Object)
{
    FX_WMI_PROVIDER *provider = (FX_WMI_PROVIDER *)Object;
    FX_DEVICE *device = provider->Device;
    HosMutexLock(&device->Lock);
    if (provider->Listed) {
        FxListRemove(&provider->DeviceLink);
        provider->Listed = false;
    }
    HosMutexUnlock(&device->Lock);
}

static void FxWmiInstanceDispose(FX_OBJECT *Object);

static const FX_OBJECT_OPS FxWmiProviderOps = {FxWmiProviderDispose, NULL};
static const FX_OBJECT_OPS FxWmiInstanceOps = {FxWmiInstanceDispose, NULL};

/* The provider of Guid on Device, referenced; NULL when there is none. */
static FX_WMI_PROVIDER *FxWmiFindProvider(FX_DEVICE *Device, const GUID *Guid)
{
    FX_WMI_PROVIDER *found = NULL;
    HosMutexLock(&Device->Lock);
    FxWmiListInitLocked(Device);
    for (FX_LINK *l = Device->WmiProviders.Next; l != &Device->WmiProviders; l = l->Next) {
        FX_WMI_PROVIDER *p = FX_CONTAINING(l, FX_WMI_PROVIDER, DeviceLink);
        if (memcmp(&p->Config.Guid, Guid, sizeof(GUID)) == 0) {
            found = p;
            FxObjectReference(&p->Object);
            break;
        }
    }
    HosMutexUnlock(&Device->Lock);
    return found;
}

/* Tells WMI that the device's blocks changed, once the device is registered. */
static void FxWmiUpdate(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Lock);
    bool registered = Device->WmiRegistered;
    HosMutexUnlock(&Device->Lock);
    if (registered) {
        (void)IoWMIRegistrationControl(Device->Fdo, WMIREG_ACTION_UPDATE_GUIDS);
    }
}

static NTSTATUS FxWmiProviderCreateInternal(FX_DEVICE *Device, PWDF_WMI_PROVIDER_CONFIG Config,
                                            PWDF_OBJECT_ATTRIBUTES Attributes, FX_WMI_PROVIDER **Provider,
                                            const char *Api)
{
    (void)Api;
    if (Config == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Config->Size != sizeof(WDF_WMI_PROVIDER_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    /* "WdfWmiProviderTracing ... cannot be combined with other flags"; an event-only
       block has no instance data to bound. */
    if ((Config->Flags & ~(ULONG)(WdfWmiProviderEventOnly | WdfWmiProviderExpensive | WdfWmiProviderTracing)) != 0 ||
        ((Config->Flags & WdfWmiProviderTracing) && Config->Flags != WdfWmiProviderTracing) ||
        ((Config->Flags & WdfWmiProviderEventOnly) && Config->MinInstanceBufferSize != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = FxValidateAttributes(Attributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_WMI_PROVIDER), FxTypeWmiProvider, Attributes, Device->Object.Driver,
                              &FxWmiProviderOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_WMI_PROVIDER *provider = (FX_WMI_PROVIDER *)object;
    provider->Device = Device;
    provider->Config = *Config;
    FxListInit(&provider->Instances);
    FxListInit(&provider->DeviceLink);
    /* One provider per GUID and device: a second gives STATUS_OBJECT_NAME_EXISTS. */
    HosMutexLock(&Device->Lock);
    FxWmiListInitLocked(Device);
    for (FX_LINK *l = Device->WmiProviders.Next; l != &Device->WmiProviders; l = l->Next) {
        FX_WMI_PROVIDER *p = FX_CONTAINING(l, FX_WMI_PROVIDER, DeviceLink);
        if (memcmp(&p->Config.Guid, &Config->Guid, sizeof(GUID)) == 0) {
            HosMutexUnlock(&Device->Lock);
            FxObjectFreeUninserted(object);
            return STATUS_OBJECT_NAME_EXISTS;
        }
    }
    FxListInsertTail(&Device->WmiProviders, &provider->DeviceLink);
    provider->Listed = true;
    HosMutexUnlock(&Device->Lock);
    FxObjectInsert(object, &Device->Object);
    *Provider = provider;
    return STATUS_SUCCESS;
}

/*
 * WdfWmiProviderCreate: a provider for one WMI data block of the device; its parent is
 * the device. A second provider for the same GUID: STATUS_OBJECT_NAME_EXISTS.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfwmi/nf-wdfwmi-wdfwmiprovidercreate
 */
WDFAPI NTSTATUS WdfWmiProviderCreate(WDFDEVICE Device, PWDF_WMI_PROVIDER_CONFIG WmiProviderConfig,
                                     PWDF_OBJECT_ATTRIBUTES ProviderAttributes, WDFWMIPROVIDER *WmiProvider)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfWmiProviderCreate");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (FxWmiIrqlTooHigh(device->Object.Driver, PASSIVE_LEVEL, "WdfWmiProviderCreate")) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (WmiProvider == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *WmiProvider = NULL;
    FX_WMI_PROVIDER *provider;
    NTSTATUS status =
        FxWmiProviderCreateInternal(device, WmiProviderConfig, ProviderAttributes, &provider, "WdfWmiProviderCreate");
    if (NT_SUCCESS(status)) {
        *WmiProvider = (WDFWMIPROVIDER)provider;
    }
    return status;
}

WDFAPI WDFDEVICE WdfWmiProviderGetDevice(WDFWMIPROVIDER WmiProvider)
{
    FX_WMI_PROVIDER *provider =
        (FX_WMI_PROVIDER *)FxObjectFromHandle(WmiProvider, FxTypeWmiProvider, "WdfWmiProviderGetDevice");
    return provider != NULL ? (WDFDEVICE)provider->Device : NULL;
}

/*
 * WdfWmiProviderIsEnabled: whether WMI enabled the provider's events
 * (WdfWmiEventControl) or its data collection (WdfWmiInstanceControl).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfwmi/nf-wdfwmi-wdfwmiproviderisenabled
 */
WDFAPI BOOLEAN WdfWmiProviderIsEnabled(WDFWMIPROVIDER WmiProvider, WDF_WMI_PROVIDER_CONTROL ProviderControl)
{
    FX_WMI_PROVIDER *provider =
        (FX_WMI_PROVIDER *)FxObjectFromHandle(WmiProvider, FxTypeWmiProvider, "WdfWmiProviderIsEnabled");
    if (provider == NULL) {
        return FALSE;
    }
    HosMutexLock(&provider->Device->Lock);
    bool enabled = ProviderControl == WdfWmiEventControl      ? provider->EventsEnabled
                   : ProviderControl == WdfWmiInstanceControl ? provider->CollectionEnabled
                                                              : false;
    HosMutexUnlock(&provider->Device->Lock);
    return enabled ? TRUE : FALSE;
}

/* ---------------------------------------------------------------- instances */

static NTSTATUS FxWmiInstanceRegisterInternal(FX_WMI_INSTANCE *Instance)
{
    FX_DEVICE *device = Instance->Provider->Device;
    HosMutexLock(&device->Lock);
    if (Instance->Registered) {
        HosMutexUnlock(&device->Lock);
        return STATUS_SUCCESS;
    }
    if (device->PnpState == FxPnpRemoved || device->PnpState == FxPnpSurpriseRemoved) {
        HosMutexUnlock(&device->Lock);
        return STATUS_INVALID_DEVICE_STATE;
    }
    Instance->Registered = true;
    FxListInsertTail(&Instance->Provider->Instances, &Instance->ProviderLink);
    Instance->Provider->InstanceCount++;
    HosMutexUnlock(&device->Lock);
    FxWmiUpdate(device);
    return STATUS_SUCCESS;
}

static void FxWmiInstanceDeregisterInternal(FX_WMI_INSTANCE *Instance, bool Update)
{
    FX_DEVICE *device = Instance->Provider->Device;
    HosMutexLock(&device->Lock);
    bool was = Instance->Registered;
    if (was) {
        Instance->Registered = false;
        FxListRemove(&Instance->ProviderLink);
        Instance->Provider->InstanceCount--;
    }
    HosMutexUnlock(&device->Lock);
    if (was && Update) {
        FxWmiUpdate(device);
    }
}

static void FxWmiInstanceDispose(FX_OBJECT *Object)
{
    FxWmiInstanceDeregisterInternal((FX_WMI_INSTANCE *)Object, true);
}

/*
 * WdfWmiInstanceCreate: an instance of a provider's block, the provider named in the
 * configuration or created from its ProviderConfig; its parent is the provider. With
 * Register it is registered at once (WMI learns of it when the device starts, or at once
 * on a started device). UseContextForQuery answers queries with the instance's context
 * without a callback, and then EvtWmiInstanceQueryInstance must be NULL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfwmi/nf-wdfwmi-wdfwmiinstancecreate
 */
WDFAPI NTSTATUS WdfWmiInstanceCreate(WDFDEVICE Device, PWDF_WMI_INSTANCE_CONFIG InstanceConfig,
                                     PWDF_OBJECT_ATTRIBUTES InstanceAttributes, WDFWMIINSTANCE *Instance)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfWmiInstanceCreate");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    FX_DRIVER *driver = device->Object.Driver;
    if (FxWmiIrqlTooHigh(driver, PASSIVE_LEVEL, "WdfWmiInstanceCreate")) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (Instance != NULL) {
        *Instance = NULL;
    }
    if (InstanceConfig == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (InstanceConfig->Size != sizeof(WDF_WMI_INSTANCE_CONFIG)) {
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    /* Exactly one of Provider and ProviderConfig. */
    if ((InstanceConfig->Provider == NULL) == (InstanceConfig->ProviderConfig == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    if (InstanceConfig->UseContextForQuery &&
        (InstanceConfig->EvtWmiInstanceQueryInstance != NULL || InstanceAttributes == NULL ||
         InstanceAttributes->ContextTypeInfo == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = FxValidateAttributes(InstanceAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_WMI_PROVIDER *provider;
    bool createdProvider = false;
    if (InstanceConfig->Provider != NULL) {
        provider = (FX_WMI_PROVIDER *)FxObjectFromHandle(InstanceConfig->Provider, FxTypeWmiProvider,
                                                         "WdfWmiInstanceCreate");
        if (provider == NULL) {
            return STATUS_INVALID_HANDLE;
        }
        if (provider->Device != device) {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
    } else {
        status = FxWmiProviderCreateInternal(device, InstanceConfig->ProviderConfig, NULL, &provider,
                                             "WdfWmiInstanceCreate");
        if (!NT_SUCCESS(status)) {
            return status;
        }
        createdProvider = true;
    }
    if (provider->Config.Flags & WdfWmiProviderTracing) {
        /* A tracing provider has no instances. */
        if (createdProvider) {
            FxObjectDelete(&provider->Object);
        }
        return STATUS_INVALID_PARAMETER;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_WMI_INSTANCE), FxTypeWmiInstance, InstanceAttributes, driver,
                              &FxWmiInstanceOps, &object);
    if (!NT_SUCCESS(status)) {
        if (createdProvider) {
            FxObjectDelete(&provider->Object);
        }
        return status;
    }
    FX_WMI_INSTANCE *instance = (FX_WMI_INSTANCE *)object;
    instance->Provider = provider;
    instance->Config = *InstanceConfig;
    instance->Config.Provider = (WDFWMIPROVIDER)provider;
    instance->Config.ProviderConfig = NULL;
    FxListInit(&instance->ProviderLink);
    FxObjectInsert(object, &provider->Object);
    if (InstanceConfig->Register) {
        status = FxWmiInstanceRegisterInternal(instance);
        if (!NT_SUCCESS(status)) {
            FxObjectDelete(object);
            if (createdProvider) {
                FxObjectDelete(&provider->Object);
            }
            return status;
        }
    }
    if (Instance != NULL) {
        *Instance = (WDFWMIINSTANCE)instance;
    }
    return STATUS_SUCCESS;
}

/*
 * WdfWmiInstanceRegister / Deregister: the instance becomes visible to (or hidden from)
 * WMI clients; the framework tells WMI at once when the device is registered.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfwmi/nf-wdfwmi-wdfwmiinstanceregister
 */
WDFAPI NTSTATUS WdfWmiInstanceRegister(WDFWMIINSTANCE WmiInstance)
{
    FX_WMI_INSTANCE *instance =
        (FX_WMI_INSTANCE *)FxObjectFromHandle(WmiInstance, FxTypeWmiInstance, "WdfWmiInstanceRegister");
    if (instance == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (FxWmiIrqlTooHigh(instance->Object.Driver, PASSIVE_LEVEL, "WdfWmiInstanceRegister")) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    return FxWmiInstanceRegisterInternal(instance);
}

WDFAPI VOID WdfWmiInstanceDeregister(WDFWMIINSTANCE WmiInstance)
{
    FX_WMI_INSTANCE *instance =
        (FX_WMI_INSTANCE *)FxObjectFromHandle(WmiInstance, FxTypeWmiInstance, "WdfWmiInstanceDeregister");
    if (instance == NULL || FxWmiIrqlTooHigh(instance->Object.Driver, PASSIVE_LEVEL, "WdfWmiInstanceDeregister")) {
        return;
    }
    FxWmiInstanceDeregisterInternal(instance, true);
}

WDFAPI WDFDEVICE WdfWmiInstanceGetDevice(WDFWMIINSTANCE WmiInstance)
{
    FX_WMI_INSTANCE *instance =
        (FX_WMI_INSTANCE *)FxObjectFromHandle(WmiInstance, FxTypeWmiInstance, "WdfWmiInstanceGetDevice");
    return instance != NULL ? (WDFDEVICE)instance->Provider->Device : NULL;
}

WDFAPI WDFWMIPROVIDER WdfWmiInstanceGetProvider(WDFWMIINSTANCE WmiInstance)
{
    FX_WMI_INSTANCE *instance =
        (FX_WMI_INSTANCE *)FxObjectFromHandle(WmiInstance, FxTypeWmiInstance, "WdfWmiInstanceGetProvider");
    return instance != NULL ? (WDFWMIPROVIDER)instance->Provider : NULL;
}

/* The index of a registered instance among its provider's (under Device->Lock). */
static ULONG FxWmiInstanceIndexLocked(FX_WMI_INSTANCE *Instance)
{
    ULONG index = 0;
    for (FX_LINK *l = Instance->Provider->Instances.Next; l != &Instance->Provider->Instances; l = l->Next) {
        if (l == &Instance->ProviderLink) {
            break;
        }
        index++;
    }
    return index;
}

/*
 * WdfWmiInstanceFireEvent: sends a WMI event of the instance's block with EventData, as
 * a WNODE_SINGLE_INSTANCE (WNODE_FLAG_EVENT_ITEM) through IoWMIWriteEvent, which frees
 * it. IRQL <= APC_LEVEL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfwmi/nf-wdfwmi-wdfwmiinstancefireevent
 */
WDFAPI NTSTATUS WdfWmiInstanceFireEvent(WDFWMIINSTANCE WmiInstance, ULONG EventDataSize, PVOID EventData)
{
    FX_WMI_INSTANCE *instance =
        (FX_WMI_INSTANCE *)FxObjectFromHandle(WmiInstance, FxTypeWmiInstance, "WdfWmiInstanceFireEvent");
    if (instance == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (FxWmiIrqlTooHigh(instance->Object.Driver, APC_LEVEL, "WdfWmiInstanceFireEvent")) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (EventData == NULL) {
        EventDataSize = 0;
    }
    ULONG offset = (ULONG)FIELD_OFFSET(WNODE_SINGLE_INSTANCE, VariableData);
    ULONG size = offset + EventDataSize;
    if (size < offset) {
        return STATUS_INTEGER_OVERFLOW;
    }
    PWNODE_SINGLE_INSTANCE node = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'imWF');
    if (node == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FX_DEVICE *device = instance->Provider->Device;
    node->WnodeHeader.BufferSize = size;
    node->WnodeHeader.ProviderId = IoWMIDeviceObjectToProviderId(device->Fdo);
    node->WnodeHeader.Guid = instance->Provider->Config.Guid;
    node->WnodeHeader.Flags = WNODE_FLAG_SINGLE_INSTANCE | WNODE_FLAG_EVENT_ITEM | WNODE_FLAG_STATIC_INSTANCE_NAMES;
    KeQuerySystemTime(&node->WnodeHeader.TimeStamp);
    HosMutexLock(&device->Lock);
    node->InstanceIndex = FxWmiInstanceIndexLocked(instance);
    HosMutexUnlock(&device->Lock);
    node->DataBlockOffset = offset;
    node->SizeDataBlock = EventDataSize;
    if (EventDataSize != 0) {
        memcpy((char *)node + offset, EventData, EventDataSize);
    }
    NTSTATUS status = IoWMIWriteEvent(node); /* frees the node when it succeeds */
    if (!NT_SUCCESS(status)) {
        ExFreePool(node);
    }
    return status;
}

/* WdfWmiProviderGetTracingHandle is not exported: the host has no WMI event tracing
   sessions (WdfWmiProviderTracing), and a call is reported as UNIMPLEMENTED_DDI. */

/* ------------------------------------------------------- the device's life */

void FxWmiDeviceStarted(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Lock);
    FxWmiListInitLocked(Device);
    bool any = !FxListEmpty(&Device->WmiProviders) || Device->MofResourceName.Buffer != NULL;
    bool already = Device->WmiRegistered;
    if (any && !already) {
        Device->WmiRegistered = true;
    }
    HosMutexUnlock(&Device->Lock);
    if (any && !already && !NT_SUCCESS(IoWMIRegistrationControl(Device->Fdo, WMIREG_ACTION_REGISTER))) {
        HosMutexLock(&Device->Lock);
        Device->WmiRegistered = false;
        HosMutexUnlock(&Device->Lock);
    }
}

void FxWmiDeviceStopping(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Lock);
    bool registered = Device->WmiRegistered;
    Device->WmiRegistered = false;
    HosMutexUnlock(&Device->Lock);
    if (registered) {
        (void)IoWMIRegistrationControl(Device->Fdo, WMIREG_ACTION_DEREGISTER);
    }
}

void FxWmiDeviceDestroyed(FX_DEVICE *Device)
{
    free(Device->MofResourceName.Buffer);
    Device->MofResourceName.Buffer = NULL;
}

/* -------------------------------------------------------- the WMI IRPs */

static NTSTATUS FxWmiComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* WMI's protocol for a buffer too small: a WNODE_TOO_SMALL with the size needed. */
static NTSTATUS FxWmiTooSmall(PIRP Irp, ULONG SizeNeeded)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.WMI.BufferSize < sizeof(WNODE_TOO_SMALL)) {
        return FxWmiComplete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    }
    PWNODE_TOO_SMALL small = stack->Parameters.WMI.Buffer;
    small->WnodeHeader.BufferSize = sizeof(WNODE_TOO_SMALL);
    small->WnodeHeader.Flags = WNODE_FLAG_TOO_SMALL;
    small->SizeNeeded = SizeNeeded;
    return FxWmiComplete(Irp, STATUS_SUCCESS, sizeof(WNODE_TOO_SMALL));
}

/* IRP_MN_REGINFO(_EX): the device's blocks, WMIREGINFOW followed by the MOF name. */
static NTSTATUS FxWmiRegInfo(FX_DEVICE *Device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    HosMutexLock(&Device->Lock);
    FxWmiListInitLocked(Device);
    ULONG count = 0;
    for (FX_LINK *l = Device->WmiProviders.Next; l != &Device->WmiProviders; l = l->Next) {
        FX_WMI_PROVIDER *p = FX_CONTAINING(l, FX_WMI_PROVIDER, DeviceLink);
        if (p->InstanceCount > 0 || (p->Config.Flags & (WdfWmiProviderEventOnly | WdfWmiProviderTracing))) {
            count++;
        }
    }
    ULONG guidsEnd = (ULONG)(sizeof(WMIREGINFOW) + count * sizeof(WMIREGGUIDW));
    ULONG mofLength = Device->MofResourceName.Length;
    ULONG size = guidsEnd + (mofLength ? sizeof(USHORT) + mofLength : 0);
    if (stack->Parameters.WMI.BufferSize < size) {
        HosMutexUnlock(&Device->Lock);
        if (stack->Parameters.WMI.BufferSize >= sizeof(ULONG)) {
            *(PULONG)stack->Parameters.WMI.Buffer = size;
            return FxWmiComplete(Irp, STATUS_BUFFER_TOO_SMALL, sizeof(ULONG));
        }
        return FxWmiComplete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
    }
    PWMIREGINFOW info = stack->Parameters.WMI.Buffer;
    memset(info, 0, size);
    info->BufferSize = size;
    info->GuidCount = count;
    ULONG i = 0;
    for (FX_LINK *l = Device->WmiProviders.Next; l != &Device->WmiProviders; l = l->Next) {
        FX_WMI_PROVIDER *p = FX_CONTAINING(l, FX_WMI_PROVIDER, DeviceLink);
        if (!(p->InstanceCount > 0 || (p->Config.Flags & (WdfWmiProviderEventOnly | WdfWmiProviderTracing)))) {
            continue;
        }
        PWMIREGGUIDW g = &info->WmiRegGuid[i++];
        g->Guid = p->Config.Guid;
        g->InstanceCount = p->InstanceCount;
        g->Flags = WMIREG_FLAG_INSTANCE_PDO;
        if (p->Config.Flags & WdfWmiProviderExpensive) {
            g->Flags |= WMIREG_FLAG_EXPENSIVE;
        }
        if (p->Config.Flags & WdfWmiProviderEventOnly) {
            g->Flags |= WMIREG_FLAG_EVENT_ONLY_GUID;
        }
        if (p->Config.Flags & WdfWmiProviderTracing) {
            g->Flags = WMIREG_FLAG_TRACED_GUID | WMIREG_FLAG_TRACE_CONTROL_GUID;
        }
        g->Pdo = (ULONG_PTR)Device->Pdo;
    }
    if (mofLength) {
        info->MofResourceName = guidsEnd;
        USHORT *counted = (USHORT *)((char *)info + guidsEnd);
        counted[0] = (USHORT)mofLength;
        memcpy(counted + 1, Device->MofResourceName.Buffer, mofLength);
    }
    HosMutexUnlock(&Device->Lock);
    return FxWmiComplete(Irp, STATUS_SUCCESS, size);
}

/* The registered instance at Index of Provider, referenced; NULL when there is none. */
static FX_WMI_INSTANCE *FxWmiInstanceAt(FX_WMI_PROVIDER *Provider, ULONG Index)
{
    FX_WMI_INSTANCE *found = NULL;
    HosMutexLock(&Provider->Device->Lock);
    ULONG i = 0;
    for (FX_LINK *l = Provider->Instances.Next; l != &Provider->Instances; l = l->Next, i++) {
        if (i == Index) {
            found = FX_CONTAINING(l, FX_WMI_INSTANCE, ProviderLink);
            FxObjectReference(&found->Object);
            break;
        }
    }
    HosMutexUnlock(&Provider->Device->Lock);
    return found;
}

/* The WNODE header's instance index, when the buffer holds one. */
static bool FxWmiNodeFits(PIO_STACK_LOCATION Stack, ULONG HeaderSize)
{
    return Stack->Parameters.WMI.Buffer != NULL && Stack->Parameters.WMI.BufferSize >= HeaderSize;
}

static NTSTATUS FxWmiSingleInstanceIrp(FX_WMI_PROVIDER *Provider, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    FX_DRIVER *driver = Provider->Object.Driver;
    ULONG bufferSize = stack->Parameters.WMI.BufferSize;
    UCHAR minor = stack->MinorFunction;
    ULONG headerSize = minor == IRP_MN_CHANGE_SINGLE_ITEM ? (ULONG)FIELD_OFFSET(WNODE_SINGLE_ITEM, VariableData)
                       : minor == IRP_MN_EXECUTE_METHOD   ? (ULONG)FIELD_OFFSET(WNODE_METHOD_ITEM, VariableData)
                                                          : (ULONG)FIELD_OFFSET(WNODE_SINGLE_INSTANCE, VariableData);
    if (!FxWmiNodeFits(stack, headerSize)) {
        return FxWmiComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    /* InstanceIndex sits at the same place in the three WNODE forms. */
    PWNODE_SINGLE_INSTANCE single = stack->Parameters.WMI.Buffer;
    FX_WMI_INSTANCE *instance = FxWmiInstanceAt(Provider, single->InstanceIndex);
    if (instance == NULL) {
        return FxWmiComplete(Irp, STATUS_WMI_INSTANCE_NOT_FOUND, 0);
    }
    WDF_WMI_INSTANCE_CONFIG *config = &instance->Config;
    ULONG min = Provider->Config.MinInstanceBufferSize;
    FX_CALLBACK_FRAME frame;
    NTSTATUS status;
    ULONG_PTR information = 0;
    switch (minor) {
    case IRP_MN_QUERY_SINGLE_INSTANCE: {
        ULONG offset = single->DataBlockOffset;
        if (offset < headerSize || offset > bufferSize) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        ULONG room = bufferSize - offset;
        PVOID data = (char *)single + offset;
        ULONG used = 0;
        if (config->EvtWmiInstanceQueryInstance == NULL && !config->UseContextForQuery) {
            status = STATUS_INVALID_DEVICE_REQUEST;
            break;
        }
        if (config->UseContextForQuery) {
            /* The first context of the instance is the block (its declared size). */
            FX_CONTEXT *context = instance->Object.Contexts;
            used = context != NULL ? (ULONG)context->TypeInfo->ContextSize : 0;
            if (room < used) {
                status = FxWmiTooSmall(Irp, offset + used);
                FxObjectDereference(&instance->Object);
                return status;
            }
            if (used != 0) {
                memcpy(data, context->Data, used);
            }
            status = STATUS_SUCCESS;
        } else if (room < min) {
            status = FxWmiTooSmall(Irp, offset + min);
            FxObjectDereference(&instance->Object);
            return status;
        } else {
            FxCallbackEnter(&frame, driver, NULL, "EvtWmiInstanceQueryInstance", instance);
            status = config->EvtWmiInstanceQueryInstance((WDFWMIINSTANCE)instance, room, data, &used);
            FxCallbackLeave(&frame);
            if (status == STATUS_BUFFER_TOO_SMALL || (NT_SUCCESS(status) && used > room)) {
                status = FxWmiTooSmall(Irp, offset + used);
                FxObjectDereference(&instance->Object);
                return status;
            }
        }
        if (NT_SUCCESS(status)) {
            single->SizeDataBlock = used;
            single->WnodeHeader.BufferSize = offset + used;
            KeQuerySystemTime(&single->WnodeHeader.TimeStamp);
            information = offset + used;
        }
        break;
    }
    case IRP_MN_CHANGE_SINGLE_INSTANCE: {
        ULONG offset = single->DataBlockOffset;
        if (offset < headerSize || offset > bufferSize || single->SizeDataBlock > bufferSize - offset) {
            status = STATUS_INVALID_PARAMETER;
        } else if (config->EvtWmiInstanceSetInstance == NULL) {
            status = STATUS_WMI_READ_ONLY;
        } else if (single->SizeDataBlock < min) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            FxCallbackEnter(&frame, driver, NULL, "EvtWmiInstanceSetInstance", instance);
            status = config->EvtWmiInstanceSetInstance((WDFWMIINSTANCE)instance, single->SizeDataBlock,
                                                       (char *)single + offset);
            FxCallbackLeave(&frame);
        }
        /* WMI expects STATUS_WMI_SET_FAILURE for a set whose buffer size is wrong. */
        if (status == STATUS_BUFFER_TOO_SMALL) {
            status = STATUS_WMI_SET_FAILURE;
        }
        break;
    }
    case IRP_MN_CHANGE_SINGLE_ITEM: {
        PWNODE_SINGLE_ITEM item = stack->Parameters.WMI.Buffer;
        ULONG offset = item->DataBlockOffset;
        if (offset < headerSize || offset > bufferSize || item->SizeDataItem > bufferSize - offset) {
            status = STATUS_INVALID_PARAMETER;
        } else if (config->EvtWmiInstanceSetItem == NULL) {
            status = STATUS_WMI_READ_ONLY;
        } else {
            FxCallbackEnter(&frame, driver, NULL, "EvtWmiInstanceSetItem", instance);
            status = config->EvtWmiInstanceSetItem((WDFWMIINSTANCE)instance, item->ItemId, item->SizeDataItem,
                                                   (char *)item + offset);
            FxCallbackLeave(&frame);
        }
        if (status == STATUS_BUFFER_TOO_SMALL) {
            status = STATUS_WMI_SET_FAILURE;
        }
        break;
    }
    case IRP_MN_EXECUTE_METHOD: {
        PWNODE_METHOD_ITEM method = stack->Parameters.WMI.Buffer;
        ULONG offset = method->DataBlockOffset;
        if (offset < headerSize || offset > bufferSize || method->SizeDataBlock > bufferSize - offset) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        if (config->EvtWmiInstanceExecuteMethod == NULL) {
            status = STATUS_INVALID_DEVICE_REQUEST;
            break;
        }
        ULONG room = bufferSize - offset;
        ULONG used = 0;
        FxCallbackEnter(&frame, driver, NULL, "EvtWmiInstanceExecuteMethod", instance);
        status = config->EvtWmiInstanceExecuteMethod((WDFWMIINSTANCE)instance, method->MethodId,
                                                     method->SizeDataBlock, room, (char *)method + offset, &used);
        FxCallbackLeave(&frame);
        if (status == STATUS_BUFFER_TOO_SMALL || (NT_SUCCESS(status) && used > room)) {
            status = FxWmiTooSmall(Irp, offset + used);
            FxObjectDereference(&instance->Object);
            return status;
        }
        if (NT_SUCCESS(status)) {
            method->SizeDataBlock = used;
            method->WnodeHeader.BufferSize = offset + used;
            information = offset + used;
        }
        break;
    }
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    FxObjectDereference(&instance->Object);
    if (status == STATUS_PENDING) {
        /* The WMI callbacks are synchronous: a pending status is a driver bug. */
        status = STATUS_UNSUCCESSFUL;
    }
    return FxWmiComplete(Irp, status, NT_SUCCESS(status) ? information : 0);
}

#define FX_WMI_ALIGN(x) (((x) + 7u) & ~7u)

/*
 * IRP_MN_QUERY_ALL_DATA: every registered instance's data in one WNODE_ALL_DATA, each
 * instance's data 8-byte aligned and described in OffsetInstanceDataAndLength; names
 * are static (the PDO's, by index). A buffer too small for all of them: WNODE_TOO_SMALL
 * with the size that would have been needed.
 */
static NTSTATUS FxWmiAllData(FX_WMI_PROVIDER *Provider, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (!FxWmiNodeFits(stack, (ULONG)FIELD_OFFSET(WNODE_ALL_DATA, OffsetInstanceDataAndLength))) {
        return FxWmiComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    ULONG bufferSize = stack->Parameters.WMI.BufferSize;
    PWNODE_ALL_DATA all = stack->Parameters.WMI.Buffer;
    HosMutexLock(&Provider->Device->Lock);
    ULONG count = Provider->InstanceCount;
    HosMutexUnlock(&Provider->Device->Lock);
    ULONG offset = FX_WMI_ALIGN((ULONG)FIELD_OFFSET(WNODE_ALL_DATA, OffsetInstanceDataAndLength) +
                                count * (ULONG)sizeof(OFFSETINSTANCEDATAANDLENGTH));
    ULONG first = offset;
    bool tooSmall = offset > bufferSize;
    NTSTATUS status = STATUS_SUCCESS;
    for (ULONG i = 0; i < count && NT_SUCCESS(status); i++) {
        FX_WMI_INSTANCE *instance = FxWmiInstanceAt(Provider, i);
        if (instance == NULL) {
            count = i; /* deregistered meanwhile */
            break;
        }
        ULONG room = (!tooSmall && offset <= bufferSize) ? bufferSize - offset : 0;
        ULONG used = 0;
        WDF_WMI_INSTANCE_CONFIG *config = &instance->Config;
        if (config->UseContextForQuery) {
            FX_CONTEXT *context = instance->Object.Contexts;
            used = context != NULL ? (ULONG)context->TypeInfo->ContextSize : 0;
            if (used <= room && used != 0) {
                memcpy((char *)all + offset, context->Data, used);
            }
        } else if (config->EvtWmiInstanceQueryInstance == NULL) {
            status = STATUS_INVALID_DEVICE_REQUEST;
        } else if (room < Provider->Config.MinInstanceBufferSize) {
            used = Provider->Config.MinInstanceBufferSize;
        } else {
            FX_CALLBACK_FRAME frame;
            FxCallbackEnter(&frame, Provider->Object.Driver, NULL, "EvtWmiInstanceQueryInstance", instance);
            status = config->EvtWmiInstanceQueryInstance((WDFWMIINSTANCE)instance, room, (char *)all + offset, &used);
            FxCallbackLeave(&frame);
            if (status == STATUS_BUFFER_TOO_SMALL) {
                status = STATUS_SUCCESS;
                used = used > room ? used : room + 1;
            }
        }
        FxObjectDereference(&instance->Object);
        if (!NT_SUCCESS(status)) {
            break;
        }
        if (used > room || tooSmall) {
            tooSmall = true;
        } else {
            all->OffsetInstanceDataAndLength[i].OffsetInstanceData = offset;
            all->OffsetInstanceDataAndLength[i].LengthInstanceData = used;
        }
        offset = FX_WMI_ALIGN(offset + used);
    }
    if (!NT_SUCCESS(status)) {
        return FxWmiComplete(Irp, status == STATUS_PENDING ? STATUS_UNSUCCESSFUL : status, 0);
    }
    if (tooSmall) {
        return FxWmiTooSmall(Irp, offset);
    }
    all->DataBlockOffset = first;
    all->InstanceCount = count;
    all->OffsetInstanceNameOffsets = 0;
    all->WnodeHeader.Flags |= WNODE_FLAG_ALL_DATA | WNODE_FLAG_STATIC_INSTANCE_NAMES;
    all->WnodeHeader.Flags &= ~(ULONG)WNODE_FLAG_FIXED_INSTANCE_SIZE;
    all->WnodeHeader.BufferSize = offset;
    KeQuerySystemTime(&all->WnodeHeader.TimeStamp);
    return FxWmiComplete(Irp, STATUS_SUCCESS, offset);
}

/* IRP_MN_ENABLE/DISABLE_EVENTS and _COLLECTION: EvtWmiProviderFunctionControl. */
static NTSTATUS FxWmiFunctionControl(FX_WMI_PROVIDER *Provider, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (!FxWmiNodeFits(stack, sizeof(WNODE_HEADER))) {
        return FxWmiComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    UCHAR minor = stack->MinorFunction;
    bool enable = minor == IRP_MN_ENABLE_EVENTS || minor == IRP_MN_ENABLE_COLLECTION;
    WDF_WMI_PROVIDER_CONTROL control =
        (minor == IRP_MN_ENABLE_EVENTS || minor == IRP_MN_DISABLE_EVENTS) ? WdfWmiEventControl : WdfWmiInstanceControl;
    HosMutexLock(&Provider->Device->Lock);
    if (control == WdfWmiEventControl) {
        Provider->EventsEnabled = enable;
    } else {
        Provider->CollectionEnabled = enable;
    }
    HosMutexUnlock(&Provider->Device->Lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (Provider->Config.EvtWmiProviderFunctionControl != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, Provider->Object.Driver, NULL, "EvtWmiProviderFunctionControl", Provider);
        status = Provider->Config.EvtWmiProviderFunctionControl((WDFWMIPROVIDER)Provider, control,
                                                                enable ? TRUE : FALSE);
        FxCallbackLeave(&frame);
    }
    return FxWmiComplete(Irp, status, 0);
}

/*
 * IRP_MJ_SYSTEM_CONTROL. An IRP for another provider (Parameters.WMI.ProviderId is not
 * this device object) goes down the stack, or, at the bottom, is completed unchanged.
 */
NTSTATUS FxWmiDispatch(FX_DEVICE *Device, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.WMI.ProviderId != (ULONG_PTR)Device->Fdo) {
        if (Device->Lower != NULL) {
            IoSkipCurrentIrpStackLocation(Irp);
            return IoCallDriver(Device->Lower, Irp);
        }
        NTSTATUS status = Irp->IoStatus.Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    UCHAR minor = stack->MinorFunction;
    if (minor == IRP_MN_REGINFO || minor == IRP_MN_REGINFO_EX) {
        if (stack->Parameters.WMI.Buffer == NULL) {
            return FxWmiComplete(Irp, STATUS_INVALID_PARAMETER, 0);
        }
        return FxWmiRegInfo(Device, Irp);
    }
    if (minor > IRP_MN_EXECUTE_METHOD || stack->Parameters.WMI.DataPath == NULL) {
        return FxWmiComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
    FX_WMI_PROVIDER *provider = FxWmiFindProvider(Device, (const GUID *)stack->Parameters.WMI.DataPath);
    if (provider == NULL) {
        return FxWmiComplete(Irp, STATUS_WMI_GUID_NOT_FOUND, 0);
    }
    NTSTATUS status;
    switch (minor) {
    case IRP_MN_QUERY_SINGLE_INSTANCE:
    case IRP_MN_CHANGE_SINGLE_INSTANCE:
    case IRP_MN_CHANGE_SINGLE_ITEM:
    case IRP_MN_EXECUTE_METHOD:
        status = FxWmiSingleInstanceIrp(provider, Irp);
        break;
    case IRP_MN_ENABLE_EVENTS:
    case IRP_MN_DISABLE_EVENTS:
    case IRP_MN_ENABLE_COLLECTION:
    case IRP_MN_DISABLE_COLLECTION:
        status = FxWmiFunctionControl(provider, Irp);
        break;
    case IRP_MN_QUERY_ALL_DATA:
        status = FxWmiAllData(provider, Irp);
        break;
    default:
        status = FxWmiComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
        break;
    }
    FxObjectDereference(&provider->Object);
    return status;
}
