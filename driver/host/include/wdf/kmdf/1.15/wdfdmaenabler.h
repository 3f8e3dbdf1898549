/*
 * wdfdmaenabler.h - DMA enablers: a device's DMA capabilities and adapters (WDK wdfdmaenabler.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFDMAENABLER_H_
#define _WDFDMAENABLER_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

#define WDF_DMA_ENABLER_UNLIMITED_FRAGMENTS ((ULONG) -1)

typedef enum _WDF_DMA_PROFILE {
    WdfDmaProfileInvalid = 0,
    WdfDmaProfilePacket,
    WdfDmaProfileScatterGather,
    WdfDmaProfilePacket64,
    WdfDmaProfileScatterGather64,
    WdfDmaProfileScatterGatherDuplex,
    WdfDmaProfileScatterGather64Duplex,
    WdfDmaProfileSystem,
    WdfDmaProfileSystemDuplex,
} WDF_DMA_PROFILE;

typedef enum _WDF_DMA_DIRECTION {
    WdfDmaDirectionReadFromDevice = FALSE,
    WdfDmaDirectionWriteToDevice = TRUE,
} WDF_DMA_DIRECTION;

typedef NTSTATUS EVT_WDF_DMA_ENABLER_FILL(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_FILL *PFN_WDF_DMA_ENABLER_FILL;

typedef NTSTATUS EVT_WDF_DMA_ENABLER_FLUSH(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_FLUSH *PFN_WDF_DMA_ENABLER_FLUSH;

typedef NTSTATUS EVT_WDF_DMA_ENABLER_ENABLE(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_ENABLE *PFN_WDF_DMA_ENABLER_ENABLE;

typedef NTSTATUS EVT_WDF_DMA_ENABLER_DISABLE(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_DISABLE *PFN_WDF_DMA_ENABLER_DISABLE;

typedef NTSTATUS EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START *PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_START;

typedef NTSTATUS EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP(WDFDMAENABLER DmaEnabler);
typedef EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP *PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP;

typedef enum _WDF_DMA_ENABLER_CONFIG_FLAGS {
    WDF_DMA_ENABLER_CONFIG_NO_SGLIST_PREALLOCATION = 0x00000001,
} WDF_DMA_ENABLER_CONFIG_FLAGS;

typedef struct _WDF_DMA_ENABLER_CONFIG {
    ULONG Size;
    WDF_DMA_PROFILE Profile;
    size_t MaximumLength;
    PFN_WDF_DMA_ENABLER_FILL EvtDmaEnablerFill;
    PFN_WDF_DMA_ENABLER_FLUSH EvtDmaEnablerFlush;
    PFN_WDF_DMA_ENABLER_DISABLE EvtDmaEnablerDisable;
    PFN_WDF_DMA_ENABLER_ENABLE EvtDmaEnablerEnable;
    PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_START EvtDmaEnablerSelfManagedIoStart;
    PFN_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP EvtDmaEnablerSelfManagedIoStop;
    ULONG AddressWidthOverride;
    ULONG WdmDmaVersionOverride;
    ULONG Flags;
} WDF_DMA_ENABLER_CONFIG, *PWDF_DMA_ENABLER_CONFIG;

typedef struct _WDF_DMA_SYSTEM_PROFILE_CONFIG {
    ULONG Size;
    BOOLEAN DemandMode;
    BOOLEAN LoopedTransfer;
    DMA_WIDTH DmaWidth;
    PHYSICAL_ADDRESS DeviceAddress;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR DmaDescriptor;
} WDF_DMA_SYSTEM_PROFILE_CONFIG, *PWDF_DMA_SYSTEM_PROFILE_CONFIG;

WDFAPI NTSTATUS WdfDmaEnablerCreate(WDFDEVICE Device, PWDF_DMA_ENABLER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDMAENABLER* DmaEnablerHandle);
WDFAPI NTSTATUS WdfDmaEnablerConfigureSystemProfile(WDFDMAENABLER DmaEnabler, PWDF_DMA_SYSTEM_PROFILE_CONFIG ProfileConfig, WDF_DMA_DIRECTION ConfigDirection);
WDFAPI size_t WdfDmaEnablerGetMaximumLength(WDFDMAENABLER DmaEnabler);
WDFAPI size_t WdfDmaEnablerGetMaximumScatterGatherElements(WDFDMAENABLER DmaEnabler);
WDFAPI VOID WdfDmaEnablerSetMaximumScatterGatherElements(WDFDMAENABLER DmaEnabler, size_t MaximumFragments);
WDFAPI size_t WdfDmaEnablerGetFragmentLength(WDFDMAENABLER DmaEnabler, WDF_DMA_DIRECTION DmaDirection);
WDFAPI PDMA_ADAPTER WdfDmaEnablerWdmGetDmaAdapter(WDFDMAENABLER DmaEnabler, WDF_DMA_DIRECTION DmaDirection);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFDMAENABLERCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DMA_ENABLER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFDMAENABLER* DmaEnablerHandle);
typedef NTSTATUS (*PFN_WDFDMAENABLERCONFIGURESYSTEMPROFILE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler, PWDF_DMA_SYSTEM_PROFILE_CONFIG ProfileConfig, WDF_DMA_DIRECTION ConfigDirection);
typedef size_t (*PFN_WDFDMAENABLERGETMAXIMUMLENGTH)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler);
typedef size_t (*PFN_WDFDMAENABLERGETMAXIMUMSCATTERGATHERELEMENTS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler);
typedef VOID (*PFN_WDFDMAENABLERSETMAXIMUMSCATTERGATHERELEMENTS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler, size_t MaximumFragments);
typedef size_t (*PFN_WDFDMAENABLERGETFRAGMENTLENGTH)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler, WDF_DMA_DIRECTION DmaDirection);
typedef PDMA_ADAPTER (*PFN_WDFDMAENABLERWDMGETDMAADAPTER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDMAENABLER DmaEnabler, WDF_DMA_DIRECTION DmaDirection);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_DMA_ENABLER_CONFIG_INIT(PWDF_DMA_ENABLER_CONFIG Config, WDF_DMA_PROFILE Profile, size_t MaximumLength)
{
    RtlZeroMemory(Config, sizeof(*Config));
    Config->Size = (ULONG)sizeof(*Config);
    Config->Profile = Profile;
    Config->MaximumLength = MaximumLength;
}

FORCEINLINE VOID WDF_DMA_SYSTEM_PROFILE_CONFIG_INIT(PWDF_DMA_SYSTEM_PROFILE_CONFIG DmaConfig, PHYSICAL_ADDRESS Address, DMA_WIDTH DmaWidth, PCM_PARTIAL_RESOURCE_DESCRIPTOR DmaDescriptor)
{
    RtlZeroMemory(DmaConfig, sizeof(*DmaConfig));
    DmaConfig->Size = (ULONG)sizeof(*DmaConfig);
    DmaConfig->DeviceAddress = Address;
    DmaConfig->DmaWidth = DmaWidth;
    DmaConfig->DmaDescriptor = DmaDescriptor;
}

WDF_EXTERN_C_END

#endif /* _WDFDMAENABLER_H_ */
