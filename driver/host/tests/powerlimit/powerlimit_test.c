/*
 * powerlimit_test.c - power limit requests on a client device (pldriver.so, whose device
 * exposes GUID_POWER_LIMIT_INTERFACE with two domains):
 *   - PoCreatePowerLimitRequest queries the client's interface (referenced once);
 *   - PoQueryPowerLimitAttributes returns the client's domains (too small a buffer: the
 *     client's STATUS_BUFFER_TOO_SMALL with the count it needs);
 *   - PoSetPowerLimitValue reaches the client's SetPowerLimit, PoQueryPowerLimitValue
 *     reads back what the client holds; a value the client refuses fails;
 *   - PoDeletePowerLimitRequest dereferences the interface; a new request can then be
 *     made.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "khtest.h"

#define STATUS_INVALID_PARAMETER ((KH_STATUS)0xC000000D)

typedef struct {
    uint32_t Type;
    uint32_t DomainId;
    uint32_t MaxValue;
    uint32_t MinValue;
    uint32_t MinTimeParameter;
    uint32_t MaxTimeParameter;
    uint32_t DefaultACValue;
    uint32_t DefaultDCValue;
    uint32_t Flags;
} ATTRIBUTES;

int main(void)
{
    KT_DEVICE dev;
    memset(&dev, 0, sizeof dev);
    KtVerifierCapture();
    KT_CHECK_STATUS(KtLoadDriver(&dev, "pldriver.so", "PlTest"), KT_STATUS_SUCCESS);
    char path[512];
    KT_CHECK(KtDriverPath("pldriver.so", path, sizeof path));
    void *module = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    KT_CHECK(module != NULL);
    if (module == NULL) {
        return KtFinish();
    }
    KH_STATUS (*create)(void **) = (KH_STATUS(*)(void **))dlsym(module, "PlCreate");
    KH_STATUS (*attributes)(void *, uint32_t, ATTRIBUTES *, uint32_t *) =
        (KH_STATUS(*)(void *, uint32_t, ATTRIBUTES *, uint32_t *))dlsym(module, "PlAttributes");
    KH_STATUS (*set)(void *, uint32_t, uint32_t) = (KH_STATUS(*)(void *, uint32_t, uint32_t))dlsym(module, "PlSet");
    KH_STATUS (*query)(void *, uint32_t, uint32_t *) =
        (KH_STATUS(*)(void *, uint32_t, uint32_t *))dlsym(module, "PlQuery");
    void (*destroy)(void *) = (void (*)(void *))dlsym(module, "PlDelete");
    int32_t (*references)(void) = (int32_t(*)(void))dlsym(module, "PlReferences");
    int32_t (*setCalls)(void) = (int32_t(*)(void))dlsym(module, "PlSetCalls");
    uint32_t (*clientValue)(uint32_t) = (uint32_t(*)(uint32_t))dlsym(module, "PlClientValue");
    KT_CHECK(create && attributes && set && query && destroy && references && setCalls && clientValue);
    KT_CHECK_STATUS(KmdfHostAddDevice(dev.Driver, "ROOT\\PLCLIENT\\0000", &dev.Node), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostStartDevice(dev.Node), KT_STATUS_SUCCESS);

    KtSection("PoCreatePowerLimitRequest queries GUID_POWER_LIMIT_INTERFACE");
    void *request = NULL;
    KT_CHECK_STATUS(create(&request), KT_STATUS_SUCCESS);
    KT_CHECK(request != NULL);
    KT_CHECK(references() == 1);

    KtSection("PoQueryPowerLimitAttributes");
    ATTRIBUTES list[4];
    uint32_t count = 0;
    KT_CHECK_STATUS(attributes(request, 1, list, &count), KT_STATUS_BUFFER_TOO_SMALL);
    KT_CHECK(count == 2);
    count = 0;
    KT_CHECK_STATUS(attributes(request, 4, list, &count), KT_STATUS_SUCCESS);
    KT_CHECK(count == 2);
    KT_CHECK(list[0].DomainId == 0 && list[0].MaxValue == 15000 && list[0].MinValue == 1000);
    KT_CHECK(list[1].DomainId == 1 && list[1].MaxValue == 25000 && list[1].DefaultACValue == 12000);
    KT_CHECK_STATUS(attributes(request, 4, NULL, &count), STATUS_INVALID_PARAMETER);

    KtSection("PoSetPowerLimitValue and PoQueryPowerLimitValue");
    KT_CHECK_STATUS(set(request, 1, 8000), KT_STATUS_SUCCESS);
    KT_CHECK(setCalls() == 1 && clientValue(1) == 8000);
    uint32_t value = 0;
    KT_CHECK_STATUS(query(request, 1, &value), KT_STATUS_SUCCESS);
    KT_CHECK(value == 8000);
    KT_CHECK_STATUS(set(request, 5, 8000), STATUS_INVALID_PARAMETER); /* no domain 5: the client refuses */
    KT_CHECK(setCalls() == 1);

    KtSection("PoDeletePowerLimitRequest dereferences the interface");
    destroy(request);
    KT_CHECK(references() == 0);
    KT_CHECK_STATUS(create(&request), KT_STATUS_SUCCESS);
    KT_CHECK(references() == 1);
    destroy(request);
    KT_CHECK(references() == 0);

    KtTeardown(&dev, "after the power limit requests");
    return KtFinish();
}
