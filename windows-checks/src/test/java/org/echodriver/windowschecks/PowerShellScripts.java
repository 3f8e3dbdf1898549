package org.echodriver.windowschecks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Windows PowerShell scripts, parsed with the tree-sitter PowerShell grammar
 * (nodetools/parse.mjs, run with Node.js). The grammar is installed from the npm
 * registry by this module's build (npm ci in nodetools/) when it is missing.
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

    static Path parserDirectory() {
        String property = System.getProperty("windowschecks.nodetools");
        return (property != null ? Path.of(property) : Path.of("nodetools")).toAbsolutePath().normalize();
    }

    /** Parses the given files; fails, saying how to install it, when the parser is absent. */
    static List<Parsed> parse(List<Path> files) {
        Path dir = parserDirectory();
        if (!Files.isRegularFile(dir.resolve("node_modules/web-tree-sitter/package.json"))
                || !Files.isRegularFile(dir.resolve("node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm"))) {
            throw new AssertionError("The PowerShell parser is not installed in " + dir
                    + ": run \"npm ci\" there (the Maven build does it when npm is on PATH).");
        }
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("windowschecks.node", "node"));
        command.add(dir.resolve("parse.mjs").toString());
        for (Path f : files) {
            command.add(f.toString());
        }
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).start();
            process.getOutputStream().close();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the PowerShell parser did not finish within 120 s");
            }
            String stdout = new String(out.get(), StandardCharsets.UTF_8);
            String stderr = new String(err.get(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError("the PowerShell parser failed (exit " + process.exitValue() + "): " + stderr);
            }
            return toParsed(stdout);
        } catch (IOException e) {
            throw new AssertionError("cannot run Node.js (" + command.get(0) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("reading the parser's output failed", e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in; ByteArrayOutputStream buffer = new ByteArrayOutputStream()) {
            in.transferTo(buffer);
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Parsed> toParsed(String json) {
        // JSON is YAML 1.2; SnakeYAML's safe loader reads the parser's output.
        Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(json);
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
