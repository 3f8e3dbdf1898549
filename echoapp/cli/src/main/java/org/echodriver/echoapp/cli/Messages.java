package org.echodriver.echoapp.cli;

import java.util.List;
import picocli.CommandLine.Model.OptionSpec;

/** Text put in echoapp's messages. */
final class Messages {
    /** The hint after a usage error, as picocli's convention has it. */
    static final String HELP_HINT = "Try 'echoapp --help' for more information.";

    private Messages() {
    }

    /**
     * A string with its control characters (C0, DEL, C1) written as escapes: {@code \n},
     * {@code \r}, {@code \t}, else {@code \xNN} or {@code \u0085}-style for C1, so that a
     * message stays one line and cannot drive the terminal. Everything else, backslashes in
     * device paths included, is kept as it is.
     */
    static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder escaped = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
            if (!control) {
                if (escaped != null) {
                    escaped.append(c);
                }
                continue;
            }
            if (escaped == null) {
                escaped = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> escaped.append(c < 0x80 ? String.format("\\x%02X", (int) c) : String.format("\\u%04X", (int) c));
            }
        }
        return escaped == null ? text : escaped.toString();
    }

    /**
     * The name of an option as the user typed it on the command line ("-Async" or
     * "--async"), else its longest name.
     */
    static String typedName(OptionSpec option, List<String> args) {
        for (String arg : args) {
            for (String name : option.names()) {
                if (arg.equals(name) || arg.startsWith(name + "=")) {
                    return name;
                }
            }
        }
        return option.longestName();
    }
}
