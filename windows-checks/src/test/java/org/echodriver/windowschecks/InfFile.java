package org.echodriver.windowschecks;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A reader of INF files, after "General Syntax Rules for INF Files"
 * (learn.microsoft.com/windows-hardware/drivers/install/general-syntax-rules-for-inf-files):
 * named sections in brackets, names case-insensitive; ';' starts a comment outside a
 * quoted string; a backslash at the end of a line continues it on the next one; an entry
 * is "key = value" or a bare value; values are comma-separated fields, a field may be
 * quoted ("" inside stands for one quote); %token% is replaced from [Strings], %% is a
 * percent sign, and %number% (a DIRID) stays as it is.
 */
final class InfFile {

    /** How the file's bytes are encoded: an INF must be ANSI or UTF-16 LE. */
    enum Encoding { ASCII, UTF16LE, UTF8_BOM, UTF16BE, NON_ASCII_WITHOUT_BOM }

    /** One entry of a section: the key (null for a bare value), the raw value, its line. */
    record Entry(String key, String value, int line) {
        List<String> fields() {
            return splitFields(value);
        }
    }

    /** One section, by its name as written; entries in file order. */
    record Section(String name, int line, List<Entry> entries) {
        List<Entry> withKey(String key) {
            List<Entry> found = new ArrayList<>();
            for (Entry e : entries) {
                if (e.key() != null && e.key().equalsIgnoreCase(key)) {
                    found.add(e);
                }
            }
            return found;
        }

        Optional<String> value(String key) {
            List<Entry> found = withKey(key);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0).value());
        }
    }

    private final Encoding encoding;
    private final Map<String, Section> sections = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private InfFile(Encoding encoding) {
        this.encoding = encoding;
    }

    static Encoding detectEncoding(byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            return Encoding.UTF8_BOM;
        }
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            return Encoding.UTF16LE;
        }
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
            return Encoding.UTF16BE;
        }
        for (byte b : bytes) {
            if ((b & 0x80) != 0) {
                return Encoding.NON_ASCII_WITHOUT_BOM;
            }
        }
        return Encoding.ASCII;
    }

    static InfFile parse(byte[] bytes) {
        Encoding encoding = detectEncoding(bytes);
        String text;
        if (encoding == Encoding.UTF16LE) {
            text = new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        } else if (encoding == Encoding.UTF8_BOM) {
            text = new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        } else {
            text = new String(bytes, Charset.forName("windows-1252"));
        }
        InfFile inf = new InfFile(encoding);
        inf.read(text);
        return inf;
    }

    private void read(String text) {
        String[] lines = text.split("\r\n|\n|\r", -1);
        Section current = null;
        StringBuilder pending = null;
        int pendingLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]);
            String trimmed = line.strip();
            if (pending != null) {
                pending.append(' ');
            }
            if (trimmed.endsWith("\\")) {
                if (pending == null) {
                    pending = new StringBuilder();
                    pendingLine = i + 1;
                }
                pending.append(trimmed, 0, trimmed.length() - 1);
                continue;
            }
            int lineNumber = i + 1;
            if (pending != null) {
                pending.append(trimmed);
                trimmed = pending.toString().strip();
                lineNumber = pendingLine;
                pending = null;
            }
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.startsWith("[")) {
                int close = trimmed.indexOf(']');
                if (close < 0) {
                    problems.add("line " + lineNumber + ": section header without ']'");
                    continue;
                }
                String name = trimmed.substring(1, close).strip();
                String key = name.toLowerCase(Locale.ROOT);
                if (sections.containsKey(key)) {
                    // Windows merges sections of the same name; InfVerif reports it.
                    problems.add("line " + lineNumber + ": section [" + name + "] appears twice");
                    current = sections.get(key);
                } else {
                    current = new Section(name, lineNumber, new ArrayList<>());
                    sections.put(key, current);
                }
                if (!trimmed.substring(close + 1).isBlank()) {
                    problems.add("line " + lineNumber + ": text after the section header");
                }
                continue;
            }
            if (current == null) {
                problems.add("line " + lineNumber + ": entry outside any section");
                continue;
            }
            int eq = indexOutsideQuotes(trimmed, '=');
            if (eq >= 0) {
                current.entries().add(new Entry(trimmed.substring(0, eq).strip(), trimmed.substring(eq + 1).strip(), lineNumber));
            } else {
                current.entries().add(new Entry(null, trimmed, lineNumber));
            }
        }
        if (pending != null) {
            problems.add("the last line ends with a line continuation");
        }
    }

    static String stripComment(String line) {
        int semicolon = indexOutsideQuotes(line, ';');
        return semicolon >= 0 ? line.substring(0, semicolon) : line;
    }

    static int indexOutsideQuotes(String s, char wanted) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == wanted && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** Splits a value at commas outside quotes; trims each field and removes its quotes. */
    static List<String> splitFields(String value) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                fields.add(field.toString().strip());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString().strip());
        return fields;
    }

    Encoding encoding() {
        return encoding;
    }

    List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    Optional<Section> section(String name) {
        return Optional.ofNullable(sections.get(name.toLowerCase(Locale.ROOT)));
    }

    Section require(String name) {
        return section(name).orElseThrow(() -> new AssertionError("section [" + name + "] is missing"));
    }

    List<Section> sections() {
        return new ArrayList<>(sections.values());
    }

    /** The [Strings] table (keys lower case). */
    Map<String, String> strings() {
        Map<String, String> strings = new LinkedHashMap<>();
        section("Strings").ifPresent(s -> {
            for (Entry e : s.entries()) {
                if (e.key() != null) {
                    List<String> f = splitFields(e.value());
                    strings.put(e.key().toLowerCase(Locale.ROOT), f.isEmpty() ? "" : f.get(0));
                }
            }
        });
        return strings;
    }

    /**
     * Replaces %token% from [Strings]; %% gives %, a %number% (DIRID) stays. A token that
     * [Strings] lacks is reported with the value in brackets: {@code <missing:token>}.
     */
    String expand(String value) {
        Map<String, String> strings = strings();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            int end = value.indexOf('%', i + 1);
            if (end < 0) {
                out.append(value.substring(i));
                break;
            }
            String token = value.substring(i + 1, end);
            if (token.isEmpty()) {
                out.append('%');
            } else if (token.matches("-?\\d+")) {
                out.append('%').append(token).append('%');
            } else {
                String replacement = strings.get(token.toLowerCase(Locale.ROOT));
                out.append(replacement != null ? replacement : "<missing:" + token + ">");
            }
            i = end + 1;
        }
        return out.toString();
    }

    /** Every %token% that is neither a DIRID nor %%, with the line it is on. */
    List<String> tokenReferences() {
        List<String> tokens = new ArrayList<>();
        for (Section s : sections.values()) {
            if (s.name().equalsIgnoreCase("Strings")) {
                continue;
            }
            for (Entry e : s.entries()) {
                String all = (e.key() == null ? "" : e.key() + "=") + e.value();
                int i = 0;
                while ((i = all.indexOf('%', i)) >= 0) {
                    int end = all.indexOf('%', i + 1);
                    if (end < 0) {
                        break;
                    }
                    String token = all.substring(i + 1, end);
                    if (!token.isEmpty() && !token.matches("-?\\d+")) {
                        tokens.add(token);
                    }
                    i = end + 1;
                }
            }
        }
        return tokens;
    }
}
