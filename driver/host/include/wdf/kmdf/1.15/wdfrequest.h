/*
 * wdfrequest.h - framework request objects (WDK wdfrequest.h).
 */
#ifndef _WDFREQUEST_H_
#define _WDFREQUEST_H_

#include <wdfobject.h>
#include <wdfdevice.h>

WDF_EXTERN_C_START

typedef _Function_class_(EVT_WDF_REQUEST_CANCEL) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_REQUEST_CANCEL(_In_ WDFREQUEST Request);
typedef EVT_WDF_REQUEST_CANCEL *PFN_WDF_REQUEST_CANCEL;

typedef enum _WDF_REQUEST_STOP_ACTION_FLAGS {
    WdfRequestStopActionInvalid = 0,
    WdfRequestStopActionSuspend = 0x01,
    WdfRequestStopActionPurge = 0x2,
    WdfRequestStopRequestCancelable = 0x10000000,
} WDF_REQUEST_STOP_ACTION_FLAGS;

typedef struct _WDF_REQUEST_PARAMETERS {
    USHORT Size;
    UCHAR MinorFunction;
    WDF_REQUEST_TYPE Type;
    union {
        struct {
            struct _IO_SECURITY_CONTEXT *SecurityContext;
            ULONG Options;
            USHORT POINTER_ALIGNMENT FileAttributes;
            USHORT ShareAccess;
            ULONG POINTER_ALIGNMENT EaLength;
        } Create;
        struct {
            size_t Length;
            ULONG POINTER_ALIGNMENT Key;
            LONGLONG DeviceOffset;
        } Read;
        struct {
            size_t Length;
            ULONG POINTER_ALIGNMENT Key;
            LONGLONG DeviceOffset;
        } Write;
        struct {
            size_t OutputBufferLength;
            size_t POINTER_ALIGNMENT InputBufferLength;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Type3InputBuffer;
        } DeviceIoControl;
        struct {
            PVOID Arg1;
            PVOID Arg2;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Arg4;
        } Others;
    } Parameters;
} WDF_REQUEST_PARAMETERS, *PWDF_REQUEST_PARAMETERS;

FORCEINLINE VOID WDF_REQUEST_PARAMETERS_INIT(_Out_ PWDF_REQUEST_PARAMETERS Parameters)
{
    RtlZeroMemory(Parameters, sizeof(WDF_REQUEST_PARAMETERS));
    Parameters->Size = sizeof(WDF_REQUEST_PARAMETERS);
}

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfRequestComplete(_In_ WDFREQUEST Request, _In_ NTSTATUS Status);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfRequestCompleteWithInformation(_In_ WDFREQUEST Request, _In_ NTSTATUS Status,
                                      _In_ ULONG_PTR Information);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfRequestCompleteWithPriorityBoost(_In_ WDFREQUEST Request, _In_ NTSTATUS Status,
                                        _In_ CCHAR PriorityBoost);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfRequestSetInformation(_In_ WDFREQUEST Request, _In_ ULONG_PTR Information);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI ULONG_PTR
    WdfRequestGetInformation(_In_ WDFREQUEST Request);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI NTSTATUS WdfRequestGetStatus(_In_ WDFREQUEST Request);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestRetrieveInputMemory(_In_ WDFREQUEST Request, _Out_ WDFMEMORY *Memory);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestRetrieveOutputMemory(_In_ WDFREQUEST Request, _Out_ WDFMEMORY *Memory);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestRetrieveInputBuffer(_In_ WDFREQUEST Request,
                                              _In_ size_t MinimumRequiredLength,
                                              _Outptr_result_bytebuffer_(*Length) PVOID *Buffer,
                                              _Out_opt_ size_t *Length);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestRetrieveOutputBuffer(_In_ WDFREQUEST Request,
                                               _In_ size_t MinimumRequiredSize,
                                               _Outptr_result_bytebuffer_(*Length) PVOID *Buffer,
                                               _Out_opt_ size_t *Length);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfRequestGetParameters(_In_ WDFREQUEST Request, _Out_ PWDF_REQUEST_PARAMETERS Parameters);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFFILEOBJECT
    WdfRequestGetFileObject(_In_ WDFREQUEST Request);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFQUEUE WdfRequestGetIoQueue(_In_ WDFREQUEST Request);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PIRP WdfRequestWdmGetIrp(_In_ WDFREQUEST Request);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI KPROCESSOR_MODE
    WdfRequestGetRequestorMode(_In_ WDFREQUEST Request);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfRequestMarkCancelable(_In_ WDFREQUEST Request, _In_ PFN_WDF_REQUEST_CANCEL EvtRequestCancel);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestMarkCancelableEx(_In_ WDFREQUEST Request,
                                           _In_ PFN_WDF_REQUEST_CANCEL EvtRequestCancel);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestUnmarkCancelable(_In_ WDFREQUEST Request);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI BOOLEAN WdfRequestIsCanceled(_In_ WDFREQUEST Request);

/* From EvtIoStop: the driver has handled the stop (Requeue: give the request back). */
_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfRequestStopAcknowledge(_In_ WDFREQUEST Request, _In_ BOOLEAN Requeue);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestForwardToIoQueue(_In_ WDFREQUEST Request, _In_ WDFQUEUE DestinationQueue);

/* ---- The rest of the KMDF 1.15 surface of wdfrequest.h. */
typedef enum _WDF_REQUEST_REUSE_FLAGS {
    WDF_REQUEST_REUSE_NO_FLAGS = 0x00000000,
    WDF_REQUEST_REUSE_SET_NEW_IRP = 0x00000001,
} WDF_REQUEST_REUSE_FLAGS;

typedef enum _WDF_REQUEST_SEND_OPTIONS_FLAGS {
    WDF_REQUEST_SEND_OPTION_TIMEOUT = 0x00000001,
    WDF_REQUEST_SEND_OPTION_SYNCHRONOUS = 0x00000002,
    WDF_REQUEST_SEND_OPTION_IGNORE_TARGET_STATE = 0x00000004,
    WDF_REQUEST_SEND_OPTION_SEND_AND_FORGET = 0x00000008,
    WDF_REQUEST_SEND_OPTION_IMPERSONATE_CLIENT = 0x00010000,
    WDF_REQUEST_SEND_OPTION_IMPERSONATION_IGNORE_FAILURE = 0x00020000,
} WDF_REQUEST_SEND_OPTIONS_FLAGS;

typedef struct _WDF_USB_REQUEST_COMPLETION_PARAMS *PWDF_USB_REQUEST_COMPLETION_PARAMS;

typedef struct _WDF_REQUEST_COMPLETION_PARAMS {
    ULONG Size;
    WDF_REQUEST_TYPE Type;
    IO_STATUS_BLOCK IoStatus;
    union {
        struct {
            WDFMEMORY Buffer;
            size_t Length;
            size_t Offset;
        } Write;
        struct {
            WDFMEMORY Buffer;
            size_t Length;
            size_t Offset;
        } Read;
        struct {
            ULONG IoControlCode;
            struct {
                WDFMEMORY Buffer;
                size_t Offset;
            } Input;
            struct {
                WDFMEMORY Buffer;
                size_t Offset;
                size_t Length;
            } Output;
        } Ioctl;
        struct {
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument1;
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument2;
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument3;
            union {
                PVOID Ptr;
                ULONG_PTR Value;
            } Argument4;
        } Others;
        struct {
            PWDF_USB_REQUEST_COMPLETION_PARAMS Completion;
        } Usb;
    } Parameters;
} WDF_REQUEST_COMPLETION_PARAMS, *PWDF_REQUEST_COMPLETION_PARAMS;

typedef VOID EVT_WDF_REQUEST_COMPLETION_ROUTINE(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_COMPLETION_PARAMS Params, WDFCONTEXT Context);
typedef EVT_WDF_REQUEST_COMPLETION_ROUTINE *PFN_WDF_REQUEST_COMPLETION_ROUTINE;

typedef struct _WDF_REQUEST_REUSE_PARAMS {
    ULONG Size;
    ULONG Flags;
    NTSTATUS Status;
    PIRP NewIrp;
} WDF_REQUEST_REUSE_PARAMS, *PWDF_REQUEST_REUSE_PARAMS;

typedef struct _WDF_REQUEST_SEND_OPTIONS {
    ULONG Size;
    ULONG Flags;
    LONGLONG Timeout;
} WDF_REQUEST_SEND_OPTIONS, *PWDF_REQUEST_SEND_OPTIONS;

typedef enum _WDF_REQUEST_FORWARD_OPTIONS_FLAGS {
    WDF_REQUEST_FORWARD_OPTION_SEND_AND_FORGET = 0x00000001
} WDF_REQUEST_FORWARD_OPTIONS_FLAGS;

typedef struct _WDF_REQUEST_FORWARD_OPTIONS {
    ULONG Size;
    ULONG Flags;
} WDF_REQUEST_FORWARD_OPTIONS, *PWDF_REQUEST_FORWARD_OPTIONS;

WDFAPI NTSTATUS WdfRequestCreate(PWDF_OBJECT_ATTRIBUTES RequestAttributes, WDFIOTARGET IoTarget, WDFREQUEST* Request);
WDFAPI NTSTATUS WdfRequestCreateFromIrp(PWDF_OBJECT_ATTRIBUTES RequestAttributes, PIRP Irp, BOOLEAN RequestFreesIrp, WDFREQUEST* Request);
WDFAPI NTSTATUS WdfRequestReuse(WDFREQUEST Request, PWDF_REQUEST_REUSE_PARAMS ReuseParams);
WDFAPI NTSTATUS WdfRequestChangeTarget(WDFREQUEST Request, WDFIOTARGET IoTarget);
WDFAPI VOID WdfRequestFormatRequestUsingCurrentType(WDFREQUEST Request);
WDFAPI VOID WdfRequestWdmFormatUsingStackLocation(WDFREQUEST Request, PIO_STACK_LOCATION Stack);
WDFAPI BOOLEAN WdfRequestSend(WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_SEND_OPTIONS Options);
WDFAPI BOOLEAN WdfRequestCancelSentRequest(WDFREQUEST Request);
WDFAPI BOOLEAN WdfRequestIsFrom32BitProcess(WDFREQUEST Request);
WDFAPI VOID WdfRequestSetCompletionRoutine(WDFREQUEST Request, PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine, WDFCONTEXT CompletionContext);
WDFAPI VOID WdfRequestGetCompletionParams(WDFREQUEST Request, PWDF_REQUEST_COMPLETION_PARAMS Params);
WDFAPI NTSTATUS WdfRequestAllocateTimer(WDFREQUEST Request);
WDFAPI NTSTATUS WdfRequestRetrieveInputWdmMdl(WDFREQUEST Request, PMDL* Mdl);
WDFAPI NTSTATUS WdfRequestRetrieveOutputWdmMdl(WDFREQUEST Request, PMDL* Mdl);
WDFAPI NTSTATUS WdfRequestRetrieveUnsafeUserInputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength, PVOID* InputBuffer, size_t* Length);
WDFAPI NTSTATUS WdfRequestRetrieveUnsafeUserOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredLength, PVOID* OutputBuffer, size_t* Length);
WDFAPI NTSTATUS WdfRequestProbeAndLockUserBufferForRead(WDFREQUEST Request, PVOID Buffer, size_t Length, WDFMEMORY* MemoryObject);
WDFAPI NTSTATUS WdfRequestProbeAndLockUserBufferForWrite(WDFREQUEST Request, PVOID Buffer, size_t Length, WDFMEMORY* MemoryObject);
WDFAPI NTSTATUS WdfRequestRequeue(WDFREQUEST Request);
WDFAPI BOOLEAN WdfRequestIsReserved(WDFREQUEST Request);
WDFAPI NTSTATUS WdfRequestForwardToParentDeviceIoQueue(WDFREQUEST Request, WDFQUEUE ParentDeviceQueue, PWDF_REQUEST_FORWARD_OPTIONS ForwardOptions);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFREQUESTCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES RequestAttributes, WDFIOTARGET IoTarget, WDFREQUEST* Request);
typedef NTSTATUS (*PFN_WDFREQUESTCREATEFROMIRP)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES RequestAttributes, PIRP Irp, BOOLEAN RequestFreesIrp, WDFREQUEST* Request);
typedef NTSTATUS (*PFN_WDFREQUESTREUSE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PWDF_REQUEST_REUSE_PARAMS ReuseParams);
typedef NTSTATUS (*PFN_WDFREQUESTCHANGETARGET)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, WDFIOTARGET IoTarget);
typedef VOID (*PFN_WDFREQUESTFORMATREQUESTUSINGCURRENTTYPE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef VOID (*PFN_WDFREQUESTWDMFORMATUSINGSTACKLOCATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PIO_STACK_LOCATION Stack);
typedef BOOLEAN (*PFN_WDFREQUESTSEND)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, WDFIOTARGET Target, PWDF_REQUEST_SEND_OPTIONS Options);
typedef NTSTATUS (*PFN_WDFREQUESTGETSTATUS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef VOID (*PFN_WDFREQUESTMARKCANCELABLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel);
typedef NTSTATUS (*PFN_WDFREQUESTMARKCANCELABLEEX)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel);
typedef NTSTATUS (*PFN_WDFREQUESTUNMARKCANCELABLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef BOOLEAN (*PFN_WDFREQUESTISCANCELED)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef BOOLEAN (*PFN_WDFREQUESTCANCELSENTREQUEST)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef BOOLEAN (*PFN_WDFREQUESTISFROM32BITPROCESS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef VOID (*PFN_WDFREQUESTSETCOMPLETIONROUTINE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine, WDFCONTEXT CompletionContext);
typedef VOID (*PFN_WDFREQUESTGETCOMPLETIONPARAMS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PWDF_REQUEST_COMPLETION_PARAMS Params);
typedef NTSTATUS (*PFN_WDFREQUESTALLOCATETIMER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef VOID (*PFN_WDFREQUESTCOMPLETE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, NTSTATUS Status);
typedef VOID (*PFN_WDFREQUESTCOMPLETEWITHPRIORITYBOOST)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, NTSTATUS Status, CCHAR PriorityBoost);
typedef VOID (*PFN_WDFREQUESTCOMPLETEWITHINFORMATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, NTSTATUS Status, ULONG_PTR Information);
typedef VOID (*PFN_WDFREQUESTGETPARAMETERS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PWDF_REQUEST_PARAMETERS Parameters);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEINPUTMEMORY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, WDFMEMORY* Memory);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEOUTPUTMEMORY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, WDFMEMORY* Memory);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEINPUTBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, size_t MinimumRequiredLength, PVOID* Buffer, size_t* Length);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEOUTPUTBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, size_t MinimumRequiredSize, PVOID* Buffer, size_t* Length);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEINPUTWDMMDL)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PMDL* Mdl);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEOUTPUTWDMMDL)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PMDL* Mdl);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEUNSAFEUSERINPUTBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, size_t MinimumRequiredLength, PVOID* InputBuffer, size_t* Length);
typedef NTSTATUS (*PFN_WDFREQUESTRETRIEVEUNSAFEUSEROUTPUTBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, size_t MinimumRequiredLength, PVOID* OutputBuffer, size_t* Length);
typedef VOID (*PFN_WDFREQUESTSETINFORMATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, ULONG_PTR Information);
typedef ULONG_PTR (*PFN_WDFREQUESTGETINFORMATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef WDFFILEOBJECT (*PFN_WDFREQUESTGETFILEOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef NTSTATUS (*PFN_WDFREQUESTPROBEANDLOCKUSERBUFFERFORREAD)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PVOID Buffer, size_t Length, WDFMEMORY* MemoryObject);
typedef NTSTATUS (*PFN_WDFREQUESTPROBEANDLOCKUSERBUFFERFORWRITE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, PVOID Buffer, size_t Length, WDFMEMORY* MemoryObject);
typedef KPROCESSOR_MODE (*PFN_WDFREQUESTGETREQUESTORMODE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef NTSTATUS (*PFN_WDFREQUESTFORWARDTOIOQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, WDFQUEUE DestinationQueue);
typedef WDFQUEUE (*PFN_WDFREQUESTGETIOQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef NTSTATUS (*PFN_WDFREQUESTREQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef VOID (*PFN_WDFREQUESTSTOPACKNOWLEDGE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, BOOLEAN Requeue);
typedef PIRP (*PFN_WDFREQUESTWDMGETIRP)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef BOOLEAN (*PFN_WDFREQUESTISRESERVED)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request);
typedef NTSTATUS (*PFN_WDFREQUESTFORWARDTOPARENTDEVICEIOQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFREQUEST Request, WDFQUEUE ParentDeviceQueue, PWDF_REQUEST_FORWARD_OPTIONS ForwardOptions);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_REQUEST_COMPLETION_PARAMS_INIT(PWDF_REQUEST_COMPLETION_PARAMS Params)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfRequestTypeNoFormat;
}

FORCEINLINE VOID WDF_REQUEST_REUSE_PARAMS_INIT(PWDF_REQUEST_REUSE_PARAMS Params, ULONG Flags, NTSTATUS Status)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Flags = Flags;
    Params->Status = Status;
}

FORCEINLINE VOID WDF_REQUEST_REUSE_PARAMS_SET_NEW_IRP(PWDF_REQUEST_REUSE_PARAMS Params, PIRP NewIrp)
{
    Params->NewIrp = NewIrp;
    Params->Flags |= WDF_REQUEST_REUSE_SET_NEW_IRP;
}

FORCEINLINE VOID WDF_REQUEST_SEND_OPTIONS_INIT(PWDF_REQUEST_SEND_OPTIONS Options, ULONG Flags)
{
    RtlZeroMemory(Options, sizeof(*Options));
    Options->Size = (ULONG)sizeof(*Options);
    Options->Flags = Flags;
}

FORCEINLINE VOID WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(PWDF_REQUEST_SEND_OPTIONS Options, LONGLONG Timeout)
{
    Options->Timeout = Timeout;
    Options->Flags |= WDF_REQUEST_SEND_OPTION_TIMEOUT;
}

FORCEINLINE VOID WDF_REQUEST_FORWARD_OPTIONS_INIT(PWDF_REQUEST_FORWARD_OPTIONS ForwardOptions)
{
    RtlZeroMemory(ForwardOptions, sizeof(*ForwardOptions));
    ForwardOptions->Size = (ULONG)sizeof(*ForwardOptions);
    ForwardOptions->Flags = WDF_REQUEST_FORWARD_OPTION_SEND_AND_FORGET;
}

WDF_EXTERN_C_END

#endif /* _WDFREQUEST_H_ */
