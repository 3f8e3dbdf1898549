/*
 * ntddk.h - the kernel-mode driver interface (wdm.h and what ntddk.h adds), for the
 * user-mode KMDF host. A driver includes this (or wdm.h) and then wdf.h.
 */
#ifndef KMDFHOST_NTDDK_H
#define KMDFHOST_NTDDK_H

#include <wdm.h>

#ifndef _NTDDK_
#define _NTDDK_
#endif

#endif /* KMDFHOST_NTDDK_H */
