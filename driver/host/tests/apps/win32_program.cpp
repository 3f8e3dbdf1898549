// win32_program.cpp - a Win32 console program in C++, built with scripts/build-host-app
// (-D UNICODE -D _UNICODE, as a Visual Studio project) and run with scripts/host-run
// against an echo driver variant. Its entry point is _tmain, which is wmain with
// _UNICODE: the arguments arrive as wide strings.
//
//   win32_program_cpp [COUNT]   finds the device with SetupAPI (W form, TCHAR names),
//                               then a writer and a reader thread each send COUNT
//                               (default 20) overlapped requests through a completion
//                               port of their own, as Microsoft's echoapp does, and
//                               check what comes back
//
// Exit status 0 when every check holds; 1 with the failing check on stderr.
#define INITGUID

#include <windows.h>
#include <setupapi.h>
#include <strsafe.h>
#include <tchar.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "public.h"

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fwprintf(stderr, L"win32_program.cpp:%d: check failed: %hs (last error %lu)\n",   \
                     __LINE__, #cond, GetLastError());                                        \
            fflush(stdout);                                                                  \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

namespace {

constexpr DWORD kBufferSize = 1024;
constexpr DWORD kTickMs = 10000;

// A kernel handle closed when it goes out of scope.
class Handle {
public:
    explicit Handle(HANDLE h = nullptr) : h_(h) {}
    ~Handle()
    {
        if (valid()) {
            CloseHandle(h_);
        }
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    HANDLE get() const { return h_; }
    bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }

private:
    HANDLE h_;
};

std::wstring FindDevicePath()
{
    HDEVINFO set = SetupDiGetClassDevs(&GUID_DEVINTERFACE_ECHO, nullptr, nullptr,
                                       DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    CHECK(set != INVALID_HANDLE_VALUE);
    SP_DEVICE_INTERFACE_DATA data = {};
    data.cbSize = sizeof(data);
    CHECK(SetupDiEnumDeviceInterfaces(set, nullptr, &GUID_DEVINTERFACE_ECHO, 0, &data));
    DWORD required = 0;
    CHECK(!SetupDiGetDeviceInterfaceDetail(set, &data, nullptr, 0, &required, nullptr));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    std::vector<BYTE> storage(required);
    auto *detail = reinterpret_cast<PSP_DEVICE_INTERFACE_DETAIL_DATA>(storage.data());
    // 8 on 64-bit Windows for both the A and the W structure.
    detail->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA);
    CHECK(detail->cbSize == 8);
    CHECK(SetupDiGetDeviceInterfaceDetail(set, &data, detail, required, nullptr, nullptr));
    std::wstring path(detail->DevicePath);
    CHECK(SetupDiDestroyDeviceInfoList(set));
    return path;
}

struct Worker {
    std::wstring path;
    bool reader;
    DWORD count;
    DWORD completed = 0;
    DWORD bytes = 0;
    bool ok = false;
};

// One side of echoapp's -Async: its own handle and completion port, at most 8 requests
// outstanding, each completion re-issued until COUNT requests have completed.
DWORD WINAPI Run(LPVOID parameter)
{
    Worker &w = *static_cast<Worker *>(parameter);
    Handle device(CreateFile(w.path.c_str(), GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                             FILE_FLAG_OVERLAPPED, nullptr));
    if (!device.valid()) {
        return 1;
    }
    Handle port(CreateIoCompletionPort(device.get(), nullptr, w.reader ? 1 : 2, 0));
    if (!port.valid()) {
        return 1;
    }
    const DWORD depth = w.count < 8 ? w.count : 8;
    std::vector<OVERLAPPED> ops(depth);
    std::vector<std::unique_ptr<BYTE[]>> buffers;
    DWORD issued = 0;
    auto issue = [&](DWORD i) -> bool {
        ZeroMemory(&ops[i], sizeof(OVERLAPPED));
        BYTE *buffer = buffers[i].get();
        BOOL done = w.reader ? ReadFile(device.get(), buffer, kBufferSize, nullptr, &ops[i])
                             : WriteFile(device.get(), buffer, kBufferSize, nullptr, &ops[i]);
        issued++;
        return done || GetLastError() == ERROR_IO_PENDING;
    };
    for (DWORD i = 0; i < depth; i++) {
        buffers.emplace_back(new BYTE[kBufferSize]);
        for (DWORD j = 0; j < kBufferSize; j++) {
            buffers[i][j] = static_cast<BYTE>(j);
        }
        if (!issue(i)) {
            return 1;
        }
    }
    while (w.completed < w.count) {
        DWORD transferred = 0;
        ULONG_PTR key = 0;
        OVERLAPPED *ov = nullptr;
        if (!GetQueuedCompletionStatus(port.get(), &transferred, &key, &ov, kTickMs * 4) ||
            key != (w.reader ? 1u : 2u)) {
            return 1;
        }
        DWORD i = static_cast<DWORD>(ov - ops.data());
        // A read returns no data or a prefix of what a write left: the pattern.
        for (DWORD j = 0; j < transferred; j++) {
            if (buffers[i][j] != static_cast<BYTE>(j)) {
                return 1;
            }
        }
        w.completed++;
        w.bytes += transferred;
        if (issued < w.count && !issue(i)) {
            return 1;
        }
    }
    w.ok = true;
    return 0;
}

} // namespace

int __cdecl _tmain(int argc, _TCHAR *argv[])
{
    DWORD count = 20;
    if (argc > 1) {
        count = static_cast<DWORD>(_ttoi(argv[1]));
        CHECK(count > 0);
    }
    std::wstring path = FindDevicePath();
    wprintf(L"DevicePath: %s\n", path.c_str());
    TCHAR copy[MAX_PATH];
    CHECK(SUCCEEDED(StringCchCopy(copy, ARRAYSIZE(copy), path.c_str())));
    CHECK(_tcscmp(copy, path.c_str()) == 0);
    CHECK(_tcsicmp(argv[0], argv[0]) == 0);

    Worker writer{path, false, count};
    Worker reader{path, true, count};
    HANDLE threads[2] = {CreateThread(nullptr, 0, Run, &writer, 0, nullptr),
                         CreateThread(nullptr, 0, Run, &reader, 0, nullptr)};
    CHECK(threads[0] != nullptr && threads[1] != nullptr);
    CHECK(WaitForMultipleObjects(2, threads, TRUE, INFINITE) == WAIT_OBJECT_0);
    for (HANDLE t : threads) {
        DWORD code = 1;
        CHECK(GetExitCodeThread(t, &code) && code == 0);
        CloseHandle(t);
    }
    CHECK(writer.ok && reader.ok);
    CHECK(writer.bytes == count * kBufferSize);
    std::string summary = "writes " + std::to_string(writer.completed) + ", reads " +
                          std::to_string(reader.completed);
    printf("%s, %I64u bytes read\n", summary.c_str(), static_cast<ULONGLONG>(reader.bytes));
    std::cout << "C++ streams work beside printf" << std::endl;
    return 0;
}
