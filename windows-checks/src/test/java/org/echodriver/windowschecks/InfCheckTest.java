package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.echodriver.windowschecks.InfFile.Entry;
import org.echodriver.windowschecks.InfFile.Section;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Holds the INF files to what the rest of the repository says (InfVerif's own rules are
 * InfRules, checked by InfRulesTest): the driver's registry value and its bounds, the hardware id that
 * install.ps1 creates, the file the build produces, and the device security the README
 * states.
 *
 * References: "INF Validation Errors and Warnings" and "Validating Windows Drivers"
 * (InfVerif /w: declarative (D) principle and driver package isolation),
 * "General Guidelines for INF Files" (ANSI or UTF-16 LE), "INF Version Section",
 * "Using DIRIDs" (13: the driver store, where an isolated package runs from),
 * "Specifying WDF Directives in INF Files", "Setting Device Object Registry Properties
 * During Installation" (Security, DeviceCharacteristics), all on
 * learn.microsoft.com/windows-hardware/drivers.
 */
class InfCheckTest {

    /** The INF files, and where their rules differ. */
    enum Inf {
        /** Windows 10 and 11, x64 and ARM64: driver store (DIRID 13). */
        WINDOWS_10("echo.inx", 13, List.of("ntamd64", "ntarm64")),
        /** Windows 7, x86 and x64: System32\drivers (DIRID 12); Windows 7 has no DIRID 13. */
        WINDOWS_7(BuildOutputs.LEGACY_DIR + "/echo-win7.inx", 12, List.of("ntx86", "ntamd64"));

        final String path;
        final int dirid;
        final List<String> platforms;

        Inf(String path, int dirid, List<String> platforms) {
            this.path = path;
            this.dirid = dirid;
            this.platforms = platforms;
        }

        InfFile read() {
            return InfFile.parse(Repository.bytes(path));
        }
    }

    static final String CLASS_NAME = "EchoKmdfSample";
    static final String CLASS_GUID = "{8F3B2A64-5C1D-4E7A-9B0C-2D6E4F1A3B57}";
    static final String SERVICE_NAME = "EchoKmdf";
    static final String DRIVER_FILE = "echo.sys";

    /**
     * The device's security descriptor as the README states it: full access (GA) for
     * SYSTEM (SY) and Administrators (BA), read and write (GRGW) for interactive users
     * (IU), protected (P) from inherited entries.
     */
    static final String DEVICE_SDDL = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;IU)";

    /** FILE_DEVICE_SECURE_OPEN (wdm.h). */
    static final int FILE_DEVICE_SECURE_OPEN = 0x100;

    /** Class and service names that Windows or the WDK samples own and InfVerif refuses. */
    static final Set<String> RESERVED_CLASS_NAMES = Set.of("sample");
    static final Set<String> RESERVED_SERVICE_NAMES = Set.of("echo");
    /** The setup class GUID of the WDK samples' Sample class. */
    static final String SAMPLE_CLASS_GUID = "{78A1C341-4539-11D3-B88D-00C04FAD5171}";

    // ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Inf.class)
    void syntaxIsClean(Inf inf) {
        InfFile file = inf.read();
        assertEquals(List.of(), file.problems(), inf.path + ": syntax problems");
        Map<String, String> strings = file.strings();
        List<String> missing = new ArrayList<>();
        for (String token : file.tokenReferences()) {
            if (!strings.containsKey(token.toLowerCase(Locale.ROOT))) {
                missing.add("%" + token + "%");
            }
        }
        assertEquals(List.of(), missing, inf.path + ": string tokens without a [Strings] entry");
    }

    @ParameterizedTest
    @EnumSource(Inf.class)
    void versionSection(Inf inf) {
        InfFile file = inf.read();
        Section version = file.require("Version");
        assertEquals("$windows nt$", first(version, "Signature").toLowerCase(Locale.ROOT), "Signature");
        String className = first(version, "Class");
        assertEquals(CLASS_NAME, className, "Class");
        assertFalse(RESERVED_CLASS_NAMES.contains(className.toLowerCase(Locale.ROOT)), "Class " + className + " is reserved");
        String classGuid = first(version, "ClassGuid");
        assertTrue(classGuid.matches("\\{[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\\}"), "ClassGuid format: " + classGuid);
        assertEquals(CLASS_GUID, classGuid.toUpperCase(Locale.ROOT), "ClassGuid");
        assertFalse(SAMPLE_CLASS_GUID.equalsIgnoreCase(classGuid), "ClassGuid is the Sample class's");
        String provider = file.expand(first(version, "Provider"));
        assertFalse(provider.isBlank() || provider.contains("<missing:"), "Provider must name the package's provider: " + provider);
        assertEquals("echo.cat", first(version, "CatalogFile").toLowerCase(Locale.ROOT), "CatalogFile");
        assertEquals("1", first(version, "PnpLockdown"), "PnpLockdown");
        assertDriverVer(inf, version.value("DriverVer").orElseThrow(() -> new AssertionError("[Version] lacks DriverVer")));
    }

    private static void assertDriverVer(Inf inf, String driverVer) {
        // DriverVer=mm/dd/yyyy,w.x.y.z (INF DriverVer directive); StampInf rewrites it.
        Matcher m = Pattern.compile("(\\d{2}/\\d{2}/\\d{4})\\s*,\\s*(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)").matcher(driverVer);
        assertTrue(m.matches(), inf.path + ": DriverVer must be mm/dd/yyyy,w.x.y.z, not " + driverVer);
        try {
            LocalDate.parse(m.group(1), DateTimeFormatter.ofPattern("MM/dd/uuuu"));
        } catch (DateTimeParseException e) {
            fail(inf.path + ": DriverVer date " + m.group(1) + " is not a date");
        }
        for (int g = 2; g <= 5; g++) {
            assertTrue(Integer.parseInt(m.group(g)) <= 65535, "DriverVer version parts are 16-bit");
        }
    }

    @ParameterizedTest
    @EnumSource(Inf.class)
    void destinationIsTheDriverStore(Inf inf) {
        InfFile file = inf.read();
        Section dirs = file.require("DestinationDirs");
        assertEquals(String.valueOf(inf.dirid), first(dirs, "DefaultDestDir"), "DefaultDestDir");
        for (Entry e : dirs.entries()) {
            assertEquals(String.valueOf(inf.dirid), e.fields().get(0),
                    inf.path + ": [DestinationDirs] " + e.key() + " must be DIRID " + inf.dirid);
        }
    }

    @ParameterizedTest
    @EnumSource(Inf.class)
    void modelsAreDecoratedForEveryPlatformAndNameTheHardwareId(Inf inf) {
        InfFile file = inf.read();
        Map<String, List<String>> models = modelsSections(file);
        Set<String> platforms = new TreeSet<>();
        for (String decorated : models.keySet()) {
            String[] parts = decorated.split("\\.");
            assertTrue(parts.length >= 2, "Models section [" + decorated + "] is not decorated with a platform");
            platforms.add(parts[1].toLowerCase(Locale.ROOT));
        }
        assertEquals(new TreeSet<>(inf.platforms), platforms, inf.path + ": Models platforms");
        String installed = InstallScript.hardwareId();
        for (Map.Entry<String, List<String>> e : models.entrySet()) {
            List<String> ids = new ArrayList<>();
            for (Entry entry : file.require(e.getKey()).entries()) {
                List<String> f = entry.fields();
                ids.addAll(f.subList(1, f.size()));
            }
            assertEquals(1, ids.size(), "[" + e.getKey() + "] must name exactly one hardware id: " + ids);
            assertTrue(ids.get(0).equalsIgnoreCase(installed),
                    "[" + e.getKey() + "] names " + ids.get(0) + ", install.ps1 creates " + installed);
        }
    }

    @ParameterizedTest
    @EnumSource(Inf.class)
    void copiesOnlyWhatTheBuildProduces(Inf inf) {
        InfFile file = inf.read();
        References refs = references(inf, file);
        String produced = inf == Inf.WINDOWS_10 ? BuildOutputs.vcxprojDriverFile() : BuildOutputs.legacyDriverFile();
        assertEquals(DRIVER_FILE, produced, "the build's driver file");
        assertEquals(Set.of(produced), refs.copiedFiles, inf.path + ": files the INF copies");
        Set<String> sourceFiles = new TreeSet<>();
        Set<String> disks = new TreeSet<>();
        for (Entry e : file.require("SourceDisksNames").entries()) {
            disks.add(e.key());
        }
        for (Entry e : file.require("SourceDisksFiles").entries()) {
            String name = e.key() != null ? e.key() : e.fields().get(0);
            sourceFiles.add(name.toLowerCase(Locale.ROOT));
            String disk = e.key() != null ? e.fields().get(0) : "";
            assertTrue(disks.contains(disk), "[SourceDisksFiles] " + name + " names disk " + disk + " that [SourceDisksNames] lacks");
        }
        assertEquals(refs.copiedFiles, sourceFiles, inf.path + ": [SourceDisksFiles] must list exactly the copied files");
    }

    @ParameterizedTest
    @EnumSource(Inf.class)
    void serviceIsADemandStartKernelDriverRunFromTheDestination(Inf inf) {
        InfFile file = inf.read();
        References refs = references(inf, file);
        assertEquals(1, refs.services.size(), inf.path + ": exactly one AddService: " + refs.services.keySet());
        Map.Entry<String, String> service = refs.services.entrySet().iterator().next();
        String name = service.getKey();
        assertEquals(SERVICE_NAME, name, "service name");
        assertFalse(RESERVED_SERVICE_NAMES.contains(name.toLowerCase(Locale.ROOT)), "service name " + name + " is reserved");
        Section install = file.require(service.getValue());
        assertEquals("1", first(install, "ServiceType"), "ServiceType (SERVICE_KERNEL_DRIVER)");
        assertEquals("3", first(install, "StartType"), "StartType (SERVICE_DEMAND_START)");
        assertEquals("1", first(install, "ErrorControl"), "ErrorControl (SERVICE_ERROR_NORMAL)");
        String binary = first(install, "ServiceBinary");
        assertEquals(("%" + inf.dirid + "%\\" + DRIVER_FILE).toLowerCase(Locale.ROOT), binary.toLowerCase(Locale.ROOT),
                inf.path + ": ServiceBinary must be the copied driver under DIRID " + inf.dirid);
        assertEquals(0x2, refs.serviceFlags, "AddService flags: SPSVCINST_ASSOCSERVICE (function driver)");
        assertEquals(name, refs.kmdfService, ".Wdf KmdfService must name the service AddService installs");
        String kmdf = refs.kmdfLibraryVersion;
        if (inf == Inf.WINDOWS_10) {
            assertTrue(kmdf.equals("$KMDFVERSION$") || kmdf.equals(BuildOutputs.vcxprojKmdfVersion()),
                    "KmdfLibraryVersion must be $KMDFVERSION$ (stamped) or " + BuildOutputs.vcxprojKmdfVersion() + ": " + kmdf);
        } else {
            assertTrue(kmdf.equals("$KMDFVERSION$") || kmdf.equals(BuildOutputs.legacyKmdfVersion()),
                    "KmdfLibraryVersion must be $KMDFVERSION$ (stamped) or " + BuildOutputs.legacyKmdfVersion() + ": " + kmdf);
        }
    }

    @ParameterizedTest
    @EnumSource(Inf.class)
    void timerPeriodMatchesTheDriver(Inf inf) {
        InfFile file = inf.read();
        References refs = references(inf, file);
        Map<String, String> defines = Repository.driverDefines();
        String valueName = unquoteWide(require(defines, "ECHO_TIMER_PERIOD_VALUE_NAME"));
        long defaultMs = Long.decode(require(defines, "ECHO_TIMER_PERIOD_DEFAULT_MS"));
        long minMs = Long.decode(require(defines, "ECHO_TIMER_PERIOD_MIN_MS"));
        long maxMs = Long.decode(require(defines, "ECHO_TIMER_PERIOD_MAX_MS"));

        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : refs.addRegSections.entrySet()) {
            for (Entry entry : file.require(e.getKey()).entries()) {
                List<String> f = entry.fields();
                if (f.size() < 3 || !f.get(2).equalsIgnoreCase(valueName)) {
                    continue;
                }
                found.add(e.getKey());
                assertEquals("service", e.getValue(),
                        "[" + e.getKey() + "]: " + valueName + " belongs in the service's Parameters key (AddReg of the service-install section)");
                assertEquals("HKR", f.get(0).toUpperCase(Locale.ROOT), valueName + " root");
                assertEquals("parameters", f.get(1).toLowerCase(Locale.ROOT), valueName + " must be under Parameters");
                assertEquals(0x00010001, Integer.decode(f.get(3)).intValue(), valueName + " must be REG_DWORD (FLG_ADDREG_TYPE_DWORD)");
                long value = Long.decode(f.get(4));
                assertEquals(defaultMs, value, valueName + " must be the driver's default ECHO_TIMER_PERIOD_DEFAULT_MS");
                assertTrue(value >= minMs && value <= maxMs, valueName + " " + value + " outside the driver's bounds " + minMs + ".." + maxMs);
            }
        }
        assertEquals(1, found.size(), inf.path + ": " + valueName + " must be set exactly once, found in " + found);
    }

    @ParameterizedTest
    @EnumSource(Inf.class)
    void deviceHasTheStatedSecurityAndSecureOpen(Inf inf) {
        InfFile file = inf.read();
        References refs = references(inf, file);
        List<String> hwSections = new ArrayList<>();
        for (Map.Entry<String, String> e : refs.addRegSections.entrySet()) {
            if (e.getValue().equals("hw")) {
                hwSections.add(e.getKey());
            }
        }
        assertFalse(hwSections.isEmpty(), inf.path + ": the device's .HW section has no AddReg");
        for (String kind : List.of("hw", "class")) {
            String sddl = null;
            Integer characteristics = null;
            for (Map.Entry<String, String> e : refs.addRegSections.entrySet()) {
                if (!e.getValue().equals(kind)) {
                    continue;
                }
                for (Entry entry : file.require(e.getKey()).entries()) {
                    List<String> f = entry.fields();
                    if (f.size() >= 5 && f.get(1).isEmpty() && f.get(2).equalsIgnoreCase("Security")) {
                        sddl = file.expand(f.get(4));
                    }
                    if (f.size() >= 5 && f.get(1).isEmpty() && f.get(2).equalsIgnoreCase("DeviceCharacteristics")) {
                        assertEquals(0x10001, Integer.decode(f.get(3)).intValue(), "DeviceCharacteristics must be REG_DWORD");
                        characteristics = Integer.decode(f.get(4));
                    }
                }
            }
            String where = kind.equals("hw") ? "the device (.HW)" : "the setup class (ClassInstall32)";
            assertEquals(DEVICE_SDDL, sddl, inf.path + ": Security of " + where);
            assertTrue(characteristics != null && (characteristics & FILE_DEVICE_SECURE_OPEN) != 0,
                    inf.path + ": DeviceCharacteristics of " + where + " must include FILE_DEVICE_SECURE_OPEN (0x100)");
        }
        assertSddlGrantsWhatTheReadmeSays(DEVICE_SDDL);
    }

    /** Parses the device SDDL and checks who gets what: only SY, BA (GA) and IU (GRGW). */
    static void assertSddlGrantsWhatTheReadmeSays(String sddl) {
        assertTrue(sddl.startsWith("D:P("), "the DACL must be protected (D:P)");
        Matcher ace = Pattern.compile("\\(([^;()]*);([^;()]*);([^;()]*);([^;()]*);([^;()]*);([^;()]*)\\)").matcher(sddl.substring(3));
        Map<String, String> grants = new LinkedHashMap<>();
        int end = 0;
        while (ace.find()) {
            assertEquals(end, ace.start(), "unparsed SDDL text");
            end = ace.end();
            assertEquals("A", ace.group(1), "only access-allowed entries");
            grants.put(ace.group(6), ace.group(3));
        }
        assertEquals(sddl.length() - 3, end, "unparsed SDDL text at the end");
        assertEquals(Map.of("SY", "GA", "BA", "GA", "IU", "GRGW"), grants, "who may open the device");
    }

    // ---------------------------------------------------------------------------------
    // Following the references of an INF
    // ---------------------------------------------------------------------------------

    static final Set<String> SYSTEM_SECTIONS = Set.of(
            "version", "manufacturer", "strings", "sourcedisksnames", "sourcedisksfiles", "destinationdirs",
            "classinstall32");

    /** What following the INF's references found. */
    static final class References {
        final Set<String> reached = new LinkedHashSet<>();
        final List<String> missing = new ArrayList<>();
        final Set<String> copiedFiles = new TreeSet<>();
        /** AddReg section -> whose keys it writes: class, device (hw), software (sw), service. */
        final Map<String, String> addRegSections = new LinkedHashMap<>();
        /** Service name -> service-install section. */
        final Map<String, String> services = new LinkedHashMap<>();
        int serviceFlags = -1;
        String kmdfService = "";
        String kmdfLibraryVersion = "";
    }

    static Map<String, List<String>> modelsSections(InfFile file) {
        Map<String, List<String>> models = new LinkedHashMap<>();
        for (Entry e : file.require("Manufacturer").entries()) {
            List<String> f = e.fields();
            String base = f.get(0);
            List<String> decorations = f.subList(1, f.size());
            if (decorations.isEmpty()) {
                models.put(base, List.of());
            }
            for (String d : decorations) {
                models.put(base + "." + d, List.of(d));
            }
        }
        return models;
    }

    private static void reach(InfFile file, References refs, String name) {
        if (file.section(name).isPresent()) {
            refs.reached.add(name.toLowerCase(Locale.ROOT));
        } else if (!refs.missing.contains(name)) {
            refs.missing.add(name);
        }
    }

    private static void addRegOf(InfFile file, References refs, Section section, String kind) {
        for (Entry e : section.withKey("AddReg")) {
            for (String name : e.fields()) {
                reach(file, refs, name);
                refs.addRegSections.put(name, kind);
            }
        }
        for (Entry e : section.withKey("DelReg")) {
            for (String name : e.fields()) {
                reach(file, refs, name);
            }
        }
    }

    static References references(Inf inf, InfFile file) {
        References refs = new References();
        file.section("ClassInstall32").ifPresent(ci -> addRegOf(file, refs, ci, "class"));
        for (Map.Entry<String, List<String>> models : modelsSections(file).entrySet()) {
            reach(file, refs, models.getKey());
            if (file.section(models.getKey()).isEmpty()) {
                continue;
            }
            String platform = models.getValue().isEmpty() ? "" : models.getValue().get(0).split("\\.")[0];
            for (Entry e : file.require(models.getKey()).entries()) {
                String install = e.fields().get(0);
                // Platform extensions: install.<platform>, then install.NT, then install.
                String base = null;
                for (String candidate : List.of(install + "." + platform, install + ".NT", install)) {
                    if (file.section(candidate).isPresent()) {
                        base = candidate;
                        break;
                    }
                }
                if (base == null) {
                    refs.missing.add(install + " (install section of [" + models.getKey() + "])");
                    continue;
                }
                followInstall(file, refs, base);
            }
        }
        return refs;
    }

    private static void followInstall(InfFile file, References refs, String base) {
        Section install = file.require(base);
        reach(file, refs, base);
        for (Entry e : install.withKey("CopyFiles")) {
            for (String item : e.fields()) {
                if (item.startsWith("@")) {
                    refs.copiedFiles.add(item.substring(1).toLowerCase(Locale.ROOT));
                    continue;
                }
                reach(file, refs, item);
                file.section(item).ifPresent(copy -> {
                    for (Entry c : copy.entries()) {
                        String name = c.key() != null ? c.key() : c.fields().get(0);
                        refs.copiedFiles.add(name.toLowerCase(Locale.ROOT));
                    }
                });
            }
        }
        addRegOf(file, refs, install, "sw");

        file.section(base + ".HW").ifPresent(hw -> {
            reach(file, refs, hw.name());
            addRegOf(file, refs, hw, "hw");
        });

        Section services = file.section(base + ".Services").orElseThrow(
                () -> new AssertionError("[" + base + ".Services] is missing: a function driver needs AddService"));
        reach(file, refs, services.name());
        for (Entry e : services.withKey("AddService")) {
            List<String> f = e.fields();
            String name = f.get(0);
            refs.serviceFlags = Integer.decode(file.expand(f.get(1)));
            String section = f.size() > 2 ? f.get(2) : "";
            refs.services.put(name, section);
            reach(file, refs, section);
            file.section(section).ifPresent(s -> addRegOf(file, refs, s, "service"));
        }

        Section wdf = file.section(base + ".Wdf").orElseThrow(
                () -> new AssertionError("[" + base + ".Wdf] is missing: a KMDF driver's INF needs KmdfService"));
        reach(file, refs, wdf.name());
        for (Entry e : wdf.withKey("KmdfService")) {
            List<String> f = e.fields();
            refs.kmdfService = f.get(0);
            String section = f.size() > 1 ? f.get(1) : "";
            reach(file, refs, section);
            file.section(section).ifPresent(s -> refs.kmdfLibraryVersion = s.value("KmdfLibraryVersion").orElse(""));
        }
    }

    // ---------------------------------------------------------------------------------

    private static String first(Section section, String key) {
        List<String> fields = InfFile.splitFields(section.value(key).orElseThrow(
                () -> new AssertionError("[" + section.name() + "] lacks " + key)));
        return fields.get(0);
    }

    private static String require(Map<String, String> defines, String name) {
        String value = defines.get(name);
        if (value == null) {
            throw new AssertionError("the driver's headers do not define " + name);
        }
        return value;
    }

    private static String unquoteWide(String literal) {
        Matcher m = Pattern.compile("L\"([^\"]*)\"").matcher(literal);
        assertTrue(m.matches(), "expected a wide string literal: " + literal);
        return m.group(1);
    }
}
