/*
 * cm.h - what the configuration manager (src/cm, the registry) offers the other host
 * components, beyond the Zw*Key routines drivers call.
 */
#ifndef KH_CM_H
#define KH_CM_H

#include <stdbool.h>

#include <ntddk.h>

/* The registry path of a service: \Registry\Machine\System\CurrentControlSet\Services\<name>. */
#define KH_SERVICES_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"

/* Creates every missing key of a UTF-8 path; opens a path (creating it when asked). */
NTSTATUS KhRegistryCreatePath(const char *Path);
NTSTATUS KhRegistryOpenPath(const char *Path, bool Create, PHANDLE Handle);

#endif /* KH_CM_H */
