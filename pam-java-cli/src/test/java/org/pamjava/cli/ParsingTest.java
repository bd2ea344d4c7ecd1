package org.pamjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pamjava.PamOperation;

/** The command's own parsing: command lines, controls as written, raw configuration lines, JSON. */
class ParsingTest {

    @Test
    void argumentsSeparateOptionsFromOperands() throws UsageException {
        Arguments a = Arguments.parse("simulate", List.of("--answer", "one", "svc", "--answer=two", "alice", "--json",
                "--", "--not-an-option"), Set.of("--answer"), Set.of("--json"));
        assertEquals(List.of("one", "two"), a.all("--answer"));
        assertEquals("two", a.value("--answer"));
        assertTrue(a.flag("--json"));
        assertEquals(List.of("svc", "alice", "--not-an-option"), a.operands());
        UsageException e = assertThrows(UsageException.class,
                () -> Arguments.parse("run", List.of("--jsno"), Set.of(), Set.of("--json")));
        assertEquals("run: unknown option --jsno (see pam-java run --help)", e.getMessage());
    }

    @Test
    void operationsAcceptPamtestersNamesAndDefaultToALogin() throws UsageException {
        assertEquals(List.of(PamOperation.AUTHENTICATE, PamOperation.ACCT_MGMT), OperationWords.parse("run", List.of()));
        assertEquals(List.of(PamOperation.AUTHENTICATE, PamOperation.OPEN_SESSION, PamOperation.CLOSE_SESSION),
                OperationWords.parse("run", List.of("authenticate", "open_session", "CLOSE")));
    }

    @Test
    void controlSyntaxNamesTheExactMistake() {
        assertNull(ControlSyntax.problem("Required"));
        assertNull(ControlSyntax.problem("[success=done new_authtok_reqd=done default=ignore]"));
        assertNull(ControlSyntax.problem("[success = 2 default=ignore]"));
        assertTrue(ControlSyntax.problem("sufficent").startsWith("unknown control 'sufficent'"));
        assertTrue(ControlSyntax.problem("[user_unkown=ignore default=bad]")
                .startsWith("unknown return value 'user_unkown' in [user_unkown=ignore default=bad] (did you mean 'user_unknown'?)"));
        assertTrue(ControlSyntax.problem("[success=0 default=bad]").startsWith("unknown action '0' for success"));
        assertTrue(ControlSyntax.problem("[success default=bad]").startsWith("'success' has no action"));
        assertTrue(ControlSyntax.problem("[success=ok success=done]").startsWith("success is given twice"));
        assertTrue(ControlSyntax.problem("[success=ok").startsWith("control [success=ok has no closing ']'"));
    }

    @Test
    void rawLinesJoinContinuationsDropCommentsAndKeepBracketsWhole() {
        List<RawConfigLines.Line> lines = RawConfigLines.read("""
                # comment
                auth [success=1 default=ignore] \\
                     pam_unix.so nullok   # trailing comment

                @include common-account
                session substack inner
                """);
        assertEquals(3, lines.size());
        assertEquals(new RawConfigLines.Line(2, List.of("auth", "[success=1 default=ignore]", "pam_unix.so", "nullok")), lines.get(0));
        assertEquals("common-account", RawConfigLines.includedName(lines.get(1)));
        assertEquals(5, lines.get(1).number());
        assertEquals("inner", RawConfigLines.includedName(lines.get(2)));
        assertNull(RawConfigLines.includedName(lines.get(0)));
    }

    @Test
    void jsonEscapesAndKeepsOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "a \"quoted\"\\path\n\u0001");
        m.put("n", 7);
        m.put("list", List.of(true, "x"));
        m.put("none", null);
        assertEquals("{\"text\": \"a \\\"quoted\\\"\\\\path\\n\\u0001\", \"n\": 7, \"list\": [true, \"x\"], \"none\": null}", Json.write(m));
        Map<String, Object> byLines = new LinkedHashMap<>();
        byLines.put("results", List.of(1, 2));
        byLines.put("empty", List.of());
        assertEquals("{\n  \"results\": [\n    1,\n    2\n  ],\n  \"empty\": []\n}", Json.writeObjectByLines(byLines));
    }

    @Test
    void theSkeletonsArtifactIdIsTheClassNameInKebabCase() {
        assertEquals("only-staff", NewCommand.artifactId("OnlyStaff"));
        assertEquals("totp2-factor", NewCommand.artifactId("Totp2Factor"));
    }
}
