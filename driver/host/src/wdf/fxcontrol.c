/*
 * fxcontrol.c - control devices (wdfcontrol.h): devices outside any PnP device stack, for
 * non-PnP drivers and side channels ("Using Control Device Objects"). WdfDeviceCreate,
 * their deletion and WdfDeviceCreateSymbolicLink are in fxdevice.c.
 */
#include "wdf/fxp.h"

#include <stdlib.h>

/*
 * WdfControlDeviceInitAllocate: a WDFDEVICE_INIT for a control device, one that is in no
 * PnP device stack (a non-PnP driver's device, or a side channel of a PnP driver). The
 * driver names it (WdfDeviceInitAssignName), creates it, and calls
 * WdfControlFinishInitializing. The SDDL string sets the device's security: it is kept
 * and checked by WdfDeviceCreate as for WdfDeviceInitAssignSDDLString (the host makes no
 * access checks on opens).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfcontrol/nf-wdfcontrol-wdfcontroldeviceinitallocate
 */
WDFAPI PWDFDEVICE_INIT WdfControlDeviceInitAllocate(WDFDRIVER Driver, CONST UNICODE_STRING *SDDLString)
{
    FX_DRIVER *driver = (FX_DRIVER *)FxObjectFromHandle(Driver, FxTypeDriver, "WdfControlDeviceInitAllocate");
    if (driver == NULL) {
        return NULL;
    }
    if (SDDLString == NULL) {
        FxReport(driver, "INVALID_HANDLE", "WdfControlDeviceInitAllocate without an SDDL string");
        return NULL;
    }
    if (KhAllocationShouldFail()) {
        return NULL;
    }
    PWDFDEVICE_INIT init = calloc(1, sizeof(*init));
    if (init == NULL) {
        return NULL;
    }
    init->Driver = driver;
    init->Control = true;
    if (!NT_SUCCESS(FxInitCopyString(&init->Sddl, SDDLString))) {
        free(init);
        return NULL;
    }
    init->DeviceType = FILE_DEVICE_UNKNOWN;
    init->IoType = WdfDeviceIoBuffered;
    return init;
}

/* Clears DO_DEVICE_INITIALIZING: the control device may be opened from now on. */
WDFAPI VOID WdfControlFinishInitializing(WDFDEVICE Device)
{
    FX_DEVICE *device = (FX_DEVICE *)FxObjectFromHandle(Device, FxTypeDevice, "WdfControlFinishInitializing");
    if (device == NULL) {
        return;
    }
    if (!device->Control) {
        FxReport(device->Object.Driver, "INVALID_HANDLE",
                 "WdfControlFinishInitializing on WDFDEVICE %p, which is not a control device", (void *)device);
        return;
    }
    device->Fdo->Flags &= ~DO_DEVICE_INITIALIZING;
}

/*
 * WdfControlDeviceInitSetShutdownNotification: EvtDeviceShutdownNotification for a
 * control device, when the system shuts down (WdfDeviceShutdown) or at the last chance
 * (WdfDeviceLastChanceShutdown). The host never shuts the system down, so the
 * notification is kept with the init and never delivered; an unload or device deletion
 * is not a shutdown and does not call it.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfcontrol/nf-wdfcontrol-wdfcontroldeviceinitsetshutdownnotification
 */
WDFAPI VOID WdfControlDeviceInitSetShutdownNotification(PWDFDEVICE_INIT DeviceInit,
                                                        PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION Notification,
                                                        UCHAR Flags)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "WdfControlDeviceInitSetShutdownNotification called with a NULL PWDFDEVICE_INIT");
        return;
    }
    if (!DeviceInit->Control) {
        FxReport(DeviceInit->Driver, "INVALID_HANDLE",
                 "WdfControlDeviceInitSetShutdownNotification on a WDFDEVICE_INIT that is not a control device's");
        return;
    }
    if (Notification == NULL || Flags == 0 || (Flags & ~(UCHAR)(WdfDeviceShutdown | WdfDeviceLastChanceShutdown)) != 0) {
        FxReport(DeviceInit->Driver, "INVALID_HANDLE",
                 "WdfControlDeviceInitSetShutdownNotification with flags 0x%x (WdfDeviceShutdown and/or "
                 "WdfDeviceLastChanceShutdown) and callback %p",
                 (unsigned)Flags, (void *)(uintptr_t)Notification);
        return;
    }
    DeviceInit->ShutdownNotification = Notification;
    DeviceInit->ShutdownFlags = Flags;
}
