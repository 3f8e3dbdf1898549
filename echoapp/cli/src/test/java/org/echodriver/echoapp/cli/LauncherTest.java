package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/echoapp in a checkout that was moved (its host build directory configured for a
 * source directory that no longer exists, as CMake leaves it) and that has no jar yet:
 * three launches at once must all build under the lock, quietly, and all run.
 *
 * <p>It builds a whole copy of the checkout (the C host included: about four minutes on two
 * cores), so `mvn verify` runs it only with {@code -Dechoapp.launcher.test=true}.
 */
@EnabledIfSystemProperty(named = "echoapp.launcher.test", matches = "true",
        disabledReason = "builds a copy of the whole checkout; run with -Dechoapp.launcher.test=true")
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "scripts/echoapp is the Linux launcher")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class LauncherTest {
    private static final int LAUNCHES = 3;

    /** The tracked files of the checkout under test, copied to {@code to}. */
    private static void copyCheckout(Path from, Path to) throws Exception {
        Process list = new ProcessBuilder("git", "-C", from.toString(), "ls-files", "-z").redirectErrorStream(true).start();
        byte[] names = list.getInputStream().readAllBytes();
        assertEquals(0, list.waitFor(), () -> "git ls-files: " + new String(names, StandardCharsets.UTF_8));
        for (String name : new String(names, StandardCharsets.UTF_8).split("\0")) {
            Path source = from.resolve(name);
            if (name.isEmpty() || !Files.isRegularFile(source)) {
                continue;
            }
            Path target = to.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    @Test
    void concurrentLaunchesInAMovedCheckoutAllBuildOnceAndRun(@TempDir Path dir) throws Exception {
        Path repo = Path.of(System.getProperty("echoapp.repo.dir")).toAbsolutePath().normalize();
        Path checkout = dir.resolve("moved");
        copyCheckout(repo, checkout);
        // What CMake leaves in a build directory of the checkout's old place.
        Path build = checkout.resolve("driver/host/target/build");
        Files.createDirectories(build);
        Files.writeString(build.resolve("CMakeCache.txt"),
                "CMAKE_HOME_DIRECTORY:INTERNAL=" + dir.resolve("old-place/driver/host") + "\n");
        Files.writeString(build.resolve("build.ninja"), "# generated for the old place\n");

        List<Process> launches = new ArrayList<>();
        for (int i = 0; i < LAUNCHES; i++) {
            ProcessBuilder builder = new ProcessBuilder("bash", checkout.resolve("scripts/echoapp").toString(), "--list")
                    .redirectOutput(dir.resolve("out" + i).toFile()).redirectError(dir.resolve("err" + i).toFile());
            builder.environment().remove("ECHOAPP_HOST_DIR");
            builder.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
            launches.add(builder.start());
        }
        for (int i = 0; i < LAUNCHES; i++) {
            Process launch = launches.get(i);
            assertTrue(launch.waitFor(15, TimeUnit.MINUTES), "launch " + i + " did not end");
            String out = Files.readString(dir.resolve("out" + i));
            String err = Files.readString(dir.resolve("err" + i));
            String report = "launch " + i + ": status " + launch.exitValue() + "\n--- stdout\n" + out + "--- stderr\n" + err;
            assertEquals(0, launch.exitValue(), report);
            assertEquals(CliFixture.ECHO_PATH + "\n", out, report);
            // Quiet: the build's output went to its log, and stderr is not a terminal.
            assertEquals("", err, report);
        }
        assertTrue(Files.isRegularFile(checkout.resolve("echoapp/target/echoapp-0.1.0-SNAPSHOT.jar")));
    }
}
