/*
 * ntp.h - declarations shared by the NT half of the host (src/nt, src/io,
 * src/verifier) and nobody else: the loaded-driver record, the per-thread kernel state,
 * UTF conversions and the pieces the loader, pool, I/O and PnP managers share.
 */
#ifndef KH_NTP_H
#define KH_NTP_H

#include <stdbool.h>
#include <stdint.h>

#include "nt/khnt.h"
#include "os/hostos.h"

/* ------------------------------------------------------------------ threads */

/* The kernel's view of a host thread (what KeGetCurrentThread points to). */
typedef struct _KH_THREAD {
    KIRQL Irql;
    bool IrqlKnown;      /* Irql is valid (set on first use from the thread's role) */
    ULONG SpinLocksHeld; /* KSPIN_LOCKs held, for KhSpinLocksHeldByCurrentThread */
    LONG CriticalRegion; /* KeEnterCriticalRegion depth */
} KH_THREAD;

KH_THREAD *KhCurrentThread(void);

/* The host's single dispatcher lock and condition: every dispatcher object waits on it. */
extern HOS_MUTEX KhDispatcherLock;
extern HOS_COND KhDispatcherCond;

/* ------------------------------------------------------------------ drivers */

/* A loaded driver module (the KH_DRIVER of kmdfhost.h). */
struct _KH_DRIVER {
    LIST_ENTRY Link;          /* KhDriverList, under KhLoaderLock */
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

/* The loaded driver whose module contains Address, or NULL. */
KH_DRIVER *KhFindDriverByAddress(uintptr_t Address);
KH_DRIVER *KhDriverFromDriverObject(PDRIVER_OBJECT DriverObject);

/*
 * Imports (ldrimports.c): binds each function the module imports and nothing in the
 * process defines to a trampoline that reports UNIMPLEMENTED_DDI when called, and lists
 * them in one line; the bindings are released when the driver is unloaded.
 */
NTSTATUS KhBindUnimplementedImports(KH_DRIVER *Driver);
void KhReleaseUnimplementedImports(KH_DRIVER *Driver);

/* Pool (pool.c). */
void KhPoolDriverLoaded(KH_DRIVER *Driver);
/* Reports POOL_LEAK for the driver's live blocks and frees them. */
void KhPoolDriverUnloaded(KH_DRIVER *Driver);
/* Allocates pool charged to the driver that owns CallerAddress (internal entry point). */
PVOID KhAllocatePool(POOL_TYPE PoolType, POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, BOOLEAN Zero,
                     const void *CallerAddress);

/* ------------------------------------------------------------------ strings */

/* UTF-16 (Units code units) to UTF-8 into Out (Size bytes, NUL-terminated when Size > 0);
   returns the full UTF-8 length. Unpaired surrogates become U+FFFD. */
size_t KhUtf16ToUtf8(const WCHAR *Text, size_t Units, char *Out, size_t Size);
/* UTF-8 (Length bytes) to UTF-16 into Out (Size units); returns the full length in units. */
size_t KhUtf8ToUtf16(const char *Text, size_t Length, WCHAR *Out, size_t Size);
/* Builds a UNICODE_STRING from UTF-8 in host memory (free with KhFreeHostUnicodeString). */
bool KhHostUnicodeString(const char *Text, PUNICODE_STRING String);
void KhFreeHostUnicodeString(PUNICODE_STRING String);
/* A UNICODE_STRING as a malloc'ed UTF-8 C string (NULL when out of memory). */
char *KhUnicodeStringToUtf8(PCUNICODE_STRING String);
/* Case-insensitive comparison of two UTF-8 strings for ASCII letters. */
int KhStrCaseCmp(const char *A, const char *B);

/* The registry path of a service: \Registry\Machine\System\CurrentControlSet\Services\<name>. */
#define KH_SERVICES_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"

/* Registry (registry.c): creates every missing key of a UTF-8 path; opens a path. */
NTSTATUS KhRegistryCreatePath(const char *Path);
NTSTATUS KhRegistryOpenPath(const char *Path, bool Create, PHANDLE Handle);

/* ------------------------------------------------------------------ I/O */

/* The default dispatch routine of a new driver object: STATUS_INVALID_DEVICE_REQUEST. */
DRIVER_DISPATCH KhIoInvalidDeviceRequest;
/* Deletes the devices still on the driver object (report by the caller). */
void KhIoDriverUnloaded(KH_DRIVER *Driver);

#endif /* KH_NTP_H */
