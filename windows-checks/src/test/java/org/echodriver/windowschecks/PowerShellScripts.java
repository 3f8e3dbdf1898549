package org.echodriver.windowschecks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;


/**
 * The Windows PowerShell scripts, parsed with the tree-sitter PowerShell grammar
 * (nodetools/parse.mjs, run through NodeTools).
 */
final class PowerShellScripts {

    /** What parse.mjs reports of one file. */
    record Parsed(String file, List<Map<String, Object>> errors, List<String> leadingComments,
            Map<String, Object> paramBlock, List<Map<String, Object>> topLevelCommands,
            List<Map<String, Object>> topLevelAssignments, List<Map<String, Object>> functions,
            List<Map<String, Object>> commands) {

        @SuppressWarnings("unchecked")
        List<String> parameters() {
            return paramBlock == null ? List.of() : (List<String>) paramBlock.get("parameters");
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> attributes() {
            return paramBlock == null ? List.of() : (List<Map<String, Object>>) paramBlock.get("attributes");
        }

        String name() {
            return Path.of(file).getFileName().toString();
        }
    }

    private PowerShellScripts() {
    }

    /** scripts/*.ps1 and scripts/*.psm1, sorted. */
    static List<Path> files() {
        try (Stream<Path> list = Files.list(Repository.file("scripts"))) {
            return list.filter(p -> p.toString().endsWith(".ps1") || p.toString().endsWith(".psm1"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the given files; fails, saying how to install it, when the parser is absent. */
    static List<Parsed> parse(List<Path> files) {
        return toParsed(NodeTools.run("The PowerShell parser", "parse.mjs",
                List.of("node_modules/web-tree-sitter/package.json",
                        "node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm"),
                files));
    }

    @SuppressWarnings("unchecked")
    private static List<Parsed> toParsed(Object document) {
        List<Parsed> parsed = new ArrayList<>();
        for (Object o : (List<Object>) document) {
            Map<String, Object> m = (Map<String, Object>) o;
            parsed.add(new Parsed(
                    (String) m.get("file"),
                    (List<Map<String, Object>>) m.get("errors"),
                    (List<String>) m.get("leadingComments"),
                    (Map<String, Object>) m.get("paramBlock"),
                    (List<Map<String, Object>>) m.get("topLevelCommands"),
                    (List<Map<String, Object>>) m.get("topLevelAssignments"),
                    (List<Map<String, Object>>) m.get("functions"),
                    (List<Map<String, Object>>) m.get("commands")));
        }
        return parsed;
    }
}
