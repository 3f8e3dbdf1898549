package org.echodriver.echoapp.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * The progress of a long -Async run: requests completed (writes, reads), failed,
 * outstanding, and the completion rate. On a terminal one line is rewritten in place
 * (carriage return) twice a second; otherwise (a pipe, a log file) a new line is printed
 * every {@link #LINE_PERIOD_MS} ms, so that a long run's log shows it is alive.
 */
final class Progress implements AutoCloseable {
    private static final long TERMINAL_PERIOD_MS = 500;
    /** Time between two progress lines when stdout is not a terminal. */
    static final long LINE_PERIOD_MS = 5000;

    private final PrintWriter out;
    private final Supplier<AsyncTest.Snapshot> source;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private final Object lock = new Object();
    private boolean closed;
    private int lastLength;

    Progress(PrintWriter out, Supplier<AsyncTest.Snapshot> source, boolean terminal) {
        this.out = out;
        this.source = source;
        this.terminal = terminal;
        this.thread = new Thread(this::loop, "echoapp progress");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        synchronized (lock) {
            long period = terminal ? TERMINAL_PERIOD_MS : LINE_PERIOD_MS;
            if (terminal) {
                print();
            }
            while (!closed) {
                try {
                    lock.wait(period);
                } catch (InterruptedException e) {
                    return;
                }
                if (!closed) {
                    print();
                }
            }
        }
    }

    static String line(AsyncTest.Snapshot now, double seconds) {
        return String.format("completed %d (writes %d, reads %d), failed %d, outstanding %d, %.1f requests/s",
                now.completed(), now.writesCompleted(), now.readsCompleted(), now.writesFailed() + now.readsFailed(),
                now.outstanding(), now.completed() / Math.max(1e-9, seconds));
    }

    private void print() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String line = line(source.get(), seconds);
        if (!terminal) {
            out.println("progress: " + line);
            out.flush();
            return;
        }
        StringBuilder text = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastLength; i++) {
            text.append(' ');
        }
        lastLength = line.length();
        out.print(text);
        out.flush();
    }

    /** On a terminal, prints the last state and ends the line. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (terminal) {
                print();
                out.println();
                out.flush();
            }
            lock.notifyAll();
        }
    }
}
