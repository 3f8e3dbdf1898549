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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Node.js tools of nodetools/ (the PowerShell parser, the workflow validator),
 * installed from the npm registry by this module's build (npm ci in nodetools/) and run
 * with Node.js; each prints JSON on standard output.
 */
final class NodeTools {

    private NodeTools() {
    }

    static Path directory() {
        String property = System.getProperty("windowschecks.nodetools");
        return (property != null ? Path.of(property) : Path.of("nodetools")).toAbsolutePath().normalize();
    }

    /**
     * Runs nodetools/SCRIPT on the files and returns its JSON output, read with
     * SnakeYAML's safe loader (JSON is YAML 1.2). WHAT names the tool in messages;
     * REQUIRED are the files under nodetools/ that npm ci installs for it.
     */
    static Object run(String what, String script, List<String> required, List<Path> files) {
        Path dir = directory();
        for (String file : required) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new AssertionError(what + " is not installed in " + dir
                        + ": run \"npm ci\" there (the Maven build does it when npm is on PATH).");
            }
        }
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("windowschecks.node", "node"));
        command.add(dir.resolve(script).toString());
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
                throw new AssertionError(what + " did not finish within 120 s");
            }
            String stdout = new String(out.get(), StandardCharsets.UTF_8);
            String stderr = new String(err.get(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError(what + " failed (exit " + process.exitValue() + "): " + stderr);
            }
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(stdout);
        } catch (IOException e) {
            throw new AssertionError("cannot run Node.js (" + command.get(0) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("reading the output of " + what + " failed", e);
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
