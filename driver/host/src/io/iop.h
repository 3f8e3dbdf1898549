/*
 * iop.h - the I/O and PnP managers' private structures: the host's header in front of
 * every IRP, the device object extension, device nodes, symbolic links and interfaces,
 * and open files.
 *
 * Locking: one lock, KhIoLock (the I/O manager's database lock), guards device stacks,
 * names and links, device node state, every file's and every thread's list of
 * outstanding IRPs, and each file's completion port association. No
 * driver routine is ever called with it held.
 */
#ifndef KH_IOP_H
#define KH_IOP_H

#include <ntifs.h>

#include "cm/cm.h"
#include "ex/ex.h"
#include "ke/ke.h"
#include "ob/ob.h"
#include "ldr/ldr.h"
#include "ps/ps.h"
#include "os/hostos.h"
#include "rtl/rtl.h"

extern HOS_MUTEX KhIoLock;
extern HOS_COND KhIoCond; /* broadcast when a device node's dispatch count drops to 0 */

/* ------------------------------------------------------------------ IRPs */

typedef struct _KH_IRP KH_IRP;
/* The I/O manager's own completion, run after the last completion routine. */
typedef void KH_IRP_FINAL(KH_IRP *Irp);

/* A completion packet queued to an I/O completion object (iocomp.c). */
typedef struct _KH_COMPLETION_PACKET {
    LIST_ENTRY Link; /* in the completion object's KQUEUE */
    PVOID KeyContext;
    PVOID ApcContext;
    NTSTATUS Status;
    ULONG_PTR Information;
    KH_IRP *Irp; /* the IRP that carries the packet (dereferenced at removal), or NULL */
} KH_COMPLETION_PACKET;

struct _KH_IRP {
    ULONG Magic;
    volatile LONG References; /* freed at 0: one for the IRP's life, more while looked at */
    int Completed;            /* atomic: IofCompleteRequest reached the top */
    KH_IRP_FINAL *Final;
    void *FinalContext;
    /* An IRP sent for a file object (ntapi.c, file.c): on the file's list of outstanding
       IRPs from before it reaches the driver until its completion (under KhIoLock). */
    struct _KH_FILE *File;
    LIST_ENTRY FileLink;
    /* KmdfHostSubmitIo's caller (file.c). */
    KH_IO_COMPLETION *UserCompletion;
    void *UserContext;
    /* Buffered I/O: Information bytes of SystemBuffer go to UserOutput at completion. */
    void *UserOutput;
    ULONG UserOutputLength;
    UCHAR MajorFunction;
    bool CopyOutBuffered;
    void *SystemBuffer; /* host memory, freed with the IRP */
    size_t AllocationSize;
    /* The I/O system services (ntapi.c). */
    volatile LONG Handshake;          /* KH_IRP_DISPATCH_RETURNED | KH_IRP_FINISHED */
    NTSTATUS DispatchStatus;          /* what IoCallDriver returned */
    struct _KH_OBJECT_HEADER *EventObject; /* the Event argument (referenced), or NULL */
    PVOID ApcContext;                 /* the packet's ApcContext (NULL: no packet) */
    bool SynchronousFile;             /* FO_SYNCHRONOUS_IO: the caller waits on Done */
    KEVENT Done;                      /* set when the I/O manager has completed the IRP */
    struct _KH_THREAD *Thread;        /* issuing thread: Irp.ThreadListEntry is on its list */
    KH_COMPLETION_PACKET Packet;      /* the completion packet this IRP becomes */
    IRP Irp; /* followed by the stack locations */
};

#define KH_IRP_DISPATCH_RETURNED 1
#define KH_IRP_FINISHED 2

#define KH_IRP_MAGIC 0x50524948u /* "HIRP" */
#define KH_IRP_FREED 0x44455246u

/* Allocates a zeroed, initialized IRP with StackSize locations (host memory). */
KH_IRP *KhIoAllocateIrp(CCHAR StackSize);
/* The host header of an IRP the host allocated, or NULL for a foreign IRP. */
KH_IRP *KhIrpFromIrp(PIRP Irp);
void KhIrpReference(KH_IRP *Irp);
void KhIrpDereference(KH_IRP *Irp);

/*
 * Sends a new IRP (Major/Minor; Fill sets the parameters of the first stack location)
 * to the top of Device's stack and waits for it to complete; returns its final status
 * and information. PnP and power IRPs start with STATUS_NOT_SUPPORTED, as Windows
 * requires of their senders.
 */
typedef void KH_FILL_STACK(PIO_STACK_LOCATION Stack, void *Context);
NTSTATUS KhIoSendSynchronous(PDEVICE_OBJECT Device, UCHAR Major, UCHAR Minor, PFILE_OBJECT FileObject,
                             KH_FILL_STACK *Fill, void *Context, ULONG_PTR *Information);

PMDL KhIoBuildMdl(PVOID Address, ULONG Length);

/* WMI data block objects (IoWMIOpenBlock, wmi.c): their first CSHORT says so, as an
   IO_TYPE_* says what a device or file object is. */
#define KH_WMI_BLOCK_OBJECT_TYPE ((CSHORT)0x574D)
void KhWmiBlockReference(PVOID Object);
void KhWmiBlockDereference(PVOID Object);

/*
 * Sets the first stack location of a read, write or device control for Device (the top
 * of the stack) and its buffers by the device's (or the control code's) method:
 * buffered, direct with an MDL, or neither. False when out of memory.
 */
bool KhIoBuildRequest(KH_IRP *Header, PDEVICE_OBJECT Device, UCHAR Major, ULONG IoControlCode, PVOID Buffer,
                      ULONG Length, PVOID Output, ULONG OutputLength, PLARGE_INTEGER ByteOffset, KPROCESSOR_MODE Mode);
/* Buffered I/O at completion: Information bytes of the system buffer to the caller's. */
void KhIoCopyOut(KH_IRP *Header);

/* ------------------------------------------------------------------ device objects */

struct _DEVOBJ_EXTENSION {
    CSHORT Type;
    USHORT Size;
    PDEVICE_OBJECT DeviceObject;
    PDEVICE_OBJECT AttachedTo;   /* the device below, under KhIoLock */
    struct _KH_DEVNODE *Devnode; /* the device node of the stack, if any */
    volatile LONG References;    /* the device object is freed at 0 */
    bool Deleted;                /* IoDeleteDevice was called */
    char *Name;                  /* UTF-8 "\Device\X", or NULL */
    POWER_STATE DevicePowerState;
};

/* Creates a device object without counting an allocation point (host callers). */
NTSTATUS KhIoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, const char *Name,
                          DEVICE_TYPE DeviceType, ULONG Characteristics, BOOLEAN Exclusive,
                          PDEVICE_OBJECT *DeviceObject);
void KhDeviceReference(PDEVICE_OBJECT Device);
void KhDeviceDereference(PDEVICE_OBJECT Device);
/* Under KhIoLock: the top of the stack Device is in. */
PDEVICE_OBJECT KhTopOfStackLocked(PDEVICE_OBJECT Device);

/* ------------------------------------------------------------------ device nodes */

typedef enum _KH_NODE_STATE {
    KhNodeAdded,
    KhNodeStarted,
    KhNodeStartFailed,
    KhNodeSurpriseRemoved,
    KhNodeRemoved
} KH_NODE_STATE;

struct _KH_DEVNODE {
    LIST_ENTRY Link; /* KhDevnodes */
    KH_DRIVER *Driver;
    char *InstanceId;
    PDEVICE_OBJECT Pdo;
    KH_NODE_STATE State;
    bool Suspended;
    bool Removing;          /* no new dispatch may start (remove in progress or done) */
    ULONG ActiveDispatches; /* dispatch routines running for I/O of this node */
    ULONG OpenFiles;
    LONG References; /* the caller's handle (a child: its parent's list), plus one per open
                        file and one per queued PnP action; under KhIoLock */
    /* Bus enumeration (pnp.c), under KhIoLock: a child node's PDO belongs to its parent's
       bus driver, which reported it in IRP_MN_QUERY_DEVICE_RELATIONS (BusRelations). */
    struct _KH_DEVNODE *Parent; /* NULL for a root-enumerated node */
    LIST_ENTRY Children;        /* child nodes, by ChildLink */
    LIST_ENTRY ChildLink;
    bool Seen;                  /* scratch of one enumeration */
    char *HardwareIds;          /* UTF-8 multi-string (a child's), or NULL */
    bool RelationsRemoved;      /* its removal relations were asked for and removed (pnp.c) */
};

/* Drops a reference taken under KhIoLock; frees the node at 0. */
void KhNodeDereference(struct _KH_DEVNODE *Node);

/* ------------------------------------------------------------------ links and interfaces */

typedef struct _KH_LINK {
    LIST_ENTRY Link; /* KhLinks */
    char *Name;      /* UTF-8 "\??\X" */
    PDEVICE_OBJECT Target;
    bool IsInterface;
    bool Enabled;
    GUID ClassGuid;
} KH_LINK;

extern LIST_ENTRY KhLinks;

/* Under KhIoLock: queues GUID_DEVICE_INTERFACE_ARRIVAL (Arrival) or _REMOVAL of Link to
   the IoRegisterPlugPlayNotification callbacks registered for its class (pnp.c). */
void KhIoNotifyInterfaceLocked(const KH_LINK *Link, bool Arrival);
/* Target device change notification (pnptarget.c): registration on a file object of
   a device node, the end of one (false when Entry is not such a registration), and the
   deliveries of a removal, synchronous on the calling thread at PASSIVE_LEVEL. A query
   returns the first veto (the registrations already asked are then told of the
   cancellation). */
NTSTATUS KhIoRegisterTargetNotification(PFILE_OBJECT FileObject, PDRIVER_NOTIFICATION_CALLBACK_ROUTINE Callback,
                                        PVOID Context, PVOID *NotificationEntry);
bool KhIoUnregisterTargetNotification(PVOID Entry, NTSTATUS *Status);
size_t KhIoTargetNotificationsInRange(uintptr_t Start, uintptr_t End, PVOID *Entries, size_t Max);
NTSTATUS KhIoTargetQueryRemove(struct _KH_DEVNODE *Node);
void KhIoTargetRemoveCancelled(struct _KH_DEVNODE *Node);
void KhIoTargetRemoveComplete(struct _KH_DEVNODE *Node);
/* Under KhIoLock: disables the node's interfaces; Delete moves them to Deleted. */
void KhIoNodeInterfacesLocked(struct _KH_DEVNODE *Node, bool Delete, LIST_ENTRY *Deleted);
/* Frees links moved out by KhIoNodeInterfacesLocked (without KhIoLock held). */
void KhIoFreeLinks(LIST_ENTRY *Links);
/* Under KhIoLock: the device object named Name ("\Device\X"), or NULL. */
PDEVICE_OBJECT KhFindNamedDeviceLocked(const char *Name);
/* Under KhIoLock: the link a Win32 or NT path opens, and the rest of the path. */
KH_LINK *KhIoResolvePathLocked(const char *Path, const char **Remainder);

/* ------------------------------------------------------------------ files */

struct _KH_FILE {
    KH_OBJECT_HEADER Ob;      /* the object manager's view (type KhIoFileObjectType) */
    FILE_OBJECT FileObject;
    PDEVICE_OBJECT Device; /* the device opened (referenced) */
    struct _KH_DEVNODE *Node; /* referenced; NULL for a device outside any node */
    LIST_ENTRY Outstanding;   /* KH_IRP.FileLink, under KhIoLock */
    ULONG OutstandingCount;
    volatile LONG References; /* handles, each outstanding IRP, ObReferenceObject */
    bool CleanedUp;
    struct _KH_PORT *Port; /* FileCompletionInformation (referenced), under KhIoLock */
    PVOID PortKey;
};

/* FILE_OBJECT.Flags of SetFileCompletionNotificationModes, as Windows keeps them. */
#define FO_SKIP_COMPLETION_PORT 0x02000000
#define FO_SKIP_SET_EVENT 0x04000000

extern const KH_OBJECT_TYPE KhIoFileObjectType;

void KhFileReference(PFILE_OBJECT FileObject);
void KhFileDereference(PFILE_OBJECT FileObject);
/* Drops a reference; the last one sends IRP_MJ_CLOSE (from the worker when Defer). */
void KhFileRelease(KH_FILE *File, bool Defer);

/*
 * Opens a file object on the device that Path names ("\??\X", or "\\?\X" as Win32 writes it, for a
 * symbolic link or interface, "\Device\X" for a named device object) and sends
 * IRP_MJ_CREATE. The file holds one reference, the caller's.
 */
NTSTATUS KhIoOpenFile(const char *Path, bool Synchronous, KH_FILE **File);
NTSTATUS KhIoOpenFileEx(const char *Path, bool Synchronous, ULONG Disposition, ULONG CreateOptions, KH_FILE **File);
/* Starts and ends a dispatch for the file's device (STATUS_DELETE_PENDING when gone). */
NTSTATUS KhIoBeginDispatch(KH_FILE *File);
void KhIoEndDispatch(KH_FILE *File);
/* Cancels the file's outstanding IRPs (all when Match is NULL); returns how many. */
typedef bool KH_IRP_MATCH(KH_IRP *Irp, void *Context);
size_t KhIoCancelFileIrps(KH_FILE *File, KH_IRP_MATCH *Match, void *Context);
/* The lock that serializes the I/O of a synchronous file object (FO_SYNCHRONOUS_IO). */
void KhIoAcquireFileObjectLock(PFILE_OBJECT FileObject);
void KhIoReleaseFileObjectLock(PFILE_OBJECT FileObject);
/* Reports IRP_STATUS_MISMATCH when Status is final and the IRP has not completed. */
void KhIoCheckDispatchReturn(KH_IRP *Header, PDEVICE_OBJECT Device, NTSTATUS Status);
/* The last handle is closing: cancel the outstanding IRPs, then IRP_MJ_CLEANUP. */
NTSTATUS KhIoCleanupFile(KH_FILE *File);

/* ------------------------------------------------------------------ completion objects */

typedef struct _KH_PORT {
    KH_OBJECT_HEADER Ob;
    KQUEUE Queue;
} KH_PORT;

extern const KH_OBJECT_TYPE KhIoCompletionObjectType;
/* Queues Packet to Port. */
void KhIoQueuePacket(KH_PORT *Port, KH_COMPLETION_PACKET *Packet);

/* ------------------------------------------------------------------ host files (hostfile.c) */

/* True when NtPath names a file of the host ("\SystemRoot\...", "\??\/..."): then
   *HostPath (malloc'd) is its path, or *Status says why there is none. */
bool KhIoHostPath(const char *NtPath, char **HostPath, NTSTATUS *Status);
NTSTATUS KhIoCreateHostFile(const char *HostPath, ACCESS_MASK DesiredAccess, ULONG Attributes, ULONG Disposition,
                            ULONG Options, PHANDLE Handle, PIO_STATUS_BLOCK IoStatusBlock);
/* A read or write when FileHandle is a host file (true, and *Status); false otherwise. */
bool KhIoHostFileIo(HANDLE FileHandle, HANDLE Event, PIO_STATUS_BLOCK IoStatusBlock, bool Write, PVOID Buffer,
                    ULONG Length, PLARGE_INTEGER ByteOffset, NTSTATUS *Status);
bool KhIoHostFileSetInformation(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Information, ULONG Length,
                                FILE_INFORMATION_CLASS Class, NTSTATUS *Status);

#endif /* KH_IOP_H */
