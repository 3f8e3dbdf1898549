/*
 * w32driver.h - what win32_wdm.c and its WDM test driver w32driver.c share.
 */
#ifndef W32DRIVER_H
#define W32DRIVER_H

/* {5B0E9D21-7C43-4A8E-9F12-3D4C5B6A7E80} */
#ifdef _WDMDDK_
DEFINE_GUID(GUID_DEVINTERFACE_W32TEST, 0x5b0e9d21, 0x7c43, 0x4a8e, 0x9f, 0x12, 0x3d, 0x4c, 0x5b,
            0x6a, 0x7e, 0x80);
#endif

/* The name of the device object (one device at a time). */
#define W32TEST_DEVICE_NAME L"\\Device\\W32Test"

/* CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS) */
#define IOCTL_W32TEST_PEND_FAIL ((0x22u << 16) | (0x900u << 2))

#endif /* W32DRIVER_H */
