package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.echodriver.windowschecks.PowerShellScripts.Parsed;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's Windows commands match the scripts: every script it runs exists, and
 * every option it passes to one is a parameter of that script (or one of PowerShell's
 * common parameters). It also states the device security that the INF sets and says
 * that the project's own CI does not run the Windows workflow.
 *
 * The README is README.md at the repository's root, or the file that the system
 * property windowschecks.readme names (relative to the root).
 */
class ReadmeWindowsTest {

    static final Set<String> COMMON_PARAMETERS = Set.of("whatif", "confirm", "verbose", "debug", "erroraction",
            "warningaction", "informationaction", "errorvariable", "warningvariable", "informationvariable",
            "outvariable", "outbuffer", "pipelinevariable", "progressaction");

    private static String readme;
    private static final Map<String, Set<String>> PARAMETERS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    @BeforeAll
    static void read() throws Exception {
        String name = System.getProperty("windowschecks.readme", "README.md");
        Path path = Repository.root().resolve(name);
        assertTrue(Files.isRegularFile(path), path + " is missing");
        readme = Files.readString(path);
        for (Parsed p : PowerShellScripts.parse(PowerShellScripts.files())) {
            Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            names.addAll(p.parameters());
            PARAMETERS.put(p.name(), names);
        }
    }

    @Test
    void everyScriptIsDocumented() {
        for (String script : PowerShellScriptsTest.SCRIPTS) {
            assertTrue(readme.contains("scripts\\" + script), "the README does not show how to run scripts\\" + script);
        }
    }

    @Test
    void everyScriptOptionInTheReadmeExists() {
        Pattern invocation = Pattern.compile("(Get-Help\\s+)?\\.?\\\\?scripts[\\\\/]([\\w-]+\\.ps1)([^\\r\\n|;`]*)");
        Pattern option = Pattern.compile("(?<![\\w/])-([A-Za-z][\\w]*)");
        List<String> wrong = new ArrayList<>();
        int seen = 0;
        Matcher m = invocation.matcher(readme);
        while (m.find()) {
            String script = m.group(2);
            Set<String> known = PARAMETERS.get(script);
            if (known == null) {
                wrong.add("scripts\\" + script + " does not exist");
                continue;
            }
            if (m.group(1) != null) {
                continue; // Get-Help's own options
            }
            seen++;
            Matcher o = option.matcher(m.group(3));
            while (o.find()) {
                String name = o.group(1);
                if (!known.contains(name) && !COMMON_PARAMETERS.contains(name.toLowerCase())) {
                    wrong.add("scripts\\" + script + " has no parameter -" + name);
                }
            }
        }
        assertTrue(seen >= PowerShellScriptsTest.SCRIPTS.size(), "the README runs the Windows scripts");
        assertEquals(List.of(), wrong, "README commands that do not match the scripts");
    }

    @Test
    void showsTheEditBuildInstallTestLoopAsOneLine() {
        // Issue 13: rebuild and reinstall in one command.
        Pattern loop = Pattern.compile("^\\s*\\.\\\\scripts\\\\build\\.ps1\\b[^\\r\\n]*;\\s*\\.\\\\scripts\\\\install\\.ps1\\b[^\\r\\n]*;"
                + "\\s*\\.\\\\scripts\\\\test\\.ps1\\b[^\\r\\n]*$", Pattern.MULTILINE);
        assertTrue(loop.matcher(readme).find(), "the README shows build.ps1; install.ps1; test.ps1 on one line");
        String install = Repository.text("scripts/install.ps1");
        for (String step : List.of("Compare-EchoDriverVer", "'/add-driver', $inf, '/install'", "Get-EchoDeviceDriverInf",
                "'/delete-driver', $old.PublishedName")) {
            assertTrue(install.contains(step), "install.ps1 updates in place: " + step);
        }
        assertFalse(install.contains("'/delete-driver', $old.PublishedName, '/force'"), "older packages go without /force");
    }

    @Test
    void statesTheDeviceSecurityAndThatOwnCiSkipsTheWorkflow() {
        assertTrue(readme.contains(InfCheckTest.DEVICE_SDDL), "the README must state the device's SDDL " + InfCheckTest.DEVICE_SDDL);
        assertTrue(readme.contains(".github/workflows/windows.yml"), "the README must name the Windows workflow");
    }
}
