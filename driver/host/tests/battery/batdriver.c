/*
 * batdriver.c - a battery miniclass driver of our own (KMDF) for the battery class
 * tests: it gives the battery class (battc) its callbacks when its device starts
 * (EvtDeviceSelfManagedIoInit), hands every device control request to
 * BatteryClassIoctl first (a WDM preprocess callback, as Microsoft's simbatt does) and
 * lets the test change the simulated battery through its exported Bt* functions, each
 * change followed by BatteryClassStatusNotify, as a miniclass reports a change.
 */
#include <ntddk.h>
#include <wdf.h>
#include <batclass.h>

#define BT_EXPORT __attribute__((visibility("default")))

static KSPIN_LOCK g_Lock;
static PVOID g_Class;          /* the battery class's data while the device runs */
static ULONG g_Tag;            /* BATTERY_TAG_INVALID: no battery */
static BATTERY_STATUS g_Status;
static BATTERY_NOTIFY g_Notify; /* the last SetStatusNotify */
static LONG g_NotifyCalls;
static KEVENT g_NotifyEvent;   /* set at every SetStatusNotify */
static ULONG g_CriticalBias;
static const WCHAR g_Name[] = {'H', 'o', 's', 't', ' ', 'B', 'a', 't', 't', 'e', 'r', 'y', 0};

static NTSTATUS BtQueryTag(PVOID Context, PULONG BatteryTag)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLock(&g_Lock, &irql);
    *BatteryTag = g_Tag;
    KeReleaseSpinLock(&g_Lock, irql);
    return *BatteryTag == BATTERY_TAG_INVALID ? STATUS_NO_SUCH_DEVICE : STATUS_SUCCESS;
}

static NTSTATUS BtReturn(PVOID Buffer, ULONG BufferLength, PULONG ReturnedLength, const void *Data, ULONG Size)
{
    *ReturnedLength = Size;
    if (BufferLength < Size || Buffer == NULL) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    RtlCopyMemory(Buffer, Data, Size);
    return STATUS_SUCCESS;
}

static NTSTATUS BtQueryInformation(PVOID Context, ULONG BatteryTag, BATTERY_QUERY_INFORMATION_LEVEL Level,
                                   LONG AtRate, PVOID Buffer, ULONG BufferLength, PULONG ReturnedLength)
{
    ULONG tag;
    UNREFERENCED_PARAMETER(AtRate);
    *ReturnedLength = 0;
    if (!NT_SUCCESS(BtQueryTag(Context, &tag)) || tag != BatteryTag) {
        return STATUS_NO_SUCH_DEVICE;
    }
    switch (Level) {
    case BatteryInformation: {
        BATTERY_INFORMATION info;
        RtlZeroMemory(&info, sizeof info);
        info.Capabilities = BATTERY_SYSTEM_BATTERY;
        info.Technology = 1;
        RtlCopyMemory(info.Chemistry, "LION", 4);
        info.DesignedCapacity = 50000;
        info.FullChargedCapacity = 48000;
        info.DefaultAlert1 = 2400;
        info.DefaultAlert2 = 1200;
        info.CycleCount = 42;
        return BtReturn(Buffer, BufferLength, ReturnedLength, &info, sizeof info);
    }
    case BatteryDeviceName:
        return BtReturn(Buffer, BufferLength, ReturnedLength, g_Name, sizeof g_Name);
    case BatteryTemperature: {
        ULONG kelvinTenths = 2981;
        return BtReturn(Buffer, BufferLength, ReturnedLength, &kelvinTenths, sizeof kelvinTenths);
    }
    default:
        return STATUS_INVALID_DEVICE_REQUEST;
    }
}

static NTSTATUS BtQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    KIRQL irql;
    NTSTATUS status = STATUS_SUCCESS;
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLock(&g_Lock, &irql);
    if (g_Tag == BATTERY_TAG_INVALID || g_Tag != BatteryTag) {
        status = STATUS_NO_SUCH_DEVICE;
    } else {
        *BatteryStatus = g_Status;
    }
    KeReleaseSpinLock(&g_Lock, irql);
    return status;
}

static NTSTATUS BtSetStatusNotify(PVOID Context, ULONG BatteryTag, PBATTERY_NOTIFY BatteryNotify)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(BatteryTag);
    KeAcquireSpinLock(&g_Lock, &irql);
    g_Notify = *BatteryNotify;
    g_NotifyCalls++;
    KeReleaseSpinLock(&g_Lock, irql);
    KeSetEvent(&g_NotifyEvent, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

static NTSTATUS BtDisableStatusNotify(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    return STATUS_SUCCESS;
}

static NTSTATUS BtSetInformation(PVOID Context, ULONG BatteryTag, BATTERY_SET_INFORMATION_LEVEL Level, PVOID Buffer)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(BatteryTag);
    if (Level != BatteryCriticalBias || Buffer == NULL) {
        return STATUS_NOT_SUPPORTED;
    }
    RtlCopyMemory(&g_CriticalBias, Buffer, sizeof g_CriticalBias);
    return STATUS_SUCCESS;
}

static void BtNotifyClass(void)
{
    KIRQL irql;
    KeAcquireSpinLock(&g_Lock, &irql);
    PVOID classData = g_Class;
    if (classData != NULL) {
        /* Callable at DISPATCH_LEVEL, here under the spin lock. */
        BatteryClassStatusNotify(classData);
    }
    KeReleaseSpinLock(&g_Lock, irql);
}

/* ---- What the test calls ---- */

BT_EXPORT void BtSetTag(ULONG Tag)
{
    KIRQL irql;
    KeAcquireSpinLock(&g_Lock, &irql);
    g_Tag = Tag;
    KeReleaseSpinLock(&g_Lock, irql);
    BtNotifyClass();
}

BT_EXPORT void BtSetStatus(ULONG PowerState, ULONG Capacity)
{
    KIRQL irql;
    KeAcquireSpinLock(&g_Lock, &irql);
    g_Status.PowerState = PowerState;
    g_Status.Capacity = Capacity;
    g_Status.Voltage = 11100;
    g_Status.Rate = PowerState & BATTERY_DISCHARGING ? -1500 : 0;
    KeReleaseSpinLock(&g_Lock, irql);
    BtNotifyClass();
}

/* Waits (up to TimeoutMs) until SetStatusNotify has been called Count times; returns
   the calls so far and the last conditions. */
BT_EXPORT LONG BtWaitNotify(LONG Count, ULONG TimeoutMs, ULONG Last[3])
{
    LARGE_INTEGER timeout;
    timeout.QuadPart = -(LONGLONG)TimeoutMs * 10000;
    KIRQL irql;
    for (;;) {
        KeAcquireSpinLock(&g_Lock, &irql);
        LONG calls = g_NotifyCalls;
        Last[0] = g_Notify.PowerState;
        Last[1] = g_Notify.LowCapacity;
        Last[2] = g_Notify.HighCapacity;
        KeClearEvent(&g_NotifyEvent);
        KeReleaseSpinLock(&g_Lock, irql);
        if (calls >= Count) {
            return calls;
        }
        if (KeWaitForSingleObject(&g_NotifyEvent, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT) {
            return calls;
        }
    }
}

BT_EXPORT ULONG BtCriticalBias(void) { return g_CriticalBias; }

/* ---- The device ---- */

static NTSTATUS BtPreprocessIoctl(WDFDEVICE Device, PIRP Irp)
{
    KIRQL irql;
    KeAcquireSpinLock(&g_Lock, &irql);
    PVOID classData = g_Class;
    KeReleaseSpinLock(&g_Lock, irql);
    if (classData != NULL) {
        NTSTATUS status = BatteryClassIoctl(classData, Irp);
        if (status != STATUS_NOT_SUPPORTED) {
            return status;
        }
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return WdfDeviceWdmDispatchPreprocessedIrp(Device, Irp);
}

static NTSTATUS BtSelfManagedIoInit(WDFDEVICE Device)
{
    BATTERY_MINIPORT_INFO_V1_1 info;
    RtlZeroMemory(&info, sizeof info);
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION_1;
    info.Context = Device;
    info.QueryTag = BtQueryTag;
    info.QueryInformation = BtQueryInformation;
    info.SetInformation = BtSetInformation;
    info.QueryStatus = BtQueryStatus;
    info.SetStatusNotify = BtSetStatusNotify;
    info.DisableStatusNotify = BtDisableStatusNotify;
    info.Pdo = WdfDeviceWdmGetPhysicalDevice(Device);
    info.Fdo = WdfDeviceWdmGetDeviceObject(Device);
    PVOID classData = NULL;
    NTSTATUS status = BatteryClassInitializeDevice((PBATTERY_MINIPORT_INFO)&info, &classData);
    if (NT_SUCCESS(status)) {
        KIRQL irql;
        KeAcquireSpinLock(&g_Lock, &irql);
        g_Class = classData;
        KeReleaseSpinLock(&g_Lock, irql);
    }
    return status;
}

static VOID BtSelfManagedIoCleanup(WDFDEVICE Device)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(Device);
    KeAcquireSpinLock(&g_Lock, &irql);
    PVOID classData = g_Class;
    g_Class = NULL;
    KeReleaseSpinLock(&g_Lock, irql);
    if (classData != NULL) {
        BatteryClassUnload(classData);
    }
}

static NTSTATUS BtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    NTSTATUS status = WdfDeviceInitAssignWdmIrpPreprocessCallback(DeviceInit, BtPreprocessIoctl,
                                                                  IRP_MJ_DEVICE_CONTROL, NULL, 0);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDeviceSelfManagedIoInit = BtSelfManagedIoInit;
    pnp.EvtDeviceSelfManagedIoCleanup = BtSelfManagedIoCleanup;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
    WDFDEVICE device;
    return WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KeInitializeSpinLock(&g_Lock);
    KeInitializeEvent(&g_NotifyEvent, NotificationEvent, FALSE);
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, BtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
