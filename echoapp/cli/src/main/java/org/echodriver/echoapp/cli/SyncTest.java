package org.echodriver.echoapp.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.win32.Win32CallException;

/**
 * The synchronous test of the WDK's echoapp: write a pattern, read it back, compare; with
 * 512 bytes, then with 30 KiB.
 */
final class SyncTest {
    /** The lengths written and read back, in order. */
    static final int[] LENGTHS = {512, 30 * 1024};

    private final Device device;
    private final PrintWriter out;
    private final PrintWriter err;
    private long writesCompleted;
    private long readsCompleted;
    private long cancelled;
    private long bytesWritten;
    private long bytesRead;
    private Interrupt interrupt;

    SyncTest(Device device, PrintWriter out, PrintWriter err) {
        this.device = device;
        this.out = out;
        this.err = err;
    }

    /** Runs the test; Ctrl-C cancels the call in progress (CancelIoEx, see {@link Canceller}). */
    int run(Interrupt interrupt) {
        this.interrupt = interrupt;
        Canceller canceller = new Canceller(device);
        try (Interrupt.Registration registration = interrupt.onRequest(canceller::start)) {
            for (int round = 0; round < LENGTHS.length; round++) {
                if (interrupt.isRequested()) {
                    return interrupted();
                }
                int length = LENGTHS[round];
                byte[] pattern = Pattern.of(round, length);
                int written = device.write(pattern);
                if (written != length) {
                    err.printf("bytes written is not test length! Written %d, SB %d%n", written, length);
                    return ExitCodes.FAILURE;
                }
                writesCompleted++;
                bytesWritten += written;
                out.printf("%d Pattern Bytes Written successfully%n", written);
                out.flush();
                if (interrupt.isRequested()) {
                    return interrupted();
                }
                byte[] back = new byte[length];
                int read = device.read(back);
                if (read != length) {
                    err.printf("bytes Read is not test length! Read %d, SB %d%n", read, length);
                    return ExitCodes.FAILURE;
                }
                readsCompleted++;
                bytesRead += read;
                out.printf("%d Pattern Bytes Read successfully%n", read);
                if (!Arrays.equals(pattern, back)) {
                    err.printf("Pattern verification failed: the %d bytes read differ from the bytes written%n", length);
                    return ExitCodes.FAILURE;
                }
                out.println("Pattern Verified successfully");
                out.flush();
            }
            return ExitCodes.SUCCESS;
        } catch (Win32CallException e) {
            if (e.isAborted() && interrupt.isRequested()) {
                cancelled++;
                return interrupted();
            }
            err.println(e.getMessage());
            return ExitCodes.FAILURE;
        } finally {
            canceller.stop();
        }
    }

    /**
     * Cancels the synchronous call of the test thread after Ctrl-C. One CancelIoEx is not
     * enough: when it comes after the test thread has checked for Ctrl-C but before its
     * ReadFile or WriteFile has reached the driver, it finds nothing to cancel (ERROR_NOT_FOUND)
     * and the call would then wait for the driver to complete it. So CancelIoEx is repeated
     * from a thread of its own until one cancels a call or the test stops it.
     */
    static final class Canceller {
        /** Time between two CancelIoEx calls that found nothing to cancel. */
        static final long RETRY_MS = 10;

        private final Device device;
        private Thread thread;
        private boolean stopped;

        Canceller(Device device) {
            this.device = device;
        }

        /** Starts cancelling; returns at once (it runs on the thread that raises Ctrl-C). */
        synchronized void start() {
            if (stopped || thread != null) {
                return;
            }
            thread = new Thread(this::loop, "echoapp cancel");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                while (!isStopped()) {
                    if (device.cancelAll()) {
                        return;
                    }
                    synchronized (this) {
                        if (!stopped) {
                            wait(RETRY_MS);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                System.err.println("echoapp: while stopping: " + e.getMessage());
            }
        }

        private synchronized boolean isStopped() {
            return stopped;
        }

        /** Stops cancelling and waits until no CancelIoEx is in progress, so the device can be closed. */
        void stop() {
            Thread running;
            synchronized (this) {
                stopped = true;
                notifyAll();
                running = thread;
            }
            if (running == null) {
                return;
            }
            boolean interrupted = false;
            while (running.isAlive()) {
                try {
                    running.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int interrupted() {
        out.printf("Interrupted: %d writes and %d reads completed, %d cancelled, %d bytes written, %d bytes read%n",
                writesCompleted, readsCompleted, cancelled, bytesWritten, bytesRead);
        return interrupt == null ? ExitCodes.INTERRUPTED : interrupt.exitStatus();
    }
}
