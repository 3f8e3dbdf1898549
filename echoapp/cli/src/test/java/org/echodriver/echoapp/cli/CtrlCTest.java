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
                    if (line.equals(awaited)) {
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
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -INT");
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
