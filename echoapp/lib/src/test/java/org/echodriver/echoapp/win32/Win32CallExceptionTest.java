package org.echodriver.echoapp.win32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import org.junit.jupiter.api.Test;

/** Error text formatting, with the message text given (no Win32 library involved). */
class Win32CallExceptionTest {
    @Test
    void messageNamesTheCallTheCodeItsNameAndTheText() {
        Win32CallException e = new Win32CallException("WriteFile", 234, "More data is available.");
        assertEquals("WriteFile failed: error 234 (ERROR_MORE_DATA): More data is available.", e.getMessage());
        assertEquals("WriteFile", e.function());
        assertEquals(234, e.getErrorCode());
        assertEquals("ERROR_MORE_DATA", e.errorName());
        assertFalse(e.isAborted());
        assertTrue(e instanceof LastErrorException);
    }

    @Test
    void abortedIsErrorOperationAborted() {
        Win32CallException e = new Win32CallException("ReadFile", 995, "The I/O operation has been aborted.");
        assertTrue(e.isAborted());
        assertEquals("ERROR_OPERATION_ABORTED", e.errorName());
    }

    @Test
    void namesComeFromWinError() {
        assertEquals("ERROR_INVALID_FUNCTION", ErrorText.name(1));
        assertEquals("ERROR_FILE_NOT_FOUND", ErrorText.name(2));
        assertEquals("ERROR_NO_MORE_ITEMS", ErrorText.name(259));
        assertEquals("ERROR_INSUFFICIENT_BUFFER", ErrorText.name(122));
        assertEquals("ERROR_IO_PENDING", ErrorText.name(997));
        assertEquals("WAIT_TIMEOUT", ErrorText.name(258));
        assertEquals("ERROR_SUCCESS", ErrorText.name(0));
        assertNull(ErrorText.name(0x7ABCDEF0));
    }

    @Test
    void unknownCodeAndEmptyTextAreLeftOut() {
        assertEquals("CancelIoEx failed: error 2059198192", Win32CallException.format("CancelIoEx", 0x7ABCDEF0, null, ""));
    }

    @Test
    void messageTextLosesItsLineBreak() {
        assertEquals("More data is available.", ErrorText.trimLineEnd("More data is available.\r\n"));
    }
}
