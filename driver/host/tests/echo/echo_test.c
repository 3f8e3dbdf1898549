/*
 * echo_test.c - the echo driver's behaviour, as an application sees it, for either
 * variant.
 *
 *   echo_test autosync|driversync [SCENARIO...]     (all scenarios when none is named)
 *
 * Scenarios: basic timer cancel race cleanup cleanup-race suspend suspend-race
 * surprise-removal removal registry two-files threads removal-while-suspended two-devices
 * allocation-failure (see g_scenarios). ECHO_RACE_ITERATIONS and ECHO_TEST_SEED tune the
 * race scenario.
 *
 * Each scenario loads drivers/echo-<variant>.so into the host, adds and starts
 * ROOT\ECHO\0000, opens its interface and sends reads and writes through the I/O entry
 * points of kmdfhost.h, which build their IRPs as the NT services do. Every completion callback is
 * counted, so a request completed twice (or never) fails the test. The verifier's reports
 * are captured; every scenario ends by removing the device and unloading the driver and
 * checks that the verifier saw nothing (no pool or object leak, no broken request rule).
 *
 * The echo driver, as the tests rely on it: a default sequential queue takes reads and
 * writes. A write longer than 40960 bytes fails with STATUS_BUFFER_OVERFLOW and leaves the
 * stored data alone; any other write replaces the stored data and is parked, cancelable,
 * until the next timer tick completes it. A read with nothing stored completes at once
 * with 0 bytes; otherwise it gets min(length, stored) bytes and is parked likewise. The
 * periodic timer (first tick 100 ms after self-managed I/O starts, then every
 * TimerPeriodMs) completes the parked request; the cancel routine completes it with
 * STATUS_CANCELLED. Zero-length reads and writes are completed by the framework.
 */
#define _GNU_SOURCE
#include "khtest.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define ECHO_SERVICE "EchoKmdf"
#define ECHO_INSTANCE "ROOT\\ECHO\\0000"
#define ECHO_MAX_WRITE 40960u

static const char *g_variant;
static uint8_t g_echoGuid[16];

typedef struct ECHO {
    KT_DEVICE Device;
    KH_FILE *File;
    uint64_t StartingNs; /* just before the device was started (and its timer with it) */
} ECHO;

/* --------------------------------------------------------------------------- set-up */

/* Loads the variant, with the registry value TimerPeriodMs = PeriodMs when HasValue,
   starts the device and opens it. */
static bool EchoStartWith(ECHO *Echo, bool HasValue, uint32_t PeriodMs)
{
    memset(Echo, 0, sizeof *Echo);
    KT_CHECK_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS);
    KmdfHostClearServiceParameters(ECHO_SERVICE);
    if (HasValue) {
        KT_CHECK_STATUS(KmdfHostSetServiceParameterULong(ECHO_SERVICE, "TimerPeriodMs", PeriodMs),
                        KT_STATUS_SUCCESS);
    }
    char module[64];
    snprintf(module, sizeof module, "echo-%s.so", g_variant);
    if (!KT_CHECK_STATUS(KtLoadDriver(&Echo->Device, module, ECHO_SERVICE), KT_STATUS_SUCCESS)) {
        return false;
    }
    Echo->StartingNs = KtNowNs();
    if (!KT_CHECK_STATUS(KtAddAndStart(&Echo->Device, ECHO_INSTANCE, g_echoGuid),
                         KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&Echo->Device);
        return false;
    }
    KT_CHECKF(strcmp(Echo->Device.InterfacePath,
                     "\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}") == 0,
              "interface path %s", Echo->Device.InterfacePath);
    if (!KT_CHECK_STATUS(KtOpen(&Echo->Device, &Echo->File), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&Echo->Device);
        return false;
    }
    return true;
}

/* Loads the variant with TimerPeriodMs (0: no registry value, the driver's default). */
static bool EchoStart(ECHO *Echo, uint32_t PeriodMs)
{
    return EchoStartWith(Echo, PeriodMs != 0, PeriodMs);
}

/* Closes the file (if still open), removes the device, unloads the driver and checks
   that the verifier had nothing to say about the whole life cycle. */
static void EchoStop(ECHO *Echo)
{
    if (Echo->File != NULL) {
        KtCloseFile(Echo->File);
        Echo->File = NULL;
    }
    KtTeardown(&Echo->Device, "after the device was removed and the driver unloaded");
}

/* Waits for Io and checks it completed exactly once. */
static bool Wait(KT_IO *Io)
{
    bool done = KtIoWait(Io, KT_WAIT_MS);
    KT_CHECKF(done, "request (major 0x%x) did not complete", Io->Major);
    return done && KT_CHECKF(KtIoCompletions(Io) == 1, "completed %d times", KtIoCompletions(Io));
}

/* A write of Length pattern bytes of Seed; waits and returns the KT_IO (caller frees). */
static KT_IO *WriteAndWait(ECHO *Echo, uint32_t Length, uint32_t Seed)
{
    KT_IO *io = KtIoCreate(Length, 0);
    uint8_t *data = malloc(Length ? Length : 1);
    KtFillPattern(data, Length, Seed);
    KtSubmitWrite(Echo->File, io, data, Length);
    free(data);
    Wait(io);
    return io;
}

static KT_IO *ReadAndWait(ECHO *Echo, uint32_t Length)
{
    KT_IO *io = KtIoCreate(Length, 0);
    KtSubmitRead(Echo->File, io, Length);
    Wait(io);
    return io;
}

static KT_IO *SubmitWrite(ECHO *Echo, uint32_t Length, uint32_t Seed)
{
    KT_IO *io = KtIoCreate(Length, 0);
    uint8_t *data = malloc(Length ? Length : 1);
    KtFillPattern(data, Length, Seed);
    KtSubmitWrite(Echo->File, io, data, Length);
    free(data);
    return io;
}

static KT_IO *SubmitRead(ECHO *Echo, uint32_t Length)
{
    KT_IO *io = KtIoCreate(Length, 0);
    KtSubmitRead(Echo->File, io, Length);
    return io;
}

/* Checks a completed write of Length bytes succeeded. */
static void CheckWriteOk(KT_IO *Io, uint32_t Length)
{
    KT_CHECK_STATUS(Io->Status, KT_STATUS_SUCCESS);
    KT_CHECKF(Io->Information == Length, "write information %llu, expected %u",
              (unsigned long long)Io->Information, Length);
}

/* Checks a completed read returned the first Expected bytes of pattern Seed. */
static void CheckReadData(KT_IO *Io, uint32_t Expected, uint32_t Seed)
{
    KT_CHECK_STATUS(Io->Status, KT_STATUS_SUCCESS);
    KT_CHECKF(Io->Information == Expected, "read information %llu, expected %u",
              (unsigned long long)Io->Information, Expected);
    KT_CHECKF(KtCheckPattern(Io->Buffer, Expected, Seed),
              "read data differs from pattern %u", Seed);
}

/* Writes once and waits, so that the first tick (due 100 ms after start) is behind us
   and the next one is a whole period away. */
static void PassFirstTick(ECHO *Echo)
{
    KT_IO *io = WriteAndWait(Echo, 16, 99);
    CheckWriteOk(io, 16);
    KtIoFree(io);
}

/* ------------------------------------------------------------------------ scenarios */

/*
 * Round trip, read before any write, shorter read, overflow, zero-length requests,
 * replacement, at the driver's default period.
 */
static void ScenarioBasic(void)
{
    ECHO echo;
    if (!EchoStart(&echo, 0)) {
        return;
    }

    KtSection("the interface list: size protocol, one entry");
    /* The CM_Get_Device_Interface_List format: the path, its NUL, and the list's NUL. */
    size_t want = strlen(echo.Device.InterfacePath) + 2;
    size_t required = 0;
    char list[512];
    KT_CHECK_STATUS(KmdfHostGetInterfaceList(g_echoGuid, list, 0, &required),
                    KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECKF(required == want, "required %zu, expected %zu", required, want);
    KT_CHECK_STATUS(KmdfHostGetInterfaceList(g_echoGuid, list, want - 1, &required),
                    KT_STATUS_BUFFER_TOO_SMALL);
    memset(list, 'x', sizeof list);
    KT_CHECK_STATUS(KmdfHostGetInterfaceList(g_echoGuid, list, want, &required),
                    KT_STATUS_SUCCESS);
    KT_CHECK(strcmp(list, echo.Device.InterfacePath) == 0 && list[want - 1] == '\0');

    KtSection("opening: the path is compared without regard to case; unknown paths fail");
    static const char mixedCase[] =
        "\\\\?\\root#echo#0000#{CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}";
    static const char otherInstance[] =
        "\\\\?\\ROOT#ECHO#0001#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";
    KH_FILE *other = NULL;
    KT_CHECK_STATUS(KmdfHostCreateFile(mixedCase, &other), KT_STATUS_SUCCESS);
    if (other != NULL) {
        KtCloseFile(other);
    }
    KT_CHECK_STATUS(KmdfHostCreateFile(otherInstance, &other), KT_STATUS_OBJECT_NAME_NOT_FOUND);

    KtSection("read before any write completes at once with 0 bytes");
    KT_IO *io = ReadAndWait(&echo, 64);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == 0);
    KtIoFree(io);

    KtSection("round trip");
    io = WriteAndWait(&echo, 512, 1);
    CheckWriteOk(io, 512);
    KtIoFree(io);
    io = ReadAndWait(&echo, 512);
    CheckReadData(io, 512, 1);
    KtIoFree(io);

    KtSection("a shorter read gets a prefix, a longer one the stored length");
    io = ReadAndWait(&echo, 100);
    CheckReadData(io, 100, 1);
    KtIoFree(io);
    io = ReadAndWait(&echo, 4096);
    CheckReadData(io, 512, 1);
    KtIoFree(io);

    KtSection("a 40961-byte write fails with STATUS_BUFFER_OVERFLOW, stored data stays");
    io = WriteAndWait(&echo, ECHO_MAX_WRITE + 1, 2);
    KT_CHECK_STATUS(io->Status, KT_STATUS_BUFFER_OVERFLOW);
    KT_CHECK(io->Information == 0);
    KtIoFree(io);
    io = ReadAndWait(&echo, 512);
    CheckReadData(io, 512, 1);
    KtIoFree(io);

    KtSection("a 40960-byte write is kept whole");
    io = WriteAndWait(&echo, ECHO_MAX_WRITE, 3);
    CheckWriteOk(io, ECHO_MAX_WRITE);
    KtIoFree(io);
    io = ReadAndWait(&echo, ECHO_MAX_WRITE + 100);
    CheckReadData(io, ECHO_MAX_WRITE, 3);
    KtIoFree(io);

    KtSection("zero-length write and read complete in the framework");
    /* KMDF completes a zero-length read or write itself, in the dispatch path, unless the
       queue allows zero-length requests; so the request is done when the submission
       returns, with success and no data, and the driver's stored data is untouched. */
    io = KtIoCreate(16, 0);
    KH_STATUS submitted = KtSubmitWrite(echo.File, io, "", 0);
    KT_CHECKF(KtIoDone(io), "zero-length write still pending after submission (0x%08x)",
              (unsigned)submitted);
    Wait(io);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == 0);
    KtIoFree(io);
    io = KtIoCreate(16, 0);
    submitted = KtSubmitRead(echo.File, io, 0);
    KT_CHECKF(KtIoDone(io), "zero-length read still pending after submission (0x%08x)",
              (unsigned)submitted);
    Wait(io);
    KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
    KT_CHECK(io->Information == 0);
    KtIoFree(io);
    io = ReadAndWait(&echo, ECHO_MAX_WRITE);
    CheckReadData(io, ECHO_MAX_WRITE, 3);
    KtIoFree(io);

    KtSection("a newer write replaces the stored data");
    io = WriteAndWait(&echo, 300, 4);
    CheckWriteOk(io, 300);
    KtIoFree(io);
    io = WriteAndWait(&echo, 200, 5);
    CheckWriteOk(io, 200);
    KtIoFree(io);
    io = ReadAndWait(&echo, 1000);
    CheckReadData(io, 200, 5);
    KtIoFree(io);

    KtSection("device control is not taken: STATUS_INVALID_DEVICE_REQUEST");
    io = KtIoCreate(8, 8);
    KtSubmitIoctl(echo.File, io, 0x00222000u, 8, 8);
    Wait(io);
    KT_CHECK_STATUS(io->Status, KT_STATUS_INVALID_DEVICE_REQUEST);
    KT_CHECK(io->Information == 0);
    KtIoFree(io);

    EchoStop(&echo);
}

/*
 * The timer completes the parked request, one per tick at most. Six requests are sent
 * back to back; the sequential queue presents one at a time and each waits for a tick,
 * so they complete in order, and request i completes at tick i or later. A periodic
 * timer keeps its schedule (a late tick does not delay the next one), and no tick comes
 * before its due time: tick i is due ECHO_TIMER_DUE_TIME_MS (100 ms) + i periods after
 * the timer started, which was after Echo.StartingNs.
 */
static void ScenarioTimer(void)
{
    enum { COUNT = 6 };
    const uint32_t period = 100;
    ECHO echo;
    if (!EchoStart(&echo, period)) {
        return;
    }
    KtSection("%d requests back to back with a %u ms period", COUNT, period);
    KT_IO *io[COUNT];
    for (int i = 0; i < COUNT; i++) {
        io[i] = (i % 2 == 0) ? SubmitWrite(&echo, 64 + (uint32_t)i, (uint32_t)i + 10)
                             : SubmitRead(&echo, 256);
    }
    for (int i = 0; i < COUNT; i++) {
        Wait(io[i]);
    }
    for (int i = 0; i < COUNT; i++) {
        if (i % 2 == 0) {
            CheckWriteOk(io[i], 64 + (uint32_t)i);
        } else {
            /* A read is presented after the write before it and gets its data. */
            CheckReadData(io[i], 64 + (uint32_t)i - 1, (uint32_t)i - 1 + 10);
        }
        if (i > 0) {
            KT_CHECKF(io[i]->Order > io[i - 1]->Order, "request %d completed before %d", i,
                      i - 1);
        }
        uint64_t tickDueNs = echo.StartingNs + (100u + (uint64_t)i * period) * 1000000u;
        KT_CHECKF(io[i]->CompletedNs >= tickDueNs,
                  "request %d completed %.1f ms after the start, before tick %d was due", i,
                  (double)(int64_t)(io[i]->CompletedNs - echo.StartingNs) / 1e6, i);
    }
    for (int i = 0; i < COUNT; i++) {
        KtIoFree(io[i]);
    }
    EchoStop(&echo);
}

/*
 * Cancel of a parked request (the driver's cancel routine completes it), and of a
 * request still in the queue (the framework completes it).
 */
static void ScenarioCancel(void)
{
    const uint32_t period = 1000;
    ECHO echo;
    if (!EchoStart(&echo, period)) {
        return;
    }
    PassFirstTick(&echo);

    KtSection("cancel of a parked write");
    KT_IO *w = SubmitWrite(&echo, 256, 21);
    KT_CHECKF(!KtIoDone(w), "write completed before the next tick");
    KT_CHECK(KmdfHostCancelIo(echo.File, w) == 1);
    Wait(w);
    KT_CHECK_STATUS(w->Status, KT_STATUS_CANCELLED);

    KtSection("the cancelled write had been taken by the driver: a read gets its data");
    KT_IO *r = ReadAndWait(&echo, 256);
    CheckReadData(r, 256, 21);
    KT_CHECK(KmdfHostCancelIo(echo.File, r) == 0);

    KtSection("cancel of a queued read behind a parked write, then of the write");
    KT_IO *w2 = SubmitWrite(&echo, 128, 22);
    KT_IO *r2 = SubmitRead(&echo, 128);
    KT_CHECK(KmdfHostCancelIo(echo.File, r2) == 1);
    Wait(r2);
    KT_CHECK_STATUS(r2->Status, KT_STATUS_CANCELLED);
    KT_CHECK(r2->Information == 0);
    KT_CHECKF(!KtIoDone(w2), "the parked write completed with the queued read");
    KT_CHECK(KmdfHostCancelIo(echo.File, w2) == 1);
    Wait(w2);
    KT_CHECK_STATUS(w2->Status, KT_STATUS_CANCELLED);

    KtSection("cancel of all the file's requests at once");
    KT_IO *all[4];
    all[0] = SubmitWrite(&echo, 20, 23);
    all[1] = SubmitRead(&echo, 20);
    all[2] = SubmitWrite(&echo, 20, 24);
    all[3] = SubmitRead(&echo, 20);
    KT_CHECK(KmdfHostCancelIo(echo.File, NULL) == 4);
    for (int i = 0; i < 4; i++) {
        Wait(all[i]);
        KT_CHECKF(all[i]->Status == KT_STATUS_CANCELLED, "request %d: status 0x%08x", i,
                  (unsigned)all[i]->Status);
    }
    KT_CHECK(KmdfHostCancelIo(echo.File, NULL) == 0);

    EchoStop(&echo);
    for (int i = 0; i < 4; i++) {
        KT_CHECK(KtIoCompletions(all[i]) == 1);
        KtIoFree(all[i]);
    }
    KT_CHECK(KtIoCompletions(w) == 1 && KtIoCompletions(r) == 1);
    KT_CHECK(KtIoCompletions(w2) == 1 && KtIoCompletions(r2) == 1);
    KtIoFree(w);
    KtIoFree(r);
    KtIoFree(w2);
    KtIoFree(r2);
}

/* The seed of the delays between submission and cancel: $ECHO_TEST_SEED, else the time
   (printed, so that a run's delays can be repeated). */
static uint32_t Seed(void)
{
    const char *env = getenv("ECHO_TEST_SEED");
    uint32_t seed = env != NULL ? (uint32_t)strtoul(env, NULL, 10) : (uint32_t)time(NULL);
    printf("seed %u (ECHO_TEST_SEED)\n", seed);
    return seed;
}

/* A small pseudo-random generator, so that a run can be repeated from its seed. */
static uint32_t NextRandom(uint32_t *State)
{
    *State = *State * 1103515245u + 12345u;
    return *State >> 8;
}

/* Spins for Us microseconds: a deliberate, varying delay between submission and cancel
   so that the cancel lands before, at and after the timer's tick. */
static void Spin(uint32_t Us)
{
    uint64_t end = KtNowNs() + (uint64_t)Us * 1000u;
    while (KtNowNs() < end) {
    }
}

/*
 * Cancel racing the timer, thousands of times with a 1 ms period: every request
 * completes exactly once, with success (the tick won) or STATUS_CANCELLED (the cancel
 * routine won), and the verifier sees nothing.
 */
static void ScenarioRace(void)
{
    uint32_t iterations = 3000;
    const char *env = getenv("ECHO_RACE_ITERATIONS");
    if (env != NULL && atoi(env) > 0) {
        iterations = (uint32_t)atoi(env);
    }
    ECHO echo;
    if (!EchoStart(&echo, 1)) {
        return;
    }
    PassFirstTick(&echo);
    KtSection("%u cancels racing a 1 ms timer", iterations);

    KT_IO **all = calloc(iterations, sizeof *all);
    uint32_t state = Seed();
    unsigned succeeded = 0, cancelled = 0, other = 0;
    uint64_t start = KtNowNs();
    for (uint32_t i = 0; i < iterations; i++) {
        KT_IO *io = (i % 2 == 0) ? SubmitWrite(&echo, 32, i) : SubmitRead(&echo, 32);
        all[i] = io;
        /* Half of the delays are a few microseconds, aimed at the moment between the
           presentation of the request and WdfRequestMarkCancelable; the others spread
           over one and a half periods. */
        uint32_t r = NextRandom(&state);
        Spin((r & 1) ? (r >> 1) % 20u : (r >> 1) % 1500u);
        KmdfHostCancelIo(echo.File, io);
        if (!KtIoWait(io, KT_WAIT_MS)) {
            KT_CHECKF(false, "iteration %u: request never completed", i);
            break;
        }
        if (io->Status == KT_STATUS_SUCCESS) {
            succeeded++;
        } else if (io->Status == KT_STATUS_CANCELLED) {
            cancelled++;
        } else {
            other++;
            KT_CHECKF(false, "iteration %u: status 0x%08x", i, (unsigned)io->Status);
        }
    }
    double seconds = (double)(KtNowNs() - start) / 1e9;
    printf("%u completed by the timer, %u cancelled, %u other, %.2f s\n", succeeded, cancelled,
           other, seconds);
    KT_CHECKF(seconds < 60.0, "the race took %.1f s", seconds);
    /* With delays from 0 to 1.5 periods both sides must have won some of the races. */
    KT_CHECK(succeeded > 0);
    KT_CHECK(cancelled > 0);

    EchoStop(&echo);
    /* Checked after the device is gone, so a late second completion would be seen. */
    unsigned wrong = 0;
    for (uint32_t i = 0; i < iterations; i++) {
        if (all[i] != NULL && KtIoCompletions(all[i]) != 1) {
            wrong++;
        }
        KtIoFree(all[i]);
    }
    KT_CHECKF(wrong == 0, "%u requests did not complete exactly once", wrong);
    free(all);
}

/*
 * Closing a handle racing the timer: a file is opened, a request sent, and after a
 * varying delay the file is cleaned up and closed; hundreds of times with a 1 ms period.
 * Each request completes exactly once, with success or STATUS_CANCELLED.
 */
static void ScenarioCleanupRace(void)
{
    const uint32_t iterations = 600;
    ECHO echo;
    if (!EchoStart(&echo, 1)) {
        return;
    }
    PassFirstTick(&echo);
    KtSection("%u closes racing a 1 ms timer", iterations);
    KT_IO **all = calloc(iterations, sizeof *all);
    uint32_t state = Seed();
    unsigned succeeded = 0, cancelled = 0;
    for (uint32_t i = 0; i < iterations; i++) {
        KH_FILE *file = NULL;
        if (!KT_CHECK_STATUS(KtOpen(&echo.Device, &file), KT_STATUS_SUCCESS)) {
            break;
        }
        KT_IO *io = KtIoCreate(32, 0);
        all[i] = io;
        if (i % 2 == 0) {
            KtFillPattern(io->Buffer, 32, i);
            KtSubmitWrite(file, io, io->Buffer, 32);
        } else {
            KtSubmitRead(file, io, 32);
        }
        Spin(NextRandom(&state) % 1500u);
        KT_CHECK_STATUS(KmdfHostCleanupFile(file), KT_STATUS_SUCCESS);
        KmdfHostCloseFile(file);
        if (!KT_CHECKF(KtIoWait(io, KT_WAIT_MS), "iteration %u: never completed", i)) {
            break;
        }
        if (io->Status == KT_STATUS_SUCCESS) {
            succeeded++;
        } else if (io->Status == KT_STATUS_CANCELLED) {
            cancelled++;
        } else {
            KT_CHECKF(false, "iteration %u: status 0x%08x", i, (unsigned)io->Status);
        }
    }
    printf("%u completed by the timer, %u cancelled\n", succeeded, cancelled);
    KT_CHECK(succeeded > 0);
    KT_CHECK(cancelled > 0);
    EchoStop(&echo);
    unsigned wrong = 0;
    for (uint32_t i = 0; i < iterations; i++) {
        if (all[i] != NULL && KtIoCompletions(all[i]) != 1) {
            wrong++;
        }
        KtIoFree(all[i]);
    }
    KT_CHECKF(wrong == 0, "%u requests did not complete exactly once", wrong);
    free(all);
}

typedef struct STREAM {
    ECHO *Echo;
    atomic_bool Stop;
    atomic_uint Sent;
    atomic_uint Bad;
    KT_EVENT Progress; /* set after each write-read pair */
} STREAM;

/* Sends write-read pairs one after the other until told to stop. */
static void *StreamThread(void *Context)
{
    STREAM *stream = Context;
    for (uint32_t i = 0; !atomic_load(&stream->Stop); i++) {
        uint32_t length = 16 + i % 64;
        KT_IO *w = SubmitWrite(stream->Echo, length, i);
        KT_IO *r = SubmitRead(stream->Echo, 128);
        bool ok = KtIoWait(w, KT_WAIT_MS) && KtIoWait(r, KT_WAIT_MS) &&
                  w->Status == KT_STATUS_SUCCESS && w->Information == length &&
                  r->Status == KT_STATUS_SUCCESS && r->Information == length &&
                  KtCheckPattern(r->Buffer, length, i);
        if (!ok) {
            atomic_fetch_add(&stream->Bad, 1);
        }
        atomic_fetch_add(&stream->Sent, 2);
        KtIoFree(w);
        KtIoFree(r);
        KtEventSet(&stream->Progress);
    }
    return NULL;
}

/*
 * Suspend and resume, again and again, while another thread keeps writing and reading:
 * nothing is lost, cancelled or completed twice; the data read is always the data
 * written just before.
 */
static void ScenarioSuspendRace(void)
{
    const int cycles = 8;
    ECHO echo;
    if (!EchoStart(&echo, 1)) {
        return;
    }
    KtSection("%d suspend-resume cycles under a stream of I/O", cycles);
    STREAM stream = {.Echo = &echo};
    atomic_init(&stream.Stop, false);
    atomic_init(&stream.Sent, 0);
    atomic_init(&stream.Bad, 0);
    KtEventInit(&stream.Progress);
    pthread_t thread;
    KT_CHECK(pthread_create(&thread, NULL, StreamThread, &stream) == 0);
    for (int c = 0; c < cycles; c++) {
        /* Each cycle begins once the stream has completed a pair since the last one, so
           that suspends land while requests are queued, parked and being completed. */
        KT_CHECKF(KtEventWait(&stream.Progress, KT_WAIT_MS), "cycle %d: no I/O progress", c);
        KtEventReset(&stream.Progress);
        KT_CHECK_STATUS(KmdfHostSuspendDevice(echo.Device.Node), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(KmdfHostResumeDevice(echo.Device.Node), KT_STATUS_SUCCESS);
    }
    KT_CHECKF(KtEventWait(&stream.Progress, KT_WAIT_MS), "no I/O progress after the last resume");
    atomic_store(&stream.Stop, true);
    pthread_join(thread, NULL);
    KtEventDestroy(&stream.Progress);
    printf("%u requests sent\n", atomic_load(&stream.Sent));
    KT_CHECKF(atomic_load(&stream.Bad) == 0, "%u write-read pairs went wrong",
              atomic_load(&stream.Bad));
    KT_CHECK(atomic_load(&stream.Sent) >= 2u * (cycles + 1));
    EchoStop(&echo);
}

/*
 * Cleanup of a file with a parked request and requests still queued: all of them
 * complete with STATUS_CANCELLED, exactly once; the close that follows at once is
 * deferred by the I/O manager until they have.
 */
static void ScenarioCleanup(void)
{
    ECHO echo;
    if (!EchoStart(&echo, 10000)) {
        return;
    }
    PassFirstTick(&echo);
    KtSection("cleanup with one parked and three queued requests");
    KT_IO *io[4];
    io[0] = SubmitWrite(&echo, 100, 31);
    io[1] = SubmitRead(&echo, 100);
    io[2] = SubmitWrite(&echo, 50, 32);
    io[3] = SubmitRead(&echo, 100);
    for (int i = 0; i < 4; i++) {
        KT_CHECKF(!KtIoDone(io[i]), "request %d completed before the cleanup", i);
    }
    KT_CHECK_STATUS(KmdfHostCleanupFile(echo.File), KT_STATUS_SUCCESS);
    KmdfHostCloseFile(echo.File);
    echo.File = NULL;
    for (int i = 0; i < 4; i++) {
        if (Wait(io[i])) {
            KT_CHECKF(io[i]->Status == KT_STATUS_CANCELLED, "request %d: status 0x%08x", i,
                      (unsigned)io[i]->Status);
        }
    }

    KtSection("the device still works on a new file");
    KT_CHECK_STATUS(KtOpen(&echo.Device, &echo.File), KT_STATUS_SUCCESS);
    KT_IO *zero = KtIoCreate(1, 0);
    KtSubmitWrite(echo.File, zero, "", 0);
    Wait(zero);
    KT_CHECK_STATUS(zero->Status, KT_STATUS_SUCCESS);

    EchoStop(&echo);
    for (int i = 0; i < 4; i++) {
        KT_CHECK(KtIoCompletions(io[i]) == 1);
        KtIoFree(io[i]);
    }
    KtIoFree(zero);
}

/*
 * Suspend (D3) with a parked request: the driver's suspend callback stops the queue
 * synchronously, so the parked request is completed by the timer before the suspend
 * returns. Requests sent while suspended stay queued and are presented after resume.
 */
static void ScenarioSuspend(void)
{
    const uint32_t period = 50;
    ECHO echo;
    if (!EchoStart(&echo, period)) {
        return;
    }
    PassFirstTick(&echo);
    KtSection("suspend with a parked write");
    KT_IO *w1 = SubmitWrite(&echo, 80, 41);
    KT_CHECK_STATUS(KmdfHostSuspendDevice(echo.Device.Node), KT_STATUS_SUCCESS);
    KT_CHECKF(KtIoDone(w1), "the parked write had not completed when the suspend returned");
    Wait(w1);
    CheckWriteOk(w1, 80);

    KtSection("requests sent while suspended stay queued");
    KT_IO *r2 = SubmitRead(&echo, 80);
    KT_IO *w3 = SubmitWrite(&echo, 60, 42);
    /* Several periods pass with the device in D3: nothing may complete. */
    KT_CHECKF(!KtIoWait(r2, 5 * period), "a read completed while the device was suspended");
    KT_CHECK(!KtIoDone(w3));

    KtSection("resume presents them in order");
    KT_CHECK_STATUS(KmdfHostResumeDevice(echo.Device.Node), KT_STATUS_SUCCESS);
    Wait(r2);
    Wait(w3);
    CheckReadData(r2, 80, 41);
    CheckWriteOk(w3, 60);
    KT_CHECK(r2->Order < w3->Order);
    KT_IO *r4 = ReadAndWait(&echo, 100);
    CheckReadData(r4, 60, 42);

    KtSection("suspend and resume with nothing in flight");
    KT_CHECK_STATUS(KmdfHostSuspendDevice(echo.Device.Node), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostResumeDevice(echo.Device.Node), KT_STATUS_SUCCESS);
    KT_IO *r5 = ReadAndWait(&echo, 100);
    CheckReadData(r5, 60, 42);

    EchoStop(&echo);
    KtIoFree(w1);
    KtIoFree(r2);
    KtIoFree(w3);
    KtIoFree(r4);
    KtIoFree(r5);
}

/* Submits one parked write and three queued requests. */
static void SubmitInFlight(ECHO *Echo, KT_IO *Io[4])
{
    Io[0] = SubmitWrite(Echo, 100, 51);
    Io[1] = SubmitRead(Echo, 100);
    Io[2] = SubmitWrite(Echo, 70, 52);
    Io[3] = SubmitRead(Echo, 100);
}

/* Waits for the four requests of SubmitInFlight after the device went away: each
   completes exactly once; the parked one either by the timer or cancelled, the queued
   ones purged with an error. */
static void CheckInFlightEnded(KT_IO *Io[4])
{
    for (int i = 0; i < 4; i++) {
        if (!Wait(Io[i])) {
            continue;
        }
        if (i == 0) {
            KT_CHECKF(Io[0]->Status == KT_STATUS_SUCCESS || Io[0]->Status == KT_STATUS_CANCELLED,
                      "parked write: status 0x%08x", (unsigned)Io[0]->Status);
        }
    }
    /* What was queued behind the parked write ends without success, or in order. */
    for (int i = 1; i < 4; i++) {
        KT_CHECKF(!KT_NT_SUCCESS(Io[i]->Status) || Io[i]->Order > Io[i - 1]->Order,
                  "request %d: status 0x%08x", i, (unsigned)Io[i]->Status);
    }
}

static void ScenarioSurpriseRemoval(void)
{
    ECHO echo;
    if (!EchoStart(&echo, 50)) {
        return;
    }
    PassFirstTick(&echo);
    KtSection("surprise removal with a parked write and queued requests");
    KT_IO *io[4];
    SubmitInFlight(&echo, io);
    KT_CHECK_STATUS(KmdfHostSurpriseRemoveDevice(echo.Device.Node), KT_STATUS_SUCCESS);
    CheckInFlightEnded(io);

    KtSection("after surprise removal new opens and new I/O fail");
    char list[512];
    size_t required = 0;
    KH_STATUS status = KmdfHostGetInterfaceList(g_echoGuid, list, sizeof list, &required);
    KT_CHECKF(KT_NT_SUCCESS(status) && list[0] == '\0',
              "interface still listed after surprise removal (0x%08x)", (unsigned)status);
    KH_FILE *second = NULL;
    KT_CHECK(!KT_NT_SUCCESS(KmdfHostCreateFile(echo.Device.InterfacePath, &second)));
    KT_IO *late = SubmitRead(&echo, 10);
    Wait(late);
    KT_CHECKF(!KT_NT_SUCCESS(late->Status), "read after surprise removal: 0x%08x",
              (unsigned)late->Status);

    KtSection("close and remove");
    KtCloseFile(echo.File);
    echo.File = NULL;
    EchoStop(&echo);
    for (int i = 0; i < 4; i++) {
        KT_CHECK(KtIoCompletions(io[i]) == 1);
        KtIoFree(io[i]);
    }
    KT_CHECK(KtIoCompletions(late) == 1);
    KtIoFree(late);
}

static void ScenarioRemoval(void)
{
    ECHO echo;
    if (!EchoStart(&echo, 50)) {
        return;
    }
    PassFirstTick(&echo);
    KtSection("removal with the file open, a parked write and queued requests");
    KT_IO *io[4];
    SubmitInFlight(&echo, io);
    KT_CHECK_STATUS(KmdfHostRemoveDevice(echo.Device.Node), KT_STATUS_SUCCESS);
    echo.Device.Node = NULL;
    CheckInFlightEnded(io);

    KtSection("the open file stays valid for close, and its I/O fails");
    KT_IO *late = SubmitWrite(&echo, 10, 53);
    Wait(late);
    KT_CHECKF(!KT_NT_SUCCESS(late->Status), "write after removal: 0x%08x",
              (unsigned)late->Status);
    KtCloseFile(echo.File);
    echo.File = NULL;
    EchoStop(&echo);
    for (int i = 0; i < 4; i++) {
        KT_CHECK(KtIoCompletions(io[i]) == 1);
        KtIoFree(io[i]);
    }
    KT_CHECK(KtIoCompletions(late) == 1);
    KtIoFree(late);
}

/*
 * TimerPeriodMs out of bounds (0, 10001, 0xFFFFFFFF): the driver logs the bad value and
 * uses its 10 ms default, so a few parked requests complete within a fraction of a
 * second; had it used the value, the second would wait 10 s or more (and 0 would make no
 * periodic timer at all).
 */
static void ScenarioRegistry(void)
{
    const uint32_t bad[] = {0, 10001, 0xFFFFFFFFu};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        ECHO echo;
        KtSection("TimerPeriodMs = %u falls back to the default period", bad[b]);
        KT_CHECK_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS);
        /* The driver's debug output goes to a pipe while it loads: the bad value is
           logged with its name and value. */
        int fds[2];
        KT_CHECK(pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
        KmdfHostSetDebugPrintFd(fds[1]);
        bool started = EchoStartWith(&echo, true, bad[b]);
        KmdfHostSetDebugPrintFd(-1);
        char log[8192];
        ssize_t got = read(fds[0], log, sizeof log - 1);
        log[got > 0 ? got : 0] = '\0';
        close(fds[0]);
        close(fds[1]);
        char expected[64];
        snprintf(expected, sizeof expected, "TimerPeriodMs = %u", bad[b]);
        KT_CHECKF(strstr(log, expected) != NULL, "no \"%s\" in the debug output:\n%s", expected,
                  log);
        if (!started) {
            return;
        }
        KT_IO *io[4];
        for (int i = 0; i < 4; i++) {
            io[i] = (i % 2 == 0) ? SubmitWrite(&echo, 40, (uint32_t)i) : SubmitRead(&echo, 40);
        }
        /* First tick after 100 ms, then three more 10 ms periods: far less than 5 s. */
        for (int i = 0; i < 4; i++) {
            KT_CHECKF(KtIoWait(io[i], 5000), "request %d not completed after 5 s", i);
        }
        EchoStop(&echo);
        for (int i = 0; i < 4; i++) {
            KT_CHECK(KtIoCompletions(io[i]) == 1);
            KT_CHECK_STATUS(io[i]->Status, KT_STATUS_SUCCESS);
            KtIoFree(io[i]);
        }
    }
    KmdfHostClearServiceParameters(ECHO_SERVICE);
}

/*
 * Two files on the one device: the stored data belongs to the device (a read on one file
 * returns what was written on the other), and the cleanup of one file cancels only that
 * file's requests.
 */
static void ScenarioTwoFiles(void)
{
    ECHO echo;
    if (!EchoStart(&echo, 10000)) {
        return;
    }
    PassFirstTick(&echo);
    KH_FILE *second = NULL;
    if (!KT_CHECK_STATUS(KtOpen(&echo.Device, &second), KT_STATUS_SUCCESS)) {
        EchoStop(&echo);
        return;
    }
    KtSection("a write parked on one file, a read queued on the other; cleanup of the first");
    KT_IO *w = SubmitWrite(&echo, 90, 71);
    KT_IO *r = KtIoCreate(200, 0);
    KtSubmitRead(second, r, 200);
    KT_CHECK_STATUS(KmdfHostCleanupFile(echo.File), KT_STATUS_SUCCESS);
    KmdfHostCloseFile(echo.File);
    echo.File = NULL;
    Wait(w);
    KT_CHECK_STATUS(w->Status, KT_STATUS_CANCELLED);
    KT_CHECKF(!KtIoDone(r), "the other file's read completed with the first file's cleanup");

    KtSection("the read on the second file is still pending, and is cancelled on its own");
    KT_CHECK(KmdfHostCancelIo(second, r) == 1);
    Wait(r);
    KT_CHECK_STATUS(r->Status, KT_STATUS_CANCELLED);
    KT_CHECK_STATUS(KmdfHostCleanupFile(second), KT_STATUS_SUCCESS);
    KmdfHostCloseFile(second);
    EchoStop(&echo);
    KT_CHECK(KtIoCompletions(w) == 1 && KtIoCompletions(r) == 1);
    KtIoFree(w);
    KtIoFree(r);
}

typedef struct WRITER {
    ECHO *Echo;
    KH_FILE *File;
    uint32_t Index;
    unsigned Bad;
} WRITER;

#define WRITERS 4
#define WRITER_ROUNDS 25

/* The length a writer writes identifies it, so a read can check that it got one whole
   write (the sequential queue never mixes two). */
static uint32_t WriterLength(uint32_t Index)
{
    return 100 + Index * 7;
}

static void *WriterThread(void *Context)
{
    WRITER *writer = Context;
    for (uint32_t round = 0; round < WRITER_ROUNDS; round++) {
        uint32_t length = WriterLength(writer->Index);
        KT_IO *w = KtIoCreate(length, 0);
        KtFillPattern(w->Buffer, length, writer->Index);
        KtSubmitWrite(writer->File, w, w->Buffer, length);
        KT_IO *r = KtIoCreate(512, 0);
        KtSubmitRead(writer->File, r, 512);
        bool ok = KtIoWait(w, KT_WAIT_MS) && KtIoWait(r, KT_WAIT_MS);
        if (ok) {
            ok = w->Status == KT_STATUS_SUCCESS && w->Information == length &&
                 r->Status == KT_STATUS_SUCCESS;
        }
        if (ok) {
            /* Whatever write was stored last, the read has all of it and only it. */
            bool found = false;
            for (uint32_t i = 0; i < WRITERS; i++) {
                if (r->Information == WriterLength(i)) {
                    found = KtCheckPattern(r->Buffer, WriterLength(i), i);
                }
            }
            ok = found;
        }
        if (!ok || KtIoCompletions(w) != 1 || KtIoCompletions(r) != 1) {
            writer->Bad++;
        }
        KtIoFree(w);
        KtIoFree(r);
    }
    return NULL;
}

/* Several threads, each with its own file, write and read at once. */
static void ScenarioThreads(void)
{
    ECHO echo;
    if (!EchoStart(&echo, 1)) {
        return;
    }
    KtSection("%d threads, %d write-read rounds each", WRITERS, WRITER_ROUNDS);
    WRITER writers[WRITERS];
    pthread_t threads[WRITERS];
    for (uint32_t i = 0; i < WRITERS; i++) {
        writers[i] = (WRITER){.Echo = &echo, .Index = i};
        KT_CHECK_STATUS(KtOpen(&echo.Device, &writers[i].File), KT_STATUS_SUCCESS);
    }
    for (uint32_t i = 0; i < WRITERS; i++) {
        KT_CHECK(pthread_create(&threads[i], NULL, WriterThread, &writers[i]) == 0);
    }
    for (uint32_t i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        KT_CHECKF(writers[i].Bad == 0, "writer %u: %u bad rounds", i, writers[i].Bad);
        KtCloseFile(writers[i].File);
    }
    EchoStop(&echo);
}

/*
 * The device leaves while it is suspended, with requests waiting in the stopped queue:
 * by surprise removal and then removal, and by removal alone. Each request completes
 * exactly once, without success (the queue never presented them), and nothing hangs.
 */
static void ScenarioRemovalWhileSuspended(void)
{
    for (int surprise = 1; surprise >= 0; surprise--) {
        ECHO echo;
        if (!EchoStart(&echo, 50)) {
            return;
        }
        PassFirstTick(&echo);
        KtSection("%s while suspended, with two requests queued",
                  surprise ? "surprise removal" : "removal");
        KT_CHECK_STATUS(KmdfHostSuspendDevice(echo.Device.Node), KT_STATUS_SUCCESS);
        KT_IO *io[2];
        io[0] = SubmitWrite(&echo, 30, 81);
        io[1] = SubmitRead(&echo, 30);
        if (surprise) {
            KT_CHECK_STATUS(KmdfHostSurpriseRemoveDevice(echo.Device.Node), KT_STATUS_SUCCESS);
        } else {
            KT_CHECK_STATUS(KmdfHostRemoveDevice(echo.Device.Node), KT_STATUS_SUCCESS);
            echo.Device.Node = NULL;
        }
        for (int i = 0; i < 2; i++) {
            if (Wait(io[i])) {
                KT_CHECKF(!KT_NT_SUCCESS(io[i]->Status), "request %d: status 0x%08x", i,
                          (unsigned)io[i]->Status);
            }
        }
        EchoStop(&echo);
        for (int i = 0; i < 2; i++) {
            KT_CHECK(KtIoCompletions(io[i]) == 1);
            KtIoFree(io[i]);
        }
    }
}

/*
 * Two instances of the device on one driver: both interfaces are listed, and each
 * device keeps its own data.
 */
static void ScenarioTwoDevices(void)
{
    ECHO echo;
    if (!EchoStart(&echo, 1)) {
        return;
    }
    KtSection("a second instance, ROOT\\ECHO\\0001");
    KT_DEVICE second = {.Driver = echo.Device.Driver};
    KH_FILE *file = NULL;
    if (KT_CHECK_STATUS(KtAddAndStart(&second, "ROOT\\ECHO\\0001", g_echoGuid),
                        KT_STATUS_SUCCESS)) {
        size_t required = 0;
        char list[1024];
        KT_CHECK_STATUS(KmdfHostGetInterfaceList(g_echoGuid, list, sizeof list, &required),
                        KT_STATUS_SUCCESS);
        size_t count = 0;
        for (const char *p = list; *p != '\0'; p += strlen(p) + 1) {
            count++;
        }
        KT_CHECKF(count == 2, "%zu interfaces listed", count);
        KT_CHECK(strcasecmp(second.InterfacePath,
                            "\\\\?\\ROOT#ECHO#0001#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}") == 0);
        KT_CHECK_STATUS(KtOpen(&second, &file), KT_STATUS_SUCCESS);
    }
    if (file != NULL) {
        KtSection("each device keeps its own data");
        KT_IO *io = WriteAndWait(&echo, 33, 91);
        CheckWriteOk(io, 33);
        KtIoFree(io);
        io = KtIoCreate(44, 0);
        KtFillPattern(io->Buffer, 44, 92);
        KtSubmitWrite(file, io, io->Buffer, 44);
        Wait(io);
        CheckWriteOk(io, 44);
        KtIoFree(io);
        io = ReadAndWait(&echo, 100);
        CheckReadData(io, 33, 91);
        KtIoFree(io);
        io = KtIoCreate(100, 0);
        KtSubmitRead(file, io, 100);
        Wait(io);
        CheckReadData(io, 44, 92);
        KtIoFree(io);
        KtCloseFile(file);
    }
    if (second.Node != NULL) {
        KT_CHECK_STATUS(KmdfHostRemoveDevice(second.Node), KT_STATUS_SUCCESS);
    }
    EchoStop(&echo);
}

/* ----------------------------------------------------------- allocation failures */

typedef struct LIFE_RESULT {
    const char *FailedAt;     /* the step that failed, NULL when all succeeded */
    KH_STATUS FailedStatus;
    KH_STATUS WriteStatus;    /* final status of the write, if one was sent */
    bool WriteSent;
} LIFE_RESULT;

/* Requests that may be parked are cancelled at once, so that a life cycle takes no
   timer tick: what completes them does not allocate. */
static KH_STATUS SendAndCancel(KH_FILE *File, KT_IO *Io, bool Write)
{
    if (Write) {
        KtSubmitWrite(File, Io, Io->Buffer, Io->Length);
    } else {
        KtSubmitRead(File, Io, Io->Length);
    }
    KmdfHostCancelIo(File, Io);
    if (!KtIoWait(Io, KT_WAIT_MS)) {
        KT_CHECKF(false, "%s never completed", Write ? "write" : "read");
        return KT_STATUS_PENDING;
    }
    return Io->Status;
}

/* One whole life cycle: load, add, start, open, write, read, close, remove, unload,
   stopping at the first step that fails and undoing what was done. */
static void LifeCycle(LIFE_RESULT *Result)
{
    memset(Result, 0, sizeof *Result);
    KT_DEVICE device;
    char module[64];
    snprintf(module, sizeof module, "echo-%s.so", g_variant);
    KH_STATUS status = KtLoadDriver(&device, module, ECHO_SERVICE);
    if (!KT_NT_SUCCESS(status)) {
        Result->FailedAt = "load";
        Result->FailedStatus = status;
        return;
    }
    status = KmdfHostAddDevice(device.Driver, ECHO_INSTANCE, &device.Node);
    if (!KT_NT_SUCCESS(status)) {
        device.Node = NULL;
        Result->FailedAt = "add";
        Result->FailedStatus = status;
        KtRemoveAndUnload(&device);
        return;
    }
    status = KmdfHostStartDevice(device.Node);
    if (!KT_NT_SUCCESS(status)) {
        Result->FailedAt = "start";
        Result->FailedStatus = status;
        KtRemoveAndUnload(&device);
        return;
    }
    KH_FILE *file = NULL;
    status = KmdfHostCreateFile("\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}",
                                &file);
    if (!KT_NT_SUCCESS(status)) {
        Result->FailedAt = "open";
        Result->FailedStatus = status;
        KtRemoveAndUnload(&device);
        return;
    }
    KT_IO *w = KtIoCreate(128, 0);
    KtFillPattern(w->Buffer, 128, 61);
    Result->WriteSent = true;
    Result->WriteStatus = SendAndCancel(file, w, true);
    KT_IO *r = KtIoCreate(128, 0);
    KH_STATUS readStatus = SendAndCancel(file, r, false);
    if (Result->WriteStatus != KT_STATUS_SUCCESS && Result->WriteStatus != KT_STATUS_CANCELLED) {
        Result->FailedAt = "write";
        Result->FailedStatus = Result->WriteStatus;
    } else if (readStatus != KT_STATUS_SUCCESS && readStatus != KT_STATUS_CANCELLED) {
        Result->FailedAt = "read";
        Result->FailedStatus = readStatus;
    }
    KtCloseFile(file);
    KtRemoveAndUnload(&device);
    KT_CHECK(KtIoCompletions(w) == 1 && KtIoCompletions(r) == 1);
    KtIoFree(w);
    KtIoFree(r);
}

/*
 * Allocation failure at every allocation point of a life cycle: run it with the N-th
 * allocation failing, for N = 0, 1, 2, ... until a run passes without reaching the N-th
 * allocation. Every run must end cleanly (each step succeeds or fails with a status, the
 * device and driver go away, no leak report), and the write's own pool allocation
 * failing must reach the writer as STATUS_INSUFFICIENT_RESOURCES.
 */
static void ScenarioAllocationFailure(void)
{
    KT_CHECK_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS);
    KmdfHostClearServiceParameters(ECHO_SERVICE);
    KT_CHECK_STATUS(KmdfHostSetServiceParameterULong(ECHO_SERVICE, "TimerPeriodMs", 10000),
                    KT_STATUS_SUCCESS);

    KtSection("a life cycle without injected failure");
    LIFE_RESULT result;
    uint64_t before = KmdfHostAllocationCount();
    LifeCycle(&result);
    uint64_t points = KmdfHostAllocationCount() - before;
    KT_CHECKF(result.FailedAt == NULL, "clean life cycle failed at %s (0x%08x)",
              result.FailedAt ? result.FailedAt : "-", (unsigned)result.FailedStatus);
    KT_CHECKF(points > 0, "a life cycle passed no allocation point");
    printf("a life cycle passes %llu allocation points\n", (unsigned long long)points);
    KtCheckNoVerifierReports("in a life cycle without injected failure");

    unsigned writeOutOfResources = 0;
    unsigned failedRuns = 0;
    const int64_t limit = 5000;
    int64_t n;
    for (n = 0; n < limit; n++) {
        KtVerifierReset();
        unsigned failedBefore = KtFailedCount();
        before = KmdfHostAllocationCount();
        KmdfHostFailAllocation(n);
        LifeCycle(&result);
        KmdfHostFailAllocation(-1);
        uint64_t passed = KmdfHostAllocationCount() - before;
        bool hit = passed > (uint64_t)n;
        if (result.WriteSent && result.WriteStatus == KT_STATUS_INSUFFICIENT_RESOURCES) {
            writeOutOfResources++;
        }
        if (result.FailedAt != NULL) {
            failedRuns++;
        }
        if (result.FailedAt != NULL || KtFailedCount() != failedBefore) {
            printf("allocation %lld failing: %s %s (0x%08x)\n", (long long)n,
                   result.FailedAt ? "failed at" : "passed",
                   result.FailedAt ? result.FailedAt : "", (unsigned)result.FailedStatus);
        }
        KT_CHECKF(hit || result.FailedAt == NULL,
                  "run %lld failed at %s without reaching the injected failure", (long long)n,
                  result.FailedAt);
        KT_CHECKF(KtVerifierCount(NULL) == 0, "allocation %lld failing: %zu verifier report(s)",
                  (long long)n, KtVerifierCount(NULL));
        if (KtVerifierCount(NULL) != 0) {
            KtVerifierDump();
        }
        if (!hit) {
            break;
        }
    }
    printf("%lld failure points tried, %u runs failed cleanly, %u writes got "
           "STATUS_INSUFFICIENT_RESOURCES\n",
           (long long)n, failedRuns, writeOutOfResources);
    KT_CHECKF(n < limit, "allocation failures never ran out after %lld points", (long long)n);
    KT_CHECKF(failedRuns > 0, "no injected failure made any step fail");
    KT_CHECKF(writeOutOfResources > 0,
              "no write completed with STATUS_INSUFFICIENT_RESOURCES");
    KtVerifierReset();
}

/* --------------------------------------------------------------------------- main */

typedef struct SCENARIO {
    const char *Name;
    void (*Run)(void);
} SCENARIO;

static const SCENARIO g_scenarios[] = {
    {"basic", ScenarioBasic},
    {"timer", ScenarioTimer},
    {"cancel", ScenarioCancel},
    {"race", ScenarioRace},
    {"cleanup", ScenarioCleanup},
    {"cleanup-race", ScenarioCleanupRace},
    {"suspend", ScenarioSuspend},
    {"suspend-race", ScenarioSuspendRace},
    {"surprise-removal", ScenarioSurpriseRemoval},
    {"removal", ScenarioRemoval},
    {"registry", ScenarioRegistry},
    {"two-files", ScenarioTwoFiles},
    {"threads", ScenarioThreads},
    {"removal-while-suspended", ScenarioRemovalWhileSuspended},
    {"two-devices", ScenarioTwoDevices},
    {"allocation-failure", ScenarioAllocationFailure},
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || (strcmp(argv[1], "autosync") != 0 && strcmp(argv[1], "driversync") != 0)) {
        fprintf(stderr, "usage: %s autosync|driversync [SCENARIO...]\n", argv[0]);
        return 2;
    }
    g_variant = argv[1];
    KtGuid(g_echoGuid, 0xcdc35b6e, 0x0be4, 0x4936, 0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c,
           0x1a);
    KtVerifierCapture();

    size_t count = sizeof g_scenarios / sizeof g_scenarios[0];
    for (size_t i = 0; i < count; i++) {
        bool wanted = argc == 2;
        for (int a = 2; a < argc; a++) {
            wanted = wanted || strcmp(argv[a], g_scenarios[i].Name) == 0;
        }
        if (wanted) {
            KtSection("%s: %s", g_variant, g_scenarios[i].Name);
            g_scenarios[i].Run();
        }
    }
    for (int a = 2; a < argc; a++) {
        bool known = false;
        for (size_t i = 0; i < count; i++) {
            known = known || strcmp(argv[a], g_scenarios[i].Name) == 0;
        }
        KT_CHECKF(known, "unknown scenario %s", argv[a]);
    }
    KtVerifierReset();
    return KtFinish();
}
