/*
 * w32test.h - checks shared by the Win32 surface tests.
 */
#ifndef W32TEST_H
#define W32TEST_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "khtest.h"
#include "kmdfhost_win32.h"

/* Evaluates Call once (KT_CHECK_STATUS evaluates its first argument twice). */
#define EXPECT_STATUS(Call, Expected)                                                       \
    do {                                                                                    \
        KH_STATUS status_ = (Call);                                                         \
        KT_CHECK_STATUS(status_, Expected);                                                 \
    } while (0)

/* Checks the last error and errno right after a failed call (errno first: nothing may
   run in between that could change it). */
#define EXPECT_ERROR(expected)                                                              \
    do {                                                                                    \
        int err_ = errno;                                                                   \
        DWORD last_ = GetLastError();                                                       \
        KT_CHECKF(last_ == (DWORD)(expected), "GetLastError() = %u, expected %u",           \
                  (unsigned)last_, (unsigned)(expected));                                   \
        KT_CHECKF(err_ == (int)(expected), "errno = %d, expected %u", err_,                 \
                  (unsigned)(expected));                                                    \
    } while (0)

/*
 * Waits until thread Tid is blocked in the kernel (state 'S' in /proc), bounded by
 * KT_WAIT_MS. Used where a test must act while another thread is inside a blocking
 * call, which no Win32 function can report.
 */
static inline bool W32WaitUntilSleeping(pid_t Tid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)Tid);
    uint64_t deadline = KtNowNs() + (uint64_t)KT_WAIT_MS * 1000000u;
    while (KtNowNs() < deadline) {
        FILE *f = fopen(path, "r");
        char line[512] = "";
        if (f != NULL) {
            if (fgets(line, sizeof line, f) == NULL) {
                line[0] = '\0';
            }
            fclose(f);
        }
        /* "tid (comm) S ...": the state follows the last ')'. */
        const char *end = strrchr(line, ')');
        if (end != NULL && end[1] == ' ' && end[2] == 'S') {
            return true;
        }
        sched_yield();
    }
    return false;
}

#endif /* W32TEST_H */
