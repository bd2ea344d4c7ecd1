package org.pamjava.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration copy {@code run --trace} gives libpam: read by the parser (which reads as
 * libpam does), it has the original's rules, in the same order, on the same lines, with the same
 * types, controls, arguments and substack levels; only module paths and included file names differ.
 */
class ConfigCopyTest {
    private static final Path CONFDIR = Path.of("/copy/conf");
    private static final Path INCLUDES = Path.of("/copy/include");

    @Test
    void theCopyHasTheOriginalsRulesWithOnlyTheModulePathsReplaced() throws Exception {
        List<String> corpus = ConfigParserFuzzTest.corpus();
        int rules = 0;
        for (int i = 0; i < corpus.size(); i++) {
            Map<String, String> files = new HashMap<>();
            files.put("login", corpus.get(i).replace("$DIR", "/d"));
            files.put("/d/inc0", corpus.get((i + 1) % corpus.size()).replace("$DIR/inc0", "/d/inc1").replace("$DIR", "/d"));
            files.put("/d/inc1", corpus.get((i + 2) % corpus.size()).replace("$DIR/inc0", "/d/missing").replace("$DIR", "/d"));
            files.put("other", "auth required pam_deny.so\n@include /d/inc1\n");
            rules += compare(ConfigSource.files(files), "case " + i + ":\n" + files.get("login"));
        }
        assertTrue(rules > 20, "compared " + rules + " rules");
    }

    @Test
    void theServiceOtherIsCopiedOnceSoEachOfItsRulesGetsOneSubstitute() throws Exception {
        List<String> substituted = new ArrayList<>();
        Map<Path, byte[]> copy = ConfigCopy.of(ConfigSource.files(Map.of("other", "auth required pam_deny.so\naccount required pam_permit.so\n")),
                "other", CONFDIR, INCLUDES, (file, line, type, silent, path) -> {
                    substituted.add(file + ":" + line);
                    return "/r/" + line;
                });
        assertEquals(List.of("other:1", "other:2"), substituted);
        assertEquals(List.of(CONFDIR.resolve("other")), List.copyOf(copy.keySet()));
    }

    @Test
    void argumentsStayAsWrittenAndOnlyTheModuleTokenChanges() throws Exception {
        String login = """
                # comment
                auth  [success=1 default=ignore]  pam_debug.so  [a b\\]c]  x=1 # trailing comment
                -AUTH Optional \\
                     [pam_missing.so] arg
                account include /d/inc
                """;
        Map<Path, byte[]> copy = ConfigCopy.of(ConfigSource.files(Map.of("login", login, "/d/inc", "account required pam_permit.so\n")),
                "Login", CONFDIR, INCLUDES, (file, line, type, silent, path) -> "/r/" + file + "-" + line + "-" + silent);
        assertEquals("""

                auth  [success=1 default=ignore]  /r/login-2-false  [a b\\]c]  x=1\s
                -AUTH Optional       /r/login-3-true arg

                account include /copy/include/1
                
                """, new String(copy.get(CONFDIR.resolve("login")), StandardCharsets.ISO_8859_1));
        assertEquals("account required /r//d/inc-1-false\n\n", new String(copy.get(INCLUDES.resolve("1")), StandardCharsets.ISO_8859_1));
    }

    @Test
    void whatOneLineCannotHoldIsRefusedWithItsPlace() {
        String longArgs = "auth required pam_permit.so " + "a".repeat(1000) + "\n";
        ConfigCopy.NotCopyable tooLong = assertThrows(ConfigCopy.NotCopyable.class, () -> ConfigCopy.of(
                ConfigSource.files(Map.of("login", longArgs)), "login", CONFDIR, INCLUDES, (f, l, t, s, p) -> "/a/much/longer/path/" + p));
        assertTrue(tooLong.getMessage().startsWith("login:1: "), tooLong.getMessage());
        ConfigCopy.NotCopyable backslash = assertThrows(ConfigCopy.NotCopyable.class, () -> ConfigCopy.of(
                ConfigSource.files(Map.of("login", "auth required pam_permit.so x\\ # comment\n")), "login", CONFDIR, INCLUDES,
                (f, l, t, s, p) -> p));
        assertTrue(backslash.getMessage().startsWith("login:1: "), backslash.getMessage());
    }

    /** Copies {@code source}'s login, parses original and copy, and compares them rule by rule; returns the rules compared. */
    private static int compare(ConfigSource source, String what) throws Exception {
        Map<String, String> substituted = new HashMap<>();
        Map<Path, byte[]> copy;
        try {
            copy = ConfigCopy.of(source, "login", CONFDIR, INCLUDES, (file, line, type, silent, path) -> {
                String replacement = "/r/" + (substituted.size() + 1) + "/" + path.substring(path.lastIndexOf('/') + 1);
                substituted.put(file + ":" + line, replacement);
                return replacement;
            });
        } catch (ConfigCopy.NotCopyable e) {
            // only what libpam cannot read at all is refused
            assertTrue(e.getMessage().contains("libpam cannot read"), what + "\n" + e.getMessage());
            return 0;
        }
        Map<String, String> copiedFiles = new LinkedHashMap<>();
        copy.forEach((path, bytes) -> copiedFiles.put(path.startsWith(CONFDIR) ? path.getFileName().toString() : path.toString(),
                new String(bytes, StandardCharsets.ISO_8859_1)));
        PamConfig original = PamConfigParser.parse(source, "login");
        PamConfig copied = PamConfigParser.parse(ConfigSource.files(copiedFiles), "login");
        assertEquals(original.isUsable(), copied.isUsable(), what);
        int rules = 0;
        for (ModuleType type : ModuleType.values()) {
            List<PamRule> a = original.rules(type);
            List<PamRule> b = copied.rules(type);
            assertEquals(a.size(), b.size(), what + "\n" + a + "\n" + b);
            for (int r = 0; r < a.size(); r++) {
                PamRule x = a.get(r);
                PamRule y = b.get(r);
                String rule = what + "\n" + x + "\n" + y;
                assertEquals(List.of(x.line(), x.type(), x.kind(), x.stackLevel(), x.args()),
                        List.of(y.line(), y.type(), y.kind(), y.stackLevel(), y.args()), rule);
                assertEquals(String.valueOf(x.control()), String.valueOf(y.control()), rule);
                if (x.kind() == PamRule.Kind.MODULE || x.kind() == PamRule.Kind.SILENT_MODULE) {
                    assertEquals(substituted.get(x.location()), y.modulePath(), rule);
                    rules++;
                }
            }
        }
        return rules;
    }

    static {
        assertTrue(Files.isDirectory(Path.of("src/test/resources/config-fuzz-corpus")));
    }
}
