package org.echodriver.echoapp.cli;

/** The exit statuses of echoapp. */
public final class ExitCodes {
    /** Every request completed and every byte was verified. */
    public static final int SUCCESS = 0;
    /** An I/O request failed or data did not verify (or the embedded host reported a failure). */
    public static final int FAILURE = 1;
    /** The command line was wrong; the usage was printed. */
    public static final int USAGE = 2;
    /** No device: the interface is absent, or the device path cannot be opened. */
    public static final int NO_DEVICE = 3;
    /** Ctrl-C: the outstanding I/O was cancelled and drained. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
