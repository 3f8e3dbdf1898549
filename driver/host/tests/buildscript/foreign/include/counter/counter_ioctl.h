/*++

Module Name:

    counter_ioctl.h

Abstract:

    What the counter driver shares with applications: its device interface class and
    its I/O control codes. Applications include it after <winioctl.h> (for CTL_CODE) and
    <initguid.h> where the GUID is defined.

    IOCTL_COUNTER_ADD       input: ULONG n; adds n times the driver's step to the
                            counter; output: ULONG, the new value
    IOCTL_COUNTER_GET       output: ULONG, the current value

Environment:

    Kernel mode and user mode

--*/

#pragma once

//
// {9E3A1C52-4B7D-4F20-8C61-2A5D7E9B0F13}
//
DEFINE_GUID(GUID_DEVINTERFACE_COUNTER,
            0x9e3a1c52, 0x4b7d, 0x4f20, 0x8c, 0x61, 0x2a, 0x5d, 0x7e, 0x9b, 0x0f, 0x13);

#define COUNTER_DEVICE_TYPE 0x8337

#define IOCTL_COUNTER_ADD \
    CTL_CODE(COUNTER_DEVICE_TYPE, 0x801, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA)
#define IOCTL_COUNTER_GET \
    CTL_CODE(COUNTER_DEVICE_TYPE, 0x802, METHOD_BUFFERED, FILE_READ_DATA)
