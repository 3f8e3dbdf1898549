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
}
