package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InterruptTest {
    @Test
    void registeredActionsRunOnceOnRequest() {
        Interrupt interrupt = new Interrupt();
        AtomicInteger runs = new AtomicInteger();
        try (Interrupt.Registration registration = interrupt.onRequest(runs::incrementAndGet)) {
            assertFalse(interrupt.isRequested());
            interrupt.request();
            interrupt.request();
            assertTrue(interrupt.isRequested());
            assertEquals(1, runs.get());
        }
    }

    @Test
    void anActionRegisteredAfterTheRequestRunsAtOnce() {
        Interrupt interrupt = new Interrupt();
        interrupt.request();
        AtomicInteger runs = new AtomicInteger();
        interrupt.onRequest(runs::incrementAndGet).close();
        assertEquals(1, runs.get());
    }

    @Test
    void aRemovedActionDoesNotRun() {
        Interrupt interrupt = new Interrupt();
        AtomicInteger runs = new AtomicInteger();
        interrupt.onRequest(runs::incrementAndGet).close();
        interrupt.request();
        assertEquals(0, runs.get());
    }

    @Test
    void theFirstReasonSetsTheExitStatus() {
        Interrupt interrupt = new Interrupt();
        assertEquals(null, interrupt.reason());
        interrupt.request(Interrupt.Reason.SIGTERM);
        interrupt.request(Interrupt.Reason.CTRL_C);
        assertEquals(Interrupt.Reason.SIGTERM, interrupt.reason());
        assertEquals(143, interrupt.exitStatus());
        Interrupt hangup = new Interrupt();
        hangup.request(Interrupt.Reason.SIGHUP);
        assertEquals(129, hangup.exitStatus());
    }

    @Test
    void aSecondSignalSaysWhatTheStopWaitsForAndAThirdExitsAtOnce() {
        Interrupt interrupt = new Interrupt();
        AtomicInteger cancels = new AtomicInteger();
        interrupt.onRequest(cancels::incrementAndGet);
        interrupt.waitingFor(() -> "37 cancelled requests to come back");
        java.io.StringWriter err = new java.io.StringWriter();
        java.util.List<Integer> halted = new java.util.ArrayList<>();
        EchoApp.SignalHandling handling = new EchoApp.SignalHandling(interrupt, new java.io.PrintWriter(err, true), halted::add);
        handling.onSignal(Interrupt.Reason.SIGTERM);
        assertEquals(1, cancels.get());
        assertEquals("", err.toString());
        handling.onSignal(Interrupt.Reason.CTRL_C);
        assertEquals("echoapp: Ctrl-C again: still stopping, waiting for 37 cancelled requests to come back; "
                + "one more signal exits at once" + System.lineSeparator(), err.toString());
        assertEquals(java.util.List.of(), halted);
        handling.onSignal(Interrupt.Reason.SIGHUP);
        assertEquals(java.util.List.of(143), halted);
        assertTrue(err.toString().endsWith("echoapp: SIGHUP a third time: exiting at once" + System.lineSeparator()));
        assertEquals(1, cancels.get());
    }
}
