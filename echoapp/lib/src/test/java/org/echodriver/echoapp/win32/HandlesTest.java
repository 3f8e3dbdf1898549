package org.echodriver.echoapp.win32;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import org.junit.jupiter.api.Test;

/** INVALID_HANDLE_VALUE and NULL as JNA hands them over, on 64-bit and on 32-bit Windows. */
class HandlesTest {
    @Test
    void invalidHandleValueOf64BitWindowsIsMinusOne() {
        assertTrue(Handles.isInvalidValue(-1L, 8));
        assertFalse(Handles.isInvalidValue(0xFFFFFFFFL, 8), "a valid 64-bit pointer value");
        assertFalse(Handles.isInvalidValue(4L, 8));
    }

    @Test
    void invalidHandleValueOf32BitWindowsIsAllOnesZeroExtended() {
        // JNA reads a 32-bit (HANDLE)-1 as 0xFFFFFFFF: it widens pointers without sign extension.
        assertTrue(Handles.isInvalidValue(0xFFFFFFFFL, 4));
        assertFalse(Handles.isInvalidValue(4L, 4));
        assertFalse(Handles.isInvalidValue(0L, 4));
    }

    @Test
    void jnaPlatformsInvalidHandleValueIsInvalidAndNotNull() {
        assertTrue(Handles.isInvalid(WinBase.INVALID_HANDLE_VALUE));
        assertTrue(Handles.isInvalid(new HANDLE(WinBase.INVALID_HANDLE_VALUE.getPointer())));
        assertFalse(Handles.isNull(WinBase.INVALID_HANDLE_VALUE));
        HANDLE some = new HANDLE(new Pointer(4));
        assertFalse(Handles.isInvalid(some));
        assertFalse(Handles.isNull(some));
        assertTrue(Handles.isNull(new HANDLE()));
    }
}
