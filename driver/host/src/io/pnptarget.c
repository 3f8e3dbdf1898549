/*
 * pnptarget.c - target device change notification (IoRegisterPlugPlayNotification with
 * EventCategoryTargetDeviceChange): a driver that holds a file object of another
 * device registers for that device's removal and is told, in order,
 *   GUID_TARGET_DEVICE_QUERY_REMOVE     before an orderly removal: the callback closes
 *                                       its handle (and returns STATUS_SUCCESS) or
 *                                       vetoes the removal with a failure status;
 *   GUID_TARGET_DEVICE_REMOVE_CANCELLED the removal did not happen: reopen;
 *   GUID_TARGET_DEVICE_REMOVE_COMPLETE  the device is gone (after an orderly removal,
 *                                       or at once on a surprise removal).
 * The callbacks run at PASSIVE_LEVEL, synchronously, on the thread that carries out the
 * removal (the PnP manager's, on Windows), in the order of registration. A callback may
 * unregister its own registration.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-pnp-target-device-change-notification
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_target_device_removal_notification
 */
#include <stdlib.h>
#include <string.h>

#include "io/iop.h"

typedef struct _KH_TARGET_NOTIFY {
    LIST_ENTRY Link; /* KhTargetNotifications, under KhIoLock */
    struct _KH_DEVNODE *Node; /* the device watched (referenced) */
    PFILE_OBJECT FileObject;  /* what the notifications carry */
    PDRIVER_NOTIFICATION_CALLBACK_ROUTINE Callback;
    PVOID Context;
    LONG References;      /* the registration's, plus one per delivery in progress */
    bool Unregistered;
    bool RemoveCompleted; /* GUID_TARGET_DEVICE_REMOVE_COMPLETE was delivered */
    bool QueryPending;    /* told of a query-remove, not yet of its outcome */
    ULONG Running;
    uint64_t RunningThread;
} KH_TARGET_NOTIFY;

static LIST_ENTRY KhTargetNotifications = {&KhTargetNotifications, &KhTargetNotifications};
static const GUID KhGuidQueryRemove = {0xcb3a4006, 0x46f0, 0x11d0, {0xb0, 0x8f, 0x00, 0x60, 0x97, 0x13, 0x05, 0x3f}};
static const GUID KhGuidRemoveCancelled = {0xcb3a4007, 0x46f0, 0x11d0, {0xb0, 0x8f, 0x00, 0x60, 0x97, 0x13, 0x05, 0x3f}};
static const GUID KhGuidRemoveComplete = {0xcb3a4008, 0x46f0, 0x11d0, {0xb0, 0x8f, 0x00, 0x60, 0x97, 0x13, 0x05, 0x3f}};

/* Under KhIoLock. */
static void KhTargetDereferenceLocked(KH_TARGET_NOTIFY *Notify)
{
    if (--Notify->References == 0) {
        struct _KH_DEVNODE *node = Notify->Node;
        free(Notify);
        /* KhNodeDereference takes KhIoLock itself. */
        HosMutexUnlock(&KhIoLock);
        KhNodeDereference(node);
        HosMutexLock(&KhIoLock);
    }
}

/*
 * EventCategoryData is the file object of the device to watch; the device is found
 * through the file (on Windows, through the stack's TargetDeviceRelation answer): a
 * file of a device outside any PnP device node cannot be watched
 * (STATUS_INVALID_PARAMETER).
 */
NTSTATUS KhIoRegisterTargetNotification(PFILE_OBJECT FileObject, PDRIVER_NOTIFICATION_CALLBACK_ROUTINE Callback,
                                        PVOID Context, PVOID *NotificationEntry)
{
    if (FileObject == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    KH_FILE *file = CONTAINING_RECORD(FileObject, KH_FILE, FileObject);
    if (file->Ob.Type != &KhIoFileObjectType) {
        return STATUS_INVALID_PARAMETER;
    }
    KH_TARGET_NOTIFY *notify = calloc(1, sizeof(*notify));
    if (notify == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HosMutexLock(&KhIoLock);
    struct _KH_DEVNODE *node = file->Node;
    if (node == NULL || node->State == KhNodeRemoved) {
        HosMutexUnlock(&KhIoLock);
        free(notify);
        return STATUS_INVALID_PARAMETER;
    }
    node->References++;
    notify->Node = node;
    notify->FileObject = FileObject;
    notify->Callback = Callback;
    notify->Context = Context;
    notify->References = 1;
    InsertTailList(&KhTargetNotifications, &notify->Link);
    HosMutexUnlock(&KhIoLock);
    *NotificationEntry = notify;
    return STATUS_SUCCESS;
}

/* Up to Max live registrations whose callback lies in [Start, End) (returns how many
   there are, which may be more than Max). */
size_t KhIoTargetNotificationsInRange(uintptr_t Start, uintptr_t End, PVOID *Entries, size_t Max)
{
    size_t count = 0;
    HosMutexLock(&KhIoLock);
    for (PLIST_ENTRY e = KhTargetNotifications.Flink; e != &KhTargetNotifications; e = e->Flink) {
        KH_TARGET_NOTIFY *notify = CONTAINING_RECORD(e, KH_TARGET_NOTIFY, Link);
        if (!notify->Unregistered && (uintptr_t)notify->Callback >= Start && (uintptr_t)notify->Callback < End) {
            if (count < Max) {
                Entries[count] = notify;
            }
            count++;
        }
    }
    HosMutexUnlock(&KhIoLock);
    return count;
}

/* True when Entry is a target device registration (which it then ends). */
bool KhIoUnregisterTargetNotification(PVOID Entry, NTSTATUS *Status)
{
    HosMutexLock(&KhIoLock);
    KH_TARGET_NOTIFY *notify = NULL;
    for (PLIST_ENTRY e = KhTargetNotifications.Flink; e != &KhTargetNotifications; e = e->Flink) {
        if (CONTAINING_RECORD(e, KH_TARGET_NOTIFY, Link) == Entry) {
            notify = Entry;
            break;
        }
    }
    if (notify == NULL) {
        HosMutexUnlock(&KhIoLock);
        return false;
    }
    if (notify->Unregistered) {
        HosMutexUnlock(&KhIoLock);
        *Status = STATUS_INVALID_PARAMETER;
        return true;
    }
    notify->Unregistered = true;
    /* A callback running on another thread is waited for; from the callback itself the
       registration simply ends. */
    while (notify->Running != 0 && notify->RunningThread != HosCurrentThreadId()) {
        HosCondWait(&KhIoCond, &KhIoLock);
    }
    RemoveEntryList(&notify->Link);
    InitializeListHead(&notify->Link);
    KhTargetDereferenceLocked(notify);
    HosMutexUnlock(&KhIoLock);
    *Status = STATUS_SUCCESS;
    return true;
}

/* What a delivery is for. */
typedef enum _KH_TARGET_DELIVERY { KhDeliverQuery, KhDeliverCancel, KhDeliverComplete } KH_TARGET_DELIVERY;

/*
 * Delivers one event to the live registrations on Node (for a cancel, only those told
 * of the query; for a completion, those not told yet). A query stops at the first
 * callback that fails: its status is returned and the registrations already asked are
 * told of the cancellation.
 */
static NTSTATUS KhTargetDeliver(struct _KH_DEVNODE *Node, KH_TARGET_DELIVERY Kind)
{
    TARGET_DEVICE_REMOVAL_NOTIFICATION notification;
    notification.Version = 1;
    notification.Size = (USHORT)sizeof(notification);
    notification.Event = Kind == KhDeliverQuery    ? KhGuidQueryRemove
                         : Kind == KhDeliverCancel ? KhGuidRemoveCancelled
                                                   : KhGuidRemoveComplete;
    HosMutexLock(&KhIoLock);
    size_t count = 0;
    for (PLIST_ENTRY e = KhTargetNotifications.Flink; e != &KhTargetNotifications; e = e->Flink) {
        count++;
    }
    KH_TARGET_NOTIFY **targets = calloc(count + 1, sizeof(*targets));
    if (targets == NULL) {
        HosMutexUnlock(&KhIoLock);
        KhVerifierReport("BUGCHECK", "no memory to deliver a target device notification");
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    size_t n = 0;
    for (PLIST_ENTRY e = KhTargetNotifications.Flink; e != &KhTargetNotifications; e = e->Flink) {
        KH_TARGET_NOTIFY *notify = CONTAINING_RECORD(e, KH_TARGET_NOTIFY, Link);
        bool wanted = notify->Node == Node && !notify->Unregistered && !notify->RemoveCompleted &&
                      (Kind != KhDeliverCancel || notify->QueryPending);
        if (wanted) {
            notify->References++;
            targets[n++] = notify;
        }
    }
    NTSTATUS result = STATUS_SUCCESS;
    size_t i = 0;
    for (; i < n; i++) {
        KH_TARGET_NOTIFY *notify = targets[i];
        if (notify->Unregistered) {
            continue;
        }
        notify->QueryPending = Kind == KhDeliverQuery;
        if (Kind == KhDeliverComplete) {
            notify->RemoveCompleted = true;
        }
        notification.FileObject = notify->FileObject;
        notify->Running++;
        notify->RunningThread = HosCurrentThreadId();
        HosMutexUnlock(&KhIoLock);
        NTSTATUS status = notify->Callback(&notification, notify->Context);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
            KhVerifierReport("IRQL_MISUSE", "target device notification callback %p returned at IRQL %u",
                             (void *)notify->Callback, (unsigned)KeGetCurrentIrql());
            KeLowerIrql(PASSIVE_LEVEL);
        }
        HosMutexLock(&KhIoLock);
        notify->Running--;
        notify->RunningThread = 0;
        HosCondBroadcast(&KhIoCond);
        if (Kind == KhDeliverQuery && !NT_SUCCESS(status)) {
            /* The vetoing registration is not told of the cancellation it caused. */
            notify->QueryPending = false;
            result = status;
            i++;
            break;
        }
    }
    for (size_t j = 0; j < n; j++) {
        KhTargetDereferenceLocked(targets[j]);
    }
    HosMutexUnlock(&KhIoLock);
    free(targets);
    if (!NT_SUCCESS(result)) {
        (void)KhTargetDeliver(Node, KhDeliverCancel);
    }
    return result;
}

NTSTATUS KhIoTargetQueryRemove(struct _KH_DEVNODE *Node)
{
    return KhTargetDeliver(Node, KhDeliverQuery);
}

void KhIoTargetRemoveCancelled(struct _KH_DEVNODE *Node)
{
    (void)KhTargetDeliver(Node, KhDeliverCancel);
}

void KhIoTargetRemoveComplete(struct _KH_DEVNODE *Node)
{
    (void)KhTargetDeliver(Node, KhDeliverComplete);
}
