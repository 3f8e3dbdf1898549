/*
 * khtest.h - shared support for the host's C test programs.
 *
 * - Checks: KT_CHECK counts a passed or failed assertion and prints the failed ones with
 *   their place; KtFinish prints "N passed, N failed" and gives the exit status.
 * - Events: a manual-reset event on a pthread mutex and condition (monotonic clock).
 * - I/O: a KT_IO records the completion of one submitted IRP (how many times the
 *   completion callback ran, the final status and information, when and in which order).
 * - The host: load a driver module from $KMDFHOST_DRIVER_DIR, add and start a device
 *   instance, find and open its interface, remove it and unload the driver.
 * - The verifier: a capture sink that records every report instead of aborting.
 * - Child processes: run this program again with other arguments and collect its stderr
 *   and how it ended.
 *
 * Test programs use pthreads and clocks directly; the host's one-door rule (hostos.h)
 * is for the host itself.
 */
#ifndef KHTEST_H
#define KHTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "kmdfhost.h"

/* ------------------------------------------------------------------ NTSTATUS values */

#define KT_STATUS_SUCCESS ((KH_STATUS)0x00000000)
#define KT_STATUS_PENDING ((KH_STATUS)0x00000103)
#define KT_STATUS_BUFFER_OVERFLOW ((KH_STATUS)0x80000005)
#define KT_STATUS_INVALID_DEVICE_REQUEST ((KH_STATUS)0xC0000010)
#define KT_STATUS_INSUFFICIENT_RESOURCES ((KH_STATUS)0xC000009A)
#define KT_STATUS_CANCELLED ((KH_STATUS)0xC0000120)
#define KT_STATUS_BUFFER_TOO_SMALL ((KH_STATUS)0xC0000023)
#define KT_STATUS_OBJECT_NAME_NOT_FOUND ((KH_STATUS)0xC0000034)
#define KT_NT_SUCCESS(s) ((KH_STATUS)(s) >= 0)

/* Safety net for every wait of the tests: a wait that runs out is a failure, not a pace. */
#define KT_WAIT_MS 20000u

/* ---------------------------------------------------------------------------- checks */

/* Counts one check; prints it when it fails. Returns Condition. */
bool KtCheckAt(bool Condition, const char *File, int Line, const char *Text,
               const char *Format, ...) __attribute__((format(printf, 5, 6)));

#define KT_CHECK(cond) KtCheckAt((cond), __FILE__, __LINE__, #cond, NULL)
#define KT_CHECKF(cond, ...) KtCheckAt((cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
/* Checks a status; Actual is evaluated once. */
bool KtCheckStatusAt(KH_STATUS Actual, KH_STATUS Expected, const char *File, int Line,
                     const char *Text);
#define KT_CHECK_STATUS(actual, expected)                                                   \
    KtCheckStatusAt((KH_STATUS)(actual), (KH_STATUS)(expected), __FILE__, __LINE__,         \
                    #actual " == " #expected)

/* Prints a line naming the scenario that runs next. */
void KtSection(const char *Format, ...) __attribute__((format(printf, 1, 2)));

/* Prints "N passed, N failed" and returns the exit status (0 when nothing failed). */
int KtFinish(void);

/* How many checks have failed so far. */
unsigned KtFailedCount(void);

/* Monotonic time in nanoseconds. */
uint64_t KtNowNs(void);

/* ---------------------------------------------------------------------------- events */

typedef struct KT_EVENT {
    pthread_mutex_t Mutex;
    pthread_cond_t Cond;
    bool Signaled;
} KT_EVENT;

void KtEventInit(KT_EVENT *Event);
void KtEventDestroy(KT_EVENT *Event);
void KtEventSet(KT_EVENT *Event);
void KtEventReset(KT_EVENT *Event);
/* Waits until the event is set; false when TimeoutMs ran out first. */
bool KtEventWait(KT_EVENT *Event, uint32_t TimeoutMs);

/* -------------------------------------------------------------------------------- I/O */

typedef struct KT_IO {
    pthread_mutex_t Mutex;
    pthread_cond_t Cond;
    int Completions;        /* how many times the completion callback ran */
    KH_STATUS Status;       /* final status of the first completion */
    uint64_t Information;   /* information of the first completion */
    uint64_t CompletedNs;   /* KtNowNs() at the first completion */
    uint64_t Order;         /* 1, 2, 3... in the order completions arrived, process-wide */
    KH_STATUS SubmitStatus; /* what KmdfHostSubmitIo returned */
    uint8_t Major;
    uint8_t *Buffer;        /* the caller's buffer (input of a write or IOCTL, read target) */
    uint32_t Length;
    uint8_t *Output;        /* IOCTL output buffer */
    uint32_t OutputLength;
} KT_IO;

/* A KT_IO with a zeroed buffer of BufferLength bytes (and OutputLength output bytes). */
KT_IO *KtIoCreate(uint32_t BufferLength, uint32_t OutputLength);
/* Frees it; the IRP must have completed. */
void KtIoFree(KT_IO *Io);

/* Submits a write of Data[0..Length) (copied into the KT_IO's buffer first). */
KH_STATUS KtSubmitWrite(KH_FILE *File, KT_IO *Io, const void *Data, uint32_t Length);
/* Submits a read of Length bytes into the KT_IO's buffer. */
KH_STATUS KtSubmitRead(KH_FILE *File, KT_IO *Io, uint32_t Length);
/* Submits a device control with InLength input and OutLength output bytes. */
KH_STATUS KtSubmitIoctl(KH_FILE *File, KT_IO *Io, uint32_t Code, uint32_t InLength,
                        uint32_t OutLength);

/* Waits for the first completion; false on time-out. */
bool KtIoWait(KT_IO *Io, uint32_t TimeoutMs);
/* True once the completion callback has run (does not wait). */
bool KtIoDone(KT_IO *Io);
/* How many times the completion callback has run. */
int KtIoCompletions(KT_IO *Io);

/* A recognizable pattern: byte i of pattern Seed. */
void KtFillPattern(uint8_t *Buffer, uint32_t Length, uint32_t Seed);
bool KtCheckPattern(const uint8_t *Buffer, uint32_t Length, uint32_t Seed);

/* -------------------------------------------------------------------------- the host */

typedef struct KT_DEVICE {
    KH_DRIVER *Driver;
    KH_DEVNODE *Node;
    char InterfacePath[512];
} KT_DEVICE;

/* $KMDFHOST_DRIVER_DIR/FileName into Path; false when the variable is not set. */
bool KtDriverPath(const char *FileName, char *Path, size_t Size);

/* Initializes the host and loads $KMDFHOST_DRIVER_DIR/FileName for ServiceName. */
KH_STATUS KtLoadDriver(KT_DEVICE *Device, const char *FileName, const char *ServiceName);

/* Adds and starts InstanceId, then finds the interface of class Guid whose path
   contains the instance id in interface-path form ("ROOT#ECHO#0000"). */
KH_STATUS KtAddAndStart(KT_DEVICE *Device, const char *InstanceId, const uint8_t Guid[16]);

/* Opens Device->InterfacePath. */
KH_STATUS KtOpen(KT_DEVICE *Device, KH_FILE **File);

/* Cleanup then close, as CloseHandle does for the last handle. */
void KtCloseFile(KH_FILE *File);

/* Removes the device (if any) and unloads the driver (if any), checking both succeed. */
void KtRemoveAndUnload(KT_DEVICE *Device);

/* KtRemoveAndUnload, then checks that the verifier reported nothing (Where names the
   moment in the failure message). */
void KtTeardown(KT_DEVICE *Device, const char *Where);

/* Puts a GUID given as on Windows into the 16-byte layout of kmdfhost.h. */
void KtGuid(uint8_t Out[16], uint32_t Data1, uint16_t Data2, uint16_t Data3, uint8_t B0,
            uint8_t B1, uint8_t B2, uint8_t B3, uint8_t B4, uint8_t B5, uint8_t B6,
            uint8_t B7);

/* -------------------------------------------------------------------------- verifier */

/* Installs the capture sink (every report recorded and echoed to stderr, no abort). */
void KtVerifierCapture(void);
/* Forgets what was captured. */
void KtVerifierReset(void);
/* How many reports with RuleId (all reports when NULL) were captured. */
size_t KtVerifierCount(const char *RuleId);
/* True when a captured line of RuleId starts exactly with "VERIFIER: <RuleId>: ". */
bool KtVerifierSawLine(const char *RuleId);
/* True when a captured line of RuleId contains Text (compared without regard to case). */
bool KtVerifierSawText(const char *RuleId, const char *Text);
/* Prints every captured line to stderr. */
void KtVerifierDump(void);
/* Checks that nothing was captured, naming what was. */
void KtCheckNoVerifierReports(const char *Where);

/* ------------------------------------------------------------------- child processes */

typedef struct KT_CHILD_RESULT {
    bool Started;
    bool Exited;       /* ended by exit; ExitCode valid */
    int ExitCode;
    bool Signaled;     /* killed by a signal; Signal valid */
    int Signal;
    char Stderr[16384]; /* what it wrote on stderr (truncated), NUL-terminated */
} KT_CHILD_RESULT;

/*
 * Runs this program (/proc/self/exe) again with Argv (Argv[0] is replaced), its stderr
 * captured, and waits up to TimeoutMs for it to end (then kills it and reports a
 * time-out as Started && !Exited && !Signaled).
 */
void KtRunSelf(char *const Argv[], uint32_t TimeoutMs, KT_CHILD_RESULT *Result);

/* Switches core dumps off for this process and its children (expected aborts). */
void KtNoCoreDumps(void);

#endif /* KHTEST_H */
