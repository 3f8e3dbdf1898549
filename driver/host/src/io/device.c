/*
 * device.c - device objects and device stacks, symbolic links and device interfaces.
 *
 * A device object is freed when its last reference goes: IoDeleteDevice drops the
 * reference it was created with, and open files, queued work items and
 * IoGetAttachedDeviceReference callers hold their own, as the object manager's
 * reference count does on Windows.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/creating-a-device-object
 * https://learn.microsoft.com/windows-hardware/drivers/install/device-interface-classes
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/iop.h"

LIST_ENTRY KhLinks = {&KhLinks, &KhLinks};

#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))

typedef struct _KH_DEVICE {
    DEVICE_OBJECT Device;
    struct _DEVOBJ_EXTENSION Extension;
    LIST_ENTRY NameLink; /* named devices, under KhIoLock */
} KH_DEVICE;

static LIST_ENTRY KhNamedDevices = {&KhNamedDevices, &KhNamedDevices};

/* Under KhIoLock: the named device object, or NULL. */
PDEVICE_OBJECT KhFindNamedDeviceLocked(const char *Name)
{
    for (PLIST_ENTRY e = KhNamedDevices.Flink; e != &KhNamedDevices; e = e->Flink) {
        KH_DEVICE *device = CONTAINING_RECORD(e, KH_DEVICE, NameLink);
        if (KhStrCaseCmp(device->Extension.Name, Name) == 0) {
            return &device->Device;
        }
    }
    return NULL;
}

NTSTATUS KhIoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, const char *Name,
                          DEVICE_TYPE DeviceType, ULONG Characteristics, BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject)
{
    size_t extensionOffset = (sizeof(KH_DEVICE) + MEMORY_ALLOCATION_ALIGNMENT - 1) & ~(size_t)(MEMORY_ALLOCATION_ALIGNMENT - 1);
    KH_DEVICE *device = calloc(1, extensionOffset + DeviceExtensionSize);
    if (device == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Name != NULL) {
        device->Extension.Name = strdup(Name);
        if (device->Extension.Name == NULL) {
            free(device);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    PDEVICE_OBJECT object = &device->Device;
    object->Type = IO_TYPE_DEVICE;
    object->Size = (USHORT)sizeof(DEVICE_OBJECT);
    object->DriverObject = DriverObject;
    object->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0) | (Name != NULL ? DO_DEVICE_HAS_NAME : 0);
    object->Characteristics = Characteristics;
    object->DeviceExtension = DeviceExtensionSize != 0 ? (PUCHAR)device + extensionOffset : NULL;
    object->DeviceType = DeviceType;
    object->StackSize = 1;
    object->AlignmentRequirement = FILE_BYTE_ALIGNMENT;
    object->SectorSize = (DeviceType == FILE_DEVICE_DISK || DeviceType == FILE_DEVICE_CD_ROM) ? 512 : 0;
    object->DeviceObjectExtension = &device->Extension;
    KeInitializeEvent(&object->DeviceLock, SynchronizationEvent, TRUE);
    InitializeListHead(&object->Queue.ListEntry);
    device->Extension.Type = IO_TYPE_DEVICE;
    device->Extension.Size = (USHORT)sizeof(device->Extension);
    device->Extension.DeviceObject = object;
    device->Extension.References = 1;
    device->Extension.DevicePowerState.DeviceState = PowerDeviceD0;
    InitializeListHead(&device->NameLink);

    HosMutexLock(&KhIoLock);
    if (Name != NULL) {
        if (KhFindNamedDeviceLocked(Name) != NULL) {
            HosMutexUnlock(&KhIoLock);
            free(device->Extension.Name);
            free(device);
            return STATUS_OBJECT_NAME_COLLISION;
        }
        InsertTailList(&KhNamedDevices, &device->NameLink);
    }
    object->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = object;
    HosMutexUnlock(&KhIoLock);
    *DeviceObject = object;
    return STATUS_SUCCESS;
}

/*
 * IoCreateDevice: an allocation point when a driver calls it. The device starts with
 * DO_DEVICE_INITIALIZING, which its driver clears when it is ready for I/O.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocreatedevice
 */
NTKERNELAPI NTSTATUS NTAPI IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                          PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                          ULONG DeviceCharacteristics, BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject)
{
    if (KhFindDriverByAddress((uintptr_t)KH_CALLER()) != NULL && KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    char *name = NULL;
    if (DeviceName != NULL && DeviceName->Length != 0) {
        name = KhUnicodeStringToUtf8(DeviceName);
        if (name == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    NTSTATUS status = KhIoCreateDevice(DriverObject, DeviceExtensionSize, name, DeviceType, DeviceCharacteristics,
                                       Exclusive, DeviceObject);
    free(name);
    return status;
}

void KhDeviceReference(PDEVICE_OBJECT Device)
{
    __atomic_add_fetch(&Device->DeviceObjectExtension->References, 1, __ATOMIC_SEQ_CST);
}

void KhDeviceDereference(PDEVICE_OBJECT Device)
{
    if (__atomic_sub_fetch(&Device->DeviceObjectExtension->References, 1, __ATOMIC_SEQ_CST) == 0) {
        KH_DEVICE *device = CONTAINING_RECORD(Device, KH_DEVICE, Device);
        free(device->Extension.Name);
        free(device);
    }
}

/*
 * IoDeleteDevice: the device leaves its driver's list and its name at once; the
 * memory stays until the last reference goes. A device must be detached from the
 * device below before it is deleted.
 */
NTKERNELAPI VOID NTAPI IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    KH_DEVICE *device = CONTAINING_RECORD(DeviceObject, KH_DEVICE, Device);
    HosMutexLock(&KhIoLock);
    if (device->Extension.Deleted) {
        HosMutexUnlock(&KhIoLock);
        KhVerifierReport("BAD_DEVICE_DELETE", "device object %p deleted twice, at %p", (void *)DeviceObject, KH_CALLER());
        return;
    }
    device->Extension.Deleted = true;
    for (PDEVICE_OBJECT *link = &DeviceObject->DriverObject->DeviceObject; *link != NULL; link = &(*link)->NextDevice) {
        if (*link == DeviceObject) {
            *link = DeviceObject->NextDevice;
            break;
        }
    }
    DeviceObject->NextDevice = NULL;
    if (device->Extension.Name != NULL) {
        RemoveEntryList(&device->NameLink);
        InitializeListHead(&device->NameLink);
    }
    HosMutexUnlock(&KhIoLock);
    KhDeviceDereference(DeviceObject);
}

PDEVICE_OBJECT KhTopOfStackLocked(PDEVICE_OBJECT Device)
{
    while (Device->AttachedDevice != NULL) {
        Device = Device->AttachedDevice;
    }
    return Device;
}

/*
 * Attaches SourceDevice on top of the stack that TargetDevice is in; returns the device
 * it was attached to (the previous top), or NULL when that stack is being torn down.
 */
NTKERNELAPI PDEVICE_OBJECT NTAPI IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice)
{
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT top = KhTopOfStackLocked(TargetDevice);
    if (top->DeviceObjectExtension->Deleted) {
        HosMutexUnlock(&KhIoLock);
        return NULL;
    }
    top->AttachedDevice = SourceDevice;
    /* The attachment keeps the lower device object's memory: a lower driver may delete
       its device (IRP_MN_REMOVE_DEVICE) before the one above detaches from it, and
       Windows defers the deletion until then. */
    KhDeviceReference(top);
    SourceDevice->DeviceObjectExtension->AttachedTo = top;
    SourceDevice->DeviceObjectExtension->Devnode = top->DeviceObjectExtension->Devnode;
    SourceDevice->StackSize = (CCHAR)(top->StackSize + 1);
    if (top->AlignmentRequirement > SourceDevice->AlignmentRequirement) {
        SourceDevice->AlignmentRequirement = top->AlignmentRequirement;
    }
    SourceDevice->SectorSize = top->SectorSize;
    HosMutexUnlock(&KhIoLock);
    return top;
}

NTKERNELAPI NTSTATUS NTAPI IoAttachDeviceToDeviceStackSafe(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice,
                                                           PDEVICE_OBJECT *AttachedToDeviceObject)
{
    *AttachedToDeviceObject = IoAttachDeviceToDeviceStack(SourceDevice, TargetDevice);
    return *AttachedToDeviceObject != NULL ? STATUS_SUCCESS : STATUS_NO_SUCH_DEVICE;
}

/* Detaches whatever is attached to TargetDevice (the caller's device sits on top of it). */
NTKERNELAPI VOID NTAPI IoDetachDevice(PDEVICE_OBJECT TargetDevice)
{
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT source = TargetDevice->AttachedDevice;
    if (source != NULL) {
        source->DeviceObjectExtension->AttachedTo = NULL;
    }
    TargetDevice->AttachedDevice = NULL;
    HosMutexUnlock(&KhIoLock);
    if (source != NULL) {
        KhDeviceDereference(TargetDevice);
    }
}

NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject)
{
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT top = KhTopOfStackLocked(DeviceObject);
    HosMutexUnlock(&KhIoLock);
    return top;
}

/* The top of the stack, referenced (ObDereferenceObject when done). */
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject)
{
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT top = KhTopOfStackLocked(DeviceObject);
    KhDeviceReference(top);
    HosMutexUnlock(&KhIoLock);
    return top;
}

/* The lowest device of the stack DeviceObject is in (its PDO, in a PnP stack), referenced.
   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-iogetdeviceattachmentbaseref */
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetDeviceAttachmentBaseRef(PDEVICE_OBJECT DeviceObject)
{
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT base = DeviceObject;
    while (base->DeviceObjectExtension->AttachedTo != NULL) {
        base = base->DeviceObjectExtension->AttachedTo;
    }
    KhDeviceReference(base);
    HosMutexUnlock(&KhIoLock);
    return base;
}

/* The device directly below, referenced, or NULL. */
NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetLowerDeviceObject(PDEVICE_OBJECT DeviceObject)
{
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT lower = DeviceObject->DeviceObjectExtension->AttachedTo;
    if (lower != NULL) {
        KhDeviceReference(lower);
    }
    HosMutexUnlock(&KhIoLock);
    return lower;
}

NTKERNELAPI PDEVICE_OBJECT NTAPI IoGetRelatedDeviceObject(PFILE_OBJECT FileObject)
{
    return IoGetAttachedDevice(FileObject->DeviceObject);
}

/* ------------------------------------------------------------------ symbolic links */

/* "\DosDevices\X", "\DosDevices\Global\X", "\GLOBAL??\X" and "\??\X" all name "\??\X". */
static char *KhNormalizeLinkName(PCUNICODE_STRING Name)
{
    char *text = KhUnicodeStringToUtf8(Name);
    if (text == NULL) {
        return NULL;
    }
    static const char *const prefixes[] = {"\\DosDevices\\Global\\", "\\DosDevices\\", "\\GLOBAL??\\", "\\??\\"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if (strlen(text) > n && strncasecmp(text, prefixes[i], n) == 0) {
            char *normal = malloc(strlen(text) - n + 5);
            if (normal != NULL) {
                strcpy(normal, "\\??\\");
                strcat(normal, text + n);
            }
            free(text);
            return normal;
        }
    }
    return text;
}

/* Under KhIoLock. */
static KH_LINK *KhFindLinkLocked(const char *Name)
{
    for (PLIST_ENTRY e = KhLinks.Flink; e != &KhLinks; e = e->Flink) {
        KH_LINK *link = CONTAINING_RECORD(e, KH_LINK, Link);
        if (KhStrCaseCmp(link->Name, Name) == 0) {
            return link;
        }
    }
    return NULL;
}

NTKERNELAPI NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    char *name = KhNormalizeLinkName(SymbolicLinkName);
    char *target = KhUnicodeStringToUtf8(DeviceName);
    KH_LINK *link = calloc(1, sizeof(*link));
    if (name == NULL || target == NULL || link == NULL) {
        free(name);
        free(target);
        free(link);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT device = KhFindNamedDeviceLocked(target);
    NTSTATUS status = STATUS_SUCCESS;
    if (device == NULL) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (KhFindLinkLocked(name) != NULL) {
        status = STATUS_OBJECT_NAME_COLLISION;
    } else {
        link->Name = name;
        link->Target = device;
        link->Enabled = true;
        KhDeviceReference(device);
        InsertTailList(&KhLinks, &link->Link);
    }
    HosMutexUnlock(&KhIoLock);
    free(target);
    if (!NT_SUCCESS(status)) {
        free(name);
        free(link);
    }
    return status;
}

static void KhFreeLink(KH_LINK *Link)
{
    KhDeviceDereference(Link->Target);
    free(Link->Name);
    free(Link);
}

NTKERNELAPI NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    char *name = KhNormalizeLinkName(SymbolicLinkName);
    if (name == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HosMutexLock(&KhIoLock);
    KH_LINK *link = KhFindLinkLocked(name);
    if (link != NULL && !link->IsInterface) {
        RemoveEntryList(&link->Link);
    } else {
        link = NULL;
    }
    HosMutexUnlock(&KhIoLock);
    free(name);
    if (link == NULL) {
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    KhFreeLink(link);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ device interfaces */

/* "{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}": lower case, as Windows names interfaces. */
static void KhGuidText(const GUID *Guid, char Text[39])
{
    snprintf(Text, 39, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", (unsigned)Guid->Data1, Guid->Data2,
             Guid->Data3, Guid->Data4[0], Guid->Data4[1], Guid->Data4[2], Guid->Data4[3], Guid->Data4[4],
             Guid->Data4[5], Guid->Data4[6], Guid->Data4[7]);
}

/*
 * Registers (or finds) an interface of the device node of PhysicalDeviceObject and
 * returns its symbolic link, \??\<instance with # for \>#{guid}[\reference], in pool
 * the caller frees with RtlFreeUnicodeString. The interface starts disabled.
 */
NTKERNELAPI NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject, const GUID *InterfaceClassGuid,
                                                     PUNICODE_STRING ReferenceString, PUNICODE_STRING SymbolicLinkName)
{
    struct _KH_DEVNODE *node = PhysicalDeviceObject->DeviceObjectExtension->Devnode;
    if (node == NULL || node->Pdo != PhysicalDeviceObject) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    char guid[39];
    KhGuidText(InterfaceClassGuid, guid);
    char *reference = NULL;
    if (ReferenceString != NULL && ReferenceString->Length != 0) {
        reference = KhUnicodeStringToUtf8(ReferenceString);
        if (reference == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    size_t length = 4 + strlen(node->InstanceId) + 1 + strlen(guid) + (reference != NULL ? 1 + strlen(reference) : 0) + 1;
    char *name = malloc(length);
    KH_LINK *link = calloc(1, sizeof(*link));
    if (name == NULL || link == NULL) {
        free(reference);
        free(name);
        free(link);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    snprintf(name, length, "\\??\\%s#%s%s%s", node->InstanceId, guid, reference != NULL ? "\\" : "",
             reference != NULL ? reference : "");
    free(reference);
    for (char *c = name + 4; *c != 0 && *c != '{'; c++) {
        if (*c == '\\') {
            *c = '#';
        }
    }

    /* The caller's copy of the name, charged to whoever called us. */
    size_t units = KhUtf8ToUtf16(name, strlen(name), NULL, 0);
    WCHAR *buffer = KhAllocatePool(PagedPool, 0, (units + 1) * sizeof(WCHAR), 'tnIP', FALSE, KH_CALLER());
    if (buffer == NULL) {
        free(name);
        free(link);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KhUtf8ToUtf16(name, strlen(name), buffer, units + 1);

    HosMutexLock(&KhIoLock);
    if (KhFindLinkLocked(name) == NULL) {
        link->Name = name;
        link->Target = PhysicalDeviceObject;
        link->IsInterface = true;
        link->Enabled = false;
        link->ClassGuid = *InterfaceClassGuid;
        KhDeviceReference(PhysicalDeviceObject);
        InsertTailList(&KhLinks, &link->Link);
        name = NULL;
        link = NULL;
    }
    HosMutexUnlock(&KhIoLock);
    free(name);
    free(link);
    SymbolicLinkName->Buffer = buffer;
    SymbolicLinkName->Length = (USHORT)(units * sizeof(WCHAR));
    SymbolicLinkName->MaximumLength = (USHORT)((units + 1) * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/*
 * Enables or disables an interface. Enabling one that is enabled returns
 * STATUS_OBJECT_NAME_EXISTS; disabling one that is disabled STATUS_OBJECT_NAME_NOT_FOUND.
 * An interface of a device that has been (surprise-)removed cannot be enabled again.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetdeviceinterfacestate
 */
NTKERNELAPI NTSTATUS NTAPI IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable)
{
    char *name = KhNormalizeLinkName(SymbolicLinkName);
    if (name == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status;
    HosMutexLock(&KhIoLock);
    KH_LINK *link = KhFindLinkLocked(name);
    if (link == NULL || !link->IsInterface) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (Enable) {
        struct _KH_DEVNODE *node = link->Target->DeviceObjectExtension->Devnode;
        if (link->Enabled) {
            status = STATUS_OBJECT_NAME_EXISTS;
        } else if (node != NULL && (node->State == KhNodeSurpriseRemoved || node->State == KhNodeRemoved)) {
            status = STATUS_INVALID_DEVICE_STATE;
        } else {
            link->Enabled = true;
            KhIoNotifyInterfaceLocked(link, true);
            status = STATUS_SUCCESS;
        }
    } else if (!link->Enabled) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        link->Enabled = false;
        KhIoNotifyInterfaceLocked(link, false);
        status = STATUS_SUCCESS;
    }
    HosMutexUnlock(&KhIoLock);
    free(name);
    return status;
}

/* Under KhIoLock: disables every interface of the node; Delete also forgets them. */
void KhIoNodeInterfacesLocked(struct _KH_DEVNODE *Node, bool Delete, LIST_ENTRY *Deleted)
{
    PLIST_ENTRY e = KhLinks.Flink;
    while (e != &KhLinks) {
        KH_LINK *link = CONTAINING_RECORD(e, KH_LINK, Link);
        e = e->Flink;
        if (link->IsInterface && link->Target->DeviceObjectExtension->Devnode == Node) {
            if (link->Enabled) {
                KhIoNotifyInterfaceLocked(link, false);
            }
            link->Enabled = false;
            if (Delete) {
                RemoveEntryList(&link->Link);
                InsertTailList(Deleted, &link->Link);
            }
        }
    }
}

void KhIoFreeLinks(LIST_ENTRY *Links)
{
    while (!IsListEmpty(Links)) {
        KhFreeLink(CONTAINING_RECORD(RemoveHeadList(Links), KH_LINK, Link));
    }
}

/* The Win32 form of an interface's link: \\?\ instead of \??\. */
KMDFHOST_API KH_STATUS KmdfHostGetInterfaceList(const uint8_t InterfaceClassGuid[16], char *Buffer, size_t BufferSize,
                                                size_t *Required)
{
    GUID guid;
    if (InterfaceClassGuid == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    memcpy(&guid, InterfaceClassGuid, sizeof(guid));
    HosMutexLock(&KhIoLock);
    size_t needed = 1;
    for (PLIST_ENTRY e = KhLinks.Flink; e != &KhLinks; e = e->Flink) {
        KH_LINK *link = CONTAINING_RECORD(e, KH_LINK, Link);
        if (link->IsInterface && link->Enabled && IsEqualGUID(&link->ClassGuid, &guid)) {
            needed += strlen(link->Name) + 1;
        }
    }
    if (Required != NULL) {
        *Required = needed;
    }
    if (Buffer == NULL || BufferSize < needed) {
        HosMutexUnlock(&KhIoLock);
        return STATUS_BUFFER_TOO_SMALL;
    }
    size_t used = 0;
    for (PLIST_ENTRY e = KhLinks.Flink; e != &KhLinks; e = e->Flink) {
        KH_LINK *link = CONTAINING_RECORD(e, KH_LINK, Link);
        if (link->IsInterface && link->Enabled && IsEqualGUID(&link->ClassGuid, &guid)) {
            size_t n = strlen(link->Name);
            memcpy(Buffer + used, link->Name, n + 1);
            Buffer[used + 1] = '\\'; /* \??\ becomes \\?\ */
            used += n + 1;
        }
    }
    Buffer[used] = 0;
    HosMutexUnlock(&KhIoLock);
    return STATUS_SUCCESS;
}

/*
 * Resolves a path an application opens (\\?\X, \\.\X or \??\X) to a link: the longest
 * link that is the path or a prefix of it followed by '\'. The rest of the path becomes
 * the file name. Under KhIoLock.
 */
KH_LINK *KhIoResolvePathLocked(const char *Path, const char **Remainder)
{
    const char *name;
    if (strncmp(Path, "\\\\?\\", 4) == 0 || strncmp(Path, "\\\\.\\", 4) == 0 || strncmp(Path, "\\??\\", 4) == 0) {
        name = Path + 4;
    } else {
        return NULL;
    }
    KH_LINK *best = NULL;
    size_t bestLength = 0;
    for (PLIST_ENTRY e = KhLinks.Flink; e != &KhLinks; e = e->Flink) {
        KH_LINK *link = CONTAINING_RECORD(e, KH_LINK, Link);
        const char *linkName = link->Name + 4;
        size_t n = strlen(linkName);
        if (strncasecmp(name, linkName, n) == 0 && (name[n] == 0 || name[n] == '\\') && n > bestLength) {
            best = link;
            bestLength = n;
        }
    }
    if (best != NULL && Remainder != NULL) {
        *Remainder = name + bestLength;
    }
    return best;
}
