/*
 * ntdd8042.h - the i8042 port driver's hook interface (WDK ntdd8042.h) for the user-mode
 * KMDF host: the internal IOCTLs by which a keyboard or mouse filter above i8042prt
 * hooks its initialization and interrupt processing, and the callbacks they exchange.
 * Names, values and layouts follow Microsoft's documentation:
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntdd8042/
 * The host has no i8042 controller: a filter that sends these requests down gets them
 * completed by whatever lies below it, as on a machine without one.
 */
#ifndef _NTDD8042_
#define _NTDD8042_

#include <wdm.h>
#include <ntddkbd.h>
#include <ntddmou.h>

#define IOCTL_INTERNAL_I8042_HOOK_KEYBOARD CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0FF0, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_I8042_KEYBOARD_WRITE_BUFFER                                                               \
    CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0FF1, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_I8042_CONTROLLER_WRITE_BUFFER                                                             \
    CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0FF2, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_I8042_KEYBOARD_START_INFORMATION                                                          \
    CTL_CODE(FILE_DEVICE_KEYBOARD, 0x0FF3, METHOD_NEITHER, FILE_ANY_ACCESS)

#define IOCTL_INTERNAL_I8042_HOOK_MOUSE CTL_CODE(FILE_DEVICE_MOUSE, 0x0FF0, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_I8042_MOUSE_WRITE_BUFFER CTL_CODE(FILE_DEVICE_MOUSE, 0x0FF1, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_INTERNAL_I8042_MOUSE_START_INFORMATION                                                             \
    CTL_CODE(FILE_DEVICE_MOUSE, 0x0FF3, METHOD_NEITHER, FILE_ANY_ACCESS)

/* System buttons an i8042 keyboard may report. */
#define I8042_POWER_SYS_BUTTON 0x0001
#define I8042_SLEEP_SYS_BUTTON 0x0002
#define I8042_WAKE_SYS_BUTTON 0x0004
#define I8042_SYS_BUTTONS (I8042_POWER_SYS_BUTTON | I8042_SLEEP_SYS_BUTTON | I8042_WAKE_SYS_BUTTON)

/* Bytes being written to the device. */
typedef enum _TRANSMIT_STATE { Idle = 0, SendingBytes } TRANSMIT_STATE;

typedef struct _OUTPUT_PACKET {
    PUCHAR Bytes;
    ULONG CurrentByte;
    ULONG ByteCount;
    TRANSMIT_STATE State;
} OUTPUT_PACKET, *POUTPUT_PACKET;

/* Where the keyboard ISR is in a scan code sequence. */
typedef enum _KEYBOARD_SCAN_STATE { Normal, GotE0, GotE1 } KEYBOARD_SCAN_STATE, *PKEYBOARD_SCAN_STATE;

/* Where the mouse ISR is in a packet. */
typedef enum _MOUSE_STATE {
    MouseIdle,
    XMovement,
    YMovement,
    ZMovement,
    MouseExpectingACK,
    MouseResetting
} MOUSE_STATE, *PMOUSE_STATE;

/* Where the mouse ISR is in the reset sequence (MouseState == MouseResetting). */
typedef enum _MOUSE_RESET_SUBSTATE {
    ExpectingReset,
    ExpectingResetId,
    ExpectingGetDeviceIdACK,
    ExpectingGetDeviceIdValue,
    ExpectingSetResolutionDefaultACK,
    ExpectingSetResolutionDefaultValueACK,
    ExpectingSetResolutionACK,
    ExpectingSetResolutionValueACK,
    ExpectingSetScaling1to1ACK,
    ExpectingSetScaling1to1ACK2,
    ExpectingSetScaling1to1ACK3,
    ExpectingReadMouseStatusACK,
    ExpectingReadMouseStatusByte1,
    ExpectingReadMouseStatusByte2,
    ExpectingReadMouseStatusByte3,
    StartPnPIdDetection,
    ExpectingLoopSetSamplingRateACK,
    ExpectingLoopSetSamplingRateValueACK,
    ExpectingPnpIdByte1,
    ExpectingPnpIdByte2,
    ExpectingPnpIdByte3,
    ExpectingPnpIdByte4,
    ExpectingPnpIdByte5,
    ExpectingPnpIdByte6,
    ExpectingPnpIdByte7,
    EnableWheel,
    Enable5Buttons,
    ExpectingGetDeviceId2ACK,
    ExpectingGetDeviceId2Value,
    ExpectingSetSamplingRateACK,
    ExpectingSetSamplingRateValueACK,
    ExpectingEnableACK,
    ExpectingFinalResolutionACK,
    ExpectingFinalResolutionValueACK,
    ExpectingGetDeviceIdDetectACK,
    ExpectingGetDeviceIdDetectValue,
    CustomHookStateMinimum = 100,
    CustomHookStateMaximum = 999,
    I8042ReservedMinimum = 1000
} MOUSE_RESET_SUBSTATE, *PMOUSE_RESET_SUBSTATE;

/* IOCTL_INTERNAL_I8042_*_START_INFORMATION's input. */
typedef struct _INTERNAL_I8042_START_INFORMATION {
    ULONG Size;
    PKINTERRUPT InterruptObject;
    ULONG Reserved[8];
} INTERNAL_I8042_START_INFORMATION, *PINTERNAL_I8042_START_INFORMATION;

/* What i8042prt gives a filter to call from its hooks. */
typedef VOID (*PI8042_ISR_WRITE_PORT)(_In_ PVOID Context, _In_ UCHAR Value);
typedef VOID (*PI8042_QUEUE_PACKET)(_In_ PVOID Context);
typedef NTSTATUS (*PI8042_SYNCH_READ_PORT)(_In_ PVOID Context, _Out_ PUCHAR Value, _In_ BOOLEAN WaitForACK);
typedef NTSTATUS (*PI8042_SYNCH_WRITE_PORT)(_In_ PVOID Context, _In_ UCHAR Value, _In_ BOOLEAN WaitForACK);

/* The hooks a keyboard filter installs. */
typedef NTSTATUS (*PI8042_KEYBOARD_INITIALIZATION_ROUTINE)(_In_ PVOID InitializationContext,
                                                            _In_ PVOID SynchFuncContext,
                                                            _In_ PI8042_SYNCH_READ_PORT ReadPort,
                                                            _In_ PI8042_SYNCH_WRITE_PORT WritePort,
                                                            _Out_ PBOOLEAN TurnTranslationOn);
typedef BOOLEAN (*PI8042_KEYBOARD_ISR)(_In_ PVOID IsrContext, _In_ PKEYBOARD_INPUT_DATA CurrentInput,
                                       _In_ POUTPUT_PACKET CurrentOutput, _In_ UCHAR StatusByte, _In_ PUCHAR Byte,
                                       _Out_ PBOOLEAN ContinueProcessing, _In_ PKEYBOARD_SCAN_STATE ScanState);

/* IOCTL_INTERNAL_I8042_HOOK_KEYBOARD's input: the filter replaces Context,
   InitializationRoutine and IsrRoutine, and keeps the other three. */
typedef struct _INTERNAL_I8042_HOOK_KEYBOARD {
    PVOID Context;
    PI8042_KEYBOARD_INITIALIZATION_ROUTINE InitializationRoutine;
    PI8042_KEYBOARD_ISR IsrRoutine;
    PI8042_ISR_WRITE_PORT IsrWritePort;
    PI8042_QUEUE_PACKET QueueKeyboardPacket;
    PVOID CallContext;
} INTERNAL_I8042_HOOK_KEYBOARD, *PINTERNAL_I8042_HOOK_KEYBOARD;

/* The hook a mouse filter installs. */
typedef BOOLEAN (*PI8042_MOUSE_ISR)(_In_ PVOID IsrContext, _In_ PMOUSE_INPUT_DATA CurrentInput,
                                    _In_ POUTPUT_PACKET CurrentOutput, _In_ UCHAR StatusByte, _In_ PUCHAR Byte,
                                    _Inout_ PBOOLEAN ContinueProcessing, _In_ PMOUSE_STATE MouseState,
                                    _In_ PMOUSE_RESET_SUBSTATE ResetSubState);

/* IOCTL_INTERNAL_I8042_HOOK_MOUSE's input. */
typedef struct _INTERNAL_I8042_HOOK_MOUSE {
    PVOID Context;
    PI8042_MOUSE_ISR IsrRoutine;
    PI8042_ISR_WRITE_PORT IsrWritePort;
    PI8042_QUEUE_PACKET QueueMousePacket;
    PVOID CallContext;
} INTERNAL_I8042_HOOK_MOUSE, *PINTERNAL_I8042_HOOK_MOUSE;

#endif /* _NTDD8042_ */
