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

/* ---- The rest of the KMDF 1.15 surface of wdfmemory.h. */
typedef enum _WDF_MEMORY_DESCRIPTOR_TYPE {
    WdfMemoryDescriptorTypeInvalid = 0,
    WdfMemoryDescriptorTypeBuffer,
    WdfMemoryDescriptorTypeMdl,
    WdfMemoryDescriptorTypeHandle,
} WDF_MEMORY_DESCRIPTOR_TYPE;

typedef struct _WDFMEMORY_OFFSET {
    size_t BufferOffset;
    size_t BufferLength;
} WDFMEMORY_OFFSET, *PWDFMEMORY_OFFSET;

typedef struct _WDF_MEMORY_DESCRIPTOR {
    WDF_MEMORY_DESCRIPTOR_TYPE Type;
    union {
        struct {
            PVOID Buffer;
            ULONG Length;
        } BufferType;
        struct {
            PMDL Mdl;
            ULONG BufferLength;
        } MdlType;
        struct {
            WDFMEMORY Memory;
            PWDFMEMORY_OFFSET Offsets;
        } HandleType;
    } u;
} WDF_MEMORY_DESCRIPTOR, *PWDF_MEMORY_DESCRIPTOR;

WDFAPI NTSTATUS WdfMemoryAssignBuffer(WDFMEMORY Memory, PVOID Buffer, size_t BufferSize);
WDFAPI NTSTATUS WdfLookasideListCreate(PWDF_OBJECT_ATTRIBUTES LookasideAttributes, size_t BufferSize, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes, ULONG PoolTag, WDFLOOKASIDE* Lookaside);
WDFAPI NTSTATUS WdfMemoryCreateFromLookaside(WDFLOOKASIDE Lookaside, WDFMEMORY* Memory);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFMEMORYCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType, ULONG PoolTag, size_t BufferSize, WDFMEMORY* Memory, PVOID* Buffer);
typedef NTSTATUS (*PFN_WDFMEMORYCREATEPREALLOCATED)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer, size_t BufferSize, WDFMEMORY* Memory);
typedef PVOID (*PFN_WDFMEMORYGETBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFMEMORY Memory, size_t* BufferSize);
typedef NTSTATUS (*PFN_WDFMEMORYASSIGNBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFMEMORY Memory, PVOID Buffer, size_t BufferSize);
typedef NTSTATUS (*PFN_WDFMEMORYCOPYTOBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFMEMORY SourceMemory, size_t SourceOffset, PVOID Buffer, size_t NumBytesToCopyTo);
typedef NTSTATUS (*PFN_WDFMEMORYCOPYFROMBUFFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFMEMORY DestinationMemory, size_t DestinationOffset, PVOID Buffer, size_t NumBytesToCopyFrom);
typedef NTSTATUS (*PFN_WDFLOOKASIDELISTCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES LookasideAttributes, size_t BufferSize, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES MemoryAttributes, ULONG PoolTag, WDFLOOKASIDE* Lookaside);
typedef NTSTATUS (*PFN_WDFMEMORYCREATEFROMLOOKASIDE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFLOOKASIDE Lookaside, WDFMEMORY* Memory);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_MEMORY_DESCRIPTOR_INIT_BUFFER(PWDF_MEMORY_DESCRIPTOR Descriptor, PVOID Buffer, ULONG BufferLength)
{
    RtlZeroMemory(Descriptor, sizeof(*Descriptor));
    Descriptor->Type = WdfMemoryDescriptorTypeBuffer;
    Descriptor->u.BufferType.Buffer = Buffer;
    Descriptor->u.BufferType.Length = BufferLength;
}

FORCEINLINE VOID WDF_MEMORY_DESCRIPTOR_INIT_HANDLE(PWDF_MEMORY_DESCRIPTOR Descriptor, WDFMEMORY Memory, PWDFMEMORY_OFFSET Offsets)
{
    RtlZeroMemory(Descriptor, sizeof(*Descriptor));
    Descriptor->Type = WdfMemoryDescriptorTypeHandle;
    Descriptor->u.HandleType.Memory = Memory;
    Descriptor->u.HandleType.Offsets = Offsets;
}

FORCEINLINE VOID WDF_MEMORY_DESCRIPTOR_INIT_MDL(PWDF_MEMORY_DESCRIPTOR Descriptor, PMDL Mdl, ULONG BufferLength)
{
    RtlZeroMemory(Descriptor, sizeof(*Descriptor));
    Descriptor->Type = WdfMemoryDescriptorTypeMdl;
    Descriptor->u.MdlType.Mdl = Mdl;
    Descriptor->u.MdlType.BufferLength = BufferLength;
}

WDF_EXTERN_C_END

#endif /* _WDFMEMORY_H_ */
