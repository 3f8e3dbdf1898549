/*
 * wdfcommonbuffer.h - common buffers: memory that a DMA device and the driver share (WDK wdfcommonbuffer.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFCOMMONBUFFER_H_
#define _WDFCOMMONBUFFER_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef struct _WDF_COMMON_BUFFER_CONFIG {
    ULONG Size;
    ULONG AlignmentRequirement;
} WDF_COMMON_BUFFER_CONFIG, *PWDF_COMMON_BUFFER_CONFIG;

WDFAPI NTSTATUS WdfCommonBufferCreate(WDFDMAENABLER DmaEnabler, size_t Length, PWDF_OBJECT_ATTRIBUTES Attributes, WDFCOMMONBUFFER* CommonBuffer);
WDFAPI NTSTATUS WdfCommonBufferCreateWithConfig(WDFDMAENABLER DmaEnabler, size_t Length, PWDF_COMMON_BUFFER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFCOMMONBUFFER* CommonBuffer);
WDFAPI PVOID WdfCommonBufferGetAlignedVirtualAddress(WDFCOMMONBUFFER CommonBuffer);
WDFAPI PHYSICAL_ADDRESS WdfCommonBufferGetAlignedLogicalAddress(WDFCOMMONBUFFER CommonBuffer);
WDFAPI size_t WdfCommonBufferGetLength(WDFCOMMONBUFFER CommonBuffer);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFCOMMONBUFFERCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler, size_t Length, PWDF_OBJECT_ATTRIBUTES Attributes, WDFCOMMONBUFFER* CommonBuffer);
typedef NTSTATUS (*PFN_WDFCOMMONBUFFERCREATEWITHCONFIG)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler, size_t Length, PWDF_COMMON_BUFFER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFCOMMONBUFFER* CommonBuffer);
typedef PVOID (*PFN_WDFCOMMONBUFFERGETALIGNEDVIRTUALADDRESS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOMMONBUFFER CommonBuffer);
typedef PHYSICAL_ADDRESS (*PFN_WDFCOMMONBUFFERGETALIGNEDLOGICALADDRESS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOMMONBUFFER CommonBuffer);
typedef size_t (*PFN_WDFCOMMONBUFFERGETLENGTH)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOMMONBUFFER CommonBuffer);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_COMMON_BUFFER_CONFIG_INIT(PWDF_COMMON_BUFFER_CONFIG Config, ULONG AlignmentRequirement)
{
    RtlZeroMemory(Config, sizeof(*Config));
    Config->Size = (ULONG)sizeof(*Config);
    Config->AlignmentRequirement = AlignmentRequirement;
}

WDF_EXTERN_C_END

#endif /* _WDFCOMMONBUFFER_H_ */
