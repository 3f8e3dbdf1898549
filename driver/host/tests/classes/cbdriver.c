/*
 * cbdriver.c - a WDM driver of our own (no device) for the tests of the power-setting
 * callbacks (PoRegisterPowerSettingCallback) and the boot-start driver callbacks
 * (IoRegisterBootDriverCallback). Its exported functions register and unregister
 * callbacks on the test's behalf; the callbacks record what they are called with.
 */
#include <ntddk.h>

#define EXPORT __attribute__((visibility("default")))

DRIVER_INITIALIZE DriverEntry;

/* What one power-setting callback heard. */
typedef struct _CB_HEARD {
    LONG Calls;
    GUID Setting;
    ULONG Length;
    ULONG Value;  /* the first four bytes */
    PVOID Context;
    KIRQL Irql;
} CB_HEARD;

#define CB_SLOTS 4
static CB_HEARD g_Heard[CB_SLOTS];
static PVOID g_Handle[CB_SLOTS];

static NTSTATUS SettingCallback(LPCGUID SettingGuid, PVOID Value, ULONG ValueLength, PVOID Context)
{
    ULONG_PTR slot = (ULONG_PTR)Context;
    if (slot >= CB_SLOTS) {
        return STATUS_INVALID_PARAMETER;
    }
    CB_HEARD *heard = &g_Heard[slot];
    heard->Setting = *SettingGuid;
    heard->Length = ValueLength;
    heard->Value = 0;
    RtlCopyMemory(&heard->Value, Value, ValueLength < sizeof(ULONG) ? ValueLength : sizeof(ULONG));
    heard->Context = Context;
    heard->Irql = KeGetCurrentIrql();
    InterlockedIncrement(&heard->Calls);
    return STATUS_SUCCESS;
}

/* Registers slot Slot's callback for the setting given as 16 bytes. */
EXPORT NTSTATUS CbRegisterSetting(ULONG Slot, const GUID *Setting)
{
    if (Slot >= CB_SLOTS) {
        return STATUS_INVALID_PARAMETER;
    }
    RtlZeroMemory(&g_Heard[Slot], sizeof(g_Heard[Slot]));
    return PoRegisterPowerSettingCallback(NULL, Setting, SettingCallback, (PVOID)(ULONG_PTR)Slot, &g_Handle[Slot]);
}

EXPORT NTSTATUS CbUnregisterSetting(ULONG Slot)
{
    return Slot < CB_SLOTS ? PoUnregisterPowerSettingCallback(g_Handle[Slot]) : STATUS_INVALID_PARAMETER;
}

/* What slot Slot heard: the number of calls, and the last call's setting, length, value,
   context and IRQL. */
EXPORT LONG CbHeard(ULONG Slot, GUID *Setting, ULONG *Length, ULONG *Value, PVOID *Context, KIRQL *Irql)
{
    if (Slot >= CB_SLOTS) {
        return -1;
    }
    *Setting = g_Heard[Slot].Setting;
    *Length = g_Heard[Slot].Length;
    *Value = g_Heard[Slot].Value;
    *Context = g_Heard[Slot].Context;
    *Irql = g_Heard[Slot].Irql;
    return g_Heard[Slot].Calls;
}

/* Bad calls: a missing callback or GUID. */
EXPORT NTSTATUS CbRegisterWithoutCallback(const GUID *Setting)
{
    PVOID handle = (PVOID)1;
    NTSTATUS status = PoRegisterPowerSettingCallback(NULL, Setting, NULL, NULL, &handle);
    return handle == NULL ? status : STATUS_UNSUCCESSFUL;
}

EXPORT NTSTATUS CbUnregisterNull(void) { return PoUnregisterPowerSettingCallback(NULL); }

/* ------------------------------------------------------------ boot driver callbacks */

static LONG g_BootCalls;
static PVOID g_BootHandle;

static VOID BootCallback(PVOID CallbackContext, BDCB_CALLBACK_TYPE Classification, PVOID Context)
{
    UNREFERENCED_PARAMETER(CallbackContext);
    UNREFERENCED_PARAMETER(Classification);
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&g_BootCalls);
}

/* Registers the boot callback; TRUE when a handle came back. */
EXPORT BOOLEAN CbRegisterBoot(void)
{
    g_BootHandle = IoRegisterBootDriverCallback(BootCallback, &g_BootCalls);
    return g_BootHandle != NULL;
}

EXPORT BOOLEAN CbRegisterBootWithoutCallback(void) { return IoRegisterBootDriverCallback(NULL, NULL) == NULL; }

EXPORT VOID CbUnregisterBoot(void) { IoUnregisterBootDriverCallback(g_BootHandle); }

EXPORT LONG CbBootCalls(void) { return g_BootCalls; }

/* The header checks of wdkheaders.c. */
ULONG WdkHeadersCheckGuids(char *Message, size_t Size);
EXPORT ULONG CbCheckHeaders(char *Message, size_t Size) { return WdkHeadersCheckGuids(Message, Size); }

static VOID CbUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); }

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = CbUnload;
    return STATUS_SUCCESS;
}
