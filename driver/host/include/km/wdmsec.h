/*
 * wdmsec.h - secure device objects (WDK wdmsec.h): IoCreateDeviceSecure and the
 * predefined SDDL strings for device objects.
 *
 * The host has no security subsystem: a device object's security descriptor is not
 * enforced, and IoCreateDeviceSecure is not implemented (a call is reported as
 * UNIMPLEMENTED_DDI). The SDDL strings are the documented ones.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/sddl-for-device-objects
 */
#ifndef _WDMSEC_H_
#define _WDMSEC_H_

#include <wdm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One constant counted string per module, as the WDK's selectany definitions are. */
#define KH_SDDL_STRING(name, text)                                                                 \
    static const UNICODE_STRING name __attribute__((unused)) = {sizeof(text) - sizeof(WCHAR), sizeof(text), (PWCH)(text)}

KH_SDDL_STRING(SDDL_DEVOBJ_KERNEL_ONLY, L"D:P");
KH_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL, L"D:P(A;;GA;;;SY)");
KH_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_ALL, L"D:P(A;;GA;;;SY)(A;;GA;;;BA)");
KH_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RX, L"D:P(A;;GA;;;SY)(A;;GRGX;;;BA)");
KH_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R, L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GR;;;WD)");
KH_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R,
               L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGW;;;WD)(A;;GR;;;RC)");
KH_SDDL_STRING(SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RWX_RES_RWX,
               L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GRGWGX;;;WD)(A;;GRGWGX;;;RC)");

NTKERNELAPI NTSTATUS NTAPI IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                                PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                                ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                                PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                                                PDEVICE_OBJECT *DeviceObject);

#ifdef __cplusplus
}
#endif

#endif /* _WDMSEC_H_ */
