package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.echodriver.echoapp.cli.CliFixture.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The echoapp command end to end against the embedded host, for both driver variants. */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs the embedded KMDF host")
@Timeout(60)
class EchoAppEndToEndTest {
    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void synchronousTestPasses(String variant) {
        Run run = CliFixture.echoapp("--driver", variant);
        assertEquals(ExitCodes.SUCCESS, run.status(), run::toString);
        assertEquals(String.join(System.lineSeparator(),
                "DevicePath: " + CliFixture.ECHO_PATH,
                "Opened device successfully",
                "512 Pattern Bytes Written successfully",
                "512 Pattern Bytes Read successfully",
                "Pattern Verified successfully",
                "30720 Pattern Bytes Written successfully",
                "30720 Pattern Bytes Read successfully",
                "Pattern Verified successfully",
                ""), run.out(), run::toString);
        assertEquals("", run.err(), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void asyncPassesWithTheDataVerified(String variant) {
        Run run = CliFixture.echoapp("-Async", "100", "--driver", variant, "--timer-ms", "2");
        assertEquals(ExitCodes.SUCCESS, run.status(), run::toString);
        assertTrue(run.out().contains("Starting AsyncIo"), run::toString);
        assertTrue(run.out().contains("Number of bytes written by request number 99 is 1024"), run::toString);
        assertTrue(run.out().contains("Writes: 100 completed, 0 cancelled, 0 failed, 102400 bytes"), run::toString);
        assertTrue(run.out().matches("(?s).*Reads: 100 completed \\(\\d+ returned no data\\), 0 cancelled, 0 failed, \\d+ bytes.*"),
                run::toString);
        assertTrue(run.out().contains("AsyncIo completed: every read returned no data or a prefix of what a write sent"),
                run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void listPrintsTheInterfacePath(String variant) {
        Run run = CliFixture.echoapp("--list", "--driver", variant);
        assertEquals(ExitCodes.SUCCESS, run.status(), run::toString);
        assertEquals(CliFixture.ECHO_PATH + System.lineSeparator(), run.out(), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void wrongDevicePathExits3NamingTheCallAndTheError(String variant) {
        String path = "\\\\?\\ROOT#ECHO#0042#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";
        Run run = CliFixture.echoapp("--driver", variant, "--device", path);
        assertEquals(ExitCodes.NO_DEVICE, run.status(), run::toString);
        assertTrue(run.err().startsWith("echoapp: no device: cannot open " + path
                + ": CreateFileW failed: error 2 (ERROR_FILE_NOT_FOUND): The system cannot find the file specified."),
                run::toString);
        assertTrue(run.err().contains("Likely causes"), run::toString);
        assertEquals("DevicePath: " + path + System.lineSeparator(), run.out(), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-Async", "--list"})
    void noDevicePresentExits3(String mode, @TempDir Path dir) throws Exception {
        Path notADriver = Files.writeString(dir.resolve("not-a-driver.so"), "not an ELF module");
        Run run = CliFixture.echoapp(mode, "--driver", notADriver.toString());
        assertEquals(ExitCodes.NO_DEVICE, run.status(), run::toString);
        assertTrue(run.err().contains("no device"), run::toString);
        assertTrue(run.err().contains("KmdfHostLoadDriver failed: status 0x"), run::toString);
        assertEquals("", run.out(), run::toString);
    }

    @Test
    void controlCharactersInADevicePathAreEscaped() {
        String path = "\\\\?\\ROOT#ECHO#0042\n#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";
        String shown = "\\\\?\\ROOT#ECHO#0042\\n#{cdc35b6e-0be4-4936-bf5f-5537380a7c1a}";
        Run run = CliFixture.echoapp("--device", path);
        assertEquals(ExitCodes.NO_DEVICE, run.status(), run::toString);
        assertEquals("DevicePath: " + shown + System.lineSeparator(), run.out(), run::toString);
        assertTrue(run.err().startsWith("echoapp: no device: cannot open " + shown + ": CreateFileW failed: "), run::toString);
        assertEquals(2, run.err().lines().count(), run::toString);
    }

    @Test
    void aFileThatIsNotADriverModuleExits3SayingWhy(@TempDir Path dir) throws Exception {
        Path notADriver = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Run run = CliFixture.echoapp("--list", "--driver", notADriver.toString());
        assertEquals(ExitCodes.NO_DEVICE, run.status(), run::toString);
        assertTrue(run.err().contains("KmdfHostLoadDriver failed: status 0x"), run::toString);
        assertTrue(run.err().contains("The host's loader refused " + notADriver + ": a driver module is an ELF shared object"),
                run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void timerMsThatTheDriverReadsIsSilent(String variant) {
        Run run = CliFixture.echoapp("--list", "--driver", variant, "--timer-ms", "5");
        assertEquals(ExitCodes.SUCCESS, run.status(), run::toString);
        assertEquals("", run.err(), run::toString);
    }

    @Test
    void timerMsThatTheDriverNeverReadsIsReported() {
        // The benchmark's driver, which completes at once and has no timer.
        Path module = CliFixture.instantDriver();
        Run run = CliFixture.echoapp("--list", "--driver", module.toString(), "--timer-ms", "5");
        assertTrue(run.err().startsWith("echoapp: --timer-ms 5 has no effect: the driver did not read TimerPeriodMs "
                + "under the EchoKmdf service's Parameters key" + System.lineSeparator()), run::toString);
        assertEquals(ExitCodes.SUCCESS, run.status(), run::toString);
        assertEquals(CliFixture.ECHO_PATH + System.lineSeparator(), run.out(), run::toString);
    }
}
