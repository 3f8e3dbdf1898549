package org.echodriver.echoapp.device;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTR;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.echodriver.echoapp.win32.Handles;
import org.echodriver.echoapp.win32.Kernel32;
import org.echodriver.echoapp.win32.Kernel32Direct;
import org.echodriver.echoapp.win32.Win32CallException;
import org.echodriver.echoapp.win32.Win32Log;

/**
 * An I/O completion port with the one thread that dequeues its packets, and the pool of
 * overlapped requests ({@link Operation} slots) that its file handles use.
 *
 * <p>Each packet is matched to its request by the OVERLAPPED address: OVERLAPPEDs live in
 * slabs of {@value #SLAB_SLOTS} slots of native memory, so the address gives the slab and
 * the slot without a table lookup or any allocation. A FALSE return of
 * GetQueuedCompletionStatus with an OVERLAPPED is a failed request (ERROR_OPERATION_ABORTED
 * when it was cancelled), never a time-out: the thread waits without one. The thread stops
 * when it dequeues the wake-up packet that {@link #close} posts. Slabs and buffers are freed
 * only when the port is closed, after every request has come back.
 */
final class CompletionPort implements AutoCloseable {
    /** Completion key of the file handles associated with the port. */
    private static final long FILE_KEY = 1;
    /** Completion key of the packet that stops the completion thread. */
    private static final long WAKE_KEY = 2;
    /** OVERLAPPED slots per slab. */
    static final int SLAB_SLOTS = 64;
    /** Bytes between two OVERLAPPEDs of a slab: sizeof(OVERLAPPED) rounded up to a cache line. */
    private static final int STRIDE = (Operation.OVERLAPPED_SIZE + 63) & ~63;

    private final Kernel32 kernel32 = Kernel32.INSTANCE;
    private final HANDLE port;
    private final Pointer portPointer;
    private final Thread thread;
    private final Object lock = new Object();

    /** One slab of OVERLAPPED slots. */
    private static final class Slab {
        final Memory memory;
        final long base;
        final Operation[] operations = new Operation[SLAB_SLOTS];

        Slab() {
            memory = new Memory((long) STRIDE * SLAB_SLOTS);
            memory.clear();
            base = Pointer.nativeValue(memory);
            for (int i = 0; i < SLAB_SLOTS; i++) {
                operations[i] = new Operation(memory.share((long) i * STRIDE, Operation.OVERLAPPED_SIZE));
            }
        }
    }

    // Guarded by lock.
    private final List<Slab> slabs = new ArrayList<>();
    private final ArrayDeque<Operation> free = new ArrayDeque<>();
    private int pending;
    private Throwable threadFailure;
    private boolean closed;

    CompletionPort(String name) {
        Kernel32Direct.bind();
        HANDLE created = kernel32.CreateIoCompletionPort(WinBase.INVALID_HANDLE_VALUE, null, new ULONG_PTR(0), 1);
        int error = Native.getLastError();
        Win32Log.call("CreateIoCompletionPort", "INVALID_HANDLE_VALUE: a new port", !Handles.isNull(created), error);
        if (Handles.isNull(created)) {
            throw new Win32CallException("CreateIoCompletionPort", error);
        }
        this.port = created;
        this.portPointer = created.getPointer();
        this.thread = new Thread(this::dequeueLoop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Associates a file handle opened with FILE_FLAG_OVERLAPPED with this port. */
    void associate(HANDLE file) {
        // Sound: handles and the key are passed by value; the association lasts until the file closes.
        HANDLE result = kernel32.CreateIoCompletionPort(file, port, new ULONG_PTR(FILE_KEY), 0);
        int error = Native.getLastError();
        Win32Log.call("CreateIoCompletionPort", "associate a file handle", !Handles.isNull(result), error);
        if (Handles.isNull(result)) {
            throw new Win32CallException("CreateIoCompletionPort", error);
        }
    }

    /**
     * Takes a slot for a request and marks it pending, before the request is submitted:
     * its packet may be dequeued before the submitting call returns.
     *
     * @param destination where the completion copies the bytes received, or null
     */
    Operation acquire(String function, byte[] destination, CompletableFuture<Integer> future) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the completion port is closed");
            }
            Operation operation = free.pollFirst();
            if (operation == null) {
                Slab slab = new Slab();
                slabs.add(slab);
                for (int i = SLAB_SLOTS - 1; i > 0; i--) {
                    free.addFirst(slab.operations[i]);
                }
                operation = slab.operations[0];
            }
            operation.state = Operation.State.PENDING;
            operation.generation++;
            operation.function = function;
            operation.destination = destination;
            operation.future = future;
            operation.resetOverlapped();
            pending++;
            return operation;
        }
    }

    /**
     * The submitting call failed with an error other than ERROR_IO_PENDING. Fails the
     * request unless its packet was dequeued already (which settled it). Windows queues no
     * packet for such a call as a rule, but the system decides (a warning status still
     * queues one), so the slot stays reserved until a packet arrives or the port closes.
     */
    void failedAtSubmission(Operation operation, int generation, int errorCode) {
        CompletableFuture<Integer> future;
        String function;
        synchronized (lock) {
            if (operation.generation != generation || operation.state != Operation.State.PENDING) {
                return;
            }
            operation.state = Operation.State.FAILED_AT_SUBMISSION;
            future = operation.future;
            function = operation.function;
            operation.future = null;
            operation.destination = null;
            pending--;
            lock.notifyAll();
        }
        future.completeExceptionally(new Win32CallException(function, errorCode));
    }

    /**
     * Runs {@code cancel} on the OVERLAPPED of the pending request whose future is the given
     * one, under the lock: the request's packet cannot be dequeued meanwhile, so its slot
     * cannot pass to a newer request that CancelIoEx would then cancel instead ("do not reuse
     * overlapped structures with targeted cancellation"). {@code cancel} must not wait for
     * completions.
     *
     * @return what {@code cancel} returned, or false when no such request is pending
     */
    boolean cancelPending(Object future, Predicate<Pointer> cancel) {
        synchronized (lock) {
            for (Slab slab : slabs) {
                for (Operation operation : slab.operations) {
                    if (operation.state == Operation.State.PENDING && operation.future == future) {
                        return cancel.test(operation.overlapped);
                    }
                }
            }
        }
        return false;
    }

    /** How many requests are submitted and not yet dequeued. */
    int pendingCount() {
        synchronized (lock) {
            return pending;
        }
    }

    /**
     * Waits until every pending request's packet has been dequeued.
     *
     * @return false when the time ran out first
     */
    boolean awaitDrained(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (pending > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !thread.isAlive()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, remaining);
            }
            return true;
        }
    }

    /** The slot whose OVERLAPPED is at {@code address}, or null. Call under the lock. */
    private Operation slotAt(long address) {
        for (Slab slab : slabs) {
            long offset = address - slab.base;
            if (offset >= 0 && offset < (long) STRIDE * SLAB_SLOTS && offset % STRIDE == 0) {
                return slab.operations[(int) (offset / STRIDE)];
            }
        }
        return null;
    }

    private void dequeueLoop() {
        // The three out-parameters, in native memory this thread owns: the byte count
        // (DWORD), the key (ULONG_PTR) and the OVERLAPPED address (a pointer).
        try (Memory out = new Memory(24)) {
            Pointer bytesOut = out.share(0, 4);
            Pointer keyOut = out.share(8, 8);
            Pointer overlappedOut = out.share(16, 8);
            for (;;) {
                out.clear();
                // Sound: the out-parameters are this thread's memory; the OVERLAPPED address
                // returned is only compared with the slabs', never dereferenced.
                boolean ok = Kernel32Direct.GetQueuedCompletionStatus(portPointer, bytesOut, keyOut, overlappedOut,
                        WinBase.INFINITE) != 0;
                int error = ok ? 0 : Native.getLastError();
                long address = Native.POINTER_SIZE == 8 ? overlappedOut.getLong(0) : overlappedOut.getInt(0) & 0xFFFFFFFFL;
                int bytes = bytesOut.getInt(0);
                long key = Native.POINTER_SIZE == 8 ? keyOut.getLong(0) : keyOut.getInt(0) & 0xFFFFFFFFL;
                if (Win32Log.enabled()) {
                    Win32Log.call("GetQueuedCompletionStatus", "INFINITE: " + bytes + " bytes, key " + key
                            + ", overlapped 0x" + Long.toHexString(address), ok, error);
                }
                if (address == 0) {
                    if (ok && key == WAKE_KEY) {
                        return;
                    }
                    if (!ok) {
                        // No packet was dequeued (the port itself failed): nothing more will arrive.
                        throw new Win32CallException("GetQueuedCompletionStatus", error);
                    }
                    continue;
                }
                settle(address, ok, bytes, error);
            }
        } catch (Throwable t) {
            synchronized (lock) {
                threadFailure = t;
                lock.notifyAll();
            }
        }
    }

    /** One request's packet: copy what was received, return the slot to the pool, then settle the future. */
    private void settle(long address, boolean ok, int bytes, int error) {
        CompletableFuture<Integer> future;
        String function;
        synchronized (lock) {
            Operation operation = slotAt(address);
            if (operation == null || operation.state == Operation.State.FREE) {
                return;
            }
            boolean wasPending = operation.state == Operation.State.PENDING;
            future = operation.future;
            function = operation.function;
            byte[] destination = operation.destination;
            if (wasPending && ok && destination != null) {
                int length = Math.min(Math.max(bytes, 0), destination.length);
                // Sound: the packet is dequeued, so the system is done with the buffer.
                operation.output().read(0, destination, 0, length);
            }
            operation.state = Operation.State.FREE;
            operation.future = null;
            operation.destination = null;
            free.addFirst(operation);
            if (!wasPending) {
                return;
            }
            pending--;
            lock.notifyAll();
        }
        // Outside the lock: the future's callbacks run on this thread and may submit again.
        if (ok) {
            future.complete(bytes);
        } else {
            future.completeExceptionally(new Win32CallException(function, error));
        }
    }

    /** Why the completion thread stopped before its wake-up packet, or null. */
    Throwable threadFailure() {
        synchronized (lock) {
            return threadFailure;
        }
    }

    /**
     * Stops the completion thread with a wake-up packet, closes the port, then frees the
     * slabs and buffers. Call only when no request is pending.
     */
    @Override
    public void close() {
        if (thread.isAlive()) {
            // Sound: the wake-up packet carries no OVERLAPPED, so nothing is referenced after the call.
            boolean posted = kernel32.PostQueuedCompletionStatus(port, 0, new ULONG_PTR(WAKE_KEY), null);
            int error = Native.getLastError();
            Win32Log.call("PostQueuedCompletionStatus", "the wake-up packet", posted, error);
            if (!posted) {
                throw new Win32CallException("PostQueuedCompletionStatus", error);
            }
            joinUninterruptibly(thread);
        }
        boolean closedOk = kernel32.CloseHandle(port);
        int error = Native.getLastError();
        Win32Log.call("CloseHandle", "the completion port", closedOk, error);
        synchronized (lock) {
            closed = true;
            for (Slab slab : slabs) {
                for (Operation operation : slab.operations) {
                    operation.freeBuffers();
                }
                slab.memory.close();
            }
            slabs.clear();
            free.clear();
        }
        if (!closedOk) {
            throw new Win32CallException("CloseHandle", error);
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
