/*
 * pofx.c - the power management framework (PoFx): devices registered with
 * PoFxRegisterDevice and one state machine per component, as "Component-Level Power
 * Management" and the PoFx routines' pages (learn.microsoft.com, kernel) describe:
 *
 *  - After PoFxRegisterDevice every component is active and in F0, so that the driver
 *    can finish initializing; PoFxActivateComponent before PoFxStartDevicePowerManagement
 *    keeps a component active. PoFxStartDevicePowerManagement switches every component
 *    whose activation count is zero to the idle condition.
 *  - Each component has an activation reference count: PoFxActivateComponent takes one,
 *    PoFxIdleComponent releases one. 0 -> 1 starts the transition to the active
 *    condition (the device's power is required first: DevicePowerRequiredCallback, then
 *    PoFxReportDevicePoweredOn; a component in a low-power Fx state returns to F0 with
 *    ComponentIdleStateCallback(F0) and PoFxCompleteIdleState), which ends with
 *    ComponentActiveConditionCallback. 1 -> 0 starts the transition to the idle
 *    condition: ComponentIdleConditionCallback, which the driver ends with
 *    PoFxCompleteIdleCondition.
 *  - An idle component is put in the deepest Fx state whose transition latency is within
 *    the latency tolerance (PoFxSetComponentLatency) and whose residency requirement is
 *    within the expected residency (PoFxSetComponentResidency): ComponentIdleStateCallback,
 *    ended by PoFxCompleteIdleState.
 *  - Once every component is idle, the device's power is not required:
 *    DevicePowerNotRequiredCallback, ended by PoFxCompleteDevicePowerNotRequired.
 *
 * The callbacks run one at a time on a thread of the registration, never on the caller's
 * thread (as PO_FX_FLAG_ASYNC_ONLY asks; the documentation allows either), so a driver
 * may complete a transition from inside its callback or later from any thread. With
 * PO_FX_FLAG_BLOCKING, PoFxActivateComponent returns once the component is active.
 */
#include <stdlib.h>
#include <string.h>

#include <ntddk.h>

#include "ex/ex.h"
#include "ke/ke.h"
#include "os/hostos.h"

#define PO_MAGIC 0x78466F50u /* "PoFx" */

typedef struct PO_COMPONENT {
    ULONG IdleStateCount;
    PO_FX_COMPONENT_IDLE_STATE *IdleStates;
    ULONG Activations;       /* activation reference count */
    bool Active;             /* in the active condition (the driver was told) */
    ULONG FState;            /* current Fx state */
    bool WaitIdleCondition;  /* ComponentIdleConditionCallback called, not completed */
    bool WaitIdleState;      /* ComponentIdleStateCallback called, not completed */
    ULONG TargetFState;
    ULONGLONG Latency;       /* tolerance, 100-ns units; PO_FX_UNKNOWN_TIME: any */
    ULONGLONG Residency;     /* expected residency; PO_FX_UNKNOWN_TIME: any */
} PO_COMPONENT;

typedef struct PO_DEVICE {
    uint32_t Magic;
    struct PO_DEVICE *Next; /* in PopDevices */
    PO_FX_DEVICE Callbacks; /* Components[] not used: see Components */
    PDEVICE_OBJECT Pdo;
    HOS_MUTEX Lock;
    HOS_COND Changed;
    HOS_THREAD *Thread;
    bool Stop;
    bool Started;          /* PoFxStartDevicePowerManagement */
    bool InCallback;
    bool PowerRequired;    /* the device's power is required (it may be in D0) */
    bool WaitNotRequired;  /* DevicePowerNotRequiredCallback called, not completed */
    bool WaitPoweredOn;    /* DevicePowerRequiredCallback called, not reported */
    ULONG ComponentCount;
    PO_COMPONENT Components[];
} PO_DEVICE;

/* The registered devices: a handle is checked against them, so that a stale one (used
   after PoFxUnregisterDevice) is recognized without reading freed memory. */
static HOS_MUTEX PopDevicesLock;
static PO_DEVICE *PopDevices;

__attribute__((constructor)) static void PopModuleInit(void)
{
    HosMutexInit(&PopDevicesLock);
}

static PO_DEVICE *PopDevice(POHANDLE Handle, const char *Api)
{
    PO_DEVICE *device = NULL;
    HosMutexLock(&PopDevicesLock);
    for (PO_DEVICE *entry = PopDevices; entry != NULL; entry = entry->Next) {
        if (entry == (PO_DEVICE *)Handle && entry->Magic == PO_MAGIC) {
            device = entry;
            break;
        }
    }
    HosMutexUnlock(&PopDevicesLock);
    if (device == NULL) {
        KhVerifierReport("INVALID_HANDLE", "%s called with %p, which is not a POHANDLE of PoFxRegisterDevice", Api,
                         (void *)Handle);
        return NULL;
    }
    return device;
}

static PO_COMPONENT *PopComponent(PO_DEVICE *Device, ULONG Component, const char *Api)
{
    if (Component >= Device->ComponentCount) {
        KhVerifierReport("INVALID_HANDLE", "%s for component %lu of a device registered with %lu component(s)", Api,
                         (unsigned long)Component, (unsigned long)Device->ComponentCount);
        return NULL;
    }
    return &Device->Components[Component];
}

/* The deepest Fx state the component's latency and residency allow (F0 when none). */
static ULONG PopDeepestState(const PO_COMPONENT *Component)
{
    ULONG deepest = 0;
    for (ULONG i = 1; i < Component->IdleStateCount; i++) {
        const PO_FX_COMPONENT_IDLE_STATE *state = &Component->IdleStates[i];
        if ((Component->Latency == PO_FX_UNKNOWN_TIME || state->TransitionLatency <= Component->Latency) &&
            (Component->Residency == PO_FX_UNKNOWN_TIME || state->ResidencyRequirement <= Component->Residency)) {
            deepest = i;
        }
    }
    return deepest;
}

typedef enum PO_CALL {
    PoCallNone,
    PoCallActive,
    PoCallIdle,
    PoCallIdleState,
    PoCallPowerRequired,
    PoCallPowerNotRequired,
} PO_CALL;

/* Under Device->Lock: the next callback the state machine makes, if any. */
static PO_CALL PopNextCall(PO_DEVICE *Device, ULONG *Component, ULONG *State)
{
    if (!Device->Started) {
        return PoCallNone;
    }
    bool anyActive = false;
    bool allIdle = true;
    for (ULONG i = 0; i < Device->ComponentCount; i++) {
        PO_COMPONENT *c = &Device->Components[i];
        anyActive = anyActive || c->Activations > 0;
        if (c->Activations > 0 || c->Active || c->WaitIdleCondition || c->WaitIdleState) {
            allIdle = false;
        }
    }
    if (anyActive && !Device->PowerRequired) {
        if (Device->WaitNotRequired || Device->WaitPoweredOn) {
            return PoCallNone; /* the device's own transition must end first */
        }
        if (Device->Callbacks.DevicePowerRequiredCallback != NULL) {
            Device->WaitPoweredOn = true;
            return PoCallPowerRequired;
        }
        Device->PowerRequired = true;
    }
    for (ULONG i = 0; i < Device->ComponentCount; i++) {
        PO_COMPONENT *c = &Device->Components[i];
        if (c->WaitIdleCondition || c->WaitIdleState) {
            continue;
        }
        if (c->Activations > 0 && !c->Active) {
            if (!Device->PowerRequired) {
                continue;
            }
            if (c->FState != 0) {
                c->WaitIdleState = true;
                c->TargetFState = 0;
                *Component = i;
                *State = 0;
                return PoCallIdleState;
            }
            c->Active = true;
            *Component = i;
            return PoCallActive;
        }
        if (c->Activations == 0 && c->Active) {
            c->WaitIdleCondition = true;
            *Component = i;
            return PoCallIdle;
        }
        if (c->Activations == 0 && !c->Active && Device->PowerRequired) {
            ULONG deepest = PopDeepestState(c);
            if (c->FState != deepest) {
                c->WaitIdleState = true;
                c->TargetFState = deepest;
                *Component = i;
                *State = deepest;
                return PoCallIdleState;
            }
        }
    }
    if (allIdle && Device->PowerRequired && !Device->WaitNotRequired &&
        Device->Callbacks.DevicePowerNotRequiredCallback != NULL) {
        /* Components go to their low-power states before the device's power goes. */
        for (ULONG i = 0; i < Device->ComponentCount; i++) {
            if (Device->Components[i].FState != PopDeepestState(&Device->Components[i])) {
                return PoCallNone;
            }
        }
        Device->WaitNotRequired = true;
        return PoCallPowerNotRequired;
    }
    return PoCallNone;
}

static void PopThread(void *Context)
{
    PO_DEVICE *device = Context;
    PO_FX_DEVICE *cb = &device->Callbacks;
    HosMutexLock(&device->Lock);
    while (!device->Stop) {
        ULONG component = 0;
        ULONG state = 0;
        PO_CALL call = PopNextCall(device, &component, &state);
        if (call == PoCallNone) {
            HosCondWait(&device->Changed, &device->Lock);
            continue;
        }
        device->InCallback = true;
        HosMutexUnlock(&device->Lock);
        switch (call) {
        case PoCallActive:
            if (cb->ComponentActiveConditionCallback != NULL) {
                cb->ComponentActiveConditionCallback(cb->DeviceContext, component);
            }
            break;
        case PoCallIdle:
            if (cb->ComponentIdleConditionCallback != NULL) {
                cb->ComponentIdleConditionCallback(cb->DeviceContext, component);
            } else {
                PoFxCompleteIdleCondition((POHANDLE)device, component);
            }
            break;
        case PoCallIdleState:
            if (cb->ComponentIdleStateCallback != NULL) {
                cb->ComponentIdleStateCallback(cb->DeviceContext, component, state);
            } else {
                PoFxCompleteIdleState((POHANDLE)device, component);
            }
            break;
        case PoCallPowerRequired:
            cb->DevicePowerRequiredCallback(cb->DeviceContext);
            break;
        case PoCallPowerNotRequired:
            cb->DevicePowerNotRequiredCallback(cb->DeviceContext);
            break;
        case PoCallNone:
            break;
        }
        HosMutexLock(&device->Lock);
        device->InCallback = false;
        HosCondBroadcast(&device->Changed);
    }
    HosMutexUnlock(&device->Lock);
}

/*
 * PoFxRegisterDevice: registers the device's components (Version PO_FX_VERSION_V1; each
 * with at least F0). STATUS_INVALID_PARAMETER for a bad version, no component or a
 * component without idle states.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-pofxregisterdevice
 */
NTKERNELAPI NTSTATUS PoFxRegisterDevice(PDEVICE_OBJECT Pdo, PPO_FX_DEVICE Device, POHANDLE *Handle)
{
    if (Handle != NULL) {
        *Handle = NULL;
    }
    if (Pdo == NULL || Device == NULL || Handle == NULL || Device->Version != PO_FX_VERSION_V1 ||
        Device->ComponentCount == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    for (ULONG i = 0; i < Device->ComponentCount; i++) {
        if (Device->Components[i].IdleStateCount == 0 || Device->Components[i].IdleStates == NULL) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PO_DEVICE *device = calloc(1, sizeof(*device) + Device->ComponentCount * sizeof(PO_COMPONENT));
    if (device == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    device->Magic = PO_MAGIC;
    memcpy(&device->Callbacks, Device, offsetof(PO_FX_DEVICE, Components));
    device->Pdo = Pdo;
    device->ComponentCount = Device->ComponentCount;
    device->PowerRequired = true;
    bool ok = true;
    for (ULONG i = 0; i < Device->ComponentCount && ok; i++) {
        PO_COMPONENT *c = &device->Components[i];
        c->IdleStateCount = Device->Components[i].IdleStateCount;
        c->IdleStates = calloc(c->IdleStateCount, sizeof(PO_FX_COMPONENT_IDLE_STATE));
        ok = c->IdleStates != NULL;
        if (ok) {
            memcpy(c->IdleStates, Device->Components[i].IdleStates, c->IdleStateCount * sizeof(*c->IdleStates));
        }
        c->Latency = PO_FX_UNKNOWN_TIME;
        c->Residency = PO_FX_UNKNOWN_TIME;
        /* Active and in F0 until PoFxStartDevicePowerManagement. */
        c->Active = true;
    }
    HosMutexInit(&device->Lock);
    HosCondInit(&device->Changed);
    if (!ok || !HosThreadStart(&device->Thread, "pofx", PopThread, device)) {
        for (ULONG i = 0; i < device->ComponentCount; i++) {
            free(device->Components[i].IdleStates);
        }
        HosCondDestroy(&device->Changed);
        HosMutexDestroy(&device->Lock);
        free(device);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HosMutexLock(&PopDevicesLock);
    device->Next = PopDevices;
    PopDevices = device;
    HosMutexUnlock(&PopDevicesLock);
    *Handle = (POHANDLE)device;
    return STATUS_SUCCESS;
}

/* PoFxStartDevicePowerManagement: components with no activation reference become idle. */
NTKERNELAPI VOID PoFxStartDevicePowerManagement(POHANDLE Handle)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxStartDevicePowerManagement");
    if (device == NULL) {
        return;
    }
    HosMutexLock(&device->Lock);
    device->Started = true;
    HosCondBroadcast(&device->Changed);
    HosMutexUnlock(&device->Lock);
}

/* PoFxUnregisterDevice: no callback runs after it returns (PASSIVE_LEVEL; not from a
   PoFx callback). */
NTKERNELAPI VOID PoFxUnregisterDevice(POHANDLE Handle)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxUnregisterDevice");
    if (device == NULL) {
        return;
    }
    HosMutexLock(&device->Lock);
    device->Stop = true;
    HosCondBroadcast(&device->Changed);
    HosMutexUnlock(&device->Lock);
    HosThreadJoin(device->Thread);
    HosMutexLock(&PopDevicesLock);
    for (PO_DEVICE **link = &PopDevices; *link != NULL; link = &(*link)->Next) {
        if (*link == device) {
            *link = device->Next;
            break;
        }
    }
    device->Magic = 0;
    HosMutexUnlock(&PopDevicesLock);
    for (ULONG i = 0; i < device->ComponentCount; i++) {
        free(device->Components[i].IdleStates);
    }
    HosCondDestroy(&device->Changed);
    HosMutexDestroy(&device->Lock);
    free(device);
}

NTKERNELAPI VOID PoFxActivateComponent(POHANDLE Handle, ULONG Component, ULONG Flags)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxActivateComponent");
    PO_COMPONENT *c = device != NULL ? PopComponent(device, Component, "PoFxActivateComponent") : NULL;
    if (c == NULL) {
        return;
    }
    if ((Flags & PO_FX_FLAG_BLOCKING) && KeGetCurrentIrql() > PASSIVE_LEVEL) {
        KhVerifierReport("IRQL_TOO_HIGH_FOR_WAIT", "PoFxActivateComponent(PO_FX_FLAG_BLOCKING) at IRQL %u",
                         (unsigned)KeGetCurrentIrql());
        Flags &= ~(ULONG)PO_FX_FLAG_BLOCKING;
    }
    HosMutexLock(&device->Lock);
    c->Activations++;
    HosCondBroadcast(&device->Changed);
    if (Flags & PO_FX_FLAG_BLOCKING) {
        /* Returns once ComponentActiveConditionCallback has returned. */
        while (device->Started && !device->Stop && (!c->Active || device->InCallback) && c->Activations > 0) {
            HosCondWait(&device->Changed, &device->Lock);
        }
    }
    HosMutexUnlock(&device->Lock);
}

/* PoFxIdleComponent without a matching PoFxActivateComponent is the verifier's
   POWER_REFERENCE_UNDERFLOW. */
NTKERNELAPI VOID PoFxIdleComponent(POHANDLE Handle, ULONG Component, ULONG Flags)
{
    (void)Flags;
    PO_DEVICE *device = PopDevice(Handle, "PoFxIdleComponent");
    PO_COMPONENT *c = device != NULL ? PopComponent(device, Component, "PoFxIdleComponent") : NULL;
    if (c == NULL) {
        return;
    }
    HosMutexLock(&device->Lock);
    bool underflow = c->Activations == 0;
    if (!underflow) {
        c->Activations--;
        HosCondBroadcast(&device->Changed);
    }
    HosMutexUnlock(&device->Lock);
    if (underflow) {
        KhVerifierReport("POWER_REFERENCE_UNDERFLOW",
                         "PoFxIdleComponent for component %lu without a matching PoFxActivateComponent",
                         (unsigned long)Component);
    }
}

NTKERNELAPI VOID PoFxCompleteIdleCondition(POHANDLE Handle, ULONG Component)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxCompleteIdleCondition");
    PO_COMPONENT *c = device != NULL ? PopComponent(device, Component, "PoFxCompleteIdleCondition") : NULL;
    if (c == NULL) {
        return;
    }
    HosMutexLock(&device->Lock);
    if (c->WaitIdleCondition) {
        c->WaitIdleCondition = false;
        c->Active = false;
        HosCondBroadcast(&device->Changed);
    }
    HosMutexUnlock(&device->Lock);
}

NTKERNELAPI VOID PoFxCompleteIdleState(POHANDLE Handle, ULONG Component)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxCompleteIdleState");
    PO_COMPONENT *c = device != NULL ? PopComponent(device, Component, "PoFxCompleteIdleState") : NULL;
    if (c == NULL) {
        return;
    }
    HosMutexLock(&device->Lock);
    if (c->WaitIdleState) {
        c->WaitIdleState = false;
        c->FState = c->TargetFState;
        HosCondBroadcast(&device->Changed);
    }
    HosMutexUnlock(&device->Lock);
}

NTKERNELAPI VOID PoFxCompleteDevicePowerNotRequired(POHANDLE Handle)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxCompleteDevicePowerNotRequired");
    if (device == NULL) {
        return;
    }
    HosMutexLock(&device->Lock);
    if (device->WaitNotRequired) {
        device->WaitNotRequired = false;
        device->PowerRequired = false;
        HosCondBroadcast(&device->Changed);
    }
    HosMutexUnlock(&device->Lock);
}

/* PoFxReportDevicePoweredOn: the driver's answer to DevicePowerRequiredCallback. */
NTKERNELAPI VOID PoFxReportDevicePoweredOn(POHANDLE Handle)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxReportDevicePoweredOn");
    if (device == NULL) {
        return;
    }
    HosMutexLock(&device->Lock);
    device->WaitPoweredOn = false;
    device->PowerRequired = true;
    HosCondBroadcast(&device->Changed);
    HosMutexUnlock(&device->Lock);
}

NTKERNELAPI VOID PoFxSetComponentLatency(POHANDLE Handle, ULONG Component, ULONGLONG Latency)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxSetComponentLatency");
    PO_COMPONENT *c = device != NULL ? PopComponent(device, Component, "PoFxSetComponentLatency") : NULL;
    if (c != NULL) {
        HosMutexLock(&device->Lock);
        c->Latency = Latency;
        HosCondBroadcast(&device->Changed);
        HosMutexUnlock(&device->Lock);
    }
}

NTKERNELAPI VOID PoFxSetComponentResidency(POHANDLE Handle, ULONG Component, ULONGLONG Residency)
{
    PO_DEVICE *device = PopDevice(Handle, "PoFxSetComponentResidency");
    PO_COMPONENT *c = device != NULL ? PopComponent(device, Component, "PoFxSetComponentResidency") : NULL;
    if (c != NULL) {
        HosMutexLock(&device->Lock);
        c->Residency = Residency;
        HosCondBroadcast(&device->Changed);
        HosMutexUnlock(&device->Lock);
    }
}

/* PoFxSetComponentWake: whether the driver arms the component for wake when it idles; no
   bus of the host signals wake, so it changes no state here. */
NTKERNELAPI VOID PoFxSetComponentWake(POHANDLE Handle, ULONG Component, BOOLEAN WakeHint)
{
    (void)WakeHint;
    PO_DEVICE *device = PopDevice(Handle, "PoFxSetComponentWake");
    if (device != NULL) {
        (void)PopComponent(device, Component, "PoFxSetComponentWake");
    }
}

/* PoFxSetDeviceIdleTimeout: the least time between the last component's idle condition
   and DevicePowerNotRequiredCallback. The host calls it as soon as every component is
   idle and in its deepest allowed state, which this minimum does not forbid. */
NTKERNELAPI VOID PoFxSetDeviceIdleTimeout(POHANDLE Handle, ULONGLONG IdleTimeout)
{
    (void)IdleTimeout;
    (void)PopDevice(Handle, "PoFxSetDeviceIdleTimeout");
}
