/*
 * ntifs.h - in the host, the same interface as ntddk.h.
 */
#ifndef KMDFHOST_NTIFS_H
#define KMDFHOST_NTIFS_H
#include <ntddk.h>
#endif
