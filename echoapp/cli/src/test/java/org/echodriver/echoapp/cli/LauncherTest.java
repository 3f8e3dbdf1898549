package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/echoapp started several times at once when its jar is stale: one build runs, under
 * the launcher's lock, quietly, and every launch then runs.
 *
 * <p>{@link #concurrentLaunchesAfterASourceChangeBuildOnceAndAllRun} (part of every `mvn
 * verify`) changes a Java source of the CLI in a copy of the checkout whose jar is otherwise
 * current, so that the launchers' Maven build compiles and shades the Java modules; the
 * copy takes the host from this build's host directory (ECHOAPP_HOST_DIR) and builds its Java
 * modules only, which keeps it to a minute or so of CPU. {@link #concurrentLaunchesInAMovedCheckoutAllBuildOnceAndRun}
 * builds a whole moved copy, the C host included (about four minutes on two cores), so it
 * runs only with {@code -Dechoapp.launcher.test=true}.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "scripts/echoapp is the Linux launcher")
class LauncherTest {
    private static final String VERSION_SOURCE = "echoapp/cli/src/main/java/org/echodriver/echoapp/cli/VersionProvider.java";
    private static final String VERSION_EXPRESSION = "\"echoapp \" + properties.getProperty(\"version\", \"unknown\")";
    private static final String CHANGE_MARK = " (changed source)";

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

    private static Path repo() {
        return Path.of(System.getProperty("echoapp.repo.dir")).toAbsolutePath().normalize();
    }

    /**
     * An `mvn` first on the PATH that records each call in {@code calls}, then runs the real
     * one: how many builds the launches started.
     */
    private static Path countingMaven(Path dir, Path calls) throws Exception {
        Path real = null;
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "mvn");
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                real = candidate.toAbsolutePath();
                break;
            }
        }
        assertTrue(real != null, "mvn is on the PATH");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\necho \"$$ $*\" >> '" + calls + "'\nexec '" + real + "' \"$@\"\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private record Run(int status, String out, String err) {
        String report(String what) {
            return what + ": status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Starts {@code count} runs of scripts/echoapp with {@code args} at once and waits for them all. */
    private static List<Run> launch(Path checkout, Path dir, String name, int count, Map<String, String> env, String... args)
            throws Exception {
        List<Process> launches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> command = new ArrayList<>(List.of("bash", checkout.resolve("scripts/echoapp").toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(dir.resolve(name + i + ".out").toFile()).redirectError(dir.resolve(name + i + ".err").toFile());
            // The Maven that runs this test exports these for itself; the launcher's own Maven
            // must find its project from the copy.
            builder.environment().remove("MAVEN_PROJECTBASEDIR");
            builder.environment().remove("MAVEN_CMD_LINE_ARGS");
            builder.environment().remove("ECHOAPP_HOST_DIR");
            builder.environment().putAll(env);
            launches.add(builder.start());
        }
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Process launch = launches.get(i);
            assertTrue(launch.waitFor(15, TimeUnit.MINUTES), name + " " + i + " did not end");
            runs.add(new Run(launch.exitValue(), Files.readString(dir.resolve(name + i + ".out")),
                    Files.readString(dir.resolve(name + i + ".err"))));
        }
        return runs;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void concurrentLaunchesAfterASourceChangeBuildOnceAndAllRun(@TempDir Path dir) throws Exception {
        int launches = 4;
        Path checkout = dir.resolve("checkout");
        copyCheckout(repo(), checkout);
        // The copy as a checkout with a current jar: its sources older than the jar...
        FileTime sources = FileTime.from(Instant.now().minus(10, ChronoUnit.MINUTES));
        try (Stream<Path> files = Files.walk(checkout)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Files.setLastModifiedTime(file, sources);
            }
        }
        // (`mvn verify` has made the runnable jar by now; a plain `mvn test` has not, and then
        // the copy has none, which makes it just as stale)...
        Path builtJar = Path.of(System.getProperty("echoapp.jar"));
        if (Files.isRegularFile(builtJar)) {
            Path jar = checkout.resolve("echoapp/target").resolve(builtJar.getFileName());
            Files.createDirectories(jar.getParent());
            Files.copy(builtJar, jar);
            Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minus(5, ChronoUnit.MINUTES)));
        }
        // ...and then one changed, which makes the jar stale: --version shows the change.
        Path versionSource = checkout.resolve(VERSION_SOURCE);
        String source = Files.readString(versionSource);
        assertTrue(source.contains(VERSION_EXPRESSION), () -> VERSION_SOURCE + " still builds its first line from "
                + VERSION_EXPRESSION + " (update this test if it changed)");
        Files.writeString(versionSource, source.replace(VERSION_EXPRESSION, VERSION_EXPRESSION + " + \"" + CHANGE_MARK + "\""));
        // The Java modules only (not offline: on a fresh machine the shade plugin, which this
        // module's package phase uses after its tests, is not yet in the local repository);
        // the host is this build's, through ECHOAPP_HOST_DIR.
        Path config = checkout.resolve(".mvn/maven.config");
        Files.writeString(config, Files.readString(config) + "\n-Dkmdfhost.skip=true\n");
        String hostDir = System.getProperty("kmdfhost.build.dir");
        assertTrue(hostDir != null && Files.isRegularFile(Path.of(hostDir, "libkmdfhost.so")),
                () -> "the host build " + hostDir + " holds libkmdfhost.so");
        Path calls = dir.resolve("mvn-calls");
        Files.createFile(calls);
        Map<String, String> env = Map.of(
                "PATH", countingMaven(dir, calls) + File.pathSeparator + System.getenv().getOrDefault("PATH", ""),
                "ECHOAPP_HOST_DIR", hostDir,
                "XDG_CACHE_HOME", dir.resolve("cache").toString());

        List<Run> runs = launch(checkout, dir, "list", launches, env, "--list");
        String builds = Files.readString(calls);
        for (int i = 0; i < launches; i++) {
            Run run = runs.get(i);
            String report = run.report("launch " + i) + "\n--- Maven runs\n" + builds;
            assertEquals(0, run.status(), report);
            assertEquals(CliFixture.ECHO_PATH + "\n", run.out(), report);
            // Quiet: the build's output went to its log, and stderr is not a terminal.
            assertEquals("", run.err(), report);
        }
        assertEquals(1, builds.lines().count(), () -> "one build for " + launches + " launches; Maven runs:\n" + builds);

        // The jar that all of them ran is the one built from the changed source.
        Run version = launch(checkout, dir, "version", 1, env, "--version").get(0);
        assertEquals(0, version.status(), version.report("--version"));
        assertTrue(version.out().lines().findFirst().orElse("").endsWith(CHANGE_MARK), version.report("--version"));
        assertEquals(1, Files.readString(calls).lines().count(), "a current jar is not built again");
    }

    @Test
    @EnabledIfSystemProperty(named = "echoapp.launcher.test", matches = "true",
            disabledReason = "builds a copy of the whole checkout; run with -Dechoapp.launcher.test=true")
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void concurrentLaunchesInAMovedCheckoutAllBuildOnceAndRun(@TempDir Path dir) throws Exception {
        int launches = 3;
        Path checkout = dir.resolve("moved");
        copyCheckout(repo(), checkout);
        // What CMake leaves in a build directory of the checkout's old place.
        Path build = checkout.resolve("driver/host/target/build");
        Files.createDirectories(build);
        Files.writeString(build.resolve("CMakeCache.txt"),
                "CMAKE_HOME_DIRECTORY:INTERNAL=" + dir.resolve("old-place/driver/host") + "\n");
        Files.writeString(build.resolve("build.ninja"), "# generated for the old place\n");

        List<Run> runs = launch(checkout, dir, "launch", launches, Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString()),
                "--list");
        for (int i = 0; i < launches; i++) {
            Run run = runs.get(i);
            String report = run.report("launch " + i);
            assertEquals(0, run.status(), report);
            assertEquals(CliFixture.ECHO_PATH + "\n", run.out(), report);
            // Quiet: the build's output went to its log, and stderr is not a terminal.
            assertEquals("", run.err(), report);
        }
        assertTrue(Files.isRegularFile(checkout.resolve("echoapp/target/echoapp-0.1.0-SNAPSHOT.jar")));
    }
}
