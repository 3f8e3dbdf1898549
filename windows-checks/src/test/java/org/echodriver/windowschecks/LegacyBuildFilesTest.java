package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Holds the WDK 7.1 build files (sources, makefile, makefile.inc) of the Windows 7 build
 * to the driver sources: every shared source and the chosen variant's queue.c compiled,
 * nothing of the host, KMDF 1.9, /W4 /WX, and echo.inf stamped from echo-win7.inx.
 */
class LegacyBuildFilesTest {

    private static final Map<String, String> MACROS = BuildOutputs.sourcesMacros();

    private static List<String> list(String macro) {
        String value = MACROS.get(macro);
        assertTrue(value != null, "sources does not set " + macro);
        return Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }

    @Test
    void driverTargetWithKmdf19AndWarningsAsErrors() {
        assertEquals("echo", MACROS.get("TARGETNAME"));
        assertEquals("DRIVER", MACROS.get("TARGETTYPE"));
        assertEquals("1.9", BuildOutputs.legacyKmdfVersion(), "Windows 7 ships KMDF 1.9");
        assertEquals("/W4 /WX", MACROS.get("MSC_WARNING_LEVEL"));
        assertEquals("$(OBJ_PATH)\\$(O)", MACROS.get("ECHO_OBJ"));
        assertEquals("..\\..\\driver", MACROS.get("ECHO_DRIVER"), "the driver sources, relative to " + BuildOutputs.LEGACY_DIR);
        assertTrue(Files.isDirectory(Repository.file(BuildOutputs.LEGACY_DIR).resolve("../../driver").normalize()),
                "ECHO_DRIVER must name driver/ from " + BuildOutputs.LEGACY_DIR);
    }

    @Test
    void driverHeaderHasItsIncludesAtTheTop() {
        // driver.h: the includes first (after the POOL_NX_OPTIN opt-in that must precede
        // the kit's headers), then declarations only: no code, no #include further down.
        String[] lines = Repository.text("driver/driver.h").split("\\r?\\n");
        int lastInclude = -1;
        int firstDeclaration = -1;
        boolean comment = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (comment) {
                comment = !line.contains("*/");
                continue;
            }
            if (line.startsWith("/*")) {
                comment = !line.contains("*/");
                continue;
            }
            if (line.isEmpty() || line.startsWith("//") || line.startsWith("#pragma once")) {
                continue;
            }
            if (line.startsWith("#include")) {
                lastInclude = i;
            } else if (!line.startsWith("#") && firstDeclaration < 0) {
                firstDeclaration = i;
            }
        }
        assertTrue(lastInclude >= 0 && firstDeclaration > lastInclude,
                "driver.h: every #include before the first declaration (last include on line " + (lastInclude + 1)
                        + ", first declaration on line " + (firstDeclaration + 1) + ")");
        assertFalse(Repository.text("driver/driver.h").contains("FORCEINLINE"), "driver.h declares; code lives in the .c files");
    }

    @Test
    void win7CompatibilityLivesInTheLegacyFolderOnly() {
        // driver.h includes win7compat.h only under ECHO_WIN7_COMPAT, which only the
        // legacy build defines, from the folder only the legacy build has on its path.
        assertTrue(Files.isRegularFile(Repository.file(BuildOutputs.LEGACY_DIR + "/win7compat.h")), "win7compat.h");
        assertTrue(MACROS.get("C_DEFINES").contains("-DECHO_WIN7_COMPAT"), "sources must define ECHO_WIN7_COMPAT");
        assertTrue(Arrays.asList(MACROS.get("INCLUDES").split(";")).contains("."), "sources must put its folder on INCLUDES");
        String driverH = Repository.text("driver/driver.h");
        assertTrue(Pattern.compile("#ifdef ECHO_WIN7_COMPAT\\s*\\n#include \"win7compat.h\"\\s*\\n#endif").matcher(driverH).find(),
                "driver.h includes win7compat.h under ECHO_WIN7_COMPAT");
        for (String source : Repository.driverSources()) {
            String text = Repository.text(source);
            assertFalse(text.contains("#ifndef _In_") || text.contains("NTDDI_WIN10_VB") || text.contains("ExAllocatePoolWithTag("),
                    source + " carries Windows 7 compatibility that belongs in win7compat.h");
        }
        assertFalse(Repository.text("echo.vcxproj").contains("ECHO_WIN7_COMPAT"), "echo.vcxproj must not use the Windows 7 compatibility");
    }

    @Test
    void variantsMapToTheDriverDirectories() {
        String text = Repository.text(BuildOutputs.LEGACY_DIR + "/sources");
        Map<String, String> mapping = new TreeMap<>();
        Matcher m = Pattern.compile("\"\\$\\(ECHO_VARIANT\\)\"\\s*==\\s*\"(\\w+)\"\\s*\\r?\\n\\s*ECHO_VARIANT_DIR=(\\w+)").matcher(text);
        while (m.find()) {
            mapping.put(m.group(2), m.group(1));
        }
        assertEquals(Map.of("autosync", "AutoSync", "driversync", "DriverSync"), mapping);
        assertEquals(new TreeSet<>(Repository.variantDirectories()), mapping.keySet(), "every variant directory of driver/");
        assertTrue(text.contains("!ERROR ECHO_VARIANT must be AutoSync or DriverSync"), "an unknown ECHO_VARIANT must stop the build");
        assertTrue(Pattern.compile("^ECHO_VARIANT=AutoSync$", Pattern.MULTILINE).matcher(text).find(), "AutoSync by default");
        List<String> includes = Arrays.asList(MACROS.get("INCLUDES").split(";"));
        assertTrue(includes.contains("$(ECHO_DRIVER)") && includes.contains("$(ECHO_DRIVER)\\$(ECHO_VARIANT_DIR)"),
                "INCLUDES must hold $(ECHO_DRIVER) and $(ECHO_DRIVER)\\$(ECHO_VARIANT_DIR): " + includes);
    }

    @Test
    void compilesExactlyTheDriverSources() {
        Set<String> shared = Repository.driverSources().stream()
                .filter(s -> s.matches("driver/[^/]+\\.c"))
                .map(s -> s.substring("driver/".length()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = new TreeSet<>();
        for (String s : shared) {
            expected.add("$(ECHO_OBJ)\\" + s);
        }
        expected.add("$(ECHO_OBJ)\\queue_$(ECHO_VARIANT_DIR).c");
        assertEquals(expected, new TreeSet<>(list("SOURCES")), "SOURCES");
        Set<String> targets = new TreeSet<>(expected);
        targets.add("$(ECHO_OBJ)\\echo.inf");
        assertEquals(targets, new TreeSet<>(list("NTTARGETFILE0")), "NTTARGETFILE0 (pass 0 makes the copies and the INF)");
        assertFalse(Repository.text(BuildOutputs.LEGACY_DIR + "/sources").toLowerCase().contains("host"), "sources mentions the host");
    }

    @Test
    void makefileIncCopiesEachSourceAndStampsTheInf() {
        String inc = Repository.text(BuildOutputs.LEGACY_DIR + "/makefile.inc");
        Map<String, String> rules = new TreeMap<>();
        Matcher m = Pattern.compile("^(\\S+):\\s*(\\S+)\\s*$", Pattern.MULTILINE).matcher(inc);
        while (m.find()) {
            rules.put(m.group(1), m.group(2));
        }
        for (String target : list("NTTARGETFILE0")) {
            assertTrue(rules.containsKey(target), "makefile.inc has no rule for " + target);
        }
        for (String source : list("SOURCES")) {
            String file = source.substring("$(ECHO_OBJ)\\".length());
            String from = file.startsWith("queue_") ? "$(ECHO_DRIVER)\\$(ECHO_VARIANT_DIR)\\queue.c" : "$(ECHO_DRIVER)\\" + file;
            assertEquals(from, rules.get(source), "makefile.inc: " + source + " must be copied from " + from);
            assertTrue(inc.contains("copy /y " + from + " $@"), "makefile.inc: copy command for " + from);
        }
        assertEquals("echo-win7.inx", rules.get("$(ECHO_OBJ)\\echo.inf"), "echo.inf comes from echo-win7.inx");
        assertTrue(inc.contains("stampinf -f $@ -a $(_BUILDARCH) -k $(KMDF_VERSION_MAJOR).$(KMDF_VERSION_MINOR) -d * -v $(ECHO_DRIVER_VERSION)"),
                "makefile.inc: StampInf must write DriverVer and the KMDF version");
        for (String line : inc.split("\\r?\\n")) {
            if (!line.isBlank() && !line.startsWith("#") && !line.contains(":")) {
                assertTrue(line.startsWith("    "), "makefile.inc: a command line must be indented: " + line);
            }
        }
    }

    @Test
    void makefileHandsOverToTheBuildEnvironment() {
        List<String> lines = Arrays.stream(Repository.text(BuildOutputs.LEGACY_DIR + "/makefile").split("\\r?\\n"))
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .collect(Collectors.toList());
        assertEquals(List.of("!INCLUDE $(NTMAKEENV)\\makefile.def"), lines);
    }
}
