/*
 * Queue.c - a second source with its own .tmh, as every WPP-traced source has.
 */
#include <ntddk.h>
#include <wdf.h>
#include "TRACE.H"
#include "inc/defs.h"
#include "queue.tmh"

VOID CaseWppQueueTrace(VOID);

VOID CaseWppQueueTrace(VOID)
{
    TraceEvents(TRACE_LEVEL_VERBOSE, TRACE_QUEUE, "%!FUNC! from the second source");
    KdTrace(("twice %d is %d", 21, CaseWppTwice(21)));
}
