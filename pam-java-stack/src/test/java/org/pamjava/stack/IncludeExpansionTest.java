package org.pamjava.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * Includes that multiply (a file included twice by a file included twice, ...) are read with a
 * bounded amount of work and then refused as libpam refuses a configuration it cannot read; below
 * the bound every rule is read, as libpam does (DifferentialTest runs a doubling chain through
 * libpam). An include without a file name, on which libpam's pam_start crashes, is refused.
 */
class IncludeExpansionTest {

    /** login includes f0 once; fI includes fI+1 twice; the last file holds one auth rule. */
    private static Map<String, String> doublingChain(int levels) {
        Map<String, String> files = new HashMap<>();
        files.put("login", "auth include f0\naccount required pam_permit.so\n");
        for (int i = 0; i < levels; i++) {
            files.put("f" + i, "auth include f" + (i + 1) + "\nauth include f" + (i + 1) + "\n");
        }
        files.put("f" + levels, "auth required pam_deny.so\n");
        return files;
    }

    @Test
    void aDoublingChainBelowTheBoundIsReadWhole() {
        PamConfig config = PamConfigParser.parse(ConfigSource.files(doublingChain(10)), "login");
        assertTrue(config.isUsable(), config.diagnostics().toString());
        assertEquals(1024, config.rules(ModuleType.AUTH).size());
        // 2047 files opened, 3070 lines, 2049 ends of file (login and other included)
        assertTrue(config.expansionWork() < 10_000, "work " + config.expansionWork());
    }

    @Test
    void aDoublingChainPastTheBoundIsRefusedAfterBoundedWork() {
        // 18 levels: 262,144 rules, about 1.3 million files and lines; without the bound the parser
        // reads them all and calls the result usable.
        PamConfig config = PamConfigParser.parse(ConfigSource.files(doublingChain(18)), "login");
        assertFalse(config.isUsable(), "a doubling chain of 18 levels was accepted: " + config.rules(ModuleType.AUTH).size()
                + " auth rules");
        assertTrue(config.expansionWork() <= PamConfigParser.MAX_EXPANSION_WORK + 1, "work " + config.expansionWork());
        assertTrue(config.diagnostics().stream().anyMatch(d -> d.message().startsWith("include expansion exceeds")),
                config.diagnostics().toString());
        PamException e = assertThrows(PamException.class,
                () -> PamStack.of(ConfigSource.files(doublingChain(18))).start("login", "alice", m -> null));
        assertEquals(PamConstants.PAM_ABORT, e.pamCode());
    }

    @Test
    void aFileThatIncludesItselfTwiceEnds() {
        // libpam never finishes this (2^1000 includes); the engine stops at the bound.
        Map<String, String> files = Map.of("login", "auth include twice\n", "twice", "auth include twice\nauth include twice\n");
        PamConfig config = PamConfigParser.parse(ConfigSource.files(files), "login");
        assertFalse(config.isUsable());
        assertTrue(config.expansionWork() <= PamConfigParser.MAX_EXPANSION_WORK + 1, "work " + config.expansionWork());
    }

    @Test
    void anIncludeWithoutANameIsTheLibpamCrashItIs() {
        for (String line : List.of("auth include", "auth   substack  ", "-session include", "@include", "@include  # none")) {
            PamConfig config = PamConfigParser.parse(ConfigSource.files(Map.of("login", "auth required pam_permit.so\n"
                    + line + "\n")), "login");
            assertTrue(config.libpamCrashes(), line);
            assertFalse(config.isUsable(), line);
            assertEquals(new ConfigDiagnostic("login", 2, PamConfigParser.LIBPAM_CRASHES), config.diagnostics().getFirst(), line);
            PamException e = assertThrows(PamException.class, () -> PamStack.of(ConfigSource.files(
                    Map.of("login", line + "\n"))).start("login", "alice", m -> null), line);
            assertTrue(e.getMessage().contains("libpam's pam_start would crash the host"), e.getMessage());
        }
    }

    @Test
    void whatLibpamLeavesUndefinedIsRefused() {
        // A rule libpam links before refusing its module name ("?"), inside an included file: its
        // next pointer is never set, and the fuzzer saw libpam crash on it.
        PamConfig halfAdded = PamConfigParser.parse(ConfigSource.files(Map.of(
                "login", "auth include inc\nauth required pam_permit.so\n", "inc", "auth required ?\n")), "login");
        assertTrue(halfAdded.libpamUndefined(), halfAdded.toString());
        assertFalse(halfAdded.isUsable());
        // The same for a substack whose name has an empty base name (the fuzzer's second crash).
        PamConfig halfAddedSubstack = PamConfigParser.parse(ConfigSource.files(Map.of(
                "login", "account include inc\n", "inc", "account substack /etc/\n")), "login");
        assertTrue(halfAddedSubstack.libpamUndefined(), halfAddedSubstack.toString());
        // A failing @include on the first line of its type in a file: actions[] never set.
        PamConfig unset = PamConfigParser.parse(ConfigSource.files(Map.of(
                "login", "auth include inc\n", "inc", "session required pam_permit.so\n@include nothere\n")), "login");
        assertTrue(unset.libpamUndefined(), unset.toString());
        assertFalse(unset.isUsable());
        // After a line of its type, it inherits that line's control, as libpam does.
        PamConfig inherited = PamConfigParser.parse(ConfigSource.files(Map.of(
                "login", "auth include inc\n", "inc", "auth optional pam_permit.so\n@include nothere\n")), "login");
        assertTrue(inherited.isUsable(), inherited.toString());
        assertEquals(inherited.rules(ModuleType.AUTH).get(0).control(), inherited.rules(ModuleType.AUTH).get(1).control());
    }
}
