package org.echodriver.echoapp.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The binaries of the user-mode KMDF host: the host library ({@code libkmdfhost.so}, which
 * also serves as kernel32 and setupapi off Windows) and the echo driver modules
 * ({@code drivers/echo-autosync.so}, {@code drivers/echo-driversync.so}).
 *
 * <p>They come from the class path, as JNA's and sqlite-jdbc's native parts do: the
 * {@code org.echodriver:kmdfhost-native} artifact of this OS and architecture (classifier
 * {@link #platform()}, e.g. {@code linux-x86_64}) holds them under
 * {@code org/echodriver/kmdfhost/native/<platform>/} with an index, {@code files.sha256}
 * (sha256sum's format). They are extracted once into a cache directory named after the
 * index's digest ({@code $XDG_CACHE_HOME/echoapp}, else {@code ~/.cache/echoapp}; the
 * system property {@code kmdfhost.cache.dir} names another), each file checked against its
 * digest; concurrent processes extract into private directories and the first atomic
 * rename wins. A jar that has moved, or one resolved from a Maven repository, so finds its
 * host.
 *
 * <p>For development, the system property {@code echoapp.host.dir} or the environment
 * variable {@code ECHOAPP_HOST_DIR} names a host build directory instead, used as it is.
 */
public final class HostBinaries {
    /** The system property that names a host build directory (development override). */
    public static final String PROPERTY = "echoapp.host.dir";
    /** The environment variable that names a host build directory (development override). */
    public static final String ENVIRONMENT = "ECHOAPP_HOST_DIR";
    /** The system property that names the cache directory for extracted binaries. */
    public static final String CACHE_PROPERTY = "kmdfhost.cache.dir";
    /** Where the native artifact keeps the binaries of each platform on the class path. */
    public static final String RESOURCE_ROOT = "org/echodriver/kmdfhost/native/";
    /** The index of the binaries: one "sha256-in-hex  relative/path" line per file. */
    public static final String INDEX = "files.sha256";

    /** The binaries whose library this process has loaded, which every later binding must use too. */
    private static volatile HostBinaries loaded;

    private final Path directory;
    private final String origin;

    private HostBinaries(Path directory, String origin) {
        this.directory = directory.toAbsolutePath().normalize();
        this.origin = origin;
    }

    /**
     * Finds the host binaries: the development override if one is set, else the class path.
     *
     * @throws HostUnavailableException when the class path has no binaries for this platform,
     *     or they cannot be extracted
     */
    public static HostBinaries locate() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return new HostBinaries(Path.of(property), "system property " + PROPERTY);
        }
        String environment = System.getenv(ENVIRONMENT);
        if (environment != null && !environment.isBlank()) {
            return new HostBinaries(Path.of(environment), "environment variable " + ENVIRONMENT);
        }
        return fromClassPath(HostBinaries.class.getClassLoader(), cacheRoot());
    }

    /**
     * The binaries whose host library this process has loaded already, else
     * {@link #locate()}: one process holds one host, so the Win32 bindings and the control
     * API must bind the same library file.
     */
    public static HostBinaries loadedOrLocate() {
        HostBinaries current = loaded;
        return current != null ? current : locate();
    }

    /** Records that the library of these binaries is loaded (the first one wins). */
    static synchronized void markLoaded(HostBinaries binaries) {
        if (loaded == null) {
            loaded = binaries;
        }
    }

    /** A host build directory used as it is. */
    public static HostBinaries ofDirectory(Path directory) {
        return new HostBinaries(directory, "directory " + directory);
    }

    /**
     * The binaries of {@link #platform()} on a class loader's class path, extracted under
     * {@code cacheRoot} unless an earlier extraction is complete there.
     *
     * @throws HostUnavailableException when the class path has none or they cannot be extracted
     */
    public static HostBinaries fromClassPath(ClassLoader loader, Path cacheRoot) {
        String base = RESOURCE_ROOT + platform() + "/";
        URL index = loader.getResource(base + INDEX);
        if (index == null) {
            throw new HostUnavailableException("the KMDF host for " + platform() + " is not on the class path (the artifact "
                    + "org.echodriver:kmdfhost-native with classifier " + platform() + " holds it; the echoapp jar built on "
                    + "Linux carries it); for development, name a host build with -D" + PROPERTY + "=DIR or "
                    + ENVIRONMENT + "=DIR");
        }
        try {
            byte[] indexBytes;
            try (InputStream in = index.openStream()) {
                indexBytes = in.readAllBytes();
            }
            List<String[]> entries = parseIndex(new String(indexBytes, StandardCharsets.UTF_8));
            String key = HexFormat.of().formatHex(sha256().digest(indexBytes)).substring(0, 16);
            Path target = cacheRoot.resolve("kmdfhost-" + platform() + "-" + key);
            if (!Files.isRegularFile(target.resolve(COMPLETE))) {
                extract(loader, base, entries, cacheRoot, target);
            }
            return new HostBinaries(target, "the class path (" + index + "), extracted to " + target);
        } catch (IOException e) {
            throw new HostUnavailableException("cannot extract the KMDF host binaries from the class path into " + cacheRoot
                    + ": " + e, e);
        }
    }

    /** The file that marks an extraction as complete; it is written last, before the rename. */
    private static final String COMPLETE = ".complete";

    private static void extract(ClassLoader loader, String base, List<String[]> entries, Path cacheRoot, Path target)
            throws IOException {
        Files.createDirectories(cacheRoot);
        Path staging = Files.createTempDirectory(cacheRoot, ".extract-");
        try {
            for (String[] entry : entries) {
                String digest = entry[0];
                String name = entry[1];
                Path file = staging.resolve(name).normalize();
                if (!file.startsWith(staging)) {
                    throw new IOException("the index names a file outside its directory: " + name);
                }
                Files.createDirectories(file.getParent());
                MessageDigest sha = sha256();
                try (InputStream resource = loader.getResourceAsStream(base + name)) {
                    if (resource == null) {
                        throw new IOException("the index names " + name + ", which the class path does not hold");
                    }
                    try (DigestInputStream in = new DigestInputStream(resource, sha);
                            OutputStream out = Files.newOutputStream(file)) {
                        in.transferTo(out);
                    }
                }
                String actual = HexFormat.of().formatHex(sha.digest());
                if (!actual.equals(digest)) {
                    throw new IOException(name + " on the class path does not match its digest in " + INDEX);
                }
            }
            Files.createFile(staging.resolve(COMPLETE));
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (IOException e) {
                // Another process completed the same extraction first (rename(2) onto a
                // non-empty directory fails with ENOTEMPTY); its copy is identical.
                if (!Files.isRegularFile(target.resolve(COMPLETE))) {
                    throw e;
                }
            }
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    private static List<String[]> parseIndex(String text) throws IOException {
        List<String[]> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space != 64) {
                throw new IOException("malformed line in " + INDEX + ": " + line);
            }
            String name = line.substring(space).strip();
            if (name.startsWith("*")) {
                name = name.substring(1);
            }
            entries.add(new String[] {line.substring(0, space), name});
        }
        return entries;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Best effort: a staging directory left behind is never used.
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The cache directory: {@code kmdfhost.cache.dir}, else $XDG_CACHE_HOME/echoapp, else ~/.cache/echoapp. */
    public static Path cacheRoot() {
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "echoapp");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "echoapp");
    }

    /**
     * This JVM's platform as the native artifact's classifier spells it: {@code linux-x86_64},
     * {@code linux-aarch64}, ...
     */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.startsWith("windows") ? "windows"
                : os.startsWith("mac") ? "osx" : os.replaceAll("[^a-z0-9]", "");
        String archName = switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch.replaceAll("[^a-z0-9_]", "");
        };
        return osName + "-" + archName;
    }

    /** The directory that holds the host library and drivers/. */
    public Path directory() {
        return directory;
    }

    /** Where the binaries came from, for messages. */
    public String origin() {
        return origin;
    }

    /** The host library (libkmdfhost.so on Linux). */
    public Path library() {
        return directory.resolve(System.mapLibraryName("kmdfhost"));
    }

    /** The driver module of a variant of the echo driver ("autosync", "driversync"). */
    public Path echoDriver(String variant) {
        return directory.resolve("drivers").resolve("echo-" + variant + ".so");
    }

    /**
     * The host library, checked to exist.
     *
     * @throws HostUnavailableException when the library is not there
     */
    public Path requireLibrary() {
        Path library = library();
        if (!Files.isRegularFile(library)) {
            throw new HostUnavailableException("the KMDF host library " + library + " does not exist (host binaries from "
                    + origin + "); build it with scripts/build-host, or leave " + PROPERTY + " and " + ENVIRONMENT
                    + " unset to use the kmdfhost-native artifact on the class path");
        }
        return library;
    }

    @Override
    public String toString() {
        return directory + " (from " + origin + ")";
    }
}
