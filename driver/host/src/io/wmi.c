/*
 * wmi.c - the kernel's WMI side: IoWMIRegistrationControl, IoWMIWriteEvent,
 * IoWMIDeviceObjectToProviderId, and the host's WMI client API (kmdfhost.h,
 * KmdfHostWmi*), which does what the WMI service does on Windows: it asks each
 * registered device for its data blocks (IRP_MN_REGINFO_EX) and sends the WMI IRPs of
 * IRP_MJ_SYSTEM_CONTROL with their WNODE buffers to the device's stack.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/wmi-irps
 *
 * Instance names are static and by index (WNODE_FLAG_STATIC_INSTANCE_NAMES), as for
 * devices that register WMIREG_FLAG_INSTANCE_PDO (KMDF's). Locking: the list of
 * registered devices is under KhIoLock; no driver routine is called with it held.
 */
#include <stdlib.h>
#include <string.h>

#include <wmistr.h>

#include "io/iop.h"

typedef struct _KH_WMI_REGISTRATION {
    LIST_ENTRY Link;
    PDEVICE_OBJECT Device;
} KH_WMI_REGISTRATION;

static LIST_ENTRY KhWmiRegistrations = {&KhWmiRegistrations, &KhWmiRegistrations};

/* A data block object of IoWMIOpenBlock: closed by ObDereferenceObject. */
typedef struct _KH_WMI_DATA_BLOCK {
    CSHORT Type; /* KH_WMI_BLOCK_OBJECT_TYPE */
    CSHORT Size;
    volatile LONG References; /* under KhIoLock */
    LIST_ENTRY Link;          /* KhWmiBlocks, under KhIoLock */
    GUID Guid;
    ULONG DesiredAccess;
    WMI_NOTIFICATION_CALLBACK Callback;
    PVOID Context;
} KH_WMI_DATA_BLOCK;

static LIST_ENTRY KhWmiBlocks = {&KhWmiBlocks, &KhWmiBlocks};
static KH_WMI_EVENT_CALLBACK *KhWmiEventCallback;
static void *KhWmiEventContext;

static KH_WMI_REGISTRATION *KhWmiFindLocked(PDEVICE_OBJECT Device)
{
    for (PLIST_ENTRY l = KhWmiRegistrations.Flink; l != &KhWmiRegistrations; l = l->Flink) {
        KH_WMI_REGISTRATION *r = CONTAINING_RECORD(l, KH_WMI_REGISTRATION, Link);
        if (r->Device == Device) {
            return r;
        }
    }
    return NULL;
}

/*
 * IoWMIRegistrationControl: REGISTER makes the device a WMI data provider (WMI then
 * asks it for its blocks with IRP_MN_REGINFO_EX); DEREGISTER ends that, and the device
 * gets no more WMI IRPs; UPDATE_GUIDS and REREGISTER say the blocks changed (the host
 * asks for them whenever a client looks, so nothing is kept to refresh).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiregistrationcontrol
 */
NTKERNELAPI NTSTATUS NTAPI IoWMIRegistrationControl(PDEVICE_OBJECT DeviceObject, ULONG Action)
{
    if (DeviceObject == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status;
    HosMutexLock(&KhIoLock);
    KH_WMI_REGISTRATION *found = KhWmiFindLocked(DeviceObject);
    switch (Action) {
    case WMIREG_ACTION_REGISTER: {
        if (found != NULL) {
            status = STATUS_OBJECT_NAME_EXISTS;
            break;
        }
        KH_WMI_REGISTRATION *r = calloc(1, sizeof(*r));
        if (r == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        r->Device = DeviceObject;
        KhDeviceReference(DeviceObject);
        InsertTailList(&KhWmiRegistrations, &r->Link);
        status = STATUS_SUCCESS;
        break;
    }
    case WMIREG_ACTION_DEREGISTER:
        if (found == NULL) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        RemoveEntryList(&found->Link);
        HosMutexUnlock(&KhIoLock);
        KhDeviceDereference(found->Device);
        free(found);
        return STATUS_SUCCESS;
    case WMIREG_ACTION_REREGISTER:
    case WMIREG_ACTION_UPDATE_GUIDS:
        status = found != NULL ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
        break;
    default:
        /* WMIREG_ACTION_BLOCK_IRPS and the callback form (WMIREG_FLAG_CALLBACK). */
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    HosMutexUnlock(&KhIoLock);
    return status;
}

/* The provider id WMI gives a device's events and WNODEs (the low 32 bits of its
   address, as 64-bit Windows does). */
NTKERNELAPI ULONG NTAPI IoWMIDeviceObjectToProviderId(PDEVICE_OBJECT DeviceObject)
{
    return (ULONG)(ULONG_PTR)DeviceObject;
}

/*
 * IoWMIWriteEvent: delivers a WMI event (a WNODE_EVENT_ITEM, or a WNODE_SINGLE_INSTANCE
 * with WNODE_FLAG_EVENT_ITEM) to the consumers, and frees it when it succeeds: the
 * caller allocated it from nonpaged pool and must not touch it afterwards.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiwriteevent
 */
NTKERNELAPI NTSTATUS NTAPI IoWMIWriteEvent(PVOID WnodeEventItem)
{
    PWNODE_HEADER header = WnodeEventItem;
    if (header == NULL || header->BufferSize < sizeof(WNODE_HEADER) || !(header->Flags & WNODE_FLAG_EVENT_ITEM)) {
        return STATUS_INVALID_PARAMETER;
    }
    const void *data = (const char *)header + sizeof(WNODE_HEADER);
    ULONG size = header->BufferSize - (ULONG)sizeof(WNODE_HEADER);
    ULONG index = 0xFFFFFFFFu;
    if (header->Flags & WNODE_FLAG_SINGLE_INSTANCE) {
        PWNODE_SINGLE_INSTANCE single = WnodeEventItem;
        if (header->BufferSize < FIELD_OFFSET(WNODE_SINGLE_INSTANCE, VariableData) ||
            single->DataBlockOffset > header->BufferSize ||
            single->SizeDataBlock > header->BufferSize - single->DataBlockOffset) {
            return STATUS_INVALID_PARAMETER;
        }
        data = (const char *)single + single->DataBlockOffset;
        size = single->SizeDataBlock;
        /* An instance named by index; a dynamic name (OffsetInstanceName) has none. */
        if (header->Flags & WNODE_FLAG_STATIC_INSTANCE_NAMES) {
            index = single->InstanceIndex;
        }
    }
    HosMutexLock(&KhIoLock);
    KH_WMI_EVENT_CALLBACK *callback = KhWmiEventCallback;
    void *context = KhWmiEventContext;
    /* The kernel-mode consumers (IoWMISetNotificationCallback) of this GUID. */
    size_t count = 0;
    for (PLIST_ENTRY l = KhWmiBlocks.Flink; l != &KhWmiBlocks; l = l->Flink) {
        KH_WMI_DATA_BLOCK *b = CONTAINING_RECORD(l, KH_WMI_DATA_BLOCK, Link);
        count += b->Callback != NULL && memcmp(&b->Guid, &header->Guid, sizeof(GUID)) == 0;
    }
    KH_WMI_DATA_BLOCK **consumers = count ? calloc(count, sizeof(*consumers)) : NULL;
    size_t n = 0;
    if (consumers != NULL) {
        for (PLIST_ENTRY l = KhWmiBlocks.Flink; l != &KhWmiBlocks; l = l->Flink) {
            KH_WMI_DATA_BLOCK *b = CONTAINING_RECORD(l, KH_WMI_DATA_BLOCK, Link);
            if (b->Callback != NULL && memcmp(&b->Guid, &header->Guid, sizeof(GUID)) == 0) {
                b->References++;
                consumers[n++] = b;
            }
        }
    }
    HosMutexUnlock(&KhIoLock);
    for (size_t i = 0; i < n; i++) {
        consumers[i]->Callback(WnodeEventItem, consumers[i]->Context);
        KhWmiBlockDereference(consumers[i]);
    }
    free(consumers);
    if (callback != NULL) {
        callback(context, (const uint8_t *)&header->Guid, index, data, size);
    }
    ExFreePool(WnodeEventItem);
    return STATUS_SUCCESS;
}

/*
 * IoWMIOpenBlock: a data block object for the WMI class Guid, whatever provides it (or
 * none yet: an event consumer may open before the provider starts). With
 * WMIGUID_NOTIFICATION it takes an event callback (IoWMISetNotificationCallback); the
 * caller closes it with ObDereferenceObject. The IoWMIQuery and IoWMISet routines on it
 * are not part of the host (they report UNIMPLEMENTED_DDI when called).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmiopenblock
 */
NTKERNELAPI NTSTATUS NTAPI IoWMIOpenBlock(LPCGUID Guid, ULONG DesiredAccess, PVOID *DataBlockObject)
{
    if (Guid == NULL || DataBlockObject == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *DataBlockObject = NULL;
    KH_WMI_DATA_BLOCK *block = calloc(1, sizeof(*block));
    if (block == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    block->Type = KH_WMI_BLOCK_OBJECT_TYPE;
    block->Size = (CSHORT)sizeof(*block);
    block->References = 1;
    block->Guid = *Guid;
    block->DesiredAccess = DesiredAccess;
    HosMutexLock(&KhIoLock);
    InsertTailList(&KhWmiBlocks, &block->Link);
    HosMutexUnlock(&KhIoLock);
    *DataBlockObject = block;
    return STATUS_SUCCESS;
}

/*
 * IoWMISetNotificationCallback: Callback(Wnode, Context) runs for each event of the
 * block's GUID (the WNODE_EVENT_ITEM the provider wrote); a NULL Callback stops them.
 * The object must have been opened with WMIGUID_NOTIFICATION (else
 * STATUS_ACCESS_DENIED).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowmisetnotificationcallback
 */
NTKERNELAPI NTSTATUS NTAPI IoWMISetNotificationCallback(PVOID Object, WMI_NOTIFICATION_CALLBACK Callback,
                                                        PVOID Context)
{
    KH_WMI_DATA_BLOCK *block = Object;
    if (block == NULL || block->Type != KH_WMI_BLOCK_OBJECT_TYPE) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!(block->DesiredAccess & WMIGUID_NOTIFICATION)) {
        return STATUS_ACCESS_DENIED;
    }
    HosMutexLock(&KhIoLock);
    block->Callback = Callback;
    block->Context = Context;
    HosMutexUnlock(&KhIoLock);
    return STATUS_SUCCESS;
}

void KhWmiBlockReference(PVOID Object)
{
    KH_WMI_DATA_BLOCK *block = Object;
    HosMutexLock(&KhIoLock);
    block->References++;
    HosMutexUnlock(&KhIoLock);
}

void KhWmiBlockDereference(PVOID Object)
{
    KH_WMI_DATA_BLOCK *block = Object;
    HosMutexLock(&KhIoLock);
    bool last = --block->References == 0;
    if (last) {
        RemoveEntryList(&block->Link);
    }
    HosMutexUnlock(&KhIoLock);
    if (last) {
        free(block);
    }
}

KMDFHOST_API void KmdfHostWmiSetEventCallback(KH_WMI_EVENT_CALLBACK *Callback, void *Context)
{
    HosMutexLock(&KhIoLock);
    KhWmiEventCallback = Callback;
    KhWmiEventContext = Context;
    HosMutexUnlock(&KhIoLock);
}

/* ------------------------------------------------------------- the client side */

/* The registered devices, each referenced, in registration order. */
static size_t KhWmiSnapshot(PDEVICE_OBJECT **Devices)
{
    HosMutexLock(&KhIoLock);
    size_t count = 0;
    for (PLIST_ENTRY l = KhWmiRegistrations.Flink; l != &KhWmiRegistrations; l = l->Flink) {
        count++;
    }
    PDEVICE_OBJECT *devices = calloc(count ? count : 1, sizeof(*devices));
    size_t i = 0;
    if (devices != NULL) {
        for (PLIST_ENTRY l = KhWmiRegistrations.Flink; l != &KhWmiRegistrations; l = l->Flink) {
            devices[i] = CONTAINING_RECORD(l, KH_WMI_REGISTRATION, Link)->Device;
            KhDeviceReference(devices[i]);
            i++;
        }
    }
    HosMutexUnlock(&KhIoLock);
    *Devices = devices;
    return i;
}

static void KhWmiRelease(PDEVICE_OBJECT *Devices, size_t Count)
{
    for (size_t i = 0; i < Count; i++) {
        KhDeviceDereference(Devices[i]);
    }
    free(Devices);
}

typedef struct _KH_WMI_IRP {
    PDEVICE_OBJECT Provider;
    const GUID *Guid;
    void *Buffer;
    ULONG BufferSize;
} KH_WMI_IRP;

static void KhWmiFill(PIO_STACK_LOCATION Stack, void *Context)
{
    KH_WMI_IRP *request = Context;
    Stack->Parameters.WMI.ProviderId = (ULONG_PTR)request->Provider;
    Stack->Parameters.WMI.DataPath = (PVOID)request->Guid;
    Stack->Parameters.WMI.BufferSize = request->BufferSize;
    Stack->Parameters.WMI.Buffer = request->Buffer;
}

static NTSTATUS KhWmiSend(PDEVICE_OBJECT Device, UCHAR Minor, const GUID *Guid, void *Buffer, ULONG BufferSize,
                          ULONG_PTR *Information)
{
    KH_WMI_IRP request = {Device, Guid, Buffer, BufferSize};
    ULONG_PTR information = 0;
    NTSTATUS status = KhIoSendSynchronous(Device, IRP_MJ_SYSTEM_CONTROL, Minor, NULL, KhWmiFill, &request, &information);
    if (Information != NULL) {
        *Information = information;
    }
    return status;
}

/* The device's registration information (IRP_MN_REGINFO_EX), malloc'ed; NULL on error. */
static PWMIREGINFOW KhWmiRegInfo(PDEVICE_OBJECT Device)
{
    ULONG size = 512;
    for (int attempt = 0; attempt < 4; attempt++) {
        PWMIREGINFOW info = calloc(1, size);
        if (info == NULL) {
            return NULL;
        }
        ULONG_PTR information = 0;
        NTSTATUS status = KhWmiSend(Device, IRP_MN_REGINFO_EX, NULL, info, size, &information);
        if (NT_SUCCESS(status) && information >= sizeof(WMIREGINFOW) &&
            info->GuidCount <= (information - sizeof(WMIREGINFOW)) / sizeof(WMIREGGUIDW)) {
            return info;
        }
        ULONG needed = information == sizeof(ULONG) ? *(PULONG)info : 0;
        free(info);
        if (status != STATUS_BUFFER_TOO_SMALL || needed <= size) {
            return NULL;
        }
        size = needed;
    }
    return NULL;
}

/* The instances of Guid that Device provides (0: none; *Flags its WMIREG flags). */
static ULONG KhWmiInstancesOf(PDEVICE_OBJECT Device, const GUID *Guid, ULONG *Flags, bool *Provides)
{
    PWMIREGINFOW info = KhWmiRegInfo(Device);
    ULONG count = 0;
    *Provides = false;
    if (info != NULL) {
        for (ULONG i = 0; i < info->GuidCount; i++) {
            if (memcmp(&info->WmiRegGuid[i].Guid, Guid, sizeof(GUID)) == 0) {
                count = info->WmiRegGuid[i].InstanceCount;
                if (Flags != NULL) {
                    *Flags = info->WmiRegGuid[i].Flags;
                }
                *Provides = true;
                break;
            }
        }
        free(info);
    }
    return count;
}

KMDFHOST_API KH_STATUS KmdfHostWmiListBlocks(KH_WMI_BLOCK *Blocks, size_t Capacity, size_t *Count)
{
    if (Count == NULL || (Blocks == NULL && Capacity != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    PDEVICE_OBJECT *devices;
    size_t ndevices = KhWmiSnapshot(&devices);
    if (devices == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    size_t count = 0;
    KH_WMI_BLOCK *seen = NULL;
    for (size_t d = 0; d < ndevices; d++) {
        PWMIREGINFOW info = KhWmiRegInfo(devices[d]);
        if (info == NULL) {
            continue;
        }
        for (ULONG i = 0; i < info->GuidCount; i++) {
            size_t j;
            for (j = 0; j < count; j++) {
                if (memcmp(seen[j].Guid, &info->WmiRegGuid[i].Guid, 16) == 0) {
                    break;
                }
            }
            if (j == count) {
                KH_WMI_BLOCK *bigger = realloc(seen, (count + 1) * sizeof(*seen));
                if (bigger == NULL) {
                    continue;
                }
                seen = bigger;
                memset(&seen[count], 0, sizeof(*seen));
                memcpy(seen[count].Guid, &info->WmiRegGuid[i].Guid, 16);
                seen[count].Flags = info->WmiRegGuid[i].Flags;
                count++;
            }
            seen[j].InstanceCount += info->WmiRegGuid[i].InstanceCount;
        }
        free(info);
    }
    KhWmiRelease(devices, ndevices);
    *Count = count;
    if (count > Capacity) {
        free(seen);
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (count != 0) {
        memcpy(Blocks, seen, count * sizeof(*seen));
    }
    free(seen);
    return STATUS_SUCCESS;
}

/* Finds the device that provides instance Index of Guid (referenced) and its own index
   of it; STATUS_WMI_GUID_NOT_FOUND / STATUS_WMI_INSTANCE_NOT_FOUND otherwise. */
static NTSTATUS KhWmiLocate(const GUID *Guid, ULONG Index, PDEVICE_OBJECT *Device, ULONG *LocalIndex)
{
    PDEVICE_OBJECT *devices;
    size_t ndevices = KhWmiSnapshot(&devices);
    if (devices == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;
    for (size_t d = 0; d < ndevices; d++) {
        bool provides;
        ULONG count = KhWmiInstancesOf(devices[d], Guid, NULL, &provides);
        if (!provides) {
            continue;
        }
        status = STATUS_WMI_INSTANCE_NOT_FOUND;
        if (Index < count) {
            *Device = devices[d];
            KhDeviceReference(devices[d]);
            *LocalIndex = Index;
            status = STATUS_SUCCESS;
            break;
        }
        Index -= count;
    }
    KhWmiRelease(devices, ndevices);
    return status;
}

#define KH_WMI_ALIGN(x) (((x) + 7u) & ~7u)

KMDFHOST_API KH_STATUS KmdfHostWmiQueryInstance(const uint8_t Guid[16], uint32_t InstanceIndex, void *Buffer,
                                                uint32_t BufferSize, uint32_t *DataSize)
{
    if (Guid == NULL || DataSize == NULL || (Buffer == NULL && BufferSize != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    *DataSize = 0;
    GUID guid;
    memcpy(&guid, Guid, sizeof(guid));
    PDEVICE_OBJECT device;
    ULONG index;
    NTSTATUS status = KhWmiLocate(&guid, InstanceIndex, &device, &index);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ULONG offset = KH_WMI_ALIGN((ULONG)FIELD_OFFSET(WNODE_SINGLE_INSTANCE, VariableData));
    ULONG size = offset + BufferSize;
    if (size < sizeof(WNODE_TOO_SMALL)) {
        size = sizeof(WNODE_TOO_SMALL);
    }
    PWNODE_SINGLE_INSTANCE node = calloc(1, size);
    if (node == NULL) {
        KhDeviceDereference(device);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    node->WnodeHeader.BufferSize = size;
    node->WnodeHeader.ProviderId = IoWMIDeviceObjectToProviderId(device);
    node->WnodeHeader.Guid = guid;
    node->WnodeHeader.Flags = WNODE_FLAG_SINGLE_INSTANCE | WNODE_FLAG_STATIC_INSTANCE_NAMES;
    node->InstanceIndex = index;
    node->DataBlockOffset = offset;
    status = KhWmiSend(device, IRP_MN_QUERY_SINGLE_INSTANCE, &guid, node, size, NULL);
    if (NT_SUCCESS(status)) {
        if (node->WnodeHeader.Flags & WNODE_FLAG_TOO_SMALL) {
            PWNODE_TOO_SMALL small = (PWNODE_TOO_SMALL)node;
            *DataSize = small->SizeNeeded > offset ? small->SizeNeeded - offset : 0;
            status = STATUS_BUFFER_TOO_SMALL;
        } else if (node->SizeDataBlock > BufferSize || node->DataBlockOffset + node->SizeDataBlock > size) {
            status = STATUS_INVALID_PARAMETER; /* a driver that wrote past what it was given */
        } else {
            memcpy(Buffer, (char *)node + node->DataBlockOffset, node->SizeDataBlock);
            *DataSize = node->SizeDataBlock;
        }
    }
    free(node);
    KhDeviceDereference(device);
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostWmiQueryAllData(const uint8_t Guid[16], void *Buffer, uint32_t BufferSize,
                                               uint32_t *DataSize, uint32_t *Offsets, uint32_t *Lengths,
                                               uint32_t MaxInstances, uint32_t *InstanceCount)
{
    if (Guid == NULL || DataSize == NULL || InstanceCount == NULL || (Buffer == NULL && BufferSize != 0) ||
        (MaxInstances != 0 && (Offsets == NULL || Lengths == NULL))) {
        return STATUS_INVALID_PARAMETER;
    }
    *DataSize = 0;
    *InstanceCount = 0;
    GUID guid;
    memcpy(&guid, Guid, sizeof(guid));
    PDEVICE_OBJECT *devices;
    size_t ndevices = KhWmiSnapshot(&devices);
    if (devices == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;
    uint32_t used = 0;
    uint32_t total = 0;
    bool tooSmall = false;
    for (size_t d = 0; d < ndevices; d++) {
        bool provides;
        ULONG count = KhWmiInstancesOf(devices[d], &guid, NULL, &provides);
        if (!provides) {
            continue;
        }
        if (status == STATUS_WMI_GUID_NOT_FOUND) {
            status = STATUS_SUCCESS;
        }
        ULONG header = (ULONG)FIELD_OFFSET(WNODE_ALL_DATA, OffsetInstanceDataAndLength) +
                       count * (ULONG)sizeof(OFFSETINSTANCEDATAANDLENGTH);
        ULONG size = KH_WMI_ALIGN(header) + (BufferSize > used ? BufferSize - used : 0);
        if (size < sizeof(WNODE_TOO_SMALL)) {
            size = sizeof(WNODE_TOO_SMALL);
        }
        PWNODE_ALL_DATA node = calloc(1, size);
        if (node == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        node->WnodeHeader.BufferSize = size;
        node->WnodeHeader.ProviderId = IoWMIDeviceObjectToProviderId(devices[d]);
        node->WnodeHeader.Guid = guid;
        node->WnodeHeader.Flags = WNODE_FLAG_ALL_DATA;
        NTSTATUS s = KhWmiSend(devices[d], IRP_MN_QUERY_ALL_DATA, &guid, node, size, NULL);
        if (!NT_SUCCESS(s)) {
            free(node);
            status = s;
            break;
        }
        if (node->WnodeHeader.Flags & WNODE_FLAG_TOO_SMALL) {
            PWNODE_TOO_SMALL small = (PWNODE_TOO_SMALL)node;
            used = KH_WMI_ALIGN(used) + (small->SizeNeeded > KH_WMI_ALIGN(header) ? small->SizeNeeded - KH_WMI_ALIGN(header) : 0);
            total += count;
            tooSmall = true;
            free(node);
            continue;
        }
        for (ULONG i = 0; i < node->InstanceCount; i++) {
            ULONG off = node->OffsetInstanceDataAndLength[i].OffsetInstanceData;
            ULONG len = node->OffsetInstanceDataAndLength[i].LengthInstanceData;
            used = KH_WMI_ALIGN(used);
            if (off > size || len > size - off || used + len > BufferSize || tooSmall) {
                tooSmall = true;
                used += len;
            } else {
                memcpy((char *)Buffer + used, (char *)node + off, len);
                if (total < MaxInstances) {
                    Offsets[total] = used;
                    Lengths[total] = len;
                }
                used += len;
            }
            total++;
        }
        free(node);
    }
    KhWmiRelease(devices, ndevices);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    *DataSize = used;
    *InstanceCount = total;
    return tooSmall ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS;
}

/* A WNODE_SINGLE_INSTANCE / SINGLE_ITEM / METHOD_ITEM carrying Data for one instance. */
static KH_STATUS KhWmiSendData(const uint8_t Guid[16], uint32_t InstanceIndex, UCHAR Minor, ULONG Id,
                               const void *Data, uint32_t DataSize, void *Output, uint32_t OutputCapacity,
                               uint32_t *OutputSize)
{
    if (Guid == NULL || (Data == NULL && DataSize != 0) || (Output == NULL && OutputCapacity != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    GUID guid;
    memcpy(&guid, Guid, sizeof(guid));
    PDEVICE_OBJECT device;
    ULONG index;
    NTSTATUS status = KhWmiLocate(&guid, InstanceIndex, &device, &index);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ULONG header = Minor == IRP_MN_CHANGE_SINGLE_ITEM ? (ULONG)FIELD_OFFSET(WNODE_SINGLE_ITEM, VariableData)
                   : Minor == IRP_MN_EXECUTE_METHOD   ? (ULONG)FIELD_OFFSET(WNODE_METHOD_ITEM, VariableData)
                                                      : (ULONG)FIELD_OFFSET(WNODE_SINGLE_INSTANCE, VariableData);
    ULONG offset = KH_WMI_ALIGN(header);
    ULONG room = DataSize > OutputCapacity ? DataSize : OutputCapacity;
    ULONG size = offset + room;
    if (size < sizeof(WNODE_TOO_SMALL)) {
        size = sizeof(WNODE_TOO_SMALL);
    }
    char *buffer = calloc(1, size);
    if (buffer == NULL) {
        KhDeviceDereference(device);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PWNODE_HEADER wnode = (PWNODE_HEADER)buffer;
    wnode->BufferSize = size;
    wnode->ProviderId = IoWMIDeviceObjectToProviderId(device);
    wnode->Guid = guid;
    wnode->Flags = WNODE_FLAG_STATIC_INSTANCE_NAMES;
    if (DataSize != 0) {
        memcpy(buffer + offset, Data, DataSize);
    }
    if (Minor == IRP_MN_CHANGE_SINGLE_ITEM) {
        PWNODE_SINGLE_ITEM item = (PWNODE_SINGLE_ITEM)buffer;
        wnode->Flags |= WNODE_FLAG_SINGLE_ITEM;
        item->InstanceIndex = index;
        item->ItemId = Id;
        item->DataBlockOffset = offset;
        item->SizeDataItem = DataSize;
    } else if (Minor == IRP_MN_EXECUTE_METHOD) {
        PWNODE_METHOD_ITEM method = (PWNODE_METHOD_ITEM)buffer;
        wnode->Flags |= WNODE_FLAG_METHOD_ITEM;
        method->InstanceIndex = index;
        method->MethodId = Id;
        method->DataBlockOffset = offset;
        method->SizeDataBlock = DataSize;
    } else {
        PWNODE_SINGLE_INSTANCE single = (PWNODE_SINGLE_INSTANCE)buffer;
        wnode->Flags |= WNODE_FLAG_SINGLE_INSTANCE;
        single->InstanceIndex = index;
        single->DataBlockOffset = offset;
        single->SizeDataBlock = DataSize;
    }
    status = KhWmiSend(device, Minor, &guid, buffer, size, NULL);
    if (NT_SUCCESS(status) && Minor == IRP_MN_EXECUTE_METHOD) {
        PWNODE_METHOD_ITEM method = (PWNODE_METHOD_ITEM)buffer;
        if (wnode->Flags & WNODE_FLAG_TOO_SMALL) {
            PWNODE_TOO_SMALL small = (PWNODE_TOO_SMALL)buffer;
            *OutputSize = small->SizeNeeded > offset ? small->SizeNeeded - offset : 0;
            status = STATUS_BUFFER_TOO_SMALL;
        } else if (method->SizeDataBlock > OutputCapacity || method->DataBlockOffset + method->SizeDataBlock > size) {
            *OutputSize = method->SizeDataBlock;
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            if (method->SizeDataBlock != 0) {
                memcpy(Output, buffer + method->DataBlockOffset, method->SizeDataBlock);
            }
            *OutputSize = method->SizeDataBlock;
        }
    }
    free(buffer);
    KhDeviceDereference(device);
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostWmiSetInstance(const uint8_t Guid[16], uint32_t InstanceIndex, const void *Data,
                                              uint32_t DataSize)
{
    return KhWmiSendData(Guid, InstanceIndex, IRP_MN_CHANGE_SINGLE_INSTANCE, 0, Data, DataSize, NULL, 0, NULL);
}

KMDFHOST_API KH_STATUS KmdfHostWmiSetItem(const uint8_t Guid[16], uint32_t InstanceIndex, uint32_t ItemId,
                                          const void *Data, uint32_t DataSize)
{
    return KhWmiSendData(Guid, InstanceIndex, IRP_MN_CHANGE_SINGLE_ITEM, ItemId, Data, DataSize, NULL, 0, NULL);
}

KMDFHOST_API KH_STATUS KmdfHostWmiExecuteMethod(const uint8_t Guid[16], uint32_t InstanceIndex, uint32_t MethodId,
                                                const void *Input, uint32_t InputSize, void *Output,
                                                uint32_t OutputCapacity, uint32_t *OutputSize)
{
    if (OutputSize == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *OutputSize = 0;
    return KhWmiSendData(Guid, InstanceIndex, IRP_MN_EXECUTE_METHOD, MethodId, Input, InputSize, Output,
                         OutputCapacity, OutputSize);
}

KMDFHOST_API KH_STATUS KmdfHostWmiEnable(const uint8_t Guid[16], int Events, int Enable)
{
    if (Guid == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    GUID guid;
    memcpy(&guid, Guid, sizeof(guid));
    UCHAR minor = Events ? (Enable ? IRP_MN_ENABLE_EVENTS : IRP_MN_DISABLE_EVENTS)
                         : (Enable ? IRP_MN_ENABLE_COLLECTION : IRP_MN_DISABLE_COLLECTION);
    PDEVICE_OBJECT *devices;
    size_t ndevices = KhWmiSnapshot(&devices);
    if (devices == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;
    for (size_t d = 0; d < ndevices; d++) {
        bool provides;
        (void)KhWmiInstancesOf(devices[d], &guid, NULL, &provides);
        if (!provides) {
            continue;
        }
        WNODE_HEADER header;
        memset(&header, 0, sizeof(header));
        header.BufferSize = sizeof(header);
        header.ProviderId = IoWMIDeviceObjectToProviderId(devices[d]);
        header.Guid = guid;
        NTSTATUS s = KhWmiSend(devices[d], minor, &guid, &header, sizeof(header), NULL);
        if (status == STATUS_WMI_GUID_NOT_FOUND || NT_SUCCESS(status)) {
            status = s;
        }
    }
    KhWmiRelease(devices, ndevices);
    return status;
}
