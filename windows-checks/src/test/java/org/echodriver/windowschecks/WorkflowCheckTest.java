package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The hosted-CI workflow (.github/workflows/windows.yml) cannot run here; this checks
 * that it is valid against the JSON schema of GitHub Actions workflows (action-validator,
 * from the npm registry, in nodetools/) and asks for what issues 4 and 13 say: a pinned
 * runner image, only documented actions, both variants for x64 and ARM64 with the WDK
 * from NuGet, warnings as errors, InfVerif /w, the driver packages (sys, inf, cat) and
 * echoapp.exe uploaded as artifacts, and echoapp's library and CLI tested on Windows
 * without the Linux host.
 */
class WorkflowCheckTest {

    static final String WORKFLOW = ".github/workflows/windows.yml";

    static final Set<String> ALLOWED_ACTIONS = Set.of("actions/checkout", "actions/setup-java", "actions/upload-artifact",
            "microsoft/setup-msbuild");

    /** The Java job's test command, exactly (issue 13). */
    static final String JAVA_COMMAND = "mvn -B -Dkmdfhost.skip=true -pl echoapp/lib,echoapp/cli -am verify";

    @SuppressWarnings("unchecked")
    private static Map<String, Object> workflow() {
        Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(Repository.text(WORKFLOW));
        assertTrue(document instanceof Map, "the workflow must be a YAML mapping");
        return (Map<String, Object>) document;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> jobs() {
        return (Map<String, Map<String, Object>>) workflow().get("jobs");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(Map<String, Object> job) {
        return (List<Map<String, Object>>) job.get("steps");
    }

    private static String runs(Map<String, Object> job) {
        StringBuilder all = new StringBuilder();
        for (Map<String, Object> step : steps(job)) {
            Object run = step.get("run");
            if (run != null) {
                all.append(run).append('\n');
            }
        }
        return all.toString();
    }

    @Test
    void usesOnlyDocumentedActionsPinnedToAMajorVersion() {
        List<String> used = new ArrayList<>();
        for (Map<String, Object> job : jobs().values()) {
            String image = String.valueOf(job.get("runs-on"));
            assertTrue(image.matches("windows-\\d{4}"), "every job runs on a pinned Windows image (windows-2022), not " + image);
            for (Map<String, Object> step : steps(job)) {
                Object uses = step.get("uses");
                if (uses == null) {
                    continue;
                }
                String[] parts = uses.toString().split("@", 2);
                used.add(uses.toString());
                assertTrue(ALLOWED_ACTIONS.contains(parts[0]), "action outside the documented set: " + uses);
                assertTrue(parts.length == 2 && parts[1].matches("v\\d+"), "pin the action to a major version: " + uses);
            }
        }
        assertTrue(used.stream().anyMatch(u -> u.startsWith("microsoft/setup-msbuild@")), "MSBuild comes from microsoft/setup-msbuild");
    }

    @Test
    @SuppressWarnings("unchecked")
    void buildsBothVariantsForBothArchitecturesWithTheWdkFromNuGet() {
        Map<String, Object> driver = jobs().get("driver");
        Map<String, Object> matrix = (Map<String, Object>) ((Map<String, Object>) driver.get("strategy")).get("matrix");
        assertEquals(Set.of("AutoSync", "DriverSync"), new TreeSet<>((List<String>) matrix.get("variant")));
        assertEquals(Set.of("x64", "ARM64"), new TreeSet<>((List<String>) matrix.get("platform")));
        String run = runs(driver);
        for (String id : List.of("Microsoft.Windows.SDK.CPP'", "Microsoft.Windows.SDK.CPP.x64", "Microsoft.Windows.SDK.CPP.arm64",
                "Microsoft.Windows.WDK.x64", "Microsoft.Windows.WDK.ARM64")) {
            assertTrue(run.contains(id), "nuget install of " + id);
        }
        assertTrue(run.contains("nuget install") && run.contains("-ExcludeVersion"),
                "packages installed without version folders, where echo.vcxproj looks for them");
        assertTrue(run.contains("msbuild echo.vcxproj") && run.contains("/warnaserror"), "msbuild echo.vcxproj /warnaserror");
        for (String property : List.of("/p:EchoVariant=${{ matrix.variant }}", "/p:Platform=${{ matrix.platform }}",
                "/p:EchoNuGetPackagesDir=")) {
            assertTrue(run.contains(property), "msbuild " + property);
        }
        assertTrue(run.contains("/w /v"), "InfVerif /w on the stamped INF");
        String project = Repository.text("echo.vcxproj");
        assertTrue(project.contains("$(EchoNuGetPackagesDir)\\Microsoft.Windows.WDK.$(EchoNuGetArch)\\build\\native\\"),
                "echo.vcxproj imports the WDK package the workflow installs");
    }

    @Test
    void runsTheJavaLibraryAndCliTestsWithoutTheLinuxHost() {
        Map<String, Object> java = jobs().get("java");
        List<String> commands = new ArrayList<>();
        for (Map<String, Object> step : steps(java)) {
            if (step.get("run") != null) {
                commands.add(String.valueOf(step.get("run")).strip());
            }
            if (JAVA_COMMAND.equals(String.valueOf(step.get("run")).strip())) {
                // bash: PowerShell would split -Dkmdfhost.skip=true at the dot and the
                // module list at the comma.
                assertEquals("bash", step.get("shell"), "the mvn step runs in bash, so the command reads as written");
            }
        }
        assertTrue(commands.contains(JAVA_COMMAND), "the Java job runs exactly: " + JAVA_COMMAND + " (found " + commands + ")");
        String rootPom = Repository.text("pom.xml");
        assertTrue(rootPom.contains("<kmdfhost.skip>"), "the root pom must define kmdfhost.skip, which the workflow sets");
    }

    private static List<Map<String, Object>> uploads(Map<String, Object> job) {
        List<Map<String, Object>> uploads = new ArrayList<>();
        for (Map<String, Object> step : steps(job)) {
            if (String.valueOf(step.get("uses")).startsWith("actions/upload-artifact@")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> with = (Map<String, Object>) step.get("with");
                uploads.add(with);
            }
        }
        return uploads;
    }

    @Test
    void uploadsTheDriverPackagesAndEchoAppExe() {
        Map<String, Object> driver = jobs().get("driver");
        List<Map<String, Object>> driverUploads = uploads(driver);
        assertEquals(1, driverUploads.size(), "the driver job uploads its package");
        String path = String.valueOf(driverUploads.get(0).get("path"));
        assertEquals("error", driverUploads.get(0).get("if-no-files-found"), "an empty package fails the job");
        assertTrue(String.valueOf(driverUploads.get(0).get("name")).contains("${{ matrix.variant }}")
                && String.valueOf(driverUploads.get(0).get("name")).contains("${{ matrix.platform }}")
                && String.valueOf(driverUploads.get(0).get("name")).contains("${{ matrix.configuration }}"),
                "one artifact per variant, platform and configuration");
        String run = runs(driver);
        assertTrue(run.contains("inf2cat.exe") && run.contains("10_RS3_X64") && run.contains("10_RS3_ARM64"),
                "the catalog is made for the INF's first supported Windows (10.0...16299)");
        for (String file : List.of("echo.sys", "echo.inf", "echo.cat")) {
            assertTrue(run.contains("'" + file + "'"), "the package step checks for " + file);
        }
        String packageDir = path.replace('/', '\\');
        assertTrue(run.contains("$package = '" + packageDir + "'"), "the uploaded folder is the one the package step fills: " + path);

        List<Map<String, Object>> javaUploads = uploads(jobs().get("java"));
        assertEquals(1, javaUploads.size(), "the Java job uploads echoapp.exe");
        assertEquals("build/echoapp/image/echoapp", javaUploads.get(0).get("path"), "the jpackage app image with echoapp.exe");
        assertTrue(runs(jobs().get("java")).contains("jpackage --type app-image --name echoapp"), "echoapp.exe comes from jpackage");
    }

    @Test
    void isValidAgainstTheGitHubActionsWorkflowSchema() {
        List<Map<String, Object>> result = WorkflowSchema.validate(Repository.file(WORKFLOW));
        assertEquals(1, result.size());
        assertEquals(List.of(), result.get(0).get("errors"), WORKFLOW + " against the workflow schema");
    }

    @Test
    void theSchemaValidatorRejectsABrokenWorkflow(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // The same workflow with a misspelt key in the driver job.
        String broken = Repository.text(WORKFLOW).replace("runs-on: windows-2022\n    steps:", "runs_on: windows-2022\n    steps:");
        assertNotEquals(Repository.text(WORKFLOW), broken, "the mutation applies");
        java.nio.file.Path file = dir.resolve("broken.yml");
        java.nio.file.Files.writeString(file, broken);
        List<Map<String, Object>> result = WorkflowSchema.validate(file);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> errors = (List<Map<String, Object>>) result.get(0).get("errors");
        assertTrue(errors.stream().anyMatch(e -> String.valueOf(e.get("detail")).contains("runs_on")),
                "the validator must name the unknown key runs_on: " + errors);
    }
}
