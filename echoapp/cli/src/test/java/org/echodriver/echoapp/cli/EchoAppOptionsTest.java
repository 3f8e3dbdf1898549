package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Option parsing and usage errors: no host and no device involved. */
@Timeout(30)
class EchoAppOptionsTest {
    private static ParseResult parse(String... args) {
        return EchoApp.commandLine(new Interrupt()).parseArgs(args);
    }

    @Test
    void defaultIsTheSynchronousTest() {
        ParseResult result = parse();
        assertFalse(result.hasMatchedOption("-Async"));
        assertFalse(result.hasMatchedOption("--forever"));
        assertEquals("autosync", result.matchedOptionValue("--driver", "autosync"));
    }

    @Test
    void asyncTakesAnOptionalCountDefaulting100() {
        assertEquals(100L, (Long) parse("-Async").matchedOptionValue("-Async", null));
        assertEquals(5L, (Long) parse("-Async", "5").matchedOptionValue("-Async", null));
        assertEquals(7L, (Long) parse("--async", "7").matchedOptionValue("-Async", null));
        assertEquals(9L, (Long) parse("--async=9").matchedOptionValue("-Async", null));
        ParseResult forever = parse("-Async", "--forever");
        assertEquals(100L, (Long) forever.matchedOptionValue("-Async", null));
        assertTrue(forever.hasMatchedOption("--forever"));
    }

    @Test
    void deviceDriverAndTimerAreTaken() {
        ParseResult result = parse("--device", "\\\\?\\X", "--driver", "driversync", "--timer-ms", "2");
        assertEquals("\\\\?\\X", result.matchedOptionValue("--device", null));
        assertEquals("driversync", result.matchedOptionValue("--driver", null));
        assertEquals(2, (Integer) result.matchedOptionValue("--timer-ms", null));
        assertNull(parse().matchedOptionValue("--timer-ms", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "-Async x", "-Async 0", "--forever", "--timer-ms 0", "--timer-ms 10001",
        "--timer-ms", "--driver nosuch", "--list -Async", "--list --device x", "extra"})
    void badOptionsExit2WithUsageOnStderr(String args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args.split(" "));
        assertEquals(ExitCodes.USAGE, status, err.toString());
        assertTrue(err.toString().contains("Usage: echoapp"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void helpAndVersionExit0() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        assertEquals(0, commandLine.execute("--help"));
        assertTrue(out.toString().contains("-Async, --async"), out.toString());
        assertTrue(out.toString().contains("130"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, commandLine.execute("--version"));
        assertTrue(out.toString().startsWith("echoapp "), out.toString());
    }
}
