/*++

Module Name:

    pnp_notification_at_unload.c

Abstract:

    Breaks PENDING_OPERATIONS_AT_UNLOAD with a PnP notification: DriverEntry registers
    for arrivals of the test interface (IoRegisterPlugPlayNotification) and nothing
    unregisters it, so its callback, the driver's code, is still registered when the
    driver unloads (bug check 0xCE on Windows).

Environment:

    Kernel mode

--*/

#include "vtest.h"

static PVOID VtNotificationEntry;
static volatile LONG VtArrivals;

DRIVER_NOTIFICATION_CALLBACK_ROUTINE VtInterfaceChange;

NTSTATUS
VtInterfaceChange(
    _In_ PVOID NotificationStructure,
    _Inout_opt_ PVOID Context
    )
{
    UNREFERENCED_PARAMETER(NotificationStructure);
    UNREFERENCED_PARAMETER(Context);

    InterlockedIncrement(&VtArrivals);
    return STATUS_SUCCESS;
}

static
NTSTATUS
RuleDriverEntry(
    _In_ WDFDRIVER Driver
    )
{
    return IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0,
                                          (PVOID)&GUID_DEVINTERFACE_VERIFIER_TEST,
                                          WdfDriverWdmGetDriverObject(Driver),
                                          VtInterfaceChange, NULL, &VtNotificationEntry);
}

const VT_RULE VtRule = {
    RuleDriverEntry,
    NULL,
    VtAddQueueCompletingWrites,
    NULL,
};
