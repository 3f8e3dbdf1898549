/*
 * win32_roundtrip.c - a benchmark, not a test: the CPU time per request of the native
 * I/O path (WriteFile and ReadFile on a synchronous handle, through the Win32 surface,
 * the NT system services and the I/O manager) against the WDM test driver w32driver.so,
 * whose write and read complete at once.
 *
 *   win32_roundtrip [COUNT]      COUNT round trips of 1 KiB (default 100000)
 *
 * Prints the wall and process CPU time, and the CPU time per round trip (a write and a
 * read). Run it from the build directory with KMDFHOST_DRIVER_DIR set, e.g.
 *   KMDFHOST_DRIVER_DIR=target/build/drivers target/build/tests/win32/win32_roundtrip
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "w32test.h"

static const GUID TestGuid = {
    0x5b0e9d21, 0x7c43, 0x4a8e, {0x9f, 0x12, 0x3d, 0x4c, 0x5b, 0x6a, 0x7e, 0x80}};

static double CpuSeconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    KtVerifierCapture();
    KT_DEVICE device;
    EXPECT_STATUS(KtLoadDriver(&device, "w32driver.so", "W32Test"), KT_STATUS_SUCCESS);
    uint8_t guid[16];
    memcpy(guid, &TestGuid, sizeof guid);
    EXPECT_STATUS(KtAddAndStart(&device, "ROOT\\W32TEST\\0000", guid), KT_STATUS_SUCCESS);
    wchar_t path[512];
    size_t i = 0;
    for (; device.InterfacePath[i] != '\0' && i + 1 < sizeof path / sizeof path[0]; i++) {
        path[i] = (wchar_t)(unsigned char)device.InterfacePath[i];
    }
    path[i] = L'\0';
    HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    KT_CHECK(h != INVALID_HANDLE_VALUE);
    static uint8_t out[1024], in[1024];
    memset(out, 0xA5, sizeof out);
    double cpu0 = CpuSeconds();
    uint64_t wall0 = KtNowNs();
    long failed = 0;
    for (long n = 0; n < count; n++) {
        DWORD bytes = 0;
        if (!WriteFile(h, out, sizeof out, &bytes, NULL) || bytes != sizeof out) {
            failed++;
        }
        if (!ReadFile(h, in, sizeof in, &bytes, NULL) || bytes != sizeof in) {
            failed++;
        }
    }
    double cpu = CpuSeconds() - cpu0;
    double wall = (double)(KtNowNs() - wall0) / 1e9;
    KT_CHECK(failed == 0);
    KT_CHECK(CloseHandle(h));
    printf("%ld round trips of 1 KiB: wall %.3f s, CPU %.3f s, %.2f us CPU per round trip\n", count,
           wall, cpu, cpu * 1e6 / (double)count);
    KtTeardown(&device, "win32_roundtrip");
    return KtFinish();
}
