/*++

Module Name:

    testdevice.h

Abstract:

    The device that the schedule explorer's small test drivers (lockorder.c,
    racecover.c) share: a device of the echo protocol's interface with buffered I/O, a
    parallel default queue whose reads complete at once with no data, and a periodic
    10 ms timer without automatic serialization, started in D0 entry and stopped in D0
    exit. A driver brings its own device context, its write callback, its timer callback
    and the objects it needs besides (spin locks, pool); its EvtDriverDeviceAdd calls
    TestDeviceCreate.

Environment:

    Kernel mode

--*/

#pragma once

#include <ntddk.h>
#include <wdf.h>

/* Creates the driver's own objects on the device (after its queue, before its timer);
   ParentedToDevice: attributes with the device as parent. */
typedef NTSTATUS TEST_DEVICE_CREATE_OBJECTS(_In_ WDFDEVICE Device, _In_ PWDF_OBJECT_ATTRIBUTES ParentedToDevice);

typedef struct _TEST_DEVICE_CONFIG {
    PCWDF_OBJECT_CONTEXT_TYPE_INFO ContextType;  /* the driver's device context */
    PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanup;   /* of the device; may be NULL */
    PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite;
    PFN_WDF_TIMER EvtTimer;                      /* its parent object is the device */
    TEST_DEVICE_CREATE_OBJECTS *CreateObjects;   /* may be NULL */
} TEST_DEVICE_CONFIG;

/* Creates the device (its context the config's type) with its interface, queue, the
   driver's objects and the timer. */
NTSTATUS
TestDeviceCreate(
    _Inout_ PWDFDEVICE_INIT DeviceInit,
    _In_ const TEST_DEVICE_CONFIG *Config
    );
