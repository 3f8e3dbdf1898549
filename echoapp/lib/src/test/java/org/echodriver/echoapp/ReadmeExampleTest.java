package org.echodriver.echoapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.echodriver.echoapp.host.HostBinaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The library example of echoapp/README.md, compiled as it is written and run against the embedded host. */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the example starts the embedded KMDF host")
@Timeout(120)
class ReadmeExampleTest {
    /** The first ```java block of the README. */
    static String example() throws IOException {
        String readme = System.getProperty("echoapp.readme");
        assertTrue(readme != null, "the build sets -Dechoapp.readme");
        String text = Files.readString(Path.of(readme));
        int start = text.indexOf("```java\n");
        assertTrue(start >= 0, "the README has a ```java block");
        start += "```java\n".length();
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    @Test
    void theReadmeExampleCompilesAndEchoes(@TempDir Path dir) throws Exception {
        HostFixture.requireHost();
        String source = example();
        assertTrue(source.lines().count() <= 25, "a short example");
        Path file = dir.resolve("EchoExample.java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString());
        assertEquals(0, compiled, diagnostics::toString);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", dir + File.pathSeparator
                + System.getProperty("java.class.path"), "-D" + HostBinaries.CACHE_PROPERTY + "=" + HostBinaries.cacheRoot(),
                "EchoExample")).redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertEquals("11 written, 11 read: hello, echo" + System.lineSeparator(), output);
    }
}
