/*
 * ldr_test.c - the loader binds what the host does not implement leniently and honestly.
 *
 *   ldr_test lenient     a module importing two missing routines loads, the loader lists
 *                        both in one line, and the module works and unloads cleanly
 *   ldr_test call        a module that calls a missing routine: the child that loads it
 *                        prints "VERIFIER: UNIMPLEMENTED_DDI: <name>, called from driver
 *                        <service> (...)" and dies by abort
 *   ldr_test dataref     a module that stores a missing routine's address fails to load,
 *                        and the loader names the routine
 *   ldr_test breakpoint  WdfVerifierDbgBreakPoint is a BREAKPOINT report naming the
 *                        driver's call site
 *   ldr_test bugcheck    WdfVerifierKeBugCheck reports BUGCHECK with its code and
 *                        parameters and the call site, and the process stops
 *   ldr_test child NAME SERVICE [bugcheck]   loads NAME as SERVICE without a sink
 */
#define _GNU_SOURCE
#include "khtest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KH_STATUS_UNSUCCESSFUL ((KH_STATUS)0xC0000001)
#define KH_STATUS_DRIVER_ENTRYPOINT_NOT_FOUND ((KH_STATUS)0xC0000263)

/* Loads FileName as ServiceName with stderr captured into Message. */
static KH_STATUS LoadCapturingStderr(const char *FileName, const char *ServiceName, KT_DEVICE *Device,
                                     char *Message, size_t Size)
{
    int fds[2];
    KT_CHECK(pipe(fds) == 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fds[1], 2);
    KH_STATUS status = KtLoadDriver(Device, FileName, ServiceName);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fds[1]);
    size_t used = 0;
    ssize_t got;
    while (used + 1 < Size && (got = read(fds[0], Message + used, Size - 1 - used)) > 0) {
        used += (size_t)got;
    }
    Message[used] = '\0';
    close(fds[0]);
    fprintf(stderr, "loader said: %s", Message);
    return status;
}

static size_t CountLines(const char *Text, const char *Needle)
{
    size_t count = 0;
    for (const char *line = Text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, length);
        count += strstr(copy, Needle) != NULL;
        free(copy);
        line = end != NULL ? end + 1 : NULL;
    }
    return count;
}

static int TestLenient(void)
{
    KtSection("a module importing routines the host lacks loads, and the loader lists them in one line");
    KtVerifierCapture();
    KT_DEVICE device;
    char message[4096];
    KH_STATUS status = LoadCapturingStderr("ldrlenient.so", "LdrLenient", &device, message, sizeof message);
    KT_CHECK_STATUS(status, 0);
    KT_CHECKF(CountLines(message, "imports 2 function(s) the host does not implement: ") == 1,
              "no single line listing the two missing imports");
    KT_CHECK(CountLines(message, "IoFunctionTheHostLacks") == 1);
    KT_CHECK(CountLines(message, "KeOtherFunctionTheHostLacks") == 1);
    KT_CHECK(strstr(message, "ldrlenient.so") != NULL);
    KT_CHECK(strstr(message, "ExAllocatePoolWithTag") == NULL);
    if (device.Driver != NULL) {
        KT_CHECK_STATUS(KmdfHostUnloadDriver(device.Driver), 0);
    }
    KT_CHECKF(KtVerifierCount(NULL) == 0, "the verifier reported something");

    KtSection("the same module loads again after it was unloaded (its bindings were released)");
    status = LoadCapturingStderr("ldrlenient.so", "LdrLenient", &device, message, sizeof message);
    KT_CHECK_STATUS(status, 0);
    KT_CHECK(CountLines(message, "imports 2 function(s)") == 1);
    if (device.Driver != NULL) {
        KT_CHECK_STATUS(KmdfHostUnloadDriver(device.Driver), 0);
    }
    KtVerifierDump();
    return KtFinish();
}

static int TestDataReference(void)
{
    KtSection("a module holding a missing routine's address does not load, and the routine is named");
    KT_DEVICE device;
    char message[4096];
    KH_STATUS status = LoadCapturingStderr("ldrdataref.so", "LdrDataRef", &device, message, sizeof message);
    KT_CHECK_STATUS(status, KH_STATUS_DRIVER_ENTRYPOINT_NOT_FOUND);
    KT_CHECK(strstr(message, "IoFunctionTheHostLacks, which the host does not implement") != NULL);
    return KtFinish();
}

static int TestBreakPoint(void)
{
    KtSection("WdfVerifierDbgBreakPoint is a BREAKPOINT report naming the driver's call site");
    KtVerifierCapture();
    KT_DEVICE device;
    KT_CHECK_STATUS(KtLoadDriver(&device, "ldrbreak.so", "LdrBreak"), KH_STATUS_UNSUCCESSFUL);
    KT_CHECK(KtVerifierCount("BREAKPOINT") == 1);
    KT_CHECK(KtVerifierSawLine("BREAKPOINT"));
    KT_CHECK(KtVerifierSawText("BREAKPOINT", "WdfVerifierDbgBreakPoint"));
    KT_CHECK(KtVerifierSawText("BREAKPOINT", "called from driver LdrBreak (ldrbreak.so+0x"));
    KT_CHECK(KtVerifierSawText("BREAKPOINT", "in DriverEntry)"));
    KtVerifierDump();
    return KtFinish();
}

/* Runs "ldr_test child MODULE SERVICE" and checks it died by abort after printing Line. */
static void ExpectChildAbort(const char *Module, const char *Service, const char *BugCheck, const char *const Lines[])
{
    KtNoCoreDumps();
    char *argv[] = {"ldr_test", "child", (char *)Module, (char *)Service, (char *)BugCheck, NULL};
    KT_CHILD_RESULT *result = calloc(1, sizeof *result);
    KtRunSelf(argv, 60000, result);
    KT_CHECKF(result->Started, "%s", result->Stderr);
    KT_CHECKF(result->Signaled && result->Signal == SIGABRT, "the child %s %d, expected to die by SIGABRT",
              result->Exited ? "exited with" : "died by signal", result->Exited ? result->ExitCode : result->Signal);
    for (size_t i = 0; Lines[i] != NULL; i++) {
        KT_CHECKF(CountLines(result->Stderr, Lines[i]) == 1, "no line saying \"%s\" on the child's stderr",
                  Lines[i]);
    }
    fprintf(stderr, "child's stderr:\n%s\n", result->Stderr);
    free(result);
}

static int TestCall(void)
{
    KtSection("calling a routine the host lacks is an UNIMPLEMENTED_DDI report, then an abort");
    const char *const lines[] = {
        "imports 1 function(s) the host does not implement: IoFunctionTheHostLacks;",
        "VERIFIER: UNIMPLEMENTED_DDI: IoFunctionTheHostLacks, called from driver LdrCalls (ldrcalls.so+0x",
        "in DriverEntry)",
        NULL,
    };
    ExpectChildAbort("ldrcalls.so", "LdrCalls", NULL, lines);
    return KtFinish();
}

static int TestBugCheck(void)
{
    KtSection("WdfVerifierKeBugCheck stops the host with its code, parameters and call site");
    const char *const lines[] = {
        "VERIFIER: BUGCHECK: WdfVerifierKeBugCheck(0x000000e2, 0x1, 0x2, 0x3, 0x4), called from driver "
        "LdrBugCheck (ldrbreak.so+0x",
        NULL,
    };
    ExpectChildAbort("ldrbreak.so", "LdrBugCheck", "bugcheck", lines);
    return KtFinish();
}

static int RunChild(const char *Module, const char *Service, bool BugCheck)
{
    KT_DEVICE device;
    if (BugCheck) {
        /* The host's registry lives in this process: the child sets what its driver reads. */
        KmdfHostInitialize();
        KT_CHECK_STATUS(KmdfHostSetServiceParameterULong(Service, "BugCheck", 1), 0);
    }
    KH_STATUS status = KtLoadDriver(&device, Module, Service);
    fprintf(stderr, "the load returned 0x%08x without an abort\n", (unsigned)status);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "lenient") == 0) {
        return TestLenient();
    }
    if (argc == 2 && strcmp(argv[1], "call") == 0) {
        return TestCall();
    }
    if (argc == 2 && strcmp(argv[1], "dataref") == 0) {
        return TestDataReference();
    }
    if (argc == 2 && strcmp(argv[1], "breakpoint") == 0) {
        return TestBreakPoint();
    }
    if (argc == 2 && strcmp(argv[1], "bugcheck") == 0) {
        return TestBugCheck();
    }
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "child") == 0) {
        return RunChild(argv[2], argv[3], argc == 5 && strcmp(argv[4], "bugcheck") == 0);
    }
    fprintf(stderr, "usage: %s lenient|call|dataref|breakpoint|bugcheck\n", argv[0]);
    return 2;
}
