/*
 * scenarios.c - what the application does while the scheduler explores: open, write,
 * read, CancelIoEx, close with I/O pending, a handle closed by another thread,
 * suspend and resume with I/O in flight, surprise removal with I/O in flight. The
 * driver's periodic timer runs in every one of them, so its ticks race each step.
 *
 * The scenarios use the Win32 surface, as an application does, against the first
 * device interface of the class given (the echo interface by default), and check what
 * an application can see:
 *   - every I/O completes exactly once (its event is set once, and GetOverlappedResult
 *     reports it), with a status the documentation allows for the situation;
 *   - echo semantics: a read returns nothing or a prefix of the data of a write issued
 *     before it (the echo driver returns what the last write stored);
 *   - nothing hangs (a wait that never ends is a DEADLOCK or HANG finding).
 * The verifier watches the driver meanwhile, and removing the device and unloading the
 * driver at the end of each run checks for leaks.
 */
#define _GNU_SOURCE
#include "explorer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ------------------------------------------------------------------ helpers */

typedef struct XIO {
    OVERLAPPED Ov;
    HANDLE Event;
    uint8_t *Buffer;
    DWORD Length;
    bool Write;
    bool Started;
    uint32_t Pattern; /* writes: which pattern; reads: unused */
} XIO;

#define XP_MAX_WRITES 16 /* at least XP_MAX_IOS */

typedef struct XSCENE {
    const XP_TARGET *Target;
    HANDLE File;
    uint32_t WritesIssued;
    uint32_t WriteLength[XP_MAX_WRITES];
    bool Closed;
    bool Removed;   /* surprise removal happened */
    bool Suspended; /* a suspend and resume may have happened while I/O was in flight */
} XSCENE;

static void Fill(uint8_t *Buffer, DWORD Length, uint32_t Pattern)
{
    for (DWORD i = 0; i < Length; i++) {
        Buffer[i] = (uint8_t)(Pattern * 31u + i * 7u + 1u);
    }
}

static HANDLE XOpen(const XP_TARGET *Target)
{
    HANDLE h = CreateFileW(Target->Path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        KmdfHostExploreFinding("PROPERTY", "CreateFileW on the device failed with error %u",
                               (unsigned)GetLastError());
    }
    return h;
}

static void XIoInit(XIO *Io, bool Write, DWORD Length, uint32_t Pattern)
{
    memset(Io, 0, sizeof(*Io));
    Io->Event = CreateEventW(NULL, TRUE, FALSE, NULL);
    Io->Buffer = calloc(1, Length);
    if (Io->Event == NULL || Io->Buffer == NULL) {
        KmdfHostExploreFinding("PROPERTY", "the scenario ran out of resources");
    }
    Io->Ov.hEvent = Io->Event;
    Io->Length = Length;
    Io->Write = Write;
    Io->Pattern = Pattern;
    if (Write) {
        Fill(Io->Buffer, Length, Pattern);
    }
}

static void XIoFree(XIO *Io)
{
    CloseHandle(Io->Event);
    free(Io->Buffer);
}

/* Starts the I/O; a synchronous failure other than ERROR_IO_PENDING is checked at finish. */
static void XStart(XSCENE *Scene, XIO *Io)
{
    if (Io->Write && Scene->WritesIssued < XP_MAX_WRITES) {
        Scene->WriteLength[Scene->WritesIssued++] = Io->Length;
        Io->Pattern = Scene->WritesIssued - 1;
        Fill(Io->Buffer, Io->Length, Io->Pattern);
    }
    BOOL ok = Io->Write ? WriteFile(Scene->File, Io->Buffer, Io->Length, NULL, &Io->Ov)
                        : ReadFile(Scene->File, Io->Buffer, Io->Length, NULL, &Io->Ov);
    DWORD error = ok ? ERROR_SUCCESS : GetLastError();
    Io->Started = ok || error == ERROR_IO_PENDING;
    if (!Io->Started) {
        /* Failed at once: the status is in the OVERLAPPED only if the I/O manager took it. */
        Io->Ov.Internal = (ULONG_PTR)0xC0000000u | error;
        SetEvent(Io->Event);
    }
}

/* The documented outcomes of an echo read or write in this scene. */
static bool XAllowed(const XSCENE *Scene, const XIO *Io, uint32_t Status)
{
    switch (Status) {
    case 0x00000000: /* STATUS_SUCCESS */
        return true;
    case 0xC0000120: /* STATUS_CANCELLED: CancelIoEx, a close, or the framework's purge */
        return true;
    case 0x80000005: /* STATUS_BUFFER_OVERFLOW: the echo protocol refuses writes over 40 KiB */
        return Io->Write && Io->Length > 40960u;
    case 0xC000000E: /* STATUS_NO_SUCH_DEVICE: the queue was purged by surprise removal */
    case 0xC0000056: /* STATUS_DELETE_PENDING */
    case 0xC0000184: /* STATUS_INVALID_DEVICE_STATE: queue purged/stopped on the way out */
        return Scene->Removed;
    default:
        (void)Io;
        return false;
    }
}

/* Waits for the I/O to complete and checks its outcome (completion once, status, echo). */
static void XFinish(XSCENE *Scene, XIO *Io, const char *What)
{
    DWORD wait = WaitForSingleObject(Io->Event, INFINITE);
    if (wait != WAIT_OBJECT_0) {
        KmdfHostExploreFinding("PROPERTY", "%s: waiting for its event returned %u", What, (unsigned)wait);
    }
    uint32_t status = (uint32_t)Io->Ov.Internal;
    if (!Io->Started && !Scene->Closed && !Scene->Removed) {
        KmdfHostExploreFinding("PROPERTY", "%s of %u bytes failed to start: error %u", What, (unsigned)Io->Length,
                               (unsigned)(status & 0xFFFFu));
    }
    if (!Io->Started) {
        return;
    }
    if (status == 0x103 /* STATUS_PENDING */) {
        KmdfHostExploreFinding("PROPERTY", "%s: its event was set while the I/O was still pending", What);
    }
    if (!XAllowed(Scene, Io, status)) {
        KmdfHostExploreFinding("PROPERTY", "%s of %u bytes completed with status 0x%08X, which is not allowed here",
                               What, (unsigned)Io->Length, (unsigned)status);
    }
    size_t bytes = (size_t)Io->Ov.InternalHigh;
    if (status != 0 && bytes != 0) {
        KmdfHostExploreFinding("PROPERTY", "%s failed with 0x%08X but reports %zu bytes", What, (unsigned)status,
                               bytes);
    }
    if (status == 0 && Io->Write && bytes != Io->Length) {
        KmdfHostExploreFinding("PROPERTY", "%s of %u bytes reports %zu bytes written", What, (unsigned)Io->Length,
                               bytes);
    }
    if (status == 0 && !Io->Write && bytes != 0) {
        /* Echo: a prefix of the data of some write issued before (patterns tell them apart). */
        bool match = false;
        for (uint32_t w = 0; w < Scene->WritesIssued && !match; w++) {
            if (bytes > Scene->WriteLength[w]) {
                continue;
            }
            uint8_t expected[64];
            size_t check = bytes < sizeof(expected) ? bytes : sizeof(expected);
            Fill(expected, (DWORD)check, w);
            match = memcmp(expected, Io->Buffer, check) == 0;
            if (match && bytes > check) {
                uint8_t *all = malloc(bytes);
                Fill(all, (DWORD)bytes, w);
                match = memcmp(all, Io->Buffer, bytes) == 0;
                free(all);
            }
        }
        if (!match) {
            KmdfHostExploreFinding("PROPERTY", "%s returned %zu bytes that are no prefix of any write's data", What,
                                   bytes);
        }
    }
    if (WaitForSingleObject(Io->Event, 0) != WAIT_OBJECT_0) {
        KmdfHostExploreFinding("PROPERTY", "%s: its event was reset after completion", What);
    }
}

static void XClose(XSCENE *Scene)
{
    if (!Scene->Closed) {
        Scene->Closed = true;
        if (!CloseHandle(Scene->File)) {
            KmdfHostExploreFinding("PROPERTY", "CloseHandle on the device failed with error %u",
                                   (unsigned)GetLastError());
        }
    }
}

/* ------------------------------------------------------------------ scenarios */

static void ScenarioOpen(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    HANDLE second = XOpen(Target);
    CloseHandle(second);
    XClose(&scene);
}

static void ScenarioWrite(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    XIO io;
    XIoInit(&io, true, 512, 0);
    XStart(&scene, &io);
    XFinish(&scene, &io, "write");
    XIoFree(&io);
    XClose(&scene);
}

static void ScenarioRead(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    XIO w, r, r2;
    XIoInit(&w, true, 512, 0);
    XIoInit(&r, false, 512, 0);
    XIoInit(&r2, false, 40960, 0);
    XStart(&scene, &w);
    XStart(&scene, &r);
    XFinish(&scene, &w, "write");
    XFinish(&scene, &r, "read");
    XStart(&scene, &r2);
    XFinish(&scene, &r2, "second read");
    XIoFree(&w);
    XIoFree(&r);
    XIoFree(&r2);
    XClose(&scene);
}

typedef struct XCANCEL {
    XSCENE *Scene;
    XIO *Io;
} XCANCEL;

static void CancelThread(void *Context)
{
    XCANCEL *c = Context;
    /* ERROR_NOT_FOUND is fine: the I/O may have completed already. */
    (void)CancelIoEx(c->Scene->File, &c->Io->Ov);
}

static void ScenarioCancel(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    XIO w, r;
    XIoInit(&w, true, 512, 0);
    XIoInit(&r, false, 512, 0);
    XStart(&scene, &w);
    XStart(&scene, &r);
    XCANCEL cw = {&scene, &w}, cr = {&scene, &r};
    void *t1, *t2;
    KmdfHostExploreThreadStart("cancel-write", CancelThread, &cw, &t1);
    KmdfHostExploreThreadStart("cancel-read", CancelThread, &cr, &t2);
    XFinish(&scene, &w, "write");
    XFinish(&scene, &r, "read");
    KmdfHostExploreThreadJoin(t1);
    KmdfHostExploreThreadJoin(t2);
    /* The device still works after cancellations. */
    XIO w2;
    XIoInit(&w2, true, 100, 0);
    XStart(&scene, &w2);
    XFinish(&scene, &w2, "write after cancel");
    XIoFree(&w);
    XIoFree(&r);
    XIoFree(&w2);
    XClose(&scene);
}

static void ScenarioClosePending(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    XIO w, r;
    XIoInit(&w, true, 4096, 0);
    XIoInit(&r, false, 4096, 0);
    XStart(&scene, &w);
    XStart(&scene, &r);
    /* CloseHandle sends cleanup, which cancels the file's pending I/O. */
    XClose(&scene);
    XFinish(&scene, &w, "write");
    XFinish(&scene, &r, "read");
    XIoFree(&w);
    XIoFree(&r);
}

static void CloseThread(void *Context) { XClose(Context); }

static void ScenarioCloseOtherThread(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    XIO w, r;
    XIoInit(&w, true, 512, 0);
    XIoInit(&r, false, 512, 0);
    XStart(&scene, &w);
    XStart(&scene, &r);
    void *t;
    KmdfHostExploreThreadStart("closer", CloseThread, &scene, &t);
    XFinish(&scene, &w, "write");
    XFinish(&scene, &r, "read");
    KmdfHostExploreThreadJoin(t);
    XIoFree(&w);
    XIoFree(&r);
}

static void SuspendThread(void *Context)
{
    XSCENE *scene = Context;
    /* A device that is being surprise-removed may refuse the power transition. */
    if (KmdfHostSuspendDevice(scene->Target->Node) != 0 && !scene->Removed) {
        KmdfHostExploreFinding("PROPERTY", "KmdfHostSuspendDevice failed");
    }
    if (KmdfHostResumeDevice(scene->Target->Node) != 0 && !scene->Removed) {
        KmdfHostExploreFinding("PROPERTY", "KmdfHostResumeDevice failed");
    }
}

/*
 * I/O in flight across a transition that another task makes (Routine, from a thread
 * named Name): a write started before the task, a read right after it starts; both are
 * checked, and the task joined.
 */
static void XIoAcrossTransition(XSCENE *Scene, const char *Name, KH_EXPLORE_ROUTINE *Routine, void *Context)
{
    XIO w, r;
    XIoInit(&w, true, 512, 0);
    XIoInit(&r, false, 512, 0);
    XStart(Scene, &w);
    void *t;
    KmdfHostExploreThreadStart(Name, Routine, Context, &t);
    XStart(Scene, &r);
    XFinish(Scene, &w, "write");
    XFinish(Scene, &r, "read");
    KmdfHostExploreThreadJoin(t);
    XIoFree(&w);
    XIoFree(&r);
}

static void ScenarioSuspend(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target, .Suspended = true};
    scene.File = XOpen(Target);
    XIoAcrossTransition(&scene, "power", SuspendThread, &scene);
    /* After resume the device works again. */
    XIO w2;
    XIoInit(&w2, true, 64, 0);
    XStart(&scene, &w2);
    XFinish(&scene, &w2, "write after resume");
    XIoFree(&w2);
    XClose(&scene);
}

static void SurpriseThread(void *Context)
{
    const XP_TARGET *target = Context;
    if (KmdfHostSurpriseRemoveDevice(target->Node) != 0) {
        KmdfHostExploreFinding("PROPERTY", "KmdfHostSurpriseRemoveDevice failed");
    }
}

static void ScenarioSurpriseRemoval(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target, .Removed = true};
    scene.File = XOpen(Target);
    XIoAcrossTransition(&scene, "pnp", SurpriseThread, (void *)Target);
    XClose(&scene);
}

/* ------------------------------------------------------------------ benchmark */

uint32_t XpRoundTrips = 1000;
uint32_t XpRoundTripSize = 512;

static void ScenarioRoundTrips(const XP_TARGET *Target)
{
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    XIO w, r;
    XIoInit(&w, true, XpRoundTripSize, 0);
    XIoInit(&r, false, XpRoundTripSize, 0);
    for (uint32_t i = 0; i < XpRoundTrips; i++) {
        ResetEvent(w.Event);
        ResetEvent(r.Event);
        if (i == 0 || i + 1 == XpRoundTrips) {
            /* The first and the last round trip with every check of the scenarios. */
            scene.WritesIssued = 0;
            XStart(&scene, &w);
            XFinish(&scene, &w, "write");
            XStart(&scene, &r);
            XFinish(&scene, &r, "read");
        } else {
            /* The others measure the I/O path: the data stays, the status and size are checked. */
            BOOL ok = WriteFile(scene.File, w.Buffer, w.Length, NULL, &w.Ov);
            if ((!ok && GetLastError() != ERROR_IO_PENDING) || WaitForSingleObject(w.Event, INFINITE) != WAIT_OBJECT_0 ||
                w.Ov.Internal != 0 || w.Ov.InternalHigh != w.Length) {
                KmdfHostExploreFinding("PROPERTY", "round trip %u: the write failed (0x%08X)", (unsigned)i,
                                       (unsigned)w.Ov.Internal);
            }
            ok = ReadFile(scene.File, r.Buffer, r.Length, NULL, &r.Ov);
            if ((!ok && GetLastError() != ERROR_IO_PENDING) || WaitForSingleObject(r.Event, INFINITE) != WAIT_OBJECT_0 ||
                r.Ov.Internal != 0) {
                KmdfHostExploreFinding("PROPERTY", "round trip %u: the read failed (0x%08X)", (unsigned)i,
                                       (unsigned)r.Ov.Internal);
            }
        }
        if (r.Ov.InternalHigh != XpRoundTripSize) {
            KmdfHostExploreFinding("PROPERTY", "round trip %u: the read returned %zu of %u bytes", (unsigned)i,
                                   (size_t)r.Ov.InternalHigh, (unsigned)XpRoundTripSize);
        }
    }
    XIoFree(&w);
    XIoFree(&r);
    XClose(&scene);
}

const XP_SCENARIO XpRoundTripScenario = {"roundtrip", "write+read round trips, one after the other",
                                         ScenarioRoundTrips};

/* ------------------------------------------------------------------ operation sequences */

#define XP_MAX_OPS 24
#define XP_MAX_IOS 16
#define XP_MAX_HELPERS 16

static void CancelAllThread(void *Context)
{
    XSCENE *scene = Context;
    (void)CancelIoEx(scene->File, NULL);
}

void XpRunOps(const XP_TARGET *Target, const uint8_t *Ops, size_t Count)
{
    static const DWORD lengths[8] = {1, 17, 512, 1024, 4096, 30720, 40960, 40961};
    XSCENE scene = {.Target = Target};
    scene.File = XOpen(Target);
    XIO ios[XP_MAX_IOS];
    size_t ioCount = 0, finished = 0;
    XCANCEL cancels[XP_MAX_OPS];
    void *helpers[XP_MAX_HELPERS];
    size_t helperCount = 0;
    void *closer = NULL;
    void *power = NULL;
    if (Count > XP_MAX_OPS) {
        Count = XP_MAX_OPS;
    }
    for (size_t i = 0; i < Count && !scene.Removed; i++) {
        uint8_t op = Ops[i] & 7u, arg = Ops[i] >> 3;
        if ((op == 0 || op == 1) && closer != NULL) {
            /* The next I/O after a close reopens the device. */
            KmdfHostExploreThreadJoin(closer);
            closer = NULL;
            scene.File = XOpen(Target);
            scene.Closed = false;
        }
        switch (op) {
        case 0: /* write */
        case 1: /* read */
            if (ioCount < XP_MAX_IOS) {
                XIO *io = &ios[ioCount++];
                XIoInit(io, op == 0, lengths[arg & 7u], 0);
                XStart(&scene, io);
            }
            break;
        case 2: /* CancelIoEx on one I/O, from another thread */
            if (ioCount > 0 && helperCount < XP_MAX_HELPERS && !scene.Closed) {
                cancels[i] = (XCANCEL){&scene, &ios[arg % ioCount]};
                KmdfHostExploreThreadStart("cancel", CancelThread, &cancels[i], &helpers[helperCount++]);
            }
            break;
        case 3: /* CancelIoEx on every I/O of the handle, from another thread */
            if (helperCount < XP_MAX_HELPERS && !scene.Closed) {
                KmdfHostExploreThreadStart("cancel-all", CancelAllThread, &scene, &helpers[helperCount++]);
            }
            break;
        case 4: /* wait for the oldest I/O */
            if (finished < ioCount) {
                XFinish(&scene, &ios[finished], ios[finished].Write ? "write" : "read");
                finished++;
            }
            break;
        case 5: /* suspend and resume, from another thread */
            /* One power transition at a time, as the power manager sends them. */
            if (power != NULL) {
                KmdfHostExploreThreadJoin(power);
                power = NULL;
            }
            scene.Suspended = true;
            KmdfHostExploreThreadStart("power", SuspendThread, &scene, &power);
            break;
        case 6: /* close the handle, from another thread */
            if (closer == NULL && !scene.Closed) {
                KmdfHostExploreThreadStart("closer", CloseThread, &scene, &closer);
            }
            break;
        default: /* surprise removal, from another thread: the last operation */
            if (helperCount < XP_MAX_HELPERS) {
                scene.Removed = true;
                KmdfHostExploreThreadStart("pnp", SurpriseThread, (void *)Target, &helpers[helperCount++]);
            }
            break;
        }
    }
    for (; finished < ioCount; finished++) {
        XFinish(&scene, &ios[finished], ios[finished].Write ? "write" : "read");
    }
    for (size_t i = 0; i < helperCount; i++) {
        KmdfHostExploreThreadJoin(helpers[i]);
    }
    if (closer != NULL) {
        KmdfHostExploreThreadJoin(closer);
    }
    if (power != NULL) {
        KmdfHostExploreThreadJoin(power);
    }
    XClose(&scene);
    for (size_t i = 0; i < ioCount; i++) {
        XIoFree(&ios[i]);
    }
}

bool XpDecodeInput(const uint8_t *Data, size_t Size, XP_INPUT *Input)
{
    if (Size < 10) {
        return false;
    }
    Input->Strategy = (Data[0] & 1u) ? KH_EXPLORE_STRATEGY_PCT : KH_EXPLORE_STRATEGY_RANDOM;
    Input->PctDepth = 2 + (uint32_t)(Data[0] >> 1) % 3u;
    Input->Seed = 0;
    for (int i = 8; i >= 1; i--) {
        Input->Seed = (Input->Seed << 8) | Data[i];
    }
    Input->Ops = Data + 9;
    Input->OpCount = Size - 9;
    return true;
}

/* ------------------------------------------------------------------ setting up a run */

/* The echo device interface, {cdc35b6e-0be4-4936-bf5f-5537380a7c1a} (driver/public.h). */
static const uint8_t XpInterface[16] = {0x6e, 0x5b, 0xc3, 0xcd, 0xe4, 0x0b, 0x36, 0x49,
                                        0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c, 0x1a};

static void XpSink(void *Context, const char *RuleId, const char *Line)
{
    (void)Context;
    KmdfHostExploreFinding(RuleId, "%s", Line);
}

int XpWithDevice(const XP_SETUP *Setup, void (*Body)(const XP_TARGET *Target, const void *Context),
                 const void *Context)
{
    KmdfHostSetVerifierSink(XpSink, NULL);
    KmdfHostSetDebugPrintFd(-1);
    if (KmdfHostInitialize() != 0) {
        return XP_NO_LOAD;
    }
    KmdfHostSetServiceParameterULong(Setup->Service, "TimerPeriodMs", Setup->TimerMs);
    XP_TARGET target = {0};
    if (KmdfHostLoadDriver(Setup->Driver, Setup->Service, &target.Driver) != 0) {
        return XP_NO_LOAD;
    }
    if (KmdfHostAddDevice(target.Driver, Setup->Instance, &target.Node) != 0 ||
        KmdfHostStartDevice(target.Node) != 0) {
        return XP_NO_START;
    }
    char paths[1024];
    size_t required = 0;
    wchar_t path[512];
    if (KmdfHostGetInterfaceList(XpInterface, paths, sizeof(paths), &required) != 0 || paths[0] == '\0') {
        KmdfHostExploreFinding("PROPERTY", "the started device has no enabled interface of the class");
    }
    mbstowcs(path, paths, sizeof(path) / sizeof(path[0]));
    target.Path = path;
    if (Body != NULL) {
        Body(&target, Context);
    }
    if (KmdfHostRemoveDevice(target.Node) != 0) {
        KmdfHostExploreFinding("PROPERTY", "removing the device failed");
    }
    if (KmdfHostUnloadDriver(target.Driver) != 0) {
        KmdfHostExploreFinding("PROPERTY", "unloading the driver failed");
    }
    return 0;
}

const XP_SCENARIO XpScenarios[] = {
    {"open", "open two handles and close them", ScenarioOpen},
    {"write", "one write, completed by the timer", ScenarioWrite},
    {"read", "a write and a read in flight together, then a 40 KiB read", ScenarioRead},
    {"cancel", "a write and a read, each cancelled with CancelIoEx by its own thread", ScenarioCancel},
    {"close-pending", "a write and a read pending when the handle is closed", ScenarioClosePending},
    {"close-other-thread", "another thread closes the handle while a write and a read are pending",
     ScenarioCloseOtherThread},
    {"suspend", "the device leaves D0 and comes back (self-managed I/O suspend and restart) with I/O in flight",
     ScenarioSuspend},
    {"surprise-removal", "the device is surprise-removed with I/O in flight", ScenarioSurpriseRemoval},
    {NULL, NULL, NULL},
};
