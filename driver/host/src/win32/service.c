/*
 * service.c - the service control manager (advapi32 and services.exe on Windows) for
 * kernel-mode driver services: OpenSCManager, CreateService, OpenService, StartService,
 * ControlService, QueryServiceStatus, DeleteService, CloseServiceHandle.
 *
 * On Windows the database lives in services.exe and the registry, and StartService on a
 * SERVICE_KERNEL_DRIVER service has the I/O manager load the image named by the
 * service's binary path and call its DriverEntry with the service's registry key; a
 * non-PnP driver's life cycle is exactly that service's: started by StartService,
 * unloaded (its unload routine called) by SERVICE_CONTROL_STOP. The host's whole system
 * is the program's process, so the database is here, in memory, for the process's
 * lifetime, and a start loads the module through the host's loader (KmdfHostLoadDriver,
 * the service name giving the registry path \Registry\Machine\System\
 * CurrentControlSet\Services\NAME). When the process ends, the services still running
 * are stopped after the program's handles are closed, as at a shutdown, so the verifier
 * sees every driver's unload and its leaks.
 *
 * The binary path: "\??\" is dropped, "\" separates components as "/" does, and a
 * relative path is taken from the current directory (Windows takes it from
 * %SystemRoot%, which the host does not have). A module built by
 * scripts/build-host-driver is an ELF shared object whatever its name, so FILE.sys may be
 * that module; when FILE.sys is not an ELF file (a real Windows image), the module
 * FILE.so next to it is loaded instead, and without one the start fails with
 * ERROR_BAD_EXE_FORMAT (STATUS_INVALID_IMAGE_FORMAT on Windows).
 *
 * Errors, as the function pages document them: ERROR_INVALID_HANDLE (a handle that is
 * not one of ours, or a manager handle where a service handle is needed),
 * ERROR_INVALID_NAME, ERROR_SERVICE_EXISTS, ERROR_DUPLICATE_SERVICE_NAME (the display
 * name of another service), ERROR_SERVICE_DOES_NOT_EXIST, ERROR_SERVICE_ALREADY_RUNNING,
 * ERROR_SERVICE_DISABLED, ERROR_SERVICE_NOT_ACTIVE, ERROR_SERVICE_MARKED_FOR_DELETE (a
 * service deleted but still open or running: it goes away when it is stopped and its
 * last handle is closed), ERROR_INVALID_SERVICE_CONTROL, ERROR_DATABASE_DOES_NOT_EXIST;
 * a DriverEntry that fails gives its NTSTATUS as a Win32 error. Access rights are not
 * enforced (the host has no security). Win32 services (their own processes) and remote
 * machines are not implemented (ERROR_CALL_NOT_IMPLEMENTED, ERROR_INVALID_PARAMETER).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define WIN32_NO_STATUS
#include <windows.h>
#undef WIN32_NO_STATUS

#include "os/hostos.h"
#include "win32/win32p.h"

#define KH_SC_MANAGER_MAGIC 0x4D435348u /* "HSCM" */
#define KH_SC_SERVICE_MAGIC 0x56535348u /* "HSSV" */
#define KH_SC_MAX_NAME 256

typedef struct KH_SERVICE {
    struct KH_SERVICE *Next;
    char *Name;
    char *DisplayName;
    char *BinaryPath;
    DWORD Type;
    DWORD StartType;
    DWORD ErrorControl;
    DWORD State;
    DWORD ExitCode;
    bool MarkedForDelete;
    unsigned Handles;
    unsigned long StartOrder;
    KH_DRIVER *Driver;
    char *Module; /* the module loaded for the running service */
} KH_SERVICE;

typedef struct KH_SC_HANDLE {
    uint32_t Magic;
    KH_SERVICE *Service; /* NULL for a manager handle */
} KH_SC_HANDLE;

static HOS_MUTEX ScLock; /* the database; held across a driver's load and unload */
static KH_SERVICE *Services;
static unsigned long StartCounter;
static bool ExitHandlerRegistered;

__attribute__((constructor)) static void KhW32ServiceInit(void)
{
    HosMutexInit(&ScLock);
}

static SC_HANDLE NewHandle(uint32_t Magic, KH_SERVICE *Service)
{
    KH_SC_HANDLE *handle = calloc(1, sizeof(*handle));
    if (handle == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    handle->Magic = Magic;
    handle->Service = Service;
    if (Service != NULL) {
        Service->Handles++;
    }
    return (SC_HANDLE)handle;
}

/* The handle as a manager (Service false) or service handle; under ScLock. */
static KH_SC_HANDLE *GetHandle(SC_HANDLE Handle, bool Service)
{
    KH_SC_HANDLE *handle = (KH_SC_HANDLE *)Handle;
    if (handle == NULL || handle->Magic != (Service ? KH_SC_SERVICE_MAGIC : KH_SC_MANAGER_MAGIC)) {
        return NULL;
    }
    return handle;
}

static KH_SERVICE *FindService(const char *Name)
{
    for (KH_SERVICE *service = Services; service != NULL; service = service->Next) {
        if (strcasecmp(service->Name, Name) == 0) {
            return service;
        }
    }
    return NULL;
}

static void FreeService(KH_SERVICE *Service)
{
    free(Service->Name);
    free(Service->DisplayName);
    free(Service->BinaryPath);
    free(Service->Module);
    free(Service);
}

/* A service marked for deletion goes when it is stopped and has no handle. */
static void MaybeRemove(KH_SERVICE *Service)
{
    if (!Service->MarkedForDelete || Service->Handles != 0 || Service->State != SERVICE_STOPPED) {
        return;
    }
    for (KH_SERVICE **link = &Services; *link != NULL; link = &(*link)->Next) {
        if (*link == Service) {
            *link = Service->Next;
            FreeService(Service);
            return;
        }
    }
}

/* A service name: 1 to 256 characters, no "/" or "\" (CreateService). */
static bool ValidName(const char *Name)
{
    return Name != NULL && Name[0] != '\0' && strlen(Name) <= KH_SC_MAX_NAME && strpbrk(Name, "/\\") == NULL;
}

/* --------------------------------------------------------------- the manager */

static SC_HANDLE OpenManager(const char *Machine, const char *Database)
{
    if (Machine != NULL && Machine[0] != '\0') {
        KhW32SetLastError(ERROR_INVALID_PARAMETER); /* no remote machines */
        return NULL;
    }
    if (Database != NULL && strcasecmp(Database, "ServicesActive") != 0) {
        KhW32SetLastError(ERROR_DATABASE_DOES_NOT_EXIST);
        return NULL;
    }
    return NewHandle(KH_SC_MANAGER_MAGIC, NULL);
}

static SC_HANDLE CreateServiceUtf8(SC_HANDLE Manager, const char *Name, const char *DisplayName, DWORD Type,
                                   DWORD StartType, DWORD ErrorControl, const char *BinaryPath)
{
    HosMutexLock(&ScLock);
    SC_HANDLE result = NULL;
    DWORD error = ERROR_SUCCESS;
    KH_SERVICE *existing;
    if (GetHandle(Manager, false) == NULL) {
        error = ERROR_INVALID_HANDLE;
    } else if (!ValidName(Name) || (DisplayName != NULL && strlen(DisplayName) > KH_SC_MAX_NAME)) {
        error = ERROR_INVALID_NAME;
    } else if ((Type & ~(DWORD)SERVICE_INTERACTIVE_PROCESS) != SERVICE_KERNEL_DRIVER &&
               (Type & ~(DWORD)SERVICE_INTERACTIVE_PROCESS) != SERVICE_FILE_SYSTEM_DRIVER &&
               (Type & ~(DWORD)SERVICE_INTERACTIVE_PROCESS) != SERVICE_WIN32_OWN_PROCESS &&
               (Type & ~(DWORD)SERVICE_INTERACTIVE_PROCESS) != SERVICE_WIN32_SHARE_PROCESS) {
        error = ERROR_INVALID_PARAMETER;
    } else if (!(Type & SERVICE_DRIVER)) {
        error = ERROR_CALL_NOT_IMPLEMENTED; /* Win32 services would be processes of their own */
    } else if (StartType > SERVICE_DISABLED || ErrorControl > SERVICE_ERROR_CRITICAL || BinaryPath == NULL ||
               BinaryPath[0] == '\0') {
        error = ERROR_INVALID_PARAMETER;
    } else if ((existing = FindService(Name)) != NULL) {
        error = existing->MarkedForDelete ? ERROR_SERVICE_MARKED_FOR_DELETE : ERROR_SERVICE_EXISTS;
    } else {
        const char *display = DisplayName != NULL && DisplayName[0] != '\0' ? DisplayName : Name;
        for (KH_SERVICE *other = Services; other != NULL; other = other->Next) {
            if (strcasecmp(other->DisplayName, display) == 0 || strcasecmp(other->Name, display) == 0) {
                error = ERROR_DUPLICATE_SERVICE_NAME;
            }
        }
        if (error == ERROR_SUCCESS) {
            KH_SERVICE *service = calloc(1, sizeof(*service));
            if (service != NULL) {
                service->Name = strdup(Name);
                service->DisplayName = strdup(display);
                service->BinaryPath = strdup(BinaryPath);
            }
            if (service == NULL || service->Name == NULL || service->DisplayName == NULL ||
                service->BinaryPath == NULL) {
                if (service != NULL) {
                    FreeService(service);
                }
                error = ERROR_NOT_ENOUGH_MEMORY;
            } else {
                service->Type = Type;
                service->StartType = StartType;
                service->ErrorControl = ErrorControl;
                service->State = SERVICE_STOPPED;
                service->Next = Services;
                Services = service;
                result = NewHandle(KH_SC_SERVICE_MAGIC, service);
                if (result == NULL) {
                    error = ERROR_NOT_ENOUGH_MEMORY;
                }
            }
        }
    }
    HosMutexUnlock(&ScLock);
    if (result == NULL) {
        KhW32SetLastError(error);
    }
    return result;
}

static SC_HANDLE OpenServiceUtf8(SC_HANDLE Manager, const char *Name)
{
    HosMutexLock(&ScLock);
    SC_HANDLE result = NULL;
    DWORD error = ERROR_SUCCESS;
    KH_SERVICE *service = NULL;
    if (GetHandle(Manager, false) == NULL) {
        error = ERROR_INVALID_HANDLE;
    } else if (!ValidName(Name)) {
        error = ERROR_INVALID_NAME;
    } else if ((service = FindService(Name)) == NULL) {
        error = ERROR_SERVICE_DOES_NOT_EXIST;
    } else if ((result = NewHandle(KH_SC_SERVICE_MAGIC, service)) == NULL) {
        error = ERROR_NOT_ENOUGH_MEMORY;
    }
    HosMutexUnlock(&ScLock);
    if (result == NULL) {
        KhW32SetLastError(error);
    }
    return result;
}

/* ---------------------------------------------------------- start and stop */

static bool IsElf(const char *Path)
{
    FILE *file = fopen(Path, "rb");
    unsigned char magic[4] = {0};
    bool elf = file != NULL && fread(magic, 1, 4, file) == 4 && memcmp(magic, "\177ELF", 4) == 0;
    if (file != NULL) {
        fclose(file);
    }
    return elf;
}

/* The module a binary path names (malloc'd), or NULL with *Error. */
static char *ResolveModule(const char *BinaryPath, DWORD *Error)
{
    const char *path = BinaryPath;
    if (strncmp(path, "\\??\\", 4) == 0) {
        path += 4;
    }
    char cwd[PATH_MAX];
    bool relative = path[0] != '/' && path[0] != '\\';
    if (relative && getcwd(cwd, sizeof(cwd)) == NULL) {
        *Error = ERROR_PATH_NOT_FOUND;
        return NULL;
    }
    size_t size = strlen(path) + (relative ? strlen(cwd) + 1 : 0) + 4;
    char *module = malloc(size);
    if (module == NULL) {
        *Error = ERROR_NOT_ENOUGH_MEMORY;
        return NULL;
    }
    snprintf(module, size, "%s%s%s", relative ? cwd : "", relative ? "/" : "", path);
    for (char *c = module; *c != '\0'; c++) {
        if (*c == '\\') {
            *c = '/';
        }
    }
    struct stat st;
    if (stat(module, &st) != 0 || !S_ISREG(st.st_mode)) {
        free(module);
        *Error = ERROR_FILE_NOT_FOUND;
        return NULL;
    }
    if (IsElf(module)) {
        return module;
    }
    /* A Windows image: the module of the same base name next to it. */
    char *dot = strrchr(module, '.');
    char *slash = strrchr(module, '/');
    if (dot == NULL || (slash != NULL && dot < slash)) {
        dot = module + strlen(module);
    }
    strcpy(dot, ".so");
    if (stat(module, &st) == 0 && S_ISREG(st.st_mode) && IsElf(module)) {
        return module;
    }
    free(module);
    *Error = ERROR_BAD_EXE_FORMAT;
    return NULL;
}

/* Stops a running service: its driver's unload routine, then the leak checks. Under ScLock. */
static DWORD StopLocked(KH_SERVICE *Service)
{
    KH_STATUS status = KmdfHostUnloadDriver(Service->Driver);
    if (!NT_SUCCESS(status)) {
        return RtlNtStatusToDosError(status);
    }
    Service->Driver = NULL;
    free(Service->Module);
    Service->Module = NULL;
    Service->State = SERVICE_STOPPED;
    return ERROR_SUCCESS;
}

/* At the end of the process: the program's handles first (cleanup and close reach the
   drivers), then every running service, the last started first. */
void KhW32StopAllServices(void)
{
    KmdfHostCloseProcessHandles();
    HosMutexLock(&ScLock);
    for (;;) {
        KH_SERVICE *last = NULL;
        for (KH_SERVICE *service = Services; service != NULL; service = service->Next) {
            if (service->State == SERVICE_RUNNING && (last == NULL || service->StartOrder > last->StartOrder)) {
                last = service;
            }
        }
        if (last == NULL) {
            break;
        }
        DWORD error = StopLocked(last);
        if (error != ERROR_SUCCESS) {
            fprintf(stderr, "kmdfhost: stopping the service %s at the end of the process failed: error %u\n",
                    last->Name, (unsigned)error);
            last->State = SERVICE_STOPPED; /* not again */
        }
    }
    HosMutexUnlock(&ScLock);
}

static void StopAllAtExit(void) { KhW32StopAllServices(); }

static BOOL StartServiceCommon(SC_HANDLE Handle)
{
    HosMutexLock(&ScLock);
    DWORD error = ERROR_SUCCESS;
    KH_SC_HANDLE *handle = GetHandle(Handle, true);
    KH_SERVICE *service = handle != NULL ? handle->Service : NULL;
    char *module = NULL;
    if (service == NULL) {
        error = ERROR_INVALID_HANDLE;
    } else if (service->MarkedForDelete) {
        error = ERROR_SERVICE_MARKED_FOR_DELETE;
    } else if (service->State != SERVICE_STOPPED) {
        error = ERROR_SERVICE_ALREADY_RUNNING;
    } else if (service->StartType == SERVICE_DISABLED) {
        error = ERROR_SERVICE_DISABLED;
    } else if ((module = ResolveModule(service->BinaryPath, &error)) != NULL) {
        for (KH_SERVICE *other = Services; other != NULL; other = other->Next) {
            if (other->Module != NULL && strcmp(other->Module, module) == 0) {
                /* STATUS_IMAGE_ALREADY_LOADED: one image, one running service. */
                error = ERROR_SERVICE_ALREADY_RUNNING;
            }
        }
        KH_STATUS status = STATUS_SUCCESS;
        if (error == ERROR_SUCCESS) {
            status = KmdfHostInitialize();
        }
        if (error == ERROR_SUCCESS && NT_SUCCESS(status)) {
            status = KmdfHostLoadDriver(module, service->Name, &service->Driver);
        }
        if (error == ERROR_SUCCESS && !NT_SUCCESS(status)) {
            error = RtlNtStatusToDosError(status);
            service->ExitCode = error;
        }
        if (error == ERROR_SUCCESS) {
            service->Module = module;
            module = NULL;
            service->State = SERVICE_RUNNING;
            service->ExitCode = ERROR_SUCCESS;
            service->StartOrder = ++StartCounter;
            if (!ExitHandlerRegistered && atexit(StopAllAtExit) == 0) {
                ExitHandlerRegistered = true;
            }
        }
    }
    free(module);
    HosMutexUnlock(&ScLock);
    return error == ERROR_SUCCESS ? TRUE : KhW32Fail(error);
}

static void FillStatus(const KH_SERVICE *Service, LPSERVICE_STATUS Status)
{
    memset(Status, 0, sizeof(*Status));
    Status->dwServiceType = Service->Type;
    Status->dwCurrentState = Service->State;
    Status->dwControlsAccepted = Service->State == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
    Status->dwWin32ExitCode = Service->ExitCode;
}

/* ------------------------------------------------------------------ exports */

KMDFHOST_API SC_HANDLE WINAPI OpenSCManagerA(LPCSTR lpMachineName, LPCSTR lpDatabaseName, DWORD dwDesiredAccess)
{
    (void)dwDesiredAccess;
    return OpenManager(lpMachineName, lpDatabaseName);
}

KMDFHOST_API SC_HANDLE WINAPI OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess)
{
    (void)dwDesiredAccess;
    char *machine = lpMachineName != NULL ? KhW32WideToUtf8(lpMachineName) : NULL;
    char *database = lpDatabaseName != NULL ? KhW32WideToUtf8(lpDatabaseName) : NULL;
    SC_HANDLE handle = NULL;
    if ((lpMachineName != NULL && machine == NULL) || (lpDatabaseName != NULL && database == NULL)) {
        KhW32SetLastError(ERROR_INVALID_NAME);
    } else {
        handle = OpenManager(machine, database);
    }
    free(machine);
    free(database);
    return handle;
}

KMDFHOST_API SC_HANDLE WINAPI CreateServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, LPCSTR lpDisplayName,
                                             DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType,
                                             DWORD dwErrorControl, LPCSTR lpBinaryPathName, LPCSTR lpLoadOrderGroup,
                                             LPDWORD lpdwTagId, LPCSTR lpDependencies, LPCSTR lpServiceStartName,
                                             LPCSTR lpPassword)
{
    (void)dwDesiredAccess;
    (void)lpLoadOrderGroup;
    (void)lpDependencies;
    (void)lpServiceStartName;
    (void)lpPassword;
    if (lpdwTagId != NULL) {
        *lpdwTagId = 0; /* no load order groups, no tags */
    }
    return CreateServiceUtf8(hSCManager, lpServiceName, lpDisplayName, dwServiceType, dwStartType, dwErrorControl,
                             lpBinaryPathName);
}

KMDFHOST_API SC_HANDLE WINAPI CreateServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, LPCWSTR lpDisplayName,
                                             DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType,
                                             DWORD dwErrorControl, LPCWSTR lpBinaryPathName,
                                             LPCWSTR lpLoadOrderGroup, LPDWORD lpdwTagId, LPCWSTR lpDependencies,
                                             LPCWSTR lpServiceStartName, LPCWSTR lpPassword)
{
    (void)lpLoadOrderGroup;
    (void)lpDependencies;
    (void)lpServiceStartName;
    (void)lpPassword;
    char *name = lpServiceName != NULL ? KhW32WideToUtf8(lpServiceName) : NULL;
    char *display = lpDisplayName != NULL ? KhW32WideToUtf8(lpDisplayName) : NULL;
    char *binary = lpBinaryPathName != NULL ? KhW32WideToUtf8(lpBinaryPathName) : NULL;
    SC_HANDLE handle = NULL;
    if ((lpServiceName != NULL && name == NULL) || (lpDisplayName != NULL && display == NULL) ||
        (lpBinaryPathName != NULL && binary == NULL)) {
        KhW32SetLastError(ERROR_INVALID_NAME);
    } else {
        handle = CreateServiceA(hSCManager, name, display, dwDesiredAccess, dwServiceType, dwStartType,
                                dwErrorControl, binary, NULL, lpdwTagId, NULL, NULL, NULL);
    }
    free(name);
    free(display);
    free(binary);
    return handle;
}

KMDFHOST_API SC_HANDLE WINAPI OpenServiceA(SC_HANDLE hSCManager, LPCSTR lpServiceName, DWORD dwDesiredAccess)
{
    (void)dwDesiredAccess;
    return OpenServiceUtf8(hSCManager, lpServiceName);
}

KMDFHOST_API SC_HANDLE WINAPI OpenServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, DWORD dwDesiredAccess)
{
    (void)dwDesiredAccess;
    char *name = lpServiceName != NULL ? KhW32WideToUtf8(lpServiceName) : NULL;
    SC_HANDLE handle = NULL;
    if (lpServiceName != NULL && name == NULL) {
        KhW32SetLastError(ERROR_INVALID_NAME);
    } else {
        handle = OpenServiceUtf8(hSCManager, name);
    }
    free(name);
    return handle;
}

/* A driver service takes no arguments (they are for a Win32 service's ServiceMain). */
KMDFHOST_API BOOL WINAPI StartServiceA(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCSTR *lpServiceArgVectors)
{
    (void)dwNumServiceArgs;
    (void)lpServiceArgVectors;
    return StartServiceCommon(hService);
}

KMDFHOST_API BOOL WINAPI StartServiceW(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCWSTR *lpServiceArgVectors)
{
    (void)dwNumServiceArgs;
    (void)lpServiceArgVectors;
    return StartServiceCommon(hService);
}

/*
 * ControlService: SERVICE_CONTROL_STOP unloads a running driver (ERROR_SERVICE_NOT_ACTIVE
 * when it is not running); SERVICE_CONTROL_INTERROGATE reports the status; a driver
 * accepts no other control (ERROR_INVALID_SERVICE_CONTROL). lpServiceStatus receives the
 * latest status.
 */
KMDFHOST_API BOOL WINAPI ControlService(SC_HANDLE hService, DWORD dwControl, LPSERVICE_STATUS lpServiceStatus)
{
    HosMutexLock(&ScLock);
    DWORD error = ERROR_SUCCESS;
    KH_SC_HANDLE *handle = GetHandle(hService, true);
    KH_SERVICE *service = handle != NULL ? handle->Service : NULL;
    if (service == NULL) {
        error = ERROR_INVALID_HANDLE;
    } else if (lpServiceStatus == NULL) {
        error = ERROR_INVALID_PARAMETER;
    } else if (dwControl != SERVICE_CONTROL_STOP && dwControl != SERVICE_CONTROL_INTERROGATE) {
        error = ERROR_INVALID_SERVICE_CONTROL;
    } else if (service->State != SERVICE_RUNNING) {
        error = ERROR_SERVICE_NOT_ACTIVE;
    } else if (dwControl == SERVICE_CONTROL_STOP) {
        error = StopLocked(service);
    }
    if (service != NULL && lpServiceStatus != NULL) {
        FillStatus(service, lpServiceStatus);
    }
    if (service != NULL && error == ERROR_SUCCESS) {
        MaybeRemove(service); /* handle->Service stays valid: the handle counts */
    }
    HosMutexUnlock(&ScLock);
    return error == ERROR_SUCCESS ? TRUE : KhW32Fail(error);
}

KMDFHOST_API BOOL WINAPI QueryServiceStatus(SC_HANDLE hService, LPSERVICE_STATUS lpServiceStatus)
{
    HosMutexLock(&ScLock);
    KH_SC_HANDLE *handle = GetHandle(hService, true);
    DWORD error = handle == NULL ? ERROR_INVALID_HANDLE : lpServiceStatus == NULL ? ERROR_INVALID_PARAMETER : 0;
    if (error == ERROR_SUCCESS) {
        FillStatus(handle->Service, lpServiceStatus);
    }
    HosMutexUnlock(&ScLock);
    return error == ERROR_SUCCESS ? TRUE : KhW32Fail(error);
}

/* DeleteService marks the service; it goes once stopped and with no handle open. */
KMDFHOST_API BOOL WINAPI DeleteService(SC_HANDLE hService)
{
    HosMutexLock(&ScLock);
    DWORD error = ERROR_SUCCESS;
    KH_SC_HANDLE *handle = GetHandle(hService, true);
    if (handle == NULL) {
        error = ERROR_INVALID_HANDLE;
    } else if (handle->Service->MarkedForDelete) {
        error = ERROR_SERVICE_MARKED_FOR_DELETE;
    } else {
        handle->Service->MarkedForDelete = true;
    }
    HosMutexUnlock(&ScLock);
    return error == ERROR_SUCCESS ? TRUE : KhW32Fail(error);
}

KMDFHOST_API BOOL WINAPI CloseServiceHandle(SC_HANDLE hSCObject)
{
    HosMutexLock(&ScLock);
    KH_SC_HANDLE *handle = GetHandle(hSCObject, true);
    if (handle == NULL) {
        handle = GetHandle(hSCObject, false);
    }
    if (handle == NULL) {
        HosMutexUnlock(&ScLock);
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    KH_SERVICE *service = handle->Service;
    handle->Magic = 0;
    free(handle);
    if (service != NULL) {
        service->Handles--;
        MaybeRemove(service);
    }
    HosMutexUnlock(&ScLock);
    return TRUE;
}

/* ------------------------------------------------------- current directory */

KMDFHOST_API DWORD WINAPI GetCurrentDirectoryA(DWORD nBufferLength, LPSTR lpBuffer)
{
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        KhW32SetLastError(errno == ENOENT ? ERROR_FILE_NOT_FOUND : ERROR_GEN_FAILURE);
        return 0;
    }
    size_t length = strlen(cwd);
    if (lpBuffer == NULL || nBufferLength <= length) {
        return (DWORD)(length + 1);
    }
    memcpy(lpBuffer, cwd, length + 1);
    return (DWORD)length;
}

KMDFHOST_API DWORD WINAPI GetCurrentDirectoryW(DWORD nBufferLength, LPWSTR lpBuffer)
{
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        KhW32SetLastError(errno == ENOENT ? ERROR_FILE_NOT_FOUND : ERROR_GEN_FAILURE);
        return 0;
    }
    wchar_t *wide = KhW32Utf8ToWide(cwd);
    if (wide == NULL) {
        KhW32SetLastError(ERROR_NO_UNICODE_TRANSLATION);
        return 0;
    }
    size_t length = wcslen(wide);
    DWORD result = (DWORD)(length + 1);
    if (lpBuffer != NULL && nBufferLength > length) {
        memcpy(lpBuffer, wide, (length + 1) * sizeof(wchar_t));
        result = (DWORD)length;
    }
    free(wide);
    return result;
}
