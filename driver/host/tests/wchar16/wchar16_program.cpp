/*
 * wchar16_program.cpp - a C++ program with Windows' 16-bit wchar_t (build-host-app's
 * default): WCHAR arrays, the wide C runtime with and without std::, the printf family,
 * and a W function. (libstdc++'s wide library is not available with a 16-bit wchar_t:
 * see wstring_program.cpp.) Prints "wchar16 c++ ok" when all checks pass.
 */
#include <windows.h>

#include <cstdio>
#include <cwchar>
#include <string>

static int failures;

#define CHECK(e)                                                                            \
    do {                                                                                    \
        if (!(e)) {                                                                         \
            std::printf("wchar16_program.cpp:%d: check failed: %s\n", __LINE__, #e);        \
            failures++;                                                                     \
        }                                                                                   \
    } while (0)

static_assert(sizeof(WCHAR) == 2 && sizeof(wchar_t) == 2, "Windows' 16-bit wchar_t");

int main()
{
    WCHAR buffer[32];
    std::wcscpy(buffer, L"caf\u00e9");
    CHECK(std::wcslen(buffer) == 4 && wcscmp(buffer, L"caf\u00e9") == 0);
    CHECK(std::wcstoul(L"0x10", nullptr, 16) == 16 && _wcsicmp(L"ABC", L"abc") == 0);
    CHECK(swprintf(buffer, 32, L"%s=%d", L"n", 5) == 3 && std::wcscmp(buffer, L"n=5") == 0);
    /* char16_t strings are the C++ library's 16-bit strings. */
    std::u16string text(u"\U0001F600");
    CHECK(text.size() == 2 && text[0] == static_cast<char16_t>(0xD83D));
    CHECK(lstrlenW(L"\U0001F600") == 2);
    wprintf(L"wchar16 c++: %s\n", L"wide-\u00e9");
    if (failures == 0) {
        std::printf("wchar16 c++ ok\n");
    }
    return failures == 0 ? 0 : 1;
}
