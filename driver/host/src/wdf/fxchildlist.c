/*
 * fxchildlist.c - child lists (WDFCHILDLIST): a bus driver's list of the children it
 * has found, by identification description ("Dynamic Enumeration"), and the static
 * list of WdfFdoAddStaticChild ("Static Enumeration").
 *
 * A description the driver reports present gets a PDO when the PnP manager next asks
 * the bus for its relations: the framework calls EvtChildListCreateDevice with a PDO's
 * WDFDEVICE_INIT. A description reported missing is left out of the relations; its PDO
 * is deleted when it has been removed (IRP_MN_REMOVE_DEVICE) and is no longer reported.
 * Every change outside a scan, and the end of the outermost scan, asks the PnP manager
 * for a new enumeration (IoInvalidateDeviceRelations), which runs later on its own
 * thread.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/dynamic-enumeration
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/static-enumeration
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

static FX_CHILDLIST *FxChildListGet(WDFCHILDLIST Handle, const char *Api)
{
    return (FX_CHILDLIST *)FxObjectFromHandle(Handle, FxTypeChildList, Api);
}

/* Frees an entry's descriptions through the driver's cleanup callbacks. */
static void FxChildFree(FX_CHILDLIST *List, FX_CHILD *Child)
{
    FX_CALLBACK_FRAME frame;
    if (Child->Id != NULL && List->Config.EvtChildListIdentificationDescriptionCleanup != NULL) {
        FxCallbackEnter(&frame, List->Object.Driver, NULL, "EvtChildListIdentificationDescriptionCleanup", List);
        List->Config.EvtChildListIdentificationDescriptionCleanup((WDFCHILDLIST)List, Child->Id);
        FxCallbackLeave(&frame);
    }
    if (Child->Address != NULL && List->Config.EvtChildListAddressDescriptionCleanup != NULL) {
        FxCallbackEnter(&frame, List->Object.Driver, NULL, "EvtChildListAddressDescriptionCleanup", List);
        List->Config.EvtChildListAddressDescriptionCleanup((WDFCHILDLIST)List, Child->Address);
        FxCallbackLeave(&frame);
    }
    free(Child->Id);
    free(Child->Address);
    free(Child);
}

static void FxChildListDispose(FX_OBJECT *Object)
{
    FX_CHILDLIST *list = (FX_CHILDLIST *)Object;
    HosMutexLock(&list->Lock);
    FX_CHILD *children = list->Children;
    list->Children = NULL;
    HosMutexUnlock(&list->Lock);
    while (children != NULL) {
        FX_CHILD *next = children->Next;
        if (children->Pdo != NULL) {
            children->Pdo->PdoData->Child = NULL;
            /* A PDO removed and kept, or one the PnP manager never got (created after
               the last enumeration), goes with the list; one the PnP manager has is
               deleted when it is removed (its children are removed before the bus). */
            if (children->PdoRemoved || !children->Reported) {
                FxPdoDelete(children->Pdo);
            }
        }
        FxChildFree(list, children);
        children = next;
    }
}

static void FxChildListDestroy(FX_OBJECT *Object)
{
    HosMutexDestroy(&((FX_CHILDLIST *)Object)->Lock);
}

static const FX_OBJECT_OPS FxChildListOps = {FxChildListDispose, FxChildListDestroy};

NTSTATUS FxChildListCreate(FX_DEVICE *Device, PWDF_CHILD_LIST_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                           bool Static, FX_CHILDLIST **List)
{
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_CHILDLIST), FxTypeChildList, Attributes, Device->Object.Driver,
                                       &FxChildListOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_CHILDLIST *list = (FX_CHILDLIST *)object;
    list->Device = Device;
    list->Static = Static;
    if (Config != NULL) {
        list->Config = *Config;
    }
    HosMutexInit(&list->Lock);
    object->NoDriverDelete = true;
    FxObjectInsert(object, &Device->Object);
    HosMutexLock(&Device->Lock);
    list->NextList = Device->ChildLists;
    Device->ChildLists = list;
    HosMutexUnlock(&Device->Lock);
    *List = list;
    return STATUS_SUCCESS;
}

/* The PnP manager is told that the children changed (unless a scan is in progress). */
static void FxChildListReport(FX_CHILDLIST *List)
{
    HosMutexLock(&List->Lock);
    bool now = List->ScanDepth == 0;
    List->Changed = !now;
    HosMutexUnlock(&List->Lock);
    if (now && List->Device->Pdo != NULL) {
        IoInvalidateDeviceRelations(List->Device->Pdo, BusRelations);
    }
}

/*
 * WdfChildListCreate: another list besides the default one. The descriptions must be at
 * least a header, and a list needs EvtChildListCreateDevice.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfchildlist/nf-wdfchildlist-wdfchildlistcreate
 */
WDFAPI NTSTATUS WdfChildListCreate(WDFDEVICE Device, PWDF_CHILD_LIST_CONFIG Config,
                                   PWDF_OBJECT_ATTRIBUTES ChildListAttributes, WDFCHILDLIST *ChildList)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfChildListCreate");
    if (device == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (ChildList == NULL || Config == NULL || Config->Size != sizeof(WDF_CHILD_LIST_CONFIG) ||
        Config->EvtChildListCreateDevice == NULL ||
        Config->IdentificationDescriptionSize < sizeof(WDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER) ||
        (Config->AddressDescriptionSize != 0 &&
         Config->AddressDescriptionSize < sizeof(WDF_CHILD_ADDRESS_DESCRIPTION_HEADER))) {
        return STATUS_INVALID_PARAMETER;
    }
    *ChildList = NULL;
    FX_CHILDLIST *list;
    NTSTATUS status = FxChildListCreate(device, Config, ChildListAttributes, false, &list);
    if (NT_SUCCESS(status)) {
        *ChildList = (WDFCHILDLIST)list;
    }
    return status;
}

WDFAPI WDFDEVICE WdfChildListGetDevice(WDFCHILDLIST ChildList)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListGetDevice");
    return list != NULL ? (WDFDEVICE)list->Device : NULL;
}

/* The driver's compare callback (Compare, else the list's), else the bytes. */
static bool FxChildSame(FX_CHILDLIST *List, PFN_WDF_CHILD_LIST_IDENTIFICATION_DESCRIPTION_COMPARE Compare,
                        PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER A,
                        PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER B)
{
    if (Compare == NULL) {
        Compare = List->Config.EvtChildListIdentificationDescriptionCompare;
    }
    if (Compare != NULL) {
        return Compare((WDFCHILDLIST)List, A, B) != FALSE;
    }
    return A->IdentificationDescriptionSize == B->IdentificationDescriptionSize &&
           memcmp(A, B, A->IdentificationDescriptionSize) == 0;
}

/* Under List->Lock: the entry whose description matches Id, or NULL. */
static FX_CHILD *FxChildFindLocked(FX_CHILDLIST *List, PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER Id,
                                   PFN_WDF_CHILD_LIST_IDENTIFICATION_DESCRIPTION_COMPARE Compare)
{
    for (FX_CHILD *child = List->Children; child != NULL; child = child->Next) {
        if (child->Id != NULL && FxChildSame(List, Compare, child->Id, Id)) {
            return child;
        }
    }
    return NULL;
}

static bool FxIdValid(FX_CHILDLIST *List, PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER Id, const char *Api)
{
    if (Id == NULL || Id->IdentificationDescriptionSize != List->Config.IdentificationDescriptionSize) {
        (void)Api;
        return false;
    }
    return true;
}

/* The driver's copy (Duplicate, else Copy, else the bytes) of a description. */
static NTSTATUS FxCopyId(FX_CHILDLIST *List, PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER Source,
                         PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER Destination, bool Duplicate)
{
    NTSTATUS status = STATUS_SUCCESS;
    FX_CALLBACK_FRAME frame;
    if (Duplicate && List->Config.EvtChildListIdentificationDescriptionDuplicate != NULL) {
        FxCallbackEnter(&frame, List->Object.Driver, NULL, "EvtChildListIdentificationDescriptionDuplicate", List);
        status = List->Config.EvtChildListIdentificationDescriptionDuplicate((WDFCHILDLIST)List, Source, Destination);
        FxCallbackLeave(&frame);
    } else if (List->Config.EvtChildListIdentificationDescriptionCopy != NULL) {
        FxCallbackEnter(&frame, List->Object.Driver, NULL, "EvtChildListIdentificationDescriptionCopy", List);
        List->Config.EvtChildListIdentificationDescriptionCopy((WDFCHILDLIST)List, Source, Destination);
        FxCallbackLeave(&frame);
    } else {
        memcpy(Destination, Source, List->Config.IdentificationDescriptionSize);
    }
    return status;
}

static NTSTATUS FxCopyAddress(FX_CHILDLIST *List, PWDF_CHILD_ADDRESS_DESCRIPTION_HEADER Source,
                              PWDF_CHILD_ADDRESS_DESCRIPTION_HEADER Destination, bool Duplicate)
{
    NTSTATUS status = STATUS_SUCCESS;
    FX_CALLBACK_FRAME frame;
    if (Duplicate && List->Config.EvtChildListAddressDescriptionDuplicate != NULL) {
        FxCallbackEnter(&frame, List->Object.Driver, NULL, "EvtChildListAddressDescriptionDuplicate", List);
        status = List->Config.EvtChildListAddressDescriptionDuplicate((WDFCHILDLIST)List, Source, Destination);
        FxCallbackLeave(&frame);
    } else if (List->Config.EvtChildListAddressDescriptionCopy != NULL) {
        FxCallbackEnter(&frame, List->Object.Driver, NULL, "EvtChildListAddressDescriptionCopy", List);
        List->Config.EvtChildListAddressDescriptionCopy((WDFCHILDLIST)List, Source, Destination);
        FxCallbackLeave(&frame);
    } else {
        memcpy(Destination, Source, List->Config.AddressDescriptionSize);
    }
    return status;
}

/*
 * WdfChildListAddOrUpdateChildDescriptionAsPresent: a new child (STATUS_SUCCESS), or one
 * the list has (STATUS_OBJECT_NAME_EXISTS: it is present again, and its address
 * description is updated). STATUS_INVALID_PARAMETER for a description of the wrong size.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfchildlist/nf-wdfchildlist-wdfchildlistaddorupdatechilddescriptionaspresent
 */
WDFAPI NTSTATUS WdfChildListAddOrUpdateChildDescriptionAsPresent(
    WDFCHILDLIST ChildList, PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER IdentificationDescription,
    PWDF_CHILD_ADDRESS_DESCRIPTION_HEADER AddressDescription)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListAddOrUpdateChildDescriptionAsPresent");
    if (list == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (list->Static || !FxIdValid(list, IdentificationDescription, "WdfChildListAddOrUpdateChildDescriptionAsPresent") ||
        (AddressDescription != NULL &&
         AddressDescription->AddressDescriptionSize != list->Config.AddressDescriptionSize)) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&list->Lock);
    FX_CHILD *existing = FxChildFindLocked(list, IdentificationDescription, NULL);
    if (existing != NULL && existing->Present) {
        existing->ScanMissing = false;
        if (AddressDescription != NULL && existing->Address != NULL) {
            (void)FxCopyAddress(list, AddressDescription, existing->Address, false);
        }
        HosMutexUnlock(&list->Lock);
        return STATUS_OBJECT_NAME_EXISTS;
    }
    HosMutexUnlock(&list->Lock);
    /* A new entry (a child reported missing that comes back is a new child). */
    FX_CHILD *child = KhAllocationShouldFail() ? NULL : calloc(1, sizeof(*child));
    if (child == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    child->List = list;
    child->Id = calloc(1, list->Config.IdentificationDescriptionSize);
    if (list->Config.AddressDescriptionSize != 0) {
        child->Address = calloc(1, list->Config.AddressDescriptionSize);
    }
    if (child->Id == NULL || (list->Config.AddressDescriptionSize != 0 && child->Address == NULL)) {
        free(child->Id);
        free(child->Address);
        free(child);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    child->Id->IdentificationDescriptionSize = list->Config.IdentificationDescriptionSize;
    NTSTATUS status = FxCopyId(list, IdentificationDescription, child->Id, true);
    if (NT_SUCCESS(status) && child->Address != NULL) {
        child->Address->AddressDescriptionSize = list->Config.AddressDescriptionSize;
        if (AddressDescription != NULL) {
            status = FxCopyAddress(list, AddressDescription, child->Address, true);
        }
    }
    if (!NT_SUCCESS(status)) {
        free(child->Id);
        free(child->Address);
        free(child);
        return status;
    }
    child->Present = true;
    HosMutexLock(&list->Lock);
    child->Next = list->Children;
    list->Children = child;
    HosMutexUnlock(&list->Lock);
    FxChildListReport(list);
    return STATUS_SUCCESS;
}

/*
 * WdfChildListUpdateChildDescriptionAsMissing: the child is gone. STATUS_NO_SUCH_DEVICE
 * when the list has no present child with that description.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfchildlist/nf-wdfchildlist-wdfchildlistupdatechilddescriptionasmissing
 */
WDFAPI NTSTATUS WdfChildListUpdateChildDescriptionAsMissing(
    WDFCHILDLIST ChildList, PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER IdentificationDescription)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListUpdateChildDescriptionAsMissing");
    if (list == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (list->Static || !FxIdValid(list, IdentificationDescription, "WdfChildListUpdateChildDescriptionAsMissing")) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&list->Lock);
    FX_CHILD *child = FxChildFindLocked(list, IdentificationDescription, NULL);
    bool found = child != NULL && child->Present;
    if (found) {
        child->Present = false;
    }
    HosMutexUnlock(&list->Lock);
    if (!found) {
        return STATUS_NO_SUCH_DEVICE;
    }
    FxChildListReport(list);
    return STATUS_SUCCESS;
}

/*
 * WdfChildListBeginScan / EndScan: between them the driver reports every child that is
 * there; at the end of the outermost scan the children it did not report are missing,
 * and the PnP manager is told of the changes.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfchildlist/nf-wdfchildlist-wdfchildlistbeginscan
 */
WDFAPI VOID WdfChildListBeginScan(WDFCHILDLIST ChildList)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListBeginScan");
    if (list == NULL) {
        return;
    }
    HosMutexLock(&list->Lock);
    if (list->ScanDepth++ == 0) {
        for (FX_CHILD *child = list->Children; child != NULL; child = child->Next) {
            child->ScanMissing = child->Present;
        }
    }
    HosMutexUnlock(&list->Lock);
}

WDFAPI VOID WdfChildListEndScan(WDFCHILDLIST ChildList)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListEndScan");
    if (list == NULL) {
        return;
    }
    HosMutexLock(&list->Lock);
    if (list->ScanDepth == 0) {
        HosMutexUnlock(&list->Lock);
        FxReport(list->Object.Driver, "INVALID_HANDLE",
                 "WdfChildListEndScan on WDFCHILDLIST %p without WdfChildListBeginScan", (void *)list);
        return;
    }
    bool report = false;
    if (--list->ScanDepth == 0) {
        for (FX_CHILD *child = list->Children; child != NULL; child = child->Next) {
            if (child->ScanMissing) {
                child->Present = false;
                child->ScanMissing = false;
            }
        }
        /* The end of a scan always asks for an enumeration, as KMDF does. */
        report = true;
        list->Changed = false;
    }
    HosMutexUnlock(&list->Lock);
    if (report && list->Device->Pdo != NULL) {
        IoInvalidateDeviceRelations(list->Device->Pdo, BusRelations);
    }
}

/*
 * WdfChildListUpdateAllChildDescriptionsAsPresent: every child of the list is still
 * there (called during a scan, it confirms them all).
 */
WDFAPI VOID WdfChildListUpdateAllChildDescriptionsAsPresent(WDFCHILDLIST ChildList)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListUpdateAllChildDescriptionsAsPresent");
    if (list == NULL) {
        return;
    }
    HosMutexLock(&list->Lock);
    for (FX_CHILD *child = list->Children; child != NULL; child = child->Next) {
        if (child->Present) {
            child->ScanMissing = false;
        }
    }
    HosMutexUnlock(&list->Lock);
    FxChildListReport(list);
}

/*
 * WdfChildListRequestChildEject: asks the PnP manager to eject the child's PDO (orderly
 * removal, then IRP_MN_EJECT). FALSE when the list has no such child with a PDO.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfchildlist/nf-wdfchildlist-wdfchildlistrequestchildeject
 */
WDFAPI BOOLEAN WdfChildListRequestChildEject(WDFCHILDLIST ChildList,
                                             PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER IdentificationDescription)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListRequestChildEject");
    if (list == NULL || !FxIdValid(list, IdentificationDescription, "WdfChildListRequestChildEject")) {
        return FALSE;
    }
    HosMutexLock(&list->Lock);
    FX_CHILD *child = FxChildFindLocked(list, IdentificationDescription, NULL);
    PDEVICE_OBJECT pdo = child != NULL && child->Present && child->Pdo != NULL && !child->PdoRemoved
                             ? child->Pdo->Fdo
                             : NULL;
    HosMutexUnlock(&list->Lock);
    if (pdo == NULL) {
        return FALSE;
    }
    IoRequestDeviceEject(pdo);
    return TRUE;
}

/* Fills a WDF_CHILD_RETRIEVE_INFO for an entry (under List->Lock). */
static void FxFillRetrieveInfo(FX_CHILDLIST *List, FX_CHILD *Child, PWDF_CHILD_RETRIEVE_INFO Info)
{
    if (Info == NULL) {
        return;
    }
    if (Info->IdentificationDescription != NULL && Child->Id != NULL &&
        Info->IdentificationDescription->IdentificationDescriptionSize == List->Config.IdentificationDescriptionSize) {
        (void)FxCopyId(List, Child->Id, Info->IdentificationDescription, false);
    }
    if (Info->AddressDescription != NULL && Child->Address != NULL &&
        Info->AddressDescription->AddressDescriptionSize == List->Config.AddressDescriptionSize) {
        (void)FxCopyAddress(List, Child->Address, Info->AddressDescription, false);
    }
    Info->Status = Child->Pdo != NULL ? WdfChildListRetrieveDeviceSuccess : WdfChildListRetrieveDeviceNotYetCreated;
}

/*
 * WdfChildListRetrievePdo: the PDO of the child whose description matches (by the
 * compare callback in RetrieveInfo, else the list's); NULL, with RetrieveInfo->Status
 * saying why, when it has none.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfchildlist/nf-wdfchildlist-wdfchildlistretrievepdo
 */
WDFAPI WDFDEVICE WdfChildListRetrievePdo(WDFCHILDLIST ChildList, PWDF_CHILD_RETRIEVE_INFO RetrieveInfo)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListRetrievePdo");
    if (list == NULL || RetrieveInfo == NULL || RetrieveInfo->Size != sizeof(WDF_CHILD_RETRIEVE_INFO) ||
        !FxIdValid(list, RetrieveInfo->IdentificationDescription, "WdfChildListRetrievePdo")) {
        if (RetrieveInfo != NULL) {
            RetrieveInfo->Status = WdfChildListRetrieveDeviceUndefined;
        }
        return NULL;
    }
    HosMutexLock(&list->Lock);
    FX_CHILD *child = FxChildFindLocked(list, RetrieveInfo->IdentificationDescription,
                                        RetrieveInfo->EvtChildListIdentificationDescriptionCompare);
    WDFDEVICE device = NULL;
    if (child == NULL || !child->Present) {
        RetrieveInfo->Status = WdfChildListRetrieveDeviceNoSuchDevice;
    } else {
        device = (WDFDEVICE)child->Pdo;
        FxFillRetrieveInfo(list, child, RetrieveInfo);
    }
    HosMutexUnlock(&list->Lock);
    return device;
}

WDFAPI NTSTATUS WdfChildListRetrieveAddressDescription(
    WDFCHILDLIST ChildList, PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER IdentificationDescription,
    PWDF_CHILD_ADDRESS_DESCRIPTION_HEADER AddressDescription)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListRetrieveAddressDescription");
    if (list == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (!FxIdValid(list, IdentificationDescription, "WdfChildListRetrieveAddressDescription") ||
        AddressDescription == NULL || list->Config.AddressDescriptionSize == 0 ||
        AddressDescription->AddressDescriptionSize != list->Config.AddressDescriptionSize) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&list->Lock);
    FX_CHILD *child = FxChildFindLocked(list, IdentificationDescription, NULL);
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    if (child != NULL && child->Present && child->Address != NULL) {
        status = FxCopyAddress(list, child->Address, AddressDescription, false);
    }
    HosMutexUnlock(&list->Lock);
    return status;
}

/*
 * Iteration: WdfChildListBeginIteration, then WdfChildListRetrieveNextDevice until
 * STATUS_NO_MORE_ENTRIES, then WdfChildListEndIteration. Flags pick present children
 * (with a PDO), pending ones (present, no PDO yet) and missing ones. The iterator's
 * Reserved[0] is the position.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfchildlist/nf-wdfchildlist-wdfchildlistretrievenextdevice
 */
WDFAPI VOID WdfChildListBeginIteration(WDFCHILDLIST ChildList, PWDF_CHILD_LIST_ITERATOR Iterator)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListBeginIteration");
    if (list == NULL || Iterator == NULL) {
        return;
    }
    Iterator->Reserved[0] = NULL;
    Iterator->Reserved[1] = list;
}

WDFAPI NTSTATUS WdfChildListRetrieveNextDevice(WDFCHILDLIST ChildList, PWDF_CHILD_LIST_ITERATOR Iterator,
                                               WDFDEVICE *Device, PWDF_CHILD_RETRIEVE_INFO Info)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListRetrieveNextDevice");
    if (list == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Iterator == NULL || Iterator->Size != sizeof(WDF_CHILD_LIST_ITERATOR) || Device == NULL ||
        Iterator->Reserved[1] != list || (Iterator->Flags & ~(ULONG)WdfRetrieveAllChildren) != 0 ||
        Iterator->Flags == 0 || (Info != NULL && Info->Size != sizeof(WDF_CHILD_RETRIEVE_INFO))) {
        return STATUS_INVALID_PARAMETER;
    }
    *Device = NULL;
    uintptr_t position = (uintptr_t)Iterator->Reserved[0];
    uintptr_t index = 0;
    HosMutexLock(&list->Lock);
    for (FX_CHILD *child = list->Children; child != NULL; child = child->Next, index++) {
        if (index < position) {
            continue;
        }
        ULONG kind = !child->Present ? WdfRetrieveMissingChildren
                     : child->Pdo != NULL ? WdfRetrievePresentChildren
                                          : WdfRetrievePendingChildren;
        if ((Iterator->Flags & kind) == 0) {
            continue;
        }
        Iterator->Reserved[0] = (PVOID)(index + 1);
        *Device = (WDFDEVICE)child->Pdo;
        FxFillRetrieveInfo(list, child, Info);
        HosMutexUnlock(&list->Lock);
        return STATUS_SUCCESS;
    }
    Iterator->Reserved[0] = (PVOID)index;
    HosMutexUnlock(&list->Lock);
    return STATUS_NO_MORE_ENTRIES;
}

WDFAPI VOID WdfChildListEndIteration(WDFCHILDLIST ChildList, PWDF_CHILD_LIST_ITERATOR Iterator)
{
    FX_CHILDLIST *list = FxChildListGet(ChildList, "WdfChildListEndIteration");
    if (list == NULL || Iterator == NULL) {
        return;
    }
    Iterator->Reserved[1] = NULL;
}

/* ------------------------------------------------------------ the PnP manager's side */

/* A PDO for a present child without one: EvtChildListCreateDevice. */
static void FxChildCreatePdo(FX_CHILDLIST *List, FX_CHILD *Child)
{
    PWDFDEVICE_INIT init = WdfPdoInitAllocate((WDFDEVICE)List->Device);
    if (init == NULL) {
        return;
    }
    init->CreatedByFramework = true;
    init->PdoData->Child = Child;
    FX_CALLBACK_FRAME frame;
    FxCallbackEnter(&frame, List->Object.Driver, NULL, "EvtChildListCreateDevice", List);
    NTSTATUS status = List->Config.EvtChildListCreateDevice((WDFCHILDLIST)List, Child->Id, init);
    FxCallbackLeave(&frame);
    FX_DEVICE *pdo = init->CreatedDevice;
    init->CreatedByFramework = false;
    WdfDeviceInitFree(init);
    if (NT_SUCCESS(status) && pdo != NULL) {
        HosMutexLock(&List->Lock);
        Child->Pdo = pdo;
        HosMutexUnlock(&List->Lock);
        return;
    }
    if (pdo != NULL) {
        /* "If the callback fails, the framework deletes the device it created." */
        pdo->PdoData->Child = NULL;
        FxPdoDelete(pdo);
    }
    /* The child is not reported; the list forgets it. */
    HosMutexLock(&List->Lock);
    Child->Present = false;
    HosMutexUnlock(&List->Lock);
}

/*
 * The children whose PDO the PnP manager had and that these relations leave out are
 * reported missing: EvtDeviceReportedMissing of each, once, while the framework
 * processes the BusRelations request ("The framework calls EvtDeviceReportedMissing when
 * processing a IRP_MN_QUERY_DEVICE_RELATIONS request for BusRelations").
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfpdo/nc-wdfpdo-evt_wdf_device_reported_missing
 */
static void FxPdoCallReportedMissing(FX_DEVICE *Pdo)
{
    PFN_WDF_DEVICE_REPORTED_MISSING callback =
        Pdo->PdoData != NULL ? Pdo->PdoData->Callbacks.EvtDeviceReportedMissing : NULL;
    if (callback != NULL) {
        FX_CALLBACK_FRAME frame;
        FxCallbackEnter(&frame, Pdo->Object.Driver, NULL, "EvtDeviceReportedMissing", Pdo);
        callback((WDFDEVICE)Pdo);
        FxCallbackLeave(&frame);
    }
}

static void FxChildListsReportedMissing(FX_CHILDLIST **Lists, size_t ListCount)
{
    for (size_t l = 0; l < ListCount; l++) {
        for (;;) {
            FX_DEVICE *pdo = NULL;
            HosMutexLock(&Lists[l]->Lock);
            for (FX_CHILD *child = Lists[l]->Children; child != NULL; child = child->Next) {
                if (!child->Present && child->Pdo != NULL && child->Reported && !child->MissingReported) {
                    child->MissingReported = true;
                    pdo = child->Pdo;
                    FxObjectReference(&pdo->Object);
                    break;
                }
            }
            HosMutexUnlock(&Lists[l]->Lock);
            if (pdo == NULL) {
                break;
            }
            FxPdoCallReportedMissing(pdo);
            FxObjectDereference(&pdo->Object);
        }
    }
}

NTSTATUS FxChildListsBusRelations(FX_DEVICE *Device, PIRP Irp)
{
    /* The lists, referenced, for walking without the device lock. */
    FX_CHILDLIST *lists[16];
    size_t listCount = 0;
    HosMutexLock(&Device->Lock);
    for (FX_CHILDLIST *list = Device->ChildLists; list != NULL && listCount < 16; list = list->NextList) {
        FxObjectReference(&list->Object);
        lists[listCount++] = list;
    }
    HosMutexUnlock(&Device->Lock);

    /* PDOs for new children (EvtChildListCreateDevice runs without the list lock). */
    for (size_t l = 0; l < listCount; l++) {
        FX_CHILDLIST *list = lists[l];
        for (;;) {
            FX_CHILD *pending = NULL;
            HosMutexLock(&list->Lock);
            for (FX_CHILD *child = list->Children; child != NULL && !list->Static; child = child->Next) {
                if (child->Present && child->Pdo == NULL) {
                    pending = child;
                    break;
                }
            }
            HosMutexUnlock(&list->Lock);
            if (pending == NULL) {
                break;
            }
            FxChildCreatePdo(list, pending);
        }
    }

    /* The missing children whose PDO is gone, or was removed, leave the lists. */
    for (size_t l = 0; l < listCount; l++) {
        FX_CHILDLIST *list = lists[l];
        for (;;) {
            FX_CHILD *gone = NULL;
            HosMutexLock(&list->Lock);
            for (FX_CHILD **link = &list->Children; *link != NULL; link = &(*link)->Next) {
                FX_CHILD *child = *link;
                if (!child->Present && (child->Pdo == NULL || child->PdoRemoved)) {
                    *link = child->Next;
                    gone = child;
                    break;
                }
            }
            HosMutexUnlock(&list->Lock);
            if (gone == NULL) {
                break;
            }
            if (gone->Pdo != NULL) {
                if (gone->Reported && !gone->MissingReported) {
                    /* Removed while present, now missing: reported missing as it leaves. */
                    gone->MissingReported = true;
                    FxPdoCallReportedMissing(gone->Pdo);
                }
                gone->Pdo->PdoData->Child = NULL;
                FxPdoDelete(gone->Pdo);
            }
            FxChildFree(list, gone);
        }
    }

    /* The relations: those already in the IRP (from a driver above), then ours. */
    PDEVICE_RELATIONS previous = (PDEVICE_RELATIONS)Irp->IoStatus.Information;
    ULONG count = previous != NULL ? previous->Count : 0;
    for (size_t l = 0; l < listCount; l++) {
        HosMutexLock(&lists[l]->Lock);
        for (FX_CHILD *child = lists[l]->Children; child != NULL; child = child->Next) {
            count += child->Present && child->Pdo != NULL && !child->PdoRemoved;
        }
        HosMutexUnlock(&lists[l]->Lock);
    }
    size_t size = sizeof(DEVICE_RELATIONS) + (count != 0 ? count - 1 : 0) * sizeof(PDEVICE_OBJECT);
    PDEVICE_RELATIONS relations = ExAllocatePoolWithTag(PagedPool, size, 'LxfW');
    NTSTATUS status = STATUS_SUCCESS;
    if (relations == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        ULONG n = 0;
        if (previous != NULL) {
            for (ULONG i = 0; i < previous->Count; i++) {
                relations->Objects[n++] = previous->Objects[i];
            }
            ExFreePool(previous);
        }
        for (size_t l = 0; l < listCount; l++) {
            HosMutexLock(&lists[l]->Lock);
            for (FX_CHILD *child = lists[l]->Children; child != NULL && n < count; child = child->Next) {
                if (child->Present && child->Pdo != NULL && !child->PdoRemoved) {
                    /* The PnP manager dereferences each object it is given. */
                    ObReferenceObject(child->Pdo->Fdo);
                    relations->Objects[n++] = child->Pdo->Fdo;
                    child->Reported = true;
                }
            }
            HosMutexUnlock(&lists[l]->Lock);
        }
        relations->Count = n;
        Irp->IoStatus.Information = (ULONG_PTR)relations;
    }
    if (NT_SUCCESS(status)) {
        FxChildListsReportedMissing(lists, listCount);
    }
    for (size_t l = 0; l < listCount; l++) {
        FxObjectDereference(&lists[l]->Object);
    }
    return status;
}

void FxChildListsScan(FX_DEVICE *Device)
{
    {
        FX_CHILDLIST *lists[16];
        size_t listCount = 0;
        HosMutexLock(&Device->Lock);
        for (FX_CHILDLIST *list = Device->ChildLists; list != NULL && listCount < 16; list = list->NextList) {
            if (list->Config.EvtChildListScanForChildren != NULL) {
                FxObjectReference(&list->Object);
                lists[listCount++] = list;
            }
        }
        HosMutexUnlock(&Device->Lock);
        for (size_t l = 0; l < listCount; l++) {
            FX_CALLBACK_FRAME frame;
            FxCallbackEnter(&frame, lists[l]->Object.Driver, NULL, "EvtChildListScanForChildren", lists[l]);
            lists[l]->Config.EvtChildListScanForChildren((WDFCHILDLIST)lists[l]);
            FxCallbackLeave(&frame);
            FxObjectDereference(&lists[l]->Object);
        }
    }
}

void FxChildListsParentRemoved(FX_DEVICE *Device)
{
    HosMutexLock(&Device->Lock);
    FX_CHILDLIST *lists = Device->ChildLists;
    HosMutexUnlock(&Device->Lock);
    for (FX_CHILDLIST *list = lists; list != NULL; list = list->NextList) {
        FxChildListDispose(&list->Object);
    }
}

bool FxChildListPdoRemoved(FX_DEVICE *Pdo)
{
    FX_CHILD *child = Pdo->PdoData != NULL ? Pdo->PdoData->Child : NULL;
    if (child == NULL) {
        return true;
    }
    FX_CHILDLIST *list = child->List;
    HosMutexLock(&list->Lock);
    bool remove = !child->Present;
    if (remove) {
        /* The entry goes with its PDO. */
        for (FX_CHILD **link = &list->Children; *link != NULL; link = &(*link)->Next) {
            if (*link == child) {
                *link = child->Next;
                break;
            }
        }
    } else {
        child->PdoRemoved = true;
    }
    HosMutexUnlock(&list->Lock);
    if (remove) {
        Pdo->PdoData->Child = NULL;
        FxChildFree(list, child);
    }
    return remove;
}

NTSTATUS FxChildListMarkPdoMissing(FX_DEVICE *Pdo)
{
    FX_CHILD *child = Pdo->PdoData != NULL ? Pdo->PdoData->Child : NULL;
    if (child == NULL) {
        return STATUS_NO_SUCH_DEVICE;
    }
    FX_CHILDLIST *list = child->List;
    HosMutexLock(&list->Lock);
    bool wasPresent = child->Present;
    child->Present = false;
    HosMutexUnlock(&list->Lock);
    if (!wasPresent) {
        return STATUS_NO_SUCH_DEVICE;
    }
    FxChildListReport(list);
    return STATUS_SUCCESS;
}
