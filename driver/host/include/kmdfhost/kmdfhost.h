/*
 * kmdfhost.h - the control and I/O entry points of the user-mode KMDF host.
 *
 * This is the one header shared by every consumer of the host: the kernel half (built
 * with a 16-bit WCHAR, like the WDK), the Win32 surface (built with the platform's
 * wchar_t, like the strings JNA passes), the C tests, and the Java program, which binds
 * these functions through JNA. It therefore uses plain C types only: no NT or Win32
 * typedefs, strings in UTF-8, statuses as NTSTATUS values in an int32_t.
 *
 * The control API plays the roles that Windows gives to the service control manager
 * (load and unload a driver), the PnP manager (add, start, suspend, resume,
 * surprise-remove and remove a device instance) and the registry (a service's
 * Parameters key). The I/O API lets the C tests drive the I/O manager with a completion
 * callback per IRP: open a file object on a device interface, send IRPs, cancel them,
 * clean up and close. Applications (the Win32 surface, native programs) use the NT
 * system services of kmdfhost_nt.h instead, as on Windows.
 */
#ifndef KMDFHOST_H
#define KMDFHOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define KMDFHOST_API __attribute__((visibility("default")))
#else
#define KMDFHOST_API
#endif

/* An NTSTATUS value. */
typedef int32_t KH_STATUS;

typedef struct _KH_DRIVER KH_DRIVER;   /* a loaded driver module (DRIVER_OBJECT) */
typedef struct _KH_DEVNODE KH_DEVNODE; /* a device instance (PDO and the driver's stack) */
typedef struct _KH_FILE KH_FILE;       /* an open file object on a device */

/* ---------------------------------------------------------------------------------
 * Life cycle of the host itself
 * --------------------------------------------------------------------------------- */

/* Starts the host's threads (DPC and timer dispatch, work items). Idempotent. */
KMDFHOST_API KH_STATUS KmdfHostInitialize(void);

/*
 * The start of a program built with scripts/build-host-app, called by its start-up code
 * before main. Under scripts/host-run (KMDFHOST_RUN_DRIVER, KMDFHOST_RUN_SERVICE,
 * KMDFHOST_RUN_INSTANCE and optionally KMDFHOST_RUN_TIMER_MS in the environment) it loads
 * the driver, adds and starts the device, and arranges for the end of the life cycle at
 * exit or on a terminating signal (src/win32/process.c); otherwise it does nothing.
 * Exits with status 3 when the driver does not load or the device does not start.
 */
KMDFHOST_API void KmdfHostAppStartup(void);

/*
 * The end of a program's process: closes every handle the program still holds (files,
 * events, completion ports, threads), as Windows closes a process's handles when it
 * ends; cleanup and close reach the drivers and their pending I/O is cancelled. A
 * driver's own handles (its registry keys) stay open. Returns how many were closed.
 */
KMDFHOST_API size_t KmdfHostCloseProcessHandles(void);

/* ---------------------------------------------------------------------------------
 * Registry: HKLM\SYSTEM\CurrentControlSet\Services\<ServiceName>\Parameters
 * --------------------------------------------------------------------------------- */

/* Sets a REG_DWORD value under the service's Parameters key (as an INF AddReg would). */
KMDFHOST_API KH_STATUS KmdfHostSetServiceParameterULong(const char *ServiceName,
                                                        const char *ValueName,
                                                        uint32_t Value);

/*
 * 1 when a driver has read the value ValueName of the service's Parameters key
 * (ZwQueryValueKey, or ZwEnumerateValueKey reaching it; every WdfRegistryQuery* goes
 * through these) since the value was last set; 0 when it has not, or when there is no
 * such value. Lets a tool say that a setting it made had no effect: Microsoft's echo
 * drivers, for example, fix their timer period in the source and never read
 * TimerPeriodMs.
 */
KMDFHOST_API int KmdfHostServiceParameterWasRead(const char *ServiceName, const char *ValueName);

/* Removes every value of the service's Parameters key. */
KMDFHOST_API void KmdfHostClearServiceParameters(const char *ServiceName);

/* ---------------------------------------------------------------------------------
 * Drivers and devices (service control and PnP manager)
 * --------------------------------------------------------------------------------- */

/*
 * Loads a driver module built by scripts/build-host-driver, creates its DRIVER_OBJECT
 * with the registry path \Registry\Machine\System\CurrentControlSet\Services\<ServiceName>
 * and calls its DriverEntry. On failure the module is unloaded again and the status of
 * DriverEntry (or of the load) is returned.
 */
KMDFHOST_API KH_STATUS KmdfHostLoadDriver(const char *ModulePath, const char *ServiceName,
                                          KH_DRIVER **Driver);

/*
 * Unloads a driver whose devices have all been removed: calls its unload routine
 * (EvtDriverUnload through the framework), deletes the framework driver object, then
 * checks the driver's pool and framework objects for leaks (POOL_LEAK, OBJECT_LEAK).
 */
KMDFHOST_API KH_STATUS KmdfHostUnloadDriver(KH_DRIVER *Driver);

/*
 * Nonzero when the loaded driver registered an AddDevice routine in DriverEntry (a PnP
 * driver, KMDF's EvtDriverDeviceAdd); zero for a non-PnP (legacy) driver, such as one
 * that sets WdfDriverInitNonPnpDriver and creates control devices itself.
 */
KMDFHOST_API int KmdfHostDriverIsPnp(KH_DRIVER *Driver);

/*
 * Creates a root-enumerated device instance (InstanceId such as "ROOT\\ECHO\\0000")
 * and calls the driver's AddDevice routine for it (EvtDriverDeviceAdd).
 */
KMDFHOST_API KH_STATUS KmdfHostAddDevice(KH_DRIVER *Driver, const char *InstanceId,
                                         KH_DEVNODE **Node);

/* The most drivers one device stack may hold (filters and the function driver). */
#define KH_MAX_STACK_DRIVERS 16

/*
 * Creates a root-enumerated device instance whose stack holds several drivers, as the
 * LowerFilters, Service and UpperFilters registry values of a device name them on
 * Windows: AddDevice of each lower filter (in array order), of the function driver, then
 * of each upper filter; each attaches its device above the previous one, so requests
 * reach the last upper filter first. A failed AddDevice removes what was attached.
 */
KMDFHOST_API KH_STATUS KmdfHostAddDeviceStack(KH_DRIVER *Function, KH_DRIVER *const *LowerFilters,
                                              size_t LowerCount, KH_DRIVER *const *UpperFilters,
                                              size_t UpperCount, const char *InstanceId,
                                              KH_DEVNODE **Node);

/* IRP_MN_START_DEVICE and the move to D0; enables the device's interfaces. */
/*
 * Bus drivers' children. What an INF's models section does on Windows: the driver that
 * serves a device whose hardware (or compatible) ID is HardwareId (compared without
 * regard to case). When a bus driver reports a new child, the host looks its hardware
 * IDs up, then its compatible IDs, adds that driver's device over the child's PDO and
 * starts it; a child without a driver stays added and not started. Driver NULL removes
 * the mapping (STATUS_OBJECT_NAME_NOT_FOUND when there is none). The driver must stay
 * loaded while devices it serves exist.
 */
KMDFHOST_API KH_STATUS KmdfHostSetDriverForHardwareId(const char *HardwareId, KH_DRIVER *Driver);
/*
 * Waits until the PnP manager's queued work (re-enumerations a bus driver asked for
 * with IoInvalidateDeviceRelations, ejects) has run: after it, the children a bus
 * driver reported are started or removed.
 */
KMDFHOST_API void KmdfHostWaitForPnpIdle(void);
/*
 * The instance paths of a device's children that are not removed, as a UTF-8
 * multi-string (each NUL-terminated, an empty string last). *Required gets the size;
 * STATUS_BUFFER_TOO_SMALL when BufferSize is less.
 */
KMDFHOST_API KH_STATUS KmdfHostGetChildInstanceIds(KH_DEVNODE *Node, char *Buffer, size_t BufferSize,
                                                   size_t *Required);
/* IRP_MN_START_DEVICE; a bus is then asked for its children, which are started. */
KMDFHOST_API KH_STATUS KmdfHostStartDevice(KH_DEVNODE *Node);

/* The move to D3 (IRP_MN_SET_POWER): self-managed I/O suspend, D0 exit. */
KMDFHOST_API KH_STATUS KmdfHostSuspendDevice(KH_DEVNODE *Node);

/* The move back to D0: D0 entry, self-managed I/O restart. */
KMDFHOST_API KH_STATUS KmdfHostResumeDevice(KH_DEVNODE *Node);

/*
 * IRP_MN_SURPRISE_REMOVAL: the device is gone. Its interfaces are disabled at once, new
 * opens fail, I/O on open files fails, and the framework purges its queues. The node
 * stays until KmdfHostRemoveDevice.
 */
KMDFHOST_API KH_STATUS KmdfHostSurpriseRemoveDevice(KH_DEVNODE *Node);

/*
 * Sets the power setting SettingGuid (a GUID, 16 bytes) to the ValueLength bytes at
 * Value, as a power plan change does, and calls every callback drivers registered for
 * it with PoRegisterPowerSettingCallback, at PASSIVE_LEVEL on this thread, before
 * returning. A driver that registers later hears this value at once.
 */
KMDFHOST_API KH_STATUS KmdfHostSetPowerSetting(const void *SettingGuid, const void *Value, uint32_t ValueLength);

/*
 * IRP_MN_REMOVE_DEVICE. If files are still open on the device it is first
 * surprise-removed, as Windows does when a device leaves with handles open; the open
 * files stay valid for CloseHandle but all I/O on them fails. The device's children
 * (devices its bus driver enumerated) are removed first. Frees Node.
 */
KMDFHOST_API KH_STATUS KmdfHostRemoveDevice(KH_DEVNODE *Node);

/* ---------------------------------------------------------------------------------
 * I/O entry points of the C tests (applications use the NT services, kmdfhost_nt.h)
 * --------------------------------------------------------------------------------- */

/*
 * The interface GUIDs are 16 bytes in Windows' GUID layout (Data1, Data2 and Data3 in
 * the machine's byte order, then Data4).
 *
 * Lists the symbolic links of the enabled interfaces of that class, as
 * "\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}", in UTF-8, each
 * NUL-terminated, the list ended by an extra NUL (the CM_Get_Device_Interface_List
 * format). *Required receives the size needed; STATUS_BUFFER_TOO_SMALL when BufferSize
 * is less.
 */
KMDFHOST_API KH_STATUS KmdfHostGetInterfaceList(const uint8_t InterfaceClassGuid[16],
                                                char *Buffer, size_t BufferSize,
                                                size_t *Required);

/*
 * Device nodes and their setup data, for the SetupAPI and configuration manager functions
 * and for an INF's installation.
 *
 * KmdfHostGetDevnodeList: the instance IDs of the present device nodes ("ROOT\ECHO\0000"),
 * in creation order, UTF-8, in the CM_Get_Device_ID_List format; STATUS_BUFFER_TOO_SMALL
 * (with *Required) when BufferSize is less.
 * KmdfHostQueryDevnodeProperty: what IoGetDeviceProperty returns for the node's PDO
 * (DeviceProperty a DEVICE_REGISTRY_PROPERTY value, strings UTF-16LE);
 * STATUS_NO_SUCH_DEVICE when no node of that instance ID is present.
 * KmdfHostSetRegistryValue / KmdfHostQueryRegistryValue: one value of a registry key
 * named by its full path ("\Registry\Machine\System\CurrentControlSet\Enum\<instance>"),
 * Type a REG_* value, data as the registry keeps it (strings UTF-16LE); setting creates
 * the key (a NULL ValueName: the key only); querying a missing key or value gives STATUS_OBJECT_NAME_NOT_FOUND.
 */
KMDFHOST_API KH_STATUS KmdfHostGetDevnodeList(char *Buffer, size_t BufferSize, size_t *Required);
KMDFHOST_API KH_STATUS KmdfHostQueryDevnodeProperty(const char *InstanceId, uint32_t DeviceProperty, void *Buffer,
                                                    size_t BufferSize, size_t *Required);
KMDFHOST_API KH_STATUS KmdfHostSetRegistryValue(const char *KeyPath, const char *ValueName, uint32_t Type,
                                                const void *Data, size_t Size);
KMDFHOST_API KH_STATUS KmdfHostQueryRegistryValue(const char *KeyPath, const char *ValueName, uint32_t *Type,
                                                  void *Buffer, size_t BufferSize, size_t *Required);

/*
 * Opens a file object on the device that owns the interface Path (compared without
 * regard to case) and sends IRP_MJ_CREATE. STATUS_OBJECT_NAME_NOT_FOUND when no enabled
 * interface has that path.
 */
KMDFHOST_API KH_STATUS KmdfHostCreateFile(const char *Path, KH_FILE **File);

/* Called exactly once per submitted IRP, on whatever thread completes it. */
typedef void KH_IO_COMPLETION(void *Context, KH_STATUS Status, uint64_t Information);

#define KH_IRP_MJ_READ 0x03
#define KH_IRP_MJ_WRITE 0x04
#define KH_IRP_MJ_DEVICE_CONTROL 0x0e

/*
 * Builds an IRP for File (read, write or device control) and sends it to the device.
 * For read and write, Buffer/Length is the caller's buffer; for device control, Buffer
 * and Length are the input buffer and OutputBuffer/OutputLength the output buffer. The
 * buffers must stay valid until Completion has run: the I/O manager copies the data of
 * buffered I/O in at submission and out before Completion (Information bytes of a read
 * or of a device control's output).
 *
 * Returns what the dispatch routine returned: STATUS_PENDING, or the final status when
 * the IRP completed before the dispatch returned. In every case Completion runs exactly
 * once with the final status and information, possibly before this function returns.
 * Context identifies the IRP for KmdfHostCancelIo and must be unique among the file's
 * outstanding IRPs.
 */
KMDFHOST_API KH_STATUS KmdfHostSubmitIo(KH_FILE *File, uint8_t MajorFunction,
                                        uint32_t IoControlCode, void *Buffer, uint32_t Length,
                                        void *OutputBuffer, uint32_t OutputLength,
                                        KH_IO_COMPLETION *Completion, void *Context);

/*
 * IoCancelIrp on the file's outstanding IRP submitted with Context, or on all of the
 * file's outstanding IRPs when Context is NULL. Returns how many IRPs were found. The
 * cancellation completes asynchronously, through each IRP's Completion.
 */
KMDFHOST_API size_t KmdfHostCancelIo(KH_FILE *File, void *Context);

/*
 * The last handle to the file is being closed: cancels the file's outstanding IRPs,
 * then sends IRP_MJ_CLEANUP. Returns without waiting for the cancellations.
 */
KMDFHOST_API KH_STATUS KmdfHostCleanupFile(KH_FILE *File);

/*
 * Drops the handle's reference to the file object. IRP_MJ_CLOSE is sent, and File
 * freed, once the file's last outstanding IRP has completed.
 */
KMDFHOST_API void KmdfHostCloseFile(KH_FILE *File);

/* ---------------------------------------------------------------------------------
 * Verifier, fault injection, debug output
 * --------------------------------------------------------------------------------- */

/*
 * Receives each verifier report: RuleId such as "DOUBLE_COMPLETION" and the whole line
 * "VERIFIER: RULE_ID: what, where". With no sink (the default) the line is written to
 * stderr and the process aborts, as a bug check halts Windows.
 */
typedef void KH_VERIFIER_SINK(void *Context, const char *RuleId, const char *Line);
KMDFHOST_API void KmdfHostSetVerifierSink(KH_VERIFIER_SINK *Sink, void *Context);

/* How many verifier reports have been made since the process started. */
KMDFHOST_API uint64_t KmdfHostVerifierReportCount(void);

/*
 * Allocation failure injection. Every allocation made by a driver (pool, framework
 * objects, framework memory) and every allocation the framework makes on a driver's
 * behalf is one allocation point, counted from 0. KmdfHostFailAllocation(N) makes the
 * N-th allocation from now fail (once); -1 disables. KmdfHostAllocationCount returns how
 * many allocation points have been passed since the process started.
 */
KMDFHOST_API void KmdfHostFailAllocation(int64_t N);
KMDFHOST_API uint64_t KmdfHostAllocationCount(void);

/*
 * Where DbgPrint/KdPrint output goes: a file descriptor (2 for stderr), or -1 to drop
 * it (the default, as on Windows without a debugger). The environment variable
 * KMDFHOST_DBGPRINT=1 sends it to stderr from the start.
 */
KMDFHOST_API void KmdfHostSetDebugPrintFd(int Fd);

/* ---------------------------------------------------------------------------------
 * WMI: what a WMI client (wbemtest, Get-CimInstance) does on Windows
 * ---------------------------------------------------------------------------------
 *
 * Devices register with WMI through IoWMIRegistrationControl (a KMDF driver's device
 * does when it starts with WMI instances, and deregisters when it is removed); the host
 * asks each registered device for its data blocks (IRP_MN_REGINFO_EX) and sends it the
 * WMI IRPs (IRP_MJ_SYSTEM_CONTROL) that these functions describe. A block is named by
 * its GUID (16 bytes, Windows' layout); its instances are numbered from 0 across the
 * devices that provide it, in the order the devices registered (the static,
 * PDO-based instance names of KMDF, by index). The statuses are the WMI ones:
 * STATUS_WMI_GUID_NOT_FOUND (0xC0000295) for a GUID no device provides,
 * STATUS_WMI_INSTANCE_NOT_FOUND (0xC0000296) for an index past the instances,
 * STATUS_BUFFER_TOO_SMALL (0xC0000023) with the size needed in *DataSize, or what the
 * driver's callback returned (STATUS_WMI_READ_ONLY without a set callback,
 * STATUS_WMI_SET_FAILURE for a set of the wrong size, STATUS_WMI_ITEMID_NOT_FOUND ...).
 */
typedef struct KH_WMI_BLOCK {
    uint8_t Guid[16];
    uint32_t InstanceCount; /* over all the devices that provide it */
    uint32_t Flags;         /* WMIREG_FLAG_*: 0x1 expensive, 0x40 event only */
} KH_WMI_BLOCK;

/* The blocks of the registered devices (one entry per GUID); *Count receives how many
   there are, STATUS_BUFFER_TOO_SMALL when Capacity is less. */
KMDFHOST_API KH_STATUS KmdfHostWmiListBlocks(KH_WMI_BLOCK *Blocks, size_t Capacity, size_t *Count);

/* IRP_MN_QUERY_SINGLE_INSTANCE: the instance's data into Buffer; *DataSize receives its
   size (or, with STATUS_BUFFER_TOO_SMALL, the size needed). */
KMDFHOST_API KH_STATUS KmdfHostWmiQueryInstance(const uint8_t Guid[16], uint32_t InstanceIndex, void *Buffer,
                                                uint32_t BufferSize, uint32_t *DataSize);

/* IRP_MN_QUERY_ALL_DATA on every device that provides the block: each instance's data
   one after the other, each at an 8-byte aligned offset of Buffer, Offsets[i] and
   Lengths[i] describing instance i (up to MaxInstances of them); *InstanceCount receives
   the number of instances, *DataSize the bytes used (or needed, with
   STATUS_BUFFER_TOO_SMALL). */
KMDFHOST_API KH_STATUS KmdfHostWmiQueryAllData(const uint8_t Guid[16], void *Buffer, uint32_t BufferSize,
                                               uint32_t *DataSize, uint32_t *Offsets, uint32_t *Lengths,
                                               uint32_t MaxInstances, uint32_t *InstanceCount);

/* IRP_MN_CHANGE_SINGLE_INSTANCE: Data replaces the instance's block. */
KMDFHOST_API KH_STATUS KmdfHostWmiSetInstance(const uint8_t Guid[16], uint32_t InstanceIndex, const void *Data,
                                              uint32_t DataSize);

/* IRP_MN_CHANGE_SINGLE_ITEM: Data replaces the data item ItemId (its WmiDataId). */
KMDFHOST_API KH_STATUS KmdfHostWmiSetItem(const uint8_t Guid[16], uint32_t InstanceIndex, uint32_t ItemId,
                                          const void *Data, uint32_t DataSize);

/* IRP_MN_EXECUTE_METHOD: method MethodId (its WmiMethodId) with Input; the output goes
   to Output, its size to *OutputSize (or the size needed, STATUS_BUFFER_TOO_SMALL). */
KMDFHOST_API KH_STATUS KmdfHostWmiExecuteMethod(const uint8_t Guid[16], uint32_t InstanceIndex, uint32_t MethodId,
                                                const void *Input, uint32_t InputSize, void *Output,
                                                uint32_t OutputCapacity, uint32_t *OutputSize);

/* IRP_MN_ENABLE_EVENTS / DISABLE_EVENTS (Events nonzero) or IRP_MN_ENABLE_COLLECTION /
   DISABLE_COLLECTION (Events 0) to every device that provides the block. */
KMDFHOST_API KH_STATUS KmdfHostWmiEnable(const uint8_t Guid[16], int Events, int Enable);

/* Receives the WMI events drivers write (IoWMIWriteEvent, WdfWmiInstanceFireEvent): the
   block's GUID, the instance index on the device that fired it (or 0xFFFFFFFF for an
   event without one: a WNODE_EVENT_ITEM, or an instance named dynamically) and the
   event's data. Called on the thread that wrote the event,
   which may be a driver's at DISPATCH_LEVEL: copy and return. NULL stops delivery. */
typedef void KH_WMI_EVENT_CALLBACK(void *Context, const uint8_t Guid[16], uint32_t InstanceIndex,
                                   const void *Data, uint32_t DataSize);
KMDFHOST_API void KmdfHostWmiSetEventCallback(KH_WMI_EVENT_CALLBACK *Callback, void *Context);

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_H */
