package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * that it is valid YAML and asks for what issue 4 says: only documented actions, both
 * variants for x64 and ARM64 with the WDK from NuGet, warnings as errors, InfVerif /w,
 * and echoapp's Java tests on a Windows runner without the Linux host.
 */
class WorkflowCheckTest {

    static final Set<String> ALLOWED_ACTIONS = Set.of("actions/checkout", "actions/setup-java", "microsoft/setup-msbuild");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> workflow() {
        Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(Repository.text(".github/workflows/windows.yml"));
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
            assertTrue(String.valueOf(job.get("runs-on")).startsWith("windows-"), "every job runs on a Windows runner");
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
    void runsTheJavaTestsWithoutTheLinuxHost() {
        String run = runs(jobs().get("java"));
        assertTrue(run.contains("mvn -B -pl echoapp -am \"-Dkmdfhost.skip=true\" test"), "mvn -pl echoapp -am -Dkmdfhost.skip=true test");
        String rootPom = Repository.text("pom.xml");
        assertTrue(rootPom.contains("<kmdfhost.skip>"), "the root pom must define kmdfhost.skip, which the workflow sets");
    }
}
