package org.echodriver.echoapp.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostDirectoryTest {
    @Test
    void propertyNamesTheDirectory(@TempDir Path dir) {
        String saved = System.getProperty(HostDirectory.PROPERTY);
        System.setProperty(HostDirectory.PROPERTY, dir.toString());
        try {
            HostDirectory host = HostDirectory.resolve();
            assertEquals(dir.toAbsolutePath(), host.directory());
            assertEquals(dir.resolve(System.mapLibraryName("kmdfhost")).toAbsolutePath(), host.library());
            assertEquals(dir.resolve("drivers").resolve("echo-driversync.so").toAbsolutePath(), host.echoDriver("driversync"));
            HostUnavailableException missing = assertThrows(HostUnavailableException.class, host::requireLibrary);
            assertTrue(missing.getMessage().contains("scripts/build-host"), missing.getMessage());
            assertTrue(missing.getMessage().contains(host.library().toString()), missing.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(HostDirectory.PROPERTY);
            } else {
                System.setProperty(HostDirectory.PROPERTY, saved);
            }
        }
    }

    @Test
    void repositoryIsFoundAboveTheClasses() {
        Path repository = HostDirectory.repositoryOf(HostDirectory.class).orElseThrow();
        assertTrue(repository.resolve("driver").resolve("host").toFile().isDirectory());
        assertTrue(repository.resolve("echoapp").toFile().isDirectory());
    }

    @Test
    void statusesAreNamed() {
        assertEquals("0xC0000034 (STATUS_OBJECT_NAME_NOT_FOUND)", NtStatusText.describe(0xC0000034));
        assertEquals("0x00000000 (STATUS_SUCCESS)", NtStatusText.describe(0));
        assertTrue(NtStatusText.isSuccess(0x00000103));
        assertTrue(!NtStatusText.isSuccess(0x80000005));
    }
}
