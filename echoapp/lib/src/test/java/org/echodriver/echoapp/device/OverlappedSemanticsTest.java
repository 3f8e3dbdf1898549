package org.echodriver.echoapp.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTR;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTRByReference;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.echodriver.echoapp.HostFixture;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.win32.Handles;
import org.echodriver.echoapp.win32.Kernel32;
import org.echodriver.echoapp.win32.Win32CallException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Overlapped I/O semantics that Windows documents and that hold for any kernel object
 * with a read queue, asserted in the same words on both platforms: on Windows against a
 * real named pipe (CreateNamedPipeW with FILE_FLAG_OVERLAPPED; echoapp's library opens its
 * client end), on Linux against the embedded host's echo device. Only the endpoint
 * differs, and how a read is made to stay pending: on a pipe, a read with nothing written
 * waits; on the echo device, a read waits behind a write that the driver holds until its
 * next timer tick (a 10 s period), since the queue is sequential.
 */
@Timeout(60)
class OverlappedSemanticsTest {
    private static final long WAIT_S = 20;

    /** What the assertions run against. */
    private interface Endpoint extends AutoCloseable {
        /** The path that CreateFileW opens. */
        String path();

        /** Starts a read on an overlapped device that stays pending until cancelled. */
        CompletableFuture<Integer> pendingRead(Device device, byte[] into);

        @Override
        void close();
    }

    /** Windows: a named pipe's server end, created overlapped; the device opens its client end. */
    private static final class NamedPipe implements Endpoint {
        private static final AtomicInteger NEXT = new AtomicInteger();
        private final String path = "\\\\.\\pipe\\echoapp-test-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
        private final HANDLE server;

        NamedPipe() {
            // JNA Platform's Kernel32 binds the real kernel32: this class runs on Windows only.
            server = com.sun.jna.platform.win32.Kernel32.INSTANCE.CreateNamedPipe(path,
                    WinBase.PIPE_ACCESS_DUPLEX | WinNT.FILE_FLAG_OVERLAPPED,
                    WinBase.PIPE_TYPE_BYTE | WinBase.PIPE_READMODE_BYTE | WinBase.PIPE_WAIT, 1, 65536, 65536, 0, null);
            int error = Native.getLastError();
            assertFalse(Handles.isInvalid(server), () -> "CreateNamedPipeW failed: error " + error);
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public CompletableFuture<Integer> pendingRead(Device device, byte[] into) {
            // Nothing has been written to the server end: the client's read waits.
            return device.readAsync(into);
        }

        @Override
        public void close() {
            com.sun.jna.platform.win32.Kernel32.INSTANCE.CloseHandle(server);
        }
    }

    /** Linux: the embedded host's echo device, its timer period chosen per test. */
    private static final class EchoDevice implements Endpoint {
        private final EmbeddedHost host;

        EchoDevice(int timerPeriodMs) {
            host = HostFixture.start("autosync", timerPeriodMs);
        }

        @Override
        public String path() {
            return HostFixture.ECHO_PATH;
        }

        @Override
        public CompletableFuture<Integer> pendingRead(Device device, byte[] into) {
            // The write is presented and held until the next tick (10 s away); the
            // sequential queue keeps the read behind it.
            device.writeAsync(new byte[16]);
            return device.readAsync(into);
        }

        @Override
        public void close() {
            host.close();
        }
    }

    /** A read stays pending in these tests; I/O that should complete does within a timer period of 1 ms. */
    private static Endpoint endpoint(boolean holdRequests) {
        return Platform.isWindows() ? new NamedPipe() : new EchoDevice(holdRequests ? 10000 : 1);
    }

    @Test
    void aPendingReadCancelledWithCancelIoExFailsWithErrorOperationAborted() throws Exception {
        try (Endpoint endpoint = endpoint(true); Device device = Device.open(endpoint.path(), true)) {
            CompletableFuture<Integer> read = endpoint.pendingRead(device, new byte[64]);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> read.get(200, TimeUnit.MILLISECONDS),
                    "the read is pending");
            assertTrue(device.cancel(read), "CancelIoEx found the read");
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(WAIT_S, TimeUnit.SECONDS));
            Win32CallException failure = assertInstanceOf(Win32CallException.class, e.getCause());
            assertEquals("ReadFile", failure.function());
            assertEquals(WinError.ERROR_OPERATION_ABORTED, failure.getErrorCode());
        }
    }

    @Test
    void aSynchronousWriteReturnsTheByteCount() {
        try (Endpoint endpoint = endpoint(false); Device device = Device.open(endpoint.path(), false)) {
            assertEquals(100, device.write(new byte[100]));
        }
    }

    @Test
    void theCompletionPacketCarriesTheOverlappedOfItsRequest() {
        try (Endpoint endpoint = endpoint(false)) {
            Kernel32 kernel32 = Kernel32.INSTANCE;
            HANDLE file = kernel32.CreateFileW(endpoint.path(), WinNT.GENERIC_READ | WinNT.GENERIC_WRITE,
                    WinNT.FILE_SHARE_READ | WinNT.FILE_SHARE_WRITE, null, WinNT.OPEN_EXISTING, WinNT.FILE_FLAG_OVERLAPPED, null);
            assertFalse(Handles.isInvalid(file), "CreateFileW");
            HANDLE port = kernel32.CreateIoCompletionPort(file, null, new ULONG_PTR(7), 1);
            assertFalse(Handles.isNull(port), "CreateIoCompletionPort");
            try (Memory overlapped = new Memory(Operation.OVERLAPPED_SIZE); Memory data = new Memory(32)) {
                overlapped.clear();
                data.clear();
                boolean ok = kernel32.WriteFile(file, data, 32, null, overlapped);
                int error = Native.getLastError();
                assertTrue(ok || error == WinError.ERROR_IO_PENDING, "WriteFile: error " + error);
                IntByReference bytes = new IntByReference();
                ULONG_PTRByReference key = new ULONG_PTRByReference();
                PointerByReference dequeued = new PointerByReference();
                // Whether WriteFile completed at once or pends, Windows queues one packet.
                assertTrue(kernel32.GetQueuedCompletionStatus(port, bytes, key, dequeued, (int) TimeUnit.SECONDS.toMillis(WAIT_S)),
                        "GetQueuedCompletionStatus: error " + Native.getLastError());
                assertEquals(Pointer.nativeValue(overlapped), Pointer.nativeValue(dequeued.getValue()));
                assertEquals(7, key.getValue().longValue());
                assertEquals(32, bytes.getValue());
                // OVERLAPPED.Internal holds the status (STATUS_SUCCESS), InternalHigh the byte count.
                assertEquals(0, overlapped.getLong(0));
                assertEquals(32, overlapped.getLong(Native.POINTER_SIZE));
            } finally {
                kernel32.CloseHandle(file);
                kernel32.CloseHandle(port);
            }
        }
    }
}
