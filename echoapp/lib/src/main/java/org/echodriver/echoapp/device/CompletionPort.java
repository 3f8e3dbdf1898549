package org.echodriver.echoapp.device;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTR;
import com.sun.jna.platform.win32.BaseTSD.ULONG_PTRByReference;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.echodriver.echoapp.win32.Handles;
import org.echodriver.echoapp.win32.Kernel32;
import org.echodriver.echoapp.win32.Win32CallException;
import org.echodriver.echoapp.win32.Win32Log;

/**
 * An I/O completion port with the one thread that dequeues its packets.
 *
 * <p>Each packet is matched to its request by the OVERLAPPED address. A FALSE return of
 * GetQueuedCompletionStatus with an OVERLAPPED is a failed request (ERROR_OPERATION_ABORTED
 * when it was cancelled), never a time-out: the thread waits without one. The thread stops
 * when it dequeues the wake-up packet that {@link #close} posts.
 */
final class CompletionPort implements AutoCloseable {
    /** Completion key of the file handles associated with the port. */
    private static final long FILE_KEY = 1;
    /** Completion key of the packet that stops the completion thread. */
    private static final long WAKE_KEY = 2;

    private final Kernel32 kernel32 = Kernel32.INSTANCE;
    private final HANDLE port;
    private final Thread thread;
    private final Object lock = new Object();
    /** Requests submitted and not yet dequeued, by OVERLAPPED address. Guarded by lock. */
    private final Map<Long, Operation> pending = new HashMap<>();
    /**
     * Requests that failed at submission. Windows queues no packet for those as a rule, but
     * the system decides (a warning status still queues one), so their memory stays
     * allocated and their address reserved until a packet arrives or the port is closed.
     * Guarded by lock.
     */
    private final Map<Long, Operation> failedAtSubmission = new HashMap<>();
    private Throwable threadFailure;

    CompletionPort(String name) {
        HANDLE created = kernel32.CreateIoCompletionPort(WinBase.INVALID_HANDLE_VALUE, null, new ULONG_PTR(0), 1);
        int error = Native.getLastError();
        Win32Log.call("CreateIoCompletionPort", "INVALID_HANDLE_VALUE: a new port", !Handles.isNull(created), error);
        if (Handles.isNull(created)) {
            throw new Win32CallException("CreateIoCompletionPort", error);
        }
        this.port = created;
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

    /** Records a request before it is submitted: its packet may be dequeued before the submitting call returns. */
    void register(Operation operation) {
        synchronized (lock) {
            pending.put(operation.address(), operation);
        }
    }

    /**
     * The submitting call failed with an error other than ERROR_IO_PENDING. Fails the
     * request unless its packet was dequeued already (which settled it).
     */
    void failedAtSubmission(Operation operation, int errorCode) {
        synchronized (lock) {
            if (!pending.remove(operation.address(), operation)) {
                return;
            }
            failedAtSubmission.put(operation.address(), operation);
            lock.notifyAll();
        }
        operation.fail(errorCode, false);
    }

    /**
     * Runs {@code cancel} on the OVERLAPPED of the pending request whose future is the given
     * one, under the lock: the request's packet cannot be dequeued meanwhile, so its memory
     * is not freed and its address cannot pass to a newer request that CancelIoEx would then
     * cancel instead ("do not reuse overlapped structures with targeted cancellation").
     * {@code cancel} must not wait for completions.
     *
     * @return what {@code cancel} returned, or false when no such request is pending
     */
    boolean cancelPending(Object future, Predicate<Pointer> cancel) {
        synchronized (lock) {
            for (Operation operation : pending.values()) {
                if (operation.future() == future) {
                    return cancel.test(operation.overlapped());
                }
            }
        }
        return false;
    }

    /** How many requests are submitted and not yet dequeued. */
    int pendingCount() {
        synchronized (lock) {
            return pending.size();
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
            while (!pending.isEmpty()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !thread.isAlive()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, remaining);
            }
            return true;
        }
    }

    private void dequeueLoop() {
        IntByReference bytes = new IntByReference();
        ULONG_PTRByReference key = new ULONG_PTRByReference();
        PointerByReference overlapped = new PointerByReference();
        try {
            for (;;) {
                // Sound: the three out-parameters are JNA-owned and read only by this thread;
                // the OVERLAPPED address returned is only compared, never dereferenced.
                boolean ok = kernel32.GetQueuedCompletionStatus(port, bytes, key, overlapped, WinBase.INFINITE);
                int error = Native.getLastError();
                Pointer address = overlapped.getValue();
                if (Win32Log.enabled()) {
                    Win32Log.call("GetQueuedCompletionStatus", "INFINITE: " + bytes.getValue() + " bytes, key "
                            + key.getValue().longValue() + ", overlapped " + address, ok, error);
                }
                if (address == null) {
                    if (ok && key.getValue().longValue() == WAKE_KEY) {
                        return;
                    }
                    if (!ok) {
                        // No packet was dequeued (the port itself failed): nothing more will arrive.
                        throw new Win32CallException("GetQueuedCompletionStatus", error);
                    }
                    continue;
                }
                Operation operation;
                synchronized (lock) {
                    long at = Pointer.nativeValue(address);
                    operation = pending.remove(at);
                    if (operation == null) {
                        Operation failed = failedAtSubmission.remove(at);
                        if (failed != null) {
                            failed.free();
                        }
                        continue;
                    }
                    lock.notifyAll();
                }
                if (ok) {
                    operation.succeed(bytes.getValue());
                } else {
                    operation.fail(error, true);
                }
            }
        } catch (Throwable t) {
            synchronized (lock) {
                threadFailure = t;
                lock.notifyAll();
            }
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
     * memory of requests that failed at submission. Call only when no request is pending.
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
        boolean closed = kernel32.CloseHandle(port);
        int error = Native.getLastError();
        Win32Log.call("CloseHandle", "the completion port", closed, error);
        synchronized (lock) {
            failedAtSubmission.values().forEach(Operation::free);
            failedAtSubmission.clear();
        }
        if (!closed) {
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
