/*
 * verifier_test.c - every verifier rule fires on a driver that breaks it.
 *
 *   verifier_test capture CASE   runs the case's driver with a capture sink and checks
 *                                that a report of the rule was made, with the line
 *                                "VERIFIER: <RULE_ID>: ..."
 *   verifier_test abort CASE     runs "verifier_test child CASE" and checks that the
 *                                child, which has no sink, printed the line on stderr
 *                                and died by abort, as a bug check halts Windows
 *   verifier_test child CASE     the life cycle of the case without a sink
 *
 * A case is one of drivers/<case>.c: a small KMDF driver that breaks one rule. The life
 * cycle is the same for every case: load the module, add and start ROOT\VERIFIER\0000,
 * open its interface, send one 16-byte write (a read for INFORMATION_EXCEEDS_BUFFER),
 * wait for it, close the file, remove the device, unload the driver.
 */
#define _GNU_SOURCE
#include "khtest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VT_SERVICE "VerifierTest"
#define VT_INSTANCE "ROOT\\VERIFIER\\0000"

typedef enum VT_TRIGGER {
    VT_WRITE,          /* a write the driver completes (wrongly) */
    VT_READ,           /* a read the driver completes (wrongly) */
    VT_WRITE_KEPT,     /* a write the driver never completes */
} VT_TRIGGER;

typedef struct VT_CASE {
    const char *Name;   /* drivers/<Name>.c, module verifier-<Name>.so */
    const char *RuleId;
    VT_TRIGGER Trigger;
    /* For a rule with several variants: words that the report of this variant carries
       (compared without regard to case), NULL for the others. */
    const char *Detail;
} VT_CASE;

static const VT_CASE g_cases[] = {
    {"pool_leak", "POOL_LEAK", VT_WRITE, NULL},
    {"object_leak", "OBJECT_LEAK", VT_WRITE, NULL},
    {"double_completion", "DOUBLE_COMPLETION", VT_WRITE, NULL},
    {"double_completion_unreferenced", "DOUBLE_COMPLETION", VT_WRITE, NULL},
    {"complete_while_cancelable", "COMPLETE_WHILE_CANCELABLE", VT_WRITE, NULL},
    {"mark_cancelable_twice", "MARK_CANCELABLE_TWICE", VT_WRITE, NULL},
    {"unmark_not_cancelable", "UNMARK_NOT_CANCELABLE", VT_WRITE, NULL},
    {"request_used_after_completion", "REQUEST_USED_AFTER_COMPLETION", VT_WRITE, NULL},
    {"request_used_after_completion_unreferenced", "REQUEST_USED_AFTER_COMPLETION", VT_WRITE,
     NULL},
    {"information_exceeds_buffer", "INFORMATION_EXCEEDS_BUFFER", VT_READ, NULL},
    {"request_pending_at_remove", "REQUEST_PENDING_AT_REMOVE", VT_WRITE_KEPT, NULL},
    {"spinlock_acquired_twice", "SPINLOCK_MISUSE", VT_WRITE, "already holds"},
    {"spinlock_other_thread", "SPINLOCK_MISUSE", VT_WRITE, "does not hold"},
    {"spinlock_held_at_return", "SPINLOCK_MISUSE", VT_WRITE, "still held"},
    {"serialization_broken", "SERIALIZATION_BROKEN", VT_WRITE, NULL},
    {"timer_at_unload", "PENDING_OPERATIONS_AT_UNLOAD", VT_WRITE, "kernel timer(s) still set"},
    {"dpc_at_unload", "PENDING_OPERATIONS_AT_UNLOAD", VT_WRITE, "no KeFlushQueuedDpcs"},
    {"work_item_at_unload", "PENDING_OPERATIONS_AT_UNLOAD", VT_WRITE, "ExQueueWorkItem work item"},
    {"pnp_notification_at_unload", "PENDING_OPERATIONS_AT_UNLOAD", VT_WRITE, "PnP notification(s) still registered"},
};

/* How long a broken driver may take to complete its request before the test moves on. */
#define VT_REQUEST_WAIT_MS 5000u

static const VT_CASE *FindCase(const char *Name)
{
    for (size_t i = 0; i < sizeof g_cases / sizeof g_cases[0]; i++) {
        if (strcmp(g_cases[i].Name, Name) == 0) {
            return &g_cases[i];
        }
    }
    return NULL;
}

/* The case's life cycle. Returns the trigger request (to be freed by the caller once
   nothing can complete it any more) or NULL. */
static KT_IO *RunLifeCycle(const VT_CASE *Case)
{
    uint8_t guid[16];
    KtGuid(guid, 0x6b1e2b0a, 0x7f3c, 0x4c55, 0x9a, 0x1d, 0x3e, 0x0f, 0x5b, 0x2c, 0x8d, 0x41);
    char module[128];
    snprintf(module, sizeof module, "verifier-%s.so", Case->Name);

    KT_DEVICE device;
    if (!KT_CHECK_STATUS(KtLoadDriver(&device, module, VT_SERVICE), KT_STATUS_SUCCESS)) {
        return NULL;
    }
    KT_IO *io = NULL;
    KH_FILE *file = NULL;
    if (KT_CHECK_STATUS(KtAddAndStart(&device, VT_INSTANCE, guid), KT_STATUS_SUCCESS) &&
        KT_CHECK_STATUS(KtOpen(&device, &file), KT_STATUS_SUCCESS)) {
        /* The buffer is larger than the request, so that a host that copied out more
           than the request's length would not write past the test's own memory. */
        io = KtIoCreate(64, 0);
        if (Case->Trigger == VT_READ) {
            KtSubmitRead(file, io, 16);
        } else {
            KtFillPattern(io->Buffer, 16, 1);
            KtSubmitWrite(file, io, io->Buffer, 16);
        }
        if (Case->Trigger != VT_WRITE_KEPT) {
            KT_CHECKF(KtIoWait(io, VT_REQUEST_WAIT_MS), "the request did not complete");
        }
        KtCloseFile(file);
    }
    KtRemoveAndUnload(&device);
    if (io != NULL && Case->Trigger == VT_WRITE_KEPT) {
        /* The host owes the application a completion even for a request the driver
           dropped: removal ends it. */
        KT_CHECKF(KtIoWait(io, VT_REQUEST_WAIT_MS),
                  "the request the driver kept was never completed after removal");
    }
    return io;
}

static int RunCapture(const VT_CASE *Case)
{
    KtSection("%s: %s is reported to a capture sink", Case->Name, Case->RuleId);
    KtVerifierCapture();
    uint64_t before = KmdfHostVerifierReportCount();
    KT_IO *io = RunLifeCycle(Case);
    KT_CHECKF(KtVerifierCount(Case->RuleId) >= 1, "no %s report", Case->RuleId);
    KT_CHECKF(KtVerifierSawLine(Case->RuleId), "no line starting \"VERIFIER: %s: \"",
              Case->RuleId);
    if (Case->Detail != NULL) {
        KT_CHECKF(KtVerifierSawText(Case->RuleId, Case->Detail), "no %s report saying \"%s\"",
                  Case->RuleId, Case->Detail);
    }
    /* The driver breaks one rule: nothing else may be reported. */
    size_t others = KtVerifierCount(NULL) - KtVerifierCount(Case->RuleId);
    KT_CHECKF(others == 0, "%zu report(s) of other rules", others);
    KT_CHECK(KmdfHostVerifierReportCount() >= before + KtVerifierCount(NULL));
    if (io != NULL) {
        KT_CHECKF(KtIoCompletions(io) == 1, "the request completed %d times",
                  KtIoCompletions(io));
        /* A request that never completed may still be referenced by the host. */
        if (KtIoDone(io)) {
            KtIoFree(io);
        }
    }
    KtVerifierDump();
    KtVerifierReset();
    return KtFinish();
}

static int RunChild(const VT_CASE *Case)
{
    /* No sink: the first report prints its line and aborts the process. */
    RunLifeCycle(Case);
    fprintf(stderr, "the life cycle ended without an abort\n");
    KtFinish();
    return 0;
}

static int RunAbort(const VT_CASE *Case)
{
    KtSection("%s: without a sink, %s prints its line and aborts", Case->Name, Case->RuleId);
    KtNoCoreDumps();
    char *argv[] = {"verifier_test", "child", (char *)Case->Name, NULL};
    KT_CHILD_RESULT *result = calloc(1, sizeof *result);
    KtRunSelf(argv, 60000, result);
    KT_CHECKF(result->Started, "%s", result->Stderr);
    KT_CHECKF(result->Exited || result->Signaled, "the child did not end in time");
    KT_CHECKF(result->Signaled && result->Signal == SIGABRT,
              "the child %s %d, expected to die by SIGABRT",
              result->Exited ? "exited with" : "died by signal",
              result->Exited ? result->ExitCode : result->Signal);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "VERIFIER: %s: ", Case->RuleId);
    bool found = false;
    bool detail = Case->Detail == NULL;
    for (const char *line = result->Stderr; line != NULL && *line != '\0';) {
        if (strncmp(line, prefix, strlen(prefix)) == 0) {
            found = true;
            const char *end = strchr(line, '\n');
            size_t length = end ? (size_t)(end - line) : strlen(line);
            char *copy = strndup(line, length);
            detail = detail || strcasestr(copy, Case->Detail) != NULL;
            free(copy);
            break;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    KT_CHECKF(found, "no line starting \"%s\" on the child's stderr", prefix);
    KT_CHECKF(detail, "the child's %s line does not say \"%s\"", Case->RuleId,
              Case->Detail ? Case->Detail : "");
    fprintf(stderr, "child's stderr:\n%s\n", result->Stderr);
    free(result);
    return KtFinish();
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const VT_CASE *c = argc == 3 ? FindCase(argv[2]) : NULL;
    if (c == NULL) {
        fprintf(stderr, "usage: %s capture|abort|child CASE\ncases:", argv[0]);
        for (size_t i = 0; i < sizeof g_cases / sizeof g_cases[0]; i++) {
            fprintf(stderr, " %s", g_cases[i].Name);
        }
        fputc('\n', stderr);
        return 2;
    }
    if (strcmp(argv[1], "capture") == 0) {
        return RunCapture(c);
    }
    if (strcmp(argv[1], "abort") == 0) {
        return RunAbort(c);
    }
    if (strcmp(argv[1], "child") == 0) {
        return RunChild(c);
    }
    fprintf(stderr, "usage: %s capture|abort|child CASE\n", argv[0]);
    return 2;
}
