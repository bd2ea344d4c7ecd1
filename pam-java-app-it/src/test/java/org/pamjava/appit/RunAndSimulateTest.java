package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} (the real libpam) and {@code simulate} (the Java engine) as processes: they agree on
 * the same directory, and each shows what it promises.
 */
class RunAndSimulateTest {
    static final String ALL_OPERATIONS = "auth setcred acct open close chauthtok";

    @TempDir
    Path tmp;
    Path confdir;

    @BeforeEach
    void setUp() throws Exception {
        confdir = Files.createDirectory(tmp.resolve("pam.d"));
    }

    /** Stacks whose outcome depends on each control's semantics: jumps, done, die, reset, substacks. */
    static final List<List<String>> STACKS = List.of(
            List.of("auth required pam_debug.so auth=perm_denied cred=cred_err", "auth sufficient pam_permit.so",
                    "account requisite pam_deny.so", "account required pam_permit.so",
                    "session optional pam_debug.so open_session=session_err close_session=ignore", "session required pam_permit.so",
                    "password required pam_debug.so prechauthtok=success chauthtok=authtok_err"),
            List.of("auth [success=2 default=ignore] pam_debug.so auth=success", "auth requisite pam_deny.so",
                    "auth required pam_deny.so", "auth required pam_permit.so", "account [default=die] pam_debug.so acct=ignore",
                    "account required pam_permit.so"),
            List.of("auth [success=ok new_authtok_reqd=done default=reset] pam_debug.so auth=new_authtok_reqd",
                    "auth required pam_debug.so auth=auth_err", "session substack inner-missing",
                    "password [success=5 default=ignore] pam_permit.so", "password optional pam_deny.so"),
            List.of("auth optional pam_debug.so auth=ignore", "account [ignore=ignore success=done default=bad] pam_debug.so acct=ignore",
                    "session sufficient pam_debug.so open_session=session_err close_session=success",
                    "password requisite pam_debug.so prechauthtok=try_again"),
            List.of("atuh required pam_permit.so", "auth required pam_permit.so", "account requried pam_permit.so",
                    "session [succes=ok] pam_permit.so", "password required"));

    @Test
    void simulateAgreesWithRunOnHandWrittenAndGeneratedStacks() throws Exception {
        List<List<String>> stacks = new ArrayList<>(STACKS);
        Random random = new Random(20250101);
        for (int i = 0; i < 8; i++) {
            stacks.add(randomStack(random));
        }
        for (int i = 0; i < stacks.size(); i++) {
            String service = "svc" + i;
            Dist.service(confdir, service, stacks.get(i).toArray(String[]::new));
            List<String> args = new ArrayList<>(List.of("--confdir", confdir.toString(), service, "alice"));
            args.addAll(List.of(ALL_OPERATIONS.split(" ")));
            PamJavaCommand.Result real = PamJavaCommand.run(tmp, prepend("run", args));
            PamJavaCommand.Result simulated = PamJavaCommand.run(tmp, prepend("simulate", args));
            List<String> realResults = results(real);
            assertEquals(6, realResults.size(), real.toString());
            assertEquals(realResults, results(simulated), "stack " + stacks.get(i) + "\n" + real + simulated);
            assertEquals(real.status(), simulated.status());
        }
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    private static List<String> results(PamJavaCommand.Result r) {
        return r.lines().stream().filter(l -> l.matches("(auth|setcred|acct|open|close|chauthtok): .*")).toList();
    }

    private static List<String> randomStack(Random random) {
        String[] types = {"auth", "account", "session", "password"};
        String[] controls = {"required", "requisite", "sufficient", "optional", "[success=1 default=ignore]",
                "[success=done new_authtok_reqd=ok default=die]", "[default=bad success=ok ignore=reset]", "[success=2 auth_err=1 default=bad]"};
        String[] codes = {"success", "auth_err", "ignore", "perm_denied", "new_authtok_reqd", "session_err", "cred_err"};
        String[] events = {"auth", "cred", "acct", "open_session", "close_session", "prechauthtok", "chauthtok"};
        List<String> rules = new ArrayList<>();
        for (String type : types) {
            int n = 1 + random.nextInt(4);
            for (int r = 0; r < n; r++) {
                String control = controls[random.nextInt(controls.length)];
                String module = switch (random.nextInt(4)) {
                    case 0 -> "pam_permit.so";
                    case 1 -> "pam_deny.so";
                    default -> {
                        StringBuilder sb = new StringBuilder("pam_debug.so");
                        for (String event : events) {
                            if (random.nextBoolean()) {
                                sb.append(' ').append(event).append('=').append(codes[random.nextInt(codes.length)]);
                            }
                        }
                        yield sb.toString();
                    }
                };
                rules.add(type + " " + control + " " + module);
            }
        }
        return rules;
    }

    @Test
    void simulatePrintsEveryRuleWithItsResultActionAndState() throws Exception {
        Dist.service(confdir, "login", "auth required pam_debug.so auth=perm_denied", "auth sufficient pam_permit.so",
                "account required pam_permit.so");
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "simulate", "--confdir", confdir.toString(), "login", "alice");
        assertEquals(1, r.status(), r.toString());
        List<String> squeezed = r.lines().stream().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("auth", "rule control module returned action state",
                "login:1 required pam_debug.so auth=perm_denied PAM_PERM_DENIED bad failing PAM_PERM_DENIED",
                "[info] auth=perm_denied",
                "login:2 sufficient pam_permit.so PAM_SUCCESS done failing PAM_PERM_DENIED",
                "auth: 6 PAM_PERM_DENIED (Permission denied)",
                "acct", "rule control module returned action state",
                "login:3 required pam_permit.so PAM_SUCCESS ok passing PAM_SUCCESS",
                "acct: 0 PAM_SUCCESS (Success)"), squeezed);
    }

    @Test
    void simulateJsonHasTheResultsInOrderAndTheTrace() throws Exception {
        Dist.service(confdir, "login", "auth required pam_debug.so auth=perm_denied", "auth sufficient pam_permit.so",
                "account required pam_permit.so");
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "simulate", "--json", "--confdir", confdir.toString(),
                "login", "alice", "auth", "acct", "auth");
        assertEquals(1, r.status(), r.toString());
        String json = r.out();
        assertTrue(json.startsWith("{") && json.strip().endsWith("}"), json);
        assertTrue(json.contains("""
                  "results": [
                    {"operation": "auth", "code": 6, "name": "PAM_PERM_DENIED"},
                    {"operation": "acct", "code": 0, "name": "PAM_SUCCESS"},
                    {"operation": "auth", "code": 6, "name": "PAM_PERM_DENIED"}
                  ],
                """), json);
        assertEquals(5, json.lines().filter(l -> l.startsWith("    {\"operation\": ") && l.contains("\"returned\": ")).count(), json);
        assertTrue(json.contains("\"module\": \"pam_debug.so\", \"args\": [\"auth=perm_denied\"], \"returned\": 6, "
                + "\"returnedName\": \"PAM_PERM_DENIED\", \"action\": \"bad\", \"impression\": \"negative\""), json);
        assertEquals("", r.err());
    }

    @Test
    void runAndSimulateConverseWithAJavaModule() throws Exception {
        Dist.service(confdir, "javaapp", "auth required $PAM_JAVA $MODULES/PasswordModule.java password=s3cret",
                "account required $PAM_JAVA $MODULES/PasswordModule.java");
        String dir = confdir.toString();
        PamJavaCommand.Result right = PamJavaCommand.runWithInput(tmp, "s3cret\n", "run", "--confdir", dir, "javaapp", "alice");
        assertEquals(List.of("Password for alice: ", "auth: 0 PAM_SUCCESS (Success)", "acct: 0 PAM_SUCCESS (Success)"),
                right.lines(), right.toString());
        assertEquals(0, right.status());
        PamJavaCommand.Result wrong = PamJavaCommand.runWithInput(tmp, "guess\n", "run", "--confdir", dir, "javaapp", "alice", "auth");
        assertEquals(List.of("Password for alice: ", "auth: 7 PAM_AUTH_ERR (Authentication failure)"), wrong.lines(), wrong.toString());
        assertEquals(1, wrong.status());
        PamJavaCommand.Result noInput = PamJavaCommand.runWithInput(tmp, "", "run", "--confdir", dir, "javaapp", "alice", "auth");
        assertEquals("auth: 19 PAM_CONV_ERR (Conversation error)", noInput.lines().getLast(), noInput.toString());

        PamJavaCommand.Result simulated = PamJavaCommand.run(tmp, "simulate", "--answer", "s3cret", "--confdir", dir, "javaapp", "alice");
        assertEquals(0, simulated.status(), simulated.toString());
        assertTrue(simulated.out().contains("[prompt, no echo] Password for alice: "), simulated.toString());
        PamJavaCommand.Result unanswered = PamJavaCommand.run(tmp, "simulate", "--confdir", dir, "javaapp", "alice", "auth");
        assertEquals("auth: 19 PAM_CONV_ERR (Conversation error)", unanswered.lines().getLast(), unanswered.toString());
    }

    /**
     * {@code run} is the application, so what pam_java.so and the runtime log about its modules
     * reaches its stderr as well as syslog (none listens on a CI machine): a module that does not
     * compile shows the compiler's message, not just PAM_SERVICE_ERR; {@code --no-log} keeps stderr
     * for the command's own words.
     */
    @Test
    void runShowsPamJavasDiagnosticsOnStderr() throws Exception {
        Path broken = Files.writeString(tmp.resolve("Broken.java"),
                "public class Broken implements org.pamjava.PamModule {\n    int x = ;\n}\n");
        Dist.service(confdir, "brokenapp", "auth required $PAM_JAVA in_process " + broken);
        PamJavaCommand.Result shown = PamJavaCommand.run(tmp, "run", "--confdir", confdir.toString(), "brokenapp", "alice", "auth");
        assertEquals(1, shown.lines().size(), shown.toString());
        assertTrue(shown.lines().getFirst().startsWith("auth: 3 PAM_SERVICE_ERR ("), shown.toString()); // libpam's own words after it
        assertTrue(shown.err().contains(broken + " does not compile"), shown.toString());
        assertTrue(shown.err().contains(broken + ":2: "), shown.toString()); // the compiler names the file and line
        PamJavaCommand.Result quiet = PamJavaCommand.run(tmp, "run", "--no-log", "--confdir", confdir.toString(), "brokenapp", "alice", "auth");
        assertEquals(shown.lines(), quiet.lines(), quiet.toString());
        assertTrue(!quiet.err().contains("does not compile"), quiet.toString());
    }

    /**
     * A module that looks a group up (PamHandle.nss()) gets the machine's NSS in the engine of
     * {@code simulate} as through the real libpam in {@code run}: root is in its group root, a
     * user that does not exist in none; and neither command prints the JDK's native-access warning.
     */
    @Test
    void runAndSimulateLookUpGroupsInTheMachinesNss() throws Exception {
        Dist.service(confdir, "groupapp", "auth required $PAM_JAVA $MODULES/GroupMemberModule.java group=root");
        String dir = confdir.toString();
        for (String command : List.of("run", "simulate")) {
            PamJavaCommand.Result root = PamJavaCommand.run(tmp, command, "--confdir", dir, "groupapp", "root", "auth");
            assertEquals("auth: 0 PAM_SUCCESS (Success)", root.lines().getLast(), root.toString());
            PamJavaCommand.Result nobody = PamJavaCommand.run(tmp, command, "--confdir", dir, "groupapp", "pam-java-no-such-user", "auth");
            assertEquals("auth: 7 PAM_AUTH_ERR (Authentication failure)", nobody.lines().getLast(), nobody.toString());
            assertTrue(!root.err().contains("WARNING") && !nobody.err().contains("WARNING"), root + "\n" + nobody);
        }
    }

    @Test
    void simulateTakesAssumedResultsForModulesItCannotRunAndASingleFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("candidate"), "auth required pam_unix.so\nauth required pam_permit.so\n");
        PamJavaCommand.Result unknown = PamJavaCommand.run(tmp, "simulate", "--file", file.toString(), "candidate", "alice", "auth");
        assertEquals("auth: 28 PAM_MODULE_UNKNOWN (Module is unknown)", unknown.lines().getLast(), unknown.toString());
        assertTrue(unknown.err().contains("pam_unix.so is not simulated"), unknown.toString());
        PamJavaCommand.Result assumed = PamJavaCommand.run(tmp, "simulate", "--file", file.toString(),
                "--assume", "pam_unix.so=success", "candidate", "alice", "auth");
        assertEquals("auth: 0 PAM_SUCCESS (Success)", assumed.lines().getLast(), assumed.toString());
        PamJavaCommand.Result denied = PamJavaCommand.run(tmp, "simulate", "--file", file.toString(),
                "--assume", "pam_unix.so=PAM_USER_UNKNOWN", "candidate", "alice", "auth");
        assertEquals("auth: 10 PAM_USER_UNKNOWN (User not known to the underlying authentication module)",
                denied.lines().getLast(), denied.toString());
    }
    /**
     * Item 3 of issue 18: {@code simulate} says that it runs a Java module for real before it does
     * (its effect, here a file it writes, happens), shows what the module threw with the message
     * and the module's own frames, compiles a {@code .java} module once and reuses the classes in
     * later runs (the compiled-class cache), and {@code --assume NAME.java=RESULT} stands in for
     * the module, which then does not run.
     */
    @Test
    void simulateSaysJavaModulesRunForRealShowsWhatTheyThrowAndCompilesOnce() throws Exception {
        Path effect = tmp.resolve("effect");
        // A source no earlier run compiled (the cache is keyed by the source): this run's first compilation.
        Path module = Files.writeString(tmp.resolve("Effectful.java"), """
                import java.nio.file.*;
                import java.util.List;
                public class Effectful implements org.pamjava.PamModule {
                    // NONCE
                    @Override public int authenticate(org.pamjava.PamHandle pamh, int flags, List<String> args) {
                        try { Files.writeString(Path.of("EFFECT"), "ran"); } catch (java.io.IOException e) { return 3; }
                        return refuse();
                    }
                    private int refuse() {
                        throw new IllegalStateException("the token server is not configured");
                    }
                }
                """.replace("NONCE", Long.toString(System.nanoTime())).replace("EFFECT", effect.toString()));
        Dist.service(confdir, "effectapp", "auth required $PAM_JAVA " + module);
        String dir = confdir.toString();

        PamJavaCommand.Result first = PamJavaCommand.run(tmp, "simulate", "--confdir", dir, "effectapp", "alice", "auth");
        assertEquals("auth: 3 PAM_SERVICE_ERR (Error in service module)", first.lines().getLast(), first.toString());
        assertTrue(first.err().contains("the Java module " + module + " runs for real"), first.toString());
        assertTrue(Files.exists(effect), "the module ran: " + first);
        assertTrue(first.out().contains("threw java.lang.IllegalStateException: the token server is not configured"), first.toString());
        assertTrue(first.out().contains("Effectful.refuse(Effectful.java:10)"), first.toString()); // where in the module
        assertTrue(first.err().contains("compiled " + module), "the first run compiles: " + first);

        PamJavaCommand.Result again = PamJavaCommand.run(tmp, "simulate", "--confdir", dir, "effectapp", "alice", "auth");
        assertEquals(first.lines().getLast(), again.lines().getLast(), again.toString());
        assertTrue(!again.err().contains("compiled " + module), "a later run reuses the compiled classes: " + again);

        Files.delete(effect);
        PamJavaCommand.Result assumed = PamJavaCommand.run(tmp, "simulate", "--confdir", dir,
                "--assume", "Effectful.java=success", "effectapp", "alice", "auth");
        assertEquals("auth: 0 PAM_SUCCESS (Success)", assumed.lines().getLast(), assumed.toString());
        assertTrue(!Files.exists(effect) && !assumed.err().contains("runs for real"), "an assumed module does not run: " + assumed);
    }
}
