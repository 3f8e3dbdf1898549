/*++

Module Name:

    object_leak.c

Abstract:

    Breaks OBJECT_LEAK: DriverEntry creates a framework memory object parented to the
    driver and takes a reference on it that it never releases, so the object cannot be
    destroyed when the driver object is deleted at unload.

Environment:

    Kernel mode

--*/

#include "vtest.h"

static
NTSTATUS
RuleDriverEntry(
    _In_ WDFDRIVER Driver
    )
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDFMEMORY memory;
    NTSTATUS status;

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = Driver;
    status = WdfMemoryCreate(&attributes, NonPagedPoolNx, VT_POOL_TAG, 32, &memory, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WdfObjectReference(memory);
    return STATUS_SUCCESS;
}

const VT_RULE VtRule = {
    RuleDriverEntry,
    NULL,
    VtAddQueueCompletingWrites,
    NULL,
};
