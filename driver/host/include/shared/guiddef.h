/*
 * guiddef.h - GUID, DEFINE_GUID and the GUID comparisons for the user-mode KMDF host.
 *
 * As in the Windows SDK, DEFINE_GUID declares the GUID (extern) unless INITGUID is
 * defined, in which case it defines it. The definition is DECLSPEC_SELECTANY (a weak
 * symbol here), so any number of files of one module may define the same GUID.
 * initguid.h defines INITGUID and includes this file again: the DEFINE_GUID part is
 * outside the include guard on purpose. See
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/defining-and-exporting-new-guids.
 */
#ifndef KMDFHOST_GUIDDEF_H
#define KMDFHOST_GUIDDEF_H

#include <stdint.h>
#include <string.h>

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
#endif

typedef GUID *LPGUID;
typedef const GUID *LPCGUID;
typedef GUID IID;
typedef GUID CLSID;
typedef GUID *PGUID;
typedef const GUID *PCGUID;
#define REFGUID const GUID *
#define REFIID const IID *
#define REFCLSID const CLSID *

#ifndef EXTERN_C
#ifdef __cplusplus
#define EXTERN_C extern "C"
#else
#define EXTERN_C extern
#endif
#endif

/* The Windows SDK's inline comparisons, in C. */
#define InlineIsEqualGUID(rguid1, rguid2) (memcmp((rguid1), (rguid2), sizeof(GUID)) == 0)
#define IsEqualGUID(rguid1, rguid2) (memcmp((rguid1), (rguid2), sizeof(GUID)) == 0)
#define IsEqualIID(riid1, riid2) IsEqualGUID(riid1, riid2)
#define IsEqualCLSID(rclsid1, rclsid2) IsEqualGUID(rclsid1, rclsid2)

#endif /* KMDFHOST_GUIDDEF_H */

#ifdef DEFINE_GUID
#undef DEFINE_GUID
#endif

#if defined(INITGUID) && defined(__cplusplus)
/* C++ gives a namespace-scope const internal linkage: extern "C" keeps it one public
   (weak) definition, as EXTERN_C does in the SDK. */
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                           \
    extern "C" const GUID __attribute__((weak)) name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#elif defined(INITGUID)
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                           \
    const GUID __attribute__((weak)) name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) EXTERN_C const GUID name
#endif

#ifndef DEFINE_OLEGUID
#define DEFINE_OLEGUID(name, l, w1, w2)                                                         \
    DEFINE_GUID(name, l, w1, w2, 0xC0, 0, 0, 0, 0, 0, 0, 0x46)
#endif
