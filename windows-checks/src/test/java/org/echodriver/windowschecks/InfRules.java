package org.echodriver.windowschecks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import org.echodriver.windowschecks.InfFile.Entry;
import org.echodriver.windowschecks.InfFile.Section;
import org.echodriver.windowschecks.InfModel.Copy;
import org.echodriver.windowschecks.InfModel.Service;

/**
 * InfVerif's rules that apply to a root-enumerated KMDF driver package, one rule per
 * InfVerif error or warning code, so that the INFs can be held to them here, without
 * Windows. Each rule names its code as InfVerif reports it ("ERROR(1322) in x.inf, line
 * 70: ...") and where the meaning of the code is stated.
 *
 * Sources of the codes and their meaning:
 * - "INF Validation Errors and Warnings" (learn.microsoft.com/windows-hardware/drivers/
 *   devtest/inf-validation-errors-and-warnings): 1001, 1003, 1100, 1203, 1204, 1212,
 *   1221, 1230, 1233, 1235, 1285, 1296, 1300-1306, 1330 (also "InfVerif Error 1330 -
 *   1333"), 2083, 2223.
 * - "InfVerif Error Code 1199" (Hardware Dev Center blog, April 2024): syntax used in
 *   DDInstall sections that install on OS versions older than the syntax; DIRID 13
 *   exists from Windows 10 version 1709 (build 16299).
 * - InfVerif's own messages as quoted in Microsoft's Windows-driver-samples pull requests:
 *   1322 "Destination file path ... is not isolated to DIRID 13" (#936, #804, #1003),
 *   1324 "no PnpLockdown=1" (#793), 1100 "Source and destination directory must match
 *   ... when using CopyFiles with DIRID 13" (#936).
 * - 1284, 1285 and 1293 are the warnings that Microsoft's samples suppress
 *   (Build-Samples.ps1: /sw1284 /sw1285 /sw1293, grouped as /samples from WDK 22621 on)
 *   because the samples install into Microsoft's own Sample class, with a
 *   [ClassInstall32] for it, and name their services after the sample (ECHO).
 *
 * Modes: {@link Mode#WINDOWS_DRIVER} is "infverif /w" (declarative and isolated driver
 * package, the requirement for a Windows Driver), {@link Mode#DEFAULT} is InfVerif
 * without a mode argument. The 13xx rules are errors under /w and warnings or silent
 * otherwise; the 2xxx rules are warnings.
 */
final class InfRules {

    enum Mode {
        WINDOWS_DRIVER("/w"), DEFAULT("(default)");

        final String argument;

        Mode(String argument) {
            this.argument = argument;
        }
    }

    enum Severity { ERROR, WARNING, NONE }

    /** One finding, as InfVerif would print it. */
    record Finding(int code, Severity severity, int line, String message) {
        @Override
        public String toString() {
            return (severity == Severity.ERROR ? "ERROR" : "WARN ") + "(" + code + ") line " + line + ": " + message;
        }
    }

    /** One rule: its code, what it says, its severity under /w and without a mode, and the check. */
    record Rule(int code, String title, Severity underW, Severity byDefault, Function<InfModel, List<Finding>> check) {
        Severity severity(Mode mode) {
            return mode == Mode.WINDOWS_DRIVER ? underW : byDefault;
        }
    }

    private InfRules() {
    }

    /** Runs every rule that reports something in the mode; findings sorted by line. */
    static List<Finding> check(byte[] bytes, Mode mode) {
        InfFile inf = InfFile.parse(bytes);
        InfModel model = InfModel.of(inf);
        List<Finding> findings = new ArrayList<>();
        for (Rule rule : ALL) {
            Severity severity = rule.severity(mode);
            if (severity == Severity.NONE) {
                continue;
            }
            for (Finding f : rule.check().apply(model)) {
                findings.add(new Finding(rule.code(), severity, f.line(), f.message()));
            }
        }
        findings.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line()) : Integer.compare(a.code(), b.code()));
        return findings;
    }

    private static Finding at(int line, String message) {
        return new Finding(0, Severity.ERROR, line, message);
    }

    // ---------------------------------------------------------------------------------
    // Facts the rules use
    // ---------------------------------------------------------------------------------

    /** Windows 10 version 1709: the first build with the driver store DIRID 13 for running drivers. */
    static final int DIRID_13_MIN_BUILD = 16299;

    /** Microsoft's Sample setup class, which its driver samples install into. */
    static final String SAMPLE_CLASS_NAME = "Sample";
    static final String SAMPLE_CLASS_GUID = "{78A1C341-4539-11D3-B88D-00C04FAD5171}";

    /** Service names of Microsoft's KMDF samples (echo installs the service ECHO). */
    static final Set<String> MICROSOFT_SAMPLE_SERVICES = Set.of("echo");

    /** DIRIDs below %SystemRoot% ("Using Dirids"): Windows, system32, drivers, driver store, INF, help, fonts, color, spool. */
    static final Set<Integer> DIRIDS_UNDER_SYSTEMROOT = Set.of(10, 11, 12, 13, 17, 18, 20, 23, 50, 51, 52, 55);

    /** Directives that a declarative package must not use: they run code or edit files outside the INF's model. */
    static final Set<String> LEGACY_DIRECTIVES = Set.of("registerdlls", "unregisterdlls", "updateinis", "updateinifields",
            "ini2reg", "profileitems", "bitreg", "logconfig");

    /** Directives that change something the package does not own. */
    static final Set<String> EXTERNAL_DIRECTIVES = Set.of("delservice", "delfiles", "renfiles");

    /** FLG_ADDREG_APPEND: append to a REG_MULTI_SZ value. */
    static final long FLG_ADDREG_APPEND = 0x00000008L;
    /** FLG_DELREG_MULTI_SZ_DELSTRING: delete one string from a REG_MULTI_SZ value. */
    static final long FLG_DELREG_MULTI_SZ_DELSTRING = 0x00018002L;
    /** SPSVCINST_ASSOCSERVICE: the service is the device's function driver. */
    static final int SPSVCINST_ASSOCSERVICE = 0x2;

    static final Set<String> SYSTEM_SECTION_PREFIXES = Set.of("version", "manufacturer", "strings", "sourcedisksnames",
            "sourcedisksfiles", "destinationdirs", "classinstall32");

    // ---------------------------------------------------------------------------------
    // The rules
    // ---------------------------------------------------------------------------------

    static final List<Rule> ALL = List.of(
            new Rule(1001, "[Version] with Signature \"$Windows NT$\"", Severity.ERROR, Severity.ERROR, InfRules::signature),
            new Rule(1003, "file encoding must be ANSI or UTF-16 LE", Severity.ERROR, Severity.ERROR, m -> encoding(m)),
            new Rule(1100, "CopyFiles to DIRID 13 keeps the file's name and folder", Severity.ERROR, Severity.ERROR,
                    InfRules::driverStoreCopyMatchesSource),
            new Rule(1199, "DIRID 13 needs models decorated for build 16299 or later", Severity.ERROR, Severity.WARNING,
                    InfRules::dirid13NeedsBuild16299),
            new Rule(1203, "section not found", Severity.ERROR, Severity.ERROR, InfRules::sectionNotFound),
            new Rule(1204, "Provider cannot be Microsoft", Severity.ERROR, Severity.ERROR, InfRules::providerNotMicrosoft),
            new Rule(1212, "cannot have both [DefaultInstall] and [Manufacturer]", Severity.ERROR, Severity.ERROR,
                    InfRules::defaultInstallAndManufacturer),
            new Rule(1221, "services registry key only through HKR", Severity.ERROR, Severity.ERROR, InfRules::servicesKeyThroughHkr),
            new Rule(1230, "copied file missing from [SourceDisksFiles]", Severity.ERROR, Severity.ERROR,
                    InfRules::copiedFileInSourceDisksFiles),
            new Rule(1233, "CatalogFile required for a signature", Severity.ERROR, Severity.ERROR, InfRules::catalogFile),
            new Rule(1235, "string token not defined in [Strings]", Severity.ERROR, Severity.ERROR, InfRules::stringTokens),
            new Rule(1284, "setup class is Microsoft's (Sample)", Severity.WARNING, Severity.WARNING, InfRules::microsoftClass),
            new Rule(1285, "[ClassInstall32] for a Microsoft-defined class", Severity.WARNING, Severity.WARNING,
                    InfRules::classInstallForMicrosoftClass),
            new Rule(1293, "service name of a Microsoft sample", Severity.WARNING, Severity.WARNING, InfRules::microsoftServiceName),
            new Rule(1296, "service not associated with hardware", Severity.ERROR, Severity.ERROR, InfRules::functionDriverService),
            new Rule(1300, "legacy section (co-installers, LogConfig)", Severity.ERROR, Severity.WARNING, InfRules::legacySections),
            new Rule(1301, "legacy directive", Severity.ERROR, Severity.WARNING, InfRules::legacyDirectives),
            new Rule(1302, "operation on something outside the package", Severity.ERROR, Severity.WARNING,
                    InfRules::externalOperations),
            new Rule(1303, "AddReg defining co-installers", Severity.ERROR, Severity.WARNING, InfRules::coInstallerRegistry),
            new Rule(1304, "registry operation with a root other than HKR", Severity.ERROR, Severity.WARNING,
                    InfRules::nonRelativeRegistryRoot),
            new Rule(1305, "appending to or deleting from a REG_MULTI_SZ value", Severity.ERROR, Severity.WARNING,
                    InfRules::appendableMultiSz),
            new Rule(1306, "file copy target outside %SystemRoot%", Severity.ERROR, Severity.WARNING, InfRules::systemTargetPath),
            new Rule(1322, "destination not isolated to DIRID 13", Severity.ERROR, Severity.NONE, InfRules::isolatedToDirid13),
            new Rule(1324, "PnpLockdown=1 in [Version]", Severity.ERROR, Severity.WARNING, InfRules::pnpLockdown),
            new Rule(1330, "one destination file from several source files", Severity.ERROR, Severity.ERROR,
                    InfRules::oneSourcePerDestination),
            new Rule(2083, "section not referenced or used", Severity.WARNING, Severity.WARNING, InfRules::unreferencedSections),
            new Rule(2223, "Models section needs an architecture decoration", Severity.WARNING, Severity.WARNING,
                    InfRules::architectureDecoration));

    static Rule rule(int code) {
        return ALL.stream().filter(r -> r.code() == code).findFirst().orElseThrow(() -> new AssertionError("no rule " + code));
    }

    private static List<Finding> signature(InfModel m) {
        Section version = m.inf.section("Version").orElse(null);
        if (version == null) {
            return List.of(at(1, "the INF has no [Version] section"));
        }
        String signature = version.value("Signature").map(v -> InfFile.splitFields(v).get(0)).orElse("");
        if (!signature.equalsIgnoreCase("$Windows NT$")) {
            return List.of(at(version.line(), "[Version] Signature must be \"$Windows NT$\", not \"" + signature + "\""));
        }
        return List.of();
    }

    private static List<Finding> encoding(InfModel m) {
        InfFile.Encoding e = m.inf.encoding();
        if (e == InfFile.Encoding.ASCII || e == InfFile.Encoding.UTF16LE) {
            return List.of();
        }
        return List.of(at(1, "encoding " + e + ": an INF must be ANSI or UTF-16 LE"));
    }

    private static List<Finding> driverStoreCopyMatchesSource(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (Copy c : m.copies) {
            if (c.dirid() != 13) {
                continue;
            }
            if (!c.subdirectory().isEmpty() || !c.destination().equalsIgnoreCase(c.source())) {
                found.add(at(c.line(), "source and destination must match for " + c.source()
                        + " when copying to DIRID 13 (copied as " + (c.subdirectory().isEmpty() ? "" : c.subdirectory() + "\\")
                        + c.destination() + ")"));
            }
        }
        return found;
    }

    private static boolean usesDirid13(InfModel m) {
        for (Copy c : m.copies) {
            if (c.dirid() == 13) {
                return true;
            }
        }
        for (Entry e : m.serviceBinaries().values()) {
            if (InfModel.diridOf(e.value()) == 13) {
                return true;
            }
        }
        return false;
    }

    /** The build a TargetOSVersion decoration (NT[Arch][.Major[.Minor[.Type[.Suite[.Build]]]]]) requires, 0 for none. */
    static int minimumBuild(String decoration) {
        String[] fields = decoration.split("\\.", -1);
        if (fields.length < 2 || fields[1].isEmpty() || Integer.parseInt(fields[1]) < 10) {
            return 0;
        }
        if (fields.length < 6 || fields[5].isEmpty()) {
            return 10240;
        }
        return Integer.parseInt(fields[5]);
    }

    private static List<Finding> dirid13NeedsBuild16299(InfModel m) {
        if (!usesDirid13(m)) {
            return List.of();
        }
        List<Finding> found = new ArrayList<>();
        Section manufacturer = m.inf.section("Manufacturer").orElse(null);
        int line = manufacturer == null ? 1 : manufacturer.line();
        for (Map.Entry<String, String> models : m.models.entrySet()) {
            if (minimumBuild(models.getValue()) < DIRID_13_MIN_BUILD) {
                found.add(at(line, "DIRID 13 was introduced in OS version 10.0." + DIRID_13_MIN_BUILD + " but [" + models.getKey()
                        + "] installs on earlier versions: decorate it NT<arch>.10.0..." + DIRID_13_MIN_BUILD));
            }
        }
        return found;
    }

    private static List<Finding> sectionNotFound(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (InfModel.Missing missing : m.missing) {
            found.add(at(missing.line(), "section [" + missing.section() + "] not found (" + missing.referencedFrom() + ")"));
        }
        return found;
    }

    private static List<Finding> providerNotMicrosoft(InfModel m) {
        return m.inf.section("Version").flatMap(v -> v.withKey("Provider").stream().findFirst())
                .filter(e -> m.inf.expand(InfFile.splitFields(e.value()).get(0)).strip().equalsIgnoreCase("Microsoft"))
                .map(e -> List.of(at(e.line(), "Provider cannot be Microsoft")))
                .orElse(List.of());
    }

    private static List<Finding> defaultInstallAndManufacturer(InfModel m) {
        if (m.inf.section("Manufacturer").isPresent()) {
            for (Section s : m.inf.sections()) {
                if (s.name().toLowerCase(Locale.ROOT).startsWith("defaultinstall")) {
                    return List.of(at(s.line(), "[" + s.name() + "] and [Manufacturer] in one INF"));
                }
            }
        }
        return List.of();
    }

    private static List<Finding> servicesKeyThroughHkr(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (String name : m.registrySections.keySet()) {
            for (Entry e : m.inf.require(name).entries()) {
                List<String> f = e.fields();
                String root = f.get(0).toUpperCase(Locale.ROOT);
                String subkey = f.size() > 1 ? m.inf.expand(f.get(1)).toLowerCase(Locale.ROOT) : "";
                if ((root.equals("HKLM") || root.equals("HKEY_LOCAL_MACHINE"))
                        && subkey.startsWith("system\\currentcontrolset\\services")) {
                    found.add(at(e.line(), "[" + name + "] writes " + f.get(0) + "\\" + f.get(1) + ": use HKR in the service-install section"));
                }
            }
        }
        return found;
    }

    private static Set<String> sourceDisksFiles(InfModel m) {
        Set<String> files = new java.util.TreeSet<>();
        for (Section s : m.inf.sections()) {
            String n = s.name().toLowerCase(Locale.ROOT);
            if (n.equals("sourcedisksfiles") || n.startsWith("sourcedisksfiles.")) {
                for (Entry e : s.entries()) {
                    files.add((e.key() != null ? e.key() : e.fields().get(0)).toLowerCase(Locale.ROOT));
                }
            }
        }
        return files;
    }

    private static List<Finding> copiedFileInSourceDisksFiles(InfModel m) {
        Set<String> listed = sourceDisksFiles(m);
        List<Finding> found = new ArrayList<>();
        for (Copy c : m.copies) {
            if (!listed.contains(c.source().toLowerCase(Locale.ROOT))) {
                found.add(at(c.line(), "missing file '" + c.source() + "' under [SourceDisksFiles]"));
            }
        }
        return found;
    }

    private static List<Finding> catalogFile(InfModel m) {
        Section version = m.inf.section("Version").orElse(null);
        if (version == null) {
            return List.of();
        }
        for (Entry e : version.entries()) {
            if (e.key() != null && e.key().toLowerCase(Locale.ROOT).startsWith("catalogfile") && !e.value().isBlank()) {
                return List.of();
            }
        }
        return List.of(at(version.line(), "[Version] has no CatalogFile, which a signed package needs"));
    }

    private static List<Finding> stringTokens(InfModel m) {
        Map<String, String> strings = m.inf.strings();
        List<Finding> found = new ArrayList<>();
        for (String token : m.inf.tokenReferences()) {
            if (!strings.containsKey(token.toLowerCase(Locale.ROOT))) {
                found.add(at(0, "string token %" + token + "% not defined in [Strings]"));
            }
        }
        return found;
    }

    private static boolean isMicrosoftClass(InfModel m) {
        Section version = m.inf.section("Version").orElse(null);
        if (version == null) {
            return false;
        }
        String name = version.value("Class").map(v -> InfFile.splitFields(v).get(0)).orElse("");
        String guid = version.value("ClassGuid").map(v -> InfFile.splitFields(v).get(0)).orElse("");
        return name.equalsIgnoreCase(SAMPLE_CLASS_NAME) || guid.equalsIgnoreCase(SAMPLE_CLASS_GUID);
    }

    private static List<Finding> microsoftClass(InfModel m) {
        if (!isMicrosoftClass(m)) {
            return List.of();
        }
        return List.of(at(m.inf.require("Version").line(), "Class/ClassGuid name Microsoft's Sample setup class: a package brings its own"));
    }

    private static List<Finding> classInstallForMicrosoftClass(InfModel m) {
        if (!isMicrosoftClass(m) || m.inf.section("ClassInstall32").isEmpty()) {
            return List.of();
        }
        return List.of(at(m.inf.require("ClassInstall32").line(), "[ClassInstall32] for the Microsoft-defined class " + SAMPLE_CLASS_NAME));
    }

    private static List<Finding> microsoftServiceName(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (Service s : m.services) {
            if (MICROSOFT_SAMPLE_SERVICES.contains(s.name().toLowerCase(Locale.ROOT))) {
                found.add(at(s.line(), "service name " + s.name() + " is the one Microsoft's sample installs"));
            }
        }
        return found;
    }

    private static List<Finding> functionDriverService(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (String install : m.installsWithoutServices) {
            found.add(at(m.inf.require(install).line(), "[" + install + ".Services] is missing: the device has no service"));
        }
        for (String install : m.installSections) {
            if (m.installsWithoutServices.contains(install)) {
                continue;
            }
            boolean associated = m.services.stream()
                    .anyMatch(s -> s.ddinstall().equals(install) && (s.flags() & SPSVCINST_ASSOCSERVICE) != 0);
            if (!associated) {
                found.add(at(m.inf.require(install + ".Services").line(),
                        "no AddService in [" + install + ".Services] has SPSVCINST_ASSOCSERVICE (0x2)"));
            }
        }
        return found;
    }

    private static List<Finding> legacySections(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (Section s : m.inf.sections()) {
            String n = s.name().toLowerCase(Locale.ROOT);
            if (n.endsWith(".coinstallers") || n.endsWith(".logconfigoverride")) {
                found.add(at(s.line(), "found legacy section [" + s.name() + "]"));
            }
        }
        return found;
    }

    private static List<Finding> directives(InfModel m, Set<String> names, String what) {
        List<Finding> found = new ArrayList<>();
        for (Section s : m.inf.sections()) {
            for (Entry e : s.entries()) {
                if (e.key() != null && names.contains(e.key().toLowerCase(Locale.ROOT))) {
                    found.add(at(e.line(), what + " " + e.key() + " in [" + s.name() + "]"));
                }
            }
        }
        return found;
    }

    private static List<Finding> legacyDirectives(InfModel m) {
        return directives(m, LEGACY_DIRECTIVES, "found legacy directive");
    }

    private static List<Finding> externalOperations(InfModel m) {
        return directives(m, EXTERNAL_DIRECTIVES, "found legacy operation on something outside the package:");
    }

    private static List<Finding> coInstallerRegistry(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (String name : m.registrySections.keySet()) {
            for (Entry e : m.inf.require(name).entries()) {
                List<String> f = e.fields();
                if (f.size() > 2 && f.get(2).equalsIgnoreCase("CoInstallers32")) {
                    found.add(at(e.line(), "found legacy AddReg operation defining co-installers (CoInstallers32)"));
                }
            }
        }
        return found;
    }

    private static List<Finding> nonRelativeRegistryRoot(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (String name : m.registrySections.keySet()) {
            for (Entry e : m.inf.require(name).entries()) {
                String root = e.fields().get(0);
                if (!root.equalsIgnoreCase("HKR")) {
                    found.add(at(e.line(), "found legacy registry operation using non-relative key " + root + " in [" + name + "]"));
                }
            }
        }
        return found;
    }

    private static List<Finding> appendableMultiSz(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (String name : m.registrySections.keySet()) {
            for (Entry e : m.inf.require(name).entries()) {
                List<String> f = e.fields();
                if (f.size() > 3 && !f.get(3).isEmpty() && InfModel.isNumber(m.inf.expand(f.get(3)))) {
                    long flags = InfModel.number(m.inf.expand(f.get(3)));
                    boolean append = (flags & 0x00010000L) != 0 && (flags & FLG_ADDREG_APPEND) != 0 && (flags & 0x1L) == 0;
                    if (append || flags == FLG_DELREG_MULTI_SZ_DELSTRING) {
                        found.add(at(e.line(), "found legacy operation using appendable multi-sz value " + f.get(2)));
                    }
                }
            }
        }
        return found;
    }

    private static List<Finding> systemTargetPath(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (Copy c : m.copies) {
            if (!DIRIDS_UNDER_SYSTEMROOT.contains(c.dirid())) {
                found.add(at(c.line(), "found legacy operation with non-system target path: DIRID " + c.dirid() + " for " + c.destination()));
            }
        }
        return found;
    }

    private static List<Finding> isolatedToDirid13(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (Copy c : m.copies) {
            if (c.dirid() != 13) {
                found.add(at(c.line(), "destination DIRID " + c.dirid() + " for file '" + c.destination() + "' is not isolated to DIRID 13"));
            }
        }
        for (Map.Entry<String, Entry> b : m.serviceBinaries().entrySet()) {
            if (InfModel.diridOf(b.getValue().value()) != 13) {
                found.add(at(b.getValue().line(), "ServiceBinary " + b.getValue().value() + " of [" + b.getKey()
                        + "] is not isolated to DIRID 13"));
            }
        }
        return found;
    }

    private static List<Finding> pnpLockdown(InfModel m) {
        Section version = m.inf.section("Version").orElse(null);
        if (version == null) {
            return List.of();
        }
        String value = version.value("PnpLockdown").map(v -> InfFile.splitFields(v).get(0)).orElse("");
        if (!value.equals("1")) {
            return List.of(at(version.line(), "[Version] needs PnpLockdown=1, found '" + value + "'"));
        }
        return List.of();
    }

    private static List<Finding> oneSourcePerDestination(InfModel m) {
        Map<String, Set<String>> sources = new TreeMap<>();
        Map<String, Integer> lines = new TreeMap<>();
        for (Copy c : m.copies) {
            String destination = (c.dirid() + "\\" + c.subdirectory() + "\\" + c.destination()).toLowerCase(Locale.ROOT);
            sources.computeIfAbsent(destination, k -> new java.util.TreeSet<>()).add(c.source().toLowerCase(Locale.ROOT));
            lines.putIfAbsent(destination, c.line());
        }
        List<Finding> found = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : sources.entrySet()) {
            if (e.getValue().size() > 1) {
                found.add(at(lines.get(e.getKey()), "destination " + e.getKey() + " is copied from several source files " + e.getValue()));
            }
        }
        return found;
    }

    private static List<Finding> unreferencedSections(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (Section s : m.inf.sections()) {
            String n = s.name().toLowerCase(Locale.ROOT);
            String base = n.contains(".") ? n.substring(0, n.indexOf('.')) : n;
            // [DefaultInstall] is an entry point of its own (1212 reports it beside [Manufacturer]).
            if (SYSTEM_SECTION_PREFIXES.contains(base) || base.equals("defaultinstall") || m.reached.contains(n)) {
                continue;
            }
            found.add(at(s.line(), "section [" + s.name() + "] not referenced or used"));
        }
        return found;
    }

    private static List<Finding> architectureDecoration(InfModel m) {
        List<Finding> found = new ArrayList<>();
        for (int line : m.undecoratedManufacturers) {
            found.add(at(line, "[Manufacturer] names a Models section without an architecture decoration (NTamd64, NTarm64, ...)"));
        }
        return found;
    }
}
