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

/* ------------------------------------------------ sending requests to I/O targets */

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

/* What the framework tells a completion routine about the request that completed. */
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

FORCEINLINE VOID WDF_REQUEST_COMPLETION_PARAMS_INIT(_Out_ PWDF_REQUEST_COMPLETION_PARAMS Params)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = sizeof(*Params);
    Params->Type = WdfRequestTypeNoFormat;
}

typedef _Function_class_(EVT_WDF_REQUEST_COMPLETION_ROUTINE) _IRQL_requires_same_
VOID EVT_WDF_REQUEST_COMPLETION_ROUTINE(_In_ WDFREQUEST Request, _In_ WDFIOTARGET Target,
                                        _In_ PWDF_REQUEST_COMPLETION_PARAMS Params,
                                        _In_ WDFCONTEXT Context);
typedef EVT_WDF_REQUEST_COMPLETION_ROUTINE *PFN_WDF_REQUEST_COMPLETION_ROUTINE;

typedef struct _WDF_REQUEST_REUSE_PARAMS {
    ULONG Size;
    ULONG Flags;
    NTSTATUS Status;
    PIRP NewIrp;
} WDF_REQUEST_REUSE_PARAMS, *PWDF_REQUEST_REUSE_PARAMS;

FORCEINLINE VOID WDF_REQUEST_REUSE_PARAMS_INIT(_Out_ PWDF_REQUEST_REUSE_PARAMS Params,
                                               _In_ ULONG Flags, _In_ NTSTATUS Status)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = sizeof(*Params);
    Params->Flags = Flags;
    Params->Status = Status;
}

FORCEINLINE VOID WDF_REQUEST_REUSE_PARAMS_SET_NEW_IRP(_Inout_ PWDF_REQUEST_REUSE_PARAMS Params,
                                                      _In_ PIRP NewIrp)
{
    Params->Flags |= WDF_REQUEST_REUSE_SET_NEW_IRP;
    Params->NewIrp = NewIrp;
}

typedef struct _WDF_REQUEST_SEND_OPTIONS {
    ULONG Size;
    ULONG Flags;
    LONGLONG Timeout; /* 100 ns units; negative relative, positive absolute */
} WDF_REQUEST_SEND_OPTIONS, *PWDF_REQUEST_SEND_OPTIONS;

FORCEINLINE VOID WDF_REQUEST_SEND_OPTIONS_INIT(_Out_ PWDF_REQUEST_SEND_OPTIONS Options,
                                               _In_ ULONG Flags)
{
    RtlZeroMemory(Options, sizeof(*Options));
    Options->Size = sizeof(*Options);
    Options->Flags = Flags;
}

FORCEINLINE VOID WDF_REQUEST_SEND_OPTIONS_SET_TIMEOUT(_Inout_ PWDF_REQUEST_SEND_OPTIONS Options,
                                                      _In_ LONGLONG Timeout)
{
    Options->Flags |= WDF_REQUEST_SEND_OPTION_TIMEOUT;
    Options->Timeout = Timeout;
}

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestCreate(_In_opt_ PWDF_OBJECT_ATTRIBUTES RequestAttributes,
                                 _In_opt_ WDFIOTARGET IoTarget, _Out_ WDFREQUEST *Request);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfRequestReuse(_In_ WDFREQUEST Request,
                                _In_ PWDF_REQUEST_REUSE_PARAMS ReuseParams);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI VOID WdfRequestFormatRequestUsingCurrentType(_In_ WDFREQUEST Request);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI VOID WdfRequestWdmFormatUsingStackLocation(_In_ WDFREQUEST Request,
                                                  _In_ PIO_STACK_LOCATION Stack);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI VOID WdfRequestSetCompletionRoutine(_In_ WDFREQUEST Request,
                                           _In_opt_ PFN_WDF_REQUEST_COMPLETION_ROUTINE CompletionRoutine,
                                           _In_opt_ WDFCONTEXT CompletionContext);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI VOID WdfRequestGetCompletionParams(_In_ WDFREQUEST Request,
                                          _Out_ PWDF_REQUEST_COMPLETION_PARAMS Params);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI BOOLEAN WdfRequestSend(_In_ WDFREQUEST Request, _In_ WDFIOTARGET Target,
                              _In_opt_ PWDF_REQUEST_SEND_OPTIONS Options);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI BOOLEAN WdfRequestCancelSentRequest(_In_ WDFREQUEST Request);

WDF_EXTERN_C_END

#endif /* _WDFREQUEST_H_ */
