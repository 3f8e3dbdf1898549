/*
 * wdmskel.h - the PnP and power skeleton the WDM test drivers share (iodriver.so,
 * w32driver.so, ntsched.so): a function device that attaches to its PDO, registers one
 * device interface, enables it at start and disables it at surprise removal and
 * removal, passes every other PnP and power IRP down, and detaches and deletes itself
 * at removal, as a WDM function driver does:
 *   https://learn.microsoft.com/windows-hardware/drivers/kernel/handling-pnp-requests
 *
 * A driver's device extension begins with a WDMSKEL_DEVICE. The driver sets
 * WdmSkelHooks (optional callbacks) in DriverEntry, points IRP_MJ_PNP and IRP_MJ_POWER
 * at WdmSkelPnp and WdmSkelPower, and calls WdmSkelAddDevice from its AddDevice.
 */
#ifndef WDMSKEL_H
#define WDMSKEL_H

#include <ntddk.h>

typedef struct _WDMSKEL_DEVICE {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Lower;    /* the next lower device (IoAttachDeviceToDeviceStack) */
    UNICODE_STRING Interface; /* the registered interface's symbolic link */
} WDMSKEL_DEVICE, *PWDMSKEL_DEVICE;

typedef struct _WDMSKEL_HOOKS {
    /* After IRP_MN_START_DEVICE came back up the stack and the interface was enabled
       (Status is what the start completes with). */
    VOID (*Started)(PWDMSKEL_DEVICE Device, NTSTATUS Status);
    /* At IRP_MN_SURPRISE_REMOVAL, before the interface is disabled. */
    VOID (*SurpriseRemoved)(PWDMSKEL_DEVICE Device);
    /* At IRP_MN_REMOVE_DEVICE, before the interface is disabled and the IRP goes down. */
    VOID (*Removing)(PWDMSKEL_DEVICE Device);
    /* At IRP_MN_SET_POWER for a device power state, before it goes down. */
    VOID (*DevicePowerSet)(PWDMSKEL_DEVICE Device, DEVICE_POWER_STATE State);
} WDMSKEL_HOOKS;

/* The driver's hooks; all NULL unless DriverEntry sets them. */
extern WDMSKEL_HOOKS WdmSkelHooks;

/* Creates the device (named when Name is not NULL) with an extension of ExtensionSize
   bytes (zeroed, a WDMSKEL_DEVICE first), registers an interface of InterfaceGuid on the
   PDO and attaches to the PDO's stack with buffered I/O. On success *Device is ready
   (DO_DEVICE_INITIALIZING cleared); the caller fills the rest of its extension before
   AddDevice returns. */
NTSTATUS WdmSkelAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject, ULONG ExtensionSize,
                          PUNICODE_STRING Name, const GUID *InterfaceGuid, PDEVICE_OBJECT *Device);

/* Completes the IRP with Status and Information; returns Status. */
NTSTATUS WdmSkelComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);

/* Sends the IRP down and waits until it comes back; returns its status (the IRP is the
   caller's again, to complete). */
NTSTATUS WdmSkelForwardAndWait(PWDMSKEL_DEVICE Device, PIRP Irp);

DRIVER_DISPATCH WdmSkelPnp;
DRIVER_DISPATCH WdmSkelPower;

#endif /* WDMSKEL_H */
