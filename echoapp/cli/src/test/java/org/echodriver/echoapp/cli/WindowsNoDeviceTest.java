package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.echodriver.echoapp.cli.CliFixture.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * On Windows without the echo driver installed (a CI runner), --list searches the real
 * SetupAPI, finds no interface and says so: exit 3 and the no-device diagnostics.
 */
@EnabledOnOs(value = OS.WINDOWS, disabledReason = "searches the real SetupAPI; the host tests cover Linux")
@Timeout(60)
class WindowsNoDeviceTest {
    @Test
    void listWithoutTheDriverExits3WithTheDiagnostics() {
        Run run = CliFixture.echoappWithoutHost("--list");
        assertEquals(ExitCodes.NO_DEVICE, run.status(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertTrue(run.err().startsWith("echoapp: no device: no interface of class {CDC35B6E-0BE4-4936-BF5F-5537380A7C1A} "
                + "is present (SetupDiEnumDeviceInterfaces found none)."), run::toString);
        assertTrue(run.err().contains("Likely causes: the echo driver is not installed"), run::toString);
    }
}
