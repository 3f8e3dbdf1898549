package org.echodriver.windowschecks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the two Windows builds produce, read from their build files. */
final class BuildOutputs {

    private BuildOutputs() {
    }

    /** echo.vcxproj: TargetName plus .sys for a Driver configuration type. */
    static String vcxprojDriverFile() {
        Vcxproj project = Vcxproj.read("echo.vcxproj");
        String type = project.property("ConfigurationType");
        if (!type.equals("Driver")) {
            throw new AssertionError("echo.vcxproj ConfigurationType is " + type + ", not Driver");
        }
        return project.property("TargetName") + ".sys";
    }

    static String vcxprojKmdfVersion() {
        Vcxproj project = Vcxproj.read("echo.vcxproj");
        return project.property("KMDF_VERSION_MAJOR") + "." + project.property("KMDF_VERSION_MINOR");
    }

    /**
     * The KMDF version echo.vcxproj builds a platform against: the unconditional
     * KMDF_VERSION_MINOR, or the one set under '$(Platform)' == 'PLATFORM'.
     */
    static String vcxprojKmdfVersion(String platform) {
        Vcxproj project = Vcxproj.read("echo.vcxproj");
        String minor = project.property("KMDF_VERSION_MINOR");
        for (org.w3c.dom.Element e : project.elements("KMDF_VERSION_MINOR")) {
            String condition = Vcxproj.conditionOf(e).replace(" ", "");
            if (condition.equals("'$(Platform)'=='" + platform + "'")) {
                minor = e.getTextContent().trim();
            } else if (!condition.isEmpty() && !condition.matches("'\\$\\(Platform\\)'=='\\w+'")) {
                throw new AssertionError("KMDF_VERSION_MINOR under a condition other than the platform: " + condition);
            }
        }
        return project.property("KMDF_VERSION_MAJOR") + "." + minor;
    }

    /** The folder of the WDK 7.1 build for Windows 7: sources, makefile, makefile.inc, echo-win7.inx. */
    static final String LEGACY_DIR = "legacy/win7";

    /** The plain NAME=value macro assignments of the WDK 7.1 sources file. */
    static Map<String, String> sourcesMacros() {
        String text = Repository.text(LEGACY_DIR + "/sources").replaceAll("\\\\\\r?\\n", " ");
        Map<String, String> macros = new LinkedHashMap<>();
        Matcher m = Pattern.compile("^([A-Z_][A-Z0-9_]*)\\s*=\\s*(.*)$", Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            macros.putIfAbsent(m.group(1), m.group(2).trim());
        }
        return macros;
    }

    /** sources: TARGETNAME plus .sys for TARGETTYPE=DRIVER. */
    static String legacyDriverFile() {
        Map<String, String> macros = sourcesMacros();
        if (!"DRIVER".equals(macros.get("TARGETTYPE"))) {
            throw new AssertionError("sources TARGETTYPE is " + macros.get("TARGETTYPE") + ", not DRIVER");
        }
        return macros.get("TARGETNAME") + ".sys";
    }

    static String legacyKmdfVersion() {
        Map<String, String> macros = sourcesMacros();
        return macros.get("KMDF_VERSION_MAJOR") + "." + macros.get("KMDF_VERSION_MINOR");
    }
}
