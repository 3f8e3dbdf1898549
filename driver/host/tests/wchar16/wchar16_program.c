/*
 * wchar16_program.c - a Win32 program built with scripts/build-host-app as it is by
 * default, with Windows' 16-bit wchar_t: WCHAR and L"" are UTF-16, and the wide C
 * runtime, the printf family, strsafe.h, wmain's arguments and the W functions take
 * and give UTF-16 (include/um/kmdfhost_wchar16.h). Run by CTest with one argument,
 * "é😀" (UTF-8), which wmain must receive as the three units 0xE9 0xD83D 0xDE00.
 * Prints one line per failed check and "wchar16 ok" when all pass; also the wprintf
 * lines that the test's regular expression matches.
 */
#include <windows.h>
#include <strsafe.h>
#include <tchar.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int Failures;

#define CHECK(e)                                                                            \
    do {                                                                                    \
        if (!(e)) {                                                                         \
            printf("wchar16_program.c:%d: check failed: %s\n", __LINE__, #e);               \
            Failures++;                                                                     \
        }                                                                                   \
    } while (0)

/* Windows' layout: two bytes a WCHAR, a character above U+FFFF as a surrogate pair. */
_Static_assert(sizeof(WCHAR) == 2, "WCHAR is 16 bits, as on Windows");
_Static_assert(sizeof(L"ab") == 6, "L\"\" literals are UTF-16");
_Static_assert(sizeof(L"\U0001F600") == 6, "a character above U+FFFF is a surrogate pair");

static void Strings(void)
{
    static const WCHAR Smile[] = L"h\U0001F600";
    CHECK(Smile[1] == 0xD83D && Smile[2] == 0xDE00);
    CHECK(wcslen(Smile) == 3 && wcsnlen(Smile, 2) == 2 && lstrlenW(Smile) == 3 && lstrlenW(NULL) == 0);

    WCHAR Buffer[16];
    CHECK(wcscpy(Buffer, L"abc") == Buffer && wcscmp(Buffer, L"abc") == 0);
    CHECK(wcscat(Buffer, L"def") == Buffer && wcscmp(Buffer, L"abcdef") == 0);
    CHECK(wcsncat(Buffer, L"ghij", 2) == Buffer && wcscmp(Buffer, L"abcdefgh") == 0);
    /* wcsncpy pads with NULs up to the count, and adds none when the source is longer. */
    wmemset(Buffer, L'x', 16);
    wcsncpy(Buffer, L"ab", 5);
    CHECK(Buffer[1] == L'b' && Buffer[2] == 0 && Buffer[4] == 0 && Buffer[5] == L'x');
    wcsncpy(Buffer, L"abcdef", 3);
    CHECK(Buffer[2] == L'c' && Buffer[3] == 0);
    CHECK(wcscmp(L"a", L"b") < 0 && wcscmp(L"b", L"a") > 0 && wcsncmp(L"abX", L"abY", 2) == 0);
    /* Units compare unsigned: U+E9 sorts after 'z'. */
    CHECK(wcscmp(L"\u00e9", L"z") > 0);
    CHECK(_wcsicmp(L"Hello", L"hELLO") == 0 && _wcsicmp(L"a", L"B") < 0 && _wcsnicmp(L"ABx", L"aby", 2) == 0);

    const WCHAR *Text = L"one;two;three";
    CHECK(wcschr(Text, L';') == Text + 3 && wcsrchr(Text, L';') == Text + 7 && wcschr(Text, L'z') == NULL);
    CHECK(wcschr(Text, 0) == Text + 13);
    CHECK(wcsstr(Text, L"two") == Text + 4 && wcsstr(Text, L"four") == NULL && wcsstr(Text, L"") == Text);
    CHECK(wcspbrk(Text, L";t") == Text + 3 && wcsspn(Text, L"neo") == 3 && wcscspn(Text, L";") == 3);

    WCHAR *Copy = _wcsdup(Smile);
    CHECK(Copy != NULL && wmemcmp(Copy, Smile, 4) == 0);
    free(Copy);
    WCHAR Mixed[] = L"MiXeD";
    CHECK(wcscmp(_wcslwr(Mixed), L"mixed") == 0 && wcscmp(_wcsupr(Mixed), L"MIXED") == 0);
    CHECK(wmemchr(Text, L't', 13) == Text + 4 && wmemchr(Text, L'z', 13) == NULL);
    WCHAR Moved[8] = L"abcdef";
    wmemmove(Moved + 1, Moved, 3);
    CHECK(wcscmp(Moved, L"aabcef") == 0);
    CHECK(towupper(L'a') == L'A' && towlower(L'Q') == L'q' && iswspace(L' ') && iswdigit(L'7') && !iswdigit(L'x'));

    /* TCHAR names with _UNICODE are the same functions. */
    CHECK(_tcslen(_T("four")) == 4 && _tcscmp(_T("a"), _T("a")) == 0);
}

static void Numbers(void)
{
    WCHAR *End = NULL;
    const WCHAR *Text = L"  -123xyz";
    CHECK(wcstol(Text, &End, 10) == -123 && End == Text + 6);
    CHECK(wcstoul(L"0x1F", &End, 16) == 31 && *End == 0);
    CHECK(wcstoul(L"0x1f", NULL, 0) == 31 && wcstol(L"017", NULL, 0) == 15);
    /* No number: nothing converted, End at the start. */
    Text = L"  zz";
    CHECK(wcstol(Text, &End, 10) == 0 && End == Text);
    /* Windows' long is 32 bits: LONG_MAX (0x7FFFFFFF) and ERANGE on overflow. */
    errno = 0;
    CHECK(wcstol(L"99999999999", NULL, 10) == 0x7FFFFFFFL && errno == ERANGE);
    errno = 0;
    CHECK(wcstol(L"-99999999999", NULL, 10) == -0x7FFFFFFFL - 1 && errno == ERANGE);
    errno = 0;
    CHECK(wcstoul(L"4294967296", NULL, 10) == 0xFFFFFFFFul && errno == ERANGE);
    CHECK(wcstoul(L"-1", NULL, 10) == 0xFFFFFFFFul);
    CHECK(_wtoi(L"42") == 42 && _wtol(L" 7") == 7 && _wtoi64(L"-5000000000") == -5000000000LL);
    CHECK(_wcstoui64(L"18446744073709551615", NULL, 10) == 18446744073709551615ULL);
    CHECK(wcstoll(L"+12", NULL, 10) == 12 && wcstoull(L"+-1", &End, 10) == 0);
}

static void Formats(void)
{
    WCHAR Wide[64];
    /* In the wide functions %s and %c are wide, %S and %C narrow; h forces narrow, l and w wide. */
    CHECK(swprintf(Wide, ARRAYSIZE(Wide), L"%s|%S|%ls|%ws|%hs|%c|%C|%d", L"wide", "narrow", L"l", L"w", "h",
                   L'x', 'y', 7) == 23);
    CHECK(wcscmp(Wide, L"wide|narrow|l|w|h|x|y|7") == 0);
    CHECK(swprintf(Wide, ARRAYSIZE(Wide), L"[%-5s][%3s]", L"ab", L"\u00e9") == 12 &&
          wcscmp(Wide, L"[ab   ][  \u00e9]") == 0);
    CHECK(swprintf(Wide, ARRAYSIZE(Wide), L"%s", L"\U0001F600") == 2 && Wide[0] == 0xD83D && Wide[1] == 0xDE00);
    /* ISO swprintf: -1 when the text does not fit, truncated and terminated. */
    CHECK(swprintf(Wide, 4, L"%s", L"abcdef") == -1 && wcscmp(Wide, L"abc") == 0);
    /* _snwprintf: -1, Count characters without a NUL; exactly Count: no NUL, the length. */
    wmemset(Wide, L'#', 8);
    CHECK(_snwprintf(Wide, 3, L"%s", L"abcdef") == -1 && Wide[2] == L'c' && Wide[3] == L'#');
    CHECK(_snwprintf(Wide, 3, L"%d", 123) == 3 && Wide[3] == L'#');
    CHECK(_scwprintf(L"%s-%d", L"ab", 10) == 5);

    /* The narrow functions: %ws, %ls and %S are UTF-16 strings, printed as UTF-8. */
    char Narrow[64];
    CHECK(snprintf(Narrow, sizeof(Narrow), "%ws|%S|%ls|%s|%wc|%C", L"\u00e9\U0001F600", L"x", L"y", "n", L'z',
                   L'\u00e9') > 0);
    CHECK(strcmp(Narrow, "\xc3\xa9\xf0\x9f\x98\x80|x|y|n|z|\xc3\xa9") == 0);
    CHECK(snprintf(Narrow, sizeof(Narrow), "[%.2ws][%4S]", L"abc", L"\u00e9") > 0 &&
          strcmp(Narrow, "[ab][   \xc3\xa9]") == 0);
    CHECK(sprintf(Narrow, "%I64u %Iu %ld", 18446744073709551615ULL, (SIZE_T)5, (long)-3) > 0 &&
          strcmp(Narrow, "18446744073709551615 5 -3") == 0);

    /* strsafe.h, W forms. */
    CHECK(SUCCEEDED(StringCchPrintfW(Wide, ARRAYSIZE(Wide), L"%ws-%I64u", L"id", 7ULL)) && wcscmp(Wide, L"id-7") == 0);
    CHECK(StringCchPrintfW(Wide, 3, L"%s", L"long") == STRSAFE_E_INSUFFICIENT_BUFFER);
    CHECK(StringCchCopyW(Wide, ARRAYSIZE(Wide), L"ab") == S_OK && StringCchCatW(Wide, ARRAYSIZE(Wide), L"cd") == S_OK &&
          wcscmp(Wide, L"abcd") == 0);
    size_t Length = 0;
    CHECK(StringCchLengthW(Wide, ARRAYSIZE(Wide), &Length) == S_OK && Length == 4);
    /* StringCb*: the size in bytes, two a WCHAR. */
    CHECK(StringCbCopyW(Wide, 6, L"abc") == STRSAFE_E_INSUFFICIENT_BUFFER && wcscmp(Wide, L"ab") == 0);
    CHECK(StringCbCopyW(Wide, 8, L"abc") == S_OK && wcscmp(Wide, L"abc") == 0);
}

static void Conversions(void)
{
    const char *Utf8 = "\xc3\xa9\xf0\x9f\x98\x80!";
    WCHAR Wide[8];
    CHECK(mbstowcs(NULL, Utf8, 0) == 4);
    CHECK(mbstowcs(Wide, Utf8, ARRAYSIZE(Wide)) == 4 && wcscmp(Wide, L"\u00e9\U0001F600!") == 0);
    CHECK(mbstowcs(Wide, "\xff", ARRAYSIZE(Wide)) == (size_t)-1);
    char Back[16];
    CHECK(wcstombs(NULL, Wide, 0) == 7 && wcstombs(Back, Wide, sizeof(Back)) == 7 && strcmp(Back, Utf8) == 0);
    static const WCHAR Lone[] = {0xD800, L'a', 0};
    CHECK(wcstombs(Back, Lone, sizeof(Back)) == (size_t)-1);

    /* _wfopen names the file in UTF-8; fputws writes UTF-8. */
    FILE *File = _wfopen(L"wchar16-\u00e9.txt", L"w");
    CHECK(File != NULL);
    if (File != NULL) {
        CHECK(fputws(L"\U0001F600 text", File) >= 0);
        fclose(File);
        File = fopen("wchar16-\xc3\xa9.txt", "r");
        CHECK(File != NULL);
        if (File != NULL) {
            char Line[32] = {0};
            CHECK(fgets(Line, sizeof(Line), File) != NULL && strcmp(Line, "\xf0\x9f\x98\x80 text") == 0);
            fclose(File);
        }
        remove("wchar16-\xc3\xa9.txt");
    }
}

static void Win32(void)
{
    WCHAR Message[128];
    static const WCHAR Expected[] = L"The system cannot find the file specified.\r\n";
    CHECK(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_FILE_NOT_FOUND, 0, Message, ARRAYSIZE(Message),
                         NULL) == wcslen(Expected) &&
          wcscmp(Message, Expected) == 0);
    CHECK(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, ERROR_FILE_NOT_FOUND, 0, Message, 10, NULL) == 0 &&
          GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    WCHAR *Allocated = NULL;
    CHECK(FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_ALLOCATE_BUFFER, NULL, ERROR_FILE_NOT_FOUND, 0,
                         (LPWSTR)&Allocated, 0, NULL) == wcslen(Expected) &&
          Allocated != NULL && wcscmp(Allocated, Expected) == 0);
    LocalFree(Allocated);

    char Cwd[4096];
    CHECK(getcwd(Cwd, sizeof(Cwd)) != NULL);
    WCHAR Directory[4096];
    DWORD Needed = GetCurrentDirectoryW(0, NULL);
    DWORD Units = GetCurrentDirectoryW(ARRAYSIZE(Directory), Directory);
    CHECK(Units > 0 && Needed == Units + 1 && wcslen(Directory) == Units);
    char Back[4096];
    CHECK(wcstombs(Back, Directory, sizeof(Back)) != (size_t)-1);
    /* The Win32 directory may use "\" where the host's has "/": compare the last name. */
    const char *Last = strrchr(Cwd, '/');
    CHECK(Last != NULL && strstr(Back, Last + 1) != NULL);

    HANDLE Event = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK(Event != NULL && SetEvent(Event) && WaitForSingleObject(Event, 0) == WAIT_OBJECT_0);
    CloseHandle(Event);
    HANDLE Missing = CreateFileW(L"\\\\.\\NoSuchDevice\u00e9", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(Missing == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_NOT_FOUND);
}

int wmain(int argc, wchar_t **argv)
{
    CHECK(argc == 2);
    if (argc == 2) {
        CHECK(wcslen(argv[1]) == 3 && argv[1][0] == 0xE9 && argv[1][1] == 0xD83D && argv[1][2] == 0xDE00);
    }
    Strings();
    Numbers();
    Formats();
    Conversions();
    Win32();
    /* The test's regular expression reads these (UTF-8 on stdout). */
    wprintf(L"wprintf: %s %hs %d %S\n", L"wide-\u00e9", "narrow", 5, "\xc3\xa9");
    fwprintf(stdout, L"fwprintf: [%5.1s]\n", L"ab");
    _putws(L"_putws: \U0001F600");
    printf("printf: %ws\n", argv[argc - 1]);
    if (Failures == 0) {
        printf("wchar16 ok\n");
    }
    return Failures == 0 ? 0 : 1;
}
