package org.echodriver.echoapp.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.platform.win32.WinError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.echodriver.echoapp.HostFixture;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;
import org.echodriver.echoapp.win32.Win32CallException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device library end to end against the embedded host, for both driver variants. The
 * host is stopped (device removed, driver unloaded) at the end of every test, and a
 * failure there (a leak, a verifier report) fails the test.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs the embedded KMDF host")
@Timeout(60)
class DeviceEndToEndTest {
    /** A timer period long enough that requests stay in the driver for the whole test. */
    private static final int SLOW_TIMER_MS = 10000;
    /** CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS): a code the echo driver does not take. */
    private static final int IOCTL_UNKNOWN = (0x22 << 16) | (0x800 << 2);
    /** Bounds every wait on a completion; a request still pending then is a hang. */
    private static final long COMPLETION_TIMEOUT_S = 10;

    private static Win32CallException failureOf(CompletableFuture<Integer> request) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> request.get(COMPLETION_TIMEOUT_S, TimeUnit.SECONDS));
        return assertInstanceOf(Win32CallException.class, e.getCause());
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void findsTheEchoInterface(String variant) {
        try (EmbeddedHost host = HostFixture.start(variant, null)) {
            List<String> paths = DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO);
            assertEquals(List.of(HostFixture.ECHO_PATH), paths);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void deviceAddedButNotStartedHasNoInterface(String variant) {
        HostBinaries directory = HostFixture.requireHost();
        try (EmbeddedHost host = EmbeddedHost.loadDriver(directory, directory.echoDriver(variant), null)) {
            host.addDevice();
            assertEquals(List.of(), DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO));
            Win32CallException e = assertThrows(Win32CallException.class, () -> Device.open(HostFixture.ECHO_PATH, false));
            assertEquals("CreateFileW", e.function());
            assertEquals(WinError.ERROR_FILE_NOT_FOUND, e.getErrorCode());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void readBeforeAnyWriteReturnsZeroBytes(String variant) throws Exception {
        try (EmbeddedHost host = HostFixture.start(variant, null)) {
            try (Device device = Device.open(HostFixture.ECHO_PATH, false)) {
                assertEquals(0, device.read(new byte[512]));
            }
            try (Device device = Device.open(HostFixture.ECHO_PATH, true)) {
                assertEquals(0, device.readAsync(new byte[512]).get(COMPLETION_TIMEOUT_S, TimeUnit.SECONDS));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void overlappedWriteThenReadEchoes(String variant) throws Exception {
        try (EmbeddedHost host = HostFixture.start(variant, 1);
                Device device = Device.open(HostFixture.ECHO_PATH, true)) {
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 0x5A);
            data[0] = 1;
            assertEquals(4096, device.writeAsync(data).get(COMPLETION_TIMEOUT_S, TimeUnit.SECONDS));
            byte[] back = new byte[8192];
            assertEquals(4096, device.readAsync(back).get(COMPLETION_TIMEOUT_S, TimeUnit.SECONDS));
            assertArrayEquals(data, Arrays.copyOf(back, 4096));
            assertEquals(0, device.outstanding());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void oversizeWriteFailsWithMoreData(String variant) throws Exception {
        try (EmbeddedHost host = HostFixture.start(variant, null)) {
            try (Device device = Device.open(HostFixture.ECHO_PATH, false)) {
                Win32CallException e = assertThrows(Win32CallException.class, () -> device.write(new byte[40961]));
                assertEquals("WriteFile", e.function());
                assertEquals(WinError.ERROR_MORE_DATA, e.getErrorCode());
                assertTrue(e.getMessage().startsWith("WriteFile failed: error 234 (ERROR_MORE_DATA): "), e.getMessage());
                assertEquals(40960, device.write(new byte[40960]), "the longest write the driver keeps");
            }
            try (Device device = Device.open(HostFixture.ECHO_PATH, true)) {
                Win32CallException e = failureOf(device.writeAsync(new byte[40961]));
                assertEquals("WriteFile", e.function());
                assertEquals(WinError.ERROR_MORE_DATA, e.getErrorCode());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void ioctlFailsWithInvalidFunction(String variant) throws Exception {
        try (EmbeddedHost host = HostFixture.start(variant, null)) {
            try (Device device = Device.open(HostFixture.ECHO_PATH, false)) {
                Win32CallException e = assertThrows(Win32CallException.class,
                        () -> device.ioControl(IOCTL_UNKNOWN, new byte[16], new byte[16]));
                assertEquals("DeviceIoControl", e.function());
                assertEquals(WinError.ERROR_INVALID_FUNCTION, e.getErrorCode());
                assertTrue(e.getMessage().startsWith("DeviceIoControl failed: error 1 (ERROR_INVALID_FUNCTION): "), e.getMessage());
            }
            try (Device device = Device.open(HostFixture.ECHO_PATH, true)) {
                Win32CallException e = failureOf(device.ioControlAsync(IOCTL_UNKNOWN, null, new byte[16]));
                assertEquals(WinError.ERROR_INVALID_FUNCTION, e.getErrorCode());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void cancellingOneRequestAbortsIt(String variant) throws Exception {
        try (EmbeddedHost host = HostFixture.start(variant, SLOW_TIMER_MS);
                Device device = Device.open(HostFixture.ECHO_PATH, true)) {
            CompletableFuture<Integer> write = device.writeAsync(new byte[64]);
            CompletableFuture<Integer> read = device.readAsync(new byte[64]);
            assertTrue(device.cancel(read), "the read is pending behind the write");
            Win32CallException e = failureOf(read);
            assertTrue(e.isAborted(), e::getMessage);
            assertEquals("ReadFile", e.function());
            assertFalse(device.cancel(read), "a completed request is no longer pending");
            assertTrue(device.cancel(write));
            assertTrue(failureOf(write).isAborted());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void closingTheHandleWithIoInFlightAbortsIt(String variant) throws Exception {
        try (EmbeddedHost host = HostFixture.start(variant, SLOW_TIMER_MS)) {
            Device device = Device.open(HostFixture.ECHO_PATH, true);
            CompletableFuture<Integer> write = device.writeAsync(new byte[64]);
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                reads.add(device.readAsync(new byte[64]));
            }
            device.closeHandleFirst();
            for (CompletableFuture<Integer> read : reads) {
                Win32CallException e = failureOf(read);
                assertEquals(WinError.ERROR_OPERATION_ABORTED, e.getErrorCode(), e::getMessage);
            }
            assertTrue(write.isDone(), "close drained every request");
            assertEquals(0, device.outstanding());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void surpriseRemovalFailsOutstandingIoCleanly(String variant) throws Exception {
        try (EmbeddedHost host = HostFixture.start(variant, SLOW_TIMER_MS);
                Device device = Device.open(HostFixture.ECHO_PATH, true)) {
            List<CompletableFuture<Integer>> requests = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                requests.add(device.writeAsync(new byte[128]));
                requests.add(device.readAsync(new byte[128]));
            }
            host.surpriseRemove();
            for (CompletableFuture<Integer> request : requests) {
                try {
                    request.get(COMPLETION_TIMEOUT_S, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertInstanceOf(Win32CallException.class, e.getCause());
                }
            }
            assertTrue(requests.stream().anyMatch(CompletableFuture::isCompletedExceptionally), "the device left with I/O pending");
            failureOf(device.writeAsync(new byte[16]));
            assertEquals(List.of(), DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO));
            assertEquals(0, device.outstanding());
        }
    }
}
