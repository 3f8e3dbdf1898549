/*
 * bootcb.c - boot-start driver callbacks (IoRegisterBootDriverCallback,
 * IoUnregisterBootDriverCallback), by which an early-launch anti-malware (ELAM) driver
 * classifies each boot-start driver before it initializes:
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioregisterbootdrivercallback
 *
 * Windows calls a registered callback for the boot-start drivers it initializes after
 * the registration (BdCbStatusUpdate, BdCbInitializeImage) and for no other driver. The
 * host has no boot phase: every driver it loads is loaded on demand by the control API
 * (KmdfHostLoadDriver), none is a boot-start driver, so a registered callback is never
 * called. Registration and unregistration follow the documented contract: a handle, or
 * NULL when the callback is missing or there is no memory; the handle is given back to
 * IoUnregisterBootDriverCallback, once. A handle that is not a live registration is
 * reported (BUGCHECK: Windows would free it as pool).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "io/iop.h"

typedef struct _KH_BOOT_CALLBACK {
    LIST_ENTRY Link; /* KhBootCallbacks, under KhBootLock */
    PBOOT_DRIVER_CALLBACK_FUNCTION Callback;
    PVOID Context;
} KH_BOOT_CALLBACK;

static LIST_ENTRY KhBootCallbacks = {&KhBootCallbacks, &KhBootCallbacks};
static HOS_MUTEX KhBootLock;

__attribute__((constructor)) static void KhBootCallbackInit(void) { HosMutexInit(&KhBootLock); }

NTKERNELAPI PVOID NTAPI IoRegisterBootDriverCallback(PBOOT_DRIVER_CALLBACK_FUNCTION CallbackFunction,
                                                     PVOID CallbackContext)
{
    if (CallbackFunction == NULL) {
        return NULL;
    }
    KH_BOOT_CALLBACK *registration = calloc(1, sizeof(*registration));
    if (registration == NULL) {
        return NULL;
    }
    registration->Callback = CallbackFunction;
    registration->Context = CallbackContext;
    HosMutexLock(&KhBootLock);
    InsertTailList(&KhBootCallbacks, &registration->Link);
    HosMutexUnlock(&KhBootLock);
    return registration;
}

NTKERNELAPI VOID NTAPI IoUnregisterBootDriverCallback(PVOID CallbackHandle)
{
    HosMutexLock(&KhBootLock);
    for (PLIST_ENTRY e = KhBootCallbacks.Flink; e != &KhBootCallbacks; e = e->Flink) {
        KH_BOOT_CALLBACK *registration = CONTAINING_RECORD(e, KH_BOOT_CALLBACK, Link);
        if (registration == CallbackHandle) {
            RemoveEntryList(&registration->Link);
            HosMutexUnlock(&KhBootLock);
            free(registration);
            return;
        }
    }
    HosMutexUnlock(&KhBootLock);
    KhVerifierReport("BUGCHECK", "IoUnregisterBootDriverCallback(%p): not a live boot driver callback registration",
                     CallbackHandle);
}
