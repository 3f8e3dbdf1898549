/*
 * irp.c - I/O request packets: allocation, IoCallDriver, IoCompleteRequest,
 * cancellation, MDLs, work items, and the synchronous sends the PnP manager and the
 * file entry points use.
 *
 * The host puts a header (KH_IRP) in front of every IRP it allocates: a reference
 * count that keeps the IRP alive while another thread looks at it (cancellation racing
 * completion), and the I/O manager's own completion step. Freed IRPs rest in a small
 * quarantine before their memory is reused, so that completing an IRP a second time is
 * reported (DOUBLE_COMPLETION) rather than corrupting memory.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-irps
 */
#include <stdlib.h>
#include <string.h>

#include "io/iop.h"

HOS_MUTEX KhIoLock;
HOS_COND KhIoCond;

static KSPIN_LOCK KhCancelSpinLock;

#define KH_IRP_QUARANTINE 256
static KH_IRP *KhQuarantine[KH_IRP_QUARANTINE];
static size_t KhQuarantineNext;

__attribute__((constructor)) static void KhIoInit(void)
{
    HosMutexInit(&KhIoLock);
    HosCondInit(&KhIoCond);
}

#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))

/* ------------------------------------------------------------------ allocation */

NTKERNELAPI VOID NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    memset(Irp, 0, PacketSize);
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation = ((PIO_STACK_LOCATION)(Irp + 1)) + StackSize;
}

KH_IRP *KhIoAllocateIrp(CCHAR StackSize)
{
    if (StackSize < 1) {
        StackSize = 1;
    }
    size_t size = offsetof(KH_IRP, Irp) + IoSizeOfIrp(StackSize);
    KH_IRP *header = calloc(1, size);
    if (header == NULL) {
        return NULL;
    }
    header->Magic = KH_IRP_MAGIC;
    header->References = 1;
    header->AllocationSize = size;
    InitializeListHead(&header->FileLink);
    IoInitializeIrp(&header->Irp, IoSizeOfIrp(StackSize), StackSize);
    return header;
}

KH_IRP *KhIrpFromIrp(PIRP Irp)
{
    KH_IRP *header = CONTAINING_RECORD(Irp, KH_IRP, Irp);
    return (header->Magic == KH_IRP_MAGIC || header->Magic == KH_IRP_FREED) ? header : NULL;
}

/* Releases an IRP's memory through the quarantine. */
static void KhIrpRelease(KH_IRP *Header)
{
    PMDL mdl = Header->Irp.MdlAddress;
    while (mdl != NULL) {
        PMDL next = mdl->Next;
        free(mdl);
        mdl = next;
    }
    Header->Irp.MdlAddress = NULL;
    free(Header->SystemBuffer);
    Header->SystemBuffer = NULL;
    Header->Magic = KH_IRP_FREED;
    HosMutexLock(&KhIoLock);
    KH_IRP *oldest = KhQuarantine[KhQuarantineNext];
    KhQuarantine[KhQuarantineNext] = Header;
    KhQuarantineNext = (KhQuarantineNext + 1) % KH_IRP_QUARANTINE;
    HosMutexUnlock(&KhIoLock);
    free(oldest);
}

void KhIrpReference(KH_IRP *Irp) { __atomic_add_fetch(&Irp->References, 1, __ATOMIC_SEQ_CST); }

void KhIrpDereference(KH_IRP *Irp)
{
    if (__atomic_sub_fetch(&Irp->References, 1, __ATOMIC_SEQ_CST) == 0) {
        KhIrpRelease(Irp);
    }
}

/* IoAllocateIrp: an allocation point when a driver calls it. */
NTKERNELAPI PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)ChargeQuota;
    if (KhFindDriverByAddress((uintptr_t)KH_CALLER()) != NULL && KhAllocationShouldFail()) {
        return NULL;
    }
    KH_IRP *header = KhIoAllocateIrp(StackSize);
    return header != NULL ? &header->Irp : NULL;
}

NTKERNELAPI VOID NTAPI IoFreeIrp(PIRP Irp)
{
    KH_IRP *header = KhIrpFromIrp(Irp);
    if (header == NULL || header->Magic != KH_IRP_MAGIC) {
        KhVerifierReport("BAD_IRP_FREE", "IoFreeIrp on %p, which is not an allocated IRP, at %p", (void *)Irp,
                         KH_CALLER());
        return;
    }
    KhIrpDereference(header);
}

/* Reinitializes a driver-allocated IRP for another request (its stack size kept). */
NTKERNELAPI VOID NTAPI IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    UCHAR allocationFlags = Irp->AllocationFlags;
    IoInitializeIrp(Irp, Irp->Size, Irp->StackCount);
    Irp->AllocationFlags = allocationFlags;
    Irp->IoStatus.Status = Iostatus;
    KH_IRP *header = KhIrpFromIrp(Irp);
    if (header != NULL) {
        __atomic_store_n(&header->Completed, 0, __ATOMIC_SEQ_CST);
    }
}

/* ------------------------------------------------------------------ call and complete */

NTKERNELAPI NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    Irp->CurrentLocation--;
    if (Irp->CurrentLocation <= 0) {
        KhVerifierReport("NO_MORE_IRP_STACK_LOCATIONS", "IoCallDriver(%p) with no stack location left in IRP %p, at %p",
                         (void *)DeviceObject, (void *)Irp, KH_CALLER());
        KeBugCheckEx(0x35 /* NO_MORE_IRP_STACK_LOCATIONS */, (ULONG_PTR)Irp, 0, 0, 0);
    }
    PIO_STACK_LOCATION stack = --Irp->Tail.Overlay.CurrentStackLocation;
    stack->DeviceObject = DeviceObject;
    PDRIVER_DISPATCH dispatch = DeviceObject->DriverObject->MajorFunction[stack->MajorFunction];
    return dispatch(DeviceObject, Irp);
}

NTKERNELAPI NTSTATUS NTAPI PoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return IofCallDriver(DeviceObject, Irp); }

/* Since Windows Vista power IRPs need no serialization call; kept for older drivers. */
NTKERNELAPI VOID NTAPI PoStartNextPowerIrp(PIRP Irp) { (void)Irp; }

NTKERNELAPI POWER_STATE NTAPI PoSetPowerState(PDEVICE_OBJECT DeviceObject, POWER_STATE_TYPE Type, POWER_STATE State)
{
    POWER_STATE old = {0};
    if (Type == DevicePowerState) {
        HosMutexLock(&KhIoLock);
        old = DeviceObject->DeviceObjectExtension->DevicePowerState;
        DeviceObject->DeviceObjectExtension->DevicePowerState = State;
        HosMutexUnlock(&KhIoLock);
    }
    return old;
}

/*
 * IoCompleteRequest: walks the stack from the current location up. At each location
 * the PendingReturned flag is taken from the location's SL_PENDING_RETURNED; a
 * completion routine registered there is called (with the device object of the
 * location above, the driver that registered it) when its invoke conditions hold;
 * STATUS_MORE_PROCESSING_REQUIRED from it ends the walk, the IRP then belongs to that
 * driver. Without a routine, a pending return is propagated upward (IoMarkIrpPending).
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/completing-irps
 */
NTKERNELAPI VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    KH_IRP *header = KhIrpFromIrp(Irp);
    if (header != NULL && (header->Magic == KH_IRP_FREED || __atomic_load_n(&header->Completed, __ATOMIC_SEQ_CST))) {
        KhVerifierReport("DOUBLE_COMPLETION", "IRP %p completed again after its completion, at %p", (void *)Irp,
                         KH_CALLER());
        return;
    }
    if (Irp->IoStatus.Status == STATUS_PENDING) {
        KhVerifierReport("COMPLETED_WITH_STATUS_PENDING", "IRP %p completed with STATUS_PENDING, at %p", (void *)Irp,
                         KH_CALLER());
    }
    if (__atomic_load_n((PVOID volatile *)&Irp->CancelRoutine, __ATOMIC_SEQ_CST) != NULL) {
        KhVerifierReport("COMPLETE_WHILE_CANCELABLE", "IRP %p completed with its cancel routine still set, at %p",
                         (void *)Irp, KH_CALLER());
        IoSetCancelRoutine(Irp, NULL);
    }

    while (Irp->CurrentLocation <= Irp->StackCount) {
        PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
        PIO_COMPLETION_ROUTINE routine = stack->CompletionRoutine;
        PVOID context = stack->Context;
        UCHAR control = stack->Control;
        Irp->PendingReturned = (BOOLEAN)((control & SL_PENDING_RETURNED) != 0);
        memset(stack, 0, sizeof(*stack));
        Irp->CurrentLocation++;
        Irp->Tail.Overlay.CurrentStackLocation++;
        bool top = Irp->CurrentLocation > Irp->StackCount;
        PDEVICE_OBJECT device = top ? NULL : IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
        NTSTATUS status = Irp->IoStatus.Status;
        bool invoke = routine != NULL && ((NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS)) ||
                                          (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR)));
        if (!invoke && routine != NULL && (control & SL_INVOKE_ON_CANCEL)) {
            /* Irp->Cancel is written under the cancel spin lock; read it there too. */
            KIRQL irql;
            IoAcquireCancelSpinLock(&irql);
            invoke = Irp->Cancel != FALSE;
            IoReleaseCancelSpinLock(irql);
        }
        if (invoke) {
            if (routine(device, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED) {
                return;
            }
        } else if (Irp->PendingReturned && !top) {
            IoMarkIrpPending(Irp);
        }
    }

    if (header != NULL) {
        __atomic_store_n(&header->Completed, 1, __ATOMIC_SEQ_CST);
        if (header->Final != NULL) {
            header->Final(header);
        }
    }
}

/* ------------------------------------------------------------------ cancellation */

NTKERNELAPI VOID NTAPI IoAcquireCancelSpinLock(PKIRQL Irql) { *Irql = KeAcquireSpinLockRaiseToDpc(&KhCancelSpinLock); }

NTKERNELAPI VOID NTAPI IoReleaseCancelSpinLock(KIRQL Irql) { KeReleaseSpinLock(&KhCancelSpinLock, Irql); }

/*
 * IoCancelIrp: sets Irp->Cancel and, if the IRP has a cancel routine, clears it and
 * calls it with the cancel spin lock held (the routine releases it with
 * IoReleaseCancelSpinLock(Irp->CancelIrql)). TRUE when a routine was called.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocancelirp
 */
NTKERNELAPI BOOLEAN NTAPI IoCancelIrp(PIRP Irp)
{
    HOS_SCHEDULE_POINT("IoCancelIrp", NULL, NULL);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    __atomic_store_n(&Irp->Cancel, TRUE, __ATOMIC_SEQ_CST);
    PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, NULL);
    if (routine == NULL) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    Irp->CancelIrql = irql;
    routine(IoGetCurrentIrpStackLocation(Irp)->DeviceObject, Irp);
    return TRUE;
}

/*
 * IoSetCompletionRoutineEx: Windows allocates a context that keeps the driver loaded
 * until the routine has run; the host never unloads a driver with IRPs in flight, so
 * this is IoSetCompletionRoutine.
 */
NTKERNELAPI NTSTATUS NTAPI IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                    PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                                                    BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                                    BOOLEAN InvokeOnCancel)
{
    (void)DeviceObject;
    IoSetCompletionRoutine(Irp, CompletionRoutine, Context, InvokeOnSuccess, InvokeOnError, InvokeOnCancel);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ synchronous sends */

static void KhSignalFinal(KH_IRP *Irp) { KeSetEvent((PKEVENT)Irp->FinalContext, IO_NO_INCREMENT, FALSE); }

NTSTATUS KhIoSendSynchronous(PDEVICE_OBJECT Device, UCHAR Major, UCHAR Minor, PFILE_OBJECT FileObject,
                             KH_FILL_STACK *Fill, void *Context, ULONG_PTR *Information)
{
    HosMutexLock(&KhIoLock);
    PDEVICE_OBJECT top = KhTopOfStackLocked(Device);
    KhDeviceReference(top);
    HosMutexUnlock(&KhIoLock);

    KH_IRP *header = KhIoAllocateIrp(top->StackSize);
    if (header == NULL) {
        KhDeviceDereference(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    header->Final = KhSignalFinal;
    header->FinalContext = &done;
    PIRP irp = &header->Irp;
    irp->IoStatus.Status = (Major == IRP_MJ_PNP || Major == IRP_MJ_POWER) ? STATUS_NOT_SUPPORTED : STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    irp->RequestorMode = FileObject != NULL ? UserMode : KernelMode;
    irp->Tail.Overlay.Thread = (PETHREAD)KeGetCurrentThread();
    irp->Tail.Overlay.OriginalFileObject = FileObject;
    irp->Flags = IRP_SYNCHRONOUS_API;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = Major;
    stack->MinorFunction = Minor;
    stack->FileObject = FileObject;
    if (Fill != NULL) {
        Fill(stack, Context);
    }
    if (Major == IRP_MJ_POWER) {
        PoCallDriver(top, irp);
    } else {
        IoCallDriver(top, irp);
    }
    KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = irp->IoStatus.Status;
    if (Information != NULL) {
        *Information = irp->IoStatus.Information;
    }
    KhIrpDereference(header);
    KhDeviceDereference(top);
    return status;
}

/* ------------------------------------------------------------------ MDLs */

PMDL KhIoBuildMdl(PVOID Address, ULONG Length)
{
    PMDL mdl = calloc(1, sizeof(MDL));
    if (mdl == NULL) {
        return NULL;
    }
    mdl->Size = (CSHORT)sizeof(MDL);
    mdl->StartVa = PAGE_ALIGN(Address);
    mdl->ByteOffset = BYTE_OFFSET(Address);
    mdl->ByteCount = Length;
    mdl->MdlFlags = MDL_ALLOCATED_FIXED_SIZE;
    return mdl;
}

NTKERNELAPI PMDL NTAPI IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                                     PIRP Irp)
{
    (void)ChargeQuota;
    if (KhFindDriverByAddress((uintptr_t)KH_CALLER()) != NULL && KhAllocationShouldFail()) {
        return NULL;
    }
    PMDL mdl = KhIoBuildMdl(VirtualAddress, Length);
    if (mdl != NULL && Irp != NULL) {
        if (SecondaryBuffer && Irp->MdlAddress != NULL) {
            PMDL last = Irp->MdlAddress;
            while (last->Next != NULL) {
                last = last->Next;
            }
            last->Next = mdl;
        } else {
            Irp->MdlAddress = mdl;
        }
    }
    return mdl;
}

NTKERNELAPI VOID NTAPI IoFreeMdl(PMDL Mdl) { free(Mdl); }

/* One address space: the pages are always resident, the mapping is the buffer itself. */
NTKERNELAPI VOID NTAPI MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                           LOCK_OPERATION Operation)
{
    (void)AccessMode;
    (void)Operation;
    MemoryDescriptorList->MdlFlags |= MDL_PAGES_LOCKED;
}

NTKERNELAPI VOID NTAPI MmUnlockPages(PMDL MemoryDescriptorList)
{
    MemoryDescriptorList->MdlFlags &= (CSHORT)~(MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA);
}

NTKERNELAPI VOID NTAPI MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    MemoryDescriptorList->MappedSystemVa = MmGetMdlVirtualAddress(MemoryDescriptorList);
    MemoryDescriptorList->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

NTKERNELAPI PVOID NTAPI MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
                                                     MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                                     ULONG BugCheckOnFailure, ULONG Priority)
{
    (void)AccessMode;
    (void)CacheType;
    (void)RequestedAddress;
    (void)BugCheckOnFailure;
    (void)Priority;
    MemoryDescriptorList->MappedSystemVa = MmGetMdlVirtualAddress(MemoryDescriptorList);
    MemoryDescriptorList->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    return MemoryDescriptorList->MappedSystemVa;
}

NTKERNELAPI VOID NTAPI MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList)
{
    (void)BaseAddress;
    MemoryDescriptorList->MdlFlags &= (CSHORT)~MDL_MAPPED_TO_SYSTEM_VA;
}

/* ------------------------------------------------------------------ work items */

struct _IO_WORKITEM {
    PDEVICE_OBJECT Device;
    PIO_WORKITEM_ROUTINE Routine;
    PIO_WORKITEM_ROUTINE_EX RoutineEx; /* IoQueueWorkItemEx's */
    PVOID Context;
};

NTKERNELAPI PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    if (KhFindDriverByAddress((uintptr_t)KH_CALLER()) != NULL && KhAllocationShouldFail()) {
        return NULL;
    }
    PIO_WORKITEM item = calloc(1, sizeof(*item));
    if (item != NULL) {
        item->Device = DeviceObject;
    }
    return item;
}

NTKERNELAPI VOID NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem) { free(IoWorkItem); }

static void KhWorkItemRun(void *Context)
{
    PIO_WORKITEM item = Context;
    PDEVICE_OBJECT device = item->Device;
    PIO_WORKITEM_ROUTINE routine = item->Routine;
    PIO_WORKITEM_ROUTINE_EX routineEx = item->RoutineEx;
    PVOID context = item->Context;
    if (routineEx != NULL) {
        routineEx(device, context, item);
    } else {
        routine(device, context);
    }
    KhDeviceDereference(device);
}

/* The device object stays referenced while the item is queued, as on Windows. */
NTKERNELAPI VOID NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
                                       WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    (void)QueueType;
    IoWorkItem->Routine = WorkerRoutine;
    IoWorkItem->RoutineEx = NULL;
    IoWorkItem->Context = Context;
    KhDeviceReference(IoWorkItem->Device);
    if (!HosQueueWork(KhWorkItemRun, IoWorkItem)) {
        KeBugCheckEx(0x000000E4 /* WORKER_INVALID */, (ULONG_PTR)IoWorkItem, 0, 0, 0);
    }
}

/*
 * IoQueueWorkItemEx: as IoQueueWorkItem, and the routine also receives the work item
 * (so that it may free it: IoFreeWorkItem from the routine is allowed).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioqueueworkitemex
 */
NTKERNELAPI VOID NTAPI IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                                         WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    (void)QueueType;
    IoWorkItem->Routine = NULL;
    IoWorkItem->RoutineEx = WorkerRoutine;
    IoWorkItem->Context = Context;
    KhDeviceReference(IoWorkItem->Device);
    if (!HosQueueWork(KhWorkItemRun, IoWorkItem)) {
        KeBugCheckEx(0x000000E4 /* WORKER_INVALID */, (ULONG_PTR)IoWorkItem, 0, 0, 0);
    }
}

/* ------------------------------------------------------------------ object references */

/*
 * Device, file, event and thread objects (those ObReferenceObjectByHandle gives out) and
 * WMI data block objects (IoWMIOpenBlock's, wmi.c) are reference counted; other objects
 * need no counting here.
 */
NTKERNELAPI VOID FASTCALL ObfReferenceObject(PVOID Object)
{
    CSHORT type = *(CSHORT *)Object;
    if (type == IO_TYPE_DEVICE) {
        KhDeviceReference(Object);
    } else if (type == IO_TYPE_FILE) {
        KhFileReference(Object);
    } else if (type == KH_WMI_BLOCK_OBJECT_TYPE) {
        KhWmiBlockReference(Object);
    } else {
        KH_EVENT_OBJECT *event = KhExEventObjectFromBody(Object);
        KH_OBJECT_HEADER *thread = KhPsThreadFromBody(Object);
        if (event != NULL) {
            KhObReference(&event->Ob);
        } else if (thread != NULL) {
            KhObReference(thread);
        }
    }
}

NTKERNELAPI VOID FASTCALL ObfDereferenceObject(PVOID Object)
{
    CSHORT type = *(CSHORT *)Object;
    if (type == IO_TYPE_DEVICE) {
        KhDeviceDereference(Object);
    } else if (type == IO_TYPE_FILE) {
        KhFileDereference(Object);
    } else if (type == KH_WMI_BLOCK_OBJECT_TYPE) {
        KhWmiBlockDereference(Object);
    } else {
        KH_EVENT_OBJECT *event = KhExEventObjectFromBody(Object);
        KH_OBJECT_HEADER *thread = KhPsThreadFromBody(Object);
        if (event != NULL) {
            KhObDereference(&event->Ob);
        } else if (thread != NULL) {
            KhObDereference(thread);
        }
    }
}

/* ------------------------------------------------------------------ request builders */

/*
 * Buffers by the device's method, one builder per method, shared by read, write and
 * device control, and by the I/O system services, KmdfHostSubmitIo and the
 * IoBuild*Request routines.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/methods-for-accessing-data-buffers
 */

/*
 * Buffered I/O: one system buffer of the larger of the two lengths, holding the input at
 * dispatch; Output receives Information bytes of it at completion (KhIoCopyOut).
 */
static bool KhBuildBuffered(KH_IRP *Header, PVOID Input, ULONG InputLength, PVOID Output, ULONG OutputLength)
{
    PIRP irp = &Header->Irp;
    size_t size = InputLength > OutputLength ? InputLength : OutputLength;
    if (size != 0) {
        Header->SystemBuffer = malloc(size);
        if (Header->SystemBuffer == NULL) {
            return false;
        }
        if (InputLength != 0) {
            memcpy(Header->SystemBuffer, Input, InputLength);
        }
    }
    irp->AssociatedIrp.SystemBuffer = Header->SystemBuffer;
    irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (OutputLength != 0 ? IRP_INPUT_OPERATION : 0);
    Header->CopyOutBuffered = OutputLength != 0;
    Header->UserOutput = Output;
    Header->UserOutputLength = OutputLength;
    return true;
}

/*
 * Direct I/O: an MDL describing the caller's buffer (locked for Operation); a device
 * control's input still goes through a system buffer.
 */
static bool KhBuildDirect(KH_IRP *Header, PVOID Input, ULONG InputLength, PVOID Buffer, ULONG Length,
                          LOCK_OPERATION Operation, KPROCESSOR_MODE Mode)
{
    PIRP irp = &Header->Irp;
    if (InputLength != 0 && Input != NULL) {
        Header->SystemBuffer = malloc(InputLength);
        if (Header->SystemBuffer == NULL) {
            return false;
        }
        memcpy(Header->SystemBuffer, Input, InputLength);
        irp->AssociatedIrp.SystemBuffer = Header->SystemBuffer;
    }
    if (Length != 0) {
        irp->MdlAddress = KhIoBuildMdl(Buffer, Length);
        if (irp->MdlAddress == NULL) {
            return false;
        }
        MmProbeAndLockPages(irp->MdlAddress, Mode, Operation);
    }
    return true;
}

/* Neither: the caller's addresses as they are. */
static void KhBuildNeither(KH_IRP *Header, PVOID Type3Input, PVOID UserBuffer)
{
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(&Header->Irp);
    if (stack->MajorFunction == IRP_MJ_DEVICE_CONTROL || stack->MajorFunction == IRP_MJ_INTERNAL_DEVICE_CONTROL) {
        stack->Parameters.DeviceIoControl.Type3InputBuffer = Type3Input;
    }
    Header->Irp.UserBuffer = UserBuffer;
}

bool KhIoBuildRequest(KH_IRP *Header, PDEVICE_OBJECT Device, UCHAR Major, ULONG IoControlCode, PVOID Buffer,
                      ULONG Length, PVOID Output, ULONG OutputLength, PLARGE_INTEGER ByteOffset, KPROCESSOR_MODE Mode)
{
    PIRP irp = &Header->Irp;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = Major;
    Header->MajorFunction = Major;
    irp->RequestorMode = Mode;
    if (Major == IRP_MJ_DEVICE_CONTROL || Major == IRP_MJ_INTERNAL_DEVICE_CONTROL) {
        stack->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
        stack->Parameters.DeviceIoControl.InputBufferLength = Length;
        stack->Parameters.DeviceIoControl.OutputBufferLength = OutputLength;
        switch (METHOD_FROM_CTL_CODE(IoControlCode)) {
        case METHOD_BUFFERED:
            irp->UserBuffer = Output;
            return KhBuildBuffered(Header, Buffer, Length, Output, OutputLength);
        case METHOD_IN_DIRECT:
            return KhBuildDirect(Header, Buffer, Length, Output, OutputLength, IoReadAccess, Mode);
        case METHOD_OUT_DIRECT:
            return KhBuildDirect(Header, Buffer, Length, Output, OutputLength, IoWriteAccess, Mode);
        default:
            KhBuildNeither(Header, Buffer, Output);
            return true;
        }
    }
    if (Major != IRP_MJ_READ && Major != IRP_MJ_WRITE) {
        return true;
    }
    bool read = Major == IRP_MJ_READ;
    stack->Parameters.Read.Length = Length; /* Read and Write share the layout */
    stack->Parameters.Read.ByteOffset.QuadPart = ByteOffset != NULL ? ByteOffset->QuadPart : 0;
    irp->Flags |= read ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
    if (Device->Flags & DO_BUFFERED_IO) {
        irp->UserBuffer = Buffer;
        return read ? KhBuildBuffered(Header, NULL, 0, Buffer, Length) : KhBuildBuffered(Header, Buffer, Length, NULL, 0);
    }
    if (Device->Flags & DO_DIRECT_IO) {
        return KhBuildDirect(Header, NULL, 0, Buffer, Length, read ? IoWriteAccess : IoReadAccess, Mode);
    }
    KhBuildNeither(Header, NULL, Buffer);
    return true;
}

void KhIoCopyOut(KH_IRP *Header)
{
    PIRP irp = &Header->Irp;
    if (Header->CopyOutBuffered && !NT_ERROR(irp->IoStatus.Status) && Header->SystemBuffer != NULL) {
        ULONG_PTR information = irp->IoStatus.Information;
        ULONG_PTR copy = information < Header->UserOutputLength ? information : Header->UserOutputLength;
        if (copy != 0) {
            memcpy(Header->UserOutput, Header->SystemBuffer, copy);
        }
    }
    Header->CopyOutBuffered = false;
}

/* ------------------------------------------------------------------ thread-style requests */

/* The I/O manager's completion of a built request: copy out, report, signal, free. */
static void KhBuiltFinal(KH_IRP *Header)
{
    PIRP irp = &Header->Irp;
    KhIoCopyOut(Header);
    PIO_STATUS_BLOCK iosb = irp->UserIosb;
    PKEVENT event = irp->UserEvent;
    if (iosb != NULL) {
        iosb->Status = irp->IoStatus.Status;
        iosb->Information = irp->IoStatus.Information;
    }
    KhIrpDereference(Header);
    if (event != NULL) {
        KeSetEvent(event, IO_NO_INCREMENT, FALSE);
    }
}

NTKERNELAPI PIRP NTAPI IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject,
                                                     PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
                                                     ULONG OutputBufferLength, BOOLEAN InternalDeviceIoControl,
                                                     PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
    if (KhFindDriverByAddress((uintptr_t)KH_CALLER()) != NULL && KhAllocationShouldFail()) {
        return NULL;
    }
    KH_IRP *header = KhIoAllocateIrp(DeviceObject->StackSize);
    if (header == NULL) {
        return NULL;
    }
    PIRP irp = &header->Irp;
    if (!KhIoBuildRequest(header, DeviceObject,
                          InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL,
                          IoControlCode, InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength, NULL,
                          KernelMode)) {
        KhIrpDereference(header);
        return NULL;
    }
    irp->UserIosb = IoStatusBlock;
    irp->UserEvent = Event;
    irp->Tail.Overlay.Thread = (PETHREAD)KeGetCurrentThread();
    header->Final = KhBuiltFinal;
    return irp;
}

NTKERNELAPI PIRP NTAPI IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer,
                                                    ULONG Length, PLARGE_INTEGER StartingOffset, PKEVENT Event,
                                                    PIO_STATUS_BLOCK IoStatusBlock)
{
    if (KhFindDriverByAddress((uintptr_t)KH_CALLER()) != NULL && KhAllocationShouldFail()) {
        return NULL;
    }
    KH_IRP *header = KhIoAllocateIrp(DeviceObject->StackSize);
    if (header == NULL) {
        return NULL;
    }
    PIRP irp = &header->Irp;
    if (!KhIoBuildRequest(header, DeviceObject, (UCHAR)MajorFunction, 0, Buffer, Length, NULL, 0, StartingOffset,
                          KernelMode)) {
        KhIrpDereference(header);
        return NULL;
    }
    irp->UserIosb = IoStatusBlock;
    irp->UserEvent = Event;
    irp->Tail.Overlay.Thread = (PETHREAD)KeGetCurrentThread();
    header->Final = KhBuiltFinal;
    return irp;
}

/* ------------------------------------------------------------------ remove locks */

/*
 * The count starts at 1 (the lock's own bias); IoReleaseRemoveLockAndWait marks the
 * lock removed, drops the bias and its caller's acquisition, and waits until every
 * other holder has released. Acquiring a removed lock fails with STATUS_DELETE_PENDING.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-remove-locks
 */
NTSYSAPI VOID NTAPI IoInitializeRemoveLockEx(PIO_REMOVE_LOCK Lock, ULONG AllocateTag, ULONG MaxLockedMinutes,
                                             ULONG HighWatermark, ULONG RemlockSize)
{
    (void)AllocateTag;
    (void)MaxLockedMinutes;
    (void)HighWatermark;
    (void)RemlockSize;
    Lock->Common.Removed = FALSE;
    Lock->Common.IoCount = 1;
    KeInitializeEvent(&Lock->Common.RemoveEvent, SynchronizationEvent, FALSE);
}

NTSYSAPI NTSTATUS NTAPI IoAcquireRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, PCSTR File, ULONG Line,
                                              ULONG RemlockSize)
{
    (void)Tag;
    (void)File;
    (void)Line;
    (void)RemlockSize;
    InterlockedIncrement(&RemoveLock->Common.IoCount);
    if (__atomic_load_n(&RemoveLock->Common.Removed, __ATOMIC_SEQ_CST)) {
        if (InterlockedDecrement(&RemoveLock->Common.IoCount) == 0) {
            KeSetEvent(&RemoveLock->Common.RemoveEvent, IO_NO_INCREMENT, FALSE);
        }
        return STATUS_DELETE_PENDING;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI VOID NTAPI IoReleaseRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    (void)Tag;
    (void)RemlockSize;
    LONG count = InterlockedDecrement(&RemoveLock->Common.IoCount);
    if (count < 0) {
        KhVerifierReport("REMOVE_LOCK_MISUSE", "remove lock %p released more often than acquired, at %p",
                         (void *)RemoveLock, KH_CALLER());
    } else if (count == 0) {
        KeSetEvent(&RemoveLock->Common.RemoveEvent, IO_NO_INCREMENT, FALSE);
    }
}

NTSYSAPI VOID NTAPI IoReleaseRemoveLockAndWaitEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    (void)Tag;
    (void)RemlockSize;
    __atomic_store_n(&RemoveLock->Common.Removed, TRUE, __ATOMIC_SEQ_CST);
    InterlockedDecrement(&RemoveLock->Common.IoCount); /* the bias */
    if (InterlockedDecrement(&RemoveLock->Common.IoCount) > 0) {
        KeWaitForSingleObject(&RemoveLock->Common.RemoveEvent, Executive, KernelMode, FALSE, NULL);
    }
}
