package org.echodriver.echoapp.device;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import java.util.concurrent.CompletableFuture;
import org.echodriver.echoapp.win32.Win32CallException;

/**
 * One overlapped request: its OVERLAPPED and its buffers in native memory that this object
 * owns, and the future that its completion settles.
 *
 * <p>The memory is handed to Windows as plain pointers and stays allocated, reachable from
 * the completion port's table of pending requests, until the request's completion packet
 * has been dequeued; only then is the data copied out and the memory freed.
 */
final class Operation {
    /** sizeof(OVERLAPPED) on this platform, from JNA Platform's layout of the SDK structure. */
    static final int OVERLAPPED_SIZE = new WinBase.OVERLAPPED().size();

    private final String function;
    private final Memory overlapped;
    private final Memory input;
    private final Memory output;
    private final byte[] destination;
    private final CompletableFuture<Integer> future = new CompletableFuture<>();

    /**
     * @param function the Win32 call that submits the request, used in error messages
     * @param source bytes to send (copied into native memory now), or null
     * @param destination where the bytes received are copied at completion, or null
     */
    Operation(String function, byte[] source, int sourceLength, byte[] destination, int destinationLength) {
        this.function = function;
        this.overlapped = new Memory(OVERLAPPED_SIZE);
        // Offset, OffsetHigh and hEvent must be zero: a device has no file position and no
        // event is signalled; Internal and InternalHigh belong to the system from now on.
        this.overlapped.clear();
        this.input = source == null ? null : copyOf(source, sourceLength);
        this.output = destination == null ? null : new Memory(Math.max(1, destinationLength));
        this.destination = destination;
    }

    private static Memory copyOf(byte[] source, int length) {
        Memory memory = new Memory(Math.max(1, length));
        memory.write(0, source, 0, length);
        return memory;
    }

    String function() {
        return function;
    }

    Pointer overlapped() {
        return overlapped;
    }

    /** The OVERLAPPED address by which the completion packet is matched to this request. */
    long address() {
        return Pointer.nativeValue(overlapped);
    }

    Pointer input() {
        return input;
    }

    Pointer output() {
        return output;
    }

    CompletableFuture<Integer> future() {
        return future;
    }

    /** The request completed with bytes transferred: copy what was received, release the memory, settle the future. */
    void succeed(int bytes) {
        if (destination != null && output != null) {
            int length = Math.min(Math.max(bytes, 0), destination.length);
            output.read(0, destination, 0, length);
        }
        free();
        future.complete(bytes);
    }

    /** The request failed with a Win32 error: release the memory (when Windows no longer uses it), settle the future. */
    void fail(int errorCode, boolean releaseMemory) {
        if (releaseMemory) {
            free();
        }
        future.completeExceptionally(new Win32CallException(function, errorCode));
    }

    /** Frees the native memory; only once Windows holds no reference to it. */
    void free() {
        overlapped.close();
        if (input != null) {
            input.close();
        }
        if (output != null) {
            output.close();
        }
    }
}
