/*
 * qtest.h - the contract between queue_test.c and its test driver qdriver.c: the device
 * controls the driver answers and the layouts of their outputs (plain 32-bit fields:
 * the driver's WCHAR is 16 bits, the test program's is not).
 */
#ifndef QTEST_H
#define QTEST_H

#include <stdint.h>

/* The test driver's interface class {8E2B7C41-5A3D-4C19-B6E0-2F7D9A1C3E55}. */
#define QTEST_GUID_DATA 0x8E2B7C41, 0x5A3D, 0x4C19, 0xB6, 0xE0, 0x2F, 0x7D, 0x9A, 0x1C, 0x3E, 0x55

#define QTEST_FN(function) ((0x8125u << 16) | ((function) << 2)) /* METHOD_BUFFERED */
/* Output: uint32_t, how often the manual queue's EvtIoQueueState (ready) ran. */
#define IOCTL_Q_READY_COUNT QTEST_FN(0x800)
/* Output: uint32_t, the reads of the caller's file waiting in the manual queue
   (WdfIoQueueFindRequest with the file object, each found request's parameters checked). */
#define IOCTL_Q_FIND_MINE QTEST_FN(0x801)
/* Completes the caller's file's waiting reads (WdfIoQueueRetrieveRequestByFileObject),
   each with its length of bytes equal to the file's sequence number. Output: uint32_t
   how many. */
#define IOCTL_Q_COMPLETE_MINE QTEST_FN(0x802)
/* WdfIoQueueFindRequest (first of any file), WdfIoQueueRetrieveFoundRequest, completes
   it with STATUS_SUCCESS; then the same found request again. Output: QTEST_FOUND. */
#define IOCTL_Q_RETRIEVE_FOUND QTEST_FN(0x803)
/* WdfIoQueueRetrieveNextRequest then WdfRequestRequeue on the manual queue, and
   WdfRequestRequeue on this device control itself. Output: QTEST_REQUEUE. */
#define IOCTL_Q_REQUEUE QTEST_FN(0x804)
/* Output: uint32_t, the sequence number the create stored in the file's context. */
#define IOCTL_Q_FILE_SEQUENCE QTEST_FN(0x805)
/* The WdfRegistry* battery on the device's keys. Output: QTEST_REGISTRY. */
#define IOCTL_Q_REGISTRY QTEST_FN(0x806)
/* Input: uint32_t DEVICE_REGISTRY_PROPERTY. Output: the property's bytes
   (WdfDeviceAllocAndQueryProperty); the status is the query's. */
#define IOCTL_Q_PROPERTY QTEST_FN(0x807)
/* Input: uint32_t property. WdfDeviceQueryProperty with a 2-byte buffer. Output:
   QTEST_PAIR {status, ResultLength}. */
#define IOCTL_Q_PROPERTY_SMALL QTEST_FN(0x808)
/* What WdfFdoInitQueryProperty gave in EvtDriverDeviceAdd. Output: QTEST_FDOINIT. */
#define IOCTL_Q_FDOINIT QTEST_FN(0x809)
/* Bad input: a wrongly typed handle to WdfIoQueueFindRequest, WdfIoQueueFindRequest on a
   parallel queue, WdfIoQueueReadyNotify on a parallel queue, a registry query at
   DISPATCH_LEVEL. Output: QTEST_BAD. */
#define IOCTL_Q_BAD_INPUT QTEST_FN(0x80A)

/* WdfDeviceSetDeviceState(DontDisplayInUI), then (NotDisableable) with the rest
   WdfUseDefault; WdfDeviceGetDeviceState. Output: QTEST_STATE (WDF_TRI_STATE values:
   0 false, 1 true, 2 use default). */
#define IOCTL_Q_DEVICE_STATE QTEST_FN(0x80B)

typedef struct QTEST_STATE {
    int32_t Disabled;
    int32_t DontDisplayInUI;
    int32_t NotDisableable;
} QTEST_STATE;

/* The file name whose create the driver fails with STATUS_ACCESS_DENIED. */
#define QTEST_DENIED_NAME "\\deny"

typedef struct QTEST_PAIR {
    int32_t Status;
    uint32_t Value;
} QTEST_PAIR;

typedef struct QTEST_FOUND {
    int32_t FindStatus;
    int32_t RetrieveStatus;
    int32_t RetrieveAgainStatus; /* STATUS_NOT_FOUND: it no longer waits there */
    int32_t FindAfterStatus;     /* WdfIoQueueFindRequest after the retrieved one: STATUS_NOT_FOUND */
} QTEST_FOUND;

typedef struct QTEST_REQUEUE {
    int32_t RetrieveStatus;
    int32_t RequeueStatus;
    uint32_t HeadIsRequeued; /* WdfIoQueueFindRequest(NULL) then finds it first */
    int32_t RequeueParallelStatus; /* STATUS_INVALID_DEVICE_REQUEST */
    uint32_t WaitingBefore;
    uint32_t WaitingAfter;
} QTEST_REQUEUE;

typedef struct QTEST_REGISTRY {
    int32_t OpenDeviceKey;
    int32_t AssignULong;
    int32_t QueryULong;
    uint32_t ULongValue;             /* 7 */
    int32_t AssignUnicodeString;
    int32_t QuerySmall;              /* STATUS_BUFFER_OVERFLOW */
    uint32_t SmallByteLength;        /* 12: "queue" and its NUL */
    int32_t QueryUnicodeString;
    uint32_t UnicodeLength;          /* 10 */
    uint32_t UnicodeMatches;
    int32_t QueryULongOfString;      /* STATUS_OBJECT_TYPE_MISMATCH */
    int32_t AssignMultiString;
    int32_t QueryMultiString;
    uint32_t MultiCount;             /* 2 */
    uint32_t MultiSecondMatches;     /* "beta" */
    int32_t QueryMemory;
    uint32_t MemorySize;             /* 4 */
    uint32_t MemoryType;             /* REG_DWORD */
    uint32_t MemoryValue;            /* 7 */
    int32_t CreateSubKey;
    uint32_t CreateDisposition;      /* REG_CREATED_NEW_KEY */
    int32_t CreateSubKeyAgain;
    uint32_t CreateAgainDisposition; /* REG_OPENED_EXISTING_KEY */
    int32_t RemoveSubKey;
    int32_t OpenRemovedSubKey;       /* STATUS_OBJECT_NAME_NOT_FOUND */
    int32_t RemoveValue;
    int32_t QueryRemovedValue;       /* STATUS_OBJECT_NAME_NOT_FOUND */
    int32_t OpenDriverKey;
    int32_t DriverKeySeesDeviceValue; /* STATUS_OBJECT_NAME_NOT_FOUND: another key */
    int32_t OpenParameters;
    int32_t QueryParameter;
    uint32_t ParameterValue;         /* what the test set: 42 */
    int32_t OpenEnumKey;             /* WdfRegistryOpenKey(NULL, full path of the instance) */
    int32_t AssignFriendlyName;      /* "Queue test device", then a property */
    int32_t AssignValue;             /* WdfRegistryAssignValue REG_BINARY */
    int32_t AssignMemory;            /* WdfRegistryAssignMemory with an offset */
    uint32_t AssignMemoryMatches;
    int32_t QueryString;             /* WdfRegistryQueryString */
    uint32_t QueryStringMatches;
    /* RtlQueryRegistryValues on RTL_REGISTRY_SERVICES "QDriver\Parameters", after
       RtlWriteRegistryValue of "Written" = 9. */
    int32_t RtlWrite;
    int32_t RtlQuery;
    uint32_t RtlAnswer;              /* DIRECT: 42 */
    uint32_t RtlWritten;             /* DIRECT: 9 */
    uint32_t RtlDefaulted;           /* DIRECT, missing, default 5 */
    uint32_t RtlValuesSeen;          /* a QueryRoutine over every value: 2 */
    int32_t RtlRequired;             /* REQUIRED and missing: STATUS_OBJECT_NAME_NOT_FOUND */
    int32_t RtlTypeCheck;            /* TYPECHECK REG_SZ on a REG_DWORD: STATUS_OBJECT_TYPE_MISMATCH */
} QTEST_REGISTRY;

typedef struct QTEST_FDOINIT {
    int32_t HardwareIdStatus;
    uint32_t HardwareIdLength;
    int32_t UINumberStatus;   /* STATUS_OBJECT_NAME_NOT_FOUND for a root device */
    int32_t AllocStatus;      /* WdfFdoInitAllocAndQueryProperty(EnumeratorName) */
    uint32_t AllocIsRoot;
    int32_t OpenKeyStatus;    /* WdfFdoInitOpenRegistryKey(PLUGPLAY_REGKEY_DEVICE) */
} QTEST_FDOINIT;

typedef struct QTEST_BAD {
    int32_t FindWrongHandle;     /* STATUS_INVALID_PARAMETER, after INVALID_HANDLE */
    int32_t FindOnParallel;      /* STATUS_INVALID_DEVICE_REQUEST */
    int32_t ReadyOnParallel;     /* STATUS_INVALID_DEVICE_REQUEST */
    int32_t ReadyTwice;          /* STATUS_INVALID_DEVICE_REQUEST */
    int32_t QueryAtDispatch;     /* STATUS_INVALID_DEVICE_REQUEST, after IRQL_TOO_HIGH_FOR_WAIT */
    int32_t ForwardToParent;     /* STATUS_INVALID_DEVICE_REQUEST: not a PDO that allows it */
} QTEST_BAD;

/*
 * The monitor driver (qmonitor.c) watches the test driver's interface as toastmon
 * watches toasters, and tells the test program what happened through these functions,
 * which the test program exports (the module resolves them against it):
 *   "arrival"          an interface arrived; 1 when it was opened as a remote I/O target
 *                      whose hardware ID (WdfIoTargetAllocAndQueryTargetProperty) is
 *                      root\QTEST
 *   "removal"          an interface went away
 *   "query-remove"     EvtIoTargetQueryRemove (it vetoes when QMonitorVeto() says so)
 *   "remove-cancelled" EvtIoTargetRemoveCanceled; the status of its reopen
 *   "remove-complete"  EvtIoTargetRemoveComplete; the target is deleted
 */
#define QTEST_EXPORT __attribute__((visibility("default")))
QTEST_EXPORT void QMonitorEvent(const char *Name, int64_t Value);
QTEST_EXPORT int QMonitorVeto(void);

#endif /* QTEST_H */
