package org.echodriver.echoapp.host;

/** A call of the KMDF host's control API returned a failure NTSTATUS. */
public class HostCallException extends HostUnavailableException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int status;

    public HostCallException(String function, int status, String detail) {
        super(function + " failed: status " + NtStatusText.describe(status) + (detail == null ? "" : " (" + detail + ")"));
        this.function = function;
        this.status = status;
    }

    /** The host function that failed, e.g. "KmdfHostLoadDriver". */
    public String function() {
        return function;
    }

    /** The NTSTATUS it returned. */
    public int status() {
        return status;
    }
}
