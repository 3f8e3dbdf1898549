package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The names the Windows scripts use agree with the driver, the INF and the build: the
 * interface GUID of driver/public.h, the class, service and files of echo.inx, and the
 * variants, platforms and configurations of echo.vcxproj that build.ps1 offers.
 */
class ConsistencyTest {

    private static final String MODULE = Repository.text("scripts/EchoCommon.psm1");

    private static String moduleConstant(String name) {
        Matcher m = Pattern.compile("\\$script:" + name + "\\s*=\\s*'([^']*)'").matcher(MODULE);
        assertTrue(m.find(), "EchoCommon.psm1 does not set $script:" + name);
        return m.group(1);
    }

    @Test
    void interfaceGuidIsTheDriversOne() {
        String publicH = Repository.text("driver/public.h");
        Matcher m = Pattern.compile("DEFINE_GUID\\s*\\(\\s*GUID_DEVINTERFACE_ECHO\\s*,([^)]*)\\)").matcher(publicH);
        assertTrue(m.find(), "driver/public.h defines GUID_DEVINTERFACE_ECHO");
        long[] p = Arrays.stream(m.group(1).split(",")).map(String::trim).mapToLong(Long::decode).toArray();
        assertEquals(11, p.length, "DEFINE_GUID takes 11 numbers");
        String guid = String.format(Locale.ROOT, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]);
        assertEquals(guid, moduleConstant("EchoInterfaceGuid").toUpperCase(Locale.ROOT));
    }

    @Test
    void namesAreTheInfsOnes() {
        assertEquals(InfCheckTest.CLASS_GUID, moduleConstant("EchoClassGuid"));
        assertEquals(InfCheckTest.CLASS_NAME, moduleConstant("EchoClassName"));
        assertEquals(InfCheckTest.SERVICE_NAME, moduleConstant("EchoServiceName"));
        assertEquals(BuildOutputs.vcxprojDriverFile(), moduleConstant("EchoDriverFile"));
        assertEquals("echo.inf", moduleConstant("EchoInfFile"));
        assertEquals("echo.cat", moduleConstant("EchoCatalogFile"));
        assertTrue(InstallScript.hardwareId().equalsIgnoreCase(moduleConstant("EchoHardwareId")));
    }

    private static Set<String> validateSet(String script, String parameter) {
        String text = Repository.text("scripts/" + script);
        Matcher m = Pattern.compile("\\[ValidateSet\\(([^)]*)\\)\\]\\s*\\[string(?:\\[\\])?\\]\\s*\\$" + parameter + "\\b").matcher(text);
        assertTrue(m.find(), script + ": -" + parameter + " has a ValidateSet");
        return Arrays.stream(m.group(1).split(",")).map(s -> s.trim().replace("'", "")).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void buildScriptOffersWhatTheProjectBuilds() {
        Vcxproj project = Vcxproj.read("echo.vcxproj");
        Set<String> platforms = new TreeSet<>();
        Set<String> configurations = new TreeSet<>();
        for (Element e : project.elements("ProjectConfiguration")) {
            String[] parts = e.getAttribute("Include").split("\\|");
            configurations.add(parts[0]);
            platforms.add(parts[1]);
        }
        Set<String> variants = new TreeSet<>();
        for (Element e : project.elements("EchoVariantDir")) {
            Matcher m = Pattern.compile("'(\\w+)'\\s*$").matcher(Vcxproj.conditionOf(e));
            assertTrue(m.find());
            variants.add(m.group(1));
        }
        assertEquals(variants, validateSet("build.ps1", "Variant"));
        assertEquals(platforms, validateSet("build.ps1", "Platform"));
        assertEquals(configurations, validateSet("build.ps1", "Configuration"));
        assertEquals(variants, validateSet("install.ps1", "Variant"));
        assertEquals(configurations, validateSet("install.ps1", "Configuration"));
    }
}
