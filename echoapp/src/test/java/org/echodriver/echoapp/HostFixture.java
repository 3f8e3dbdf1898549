package org.echodriver.echoapp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import org.echodriver.echoapp.cli.EchoApp;
import org.echodriver.echoapp.cli.Interrupt;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostDirectory;
import picocli.CommandLine;

/**
 * What the end-to-end tests share: the host build they run against (which must be there:
 * the build makes it before these tests run, so its absence is a failure, not a skip), and
 * in-process runs of the echoapp command.
 */
public final class HostFixture {
    /** The interface path of the host's echo device, as Windows spells it. */
    public static final String ECHO_PATH = "\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";

    private HostFixture() {
    }

    /** The host directory, checked to hold the library and both echo driver modules. */
    public static HostDirectory requireHost() {
        HostDirectory directory = HostDirectory.resolve();
        String hint = " is missing: these tests run against the KMDF host that the driver/host module (or "
                + "scripts/build-host) builds first; host directory " + directory;
        assertTrue(Files.isRegularFile(directory.library()), () -> "the host library " + directory.library() + hint);
        for (String variant : new String[] {"autosync", "driversync"}) {
            assertTrue(Files.isRegularFile(directory.echoDriver(variant)),
                    () -> "the driver module " + directory.echoDriver(variant) + hint);
        }
        return directory;
    }

    /** Starts the embedded host with a variant of the echo driver and its device. */
    public static EmbeddedHost start(String variant, Integer timerPeriodMs) {
        HostDirectory directory = requireHost();
        return EmbeddedHost.start(directory, directory.echoDriver(variant), timerPeriodMs);
    }

    /** What an in-process run of echoapp printed and returned. */
    public record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the echoapp command in this process, as main would but without exiting. */
    public static Run echoapp(String... args) {
        requireHost();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args);
        return new Run(status, out.toString(), err.toString());
    }
}
