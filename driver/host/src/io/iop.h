/*
 * iop.h - the I/O and PnP managers' private structures: the host's header in front of
 * every IRP, the device object extension, device nodes, symbolic links and interfaces,
 * and open files.
 *
 * Locking: one lock, KhIoLock (the I/O manager's database lock), guards device stacks,
 * names and links, device node state, and every file's list of outstanding IRPs. No
 * driver routine is ever called with it held.
 */
#ifndef KH_IOP_H
#define KH_IOP_H

#include "cm/cm.h"
#include "ex/ex.h"
#include "ke/ke.h"
#include "ldr/ldr.h"
#include "os/hostos.h"
#include "rtl/rtl.h"

extern HOS_MUTEX KhIoLock;
extern HOS_COND KhIoCond; /* broadcast when a device node's dispatch count drops to 0 */

/* ------------------------------------------------------------------ IRPs */

typedef struct _KH_IRP KH_IRP;
/* The I/O manager's own completion, run after the last completion routine. */
typedef void KH_IRP_FINAL(KH_IRP *Irp);

struct _KH_IRP {
    ULONG Magic;
    volatile LONG References; /* freed at 0: one for the IRP's life, more while looked at */
    int Completed;            /* atomic: IofCompleteRequest reached the top */
    KH_IRP_FINAL *Final;
    void *FinalContext;
    /* What KmdfHostSubmitIo needs at completion (file.c). */
    struct _KH_FILE *File;
    LIST_ENTRY FileLink;
    KH_IO_COMPLETION *UserCompletion;
    void *UserContext;
    void *UserBuffer;
    ULONG UserLength;
    void *UserOutput;
    ULONG UserOutputLength;
    UCHAR MajorFunction;
    bool CopyOutBuffered; /* copy SystemBuffer to UserOutput/UserBuffer at completion */
    void *SystemBuffer;   /* host memory, freed with the IRP */
    size_t AllocationSize;
    IRP Irp; /* followed by the stack locations */
};

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
/* Under KhIoLock: the device object named Name ("\Device\X"), or NULL. */
PDEVICE_OBJECT KhIoFindNamedDeviceLocked(const char *Name);
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
    LONG References; /* the caller's handle, plus one per open file; under KhIoLock */
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

/* Under KhIoLock: disables the node's interfaces; Delete moves them to Deleted. */
void KhIoNodeInterfacesLocked(struct _KH_DEVNODE *Node, bool Delete, LIST_ENTRY *Deleted);
/* Frees links moved out by KhIoNodeInterfacesLocked (without KhIoLock held). */
void KhIoFreeLinks(LIST_ENTRY *Links);
/* Under KhIoLock: the link a Win32 or NT path opens, and the rest of the path. */
KH_LINK *KhIoResolvePathLocked(const char *Path, const char **Remainder);

/* ------------------------------------------------------------------ files */

struct _KH_FILE {
    FILE_OBJECT FileObject;
    PDEVICE_OBJECT Device; /* the device opened (referenced) */
    struct _KH_DEVNODE *Node; /* referenced; NULL for a device outside any node */
    LIST_ENTRY Outstanding;   /* KH_IRP.FileLink, under KhIoLock */
    ULONG OutstandingCount;
    volatile LONG References; /* the handle, each outstanding IRP, ObReferenceObject */
    bool CleanedUp;
    bool CloseRequested;
};

void KhFileReference(PFILE_OBJECT FileObject);
void KhFileDereference(PFILE_OBJECT FileObject);

#endif /* KH_IOP_H */
