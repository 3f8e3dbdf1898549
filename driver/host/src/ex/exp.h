/*
 * exp.h - the executive's objects that other host components use: event objects (the
 * object manager's Event type, behind NtCreateEvent and the Event argument of the I/O
 * system services).
 */
#ifndef KH_EXP_H
#define KH_EXP_H

#include "ob/obp.h"

typedef struct _KH_EVENT_OBJECT {
    KH_OBJECT_HEADER Ob;
    KEVENT Event;
} KH_EVENT_OBJECT;

extern const KH_OBJECT_TYPE KhExEventObjectType;

#endif /* KH_EXP_H */
