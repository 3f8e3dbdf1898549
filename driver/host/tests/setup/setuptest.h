/*
 * setuptest.h - what setupdriver.c (a KMDF test driver) and setup_program.c share: the
 * interface, the setup class of setuptest.inf, and the device control that returns what
 * the driver read from its hardware key and its device properties at AddDevice.
 */
#ifndef SETUPTEST_H
#define SETUPTEST_H

/* {8f2b1a0c-5d3e-4c71-9a6b-2e4f7c9d1b35}: the driver's device interface. */
DEFINE_GUID(GUID_DEVINTERFACE_SETUPTEST, 0x8f2b1a0c, 0x5d3e, 0x4c71, 0x9a, 0x6b, 0x2e, 0x4f, 0x7c, 0x9d, 0x1b,
            0x35);
/* {3c1d9e27-8a4b-4f60-b1d2-7e5a9c0f4b18}: the setup class setuptest.inf installs into. */
DEFINE_GUID(GUID_DEVCLASS_SETUPTEST, 0x3c1d9e27, 0x8a4b, 0x4f60, 0xb1, 0xd2, 0x7e, 0x5a, 0x9c, 0x0f, 0x4b,
            0x18);

#define IOCTL_SETUPTEST_GET_INFO CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Each driver of the stack (setupfilter.c, setupdriver.c) appends "<its name>," to the
   output buffer (SETUPTEST_STACK_SIZE bytes, a NUL-terminated string), sends the request
   down synchronously and completes it: the buffer lists the stack from the top down. */
#define IOCTL_SETUPTEST_STACK CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define SETUPTEST_STACK_SIZE 256

/* Statuses are NTSTATUS values; strings UTF-16, NUL-terminated. */
typedef struct _SETUPTEST_INFO {
    int ValueStatus;          /* WdfRegistryQueryULong(hardware key, "SetupTestValue") */
    unsigned int Value;
    int PortStatus;           /* WdfRegistryQueryUnicodeString(hardware key, "PortName") */
    unsigned short PortName[32];
    int SoftStatus;           /* WdfRegistryQueryULong(software key, "SoftwareValue") */
    unsigned int SoftValue;
    int DescriptionStatus;    /* WdfDeviceQueryProperty(DevicePropertyDeviceDescription) */
    unsigned short Description[64];
    int ClassGuidStatus;      /* WdfDeviceQueryProperty(DevicePropertyClassGuid) */
    unsigned short ClassGuid[40];
} SETUPTEST_INFO;

#endif /* SETUPTEST_H */
