/*
 * battc.c - the battery class driver (what battc.sys is on Windows): a battery
 * miniclass driver hands it its callbacks (BATTERY_MINIPORT_INFO) with
 * BatteryClassInitializeDevice, passes it the device control requests it receives
 * (BatteryClassIoctl) and tells it when the battery changed (BatteryClassStatusNotify).
 *
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/batclass/ and
 * https://learn.microsoft.com/windows/win32/power/battery-information:
 *   - BatteryClassInitializeDevice registers and enables the device interface
 *     GUID_DEVICE_BATTERY on the miniclass's PDO, through which programs open the
 *     battery; the class data it returns goes with every later call.
 *   - BatteryClassIoctl handles IOCTL_BATTERY_QUERY_TAG, IOCTL_BATTERY_QUERY_INFORMATION,
 *     IOCTL_BATTERY_SET_INFORMATION and IOCTL_BATTERY_QUERY_STATUS by calling the
 *     miniclass's callbacks, and completes the IRP; any other code it leaves to the
 *     miniclass, returning STATUS_NOT_SUPPORTED without touching the IRP.
 *   - IOCTL_BATTERY_QUERY_TAG's input is a time-out in milliseconds: when there is no
 *     battery (QueryTag returns STATUS_NO_SUCH_DEVICE) the request waits that long for
 *     one (0: not at all, -1: until one comes or the request is cancelled), then fails
 *     with STATUS_NO_SUCH_DEVICE (ERROR_FILE_NOT_FOUND).
 *   - IOCTL_BATTERY_QUERY_STATUS's input, BATTERY_WAIT_STATUS, says when to answer: at
 *     once when Timeout is 0; otherwise when the power state differs from PowerState,
 *     the capacity falls below LowCapacity or rises above HighCapacity, or Timeout
 *     milliseconds have passed (-1: never). While it waits the class asks the miniclass
 *     to notify it of such a change (SetStatusNotify); the status is read again at each
 *     BatteryClassStatusNotify. A tag that no longer matches fails the request with
 *     the miniclass's STATUS_NO_SUCH_DEVICE.
 *   - BatteryClassStatusNotify may be called at IRQL <= DISPATCH_LEVEL: the waiting
 *     requests are looked at again on a work item, at PASSIVE_LEVEL, where the
 *     miniclass's callbacks are called.
 *   - BatteryClassUnload fails the requests still waiting (STATUS_NO_SUCH_DEVICE, as a
 *     battery removed while a request is in progress), disables the interface and frees
 *     the class data.
 * The class's WMI blocks (BatteryClassSystemControl, BatteryClassQueryWmiDataBlock) are
 * not implemented: a miniclass that calls them gets the loader's UNIMPLEMENTED_DDI
 * report.
 */
#include <ntddk.h>
#include <initguid.h>
#include <batclass.h>

#include "ke/ke.h"

#define KH_BATTERY_TAG 'cttB'
#define KH_NO_DEADLINE (~0ULL)

typedef struct _KH_BATTERY_CLASS {
    PVOID Context;
    BATTERY_MINIPORT_INFO Callbacks;
    UNICODE_STRING InterfaceName;
    KSPIN_LOCK Lock;
    LIST_ENTRY Waiting;   /* pending IRPs (Tail.Overlay.ListEntry), under Lock */
    KTIMER Timer;         /* the earliest deadline of a waiting IRP */
    KDPC TimerDpc;
    WORK_QUEUE_ITEM Work; /* looks at the waiting IRPs again, at PASSIVE_LEVEL */
    BOOLEAN WorkQueued;   /* the work item is queued or running, under Lock */
    BOOLEAN Rerun;        /* something changed since the work item took the IRPs */
    BOOLEAN Unloading;
    ULONG Generation;     /* counts BatteryClassStatusNotify (and timer expiries), under Lock */
    LONG Pending;         /* requests pending in the class (waiting or being looked at), under Lock */
    KEVENT NoPending;     /* signalled while Pending is 0 */
    KEVENT WorkIdle;      /* signalled while no work item is queued or running */
} KH_BATTERY_CLASS;

/* The deadline of a waiting IRP (KeQueryInterruptTime's clock), in its driver context. */
static ULONGLONG BcDeadline(PIRP Irp)
{
    return (ULONGLONG)(ULONG_PTR)Irp->Tail.Overlay.DriverContext[0];
}

static void BcSetDeadline(PIRP Irp, ULONG TimeoutMs)
{
    ULONGLONG deadline = TimeoutMs == (ULONG)-1 ? KH_NO_DEADLINE
                                                : KeQueryInterruptTime() + (ULONGLONG)TimeoutMs * 10000ULL;
    Irp->Tail.Overlay.DriverContext[0] = (PVOID)(ULONG_PTR)deadline;
}

/*
 * A request the class handles is never answered with STATUS_NOT_SUPPORTED as
 * BatteryClassIoctl's return value: that value tells the miniclass the code is its own
 * (it then passes the IRP on). A handled request that fails so is marked pending before
 * it completes, and BatteryClassIoctl returns STATUS_PENDING for it (BcReturned).
 */
static void BcComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    if (Status == STATUS_NOT_SUPPORTED) {
        IoMarkIrpPending(Irp);
    }
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = NT_SUCCESS(Status) ? Information : 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS BcReturned(NTSTATUS Status)
{
    return Status == STATUS_NOT_SUPPORTED ? STATUS_PENDING : Status;
}

/* A request that was pending in the class has been completed. */
static void BcReleasePending(KH_BATTERY_CLASS *Class)
{
    KIRQL irql;
    KeAcquireSpinLock(&Class->Lock, &irql);
    if (--Class->Pending == 0) {
        KeSetEvent(&Class->NoPending, IO_NO_INCREMENT, FALSE);
    }
    KeReleaseSpinLock(&Class->Lock, irql);
}

/* Queues the work item unless it is queued or running (then it runs its loop again).
   Lock held. */
static void BcKickLocked(KH_BATTERY_CLASS *Class)
{
    if (Class->Unloading) {
        return;
    }
    Class->Rerun = TRUE;
    Class->Generation++;
    if (!Class->WorkQueued) {
        Class->WorkQueued = TRUE;
        KeClearEvent(&Class->WorkIdle);
        ExQueueWorkItem(&Class->Work, DelayedWorkQueue);
    }
}

static VOID BcTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    KH_BATTERY_CLASS *Class = Context;
    KIRQL irql;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    KeAcquireSpinLock(&Class->Lock, &irql);
    BcKickLocked(Class);
    KeReleaseSpinLock(&Class->Lock, irql);
}

/* Sets the timer to the earliest deadline of the waiting IRPs. Lock held. */
static void BcArmTimerLocked(KH_BATTERY_CLASS *Class)
{
    ULONGLONG earliest = KH_NO_DEADLINE;
    for (PLIST_ENTRY e = Class->Waiting.Flink; e != &Class->Waiting; e = e->Flink) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (BcDeadline(irp) < earliest) {
            earliest = BcDeadline(irp);
        }
    }
    if (earliest == KH_NO_DEADLINE) {
        KeCancelTimer(&Class->Timer);
        return;
    }
    ULONGLONG now = KeQueryInterruptTime();
    LARGE_INTEGER due;
    due.QuadPart = -(LONGLONG)(earliest > now ? earliest - now : 1);
    KeSetTimer(&Class->Timer, due, &Class->TimerDpc);
}

static void BcAbort(PIRP Irp, NTSTATUS Status);

static VOID BcCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KH_BATTERY_CLASS *Class = Irp->Tail.Overlay.DriverContext[1];
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&Class->Lock, &irql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&Class->Lock, irql);
    BcAbort(Irp, STATUS_CANCELLED);
    BcReleasePending(Class);
}

/*
 * Looks at one request: completes it (TRUE) when it has its answer, its time is up or
 * it failed; FALSE when it goes on waiting. PASSIVE_LEVEL, no lock held.
 */
static BOOLEAN BcEvaluate(KH_BATTERY_CLASS *Class, PIRP Irp, BOOLEAN First, NTSTATUS *Completed)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    BOOLEAN expired = BcDeadline(Irp) != KH_NO_DEADLINE && KeQueryInterruptTime() >= BcDeadline(Irp);
    NTSTATUS status;

    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_BATTERY_QUERY_TAG) {
        ULONG tag = BATTERY_TAG_INVALID;
        status = Class->Callbacks.QueryTag(Class->Context, &tag);
        if (NT_SUCCESS(status) && tag == BATTERY_TAG_INVALID) {
            status = STATUS_NO_SUCH_DEVICE;
        }
        if (status == STATUS_NO_SUCH_DEVICE && !expired) {
            return FALSE; /* no battery yet: wait for one */
        }
        if (NT_SUCCESS(status)) {
            *(PULONG)buffer = tag;
        }
        *Completed = status;
        BcComplete(Irp, status, sizeof(ULONG));
        return TRUE;
    }

    /* IOCTL_BATTERY_QUERY_STATUS */
    BATTERY_WAIT_STATUS wait = *(PBATTERY_WAIT_STATUS)buffer;
    if (First) {
        /* The input is overwritten by the answer: keep the conditions in the context. */
        PBATTERY_WAIT_STATUS kept = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof wait, KH_BATTERY_TAG);
        if (kept == NULL) {
            *Completed = STATUS_INSUFFICIENT_RESOURCES;
            BcComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
            return TRUE;
        }
        *kept = wait;
        Irp->Tail.Overlay.DriverContext[2] = kept;
    } else {
        wait = *(PBATTERY_WAIT_STATUS)Irp->Tail.Overlay.DriverContext[2];
    }
    BATTERY_STATUS current;
    RtlZeroMemory(&current, sizeof current);
    status = Class->Callbacks.QueryStatus(Class->Context, wait.BatteryTag, &current);
    BOOLEAN answer = !NT_SUCCESS(status) || wait.Timeout == 0 || expired || current.PowerState != wait.PowerState ||
                     current.Capacity < wait.LowCapacity || current.Capacity > wait.HighCapacity;
    if (!answer && Class->Callbacks.SetStatusNotify != NULL) {
        BATTERY_NOTIFY notify;
        notify.PowerState = wait.PowerState;
        notify.LowCapacity = wait.LowCapacity;
        notify.HighCapacity = wait.HighCapacity;
        NTSTATUS notifyStatus = Class->Callbacks.SetStatusNotify(Class->Context, wait.BatteryTag, &notify);
        if (!NT_SUCCESS(notifyStatus)) {
            /* The miniclass cannot say when the status changes: answer now. */
            answer = TRUE;
            if (notifyStatus == STATUS_NO_SUCH_DEVICE) {
                status = notifyStatus;
            }
        }
    }
    if (!answer) {
        return FALSE;
    }
    ExFreePoolWithTag(Irp->Tail.Overlay.DriverContext[2], KH_BATTERY_TAG);
    Irp->Tail.Overlay.DriverContext[2] = NULL;
    if (NT_SUCCESS(status)) {
        RtlCopyMemory(buffer, &current, sizeof current);
    }
    *Completed = status;
    BcComplete(Irp, status, sizeof(BATTERY_STATUS));
    return TRUE;
}

/* Fails a request that was waiting (its kept conditions freed). */
static void BcAbort(PIRP Irp, NTSTATUS Status)
{
    if (Irp->Tail.Overlay.DriverContext[2] != NULL) {
        ExFreePoolWithTag(Irp->Tail.Overlay.DriverContext[2], KH_BATTERY_TAG);
        Irp->Tail.Overlay.DriverContext[2] = NULL;
    }
    BcComplete(Irp, Status, 0);
}

/* Puts a request that goes on waiting back on the list, cancelable. Lock held; returns
   FALSE when it must be completed instead (cancelled, or the class is unloading). */
static BOOLEAN BcParkLocked(KH_BATTERY_CLASS *Class, PIRP Irp)
{
    if (Class->Unloading) {
        return FALSE;
    }
    IoSetCancelRoutine(Irp, BcCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        return FALSE;
    }
    InsertTailList(&Class->Waiting, &Irp->Tail.Overlay.ListEntry);
    return TRUE;
}

/* Takes the waiting requests whose cancel routine it can still clear. Lock held. */
static void BcTakeWaitingLocked(KH_BATTERY_CLASS *Class, PLIST_ENTRY Taken)
{
    PLIST_ENTRY e = Class->Waiting.Flink;
    while (e != &Class->Waiting) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        e = e->Flink;
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            continue; /* being cancelled: BcCancel removes and completes it */
        }
        RemoveEntryList(&irp->Tail.Overlay.ListEntry);
        InsertTailList(Taken, &irp->Tail.Overlay.ListEntry);
    }
}

static VOID BcWork(PVOID Context)
{
    KH_BATTERY_CLASS *Class = Context;
    KIRQL irql;
    for (;;) {
        LIST_ENTRY taken;
        InitializeListHead(&taken);
        KeAcquireSpinLock(&Class->Lock, &irql);
        Class->Rerun = FALSE;
        BcTakeWaitingLocked(Class, &taken);
        KeReleaseSpinLock(&Class->Lock, irql);

        LIST_ENTRY again;
        InitializeListHead(&again);
        while (!IsListEmpty(&taken)) {
            PIRP irp = CONTAINING_RECORD(RemoveHeadList(&taken), IRP, Tail.Overlay.ListEntry);
            NTSTATUS completed;
            if (BcEvaluate(Class, irp, FALSE, &completed)) {
                BcReleasePending(Class);
            } else {
                InsertTailList(&again, &irp->Tail.Overlay.ListEntry);
            }
        }

        LIST_ENTRY refused;
        InitializeListHead(&refused);
        KeAcquireSpinLock(&Class->Lock, &irql);
        while (!IsListEmpty(&again)) {
            PIRP irp = CONTAINING_RECORD(RemoveHeadList(&again), IRP, Tail.Overlay.ListEntry);
            if (!BcParkLocked(Class, irp)) {
                InsertTailList(&refused, &irp->Tail.Overlay.ListEntry);
            }
        }
        BcArmTimerLocked(Class);
        BOOLEAN done = !Class->Rerun || Class->Unloading;
        if (done) {
            Class->WorkQueued = FALSE;
            KeSetEvent(&Class->WorkIdle, IO_NO_INCREMENT, FALSE);
        }
        KeReleaseSpinLock(&Class->Lock, irql);
        while (!IsListEmpty(&refused)) {
            PIRP irp = CONTAINING_RECORD(RemoveHeadList(&refused), IRP, Tail.Overlay.ListEntry);
            BcAbort(irp, irp->Cancel ? STATUS_CANCELLED : STATUS_NO_SUCH_DEVICE);
            BcReleasePending(Class);
        }
        if (done) {
            return;
        }
    }
}

DECLSPEC_EXPORT NTSTATUS BatteryClassInitializeDevice(PBATTERY_MINIPORT_INFO MiniportInfo, PVOID *ClassData)
{
    if (ClassData != NULL) {
        *ClassData = NULL;
    }
    if (MiniportInfo == NULL || ClassData == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    /* Version 1.0, 1.1 (adds Fdo) and 1.2 are the ones batclass.h defines. */
    if (MiniportInfo->MajorVersion != BATTERY_CLASS_MAJOR_VERSION ||
        MiniportInfo->MinorVersion > BATTERY_CLASS_MINOR_VERSION_2) {
        return STATUS_REVISION_MISMATCH;
    }
    if (MiniportInfo->QueryTag == NULL || MiniportInfo->QueryInformation == NULL ||
        MiniportInfo->QueryStatus == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (MiniportInfo->Pdo == NULL) {
        KhBugCheckReport("UNIMPLEMENTED_DDI",
                         "BatteryClassInitializeDevice without a PDO (a battery device object named by DeviceName) "
                         "is not implemented by the host");
    }
    KH_BATTERY_CLASS *class = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof *class, KH_BATTERY_TAG);
    if (class == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    class->Context = MiniportInfo->Context;
    class->Callbacks = *MiniportInfo;
    KeInitializeSpinLock(&class->Lock);
    InitializeListHead(&class->Waiting);
    KeInitializeTimer(&class->Timer);
    KeInitializeDpc(&class->TimerDpc, BcTimerDpc, class);
    ExInitializeWorkItem(&class->Work, BcWork, class);
    KeInitializeEvent(&class->WorkIdle, NotificationEvent, TRUE);
    KeInitializeEvent(&class->NoPending, NotificationEvent, TRUE);

    NTSTATUS status = IoRegisterDeviceInterface(MiniportInfo->Pdo, &GUID_DEVICE_BATTERY, NULL, &class->InterfaceName);
    if (NT_SUCCESS(status)) {
        status = IoSetDeviceInterfaceState(&class->InterfaceName, TRUE);
        if (!NT_SUCCESS(status)) {
            RtlFreeUnicodeString(&class->InterfaceName);
        }
    }
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(class, KH_BATTERY_TAG);
        return status;
    }
    *ClassData = class;
    return STATUS_SUCCESS;
}

DECLSPEC_EXPORT NTSTATUS BatteryClassUnload(PVOID ClassData)
{
    KH_BATTERY_CLASS *class = ClassData;
    KIRQL irql;
    if (class == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    LIST_ENTRY taken;
    InitializeListHead(&taken);
    KeAcquireSpinLock(&class->Lock, &irql);
    class->Unloading = TRUE;
    BcTakeWaitingLocked(class, &taken);
    KeReleaseSpinLock(&class->Lock, irql);
    while (!IsListEmpty(&taken)) {
        BcAbort(CONTAINING_RECORD(RemoveHeadList(&taken), IRP, Tail.Overlay.ListEntry), STATUS_NO_SUCH_DEVICE);
        BcReleasePending(class);
    }
    /* The timer's DPC, the work item, a cancel routine completing its request and a
       request still being looked at all end before the class data goes. */
    KeCancelTimer(&class->Timer);
    KeFlushQueuedDpcs();
    KeWaitForSingleObject(&class->WorkIdle, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&class->NoPending, Executive, KernelMode, FALSE, NULL);
    /* Whoever signalled last has let go of the lock too. */
    KeAcquireSpinLock(&class->Lock, &irql);
    KeReleaseSpinLock(&class->Lock, irql);
    IoSetDeviceInterfaceState(&class->InterfaceName, FALSE);
    RtlFreeUnicodeString(&class->InterfaceName);
    ExFreePoolWithTag(class, KH_BATTERY_TAG);
    return STATUS_SUCCESS;
}

DECLSPEC_EXPORT NTSTATUS BatteryClassStatusNotify(PVOID ClassData)
{
    KH_BATTERY_CLASS *class = ClassData;
    KIRQL irql;
    if (class == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    KeAcquireSpinLock(&class->Lock, &irql);
    BcKickLocked(class);
    KeReleaseSpinLock(&class->Lock, irql);
    return STATUS_SUCCESS;
}

DECLSPEC_EXPORT NTSTATUS BatteryClassIoctl(PVOID ClassData, PIRP Irp)
{
    KH_BATTERY_CLASS *class = ClassData;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (class == NULL || stack->MajorFunction != IRP_MJ_DEVICE_CONTROL) {
        return STATUS_NOT_SUPPORTED;
    }
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status;

    switch (code) {
    case IOCTL_BATTERY_QUERY_INFORMATION: {
        if (inLength < sizeof(BATTERY_QUERY_INFORMATION)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        BATTERY_QUERY_INFORMATION query = *(PBATTERY_QUERY_INFORMATION)buffer;
        ULONG returned = 0;
        status = class->Callbacks.QueryInformation(class->Context, query.BatteryTag, query.InformationLevel,
                                                   (LONG)query.AtRate, outLength != 0 ? buffer : NULL, outLength,
                                                   &returned);
        BcComplete(Irp, status, returned <= outLength ? returned : outLength);
        return BcReturned(status);
    }
    case IOCTL_BATTERY_SET_INFORMATION: {
        ULONG header = FIELD_OFFSET(BATTERY_SET_INFORMATION, Buffer);
        if (inLength < header) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        if (class->Callbacks.SetInformation == NULL) {
            status = STATUS_NOT_SUPPORTED;
            break;
        }
        PBATTERY_SET_INFORMATION set = buffer;
        status = class->Callbacks.SetInformation(class->Context, set->BatteryTag, set->InformationLevel,
                                                 inLength > header ? set->Buffer : NULL);
        break;
    }
    case IOCTL_BATTERY_QUERY_TAG:
    case IOCTL_BATTERY_QUERY_STATUS: {
        BOOLEAN isTag = code == IOCTL_BATTERY_QUERY_TAG;
        ULONG need = isTag ? sizeof(ULONG) : sizeof(BATTERY_WAIT_STATUS);
        if (inLength < need) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        if (outLength < (isTag ? sizeof(ULONG) : sizeof(BATTERY_STATUS))) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        BcSetDeadline(Irp, isTag ? *(PULONG)buffer : ((PBATTERY_WAIT_STATUS)buffer)->Timeout);
        Irp->Tail.Overlay.DriverContext[1] = class;
        Irp->Tail.Overlay.DriverContext[2] = NULL;
        /* A notification while the request is looked at below sends it round again. */
        KIRQL irql;
        KeAcquireSpinLock(&class->Lock, &irql);
        if (class->Unloading) {
            KeReleaseSpinLock(&class->Lock, irql);
            status = STATUS_NO_SUCH_DEVICE;
            break;
        }
        ULONG generation = class->Generation;
        if (class->Pending++ == 0) {
            KeClearEvent(&class->NoPending);
        }
        KeReleaseSpinLock(&class->Lock, irql);
        NTSTATUS completed;
        if (BcEvaluate(class, Irp, TRUE, &completed)) {
            BcReleasePending(class);
            return BcReturned(completed);
        }
        IoMarkIrpPending(Irp);
        KeAcquireSpinLock(&class->Lock, &irql);
        BOOLEAN parked = BcParkLocked(class, Irp);
        if (parked) {
            BcArmTimerLocked(class);
            if (class->Generation != generation) {
                BcKickLocked(class);
            }
        }
        KeReleaseSpinLock(&class->Lock, irql);
        if (!parked) {
            BcAbort(Irp, Irp->Cancel ? STATUS_CANCELLED : STATUS_NO_SUCH_DEVICE);
            BcReleasePending(class);
        }
        return STATUS_PENDING;
    }
    default:
        return STATUS_NOT_SUPPORTED;
    }
    BcComplete(Irp, status, 0);
    return BcReturned(status);
}
