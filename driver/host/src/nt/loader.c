/*
 * loader.c - loads and unloads driver modules, as the I/O manager's driver loader and
 * the service control manager do on Windows.
 *
 * A driver module is a shared object built by scripts/build-host-driver. It is loaded
 * with RTLD_LAZY | RTLD_LOCAL; its kernel and framework functions resolve against
 * libkmdfhost, and those the host does not implement are listed in one line and bound
 * to trampolines that report UNIMPLEMENTED_DDI when called (ldrimports.c). Its DriverEntry is called with a new
 * DRIVER_OBJECT and the registry path of its service. The address range of the module
 * is recorded, which is how pool and other allocations are charged to the driver.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/driverentry-for-kmdf-drivers
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ntp.h"
#include "wdf/khwdf.h"

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

typedef struct _KH_RANGE_SEARCH {
    uintptr_t Address;
    uintptr_t Start;
    uintptr_t End;
} KH_RANGE_SEARCH;

/* dl_iterate_phdr callback: the span of the loaded segments of the object holding Address. */
static int KhFindRange(struct dl_phdr_info *Info, size_t Size, void *Context)
{
    (void)Size;
    KH_RANGE_SEARCH *search = Context;
    uintptr_t low = UINTPTR_MAX;
    uintptr_t high = 0;
    bool contains = false;
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
        if (search->Address >= start && search->Address < end) {
            contains = true;
        }
    }
    if (contains) {
        search->Start = low;
        search->End = high;
        return 1;
    }
    return 0;
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
    NTSTATUS status = KmdfHostInitialize();
    if (!NT_SUCCESS(status)) {
        return status;
    }
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
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)dlsym(driver->Module, "DriverEntry");
    if (entry == NULL) {
        fprintf(stderr, "kmdfhost: cannot load driver %s: it has no DriverEntry\n", ModulePath);
        KhReleaseUnimplementedImports(driver);
        dlclose(driver->Module);
        KhFreeDriver(driver);
        return STATUS_DRIVER_ENTRYPOINT_NOT_FOUND;
    }
    KH_RANGE_SEARCH search = {(uintptr_t)entry, 0, 0};
    dl_iterate_phdr(KhFindRange, &search);
    driver->Start = search.Start;
    driver->End = search.End;

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
        /* No DriverUnload for a driver that failed to load; the framework cleans up. */
        KhWdfDriverEntryFailed(object);
        KhPoolDriverUnloaded(driver);
        HosMutexLock(&KhLoaderLock);
        RemoveEntryList(&driver->Link);
        HosMutexUnlock(&KhLoaderLock);
        HosFlushQueues();
        KhReleaseUnimplementedImports(driver);
        dlclose(driver->Module);
        KhFreeDriver(driver);
        return status;
    }
    *Driver = driver;
    return status;
}

/*
 * Unloads a driver whose devices are all gone: its unload routine runs (for a KMDF
 * driver, the framework's, which calls EvtDriverUnload, deletes the framework driver
 * object and reports OBJECT_LEAK), then the pool still charged to the driver is
 * reported (POOL_LEAK) and the module unloaded. A driver without an unload routine
 * cannot be unloaded, as on Windows.
 */
KMDFHOST_API KH_STATUS KmdfHostUnloadDriver(KH_DRIVER *Driver)
{
    if (Driver == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    /* Closes and work items still queued for the driver's devices run first. */
    HosFlushQueues();
    if (Driver->DriverObject.DeviceObject != NULL) {
        fprintf(stderr, "kmdfhost: driver %s still has device objects; remove its devices before unloading it\n",
                Driver->ServiceName);
        return STATUS_DEVICE_BUSY;
    }
    if (Driver->DriverObject.DriverUnload == NULL) {
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    Driver->DriverObject.Flags |= DRVO_UNLOAD_INVOKED;
    Driver->DriverObject.DriverUnload(&Driver->DriverObject);
    /* Whatever the unload routine queued runs before the code goes away. */
    HosFlushQueues();
    KhPoolDriverUnloaded(Driver);
    HosMutexLock(&KhLoaderLock);
    RemoveEntryList(&Driver->Link);
    HosMutexUnlock(&KhLoaderLock);
    KhReleaseUnimplementedImports(Driver);
    dlclose(Driver->Module);
    KhFreeDriver(Driver);
    return STATUS_SUCCESS;
}
