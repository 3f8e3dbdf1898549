/*
 * poclass.h - the power policy device interfaces (WDK poclass.h) for the user-mode KMDF
 * host: battery, thermal zone and cooling, power limit, lid, system button and
 * processor object devices. Names, values and layouts follow Microsoft's documentation:
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/poclass/
 * The GUIDs sit outside the include guard so that a file that includes <initguid.h>
 * after a first inclusion still gets their definitions.
 */

#include <guiddef.h>

/* The GUIDs: declared by a first inclusion, defined by one with INITGUID (initguid.h);
   an inclusion that has nothing new to give leaves them alone. */
#ifndef KH_POCLASS_GUIDS_DECLARED
#define KH_POCLASS_GUIDS_DECLARED
#define KH_POCLASS_GUIDS_EMIT
#elif defined(INITGUID) && !defined(KH_POCLASS_GUIDS_DEFINED)
#define KH_POCLASS_GUIDS_EMIT
#endif
#ifdef KH_POCLASS_GUIDS_EMIT
#undef KH_POCLASS_GUIDS_EMIT
#ifdef INITGUID
#define KH_POCLASS_GUIDS_DEFINED
#endif
/* Device classes of the power policy devices. */
DEFINE_GUID(GUID_DEVICE_BATTERY, 0x72631e54L, 0x78a4, 0x11d0, 0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7, 0xb3, 0x2a);
DEFINE_GUID(GUID_DEVICE_APPLICATIONLAUNCH_BUTTON, 0x629758eeL, 0x986e, 0x4d9e, 0x8e, 0x47, 0xde, 0x27, 0xf8, 0xab,
            0x05, 0x4d);
DEFINE_GUID(GUID_DEVICE_SYS_BUTTON, 0x4afa3d53L, 0x74a7, 0x11d0, 0xbe, 0x5e, 0x00, 0xa0, 0xc9, 0x06, 0x28, 0x57);
DEFINE_GUID(GUID_DEVICE_LID, 0x4afa3d52L, 0x74a7, 0x11d0, 0xbe, 0x5e, 0x00, 0xa0, 0xc9, 0x06, 0x28, 0x57);
DEFINE_GUID(GUID_DEVICE_THERMAL_ZONE, 0x4afa3d51L, 0x74a7, 0x11d0, 0xbe, 0x5e, 0x00, 0xa0, 0xc9, 0x06, 0x28, 0x57);
DEFINE_GUID(GUID_DEVICE_FAN, 0x05ecd13dL, 0x81da, 0x4a2a, 0x8a, 0x4c, 0x52, 0x4f, 0x23, 0xdd, 0x4d, 0xc9);
DEFINE_GUID(GUID_DEVICE_PROCESSOR, 0x97fadb10L, 0x4e33, 0x40ae, 0x35, 0x9c, 0x8b, 0xef, 0x02, 0x9d, 0xbd, 0xd0);
DEFINE_GUID(GUID_DEVICE_MEMORY, 0x3fd0f03dL, 0x92e0, 0x45fb, 0xb7, 0x5c, 0x5e, 0xd8, 0xff, 0xb0, 0x10, 0x21);
DEFINE_GUID(GUID_DEVICE_ACPI_TIME, 0x97f99bf6L, 0x4497, 0x4f18, 0xbb, 0x22, 0x4b, 0x9f, 0xb2, 0xfb, 0xef, 0x9c);
DEFINE_GUID(GUID_DEVICE_MESSAGE_INDICATOR, 0xcd48a365L, 0xfa94, 0x4ce2, 0xa2, 0x32, 0xa1, 0xb7, 0x64, 0xe5, 0xd8,
            0xb4);
DEFINE_GUID(GUID_DEVICE_POWER_ADAPTER, 0xf76c6c62L, 0x7dea, 0x43cd, 0x86, 0x89, 0xd9, 0xa4, 0xaf, 0x3d, 0x85, 0x57);
DEFINE_GUID(GUID_CLASS_INPUT, 0x4d1e55b2L, 0xf16f, 0x11cf, 0x88, 0xcb, 0x00, 0x11, 0x11, 0x00, 0x00, 0x30);

/* Device interfaces: thermal cooling and manager, power limit, temperature sensor. */
DEFINE_GUID(GUID_DEVINTERFACE_THERMAL_COOLING, 0xdbe4373dL, 0x3c81, 0x40cb, 0xac, 0xe4, 0xe0, 0xe5, 0xd0, 0x5f, 0x0c,
            0x9f);
DEFINE_GUID(GUID_DEVINTERFACE_THERMAL_MANAGER, 0x927ec093L, 0x69a4, 0x4bc0, 0xbd, 0x02, 0x71, 0x16, 0x64, 0x71, 0x44,
            0x63);
DEFINE_GUID(GUID_DEVINTERFACE_POWER_LIMIT, 0x8f366301L, 0x091e, 0x4056, 0xb9, 0x2f, 0x95, 0x8b, 0x27, 0x62, 0x5f,
            0xce);
DEFINE_GUID(GUID_DEVINTERFACE_TEMPERATURE_SENSOR, 0x2a6c8538L, 0x7895, 0x4d56, 0x85, 0x67, 0x79, 0x5d, 0x38, 0x44,
            0x85, 0x8a);

#endif /* KH_POCLASS_GUIDS_EMIT */

#ifndef _POCLASS_
#define _POCLASS_

#include <wdm.h>

/* ---- Battery devices (GUID_DEVICE_BATTERY): IOCTL_BATTERY_* ---- */

/* What IOCTL_BATTERY_QUERY_INFORMATION asks for (BATTERY_QUERY_INFORMATION.InformationLevel). */
typedef enum {
    BatteryInformation = 0,
    BatteryGranularityInformation,
    BatteryTemperature,
    BatteryEstimatedTime,
    BatteryDeviceName,
    BatteryManufactureDate,
    BatteryManufactureName,
    BatteryUniqueID,
    BatterySerialNumber
} BATTERY_QUERY_INFORMATION_LEVEL;

typedef struct _BATTERY_QUERY_INFORMATION {
    ULONG BatteryTag;
    BATTERY_QUERY_INFORMATION_LEVEL InformationLevel;
    ULONG AtRate;
} BATTERY_QUERY_INFORMATION, *PBATTERY_QUERY_INFORMATION;

typedef struct _BATTERY_INFORMATION {
    ULONG Capabilities;
    UCHAR Technology; /* 0 primary (not rechargeable), 1 secondary (rechargeable) */
    UCHAR Reserved[3];
    UCHAR Chemistry[4]; /* e.g. "LION", not NUL-terminated */
    ULONG DesignedCapacity;
    ULONG FullChargedCapacity;
    ULONG DefaultAlert1;
    ULONG DefaultAlert2;
    ULONG CriticalBias;
    ULONG CycleCount;
} BATTERY_INFORMATION, *PBATTERY_INFORMATION;

#define BATTERY_UNKNOWN_CAPACITY 0xFFFFFFFF
#define UNKNOWN_CAPACITY BATTERY_UNKNOWN_CAPACITY

/* BATTERY_INFORMATION.Capabilities. */
#define BATTERY_SYSTEM_BATTERY 0x80000000
#define BATTERY_CAPACITY_RELATIVE 0x40000000
#define BATTERY_IS_SHORT_TERM 0x20000000
#define BATTERY_SEALED 0x10000000
#define BATTERY_SET_CHARGE_SUPPORTED 0x00000001
#define BATTERY_SET_DISCHARGE_SUPPORTED 0x00000002
#define BATTERY_SET_CHARGINGSOURCE_SUPPORTED 0x00000004
#define BATTERY_SET_CHARGER_ID_SUPPORTED 0x00000008

#define BATTERY_UNKNOWN_TIME 0xFFFFFFFF
#define BATTERY_UNKNOWN_CURRENT 0xFFFFFFFF
#define UNKNOWN_CURRENT BATTERY_UNKNOWN_CURRENT

typedef enum _BATTERY_CHARGING_SOURCE_TYPE {
    BatteryChargingSourceType_AC = 1,
    BatteryChargingSourceType_USB,
    BatteryChargingSourceType_Wireless,
    BatteryChargingSourceType_Max
} BATTERY_CHARGING_SOURCE_TYPE, *PBATTERY_CHARGING_SOURCE_TYPE;

typedef struct _BATTERY_CHARGING_SOURCE {
    BATTERY_CHARGING_SOURCE_TYPE Type;
    ULONG MaxCurrent;
} BATTERY_CHARGING_SOURCE, *PBATTERY_CHARGING_SOURCE;

typedef GUID BATTERY_CHARGER_ID, *PBATTERY_CHARGER_ID;

typedef struct _BATTERY_CHARGING_SOURCE_INFORMATION {
    BATTERY_CHARGING_SOURCE_TYPE Type;
    BOOLEAN SourceOnline;
} BATTERY_CHARGING_SOURCE_INFORMATION, *PBATTERY_CHARGING_SOURCE_INFORMATION;

typedef enum _USB_CHARGER_PORT {
    UsbChargerPort_Legacy,
    UsbChargerPort_TypeC,
    UsbChargerPort_Max
} USB_CHARGER_PORT, *PUSB_CHARGER_PORT;

/* What IOCTL_BATTERY_SET_INFORMATION sets (BATTERY_SET_INFORMATION.InformationLevel). */
typedef enum {
    BatteryCriticalBias = 0,
    BatteryCharge,
    BatteryDischarge,
    BatteryChargingSource,
    BatteryChargerId,
    BatteryChargerStatus
} BATTERY_SET_INFORMATION_LEVEL;

typedef struct _BATTERY_SET_INFORMATION {
    ULONG BatteryTag;
    BATTERY_SET_INFORMATION_LEVEL InformationLevel;
    UCHAR Buffer[1];
} BATTERY_SET_INFORMATION, *PBATTERY_SET_INFORMATION;

typedef struct _BATTERY_CHARGER_STATUS {
    BATTERY_CHARGING_SOURCE_TYPE Type;
    ULONG VaData[1];
} BATTERY_CHARGER_STATUS, *PBATTERY_CHARGER_STATUS;

typedef struct _BATTERY_USB_CHARGER_STATUS {
    BATTERY_CHARGING_SOURCE_TYPE Type;
    ULONG Reserved;
    ULONG Flags;
    ULONG MaxCurrent;
    ULONG Voltage;
    USB_CHARGER_PORT PortType;
    ULONGLONG PortId;
    PVOID PowerSourceInformation;
    BATTERY_CHARGER_ID OemCharger;
} BATTERY_USB_CHARGER_STATUS, *PBATTERY_USB_CHARGER_STATUS;

#define BATTERY_USB_CHARGER_STATUS_FN_DEFAULT_USB 0x00000001
#define BATTERY_USB_CHARGER_STATUS_UCM_PD 0x00000002

typedef struct _BATTERY_WAIT_STATUS {
    ULONG BatteryTag;
    ULONG Timeout;
    ULONG PowerState;
    ULONG LowCapacity;
    ULONG HighCapacity;
} BATTERY_WAIT_STATUS, *PBATTERY_WAIT_STATUS;

typedef struct _BATTERY_STATUS {
    ULONG PowerState;
    ULONG Capacity;
    ULONG Voltage;
    LONG Rate;
} BATTERY_STATUS, *PBATTERY_STATUS;

#define BATTERY_UNKNOWN_VOLTAGE 0xFFFFFFFF
#define BATTERY_UNKNOWN_RATE 0x80000000
#define UNKNOWN_RATE BATTERY_UNKNOWN_RATE
#define UNKNOWN_VOLTAGE BATTERY_UNKNOWN_VOLTAGE

/* BATTERY_STATUS.PowerState (and BATTERY_WAIT_STATUS.PowerState). */
#define BATTERY_POWER_ON_LINE 0x00000001
#define BATTERY_DISCHARGING 0x00000002
#define BATTERY_CHARGING 0x00000004
#define BATTERY_CRITICAL 0x00000008

/* The largest string a battery returns for an information level, in bytes. */
#define MAX_BATTERY_STRING_SIZE 128

typedef struct _BATTERY_MANUFACTURE_DATE {
    UCHAR Day;
    UCHAR Month;
    USHORT Year;
} BATTERY_MANUFACTURE_DATE, *PBATTERY_MANUFACTURE_DATE;

#define IOCTL_BATTERY_QUERY_TAG CTL_CODE(FILE_DEVICE_BATTERY, 0x10, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_BATTERY_QUERY_INFORMATION CTL_CODE(FILE_DEVICE_BATTERY, 0x11, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_BATTERY_SET_INFORMATION CTL_CODE(FILE_DEVICE_BATTERY, 0x12, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_BATTERY_QUERY_STATUS CTL_CODE(FILE_DEVICE_BATTERY, 0x13, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_BATTERY_CHARGING_SOURCE_CHANGE CTL_CODE(FILE_DEVICE_BATTERY, 0x14, METHOD_BUFFERED, FILE_READ_ACCESS)

#define BATTERY_TAG_INVALID 0

/* ---- Thermal zones (GUID_DEVICE_THERMAL_ZONE): IOCTL_THERMAL_* ---- */

#define MAX_ACTIVE_COOLING_LEVELS 10

typedef struct _THERMAL_INFORMATION {
    ULONG ThermalStamp;
    ULONG ThermalConstant1;
    ULONG ThermalConstant2;
    KAFFINITY Processors;
    ULONG SamplingPeriod;
    ULONG CurrentTemperature;
    ULONG PassiveTripPoint;
    ULONG CriticalTripPoint;
    UCHAR ActiveTripPointCount;
    ULONG ActiveTripPoint[MAX_ACTIVE_COOLING_LEVELS];
} THERMAL_INFORMATION, *PTHERMAL_INFORMATION;

#define ACTIVE_COOLING 0x0
#define PASSIVE_COOLING 0x1

/* IOCTL_THERMAL_READ_TEMPERATURE's input: complete when the temperature leaves
   [LowTemperature, HighTemperature] or Timeout (ms) passes (tenths of a kelvin). */
typedef struct _THERMAL_WAIT_READ {
    ULONG Timeout;
    ULONG LowTemperature;
    ULONG HighTemperature;
} THERMAL_WAIT_READ, *PTHERMAL_WAIT_READ;

#define THERMAL_WAIT_READ_TIMEOUT_IMMEDIATE 0
#define THERMAL_WAIT_READ_TIMEOUT_NONE 0xFFFFFFFFul

#define TZ_ACTIVATION_REASON_THERMAL 0x00000001
#define TZ_ACTIVATION_REASON_CURRENT 0x00000002

typedef struct _THERMAL_POLICY {
    ULONG Version;
    BOOLEAN WaitForUpdate;
    BOOLEAN Hibernate;
    BOOLEAN Critical;
    BOOLEAN ThermalStandby;
    ULONG ActivationReasons;
    ULONG PassiveLimit;
    ULONG ActiveLevel;
    BOOLEAN OverThrottled;
} THERMAL_POLICY, *PTHERMAL_POLICY;

#define THERMAL_POLICY_VERSION_1 1
#define THERMAL_POLICY_VERSION_2 2

#define IOCTL_THERMAL_QUERY_INFORMATION CTL_CODE(FILE_DEVICE_BATTERY, 0x20, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_THERMAL_SET_COOLING_POLICY CTL_CODE(FILE_DEVICE_BATTERY, 0x21, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_RUN_ACTIVE_COOLING_METHOD CTL_CODE(FILE_DEVICE_BATTERY, 0x22, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_THERMAL_SET_PASSIVE_LIMIT CTL_CODE(FILE_DEVICE_BATTERY, 0x23, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_THERMAL_READ_TEMPERATURE CTL_CODE(FILE_DEVICE_BATTERY, 0x24, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_THERMAL_READ_POLICY CTL_CODE(FILE_DEVICE_BATTERY, 0x25, METHOD_BUFFERED, FILE_READ_ACCESS)

/* ---- Lids, switches, system buttons, processor objects ---- */

#define IOCTL_QUERY_LID CTL_CODE(FILE_DEVICE_BATTERY, 0x30, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_NOTIFY_SWITCH_EVENT CTL_CODE(FILE_DEVICE_BATTERY, 0x40, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_GET_SYS_BUTTON_CAPS CTL_CODE(FILE_DEVICE_BATTERY, 0x50, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_GET_SYS_BUTTON_EVENT CTL_CODE(FILE_DEVICE_BATTERY, 0x51, METHOD_BUFFERED, FILE_READ_ACCESS)

#define SYS_BUTTON_POWER 0x00000001
#define SYS_BUTTON_SLEEP 0x00000002
#define SYS_BUTTON_LID 0x00000004
#define SYS_BUTTON_WAKE 0x80000000

#define SYS_BUTTON_LID_STATE_MASK 0x00030000
#define SYS_BUTTON_LID_OPEN 0x00010000
#define SYS_BUTTON_LID_CLOSED 0x00020000
#define SYS_BUTTON_LID_INITIAL 0x00040000
#define SYS_BUTTON_LID_CHANGED 0x00080000

typedef struct {
    ULONG PhysicalID;
    ULONG PBlkAddress;
    UCHAR PBlkLength;
} PROCESSOR_OBJECT_INFO, *PPROCESSOR_OBJECT_INFO;

typedef struct {
    ULONG PhysicalID;
    ULONG PBlkAddress;
    UCHAR PBlkLength;
    ULONG InitialApicId;
} PROCESSOR_OBJECT_INFO_EX, *PPROCESSOR_OBJECT_INFO_EX;

#define IOCTL_GET_PROCESSOR_OBJ_INFO CTL_CODE(FILE_DEVICE_BATTERY, 0x60, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_SET_SYS_MESSAGE_INDICATOR CTL_CODE(FILE_DEVICE_BATTERY, 0x70, METHOD_BUFFERED, FILE_WRITE_ACCESS)

/* ---- Thermal cooling interface (IRP_MN_QUERY_INTERFACE, GUID_THERMAL_COOLING_INTERFACE) ---- */

typedef _Function_class_(DEVICE_ACTIVE_COOLING) VOID DEVICE_ACTIVE_COOLING(_Inout_opt_ PVOID Context,
                                                                            _In_ BOOLEAN Engaged);
typedef DEVICE_ACTIVE_COOLING *PDEVICE_ACTIVE_COOLING;

/* Percentage: 0..100 of full performance the device may use. */
typedef _Function_class_(DEVICE_PASSIVE_COOLING) VOID DEVICE_PASSIVE_COOLING(_Inout_opt_ PVOID Context,
                                                                              _In_ ULONG Percentage);
typedef DEVICE_PASSIVE_COOLING *PDEVICE_PASSIVE_COOLING;

typedef struct _THERMAL_COOLING_INTERFACE {
    USHORT Size;
    USHORT Version;
    PVOID Context;
    PINTERFACE_REFERENCE InterfaceReference;
    PINTERFACE_DEREFERENCE InterfaceDereference;
    ULONG Flags;
    PDEVICE_ACTIVE_COOLING ActiveCooling;
    PDEVICE_PASSIVE_COOLING PassiveCooling;
} THERMAL_COOLING_INTERFACE, *PTHERMAL_COOLING_INTERFACE;

#define THERMAL_COOLING_INTERFACE_VERSION 1

/* The older names of the same interface. */
#define THERMAL_DEVICE_INTERFACE_VERSION 1
typedef THERMAL_COOLING_INTERFACE THERMAL_DEVICE_INTERFACE;
typedef THERMAL_COOLING_INTERFACE *PTHERMAL_DEVICE_INTERFACE;

typedef enum _THERMAL_DEVICE_INTERFACE_FLAGS {
    ThermalDeviceFlagActiveCooling = 1,
    ThermalDeviceFlagPassiveCooling = 2
} THERMAL_DEVICE_INTERFACE_FLAGS, *PTHERMAL_DEVICE_INTERFACE_FLAGS;

/* ---- Power limit interface (GUID_POWER_LIMIT_INTERFACE); Buffer and Values hold
   POWER_LIMIT_ATTRIBUTES and POWER_LIMIT_VALUE entries (wdm.h) ---- */

typedef _Function_class_(QUERY_POWER_LIMIT_ATTRIBUTES) NTSTATUS
    QUERY_POWER_LIMIT_ATTRIBUTES(_Inout_opt_ PVOID Context, _In_ ULONG BufferCount, _Inout_opt_ PVOID Buffer,
                                 _Out_ PULONG AttributeCount);
typedef QUERY_POWER_LIMIT_ATTRIBUTES *PQUERY_POWER_LIMIT_ATTRIBUTES;

typedef _Function_class_(SET_POWER_LIMIT) NTSTATUS SET_POWER_LIMIT(_Inout_opt_ PVOID Context, _In_ ULONG ValueCount,
                                                                     _In_ PVOID Values);
typedef SET_POWER_LIMIT *PSET_POWER_LIMIT;

typedef _Function_class_(QUERY_POWER_LIMIT) NTSTATUS QUERY_POWER_LIMIT(_Inout_opt_ PVOID Context,
                                                                         _In_ ULONG ValueCount, _Inout_ PVOID Values);
typedef QUERY_POWER_LIMIT *PQUERY_POWER_LIMIT;

typedef struct _POWER_LIMIT_INTERFACE {
    USHORT Size;
    USHORT Version;
    PVOID Context;
    PINTERFACE_REFERENCE InterfaceReference;
    PINTERFACE_DEREFERENCE InterfaceDereference;
    ULONG DomainCount;
    PQUERY_POWER_LIMIT_ATTRIBUTES QueryAttributes;
    PSET_POWER_LIMIT SetPowerLimit;
    PQUERY_POWER_LIMIT QueryPowerLimit;
} POWER_LIMIT_INTERFACE, *PPOWER_LIMIT_INTERFACE;

#define POWER_LIMIT_INTERFACE_VERSION 1

#endif /* _POCLASS_ */
