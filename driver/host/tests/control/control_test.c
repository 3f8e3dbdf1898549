/*
 * control_test.c - control devices (WdfControlDeviceInitAllocate, WdfControlFinishInitializing)
 * and symbolic links (WdfDeviceCreateSymbolicLink), through ctl_driver.c, a non-PnP
 * driver: loading it creates the device, a program opens it by its link (\\.\KhCtlTest),
 * unloading deletes the device and its link.
 *
 *   control_test SCENARIO
 */
#include <stdio.h>
#include <string.h>

#include "khtest.h"

#define CTL_FN(function) ((0x8124u << 16) | ((function) << 2))
#define IOCTL_CTL_ECHO CTL_FN(0x800)
#define IOCTL_CTL_LINK_AGAIN CTL_FN(0x801)
#define ST_NO_SUCH_DEVICE ((KH_STATUS)0xC000000E)

static const char LinkPath[] = "\\\\.\\KhCtlTest";

static KH_STATUS Ioctl(KH_FILE *File, uint32_t Code, const char *In, uint32_t Length, KT_IO **Out)
{
    KT_IO *io = KtIoCreate(Length ? Length : 1, Length ? Length : 1);
    if (Length != 0) {
        memcpy(io->Buffer, In, Length);
    }
    KtSubmitIoctl(File, io, Code, Length, Length);
    KH_STATUS status = KT_CHECK(KtIoWait(io, KT_WAIT_MS)) ? io->Status : (KH_STATUS)0xC0000001;
    *Out = io;
    return status;
}

/* Load creates the device; it answers through its link; unload removes both. */
static void ScenarioLifeCycle(void)
{
    KT_DEVICE device;
    if (!KT_CHECK_STATUS(KtLoadDriver(&device, "ctl_driver.so", "CtlDriver"), KT_STATUS_SUCCESS)) {
        return;
    }
    KH_FILE *file = NULL;
    if (KT_CHECK_STATUS(KmdfHostCreateFile(LinkPath, &file), KT_STATUS_SUCCESS)) {
        KT_IO *io;
        KT_CHECK_STATUS(Ioctl(file, IOCTL_CTL_ECHO, "control", 7, &io), KT_STATUS_SUCCESS);
        KT_CHECK(io->Information == 7 && memcmp(io->Output, "control", 7) == 0);
        KtIoFree(io);
        KT_CHECKF(Ioctl(file, IOCTL_CTL_LINK_AGAIN, NULL, 0, &io) == KT_STATUS_SUCCESS,
                  "a second symbolic link and an empty name give STATUS_INVALID_DEVICE_REQUEST");
        KtIoFree(io);
        KtCloseFile(file);
    }
    KtRemoveAndUnload(&device);
    KT_CHECK_STATUS(KmdfHostCreateFile(LinkPath, &file), KT_STATUS_OBJECT_NAME_NOT_FOUND);
    KtCheckNoVerifierReports("after the control device's life cycle");
}

/* The driver unloads while a file is still open on its control device: the device
   object lingers for the open file, whose I/O then fails, and closes cleanly. */
static void ScenarioUnloadWithOpenFile(void)
{
    KT_DEVICE device;
    if (!KT_CHECK_STATUS(KtLoadDriver(&device, "ctl_driver.so", "CtlDriver"), KT_STATUS_SUCCESS)) {
        return;
    }
    KH_FILE *file = NULL;
    if (KT_CHECK_STATUS(KmdfHostCreateFile(LinkPath, &file), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&device);
        KT_IO *io;
        KH_STATUS status = Ioctl(file, IOCTL_CTL_ECHO, "late", 4, &io);
        KT_CHECKF(!KT_NT_SUCCESS(status), "I/O on a file of a deleted control device fails (0x%08x)",
                  (unsigned)status);
        KtIoFree(io);
        KtCloseFile(file);
    } else {
        KtRemoveAndUnload(&device);
    }
    KtCheckNoVerifierReports("after unloading with a file open");
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "life-cycle") == 0) {
        KtSection("life-cycle");
        ScenarioLifeCycle();
        return KtFinish();
    }
    if (argc == 2 && strcmp(argv[1], "unload-with-open-file") == 0) {
        KtSection("unload-with-open-file");
        ScenarioUnloadWithOpenFile();
        return KtFinish();
    }
    fprintf(stderr, "usage: control_test life-cycle|unload-with-open-file\n");
    return 2;
}
