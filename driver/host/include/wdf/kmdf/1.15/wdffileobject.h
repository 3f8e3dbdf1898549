/*
 * wdffileobject.h - framework file objects (WDK wdffileobject.h).
 */
#ifndef _WDFFILEOBJECT_H_
#define _WDFFILEOBJECT_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef _Function_class_(EVT_WDF_DEVICE_FILE_CREATE) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_DEVICE_FILE_CREATE(_In_ WDFDEVICE Device, _In_ WDFREQUEST Request,
                                _In_ WDFFILEOBJECT FileObject);
typedef EVT_WDF_DEVICE_FILE_CREATE *PFN_WDF_DEVICE_FILE_CREATE;

typedef _Function_class_(EVT_WDF_FILE_CLOSE) _IRQL_requires_same_ _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_FILE_CLOSE(_In_ WDFFILEOBJECT FileObject);
typedef EVT_WDF_FILE_CLOSE *PFN_WDF_FILE_CLOSE;

typedef _Function_class_(EVT_WDF_FILE_CLEANUP) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_FILE_CLEANUP(_In_ WDFFILEOBJECT FileObject);
typedef EVT_WDF_FILE_CLEANUP *PFN_WDF_FILE_CLEANUP;

typedef enum _WDF_FILEOBJECT_CLASS {
    WdfFileObjectInvalid = 0,
    WdfFileObjectNotRequired = 1,
    WdfFileObjectWdfCanUseFsContext = 2,
    WdfFileObjectWdfCanUseFsContext2 = 3,
    WdfFileObjectWdfCannotUseFsContexts = 4,
    WdfFileObjectCanBeOptional = 0x80000000,
} WDF_FILEOBJECT_CLASS,
    *PWDF_FILEOBJECT_CLASS;

typedef struct _WDF_FILEOBJECT_CONFIG {
    ULONG Size;
    PFN_WDF_DEVICE_FILE_CREATE EvtDeviceFileCreate;
    PFN_WDF_FILE_CLOSE EvtFileClose;
    PFN_WDF_FILE_CLEANUP EvtFileCleanup;
    WDF_TRI_STATE AutoForwardCleanupClose;
    WDF_FILEOBJECT_CLASS FileObjectClass;
} WDF_FILEOBJECT_CONFIG, *PWDF_FILEOBJECT_CONFIG;

FORCEINLINE VOID WDF_FILEOBJECT_CONFIG_INIT(_Out_ PWDF_FILEOBJECT_CONFIG FileEventCallbacks,
                                            _In_opt_ PFN_WDF_DEVICE_FILE_CREATE EvtDeviceFileCreate,
                                            _In_opt_ PFN_WDF_FILE_CLOSE EvtFileClose,
                                            _In_opt_ PFN_WDF_FILE_CLEANUP EvtFileCleanup)
{
    RtlZeroMemory(FileEventCallbacks, sizeof(WDF_FILEOBJECT_CONFIG));
    FileEventCallbacks->Size = sizeof(WDF_FILEOBJECT_CONFIG);
    FileEventCallbacks->EvtDeviceFileCreate = EvtDeviceFileCreate;
    FileEventCallbacks->EvtFileClose = EvtFileClose;
    FileEventCallbacks->EvtFileCleanup = EvtFileCleanup;
    FileEventCallbacks->FileObjectClass = WdfFileObjectWdfCannotUseFsContexts;
    FileEventCallbacks->AutoForwardCleanupClose = WdfUseDefault;
}

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI PUNICODE_STRING
    WdfFileObjectGetFileName(_In_ WDFFILEOBJECT FileObject);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFDEVICE
    WdfFileObjectGetDevice(_In_ WDFFILEOBJECT FileObject);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PFILE_OBJECT
    WdfFileObjectWdmGetFileObject(_In_ WDFFILEOBJECT FileObject);

/* ---- The rest of the KMDF 1.15 surface of wdffileobject.h. */
WDFAPI ULONG WdfFileObjectGetFlags(WDFFILEOBJECT FileObject);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef PUNICODE_STRING (*PFN_WDFFILEOBJECTGETFILENAME)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFFILEOBJECT FileObject);
typedef ULONG (*PFN_WDFFILEOBJECTGETFLAGS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFFILEOBJECT FileObject);
typedef WDFDEVICE (*PFN_WDFFILEOBJECTGETDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFFILEOBJECT FileObject);
typedef PFILE_OBJECT (*PFN_WDFFILEOBJECTWDMGETFILEOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFFILEOBJECT FileObject);

WDF_EXTERN_C_END

#endif /* _WDFFILEOBJECT_H_ */
