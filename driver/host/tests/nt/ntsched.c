/*
 * ntsched.c - a WDM driver for the tests of the NT families a driver schedules work
 * with: kernel timers and DPCs, system threads, work items (IoQueueWorkItem(Ex),
 * ExQueueWorkItem), SLISTs, KeWaitForMultipleObjects and IoRegisterPlugPlayNotification.
 *
 * Each scenario is an exported function that runs in the driver, checks what the
 * documentation promises and returns the number of failed checks, the first one
 * described in the caller's buffer. The driver is also a small PnP function driver:
 * AddDevice registers an interface of GUID_DEVINTERFACE_NTSCHED, enabled at start and
 * disabled at removal, which the notification scenario watches (the shared skeleton of
 * tests/common/wdmskel.c).
 */
#include <ntddk.h>
#include <ntstrsafe.h>
#include <initguid.h>
#include <wdmguid.h>

#include "wdmskel.h"

/* {5b1f7c2e-8d3a-4c61-9e0b-2f4a6d8c1e37} */
DEFINE_GUID(GUID_DEVINTERFACE_NTSCHED, 0x5b1f7c2e, 0x8d3a, 0x4c61, 0x9e, 0x0b, 0x2f, 0x4a, 0x6d, 0x8c, 0x1e, 0x37);

#define EXPORT __attribute__((visibility("default")))
#define WAIT_MS(ms) (-(LONGLONG)(ms) * 10000)

DRIVER_INITIALIZE DriverEntry;

static PDRIVER_OBJECT g_Driver;
static PDEVICE_OBJECT g_ControlDevice; /* unnamed, owns the work items */
static ULONG g_Failures;
static char *g_Message;
static size_t g_MessageSize;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            if (g_Failures++ == 0 && g_Message != NULL) {                                         \
                RtlStringCbPrintfA(g_Message, g_MessageSize, "line %d: %s", __LINE__, #cond);    \
            }                                                                                     \
        }                                                                                         \
    } while (0)

static void Begin(char *Message, size_t Size)
{
    g_Failures = 0;
    g_Message = Message;
    g_MessageSize = Size;
    if (Message != NULL && Size != 0) {
        Message[0] = 0;
    }
}

static NTSTATUS WaitFor(PVOID Object, LONGLONG Ms)
{
    LARGE_INTEGER timeout;
    timeout.QuadPart = WAIT_MS(Ms);
    return KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, &timeout);
}

/* ------------------------------------------------------------------ timers and DPCs */

typedef struct _TIMER_STATE {
    KTIMER Timer;
    KDPC Dpc;
    KEVENT Done;
    volatile LONG Runs;
    LONG StopAfter;
    KIRQL Irql;
    PVOID Context;
    ULONGLONG FirstRun; /* KeQueryInterruptTime at the first run */
} TIMER_STATE;

static VOID TimerDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    TIMER_STATE *state = Context;
    state->Irql = KeGetCurrentIrql();
    state->Context = Context;
    LONG runs = InterlockedIncrement(&state->Runs);
    if (runs == 1) {
        state->FirstRun = KeQueryInterruptTime();
    }
    if (runs == state->StopAfter) {
        KeSetEvent(&state->Done, IO_NO_INCREMENT, FALSE);
    }
}

/* A one-shot notification timer: signalled at its due time (not before), its DPC runs
   once at DISPATCH_LEVEL with its context; cancel and set report the earlier state. */
EXPORT ULONG NtSchedTimers(char *Message, size_t Size)
{
    Begin(Message, Size);
    static TIMER_STATE s;
    RtlZeroMemory(&s, sizeof(s));
    KeInitializeTimer(&s.Timer);
    KeInitializeDpc(&s.Dpc, TimerDpc, &s);
    KeInitializeEvent(&s.Done, NotificationEvent, FALSE);
    s.StopAfter = 1;
    CHECK(KeReadStateTimer(&s.Timer) == FALSE);
    CHECK(KeCancelTimer(&s.Timer) == FALSE);

    ULONGLONG start = KeQueryInterruptTime();
    LARGE_INTEGER due;
    due.QuadPart = WAIT_MS(30);
    CHECK(KeSetTimer(&s.Timer, due, &s.Dpc) == FALSE);
    CHECK(WaitFor(&s.Timer, 10000) == STATUS_SUCCESS);
    ULONGLONG signalled = KeQueryInterruptTime();
    CHECK(signalled - start >= 30 * 10000);
    CHECK(KeReadStateTimer(&s.Timer) == TRUE);
    CHECK(WaitFor(&s.Done, 10000) == STATUS_SUCCESS);
    CHECK(s.Irql == DISPATCH_LEVEL);
    CHECK(s.Context == &s);
    CHECK(s.FirstRun - start >= 30 * 10000);
    /* A notification timer stays signalled: a second wait is satisfied at once. */
    CHECK(WaitFor(&s.Timer, 0) == STATUS_SUCCESS);
    CHECK(KeCancelTimer(&s.Timer) == FALSE);

    /* Set far ahead, set again (TRUE: it was set), cancelled (TRUE): never fires, and
       setting made it not signalled. */
    due.QuadPart = WAIT_MS(60000);
    CHECK(KeSetTimer(&s.Timer, due, &s.Dpc) == FALSE);
    CHECK(KeReadStateTimer(&s.Timer) == FALSE);
    CHECK(KeSetTimer(&s.Timer, due, &s.Dpc) == TRUE);
    CHECK(KeCancelTimer(&s.Timer) == TRUE);
    CHECK(KeCancelTimer(&s.Timer) == FALSE);
    CHECK(WaitFor(&s.Timer, 0) == STATUS_TIMEOUT);

    /* An absolute due time (system time) 20 ms ahead. */
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    due.QuadPart = now.QuadPart + 20 * 10000;
    start = KeQueryInterruptTime();
    CHECK(KeSetTimer(&s.Timer, due, NULL) == FALSE);
    CHECK(WaitFor(&s.Timer, 10000) == STATUS_SUCCESS);
    CHECK(KeQueryInterruptTime() - start >= 19 * 10000);
    KeFlushQueuedDpcs();
    CHECK(s.Runs == 1); /* no DPC was given */
    return g_Failures;
}

/* A periodic timer queues its DPC every period until cancelled; after KeCancelTimer and
   KeFlushQueuedDpcs no run follows. */
EXPORT ULONG NtSchedPeriodic(char *Message, size_t Size)
{
    Begin(Message, Size);
    static TIMER_STATE s;
    RtlZeroMemory(&s, sizeof(s));
    KeInitializeTimerEx(&s.Timer, NotificationTimer);
    KeInitializeDpc(&s.Dpc, TimerDpc, &s);
    KeInitializeEvent(&s.Done, NotificationEvent, FALSE);
    s.StopAfter = 3;
    LARGE_INTEGER due;
    due.QuadPart = WAIT_MS(5);
    ULONGLONG start = KeQueryInterruptTime();
    CHECK(KeSetTimerEx(&s.Timer, due, 5, &s.Dpc) == FALSE);
    CHECK(WaitFor(&s.Done, 10000) == STATUS_SUCCESS);
    /* Three runs: at 5, 10 and 15 ms at the earliest. */
    CHECK(KeQueryInterruptTime() - start >= 15 * 10000);
    CHECK(KeCancelTimer(&s.Timer) == TRUE);
    KeFlushQueuedDpcs();
    LONG runs = s.Runs;
    CHECK(runs >= 3);
    /* Nothing is queued any more: a one-shot timer of 20 ms fires with the periodic one
       still silent. */
    KTIMER probe;
    KeInitializeTimer(&probe);
    due.QuadPart = WAIT_MS(20);
    KeSetTimer(&probe, due, NULL);
    CHECK(WaitFor(&probe, 10000) == STATUS_SUCCESS);
    KeFlushQueuedDpcs();
    CHECK(s.Runs == runs);

    /* A synchronization timer releases one wait and resets itself. */
    KTIMER sync;
    KeInitializeTimerEx(&sync, SynchronizationTimer);
    due.QuadPart = WAIT_MS(5);
    KeSetTimer(&sync, due, NULL);
    CHECK(WaitFor(&sync, 10000) == STATUS_SUCCESS);
    CHECK(KeReadStateTimer(&sync) == FALSE);
    CHECK(WaitFor(&sync, 0) == STATUS_TIMEOUT);
    return g_Failures;
}

/* DPCs queued behind a DPC that holds the DPC thread: a queued DPC is not queued twice,
   KeRemoveQueueDpc takes one off the queue, HighImportance goes first. */
typedef struct _DPC_STATE {
    KDPC Gate;
    KDPC A;
    KDPC B;
    KDPC C;
    volatile LONG GateEntered;
    volatile LONG GateOpen;
    volatile LONG Order[8];
    volatile LONG Count;
    PVOID Argument1;
    PVOID Argument2;
    KEVENT Done;
} DPC_STATE;

static VOID GateDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    DPC_STATE *state = Context;
    InterlockedExchange(&state->GateEntered, 1);
    /* Holds the (one) DPC thread until the scenario has queued the others: a spin on a
       flag, as a DPC waits for another processor. */
    while (InterlockedCompareExchange(&state->GateOpen, 1, 1) == 0) {
        YieldProcessor();
    }
}

static VOID OrderDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    DPC_STATE *state = Context;
    LONG index = InterlockedIncrement(&state->Count) - 1;
    state->Order[index & 7] = Dpc == &state->A ? 'A' : Dpc == &state->B ? 'B' : 'C';
    if (Dpc == &state->C) {
        state->Argument1 = Argument1;
        state->Argument2 = Argument2;
    }
    KeSetEvent(&state->Done, IO_NO_INCREMENT, FALSE);
}

EXPORT ULONG NtSchedDpcs(char *Message, size_t Size)
{
    Begin(Message, Size);
    static DPC_STATE s;
    RtlZeroMemory(&s, sizeof(s));
    KeInitializeEvent(&s.Done, NotificationEvent, FALSE);
    KeInitializeDpc(&s.Gate, GateDpc, &s);
    KeInitializeDpc(&s.A, OrderDpc, &s);
    KeInitializeDpc(&s.B, OrderDpc, &s);
    KeInitializeDpc(&s.C, OrderDpc, &s);
    KeSetImportanceDpc(&s.C, HighImportance);

    CHECK(KeInsertQueueDpc(&s.Gate, NULL, NULL) == TRUE);
    while (InterlockedCompareExchange(&s.GateEntered, 1, 1) == 0) {
        YieldProcessor();
    }
    CHECK(KeInsertQueueDpc(&s.A, NULL, NULL) == TRUE);
    CHECK(KeInsertQueueDpc(&s.A, NULL, NULL) == FALSE); /* already queued */
    CHECK(KeInsertQueueDpc(&s.B, NULL, NULL) == TRUE);
    CHECK(KeRemoveQueueDpc(&s.B) == TRUE);
    CHECK(KeRemoveQueueDpc(&s.B) == FALSE);
    CHECK(KeInsertQueueDpc(&s.C, (PVOID)(ULONG_PTR)7, (PVOID)(ULONG_PTR)9) == TRUE);
    InterlockedExchange(&s.GateOpen, 1);
    KeFlushQueuedDpcs();
    CHECK(s.Count == 2);
    CHECK(s.Order[0] == 'C' && s.Order[1] == 'A');
    CHECK(s.Argument1 == (PVOID)(ULONG_PTR)7 && s.Argument2 == (PVOID)(ULONG_PTR)9);
    /* Dequeued before it ran: it can be queued again. */
    CHECK(KeInsertQueueDpc(&s.A, NULL, NULL) == TRUE);
    KeFlushQueuedDpcs();
    CHECK(s.Count == 3);
    return g_Failures;
}

/* KeFlushQueuedDpcs from a DPC (DISPATCH_LEVEL) is a wait at the wrong IRQL. */
static KDPC g_BadFlushDpc;
static KEVENT g_BadFlushDone;

static VOID BadFlushDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    KeFlushQueuedDpcs();
    KeSetEvent(&g_BadFlushDone, IO_NO_INCREMENT, FALSE);
}

/* Bad input: reports of the verifier that the test's sink captures. */
EXPORT ULONG NtSchedMisuse(char *Message, size_t Size)
{
    Begin(Message, Size);
    KeInitializeEvent(&g_BadFlushDone, NotificationEvent, FALSE);
    KeInitializeDpc(&g_BadFlushDpc, BadFlushDpc, NULL);
    KeInsertQueueDpc(&g_BadFlushDpc, NULL, NULL);
    CHECK(WaitFor(&g_BadFlushDone, 10000) == STATUS_SUCCESS);
    /* The DPC set the event before returning: it has returned once the queue is flushed. */
    KeFlushQueuedDpcs();

    KTIMER timer;
    KeInitializeTimer(&timer);
    LARGE_INTEGER due;
    due.QuadPart = WAIT_MS(10);
    CHECK(KeSetTimerEx(&timer, due, -1, NULL) == FALSE);
    CHECK(KeCancelTimer(&timer) == FALSE); /* the bad call set nothing */

    struct {
        UCHAR Pad[8];
        SLIST_ENTRY Entry;
    } aligned;
    SLIST_HEADER head;
    InitializeSListHead(&head);
    PSLIST_ENTRY misaligned = (PSLIST_ENTRY)(void *)((PUCHAR)&aligned.Entry + 8);
    CHECK(InterlockedPushEntrySList(&head, misaligned) == NULL);
    CHECK(ExQueryDepthSList(&head) == 0);

    CHECK(PsTerminateSystemThread(STATUS_SUCCESS) == STATUS_INVALID_PARAMETER);
    return g_Failures;
}

/* ------------------------------------------------------------------ system threads */

typedef struct _THREAD_STATE {
    KEVENT Go;
    volatile LONG Reached;
    volatile LONG AfterTerminate;
    KIRQL Irql;
    SLIST_HEADER *List;
    SLIST_ENTRY *Entries;
    ULONG Count;
} THREAD_STATE;

static VOID TerminatingThread(PVOID Context)
{
    THREAD_STATE *state = Context;
    state->Irql = KeGetCurrentIrql();
    KeWaitForSingleObject(&state->Go, Executive, KernelMode, FALSE, NULL);
    InterlockedExchange(&state->Reached, 1);
    PsTerminateSystemThread(STATUS_SUCCESS);
    InterlockedExchange(&state->AfterTerminate, 1); /* never reached */
}

static VOID PushingThread(PVOID Context)
{
    THREAD_STATE *state = Context;
    for (ULONG i = 0; i < state->Count; i++) {
        ExInterlockedPushEntrySList(state->List, &state->Entries[i], NULL);
    }
}

static NTSTATUS StartThread(PKSTART_ROUTINE Routine, PVOID Context, PVOID *Thread)
{
    HANDLE handle;
    CLIENT_ID id;
    NTSTATUS status = PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, &id, Routine, Context);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    CHECK(id.UniqueThread != NULL);
    status = ObReferenceObjectByHandle(handle, THREAD_ALL_ACCESS, *PsThreadType, KernelMode, Thread, NULL);
    ZwClose(handle);
    return status;
}

/* A system thread runs at PASSIVE_LEVEL; its object is signalled when it ends, by
   PsTerminateSystemThread (which does not return) or by returning. */
EXPORT ULONG NtSchedThreads(char *Message, size_t Size)
{
    Begin(Message, Size);
    static THREAD_STATE t;
    RtlZeroMemory(&t, sizeof(t));
    t.Irql = HIGH_LEVEL;
    KeInitializeEvent(&t.Go, NotificationEvent, FALSE);
    PVOID thread = NULL;
    CHECK(StartThread(TerminatingThread, &t, &thread) == STATUS_SUCCESS);
    if (thread == NULL) {
        return g_Failures;
    }
    /* It waits for Go: not signalled yet. */
    CHECK(WaitFor(thread, 0) == STATUS_TIMEOUT);
    KeSetEvent(&t.Go, IO_NO_INCREMENT, FALSE);
    CHECK(WaitFor(thread, 10000) == STATUS_SUCCESS);
    CHECK(t.Reached == 1 && t.AfterTerminate == 0);
    CHECK(t.Irql == PASSIVE_LEVEL);
    ObDereferenceObject(thread);

    /* SLIST under contention: two threads push 500 entries each; waiting for both with
       KeWaitForMultipleObjects(WaitAll), then every entry is popped exactly once. */
    enum { PER_THREAD = 500 };
    SLIST_HEADER head;
    InitializeSListHead(&head);
    PSLIST_ENTRY entries = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(SLIST_ENTRY) * 2 * PER_THREAD, 'hcSN');
    CHECK(entries != NULL);
    if (entries == NULL) {
        return g_Failures;
    }
    CHECK(((ULONG_PTR)entries & 15) == 0);
    static THREAD_STATE p[2];
    PVOID threads[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        RtlZeroMemory(&p[i], sizeof(p[i]));
        p[i].List = &head;
        p[i].Entries = entries + i * PER_THREAD;
        p[i].Count = PER_THREAD;
        CHECK(StartThread(PushingThread, &p[i], &threads[i]) == STATUS_SUCCESS);
    }
    if (threads[0] != NULL && threads[1] != NULL) {
        LARGE_INTEGER timeout;
        timeout.QuadPart = WAIT_MS(10000);
        CHECK(KeWaitForMultipleObjects(2, threads, WaitAll, Executive, KernelMode, FALSE, &timeout, NULL) ==
              STATUS_SUCCESS);
        CHECK(ExQueryDepthSList(&head) == 2 * PER_THREAD);
        ULONG popped = 0;
        UCHAR *seen = ExAllocatePool2(POOL_FLAG_NON_PAGED, 2 * PER_THREAD, 'hcSN');
        CHECK(seen != NULL);
        PSLIST_ENTRY entry;
        while (seen != NULL && (entry = InterlockedPopEntrySList(&head)) != NULL) {
            ULONG index = (ULONG)(entry - entries);
            CHECK(index < 2 * PER_THREAD && seen[index] == 0);
            if (index < 2 * PER_THREAD) {
                seen[index] = 1;
            }
            popped++;
        }
        CHECK(popped == 2 * PER_THREAD);
        CHECK(ExQueryDepthSList(&head) == 0);
        if (seen != NULL) {
            ExFreePoolWithTag(seen, 'hcSN');
        }
    }
    for (int i = 0; i < 2; i++) {
        if (threads[i] != NULL) {
            ObDereferenceObject(threads[i]);
        }
    }

    /* Push returns the former first entry; flush takes the whole chain, last pushed
       first. */
    CHECK(InterlockedPushEntrySList(&head, &entries[0]) == NULL);
    CHECK(InterlockedPushEntrySList(&head, &entries[1]) == &entries[0]);
    CHECK(ExInterlockedPushEntrySList(&head, &entries[2], NULL) == &entries[1]);
    CHECK(QueryDepthSList(&head) == 3);
    CHECK(RtlFirstEntrySList(&head) == &entries[2]);
    PSLIST_ENTRY chain = InterlockedFlushSList(&head);
    CHECK(chain == &entries[2] && chain->Next == &entries[1] && chain->Next->Next == &entries[0] &&
          chain->Next->Next->Next == NULL);
    CHECK(ExQueryDepthSList(&head) == 0 && InterlockedPopEntrySList(&head) == NULL);
    CHECK(InterlockedFlushSList(&head) == NULL);
    ExFreePoolWithTag(entries, 'hcSN');
    return g_Failures;
}

/* ------------------------------------------------------------------ work items */

typedef struct _WORK_STATE {
    KEVENT Done;
    KIRQL Irql;
    PVOID Device;
    PVOID Context;
    PIO_WORKITEM Item;
    BOOLEAN SawItem;
    WORK_QUEUE_ITEM ExItem;
    volatile LONG ExRuns;
} WORK_STATE;

static VOID IoWorkEx(PVOID IoObject, PVOID Context, PIO_WORKITEM IoWorkItem)
{
    WORK_STATE *state = Context;
    state->Irql = KeGetCurrentIrql();
    state->Device = IoObject;
    state->SawItem = IoWorkItem == state->Item;
    /* The routine of IoQueueWorkItemEx may free its own item. */
    IoFreeWorkItem(IoWorkItem);
    KeSetEvent(&state->Done, IO_NO_INCREMENT, FALSE);
}

static VOID IoWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    WORK_STATE *state = Context;
    state->Irql = KeGetCurrentIrql();
    state->Device = DeviceObject;
    KeSetEvent(&state->Done, IO_NO_INCREMENT, FALSE);
}

static VOID ExWork(PVOID Parameter)
{
    WORK_STATE *state = Parameter;
    state->Irql = KeGetCurrentIrql();
    /* The item is no longer queued while its routine runs: it may queue itself again. */
    if (InterlockedIncrement(&state->ExRuns) == 1) {
        ExQueueWorkItem(&state->ExItem, DelayedWorkQueue);
    } else {
        KeSetEvent(&state->Done, IO_NO_INCREMENT, FALSE);
    }
}

EXPORT ULONG NtSchedWorkItems(char *Message, size_t Size)
{
    Begin(Message, Size);
    static WORK_STATE w;
    RtlZeroMemory(&w, sizeof(w));
    KeInitializeEvent(&w.Done, NotificationEvent, FALSE);
    w.Irql = HIGH_LEVEL;
    PIO_WORKITEM item = IoAllocateWorkItem(g_ControlDevice);
    CHECK(item != NULL);
    if (item != NULL) {
        IoQueueWorkItem(item, IoWork, DelayedWorkQueue, &w);
        CHECK(WaitFor(&w.Done, 10000) == STATUS_SUCCESS);
        CHECK(w.Irql == PASSIVE_LEVEL && w.Device == g_ControlDevice);
        IoFreeWorkItem(item);
    }

    KeClearEvent(&w.Done);
    w.Irql = HIGH_LEVEL;
    w.Item = IoAllocateWorkItem(g_ControlDevice);
    CHECK(w.Item != NULL);
    if (w.Item != NULL) {
        IoQueueWorkItemEx(w.Item, IoWorkEx, CriticalWorkQueue, &w);
        CHECK(WaitFor(&w.Done, 10000) == STATUS_SUCCESS);
        CHECK(w.Irql == PASSIVE_LEVEL && w.Device == g_ControlDevice && w.SawItem);
    }

    KeClearEvent(&w.Done);
    w.Irql = HIGH_LEVEL;
    ExInitializeWorkItem(&w.ExItem, ExWork, &w);
    ExQueueWorkItem(&w.ExItem, DelayedWorkQueue);
    CHECK(WaitFor(&w.Done, 10000) == STATUS_SUCCESS);
    CHECK(w.ExRuns == 2 && w.Irql == PASSIVE_LEVEL);
    return g_Failures;
}

/* ------------------------------------------------------------------ PnP notifications */

#define MAX_EVENTS 16

typedef struct _NOTIFY_LOG {
    KSPIN_LOCK Lock;
    KEVENT Changed;
    LONG Count;
    char Kind[MAX_EVENTS];   /* 'A' arrival, 'R' removal */
    char Who[MAX_EVENTS];    /* which registration: '1' or '2' */
    WCHAR Link[MAX_EVENTS][128];
    KIRQL Irql[MAX_EVENTS];
} NOTIFY_LOG;

static NOTIFY_LOG g_Log;
static PVOID g_Registration[2];

static NTSTATUS InterfaceChanged(PVOID NotificationStructure, PVOID Context)
{
    PDEVICE_INTERFACE_CHANGE_NOTIFICATION n = NotificationStructure;
    KIRQL irql = KeGetCurrentIrql();
    KIRQL old;
    KeAcquireSpinLock(&g_Log.Lock, &old);
    LONG i = g_Log.Count;
    if (i < MAX_EVENTS && IsEqualGUID(&n->InterfaceClassGuid, &GUID_DEVINTERFACE_NTSCHED)) {
        g_Log.Kind[i] = IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_ARRIVAL)   ? 'A'
                        : IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_REMOVAL) ? 'R'
                                                                                 : '?';
        g_Log.Who[i] = (char)(ULONG_PTR)Context;
        USHORT chars = n->SymbolicLinkName->Length / sizeof(WCHAR);
        if (chars > 127) {
            chars = 127;
        }
        RtlCopyMemory(g_Log.Link[i], n->SymbolicLinkName->Buffer, chars * sizeof(WCHAR));
        g_Log.Link[i][chars] = 0;
        g_Log.Irql[i] = irql;
        g_Log.Count = i + 1;
    }
    KeReleaseSpinLock(&g_Log.Lock, old);
    KeSetEvent(&g_Log.Changed, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

/* Registers registration Which ('1' or '2') for the interface class. */
EXPORT NTSTATUS NtSchedRegister(char Which, BOOLEAN IncludeExisting)
{
    if (Which == '1' && g_Log.Count == 0) {
        KeInitializeSpinLock(&g_Log.Lock);
        KeInitializeEvent(&g_Log.Changed, SynchronizationEvent, FALSE);
    }
    return IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange,
                                          IncludeExisting ? PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES : 0,
                                          (PVOID)&GUID_DEVINTERFACE_NTSCHED, g_Driver, InterfaceChanged,
                                          (PVOID)(ULONG_PTR)Which, &g_Registration[Which - '1']);
}

EXPORT NTSTATUS NtSchedUnregister(char Which)
{
    NTSTATUS status = IoUnregisterPlugPlayNotificationEx(g_Registration[Which - '1']);
    g_Registration[Which - '1'] = NULL;
    return status;
}

/* A registration for target device changes, which the host does not implement. */
EXPORT NTSTATUS NtSchedRegisterTargetChange(void)
{
    PVOID entry = NULL;
    return IoRegisterPlugPlayNotification(EventCategoryTargetDeviceChange, 0, NULL, g_Driver, InterfaceChanged, NULL,
                                          &entry);
}

/*
 * Waits until at least Count notifications were logged; then describes notification
 * Index as "<kind><who>:<link in UTF-8 (ASCII)>:<irql>". FALSE on time-out.
 */
EXPORT BOOLEAN NtSchedNotification(LONG Count, LONG Index, char *Out, size_t Size)
{
    for (;;) {
        KIRQL old;
        KeAcquireSpinLock(&g_Log.Lock, &old);
        LONG have = g_Log.Count;
        KeReleaseSpinLock(&g_Log.Lock, old);
        if (have >= Count) {
            break;
        }
        if (WaitFor(&g_Log.Changed, 10000) == STATUS_TIMEOUT) {
            return FALSE;
        }
    }
    char link[128];
    int i = 0;
    for (; g_Log.Link[Index][i] != 0 && i < 127; i++) {
        link[i] = (char)g_Log.Link[Index][i];
    }
    link[i] = 0;
    RtlStringCbPrintfA(Out, Size, "%c%c:%s:%u", g_Log.Kind[Index], g_Log.Who[Index], link,
                       (unsigned)g_Log.Irql[Index]);
    return TRUE;
}

EXPORT LONG NtSchedNotificationCount(void)
{
    KIRQL old;
    KeAcquireSpinLock(&g_Log.Lock, &old);
    LONG count = g_Log.Count;
    KeReleaseSpinLock(&g_Log.Lock, old);
    return count;
}

/* ------------------------------------------------------------------ the PnP driver */

static NTSTATUS NtSchedCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS NtSchedAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT device;
    return WdmSkelAddDevice(DriverObject, PhysicalDeviceObject, sizeof(WDMSKEL_DEVICE), NULL,
                            &GUID_DEVINTERFACE_NTSCHED, &device);
}

static VOID NtSchedUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (g_ControlDevice != NULL) {
        IoDeleteDevice(g_ControlDevice);
        g_ControlDevice = NULL;
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    g_Driver = DriverObject;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &g_ControlDevice);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    g_ControlDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = NtSchedCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = NtSchedCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = NtSchedCreateClose;
    DriverObject->MajorFunction[IRP_MJ_PNP] = WdmSkelPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = WdmSkelPower;
    DriverObject->DriverExtension->AddDevice = NtSchedAddDevice;
    DriverObject->DriverUnload = NtSchedUnload;
    return STATUS_SUCCESS;
}
