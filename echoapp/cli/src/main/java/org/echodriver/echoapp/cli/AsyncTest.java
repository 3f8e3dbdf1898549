package org.echodriver.echoapp.cli;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.win32.Win32CallException;

/**
 * The asynchronous test of the WDK's echoapp: overlapped writes on one handle and
 * overlapped reads on another, each handle with its own completion port, up to
 * {@link #MAX_OUTSTANDING} requests of each kind in flight. Every write sends its own
 * pattern; every read must return nothing (no write has landed yet) or a prefix of what
 * some write sent.
 *
 * <p>Completions arrive on the two completion threads; each completion submits the next
 * request of its kind until the count is reached or the run is stopped. All counters are
 * guarded by one lock, and a stop (Ctrl-C or a failure) cancels everything in flight with
 * CancelIoEx and waits until every request has come back.
 */
final class AsyncTest {
    /** Requests of each kind kept in flight, as the WDK's echoapp does (NUM_ASYNCH_IO). */
    static final int MAX_OUTSTANDING = 100;
    /** Bytes per write and per read. */
    static final int LENGTH = 1024;

    private final Device writer;
    private final Device reader;
    private final long count;
    private final PrintWriter out;
    private final boolean perRequestLines;
    private final Object lock = new Object();

    // Guarded by lock.
    private long writesSubmitted;
    private long writesCompleted;
    private long writesCancelled;
    private long writesFailed;
    private long bytesWritten;
    private int writesOutstanding;
    private long readsSubmitted;
    private long readsCompleted;
    private long readsEmpty;
    private long readsCancelled;
    private long readsFailed;
    private long bytesRead;
    private int readsOutstanding;
    private boolean stopping;
    private boolean interrupted;
    private String failure;

    /**
     * @param count writes and reads to send, each; {@link Long#MAX_VALUE} runs until stopped
     * @param perRequestLines print a line per completed request, as the WDK's echoapp does
     */
    AsyncTest(Device writer, Device reader, long count, PrintWriter out, boolean perRequestLines) {
        this.writer = writer;
        this.reader = reader;
        this.count = count;
        this.out = out;
        this.perRequestLines = perRequestLines;
    }

    /**
     * Runs until every request has completed, or until a stop and every cancellation has
     * come back.
     *
     * @param started runs once the first requests are in flight
     */
    Snapshot run(Interrupt interrupt, Runnable started) throws InterruptedException {
        try (Interrupt.Registration registration = interrupt.onRequest(() -> stop(true, null))) {
            synchronized (lock) {
                // Counted by what was submitted: a request whose packet was dequeued before
                // its callback was attached completes on this thread and sends the next one.
                long initial = Math.min(MAX_OUTSTANDING, count);
                while (!stopping && (writesSubmitted < initial || readsSubmitted < initial)) {
                    if (writesSubmitted < initial) {
                        submitWrite();
                    }
                    if (!stopping && readsSubmitted < initial) {
                        submitRead();
                    }
                }
                started.run();
                while (!finished()) {
                    lock.wait();
                }
            }
        }
        return snapshot();
    }

    /**
     * Stops the run: no new request is sent and everything in flight is cancelled.
     *
     * @param byInterrupt the stop comes from Ctrl-C
     * @param why the failure that stops the run, or null
     */
    void stop(boolean byInterrupt, String why) {
        synchronized (lock) {
            if (byInterrupt) {
                interrupted = true;
            }
            if (why != null && failure == null) {
                failure = why;
            }
            if (stopping) {
                return;
            }
            stopping = true;
            lock.notifyAll();
        }
        // Sound: CancelIoEx only starts the cancellations; each one comes back as a packet
        // on the completion threads, which take the lock after this method has released it.
        writer.cancelAll();
        reader.cancelAll();
    }

    private boolean finished() {
        boolean idle = writesOutstanding == 0 && readsOutstanding == 0;
        return idle && (stopping || (writesSubmitted >= count && readsSubmitted >= count));
    }

    private void submitWrite() {
        long index = writesSubmitted++;
        writesOutstanding++;
        CompletableFuture<Integer> request;
        try {
            request = writer.writeAsync(Pattern.of(index, LENGTH));
        } catch (RuntimeException e) {
            writesOutstanding--;
            failLater(e.getMessage());
            return;
        }
        request.whenComplete((bytes, error) -> onWrite(index, bytes, error));
    }

    private void submitRead() {
        long index = readsSubmitted++;
        readsOutstanding++;
        byte[] buffer = new byte[LENGTH];
        CompletableFuture<Integer> request;
        try {
            request = reader.readAsync(buffer);
        } catch (RuntimeException e) {
            readsOutstanding--;
            failLater(e.getMessage());
            return;
        }
        request.whenComplete((bytes, error) -> onRead(index, buffer, bytes, error));
    }

    private void onWrite(long index, Integer bytes, Throwable error) {
        String why = null;
        synchronized (lock) {
            writesOutstanding--;
            if (error != null) {
                Throwable cause = unwrap(error);
                if (stopping && cause instanceof Win32CallException && ((Win32CallException) cause).isAborted()) {
                    writesCancelled++;
                } else {
                    writesFailed++;
                    why = "write request number " + index + ": " + cause.getMessage();
                }
            } else if (bytes != LENGTH) {
                writesFailed++;
                why = "bytes written is not test length! Written " + bytes + ", SB " + LENGTH + " (request number " + index + ")";
            } else {
                writesCompleted++;
                bytesWritten += bytes;
                if (perRequestLines) {
                    out.printf("Number of bytes written by request number %d is %d%n", index, bytes);
                }
            }
            if (why == null && !stopping && writesSubmitted < count) {
                submitWrite();
            }
            lock.notifyAll();
        }
        if (why != null) {
            stop(false, why);
        }
    }

    private void onRead(long index, byte[] buffer, Integer bytes, Throwable error) {
        String why = null;
        synchronized (lock) {
            readsOutstanding--;
            if (error != null) {
                Throwable cause = unwrap(error);
                if (stopping && cause instanceof Win32CallException && ((Win32CallException) cause).isAborted()) {
                    readsCancelled++;
                } else {
                    readsFailed++;
                    why = "read request number " + index + ": " + cause.getMessage();
                }
            } else if (bytes > 0 && Pattern.sourceOf(buffer, bytes, writesSubmitted) < 0) {
                readsFailed++;
                why = "read request number " + index + " returned " + bytes + " bytes that no write sent";
            } else {
                readsCompleted++;
                bytesRead += bytes;
                if (bytes == 0) {
                    readsEmpty++;
                }
                if (perRequestLines) {
                    out.printf("Number of bytes read by request number %d is %d%n", index, bytes);
                }
            }
            if (why == null && !stopping && readsSubmitted < count) {
                submitRead();
            }
            lock.notifyAll();
        }
        if (why != null) {
            stop(false, why);
        }
    }

    /** Records a failure found while holding the lock; the cancellations start once it is released. */
    private void failLater(String why) {
        if (failure == null) {
            failure = why;
        }
        if (!stopping) {
            stopping = true;
            Thread stopper = new Thread(() -> {
                writer.cancelAll();
                reader.cancelAll();
            }, "echoapp stop");
            stopper.start();
        }
        lock.notifyAll();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The counters at this moment. */
    Snapshot snapshot() {
        synchronized (lock) {
            return new Snapshot(writesCompleted, writesCancelled, writesFailed, bytesWritten, readsCompleted, readsEmpty,
                    readsCancelled, readsFailed, bytesRead, writesOutstanding + readsOutstanding, interrupted, failure);
        }
    }

    /** What a run did. */
    record Snapshot(long writesCompleted, long writesCancelled, long writesFailed, long bytesWritten, long readsCompleted,
            long readsEmpty, long readsCancelled, long readsFailed, long bytesRead, int outstanding, boolean interrupted,
            String failure) {

        long completed() {
            return writesCompleted + readsCompleted;
        }

        /** The two summary lines. */
        String summary() {
            return String.format("Writes: %d completed, %d cancelled, %d failed, %d bytes%n"
                    + "Reads: %d completed (%d returned no data), %d cancelled, %d failed, %d bytes", writesCompleted,
                    writesCancelled, writesFailed, bytesWritten, readsCompleted, readsEmpty, readsCancelled, readsFailed,
                    bytesRead);
        }
    }
}
