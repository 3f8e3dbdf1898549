package org.echodriver.echoapp.win32;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The library's log of the Win32 calls it makes, through {@link System.Logger} (logger
 * {@code org.echodriver.echoapp.win32}; with the JDK's default backend that is
 * java.util.logging, so an embedder routes it as it routes any other logging). Each call is
 * logged at DEBUG (java.util.logging's FINE) with its arguments of interest, its result and,
 * when it failed, the last error. The library never prints anything itself.
 */
public final class Win32Log {
    private static final Logger LOGGER = System.getLogger("org.echodriver.echoapp.win32");

    private Win32Log() {
    }

    /** True when calls are logged; check it before building a message on a hot path. */
    public static boolean enabled() {
        return LOGGER.isLoggable(Level.DEBUG);
    }

    /**
     * Logs one call: "WriteFile(handle 0x..., 1024 bytes, overlapped 0x...) = FALSE, error 997 (ERROR_IO_PENDING)".
     *
     * @param ok the call's BOOL result (or whether its handle result is valid)
     * @param error the last error read right after the call (ignored when ok)
     */
    public static void call(String function, String arguments, boolean ok, int error) {
        if (!LOGGER.isLoggable(Level.DEBUG)) {
            return;
        }
        StringBuilder text = new StringBuilder(function).append('(').append(arguments).append(") = ");
        if (ok) {
            text.append("TRUE");
        } else {
            String name = ErrorText.name(error);
            text.append("FALSE, error ").append(error);
            if (name != null) {
                text.append(" (").append(name).append(')');
            }
        }
        LOGGER.log(Level.DEBUG, text.toString());
    }

    /** Logs a call whose result is a value rather than a BOOL. */
    public static void value(String function, String arguments, String result) {
        if (LOGGER.isLoggable(Level.DEBUG)) {
            LOGGER.log(Level.DEBUG, function + "(" + arguments + ") = " + result);
        }
    }
}
