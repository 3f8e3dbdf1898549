package org.echodriver.echoapp.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * A progress line on a terminal, rewritten in place (carriage return) twice a second:
 * requests completed, outstanding, and the completion rate.
 */
final class Progress implements AutoCloseable {
    private static final long PERIOD_MS = 500;

    private final PrintWriter out;
    private final Supplier<AsyncTest.Snapshot> source;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private final Object lock = new Object();
    private boolean closed;
    private int lastLength;

    Progress(PrintWriter out, Supplier<AsyncTest.Snapshot> source) {
        this.out = out;
        this.source = source;
        this.thread = new Thread(this::loop, "echoapp progress");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        synchronized (lock) {
            while (!closed) {
                print();
                try {
                    lock.wait(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void print() {
        AsyncTest.Snapshot now = source.get();
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        String line = String.format("completed %d (writes %d, reads %d), outstanding %d, %.1f requests/s", now.completed(),
                now.writesCompleted(), now.readsCompleted(), now.outstanding(), now.completed() / seconds);
        StringBuilder text = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastLength; i++) {
            text.append(' ');
        }
        lastLength = line.length();
        out.print(text);
        out.flush();
    }

    /** Prints the last state and ends the line. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            print();
            out.println();
            out.flush();
            lock.notifyAll();
        }
    }
}
