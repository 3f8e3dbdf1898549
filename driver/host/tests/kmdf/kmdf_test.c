/*
 * kmdf_test.c - tests of the host's KMDF runtime through a test driver
 * (kmdftest_driver.c): object lifetime and contexts, queue presentation, zero-length and
 * unsupported requests, cancellation, timers, synchronization scope, stopping queues,
 * PnP and power callbacks, and the framework's verifier rules.
 *
 *   kmdf_test SCENARIO       (one CTest test per scenario, see CMakeLists.txt)
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khtest.h"
#include "kmdftest.h"

#define KT_SERVICE "KmdfTest"
#define KT_INSTANCE "ROOT\\KMDFTEST\\0000"
#define KT_STATUS_INVALID_DEVICE_STATE ((KH_STATUS)0xC0000184)
#define KT_STATUS_INVALID_PARAMETER ((KH_STATUS)0xC000000D)
#define KT_STATUS_INVALID_BUFFER_SIZE ((KH_STATUS)0xC0000206)
#define KT_STATUS_OBJECT_NAME_NOT_FOUND_ ((KH_STATUS)0xC0000034)
#define KT_IOCTL_ANY 0x00222000u

/* ------------------------------------------------------- the driver's side */

static KMDF_TEST_CONFIG g_Config;
static const KMDF_TEST_OPS *g_Ops;

#define KT_MAX_EVENTS 65536
typedef struct KT_RECORD {
    char Name[40];
    int64_t Value;
} KT_RECORD;
static KT_RECORD *g_Events;
static int g_EventCount;
static pthread_mutex_t g_EventLock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_EventCond = PTHREAD_COND_INITIALIZER;

KMDFTEST_EXPORT void KmdfTestEvent(const char *Name, int64_t Value)
{
    pthread_mutex_lock(&g_EventLock);
    if (g_EventCount < KT_MAX_EVENTS) {
        snprintf(g_Events[g_EventCount].Name, sizeof(g_Events[0].Name), "%s", Name);
        g_Events[g_EventCount].Value = Value;
        g_EventCount++;
    }
    pthread_cond_broadcast(&g_EventCond);
    pthread_mutex_unlock(&g_EventLock);
}

KMDFTEST_EXPORT const KMDF_TEST_CONFIG *KmdfTestConfig(void)
{
    return &g_Config;
}

KMDFTEST_EXPORT void KmdfTestRegister(const KMDF_TEST_OPS *Ops)
{
    g_Ops = Ops;
}

/* How many events Name were recorded. */
static int EvCount(const char *Name)
{
    int count = 0;
    pthread_mutex_lock(&g_EventLock);
    for (int i = 0; i < g_EventCount; i++) {
        count += strcmp(g_Events[i].Name, Name) == 0;
    }
    pthread_mutex_unlock(&g_EventLock);
    return count;
}

/* Position of the Nth (0-based) event Name, or -1. */
static int EvIndex(const char *Name, int Nth)
{
    int found = -1;
    pthread_mutex_lock(&g_EventLock);
    for (int i = 0; i < g_EventCount; i++) {
        if (strcmp(g_Events[i].Name, Name) == 0 && Nth-- == 0) {
            found = i;
            break;
        }
    }
    pthread_mutex_unlock(&g_EventLock);
    return found;
}

/* Value of the Nth event Name (or -12345). */
static int64_t EvValue(const char *Name, int Nth)
{
    int index = EvIndex(Name, Nth);
    int64_t value = -12345;
    pthread_mutex_lock(&g_EventLock);
    if (index >= 0) {
        value = g_Events[index].Value;
    }
    pthread_mutex_unlock(&g_EventLock);
    return value;
}

/* Waits until at least Count events Name were recorded; false on the safety time-out. */
static bool EvWait(const char *Name, int Count)
{
    uint64_t deadline = KtNowNs() + (uint64_t)KT_WAIT_MS * 1000000u;
    for (;;) {
        if (EvCount(Name) >= Count) {
            return true;
        }
        pthread_mutex_lock(&g_EventLock);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&g_EventCond, &g_EventLock, &ts);
        pthread_mutex_unlock(&g_EventLock);
        if (KtNowNs() > deadline) {
            return EvCount(Name) >= Count;
        }
    }
}

/* ------------------------------------------------------------ set-up */

static KT_DEVICE g_Device;
static KH_FILE *g_File;

static void DefaultConfig(void)
{
    memset(&g_Config, 0, sizeof(g_Config));
    g_Config.DispatchType = 1;
}

static bool Start(void)
{
    uint8_t guid[16];
    KtGuid(guid, 0x5D3C1A20, 0x7E4B, 0x4F61, 0x9C, 0x2D, 0x8A, 0x0B, 0x1E, 0x6F, 0x4C, 0x37);
    KH_STATUS status = KtLoadDriver(&g_Device, "kmdftest.so", KT_SERVICE);
    if (!KT_CHECK_STATUS(status, KT_STATUS_SUCCESS)) {
        return false;
    }
    status = KtAddAndStart(&g_Device, KT_INSTANCE, guid);
    if (!KT_CHECK_STATUS(status, KT_STATUS_SUCCESS)) {
        return false;
    }
    status = KtOpen(&g_Device, &g_File);
    if (!KT_CHECK_STATUS(status, KT_STATUS_SUCCESS)) {
        return false;
    }
    KT_CHECK(EvCount("file-create") == 1 && EvValue("file-create", 0) == 1);
    return true;
}

static void Stop(void)
{
    if (g_File != NULL) {
        KtCloseFile(g_File);
        g_File = NULL;
    }
    KtRemoveAndUnload(&g_Device);
    KT_CHECK(EvCount("driver-unload") == 1);
    KT_CHECK(EvCount("driver-cleanup") == 1);
    KT_CHECK(EvIndex("driver-unload", 0) < EvIndex("driver-cleanup", 0));
    KT_CHECK(EvCount("request-context-not-zeroed") == 0);
    KT_CHECK(EvCount("wrong-queue") == 0);
}

static void CheckNoCallbackErrors(void)
{
    KT_CHECK(EvCount("overlap") == 0);
    KT_CHECK(EvCount("wrong-timer-parent") == 0);
    KT_CHECK(EvCount("wrong-default-queue") == 0);
    KT_CHECK(EvCount("park-overflow") == 0);
}

/* ------------------------------------------------------------ scenarios */

/* Parent/child deletion order, contexts, memory bounds, strings, registry, version. */
static void ScenarioObjects(void)
{
    DefaultConfig();
    g_Config.ObjectTest = 1;
    KmdfHostClearServiceParameters(KT_SERVICE);
    KH_STATUS setStatus = KmdfHostSetServiceParameterULong(KT_SERVICE, "TestValue", 1234);
    KT_CHECK_STATUS(setStatus, KT_STATUS_SUCCESS);
    if (!Start()) {
        return;
    }
    KT_CHECK(EvCount("context-not-zeroed") == 0);
    KT_CHECK(EvValue("typed-context-other-null", 0) == 1);
    KT_CHECK(EvValue("allocate-context", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("typed-context-other-found", 0) == 1);
    KT_CHECK(EvValue("context-get-object", 0) == 1);
    /* Cleanup: children before parents (4 under 2; 2 and 3 under 1). */
    KT_CHECK(EvCount("cleanup") == 4);
    int c1 = -1, c2 = -1, c3 = -1, c4 = -1;
    for (int i = 0; i < 4; i++) {
        int64_t id = EvValue("cleanup", i);
        if (id == 1)
            c1 = i;
        if (id == 2)
            c2 = i;
        if (id == 3)
            c3 = i;
        if (id == 4)
            c4 = i;
    }
    KT_CHECKF(c4 < c2 && c2 < c1 && c3 < c1 && c1 == 3, "cleanup order %d %d %d %d", c1, c2, c3,
              c4);
    /* Destroy: 4 and 2 at deletion; 3 (referenced) and then 1 only after the dereference. */
    int deleted = EvIndex("deleted-parent", 0);
    int dereferenced = EvIndex("dereferenced-child", 0);
    int d[5] = {0};
    for (int i = 0; i < 4; i++) {
        int64_t id = EvValue("destroy", i);
        if (id >= 1 && id <= 4) {
            d[id] = EvIndex("destroy", i);
        }
    }
    KT_CHECK(EvCount("destroy") == 4);
    KT_CHECKF(d[4] < deleted && d[2] < deleted && d[4] < d[2],
              "destroy 4 at %d, 2 at %d, deleted at %d", d[4], d[2], deleted);
    KT_CHECKF(d[3] > deleted && d[3] < dereferenced && d[1] > d[3] && d[1] < dereferenced,
              "destroy 3 at %d, 1 at %d, dereference at %d", d[3], d[1], dereferenced);
    KT_CHECK(EvValue("memory-create", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("copy-from-ok", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("copy-from-too-big", 0) == KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(EvValue("copy-from-bad-offset", 0) == KT_STATUS_INVALID_BUFFER_SIZE);
    KT_CHECK(EvValue("copy-to-ok", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("copy-to-too-big", 0) == KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(EvValue("copy-to-zero", 0) == KT_STATUS_INVALID_PARAMETER);
    KT_CHECK(EvValue("memory-buffer", 0) == 1);
    /* WdfMemoryAssignBuffer (a preallocated object only) and lookaside lists. */
    KT_CHECK(EvValue("preallocated-create", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("assign-zero-size", 0) == KT_STATUS_INVALID_PARAMETER);
    KT_CHECK(EvValue("assign-null-buffer", 0) == KT_STATUS_INVALID_PARAMETER);
    KT_CHECK(EvValue("assign-buffer", 0) == KT_STATUS_SUCCESS);
    KT_CHECKF(EvValue("assigned-buffer", 0) == 1, "the memory object reads the assigned buffer");
    KT_CHECK(EvValue("assigned-copy-too-big", 0) == KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(EvValue("lookaside-zero-size", 0) == KT_STATUS_INVALID_PARAMETER);
    KT_CHECK(EvValue("lookaside-create", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("lookaside-memory-1", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("lookaside-memory-2", 0) == KT_STATUS_SUCCESS);
    KT_CHECKF(EvValue("lookaside-sizes", 0) == 1, "two distinct buffers of the list's size");
    KT_CHECKF(EvValue("lookaside-context", 0) == 1, "the list's memory attributes (a context) are used");
    KT_CHECK(EvValue("lookaside-null-out", 0) == KT_STATUS_INVALID_PARAMETER);
    /* WdfFdoInitWdmGetPhysicalDevice, alignment and characteristics (EvtDriverDeviceAdd). */
    KT_CHECK(EvValue("init-pdo", 0) == 1);
    KT_CHECK(EvValue("alignment", 0) == 1);
    KT_CHECK(EvValue("characteristics", 0) == 1);
    KT_CHECK(EvValue("assign-name", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("interface-string", 0) == KT_STATUS_SUCCESS);
    KT_CHECKF(EvValue("interface-string-form", 0) == 1, "the link is \\??\\...{class}");
    KT_CHECK(EvValue("interface-string-other-reference", 0) == KT_STATUS_OBJECT_NAME_NOT_FOUND_);
    KT_CHECK(EvValue("interface-string-other-class", 0) == KT_STATUS_OBJECT_NAME_NOT_FOUND_);
    KT_CHECK(EvValue("device-name", 0) == KT_STATUS_SUCCESS);
    KT_CHECKF(EvValue("device-name-form", 0) == 1, "the name WdfDeviceInitAssignName gave");
    KT_CHECKF(EvValue("power-inrush", 0) == 1 && EvValue("power-pageable", 0) == 0,
              "WdfDeviceInitSetPowerInrush: DO_POWER_INRUSH, and not DO_POWER_PAGABLE");
    KT_CHECK(EvValue("string-create", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("string-content", 0) == 1);
    KT_CHECK(EvValue("version-string", 0) == 1);
    KT_CHECK(EvValue("version-available", 0) == 1);
    KT_CHECK(EvValue("version-2-available", 0) == 0);
    KT_CHECK(EvValue("open-parameters", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("query-ulong", 0) == 1234);
    KT_CHECK(EvValue("query-missing", 0) == KT_STATUS_OBJECT_NAME_NOT_FOUND_);
    /* Collections. */
    KT_CHECK(EvValue("collection-create", 0) == KT_STATUS_SUCCESS);
    KT_CHECK(EvCount("collection-add") == 4 && EvValue("collection-add", 3) == KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("collection-count", 0) == 4);
    KT_CHECKF(EvValue("collection-order", 0) == 1, "items come back in the order they were added");
    KT_CHECKF(EvValue("collection-after-remove", 0) == 1, "removal by index and by object");
    int itemDeleted = EvIndex("collection-item-deleted", 0);
    int collectionDeleted = EvIndex("collection-deleted", 0);
    int destroy10 = -1, destroy11 = -1;
    for (int i = 0; i < EvCount("item-destroy"); i++) {
        if (EvValue("item-destroy", i) == 10) {
            destroy10 = EvIndex("item-destroy", i);
        }
        if (EvValue("item-destroy", i) == 11) {
            destroy11 = EvIndex("item-destroy", i);
        }
    }
    KT_CHECK(EvCount("item-destroy") == 4);
    KT_CHECKF(destroy10 >= 0 && destroy10 < itemDeleted, "an item removed from the collection is destroyed "
                                                         "when deleted");
    KT_CHECKF(destroy11 > itemDeleted && destroy11 < collectionDeleted,
              "an item deleted while in the collection is destroyed when the collection goes (%d, %d, %d)",
              itemDeleted, destroy11, collectionDeleted);
    Stop();
    KT_CHECK(EvCount("queue-destroy") == 1);
    KtCheckNoVerifierReports("objects");
}

static KT_IO *Read(uint32_t Length)
{
    KT_IO *io = KtIoCreate(Length ? Length : 1, 0);
    io->SubmitStatus = KtSubmitRead(g_File, io, Length);
    return io;
}

static KT_IO *Write(uint32_t Length)
{
    KT_IO *io = KtIoCreate(Length ? Length : 1, 0);
    uint8_t data[64] = {0};
    io->SubmitStatus = KtSubmitWrite(g_File, io, data, Length);
    return io;
}

/* A sequential queue presents the next request only after the driver completes one. */
static void ScenarioSequential(void)
{
    DefaultConfig();
    g_Config.Park = 1;
    if (!Start()) {
        return;
    }
    KT_IO *io[3];
    for (int i = 0; i < 3; i++) {
        io[i] = Read(16);
        KT_CHECK_STATUS(io[i]->SubmitStatus, KT_STATUS_PENDING);
    }
    KT_CHECK(EvWait("read", 1));
    KT_CHECK(EvCount("read") == 1 && g_Ops->ParkedCount() == 1);
    for (int i = 0; i < 3; i++) {
        KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 7) == 1);
        KT_CHECK(KtIoWait(io[i], KT_WAIT_MS));
        KT_CHECK_STATUS(io[i]->Status, KT_STATUS_SUCCESS);
        KT_CHECK(io[i]->Information == 7);
        if (i < 2) {
            KT_CHECK(EvWait("read", i + 2));
        }
        KT_CHECK(EvCount("read") == i + 2 || i == 2);
    }
    KT_CHECK(EvCount("read") == 3);
    for (int i = 0; i < 3; i++) {
        KT_CHECK(KtIoCompletions(io[i]) == 1);
        KtIoFree(io[i]);
    }
    Stop();
    KtCheckNoVerifierReports("sequential");
}

/* A parallel queue presents requests while others are still with the driver. */
static void ScenarioParallel(void)
{
    DefaultConfig();
    g_Config.DispatchType = 2;
    g_Config.Park = 1;
    if (!Start()) {
        return;
    }
    KT_IO *io[4];
    for (int i = 0; i < 4; i++) {
        io[i] = Read(8);
    }
    KT_CHECK(EvWait("read", 4));
    KT_CHECK(g_Ops->ParkedCount() == 4);
    /* A parallel queue cannot be pulled from (WdfIoQueueRetrieveNextRequest). */
    KT_CHECK_STATUS(g_Ops->RetrieveDefault(), KT_STATUS_INVALID_DEVICE_STATE);
    for (int i = 0; i < 4; i++) {
        KT_CHECK(!KtIoDone(io[i]));
    }
    for (int i = 0; i < 4; i++) {
        KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 0) == 1);
        KT_CHECK(KtIoWait(io[i], KT_WAIT_MS));
        KtIoFree(io[i]);
    }
    Stop();
    KtCheckNoVerifierReports("parallel");
}

/* Zero-length reads and writes: completed by the framework unless the queue allows them. */
static void ScenarioZeroLength(bool Allowed)
{
    DefaultConfig();
    g_Config.AllowZeroLength = Allowed;
    if (!Start()) {
        return;
    }
    KT_IO *write = Write(0);
    KT_CHECK(KtIoWait(write, KT_WAIT_MS));
    KT_CHECK_STATUS(write->Status, KT_STATUS_SUCCESS);
    KT_CHECK(write->Information == 0);
    KT_IO *read = Read(0);
    KT_CHECK(KtIoWait(read, KT_WAIT_MS));
    KT_CHECK(read->Information == 0);
    KT_CHECK(EvCount("write") == (Allowed ? 1 : 0));
    KT_CHECK(EvCount("read") == (Allowed ? 1 : 0));
    if (!Allowed) {
        KT_CHECK_STATUS(read->Status, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(write->SubmitStatus, KT_STATUS_SUCCESS);
    } else {
        /* The driver sees the request; its output buffer is empty. */
        KT_CHECK_STATUS(read->Status, KT_STATUS_BUFFER_TOO_SMALL);
    }
    KT_IO *normal = Write(10);
    KT_CHECK(KtIoWait(normal, KT_WAIT_MS));
    KT_CHECK_STATUS(normal->Status, KT_STATUS_SUCCESS);
    KT_CHECK(normal->Information == 10);
    /* WdfRequestIsFrom32BitProcess: every caller of the host is a 64-bit process. */
    KT_CHECK(EvCount("write-from-32-bit") >= 1 && EvValue("write-from-32-bit", 0) == 0);
    /* A device without a name has none to retrieve. */
    KT_CHECK(EvValue("device-name", 0) == KT_STATUS_INVALID_PARAMETER);
    /* A function driver's device is power pageable by default, not inrush. */
    KT_CHECK(EvValue("power-pageable", 0) == 1 && EvValue("power-inrush", 0) == 0);
    KtIoFree(write);
    KtIoFree(read);
    KtIoFree(normal);
    Stop();
    KtCheckNoVerifierReports("zero-length");
}

/*
 * WdfDeviceSetStaticStopRemove: while the driver has said FALSE (twice here, nested) an
 * orderly removal is refused (IRP_MN_QUERY_REMOVE_DEVICE fails with
 * STATUS_INVALID_DEVICE_STATE) and the device keeps working; after as many TRUEs it is
 * removed. A TRUE too many is a framework assertion.
 */
static void ScenarioStaticStopRemove(void)
{
    DefaultConfig();
    g_Config.StaticStopRemove = 2;
    if (!Start()) {
        return;
    }
    /* Without open files the removal is orderly: it asks the stack first. */
    KtCloseFile(g_File);
    g_File = NULL;
    KT_CHECK_STATUS(KmdfHostRemoveDevice(g_Device.Node), KT_STATUS_INVALID_DEVICE_STATE);
    g_Ops->SetStaticStopRemove(1);
    KT_CHECKF(KmdfHostRemoveDevice(g_Device.Node) == KT_STATUS_INVALID_DEVICE_STATE,
              "the calls nest: one FALSE is still in force");
    /* The device was not removed: it still serves I/O. */
    KT_CHECK_STATUS(KtOpen(&g_Device, &g_File), KT_STATUS_SUCCESS);
    KT_IO *io = Write(8);
    KT_CHECK(KtIoWait(io, KT_WAIT_MS));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KtIoFree(io);
    KtCloseFile(g_File);
    g_File = NULL;
    g_Ops->SetStaticStopRemove(1);
    KtVerifierCapture();
    g_Ops->SetStaticStopRemove(1);
    KT_CHECKF(KtVerifierCount("ASSERTION_FAILED") == 1, "a TRUE with no FALSE to undo is reported");
    KtVerifierReset();
    Stop();
    KtCheckNoVerifierReports("static-stop-remove");
}

/* A request type without a callback (device control here) fails in the framework. */
static void ScenarioUnsupported(void)
{
    DefaultConfig();
    if (!Start()) {
        return;
    }
    KT_IO *io = KtIoCreate(8, 8);
    KH_STATUS status = KtSubmitIoctl(g_File, io, KT_IOCTL_ANY, 8, 8);
    KT_CHECK(KtIoWait(io, KT_WAIT_MS));
    KT_CHECK_STATUS(io->Status, KT_STATUS_INVALID_DEVICE_REQUEST);
    KT_CHECK_STATUS(status, KT_STATUS_INVALID_DEVICE_REQUEST);
    KtIoFree(io);
    Stop();
    KtCheckNoVerifierReports("unsupported");
}

/* A request still waiting in the queue is cancelled by the framework, unseen by the driver. */
static void ScenarioCancelQueued(void)
{
    DefaultConfig();
    g_Config.Park = 1;
    if (!Start()) {
        return;
    }
    KT_IO *first = Read(4);
    KT_IO *second = Read(4);
    KT_CHECK(EvWait("read", 1));
    KT_CHECK(KmdfHostCancelIo(g_File, second) == 1);
    KT_CHECK(KtIoWait(second, KT_WAIT_MS));
    KT_CHECK_STATUS(second->Status, KT_STATUS_CANCELLED);
    KT_CHECK(EvCount("read") == 1);
    KT_CHECK(!KtIoDone(first));
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 4) == 1);
    KT_CHECK(KtIoWait(first, KT_WAIT_MS));
    KT_CHECK_STATUS(first->Status, KT_STATUS_SUCCESS);
    KT_CHECK(KtIoCompletions(second) == 1);
    KtIoFree(first);
    KtIoFree(second);
    Stop();
    KtCheckNoVerifierReports("cancel-queued");
}

/* Driver-owned cancelable requests: cancel runs EvtRequestCancel; unmark before completion. */
static void ScenarioCancelable(int CancelMode)
{
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.DispatchType = 2;
    g_Config.CancelMode = CancelMode;
    if (!Start()) {
        return;
    }
    KT_IO *a = Read(4);
    KT_CHECK(EvWait("read", 1));
    KT_CHECK(KmdfHostCancelIo(g_File, a) == 1);
    KT_CHECK(KtIoWait(a, KT_WAIT_MS));
    KT_CHECK_STATUS(a->Status, KT_STATUS_CANCELLED);
    KT_CHECK(EvCount("cancel-routine") == 1);
    KT_CHECK(g_Ops->ParkedCount() == 0);
    KT_IO *b = Read(4);
    KT_CHECK(EvWait("read", 2));
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 3) == 1);
    KT_CHECK(KtIoWait(b, KT_WAIT_MS));
    KT_CHECK_STATUS(b->Status, KT_STATUS_SUCCESS);
    KT_CHECK(b->Information == 3);
    KT_CHECK(EvCount("cancel-routine") == 1);
    KtIoFree(a);
    KtIoFree(b);
    Stop();
    KtCheckNoVerifierReports("cancelable");
}

/*
 * A request cancelled before the driver marks it: WdfRequestMarkCancelable calls
 * EvtRequestCancel before it returns; WdfRequestMarkCancelableEx returns
 * STATUS_CANCELLED and does not call it.
 */
static void ScenarioAlreadyCancelled(bool Ex)
{
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.CancelMode = 3;
    if (!Start()) {
        return;
    }
    KT_IO *io = Read(4);
    KT_CHECK(EvWait("read", 1));
    KT_CHECK(KmdfHostCancelIo(g_File, io) == 1);
    KT_CHECK(!KtIoDone(io)); /* not cancelable yet: nothing runs */
    int32_t status = g_Ops->MarkParked(Ex);
    KT_CHECK(KtIoWait(io, KT_WAIT_MS));
    KT_CHECK_STATUS(io->Status, KT_STATUS_CANCELLED);
    if (Ex) {
        KT_CHECK_STATUS(status, KT_STATUS_CANCELLED);
        KT_CHECK(EvCount("cancel-routine") == 0);
    } else {
        KT_CHECK(EvCount("cancel-routine") == 1);
        KT_CHECK(EvIndex("cancel-routine", 0) < EvIndex("mark-returned", 0));
    }
    KT_CHECK(g_Ops->ParkedCount() == 0);
    KtIoFree(io);
    Stop();
    KtCheckNoVerifierReports("already-cancelled");
}

/*
 * WdfRequestUnmarkCancelable on a request the driver owns but has not marked (or has
 * unmarked already) returns STATUS_INVALID_PARAMETER ("the request is already not
 * cancelable"), and the verifier reports it as KMDF Verifier does (UNMARK_NOT_CANCELABLE,
 * once per such call); on a marked one, STATUS_SUCCESS.
 */
static void ScenarioUnmarkNotCancelable(void)
{
    KtVerifierCapture();
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.CancelMode = 3;
    if (!Start()) {
        return;
    }
    KT_IO *io = Read(4);
    KT_CHECK(EvWait("read", 1));
    KT_CHECK_STATUS(g_Ops->UnmarkParked(), KT_STATUS_INVALID_PARAMETER);
    KT_CHECK_STATUS(g_Ops->MarkParked(1), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(g_Ops->UnmarkParked(), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(g_Ops->UnmarkParked(), KT_STATUS_INVALID_PARAMETER);
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 4) == 1);
    KT_CHECK(KtIoWait(io, KT_WAIT_MS));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == 4);
    KT_CHECK(EvCount("cancel-routine") == 0);
    KtIoFree(io);
    Stop();
    /* Two from the explicit calls above, one from CompleteParked, which (in every cancel
       mode) unmarks before it completes. */
    KT_CHECK(KtVerifierCount("UNMARK_NOT_CANCELABLE") == 3);
    KT_CHECK(KtVerifierSawText("UNMARK_NOT_CANCELABLE", "not marked cancelable"));
    KtVerifierReset();
    KtCheckNoVerifierReports("unmark-not-cancelable");
}

/*
 * EvtIoQueueState is serialized with the queue's other callbacks by the synchronization
 * scope ("Using Automatic Synchronization"): with queue scope at dispatch level it runs
 * under the queue's lock, at DISPATCH_LEVEL, even when the request that ends the stop is
 * completed from a thread at PASSIVE_LEVEL.
 */
static void ScenarioQueueStateSerialized(void)
{
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.QueueSyncScope = 3; /* WdfSynchronizationScopeQueue */
    if (!Start()) {
        return;
    }
    KT_IO *first = Read(4);
    KT_CHECK(EvWait("read", 1));
    g_Ops->StopQueue();
    KT_CHECK(EvCount("queue-state") == 0); /* the driver still owns a request */
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 1) == 1);
    KT_CHECK(EvWait("queue-state", 1));
    KT_CHECKF(EvValue("queue-state", 0) == 2 /* DISPATCH_LEVEL */,
              "EvtIoQueueState ran at IRQL %lld", (long long)EvValue("queue-state", 0));
    KT_CHECK(EvValue("queue-state-queue", 0) == 1);
    KT_CHECK(KtIoWait(first, KT_WAIT_MS));
    KT_IO *held = Read(4);
    KT_CHECK(!KtIoDone(held) && EvCount("read") == 1);
    g_Ops->StartQueue();
    KT_CHECK(EvWait("read", 2));
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 1) == 1);
    KT_CHECK(KtIoWait(held, KT_WAIT_MS));
    KT_CHECK(EvCount("queue-state") == 1);
    KtIoFree(first);
    KtIoFree(held);
    Stop();
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("queue-state-serialized");
}

/* A periodic timer ticks; WdfTimerStop(Wait) returns with no callback running. */
static void ScenarioTimer(void)
{
    DefaultConfig();
    g_Config.TimerPeriodMs = 2;
    g_Config.TimerAutoSerialize = 1;
    g_Config.QueueSyncScope = 3; /* WdfSynchronizationScopeQueue */
    g_Config.SpinUs = 500;
    if (!Start()) {
        return;
    }
    KT_CHECK(g_Ops->StartTimer(-10000) == 0); /* 1 ms due time, not yet queued */
    KT_CHECK(g_Ops->StartTimer(-10000) == 1); /* already in the timer queue */
    KT_CHECK(EvWait("tick", 5));
    for (int i = 0; i < 20; i++) {
        g_Ops->StopTimer(1);
        KT_CHECK(g_Ops->TimerRunning() == 0);
        (void)g_Ops->StartTimer(-1000);
    }
    g_Ops->StopTimer(1);
    KT_CHECK(g_Ops->TimerRunning() == 0);
    Stop();
    KT_CHECK(EvCount("timer-destroy") == 1);
    KT_CHECK(EvIndex("timer-destroy", 0) < EvIndex("queue-destroy", 0));
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("timer");
}

/* The timer (parented to the queue, automatic serialization) completes parked requests. */
static void ScenarioTimerCompletes(void)
{
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.CancelMode = 1;
    g_Config.TimerPeriodMs = 1;
    g_Config.TimerAutoSerialize = 1;
    g_Config.TimerCompletes = 1;
    g_Config.QueueSyncScope = 3;
    if (!Start()) {
        return;
    }
    (void)g_Ops->StartTimer(-10000);
    enum { N = 200 };
    KT_IO *io[N];
    for (int i = 0; i < N; i++) {
        io[i] = Read(4);
        if (i % 3 == 0) {
            (void)KmdfHostCancelIo(g_File, io[i]);
        }
    }
    for (int i = 0; i < N; i++) {
        KT_CHECK(KtIoWait(io[i], KT_WAIT_MS));
        KT_CHECK(io[i]->Status == KT_STATUS_SUCCESS || io[i]->Status == KT_STATUS_CANCELLED);
        KT_CHECK(KtIoCompletions(io[i]) == 1);
        KtIoFree(io[i]);
    }
    g_Ops->StopTimer(1);
    Stop();
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("timer-completes");
}

/*
 * WdfTimerStop(Wait = TRUE) "does not return until all queued calls to the driver's
 * deferred procedure calls (DPCs), including the driver's EvtTimerFunc callback
 * functions, have executed": a WDFDPC queued behind a running timer callback has run
 * when it returns.
 */
static void ScenarioTimerStopFlushesDpcs(void)
{
    DefaultConfig();
    g_Config.DpcAndWorkItem = 1;
    g_Config.QueueSyncScope = 3;
    g_Config.TimerPeriodMs = 1;
    g_Config.SpinUs = 20000; /* the timer callback and the DPC each take 20 ms */
    if (!Start()) {
        return;
    }
    (void)g_Ops->StartTimer(-10000);
    KT_CHECK(EvWait("tick", 1));
    KT_CHECK(g_Ops->EnqueueDpc() == 1);
    (void)g_Ops->StopTimer(1);
    KT_CHECK(g_Ops->TimerRunning() == 0);
    KT_CHECKF(EvCount("dpc-end") == 1, "the queued DPC had %s when WdfTimerStop returned",
              EvCount("dpc") == 0 ? "not started" : "not finished");
    Stop();
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("timer-stop-flushes-dpcs");
}

/* A DPC (DISPATCH_LEVEL, serialized with the queue) and a work item (PASSIVE_LEVEL). */
static void ScenarioDpcAndWorkItem(void)
{
    DefaultConfig();
    g_Config.DpcAndWorkItem = 1;
    g_Config.QueueSyncScope = 3;
    g_Config.DispatchType = 2;
    g_Config.SpinUs = 100;
    if (!Start()) {
        return;
    }
    for (int i = 0; i < 10; i++) {
        (void)g_Ops->EnqueueDpc();
        KT_IO *io = Write(8);
        KT_CHECK(KtIoWait(io, KT_WAIT_MS));
        KtIoFree(io);
    }
    KT_CHECK(EvWait("dpc", 1));
    (void)g_Ops->CancelDpc(1);
    int dpcs = EvCount("dpc");
    KT_CHECK(EvValue("dpc", 0) == 2);
    KT_CHECK(EvValue("dpc-parent", 0) == 1);
    g_Ops->EnqueueWorkItem();
    g_Ops->FlushWorkItem();
    KT_CHECK(EvCount("workitem") == 1);
    KT_CHECK(EvValue("workitem", 0) == 0);
    KT_CHECK(EvValue("workitem-parent", 0) == 1);
    KT_CHECK(g_Ops->EnqueueDpc() == 1);
    KT_CHECK(EvWait("dpc", dpcs + 1));
    Stop();
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("dpc-and-work-item");
}

/*
 * A passive-level queue: its callbacks run at PASSIVE_LEVEL even when the previous
 * request is completed from a timer at DISPATCH_LEVEL (the next one is presented from a
 * worker thread); a dispatch-level timer cannot be serialized with it.
 */
static void ScenarioPassiveQueue(void)
{
    DefaultConfig();
    g_Config.QueuePassive = 1;
    g_Config.QueueSyncScope = 3;
    g_Config.Park = 1;
    g_Config.TimerPeriodMs = 1;
    g_Config.TimerAutoSerialize = 0;
    g_Config.TimerCompletes = 1;
    if (!Start()) {
        return;
    }
    KT_CHECK(EvValue("serialized-timer-create", 0) == (int64_t)(int32_t)0xC020020C);
    (void)g_Ops->StartTimer(-10000);
    enum { N = 20 };
    KT_IO *io[N];
    for (int i = 0; i < N; i++) {
        io[i] = Read(4);
    }
    for (int i = 0; i < N; i++) {
        KT_CHECK(KtIoWait(io[i], KT_WAIT_MS));
        KT_CHECK_STATUS(io[i]->Status, KT_STATUS_SUCCESS);
        KtIoFree(io[i]);
    }
    g_Ops->StopTimer(1);
    KT_CHECK(EvCount("io-irql") == N);
    for (int i = 0; i < N; i++) {
        KT_CHECKF(EvValue("io-irql", i) == 0, "request %d presented at IRQL %lld", i,
                  (long long)EvValue("io-irql", i));
    }
    Stop();
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("passive-queue");
}

/*
 * A manual queue: requests forwarded to it wait until the driver retrieves them
 * (STATUS_NO_MORE_ENTRIES when none waits); while they wait the framework cancels them.
 */
static void ScenarioManualQueue(void)
{
    DefaultConfig();
    g_Config.ForwardToManual = 1;
    if (!Start()) {
        return;
    }
    KH_STATUS status = g_Ops->RetrieveManual();
    KT_CHECK_STATUS(status, (KH_STATUS)0x8000001A /* STATUS_NO_MORE_ENTRIES */);
    KT_IO *a = Read(4);
    KT_IO *b = Read(4);
    KT_IO *c = Read(4);
    KT_CHECK(EvWait("forward", 3));
    KT_CHECK(EvValue("forward", 0) == KT_STATUS_SUCCESS &&
             EvValue("forward", 2) == KT_STATUS_SUCCESS);
    KT_CHECK(!KtIoDone(a) && !KtIoDone(b) && !KtIoDone(c));
    KT_CHECK(KmdfHostCancelIo(g_File, b) == 1);
    KT_CHECK(KtIoWait(b, KT_WAIT_MS));
    KT_CHECK_STATUS(b->Status, KT_STATUS_CANCELLED);
    status = g_Ops->RetrieveManual();
    KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
    KT_CHECK(KtIoWait(a, KT_WAIT_MS));
    KT_CHECK(a->Information == 2);
    status = g_Ops->RetrieveManual();
    KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
    KT_CHECK(KtIoWait(c, KT_WAIT_MS));
    status = g_Ops->RetrieveManual();
    KT_CHECK_STATUS(status, (KH_STATUS)0x8000001A);
    KT_CHECK(EvCount("retrieved-from") == 2 && EvValue("retrieved-from", 1) == 1);
    /* WdfRequestForwardToIoQueue to a queue that does not accept requests fails with
       STATUS_WDF_BUSY and leaves the request with the driver (which completes it with
       that status here). */
    g_Ops->PurgeManual();
    KT_IO *d = Read(4);
    KT_CHECK(KtIoWait(d, KT_WAIT_MS));
    KT_CHECK(EvCount("forward") == 4);
    KT_CHECK_STATUS((KH_STATUS)EvValue("forward", 3), (KH_STATUS)0xC0200204 /* STATUS_WDF_BUSY */);
    KT_CHECK_STATUS(d->Status, (KH_STATUS)0xC0200204);
    KtIoFree(a);
    KtIoFree(b);
    KtIoFree(c);
    KtIoFree(d);
    Stop();
    KtCheckNoVerifierReports("manual-queue");
}

static void *PurgeThread(void *Context)
{
    (void)Context;
    g_Ops->PurgeQueueSynchronously();
    return NULL;
}

static void *DrainThread(void *Context)
{
    (void)Context;
    g_Ops->DrainQueueSynchronously();
    return NULL;
}

/* Waits (bounded) until the default queue no longer accepts requests. */
static bool WaitNotAccepting(void)
{
    uint64_t deadline = KtNowNs() + (uint64_t)KT_WAIT_MS * 1000000u;
    while ((g_Ops->QueueState() & 0x01 /* WdfIoQueueAcceptRequests */) != 0 &&
           KtNowNs() < deadline) {
        sched_yield();
    }
    return (g_Ops->QueueState() & 0x01) == 0;
}

/*
 * WdfIoQueuePurgeSynchronously cancels the waiting requests and the driver's cancelable
 * ones and returns when all are done; WdfIoQueueDrainSynchronously delivers what waits
 * and returns when the driver has completed everything. Both make the queue refuse new
 * requests (STATUS_INVALID_DEVICE_STATE) until WdfIoQueueStart.
 */
static void ScenarioPurgeAndDrain(void)
{
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.CancelMode = 1;
    if (!Start()) {
        return;
    }
    KT_IO *owned = Read(4);
    KT_IO *waiting = Read(4);
    KT_CHECK(EvWait("read", 1));
    pthread_t thread;
    pthread_create(&thread, NULL, PurgeThread, NULL);
    pthread_join(thread, NULL);
    KT_CHECK(EvCount("purge-end") == 1);
    KT_CHECK(KtIoDone(owned) && KtIoDone(waiting));
    KT_CHECK_STATUS(owned->Status, KT_STATUS_CANCELLED);
    KT_CHECK_STATUS(waiting->Status, KT_STATUS_CANCELLED);
    KT_CHECK(EvCount("cancel-routine") == 1);
    KT_CHECK(EvCount("read") == 1);
    KT_IO *refused = Read(4);
    KT_CHECK(KtIoWait(refused, KT_WAIT_MS));
    KT_CHECK_STATUS(refused->Status, KT_STATUS_INVALID_DEVICE_STATE);
    g_Ops->StartQueue();

    KT_IO *first = Read(4);
    KT_IO *second = Read(4);
    KT_CHECK(EvWait("read", 2));
    pthread_create(&thread, NULL, DrainThread, NULL);
    KT_CHECK(WaitNotAccepting());
    KT_IO *refused2 = Read(4);
    KT_CHECK(KtIoWait(refused2, KT_WAIT_MS));
    KT_CHECK_STATUS(refused2->Status, KT_STATUS_INVALID_DEVICE_STATE);
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 1) == 1);
    KT_CHECK(EvWait("read", 3)); /* the waiting request is still delivered */
    KT_CHECK(EvCount("drain-end") == 0);
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 1) == 1);
    pthread_join(thread, NULL);
    KT_CHECK(EvCount("drain-end") == 1);
    KT_CHECK(EvIndex("complete", 1) < EvIndex("drain-end", 0));
    KT_CHECK(KtIoDone(first) && KtIoDone(second));
    KT_CHECK_STATUS(second->Status, KT_STATUS_SUCCESS);
    g_Ops->StartQueue();
    KT_IO *after = Read(4);
    KT_CHECK(EvWait("read", 4));
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 1) == 1);
    KT_CHECK(KtIoWait(after, KT_WAIT_MS));
    KT_IO *all[] = {owned, waiting, refused, first, second, refused2, after};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        KT_CHECK(KtIoCompletions(all[i]) == 1);
        KtIoFree(all[i]);
    }
    Stop();
    KtCheckNoVerifierReports("purge-and-drain");
}

/*
 * EvtIoStop / EvtIoResume: leaving D0, the framework calls EvtIoStop for the requests
 * the driver owns; an acknowledged request lets the device power down and gets
 * EvtIoResume back in D0; a requeued one is delivered again; removal purges with
 * EvtIoStop(WdfRequestStopActionPurge).
 */
static void ScenarioIoStop(int Mode)
{
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.IoStopMode = Mode;
    if (!Start()) {
        return;
    }
    KT_IO *a = Read(4);
    KT_CHECK(EvWait("read", 1));
    KH_STATUS status = KmdfHostSuspendDevice(g_Device.Node);
    KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
    KT_CHECK(EvCount("io-stop") == 1 && EvValue("io-stop", 0) == 1 /* Suspend */);
    KT_CHECK(EvIndex("io-stop", 0) < EvIndex("d0-exit", 0));
    KT_CHECK(!KtIoDone(a));
    KT_IO *b = Read(4);
    status = KmdfHostResumeDevice(g_Device.Node);
    KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
    if (Mode == 1) {
        KT_CHECK(EvCount("io-resume") == 1 && EvValue("io-resume", 0) == 1);
        KT_CHECK(EvCount("read") == 1);
    } else {
        KT_CHECK(EvCount("io-resume") == 0);
        KT_CHECK(EvWait("read", 2)); /* a is delivered again, before b */
    }
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 4) == 1);
    KT_CHECK(KtIoWait(a, KT_WAIT_MS));
    KT_CHECK_STATUS(a->Status, KT_STATUS_SUCCESS);
    KT_CHECK(EvWait("read", Mode == 1 ? 2 : 3));
    KT_CHECK(!KtIoDone(b));
    /* Removal with b still parked: EvtIoStop(Purge) makes the driver complete it. */
    KtCloseFile(g_File);
    g_File = NULL;
    status = KmdfHostRemoveDevice(g_Device.Node);
    KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
    g_Device.Node = NULL;
    KT_CHECK(KtIoWait(b, KT_WAIT_MS));
    KT_CHECK_STATUS(b->Status, KT_STATUS_CANCELLED);
    KT_CHECK(EvValue("io-stop", 1) == 2 /* Purge */);
    KtIoFree(a);
    KtIoFree(b);
    Stop();
    KtCheckNoVerifierReports("io-stop");
}

typedef struct SUBMITTER {
    int Count;
    int Cancel;
} SUBMITTER;

static void *SubmitThread(void *Context)
{
    SUBMITTER *s = Context;
    KT_IO *io[64];
    for (int i = 0; i < s->Count; i++) {
        io[i] = Read(4);
        if (s->Cancel && (i % 4 == 1)) {
            (void)KmdfHostCancelIo(g_File, io[i]);
        }
    }
    for (int i = 0; i < s->Count; i++) {
        KT_CHECK(KtIoWait(io[i], KT_WAIT_MS));
        KtIoFree(io[i]);
    }
    return NULL;
}

/*
 * Synchronization scope: with scope Queue (or Device), a parallel queue's callbacks,
 * the cancel routines and the automatically serialized timer never overlap, although
 * requests arrive on several threads at once.
 */
static void ScenarioSerialization(bool DeviceScope)
{
    DefaultConfig();
    g_Config.DispatchType = 2;
    g_Config.Park = 1;
    g_Config.CancelMode = 1;
    g_Config.SpinUs = 200;
    g_Config.TimerPeriodMs = 1;
    g_Config.TimerAutoSerialize = 1;
    g_Config.TimerCompletes = 1;
    if (DeviceScope) {
        g_Config.DeviceSyncScope = 2; /* WdfSynchronizationScopeDevice */
        g_Config.TimerParentDevice = 1;
    } else {
        g_Config.QueueSyncScope = 3;
    }
    if (!Start()) {
        return;
    }
    (void)g_Ops->StartTimer(-10000);
    pthread_t threads[4];
    SUBMITTER submitter = {48, 1};
    for (int i = 0; i < 4; i++) {
        pthread_create(&threads[i], NULL, SubmitThread, &submitter);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    g_Ops->StopTimer(1);
    KT_CHECK(EvCount("read") > 0);
    Stop();
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("serialization");
}

/*
 * With device-level synchronization the file object's callbacks (EvtDeviceFileCreate,
 * EvtFileCleanup, EvtFileClose) are serialized like the queues' callbacks ("Using
 * Automatic Synchronization"): they run under the device's dispatch-level lock.
 */
static void ScenarioFileCallbacksSerialized(void)
{
    DefaultConfig();
    g_Config.DeviceSyncScope = 2; /* WdfSynchronizationScopeDevice */
    if (!Start()) {
        return;
    }
    KT_CHECKF(EvValue("file-create-irql", 0) == 2, "EvtDeviceFileCreate at IRQL %lld",
              (long long)EvValue("file-create-irql", 0));
    KT_IO *io = Write(8);
    KT_CHECK(KtIoWait(io, KT_WAIT_MS));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KtIoFree(io);
    Stop();
    KT_CHECK(EvCount("file-cleanup") == 1 && EvCount("file-close") == 1);
    KT_CHECKF(EvValue("file-cleanup", 0) == 2, "EvtFileCleanup at IRQL %lld",
              (long long)EvValue("file-cleanup", 0));
    KT_CHECKF(EvValue("file-close", 0) == 2, "EvtFileClose at IRQL %lld",
              (long long)EvValue("file-close", 0));
    CheckNoCallbackErrors();
    KtCheckNoVerifierReports("file-callbacks-serialized");
}

static void *StopThread(void *Context)
{
    (void)Context;
    g_Ops->StopQueueSynchronously();
    return NULL;
}

/* WdfIoQueueStopSynchronously returns only after the driver completed what it owns;
   requests that arrive meanwhile are held until WdfIoQueueStart. */
static void ScenarioStopSynchronously(void)
{
    DefaultConfig();
    g_Config.Park = 1;
    if (!Start()) {
        return;
    }
    KT_IO *first = Read(4);
    KT_CHECK(EvWait("read", 1));
    pthread_t thread;
    pthread_create(&thread, NULL, StopThread, NULL);
    KT_CHECK(EvWait("stop-begin", 1));
    /* Wait (bounded) until the stop took effect: the queue no longer dispatches. */
    uint64_t deadline = KtNowNs() + (uint64_t)KT_WAIT_MS * 1000000u;
    while ((g_Ops->QueueState() & 0x02 /* WdfIoQueueDispatchRequests */) != 0 &&
           KtNowNs() < deadline) {
        sched_yield();
    }
    KT_CHECK((g_Ops->QueueState() & 0x02) == 0);
    KT_IO *held = Read(4);
    KT_CHECK(EvCount("stop-end") == 0);
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 1) == 1);
    KT_CHECK(EvWait("stop-end", 1));
    pthread_join(thread, NULL);
    KT_CHECK(EvIndex("complete", 0) < EvIndex("stop-end", 0));
    KT_CHECK(KtIoWait(first, KT_WAIT_MS));
    KT_CHECK(EvCount("read") == 1);
    KT_CHECK(!KtIoDone(held));
    g_Ops->StartQueue();
    KT_CHECK(EvWait("read", 2));
    KT_CHECK(g_Ops->CompleteParked(KT_STATUS_SUCCESS, 1) == 1);
    KT_CHECK(KtIoWait(held, KT_WAIT_MS));
    KtIoFree(first);
    KtIoFree(held);
    Stop();
    KtCheckNoVerifierReports("stop-synchronously");
}

/* PnP and power callbacks in their documented order; power-managed queues hold requests in D3. */
static void ScenarioPnp(bool Surprise)
{
    DefaultConfig();
    g_Config.Park = 1;
    g_Config.CancelMode = 1;
    if (!Start()) {
        return;
    }
    KT_CHECK(EvIndex("prepare-hardware", 0) < EvIndex("d0-entry", 0));
    KT_CHECK(EvIndex("d0-entry", 0) < EvIndex("smio-init", 0));
    KT_CHECK(EvValue("d0-entry", 0) == 5); /* WdfPowerDeviceD3Final */
    KH_STATUS status = KmdfHostSuspendDevice(g_Device.Node);
    KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
    KT_CHECK(EvIndex("smio-suspend", 0) >= 0 && EvIndex("smio-suspend", 0) < EvIndex("d0-exit", 0));
    KT_CHECK(EvValue("d0-exit", 0) == 4); /* WdfPowerDeviceD3 */
    /* WdfDeviceGetSystemPowerAction: none at the first start; the system sleep
       (PowerActionSleep, 2) from the power-down until the device is back in D0. */
    KT_CHECK(EvValue("d0-entry-action", 0) == 0);
    KT_CHECK(EvValue("d0-exit-action", 0) == 2);
    KT_CHECK(g_Ops->SystemPowerAction() == 2);
    KT_IO *held = Read(4);
    KT_CHECK(EvCount("read") == 0);
    status = KmdfHostResumeDevice(g_Device.Node);
    KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
    KT_CHECK(EvValue("d0-entry", 1) == 4);
    KT_CHECK(EvIndex("d0-entry", 1) < EvIndex("smio-restart", 0));
    KT_CHECK(EvValue("d0-entry-action", 1) == 2);
    KT_CHECK(g_Ops->SystemPowerAction() == 0);
    KT_CHECK(EvWait("read", 1));
    KT_IO *queued = Read(4);
    if (Surprise) {
        status = KmdfHostSurpriseRemoveDevice(g_Device.Node);
        KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
        KT_CHECK(EvCount("surprise-removal") == 1);
    } else {
        KtCloseFile(g_File);
        g_File = NULL;
        status = KmdfHostRemoveDevice(g_Device.Node);
        KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
        g_Device.Node = NULL;
    }
    /* Purging cancels the waiting request and the driver's cancelable one. */
    KT_CHECK(KtIoWait(held, KT_WAIT_MS));
    KT_CHECK(KtIoWait(queued, KT_WAIT_MS));
    KT_CHECK_STATUS(held->Status, KT_STATUS_CANCELLED);
    KT_CHECK_STATUS(queued->Status, KT_STATUS_CANCELLED);
    KT_CHECK(EvCount("smio-suspend") == 2);
    KT_CHECK(EvIndex("smio-suspend", 1) < EvIndex("d0-exit", 1));
    if (Surprise) {
        /* "A User Unplugs a Device": on surprise removal EvtDeviceSurpriseRemoval comes
           first, then the queues are stopped (here: purged, which cancels the parked
           request), and only then EvtDeviceSelfManagedIoSuspend. */
        KT_CHECK(EvCount("cancel-routine") == 1);
        KT_CHECK(EvIndex("surprise-removal", 0) < EvIndex("cancel-routine", 0));
        KT_CHECK(EvIndex("cancel-routine", 0) < EvIndex("smio-suspend", 1));
    }
    KT_CHECK(EvValue("d0-exit", 1) == 5);
    KT_CHECK(EvIndex("d0-exit", 1) < EvIndex("release-hardware", 0));
    KT_CHECK(EvIndex("smio-flush", 0) < EvIndex("smio-cleanup", 0));
    KtIoFree(held);
    KtIoFree(queued);
    Stop();
    KT_CHECK(EvCount("queue-destroy") == 1);
    KT_CHECK(EvCount("file-close") == 1);
    KtCheckNoVerifierReports("pnp");
}

/*
 * DriverEntry fails after WdfDriverCreate. "The framework does not call a driver's
 * EvtDriverUnload callback function if the driver's DriverEntry routine returns an error
 * status value" (EVT_WDF_DRIVER_UNLOAD); the framework deletes the driver object and its
 * children instead. The host's loader knows nothing of KMDF: the module's entry point,
 * the KMDF stub, hands the failure to the framework. Nothing stays behind, so the same
 * driver then loads and runs.
 */
static void ScenarioDriverEntryFails(void)
{
    const KH_STATUS failure = (KH_STATUS)0xC0000182; /* STATUS_DEVICE_CONFIGURATION_ERROR */
    DefaultConfig();
    g_Config.FailDriverEntry = failure;
    KtVerifierCapture();
    KH_STATUS status = KtLoadDriver(&g_Device, "kmdftest.so", KT_SERVICE);
    KT_CHECK_STATUS(status, failure);
    KT_CHECK(g_Device.Driver == NULL);
    KT_CHECK(EvCount("driver-unload") == 0);
    KT_CHECK(EvCount("driver-cleanup") == 1);
    KT_CHECKF(KtVerifierCount(NULL) == 0, "verifier reports after a failed DriverEntry");

    pthread_mutex_lock(&g_EventLock);
    g_EventCount = 0;
    pthread_mutex_unlock(&g_EventLock);
    DefaultConfig();
    if (!Start()) {
        return;
    }
    KT_IO *write = Write(16);
    KT_CHECK(KtIoWait(write, KT_WAIT_MS));
    KT_CHECK_STATUS(write->Status, KT_STATUS_SUCCESS);
    KtIoFree(write);
    Stop();
    KT_CHECKF(KtVerifierCount(NULL) == 0, "verifier reports after the reload");
}

/*
 * Allocation failure injected at every allocation point in turn (framework objects,
 * contexts, buffers, the driver's own pool): every failure ends cleanly, with no
 * verifier report (no leak) and nothing left behind (checked by the sanitizers).
 */
static void ScenarioAllocationFailure(void)
{
    uint8_t guid[16];
    KtGuid(guid, 0x5D3C1A20, 0x7E4B, 0x4F61, 0x9C, 0x2D, 0x8A, 0x0B, 0x1E, 0x6F, 0x4C, 0x37);
    KtVerifierCapture();
    bool completeRun = false;
    for (int64_t point = 0; point < 400 && !completeRun; point++) {
        DefaultConfig();
        g_Config.TimerPeriodMs = 5;
        g_Config.ObjectTest = 1;
        memset(&g_Device, 0, sizeof(g_Device));
        g_File = NULL;
        uint64_t before = KmdfHostAllocationCount();
        KmdfHostFailAllocation(point);
        KH_STATUS status = KtLoadDriver(&g_Device, "kmdftest.so", KT_SERVICE);
        if (KT_NT_SUCCESS(status)) {
            status = KtAddAndStart(&g_Device, KT_INSTANCE, guid);
        }
        if (KT_NT_SUCCESS(status)) {
            status = KtOpen(&g_Device, &g_File);
        }
        KH_STATUS setup = status;
        if (KT_NT_SUCCESS(status)) {
            KT_IO *write = Write(16);
            KT_CHECK(KtIoWait(write, KT_WAIT_MS));
            KT_CHECK(write->Status == KT_STATUS_SUCCESS ||
                     write->Status == KT_STATUS_INSUFFICIENT_RESOURCES);
            KtIoFree(write);
            KT_IO *read = Read(16);
            KT_CHECK(KtIoWait(read, KT_WAIT_MS));
            KT_CHECK(read->Status == KT_STATUS_SUCCESS ||
                     read->Status == KT_STATUS_INSUFFICIENT_RESOURCES);
            KtIoFree(read);
            KtCloseFile(g_File);
            g_File = NULL;
        } else {
            KT_CHECKF(status == KT_STATUS_INSUFFICIENT_RESOURCES, "point %lld: status 0x%08x",
                      (long long)point, (unsigned)setup);
        }
        if (g_Device.Node != NULL) {
            status = KmdfHostRemoveDevice(g_Device.Node);
            KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
            g_Device.Node = NULL;
        }
        if (g_Device.Driver != NULL) {
            status = KmdfHostUnloadDriver(g_Device.Driver);
            KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
            g_Device.Driver = NULL;
        }
        KmdfHostFailAllocation(-1);
        uint64_t passed = KmdfHostAllocationCount() - before;
        completeRun = passed <= (uint64_t)point;
        printf("allocation point %lld of %llu: status 0x%08x\n", (long long)point,
               (unsigned long long)passed, (unsigned)setup);
        KT_CHECKF(KtVerifierCount(NULL) == 0, "point %lld", (long long)point);
        KtVerifierDump();
        KtVerifierReset();
    }
    KT_CHECK(completeRun);
}

/* ------------------------------------------------------------ verifier rules */

static void *StopTimerThread(void *Context)
{
    (void)Context;
    g_Ops->StopTimer(0);
    return NULL;
}

static void ScenarioVerifier(const char *Rule, int Bug)
{
    DefaultConfig();
    g_Config.Bug = Bug;
    g_Config.DispatchType = 2;
    KtVerifierCapture();
    if (Bug == KtBugPendingAtRemove) {
        g_Config.Park = 1;
    }
    if (Bug == KtBugTimerStopWaitInCallback || Bug == KtBugSpinLockWrongThread) {
        g_Config.TimerPeriodMs = 1;
    }
    if (!Start()) {
        return;
    }
    if (Bug == KtBugTimerStopWaitInCallback) {
        (void)g_Ops->StartTimer(-10000);
        KT_CHECK(EvWait("tick", 1));
    } else if (Bug == KtBugSpinLockWrongThread) {
        pthread_t thread;
        pthread_create(&thread, NULL, StopTimerThread, NULL);
        pthread_join(thread, NULL);
    } else if (Bug != KtBugObjectLeak) {
        KT_IO *io = Read(8);
        if (Bug != KtBugPendingAtRemove) {
            KT_CHECK(KtIoWait(io, KT_WAIT_MS));
            KT_CHECK(KtIoCompletions(io) == 1);
            KtIoFree(io);
        } else {
            KT_CHECK(EvWait("read", 1));
            KtCloseFile(g_File);
            g_File = NULL;
            KtRemoveAndUnload(&g_Device);
            KT_CHECK(KtIoWait(io, KT_WAIT_MS));
            KT_CHECK_STATUS(io->Status, KT_STATUS_CANCELLED);
            KtIoFree(io);
        }
    }
    if (Bug != KtBugPendingAtRemove) {
        Stop();
    }
    KT_CHECKF(KtVerifierCount(Rule) >= 1, "expected %s", Rule);
    KT_CHECK(KtVerifierSawLine(Rule));
    if (Bug == KtBugDeleteResourceList) {
        /* The framework's list survives the refused deletion, still usable and empty. */
        KT_CHECK(EvCount("res-raw-count-after-delete") == 1);
        KT_CHECK(EvValue("res-raw-count-after-delete", 0) == 0);
        KT_CHECK(KtVerifierCount("OBJECT_USED_AFTER_DELETE") == 0);
    } else if (Bug == KtBugResourceListBadHandle) {
        KT_CHECK(EvValue("res-bad-handle-count", 0) == 0);
    }
    KtVerifierDump();
}

/* The resource lists of EvtDevicePrepareHardware and EvtDeviceReleaseHardware: a root
   device has no hardware resources, so both lists are empty, descriptor 0 is NULL
   ("If the specified index value is too large, the method returns NULL"), and the
   driver may not change them: adding returns STATUS_ACCESS_DENIED ("the driver could
   not modify the logical configuration that its EvtDevicePrepareHardware or
   EvtDeviceReleaseHardware callback function received", WdfCmResourceListAppendDescriptor),
   a NULL descriptor STATUS_INVALID_PARAMETER, and removing changes nothing. */
static void ScenarioResourceLists(void)
{
    static const char *const lists[] = {"res-raw", "res-translated", "res-release"};
    DefaultConfig();
    g_Config.ResourceLists = 1;
    if (!Start()) {
        return;
    }
    KT_CHECK(EvValue("res-distinct", 0) == 1);
    KT_IO *io = Read(4);
    KT_CHECK(KtIoWait(io, KT_WAIT_MS));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KtIoFree(io);
    Stop();
    KT_CHECK(EvCount("release-hardware") == 1);
    KT_CHECK(EvValue("res-release-same", 0) == 1);
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s-count", lists[i]);
        KT_CHECKF(EvCount(name) == 1 && EvValue(name, 0) == 0, "%s", name);
        snprintf(name, sizeof(name), "%s-descriptor-0", lists[i]);
        KT_CHECKF(EvValue(name, 0) == 0, "%s", name);
        snprintf(name, sizeof(name), "%s-append", lists[i]);
        KT_CHECKF(EvValue(name, 0) == (int32_t)0xC0000022, "%s: STATUS_ACCESS_DENIED", name);
        snprintf(name, sizeof(name), "%s-insert", lists[i]);
        KT_CHECKF(EvValue(name, 0) == (int32_t)0xC0000022, "%s: STATUS_ACCESS_DENIED", name);
        snprintf(name, sizeof(name), "%s-append-null", lists[i]);
        KT_CHECKF(EvValue(name, 0) == (int32_t)KT_STATUS_INVALID_PARAMETER, "%s", name);
        snprintf(name, sizeof(name), "%s-count-after", lists[i]);
        KT_CHECKF(EvValue(name, 0) == 0, "%s", name);
    }
    KtCheckNoVerifierReports("resource-lists");
}

static const struct {
    const char *Name;
    const char *Rule;
    int Bug;
} g_VerifierCases[] = {
    {"verifier-double-completion", "DOUBLE_COMPLETION", KtBugDoubleCompletion},
    {"verifier-complete-while-cancelable", "COMPLETE_WHILE_CANCELABLE",
     KtBugCompleteWhileCancelable},
    {"verifier-mark-cancelable-twice", "MARK_CANCELABLE_TWICE", KtBugMarkCancelableTwice},
    {"verifier-used-after-completion", "REQUEST_USED_AFTER_COMPLETION", KtBugUseAfterCompletion},
    {"verifier-memory-after-completion", "REQUEST_USED_AFTER_COMPLETION",
     KtBugMemoryAfterCompletion},
    {"verifier-information-exceeds-buffer", "INFORMATION_EXCEEDS_BUFFER",
     KtBugInformationExceedsBuffer},
    {"verifier-pending-at-remove", "REQUEST_PENDING_AT_REMOVE", KtBugPendingAtRemove},
    {"verifier-spinlock-twice", "SPINLOCK_MISUSE", KtBugSpinLockTwice},
    {"verifier-spinlock-wrong-thread", "SPINLOCK_MISUSE", KtBugSpinLockWrongThread},
    {"verifier-spinlock-held-on-return", "SPINLOCK_MISUSE", KtBugSpinLockHeldOnReturn},
    {"verifier-object-leak", "OBJECT_LEAK", KtBugObjectLeak},
    {"verifier-timer-stop-wait-in-callback", "TIMER_STOP_WAIT_IN_CALLBACK",
     KtBugTimerStopWaitInCallback},
    {"verifier-delete-resource-list", "INVALID_OBJECT_DELETE", KtBugDeleteResourceList},
    {"verifier-resource-list-bad-handle", "INVALID_HANDLE", KtBugResourceListBadHandle},
};

int main(int argc, char **argv)
{
    g_Events = calloc(KT_MAX_EVENTS, sizeof(KT_RECORD));
    const char *scenario = argc > 1 ? argv[1] : "";
    KtSection("kmdf %s", scenario);
    if (strcmp(scenario, "objects") == 0) {
        ScenarioObjects();
    } else if (strcmp(scenario, "sequential") == 0) {
        ScenarioSequential();
    } else if (strcmp(scenario, "parallel") == 0) {
        ScenarioParallel();
    } else if (strcmp(scenario, "zero-length") == 0) {
        ScenarioZeroLength(false);
    } else if (strcmp(scenario, "zero-length-allowed") == 0) {
        ScenarioZeroLength(true);
    } else if (strcmp(scenario, "unsupported") == 0) {
        ScenarioUnsupported();
    } else if (strcmp(scenario, "cancel-queued") == 0) {
        ScenarioCancelQueued();
    } else if (strcmp(scenario, "cancelable") == 0) {
        ScenarioCancelable(1);
    } else if (strcmp(scenario, "cancelable-ex") == 0) {
        ScenarioCancelable(2);
    } else if (strcmp(scenario, "already-cancelled") == 0) {
        ScenarioAlreadyCancelled(false);
    } else if (strcmp(scenario, "already-cancelled-ex") == 0) {
        ScenarioAlreadyCancelled(true);
    } else if (strcmp(scenario, "unmark-not-cancelable") == 0) {
        ScenarioUnmarkNotCancelable();
    } else if (strcmp(scenario, "queue-state-serialized") == 0) {
        ScenarioQueueStateSerialized();
    } else if (strcmp(scenario, "timer-stop-flushes-dpcs") == 0) {
        ScenarioTimerStopFlushesDpcs();
    } else if (strcmp(scenario, "file-callbacks-serialized") == 0) {
        ScenarioFileCallbacksSerialized();
    } else if (strcmp(scenario, "timer") == 0) {
        ScenarioTimer();
    } else if (strcmp(scenario, "timer-completes") == 0) {
        ScenarioTimerCompletes();
    } else if (strcmp(scenario, "serialization-queue") == 0) {
        ScenarioSerialization(false);
    } else if (strcmp(scenario, "serialization-device") == 0) {
        ScenarioSerialization(true);
    } else if (strcmp(scenario, "stop-synchronously") == 0) {
        ScenarioStopSynchronously();
    } else if (strcmp(scenario, "io-stop-acknowledge") == 0) {
        ScenarioIoStop(1);
    } else if (strcmp(scenario, "io-stop-requeue") == 0) {
        ScenarioIoStop(2);
    } else if (strcmp(scenario, "purge-and-drain") == 0) {
        ScenarioPurgeAndDrain();
    } else if (strcmp(scenario, "manual-queue") == 0) {
        ScenarioManualQueue();
    } else if (strcmp(scenario, "passive-queue") == 0) {
        ScenarioPassiveQueue();
    } else if (strcmp(scenario, "dpc-and-work-item") == 0) {
        ScenarioDpcAndWorkItem();
    } else if (strcmp(scenario, "allocation-failure") == 0) {
        ScenarioAllocationFailure();
    } else if (strcmp(scenario, "resource-lists") == 0) {
        ScenarioResourceLists();
    } else if (strcmp(scenario, "static-stop-remove") == 0) {
        ScenarioStaticStopRemove();
    } else if (strcmp(scenario, "pnp-remove") == 0) {
        ScenarioPnp(false);
    } else if (strcmp(scenario, "driver-entry-fails") == 0) {
        ScenarioDriverEntryFails();
    } else if (strcmp(scenario, "pnp-surprise-remove") == 0) {
        ScenarioPnp(true);
    } else {
        bool found = false;
        for (size_t i = 0; i < sizeof(g_VerifierCases) / sizeof(g_VerifierCases[0]); i++) {
            if (strcmp(scenario, g_VerifierCases[i].Name) == 0) {
                ScenarioVerifier(g_VerifierCases[i].Rule, g_VerifierCases[i].Bug);
                found = true;
            }
        }
        if (!found) {
            fprintf(stderr, "unknown scenario '%s'\n", scenario);
            return 2;
        }
    }
    int result = KtFinish();
    free(g_Events);
    return result;
}
