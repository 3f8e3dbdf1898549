package org.echodriver.echoapp.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * The control API of the user-mode KMDF host (driver/host/include/kmdfhost/kmdfhost.h), the
 * part that echoapp uses to play the service control manager and the PnP manager on Linux.
 *
 * <p>Plain C functions: statuses are NTSTATUS values in an int, strings are UTF-8, the
 * driver and device node are opaque pointers that only the host dereferences.
 * Sound: no call keeps a pointer to Java-owned memory past its return; the out-parameters
 * are JNA-owned and read right after the call.
 */
public interface KmdfHost extends Library {
    /** Loads the host library of a host directory (the same library that serves as kernel32 and setupapi). */
    static KmdfHost load(HostDirectory directory) {
        return Native.load(directory.requireLibrary().toString(), KmdfHost.class,
                Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
    }

    int KmdfHostInitialize();

    int KmdfHostSetServiceParameterULong(String ServiceName, String ValueName, int Value);

    void KmdfHostClearServiceParameters(String ServiceName);

    /** Driver receives the KH_DRIVER handle. */
    int KmdfHostLoadDriver(String ModulePath, String ServiceName, PointerByReference Driver);

    int KmdfHostUnloadDriver(Pointer Driver);

    /** Node receives the KH_DEVNODE handle. */
    int KmdfHostAddDevice(Pointer Driver, String InstanceId, PointerByReference Node);

    int KmdfHostStartDevice(Pointer Node);

    int KmdfHostSurpriseRemoveDevice(Pointer Node);

    int KmdfHostRemoveDevice(Pointer Node);

    long KmdfHostVerifierReportCount();
}
