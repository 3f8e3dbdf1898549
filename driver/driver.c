/*++

Module Name:

    driver.c

Abstract:

    The echo driver's entry point, its AddDevice callback, and the reading of its
    registry settings. The driver is a KMDF driver for a root-enumerated device: the
    framework owns the WDM dispatch routines, the PnP and power state machines and the
    queues; the driver supplies callbacks.

Environment:

    Kernel mode

--*/

#include "driver.h"

#ifdef ALLOC_PRAGMA
#pragma alloc_text (INIT, DriverEntry)
#pragma alloc_text (PAGE, EchoEvtDeviceAdd)
#pragma alloc_text (PAGE, EchoReadTimerPeriod)
#endif

/*++

Routine Description:

    Creates the framework driver object, which registers the framework's dispatch
    routines and EchoEvtDeviceAdd with the I/O manager, then reads the timer period
    once for every device the driver will create. The framework deletes the driver
    object, and with it everything parented to it, when the driver unloads, so no
    unload routine is needed.

Arguments:

    DriverObject - the WDM driver object the I/O manager created for this image.

    RegistryPath - the driver's service key, ...\Services\EchoKmdf.

Return Value:

    STATUS_SUCCESS, or the status of WdfDriverCreate, in which case the driver does not
    stay loaded.

--*/
_Use_decl_annotations_
NTSTATUS
DriverEntry(
    PDRIVER_OBJECT DriverObject,
    PUNICODE_STRING RegistryPath
    )
{
    WDF_DRIVER_CONFIG config;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDFDRIVER driver;
    NTSTATUS status;

    //
    // With POOL_NX_OPTIN (driver.h), this makes NonPagedPool mean no-execute pool on
    // Windows 8 and later; Windows 7 has no NX pool to opt in to (win7compat.h).
    //
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);

    KdPrint(("Echo: DriverEntry, registry path %wZ\n", RegistryPath));

    WDF_DRIVER_CONFIG_INIT(&config, EchoEvtDeviceAdd);
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, DRIVER_CONTEXT);

    status = WdfDriverCreate(DriverObject, RegistryPath, &attributes, &config, &driver);
    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL,
                   "Echo: WdfDriverCreate failed with status 0x%08X\n", status);
        return status;
    }

    EchoGetDriverContext(driver)->TimerPeriodMs = EchoReadTimerPeriod(driver);

#if DBG
    {
        WDFSTRING string;
        UNICODE_STRING version;
        WDF_DRIVER_VERSION_AVAILABLE_PARAMS versionParams;

        //
        // Checked builds say which framework they run on, as the WDK samples do.
        //
        status = WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &string);
        if (NT_SUCCESS(status)) {
            status = WdfDriverRetrieveVersionString(driver, string);
            if (NT_SUCCESS(status)) {
                WdfStringGetUnicodeString(string, &version);
                KdPrint(("Echo: %wZ\n", &version));
            }
            WdfObjectDelete(string);
        }

        WDF_DRIVER_VERSION_AVAILABLE_PARAMS_INIT(&versionParams, KMDF_VERSION_MAJOR, KMDF_VERSION_MINOR);
        KdPrint(("Echo: built for KMDF %u.%u, which is %savailable\n",
                 KMDF_VERSION_MAJOR, KMDF_VERSION_MINOR,
                 WdfDriverIsVersionAvailable(driver, &versionParams) ? "" : "not "));

        //
        // A failure to print does not fail the load.
        //
        status = STATUS_SUCCESS;
    }
#endif

    return status;
}

/*++

Routine Description:

    Called by the framework when the PnP manager reports an echo device: creates the
    device, its interface and its queue. Everything created here is parented to the
    device, so the framework deletes it when the device is removed.

Arguments:

    Driver - the framework driver object.

    DeviceInit - the framework's device initialization structure.

Return Value:

    The status of the device's creation.

--*/
_Use_decl_annotations_
NTSTATUS
EchoEvtDeviceAdd(
    WDFDRIVER Driver,
    PWDFDEVICE_INIT DeviceInit
    )
{
    PAGED_CODE();

    KdPrint(("Echo: EchoEvtDeviceAdd\n"));

    return EchoDeviceCreate(DeviceInit, EchoGetDriverContext(Driver)->TimerPeriodMs);
}

/*++

Routine Description:

    Reads TimerPeriodMs from the driver's Parameters key. A missing key or value gives
    the default quietly; a value that cannot be read or lies outside the bounds is
    reported on the debugger and the default used, so that a bad setting never keeps
    the device from starting.

Arguments:

    Driver - the framework driver object.

Return Value:

    The timer period in milliseconds, within ECHO_TIMER_PERIOD_MIN_MS and
    ECHO_TIMER_PERIOD_MAX_MS.

--*/
_Use_decl_annotations_
ULONG
EchoReadTimerPeriod(
    WDFDRIVER Driver
    )
{
    DECLARE_CONST_UNICODE_STRING(valueName, ECHO_TIMER_PERIOD_VALUE_NAME);
    WDFKEY key;
    ULONG value;
    NTSTATUS status;

    PAGED_CODE();

    status = WdfDriverOpenParametersRegistryKey(Driver, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (!NT_SUCCESS(status)) {
        KdPrint(("Echo: no Parameters key (0x%08X), timer period %u ms\n",
                 status, ECHO_TIMER_PERIOD_DEFAULT_MS));
        return ECHO_TIMER_PERIOD_DEFAULT_MS;
    }

    status = WdfRegistryQueryULong(key, &valueName, &value);
    WdfRegistryClose(key);

    if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
        return ECHO_TIMER_PERIOD_DEFAULT_MS;
    }

    if (!NT_SUCCESS(status)) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL,
                   "Echo: cannot read %wZ (0x%08X), using %u ms\n",
                   &valueName, status, ECHO_TIMER_PERIOD_DEFAULT_MS);
        return ECHO_TIMER_PERIOD_DEFAULT_MS;
    }

    if (value < ECHO_TIMER_PERIOD_MIN_MS || value > ECHO_TIMER_PERIOD_MAX_MS) {
        DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL,
                   "Echo: %wZ = %u is outside %u..%u, using %u ms\n",
                   &valueName, value, ECHO_TIMER_PERIOD_MIN_MS, ECHO_TIMER_PERIOD_MAX_MS,
                   ECHO_TIMER_PERIOD_DEFAULT_MS);
        return ECHO_TIMER_PERIOD_DEFAULT_MS;
    }

    KdPrint(("Echo: timer period %u ms\n", value));
    return value;
}
