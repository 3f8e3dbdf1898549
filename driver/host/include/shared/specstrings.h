/*
 * specstrings.h - annotation definitions; in the host every annotation is an empty macro,
 * defined in sal.h.
 */
#ifndef KMDFHOST_SPECSTRINGS_H
#define KMDFHOST_SPECSTRINGS_H
#include <sal.h>
#endif
