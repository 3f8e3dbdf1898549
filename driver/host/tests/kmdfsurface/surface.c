/*
 * surface.c - a translation unit that includes every public KMDF 1.15 header the way a
 * driver does. check_surface.cmake compiles it with -aux-info, which lists every
 * function the headers declare with its parameter types, and compares that list with
 * kmdf-1.15-functions.txt.
 */
#include <ntddk.h>
#include <wdf.h>
#include <usbdi.h>
#include <usbdlib.h>
#include <wdfusb.h>
#include <wdfminiport.h>

/* KMDF 1.15's function table has 444 entries. */
_Static_assert(WdfFunctionTableNumEntries == 444, "the KMDF 1.15 function table has 444 entries");
