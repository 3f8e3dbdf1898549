/*
 * bus.h - the contract between the bus tests (bus_test.c) and their two drivers:
 * khbus.c, a bus driver with a dynamic child list and one static child, and khchild.c,
 * the function driver the host loads for the bus's children.
 */
#ifndef KHBUS_TEST_H
#define KHBUS_TEST_H

#define KHBUS_DEVICE_TYPE 0x8124u
#define KHBUS_CTL(function) (((KHBUS_DEVICE_TYPE) << 16) | ((function) << 2) | 0 /* METHOD_BUFFERED */)

/* The bus FDO's interface. Input: a ULONG serial number unless noted. */
#define IOCTL_KHBUS_PLUG KHBUS_CTL(0x800)           /* AddOrUpdateChildDescriptionAsPresent */
#define IOCTL_KHBUS_UNPLUG KHBUS_CTL(0x801)         /* UpdateChildDescriptionAsMissing (0: a scan that keeps none) */
#define IOCTL_KHBUS_EJECT KHBUS_CTL(0x802)          /* WdfChildListRequestChildEject; output ULONG: its BOOLEAN */
#define IOCTL_KHBUS_STATIC_MISSING KHBUS_CTL(0x803) /* WdfPdoMarkMissing on the static child; output: NTSTATUS */
#define IOCTL_KHBUS_STATIC_EJECT KHBUS_CTL(0x804)   /* WdfPdoRequestEject on the static child */
#define IOCTL_KHBUS_COUNTS KHBUS_CTL(0x805)         /* output: KHBUS_COUNTS */
#define IOCTL_KHBUS_BAD_INPUT KHBUS_CTL(0x806)      /* output: KHBUS_BAD_INPUT, documented failures */
#define IOCTL_KHBUS_RESCAN KHBUS_CTL(0x807)         /* a scan that reports the serials of the input (ULONG[]) */
#define IOCTL_KHBUS_DELETE KHBUS_CTL(0x808)         /* WdfObjectDelete of a device, input ULONG KHBUS_DELETE_*
                                                       (a serial from KHBUS_DELETE_DYNAMIC on); output NTSTATUS */
#define IOCTL_KHBUS_SET_STATE KHBUS_CTL(0x809)      /* WdfDeviceSetDeviceState: input ULONG[2], a serial (0: the
                                                       bus FDO itself) and KHBUS_STATE_* */
#define IOCTL_KHBUS_RELATE KHBUS_CTL(0x80A)         /* removal relations of a child's PDO: input ULONG[3], the
                                                       child's serial, another child's serial, KHBUS_RELATE_* */
#define KHBUS_RELATE_ADD 1u    /* WdfDeviceAddRemovalRelationsPhysicalDevice (the status is the request's) */
#define KHBUS_RELATE_REMOVE 2u /* WdfDeviceRemoveRemovalRelationsPhysicalDevice */
#define KHBUS_RELATE_CLEAR 3u  /* WdfDeviceClearRemovalRelationsDevices (the other serial is not used) */
#define KHBUS_STATE_FAILED 1u  /* Failed = WdfTrue */
#define KHBUS_STATE_REMOVED 2u /* Removed = WdfTrue */

/* What IOCTL_KHBUS_DELETE deletes. */
#define KHBUS_DELETE_UNREPORTED 1u /* a static PDO it creates now and never adds: allowed, STATUS_SUCCESS */
#define KHBUS_DELETE_STATIC 2u     /* the static child, added and reported: INVALID_OBJECT_DELETE */
#define KHBUS_DELETE_FDO 3u        /* the bus FDO itself: INVALID_OBJECT_DELETE */
#define KHBUS_DELETE_DYNAMIC 1000u /* + serial: that dynamic child's PDO (EvtChildListCreateDevice's):
                                      INVALID_OBJECT_DELETE; STATUS_NO_SUCH_DEVICE without one */

/* Input: KHBUS_TEXT as WCHARs with its NUL, what a Windows program puts into the buffer.
   Output ULONG: the WCHARs before the NUL as the driver reads them. STATUS_SUCCESS when
   the bytes are KHBUS_TEXT's, STATUS_INVALID_PARAMETER otherwise. */
#define IOCTL_KHBUS_TEXT KHBUS_CTL(0x80B)

/* Handled by a child's PDO (the bus driver's queue of the PDO). */
#define IOCTL_KHBUS_PDO_WHO KHBUS_CTL(0x900)  /* output ULONG: the child's serial number */
#define IOCTL_KHBUS_PDO_PARK KHBUS_CTL(0x901) /* kept in a manual queue until cancelled */

/* Handled by the child's function driver (khchild.c). */
#define IOCTL_KHCHILD_WHO KHBUS_CTL(0xA00)   /* sent down to the PDO: its serial number */
#define IOCTL_KHCHILD_PARK KHBUS_CTL(0xA01)  /* kept in the function driver's manual queue */
#define IOCTL_KHCHILD_PARK_BELOW KHBUS_CTL(0xA02) /* sent down to the PDO, which parks it */
#define IOCTL_KHCHILD_IFACE KHBUS_CTL(0xA03) /* output ULONG: the serial, through the bus's interface */

/* A serial number at or above this one gets a hardware ID that no driver serves. */
#define KHBUS_SERIAL_NO_DRIVER 100u
/* From this one on, a raw child (WdfPdoInitAssignRawDevice, hardware ID KhBus\RawToy):
   started without a function driver, used through its PDO's own interface. */
#define KHBUS_SERIAL_RAW 200u
#define KHBUS_STATIC_SERIAL 77u

#define KHBUS_HARDWARE_ID L"KhBus\\Toy"
#define KHBUS_COMPATIBLE_ID L"KhBus\\AnyToy"
#define KHBUS_UNKNOWN_ID L"KhBus\\Unknown"
#define KHBUS_STATIC_ID L"KhBus\\StaticToy"
#define KHBUS_RAW_ID L"KhBus\\RawToy"
/* UTF-16, as WCHAR is on Windows: 14 WCHARs, the last two a surrogate pair (U+1F600). */
#define KHBUS_TEXT L"KhBus\\Text-\u00e9\U0001F600"
#define KHBUS_TEXT_WCHARS 14u

/* Every child's PDO creates an interface of this class (GUID_KHBUS_PDO_INTERFACE) right
   after WdfDeviceCreate, before the PnP manager knows the PDO (the static child: before
   WdfFdoAddStaticChild); the framework registers it once the PDO is reported.
   {1b6c9f12-4d2a-4e61-8a3f-27905c11d406} */

typedef struct KHBUS_COUNTS {
    unsigned int PdosCreated;  /* EvtChildListCreateDevice calls that created a PDO */
    unsigned int Ejects;       /* EvtDeviceEject calls */
    unsigned int Present;      /* children WdfChildListRetrieveNextDevice returns as present */
    unsigned int StaticPresent; /* static children WdfFdoRetrieveNextStaticChild returns as present */
    int InterfaceReferences;    /* KHBUS_TOY_INTERFACE references held (reference - dereference) */
    unsigned int ReportedMissing;   /* EvtDeviceReportedMissing calls */
    unsigned int LastMissingSerial; /* the serial of the child of the last one */
} KHBUS_COUNTS;

/* The driver-defined interface a child's PDO exposes (WdfDeviceAddQueryInterface) and
   its function driver queries (WdfFdoQueryForInterface). */
#define KHBUS_TOY_INTERFACE_VERSION 1
#ifdef _WDFTYPES_H_
typedef struct _KHBUS_TOY_INTERFACE {
    INTERFACE Header;
    ULONG (*GetSerial)(PVOID Context);
} KHBUS_TOY_INTERFACE, *PKHBUS_TOY_INTERFACE;
#endif

typedef struct KHBUS_BAD_INPUT {
    int WrongSizeAdd;         /* AddOrUpdate with a description of the wrong size */
    int DuplicateAdd;         /* AddOrUpdate of a child that is present */
    int MissingUnknown;       /* UpdateChildDescriptionAsMissing of a child never added */
    int StaticNotPdo;         /* WdfFdoAddStaticChild of the FDO itself */
    int RetrieveUnknownStatus; /* WdfChildListRetrievePdo of an unknown child: Info.Status */
    int RetrieveUnknownNull;   /* ... and whether it returned NULL */
    int EjectUnknown;          /* WdfChildListRequestChildEject of an unknown child */
    int ChildListCreateNoCallback; /* WdfChildListCreate without EvtChildListCreateDevice */
} KHBUS_BAD_INPUT;

#endif
