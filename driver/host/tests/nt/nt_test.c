/*
 * nt_test.c - tests of the NT half of the host through the functions it exports: the
 * DbgPrint format language and debug output, counted strings and ntstrsafe, pool
 * (zeroing, tags, charging to the calling driver, POOL_LEAK at unload, fault
 * injection), IRQL and spin locks (mutual exclusion, SPINLOCK_MISUSE), events and waits,
 * and the registry (ZwQueryValueKey's size protocol, the service Parameters setters).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kmdfhost.h>
#include <ntddk.h>
#include <ntifs.h>
#include <ntintsafe.h>
#include <ntstrsafe.h>
#include <initguid.h>

DEFINE_GUID(GUID_TEST_ECHO, 0xcdc35b6e, 0x0be4, 0x4936, 0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c, 0x1a);

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

#define CHECK_STR(actual, expected)                                                             \
    do {                                                                                        \
        const char *a_ = (actual);                                                              \
        const char *e_ = (expected);                                                            \
        g_Checks++;                                                                             \
        if (strcmp(a_, e_) != 0) {                                                              \
            g_Failures++;                                                                       \
            fprintf(stderr, "FAILED %s:%d: got \"%s\", expected \"%s\"\n", __FILE__, __LINE__, a_, e_); \
        }                                                                                       \
    } while (0)

/* ------------------------------------------------------------------ verifier capture */

static pthread_mutex_t g_ReportLock = PTHREAD_MUTEX_INITIALIZER;
static char g_Reports[32][512];
static int g_ReportCount;

static void CaptureSink(void *Context, const char *RuleId, const char *Line)
{
    (void)Context;
    (void)RuleId;
    pthread_mutex_lock(&g_ReportLock);
    if (g_ReportCount < 32) {
        snprintf(g_Reports[g_ReportCount], sizeof(g_Reports[0]), "%s", Line);
    }
    g_ReportCount++;
    pthread_mutex_unlock(&g_ReportLock);
}

static void ResetReports(void)
{
    pthread_mutex_lock(&g_ReportLock);
    g_ReportCount = 0;
    pthread_mutex_unlock(&g_ReportLock);
}

static int ReportCount(void)
{
    pthread_mutex_lock(&g_ReportLock);
    int n = g_ReportCount;
    pthread_mutex_unlock(&g_ReportLock);
    return n;
}

/* TRUE when report Index starts with "VERIFIER: Rule: " and contains Text. */
static int ReportIs(int Index, const char *Rule, const char *Text)
{
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "VERIFIER: %s: ", Rule);
    pthread_mutex_lock(&g_ReportLock);
    int ok = Index < g_ReportCount && strncmp(g_Reports[Index], prefix, strlen(prefix)) == 0 &&
             (Text == NULL || strstr(g_Reports[Index], Text) != NULL);
    if (!ok && Index < g_ReportCount) {
        fprintf(stderr, "  report %d was: %s\n", Index, g_Reports[Index]);
    }
    pthread_mutex_unlock(&g_ReportLock);
    return ok;
}

/* ------------------------------------------------------------------ DbgPrint formats */

static const char *Fmt(const char *Format, ...)
{
    static char buffer[512];
    va_list args;
    va_start(args, Format);
    int n = _vsnprintf(buffer, sizeof(buffer) - 1, Format, args);
    va_end(args);
    buffer[n >= 0 ? n : (int)sizeof(buffer) - 1] = 0;
    return buffer;
}

static void TestFormats(void)
{
    UNICODE_STRING unicode;
    ANSI_STRING ansi = {2, 4, "abc"};
    RtlInitUnicodeString(&unicode, L"h\u00e9llo");
    ULONG big = 0xFFFFFFFFu;

    CHECK_STR(Fmt("%d %u %x %X %i", -5, 5u, 0xab, 0xab, 7), "-5 5 ab AB 7");
    /* %l is 32 bits (LLP64): the next argument must still be read correctly. */
    CHECK_STR(Fmt("%lx %ld %lu|%d", big, (LONG)-1, big, 9), "ffffffff -1 4294967295|9");
    CHECK_STR(Fmt("%I64x %I64d %I64u", 0x123456789abcdefULL, (LONGLONG)-2, 18446744073709551615ULL),
              "123456789abcdef -2 18446744073709551615");
    CHECK_STR(Fmt("%llx %lld", 0x1122334455ULL, (LONGLONG)-3), "1122334455 -3");
    CHECK_STR(Fmt("%Iu %Ix %Id", (SIZE_T)1 << 40, (ULONG_PTR)0xdeadbeefcafeULL, (LONG_PTR)-4),
              "1099511627776 deadbeefcafe -4");
    CHECK_STR(Fmt("%I32x %I32d", 0xffu, -6), "ff -6");
    CHECK_STR(Fmt("%p", (void *)0x1234), "0000000000001234");
    CHECK_STR(Fmt("%p", (void *)0xABCDEF0123456789ULL), "ABCDEF0123456789");
    CHECK_STR(Fmt("[%wZ]", &unicode), "[h\xc3\xa9llo]");
    CHECK_STR(Fmt("[%wZ]", (PUNICODE_STRING)NULL), "[(null)]");
    CHECK_STR(Fmt("[%Z]", &ansi), "[ab]");
    CHECK_STR(Fmt("%ws|%S|%ls", L"wide", L"Wide", L"long"), "wide|Wide|long");
    CHECK_STR(Fmt("%s|%hs|%c|%wc|%C", "nar", "row", 'x', L'\u00e9', L'y'), "nar|row|x|\xc3\xa9|y");
    CHECK_STR(Fmt("%ws", (PCWSTR)NULL), "(null)");
    CHECK_STR(Fmt("%5d|%-5d|%05d|%08x|%#x|%+d", 42, 42, 42, 0xab, 255, 5), "   42|42   |00042|000000ab|0xff|+5");
    CHECK_STR(Fmt("%-6s|%6s|%.2s|%*d|%-*d|", "ab", "cd", "xyz", 4, 7, 3, 8), "ab    |    cd|xy|   7|8  |");
    CHECK_STR(Fmt("%8wZ|%-7ws|", &unicode, L"ab"), "   h\xc3\xa9llo|ab     |");
    CHECK_STR(Fmt("%.3d|%05.1f|%hd|%%", 7, 2.25, 65535), "007|002.2|-1|%");

    /* _vsnprintf's contract: -1 and no terminator when the output does not fit. */
    char small[4];
    memset(small, 'Z', sizeof(small));
    CHECK(RtlStringCchPrintfA(small, sizeof(small), "%s", "toolong") == STATUS_BUFFER_OVERFLOW);
    CHECK_STR(small, "too");
}

/* DbgPrint reaches the debug-print descriptor only when one is set. */
static void TestDbgPrintOutput(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"Echo");
    KmdfHostSetDebugPrintFd(fds[1]);
    DbgPrint("hello %wZ %Iu\n", &name, (SIZE_T)12);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "level %d\n", 0);
    char text[128] = {0};
    ssize_t got = read(fds[0], text, sizeof(text) - 1);
    CHECK(got > 0);
    CHECK_STR(text, "hello Echo 12\nlevel 0\n");
    KmdfHostSetDebugPrintFd(-1);
    DbgPrint("dropped\n");
    CHECK(read(fds[0], text, sizeof(text)) < 0);
    close(fds[0]);
    close(fds[1]);
}

/* ------------------------------------------------------------------ strings */

/* ntstrsafe's Ex forms: the end pointer, the room left, and each flag. */
static void TestStrSafeEx(void)
{
    WCHAR wide[8];
    PWSTR wideEnd = NULL;
    size_t remaining = 0;
    CHECK(RtlStringCchCopyExW(wide, 8, L"abc", &wideEnd, &remaining, 0) == STATUS_SUCCESS);
    CHECK(wideEnd == wide + 3 && remaining == 5 && wide[3] == 0);
    CHECK(RtlStringCbCatExW(wide, sizeof(wide), L"de", &wideEnd, &remaining, 0) == STATUS_SUCCESS);
    CHECK(wideEnd == wide + 5 && remaining == 3 * sizeof(WCHAR));
    CHECK_STR(Fmt("%ws", wide), "abcde");

    char narrow[8];
    char *end = NULL;
    CHECK(RtlStringCchCopyA(narrow, 8, "ab") == STATUS_SUCCESS);
    /* No truncation: a result that does not fit leaves the destination as it was. */
    CHECK(RtlStringCchCatExA(narrow, 6, "defgh", &end, &remaining, STRSAFE_NO_TRUNCATION) == STATUS_BUFFER_OVERFLOW);
    CHECK_STR(narrow, "ab");
    CHECK(end == narrow + 2 && remaining == 4);
    /* Without the flag the result is truncated. */
    CHECK(RtlStringCchCatExA(narrow, 6, "defgh", &end, &remaining, 0) == STATUS_BUFFER_OVERFLOW);
    CHECK_STR(narrow, "abdef");
    CHECK(end == narrow + 5 && remaining == 1);
    CHECK(RtlStringCchCopyExA(narrow, 8, "ab", NULL, NULL, STRSAFE_FILL_BYTE('x')) == STATUS_SUCCESS);
    CHECK(narrow[2] == 0 && narrow[3] == 'x' && narrow[7] == 'x');
    CHECK(RtlStringCchCopyExA(narrow, 4, "toolong", NULL, NULL, STRSAFE_NULL_ON_FAILURE) == STATUS_BUFFER_OVERFLOW);
    CHECK(narrow[0] == 0);
    CHECK(RtlStringCchCopyExA(narrow, 4, "toolong", NULL, NULL, STRSAFE_FAILURE_BYTE('z')) == STATUS_BUFFER_OVERFLOW);
    CHECK(narrow[0] == 'z' && narrow[2] == 'z' && narrow[3] == 0);
    CHECK(RtlStringCchCopyExA(narrow, 8, NULL, NULL, NULL, 0) == STATUS_INVALID_PARAMETER);
    CHECK(RtlStringCchCopyExA(narrow, 8, NULL, &end, NULL, STRSAFE_IGNORE_NULLS) == STATUS_SUCCESS);
    CHECK(narrow[0] == 0 && end == narrow);
    CHECK(RtlStringCchCopyExA(narrow, 8, "a", NULL, NULL, 0x10000) == STATUS_INVALID_PARAMETER);
    CHECK(RtlStringCchCopyA(narrow, 8, "ab") == STATUS_SUCCESS);
    CHECK(RtlStringCchCatNA(narrow, 8, "xyz", 2) == STATUS_SUCCESS);
    CHECK_STR(narrow, "abxy");
    CHECK(RtlStringCchPrintfExA(narrow, 8, &end, &remaining, 0, "%d-%s", 42, "q") == STATUS_SUCCESS);
    CHECK_STR(narrow, "42-q");
    CHECK(end == narrow + 4 && remaining == 4);

    WCHAR buffer[6];
    UNICODE_STRING text = {0, sizeof(buffer), buffer};
    UNICODE_STRING rest;
    CHECK(RtlUnicodeStringCopyStringEx(&text, L"abc", &rest, 0) == STATUS_SUCCESS);
    CHECK(text.Length == 6 && rest.Buffer == buffer + 3 && rest.Length == 0 && rest.MaximumLength == 6);
    CHECK(RtlUnicodeStringCatString(&text, L"defg") == STATUS_BUFFER_OVERFLOW && text.Length == 12);
    CHECK(RtlUnicodeStringCopyString(&text, L"ab") == STATUS_SUCCESS);
    CHECK(RtlUnicodeStringCatStringEx(&text, L"cdefg", NULL, STRSAFE_NO_TRUNCATION) == STATUS_BUFFER_OVERFLOW);
    CHECK(text.Length == 4);
    UNICODE_STRING odd = {3, 8, buffer};
    CHECK(RtlUnicodeStringValidate(&odd) == STATUS_INVALID_PARAMETER);
    CHECK(RtlUnicodeStringValidate(&text) == STATUS_SUCCESS);
    WCHAR copied[4];
    UNICODE_STRING source = RTL_CONSTANT_STRING(L"hello");
    CHECK(RtlStringCchCopyUnicodeString(copied, 4, &source) == STATUS_BUFFER_OVERFLOW && copied[3] == 0);
    CHECK(RtlStringCbCopyUnicodeString(wide, sizeof(wide), &source) == STATUS_SUCCESS);
    CHECK_STR(Fmt("%ws", wide), "hello");
}

static void TestStrings(void)
{
    UNICODE_STRING a;
    UNICODE_STRING b;
    RtlInitUnicodeString(&a, L"Hello");
    CHECK(a.Length == 10 && a.MaximumLength == 12);
    RtlInitUnicodeString(&b, L"hELLO");
    CHECK(RtlEqualUnicodeString(&a, &b, TRUE));
    CHECK(!RtlEqualUnicodeString(&a, &b, FALSE));
    CHECK(RtlCompareUnicodeString(&a, &b, FALSE) < 0);
    UNICODE_STRING prefix = RTL_CONSTANT_STRING(L"hel");
    CHECK(RtlPrefixUnicodeString(&prefix, &a, TRUE));
    CHECK(!RtlPrefixUnicodeString(&prefix, &a, FALSE));

    DECLARE_UNICODE_STRING_SIZE(buffer, 8);
    RtlCopyUnicodeString(&buffer, &a);
    CHECK(buffer.Length == 10 && buffer.Buffer[5] == 0);
    CHECK(RtlAppendUnicodeToString(&buffer, L"!!") == STATUS_SUCCESS);
    CHECK(buffer.Length == 14);
    CHECK(RtlAppendUnicodeToString(&buffer, L"!!") == STATUS_BUFFER_TOO_SMALL);
    CHECK(buffer.Length == 14);

    DECLARE_CONST_UNICODE_STRING(constant, L"Const");
    CHECK(constant.Length == 10 && constant.MaximumLength == 12);

    ANSI_STRING ansi;
    CHECK(RtlUnicodeStringToAnsiString(&ansi, &a, TRUE) == STATUS_SUCCESS);
    CHECK(ansi.Length == 5 && memcmp(ansi.Buffer, "Hello", 5) == 0);
    RtlFreeAnsiString(&ansi);
    CHECK(ansi.Buffer == NULL);

    UNICODE_STRING guidText;
    CHECK(RtlStringFromGUID(&GUID_TEST_ECHO, &guidText) == STATUS_SUCCESS);
    char narrow[64];
    snprintf(narrow, sizeof(narrow), "%s", Fmt("%wZ", &guidText));
    CHECK_STR(narrow, "{CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}");
    GUID parsed;
    CHECK(RtlGUIDFromString(&guidText, &parsed) == STATUS_SUCCESS);
    CHECK(IsEqualGUID(&parsed, &GUID_TEST_ECHO));
    RtlFreeUnicodeString(&guidText);

    WCHAR digits[16];
    UNICODE_STRING number = {0, sizeof(digits), digits};
    CHECK(RtlIntegerToUnicodeString(4096, 16, &number) == STATUS_SUCCESS);
    CHECK_STR(Fmt("%wZ", &number), "1000");
    ULONG value = 0;
    UNICODE_STRING hex = RTL_CONSTANT_STRING(L"0x1F");
    CHECK(RtlUnicodeStringToInteger(&hex, 0, &value) == STATUS_SUCCESS && value == 31);

    WCHAR wide[32];
    CHECK(RtlStringCchPrintfW(wide, 32, L"%s-%d-%S", L"w", 5, "n") == STATUS_SUCCESS);
    CHECK_STR(Fmt("%ws", wide), "w-5-n");
    WCHAR unicodeBuffer[8];
    UNICODE_STRING formatted = {0, sizeof(unicodeBuffer), unicodeBuffer};
    CHECK(RtlUnicodeStringPrintf(&formatted, L"%d", 1234) == STATUS_SUCCESS);
    CHECK(formatted.Length == 8);
    CHECK(RtlUnicodeStringPrintf(&formatted, L"%d", 123456789) == STATUS_BUFFER_OVERFLOW);
    size_t length = 0;
    CHECK(RtlStringCchLengthW(L"abc", 10, &length) == STATUS_SUCCESS && length == 3);
    CHECK(RtlStringCchCopyW(wide, 3, L"abcdef") == STATUS_BUFFER_OVERFLOW && wide[2] == 0);
    TestStrSafeEx();

    ULONG sum;
    CHECK(RtlULongAdd(0xFFFFFFF0u, 0x20, &sum) == STATUS_INTEGER_OVERFLOW);

    RTL_OSVERSIONINFOW version = {sizeof(version), 0, 0, 0, 0, {0}};
    CHECK(RtlGetVersion(&version) == STATUS_SUCCESS && version.dwMajorVersion == 10);
    CHECK(RtlIsNtDdiVersionAvailable(NTDDI_WIN8) && !RtlIsNtDdiVersionAvailable(NTDDI_WIN10_NI));
    CHECK(RtlCompareMemory("abcd", "abxd", 4) == 2);
}

/* ------------------------------------------------------------------ lists and Interlocked */

static void TestListsAndInterlocked(void)
{
    LIST_ENTRY head;
    LIST_ENTRY items[3];
    InitializeListHead(&head);
    CHECK(IsListEmpty(&head));
    InsertTailList(&head, &items[0]);
    InsertTailList(&head, &items[1]);
    InsertHeadList(&head, &items[2]);
    CHECK(RemoveHeadList(&head) == &items[2]);
    CHECK(RemoveTailList(&head) == &items[1]);
    CHECK(RemoveEntryList(&items[0]) == TRUE);
    CHECK(IsListEmpty(&head));

    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    CHECK(ExInterlockedInsertTailList(&head, &items[0], &lock) == NULL);
    CHECK(ExInterlockedInsertTailList(&head, &items[1], &lock) == &items[0]);
    CHECK(ExInterlockedInsertHeadList(&head, &items[2], &lock) == &items[0]);
    CHECK(ExInterlockedRemoveHeadList(&head, &lock) == &items[2]);
    CHECK(ExInterlockedRemoveHeadList(&head, &lock) == &items[0]);
    CHECK(ExInterlockedRemoveHeadList(&head, &lock) == &items[1]);
    CHECK(ExInterlockedRemoveHeadList(&head, &lock) == NULL);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);

    LONG value = 5;
    CHECK(InterlockedIncrement(&value) == 6);
    CHECK(InterlockedExchange(&value, 10) == 6);
    CHECK(InterlockedCompareExchange(&value, 11, 10) == 10 && value == 11);
    CHECK(InterlockedExchangeAdd(&value, 4) == 11 && value == 15);
    CHECK(InterlockedOr(&value, 0x10) == 15 && value == 31);
    LONG64 wide = 1;
    CHECK(InterlockedAdd64(&wide, 1LL << 40) == (1LL << 40) + 1);
    PVOID pointer = NULL;
    CHECK(InterlockedCompareExchangePointer(&pointer, &value, NULL) == NULL && pointer == &value);
}

/* ------------------------------------------------------------------ pool */

static char g_DriverPath[4096];

static void SetDriverPath(void)
{
    const char *dir = getenv("KMDFHOST_DRIVER_DIR");
    snprintf(g_DriverPath, sizeof(g_DriverPath), "%s/ntdriver.so", dir != NULL ? dir : "drivers");
}

static void TestPool(void)
{
    /* From the test program (host code): not charged to any driver. */
    uint64_t before = KmdfHostAllocationCount();
    PUCHAR zeroed = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'tseT');
    PUCHAR raw = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'tseT');
    PUCHAR zero2 = ExAllocatePoolZero(NonPagedPoolNx, 64, 'tseT');
    CHECK(zeroed != NULL && raw != NULL && zero2 != NULL);
    CHECK(((ULONG_PTR)zeroed % MEMORY_ALLOCATION_ALIGNMENT) == 0);
    int allZero = 1;
    for (int i = 0; i < 64; i++) {
        allZero &= zeroed[i] == 0 && zero2[i] == 0;
    }
    CHECK(allZero);
    CHECK(raw[0] == 0xCD && raw[63] == 0xCD);
    CHECK(KmdfHostAllocationCount() == before);
    CHECK(ExAllocatePool2(0, 16, 'tseT') == NULL);

    KmdfHostSetVerifierSink(CaptureSink, NULL);
    ResetReports();
    ExFreePoolWithTag(zeroed, 'gaTX');
    CHECK(ReportCount() == 1 && ReportIs(0, "POOL_TAG_MISMATCH", "has tag 'Test' but is freed with tag 'XTag'"));
    ExFreePoolWithTag(raw, 'tseT');
    ExFreePool(zero2);
    CHECK(ReportCount() == 1);

    /* A driver's leak, from its own code, at unload. */
    KH_DRIVER *driver = NULL;
    SetDriverPath();
    CHECK(KmdfHostSetServiceParameterULong("NtTest", "LeakCount", 2) == STATUS_SUCCESS);
    before = KmdfHostAllocationCount();
    CHECK(KmdfHostLoadDriver(g_DriverPath, "NtTest", &driver) == STATUS_SUCCESS);
    CHECK(KmdfHostAllocationCount() == before + 3);
    void *module = dlopen(g_DriverPath, RTLD_NOW | RTLD_NOLOAD);
    CHECK(module != NULL);
    PVOID (*allocate)(SIZE_T, ULONG) = (PVOID(*)(SIZE_T, ULONG))dlsym(module, "NtDrvAllocate");
    VOID (*release)(PVOID, ULONG) = (VOID(*)(PVOID, ULONG))dlsym(module, "NtDrvFree");
    CHECK(allocate != NULL && release != NULL);

    /* Fault injection: the next allocation point fails once. */
    KmdfHostFailAllocation(0);
    CHECK(allocate(32, 'liaF') == NULL);
    PVOID kept = allocate(32, 'epyT');
    PVOID freed = allocate(40, 'epyT');
    CHECK(kept != NULL && freed != NULL);
    release(freed, 'epyT');
    /* Host code freeing a driver's block is fine; a driver freeing a host block too. */
    PVOID hostBlock = ExAllocatePoolWithTag(PagedPool, 8, 'tsoH');
    release(hostBlock, 'tsoH');
    /* Lookaside entries are pool charged to the caller: one is left out here. */
    VOID (*lookaside)(BOOLEAN) = (VOID(*)(BOOLEAN))dlsym(module, "NtDrvLookaside");
    CHECK(lookaside != NULL);
    lookaside(TRUE);
    dlclose(module);

    ResetReports();
    CHECK(KmdfHostUnloadDriver(driver) == STATUS_SUCCESS);
    CHECK(ReportCount() == 1);
    CHECK(ReportIs(0, "POOL_LEAK", "driver NtTest unloaded with 4 pool block(s), 128 bytes"));
    CHECK(ReportIs(0, "POOL_LEAK", "tag 'Leak' 24 bytes x2, tag 'Type' 32 bytes x1, tag 'Look' 48 bytes x1"));

    /* No leak, no report. */
    CHECK(KmdfHostSetServiceParameterULong("NtTest", "LeakCount", 0) == STATUS_SUCCESS);
    ResetReports();
    CHECK(KmdfHostLoadDriver(g_DriverPath, "NtTest", &driver) == STATUS_SUCCESS);
    CHECK(KmdfHostUnloadDriver(driver) == STATUS_SUCCESS);
    CHECK(ReportCount() == 0);

    /* DriverEntry failing on an injected failure: a clean error, nothing leaked. */
    CHECK(KmdfHostSetServiceParameterULong("NtTest", "LeakCount", 1) == STATUS_SUCCESS);
    KmdfHostFailAllocation(1);
    CHECK(KmdfHostLoadDriver(g_DriverPath, "NtTest", &driver) == STATUS_INSUFFICIENT_RESOURCES);
    CHECK(ReportCount() == 1 && ReportIs(0, "POOL_LEAK", "tag 'Leak' 24 bytes x1"));
    KmdfHostFailAllocation(-1);
    KmdfHostClearServiceParameters("NtTest");

    /* A module the host cannot load names the reason. */
    CHECK(KmdfHostLoadDriver("/nonexistent/driver.so", "Missing", &driver) == STATUS_OBJECT_NAME_NOT_FOUND);
    KmdfHostSetVerifierSink(NULL, NULL);
}

/* ------------------------------------------------------------------ IRQL and spin locks */

static KSPIN_LOCK g_Lock;
static volatile long g_Counter;

static void *SpinWorker(void *Context)
{
    (void)Context;
    for (int i = 0; i < 20000; i++) {
        KIRQL old;
        KeAcquireSpinLock(&g_Lock, &old);
        g_Counter = g_Counter + 1;
        KeReleaseSpinLock(&g_Lock, old);
    }
    return NULL;
}

static void *ReleaseOther(void *Context)
{
    KeReleaseSpinLockFromDpcLevel((PKSPIN_LOCK)Context);
    return NULL;
}

static void TestSpinLocks(void)
{
    KeInitializeSpinLock(&g_Lock);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);
    KIRQL old;
    KeAcquireSpinLock(&g_Lock, &old);
    CHECK(old == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL);
    CHECK(!KeTestSpinLock(&g_Lock));
    KeReleaseSpinLock(&g_Lock, old);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL && KeTestSpinLock(&g_Lock));

    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        pthread_create(&threads[i], NULL, SpinWorker, NULL);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK(g_Counter == 80000);

    KLOCK_QUEUE_HANDLE handle;
    KeAcquireInStackQueuedSpinLock(&g_Lock, &handle);
    CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL);
    KeReleaseInStackQueuedSpinLock(&handle);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);

    KmdfHostSetVerifierSink(CaptureSink, NULL);
    ResetReports();
    KeAcquireSpinLock(&g_Lock, &old);
    KIRQL again;
    KeAcquireSpinLock(&g_Lock, &again); /* a deadlock on Windows: reported, not blocked */
    CHECK(ReportCount() == 1 && ReportIs(0, "SPINLOCK_MISUSE", "acquired again by the thread that holds it"));
    KeReleaseSpinLock(&g_Lock, old);
    KeReleaseSpinLock(&g_Lock, old);
    CHECK(ReportCount() == 2 && ReportIs(1, "SPINLOCK_MISUSE", "released but not held"));

    KeAcquireSpinLock(&g_Lock, &old);
    pthread_t other;
    pthread_create(&other, NULL, ReleaseOther, &g_Lock);
    pthread_join(other, NULL);
    CHECK(ReportCount() == 3 && ReportIs(2, "SPINLOCK_MISUSE", "held by thread"));
    KeReleaseSpinLock(&g_Lock, old);

    /* PAGED_CODE at DISPATCH_LEVEL, and lowering IRQL upward. */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    PAGED_CODE();
    CHECK(ReportCount() == 4 && ReportIs(3, "IRQL_TOO_HIGH_FOR_PAGED_CODE", "nt_test.c"));
    PVOID paged = ExAllocatePoolWithTag(PagedPool, 8, 'egaP');
    CHECK(ReportCount() == 5 && ReportIs(4, "IRQL_TOO_HIGH_FOR_PAGED_POOL", "'Page'"));
    ExFreePool(paged);
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    LARGE_INTEGER timeout = {.QuadPart = -10000};
    CHECK(KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT);
    CHECK(ReportCount() == 6 && ReportIs(5, "IRQL_TOO_HIGH_FOR_WAIT", NULL));
    KeLowerIrql(old);
    KeLowerIrql(DISPATCH_LEVEL);
    CHECK(ReportCount() == 7 && ReportIs(6, "IRQL_MISUSE", "KeLowerIrql to 2"));
    KeLowerIrql(PASSIVE_LEVEL);
    KmdfHostSetVerifierSink(NULL, NULL);
}

/* ------------------------------------------------------------------ events */

typedef struct {
    PKEVENT Event;
    NTSTATUS Status;
} WAITER;

static void *Waiter(void *Context)
{
    WAITER *waiter = Context;
    LARGE_INTEGER timeout = {.QuadPart = -20000000}; /* safety net: 2 s */
    waiter->Status = KeWaitForSingleObject(waiter->Event, Executive, KernelMode, FALSE, &timeout);
    return NULL;
}

static void TestEvents(void)
{
    KEVENT notification;
    KeInitializeEvent(&notification, NotificationEvent, FALSE);
    CHECK(KeReadStateEvent(&notification) == 0);
    WAITER a = {&notification, -1};
    WAITER b = {&notification, -1};
    pthread_t ta;
    pthread_t tb;
    pthread_create(&ta, NULL, Waiter, &a);
    pthread_create(&tb, NULL, Waiter, &b);
    CHECK(KeSetEvent(&notification, IO_NO_INCREMENT, FALSE) == 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.Status == STATUS_SUCCESS && b.Status == STATUS_SUCCESS);
    CHECK(KeReadStateEvent(&notification) == 1);
    CHECK(KeResetEvent(&notification) == 1);
    CHECK(KeReadStateEvent(&notification) == 0);

    /* A synchronization event releases one waiter and resets itself. */
    KEVENT synchronization;
    KeInitializeEvent(&synchronization, SynchronizationEvent, TRUE);
    LARGE_INTEGER zero = {.QuadPart = 0};
    CHECK(KeWaitForSingleObject(&synchronization, Executive, KernelMode, FALSE, &zero) == STATUS_SUCCESS);
    CHECK(KeWaitForSingleObject(&synchronization, Executive, KernelMode, FALSE, &zero) == STATUS_TIMEOUT);
    CHECK(KeReadStateEvent(&synchronization) == 0);

    /* A relative time-out waits at least that long. */
    LARGE_INTEGER start;
    LARGE_INTEGER end;
    KeQuerySystemTime(&start);
    ULONGLONG interruptStart = KeQueryInterruptTime();
    LARGE_INTEGER timeout = {.QuadPart = -200000}; /* 20 ms */
    CHECK(KeWaitForSingleObject(&synchronization, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT);
    KeQuerySystemTime(&end);
    CHECK(KeQueryInterruptTime() - interruptStart >= 200000);
    CHECK(end.QuadPart > start.QuadPart && start.QuadPart > 130000000000000000LL);

    /* 2026-11-26 14:41:49.123 UTC was a Thursday. */
    TIME_FIELDS fields = {2026, 11, 26, 14, 41, 49, 123, 0};
    LARGE_INTEGER when;
    CHECK(RtlTimeFieldsToTime(&fields, &when));
    CHECK(when.QuadPart == 134401248000000000LL + 1230000LL + (14 * 3600LL + 41 * 60 + 49) * 10000000LL);
    TIME_FIELDS back;
    RtlTimeToTimeFields(&when, &back);
    CHECK(back.Year == 2026 && back.Month == 11 && back.Day == 26 && back.Hour == 14 && back.Minute == 41 &&
          back.Second == 49 && back.Milliseconds == 123 && back.Weekday == 4);
    fields.Month = 2;
    fields.Day = 29;
    CHECK(!RtlTimeFieldsToTime(&fields, &when));

    LARGE_INTEGER frequency;
    LARGE_INTEGER counter = KeQueryPerformanceCounter(&frequency);
    CHECK(frequency.QuadPart == 10000000 && counter.QuadPart > 0);

    KSEMAPHORE semaphore;
    KeInitializeSemaphore(&semaphore, 0, 2);
    CHECK(KeReleaseSemaphore(&semaphore, 0, 2, FALSE) == 0);
    CHECK(KeWaitForSingleObject(&semaphore, Executive, KernelMode, FALSE, &zero) == STATUS_SUCCESS);
    CHECK(KeReadStateSemaphore(&semaphore) == 1);

    FAST_MUTEX mutex;
    ExInitializeFastMutex(&mutex);
    ExAcquireFastMutex(&mutex);
    CHECK(KeGetCurrentIrql() == APC_LEVEL);
    CHECK(!ExTryToAcquireFastMutex(&mutex));
    ExReleaseFastMutex(&mutex);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);
}

/* ------------------------------------------------------------------ registry */

static NTSTATUS OpenKey(const WCHAR *Path, HANDLE Root, PHANDLE Handle, BOOLEAN Create)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES attributes;
    RtlInitUnicodeString(&name, Path);
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, Root, NULL);
    if (Create) {
        ULONG disposition;
        return ZwCreateKey(Handle, KEY_ALL_ACCESS, &attributes, 0, NULL, REG_OPTION_NON_VOLATILE, &disposition);
    }
    return ZwOpenKey(Handle, KEY_READ, &attributes);
}

static void TestRegistry(void)
{
    HANDLE parameters;
    HANDLE key;
    CHECK(KmdfHostSetServiceParameterULong("RegTest", "TimerPeriodMs", 25) == STATUS_SUCCESS);
    CHECK(KmdfHostSetServiceParameterULong("RegTest", "NeverRead", 1) == STATUS_SUCCESS);
    /* Set, not yet read: a tool can tell that its setting had no effect (yet). */
    CHECK(KmdfHostServiceParameterWasRead("RegTest", "TimerPeriodMs") == 0);
    CHECK(OpenKey(L"\\REGISTRY\\Machine\\SYSTEM\\CurrentControlSet\\Services\\regtest\\Parameters", NULL, &parameters,
                  FALSE) == STATUS_SUCCESS);

    UNICODE_STRING valueName = RTL_CONSTANT_STRING(L"timerperiodms");
    UCHAR buffer[64];
    ULONG result = 0;
    ULONG fixed = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
    PKEY_VALUE_PARTIAL_INFORMATION partial = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;

    /* The size protocol: too small for the fixed part, then for the data, then enough. */
    memset(buffer, 0xEE, sizeof(buffer));
    CHECK(ZwQueryValueKey(parameters, &valueName, KeyValuePartialInformation, buffer, 0, &result) ==
          STATUS_BUFFER_TOO_SMALL);
    CHECK(result == fixed + sizeof(ULONG));
    CHECK(buffer[0] == 0xEE);
    CHECK(ZwQueryValueKey(parameters, &valueName, KeyValuePartialInformation, buffer, fixed, &result) ==
          STATUS_BUFFER_OVERFLOW);
    CHECK(result == fixed + sizeof(ULONG) && partial->Type == REG_DWORD && partial->DataLength == sizeof(ULONG));
    CHECK(ZwQueryValueKey(parameters, &valueName, KeyValuePartialInformation, buffer, result, &result) ==
          STATUS_SUCCESS);
    ULONG value;
    memcpy(&value, partial->Data, sizeof(value));
    CHECK(value == 25);
    /* Read now (the name compared without regard to case); the other value still not;
       setting a value again makes it unread. */
    CHECK(KmdfHostServiceParameterWasRead("RegTest", "TIMERPERIODMS") == 1);
    CHECK(KmdfHostServiceParameterWasRead("RegTest", "NeverRead") == 0);
    CHECK(KmdfHostServiceParameterWasRead("RegTest", "NoSuchValue") == 0);
    CHECK(KmdfHostServiceParameterWasRead("NoSuchService", "TimerPeriodMs") == 0);
    CHECK(KmdfHostSetServiceParameterULong("RegTest", "TimerPeriodMs", 25) == STATUS_SUCCESS);
    CHECK(KmdfHostServiceParameterWasRead("RegTest", "TimerPeriodMs") == 0);
    CHECK(ZwQueryValueKey(parameters, &valueName, KeyValuePartialInformation, buffer, sizeof(buffer), &result) ==
          STATUS_SUCCESS);

    PKEY_VALUE_FULL_INFORMATION full = (PKEY_VALUE_FULL_INFORMATION)buffer;
    CHECK(ZwQueryValueKey(parameters, &valueName, KeyValueFullInformation, buffer, sizeof(buffer), &result) ==
          STATUS_SUCCESS);
    CHECK(full->NameLength == 26 && full->DataLength == 4 && full->DataOffset >= 20 + 26 &&
          full->DataOffset % 4 == 0 && result == full->DataOffset + 4);
    memcpy(&value, buffer + full->DataOffset, sizeof(value));
    CHECK(value == 25);

    UNICODE_STRING missing = RTL_CONSTANT_STRING(L"Missing");
    CHECK(ZwQueryValueKey(parameters, &missing, KeyValuePartialInformation, buffer, sizeof(buffer), &result) ==
          STATUS_OBJECT_NAME_NOT_FOUND);

    /* ZwCreateKey makes the last component only; a relative open under a root handle. */
    CHECK(OpenKey(L"Sub\\Deeper", parameters, &key, TRUE) == STATUS_OBJECT_PATH_NOT_FOUND);
    CHECK(OpenKey(L"Sub", parameters, &key, TRUE) == STATUS_SUCCESS);
    UNICODE_STRING text = RTL_CONSTANT_STRING(L"Text");
    WCHAR data[] = L"value";
    CHECK(ZwSetValueKey(key, &text, 0, REG_SZ, data, sizeof(data)) == STATUS_SUCCESS);
    CHECK(ZwEnumerateValueKey(key, 0, KeyValueBasicInformation, buffer, sizeof(buffer), &result) == STATUS_SUCCESS);
    CHECK(((PKEY_VALUE_BASIC_INFORMATION)buffer)->Type == REG_SZ);
    CHECK(ZwEnumerateValueKey(key, 1, KeyValueBasicInformation, buffer, sizeof(buffer), &result) ==
          STATUS_NO_MORE_ENTRIES);
    CHECK(ZwDeleteValueKey(key, &text) == STATUS_SUCCESS);
    CHECK(ZwDeleteKey(key) == STATUS_SUCCESS);
    CHECK(ZwSetValueKey(key, &text, 0, REG_SZ, data, sizeof(data)) == STATUS_KEY_DELETED);
    CHECK(ZwClose(key) == STATUS_SUCCESS);
    CHECK(ZwClose(key) == STATUS_INVALID_HANDLE);

    KmdfHostClearServiceParameters("RegTest");
    CHECK(ZwQueryValueKey(parameters, &valueName, KeyValuePartialInformation, buffer, sizeof(buffer), &result) ==
          STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(ZwClose(parameters) == STATUS_SUCCESS);
    CHECK(OpenKey(L"\\Registry\\Machine\\NoSuchKey", NULL, &key, FALSE) == STATUS_OBJECT_NAME_NOT_FOUND);
}

/*
 * Event objects behind handles, as a driver uses them: ZwCreateEvent, KeSetEvent on the
 * KEVENT that ObReferenceObjectByHandle gives, a wait on the handle, and the reference
 * that keeps the event after ZwClose until ObDereferenceObject.
 */
static void TestEventObjects(void)
{
    HANDLE handle = NULL;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    CHECK(ZwCreateEvent(&handle, EVENT_ALL_ACCESS, &attributes, NotificationEvent, FALSE) == STATUS_SUCCESS);
    LARGE_INTEGER zero = {.QuadPart = 0};
    CHECK(ZwWaitForSingleObject(handle, FALSE, &zero) == STATUS_TIMEOUT);
    PVOID object = NULL;
    OBJECT_HANDLE_INFORMATION info;
    CHECK(ObReferenceObjectByHandle(handle, EVENT_MODIFY_STATE, *ExEventObjectType, KernelMode, &object, &info) ==
          STATUS_SUCCESS);
    CHECK(object != NULL && info.GrantedAccess == EVENT_MODIFY_STATE);
    PVOID file = (PVOID)1;
    CHECK(ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, &file, NULL) ==
          STATUS_OBJECT_TYPE_MISMATCH);
    CHECK(file == NULL);
    KeSetEvent(object, IO_NO_INCREMENT, FALSE);
    CHECK(ZwWaitForSingleObject(handle, FALSE, &zero) == STATUS_WAIT_0);
    ObReferenceObject(object);
    ObDereferenceObject(object);
    CHECK(ZwClose(handle) == STATUS_SUCCESS);
    CHECK(ZwClose(handle) == STATUS_INVALID_HANDLE);
    /* The reference keeps the event: still signalled, then freed (ASan would see a leak
       or a use after free). */
    CHECK(KeReadStateEvent(object) == 1);
    ObDereferenceObject(object);
    CHECK(ObReferenceObjectByHandle(handle, 0, NULL, KernelMode, &object, NULL) == STATUS_INVALID_HANDLE);
}

int main(void)
{
    TestFormats();
    TestDbgPrintOutput();
    TestStrings();
    TestListsAndInterlocked();
    TestPool();
    TestSpinLocks();
    TestEvents();
    TestEventObjects();
    TestRegistry();
    printf("%d checks, %d failed\n", g_Checks, g_Failures);
    return g_Failures == 0 ? 0 : 1;
}
