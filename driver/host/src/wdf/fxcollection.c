/*
 * fxcollection.c - framework collections (WDFCOLLECTION): an ordered list of object
 * handles ("Framework Object Collections", the WdfCollection* pages).
 *
 *  - WdfCollectionAdd appends the object and takes a reference on it, so the object's
 *    memory stays while it is in the collection; WdfCollectionRemove(Item) drops it.
 *  - Deleting the collection removes every object from it (and drops those references);
 *    it does not delete the objects.
 *  - Indexes are zero-based; WdfCollectionGetItem with an index beyond the end returns
 *    NULL; removing an index or an object that is not in the collection changes nothing
 *    (KMDF's verifier breaks into a debugger there; the host has none to break into).
 *  - The methods may be called at IRQL <= DISPATCH_LEVEL and lock the collection.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

typedef struct FX_COLLECTION {
    FX_OBJECT Object;
    HOS_MUTEX Lock;
    FX_OBJECT **Items;
    ULONG Count;
    ULONG Capacity;
} FX_COLLECTION;

static FX_COLLECTION *FxCollectionGet(WDFCOLLECTION Handle, const char *Api)
{
    return (FX_COLLECTION *)FxObjectFromHandle(Handle, FxTypeCollection, Api);
}

/* Deletion: the objects leave the collection. */
static void FxCollectionDispose(FX_OBJECT *Object)
{
    FX_COLLECTION *collection = (FX_COLLECTION *)Object;
    HosMutexLock(&collection->Lock);
    FX_OBJECT **items = collection->Items;
    ULONG count = collection->Count;
    collection->Items = NULL;
    collection->Count = collection->Capacity = 0;
    HosMutexUnlock(&collection->Lock);
    for (ULONG i = 0; i < count; i++) {
        FxObjectDereference(items[i]);
    }
    free(items);
}

static void FxCollectionDestroy(FX_OBJECT *Object)
{
    HosMutexDestroy(&((FX_COLLECTION *)Object)->Lock);
}

static const FX_OBJECT_OPS FxCollectionOps = {FxCollectionDispose, FxCollectionDestroy};

WDFAPI NTSTATUS WdfCollectionCreate(PWDF_OBJECT_ATTRIBUTES CollectionAttributes, WDFCOLLECTION *Collection)
{
    if (Collection == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Collection = NULL;
    NTSTATUS status = FxValidateAttributes(CollectionAttributes);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_OBJECT *parent = FxDefaultParent(CollectionAttributes, "WdfCollectionCreate", &status);
    if (parent == NULL) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_COLLECTION), FxTypeCollection, CollectionAttributes, parent->Driver,
                              &FxCollectionOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    HosMutexInit(&((FX_COLLECTION *)object)->Lock);
    object->ExecutionLevel = FxResolveExecutionLevel(CollectionAttributes, parent);
    FxObjectInsert(object, parent);
    *Collection = (WDFCOLLECTION)object;
    return STATUS_SUCCESS;
}

WDFAPI ULONG WdfCollectionGetCount(WDFCOLLECTION Collection)
{
    FX_COLLECTION *collection = FxCollectionGet(Collection, "WdfCollectionGetCount");
    if (collection == NULL) {
        return 0;
    }
    HosMutexLock(&collection->Lock);
    ULONG count = collection->Count;
    HosMutexUnlock(&collection->Lock);
    return count;
}

WDFAPI NTSTATUS WdfCollectionAdd(WDFCOLLECTION Collection, WDFOBJECT Object)
{
    FX_COLLECTION *collection = FxCollectionGet(Collection, "WdfCollectionAdd");
    FX_OBJECT *object = FxObjectFromHandle(Object, FxTypeAny, "WdfCollectionAdd");
    if (collection == NULL || object == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HosMutexLock(&collection->Lock);
    if (collection->Count == collection->Capacity) {
        ULONG capacity = collection->Capacity != 0 ? collection->Capacity * 2 : 8;
        FX_OBJECT **items = realloc(collection->Items, capacity * sizeof(*items));
        if (items == NULL) {
            HosMutexUnlock(&collection->Lock);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        collection->Items = items;
        collection->Capacity = capacity;
    }
    FxObjectReference(object);
    collection->Items[collection->Count++] = object;
    HosMutexUnlock(&collection->Lock);
    return STATUS_SUCCESS;
}

/* Removes entry Index (under the lock); returns the object to dereference, or NULL. */
static FX_OBJECT *FxCollectionTakeLocked(FX_COLLECTION *Collection, ULONG Index)
{
    if (Index >= Collection->Count) {
        return NULL;
    }
    FX_OBJECT *object = Collection->Items[Index];
    memmove(&Collection->Items[Index], &Collection->Items[Index + 1],
            (Collection->Count - Index - 1) * sizeof(Collection->Items[0]));
    Collection->Count--;
    return object;
}

WDFAPI VOID WdfCollectionRemoveItem(WDFCOLLECTION Collection, ULONG Index)
{
    FX_COLLECTION *collection = FxCollectionGet(Collection, "WdfCollectionRemoveItem");
    if (collection == NULL) {
        return;
    }
    HosMutexLock(&collection->Lock);
    FX_OBJECT *object = FxCollectionTakeLocked(collection, Index);
    HosMutexUnlock(&collection->Lock);
    if (object != NULL) {
        FxObjectDereference(object);
    }
}

WDFAPI VOID WdfCollectionRemove(WDFCOLLECTION Collection, WDFOBJECT Item)
{
    FX_COLLECTION *collection = FxCollectionGet(Collection, "WdfCollectionRemove");
    if (collection == NULL || Item == NULL) {
        return;
    }
    FX_OBJECT *object = NULL;
    HosMutexLock(&collection->Lock);
    for (ULONG i = 0; i < collection->Count; i++) {
        if (collection->Items[i] == (FX_OBJECT *)Item) {
            object = FxCollectionTakeLocked(collection, i);
            break;
        }
    }
    HosMutexUnlock(&collection->Lock);
    if (object != NULL) {
        FxObjectDereference(object);
    }
}

static WDFOBJECT FxCollectionAt(WDFCOLLECTION Collection, bool Last, ULONG Index, const char *Api)
{
    FX_COLLECTION *collection = FxCollectionGet(Collection, Api);
    if (collection == NULL) {
        return NULL;
    }
    HosMutexLock(&collection->Lock);
    if (Last) {
        Index = collection->Count != 0 ? collection->Count - 1 : 0;
    }
    WDFOBJECT item = Index < collection->Count ? (WDFOBJECT)collection->Items[Index] : NULL;
    HosMutexUnlock(&collection->Lock);
    return item;
}

WDFAPI WDFOBJECT WdfCollectionGetItem(WDFCOLLECTION Collection, ULONG Index)
{
    return FxCollectionAt(Collection, false, Index, "WdfCollectionGetItem");
}

WDFAPI WDFOBJECT WdfCollectionGetFirstItem(WDFCOLLECTION Collection)
{
    return FxCollectionAt(Collection, false, 0, "WdfCollectionGetFirstItem");
}

WDFAPI WDFOBJECT WdfCollectionGetLastItem(WDFCOLLECTION Collection)
{
    return FxCollectionAt(Collection, true, 0, "WdfCollectionGetLastItem");
}
