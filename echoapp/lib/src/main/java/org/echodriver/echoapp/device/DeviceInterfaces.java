package org.echodriver.echoapp.device;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import java.util.ArrayList;
import java.util.List;
import org.echodriver.echoapp.win32.Handles;
import org.echodriver.echoapp.win32.SetupApi;
import org.echodriver.echoapp.win32.SetupApi.SP_DEVICE_INTERFACE_DATA;
import org.echodriver.echoapp.win32.Win32CallException;
import org.echodriver.echoapp.win32.Win32Log;

/** Finds the paths of present device interfaces of a class through SetupAPI. */
public final class DeviceInterfaces {
    /** The echo driver's interface class, GUID_DEVINTERFACE_ECHO in driver/public.h. */
    public static final GUID GUID_DEVINTERFACE_ECHO = new GUID("{CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}");

    // DIGCF_PRESENT | DIGCF_DEVICEINTERFACE from setupapi.h (JNA Platform's SetupApi
    // constants; reading these compile-time constants does not load setupapi).
    private static final int FLAGS = com.sun.jna.platform.win32.SetupApi.DIGCF_PRESENT
            | com.sun.jna.platform.win32.SetupApi.DIGCF_DEVICEINTERFACE;

    private DeviceInterfaces() {
    }

    /**
     * Lists the paths of the present interfaces of a class, in SetupAPI's order.
     *
     * @throws Win32CallException naming the SetupDi call that failed
     */
    public static List<String> find(GUID interfaceClass) {
        // A private copy: JNA writes a Structure argument before the call and reads it back
        // after, which must not race with other threads using the caller's instance.
        interfaceClass = new GUID(interfaceClass);
        SetupApi setupApi = SetupApi.INSTANCE;
        // Sound: every structure passed below is read and written only during its call.
        HANDLE deviceInfoSet = setupApi.SetupDiGetClassDevsW(interfaceClass, null, null, FLAGS);
        int error = Native.getLastError();
        Win32Log.call("SetupDiGetClassDevsW", interfaceClass.toGuidString() + ", DIGCF_PRESENT | DIGCF_DEVICEINTERFACE",
                !Handles.isInvalid(deviceInfoSet), error);
        if (Handles.isInvalid(deviceInfoSet)) {
            throw new Win32CallException("SetupDiGetClassDevsW", error);
        }
        try {
            List<String> paths = new ArrayList<>();
            for (int index = 0;; index++) {
                SP_DEVICE_INTERFACE_DATA interfaceData = new SP_DEVICE_INTERFACE_DATA();
                boolean found = setupApi.SetupDiEnumDeviceInterfaces(deviceInfoSet, null, interfaceClass, index, interfaceData);
                error = Native.getLastError();
                Win32Log.call("SetupDiEnumDeviceInterfaces", "index " + index, found, error);
                if (!found) {
                    if (error == WinError.ERROR_NO_MORE_ITEMS) {
                        return paths;
                    }
                    throw new Win32CallException("SetupDiEnumDeviceInterfaces", error);
                }
                paths.add(detailPath(setupApi, deviceInfoSet, interfaceData));
            }
        } finally {
            setupApi.SetupDiDestroyDeviceInfoList(deviceInfoSet);
        }
    }

    /**
     * SetupDiGetDeviceInterfaceDetailW with the size protocol: a first call without a
     * buffer fails with ERROR_INSUFFICIENT_BUFFER and gives the size; the second fills a
     * buffer of that size whose cbSize is that of the fixed part of the structure.
     */
    private static String detailPath(SetupApi setupApi, HANDLE deviceInfoSet, SP_DEVICE_INTERFACE_DATA interfaceData) {
        IntByReference required = new IntByReference();
        boolean ok = setupApi.SetupDiGetDeviceInterfaceDetailW(deviceInfoSet, interfaceData, null, 0, required, null);
        int error = Native.getLastError();
        Win32Log.call("SetupDiGetDeviceInterfaceDetailW", "no buffer: size " + required.getValue() + " required", ok, error);
        if (ok || error != WinError.ERROR_INSUFFICIENT_BUFFER) {
            throw new Win32CallException("SetupDiGetDeviceInterfaceDetailW", ok ? WinError.ERROR_INVALID_DATA : error);
        }
        int size = required.getValue();
        try (Memory detail = new Memory(Math.max(size, SetupApi.SP_DEVICE_INTERFACE_DETAIL_DATA_W_CB_SIZE + Native.WCHAR_SIZE))) {
            detail.clear();
            detail.setInt(0, SetupApi.SP_DEVICE_INTERFACE_DETAIL_DATA_W_CB_SIZE);
            // Sound: detail is size bytes of native memory, as the call was told, and is read
            // only after the call returns.
            ok = setupApi.SetupDiGetDeviceInterfaceDetailW(deviceInfoSet, interfaceData, detail, (int) detail.size(), null, null);
            error = Native.getLastError();
            Win32Log.call("SetupDiGetDeviceInterfaceDetailW", detail.size() + " bytes", ok, error);
            if (!ok) {
                throw new Win32CallException("SetupDiGetDeviceInterfaceDetailW", error);
            }
            return detail.getWideString(SetupApi.SP_DEVICE_INTERFACE_DETAIL_DATA_W_DEVICE_PATH);
        }
    }
}
