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
import org.echodriver.echoapp.HostFixture;
import org.echodriver.echoapp.host.HostDirectory;
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
        HostDirectory host = HostFixture.requireHost();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-D" + HostDirectory.PROPERTY + "=" + host.directory(), EchoApp.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    private static void interrupt(Process child) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -INT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void sigintMidRunCancelsDrainsAndExits130(String variant) throws Exception {
        Process child = echoapp("-Async", "--forever", "--driver", variant);
        Collector out = new Collector(child.getInputStream(), "AsyncIo running until Ctrl-C");
        Collector err = new Collector(child.getErrorStream(), null);
        out.start();
        err.start();
        try {
            assertTrue(out.seen.await(30, TimeUnit.SECONDS), () -> "the child never reported running\n" + out.text() + err.text());
            assertTrue(child.isAlive(), () -> "the child ended by itself\n" + out.text() + err.text());
            interrupt(child);
            assertTrue(child.waitFor(2, TimeUnit.SECONDS), () -> "no exit within 2 s of SIGINT\n" + out.text() + err.text());
            out.join(TimeUnit.SECONDS.toMillis(10));
            err.join(TimeUnit.SECONDS.toMillis(10));
            String report = "\n--- stdout\n" + out.text() + "--- stderr\n" + err.text();
            assertEquals(ExitCodes.INTERRUPTED, child.exitValue(), report);
            assertTrue(out.text().matches("(?s).*Writes: \\d+ completed, \\d+ cancelled, 0 failed, \\d+ bytes\n.*"), report);
            assertTrue(out.text().matches("(?s).*Reads: \\d+ completed \\(\\d+ returned no data\\), \\d+ cancelled, 0 failed, \\d+ bytes\n.*"),
                    report);
            assertTrue(out.text().contains("Interrupted by Ctrl-C: outstanding requests cancelled"), report);
            assertFalse(err.text().contains("VERIFIER:"), report);
            assertEquals("", err.text(), report);
        } finally {
            child.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void sigintDuringTheSynchronousTestExits130(String variant) throws Exception {
        // A 10 s timer period keeps the synchronous write or read waiting in the driver.
        Process child = echoapp("--driver", variant, "--timer-ms", "10000");
        Collector out = new Collector(child.getInputStream(), "Opened device successfully");
        Collector err = new Collector(child.getErrorStream(), null);
        out.start();
        err.start();
        try {
            assertTrue(out.seen.await(30, TimeUnit.SECONDS), () -> "the child never opened the device\n" + out.text() + err.text());
            interrupt(child);
            assertTrue(child.waitFor(2, TimeUnit.SECONDS), () -> "no exit within 2 s of SIGINT\n" + out.text() + err.text());
            out.join(TimeUnit.SECONDS.toMillis(10));
            err.join(TimeUnit.SECONDS.toMillis(10));
            String report = "\n--- stdout\n" + out.text() + "--- stderr\n" + err.text();
            assertEquals(ExitCodes.INTERRUPTED, child.exitValue(), report);
            assertTrue(out.text().matches("(?s).*Interrupted: \\d writes and \\d reads completed, \\d cancelled, .*"), report);
            assertEquals("", err.text(), report);
        } finally {
            child.destroyForcibly();
        }
    }

    @org.junit.jupiter.api.Test
    void aVerifierReportFailsTheRun() throws Exception {
        // A driver module of the host's verifier tests that leaks pool at unload: the
        // verifier sees the leak when echoapp unloads the driver on its way out.
        Path leaking = HostFixture.requireHost().directory().resolve("drivers").resolve("verifier-pool_leak.so");
        assertTrue(java.nio.file.Files.isRegularFile(leaking), "the host build provides " + leaking);
        Process child = echoapp("--list", "--driver", leaking.toString());
        Collector out = new Collector(child.getInputStream(), null);
        Collector err = new Collector(child.getErrorStream(), null);
        out.start();
        err.start();
        try {
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            err.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(child.exitValue() != ExitCodes.SUCCESS && child.exitValue() != ExitCodes.NO_DEVICE,
                    "status " + child.exitValue() + "\n" + err.text());
            assertTrue(err.text().contains("VERIFIER: POOL_LEAK: "), err.text());
        } finally {
            child.destroyForcibly();
        }
    }
}
