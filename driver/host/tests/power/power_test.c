/*
 * power_test.c - the framework's idle power policy, through idle_driver.c: the device
 * leaves D0 for its DxState (EvtDeviceD0Exit with that target) once it has been idle for
 * its IdleTimeout, a request arriving at its power-managed queue brings it back to D0
 * (EvtDeviceD0Entry before the request is presented), WdfDeviceStopIdle and
 * WdfDeviceResumeIdle hold it in D0, and bad input gets the documented status or the
 * verifier's report. Every wait is on the driver's power callbacks (IOCTL_IDLE_WAIT),
 * never a sleep.
 *
 *   power_test SCENARIO
 */
#include <stdio.h>
#include <string.h>

#include "idle_ioctl.h"
#include "khtest.h"

#define SERVICE "IdleTest"
#define INSTANCE "ROOT\\IDLETEST\\0000"
#define WDF_POWER_DEVICE_D3 4u
#define WDF_POWER_DEVICE_D3_FINAL 5u
#define ST_INVALID_DEVICE_STATE ((KH_STATUS)0xC0000184)
#define ST_INFO_LENGTH_MISMATCH ((KH_STATUS)0xC0000004)
#define ST_INVALID_PARAMETER ((KH_STATUS)0xC000000D)
#define ST_POWER_STATE_INVALID ((KH_STATUS)0xC00002D3)
#define IDLE_TIMEOUT_MS 50u

static uint8_t Guid[16];

static KH_STATUS Ioctl(KH_FILE *File, uint32_t Code, const void *In, uint32_t InLength, void *Out,
                       uint32_t OutLength)
{
    KT_IO *io = KtIoCreate(InLength ? InLength : 1, OutLength ? OutLength : 1);
    if (InLength != 0) {
        memcpy(io->Buffer, In, InLength);
    }
    KtSubmitIoctl(File, io, Code, InLength, OutLength);
    KH_STATUS status = KT_CHECK(KtIoWait(io, KT_WAIT_MS)) ? io->Status : (KH_STATUS)0xC0000001;
    if (KT_NT_SUCCESS(status) && OutLength != 0) {
        KT_CHECK(io->Information == OutLength);
        memcpy(Out, io->Output, OutLength);
    }
    KtIoFree(io);
    return status;
}

static IDLE_STATE State(KH_FILE *File)
{
    IDLE_STATE state;
    memset(&state, 0, sizeof state);
    KT_CHECK_STATUS(Ioctl(File, IOCTL_IDLE_STATE, NULL, 0, &state, sizeof state), KT_STATUS_SUCCESS);
    return state;
}

/* Waits, on the driver's power callbacks, until it has counted Entries D0 entries and
   Exits D0 exits. */
static bool WaitForIdleConditions(KH_FILE *File, unsigned Entries, unsigned Exits, unsigned IdleConditions)
{
    uint64_t deadline = KtNowNs() + (uint64_t)KT_WAIT_MS * 1000000u;
    IDLE_WAIT want = {Entries, Exits, IdleConditions};
    for (;;) {
        IDLE_STATE state = State(File);
        if (state.D0Entries >= Entries && state.D0Exits >= Exits && state.IdleConditions >= IdleConditions) {
            return true;
        }
        if (KtNowNs() > deadline || KtFailedCount() != 0) {
            return KT_CHECKF(false, "waited for %u D0 entries and %u exits, saw %u and %u", Entries, Exits,
                             state.D0Entries, state.D0Exits);
        }
        if (!KT_NT_SUCCESS(Ioctl(File, IOCTL_IDLE_WAIT, &want, sizeof want, NULL, 0))) {
            return false;
        }
    }
}

static bool WaitFor(KH_FILE *File, unsigned Entries, unsigned Exits)
{
    return WaitForIdleConditions(File, Entries, Exits, 0);
}

static KH_STATUS Write(KH_FILE *File, const char *Text)
{
    KT_IO *io = KtIoCreate(64, 0);
    KtSubmitWrite(File, io, Text, (uint32_t)strlen(Text));
    KH_STATUS status = KT_CHECK(KtIoWait(io, KT_WAIT_MS)) ? io->Status : (KH_STATUS)0xC0000001;
    KT_CHECK(!KT_NT_SUCCESS(status) || io->Information == strlen(Text));
    KtIoFree(io);
    return status;
}

static bool g_UsePoFx;

static bool Start(KT_DEVICE *Device, KH_FILE **File, uint32_t TimeoutMs, bool NotOwner)
{
    KtGuid(Guid, 0x3f1b7a52, 0x6c0d, 0x4b8e, 0x9a, 0x41, 0x2d, 0x5e, 0x7c, 0x9b, 0x0f, 0x13);
    KmdfHostInitialize();
    KmdfHostClearServiceParameters(SERVICE);
    KmdfHostSetServiceParameterULong(SERVICE, "IdleTimeoutMs", TimeoutMs);
    if (NotOwner) {
        KmdfHostSetServiceParameterULong(SERVICE, "NotPolicyOwner", 1);
    }
    if (g_UsePoFx) {
        KmdfHostSetServiceParameterULong(SERVICE, "UsePoFx", 1);
    }
    *File = NULL;
    if (!KT_CHECK_STATUS(KtLoadDriver(Device, "idle_driver.so", SERVICE), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(KtAddAndStart(Device, INSTANCE, Guid), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(KtOpen(Device, File), KT_STATUS_SUCCESS)) {
        return false;
    }
    return true;
}

static void Stop(KT_DEVICE *Device, KH_FILE *File, const char *Where)
{
    if (File != NULL) {
        KtCloseFile(File);
    }
    KtTeardown(Device, Where);
}

/* Idle for the time-out: D0Exit(D3); a write brings the device back before it is
   presented; then it idles again. */
static void ScenarioIdleTimeout(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    uint64_t started = KtNowNs();
    if (!Start(&device, &file, IDLE_TIMEOUT_MS, false)) {
        Stop(&device, file, "idle-timeout");
        return;
    }
    if (WaitFor(file, 1, 1)) {
        uint64_t idleAfterMs = (KtNowNs() - started) / 1000000u;
        IDLE_STATE state = State(file);
        KT_CHECKF(idleAfterMs >= IDLE_TIMEOUT_MS, "left D0 after %llu ms, before the idle time-out",
                  (unsigned long long)idleAfterMs);
        KT_CHECK(state.AssignStatus == 0);
        KT_CHECK(state.InD0 == 0);
        KT_CHECKF(state.LastExitTarget == WDF_POWER_DEVICE_D3, "EvtDeviceD0Exit target %u (DxState D3)",
                  state.LastExitTarget);
        KT_CHECK(state.D0Entries == 1 && state.D0Exits == 1);
        KT_CHECKF(state.WakeCallbacks == 0, "IdleCannotWakeFromS0: no wake callback ran (%u)", state.WakeCallbacks);

        KT_CHECK_STATUS(Write(file, "wake up"), KT_STATUS_SUCCESS);
        state = State(file);
        KT_CHECKF(state.D0Entries == 2, "the write brought the device back to D0 (%u entries)", state.D0Entries);
        KT_CHECKF(state.LastEntryPrevious == WDF_POWER_DEVICE_D3, "EvtDeviceD0Entry previous state %u",
                  state.LastEntryPrevious);
        KT_CHECK(state.Presented == 1);
        KT_CHECKF(state.PresentedOutsideD0 == 0, "no request presented outside D0 (%u)", state.PresentedOutsideD0);
        /* A read goes through the driver's EvtDeviceWdmIrpPreprocess and back to the queue. */
        KT_IO *read = KtIoCreate(16, 0);
        KtSubmitRead(file, read, 16);
        KT_CHECK(KtIoWait(read, KT_WAIT_MS) && read->Status == KT_STATUS_SUCCESS);
        KtIoFree(read);
        state = State(file);
        KT_CHECK(state.ReadsPreprocessed == 1 && state.Presented == 2 && state.PresentedOutsideD0 == 0);
        /* The device idles again once the write and the read are done. */
        KT_CHECK(WaitFor(file, 2, 2));
        KT_CHECK(State(file).LastExitTarget == WDF_POWER_DEVICE_D3);
    }
    Stop(&device, file, "idle-timeout");
}

/* Many writes from several threads while the device idles and wakes: every one is
   presented in D0. */
typedef struct WRITER {
    KH_FILE *File;
    int Failures;
} WRITER;

static void *WriterThread(void *Context)
{
    WRITER *writer = Context;
    for (int i = 0; i < 40; i++) {
        if (Write(writer->File, "burst") != KT_STATUS_SUCCESS) {
            writer->Failures++;
        }
    }
    return NULL;
}

static void ScenarioIoWhileIdling(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    /* A time-out of 1 ms: the device idles between writes as often as it can. */
    if (!Start(&device, &file, 1, false)) {
        Stop(&device, file, "io-while-idling");
        return;
    }
    KT_CHECK(WaitFor(file, 1, 1));
    pthread_t threads[3];
    WRITER writers[3];
    for (int i = 0; i < 3; i++) {
        writers[i].File = file;
        writers[i].Failures = 0;
        pthread_create(&threads[i], NULL, WriterThread, &writers[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(threads[i], NULL);
        KT_CHECK(writers[i].Failures == 0);
    }
    IDLE_STATE state = State(file);
    KT_CHECK(state.Presented == 120);
    KT_CHECKF(state.PresentedOutsideD0 == 0, "%u of %u writes presented outside D0", state.PresentedOutsideD0,
              state.Presented);
    KT_CHECK(state.D0Entries >= 2);
    Stop(&device, file, "io-while-idling");
}

/* WdfDeviceStopIdle(TRUE) on an idle device returns once it is in D0; (FALSE) gives
   STATUS_PENDING and the device comes back; ResumeIdle lets it idle again. */
static void ScenarioStopIdle(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Start(&device, &file, IDLE_TIMEOUT_MS, false)) {
        Stop(&device, file, "stop-idle");
        return;
    }
    if (WaitFor(file, 1, 1)) {
        uint32_t wait = 1;
        IDLE_STOP stop;
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_STOP, &wait, sizeof wait, &stop, sizeof stop), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(stop.Status, KT_STATUS_SUCCESS);
        KT_CHECKF(stop.InD0 == 1, "WdfDeviceStopIdle(TRUE) returned before EvtDeviceD0Entry");
        /* A second reference while in D0: STATUS_SUCCESS at once. */
        wait = 0;
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_STOP, &wait, sizeof wait, &stop, sizeof stop), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(stop.Status, KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_RESUME, NULL, 0, NULL, 0), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_RESUME, NULL, 0, NULL, 0), KT_STATUS_SUCCESS);
        KT_CHECK(WaitFor(file, 2, 2));

        wait = 0;
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_STOP, &wait, sizeof wait, &stop, sizeof stop), KT_STATUS_SUCCESS);
        KT_CHECKF(stop.Status == (int)KT_STATUS_PENDING, "WdfDeviceStopIdle(FALSE) on an idle device: 0x%08x",
                  (unsigned)stop.Status);
        KT_CHECK(WaitFor(file, 3, 2));
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_RESUME, NULL, 0, NULL, 0), KT_STATUS_SUCCESS);
        KT_CHECK(WaitFor(file, 3, 3));
    }
    Stop(&device, file, "stop-idle");
}

/* Disabling idle power-down brings an idle device back to D0; enabling it again lets it
   idle. */
static void ScenarioDisable(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Start(&device, &file, IDLE_TIMEOUT_MS, false)) {
        Stop(&device, file, "disable");
        return;
    }
    if (WaitFor(file, 1, 1)) {
        IDLE_ASSIGN assign = {IDLE_TIMEOUT_MS, 0 /* WdfFalse */};
        KH_STATUS result = 1;
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_ASSIGN, &assign, sizeof assign, &result, sizeof result),
                        KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(result, KT_STATUS_SUCCESS);
        KT_CHECK(WaitFor(file, 2, 1));
        assign.Enabled = 1; /* WdfTrue */
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_ASSIGN, &assign, sizeof assign, &result, sizeof result),
                        KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(result, KT_STATUS_SUCCESS);
        KT_CHECK(WaitFor(file, 2, 2));
    }
    Stop(&device, file, "disable");
}

/* The system sleeps and wakes while the device is idle: it stays in Dx
   (PowerUpIdleDeviceOnSystemWake is WdfUseDefault) until a request needs it. */
static void ScenarioSystemSleep(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Start(&device, &file, IDLE_TIMEOUT_MS, false)) {
        Stop(&device, file, "system-sleep");
        return;
    }
    if (WaitFor(file, 1, 1)) {
        KT_CHECK_STATUS(KmdfHostSuspendDevice(device.Node), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(KmdfHostResumeDevice(device.Node), KT_STATUS_SUCCESS);
        IDLE_STATE state = State(file);
        KT_CHECKF(state.SetPowerPreprocessed == 2, "IRP_MN_SET_POWER preprocessed %u times", state.SetPowerPreprocessed);
        KT_CHECKF(state.D0Entries == 1 && state.D0Exits == 1, "no callback for an idle device (%u, %u)",
                  state.D0Entries, state.D0Exits);
        KT_CHECK_STATUS(Write(file, "after sleep"), KT_STATUS_SUCCESS);
        state = State(file);
        KT_CHECK(state.D0Entries == 2 && state.PresentedOutsideD0 == 0);
        /* Held in D0 by StopIdle, the system sleep takes it to D3 and back. */
        uint32_t wait = 1;
        IDLE_STOP stop;
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_STOP, &wait, sizeof wait, &stop, sizeof stop), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(stop.Status, KT_STATUS_SUCCESS);
        unsigned exits = State(file).D0Exits;
        KT_CHECK_STATUS(KmdfHostSuspendDevice(device.Node), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(KmdfHostResumeDevice(device.Node), KT_STATUS_SUCCESS);
        state = State(file);
        KT_CHECK(state.D0Exits == exits + 1 && state.InD0 == 1);
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_RESUME, NULL, 0, NULL, 0), KT_STATUS_SUCCESS);
        KT_CHECK(WaitFor(file, state.D0Entries, exits + 2));
    }
    Stop(&device, file, "system-sleep");
}

/* Removal of an idle device: no second EvtDeviceD0Exit, nothing reported. */
static void ScenarioRemoveWhileIdle(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (!Start(&device, &file, IDLE_TIMEOUT_MS, false)) {
        Stop(&device, file, "remove-while-idle");
        return;
    }
    KT_CHECK(WaitFor(file, 1, 1));
    Stop(&device, file, "remove-while-idle");
}

/* Bad input: invalid settings get their documented statuses; ResumeIdle without StopIdle
   and StopIdle(TRUE) at DISPATCH_LEVEL are the verifier's. */
static void ScenarioBadInput(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    KtVerifierCapture();
    if (!Start(&device, &file, 60000, false)) {
        Stop(&device, file, "bad-input");
        return;
    }
    IDLE_BAD bad;
    if (KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_BAD_SETTINGS, NULL, 0, &bad, sizeof bad), KT_STATUS_SUCCESS)) {
        KT_CHECK_STATUS(bad.WrongSize, ST_INFO_LENGTH_MISMATCH);
        KT_CHECK_STATUS(bad.DxStateD0, ST_POWER_STATE_INVALID);
        KT_CHECK_STATUS(bad.CanWakeFromS0, ST_POWER_STATE_INVALID);
        KT_CHECK_STATUS(bad.BadEnabled, ST_INVALID_PARAMETER);
        KT_CHECK_STATUS(bad.ChangedTimeoutType, ST_INVALID_PARAMETER);
        KT_CHECK_STATUS(bad.SxWake, ST_POWER_STATE_INVALID);
        KT_CHECK_STATUS(bad.SxWakeD0, ST_POWER_STATE_INVALID);
        KT_CHECK_STATUS(bad.SxWakeDisabled, KT_STATUS_SUCCESS);
    }
    KtCheckNoVerifierReports("after invalid settings");
    KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_RESUME, NULL, 0, NULL, 0), KT_STATUS_SUCCESS);
    KT_CHECK(KtVerifierSawLine("POWER_REFERENCE_UNDERFLOW"));
    KtVerifierReset();
    IDLE_STOP stop;
    KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_STOP_DISPATCH, NULL, 0, &stop, sizeof stop), KT_STATUS_SUCCESS);
    KT_CHECK(KtVerifierSawLine("IRQL_TOO_HIGH_FOR_WAIT"));
    KT_CHECK(stop.Status != 0);
    KtVerifierReset();
    Stop(&device, file, "bad-input");
}

/* A driver that gave up power policy ownership: AssignS0IdleSettings gives
   STATUS_INVALID_DEVICE_REQUEST and StopIdle STATUS_INVALID_DEVICE_STATE. */
static void ScenarioNotOwner(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    if (Start(&device, &file, IDLE_TIMEOUT_MS, true)) {
        IDLE_STATE state = State(file);
        KT_CHECK_STATUS(state.AssignStatus, KT_STATUS_INVALID_DEVICE_REQUEST);
        KT_CHECK_STATUS(state.StopIdleStatus, ST_INVALID_DEVICE_STATE);
        uint32_t wait = 1;
        IDLE_STOP stop;
        KT_CHECK_STATUS(Ioctl(file, IOCTL_IDLE_STOP, &wait, sizeof wait, &stop, sizeof stop), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(stop.Status, ST_INVALID_DEVICE_STATE);
        KT_CHECK(state.D0Exits == 0 && state.InD0 == 1);
    }
    Stop(&device, file, "not-owner");
}

/* PoFx (WdfDeviceWdmAssignPowerFrameworkSettings, system-managed idle): after start the
   component goes idle (ComponentIdleConditionCallback), to the deepest Fx state its
   residency allows (F1: F2 needs more), and PoFx's DevicePowerNotRequired takes the device
   to D3; a write activates the component (F0, then the active condition) and brings the
   device back before it is presented; then it idles again. */
static void ScenarioPoFx(void)
{
    KT_DEVICE device;
    KH_FILE *file;
    g_UsePoFx = true;
    if (!Start(&device, &file, IDLE_TIMEOUT_MS, false)) {
        Stop(&device, file, "pofx");
        return;
    }
    if (WaitForIdleConditions(file, 1, 1, 1)) {
        IDLE_STATE state = State(file);
        KT_CHECK_STATUS(state.AssignStatus, KT_STATUS_SUCCESS);
        KT_CHECK(state.PoFxRegistered == 1);
        KT_CHECK(state.ComponentActive == 0);
        KT_CHECKF(state.FState == 1, "idle component in F%u (F1 is the deepest its residency allows)", state.FState);
        KT_CHECK(state.LastExitTarget == WDF_POWER_DEVICE_D3 && state.InD0 == 0);

        KT_CHECK_STATUS(Write(file, "activate"), KT_STATUS_SUCCESS);
        state = State(file);
        KT_CHECK(state.D0Entries == 2);
        KT_CHECKF(state.ActiveConditions >= 1, "the component became active (%u)", state.ActiveConditions);
        KT_CHECK(state.PresentedOutsideD0 == 0);
        KT_CHECKF(state.PresentedWhileComponentIdle == 0, "presented while the component was idle (%u)",
                  state.PresentedWhileComponentIdle);
        KT_CHECK(WaitForIdleConditions(file, 2, 2, 2));
        KT_CHECK(State(file).FState == 1);
    }
    Stop(&device, file, "pofx");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *Name;
        void (*Run)(void);
    } scenarios[] = {
        {"idle-timeout", ScenarioIdleTimeout},   {"io-while-idling", ScenarioIoWhileIdling},
        {"stop-idle", ScenarioStopIdle},         {"disable", ScenarioDisable},
        {"system-sleep", ScenarioSystemSleep},   {"remove-while-idle", ScenarioRemoveWhileIdle},
        {"bad-input", ScenarioBadInput},         {"not-owner", ScenarioNotOwner},
        {"pofx", ScenarioPoFx},
    };
    for (size_t i = 0; argc == 2 && i < sizeof scenarios / sizeof scenarios[0]; i++) {
        if (strcmp(argv[1], scenarios[i].Name) == 0) {
            KtSection("%s", scenarios[i].Name);
            scenarios[i].Run();
            return KtFinish();
        }
    }
    fprintf(stderr, "usage: power_test SCENARIO\n");
    return 2;
}
