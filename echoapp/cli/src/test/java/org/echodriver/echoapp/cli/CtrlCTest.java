package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.echodriver.echoapp.host.HostBinaries;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C, for real: echoapp runs in a child JVM, gets SIGINT in the middle of an endless
 * async run, and must cancel and drain its I/O, stop the host, print its summary and exit
 * with 130 within 2 s, without a verifier report.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "sends SIGINT with kill(1) to a child running the embedded host")
@Timeout(120)
class CtrlCTest {
    /** Collects a stream's lines on its own thread and signals when a given line has appeared. */
    private static final class Collector extends Thread {
        private final InputStream in;
        private final String awaited;
        private final StringBuilder text = new StringBuilder();
        final CountDownLatch seen = new CountDownLatch(1);

        Collector(InputStream in, String awaited) {
            this.in = in;
            this.awaited = awaited;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null;) {
                    synchronized (text) {
                        text.append(line).append('\n');
                    }
                    if (awaited != null && (line.equals(awaited) || (awaited.endsWith("*")
                            && line.startsWith(awaited.substring(0, awaited.length() - 1))))) {
                        seen.countDown();
                    }
                }
            } catch (IOException e) {
                synchronized (text) {
                    text.append("(reading failed: ").append(e).append(")\n");
                }
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }

    /** Starts echoapp in a child JVM with the test class path and the host directory. */
    private static Process echoapp(String... args) throws IOException {
        CliFixture.requireHost();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-D" + HostBinaries.CACHE_PROPERTY + "=" + HostBinaries.cacheRoot(), EchoApp.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    /** echoapp in a child JVM, its stdout and stderr collected; out.seen fires at the line awaited. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final Collector out;
        final Collector err;

        Child(String awaited, String... args) throws IOException {
            process = echoapp(args);
            out = new Collector(process.getInputStream(), awaited);
            err = new Collector(process.getErrorStream(), null);
            out.start();
            err.start();
        }

        /** Sends SIGINT, then waits at most 2 s for the exit, and for the rest of the output. */
        void interruptAndAwaitExit() throws Exception {
            signalAndAwaitExit("INT");
        }

        /** Sends a signal, then waits at most 2 s for the exit, and for the rest of the output. */
        void signalAndAwaitExit(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + signal);
            assertTrue(process.waitFor(2, TimeUnit.SECONDS), () -> "no exit within 2 s of SIGINT" + report());
            out.join(TimeUnit.SECONDS.toMillis(10));
            err.join(TimeUnit.SECONDS.toMillis(10));
        }

        String report() {
            return "\n--- stdout\n" + out.text() + "--- stderr\n" + err.text();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void sigintMidRunCancelsDrainsAndExits130(String variant) throws Exception {
        try (Child child = new Child("AsyncIo running until Ctrl-C", "-Async", "--forever", "--driver", variant)) {
            assertTrue(child.out.seen.await(30, TimeUnit.SECONDS), () -> "the child never reported running" + child.report());
            assertTrue(child.process.isAlive(), () -> "the child ended by itself" + child.report());
            child.interruptAndAwaitExit();
            String report = child.report();
            assertEquals(ExitCodes.INTERRUPTED, child.process.exitValue(), report);
            assertTrue(child.out.text().matches("(?s).*Writes: \\d+ completed, \\d+ cancelled, 0 failed, \\d+ bytes\n.*"), report);
            assertTrue(child.out.text().matches("(?s).*Reads: \\d+ completed \\(\\d+ returned no data\\), \\d+ cancelled, 0 failed, \\d+ bytes\n.*"),
                    report);
            assertTrue(child.out.text().contains("Interrupted by Ctrl-C: outstanding requests cancelled"), report);
            assertFalse(child.err.text().contains("VERIFIER:"), report);
            assertEquals("", child.err.text(), report);
        }
    }

    /**
     * SIGTERM (timeout(1), a service manager) and SIGHUP (a closed terminal) take Ctrl-C's
     * path: cancel, drain, close, summary, device removed and driver unloaded (the verifier
     * checks that life cycle and stays silent), exit 128 + the signal's number. The SIGTERM
     * run is a long bounded one with stdout on a pipe, which shows a progress line every
     * few seconds; the SIGHUP run is --forever.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "HUP"})
    void sigtermAndSighupTakeTheCtrlCPath(String signal) throws Exception {
        boolean term = signal.equals("TERM");
        String awaited = term ? "progress: completed *" : "AsyncIo running until Ctrl-C";
        String[] args = term ? new String[] {"-Async", "999999999", "--timer-ms", "1"} : new String[] {"-Async", "--forever"};
        try (Child child = new Child(awaited, args)) {
            assertTrue(child.out.seen.await(60, TimeUnit.SECONDS), () -> "the child never reported running" + child.report());
            child.signalAndAwaitExit(signal);
            String report = child.report();
            assertEquals(term ? ExitCodes.TERMINATED : ExitCodes.HANGUP, child.process.exitValue(), report);
            assertTrue(child.out.text().matches("(?s).*Writes: \\d+ completed, \\d+ cancelled, 0 failed, \\d+ bytes\n.*"), report);
            assertTrue(child.out.text().contains("Interrupted by SIG" + signal + ": outstanding requests cancelled"), report);
            assertFalse(child.err.text().contains("VERIFIER:"), report);
            assertEquals("", child.err.text(), report);
        }
    }

    @org.junit.jupiter.api.Test
    void aFailedWriteToStdoutExits1WithAMessage() throws Exception {
        CliFixture.requireHost();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-D" + HostBinaries.CACHE_PROPERTY + "=" + HostBinaries.cacheRoot(), EchoApp.class.getName(), "--list")
                .redirectOutput(new java.io.File("/dev/full")).start();
        Collector err = new Collector(process.getErrorStream(), null);
        err.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        err.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(ExitCodes.FAILURE, process.exitValue(), err.text());
        assertEquals("echoapp: cannot write to standard output: No space left on device\n", err.text());
    }

    @org.junit.jupiter.api.Test
    void verboseLogsEachWin32CallOnStderr() throws Exception {
        try (Child child = new Child(null, "--verbose", "--list")) {
            assertTrue(child.process.waitFor(60, TimeUnit.SECONDS), child::report);
            child.out.join(TimeUnit.SECONDS.toMillis(10));
            child.err.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(ExitCodes.SUCCESS, child.process.exitValue(), child.report());
            assertEquals(CliFixture.ECHO_PATH + "\n", child.out.text(), child.report());
            String err = child.err.text();
            assertTrue(err.contains("echoapp: SetupDiGetClassDevsW({CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}, "
                    + "DIGCF_PRESENT | DIGCF_DEVICEINTERFACE) = TRUE\n"), child.report());
            assertTrue(err.contains("echoapp: SetupDiEnumDeviceInterfaces(index 1) = FALSE, error 259 (ERROR_NO_MORE_ITEMS)\n"),
                    child.report());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void sigintDuringTheSynchronousTestExits130(String variant) throws Exception {
        // A 10 s timer period keeps the synchronous write or read waiting in the driver.
        try (Child child = new Child("Opened device successfully", "--driver", variant, "--timer-ms", "10000")) {
            assertTrue(child.out.seen.await(30, TimeUnit.SECONDS), () -> "the child never opened the device" + child.report());
            child.interruptAndAwaitExit();
            String report = child.report();
            assertEquals(ExitCodes.INTERRUPTED, child.process.exitValue(), report);
            assertTrue(child.out.text().matches("(?s).*Interrupted: \\d writes and \\d reads completed, \\d cancelled, .*"), report);
            assertEquals("", child.err.text(), report);
        }
    }

    @org.junit.jupiter.api.Test
    void aVerifierReportFailsTheRun() throws Exception {
        // A driver module of the host's verifier tests that leaks pool at unload: the
        // verifier sees the leak when echoapp unloads the driver on its way out.
        Path leaking = CliFixture.testDriver("verifier-pool_leak");
        assertTrue(java.nio.file.Files.isRegularFile(leaking), "the host build provides " + leaking);
        try (Child child = new Child(null, "--list", "--driver", leaking.toString())) {
            assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
            child.err.join(TimeUnit.SECONDS.toMillis(10));
            int status = child.process.exitValue();
            assertTrue(status != ExitCodes.SUCCESS && status != ExitCodes.NO_DEVICE, "status " + status + "\n" + child.err.text());
            assertTrue(child.err.text().contains("VERIFIER: POOL_LEAK: "), child.err.text());
        }
    }
}
