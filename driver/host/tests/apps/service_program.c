/*
 * service_program.c - the service control manager and files of the host from a Win32
 * program, as a non-PnP driver's test program uses them: the program installs
 * ioctl_driver (tests/ioctl) as a SERVICE_KERNEL_DRIVER service, starts it, talks to its
 * control device, stops and deletes it, with the documented errors on the way; a .sys
 * that is a Windows image is replaced by the module of the same base name next to it.
 * The last service is left running with its device open: the end of the process closes
 * the handle and stops the service (host-run reports a leak or a verifier finding).
 * Then rand has the range of the Microsoft C runtime.
 *
 *   host-run -- service_program DRIVER.so SCRATCH_DIR
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            printf("FAILED line %d: %s (last error %lu)\n", __LINE__, #cond, GetLastError()); \
            Failures++;                                                                      \
        }                                                                                    \
    } while (0)
#define CHECK_ERROR(call, error) CHECK(!(call) && GetLastError() == (error))

#define IOCTL_T_BUFFERED CTL_CODE(0x8125, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_T_NEITHER CTL_CODE(0x8125, 0x903, METHOD_NEITHER, FILE_ANY_ACCESS)
#define DEVICE_PATH "\\\\.\\KhIoctlTest"

static int Failures;

/* Copies the file From to To through CreateFile, ReadFile and WriteFile. */
static BOOL CopyThrough(const char *From, const char *To)
{
    HANDLE in = CreateFileA(From, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    HANDLE out = CreateFileA(To, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    BOOL ok = in != INVALID_HANDLE_VALUE && out != INVALID_HANDLE_VALUE;
    char buffer[65536];
    DWORD read = 0, written;
    while (ok && ReadFile(in, buffer, sizeof(buffer), &read, NULL) && read != 0) {
        ok = WriteFile(out, buffer, read, &written, NULL) && written == read;
    }
    if (in != INVALID_HANDLE_VALUE) {
        CloseHandle(in);
    }
    if (out != INVALID_HANDLE_VALUE) {
        CloseHandle(out);
    }
    return ok;
}

static void TalkToDevice(HANDLE Device)
{
    char out[16] = {0};
    DWORD returned = 0;
    CHECK(DeviceIoControl(Device, IOCTL_T_BUFFERED, "abc", 3, out, sizeof(out), &returned, NULL));
    CHECK(returned == 3 && memcmp(out, "cba", 3) == 0);
    memset(out, 0, sizeof(out));
    CHECK(DeviceIoControl(Device, IOCTL_T_NEITHER, "neither", 7, out, 7, &returned, NULL));
    CHECK(returned == 7 && memcmp(out, "rehtien", 7) == 0);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: service_program DRIVER.so SCRATCH_DIR\n");
        return 2;
    }
    const char *module = argv[1];
    const char *scratch = argv[2];
    SERVICE_STATUS status;

    printf("-- the manager\n");
    SC_HANDLE manager = OpenSCManagerA(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    CHECK(manager != NULL);
    CHECK_ERROR(OpenSCManagerA(NULL, "NoSuchDatabase", SC_MANAGER_ALL_ACCESS), ERROR_DATABASE_DOES_NOT_EXIST);
    CHECK_ERROR(CloseServiceHandle(NULL), ERROR_INVALID_HANDLE);

    printf("-- before the service exists\n");
    CHECK(CreateFileA(DEVICE_PATH, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) == INVALID_HANDLE_VALUE &&
          GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK_ERROR(OpenServiceA(manager, "KhIoctlSvc", SERVICE_ALL_ACCESS), ERROR_SERVICE_DOES_NOT_EXIST);
    CHECK_ERROR(CreateServiceA(manager, "Kh\\Bad", NULL, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                               SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, module, NULL, NULL, NULL, NULL, NULL),
                ERROR_INVALID_NAME);
    CHECK_ERROR(OpenServiceA(NULL, "KhIoctlSvc", SERVICE_ALL_ACCESS), ERROR_INVALID_HANDLE);

    printf("-- create, start, use, stop, delete\n");
    SC_HANDLE service = CreateServiceA(manager, "KhIoctlSvc", "KhIoctlSvc", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                       SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, module, NULL, NULL, NULL, NULL,
                                       NULL);
    CHECK(service != NULL);
    CHECK_ERROR(CreateServiceA(manager, "khioctlsvc", NULL, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                               SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, module, NULL, NULL, NULL, NULL, NULL),
                ERROR_SERVICE_EXISTS);
    CHECK(QueryServiceStatus(service, &status) && status.dwCurrentState == SERVICE_STOPPED &&
          status.dwServiceType == SERVICE_KERNEL_DRIVER);
    CHECK_ERROR(ControlService(service, SERVICE_CONTROL_STOP, &status), ERROR_SERVICE_NOT_ACTIVE);
    CHECK_ERROR(QueryServiceStatus(manager, &status), ERROR_INVALID_HANDLE);
    CHECK(StartServiceA(service, 0, NULL));
    CHECK_ERROR(StartServiceA(service, 0, NULL), ERROR_SERVICE_ALREADY_RUNNING);
    CHECK(QueryServiceStatus(service, &status) && status.dwCurrentState == SERVICE_RUNNING &&
          (status.dwControlsAccepted & SERVICE_ACCEPT_STOP));
    HANDLE device = CreateFileA(DEVICE_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(device != INVALID_HANDLE_VALUE);
    if (device != INVALID_HANDLE_VALUE) {
        TalkToDevice(device);
        CHECK(CloseHandle(device));
    }
    CHECK_ERROR(ControlService(service, SERVICE_CONTROL_PAUSE, &status), ERROR_INVALID_SERVICE_CONTROL);
    CHECK(ControlService(service, SERVICE_CONTROL_STOP, &status) && status.dwCurrentState == SERVICE_STOPPED);
    CHECK(CreateFileA(DEVICE_PATH, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) == INVALID_HANDLE_VALUE &&
          GetLastError() == ERROR_FILE_NOT_FOUND);
    CHECK(DeleteService(service));
    CHECK_ERROR(DeleteService(service), ERROR_SERVICE_MARKED_FOR_DELETE);
    CHECK_ERROR(StartServiceA(service, 0, NULL), ERROR_SERVICE_MARKED_FOR_DELETE);
    CHECK(CloseServiceHandle(service));
    CHECK_ERROR(OpenServiceA(manager, "KhIoctlSvc", SERVICE_ALL_ACCESS), ERROR_SERVICE_DOES_NOT_EXIST);

    printf("-- binary paths: missing, a Windows image, a Windows image with its module beside it\n");
    char path[1024], so[1024];
    snprintf(path, sizeof(path), "%s\\missing.sys", scratch);
    service = CreateServiceA(manager, "KhMissing", NULL, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                             SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, path, NULL, NULL, NULL, NULL, NULL);
    CHECK(service != NULL);
    CHECK_ERROR(StartServiceA(service, 0, NULL), ERROR_FILE_NOT_FOUND);
    CHECK(DeleteService(service) && CloseServiceHandle(service));
    snprintf(path, sizeof(path), "%s\\KhImage.sys", scratch);
    snprintf(so, sizeof(so), "%s/KhImage.so", scratch);
    remove(so); /* from an earlier run */
    HANDLE image = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written = 0;
    CHECK(image != INVALID_HANDLE_VALUE && WriteFile(image, "MZ\x90\0", 4, &written, NULL) && written == 4);
    CloseHandle(image);
    service = CreateServiceA(manager, "KhImage", NULL, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                             SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, path, NULL, NULL, NULL, NULL, NULL);
    CHECK(service != NULL);
    CHECK_ERROR(StartServiceA(service, 0, NULL), ERROR_BAD_EXE_FORMAT);
    CHECK(CopyThrough(module, so));
    CHECK(StartServiceA(service, 0, NULL));
    CHECK(ControlService(service, SERVICE_CONTROL_STOP, &status) && status.dwCurrentState == SERVICE_STOPPED);
    CHECK(DeleteService(service) && CloseServiceHandle(service));

    printf("-- left running, with its device open, when the program ends\n");
    service = CreateServiceA(manager, "KhRunning", NULL, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                             SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, module, NULL, NULL, NULL, NULL, NULL);
    CHECK(service != NULL && StartServiceA(service, 0, NULL));
    device = CreateFileA(DEVICE_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(device != INVALID_HANDLE_VALUE);
    CHECK(CloseServiceHandle(service));
    CHECK(CloseServiceHandle(manager));

    printf("-- rand: the Microsoft C runtime's range (a Windows program sizes buffers with it)\n");
    CHECK(RAND_MAX == 32767);
    srand(7);
    int first = rand(), largest = first;
    for (int i = 0; i < 10000; i++) {
        int value = rand();
        largest = value > largest ? value : largest;
        CHECK(value >= 0 && value <= RAND_MAX);
    }
    CHECK(largest > RAND_MAX / 2);
    srand(7);
    CHECK(rand() == first);

    printf("%d failure(s)\n", Failures);
    return Failures == 0 ? 0 : 1;
}
