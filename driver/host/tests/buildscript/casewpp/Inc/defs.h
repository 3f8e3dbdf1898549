/* defs.h - included as "inc\Defs.h": another case and Windows's path separator. */
#ifndef CASEWPP_DEFS_H
#define CASEWPP_DEFS_H

#define CASEWPP_VALUE 42

VOID CaseWppQueueTrace(VOID);

#endif
