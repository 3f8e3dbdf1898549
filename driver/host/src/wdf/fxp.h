/*
 * fxp.h - internals of the host's Kernel-Mode Driver Framework (what Wdf01000.sys is on
 * Windows). Shared by the src/wdf C files only; drivers see wdf.h.
 *
 * Every framework object starts with an FX_OBJECT header, and a handle (WDFxxx) is the
 * address of that header. Objects are allocated together with their first context.
 * When an object's last reference goes, its memory is poisoned (Magic = FX_MAGIC_DEAD)
 * and kept in a quarantine for a while before it is freed, so that a driver that uses a
 * handle after deletion (or a request after completion) is recognized and reported
 * instead of corrupting memory.
 *
 * Broken rules are reported with FxReport (which adds the driver and the callback) as
 * "VERIFIER: ID: what, where"; the ids are in the verifier's catalogue,
 * src/verifier/verifier.h.
 */
#ifndef KH_WDF_FX_H
#define KH_WDF_FX_H

#include <ntddk.h>
#include <wdf.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ex/ex.h"
#include "ke/ke.h"
#include "os/hostos.h"

#define FX_MAGIC_LIVE 0x4F586657u /* "WfXO" */
#define FX_MAGIC_DEAD 0xDEADF0B7u

/* The framework version that the host implements. */
#define FX_VERSION_MAJOR 1
#define FX_VERSION_MINOR 33

/* Safety nets for waits that a correct driver always ends (never hit in tests). */
#define FX_SAFETY_TIMEOUT_NS (10ull * 1000 * 1000 * 1000)

typedef enum FX_TYPE {
    FxTypeAny = 0,
    FxTypeObject,
    FxTypeDriver,
    FxTypeDevice,
    FxTypeQueue,
    FxTypeRequest,
    FxTypeMemory,
    FxTypeTimer,
    FxTypeSpinLock,
    FxTypeWaitLock,
    FxTypeKey,
    FxTypeString,
    FxTypeFileObject,
    FxTypeDpc,
    FxTypeWorkItem,
    FxTypeIoTarget,
    FxTypeCollection,
    FxTypeChildList,
    FxTypeWmiProvider,
    FxTypeWmiInstance,
    FxTypeCmResList,
    FxTypeLookaside,
} FX_TYPE;

/* A doubly linked list node / head. */
typedef struct FX_LINK {
    struct FX_LINK *Next;
    struct FX_LINK *Prev;
} FX_LINK;

#define FX_CONTAINING(ptr, type, field) ((type *)((char *)(ptr)-offsetof(type, field)))

static inline void FxListInit(FX_LINK *Head)
{
    Head->Next = Head->Prev = Head;
}
static inline bool FxListEmpty(const FX_LINK *Head)
{
    return Head->Next == Head;
}
static inline void FxListInsertTail(FX_LINK *Head, FX_LINK *Entry)
{
    Entry->Prev = Head->Prev;
    Entry->Next = Head;
    Head->Prev->Next = Entry;
    Head->Prev = Entry;
}
static inline void FxListRemove(FX_LINK *Entry)
{
    Entry->Prev->Next = Entry->Next;
    Entry->Next->Prev = Entry->Prev;
    Entry->Next = Entry->Prev = Entry;
}

struct FX_OBJECT;
struct FX_DRIVER;
struct FX_DEVICE;
struct FX_QUEUE;
struct FX_REQUEST;
struct FX_IOTARGET;

/* One context of an object; the context memory follows the header. */
typedef struct FX_CONTEXT {
    struct FX_CONTEXT *Next;
    struct FX_OBJECT *Owner;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo;
    PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanup;
    PFN_WDF_OBJECT_CONTEXT_DESTROY EvtDestroy;
    size_t Size;
    bool Separate; /* allocated apart from the object (WdfObjectAllocateContext) */
    _Alignas(16) unsigned char Data[];
} FX_CONTEXT;

/*
 * The synchronization lock of a device or queue (synchronization scope): a spin lock
 * (raises to DISPATCH_LEVEL while held) or, at passive execution level, a wait lock.
 */
typedef struct FX_SYNC_LOCK {
    HOS_MUTEX Mutex;
    _Atomic uint64_t Owner; /* HosCurrentThreadId of the holder, 0 when free */
    bool Passive;
    KIRQL OldIrql;
    atomic_int InCallback;     /* serialized callbacks running under this lock */
    struct FX_QUEUE *Deferred; /* queues to dispatch once the holder releases the lock */
} FX_SYNC_LOCK;

typedef enum FX_OBJECT_STATE {
    FxStateLive = 0,
    FxStateDeleting, /* WdfObjectDelete (or parent deletion) has begun */
    FxStateDestroyed,
} FX_OBJECT_STATE;

typedef struct FX_OBJECT_OPS {
    /* Before the children are deleted (stop timers, purge queues ...). */
    void (*Dispose)(struct FX_OBJECT *Object);
    /* When the last reference is gone, before the memory is released. */
    void (*Destroy)(struct FX_OBJECT *Object);
} FX_OBJECT_OPS;

typedef struct FX_OBJECT {
    uint32_t Magic;
    FX_TYPE Type;
    struct FX_DRIVER *Driver;
    struct FX_OBJECT *Parent;
    FX_LINK Children;
    FX_LINK Sibling;
    FX_LINK AllLink;
    atomic_long RefCount;
    atomic_int State;
    bool NoDriverDelete; /* the driver may not WdfObjectDelete it */
    bool Embedded;       /* lives inside another object's memory (request buffers) */
    bool Inserted;       /* linked into the object tree */
    struct FX_OBJECT *EmbeddedIn;
    FX_CONTEXT *Contexts; /* under the framework's global lock */
    PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanup;
    PFN_WDF_OBJECT_CONTEXT_DESTROY EvtDestroy;
    WDF_EXECUTION_LEVEL ExecutionLevel;  /* resolved */
    WDF_SYNCHRONIZATION_SCOPE SyncScope; /* as given */
    FX_SYNC_LOCK *SyncLock;              /* lock for this object's callbacks, or NULL */
    const FX_OBJECT_OPS *Ops;
} FX_OBJECT;

/* ------------------------------------------------------------------ objects */

/* Validates a handle of the given type (FxTypeAny: any type); reports and returns NULL. */
FX_OBJECT *FxObjectFromHandle(const void *Handle, FX_TYPE Type, const char *Api);

/* Allocates BodySize bytes (zeroed, FX_OBJECT first) plus the context of Attributes. */
NTSTATUS FxObjectAllocate(size_t BodySize, FX_TYPE Type, PWDF_OBJECT_ATTRIBUTES Attributes,
                          struct FX_DRIVER *Driver, const FX_OBJECT_OPS *Ops, FX_OBJECT **Object);
/* Frees an object that was allocated but never inserted. */
void FxObjectFreeUninserted(FX_OBJECT *Object);
/* Makes the object a child of Parent (NULL: none) and visible to leak accounting. */
void FxObjectInsert(FX_OBJECT *Object, FX_OBJECT *Parent);
void FxObjectReference(FX_OBJECT *Object);
void FxObjectDereference(FX_OBJECT *Object);
/* Deletes the object: children first, cleanup callbacks, then the creation reference. */
void FxObjectDelete(FX_OBJECT *Object);
/* Validates the attributes a driver passed; STATUS_SUCCESS when usable. */
NTSTATUS FxValidateAttributes(PWDF_OBJECT_ATTRIBUTES Attributes);
/* The device an object belongs to (itself, or through its parents), or NULL. */
struct FX_DEVICE *FxObjectGetDevice(FX_OBJECT *Object);
/* Resolves the execution level of an object created with Attributes under Parent. */
WDF_EXECUTION_LEVEL FxResolveExecutionLevel(PWDF_OBJECT_ATTRIBUTES Attributes, FX_OBJECT *Parent);
const char *FxTypeName(FX_TYPE Type);
/* The parent named in Attributes, else the calling driver's driver object. */
FX_OBJECT *FxDefaultParent(PWDF_OBJECT_ATTRIBUTES Attributes, const char *Api, NTSTATUS *Status);
/* Counts the live objects of Driver other than the driver object itself. */
void FxReportLeaks(struct FX_DRIVER *Driver);
/* Replaces the contents of a WDFSTRING (fxstring.c); STATUS_INVALID_HANDLE when String is
   not one. One allocation point. */
NTSTATUS FxStringSet(WDFSTRING String, const WCHAR *Buffer, size_t Bytes, const char *Api);
/* Opens the registry key Name as a WDFKEY of Driver under Parent (fxregistry.c). */
NTSTATUS FxRegistryOpenKey(struct FX_DRIVER *Driver, FX_OBJECT *Parent, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                           PUNICODE_STRING Name, ACCESS_MASK DesiredAccess, WDFKEY *Key);

/* A WDFKEY of Driver under Parent for a registry handle opened already; the key owns
   the handle from now on (it is closed on failure too). */
NTSTATUS FxRegistryWrapHandle(struct FX_DRIVER *Driver, FX_OBJECT *Parent,
                              PWDF_OBJECT_ATTRIBUTES KeyAttributes, HANDLE Handle, WDFKEY *Key);

/* Registry keys and properties of a device's PDO (fxdevice.c), shared by the WdfDevice
   and WdfFdoInit forms; Pdo NULL (a control device) gives STATUS_INVALID_DEVICE_REQUEST. */
NTSTATUS FxOpenDeviceKey(struct FX_DRIVER *Driver, FX_OBJECT *Parent, PDEVICE_OBJECT Pdo,
                         ULONG KeyType, ACCESS_MASK DesiredAccess,
                         PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key, const char *Api);
NTSTATUS FxQueryProperty(struct FX_DRIVER *Driver, PDEVICE_OBJECT Pdo,
                         DEVICE_REGISTRY_PROPERTY Property, ULONG BufferLength,
                         PVOID PropertyBuffer, PULONG ResultLength, const char *Api);
NTSTATUS FxAllocAndQueryProperty(struct FX_DRIVER *Driver, PDEVICE_OBJECT Pdo,
                                 DEVICE_REGISTRY_PROPERTY Property, POOL_TYPE PoolType,
                                 PWDF_OBJECT_ATTRIBUTES Attributes, WDFMEMORY *Memory,
                                 const char *Api);

/* ---------------------------------------------------- callbacks and sync locks */

/*
 * The synchronization lock that automatic serialization of a timer, DPC or work item
 * parented to Object joins: that of the nearest queue or device at or above Object
 * ("Using Automatic Synchronization"); NULL when that object has none.
 */
struct FX_SYNC_LOCK *FxSerializationLockOf(FX_OBJECT *Object);

FX_SYNC_LOCK *FxSyncLockCreate(bool Passive);
void FxSyncLockDelete(FX_SYNC_LOCK *Lock);
bool FxSyncLockHeldByCaller(FX_SYNC_LOCK *Lock);
void FxSyncLockAcquire(FX_SYNC_LOCK *Lock);
/* Releases the lock, then dispatches the queues whose dispatch was deferred to it. */
void FxSyncLockRelease(FX_SYNC_LOCK *Lock);

/* State saved around a driver callback. */
typedef struct FX_CALLBACK_FRAME {
    const char *PreviousName;
    struct FX_DRIVER *PreviousDriver;
    FX_SYNC_LOCK *Lock; /* acquired for this callback, or NULL */
    bool Serialized;    /* counted in Lock->InCallback */
    int SpinLocksHeld;
    ULONG KernelSpinLocksHeld;
    const void *Object;
    const char *Name;   /* the callback's name, for the schedule explorer */
} FX_CALLBACK_FRAME;

/*
 * Brackets a driver callback: acquires Lock unless NULL or already held by this thread
 * (in which case the callback is nested in a serialized one and already covered),
 * records the callback name for verifier reports, and on leave checks that the driver
 * released every WDFSPINLOCK it took.
 */
void FxCallbackEnter(FX_CALLBACK_FRAME *Frame, struct FX_DRIVER *Driver, FX_SYNC_LOCK *Lock,
                     const char *Name, const void *Object);
void FxCallbackLeave(FX_CALLBACK_FRAME *Frame);

/* Bookkeeping of the WDFSPINLOCKs the calling thread holds. */
void FxSpinLockNoteAcquired(void *SpinLock);
void FxSpinLockNoteReleased(void *SpinLock);
bool FxSpinLockHeldByThisThread(void *SpinLock);
/* Releases a WDFSPINLOCK that a callback left held (after SPINLOCK_MISUSE). */
void FxSpinLockForceRelease(void *SpinLock);

/* The driver whose callback the calling thread runs, or NULL. */
struct FX_DRIVER *FxCurrentDriver(void);

/* Name of the driver callback the calling thread is running ("no callback" if none). */
const char *FxCurrentCallback(void);
/* The number of spin locks (WDFSPINLOCK and KSPIN_LOCK) the calling thread holds. */
int FxSpinLocksHeldByCaller(void);

/* Reports a rule with the driver's name and the current callback appended. */
void FxReport(struct FX_DRIVER *Driver, const char *RuleId, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------- driver */

typedef struct FX_DRIVER {
    FX_OBJECT Object;
    PDRIVER_OBJECT DriverObject;
    WDF_DRIVER_CONFIG Config;
    UNICODE_STRING RegistryPath; /* NUL-terminated copy */
    PDRIVER_UNLOAD PreviousUnload;
    char Name[96];
    FX_LINK DriverLink;
} FX_DRIVER;

FX_DRIVER *FxDriverFromDriverObject(PDRIVER_OBJECT DriverObject);
const char *FxDriverName(FX_DRIVER *Driver);

/* ------------------------------------------------------------------- device */

typedef enum FX_PNP_STATE {
    FxPnpAdded = 0,
    FxPnpStarted,
    FxPnpSurpriseRemoved,
    FxPnpRemoved,
} FX_PNP_STATE;

typedef struct FX_INTERFACE {
    struct FX_INTERFACE *Next;
    GUID Guid;
    UNICODE_STRING ReferenceString; /* Buffer NULL when none */
    UNICODE_STRING SymbolicLink;    /* Buffer NULL while a PDO's interface waits for its
                                       registration (the PDO is not known to PnP yet) */
    bool Enabled;
} FX_INTERFACE;

/* Stored in the DEVICE_OBJECT's extension: outlives the WDFDEVICE. */
typedef struct FX_DEVICE_EXTENSION {
    uint32_t Magic;
    struct FX_DEVICE *_Atomic Device;
} FX_DEVICE_EXTENSION;

#define FX_EXTENSION_MAGIC 0x45586657u

/* A device text of a PDO (WdfPdoInitAddDeviceText), one per locale. */
typedef struct FX_PDO_TEXT {
    struct FX_PDO_TEXT *Next;
    LCID Locale;
    WCHAR *Description; /* NUL-terminated */
    WCHAR *Location;    /* NUL-terminated, or NULL */
} FX_PDO_TEXT;

/* What makes a device a PDO (WdfPdoInitAllocate, EvtChildListCreateDevice): fxpdo.c. */
typedef struct FX_PDO_DATA {
    struct FX_DEVICE *Parent;
    WCHAR *DeviceId;      /* NUL-terminated, or NULL */
    WCHAR *InstanceId;
    WCHAR *ContainerId;
    WCHAR *HardwareIds;   /* multi-string: each NUL-terminated, then one more NUL */
    size_t HardwareIdsUnits;   /* units before the final NUL */
    WCHAR *CompatibleIds;
    size_t CompatibleIdsUnits;
    FX_PDO_TEXT *Texts;
    LCID DefaultLocale;
    bool Raw;
    GUID RawClass;
    bool ForwardToParent;
    WDF_PDO_EVENT_CALLBACKS Callbacks;
    struct FX_CHILD *Child; /* its entry in the parent's child list or static list */
    /* Created by the driver for static enumeration (not in EvtChildListCreateDevice): the
       driver may delete it until it is added to the static list. */
    bool Static;
    /* The PnP manager knows the PDO (it got IRP_MN_QUERY_RESOURCE_REQUIREMENTS): device
       interfaces can be registered on it. Under the device's Lock. */
    bool Known;
} FX_PDO_DATA;

/* Frees a PDO's data (fxpdo.c). */
void FxPdoDataFree(FX_PDO_DATA *Data);

NTSTATUS FxInitCopyString(UNICODE_STRING *Target, PCUNICODE_STRING Source);

/* WdfDeviceInitAssignWdmIrpPreprocessCallback for one major function. */
typedef struct FX_PREPROCESS {
    PFN_WDFDEVICE_WDM_IRP_PREPROCESS Evt;
    bool AllMinors;          /* no minor function was named */
    bool Minors[256];        /* the minor functions named */
} FX_PREPROCESS;

struct WDFDEVICE_INIT {
    FX_DRIVER *Driver;
    FX_PDO_DATA *PdoData; /* a PDO's init, else NULL */
    bool HasDefaultChildList;
    WDF_CHILD_LIST_CONFIG DefaultChildListConfig;
    bool HasDefaultChildListAttributes;
    WDF_OBJECT_ATTRIBUTES DefaultChildListAttributes;
    PDEVICE_OBJECT Pdo;
    WDF_PNPPOWER_EVENT_CALLBACKS PnpPower;
    WDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicy; /* WdfDeviceInitSetPowerPolicyEventCallbacks */
    WDF_DEVICE_IO_TYPE IoType;
    DEVICE_TYPE DeviceType;
    ULONG Characteristics;
    BOOLEAN Exclusive;
    bool PowerNotPageable; /* WdfDeviceInitSetPowerNotPageable or SetPowerInrush (default: pageable) */
    bool PowerInrush;      /* WdfDeviceInitSetPowerInrush */
    bool HasRequestAttributes;
    WDF_OBJECT_ATTRIBUTES RequestAttributes;
    bool HasFileObjectConfig;
    WDF_FILEOBJECT_CONFIG FileObjectConfig;
    bool HasFileObjectAttributes;
    WDF_OBJECT_ATTRIBUTES FileObjectAttributes;
    UNICODE_STRING DeviceName;
    UNICODE_STRING Sddl; /* WdfDeviceInitAssignSDDLString / WdfControlDeviceInitAllocate; Buffer NULL without */
    bool Filter;
    bool Control; /* WdfControlDeviceInitAllocate */
    PFN_WDF_IO_IN_CALLER_CONTEXT EvtIoInCallerContext; /* WdfDeviceInitSetIoInCallerContextCallback */
    PFN_WDF_DEVICE_SHUTDOWN_NOTIFICATION ShutdownNotification; /* control devices; never delivered */
    UCHAR ShutdownFlags;
    bool CreatedByFramework;
    FX_PREPROCESS Preprocess[IRP_MJ_MAXIMUM_FUNCTION + 1];
    bool PowerPolicyOwnerSet; /* WdfDeviceInitSetPowerPolicyOwnership was called */
    bool PowerPolicyOwner;
    struct FX_DEVICE *CreatedDevice;
};

/*
 * The power policy of a device whose driver owns it: S0 idle (WdfDeviceAssignS0IdleSettings,
 * WdfDeviceStopIdle/ResumeIdle, the power references of power-managed queues) and Sx wake
 * settings. One thread per device with an idle policy runs the idle transitions; a timer
 * of src/os (virtual time under the schedule explorer) ends the idle time-out.
 */
typedef struct FX_POWER_POLICY {
    bool Owner;              /* the driver is the power policy owner */
    HOS_MUTEX Transition;    /* serializes power transitions (start, Sx, idle, removal) */
    HOS_MUTEX Lock;          /* the fields below */
    HOS_COND Changed;        /* for the policy thread and for StopIdle(WaitForD0) */
    bool IdleAssigned;       /* WdfDeviceAssignS0IdleSettings succeeded once */
    bool IdleEnabled;        /* idle power-down allowed (Settings.Enabled) */
    WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Idle;
    bool WakeAssigned;
    WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Wake;
    long References;         /* StopIdle references plus power-managed queues with requests */
    long StopIdleCount;      /* the StopIdle part of References */
    bool Started;            /* the device is started and not being removed */
    bool SystemSleeping;     /* the system sent the device to Dx (KmdfHostSuspendDevice) */
    bool IdleInDx;           /* powered down by the idle policy */
    WDF_POWER_DEVICE_STATE IdleState; /* the state it idled to */
    bool PoweringDown;       /* the policy thread is taking the device to Dx */
    bool PowerUpWanted;      /* a reference arrived while in (or on the way to) Dx */
    bool PowerUpFailed;      /* EvtDeviceD0Entry failed on an idle power-up */
    bool TimerDue;           /* the idle timer fired */
    uint64_t IdleDueNs;      /* when the current idle period ends (HosNowNs) */
    bool Stop;               /* the policy thread ends */
    struct HOS_TIMER *Timer;
    struct HOS_THREAD *Thread;
    unsigned long IdlePowerDowns; /* how many times the device idled to Dx */
    /* WdfDeviceWdmAssignPowerFrameworkSettings: the device registers with PoFx when it
       starts; PoFx then decides when its power is not required (system-managed idle). */
    bool PoFxAssigned;
    WDF_POWER_FRAMEWORK_SETTINGS PoFx;
    PO_FX_COMPONENT PoFxComponent;
    PO_FX_COMPONENT_IDLE_STATE *PoFxIdleStates;
    POHANDLE PoHandle;
    bool PoFxNotRequiredPending; /* DevicePowerNotRequiredCallback to complete */
    bool PoFxPowerRequiredPending; /* DevicePowerRequiredCallback to answer */
    bool ComponentActive;  /* component 0 is in the active condition */
    bool QueueChangeWanted; /* the power-managed queues follow ComponentActive */
} FX_POWER_POLICY;

typedef struct FX_DEVICE {
    FX_OBJECT Object;
    PDEVICE_OBJECT Fdo;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    FX_DEVICE_EXTENSION *Extension;
    WDF_PNPPOWER_EVENT_CALLBACKS PnpPower;
    /* The wake arming callbacks. The host's buses report no device that can signal
       wake (WdfDeviceAssignS0IdleSettings with IdleCanWakeFromS0 and
       WdfDeviceAssignSxWakeSettings fail with STATUS_POWER_STATE_INVALID), so the
       framework never arms a device for wake and never calls them. */
    WDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicy;
    bool HasRequestAttributes;
    WDF_OBJECT_ATTRIBUTES RequestAttributes;
    bool HasFileObjectConfig;
    WDF_FILEOBJECT_CONFIG FileObjectConfig;
    bool HasFileObjectAttributes;
    WDF_OBJECT_ATTRIBUTES FileObjectAttributes;
    WDF_DEVICE_IO_TYPE IoType;
    HOS_MUTEX Lock; /* interfaces, queues, file objects, state */
    FX_INTERFACE *Interfaces;
    struct FX_QUEUE *DefaultQueue;
    struct FX_QUEUE *Dispatch[IRP_MJ_MAXIMUM_FUNCTION + 1];
    FX_LINK Queues;
    FX_LINK Files;
    FX_PNP_STATE PnpState;
    bool InD0;
    bool HardwarePrepared;
    WDFCMRESLIST ResourcesRaw;          /* passed to EvtDevicePrepare/ReleaseHardware */
    WDFCMRESLIST ResourcesTranslated;
    bool SelfManagedIoInitialized;
    bool Filter;                        /* WdfFdoInitSetFilter */
    _Atomic LONG StopRemoveBlocks;      /* WdfDeviceSetStaticStopRemove(FALSE) calls not yet undone */
    _Atomic int SystemPowerAction;      /* a POWER_ACTION: the D-IRP's ShutdownType from a power-down
                                           to the end of the next power-up (WdfDeviceGetSystemPowerAction) */
    bool Control;                       /* a control device (no PnP, no stack) */
    UNICODE_STRING DeviceName;          /* WdfDeviceInitAssignName; Buffer NULL without */
    UNICODE_STRING SymbolicLinkName;    /* WdfDeviceCreateSymbolicLink; Buffer NULL without */
    struct FX_IOTARGET *DefaultTarget; /* the next lower driver; NULL without one */
    /* Bus drivers (fxchildlist.c, fxpdo.c, fxfdo.c). */
    FX_PDO_DATA *PdoData;                /* a PDO: its IDs, texts, parent; else NULL */
    struct FX_CHILDLIST *ChildLists;     /* the lists of a bus FDO (the static list too) */
    struct FX_CHILDLIST *DefaultChildList;
    struct FX_CHILDLIST *StaticChildList;
    bool HasPnpCapabilities;
    WDF_DEVICE_PNP_CAPABILITIES PnpCapabilities;
    bool HasPowerCapabilities;
    WDF_DEVICE_POWER_CAPABILITIES PowerCapabilities;
    bool HasBusInformation;
    PNP_BUS_INFORMATION BusInformation;
    PFN_WDF_IO_IN_CALLER_CONTEXT EvtIoInCallerContext; /* before queueing, on the caller's thread */
    FX_POWER_POLICY Policy;            /* S0 idle and wake (fxdevice.c) */
    FX_PREPROCESS Preprocess[IRP_MJ_MAXIMUM_FUNCTION + 1];
    FX_LINK WmiProviders;               /* fxwmi.c, under Lock (initialized on first use) */
    bool WmiRegistered;                 /* IoWMIRegistrationControl(REGISTER) done */
    UNICODE_STRING MofResourceName;     /* WdfDeviceAssignMofResourceName; Buffer NULL without */
    /* A PDO whose WDFDEVICE_INIT allowed WdfRequestForwardToParentDeviceIoQueue
       (WdfPdoInitAllowForwardingRequestToParent), and the bus device that made it. */
    bool AllowForwardingToParent;
    struct FX_DEVICE *ParentDevice;
    WDF_DEVICE_STATE DeviceState; /* WdfDeviceSetDeviceState, under Lock */
    /* WdfDeviceAddRemovalRelationsPhysicalDevice: the PDOs (referenced) the device answers
       IRP_MN_QUERY_DEVICE_RELATIONS (RemovalRelations) with, under Lock. */
    struct FX_RELATED *RemovalRelations;
} FX_DEVICE;

FX_DEVICE *FxDeviceFromDeviceObject(PDEVICE_OBJECT DeviceObject);
/* WdfDeviceAddQueryInterface's interfaces (fxqueryinterface.c): answers an
   IRP_MN_QUERY_INTERFACE for one of them (*Handled; the IRP is the caller's to pass down
   when *PassDown, then complete with the status), and forgets them when the device goes. */
NTSTATUS FxQueryInterfaceHandle(FX_DEVICE *Device, PIRP Irp, bool *Handled, bool *PassDown);
void FxQueryInterfacesDelete(FX_DEVICE *Device);
/* A power-managed queue got its first request (Reference) or lost its last: the idle
   policy's power reference ("Using Power-Managed I/O Queues": a request arriving at an
   idle device's power-managed queue brings the device back to D0 before it is presented). */
void FxDevicePowerReference(FX_DEVICE *Device);
void FxDevicePowerDereference(FX_DEVICE *Device);
/* Deletes the symbolic link of WdfDeviceCreateSymbolicLink, if any. */
void FxDeviceDeleteSymbolicLink(FX_DEVICE *Device);
/* The IRP dispatch routine that WdfDriverCreate installs for every major function. */
NTSTATUS FxDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp);
/* The AddDevice routine that WdfDriverCreate installs. */
NTSTATUS FxAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject);

/* ------------------------------------------------------------------- child lists */

/* One child of a child list: a description (dynamic) or a static PDO (fxchildlist.c). */
typedef struct FX_CHILD {
    struct FX_CHILD *Next;
    struct FX_CHILDLIST *List;
    PWDF_CHILD_IDENTIFICATION_DESCRIPTION_HEADER Id;   /* NULL in the static list */
    PWDF_CHILD_ADDRESS_DESCRIPTION_HEADER Address;     /* NULL without */
    bool Present;     /* the driver reports it present */
    bool ScanMissing; /* not (yet) confirmed by the scan in progress */
    FX_DEVICE *Pdo;   /* the PDO, once created */
    bool PdoRemoved;  /* the PDO got IRP_MN_REMOVE_DEVICE and was kept (still reported) */
    bool Reported;    /* the PDO was in the bus relations the PnP manager got */
    bool MissingReported; /* then left out of them (EvtDeviceReportedMissing was called) */
} FX_CHILD;

typedef struct FX_CHILDLIST {
    FX_OBJECT Object;
    FX_DEVICE *Device;
    WDF_CHILD_LIST_CONFIG Config;
    bool Static; /* the list of WdfFdoAddStaticChild */
    HOS_MUTEX Lock;
    FX_CHILD *Children; /* under Lock */
    ULONG ScanDepth;    /* WdfChildListBeginScan nesting */
    bool Changed;       /* a change to report when the scan ends */
    bool StaticLocked;  /* WdfFdoLockStaticChildListForIteration */
    struct FX_CHILDLIST *NextList; /* Device->ChildLists, under Device->Lock */
} FX_CHILDLIST;

/* Creates a child list of Device (the default one, another, or the static list). */
NTSTATUS FxChildListCreate(FX_DEVICE *Device, PWDF_CHILD_LIST_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                           bool Static, FX_CHILDLIST **List);
/* IRP_MN_QUERY_DEVICE_RELATIONS (BusRelations) to a bus FDO: the PDOs of its present
   children, created now where needed, added to the relations in the IRP. */
NTSTATUS FxChildListsBusRelations(FX_DEVICE *Device, PIRP Irp);
/* The parent entered D0: EvtChildListScanForChildren of each list that has one. */
void FxChildListsScan(FX_DEVICE *Device);
/* The bus FDO is removed: the PDOs its lists kept are deleted, the lists emptied. */
void FxChildListsParentRemoved(FX_DEVICE *Device);
/* A PDO got IRP_MN_REMOVE_DEVICE: true when it must be deleted now (no longer reported). */
bool FxChildListPdoRemoved(FX_DEVICE *Pdo);
/* Marks the child of a PDO missing (WdfPdoMarkMissing, eject); STATUS_NO_SUCH_DEVICE. */
NTSTATUS FxChildListMarkPdoMissing(FX_DEVICE *Pdo);
/* Deletes a PDO's WDFDEVICE and device object (fxdevice.c). */
void FxPdoDelete(FX_DEVICE *Pdo);
/* WdfObjectDelete on a device the driver may delete (fxdevice.c): a static PDO not yet
   added to its parent's static list. */
void FxDeviceDeleteByDriver(FX_DEVICE *Device);
/* A PDO became known to the PnP manager: the interfaces WdfDeviceCreateDeviceInterface
   recorded before are registered now (fxdevice.c); the first failure's status. */
NTSTATUS FxPdoRegisterInterfaces(FX_DEVICE *Pdo);
/* A PDO's answer to the PnP IRPs a bus driver handles (fxpdo.c); false: not handled. */
bool FxPdoDispatchPnp(FX_DEVICE *Device, PIRP Irp, NTSTATUS *Status);
/* Sends IRP_MN_QUERY_INTERFACE with Stack's parameters to the top of Device's stack and
   waits for it; its final status. */
NTSTATUS FxSendQueryInterface(PDEVICE_OBJECT Device, PIO_STACK_LOCATION Stack);
/* The FDO's capability overrides (WdfDeviceSetPnp/PowerCapabilities) applied to caps. */
void FxDeviceApplyCapabilities(FX_DEVICE *Device, PDEVICE_CAPABILITIES Caps);
/* WMI (fxwmi.c): IRP_MJ_SYSTEM_CONTROL; registration with WMI when the device starts,
   deregistration when it is (surprise-)removed; what the device keeps at its end. */
NTSTATUS FxWmiDispatch(FX_DEVICE *Device, PIRP Irp);
void FxWmiDeviceStarted(FX_DEVICE *Device);
void FxWmiDeviceStopping(FX_DEVICE *Device);
void FxWmiDeviceDestroyed(FX_DEVICE *Device);

/* ------------------------------------------------------------------- files */

typedef struct FX_FILEOBJECT {
    FX_OBJECT Object;
    FX_DEVICE *Device;
    PFILE_OBJECT FileObject;
    FX_LINK DeviceLink; /* in Device->Files, under Device->Lock */
} FX_FILEOBJECT;

FX_FILEOBJECT *FxFileObjectLookup(FX_DEVICE *Device, PFILE_OBJECT FileObject);
/* The create request failed: the file object never became open. */
void FxFileObjectCreateFailed(FX_FILEOBJECT *File);
/* IRP_MJ_CREATE (a new WDFFILEOBJECT, EvtDeviceFileCreate) and IRP_MJ_CLEANUP/CLOSE
   (EvtFileCleanup/EvtFileClose; close deletes the WDFFILEOBJECT), fxfileobject.c. */
NTSTATUS FxDispatchCreate(FX_DEVICE *Device, PIRP Irp);
NTSTATUS FxDispatchCleanupClose(FX_DEVICE *Device, PIRP Irp, bool Close);

/* ------------------------------------------------------------------- queues */

typedef struct FX_QUEUE {
    FX_OBJECT Object;
    FX_DEVICE *Device;
    WDF_IO_QUEUE_CONFIG Config;
    bool PowerManaged;
    HOS_MUTEX Lock;
    HOS_COND Idle;   /* signalled whenever a request leaves the driver */
    FX_LINK Pending; /* requests waiting to be presented (or retrieved) */
    FX_LINK Owned;   /* requests presented to the driver and not completed */
    ULONG PendingCount;
    ULONG OwnedCount;
    ULONG AcknowledgedCount; /* owned requests whose EvtIoStop was acknowledged */
    bool Accepting;          /* WdfIoQueueAcceptRequests */
    bool DispatchEnabled;    /* WdfIoQueueDispatchRequests (driver state) */
    bool PowerStopped;       /* power-managed queue held while the device is not in D0 */
    ULONG Dispatching;       /* threads running the presentation loop */
    bool DeferredOnLock;     /* in SyncLock->Deferred */
    struct FX_QUEUE *DeferredNext;
    PFN_WDF_IO_QUEUE_STATE StateCallback; /* stop / purge / drain completion */
    WDFCONTEXT StateContext;
    bool StateCallbackWantsEmptyQueue; /* drain and purge wait for the queue too */
    PFN_WDF_IO_QUEUE_STATE ReadyCallback; /* WdfIoQueueReadyNotify (manual queues) */
    WDFCONTEXT ReadyContext;
    bool ReadyPending; /* the queue went from empty to not empty (or started) since the
                          last ready notification */
    bool PowerReferenced;    /* a power-managed queue with requests holds a power reference */
    FX_LINK DeviceLink;
} FX_QUEUE;

/* Queues a request (framework-owned); false when the queue does not accept requests. */
bool FxQueueInsert(FX_QUEUE *Queue, struct FX_REQUEST *Request);
/* Takes a driver-owned request out of the queue's bookkeeping (completion, forwarding). */
void FxQueueRemoveOwned(FX_QUEUE *Queue, struct FX_REQUEST *Request);
/* Routes a read, write or device control IRP to its queue. */
NTSTATUS FxQueueDispatchIrp(FX_DEVICE *Device, PIRP Irp);
/* Puts a request (made for an IRP) into the queue that handles its type; false and the
   status when there is none or it does not accept requests (WdfDeviceEnqueueRequest). */
NTSTATUS FxQueueRouteRequest(FX_DEVICE *Device, struct FX_REQUEST *Request);
/* A request of Queue was completed or forwarded away: notify waiters, present the next. */
void FxQueueRequestDone(FX_QUEUE *Queue);
/* Presents requests as the dispatch type and state allow. */
void FxQueueDispatch(FX_QUEUE *Queue);
/* Power management of the device's power-managed queues. */
void FxQueuePowerStop(FX_QUEUE *Queue);
void FxQueuePowerStart(FX_QUEUE *Queue);
/* Waits until the driver owns no request of the queue (not counting those whose
   EvtIoStop it acknowledged, when ExceptAcknowledged); false on the time-out. */
bool FxQueueWaitDriverIdle(FX_QUEUE *Queue, uint64_t TimeoutNs, bool ExceptAcknowledged);
/* Calls EvtIoStop for each driver-owned request (Action: WdfRequestStopActionXxx). */
void FxQueueStopOwned(FX_QUEUE *Queue, ULONG Action);
/* Purges the queue (cancel what waits, cancel cancelable driver-owned requests). */
void FxQueuePurgeInternal(FX_QUEUE *Queue);
/* WdfRequestRequeue: a driver-owned request of a manual queue back at its head. */
NTSTATUS FxQueueRequeue(FX_QUEUE *Queue, struct FX_REQUEST *Request);
/* Forced completion of requests still owned by the driver when its device goes away. */
ULONG FxQueueAbandonOwned(FX_QUEUE *Queue);

/* ------------------------------------------------------------------- requests */

typedef struct FX_MEMORY {
    FX_OBJECT Object;
    PVOID Buffer;
    size_t Size;
    bool OwnsBuffer;
    bool Preallocated; /* WdfMemoryCreatePreallocated's: WdfMemoryAssignBuffer may replace the buffer */
    PMDL LockedMdl; /* WdfRequestProbeAndLockUserBuffer*: unlocked and freed with the object */
    struct FX_LOOKASIDE *Lookaside; /* WdfMemoryCreateFromLookaside's list (referenced), or NULL */
} FX_MEMORY;

/* A lookaside list (WDFLOOKASIDE): what each memory object taken from it is made of. */
typedef struct FX_LOOKASIDE {
    FX_OBJECT Object;
    size_t BufferSize;
    bool HasMemoryAttributes;
    WDF_OBJECT_ATTRIBUTES MemoryAttributes;
} FX_LOOKASIDE;

typedef struct FX_REQUEST {
    FX_OBJECT Object;
    PIRP Irp;
    FX_DEVICE *Device;
    FX_QUEUE *_Atomic Queue;
    FX_FILEOBJECT *File;
    HOS_MUTEX Lock;
    WDF_REQUEST_PARAMETERS Parameters;
    ULONG_PTR Information;
    NTSTATUS Status;
    bool Completed;
    bool Cancelable;    /* marked cancelable by the driver */
    bool CancelClaimed; /* the cancel path owns the driver's cancel routine */
    bool DriverOwned;   /* presented to the driver */
    bool IsCreate;
    bool RaceWatched;   /* its buffers are watched by the race detector (explore mode) */
    bool StopAcknowledged; /* WdfRequestStopAcknowledge(Requeue = FALSE) while stopping */
    PFN_WDF_REQUEST_CANCEL EvtCancel;
    FX_LINK QueueLink;     /* in Queue->Pending or Queue->Owned */
    FX_MEMORY InputMemory; /* embedded memory objects for the request buffers */
    FX_MEMORY OutputMemory;
    /* Sending to an I/O target (fxiotarget.c); under Target->Lock while sent. */
    bool DriverCreated;     /* WdfRequestCreate: the driver deletes it, never completes it */
    bool Formatted;         /* the next stack location is set up for a target */
    bool Sent;              /* with a target (sent or pended there) */
    bool SendAndForget;
    bool Synchronous;       /* a waiter in FxIoTargetSubmitSync */
    bool TimedOut;
    PFN_WDF_REQUEST_COMPLETION_ROUTINE EvtCompletion;
    WDFCONTEXT CompletionContext;
    WDF_REQUEST_COMPLETION_PARAMS CompletionParams;
    struct FX_IOTARGET *Target; /* referenced while Sent */
    FX_LINK TargetLink;         /* in Target->SentList or Target->Pended */
    HOS_COND SendDone;          /* with Lock: a synchronous send's completion */
    bool SendComplete;
    /* What a format replaced in the IRP, put back when the target completes it. */
    bool SavedBuffers;
    PVOID SavedSystemBuffer;
    PVOID SavedUserBuffer;
    PMDL SavedMdl;
    PMDL FormatMdl;       /* an MDL the format built for a direct-I/O target */
    PVOID BounceBuffer;   /* METHOD_BUFFERED device control: input in, output out */
    PVOID BounceOutput;
    size_t BounceOutputLength;
    /* EvtIoInCallerContext (fxio.c): set while the callback runs on the caller's thread. */
    bool InCallerContext;
    uint64_t CallerThread; /* HosCurrentThreadId of the thread that issued the I/O */
    PMDL InputWdmMdl;      /* WdfRequestRetrieve*WdmMdl over a system buffer, freed with the request */
    PMDL OutputWdmMdl;
} FX_REQUEST;

/* Creates the request object for an IRP (with the device's request context). */
NTSTATUS FxRequestCreateForIrp(FX_DEVICE *Device, PIRP Irp, FX_REQUEST **Request);
/* Completes an IRP for which no request object exists (framework completion). */
void FxCompleteIrp(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);
/* Completes a request on the framework's behalf (never presented, or abandoned). */
void FxRequestCompleteByFramework(FX_REQUEST *Request, NTSTATUS Status);
FX_REQUEST *FxRequestFromIrp(PIRP Irp);
/* Send-and-forget: the request is done, its IRP went on to the next driver. */
void FxRequestForgetIrp(FX_REQUEST *Request);
/* Runs the driver's cancel routine of a driver-owned cancelable request. */
void FxRequestCancelDriverOwned(FX_REQUEST *Request);

/* ------------------------------------------------------------------- I/O targets */

typedef struct FX_IOTARGET {
    FX_OBJECT Object;
    FX_DEVICE *Device;           /* the device that owns the target */
    PDEVICE_OBJECT TargetDevice; /* where requests go (IoCallDriver) */
    PDEVICE_OBJECT TargetPdo;
    PFILE_OBJECT TargetFile;     /* the file object a by-name open holds */
    bool IsDefault;
    HOS_MUTEX Lock;
    HOS_COND Idle; /* signalled when a sent request completes */
    WDF_IO_TARGET_STATE State;
    FX_LINK SentList; /* requests with the target's driver */
    FX_LINK Pended;   /* requests waiting for WdfIoTargetStart */
    ULONG SentCount;
    /* A remote target opened by name: what a reopen needs, the driver's callbacks of its
       device's removal, and the target device change registration that drives them. */
    UNICODE_STRING OpenName; /* Buffer NULL unless opened by name */
    ACCESS_MASK OpenAccess;
    PFN_WDF_IO_TARGET_QUERY_REMOVE EvtQueryRemove;
    PFN_WDF_IO_TARGET_REMOVE_CANCELED EvtRemoveCanceled;
    PFN_WDF_IO_TARGET_REMOVE_COMPLETE EvtRemoveComplete;
    PVOID Notification;
} FX_IOTARGET;

/* The default target of a device whose stack has a lower device (fxiotarget.c). */
NTSTATUS FxIoTargetCreateDefault(FX_DEVICE *Device);
/* The device's PnP and power transitions drive its default target. */
void FxIoTargetDeviceStarted(FX_DEVICE *Device);
void FxIoTargetDeviceStopping(FX_DEVICE *Device, bool CancelSentIo);
void FxIoTargetDeviceRemoved(FX_DEVICE *Device);
/* Forwards an IRP the device has no queue for down the stack (a filter's behaviour). */
NTSTATUS FxDeviceForwardIrp(FX_DEVICE *Device, PIRP Irp);
/* Helpers of the request methods that involve a target (fxiotarget.c). */
FX_IOTARGET *FxIoTargetGet(WDFIOTARGET Handle, const char *Api);
NTSTATUS FxRequestCreateInternal(FX_DRIVER *Driver, PWDF_OBJECT_ATTRIBUTES Attributes, FX_OBJECT *Parent,
                                 CCHAR StackSize, FX_REQUEST **Request);
/* A live, not completed request (REQUEST_USED_AFTER_COMPLETION otherwise). */
FX_REQUEST *FxRequestForTarget(WDFREQUEST Handle, const char *Api);
/* Before a new format: not with a target; what an earlier format set up is undone. */
NTSTATUS FxRequestBeginFormat(FX_REQUEST *Request);
/* Cancels a request a target has (sent: IoCancelIrp; kept while stopped: completed). */
bool FxIoTargetCancelRequest(FX_REQUEST *Request, bool TimedOut);
bool FxSendOptionsValid(FX_REQUEST *Request, PWDF_REQUEST_SEND_OPTIONS Options, const char *Api);
/* IRQL_TOO_HIGH_FOR_WAIT unless at PASSIVE_LEVEL. */
bool FxIoTargetCheckPassive(FX_IOTARGET *Target, const char *Api);
/* Hands a formatted request to the target: STATUS_PENDING when it has it. */
NTSTATUS FxIoTargetSubmit(FX_IOTARGET *Target, FX_REQUEST *Request, ULONG Flags, bool Synchronous);
/* Waits for a synchronous send (cancelled, STATUS_IO_TIMEOUT, when the time-out runs out). */
NTSTATUS FxRequestWaitSynchronous(FX_REQUEST *Request, PWDF_REQUEST_SEND_OPTIONS Options);
/* Frees what a send left in a request (format buffers, MDLs); fxiotarget.c. */
void FxRequestReleaseFormat(FX_REQUEST *Request);

/* ------------------------------------------------------------------- memory */

void FxMemoryInitEmbedded(FX_MEMORY *Memory, FX_OBJECT *Owner, PVOID Buffer, size_t Size);
/* A memory object, child of Request, over a locked MDL (the probe-and-lock methods). */
NTSTATUS FxMemoryCreateForLockedMdl(struct FX_REQUEST *Request, PMDL Mdl, PVOID Buffer, size_t Size,
                                    FX_MEMORY **Memory);

/* ---------------------------------------------------------- resource lists */

/* An empty resource list of the framework's, child of Device; fxresource.c. */
NTSTATUS FxCmResListCreateForDevice(FX_OBJECT *Device, WDFCMRESLIST *List);

#endif /* KH_WDF_FX_H */
