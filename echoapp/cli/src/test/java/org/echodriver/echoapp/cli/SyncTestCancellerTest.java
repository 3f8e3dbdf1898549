package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.win32.Win32CallException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C during the synchronous test when no call is in flight yet: the test thread has
 * checked for Ctrl-C and is about to call WriteFile. The cancellation must still reach that
 * call instead of leaving it to wait for the driver's timer.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "runs the embedded KMDF host")
@Timeout(60)
class SyncTestCancellerTest {
    /** Longer than the test's time-out: a write that is not cancelled waits this long in the driver. */
    private static final int SLOW_TIMER_MS = 10000;

    @ParameterizedTest
    @ValueSource(strings = {"autosync", "driversync"})
    void aCallThatStartsAfterCtrlCIsCancelled(String variant) {
        try (EmbeddedHost host = CliFixture.start(variant, SLOW_TIMER_MS);
                Device device = Device.open(CliFixture.ECHO_PATH, false)) {
            // The driver's timer fires first after its short due time, then every 10 s: a
            // first write takes that first tick, so the write below waits in the driver
            // until it is cancelled rather than completing at the first tick.
            assertEquals(64, device.write(new byte[64]));
            SyncTest.Canceller canceller = new SyncTest.Canceller(device);
            // Ctrl-C arrives first: nothing is in flight for a CancelIoEx to find.
            canceller.start();
            try {
                Win32CallException e = assertThrows(Win32CallException.class, () -> device.write(new byte[64]));
                assertTrue(e.isAborted(), e::getMessage);
                assertEquals("WriteFile", e.function());
            } finally {
                canceller.stop();
            }
        }
    }
}
