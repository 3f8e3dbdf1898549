/* defs.h - included as "inc\Defs.h": another case and Windows's path separator. */
#ifndef CASEWPP_DEFS_H
#define CASEWPP_DEFS_H

#define CASEWPP_VALUE 42

VOID CaseWppQueueTrace(VOID);

/* MSVC's __inline in a header that two sources include: one function after linking. */
__inline int CaseWppTwice(int Value) { return 2 * Value; }

#endif
