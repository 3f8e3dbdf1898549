/*
 * wmain.c - the entry point of a program whose main function is wmain (_tmain with
 * _UNICODE). scripts/build-host-app links it from an archive, so it is used only by a
 * program that defines no main of its own: it converts the arguments (UTF-8 here, as the
 * host's ANSI code page is UTF-8) to wide strings and calls wmain, as the Microsoft C
 * runtime's wmainCRTStartup does. In a program with Windows' 16-bit wchar_t (the default
 * of build-host-app) the wide strings are UTF-16, converted by the 16-bit mbstowcs of
 * libkmdfhost_wchar16.a; with --wchar32 by the C library's.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv);

#if defined(__SIZEOF_WCHAR_T__) && __SIZEOF_WCHAR_T__ == 2
size_t KhCrt16_mbstowcs(wchar_t *Destination, const char *Source, size_t Count);
#define mbstowcs KhCrt16_mbstowcs
#endif

/* Kept here so that the arguments stay reachable while wmain runs and after exit(). */
static wchar_t **WideArguments;

int main(int argc, char **argv)
{
    /* mbstowcs converts UTF-8 under a UTF-8 locale; C.UTF-8 is always present. */
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
        setlocale(LC_CTYPE, "");
    }
    wchar_t **wargv = calloc((size_t)argc + 1, sizeof(wchar_t *));
    WideArguments = wargv;
    if (wargv == NULL) {
        return 1;
    }
    for (int i = 0; i < argc; i++) {
        size_t n = mbstowcs(NULL, argv[i], 0);
        if (n == (size_t)-1) {
            n = strlen(argv[i]); /* not UTF-8: byte by byte */
            wargv[i] = calloc(n + 1, sizeof(wchar_t));
            for (size_t j = 0; wargv[i] != NULL && j < n; j++) {
                wargv[i][j] = (unsigned char)argv[i][j];
            }
        } else {
            wargv[i] = calloc(n + 1, sizeof(wchar_t));
            if (wargv[i] != NULL) {
                mbstowcs(wargv[i], argv[i], n + 1);
            }
        }
        if (wargv[i] == NULL) {
            return 1;
        }
    }
    int status = wmain(argc, wargv);
    for (int i = 0; i < argc; i++) {
        free(wargv[i]);
    }
    free(wargv);
    WideArguments = NULL;
    return status;
}
