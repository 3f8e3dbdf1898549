/*
 * wdf.h - the Kernel-Mode Driver Framework, as a KMDF driver includes it.
 *
 * The framework's declarations are split over the WDK's per-object headers, included
 * here in the WDK's order; wdfusb.h and wdfminiport.h are included by the drivers that
 * use them, as in the WDK.
 * The host implements the framework in libkmdfhost.so (src/wdf); every WdfXxx
 * function declared here is exported from it under its own name. The *_INIT
 * functions stay FORCEINLINE, as in the WDK.
 */
#ifndef _WDF_H_
#define _WDF_H_

#include <wdftypes.h>
#include <wdfglobals.h>
#include <wdffuncenum.h>
#include <wdfstatus.h>
#include <wdfassert.h>
#include <wdfverifier.h>
#include <wdfpool.h>
#include <wdfobject.h>
#include <wdfsync.h>
#include <wdfcore.h>
#include <wdfdriver.h>
#include <wdfqueryinterface.h>
#include <wdfmemory.h>
#include <wdfchildlist.h>
#include <wdffileobject.h>
#include <wdfdevice.h>
#include <wdfcollection.h>
#include <wdfdpc.h>
#include <wdftimer.h>
#include <wdfworkitem.h>
#include <wdfinterrupt.h>
#include <wdfresource.h>
#include <wdfrequest.h>
#include <wdfiotarget.h>
#include <wdfio.h>
#include <wdffdo.h>
#include <wdfpdo.h>
#include <wdfcontrol.h>
#include <wdfwmi.h>
#include <wdfstring.h>
#include <wdfregistry.h>
#include <wdfdmaenabler.h>
#include <wdfdmatransaction.h>
#include <wdfcommonbuffer.h>
#include <wdfbugcodes.h>
#include <wdfroletypes.h>
#include <wdfhwaccess.h>

#endif /* _WDF_H_ */
