package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.echodriver.windowschecks.Vcxproj.Item;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Holds echo.vcxproj (and its .filters) to the driver sources and to issue 2's build
 * spec: exactly the driver's files (none of the host's, none missing), each variant's
 * queue files only under that variant's EchoVariant, Debug and Release for x64 and
 * ARM64, a KMDF driver for Windows 10 pinned to KMDF 1.15, /W4 with warnings as errors
 * and Code Analysis, and the INF as an Inf item stamped with DriverVer.
 */
class BuildFileCheckTest {

    private static final Vcxproj PROJECT = Vcxproj.read("echo.vcxproj");

    /** Variant directory (autosync) -> EchoVariant value (AutoSync), from the project's own mapping. */
    private static Map<String, String> variantValues() {
        Map<String, String> values = new TreeMap<>();
        for (Element e : PROJECT.elements("EchoVariantDir")) {
            Matcher m = Pattern.compile("'\\$\\(EchoVariant\\)'\\s*==\\s*'(\\w+)'").matcher(Vcxproj.conditionOf(e));
            assertTrue(m.find(), "EchoVariantDir without an EchoVariant condition");
            values.put(e.getTextContent().trim(), m.group(1));
        }
        return values;
    }

    /** The items of a type that a build of the given variant uses (conditions on EchoVariant evaluated). */
    private static Set<String> itemsFor(String type, String variant) {
        Set<String> files = new TreeSet<>();
        for (Item item : PROJECT.items(type)) {
            if (applies(item.condition(), variant)) {
                files.add(item.include());
            }
        }
        return files;
    }

    /** Evaluates a condition that may only test EchoVariant for equality; anything else fails the check. */
    private static boolean applies(String condition, String variant) {
        if (condition.isEmpty()) {
            return true;
        }
        Matcher m = Pattern.compile("'\\$\\(EchoVariant\\)'\\s*==\\s*'(\\w+)'").matcher(condition);
        assertTrue(m.matches(), "item condition other than one EchoVariant test: " + condition);
        return m.group(1).equals(variant);
    }

    @Test
    void listsExactlyTheDriverSourcesPerVariant() {
        List<String> sources = Repository.driverSources();
        Map<String, String> variants = variantValues();
        assertEquals(new TreeSet<>(Repository.variantDirectories()), variants.keySet(),
                "EchoVariantDir must map every variant directory of driver/ (those with a queue.c)");
        for (Map.Entry<String, String> variant : variants.entrySet()) {
            Set<String> expectedC = new TreeSet<>();
            Set<String> expectedH = new TreeSet<>();
            for (String s : sources) {
                String dir = s.substring("driver/".length()).contains("/")
                        ? s.substring("driver/".length(), s.lastIndexOf('/')) : "";
                if (!dir.isEmpty() && !dir.equals(variant.getKey())) {
                    continue;
                }
                (s.endsWith(".c") ? expectedC : expectedH).add(s);
            }
            assertEquals(expectedC, itemsFor("ClCompile", variant.getValue()),
                    "ClCompile items of EchoVariant=" + variant.getValue());
            assertEquals(expectedH, itemsFor("ClInclude", variant.getValue()),
                    "ClInclude items of EchoVariant=" + variant.getValue());
        }
    }

    @Test
    void noHostFileAndNoMissingFile() {
        for (String type : List.of("ClCompile", "ClInclude", "Inf", "None")) {
            for (Item item : PROJECT.items(type)) {
                if (item.include().startsWith("$(")) {
                    continue; // FilesToPackage-style MSBuild expressions
                }
                assertFalse(item.include().startsWith("driver/host/"), "host file in echo.vcxproj: " + item.include());
                assertTrue(Files.isRegularFile(Repository.file(item.include())), "echo.vcxproj names a missing file: " + item.include());
            }
        }
        assertFalse(Repository.text("echo.vcxproj").toLowerCase().contains("driver\\host"), "echo.vcxproj mentions driver\\host");
    }

    @Test
    void defaultVariantIsAutoSyncAndIncludePathFollowsTheVariant() {
        List<Element> defaults = PROJECT.elements("EchoVariant");
        assertEquals(1, defaults.size(), "one EchoVariant default");
        assertEquals("AutoSync", defaults.get(0).getTextContent().trim(), "default EchoVariant");
        assertEquals("'$(EchoVariant)' == ''", Vcxproj.conditionOf(defaults.get(0)), "EchoVariant default condition");
        assertEquals(Map.of("autosync", "AutoSync", "driversync", "DriverSync"), variantValues());
        String includes = String.join(";", PROJECT.values("AdditionalIncludeDirectories"));
        assertTrue(includes.contains("driver\\$(EchoVariantDir)"), "include path must hold driver\\$(EchoVariantDir): " + includes);
        assertTrue(Repository.text("echo.vcxproj").contains("EchoVariant must be AutoSync or DriverSync"),
                "an unknown EchoVariant must stop the build");
    }

    @Test
    void debugAndReleaseForX64AndArm64() {
        Set<String> configurations = new TreeSet<>();
        for (Element e : PROJECT.elements("ProjectConfiguration")) {
            configurations.add(e.getAttribute("Include"));
        }
        assertEquals(Set.of("Debug|x64", "Release|x64", "Debug|ARM64", "Release|ARM64"), configurations);
    }

    @Test
    void kmdfDriverForWindows10AsMicrosoftsSamplesSetIt() {
        // As general/echo/kmdf/driver/AutoSync/echo.vcxproj of Windows-driver-samples:
        // TargetVersion Windows10, DriverTargetPlatform "Windows Driver" (formerly
        // Universal), the kernel-mode toolset, a KMDF Driver.
        assertEquals("KMDF", PROJECT.property("DriverType"));
        assertEquals("Windows10", PROJECT.property("TargetVersion"));
        assertEquals("Windows Driver", PROJECT.property("DriverTargetPlatform"));
        assertEquals("Driver", PROJECT.property("ConfigurationType"));
        assertEquals("WindowsKernelModeDriver10.0", PROJECT.property("PlatformToolset"));
        assertEquals("echo", PROJECT.property("TargetName"));
        // The no-op that set WindowsTargetPlatformVersion from a property not yet defined.
        assertEquals(List.of(), PROJECT.values("WindowsTargetPlatformVersion"), "WindowsTargetPlatformVersion is the WDK's to choose");
        assertFalse(Repository.text("echo.vcxproj").contains("$(LatestTargetPlatformVersion)"), "no $(LatestTargetPlatformVersion)");
    }

    @Test
    void kmdfVersionPerPlatformWithTheReason() {
        assertEquals("1", PROJECT.property("KMDF_VERSION_MAJOR"));
        assertEquals("1.15", BuildOutputs.vcxprojKmdfVersion("x64"), "x64: KMDF 1.15, the version of Windows 10 version 1507");
        assertEquals("1.23", BuildOutputs.vcxprojKmdfVersion("ARM64"),
                "ARM64: KMDF 1.23, the version of Windows 10 version 1709, the first Windows on ARM64");
        String text = Repository.text("echo.vcxproj");
        assertTrue(text.contains("ships KMDF 1.23") && text.contains("KMDF 1.15 predates"), "the reason is in a comment");
        String readme = Repository.text("README.md");
        assertTrue(readme.contains("KMDF 1.23") && readme.contains("ARM64"), "the README states the ARM64 KMDF version");
    }

    @Test
    void spectreMitigationIsRequiredAndDocumented() {
        assertEquals("Spectre", PROJECT.property("SpectreMitigation"));
        assertTrue(Repository.text("README.md").contains("Spectre-mitigated libs"), "the README names the Visual Studio components");
    }

    @Test
    void nugetPackagesAreImportedByNameAndAMissingOneStopsTheBuild() {
        String text = Repository.text("echo.vcxproj");
        List<Element> imports = PROJECT.elements("Import");
        List<String> nuget = new ArrayList<>();
        for (Element e : imports) {
            String project = e.getAttribute("Project");
            assertFalse(project.contains("*"), "a wildcard import silently does nothing when its folder is missing: " + project);
            if (Vcxproj.conditionOf(e).contains("EchoNuGetPackagesDir")) {
                nuget.add(project);
            }
        }
        assertEquals(List.of("$(EchoSdkCppProps)", "$(EchoSdkCppArchProps)", "$(EchoWdkProps)"), nuget, "the three NuGet .props imports");
        assertEquals("EchoCheckBuildInputs", PROJECT.root().getAttribute("InitialTargets"), "the checks run before anything else");
        Element check = PROJECT.elements("Target").stream().filter(t -> t.getAttribute("Name").equals("EchoCheckBuildInputs"))
                .findFirst().orElseThrow(() -> new AssertionError("no EchoCheckBuildInputs target"));
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < check.getElementsByTagNameNS(Vcxproj.MSBUILD_NS, "Error").getLength(); i++) {
            errors.add(((Element) check.getElementsByTagNameNS(Vcxproj.MSBUILD_NS, "Error").item(i)).getAttribute("Condition"));
        }
        for (String property : List.of("EchoSdkCppProps", "EchoSdkCppArchProps", "EchoWdkProps", "CodeAnalysisRuleSet")) {
            assertTrue(errors.stream().anyMatch(c -> c.contains("!Exists('$(" + property + ")')")),
                    "an Error when $(" + property + ") does not exist: " + errors);
        }
        assertTrue(text.contains("Microsoft.Windows.WDK.$(EchoNuGetArch).props"), "the WDK package's own .props file");
    }

    @Test
    void warningsAreErrorsAtLevel4WithCodeAnalysis() {
        assertEquals(List.of("Level4"), PROJECT.values("WarningLevel"));
        assertEquals(List.of("true"), PROJECT.values("TreatWarningAsError"));
        assertEquals("true", PROJECT.property("RunCodeAnalysis"));
        assertTrue(PROJECT.property("CodeAnalysisRuleSet").endsWith("DriverRecommendedRules.ruleset"),
                "Code Analysis with the WDK's driver rules");
        assertEquals(List.of("true"), PROJECT.values("TreatLinkerWarningAsErrors"));
    }

    @Test
    void infIsStampedWithADriverVerThatGrowsWithEveryBuild() {
        List<Item> infs = PROJECT.items("Inf");
        assertEquals(1, infs.size(), "one Inf item");
        assertEquals("echo.inx", infs.get(0).include());
        assertEquals("", infs.get(0).condition());
        assertEquals(List.of("true"), PROJECT.values("SpecifyDriverVerDirectiveDate"));
        assertEquals(List.of("*"), PROJECT.values("DateStamp"), "StampInf -d *: the date of the build");
        assertEquals(List.of("true"), PROJECT.values("SpecifyDriverVerDirectiveVersion"));
        // StampInf -v *: the time of the build as the version, so that a later build on
        // the same day ranks above an earlier one; a release overrides it with 4 parts.
        assertEquals("*", PROJECT.overridableDefault("EchoDriverVersion"), "EchoDriverVersion defaults to the time of the build");
        assertEquals(List.of("$(EchoDriverVersion)"), PROJECT.values("TimeStamp"));
        assertTrue(PROJECT.items("FilesToPackage").stream().anyMatch(i -> i.include().equals("$(TargetPath)")),
                "the driver binary must go into the package");
    }

    @Test
    void filtersListTheSameFiles() {
        Vcxproj filters = Vcxproj.read("echo.vcxproj.filters");
        for (String type : List.of("ClCompile", "ClInclude", "Inf")) {
            Set<String> inProject = new TreeSet<>();
            for (Item i : PROJECT.items(type)) {
                inProject.add(i.include());
            }
            Set<String> inFilters = new TreeSet<>();
            List<String> unfiled = new ArrayList<>();
            for (Element e : filters.elements(type)) {
                if (!e.hasAttribute("Include")) {
                    continue;
                }
                inFilters.add(e.getAttribute("Include").replace('\\', '/'));
                if (e.getElementsByTagNameNS(Vcxproj.MSBUILD_NS, "Filter").getLength() != 1) {
                    unfiled.add(e.getAttribute("Include"));
                }
            }
            assertEquals(inProject, inFilters, "echo.vcxproj.filters " + type + " items");
            assertEquals(List.of(), unfiled, "filters items without a Filter");
        }
    }
}
