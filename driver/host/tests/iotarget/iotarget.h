/*
 * iotarget.h - the contract between the I/O target tests (iotarget_test.c) and their two
 * drivers: iot_lower.c, a function driver, and iot_filter.c, a filter above it in the same
 * device stack that forwards, formats and sends requests through I/O targets.
 */
#ifndef IOTARGET_H
#define IOTARGET_H

#define IOT_DEVICE_TYPE 0x8123u
#define IOT_CTL(function, method) (((IOT_DEVICE_TYPE) << 16) | ((function) << 2) | (method))

/* Handled by the lower (function) driver. */
#define IOCTL_IOT_LOWER_REVERSE IOT_CTL(0x800, 0)  /* buffered: output = input reversed */
#define IOCTL_IOT_LOWER_PARK IOT_CTL(0x801, 0)     /* kept, cancelable, until cancelled */
#define IOCTL_IOT_LOWER_COUNT IOT_CTL(0x802, 0)    /* output: ULONG, requests seen so far */
#define IOCTL_IOT_LOWER_ADD_ONE IOT_CTL(0x803, 0)  /* internal: ULONG in, ULONG + 1 out */
#define IOCTL_IOT_LOWER_WHO IOT_CTL(0x804, 0)      /* output: ULONG 'L' (answered by the lower) */
#define IOCTL_IOT_LOWER_OTHERS IOT_CTL(0x805, 3)   /* internal, Others: *Arg4 = *Arg1 + *Arg2 (ULONGs) */

/* Handled by the filter (each returns IOT_RESULT unless noted). */
#define IOCTL_IOT_FILTER_SYNC_READ IOT_CTL(0x900, 0)    /* WdfIoTargetSendReadSynchronously; output: data */
#define IOCTL_IOT_FILTER_FORMATTED IOT_CTL(0x901, 0)    /* own request, FormatRequestForIoctl (reverse), async */
#define IOCTL_IOT_FILTER_STOP IOT_CTL(0x902, 0)         /* WdfIoTargetStop(input: WDF_IO_TARGET_SENT_IO_ACTION) */
#define IOCTL_IOT_FILTER_START IOT_CTL(0x903, 0)        /* WdfIoTargetStart */
#define IOCTL_IOT_FILTER_STATE IOT_CTL(0x904, 0)        /* Value: WdfIoTargetGetState */
#define IOCTL_IOT_FILTER_CLOSED_SEND IOT_CTL(0x905, 0)  /* WdfRequestSend to a target never opened */
#define IOCTL_IOT_FILTER_REMOTE IOT_CTL(0x906, 0)       /* remote target by name and by device */
#define IOCTL_IOT_FILTER_REUSE IOT_CTL(0x907, 0)        /* one request, reused: internal ioctls */
#define IOCTL_IOT_FILTER_TIMEOUT IOT_CTL(0x908, 0)      /* synchronous PARK with a 20 ms time-out */
#define IOCTL_IOT_FILTER_SYNC_SEND IOT_CTL(0x909, 0)    /* WdfRequestSend(SYNCHRONOUS) of WHO */
#define IOCTL_IOT_FILTER_LAST_COMPLETION IOT_CTL(0x90A, 0) /* the last read's completion params */
#define IOCTL_IOT_FILTER_BAD_INPUT IOT_CTL(0x90B, 0)    /* documented failures of bad arguments */
#define IOCTL_IOT_FILTER_OTHERS IOT_CTL(0x90C, 0)       /* internal Others requests: Value, Data[0..3] sums */

/* Handled by the pass-through filter at the top of the stack: output ULONG 'P'. */
#define IOCTL_IOT_PASS_WHO IOT_CTL(0xA00, 0)

/* The lower device's name, which a remote target opens by name. */
#define IOT_LOWER_DEVICE_NAME L"\\Device\\KhIotLower"

typedef struct IOT_RESULT {
    int Status;         /* NTSTATUS of the operation */
    int Value;          /* operation-specific */
    int Type;           /* WDF_REQUEST_TYPE in completion params */
    int Returned;       /* WdfRequestSend's return value */
    unsigned long long Information;
    unsigned char Data[32];
} IOT_RESULT;

#endif /* IOTARGET_H */
