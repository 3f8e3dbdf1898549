/*
 * wdfdevice.h - the framework device object, device initialization, PnP and power
 * event callbacks, device interfaces (WDK wdfdevice.h).
 */
#ifndef _WDFDEVICE_H_
#define _WDFDEVICE_H_

#include <wdfobject.h>
#include <wdffileobject.h>
/* As in KMDF, wdfdevice.h brings the SDDL strings of wdmsec.h unless the driver defines
   WDF_DEVICE_NO_WDMSEC_H first. */
#ifndef WDF_DEVICE_NO_WDMSEC_H
#include <wdmsec.h>
#endif

WDF_EXTERN_C_START

typedef enum _WDF_POWER_DEVICE_STATE {
    WdfPowerDeviceInvalid = 0,
    WdfPowerDeviceD0,
    WdfPowerDeviceD1,
    WdfPowerDeviceD2,
    WdfPowerDeviceD3,
    WdfPowerDeviceD3Final,
    WdfPowerDevicePrepareForHibernation,
    WdfPowerDeviceMaximum,
} WDF_POWER_DEVICE_STATE,
    *PWDF_POWER_DEVICE_STATE;

typedef enum _WDF_SPECIAL_FILE_TYPE {
    WdfSpecialFileUndefined = 0,
    WdfSpecialFilePaging = 1,
    WdfSpecialFileHibernation,
    WdfSpecialFileDump,
    WdfSpecialFileBoot,
    WdfSpecialFilePostDisplay,
    WdfSpecialFileGuestAssigned,
    WdfSpecialFileMax,
} WDF_SPECIAL_FILE_TYPE,
    *PWDF_SPECIAL_FILE_TYPE;

typedef enum _WDF_DEVICE_IO_TYPE {
    WdfDeviceIoUndefined = 0,
    WdfDeviceIoNeither,
    WdfDeviceIoBuffered,
    WdfDeviceIoDirect,
    WdfDeviceIoBufferedOrDirect = 4,
    WdfDeviceIoMaximum,
} WDF_DEVICE_IO_TYPE,
    *PWDF_DEVICE_IO_TYPE;

/* The request types, numbered as the IRP major functions they come from. */
typedef enum _WDF_REQUEST_TYPE {
    WdfRequestTypeCreate = 0x0,
    WdfRequestTypeCreateNamedPipe = 0x1,
    WdfRequestTypeClose = 0x2,
    WdfRequestTypeRead = 0x3,
    WdfRequestTypeWrite = 0x4,
    WdfRequestTypeQueryInformation = 0x5,
    WdfRequestTypeSetInformation = 0x6,
    WdfRequestTypeQueryEA = 0x7,
    WdfRequestTypeSetEA = 0x8,
    WdfRequestTypeFlushBuffers = 0x9,
    WdfRequestTypeQueryVolumeInformation = 0xa,
    WdfRequestTypeSetVolumeInformation = 0xb,
    WdfRequestTypeDirectoryControl = 0xc,
    WdfRequestTypeFileSystemControl = 0xd,
    WdfRequestTypeDeviceControl = 0xe,
    WdfRequestTypeDeviceControlInternal = 0xf,
    WdfRequestTypeShutdown = 0x10,
    WdfRequestTypeLockControl = 0x11,
    WdfRequestTypeCleanup = 0x12,
    WdfRequestTypeCreateMailSlot = 0x13,
    WdfRequestTypeQuerySecurity = 0x14,
    WdfRequestTypeSetSecurity = 0x15,
    WdfRequestTypePower = 0x16,
    WdfRequestTypeSystemControl = 0x17,
    WdfRequestTypeDeviceChange = 0x18,
    WdfRequestTypeQueryQuota = 0x19,
    WdfRequestTypeSetQuota = 0x1A,
    WdfRequestTypePnp = 0x1B,
    WdfRequestTypeOther = 0x1C,
    WdfRequestTypeUsb = 0x40,
    WdfRequestTypeNoFormat = 0xFF,
    WdfRequestTypeMax,
} WDF_REQUEST_TYPE;

/* ------------------------------------------------------ PnP and power callbacks */

typedef _Function_class_(EVT_WDF_DEVICE_D0_ENTRY) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_D0_ENTRY(_In_ WDFDEVICE Device, _In_ WDF_POWER_DEVICE_STATE PreviousState);
typedef EVT_WDF_DEVICE_D0_ENTRY *PFN_WDF_DEVICE_D0_ENTRY;

typedef _Function_class_(EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED(_In_ WDFDEVICE Device,
                                                _In_ WDF_POWER_DEVICE_STATE PreviousState);
typedef EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED
    *PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED;

typedef _Function_class_(EVT_WDF_DEVICE_D0_EXIT) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_D0_EXIT(_In_ WDFDEVICE Device, _In_ WDF_POWER_DEVICE_STATE TargetState);
typedef EVT_WDF_DEVICE_D0_EXIT *PFN_WDF_DEVICE_D0_EXIT;

typedef _Function_class_(EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED(_In_ WDFDEVICE Device,
                                               _In_ WDF_POWER_DEVICE_STATE TargetState);
typedef EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED
    *PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED;

typedef _Function_class_(EVT_WDF_DEVICE_PREPARE_HARDWARE) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_PREPARE_HARDWARE(_In_ WDFDEVICE Device, _In_ WDFCMRESLIST ResourcesRaw,
                                _In_ WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_DEVICE_PREPARE_HARDWARE *PFN_WDF_DEVICE_PREPARE_HARDWARE;

typedef _Function_class_(EVT_WDF_DEVICE_RELEASE_HARDWARE) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_RELEASE_HARDWARE(_In_ WDFDEVICE Device, _In_ WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_DEVICE_RELEASE_HARDWARE *PFN_WDF_DEVICE_RELEASE_HARDWARE;

typedef _Function_class_(EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP *PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP;

typedef _Function_class_(EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH *PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH;

typedef _Function_class_(EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT *PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT;

typedef _Function_class_(EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND *PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND;

typedef _Function_class_(EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART *PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART;

typedef _Function_class_(EVT_WDF_DEVICE_SURPRISE_REMOVAL) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_DEVICE_SURPRISE_REMOVAL(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SURPRISE_REMOVAL *PFN_WDF_DEVICE_SURPRISE_REMOVAL;

typedef _Function_class_(EVT_WDF_DEVICE_QUERY_REMOVE) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS EVT_WDF_DEVICE_QUERY_REMOVE(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_QUERY_REMOVE *PFN_WDF_DEVICE_QUERY_REMOVE;

typedef _Function_class_(EVT_WDF_DEVICE_QUERY_STOP) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS EVT_WDF_DEVICE_QUERY_STOP(_In_ WDFDEVICE Device);
typedef EVT_WDF_DEVICE_QUERY_STOP *PFN_WDF_DEVICE_QUERY_STOP;

typedef _Function_class_(EVT_WDF_DEVICE_USAGE_NOTIFICATION) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_DEVICE_USAGE_NOTIFICATION(_In_ WDFDEVICE Device,
                                       _In_ WDF_SPECIAL_FILE_TYPE NotificationType,
                                       _In_ BOOLEAN IsInNotificationPath);
typedef EVT_WDF_DEVICE_USAGE_NOTIFICATION *PFN_WDF_DEVICE_USAGE_NOTIFICATION;

typedef _Function_class_(EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX(_In_ WDFDEVICE Device,
                                     _In_ WDF_SPECIAL_FILE_TYPE NotificationType,
                                     _In_ BOOLEAN IsInNotificationPath);
typedef EVT_WDF_DEVICE_USAGE_NOTIFICATION_EX *PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX;

typedef _Function_class_(EVT_WDF_DEVICE_RELATIONS_QUERY) _IRQL_requires_same_
    _IRQL_requires_max_(PASSIVE_LEVEL)
VOID EVT_WDF_DEVICE_RELATIONS_QUERY(_In_ WDFDEVICE Device, _In_ DEVICE_RELATION_TYPE RelationType);
typedef EVT_WDF_DEVICE_RELATIONS_QUERY *PFN_WDF_DEVICE_RELATIONS_QUERY;

typedef struct _WDF_PNPPOWER_EVENT_CALLBACKS {
    ULONG Size;
    PFN_WDF_DEVICE_D0_ENTRY EvtDeviceD0Entry;
    PFN_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED EvtDeviceD0EntryPostInterruptsEnabled;
    PFN_WDF_DEVICE_D0_EXIT EvtDeviceD0Exit;
    PFN_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED EvtDeviceD0ExitPreInterruptsDisabled;
    PFN_WDF_DEVICE_PREPARE_HARDWARE EvtDevicePrepareHardware;
    PFN_WDF_DEVICE_RELEASE_HARDWARE EvtDeviceReleaseHardware;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP EvtDeviceSelfManagedIoCleanup;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_FLUSH EvtDeviceSelfManagedIoFlush;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_INIT EvtDeviceSelfManagedIoInit;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND EvtDeviceSelfManagedIoSuspend;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_RESTART EvtDeviceSelfManagedIoRestart;
    PFN_WDF_DEVICE_SURPRISE_REMOVAL EvtDeviceSurpriseRemoval;
    PFN_WDF_DEVICE_QUERY_REMOVE EvtDeviceQueryRemove;
    PFN_WDF_DEVICE_QUERY_STOP EvtDeviceQueryStop;
    PFN_WDF_DEVICE_USAGE_NOTIFICATION EvtDeviceUsageNotification;
    PFN_WDF_DEVICE_RELATIONS_QUERY EvtDeviceRelationsQuery;
    PFN_WDF_DEVICE_USAGE_NOTIFICATION_EX EvtDeviceUsageNotificationEx;
} WDF_PNPPOWER_EVENT_CALLBACKS, *PWDF_PNPPOWER_EVENT_CALLBACKS;

FORCEINLINE VOID WDF_PNPPOWER_EVENT_CALLBACKS_INIT(_Out_ PWDF_PNPPOWER_EVENT_CALLBACKS Callbacks)
{
    RtlZeroMemory(Callbacks, sizeof(WDF_PNPPOWER_EVENT_CALLBACKS));
    Callbacks->Size = sizeof(WDF_PNPPOWER_EVENT_CALLBACKS);
}

/* ------------------------------------------------------- device initialization */

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfDeviceInitSetPnpPowerEventCallbacks(
    _In_ PWDFDEVICE_INIT DeviceInit, _In_ PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfDeviceInitSetIoType(_In_ PWDFDEVICE_INIT DeviceInit, _In_ WDF_DEVICE_IO_TYPE IoType);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfDeviceInitSetDeviceType(_In_ PWDFDEVICE_INIT DeviceInit, _In_ DEVICE_TYPE DeviceType);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfDeviceInitSetExclusive(_In_ PWDFDEVICE_INIT DeviceInit, _In_ BOOLEAN IsExclusive);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfDeviceInitSetCharacteristics(_In_ PWDFDEVICE_INIT DeviceInit,
                                    _In_ ULONG DeviceCharacteristics, _In_ BOOLEAN OrInValues);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfDeviceInitSetRequestAttributes(_In_ PWDFDEVICE_INIT DeviceInit,
                                      _In_ PWDF_OBJECT_ATTRIBUTES RequestAttributes);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID
    WdfDeviceInitSetFileObjectConfig(_In_ PWDFDEVICE_INIT DeviceInit,
                                     _In_ PWDF_FILEOBJECT_CONFIG FileObjectConfig,
                                     _In_opt_ PWDF_OBJECT_ATTRIBUTES FileObjectAttributes);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfDeviceInitAssignName(_In_ PWDFDEVICE_INIT DeviceInit,
                                        _In_opt_ PCUNICODE_STRING DeviceName);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI VOID WdfDeviceInitFree(_In_ PWDFDEVICE_INIT DeviceInit);

/* ------------------------------------------------------------------- the device */

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfDeviceCreate(_Inout_ PWDFDEVICE_INIT *DeviceInit,
                                _In_opt_ PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
                                _Out_ WDFDEVICE *Device);

_Must_inspect_result_ _IRQL_requires_max_(PASSIVE_LEVEL)
WDFAPI NTSTATUS WdfDeviceCreateDeviceInterface(_In_ WDFDEVICE Device,
                                               _In_ CONST GUID *InterfaceClassGUID,
                                               _In_opt_ PCUNICODE_STRING ReferenceString);

_IRQL_requires_max_(PASSIVE_LEVEL) WDFAPI VOID
    WdfDeviceSetDeviceInterfaceState(_In_ WDFDEVICE Device, _In_ CONST GUID *InterfaceClassGUID,
                                     _In_opt_ PCUNICODE_STRING ReferenceString,
                                     _In_ BOOLEAN IsInterfaceEnabled);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFQUEUE WdfDeviceGetDefaultQueue(_In_ WDFDEVICE Device);

_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
WDFAPI NTSTATUS
WdfDeviceConfigureRequestDispatching(_In_ WDFDEVICE Device, _In_ WDFQUEUE Queue,
                                     _In_ _Strict_type_match_ WDF_REQUEST_TYPE RequestType);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFDRIVER WdfDeviceGetDriver(_In_ WDFDEVICE Device);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PDEVICE_OBJECT
    WdfDeviceWdmGetDeviceObject(_In_ WDFDEVICE Device);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PDEVICE_OBJECT
    WdfDeviceWdmGetAttachedDevice(_In_ WDFDEVICE Device);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI PDEVICE_OBJECT
    WdfDeviceWdmGetPhysicalDevice(_In_ WDFDEVICE Device);

_IRQL_requires_max_(DISPATCH_LEVEL) WDFAPI WDFDEVICE
    WdfWdmDeviceGetWdfDeviceHandle(_In_ PDEVICE_OBJECT DeviceObject);

/* ---- The rest of the KMDF 1.15 surface of wdfdevice.h. */

/* The idle time-out that WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT sets. */
#define IdleTimeoutDefaultValue ((ULONG)IdleTimeoutDefaultConstant)

/* Idle references with the caller's line and file, as KMDF Verifier tracks them. */
#define WdfDeviceStopIdle(Device, WaitForD0) WdfDeviceStopIdleWithTag(Device, WaitForD0, NULL)
#define WdfDeviceStopIdleWithTag(Device, WaitForD0, Tag)                                          \
    WdfDeviceStopIdleActual(Device, WaitForD0, Tag, __LINE__, (PCHAR)__FILE__)
#define WdfDeviceResumeIdle(Device) WdfDeviceResumeIdleWithTag(Device, NULL)
#define WdfDeviceResumeIdleWithTag(Device, Tag) WdfDeviceResumeIdleActual(Device, Tag, __LINE__, (PCHAR)__FILE__)
#define WDF_S0_IDLE_ENABLED_VALUE_NAME L"IdleInWorkingState"

#define WDF_SX_WAKE_ENABLED_VALUE_NAME L"WakeFromSleepState"

#define WDF_S0_IDLE_DEFAULT_VALUE_NAME L"WdfDefaultIdleInWorkingState"

#define WDF_SX_WAKE_DEFAULT_VALUE_NAME L"WdfDefaultWakeFromSleepState"

typedef enum _WDF_DEVICE_STATE_FLAGS {
    WdfDevStateNP = 0x8000,
} WDF_DEVICE_STATE_FLAGS;

typedef enum _WDF_DEVICE_PNP_STATE {
    WdfDevStatePnpInvalid = 0x00,
    WdfDevStatePnpObjectCreated = 0x100,
    WdfDevStatePnpCheckForDevicePresence = 0x101,
    WdfDevStatePnpEjectFailed = 0x102,
    WdfDevStatePnpEjectHardware = 0x103,
    WdfDevStatePnpEjectedWaitingForRemove = 0x104,
    WdfDevStatePnpInit = 0x105,
    WdfDevStatePnpInitStarting = 0x106,
    WdfDevStatePnpInitSurpriseRemoved = 0x107,
    WdfDevStatePnpHardwareAvailable = 0x108,
    WdfDevStatePnpEnableInterfaces = 0x109,
    WdfDevStatePnpHardwareAvailablePowerPolicyFailed = 0x10A,
    WdfDevStatePnpQueryRemoveAskDriver = 0x10B,
    WdfDevStatePnpQueryRemovePending = 0x10C,
    WdfDevStatePnpQueryRemoveStaticCheck = 0x10D,
    WdfDevStatePnpQueriedRemoving = 0x10E,
    WdfDevStatePnpQueryStopAskDriver = 0x10F,
    WdfDevStatePnpQueryStopPending = 0x110,
    WdfDevStatePnpQueryStopStaticCheck = 0x111,
    WdfDevStatePnpQueryCanceled = 0x112,
    WdfDevStatePnpRemoved = 0x113,
    WdfDevStatePnpPdoRemoved = 0x114,
    WdfDevStatePnpRemovedPdoWait = 0x115,
    WdfDevStatePnpRemovedPdoSurpriseRemoved = 0x116,
    WdfDevStatePnpRemovingDisableInterfaces = 0x117,
    WdfDevStatePnpRestarting = 0x118,
    WdfDevStatePnpStarted = 0x119,
    WdfDevStatePnpStartedCancelStop = 0x11A,
    WdfDevStatePnpStartedCancelRemove = 0x11B,
    WdfDevStatePnpStartedRemoving = 0x11C,
    WdfDevStatePnpStartingFromStopped = 0x11D,
    WdfDevStatePnpStopped = 0x11E,
    WdfDevStatePnpStoppedWaitForStartCompletion = 0x11F,
    WdfDevStatePnpStartedStopping = 0x120,
    WdfDevStatePnpSurpriseRemove = 0x121,
    WdfDevStatePnpInitQueryRemove = 0x122,
    WdfDevStatePnpInitQueryRemoveCanceled = 0x123,
    WdfDevStatePnpFdoRemoved = 0x124,
    WdfDevStatePnpRemovedWaitForChildren = 0x125,
    WdfDevStatePnpQueriedSurpriseRemove = 0x126,
    WdfDevStatePnpSurpriseRemoveIoStarted = 0x127,
    WdfDevStatePnpFailedPowerDown = 0x128,
    WdfDevStatePnpFailedIoStarting = 0x129,
    WdfDevStatePnpFailedOwnHardware = 0x12A,
    WdfDevStatePnpFailed = 0x12B,
    WdfDevStatePnpFailedSurpriseRemoved = 0x12C,
    WdfDevStatePnpFailedStarted = 0x12D,
    WdfDevStatePnpFailedWaitForRemove = 0x12E,
    WdfDevStatePnpFailedInit = 0x12F,
    WdfDevStatePnpPdoInitFailed = 0x130,
    WdfDevStatePnpRestart = 0x131,
    WdfDevStatePnpRestartReleaseHardware = 0x132,
    WdfDevStatePnpRestartHardwareAvailable = 0x133,
    WdfDevStatePnpPdoRestart = 0x134,
    WdfDevStatePnpFinal = 0x135,
    WdfDevStatePnpRemovedChildrenRemoved = 0x136,
    WdfDevStatePnpQueryRemoveEnsureDeviceAwake = 0x137,
    WdfDevStatePnpQueryStopEnsureDeviceAwake = 0x138,
    WdfDevStatePnpFailedPowerPolicyRemoved = 0x139,
    WdfDevStatePnpNull = 0x13A,
} WDF_DEVICE_PNP_STATE, *PWDF_DEVICE_PNP_STATE;

typedef enum _WDF_DEVICE_POWER_STATE {
    WdfDevStatePowerInvalid = 0x00,
    WdfDevStatePowerObjectCreated = 0x300,
    WdfDevStatePowerCheckDeviceType = 0x301,
    WdfDevStatePowerCheckDeviceTypeNP = 0x302 | WdfDevStateNP,
    WdfDevStatePowerCheckParentState = 0x303,
    WdfDevStatePowerCheckParentStateNP = 0x304 | WdfDevStateNP,
    WdfDevStatePowerEnablingWakeAtBus = 0x305,
    WdfDevStatePowerEnablingWakeAtBusNP = 0x306 | WdfDevStateNP,
    WdfDevStatePowerD0 = 0x307,
    WdfDevStatePowerD0NP = 0x308 | WdfDevStateNP,
    WdfDevStatePowerD0BusWakeOwner = 0x309,
    WdfDevStatePowerD0BusWakeOwnerNP = 0x30A | WdfDevStateNP,
    WdfDevStatePowerD0ArmedForWake = 0x30B,
    WdfDevStatePowerD0ArmedForWakeNP = 0x30C | WdfDevStateNP,
    WdfDevStatePowerD0DisarmingWakeAtBus = 0x30D,
    WdfDevStatePowerD0DisarmingWakeAtBusNP = 0x30E | WdfDevStateNP,
    WdfDevStatePowerD0Starting = 0x30F,
    WdfDevStatePowerD0StartingConnectInterrupt = 0x310,
    WdfDevStatePowerD0StartingDmaEnable = 0x311,
    WdfDevStatePowerD0StartingStartSelfManagedIo = 0x312,
    WdfDevStatePowerDecideD0State = 0x313,
    WdfDevStatePowerGotoD3Stopped = 0x314,
    WdfDevStatePowerStopped = 0x315,
    WdfDevStatePowerStartingCheckDeviceType = 0x316,
    WdfDevStatePowerStartingChild = 0x317,
    WdfDevStatePowerDxDisablingWakeAtBus = 0x318,
    WdfDevStatePowerDxDisablingWakeAtBusNP = 0x319 | WdfDevStateNP,
    WdfDevStatePowerGotoDx = 0x31A,
    WdfDevStatePowerGotoDxNP = 0x31B | WdfDevStateNP,
    WdfDevStatePowerGotoDxIoStopped = 0x31C,
    WdfDevStatePowerGotoDxIoStoppedNP = 0x31D | WdfDevStateNP,
    WdfDevStatePowerGotoDxNPFailed = 0x31E | WdfDevStateNP,
    WdfDevStatePowerDx = 0x31F,
    WdfDevStatePowerDxNP = 0x320 | WdfDevStateNP,
    WdfDevStatePowerGotoDxArmedForWake = 0x321,
    WdfDevStatePowerGotoDxArmedForWakeNP = 0x322 | WdfDevStateNP,
    WdfDevStatePowerGotoDxIoStoppedArmedForWake = 0x323,
    WdfDevStatePowerGotoDxIoStoppedArmedForWakeNP = 0x324 | WdfDevStateNP,
    WdfDevStatePowerDxArmedForWake = 0x325,
    WdfDevStatePowerDxArmedForWakeNP = 0x326 | WdfDevStateNP,
    WdfDevStatePowerCheckParentStateArmedForWake = 0x327,
    WdfDevStatePowerCheckParentStateArmedForWakeNP = 0x328 | WdfDevStateNP,
    WdfDevStatePowerWaitForParentArmedForWake = 0x329,
    WdfDevStatePowerWaitForParentArmedForWakeNP = 0x32A | WdfDevStateNP,
    WdfDevStatePowerStartSelfManagedIo = 0x32B,
    WdfDevStatePowerStartSelfManagedIoNP = 0x32C | WdfDevStateNP,
    WdfDevStatePowerStartSelfManagedIoFailed = 0x32D,
    WdfDevStatePowerStartSelfManagedIoFailedNP = 0x32E | WdfDevStateNP,
    WdfDevStatePowerWaitForParent = 0x32F,
    WdfDevStatePowerWaitForParentNP = 0x330 | WdfDevStateNP,
    WdfDevStatePowerWakePending = 0x331,
    WdfDevStatePowerWakePendingNP = 0x332 | WdfDevStateNP,
    WdfDevStatePowerWaking = 0x333,
    WdfDevStatePowerWakingNP = 0x334 | WdfDevStateNP,
    WdfDevStatePowerWakingConnectInterrupt = 0x335,
    WdfDevStatePowerWakingConnectInterruptNP = 0x336 | WdfDevStateNP,
    WdfDevStatePowerWakingConnectInterruptFailed = 0x337,
    WdfDevStatePowerWakingConnectInterruptFailedNP = 0x338 | WdfDevStateNP,
    WdfDevStatePowerWakingDmaEnable = 0x339,
    WdfDevStatePowerWakingDmaEnableNP = 0x33A | WdfDevStateNP,
    WdfDevStatePowerWakingDmaEnableFailed = 0x33B,
    WdfDevStatePowerWakingDmaEnableFailedNP = 0x33C | WdfDevStateNP,
    WdfDevStatePowerReportPowerUpFailedDerefParent = 0x33D,
    WdfDevStatePowerReportPowerUpFailed = 0x33E,
    WdfDevStatePowerPowerFailedPowerDown = 0x33F,
    WdfDevStatePowerReportPowerDownFailed = 0x340,
    WdfDevStatePowerInitialConnectInterruptFailed = 0x341,
    WdfDevStatePowerInitialDmaEnableFailed = 0x342,
    WdfDevStatePowerInitialSelfManagedIoFailed = 0x343,
    WdfDevStatePowerInitialPowerUpFailedDerefParent = 0x344,
    WdfDevStatePowerInitialPowerUpFailed = 0x345,
    WdfDevStatePowerDxStoppedDisarmWake = 0x346,
    WdfDevStatePowerDxStoppedDisarmWakeNP = 0x347 | WdfDevStateNP,
    WdfDevStatePowerGotoDxStoppedDisableInterruptNP = 0x348 | WdfDevStateNP,
    WdfDevStatePowerGotoDxStopped = 0x349,
    WdfDevStatePowerDxStopped = 0x34A,
    WdfDevStatePowerGotoStopped = 0x34B,
    WdfDevStatePowerStoppedCompleteDx = 0x34C,
    WdfDevStatePowerDxStoppedDecideDxState = 0x34D,
    WdfDevStatePowerDxStoppedArmForWake = 0x34E,
    WdfDevStatePowerDxStoppedArmForWakeNP = 0x34F | WdfDevStateNP,
    WdfDevStatePowerFinalPowerDownFailed = 0x350,
    WdfDevStatePowerFinal = 0x351,
    WdfDevStatePowerGotoImplicitD3DisarmWakeAtBus = 0x352,
    WdfDevStatePowerUpFailed = 0x353,
    WdfDevStatePowerUpFailedDerefParent = 0x354,
    WdfDevStatePowerGotoDxFailed = 0x355,
    WdfDevStatePowerGotoDxStoppedDisableInterrupt = 0x356,
    WdfDevStatePowerUpFailedNP = 0x357 | WdfDevStateNP,
    WdfDevStatePowerUpFailedDerefParentNP = 0x358 | WdfDevStateNP,
    WdfDevStatePowerNotifyingD0ExitToWakeInterrupts = 0x359,
    WdfDevStatePowerNotifyingD0EntryToWakeInterrupts = 0x35A,
    WdfDevStatePowerNotifyingD0ExitToWakeInterruptsNP = 0x35B | WdfDevStateNP,
    WdfDevStatePowerNotifyingD0EntryToWakeInterruptsNP = 0x35C | WdfDevStateNP,
    WdfDevStatePowerNull = 0x35D,
} WDF_DEVICE_POWER_STATE, *PWDF_DEVICE_POWER_STATE;

typedef enum _WDF_DEVICE_POWER_POLICY_STATE {
    WdfDevStatePwrPolInvalid = 0x00,
    WdfDevStatePwrPolObjectCreated = 0x500,
    WdfDevStatePwrPolStarting = 0x501,
    WdfDevStatePwrPolStartingSucceeded = 0x502,
    WdfDevStatePwrPolStartingFailed = 0x503,
    WdfDevStatePwrPolStartingDecideS0Wake = 0x504,
    WdfDevStatePwrPolStartedIdleCapable = 0x505,
    WdfDevStatePwrPolTimerExpiredNoWake = 0x506,
    WdfDevStatePwrPolTimerExpiredNoWakeCompletePowerDown = 0x507,
    WdfDevStatePwrPolWaitingUnarmed = 0x508,
    WdfDevStatePwrPolWaitingUnarmedQueryIdle = 0x509,
    WdfDevStatePwrPolS0NoWakePowerUp = 0x50A,
    WdfDevStatePwrPolS0NoWakeCompletePowerUp = 0x50B,
    WdfDevStatePwrPolSystemSleepFromDeviceWaitingUnarmed = 0x50C,
    WdfDevStatePwrPolSystemSleepNeedWake = 0x50D,
    WdfDevStatePwrPolSystemSleepNeedWakeCompletePowerUp = 0x50E,
    WdfDevStatePwrPolSystemSleepPowerRequestFailed = 0x50F,
    WdfDevStatePwrPolCheckPowerPageable = 0x510,
    WdfDevStatePwrPolSleepingWakeWakeArrived = 0x511,
    WdfDevStatePwrPolSleepingWakeRevertArmWake = 0x512,
    WdfDevStatePwrPolSystemAsleepWakeArmed = 0x513,
    WdfDevStatePwrPolSystemWakeDeviceWakeEnabled = 0x514,
    WdfDevStatePwrPolSystemWakeDeviceWakeEnabledWakeCanceled = 0x515,
    WdfDevStatePwrPolSystemWakeDeviceWakeDisarm = 0x516,
    WdfDevStatePwrPolSystemWakeDeviceWakeTriggered = 0x517,
    WdfDevStatePwrPolSystemWakeDeviceWakeTriggeredS0 = 0x518,
    WdfDevStatePwrPolSystemWakeDeviceWokeDisarm = 0x519,
    WdfDevStatePwrPolSleepingWakeWakeArrivedNP = 0x51A | WdfDevStateNP,
    WdfDevStatePwrPolSleepingWakeRevertArmWakeNP = 0x51B | WdfDevStateNP,
    WdfDevStatePwrPolSleepingWakePowerDownFailed = 0x51C,
    WdfDevStatePwrPolSleepingWakePowerDownFailedWakeCanceled = 0x51D,
    WdfDevStatePwrPolSystemAsleepWakeArmedNP = 0x51E | WdfDevStateNP,
    WdfDevStatePwrPolSystemWakeDeviceWakeEnabledNP = 0x51F | WdfDevStateNP,
    WdfDevStatePwrPolSystemWakeDeviceWakeEnabledWakeCanceledNP = 0x520 | WdfDevStateNP,
    WdfDevStatePwrPolSystemWakeDeviceWakeDisarmNP = 0x521 | WdfDevStateNP,
    WdfDevStatePwrPolSystemWakeDeviceWakeTriggeredNP = 0x522 | WdfDevStateNP,
    WdfDevStatePwrPolSystemWakeDeviceWakeTriggeredS0NP = 0x523 | WdfDevStateNP,
    WdfDevStatePwrPolSystemWakeDeviceWokeDisarmNP = 0x524 | WdfDevStateNP,
    WdfDevStatePwrPolSystemWakeDeviceWakeCompletePowerUp = 0x525,
    WdfDevStatePwrPolSleeping = 0x526,
    WdfDevStatePwrPolSleepingNoWakePowerDown = 0x527,
    WdfDevStatePwrPolSleepingNoWakeCompletePowerDown = 0x528,
    WdfDevStatePwrPolSleepingNoWakeDxRequestFailed = 0x529,
    WdfDevStatePwrPolSleepingWakePowerDown = 0x52A,
    WdfDevStatePwrPolSleepingSendWake = 0x52B,
    WdfDevStatePwrPolSystemAsleepNoWake = 0x52C,
    WdfDevStatePwrPolSystemWakeDeviceWakeDisabled = 0x52D,
    WdfDevStatePwrPolSystemWakeDeviceToD0 = 0x52E,
    WdfDevStatePwrPolSystemWakeDeviceToD0CompletePowerUp = 0x52F,
    WdfDevStatePwrPolSystemWakeQueryIdle = 0x530,
    WdfDevStatePwrPolStartedWakeCapable = 0x531,
    WdfDevStatePwrPolTimerExpiredDecideUsbSS = 0x532,
    WdfDevStatePwrPolTimerExpiredWakeCapablePowerDown = 0x533,
    WdfDevStatePwrPolTimerExpiredWakeCapableSendWake = 0x534,
    WdfDevStatePwrPolTimerExpiredWakeCapableUsbSS = 0x535,
    WdfDevStatePwrPolTimerExpiredWakeCapableWakeArrived = 0x536,
    WdfDevStatePwrPolTimerExpiredWakeCapableCancelWake = 0x537,
    WdfDevStatePwrPolTimerExpiredWakeCapableWakeCanceled = 0x538,
    WdfDevStatePwrPolTimerExpiredWakeCapableCleanup = 0x539,
    WdfDevStatePwrPolTimerExpiredWakeCapableDxAllocFailed = 0x53A,
    WdfDevStatePwrPolTimerExpiredWakeCompletedPowerDown = 0x53B,
    WdfDevStatePwrPolTimerExpiredWakeCompletedPowerUp = 0x53C,
    WdfDevStatePwrPolWaitingArmedUsbSS = 0x53D,
    WdfDevStatePwrPolWaitingArmed = 0x53E,
    WdfDevStatePwrPolWaitingArmedQueryIdle = 0x53F,
    WdfDevStatePwrPolIoPresentArmed = 0x540,
    WdfDevStatePwrPolIoPresentArmedWakeCanceled = 0x541,
    WdfDevStatePwrPolS0WakeDisarm = 0x542,
    WdfDevStatePwrPolS0WakeCompletePowerUp = 0x543,
    WdfDevStatePwrPolTimerExpiredWakeSucceeded = 0x544,
    WdfDevStatePwrPolTimerExpiredWakeCompletedDisarm = 0x545,
    WdfDevStatePwrPolTimerExpiredWakeCapableWakeSucceeded = 0x546,
    WdfDevStatePwrPolTimerExpiredWakeCapableWakeFailed = 0x547,
    WdfDevStatePwrPolWakeFailedUsbSS = 0x548,
    WdfDevStatePwrPolTimerExpiredWakeCapablePowerDownFailedCancelWake = 0x549,
    WdfDevStatePwrPolTimerExpiredWakeCapablePowerDownFailedWakeCanceled = 0x54A,
    WdfDevStatePwrPolTimerExpiredWakeCapablePowerDownFailedUsbSS = 0x54B,
    WdfDevStatePwrPolCancelingWakeForSystemSleep = 0x54C,
    WdfDevStatePwrPolCancelingWakeForSystemSleepWakeCanceled = 0x54D,
    WdfDevStatePwrPolDisarmingWakeForSystemSleepCompletePowerUp = 0x54E,
    WdfDevStatePwrPolPowerUpForSystemSleepFailed = 0x54F,
    WdfDevStatePwrPolWokeFromS0UsbSS = 0x550,
    WdfDevStatePwrPolWokeFromS0 = 0x551,
    WdfDevStatePwrPolWokeFromS0NotifyDriver = 0x552,
    WdfDevStatePwrPolStoppingResetDevice = 0x553,
    WdfDevStatePwrPolStoppingResetDeviceCompletePowerUp = 0x554,
    WdfDevStatePwrPolStoppingResetDeviceFailed = 0x555,
    WdfDevStatePwrPolStoppingD0 = 0x556,
    WdfDevStatePwrPolStoppingD0Failed = 0x557,
    WdfDevStatePwrPolStoppingDisarmWake = 0x558,
    WdfDevStatePwrPolStoppingDisarmWakeCancelWake = 0x559,
    WdfDevStatePwrPolStoppingDisarmWakeWakeCanceled = 0x55A,
    WdfDevStatePwrPolStopping = 0x55B,
    WdfDevStatePwrPolStoppingFailed = 0x55C,
    WdfDevStatePwrPolStoppingSendStatus = 0x55D,
    WdfDevStatePwrPolStoppingCancelTimer = 0x55E,
    WdfDevStatePwrPolStoppingWaitForIdleTimeout = 0x55F,
    WdfDevStatePwrPolStoppingCancelUsbSS = 0x560,
    WdfDevStatePwrPolStoppingWaitForUsbSSCompletion = 0x561,
    WdfDevStatePwrPolStoppingCancelWake = 0x562,
    WdfDevStatePwrPolStopped = 0x563,
    WdfDevStatePwrPolCancelUsbSS = 0x564,
    WdfDevStatePwrPolStarted = 0x565,
    WdfDevStatePwrPolStartedCancelTimer = 0x566,
    WdfDevStatePwrPolStartedWaitForIdleTimeout = 0x567,
    WdfDevStatePwrPolStartedWakeCapableCancelTimerForSleep = 0x568,
    WdfDevStatePwrPolStartedWakeCapableWaitForIdleTimeout = 0x569,
    WdfDevStatePwrPolStartedWakeCapableSleepingUsbSS = 0x56A,
    WdfDevStatePwrPolStartedIdleCapableCancelTimerForSleep = 0x56B,
    WdfDevStatePwrPolStartedIdleCapableWaitForIdleTimeout = 0x56C,
    WdfDevStatePwrPolDeviceD0PowerRequestFailed = 0x56D,
    WdfDevStatePwrPolDevicePowerRequestFailed = 0x56E,
    WdfDevStatePwrPolGotoDx = 0x56F,
    WdfDevStatePwrPolGotoDxInDx = 0x570,
    WdfDevStatePwrPolDx = 0x571,
    WdfDevStatePwrPolGotoD0 = 0x572,
    WdfDevStatePwrPolGotoD0InD0 = 0x573,
    WdfDevStatePwrPolFinal = 0x574,
    WdfDevStatePwrPolSleepingPowerDownNotProcessed = 0x575,
    WdfDevStatePwrPolTimerExpiredWakeCapablePowerDownNotProcessed = 0x576,
    WdfDevStatePwrPolTimerExpiredNoWakePowerDownNotProcessed = 0x577,
    WdfDevStatePwrPolTimerExpiredNoWakePoweredDownDisableIdleTimer = 0x578,
    WdfDevStatePwrPolStoppingWaitingForImplicitPowerDown = 0x579,
    WdfDevStatePwrPolStoppingPoweringUp = 0x57A,
    WdfDevStatePwrPolStoppingPoweringDown = 0x57B,
    WdfDevStatePwrPolPowerUpForSystemSleepNotSeen = 0x57C,
    WdfDevStatePwrPolWaitingArmedStoppingCancelUsbSS = 0x57D,
    WdfDevStatePwrPolWaitingArmedWakeFailedCancelUsbSS = 0x57E,
    WdfDevStatePwrPolWaitingArmedIoPresentCancelUsbSS = 0x57F,
    WdfDevStatePwrPolWaitingArmedWakeSucceededCancelUsbSS = 0x580,
    WdfDevStatePwrPolCancelingUsbSSForSystemSleep = 0x581,
    WdfDevStatePwrPolStoppingD0CancelUsbSS = 0x582,
    WdfDevStatePwrPolStartingPoweredUp = 0x583,
    WdfDevStatePwrPolIdleCapableDeviceIdle = 0x584,
    WdfDevStatePwrPolDeviceIdleReturnToActive = 0x585,
    WdfDevStatePwrPolDeviceIdleSleeping = 0x586,
    WdfDevStatePwrPolDeviceIdleStopping = 0x587,
    WdfDevStatePwrPolTimerExpiredNoWakeUndoPowerDown = 0x588,
    WdfDevStatePwrPolWakeCapableDeviceIdle = 0x589,
    WdfDevStatePwrPolWakeCapableUsbSSCompleted = 0x58A,
    WdfDevStatePwrPolTimerExpiredWakeCapableUndoPowerDown = 0x58B,
    WdfDevStatePwrPolTimerExpiredWakeCompletedHardwareStarted = 0x58C,
    WdfDevStatePwrPolStoppedRemoving = 0x58D,
    WdfDevStatePwrPolRemoved = 0x58E,
    WdfDevStatePwrPolRestarting = 0x58F,
    WdfDevStatePwrPolRestartingFailed = 0x590,
    WdfDevStatePwrPolStartingPoweredUpFailed = 0x591,
    WdfDevStatePwrPolTimerExpiredNoWakeReturnToActive = 0x592,
    WdfDevStatePwrPolWaitingArmedWakeInterruptFired = 0x593,
    WdfDevStatePwrPolSystemWakeDeviceWakeInterruptFired = 0x594,
    WdfDevStatePwrPolSystemWakeDeviceWakeInterruptFiredNP = 0x595 | WdfDevStateNP,
    WdfDevStatePwrPolTimerExpiredWakeCapableWakeInterruptArrived = 0x596,
    WdfDevStatePwrPolTimerExpiredWakeCapablePowerDownFailedWakeInterruptArrived = 0x597,
    WdfDevStatePwrPolWaitingArmedWakeInterruptFiredDuringPowerDown = 0x598,
    WdfDevStatePwrPolNull = 0x599,
} WDF_DEVICE_POWER_POLICY_STATE, *PWDF_DEVICE_POWER_POLICY_STATE;

typedef enum _WDF_STATE_NOTIFICATION_TYPE {
    StateNotificationInvalid = 0x0000,
    StateNotificationEnterState = 0x0001,
    StateNotificationPostProcessState = 0x0002,
    StateNotificationLeaveState = 0x0004,
    StateNotificationAllStates = StateNotificationEnterState | StateNotificationPostProcessState | StateNotificationLeaveState,
} WDF_STATE_NOTIFICATION_TYPE;

typedef enum _WDF_POWER_POLICY_S0_IDLE_CAPABILITIES {
    IdleCapsInvalid = 0,
    IdleCannotWakeFromS0,
    IdleCanWakeFromS0,
    IdleUsbSelectiveSuspend,
} WDF_POWER_POLICY_S0_IDLE_CAPABILITIES;

typedef enum _WDF_POWER_POLICY_S0_IDLE_USER_CONTROL {
    IdleUserControlInvalid = 0,
    IdleDoNotAllowUserControl,
    IdleAllowUserControl,
} WDF_POWER_POLICY_S0_IDLE_USER_CONTROL;

typedef enum _WDF_POWER_POLICY_IDLE_TIMEOUT_CONSTANTS {
    IdleTimeoutDefaultConstant = 0,
} WDF_POWER_POLICY_IDLE_TIMEOUT_CONSTANTS;

typedef enum _WDF_POWER_POLICY_SX_WAKE_USER_CONTROL {
    WakeUserControlInvalid = 0,
    WakeDoNotAllowUserControl,
    WakeAllowUserControl,
} WDF_POWER_POLICY_SX_WAKE_USER_CONTROL;

typedef enum _WDF_DISPATCH_IRP_TO_IO_QUEUE_FLAGS {
    WDF_DISPATCH_IRP_TO_IO_QUEUE_NO_FLAGS = 0x00000000,
    WDF_DISPATCH_IRP_TO_IO_QUEUE_INVOKE_INCALLERCTX_CALLBACK = 0x00000001,
    WDF_DISPATCH_IRP_TO_IO_QUEUE_PREPROCESSED_IRP = 0x00000002,
} WDF_DISPATCH_IRP_TO_IO_QUEUE_FLAGS;

typedef enum _WDF_DEVICE_FAILED_ACTION {
    WdfDeviceFailedUndefined = 0,
    WdfDeviceFailedAttemptRestart,
    WdfDeviceFailedNoRestart,
} WDF_DEVICE_FAILED_ACTION;

typedef enum _WDF_RELEASE_HARDWARE_ORDER_ON_FAILURE {
    WdfReleaseHardwareOrderOnFailureInvalid = 0,
    WdfReleaseHardwareOrderOnFailureEarly,
    WdfReleaseHardwareOrderOnFailureAfterDescendants,
} WDF_RELEASE_HARDWARE_ORDER_ON_FAILURE, *PWDF_RELEASE_HARDWARE_ORDER_ON_FAILURE;

typedef struct _WDF_DEVICE_PNP_NOTIFICATION_DATA {
    WDF_STATE_NOTIFICATION_TYPE Type;
    union {
        struct {
            WDF_DEVICE_PNP_STATE CurrentState;
            WDF_DEVICE_PNP_STATE NewState;
        } EnterState;
        struct {
            WDF_DEVICE_PNP_STATE CurrentState;
        } PostProcessState;
        struct {
            WDF_DEVICE_PNP_STATE CurrentState;
            WDF_DEVICE_PNP_STATE NewState;
        } LeaveState;
    } Data;
} WDF_DEVICE_PNP_NOTIFICATION_DATA;

typedef const WDF_DEVICE_PNP_NOTIFICATION_DATA* PCWDF_DEVICE_PNP_NOTIFICATION_DATA;

typedef struct _WDF_DEVICE_POWER_NOTIFICATION_DATA {
    WDF_STATE_NOTIFICATION_TYPE Type;
    union {
        struct {
            WDF_DEVICE_POWER_STATE CurrentState;
            WDF_DEVICE_POWER_STATE NewState;
        } EnterState;
        struct {
            WDF_DEVICE_POWER_STATE CurrentState;
        } PostProcessState;
        struct {
            WDF_DEVICE_POWER_STATE CurrentState;
            WDF_DEVICE_POWER_STATE NewState;
        } LeaveState;
    } Data;
} WDF_DEVICE_POWER_NOTIFICATION_DATA;

typedef const WDF_DEVICE_POWER_NOTIFICATION_DATA* PCWDF_DEVICE_POWER_NOTIFICATION_DATA;

typedef struct _WDF_DEVICE_POWER_POLICY_NOTIFICATION_DATA {
    WDF_STATE_NOTIFICATION_TYPE Type;
    union {
        struct {
            WDF_DEVICE_POWER_POLICY_STATE CurrentState;
            WDF_DEVICE_POWER_POLICY_STATE NewState;
        } EnterState;
        struct {
            WDF_DEVICE_POWER_POLICY_STATE CurrentState;
        } PostProcessState;
        struct {
            WDF_DEVICE_POWER_POLICY_STATE CurrentState;
            WDF_DEVICE_POWER_POLICY_STATE NewState;
        } LeaveState;
    } Data;
} WDF_DEVICE_POWER_POLICY_NOTIFICATION_DATA;

typedef const WDF_DEVICE_POWER_POLICY_NOTIFICATION_DATA* PCWDF_DEVICE_POWER_POLICY_NOTIFICATION_DATA;

typedef VOID EVT_WDF_DEVICE_PNP_STATE_CHANGE_NOTIFICATION(WDFDEVICE Device, PCWDF_DEVICE_PNP_NOTIFICATION_DATA NotificationData);
typedef EVT_WDF_DEVICE_PNP_STATE_CHANGE_NOTIFICATION *PFN_WDF_DEVICE_PNP_STATE_CHANGE_NOTIFICATION;

typedef VOID EVT_WDF_DEVICE_POWER_STATE_CHANGE_NOTIFICATION(WDFDEVICE Device, PCWDF_DEVICE_POWER_NOTIFICATION_DATA NotificationData);
typedef EVT_WDF_DEVICE_POWER_STATE_CHANGE_NOTIFICATION *PFN_WDF_DEVICE_POWER_STATE_CHANGE_NOTIFICATION;

typedef VOID EVT_WDF_DEVICE_POWER_POLICY_STATE_CHANGE_NOTIFICATION(WDFDEVICE Device, PCWDF_DEVICE_POWER_POLICY_NOTIFICATION_DATA NotificationData);
typedef EVT_WDF_DEVICE_POWER_POLICY_STATE_CHANGE_NOTIFICATION *PFN_WDF_DEVICE_POWER_POLICY_STATE_CHANGE_NOTIFICATION;

typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_S0(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_S0 *PFN_WDF_DEVICE_ARM_WAKE_FROM_S0;

typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_SX(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_SX *PFN_WDF_DEVICE_ARM_WAKE_FROM_SX;

typedef NTSTATUS EVT_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON(WDFDEVICE Device, BOOLEAN DeviceWakeEnabled, BOOLEAN ChildrenArmedForWake);
typedef EVT_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON *PFN_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON;

typedef VOID EVT_WDF_DEVICE_DISARM_WAKE_FROM_S0(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_DISARM_WAKE_FROM_S0 *PFN_WDF_DEVICE_DISARM_WAKE_FROM_S0;

typedef VOID EVT_WDF_DEVICE_DISARM_WAKE_FROM_SX(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_DISARM_WAKE_FROM_SX *PFN_WDF_DEVICE_DISARM_WAKE_FROM_SX;

typedef VOID EVT_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED *PFN_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED;

typedef VOID EVT_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED *PFN_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED;

typedef struct _WDF_POWER_POLICY_EVENT_CALLBACKS {
    ULONG Size;
    PFN_WDF_DEVICE_ARM_WAKE_FROM_S0 EvtDeviceArmWakeFromS0;
    PFN_WDF_DEVICE_DISARM_WAKE_FROM_S0 EvtDeviceDisarmWakeFromS0;
    PFN_WDF_DEVICE_WAKE_FROM_S0_TRIGGERED EvtDeviceWakeFromS0Triggered;
    PFN_WDF_DEVICE_ARM_WAKE_FROM_SX EvtDeviceArmWakeFromSx;
    PFN_WDF_DEVICE_DISARM_WAKE_FROM_SX EvtDeviceDisarmWakeFromSx;
    PFN_WDF_DEVICE_WAKE_FROM_SX_TRIGGERED EvtDeviceWakeFromSxTriggered;
    PFN_WDF_DEVICE_ARM_WAKE_FROM_SX_WITH_REASON EvtDeviceArmWakeFromSxWithReason;
} WDF_POWER_POLICY_EVENT_CALLBACKS, *PWDF_POWER_POLICY_EVENT_CALLBACKS;

typedef enum _WDF_POWER_POLICY_IDLE_TIMEOUT_TYPE {
    DriverManagedIdleTimeout = 0,
    SystemManagedIdleTimeout = 1,
    SystemManagedIdleTimeoutWithHint = 2
} WDF_POWER_POLICY_IDLE_TIMEOUT_TYPE, *PWDF_POWER_POLICY_IDLE_TIMEOUT_TYPE;

typedef struct _WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS {
    ULONG Size;
    WDF_POWER_POLICY_S0_IDLE_CAPABILITIES IdleCaps;
    DEVICE_POWER_STATE DxState;
    ULONG IdleTimeout;
    WDF_POWER_POLICY_S0_IDLE_USER_CONTROL UserControlOfIdleSettings;
    WDF_TRI_STATE Enabled;
    WDF_TRI_STATE PowerUpIdleDeviceOnSystemWake;
    WDF_POWER_POLICY_IDLE_TIMEOUT_TYPE IdleTimeoutType;
    WDF_TRI_STATE ExcludeD3Cold;
} WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS, *PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS;

typedef struct _WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS {
    ULONG Size;
    DEVICE_POWER_STATE DxState;
    WDF_POWER_POLICY_SX_WAKE_USER_CONTROL UserControlOfWakeSettings;
    WDF_TRI_STATE Enabled;
    BOOLEAN ArmForWakeIfChildrenAreArmedForWake;
    BOOLEAN IndicateChildWakeOnParentWake;
} WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS, *PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS;

typedef struct _WDF_DEVICE_STATE {
    ULONG Size;
    WDF_TRI_STATE Disabled;
    WDF_TRI_STATE DontDisplayInUI;
    WDF_TRI_STATE Failed;
    WDF_TRI_STATE NotDisableable;
    WDF_TRI_STATE Removed;
    WDF_TRI_STATE ResourcesChanged;
} WDF_DEVICE_STATE, *PWDF_DEVICE_STATE;

typedef struct _WDF_DEVICE_PNP_CAPABILITIES {
    ULONG Size;
    WDF_TRI_STATE LockSupported;
    WDF_TRI_STATE EjectSupported;
    WDF_TRI_STATE Removable;
    WDF_TRI_STATE DockDevice;
    WDF_TRI_STATE UniqueID;
    WDF_TRI_STATE SilentInstall;
    WDF_TRI_STATE SurpriseRemovalOK;
    WDF_TRI_STATE HardwareDisabled;
    WDF_TRI_STATE NoDisplayInUI;
    ULONG Address;
    ULONG UINumber;
} WDF_DEVICE_PNP_CAPABILITIES, *PWDF_DEVICE_PNP_CAPABILITIES;

typedef struct _WDF_DEVICE_POWER_CAPABILITIES {
    ULONG Size;
    WDF_TRI_STATE DeviceD1;
    WDF_TRI_STATE DeviceD2;
    WDF_TRI_STATE WakeFromD0;
    WDF_TRI_STATE WakeFromD1;
    WDF_TRI_STATE WakeFromD2;
    WDF_TRI_STATE WakeFromD3;
    DEVICE_POWER_STATE DeviceState[PowerSystemMaximum];
    DEVICE_POWER_STATE DeviceWake;
    SYSTEM_POWER_STATE SystemWake;
    ULONG D1Latency;
    ULONG D2Latency;
    ULONG D3Latency;
    DEVICE_POWER_STATE IdealDxStateForSx;
} WDF_DEVICE_POWER_CAPABILITIES, *PWDF_DEVICE_POWER_CAPABILITIES;

typedef enum _WDF_REMOVE_LOCK_OPTIONS_FLAGS {
    WDF_REMOVE_LOCK_OPTION_ACQUIRE_FOR_IO = 0x00000001
} WDF_REMOVE_LOCK_OPTIONS_FLAGS;

typedef struct _WDF_REMOVE_LOCK_OPTIONS {
    ULONG Size;
    ULONG Flags;
} WDF_REMOVE_LOCK_OPTIONS, *PWDF_REMOVE_LOCK_OPTIONS;

typedef NTSTATUS EVT_WDFDEVICE_WDM_IRP_PREPROCESS(WDFDEVICE Device, PIRP Irp);
typedef EVT_WDFDEVICE_WDM_IRP_PREPROCESS *PFN_WDFDEVICE_WDM_IRP_PREPROCESS;

typedef NTSTATUS EVT_WDFDEVICE_WDM_IRP_DISPATCH(WDFDEVICE Device, UCHAR MajorFunction, UCHAR MinorFunction, ULONG Code, WDFCONTEXT DriverContext, PIRP Irp, WDFCONTEXT DispatchContext);
typedef EVT_WDFDEVICE_WDM_IRP_DISPATCH *PFN_WDFDEVICE_WDM_IRP_DISPATCH;

typedef VOID EVT_WDF_IO_IN_CALLER_CONTEXT(WDFDEVICE Device, WDFREQUEST Request);
typedef EVT_WDF_IO_IN_CALLER_CONTEXT *PFN_WDF_IO_IN_CALLER_CONTEXT;

typedef NTSTATUS EVT_WDFDEVICE_WDM_POST_PO_FX_REGISTER_DEVICE(WDFDEVICE Device, POHANDLE PoHandle);
typedef EVT_WDFDEVICE_WDM_POST_PO_FX_REGISTER_DEVICE *PFN_WDFDEVICE_WDM_POST_PO_FX_REGISTER_DEVICE;

typedef VOID EVT_WDFDEVICE_WDM_PRE_PO_FX_UNREGISTER_DEVICE(WDFDEVICE Device, POHANDLE PoHandle);
typedef EVT_WDFDEVICE_WDM_PRE_PO_FX_UNREGISTER_DEVICE *PFN_WDFDEVICE_WDM_PRE_PO_FX_UNREGISTER_DEVICE;

typedef struct _WDF_POWER_FRAMEWORK_SETTINGS {
    ULONG Size;
    PFN_WDFDEVICE_WDM_POST_PO_FX_REGISTER_DEVICE EvtDeviceWdmPostPoFxRegisterDevice;
    PFN_WDFDEVICE_WDM_PRE_PO_FX_UNREGISTER_DEVICE EvtDeviceWdmPrePoFxUnregisterDevice;
    PPO_FX_COMPONENT Component;
    PPO_FX_COMPONENT_ACTIVE_CONDITION_CALLBACK ComponentActiveConditionCallback;
    PPO_FX_COMPONENT_IDLE_CONDITION_CALLBACK ComponentIdleConditionCallback;
    PPO_FX_COMPONENT_IDLE_STATE_CALLBACK ComponentIdleStateCallback;
    PPO_FX_POWER_CONTROL_CALLBACK PowerControlCallback;
    PVOID PoFxDeviceContext;
} WDF_POWER_FRAMEWORK_SETTINGS, *PWDF_POWER_FRAMEWORK_SETTINGS;

typedef struct _WDF_IO_TYPE_CONFIG {
    ULONG Size;
    WDF_DEVICE_IO_TYPE ReadWriteIoType;
    WDF_DEVICE_IO_TYPE DeviceControlIoType;
    ULONG DirectTransferThreshold;
} WDF_IO_TYPE_CONFIG, *PWDF_IO_TYPE_CONFIG;

typedef struct _WDF_DEVICE_PROPERTY_DATA {
    ULONG Size;
    const DEVPROPKEY * PropertyKey;
    LCID Lcid;
    ULONG Flags;
} WDF_DEVICE_PROPERTY_DATA, *PWDF_DEVICE_PROPERTY_DATA;

WDFAPI VOID WdfDeviceGetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState);
WDFAPI VOID WdfDeviceSetDeviceState(WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState);
WDFAPI NTSTATUS WdfDeviceWdmDispatchPreprocessedIrp(WDFDEVICE Device, PIRP Irp);
WDFAPI NTSTATUS WdfDeviceWdmDispatchIrp(WDFDEVICE Device, PIRP Irp, WDFCONTEXT DispatchContext);
WDFAPI NTSTATUS WdfDeviceWdmDispatchIrpToIoQueue(WDFDEVICE Device, PIRP Irp, WDFQUEUE Queue, ULONG Flags);
WDFAPI NTSTATUS WdfDeviceAddDependentUsageDeviceObject(WDFDEVICE Device, PDEVICE_OBJECT DependentDevice);
WDFAPI VOID WdfDeviceRemoveDependentUsageDeviceObject(WDFDEVICE Device, PDEVICE_OBJECT DependentDevice);
WDFAPI NTSTATUS WdfDeviceAddRemovalRelationsPhysicalDevice(WDFDEVICE Device, PDEVICE_OBJECT PhysicalDevice);
WDFAPI VOID WdfDeviceRemoveRemovalRelationsPhysicalDevice(WDFDEVICE Device, PDEVICE_OBJECT PhysicalDevice);
WDFAPI VOID WdfDeviceClearRemovalRelationsDevices(WDFDEVICE Device);
WDFAPI NTSTATUS WdfDeviceRetrieveDeviceName(WDFDEVICE Device, WDFSTRING String);
WDFAPI NTSTATUS WdfDeviceAssignMofResourceName(WDFDEVICE Device, PCUNICODE_STRING MofResourceName);
WDFAPI WDFIOTARGET WdfDeviceGetIoTarget(WDFDEVICE Device);
WDFAPI WDF_DEVICE_PNP_STATE WdfDeviceGetDevicePnpState(WDFDEVICE Device);
WDFAPI WDF_DEVICE_POWER_STATE WdfDeviceGetDevicePowerState(WDFDEVICE Device);
WDFAPI WDF_DEVICE_POWER_POLICY_STATE WdfDeviceGetDevicePowerPolicyState(WDFDEVICE Device);
WDFAPI NTSTATUS WdfDeviceAssignS0IdleSettings(WDFDEVICE Device, PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Settings);
WDFAPI NTSTATUS WdfDeviceAssignSxWakeSettings(WDFDEVICE Device, PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Settings);
WDFAPI NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
WDFAPI NTSTATUS WdfDeviceOpenDevicemapKey(WDFDEVICE Device, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
WDFAPI VOID WdfDeviceSetSpecialFileSupport(WDFDEVICE Device, WDF_SPECIAL_FILE_TYPE FileType, BOOLEAN FileTypeIsSupported);
WDFAPI VOID WdfDeviceSetCharacteristics(WDFDEVICE Device, ULONG DeviceCharacteristics);
WDFAPI ULONG WdfDeviceGetCharacteristics(WDFDEVICE Device);
WDFAPI ULONG WdfDeviceGetAlignmentRequirement(WDFDEVICE Device);
WDFAPI VOID WdfDeviceSetAlignmentRequirement(WDFDEVICE Device, ULONG AlignmentRequirement);
WDFAPI VOID WdfDeviceInitSetPowerPolicyEventCallbacks(PWDFDEVICE_INIT DeviceInit, PWDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicyEventCallbacks);
WDFAPI VOID WdfDeviceInitSetPowerPolicyOwnership(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsPowerPolicyOwner);
WDFAPI NTSTATUS WdfDeviceInitRegisterPnpStateChangeCallback(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_PNP_STATE PnpState, PFN_WDF_DEVICE_PNP_STATE_CHANGE_NOTIFICATION EvtDevicePnpStateChange, ULONG CallbackTypes);
WDFAPI NTSTATUS WdfDeviceInitRegisterPowerStateChangeCallback(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_POWER_STATE PowerState, PFN_WDF_DEVICE_POWER_STATE_CHANGE_NOTIFICATION EvtDevicePowerStateChange, ULONG CallbackTypes);
WDFAPI NTSTATUS WdfDeviceInitRegisterPowerPolicyStateChangeCallback(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_POWER_POLICY_STATE PowerPolicyState, PFN_WDF_DEVICE_POWER_POLICY_STATE_CHANGE_NOTIFICATION EvtDevicePowerPolicyStateChange, ULONG CallbackTypes);
WDFAPI VOID WdfDeviceInitSetPowerNotPageable(PWDFDEVICE_INIT DeviceInit);
WDFAPI VOID WdfDeviceInitSetPowerPageable(PWDFDEVICE_INIT DeviceInit);
WDFAPI VOID WdfDeviceInitSetPowerInrush(PWDFDEVICE_INIT DeviceInit);
WDFAPI NTSTATUS WdfDeviceInitAssignSDDLString(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING SDDLString);
WDFAPI VOID WdfDeviceInitSetDeviceClass(PWDFDEVICE_INIT DeviceInit, CONST GUID* DeviceClassGuid);
WDFAPI NTSTATUS WdfDeviceInitAssignWdmIrpPreprocessCallback(PWDFDEVICE_INIT DeviceInit, PFN_WDFDEVICE_WDM_IRP_PREPROCESS EvtDeviceWdmIrpPreprocess, UCHAR MajorFunction, PUCHAR MinorFunctions, ULONG NumMinorFunctions);
WDFAPI VOID WdfDeviceInitSetIoInCallerContextCallback(PWDFDEVICE_INIT DeviceInit, PFN_WDF_IO_IN_CALLER_CONTEXT EvtIoInCallerContext);
WDFAPI VOID WdfDeviceInitSetRemoveLockOptions(PWDFDEVICE_INIT DeviceInit, PWDF_REMOVE_LOCK_OPTIONS Options);
WDFAPI VOID WdfDeviceSetStaticStopRemove(WDFDEVICE Device, BOOLEAN Stoppable);
WDFAPI NTSTATUS WdfDeviceRetrieveDeviceInterfaceString(WDFDEVICE Device, CONST GUID* InterfaceClassGUID, PCUNICODE_STRING ReferenceString, WDFSTRING String);
WDFAPI NTSTATUS WdfDeviceCreateSymbolicLink(WDFDEVICE Device, PCUNICODE_STRING SymbolicLinkName);
WDFAPI NTSTATUS WdfDeviceQueryProperty(WDFDEVICE Device, DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength);
WDFAPI NTSTATUS WdfDeviceAllocAndQueryProperty(WDFDEVICE Device, DEVICE_REGISTRY_PROPERTY DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory);
WDFAPI VOID WdfDeviceSetPnpCapabilities(WDFDEVICE Device, PWDF_DEVICE_PNP_CAPABILITIES PnpCapabilities);
WDFAPI VOID WdfDeviceSetPowerCapabilities(WDFDEVICE Device, PWDF_DEVICE_POWER_CAPABILITIES PowerCapabilities);
WDFAPI VOID WdfDeviceSetBusInformationForChildren(WDFDEVICE Device, PPNP_BUS_INFORMATION BusInformation);
WDFAPI NTSTATUS WdfDeviceIndicateWakeStatus(WDFDEVICE Device, NTSTATUS WaitWakeStatus);
WDFAPI VOID WdfDeviceSetFailed(WDFDEVICE Device, WDF_DEVICE_FAILED_ACTION FailedAction);
WDFAPI NTSTATUS WdfDeviceStopIdleNoTrack(WDFDEVICE Device, BOOLEAN WaitForD0);
WDFAPI VOID WdfDeviceResumeIdleNoTrack(WDFDEVICE Device);
WDFAPI NTSTATUS WdfDeviceStopIdleActual(WDFDEVICE Device, BOOLEAN WaitForD0, PVOID Tag, LONG Line, PCHAR File);
WDFAPI VOID WdfDeviceResumeIdleActual(WDFDEVICE Device, PVOID Tag, LONG Line, PCHAR File);
WDFAPI WDFFILEOBJECT WdfDeviceGetFileObject(WDFDEVICE Device, PFILE_OBJECT FileObject);
WDFAPI NTSTATUS WdfDeviceEnqueueRequest(WDFDEVICE Device, WDFREQUEST Request);
WDFAPI NTSTATUS WdfDeviceConfigureWdmIrpDispatchCallback(WDFDEVICE Device, WDFDRIVER Driver, UCHAR MajorFunction, PFN_WDFDEVICE_WDM_IRP_DISPATCH EvtDeviceWdmIrpDisptach, WDFCONTEXT DriverContext);
WDFAPI POWER_ACTION WdfDeviceGetSystemPowerAction(WDFDEVICE Device);
WDFAPI NTSTATUS WdfDeviceWdmAssignPowerFrameworkSettings(WDFDEVICE Device, PWDF_POWER_FRAMEWORK_SETTINGS PowerFrameworkSettings);
WDFAPI VOID WdfDeviceInitSetReleaseHardwareOrderOnFailure(PWDFDEVICE_INIT DeviceInit, WDF_RELEASE_HARDWARE_ORDER_ON_FAILURE ReleaseHardwareOrderOnFailure);
WDFAPI VOID WdfDeviceInitSetIoTypeEx(PWDFDEVICE_INIT DeviceInit, PWDF_IO_TYPE_CONFIG IoTypeConfig);
WDFAPI NTSTATUS WdfDeviceQueryPropertyEx(WDFDEVICE Device, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG RequiredSize, PDEVPROPTYPE Type);
WDFAPI NTSTATUS WdfDeviceAllocAndQueryPropertyEx(WDFDEVICE Device, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory, PDEVPROPTYPE Type);
WDFAPI NTSTATUS WdfDeviceAssignProperty(WDFDEVICE Device, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, DEVPROPTYPE Type, ULONG Size, PVOID Data);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef VOID (*PFN_WDFDEVICEGETDEVICESTATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState);
typedef VOID (*PFN_WDFDEVICESETDEVICESTATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_STATE DeviceState);
typedef WDFDEVICE (*PFN_WDFWDMDEVICEGETWDFDEVICEHANDLE)(PWDF_DRIVER_GLOBALS DriverGlobals, PDEVICE_OBJECT DeviceObject);
typedef PDEVICE_OBJECT (*PFN_WDFDEVICEWDMGETDEVICEOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef PDEVICE_OBJECT (*PFN_WDFDEVICEWDMGETATTACHEDDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef PDEVICE_OBJECT (*PFN_WDFDEVICEWDMGETPHYSICALDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef NTSTATUS (*PFN_WDFDEVICEWDMDISPATCHPREPROCESSEDIRP)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PIRP Irp);
typedef NTSTATUS (*PFN_WDFDEVICEWDMDISPATCHIRP)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PIRP Irp, WDFCONTEXT DispatchContext);
typedef NTSTATUS (*PFN_WDFDEVICEWDMDISPATCHIRPTOIOQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PIRP Irp, WDFQUEUE Queue, ULONG Flags);
typedef NTSTATUS (*PFN_WDFDEVICEADDDEPENDENTUSAGEDEVICEOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PDEVICE_OBJECT DependentDevice);
typedef VOID (*PFN_WDFDEVICEREMOVEDEPENDENTUSAGEDEVICEOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PDEVICE_OBJECT DependentDevice);
typedef NTSTATUS (*PFN_WDFDEVICEADDREMOVALRELATIONSPHYSICALDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PDEVICE_OBJECT PhysicalDevice);
typedef VOID (*PFN_WDFDEVICEREMOVEREMOVALRELATIONSPHYSICALDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PDEVICE_OBJECT PhysicalDevice);
typedef VOID (*PFN_WDFDEVICECLEARREMOVALRELATIONSDEVICES)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef WDFDRIVER (*PFN_WDFDEVICEGETDRIVER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef NTSTATUS (*PFN_WDFDEVICERETRIEVEDEVICENAME)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, WDFSTRING String);
typedef NTSTATUS (*PFN_WDFDEVICEASSIGNMOFRESOURCENAME)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PCUNICODE_STRING MofResourceName);
typedef WDFIOTARGET (*PFN_WDFDEVICEGETIOTARGET)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef WDF_DEVICE_PNP_STATE (*PFN_WDFDEVICEGETDEVICEPNPSTATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef WDF_DEVICE_POWER_STATE (*PFN_WDFDEVICEGETDEVICEPOWERSTATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef WDF_DEVICE_POWER_POLICY_STATE (*PFN_WDFDEVICEGETDEVICEPOWERPOLICYSTATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef NTSTATUS (*PFN_WDFDEVICEASSIGNS0IDLESETTINGS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Settings);
typedef NTSTATUS (*PFN_WDFDEVICEASSIGNSXWAKESETTINGS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Settings);
typedef NTSTATUS (*PFN_WDFDEVICEOPENREGISTRYKEY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, ULONG DeviceInstanceKeyType, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
typedef NTSTATUS (*PFN_WDFDEVICEOPENDEVICEMAPKEY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
typedef VOID (*PFN_WDFDEVICESETSPECIALFILESUPPORT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, WDF_SPECIAL_FILE_TYPE FileType, BOOLEAN FileTypeIsSupported);
typedef VOID (*PFN_WDFDEVICESETCHARACTERISTICS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, ULONG DeviceCharacteristics);
typedef ULONG (*PFN_WDFDEVICEGETCHARACTERISTICS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef ULONG (*PFN_WDFDEVICEGETALIGNMENTREQUIREMENT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef VOID (*PFN_WDFDEVICESETALIGNMENTREQUIREMENT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, ULONG AlignmentRequirement);
typedef VOID (*PFN_WDFDEVICEINITFREE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
typedef VOID (*PFN_WDFDEVICEINITSETPNPPOWEREVENTCALLBACKS)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks);
typedef VOID (*PFN_WDFDEVICEINITSETPOWERPOLICYEVENTCALLBACKS)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_POWER_POLICY_EVENT_CALLBACKS PowerPolicyEventCallbacks);
typedef VOID (*PFN_WDFDEVICEINITSETPOWERPOLICYOWNERSHIP)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, BOOLEAN IsPowerPolicyOwner);
typedef NTSTATUS (*PFN_WDFDEVICEINITREGISTERPNPSTATECHANGECALLBACK)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_PNP_STATE PnpState, PFN_WDF_DEVICE_PNP_STATE_CHANGE_NOTIFICATION EvtDevicePnpStateChange, ULONG CallbackTypes);
typedef NTSTATUS (*PFN_WDFDEVICEINITREGISTERPOWERSTATECHANGECALLBACK)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_POWER_STATE PowerState, PFN_WDF_DEVICE_POWER_STATE_CHANGE_NOTIFICATION EvtDevicePowerStateChange, ULONG CallbackTypes);
typedef NTSTATUS (*PFN_WDFDEVICEINITREGISTERPOWERPOLICYSTATECHANGECALLBACK)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_POWER_POLICY_STATE PowerPolicyState, PFN_WDF_DEVICE_POWER_POLICY_STATE_CHANGE_NOTIFICATION EvtDevicePowerPolicyStateChange, ULONG CallbackTypes);
typedef VOID (*PFN_WDFDEVICEINITSETEXCLUSIVE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, BOOLEAN IsExclusive);
typedef VOID (*PFN_WDFDEVICEINITSETIOTYPE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_IO_TYPE IoType);
typedef VOID (*PFN_WDFDEVICEINITSETPOWERNOTPAGEABLE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
typedef VOID (*PFN_WDFDEVICEINITSETPOWERPAGEABLE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
typedef VOID (*PFN_WDFDEVICEINITSETPOWERINRUSH)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
typedef VOID (*PFN_WDFDEVICEINITSETDEVICETYPE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, DEVICE_TYPE DeviceType);
typedef NTSTATUS (*PFN_WDFDEVICEINITASSIGNNAME)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceName);
typedef NTSTATUS (*PFN_WDFDEVICEINITASSIGNSDDLSTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING SDDLString);
typedef VOID (*PFN_WDFDEVICEINITSETDEVICECLASS)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, CONST GUID* DeviceClassGuid);
typedef VOID (*PFN_WDFDEVICEINITSETCHARACTERISTICS)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, ULONG DeviceCharacteristics, BOOLEAN OrInValues);
typedef VOID (*PFN_WDFDEVICEINITSETFILEOBJECTCONFIG)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_FILEOBJECT_CONFIG FileObjectConfig, PWDF_OBJECT_ATTRIBUTES FileObjectAttributes);
typedef VOID (*PFN_WDFDEVICEINITSETREQUESTATTRIBUTES)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_OBJECT_ATTRIBUTES RequestAttributes);
typedef NTSTATUS (*PFN_WDFDEVICEINITASSIGNWDMIRPPREPROCESSCALLBACK)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PFN_WDFDEVICE_WDM_IRP_PREPROCESS EvtDeviceWdmIrpPreprocess, UCHAR MajorFunction, PUCHAR MinorFunctions, ULONG NumMinorFunctions);
typedef VOID (*PFN_WDFDEVICEINITSETIOINCALLERCONTEXTCALLBACK)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PFN_WDF_IO_IN_CALLER_CONTEXT EvtIoInCallerContext);
typedef VOID (*PFN_WDFDEVICEINITSETREMOVELOCKOPTIONS)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_REMOVE_LOCK_OPTIONS Options);
typedef NTSTATUS (*PFN_WDFDEVICECREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT* DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes, WDFDEVICE* Device);
typedef VOID (*PFN_WDFDEVICESETSTATICSTOPREMOVE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, BOOLEAN Stoppable);
typedef NTSTATUS (*PFN_WDFDEVICECREATEDEVICEINTERFACE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, CONST GUID* InterfaceClassGUID, PCUNICODE_STRING ReferenceString);
typedef VOID (*PFN_WDFDEVICESETDEVICEINTERFACESTATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, CONST GUID* InterfaceClassGUID, PCUNICODE_STRING ReferenceString, BOOLEAN IsInterfaceEnabled);
typedef NTSTATUS (*PFN_WDFDEVICERETRIEVEDEVICEINTERFACESTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, CONST GUID* InterfaceClassGUID, PCUNICODE_STRING ReferenceString, WDFSTRING String);
typedef NTSTATUS (*PFN_WDFDEVICECREATESYMBOLICLINK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PCUNICODE_STRING SymbolicLinkName);
typedef NTSTATUS (*PFN_WDFDEVICEQUERYPROPERTY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength);
typedef NTSTATUS (*PFN_WDFDEVICEALLOCANDQUERYPROPERTY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, DEVICE_REGISTRY_PROPERTY DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory);
typedef VOID (*PFN_WDFDEVICESETPNPCAPABILITIES)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_PNP_CAPABILITIES PnpCapabilities);
typedef VOID (*PFN_WDFDEVICESETPOWERCAPABILITIES)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_POWER_CAPABILITIES PowerCapabilities);
typedef VOID (*PFN_WDFDEVICESETBUSINFORMATIONFORCHILDREN)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PPNP_BUS_INFORMATION BusInformation);
typedef NTSTATUS (*PFN_WDFDEVICEINDICATEWAKESTATUS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, NTSTATUS WaitWakeStatus);
typedef VOID (*PFN_WDFDEVICESETFAILED)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, WDF_DEVICE_FAILED_ACTION FailedAction);
typedef NTSTATUS (*PFN_WDFDEVICESTOPIDLENOTRACK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, BOOLEAN WaitForD0);
typedef VOID (*PFN_WDFDEVICERESUMEIDLENOTRACK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef NTSTATUS (*PFN_WDFDEVICESTOPIDLEACTUAL)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, BOOLEAN WaitForD0, PVOID Tag, LONG Line, PCHAR File);
typedef VOID (*PFN_WDFDEVICERESUMEIDLEACTUAL)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PVOID Tag, LONG Line, PCHAR File);
typedef WDFFILEOBJECT (*PFN_WDFDEVICEGETFILEOBJECT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PFILE_OBJECT FileObject);
typedef NTSTATUS (*PFN_WDFDEVICEENQUEUEREQUEST)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, WDFREQUEST Request);
typedef WDFQUEUE (*PFN_WDFDEVICEGETDEFAULTQUEUE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef NTSTATUS (*PFN_WDFDEVICECONFIGUREREQUESTDISPATCHING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, WDFQUEUE Queue, WDF_REQUEST_TYPE RequestType);
typedef NTSTATUS (*PFN_WDFDEVICECONFIGUREWDMIRPDISPATCHCALLBACK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, WDFDRIVER Driver, UCHAR MajorFunction, PFN_WDFDEVICE_WDM_IRP_DISPATCH EvtDeviceWdmIrpDisptach, WDFCONTEXT DriverContext);
typedef POWER_ACTION (*PFN_WDFDEVICEGETSYSTEMPOWERACTION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device);
typedef NTSTATUS (*PFN_WDFDEVICEWDMASSIGNPOWERFRAMEWORKSETTINGS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_POWER_FRAMEWORK_SETTINGS PowerFrameworkSettings);
typedef VOID (*PFN_WDFDEVICEINITSETRELEASEHARDWAREORDERONFAILURE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, WDF_RELEASE_HARDWARE_ORDER_ON_FAILURE ReleaseHardwareOrderOnFailure);
typedef VOID (*PFN_WDFDEVICEINITSETIOTYPEEX)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_IO_TYPE_CONFIG IoTypeConfig);
typedef NTSTATUS (*PFN_WDFDEVICEQUERYPROPERTYEX)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG RequiredSize, PDEVPROPTYPE Type);
typedef NTSTATUS (*PFN_WDFDEVICEALLOCANDQUERYPROPERTYEX)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory, PDEVPROPTYPE Type);
typedef NTSTATUS (*PFN_WDFDEVICEASSIGNPROPERTY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, DEVPROPTYPE Type, ULONG Size, PVOID Data);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_POWER_POLICY_EVENT_CALLBACKS_INIT(PWDF_POWER_POLICY_EVENT_CALLBACKS Callbacks)
{
    RtlZeroMemory(Callbacks, sizeof(*Callbacks));
    Callbacks->Size = (ULONG)sizeof(*Callbacks);
}

FORCEINLINE ULONG WdfDevStateNormalize(ULONG State)
{
    /* The state without its "not pageable" flag. */
    return State & ~(ULONG)WdfDevStateNP;
}

FORCEINLINE BOOLEAN WdfDevStateIsNP(ULONG State)
{
    return (State & (ULONG)WdfDevStateNP) != 0 ? TRUE : FALSE;
}

FORCEINLINE VOID WDF_DEVICE_POWER_POLICY_IDLE_SETTINGS_INIT(PWDF_DEVICE_POWER_POLICY_IDLE_SETTINGS Settings, WDF_POWER_POLICY_S0_IDLE_CAPABILITIES IdleCaps)
{
    RtlZeroMemory(Settings, sizeof(*Settings));
    Settings->Size = (ULONG)sizeof(*Settings);
    Settings->IdleCaps = IdleCaps;
    /* A device that can wake itself idles in the deepest state that can still wake it. */
    Settings->DxState = IdleCaps == IdleCannotWakeFromS0 ? PowerDeviceD3 : PowerDeviceMaximum;
    Settings->IdleTimeout = IdleTimeoutDefaultValue;
    Settings->UserControlOfIdleSettings = IdleAllowUserControl;
    Settings->Enabled = WdfUseDefault;
    Settings->PowerUpIdleDeviceOnSystemWake = WdfUseDefault;
    Settings->IdleTimeoutType = DriverManagedIdleTimeout;
    Settings->ExcludeD3Cold = WdfUseDefault;
}

FORCEINLINE VOID WDF_DEVICE_POWER_POLICY_WAKE_SETTINGS_INIT(PWDF_DEVICE_POWER_POLICY_WAKE_SETTINGS Settings)
{
    RtlZeroMemory(Settings, sizeof(*Settings));
    Settings->Size = (ULONG)sizeof(*Settings);
    Settings->DxState = PowerDeviceMaximum;
    Settings->UserControlOfWakeSettings = WakeAllowUserControl;
    Settings->Enabled = WdfUseDefault;
}

FORCEINLINE VOID WDF_DEVICE_STATE_INIT(PWDF_DEVICE_STATE PnpDeviceState)
{
    RtlZeroMemory(PnpDeviceState, sizeof(*PnpDeviceState));
    PnpDeviceState->Size = (ULONG)sizeof(*PnpDeviceState);
    PnpDeviceState->Disabled = WdfUseDefault;
    PnpDeviceState->DontDisplayInUI = WdfUseDefault;
    PnpDeviceState->Failed = WdfUseDefault;
    PnpDeviceState->NotDisableable = WdfUseDefault;
    PnpDeviceState->Removed = WdfUseDefault;
    PnpDeviceState->ResourcesChanged = WdfUseDefault;
}

FORCEINLINE VOID WDF_DEVICE_PNP_CAPABILITIES_INIT(PWDF_DEVICE_PNP_CAPABILITIES Caps)
{
    RtlZeroMemory(Caps, sizeof(*Caps));
    Caps->Size = (ULONG)sizeof(*Caps);
    Caps->LockSupported = WdfUseDefault;
    Caps->EjectSupported = WdfUseDefault;
    Caps->Removable = WdfUseDefault;
    Caps->DockDevice = WdfUseDefault;
    Caps->UniqueID = WdfUseDefault;
    Caps->SilentInstall = WdfUseDefault;
    Caps->SurpriseRemovalOK = WdfUseDefault;
    Caps->HardwareDisabled = WdfUseDefault;
    Caps->NoDisplayInUI = WdfUseDefault;
    /* -1: not reported. */
    Caps->Address = (ULONG)-1;
    Caps->UINumber = (ULONG)-1;
}

FORCEINLINE VOID WDF_DEVICE_POWER_CAPABILITIES_INIT(PWDF_DEVICE_POWER_CAPABILITIES Caps)
{
    RtlZeroMemory(Caps, sizeof(*Caps));
    Caps->Size = (ULONG)sizeof(*Caps);
    Caps->DeviceD1 = WdfUseDefault;
    Caps->DeviceD2 = WdfUseDefault;
    Caps->WakeFromD0 = WdfUseDefault;
    Caps->WakeFromD1 = WdfUseDefault;
    Caps->WakeFromD2 = WdfUseDefault;
    Caps->WakeFromD3 = WdfUseDefault;
    /* PowerDeviceMaximum and PowerSystemMaximum: the bus driver's value stands. */
    for (size_t s = 0; s < sizeof(Caps->DeviceState) / sizeof(Caps->DeviceState[0]); s++) {
    Caps->DeviceState[s] = PowerDeviceMaximum;
    }
    Caps->DeviceWake = PowerDeviceMaximum;
    Caps->SystemWake = PowerSystemMaximum;
    Caps->D1Latency = (ULONG)-1;
    Caps->D2Latency = (ULONG)-1;
    Caps->D3Latency = (ULONG)-1;
    Caps->IdealDxStateForSx = PowerDeviceMaximum;
}

FORCEINLINE VOID WDF_REMOVE_LOCK_OPTIONS_INIT(PWDF_REMOVE_LOCK_OPTIONS RemoveLockOptions, ULONG Flags)
{
    RtlZeroMemory(RemoveLockOptions, sizeof(*RemoveLockOptions));
    RemoveLockOptions->Size = (ULONG)sizeof(*RemoveLockOptions);
    RemoveLockOptions->Flags = Flags;
}

FORCEINLINE VOID WDF_POWER_FRAMEWORK_SETTINGS_INIT(PWDF_POWER_FRAMEWORK_SETTINGS PowerFrameworkSettings)
{
    RtlZeroMemory(PowerFrameworkSettings, sizeof(*PowerFrameworkSettings));
    PowerFrameworkSettings->Size = (ULONG)sizeof(*PowerFrameworkSettings);
}

FORCEINLINE VOID WDF_IO_TYPE_CONFIG_INIT(PWDF_IO_TYPE_CONFIG IoTypeConfig)
{
    RtlZeroMemory(IoTypeConfig, sizeof(*IoTypeConfig));
    IoTypeConfig->Size = (ULONG)sizeof(*IoTypeConfig);
    IoTypeConfig->ReadWriteIoType = WdfDeviceIoBuffered;
    IoTypeConfig->DeviceControlIoType = WdfDeviceIoBuffered;
}

FORCEINLINE VOID WDF_DEVICE_PROPERTY_DATA_INIT(PWDF_DEVICE_PROPERTY_DATA PropertyData, const DEVPROPKEY *PropertyKey)
{
    RtlZeroMemory(PropertyData, sizeof(*PropertyData));
    PropertyData->Size = (ULONG)sizeof(*PropertyData);
    PropertyData->PropertyKey = PropertyKey;
}

WDF_EXTERN_C_END

#endif /* _WDFDEVICE_H_ */
