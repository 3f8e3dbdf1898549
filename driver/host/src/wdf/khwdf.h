/*
 * khwdf.h - what the rest of the host (the loader in src/nt) calls in the framework.
 *
 * On Windows the KMDF stub linked into every driver wraps DriverEntry: when DriverEntry
 * fails after WdfDriverCreate, the stub deletes the framework driver object, because
 * the I/O manager does not call an unload routine for a driver that failed to load.
 * The host's loader calls DriverEntry itself, so it calls this function instead when
 * DriverEntry returns a failure status. Harmless when the driver never called
 * WdfDriverCreate.
 */
#ifndef KH_WDF_KHWDF_H
#define KH_WDF_KHWDF_H

#include <ntddk.h>

void KhWdfDriverEntryFailed(PDRIVER_OBJECT DriverObject);

#endif /* KH_WDF_KHWDF_H */
