/*
 * qidriver.c - a KMDF function driver of our own that exposes a driver-defined interface
 * with WdfDeviceAddQueryInterface and queries it, as another driver would, with
 * IRP_MN_QUERY_INTERFACE sent to its device (the tests of fxqueryinterface.c).
 */
#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>

#define EXPORT __attribute__((visibility("default")))

/* {6a0e2f4c-1b3d-4e5f-8a7b-9c0d1e2f3a4b} */
DEFINE_GUID(GUID_QI_TEST_INTERFACE, 0x6a0e2f4c, 0x1b3d, 0x4e5f, 0x8a, 0x7b, 0x9c, 0x0d, 0x1e, 0x2f, 0x3a, 0x4b);
/* {7b1f3a5d-2c4e-4f60-9b8c-0d1e2f3a4b5c}: registered by nobody */
DEFINE_GUID(GUID_QI_OTHER_INTERFACE, 0x7b1f3a5d, 0x2c4e, 0x4f60, 0x9b, 0x8c, 0x0d, 0x1e, 0x2f, 0x3a, 0x4b, 0x5c);

typedef struct _QI_TEST_INTERFACE {
    INTERFACE Header;
    ULONG (*Answer)(PVOID Context);
} QI_TEST_INTERFACE;

DRIVER_INITIALIZE DriverEntry;
static EVT_WDF_DRIVER_DEVICE_ADD QiDeviceAdd;
static EVT_WDF_DEVICE_PROCESS_QUERY_INTERFACE_REQUEST QiProcess;

static WDFDEVICE g_Device;
static LONG g_References;
static LONG g_Dereferences;
static LONG g_Processed;
static NTSTATUS g_BadSize, g_NoInterface, g_NoType, g_ImportWithoutCallback, g_ParentOnFdo, g_SmallInterface;

static VOID QiReference(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&g_References);
}

static VOID QiDereference(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&g_Dereferences);
}

static ULONG QiAnswer(PVOID Context) { return (ULONG)(ULONG_PTR)Context; }

static NTSTATUS QiProcess(WDFDEVICE Device, LPGUID InterfaceType, PINTERFACE ExposedInterface,
                          PVOID ExposedInterfaceSpecificData)
{
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(ExposedInterfaceSpecificData);
    InterlockedIncrement(&g_Processed);
    /* The framework copied the interface before calling: the caller's buffer has it. */
    if (!IsEqualGUID(InterfaceType, &GUID_QI_TEST_INTERFACE) || ExposedInterface->Context != (PVOID)42) {
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS QiDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    QI_TEST_INTERFACE iface;
    RtlZeroMemory(&iface, sizeof iface);
    iface.Header.Size = sizeof iface;
    iface.Header.Version = 2;
    iface.Header.Context = (PVOID)42;
    iface.Header.InterfaceReference = QiReference;
    iface.Header.InterfaceDereference = QiDereference;
    iface.Answer = QiAnswer;
    WDF_QUERY_INTERFACE_CONFIG config;

    /* The documented refusals. */
    WDF_QUERY_INTERFACE_CONFIG_INIT(&config, (PINTERFACE)&iface, &GUID_QI_TEST_INTERFACE, NULL);
    config.Size = sizeof(config) - 1;
    g_BadSize = WdfDeviceAddQueryInterface(device, &config);
    WDF_QUERY_INTERFACE_CONFIG_INIT(&config, NULL, &GUID_QI_TEST_INTERFACE, NULL);
    g_NoInterface = WdfDeviceAddQueryInterface(device, &config);
    WDF_QUERY_INTERFACE_CONFIG_INIT(&config, (PINTERFACE)&iface, &GUID_QI_TEST_INTERFACE, NULL);
    config.ImportInterface = TRUE;
    g_ImportWithoutCallback = WdfDeviceAddQueryInterface(device, &config);
    WDF_QUERY_INTERFACE_CONFIG_INIT(&config, (PINTERFACE)&iface, &GUID_QI_TEST_INTERFACE, NULL);
    config.SendQueryToParentStack = TRUE;
    g_ParentOnFdo = WdfDeviceAddQueryInterface(device, &config);
    INTERFACE tiny = {.Size = sizeof(INTERFACE) - 1, .Version = 1};
    WDF_QUERY_INTERFACE_CONFIG_INIT(&config, &tiny, &GUID_QI_TEST_INTERFACE, NULL);
    g_SmallInterface = WdfDeviceAddQueryInterface(device, &config);
    config.InterfaceType = NULL;
    config.Interface = (PINTERFACE)&iface;
    g_NoType = WdfDeviceAddQueryInterface(device, &config);

    /* The interface itself; the framework keeps its own copy (iface is on the stack). */
    WDF_QUERY_INTERFACE_CONFIG_INIT(&config, (PINTERFACE)&iface, &GUID_QI_TEST_INTERFACE, QiProcess);
    status = WdfDeviceAddQueryInterface(device, &config);
    if (NT_SUCCESS(status)) {
        g_Device = device;
    }
    return status;
}

static NTSTATUS QiSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Queries Guid (Other: the unregistered one) with a buffer of Size bytes and Version;
   returns the IRP's status and, on success, what the interface's Answer says. */
EXPORT NTSTATUS QiQuery(BOOLEAN Other, USHORT Size, USHORT Version, ULONG *Answer)
{
    if (g_Device == NULL) {
        return STATUS_DEVICE_NOT_READY;
    }
    PDEVICE_OBJECT top = WdfDeviceWdmGetDeviceObject(g_Device);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (irp == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    QI_TEST_INTERFACE iface;
    RtlZeroMemory(&iface, sizeof iface);
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* as a PnP IRP's sender must set it */
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = IRP_MJ_PNP;
    stack->MinorFunction = IRP_MN_QUERY_INTERFACE;
    stack->Parameters.QueryInterface.InterfaceType = Other ? &GUID_QI_OTHER_INTERFACE : &GUID_QI_TEST_INTERFACE;
    stack->Parameters.QueryInterface.Size = Size;
    stack->Parameters.QueryInterface.Version = Version;
    stack->Parameters.QueryInterface.Interface = (PINTERFACE)&iface;
    stack->Parameters.QueryInterface.InterfaceSpecificData = NULL;
    IoSetCompletionRoutine(irp, QiSignal, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(top, irp) == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    }
    NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    *Answer = 0;
    if (NT_SUCCESS(status)) {
        if (iface.Header.Size != sizeof iface || iface.Answer == NULL) {
            return STATUS_UNSUCCESSFUL;
        }
        *Answer = iface.Answer(iface.Header.Context);
        iface.Header.InterfaceDereference(iface.Header.Context);
    }
    return status;
}

/* The counters and the statuses of the refused calls, in that order. */
EXPORT VOID QiResults(LONG Counts[3], NTSTATUS Refused[6])
{
    Counts[0] = g_References;
    Counts[1] = g_Dereferences;
    Counts[2] = g_Processed;
    Refused[0] = g_BadSize;
    Refused[1] = g_NoInterface;
    Refused[2] = g_ImportWithoutCallback;
    Refused[3] = g_ParentOnFdo;
    Refused[4] = g_SmallInterface;
    Refused[5] = g_NoType;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, QiDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
