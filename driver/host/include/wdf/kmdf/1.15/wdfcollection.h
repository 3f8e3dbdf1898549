/*
 * wdfcollection.h - collections: ordered lists of framework object handles (WDK wdfcollection.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFCOLLECTION_H_
#define _WDFCOLLECTION_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

WDFAPI NTSTATUS WdfCollectionCreate(PWDF_OBJECT_ATTRIBUTES CollectionAttributes, WDFCOLLECTION* Collection);
WDFAPI ULONG WdfCollectionGetCount(WDFCOLLECTION Collection);
WDFAPI NTSTATUS WdfCollectionAdd(WDFCOLLECTION Collection, WDFOBJECT Object);
WDFAPI VOID WdfCollectionRemove(WDFCOLLECTION Collection, WDFOBJECT Item);
WDFAPI VOID WdfCollectionRemoveItem(WDFCOLLECTION Collection, ULONG Index);
WDFAPI WDFOBJECT WdfCollectionGetItem(WDFCOLLECTION Collection, ULONG Index);
WDFAPI WDFOBJECT WdfCollectionGetFirstItem(WDFCOLLECTION Collection);
WDFAPI WDFOBJECT WdfCollectionGetLastItem(WDFCOLLECTION Collection);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFCOLLECTIONCREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, PWDF_OBJECT_ATTRIBUTES CollectionAttributes, WDFCOLLECTION* Collection);
typedef ULONG (*PFN_WDFCOLLECTIONGETCOUNT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection);
typedef NTSTATUS (*PFN_WDFCOLLECTIONADD)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection, WDFOBJECT Object);
typedef VOID (*PFN_WDFCOLLECTIONREMOVE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection, WDFOBJECT Item);
typedef VOID (*PFN_WDFCOLLECTIONREMOVEITEM)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection, ULONG Index);
typedef WDFOBJECT (*PFN_WDFCOLLECTIONGETITEM)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection, ULONG Index);
typedef WDFOBJECT (*PFN_WDFCOLLECTIONGETFIRSTITEM)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection);
typedef WDFOBJECT (*PFN_WDFCOLLECTIONGETLASTITEM)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFCOLLECTION Collection);

WDF_EXTERN_C_END

#endif /* _WDFCOLLECTION_H_ */
