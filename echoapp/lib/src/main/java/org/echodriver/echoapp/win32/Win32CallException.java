package org.echodriver.echoapp.win32;

import com.sun.jna.LastErrorException;
import com.sun.jna.platform.win32.WinError;

/**
 * A Win32 call failed. Carries the name of the call, the Win32 error code and the system's
 * message text for it, e.g. "WriteFile failed: error 234 (ERROR_MORE_DATA): More data is
 * available."
 */
public class Win32CallException extends LastErrorException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final String systemMessage;

    /**
     * Builds the exception for a failed call, looking up the message text with FormatMessageW.
     *
     * @param function the Win32 function that failed, e.g. "WriteFile"
     * @param errorCode the last error read right after the call
     */
    public Win32CallException(String function, int errorCode) {
        this(function, errorCode, ErrorText.systemMessage(errorCode));
    }

    /** Builds the exception with a message text already known. */
    public Win32CallException(String function, int errorCode, String systemMessage) {
        super(errorCode, format(function, errorCode, ErrorText.name(errorCode), systemMessage));
        this.function = function;
        this.systemMessage = systemMessage;
    }

    /** The Win32 function that failed. */
    public String function() {
        return function;
    }

    /** The error's symbolic name from winerror.h, e.g. "ERROR_MORE_DATA", or null when unknown. */
    public String errorName() {
        return ErrorText.name(getErrorCode());
    }

    /** The system's message text for the error. */
    public String systemMessage() {
        return systemMessage;
    }

    /** True when the request was cancelled: ERROR_OPERATION_ABORTED (995). */
    public boolean isAborted() {
        return getErrorCode() == WinError.ERROR_OPERATION_ABORTED;
    }

    /** "Function failed: error N (NAME): text", without the name part when the code has none. */
    static String format(String function, int errorCode, String errorName, String systemMessage) {
        StringBuilder text = new StringBuilder(function).append(" failed: error ").append(errorCode);
        if (errorName != null) {
            text.append(" (").append(errorName).append(')');
        }
        if (systemMessage != null && !systemMessage.isEmpty()) {
            text.append(": ").append(systemMessage);
        }
        return text.toString();
    }
}
