/*
 * ntddk.h - the kernel-mode driver interface (wdm.h and what ntddk.h adds), for the
 * user-mode KMDF host. A driver includes this (or wdm.h) and then wdf.h.
 */
#ifndef KMDFHOST_NTDDK_H
#define KMDFHOST_NTDDK_H

#include <wdm.h>

#ifndef _NTDDK_
#define _NTDDK_
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Boot-start driver callbacks (an early-launch anti-malware driver classifies each
   boot-start driver before it initializes):
   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-ioregisterbootdrivercallback */
typedef enum _BDCB_CALLBACK_TYPE { BdCbStatusUpdate, BdCbInitializeImage } BDCB_CALLBACK_TYPE, *PBDCB_CALLBACK_TYPE;

typedef enum _BDCB_CLASSIFICATION {
    BdCbClassificationUnknownImage,
    BdCbClassificationKnownGoodImage,
    BdCbClassificationKnownBadImage,
    BdCbClassificationKnownBadImageBootCritical,
    BdCbClassificationEnd
} BDCB_CLASSIFICATION, *PBDCB_CLASSIFICATION;

typedef enum _BDCB_STATUS_UPDATE_TYPE {
    BdCbStatusPrepareForDependencyLoad,
    BdCbStatusPrepareForDriverLoad,
    BdCbStatusPrepareForUnload
} BDCB_STATUS_UPDATE_TYPE, *PBDCB_STATUS_UPDATE_TYPE;

typedef struct _BDCB_STATUS_UPDATE_CONTEXT {
    BDCB_STATUS_UPDATE_TYPE StatusType;
} BDCB_STATUS_UPDATE_CONTEXT, *PBDCB_STATUS_UPDATE_CONTEXT;

typedef struct _BDCB_IMAGE_INFORMATION {
    BDCB_CLASSIFICATION Classification;
    ULONG ImageFlags;
    UNICODE_STRING ImageName;
    UNICODE_STRING RegistryPath;
    UNICODE_STRING CertificatePublisher;
    UNICODE_STRING CertificateIssuer;
    PVOID ImageHash;
    PVOID CertificateThumbprint;
    ULONG ImageHashAlgorithm;
    ULONG ThumbprintHashAlgorithm;
    ULONG ImageHashLength;
    ULONG CertificateThumbprintLength;
} BDCB_IMAGE_INFORMATION, *PBDCB_IMAGE_INFORMATION;

/* BDCB_IMAGE_INFORMATION.ImageFlags: the image failed code integrity but boot policy let
   it load. */
#define BDCB_IMAGEFLAGS_FAILED_CODE_INTEGRITY (1UL << 0)

/* Context is a PBDCB_STATUS_UPDATE_CONTEXT for BdCbStatusUpdate and a
   PBDCB_IMAGE_INFORMATION for BdCbInitializeImage. */
typedef _Function_class_(BOOT_DRIVER_CALLBACK_FUNCTION) VOID
    BOOT_DRIVER_CALLBACK_FUNCTION(_In_opt_ PVOID CallbackContext, _In_ BDCB_CALLBACK_TYPE Classification,
                                  _Inout_ PVOID Context);
typedef BOOT_DRIVER_CALLBACK_FUNCTION *PBOOT_DRIVER_CALLBACK_FUNCTION;

NTKERNELAPI PVOID NTAPI IoRegisterBootDriverCallback(_In_ PBOOT_DRIVER_CALLBACK_FUNCTION CallbackFunction,
                                                     _In_opt_ PVOID CallbackContext);
NTKERNELAPI VOID NTAPI IoUnregisterBootDriverCallback(_In_ PVOID CallbackHandle);

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_NTDDK_H */
