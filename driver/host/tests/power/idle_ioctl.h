/*
 * idle_ioctl.h - what idle_driver.c and power_test.c agree on: the device controls and
 * their buffers. Plain C types only: both the driver (WDK headers) and the test program
 * (kmdfhost.h) include it.
 */
#ifndef IDLE_IOCTL_H
#define IDLE_IOCTL_H

#define IDLE_DEVICE_TYPE 0x8125u
#define IDLE_CTL(function) ((IDLE_DEVICE_TYPE << 16) | ((function) << 2)) /* METHOD_BUFFERED, FILE_ANY_ACCESS */
#define IOCTL_IDLE_STATE IDLE_CTL(0x800)
#define IOCTL_IDLE_WAIT IDLE_CTL(0x801)
#define IOCTL_IDLE_STOP IDLE_CTL(0x802)
#define IOCTL_IDLE_RESUME IDLE_CTL(0x803)
#define IOCTL_IDLE_STOP_DISPATCH IDLE_CTL(0x804)
#define IOCTL_IDLE_ASSIGN IDLE_CTL(0x805)
#define IOCTL_IDLE_BAD_SETTINGS IDLE_CTL(0x806)

/* {3F1B7A52-6C0D-4B8E-9A41-2D5E7C9B0F13} */
#ifdef DEFINE_GUID
DEFINE_GUID(GUID_DEVINTERFACE_IDLE_TEST, 0x3f1b7a52, 0x6c0d, 0x4b8e, 0x9a, 0x41, 0x2d, 0x5e, 0x7c, 0x9b, 0x0f, 0x13);
#endif

typedef struct IDLE_STATE {
    unsigned int D0Entries;
    unsigned int D0Exits;
    unsigned int LastEntryPrevious; /* WDF_POWER_DEVICE_STATE */
    unsigned int LastExitTarget;    /* WDF_POWER_DEVICE_STATE */
    unsigned int InD0;
    unsigned int Presented;          /* reads and writes presented */
    unsigned int PresentedOutsideD0; /* ... while the device was not in D0 */
    int AssignStatus;                /* WdfDeviceAssignS0IdleSettings in EvtDriverDeviceAdd */
    int StopIdleStatus;              /* WdfDeviceStopIdle there (NotPolicyOwner only) */
    /* UsePoFx: the power framework's callbacks for component 0 */
    unsigned int PoFxRegistered;     /* EvtDeviceWdmPostPoFxRegisterDevice */
    unsigned int ActiveConditions;   /* ComponentActiveConditionCallback */
    unsigned int IdleConditions;     /* ComponentIdleConditionCallback */
    unsigned int FState;             /* the last ComponentIdleStateCallback's state */
    unsigned int FStateChanges;
    unsigned int ComponentActive;    /* between the active and the idle condition */
    unsigned int PresentedWhileComponentIdle;
    unsigned int ReadsPreprocessed;    /* EvtDeviceWdmIrpPreprocess for IRP_MJ_READ */
    unsigned int SetPowerPreprocessed; /* ... for IRP_MJ_POWER / IRP_MN_SET_POWER */
    unsigned int WakeCallbacks;        /* WdfDeviceInitSetPowerPolicyEventCallbacks' callbacks */
} IDLE_STATE;

typedef struct IDLE_WAIT {
    unsigned int D0Entries;
    unsigned int D0Exits;
    unsigned int IdleConditions;
} IDLE_WAIT;

typedef struct IDLE_STOP {
    int Status;
    unsigned int InD0;
} IDLE_STOP;

typedef struct IDLE_ASSIGN {
    unsigned int TimeoutMs;
    unsigned int Enabled; /* WDF_TRI_STATE */
} IDLE_ASSIGN;

typedef struct IDLE_BAD {
    int WrongSize;
    int DxStateD0;
    int CanWakeFromS0;
    int BadEnabled;
    int ChangedTimeoutType;
    int SxWake;
    int SxWakeD0;
    int SxWakeDisabled;
} IDLE_BAD;

#endif /* IDLE_IOCTL_H */
