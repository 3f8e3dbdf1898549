package org.echodriver.echoapp.win32;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.PointerByReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** Names and message texts of Win32 error codes. */
public final class ErrorText {
    private static final int LANG_NEUTRAL_SUBLANG_DEFAULT = (WinNT.SUBLANG_DEFAULT << 10) | WinNT.LANG_NEUTRAL;

    private ErrorText() {
    }

    /** The symbolic name of a Win32 error code as winerror.h spells it (JNA Platform's WinError), or null. */
    public static String name(int errorCode) {
        return Names.BY_CODE.get(errorCode);
    }

    /**
     * The system's message text for a Win32 error code, from FormatMessageW through the
     * narrow kernel32 binding, without the trailing line break; a plain description when
     * the system has none or the library cannot be loaded.
     */
    public static String systemMessage(int errorCode) {
        Kernel32 kernel32;
        try {
            kernel32 = Kernel32.INSTANCE;
        } catch (LinkageError | RuntimeException e) {
            return "no message text (the Win32 library is not available: " + e.getMessage() + ")";
        }
        PointerByReference buffer = new PointerByReference();
        int flags = WinBase.FORMAT_MESSAGE_ALLOCATE_BUFFER | WinBase.FORMAT_MESSAGE_FROM_SYSTEM
                | WinBase.FORMAT_MESSAGE_IGNORE_INSERTS;
        // Sound: with FORMAT_MESSAGE_ALLOCATE_BUFFER the function stores a LocalAlloc'ed
        // wide string in buffer; it is read before LocalFree releases it.
        int length = kernel32.FormatMessageW(flags, null, errorCode, LANG_NEUTRAL_SUBLANG_DEFAULT, buffer, 0, null);
        if (length == 0 || buffer.getValue() == null) {
            return "no message text for this error";
        }
        Pointer text = buffer.getValue();
        try {
            return trimLineEnd(text.getWideString(0));
        } finally {
            kernel32.LocalFree(text);
        }
    }

    static String trimLineEnd(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '\n' || text.charAt(end - 1) == ' ')) {
            end--;
        }
        return text.substring(0, end);
    }

    /** The ERROR_ constants of WinError by value, the first declared name winning. */
    private static final class Names {
        static final Map<Integer, String> BY_CODE = build();

        private static Map<Integer, String> build() {
            Map<Integer, String> names = new HashMap<>();
            for (String prefix : new String[] {"ERROR_", "WAIT_"}) {
                for (Field field : WinError.class.getFields()) {
                    if (field.getType() == int.class && Modifier.isStatic(field.getModifiers())
                            && field.getName().startsWith(prefix)) {
                        try {
                            names.putIfAbsent(field.getInt(null), field.getName());
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
            names.put(WinError.ERROR_SUCCESS, "ERROR_SUCCESS");
            return Collections.unmodifiableMap(names);
        }
    }
}
