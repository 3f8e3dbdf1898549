/*
 * wdfio.h - framework I/O queues (WDK wdfio.h).
 */
#ifndef _WDFIO_H_
#define _WDFIO_H_

#include <wdfobject.h>
#include <wdfdevice.h>

WDF_EXTERN_C_START

typedef enum _WDF_IO_QUEUE_DISPATCH_TYPE {
    WdfIoQueueDispatchInvalid = 0,
    WdfIoQueueDispatchSequential,
    WdfIoQueueDispatchParallel,
    WdfIoQueueDispatchManual,
    WdfIoQueueDispatchMax,
} WDF_IO_QUEUE_DISPATCH_TYPE;

typedef enum _WDF_IO_QUEUE_STATE {
    WdfIoQueueAcceptRequests = 0x01,
    WdfIoQueueDispatchRequests = 0x02,
    WdfIoQueueNoRequests = 0x04,
    WdfIoQueueDriverNoRequests = 0x08,
    WdfIoQueuePnpHeld = 0x10,
} WDF_IO_QUEUE_STATE;

FORCEINLINE BOOLEAN WDF_IO_QUEUE_IDLE(_In_ WDF_IO_QUEUE_STATE State)
{
    return ((State & WdfIoQueueNoRequests) && (State & WdfIoQueueDriverNoRequests)) ? TRUE : FALSE;
}

FORCEINLINE BOOLEAN WDF_IO_QUEUE_READY(_In_ WDF_IO_QUEUE_STATE State)
{
    return ((State & WdfIoQueueDispatchRequests) && (State & WdfIoQueueAcceptRequests)) ? TRUE
                                                                                        : FALSE;
}

FORCEINLINE BOOLEAN WDF_IO_QUEUE_STOPPED(_In_ WDF_IO_QUEUE_STATE State)
{
    return (!(State & WdfIoQueueDispatchRequests) && (State & WdfIoQueueAcceptRequests) &&
            (State & WdfIoQueueDriverNoRequests))
               ? TRUE
               : FALSE;
}

FORCEINLINE BOOLEAN WDF_IO_QUEUE_DRAINED(_In_ WDF_IO_QUEUE_STATE State)
{
    return (!(State & WdfIoQueueAcceptRequests) && (State & WdfIoQueueNoRequests) &&
            (State & WdfIoQueueDriverNoRequests))
               ? TRUE
               : FALSE;
}

FORCEINLINE BOOLEAN WDF_IO_QUEUE_PURGED(_In_ WDF_IO_QUEUE_STATE State)
{
    return (!(State & WdfIoQueueAcceptRequests) && !(State & WdfIoQueueDispatchRequests) &&
            (State & WdfIoQueueNoRequests) && (State & WdfIoQueueDriverNoRequests))
               ? TRUE
               : FALSE;
}

/* ------------------------------------------------------------- queue callbacks */

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_DEFAULT) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_DEFAULT(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_DEFAULT *PFN_WDF_IO_QUEUE_IO_DEFAULT;

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_STOP) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_STOP(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request, _In_ ULONG ActionFlags);
typedef EVT_WDF_IO_QUEUE_IO_STOP *PFN_WDF_IO_QUEUE_IO_STOP;

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_RESUME) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_RESUME(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_RESUME *PFN_WDF_IO_QUEUE_IO_RESUME;

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_READ) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_READ(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request, _In_ size_t Length);
typedef EVT_WDF_IO_QUEUE_IO_READ *PFN_WDF_IO_QUEUE_IO_READ;

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_WRITE) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_WRITE(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request, _In_ size_t Length);
typedef EVT_WDF_IO_QUEUE_IO_WRITE *PFN_WDF_IO_QUEUE_IO_WRITE;

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request,
                                        _In_ size_t OutputBufferLength,
                                        _In_ size_t InputBufferLength, _In_ ULONG IoControlCode);
typedef EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL *PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL;

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request,
                                                 _In_ size_t OutputBufferLength,
                                                 _In_ size_t InputBufferLength,
                                                 _In_ ULONG IoControlCode);
typedef EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL *PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL;

typedef _Function_class_(EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE(_In_ WDFQUEUE Queue, _In_ WDFREQUEST Request);
typedef EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE *PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE;

typedef _Function_class_(EVT_WDF_IO_QUEUE_STATE) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_IO_QUEUE_STATE(_In_ WDFQUEUE Queue, _In_ WDFCONTEXT Context);
typedef EVT_WDF_IO_QUEUE_STATE *PFN_WDF_IO_QUEUE_STATE;

typedef struct _WDF_IO_QUEUE_CONFIG {
    ULONG Size;
    WDF_IO_QUEUE_DISPATCH_TYPE DispatchType;
    WDF_TRI_STATE PowerManaged;
    BOOLEAN AllowZeroLengthRequests;
    BOOLEAN DefaultQueue;
    PFN_WDF_IO_QUEUE_IO_DEFAULT EvtIoDefault;
    PFN_WDF_IO_QUEUE_IO_READ EvtIoRead;
    PFN_WDF_IO_QUEUE_IO_WRITE EvtIoWrite;
    PFN_WDF_IO_QUEUE_IO_DEVICE_CONTROL EvtIoDeviceControl;
    PFN_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL EvtIoInternalDeviceControl;
    PFN_WDF_IO_QUEUE_IO_STOP EvtIoStop;
    PFN_WDF_IO_QUEUE_IO_RESUME EvtIoResume;
    PFN_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE EvtIoCanceledOnQueue;
    union {
        struct {
            ULONG NumberOfPresentedRequests;
        } Parallel;
    } Settings;
    WDFDRIVER Driver;
} WDF_IO_QUEUE_CONFIG, *PWDF_IO_QUEUE_CONFIG;

FORCEINLINE VOID WDF_IO_QUEUE_CONFIG_INIT(_Out_ PWDF_IO_QUEUE_CONFIG Config,
                                          _In_ WDF_IO_QUEUE_DISPATCH_TYPE DispatchType)
{
    RtlZeroMemory(Config, sizeof(WDF_IO_QUEUE_CONFIG));
    Config->Size = sizeof(WDF_IO_QUEUE_CONFIG);
    Config->PowerManaged = WdfUseDefault;
    Config->DispatchType = DispatchType;
    if (Config->DispatchType == WdfIoQueueDispatchParallel) {
        Config->Settings.Parallel.NumberOfPresentedRequests = (ULONG)-1;
    }
}

FORCEINLINE VOID WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(
    _Out_ PWDF_IO_QUEUE_CONFIG Config, _In_ WDF_IO_QUEUE_DISPATCH_TYPE DispatchType)
{
    WDF_IO_QUEUE_CONFIG_INIT(Config, DispatchType);
    Config->DefaultQueue = TRUE;
}

/* ---------------------------------------------------------------- queue methods */

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfIoQueueCreate(_In_ WDFDEVICE Device, _In_ PWDF_IO_QUEUE_CONFIG Config,
                                 _In_opt_ PWDF_OBJECT_ATTRIBUTES QueueAttributes,
                                 _Out_opt_ WDFQUEUE *Queue);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDF_IO_QUEUE_STATE
    WdfIoQueueGetState(_In_ WDFQUEUE Queue, _Out_opt_ PULONG QueueRequests,
                       _Out_opt_ PULONG DriverRequests);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfIoQueueStart(_In_ WDFQUEUE Queue);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfIoQueueStop(_In_ WDFQUEUE Queue,
                   _When_(Context != 0, _In_) _When_(Context == 0, _In_opt_)
                       PFN_WDF_IO_QUEUE_STATE StopComplete,
                   _When_(StopComplete != 0, _In_) _When_(StopComplete == 0, _In_opt_)
                       WDFCONTEXT Context);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID WdfIoQueueStopSynchronously(_In_ WDFQUEUE Queue);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFDEVICE WdfIoQueueGetDevice(_In_ WDFQUEUE Queue);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfIoQueueRetrieveNextRequest(_In_ WDFQUEUE Queue, _Out_ WDFREQUEST *OutRequest);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfIoQueuePurge(_In_ WDFQUEUE Queue,
                    _When_(Context != 0, _In_) _When_(Context == 0, _In_opt_)
                        PFN_WDF_IO_QUEUE_STATE PurgeComplete,
                    _When_(PurgeComplete != 0, _In_) _When_(PurgeComplete == 0, _In_opt_)
                        WDFCONTEXT Context);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID WdfIoQueuePurgeSynchronously(_In_ WDFQUEUE Queue);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfIoQueueDrain(_In_ WDFQUEUE Queue,
                    _When_(Context != 0, _In_) _When_(Context == 0, _In_opt_)
                        PFN_WDF_IO_QUEUE_STATE DrainComplete,
                    _When_(DrainComplete != 0, _In_) _When_(DrainComplete == 0, _In_opt_)
                        WDFCONTEXT Context);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID WdfIoQueueDrainSynchronously(_In_ WDFQUEUE Queue);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfIoQueueStopAndPurge(_In_ WDFQUEUE Queue,
                           _When_(Context != 0, _In_) _When_(Context == 0, _In_opt_)
                               PFN_WDF_IO_QUEUE_STATE StopAndPurgeComplete,
                           _When_(StopAndPurgeComplete != 0, _In_)
                               _When_(StopAndPurgeComplete == 0, _In_opt_) WDFCONTEXT Context);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID
    WdfIoQueueStopAndPurgeSynchronously(_In_ WDFQUEUE Queue);

/* ---- The rest of the KMDF 1.15 surface of wdfio.h. */
typedef enum _WDF_IO_FORWARD_PROGRESS_ACTION {
    WdfIoForwardProgressActionInvalid = 0x0,
    WdfIoForwardProgressActionFailRequest,
    WdfIoForwardProgressActionUseReservedRequest
} WDF_IO_FORWARD_PROGRESS_ACTION;

typedef enum _WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY {
    WdfIoForwardProgressInvalidPolicy =0x0,
    WdfIoForwardProgressReservedPolicyAlwaysUseReservedRequest,
    WdfIoForwardProgressReservedPolicyUseExamine,
    WdfIoForwardProgressReservedPolicyPagingIO
} WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY;

typedef NTSTATUS EVT_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST *PFN_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST;

typedef NTSTATUS EVT_WDF_IO_ALLOCATE_REQUEST_RESOURCES(WDFQUEUE Queue, WDFREQUEST Request);
typedef EVT_WDF_IO_ALLOCATE_REQUEST_RESOURCES *PFN_WDF_IO_ALLOCATE_REQUEST_RESOURCES;

typedef WDF_IO_FORWARD_PROGRESS_ACTION EVT_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS(WDFQUEUE Queue, PIRP Irp);
typedef EVT_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS *PFN_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS;

typedef struct _WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY_SETTINGS {
    union {
        struct {
            PFN_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS EvtIoWdmIrpForForwardProgress;
        } ExaminePolicy;
    } Policy;
} WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY_SETTINGS;

typedef struct _WDF_IO_QUEUE_FORWARD_PROGRESS_POLICY {
    ULONG Size;
    ULONG TotalForwardProgressRequests;
    WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY ForwardProgressReservedPolicy;
    WDF_IO_FORWARD_PROGRESS_RESERVED_POLICY_SETTINGS ForwardProgressReservePolicySettings;
    PFN_WDF_IO_ALLOCATE_RESOURCES_FOR_RESERVED_REQUEST EvtIoAllocateResourcesForReservedRequest;
    PFN_WDF_IO_ALLOCATE_REQUEST_RESOURCES EvtIoAllocateRequestResources;
} WDF_IO_QUEUE_FORWARD_PROGRESS_POLICY, *PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY;

WDFAPI NTSTATUS WdfIoQueueRetrieveRequestByFileObject(WDFQUEUE Queue, WDFFILEOBJECT FileObject, WDFREQUEST* OutRequest);
WDFAPI NTSTATUS WdfIoQueueFindRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest, WDFFILEOBJECT FileObject, PWDF_REQUEST_PARAMETERS Parameters, WDFREQUEST* OutRequest);
WDFAPI NTSTATUS WdfIoQueueRetrieveFoundRequest(WDFQUEUE Queue, WDFREQUEST FoundRequest, WDFREQUEST* OutRequest);
WDFAPI NTSTATUS WdfIoQueueReadyNotify(WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE QueueReady, WDFCONTEXT Context);
WDFAPI NTSTATUS WdfIoQueueAssignForwardProgressPolicy(WDFQUEUE Queue, PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY ForwardProgressPolicy);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFIOQUEUECREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_IO_QUEUE_CONFIG Config, PWDF_OBJECT_ATTRIBUTES QueueAttributes, WDFQUEUE* Queue);
typedef WDF_IO_QUEUE_STATE (*PFN_WDFIOQUEUEGETSTATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, PULONG QueueRequests, PULONG DriverRequests);
typedef VOID (*PFN_WDFIOQUEUESTART)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
typedef VOID (*PFN_WDFIOQUEUESTOP)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopComplete, WDFCONTEXT Context);
typedef VOID (*PFN_WDFIOQUEUESTOPSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
typedef WDFDEVICE (*PFN_WDFIOQUEUEGETDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
typedef NTSTATUS (*PFN_WDFIOQUEUERETRIEVENEXTREQUEST)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, WDFREQUEST* OutRequest);
typedef NTSTATUS (*PFN_WDFIOQUEUERETRIEVEREQUESTBYFILEOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, WDFFILEOBJECT FileObject, WDFREQUEST* OutRequest);
typedef NTSTATUS (*PFN_WDFIOQUEUEFINDREQUEST)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, WDFREQUEST FoundRequest, WDFFILEOBJECT FileObject, PWDF_REQUEST_PARAMETERS Parameters, WDFREQUEST* OutRequest);
typedef NTSTATUS (*PFN_WDFIOQUEUERETRIEVEFOUNDREQUEST)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, WDFREQUEST FoundRequest, WDFREQUEST* OutRequest);
typedef VOID (*PFN_WDFIOQUEUEDRAINSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
typedef VOID (*PFN_WDFIOQUEUEDRAIN)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE DrainComplete, WDFCONTEXT Context);
typedef VOID (*PFN_WDFIOQUEUEPURGESYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);
typedef VOID (*PFN_WDFIOQUEUEPURGE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE PurgeComplete, WDFCONTEXT Context);
typedef NTSTATUS (*PFN_WDFIOQUEUEREADYNOTIFY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE QueueReady, WDFCONTEXT Context);
typedef NTSTATUS (*PFN_WDFIOQUEUEASSIGNFORWARDPROGRESSPOLICY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY ForwardProgressPolicy);
typedef VOID (*PFN_WDFIOQUEUESTOPANDPURGE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue, PFN_WDF_IO_QUEUE_STATE StopAndPurgeComplete, WDFCONTEXT Context);
typedef VOID (*PFN_WDFIOQUEUESTOPANDPURGESYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFQUEUE Queue);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_IO_QUEUE_FORWARD_PROGRESS_POLICY_DEFAULT_INIT(PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY Policy, ULONG TotalForwardProgressRequests)
{
    RtlZeroMemory(Policy, sizeof(*Policy));
    Policy->Size = (ULONG)sizeof(*Policy);
    Policy->TotalForwardProgressRequests = TotalForwardProgressRequests;
    Policy->ForwardProgressReservedPolicy = WdfIoForwardProgressReservedPolicyAlwaysUseReservedRequest;
}

FORCEINLINE VOID WDF_IO_QUEUE_FORWARD_PROGRESS_POLICY_EXAMINE_INIT(PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY Policy, ULONG TotalForwardProgressRequests, PFN_WDF_IO_WDM_IRP_FOR_FORWARD_PROGRESS EvtIoWdmIrpForForwardProgress)
{
    RtlZeroMemory(Policy, sizeof(*Policy));
    Policy->Size = (ULONG)sizeof(*Policy);
    Policy->TotalForwardProgressRequests = TotalForwardProgressRequests;
    Policy->ForwardProgressReservedPolicy = WdfIoForwardProgressReservedPolicyUseExamine;
    Policy->ForwardProgressReservePolicySettings.Policy.ExaminePolicy.EvtIoWdmIrpForForwardProgress = EvtIoWdmIrpForForwardProgress;
}

FORCEINLINE VOID WDF_IO_QUEUE_FORWARD_PROGRESS_POLICY_PAGINGIO_INIT(PWDF_IO_QUEUE_FORWARD_PROGRESS_POLICY Policy, ULONG TotalForwardProgressRequests)
{
    RtlZeroMemory(Policy, sizeof(*Policy));
    Policy->Size = (ULONG)sizeof(*Policy);
    Policy->TotalForwardProgressRequests = TotalForwardProgressRequests;
    Policy->ForwardProgressReservedPolicy = WdfIoForwardProgressReservedPolicyPagingIO;
}

WDF_EXTERN_C_END

#endif /* _WDFIO_H_ */
