package org.echodriver.echoapp.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HostBinariesTest {
    private static final String BASE = HostBinaries.RESOURCE_ROOT + HostBinaries.platform() + "/";
    private static final String[] FILES = {"libkmdfhost.so", "drivers/echo-autosync.so", "drivers/echo-driversync.so"};

    @Test
    void propertyNamesTheDirectory(@TempDir Path dir) {
        String saved = System.getProperty(HostBinaries.PROPERTY);
        System.setProperty(HostBinaries.PROPERTY, dir.toString());
        try {
            HostBinaries host = HostBinaries.locate();
            assertEquals(dir.toAbsolutePath(), host.directory());
            assertEquals(dir.resolve(System.mapLibraryName("kmdfhost")).toAbsolutePath(), host.library());
            assertEquals(dir.resolve("drivers").resolve("echo-driversync.so").toAbsolutePath(), host.echoDriver("driversync"));
            HostUnavailableException missing = assertThrows(HostUnavailableException.class, host::requireLibrary);
            assertTrue(missing.getMessage().contains("scripts/build-host"), missing.getMessage());
            assertTrue(missing.getMessage().contains(host.library().toString()), missing.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(HostBinaries.PROPERTY);
            } else {
                System.setProperty(HostBinaries.PROPERTY, saved);
            }
        }
    }

    @Test
    void platformIsSpelledAsTheClassifier() {
        String platform = HostBinaries.platform();
        assertTrue(platform.matches("[a-z]+-[a-z0-9_]+"), platform);
        if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertEquals("linux-x86_64", platform);
        }
    }

    @Test
    void aClassPathWithoutTheNativeArtifactSaysWhatIsMissing(@TempDir Path cache) throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            HostUnavailableException e = assertThrows(HostUnavailableException.class,
                    () -> HostBinaries.fromClassPath(empty, cache));
            assertTrue(e.getMessage().contains("kmdfhost-native with classifier " + HostBinaries.platform()), e.getMessage());
        }
    }

    /** A jar of the native artifact's layout, built from the binaries on the test class path, in a directory of its own. */
    private static Path movedJar(Path dir) throws IOException {
        Path jar = dir.resolve("elsewhere").resolve("kmdfhost-native.jar");
        Files.createDirectories(jar.getParent());
        ClassLoader loader = HostBinariesTest.class.getClassLoader();
        List<String> names = new ArrayList<>(List.of(FILES));
        names.add(HostBinaries.INDEX);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : names) {
                try (InputStream in = loader.getResourceAsStream(BASE + name)) {
                    assertTrue(in != null, "the test class path holds " + BASE + name + " (the kmdfhost-native artifact)");
                    out.putNextEntry(new JarEntry(BASE + name));
                    in.transferTo(out);
                }
            }
        }
        return jar;
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aJarThatHasMovedStillFindsItsHost(@TempDir Path dir) throws Exception {
        Path jar = movedJar(dir);
        Path cache = dir.resolve("cache");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            HostBinaries binaries = HostBinaries.fromClassPath(loader, cache);
            assertTrue(binaries.directory().startsWith(cache), binaries.toString());
            for (String name : FILES) {
                try (InputStream in = loader.getResourceAsStream(BASE + name)) {
                    assertArrayEquals(in.readAllBytes(), Files.readAllBytes(binaries.directory().resolve(name)), name);
                }
            }
            assertEquals(binaries.directory().resolve("libkmdfhost.so"), binaries.requireLibrary());
            // A second lookup reuses the complete extraction.
            assertEquals(binaries.directory(), HostBinaries.fromClassPath(loader, cache).directory());
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void concurrentProcessesExtractOnceAndAllSucceed(@TempDir Path dir) throws Exception {
        Path jar = movedJar(dir);
        Path cache = dir.resolve("cache");
        int parallel = 6;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        CountDownLatch start = new CountDownLatch(1);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                Callable<Path> lookup = () -> {
                    start.await();
                    return HostBinaries.fromClassPath(loader, cache).directory();
                };
                results.add(pool.submit(lookup));
            }
            start.countDown();
            Set<Path> directories = new HashSet<>();
            for (Future<Path> result : results) {
                directories.add(result.get(30, TimeUnit.SECONDS));
            }
            assertEquals(1, directories.size(), directories.toString());
            try (var entries = Files.list(cache)) {
                assertEquals(List.of(directories.iterator().next()), entries.toList(), "no staging directory is left behind");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void statusesAreNamed() {
        assertEquals("0xC0000034 (STATUS_OBJECT_NAME_NOT_FOUND)", NtStatusText.describe(0xC0000034));
        assertEquals("0x00000000 (STATUS_SUCCESS)", NtStatusText.describe(0));
        assertTrue(NtStatusText.isSuccess(0x00000103));
        assertTrue(!NtStatusText.isSuccess(0x80000005));
    }
}
