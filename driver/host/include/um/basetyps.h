/*
 * basetyps.h - the COM declaration macros of the Windows SDK (basetyps.h) for programs
 * built against the user-mode KMDF host: EXTERN_C, the calling-convention names
 * STDMETHODCALLTYPE and STDAPICALLTYPE (nothing on x64, where there is one convention),
 * STDAPI and STDMETHODIMP, and the GUID types of guiddef.h. Console programs such as
 * Microsoft's driver samples' test programs include it for those names; the host has
 * no COM.
 */
#ifndef KMDFHOST_UM_BASETYPS_H
#define KMDFHOST_UM_BASETYPS_H

#include <guiddef.h>

#ifndef EXTERN_C
#ifdef __cplusplus
#define EXTERN_C extern "C"
#else
#define EXTERN_C extern
#endif
#endif

#define STDMETHODCALLTYPE
#define STDMETHODVCALLTYPE
#define STDAPICALLTYPE
#define STDAPIVCALLTYPE
#define STDAPI EXTERN_C HRESULT STDAPICALLTYPE
#define STDAPI_(type) EXTERN_C type STDAPICALLTYPE
#define STDMETHODIMP HRESULT STDMETHODCALLTYPE
#define STDMETHODIMP_(type) type STDMETHODCALLTYPE

#endif /* KMDFHOST_UM_BASETYPS_H */
