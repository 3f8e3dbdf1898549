package org.echodriver.echoapp.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Renders echoapp's help as picocli prints it for {@code --help} when the output is not a
 * terminal: plain text at picocli's default width of 80 columns, lines ending in "\n". The
 * build runs {@link #main} after compiling (process-classes) to put it in the jar, where
 * {@link Launcher} prints it; a test checks the two stay equal.
 */
public final class HelpText {
    /** Where the rendered help is, relative to the class path root. */
    public static final String RESOURCE = "org/echodriver/echoapp/cli/prerendered-help.txt";

    private HelpText() {
    }

    /** The help, rendered now through the command's own model. */
    public static String render() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = EchoApp.commandLine(new Interrupt());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        commandLine.getCommandSpec().usageMessage().autoWidth(false).width(80);
        int status = commandLine.execute("--help");
        if (status != ExitCodes.SUCCESS) {
            throw new IllegalStateException("echoapp --help exited " + status);
        }
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    /** Writes the help to the class directory given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: HelpText CLASS_DIRECTORY");
        }
        Path file = Path.of(args[0]).resolve(RESOURCE);
        Files.createDirectories(file.getParent());
        Files.write(file, render().getBytes(StandardCharsets.UTF_8));
    }
}
