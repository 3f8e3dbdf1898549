package org.echodriver.echoapp.win32;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.Map;

/**
 * The kernel32 calls on the overlapped I/O hot path, through JNA's direct mapping: static
 * native methods bound once, called without the interface proxy, reflection or argument
 * conversion of {@link Kernel32}. Every parameter is a primitive or a {@link Pointer} that
 * the caller keeps (handles as their Pointer, DWORD as int, BOOL returned as int), so a call
 * allocates nothing. Bound to the same library as {@link Kernel32}: kernel32 on Windows, the
 * KMDF host library elsewhere, with stdcall on 32-bit Windows (kernel32 exports undecorated
 * names) and the C convention everywhere else.
 *
 * <p>The last error is captured by JNA right after each call, as for interface mappings;
 * read it with {@link Native#getLastError()} before any other call.
 */
public final class Kernel32Direct {
    static {
        Map<String, Object> options = Platform.isWindows() && !Platform.is64Bit()
                ? Map.of(Library.OPTION_CALLING_CONVENTION, Function.ALT_CONVENTION)
                : Map.of(Library.OPTION_CALLING_CONVENTION, Function.C_CONVENTION);
        Native.register(Kernel32Direct.class, NativeLibrary.getInstance(Win32Libraries.libraryName("kernel32"), options));
    }

    private Kernel32Direct() {
    }

    /** Binds the methods now (they bind on first use otherwise). */
    public static void bind() {
        // The static initializer does the work.
    }

    /** ReadFile; lpNumberOfBytesRead may be null for overlapped calls. */
    public static native int ReadFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToRead, Pointer lpNumberOfBytesRead,
            Pointer lpOverlapped);

    /** WriteFile; lpNumberOfBytesWritten may be null for overlapped calls. */
    public static native int WriteFile(Pointer hFile, Pointer lpBuffer, int nNumberOfBytesToWrite,
            Pointer lpNumberOfBytesWritten, Pointer lpOverlapped);

    /** GetQueuedCompletionStatus with its three out-parameters in caller-owned native memory. */
    public static native int GetQueuedCompletionStatus(Pointer CompletionPort, Pointer lpNumberOfBytesTransferred,
            Pointer lpCompletionKey, Pointer lpOverlapped, int dwMilliseconds);

    /** CancelIoEx: one request (its OVERLAPPED) or, with null, all of the handle's requests. */
    public static native int CancelIoEx(Pointer hFile, Pointer lpOverlapped);
}
