package org.echodriver.echoapp.win32;

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
        return handle == null || handle.getPointer() == null || Pointer.nativeValue(handle.getPointer()) == -1L;
    }
}
