/*
 * moftest.c - a driver that includes the header that build-host-driver --mof generated
 * from Types.mof ("TypesMof.h", included here in another case, as Windows would find
 * it) and checks its structures' layout at compile time (the natural alignment that WMI
 * data blocks use, as the WDK's wmimofck lays them out), then prints the GUIDs and
 * sizes when loaded, for buildscript_test.sh to compare.
 */
#define INITGUID
#include <ntddk.h>
#include <wdf.h>

#include "typesmof.h"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_UNLOAD MofTestEvtDriverUnload;

/* The embedded class is named by its HeaderName. */
_Static_assert(sizeof(KH_POINT) == 12, "KH_POINT: two LONGs and a UCHAR, padded to 4");
_Static_assert(KH_POINT_SIZE == 9, "the _SIZE macro ends at the last item, without padding");
_Static_assert(KH_POINT_Weight_ID == 3, "item ids");

/* Items in WmiDataId order, natural alignment. */
_Static_assert(FIELD_OFFSET(KhTypesAll, Flag) == 0, "Flag (id 1) first");
_Static_assert(FIELD_OFFSET(KhTypesAll, U64) == 8, "U64 (id 2) aligned to 8");
_Static_assert(FIELD_OFFSET(KhTypesAll, U8) == 16, "U8");
_Static_assert(FIELD_OFFSET(KhTypesAll, S8) == 17, "S8");
_Static_assert(FIELD_OFFSET(KhTypesAll, U16) == 18, "U16[3]");
_Static_assert(KhTypesAll_U16_SIZE == 6, "a fixed array's size");
_Static_assert(FIELD_OFFSET(KhTypesAll, S16) == 24, "S16");
_Static_assert(FIELD_OFFSET(KhTypesAll, U32) == 28, "U32");
_Static_assert(FIELD_OFFSET(KhTypesAll, S32) == 32, "S32");
_Static_assert(FIELD_OFFSET(KhTypesAll, S64) == 40, "S64");
_Static_assert(FIELD_OFFSET(KhTypesAll, R32) == 48, "R32");
_Static_assert(FIELD_OFFSET(KhTypesAll, R64) == 56, "R64");
_Static_assert(FIELD_OFFSET(KhTypesAll, C16) == 64, "C16");
_Static_assert(FIELD_OFFSET(KhTypesAll, When) == 66, "datetime");
_Static_assert(KhTypesAll_When_SIZE == 50, "a datetime is 25 WCHARs");
_Static_assert(FIELD_OFFSET(KhTypesAll, Choice) == 116, "Choice");
_Static_assert(FIELD_OFFSET(KhTypesAll, Origin) == 120, "an embedded class");
_Static_assert(KhTypesAll_Origin_SIZE == sizeof(KH_POINT), "its size");
_Static_assert(FIELD_OFFSET(KhTypesAll, Corners) == 132, "an array of embedded classes");
_Static_assert(KhTypesAll_Corners_SIZE == 4 * sizeof(KH_POINT), "its size");
_Static_assert(KhTypesAll_SIZE == 180, "the class's size");
_Static_assert(KhTypesAll_Choice_ID == 14 && KhTypesAll_Corners_ID == 16, "item ids");

/* Methods: ids, and their parameter structures (-m). */
_Static_assert(Scale == 1 && Swap == 2 && Nothing == 7, "method ids");
_Static_assert(FIELD_OFFSET(Scale_IN, Round) == 4 && Scale_IN_SIZE == 5, "Scale_IN");
_Static_assert(Scale_OUT_SIZE == 8 && sizeof(((PScale_OUT)0)->Result) == 8, "Scale_OUT");
_Static_assert(Swap_IN_SIZE == 4, "Swap_IN: the [in, out] parameter");
_Static_assert(FIELD_OFFSET(Swap_OUT, Previous) == 4 && Swap_OUT_SIZE == 6, "Swap_OUT");

/* Variable data: the structure ends at the string; later items keep their ids only. */
_Static_assert(FIELD_OFFSET(KhTypesArrived, VariableData) == 4, "VariableData after Count");
_Static_assert(KhTypesArrived_Name_ID == 2 && KhTypesArrived_After_ID == 3, "ids after variable data");
#ifdef KhTypesArrived_SIZE
#error "a class with variable data has no _SIZE"
#endif

static const GUID AllGuid = KhTypesAllGuid;

VOID MofTestEvtDriverUnload(_In_ WDFDRIVER Driver)
{
    UNREFERENCED_PARAMETER(Driver);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;

    DbgPrint("KhTypesAll_GUID %08lx-%04x-%04x-%02x%02x\n", KhTypesAll_GUID.Data1, KhTypesAll_GUID.Data2,
             KhTypesAll_GUID.Data3, KhTypesAll_GUID.Data4[0], KhTypesAll_GUID.Data4[7]);
    DbgPrint("KhTypesAllGuid equal %d\n", (int)IsEqualGUID(&AllGuid, &KhTypesAll_GUID));
    DbgPrint("KH_POINT_GUID %08lx\n", KH_POINT_GUID.Data1);
    DbgPrint("KhTypesAll_SIZE %d\n", (int)KhTypesAll_SIZE);
    WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);
    config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    config.EvtDriverUnload = MofTestEvtDriverUnload;
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}
