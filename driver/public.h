/*++

Module Name:

    public.h

Abstract:

    What the echo driver shares with applications: the device interface class through
    which they find it. An application enumerates this class with SetupAPI (or
    CM_Get_Device_Interface_List) and opens the path it gets with CreateFile.

Environment:

    Kernel mode and user mode

--*/

#pragma once

//
// Define an interface GUID so that applications can find the device and talk to it.
//
// {CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}
//
DEFINE_GUID(GUID_DEVINTERFACE_ECHO,
            0xcdc35b6e, 0x0be4, 0x4936, 0xbf, 0x5f, 0x55, 0x37, 0x38, 0x0a, 0x7c, 0x1a);

//
// The longest write the driver keeps. A longer write completes with
// STATUS_BUFFER_OVERFLOW (ERROR_MORE_DATA in user mode) and leaves the stored data alone.
//
#define ECHO_MAX_WRITE_LENGTH (40 * 1024)
