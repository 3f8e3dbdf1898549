/*
 * ps.h - what the process manager (src/ps: thread objects) offers the other host
 * components: recognising the dispatcher object of a thread that ObReferenceObjectByHandle
 * gave a driver, so that ObfReferenceObject and ObfDereferenceObject count it.
 */
#ifndef KH_PS_H
#define KH_PS_H

#include <ntddk.h>

#include "ob/ob.h"

/* A thread object's KEVENT carries this in Header.Reserved1 (0 in any other KEVENT). */
#define KH_THREAD_OBJECT_MARK 0x54

/* The thread object whose dispatcher object Body is, or NULL. */
KH_OBJECT_HEADER *KhPsThreadFromBody(PVOID Body);

#endif /* KH_PS_H */
