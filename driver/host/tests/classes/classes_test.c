/*
 * classes_test.c - the device-class headers and the power-setting and boot-driver
 * callbacks, through cbdriver.so (a WDM driver of our own, see cbdriver.c):
 *   - the headers' GUIDs match their documented strings (sizes, offsets and IOCTL
 *     values are checked when cbdriver.so is built);
 *   - PoRegisterPowerSettingCallback: nothing is heard for a setting with no value; a
 *     value set through KmdfHostSetPowerSetting reaches every callback of that setting,
 *     at PASSIVE_LEVEL with the driver's context, and no other; a late registration
 *     hears the current value at once; an unregistered callback hears nothing more;
 *     bad calls get STATUS_INVALID_PARAMETER; a callback left registered by a driver
 *     that unloads is reported (BUGCHECK) and never called;
 *   - IoRegisterBootDriverCallback: a handle; NULL without a callback; the host starts
 *     no boot-start drivers, so loading another driver calls nothing; a second
 *     unregistration of the same handle is reported (BUGCHECK);
 *   - WdfDeviceAddQueryInterface, through qidriver.so (KMDF): the documented refusals;
 *     IRP_MN_QUERY_INTERFACE gets the framework's copy of the interface, with
 *     InterfaceReference called and EvtDeviceProcessQueryInterfaceRequest run; a buffer
 *     too small or a version too old gets STATUS_INVALID_BUFFER_SIZE; another GUID goes
 *     down the stack untouched (STATUS_NOT_SUPPORTED from the bus).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "khtest.h"

#define STATUS_INVALID_PARAMETER ((KH_STATUS)0xC000000D)

typedef struct {
    uint32_t Data1;
    uint16_t Data2, Data3;
    uint8_t Data4[8];
} TEST_GUID;

static void *g_Module;

static void *Symbol(const char *Name)
{
    void *symbol = dlsym(g_Module, Name);
    KT_CHECKF(symbol != NULL, "cbdriver.so exports %s", Name);
    return symbol;
}

static KH_STATUS (*RegisterSetting)(uint32_t, const TEST_GUID *);
static KH_STATUS (*UnregisterSetting)(uint32_t);
static int32_t (*Heard)(uint32_t, TEST_GUID *, uint32_t *, uint32_t *, void **, uint8_t *);

/* Slot's calls so far; its last call's value and length, and that it came at
   PASSIVE_LEVEL with the slot as context and Setting as the GUID. */
static int32_t Calls(uint32_t Slot, const TEST_GUID *Setting, uint32_t *Value, uint32_t *Length)
{
    TEST_GUID setting;
    void *context;
    uint8_t irql;
    int32_t calls = Heard(Slot, &setting, Length, Value, &context, &irql);
    if (calls > 0) {
        KT_CHECKF(memcmp(&setting, Setting, sizeof setting) == 0, "slot %u heard its own setting", Slot);
        KT_CHECKF(context == (void *)(uintptr_t)Slot, "slot %u got its context back", Slot);
        KT_CHECKF(irql == 0, "slot %u was called at PASSIVE_LEVEL (IRQL %u)", Slot, irql);
    }
    return calls;
}

static void TestPowerSettings(void)
{
    KtSection("power-setting callbacks");
    RegisterSetting = (KH_STATUS(*)(uint32_t, const TEST_GUID *))Symbol("CbRegisterSetting");
    UnregisterSetting = (KH_STATUS(*)(uint32_t))Symbol("CbUnregisterSetting");
    Heard = (int32_t(*)(uint32_t, TEST_GUID *, uint32_t *, uint32_t *, void **, uint8_t *))Symbol("CbHeard");
    KH_STATUS (*withoutCallback)(const TEST_GUID *) = (KH_STATUS(*)(const TEST_GUID *))Symbol("CbRegisterWithoutCallback");
    KH_STATUS (*unregisterNull)(void) = (KH_STATUS(*)(void))Symbol("CbUnregisterNull");
    if (RegisterSetting == NULL || UnregisterSetting == NULL || Heard == NULL || withoutCallback == NULL ||
        unregisterNull == NULL) {
        return;
    }
    const TEST_GUID a = {0x1d1a2b3c, 0x4d5e, 0x4f60, {0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8}};
    const TEST_GUID b = {0x2e2b3c4d, 0x5e6f, 0x4071, {0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09}};
    uint32_t value = 0, length = 0;

    /* A setting nobody set has no current value: registering calls nothing. */
    KT_CHECK_STATUS(RegisterSetting(0, &a), KT_STATUS_SUCCESS);
    KT_CHECK(Calls(0, &a, &value, &length) == 0);

    /* A change reaches the callback before KmdfHostSetPowerSetting returns. */
    uint32_t seven = 7;
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(&a, &seven, sizeof seven), KT_STATUS_SUCCESS);
    KT_CHECK(Calls(0, &a, &value, &length) == 1 && value == 7 && length == 4);

    /* A late registration hears the current value at once. */
    KT_CHECK_STATUS(RegisterSetting(1, &a), KT_STATUS_SUCCESS);
    KT_CHECK(Calls(1, &a, &value, &length) == 1 && value == 7 && length == 4);

    /* Both hear the next change; a callback of another setting hears nothing of it. */
    KT_CHECK_STATUS(RegisterSetting(2, &b), KT_STATUS_SUCCESS);
    uint32_t nine = 9;
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(&a, &nine, sizeof nine), KT_STATUS_SUCCESS);
    KT_CHECK(Calls(0, &a, &value, &length) == 2 && value == 9);
    KT_CHECK(Calls(1, &a, &value, &length) == 2 && value == 9);
    KT_CHECK(Calls(2, &b, &value, &length) == 0);
    uint8_t one = 1;
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(&b, &one, sizeof one), KT_STATUS_SUCCESS);
    KT_CHECK(Calls(2, &b, &value, &length) == 1 && value == 1 && length == 1);
    KT_CHECK(Calls(0, &a, &value, &length) == 2);

    /* Unregistered: no more calls; a second unregistration is refused. */
    KT_CHECK_STATUS(UnregisterSetting(0), KT_STATUS_SUCCESS);
    uint32_t eleven = 11;
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(&a, &eleven, sizeof eleven), KT_STATUS_SUCCESS);
    KT_CHECK(Calls(0, &a, &value, &length) == 2 && value == 9);
    KT_CHECK(Calls(1, &a, &value, &length) == 3 && value == 11);
    KT_CHECK_STATUS(UnregisterSetting(0), STATUS_INVALID_PARAMETER);
    KT_CHECK_STATUS(UnregisterSetting(1), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(UnregisterSetting(2), KT_STATUS_SUCCESS);

    /* Bad calls. */
    KT_CHECK_STATUS(withoutCallback(&a), STATUS_INVALID_PARAMETER);
    KT_CHECK_STATUS(unregisterNull(), STATUS_INVALID_PARAMETER);
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(NULL, &one, 1), STATUS_INVALID_PARAMETER);
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(&a, NULL, 4), STATUS_INVALID_PARAMETER);
}

static void TestBootCallbacks(void)
{
    KtSection("boot-driver callbacks");
    bool (*registerBoot)(void) = (bool (*)(void))Symbol("CbRegisterBoot");
    bool (*withoutCallback)(void) = (bool (*)(void))Symbol("CbRegisterBootWithoutCallback");
    void (*unregisterBoot)(void) = (void (*)(void))Symbol("CbUnregisterBoot");
    int32_t (*bootCalls)(void) = (int32_t(*)(void))Symbol("CbBootCalls");
    if (registerBoot == NULL || withoutCallback == NULL || unregisterBoot == NULL || bootCalls == NULL) {
        return;
    }
    KT_CHECK(registerBoot());
    KT_CHECK(withoutCallback());
    /* A driver the control API loads is no boot-start driver: the callback is not called. */
    KT_DEVICE other;
    if (KT_CHECK_STATUS(KtLoadDriver(&other, "echo-autosync.so", "Echo"), KT_STATUS_SUCCESS)) {
        KtRemoveAndUnload(&other);
    }
    KT_CHECK(bootCalls() == 0);
    unregisterBoot();
    KtVerifierCapture();
    KtVerifierReset();
    unregisterBoot();
    KT_CHECK(KtVerifierCount("BUGCHECK") == 1 && KtVerifierSawText("BUGCHECK", "not a live boot driver callback"));
    KtVerifierReset();
}

/* A driver that unloads with a power-setting callback still registered: the host
   reports it when the setting next changes, and calls nothing. */
static void TestUnloadedCallback(KT_DEVICE *Device)
{
    KtSection("callback left registered at unload");
    const TEST_GUID c = {0x3f3c4d5e, 0x6f70, 0x4182, {0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09, 0x1a}};
    KT_CHECK_STATUS(RegisterSetting(3, &c), KT_STATUS_SUCCESS);
    dlclose(g_Module);
    g_Module = NULL;
    KT_CHECK_STATUS(KmdfHostUnloadDriver(Device->Driver), KT_STATUS_SUCCESS);
    Device->Driver = NULL;
    KtVerifierCapture();
    KtVerifierReset();
    uint32_t two = 2;
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(&c, &two, sizeof two), KT_STATUS_SUCCESS);
    KT_CHECK(KtVerifierCount("BUGCHECK") == 1 &&
             KtVerifierSawText("BUGCHECK", "unloaded without PoUnregisterPowerSettingCallback"));
    /* Dropped: the next change reports nothing more. */
    KT_CHECK_STATUS(KmdfHostSetPowerSetting(&c, &two, sizeof two), KT_STATUS_SUCCESS);
    KT_CHECK(KtVerifierCount(NULL) == 1);
    KtVerifierReset();
}

static void TestQueryInterface(void)
{
    KtSection("WdfDeviceAddQueryInterface");
    KtVerifierCapture();
    KtVerifierReset();
    KT_DEVICE qi;
    if (!KT_CHECK_STATUS(KtLoadDriver(&qi, "qidriver.so", "QiDriver"), KT_STATUS_SUCCESS)) {
        return;
    }
    KT_CHECK_STATUS(KmdfHostAddDevice(qi.Driver, "ROOT\\QITEST\\0000", &qi.Node), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostStartDevice(qi.Node), KT_STATUS_SUCCESS);
    char path[1024];
    KtDriverPath("qidriver.so", path, sizeof path);
    void *module = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    KT_CHECK(module != NULL);
    KH_STATUS (*query)(uint8_t, uint16_t, uint16_t, uint32_t *) =
        module != NULL ? (KH_STATUS(*)(uint8_t, uint16_t, uint16_t, uint32_t *))dlsym(module, "QiQuery") : NULL;
    void (*results)(int32_t[3], KH_STATUS[6]) =
        module != NULL ? (void (*)(int32_t[3], KH_STATUS[6]))dlsym(module, "QiResults") : NULL;
    KT_CHECK(query != NULL && results != NULL);
    if (query != NULL && results != NULL) {
        int32_t counts[3];
        KH_STATUS refused[6];
        results(counts, refused);
        KT_CHECK_STATUS(refused[0], (KH_STATUS)0xC0000004 /* STATUS_INFO_LENGTH_MISMATCH */);
        KT_CHECK_STATUS(refused[1], STATUS_INVALID_PARAMETER); /* no interface, not imported */
        KT_CHECK_STATUS(refused[2], STATUS_INVALID_PARAMETER); /* imported without a callback */
        KT_CHECK_STATUS(refused[3], STATUS_INVALID_PARAMETER); /* to the parent, not a PDO */
        KT_CHECK_STATUS(refused[4], STATUS_INVALID_PARAMETER); /* Size < sizeof(INTERFACE) */
        KT_CHECK_STATUS(refused[5], STATUS_INVALID_PARAMETER); /* no interface type */
        KT_CHECK(KtVerifierCount("ASSERTION_FAILED") == 1 &&
                 KtVerifierSawText("ASSERTION_FAILED", "without a config or an interface type"));
        /* The query: the interface (INTERFACE, 32 bytes, and a pointer), version 2, answers
           through its copy. */
        uint32_t answer = 0;
        KT_CHECK_STATUS(query(0, 40, 2, &answer), KT_STATUS_SUCCESS);
        KT_CHECK(answer == 42);
        results(counts, refused);
        KT_CHECKF(counts[0] == 1 && counts[1] == 1 && counts[2] == 1,
                  "one reference, one dereference, one EvtDeviceProcessQueryInterfaceRequest (%d, %d, %d)",
                  counts[0], counts[1], counts[2]);
        /* Too small a buffer, too old a version. */
        KT_CHECK_STATUS(query(0, 32, 2, &answer), (KH_STATUS)0xC0000206 /* STATUS_INVALID_BUFFER_SIZE */);
        KT_CHECK_STATUS(query(0, 40, 1, &answer), (KH_STATUS)0xC0000206);
        /* Another interface: nobody answers. */
        KT_CHECK_STATUS(query(1, 40, 2, &answer), (KH_STATUS)0xC00000BB /* STATUS_NOT_SUPPORTED */);
        results(counts, refused);
        KT_CHECK(counts[0] == 1 && counts[2] == 1);
    }
    if (module != NULL) {
        dlclose(module);
    }
    KtVerifierReset();
    KtTeardown(&qi, "after the query-interface scenarios");
}

int main(void)
{
    KT_DEVICE device;
    if (!KT_CHECK_STATUS(KtLoadDriver(&device, "cbdriver.so", "CbDriver"), KT_STATUS_SUCCESS)) {
        return KtFinish();
    }
    char path[1024];
    KtDriverPath("cbdriver.so", path, sizeof path);
    g_Module = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    KT_CHECK(g_Module != NULL);
    if (g_Module != NULL) {
        KtSection("header GUIDs");
        unsigned long (*check)(char *, size_t) = (unsigned long (*)(char *, size_t))Symbol("CbCheckHeaders");
        if (check != NULL) {
            char message[256] = "";
            unsigned long failures = check(message, sizeof message);
            KT_CHECKF(failures == 0, "%lu GUID(s) differ, first: %s", failures, message);
        }
        TestPowerSettings();
        TestBootCallbacks();
        TestUnloadedCallback(&device);
    }
    TestQueryInterface();
    KtTeardown(&device, "after the class callbacks");
    return KtFinish();
}
