package org.pamjava.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Response;

class StackRunnerTest implements PamConstants {

    private static StackTransaction start(String login, ModuleResolver modules) {
        return PamStack.of(ConfigSource.files(Map.of("login", login))).withModules(modules)
                .start("login", "alice", m -> null);
    }

    private static StackTransaction start(String login) {
        return start(login, (p, a) -> Optional.empty());
    }

    private static int auth(String login) {
        try (StackTransaction pam = start(login)) {
            return pam.authenticate(0);
        }
    }

    @Test
    void simpleKeywordsEqualTheirBracketForms() {
        Map<String, String> equivalences = Map.of(
                "required", "[success=ok new_authtok_reqd=ok ignore=ignore default=bad]",
                "requisite", "[success=ok new_authtok_reqd=ok ignore=ignore default=die]",
                "sufficient", "[success=done new_authtok_reqd=done default=ignore]",
                "optional", "[success=ok new_authtok_reqd=ok default=ignore]");
        List<String> before = List.of("", "auth required pam_debug.so auth=auth_err\n",
                "auth optional pam_debug.so auth=new_authtok_reqd\n", "auth required pam_permit.so\n");
        List<String> after = List.of("", "auth required pam_debug.so auth=maxtries\n", "auth required pam_permit.so\n");
        int checks = 0;
        for (var e : equivalences.entrySet()) {
            assertEquals(Control.of(e.getKey()), Control.of(e.getValue().substring(1, e.getValue().length() - 1)));
            for (int code = 0; code < Control.RETURN_VALUES; code++) {
                if (code == PAM_INCOMPLETE) {
                    continue;
                }
                for (String b : before) {
                    for (String a : after) {
                        String rule = " pam_debug.so auth=" + Control.returnName(code) + "\n";
                        assertEquals(auth(b + "auth " + e.getValue() + rule + a), auth(b + "auth " + e.getKey() + rule + a),
                                e.getKey() + " with " + Control.returnName(code) + " between\n" + b + "and\n" + a);
                        checks++;
                    }
                }
            }
        }
        assertEquals(4 * 31 * 12, checks);
    }

    @Test
    void requiredFailureIsTheResultEvenAfterLaterSuccess() {
        assertEquals(PAM_AUTH_ERR, auth("auth required pam_deny.so\nauth sufficient pam_permit.so\n"));
        assertEquals(PAM_SUCCESS, auth("auth sufficient pam_permit.so\nauth required pam_deny.so\n"));
        assertEquals(PAM_USER_UNKNOWN, auth("auth requisite pam_debug.so auth=user_unknown\nauth required pam_deny.so\n"));
        assertEquals(PAM_PERM_DENIED, auth("auth optional pam_debug.so auth=ignore\n"), "nothing decided: PAM_PERM_DENIED");
    }

    @Test
    void substackIsolatesDoneDieAndJumps() {
        Map<String, String> files = Map.of(
                "login", "auth substack sub\nauth required pam_debug.so auth=cred_expired\n",
                "sub", "auth requisite pam_deny.so\nauth required pam_permit.so\n");
        try (StackTransaction pam = PamStack.of(ConfigSource.files(files)).start("login", "u", m -> null)) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate(0), "die ends only the substack; its failure stands");
            assertEquals(List.of("sub:1", "login:2"), pam.trace().stream().map(t -> t.rule().location()).toList());
        }
        Map<String, String> jump = Map.of(
                "login", "auth substack sub\nauth required pam_permit.so\n",
                "sub", "auth [success=2 default=bad] pam_permit.so\nauth required pam_permit.so\n");
        try (StackTransaction pam = PamStack.of(ConfigSource.files(jump)).start("login", "u", m -> null)) {
            assertEquals(PAM_PERM_DENIED, pam.authenticate(0), "a jump cannot leave its substack");
        }
    }

    @Test
    void jumpsSkipRulesAndAJumpPastTheEndFails() {
        assertEquals(PAM_SUCCESS, auth("auth [success=1 default=bad] pam_permit.so\nauth required pam_deny.so\nauth required pam_permit.so\n"));
        assertEquals(PAM_PERM_DENIED, auth("auth [success=2 default=bad] pam_permit.so\nauth required pam_permit.so\n"));
    }

    @Test
    void resetForgetsTheStateSoFar() {
        assertEquals(PAM_SUCCESS, auth("auth required pam_deny.so\nauth [default=reset] pam_debug.so auth=ignore\nauth required pam_permit.so\n"));
    }

    @Test
    void replayedJumpIsOnlyAJumpAsInDebiansLibpam() {
        // found by the differential test: upstream would give PAM_CRED_ERR here
        try (StackTransaction pam = start("auth [success=1 default=ignore] pam_debug.so auth=success cred=cred_err\n"
                + "auth required pam_deny.so\nauth required pam_debug.so cred=cred_expired\n")) {
            assertEquals(PAM_SUCCESS, pam.authenticate(0));
            assertEquals(PAM_CRED_EXPIRED, pam.setcred(0));
            assertEquals(List.of(PAM_SUCCESS, PAM_SUCCESS, PAM_CRED_ERR, PAM_CRED_EXPIRED),
                    pam.trace().stream().map(RuleTrace::result).toList());
            assertEquals(PAM_SUCCESS, pam.trace().get(2).chainResult(), "setcred follows authenticate's frozen chain");
        }
    }

    @Test
    void incompleteResumesAtTheSameRuleAndOtherOperationsAbort() {
        List<Integer> calls = new ArrayList<>();
        PamModule twice = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                calls.add(calls.size());
                return calls.size() == 1 ? PAM_INCOMPLETE : PAM_SUCCESS;
            }
        };
        try (StackTransaction pam = start("auth required pam_deny.so\nauth required pam_java.so Twice.java\n",
                (path, args) -> ModuleResolver.isPamJava(path) ? Optional.of(twice) : Optional.empty())) {
            assertEquals(PAM_INCOMPLETE, pam.authenticate(0));
            assertEquals(PAM_ABORT, pam.acctMgmt(0), "the application must call pam_authenticate again");
            assertEquals(PAM_AUTH_ERR, pam.authenticate(0), "resumed: pam_deny's earlier failure still counts");
            assertEquals(2, calls.size());
            assertEquals(List.of(PAM_AUTH_ERR, PAM_INCOMPLETE, PAM_SUCCESS),
                    pam.trace().stream().map(RuleTrace::result).toList(), "pam_deny is not called again");
        }
    }

    @Test
    void pamJavaSoOwnOptionsAreNotTheJavaModules() {
        List<List<String>> resolved = new ArrayList<>();
        List<List<String>> called = new ArrayList<>();
        PamModule recorder = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                called.add(List.copyOf(args));
                return PAM_SUCCESS;
            }
        };
        try (StackTransaction pam = start("auth required pam_java.so in_process R.java a=1\n",
                (path, args) -> {
                    resolved.add(List.copyOf(args));
                    return Optional.of(recorder);
                })) {
            assertEquals(PAM_SUCCESS, pam.authenticate(0));
        }
        assertEquals(List.of(List.of("R.java", "a=1")), resolved, "the MODULE is the first argument after in_process");
        assertEquals(List.of(List.of("R.java", "a=1")), called, "args.get(0) is the MODULE, as pam_java.so hands it");
    }

    @Test
    void chauthtokRunsPrelimThenUpdate() {
        List<Integer> flags = new ArrayList<>();
        PamModule recorder = new PamModule() {
            @Override
            public int chauthtok(PamHandle pamh, int f, List<String> args) {
                flags.add(f & (PAM_PRELIM_CHECK | PAM_UPDATE_AUTHTOK));
                return PAM_SUCCESS;
            }
        };
        try (StackTransaction pam = start("password required pam_java.so R.java\n", (p, a) -> Optional.of(recorder))) {
            assertEquals(PAM_SUCCESS, pam.chauthtok(0));
            assertEquals(List.of(PAM_PRELIM_CHECK, PAM_UPDATE_AUTHTOK), flags);
            assertEquals(PAM_SYSTEM_ERR, pam.chauthtok(PAM_UPDATE_AUTHTOK));
        }
    }

    @Test
    void oneInstancePerTransactionAndModuleEndedOnce() {
        List<String> events = new ArrayList<>();
        ModuleResolver resolver = (path, args) -> Optional.of(new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> a) {
                events.add("auth " + a.get(1) + " " + System.identityHashCode(this));
                return PAM_SUCCESS;
            }

            @Override
            public void end(PamHandle pamh) {
                events.add("end");
            }
        });
        try (StackTransaction pam = start("auth required pam_java.so M.java one\nauth required pam_java.so M.java two\n", resolver)) {
            pam.authenticate(0);
        }
        assertEquals(3, events.size(), events.toString());
        assertEquals(events.get(0).split(" ")[2], events.get(1).split(" ")[2], "same instance for both rules");
        assertEquals("end", events.get(2));
    }

    @Test
    void pamJavaModulesThatCannotBeLoadedOrThrowMapToPamCodes() {
        assertEquals(PAM_OPEN_ERR, auth("auth required pam_java.so Nope.java\n"));
        assertEquals(PAM_MODULE_UNKNOWN, auth("auth required pam_java.so\n"));
        assertEquals(PAM_MODULE_UNKNOWN, auth("auth required pam_nothere.so\n"));
        PamModule thrower = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                throw new IllegalStateException("boom");
            }

            @Override
            public int setcred(PamHandle pamh, int flags, List<String> args) {
                return 99;
            }
        };
        try (StackTransaction pam = start("auth required pam_java.so T.java\n", (p, a) -> Optional.of(thrower))) {
            assertEquals(PAM_SERVICE_ERR, pam.authenticate(0));
            assertNotNull(pam.trace().getFirst().failure());
            assertEquals(PAM_SERVICE_ERR, pam.setcred(0));
            assertEquals(PAM_PERM_DENIED, pam.acctMgmt(0), "no account rules at all");
        }
    }

    @Test
    void aPamJavaRuleOnAMachineWithoutPamJavaIsAnUnknownModule() {
        ModuleResolver withoutPamJava = new ModuleResolver() {
            @Override
            public Optional<PamModule> resolve(String modulePath, List<String> args) {
                return Optional.empty();
            }

            @Override
            public boolean installed(String modulePath) {
                return !ModuleResolver.isPamJava(modulePath);
            }
        };
        try (StackTransaction pam = start("auth required pam_java.so Nope.java\n"
                + "account required /usr/lib/security/pam_java.so Nope.java\n", withoutPamJava)) {
            assertEquals(PAM_MODULE_UNKNOWN, pam.authenticate(0), "libpam cannot load pam_java.so: not pam_java's PAM_OPEN_ERR");
            assertEquals(PAM_MODULE_UNKNOWN, pam.acctMgmt(0));
        }
    }

    @Test
    void authtokIsClearedAroundAuthenticateAndEndClosesTheTransaction() {
        PamModule setter = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                assertEquals(null, pamh.getAuthtok(), "cleared before the stack runs");
                pamh.setAuthtok("secret");
                return PAM_SUCCESS;
            }
        };
        StackTransaction pam = start("auth required pam_java.so S.java\n", (p, a) -> Optional.of(setter));
        pam.handle().setAuthtok("stale");
        assertEquals(PAM_SUCCESS, pam.authenticate(0));
        assertEquals(null, pam.handle().getAuthtok(), "cleared after the stack ran");
        assertEquals(PAM_SUCCESS, pam.end(PAM_SUCCESS));
        assertEquals(PAM_SYSTEM_ERR, pam.end(PAM_SUCCESS));
        assertThrows(IllegalStateException.class, () -> pam.authenticate(0));
    }

    @Test
    void settingTheServiceRereadsTheStack() {
        Map<String, String> files = Map.of("login", "auth required pam_permit.so\n", "sshd", "auth required pam_deny.so\n");
        try (StackTransaction pam = PamStack.of(ConfigSource.files(files)).start("login", "u", m -> null)) {
            assertEquals(PAM_SUCCESS, pam.authenticate(0));
            pam.handle().setService("SSHD");
            assertEquals("sshd", pam.handle().getService());
            assertEquals(PAM_AUTH_ERR, pam.authenticate(0));
        }
    }

    @Test
    void startFailsWithAbortWhenLibpamCouldNotReadTheConfiguration() {
        PamException e = assertThrows(PamException.class,
                () -> PamStack.of(ConfigSource.files(Map.of())).start("login", null, m -> null));
        assertEquals(PAM_ABORT, e.pamCode());
        assertSame(ControlAction.OK, Control.REQUIRED.action(PAM_SUCCESS));
    }
}
