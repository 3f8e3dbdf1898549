/*
 * dontuse.h - what the WDK's header of that name is for: a program or driver that
 * includes it asks to be warned about the C runtime's unbounded string functions
 * (strcpy, sprintf, wcscat, ...), which it marks deprecated (an MSVC warning, never an
 * error). The host's build has no warning of that kind that would not turn into an
 * error under a foreign project's flags, so this header marks nothing: it exists so that
 * code that includes it builds unmodified.
 */
#ifndef KMDFHOST_DONTUSE_H
#define KMDFHOST_DONTUSE_H
#endif /* KMDFHOST_DONTUSE_H */
