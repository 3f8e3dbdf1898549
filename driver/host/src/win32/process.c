/*
 * process.c - the start and the end of a Win32 program run by scripts/host-run, and its
 * console control handlers (SetConsoleCtrlHandler).
 *
 * The host lives in the program's own process (libkmdfhost), so host-run starts no
 * broker: it sets KMDFHOST_RUN_* in the environment and runs PROGRAM, and the start-up
 * code that scripts/build-host-app links into every program calls
 * KmdfHostAppStartup before main (and before C++ static constructors). That loads the
 * driver, adds and starts the device, and registers the end of the life cycle as an
 * exit handler. The program's exit status is then its own, and a signal reaches the
 * program itself. The exit handler does what Windows does when a process ends and what
 * an uninstall does after it: it closes the handles the program left open (cleanup and
 * close reach the driver, pending I/O is cancelled), removes the device and unloads the
 * driver, so the verifier sees the whole life cycle (leaks included) on every run.
 *
 * Signals play the part of console control events. They are taken by a thread of the
 * host (blocked everywhere else) and, in this order:
 * - a handler the program installed with signal() or sigaction() is called;
 * - else the handlers registered with SetConsoleCtrlHandler are called, last registered
 *   first, with CTRL_C_EVENT (SIGINT), CTRL_BREAK_EVENT (SIGQUIT), CTRL_CLOSE_EVENT
 *   (SIGHUP) or CTRL_SHUTDOWN_EVENT (SIGTERM), on that thread, as Windows calls them on
 *   a thread of their own; for CTRL_C_EVENT and CTRL_BREAK_EVENT a handler returning
 *   TRUE ends the matter; SetConsoleCtrlHandler(NULL, TRUE) ignores CTRL_C_EVENT;
 * - else the default action: as Windows' default handler calls ExitProcess, the life
 *   cycle ends (handles closed, device removed, driver unloaded) and the process then
 *   ends by the signal, so that its parent sees it killed by that signal.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WIN32_NO_STATUS /* the NTSTATUS values come from <ntstatus.h> */
#include <windows.h>
#undef WIN32_NO_STATUS

#include "os/hostsignal.h"
#include "os/hostos.h"
#include "win32/win32p.h"

/* A driver for children of a bus (--child-driver ID=FILE.so): an INF's models section. */
typedef struct KH_RUN_CHILD {
    char *HardwareId;
    char *Module;
    KH_DRIVER *Loaded; /* NULL when an earlier entry loaded the same module */
} KH_RUN_CHILD;

#define KH_MAX_CHILD_DRIVERS 16

/* A filter driver stacked on the device (--upper-filter, --lower-filter). */
typedef struct KH_RUN_FILTER {
    char *Module;
    char Service[256];
    KH_DRIVER *Driver;
    bool Owned; /* loaded for this entry (not an earlier entry's module) */
} KH_RUN_FILTER;

#define KH_MAX_FILTERS 8

typedef struct KH_RUN {
    char *Driver;
    char *Service;
    char *Instance;
    char *TimerMs;
    char *ChildDrivers; /* KMDFHOST_RUN_CHILD_DRIVERS: ID=FILE lines */
    char *Inf;          /* KMDFHOST_RUN_INF: the driver's INF file */
    char *DeviceValues; /* KMDFHOST_RUN_DEVICE_VALUES: NAME=TYPE:DATA lines */
    char *UpperFilterLines; /* KMDFHOST_RUN_UPPER_FILTERS: modules, bottom to top */
    char *LowerFilterLines; /* KMDFHOST_RUN_LOWER_FILTERS */
    KH_RUN_FILTER Upper[KH_MAX_FILTERS];
    size_t UpperCount;
    KH_RUN_FILTER Lower[KH_MAX_FILTERS];
    size_t LowerCount;
    KH_DRIVER *Loaded;
    KH_DEVNODE *Node;
    KH_RUN_CHILD Children[KH_MAX_CHILD_DRIVERS];
    size_t ChildCount;
} KH_RUN;

static KH_RUN Run;
static HOS_MUTEX EndLock;
static bool Ended;

static const int TakenSignals[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};
#define TAKEN_SIGNAL_COUNT (sizeof(TakenSignals) / sizeof(TakenSignals[0]))

__attribute__((constructor)) static void KhW32ProcessInit(void)
{
    HosMutexInit(&EndLock);
}

static char *TakeEnvironment(const char *Name)
{
    const char *Value = getenv(Name);
    char *Copy = Value != NULL && Value[0] != '\0' ? strdup(Value) : NULL;
    unsetenv(Name); /* the program's own children do not start a life cycle of their own */
    return Copy;
}

/* The children's drivers go once the bus and its children are removed. */
static void UnloadChildDrivers(void)
{
    KmdfHostWaitForPnpIdle();
    for (size_t i = 0; i < Run.ChildCount; i++) {
        (void)KmdfHostSetDriverForHardwareId(Run.Children[i].HardwareId, NULL);
    }
    for (size_t i = 0; i < Run.ChildCount; i++) {
        if (Run.Children[i].Loaded != NULL) {
            KH_STATUS Status = KmdfHostUnloadDriver(Run.Children[i].Loaded);
            Run.Children[i].Loaded = NULL;
            if (!NT_SUCCESS(Status)) {
                fprintf(stderr, "host-run: unloading the child driver %s failed: NTSTATUS 0x%08X\n",
                        Run.Children[i].Module, (unsigned)Status);
                fflush(NULL);
                _exit(3);
            }
        }
    }
}

/*
 * --child-driver ID=FILE.so, each a line of KMDFHOST_RUN_CHILD_DRIVERS: the module is
 * loaded (once, however many IDs name it; its service is its file name without .so) and
 * serves the children of that hardware or compatible ID.
 */
static bool LoadChildDrivers(void)
{
    for (char *line = Run.ChildDrivers; line != NULL && *line != 0;) {
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = 0;
        }
        char *equals = strchr(line, '=');
        if (equals == NULL || equals == line || equals[1] == 0 || Run.ChildCount == KH_MAX_CHILD_DRIVERS) {
            fprintf(stderr, "host-run: --child-driver takes ID=FILE.so (at most %d), not '%s'\n",
                    KH_MAX_CHILD_DRIVERS, line);
            _exit(2);
        }
        *equals = 0;
        KH_RUN_CHILD *child = &Run.Children[Run.ChildCount++];
        child->HardwareId = line;
        child->Module = equals + 1;
        KH_DRIVER *driver = NULL;
        for (size_t i = 0; i + 1 < Run.ChildCount && driver == NULL; i++) {
            if (strcmp(Run.Children[i].Module, child->Module) == 0) {
                driver = Run.Children[i].Loaded;
            }
        }
        if (driver == NULL) {
            const char *base = strrchr(child->Module, '/') != NULL ? strrchr(child->Module, '/') + 1 : child->Module;
            char service[256];
            snprintf(service, sizeof(service), "%s", base);
            size_t length = strlen(service);
            if (length > 3 && strcmp(service + length - 3, ".so") == 0) {
                service[length - 3] = 0;
            }
            KH_STATUS Status = KmdfHostLoadDriver(child->Module, service, &child->Loaded);
            if (!NT_SUCCESS(Status)) {
                Run.ChildCount--;
                UnloadChildDrivers();
                fprintf(stderr, "host-run: loading the child driver %s failed: NTSTATUS 0x%08X\n", child->Module,
                        (unsigned)Status);
                return false;
            }
            driver = child->Loaded;
        }
        KH_STATUS Status = KmdfHostSetDriverForHardwareId(child->HardwareId, driver);
        if (!NT_SUCCESS(Status)) {
            UnloadChildDrivers();
            fprintf(stderr, "host-run: --child-driver %s=%s failed: NTSTATUS 0x%08X\n", child->HardwareId,
                    child->Module, (unsigned)Status);
            return false;
        }
        line = end != NULL ? end + 1 : NULL;
    }
    return true;
}

/*
 * With --child-driver: the bus's children when the program ends, one line each on
 * stderr, "host-run: child device INSTANCE-PATH". A child's instance path starts with
 * the device ID the bus gave it (IRP_MN_QUERY_ID), for the toaster bus the hardware ID
 * the program sent, so a test sees what reached the bus driver.
 */
static void ShowChildren(void)
{
    if (Run.ChildCount == 0 || Run.Node == NULL) {
        return;
    }
    KmdfHostWaitForPnpIdle();
    size_t Required = 0;
    char *Ids = NULL;
    KH_STATUS Status = KmdfHostGetChildInstanceIds(Run.Node, NULL, 0, &Required);
    if (Status == STATUS_BUFFER_TOO_SMALL && (Ids = malloc(Required)) != NULL) {
        Status = KmdfHostGetChildInstanceIds(Run.Node, Ids, Required, &Required);
    }
    if (NT_SUCCESS(Status) && Ids != NULL) {
        for (const char *Id = Ids; *Id != 0; Id += strlen(Id) + 1) {
            fprintf(stderr, "host-run: child device %s\n", Id);
        }
    } else if (!NT_SUCCESS(Status) && Status != STATUS_BUFFER_TOO_SMALL) {
        fprintf(stderr, "host-run: the children of %s: NTSTATUS 0x%08X\n", Run.Instance, (unsigned)Status);
    }
    free(Ids);
}

/*
 * What setup does before the driver is added (inf.c): --inf FILE installs the device from
 * the driver's INF (setup class, description, hardware key values, ...), then each
 * --device-value NAME=TYPE:DATA (a line of KMDFHOST_RUN_DEVICE_VALUES) goes into the
 * device's hardware key, as a class installer writes it. The device's hardware ID is its
 * instance ID without the instance number (ROOT\ECHO\0000: ROOT\ECHO).
 */
static bool InstallDevice(void)
{
    char Error[600];
    if (Run.Inf != NULL) {
        char *HardwareId = strdup(Run.Instance);
        if (HardwareId == NULL) {
            fprintf(stderr, "host-run: out of memory\n");
            return false;
        }
        char *Last = strrchr(HardwareId, '\\');
        if (Last != NULL && Last != HardwareId) {
            *Last = 0;
        }
        bool Ok = KhW32InstallInf(Run.Inf, Run.Instance, HardwareId, Run.Service, Error, sizeof(Error));
        free(HardwareId);
        if (!Ok) {
            fprintf(stderr, "host-run: installing the device from its INF failed: %s\n", Error);
            return false;
        }
    }
    for (char *Line = Run.DeviceValues; Line != NULL && *Line != 0;) {
        char *End = strchr(Line, '\n');
        if (End != NULL) {
            *End = 0;
        }
        if (*Line != 0 && !KhW32SetDeviceValue(Run.Instance, Line, Error, sizeof(Error))) {
            fprintf(stderr, "host-run: %s\n", Error);
            return false;
        }
        Line = End != NULL ? End + 1 : NULL;
    }
    return true;
}

/* The filter drivers go after the device is removed and the function driver unloaded. */
static void UnloadFilters(void)
{
    KH_RUN_FILTER *Lists[2] = {Run.Upper, Run.Lower};
    size_t Counts[2] = {Run.UpperCount, Run.LowerCount};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < Counts[l]; i++) {
            KH_RUN_FILTER *f = &Lists[l][i];
            if (f->Owned && f->Driver != NULL) {
                KH_STATUS Status = KmdfHostUnloadDriver(f->Driver);
                f->Driver = NULL;
                if (!NT_SUCCESS(Status)) {
                    fprintf(stderr, "host-run: unloading the filter driver %s failed: NTSTATUS 0x%08X\n", f->Module,
                            (unsigned)Status);
                    fflush(NULL);
                    _exit(3);
                }
            }
        }
    }
    Run.UpperCount = Run.LowerCount = 0;
}

/* A loaded filter module of an earlier entry, or NULL. */
static KH_DRIVER *LoadedFilter(const char *Module)
{
    KH_RUN_FILTER *Lists[2] = {Run.Upper, Run.Lower};
    size_t Counts[2] = {Run.UpperCount, Run.LowerCount};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < Counts[l]; i++) {
            if (Lists[l][i].Driver != NULL && strcmp(Lists[l][i].Module, Module) == 0) {
                return Lists[l][i].Driver;
            }
        }
    }
    return NULL;
}

/*
 * --upper-filter / --lower-filter FILE.so, each a line of KMDFHOST_RUN_UPPER_FILTERS or
 * _LOWER_FILTERS in the order the INF's UpperFilters / LowerFilters values name them (the
 * PnP manager attaches them in that order, so the first is the lowest of its kind):
 * each module is loaded once, its service being
 * its file name without .so, and the device's Enum key gets the UpperFilters /
 * LowerFilters value naming those services, as setup writes it.
 */
static bool LoadFilters(char *Lines, KH_RUN_FILTER *Filters, size_t *Count, const char *ValueName)
{
    const char *Services[KH_MAX_FILTERS];
    for (char *line = Lines; line != NULL && *line != 0;) {
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = 0;
        }
        if (*line != 0) {
            if (*Count == KH_MAX_FILTERS) {
                fprintf(stderr, "host-run: at most %d %s\n", KH_MAX_FILTERS, ValueName);
                return false;
            }
            KH_RUN_FILTER *f = &Filters[*Count];
            f->Module = line;
            const char *base = strrchr(line, '/') != NULL ? strrchr(line, '/') + 1 : line;
            snprintf(f->Service, sizeof(f->Service), "%s", base);
            size_t length = strlen(f->Service);
            if (length > 3 && strcmp(f->Service + length - 3, ".so") == 0) {
                f->Service[length - 3] = 0;
            }
            f->Driver = LoadedFilter(line);
            f->Owned = f->Driver == NULL;
            if (f->Owned) {
                KH_STATUS Status = KmdfHostLoadDriver(f->Module, f->Service, &f->Driver);
                if (!NT_SUCCESS(Status)) {
                    fprintf(stderr, "host-run: loading the filter driver %s failed: NTSTATUS 0x%08X\n", f->Module,
                            (unsigned)Status);
                    return false;
                }
            }
            Services[*Count] = f->Service;
            ++*Count;
        }
        line = end != NULL ? end + 1 : NULL;
    }
    char Error[300];
    if (*Count != 0 && !KhW32SetDeviceMultiString(Run.Instance, ValueName, Services, *Count, Error, sizeof(Error))) {
        fprintf(stderr, "host-run: %s\n", Error);
        return false;
    }
    return true;
}

/* Ends the life cycle once: the first caller does it; a later one returns at once. The
   lock stays held when KeepLocked (the process is about to end by a signal). */
static void EndLifeCycle(bool KeepLocked)
{
    HosMutexLock(&EndLock);
    if (!Ended) {
        Ended = true;
        fflush(stdout);
        /* Windows closes a process's handles when it ends; the drivers the program
           started as services stop as at a shutdown (service.c). */
        KmdfHostCloseProcessHandles();
        KhW32StopAllServices();
        if (Run.Loaded == NULL) {
            goto Done; /* host-run without --driver: the program's services only */
        }
        ShowChildren();
        KH_STATUS Status = Run.Node != NULL ? KmdfHostRemoveDevice(Run.Node) : STATUS_SUCCESS;
        if (!NT_SUCCESS(Status)) {
            fprintf(stderr, "host-run: removing the device %s failed: NTSTATUS 0x%08X\n",
                    Run.Instance, (unsigned)Status);
            fflush(NULL);
            _exit(3);
        }
        Status = KmdfHostUnloadDriver(Run.Loaded);
        if (!NT_SUCCESS(Status)) {
            fprintf(stderr, "host-run: unloading the driver %s failed: NTSTATUS 0x%08X\n",
                    Run.Driver, (unsigned)Status);
            fflush(NULL);
            _exit(3);
        }
        UnloadFilters();
        UnloadChildDrivers();
    }
Done:
    if (!KeepLocked) {
        HosMutexUnlock(&EndLock);
    }
}

static void AtExit(void)
{
    EndLifeCycle(false);
}

/* ------------------------------------------------------------------ console control */

#define KH_MAX_CTRL_HANDLERS 64

static HOS_MUTEX CtrlLock;
static PHANDLER_ROUTINE CtrlHandlers[KH_MAX_CTRL_HANDLERS];
static size_t CtrlHandlerCount;
static bool IgnoreCtrlC;

__attribute__((constructor)) static void KhW32CtrlInit(void)
{
    HosMutexInit(&CtrlLock);
}

/*
 * SetConsoleCtrlHandler: adds or removes a handler; with NULL, Add TRUE makes the
 * process ignore CTRL+C and FALSE restores normal processing. Removing a handler that
 * is not registered fails with ERROR_INVALID_PARAMETER.
 */
KMDFHOST_API BOOL WINAPI SetConsoleCtrlHandler(PHANDLER_ROUTINE HandlerRoutine, BOOL Add)
{
    BOOL Result = TRUE;
    HosMutexLock(&CtrlLock);
    if (HandlerRoutine == NULL) {
        IgnoreCtrlC = Add != FALSE;
    } else if (Add) {
        if (CtrlHandlerCount == KH_MAX_CTRL_HANDLERS) {
            Result = KhW32Fail(ERROR_NOT_ENOUGH_MEMORY);
        } else {
            CtrlHandlers[CtrlHandlerCount++] = HandlerRoutine;
        }
    } else {
        size_t i = CtrlHandlerCount;
        while (i > 0 && CtrlHandlers[i - 1] != HandlerRoutine) {
            i--;
        }
        if (i == 0) {
            Result = KhW32Fail(ERROR_INVALID_PARAMETER);
        } else {
            memmove(&CtrlHandlers[i - 1], &CtrlHandlers[i],
                    (CtrlHandlerCount - i) * sizeof(CtrlHandlers[0]));
            CtrlHandlerCount--;
        }
    }
    HosMutexUnlock(&CtrlLock);
    return Result;
}

/* Calls the console control handlers; true when one of them handled the event. */
static bool CallCtrlHandlers(DWORD CtrlType)
{
    PHANDLER_ROUTINE Handlers[KH_MAX_CTRL_HANDLERS];
    HosMutexLock(&CtrlLock);
    size_t Count = CtrlHandlerCount;
    memcpy(Handlers, CtrlHandlers, Count * sizeof(Handlers[0]));
    bool Ignore = IgnoreCtrlC && CtrlType == CTRL_C_EVENT;
    HosMutexUnlock(&CtrlLock);
    if (Ignore) {
        return true;
    }
    for (size_t i = Count; i > 0; i--) {
        if (Handlers[i - 1](CtrlType)) {
            return true;
        }
    }
    return false;
}

static void SignalThread(void *Context)
{
    (void)Context;
    for (;;) {
        int Signal = HosSignalWait(TakenSignals, TAKEN_SIGNAL_COUNT);
        void *Handler = NULL;
        bool SigInfo = false;
        int Action = HosSignalAction(Signal, &Handler, &SigInfo);
        if (Action == 1) {
            continue; /* the program ignores it */
        }
        if (Action == 2) {
            if (SigInfo) {
                siginfo_t Info;
                memset(&Info, 0, sizeof(Info));
                Info.si_signo = Signal;
                ((void (*)(int, siginfo_t *, void *))Handler)(Signal, &Info, NULL);
            } else {
                ((void (*)(int))Handler)(Signal);
            }
            continue;
        }
        DWORD CtrlType = Signal == SIGINT    ? CTRL_C_EVENT
                         : Signal == SIGQUIT ? CTRL_BREAK_EVENT
                         : Signal == SIGHUP  ? CTRL_CLOSE_EVENT
                                             : CTRL_SHUTDOWN_EVENT;
        if (CallCtrlHandlers(CtrlType) && (CtrlType == CTRL_C_EVENT || CtrlType == CTRL_BREAK_EVENT)) {
            continue;
        }
        fflush(stdout);
        fprintf(stderr, "host-run: %s: closing the program's handles, removing the device and "
                        "unloading the driver\n", strsignal(Signal));
        EndLifeCycle(true);
        fflush(NULL);
        HosSignalDie(Signal);
    }
}

/* ------------------------------------------------------------------ start-up */

static __attribute__((noreturn)) void Fail(const char *What, const char *Name, KH_STATUS Status)
{
    fprintf(stderr, "host-run: %s %s failed: NTSTATUS 0x%08X\n", What, Name, (unsigned)Status);
    fflush(NULL);
    _exit(3);
}

/*
 * Called by the start-up code of a program built with scripts/build-host-app, before
 * main. With KMDFHOST_RUN_HOST=1 and no driver (host-run without --driver), it starts
 * the host, takes the signals and registers the end of the life cycle (the program's
 * handles closed, the services it started stopped). Otherwise it does nothing unless
 * scripts/host-run set KMDFHOST_RUN_DRIVER (and with it
 * KMDFHOST_RUN_SERVICE, KMDFHOST_RUN_INSTANCE and, for --timer-ms,
 * KMDFHOST_RUN_TIMER_MS). Exits with status 3 when the driver does not load or the
 * device does not start.
 */
KMDFHOST_API void KmdfHostAppStartup(void)
{
    Run.Driver = TakeEnvironment("KMDFHOST_RUN_DRIVER");
    Run.Service = TakeEnvironment("KMDFHOST_RUN_SERVICE");
    Run.Instance = TakeEnvironment("KMDFHOST_RUN_INSTANCE");
    Run.TimerMs = TakeEnvironment("KMDFHOST_RUN_TIMER_MS");
    Run.ChildDrivers = TakeEnvironment("KMDFHOST_RUN_CHILD_DRIVERS");
    Run.Inf = TakeEnvironment("KMDFHOST_RUN_INF");
    Run.DeviceValues = TakeEnvironment("KMDFHOST_RUN_DEVICE_VALUES");
    Run.UpperFilterLines = TakeEnvironment("KMDFHOST_RUN_UPPER_FILTERS");
    Run.LowerFilterLines = TakeEnvironment("KMDFHOST_RUN_LOWER_FILTERS");
    char *HostOnly = TakeEnvironment("KMDFHOST_RUN_HOST");
    bool Services = HostOnly != NULL && strcmp(HostOnly, "1") == 0;
    free(HostOnly);
    if (Run.Driver == NULL && Services) {
        /* host-run without --driver: the program installs and starts its drivers itself
           (the service control manager, service.c); the end of the process stops them. */
        HosSignalBlock(TakenSignals, TAKEN_SIGNAL_COUNT);
        KH_STATUS Status = KmdfHostInitialize();
        if (!NT_SUCCESS(Status)) {
            Fail("starting the host for", "the program", Status);
        }
        if (atexit(AtExit) != 0) {
            fprintf(stderr, "host-run: cannot register the end of the life cycle\n");
            _exit(3);
        }
        HOS_THREAD *Thread;
        if (!HosThreadStart(&Thread, "kmdfhost-signals", SignalThread, NULL)) {
            fprintf(stderr, "host-run: cannot start the signal thread\n");
            _exit(3);
        }
        return;
    }
    if (Run.Driver == NULL) {
        return;
    }
    if (Run.Service == NULL || Run.Instance == NULL) {
        fprintf(stderr, "host-run: KMDFHOST_RUN_SERVICE and KMDFHOST_RUN_INSTANCE must be set "
                        "with KMDFHOST_RUN_DRIVER\n");
        _exit(2);
    }
    /* Before any thread exists, so that every thread inherits the mask. */
    HosSignalBlock(TakenSignals, TAKEN_SIGNAL_COUNT);

    KH_STATUS Status = KmdfHostInitialize();
    if (!NT_SUCCESS(Status)) {
        Fail("starting the host for", Run.Driver, Status);
    }
    uint32_t TimerMs = 0;
    if (Run.TimerMs != NULL) {
        TimerMs = (uint32_t)strtoul(Run.TimerMs, NULL, 10);
        Status = KmdfHostSetServiceParameterULong(Run.Service, "TimerPeriodMs", TimerMs);
        if (!NT_SUCCESS(Status)) {
            Fail("setting TimerPeriodMs of the service", Run.Service, Status);
        }
    }
    if (!InstallDevice()) {
        fflush(NULL);
        _exit(3);
    }
    if (!LoadChildDrivers()) {
        fflush(NULL);
        _exit(3);
    }
    Status = KmdfHostLoadDriver(Run.Driver, Run.Service, &Run.Loaded);
    if (!NT_SUCCESS(Status)) {
        UnloadChildDrivers();
        Fail("loading the driver", Run.Driver, Status);
    }
    /* A non-PnP driver has no AddDevice: its DriverEntry made its (control) devices, and
       its life cycle is load, PROGRAM, unload (EvtDriverUnload), as a legacy driver's
       service starts and stops on Windows. */
    if (!LoadFilters(Run.LowerFilterLines, Run.Lower, &Run.LowerCount, "LowerFilters") ||
        !LoadFilters(Run.UpperFilterLines, Run.Upper, &Run.UpperCount, "UpperFilters")) {
        KmdfHostUnloadDriver(Run.Loaded);
        UnloadFilters();
        UnloadChildDrivers();
        fflush(NULL);
        _exit(3);
    }
    if (KmdfHostDriverIsPnp(Run.Loaded)) {
        KH_DRIVER *Lower[KH_MAX_FILTERS], *Upper[KH_MAX_FILTERS];
        for (size_t i = 0; i < Run.LowerCount; i++) {
            Lower[i] = Run.Lower[i].Driver;
        }
        for (size_t i = 0; i < Run.UpperCount; i++) {
            Upper[i] = Run.Upper[i].Driver;
        }
        Status = KmdfHostAddDeviceStack(Run.Loaded, Lower, Run.LowerCount, Upper, Run.UpperCount, Run.Instance,
                                        &Run.Node);
        if (!NT_SUCCESS(Status)) {
            KmdfHostUnloadDriver(Run.Loaded);
            UnloadFilters();
            UnloadChildDrivers();
            Fail("adding the device", Run.Instance, Status);
        }
        Status = KmdfHostStartDevice(Run.Node);
    } else if (Run.LowerCount + Run.UpperCount != 0) {
        fprintf(stderr, "host-run: %s is not a PnP driver: it has no device to stack filters on\n", Run.Driver);
        KmdfHostUnloadDriver(Run.Loaded);
        UnloadFilters();
        UnloadChildDrivers();
        fflush(NULL);
        _exit(2);
    }
    if (!NT_SUCCESS(Status)) {
        KmdfHostRemoveDevice(Run.Node);
        KmdfHostUnloadDriver(Run.Loaded);
        UnloadFilters();
        UnloadChildDrivers();
        Fail("starting the device", Run.Instance, Status);
    }
    /* A bus's children (and what they asked for while starting) are up before main. */
    KmdfHostWaitForPnpIdle();
    if (Run.TimerMs != NULL && !KmdfHostServiceParameterWasRead(Run.Service, "TimerPeriodMs")) {
        fprintf(stderr,
                "host-run: --timer-ms %u has no effect: the driver did not read TimerPeriodMs "
                "from its Parameters key (HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s\\Parameters); "
                "its timer period is the one its source fixes\n",
                TimerMs, Run.Service);
    }
    if (atexit(AtExit) != 0) {
        fprintf(stderr, "host-run: cannot register the end of the life cycle\n");
        _exit(3);
    }
    HOS_THREAD *Thread;
    if (!HosThreadStart(&Thread, "kmdfhost-signals", SignalThread, NULL)) {
        fprintf(stderr, "host-run: cannot start the signal thread\n");
        _exit(3);
    }
}
