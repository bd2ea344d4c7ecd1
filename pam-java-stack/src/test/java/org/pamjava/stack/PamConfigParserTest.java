package org.pamjava.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PamConfigParserTest {

    private static PamConfig parse(String login) {
        return PamConfigParser.parse(ConfigSource.files(Map.of("login", login)), "login");
    }

    private static PamConfig parse(Map<String, String> files) {
        return PamConfigParser.parse(ConfigSource.files(files), "login");
    }

    @Test
    void simpleKeywordsAreCaseInsensitiveShorthands() {
        PamConfig c = parse("auth REQUIRED pam_permit.so\nauth Requisite pam_permit.so\n"
                + "auth sufficient pam_permit.so\nAUTH optional pam_permit.so\n");
        List<PamRule> auth = c.rules(ModuleType.AUTH);
        assertEquals(List.of(Control.REQUIRED, Control.REQUISITE, Control.SUFFICIENT, Control.OPTIONAL),
                auth.stream().map(PamRule::control).toList());
        assertTrue(c.diagnostics().stream().noneMatch(d -> d.file().equals("login")), c.diagnostics().toString());
    }

    @Test
    void bracketControlsFollowPamParseControl() {
        Control c = Control.of("success=done  new_authtok_reqd = 2 default=die ignore=reset");
        assertEquals(ControlAction.DONE, c.action(0));
        assertEquals(new ControlAction.Jump(2), c.action(12));
        assertEquals(ControlAction.RESET, c.action(25));
        assertEquals(ControlAction.DIE, c.action(7));
        // default fills only what is unset, whatever the order
        assertEquals(Control.of("default=bad success=ok"), Control.of("success=ok default=bad"));
        assertEquals(ControlAction.BAD, Control.of("default=bad default=ok").action(3));
        // names are matched as prefixes, so no separator is needed between pairs
        assertEquals(ControlAction.DIE, Control.of("success=okdefault=die").action(7));
        // values not named and no default: bad
        assertEquals(ControlAction.BAD, Control.of("success=ok").action(26));
    }

    @Test
    void malformedBracketControlMakesEveryActionBadAndIsReported() {
        for (String bad : List.of("[success=okk]", "[foo=bar]", "[success=0]", "[success]", "[success=]", "[Success=ok]")) {
            PamConfig c = parse("auth required pam_permit.so\nauth " + bad + " pam_permit.so\n");
            PamRule rule = c.rules(ModuleType.AUTH).get(1);
            assertEquals(Control.ALL_BAD, rule.control(), bad);
            assertEquals(PamRule.Kind.MODULE, rule.kind(), "the module still runs: " + bad);
            assertEquals("login", c.diagnostics().getFirst().file());
            assertEquals(2, c.diagnostics().getFirst().line(), bad);
            assertTrue(c.diagnostics().getFirst().toString().startsWith("login:2: pam_parse: expecting"), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Control.of("success=nope"));
    }

    @Test
    void commentsContinuationsAndBracketedArguments() {
        PamConfig c = parse("""
                #%PAM-1.0
                   # indented comment

                auth \\
                # a comment inside a continuation is skipped
                  required pam_debug.so auth=success  # trailing comment
                auth [success=ok # everything after the hash is gone] pam_permit.so
                auth required pam_debug.so [auth=perm denied\\]] plain
                """);
        List<PamRule> auth = c.rules(ModuleType.AUTH);
        assertEquals(3, auth.size());
        assertEquals(4, auth.get(0).line());
        assertEquals(List.of("auth=success"), auth.get(0).args());
        // the line ends at '#', so the bracket runs to the end of the line and no module is left
        assertEquals(Control.of("success=ok"), auth.get(1).control());
        assertEquals(null, auth.get(1).modulePath());
        assertEquals(PamRule.Kind.MUST_FAIL, auth.get(1).kind());
        assertEquals(List.of("auth=perm denied]", "plain"), auth.get(2).args());
    }

    @Test
    void dashTypeIsASilentModuleRule() {
        PamRule r = parse("-session optional pam_systemd.so\n").rules(ModuleType.SESSION).getFirst();
        assertEquals(PamRule.Kind.SILENT_MODULE, r.kind());
        assertEquals("pam_systemd.so", r.modulePath());
    }

    @Test
    void malformedLinesBecomeRulesThatAlwaysFail() {
        PamConfig c = parse("auht required pam_permit.so\naccount\npassword required\nsession [default=ok]\n");
        assertEquals(PamRule.Kind.MUST_FAIL, c.rules(ModuleType.AUTH).getFirst().kind(), "illegal type goes to auth");
        assertEquals(PamRule.Kind.MUST_FAIL, c.rules(ModuleType.ACCOUNT).getFirst().kind());
        assertEquals(Control.ALL_BAD, c.rules(ModuleType.ACCOUNT).getFirst().control());
        assertEquals(PamRule.Kind.MUST_FAIL, c.rules(ModuleType.PASSWORD).getFirst().kind());
        assertEquals(PamRule.Kind.MUST_FAIL, c.rules(ModuleType.SESSION).getFirst().kind());
        assertEquals(List.of("login:1: (login) illegal module type: auht", "login:2: (login) no control flag supplied",
                "login:2: (login) no module name supplied", "login:3: (login) no module name supplied", "login:4: (login) no module name supplied"),
                c.diagnostics().stream().filter(d -> d.file().equals("login")).map(Object::toString).toList());
    }

    @Test
    void includeTakesOneTypeAndSubstackGoesOneLevelDeeper() {
        PamConfig c = parse(Map.of(
                "login", "auth include common\nauth substack common\nsession include common\n",
                "common", "auth required pam_permit.so\naccount required pam_deny.so\nsession optional pam_debug.so\n"));
        List<PamRule> auth = c.rules(ModuleType.AUTH);
        assertEquals(List.of(0, 0, 1), auth.stream().map(PamRule::stackLevel).toList());
        assertEquals(PamRule.Kind.SUBSTACK, auth.get(1).kind());
        assertEquals("common:1", auth.get(2).location());
        assertTrue(c.rules(ModuleType.ACCOUNT).isEmpty());
        assertEquals(1, c.rules(ModuleType.SESSION).size());
    }

    @Test
    void debianAtIncludeTakesEveryTypeAtTheTopAndAbortsWhenMissing() {
        PamConfig c = parse(Map.of("login", "@include common-auth\n",
                "common-auth", "auth required pam_permit.so\naccount required pam_permit.so\n"));
        assertEquals(1, c.rules(ModuleType.AUTH).size());
        assertEquals(1, c.rules(ModuleType.ACCOUNT).size());
        assertFalse(parse("@include nothere\n").isUsable());
    }

    @Test
    void missingIncludeIsAFailingRule() {
        PamConfig c = parse("auth include nothere\n");
        assertTrue(c.isUsable());
        assertEquals(PamRule.Kind.MUST_FAIL, c.rules(ModuleType.AUTH).getFirst().kind());
        assertTrue(c.diagnostics().getFirst().message().contains("unable to open config for nothere"));
    }

    @Test
    void substacksNestAtMostFifteenDeep() {
        java.util.Map<String, String> files = new java.util.HashMap<>();
        files.put("login", "auth substack s1\n");
        for (int i = 1; i <= 20; i++) {
            files.put("s" + i, "auth substack s" + (i + 1) + "\n");
        }
        PamConfig c = parse(files);
        PamRule last = c.rules(ModuleType.AUTH).getLast();
        assertEquals(PamRule.Kind.MUST_FAIL, last.kind());
        assertEquals(15, last.stackLevel());
        assertTrue(c.diagnostics().stream().anyMatch(d -> d.message().equals("maximum level of substacks reached")));
    }

    @Test
    void otherIsTheFallbackPerType() {
        PamConfig c = parse(Map.of("login", "auth required pam_permit.so\n",
                "other", "auth required pam_deny.so\naccount required pam_deny.so\n"));
        assertEquals("login", c.rules(ModuleType.AUTH).getFirst().file());
        assertEquals("other", c.rules(ModuleType.ACCOUNT).getFirst().file());
        assertTrue(c.rules(ModuleType.SESSION).isEmpty());
        PamConfig onlyOther = PamConfigParser.parse(ConfigSource.files(Map.of("other", "auth required pam_deny.so\n")), "sshd");
        assertTrue(onlyOther.isUsable());
        assertFalse(PamConfigParser.parse(ConfigSource.files(Map.of("x", "")), "sshd").isUsable());
    }

    @Test
    void fileEndingInsideAContinuationIsUnusable() {
        assertFalse(parse("auth required pam_permit.so \\\n").isUsable());
    }

    @Test
    void aLogicalLineLongerThanLibpamsBufferIsSplit() {
        String longArgs = "x ".repeat(400);
        PamConfig c = parse("auth required pam_permit.so \\\n" + longArgs + "\\\n" + longArgs + "\n");
        assertTrue(c.isUsable());
        List<PamRule> auth = c.rules(ModuleType.AUTH);
        assertEquals(2, auth.size(), "the part past 1023 bytes is read as a line of its own");
        assertEquals(PamRule.Kind.MUST_FAIL, auth.get(1).kind());
        int args = auth.get(0).args().size();
        assertTrue(args > 400 && args < 800, "the first rule keeps what fits in 1023 bytes: " + args);
    }

    @Test
    void moduleNamesLibpamRejectsAbortTheConfiguration() {
        assertFalse(parse("auth required ?.so\n").isUsable());
        assertFalse(parse("auth required /lib/security/\n").isUsable());
        assertTrue(parse("auth required /lib/security/pam_x.so\n").isUsable());
    }

    @Test
    void pamConfFormHasAServiceFieldMatchedWithoutCase() {
        ConfigSource src = ConfigSource.pamConf("""
                LOGIN auth required pam_permit.so
                login account requisite pam_deny.so
                sshd  auth required pam_deny.so
                other session optional pam_permit.so
                login auth include extra
                """, ConfigSource.files(Map.of("extra", "auth optional pam_debug.so\n")));
        PamConfig c = PamConfigParser.parse(src, "login");
        assertEquals(2, c.rules(ModuleType.AUTH).size());
        assertEquals(1, c.rules(ModuleType.ACCOUNT).size());
        assertEquals(c.otherRules(ModuleType.SESSION), c.rules(ModuleType.SESSION));
        assertTrue(c.serviceRules(ModuleType.SESSION).isEmpty());
        assertEquals(1, c.otherRules(ModuleType.SESSION).size());
    }

    @Test
    void serviceNameIsReducedAndLowerCasedAsPamStartDoes() {
        PamConfig c = PamConfigParser.parse(ConfigSource.files(Map.of("login", "auth required pam_permit.so\n")), "/x/LOGIN");
        assertEquals("login", c.service());
        assertEquals(1, c.rules(ModuleType.AUTH).size());
    }
}
