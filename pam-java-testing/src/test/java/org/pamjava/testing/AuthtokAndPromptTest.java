package org.pamjava.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * The test kit's getAuthtok family (libpam's pam_get_authtok.c: the rule's arguments, the
 * operation, the verified flag, the English prompts) and prompt, info and error, as a module
 * author uses them. pam-java-it's AuthtokMatchesLibpamTest compares the same engine with libpam.
 */
class AuthtokAndPromptTest implements PamConstants {

    /** Gets the token (in chauthtok's update pass only), records it, and returns the code of a failure. */
    public static final class PasswordModule implements PamModule {
        final List<String> got = new ArrayList<>();

        private int take(PamHandle pamh, List<String> args) {
            String prompt = args.stream().filter(a -> a.startsWith("prompt=")).map(a -> a.substring(7)).findFirst().orElse(null);
            try {
                char[] token = pamh.getAuthtokChars(prompt);
                got.add(new String(token));
                Arrays.fill(token, '\0');
                return PAM_SUCCESS;
            } catch (PamException e) {
                got.add("code " + e.pamCode());
                return e.pamCode();
            }
        }

        @Override
        public int authenticate(PamHandle pamh, int flags, List<String> args) {
            return take(pamh, args);
        }

        @Override
        public int chauthtok(PamHandle pamh, int flags, List<String> args) {
            return (flags & PAM_PRELIM_CHECK) != 0 ? PAM_SUCCESS : take(pamh, args);
        }
    }

    /** Sets PAM_AUTHTOK, as a module before the one under test would. */
    public static final class SetsToken implements PamModule {
        @Override
        public int authenticate(PamHandle pamh, int flags, List<String> args) {
            pamh.setAuthtok("from-first");
            return PAM_SUCCESS;
        }

        @Override
        public int chauthtok(PamHandle pamh, int flags, List<String> args) {
            pamh.setAuthtok("from-first");
            return PAM_SUCCESS;
        }
    }

    private static TestStack stack(String config, PasswordModule module) {
        return TestStack.service("passwd", config).module("Password.java", module).module("SetsToken.java", SetsToken::new);
    }

    private static List<String> prompts(OperationResult r) {
        return r.messages().stream().map(m -> m.msgStyle() + " " + m.msg()).toList();
    }

    @Test
    void authenticateAsksPasswordAndTheAnswerBecomesTheItem() {
        PasswordModule m = new PasswordModule();
        try (TestTransaction pam = stack("auth required pam_java.so Password.java\n", m).start("alice")) {
            pam.conversation().answer("s3cret");
            OperationResult r = pam.authenticate();
            assertEquals(PAM_SUCCESS, r.pamCode(), r.describe());
            assertEquals(List.of("1 Password: "), prompts(r));
            assertEquals(List.of("s3cret"), m.got);
        }
    }

    @Test
    void useFirstPassTakesAnEarlierModulesTokenAndFailsWithoutOne() {
        PasswordModule m = new PasswordModule();
        String config = """
                auth optional pam_java.so SetsToken.java
                auth required pam_java.so Password.java use_first_pass
                """;
        try (TestTransaction pam = stack(config, m).start("alice")) {
            OperationResult r = pam.authenticate();
            assertEquals(PAM_SUCCESS, r.pamCode(), r.describe());
            assertEquals(List.of(), r.messages());
        }
        try (TestTransaction pam = stack("auth required pam_java.so Password.java use_first_pass\n", m).start("alice")) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode());
            assertEquals(List.of(), pam.conversation().messages(), "use_first_pass never asks");
        }
        try (TestTransaction pam = stack("auth required pam_java.so Password.java try_first_pass\n", m).start("alice")) {
            pam.conversation().answer("typed");
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
        }
        assertEquals(List.of("from-first", "code " + PAM_AUTH_ERR, "typed"), m.got);
    }

    @Test
    void chauthtokAsksTwiceWithAuthtokTypeAndAMismatchIsTryAgain() {
        PasswordModule m = new PasswordModule();
        TestStack stack = stack("password required pam_java.so Password.java authtok_type=LDAP\n", m);
        try (TestTransaction pam = stack.start("alice")) {
            pam.conversation().answers("new", "new");
            OperationResult r = pam.chauthtok();
            assertEquals(PAM_SUCCESS, r.pamCode(), r.describe());
            assertEquals(List.of("1 New LDAP password: ", "1 Retype new LDAP password: "), prompts(r));
            assertEquals("LDAP", pam.handle().getAuthtokType(), "the argument sets PAM_AUTHTOK_TYPE, as libpam does");
        }
        try (TestTransaction pam = stack.start("alice")) {
            pam.conversation().answers("new", "wen");
            OperationResult r = pam.chauthtok();
            assertEquals(PAM_TRY_AGAIN, r.pamCode(), r.describe());
            assertEquals(List.of("Sorry, passwords do not match."), pam.conversation().errors());
        }
        try (TestTransaction pam = stack.start("alice")) {
            pam.conversation().answer("new").noAnswer();
            assertEquals(PAM_AUTHTOK_ERR, pam.chauthtok().pamCode());
            assertEquals(List.of("Password change has been aborted."), pam.conversation().errors());
        }
        assertEquals(List.of("new", "code " + PAM_TRY_AGAIN, "code " + PAM_AUTHTOK_ERR), m.got);
    }

    @Test
    void useAuthtokInChauthtokTakesTheEarlierToken() {
        PasswordModule m = new PasswordModule();
        String config = """
                password required pam_java.so Password.java use_authtok
                """;
        try (TestTransaction pam = stack(config, m).start("alice")) {
            assertEquals(PAM_AUTHTOK_ERR, pam.chauthtok().pamCode());
        }
        try (TestTransaction pam = stack("password optional pam_java.so SetsToken.java\n" + config, m).start("alice")) {
            assertEquals(PAM_SUCCESS, pam.chauthtok().pamCode());
        }
        assertEquals(List.of("code " + PAM_AUTHTOK_ERR, "from-first"), m.got);
    }

    @Test
    void aPromptOfItsOwnIsShownAsItIsAndRetypedWithRetype() {
        PasswordModule m = new PasswordModule();
        try (TestTransaction pam = stack("password required pam_java.so Password.java [prompt=PIN %s: ]\n", m).start("bob")) {
            pam.conversation().answers("1234", "1234");
            OperationResult r = pam.chauthtok();
            assertEquals(PAM_SUCCESS, r.pamCode(), r.describe());
            assertEquals(List.of("1 PIN %s: ", "1 Retype PIN %s: "), prompts(r));
        }
    }

    /** pam_pwquality's pattern: the new token once, a check, then the retype. */
    public static final class QualityModule implements PamModule {
        final List<String> got = new ArrayList<>();

        @Override
        public int chauthtok(PamHandle pamh, int flags, List<String> args) {
            if ((flags & PAM_UPDATE_AUTHTOK) == 0) {
                return PAM_SUCCESS;
            }
            try {
                char[] first = pamh.getOldauthtokChars(null);
                char[] fresh = pamh.getAuthtokNoverifyChars(null);
                if (fresh.length < 3) {
                    pamh.error("too short");
                    return PAM_AUTHTOK_ERR;
                }
                char[] verified = pamh.verifyAuthtokChars(null);
                got.add(new String(first) + "->" + new String(verified));
                return PAM_SUCCESS;
            } catch (PamException e) {
                got.add("code " + e.pamCode() + " authtok=" + pamh.getAuthtok());
                return e.pamCode();
            }
        }
    }

    @Test
    void noverifyThenVerifyAsPamPwqualityDoes() {
        QualityModule q = new QualityModule();
        TestStack stack = TestStack.service("passwd", "password required pam_java.so Quality.java\n")
                .module("Quality.java", q);
        try (TestTransaction pam = stack.start("carol")) {
            pam.handle().setAuthtokType("NIS");
            pam.conversation().answers("old", "longer", "longer");
            OperationResult r = pam.chauthtok();
            assertEquals(PAM_SUCCESS, r.pamCode(), r.describe());
            assertEquals(List.of("1 Current NIS password: ", "1 New NIS password: ", "1 Retype new NIS password: "), prompts(r));
        }
        try (TestTransaction pam = stack.start("carol")) {
            pam.conversation().answers("old", "longer", "other");
            assertEquals(PAM_TRY_AGAIN, pam.chauthtok().pamCode());
        }
        assertEquals(List.of("old->longer", "code " + PAM_TRY_AGAIN + " authtok=null"), q.got,
                "a mistyped retype unsets PAM_AUTHTOK");
    }

    @Test
    void verifyOutsideChauthtokAndWithoutATokenFails() {
        List<Integer> codes = new ArrayList<>();
        PamModule module = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                for (String token : new String[] {null, "set"}) {
                    pamh.setAuthtok(token);
                    try {
                        pamh.verifyAuthtokChars(null);
                        codes.add(PAM_SUCCESS);
                    } catch (PamException e) {
                        codes.add(e.pamCode());
                    }
                }
                return PAM_SUCCESS;
            }
        };
        try (TestTransaction pam = TestStack.service("login", "auth required m.so\n").module("m.so", module).start("dave")) {
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals(List.of(), pam.conversation().messages());
        }
        assertEquals(List.of(PAM_AUTHTOK_ERR, PAM_SYSTEM_ERR), codes);
    }

    @Test
    void theStringAndCharFormsAgreeAndAnAnswerlessQuestionIsAuthtokErr() {
        List<String> got = new ArrayList<>();
        PamModule module = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                got.add(pamh.getAuthtok(null));
                assertArrayEquals(got.getFirst().toCharArray(), pamh.getAuthtokChars("not asked: the item is set"));
                pamh.setAuthtok(null);
                try {
                    pamh.getAuthtok(null);
                } catch (PamException e) {
                    got.add("code " + e.pamCode());
                }
                return PAM_SUCCESS;
            }
        };
        try (TestTransaction pam = TestStack.service("login", "auth required m.so\n").module("m.so", module).start("erin")) {
            pam.conversation().answer("pw").noAnswer();
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals(2, pam.conversation().prompts().size());
            assertEquals(List.of(), pam.conversation().errors(), "outside chauthtok nothing says it was aborted");
        }
        assertEquals(List.of("pw", "code " + PAM_AUTHTOK_ERR), got);
    }

    @Test
    void promptInfoAndErrorAreOneMessageConversationsWithTheTextAsItIs() {
        List<String> got = new ArrayList<>();
        PamModule module = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                got.add(pamh.prompt(PAM_PROMPT_ECHO_ON, "Name (%s)? "));
                got.add(pamh.prompt(PAM_PROMPT_ECHO_OFF, "Code? "));
                got.add(pamh.prompt(PAM_PROMPT_ECHO_OFF, "Again? "));
                pamh.info("100% done %n");
                pamh.error("failed: %s");
                try {
                    pamh.prompt(PAM_PROMPT_ECHO_ON, "Once more? ");
                } catch (PamException e) {
                    got.add("code " + e.pamCode());
                }
                return PAM_SUCCESS;
            }
        };
        try (TestTransaction pam = TestStack.service("login", "auth required m.so\n").module("m.so", module).start("frank")) {
            pam.conversation().answers("frank", "123").noAnswer().fail(PAM_CONV_ERR);
            OperationResult r = pam.authenticate();
            assertEquals(PAM_SUCCESS, r.pamCode(), r.describe());
            assertEquals(List.of(new Message(PAM_PROMPT_ECHO_ON, "Name (%s)? "), new Message(PAM_PROMPT_ECHO_OFF, "Code? "),
                    new Message(PAM_PROMPT_ECHO_OFF, "Again? "), new Message(PAM_TEXT_INFO, "100% done %n"),
                    new Message(PAM_ERROR_MSG, "failed: %s"), new Message(PAM_PROMPT_ECHO_ON, "Once more? ")), r.messages());
        }
        assertEquals(Arrays.asList("frank", "123", null, "code " + PAM_CONV_ERR), got);
        assertNull(got.get(2));
    }
}
