package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The help the build renders into the jar, and when the launcher prints it instead of picocli. */
class HelpTextTest {
    private static Properties linux(String... keyValues) {
        Properties properties = new Properties();
        properties.setProperty("os.name", "Linux");
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void theBuildsHelpIsWhatPicocliRendersNow() {
        String prerendered = Launcher.prerenderedHelp();
        assertNotNull(prerendered, "the build put no " + HelpText.RESOURCE + " in the class directory");
        assertEquals(HelpText.render().replace("\n", System.lineSeparator()), prerendered);
    }

    @Test
    void onlyAPlainHelpRequestTakesThePrerenderedText() {
        Map<String, String> none = Map.of();
        assertTrue(Launcher.isPlainHelpRequest(new String[] {"--help"}, false, none, linux()));
        assertTrue(Launcher.isPlainHelpRequest(new String[] {"-h"}, false, none, linux()));
        assertTrue(Launcher.isPlainHelpRequest(new String[] {"-h"}, false, Map.of("CLICOLOR_FORCE", "0"), linux()));
        // On a terminal picocli sizes the help to it and may style it.
        assertFalse(Launcher.isPlainHelpRequest(new String[] {"--help"}, true, none, linux()));
        assertFalse(Launcher.isPlainHelpRequest(new String[] {"--help", "--list"}, false, none, linux()));
        assertFalse(Launcher.isPlainHelpRequest(new String[] {"--version"}, false, none, linux()));
        assertFalse(Launcher.isPlainHelpRequest(new String[] {}, false, none, linux()));
        // picocli's own switches for width and styles.
        assertFalse(Launcher.isPlainHelpRequest(new String[] {"--help"}, false, none, linux("picocli.usage.width", "120")));
        assertFalse(Launcher.isPlainHelpRequest(new String[] {"--help"}, false, none, linux("picocli.ansi", "true")));
        assertFalse(Launcher.isPlainHelpRequest(new String[] {"--help"}, false, Map.of("CLICOLOR_FORCE", "1"), linux()));
        Properties windows = new Properties();
        windows.setProperty("os.name", "Windows 11");
        assertFalse(Launcher.isPlainHelpRequest(new String[] {"--help"}, false, none, windows));
    }

    @Test
    void aFailedWriteExits1() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        assertEquals(ExitCodes.FAILURE, Launcher.print("Usage: echoapp\n", full));
    }

    private static Result run(String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), mainClass + " did not exit");
        return new Result(process.exitValue(), out);
    }

    private record Result(int status, byte[] out) {
    }

    /** The jar's entry point and picocli's own --help print the same bytes and exit 0 (output to a pipe). */
    @Test
    void launcherPrintsExactlyWhatPicocliPrints() throws Exception {
        Result launcher = run("org.echodriver.echoapp.cli.Launcher", "--help");
        Result picocli = run("org.echodriver.echoapp.cli.EchoApp", "--help");
        assertEquals(0, picocli.status());
        assertEquals(0, launcher.status());
        assertTrue(new String(picocli.out()).startsWith("Usage: echoapp"), new String(picocli.out()));
        assertArrayEquals(picocli.out(), launcher.out());
        // Everything else goes through picocli as before.
        Result version = run("org.echodriver.echoapp.cli.Launcher", "--version");
        assertEquals(0, version.status());
        assertTrue(new String(version.out()).startsWith("echoapp "), new String(version.out()));
    }
}
