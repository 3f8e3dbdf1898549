package org.echodriver.echoapp.device;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinBase;
import java.util.concurrent.CompletableFuture;

/**
 * One slot of a completion port's pool of overlapped requests: an OVERLAPPED in the
 * port's native slab, and buffers in native memory that grow to the largest request the
 * slot has carried and are then reused. A slot carries one request at a time, from
 * submission until its completion packet is dequeued; only then does it return to the
 * pool. The memory stays allocated until the port is closed, so an address that the
 * system still holds is never freed or handed to a newer request while the older one is
 * pending.
 *
 * <p>All fields but the native memory are guarded by the port's lock.
 */
final class Operation {
    /** sizeof(OVERLAPPED) on this platform, from JNA Platform's layout of the SDK structure. */
    static final int OVERLAPPED_SIZE = new WinBase.OVERLAPPED().size();

    enum State {
        /** In the pool. */
        FREE,
        /** Submitted; its packet has not been dequeued. */
        PENDING,
        /** The submitting call failed; a packet may still come (a warning status), so the slot stays reserved. */
        FAILED_AT_SUBMISSION
    }

    /** The OVERLAPPED, a slice of the port's slab. */
    final Pointer overlapped;
    /** Its address, by which a packet is matched to the slot. */
    final long address;

    private Memory output;
    private Memory input;

    State state = State.FREE;
    /** Bumped at each use of the slot, so a late call about an earlier request cannot touch a newer one. */
    int generation;
    String function;
    byte[] destination;
    CompletableFuture<Integer> future;

    Operation(Pointer overlapped) {
        this.overlapped = overlapped;
        this.address = Pointer.nativeValue(overlapped);
    }

    /** Clears the OVERLAPPED for a new request: no file offset, no event; Internal and InternalHigh belong to the system once submitted. */
    void resetOverlapped() {
        overlapped.setMemory(0, OVERLAPPED_SIZE, (byte) 0);
    }

    /** The output buffer, at least {@code length} bytes (at least 1), reused across requests. */
    Memory output(int length) {
        output = ensure(output, length);
        return output;
    }

    /** The input buffer, holding {@code length} bytes of {@code source} copied now. */
    Memory input(byte[] source, int length) {
        input = ensure(input, length);
        input.write(0, source, 0, length);
        return input;
    }

    Memory output() {
        return output;
    }

    private static Memory ensure(Memory memory, int length) {
        int needed = Math.max(1, length);
        if (memory != null && memory.size() >= needed) {
            return memory;
        }
        if (memory != null) {
            memory.close();
        }
        return new Memory(Math.max(needed, 1024));
    }

    /** Frees the buffers; only when the port is closed and the system holds none of them. */
    void freeBuffers() {
        if (output != null) {
            output.close();
            output = null;
        }
        if (input != null) {
            input.close();
            input = null;
        }
    }
}
