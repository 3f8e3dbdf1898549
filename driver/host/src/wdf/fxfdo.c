/*
 * fxfdo.c - the function and filter device methods of wdffdo.h.
 */
#include "wdf/fxp.h"

/*
 * WdfFdoInitSetFilter: the device is an upper or lower filter. The framework then gives
 * it the I/O type and device type of the device below (WdfDeviceCreate), passes down the
 * requests of a type it has no queue for (fxio.c) and, when it has no
 * EvtDeviceFileCreate, creates, cleanups and closes (fxfileobject.c), instead of failing
 * or completing them as it does for a function driver.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitsetfilter
 */
WDFAPI VOID WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "WdfFdoInitSetFilter called with a NULL PWDFDEVICE_INIT");
        return;
    }
    DeviceInit->Filter = true;
}

/* The PDO a WDFDEVICE_INIT of EvtDriverDeviceAdd is for (NULL for a control device's). */
static PDEVICE_OBJECT FxInitPdo(PWDFDEVICE_INIT DeviceInit, const char *Api)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "%s called with a NULL PWDFDEVICE_INIT", Api);
        return NULL;
    }
    return DeviceInit->Control ? NULL : DeviceInit->Pdo;
}

/*
 * WdfFdoInitQueryProperty, WdfFdoInitAllocAndQueryProperty, WdfFdoInitOpenRegistryKey:
 * what the WdfDevice forms give, from EvtDriverDeviceAdd before the device exists (for
 * example a filter deciding whether to attach); a key's parent is the driver.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitqueryproperty
 */
WDFAPI NTSTATUS WdfFdoInitQueryProperty(PWDFDEVICE_INIT DeviceInit,
                                        DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength,
                                        PVOID PropertyBuffer, PULONG ResultLength)
{
    PDEVICE_OBJECT pdo = FxInitPdo(DeviceInit, "WdfFdoInitQueryProperty");
    if (DeviceInit == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxQueryProperty(DeviceInit->Driver, pdo, DeviceProperty, BufferLength, PropertyBuffer,
                           ResultLength, "WdfFdoInitQueryProperty");
}

WDFAPI NTSTATUS WdfFdoInitAllocAndQueryProperty(PWDFDEVICE_INIT DeviceInit,
                                                DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                                POOL_TYPE PoolType,
                                                PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes,
                                                WDFMEMORY *PropertyMemory)
{
    PDEVICE_OBJECT pdo = FxInitPdo(DeviceInit, "WdfFdoInitAllocAndQueryProperty");
    if (DeviceInit == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxAllocAndQueryProperty(DeviceInit->Driver, pdo, DeviceProperty, PoolType,
                                   PropertyMemoryAttributes, PropertyMemory,
                                   "WdfFdoInitAllocAndQueryProperty");
}

WDFAPI NTSTATUS WdfFdoInitOpenRegistryKey(PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType,
                                          ACCESS_MASK DesiredAccess,
                                          PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    PDEVICE_OBJECT pdo = FxInitPdo(DeviceInit, "WdfFdoInitOpenRegistryKey");
    if (DeviceInit == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    return FxOpenDeviceKey(DeviceInit->Driver, &DeviceInit->Driver->Object, pdo,
                           DeviceInstanceKeyType, DesiredAccess, KeyAttributes, Key,
                           "WdfFdoInitOpenRegistryKey");
}
