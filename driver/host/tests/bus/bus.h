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
/* Input: KHBUS_TEXT as WCHARs with its NUL, what a Windows program puts into the buffer.
   Output ULONG: the WCHARs before the NUL as the driver reads them. STATUS_SUCCESS when
   the bytes are KHBUS_TEXT's, STATUS_INVALID_PARAMETER otherwise. */
#define IOCTL_KHBUS_TEXT KHBUS_CTL(0x808)

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
#define KHBUS_STATIC_SERIAL 77u

#define KHBUS_HARDWARE_ID L"KhBus\\Toy"
#define KHBUS_COMPATIBLE_ID L"KhBus\\AnyToy"
#define KHBUS_UNKNOWN_ID L"KhBus\\Unknown"
#define KHBUS_STATIC_ID L"KhBus\\StaticToy"
/* UTF-16, as WCHAR is on Windows: 14 WCHARs, the last two a surrogate pair (U+1F600). */
#define KHBUS_TEXT L"KhBus\\Text-\u00e9\U0001F600"
#define KHBUS_TEXT_WCHARS 14u

typedef struct KHBUS_COUNTS {
    unsigned int PdosCreated;  /* EvtChildListCreateDevice calls that created a PDO */
    unsigned int Ejects;       /* EvtDeviceEject calls */
    unsigned int Present;      /* children WdfChildListRetrieveNextDevice returns as present */
    unsigned int StaticPresent; /* static children WdfFdoRetrieveNextStaticChild returns as present */
    int InterfaceReferences;    /* KHBUS_TOY_INTERFACE references held (reference - dereference) */
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
