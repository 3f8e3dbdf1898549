/*
 * foreign_client.c - loads the counter driver (foreign/, a KMDF driver that is not part
 * of the project's drivers, built by buildscript_test.sh with scripts/build-host-driver)
 * and talks to it through the host's control and I/O API.
 *
 *   foreign_client MODULE.so STEP
 *
 * STEP is the COUNTER_STEP the module was built with.
 */
#include "khtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What <winioctl.h> and <guiddef.h>/<initguid.h> give a Windows application. */
#define FILE_READ_DATA 0x0001
#define FILE_WRITE_DATA 0x0002
#define METHOD_BUFFERED 0
#define CTL_CODE(DeviceType, Function, Method, Access)                                      \
    (((uint32_t)(DeviceType) << 16) | ((uint32_t)(Access) << 14) | ((uint32_t)(Function) << 2) | \
     (uint32_t)(Method))
typedef struct COUNTER_GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} COUNTER_GUID;
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                          \
    static const COUNTER_GUID name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}

#include <counter/counter_ioctl.h>

#define COUNTER_SERVICE "CounterSample"
#define COUNTER_INSTANCE "ROOT\\COUNTER\\0000"
#define PARALLEL 32

static KT_IO *Ioctl(KH_FILE *File, uint32_t Code, const uint32_t *Input, uint32_t InLength,
                    uint32_t OutLength)
{
    KT_IO *io = KtIoCreate(8, 8);
    if (Input != NULL) {
        memcpy(io->Buffer, Input, InLength < 8 ? InLength : 8);
    }
    KtSubmitIoctl(File, io, Code, InLength, OutLength);
    return io;
}

static uint32_t OutputValue(KT_IO *Io)
{
    uint32_t value;
    memcpy(&value, Io->Output, sizeof value);
    return value;
}

static bool Wait(KT_IO *Io)
{
    return KT_CHECKF(KtIoWait(Io, KT_WAIT_MS), "request did not complete") &&
           KT_CHECK(KtIoCompletions(Io) == 1);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODULE.so STEP\n", argv[0]);
        return 2;
    }
    const char *module = argv[1];
    uint32_t step = (uint32_t)strtoul(argv[2], NULL, 10);
    uint8_t guid[16];
    memcpy(guid, &GUID_DEVINTERFACE_COUNTER, sizeof guid);
    KtVerifierCapture();

    KtSection("load %s", module);
    KT_DEVICE device;
    memset(&device, 0, sizeof device);
    KT_CHECK_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS);
    if (!KT_CHECK_STATUS(KmdfHostLoadDriver(module, COUNTER_SERVICE, &device.Driver),
                         KT_STATUS_SUCCESS)) {
        return KtFinish();
    }
    KH_FILE *file = NULL;
    if (KT_CHECK_STATUS(KtAddAndStart(&device, COUNTER_INSTANCE, guid), KT_STATUS_SUCCESS) &&
        KT_CHECK_STATUS(KtOpen(&device, &file), KT_STATUS_SUCCESS)) {
        KtSection("IOCTL_COUNTER_GET on a new device");
        KT_IO *io = Ioctl(file, IOCTL_COUNTER_GET, NULL, 0, 4);
        if (Wait(io)) {
            KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
            KT_CHECK(io->Information == 4);
            KT_CHECK(OutputValue(io) == 0);
        }
        KtIoFree(io);

        KtSection("IOCTL_COUNTER_ADD adds n times the step the driver was built with");
        uint32_t five = 5;
        io = Ioctl(file, IOCTL_COUNTER_ADD, &five, 4, 4);
        if (Wait(io)) {
            KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
            KT_CHECK(io->Information == 4);
            KT_CHECKF(OutputValue(io) == 5 * step, "value %u, expected %u", OutputValue(io),
                      5 * step);
        }
        KtIoFree(io);

        KtSection("%d additions in flight at once on the parallel queue", PARALLEL);
        KT_IO *many[PARALLEL];
        uint32_t one = 1;
        for (int i = 0; i < PARALLEL; i++) {
            many[i] = Ioctl(file, IOCTL_COUNTER_ADD, &one, 4, 4);
        }
        for (int i = 0; i < PARALLEL; i++) {
            if (Wait(many[i])) {
                KT_CHECK_STATUS(many[i]->Status, KT_STATUS_SUCCESS);
            }
        }
        for (int i = 0; i < PARALLEL; i++) {
            KtIoFree(many[i]);
        }
        io = Ioctl(file, IOCTL_COUNTER_GET, NULL, 0, 4);
        if (Wait(io)) {
            KT_CHECKF(OutputValue(io) == (5 + PARALLEL) * step, "value %u, expected %u",
                      OutputValue(io), (5 + PARALLEL) * step);
        }
        KtIoFree(io);

        KtSection("an input buffer too small for IOCTL_COUNTER_ADD fails");
        io = Ioctl(file, IOCTL_COUNTER_ADD, &one, 2, 4);
        if (Wait(io)) {
            KT_CHECKF(!KT_NT_SUCCESS(io->Status), "status 0x%08x", (unsigned)io->Status);
            KT_CHECK(io->Information == 0);
        }
        KtIoFree(io);

        KtSection("an unknown control code and a read fail with STATUS_INVALID_DEVICE_REQUEST");
        io = Ioctl(file, CTL_CODE(COUNTER_DEVICE_TYPE, 0x8ff, METHOD_BUFFERED, 0), NULL, 0, 4);
        if (Wait(io)) {
            KT_CHECK_STATUS(io->Status, KT_STATUS_INVALID_DEVICE_REQUEST);
        }
        KtIoFree(io);
        io = KtIoCreate(8, 0);
        KtSubmitRead(file, io, 8);
        if (Wait(io)) {
            KT_CHECK_STATUS(io->Status, KT_STATUS_INVALID_DEVICE_REQUEST);
        }
        KtIoFree(io);
    }
    KtCloseFile(file);
    KtTeardown(&device, "for the counter driver");
    KtVerifierReset();
    return KtFinish();
}
