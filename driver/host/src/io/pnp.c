/*
 * pnp.c - the PnP manager and the host's root bus: device nodes, their physical device
 * objects, and the PnP and power IRPs of the control API (kmdfhost.h).
 *
 * Each device instance (for example ROOT\ECHO\0000) gets a PDO owned by the root bus
 * driver, which completes the PnP and power IRPs that reach the bottom of the stack.
 * The function driver's AddDevice builds the stack on top of it. The control calls send
 * IRPs to the top of the stack, at PASSIVE_LEVEL, and wait for their completion:
 *   start            IRP_MN_START_DEVICE
 *   suspend/resume   IRP_MN_SET_POWER, DevicePowerState D3 / D0
 *   surprise-remove  interfaces disabled at once, then IRP_MN_SURPRISE_REMOVAL
 *   remove           (surprise removal first when files are open, else
 *                    IRP_MN_QUERY_REMOVE_DEVICE), then IRP_MN_REMOVE_DEVICE once no
 *                    dispatch routine runs for the device any more
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/understanding-when-remove-irps-are-issued
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/iop.h"

#ifndef KH_CALLER
#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))
#endif

static LIST_ENTRY KhDevnodes = {&KhDevnodes, &KhDevnodes};
static DRIVER_OBJECT KhRootDriver;
static DRIVER_EXTENSION KhRootDriverExtension;

static DRIVER_DISPATCH KhRootPnp;
static DRIVER_DISPATCH KhRootPower;

__attribute__((constructor)) static void KhPnpInit(void)
{
    static WCHAR rootName[] = L"\\Driver\\PnpManager";
    KhRootDriver.Type = IO_TYPE_DRIVER;
    KhRootDriver.Size = (CSHORT)sizeof(DRIVER_OBJECT);
    KhRootDriver.DriverExtension = &KhRootDriverExtension;
    KhRootDriverExtension.DriverObject = &KhRootDriver;
    RtlInitUnicodeString(&KhRootDriver.DriverName, rootName);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        KhRootDriver.MajorFunction[i] = KhIoInvalidDeviceRequest;
    }
    KhRootDriver.MajorFunction[IRP_MJ_PNP] = KhRootPnp;
    KhRootDriver.MajorFunction[IRP_MJ_POWER] = KhRootPower;
}

/* Starts the host's DPC and worker threads. */
/* A device object in a PnP stack: a PDO of a device node, or attached to one. */
static BOOLEAN KhIoDeviceInStack(PDEVICE_OBJECT DeviceObject)
{
    HosMutexLock(&KhIoLock);
    BOOLEAN inStack = DeviceObject->DeviceObjectExtension->Devnode != NULL ||
                      DeviceObject->DeviceObjectExtension->AttachedTo != NULL;
    HosMutexUnlock(&KhIoLock);
    return inStack;
}

KMDFHOST_API KH_STATUS KmdfHostInitialize(void)
{
    KhLdrSetDeviceInStackHook(KhIoDeviceInStack);
    return HosStart() ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* ------------------------------------------------------------------ the root bus */

/* A pool copy of a multi-string or string for IRP_MN_QUERY_ID (the caller frees it). */
static PWCHAR KhPoolWideString(const char *Text, bool Multi)
{
    size_t units = KhUtf8ToUtf16(Text, strlen(Text), NULL, 0);
    PWCHAR buffer = KhAllocatePool(PagedPool, 0, (units + 2) * sizeof(WCHAR), 'IpnP', TRUE, NULL);
    if (buffer != NULL) {
        KhUtf8ToUtf16(Text, strlen(Text), buffer, units + 1);
        buffer[units + 1] = 0;
        (void)Multi;
    }
    return buffer;
}

/* The hardware ID of a root-enumerated instance: "root\<device>" from "ROOT\<device>\<n>". */
static char *KhHardwareId(const char *InstanceId)
{
    char *id = strdup(InstanceId);
    if (id == NULL) {
        return NULL;
    }
    char *last = strrchr(id, '\\');
    if (last != NULL && last != id) {
        *last = 0;
    }
    char *first = strchr(id, '\\');
    for (char *c = id; c != first && *c != 0; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c - 'A' + 'a');
        }
    }
    return id;
}

/*
 * The PDO's PnP handling: the bus has nothing to do for start, stop and removal; it
 * answers capability, relation and ID queries; anything else keeps its status.
 */
static NTSTATUS KhRootPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    struct _KH_DEVNODE *node = DeviceObject->DeviceObjectExtension->Devnode;
    NTSTATUS status = Irp->IoStatus.Status;
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_CAPABILITIES: {
        PDEVICE_CAPABILITIES caps = stack->Parameters.DeviceCapabilities.Capabilities;
        caps->SurpriseRemovalOK = 1;
        caps->UniqueID = 0;
        caps->Removable = 0;
        caps->DeviceState[PowerSystemWorking] = PowerDeviceD0;
        for (int s = PowerSystemSleeping1; s < POWER_SYSTEM_MAXIMUM; s++) {
            caps->DeviceState[s] = PowerDeviceD3;
        }
        caps->SystemWake = PowerSystemUnspecified;
        caps->DeviceWake = PowerDeviceUnspecified;
        caps->Address = 0xFFFFFFFF;
        caps->UINumber = 0xFFFFFFFF;
        status = STATUS_SUCCESS;
        break;
    }
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == TargetDeviceRelation) {
            PDEVICE_RELATIONS relations = KhAllocatePool(PagedPool, 0, sizeof(DEVICE_RELATIONS), 'RpnP', TRUE, NULL);
            if (relations == NULL) {
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                relations->Count = 1;
                relations->Objects[0] = DeviceObject;
                KhDeviceReference(DeviceObject);
                Irp->IoStatus.Information = (ULONG_PTR)relations;
                status = STATUS_SUCCESS;
            }
        }
        break;
    case IRP_MN_QUERY_ID: {
        char *text = NULL;
        bool multi = false;
        switch (stack->Parameters.QueryId.IdType) {
        case BusQueryDeviceID:
            text = strdup(node->InstanceId);
            if (text != NULL && strrchr(text, '\\') != NULL) {
                *strrchr(text, '\\') = 0;
            }
            break;
        case BusQueryHardwareIDs:
            text = KhHardwareId(node->InstanceId);
            multi = true;
            break;
        case BusQueryInstanceID:
            text = strdup(strrchr(node->InstanceId, '\\') != NULL ? strrchr(node->InstanceId, '\\') + 1 : node->InstanceId);
            break;
        default:
            break;
        }
        if (text != NULL) {
            PWCHAR id = KhPoolWideString(text, multi);
            free(text);
            if (id == NULL) {
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                Irp->IoStatus.Information = (ULONG_PTR)id;
                status = STATUS_SUCCESS;
            }
        }
        break;
    }
    case IRP_MN_QUERY_PNP_DEVICE_STATE:
        status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS KhRootPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = Irp->IoStatus.Status;
    if (stack->MinorFunction == IRP_MN_SET_POWER || stack->MinorFunction == IRP_MN_QUERY_POWER) {
        if (stack->MinorFunction == IRP_MN_SET_POWER && stack->Parameters.Power.Type == DevicePowerState) {
            PoSetPowerState(DeviceObject, DevicePowerState, stack->Parameters.Power.State);
        }
        status = STATUS_SUCCESS;
    }
    PoStartNextPowerIrp(Irp);
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* ------------------------------------------------------------------ device nodes */

/*
 * Serialization. Every change of the device tree (a control call, a re-enumeration, an
 * eject) runs under KhPnpLock, as the PnP manager of Windows processes one device
 * action at a time. What a driver asks for from inside its own callbacks
 * (IoInvalidateDeviceRelations, IoRequestDeviceEject) never waits: it is queued as an
 * action for the PnP thread, which takes KhPnpLock for each action in turn. A driver
 * callback that runs on the PnP thread and asks for more work only queues it, so the
 * thread never waits on itself; the control calls are never made from a driver callback.
 */
static HOS_MUTEX KhPnpLock;
static HOS_COND KhPnpCond;           /* with KhIoLock: an action was queued or finished */
static LIST_ENTRY KhPnpActions = {&KhPnpActions, &KhPnpActions}; /* under KhIoLock */
static bool KhPnpBusy;               /* an action runs, under KhIoLock */
static bool KhPnpThreadStarted;      /* under KhIoLock */
static uint64_t KhPnpThreadId;      /* under KhIoLock */

typedef enum _KH_PNP_ACTION_KIND { KhPnpEnumerate, KhPnpEject } KH_PNP_ACTION_KIND;

typedef struct _KH_PNP_ACTION {
    LIST_ENTRY Link;
    KH_PNP_ACTION_KIND Kind;
    struct _KH_DEVNODE *Node; /* referenced */
} KH_PNP_ACTION;

__attribute__((constructor)) static void KhPnpLockInit(void)
{
    HosMutexInit(&KhPnpLock);
    HosCondInit(&KhPnpCond);
}

void KhNodeDereference(struct _KH_DEVNODE *Node)
{
    HosMutexLock(&KhIoLock);
    bool last = --Node->References == 0;
    HosMutexUnlock(&KhIoLock);
    if (last) {
        KhDeviceDereference(Node->Pdo);
        free(Node->HardwareIds);
        free(Node->InstanceId);
        free(Node);
    }
}

static void KhDeletePdo(struct _KH_DEVNODE *Node)
{
    /* The node keeps its own reference to the PDO until it is freed. */
    IoDeleteDevice(Node->Pdo);
}

static NTSTATUS KhSendPnp(struct _KH_DEVNODE *Node, UCHAR Minor);
static NTSTATUS KhStartNode(struct _KH_DEVNODE *Node);
static NTSTATUS KhRemoveNode(struct _KH_DEVNODE *Node, bool Surprise);

/* A new node (one reference: the caller's, or its parent's list), not yet listed. */
static struct _KH_DEVNODE *KhNewNode(const char *InstanceId, KH_DRIVER *Driver)
{
    struct _KH_DEVNODE *node = calloc(1, sizeof(*node));
    if (node == NULL || (node->InstanceId = strdup(InstanceId)) == NULL) {
        free(node);
        return NULL;
    }
    node->Driver = Driver;
    node->State = KhNodeAdded;
    node->References = 1;
    InitializeListHead(&node->Children);
    InitializeListHead(&node->ChildLink);
    InitializeListHead(&node->Link);
    return node;
}

/* Under KhIoLock: whether a node with this instance path exists. */
static bool KhInstanceExistsLocked(const char *InstanceId)
{
    for (PLIST_ENTRY e = KhDevnodes.Flink; e != &KhDevnodes; e = e->Flink) {
        if (KhStrCaseCmp(CONTAINING_RECORD(e, struct _KH_DEVNODE, Link)->InstanceId, InstanceId) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Calls the AddDevice routines of Drivers (lower filters, function driver, upper
 * filters) over the node's PDO. When one fails, the devices already attached get
 * IRP_MN_REMOVE_DEVICE.
 */
static NTSTATUS KhAttachDrivers(struct _KH_DEVNODE *Node, KH_DRIVER *const *Drivers, size_t Count)
{
    NTSTATUS status = STATUS_SUCCESS;
    for (size_t i = 0; i < Count && NT_SUCCESS(status); i++) {
        status = Drivers[i]->DriverExtension.AddDevice(&Drivers[i]->DriverObject, Node->Pdo);
    }
    if (!NT_SUCCESS(status) && Node->Pdo->AttachedDevice != NULL) {
        (void)KhSendPnp(Node, IRP_MN_REMOVE_DEVICE);
    }
    return status;
}

KMDFHOST_API int KmdfHostDriverIsPnp(KH_DRIVER *Driver)
{
    return Driver != NULL && Driver->DriverExtension.AddDevice != NULL;
}

KMDFHOST_API KH_STATUS KmdfHostAddDevice(KH_DRIVER *Driver, const char *InstanceId, KH_DEVNODE **Node)
{
    return KmdfHostAddDeviceStack(Driver, NULL, 0, NULL, 0, InstanceId, Node);
}

/*
 * The PnP manager builds a device's stack bottom-up: the bus driver's PDO, then the
 * AddDevice routines of the lower filters, the function driver and the upper filters,
 * in the order the LowerFilters, Service and UpperFilters values name them; each
 * attaches to the top of the stack ("Device Tree" / "Adding a PnP Device to a Running
 * System"). When one fails, the devices already attached get IRP_MN_REMOVE_DEVICE.
 */
KMDFHOST_API KH_STATUS KmdfHostAddDeviceStack(KH_DRIVER *Function, KH_DRIVER *const *LowerFilters, size_t LowerCount,
                                              KH_DRIVER *const *UpperFilters, size_t UpperCount,
                                              const char *InstanceId, KH_DEVNODE **Node)
{
    KH_DRIVER *drivers[KH_MAX_STACK_DRIVERS];
    size_t count = 0;
    if (Function == NULL || InstanceId == NULL || InstanceId[0] == 0 || Node == NULL ||
        LowerCount + UpperCount + 1 > KH_MAX_STACK_DRIVERS || (LowerCount != 0 && LowerFilters == NULL) ||
        (UpperCount != 0 && UpperFilters == NULL)) {
        return STATUS_INVALID_PARAMETER;
    }
    for (size_t i = 0; i < LowerCount; i++) {
        drivers[count++] = LowerFilters[i];
    }
    drivers[count++] = Function;
    for (size_t i = 0; i < UpperCount; i++) {
        drivers[count++] = UpperFilters[i];
    }
    for (size_t i = 0; i < count; i++) {
        if (drivers[i] == NULL) {
            return STATUS_INVALID_PARAMETER;
        }
        if (drivers[i]->DriverExtension.AddDevice == NULL) {
            return STATUS_INVALID_DEVICE_REQUEST;
        }
    }
    struct _KH_DEVNODE *node = KhNewNode(InstanceId, Function);
    if (node == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    HosMutexLock(&KhPnpLock);
    HosMutexLock(&KhIoLock);
    if (KhInstanceExistsLocked(InstanceId)) {
        HosMutexUnlock(&KhIoLock);
        HosMutexUnlock(&KhPnpLock);
        free(node->InstanceId);
        free(node);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    HosMutexUnlock(&KhIoLock);

    PDEVICE_OBJECT pdo;
    NTSTATUS status = KhIoCreateDevice(&KhRootDriver, 0, NULL, FILE_DEVICE_UNKNOWN, FILE_AUTOGENERATED_DEVICE_NAME,
                                       FALSE, &pdo);
    if (!NT_SUCCESS(status)) {
        HosMutexUnlock(&KhPnpLock);
        free(node->InstanceId);
        free(node);
        return status;
    }
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE | DO_POWER_PAGABLE;
    pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    pdo->DeviceObjectExtension->Devnode = node;
    KhDeviceReference(pdo); /* the node's own reference */
    node->Pdo = pdo;

    HosMutexLock(&KhIoLock);
    InsertTailList(&KhDevnodes, &node->Link);
    HosMutexUnlock(&KhIoLock);

    status = KhAttachDrivers(node, drivers, count);
    if (!NT_SUCCESS(status)) {
        /* The node never existed for anyone: its interfaces go with it. */
        LIST_ENTRY links;
        InitializeListHead(&links);
        HosMutexLock(&KhIoLock);
        RemoveEntryList(&node->Link);
        node->State = KhNodeRemoved;
        node->Removing = true;
        KhIoNodeInterfacesLocked(node, true, &links);
        HosMutexUnlock(&KhIoLock);
        KhIoFreeLinks(&links);
        KhDeletePdo(node);
        HosMutexUnlock(&KhPnpLock);
        KhNodeDereference(node);
        return status;
    }
    HosMutexUnlock(&KhPnpLock);
    *Node = node;
    return STATUS_SUCCESS;
}

static NTSTATUS KhSendPnp(struct _KH_DEVNODE *Node, UCHAR Minor)
{
    return KhIoSendSynchronous(Node->Pdo, IRP_MJ_PNP, Minor, NULL, NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ hardware IDs to drivers */

/*
 * What an INF's models section says on Windows: which driver serves a device with a
 * given hardware or compatible ID. The PnP manager looks a child's hardware IDs up
 * first, in their order, then its compatible IDs ("How Windows Selects Drivers").
 */
typedef struct _KH_ID_DRIVER {
    struct _KH_ID_DRIVER *Next;
    char *Id;
    KH_DRIVER *Driver;
} KH_ID_DRIVER;

static KH_ID_DRIVER *KhIdDrivers; /* under KhIoLock */

KMDFHOST_API KH_STATUS KmdfHostSetDriverForHardwareId(const char *HardwareId, KH_DRIVER *Driver)
{
    if (HardwareId == NULL || HardwareId[0] == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Driver != NULL && Driver->DriverExtension.AddDevice == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    KH_ID_DRIVER *entry = NULL;
    HosMutexLock(&KhIoLock);
    for (KH_ID_DRIVER **link = &KhIdDrivers; *link != NULL; link = &(*link)->Next) {
        if (KhStrCaseCmp((*link)->Id, HardwareId) == 0) {
            entry = *link;
            if (Driver == NULL) {
                *link = entry->Next;
            }
            break;
        }
    }
    if (entry != NULL && Driver != NULL) {
        entry->Driver = Driver;
        HosMutexUnlock(&KhIoLock);
        return STATUS_SUCCESS;
    }
    HosMutexUnlock(&KhIoLock);
    if (Driver == NULL) {
        if (entry == NULL) {
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        free(entry->Id);
        free(entry);
        return STATUS_SUCCESS;
    }
    entry = calloc(1, sizeof(*entry));
    if (entry == NULL || (entry->Id = strdup(HardwareId)) == NULL) {
        free(entry);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    entry->Driver = Driver;
    HosMutexLock(&KhIoLock);
    entry->Next = KhIdDrivers;
    KhIdDrivers = entry;
    HosMutexUnlock(&KhIoLock);
    return STATUS_SUCCESS;
}

/* The driver for the first ID of a UTF-8 multi-string that has one, or NULL. */
static KH_DRIVER *KhDriverForIds(const char *Ids)
{
    KH_DRIVER *driver = NULL;
    HosMutexLock(&KhIoLock);
    for (const char *id = Ids; id != NULL && *id != 0 && driver == NULL; id += strlen(id) + 1) {
        for (KH_ID_DRIVER *entry = KhIdDrivers; entry != NULL; entry = entry->Next) {
            if (KhStrCaseCmp(entry->Id, id) == 0) {
                driver = entry->Driver;
                break;
            }
        }
    }
    HosMutexUnlock(&KhIoLock);
    return driver;
}

/* ------------------------------------------------------------------ bus enumeration */

typedef struct _KH_QUERY {
    ULONG Type;
} KH_QUERY;

static void KhFillQueryRelations(PIO_STACK_LOCATION Stack, void *Context)
{
    Stack->Parameters.QueryDeviceRelations.Type = (DEVICE_RELATION_TYPE)((KH_QUERY *)Context)->Type;
}

static void KhFillQueryId(PIO_STACK_LOCATION Stack, void *Context)
{
    Stack->Parameters.QueryId.IdType = (BUS_QUERY_ID_TYPE)((KH_QUERY *)Context)->Type;
}

/* IRP_MN_QUERY_ID to the top of the node's stack: a UTF-8 copy (a multi-string for
   hardware and compatible IDs), or NULL when the bus has none. */
static char *KhQueryId(struct _KH_DEVNODE *Node, BUS_QUERY_ID_TYPE Type)
{
    KH_QUERY query = {(ULONG)Type};
    ULONG_PTR information = 0;
    NTSTATUS status = KhIoSendSynchronous(Node->Pdo, IRP_MJ_PNP, IRP_MN_QUERY_ID, NULL, KhFillQueryId, &query,
                                          &information);
    PWCHAR text = (PWCHAR)information;
    if (!NT_SUCCESS(status) || text == NULL) {
        return NULL;
    }
    bool multi = Type == BusQueryHardwareIDs || Type == BusQueryCompatibleIDs;
    size_t units = 0;
    if (multi) {
        while (text[units] != 0 || text[units + 1] != 0) {
            units++;
        }
        units++; /* the last string's terminator */
    } else {
        while (text[units] != 0) {
            units++;
        }
    }
    size_t bytes = KhUtf16ToUtf8(text, units, NULL, 0);
    char *result = malloc(bytes + 2);
    if (result != NULL) {
        KhUtf16ToUtf8(text, units, result, bytes + 1);
        result[bytes] = 0;
        result[bytes + 1] = 0;
    }
    ExFreePool(text);
    return result;
}

/* Under KhPnpLock: a node for a PDO the bus reported for the first time. */
static struct _KH_DEVNODE *KhCreateChildNode(struct _KH_DEVNODE *Parent, PDEVICE_OBJECT Pdo)
{
    /* The IDs are asked of the PDO before a node exists: it is reached directly. */
    struct _KH_DEVNODE probe;
    memset(&probe, 0, sizeof(probe));
    probe.Pdo = Pdo;
    char *deviceId = KhQueryId(&probe, BusQueryDeviceID);
    char *instance = KhQueryId(&probe, BusQueryInstanceID);
    char *hardware = KhQueryId(&probe, BusQueryHardwareIDs);
    char *compatible = KhQueryId(&probe, BusQueryCompatibleIDs);
    struct _KH_DEVNODE *node = NULL;
    if (deviceId == NULL || deviceId[0] == 0) {
        KhVerifierReport("BUGCHECK", "the bus driver of %s reported PDO %p without a device ID (IRP_MN_QUERY_ID)",
                         Parent->InstanceId, (void *)Pdo);
        goto out;
    }
    size_t length = strlen(deviceId) + 1 + (instance != NULL ? strlen(instance) : 0) + 24;
    char *path = malloc(length);
    if (path == NULL) {
        goto out;
    }
    /* The instance path is <device ID>\<instance ID>; an instance ID that is not unique
       for the bus is made unique (Windows prefixes the parent's unique ID). */
    snprintf(path, length, "%s\\%s", deviceId, instance != NULL && instance[0] != 0 ? instance : "0000");
    HosMutexLock(&KhIoLock);
    for (unsigned n = 1; KhInstanceExistsLocked(path) && n < 10000; n++) {
        snprintf(path, length, "%s\\%s&%u", deviceId, instance != NULL ? instance : "0000", n);
    }
    HosMutexUnlock(&KhIoLock);
    node = KhNewNode(path, NULL);
    free(path);
    if (node == NULL) {
        goto out;
    }
    /* Hardware IDs then compatible IDs, as one multi-string for the driver search. */
    size_t hardwareLength = 0, compatibleLength = 0;
    for (const char *s = hardware; s != NULL && *s != 0; s += strlen(s) + 1) {
        hardwareLength += strlen(s) + 1;
    }
    for (const char *s = compatible; s != NULL && *s != 0; s += strlen(s) + 1) {
        compatibleLength += strlen(s) + 1;
    }
    node->HardwareIds = calloc(1, hardwareLength + 2);
    if (node->HardwareIds == NULL) {
        free(node->InstanceId);
        free(node);
        node = NULL;
        goto out;
    }
    if (hardwareLength != 0) {
        memcpy(node->HardwareIds, hardware, hardwareLength);
    }
    char *all = calloc(1, hardwareLength + compatibleLength + 2);
    if (all != NULL) {
        if (hardwareLength != 0) {
            memcpy(all, hardware, hardwareLength);
        }
        if (compatibleLength != 0) {
            memcpy(all + hardwareLength, compatible, compatibleLength);
        }
        node->Driver = KhDriverForIds(all);
        free(all);
    }
    node->Pdo = Pdo;
    KhDeviceReference(Pdo); /* the node's own reference */
    node->Parent = Parent;
    HosMutexLock(&KhIoLock);
    Pdo->DeviceObjectExtension->Devnode = node;
    InsertTailList(&KhDevnodes, &node->Link);
    InsertTailList(&Parent->Children, &node->ChildLink);
    HosMutexUnlock(&KhIoLock);
out:
    free(deviceId);
    free(instance);
    free(hardware);
    free(compatible);
    return node;
}

/* Under KhPnpLock: a child node leaves its parent (and the parent's reference goes). */
static void KhUnlinkChild(struct _KH_DEVNODE *Node)
{
    HosMutexLock(&KhIoLock);
    RemoveEntryList(&Node->ChildLink);
    InitializeListHead(&Node->ChildLink);
    Node->Parent = NULL;
    HosMutexUnlock(&KhIoLock);
    KhNodeDereference(Node);
}

/*
 * Under KhPnpLock: IRP_MN_QUERY_DEVICE_RELATIONS (BusRelations) to a started node. The
 * PDOs reported for the first time get a node, their function driver (by hardware ID)
 * and IRP_MN_START_DEVICE; children no longer reported are surprise-removed when they
 * had started (IRP_MN_SURPRISE_REMOVAL, then IRP_MN_REMOVE_DEVICE), else removed.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/irp-mn-query-device-relations
 */
static void KhEnumerateNode(struct _KH_DEVNODE *Node)
{
    if (Node->State != KhNodeStarted || Node->Removing) {
        return;
    }
    KH_QUERY query = {BusRelations};
    ULONG_PTR information = 0;
    NTSTATUS status = KhIoSendSynchronous(Node->Pdo, IRP_MJ_PNP, IRP_MN_QUERY_DEVICE_RELATIONS, NULL,
                                          KhFillQueryRelations, &query, &information);
    PDEVICE_RELATIONS relations = (PDEVICE_RELATIONS)information;
    if (!NT_SUCCESS(status)) {
        /* Not a bus (nobody handled it), or the bus failed the query: nothing changes. */
        if (relations != NULL) {
            ExFreePool(relations);
        }
        return;
    }
    HosMutexLock(&KhIoLock);
    for (PLIST_ENTRY e = Node->Children.Flink; e != &Node->Children; e = e->Flink) {
        CONTAINING_RECORD(e, struct _KH_DEVNODE, ChildLink)->Seen = false;
    }
    HosMutexUnlock(&KhIoLock);
    ULONG count = relations != NULL ? relations->Count : 0;
    struct _KH_DEVNODE **added = count != 0 ? calloc(count, sizeof(*added)) : NULL;
    ULONG addedCount = 0;
    for (ULONG i = 0; i < count; i++) {
        PDEVICE_OBJECT pdo = relations->Objects[i];
        HosMutexLock(&KhIoLock);
        struct _KH_DEVNODE *child = pdo->DeviceObjectExtension->Devnode;
        if (child != NULL && child->Parent == Node) {
            child->Seen = true;
        }
        HosMutexUnlock(&KhIoLock);
        if (child == NULL) {
            child = KhCreateChildNode(Node, pdo);
            if (child != NULL) {
                child->Seen = true;
                if (added != NULL) {
                    added[addedCount++] = child;
                }
            }
        }
        /* The PnP manager drops the reference the bus driver took for the relation. */
        ObDereferenceObject(pdo);
    }
    if (relations != NULL) {
        ExFreePool(relations);
    }
    /* Children that are gone. */
    for (;;) {
        struct _KH_DEVNODE *gone = NULL;
        HosMutexLock(&KhIoLock);
        for (PLIST_ENTRY e = Node->Children.Flink; e != &Node->Children; e = e->Flink) {
            struct _KH_DEVNODE *child = CONTAINING_RECORD(e, struct _KH_DEVNODE, ChildLink);
            if (!child->Seen) {
                gone = child;
                break;
            }
        }
        HosMutexUnlock(&KhIoLock);
        if (gone == NULL) {
            break;
        }
        if (gone->State != KhNodeRemoved) {
            (void)KhRemoveNode(gone, true);
        }
        KhUnlinkChild(gone);
    }
    /* New children: their drivers, then start. */
    for (ULONG i = 0; i < addedCount; i++) {
        struct _KH_DEVNODE *child = added[i];
        if (child->Driver != NULL) {
            KH_DRIVER *driver = child->Driver;
            if (!NT_SUCCESS(KhAttachDrivers(child, &driver, 1))) {
                continue;
            }
        }
        (void)KhStartNode(child);
    }
    free(added);
}

/* The PnP thread: runs queued actions one at a time, each under KhPnpLock. */
static void KhPnpThreadMain(void *Context)
{
    (void)Context;
    HosMutexLock(&KhIoLock);
    KhPnpThreadId = HosCurrentThreadId();
    for (;;) {
        while (IsListEmpty(&KhPnpActions)) {
            HosCondWait(&KhPnpCond, &KhIoLock);
        }
        KH_PNP_ACTION *action = CONTAINING_RECORD(RemoveHeadList(&KhPnpActions), KH_PNP_ACTION, Link);
        KhPnpBusy = true;
        HosMutexUnlock(&KhIoLock);
        HosMutexLock(&KhPnpLock);
        struct _KH_DEVNODE *node = action->Node;
        if (action->Kind == KhPnpEnumerate) {
            KhEnumerateNode(node);
        } else if (node->State == KhNodeStarted || node->State == KhNodeAdded) {
            /*
             * IoRequestDeviceEject: an orderly removal (IRP_MN_QUERY_REMOVE_DEVICE, which
             * a driver may veto, then IRP_MN_REMOVE_DEVICE), then IRP_MN_EJECT to the
             * PDO, which the bus driver alone handles.
             * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iorequestdeviceeject
             */
            if (NT_SUCCESS(KhRemoveNode(node, false))) {
                (void)KhIoSendSynchronous(node->Pdo, IRP_MJ_PNP, IRP_MN_EJECT, NULL, NULL, NULL, NULL);
            }
        }
        HosMutexUnlock(&KhPnpLock);
        KhNodeDereference(node);
        free(action);
        HosMutexLock(&KhIoLock);
        KhPnpBusy = false;
        HosCondBroadcast(&KhPnpCond);
    }
}

/* Queues an action for Node (one of a kind per node at a time). */
static void KhQueuePnpAction(struct _KH_DEVNODE *Node, KH_PNP_ACTION_KIND Kind)
{
    KH_PNP_ACTION *action = calloc(1, sizeof(*action));
    if (action == NULL) {
        KhVerifierReport("BUGCHECK", "no memory to queue a PnP action for %s", Node->InstanceId);
        return;
    }
    action->Kind = Kind;
    action->Node = Node;
    HosMutexLock(&KhIoLock);
    for (PLIST_ENTRY e = KhPnpActions.Flink; e != &KhPnpActions; e = e->Flink) {
        KH_PNP_ACTION *queued = CONTAINING_RECORD(e, KH_PNP_ACTION, Link);
        if (queued->Node == Node && queued->Kind == Kind) {
            HosMutexUnlock(&KhIoLock);
            free(action);
            return;
        }
    }
    Node->References++;
    InsertTailList(&KhPnpActions, &action->Link);
    bool start = !KhPnpThreadStarted;
    KhPnpThreadStarted = true;
    HosCondBroadcast(&KhPnpCond);
    HosMutexUnlock(&KhIoLock);
    if (start) {
        HOS_THREAD *thread;
        if (!HosThreadStart(&thread, "pnp", KhPnpThreadMain, NULL)) {
            KhVerifierReport("BUGCHECK", "the PnP manager's thread could not be started");
        }
        /* The thread lives as long as the process, as the PnP manager's does. */
    }
}

/*
 * IoInvalidateDeviceRelations: the bus's children changed. The PnP manager queries the
 * relations later, on its own thread; the call returns at once and may be made at
 * IRQL <= DISPATCH_LEVEL. Only BusRelations are acted on (the host has no ejection or
 * removal relations).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioinvalidatedevicerelations
 */
NTKERNELAPI VOID NTAPI IoInvalidateDeviceRelations(PDEVICE_OBJECT DeviceObject, DEVICE_RELATION_TYPE Type)
{
    struct _KH_DEVNODE *node = DeviceObject != NULL ? DeviceObject->DeviceObjectExtension->Devnode : NULL;
    if (node == NULL || node->Pdo != DeviceObject) {
        KhVerifierReport("BUGCHECK", "IoInvalidateDeviceRelations(%p): not the PDO of a device node, at %p",
                         (void *)DeviceObject, KH_CALLER());
        return;
    }
    if (Type == BusRelations) {
        KhQueuePnpAction(node, KhPnpEnumerate);
    }
}

/* IoRequestDeviceEject: queued like a re-enumeration, run on the PnP thread. */
NTKERNELAPI VOID NTAPI IoRequestDeviceEject(PDEVICE_OBJECT PhysicalDeviceObject)
{
    struct _KH_DEVNODE *node =
        PhysicalDeviceObject != NULL ? PhysicalDeviceObject->DeviceObjectExtension->Devnode : NULL;
    if (node == NULL || node->Pdo != PhysicalDeviceObject) {
        KhVerifierReport("BUGCHECK", "IoRequestDeviceEject(%p): not the PDO of a device node, at %p",
                         (void *)PhysicalDeviceObject, KH_CALLER());
        return;
    }
    KhQueuePnpAction(node, KhPnpEject);
}

KMDFHOST_API void KmdfHostWaitForPnpIdle(void)
{
    HosMutexLock(&KhIoLock);
    if (KhPnpThreadId != 0 && HosCurrentThreadId() == KhPnpThreadId) {
        HosMutexUnlock(&KhIoLock);
        return; /* the PnP thread never waits on itself */
    }
    while (!IsListEmpty(&KhPnpActions) || KhPnpBusy) {
        HosCondWait(&KhPnpCond, &KhIoLock);
    }
    HosMutexUnlock(&KhIoLock);
}

KMDFHOST_API KH_STATUS KmdfHostGetChildInstanceIds(KH_DEVNODE *Node, char *Buffer, size_t BufferSize,
                                                   size_t *Required)
{
    if (Node == NULL || Required == NULL || (Buffer == NULL && BufferSize != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&KhIoLock);
    size_t need = 1;
    for (PLIST_ENTRY e = Node->Children.Flink; e != &Node->Children; e = e->Flink) {
        struct _KH_DEVNODE *child = CONTAINING_RECORD(e, struct _KH_DEVNODE, ChildLink);
        if (child->State != KhNodeRemoved) {
            need += strlen(child->InstanceId) + 1;
        }
    }
    *Required = need;
    if (BufferSize < need) {
        HosMutexUnlock(&KhIoLock);
        return STATUS_BUFFER_TOO_SMALL;
    }
    char *out = Buffer;
    for (PLIST_ENTRY e = Node->Children.Flink; e != &Node->Children; e = e->Flink) {
        struct _KH_DEVNODE *child = CONTAINING_RECORD(e, struct _KH_DEVNODE, ChildLink);
        if (child->State != KhNodeRemoved) {
            size_t length = strlen(child->InstanceId) + 1;
            memcpy(out, child->InstanceId, length);
            out += length;
        }
    }
    *out = 0;
    HosMutexUnlock(&KhIoLock);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ start, power, removal */

typedef struct _KH_POWER_REQUEST {
    DEVICE_POWER_STATE State;
    POWER_ACTION Action;
} KH_POWER_REQUEST;

static void KhFillSetPower(PIO_STACK_LOCATION Stack, void *Context)
{
    KH_POWER_REQUEST *request = Context;
    Stack->Parameters.Power.SystemContext = 0;
    Stack->Parameters.Power.Type = DevicePowerState;
    Stack->Parameters.Power.State.DeviceState = request->State;
    Stack->Parameters.Power.ShutdownType = request->Action;
}

/*
 * Under KhPnpLock: IRP_MN_START_DEVICE; a started bus is then asked for its children at
 * once, as the PnP manager does after a start. A failed start is followed by
 * IRP_MN_REMOVE_DEVICE for a child (the host's caller removes a root device itself).
 */
static NTSTATUS KhStartNode(struct _KH_DEVNODE *Node)
{
    NTSTATUS status = KhSendPnp(Node, IRP_MN_START_DEVICE);
    HosMutexLock(&KhIoLock);
    Node->State = NT_SUCCESS(status) ? KhNodeStarted : KhNodeStartFailed;
    HosMutexUnlock(&KhIoLock);
    if (NT_SUCCESS(status)) {
        KhEnumerateNode(Node);
    }
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostStartDevice(KH_DEVNODE *Node)
{
    if (Node == NULL || Node->State != KhNodeAdded) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    HosMutexLock(&KhPnpLock);
    NTSTATUS status = Node->State == KhNodeAdded ? KhStartNode(Node) : STATUS_INVALID_DEVICE_STATE;
    HosMutexUnlock(&KhPnpLock);
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostSuspendDevice(KH_DEVNODE *Node)
{
    if (Node == NULL || Node->State != KhNodeStarted || Node->Suspended) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    KH_POWER_REQUEST request = {PowerDeviceD3, PowerActionSleep};
    NTSTATUS status = KhIoSendSynchronous(Node->Pdo, IRP_MJ_POWER, IRP_MN_SET_POWER, NULL, KhFillSetPower, &request, NULL);
    if (NT_SUCCESS(status)) {
        Node->Suspended = true;
    }
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostResumeDevice(KH_DEVNODE *Node)
{
    if (Node == NULL || Node->State != KhNodeStarted || !Node->Suspended) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    KH_POWER_REQUEST request = {PowerDeviceD0, PowerActionNone};
    NTSTATUS status = KhIoSendSynchronous(Node->Pdo, IRP_MJ_POWER, IRP_MN_SET_POWER, NULL, KhFillSetPower, &request, NULL);
    if (NT_SUCCESS(status)) {
        Node->Suspended = false;
    }
    return status;
}

/* Under KhPnpLock: the children of Node, removed (children before their parent, as
   Windows removes a subtree), and unlinked. */
static void KhRemoveChildren(struct _KH_DEVNODE *Node, bool Surprise)
{
    for (;;) {
        HosMutexLock(&KhIoLock);
        struct _KH_DEVNODE *child = IsListEmpty(&Node->Children)
                                        ? NULL
                                        : CONTAINING_RECORD(Node->Children.Flink, struct _KH_DEVNODE, ChildLink);
        HosMutexUnlock(&KhIoLock);
        if (child == NULL) {
            return;
        }
        if (child->State != KhNodeRemoved) {
            (void)KhRemoveNode(child, Surprise);
        }
        KhUnlinkChild(child);
    }
}

/*
 * Under KhPnpLock. The device is gone: its children go first; its interfaces are
 * disabled at once (so no new open finds it), then the stack gets
 * IRP_MN_SURPRISE_REMOVAL. Open files stay, and their I/O reaches the driver, which
 * fails it, as on Windows.
 */
static NTSTATUS KhSurpriseRemoveNode(struct _KH_DEVNODE *Node)
{
    if (Node->State == KhNodeSurpriseRemoved || Node->State == KhNodeRemoved) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    KhRemoveChildren(Node, true);
    HosMutexLock(&KhIoLock);
    Node->State = KhNodeSurpriseRemoved;
    KhIoNodeInterfacesLocked(Node, false, NULL);
    HosMutexUnlock(&KhIoLock);
    NTSTATUS status = KhSendPnp(Node, IRP_MN_SURPRISE_REMOVAL);
    /* Those watching the device learn that it is gone. */
    KhIoTargetRemoveComplete(Node);
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostSurpriseRemoveDevice(KH_DEVNODE *Node)
{
    if (Node == NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    HosMutexLock(&KhPnpLock);
    NTSTATUS status = KhSurpriseRemoveNode(Node);
    HosMutexUnlock(&KhPnpLock);
    return status;
}

/*
 * Removal, under KhPnpLock. With files open the device is first surprise-removed
 * (Windows sends the remove IRP only after the last handle closes; the host cannot wait
 * for that, so open files outlive the device: their I/O fails with STATUS_DELETE_PENDING
 * without reaching the driver, as a driver's remove lock would fail it:
 * IoAcquireRemoveLock returns STATUS_DELETE_PENDING once removal has begun, see
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-remove-locks). An
 * open of a device being deleted gets STATUS_NO_SUCH_DEVICE. Without open files a started
 * device is asked first (IRP_MN_QUERY_REMOVE_DEVICE); a veto cancels the removal.
 * Children are removed before their parent. IRP_MN_REMOVE_DEVICE goes out once no
 * dispatch routine runs for the device. A child's PDO stays: its bus driver deletes it
 * once it no longer reports it; a root device's PDO is deleted by the host's root bus.
 */
static NTSTATUS KhRemoveNode(struct _KH_DEVNODE *Node, bool Surprise)
{
    if (Node->State == KhNodeRemoved) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    NTSTATUS status;
    /* An orderly removal asks those watching the device first (target device change
       notification): they close their files, or veto the removal. */
    bool asked = false;
    if (!Surprise && Node->State == KhNodeStarted) {
        status = KhIoTargetQueryRemove(Node);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        asked = true;
    }
    /* Closes deferred to the worker thread reach the driver before it goes. */
    HosFlushQueues();
    HosMutexLock(&KhIoLock);
    ULONG openFiles = Node->OpenFiles;
    HosMutexUnlock(&KhIoLock);
    if ((Surprise || openFiles != 0) && Node->State != KhNodeSurpriseRemoved &&
        (Node->State == KhNodeStarted || Node->State == KhNodeStartFailed)) {
        /* Gone, or files still open, which veto the orderly removal (on Windows,
           PNP_VetoOutstandingOpen): the host removes the device anyway, as a surprise
           removal. */
        if (asked) {
            KhIoTargetRemoveCancelled(Node);
        }
        status = KhSurpriseRemoveNode(Node);
        (void)status;
    }
    if (Node->State == KhNodeStarted) {
        status = KhSendPnp(Node, IRP_MN_QUERY_REMOVE_DEVICE);
        if (!NT_SUCCESS(status)) {
            KhSendPnp(Node, IRP_MN_CANCEL_REMOVE_DEVICE);
            KhIoTargetRemoveCancelled(Node);
            return status;
        }
    }
    KhRemoveChildren(Node, Surprise);

    LIST_ENTRY links;
    InitializeListHead(&links);
    HosMutexLock(&KhIoLock);
    Node->Removing = true;
    KhIoNodeInterfacesLocked(Node, true, &links);
    while (Node->ActiveDispatches != 0) {
        HosCondWait(&KhIoCond, &KhIoLock);
    }
    HosMutexUnlock(&KhIoLock);
    KhIoFreeLinks(&links);

    status = KhSendPnp(Node, IRP_MN_REMOVE_DEVICE);
    KhIoTargetRemoveComplete(Node);

    HosMutexLock(&KhIoLock);
    Node->State = KhNodeRemoved;
    RemoveEntryList(&Node->Link);
    InitializeListHead(&Node->Link);
    HosMutexUnlock(&KhIoLock);
    if (Node->Parent == NULL) {
        /* The root bus deletes the PDO of a device that is gone. */
        KhDeletePdo(Node);
    }
    return status;
}

KMDFHOST_API KH_STATUS KmdfHostRemoveDevice(KH_DEVNODE *Node)
{
    if (Node == NULL || Node->State == KhNodeRemoved || Node->Parent != NULL) {
        return STATUS_INVALID_DEVICE_STATE;
    }
    HosMutexLock(&KhPnpLock);
    NTSTATUS status = KhRemoveNode(Node, false);
    HosMutexUnlock(&KhPnpLock);
    if (Node->State == KhNodeRemoved) {
        KhNodeDereference(Node);
    }
    return status;
}

/* ------------------------------------------------------------------ device properties */

static NTSTATUS KhReturnWide(const char *Text, bool Multi, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength)
{
    size_t units = KhUtf8ToUtf16(Text, strlen(Text), NULL, 0) + 1 + (Multi ? 1 : 0);
    ULONG bytes = (ULONG)(units * sizeof(WCHAR));
    *ResultLength = bytes;
    if (BufferLength < bytes || PropertyBuffer == NULL) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    PWCHAR out = PropertyBuffer;
    KhUtf8ToUtf16(Text, strlen(Text), out, units);
    if (Multi) {
        out[units - 1] = 0;
    }
    return STATUS_SUCCESS;
}

/* The device instance's key, \Registry\Machine\System\CurrentControlSet\Enum\<instance>. */
static char *KhNodeEnumKeyPath(struct _KH_DEVNODE *Node)
{
    static const char prefix[] = "\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\";
    size_t length = strlen(prefix) + strlen(Node->InstanceId) + 1;
    char *path = malloc(length);
    if (path != NULL) {
        snprintf(path, length, "%s%s", prefix, Node->InstanceId);
    }
    return path;
}

/*
 * A property that Windows keeps as a value of the instance's Enum key (what setup wrote
 * from the INF: DeviceDesc, Class, ClassGUID, Driver, Mfg, FriendlyName, ...): its data,
 * as IoGetDeviceProperty returns it. STATUS_OBJECT_NAME_NOT_FOUND when the value is not
 * set (a root device installed without it, or no INF at all).
 */
static NTSTATUS KhNodeRegistryProperty(struct _KH_DEVNODE *Node, const char *ValueName, ULONG BufferLength,
                                       PVOID PropertyBuffer, PULONG ResultLength)
{
    char *path = KhNodeEnumKeyPath(Node);
    if (path == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HANDLE key = NULL;
    NTSTATUS status = KhRegistryOpenPath(path, true, &key);
    free(path);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    UNICODE_STRING name;
    if (!KhHostUnicodeString(ValueName, &name)) {
        ZwClose(key);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ULONG needed = 0;
    status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, NULL, 0, &needed);
    PKEY_VALUE_PARTIAL_INFORMATION info = NULL;
    if (status == STATUS_BUFFER_TOO_SMALL || status == STATUS_BUFFER_OVERFLOW) {
        info = malloc(needed);
        status = info == NULL ? STATUS_INSUFFICIENT_RESOURCES
                              : ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, needed, &needed);
    }
    KhFreeHostUnicodeString(&name);
    ZwClose(key);
    if (NT_SUCCESS(status)) {
        *ResultLength = info->DataLength;
        if (PropertyBuffer == NULL || BufferLength < info->DataLength) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            memcpy(PropertyBuffer, info->Data, info->DataLength);
        }
    }
    free(info);
    return status;
}

static NTSTATUS KhReturnULong(ULONG Value, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength)
{
    *ResultLength = sizeof(ULONG);
    if (PropertyBuffer == NULL || BufferLength < sizeof(ULONG)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(PropertyBuffer, &Value, sizeof(ULONG));
    return STATUS_SUCCESS;
}

/*
 * IoGetDeviceProperty for a device of the root bus, as Windows answers for a
 * root-enumerated device: the hardware ID ("root\<device>", REG_MULTI_SZ, unless the
 * Enum key's HardwareID says otherwise), the enumerator "ROOT", the PDO's name, the
 * removal policy (RemovalPolicyExpectNoRemoval) and install state (installed), the
 * container of the computer itself; the values setup keeps in the instance's Enum key
 * (description, compatible IDs, class name and GUID, driver key name, manufacturer,
 * friendly name, location). A root device has no bus type, bus number, address, UI
 * number or resources: STATUS_OBJECT_NAME_NOT_FOUND, as for a value that is not set.
 * STATUS_BUFFER_TOO_SMALL, with the size in ResultLength, when the buffer is too small.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iogetdeviceproperty
 */
NTKERNELAPI NTSTATUS NTAPI IoGetDeviceProperty(PDEVICE_OBJECT DeviceObject, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                               ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength)
{
    if (DeviceObject == NULL || ResultLength == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *ResultLength = 0;
    struct _KH_DEVNODE *node = DeviceObject->DeviceObjectExtension->Devnode;
    if (node == NULL || node->Pdo != DeviceObject) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    NTSTATUS status;
    char *text;
    switch (DeviceProperty) {
    case DevicePropertyHardwareID:
        if (node->HardwareIds != NULL) {
            /* A child's: the IDs its bus driver reported, a REG_MULTI_SZ. */
            size_t length = 0;
            while (node->HardwareIds[length] != 0) {
                length += strlen(node->HardwareIds + length) + 1;
            }
            size_t units = KhUtf8ToUtf16(node->HardwareIds, length, NULL, 0) + 1;
            *ResultLength = (ULONG)(units * sizeof(WCHAR));
            if (BufferLength < *ResultLength || PropertyBuffer == NULL) {
                return STATUS_BUFFER_TOO_SMALL;
            }
            KhUtf8ToUtf16(node->HardwareIds, length, PropertyBuffer, units);
            ((PWCHAR)PropertyBuffer)[units - 1] = 0;
            return STATUS_SUCCESS;
        }
        status = KhNodeRegistryProperty(node, "HardwareID", BufferLength, PropertyBuffer, ResultLength);
        if (status != STATUS_OBJECT_NAME_NOT_FOUND) {
            return status;
        }
        text = KhHardwareId(node->InstanceId);
        if (text == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        status = KhReturnWide(text, true, BufferLength, PropertyBuffer, ResultLength);
        free(text);
        return status;
    case DevicePropertyEnumeratorName:
        text = strdup(node->InstanceId);
        if (text == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        if (strchr(text, '\\') != NULL) {
            *strchr(text, '\\') = 0;
        }
        status = KhReturnWide(text, false, BufferLength, PropertyBuffer, ResultLength);
        free(text);
        return status;
    case DevicePropertyPhysicalDeviceObjectName:
        return KhReturnWide(DeviceObject->DeviceObjectExtension->Name, false, BufferLength, PropertyBuffer,
                            ResultLength);
    case DevicePropertyDeviceDescription:
        return KhNodeRegistryProperty(node, "DeviceDesc", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyCompatibleIDs:
        return KhNodeRegistryProperty(node, "CompatibleIDs", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyClassName:
        return KhNodeRegistryProperty(node, "Class", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyClassGuid:
        return KhNodeRegistryProperty(node, "ClassGUID", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyDriverKeyName:
        return KhNodeRegistryProperty(node, "Driver", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyManufacturer:
        return KhNodeRegistryProperty(node, "Mfg", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyFriendlyName:
        return KhNodeRegistryProperty(node, "FriendlyName", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyLocationInformation:
        return KhNodeRegistryProperty(node, "LocationInformation", BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyRemovalPolicy:
        return KhReturnULong(1 /* RemovalPolicyExpectNoRemoval */, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyInstallState:
        return KhReturnULong(0 /* InstallStateInstalled */, BufferLength, PropertyBuffer, ResultLength);
    case DevicePropertyContainerID:
        /* Root-enumerated devices belong to the computer's own container. */
        return KhReturnWide("{00000000-0000-0000-FFFF-FFFFFFFFFFFF}", false, BufferLength, PropertyBuffer,
                            ResultLength);
    case DevicePropertyBootConfiguration:
    case DevicePropertyBootConfigurationTranslated:
    case DevicePropertyBusTypeGuid:
    case DevicePropertyLegacyBusType:
    case DevicePropertyBusNumber:
    case DevicePropertyAddress:
    case DevicePropertyUINumber:
    case DevicePropertyResourceRequirements:
    case DevicePropertyAllocatedResources:
        return STATUS_OBJECT_NAME_NOT_FOUND;
    default:
        return STATUS_INVALID_PARAMETER_2;
    }
}

/*
 * The hardware key is ...\Enum\<instance>\Device Parameters; the software key, which on
 * Windows lives under the device's setup class, is ...\Control\Class\<instance> here.
 */
NTKERNELAPI NTSTATUS NTAPI IoOpenDeviceRegistryKey(PDEVICE_OBJECT DeviceObject, ULONG DevInstKeyType,
                                                   ACCESS_MASK DesiredAccess, PHANDLE DeviceRegKey)
{
    (void)DesiredAccess;
    struct _KH_DEVNODE *node = DeviceObject->DeviceObjectExtension->Devnode;
    if (node == NULL || node->Pdo != DeviceObject) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    const char *format;
    if (DevInstKeyType & PLUGPLAY_REGKEY_DEVICE) {
        format = "\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\%s\\Device Parameters";
    } else if (DevInstKeyType & PLUGPLAY_REGKEY_DRIVER) {
        format = "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Class\\%s";
    } else {
        return STATUS_INVALID_PARAMETER;
    }
    size_t length = strlen(format) + strlen(node->InstanceId) + 1;
    char *path = malloc(length);
    if (path == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    snprintf(path, length, format, node->InstanceId);
    NTSTATUS status = KhRegistryOpenPath(path, true, DeviceRegKey);
    free(path);
    return status;
}

/* ------------------------------------------------------------------ PnP notifications */

/*
 * IoRegisterPlugPlayNotification for device interface changes: a registration names an
 * interface class; each time an interface of that class is enabled or disabled
 * (IoSetDeviceInterfaceState, or a device's removal), its callback receives a
 * DEVICE_INTERFACE_CHANGE_NOTIFICATION (GUID_DEVICE_INTERFACE_ARRIVAL or _REMOVAL, the
 * class, the interface's symbolic link) at PASSIVE_LEVEL on the system worker thread, in
 * the order of the changes. With PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES
 * the interfaces enabled at registration arrive first.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioregisterplugplaynotification
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-pnp-device-interface-change-notification
 */
typedef struct _KH_PNP_NOTIFY {
    LIST_ENTRY Link;       /* KhPnpNotifications, under KhIoLock */
    GUID ClassGuid;
    PDRIVER_NOTIFICATION_CALLBACK_ROUTINE Callback;
    PVOID Context;
    LONG References;       /* the registration's, plus one per queued event; under KhIoLock */
    bool Unregistered;     /* under KhIoLock */
    ULONG Running;         /* callbacks running, under KhIoLock */
    uint64_t RunningThread; /* the worker's thread id while a callback runs */
} KH_PNP_NOTIFY;

typedef struct _KH_PNP_EVENT {
    KH_PNP_NOTIFY *Target; /* one registration (existing interfaces), or NULL for all */
    GUID Event;
    GUID ClassGuid;
    char *LinkName;        /* UTF-8 "\??\..." */
} KH_PNP_EVENT;

static LIST_ENTRY KhPnpNotifications = {&KhPnpNotifications, &KhPnpNotifications};
static const GUID KhGuidInterfaceArrival = {0xcb3a4004, 0x46f0, 0x11d0, {0xb0, 0x8f, 0x00, 0x60, 0x97, 0x13, 0x05, 0x3f}};
static const GUID KhGuidInterfaceRemoval = {0xcb3a4005, 0x46f0, 0x11d0, {0xb0, 0x8f, 0x00, 0x60, 0x97, 0x13, 0x05, 0x3f}};

/* Under KhIoLock. */
static void KhPnpNotifyDereferenceLocked(KH_PNP_NOTIFY *Notify)
{
    if (--Notify->References == 0) {
        free(Notify);
    }
}

/* On the worker thread: delivers one event to every live registration it is for. */
static void KhPnpDeliver(void *Context)
{
    KH_PNP_EVENT *event = Context;
    UNICODE_STRING link;
    bool haveLink = KhHostUnicodeString(event->LinkName, &link);
    DEVICE_INTERFACE_CHANGE_NOTIFICATION notification;
    notification.Version = 1;
    notification.Size = (USHORT)sizeof(notification);
    notification.Event = event->Event;
    notification.InterfaceClassGuid = event->ClassGuid;
    notification.SymbolicLinkName = &link;
    /* The registrations the event is for, referenced, in registration order. */
    HosMutexLock(&KhIoLock);
    size_t count = 0;
    for (PLIST_ENTRY e = KhPnpNotifications.Flink; e != &KhPnpNotifications; e = e->Flink) {
        count++;
    }
    KH_PNP_NOTIFY **targets = calloc(count + 1, sizeof(*targets));
    size_t n = 0;
    for (PLIST_ENTRY e = KhPnpNotifications.Flink; targets != NULL && e != &KhPnpNotifications; e = e->Flink) {
        KH_PNP_NOTIFY *notify = CONTAINING_RECORD(e, KH_PNP_NOTIFY, Link);
        if ((event->Target == NULL || event->Target == notify) && !notify->Unregistered &&
            IsEqualGUID(&notify->ClassGuid, &event->ClassGuid)) {
            notify->References++;
            targets[n++] = notify;
        }
    }
    if (targets == NULL || !haveLink) {
        KhVerifierReport("BUGCHECK", "no memory to deliver a PnP notification for %s", event->LinkName);
    }
    for (size_t i = 0; i < n; i++) {
        KH_PNP_NOTIFY *notify = targets[i];
        if (haveLink && !notify->Unregistered) {
            notify->Running++;
            notify->RunningThread = HosCurrentThreadId();
            HosMutexUnlock(&KhIoLock);
            notify->Callback(&notification, notify->Context);
            if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
                KhVerifierReport("IRQL_MISUSE", "PnP notification callback %p returned at IRQL %u",
                                 (void *)notify->Callback, (unsigned)KeGetCurrentIrql());
                KeLowerIrql(PASSIVE_LEVEL);
            }
            HosMutexLock(&KhIoLock);
            notify->Running--;
            notify->RunningThread = 0;
            HosCondBroadcast(&KhIoCond);
        }
        KhPnpNotifyDereferenceLocked(notify);
    }
    free(targets);
    if (event->Target != NULL) {
        KhPnpNotifyDereferenceLocked(event->Target);
    }
    HosMutexUnlock(&KhIoLock);
    if (haveLink) {
        KhFreeHostUnicodeString(&link);
    }
    free(event->LinkName);
    free(event);
}

/* Under KhIoLock: queues an event for Target (NULL: every registration of the class). */
static void KhPnpQueueEventLocked(KH_PNP_NOTIFY *Target, const GUID *Event, const GUID *ClassGuid, const char *Link)
{
    KH_PNP_EVENT *event = calloc(1, sizeof(*event));
    char *name = strdup(Link);
    if (event == NULL || name == NULL) {
        free(event);
        free(name);
        KhVerifierReport("BUGCHECK", "no memory to deliver a PnP notification for %s", Link);
        return;
    }
    event->Target = Target;
    event->Event = *Event;
    event->ClassGuid = *ClassGuid;
    event->LinkName = name;
    if (Target != NULL) {
        Target->References++;
    }
    if (!HosQueueWork(KhPnpDeliver, event)) {
        if (Target != NULL) {
            Target->References--;
        }
        free(name);
        free(event);
        KhVerifierReport("BUGCHECK", "no memory to deliver a PnP notification for %s", Link);
    }
}

void KhIoNotifyInterfaceLocked(const KH_LINK *Link, bool Arrival)
{
    bool any = false;
    for (PLIST_ENTRY e = KhPnpNotifications.Flink; e != &KhPnpNotifications && !any; e = e->Flink) {
        KH_PNP_NOTIFY *notify = CONTAINING_RECORD(e, KH_PNP_NOTIFY, Link);
        any = IsEqualGUID(&notify->ClassGuid, &Link->ClassGuid);
    }
    if (any) {
        KhPnpQueueEventLocked(NULL, Arrival ? &KhGuidInterfaceArrival : &KhGuidInterfaceRemoval, &Link->ClassGuid,
                              Link->Name);
    }
}

/*
 * Interface changes (EventCategoryDeviceInterfaceChange, EventCategoryData the class
 * GUID) and target device changes (EventCategoryTargetDeviceChange, EventCategoryData a
 * file object of the device; pnptarget.c) are implemented;
 * EventCategoryHardwareProfileChange registers and never fires (the host has one
 * hardware profile that never changes); EventCategoryKernelSoftRestart is
 * UNIMPLEMENTED_DDI. *NotificationEntry is the handle IoUnregisterPlugPlayNotification(Ex)
 * takes.
 */
NTKERNELAPI NTSTATUS NTAPI IoRegisterPlugPlayNotification(IO_NOTIFICATION_EVENT_CATEGORY EventCategory,
                                                          ULONG EventCategoryFlags, PVOID EventCategoryData,
                                                          PDRIVER_OBJECT DriverObject,
                                                          PDRIVER_NOTIFICATION_CALLBACK_ROUTINE CallbackRoutine,
                                                          PVOID Context, PVOID *NotificationEntry)
{
    if (NotificationEntry == NULL || CallbackRoutine == NULL || DriverObject == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *NotificationEntry = NULL;
    if (EventCategory == EventCategoryTargetDeviceChange) {
        return KhIoRegisterTargetNotification((PFILE_OBJECT)EventCategoryData, CallbackRoutine, Context,
                                              NotificationEntry);
    }
    if (EventCategory == EventCategoryKernelSoftRestart) {
        KhVerifierReport("UNIMPLEMENTED_DDI", "IoRegisterPlugPlayNotification for EventCategoryKernelSoftRestart: "
                                              "the host has no soft restart");
        return STATUS_NOT_IMPLEMENTED;
    }
    if (EventCategory != EventCategoryDeviceInterfaceChange && EventCategory != EventCategoryHardwareProfileChange) {
        return STATUS_INVALID_PARAMETER;
    }
    if (EventCategory == EventCategoryDeviceInterfaceChange && EventCategoryData == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    KH_PNP_NOTIFY *notify = calloc(1, sizeof(*notify));
    if (notify == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    notify->Callback = CallbackRoutine;
    notify->Context = Context;
    notify->References = 1;
    if (EventCategory == EventCategoryDeviceInterfaceChange) {
        notify->ClassGuid = *(const GUID *)EventCategoryData;
    }
    /* A hardware profile registration keeps the null class GUID: no interface has it. */
    HosMutexLock(&KhIoLock);
    InsertTailList(&KhPnpNotifications, &notify->Link);
    if (EventCategory == EventCategoryDeviceInterfaceChange &&
        (EventCategoryFlags & PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES)) {
        for (PLIST_ENTRY e = KhLinks.Flink; e != &KhLinks; e = e->Flink) {
            KH_LINK *link = CONTAINING_RECORD(e, KH_LINK, Link);
            if (link->IsInterface && link->Enabled && IsEqualGUID(&link->ClassGuid, &notify->ClassGuid)) {
                KhPnpQueueEventLocked(notify, &KhGuidInterfaceArrival, &link->ClassGuid, link->Name);
            }
        }
    }
    HosMutexUnlock(&KhIoLock);
    *NotificationEntry = notify;
    return STATUS_SUCCESS;
}

/*
 * Ends a registration: no callback starts after this returns, and a callback of it that
 * is running on another thread is waited for (a call from the callback itself returns
 * at once). The host gives both routines the guarantee the Ex form documents.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iounregisterplugplaynotificationex
 */
NTKERNELAPI NTSTATUS NTAPI IoUnregisterPlugPlayNotificationEx(PVOID NotificationEntry)
{
    KH_PNP_NOTIFY *notify = NotificationEntry;
    if (notify == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS targetStatus;
    if (KhIoUnregisterTargetNotification(NotificationEntry, &targetStatus)) {
        return targetStatus;
    }
    HosMutexLock(&KhIoLock);
    bool found = false;
    for (PLIST_ENTRY e = KhPnpNotifications.Flink; e != &KhPnpNotifications && !found; e = e->Flink) {
        found = CONTAINING_RECORD(e, KH_PNP_NOTIFY, Link) == notify;
    }
    if (!found || notify->Unregistered) {
        HosMutexUnlock(&KhIoLock);
        return STATUS_INVALID_PARAMETER;
    }
    notify->Unregistered = true;
    while (notify->Running != 0 && notify->RunningThread != HosCurrentThreadId()) {
        HosCondWait(&KhIoCond, &KhIoLock);
    }
    RemoveEntryList(&notify->Link);
    InitializeListHead(&notify->Link);
    KhPnpNotifyDereferenceLocked(notify);
    HosMutexUnlock(&KhIoLock);
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS NTAPI IoUnregisterPlugPlayNotification(PVOID NotificationEntry)
{
    return IoUnregisterPlugPlayNotificationEx(NotificationEntry);
}

/* ------------------------------------------------------------------ devnodes for setup */

/*
 * The instance IDs of the present device nodes (added and not removed; root-enumerated
 * and children alike), in the order the PnP manager created them, as a UTF-8 list in the
 * CM_Get_Device_ID_List format (each NUL-terminated, an extra NUL at the end). *Required
 * receives the size; STATUS_BUFFER_TOO_SMALL when BufferSize is less.
 */
KMDFHOST_API KH_STATUS KmdfHostGetDevnodeList(char *Buffer, size_t BufferSize, size_t *Required)
{
    if (Required == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&KhIoLock);
    size_t needed = 1;
    for (PLIST_ENTRY e = KhDevnodes.Flink; e != &KhDevnodes; e = e->Flink) {
        struct _KH_DEVNODE *node = CONTAINING_RECORD(e, struct _KH_DEVNODE, Link);
        if (node->State != KhNodeRemoved && node->State != KhNodeSurpriseRemoved && node->Pdo != NULL) {
            needed += strlen(node->InstanceId) + 1;
        }
    }
    *Required = needed;
    NTSTATUS status = STATUS_SUCCESS;
    if (Buffer == NULL || BufferSize < needed) {
        status = STATUS_BUFFER_TOO_SMALL;
    } else {
        char *out = Buffer;
        for (PLIST_ENTRY e = KhDevnodes.Flink; e != &KhDevnodes; e = e->Flink) {
            struct _KH_DEVNODE *node = CONTAINING_RECORD(e, struct _KH_DEVNODE, Link);
            if (node->State != KhNodeRemoved && node->State != KhNodeSurpriseRemoved && node->Pdo != NULL) {
                size_t length = strlen(node->InstanceId) + 1;
                memcpy(out, node->InstanceId, length);
                out += length;
            }
        }
        *out = 0;
    }
    HosMutexUnlock(&KhIoLock);
    return status;
}

/*
 * A property of the present device node InstanceId (compared without regard to case) as
 * IoGetDeviceProperty returns it for its PDO (DeviceProperty is a DEVICE_REGISTRY_PROPERTY;
 * strings UTF-16LE). STATUS_NO_SUCH_DEVICE when no such node is present.
 */
KMDFHOST_API KH_STATUS KmdfHostQueryDevnodeProperty(const char *InstanceId, uint32_t DeviceProperty, void *Buffer,
                                                    size_t BufferSize, size_t *Required)
{
    if (InstanceId == NULL || Required == NULL || BufferSize > UINT32_MAX) {
        return STATUS_INVALID_PARAMETER;
    }
    *Required = 0;
    struct _KH_DEVNODE *found = NULL;
    HosMutexLock(&KhIoLock);
    for (PLIST_ENTRY e = KhDevnodes.Flink; e != &KhDevnodes; e = e->Flink) {
        struct _KH_DEVNODE *node = CONTAINING_RECORD(e, struct _KH_DEVNODE, Link);
        if (node->State != KhNodeRemoved && node->State != KhNodeSurpriseRemoved && node->Pdo != NULL &&
            KhStrCaseCmp(node->InstanceId, InstanceId) == 0) {
            found = node;
            found->References++;
            break;
        }
    }
    HosMutexUnlock(&KhIoLock);
    if (found == NULL) {
        return STATUS_NO_SUCH_DEVICE;
    }
    ULONG length = 0;
    NTSTATUS status = IoGetDeviceProperty(found->Pdo, (DEVICE_REGISTRY_PROPERTY)DeviceProperty, (ULONG)BufferSize,
                                          Buffer, &length);
    *Required = length;
    KhNodeDereference(found);
    return status;
}
