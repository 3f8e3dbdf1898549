/*
 * initguid.h - makes DEFINE_GUID define GUIDs instead of declaring them (see guiddef.h).
 */
#ifndef INITGUID
#define INITGUID
#endif
#include <guiddef.h>
