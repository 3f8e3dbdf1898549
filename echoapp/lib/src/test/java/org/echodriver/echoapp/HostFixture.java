package org.echodriver.echoapp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;

/**
 * What the end-to-end tests share: the host binaries they run against (from the class path,
 * where the build puts the kmdfhost-native artifact, so their absence is a failure, not a
 * skip) and the host's build directory with its test drivers.
 */
public final class HostFixture {
    /** The interface path of the host's echo device, as Windows spells it. */
    public static final String ECHO_PATH = "\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";
    /** The system property (set by the build) naming the host's build directory. */
    public static final String BUILD_DIR_PROPERTY = "kmdfhost.build.dir";

    private HostFixture() {
    }

    /** The host binaries, checked to hold the library and both echo driver modules. */
    public static HostBinaries requireHost() {
        HostBinaries binaries = HostBinaries.locate();
        String hint = " is missing: these tests run against the KMDF host that the driver/host module builds "
                + "and driver/host/native packages first; host binaries " + binaries;
        assertTrue(Files.isRegularFile(binaries.library()), () -> "the host library " + binaries.library() + hint);
        for (String variant : new String[] {"autosync", "driversync"}) {
            assertTrue(Files.isRegularFile(binaries.echoDriver(variant)),
                    () -> "the driver module " + binaries.echoDriver(variant) + hint);
        }
        return binaries;
    }

    /** A driver module of the host's own tests (drivers/NAME.so in its build directory). */
    public static Path testDriver(String name) {
        String build = System.getProperty(BUILD_DIR_PROPERTY);
        assertTrue(build != null && !build.isBlank(), "the build sets -D" + BUILD_DIR_PROPERTY);
        Path module = Path.of(build, "drivers", name + ".so");
        assertTrue(Files.isRegularFile(module), () -> "the host build provides " + module);
        return module;
    }

    /** Starts the embedded host with a variant of the echo driver and its device. */
    public static EmbeddedHost start(String variant, Integer timerPeriodMs) {
        HostBinaries binaries = requireHost();
        return EmbeddedHost.start(binaries, binaries.echoDriver(variant), timerPeriodMs);
    }
}
