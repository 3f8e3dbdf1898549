package org.echodriver.echoapp.win32;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.win32.W32APIOptions;
import java.util.HashMap;
import java.util.Map;
import org.echodriver.echoapp.host.HostBinaries;

/**
 * Binds the narrow Win32 interfaces: to the system's kernel32 and setupapi on Windows, and
 * elsewhere to the user-mode KMDF host library, which exports the same functions with the
 * same signatures (wide strings as the platform's wchar_t, 64-bit Windows structure layouts,
 * the last error mirrored into errno).
 */
public final class Win32Libraries {
    private Win32Libraries() {
    }

    /**
     * Loads one narrow interface.
     *
     * @param windowsDll the DLL that exports the functions on Windows ("kernel32", "setupapi")
     */
    static <T extends Library> T load(String windowsDll, Class<T> type) {
        return Native.load(libraryName(windowsDll), type, options());
    }

    /** The DLL name on Windows; the host library's absolute path elsewhere. */
    static String libraryName(String windowsDll) {
        if (Platform.isWindows()) {
            return windowsDll;
        }
        return HostBinaries.loadedOrLocate().requireLibrary().toString();
    }

    /**
     * W32APIOptions' unicode options (String as a wide string, BOOL as int), plus, off
     * Windows, the C calling convention: the host's exports are plain C functions, and JNA
     * refuses the stdcall convention of a StdCallLibrary on platforms that have none.
     */
    static Map<String, Object> options() {
        Map<String, Object> options = new HashMap<>(W32APIOptions.UNICODE_OPTIONS);
        if (!Platform.isWindows()) {
            options.put(Library.OPTION_CALLING_CONVENTION, Function.C_CONVENTION);
        }
        return options;
    }
}
