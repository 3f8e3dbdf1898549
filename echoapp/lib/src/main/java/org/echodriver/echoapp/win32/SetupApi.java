package org.echodriver.echoapp.win32;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTR;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.StdCallLibrary;

/**
 * The setupapi functions that echoapp calls, and only those.
 *
 * <p>JNA Platform's {@code SetupApi} (and its nested structures, whose use initializes the
 * interface) loads the real setupapi, which does not exist off Windows; hence this
 * interface and its own {@link SP_DEVICE_INTERFACE_DATA}, laid out as in setupapi.h.
 * HDEVINFO is a HANDLE; GUIDs are JNA Platform's {@link GUID}.
 */
public interface SetupApi extends StdCallLibrary {
    /** The bound library: setupapi.dll on Windows, the KMDF host library elsewhere. */
    SetupApi INSTANCE = Win32Libraries.load("setupapi", SetupApi.class);

    /**
     * SP_DEVICE_INTERFACE_DATA as setupapi.h declares it: 32 bytes on 64-bit Windows, 28 on
     * 32-bit. It is passed by reference to synchronous calls only, so JNA's copy in before
     * and out after the call is exactly the semantics the SDK gives it.
     */
    @FieldOrder({"cbSize", "InterfaceClassGuid", "Flags", "Reserved"})
    class SP_DEVICE_INTERFACE_DATA extends Structure {
        public int cbSize;
        public GUID InterfaceClassGuid;
        public int Flags;
        public ULONG_PTR Reserved;

        public SP_DEVICE_INTERFACE_DATA() {
            super();
            cbSize = size();
        }
    }

    /** The cbSize of SP_DEVICE_INTERFACE_DETAIL_DATA_W: a DWORD plus one WCHAR, padded to the structure alignment. */
    int SP_DEVICE_INTERFACE_DETAIL_DATA_W_CB_SIZE = Native.POINTER_SIZE == 8 ? 8 : 6;

    /** Offset of DevicePath in SP_DEVICE_INTERFACE_DETAIL_DATA_W (after the DWORD cbSize). */
    int SP_DEVICE_INTERFACE_DETAIL_DATA_W_DEVICE_PATH = 4;

    /** ClassGuid is an in-parameter read during the call only. Enumerator is a wide string or null. */
    HANDLE SetupDiGetClassDevsW(GUID ClassGuid, String Enumerator, Pointer hwndParent, int Flags);

    boolean SetupDiEnumDeviceInterfaces(HANDLE DeviceInfoSet, Pointer DeviceInfoData, GUID InterfaceClassGuid,
            int MemberIndex, SP_DEVICE_INTERFACE_DATA DeviceInterfaceData);

    /** DeviceInterfaceDetailData points to caller-owned native memory whose first DWORD is cbSize. */
    boolean SetupDiGetDeviceInterfaceDetailW(HANDLE DeviceInfoSet, SP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
            Pointer DeviceInterfaceDetailData, int DeviceInterfaceDetailDataSize, IntByReference RequiredSize,
            Pointer DeviceInfoData);

    boolean SetupDiDestroyDeviceInfoList(HANDLE DeviceInfoSet);
}
