package org.echodriver.echoapp.host;

import com.sun.jna.platform.win32.NTStatus;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * NTSTATUS values as text: "0xC0000034 (STATUS_OBJECT_NAME_NOT_FOUND)". Names come from JNA
 * Platform's NTStatus, which holds a few, and from ntstatus.h for the statuses that the
 * host's loader, PnP manager and I/O manager return.
 */
public final class NtStatusText {
    private static final Map<Integer, String> NAMES = names();

    private NtStatusText() {
    }

    /** NT_SUCCESS: a success or informational status (status >= 0). */
    public static boolean isSuccess(int status) {
        return status >= 0;
    }

    /** The value in hexadecimal, with its name from JNA Platform's NTStatus when it has one. */
    public static String describe(int status) {
        String hex = String.format("0x%08X", status);
        String name = NAMES.get(status);
        return name == null ? hex : hex + " (" + name + ")";
    }

    private static Map<Integer, String> names() {
        Map<Integer, String> names = new HashMap<>();
        for (Field field : NTStatus.class.getFields()) {
            if (field.getType() == int.class && Modifier.isStatic(field.getModifiers()) && field.getName().startsWith("STATUS_")) {
                try {
                    names.putIfAbsent(field.getInt(null), field.getName());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        Object[][] ntstatusH = {
            {0x00000103, "STATUS_PENDING"},
            {0x80000005, "STATUS_BUFFER_OVERFLOW"},
            {0xC0000001, "STATUS_UNSUCCESSFUL"},
            {0xC0000002, "STATUS_NOT_IMPLEMENTED"},
            {0xC000000D, "STATUS_INVALID_PARAMETER"},
            {0xC000000E, "STATUS_NO_SUCH_DEVICE"},
            {0xC0000010, "STATUS_INVALID_DEVICE_REQUEST"},
            {0xC0000024, "STATUS_OBJECT_TYPE_MISMATCH"},
            {0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
            {0xC0000035, "STATUS_OBJECT_NAME_COLLISION"},
            {0xC000003A, "STATUS_OBJECT_PATH_NOT_FOUND"},
            {0xC0000056, "STATUS_DELETE_PENDING"},
            {0xC000007B, "STATUS_INVALID_IMAGE_FORMAT"},
            {0xC000009A, "STATUS_INSUFFICIENT_RESOURCES"},
            {0xC000009D, "STATUS_DEVICE_NOT_CONNECTED"},
            {0xC00000BB, "STATUS_NOT_SUPPORTED"},
            {0xC000010E, "STATUS_IMAGE_ALREADY_LOADED"},
            {0xC0000120, "STATUS_CANCELLED"},
            {0xC0000135, "STATUS_DLL_NOT_FOUND"},
            {0xC0000184, "STATUS_INVALID_DEVICE_STATE"},
            {0xC0000263, "STATUS_DRIVER_ENTRYPOINT_NOT_FOUND"},
            {0xC000026C, "STATUS_DRIVER_UNABLE_TO_LOAD"},
            {0xC00002B6, "STATUS_DEVICE_REMOVED"},
        };
        for (Object[] entry : ntstatusH) {
            names.putIfAbsent((Integer) entry[0], (String) entry[1]);
        }
        return Collections.unmodifiableMap(names);
    }
}
