package org.echodriver.echoapp.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipFile;

/**
 * The runnable jar's entry point. {@code echoapp --help} whose output is not a terminal
 * prints the help that the build rendered with picocli at its default width of 80 columns
 * ({@link HelpText}), byte for byte what picocli would print then, without building the
 * command model; every other command line goes to {@link EchoApp#main}. Building the model
 * and laying out the help costs a start about twice the CPU of a bare JVM.
 */
public final class Launcher {
    private Launcher() {
    }

    /** Runs echoapp. */
    public static void main(String[] args) {
        if (isPlainHelpRequest(args, System.console() != null, System.getenv(), System.getProperties())) {
            String help = prerenderedHelp();
            if (help != null) {
                System.exit(print(help, new FileOutputStream(FileDescriptor.out)));
            }
        }
        EchoApp.main(args);
    }

    /**
     * True when picocli would print the help in plain text at 80 columns: the command line
     * is {@code -h} or {@code --help} alone, standard output is not a terminal (so picocli's
     * automatic width and its ANSI styles are both off), no {@code picocli.*} system
     * property changes its layout or styles, CLICOLOR_FORCE does not force ANSI styles, and
     * the platform is not Windows (where picocli may find a pseudo-terminal or Jansi).
     */
    static boolean isPlainHelpRequest(String[] args, boolean terminal, Map<String, String> environment,
            Properties properties) {
        if (args.length != 1 || !("-h".equals(args[0]) || "--help".equals(args[0])) || terminal) {
            return false;
        }
        String force = environment.get("CLICOLOR_FORCE");
        if (force != null && !"0".equals(force)) {
            return false;
        }
        if (properties.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
            return false;
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith("picocli.")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The help the build rendered, with this platform's line separator, or null when this
     * class was not loaded from a build that has it (the caller then renders it).
     * Read through the jar (or class directory) this class came from rather than a
     * resource URL, which would load a dozen JDK classes a start otherwise does without.
     */
    static String prerenderedHelp() {
        try {
            Path location = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            byte[] bytes;
            if (Files.isDirectory(location)) {
                Path file = location.resolve(HelpText.RESOURCE);
                if (!Files.isRegularFile(file)) {
                    return null;
                }
                bytes = Files.readAllBytes(file);
            } else {
                try (ZipFile jar = new ZipFile(location.toFile())) {
                    var entry = jar.getEntry(HelpText.RESOURCE);
                    if (entry == null) {
                        return null;
                    }
                    try (InputStream in = jar.getInputStream(entry)) {
                        bytes = in.readAllBytes();
                    }
                }
            }
            return new String(bytes, StandardCharsets.UTF_8).replace("\n", System.lineSeparator());
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Writes the help as picocli's writer would (the platform's charset); a failed write
     * (a full disk, a closed pipe) exits 1 with the same message as any other run.
     */
    static int print(String help, OutputStream out) {
        try {
            out.write(help.getBytes(Charset.defaultCharset()));
            out.flush();
            return ExitCodes.SUCCESS;
        } catch (IOException e) {
            System.err.println("echoapp: cannot write to standard output: " + Messages.escape(e.getMessage()));
            return ExitCodes.FAILURE;
        }
    }
}
