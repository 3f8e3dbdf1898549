/*++

Module Name:

    vtest.h

Abstract:

    The common frame of the verifier's test drivers. Each of them is a small KMDF
    driver that breaks exactly one verifier rule on purpose; skeleton.c holds what
    they share (DriverEntry, EvtDriverDeviceAdd creating a buffered-I/O device with the
    test interface), and each rule's file defines VtRule, its hooks:

    DriverEntry         runs at the end of DriverEntry, after WdfDriverCreate (optional)
    DeviceAttributes    adjusts the device's object attributes before WdfDeviceCreate
                        (optional)
    DeviceAdd           creates the device's queue (and timer, lock...) after the
                        device and its interface exist
    DriverUnload        the driver's EvtDriverUnload (optional)

    The test program opens the interface and sends one 16-byte write (or read, where the
    rule is about reads) to provoke the broken rule.

Environment:

    Kernel mode

--*/

#pragma once

#include <ntddk.h>
#include <wdf.h>

//
// {6B1E2B0A-7F3C-4C55-9A1D-3E0F5B2C8D41}: the interface of every verifier test driver.
//
DEFINE_GUID(GUID_DEVINTERFACE_VERIFIER_TEST,
            0x6b1e2b0a, 0x7f3c, 0x4c55, 0x9a, 0x1d, 0x3e, 0x0f, 0x5b, 0x2c, 0x8d, 0x41);

#define VT_POOL_TAG 'tseT'

//
// What the rules' callbacks keep on the device.
//
typedef struct _VT_DEVICE_CONTEXT {
    WDFQUEUE Queue;
    WDFTIMER Timer;
    WDFSPINLOCK Lock;
    WDFREQUEST HeldRequest;
    volatile LONG Acquired;
    volatile LONG Released;
} VT_DEVICE_CONTEXT, *PVT_DEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(VT_DEVICE_CONTEXT, VtGetDeviceContext)

//
// The hooks of one rule's driver; each rule's file defines VtRule. DriverEntry,
// DeviceAttributes and DriverUnload may be NULL.
//
typedef struct _VT_RULE {
    NTSTATUS (*DriverEntry)(_In_ WDFDRIVER Driver);
    VOID (*DeviceAttributes)(_Inout_ PWDF_OBJECT_ATTRIBUTES Attributes);
    NTSTATUS (*DeviceAdd)(_In_ WDFDEVICE Device);
    VOID (*DriverUnload)(_In_ WDFDRIVER Driver);
} VT_RULE;

extern const VT_RULE VtRule;

//
// Creates the device's default queue with the given dispatch type and callbacks.
//
NTSTATUS
VtCreateDefaultQueue(
    _In_ WDFDEVICE Device,
    _In_ WDF_IO_QUEUE_DISPATCH_TYPE DispatchType,
    _In_opt_ PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite,
    _In_opt_ PFN_WDF_IO_QUEUE_IO_READ EvtIoRead
    );

//
// A DeviceAdd hook for a rule broken outside I/O: a sequential default queue whose
// writes complete at once with their length.
//
NTSTATUS
VtAddQueueCompletingWrites(
    _In_ WDFDEVICE Device
    );

//
// Spins until *Flag is non-zero, for a bounded number of reads (seconds, not forever);
// FALSE when it never was.
//
FORCEINLINE
BOOLEAN
VtSpinUntilSet(
    _In_ volatile LONG *Flag
    )
{
    LONG i;

    for (i = 0; i < 200000000L; i++) {
        if (InterlockedCompareExchange((LONG volatile *)Flag, 0, 0) != 0) {
            return TRUE;
        }
    }
    return FALSE;
}
