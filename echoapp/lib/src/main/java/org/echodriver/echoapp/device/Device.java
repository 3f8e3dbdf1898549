package org.echodriver.echoapp.device;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.echodriver.echoapp.win32.Handles;
import org.echodriver.echoapp.win32.Kernel32;
import org.echodriver.echoapp.win32.Kernel32Direct;
import org.echodriver.echoapp.win32.Win32CallException;
import org.echodriver.echoapp.win32.Win32Log;

/**
 * An open handle to a device: synchronous reads and writes on a handle opened without
 * FILE_FLAG_OVERLAPPED, or overlapped ones, surfaced as futures, on a handle opened with it.
 *
 * <p>An overlapped device owns an I/O completion port and its completion thread. Every
 * request's OVERLAPPED and buffers live in native memory owned by the request until its
 * packet is dequeued. A synchronous success of an overlapped call still queues a packet
 * (the handle does not ask to skip it), so every request is settled from its packet only,
 * exactly once.
 */
public final class Device implements AutoCloseable {
    /** How long {@link #close} waits for cancelled requests to come back before giving up on their memory. */
    private static final long DRAIN_TIMEOUT_SECONDS = 30;

    private final Kernel32 kernel32 = Kernel32.INSTANCE;
    private final String path;
    private final HANDLE handle;
    /** The handle as the direct-mapped calls take it. */
    private final Pointer handlePointer;
    private final CompletionPort port;
    private final Object stateLock = new Object();
    private boolean closing;
    private boolean handleClosed;

    private Device(String path, HANDLE handle, CompletionPort port) {
        this.path = path;
        this.handle = handle;
        this.handlePointer = handle.getPointer();
        this.port = port;
    }

    /**
     * Opens a device for reading and writing.
     *
     * @param path an interface path such as {@code \\?\ROOT#ECHO#0000#{...}}
     * @param overlapped open with FILE_FLAG_OVERLAPPED and bind the handle to a completion port
     * @throws Win32CallException naming CreateFileW when the device cannot be opened
     */
    public static Device open(String path, boolean overlapped) {
        Objects.requireNonNull(path, "path");
        Kernel32 kernel32 = Kernel32.INSTANCE;
        int flags = overlapped ? WinNT.FILE_FLAG_OVERLAPPED : WinNT.FILE_ATTRIBUTE_NORMAL;
        // Sound: W32APIOptions' type mapper passes the path as a NUL-terminated wide string
        // that JNA keeps alive for the duration of the call, which is all CreateFileW needs.
        HANDLE handle = kernel32.CreateFileW(path, WinNT.GENERIC_READ | WinNT.GENERIC_WRITE,
                WinNT.FILE_SHARE_READ | WinNT.FILE_SHARE_WRITE, null, WinNT.OPEN_EXISTING, flags, null);
        int error = Native.getLastError();
        Win32Log.call("CreateFileW", "\"" + path + "\", " + (overlapped ? "FILE_FLAG_OVERLAPPED" : "synchronous"),
                !Handles.isInvalid(handle), error);
        if (Handles.isInvalid(handle)) {
            throw new Win32CallException("CreateFileW", error);
        }
        if (!overlapped) {
            return new Device(path, handle, null);
        }
        CompletionPort port = null;
        try {
            port = new CompletionPort("completion " + path);
            port.associate(handle);
            return new Device(path, handle, port);
        } catch (RuntimeException e) {
            kernel32.CloseHandle(handle);
            if (port != null) {
                port.close();
            }
            throw e;
        }
    }

    /** The path the device was opened with. */
    public String path() {
        return path;
    }

    /** True when the handle was opened with FILE_FLAG_OVERLAPPED. */
    public boolean isOverlapped() {
        return port != null;
    }

    // ---------------------------------------------------------------- synchronous I/O

    /**
     * WriteFile on a synchronous handle.
     *
     * @return the number of bytes written
     */
    public int write(byte[] data, int length) {
        requireSynchronous();
        Objects.checkFromIndexSize(0, length, data.length);
        try (Memory buffer = new Memory(Math.max(1, length))) {
            buffer.write(0, data, 0, length);
            IntByReference written = new IntByReference();
            // Sound: a synchronous handle finishes with the buffer before WriteFile returns,
            // and the buffer is freed only after that.
            boolean ok = kernel32.WriteFile(handle, buffer, length, written, null);
            int error = Native.getLastError();
            Win32Log.call("WriteFile", length + " bytes, synchronous, " + written.getValue() + " written", ok, error);
            if (!ok) {
                throw new Win32CallException("WriteFile", error);
            }
            return written.getValue();
        }
    }

    /** WriteFile of the whole array on a synchronous handle. */
    public int write(byte[] data) {
        return write(data, data.length);
    }

    /**
     * ReadFile on a synchronous handle into the start of {@code into}.
     *
     * @return the number of bytes read
     */
    public int read(byte[] into) {
        requireSynchronous();
        try (Memory buffer = new Memory(Math.max(1, into.length))) {
            IntByReference read = new IntByReference();
            // Sound: as for write, the call completes before the buffer is read and freed.
            boolean ok = kernel32.ReadFile(handle, buffer, into.length, read, null);
            int error = Native.getLastError();
            Win32Log.call("ReadFile", into.length + " bytes, synchronous, " + read.getValue() + " read", ok, error);
            if (!ok) {
                throw new Win32CallException("ReadFile", error);
            }
            int bytes = read.getValue();
            buffer.read(0, into, 0, Math.min(bytes, into.length));
            return bytes;
        }
    }

    /**
     * DeviceIoControl on a synchronous handle.
     *
     * @return the number of bytes returned in {@code output}
     */
    public int ioControl(int ioControlCode, byte[] input, byte[] output) {
        requireSynchronous();
        int inLength = input == null ? 0 : input.length;
        int outLength = output == null ? 0 : output.length;
        try (Memory in = new Memory(Math.max(1, inLength)); Memory out = new Memory(Math.max(1, outLength))) {
            if (inLength > 0) {
                in.write(0, input, 0, inLength);
            }
            IntByReference returned = new IntByReference();
            // Sound: a synchronous handle finishes with both buffers before the call returns.
            boolean ok = kernel32.DeviceIoControl(handle, ioControlCode, inLength > 0 ? in : null, inLength,
                    outLength > 0 ? out : null, outLength, returned, null);
            int error = Native.getLastError();
            if (!ok) {
                throw new Win32CallException("DeviceIoControl", error);
            }
            int bytes = returned.getValue();
            if (outLength > 0) {
                out.read(0, output, 0, Math.min(bytes, outLength));
            }
            return bytes;
        }
    }

    // ---------------------------------------------------------------- overlapped I/O

    /**
     * Overlapped WriteFile of {@code length} bytes of {@code data} (copied now).
     *
     * @return a future of the number of bytes written; it fails with {@link Win32CallException}
     *     (ERROR_OPERATION_ABORTED when cancelled)
     */
    public CompletableFuture<Integer> writeAsync(byte[] data, int length) {
        Objects.checkFromIndexSize(0, length, data.length);
        requireOverlapped();
        CompletableFuture<Integer> future = new CompletableFuture<>();
        return submit("WriteFile", null, future, operation -> Kernel32Direct.WriteFile(handlePointer,
                operation.input(data, length), length, null, operation.overlapped) != 0);
    }

    /** Overlapped WriteFile of the whole array. */
    public CompletableFuture<Integer> writeAsync(byte[] data) {
        return writeAsync(data, data.length);
    }

    /**
     * Overlapped ReadFile of up to {@code into.length} bytes. The bytes read are copied into
     * {@code into} from the request's own buffer before the future completes.
     */
    public CompletableFuture<Integer> readAsync(byte[] into) {
        requireOverlapped();
        CompletableFuture<Integer> future = new CompletableFuture<>();
        int length = into.length;
        return submit("ReadFile", into, future, operation -> Kernel32Direct.ReadFile(handlePointer,
                operation.output(length), length, null, operation.overlapped) != 0);
    }

    /** Overlapped DeviceIoControl; the bytes returned are copied into {@code output} before the future completes. */
    public CompletableFuture<Integer> ioControlAsync(int ioControlCode, byte[] input, byte[] output) {
        requireOverlapped();
        int inLength = input == null ? 0 : input.length;
        int outLength = output == null ? 0 : output.length;
        CompletableFuture<Integer> future = new CompletableFuture<>();
        return submit("DeviceIoControl", output, future, operation -> kernel32.DeviceIoControl(handle, ioControlCode,
                inLength > 0 ? operation.input(input, inLength) : null, inLength,
                outLength > 0 ? operation.output(outLength) : null, outLength, null, operation.overlapped));
    }

    /**
     * Cancels one overlapped request, given the future that {@link #readAsync},
     * {@link #writeAsync} or {@link #ioControlAsync} returned (CancelIoEx with its
     * OVERLAPPED). Its future then fails with ERROR_OPERATION_ABORTED, unless the request
     * completed first.
     *
     * @return false when the request is no longer pending
     */
    public boolean cancel(CompletableFuture<Integer> request) {
        requireOverlapped();
        synchronized (stateLock) {
            if (handleClosed) {
                return false;
            }
            return port.cancelPending(request, overlapped -> {
                // Sound: the port holds the request pending (its packet not dequeued, its
                // OVERLAPPED allocated) for the whole call, and CancelIoEx only uses the
                // address to find the request.
                boolean ok = Kernel32Direct.CancelIoEx(handlePointer, overlapped) != 0;
                int error = ok ? WinError.ERROR_SUCCESS : Native.getLastError();
                Win32Log.call("CancelIoEx", "overlapped " + overlapped, ok, error);
                if (!ok && error != WinError.ERROR_NOT_FOUND) {
                    throw new Win32CallException("CancelIoEx", error);
                }
                return ok;
            });
        }
    }

    /**
     * Cancels every request of this handle, issued by any thread (CancelIoEx with NULL).
     * On a synchronous handle this ends a ReadFile or WriteFile blocked in another thread.
     *
     * @return false when there was nothing to cancel
     */
    public boolean cancelAll() {
        synchronized (stateLock) {
            if (handleClosed) {
                return false;
            }
            // Sound: no pointer is passed, and the state lock keeps the handle open meanwhile.
            boolean ok = Kernel32Direct.CancelIoEx(handlePointer, null) != 0;
            int error = ok ? WinError.ERROR_SUCCESS : Native.getLastError();
            Win32Log.call("CancelIoEx", "NULL: every request of " + path, ok, error);
            if (!ok && error != WinError.ERROR_NOT_FOUND) {
                throw new Win32CallException("CancelIoEx", error);
            }
            return ok;
        }
    }

    /** How many overlapped requests have been submitted and not yet completed. */
    public int outstanding() {
        return port == null ? 0 : port.pendingCount();
    }

    private interface Submission {
        /** Makes the overlapped call for a slot; true for a BOOL TRUE result. */
        boolean call(Operation operation);
    }

    private CompletableFuture<Integer> submit(String function, byte[] destination, CompletableFuture<Integer> future,
            Submission submission) {
        // Under the state lock, so that a close (or a cancellation of everything) sees
        // each request either not yet registered, and refused, or already submitted, and
        // so cancelled. An overlapped call returns without waiting for the device.
        boolean ok;
        int error;
        Operation operation;
        int generation;
        synchronized (stateLock) {
            if (closing) {
                throw new IllegalStateException("the device " + path + " is closed");
            }
            operation = port.acquire(function, destination, future);
            generation = operation.generation;
            // Sound: the OVERLAPPED and buffers belong to the slot, which stays pending in
            // the port until the request's packet is dequeued.
            ok = submission.call(operation);
            error = ok ? WinError.ERROR_SUCCESS : Native.getLastError();
        }
        if (Win32Log.enabled()) {
            Win32Log.call(function, "overlapped " + operation.overlapped, ok, error);
        }
        if (!ok && error != WinError.ERROR_IO_PENDING) {
            // Settled outside the lock: the future's callbacks run on this thread.
            port.failedAtSubmission(operation, generation, error);
        }
        return future;
    }

    // ---------------------------------------------------------------- close

    /**
     * Cancels every outstanding request (CancelIoEx, on synchronous handles as well), waits
     * until each overlapped request's packet has been dequeued, closes the handle, stops the
     * completion thread with a posted wake-up packet, closes the port, then frees what
     * memory remains.
     */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Closes the handle while requests may still be in flight, as a program that skips
     * CancelIoEx would: CloseHandle's cleanup cancels them, then they are drained.
     */
    void closeHandleFirst() {
        close(false);
    }

    private void close(boolean cancelFirst) {
        synchronized (stateLock) {
            if (closing) {
                return;
            }
            closing = true;
        }
        RuntimeException failure = null;
        if (cancelFirst) {
            // On a synchronous handle too: a ReadFile or WriteFile blocked in another thread
            // would otherwise keep CloseHandle waiting on the file object, which Windows
            // serializes for synchronous I/O, until the driver completes it.
            failure = collect(failure, this::cancelAll);
        }
        if (!cancelFirst) {
            failure = collect(failure, this::closeHandle);
        }
        boolean drained = true;
        if (port != null) {
            drained = awaitDrained();
        }
        if (cancelFirst) {
            failure = collect(failure, this::closeHandle);
        }
        if (port != null) {
            if (drained) {
                failure = collect(failure, port::close);
            } else {
                // Requests still pending own memory the system may yet write: it stays
                // allocated, and so do the port and its thread that would release it.
                failure = collect(failure, () -> {
                    Throwable stopped = port.threadFailure();
                    if (stopped != null) {
                        // Name the call that stopped the completion thread, with its error text.
                        throw new IllegalStateException(port.pendingCount() + " requests on " + path
                                + " cannot complete: the completion thread stopped: " + stopped.getMessage(), stopped);
                    }
                    throw new IllegalStateException(port.pendingCount() + " requests on " + path
                            + " did not complete within " + DRAIN_TIMEOUT_SECONDS + " s of being cancelled");
                });
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private boolean awaitDrained() {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return port.awaitDrained(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeHandle() {
        synchronized (stateLock) {
            handleClosed = true;
        }
        // Sound: requests still in flight keep their memory until their packets are dequeued,
        // which the I/O manager delivers after the handle is gone.
        boolean ok = kernel32.CloseHandle(handle);
        int error = Native.getLastError();
        Win32Log.call("CloseHandle", path, ok, error);
        if (!ok) {
            throw new Win32CallException("CloseHandle", error);
        }
    }

    private static RuntimeException collect(RuntimeException first, Runnable step) {
        try {
            step.run();
            return first;
        } catch (RuntimeException e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
            return first;
        }
    }

    private void requireOverlapped() {
        if (port == null) {
            throw new IllegalStateException("overlapped I/O needs a device opened with overlapped = true");
        }
    }

    private void requireSynchronous() {
        if (port != null) {
            throw new IllegalStateException("synchronous I/O needs a device opened with overlapped = false");
        }
    }

    @Override
    public String toString() {
        return "Device[" + path + (port != null ? ", overlapped" : "") + "]";
    }
}
