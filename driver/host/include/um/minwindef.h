/* minwindef.h: part of windef.h / winnt.h in the host's user-mode headers. */
#include <windef.h>
