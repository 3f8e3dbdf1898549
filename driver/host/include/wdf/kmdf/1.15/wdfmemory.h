/*
 * wdfmemory.h - framework memory objects (WDK wdfmemory.h).
 */
#ifndef _WDFMEMORY_H_
#define _WDFMEMORY_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfMemoryCreate(_In_opt_ PWDF_OBJECT_ATTRIBUTES Attributes,
                                _In_ _Strict_type_match_ POOL_TYPE PoolType, _In_opt_ ULONG PoolTag,
                                _In_ size_t BufferSize, _Out_ WDFMEMORY *Memory,
                                _Outptr_opt_result_bytebuffer_(BufferSize) PVOID *Buffer);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfMemoryCreatePreallocated(_In_opt_ PWDF_OBJECT_ATTRIBUTES Attributes,
                                            _In_ PVOID Buffer, _In_ size_t BufferSize,
                                            _Out_ WDFMEMORY *Memory);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PVOID
    WdfMemoryGetBuffer(_In_ WDFMEMORY Memory, _Out_opt_ size_t *BufferSize);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfMemoryCopyToBuffer(_In_ WDFMEMORY SourceMemory, _In_ size_t SourceOffset,
                                      _Out_writes_bytes_(NumBytesToCopyTo) PVOID Buffer,
                                      _In_ size_t NumBytesToCopyTo);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfMemoryCopyFromBuffer(_In_ WDFMEMORY DestinationMemory,
                                        _In_ size_t DestinationOffset, _In_ PVOID Buffer,
                                        _In_ size_t NumBytesToCopyFrom);

WDF_EXTERN_C_END

#endif /* _WDFMEMORY_H_ */
