/*
 * setupstack.h - IOCTL_SETUPTEST_STACK for every driver of the test stack (setupdriver.c,
 * setupfilter.c): appends Name and "," to the request's buffer, sends the request to the
 * next lower driver and waits for it (WDF_REQUEST_SEND_OPTION_SYNCHRONOUS: the driver
 * below appends its own name to the same system buffer), then completes it with success
 * whatever the lower drivers said (the root bus at the bottom knows no such control).
 */
#ifndef SETUPSTACK_H
#define SETUPSTACK_H

static VOID SetupTestStackControl(WDFDEVICE Device, WDFREQUEST Request, const char *Name)
{
    PCHAR buffer;
    size_t length;
    NTSTATUS status = WdfRequestRetrieveOutputBuffer(Request, SETUPTEST_STACK_SIZE, (PVOID *)&buffer, &length);
    if (!NT_SUCCESS(status)) {
        WdfRequestComplete(Request, status);
        return;
    }
    size_t used = 0;
    while (used < SETUPTEST_STACK_SIZE && buffer[used] != 0) {
        used++;
    }
    size_t name = 0;
    while (Name[name] != 0) {
        name++;
    }
    if (used + name + 2 > SETUPTEST_STACK_SIZE) {
        WdfRequestComplete(Request, STATUS_BUFFER_OVERFLOW);
        return;
    }
    RtlCopyMemory(buffer + used, Name, name);
    buffer[used + name] = ',';
    buffer[used + name + 1] = 0;

    WDF_REQUEST_SEND_OPTIONS options;
    WDF_REQUEST_SEND_OPTIONS_INIT(&options, WDF_REQUEST_SEND_OPTION_SYNCHRONOUS);
    WdfRequestFormatRequestUsingCurrentType(Request);
    (void)WdfRequestSend(Request, WdfDeviceGetIoTarget(Device), &options);
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, SETUPTEST_STACK_SIZE);
}

#endif /* SETUPSTACK_H */
