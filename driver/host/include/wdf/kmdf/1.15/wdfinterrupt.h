/*
 * wdfinterrupt.h - interrupt objects: a device's interrupt service routine, its DPC or work item, and their lock (WDK wdfinterrupt.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFINTERRUPT_H_
#define _WDFINTERRUPT_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef enum _WDF_INTERRUPT_POLARITY {
    WdfInterruptPolarityUnknown = 0,
    WdfInterruptActiveHigh,
    WdfInterruptActiveLow,
} WDF_INTERRUPT_POLARITY, *PWDF_INTERRUPT_POLARITY;

typedef enum _WDF_INTERRUPT_POLICY {
    WdfIrqPolicyMachineDefault = 0,
    WdfIrqPolicyAllCloseProcessors,
    WdfIrqPolicyOneCloseProcessor,
    WdfIrqPolicyAllProcessorsInMachine,
    WdfIrqPolicySpecifiedProcessors,
    WdfIrqPolicySpreadMessagesAcrossAllProcessors,
} WDF_INTERRUPT_POLICY, *PWDF_INTERRUPT_POLICY;

typedef enum _WDF_INTERRUPT_PRIORITY {
    WdfIrqPriorityUndefined = 0,
    WdfIrqPriorityLow,
    WdfIrqPriorityNormal,
    WdfIrqPriorityHigh,
} WDF_INTERRUPT_PRIORITY, *PWDF_INTERRUPT_PRIORITY;

typedef BOOLEAN EVT_WDF_INTERRUPT_ISR(WDFINTERRUPT Interrupt, ULONG MessageID);
typedef EVT_WDF_INTERRUPT_ISR *PFN_WDF_INTERRUPT_ISR;

typedef BOOLEAN EVT_WDF_INTERRUPT_SYNCHRONIZE(WDFINTERRUPT Interrupt, WDFCONTEXT Context);
typedef EVT_WDF_INTERRUPT_SYNCHRONIZE *PFN_WDF_INTERRUPT_SYNCHRONIZE;

typedef VOID EVT_WDF_INTERRUPT_DPC(WDFINTERRUPT Interrupt, WDFOBJECT AssociatedObject);
typedef EVT_WDF_INTERRUPT_DPC *PFN_WDF_INTERRUPT_DPC;

typedef VOID EVT_WDF_INTERRUPT_WORKITEM(WDFINTERRUPT Interrupt, WDFOBJECT AssociatedObject);
typedef EVT_WDF_INTERRUPT_WORKITEM *PFN_WDF_INTERRUPT_WORKITEM;

typedef NTSTATUS EVT_WDF_INTERRUPT_ENABLE(WDFINTERRUPT Interrupt, WDFDEVICE AssociatedDevice);
typedef EVT_WDF_INTERRUPT_ENABLE *PFN_WDF_INTERRUPT_ENABLE;

typedef NTSTATUS EVT_WDF_INTERRUPT_DISABLE(WDFINTERRUPT Interrupt, WDFDEVICE AssociatedDevice);
typedef EVT_WDF_INTERRUPT_DISABLE *PFN_WDF_INTERRUPT_DISABLE;

typedef struct _WDF_INTERRUPT_CONFIG {
    ULONG Size;
    WDFSPINLOCK SpinLock;
    WDF_TRI_STATE ShareVector;
    BOOLEAN FloatingSave;
    BOOLEAN AutomaticSerialization;
    PFN_WDF_INTERRUPT_ISR EvtInterruptIsr;
    PFN_WDF_INTERRUPT_DPC EvtInterruptDpc;
    PFN_WDF_INTERRUPT_ENABLE EvtInterruptEnable;
    PFN_WDF_INTERRUPT_DISABLE EvtInterruptDisable;
    PFN_WDF_INTERRUPT_WORKITEM EvtInterruptWorkItem;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR InterruptRaw;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR InterruptTranslated;
    WDFWAITLOCK WaitLock;
    BOOLEAN PassiveHandling;
    WDF_TRI_STATE ReportInactiveOnPowerDown;
    BOOLEAN CanWakeDevice;
} WDF_INTERRUPT_CONFIG, *PWDF_INTERRUPT_CONFIG;

typedef struct _WDF_INTERRUPT_INFO {
    ULONG Size;
    ULONG64 Reserved1;
    KAFFINITY TargetProcessorSet;
    ULONG Reserved2;
    ULONG MessageNumber;
    ULONG Vector;
    KIRQL Irql;
    KINTERRUPT_MODE Mode;
    WDF_INTERRUPT_POLARITY Polarity;
    BOOLEAN MessageSignaled;
    UCHAR ShareDisposition;
    DECLSPEC_ALIGN(8) USHORT Group;
} WDF_INTERRUPT_INFO, *PWDF_INTERRUPT_INFO;

typedef struct _WDF_INTERRUPT_EXTENDED_POLICY {
    ULONG Size;
    WDF_INTERRUPT_POLICY Policy;
    WDF_INTERRUPT_PRIORITY Priority;
    GROUP_AFFINITY TargetProcessorSetAndGroup;
} WDF_INTERRUPT_EXTENDED_POLICY, *PWDF_INTERRUPT_EXTENDED_POLICY;

WDFAPI NTSTATUS WdfInterruptCreate(WDFDEVICE Device, PWDF_INTERRUPT_CONFIG Configuration, PWDF_OBJECT_ATTRIBUTES Attributes, WDFINTERRUPT* Interrupt);
WDFAPI BOOLEAN WdfInterruptQueueDpcForIsr(WDFINTERRUPT Interrupt);
WDFAPI BOOLEAN WdfInterruptQueueWorkItemForIsr(WDFINTERRUPT Interrupt);
WDFAPI BOOLEAN WdfInterruptSynchronize(WDFINTERRUPT Interrupt, PFN_WDF_INTERRUPT_SYNCHRONIZE Callback, WDFCONTEXT Context);
WDFAPI VOID WdfInterruptAcquireLock(WDFINTERRUPT Interrupt);
WDFAPI VOID WdfInterruptReleaseLock(WDFINTERRUPT Interrupt);
WDFAPI VOID WdfInterruptEnable(WDFINTERRUPT Interrupt);
WDFAPI VOID WdfInterruptDisable(WDFINTERRUPT Interrupt);
WDFAPI PKINTERRUPT WdfInterruptWdmGetInterrupt(WDFINTERRUPT Interrupt);
WDFAPI VOID WdfInterruptGetInfo(WDFINTERRUPT Interrupt, PWDF_INTERRUPT_INFO Info);
WDFAPI VOID WdfInterruptSetPolicy(WDFINTERRUPT Interrupt, WDF_INTERRUPT_POLICY Policy, WDF_INTERRUPT_PRIORITY Priority, KAFFINITY TargetProcessorSet);
WDFAPI VOID WdfInterruptSetExtendedPolicy(WDFINTERRUPT Interrupt, PWDF_INTERRUPT_EXTENDED_POLICY PolicyAndGroup);
WDFAPI WDFDEVICE WdfInterruptGetDevice(WDFINTERRUPT Interrupt);
WDFAPI BOOLEAN WdfInterruptTryToAcquireLock(WDFINTERRUPT Interrupt);
WDFAPI VOID WdfInterruptReportActive(WDFINTERRUPT Interrupt);
WDFAPI VOID WdfInterruptReportInactive(WDFINTERRUPT Interrupt);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFINTERRUPTCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_INTERRUPT_CONFIG Configuration, PWDF_OBJECT_ATTRIBUTES Attributes, WDFINTERRUPT* Interrupt);
typedef BOOLEAN (*PFN_WDFINTERRUPTQUEUEDPCFORISR)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef BOOLEAN (*PFN_WDFINTERRUPTQUEUEWORKITEMFORISR)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef BOOLEAN (*PFN_WDFINTERRUPTSYNCHRONIZE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt, PFN_WDF_INTERRUPT_SYNCHRONIZE Callback, WDFCONTEXT Context);
typedef VOID (*PFN_WDFINTERRUPTACQUIRELOCK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef VOID (*PFN_WDFINTERRUPTRELEASELOCK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef VOID (*PFN_WDFINTERRUPTENABLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef VOID (*PFN_WDFINTERRUPTDISABLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef PKINTERRUPT (*PFN_WDFINTERRUPTWDMGETINTERRUPT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef VOID (*PFN_WDFINTERRUPTGETINFO)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt, PWDF_INTERRUPT_INFO Info);
typedef VOID (*PFN_WDFINTERRUPTSETPOLICY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt, WDF_INTERRUPT_POLICY Policy, WDF_INTERRUPT_PRIORITY Priority, KAFFINITY TargetProcessorSet);
typedef VOID (*PFN_WDFINTERRUPTSETEXTENDEDPOLICY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt, PWDF_INTERRUPT_EXTENDED_POLICY PolicyAndGroup);
typedef WDFDEVICE (*PFN_WDFINTERRUPTGETDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef BOOLEAN (*PFN_WDFINTERRUPTTRYTOACQUIRELOCK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef VOID (*PFN_WDFINTERRUPTREPORTACTIVE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);
typedef VOID (*PFN_WDFINTERRUPTREPORTINACTIVE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFINTERRUPT Interrupt);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_INTERRUPT_CONFIG_INIT(PWDF_INTERRUPT_CONFIG Configuration, PFN_WDF_INTERRUPT_ISR EvtInterruptIsr, PFN_WDF_INTERRUPT_DPC EvtInterruptDpc)
{
    RtlZeroMemory(Configuration, sizeof(*Configuration));
    Configuration->Size = (ULONG)sizeof(*Configuration);
    Configuration->EvtInterruptIsr = EvtInterruptIsr;
    Configuration->EvtInterruptDpc = EvtInterruptDpc;
    Configuration->ShareVector = WdfUseDefault;
    Configuration->ReportInactiveOnPowerDown = WdfUseDefault;
}

FORCEINLINE VOID WDF_INTERRUPT_INFO_INIT(PWDF_INTERRUPT_INFO Info)
{
    RtlZeroMemory(Info, sizeof(*Info));
    Info->Size = (ULONG)sizeof(*Info);
}

FORCEINLINE VOID WDF_INTERRUPT_EXTENDED_POLICY_INIT(PWDF_INTERRUPT_EXTENDED_POLICY ExtendedPolicy)
{
    RtlZeroMemory(ExtendedPolicy, sizeof(*ExtendedPolicy));
    ExtendedPolicy->Size = (ULONG)sizeof(*ExtendedPolicy);
    ExtendedPolicy->Policy = WdfIrqPolicyMachineDefault;
    ExtendedPolicy->Priority = WdfIrqPriorityUndefined;
}

WDF_EXTERN_C_END

#endif /* _WDFINTERRUPT_H_ */
