/*
 * fxstub.h - the contract between the KMDF stub that scripts/build-host-driver links
 * into every driver module (fxstub.c, what WdfDriverEntry.lib is on Windows) and the
 * framework in libkmdfhost (fxdriver.c). The stub is compiled with a driver's flags, so
 * this header uses ntddk.h types only.
 */
#ifndef KH_WDF_FXSTUB_H
#define KH_WDF_FXSTUB_H

#include <ntddk.h>

/*
 * The module's entry point (the ELF entry address, set with -Wl,-e,FxDriverEntry as the
 * WDK sets a KMDF driver's image entry point to FxDriverEntry): calls the driver's
 * DriverEntry and, when it fails, lets the framework clean up.
 */
DRIVER_INITIALIZE FxDriverEntry;

/*
 * DriverEntry failed: the framework deletes what the driver created before it failed
 * (its WDFDRIVER and the children), without EvtDriverUnload, because the I/O manager
 * calls no unload routine for a driver that failed to load. Nothing happens for a
 * driver that never called WdfDriverCreate. Exported by libkmdfhost.
 */
__attribute__((visibility("default"))) VOID FxStubDriverEntryFailed(PDRIVER_OBJECT DriverObject);

#endif /* KH_WDF_FXSTUB_H */
