/*
 * posetting.c - power-setting callbacks (PoRegisterPowerSettingCallback,
 * PoUnregisterPowerSettingCallback) and the host's power settings, which the control
 * API changes (KmdfHostSetPowerSetting), as a power plan change does on Windows.
 *
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-poregisterpowersettingcallback:
 * the power manager calls the callback when the setting changes, with its new value,
 * and also at once when the driver registers, with the current value, whether or not it
 * changed. The host keeps a value per setting GUID once one is set; a setting nobody has
 * set has no current value, so registering for it calls nothing until it is set. Every
 * call is made at PASSIVE_LEVEL on the thread that registers or sets, with a copy of the
 * value current when the call is made (so the last call a driver hears carries the
 * latest value). PoUnregisterPowerSettingCallback returns once no call of that callback
 * runs any more (unless the callback itself unregisters).
 *
 * A callback that a driver leaves registered when it unloads would be called into
 * unloaded code; the host reports it (BUGCHECK, as Windows stops with
 * DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS) and drops the registration.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "io/iop.h"

typedef struct _KH_PO_SETTING_CALLBACK {
    LIST_ENTRY Link; /* KhPoCallbacks, under KhPoLock */
    GUID Setting;
    PPOWER_SETTING_CALLBACK Callback;
    PVOID Context;
    KH_DRIVER *Driver;      /* the driver whose code the callback is, or NULL */
    LONG References;        /* the list's, plus one per call being made */
    LONG Running;           /* calls being made */
    uint64_t RunningThread; /* the thread of the one call being made, else 0 */
    bool Unregistered;
} KH_PO_SETTING_CALLBACK;

typedef struct _KH_PO_SETTING_VALUE {
    LIST_ENTRY Link; /* KhPoValues, under KhPoLock */
    GUID Setting;
    ULONG Length;
    UCHAR Value[];
} KH_PO_SETTING_VALUE;

static LIST_ENTRY KhPoCallbacks = {&KhPoCallbacks, &KhPoCallbacks};
static LIST_ENTRY KhPoValues = {&KhPoValues, &KhPoValues};
static HOS_MUTEX KhPoLock;
static HOS_COND KhPoCond; /* broadcast when a call ends */

__attribute__((constructor)) static void KhPoSettingInit(void)
{
    HosMutexInit(&KhPoLock);
    HosCondInit(&KhPoCond);
}

static KH_PO_SETTING_VALUE *KhPoFindValueLocked(const GUID *Setting)
{
    for (PLIST_ENTRY e = KhPoValues.Flink; e != &KhPoValues; e = e->Flink) {
        KH_PO_SETTING_VALUE *value = CONTAINING_RECORD(e, KH_PO_SETTING_VALUE, Link);
        if (IsEqualGUID(&value->Setting, Setting)) {
            return value;
        }
    }
    return NULL;
}

static void KhPoDereferenceLocked(KH_PO_SETTING_CALLBACK *Registration)
{
    if (--Registration->References == 0) {
        free(Registration);
    }
}

/* Under KhPoLock, with a reference on Registration: calls it with the setting's current
   value, if there is one and it is still registered. Returns with the lock held. */
static void KhPoCallLocked(KH_PO_SETTING_CALLBACK *Registration)
{
    if (Registration->Unregistered) {
        return;
    }
    if (Registration->Driver != NULL &&
        KhFindDriverByAddress((uintptr_t)Registration->Callback) != Registration->Driver) {
        Registration->Unregistered = true;
        RemoveEntryList(&Registration->Link);
        InitializeListHead(&Registration->Link);
        KhPoDereferenceLocked(Registration);
        KhVerifierReport("BUGCHECK",
                         "power setting callback %p belongs to a driver that unloaded without "
                         "PoUnregisterPowerSettingCallback",
                         (void *)Registration->Callback);
        return;
    }
    KH_PO_SETTING_VALUE *current = KhPoFindValueLocked(&Registration->Setting);
    if (current == NULL) {
        return;
    }
    ULONG length = current->Length;
    UCHAR *copy = malloc(length == 0 ? 1 : length);
    if (copy == NULL) {
        KhVerifierReport("BUGCHECK", "no memory to deliver a power setting to callback %p",
                         (void *)Registration->Callback);
        return;
    }
    memcpy(copy, current->Value, length);
    GUID setting = Registration->Setting;
    Registration->Running++;
    Registration->RunningThread = HosCurrentThreadId();
    HosMutexUnlock(&KhPoLock);
    (void)Registration->Callback(&setting, copy, length, Registration->Context);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        KhVerifierReport("IRQL_MISUSE", "power setting callback %p returned at IRQL %u",
                         (void *)Registration->Callback, (unsigned)KeGetCurrentIrql());
        KeLowerIrql(PASSIVE_LEVEL);
    }
    free(copy);
    HosMutexLock(&KhPoLock);
    Registration->Running--;
    Registration->RunningThread = 0;
    HosCondBroadcast(&KhPoCond);
}

NTKERNELAPI NTSTATUS NTAPI PoRegisterPowerSettingCallback(PDEVICE_OBJECT DeviceObject, LPCGUID SettingGuid,
                                                          PPOWER_SETTING_CALLBACK Callback, PVOID Context,
                                                          PVOID *Handle)
{
    UNREFERENCED_PARAMETER(DeviceObject); /* for debugging only, as on Windows */
    if (Handle != NULL) {
        *Handle = NULL;
    }
    if (SettingGuid == NULL || Callback == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    KH_PO_SETTING_CALLBACK *registration = calloc(1, sizeof(*registration));
    if (registration == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    registration->Setting = *SettingGuid;
    registration->Callback = Callback;
    registration->Context = Context;
    registration->Driver = KhFindDriverByAddress((uintptr_t)Callback);
    registration->References = 2; /* the list's and this call's */
    HosMutexLock(&KhPoLock);
    InsertTailList(&KhPoCallbacks, &registration->Link);
    if (Handle != NULL) {
        *Handle = registration;
    }
    /* The current value at once. */
    KhPoCallLocked(registration);
    KhPoDereferenceLocked(registration);
    HosMutexUnlock(&KhPoLock);
    return STATUS_SUCCESS;
}

NTKERNELAPI NTSTATUS NTAPI PoUnregisterPowerSettingCallback(PVOID Handle)
{
    if (Handle == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&KhPoLock);
    KH_PO_SETTING_CALLBACK *registration = NULL;
    for (PLIST_ENTRY e = KhPoCallbacks.Flink; e != &KhPoCallbacks; e = e->Flink) {
        if (CONTAINING_RECORD(e, KH_PO_SETTING_CALLBACK, Link) == Handle) {
            registration = Handle;
            break;
        }
    }
    if (registration == NULL || registration->Unregistered) {
        HosMutexUnlock(&KhPoLock);
        return STATUS_INVALID_PARAMETER;
    }
    registration->Unregistered = true;
    while (registration->Running != 0 && registration->RunningThread != HosCurrentThreadId()) {
        HosCondWait(&KhPoCond, &KhPoLock);
    }
    RemoveEntryList(&registration->Link);
    InitializeListHead(&registration->Link);
    KhPoDereferenceLocked(registration);
    HosMutexUnlock(&KhPoLock);
    return STATUS_SUCCESS;
}

KMDFHOST_API KH_STATUS KmdfHostSetPowerSetting(const void *SettingGuid, const void *Value, uint32_t ValueLength)
{
    if (SettingGuid == NULL || (Value == NULL && ValueLength != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    KH_PO_SETTING_VALUE *value = malloc(sizeof(*value) + ValueLength);
    if (value == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(&value->Setting, SettingGuid, sizeof(GUID));
    value->Length = ValueLength;
    if (ValueLength != 0) {
        memcpy(value->Value, Value, ValueLength);
    }
    HosMutexLock(&KhPoLock);
    KH_PO_SETTING_VALUE *old = KhPoFindValueLocked(&value->Setting);
    if (old != NULL) {
        RemoveEntryList(&old->Link);
        free(old);
    }
    InsertTailList(&KhPoValues, &value->Link);
    /* Every registration for the setting, each held by a reference while it is called. */
    size_t count = 0;
    for (PLIST_ENTRY e = KhPoCallbacks.Flink; e != &KhPoCallbacks; e = e->Flink) {
        count++;
    }
    KH_PO_SETTING_CALLBACK **targets = calloc(count + 1, sizeof(*targets));
    if (targets == NULL) {
        HosMutexUnlock(&KhPoLock);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    size_t n = 0;
    for (PLIST_ENTRY e = KhPoCallbacks.Flink; e != &KhPoCallbacks; e = e->Flink) {
        KH_PO_SETTING_CALLBACK *registration = CONTAINING_RECORD(e, KH_PO_SETTING_CALLBACK, Link);
        if (IsEqualGUID(&registration->Setting, &value->Setting)) {
            registration->References++;
            targets[n++] = registration;
        }
    }
    for (size_t i = 0; i < n; i++) {
        KhPoCallLocked(targets[i]);
        KhPoDereferenceLocked(targets[i]);
    }
    HosMutexUnlock(&KhPoLock);
    free(targets);
    return STATUS_SUCCESS;
}
