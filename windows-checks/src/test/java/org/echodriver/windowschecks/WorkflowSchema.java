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

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Validates workflow files against the JSON schema of GitHub Actions workflows with
 * action-validator (nodetools/validate-workflow.mjs, run with Node.js; installed from
 * the npm registry by this module's build, npm ci in nodetools/).
 */
final class WorkflowSchema {

    private WorkflowSchema() {
    }

    /** One entry per file: {file, errors: [{path, title, detail, code}]}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> validate(Path... files) {
        Path dir = PowerShellScripts.parserDirectory();
        if (!Files.isRegularFile(dir.resolve("node_modules/@action-validator/core/package.json"))) {
            throw new AssertionError("action-validator is not installed in " + dir
                    + ": run \"npm ci\" there (the Maven build does it when npm is on PATH).");
        }
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("windowschecks.node", "node"));
        command.add(dir.resolve("validate-workflow.mjs").toString());
        for (Path f : files) {
            command.add(f.toAbsolutePath().toString());
        }
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).start();
            process.getOutputStream().close();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the workflow validator did not finish within 120 s");
            }
            String stdout = new String(out.get(), StandardCharsets.UTF_8);
            String stderr = new String(err.get(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError("the workflow validator failed (exit " + process.exitValue() + "): " + stderr);
            }
            // JSON is YAML 1.2; SnakeYAML's safe loader reads it.
            return (List<Map<String, Object>>) new Yaml(new SafeConstructor(new LoaderOptions())).load(stdout);
        } catch (IOException e) {
            throw new AssertionError("cannot run Node.js (" + command.get(0) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("reading the validator's output failed", e);
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
}
