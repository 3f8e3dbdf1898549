/*
 * wdfobject.h - framework objects: attributes, context types, reference counts and
 * deletion (WDK wdfobject.h).
 */
#ifndef _WDFOBJECT_H_
#define _WDFOBJECT_H_

#include <wdftypes.h>

WDF_EXTERN_C_START

typedef _Function_class_(EVT_WDF_OBJECT_CONTEXT_CLEANUP) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_OBJECT_CONTEXT_CLEANUP(_In_ WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP *PFN_WDF_OBJECT_CONTEXT_CLEANUP;

typedef _Function_class_(EVT_WDF_OBJECT_CONTEXT_DESTROY) _IRQL_requires_same_
    _IRQL_requires_max_(DISPATCH_LEVEL)
VOID EVT_WDF_OBJECT_CONTEXT_DESTROY(_In_ WDFOBJECT Object);
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY *PFN_WDF_OBJECT_CONTEXT_DESTROY;

typedef const struct _WDF_OBJECT_CONTEXT_TYPE_INFO *PCWDF_OBJECT_CONTEXT_TYPE_INFO;

typedef PCWDF_OBJECT_CONTEXT_TYPE_INFO(__cdecl *PFN_GET_UNIQUE_CONTEXT_TYPE)(VOID);

/*
 * Describes one context type. WDF_DECLARE_CONTEXT_TYPE(_WITH_NAME) emits one per type
 * and per driver module; UniqueType points back at it and is what identifies the type.
 */
typedef struct _WDF_OBJECT_CONTEXT_TYPE_INFO {
    ULONG Size;
    const CHAR *ContextName;
    size_t ContextSize;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO UniqueType;
    PFN_GET_UNIQUE_CONTEXT_TYPE EvtDriverGetUniqueContextType;
} WDF_OBJECT_CONTEXT_TYPE_INFO, *PWDF_OBJECT_CONTEXT_TYPE_INFO;

typedef struct _WDF_OBJECT_ATTRIBUTES {
    ULONG Size;
    PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanupCallback;
    PFN_WDF_OBJECT_CONTEXT_DESTROY EvtDestroyCallback;
    WDF_EXECUTION_LEVEL ExecutionLevel;
    WDF_SYNCHRONIZATION_SCOPE SynchronizationScope;
    WDFOBJECT ParentObject;
    size_t ContextSizeOverride;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO ContextTypeInfo;
} WDF_OBJECT_ATTRIBUTES, *PWDF_OBJECT_ATTRIBUTES;

FORCEINLINE VOID WDF_OBJECT_ATTRIBUTES_INIT(_Out_ PWDF_OBJECT_ATTRIBUTES Attributes)
{
    RtlZeroMemory(Attributes, sizeof(WDF_OBJECT_ATTRIBUTES));
    Attributes->Size = sizeof(WDF_OBJECT_ATTRIBUTES);
    Attributes->ExecutionLevel = WdfExecutionLevelInheritFromParent;
    Attributes->SynchronizationScope = WdfSynchronizationScopeInheritFromParent;
}

#define WDF_TYPE_NAME_TO_TYPE_INFO(_contexttype) _WDF_##_contexttype##_TYPE_INFO
#define WDF_TYPE_NAME_POINTER_TYPE(_contexttype) WDF_##_contexttype##_POINTER_TYPE
#define WDF_GET_CONTEXT_TYPE_INFO(_contexttype) (&WDF_TYPE_NAME_TO_TYPE_INFO(_contexttype))

#define WDF_OBJECT_ATTRIBUTES_SET_CONTEXT_TYPE(_attributes, _contexttype)                          \
    (_attributes)->ContextTypeInfo = WDF_GET_CONTEXT_TYPE_INFO(_contexttype)->UniqueType

#define WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(_attributes, _contexttype)                         \
    WDF_OBJECT_ATTRIBUTES_INIT(_attributes);                                                       \
    WDF_OBJECT_ATTRIBUTES_SET_CONTEXT_TYPE(_attributes, _contexttype)

/*
 * The type information is one object per driver module, shared by all of the module's
 * translation units (the WDK uses __declspec(selectany)); a weak hidden symbol does the
 * same here: one copy per module, not visible to other modules.
 */
#if defined(__GNUC__)
#define WDF_CONTEXT_TYPE_INFO_STORAGE __attribute__((weak, visibility("hidden")))
#else
#define WDF_CONTEXT_TYPE_INFO_STORAGE
#endif

#define WDF_DECLARE_TYPE_AND_GLOBALS(_contexttype, _UniqueType, _GetUniqueType)                    \
    typedef _contexttype *WDF_TYPE_NAME_POINTER_TYPE(_contexttype);                                \
    WDF_EXTERN_C WDF_CONTEXT_TYPE_INFO_STORAGE const WDF_OBJECT_CONTEXT_TYPE_INFO                  \
    WDF_TYPE_NAME_TO_TYPE_INFO(_contexttype) = {                                                   \
        sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO),                                                      \
        #_contexttype,                                                                             \
        sizeof(_contexttype),                                                                      \
        _UniqueType,                                                                               \
        _GetUniqueType,                                                                            \
    }

#define WDF_DECLARE_CASTING_FUNCTION(_contexttype, _castingfunction)                               \
    FORCEINLINE _contexttype *_castingfunction(_In_ WDFOBJECT Handle)                              \
    {                                                                                              \
        return (WDF_TYPE_NAME_POINTER_TYPE(_contexttype))WdfObjectGetTypedContextWorker(           \
            Handle, WDF_GET_CONTEXT_TYPE_INFO(_contexttype)->UniqueType);                          \
    }

/* Declares a context type and an accessor named _castingfunction. */
#define WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(_contexttype, _castingfunction)                         \
    WDF_DECLARE_TYPE_AND_GLOBALS(_contexttype, WDF_GET_CONTEXT_TYPE_INFO(_contexttype), NULL);     \
    WDF_DECLARE_CASTING_FUNCTION(_contexttype, _castingfunction)

/* Declares a context type and the accessor WdfObjectGet_<type>. */
#define WDF_DECLARE_CONTEXT_TYPE(_contexttype)                                                     \
    WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(_contexttype, WdfObjectGet_##_contexttype)

#define WdfObjectGetTypedContext(handle, type)                                                     \
    ((WDF_TYPE_NAME_POINTER_TYPE(type))WdfObjectGetTypedContextWorker(                             \
        (WDFOBJECT)(handle), WDF_GET_CONTEXT_TYPE_INFO(type)->UniqueType))

WDFAPI PVOID FASTCALL WdfObjectGetTypedContextWorker(_In_ WDFOBJECT Handle,
                                                     _In_ PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfObjectAllocateContext(_In_ WDFOBJECT Handle,
                                         _In_ PWDF_OBJECT_ATTRIBUTES ContextAttributes,
                                         _Outptr_opt_ PVOID *Context);

WDFAPI WDFOBJECT FASTCALL WdfObjectContextGetObject(_In_ PVOID ContextPointer);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfObjectReferenceActual(_In_ WDFOBJECT Handle, _In_opt_ PVOID Tag, _In_ LONG Line,
                             _In_z_ PCHAR File);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfObjectDereferenceActual(_In_ WDFOBJECT Handle, _In_opt_ PVOID Tag, _In_ LONG Line,
                               _In_z_ PCHAR File);

#define WdfObjectReference(Handle) WdfObjectReferenceWithTag(Handle, NULL)
#define WdfObjectReferenceWithTag(Handle, Tag)                                                     \
    WdfObjectReferenceActual(Handle, Tag, __LINE__, (PCHAR)__FILE__)
#define WdfObjectDereference(Handle) WdfObjectDereferenceWithTag(Handle, NULL)
#define WdfObjectDereferenceWithTag(Handle, Tag)                                                   \
    WdfObjectDereferenceActual(Handle, Tag, __LINE__, (PCHAR)__FILE__)

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS WdfObjectCreate(_In_opt_ PWDF_OBJECT_ATTRIBUTES Attributes,
                                _Out_ WDFOBJECT *Object);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfObjectDelete(_In_ WDFOBJECT Object);

/* Acquires the synchronization lock of a device or queue (synchronization scope). */
_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfObjectAcquireLock(_In_ WDFOBJECT Object);
_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfObjectReleaseLock(_In_ WDFOBJECT Object);

/* ---- The rest of the KMDF 1.15 surface of wdfobject.h. */

/*
 * Custom types: a driver marks objects with a type of its own (and optionally a value)
 * by giving them an extra context of a type that WDF_DECLARE_CUSTOM_TYPE declares.
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/framework-object-custom-types
 */
#define WDF_CUSTOM_TYPE_CONTEXT_NAME(_type) WdfCustomType_##_type
#define WDF_GET_CUSTOM_TYPE_FUNCTION_NAME(_type) WdfObjectGetCustomType_##_type
#define WDF_ADD_CUSTOM_TYPE_FUNCTION_NAME(_type) WdfObjectAddCustomType_##_type
#define WDF_TYPE_INIT_BASE_SECTION_NAME ".kmdftypeinit"

#define WDF_TYPE_INIT_SECTION_NAME ".kmdftypeinit$b"

#define WDF_TYPE_DEFAULT_SECTION_NAME ".data"

typedef struct _WDF_CUSTOM_TYPE_CONTEXT {
    ULONG Size;
    ULONG_PTR Data;
} WDF_CUSTOM_TYPE_CONTEXT, *PWDF_CUSTOM_TYPE_CONTEXT;

WDFAPI NTSTATUS WdfObjectQuery(WDFOBJECT Object, CONST GUID* Guid, ULONG QueryBufferLength, PVOID QueryBuffer);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef PVOID (FASTCALL *PFN_WDFOBJECTGETTYPEDCONTEXTWORKER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle, PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo);
typedef NTSTATUS (*PFN_WDFOBJECTALLOCATECONTEXT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle, PWDF_OBJECT_ATTRIBUTES ContextAttributes, PVOID* Context);
typedef WDFOBJECT (FASTCALL *PFN_WDFOBJECTCONTEXTGETOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, PVOID ContextPointer);
typedef VOID (*PFN_WDFOBJECTREFERENCEACTUAL)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle, PVOID Tag, LONG Line, PCHAR File);
typedef VOID (*PFN_WDFOBJECTDEREFERENCEACTUAL)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Handle, PVOID Tag, LONG Line, PCHAR File);
typedef NTSTATUS (*PFN_WDFOBJECTCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES Attributes, WDFOBJECT* Object);
typedef VOID (*PFN_WDFOBJECTDELETE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object);
typedef NTSTATUS (*PFN_WDFOBJECTQUERY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFOBJECT Object, CONST GUID* Guid, ULONG QueryBufferLength, PVOID QueryBuffer);

/* Declares custom type _type: its context type and the functions that add and read it. */
#define WDF_DECLARE_CUSTOM_TYPE(_type)                                                             \
    typedef WDF_CUSTOM_TYPE_CONTEXT WDF_CUSTOM_TYPE_CONTEXT_NAME(_type);                          \
    WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(WDF_CUSTOM_TYPE_CONTEXT_NAME(_type),                       \
                                       WDF_GET_CUSTOM_TYPE_FUNCTION_NAME(_type));                 \
    FORCEINLINE NTSTATUS WDF_ADD_CUSTOM_TYPE_FUNCTION_NAME(_type)(                                \
        WDFOBJECT Handle, ULONG_PTR Data, PFN_WDF_OBJECT_CONTEXT_CLEANUP EvtCleanupCallback,      \
        PFN_WDF_OBJECT_CONTEXT_DESTROY EvtDestroyCallback)                                        \
    {                                                                                             \
        WDF_OBJECT_ATTRIBUTES attributes;                                                         \
        PWDF_CUSTOM_TYPE_CONTEXT context = NULL;                                                  \
        WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, WDF_CUSTOM_TYPE_CONTEXT_NAME(_type)); \
        attributes.EvtCleanupCallback = EvtCleanupCallback;                                       \
        attributes.EvtDestroyCallback = EvtDestroyCallback;                                       \
        NTSTATUS status = WdfObjectAllocateContext(Handle, &attributes, (PVOID *)&context);       \
        if (NT_SUCCESS(status)) {                                                                 \
            context->Size = sizeof(*context);                                                     \
            context->Data = Data;                                                                 \
        }                                                                                         \
        return status;                                                                            \
    }

#define WdfObjectIsCustomType(_handle, _type)                                                      \
    (WdfObjectGetTypedContext(_handle, WDF_CUSTOM_TYPE_CONTEXT_NAME(_type)) != NULL ? TRUE : FALSE)
#define WdfObjectAddCustomTypeWithData(_handle, _type, _data, _cleanup, _destroy)                  \
    WDF_ADD_CUSTOM_TYPE_FUNCTION_NAME(_type)(_handle, _data, _cleanup, _destroy)
#define WdfObjectAddCustomType(_handle, _type) WdfObjectAddCustomTypeWithData(_handle, _type, 0, NULL, NULL)
#define WdfObjectGetCustomTypeData(_handle, _type) (WDF_GET_CUSTOM_TYPE_FUNCTION_NAME(_type)(_handle)->Data)

WDF_EXTERN_C_END

#endif /* _WDFOBJECT_H_ */
