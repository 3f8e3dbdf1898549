package org.echodriver.echoapp.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A request to stop, raised once by Ctrl-C, SIGTERM or SIGHUP (all take the same clean
 * path; only the exit status and the words differ). Whatever is running registers how to
 * stop it (cancel its I/O). The actions run on the thread that raises the request, under
 * this object's lock, and must not block: they only start cancellations, and the running
 * work waits for those to finish. Removing a registration waits for its action to be over,
 * so an action never runs on a handle that its owner has gone on to close.
 */
public final class Interrupt {
    /** What raised the request, with the exit status it leads to (128 + the signal number). */
    public enum Reason {
        /** SIGINT (Ctrl-C; on Windows the console's CTRL_C_EVENT). */
        CTRL_C("Ctrl-C", "INT", ExitCodes.INTERRUPTED),
        /** SIGTERM (kill, timeout(1), a service manager stopping the run). */
        SIGTERM("SIGTERM", "TERM", ExitCodes.TERMINATED),
        /** SIGHUP (the terminal was closed). */
        SIGHUP("SIGHUP", "HUP", ExitCodes.HANGUP);

        private final String text;
        private final String signalName;
        private final int exitStatus;

        Reason(String text, String signalName, int exitStatus) {
            this.text = text;
            this.signalName = signalName;
            this.exitStatus = exitStatus;
        }

        /** How messages name it: "Ctrl-C", "SIGTERM", "SIGHUP". */
        public String text() {
            return text;
        }

        /** The signal's name as sun.misc.Signal spells it: "INT", "TERM", "HUP". */
        public String signalName() {
            return signalName;
        }

        /** The exit status of a run that it stopped. */
        public int exitStatus() {
            return exitStatus;
        }
    }

    private final List<Runnable> actions = new ArrayList<>();
    private Reason reason;
    private Supplier<String> waitingFor;

    /** Raises the request as Ctrl-C does. */
    public void request() {
        request(Reason.CTRL_C);
    }

    /** Raises the request and runs the registered actions; later calls do nothing (the first reason stays). */
    public synchronized void request(Reason why) {
        if (reason != null) {
            return;
        }
        reason = why;
        for (Runnable action : actions) {
            run(action);
        }
    }

    /** True once the request has been raised. */
    public synchronized boolean isRequested() {
        return reason != null;
    }

    /** What raised the request, or null. */
    public synchronized Reason reason() {
        return reason;
    }

    /** The exit status of a run this request stopped (130 when it was not raised). */
    public synchronized int exitStatus() {
        return reason == null ? ExitCodes.INTERRUPTED : reason.exitStatus();
    }

    /** A registration that {@link #onRequest} returns; closing it removes the action. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Registers an action that runs when the request is raised, at once if it already was. */
    public synchronized Registration onRequest(Runnable action) {
        if (reason != null) {
            run(action);
        } else {
            actions.add(action);
        }
        return () -> {
            synchronized (this) {
                actions.remove(action);
            }
        };
    }

    /**
     * Says what stopping waits for at this stage (e.g. "37 cancelled requests to come
     * back"), for the message of a second signal; null when nothing is known.
     */
    public synchronized void waitingFor(Supplier<String> description) {
        this.waitingFor = description;
    }

    /** What stopping waits for now, or a general description. */
    public String describeWait() {
        Supplier<String> description;
        synchronized (this) {
            description = waitingFor;
        }
        String text = description == null ? null : description.get();
        return text == null ? "the run to finish stopping" : text;
    }

    private static void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            System.err.println("echoapp: while stopping: " + Messages.escape(String.valueOf(e.getMessage())));
        }
    }
}
