/*
 * wmi_test.c - WMI through the host's WMI client API (KmdfHostWmi*) and wmi_driver.c, a
 * KMDF WMI provider: the device registers with WMI when it starts and deregisters when
 * it is removed; queries, sets, methods and events reach the instance and provider
 * callbacks with the WMI statuses the documentation gives.
 *
 *   wmi_test SCENARIO     (life-cycle, bad-input)
 */
#include <stdio.h>
#include <string.h>

#include "khtest.h"

#define ST_WMI_GUID_NOT_FOUND ((KH_STATUS)0xC0000295)
#define ST_WMI_INSTANCE_NOT_FOUND ((KH_STATUS)0xC0000296)
#define ST_WMI_ITEMID_NOT_FOUND ((KH_STATUS)0xC0000297)
#define ST_WMI_READ_ONLY ((KH_STATUS)0xC00002C6)
#define ST_WMI_SET_FAILURE ((KH_STATUS)0xC00002C7)
#define WMIREG_FLAG_EVENT_ONLY_GUID 0x40u

/* KhWmi.mof's blocks and methods. */
static uint8_t CounterGuid[16], FixedGuid[16], ChangedGuid[16], UnknownGuid[16];
enum { MethodAdd = 1, MethodHide = 2, MethodMisuse = 3, MethodConsumed = 4, MethodAnnounce = 5 };
typedef struct {
    uint32_t Value;
    uint32_t Scale;
} COUNTER;

static void Guids(void)
{
    KtGuid(CounterGuid, 0x3F1D7A20, 0x5B6C, 0x4E8F, 0x9A, 0x0B, 0x1C, 0x2D, 0x3E, 0x4F, 0x5A, 0x60);
    KtGuid(FixedGuid, 0x3F1D7A21, 0x5B6C, 0x4E8F, 0x9A, 0x0B, 0x1C, 0x2D, 0x3E, 0x4F, 0x5A, 0x60);
    KtGuid(ChangedGuid, 0x3F1D7A22, 0x5B6C, 0x4E8F, 0x9A, 0x0B, 0x1C, 0x2D, 0x3E, 0x4F, 0x5A, 0x60);
    KtGuid(UnknownGuid, 0x3F1D7A2F, 0x5B6C, 0x4E8F, 0x9A, 0x0B, 0x1C, 0x2D, 0x3E, 0x4F, 0x5A, 0x60);
}

/* The events written, as a WMI consumer would receive them. */
static struct {
    pthread_mutex_t Mutex;
    int Count;
    uint8_t Guid[16];
    uint32_t Index;
    uint32_t Value;
    uint32_t Size;
    KT_EVENT Arrived;
} Events = {.Mutex = PTHREAD_MUTEX_INITIALIZER, .Count = 0};

static void OnEvent(void *Context, const uint8_t Guid[16], uint32_t InstanceIndex, const void *Data, uint32_t DataSize)
{
    (void)Context;
    pthread_mutex_lock(&Events.Mutex);
    Events.Count++;
    memcpy(Events.Guid, Guid, 16);
    Events.Index = InstanceIndex;
    Events.Size = DataSize;
    Events.Value = 0;
    if (DataSize >= 4) {
        memcpy(&Events.Value, Data, 4);
    }
    pthread_mutex_unlock(&Events.Mutex);
    KtEventSet(&Events.Arrived);
}

static int EventCount(void)
{
    pthread_mutex_lock(&Events.Mutex);
    int count = Events.Count;
    pthread_mutex_unlock(&Events.Mutex);
    return count;
}

static const KH_WMI_BLOCK *FindBlock(const KH_WMI_BLOCK *Blocks, size_t Count, const uint8_t Guid[16])
{
    for (size_t i = 0; i < Count; i++) {
        if (memcmp(Blocks[i].Guid, Guid, 16) == 0) {
            return &Blocks[i];
        }
    }
    return NULL;
}

static bool Start(KT_DEVICE *Device)
{
    memset(Device, 0, sizeof(*Device));
    if (!KT_CHECK_STATUS(KtLoadDriver(Device, "wmi_driver.so", "KhWmi"), KT_STATUS_SUCCESS)) {
        return false;
    }
    if (!KT_CHECK_STATUS(KmdfHostAddDevice(Device->Driver, "ROOT\\KHWMI\\0000", &Device->Node), KT_STATUS_SUCCESS)) {
        return false;
    }
    return KT_CHECK_STATUS(KmdfHostStartDevice(Device->Node), KT_STATUS_SUCCESS);
}

static void ScenarioLifeCycle(void)
{
    KH_WMI_BLOCK blocks[8];
    size_t count = 99;
    KtSection("no device is registered with WMI before the driver's device starts");
    KT_CHECK_STATUS(KmdfHostWmiListBlocks(blocks, 8, &count), KT_STATUS_SUCCESS);
    KT_CHECK(count == 0);

    KT_DEVICE device;
    if (!Start(&device)) {
        KtRemoveAndUnload(&device);
        return;
    }
    KtSection("the started device registered its three blocks (IRP_MN_REGINFO_EX)");
    KT_CHECK_STATUS(KmdfHostWmiListBlocks(blocks, 8, &count), KT_STATUS_SUCCESS);
    KT_CHECKF(count == 3, "%zu blocks", count);
    const KH_WMI_BLOCK *b = FindBlock(blocks, count, CounterGuid);
    KT_CHECK(b != NULL && b->InstanceCount == 2);
    b = FindBlock(blocks, count, FixedGuid);
    KT_CHECK(b != NULL && b->InstanceCount == 1);
    b = FindBlock(blocks, count, ChangedGuid);
    KT_CHECK(b != NULL && b->InstanceCount == 1 && (b->Flags & WMIREG_FLAG_EVENT_ONLY_GUID));
    KT_CHECK_STATUS(KmdfHostWmiListBlocks(blocks, 2, &count), KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(count == 3);

    KtSection("EvtWmiInstanceQueryInstance answers each instance");
    COUNTER c = {0, 0};
    uint32_t size = 0;
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 0, &c, sizeof(c), &size), KT_STATUS_SUCCESS);
    KT_CHECKF(size == 8 && c.Value == 10 && c.Scale == 1, "size %u value %u scale %u", size, c.Value, c.Scale);
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 1, &c, sizeof(c), &size), KT_STATUS_SUCCESS);
    KT_CHECK(size == 8 && c.Value == 20);

    KtSection("a buffer below MinInstanceBufferSize: STATUS_BUFFER_TOO_SMALL with the size needed");
    uint32_t small = 0;
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 0, &small, sizeof(small), &size),
                    KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECKF(size == 8, "size needed %u", size);

    KtSection("unknown GUID and instance: STATUS_WMI_GUID_NOT_FOUND, STATUS_WMI_INSTANCE_NOT_FOUND");
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(UnknownGuid, 0, &c, sizeof(c), &size), ST_WMI_GUID_NOT_FOUND);
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 2, &c, sizeof(c), &size), ST_WMI_INSTANCE_NOT_FOUND);

    KtSection("EvtWmiInstanceSetInstance and SetItem change what the next query returns");
    COUNTER set = {42, 3};
    KT_CHECK_STATUS(KmdfHostWmiSetInstance(CounterGuid, 0, &set, sizeof(set)), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 0, &c, sizeof(c), &size), KT_STATUS_SUCCESS);
    KT_CHECK(c.Value == 42 && c.Scale == 3);
    uint32_t seven = 7;
    KT_CHECK_STATUS(KmdfHostWmiSetItem(CounterGuid, 1, 1, &seven, sizeof(seven)), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 1, &c, sizeof(c), &size), KT_STATUS_SUCCESS);
    KT_CHECK(c.Value == 7 && c.Scale == 1);
    KT_CHECK_STATUS(KmdfHostWmiSetItem(CounterGuid, 1, 9, &seven, sizeof(seven)), ST_WMI_ITEMID_NOT_FOUND);
    KtSection("a set below MinInstanceBufferSize, or too short an item: STATUS_WMI_SET_FAILURE");
    KT_CHECK_STATUS(KmdfHostWmiSetInstance(CounterGuid, 0, &set, 4), ST_WMI_SET_FAILURE);
    KT_CHECK_STATUS(KmdfHostWmiSetItem(CounterGuid, 0, 1, &seven, 2), ST_WMI_SET_FAILURE);

    KtSection("UseContextForQuery: the context is the data; no set callback: STATUS_WMI_READ_ONLY");
    uint8_t fixed[16];
    memset(fixed, 0xEE, sizeof(fixed));
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(FixedGuid, 0, fixed, sizeof(fixed), &size), KT_STATUS_SUCCESS);
    uint64_t serial;
    uint16_t version;
    memcpy(&serial, fixed, 8);
    memcpy(&version, fixed + 8, 2);
    KT_CHECKF(size == 16 && serial == 0x1122334455667788ull && version == 7, "size %u", size);
    KT_CHECK_STATUS(KmdfHostWmiSetInstance(FixedGuid, 0, fixed, 16), ST_WMI_READ_ONLY);
    KT_CHECK_STATUS(KmdfHostWmiSetItem(FixedGuid, 0, 1, fixed, 8), ST_WMI_READ_ONLY);

    KtSection("EvtWmiInstanceExecuteMethod: input in, output out");
    uint32_t amount = 5, result = 0;
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, MethodAdd, &amount, 4, &result, 4, &size),
                    KT_STATUS_SUCCESS);
    KT_CHECKF(size == 4 && result == 42 + 5 * 3, "size %u result %u", size, result);
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, MethodAdd, &amount, 4, &result, 2, &size),
                    KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECKF(size == 4, "output size needed %u", size);
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, 77, NULL, 0, NULL, 0, &size), ST_WMI_ITEMID_NOT_FOUND);
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(FixedGuid, 0, 1, NULL, 0, NULL, 0, &size),
                    KT_STATUS_INVALID_DEVICE_REQUEST);

    KtSection("IRP_MN_QUERY_ALL_DATA: every instance");
    uint8_t all[64];
    uint32_t offsets[4], lengths[4], instances = 0;
    KT_CHECK_STATUS(KmdfHostWmiQueryAllData(CounterGuid, all, sizeof(all), &size, offsets, lengths, 4, &instances),
                    KT_STATUS_SUCCESS);
    KT_CHECKF(instances == 2 && lengths[0] == 8 && lengths[1] == 8, "%u instances", instances);
    if (instances == 2) {
        COUNTER first, second;
        memcpy(&first, all + offsets[0], 8);
        memcpy(&second, all + offsets[1], 8);
        KT_CHECK(first.Value == 42 && second.Value == 7 && offsets[1] % 8 == 0);
    }
    KT_CHECK_STATUS(KmdfHostWmiQueryAllData(CounterGuid, all, 12, &size, offsets, lengths, 4, &instances),
                    KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECKF(size == 16, "all data needs %u", size);

    KtSection("events: none before WMI enables them; after, one per set, with the new value");
    KtEventInit(&Events.Arrived);
    KmdfHostWmiSetEventCallback(OnEvent, NULL);
    set.Value = 100;
    KT_CHECK_STATUS(KmdfHostWmiSetInstance(CounterGuid, 0, &set, sizeof(set)), KT_STATUS_SUCCESS);
    KT_CHECK(EventCount() == 0);
    KT_CHECK_STATUS(KmdfHostWmiEnable(ChangedGuid, 1, 1), KT_STATUS_SUCCESS);
    set.Value = 101;
    KT_CHECK_STATUS(KmdfHostWmiSetInstance(CounterGuid, 0, &set, sizeof(set)), KT_STATUS_SUCCESS);
    KT_CHECK(KtEventWait(&Events.Arrived, KT_WAIT_MS));
    pthread_mutex_lock(&Events.Mutex);
    KT_CHECK(Events.Count == 1 && memcmp(Events.Guid, ChangedGuid, 16) == 0 && Events.Index == 0 &&
             Events.Size == 4 && Events.Value == 101);
    pthread_mutex_unlock(&Events.Mutex);
    KT_CHECK_STATUS(KmdfHostWmiEnable(ChangedGuid, 1, 0), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostWmiSetItem(CounterGuid, 0, 1, &seven, sizeof(seven)), KT_STATUS_SUCCESS);
    KT_CHECK(EventCount() == 1);
    KT_CHECK_STATUS(KmdfHostWmiEnable(UnknownGuid, 1, 1), ST_WMI_GUID_NOT_FOUND);
    KtSection("IoWMIWriteEvent with a dynamic instance name: no index, the data");
    KtEventReset(&Events.Arrived);
    uint32_t announced = 555;
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, MethodAnnounce, &announced, 4, NULL, 0, &size),
                    KT_STATUS_SUCCESS);
    KT_CHECK(KtEventWait(&Events.Arrived, KT_WAIT_MS));
    pthread_mutex_lock(&Events.Mutex);
    KT_CHECKF(Events.Count == 2 && Events.Index == 0xFFFFFFFFu && Events.Size == 4 && Events.Value == 555,
              "count %d index %u size %u value %u", Events.Count, Events.Index, Events.Size, Events.Value);
    pthread_mutex_unlock(&Events.Mutex);
    KmdfHostWmiSetEventCallback(NULL, NULL);
    KtSection("a kernel-mode consumer (IoWMIOpenBlock, IoWMISetNotificationCallback) got both events too");
    uint32_t consumed = 0;
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, MethodConsumed, NULL, 0, &consumed, 4, &size),
                    KT_STATUS_SUCCESS);
    KT_CHECKF(size == 4 && consumed == 2, "consumed %u", consumed);

    KtSection("WdfWmiInstanceDeregister: the instance disappears from WMI");
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, MethodHide, NULL, 0, NULL, 0, &size),
                    KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostWmiListBlocks(blocks, 8, &count), KT_STATUS_SUCCESS);
    b = FindBlock(blocks, count, CounterGuid);
    KT_CHECK(b != NULL && b->InstanceCount == 1);
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 0, &c, sizeof(c), &size), KT_STATUS_SUCCESS);
    KT_CHECKF(c.Value == 7, "the remaining instance is the second counter (value %u)", c.Value);
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 1, &c, sizeof(c), &size), ST_WMI_INSTANCE_NOT_FOUND);

    KtSection("removal deregisters the device");
    KT_CHECK_STATUS(KmdfHostRemoveDevice(device.Node), KT_STATUS_SUCCESS);
    device.Node = NULL;
    KT_CHECK_STATUS(KmdfHostWmiListBlocks(blocks, 8, &count), KT_STATUS_SUCCESS);
    KT_CHECK(count == 0);
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(CounterGuid, 0, &c, sizeof(c), &size), ST_WMI_GUID_NOT_FOUND);
    KtTeardown(&device, "after the WMI provider's life cycle");
    KtEventDestroy(&Events.Arrived);
}

/* WMI methods called wrongly get the verifier's report and the documented status. */
static void ScenarioBadInput(void)
{
    KT_DEVICE device;
    KtVerifierCapture();
    if (!Start(&device)) {
        KtRemoveAndUnload(&device);
        return;
    }
    uint32_t how = 1, size = 0;
    KtSection("WdfWmiInstanceFireEvent at DISPATCH_LEVEL: IRQL_TOO_HIGH_FOR_DDI");
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, MethodMisuse, &how, 4, NULL, 0, &size),
                    KT_STATUS_SUCCESS);
    KT_CHECK(KtVerifierCount("IRQL_TOO_HIGH_FOR_DDI") == 1);
    KtSection("WdfWmiInstanceRegister(NULL): INVALID_HANDLE, STATUS_INVALID_HANDLE");
    how = 2;
    KT_CHECK_STATUS(KmdfHostWmiExecuteMethod(CounterGuid, 0, MethodMisuse, &how, 4, NULL, 0, &size),
                    KT_STATUS_SUCCESS);
    KT_CHECK(KtVerifierCount("INVALID_HANDLE") == 1);
    KT_CHECK(KtVerifierCount(NULL) == 2);
    KtVerifierReset();
    KtSection("the client API's own bad arguments");
    KT_CHECK_STATUS(KmdfHostWmiQueryInstance(NULL, 0, NULL, 0, &size), (KH_STATUS)0xC000000D);
    KT_CHECK_STATUS(KmdfHostWmiListBlocks(NULL, 0, NULL), (KH_STATUS)0xC000000D);
    KtTeardown(&device, "after the bad input");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s life-cycle|bad-input\n", argv[0]);
        return 2;
    }
    Guids();
    if (strcmp(argv[1], "life-cycle") == 0) {
        ScenarioLifeCycle();
    } else if (strcmp(argv[1], "bad-input") == 0) {
        ScenarioBadInput();
    } else {
        fprintf(stderr, "unknown scenario %s\n", argv[1]);
        return 2;
    }
    return KtFinish();
}
