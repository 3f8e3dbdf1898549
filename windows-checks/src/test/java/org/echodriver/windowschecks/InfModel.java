package org.echodriver.windowschecks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.echodriver.windowschecks.InfFile.Entry;
import org.echodriver.windowschecks.InfFile.Section;

/**
 * What an INF installs, found by following its references the way Windows does for a
 * device driver package ("INF Manufacturer Section", "INF Models Section",
 * "INF DDInstall Section" and its .HW, .Services, .Wdf and .CoInstallers sections,
 * "INF CopyFiles Directive", "INF DestinationDirs Section", "INF AddReg Directive",
 * "INF AddService Directive", "Specifying WDF Directives in INF Files"): the models,
 * the install sections each platform uses, the files they copy and where to, the
 * registry sections they write and whose keys those are, and the services.
 */
final class InfModel {

    /** A file a CopyFiles directive copies: to which DIRID and subdirectory, under which name, from which source name. */
    record Copy(String copySection, int dirid, String subdirectory, String destination, String source, int line) {
    }

    /** An AddService directive: service name, flags, its service-install section. */
    record Service(String name, int flags, String installSection, String ddinstall, int line) {
    }

    /** A reference to a section that the INF lacks: the section and what refers to it. */
    record Missing(String section, String referencedFrom, int line) {
    }

    final InfFile inf;
    /** Models section name -> its TargetOSVersion decoration ("" when undecorated). */
    final Map<String, String> models = new LinkedHashMap<>();
    /** Manufacturer entries without any decoration, by line. */
    final List<Integer> undecoratedManufacturers = new ArrayList<>();
    /** The DDInstall sections the models use (after platform extension), in order. */
    final Set<String> installSections = new LinkedHashSet<>();
    /** Every section reached from [Version], [Manufacturer] and [ClassInstall32] (lower case). */
    final Set<String> reached = new LinkedHashSet<>();
    final List<Missing> missing = new ArrayList<>();
    final List<Copy> copies = new ArrayList<>();
    /** AddReg and DelReg sections -> whose keys their HKR is: class, hw, sw, service. */
    final Map<String, String> registrySections = new LinkedHashMap<>();
    final List<Service> services = new ArrayList<>();
    /** DDInstall sections without a .Services section. */
    final List<String> installsWithoutServices = new ArrayList<>();

    private InfModel(InfFile inf) {
        this.inf = inf;
    }

    static InfModel of(InfFile inf) {
        InfModel model = new InfModel(inf);
        model.build();
        return model;
    }

    /** Reads a number as INF fields write them: decimal, or hexadecimal with 0x. */
    static long number(String text) {
        String t = text.strip();
        if (t.toLowerCase(Locale.ROOT).startsWith("0x")) {
            return Long.parseLong(t.substring(2), 16);
        }
        return Long.parseLong(t);
    }

    static boolean isNumber(String text) {
        try {
            number(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void build() {
        for (String system : List.of("Version", "Manufacturer", "Strings", "SourceDisksNames", "SourceDisksFiles",
                "DestinationDirs", "ClassInstall32")) {
            inf.section(system).ifPresent(s -> reached.add(s.name().toLowerCase(Locale.ROOT)));
        }
        inf.section("ClassInstall32").ifPresent(ci -> installDirectives(ci, "class"));
        inf.section("Manufacturer").ifPresent(this::manufacturer);
    }

    private void manufacturer(Section manufacturer) {
        for (Entry e : manufacturer.entries()) {
            List<String> f = e.fields();
            String base = f.get(0);
            List<String> decorations = f.subList(1, f.size());
            if (decorations.isEmpty()) {
                undecoratedManufacturers.add(e.line());
                models.put(base, "");
            }
            for (String d : decorations) {
                models.put(base + "." + d, d);
            }
        }
        for (Map.Entry<String, String> m : models.entrySet()) {
            Section section = reach(m.getKey(), "[Manufacturer]", manufacturer.line());
            if (section == null) {
                continue;
            }
            String platform = m.getValue().isEmpty() ? "" : m.getValue().split("\\.")[0];
            for (Entry e : section.entries()) {
                String install = e.fields().get(0);
                String base = null;
                for (String candidate : platform.isEmpty() ? List.of(install + ".NT", install)
                        : List.of(install + "." + platform, install + ".NT", install)) {
                    if (inf.section(candidate).isPresent()) {
                        base = inf.section(candidate).get().name();
                        break;
                    }
                }
                if (base == null) {
                    missing.add(new Missing(install, "[" + section.name() + "]", e.line()));
                    continue;
                }
                if (installSections.add(base)) {
                    install(base);
                }
            }
        }
    }

    private void install(String base) {
        Section install = reach(base, "[Manufacturer]", 0);
        installDirectives(install, "sw");
        inf.section(base + ".HW").ifPresent(hw -> {
            reached.add(hw.name().toLowerCase(Locale.ROOT));
            installDirectives(hw, "hw");
        });
        inf.section(base + ".CoInstallers").ifPresent(co -> {
            reached.add(co.name().toLowerCase(Locale.ROOT));
            installDirectives(co, "class");
        });
        inf.section(base + ".LogConfigOverride").ifPresent(lc -> reached.add(lc.name().toLowerCase(Locale.ROOT)));
        Section services = inf.section(base + ".Services").orElse(null);
        if (services == null) {
            installsWithoutServices.add(base);
        } else {
            reached.add(services.name().toLowerCase(Locale.ROOT));
            for (Entry e : services.withKey("AddService")) {
                List<String> f = e.fields();
                int flags = f.size() > 1 && !f.get(1).isEmpty() ? (int) number(inf.expand(f.get(1))) : 0;
                String section = f.size() > 2 ? f.get(2) : "";
                this.services.add(new Service(f.get(0), flags, section, base, e.line()));
                if (!section.isEmpty()) {
                    Section s = reach(section, "AddService in [" + services.name() + "]", e.line());
                    if (s != null) {
                        installDirectives(s, "service");
                    }
                }
            }
        }
        inf.section(base + ".Wdf").ifPresent(wdf -> {
            reached.add(wdf.name().toLowerCase(Locale.ROOT));
            for (Entry e : wdf.withKey("KmdfService")) {
                List<String> f = e.fields();
                if (f.size() > 1) {
                    reach(f.get(1), "KmdfService in [" + wdf.name() + "]", e.line());
                }
            }
        });
    }

    private final Map<String, Boolean> copySectionsSeen = new LinkedHashMap<>();

    /** Directives whose values name sections of their own kind (legacy ones included, so that they count as used). */
    static final java.util.Set<String> SECTION_DIRECTIVES = java.util.Set.of("registerdlls", "unregisterdlls", "updateinis",
            "updateinifields", "ini2reg", "profileitems", "bitreg", "delfiles", "renfiles", "logconfig");

    /** Follows CopyFiles, AddReg and DelReg of a section whose HKR is the given kind's key. */
    private void installDirectives(Section section, String kind) {
        for (Entry e : section.entries()) {
            if (e.key() != null && SECTION_DIRECTIVES.contains(e.key().toLowerCase(Locale.ROOT))) {
                for (String name : e.fields()) {
                    reach(name, e.key() + " in [" + section.name() + "]", e.line());
                }
            }
        }
        for (Entry e : section.withKey("AddReg")) {
            for (String name : e.fields()) {
                if (reach(name, "AddReg in [" + section.name() + "]", e.line()) != null) {
                    registrySections.putIfAbsent(inf.section(name).get().name(), kind);
                }
            }
        }
        for (Entry e : section.withKey("DelReg")) {
            for (String name : e.fields()) {
                if (reach(name, "DelReg in [" + section.name() + "]", e.line()) != null) {
                    registrySections.putIfAbsent(inf.section(name).get().name(), kind);
                }
            }
        }
        for (Entry e : section.withKey("CopyFiles")) {
            for (String item : e.fields()) {
                if (item.startsWith("@")) {
                    int[] dir = destination(null);
                    String name = item.substring(1);
                    copies.add(new Copy(null, dir[0], subdirectory(null), name, name, e.line()));
                    continue;
                }
                Section copy = reach(item, "CopyFiles in [" + section.name() + "]", e.line());
                if (copy == null || copySectionsSeen.put(copy.name().toLowerCase(Locale.ROOT), true) != null) {
                    continue;
                }
                int dirid = destination(copy.name())[0];
                String subdirectory = subdirectory(copy.name());
                for (Entry c : copy.entries()) {
                    List<String> f = c.key() != null ? List.of(c.key()) : c.fields();
                    String destinationName = f.get(0);
                    String source = f.size() > 1 && !f.get(1).isEmpty() ? f.get(1) : destinationName;
                    copies.add(new Copy(copy.name(), dirid, subdirectory, destinationName, source, c.line()));
                }
            }
        }
    }

    private Section reach(String name, String from, int line) {
        Section s = inf.section(name).orElse(null);
        if (s == null) {
            missing.add(new Missing(name, from, line));
            return null;
        }
        reached.add(s.name().toLowerCase(Locale.ROOT));
        return s;
    }

    /** The DIRID a copy section's files go to: its [DestinationDirs] entry, else DefaultDestDir; -2 when neither says. */
    int[] destination(String copySection) {
        Section dirs = inf.section("DestinationDirs").orElse(null);
        if (dirs == null) {
            return new int[] {-2};
        }
        String value = null;
        if (copySection != null) {
            value = dirs.value(copySection).orElse(null);
        }
        if (value == null) {
            value = dirs.value("DefaultDestDir").orElse(null);
        }
        if (value == null) {
            return new int[] {-2};
        }
        String first = InfFile.splitFields(value).get(0);
        return new int[] {isNumber(first) ? (int) number(first) : -2};
    }

    String subdirectory(String copySection) {
        Section dirs = inf.section("DestinationDirs").orElse(null);
        if (dirs == null) {
            return "";
        }
        String value = copySection != null ? dirs.value(copySection).orElse(null) : null;
        if (value == null) {
            value = dirs.value("DefaultDestDir").orElse("");
        }
        List<String> f = InfFile.splitFields(value);
        return f.size() > 1 ? f.get(1) : "";
    }

    /** The service-install sections of the package's services, with their ServiceBinary values. */
    Map<String, Entry> serviceBinaries() {
        Map<String, Entry> binaries = new LinkedHashMap<>();
        for (Service s : services) {
            inf.section(s.installSection()).ifPresent(section -> {
                for (Entry e : section.withKey("ServiceBinary")) {
                    binaries.put(section.name(), e);
                }
            });
        }
        return binaries;
    }

    /** The DIRID a path value starts with (%13%\echo.sys gives 13), or -1 when it starts with none. */
    static int diridOf(String path) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^%(\\d+)%").matcher(path.strip());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
