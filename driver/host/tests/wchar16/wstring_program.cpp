/*
 * wstring_program.cpp - a C++ program that keeps text in std::wstring. libstdc++'s wide
 * library is built with a 32-bit wchar_t, so with Windows' 16-bit wchar_t (build-host-app's
 * default) the program must not build, and build-host-app says why; with --wchar32 it
 * builds and runs (wchar16_wstring_* tests).
 */
#include <windows.h>

#include <cstdio>
#include <string>

int main()
{
    std::wstring text(L"wide");
    text += L" text";
    std::printf("%ls: %zu\n", text.c_str(), text.size());
    return text.size() == 9 ? 0 : 1;
}
