/*
 * fxstub.c - the KMDF stub: compiled into every driver module by
 * scripts/build-host-driver, never into libkmdfhost.
 *
 * On Windows a KMDF driver links WdfDriverEntry.lib, whose FxDriverEntry is the image's
 * entry point: it binds the driver to the framework, calls the driver's DriverEntry,
 * and unbinds again when DriverEntry fails. The host's loader likewise calls the
 * module's entry point and knows nothing of the framework; this stub is where the
 * framework joins in. Binding needs nothing more in the host (the framework's DDIs are
 * resolved when the module is loaded), so what remains is the failure path.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/driverentry-for-kmdf-drivers
 */
#include <ntddk.h>

#include "fxstub.h"

DRIVER_INITIALIZE DriverEntry;

NTSTATUS FxDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status = DriverEntry(DriverObject, RegistryPath);
    if (!NT_SUCCESS(status)) {
        FxStubDriverEntryFailed(DriverObject);
    }
    return status;
}
