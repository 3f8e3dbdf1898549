/*
 * iotarget_test.c - I/O targets and device stacks, through three drivers of our own in
 * one device stack (bottom to top): iot_lower (function driver), iot_filter (an upper
 * filter that forwards, formats and sends through I/O targets) and iot_pass (an upper
 * filter that handles almost nothing, so the framework passes requests down).
 *
 *   iotarget_test SCENARIO
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khtest.h"

#include "iotarget.h"

/* NTSTATUS values the scenarios expect. */
#define ST_INVALID_PARAMETER ((KH_STATUS)0xC000000D)
#define ST_IO_TIMEOUT ((KH_STATUS)0xC00000B5)
#define ST_REQUEST_NOT_ACCEPTED ((KH_STATUS)0xC00000D0)
#define ST_INVALID_DEVICE_STATE ((KH_STATUS)0xC0000184)
#define ST_OBJECT_NAME_COLLISION ((KH_STATUS)0xC0000035)
#define ST_WDF_REQUEST_INVALID_STATE ((KH_STATUS)0xC0200208)

/* WDF_IO_TARGET_STATE and WDF_REQUEST_TYPE values. */
enum { TargetStarted = 1, TargetStopped = 2, TargetClosed = 4 };
enum { TypeDeviceControl = 0x0E, TypeNoFormat = 0xFF };
enum { CancelSentIo = 1, WaitForSentIo = 2, LeaveSentIoPending = 3 };

typedef struct IOT_STACK {
    KH_DRIVER *Lower, *Filter, *Pass;
    KH_DEVNODE *Node;
    KH_FILE *File;
} IOT_STACK;

static const char Instance[] = "ROOT\\IOTARGET\\0000";

static KH_STATUS Load(const char *Module, const char *Service, KH_DRIVER **Driver)
{
    char path[1024];
    if (!KT_CHECKF(KtDriverPath(Module, path, sizeof path), "KMDFHOST_DRIVER_DIR must be set")) {
        return (KH_STATUS)0xC0000001;
    }
    return KmdfHostLoadDriver(path, Service, Driver);
}

static void InterfaceGuid(uint8_t Guid[16])
{
    KtGuid(Guid, 0x6f1d2a43, 0x8c2e, 0x4b7a, 0x9d, 0x11, 0x52, 0x0e, 0x3c, 0x7b, 0x44, 0x90);
}

static bool LoadAll(IOT_STACK *Stack)
{
    memset(Stack, 0, sizeof *Stack);
    return KT_CHECK_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS) &&
           KT_CHECK_STATUS(Load("iot_lower.so", "IotLower", &Stack->Lower), KT_STATUS_SUCCESS) &&
           KT_CHECK_STATUS(Load("iot_filter.so", "IotFilter", &Stack->Filter), KT_STATUS_SUCCESS) &&
           KT_CHECK_STATUS(Load("iot_pass.so", "IotPass", &Stack->Pass), KT_STATUS_SUCCESS);
}

/* Builds the three-driver stack, starts it and opens its interface. */
static bool Setup(IOT_STACK *Stack)
{
    if (!LoadAll(Stack)) {
        return false;
    }
    KH_DRIVER *uppers[] = {Stack->Filter, Stack->Pass};
    if (!KT_CHECK_STATUS(KmdfHostAddDeviceStack(Stack->Lower, NULL, 0, uppers, 2, Instance, &Stack->Node),
                         KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(KmdfHostStartDevice(Stack->Node), KT_STATUS_SUCCESS)) {
        return false;
    }
    uint8_t guid[16];
    InterfaceGuid(guid);
    char list[1024] = {0};
    size_t required = 0;
    if (!KT_CHECK_STATUS(KmdfHostGetInterfaceList(guid, list, sizeof list, &required), KT_STATUS_SUCCESS) ||
        !KT_CHECKF(list[0] != 0, "the lower driver's interface is registered")) {
        return false;
    }
    return KT_CHECK_STATUS(KmdfHostCreateFile(list, &Stack->File), KT_STATUS_SUCCESS);
}

static void Teardown(IOT_STACK *Stack, const char *Where)
{
    if (Stack->File != NULL) {
        KtCloseFile(Stack->File);
        Stack->File = NULL;
    }
    if (Stack->Node != NULL) {
        KT_CHECK_STATUS(KmdfHostRemoveDevice(Stack->Node), KT_STATUS_SUCCESS);
        Stack->Node = NULL;
    }
    KH_DRIVER **drivers[] = {&Stack->Pass, &Stack->Filter, &Stack->Lower};
    for (size_t i = 0; i < 3; i++) {
        if (*drivers[i] != NULL) {
            KT_CHECK_STATUS(KmdfHostUnloadDriver(*drivers[i]), KT_STATUS_SUCCESS);
            *drivers[i] = NULL;
        }
    }
    KtCheckNoVerifierReports(Where);
}

/* A synchronous device control; Out receives up to OutLength bytes. */
static KH_STATUS Ioctl(IOT_STACK *Stack, uint32_t Code, const void *In, uint32_t InLength, void *Out,
                       uint32_t OutLength, uint64_t *Information)
{
    KT_IO *io = KtIoCreate(InLength ? InLength : 1, OutLength ? OutLength : 1);
    if (InLength) {
        memcpy(io->Buffer, In, InLength);
    }
    KtSubmitIoctl(Stack->File, io, Code, InLength, OutLength);
    KH_STATUS status = (KH_STATUS)0xC0000001;
    if (KT_CHECKF(KtIoWait(io, KT_WAIT_MS), "IOCTL %#x completes", Code)) {
        status = io->Status;
        if (Out != NULL && OutLength != 0) {
            memcpy(Out, io->Output, OutLength);
        }
        if (Information != NULL) {
            *Information = io->Information;
        }
    }
    KtIoFree(io);
    return status;
}

static bool Result(IOT_STACK *Stack, uint32_t Code, IOT_RESULT *Out)
{
    memset(Out, 0, sizeof *Out);
    uint64_t information = 0;
    return KT_CHECK_STATUS(Ioctl(Stack, Code, NULL, 0, Out, sizeof *Out, &information), KT_STATUS_SUCCESS) &&
           KT_CHECK(information == sizeof *Out);
}

static uint32_t Ulong(IOT_STACK *Stack, uint32_t Code)
{
    uint32_t value = 0;
    KT_CHECK_STATUS(Ioctl(Stack, Code, NULL, 0, &value, sizeof value, NULL), KT_STATUS_SUCCESS);
    return value;
}

static void Write(IOT_STACK *Stack, const char *Text)
{
    KT_IO *io = KtIoCreate(64, 0);
    KtSubmitWrite(Stack->File, io, Text, (uint32_t)strlen(Text));
    if (KT_CHECK(KtIoWait(io, KT_WAIT_MS))) {
        KT_CHECK_STATUS(io->Status, KT_STATUS_SUCCESS);
        KT_CHECK(io->Information == strlen(Text));
    }
    KtIoFree(io);
}

/* ------------------------------------------------------------------- scenarios */

/* Requests pass through both filters and come back up; each filter's way is visible. */
static void ScenarioStack(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        KT_CHECKF(Ulong(&stack, IOCTL_IOT_PASS_WHO) == 'P', "the top filter answers its own IOCTL");
        KT_CHECKF(Ulong(&stack, IOCTL_IOT_LOWER_WHO) == 'L',
                  "an IOCTL the filters do not handle reaches the function driver and comes back");
        /* Write: the top filter has no write queue (framework forwards), the middle one
           sends and forgets. */
        Write(&stack, "hello stack");
        /* Read: forwarded with WdfRequestFormatRequestUsingCurrentType and a completion
           routine, which completes it with the lower driver's status and information. */
        KT_IO *read = KtIoCreate(32, 0);
        KtSubmitRead(stack.File, read, 32);
        if (KT_CHECK(KtIoWait(read, KT_WAIT_MS))) {
            KT_CHECK_STATUS(read->Status, KT_STATUS_SUCCESS);
            KT_CHECK(read->Information == 11);
            KT_CHECK(memcmp(read->Buffer, "hello stack", 11) == 0);
        }
        KtIoFree(read);
        IOT_RESULT last;
        if (Result(&stack, IOCTL_IOT_FILTER_LAST_COMPLETION, &last)) {
            KT_CHECKF(last.Type == TypeNoFormat, "completion params of a request formatted with its current type "
                                                 "say WdfRequestTypeNoFormat (got %#x)", last.Type);
            KT_CHECK_STATUS(last.Status, KT_STATUS_SUCCESS);
            KT_CHECK(last.Information == 11);
            KT_CHECKF(last.Value == 1, "WDF_REQUEST_COMPLETION_PARAMS.Size is set");
        }
        /* Reverse, answered below two filters, buffered data intact on the way up. */
        uint8_t out[5] = {0};
        uint64_t information = 0;
        KT_CHECK_STATUS(Ioctl(&stack, IOCTL_IOT_LOWER_REVERSE, "abcde", 5, out, 5, &information), KT_STATUS_SUCCESS);
        KT_CHECK(information == 5 && memcmp(out, "edcba", 5) == 0);
        KT_CHECKF(Ulong(&stack, IOCTL_IOT_LOWER_COUNT) >= 5, "the function driver saw every request");
    }
    Teardown(&stack, "after the stack scenario");
}

static void ScenarioSyncSends(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        Write(&stack, "sync data");
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_SYNC_READ, &r)) {
            KT_CHECK_STATUS(r.Status, KT_STATUS_SUCCESS);
            KT_CHECKF(r.Information == 9 && memcmp(r.Data, "sync data", 9) == 0,
                      "WdfIoTargetSendReadSynchronously returns the bytes read");
        }
        if (Result(&stack, IOCTL_IOT_FILTER_SYNC_SEND, &r)) {
            KT_CHECK_STATUS(r.Status, KT_STATUS_SUCCESS);
            KT_CHECKF(r.Returned == 1, "WdfRequestSend(SYNCHRONOUS) returns TRUE for a request that succeeded");
            KT_CHECK(r.Value == 'L');
            KT_CHECK(r.Type == TypeDeviceControl);
            KT_CHECK(r.Information == 4);
        }
    }
    Teardown(&stack, "after the synchronous sends");
}

static void ScenarioFormatted(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_FORMATTED, &r)) {
            KT_CHECK_STATUS(r.Status, KT_STATUS_SUCCESS);
            KT_CHECK(r.Type == TypeDeviceControl);
            KT_CHECKF(r.Information == 8, "Parameters.Ioctl.Output.Length is the bytes returned");
            KT_CHECKF(r.Value == 1, "the completion params name the IOCTL and both memory objects");
            KT_CHECK(memcmp(r.Data, "hgfedcba", 8) == 0);
        }
    }
    Teardown(&stack, "after the formatted request");
}

static void ScenarioReuse(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_REUSE, &r)) {
            KT_CHECK_STATUS(r.Status, KT_STATUS_SUCCESS);
            KT_CHECKF(r.Value == 5, "one request, reused, sent five internal IOCTLs (got %d)", r.Value);
        }
    }
    Teardown(&stack, "after the reused request");
}

/* Internal requests of the "Others" kind reach the lower with the sender's pointers. */
static void ScenarioOthers(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_OTHERS, &r)) {
            KT_CHECK_STATUS(r.Status, KT_STATUS_SUCCESS);
            KT_CHECKF(r.Value == 42, "SendInternalIoctlOthersSynchronously: 20 + 22 (got %d)", r.Value);
            KT_CHECKF(r.Data[0] == 1, "a missing argument reaches the lower as NULL");
            KT_CHECK_STATUS((KH_STATUS)r.Returned, KT_STATUS_SUCCESS);
            KT_CHECKF(r.Data[1] == 105, "FormatRequestForInternalIoctlOthers from memory offsets: 100 + 5 (got %d)",
                      r.Data[1]);
            KT_CHECK(r.Type == 0xF /* WdfRequestTypeDeviceControlInternal */);
            KT_CHECKF(r.Data[2] == 1, "the completion params carry the code and the arguments");
        }
    }
    Teardown(&stack, "after the Others requests");
}

static void ScenarioRemote(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_REMOTE, &r)) {
            KT_CHECK_STATUS(r.Status, KT_STATUS_SUCCESS);
            KT_CHECKF(r.Data[0] == 'L', "a target opened by name reaches the named device");
            KT_CHECKF(r.Value == 1, "a target opened by name holds a file object");
            KT_CHECKF(r.Type == TargetClosed, "WdfIoTargetClose leaves the target closed");
            KT_CHECKF(r.Data[1] == 'L', "a target opened on an existing device object reaches it");
        }
    }
    Teardown(&stack, "after the remote targets");
}

static void ScenarioClosedTarget(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_CLOSED_SEND, &r)) {
            KT_CHECK(r.Value == TargetStarted);
            KT_CHECKF(r.Returned == 0, "WdfRequestSend to a target with no device returns FALSE");
            KT_CHECK_STATUS(r.Status, ST_INVALID_DEVICE_STATE);
        }
    }
    Teardown(&stack, "after the send to a closed target");
}

/* A stopped target keeps what is sent to it and sends it when started again. */
static void ScenarioStoppedTarget(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        Write(&stack, "kept");
        IOT_RESULT r;
        uint32_t action = LeaveSentIoPending;
        KT_CHECK_STATUS(Ioctl(&stack, IOCTL_IOT_FILTER_STOP, &action, sizeof action, &r, sizeof r, NULL),
                        KT_STATUS_SUCCESS);
        KT_CHECK(r.Value == TargetStopped);
        KT_IO *read = KtIoCreate(16, 0);
        KtSubmitRead(stack.File, read, 16);
        KT_CHECKF(!KtIoDone(read), "a read sent to a stopped target waits");
        if (Result(&stack, IOCTL_IOT_FILTER_STATE, &r)) {
            KT_CHECK(r.Value == TargetStopped);
        }
        KT_CHECKF(!KtIoDone(read), "still waiting while the target is stopped");
        if (Result(&stack, IOCTL_IOT_FILTER_START, &r)) {
            KT_CHECK_STATUS(r.Status, KT_STATUS_SUCCESS);
            KT_CHECK(r.Value == TargetStarted);
        }
        if (KT_CHECKF(KtIoWait(read, KT_WAIT_MS), "WdfIoTargetStart sends what the target kept")) {
            KT_CHECK_STATUS(read->Status, KT_STATUS_SUCCESS);
            KT_CHECK(read->Information == 4 && memcmp(read->Buffer, "kept", 4) == 0);
        }
        KtIoFree(read);
    }
    Teardown(&stack, "after the stopped target");
}

/* Parks a request in the function driver, forwarded by the filter. */
static KT_IO *Park(IOT_STACK *Stack)
{
    uint32_t before = Ulong(Stack, IOCTL_IOT_LOWER_COUNT);
    KT_IO *park = KtIoCreate(1, 1);
    KT_CHECK_STATUS(KtSubmitIoctl(Stack->File, park, IOCTL_IOT_LOWER_PARK, 0, 0), KT_STATUS_PENDING);
    /* Queues present a request in the thread that dispatches it: the park reached the
       function driver before the submission returned (the count query comes after it). */
    KT_CHECKF(Ulong(Stack, IOCTL_IOT_LOWER_COUNT) == before + 2, "the parked request reached the function driver");
    KT_CHECK(!KtIoDone(park));
    return park;
}

static void ScenarioStopCancels(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        KT_IO *park = Park(&stack);
        IOT_RESULT r;
        uint32_t action = CancelSentIo;
        KT_CHECK_STATUS(Ioctl(&stack, IOCTL_IOT_FILTER_STOP, &action, sizeof action, &r, sizeof r, NULL),
                        KT_STATUS_SUCCESS);
        KT_CHECKF(KtIoDone(park), "WdfIoTargetStop(WdfIoTargetCancelSentIo) returns after the sent request "
                                  "was cancelled and completed");
        KT_CHECK_STATUS(park->Status, KT_STATUS_CANCELLED);
        KtIoWait(park, KT_WAIT_MS);
        KtIoFree(park);
        if (Result(&stack, IOCTL_IOT_FILTER_START, &r)) {
            KT_CHECK(r.Value == TargetStarted);
        }
        KT_CHECK(Ulong(&stack, IOCTL_IOT_LOWER_WHO) == 'L');
    }
    Teardown(&stack, "after stopping with I/O sent");
}

static void ScenarioTimeout(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_TIMEOUT, &r)) {
            KT_CHECKF(r.Status == (int)ST_IO_TIMEOUT, "a synchronous send that runs out of time is cancelled and "
                                                      "gives STATUS_IO_TIMEOUT (got %#x)", (unsigned)r.Status);
        }
    }
    Teardown(&stack, "after the time-out");
}

static void ScenarioBadInput(void)
{
    KtVerifierCapture();
    IOT_STACK stack;
    if (Setup(&stack)) {
        IOT_RESULT r;
        if (Result(&stack, IOCTL_IOT_FILTER_BAD_INPUT, &r)) {
            KT_CHECK_STATUS(r.Status, ST_WDF_REQUEST_INVALID_STATE);
            KT_CHECKF(r.Returned == 0, "send-and-forget of a request the driver created is refused");
            KT_CHECK_STATUS(r.Value, ST_INVALID_PARAMETER);
            KT_CHECK_STATUS(r.Type, ST_REQUEST_NOT_ACCEPTED);
            KT_CHECKF(r.Information == 0, "WdfIoTargetGetState on a request handle gives WdfIoTargetStateUndefined");
        }
        KT_CHECKF(KtVerifierSawLine("INVALID_HANDLE"), "a request handle passed as a WDFIOTARGET is reported");
        KT_CHECK(KtVerifierSawText("INVALID_HANDLE", "WdfIoTargetGetState"));
        KtVerifierReset();
        KT_CHECK(Ulong(&stack, IOCTL_IOT_LOWER_WHO) == 'L');
    }
    Teardown(&stack, "after the bad input");
}

/* An AddDevice that fails in the middle of a stack takes the stack down again. */
static void ScenarioAddFailure(void)
{
    IOT_STACK stack;
    if (LoadAll(&stack)) {
        /* A second iot_lower device asks for the name the first one has. */
        KH_DRIVER *uppers[] = {stack.Filter, stack.Lower};
        KH_DEVNODE *node = NULL;
        KT_CHECK_STATUS(KmdfHostAddDeviceStack(stack.Lower, NULL, 0, uppers, 2, Instance, &node),
                        ST_OBJECT_NAME_COLLISION);
        KT_CHECK(node == NULL);
        KH_DRIVER *one[] = {stack.Filter};
        KT_CHECK_STATUS(KmdfHostAddDeviceStack(stack.Lower, one, 1, NULL, 0, Instance, &stack.Node),
                        KT_STATUS_SUCCESS);
        if (stack.Node != NULL) {
            KT_CHECKF(KmdfHostStartDevice(stack.Node) == KT_STATUS_SUCCESS,
                      "the same instance builds again (here with a lower filter) once the failed stack is gone");
        }
        KH_DRIVER *null[] = {NULL};
        KT_CHECK_STATUS(KmdfHostAddDeviceStack(stack.Lower, null, 1, NULL, 0, "ROOT\\IOTARGET\\0001", &node),
                        ST_INVALID_PARAMETER);
    }
    Teardown(&stack, "after the failed stack");
}

/* Removal with a request still at the function driver: the filter's default target is
   closed, which cancels it, and the request comes back up cancelled. */
static void ScenarioRemoveWithIo(void)
{
    IOT_STACK stack;
    if (Setup(&stack)) {
        KT_IO *park = Park(&stack);
        KT_CHECK_STATUS(KmdfHostRemoveDevice(stack.Node), KT_STATUS_SUCCESS);
        stack.Node = NULL;
        if (KT_CHECK(KtIoWait(park, KT_WAIT_MS))) {
            KT_CHECK_STATUS(park->Status, KT_STATUS_CANCELLED);
        }
        KtIoFree(park);
    }
    Teardown(&stack, "after removal with I/O sent");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *Name;
        void (*Run)(void);
    } scenarios[] = {
        {"stack", ScenarioStack},           {"sync-sends", ScenarioSyncSends},
        {"formatted", ScenarioFormatted},   {"reuse", ScenarioReuse},
        {"others", ScenarioOthers},
        {"remote", ScenarioRemote},         {"closed-target", ScenarioClosedTarget},
        {"stopped-target", ScenarioStoppedTarget}, {"stop-cancels", ScenarioStopCancels},
        {"timeout", ScenarioTimeout},       {"bad-input", ScenarioBadInput},
        {"add-failure", ScenarioAddFailure}, {"remove-with-io", ScenarioRemoveWithIo},
    };
    for (size_t i = 0; argc == 2 && i < sizeof scenarios / sizeof scenarios[0]; i++) {
        if (strcmp(argv[1], scenarios[i].Name) == 0) {
            KtSection("%s", scenarios[i].Name);
            scenarios[i].Run();
            return KtFinish();
        }
    }
    fprintf(stderr, "usage: iotarget_test SCENARIO\n");
    return 2;
}
