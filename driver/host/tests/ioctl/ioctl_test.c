/*
 * ioctl_test.c - device controls of the four transfer types and the caller-context path,
 * through ioctl_driver.c (a non-PnP driver with a control device, \\.\KhIoctlTest):
 *
 *   ioctl_test transfer-types   METHOD_BUFFERED, METHOD_IN_DIRECT, METHOD_OUT_DIRECT and
 *                               METHOD_NEITHER each reach the driver with the caller's
 *                               data and bring its answer back
 *   ioctl_test caller-context   the caller-context methods outside EvtIoInCallerContext:
 *                               STATUS_ACCESS_VIOLATION for a probe and lock,
 *                               STATUS_INVALID_DEVICE_REQUEST for the unsafe retrieval
 *                               and for WdfDeviceEnqueueRequest; a write, which no queue
 *                               takes, fails as WdfDeviceEnqueueRequest does
 *   ioctl_test zw-files         the driver's Zw file services on a file of the system
 *                               root (KMDFHOST_SYSTEMROOT): create, write, append,
 *                               rewind, read back, end of file; no system root:
 *                               STATUS_OBJECT_PATH_NOT_FOUND
 *   ioctl_test bad-input        an output buffer below the driver's minimum
 *                               (STATUS_BUFFER_TOO_SMALL), a METHOD_NEITHER control with
 *                               no input (the probe's STATUS_INVALID_USER_BUFFER), an
 *                               unknown code
 * Every scenario ends with the driver unloaded and the verifier silent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "khtest.h"

#define T_FN(function, method) ((0x8125u << 16) | ((function) << 2) | (method))
#define IOCTL_T_BUFFERED T_FN(0x900, 0)
#define IOCTL_T_IN_DIRECT T_FN(0x901, 1)
#define IOCTL_T_OUT_DIRECT T_FN(0x902, 2)
#define IOCTL_T_NEITHER T_FN(0x903, 3)
#define IOCTL_T_NEITHER_LATE T_FN(0x904, 3)
#define IOCTL_T_ENQUEUE_LATE T_FN(0x905, 0)
#define IOCTL_T_FILE T_FN(0x906, 0)

#define ST_ACCESS_VIOLATION ((KH_STATUS)0xC0000005)
#define ST_INVALID_USER_BUFFER ((KH_STATUS)0xC00000E8)

static const char LinkPath[] = "\\\\.\\KhIoctlTest";

/* A device control with In (InLength bytes) and an OutLength-byte output buffer that
   starts as Out (when given); waits for its completion. */
static KT_IO *Ioctl(KH_FILE *File, uint32_t Code, const char *In, uint32_t InLength, const char *Out,
                    uint32_t OutLength)
{
    KT_IO *io = KtIoCreate(InLength ? InLength : 1, OutLength ? OutLength : 1);
    if (InLength != 0) {
        memcpy(io->Buffer, In, InLength);
    }
    if (Out != NULL) {
        memcpy(io->Output, Out, OutLength);
    }
    KtSubmitIoctl(File, io, Code, InLength, OutLength);
    if (!KT_CHECKF(KtIoWait(io, KT_WAIT_MS), "the device control 0x%08x completes", Code)) {
        io->Status = (KH_STATUS)0xC0000001;
    }
    return io;
}

static bool IsReversed(const uint8_t *Out, const char *In, size_t Length)
{
    for (size_t i = 0; i < Length; i++) {
        if (Out[i] != (uint8_t)In[Length - 1 - i]) {
            return false;
        }
    }
    return true;
}

static bool Begin(KT_DEVICE *Device, KH_FILE **File)
{
    KtVerifierCapture();
    KmdfHostSetDebugPrintFd(2); /* the driver's DbgPrint explains a failure */
    if (!KT_CHECK_STATUS(KtLoadDriver(Device, "ioctl_driver.so", "IoctlDriver"), KT_STATUS_SUCCESS)) {
        return false;
    }
    if (!KT_CHECK_STATUS(KmdfHostCreateFile(LinkPath, File), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(Device);
        return false;
    }
    return true;
}

static void End(KT_DEVICE *Device, KH_FILE *File, const char *Where)
{
    KtCloseFile(File);
    KtRemoveAndUnload(Device);
    KtCheckNoVerifierReports(Where);
}

static void ScenarioTransferTypes(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Begin(&device, &file)) {
        return;
    }
    static const char text[] = "from the application";
    uint32_t n = (uint32_t)strlen(text);

    KtSection("METHOD_BUFFERED: the system buffer carries the input in and the answer out");
    KT_IO *io = Ioctl(file, IOCTL_T_BUFFERED, text, n, NULL, 64);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == n && IsReversed(io->Output, text, n));
    KtIoFree(io);

    KtSection("METHOD_IN_DIRECT: the output buffer, through its MDL, carries data to the driver");
    char same[32];
    memset(same, 0, sizeof(same));
    memcpy(same, text, n);
    io = Ioctl(file, IOCTL_T_IN_DIRECT, text, n, same, sizeof(same));
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == sizeof(same));
    KtIoFree(io);
    char different[32] = "something else entirely";
    io = Ioctl(file, IOCTL_T_IN_DIRECT, text, n, different, sizeof(different));
    KT_CHECKF(io->Status == (KH_STATUS)0xC000003E, "the driver saw the output buffer's own data (0x%08x)",
              (unsigned)io->Status);
    KtIoFree(io);

    KtSection("METHOD_OUT_DIRECT: the driver writes the caller's buffer through the MDL");
    io = Ioctl(file, IOCTL_T_OUT_DIRECT, text, n, NULL, 48);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == n && IsReversed(io->Output, text, n));
    KtIoFree(io);

    KtSection("METHOD_NEITHER: probed and locked in the caller's context, answered from the queue");
    io = Ioctl(file, IOCTL_T_NEITHER, text, n, NULL, 10);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    /* The output is shorter than the input: the first 10 bytes, reversed. */
    KT_CHECK(io->Information == 10 && IsReversed(io->Output, text, 10));
    KtIoFree(io);
    End(&device, file, "after the four transfer types");
}

static void ScenarioCallerContext(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Begin(&device, &file)) {
        return;
    }
    KtSection("probe and lock from the queue, outside the caller's context");
    KT_IO *io = Ioctl(file, IOCTL_T_NEITHER_LATE, "late", 4, NULL, 4);
    KT_CHECK_STATUS(io->Status, ST_ACCESS_VIOLATION);
    KT_CHECK(io->Information == 0);
    KtIoFree(io);

    KtSection("WdfDeviceEnqueueRequest from the queue");
    io = Ioctl(file, IOCTL_T_ENQUEUE_LATE, "again", 5, NULL, 16);
    KT_CHECK_STATUS(io->Status, KT_STATUS_INVALID_DEVICE_REQUEST);
    KtIoFree(io);

    KtSection("a write: no queue takes it, the driver completes it with the enqueue's status");
    io = KtIoCreate(8, 0);
    KtSubmitWrite(file, io, "12345678", 8);
    KT_CHECK(KtIoWait(io, KT_WAIT_MS));
    KT_CHECK_STATUS(io->Status, KT_STATUS_INVALID_DEVICE_REQUEST);
    KtIoFree(io);
    End(&device, file, "after the caller-context checks");
}

static void ScenarioBadInput(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Begin(&device, &file)) {
        return;
    }
    KtSection("an output buffer below the driver's minimum");
    KT_IO *io = Ioctl(file, IOCTL_T_BUFFERED, "abc", 3, NULL, 8);
    KT_CHECK_STATUS(io->Status, KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(io->Information == 0);
    KtIoFree(io);

    KtSection("METHOD_NEITHER without input: nothing to probe");
    io = Ioctl(file, IOCTL_T_NEITHER, NULL, 0, NULL, 8);
    KT_CHECK_STATUS(io->Status, ST_INVALID_USER_BUFFER);
    KtIoFree(io);

    KtSection("a code the driver does not know");
    io = Ioctl(file, T_FN(0x9ff, 0), "x", 1, NULL, 1);
    KT_CHECK_STATUS(io->Status, KT_STATUS_INVALID_DEVICE_REQUEST);
    KtIoFree(io);
    End(&device, file, "after the bad input");
}

static void ScenarioZwFiles(const char *Scratch)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Begin(&device, &file)) {
        return;
    }
    static const char text[] = "kernel file";
    uint32_t n = (uint32_t)strlen(text);
    char root[512], dir[600], path[700];
    snprintf(root, sizeof(root), "%s/systemroot", Scratch);
    snprintf(dir, sizeof(dir), "%s/khioctl", root);
    snprintf(path, sizeof(path), "%s/Test.txt", dir); /* a new file keeps the case the driver gave */

    KtSection("no system root: the path is not found");
    unsetenv("KMDFHOST_SYSTEMROOT");
    KT_IO *io = Ioctl(file, IOCTL_T_FILE, text, n, NULL, 64);
    KT_CHECK_STATUS(io->Status, (KH_STATUS)0xC000003A);
    KtIoFree(io);

    KtSection("a system root whose directory exists in another case: write, append, rewind, read");
    mkdir(Scratch, 0777);
    mkdir(root, 0777);
    mkdir(dir, 0777);
    unlink(path);
    setenv("KMDFHOST_SYSTEMROOT", root, 1);
    io = Ioctl(file, IOCTL_T_FILE, text, n, NULL, 64);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == 2 * n && memcmp(io->Output, text, n) == 0 && memcmp(io->Output + n, text, n) == 0);
    KtIoFree(io);
    struct stat st;
    KT_CHECKF(stat(path, &st) == 0 && st.st_size == 2 * n, "the file is Test.txt in khioctl, %u bytes",
              2 * n);

    KtSection("again: FILE_OVERWRITE_IF empties the file first");
    io = Ioctl(file, IOCTL_T_FILE, "xy", 2, NULL, 64);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == 4 && memcmp(io->Output, "xyxy", 4) == 0);
    KtIoFree(io);
    unsetenv("KMDFHOST_SYSTEMROOT");
    End(&device, file, "after the Zw file services");
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "transfer-types") == 0) {
        ScenarioTransferTypes();
        return KtFinish();
    }
    if (argc == 2 && strcmp(argv[1], "caller-context") == 0) {
        ScenarioCallerContext();
        return KtFinish();
    }
    if (argc == 3 && strcmp(argv[1], "zw-files") == 0) {
        ScenarioZwFiles(argv[2]);
        return KtFinish();
    }
    if (argc == 2 && strcmp(argv[1], "bad-input") == 0) {
        ScenarioBadInput();
        return KtFinish();
    }
    fprintf(stderr, "usage: ioctl_test transfer-types|caller-context|bad-input|zw-files SCRATCH\n");
    return 2;
}
