/*
 * wdfroletypes.h - role names for the object cleanup and destroy callbacks (WDK
 * wdfroletypes.h). A driver declares its device, queue or file context callbacks with
 * these so that code analysis knows which object the callback is registered for; each
 * is the general EVT_WDF_OBJECT_CONTEXT_CLEANUP or _DESTROY function type.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfobject/nc-wdfobject-evt_wdf_object_context_cleanup
 */
#ifndef _WDFROLETYPES_H_
#define _WDFROLETYPES_H_

#include <wdfobject.h>

WDF_EXTERN_C_START

/* Device context. */
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP EVT_WDF_DEVICE_CONTEXT_CLEANUP;
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY EVT_WDF_DEVICE_CONTEXT_DESTROY;

/* Queue context. */
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP EVT_WDF_IO_QUEUE_CONTEXT_CLEANUP_CALLBACK;
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY EVT_WDF_IO_QUEUE_CONTEXT_DESTROY_CALLBACK;

/* File object context. */
typedef EVT_WDF_OBJECT_CONTEXT_CLEANUP EVT_WDF_FILE_CONTEXT_CLEANUP_CALLBACK;
typedef EVT_WDF_OBJECT_CONTEXT_DESTROY EVT_WDF_FILE_CONTEXT_DESTROY_CALLBACK;

WDF_EXTERN_C_END

#endif /* _WDFROLETYPES_H_ */
