/*
 * fxresource.c - framework resource lists (WDFCMRESLIST), the raw and translated
 * hardware resources the framework passes to EvtDevicePrepareHardware and
 * EvtDeviceReleaseHardware ("Hardware Resources for Framework-Based Drivers", the
 * WdfCmResourceList* pages).
 *
 *  - A device keeps one raw and one translated list for its lifetime; both are children
 *    of the device, which the driver may not delete (INVALID_OBJECT_DELETE).
 *  - The PnP manager of the host enumerates root devices only, and a root-enumerated
 *    device is assigned no hardware resources, so both lists are empty: the count is 0.
 *  - WdfCmResourceListGetDescriptor: "If the specified index value is too large, the
 *    method returns NULL."
 *  - Every list of the host is one of those the framework passes to
 *    EvtDevicePrepareHardware and EvtDeviceReleaseHardware, which a driver may not
 *    change: WdfCmResourceListAppendDescriptor and InsertDescriptor return
 *    STATUS_ACCESS_DENIED ("the driver could not modify the logical configuration that
 *    its EvtDevicePrepareHardware or EvtDeviceReleaseHardware callback function
 *    received"), STATUS_INVALID_PARAMETER for a NULL Descriptor first;
 *    WdfCmResourceListRemove and RemoveByDescriptor, which return nothing, change
 *    nothing (KMDF refuses removal from such a list, and breaks into a debugger when its
 *    verifier is on; the host has none to break into).
 *  - The methods may be called at IRQL <= DISPATCH_LEVEL; they take the list's lock.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

typedef struct FX_CMRESLIST {
    FX_OBJECT Object;
    HOS_MUTEX Lock;
    CM_PARTIAL_RESOURCE_DESCRIPTOR *Descriptors; /* the device's resources: none on the host */
    ULONG Count;
} FX_CMRESLIST;

static FX_CMRESLIST *FxCmResListGet(WDFCMRESLIST Handle, const char *Api)
{
    return (FX_CMRESLIST *)FxObjectFromHandle(Handle, FxTypeCmResList, Api);
}

static void FxCmResListDestroy(FX_OBJECT *Object)
{
    FX_CMRESLIST *list = (FX_CMRESLIST *)Object;
    free(list->Descriptors);
    HosMutexDestroy(&list->Lock);
}

static const FX_OBJECT_OPS FxCmResListOps = {NULL, FxCmResListDestroy};

NTSTATUS FxCmResListCreateForDevice(FX_OBJECT *Device, WDFCMRESLIST *List)
{
    FX_OBJECT *object;
    NTSTATUS status = FxObjectAllocate(sizeof(FX_CMRESLIST), FxTypeCmResList, WDF_NO_OBJECT_ATTRIBUTES,
                                       Device->Driver, &FxCmResListOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_CMRESLIST *list = (FX_CMRESLIST *)object;
    HosMutexInit(&list->Lock);
    object->NoDriverDelete = true;
    object->ExecutionLevel = WdfExecutionLevelDispatch;
    FxObjectInsert(object, Device);
    *List = (WDFCMRESLIST)object;
    return STATUS_SUCCESS;
}

static NTSTATUS FxCmResListAdd(WDFCMRESLIST List, PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor, const char *Api)
{
    if (FxCmResListGet(List, Api) == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (Descriptor == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_ACCESS_DENIED;
}

WDFAPI NTSTATUS WdfCmResourceListAppendDescriptor(WDFCMRESLIST List, PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor)
{
    return FxCmResListAdd(List, Descriptor, "WdfCmResourceListAppendDescriptor");
}

WDFAPI NTSTATUS WdfCmResourceListInsertDescriptor(WDFCMRESLIST List, PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor,
                                                  ULONG Index)
{
    (void)Index;
    return FxCmResListAdd(List, Descriptor, "WdfCmResourceListInsertDescriptor");
}

WDFAPI ULONG WdfCmResourceListGetCount(WDFCMRESLIST List)
{
    FX_CMRESLIST *list = FxCmResListGet(List, "WdfCmResourceListGetCount");
    if (list == NULL) {
        return 0;
    }
    HosMutexLock(&list->Lock);
    ULONG count = list->Count;
    HosMutexUnlock(&list->Lock);
    return count;
}

WDFAPI PCM_PARTIAL_RESOURCE_DESCRIPTOR WdfCmResourceListGetDescriptor(WDFCMRESLIST List, ULONG Index)
{
    FX_CMRESLIST *list = FxCmResListGet(List, "WdfCmResourceListGetDescriptor");
    if (list == NULL) {
        return NULL;
    }
    HosMutexLock(&list->Lock);
    PCM_PARTIAL_RESOURCE_DESCRIPTOR descriptor = Index < list->Count ? &list->Descriptors[Index] : NULL;
    HosMutexUnlock(&list->Lock);
    return descriptor;
}

WDFAPI VOID WdfCmResourceListRemove(WDFCMRESLIST List, ULONG Index)
{
    (void)Index;
    (void)FxCmResListGet(List, "WdfCmResourceListRemove");
}

WDFAPI VOID WdfCmResourceListRemoveByDescriptor(WDFCMRESLIST List, PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptor)
{
    (void)Descriptor;
    (void)FxCmResListGet(List, "WdfCmResourceListRemoveByDescriptor");
}
