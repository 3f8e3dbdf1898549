package org.echodriver.echoapp.host;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * Locates the build of the user-mode KMDF host: the directory that holds the host library
 * (libkmdfhost.so) and, under drivers/, the driver modules it loads.
 *
 * <p>The system property {@code echoapp.host.dir} wins, then the environment variable
 * {@code ECHOAPP_HOST_DIR}, then {@code driver/host/target/build} of the repository that
 * holds this jar (or this class directory).
 */
public final class HostDirectory {
    /** The system property that names the host directory. */
    public static final String PROPERTY = "echoapp.host.dir";
    /** The environment variable that names the host directory. */
    public static final String ENVIRONMENT = "ECHOAPP_HOST_DIR";
    /** Where the default flavor of the host is built, relative to the repository root. */
    public static final Path REPOSITORY_RELATIVE = Path.of("driver", "host", "target", "build");

    private final Path directory;
    private final String origin;

    private HostDirectory(Path directory, String origin) {
        this.directory = directory.toAbsolutePath().normalize();
        this.origin = origin;
    }

    /** Resolves the host directory from the property, the environment or the repository. */
    public static HostDirectory resolve() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return new HostDirectory(Path.of(property), "system property " + PROPERTY);
        }
        String environment = System.getenv(ENVIRONMENT);
        if (environment != null && !environment.isBlank()) {
            return new HostDirectory(Path.of(environment), "environment variable " + ENVIRONMENT);
        }
        Optional<Path> repository = repositoryOf(HostDirectory.class);
        if (repository.isPresent()) {
            return new HostDirectory(repository.get().resolve(REPOSITORY_RELATIVE), "the repository of " + locationOf(HostDirectory.class).orElse(null));
        }
        return new HostDirectory(REPOSITORY_RELATIVE, "the working directory");
    }

    /** The directory itself. */
    public Path directory() {
        return directory;
    }

    /** The host library in the directory (libkmdfhost.so on Linux). */
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
            throw new HostUnavailableException("the KMDF host library " + library + " does not exist (host directory from "
                    + origin + "); build it with scripts/build-host, or name the host directory with -D" + PROPERTY
                    + "=DIR or " + ENVIRONMENT + "=DIR");
        }
        return library;
    }

    @Override
    public String toString() {
        return directory + " (from " + origin + ")";
    }

    /** The repository root above the jar or class directory of a class: the first parent holding driver/host. */
    static Optional<Path> repositoryOf(Class<?> type) {
        Optional<Path> location = locationOf(type);
        for (Path dir = location.orElse(null); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("driver").resolve("host"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> locationOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
