/*
 * battery_test.c - the battery class driver (battc) through batdriver.so, a miniclass
 * of our own: a program opens the battery by its interface (GUID_DEVICE_BATTERY) and
 * sends the battery IOCTLs, with the semantics Microsoft documents for them
 * (https://learn.microsoft.com/windows/win32/power/battery-information):
 *   - IOCTL_BATTERY_QUERY_TAG fails at once with STATUS_NO_SUCH_DEVICE
 *     (ERROR_FILE_NOT_FOUND) when there is no battery and the time-out is 0, waits for a
 *     battery when it is -1 (answering with the tag of the one inserted), fails after its
 *     time-out otherwise, and is cancelled like any request;
 *   - IOCTL_BATTERY_QUERY_INFORMATION returns what the miniclass answers for the level
 *     and tag (a stale tag: STATUS_NO_SUCH_DEVICE; a short buffer: STATUS_BUFFER_TOO_SMALL);
 *   - IOCTL_BATTERY_QUERY_STATUS answers at once with time-out 0; otherwise waits until
 *     the power state differs, the capacity leaves [LowCapacity, HighCapacity] or the
 *     time-out passes, having asked the miniclass to notify it (SetStatusNotify with the
 *     same conditions); a tag change fails it with STATUS_NO_SUCH_DEVICE;
 *   - IOCTL_BATTERY_SET_INFORMATION reaches the miniclass's SetInformation;
 *   - another control code is the miniclass's own (here the framework's answer,
 *     STATUS_INVALID_DEVICE_REQUEST, as the driver has no queue for it);
 *   - the interface goes away when the device is removed (BatteryClassUnload).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "khtest.h"

#define STATUS_NO_SUCH_DEVICE ((KH_STATUS)0xC000000E)
#define STATUS_INVALID_PARAMETER ((KH_STATUS)0xC000000D)
#define STATUS_NOT_SUPPORTED ((KH_STATUS)0xC00000BB)

/* poclass.h's control codes: CTL_CODE(FILE_DEVICE_BATTERY (0x29), function, METHOD_BUFFERED, access). */
#define BT_CTL(Function, Access) ((0x29u << 16) | ((Access) << 14) | ((Function) << 2))
#define IOCTL_BATTERY_QUERY_TAG BT_CTL(0x10, 1)
#define IOCTL_BATTERY_QUERY_INFORMATION BT_CTL(0x11, 1)
#define IOCTL_BATTERY_SET_INFORMATION BT_CTL(0x12, 2)
#define IOCTL_BATTERY_QUERY_STATUS BT_CTL(0x13, 1)

#define BATTERY_POWER_ON_LINE 0x1
#define BATTERY_DISCHARGING 0x2
#define BATTERY_CHARGING 0x4

typedef struct {
    uint32_t BatteryTag;
    uint32_t Timeout;
    uint32_t PowerState;
    uint32_t LowCapacity;
    uint32_t HighCapacity;
} WAIT_STATUS;

typedef struct {
    uint32_t PowerState;
    uint32_t Capacity;
    uint32_t Voltage;
    int32_t Rate;
} STATUS;

typedef struct {
    uint32_t Capabilities;
    uint8_t Technology;
    uint8_t Reserved[3];
    uint8_t Chemistry[4];
    uint32_t DesignedCapacity;
    uint32_t FullChargedCapacity;
    uint32_t DefaultAlert1;
    uint32_t DefaultAlert2;
    uint32_t CriticalBias;
    uint32_t CycleCount;
} INFORMATION;

static void (*SetTag)(uint32_t);
static void (*SetStatus)(uint32_t, uint32_t);
static int32_t (*WaitNotify)(int32_t, uint32_t, uint32_t[3]);
static uint32_t (*CriticalBias)(void);

static KT_IO *Ioctl(KH_FILE *File, uint32_t Code, const void *In, uint32_t InLength, uint32_t OutLength)
{
    KT_IO *io = KtIoCreate(InLength ? InLength : 1, OutLength ? OutLength : 1);
    if (InLength) {
        memcpy(io->Buffer, In, InLength);
    }
    KtSubmitIoctl(File, io, Code, InLength, OutLength);
    return io;
}

/* Sends a request and waits for it; returns its status (Information in *Info). */
static KH_STATUS Call(KH_FILE *File, uint32_t Code, const void *In, uint32_t InLength, void *Out,
                      uint32_t OutLength, uint64_t *Info)
{
    KT_IO *io = Ioctl(File, Code, In, InLength, OutLength);
    KT_CHECK(KtIoWait(io, 10000));
    KH_STATUS status = io->Status;
    if (Out != NULL) {
        memcpy(Out, io->Output, OutLength);
    }
    if (Info != NULL) {
        *Info = io->Information;
    }
    KtIoFree(io);
    return status;
}

static void TestTag(KH_FILE *File)
{
    KtSection("IOCTL_BATTERY_QUERY_TAG");
    uint32_t timeout = 0, tag = 0;
    uint64_t info = 0;
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_TAG, &timeout, 4, &tag, 4, NULL), STATUS_NO_SUCH_DEVICE);

    /* A battery's time-out: fails once it has passed, not before. */
    timeout = 150;
    uint64_t start = KtNowNs();
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_TAG, &timeout, 4, &tag, 4, NULL), STATUS_NO_SUCH_DEVICE);
    KT_CHECK(KtNowNs() - start >= 150ull * 1000000ull);

    /* -1: waits until a battery is inserted, then answers with its tag. */
    timeout = 0xFFFFFFFFu;
    KT_IO *io = Ioctl(File, IOCTL_BATTERY_QUERY_TAG, &timeout, 4, 4);
    KT_CHECK_STATUS(io->SubmitStatus, KT_STATUS_PENDING);
    KT_CHECK(!KtIoDone(io));
    SetTag(7);
    KT_CHECK(KtIoWait(io, 10000));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == 4);
    memcpy(&tag, io->Output, 4);
    KT_CHECK(tag == 7);
    KtIoFree(io);

    timeout = 0;
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_TAG, &timeout, 4, &tag, 4, &info), KT_STATUS_SUCCESS);
    KT_CHECK(tag == 7 && info == 4);
    /* No room for the tag; no time-out given. */
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_TAG, &timeout, 4, NULL, 0, NULL), KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_TAG, NULL, 0, &tag, 4, NULL), STATUS_INVALID_PARAMETER);
}

static void TestCancel(KH_FILE *File)
{
    KtSection("a waiting IOCTL_BATTERY_QUERY_TAG is cancelled");
    SetTag(0);
    uint32_t timeout = 0xFFFFFFFFu;
    KT_IO *io = Ioctl(File, IOCTL_BATTERY_QUERY_TAG, &timeout, 4, 4);
    KT_CHECK_STATUS(io->SubmitStatus, KT_STATUS_PENDING);
    KT_CHECK(KmdfHostCancelIo(File, io) == 1);
    KT_CHECK(KtIoWait(io, 10000));
    KT_CHECK_STATUS(io->Status, KT_STATUS_CANCELLED);
    KtIoFree(io);
    SetTag(7);
}

static void TestInformation(KH_FILE *File)
{
    KtSection("IOCTL_BATTERY_QUERY_INFORMATION");
    uint32_t query[3] = {7, 0 /* BatteryInformation */, 0};
    INFORMATION information;
    uint64_t info = 0;
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_INFORMATION, query, sizeof query, &information, sizeof information,
                         &info),
                    KT_STATUS_SUCCESS);
    KT_CHECK(info == sizeof information);
    KT_CHECK(information.DesignedCapacity == 50000 && information.FullChargedCapacity == 48000);
    KT_CHECK(memcmp(information.Chemistry, "LION", 4) == 0 && information.CycleCount == 42);

    query[1] = 4; /* BatteryDeviceName: UTF-16 */
    uint16_t name[32];
    memset(name, 0, sizeof name);
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_INFORMATION, query, sizeof query, name, sizeof name, &info),
                    KT_STATUS_SUCCESS);
    char ascii[32];
    size_t i = 0;
    for (; i + 1 < sizeof ascii && name[i] != 0; i++) {
        ascii[i] = (char)name[i];
    }
    ascii[i] = 0;
    KT_CHECK(strcmp(ascii, "Host Battery") == 0);
    KT_CHECK(info == 13 * 2);

    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_INFORMATION, query, sizeof query, name, 4, NULL),
                    KT_STATUS_BUFFER_TOO_SMALL);
    query[0] = 6; /* a stale tag */
    query[1] = 0;
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_INFORMATION, query, sizeof query, &information, sizeof information,
                         NULL),
                    STATUS_NO_SUCH_DEVICE);
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_INFORMATION, query, 4, &information, sizeof information, NULL),
                    STATUS_INVALID_PARAMETER);
}

static void TestStatus(KH_FILE *File)
{
    KtSection("IOCTL_BATTERY_QUERY_STATUS");
    SetStatus(BATTERY_DISCHARGING, 30000);
    WAIT_STATUS wait = {7, 0, BATTERY_DISCHARGING, 29000, 31000};
    STATUS status;
    uint64_t info = 0;
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_STATUS, &wait, sizeof wait, &status, sizeof status, &info),
                    KT_STATUS_SUCCESS);
    KT_CHECK(info == sizeof status && status.PowerState == BATTERY_DISCHARGING && status.Capacity == 30000);

    /* Waits while the battery stays within the conditions; the class asked the
       miniclass to tell it of a change with those very conditions. */
    uint32_t last[3];
    int32_t before = WaitNotify(0, 0, last);
    wait.Timeout = 0xFFFFFFFFu;
    KT_IO *io = Ioctl(File, IOCTL_BATTERY_QUERY_STATUS, &wait, sizeof wait, sizeof status);
    KT_CHECK_STATUS(io->SubmitStatus, KT_STATUS_PENDING);
    KT_CHECK(WaitNotify(before + 1, 10000, last) >= before + 1);
    KT_CHECK(last[0] == BATTERY_DISCHARGING && last[1] == 29000 && last[2] == 31000);
    SetStatus(BATTERY_DISCHARGING, 29500); /* still inside: looked at again, waits on */
    KT_CHECK(WaitNotify(before + 2, 10000, last) >= before + 2);
    KT_CHECK(!KtIoDone(io));
    SetStatus(BATTERY_DISCHARGING, 28000); /* below LowCapacity */
    KT_CHECK(KtIoWait(io, 10000));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    memcpy(&status, io->Output, sizeof status);
    KT_CHECK(status.Capacity == 28000);
    KtIoFree(io);

    /* A power state change answers too. */
    wait.LowCapacity = 27000;
    wait.HighCapacity = 29000;
    io = Ioctl(File, IOCTL_BATTERY_QUERY_STATUS, &wait, sizeof wait, sizeof status);
    KT_CHECK_STATUS(io->SubmitStatus, KT_STATUS_PENDING);
    SetStatus(BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 28000);
    KT_CHECK(KtIoWait(io, 10000));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    memcpy(&status, io->Output, sizeof status);
    KT_CHECK(status.PowerState == (BATTERY_POWER_ON_LINE | BATTERY_CHARGING));
    KtIoFree(io);

    /* The time-out answers with the status as it is. */
    wait.PowerState = BATTERY_POWER_ON_LINE | BATTERY_CHARGING;
    wait.Timeout = 150;
    uint64_t start = KtNowNs();
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_STATUS, &wait, sizeof wait, &status, sizeof status, NULL),
                    KT_STATUS_SUCCESS);
    KT_CHECK(KtNowNs() - start >= 150ull * 1000000ull);
    KT_CHECK(status.Capacity == 28000);

    /* A new battery (a new tag) ends the wait with STATUS_NO_SUCH_DEVICE. */
    wait.Timeout = 0xFFFFFFFFu;
    io = Ioctl(File, IOCTL_BATTERY_QUERY_STATUS, &wait, sizeof wait, sizeof status);
    KT_CHECK_STATUS(io->SubmitStatus, KT_STATUS_PENDING);
    SetTag(8);
    KT_CHECK(KtIoWait(io, 10000));
    KT_CHECK_STATUS(io->Status, STATUS_NO_SUCH_DEVICE);
    KtIoFree(io);
    SetTag(7);

    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_STATUS, &wait, 8, &status, sizeof status, NULL),
                    STATUS_INVALID_PARAMETER);
    wait.Timeout = 0;
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_QUERY_STATUS, &wait, sizeof wait, &status, 8, NULL),
                    KT_STATUS_BUFFER_TOO_SMALL);
}

static void TestSetInformation(KH_FILE *File)
{
    KtSection("IOCTL_BATTERY_SET_INFORMATION, another control code");
    uint32_t set[3] = {7, 0 /* BatteryCriticalBias */, 350};
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_SET_INFORMATION, set, sizeof set, NULL, 0, NULL), KT_STATUS_SUCCESS);
    KT_CHECK(CriticalBias() == 350);
    set[1] = 1; /* BatteryCharge: this miniclass does not support it */
    KT_CHECK_STATUS(Call(File, IOCTL_BATTERY_SET_INFORMATION, set, sizeof set, NULL, 0, NULL), STATUS_NOT_SUPPORTED);
    KT_CHECK_STATUS(Call(File, BT_CTL(0x800, 0), NULL, 0, NULL, 0, NULL), KT_STATUS_INVALID_DEVICE_REQUEST);
}

int main(void)
{
    KT_DEVICE dev;
    memset(&dev, 0, sizeof dev);
    uint8_t battery[16];
    KtGuid(battery, 0x72631e54, 0x78a4, 0x11d0, 0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7, 0xb3, 0x2a);
    KtVerifierCapture();
    KT_CHECK_STATUS(KtLoadDriver(&dev, "batdriver.so", "BatTest"), KT_STATUS_SUCCESS);
    char path[512];
    KT_CHECK(KtDriverPath("batdriver.so", path, sizeof path));
    void *module = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    KT_CHECK(module != NULL);
    if (module == NULL) {
        return KtFinish();
    }
    SetTag = (void (*)(uint32_t))dlsym(module, "BtSetTag");
    SetStatus = (void (*)(uint32_t, uint32_t))dlsym(module, "BtSetStatus");
    WaitNotify = (int32_t(*)(int32_t, uint32_t, uint32_t[3]))dlsym(module, "BtWaitNotify");
    CriticalBias = (uint32_t(*)(void))dlsym(module, "BtCriticalBias");
    KT_CHECK(SetTag && SetStatus && WaitNotify && CriticalBias);

    KtSection("the battery's interface (GUID_DEVICE_BATTERY)");
    KT_CHECK_STATUS(KtAddAndStart(&dev, "ROOT\\BATTERY\\0000", battery), KT_STATUS_SUCCESS);
    KH_FILE *file = NULL;
    KT_CHECK_STATUS(KtOpen(&dev, &file), KT_STATUS_SUCCESS);
    if (file != NULL) {
        TestTag(file);
        TestCancel(file);
        TestInformation(file);
        TestStatus(file);
        TestSetInformation(file);

        /* A request still waiting when the handle goes is cancelled with it. */
        uint32_t timeout = 0xFFFFFFFFu;
        SetTag(0);
        KT_IO *io = Ioctl(file, IOCTL_BATTERY_QUERY_TAG, &timeout, 4, 4);
        KT_CHECK_STATUS(io->SubmitStatus, KT_STATUS_PENDING);
        KtCloseFile(file);
        KT_CHECK(KtIoWait(io, 10000));
        KT_CHECK_STATUS(io->Status, KT_STATUS_CANCELLED);
        KtIoFree(io);
    }
    KtTeardown(&dev, "after the battery tests");

    KtSection("the interface goes with the device");
    size_t required = 0;
    char list[4];
    KH_STATUS status = KmdfHostGetInterfaceList(battery, list, sizeof list, &required);
    KT_CHECK(KT_NT_SUCCESS(status) && required <= 2);
    return KtFinish();
}
