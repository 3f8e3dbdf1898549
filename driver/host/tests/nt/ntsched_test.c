/*
 * ntsched_test.c - the NT families a driver schedules work with, through ntsched.so (a
 * WDM driver of our own): kernel timers and DPCs (KeSetTimer(Ex), KeCancelTimer,
 * KeInsertQueueDpc, KeRemoveQueueDpc, KeFlushQueuedDpcs), system threads
 * (PsCreateSystemThread, PsTerminateSystemThread, waits on thread objects,
 * KeWaitForMultipleObjects), work items (IoQueueWorkItem(Ex), ExQueueWorkItem), SLISTs,
 * and IoRegisterPlugPlayNotification for interface arrival and removal. Bad calls get
 * the verifier's report or the documented status.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "khtest.h"

typedef unsigned long (*SCENARIO)(char *Message, size_t Size);

static void *g_Module;

static void *Symbol(const char *Name)
{
    void *symbol = dlsym(g_Module, Name);
    KT_CHECKF(symbol != NULL, "ntsched.so exports %s", Name);
    return symbol;
}

static void RunScenario(const char *Name)
{
    KtSection("%s", Name);
    SCENARIO scenario = (SCENARIO)Symbol(Name);
    if (scenario == NULL) {
        return;
    }
    char message[256];
    unsigned long failures = scenario(message, sizeof message);
    KT_CHECKF(failures == 0, "%s: %lu check(s) failed in the driver, first: %s", Name, failures, message);
}

/* IoRegisterPlugPlayNotification: arrival when the device starts, existing interfaces
   for a late registration, removal for both when the device goes; none after
   unregistering. */
static void TestNotifications(KT_DEVICE *Device)
{
    KtSection("interface notifications");
    long (*registerFor)(char, unsigned char) = (long (*)(char, unsigned char))Symbol("NtSchedRegister");
    long (*unregisterFor)(char) = (long (*)(char))Symbol("NtSchedUnregister");
    unsigned char (*notification)(long, long, char *, size_t) =
        (unsigned char (*)(long, long, char *, size_t))Symbol("NtSchedNotification");
    long (*count)(void) = (long (*)(void))Symbol("NtSchedNotificationCount");
    long (*targetChange)(void) = (long (*)(void))Symbol("NtSchedRegisterTargetChange");
    if (registerFor == NULL || unregisterFor == NULL || notification == NULL || count == NULL ||
        targetChange == NULL) {
        return;
    }
    char text[256];
    KT_CHECK_STATUS(registerFor('1', 0), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostAddDevice(Device->Driver, "ROOT\\NTSCHED\\0000", &Device->Node), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostStartDevice(Device->Node), KT_STATUS_SUCCESS);
    /* Arrival for registration 1, at PASSIVE_LEVEL (0), naming the instance's link. */
    KT_CHECK(notification(1, 0, text, sizeof text));
    KT_CHECKF(strncmp(text, "A1:\\??\\ROOT#NTSCHED#0000#{5b1f7c2e-8d3a-4c61-9e0b-2f4a6d8c1e37}:0", 200) == 0,
              "first notification: %s", text);
    /* A late registration with INCLUDE_EXISTING_INTERFACES hears of the enabled one. */
    KT_CHECK_STATUS(registerFor('2', 1), KT_STATUS_SUCCESS);
    KT_CHECK(notification(2, 1, text, sizeof text));
    KT_CHECKF(strncmp(text, "A2:", 3) == 0 && strstr(text, "ROOT#NTSCHED#0000") != NULL, "second: %s", text);
    /* Removal reaches both registrations. */
    KT_CHECK_STATUS(KmdfHostRemoveDevice(Device->Node), KT_STATUS_SUCCESS);
    Device->Node = NULL;
    char third[256];
    char fourth[256];
    KT_CHECK(notification(4, 2, third, sizeof third));
    KT_CHECK(notification(4, 3, fourth, sizeof fourth));
    KT_CHECKF(third[0] == 'R' && fourth[0] == 'R' && third[1] != fourth[1] && strstr(third, "NTSCHED") != NULL,
              "removals: %s / %s", third, fourth);
    KT_CHECK_STATUS(unregisterFor('1'), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(unregisterFor('2'), KT_STATUS_SUCCESS);
    /* Unregistered twice: the entry is no registration any more. */
    KT_CHECK_STATUS(unregisterFor('1'), (KH_STATUS)0xC000000D /* STATUS_INVALID_PARAMETER */);
    /* No registration: a device that comes and goes is heard by nobody. */
    KT_CHECK_STATUS(KmdfHostAddDevice(Device->Driver, "ROOT\\NTSCHED\\0001", &Device->Node), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostStartDevice(Device->Node), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostRemoveDevice(Device->Node), KT_STATUS_SUCCESS);
    Device->Node = NULL;
    /* Registering afterwards and waiting for the existing interfaces (none) drains the
       worker queue behind the removal's events: still four. */
    KT_CHECK_STATUS(registerFor('1', 1), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(unregisterFor('1'), KT_STATUS_SUCCESS);
    KT_CHECK(count() == 4);

    /* A target device change registration needs the file object of the device to watch
       (tests/queue's monitor scenario watches real ones): without one it fails. */
    KtVerifierCapture();
    KtVerifierReset();
    KT_CHECK_STATUS(targetChange(), (KH_STATUS)0xC000000D /* STATUS_INVALID_PARAMETER */);
    KT_CHECK(KtVerifierCount(NULL) == 0);
    KtVerifierReset();
}

static void TestMisuse(void)
{
    KtVerifierCapture();
    KtVerifierReset();
    RunScenario("NtSchedMisuse");
    KT_CHECK(KtVerifierCount("IRQL_TOO_HIGH_FOR_WAIT") == 1 &&
             KtVerifierSawText("IRQL_TOO_HIGH_FOR_WAIT", "KeFlushQueuedDpcs at IRQL 2"));
    KT_CHECK(KtVerifierCount("ASSERTION_FAILED") == 2 &&
             KtVerifierSawText("ASSERTION_FAILED", "KeSetTimerEx with the negative period -1") &&
             KtVerifierSawText("ASSERTION_FAILED", "is not 16-byte aligned"));
    KT_CHECK(KtVerifierCount(NULL) == 3);
    KtVerifierReset();
}

int main(void)
{
    KT_DEVICE device;
    if (!KT_CHECK_STATUS(KtLoadDriver(&device, "ntsched.so", "NtSched"), KT_STATUS_SUCCESS)) {
        return KtFinish();
    }
    char path[1024];
    KtDriverPath("ntsched.so", path, sizeof path);
    g_Module = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    KT_CHECK(g_Module != NULL);
    if (g_Module != NULL) {
        RunScenario("NtSchedTimers");
        RunScenario("NtSchedPeriodic");
        RunScenario("NtSchedDpcs");
        RunScenario("NtSchedThreads");
        RunScenario("NtSchedWorkItems");
        TestNotifications(&device);
        TestMisuse();
        dlclose(g_Module);
    }
    KtTeardown(&device, "after the NT scheduling scenarios");
    return KtFinish();
}
