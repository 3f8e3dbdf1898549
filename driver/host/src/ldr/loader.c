/*
 * loader.c - loads and unloads driver modules, as the I/O manager's driver loader and
 * the service control manager do on Windows.
 *
 * A driver module is a shared object built by scripts/build-host-driver. It is loaded
 * with RTLD_LAZY | RTLD_LOCAL; its kernel and framework functions resolve against
 * libkmdfhost, and those the host does not implement are listed in one line and bound
 * to trampolines that report UNIMPLEMENTED_DDI when called (imports.c). The loader then calls the module's entry
 * point with a new DRIVER_OBJECT and the registry path of its service. The entry point
 * is the ELF header's entry address, as Windows calls the image's AddressOfEntryPoint:
 * for a module that scripts/build-host-driver built, the KMDF stub's FxDriverEntry
 * (src/wdf/fxstub.c), which calls DriverEntry; for a module without one, DriverEntry
 * itself. The loader knows nothing of KMDF. The address range of the module is
 * recorded, which is how pool and other allocations are charged to the driver.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/driverentry-for-kmdf-drivers
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm/cm.h"
#include "ex/ex.h"
#include "ke/ke.h"
#include "ldr/ldr.h"
#include "os/hostos.h"
#include "rtl/rtl.h"

static HOS_MUTEX KhLoaderLock;
static LIST_ENTRY KhDriverList;

__attribute__((constructor)) static void KhLoaderInit(void)
{
    HosMutexInit(&KhLoaderLock);
    InitializeListHead(&KhDriverList);
}

KH_DRIVER *KhFindDriverByAddress(uintptr_t Address)
{
    KH_DRIVER *found = NULL;
    if (Address == 0) {
        return NULL;
    }
    HosMutexLock(&KhLoaderLock);
    for (PLIST_ENTRY e = KhDriverList.Flink; e != &KhDriverList; e = e->Flink) {
        KH_DRIVER *driver = CONTAINING_RECORD(e, KH_DRIVER, Link);
        if (Address >= driver->Start && Address < driver->End) {
            found = driver;
            break;
        }
    }
    HosMutexUnlock(&KhLoaderLock);
    return found;
}

PDRIVER_OBJECT KhDriverObjectFromAddress(const void *Address)
{
    KH_DRIVER *driver = KhFindDriverByAddress((uintptr_t)Address);
    return driver != NULL ? &driver->DriverObject : NULL;
}

KH_DRIVER *KhDriverFromDriverObject(PDRIVER_OBJECT DriverObject)
{
    KH_DRIVER *found = NULL;
    HosMutexLock(&KhLoaderLock);
    for (PLIST_ENTRY e = KhDriverList.Flink; e != &KhDriverList; e = e->Flink) {
        KH_DRIVER *driver = CONTAINING_RECORD(e, KH_DRIVER, Link);
        if (&driver->DriverObject == DriverObject) {
            found = driver;
            break;
        }
    }
    HosMutexUnlock(&KhLoaderLock);
    return found;
}

/* The default dispatch routine, as the I/O manager fills a new driver object's table
   (the root bus driver of src/io uses it too). */
NTSTATUS KhIoInvalidDeviceRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    UCHAR major = IoGetCurrentIrpStackLocation(Irp)->MajorFunction;
    if (major == IRP_MJ_PNP || major == IRP_MJ_POWER) {
        /* A driver that handles no PnP or power IRP leaves them as they were. */
        NTSTATUS status = Irp->IoStatus.Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

const char *KhDescribeCallSite(const void *Address, char *Out, size_t Size)
{
    char service[128] = "";
    char module[512] = "";
    uintptr_t start = 0;
    HosMutexLock(&KhLoaderLock);
    for (PLIST_ENTRY e = KhDriverList.Flink; e != &KhDriverList; e = e->Flink) {
        KH_DRIVER *driver = CONTAINING_RECORD(e, KH_DRIVER, Link);
        if ((uintptr_t)Address >= driver->Start && (uintptr_t)Address < driver->End) {
            snprintf(service, sizeof(service), "%s", driver->ServiceName);
            snprintf(module, sizeof(module), "%s", driver->ModulePath);
            start = driver->Start;
            break;
        }
    }
    HosMutexUnlock(&KhLoaderLock);
    if (service[0] == 0) {
        snprintf(Out, Size, "%p", Address);
        return Out;
    }
    Dl_info info;
    const char *base = strrchr(module, '/') != NULL ? strrchr(module, '/') + 1 : module;
    if (dladdr(Address, &info) != 0 && info.dli_sname != NULL) {
        snprintf(Out, Size, "driver %s (%s+%#lx, in %s)", service, base, (unsigned long)((uintptr_t)Address - start),
                 info.dli_sname);
    } else {
        snprintf(Out, Size, "driver %s (%s+%#lx)", service, base, (unsigned long)((uintptr_t)Address - start));
    }
    return Out;
}

typedef struct _KH_IMAGE_SEARCH {
    const char *Name;  /* the module's link-map name */
    uintptr_t Base;    /* and load address */
    uintptr_t Start;   /* out: the span of its loaded segments */
    uintptr_t End;
    uintptr_t Entry;   /* out: its ELF entry address, 0 when it has none */
} KH_IMAGE_SEARCH;

/* dl_iterate_phdr callback: the span and entry point of the module searched for. */
static int KhFindImage(struct dl_phdr_info *Info, size_t Size, void *Context)
{
    (void)Size;
    KH_IMAGE_SEARCH *search = Context;
    if (Info->dlpi_addr != search->Base || Info->dlpi_name == NULL || strcmp(Info->dlpi_name, search->Name) != 0) {
        return 0;
    }
    uintptr_t low = UINTPTR_MAX;
    uintptr_t high = 0;
    const ElfW(Ehdr) *header = NULL;
    for (int i = 0; i < Info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &Info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) {
            continue;
        }
        uintptr_t start = Info->dlpi_addr + ph->p_vaddr;
        uintptr_t end = start + ph->p_memsz;
        if (start < low) {
            low = start;
        }
        if (end > high) {
            high = end;
        }
        /* The segment that maps the start of the file maps the ELF header. */
        if (ph->p_offset == 0) {
            header = (const ElfW(Ehdr) *)start;
        }
    }
    search->Start = low;
    search->End = high;
    search->Entry = header != NULL && header->e_entry != 0 ? Info->dlpi_addr + header->e_entry : 0;
    return 1;
}

/*
 * dl_iterate_phdr callback, in explore mode: the module's writable data (.data and
 * .bss; not what the dynamic linker makes read-only after relocation) is the driver's
 * memory, which the race detector watches.
 */
static int KhWatchImageData(struct dl_phdr_info *Info, size_t Size, void *Context)
{
    (void)Size;
    KH_IMAGE_SEARCH *search = Context;
    if (Info->dlpi_addr != search->Base || Info->dlpi_name == NULL || strcmp(Info->dlpi_name, search->Name) != 0) {
        return 0;
    }
    uintptr_t relroStart = 0, relroEnd = 0;
    for (int i = 0; i < Info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &Info->dlpi_phdr[i];
        if (ph->p_type == PT_GNU_RELRO) {
            relroStart = Info->dlpi_addr + ph->p_vaddr;
            relroEnd = relroStart + ph->p_memsz;
        }
    }
    const char *base = strrchr(search->Name, '/');
    base = base != NULL ? base + 1 : search->Name;
    for (int i = 0; i < Info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &Info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) == 0) {
            continue;
        }
        uintptr_t start = Info->dlpi_addr + ph->p_vaddr;
        uintptr_t end = start + ph->p_memsz;
        if (relroEnd > start && relroStart < end) {
            if (relroStart > start) {
                HosRaceWatch((const void *)start, relroStart - start, "%s data", base);
            }
            start = relroEnd > start ? relroEnd : start;
        }
        if (end > start) {
            HosRaceWatch((const void *)start, end - start, "%s data", base);
        }
    }
    return 1;
}

static void KhFreeDriver(KH_DRIVER *Driver)
{
    KhFreeHostUnicodeString(&Driver->RegistryPath);
    KhFreeHostUnicodeString(&Driver->DriverExtension.ServiceKeyName);
    KhFreeHostUnicodeString(&Driver->DriverObject.DriverName);
    free(Driver->ServiceName);
    free(Driver->ModulePath);
    free(Driver);
}

/* Says why dlopen failed, naming a kernel or framework function the host lacks. */
static NTSTATUS KhExplainLoadFailure(const char *ModulePath, const char *Error)
{
    const char *undefined = Error != NULL ? strstr(Error, "undefined symbol: ") : NULL;
    if (undefined != NULL && strncmp(undefined + strlen("undefined symbol: "), "DriverEntry", 11) == 0 &&
        strchr(" (,\n", undefined[strlen("undefined symbol: ") + 11]) != NULL) {
        /* The module's entry point (the KMDF stub) calls a DriverEntry it does not have. */
        fprintf(stderr, "kmdfhost: cannot load driver %s: it has no DriverEntry\n", ModulePath);
        return STATUS_DRIVER_ENTRYPOINT_NOT_FOUND;
    }
    if (undefined != NULL) {
        fprintf(stderr, "kmdfhost: cannot load driver %s: it refers to %s, which the host does not implement\n", ModulePath,
                undefined + strlen("undefined symbol: "));
        return STATUS_DRIVER_ENTRYPOINT_NOT_FOUND;
    }
    fprintf(stderr, "kmdfhost: cannot load driver %s: %s\n", ModulePath, Error != NULL ? Error : "unknown error");
    if (Error != NULL && strstr(Error, "No such file") != NULL) {
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    return STATUS_INVALID_IMAGE_FORMAT;
}

static char *KhConcat(const char *A, const char *B)
{
    char *text = malloc(strlen(A) + strlen(B) + 1);
    if (text != NULL) {
        strcpy(text, A);
        strcat(text, B);
    }
    return text;
}

KMDFHOST_API KH_STATUS KmdfHostLoadDriver(const char *ModulePath, const char *ServiceName, KH_DRIVER **Driver)
{
    if (ModulePath == NULL || ServiceName == NULL || ServiceName[0] == 0 || Driver == NULL ||
        strchr(ServiceName, '\\') != NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    /* The host's DPC and worker threads (KmdfHostInitialize). */
    if (!HosStart()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status;
    KH_DRIVER *driver = calloc(1, sizeof(*driver));
    if (driver == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    driver->ServiceName = strdup(ServiceName);
    driver->ModulePath = strdup(ModulePath);
    char *registryPath = KhConcat(KH_SERVICES_KEY, ServiceName);
    char *driverName = KhConcat("\\Driver\\", ServiceName);
    bool ok = driver->ServiceName != NULL && driver->ModulePath != NULL && registryPath != NULL && driverName != NULL &&
              KhHostUnicodeString(registryPath, &driver->RegistryPath) &&
              KhHostUnicodeString(ServiceName, &driver->DriverExtension.ServiceKeyName) &&
              KhHostUnicodeString(driverName, &driver->DriverObject.DriverName);
    free(driverName);
    if (!ok) {
        free(registryPath);
        KhFreeDriver(driver);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* The service key exists once a driver is installed (the INF's AddService). */
    status = KhRegistryCreatePath(registryPath);
    free(registryPath);
    if (!NT_SUCCESS(status)) {
        KhFreeDriver(driver);
        return status;
    }

    dlerror();
    driver->Module = dlopen(ModulePath, RTLD_LAZY | RTLD_LOCAL);
    if (driver->Module == NULL) {
        status = KhExplainLoadFailure(ModulePath, dlerror());
        KhFreeDriver(driver);
        return status;
    }
    status = KhBindUnimplementedImports(driver);
    if (!NT_SUCCESS(status)) {
        dlclose(driver->Module);
        KhFreeDriver(driver);
        return status;
    }
    struct link_map *map = NULL;
    KH_IMAGE_SEARCH search = {NULL, 0, 0, 0, 0};
    if (dlinfo(driver->Module, RTLD_DI_LINKMAP, &map) == 0 && map != NULL) {
        search.Name = map->l_name;
        search.Base = map->l_addr;
        dl_iterate_phdr(KhFindImage, &search);
    }
    /* The image's entry point; a module built without one starts at its DriverEntry. */
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)search.Entry;
    if (entry == NULL) {
        entry = (PDRIVER_INITIALIZE)dlsym(driver->Module, "DriverEntry");
    }
    if (search.Start == 0) {
        fprintf(stderr, "kmdfhost: cannot load driver %s: its mapping is not found\n", ModulePath);
        KhReleaseUnimplementedImports(driver);
        dlclose(driver->Module);
        KhFreeDriver(driver);
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    if (entry == NULL) {
        fprintf(stderr, "kmdfhost: cannot load driver %s: it has no DriverEntry\n", ModulePath);
        KhReleaseUnimplementedImports(driver);
        dlclose(driver->Module);
        KhFreeDriver(driver);
        return STATUS_DRIVER_ENTRYPOINT_NOT_FOUND;
    }
    driver->Start = search.Start;
    driver->End = search.End;
    if (HosRaceOn) {
        dl_iterate_phdr(KhWatchImageData, &search);
    }

    PDRIVER_OBJECT object = &driver->DriverObject;
    object->Type = IO_TYPE_DRIVER;
    object->Size = (CSHORT)sizeof(DRIVER_OBJECT);
    object->DriverStart = (PVOID)driver->Start;
    object->DriverSize = (ULONG)(driver->End - driver->Start);
    object->DriverSection = driver;
    object->DriverExtension = &driver->DriverExtension;
    object->DriverInit = entry;
    driver->DriverExtension.DriverObject = object;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        object->MajorFunction[i] = KhIoInvalidDeviceRequest;
    }
    KhPoolDriverLoaded(driver);

    HosMutexLock(&KhLoaderLock);
    InsertTailList(&KhDriverList, &driver->Link);
    HosMutexUnlock(&KhLoaderLock);

    status = entry(object, &driver->RegistryPath);
    if (!NT_SUCCESS(status)) {
        /* No DriverUnload for a driver that failed to load (a KMDF driver's stub has let
           the framework clean up already). */
        KhPoolDriverUnloaded(driver);
        HosMutexLock(&KhLoaderLock);
        RemoveEntryList(&driver->Link);
        HosMutexUnlock(&KhLoaderLock);
        HosFlushQueues();
        KhReleaseUnimplementedImports(driver);
        if (HosRaceOn) {
            HosRaceUnwatch((const void *)driver->Start, driver->End - driver->Start);
        }
        dlclose(driver->Module);
        KhFreeDriver(driver);
        return status;
    }
    *Driver = driver;
    return status;
}

/*
 * Unloads a driver whose PnP devices are all gone (a device outside any stack, such as a
 * control device, is for the unload routine to delete): its unload routine runs (for a KMDF
 * driver, the framework's, which calls EvtDriverUnload, deletes the framework driver
 * object and reports OBJECT_LEAK), then the pool still charged to the driver is
 * reported (POOL_LEAK) and the module unloaded. A driver without an unload routine
 * cannot be unloaded, as on Windows.
 */
static KH_DEVICE_IN_STACK *volatile KhDeviceInStackHook;

void KhLdrSetDeviceInStackHook(KH_DEVICE_IN_STACK *Hook) { KhDeviceInStackHook = Hook; }

static KH_DRIVER_UNLOAD_CHECK *volatile KhUnloadCheckHook;

void KhLdrSetUnloadCheckHook(KH_DRIVER_UNLOAD_CHECK *Hook) { KhUnloadCheckHook = Hook; }

KMDFHOST_API KH_STATUS KmdfHostUnloadDriver(KH_DRIVER *Driver)
{
    if (Driver == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    /* Closes, work items and DPCs still queued for the driver's devices run first. */
    HosFlushQueues();
    KhFlushDpcs();
    /* A device in a PnP device stack goes with its device's removal; a device outside
       any stack (a non-PnP driver's, or a control device) is the driver's to delete in
       its unload routine. */
    for (PDEVICE_OBJECT device = Driver->DriverObject.DeviceObject; device != NULL; device = device->NextDevice) {
        if (KhDeviceInStackHook == NULL || KhDeviceInStackHook(device)) {
            fprintf(stderr, "kmdfhost: driver %s still has devices in a device stack; remove them before "
                            "unloading it\n",
                    Driver->ServiceName);
            return STATUS_DEVICE_BUSY;
        }
    }
    if (Driver->DriverObject.DriverUnload == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    Driver->DriverObject.Flags |= DRVO_UNLOAD_INVOKED;
    KhKeDriverUnloadBegin(Driver->Start, Driver->End);
    Driver->DriverObject.DriverUnload(&Driver->DriverObject);
    /* What the driver left pending (timers, DPCs, work items, PnP notifications) is
       reported; timers, queued DPCs and notifications are cancelled, so that nothing
       calls into the module once it is gone. */
    KhKeDriverUnloadEnd(Driver->ServiceName);
    KhExDriverUnloadCheck(Driver->ServiceName, Driver->Start, Driver->End);
    if (KhUnloadCheckHook != NULL) {
        KhUnloadCheckHook(Driver->ServiceName, Driver->Start, Driver->End);
    }
    /* Whatever the unload routine queued runs before the code goes away. */
    HosFlushQueues();
    KhFlushDpcs();
    if (Driver->DriverObject.DeviceObject != NULL) {
        /* Windows keeps such a driver loaded (its code still serves the device). */
        fprintf(stderr, "kmdfhost: driver %s did not delete all of its device objects in its unload "
                        "routine; it stays loaded\n",
                Driver->ServiceName);
        return STATUS_DEVICE_BUSY;
    }
    KhPoolDriverUnloaded(Driver);
    HosMutexLock(&KhLoaderLock);
    RemoveEntryList(&Driver->Link);
    HosMutexUnlock(&KhLoaderLock);
    KhReleaseUnimplementedImports(Driver);
    if (HosRaceOn) {
        HosRaceUnwatch((const void *)Driver->Start, Driver->End - Driver->Start);
    }
    dlclose(Driver->Module);
    KhFreeDriver(Driver);
    return STATUS_SUCCESS;
}
