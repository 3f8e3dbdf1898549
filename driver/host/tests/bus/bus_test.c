/*
 * bus_test.c - bus drivers: a bus of our own (khbus) with a static child and children
 * plugged in and out through its IOCTLs, and the function driver the host loads for
 * them by hardware ID (khchild).
 *
 *   bus_test SCENARIO
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khtest.h"

#include "bus.h"

#define ST_INVALID_PARAMETER ((KH_STATUS)0xC000000D)
#define ST_NO_SUCH_DEVICE ((KH_STATUS)0xC000000E)
#define ST_OBJECT_NAME_EXISTS ((KH_STATUS)0x40000000)
#define ST_DUPLICATE_OBJECTID ((KH_STATUS)0xC000022A)

typedef struct BUS {
    KH_DRIVER *Bus, *Child;
    KH_DEVNODE *Node;
    KH_FILE *File; /* the bus FDO's interface */
} BUS;

static const char Instance[] = "ROOT\\KHBUS\\0000";

static void BusGuid(uint8_t Guid[16])
{
    KtGuid(Guid, 0x1b6c9f0e, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
}

static void ChildGuid(uint8_t Guid[16])
{
    KtGuid(Guid, 0x1b6c9f10, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
}

static void PdoGuid(uint8_t Guid[16])
{
    KtGuid(Guid, 0x1b6c9f12, 0x4d2a, 0x4e61, 0x8a, 0x3f, 0x27, 0x90, 0x5c, 0x11, 0xd4, 0x06);
}

static KH_STATUS Load(const char *Module, const char *Service, KH_DRIVER **Driver)
{
    char path[1024];
    if (!KT_CHECKF(KtDriverPath(Module, path, sizeof path), "KMDFHOST_DRIVER_DIR must be set")) {
        return (KH_STATUS)0xC0000001;
    }
    return KmdfHostLoadDriver(path, Service, Driver);
}

/* Loads both drivers, maps the children's IDs, adds and starts the bus, opens it. */
static bool Setup(BUS *Bus)
{
    memset(Bus, 0, sizeof *Bus);
    if (!KT_CHECK_STATUS(KmdfHostInitialize(), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(Load("khbus.so", "KhBus", &Bus->Bus), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(Load("khchild.so", "KhChild", &Bus->Child), KT_STATUS_SUCCESS) ||
        /* The compatible ID serves the dynamic children, the hardware ID the static one. */
        !KT_CHECK_STATUS(KmdfHostSetDriverForHardwareId("khbus\\anytoy", Bus->Child), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(KmdfHostSetDriverForHardwareId("KhBus\\StaticToy", Bus->Child), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(KmdfHostAddDevice(Bus->Bus, Instance, &Bus->Node), KT_STATUS_SUCCESS) ||
        !KT_CHECK_STATUS(KmdfHostStartDevice(Bus->Node), KT_STATUS_SUCCESS)) {
        return false;
    }
    KmdfHostWaitForPnpIdle();
    uint8_t guid[16];
    BusGuid(guid);
    char list[1024] = {0};
    size_t required = 0;
    if (!KT_CHECK_STATUS(KmdfHostGetInterfaceList(guid, list, sizeof list, &required), KT_STATUS_SUCCESS) ||
        !KT_CHECKF(list[0] != 0, "the bus's interface is registered")) {
        return false;
    }
    return KT_CHECK_STATUS(KmdfHostCreateFile(list, &Bus->File), KT_STATUS_SUCCESS);
}

static void Teardown(BUS *Bus, const char *Where)
{
    if (Bus->File != NULL) {
        KtCloseFile(Bus->File);
        Bus->File = NULL;
    }
    if (Bus->Node != NULL) {
        KT_CHECK_STATUS(KmdfHostRemoveDevice(Bus->Node), KT_STATUS_SUCCESS);
        Bus->Node = NULL;
    }
    KT_CHECK_STATUS(KmdfHostSetDriverForHardwareId("KhBus\\AnyToy", NULL), KT_STATUS_SUCCESS);
    KT_CHECK_STATUS(KmdfHostSetDriverForHardwareId("KhBus\\StaticToy", NULL), KT_STATUS_SUCCESS);
    if (Bus->Child != NULL) {
        KT_CHECK_STATUS(KmdfHostUnloadDriver(Bus->Child), KT_STATUS_SUCCESS);
    }
    if (Bus->Bus != NULL) {
        KT_CHECK_STATUS(KmdfHostUnloadDriver(Bus->Bus), KT_STATUS_SUCCESS);
    }
    KtCheckNoVerifierReports(Where);
}

/* A synchronous device control on File. */
static KH_STATUS Ioctl(KH_FILE *File, uint32_t Code, const void *In, uint32_t InLength, void *Out,
                       uint32_t OutLength)
{
    KT_IO *io = KtIoCreate(InLength ? InLength : 1, OutLength ? OutLength : 1);
    if (InLength) {
        memcpy(io->Buffer, In, InLength);
    }
    KtSubmitIoctl(File, io, Code, InLength, OutLength);
    KH_STATUS status = (KH_STATUS)0xC0000001;
    if (KT_CHECKF(KtIoWait(io, KT_WAIT_MS), "IOCTL %#x completes", Code)) {
        status = io->Status;
        if (Out != NULL && OutLength != 0) {
            memcpy(Out, io->Output, OutLength);
        }
    }
    KtIoFree(io);
    return status;
}

static KH_STATUS Serial(BUS *Bus, uint32_t Code, uint32_t Serial)
{
    KH_STATUS status = Ioctl(Bus->File, Code, &Serial, sizeof Serial, NULL, 0);
    KmdfHostWaitForPnpIdle();
    return status;
}

/* Whether the bus has a (not removed) child with this instance path. */
static bool HasChild(BUS *Bus, const char *InstancePath)
{
    char list[2048];
    size_t required = 0;
    if (!KT_CHECK_STATUS(KmdfHostGetChildInstanceIds(Bus->Node, list, sizeof list, &required), KT_STATUS_SUCCESS)) {
        return false;
    }
    for (const char *id = list; *id != 0; id += strlen(id) + 1) {
        if (strcmp(id, InstancePath) == 0) {
            return true;
        }
    }
    return false;
}

static size_t ChildCount(BUS *Bus)
{
    char list[2048];
    size_t required = 0, count = 0;
    KT_CHECK_STATUS(KmdfHostGetChildInstanceIds(Bus->Node, list, sizeof list, &required), KT_STATUS_SUCCESS);
    for (const char *id = list; *id != 0; id += strlen(id) + 1) {
        count++;
    }
    return count;
}

/* The interface of class Guid whose path contains Needle. */
static bool InterfaceOf(void (*Guid)(uint8_t[16]), const char *Needle, char *Path, size_t Size)
{
    uint8_t guid[16];
    Guid(guid);
    char list[4096] = {0};
    size_t required = 0;
    if (!KT_CHECK_STATUS(KmdfHostGetInterfaceList(guid, list, sizeof list, &required), KT_STATUS_SUCCESS)) {
        return false;
    }
    for (const char *id = list; *id != 0; id += strlen(id) + 1) {
        if (strstr(id, Needle) != NULL) {
            snprintf(Path, Size, "%s", id);
            return true;
        }
    }
    return false;
}

/* The child function driver's interface of the child whose path contains Needle. */
static bool ChildInterface(const char *Needle, char *Path, size_t Size)
{
    return InterfaceOf(ChildGuid, Needle, Path, Size);
}

/* The interface a child's PDO created before it was reported. */
static bool PdoInterface(const char *Needle, char *Path, size_t Size)
{
    return InterfaceOf(PdoGuid, Needle, Path, Size);
}

static KHBUS_COUNTS Counts(BUS *Bus)
{
    KHBUS_COUNTS counts;
    memset(&counts, 0xff, sizeof counts);
    KT_CHECK_STATUS(Ioctl(Bus->File, IOCTL_KHBUS_COUNTS, NULL, 0, &counts, sizeof counts), KT_STATUS_SUCCESS);
    return counts;
}

/* Static child at start; two children plugged in; I/O through a child's stack to its PDO. */
static void ScenarioEnumerate(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECKF(HasChild(&bus, "KhBus\\StaticToy\\77"), "the static child is enumerated at start");
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 2), KT_STATUS_SUCCESS);
        KT_CHECK(ChildCount(&bus) == 3);
        KT_CHECK(HasChild(&bus, "KhBus\\Toy\\01"));
        KT_CHECK(HasChild(&bus, "KhBus\\Toy\\02"));
        /* Plugging in a child that is there: STATUS_OBJECT_NAME_EXISTS, no second PDO. */
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 2), ST_OBJECT_NAME_EXISTS);
        KHBUS_COUNTS counts = Counts(&bus);
        KT_CHECK(counts.PdosCreated == 2);
        KT_CHECK(counts.Present == 2);
        KT_CHECK(counts.StaticPresent == 1);
        KT_CHECKF(counts.InterfaceReferences == 3, "each started child holds the bus's interface (%d)",
                  counts.InterfaceReferences);
        char path[512];
        if (KT_CHECKF(ChildInterface("KhBus#Toy#02", path, sizeof path), "the child's function driver started")) {
            KH_FILE *file;
            if (KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
                uint32_t who = 0;
                KT_CHECK_STATUS(Ioctl(file, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof who), KT_STATUS_SUCCESS);
                KT_CHECKF(who == 2, "the request reached the PDO of child 2 (got %u)", who);
                who = 0;
                KT_CHECK_STATUS(Ioctl(file, IOCTL_KHCHILD_IFACE, NULL, 0, &who, sizeof who), KT_STATUS_SUCCESS);
                KT_CHECKF(who == 2, "the bus's interface (IRP_MN_QUERY_INTERFACE) answers for child 2 (got %u)", who);
                KtCloseFile(file);
            }
        }
        KT_CHECKF(ChildInterface("KhBus#StaticToy#77", path, sizeof path), "the static child's driver started");
    }
    Teardown(&bus, "after enumeration");
}

/* Unplug (missing), a scan that keeps only some, and an empty scan. */
static void ScenarioUnplug(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECK(HasChild(&bus, "KhBus\\Toy\\01"));
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\01"), "an unplugged child is removed");
        char path[512];
        KT_CHECKF(!ChildInterface("KhBus#Toy#01", path, sizeof path), "its interface is gone");
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 1), ST_NO_SUCH_DEVICE);

        uint32_t some[] = {3, 4, 5};
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_RESCAN, some, sizeof some, NULL, 0), KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        KT_CHECK(ChildCount(&bus) == 4);
        uint32_t fewer[] = {4};
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_RESCAN, fewer, sizeof fewer, NULL, 0), KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        KT_CHECKF(HasChild(&bus, "KhBus\\Toy\\04") && !HasChild(&bus, "KhBus\\Toy\\03") &&
                      !HasChild(&bus, "KhBus\\Toy\\05"),
                  "a scan removes the children it did not report");
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 0), KT_STATUS_SUCCESS);
        KT_CHECKF(ChildCount(&bus) == 1, "an empty scan leaves the static child alone");
        KHBUS_COUNTS counts = Counts(&bus);
        KT_CHECK(counts.Present == 0);
        KT_CHECKF(counts.InterfaceReferences == 1, "removed children released the bus's interface (%d held)",
                  counts.InterfaceReferences);
    }
    Teardown(&bus, "after unplugging");
}

/* Eject of a dynamic child and of the static child: EvtDeviceEject, then they are gone. */
static void ScenarioEject(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 4), KT_STATUS_SUCCESS);
        uint32_t serial = 4, accepted = 0;
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_EJECT, &serial, sizeof serial, &accepted, sizeof accepted),
                        KT_STATUS_SUCCESS);
        KT_CHECKF(accepted == 1, "WdfChildListRequestChildEject returns TRUE for a child with a PDO");
        KmdfHostWaitForPnpIdle();
        KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\04"), "an ejected child is gone");
        KT_CHECK(Counts(&bus).Ejects == 1);
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_STATIC_EJECT, NULL, 0, NULL, 0), KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        KT_CHECKF(!HasChild(&bus, "KhBus\\StaticToy\\77"), "the ejected static child is gone");
        KHBUS_COUNTS counts = Counts(&bus);
        KT_CHECK(counts.Ejects == 2);
        KT_CHECK(counts.StaticPresent == 0);
    }
    Teardown(&bus, "after ejects");
}

/* The static child reported missing (WdfPdoMarkMissing): surprise-removed. */
static void ScenarioStaticMissing(void)
{
    BUS bus;
    if (Setup(&bus)) {
        uint32_t status = 1;
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_STATIC_MISSING, NULL, 0, &status, sizeof status),
                        KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(status, KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        KT_CHECKF(!HasChild(&bus, "KhBus\\StaticToy\\77"), "the static child is gone");
    }
    Teardown(&bus, "after WdfPdoMarkMissing");
}

/* A child unplugged with I/O in flight in its function driver and at its PDO: both
   requests are cancelled, later I/O on the open file fails, and the verifier stays
   silent. */
static void ScenarioSurpriseWithIo(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 5), KT_STATUS_SUCCESS);
        char path[512];
        KH_FILE *file = NULL;
        if (KT_CHECK(ChildInterface("KhBus#Toy#05", path, sizeof path)) &&
            KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
            KT_IO *inDriver = KtIoCreate(1, 1);
            KT_IO *atPdo = KtIoCreate(1, 1);
            KtSubmitIoctl(file, inDriver, IOCTL_KHCHILD_PARK, 0, 0);
            KtSubmitIoctl(file, atPdo, IOCTL_KHCHILD_PARK_BELOW, 0, 0);
            KT_CHECKF(!KtIoDone(inDriver) && !KtIoDone(atPdo), "both requests are in flight");
            KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 5), KT_STATUS_SUCCESS);
            if (KT_CHECK(KtIoWait(inDriver, KT_WAIT_MS))) {
                KT_CHECK_STATUS(inDriver->Status, KT_STATUS_CANCELLED);
            }
            if (KT_CHECK(KtIoWait(atPdo, KT_WAIT_MS))) {
                KT_CHECK_STATUS(atPdo->Status, KT_STATUS_CANCELLED);
            }
            KT_CHECK(KtIoCompletions(inDriver) == 1 && KtIoCompletions(atPdo) == 1);
            KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\05"), "the child is gone");
            uint32_t who = 0;
            KT_CHECKF(!KT_NT_SUCCESS(Ioctl(file, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof who)),
                      "I/O on a file of a removed child fails");
            KtCloseFile(file);
            KtIoFree(inDriver);
            KtIoFree(atPdo);
        }
    }
    Teardown(&bus, "after a surprise removal with I/O in flight");
}

/* The bus removed with children present and I/O in flight at a child's PDO. */
static void ScenarioRemoveBus(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 6), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, KHBUS_SERIAL_NO_DRIVER + 1), KT_STATUS_SUCCESS);
        char path[512];
        KH_FILE *file = NULL;
        if (KT_CHECK(ChildInterface("KhBus#Toy#06", path, sizeof path)) &&
            KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
            KT_IO *atPdo = KtIoCreate(1, 1);
            KtSubmitIoctl(file, atPdo, IOCTL_KHCHILD_PARK_BELOW, 0, 0);
            KtCloseFile(bus.File);
            bus.File = NULL;
            KT_CHECK_STATUS(KmdfHostRemoveDevice(bus.Node), KT_STATUS_SUCCESS);
            bus.Node = NULL;
            if (KT_CHECK(KtIoWait(atPdo, KT_WAIT_MS))) {
                KT_CHECK_STATUS(atPdo->Status, KT_STATUS_CANCELLED);
            }
            KtCloseFile(file);
            KtIoFree(atPdo);
            KT_CHECKF(!ChildInterface("KhBus#", path, sizeof path), "no child interface is left");
        }
    }
    Teardown(&bus, "after removing the bus with children");
}

/* A child no driver serves: it is enumerated, not started, and unplugged cleanly. */
static void ScenarioNoDriver(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, KHBUS_SERIAL_NO_DRIVER), KT_STATUS_SUCCESS);
        KT_CHECK(HasChild(&bus, "KhBus\\Unknown\\100"));
        char path[512];
        KT_CHECKF(!ChildInterface("KhBus#Unknown", path, sizeof path), "no function driver was loaded");
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, KHBUS_SERIAL_NO_DRIVER), KT_STATUS_SUCCESS);
        KT_CHECK(!HasChild(&bus, "KhBus\\Unknown\\100"));
    }
    Teardown(&bus, "after a child without a driver");
}

/*
 * WdfDeviceCreateDeviceInterface on a PDO before the PnP manager knows it (the static
 * child: before WdfFdoAddStaticChild; a dynamic child: in EvtChildListCreateDevice) is
 * accepted and the interface is registered once the PDO is reported, then enabled when
 * it starts ("WdfDeviceCreateDeviceInterface": a PDO's interfaces, as in the kbfiltr
 * sample's raw PDO). A raw child is used through it with no function driver.
 */
static void ScenarioPdoInterface(void)
{
    BUS bus;
    if (Setup(&bus)) {
        char path[512];
        KH_FILE *file = NULL;
        if (KT_CHECKF(PdoInterface("KhBus#StaticToy#77", path, sizeof path),
                      "the static child's interface, created before WdfFdoAddStaticChild, is registered") &&
            KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
            /* The interface opens the child's stack: its function driver asks the PDO. */
            uint32_t who = 0;
            KT_CHECK_STATUS(Ioctl(file, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof who), KT_STATUS_SUCCESS);
            KT_CHECKF(who == KHBUS_STATIC_SERIAL, "the static child answers through its PDO's interface (%u)", who);
            KtCloseFile(file);
            file = NULL;
        }
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECKF(PdoInterface("KhBus#Toy#01", path, sizeof path),
                  "a dynamic child's interface, created in EvtChildListCreateDevice, is registered");

        const uint32_t raw = KHBUS_SERIAL_RAW + 1;
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, raw), KT_STATUS_SUCCESS);
        KT_CHECK(HasChild(&bus, "KhBus\\RawToy\\201"));
        if (KT_CHECKF(PdoInterface("KhBus#RawToy#201", path, sizeof path), "the raw child's interface is registered") &&
            KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
            uint32_t who = 0;
            KT_CHECK_STATUS(Ioctl(file, IOCTL_KHBUS_PDO_WHO, NULL, 0, &who, sizeof who), KT_STATUS_SUCCESS);
            KT_CHECKF(who == raw, "the raw PDO's own queue answers (%u)", who);
            KtCloseFile(file);
        }
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, raw), KT_STATUS_SUCCESS);
        KT_CHECKF(!PdoInterface("KhBus#RawToy#201", path, sizeof path), "an unplugged child's interface is gone");
    }
    Teardown(&bus, "after PDO interfaces");
}

/*
 * EvtDeviceReportedMissing: once for each child whose PDO the PnP manager had and the
 * bus relations then leave out (unplugged, left out of a scan, WdfPdoMarkMissing on the
 * static child), never for a child still present.
 */
static void ScenarioReportedMissing(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 2), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 3), KT_STATUS_SUCCESS);
        KT_CHECKF(Counts(&bus).ReportedMissing == 0, "no child was reported missing yet");
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 2), KT_STATUS_SUCCESS);
        KHBUS_COUNTS counts = Counts(&bus);
        KT_CHECKF(counts.ReportedMissing == 1 && counts.LastMissingSerial == 2,
                  "the unplugged child was reported missing (%u calls, last %u)", counts.ReportedMissing,
                  counts.LastMissingSerial);
        uint32_t keep[] = {1};
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_RESCAN, keep, sizeof keep, NULL, 0), KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        counts = Counts(&bus);
        KT_CHECKF(counts.ReportedMissing == 2 && counts.LastMissingSerial == 3,
                  "the child a scan left out was reported missing, the kept one not (%u calls, last %u)",
                  counts.ReportedMissing, counts.LastMissingSerial);
        uint32_t status = 1;
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_STATIC_MISSING, NULL, 0, &status, sizeof status),
                        KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        counts = Counts(&bus);
        KT_CHECKF(counts.ReportedMissing == 3 && counts.LastMissingSerial == KHBUS_STATIC_SERIAL,
                  "the static child marked missing was reported missing (%u calls, last %u)",
                  counts.ReportedMissing, counts.LastMissingSerial);
        KT_CHECK(HasChild(&bus, "KhBus\\Toy\\01") && ChildCount(&bus) == 1);
    }
    Teardown(&bus, "after children reported missing");
}

static KH_STATUS SetState(BUS *Bus, uint32_t Serial, uint32_t State)
{
    uint32_t input[2] = {Serial, State};
    KH_STATUS status = Ioctl(Bus->File, IOCTL_KHBUS_SET_STATE, input, sizeof input, NULL, 0);
    KmdfHostWaitForPnpIdle();
    return status;
}

/*
 * WdfDeviceSetDeviceState with Failed or Removed: the framework calls
 * IoInvalidateDeviceState, the PnP manager asks the stack for its state
 * (IRP_MN_QUERY_PNP_DEVICE_STATE) and tears a failed or removed device down
 * (IRP_MN_SURPRISE_REMOVAL, then IRP_MN_REMOVE_DEVICE once no file is open): its
 * interfaces go, I/O on a file still open fails, its bus keeps reporting it and it is
 * not restarted. The bus itself set failed loses its children.
 */
static void ScenarioDeviceState(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 2), KT_STATUS_SUCCESS);
        char path[512];
        KT_CHECK(ChildInterface("KhBus#Toy#01", path, sizeof path));
        KT_CHECK_STATUS(SetState(&bus, 1, KHBUS_STATE_FAILED), KT_STATUS_SUCCESS);
        KT_CHECKF(!ChildInterface("KhBus#Toy#01", path, sizeof path), "a failed child's interface is gone");
        KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\01"), "a failed child without open files is removed");
        KT_CHECKF(Counts(&bus).Present == 2, "its bus still reports it");
        uint32_t both[] = {1, 2};
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_RESCAN, both, sizeof both, NULL, 0), KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\01"), "a failed child is not restarted by an enumeration");

        KH_FILE *file = NULL;
        if (KT_CHECK(ChildInterface("KhBus#Toy#02", path, sizeof path)) &&
            KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
            uint32_t who = 0;
            KT_CHECK_STATUS(Ioctl(file, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof who), KT_STATUS_SUCCESS);
            KT_CHECK_STATUS(SetState(&bus, 2, KHBUS_STATE_REMOVED), KT_STATUS_SUCCESS);
            KT_CHECKF(!ChildInterface("KhBus#Toy#02", path, sizeof path), "a removed child's interface is gone");
            KT_CHECKF(!KT_NT_SUCCESS(Ioctl(file, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof who)),
                      "I/O on a file of a child reported removed fails");
            KtCloseFile(file);
        }
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 2), KT_STATUS_SUCCESS);
        KT_CHECK(ChildCount(&bus) == 1);
        KT_CHECK_STATUS(SetState(&bus, 9, KHBUS_STATE_FAILED), ST_NO_SUCH_DEVICE);

        /* The bus FDO (a root device) fails: it is surprise-removed with its children;
           KmdfHostRemoveDevice completes its removal. */
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 3), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(SetState(&bus, 0, KHBUS_STATE_FAILED), KT_STATUS_SUCCESS);
        KT_CHECKF(ChildCount(&bus) == 0, "the failed bus's children are removed (%zu left)", ChildCount(&bus));
        uint8_t guid[16];
        BusGuid(guid);
        char list[1024] = {0};
        size_t required = 0;
        KT_CHECK_STATUS(KmdfHostGetInterfaceList(guid, list, sizeof list, &required), KT_STATUS_SUCCESS);
        KT_CHECKF(list[0] == 0, "the failed bus's interface is gone");
        uint32_t serial = 4;
        KT_CHECKF(!KT_NT_SUCCESS(Ioctl(bus.File, IOCTL_KHBUS_PLUG, &serial, sizeof serial, NULL, 0)),
                  "I/O on the failed bus fails");
    }
    Teardown(&bus, "after devices reported failed and removed");
}

static KH_STATUS Relate(BUS *Bus, uint32_t Owner, uint32_t Other, uint32_t Op)
{
    uint32_t input[3] = {Owner, Other, Op};
    return Ioctl(Bus->File, IOCTL_KHBUS_RELATE, input, sizeof input, NULL, 0);
}

/*
 * Removal relations (WdfDeviceAddRemovalRelationsPhysicalDevice: "a specified device
 * must be removed when another specified device is removed"): unplugging a child
 * removes the children in its relations first; a relation taken back
 * (WdfDeviceRemoveRemovalRelationsPhysicalDevice, WdfDeviceClearRemovalRelationsDevices)
 * no longer does.
 */
static void ScenarioRemovalRelations(void)
{
    BUS bus;
    if (Setup(&bus)) {
        for (uint32_t serial = 1; serial <= 6; serial++) {
            KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, serial), KT_STATUS_SUCCESS);
        }
        KT_CHECK(ChildCount(&bus) == 7);
        KT_CHECK_STATUS(Relate(&bus, 2, 1, KHBUS_RELATE_ADD), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Relate(&bus, 2, 1, KHBUS_RELATE_ADD), ST_DUPLICATE_OBJECTID);
        KT_CHECK_STATUS(Relate(&bus, 9, 1, KHBUS_RELATE_ADD), ST_NO_SUCH_DEVICE);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 2), KT_STATUS_SUCCESS);
        char path[512];
        KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\02") && !HasChild(&bus, "KhBus\\Toy\\01"),
                  "unplugging a child removes the child in its removal relations");
        KT_CHECKF(!ChildInterface("KhBus#Toy#01", path, sizeof path), "the related child's driver is gone");
        KT_CHECK(HasChild(&bus, "KhBus\\Toy\\03"));

        KT_CHECK_STATUS(Relate(&bus, 4, 3, KHBUS_RELATE_ADD), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Relate(&bus, 4, 3, KHBUS_RELATE_REMOVE), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 4), KT_STATUS_SUCCESS);
        KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\04") && HasChild(&bus, "KhBus\\Toy\\03"),
                  "a relation taken back removes nothing");

        KT_CHECK_STATUS(Relate(&bus, 5, 3, KHBUS_RELATE_ADD), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Relate(&bus, 5, 6, KHBUS_RELATE_ADD), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Relate(&bus, 5, 0, KHBUS_RELATE_CLEAR), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Relate(&bus, 6, 5, KHBUS_RELATE_ADD), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 5), KT_STATUS_SUCCESS);
        KT_CHECKF(!HasChild(&bus, "KhBus\\Toy\\05") && HasChild(&bus, "KhBus\\Toy\\03") &&
                      HasChild(&bus, "KhBus\\Toy\\06"),
                  "cleared relations remove nothing, nor does a relation the other way round");
        KT_CHECK(ChildInterface("KhBus#Toy#06", path, sizeof path));
    }
    Teardown(&bus, "after removal relations");
}

/* The serial the function driver of the child whose interface path contains Needle
   gets from its PDO, or 0. */
static uint32_t ChildWho(const char *Needle)
{
    char path[512];
    KH_FILE *file = NULL;
    uint32_t who = 0;
    if (KT_CHECKF(ChildInterface(Needle, path, sizeof path), "%s has its function driver", Needle) &&
        KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
        KT_CHECK_STATUS(Ioctl(file, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof who), KT_STATUS_SUCCESS);
        KtCloseFile(file);
    }
    return who;
}

/*
 * A child unplugged and plugged in again is a new child: a new PDO
 * (EvtChildListCreateDevice), a new device node, its function driver started again. So
 * is a child whose device was removed while present (reported failed), once it is
 * unplugged and plugged in again.
 */
static void ScenarioReplug(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECK(ChildWho("KhBus#Toy#01") == 1);
        for (int round = 0; round < 2; round++) {
            KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 1), KT_STATUS_SUCCESS);
            KT_CHECK(!HasChild(&bus, "KhBus\\Toy\\01"));
            KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
            KT_CHECKF(HasChild(&bus, "KhBus\\Toy\\01"), "the child plugged in again is enumerated (round %d)", round);
            KT_CHECKF(ChildWho("KhBus#Toy#01") == 1, "its function driver started again (round %d)", round);
        }
        KHBUS_COUNTS counts = Counts(&bus);
        KT_CHECKF(counts.PdosCreated == 3 && counts.ReportedMissing == 2 && counts.Present == 1,
                  "each plug-in made a PDO (%u), each unplug reported one missing (%u)", counts.PdosCreated,
                  counts.ReportedMissing);

        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 2), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(SetState(&bus, 2, KHBUS_STATE_FAILED), KT_STATUS_SUCCESS);
        KT_CHECK(!HasChild(&bus, "KhBus\\Toy\\02"));
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_UNPLUG, 2), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 2), KT_STATUS_SUCCESS);
        KT_CHECKF(HasChild(&bus, "KhBus\\Toy\\02") && ChildWho("KhBus#Toy#02") == 2,
                  "a child removed while present starts again once plugged in again");
        KT_CHECK(ChildCount(&bus) == 3);
    }
    Teardown(&bus, "after plugging children in again");
}

static KH_STATUS Delete(BUS *Bus, uint32_t What, uint32_t *Result)
{
    *Result = 0xFFFFFFFFu;
    KH_STATUS status = Ioctl(Bus->File, IOCTL_KHBUS_DELETE, &What, sizeof What, Result, sizeof *Result);
    KmdfHostWaitForPnpIdle();
    return status;
}

/*
 * WdfObjectDelete of a PDO the driver created and never added to the static list is
 * allowed ("If WdfFdoAddStaticChild returns [a failure], the driver must call
 * WdfObjectDelete"; nothing leaks, which the unload checks); deleting the added static
 * child, a dynamic child's PDO or the FDO is reported (INVALID_OBJECT_DELETE: "the
 * driver must not delete the framework device object after WdfFdoAddStaticChild returns
 * STATUS_SUCCESS") and changes nothing.
 */
static void ScenarioDelete(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KtVerifierCapture();
        uint32_t result;
        KT_CHECK_STATUS(Delete(&bus, KHBUS_DELETE_UNREPORTED, &result), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(result, KT_STATUS_SUCCESS);
        KT_CHECKF(KtVerifierCount("INVALID_OBJECT_DELETE") == 0, "an unreported static PDO is the driver's to delete");
        KT_CHECKF(KtVerifierCount("BUGCHECK") == 0,
                  "a device state set on an unreported PDO invalidates nothing (KMDF waits for the PDO to be known)");
        KT_CHECK(ChildCount(&bus) == 1);
        char path[512];
        KT_CHECKF(!PdoInterface("KhBus#StaticToy#78", path, sizeof path), "the deleted PDO's interface never registered");

        KT_CHECK_STATUS(Delete(&bus, KHBUS_DELETE_STATIC, &result), KT_STATUS_SUCCESS);
        KT_CHECKF(KtVerifierCount("INVALID_OBJECT_DELETE") == 1 &&
                      KtVerifierSawText("INVALID_OBJECT_DELETE", "WDFDEVICE"),
                  "deleting the added static child is reported");
        KT_CHECKF(HasChild(&bus, "KhBus\\StaticToy\\77"), "the static child stays");

        KT_CHECK_STATUS(Delete(&bus, KHBUS_DELETE_FDO, &result), KT_STATUS_SUCCESS);
        KT_CHECKF(KtVerifierCount("INVALID_OBJECT_DELETE") == 2, "deleting the FDO is reported");

        KT_CHECK_STATUS(Serial(&bus, IOCTL_KHBUS_PLUG, 1), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(Delete(&bus, KHBUS_DELETE_DYNAMIC + 1, &result), KT_STATUS_SUCCESS);
        KT_CHECK_STATUS(result, KT_STATUS_SUCCESS);
        KT_CHECKF(KtVerifierCount("INVALID_OBJECT_DELETE") == 3, "deleting a dynamic child's PDO is reported");
        KT_CHECKF(HasChild(&bus, "KhBus\\Toy\\01"), "the dynamic child stays");
        uint32_t who = 0;
        KH_FILE *file = NULL;
        if (KT_CHECK(ChildInterface("KhBus#Toy#01", path, sizeof path)) &&
            KT_CHECK_STATUS(KmdfHostCreateFile(path, &file), KT_STATUS_SUCCESS)) {
            KT_CHECK_STATUS(Ioctl(file, IOCTL_KHCHILD_WHO, NULL, 0, &who, sizeof who), KT_STATUS_SUCCESS);
            KT_CHECKF(who == 1, "the dynamic child still works (%u)", who);
            KtCloseFile(file);
        }
        KtVerifierReset();
    }
    Teardown(&bus, "after deletions");
}

/* Documented failures of the child list DDIs and of the control API. */
static void ScenarioBadInput(void)
{
    BUS bus;
    if (Setup(&bus)) {
        KtVerifierCapture();
        KHBUS_BAD_INPUT result;
        memset(&result, 0, sizeof result);
        KT_CHECK_STATUS(Ioctl(bus.File, IOCTL_KHBUS_BAD_INPUT, NULL, 0, &result, sizeof result), KT_STATUS_SUCCESS);
        KmdfHostWaitForPnpIdle();
        KT_CHECK_STATUS(result.WrongSizeAdd, ST_INVALID_PARAMETER);
        KT_CHECK_STATUS(result.DuplicateAdd, ST_OBJECT_NAME_EXISTS);
        KT_CHECK_STATUS(result.MissingUnknown, ST_NO_SUCH_DEVICE);
        KT_CHECK(result.EjectUnknown == 0);
        KT_CHECK(result.RetrieveUnknownNull == 1);
        KT_CHECK(result.RetrieveUnknownStatus == 3 /* WdfChildListRetrieveDeviceNoSuchDevice */);
        KT_CHECK_STATUS(result.StaticNotPdo, ST_INVALID_PARAMETER);
        KT_CHECK_STATUS(result.ChildListCreateNoCallback, ST_INVALID_PARAMETER);
        KT_CHECKF(KtVerifierSawLine("INVALID_HANDLE") && KtVerifierSawText("INVALID_HANDLE", "WDFCHILDLIST"),
                  "a WDFDEVICE passed as a WDFCHILDLIST is reported");
        KtVerifierReset();

        KT_CHECK_STATUS(KmdfHostSetDriverForHardwareId(NULL, bus.Child), ST_INVALID_PARAMETER);
        KT_CHECK_STATUS(KmdfHostSetDriverForHardwareId("", bus.Child), ST_INVALID_PARAMETER);
        KT_CHECK_STATUS(KmdfHostSetDriverForHardwareId("KhBus\\Nothing", NULL), KT_STATUS_OBJECT_NAME_NOT_FOUND);
        char small[4];
        size_t required = 0;
        KT_CHECK_STATUS(KmdfHostGetChildInstanceIds(bus.Node, small, sizeof small, &required),
                        KT_STATUS_BUFFER_TOO_SMALL);
        KT_CHECK(required == strlen("KhBus\\StaticToy\\77") + 2);
        KT_CHECK_STATUS(KmdfHostGetChildInstanceIds(NULL, small, sizeof small, &required), ST_INVALID_PARAMETER);
        KmdfHostWaitForPnpIdle();
    }
    Teardown(&bus, "after bad input");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *Name;
        void (*Run)(void);
    } scenarios[] = {
        {"enumerate", ScenarioEnumerate},       {"unplug", ScenarioUnplug},
        {"eject", ScenarioEject},               {"static-missing", ScenarioStaticMissing},
        {"surprise-with-io", ScenarioSurpriseWithIo}, {"remove-bus", ScenarioRemoveBus},
        {"no-driver", ScenarioNoDriver},        {"bad-input", ScenarioBadInput},
        {"pdo-interface", ScenarioPdoInterface}, {"delete", ScenarioDelete},
        {"reported-missing", ScenarioReportedMissing}, {"device-state", ScenarioDeviceState},
        {"removal-relations", ScenarioRemovalRelations}, {"replug", ScenarioReplug},
    };
    for (size_t i = 0; argc == 2 && i < sizeof scenarios / sizeof scenarios[0]; i++) {
        if (strcmp(argv[1], scenarios[i].Name) == 0) {
            KtSection("%s", scenarios[i].Name);
            scenarios[i].Run();
            return KtFinish();
        }
    }
    fprintf(stderr, "usage: bus_test SCENARIO\n");
    return 2;
}
