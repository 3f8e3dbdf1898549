/*
 * wdffdo.h - functional device objects: the PnP callbacks and resource requirements of a function driver (WDK wdffdo.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFFDO_H_
#define _WDFFDO_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef NTSTATUS EVT_WDF_DEVICE_FILTER_RESOURCE_REQUIREMENTS(WDFDEVICE Device, WDFIORESREQLIST IoResourceRequirementsList);
typedef EVT_WDF_DEVICE_FILTER_RESOURCE_REQUIREMENTS *PFN_WDF_DEVICE_FILTER_RESOURCE_REQUIREMENTS;

typedef NTSTATUS EVT_WDF_DEVICE_REMOVE_ADDED_RESOURCES(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw, WDFCMRESLIST ResourcesTranslated);
typedef EVT_WDF_DEVICE_REMOVE_ADDED_RESOURCES *PFN_WDF_DEVICE_REMOVE_ADDED_RESOURCES;

typedef struct _WDF_FDO_EVENT_CALLBACKS {
    ULONG Size;
    PFN_WDF_DEVICE_FILTER_RESOURCE_REQUIREMENTS EvtDeviceFilterAddResourceRequirements;
    PFN_WDF_DEVICE_FILTER_RESOURCE_REQUIREMENTS EvtDeviceFilterRemoveResourceRequirements;
    PFN_WDF_DEVICE_REMOVE_ADDED_RESOURCES EvtDeviceRemoveAddedResources;
} WDF_FDO_EVENT_CALLBACKS, *PWDF_FDO_EVENT_CALLBACKS;

WDFAPI PDEVICE_OBJECT WdfFdoInitWdmGetPhysicalDevice(PWDFDEVICE_INIT DeviceInit);
WDFAPI NTSTATUS WdfFdoInitOpenRegistryKey(PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
WDFAPI NTSTATUS WdfFdoInitQueryProperty(PWDFDEVICE_INIT DeviceInit, DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength);
WDFAPI NTSTATUS WdfFdoInitAllocAndQueryProperty(PWDFDEVICE_INIT DeviceInit, DEVICE_REGISTRY_PROPERTY DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory);
WDFAPI NTSTATUS WdfFdoInitQueryPropertyEx(PWDFDEVICE_INIT DeviceInit, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength, PDEVPROPTYPE Type);
WDFAPI NTSTATUS WdfFdoInitAllocAndQueryPropertyEx(PWDFDEVICE_INIT DeviceInit, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory, PDEVPROPTYPE Type);
WDFAPI VOID WdfFdoInitSetEventCallbacks(PWDFDEVICE_INIT DeviceInit, PWDF_FDO_EVENT_CALLBACKS FdoEventCallbacks);
WDFAPI VOID WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit);
WDFAPI VOID WdfFdoInitSetDefaultChildListConfig(PWDFDEVICE_INIT DeviceInit, PWDF_CHILD_LIST_CONFIG Config, PWDF_OBJECT_ATTRIBUTES DefaultChildListAttributes);
WDFAPI NTSTATUS WdfFdoQueryForInterface(WDFDEVICE Fdo, LPCGUID InterfaceType, PINTERFACE Interface, USHORT Size, USHORT Version, PVOID InterfaceSpecificData);
WDFAPI WDFCHILDLIST WdfFdoGetDefaultChildList(WDFDEVICE Fdo);
WDFAPI NTSTATUS WdfFdoAddStaticChild(WDFDEVICE Fdo, WDFDEVICE Child);
WDFAPI VOID WdfFdoLockStaticChildListForIteration(WDFDEVICE Fdo);
WDFAPI WDFDEVICE WdfFdoRetrieveNextStaticChild(WDFDEVICE Fdo, WDFDEVICE PreviousChild, ULONG Flags);
WDFAPI VOID WdfFdoUnlockStaticChildListFromIteration(WDFDEVICE Fdo);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef PDEVICE_OBJECT (*PFN_WDFFDOINITWDMGETPHYSICALDEVICE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
typedef NTSTATUS (*PFN_WDFFDOINITOPENREGISTRYKEY)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType, ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY* Key);
typedef NTSTATUS (*PFN_WDFFDOINITQUERYPROPERTY)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength);
typedef NTSTATUS (*PFN_WDFFDOINITALLOCANDQUERYPROPERTY)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, DEVICE_REGISTRY_PROPERTY DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory);
typedef NTSTATUS (*PFN_WDFFDOINITQUERYPROPERTYEX)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength, PDEVPROPTYPE Type);
typedef NTSTATUS (*PFN_WDFFDOINITALLOCANDQUERYPROPERTYEX)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_DEVICE_PROPERTY_DATA DeviceProperty, POOL_TYPE PoolType, PWDF_OBJECT_ATTRIBUTES PropertyMemoryAttributes, WDFMEMORY* PropertyMemory, PDEVPROPTYPE Type);
typedef VOID (*PFN_WDFFDOINITSETEVENTCALLBACKS)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_FDO_EVENT_CALLBACKS FdoEventCallbacks);
typedef VOID (*PFN_WDFFDOINITSETFILTER)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit);
typedef VOID (*PFN_WDFFDOINITSETDEFAULTCHILDLISTCONFIG)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDFDEVICE_INIT DeviceInit, PWDF_CHILD_LIST_CONFIG Config, PWDF_OBJECT_ATTRIBUTES DefaultChildListAttributes);
typedef NTSTATUS (*PFN_WDFFDOQUERYFORINTERFACE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Fdo, LPCGUID InterfaceType, PINTERFACE Interface, USHORT Size, USHORT Version, PVOID InterfaceSpecificData);
typedef WDFCHILDLIST (*PFN_WDFFDOGETDEFAULTCHILDLIST)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Fdo);
typedef NTSTATUS (*PFN_WDFFDOADDSTATICCHILD)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Fdo, WDFDEVICE Child);
typedef VOID (*PFN_WDFFDOLOCKSTATICCHILDLISTFORITERATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Fdo);
typedef WDFDEVICE (*PFN_WDFFDORETRIEVENEXTSTATICCHILD)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Fdo, WDFDEVICE PreviousChild, ULONG Flags);
typedef VOID (*PFN_WDFFDOUNLOCKSTATICCHILDLISTFROMITERATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Fdo);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_FDO_EVENT_CALLBACKS_INIT(PWDF_FDO_EVENT_CALLBACKS Callbacks)
{
    RtlZeroMemory(Callbacks, sizeof(*Callbacks));
    Callbacks->Size = (ULONG)sizeof(*Callbacks);
}

WDF_EXTERN_C_END

#endif /* _WDFFDO_H_ */
