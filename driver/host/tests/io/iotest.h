/*
 * iotest.h - what the I/O manager test and its WDM test driver share.
 */
#ifndef IOTEST_H
#define IOTEST_H

#include <stdint.h>

#define IOTEST_MAX_DATA 4096

/* {6F1C2B3A-4D5E-4F60-8A9B-0C1D2E3F4A5B} */
#define IOTEST_GUID_BYTES                                                                       \
    {0x3a, 0x2b, 0x1c, 0x6f, 0x5e, 0x4d, 0x60, 0x4f, 0x8a, 0x9b, 0x0c, 0x1d, 0x2e, 0x3f, 0x4a, 0x5b}

#ifdef _WDMDDK_
DEFINE_GUID(GUID_DEVINTERFACE_IOTEST, 0x6f1c2b3a, 0x4d5e, 0x4f60, 0x8a, 0x9b, 0x0c, 0x1d, 0x2e, 0x3f, 0x4a, 0x5b);
#endif

/* CTL_CODE(FILE_DEVICE_UNKNOWN, function, method, FILE_ANY_ACCESS) */
#define IOTEST_CTL(function, method) ((0x22u << 16) | ((function) << 2) | (method))
#define IOTEST_METHOD_BUFFERED 0
#define IOTEST_METHOD_OUT_DIRECT 2
#define IOCTL_IOTEST_ECHO IOTEST_CTL(0x800, IOTEST_METHOD_BUFFERED)
#define IOCTL_IOTEST_FILL IOTEST_CTL(0x801, IOTEST_METHOD_OUT_DIRECT)
#define IOCTL_IOTEST_RELEASE IOTEST_CTL(0x802, IOTEST_METHOD_BUFFERED)
/* The driver sends IOCTL_IOTEST_ECHO (input reversed) and a write to its own device. */
#define IOCTL_IOTEST_SELF IOTEST_CTL(0x803, IOTEST_METHOD_BUFFERED)

/* Counters the driver keeps (32-bit, as the driver's LONG). */
typedef struct _IOTEST_COUNTERS {
    int32_t Park; /* set by the test: reads are held until released or cancelled */
    int32_t Creates;
    int32_t CreatesWithName;
    int32_t Cleanups;
    int32_t Closes;
    int32_t Cancelled;
    int32_t Starts;
    int32_t SurpriseRemovals;
    int32_t Removes;
    int32_t Unloads;
    int32_t PowerState;
} IOTEST_COUNTERS, *PIOTEST_COUNTERS;

#endif /* IOTEST_H */
