/*
 * idle_driver.c - a KMDF function driver with an idle power-down policy, for the power
 * policy tests (power_test.c).
 *
 * EvtDriverDeviceAdd assigns S0 idle settings (IdleCannotWakeFromS0, IdleTimeout from the
 * service parameter IdleTimeoutMs, default 100 ms) unless the parameter NotPolicyOwner is
 * 1, in which case it gives up power policy ownership first and records what the power
 * policy DDIs return. It preprocesses reads and IRP_MN_SET_POWER
 * (WdfDeviceInitAssignWdmIrpPreprocessCallback), counting them and handing them back to
 * the framework (WdfDeviceWdmDispatchPreprocessedIrp). With UsePoFx 1 it chooses a system-managed idle time-out and
 * assigns power framework settings (one component with F0, F1, F2), so that PoFx decides
 * when the device idles; its component callbacks are recorded. Reads and writes go to the power-managed default queue, which
 * records any request presented while the device is not in D0. Device controls go to a
 * queue that is not power-managed, so that asking the driver something never wakes the
 * device:
 *   IOCTL_IDLE_STATE         out IDLE_STATE: the driver's record of its power callbacks
 *   IOCTL_IDLE_WAIT          in IDLE_WAIT: completes once D0Entries/D0Exits reach the
 *                            given counts (held in a manual queue until a power callback)
 *   IOCTL_IDLE_STOP          in ULONG WaitForD0; out IDLE_STOP: WdfDeviceStopIdle's status
 *                            and whether the driver was in D0 when it returned
 *   IOCTL_IDLE_RESUME        WdfDeviceResumeIdle
 *   IOCTL_IDLE_STOP_DISPATCH WdfDeviceStopIdle(TRUE) at DISPATCH_LEVEL (a verifier report)
 *   IOCTL_IDLE_ASSIGN        in IDLE_ASSIGN: WdfDeviceAssignS0IdleSettings again; out its status
 *   IOCTL_IDLE_BAD_SETTINGS  out IDLE_BAD: the statuses of invalid idle and wake settings
 */
#include <ntddk.h>
#include <wdf.h>

#include <initguid.h>

#include "idle_ioctl.h"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD IdleDeviceAdd;
EVT_WDF_DEVICE_D0_ENTRY IdleD0Entry;
EVT_WDF_DEVICE_D0_EXIT IdleD0Exit;
static void IdleWakeCallback(WDFDEVICE Device);
static NTSTATUS IdleArmWake(WDFDEVICE Device);
EVT_WDF_IO_QUEUE_IO_READ IdleRead;
EVT_WDF_IO_QUEUE_IO_WRITE IdleWrite;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL IdleDeviceControl;
EVT_WDFDEVICE_WDM_IRP_PREPROCESS IdlePreprocessRead;
EVT_WDFDEVICE_WDM_IRP_PREPROCESS IdlePreprocessPower;
EVT_WDFDEVICE_WDM_POST_PO_FX_REGISTER_DEVICE IdlePostPoFxRegister;
EVT_WDFDEVICE_WDM_PRE_PO_FX_UNREGISTER_DEVICE IdlePrePoFxUnregister;
PO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK IdleActiveCondition;
PO_FX_COMPONENT_IDLE_CONDITION_CALLBACK IdleIdleCondition;
PO_FX_COMPONENT_IDLE_STATE_CALLBACK IdleIdleState;

typedef struct IDLE_CONTEXT {
    WDFSPINLOCK Lock; /* State and the waiters */
    IDLE_STATE State;
    WDFQUEUE Waiters; /* manual, not power-managed: IOCTL_IDLE_WAIT */
    POHANDLE PoHandle;
} IDLE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(IDLE_CONTEXT, IdleGetContext)

static ULONG IdleParameter(WDFDRIVER Driver, PCWSTR Name, ULONG Default)
{
    WDFKEY key;
    ULONG value = Default;
    if (NT_SUCCESS(WdfDriverOpenParametersRegistryKey(Driver, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key))) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, Name);
        if (!NT_SUCCESS(WdfRegistryQueryULong(key, &name, &value))) {
            value = Default;
        }
        WdfRegistryClose(key);
    }
    return value;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, IdleDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

static BOOLEAN g_UsePoFx;

static NTSTATUS IdleAssign(WDFDEVICE Device, ULONG TimeoutMs, WDF_TRI_STATE Enabled)
{
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS settings;
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&settings, IdleCannotWakeFromS0);
    settings.IdleTimeout = TimeoutMs;
    settings.Enabled = Enabled;
    if (g_UsePoFx) {
        settings.IdleTimeoutType = SystemManagedIdleTimeout;
    }
    return WdfDeviceAssignS0IdleSettings(Device, &settings);
}

static NTSTATUS IdleAssignPoFx(WDFDEVICE Device)
{
    PO_FX_COMPONENT_IDLE_STATE states[3];
    RtlZeroMemory(states, sizeof(states));
    states[1].TransitionLatency = 10 * 1000 * 10; /* 10 ms in 100-ns units */
    states[1].ResidencyRequirement = 100 * 1000 * 10;
    states[2].TransitionLatency = 50 * 1000 * 10;
    states[2].ResidencyRequirement = 500 * 1000 * 10;
    PO_FX_COMPONENT component;
    RtlZeroMemory(&component, sizeof(component));
    component.IdleStateCount = 3;
    component.IdleStates = states;
    WDF_POWER_FRAMEWORK_SETTINGS settings;
    WDF_POWER_FRAMEWORK_SETTINGS_INIT(&settings);
    settings.EvtDeviceWdmPostPoFxRegisterDevice = IdlePostPoFxRegister;
    settings.EvtDeviceWdmPrePoFxUnregisterDevice = IdlePrePoFxUnregister;
    settings.Component = &component;
    settings.ComponentActiveConditionCallback = IdleActiveCondition;
    settings.ComponentIdleConditionCallback = IdleIdleCondition;
    settings.ComponentIdleStateCallback = IdleIdleState;
    settings.PoFxDeviceContext = Device;
    return WdfDeviceWdmAssignPowerFrameworkSettings(Device, &settings);
}

NTSTATUS IdleDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    ULONG timeoutMs = IdleParameter(Driver, L"IdleTimeoutMs", 100);
    BOOLEAN notOwner = IdleParameter(Driver, L"NotPolicyOwner", 0) != 0;
    g_UsePoFx = IdleParameter(Driver, L"UsePoFx", 0) != 0;
    if (notOwner) {
        WdfDeviceInitSetPowerPolicyOwnership(DeviceInit, FALSE);
    }
    NTSTATUS status = WdfDeviceInitAssignWdmIrpPreprocessCallback(DeviceInit, IdlePreprocessRead, IRP_MJ_READ, NULL, 0);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    UCHAR minor = IRP_MN_SET_POWER;
    status = WdfDeviceInitAssignWdmIrpPreprocessCallback(DeviceInit, IdlePreprocessPower, IRP_MJ_POWER, &minor, 1);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDeviceD0Entry = IdleD0Entry;
    pnp.EvtDeviceD0Exit = IdleD0Exit;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
    WDF_POWER_POLICY_EVENT_CALLBACKS policy;
    WDF_POWER_POLICY_EVENT_CALLBACKS_INIT(&policy);
    policy.EvtDeviceArmWakeFromS0 = IdleArmWake;
    policy.EvtDeviceDisarmWakeFromS0 = IdleWakeCallback;
    policy.EvtDeviceWakeFromS0Triggered = IdleWakeCallback;
    policy.EvtDeviceArmWakeFromSx = IdleArmWake;
    policy.EvtDeviceDisarmWakeFromSx = IdleWakeCallback;
    policy.EvtDeviceWakeFromSxTriggered = IdleWakeCallback;
    WdfDeviceInitSetPowerPolicyEventCallbacks(DeviceInit, &policy);
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, IDLE_CONTEXT);
    WDFDEVICE device;
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    IDLE_CONTEXT *context = IdleGetContext(device);
    WDF_OBJECT_ATTRIBUTES lockAttributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&lockAttributes);
    lockAttributes.ParentObject = device;
    status = WdfSpinLockCreate(&lockAttributes, &context->Lock);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoRead = IdleRead;
    queueConfig.EvtIoWrite = IdleWrite;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDFQUEUE control;
    WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = IdleDeviceControl;
    queueConfig.PowerManaged = WdfFalse;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &control);
    if (NT_SUCCESS(status)) {
        status = WdfDeviceConfigureRequestDispatching(device, control, WdfRequestTypeDeviceControl);
    }
    if (NT_SUCCESS(status)) {
        WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchManual);
        queueConfig.PowerManaged = WdfFalse;
        status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &context->Waiters);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_IDLE_TEST, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (notOwner) {
        /* Not the power policy owner: the documented statuses, recorded for the test. */
        context->State.AssignStatus = IdleAssign(device, timeoutMs, WdfUseDefault);
        context->State.StopIdleStatus = WdfDeviceStopIdle(device, FALSE);
        return STATUS_SUCCESS;
    }
    context->State.AssignStatus = IdleAssign(device, timeoutMs, WdfUseDefault);
    if (NT_SUCCESS(context->State.AssignStatus) && g_UsePoFx) {
        context->State.AssignStatus = IdleAssignPoFx(device);
    }
    return context->State.AssignStatus;
}

NTSTATUS IdlePostPoFxRegister(WDFDEVICE Device, POHANDLE PoHandle)
{
    IDLE_CONTEXT *context = IdleGetContext(Device);
    context->PoHandle = PoHandle;
    /* Deep states only when they may last: a residency of 200 ms rules out F2. */
    PoFxSetComponentResidency(PoHandle, 0, 200 * 1000 * 10);
    WdfSpinLockAcquire(context->Lock);
    context->State.PoFxRegistered++;
    context->State.ComponentActive = 1;
    WdfSpinLockRelease(context->Lock);
    return STATUS_SUCCESS;
}

VOID IdlePrePoFxUnregister(WDFDEVICE Device, POHANDLE PoHandle)
{
    IDLE_CONTEXT *context = IdleGetContext(Device);
    if (context->PoHandle == PoHandle) {
        context->PoHandle = NULL;
    }
}

/* The component callbacks run at DISPATCH_LEVEL or below; each ends its transition at once. */
VOID IdleActiveCondition(PVOID Context, ULONG Component)
{
    IDLE_CONTEXT *context = IdleGetContext((WDFDEVICE)Context);
    UNREFERENCED_PARAMETER(Component);
    WdfSpinLockAcquire(context->Lock);
    context->State.ActiveConditions++;
    context->State.ComponentActive = 1;
    WdfSpinLockRelease(context->Lock);
}

static void IdleWakeWaiters(IDLE_CONTEXT *Context);

VOID IdleIdleCondition(PVOID Context, ULONG Component)
{
    IDLE_CONTEXT *context = IdleGetContext((WDFDEVICE)Context);
    WdfSpinLockAcquire(context->Lock);
    context->State.IdleConditions++;
    context->State.ComponentActive = 0;
    WdfSpinLockRelease(context->Lock);
    PoFxCompleteIdleCondition(context->PoHandle, Component);
    IdleWakeWaiters(context);
}

VOID IdleIdleState(PVOID Context, ULONG Component, ULONG State)
{
    IDLE_CONTEXT *context = IdleGetContext((WDFDEVICE)Context);
    WdfSpinLockAcquire(context->Lock);
    context->State.FState = State;
    context->State.FStateChanges++;
    WdfSpinLockRelease(context->Lock);
    PoFxCompleteIdleState(context->PoHandle, Component);
}

NTSTATUS IdlePreprocessRead(WDFDEVICE Device, PIRP Irp)
{
    IDLE_CONTEXT *context = IdleGetContext(Device);
    InterlockedIncrement((volatile LONG *)&context->State.ReadsPreprocessed);
    IoSkipCurrentIrpStackLocation(Irp);
    return WdfDeviceWdmDispatchPreprocessedIrp(Device, Irp);
}

NTSTATUS IdlePreprocessPower(WDFDEVICE Device, PIRP Irp)
{
    IDLE_CONTEXT *context = IdleGetContext(Device);
    if (IoGetCurrentIrpStackLocation(Irp)->MinorFunction == IRP_MN_SET_POWER) {
        InterlockedIncrement((volatile LONG *)&context->State.SetPowerPreprocessed);
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return WdfDeviceWdmDispatchPreprocessedIrp(Device, Irp);
}

/* Completes every waiter; each asks again if what it waits for has not happened yet. */
static void IdleWakeWaiters(IDLE_CONTEXT *Context)
{
    WDFREQUEST request;
    WdfSpinLockAcquire(Context->Lock);
    while (NT_SUCCESS(WdfIoQueueRetrieveNextRequest(Context->Waiters, &request))) {
        WdfRequestComplete(request, STATUS_SUCCESS);
    }
    WdfSpinLockRelease(Context->Lock);
}

NTSTATUS IdleD0Entry(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState)
{
    IDLE_CONTEXT *context = IdleGetContext(Device);
    WdfSpinLockAcquire(context->Lock);
    context->State.D0Entries++;
    context->State.LastEntryPrevious = PreviousState;
    context->State.InD0 = 1;
    WdfSpinLockRelease(context->Lock);
    IdleWakeWaiters(context);
    return STATUS_SUCCESS;
}

/* The wake callbacks: a device idling with IdleCannotWakeFromS0 (and no Sx wake
   settings) is never armed for wake, so none of them may run. */
static void IdleWakeCallback(WDFDEVICE Device)
{
    InterlockedIncrement((volatile LONG *)&IdleGetContext(Device)->State.WakeCallbacks);
}
static NTSTATUS IdleArmWake(WDFDEVICE Device)
{
    IdleWakeCallback(Device);
    return STATUS_SUCCESS;
}

NTSTATUS IdleD0Exit(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState)
{
    IDLE_CONTEXT *context = IdleGetContext(Device);
    WdfSpinLockAcquire(context->Lock);
    context->State.D0Exits++;
    context->State.LastExitTarget = TargetState;
    context->State.InD0 = 0;
    WdfSpinLockRelease(context->Lock);
    IdleWakeWaiters(context);
    return STATUS_SUCCESS;
}

/* A request of the power-managed queue: the device must be in D0. */
static void IdleNotePresented(WDFQUEUE Queue)
{
    IDLE_CONTEXT *context = IdleGetContext(WdfIoQueueGetDevice(Queue));
    WdfSpinLockAcquire(context->Lock);
    context->State.Presented++;
    if (!context->State.InD0) {
        context->State.PresentedOutsideD0++;
    }
    if (g_UsePoFx && !context->State.ComponentActive) {
        context->State.PresentedWhileComponentIdle++;
    }
    WdfSpinLockRelease(context->Lock);
}

VOID IdleRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Length);
    IdleNotePresented(Queue);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);
}

VOID IdleWrite(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    IdleNotePresented(Queue);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

static NTSTATUS IdleReply(WDFREQUEST Request, const void *Data, size_t Size)
{
    PVOID out;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, Size, &out, NULL);
    if (NT_SUCCESS(status)) {
        RtlCopyMemory(out, Data, Size);
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Size);
    } else {
        WdfRequestComplete(Request, status);
    }
    return status;
}

static void IdleBadSettings(WDFDEVICE Device, IDLE_BAD *Bad)
{
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS idle;
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCannotWakeFromS0);
    idle.Size = sizeof(idle) - 1;
    Bad->WrongSize = WdfDeviceAssignS0IdleSettings(Device, &idle);
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCannotWakeFromS0);
    idle.DxState = PowerDeviceD0;
    Bad->DxStateD0 = WdfDeviceAssignS0IdleSettings(Device, &idle);
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCanWakeFromS0);
    Bad->CanWakeFromS0 = WdfDeviceAssignS0IdleSettings(Device, &idle);
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCannotWakeFromS0);
    idle.Enabled = (WDF_TRI_STATE)7;
    Bad->BadEnabled = WdfDeviceAssignS0IdleSettings(Device, &idle);
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(&idle, IdleCannotWakeFromS0);
    idle.IdleTimeoutType = SystemManagedIdleTimeout;
    Bad->ChangedTimeoutType = WdfDeviceAssignS0IdleSettings(Device, &idle);
    WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS wake;
    WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(&wake);
    Bad->SxWake = WdfDeviceAssignSxWakeSettings(Device, &wake);
    wake.DxState = PowerDeviceD0;
    Bad->SxWakeD0 = WdfDeviceAssignSxWakeSettings(Device, &wake);
    WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(&wake);
    wake.Enabled = WdfFalse;
    Bad->SxWakeDisabled = WdfDeviceAssignSxWakeSettings(Device, &wake);
}

VOID IdleDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength,
                       ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(OutputBufferLength);
    UNREFERENCED_PARAMETER(InputBufferLength);
    WDFDEVICE device = WdfIoQueueGetDevice(Queue);
    IDLE_CONTEXT *context = IdleGetContext(device);
    PVOID in = NULL;
    NTSTATUS status;
    switch (IoControlCode) {
    case IOCTL_IDLE_STATE: {
        IDLE_STATE state;
        WdfSpinLockAcquire(context->Lock);
        state = context->State;
        WdfSpinLockRelease(context->Lock);
        IdleReply(Request, &state, sizeof(state));
        return;
    }
    case IOCTL_IDLE_WAIT: {
        status = WdfRequestRetrieveInputBuffer(Request, sizeof(IDLE_WAIT), &in, NULL);
        if (!NT_SUCCESS(status)) {
            break;
        }
        IDLE_WAIT want = *(IDLE_WAIT *)in;
        WdfSpinLockAcquire(context->Lock);
        BOOLEAN reached = context->State.D0Entries >= want.D0Entries && context->State.D0Exits >= want.D0Exits &&
                          context->State.IdleConditions >= want.IdleConditions;
        if (!reached) {
            status = WdfRequestForwardToIoQueue(Request, context->Waiters);
        }
        WdfSpinLockRelease(context->Lock);
        if (!reached && NT_SUCCESS(status)) {
            return;
        }
        break;
    }
    case IOCTL_IDLE_STOP: {
        status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), &in, NULL);
        if (!NT_SUCCESS(status)) {
            break;
        }
        IDLE_STOP stop;
        stop.Status = WdfDeviceStopIdle(device, *(ULONG *)in != 0);
        WdfSpinLockAcquire(context->Lock);
        stop.InD0 = context->State.InD0;
        WdfSpinLockRelease(context->Lock);
        IdleReply(Request, &stop, sizeof(stop));
        return;
    }
    case IOCTL_IDLE_RESUME:
        WdfDeviceResumeIdle(device);
        status = STATUS_SUCCESS;
        break;
    case IOCTL_IDLE_STOP_DISPATCH: {
        KIRQL irql;
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        IDLE_STOP stop;
        stop.Status = WdfDeviceStopIdle(device, TRUE);
        KeLowerIrql(irql);
        stop.InD0 = 0;
        IdleReply(Request, &stop, sizeof(stop));
        return;
    }
    case IOCTL_IDLE_ASSIGN: {
        status = WdfRequestRetrieveInputBuffer(Request, sizeof(IDLE_ASSIGN), &in, NULL);
        if (!NT_SUCCESS(status)) {
            break;
        }
        IDLE_ASSIGN *assign = in;
        NTSTATUS result = IdleAssign(device, assign->TimeoutMs, (WDF_TRI_STATE)assign->Enabled);
        IdleReply(Request, &result, sizeof(result));
        return;
    }
    case IOCTL_IDLE_BAD_SETTINGS: {
        IDLE_BAD bad;
        IdleBadSettings(device, &bad);
        IdleReply(Request, &bad, sizeof(bad));
        return;
    }
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    WdfRequestComplete(Request, status);
}
