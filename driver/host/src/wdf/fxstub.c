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

#include <wdf.h>

#include "fxstub.h"

DRIVER_INITIALIZE DriverEntry;

/*
 * The driver's globals (wdfglobals.h), one per module as the WDK's stub library has
 * them: DriverName is the service name, DriverFlags has no verifier flag set, and
 * Driver is the WDFDRIVER once DriverEntry has returned.
 */
static WDF_DRIVER_GLOBALS FxStubDriverGlobals;
__attribute__((visibility("hidden"))) PWDF_DRIVER_GLOBALS WdfDriverGlobals = &FxStubDriverGlobals;

NTSTATUS FxDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    /* The service name is the registry path's last component. */
    USHORT count = RegistryPath != NULL ? (USHORT)(RegistryPath->Length / sizeof(WCHAR)) : 0;
    USHORT start = count;
    while (start > 0 && RegistryPath->Buffer[start - 1] != L'\\') {
        start--;
    }
    ULONG used = 0;
    for (USHORT i = start; i < count && used + 1 < WDF_DRIVER_GLOBALS_NAME_LEN; i++) {
        WCHAR c = RegistryPath->Buffer[i];
        FxStubDriverGlobals.DriverName[used++] = (CHAR)(c < 0x80 ? c : '?');
    }
    FxStubDriverGlobals.DriverName[used] = 0;

    NTSTATUS status = DriverEntry(DriverObject, RegistryPath);
    if (!NT_SUCCESS(status)) {
        FxStubDriverEntryFailed(DriverObject);
    } else {
        FxStubDriverGlobals.Driver = WdfWdmDriverGetWdfDriverHandle(DriverObject);
    }
    return status;
}
