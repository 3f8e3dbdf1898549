package org.echodriver.windowschecks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The repository the checks read: its root comes from the system property
 * {@code windowschecks.repository} (set by the module's pom), else the parent of the
 * working directory.
 */
final class Repository {

    private Repository() {
    }

    static Path root() {
        String property = System.getProperty("windowschecks.repository");
        Path root = property != null ? Path.of(property) : Path.of("..");
        return root.toAbsolutePath().normalize();
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String relative) {
        return new String(bytes(relative), StandardCharsets.UTF_8);
    }

    /** The driver's C sources and headers: every .c and .h under driver/ except driver/host/. */
    static List<String> driverSources() {
        Path driver = file("driver");
        try (Stream<Path> walk = Files.walk(driver)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> root().relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith("driver/host/"))
                    .filter(p -> p.endsWith(".c") || p.endsWith(".h"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The variant directories under driver/ (autosync, driversync): those holding a queue.c. */
    static List<String> variantDirectories() {
        return driverSources().stream()
                .filter(p -> p.matches("driver/[^/]+/queue\\.c"))
                .map(p -> p.substring("driver/".length(), p.lastIndexOf('/')))
                .sorted()
                .collect(Collectors.toList());
    }

    private static final Pattern DEFINE = Pattern.compile(
            "^\\s*#\\s*define\\s+(\\w+)\\s+(.+?)\\s*(?://.*|/\\*.*)?$", Pattern.MULTILINE);

    /** The object-like #defines of the driver's own headers (driver/*.h, driver/<variant>/*.h). */
    static Map<String, String> driverDefines() {
        Map<String, String> defines = new TreeMap<>();
        for (String source : driverSources()) {
            if (!source.endsWith(".h")) {
                continue;
            }
            Matcher m = DEFINE.matcher(text(source));
            while (m.find()) {
                defines.putIfAbsent(m.group(1), m.group(2).trim());
            }
        }
        return defines;
    }
}
