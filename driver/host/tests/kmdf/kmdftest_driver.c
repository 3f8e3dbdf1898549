/*
 * kmdftest_driver.c - a KMDF driver that exercises the framework for kmdf_test.c.
 *
 * Its behaviour comes from the scenario's KMDF_TEST_CONFIG; what the framework makes it
 * do is reported as events (KmdfTestEvent). Some configurations are deliberately wrong
 * (KMDF_TEST_CONFIG.Bug) to show that the framework's verifier rules fire.
 */
#include <ntddk.h>
#include <wdf.h>

#include "kmdftest.h"

#define KT_TAG 'tsTK'
#define KT_MAX_PARKED 1024

typedef struct _KT_OBJECT_CONTEXT {
    ULONG Id;
    ULONG Filler[7];
} KT_OBJECT_CONTEXT, *PKT_OBJECT_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KT_OBJECT_CONTEXT, KtGetObjectContext)

typedef struct _KT_OTHER_CONTEXT {
    ULONGLONG Value;
} KT_OTHER_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE(KT_OTHER_CONTEXT)

typedef struct _KT_REQUEST_CONTEXT {
    ULONG Sequence;
    ULONG Touched;
} KT_REQUEST_CONTEXT, *PKT_REQUEST_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KT_REQUEST_CONTEXT, KtGetRequestContext)

typedef struct _KT_QUEUE_CONTEXT {
    ULONG Magic;
} KT_QUEUE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KT_QUEUE_CONTEXT, KtGetQueueContext)

static const KMDF_TEST_CONFIG *g_Config;
static WDFQUEUE g_Queue;
static WDFTIMER g_Timer;
static WDFSPINLOCK g_ParkLock;
static WDFREQUEST g_Parked[KT_MAX_PARKED];
static LONG g_ParkedCount;
static LONG g_InSerialized;
static LONG g_TimerRunning;
static LONG g_Sequence;
static WDFOBJECT g_Leaked;
static WDFDPC g_Dpc;
static WDFQUEUE g_Manual;
static WDFWORKITEM g_WorkItem;

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD KtEvtDeviceAdd;
EVT_WDF_DRIVER_UNLOAD KtEvtDriverUnload;
EVT_WDF_OBJECT_CONTEXT_CLEANUP KtEvtDriverCleanup;
EVT_WDF_IO_QUEUE_IO_READ KtEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE KtEvtIoWrite;
EVT_WDF_REQUEST_CANCEL KtEvtRequestCancel;
EVT_WDF_TIMER KtEvtTimer;
EVT_WDF_OBJECT_CONTEXT_DESTROY KtEvtQueueDestroy;
EVT_WDF_OBJECT_CONTEXT_DESTROY KtEvtTimerDestroy;

/* WDF_REQUEST_PARAMETERS on x64 (wdfrequest.h): POINTER_ALIGNMENT members are 8-byte
   aligned, so that Parameters.Others overlays DeviceIoControl as on Windows. */
_Static_assert(sizeof(WDF_REQUEST_PARAMETERS) == 40, "sizeof(WDF_REQUEST_PARAMETERS)");
_Static_assert(offsetof(WDF_REQUEST_PARAMETERS, Parameters.DeviceIoControl.IoControlCode) == 24,
               "WDF_REQUEST_PARAMETERS.Parameters.DeviceIoControl.IoControlCode");
_Static_assert(offsetof(WDF_REQUEST_PARAMETERS, Parameters.Others.Arg4) == 32, "WDF_REQUEST_PARAMETERS.Parameters.Others.Arg4");
_Static_assert(offsetof(WDF_REQUEST_PARAMETERS, Parameters.Read.Key) == 16, "WDF_REQUEST_PARAMETERS.Parameters.Read.Key");

static VOID KtEvent(const char *Name, LONGLONG Value) { KmdfTestEvent(Name, Value); }

/* Busy-waits SpinUs microseconds inside a serialized callback, watching for overlap. */
static VOID KtSerializedSection(const char *Name)
{
    if (InterlockedIncrement(&g_InSerialized) != 1) {
        KtEvent("overlap", 0);
    }
    if (g_Config->SpinUs > 0) {
        LARGE_INTEGER start, now;
        KeQuerySystemTime(&start);
        do {
            KeQuerySystemTime(&now);
        } while ((now.QuadPart - start.QuadPart) / 10 < g_Config->SpinUs);
    }
    InterlockedDecrement(&g_InSerialized);
    UNREFERENCED_PARAMETER(Name);
}

/* ------------------------------------------------------------- parked requests */

static VOID KtPark(WDFREQUEST Request)
{
    WdfSpinLockAcquire(g_ParkLock);
    BOOLEAN parked = FALSE;
    if (g_ParkedCount < KT_MAX_PARKED) {
        g_Parked[g_ParkedCount++] = Request;
        parked = TRUE;
    }
    WdfSpinLockRelease(g_ParkLock);
    if (!parked) {
        KtEvent("park-overflow", 0);
    }
}

/* Removes Request from the parked list; FALSE if it was not there. */
static BOOLEAN KtUnpark(WDFREQUEST Request)
{
    BOOLEAN found = FALSE;
    WdfSpinLockAcquire(g_ParkLock);
    for (LONG i = 0; i < g_ParkedCount; i++) {
        if (g_Parked[i] == Request) {
            for (LONG j = i + 1; j < g_ParkedCount; j++) {
                g_Parked[j - 1] = g_Parked[j];
            }
            g_ParkedCount--;
            found = TRUE;
            break;
        }
    }
    WdfSpinLockRelease(g_ParkLock);
    return found;
}

static WDFREQUEST KtOldestParked(VOID)
{
    WDFREQUEST request = NULL;
    WdfSpinLockAcquire(g_ParkLock);
    if (g_ParkedCount > 0) {
        request = g_Parked[0];
    }
    WdfSpinLockRelease(g_ParkLock);
    return request;
}

VOID KtEvtRequestCancel(_In_ WDFREQUEST Request)
{
    KtEvent("cancel-routine", KtGetRequestContext(Request)->Sequence);
    if (KtUnpark(Request)) {
        WdfRequestComplete(Request, STATUS_CANCELLED);
    }
}

/* Completes the oldest parked request (unless its cancel routine has it). */
static int KtCompleteOldest(NTSTATUS Status, ULONG_PTR Information)
{
    WDFREQUEST request = KtOldestParked();
    if (request == NULL) {
        return 0;
    }
    if (g_Config->CancelMode != 0) {
        NTSTATUS status = WdfRequestUnmarkCancelable(request);
        if (status == STATUS_CANCELLED) {
            KtEvent("unmark-cancelled", KtGetRequestContext(request)->Sequence);
            return -1;
        }
    }
    if (!KtUnpark(request)) {
        return -1;
    }
    KtEvent("complete", KtGetRequestContext(request)->Sequence);
    WdfRequestCompleteWithInformation(request, Status, Information);
    return 1;
}

/* ----------------------------------------------------------------- I/O */

static VOID KtHandleIo(WDFQUEUE Queue, WDFREQUEST Request, size_t Length, BOOLEAN Read)
{
    PKT_REQUEST_CONTEXT context = KtGetRequestContext(Request);
    if ((context->Sequence != 0 || context->Touched != 0) && g_Config->IoStopMode != 2) {
        /* (A request requeued by EvtIoStop comes back with its context.) */
        KtEvent("request-context-not-zeroed", 0);
    }
    context->Sequence = (ULONG)InterlockedIncrement(&g_Sequence);
    context->Touched = 1;
    if (WdfRequestGetIoQueue(Request) != Queue) {
        KtEvent("wrong-queue", 0);
    }
    KtEvent(Read ? "read" : "write", (LONGLONG)Length);
    KtEvent("io-irql", KeGetCurrentIrql());
    KtSerializedSection(Read ? "EvtIoRead" : "EvtIoWrite");

    if (Read && g_Config->ForwardToManual) {
        NTSTATUS status = WdfRequestForwardToIoQueue(Request, g_Manual);
        KtEvent("forward", status);
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
        }
        return;
    }

    switch (g_Config->Bug) {
    case KtBugDoubleCompletion:
        WdfRequestComplete(Request, STATUS_SUCCESS);
        WdfRequestComplete(Request, STATUS_SUCCESS);
        return;
    case KtBugUseAfterCompletion:
        WdfRequestComplete(Request, STATUS_SUCCESS);
        WdfRequestSetInformation(Request, 1);
        return;
    case KtBugMemoryAfterCompletion: {
        /* A reference keeps the request object, not its buffer, past completion. */
        WDFMEMORY memory;
        UCHAR byte;
        NTSTATUS status = WdfRequestRetrieveOutputMemory(Request, &memory);
        WdfObjectReference(Request);
        WdfRequestComplete(Request, STATUS_SUCCESS);
        if (NT_SUCCESS(status)) {
            KtEvent("copy-after-completion", WdfMemoryCopyToBuffer(memory, 0, &byte, 1));
        }
        WdfObjectDereference(Request);
        return;
    }
    case KtBugInformationExceedsBuffer:
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length + 1);
        return;
    case KtBugMarkCancelableTwice:
        WdfRequestMarkCancelable(Request, KtEvtRequestCancel);
        WdfRequestMarkCancelable(Request, KtEvtRequestCancel);
        (void)WdfRequestUnmarkCancelable(Request);
        WdfRequestComplete(Request, STATUS_SUCCESS);
        return;
    case KtBugCompleteWhileCancelable:
        WdfRequestMarkCancelable(Request, KtEvtRequestCancel);
        WdfRequestComplete(Request, STATUS_SUCCESS);
        return;
    case KtBugSpinLockTwice:
        WdfSpinLockAcquire(g_ParkLock);
        WdfSpinLockAcquire(g_ParkLock);
        WdfSpinLockRelease(g_ParkLock);
        WdfRequestComplete(Request, STATUS_SUCCESS);
        return;
    case KtBugSpinLockHeldOnReturn:
        WdfSpinLockAcquire(g_ParkLock);
        WdfRequestComplete(Request, STATUS_SUCCESS);
        return;
    default:
        break;
    }

    if (!g_Config->Park) {
        if (Read) {
            PVOID buffer;
            size_t length;
            NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, 1, &buffer, &length);
            if (NT_SUCCESS(status)) {
                RtlFillMemory(buffer, length, 0x5A);
            }
            WdfRequestCompleteWithInformation(Request, status, NT_SUCCESS(status) ? length : 0);
        } else {
            WDFMEMORY memory;
            NTSTATUS status = WdfRequestRetrieveInputMemory(Request, &memory);
            size_t size = 0;
            if (NT_SUCCESS(status)) {
                (void)WdfMemoryGetBuffer(memory, &size);
            } else if (status == STATUS_BUFFER_TOO_SMALL && Length == 0) {
                status = STATUS_SUCCESS;
            }
            WdfRequestCompleteWithInformation(Request, status, size);
        }
        return;
    }
    KtPark(Request);
    if (g_Config->CancelMode == 1) {
        WdfRequestMarkCancelable(Request, KtEvtRequestCancel);
    } else if (g_Config->CancelMode == 2) {
        NTSTATUS status = WdfRequestMarkCancelableEx(Request, KtEvtRequestCancel);
        if (!NT_SUCCESS(status) && KtUnpark(Request)) {
            WdfRequestComplete(Request, status);
        }
    }
}

static EVT_WDF_IO_QUEUE_IO_STOP KtEvtIoStop;
static VOID KtEvtIoStop(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)
{
    UNREFERENCED_PARAMETER(Queue);
    KtEvent("io-stop", ActionFlags);
    if (ActionFlags & WdfRequestStopActionPurge) {
        if ((ActionFlags & WdfRequestStopRequestCancelable) &&
            WdfRequestUnmarkCancelable(Request) == STATUS_CANCELLED) {
            return;
        }
        if (KtUnpark(Request)) {
            WdfRequestComplete(Request, STATUS_CANCELLED);
        }
        return;
    }
    if (g_Config->IoStopMode == 1) {
        WdfRequestStopAcknowledge(Request, FALSE);
    } else if (g_Config->IoStopMode == 2 && KtUnpark(Request)) {
        WdfRequestStopAcknowledge(Request, TRUE);
    }
}

static EVT_WDF_IO_QUEUE_IO_RESUME KtEvtIoResume;
static VOID KtEvtIoResume(WDFQUEUE Queue, WDFREQUEST Request)
{
    UNREFERENCED_PARAMETER(Queue);
    KtEvent("io-resume", KtGetRequestContext(Request)->Sequence);
}

VOID KtEvtIoRead(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request, _In_ size_t Length)
{
    KtHandleIo(Queue, Request, Length, TRUE);
}

VOID KtEvtIoWrite(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request, _In_ size_t Length)
{
    /* The host's callers are all 64-bit processes. */
    KtEvent("write-from-32-bit", WdfRequestIsFrom32BitProcess(Request));
    KtHandleIo(Queue, Request, Length, FALSE);
}

VOID KtEvtTimer(_In_ WDFTIMER Timer)
{
    InterlockedIncrement(&g_TimerRunning);
    KtEvent("tick", 0);
    if (WdfTimerGetParentObject(Timer) != (g_Config->TimerParentDevice ? (WDFOBJECT)WdfIoQueueGetDevice(g_Queue)
                                                                         : (WDFOBJECT)g_Queue)) {
        KtEvent("wrong-timer-parent", 0);
    }
    if (g_Config->TimerAutoSerialize) {
        KtSerializedSection("EvtTimerFunc");
    } else if (g_Config->SpinUs > 0) {
        LARGE_INTEGER start, now;
        KeQuerySystemTime(&start);
        do {
            KeQuerySystemTime(&now);
        } while ((now.QuadPart - start.QuadPart) / 10 < g_Config->SpinUs);
    }
    if (g_Config->Bug == KtBugTimerStopWaitInCallback) {
        (void)WdfTimerStop(Timer, TRUE);
    }
    if (g_Config->TimerCompletes) {
        (void)KtCompleteOldest(STATUS_SUCCESS, 0);
    }
    InterlockedDecrement(&g_TimerRunning);
}

VOID KtEvtQueueDestroy(_In_ WDFOBJECT Object)
{
    KtEvent(KtGetQueueContext(Object)->Magic == 0x51515151 ? "queue-destroy" : "queue-destroy-bad-context", 0);
}

VOID KtEvtTimerDestroy(_In_ WDFOBJECT Object)
{
    UNREFERENCED_PARAMETER(Object);
    KtEvent("timer-destroy", 0);
}

/* ------------------------------------------------------------- test actions */

static int KtOpCompleteParked(int32_t Status, uint64_t Information)
{
    return KtCompleteOldest((NTSTATUS)Status, (ULONG_PTR)Information);
}

static int KtOpParkedCount(void)
{
    WdfSpinLockAcquire(g_ParkLock);
    int count = g_ParkedCount;
    WdfSpinLockRelease(g_ParkLock);
    return count;
}

static int32_t KtOpMarkParked(int Ex)
{
    WDFREQUEST request = KtOldestParked();
    if (request == NULL) {
        return -1;
    }
    if (Ex) {
        NTSTATUS status = WdfRequestMarkCancelableEx(request, KtEvtRequestCancel);
        KtEvent("markex-returned", status);
        if (status == STATUS_CANCELLED && KtUnpark(request)) {
            WdfRequestComplete(request, STATUS_CANCELLED);
        }
        return status;
    }
    WdfRequestMarkCancelable(request, KtEvtRequestCancel);
    KtEvent("mark-returned", 0);
    return 0;
}

static void KtOpStopQueueSynchronously(void)
{
    KtEvent("stop-begin", 0);
    WdfIoQueueStopSynchronously(g_Queue);
    KtEvent("stop-end", 0);
}

static void KtOpStartQueue(void) { WdfIoQueueStart(g_Queue); }

static int KtOpStartTimer(int64_t DueTime) { return WdfTimerStart(g_Timer, DueTime); }

static int KtOpStopTimer(int Wait)
{
    if (g_Config->Bug == KtBugSpinLockWrongThread) {
        /* Releases a lock the calling thread does not hold. */
        WdfSpinLockRelease(g_ParkLock);
    }
    return WdfTimerStop(g_Timer, Wait ? TRUE : FALSE);
}

static int KtOpTimerRunning(void) { return (int)InterlockedCompareExchange(&g_TimerRunning, 0, 0); }

static int KtOpQueueState(void) { return (int)WdfIoQueueGetState(g_Queue, NULL, NULL); }
static int KtOpEnqueueDpc(void) { return WdfDpcEnqueue(g_Dpc); }
static int KtOpCancelDpc(int Wait) { return WdfDpcCancel(g_Dpc, Wait ? TRUE : FALSE); }
static void KtOpEnqueueWorkItem(void) { WdfWorkItemEnqueue(g_WorkItem); }
static void KtOpFlushWorkItem(void) { WdfWorkItemFlush(g_WorkItem); }

static int32_t KtOpRetrieveManual(void)
{
    WDFREQUEST request;
    NTSTATUS status = WdfIoQueueRetrieveNextRequest(g_Manual, &request);
    if (NT_SUCCESS(status)) {
        KtEvent("retrieved-from", WdfRequestGetIoQueue(request) == g_Manual);
        WdfRequestCompleteWithInformation(request, STATUS_SUCCESS, 2);
    }
    return status;
}

static EVT_WDF_DPC KtEvtDpc;
static VOID KtEvtDpc(WDFDPC Dpc)
{
    KtEvent("dpc", KeGetCurrentIrql());
    KtEvent("dpc-parent", WdfDpcGetParentObject(Dpc) == (WDFOBJECT)g_Queue);
    KtSerializedSection("EvtDpcFunc");
    KtEvent("dpc-end", 0);
}

static EVT_WDF_WORKITEM KtEvtWorkItem;
static VOID KtEvtWorkItem(WDFWORKITEM WorkItem)
{
    KtEvent("workitem", KeGetCurrentIrql());
    KtEvent("workitem-parent", WdfWorkItemGetParentObject(WorkItem) == (WDFOBJECT)WdfIoQueueGetDevice(g_Queue));
}

static void KtOpPurgeQueueSynchronously(void)
{
    KtEvent("purge-begin", 0);
    WdfIoQueuePurgeSynchronously(g_Queue);
    KtEvent("purge-end", 0);
}

static void KtOpDrainQueueSynchronously(void)
{
    KtEvent("drain-begin", 0);
    WdfIoQueueDrainSynchronously(g_Queue);
    KtEvent("drain-end", 0);
}

static int32_t KtOpUnmarkParked(void)
{
    WDFREQUEST request = KtOldestParked();
    if (request == NULL) {
        return -1;
    }
    return WdfRequestUnmarkCancelable(request);
}

static EVT_WDF_IO_QUEUE_STATE KtEvtQueueState;
static VOID KtEvtQueueState(WDFQUEUE Queue, WDFCONTEXT Context)
{
    UNREFERENCED_PARAMETER(Context);
    KtEvent("queue-state", KeGetCurrentIrql());
    KtEvent("queue-state-queue", Queue == g_Queue);
    KtSerializedSection("EvtIoQueueState");
}

static void KtOpStopQueue(void) { WdfIoQueueStop(g_Queue, KtEvtQueueState, NULL); }

static void KtOpPurgeManual(void) { WdfIoQueuePurgeSynchronously(g_Manual); }

static int32_t KtOpRetrieveDefault(void)
{
    WDFREQUEST request;
    NTSTATUS status = WdfIoQueueRetrieveNextRequest(g_Queue, &request);
    if (NT_SUCCESS(status)) {
        WdfRequestComplete(request, STATUS_SUCCESS);
    }
    return status;
}

static void KtOpSetStaticStopRemove(int Stoppable)
{
    WdfDeviceSetStaticStopRemove(WdfIoQueueGetDevice(g_Queue), Stoppable ? TRUE : FALSE);
}

static int KtOpSystemPowerAction(void) { return (int)WdfDeviceGetSystemPowerAction(WdfIoQueueGetDevice(g_Queue)); }

static const KMDF_TEST_OPS g_Ops = {
    KtOpCompleteParked, KtOpParkedCount, KtOpMarkParked, KtOpStopQueueSynchronously,
    KtOpStartQueue,     KtOpStartTimer,  KtOpStopTimer,  KtOpTimerRunning,
    KtOpQueueState,     KtOpEnqueueDpc,  KtOpCancelDpc,  KtOpEnqueueWorkItem,
    KtOpFlushWorkItem,  KtOpRetrieveManual, KtOpPurgeQueueSynchronously,
    KtOpDrainQueueSynchronously, KtOpUnmarkParked, KtOpStopQueue, KtOpPurgeManual,
    KtOpRetrieveDefault, KtOpSetStaticStopRemove, KtOpSystemPowerAction,
};

/* ------------------------------------------------------------------ device */

static NTSTATUS KtEventStatus(const char *Name, WDFDEVICE Device)
{
    UNREFERENCED_PARAMETER(Device);
    KtEvent(Name, 0);
    return STATUS_SUCCESS;
}

static VOID KtName(char *Name, const char *Prefix, const char *Suffix)
{
    size_t n = 0;
    while (*Prefix != '\0' && n < 40) {
        Name[n++] = *Prefix++;
    }
    while (*Suffix != '\0' && n < 63) {
        Name[n++] = *Suffix++;
    }
    Name[n] = '\0';
}

/* Records what a driver sees of a resource list the framework passed it: its count,
   descriptor 0, and whether it may change it (events "<Prefix>-..."). */
static VOID KtExerciseResourceList(const char *Prefix, WDFCMRESLIST List)
{
    char name[64];
    CM_PARTIAL_RESOURCE_DESCRIPTOR descriptor;
    RtlZeroMemory(&descriptor, sizeof(descriptor));
    descriptor.Type = CmResourceTypePort;
    descriptor.ShareDisposition = CmResourceShareDeviceExclusive;
    descriptor.u.Port.Length = 1;

    KtName(name, Prefix, "-count");
    KtEvent(name, WdfCmResourceListGetCount(List));
    KtName(name, Prefix, "-descriptor-0");
    KtEvent(name, WdfCmResourceListGetDescriptor(List, 0) != NULL);
    KtName(name, Prefix, "-append");
    KtEvent(name, WdfCmResourceListAppendDescriptor(List, &descriptor));
    KtName(name, Prefix, "-insert");
    KtEvent(name, WdfCmResourceListInsertDescriptor(List, &descriptor, 0));
    KtName(name, Prefix, "-append-null");
    KtEvent(name, WdfCmResourceListAppendDescriptor(List, NULL));
    WdfCmResourceListRemove(List, 0);
    WdfCmResourceListRemoveByDescriptor(List, &descriptor);
    KtName(name, Prefix, "-count-after");
    KtEvent(name, WdfCmResourceListGetCount(List));
}

static WDFCMRESLIST g_PreparedTranslated;

static EVT_WDF_DEVICE_PREPARE_HARDWARE KtPrepareHardware;
static NTSTATUS KtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
    if (g_Config->ResourceLists) {
        KtEvent("res-distinct", Raw != NULL && Translated != NULL && Raw != Translated);
        KtExerciseResourceList("res-raw", Raw);
        KtExerciseResourceList("res-translated", Translated);
        g_PreparedTranslated = Translated;
    }
    if (g_Config->Bug == KtBugDeleteResourceList) {
        WdfObjectDelete(Raw);
        /* The list is the framework's: it is still there. */
        KtEvent("res-raw-count-after-delete", WdfCmResourceListGetCount(Raw));
    } else if (g_Config->Bug == KtBugResourceListBadHandle) {
        KtEvent("res-bad-handle-count", WdfCmResourceListGetCount((WDFCMRESLIST)Device));
    }
    return KtEventStatus("prepare-hardware", Device);
}
static EVT_WDF_DEVICE_RELEASE_HARDWARE KtReleaseHardware;
static NTSTATUS KtReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Translated)
{
    if (g_Config->ResourceLists) {
        KtEvent("res-release-same", Translated == g_PreparedTranslated);
        KtExerciseResourceList("res-release", Translated);
    }
    return KtEventStatus("release-hardware", Device);
}
static EVT_WDF_DEVICE_D0_ENTRY KtD0Entry;
static NTSTATUS KtD0Entry(WDFDEVICE Device, WDF_POWER_DEVICE_STATE Previous)
{
    KtEvent("d0-entry", Previous);
    KtEvent("d0-entry-action", WdfDeviceGetSystemPowerAction(Device));
    return STATUS_SUCCESS;
}
static EVT_WDF_DEVICE_D0_EXIT KtD0Exit;
static NTSTATUS KtD0Exit(WDFDEVICE Device, WDF_POWER_DEVICE_STATE Target)
{
    KtEvent("d0-exit", Target);
    KtEvent("d0-exit-action", WdfDeviceGetSystemPowerAction(Device));
    return STATUS_SUCCESS;
}
static EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT KtSmInit;
static NTSTATUS KtSmInit(WDFDEVICE Device) { return KtEventStatus("smio-init", Device); }
static EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART KtSmRestart;
static NTSTATUS KtSmRestart(WDFDEVICE Device) { return KtEventStatus("smio-restart", Device); }
static EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND KtSmSuspend;
static NTSTATUS KtSmSuspend(WDFDEVICE Device) { return KtEventStatus("smio-suspend", Device); }
static EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH KtSmFlush;
static VOID KtSmFlush(WDFDEVICE Device) { (void)KtEventStatus("smio-flush", Device); }
static EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP KtSmCleanup;
static VOID KtSmCleanup(WDFDEVICE Device) { (void)KtEventStatus("smio-cleanup", Device); }
static EVT_WDF_DEVICE_SURPRISE_REMOVAL KtSurpriseRemoval;
static VOID KtSurpriseRemoval(WDFDEVICE Device) { (void)KtEventStatus("surprise-removal", Device); }

static EVT_WDF_DEVICE_FILE_CREATE KtFileCreate;
static VOID KtFileCreate(WDFDEVICE Device, WDFREQUEST Request, WDFFILEOBJECT FileObject)
{
    KtEvent("file-create", WdfFileObjectGetDevice(FileObject) == Device);
    KtEvent("file-create-irql", KeGetCurrentIrql());
    WdfRequestComplete(Request, STATUS_SUCCESS);
}
static EVT_WDF_FILE_CLEANUP KtFileCleanup;
static VOID KtFileCleanup(WDFFILEOBJECT FileObject)
{
    UNREFERENCED_PARAMETER(FileObject);
    KtEvent("file-cleanup", KeGetCurrentIrql());
}
static EVT_WDF_FILE_CLOSE KtFileClose;
static VOID KtFileClose(WDFFILEOBJECT FileObject)
{
    UNREFERENCED_PARAMETER(FileObject);
    KtEvent("file-close", KeGetCurrentIrql());
}

NTSTATUS KtEvtDeviceAdd(_In_ WDFDRIVER Driver, _Inout_ PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    static const GUID guid = {0x5D3C1A20, 0x7E4B, 0x4F61, {0x9C, 0x2D, 0x8A, 0x0B, 0x1E, 0x6F, 0x4C, 0x37}};
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDevicePrepareHardware = KtPrepareHardware;
    pnp.EvtDeviceReleaseHardware = KtReleaseHardware;
    pnp.EvtDeviceD0Entry = KtD0Entry;
    pnp.EvtDeviceD0Exit = KtD0Exit;
    pnp.EvtDeviceSelfManagedIoInit = KtSmInit;
    pnp.EvtDeviceSelfManagedIoRestart = KtSmRestart;
    pnp.EvtDeviceSelfManagedIoSuspend = KtSmSuspend;
    pnp.EvtDeviceSelfManagedIoFlush = KtSmFlush;
    pnp.EvtDeviceSelfManagedIoCleanup = KtSmCleanup;
    pnp.EvtDeviceSurpriseRemoval = KtSurpriseRemoval;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);

    WDF_FILEOBJECT_CONFIG fileConfig;
    WDF_FILEOBJECT_CONFIG_INIT(&fileConfig, KtFileCreate, KtFileClose, KtFileCleanup);
    WdfDeviceInitSetFileObjectConfig(DeviceInit, &fileConfig, WDF_NO_OBJECT_ATTRIBUTES);

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KT_REQUEST_CONTEXT);
    WdfDeviceInitSetRequestAttributes(DeviceInit, &attributes);

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    if (g_Config->DeviceSyncScope != 0) {
        attributes.SynchronizationScope = (WDF_SYNCHRONIZATION_SCOPE)g_Config->DeviceSyncScope;
    }
    if (g_Config->ObjectTest) {
        /* An inrush device cannot be power pageable. */
        WdfDeviceInitSetPowerPageable(DeviceInit);
        WdfDeviceInitSetPowerInrush(DeviceInit);
        DECLARE_CONST_UNICODE_STRING(deviceName, L"\\Device\\KmdfTestObjects");
        KtEvent("assign-name", WdfDeviceInitAssignName(DeviceInit, &deviceName));
    }
    PDEVICE_OBJECT initPdo = WdfFdoInitWdmGetPhysicalDevice(DeviceInit);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    for (int i = 0; i < g_Config->StaticStopRemove; i++) {
        WdfDeviceSetStaticStopRemove(device, FALSE);
    }
    ULONG flags = WdfDeviceWdmGetDeviceObject(device)->Flags;
    KtEvent("power-pageable", (flags & DO_POWER_PAGABLE) != 0);
    KtEvent("power-inrush", (flags & DO_POWER_INRUSH) != 0);
    if (g_Config->ObjectTest) {
        /* The PDO EvtDriverDeviceAdd saw is the device's. */
        KtEvent("init-pdo", initPdo != NULL && initPdo == WdfDeviceWdmGetPhysicalDevice(device));
        /* Alignment and characteristics are the WDM device object's fields. */
        PDEVICE_OBJECT fdo = WdfDeviceWdmGetDeviceObject(device);
        WdfDeviceSetAlignmentRequirement(device, FILE_QUAD_ALIGNMENT);
        KtEvent("alignment", WdfDeviceGetAlignmentRequirement(device) == FILE_QUAD_ALIGNMENT &&
                                 fdo->AlignmentRequirement == FILE_QUAD_ALIGNMENT);
        ULONG characteristics = WdfDeviceGetCharacteristics(device);
        WdfDeviceSetCharacteristics(device, characteristics | FILE_DEVICE_SECURE_OPEN);
        KtEvent("characteristics", WdfDeviceGetCharacteristics(device) == (characteristics | FILE_DEVICE_SECURE_OPEN) &&
                                       fdo->Characteristics == (characteristics | FILE_DEVICE_SECURE_OPEN));
    }
    status = WdfDeviceCreateDeviceInterface(device, &guid, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (g_Config->ObjectTest) {
        WDFSTRING link;
        if (NT_SUCCESS(WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &link))) {
            /* The interface's symbolic link, "\??\ROOT#...#{5d3c1a20-...}". */
            status = WdfDeviceRetrieveDeviceInterfaceString(device, &guid, NULL, link);
            UNICODE_STRING text;
            WdfStringGetUnicodeString(link, &text);
            KtEvent("interface-string", status);
            KtEvent("interface-string-form", text.Length > 8 * sizeof(WCHAR) && text.Buffer[0] == L'\\' &&
                                                 text.Buffer[1] == L'?' && text.Buffer[2] == L'?' &&
                                                 text.Buffer[3] == L'\\' &&
                                                 text.Buffer[text.Length / sizeof(WCHAR) - 1] == L'}');
            DECLARE_CONST_UNICODE_STRING(other, L"other");
            KtEvent("interface-string-other-reference",
                    WdfDeviceRetrieveDeviceInterfaceString(device, &guid, &other, link));
            static const GUID otherGuid = {0x11111111, 0x2222, 0x3333, {4, 5, 6, 7, 8, 9, 10, 11}};
            KtEvent("interface-string-other-class",
                    WdfDeviceRetrieveDeviceInterfaceString(device, &otherGuid, NULL, link));
            WdfObjectDelete(link);
        }
    }
    WDFSTRING name;
    if (NT_SUCCESS(WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &name))) {
        /* The name the objects scenario assigns, "\Device\KmdfTestObjects"; the
           other scenarios' device has none. */
        status = WdfDeviceRetrieveDeviceName(device, name);
        UNICODE_STRING text;
        WdfStringGetUnicodeString(name, &text);
        KtEvent("device-name", status);
        KtEvent("device-name-form", text.Length == 23 * sizeof(WCHAR) && text.Buffer[0] == L'\\' &&
                                        text.Buffer[8] == L'K' && text.Buffer[22] == L's');
        WdfObjectDelete(name);
    }
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, (WDF_IO_QUEUE_DISPATCH_TYPE)g_Config->DispatchType);
    queueConfig.AllowZeroLengthRequests = g_Config->AllowZeroLength ? TRUE : FALSE;
    if (g_Config->DispatchType != WdfIoQueueDispatchManual) {
        queueConfig.EvtIoRead = KtEvtIoRead;
        queueConfig.EvtIoWrite = KtEvtIoWrite;
    }
    if (g_Config->IoStopMode != 0) {
        queueConfig.EvtIoStop = KtEvtIoStop;
        queueConfig.EvtIoResume = KtEvtIoResume;
    }
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KT_QUEUE_CONTEXT);
    attributes.EvtDestroyCallback = KtEvtQueueDestroy;
    if (g_Config->QueueSyncScope != 0) {
        attributes.SynchronizationScope = (WDF_SYNCHRONIZATION_SCOPE)g_Config->QueueSyncScope;
    }
    if (g_Config->QueuePassive) {
        attributes.ExecutionLevel = WdfExecutionLevelPassive;
    }
    status = WdfIoQueueCreate(device, &queueConfig, &attributes, &g_Queue);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    KtGetQueueContext(g_Queue)->Magic = 0x51515151;
    if (WdfDeviceGetDefaultQueue(device) != g_Queue) {
        KtEvent("wrong-default-queue", 0);
    }
    if (g_Config->TimerPeriodMs != 0) {
        WDF_TIMER_CONFIG timerConfig;
        WDF_TIMER_CONFIG_INIT_PERIODIC(&timerConfig, KtEvtTimer, g_Config->TimerPeriodMs);
        timerConfig.AutomaticSerialization = g_Config->TimerAutoSerialize ? TRUE : FALSE;
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
        attributes.ParentObject = g_Config->TimerParentDevice ? (WDFOBJECT)device : (WDFOBJECT)g_Queue;
        attributes.EvtDestroyCallback = KtEvtTimerDestroy;
        status = WdfTimerCreate(&timerConfig, &attributes, &g_Timer);
        if (!NT_SUCCESS(status)) {
            KtEvent("timer-create-failed", status);
            return status;
        }
        if (g_Config->QueuePassive) {
            /* A dispatch-level timer cannot join the queue's passive-level lock. */
            WDFTIMER timer;
            timerConfig.AutomaticSerialization = TRUE;
            attributes.EvtDestroyCallback = NULL;
            KtEvent("serialized-timer-create", WdfTimerCreate(&timerConfig, &attributes, &timer));
        }
    }
    if (g_Config->ForwardToManual) {
        WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchManual);
        status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &g_Manual);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    if (g_Config->DpcAndWorkItem) {
        WDF_DPC_CONFIG dpcConfig;
        WDF_DPC_CONFIG_INIT(&dpcConfig, KtEvtDpc);
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
        attributes.ParentObject = g_Queue;
        status = WdfDpcCreate(&dpcConfig, &attributes, &g_Dpc);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        WDF_WORKITEM_CONFIG workConfig;
        WDF_WORKITEM_CONFIG_INIT(&workConfig, KtEvtWorkItem);
        workConfig.AutomaticSerialization = FALSE;
        WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
        attributes.ParentObject = device;
        status = WdfWorkItemCreate(&workConfig, &attributes, &g_WorkItem);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    return STATUS_SUCCESS;
}

/* ----------------------------------------------------------------- objects */

static EVT_WDF_OBJECT_CONTEXT_CLEANUP KtObjectCleanup;
static VOID KtObjectCleanup(WDFOBJECT Object) { KtEvent("cleanup", KtGetObjectContext(Object)->Id); }
static EVT_WDF_OBJECT_CONTEXT_DESTROY KtObjectDestroy;
static VOID KtObjectDestroy(WDFOBJECT Object) { KtEvent("destroy", KtGetObjectContext(Object)->Id); }

static WDFOBJECT KtCreateObject(WDFOBJECT Parent, ULONG Id)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KT_OBJECT_CONTEXT);
    attributes.ParentObject = Parent;
    attributes.EvtCleanupCallback = KtObjectCleanup;
    attributes.EvtDestroyCallback = KtObjectDestroy;
    WDFOBJECT object;
    NTSTATUS status = WdfObjectCreate(&attributes, &object);
    if (!NT_SUCCESS(status)) {
        KtEvent("object-create-failed", status);
        return NULL;
    }
    PKT_OBJECT_CONTEXT context = KtGetObjectContext(object);
    for (ULONG i = 0; i < 7; i++) {
        if (context->Filler[i] != 0 || context->Id != 0) {
            KtEvent("context-not-zeroed", Id);
        }
    }
    context->Id = Id;
    return object;
}

static EVT_WDF_OBJECT_CONTEXT_DESTROY KtItemDestroy;
static VOID KtItemDestroy(WDFOBJECT Object) { KtEvent("item-destroy", KtGetObjectContext(Object)->Id); }

static WDFOBJECT KtCreateItem(ULONG Id)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KT_OBJECT_CONTEXT);
    attributes.EvtDestroyCallback = KtItemDestroy;
    WDFOBJECT object;
    if (!NT_SUCCESS(WdfObjectCreate(&attributes, &object))) {
        return NULL;
    }
    KtGetObjectContext(object)->Id = Id;
    return object;
}

/* Collections: order, removal by index and by object, and the reference an item keeps
   while it is in the collection (its destroy waits for the collection's deletion). */
static VOID KtCollectionTest(VOID)
{
    WDFCOLLECTION collection;
    NTSTATUS status = WdfCollectionCreate(WDF_NO_OBJECT_ATTRIBUTES, &collection);
    KtEvent("collection-create", status);
    if (!NT_SUCCESS(status)) {
        return;
    }
    WDFOBJECT items[4];
    for (ULONG i = 0; i < 4; i++) {
        items[i] = KtCreateItem(10 + i);
        status = items[i] != NULL ? WdfCollectionAdd(collection, items[i]) : STATUS_INSUFFICIENT_RESOURCES;
        KtEvent("collection-add", status);
        if (!NT_SUCCESS(status)) {
            /* Out of memory (the allocation-failure scenario): undo and stop here. */
            for (ULONG j = 0; j <= i; j++) {
                if (items[j] != NULL) {
                    WdfObjectDelete(items[j]);
                }
            }
            WdfObjectDelete(collection);
            return;
        }
    }
    KtEvent("collection-count", WdfCollectionGetCount(collection));
    KtEvent("collection-order", WdfCollectionGetFirstItem(collection) == items[0] &&
                                    WdfCollectionGetItem(collection, 2) == items[2] &&
                                    WdfCollectionGetLastItem(collection) == items[3] &&
                                    WdfCollectionGetItem(collection, 4) == NULL);
    WdfCollectionRemoveItem(collection, 0);
    WdfCollectionRemove(collection, items[3]);
    WdfCollectionRemoveItem(collection, 7); /* not in the collection: nothing changes */
    KtEvent("collection-after-remove", WdfCollectionGetCount(collection) == 2 &&
                                           WdfCollectionGetFirstItem(collection) == items[1] &&
                                           WdfCollectionGetLastItem(collection) == items[2]);
    WdfObjectDelete(items[0]);
    WdfObjectDelete(items[3]);
    /* Deleted while in the collection: its memory stays until the collection lets go. */
    WdfObjectDelete(items[1]);
    KtEvent("collection-item-deleted", 0);
    WdfObjectDelete(collection);
    KtEvent("collection-deleted", 0);
    WdfObjectDelete(items[2]);
}

/* Object tree, contexts, memory, strings, registry and version checks (as events). */
static VOID KtObjectTest(WDFDRIVER Driver)
{
    KtCollectionTest();
    WDFOBJECT parent = KtCreateObject(NULL, 1);
    WDFOBJECT child1 = KtCreateObject(parent, 2);
    WDFOBJECT child2 = KtCreateObject(parent, 3);
    WDFOBJECT grandchild = KtCreateObject(child1, 4);
    if (parent == NULL || child1 == NULL || child2 == NULL || grandchild == NULL) {
        return;
    }
    KtEvent("typed-context-other-null", WdfObjectGet_KT_OTHER_CONTEXT(parent) == NULL);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KT_OTHER_CONTEXT);
    KT_OTHER_CONTEXT *other = NULL;
    NTSTATUS status = WdfObjectAllocateContext(parent, &attributes, (PVOID *)&other);
    KtEvent("allocate-context", status);
    KtEvent("typed-context-other-found",
            other != NULL && WdfObjectGetTypedContext(parent, KT_OTHER_CONTEXT) == other && other->Value == 0);
    KtEvent("context-get-object", WdfObjectContextGetObject(KtGetObjectContext(child2)) == child2);
    /* child2 outlives its deletion through a reference: its destroy (and so the
       parent's) waits for the dereference. */
    WdfObjectReference(child2);
    WdfObjectDelete(parent);
    KtEvent("deleted-parent", 0);
    WdfObjectDereference(child2);
    KtEvent("dereferenced-child", 0);

    WDFMEMORY memory;
    PVOID buffer;
    status = WdfMemoryCreate(WDF_NO_OBJECT_ATTRIBUTES, NonPagedPoolNx, KT_TAG, 16, &memory, &buffer);
    KtEvent("memory-create", status);
    if (NT_SUCCESS(status)) {
        UCHAR bytes[32];
        RtlFillMemory(bytes, sizeof(bytes), 0xA5);
        KtEvent("copy-from-ok", WdfMemoryCopyFromBuffer(memory, 8, bytes, 8));
        KtEvent("copy-from-too-big", WdfMemoryCopyFromBuffer(memory, 8, bytes, 9));
        KtEvent("copy-from-bad-offset", WdfMemoryCopyFromBuffer(memory, 16, bytes, 1));
        KtEvent("copy-to-ok", WdfMemoryCopyToBuffer(memory, 0, bytes, 16));
        KtEvent("copy-to-too-big", WdfMemoryCopyToBuffer(memory, 1, bytes, 16));
        KtEvent("copy-to-zero", WdfMemoryCopyToBuffer(memory, 0, bytes, 0));
        size_t size = 0;
        KtEvent("memory-buffer", WdfMemoryGetBuffer(memory, &size) == buffer && size == 16);
        WdfObjectDelete(memory);
    }

    /* A preallocated memory object takes another buffer of the driver's. */
    UCHAR first[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    UCHAR second[4] = {9, 10, 11, 12};
    status = WdfMemoryCreatePreallocated(WDF_NO_OBJECT_ATTRIBUTES, first, sizeof(first), &memory);
    KtEvent("preallocated-create", status);
    if (NT_SUCCESS(status)) {
        KtEvent("assign-zero-size", WdfMemoryAssignBuffer(memory, second, 0));
        KtEvent("assign-null-buffer", WdfMemoryAssignBuffer(memory, NULL, sizeof(second)));
        KtEvent("assign-buffer", WdfMemoryAssignBuffer(memory, second, sizeof(second)));
        size_t size = 0;
        UCHAR copied[4] = {0};
        KtEvent("assigned-buffer", WdfMemoryGetBuffer(memory, &size) == second && size == sizeof(second) &&
                                       NT_SUCCESS(WdfMemoryCopyToBuffer(memory, 0, copied, sizeof(copied))) &&
                                       copied[0] == 9 && copied[3] == 12);
        /* The new size bounds the copies. */
        KtEvent("assigned-copy-too-big", WdfMemoryCopyToBuffer(memory, 0, copied, 5));
        WdfObjectDelete(memory);
    }

    /* Lookaside lists: memory objects of the list's size, with its memory attributes. */
    WDFLOOKASIDE lookaside;
    KtEvent("lookaside-zero-size", WdfLookasideListCreate(WDF_NO_OBJECT_ATTRIBUTES, 0, NonPagedPoolNx,
                                                          WDF_NO_OBJECT_ATTRIBUTES, KT_TAG, &lookaside));
    WDF_OBJECT_ATTRIBUTES memoryAttributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&memoryAttributes, KT_OTHER_CONTEXT);
    status = WdfLookasideListCreate(WDF_NO_OBJECT_ATTRIBUTES, 24, NonPagedPoolNx, &memoryAttributes, KT_TAG,
                                    &lookaside);
    KtEvent("lookaside-create", status);
    if (NT_SUCCESS(status)) {
        WDFMEMORY fromList[2] = {NULL, NULL};
        KtEvent("lookaside-memory-1", WdfMemoryCreateFromLookaside(lookaside, &fromList[0]));
        KtEvent("lookaside-memory-2", WdfMemoryCreateFromLookaside(lookaside, &fromList[1]));
        size_t size1 = 0;
        size_t size2 = 0;
        PVOID buffer1 = fromList[0] != NULL ? WdfMemoryGetBuffer(fromList[0], &size1) : NULL;
        PVOID buffer2 = fromList[1] != NULL ? WdfMemoryGetBuffer(fromList[1], &size2) : NULL;
        KtEvent("lookaside-sizes", buffer1 != NULL && buffer2 != NULL && buffer1 != buffer2 && size1 == 24 &&
                                       size2 == 24);
        KtEvent("lookaside-context", fromList[0] != NULL && WdfObjectGet_KT_OTHER_CONTEXT(fromList[0]) != NULL);
        KtEvent("lookaside-null-out", WdfMemoryCreateFromLookaside(lookaside, NULL));
        /* The list may go first: its memory objects keep it until they are deleted. */
        WdfObjectDelete(lookaside);
        if (fromList[0] != NULL) {
            RtlFillMemory(buffer1, 24, 0x5A);
            WdfObjectDelete(fromList[0]);
        }
        if (fromList[1] != NULL) {
            WdfObjectDelete(fromList[1]);
        }
    }

    UNICODE_STRING text;
    RtlInitUnicodeString(&text, L"kmdf");
    WDFSTRING string;
    status = WdfStringCreate(&text, WDF_NO_OBJECT_ATTRIBUTES, &string);
    KtEvent("string-create", status);
    if (NT_SUCCESS(status)) {
        UNICODE_STRING out;
        WdfStringGetUnicodeString(string, &out);
        KtEvent("string-content", out.Length == 8 && out.Buffer[0] == L'k' && out.Buffer[3] == L'f');
        status = WdfDriverRetrieveVersionString(Driver, string);
        WdfStringGetUnicodeString(string, &out);
        KtEvent("version-string", NT_SUCCESS(status) && out.Length > 0);
        WdfObjectDelete(string);
    }
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS version;
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(&version, KMDF_VERSION_MAJOR, KMDF_VERSION_MINOR);
    KtEvent("version-available", WdfDriverIsVersionAvailable(Driver, &version));
    WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(&version, 2, 0);
    KtEvent("version-2-available", WdfDriverIsVersionAvailable(Driver, &version));

    WDFKEY key;
    status = WdfDriverOpenParametersRegistryKey(Driver, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key);
    KtEvent("open-parameters", status);
    if (NT_SUCCESS(status)) {
        DECLARE_CONST_UNICODE_STRING(name, L"TestValue");
        DECLARE_CONST_UNICODE_STRING(missing, L"Missing");
        ULONG value = 0;
        status = WdfRegistryQueryULong(key, &name, &value);
        KtEvent("query-ulong", NT_SUCCESS(status) ? (LONGLONG)value : -1);
        KtEvent("query-missing", WdfRegistryQueryULong(key, &missing, &value));
        WdfRegistryClose(key);
    }
}

VOID KtEvtDriverCleanup(_In_ WDFOBJECT Object)
{
    UNREFERENCED_PARAMETER(Object);
    KtEvent("driver-cleanup", 0);
}

VOID KtEvtDriverUnload(_In_ WDFDRIVER Driver)
{
    UNREFERENCED_PARAMETER(Driver);
    KtEvent("driver-unload", 0);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    g_Config = KmdfTestConfig();
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, KtEvtDeviceAdd);
    config.EvtDriverUnload = KtEvtDriverUnload;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.EvtCleanupCallback = KtEvtDriverCleanup;
    WDFDRIVER driver;
    NTSTATUS status = WdfDriverCreate(DriverObject, RegistryPath, &attributes, &config, &driver);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = WdfSpinLockCreate(WDF_NO_OBJECT_ATTRIBUTES, &g_ParkLock);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (g_Config->ObjectTest) {
        KtObjectTest(driver);
    }
    if (g_Config->Bug == KtBugObjectLeak) {
        if (NT_SUCCESS(WdfObjectCreate(WDF_NO_OBJECT_ATTRIBUTES, &g_Leaked))) {
            WdfObjectReference(g_Leaked);
        }
    }
    if (g_Config->FailDriverEntry != 0) {
        /* The framework deletes the WDFDRIVER and its children (g_ParkLock). */
        return (NTSTATUS)g_Config->FailDriverEntry;
    }
    g_ParkedCount = 0;
    g_Sequence = 0;
    KmdfTestRegister(&g_Ops);
    return STATUS_SUCCESS;
}
