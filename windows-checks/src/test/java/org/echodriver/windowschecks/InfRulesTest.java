package org.echodriver.windowschecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.echodriver.windowschecks.InfRules.Finding;
import org.echodriver.windowschecks.InfRules.Mode;
import org.echodriver.windowschecks.InfRules.Rule;
import org.echodriver.windowschecks.InfRules.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The INFs pass InfVerif's rules (InfRules) in the mode that applies to each: echo.inx
 * is a Windows Driver package and is checked as "infverif /w" checks it; echo-win7.inx
 * copies to System32\drivers (DIRID 12) because Windows 7 has no driver store to run
 * from, so it is checked in InfVerif's default mode, where isolation (1322) is not
 * required. Every rule has at least one fixture INF under
 * src/test/resources/inf-rules that breaks it, and the fixture makes the rule fire, and
 * only the rules the fixture names.
 *
 * A fixture's first line says what it shows:
 * {@code ; infverif-fixture: code=1322 mode=/w [also=1304,...]}.
 */
class InfRulesTest {

    static final Path FIXTURES = Path.of("src", "test", "resources", "inf-rules");

    record Fixture(String name, Integer code, Mode mode, Set<Integer> also, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Fixture> fixtures() {
        Path dir = Repository.root().resolve("windows-checks").resolve(FIXTURES);
        try (Stream<Path> files = Files.list(dir)) {
            List<Fixture> list = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".inf")).sorted().collect(Collectors.toList())) {
                byte[] bytes = Files.readAllBytes(p);
                String text = new String(bytes, StandardCharsets.UTF_8).replace("\uFEFF", "");
                Matcher m = Pattern.compile("^; infverif-fixture: code=(\\w+) mode=(/w|default)(?: also=([\\d,]+))?\\s*$",
                        Pattern.MULTILINE).matcher(text.lines().findFirst().orElse(""));
                assertTrue(m.find(), p.getFileName() + ": the first line must be '; infverif-fixture: code=N mode=/w|default'");
                Integer code = m.group(1).equals("none") ? null : Integer.valueOf(m.group(1));
                Mode mode = m.group(2).equals("/w") ? Mode.WINDOWS_DRIVER : Mode.DEFAULT;
                Set<Integer> also = new TreeSet<>();
                if (m.group(3) != null) {
                    for (String c : m.group(3).split(",")) {
                        also.add(Integer.valueOf(c));
                    }
                }
                list.add(new Fixture(p.getFileName().toString(), code, mode, also, bytes));
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Fixture> failingFixtures() {
        return fixtures().stream().filter(f -> f.code() != null).collect(Collectors.toList());
    }

    private static Set<Integer> codes(List<Finding> findings) {
        return findings.stream().map(Finding::code).collect(Collectors.toCollection(TreeSet::new));
    }

    // ---------------------------------------------------------------------------------

    @Test
    void echoInxPassesUnderW() {
        List<Finding> findings = InfRules.check(Repository.bytes("echo.inx"), Mode.WINDOWS_DRIVER);
        assertEquals(List.of(), findings, "echo.inx under infverif /w");
    }

    @Test
    void echoWin7InxPassesInTheDefaultMode() {
        List<Finding> findings = InfRules.check(Repository.bytes(BuildOutputs.LEGACY_DIR + "/echo-win7.inx"), Mode.DEFAULT);
        assertEquals(List.of(), findings, "echo-win7.inx under infverif (default mode)");
    }

    @Test
    void echoWin7InxIsNotIsolatedWhichIsWhyItIsNotCheckedUnderW() {
        // Windows 7 has no driver store to run a driver from: its package copies to
        // DIRID 12 and runs from there, which /w reports (1322) and the default mode allows.
        List<Finding> findings = InfRules.check(Repository.bytes(BuildOutputs.LEGACY_DIR + "/echo-win7.inx"), Mode.WINDOWS_DRIVER);
        assertEquals(Set.of(1322), codes(findings), "echo-win7.inx under /w: " + findings);
        assertTrue(findings.stream().allMatch(f -> f.severity() == Severity.ERROR), "1322 is an error under /w");
    }

    @Test
    void theGoodFixtureIsTheShippedInfAndPasses() {
        List<Fixture> good = fixtures().stream().filter(f -> f.code() == null).collect(Collectors.toList());
        assertEquals(1, good.size(), "one fixture without a code: good.inf");
        assertEquals(List.of(), InfRules.check(good.get(0).bytes(), good.get(0).mode()), "good.inf");
        String shipped = Repository.text("echo.inx");
        String fixture = new String(good.get(0).bytes(), StandardCharsets.US_ASCII);
        assertTrue(shipped.endsWith(fixture.substring(fixture.indexOf("[Version]"))),
                "good.inf must be echo.inx from [Version] on, so that every fixture differs from the real INF by its one fault");
    }

    @ParameterizedTest
    @MethodSource("failingFixtures")
    void eachFixtureBreaksItsRuleAndOnlyThat(Fixture fixture) {
        Rule rule = InfRules.rule(fixture.code());
        assertNotEquals(Severity.NONE, rule.severity(fixture.mode()),
                fixture + ": rule " + fixture.code() + " reports nothing in mode " + fixture.mode().argument);
        List<Finding> findings = InfRules.check(fixture.bytes(), fixture.mode());
        assertTrue(codes(findings).contains(fixture.code()), fixture + " must make " + fixture.code() + " fire: " + findings);
        Set<Integer> expected = new TreeSet<>(fixture.also());
        expected.add(fixture.code());
        assertEquals(expected, codes(findings), fixture + ": the rules that fire (" + findings + ")");
        for (Finding f : findings) {
            assertEquals(InfRules.rule(f.code()).severity(fixture.mode()), f.severity(), f + " severity");
        }
    }

    @Test
    void everyRuleHasAFailingFixture() {
        Set<Integer> covered = failingFixtures().stream().map(Fixture::code).collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> rules = InfRules.ALL.stream().map(Rule::code).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(rules, covered, "fixtures by rule code");
    }

    @Test
    void rulesAreNumberedOnceAndIsolationIsAWRuleOnly() {
        Set<Integer> seen = new TreeSet<>();
        for (Rule r : InfRules.ALL) {
            assertTrue(seen.add(r.code()), "rule " + r.code() + " twice");
            assertFalse(r.title().isBlank(), "rule " + r.code() + " has a title");
        }
        assertEquals(Severity.ERROR, InfRules.rule(1322).severity(Mode.WINDOWS_DRIVER));
        assertEquals(Severity.NONE, InfRules.rule(1322).severity(Mode.DEFAULT));
    }

    @Test
    void minimumBuildReadsTargetOsVersionDecorations() {
        assertEquals(16299, InfRules.minimumBuild("NTamd64.10.0...16299"));
        assertEquals(10240, InfRules.minimumBuild("NTamd64.10.0"));
        assertEquals(0, InfRules.minimumBuild("NTamd64.6.1"));
        assertEquals(0, InfRules.minimumBuild("NTamd64"));
    }
}
