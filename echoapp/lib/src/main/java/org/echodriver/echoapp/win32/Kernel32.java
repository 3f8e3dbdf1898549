package org.echodriver.echoapp.win32;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTR;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTRByReference;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;

/**
 * The kernel32 functions that echoapp calls, and only those.
 *
 * <p>JNA Platform's {@code com.sun.jna.platform.win32.Kernel32} cannot serve: touching it
 * loads the real kernel32, which does not exist off Windows, and it declares ReadFile and
 * WriteFile with byte[] buffers and Structure OVERLAPPEDs, which overlapped I/O cannot use.
 * Types and constants come from JNA Platform (HANDLE, ULONG_PTR, WinNT, WinBase, WinError).
 *
 * <p>Every buffer and OVERLAPPED parameter is a {@link Pointer} to native memory that the
 * caller owns: JNA neither copies nor frees it, so it stays valid for as long as Windows
 * (or the host) keeps using it after the call returns. Signatures follow the Win32 SDK;
 * DWORD is int, BOOL is boolean (mapped to a 32-bit int by W32APIOptions' type mapper).
 */
public interface Kernel32 extends StdCallLibrary {
    /** The bound library: kernel32.dll on Windows, the KMDF host library elsewhere. */
    Kernel32 INSTANCE = Win32Libraries.load("kernel32", Kernel32.class);

    /** CreateFileW: the file name goes out as a NUL-terminated wide string. */
    HANDLE CreateFileW(String lpFileName, int dwDesiredAccess, int dwShareMode, Pointer lpSecurityAttributes,
            int dwCreationDisposition, int dwFlagsAndAttributes, HANDLE hTemplateFile);

    boolean ReadFile(HANDLE hFile, Pointer lpBuffer, int nNumberOfBytesToRead, IntByReference lpNumberOfBytesRead,
            Pointer lpOverlapped);

    boolean WriteFile(HANDLE hFile, Pointer lpBuffer, int nNumberOfBytesToWrite, IntByReference lpNumberOfBytesWritten,
            Pointer lpOverlapped);

    boolean DeviceIoControl(HANDLE hDevice, int dwIoControlCode, Pointer lpInBuffer, int nInBufferSize,
            Pointer lpOutBuffer, int nOutBufferSize, IntByReference lpBytesReturned, Pointer lpOverlapped);

    /** CancelIoEx: one request (its OVERLAPPED) or, with NULL, all of the handle's requests, from any thread. */
    boolean CancelIoEx(HANDLE hFile, Pointer lpOverlapped);

    boolean CloseHandle(HANDLE hObject);

    HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey,
            int NumberOfConcurrentThreads);

    /** lpOverlapped receives the dequeued packet's OVERLAPPED address (NULL for a timeout or a posted packet without one). */
    boolean GetQueuedCompletionStatus(HANDLE CompletionPort, IntByReference lpNumberOfBytesTransferred,
            ULONG_PTRByReference lpCompletionKey, PointerByReference lpOverlapped, int dwMilliseconds);

    boolean PostQueuedCompletionStatus(HANDLE CompletionPort, int dwNumberOfBytesTransferred, ULONG_PTR dwCompletionKey,
            Pointer lpOverlapped);

    /**
     * FormatMessageW. With FORMAT_MESSAGE_ALLOCATE_BUFFER, lpBuffer receives a pointer to a
     * LocalAlloc'ed wide string, which the caller frees with {@link #LocalFree}.
     */
    int FormatMessageW(int dwFlags, Pointer lpSource, int dwMessageId, int dwLanguageId, PointerByReference lpBuffer,
            int nSize, Pointer Arguments);

    Pointer LocalFree(Pointer hMem);
}
