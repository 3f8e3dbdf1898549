/*
 * qdriver.c - the test driver of queue_test.c: a function driver for a root device whose
 * creates go to a queue of their own (WdfDeviceConfigureRequestDispatching with
 * WdfRequestTypeCreate; the file object's context records a sequence number), whose
 * reads wait in a manual queue with a ready notification, and whose device controls
 * (qtest.h) exercise the manual queue's find, retrieve and requeue methods, the
 * WdfRegistry* family on the device's keys, and the device's properties.
 */
#define INITGUID
#include <ntddk.h>
#include <wdf.h>

#include "qtest.h"

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD QEvtDeviceAdd;
EVT_WDF_IO_QUEUE_IO_DEFAULT QEvtIoCreate;
EVT_WDF_IO_QUEUE_IO_READ QEvtIoRead;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL QEvtIoDeviceControl;
EVT_WDF_IO_QUEUE_STATE QEvtManualReady;
EVT_WDF_FILE_CLOSE QEvtFileClose;

/* DEFINE_GUID with the 11 values of QTEST_GUID_DATA (expanded before the call). */
#define Q_DEFINE_GUID(Name, ...) DEFINE_GUID(Name, __VA_ARGS__)
Q_DEFINE_GUID(GUID_QTEST_INTERFACE, QTEST_GUID_DATA);

typedef struct _Q_FILE_CONTEXT {
    ULONG Sequence;
} Q_FILE_CONTEXT, *PQ_FILE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(Q_FILE_CONTEXT, QFileContext)

typedef struct _Q_DEVICE_CONTEXT {
    WDFQUEUE Manual;
    WDFQUEUE Default;
    LONG NextSequence;
    LONG ReadyCount;
    QTEST_FDOINIT FdoInit;
} Q_DEVICE_CONTEXT, *PQ_DEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(Q_DEVICE_CONTEXT, QDeviceContext)

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, QEvtDeviceAdd);
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config, WDF_NO_HANDLE);
}

/* What a filter such as the toaster's sideband filter asks before the device exists. */
static VOID QQueryBeforeCreate(PWDFDEVICE_INIT DeviceInit, QTEST_FDOINIT *Out)
{
    WCHAR ids[64];
    ULONG length = 0;
    Out->HardwareIdStatus = WdfFdoInitQueryProperty(DeviceInit, DevicePropertyHardwareID, sizeof(ids), ids, &length);
    Out->HardwareIdLength = length;
    ULONG number = 0;
    Out->UINumberStatus = WdfFdoInitQueryProperty(DeviceInit, DevicePropertyUINumber, sizeof(number), &number, &length);
    WDFMEMORY memory;
    Out->AllocStatus = WdfFdoInitAllocAndQueryProperty(DeviceInit, DevicePropertyEnumeratorName, NonPagedPoolNx,
                                                       WDF_NO_OBJECT_ATTRIBUTES, &memory);
    if (NT_SUCCESS(Out->AllocStatus)) {
        size_t size = 0;
        PWCHAR name = WdfMemoryGetBuffer(memory, &size);
        Out->AllocIsRoot = size == 5 * sizeof(WCHAR) && name[0] == L'R' && name[1] == L'O' && name[2] == L'O' &&
                           name[3] == L'T' && name[4] == 0;
        WdfObjectDelete(memory);
    }
    WDFKEY key;
    Out->OpenKeyStatus = WdfFdoInitOpenRegistryKey(DeviceInit, PLUGPLAY_REGKEY_DEVICE, KEY_READ,
                                                   WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (NT_SUCCESS(Out->OpenKeyStatus)) {
        WdfRegistryClose(key);
    }
}

NTSTATUS QEvtDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    UNREFERENCED_PARAMETER(Driver);
    QTEST_FDOINIT fdoInit;
    RtlZeroMemory(&fdoInit, sizeof(fdoInit));
    QQueryBeforeCreate(DeviceInit, &fdoInit);

    WDF_FILEOBJECT_CONFIG fileConfig;
    WDF_FILEOBJECT_CONFIG_INIT(&fileConfig, WDF_NO_EVENT_CALLBACK, QEvtFileClose, WDF_NO_EVENT_CALLBACK);
    WDF_OBJECT_ATTRIBUTES fileAttributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&fileAttributes, Q_FILE_CONTEXT);
    WdfDeviceInitSetFileObjectConfig(DeviceInit, &fileConfig, &fileAttributes);

    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, Q_DEVICE_CONTEXT);
    WDFDEVICE device;
    NTSTATUS status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    PQ_DEVICE_CONTEXT context = QDeviceContext(device);
    context->FdoInit = fdoInit;

    WDF_IO_QUEUE_CONFIG queueConfig;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoRead = QEvtIoRead;
    queueConfig.EvtIoDeviceControl = QEvtIoDeviceControl;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &context->Default);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchManual);
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &context->Manual);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = WdfIoQueueReadyNotify(context->Manual, QEvtManualReady, context);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    /* Creates: a queue of their own, presented to EvtIoDefault. */
    WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchSequential);
    queueConfig.EvtIoDefault = QEvtIoCreate;
    WDFQUEUE createQueue;
    status = WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &createQueue);
    if (NT_SUCCESS(status)) {
        status = WdfDeviceConfigureRequestDispatching(device, createQueue, WdfRequestTypeCreate);
    }
    if (NT_SUCCESS(status)) {
        status = WdfDeviceCreateDeviceInterface(device, &GUID_QTEST_INTERFACE, NULL);
    }
    return status;
}

static BOOLEAN QNameIs(PCUNICODE_STRING Name, const char *Text)
{
    USHORT i = 0;
    if (Name == NULL) {
        return FALSE;
    }
    for (; Text[i] != 0; i++) {
        if (i >= Name->Length / sizeof(WCHAR) || Name->Buffer[i] != (WCHAR)Text[i]) {
            return FALSE;
        }
    }
    return i == Name->Length / sizeof(WCHAR);
}

/* A create: the file object's context gets the next sequence number, unless its name
   asks to be denied. */
VOID QEvtIoCreate(WDFQUEUE Queue, WDFREQUEST Request)
{
    WDF_REQUEST_PARAMETERS parameters;
    WDF_REQUEST_PARAMETERS_INIT(&parameters);
    WdfRequestGetParameters(Request, &parameters);
    WDFFILEOBJECT file = WdfRequestGetFileObject(Request);
    if (parameters.Type != WdfRequestTypeCreate || file == NULL) {
        WdfRequestComplete(Request, STATUS_INTERNAL_ERROR);
        return;
    }
    if (QNameIs(WdfFileObjectGetFileName(file), QTEST_DENIED_NAME)) {
        WdfRequestComplete(Request, STATUS_ACCESS_DENIED);
        return;
    }
    PQ_DEVICE_CONTEXT context = QDeviceContext(WdfIoQueueGetDevice(Queue));
    QFileContext(file)->Sequence = (ULONG)InterlockedIncrement(&context->NextSequence);
    WdfRequestComplete(Request, STATUS_SUCCESS);
}

VOID QEvtFileClose(WDFFILEOBJECT FileObject)
{
    UNREFERENCED_PARAMETER(FileObject);
}

/* Reads wait in the manual queue. */
VOID QEvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    UNREFERENCED_PARAMETER(Length);
    PQ_DEVICE_CONTEXT context = QDeviceContext(WdfIoQueueGetDevice(Queue));
    NTSTATUS status = WdfRequestForwardToIoQueue(Request, context->Manual);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
    }
}

VOID QEvtManualReady(WDFQUEUE Queue, WDFCONTEXT Context)
{
    UNREFERENCED_PARAMETER(Queue);
    InterlockedIncrement(&((PQ_DEVICE_CONTEXT)Context)->ReadyCount);
}

static ULONG QCountMine(PQ_DEVICE_CONTEXT Context, WDFFILEOBJECT File)
{
    ULONG count = 0;
    WDFREQUEST previous = NULL;
    for (;;) {
        WDF_REQUEST_PARAMETERS parameters;
        WDF_REQUEST_PARAMETERS_INIT(&parameters);
        WDFREQUEST found;
        NTSTATUS status = WdfIoQueueFindRequest(Context->Manual, previous, File, &parameters, &found);
        if (previous != NULL) {
            WdfObjectDereference(previous);
        }
        if (!NT_SUCCESS(status)) {
            break;
        }
        if (parameters.Type == WdfRequestTypeRead && WdfRequestGetFileObject(found) == File) {
            count++;
        }
        previous = found;
    }
    return count;
}

static ULONG QCompleteMine(PQ_DEVICE_CONTEXT Context, WDFFILEOBJECT File)
{
    ULONG count = 0;
    WDFREQUEST request;
    while (NT_SUCCESS(WdfIoQueueRetrieveRequestByFileObject(Context->Manual, File, &request))) {
        WDF_REQUEST_PARAMETERS parameters;
        WDF_REQUEST_PARAMETERS_INIT(&parameters);
        WdfRequestGetParameters(request, &parameters);
        PUCHAR buffer;
        size_t length = parameters.Parameters.Read.Length;
        NTSTATUS status = WdfRequestRetrieveOutputBuffer(request, length, (PVOID *)&buffer, NULL);
        if (NT_SUCCESS(status)) {
            RtlFillMemory(buffer, length, (UCHAR)QFileContext(File)->Sequence);
        }
        WdfRequestCompleteWithInformation(request, status, NT_SUCCESS(status) ? length : 0);
        count++;
    }
    return count;
}

static VOID QRetrieveFound(PQ_DEVICE_CONTEXT Context, QTEST_FOUND *Out)
{
    WDFREQUEST found;
    Out->FindStatus = WdfIoQueueFindRequest(Context->Manual, NULL, NULL, NULL, &found);
    if (!NT_SUCCESS(Out->FindStatus)) {
        return;
    }
    WDFREQUEST request;
    Out->RetrieveStatus = WdfIoQueueRetrieveFoundRequest(Context->Manual, found, &request);
    if (NT_SUCCESS(Out->RetrieveStatus)) {
        /* Still referenced: the handle stays valid, but the request no longer waits. */
        WDFREQUEST again;
        Out->RetrieveAgainStatus = WdfIoQueueRetrieveFoundRequest(Context->Manual, found, &again);
        WDFREQUEST next;
        Out->FindAfterStatus = WdfIoQueueFindRequest(Context->Manual, found, NULL, NULL, &next);
        if (NT_SUCCESS(Out->FindAfterStatus)) {
            WdfObjectDereference(next);
        }
        WdfRequestCompleteWithInformation(request, STATUS_SUCCESS, 0);
    }
    WdfObjectDereference(found);
}

static ULONG QWaiting(WDFQUEUE Queue)
{
    ULONG waiting = 0;
    WdfIoQueueGetState(Queue, &waiting, NULL);
    return waiting;
}

static VOID QRequeue(PQ_DEVICE_CONTEXT Context, WDFREQUEST Self, QTEST_REQUEUE *Out)
{
    Out->WaitingBefore = QWaiting(Context->Manual);
    WDFREQUEST request;
    Out->RetrieveStatus = WdfIoQueueRetrieveNextRequest(Context->Manual, &request);
    if (NT_SUCCESS(Out->RetrieveStatus)) {
        Out->RequeueStatus = WdfRequestRequeue(request);
        if (!NT_SUCCESS(Out->RequeueStatus)) {
            WdfRequestComplete(request, Out->RequeueStatus);
        } else {
            WDFREQUEST head;
            if (NT_SUCCESS(WdfIoQueueFindRequest(Context->Manual, NULL, NULL, NULL, &head))) {
                Out->HeadIsRequeued = head == request;
                WdfObjectDereference(head);
            }
        }
    }
    Out->RequeueParallelStatus = WdfRequestRequeue(Self);
    Out->WaitingAfter = QWaiting(Context->Manual);
}

static BOOLEAN QUnicodeIs(PCUNICODE_STRING Text, const char *Expected)
{
    return QNameIs(Text, Expected);
}

static NTSTATUS NTAPI QCountValue(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength,
                                   PVOID Context, PVOID EntryContext)
{
    UNREFERENCED_PARAMETER(ValueName);
    UNREFERENCED_PARAMETER(ValueType);
    UNREFERENCED_PARAMETER(ValueData);
    UNREFERENCED_PARAMETER(ValueLength);
    UNREFERENCED_PARAMETER(Context);
    (*(PULONG)EntryContext)++;
    return STATUS_SUCCESS;
}

/* RtlQueryRegistryValues over the service's Parameters key. */
static VOID QRtlRegistry(QTEST_REGISTRY *Out)
{
    ULONG nine = 9;
    Out->RtlWrite = RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, L"QDriver\\Parameters", L"Written", REG_DWORD,
                                          &nine, sizeof(nine));
    ULONG five = 5;
    RTL_QUERY_REGISTRY_TABLE table[5];
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = L"Answer";
    table[0].EntryContext = &Out->RtlAnswer;
    table[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[1].Name = L"Written";
    table[1].EntryContext = &Out->RtlWritten;
    table[2].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[2].Name = L"Absent";
    table[2].EntryContext = &Out->RtlDefaulted;
    table[2].DefaultType = REG_DWORD;
    table[2].DefaultData = &five;
    table[2].DefaultLength = sizeof(five);
    table[3].QueryRoutine = QCountValue;
    table[3].EntryContext = &Out->RtlValuesSeen;
    Out->RtlQuery = RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"QDriver\\Parameters", table, NULL, NULL);

    RtlZeroMemory(table, sizeof(table));
    ULONG ignored = 0;
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    table[0].Name = L"Absent";
    table[0].EntryContext = &ignored;
    Out->RtlRequired = RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"QDriver\\Parameters", table, NULL, NULL);
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    table[0].Name = L"Answer";
    table[0].EntryContext = &ignored;
    table[0].DefaultType = (REG_SZ << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) | REG_NONE;
    Out->RtlTypeCheck = RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"QDriver\\Parameters", table, NULL, NULL);
}

static VOID QRegistry(WDFDEVICE Device, QTEST_REGISTRY *Out)
{
    QRtlRegistry(Out);
    DECLARE_CONST_UNICODE_STRING(count, L"Count");
    DECLARE_CONST_UNICODE_STRING(name, L"Name");
    DECLARE_CONST_UNICODE_STRING(list, L"List");
    DECLARE_CONST_UNICODE_STRING(bytes, L"Bytes");
    DECLARE_CONST_UNICODE_STRING(sub, L"Sub");
    DECLARE_CONST_UNICODE_STRING(queue, L"queue");
    WDFKEY key;
    Out->OpenDeviceKey = WdfDeviceOpenRegistryKey(Device, PLUGPLAY_REGKEY_DEVICE, KEY_ALL_ACCESS,
                                                  WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (!NT_SUCCESS(Out->OpenDeviceKey)) {
        return;
    }
    Out->AssignULong = WdfRegistryAssignULong(key, &count, 7);
    ULONG value = 0;
    Out->QueryULong = WdfRegistryQueryULong(key, &count, &value);
    Out->ULongValue = value;

    Out->AssignUnicodeString = WdfRegistryAssignUnicodeString(key, &name, &queue);
    WCHAR small[1];
    UNICODE_STRING text = {0, sizeof(small), small};
    USHORT byteLength = 0;
    Out->QuerySmall = WdfRegistryQueryUnicodeString(key, &name, &byteLength, &text);
    Out->SmallByteLength = byteLength;
    WCHAR buffer[32];
    UNICODE_STRING full = {0, sizeof(buffer), buffer};
    Out->QueryUnicodeString = WdfRegistryQueryUnicodeString(key, &name, NULL, &full);
    Out->UnicodeLength = full.Length;
    Out->UnicodeMatches = QUnicodeIs(&full, "queue");
    Out->QueryULongOfString = WdfRegistryQueryULong(key, &name, &value);

    WDFSTRING string;
    if (NT_SUCCESS(WdfStringCreate(&queue, WDF_NO_OBJECT_ATTRIBUTES, &string))) {
        DECLARE_CONST_UNICODE_STRING(copy, L"Copy");
        WdfRegistryAssignString(key, &copy, string);
        WdfObjectDelete(string);
        if (NT_SUCCESS(WdfStringCreate(NULL, WDF_NO_OBJECT_ATTRIBUTES, &string))) {
            Out->QueryString = WdfRegistryQueryString(key, &copy, string);
            UNICODE_STRING read;
            WdfStringGetUnicodeString(string, &read);
            Out->QueryStringMatches = QUnicodeIs(&read, "queue");
            WdfObjectDelete(string);
        }
    }

    WDFCOLLECTION strings;
    if (NT_SUCCESS(WdfCollectionCreate(WDF_NO_OBJECT_ATTRIBUTES, &strings))) {
        DECLARE_CONST_UNICODE_STRING(alpha, L"alpha");
        DECLARE_CONST_UNICODE_STRING(beta, L"beta");
        WDF_OBJECT_ATTRIBUTES owned;
        WDF_OBJECT_ATTRIBUTES_INIT(&owned);
        owned.ParentObject = strings;
        WDFSTRING a, b;
        if (NT_SUCCESS(WdfStringCreate(&alpha, &owned, &a)) && NT_SUCCESS(WdfStringCreate(&beta, &owned, &b))) {
            WdfCollectionAdd(strings, a);
            WdfCollectionAdd(strings, b);
        }
        Out->AssignMultiString = WdfRegistryAssignMultiString(key, &list, strings);
        WdfObjectDelete(strings);
    }
    if (NT_SUCCESS(WdfCollectionCreate(WDF_NO_OBJECT_ATTRIBUTES, &strings))) {
        WDF_OBJECT_ATTRIBUTES owned;
        WDF_OBJECT_ATTRIBUTES_INIT(&owned);
        owned.ParentObject = strings;
        Out->QueryMultiString = WdfRegistryQueryMultiString(key, &list, &owned, strings);
        Out->MultiCount = WdfCollectionGetCount(strings);
        if (Out->MultiCount == 2) {
            UNICODE_STRING second;
            WdfStringGetUnicodeString((WDFSTRING)WdfCollectionGetItem(strings, 1), &second);
            Out->MultiSecondMatches = QUnicodeIs(&second, "beta");
        }
        WdfObjectDelete(strings);
    }

    WDFMEMORY memory;
    ULONG type = 0;
    Out->QueryMemory = WdfRegistryQueryMemory(key, &count, PagedPool, WDF_NO_OBJECT_ATTRIBUTES, &memory, &type);
    if (NT_SUCCESS(Out->QueryMemory)) {
        size_t size = 0;
        PULONG data = WdfMemoryGetBuffer(memory, &size);
        Out->MemorySize = (ULONG)size;
        Out->MemoryType = type;
        Out->MemoryValue = size == sizeof(ULONG) ? *data : 0;
        WdfObjectDelete(memory);
    }
    UCHAR raw[4] = {1, 2, 3, 4};
    Out->AssignValue = WdfRegistryAssignValue(key, &bytes, REG_BINARY, sizeof(raw), raw);
    PUCHAR source;
    if (NT_SUCCESS(WdfMemoryCreate(WDF_NO_OBJECT_ATTRIBUTES, PagedPool, 0, 8, &memory, (PVOID *)&source))) {
        for (UCHAR i = 0; i < 8; i++) {
            source[i] = (UCHAR)(0x10 + i);
        }
        WDFMEMORY_OFFSET offsets = {2, 3};
        Out->AssignMemory = WdfRegistryAssignMemory(key, &bytes, REG_BINARY, memory, &offsets);
        WdfObjectDelete(memory);
        UCHAR back[8];
        ULONG got = 0;
        if (NT_SUCCESS(WdfRegistryQueryValue(key, &bytes, sizeof(back), back, &got, &type))) {
            Out->AssignMemoryMatches = got == 3 && back[0] == 0x12 && back[2] == 0x14 && type == REG_BINARY;
        }
    }

    WDF_OBJECT_ATTRIBUTES keyAttributes;
    WDF_OBJECT_ATTRIBUTES_INIT(&keyAttributes);
    keyAttributes.ParentObject = Device;
    WDFKEY subKey;
    ULONG disposition = 0;
    Out->CreateSubKey = WdfRegistryCreateKey(key, &sub, KEY_ALL_ACCESS, REG_OPTION_NON_VOLATILE, &disposition,
                                             &keyAttributes, &subKey);
    Out->CreateDisposition = disposition;
    if (NT_SUCCESS(Out->CreateSubKey)) {
        WDFKEY again;
        Out->CreateSubKeyAgain = WdfRegistryCreateKey(key, &sub, KEY_ALL_ACCESS, REG_OPTION_NON_VOLATILE,
                                                      &disposition, WDF_NO_OBJECT_ATTRIBUTES, &again);
        Out->CreateAgainDisposition = disposition;
        if (NT_SUCCESS(Out->CreateSubKeyAgain)) {
            WdfRegistryClose(again);
        }
        Out->RemoveSubKey = WdfRegistryRemoveKey(subKey);
        if (!NT_SUCCESS(Out->RemoveSubKey)) {
            WdfRegistryClose(subKey);
        }
        Out->OpenRemovedSubKey = WdfRegistryOpenKey(key, &sub, KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &subKey);
        if (NT_SUCCESS(Out->OpenRemovedSubKey)) {
            WdfRegistryClose(subKey);
        }
    }
    Out->RemoveValue = WdfRegistryRemoveValue(key, &count);
    Out->QueryRemovedValue = WdfRegistryQueryULong(key, &count, &value);
    WdfRegistryClose(key);

    Out->OpenDriverKey = WdfDeviceOpenRegistryKey(Device, PLUGPLAY_REGKEY_DRIVER, KEY_ALL_ACCESS,
                                                  WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (NT_SUCCESS(Out->OpenDriverKey)) {
        Out->DriverKeySeesDeviceValue = WdfRegistryQueryUnicodeString(key, &name, NULL, &full);
        WdfRegistryClose(key);
    }

    DECLARE_CONST_UNICODE_STRING(parameter, L"Answer");
    Out->OpenParameters = WdfDriverOpenParametersRegistryKey(WdfDeviceGetDriver(Device), KEY_READ,
                                                             WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (NT_SUCCESS(Out->OpenParameters)) {
        Out->QueryParameter = WdfRegistryQueryULong(key, &parameter, &value);
        Out->ParameterValue = value;
        WdfRegistryClose(key);
    }

    /* The instance's Enum key by its full name, where setup keeps the friendly name. */
    DECLARE_CONST_UNICODE_STRING(enumKey, L"\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\ROOT\\QTEST\\0000");
    DECLARE_CONST_UNICODE_STRING(friendlyName, L"FriendlyName");
    DECLARE_CONST_UNICODE_STRING(friendly, L"Queue test device");
    Out->OpenEnumKey = WdfRegistryOpenKey(NULL, &enumKey, KEY_ALL_ACCESS, WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (NT_SUCCESS(Out->OpenEnumKey)) {
        Out->AssignFriendlyName = WdfRegistryAssignUnicodeString(key, &friendlyName, &friendly);
        WdfRegistryClose(key);
    }
}

static VOID QBadInput(PQ_DEVICE_CONTEXT Context, WDFREQUEST Self, QTEST_BAD *Out)
{
    WDFREQUEST found;
    /* A queue handle where a request belongs: the verifier's INVALID_HANDLE. */
    Out->FindWrongHandle = WdfIoQueueFindRequest(Context->Manual, (WDFREQUEST)Context->Manual, NULL, NULL, &found);
    Out->FindOnParallel = WdfIoQueueFindRequest(Context->Default, NULL, NULL, NULL, &found);
    Out->ReadyOnParallel = WdfIoQueueReadyNotify(Context->Default, QEvtManualReady, Context);
    Out->ReadyTwice = WdfIoQueueReadyNotify(Context->Manual, QEvtManualReady, Context);
    WDFKEY key;
    if (NT_SUCCESS(WdfDeviceOpenRegistryKey(WdfIoQueueGetDevice(Context->Manual), PLUGPLAY_REGKEY_DEVICE, KEY_READ,
                                            WDF_NO_OBJECT_ATTRIBUTES, &key))) {
        DECLARE_CONST_UNICODE_STRING(count, L"Count");
        ULONG value;
        KIRQL irql;
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
        Out->QueryAtDispatch = WdfRegistryQueryULong(key, &count, &value);
        KeLowerIrql(irql);
        WdfRegistryClose(key);
    }
    WDF_REQUEST_FORWARD_OPTIONS options;
    WDF_REQUEST_FORWARD_OPTIONS_INIT(&options);
    Out->ForwardToParent = WdfRequestForwardToParentDeviceIoQueue(Self, Context->Manual, &options);
}

VOID QEvtIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength, size_t InputBufferLength,
                         ULONG IoControlCode)
{
    UNREFERENCED_PARAMETER(OutputBufferLength);
    WDFDEVICE device = WdfIoQueueGetDevice(Queue);
    PQ_DEVICE_CONTEXT context = QDeviceContext(device);
    WDFFILEOBJECT file = WdfRequestGetFileObject(Request);
    size_t size = 0;
    switch (IoControlCode) {
    case IOCTL_Q_READY_COUNT:
    case IOCTL_Q_FIND_MINE:
    case IOCTL_Q_COMPLETE_MINE:
    case IOCTL_Q_FILE_SEQUENCE:
        size = sizeof(ULONG);
        break;
    case IOCTL_Q_RETRIEVE_FOUND:
        size = sizeof(QTEST_FOUND);
        break;
    case IOCTL_Q_REQUEUE:
        size = sizeof(QTEST_REQUEUE);
        break;
    case IOCTL_Q_REGISTRY:
        size = sizeof(QTEST_REGISTRY);
        break;
    case IOCTL_Q_PROPERTY_SMALL:
        size = sizeof(QTEST_PAIR);
        break;
    case IOCTL_Q_FDOINIT:
        size = sizeof(QTEST_FDOINIT);
        break;
    case IOCTL_Q_BAD_INPUT:
        size = sizeof(QTEST_BAD);
        break;
    case IOCTL_Q_DEVICE_STATE:
        size = sizeof(QTEST_STATE);
        break;
    case IOCTL_Q_PROPERTY:
        break;
    default:
        WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
        return;
    }
    ULONG property = 0;
    if (IoControlCode == IOCTL_Q_PROPERTY || IoControlCode == IOCTL_Q_PROPERTY_SMALL) {
        PULONG in;
        NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&in, NULL);
        if (!NT_SUCCESS(status) || InputBufferLength < sizeof(ULONG)) {
            WdfRequestComplete(Request, STATUS_INVALID_PARAMETER);
            return;
        }
        property = *in;
    }
    if (IoControlCode == IOCTL_Q_PROPERTY) {
        WDFMEMORY memory;
        NTSTATUS status = WdfDeviceAllocAndQueryProperty(device, (DEVICE_REGISTRY_PROPERTY)property, PagedPool,
                                                         WDF_NO_OBJECT_ATTRIBUTES, &memory);
        if (!NT_SUCCESS(status)) {
            WdfRequestComplete(Request, status);
            return;
        }
        size_t length = 0;
        PVOID data = WdfMemoryGetBuffer(memory, &length);
        PVOID out;
        status = WdfRequestRetrieveOutputBuffer(Request, length, &out, NULL);
        if (NT_SUCCESS(status)) {
            RtlCopyMemory(out, data, length);
        }
        WdfObjectDelete(memory);
        WdfRequestCompleteWithInformation(Request, status, NT_SUCCESS(status) ? length : 0);
        return;
    }
    PVOID out;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, size, &out, NULL);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    RtlZeroMemory(out, size);
    switch (IoControlCode) {
    case IOCTL_Q_READY_COUNT:
        *(PULONG)out = (ULONG)context->ReadyCount;
        break;
    case IOCTL_Q_FIND_MINE:
        *(PULONG)out = QCountMine(context, file);
        break;
    case IOCTL_Q_COMPLETE_MINE:
        *(PULONG)out = QCompleteMine(context, file);
        break;
    case IOCTL_Q_FILE_SEQUENCE:
        *(PULONG)out = QFileContext(file)->Sequence;
        break;
    case IOCTL_Q_RETRIEVE_FOUND:
        QRetrieveFound(context, out);
        break;
    case IOCTL_Q_REQUEUE:
        QRequeue(context, Request, out);
        break;
    case IOCTL_Q_REGISTRY:
        QRegistry(device, out);
        break;
    case IOCTL_Q_PROPERTY_SMALL: {
        QTEST_PAIR *pair = out;
        UCHAR tiny[2];
        ULONG length = 0;
        pair->Status = WdfDeviceQueryProperty(device, (DEVICE_REGISTRY_PROPERTY)property, sizeof(tiny), tiny, &length);
        pair->Value = length;
        break;
    }
    case IOCTL_Q_FDOINIT:
        *(QTEST_FDOINIT *)out = context->FdoInit;
        break;
    case IOCTL_Q_BAD_INPUT:
        QBadInput(context, Request, out);
        break;
    case IOCTL_Q_DEVICE_STATE: {
        WDF_DEVICE_STATE state;
        WDF_DEVICE_STATE_INIT(&state);
        state.DontDisplayInUI = WdfTrue;
        WdfDeviceSetDeviceState(device, &state);
        WDF_DEVICE_STATE_INIT(&state);
        state.NotDisableable = WdfTrue;
        WdfDeviceSetDeviceState(device, &state);
        WDF_DEVICE_STATE_INIT(&state);
        WdfDeviceGetDeviceState(device, &state);
        QTEST_STATE *result = out;
        result->Disabled = state.Disabled;
        result->DontDisplayInUI = state.DontDisplayInUI;
        result->NotDisableable = state.NotDisableable;
        break;
    }
    default:
        break;
    }
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, size);
}
