/*
 * queue_test.c - queues and requests, file objects, the registry and device properties
 * of the framework, through qdriver.c (qtest.h):
 *   create-queue  creates dispatched to a queue (WdfRequestTypeCreate): the file object's
 *                 context set by EvtIoDefault, a failed create leaves no file open
 *   manual-queue  WdfIoQueueReadyNotify, WdfIoQueueFindRequest,
 *                 WdfIoQueueRetrieveFoundRequest, WdfIoQueueRetrieveRequestByFileObject,
 *                 WdfRequestRequeue, and a waiting request cancelled by its caller
 *   registry      the WdfRegistry* family on the device's hardware and software keys,
 *                 the service's Parameters key and the instance's Enum key
 *   properties    WdfDeviceQueryProperty, WdfDeviceAllocAndQueryProperty and the
 *                 WdfFdoInit forms, with the values Windows gives a root device;
 *                 WdfDeviceSetDeviceState and WdfDeviceGetDeviceState
 *   bad-input     wrong handles and IRQL: the verifier's reports and documented statuses
 *   monitor       a monitor driver (qmonitor.c, as toastmon) sees the test driver's
 *                 interfaces arrive and go away, and the removal of each device through
 *                 its remote I/O target: an orderly removal (query, then complete), one
 *                 an open file vetoes (query, cancelled and reopened, then complete as
 *                 the device is surprise-removed), a surprise removal (complete only),
 *                 and a removal the monitor vetoes
 *
 *   queue_test SCENARIO
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "khtest.h"
#include "qtest.h"

#define ST_ACCESS_DENIED ((KH_STATUS)0xC0000022)
#define ST_NOT_FOUND ((KH_STATUS)0xC0000225)
#define ST_INVALID_PARAMETER ((KH_STATUS)0xC000000D)
#define ST_OBJECT_TYPE_MISMATCH ((KH_STATUS)0xC0000024)
#define ST_INVALID_DEVICE_REQUEST KT_STATUS_INVALID_DEVICE_REQUEST
#define REG_DWORD_TYPE 4u
#define REG_CREATED_NEW 1u
#define REG_OPENED_EXISTING 2u

static const char Instance[] = "ROOT\\QTEST\\0000";

static bool Start(KT_DEVICE *Device)
{
    uint8_t guid[16];
    KtGuid(guid, QTEST_GUID_DATA);
    return KT_CHECK_STATUS(KtLoadDriver(Device, "qdriver.so", "QDriver"), KT_STATUS_SUCCESS) &&
           KT_CHECK_STATUS(KtAddAndStart(Device, Instance, guid), KT_STATUS_SUCCESS);
}

/* A device control with In (InLength bytes) and OutLength output bytes; the KT_IO
   stays the caller's (its Output holds the answer). */
static KH_STATUS Control(KH_FILE *File, uint32_t Code, const void *In, uint32_t InLength, uint32_t OutLength,
                         KT_IO **Io)
{
    KT_IO *io = KtIoCreate(InLength ? InLength : 1, OutLength ? OutLength : 1);
    if (InLength != 0) {
        memcpy(io->Buffer, In, InLength);
    }
    KtSubmitIoctl(File, io, Code, InLength, OutLength);
    KH_STATUS status = KT_CHECK(KtIoWait(io, KT_WAIT_MS)) ? io->Status : (KH_STATUS)0xC0000001;
    *Io = io;
    return status;
}

static uint32_t ControlULong(KH_FILE *File, uint32_t Code)
{
    KT_IO *io;
    uint32_t value = 0xFFFFFFFFu;
    if (KT_CHECK_STATUS(Control(File, Code, NULL, 0, sizeof(uint32_t), &io), KT_STATUS_SUCCESS) &&
        KT_CHECK(io->Information == sizeof(uint32_t))) {
        memcpy(&value, io->Output, sizeof(value));
    }
    KtIoFree(io);
    return value;
}

/* Whether a UTF-16 buffer of Length bytes holds Text (then NUL, and a second NUL when Multi). */
static bool Utf16Is(const uint8_t *Data, uint64_t Length, const char *Text, bool Multi)
{
    size_t count = strlen(Text) + 1 + (Multi ? 1 : 0);
    if (Length != count * 2) {
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        uint16_t unit = (uint16_t)(Data[2 * i] | (Data[2 * i + 1] << 8));
        uint16_t want = i < strlen(Text) ? (uint16_t)(unsigned char)Text[i] : 0;
        if (unit != want) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ the monitor's log */

static pthread_mutex_t MonitorMutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t MonitorCond = PTHREAD_COND_INITIALIZER;
static struct {
    char Name[32];
    int64_t Value;
} MonitorLog[64];
static size_t MonitorCount;
static int MonitorVetoes;

QTEST_EXPORT void QMonitorEvent(const char *Name, int64_t Value)
{
    pthread_mutex_lock(&MonitorMutex);
    if (MonitorCount < sizeof MonitorLog / sizeof MonitorLog[0]) {
        snprintf(MonitorLog[MonitorCount].Name, sizeof MonitorLog[0].Name, "%s", Name);
        MonitorLog[MonitorCount].Value = Value;
        MonitorCount++;
    }
    pthread_cond_broadcast(&MonitorCond);
    pthread_mutex_unlock(&MonitorMutex);
}

QTEST_EXPORT int QMonitorVeto(void)
{
    return __atomic_load_n(&MonitorVetoes, __ATOMIC_SEQ_CST);
}

/* How many events Name the monitor reported. */
static size_t MonitorEvents(const char *Name)
{
    size_t count = 0;
    pthread_mutex_lock(&MonitorMutex);
    for (size_t i = 0; i < MonitorCount; i++) {
        count += strcmp(MonitorLog[i].Name, Name) == 0;
    }
    pthread_mutex_unlock(&MonitorMutex);
    return count;
}

/* Waits until the monitor reported Name Count times; false when KT_WAIT_MS ran out. */
static bool MonitorWait(const char *Name, size_t Count)
{
    uint64_t deadline = KtNowNs() + (uint64_t)KT_WAIT_MS * 1000000u;
    pthread_mutex_lock(&MonitorMutex);
    for (;;) {
        size_t count = 0;
        for (size_t i = 0; i < MonitorCount; i++) {
            count += strcmp(MonitorLog[i].Name, Name) == 0;
        }
        if (count >= Count || KtNowNs() >= deadline) {
            pthread_mutex_unlock(&MonitorMutex);
            return count >= Count;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&MonitorCond, &MonitorMutex, &until);
    }
}

/* The names of the target's events (not the interface's, which the worker thread
   delivers in an order of its own relative to them) after the first Skip, joined with
   spaces. */
static void MonitorSequence(size_t Skip, char *Out, size_t Size)
{
    Out[0] = 0;
    pthread_mutex_lock(&MonitorMutex);
    for (size_t i = Skip; i < MonitorCount; i++) {
        if (strcmp(MonitorLog[i].Name, "arrival") == 0 || strcmp(MonitorLog[i].Name, "removal") == 0) {
            continue;
        }
        size_t used = strlen(Out);
        snprintf(Out + used, Size - used, "%s%s", used ? " " : "", MonitorLog[i].Name);
    }
    pthread_mutex_unlock(&MonitorMutex);
}

static size_t MonitorMark(void)
{
    pthread_mutex_lock(&MonitorMutex);
    size_t count = MonitorCount;
    pthread_mutex_unlock(&MonitorMutex);
    return count;
}

static int64_t MonitorLastValue(const char *Name)
{
    int64_t value = -1;
    pthread_mutex_lock(&MonitorMutex);
    for (size_t i = 0; i < MonitorCount; i++) {
        if (strcmp(MonitorLog[i].Name, Name) == 0) {
            value = MonitorLog[i].Value;
        }
    }
    pthread_mutex_unlock(&MonitorMutex);
    return value;
}

/* ------------------------------------------------------------------ scenarios */

/* Each create reaches the create queue's EvtIoDefault with its new WDFFILEOBJECT, whose
   context keeps what the driver stored; a create the driver fails opens nothing. */
static void ScenarioCreateQueue(void)
{
    KT_DEVICE device;
    if (!Start(&device)) {
        KtRemoveAndUnload(&device);
        return;
    }
    KH_FILE *first = NULL, *second = NULL, *third = NULL, *denied = NULL;
    KT_CHECK_STATUS(KtOpen(&device, &first), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KtOpen(&device, &second), KT_STATUS_SUCCESS);
    char path[600];
    snprintf(path, sizeof path, "%s%s", device.InterfacePath, QTEST_DENIED_NAME);
    KT_CHECKF(KmdfHostCreateFile(path, &denied) == ST_ACCESS_DENIED,
              "the create the driver failed from its queue fails the open");
    KT_CHECK(denied == NULL);
    KT_CHECK_STATUS(KtOpen(&device, &third), KT_STATUS_SUCCESS);
    if (first != NULL && second != NULL && third != NULL) {
        KT_CHECK(ControlULong(first, IOCTL_Q_FILE_SEQUENCE) == 1);
        KT_CHECK(ControlULong(second, IOCTL_Q_FILE_SEQUENCE) == 2);
        KT_CHECKF(ControlULong(third, IOCTL_Q_FILE_SEQUENCE) == 3, "the failed create consumed no number");
    }
    if (first != NULL) {
        KtCloseFile(first);
    }
    if (second != NULL) {
        KtCloseFile(second);
    }
    if (third != NULL) {
        KtCloseFile(third);
    }
    KtTeardown(&device, "after creates through a queue");
}

static KT_IO *SubmitRead(KH_FILE *File, uint32_t Length)
{
    KT_IO *io = KtIoCreate(Length, 0);
    KH_STATUS status = KtSubmitRead(File, io, Length);
    KT_CHECKF(status == KT_STATUS_PENDING, "a read waits in the manual queue (0x%08x)", (unsigned)status);
    return io;
}

static bool AllBytes(const uint8_t *Data, uint32_t Length, uint8_t Value)
{
    for (uint32_t i = 0; i < Length; i++) {
        if (Data[i] != Value) {
            return false;
        }
    }
    return true;
}

static void ScenarioManualQueue(void)
{
    KT_DEVICE device;
    if (!Start(&device)) {
        KtRemoveAndUnload(&device);
        return;
    }
    KH_FILE *a = NULL, *b = NULL;
    if (!KT_CHECK_STATUS(KtOpen(&device, &a), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(KtOpen(&device, &b), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&device);
        return;
    }
    uint32_t seqA = ControlULong(a, IOCTL_Q_FILE_SEQUENCE);
    uint32_t seqB = ControlULong(b, IOCTL_Q_FILE_SEQUENCE);
    KT_CHECK(ControlULong(a, IOCTL_Q_READY_COUNT) == 0);

    KT_IO *a1 = SubmitRead(a, 4);
    KT_IO *a2 = SubmitRead(a, 4);
    KT_IO *b1 = SubmitRead(b, 4);
    KT_CHECKF(ControlULong(a, IOCTL_Q_READY_COUNT) == 1,
              "EvtIoQueueState ran once: the queue went from empty to not empty once");
    KT_CHECK(ControlULong(a, IOCTL_Q_FIND_MINE) == 2);
    KT_CHECK(ControlULong(b, IOCTL_Q_FIND_MINE) == 1);

    /* B's read, by its file object. */
    KT_CHECK(ControlULong(b, IOCTL_Q_COMPLETE_MINE) == 1);
    if (KT_CHECK(KtIoWait(b1, KT_WAIT_MS))) {
        KT_CHECK_STATUS(b1->Status, KT_STATUS_SUCCESS);
        KT_CHECK(b1->Information == 4 && AllBytes(b1->Buffer, 4, (uint8_t)seqB));
    }
    KT_CHECK(!KtIoDone(a1) && !KtIoDone(a2));

    /* The first waiting request (A's first read), found then retrieved. */
    KT_IO *io;
    if (KT_CHECK_STATUS(Control(a, IOCTL_Q_RETRIEVE_FOUND, NULL, 0, sizeof(QTEST_FOUND), &io), KT_STATUS_SUCCESS)) {
        QTEST_FOUND found;
        memcpy(&found, io->Output, sizeof found);
        KT_CHECK_STATUS(found.FindStatus, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(found.RetrieveStatus, KT_STATUS_SUCCESS);
        KT_CHECKF((KH_STATUS)found.RetrieveAgainStatus == ST_NOT_FOUND,
                  "a found request no longer in the queue is STATUS_NOT_FOUND (0x%08x)",
                  (unsigned)found.RetrieveAgainStatus);
        KT_CHECK((KH_STATUS)found.FindAfterStatus == ST_NOT_FOUND);
    }
    KtIoFree(io);
    if (KT_CHECK(KtIoWait(a1, KT_WAIT_MS))) {
        KT_CHECK_STATUS(a1->Status, KT_STATUS_SUCCESS);
        KT_CHECK(a1->Information == 0);
    }

    /* A's second read, retrieved and requeued: back at the head, still waiting. */
    if (KT_CHECK_STATUS(Control(a, IOCTL_Q_REQUEUE, NULL, 0, sizeof(QTEST_REQUEUE), &io), KT_STATUS_SUCCESS)) {
        QTEST_REQUEUE requeue;
        memcpy(&requeue, io->Output, sizeof requeue);
        KT_CHECK_STATUS(requeue.RetrieveStatus, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(requeue.RequeueStatus, KT_STATUS_SUCCESS);
        KT_CHECK(requeue.HeadIsRequeued == 1);
        KT_CHECK(requeue.WaitingBefore == 1 && requeue.WaitingAfter == 1);
        KT_CHECKF((KH_STATUS)requeue.RequeueParallelStatus == ST_INVALID_DEVICE_REQUEST,
                  "WdfRequestRequeue of a request of a parallel queue fails");
    }
    KtIoFree(io);
    KT_CHECK(!KtIoDone(a2));
    KT_CHECK(ControlULong(a, IOCTL_Q_COMPLETE_MINE) == 1);
    if (KT_CHECK(KtIoWait(a2, KT_WAIT_MS))) {
        KT_CHECK_STATUS(a2->Status, KT_STATUS_SUCCESS);
        KT_CHECK(a2->Information == 4 && AllBytes(a2->Buffer, 4, (uint8_t)seqA));
    }

    /* Empty again: the next read is a new transition. Its caller cancels it. */
    KT_IO *a3 = SubmitRead(a, 4);
    KT_CHECK(ControlULong(a, IOCTL_Q_READY_COUNT) == 2);
    KT_CHECK(KmdfHostCancelIo(a, a3) == 1);
    if (KT_CHECK(KtIoWait(a3, KT_WAIT_MS))) {
        KT_CHECK_STATUS(a3->Status, KT_STATUS_CANCELLED);
    }
    KT_CHECK(ControlULong(a, IOCTL_Q_FIND_MINE) == 0);

    KtIoFree(a1);
    KtIoFree(a2);
    KtIoFree(b1);
    KtIoFree(a3);
    KtCloseFile(a);
    KtCloseFile(b);
    KtTeardown(&device, "after the manual queue's methods");
}

static void ScenarioRegistry(void)
{
    KmdfHostClearServiceParameters("QDriver");
    KT_CHECK_STATUS(KmdfHostSetServiceParameterULong("QDriver", "Answer", 42), KT_STATUS_SUCCESS);
    KT_DEVICE device;
    KH_FILE *file = NULL;
    if (!Start(&device) || !KT_CHECK_STATUS(KtOpen(&device, &file), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&device);
        return;
    }
    KT_IO *io;
    if (KT_CHECK_STATUS(Control(file, IOCTL_Q_REGISTRY, NULL, 0, sizeof(QTEST_REGISTRY), &io), KT_STATUS_SUCCESS)) {
        QTEST_REGISTRY r;
        memcpy(&r, io->Output, sizeof r);
        KT_CHECK_STATUS(r.OpenDeviceKey, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.AssignULong, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.QueryULong, KT_STATUS_SUCCESS);
        KT_CHECK(r.ULongValue == 7);
        KT_CHECK_STATUS(r.AssignUnicodeString, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.QuerySmall, KT_STATUS_BUFFER_OVERFLOW);
        KT_CHECKF(r.SmallByteLength == 12, "the size of \"queue\" with its NUL (%u)", r.SmallByteLength);
        KT_CHECK_STATUS(r.QueryUnicodeString, KT_STATUS_SUCCESS);
        KT_CHECK(r.UnicodeLength == 10 && r.UnicodeMatches == 1);
        KT_CHECK((KH_STATUS)r.QueryULongOfString == ST_OBJECT_TYPE_MISMATCH);
        KT_CHECK_STATUS(r.QueryString, KT_STATUS_SUCCESS);
        KT_CHECK(r.QueryStringMatches == 1);
        KT_CHECK_STATUS(r.AssignMultiString, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.QueryMultiString, KT_STATUS_SUCCESS);
        KT_CHECK(r.MultiCount == 2 && r.MultiSecondMatches == 1);
        KT_CHECK_STATUS(r.QueryMemory, KT_STATUS_SUCCESS);
        KT_CHECK(r.MemorySize == 4 && r.MemoryType == REG_DWORD_TYPE && r.MemoryValue == 7);
        KT_CHECK_STATUS(r.AssignValue, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.AssignMemory, KT_STATUS_SUCCESS);
        KT_CHECKF(r.AssignMemoryMatches == 1, "the value holds the 3 bytes at offset 2 of the memory");
        KT_CHECK_STATUS(r.CreateSubKey, KT_STATUS_SUCCESS);
        KT_CHECK(r.CreateDisposition == REG_CREATED_NEW);
        KT_CHECK_STATUS(r.CreateSubKeyAgain, KT_STATUS_SUCCESS);
        KT_CHECK(r.CreateAgainDisposition == REG_OPENED_EXISTING);
        KT_CHECK_STATUS(r.RemoveSubKey, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.OpenRemovedSubKey, KT_STATUS_OBJECT_NAME_NOT_FOUND);
        KT_CHECK_STATUS(r.RemoveValue, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.QueryRemovedValue, KT_STATUS_OBJECT_NAME_NOT_FOUND);
        KT_CHECK_STATUS(r.OpenDriverKey, KT_STATUS_SUCCESS);
        KT_CHECKF((KH_STATUS)r.DriverKeySeesDeviceValue == KT_STATUS_OBJECT_NAME_NOT_FOUND,
                  "the software key is not the hardware key");
        KT_CHECK_STATUS(r.OpenParameters, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.QueryParameter, KT_STATUS_SUCCESS);
        KT_CHECK(r.ParameterValue == 42);
        KT_CHECK_STATUS(r.RtlWrite, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.RtlQuery, KT_STATUS_SUCCESS);
        KT_CHECK(r.RtlAnswer == 42 && r.RtlWritten == 9);
        KT_CHECKF(r.RtlDefaulted == 5, "a missing value takes the entry's default");
        KT_CHECKF(r.RtlValuesSeen == 2, "the routine saw every value of the key (%u)", r.RtlValuesSeen);
        KT_CHECK_STATUS(r.RtlRequired, KT_STATUS_OBJECT_NAME_NOT_FOUND);
        KT_CHECK((KH_STATUS)r.RtlTypeCheck == ST_OBJECT_TYPE_MISMATCH);
        KT_CHECK_STATUS(r.OpenEnumKey, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(r.AssignFriendlyName, KT_STATUS_SUCCESS);
    }
    KtIoFree(io);
    /* What the Enum key now says is the device's friendly name. */
    uint32_t property = 9; /* DevicePropertyFriendlyName */
    if (KT_CHECK_STATUS(Control(file, IOCTL_Q_PROPERTY, &property, sizeof property, 128, &io), KT_STATUS_SUCCESS)) {
        KT_CHECK(Utf16Is(io->Output, io->Information, "Queue test device", false));
    }
    KtIoFree(io);
    KtCloseFile(file);
    KtTeardown(&device, "after the registry methods");
    KmdfHostClearServiceParameters("QDriver");
}

static KH_STATUS Property(KH_FILE *File, uint32_t Which, KT_IO **Io)
{
    return Control(File, IOCTL_Q_PROPERTY, &Which, sizeof Which, 256, Io);
}

static void ScenarioProperties(void)
{
    KT_DEVICE device;
    KH_FILE *file = NULL;
    if (!Start(&device) || !KT_CHECK_STATUS(KtOpen(&device, &file), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&device);
        return;
    }
    KT_IO *io;
    if (KT_CHECK_STATUS(Property(file, 1 /* HardwareID */, &io), KT_STATUS_SUCCESS)) {
        KT_CHECKF(Utf16Is(io->Output, io->Information, "root\\QTEST", true),
                  "a root device's hardware ID is root\\<device>, a REG_MULTI_SZ");
    }
    KtIoFree(io);
    if (KT_CHECK_STATUS(Property(file, 15 /* EnumeratorName */, &io), KT_STATUS_SUCCESS)) {
        KT_CHECK(Utf16Is(io->Output, io->Information, "ROOT", false));
    }
    KtIoFree(io);
    if (KT_CHECK_STATUS(Property(file, 11 /* PhysicalDeviceObjectName */, &io), KT_STATUS_SUCCESS)) {
        KT_CHECKF(io->Information > 16 && io->Output[0] == '\\' && io->Output[2] == 'D',
                  "the PDO's name is \\Device\\...");
    }
    KtIoFree(io);
    if (KT_CHECK_STATUS(Property(file, 19 /* RemovalPolicy */, &io), KT_STATUS_SUCCESS)) {
        uint32_t policy = 0;
        memcpy(&policy, io->Output, sizeof policy);
        KT_CHECK(io->Information == 4 && policy == 1 /* RemovalPolicyExpectNoRemoval */);
    }
    KtIoFree(io);
    if (KT_CHECK_STATUS(Property(file, 22 /* ContainerID */, &io), KT_STATUS_SUCCESS)) {
        KT_CHECK(Utf16Is(io->Output, io->Information, "{00000000-0000-0000-FFFF-FFFFFFFFFFFF}", false));
    }
    KtIoFree(io);
    KT_CHECKF(Property(file, 2 /* CompatibleIDs */, &io) == KT_STATUS_OBJECT_NAME_NOT_FOUND,
              "a root device installed without compatible IDs has none");
    KtIoFree(io);
    KT_CHECK(Property(file, 16 /* Address */, &io) == KT_STATUS_OBJECT_NAME_NOT_FOUND);
    KtIoFree(io);
    KT_CHECK(Property(file, 9 /* FriendlyName, not set */, &io) == KT_STATUS_OBJECT_NAME_NOT_FOUND);
    KtIoFree(io);

    uint32_t which = 1;
    if (KT_CHECK_STATUS(Control(file, IOCTL_Q_PROPERTY_SMALL, &which, sizeof which, sizeof(QTEST_PAIR), &io),
                        KT_STATUS_SUCCESS)) {
        QTEST_PAIR pair;
        memcpy(&pair, io->Output, sizeof pair);
        KT_CHECK_STATUS(pair.Status, KT_STATUS_BUFFER_TOO_SMALL);
        KT_CHECKF(pair.Value == 24, "ResultLength gives the size needed (%u)", pair.Value);
    }
    KtIoFree(io);

    if (KT_CHECK_STATUS(Control(file, IOCTL_Q_FDOINIT, NULL, 0, sizeof(QTEST_FDOINIT), &io), KT_STATUS_SUCCESS)) {
        QTEST_FDOINIT f;
        memcpy(&f, io->Output, sizeof f);
        KT_CHECK_STATUS(f.HardwareIdStatus, KT_STATUS_SUCCESS);
        KT_CHECK(f.HardwareIdLength == 24);
        KT_CHECKF((KH_STATUS)f.UINumberStatus == KT_STATUS_OBJECT_NAME_NOT_FOUND, "a root device has no UI number");
        KT_CHECK_STATUS(f.AllocStatus, KT_STATUS_SUCCESS);
        KT_CHECK(f.AllocIsRoot == 1);
        KT_CHECK_STATUS(f.OpenKeyStatus, KT_STATUS_SUCCESS);
    }
    KtIoFree(io);

    if (KT_CHECK_STATUS(Control(file, IOCTL_Q_DEVICE_STATE, NULL, 0, sizeof(QTEST_STATE), &io), KT_STATUS_SUCCESS)) {
        QTEST_STATE state;
        memcpy(&state, io->Output, sizeof state);
        KT_CHECKF(state.DontDisplayInUI == 1 && state.NotDisableable == 1,
                  "a member left WdfUseDefault keeps what an earlier call set");
        KT_CHECK(state.Disabled == 2 /* WdfUseDefault */);
    }
    KtIoFree(io);
    KtCloseFile(file);
    KtTeardown(&device, "after the property queries");
}

static void ScenarioBadInput(void)
{
    KtVerifierCapture();
    KT_DEVICE device;
    KH_FILE *file = NULL;
    if (!Start(&device) || !KT_CHECK_STATUS(KtOpen(&device, &file), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&device);
        return;
    }
    KT_IO *io;
    if (KT_CHECK_STATUS(Control(file, IOCTL_Q_BAD_INPUT, NULL, 0, sizeof(QTEST_BAD), &io), KT_STATUS_SUCCESS)) {
        QTEST_BAD bad;
        memcpy(&bad, io->Output, sizeof bad);
        KT_CHECK((KH_STATUS)bad.FindWrongHandle == ST_INVALID_PARAMETER);
        KT_CHECKF((KH_STATUS)bad.FindOnParallel == ST_INVALID_DEVICE_REQUEST, "find is for manual queues");
        KT_CHECK((KH_STATUS)bad.ReadyOnParallel == ST_INVALID_DEVICE_REQUEST);
        KT_CHECKF((KH_STATUS)bad.ReadyTwice == ST_INVALID_DEVICE_REQUEST, "one ready registration at a time");
        KT_CHECK((KH_STATUS)bad.QueryAtDispatch == ST_INVALID_DEVICE_REQUEST);
        KT_CHECKF((KH_STATUS)bad.ForwardToParent == ST_INVALID_DEVICE_REQUEST,
                  "a device that is not a PDO allowed to forward cannot forward to a parent");
    }
    KtIoFree(io);
    KT_CHECK(KtVerifierCount("INVALID_HANDLE") == 1 && KtVerifierSawText("INVALID_HANDLE", "WdfIoQueueFindRequest"));
    KT_CHECK(KtVerifierCount("IRQL_TOO_HIGH_FOR_WAIT") == 1 &&
             KtVerifierSawText("IRQL_TOO_HIGH_FOR_WAIT", "WdfRegistryQueryULong"));
    KT_CHECK(KtVerifierCount(NULL) == 2);
    KtCloseFile(file);
    KtRemoveAndUnload(&device);
}

static KH_DEVNODE *AddWatched(KH_DRIVER *Driver, const char *InstanceId)
{
    KH_DEVNODE *node = NULL;
    if (KT_CHECK_STATUS(KmdfHostAddDevice(Driver, InstanceId, &node), KT_STATUS_SUCCESS)) {
        KT_CHECK_STATUS(KmdfHostStartDevice(node), KT_STATUS_SUCCESS);
    }
    return node;
}

static void ScenarioMonitor(void)
{
    KT_DEVICE watched, monitor;
    char sequence[512];
    memset(&monitor, 0, sizeof monitor);
    if (!Start(&watched)) {
        KtRemoveAndUnload(&watched);
        return;
    }
    if (!KT_CHECK_STATUS(KtLoadDriver(&monitor, "qmonitor.so", "QMonitor"), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&watched);
        return;
    }
    /* The interface that exists already arrives first. */
    if (KT_CHECK_STATUS(KmdfHostAddDevice(monitor.Driver, "ROOT\\QMON\\0000", &monitor.Node), KT_STATUS_SUCCESS)) {
        KT_CHECK_STATUS(KmdfHostStartDevice(monitor.Node), KT_STATUS_SUCCESS);
    }
    KT_CHECK(MonitorWait("arrival", 1));
    KT_CHECKF(MonitorLastValue("arrival") == 1,
              "the monitor opened the interface as a remote target and read its device's hardware ID");

    /* An orderly removal: the monitor closes its target when asked, then learns the
       device is gone; the interface's removal follows. */
    KH_DEVNODE *second = AddWatched(watched.Driver, "ROOT\\QTEST\\0001");
    KT_CHECK(MonitorWait("arrival", 2));
    size_t mark = MonitorMark();
    KT_CHECK_STATUS(KmdfHostRemoveDevice(second), KT_STATUS_SUCCESS);
    KT_CHECK(MonitorWait("removal", 1));
    MonitorSequence(mark, sequence, sizeof sequence);
    KT_CHECKF(strcmp(sequence, "query-remove remove-complete") == 0, "orderly removal: %s", sequence);

    /* A file the test holds open vetoes the orderly removal: the monitor is told of the
       cancellation and reopens, then the device is surprise-removed. */
    KH_DEVNODE *third = AddWatched(watched.Driver, "ROOT\\QTEST\\0002");
    KT_CHECK(MonitorWait("arrival", 3));
    KH_FILE *file = NULL;
    char path[4096] = "";
    uint8_t guid[16];
    KtGuid(guid, QTEST_GUID_DATA);
    char list[4096];
    size_t required = 0;
    KT_CHECK_STATUS(KmdfHostGetInterfaceList(guid, list, sizeof list, &required), KT_STATUS_SUCCESS);
    for (const char *p = list; *p != 0; p += strlen(p) + 1) {
        if (strstr(p, "0002") != NULL) {
            snprintf(path, sizeof path, "%s", p);
        }
    }
    KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS);
    mark = MonitorMark();
    KT_CHECK_STATUS(KmdfHostRemoveDevice(third), KT_STATUS_SUCCESS);
    KT_CHECK(MonitorWait("removal", 2));
    MonitorSequence(mark, sequence, sizeof sequence);
    KT_CHECKF(strcmp(sequence, "query-remove remove-cancelled remove-complete") == 0,
              "removal with a file open: %s", sequence);
    KT_CHECKF(MonitorLastValue("remove-cancelled") == 0, "the monitor reopened its target (0x%08x)",
              (unsigned)MonitorLastValue("remove-cancelled"));
    if (file != NULL) {
        KtCloseFile(file);
    }

    /* A surprise removal: only the completion. */
    KH_DEVNODE *fourth = AddWatched(watched.Driver, "ROOT\\QTEST\\0003");
    KT_CHECK(MonitorWait("arrival", 4));
    mark = MonitorMark();
    KT_CHECK_STATUS(KmdfHostSurpriseRemoveDevice(fourth), KT_STATUS_SUCCESS);
    KT_CHECK(MonitorWait("removal", 3));
    MonitorSequence(mark, sequence, sizeof sequence);
    KT_CHECKF(strcmp(sequence, "remove-complete") == 0, "surprise removal: %s", sequence);
    KT_CHECK_STATUS(KmdfHostRemoveDevice(fourth), KT_STATUS_SUCCESS);

    /* The monitor vetoes: the device stays, with its interface; then it goes. */
    __atomic_store_n(&MonitorVetoes, 1, __ATOMIC_SEQ_CST);
    mark = MonitorMark();
    KH_STATUS veto = KmdfHostRemoveDevice(watched.Node);
    KT_CHECKF(!KT_NT_SUCCESS(veto), "the monitor's veto fails the removal (0x%08x)", (unsigned)veto);
    MonitorSequence(mark, sequence, sizeof sequence);
    KT_CHECKF(strcmp(sequence, "query-remove") == 0, "vetoed removal: %s", sequence);
    KT_CHECK_STATUS(KtOpen(&watched, &file), KT_STATUS_SUCCESS);
    if (file != NULL) {
        KT_CHECK(ControlULong(file, IOCTL_Q_READY_COUNT) == 0);
        KtCloseFile(file);
    }
    __atomic_store_n(&MonitorVetoes, 0, __ATOMIC_SEQ_CST);
    KT_CHECK_STATUS(KmdfHostRemoveDevice(watched.Node), KT_STATUS_SUCCESS);
    watched.Node = NULL;
    KT_CHECK(MonitorWait("removal", 4));
    KT_CHECK(MonitorEvents("remove-complete") == 4);
    KT_CHECK(MonitorEvents("arrival-failed") == 0);

    KtRemoveAndUnload(&monitor);
    KtTeardown(&watched, "after the monitor watched four devices come and go");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *Name;
        void (*Run)(void);
    } scenarios[] = {
        {"create-queue", ScenarioCreateQueue}, {"manual-queue", ScenarioManualQueue},
        {"registry", ScenarioRegistry},         {"properties", ScenarioProperties},
        {"bad-input", ScenarioBadInput},       {"monitor", ScenarioMonitor},
    };
    for (size_t i = 0; argc == 2 && i < sizeof scenarios / sizeof scenarios[0]; i++) {
        if (strcmp(argv[1], scenarios[i].Name) == 0) {
            KtSection("%s", scenarios[i].Name);
            scenarios[i].Run();
            return KtFinish();
        }
    }
    fprintf(stderr, "usage: queue_test create-queue|manual-queue|registry|properties|bad-input|monitor\n");
    return 2;
}
