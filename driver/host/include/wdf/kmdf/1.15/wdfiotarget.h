/*
 * wdfiotarget.h - framework I/O targets (WDK wdfiotarget.h): the default target (the
 * next lower driver of a device's stack) and remote targets a driver opens itself.
 */
#ifndef _WDFIOTARGET_H_
#define _WDFIOTARGET_H_

#include <wdfobject.h>
#include <wdfmemory.h>
#include <wdfrequest.h>

WDF_EXTERN_C_START

typedef enum _WDF_IO_TARGET_STATE {
    WdfIoTargetStateUndefined = 0,
    WdfIoTargetStarted,
    WdfIoTargetStopped,
    WdfIoTargetClosedForQueryRemove,
    WdfIoTargetClosed,
    WdfIoTargetDeleted,
    WdfIoTargetPurged,
} WDF_IO_TARGET_STATE, *PWDF_IO_TARGET_STATE;

typedef enum _WDF_IO_TARGET_OPEN_TYPE {
    WdfIoTargetOpenUndefined = 0,
    WdfIoTargetOpenUseExistingDevice = 1,
    WdfIoTargetOpenByName = 2,
    WdfIoTargetOpenReopen = 3,
    WdfIoTargetOpenLocalTargetByFile = 4,
} WDF_IO_TARGET_OPEN_TYPE;

typedef enum _WDF_IO_TARGET_SENT_IO_ACTION {
    WdfIoTargetSentIoUndefined = 0,
    WdfIoTargetCancelSentIo,
    WdfIoTargetWaitForSentIoToComplete,
    WdfIoTargetLeaveSentIoPending,
} WDF_IO_TARGET_SENT_IO_ACTION;

typedef enum _WDF_IO_TARGET_PURGE_IO_ACTION {
    WdfIoTargetPurgeIoUndefined = 0,
    WdfIoTargetPurgeIoAndWait = 1,
    WdfIoTargetPurgeIo = 2,
} WDF_IO_TARGET_PURGE_IO_ACTION;

typedef _Function_class_(EVT_WDF_IO_TARGET_QUERY_REMOVE) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS EVT_WDF_IO_TARGET_QUERY_REMOVE(_In_ WDFIOTARGET IoTarget);
typedef EVT_WDF_IO_TARGET_QUERY_REMOVE *PFN_WDF_IO_TARGET_QUERY_REMOVE;

typedef _Function_class_(EVT_WDF_IO_TARGET_REMOVE_CANCELED) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_IO_TARGET_REMOVE_CANCELED(_In_ WDFIOTARGET IoTarget);
typedef EVT_WDF_IO_TARGET_REMOVE_CANCELED *PFN_WDF_IO_TARGET_REMOVE_CANCELED;

typedef _Function_class_(EVT_WDF_IO_TARGET_REMOVE_COMPLETE) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_IO_TARGET_REMOVE_COMPLETE(_In_ WDFIOTARGET IoTarget);
typedef EVT_WDF_IO_TARGET_REMOVE_COMPLETE *PFN_WDF_IO_TARGET_REMOVE_COMPLETE;

typedef struct _WDF_IO_TARGET_OPEN_PARAMS {
    ULONG Size;
    WDF_IO_TARGET_OPEN_TYPE Type;
    PFN_WDF_IO_TARGET_QUERY_REMOVE EvtIoTargetQueryRemove;
    PFN_WDF_IO_TARGET_REMOVE_CANCELED EvtIoTargetRemoveCanceled;
    PFN_WDF_IO_TARGET_REMOVE_COMPLETE EvtIoTargetRemoveComplete;
    /* WdfIoTargetOpenUseExistingDevice */
    PDEVICE_OBJECT TargetDeviceObject;
    PFILE_OBJECT TargetFileObject;
    /* WdfIoTargetOpenByName */
    UNICODE_STRING TargetDeviceName;
    ACCESS_MASK DesiredAccess;
    ULONG ShareAccess;
    ULONG FileAttributes;
    ULONG CreateDisposition;
    ULONG CreateOptions;
    PVOID EaBuffer;
    ULONG EaBufferLength;
    PLONGLONG AllocationSize;
    ULONG FileInformation;
    /* WdfIoTargetOpenLocalTargetByFile */
    UNICODE_STRING FileName;
} WDF_IO_TARGET_OPEN_PARAMS, *PWDF_IO_TARGET_OPEN_PARAMS;

FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_EXISTING_DEVICE(
    _Out_ PWDF_IO_TARGET_OPEN_PARAMS Params, _In_ PDEVICE_OBJECT DeviceObject)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = sizeof(*Params);
    Params->Type = WdfIoTargetOpenUseExistingDevice;
    Params->TargetDeviceObject = DeviceObject;
}

FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_CREATE_BY_NAME(
    _Out_ PWDF_IO_TARGET_OPEN_PARAMS Params, _In_ PCUNICODE_STRING TargetDeviceName,
    _In_ ACCESS_MASK DesiredAccess)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = sizeof(*Params);
    Params->Type = WdfIoTargetOpenByName;
    Params->TargetDeviceName = *TargetDeviceName;
    Params->DesiredAccess = DesiredAccess;
    Params->CreateOptions = FILE_NON_DIRECTORY_FILE;
}

FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_OPEN_BY_NAME(
    _Out_ PWDF_IO_TARGET_OPEN_PARAMS Params, _In_ PCUNICODE_STRING TargetDeviceName,
    _In_ ACCESS_MASK DesiredAccess)
{
    WDF_IO_TARGET_OPEN_PARAMS_INIT_CREATE_BY_NAME(Params, TargetDeviceName, DesiredAccess);
    Params->CreateDisposition = FILE_OPEN;
}

FORCEINLINE VOID WDF_IO_TARGET_OPEN_PARAMS_INIT_REOPEN(_Out_ PWDF_IO_TARGET_OPEN_PARAMS Params)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = sizeof(*Params);
    Params->Type = WdfIoTargetOpenReopen;
}

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfIoTargetCreate(_In_ WDFDEVICE Device,
                                  _In_opt_ PWDF_OBJECT_ATTRIBUTES IoTargetAttributes,
                                  _Out_ WDFIOTARGET *IoTarget);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfIoTargetOpen(_In_ WDFIOTARGET IoTarget,
                                _In_ PWDF_IO_TARGET_OPEN_PARAMS OpenParams);

_IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI VOID WdfIoTargetCloseForQueryRemove(_In_ WDFIOTARGET IoTarget);

_IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI VOID WdfIoTargetClose(_In_ WDFIOTARGET IoTarget);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfIoTargetStart(_In_ WDFIOTARGET IoTarget);

_When_(Action == 3, _IRQL_requires_max_(DISPATCH_LEVEL))
_When_(Action == 0 || Action == 1 || Action == 2, _IRQL_requires_max_(PASSIVE_LEVEL))
WDFAPI VOID WdfIoTargetStop(_In_ WDFIOTARGET IoTarget,
                            _In_ _Strict_type_match_ WDF_IO_TARGET_SENT_IO_ACTION Action);

_When_(Action == 2, _IRQL_requires_max_(DISPATCH_LEVEL))
_When_(Action == 0 || Action == 1, _IRQL_requires_max_(PASSIVE_LEVEL))
WDFAPI VOID WdfIoTargetPurge(_In_ WDFIOTARGET IoTarget,
                             _In_ _Strict_type_match_ WDF_IO_TARGET_PURGE_IO_ACTION Action);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI WDF_IO_TARGET_STATE WdfIoTargetGetState(_In_ WDFIOTARGET IoTarget);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI WDFDEVICE WdfIoTargetGetDevice(_In_ WDFIOTARGET IoTarget);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI PDEVICE_OBJECT WdfIoTargetWdmGetTargetDeviceObject(_In_ WDFIOTARGET IoTarget);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI PDEVICE_OBJECT WdfIoTargetWdmGetTargetPhysicalDevice(_In_ WDFIOTARGET IoTarget);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI PFILE_OBJECT WdfIoTargetWdmGetTargetFileObject(_In_ WDFIOTARGET IoTarget);

_IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI HANDLE WdfIoTargetWdmGetTargetFileHandle(_In_ WDFIOTARGET IoTarget);

_Must_inspect_result_ _When_(RequestOptions != NULL, _IRQL_requires_max_(DISPATCH_LEVEL))
_When_(RequestOptions == NULL, _IRQL_requires_max_(PASSIVE_LEVEL))
WDFAPI NTSTATUS WdfIoTargetSendReadSynchronously(
    _In_ WDFIOTARGET IoTarget, _In_opt_ WDFREQUEST Request,
    _In_opt_ PWDF_MEMORY_DESCRIPTOR OutputBuffer, _In_opt_ PLONGLONG DeviceOffset,
    _In_opt_ PWDF_REQUEST_SEND_OPTIONS RequestOptions, _Out_opt_ PULONG_PTR BytesRead);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfIoTargetFormatRequestForRead(_In_ WDFIOTARGET IoTarget,
                                                _In_ WDFREQUEST Request,
                                                _In_opt_ WDFMEMORY OutputBuffer,
                                                _In_opt_ PWDFMEMORY_OFFSET OutputBufferOffset,
                                                _In_opt_ PLONGLONG DeviceOffset);

_Must_inspect_result_ _When_(RequestOptions != NULL, _IRQL_requires_max_(DISPATCH_LEVEL))
_When_(RequestOptions == NULL, _IRQL_requires_max_(PASSIVE_LEVEL))
WDFAPI NTSTATUS WdfIoTargetSendWriteSynchronously(
    _In_ WDFIOTARGET IoTarget, _In_opt_ WDFREQUEST Request,
    _In_opt_ PWDF_MEMORY_DESCRIPTOR InputBuffer, _In_opt_ PLONGLONG DeviceOffset,
    _In_opt_ PWDF_REQUEST_SEND_OPTIONS RequestOptions, _Out_opt_ PULONG_PTR BytesWritten);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfIoTargetFormatRequestForWrite(_In_ WDFIOTARGET IoTarget,
                                                 _In_ WDFREQUEST Request,
                                                 _In_opt_ WDFMEMORY InputBuffer,
                                                 _In_opt_ PWDFMEMORY_OFFSET InputBufferOffset,
                                                 _In_opt_ PLONGLONG DeviceOffset);

_Must_inspect_result_ _When_(RequestOptions != NULL, _IRQL_requires_max_(DISPATCH_LEVEL))
_When_(RequestOptions == NULL, _IRQL_requires_max_(PASSIVE_LEVEL))
WDFAPI NTSTATUS WdfIoTargetSendIoctlSynchronously(
    _In_ WDFIOTARGET IoTarget, _In_opt_ WDFREQUEST Request, _In_ ULONG IoctlCode,
    _In_opt_ PWDF_MEMORY_DESCRIPTOR InputBuffer, _In_opt_ PWDF_MEMORY_DESCRIPTOR OutputBuffer,
    _In_opt_ PWDF_REQUEST_SEND_OPTIONS RequestOptions, _Out_opt_ PULONG_PTR BytesReturned);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfIoTargetFormatRequestForIoctl(_In_ WDFIOTARGET IoTarget,
                                                 _In_ WDFREQUEST Request, _In_ ULONG IoctlCode,
                                                 _In_opt_ WDFMEMORY InputBuffer,
                                                 _In_opt_ PWDFMEMORY_OFFSET InputBufferOffset,
                                                 _In_opt_ WDFMEMORY OutputBuffer,
                                                 _In_opt_ PWDFMEMORY_OFFSET OutputBufferOffset);

_Must_inspect_result_ _When_(RequestOptions != NULL, _IRQL_requires_max_(DISPATCH_LEVEL))
_When_(RequestOptions == NULL, _IRQL_requires_max_(PASSIVE_LEVEL))
WDFAPI NTSTATUS WdfIoTargetSendInternalIoctlSynchronously(
    _In_ WDFIOTARGET IoTarget, _In_opt_ WDFREQUEST Request, _In_ ULONG IoctlCode,
    _In_opt_ PWDF_MEMORY_DESCRIPTOR InputBuffer, _In_opt_ PWDF_MEMORY_DESCRIPTOR OutputBuffer,
    _In_opt_ PWDF_REQUEST_SEND_OPTIONS RequestOptions, _Out_opt_ PULONG_PTR BytesReturned);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfIoTargetFormatRequestForInternalIoctl(
    _In_ WDFIOTARGET IoTarget, _In_ WDFREQUEST Request, _In_ ULONG IoctlCode,
    _In_opt_ WDFMEMORY InputBuffer, _In_opt_ PWDFMEMORY_OFFSET InputBufferOffset,
    _In_opt_ WDFMEMORY OutputBuffer, _In_opt_ PWDFMEMORY_OFFSET OutputBufferOffset);

WDF_EXTERN_C_END

#endif /* _WDFIOTARGET_H_ */
