package org.echodriver.echoapp.win32;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT.HANDLE;

/** Checks on HANDLE values returned by Win32 functions. */
public final class Handles {
    private Handles() {
    }

    /** True for NULL, the failure value of CreateIoCompletionPort. */
    public static boolean isNull(HANDLE handle) {
        return handle == null || handle.getPointer() == null || Pointer.nativeValue(handle.getPointer()) == 0;
    }

    /** True for INVALID_HANDLE_VALUE ((HANDLE)-1), the failure value of CreateFileW and SetupDiGetClassDevsW. */
    public static boolean isInvalid(HANDLE handle) {
        return handle == null || handle.getPointer() == null
                || isInvalidValue(Pointer.nativeValue(handle.getPointer()), Native.POINTER_SIZE);
    }

    /**
     * True when a pointer value, as JNA reads it into a long, is (HANDLE)-1 for pointers of
     * {@code pointerSize} bytes. JNA widens a 32-bit pointer without sign extension, so on
     * 32-bit Windows (HANDLE)-1 reads as 0xFFFFFFFF, not -1 (JNA Platform's
     * WinBase.INVALID_HANDLE_VALUE is built the same way).
     */
    static boolean isInvalidValue(long value, int pointerSize) {
        return pointerSize == 8 ? value == -1L : (value & 0xFFFFFFFFL) == 0xFFFFFFFFL;
    }
}
