/*
 * wdfusb.h - USB targets: USB devices, interfaces and pipes, and URB formatting (WDK wdfusb.h).
 *
 * Declared with the documented names, values and layouts. The host implements the
 * functions it lists in its README; a driver that calls another one loads, and the call is
 * reported as UNIMPLEMENTED_DDI.
 */
#ifndef _WDFUSB_H_
#define _WDFUSB_H_

#include <usbdi.h>
#include <wdfobject.h>

WDF_EXTERN_C_START

#define BMREQUEST_HOST_TO_DEVICE 0

#define BMREQUEST_DEVICE_TO_HOST 1

#define BMREQUEST_STANDARD 0

#define BMREQUEST_CLASS 1

#define BMREQUEST_VENDOR 2

#define BMREQUEST_TO_DEVICE 0

#define BMREQUEST_TO_INTERFACE 1

#define BMREQUEST_TO_ENDPOINT 2

#define BMREQUEST_TO_OTHER 3

typedef enum _WDF_USB_REQUEST_TYPE {
    WdfUsbRequestTypeInvalid = 0,
    WdfUsbRequestTypeNoFormat,
    WdfUsbRequestTypeDeviceString,
    WdfUsbRequestTypeDeviceControlTransfer,
    WdfUsbRequestTypeDeviceUrb,
    WdfUsbRequestTypePipeWrite,
    WdfUsbRequestTypePipeRead,
    WdfUsbRequestTypePipeAbort,
    WdfUsbRequestTypePipeReset,
    WdfUsbRequestTypePipeUrb,
} WDF_USB_REQUEST_TYPE, *PWDF_USB_REQUEST_TYPE;

typedef enum _WDF_USB_BMREQUEST_DIRECTION {
    BmRequestHostToDevice = BMREQUEST_HOST_TO_DEVICE,
    BmRequestDeviceToHost = BMREQUEST_DEVICE_TO_HOST,
} WDF_USB_BMREQUEST_DIRECTION;

typedef enum _WDF_USB_BMREQUEST_TYPE {
    BmRequestStandard = BMREQUEST_STANDARD,
    BmRequestClass = BMREQUEST_CLASS,
    BmRequestVendor = BMREQUEST_VENDOR,
} WDF_USB_BMREQUEST_TYPE;

typedef enum _WDF_USB_BMREQUEST_RECIPIENT {
    BmRequestToDevice = BMREQUEST_TO_DEVICE,
    BmRequestToInterface = BMREQUEST_TO_INTERFACE,
    BmRequestToEndpoint = BMREQUEST_TO_ENDPOINT,
    BmRequestToOther = BMREQUEST_TO_OTHER,
} WDF_USB_BMREQUEST_RECIPIENT;

typedef enum _WDF_USB_PIPE_TYPE {
    WdfUsbPipeTypeInvalid = 0,
    WdfUsbPipeTypeControl,
    WdfUsbPipeTypeIsochronous,
    WdfUsbPipeTypeBulk,
    WdfUsbPipeTypeInterrupt,
} WDF_USB_PIPE_TYPE;

typedef enum _WdfUsbTargetDeviceSelectConfigType {
    WdfUsbTargetDeviceSelectConfigTypeInvalid = 0,
    WdfUsbTargetDeviceSelectConfigTypeDeconfig = 1,
    WdfUsbTargetDeviceSelectConfigTypeSingleInterface = 2,
    WdfUsbTargetDeviceSelectConfigTypeMultiInterface = 3,
    WdfUsbTargetDeviceSelectConfigTypeInterfacesPairs = 4,
    WdfUsbTargetDeviceSelectConfigTypeInterfacesDescriptor = 5,
    WdfUsbTargetDeviceSelectConfigTypeUrb = 6,
} WdfUsbTargetDeviceSelectConfigType;

typedef enum _WdfUsbTargetDeviceSelectSettingType {
    WdfUsbInterfaceSelectSettingTypeDescriptor = 0x10,
    WdfUsbInterfaceSelectSettingTypeSetting = 0x11,
    WdfUsbInterfaceSelectSettingTypeUrb = 0x12,
} WdfUsbTargetDeviceSelectSettingType;

typedef enum _WDF_USB_DEVICE_TRAITS {
    WDF_USB_DEVICE_TRAIT_SELF_POWERED = 0x00000001,
    WDF_USB_DEVICE_TRAIT_REMOTE_WAKE_CAPABLE = 0x00000002,
    WDF_USB_DEVICE_TRAIT_AT_HIGH_SPEED = 0x00000004,
} WDF_USB_DEVICE_TRAITS;

typedef union _WDF_USB_CONTROL_SETUP_PACKET {
    struct {
        union {
            struct {
                BYTE Recipient:2;
                BYTE Reserved:3;
                BYTE Type:2;
                BYTE Dir:1;
            } Request;
            BYTE Byte;
        } bm;
        BYTE bRequest;
        union {
            struct {
                BYTE LowByte;
                BYTE HiByte;
            } Bytes;
            USHORT Value;
        } wValue;
        union {
            struct {
                BYTE LowByte;
                BYTE HiByte;
            } Bytes;
            USHORT Value;
        } wIndex;
        USHORT wLength;
    } Packet;
    struct {
        BYTE Bytes[8];
    } Generic;
} WDF_USB_CONTROL_SETUP_PACKET, *PWDF_USB_CONTROL_SETUP_PACKET;

typedef struct _WDF_USB_REQUEST_COMPLETION_PARAMS {
    USBD_STATUS UsbdStatus;
    WDF_USB_REQUEST_TYPE Type;
    union {
        struct {
            WDFMEMORY Buffer;
            USHORT LangID;
            UCHAR StringIndex;
            UCHAR RequiredSize;
        } DeviceString;
        struct {
            WDFMEMORY Buffer;
            WDF_USB_CONTROL_SETUP_PACKET SetupPacket;
            ULONG Length;
        } DeviceControlTransfer;
        struct {
            WDFMEMORY Buffer;
        } DeviceUrb;
        struct {
            WDFMEMORY Buffer;
            size_t Length;
            size_t Offset;
        } PipeWrite;
        struct {
            WDFMEMORY Buffer;
            size_t Length;
            size_t Offset;
        } PipeRead;
        struct {
            WDFMEMORY Buffer;
        } PipeUrb;
    } Parameters;
} WDF_USB_REQUEST_COMPLETION_PARAMS, *PWDF_USB_REQUEST_COMPLETION_PARAMS;

typedef VOID EVT_WDF_USB_READER_COMPLETION_ROUTINE(WDFUSBPIPE Pipe, WDFMEMORY Buffer, size_t NumBytesTransferred, WDFCONTEXT Context);
typedef EVT_WDF_USB_READER_COMPLETION_ROUTINE *PFN_WDF_USB_READER_COMPLETION_ROUTINE;

typedef BOOLEAN EVT_WDF_USB_READERS_FAILED(WDFUSBPIPE Pipe, NTSTATUS Status, USBD_STATUS UsbdStatus);
typedef EVT_WDF_USB_READERS_FAILED *PFN_WDF_USB_READERS_FAILED;

typedef struct _WDF_USB_CONTINUOUS_READER_CONFIG {
    ULONG Size;
    size_t TransferLength;
    size_t HeaderLength;
    size_t TrailerLength;
    UCHAR NumPendingReads;
    PWDF_OBJECT_ATTRIBUTES BufferAttributes;
    PFN_WDF_USB_READER_COMPLETION_ROUTINE EvtUsbTargetPipeReadComplete;
    WDFCONTEXT EvtUsbTargetPipeReadCompleteContext;
    PFN_WDF_USB_READERS_FAILED EvtUsbTargetPipeReadersFailed;
} WDF_USB_CONTINUOUS_READER_CONFIG, *PWDF_USB_CONTINUOUS_READER_CONFIG;

typedef struct _WDF_USB_DEVICE_INFORMATION {
    ULONG Size;
    USBD_VERSION_INFORMATION UsbdVersionInformation;
    ULONG HcdPortCapabilities;
    ULONG Traits;
} WDF_USB_DEVICE_INFORMATION, *PWDF_USB_DEVICE_INFORMATION;

typedef struct _WDF_USB_INTERFACE_SETTING_PAIR {
    WDFUSBINTERFACE UsbInterface;
    UCHAR SettingIndex;
} WDF_USB_INTERFACE_SETTING_PAIR, *PWDF_USB_INTERFACE_SETTING_PAIR;

typedef struct _WDF_USB_DEVICE_SELECT_CONFIG_PARAMS {
    ULONG Size;
    WdfUsbTargetDeviceSelectConfigType Type;
    union {
        struct {
            PUSB_CONFIGURATION_DESCRIPTOR ConfigurationDescriptor;
            PUSB_INTERFACE_DESCRIPTOR * InterfaceDescriptors;
            ULONG NumInterfaceDescriptors;
        } Descriptor;
        struct {
            PURB Urb;
        } Urb;
        struct {
            UCHAR NumberConfiguredPipes;
            WDFUSBINTERFACE ConfiguredUsbInterface;
        } SingleInterface;
        struct {
            UCHAR NumberInterfaces;
            PWDF_USB_INTERFACE_SETTING_PAIR Pairs;
            UCHAR NumberOfConfiguredInterfaces;
        } MultiInterface;
    } Types;
} WDF_USB_DEVICE_SELECT_CONFIG_PARAMS, *PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS;

typedef struct _WDF_USB_INTERFACE_SELECT_SETTING_PARAMS {
    ULONG Size;
    WdfUsbTargetDeviceSelectSettingType Type;
    union {
        struct {
            PUSB_INTERFACE_DESCRIPTOR InterfaceDescriptor;
        } Descriptor;
        struct {
            UCHAR SettingIndex;
        } Interface;
        struct {
            PURB Urb;
        } Urb;
    } Types;
} WDF_USB_INTERFACE_SELECT_SETTING_PARAMS, *PWDF_USB_INTERFACE_SELECT_SETTING_PARAMS;

typedef struct _WDF_USB_PIPE_INFORMATION {
    ULONG Size;
    ULONG MaximumPacketSize;
    UCHAR EndpointAddress;
    UCHAR Interval;
    UCHAR SettingIndex;
    WDF_USB_PIPE_TYPE PipeType;
    ULONG MaximumTransferSize;
} WDF_USB_PIPE_INFORMATION, *PWDF_USB_PIPE_INFORMATION;

typedef struct _WDF_USB_DEVICE_CREATE_CONFIG {
    ULONG Size;
    ULONG USBDClientContractVersion;
} WDF_USB_DEVICE_CREATE_CONFIG, *PWDF_USB_DEVICE_CREATE_CONFIG;

WDFAPI NTSTATUS WdfUsbTargetDeviceCreate(WDFDEVICE Device, PWDF_OBJECT_ATTRIBUTES Attributes, WDFUSBDEVICE* UsbDevice);
WDFAPI NTSTATUS WdfUsbTargetDeviceCreateWithParameters(WDFDEVICE Device, PWDF_USB_DEVICE_CREATE_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFUSBDEVICE* UsbDevice);
WDFAPI NTSTATUS WdfUsbTargetDeviceRetrieveInformation(WDFUSBDEVICE UsbDevice, PWDF_USB_DEVICE_INFORMATION Information);
WDFAPI VOID WdfUsbTargetDeviceGetDeviceDescriptor(WDFUSBDEVICE UsbDevice, PUSB_DEVICE_DESCRIPTOR UsbDeviceDescriptor);
WDFAPI NTSTATUS WdfUsbTargetDeviceRetrieveConfigDescriptor(WDFUSBDEVICE UsbDevice, PVOID ConfigDescriptor, PUSHORT ConfigDescriptorLength);
WDFAPI NTSTATUS WdfUsbTargetDeviceQueryString(WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PUSHORT String, PUSHORT NumCharacters, UCHAR StringIndex, USHORT LangID);
WDFAPI NTSTATUS WdfUsbTargetDeviceAllocAndQueryString(WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES StringMemoryAttributes, WDFMEMORY* StringMemory, PUSHORT NumCharacters, UCHAR StringIndex, USHORT LangID);
WDFAPI NTSTATUS WdfUsbTargetDeviceFormatRequestForString(WDFUSBDEVICE UsbDevice, WDFREQUEST Request, WDFMEMORY Memory, PWDFMEMORY_OFFSET Offset, UCHAR StringIndex, USHORT LangID);
WDFAPI UCHAR WdfUsbTargetDeviceGetNumInterfaces(WDFUSBDEVICE UsbDevice);
WDFAPI NTSTATUS WdfUsbTargetDeviceSelectConfig(WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES PipeAttributes, PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS Params);
WDFAPI USBD_CONFIGURATION_HANDLE WdfUsbTargetDeviceWdmGetConfigurationHandle(WDFUSBDEVICE UsbDevice);
WDFAPI NTSTATUS WdfUsbTargetDeviceRetrieveCurrentFrameNumber(WDFUSBDEVICE UsbDevice, PULONG CurrentFrameNumber);
WDFAPI NTSTATUS WdfUsbTargetDeviceSendControlTransferSynchronously(WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PWDF_USB_CONTROL_SETUP_PACKET SetupPacket, PWDF_MEMORY_DESCRIPTOR MemoryDescriptor, PULONG BytesTransferred);
WDFAPI NTSTATUS WdfUsbTargetDeviceFormatRequestForControlTransfer(WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_USB_CONTROL_SETUP_PACKET SetupPacket, WDFMEMORY TransferMemory, PWDFMEMORY_OFFSET TransferOffset);
WDFAPI NTSTATUS WdfUsbTargetDeviceIsConnectedSynchronous(WDFUSBDEVICE UsbDevice);
WDFAPI NTSTATUS WdfUsbTargetDeviceResetPortSynchronously(WDFUSBDEVICE UsbDevice);
WDFAPI NTSTATUS WdfUsbTargetDeviceCyclePortSynchronously(WDFUSBDEVICE UsbDevice);
WDFAPI NTSTATUS WdfUsbTargetDeviceFormatRequestForCyclePort(WDFUSBDEVICE UsbDevice, WDFREQUEST Request);
WDFAPI NTSTATUS WdfUsbTargetDeviceSendUrbSynchronously(WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PURB Urb);
WDFAPI NTSTATUS WdfUsbTargetDeviceFormatRequestForUrb(WDFUSBDEVICE UsbDevice, WDFREQUEST Request, WDFMEMORY UrbMemory, PWDFMEMORY_OFFSET UrbMemoryOffset);
WDFAPI NTSTATUS WdfUsbTargetDeviceQueryUsbCapability(WDFUSBDEVICE UsbDevice, CONST GUID* CapabilityType, ULONG CapabilityBufferLength, PVOID CapabilityBuffer, PULONG ResultLength);
WDFAPI NTSTATUS WdfUsbTargetDeviceCreateUrb(WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES Attributes, WDFMEMORY* UrbMemory, PURB* Urb);
WDFAPI NTSTATUS WdfUsbTargetDeviceCreateIsochUrb(WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES Attributes, ULONG NumberOfIsochPackets, WDFMEMORY* UrbMemory, PURB* Urb);
WDFAPI VOID WdfUsbTargetPipeGetInformation(WDFUSBPIPE Pipe, PWDF_USB_PIPE_INFORMATION PipeInformation);
WDFAPI BOOLEAN WdfUsbTargetPipeIsInEndpoint(WDFUSBPIPE Pipe);
WDFAPI BOOLEAN WdfUsbTargetPipeIsOutEndpoint(WDFUSBPIPE Pipe);
WDFAPI WDF_USB_PIPE_TYPE WdfUsbTargetPipeGetType(WDFUSBPIPE Pipe);
WDFAPI VOID WdfUsbTargetPipeSetNoMaximumPacketSizeCheck(WDFUSBPIPE Pipe);
WDFAPI NTSTATUS WdfUsbTargetPipeWriteSynchronously(WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PWDF_MEMORY_DESCRIPTOR MemoryDescriptor, PULONG BytesWritten);
WDFAPI NTSTATUS WdfUsbTargetPipeFormatRequestForWrite(WDFUSBPIPE Pipe, WDFREQUEST Request, WDFMEMORY WriteMemory, PWDFMEMORY_OFFSET WriteOffset);
WDFAPI NTSTATUS WdfUsbTargetPipeReadSynchronously(WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PWDF_MEMORY_DESCRIPTOR MemoryDescriptor, PULONG BytesRead);
WDFAPI NTSTATUS WdfUsbTargetPipeFormatRequestForRead(WDFUSBPIPE Pipe, WDFREQUEST Request, WDFMEMORY ReadMemory, PWDFMEMORY_OFFSET ReadOffset);
WDFAPI NTSTATUS WdfUsbTargetPipeConfigContinuousReader(WDFUSBPIPE Pipe, PWDF_USB_CONTINUOUS_READER_CONFIG Config);
WDFAPI NTSTATUS WdfUsbTargetPipeAbortSynchronously(WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions);
WDFAPI NTSTATUS WdfUsbTargetPipeFormatRequestForAbort(WDFUSBPIPE Pipe, WDFREQUEST Request);
WDFAPI NTSTATUS WdfUsbTargetPipeResetSynchronously(WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions);
WDFAPI NTSTATUS WdfUsbTargetPipeFormatRequestForReset(WDFUSBPIPE Pipe, WDFREQUEST Request);
WDFAPI NTSTATUS WdfUsbTargetPipeSendUrbSynchronously(WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PURB Urb);
WDFAPI NTSTATUS WdfUsbTargetPipeFormatRequestForUrb(WDFUSBPIPE PIPE, WDFREQUEST Request, WDFMEMORY UrbMemory, PWDFMEMORY_OFFSET UrbMemoryOffset);
WDFAPI BYTE WdfUsbInterfaceGetInterfaceNumber(WDFUSBINTERFACE UsbInterface);
WDFAPI BYTE WdfUsbInterfaceGetNumEndpoints(WDFUSBINTERFACE UsbInterface, UCHAR SettingIndex);
WDFAPI VOID WdfUsbInterfaceGetDescriptor(WDFUSBINTERFACE UsbInterface, UCHAR SettingIndex, PUSB_INTERFACE_DESCRIPTOR InterfaceDescriptor);
WDFAPI BYTE WdfUsbInterfaceGetNumSettings(WDFUSBINTERFACE UsbInterface);
WDFAPI NTSTATUS WdfUsbInterfaceSelectSetting(WDFUSBINTERFACE UsbInterface, PWDF_OBJECT_ATTRIBUTES PipesAttributes, PWDF_USB_INTERFACE_SELECT_SETTING_PARAMS Params);
WDFAPI VOID WdfUsbInterfaceGetEndpointInformation(WDFUSBINTERFACE UsbInterface, UCHAR SettingIndex, UCHAR EndpointIndex, PWDF_USB_PIPE_INFORMATION EndpointInfo);
WDFAPI WDFUSBINTERFACE WdfUsbTargetDeviceGetInterface(WDFUSBDEVICE UsbDevice, UCHAR InterfaceIndex);
WDFAPI BYTE WdfUsbInterfaceGetConfiguredSettingIndex(WDFUSBINTERFACE Interface);
WDFAPI BYTE WdfUsbInterfaceGetNumConfiguredPipes(WDFUSBINTERFACE UsbInterface);
WDFAPI WDFUSBPIPE WdfUsbInterfaceGetConfiguredPipe(WDFUSBINTERFACE UsbInterface, UCHAR PipeIndex, PWDF_USB_PIPE_INFORMATION PipeInfo);
WDFAPI USBD_PIPE_HANDLE WdfUsbTargetPipeWdmGetPipeHandle(WDFUSBPIPE UsbPipe);

/* The framework function table's entry types (the first parameter is the driver globals). */
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICECREATE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_OBJECT_ATTRIBUTES Attributes, WDFUSBDEVICE* UsbDevice);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICECREATEWITHPARAMETERS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFDEVICE Device, PWDF_USB_DEVICE_CREATE_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes, WDFUSBDEVICE* UsbDevice);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICERETRIEVEINFORMATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PWDF_USB_DEVICE_INFORMATION Information);
typedef VOID (*PFN_WDFUSBTARGETDEVICEGETDEVICEDESCRIPTOR)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PUSB_DEVICE_DESCRIPTOR UsbDeviceDescriptor);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICERETRIEVECONFIGDESCRIPTOR)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PVOID ConfigDescriptor, PUSHORT ConfigDescriptorLength);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEQUERYSTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PUSHORT String, PUSHORT NumCharacters, UCHAR StringIndex, USHORT LangID);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEALLOCANDQUERYSTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES StringMemoryAttributes, WDFMEMORY* StringMemory, PUSHORT NumCharacters, UCHAR StringIndex, USHORT LangID);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEFORMATREQUESTFORSTRING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, WDFREQUEST Request, WDFMEMORY Memory, PWDFMEMORY_OFFSET Offset, UCHAR StringIndex, USHORT LangID);
typedef UCHAR (*PFN_WDFUSBTARGETDEVICEGETNUMINTERFACES)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICESELECTCONFIG)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES PipeAttributes, PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS Params);
typedef USBD_CONFIGURATION_HANDLE (*PFN_WDFUSBTARGETDEVICEWDMGETCONFIGURATIONHANDLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICERETRIEVECURRENTFRAMENUMBER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PULONG CurrentFrameNumber);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICESENDCONTROLTRANSFERSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PWDF_USB_CONTROL_SETUP_PACKET SetupPacket, PWDF_MEMORY_DESCRIPTOR MemoryDescriptor, PULONG BytesTransferred);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEFORMATREQUESTFORCONTROLTRANSFER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_USB_CONTROL_SETUP_PACKET SetupPacket, WDFMEMORY TransferMemory, PWDFMEMORY_OFFSET TransferOffset);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEISCONNECTEDSYNCHRONOUS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICERESETPORTSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICECYCLEPORTSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEFORMATREQUESTFORCYCLEPORT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, WDFREQUEST Request);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICESENDURBSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PURB Urb);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEFORMATREQUESTFORURB)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, WDFREQUEST Request, WDFMEMORY UrbMemory, PWDFMEMORY_OFFSET UrbMemoryOffset);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICEQUERYUSBCAPABILITY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, CONST GUID* CapabilityType, ULONG CapabilityBufferLength, PVOID CapabilityBuffer, PULONG ResultLength);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICECREATEURB)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES Attributes, WDFMEMORY* UrbMemory, PURB* Urb);
typedef NTSTATUS (*PFN_WDFUSBTARGETDEVICECREATEISOCHURB)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, PWDF_OBJECT_ATTRIBUTES Attributes, ULONG NumberOfIsochPackets, WDFMEMORY* UrbMemory, PURB* Urb);
typedef VOID (*PFN_WDFUSBTARGETPIPEGETINFORMATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, PWDF_USB_PIPE_INFORMATION PipeInformation);
typedef BOOLEAN (*PFN_WDFUSBTARGETPIPEISINENDPOINT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe);
typedef BOOLEAN (*PFN_WDFUSBTARGETPIPEISOUTENDPOINT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe);
typedef WDF_USB_PIPE_TYPE (*PFN_WDFUSBTARGETPIPEGETTYPE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe);
typedef VOID (*PFN_WDFUSBTARGETPIPESETNOMAXIMUMPACKETSIZECHECK)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEWRITESYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PWDF_MEMORY_DESCRIPTOR MemoryDescriptor, PULONG BytesWritten);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEFORMATREQUESTFORWRITE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request, WDFMEMORY WriteMemory, PWDFMEMORY_OFFSET WriteOffset);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEREADSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PWDF_MEMORY_DESCRIPTOR MemoryDescriptor, PULONG BytesRead);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEFORMATREQUESTFORREAD)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request, WDFMEMORY ReadMemory, PWDFMEMORY_OFFSET ReadOffset);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPECONFIGCONTINUOUSREADER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, PWDF_USB_CONTINUOUS_READER_CONFIG Config);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEABORTSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEFORMATREQUESTFORABORT)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPERESETSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEFORMATREQUESTFORRESET)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPESENDURBSYNCHRONOUSLY)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE Pipe, WDFREQUEST Request, PWDF_REQUEST_SEND_OPTIONS RequestOptions, PURB Urb);
typedef NTSTATUS (*PFN_WDFUSBTARGETPIPEFORMATREQUESTFORURB)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE PIPE, WDFREQUEST Request, WDFMEMORY UrbMemory, PWDFMEMORY_OFFSET UrbMemoryOffset);
typedef BYTE (*PFN_WDFUSBINTERFACEGETINTERFACENUMBER)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface);
typedef BYTE (*PFN_WDFUSBINTERFACEGETNUMENDPOINTS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface, UCHAR SettingIndex);
typedef VOID (*PFN_WDFUSBINTERFACEGETDESCRIPTOR)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface, UCHAR SettingIndex, PUSB_INTERFACE_DESCRIPTOR InterfaceDescriptor);
typedef BYTE (*PFN_WDFUSBINTERFACEGETNUMSETTINGS)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface);
typedef NTSTATUS (*PFN_WDFUSBINTERFACESELECTSETTING)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface, PWDF_OBJECT_ATTRIBUTES PipesAttributes, PWDF_USB_INTERFACE_SELECT_SETTING_PARAMS Params);
typedef VOID (*PFN_WDFUSBINTERFACEGETENDPOINTINFORMATION)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface, UCHAR SettingIndex, UCHAR EndpointIndex, PWDF_USB_PIPE_INFORMATION EndpointInfo);
typedef WDFUSBINTERFACE (*PFN_WDFUSBTARGETDEVICEGETINTERFACE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBDEVICE UsbDevice, UCHAR InterfaceIndex);
typedef BYTE (*PFN_WDFUSBINTERFACEGETCONFIGUREDSETTINGINDEX)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE Interface);
typedef BYTE (*PFN_WDFUSBINTERFACEGETNUMCONFIGUREDPIPES)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface);
typedef WDFUSBPIPE (*PFN_WDFUSBINTERFACEGETCONFIGUREDPIPE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBINTERFACE UsbInterface, UCHAR PipeIndex, PWDF_USB_PIPE_INFORMATION PipeInfo);
typedef USBD_PIPE_HANDLE (*PFN_WDFUSBTARGETPIPEWDMGETPIPEHANDLE)(PWDF_DRIVER_GLOBALS DriverGlobals, WDFUSBPIPE UsbPipe);

/* Initializers: each zeroes the structure, sets Size where it has one, and the documented defaults. */
FORCEINLINE VOID WDF_USB_CONTROL_SETUP_PACKET_INIT(PWDF_USB_CONTROL_SETUP_PACKET Packet, WDF_USB_BMREQUEST_DIRECTION Direction, WDF_USB_BMREQUEST_RECIPIENT Recipient, BYTE Request, USHORT Value, USHORT Index)
{
    RtlZeroMemory(Packet, sizeof(*Packet));
    Packet->Packet.bm.Request.Dir = (BYTE)(Direction);
    Packet->Packet.bm.Request.Type = (BYTE)(BmRequestStandard);
    Packet->Packet.bm.Request.Recipient = (BYTE)(Recipient);
    Packet->Packet.bRequest = Request;
    Packet->Packet.wValue.Value = Value;
    Packet->Packet.wIndex.Value = Index;
}

FORCEINLINE VOID WDF_USB_CONTROL_SETUP_PACKET_INIT_CLASS(PWDF_USB_CONTROL_SETUP_PACKET Packet, WDF_USB_BMREQUEST_DIRECTION Direction, WDF_USB_BMREQUEST_RECIPIENT Recipient, BYTE Request, USHORT Value, USHORT Index)
{
    RtlZeroMemory(Packet, sizeof(*Packet));
    Packet->Packet.bm.Request.Dir = (BYTE)(Direction);
    Packet->Packet.bm.Request.Type = (BYTE)(BmRequestClass);
    Packet->Packet.bm.Request.Recipient = (BYTE)(Recipient);
    Packet->Packet.bRequest = Request;
    Packet->Packet.wValue.Value = Value;
    Packet->Packet.wIndex.Value = Index;
}

FORCEINLINE VOID WDF_USB_CONTROL_SETUP_PACKET_INIT_VENDOR(PWDF_USB_CONTROL_SETUP_PACKET Packet, WDF_USB_BMREQUEST_DIRECTION Direction, WDF_USB_BMREQUEST_RECIPIENT Recipient, BYTE Request, USHORT Value, USHORT Index)
{
    RtlZeroMemory(Packet, sizeof(*Packet));
    Packet->Packet.bm.Request.Dir = (BYTE)(Direction);
    Packet->Packet.bm.Request.Type = (BYTE)(BmRequestVendor);
    Packet->Packet.bm.Request.Recipient = (BYTE)(Recipient);
    Packet->Packet.bRequest = Request;
    Packet->Packet.wValue.Value = Value;
    Packet->Packet.wIndex.Value = Index;
}

FORCEINLINE VOID WDF_USB_CONTROL_SETUP_PACKET_INIT_FEATURE(PWDF_USB_CONTROL_SETUP_PACKET Packet, WDF_USB_BMREQUEST_RECIPIENT BmRequestRecipient, USHORT FeatureSelector, USHORT Index, BOOLEAN SetFeature)
{
    RtlZeroMemory(Packet, sizeof(*Packet));
    Packet->Packet.bm.Request.Dir = (BYTE)(BmRequestHostToDevice);
    Packet->Packet.bm.Request.Type = (BYTE)(BmRequestStandard);
    Packet->Packet.bm.Request.Recipient = (BYTE)(BmRequestRecipient);
    Packet->Packet.bRequest = (BYTE)(SetFeature ? USB_REQUEST_SET_FEATURE : USB_REQUEST_CLEAR_FEATURE);
    Packet->Packet.wValue.Value = FeatureSelector;
    Packet->Packet.wIndex.Value = Index;
}

FORCEINLINE VOID WDF_USB_CONTROL_SETUP_PACKET_INIT_GET_STATUS(PWDF_USB_CONTROL_SETUP_PACKET Packet, WDF_USB_BMREQUEST_RECIPIENT BmRequestRecipient, USHORT Index)
{
    RtlZeroMemory(Packet, sizeof(*Packet));
    Packet->Packet.bm.Request.Dir = (BYTE)(BmRequestDeviceToHost);
    Packet->Packet.bm.Request.Type = (BYTE)(BmRequestStandard);
    Packet->Packet.bm.Request.Recipient = (BYTE)(BmRequestRecipient);
    Packet->Packet.bRequest = USB_REQUEST_GET_STATUS;
    Packet->Packet.wValue.Value = 0;
    Packet->Packet.wIndex.Value = Index;
}

FORCEINLINE VOID WDF_USB_CONTINUOUS_READER_CONFIG_INIT(PWDF_USB_CONTINUOUS_READER_CONFIG Config, PFN_WDF_USB_READER_COMPLETION_ROUTINE EvtUsbTargetPipeReadComplete, WDFCONTEXT EvtUsbTargetPipeReadCompleteContext, size_t TransferLength)
{
    RtlZeroMemory(Config, sizeof(*Config));
    Config->Size = (ULONG)sizeof(*Config);
    Config->EvtUsbTargetPipeReadComplete = EvtUsbTargetPipeReadComplete;
    Config->EvtUsbTargetPipeReadCompleteContext = EvtUsbTargetPipeReadCompleteContext;
    Config->TransferLength = TransferLength;
}

FORCEINLINE WDFIOTARGET WdfUsbTargetDeviceGetIoTarget(WDFUSBDEVICE UsbDevice)
{
    /* A USB device object is an I/O target. */
    return (WDFIOTARGET)UsbDevice;
}

FORCEINLINE VOID WDF_USB_DEVICE_INFORMATION_INIT(PWDF_USB_DEVICE_INFORMATION Udi)
{
    RtlZeroMemory(Udi, sizeof(*Udi));
    Udi->Size = (ULONG)sizeof(*Udi);
}

FORCEINLINE VOID WDF_USB_DEVICE_SELECT_CONFIG_PARAMS_INIT_SINGLE_INTERFACE(PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS Params)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfUsbTargetDeviceSelectConfigTypeSingleInterface;
}

FORCEINLINE VOID WDF_USB_DEVICE_SELECT_CONFIG_PARAMS_INIT_MULTIPLE_INTERFACES(PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS Params, UCHAR NumberInterfaces, PWDF_USB_INTERFACE_SETTING_PAIR SettingPairs)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    /* Without setting pairs every interface gets its first setting. */
    if (SettingPairs == NULL || NumberInterfaces == 0) {
    Params->Type = WdfUsbTargetDeviceSelectConfigTypeMultiInterface;
    return;
    }
    Params->Type = WdfUsbTargetDeviceSelectConfigTypeInterfacesPairs;
    Params->Types.MultiInterface.NumberInterfaces = NumberInterfaces;
    Params->Types.MultiInterface.Pairs = SettingPairs;
}

FORCEINLINE VOID WDF_USB_DEVICE_SELECT_CONFIG_PARAMS_INIT_INTERFACES_DESCRIPTORS(PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS Params, PUSB_CONFIGURATION_DESCRIPTOR ConfigDescriptor, PUSB_INTERFACE_DESCRIPTOR *InterfaceDescriptors, ULONG NumInterfaceDescriptors)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfUsbTargetDeviceSelectConfigTypeInterfacesDescriptor;
    Params->Types.Descriptor.ConfigurationDescriptor = ConfigDescriptor;
    Params->Types.Descriptor.InterfaceDescriptors = InterfaceDescriptors;
    Params->Types.Descriptor.NumInterfaceDescriptors = NumInterfaceDescriptors;
}

FORCEINLINE VOID WDF_USB_DEVICE_SELECT_CONFIG_PARAMS_INIT_URB(PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS Params, PURB Urb)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfUsbTargetDeviceSelectConfigTypeUrb;
    Params->Types.Urb.Urb = Urb;
}

FORCEINLINE VOID WDF_USB_DEVICE_SELECT_CONFIG_PARAMS_INIT_DECONFIG(PWDF_USB_DEVICE_SELECT_CONFIG_PARAMS Params)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfUsbTargetDeviceSelectConfigTypeDeconfig;
}

FORCEINLINE VOID WDF_USB_INTERFACE_SELECT_SETTING_PARAMS_INIT_DESCRIPTOR(PWDF_USB_INTERFACE_SELECT_SETTING_PARAMS Params, PUSB_INTERFACE_DESCRIPTOR Interface)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfUsbInterfaceSelectSettingTypeDescriptor;
    Params->Types.Descriptor.InterfaceDescriptor = Interface;
}

FORCEINLINE VOID WDF_USB_INTERFACE_SELECT_SETTING_PARAMS_INIT_URB(PWDF_USB_INTERFACE_SELECT_SETTING_PARAMS Params, PURB Urb)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfUsbInterfaceSelectSettingTypeUrb;
    Params->Types.Urb.Urb = Urb;
}

FORCEINLINE VOID WDF_USB_INTERFACE_SELECT_SETTING_PARAMS_INIT_SETTING(PWDF_USB_INTERFACE_SELECT_SETTING_PARAMS Params, UCHAR SettingIndex)
{
    RtlZeroMemory(Params, sizeof(*Params));
    Params->Size = (ULONG)sizeof(*Params);
    Params->Type = WdfUsbInterfaceSelectSettingTypeSetting;
    Params->Types.Interface.SettingIndex = SettingIndex;
}

FORCEINLINE WDFIOTARGET WdfUsbTargetPipeGetIoTarget(WDFUSBPIPE Pipe)
{
    /* A USB pipe object is an I/O target. */
    return (WDFIOTARGET)Pipe;
}

FORCEINLINE VOID WDF_USB_PIPE_INFORMATION_INIT(PWDF_USB_PIPE_INFORMATION Info)
{
    RtlZeroMemory(Info, sizeof(*Info));
    Info->Size = (ULONG)sizeof(*Info);
}

FORCEINLINE BOOLEAN WDF_USB_PIPE_DIRECTION_IN(UCHAR EndpointAddress)
{
    return USB_ENDPOINT_DIRECTION_IN(EndpointAddress) ? TRUE : FALSE;
}

FORCEINLINE BOOLEAN WDF_USB_PIPE_DIRECTION_OUT(UCHAR EndpointAddress)
{
    return USB_ENDPOINT_DIRECTION_OUT(EndpointAddress) ? TRUE : FALSE;
}

FORCEINLINE VOID WDF_USB_DEVICE_CREATE_CONFIG_INIT(PWDF_USB_DEVICE_CREATE_CONFIG Config, ULONG USBDClientContractVersion)
{
    RtlZeroMemory(Config, sizeof(*Config));
    Config->Size = (ULONG)sizeof(*Config);
    Config->USBDClientContractVersion = USBDClientContractVersion;
}

WDF_EXTERN_C_END

#endif /* _WDFUSB_H_ */
