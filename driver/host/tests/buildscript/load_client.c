/*
 * load_client.c - loads a driver module into the host and unloads it again, with the
 * driver's DbgPrint output on stderr, so that a script can check what the driver
 * printed while it was loaded.
 *
 *   load_client MODULE.so SERVICE
 *
 * Exit status 0 when the load and the unload succeed and the verifier reported nothing.
 */
#include "khtest.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODULE.so SERVICE\n", argv[0]);
        return 2;
    }
    KtSection("load %s as %s, then unload it", argv[1], argv[2]);
    KtVerifierCapture();
    KT_CHECK_STATUS(KmdfHostInitialize(), 0);
    KmdfHostSetDebugPrintFd(2);
    KH_DRIVER *driver = NULL;
    KT_CHECK_STATUS(KmdfHostLoadDriver(argv[1], argv[2], &driver), 0);
    if (driver != NULL) {
        KT_CHECK_STATUS(KmdfHostUnloadDriver(driver), 0);
    }
    KT_CHECKF(KtVerifierCount(NULL) == 0, "the verifier reported something");
    KtVerifierDump();
    return KtFinish();
}
