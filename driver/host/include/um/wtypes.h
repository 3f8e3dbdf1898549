/*
 * wtypes.h - the basic data types of the Windows SDK's wtypes.h, for programs built
 * against the user-mode KMDF host: the Windows base types (windows.h) and the few
 * automation types a console program meets (OLECHAR, BSTR, VARIANT_BOOL). The host has
 * no RPC or COM runtime.
 */
#ifndef KMDFHOST_UM_WTYPES_H
#define KMDFHOST_UM_WTYPES_H

#include <windows.h>
#include <basetyps.h>

typedef WCHAR OLECHAR;
typedef OLECHAR *LPOLESTR;
typedef const OLECHAR *LPCOLESTR;
typedef OLECHAR *BSTR;
typedef short VARIANT_BOOL;
#define VARIANT_TRUE ((VARIANT_BOOL)-1)
#define VARIANT_FALSE ((VARIANT_BOOL)0)

#endif /* KMDFHOST_UM_WTYPES_H */
