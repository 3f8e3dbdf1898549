/*
 * io_test.c - tests of the I/O and PnP managers through kmdfhost.h, with the WDM test
 * driver iodriver.so: device interfaces and their list, create (paths, case, reference
 * strings), buffered read and write, buffered and direct device control, cancellation,
 * cleanup and deferred close, completion exactly once while many threads submit,
 * cancel and complete at once, suspend and resume, surprise removal and removal with
 * open files, and unload without leaks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kmdfhost.h>

#include "iotest.h"

#define ST_SUCCESS 0x00000000
#define ST_PENDING 0x00000103
#define ST_CANCELLED ((int32_t)0xC0000120)
#define ST_INVALID_DEVICE_REQUEST ((int32_t)0xC0000010)
#define ST_OBJECT_NAME_NOT_FOUND ((int32_t)0xC0000034)
#define ST_NO_SUCH_DEVICE ((int32_t)0xC000000E)
#define ST_DELETE_PENDING ((int32_t)0xC0000056)
#define ST_FILE_CLOSED ((int32_t)0xC0000128)
#define ST_BUFFER_TOO_SMALL ((int32_t)0xC0000023)
#define ST_INVALID_DEVICE_STATE ((int32_t)0xC0000184)
#define ST_DEVICE_BUSY ((int32_t)0x80000011)

static int g_Failures;
static int g_Checks;

#define CHECK(cond)                                                                             \
    do {                                                                                        \
        g_Checks++;                                                                             \
        if (!(cond)) {                                                                          \
            g_Failures++;                                                                       \
            fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
        }                                                                                       \
    } while (0)

#define CHECK_STATUS(actual, expected)                                                          \
    do {                                                                                        \
        int32_t a_ = (actual);                                                                  \
        int32_t e_ = (expected);                                                                \
        g_Checks++;                                                                             \
        if (a_ != e_) {                                                                         \
            g_Failures++;                                                                       \
            fprintf(stderr, "FAILED %s:%d: %s: 0x%08x, expected 0x%08x\n", __FILE__, __LINE__, #actual, \
                    (unsigned)a_, (unsigned)e_);                                                \
        }                                                                                       \
    } while (0)

static const uint8_t g_Guid[16] = IOTEST_GUID_BYTES;
static IOTEST_COUNTERS *g_Counters;

static int32_t Counter(int32_t *Field) { return __atomic_load_n(Field, __ATOMIC_SEQ_CST); }
static void SetPark(int32_t Mode) { __atomic_store_n(&g_Counters->Park, Mode, __ATOMIC_SEQ_CST); }

/* ------------------------------------------------------------------ verifier capture */

static pthread_mutex_t g_ReportLock = PTHREAD_MUTEX_INITIALIZER;
static int g_Reports;

static void CaptureSink(void *Context, const char *RuleId, const char *Line)
{
    (void)Context;
    (void)RuleId;
    fprintf(stderr, "captured: %s\n", Line);
    pthread_mutex_lock(&g_ReportLock);
    g_Reports++;
    pthread_mutex_unlock(&g_ReportLock);
}

static int Reports(void)
{
    pthread_mutex_lock(&g_ReportLock);
    int n = g_Reports;
    pthread_mutex_unlock(&g_ReportLock);
    return n;
}

/* ------------------------------------------------------------------ I/O records */

typedef struct IO {
    pthread_mutex_t Lock;
    pthread_cond_t Done;
    int Completions;
    int32_t Status;
    uint64_t Information;
    uint8_t Buffer[64];
} IO;

static IO *NewIo(void)
{
    IO *io = calloc(1, sizeof(*io));
    pthread_mutex_init(&io->Lock, NULL);
    pthread_cond_init(&io->Done, NULL);
    return io;
}

static void FreeIo(IO *Io)
{
    pthread_mutex_destroy(&Io->Lock);
    pthread_cond_destroy(&Io->Done);
    free(Io);
}

static void OnComplete(void *Context, KH_STATUS Status, uint64_t Information)
{
    IO *io = Context;
    pthread_mutex_lock(&io->Lock);
    io->Completions++;
    io->Status = Status;
    io->Information = Information;
    pthread_cond_broadcast(&io->Done);
    pthread_mutex_unlock(&io->Lock);
}

/* Waits for the completion (a 10 s safety net, never reached when the host works). */
static bool WaitIo(IO *Io)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&Io->Lock);
    while (Io->Completions == 0) {
        if (pthread_cond_timedwait(&Io->Done, &Io->Lock, &deadline) != 0) {
            break;
        }
    }
    bool done = Io->Completions != 0;
    pthread_mutex_unlock(&Io->Lock);
    return done;
}

static int Completions(IO *Io)
{
    pthread_mutex_lock(&Io->Lock);
    int n = Io->Completions;
    pthread_mutex_unlock(&Io->Lock);
    return n;
}

static int32_t Submit(KH_FILE *File, uint8_t Major, uint32_t Code, void *In, uint32_t InLength, void *Out,
                      uint32_t OutLength, IO *Io)
{
    return KmdfHostSubmitIo(File, Major, Code, In, InLength, Out, OutLength, OnComplete, Io);
}

/* ------------------------------------------------------------------ set-up */

static KH_DRIVER *g_Driver;
static char g_Path[512];

static void LoadAndStart(KH_DEVNODE **Node)
{
    const char *dir = getenv("KMDFHOST_DRIVER_DIR");
    char module[4096];
    snprintf(module, sizeof(module), "%s/iodriver.so", dir != NULL ? dir : "drivers");
    CHECK_STATUS(KmdfHostInitialize(), ST_SUCCESS);
    CHECK_STATUS(KmdfHostLoadDriver(module, "IoTest", &g_Driver), ST_SUCCESS);
    void *handle = dlopen(module, RTLD_NOW | RTLD_NOLOAD);
    IOTEST_COUNTERS *(*counters)(void) = handle != NULL ? (IOTEST_COUNTERS * (*)(void)) dlsym(handle, "IoTestCounters") : NULL;
    CHECK(counters != NULL);
    g_Counters = counters();
    dlclose(handle);
    CHECK_STATUS(KmdfHostAddDevice(g_Driver, "ROOT\\IOTEST\\0000", Node), ST_SUCCESS);
    CHECK_STATUS(KmdfHostAddDevice(g_Driver, "root\\iotest\\0000", Node) == ST_SUCCESS ? -1 : 0, 0);
    /* Not started: the interface is registered but disabled. */
    size_t required = 0;
    char list[512];
    CHECK_STATUS(KmdfHostGetInterfaceList(g_Guid, list, sizeof(list), &required), ST_SUCCESS);
    CHECK(required == 1 && list[0] == 0);
    CHECK_STATUS(KmdfHostStartDevice(*Node), ST_SUCCESS);
    CHECK(Counter(&g_Counters->Starts) == 1);
}

/* ------------------------------------------------------------------ scenarios */

static void TestInterfaces(void)
{
    size_t required = 0;
    char small[8];
    CHECK_STATUS(KmdfHostGetInterfaceList(g_Guid, small, sizeof(small), &required), ST_BUFFER_TOO_SMALL);
    const char *expected = "\\\\?\\ROOT#IOTEST#0000#{6f1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b}";
    CHECK(required == strlen(expected) + 2);
    char list[512];
    CHECK_STATUS(KmdfHostGetInterfaceList(g_Guid, list, sizeof(list), &required), ST_SUCCESS);
    CHECK(strcmp(list, expected) == 0 && list[strlen(expected) + 1] == 0);
    snprintf(g_Path, sizeof(g_Path), "%s", list);
    uint8_t other[16] = {1};
    CHECK_STATUS(KmdfHostGetInterfaceList(other, list, sizeof(list), &required), ST_SUCCESS);
    CHECK(required == 1);
}

static void TestCreate(void)
{
    KH_FILE *file = NULL;
    char path[600];
    snprintf(path, sizeof(path), "%s", g_Path);
    for (char *c = path; *c; c++) {
        if (*c >= 'a' && *c <= 'z') {
            *c = (char)(*c - 'a' + 'A');
        }
    }
    CHECK_STATUS(KmdfHostCreateFile(path, &file), ST_SUCCESS);
    CHECK(Counter(&g_Counters->Creates) == 1 && Counter(&g_Counters->CreatesWithName) == 0);
    KmdfHostCloseFile(file);
    CHECK(Counter(&g_Counters->Cleanups) == 1 && Counter(&g_Counters->Closes) == 1);

    snprintf(path, sizeof(path), "%s\\reference", g_Path);
    CHECK_STATUS(KmdfHostCreateFile(path, &file), ST_SUCCESS);
    CHECK(Counter(&g_Counters->CreatesWithName) == 1);
    CHECK_STATUS(KmdfHostCleanupFile(file), ST_SUCCESS);
    KmdfHostCloseFile(file);

    CHECK_STATUS(KmdfHostCreateFile("\\\\?\\ROOT#IOTEST#0001#{6f1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b}", &file),
                 ST_OBJECT_NAME_NOT_FOUND);
    snprintf(path, sizeof(path), "%sx", g_Path);
    CHECK_STATUS(KmdfHostCreateFile(path, &file), ST_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(KmdfHostCreateFile("C:\\file", &file), ST_OBJECT_NAME_NOT_FOUND);
}

static void TestReadWrite(KH_FILE *File)
{
    IO *write = NewIo();
    CHECK_STATUS(Submit(File, KH_IRP_MJ_WRITE, 0, "hello", 5, NULL, 0, write), ST_SUCCESS);
    CHECK(Completions(write) == 1 && write->Status == ST_SUCCESS && write->Information == 5);
    IO *read = NewIo();
    CHECK_STATUS(Submit(File, KH_IRP_MJ_READ, 0, read->Buffer, 3, NULL, 0, read), ST_SUCCESS);
    CHECK(Completions(read) == 1 && read->Information == 3 && memcmp(read->Buffer, "hel", 3) == 0);
    IO *full = NewIo();
    memset(full->Buffer, 0, sizeof(full->Buffer));
    CHECK_STATUS(Submit(File, KH_IRP_MJ_READ, 0, full->Buffer, sizeof(full->Buffer), NULL, 0, full), ST_SUCCESS);
    CHECK(full->Information == 5 && memcmp(full->Buffer, "hello", 6) == 0);

    IO *echo = NewIo();
    char out[8] = {0};
    CHECK_STATUS(Submit(File, 0x0e, IOCTL_IOTEST_ECHO, "abcd", 4, out, sizeof(out), echo), ST_SUCCESS);
    CHECK(echo->Information == 4 && memcmp(out, "dcba", 4) == 0);
    IO *fill = NewIo();
    uint8_t direct[16] = {0};
    CHECK_STATUS(Submit(File, KH_IRP_MJ_DEVICE_CONTROL, IOCTL_IOTEST_FILL, NULL, 0, direct, sizeof(direct), fill),
                 ST_SUCCESS);
    CHECK(fill->Information == 16 && direct[5] == 15 && direct[15] == 45);
    IO *self = NewIo();
    char reversed[8] = {0};
    CHECK_STATUS(Submit(File, KH_IRP_MJ_DEVICE_CONTROL, IOCTL_IOTEST_SELF, "xyz", 3, reversed, sizeof(reversed), self),
                 ST_SUCCESS);
    CHECK(self->Information == 3 && memcmp(reversed, "zyx", 3) == 0);
    IO *again = NewIo();
    CHECK_STATUS(Submit(File, KH_IRP_MJ_READ, 0, again->Buffer, 8, NULL, 0, again), ST_SUCCESS);
    CHECK(again->Information == 3 && memcmp(again->Buffer, "zyx", 3) == 0);
    FreeIo(self);
    FreeIo(again);
    IO *restore = NewIo();
    CHECK_STATUS(Submit(File, KH_IRP_MJ_WRITE, 0, "hello", 5, NULL, 0, restore), ST_SUCCESS);
    FreeIo(restore);
    IO *bad = NewIo();
    CHECK_STATUS(Submit(File, KH_IRP_MJ_DEVICE_CONTROL, 0x222fff, NULL, 0, NULL, 0, bad), ST_INVALID_DEVICE_REQUEST);
    CHECK(Completions(bad) == 1 && bad->Status == ST_INVALID_DEVICE_REQUEST);
    FreeIo(write);
    FreeIo(read);
    FreeIo(full);
    FreeIo(echo);
    FreeIo(fill);
    FreeIo(bad);
}

static void Release(KH_FILE *File, uint64_t *Released)
{
    IO *release = NewIo();
    CHECK_STATUS(Submit(File, KH_IRP_MJ_DEVICE_CONTROL, IOCTL_IOTEST_RELEASE, NULL, 0, NULL, 0, release), ST_SUCCESS);
    if (Released != NULL) {
        *Released = release->Information;
    }
    FreeIo(release);
}

static void TestCancel(KH_FILE *File)
{
    SetPark(1);
    IO *reads[3];
    for (int i = 0; i < 3; i++) {
        reads[i] = NewIo();
        CHECK_STATUS(Submit(File, KH_IRP_MJ_READ, 0, reads[i]->Buffer, 4, NULL, 0, reads[i]), ST_PENDING);
    }
    CHECK(Completions(reads[1]) == 0);
    CHECK(KmdfHostCancelIo(File, reads[1]) == 1);
    CHECK(WaitIo(reads[1]) && reads[1]->Status == ST_CANCELLED);
    CHECK(KmdfHostCancelIo(File, reads[1]) == 0);
    uint64_t released = 0;
    Release(File, &released);
    CHECK(released == 2);
    CHECK(WaitIo(reads[0]) && reads[0]->Status == ST_SUCCESS && reads[0]->Information == 4);
    CHECK(WaitIo(reads[2]) && memcmp(reads[2]->Buffer, "hell", 4) == 0);
    for (int i = 0; i < 3; i++) {
        CHECK(Completions(reads[i]) == 1);
        FreeIo(reads[i]);
    }
    SetPark(0);
}

/* Cleanup cancels the file's IRPs; close waits for the last outstanding one. */
static void TestCleanupAndClose(void)
{
    KH_FILE *file = NULL;
    KH_FILE *other = NULL;
    CHECK_STATUS(KmdfHostCreateFile(g_Path, &file), ST_SUCCESS);
    CHECK_STATUS(KmdfHostCreateFile(g_Path, &other), ST_SUCCESS);
    int32_t cleanups = Counter(&g_Counters->Cleanups);
    int32_t closes = Counter(&g_Counters->Closes);

    SetPark(1);
    IO *cancelable = NewIo();
    CHECK_STATUS(Submit(file, KH_IRP_MJ_READ, 0, cancelable->Buffer, 4, NULL, 0, cancelable), ST_PENDING);
    SetPark(2);
    IO *held = NewIo();
    CHECK_STATUS(Submit(file, KH_IRP_MJ_READ, 0, held->Buffer, 4, NULL, 0, held), ST_PENDING);
    SetPark(0);

    CHECK_STATUS(KmdfHostCleanupFile(file), ST_SUCCESS);
    CHECK(WaitIo(cancelable) && cancelable->Status == ST_CANCELLED);
    CHECK(Counter(&g_Counters->Cleanups) == cleanups + 1);
    CHECK(Completions(held) == 0);
    IO *late = NewIo();
    CHECK_STATUS(Submit(file, KH_IRP_MJ_READ, 0, late->Buffer, 4, NULL, 0, late), ST_FILE_CLOSED);
    CHECK(Completions(late) == 1);

    KmdfHostCloseFile(file);
    CHECK(Counter(&g_Counters->Closes) == closes); /* one IRP still outstanding */
    Release(other, NULL);
    CHECK(WaitIo(held) && held->Status == ST_SUCCESS);
    KmdfHostCloseFile(other);
    CHECK(Completions(held) == 1);
    FreeIo(cancelable);
    FreeIo(held);
    FreeIo(late);
    /* The deferred close ran by the time the next PnP operation starts (checked below). */
}

/* ------------------------------------------------------------------ stress */

enum { SUBMITTERS = 4, PER_SUBMITTER = 400 };

typedef struct {
    KH_FILE *File;
    IO *Ios[SUBMITTERS * PER_SUBMITTER];
    int Submitted; /* atomic */
    int Stop;      /* atomic */
} STRESS;

static void *StressSubmit(void *Context)
{
    STRESS *stress = Context;
    for (int i = 0; i < PER_SUBMITTER; i++) {
        int index = __atomic_fetch_add(&stress->Submitted, 1, __ATOMIC_SEQ_CST);
        IO *io = stress->Ios[index];
        int32_t status = Submit(stress->File, KH_IRP_MJ_READ, 0, io->Buffer, 2, NULL, 0, io);
        if (status != ST_PENDING && status != ST_SUCCESS && status != ST_CANCELLED) {
            __atomic_fetch_add(&g_Failures, 1, __ATOMIC_SEQ_CST);
        }
    }
    return NULL;
}

static void *StressCancel(void *Context)
{
    STRESS *stress = Context;
    unsigned seed = 7;
    while (!__atomic_load_n(&stress->Stop, __ATOMIC_SEQ_CST)) {
        int limit = __atomic_load_n(&stress->Submitted, __ATOMIC_SEQ_CST);
        if (limit > 0) {
            KmdfHostCancelIo(stress->File, stress->Ios[rand_r(&seed) % limit]);
        }
        if (rand_r(&seed) % 64 == 0) {
            KmdfHostCancelIo(stress->File, NULL);
        }
    }
    return NULL;
}

static void *StressRelease(void *Context)
{
    STRESS *stress = Context;
    while (!__atomic_load_n(&stress->Stop, __ATOMIC_SEQ_CST)) {
        Release(stress->File, NULL);
    }
    return NULL;
}

static void TestExactlyOnce(void)
{
    STRESS *stress = calloc(1, sizeof(*stress));
    CHECK_STATUS(KmdfHostCreateFile(g_Path, &stress->File), ST_SUCCESS);
    for (int i = 0; i < SUBMITTERS * PER_SUBMITTER; i++) {
        stress->Ios[i] = NewIo();
    }
    SetPark(1);
    pthread_t submitters[SUBMITTERS];
    pthread_t canceller[2];
    pthread_t releaser;
    for (int i = 0; i < 2; i++) {
        pthread_create(&canceller[i], NULL, StressCancel, stress);
    }
    pthread_create(&releaser, NULL, StressRelease, stress);
    for (int i = 0; i < SUBMITTERS; i++) {
        pthread_create(&submitters[i], NULL, StressSubmit, stress);
    }
    for (int i = 0; i < SUBMITTERS; i++) {
        pthread_join(submitters[i], NULL);
    }
    __atomic_store_n(&stress->Stop, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 2; i++) {
        pthread_join(canceller[i], NULL);
    }
    pthread_join(releaser, NULL);
    SetPark(0);
    Release(stress->File, NULL);
    int once = 0;
    int cancelled = 0;
    for (int i = 0; i < SUBMITTERS * PER_SUBMITTER; i++) {
        IO *io = stress->Ios[i];
        CHECK(WaitIo(io));
        once += Completions(io) == 1;
        cancelled += io->Status == ST_CANCELLED;
        CHECK(io->Status == ST_SUCCESS || io->Status == ST_CANCELLED);
    }
    CHECK(once == SUBMITTERS * PER_SUBMITTER);
    printf("stress: %d IRPs, %d cancelled\n", once, cancelled);
    KmdfHostCloseFile(stress->File);
    for (int i = 0; i < SUBMITTERS * PER_SUBMITTER; i++) {
        FreeIo(stress->Ios[i]);
    }
    free(stress);
}

/* ------------------------------------------------------------------ power and removal */

static void TestPower(KH_DEVNODE *Node)
{
    CHECK_STATUS(KmdfHostSuspendDevice(Node), ST_SUCCESS);
    CHECK(Counter(&g_Counters->PowerState) == 4); /* PowerDeviceD3 */
    CHECK_STATUS(KmdfHostSuspendDevice(Node), ST_INVALID_DEVICE_STATE);
    CHECK_STATUS(KmdfHostResumeDevice(Node), ST_SUCCESS);
    CHECK(Counter(&g_Counters->PowerState) == 1); /* PowerDeviceD0 */
}

/*
 * Removal with a file open: surprise removal first (interfaces gone, new opens fail,
 * I/O on the open file still reaches the driver); after removal the file's I/O fails
 * with STATUS_DELETE_PENDING without reaching the driver, and closing it is safe.
 */
static void TestRemoveWithOpenFile(KH_DEVNODE *Node)
{
    KH_FILE *file = NULL;
    CHECK_STATUS(KmdfHostCreateFile(g_Path, &file), ST_SUCCESS);
    int32_t closes = Counter(&g_Counters->Closes);
    int32_t removes = Counter(&g_Counters->Removes);
    CHECK_STATUS(KmdfHostSurpriseRemoveDevice(Node), ST_SUCCESS);
    CHECK(Counter(&g_Counters->SurpriseRemovals) == 1);
    size_t required = 0;
    char list[256];
    CHECK_STATUS(KmdfHostGetInterfaceList(g_Guid, list, sizeof(list), &required), ST_SUCCESS);
    CHECK(required == 1);
    KH_FILE *refused = NULL;
    CHECK_STATUS(KmdfHostCreateFile(g_Path, &refused), ST_NO_SUCH_DEVICE);
    IO *write = NewIo();
    CHECK_STATUS(Submit(file, KH_IRP_MJ_WRITE, 0, "x", 1, NULL, 0, write), ST_SUCCESS);

    CHECK_STATUS(KmdfHostUnloadDriver(g_Driver), ST_DEVICE_BUSY);
    CHECK_STATUS(KmdfHostRemoveDevice(Node), ST_SUCCESS);
    CHECK(Counter(&g_Counters->Removes) == removes + 1);
    IO *after = NewIo();
    CHECK_STATUS(Submit(file, KH_IRP_MJ_READ, 0, after->Buffer, 1, NULL, 0, after), ST_DELETE_PENDING);
    CHECK(Completions(after) == 1 && after->Status == ST_DELETE_PENDING);
    CHECK_STATUS(KmdfHostCreateFile(g_Path, &refused), ST_OBJECT_NAME_NOT_FOUND);
    KmdfHostCloseFile(file);
    CHECK(Counter(&g_Counters->Closes) == closes);
    FreeIo(write);
    FreeIo(after);
}

/* A second instance removed without open files: query-remove, then remove. */
static void TestPlainRemove(void)
{
    KH_DEVNODE *node = NULL;
    CHECK_STATUS(KmdfHostAddDevice(g_Driver, "ROOT\\IOTEST\\0001", &node), ST_SUCCESS);
    CHECK_STATUS(KmdfHostStartDevice(node), ST_SUCCESS);
    int32_t removes = Counter(&g_Counters->Removes);
    int32_t surprise = Counter(&g_Counters->SurpriseRemovals);
    CHECK_STATUS(KmdfHostRemoveDevice(node), ST_SUCCESS);
    CHECK(Counter(&g_Counters->Removes) == removes + 1);
    CHECK(Counter(&g_Counters->SurpriseRemovals) == surprise);
}

int main(void)
{
    KH_DEVNODE *node = NULL;
    KmdfHostSetVerifierSink(CaptureSink, NULL);
    LoadAndStart(&node);
    TestInterfaces();
    TestCreate();
    KH_FILE *file = NULL;
    CHECK_STATUS(KmdfHostCreateFile(g_Path, &file), ST_SUCCESS);
    TestReadWrite(file);
    TestCancel(file);
    KmdfHostCloseFile(file);
    TestCleanupAndClose();
    TestExactlyOnce();
    TestPower(node);
    TestPlainRemove();
    int32_t creates = Counter(&g_Counters->Creates);
    int32_t closes = Counter(&g_Counters->Closes);
    TestRemoveWithOpenFile(node);
    /* Every file that reached the driver before removal was closed in the driver. */
    CHECK(closes == creates);
    CHECK_STATUS(KmdfHostUnloadDriver(g_Driver), ST_SUCCESS);
    CHECK(Reports() == 0);
    printf("%d checks, %d failed\n", g_Checks, g_Failures);
    return g_Failures == 0 ? 0 : 1;
}
