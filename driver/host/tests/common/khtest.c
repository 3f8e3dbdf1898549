/*
 * khtest.c - checks, events, I/O records, host life cycle, verifier capture and child
 * processes for the host's C test programs (see khtest.h).
 */
#define _GNU_SOURCE
#include "khtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---------------------------------------------------------------------------- checks */

static atomic_uint g_passed;
static atomic_uint g_failed;

bool KtCheckAt(bool Condition, const char *File, int Line, const char *Text,
               const char *Format, ...)
{
    if (Condition) {
        atomic_fetch_add(&g_passed, 1);
        return true;
    }
    atomic_fetch_add(&g_failed, 1);
    char detail[512] = "";
    if (Format != NULL) {
        va_list args;
        va_start(args, Format);
        vsnprintf(detail, sizeof detail, Format, args);
        va_end(args);
    }
    fprintf(stderr, "FAILED %s:%d: %s%s%s\n", File, Line, Text, detail[0] ? ": " : "",
            detail);
    fflush(stderr);
    return false;
}

bool KtCheckStatusAt(KH_STATUS Actual, KH_STATUS Expected, const char *File, int Line,
                     const char *Text)
{
    return KtCheckAt(Actual == Expected, File, Line, Text, "status 0x%08x, expected 0x%08x",
                     (unsigned)Actual, (unsigned)Expected);
}

void KtSection(const char *Format, ...)
{
    va_list args;
    va_start(args, Format);
    fputs("-- ", stdout);
    vfprintf(stdout, Format, args);
    fputc('\n', stdout);
    va_end(args);
    fflush(stdout);
}

unsigned KtFailedCount(void)
{
    return atomic_load(&g_failed);
}

int KtFinish(void)
{
    unsigned passed = atomic_load(&g_passed);
    unsigned failed = atomic_load(&g_failed);
    printf("%u passed, %u failed\n", passed, failed);
    fflush(stdout);
    return failed == 0 ? 0 : 1;
}

uint64_t KtNowNs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Absolute CLOCK_MONOTONIC time TimeoutMs from now, for pthread_cond_timedwait. */
static struct timespec DeadlineAfterMs(uint32_t TimeoutMs)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += TimeoutMs / 1000;
    ts.tv_nsec += (long)(TimeoutMs % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void CondInitMonotonic(pthread_cond_t *Cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(Cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* ---------------------------------------------------------------------------- events */

void KtEventInit(KT_EVENT *Event)
{
    pthread_mutex_init(&Event->Mutex, NULL);
    CondInitMonotonic(&Event->Cond);
    Event->Signaled = false;
}

void KtEventDestroy(KT_EVENT *Event)
{
    pthread_cond_destroy(&Event->Cond);
    pthread_mutex_destroy(&Event->Mutex);
}

void KtEventSet(KT_EVENT *Event)
{
    pthread_mutex_lock(&Event->Mutex);
    Event->Signaled = true;
    pthread_cond_broadcast(&Event->Cond);
    pthread_mutex_unlock(&Event->Mutex);
}

void KtEventReset(KT_EVENT *Event)
{
    pthread_mutex_lock(&Event->Mutex);
    Event->Signaled = false;
    pthread_mutex_unlock(&Event->Mutex);
}

bool KtEventWait(KT_EVENT *Event, uint32_t TimeoutMs)
{
    struct timespec deadline = DeadlineAfterMs(TimeoutMs);
    pthread_mutex_lock(&Event->Mutex);
    while (!Event->Signaled) {
        if (pthread_cond_timedwait(&Event->Cond, &Event->Mutex, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    bool signaled = Event->Signaled;
    pthread_mutex_unlock(&Event->Mutex);
    return signaled;
}

/* -------------------------------------------------------------------------------- I/O */

static atomic_uint_fast64_t g_completionOrder;

KT_IO *KtIoCreate(uint32_t BufferLength, uint32_t OutputLength)
{
    KT_IO *io = calloc(1, sizeof *io);
    if (io == NULL) {
        abort();
    }
    pthread_mutex_init(&io->Mutex, NULL);
    CondInitMonotonic(&io->Cond);
    /* calloc(0) may return NULL; keep a valid pointer for zero-length requests. */
    io->Buffer = calloc(1, BufferLength ? BufferLength : 1);
    io->Output = calloc(1, OutputLength ? OutputLength : 1);
    if (io->Buffer == NULL || io->Output == NULL) {
        abort();
    }
    io->Length = BufferLength;
    io->OutputLength = OutputLength;
    return io;
}

void KtIoFree(KT_IO *Io)
{
    if (Io == NULL) {
        return;
    }
    pthread_cond_destroy(&Io->Cond);
    pthread_mutex_destroy(&Io->Mutex);
    free(Io->Buffer);
    free(Io->Output);
    free(Io);
}

static void IoCompletion(void *Context, KH_STATUS Status, uint64_t Information)
{
    KT_IO *io = Context;
    uint64_t now = KtNowNs();
    pthread_mutex_lock(&io->Mutex);
    io->Completions++;
    if (io->Completions == 1) {
        io->Status = Status;
        io->Information = Information;
        io->CompletedNs = now;
        io->Order = atomic_fetch_add(&g_completionOrder, 1) + 1;
    }
    pthread_cond_broadcast(&io->Cond);
    pthread_mutex_unlock(&io->Mutex);
}

static KH_STATUS Submit(KH_FILE *File, KT_IO *Io, uint8_t Major, uint32_t Code,
                        uint32_t Length, uint32_t OutLength)
{
    Io->Major = Major;
    Io->SubmitStatus = KmdfHostSubmitIo(File, Major, Code, Io->Buffer, Length, Io->Output,
                                        OutLength, IoCompletion, Io);
    return Io->SubmitStatus;
}

KH_STATUS KtSubmitWrite(KH_FILE *File, KT_IO *Io, const void *Data, uint32_t Length)
{
    if (Length > Io->Length) {
        abort();
    }
    if (Length != 0) {
        memcpy(Io->Buffer, Data, Length);
    }
    return Submit(File, Io, KH_IRP_MJ_WRITE, 0, Length, 0);
}

KH_STATUS KtSubmitRead(KH_FILE *File, KT_IO *Io, uint32_t Length)
{
    if (Length > Io->Length) {
        abort();
    }
    return Submit(File, Io, KH_IRP_MJ_READ, 0, Length, 0);
}

KH_STATUS KtSubmitIoctl(KH_FILE *File, KT_IO *Io, uint32_t Code, uint32_t InLength,
                        uint32_t OutLength)
{
    if (InLength > Io->Length || OutLength > Io->OutputLength) {
        abort();
    }
    return Submit(File, Io, KH_IRP_MJ_DEVICE_CONTROL, Code, InLength, OutLength);
}

bool KtIoWait(KT_IO *Io, uint32_t TimeoutMs)
{
    struct timespec deadline = DeadlineAfterMs(TimeoutMs);
    pthread_mutex_lock(&Io->Mutex);
    while (Io->Completions == 0) {
        if (pthread_cond_timedwait(&Io->Cond, &Io->Mutex, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    bool done = Io->Completions != 0;
    pthread_mutex_unlock(&Io->Mutex);
    return done;
}

bool KtIoDone(KT_IO *Io)
{
    return KtIoCompletions(Io) != 0;
}

int KtIoCompletions(KT_IO *Io)
{
    pthread_mutex_lock(&Io->Mutex);
    int n = Io->Completions;
    pthread_mutex_unlock(&Io->Mutex);
    return n;
}

void KtFillPattern(uint8_t *Buffer, uint32_t Length, uint32_t Seed)
{
    for (uint32_t i = 0; i < Length; i++) {
        Buffer[i] = (uint8_t)((i * 31u + Seed * 17u + (i >> 8)) ^ (Seed >> 3));
    }
}

bool KtCheckPattern(const uint8_t *Buffer, uint32_t Length, uint32_t Seed)
{
    for (uint32_t i = 0; i < Length; i++) {
        if (Buffer[i] != (uint8_t)((i * 31u + Seed * 17u + (i >> 8)) ^ (Seed >> 3))) {
            return false;
        }
    }
    return true;
}

/* -------------------------------------------------------------------------- the host */

bool KtDriverPath(const char *FileName, char *Path, size_t Size)
{
    const char *dir = getenv("KMDFHOST_DRIVER_DIR");
    if (dir == NULL || dir[0] == '\0') {
        return false;
    }
    int n = snprintf(Path, Size, "%s/%s", dir, FileName);
    return n > 0 && (size_t)n < Size;
}

KH_STATUS KtLoadDriver(KT_DEVICE *Device, const char *FileName, const char *ServiceName)
{
    memset(Device, 0, sizeof *Device);
    char path[1024];
    if (!KT_CHECKF(KtDriverPath(FileName, path, sizeof path),
                   "KMDFHOST_DRIVER_DIR must name the directory of the driver modules")) {
        return (KH_STATUS)0xC0000001;
    }
    KH_STATUS status = KmdfHostInitialize();
    if (!KT_NT_SUCCESS(status)) {
        return status;
    }
    return KmdfHostLoadDriver(path, ServiceName, &Device->Driver);
}

KH_STATUS KtAddAndStart(KT_DEVICE *Device, const char *InstanceId, const uint8_t Guid[16])
{
    KH_STATUS status = KmdfHostAddDevice(Device->Driver, InstanceId, &Device->Node);
    if (!KT_NT_SUCCESS(status)) {
        Device->Node = NULL;
        return status;
    }
    status = KmdfHostStartDevice(Device->Node);
    if (!KT_NT_SUCCESS(status)) {
        return status;
    }

    /* The instance id as it appears in an interface path: backslashes become '#'. */
    char wanted[256];
    snprintf(wanted, sizeof wanted, "%s", InstanceId);
    for (char *p = wanted; *p; p++) {
        if (*p == '\\') {
            *p = '#';
        }
    }

    size_t required = 0;
    char small[1];
    status = KmdfHostGetInterfaceList(Guid, small, 0, &required);
    if (status != KT_STATUS_BUFFER_TOO_SMALL && !KT_NT_SUCCESS(status)) {
        return status;
    }
    if (required == 0) {
        required = 1;
    }
    char *list = calloc(1, required);
    if (list == NULL) {
        abort();
    }
    size_t again = 0;
    status = KmdfHostGetInterfaceList(Guid, list, required, &again);
    if (KT_NT_SUCCESS(status)) {
        status = KT_STATUS_OBJECT_NAME_NOT_FOUND;
        for (const char *p = list; *p != '\0'; p += strlen(p) + 1) {
            if (strcasestr(p, wanted) != NULL) {
                snprintf(Device->InterfacePath, sizeof Device->InterfacePath, "%s", p);
                status = KT_STATUS_SUCCESS;
                break;
            }
        }
    }
    free(list);
    return status;
}

KH_STATUS KtOpen(KT_DEVICE *Device, KH_FILE **File)
{
    *File = NULL;
    return KmdfHostCreateFile(Device->InterfacePath, File);
}

void KtCloseFile(KH_FILE *File)
{
    if (File == NULL) {
        return;
    }
    KT_CHECK_STATUS(KmdfHostCleanupFile(File), KT_STATUS_SUCCESS);
    KmdfHostCloseFile(File);
}

void KtRemoveAndUnload(KT_DEVICE *Device)
{
    if (Device->Node != NULL) {
        KT_CHECK_STATUS(KmdfHostRemoveDevice(Device->Node), KT_STATUS_SUCCESS);
        Device->Node = NULL;
    }
    if (Device->Driver != NULL) {
        KT_CHECK_STATUS(KmdfHostUnloadDriver(Device->Driver), KT_STATUS_SUCCESS);
        Device->Driver = NULL;
    }
}

void KtTeardown(KT_DEVICE *Device, const char *Where)
{
    KtRemoveAndUnload(Device);
    KtCheckNoVerifierReports(Where);
}

void KtGuid(uint8_t Out[16], uint32_t Data1, uint16_t Data2, uint16_t Data3, uint8_t B0,
            uint8_t B1, uint8_t B2, uint8_t B3, uint8_t B4, uint8_t B5, uint8_t B6,
            uint8_t B7)
{
    /* Data1..Data3 in the machine's byte order, then Data4, as Windows lays out a GUID. */
    memcpy(Out, &Data1, 4);
    memcpy(Out + 4, &Data2, 2);
    memcpy(Out + 6, &Data3, 2);
    uint8_t tail[8] = {B0, B1, B2, B3, B4, B5, B6, B7};
    memcpy(Out + 8, tail, 8);
}

/* -------------------------------------------------------------------------- verifier */

#define KT_MAX_REPORTS 256

static pthread_mutex_t g_reportMutex = PTHREAD_MUTEX_INITIALIZER;
static char *g_reportRule[KT_MAX_REPORTS];
static char *g_reportLine[KT_MAX_REPORTS];
static size_t g_reportCount;   /* recorded */
static size_t g_reportDropped; /* beyond KT_MAX_REPORTS */

static void CaptureSink(void *Context, const char *RuleId, const char *Line)
{
    (void)Context;
    fprintf(stderr, "captured: %s\n", Line ? Line : "(null)");
    fflush(stderr);
    pthread_mutex_lock(&g_reportMutex);
    if (g_reportCount < KT_MAX_REPORTS) {
        g_reportRule[g_reportCount] = strdup(RuleId ? RuleId : "");
        g_reportLine[g_reportCount] = strdup(Line ? Line : "");
        g_reportCount++;
    } else {
        g_reportDropped++;
    }
    pthread_mutex_unlock(&g_reportMutex);
}

void KtVerifierCapture(void)
{
    KmdfHostSetVerifierSink(CaptureSink, NULL);
}

void KtVerifierReset(void)
{
    pthread_mutex_lock(&g_reportMutex);
    for (size_t i = 0; i < g_reportCount; i++) {
        free(g_reportRule[i]);
        free(g_reportLine[i]);
        g_reportRule[i] = g_reportLine[i] = NULL;
    }
    g_reportCount = 0;
    g_reportDropped = 0;
    pthread_mutex_unlock(&g_reportMutex);
}

size_t KtVerifierCount(const char *RuleId)
{
    size_t n = 0;
    pthread_mutex_lock(&g_reportMutex);
    for (size_t i = 0; i < g_reportCount; i++) {
        if (RuleId == NULL || strcmp(g_reportRule[i], RuleId) == 0) {
            n++;
        }
    }
    if (RuleId == NULL) {
        n += g_reportDropped;
    }
    pthread_mutex_unlock(&g_reportMutex);
    return n;
}

bool KtVerifierSawLine(const char *RuleId)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "VERIFIER: %s: ", RuleId);
    bool seen = false;
    pthread_mutex_lock(&g_reportMutex);
    for (size_t i = 0; i < g_reportCount && !seen; i++) {
        seen = strcmp(g_reportRule[i], RuleId) == 0 &&
               strncmp(g_reportLine[i], prefix, strlen(prefix)) == 0;
    }
    pthread_mutex_unlock(&g_reportMutex);
    return seen;
}

bool KtVerifierSawText(const char *RuleId, const char *Text)
{
    bool seen = false;
    pthread_mutex_lock(&g_reportMutex);
    for (size_t i = 0; i < g_reportCount && !seen; i++) {
        seen = strcmp(g_reportRule[i], RuleId) == 0 && strcasestr(g_reportLine[i], Text) != NULL;
    }
    pthread_mutex_unlock(&g_reportMutex);
    return seen;
}

void KtVerifierDump(void)
{
    pthread_mutex_lock(&g_reportMutex);
    for (size_t i = 0; i < g_reportCount; i++) {
        fprintf(stderr, "  report %zu: %s\n", i + 1, g_reportLine[i]);
    }
    if (g_reportDropped) {
        fprintf(stderr, "  (%zu more reports)\n", g_reportDropped);
    }
    pthread_mutex_unlock(&g_reportMutex);
}

void KtCheckNoVerifierReports(const char *Where)
{
    size_t n = KtVerifierCount(NULL);
    if (!KT_CHECKF(n == 0, "%zu verifier report(s) %s", n, Where)) {
        KtVerifierDump();
    }
}

/* ------------------------------------------------------------------- child processes */

void KtNoCoreDumps(void)
{
    struct rlimit limit = {0, 0};
    setrlimit(RLIMIT_CORE, &limit);
}

void KtRunSelf(char *const Argv[], uint32_t TimeoutMs, KT_CHILD_RESULT *Result)
{
    memset(Result, 0, sizeof *Result);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(Result->Stderr, sizeof Result->Stderr, "readlink: %s", strerror(errno));
        return;
    }
    self[n] = '\0';

    size_t argc = 0;
    while (Argv[argc] != NULL) {
        argc++;
    }
    char **argv = calloc(argc + 1, sizeof *argv);
    if (argv == NULL) {
        abort();
    }
    argv[0] = self;
    for (size_t i = 1; i < argc; i++) {
        argv[i] = Argv[i];
    }

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        free(argv);
        snprintf(Result->Stderr, sizeof Result->Stderr, "pipe: %s", strerror(errno));
        return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, self, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    free(argv);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        snprintf(Result->Stderr, sizeof Result->Stderr, "posix_spawn: %s", strerror(rc));
        return;
    }
    Result->Started = true;

    /* Collect stderr until the child closes it or the time runs out. */
    size_t used = 0;
    uint64_t deadline = KtNowNs() + (uint64_t)TimeoutMs * 1000000u;
    bool timedOut = false;
    for (;;) {
        uint64_t now = KtNowNs();
        if (now >= deadline) {
            timedOut = true;
            break;
        }
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            continue;
        }
        char chunk[4096];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        size_t room = sizeof Result->Stderr - 1 - used;
        size_t take = (size_t)got < room ? (size_t)got : room;
        memcpy(Result->Stderr + used, chunk, take);
        used += take;
    }
    Result->Stderr[used] = '\0';
    close(fds[0]);
    if (timedOut) {
        kill(pid, SIGKILL);
    }

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timedOut) {
        return;
    }
    if (WIFEXITED(status)) {
        Result->Exited = true;
        Result->ExitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        Result->Signaled = true;
        Result->Signal = WTERMSIG(status);
    }
}
