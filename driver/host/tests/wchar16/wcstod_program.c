/*
 * wcstod_program.c - calls a wide function of the C library that has no 16-bit form
 * (wcstod). With Windows' 16-bit wchar_t (build-host-app's default) it must not compile,
 * with a message that says why (wchar16_unavailable test).
 */
#include <windows.h>

int main(void)
{
    wchar_t *end = NULL;
    double value = wcstod(L"1.5", &end);
    return value == 1.5 ? 0 : 1;
}
