package org.pamjava.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;
import org.pamjava.XAuthData;
import org.pamjava.stack.ControlAction;
import org.pamjava.stack.RuleTrace;

class TestKitTest implements PamConstants {

    /** A second factor: asks for a code and compares it with its {@code code=} argument. */
    public static final class CodeModule implements PamModule {
        int instanceCalls;

        @Override
        public int authenticate(PamHandle pamh, int flags, List<String> args) {
            instanceCalls++;
            String expected = args.stream().filter(a -> a.startsWith("code=")).findFirst().orElseThrow().substring(5);
            String user = pamh.getUser(null);
            String answer = pamh.conversation(new Message(PAM_PROMPT_ECHO_OFF, "Code for " + user + ": ")).resp();
            if (!expected.equals(answer)) {
                pamh.conversation(new Message(PAM_ERROR_MSG, "Wrong code"));
                pamh.failDelay(2_000_000);
                return PAM_AUTH_ERR;
            }
            pamh.setAuthtok(answer);
            pamh.environment().put("CODE_OK", "1");
            return PAM_SUCCESS;
        }
    }

    private static final String CONFIG = """
            auth     requisite pam_java.so CodeModule.java code=123456
            auth     required  pam_permit.so
            account  required  pam_permit.so
            session  optional  pam_debug.so open_session=session_err
            """;

    @Test
    void scriptedConversationAndTrace() {
        TestStack stack = TestStack.service("login", CONFIG).module("CodeModule.java", CodeModule::new);
        try (TestTransaction pam = stack.start("alice")) {
            pam.conversation().answer("123456");
            OperationResult r = pam.authenticate();
            assertEquals(PAM_SUCCESS, r.pamCode(), r.describe());
            assertEquals(List.of(new Message(PAM_PROMPT_ECHO_OFF, "Code for alice: ")), r.messages());
            assertEquals(2, r.trace().size());
            RuleTrace first = r.trace().getFirst();
            assertEquals(PamOperation.AUTHENTICATE, first.operation());
            assertEquals("login:1", first.rule().location());
            assertEquals(ControlAction.OK, first.action());
            assertEquals(RuleTrace.Impression.POSITIVE, first.impression());
            assertEquals("1", pam.environment().get("CODE_OK"));
            assertNull(pam.handle().getAuthtok(), "libpam clears PAM_AUTHTOK when pam_authenticate returns");
            OperationResult session = pam.openSession();
            assertEquals(PAM_PERM_DENIED, session.pamCode(),
                    "the only session rule is optional and failed, so nothing made the stack succeed");
            assertEquals(List.of("open_session=session_err"), pam.conversation().infos());
        }
    }

    @Test
    void wrongAnswerFailsWithAuthErrAndRequisiteStops() {
        TestStack stack = TestStack.service("login", CONFIG).module("CodeModule.java", CodeModule::new);
        try (TestTransaction pam = stack.start("bob")) {
            pam.conversation().answer("000000");
            OperationResult r = pam.authenticate();
            assertEquals(PAM_AUTH_ERR, r.pamCode(), r.describe());
            assertEquals(1, r.trace().size(), "requisite: pam_permit never ran");
            assertEquals(ControlAction.DIE, r.trace().getFirst().action());
            assertEquals(List.of("Wrong code"), pam.conversation().errors());
            assertEquals(List.of(2_000_000), pam.failDelays());
        }
    }

    @Test
    void missingAnswerIsAConversationErrorAndAThrowingModuleIsAServiceError() {
        TestStack stack = TestStack.service("login", CONFIG).module("CodeModule.java", CodeModule::new);
        try (TestTransaction pam = stack.start("carol")) {
            OperationResult r = pam.authenticate();
            assertEquals(PAM_SERVICE_ERR, r.pamCode(), "the module let the PamException escape: " + r.describe());
            assertEquals(PAM_CONV_ERR, ((PamException) r.failure()).pamCode());
            assertEquals(1, pam.conversation().unanswered());
        }
    }

    @Test
    void getUserPromptsWhenTheUserIsUnsetAndRemembersAFailure() {
        TestStack stack = TestStack.service("login", "auth required pam_permit.so\n");
        try (TestTransaction pam = stack.start()) {
            pam.conversation().answer("dave");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals("dave", pam.handle().getUser());
            assertEquals(new Message(PAM_PROMPT_ECHO_ON, "login:"), pam.conversation().prompts().getFirst());
        }
        try (TestTransaction pam = stack.start()) {
            pam.conversation().fail(PAM_BUF_ERR);
            assertEquals(PAM_BUF_ERR, pam.authenticate().pamCode());
            pam.conversation().answer("erin");
            assertEquals(PAM_BUF_ERR, pam.authenticate().pamCode(), "pam_get_user remembers the failure");
            pam.handle().setUserPrompt("Name? ");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode(), "until an item it depends on changes");
            assertEquals("Name? ", pam.conversation().prompts().getLast().msg());
        }
        try (TestTransaction pam = stack.start()) {
            pam.conversation().answer("");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals("nobody", pam.handle().getUser(), "pam_permit's empty-name rule");
        }
    }

    @Test
    void environmentIsALiveMapWithPutenvRules() {
        try (TestTransaction pam = TestStack.service("login", "auth required pam_permit.so\n").start("u")) {
            Map<String, String> env = pam.environment();
            env.put("B", "1");
            env.put("A", "x=y");
            env.put("C", "");
            env.put("B", "2");
            assertEquals(List.of("B", "A", "C"), new ArrayList<>(env.keySet()), "replacing keeps the place");
            assertEquals("x=y", env.get("A"));
            env.remove("B");
            assertEquals(List.of("A", "C"), new ArrayList<>(env.keySet()));
            assertThrows(IllegalArgumentException.class, () -> env.put("", "v"));
            assertThrows(IllegalArgumentException.class, () -> env.put("A=B", "v"));
            assertThrows(NullPointerException.class, () -> env.put("D", null));
            env.entrySet().removeIf(e -> e.getKey().equals("A"));
            assertEquals(Map.of("C", ""), env);
            assertNull(env.remove("nothere"));
        }
    }

    @Test
    void itemsAndLibpamServices() {
        try (TestTransaction pam = TestStack.service("LOGIN", "auth required pam_permit.so\n").start("u")) {
            PamHandle h = pam.handle();
            assertEquals("login", h.getService(), "lower-cased as pam_start does");
            assertNull(h.getTty());
            h.setTty("/dev/pts/1");
            h.setRhost("example.org");
            h.setRuser("root");
            h.setXdisplay(":0");
            h.setAuthtokType("UNIX");
            h.setXAuthData(new XAuthData("MIT-MAGIC-COOKIE-1", new byte[] {1, 2}));
            assertEquals("/dev/pts/1", h.getTty());
            assertEquals(new XAuthData("MIT-MAGIC-COOKIE-1", new byte[] {1, 2}), h.getXAuthData());
            h.setTty(null);
            assertNull(h.getTty());
            h.setOldauthtok("old");
            assertEquals("old", new String(h.getOldauthtokChars()));
            assertEquals("Authentication failure", h.strerror(PAM_AUTH_ERR));
            assertEquals("Bad item passed to pam_*_item()", h.strerror(PAM_BAD_ITEM));
            assertEquals("Unknown PAM error", h.strerror(99));
            assertEquals("1.5.2", h.libpamVersion());
            assertFalse(h.jvmInitialized());
            assertThrows(PamException.class, () -> h.setService(null));
        }
    }

    @Test
    void oneInstancePerTransactionOrASharedOne() {
        CodeModule shared = new CodeModule();
        TestStack stack = TestStack.service("login", CONFIG).module("CodeModule.java", shared);
        for (int i = 0; i < 2; i++) {
            try (TestTransaction pam = stack.start("u")) {
                pam.conversation().answer("123456");
                pam.authenticate();
            }
        }
        assertEquals(2, shared.instanceCalls);
        List<CodeModule> made = new ArrayList<>();
        TestStack fresh = TestStack.service("login", CONFIG).module("/etc/security/CodeModule.java", () -> {
            CodeModule m = new CodeModule();
            made.add(m);
            return m;
        });
        try (TestTransaction pam = fresh.start("u")) {
            pam.conversation().answer("123456");
            assertEquals(PAM_OPEN_ERR, pam.authenticate().pamCode(), "registered under another name: cannot be opened");
        }
        assertTrue(made.isEmpty());
        TestStack loaded = TestStack.service("login", CONFIG)
                .loader((path, args) -> !args.isEmpty() && args.getFirst().equals("CodeModule.java") ? java.util.Optional.of(new CodeModule())
                        : java.util.Optional.empty());
        try (TestTransaction pam = loaded.start("u")) {
            pam.conversation().answer("123456");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode(), "found by the loader");
        }
    }

    @Test
    void loginRunsTheUsualSequenceAndStopsAtTheFirstFailure() {
        TestStack stack = TestStack.service("login", "auth required pam_permit.so\naccount required pam_debug.so acct=acct_expired\n")
                .file("other", "session required pam_permit.so\n");
        try (TestTransaction pam = stack.start("u")) {
            List<OperationResult> results = pam.login();
            assertEquals(List.of(PAM_SUCCESS, PAM_ACCT_EXPIRED), results.stream().map(OperationResult::pamCode).toList());
            assertEquals("PAM_ACCT_EXPIRED", results.getLast().pamCodeName());
            assertEquals(PAM_SUCCESS, pam.openSession().pamCode(), "session falls back to other");
        }
    }

    @Test
    void pamConfFormAndConfigDiagnostics() {
        TestStack stack = TestStack.pamConf("su", "su auth required pam_deny.so\nsu auth [bogus] pam_permit.so\n");
        assertEquals("pam.conf:2: pam_parse: expecting return value; [...bogus]",
                stack.config().diagnostics().getFirst().toString());
        try (TestTransaction pam = stack.start("u")) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode());
        }
        try (TestTransaction pam = TestStack.pamConf("su", "sshd auth required pam_deny.so\n").start("u")) {
            assertEquals(PAM_PERM_DENIED, pam.authenticate().pamCode(), "no rules for su, no other: no modules");
        }
        assertEquals(PAM_ABORT, assertThrows(PamException.class,
                () -> TestStack.service("login", "auth required pam_permit.so \\\n").start("u")).pamCode());
    }

    /**
     * A module's mistakes meet what pam_java.so's handle does with them (TestKitMatchesLibpamTest
     * in pam-java-it compares the two): exceptions of the Java API, not a PAM code.
     */
    @Test
    void theHandleRefusesWhatPamJavasHandleRefuses() {
        try (TestTransaction pam = TestStack.service("login", "auth required pam_permit.so\n").start("u")) {
            PamHandle h = pam.handle();
            assertThrows(IllegalArgumentException.class, () -> h.conversation(List.of()));
            List<Message> many = new ArrayList<>();
            for (int i = 0; i <= PAM_MAX_NUM_MSG; i++) {
                many.add(new Message(PAM_TEXT_INFO, "m" + i));
            }
            assertThrows(IllegalArgumentException.class, () -> h.conversation(many));
            assertThrows(IllegalArgumentException.class, () -> h.failDelay(-1));
            assertEquals(List.of(), pam.failDelays());
            assertThrows(NullPointerException.class, () -> h.environment().get(null));
            assertThrows(NullPointerException.class, () -> h.environment().containsKey(null));
            assertThrows(NullPointerException.class, () -> h.environment().remove(null));
        }
    }
}
