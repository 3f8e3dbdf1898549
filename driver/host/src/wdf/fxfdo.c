/*
 * fxfdo.c - the function and filter device methods of wdffdo.h.
 */
#include "wdf/fxp.h"

/*
 * WdfFdoInitSetFilter: the device is an upper or lower filter. The framework then gives
 * it the I/O type and device type of the device below (WdfDeviceCreate), passes down the
 * requests of a type it has no queue for (fxio.c) and, when it has no
 * EvtDeviceFileCreate, creates, cleanups and closes (fxfileobject.c), instead of failing
 * or completing them as it does for a function driver.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdffdo/nf-wdffdo-wdffdoinitsetfilter
 */
WDFAPI VOID WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit)
{
    if (DeviceInit == NULL) {
        FxReport(NULL, "INVALID_HANDLE", "WdfFdoInitSetFilter called with a NULL PWDFDEVICE_INIT");
        return;
    }
    DeviceInit->Filter = true;
}
