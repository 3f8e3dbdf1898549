/*
 * pldriver.c - a power limit client and policy of our own (KMDF) for the power limit
 * request tests: its device answers IRP_MN_QUERY_INTERFACE for
 * GUID_POWER_LIMIT_INTERFACE (WdfDeviceAddQueryInterface) with two domains, and its
 * exported Pl* functions, which the test calls, act as a policy driver on that device
 * with PoCreatePowerLimitRequest and the functions that use the request.
 */
#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>
#include <wdmguid.h>
#include <poclass.h>

#define PL_EXPORT __attribute__((visibility("default")))
#define PL_DOMAINS 2

static WDFDEVICE g_Device;
static POWER_LIMIT_VALUE g_Values[PL_DOMAINS];
static LONG g_References;   /* InterfaceReference minus InterfaceDereference */
static LONG g_SetCalls;

static VOID PlReference(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&g_References);
}

static VOID PlDereference(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedDecrement(&g_References);
}

static NTSTATUS PlQueryAttributes(PVOID Context, ULONG BufferCount, PVOID Buffer, PULONG AttributeCount)
{
    UNREFERENCED_PARAMETER(Context);
    *AttributeCount = PL_DOMAINS;
    if (BufferCount < PL_DOMAINS) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    PPOWER_LIMIT_ATTRIBUTES attributes = Buffer;
    for (ULONG i = 0; i < PL_DOMAINS; i++) {
        RtlZeroMemory(&attributes[i], sizeof attributes[i]);
        attributes[i].Type = PowerLimitContinuous;
        attributes[i].DomainId = i;
        attributes[i].MinValue = 1000;
        attributes[i].MaxValue = 15000 + i * 10000;
        attributes[i].DefaultACValue = 12000;
        attributes[i].DefaultDCValue = 9000;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS PlSetLimits(PVOID Context, ULONG ValueCount, PVOID Values)
{
    PPOWER_LIMIT_VALUE values = Values;
    UNREFERENCED_PARAMETER(Context);
    for (ULONG i = 0; i < ValueCount; i++) {
        if (values[i].DomainId >= PL_DOMAINS || values[i].Type != PowerLimitContinuous) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    for (ULONG i = 0; i < ValueCount; i++) {
        g_Values[values[i].DomainId] = values[i];
    }
    InterlockedIncrement(&g_SetCalls);
    return STATUS_SUCCESS;
}

static NTSTATUS PlQueryLimits(PVOID Context, ULONG ValueCount, PVOID Values)
{
    PPOWER_LIMIT_VALUE values = Values;
    UNREFERENCED_PARAMETER(Context);
    for (ULONG i = 0; i < ValueCount; i++) {
        if (values[i].DomainId >= PL_DOMAINS) {
            return STATUS_INVALID_PARAMETER;
        }
        values[i].TargetValue = g_Values[values[i].DomainId].TargetValue;
        values[i].TimeParameter = g_Values[values[i].DomainId].TimeParameter;
    }
    return STATUS_SUCCESS;
}

/* ---- The policy's side, called by the test (PASSIVE_LEVEL) ---- */

PL_EXPORT NTSTATUS PlCreate(PVOID *Request)
{
    return PoCreatePowerLimitRequest(Request, WdfDeviceWdmGetDeviceObject(g_Device),
                                     WdfDeviceWdmGetDeviceObject(g_Device), NULL);
}

PL_EXPORT NTSTATUS PlAttributes(PVOID Request, ULONG BufferCount, PPOWER_LIMIT_ATTRIBUTES Buffer, PULONG Count)
{
    return PoQueryPowerLimitAttributes(Request, BufferCount, Buffer, Count);
}

PL_EXPORT NTSTATUS PlSet(PVOID Request, ULONG Domain, ULONG Target)
{
    POWER_LIMIT_VALUE value;
    RtlZeroMemory(&value, sizeof value);
    value.Type = PowerLimitContinuous;
    value.DomainId = Domain;
    value.TargetValue = Target;
    return PoSetPowerLimitValue(Request, NULL, 1, &value);
}

PL_EXPORT NTSTATUS PlQuery(PVOID Request, ULONG Domain, PULONG Target)
{
    POWER_LIMIT_VALUE value;
    RtlZeroMemory(&value, sizeof value);
    value.Type = PowerLimitContinuous;
    value.DomainId = Domain;
    NTSTATUS status = PoQueryPowerLimitValue(Request, 1, &value);
    *Target = value.TargetValue;
    return status;
}

PL_EXPORT VOID PlDelete(PVOID Request) { PoDeletePowerLimitRequest(Request); }

PL_EXPORT LONG PlReferences(void) { return g_References; }
PL_EXPORT LONG PlSetCalls(void) { return g_SetCalls; }
PL_EXPORT ULONG PlClientValue(ULONG Domain) { return g_Values[Domain].TargetValue; }

/* ---- The client's device ---- */

static NTSTATUS PlDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    POWER_LIMIT_INTERFACE iface;
    RtlZeroMemory(&iface, sizeof iface);
    iface.Size = sizeof iface;
    iface.Version = POWER_LIMIT_INTERFACE_VERSION;
    iface.Context = device;
    iface.InterfaceReference = PlReference;
    iface.InterfaceDereference = PlDereference;
    iface.DomainCount = PL_DOMAINS;
    iface.QueryAttributes = PlQueryAttributes;
    iface.SetPowerLimit = PlSetLimits;
    iface.QueryPowerLimit = PlQueryLimits;
    WDF_QUERY_INTERFACE_CONFIG config;
    WDF_QUERY_INTERFACE_CONFIG_INIT(&config, (PINTERFACE)&iface, &GUID_POWER_LIMIT_INTERFACE, NULL);
    status = WdfDeviceAddQueryInterface(device, &config);
    if (NT_SUCCESS(status)) {
        g_Device = device;
    }
    return status;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, PlDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
