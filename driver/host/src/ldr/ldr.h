/*
 * ldr.h - what the driver loader (src/ldr) offers the other host components: the
 * loaded-driver record and the lookups from a code address or a DRIVER_OBJECT to it.
 *
 * The loader knows nothing of KMDF: it maps a driver module, creates its DRIVER_OBJECT
 * and calls the module's entry point. For a KMDF driver that entry point is the KMDF
 * stub linked into the module (src/wdf/fxstub.c, WdfDriverEntry.lib's part), which
 * binds the driver to the framework around its DriverEntry.
 */
#ifndef KH_LDR_H
#define KH_LDR_H

#include <stdint.h>

#include <kmdfhost.h>
#include <ntddk.h>

/* A loaded driver module (the KH_DRIVER of kmdfhost.h). */
struct _KH_DRIVER {
    LIST_ENTRY Link;          /* the loader's driver list, under its lock */
    void *Module;             /* dlopen handle */
    uintptr_t Start;          /* [Start, End): the module's mapped segments */
    uintptr_t End;
    char *ServiceName;
    char *ModulePath;
    DRIVER_OBJECT DriverObject;
    DRIVER_EXTENSION DriverExtension;
    UNICODE_STRING RegistryPath;
    LIST_ENTRY PoolBlocks;    /* live pool blocks charged to the driver, under the pool lock */
};

/*
 * The I/O manager's answer to "is this device object in a PnP device stack?", installed
 * by io (KmdfHostInitialize), as a higher layer hooks a lower one. KmdfHostUnloadDriver
 * refuses to unload a driver with such a device; other devices (a non-PnP driver's, a
 * control device) are the driver's to delete in its unload routine. Without the hook
 * every device object blocks the unload.
 */
typedef BOOLEAN KH_DEVICE_IN_STACK(PDEVICE_OBJECT DeviceObject);
void KhLdrSetDeviceInStackHook(KH_DEVICE_IN_STACK *Hook);

/*
 * Checks of a higher layer for operations a driver left pending when it unloads
 * (PENDING_OPERATIONS_AT_UNLOAD), installed by io (KmdfHostInitialize): called with the
 * module's range once the unload routine has returned, it reports and ends what it
 * finds of the driver's (PnP notifications still registered). The loader itself asks
 * ke (timers and DPCs) and ex (work items).
 */
typedef void KH_DRIVER_UNLOAD_CHECK(const char *DriverName, uintptr_t Start, uintptr_t End);
void KhLdrSetUnloadCheckHook(KH_DRIVER_UNLOAD_CHECK *Hook);

/* The loaded driver whose module contains Address, or NULL (host code, or no driver). */
KH_DRIVER *KhFindDriverByAddress(uintptr_t Address);
KH_DRIVER *KhDriverFromDriverObject(PDRIVER_OBJECT DriverObject);

/*
 * The default dispatch routine of a new driver object: STATUS_INVALID_DEVICE_REQUEST
 * (PnP and power IRPs are completed as they are).
 */
DRIVER_DISPATCH KhIoInvalidDeviceRequest;

/*
 * The DRIVER_OBJECT of the loaded driver module whose code or data contains Address,
 * or NULL (host code, or no driver there). A component may use it, with
 * __builtin_return_address(0), to attribute work to the calling driver.
 */
PDRIVER_OBJECT KhDriverObjectFromAddress(const void *Address);

/*
 * Describes a code address for a verifier report: "driver NAME (MODULE+0xOFFSET,
 * in FUNCTION)" for an address inside a loaded driver module, otherwise the address.
 * Writes at most Size bytes (NUL included) to Out and returns Out.
 */
const char *KhDescribeCallSite(const void *Address, char *Out, size_t Size);

/*
 * Imports (imports.c): binds each function the module imports and nothing in the
 * process defines to a trampoline that reports UNIMPLEMENTED_DDI when called, and lists
 * them in one line; the bindings are released when the driver is unloaded.
 */
NTSTATUS KhBindUnimplementedImports(KH_DRIVER *Driver);
void KhReleaseUnimplementedImports(KH_DRIVER *Driver);

#endif /* KH_LDR_H */
