/*
 * wpp_test.c - the WPP recorder through recorder_driver: the lines a driver writes to
 * its recorder logs reach the debugger output with the log's identifier, and misuse of
 * a log is the verifier's WPP_RECORDER_LOG_MISUSE report.
 *
 *   wpp_test recorder-log|recorder-misuse
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "khtest.h"

static int DebugPipe[2];
static char Output[16384];

static void CaptureDebugOutput(void)
{
    KT_CHECK(pipe(DebugPipe) == 0);
    fcntl(DebugPipe[0], F_SETFL, O_NONBLOCK);
    KmdfHostSetDebugPrintFd(DebugPipe[1]);
}

/* Everything the debugger output received since CaptureDebugOutput. */
static void CollectDebugOutput(void)
{
    KmdfHostSetDebugPrintFd(-1);
    size_t used = 0;
    ssize_t got;
    while (used + 1 < sizeof(Output) && (got = read(DebugPipe[0], Output + used, sizeof(Output) - 1 - used)) > 0) {
        used += (size_t)got;
    }
    Output[used] = '\0';
    close(DebugPipe[0]);
    close(DebugPipe[1]);
    fputs(Output, stdout);
}

static void ExpectLine(const char *Line)
{
    char wanted[512];
    snprintf(wanted, sizeof(wanted), "%s\n", Line);
    KtCheckAt(strstr(Output, wanted) != NULL, __FILE__, __LINE__, "debug output has the line", "%s", Line);
}

static void ExpectNoText(const char *Text)
{
    KtCheckAt(strstr(Output, Text) == NULL, __FILE__, __LINE__, "debug output lacks the text", "%s", Text);
}

/* A created log, renamed, traced to, deleted at unload; the default log beside it. */
static void ScenarioRecorderLog(void)
{
    KT_DEVICE device;
    CaptureDebugOutput();
    KT_CHECK_STATUS(KtLoadDriver(&device, "recorder_driver.so", "Recorder"), KT_STATUS_SUCCESS);
    KtTeardown(&device, "after the recorder log's life");
    CollectDebugOutput();
    KtSection("WppRecorderConfigure: the default log stays enabled (CreateDefaultLog TRUE)");
    ExpectLine("default log available: 1");
    KtSection("WppRecorderLogCreate with an identifier and an append value");
    ExpectLine("WppRecorderLogCreate: 0x00000000");
    ExpectLine("[KhDevice 2a] [Information] TRACE_DEVICE: created, value 42");
    ExpectLine("[KhDevice 2a] [Error] TRACE_DEVICE: failed with 0xc000000d");
    KtSection("the default log and a trace function without a log");
    ExpectLine("[WppRecorder default] [Information] TRACE_DEVICE: to the default log");
    ExpectLine("[Information] TRACE_DRIVER: no log: plain WPP");
    KtSection("WppRecorderLogSetIdentifier renames the log");
    ExpectLine("[KhRenamed] [Information] TRACE_DEVICE: renamed");
    ExpectLine("[KhRenamed] [Information] TRACE_DEVICE: unloading");
}

/* The default log disabled; a log deleted twice and used after its deletion. */
static void ScenarioRecorderMisuse(void)
{
    KT_DEVICE device;
    KtVerifierCapture();
    CaptureDebugOutput();
    KT_CHECK_STATUS(KtLoadDriver(&device, "recorder_driver.so", "RecorderBad"), KT_STATUS_SUCCESS);
    KtRemoveAndUnload(&device);
    CollectDebugOutput();
    KtSection("CreateDefaultLog FALSE: no default log, and its lines are not recorded");
    ExpectLine("default log available: 0");
    ExpectNoText("to the default log");
    KtSection("an identifier longer than LogIdentifier is cut to RECORDER_LOG_IDENTIFIER_MAX_CHARS - 1");
    ExpectLine("[KhRecorderLogId] [Information] TRACE_DEVICE: created, value 42");
    KtSection("WppRecorderLogCreate(NULL): STATUS_INVALID_PARAMETER, no log");
    ExpectLine("create without parameters: 0xc000000d, log 0000000000000001");
    KtSection("the default log renamed, the log deleted twice, traced to after its deletion");
    KT_CHECK(KtVerifierSawText("WPP_RECORDER_LOG_MISUSE", "WppRecorderLogSetIdentifier"));
    KT_CHECK(KtVerifierSawText("WPP_RECORDER_LOG_MISUSE", "WppRecorderLogDelete"));
    KT_CHECK(KtVerifierSawText("WPP_RECORDER_LOG_MISUSE", "a trace written to"));
    KT_CHECK(KtVerifierCount("WPP_RECORDER_LOG_MISUSE") == 3);
    KT_CHECK(KtVerifierCount(NULL) == 3);
    ExpectNoText("after its deletion");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s recorder-log|recorder-misuse\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "recorder-log") == 0) {
        ScenarioRecorderLog();
    } else if (strcmp(argv[1], "recorder-misuse") == 0) {
        ScenarioRecorderMisuse();
    } else {
        fprintf(stderr, "unknown scenario %s\n", argv[1]);
        return 2;
    }
    return KtFinish();
}
