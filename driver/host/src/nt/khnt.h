/*
 * khnt.h - what the NT half of the host (executive, I/O manager, loader, verifier core)
 * offers the other kernel-side components of the host, the KMDF runtime first.
 *
 * Everything a driver may call is in the WDK headers (ntddk.h/wdm.h) and is exported
 * under its Windows name; this header holds only the host's own internal services.
 * None of these functions is exported from libkmdfhost.
 *
 * Verifier rules reported by the NT half (stable ids; see DESIGN.md for the shared list):
 *   POOL_LEAK                     pool a driver still holds when it unloads (per tag/size)
 *   POOL_TAG_MISMATCH             ExFreePoolWithTag with a tag other than the block's
 *   BAD_POOL_FREE                 freeing something that is not a live pool block
 *   IRQL_TOO_HIGH_FOR_PAGED_CODE  PAGED_CODE() reached at IRQL > APC_LEVEL
 *   IRQL_TOO_HIGH_FOR_PAGED_POOL  paged pool allocated at IRQL > APC_LEVEL
 *   IRQL_TOO_HIGH_FOR_WAIT        a wait with a nonzero time-out at IRQL >= DISPATCH_LEVEL
 *   IRQL_MISUSE                   KeRaiseIrql to a lower, or KeLowerIrql to a higher, IRQL
 *   SPINLOCK_MISUSE               a spin lock acquired twice by its owner, released by
 *                                 another thread, or released while not held
 *   ASSERTION_FAILED              ASSERT/NT_ASSERT (DBG builds) failed
 *   DOUBLE_COMPLETION             IoCompleteRequest on an IRP already completed
 *   COMPLETE_WHILE_CANCELABLE     IoCompleteRequest with a cancel routine still set
 *   IRP_STATUS_MISMATCH           a dispatch routine returned a status other than
 *                                 STATUS_PENDING without having completed the IRP
 *   COMPLETED_WITH_STATUS_PENDING IoCompleteRequest with Irp->IoStatus.Status == STATUS_PENDING
 *   NO_MORE_IRP_STACK_LOCATIONS   IoCallDriver with no stack location left (then fatal)
 *   BAD_IRP_FREE                  IoFreeIrp of something that is not an allocated IRP
 *   BAD_DEVICE_DELETE             IoDeleteDevice of a device object already deleted
 *   MUTEX_MISUSE                  a fast or guarded mutex acquired again by its owner, or
 *                                 released by a thread that does not own it
 *   REMOVE_LOCK_MISUSE            IoReleaseRemoveLock more often than IoAcquireRemoveLock
 *   BREAKPOINT                    DbgBreakPoint with no debugger
 *   BUGCHECK                      KeBugCheckEx (always fatal)
 *
 * Pool attribution: a pool block belongs to the driver module that contains the code
 * that called the allocator (the allocator's return address, looked up in the address
 * ranges of the loaded driver modules, recorded at load time). Blocks allocated by code
 * of the host itself (for example the KMDF runtime calling ExAllocatePoolWithTag) belong
 * to no driver: they are neither leak-checked at unload nor allocation points; the KMDF
 * runtime counts and checks its own objects. The return address is robust against
 * callbacks on any thread (DPC, worker, application threads) and needs no cooperation
 * from the framework; it is defeated only by a tail call from a driver routine into
 * the allocator, which scripts/build-host-driver's default (unoptimized) build does not
 * produce.
 */
#ifndef KHNT_H
#define KHNT_H

#include <stdarg.h>
#include <stddef.h>

#include <kmdfhost.h>
#include <ntddk.h>

/* ------------------------------------------------------------------------ verifier */

/*
 * Reports a broken rule: formats "VERIFIER: <RuleId>: <what, where>" (Format is
 * printf-style, the C library's, not DbgPrint's), counts it, and delivers the line to
 * the sink set with KmdfHostSetVerifierSink; with no sink it writes the line to stderr
 * and aborts, as a bug check halts Windows. Returns only when a sink is set.
 */
void KhVerifierReport(const char *RuleId, const char *Format, ...) __attribute__((format(printf, 2, 3)));

/* KhVerifierReport with a va_list. */
void KhVerifierReportV(const char *RuleId, const char *Format, va_list Args);

/* ----------------------------------------------------------------- fault injection */

/*
 * One allocation point passed; TRUE when this allocation must fail (the N-th point
 * after KmdfHostFailAllocation(N)). The KMDF runtime calls it once per framework object
 * or framework memory allocation a driver asks for; driver pool allocations call it
 * inside the pool allocator.
 */
BOOLEAN KhAllocationShouldFail(void);

/* ---------------------------------------------------------------------- debug print */

/*
 * Formats like DbgPrint (the Microsoft C runtime's language: %wZ %Z %ws %S %wc %C, %I
 * %I32 %I64 size prefixes, %l as 32 bits, %p as 16 upper-case hex digits, widths,
 * precision, flags) into Buffer, always NUL-terminated when Size > 0. Wide text is
 * converted to UTF-8. Returns the length the whole output has (like vsnprintf), which
 * may exceed Size - 1.
 */
int KhFormatDbgPrint(char *Buffer, size_t Size, const char *Format, va_list Args);

/*
 * Writes Length bytes of already formatted debug output to the debug-print descriptor
 * (KmdfHostSetDebugPrintFd; dropped when it is -1). One write per call, so lines of
 * concurrent threads do not interleave.
 */
void KhDebugOutput(const char *Text, size_t Length);

/* ------------------------------------------------------------------- IRQL and locks */

/* Number of spin locks (KSPIN_LOCK, including in-stack queued) the calling thread holds. */
ULONG KhSpinLocksHeldByCurrentThread(void);

/* -------------------------------------------------------------------------- drivers */

/*
 * The DRIVER_OBJECT of the loaded driver module whose code or data contains Address,
 * or NULL (host code, or no driver there). The KMDF runtime may use it, with
 * __builtin_return_address(0), to attribute work to the calling driver.
 */
PDRIVER_OBJECT KhDriverObjectFromAddress(const void *Address);

/*
 * Describes a code address for a verifier report: "driver NAME (MODULE+0xOFFSET,
 * in FUNCTION)" for an address inside a loaded driver module, otherwise the address.
 * Writes at most Size bytes (NUL included) to Out and returns Out.
 */
const char *KhDescribeCallSite(const void *Address, char *Out, size_t Size);

/*
 * When DriverEntry fails, the loader calls KhWdfDriverEntryFailed (wdf/khwdf.h, the
 * KMDF runtime) so that the framework deletes what the driver created before it failed;
 * DriverUnload is not called in that case, as on Windows.
 */

#endif /* KHNT_H */
