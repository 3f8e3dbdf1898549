package org.echodriver.echoapp.host;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The user-mode KMDF host running inside this process, with the echo driver loaded and one
 * root-enumerated device instance: what an installed echo.sys and its device are on Windows.
 *
 * <p>{@link #close} removes the device and unloads the driver, so that the host's verifier
 * checks the driver's whole life cycle, leaks included.
 */
public final class EmbeddedHost implements AutoCloseable {
    /** The driver's service name (the INF's AddService, the host's registry). */
    public static final String SERVICE_NAME = "EchoKmdf";
    /** The device instance that the host's root bus reports. */
    public static final String INSTANCE_ID = "ROOT\\ECHO\\0000";
    /** The REG_DWORD value under the service's Parameters key that sets the timer period. */
    public static final String TIMER_PERIOD_VALUE = "TimerPeriodMs";

    private final KmdfHost host;
    private final long verifierReportsAtStart;
    private final Object lock = new Object();
    private Pointer driver;
    private Pointer node;

    private EmbeddedHost(KmdfHost host, Pointer driver) {
        this.host = host;
        this.driver = driver;
        this.verifierReportsAtStart = host.KmdfHostVerifierReportCount();
    }

    /**
     * Starts the host, loads a driver module, adds and starts the device instance.
     *
     * @param directory where the host library is
     * @param driverModule the driver module (.so) to load
     * @param timerPeriodMs the value of TimerPeriodMs, or null to let the driver use its default
     * @throws HostUnavailableException when a step fails; what was done is undone first
     */
    public static EmbeddedHost start(HostBinaries directory, Path driverModule, Integer timerPeriodMs) {
        EmbeddedHost embedded = loadDriver(directory, driverModule, timerPeriodMs);
        try {
            embedded.addDevice();
            embedded.startDevice();
            return embedded;
        } catch (RuntimeException e) {
            try {
                embedded.close();
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * Starts the host from {@link HostBinaries#locate()} with a variant of the echo driver
     * ("autosync" or "driversync") and adds and starts its device.
     *
     * @param timerPeriodMs the value of TimerPeriodMs, or null for the driver's default
     */
    public static EmbeddedHost startEcho(String variant, Integer timerPeriodMs) {
        HostBinaries binaries = HostBinaries.locate();
        return start(binaries, binaries.echoDriver(variant), timerPeriodMs);
    }

    /** Starts the host and loads the driver (DriverEntry), without any device yet. */
    public static EmbeddedHost loadDriver(HostBinaries directory, Path driverModule, Integer timerPeriodMs) {
        KmdfHost host;
        try {
            host = KmdfHost.load(directory);
        } catch (UnsatisfiedLinkError e) {
            throw new HostUnavailableException("cannot load the KMDF host library " + directory.library() + ": " + e.getMessage(), e);
        }
        check(host.KmdfHostInitialize(), "KmdfHostInitialize", null);
        host.KmdfHostClearServiceParameters(SERVICE_NAME);
        if (timerPeriodMs != null) {
            check(host.KmdfHostSetServiceParameterULong(SERVICE_NAME, TIMER_PERIOD_VALUE, timerPeriodMs),
                    "KmdfHostSetServiceParameterULong", SERVICE_NAME + "\\Parameters\\" + TIMER_PERIOD_VALUE);
        }
        if (!Files.isRegularFile(driverModule)) {
            throw new HostUnavailableException("the driver module " + driverModule + " does not exist");
        }
        PointerByReference driver = new PointerByReference();
        check(host.KmdfHostLoadDriver(driverModule.toAbsolutePath().toString(), SERVICE_NAME, driver), "KmdfHostLoadDriver",
                driverModule.toString());
        return new EmbeddedHost(host, driver.getValue());
    }

    /** Creates the device instance ROOT\ECHO\0000 and calls the driver's AddDevice. */
    public void addDevice() {
        synchronized (lock) {
            if (driver == null || node != null) {
                throw new IllegalStateException("the device can be added once, while the driver is loaded");
            }
            PointerByReference created = new PointerByReference();
            check(host.KmdfHostAddDevice(driver, INSTANCE_ID, created), "KmdfHostAddDevice", INSTANCE_ID);
            node = created.getValue();
        }
    }

    /** IRP_MN_START_DEVICE: the device's interface appears. */
    public void startDevice() {
        synchronized (lock) {
            check(host.KmdfHostStartDevice(requireNode()), "KmdfHostStartDevice", INSTANCE_ID);
        }
    }

    /** IRP_MN_SURPRISE_REMOVAL: the device is gone; I/O on open handles fails from now on. */
    public void surpriseRemove() {
        synchronized (lock) {
            check(host.KmdfHostSurpriseRemoveDevice(requireNode()), "KmdfHostSurpriseRemoveDevice", INSTANCE_ID);
        }
    }

    /**
     * True when the driver has read TimerPeriodMs under its service's Parameters key since
     * it was set (what the host's registry saw); false when it never queried the value, as
     * drivers that fix their timer period in the source do.
     */
    public boolean timerPeriodWasRead() {
        return host.KmdfHostServiceParameterWasRead(SERVICE_NAME, TIMER_PERIOD_VALUE) != 0;
    }

    /** How many verifier reports the host made since this driver was loaded. */
    public long verifierReports() {
        return host.KmdfHostVerifierReportCount() - verifierReportsAtStart;
    }

    /**
     * Removes the device (IRP_MN_REMOVE_DEVICE) and unloads the driver, which checks for
     * leaked pool and framework objects. Idempotent.
     *
     * @throws HostCallException when the host reports a failure; the run has then failed
     */
    @Override
    public void close() {
        synchronized (lock) {
            HostUnavailableException failure = null;
            if (node != null) {
                Pointer removed = node;
                node = null;
                failure = attempt(failure, () -> check(host.KmdfHostRemoveDevice(removed), "KmdfHostRemoveDevice", INSTANCE_ID));
            }
            if (driver != null) {
                Pointer unloaded = driver;
                driver = null;
                failure = attempt(failure, () -> check(host.KmdfHostUnloadDriver(unloaded), "KmdfHostUnloadDriver", SERVICE_NAME));
            }
            long reports = verifierReports();
            if (reports > 0 && failure == null) {
                failure = new HostUnavailableException("the host's verifier made " + reports + " report(s) during the run");
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private Pointer requireNode() {
        if (node == null) {
            throw new IllegalStateException("no device has been added");
        }
        return node;
    }

    private static HostUnavailableException attempt(HostUnavailableException first, Runnable step) {
        try {
            step.run();
            return first;
        } catch (HostUnavailableException e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
            return first;
        }
    }

    private static void check(int status, String function, String detail) {
        if (!NtStatusText.isSuccess(status)) {
            throw new HostCallException(function, status, detail);
        }
    }
}
