package org.echodriver.echoapp.cli;

/** The exit statuses of echoapp. */
public final class ExitCodes {
    /** Every request completed and every byte was verified. */
    public static final int SUCCESS = 0;
    /** An I/O request failed or data did not verify (or the embedded host reported a failure, or stdout could not be written). */
    public static final int FAILURE = 1;
    /** The command line was wrong; the reason and a hint were printed. */
    public static final int USAGE = 2;
    /** No device: the interface is absent, the device path cannot be opened, or the embedded host cannot start it. */
    public static final int NO_DEVICE = 3;
    /** SIGHUP (128 + 1): the outstanding I/O was cancelled and drained, as for Ctrl-C. */
    public static final int HANGUP = 129;
    /** Ctrl-C, SIGINT (128 + 2): the outstanding I/O was cancelled and drained. */
    public static final int INTERRUPTED = 130;
    /**
     * The host's verifier found a driver bug and aborted the process, as a bug check halts
     * Windows (SIGABRT, 128 + 6); its "VERIFIER: RULE_ID: ..." line is on stderr. echoapp
     * itself never returns it: the process ends inside the host.
     */
    public static final int VERIFIER_ABORT = 134;
    /** SIGTERM (128 + 15): the outstanding I/O was cancelled and drained, as for Ctrl-C. */
    public static final int TERMINATED = 143;

    private ExitCodes() {
    }
}
