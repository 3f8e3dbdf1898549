package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.echodriver.windowschecks.PowerShellScripts.Parsed;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Windows scripts parse, and follow the project's rules for them: comment-based
 * help that Get-Help shows (.SYNOPSIS, .DESCRIPTION, a .PARAMETER for each parameter,
 * .EXAMPLE), [CmdletBinding(SupportsShouldProcess)] so that -WhatIf works,
 * Set-StrictMode -Version Latest and $ErrorActionPreference = 'Stop', and ASCII text
 * (Windows PowerShell 5.1 reads a file without a byte order mark in the ANSI code page).
 *
 * The parser is the tree-sitter PowerShell grammar. It reports the syntax errors that
 * matter here (unbalanced braces, parentheses and brackets, unterminated strings and
 * here-strings, incomplete expressions), but it is not PowerShell's own parser: it has
 * been seen to reject one valid form (a parameter name with a digit, such as -Inf2Cat),
 * which the scripts avoid.
 */
class PowerShellScriptsTest {

    static final List<String> SCRIPTS = List.of("build.ps1", "install.ps1", "test.ps1", "uninstall.ps1");
    static final String MODULE = "EchoCommon.psm1";

    private static List<Parsed> parsed;

    @BeforeAll
    static void parseAll() {
        parsed = PowerShellScripts.parse(PowerShellScripts.files());
    }

    private static Parsed get(String name) {
        return parsed.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("scripts/" + name + " is missing"));
    }

    @Test
    void theScriptsAreThere() {
        Set<String> names = new TreeSet<>();
        for (Parsed p : parsed) {
            names.add(p.name());
        }
        Set<String> expected = new TreeSet<>(SCRIPTS);
        expected.add(MODULE);
        assertEquals(expected, names, "PowerShell files in scripts/");
    }

    @Test
    void everyFileParsesWithoutErrors() {
        List<String> problems = new ArrayList<>();
        for (Parsed p : parsed) {
            for (Map<String, Object> e : p.errors()) {
                problems.add(p.name() + ":" + e.get("line") + ":" + e.get("column") + " " + e.get("kind") + " " + e.get("text"));
            }
        }
        assertEquals(List.of(), problems, "syntax errors");
    }

    @Test
    void everyFileIsAscii() throws Exception {
        for (Path file : PowerShellScripts.files()) {
            byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i < bytes.length; i++) {
                assertTrue((bytes[i] & 0x80) == 0, file.getFileName() + ": non-ASCII byte at offset " + i);
            }
        }
    }

    @Test
    void everyFileIsStrict() {
        for (Parsed p : parsed) {
            boolean strict = p.topLevelCommands().stream().anyMatch(c -> "Set-StrictMode".equals(c.get("name"))
                    && String.valueOf(c.get("elements")).replaceAll("\\s+", " ").trim().equals("-Version Latest"));
            assertTrue(strict, p.name() + ": Set-StrictMode -Version Latest at the top level");
            boolean stop = p.topLevelAssignments().stream().anyMatch(a -> "$ErrorActionPreference".equals(a.get("left"))
                    && "'Stop'".equals(a.get("right")));
            assertTrue(stop, p.name() + ": $ErrorActionPreference = 'Stop' at the top level");
        }
    }

    @Test
    void everyScriptHasHelpForGetHelp() {
        for (String name : SCRIPTS) {
            Parsed p = get(name);
            assertEquals(1, p.leadingComments().size(), name + ": one comment-based help block before param()");
            String help = p.leadingComments().get(0);
            assertTrue(help.startsWith("<#") && help.endsWith("#>"), name + ": help must be a <# #> block");
            for (String keyword : List.of(".SYNOPSIS", ".DESCRIPTION", ".EXAMPLE")) {
                assertTrue(Pattern.compile("^\\s*" + Pattern.quote(keyword) + "\\s*$", Pattern.MULTILINE).matcher(help).find(),
                        name + ": help lacks " + keyword);
            }
            Set<String> documented = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            Matcher m = Pattern.compile("^\\s*\\.PARAMETER\\s+(\\w+)\\s*$", Pattern.MULTILINE).matcher(help);
            while (m.find()) {
                documented.add(m.group(1));
            }
            Set<String> declared = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            declared.addAll(p.parameters());
            assertFalse(declared.isEmpty(), name + ": the script's param() block declares no parameter");
            assertEquals(declared, documented, name + ": .PARAMETER entries must match the parameters");
        }
    }

    @Test
    void everyScriptSupportsWhatIf() {
        for (String name : SCRIPTS) {
            Parsed p = get(name);
            List<Map<String, Object>> binding = new ArrayList<>();
            for (Map<String, Object> a : p.attributes()) {
                if ("CmdletBinding".equalsIgnoreCase(String.valueOf(a.get("name")))) {
                    binding.add(a);
                }
            }
            assertEquals(1, binding.size(), name + ": one [CmdletBinding()] on the script's param block");
            @SuppressWarnings("unchecked")
            List<String> arguments = (List<String>) binding.get(0).get("arguments");
            assertTrue(arguments.stream().anyMatch("SupportsShouldProcess"::equalsIgnoreCase),
                    name + ": [CmdletBinding(SupportsShouldProcess)] gives -WhatIf and -Confirm");
            String text = Repository.text("scripts/" + name);
            assertTrue(text.contains("$PSCmdlet.ShouldProcess("), name + ": changes must be guarded by $PSCmdlet.ShouldProcess");
        }
    }

    @Test
    void scriptsUseTheSharedModuleAndOnlyFunctionsItExports() {
        Parsed module = get(MODULE);
        Set<String> defined = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Map<String, Object> f : module.functions()) {
            defined.add(String.valueOf(f.get("name")));
        }
        String moduleText = Repository.text("scripts/" + MODULE);
        Matcher export = Pattern.compile("Export-ModuleMember\\s+-Function\\s+@\\(([^)]*)\\)").matcher(moduleText);
        assertTrue(export.find(), MODULE + ": Export-ModuleMember -Function @(...)");
        Set<String> exported = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        Matcher name = Pattern.compile("'([\\w-]+)'").matcher(export.group(1));
        while (name.find()) {
            exported.add(name.group(1));
        }
        Set<String> missing = new TreeSet<>(exported);
        missing.removeAll(defined);
        assertEquals(Set.of(), missing, MODULE + ": exported functions that are not defined");

        for (Map<String, Object> f : module.functions()) {
            String fn = String.valueOf(f.get("name"));
            if (!exported.contains(fn)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<String> comments = (List<String>) f.get("helpComments");
            assertTrue(comments.stream().anyMatch(c -> c.startsWith("<#") && c.contains(".SYNOPSIS")),
                    MODULE + ": " + fn + " needs comment-based help with .SYNOPSIS");
        }

        for (String script : SCRIPTS) {
            Parsed p = get(script);
            assertTrue(p.topLevelCommands().stream().anyMatch(c -> "Import-Module".equals(c.get("name"))
                    && String.valueOf(c.get("elements")).contains("'EchoCommon.psm1'")),
                    script + ": Import-Module (Join-Path $PSScriptRoot 'EchoCommon.psm1')");
            Set<String> own = new LinkedHashSet<>();
            for (Map<String, Object> f : p.functions()) {
                own.add(String.valueOf(f.get("name")).toLowerCase());
            }
            for (Map<String, Object> c : p.commands()) {
                String command = String.valueOf(c.get("name"));
                if (command.matches("(?i)[a-z]+-Echo\\w+") && !own.contains(command.toLowerCase())) {
                    assertTrue(exported.contains(command), script + ":" + c.get("line") + " calls " + command
                            + ", which EchoCommon.psm1 does not export");
                }
            }
        }
    }
}
