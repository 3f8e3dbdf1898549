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
    void badOptionsExit2WithOneLineAndAHint(String args) {
        String[] err = usageError(args.split(" "));
        assertTrue(err[0].startsWith("echoapp: "), err[0]);
    }

    /** Runs a bad command line; checks exit 2, nothing on stdout, and stderr = one line + picocli's hint. */
    private static String[] usageError(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args);
        assertEquals(ExitCodes.USAGE, status, err.toString());
        assertEquals("", out.toString());
        String[] lines = err.toString().split("\\R");
        assertEquals(2, lines.length, err.toString());
        assertEquals("Try 'echoapp --help' for more information.", lines[1]);
        return lines;
    }

    @Test
    void optionNamesAreThoseTheUserTyped() {
        assertEquals("echoapp: Invalid value for option '-Async': 'x' is not a whole number", usageError("-Async", "x")[0]);
        assertEquals("echoapp: Invalid value for option '--async': 'x' is not a whole number", usageError("--async", "x")[0]);
        assertEquals("echoapp: -Async N needs N >= 1, not 0", usageError("-Async", "0")[0]);
        assertEquals("echoapp: --async N needs N >= 1, not 0", usageError("--async=0")[0]);
        assertEquals("echoapp: --list takes no --async", usageError("--list", "--async")[0]);
        assertEquals("echoapp: Invalid value for option '--timer-ms': 'fast' is not a whole number from -2147483648 to 2147483647",
                usageError("--timer-ms", "fast")[0]);
    }

    @Test
    void controlCharactersInArgumentsAreEscaped() {
        assertEquals("echoapp: Invalid value for option '-Async': '1\\n2\\x1B[31m' is not a whole number",
                usageError("-Async", "1\n2\u001b[31m")[0]);
        assertEquals("a\\tb\\r\\u0085c\\?\\x7F", Messages.escape("a\tb\r\u0085c\\?\u007f"));
    }

    /**
     * The help, byte for byte, at picocli's default width of 80 columns (what a run whose
     * output is not a terminal prints): the command is declared through picocli's
     * programmatic API, and this is the text its annotations gave.
     */
    @Test
    void helpTextIsExactlyTheDocumentedOne() throws Exception {
        String expected;
        try (var in = EchoAppOptionsTest.class.getResourceAsStream("help-80-columns.txt")) {
            expected = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        StringWriter out = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        commandLine.getCommandSpec().usageMessage().autoWidth(false).width(80);
        assertEquals(0, commandLine.execute("--help"));
        assertEquals(expected, out.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void flagsAreFalseUnlessGiven() {
        ParseResult none = parse();
        ParseResult all = parse("--list", "--verbose", "-Async", "--forever");
        for (String flag : new String[] {"--forever", "--list", "--verbose", "--help", "--version"}) {
            assertEquals(Boolean.FALSE, none.commandSpec().findOption(flag).getValue(), flag);
        }
        for (String flag : new String[] {"--forever", "--list", "--verbose"}) {
            assertEquals(Boolean.TRUE, all.commandSpec().findOption(flag).getValue(), flag);
        }
    }

    @Test
    void helpAndVersionExit0() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        assertEquals(0, commandLine.execute("--help"));
        assertTrue(out.toString().contains("-Async, --async"), out.toString());
        assertTrue(out.toString().contains("130"), out.toString());
        for (String status : new String[] {"129", "134", "143"}) {
            assertTrue(out.toString().contains(status), out.toString());
        }
        assertTrue(out.toString().contains("up to 1000 requests print a line per request"), out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, commandLine.execute("--version"));
        assertTrue(out.toString().startsWith("echoapp "), out.toString());
    }
}
