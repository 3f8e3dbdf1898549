/*
 * driverspecs.h - annotation definitions; in the host every annotation is an empty macro,
 * defined in sal.h.
 */
#ifndef KMDFHOST_DRIVERSPECS_H
#define KMDFHOST_DRIVERSPECS_H
#include <sal.h>
#endif
