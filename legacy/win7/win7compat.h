/*++

Module Name:

    win7compat.h

Abstract:

    What the WDK 7.1 build environment (the last kit that builds for Windows 7) lacks
    and the echo driver uses. Only the legacy build includes this header: sources puts
    this folder on the include path and defines ECHO_WIN7_COMPAT, and driver.h then
    includes it right after the kit's headers. Today's WDK has all of it.

Environment:

    Kernel mode

--*/

#pragma once

//
// WDK 7.1 knows SAL 1 only; there the SAL 2 annotations of this driver read as nothing.
//
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif
#ifndef _IRQL_requires_
#define _IRQL_requires_(irql)
#endif
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(irql)
#endif
#ifndef _In_
#define _In_
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Field_size_bytes_opt_
#define _Field_size_bytes_opt_(size)
#endif
#ifndef _Post_invalid_
#define _Post_invalid_
#endif

//
// Pool allocator. ExAllocatePoolUninitialized came with the WDK for Windows 10,
// version 2004, as a wrapper of ExAllocatePoolWithTag for drivers that also load on
// earlier Windows (down to Windows 7); on this kit ExAllocatePoolWithTag is the call.
//
#ifndef ExAllocatePoolUninitialized
#define ExAllocatePoolUninitialized(PoolType, NumberOfBytes, Tag) \
    ExAllocatePoolWithTag((PoolType), (NumberOfBytes), (Tag))
#endif

//
// No-execute pool exists from Windows 8 on, and WDK 7.1 has neither
// ExInitializeDriverRuntime nor DrvRtPoolNxOptIn: on Windows 7, NonPagedPool is the
// only nonpaged pool, so there is nothing to opt in to and the call does nothing.
//
#ifndef DrvRtPoolNxOptIn
#define DrvRtPoolNxOptIn 0x00000001
#endif
#define ExInitializeDriverRuntime(RuntimeFlags) ((void)(RuntimeFlags))
