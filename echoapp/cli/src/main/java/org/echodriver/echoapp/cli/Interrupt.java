package org.echodriver.echoapp.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A request to stop, raised once by Ctrl-C. Whatever is running registers how to stop it
 * (cancel its I/O). The actions run on the thread that raises the request, under this
 * object's lock, and must not block: they only start cancellations, and the running work
 * waits for those to finish. Removing a registration waits for its action to be over, so
 * an action never runs on a handle that its owner has gone on to close.
 */
public final class Interrupt {
    private final List<Runnable> actions = new ArrayList<>();
    private boolean requested;

    /** Raises the request and runs the registered actions; later calls do nothing. */
    public synchronized void request() {
        if (requested) {
            return;
        }
        requested = true;
        for (Runnable action : actions) {
            run(action);
        }
    }

    /** True once Ctrl-C has been pressed. */
    public synchronized boolean isRequested() {
        return requested;
    }

    /** A registration that {@link #onRequest} returns; closing it removes the action. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Registers an action that runs when the request is raised, at once if it already was. */
    public synchronized Registration onRequest(Runnable action) {
        if (requested) {
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

    private static void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            System.err.println("echoapp: while stopping: " + e.getMessage());
        }
    }
}
