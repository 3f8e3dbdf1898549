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

WDF_EXTERN_C_END

#endif /* _WDFREQUEST_H_ */
