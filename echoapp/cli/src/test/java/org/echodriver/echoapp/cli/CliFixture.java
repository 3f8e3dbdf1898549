package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;
import picocli.CommandLine;

/**
 * What the CLI's end-to-end tests share: the host binaries (from the class path, where the
 * build puts the kmdfhost-native artifact; their absence is a failure, not a skip), the
 * host's build directory with its test drivers, and in-process runs of the echoapp command.
 */
final class CliFixture {
    /** The interface path of the host's echo device, as Windows spells it. */
    static final String ECHO_PATH = "\\\\?\\ROOT#ECHO#0000#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";

    private CliFixture() {
    }

    /** The host binaries, checked to hold the library and both echo driver modules. */
    static HostBinaries requireHost() {
        HostBinaries binaries = HostBinaries.locate();
        String hint = " is missing: these tests run against the KMDF host that the build packages first; host binaries "
                + binaries;
        assertTrue(Files.isRegularFile(binaries.library()), () -> "the host library " + binaries.library() + hint);
        for (String variant : new String[] {"autosync", "driversync"}) {
            assertTrue(Files.isRegularFile(binaries.echoDriver(variant)),
                    () -> "the driver module " + binaries.echoDriver(variant) + hint);
        }
        return binaries;
    }

    /** A driver module of the host's own tests (drivers/NAME.so in its build directory). */
    static Path testDriver(String name) {
        String build = System.getProperty("kmdfhost.build.dir");
        assertTrue(build != null && !build.isBlank(), "the build sets -Dkmdfhost.build.dir");
        Path module = Path.of(build, "drivers", name + ".so");
        assertTrue(Files.isRegularFile(module), () -> "the host build provides " + module);
        return module;
    }

    /**
     * echoapp/bench/native/instant.c built with scripts/build-host-driver (once per test
     * run): a driver with the echo interface that completes at once and reads no parameter.
     */
    static synchronized Path instantDriver() {
        String repo = System.getProperty("echoapp.repo.dir");
        assertTrue(repo != null && !repo.isBlank(), "the build sets -Dechoapp.repo.dir");
        Path out = Path.of(System.getProperty("java.io.tmpdir")).resolve("echoapp-test-instant-" + ProcessHandle.current().pid() + ".so");
        if (!Files.isRegularFile(out)) {
            try {
                Process build = new ProcessBuilder("bash", Path.of(repo, "scripts", "build-host-driver").toString(), "-I",
                        Path.of(repo, "driver").toString(), "-o", out.toString(),
                        Path.of(repo, "echoapp", "bench", "native", "instant.c").toString())
                        .redirectErrorStream(true).start();
                String log = new String(build.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(build.waitFor() == 0, () -> "scripts/build-host-driver failed:\n" + log);
                out.toFile().deleteOnExit();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Starts the embedded host with a variant of the echo driver and its device. */
    static EmbeddedHost start(String variant, Integer timerPeriodMs) {
        HostBinaries binaries = requireHost();
        return EmbeddedHost.start(binaries, binaries.echoDriver(variant), timerPeriodMs);
    }

    /** What an in-process run of echoapp printed and returned. */
    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the echoapp command in this process, as main would but without exiting. */
    static Run echoapp(String... args) {
        requireHost();
        return echoappWithoutHost(args);
    }

    /** Runs the echoapp command in this process without checking for the host first. */
    static Run echoappWithoutHost(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args);
        return new Run(status, out.toString(), err.toString());
    }
}
