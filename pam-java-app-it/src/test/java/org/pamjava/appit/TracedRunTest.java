package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.itsupport.PrivateSystem;

/**
 * {@code run --trace} (the real libpam and Debian's real modules, each rule through the tracing
 * module) against a plain {@code run} and against the Java engine: on every stack, the traced run
 * gives the codes the plain run gives, reports no disagreement, and its per-rule codes fed to
 * {@code simulate --assume FILE:LINE=...} give the same rules, actions and states.
 */
class TracedRunTest {
    static final String OPERATIONS = "auth setcred acct open close chauthtok";
    static final String USER = "pjtrace";
    static final String PASSWORD = "Tr4ce-me";

    @TempDir
    Path tmp;
    Path confdir;

    @BeforeEach
    void setUp() throws Exception {
        confdir = Files.createDirectory(tmp.resolve("pam.d"));
    }

    /**
     * Stacks of Debian's modules that need no user of their own (the tests run as root, so
     * pam_rootok succeeds; as another user it fails, in both runs alike). {@code INNER} is an
     * included file's absolute path (Debian's libpam looks for relative ones in /etc/pam.d).
     */
    static final List<List<String>> STACKS = List.of(
            List.of("auth required pam_env.so", "auth [success=1 default=ignore] pam_succeed_if.so user = root quiet",
                    "auth requisite pam_deny.so", "auth sufficient pam_rootok.so", "auth required pam_deny.so",
                    "account required pam_succeed_if.so uid >= 1000 quiet", "account optional pam_permit.so",
                    "session required pam_env.so", "session optional pam_permit.so",
                    "password required pam_deny.so"),
            // a substack whose done ends only the substack, jumps over rules and out of the substack's reach
            List.of("auth optional pam_faildelay.so delay=1", "auth substack $INNER", "auth [success=2 default=ignore] pam_permit.so",
                    "auth required pam_deny.so", "auth required pam_deny.so", "auth required pam_permit.so",
                    "account include $INNER", "session [default=1] pam_deny.so", "session required pam_deny.so",
                    "session required pam_permit.so", "password substack $INNER", "password required pam_permit.so"),
            // modules that are not there: named first by a plain rule (libpam logs it once) or by
            // -type rules only (it logs nothing); modules without the account or session entry
            // points (pam_faildelay, pam_rootok)
            List.of("auth optional pam_pjtrace_missing.so", "-auth required pam_pjtrace_missing.so",
                    "-auth optional pam_pjtrace_gone.so", "auth required pam_pjtrace_missing.so",
                    "auth sufficient pam_permit.so", "-account required pam_pjtrace_gone.so",
                    "account optional pam_faildelay.so", "account required pam_permit.so",
                    "session required pam_rootok.so", "-session optional pam_pjtrace_missing.so",
                    "password [success=ok default=bad] pam_rootok.so"),
            // one module that is not there, named relative and by its full path: two modules to
            // Debian's libpam, which keeps a relative path as written (it logs each), and one
            // existing module named both ways
            List.of("auth optional pam_pjtrace_twice.so", "auth optional /lib/x86_64-linux-gnu/security/pam_pjtrace_twice.so",
                    "auth optional pam_pjtrace_twice.so", "auth required pam_permit.so",
                    "auth required /lib/x86_64-linux-gnu/security/pam_permit.so", "account required pam_permit.so",
                    "session required pam_permit.so", "password required /lib/x86_64-linux-gnu/security/pam_permit.so"),
            // PAM_INCOMPLETE: the application calls again and libpam resumes at the rule that returned it
            List.of("auth required pam_permit.so", "auth required pam_debug.so auth=incomplete cred=cred_err",
                    "account requisite pam_debug.so acct=new_authtok_reqd", "account required pam_deny.so",
                    "session [success=ok default=reset] pam_debug.so open_session=incomplete close_session=session_err",
                    "password required pam_debug.so prechauthtok=success chauthtok=incomplete"),
            // module arguments as written: a bracketed argument with spaces, a line continued, case in keywords
            List.of("auth optional pam_echo.so [traced: %s and %u]", "AUTH Required \\", "    pam_permit.so",
                    "account [success=done default=die] pam_succeed_if.so user notin nobody:daemon",
                    "session optional pam_echo.so [session of %u]", "session required pam_permit.so",
                    "password optional pam_permit.so", "password [default=bad] pam_succeed_if.so user = nobody"));

    static final List<String> INNER = List.of("auth sufficient pam_rootok.so", "auth required pam_deny.so",
            "account [success=1 default=ignore] pam_succeed_if.so user = root quiet", "account required pam_deny.so",
            "password required pam_permit.so", "password [success=done default=die] pam_rootok.so");

    @Test
    void tracedRunsOfDebiansModulesAgreeWithPlainRunsAndTheEngine() throws Exception {
        Path inner = Dist.service(confdir, "pjtrace-inner", INNER.toArray(String[]::new));
        List<Comparison> compared = new ArrayList<>();
        List<List<String>> stacks = new ArrayList<>(STACKS);
        java.util.Random random = new java.util.Random(20261202);
        for (int i = 0; i < 8; i++) {
            stacks.add(randomStack(random));
        }
        for (int i = 0; i < stacks.size(); i++) {
            List<String> rules = stacks.get(i).stream().map(r -> r.replace("$INNER", inner.toString())).toList();
            compared.add(compare("pjtrace" + i, "root", "", rules));
        }
        report("without a user of their own", compared);
    }

    /** A stack of Debian's modules whose codes depend on their arguments, under random controls. */
    private static List<String> randomStack(java.util.Random random) {
        String[] controls = {"required", "requisite", "sufficient", "optional", "[success=1 default=ignore]",
                "[success=done new_authtok_reqd=ok default=die]", "[default=bad success=ok ignore=reset]",
                "[success=2 auth_err=1 default=bad]", "[ignore=ignore success=ok default=bad]"};
        String[] codes = {"success", "auth_err", "ignore", "perm_denied", "new_authtok_reqd", "session_err", "incomplete"};
        List<String> rules = new ArrayList<>();
        for (String type : List.of("auth", "account", "session", "password")) {
            int n = 1 + random.nextInt(4);
            for (int r = 0; r < n; r++) {
                String module = switch (random.nextInt(9)) {
                    case 0 -> "pam_permit.so";
                    case 1 -> "pam_deny.so";
                    case 2 -> "pam_rootok.so";
                    case 3 -> "pam_env.so";
                    case 4 -> "pam_succeed_if.so user " + (random.nextBoolean() ? "=" : "!=") + " root quiet";
                    case 5 -> "pam_pjtrace_missing.so";
                    case 6 -> "pam_debug.so auth=" + codes[random.nextInt(codes.length)]
                            + " cred=" + codes[random.nextInt(codes.length)] + " open_session=" + codes[random.nextInt(codes.length)]
                            + " close_session=" + codes[random.nextInt(codes.length)] + " acct=" + codes[random.nextInt(codes.length)]
                            + " prechauthtok=" + codes[random.nextInt(codes.length)] + " chauthtok=" + codes[random.nextInt(codes.length)];
                    case 7 -> "pam_faildelay.so delay=1";
                    default -> null;
                };
                String dash = random.nextInt(5) == 0 ? "-" : "";
                rules.add(module == null ? type + " " + (random.nextBoolean() ? "substack" : "include") + " $INNER"
                        : dash + type + " " + controls[random.nextInt(controls.length)] + " " + module);
            }
        }
        return rules;
    }

    /**
     * pam_unix with a test user in the private copy of the system: the password is asked once and
     * passed on ({@code use_first_pass}, which pam_unix reads through pam_get_authtok from the rule's
     * arguments), a wrong one fails, the account is checked in /etc/shadow.
     */
    @Test
    void tracedRunsOfPamUnixAgreeWithPlainRunsAndTheEngine() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "pam_unix for another user needs root");
        PrivateSystem.require("add the user " + USER);
        if (exec("id", USER) != 0) {
            assertEquals(0, exec("useradd", "--no-create-home", "--shell", "/bin/sh", USER));
        }
        Process chpasswd = new ProcessBuilder("chpasswd").start();
        chpasswd.getOutputStream().write((USER + ":" + PASSWORD + "\n").getBytes());
        chpasswd.getOutputStream().close();
        assertEquals(0, chpasswd.waitFor());
        List<String> stack = List.of("auth [success=1 default=ignore] pam_unix.so nullok", "auth requisite pam_deny.so",
                "auth required pam_unix.so use_first_pass", "auth optional pam_permit.so",
                "account required pam_unix.so", "account sufficient pam_succeed_if.so uid >= 1000 quiet",
                "session required pam_unix.so", "password required pam_deny.so");
        List<Comparison> compared = new ArrayList<>();
        compared.add(compare("pjtrace-unix", USER, PASSWORD + "\n", stack));
        compared.add(compare("pjtrace-unix", USER, "wrong\n", stack));
        compared.add(compare("pjtrace-unix", "pjtrace-nobody", "x\n", stack));
        // pam_unix really ran: the right password passes, a wrong one and an unknown user do not
        List<Integer> right = compared.get(0).codes(); // auth setcred acct open close chauthtok
        assertEquals(List.of(0, 0, 0), List.of(right.get(0), right.get(2), right.get(3)), compared.get(0).toString());
        assertEquals(7, compared.get(1).codes().getFirst());
        assertTrue(compared.get(2).codes().getFirst() != 0, compared.get(2).toString());
        report("with pam_unix and a test user", compared);
    }

    /**
     * The private directory holding the configuration copy and the tracing copies is the caller's
     * alone while libpam loads from it (pam_exec's child finds it in the process's mappings and
     * reads its mode and owner), and it is gone afterwards.
     */
    @Test
    void thePrivateDirectoryIsTheCallersAloneAndGoneAfterwards() throws Exception {
        Dist.service(confdir, "pjtrace-dir", "auth optional pam_exec.so stdout /bin/sh -c "
                + "[d=$(awk '/rules/ && /pam_exec.so/ {print $6; exit}' /proc/$PPID/maps); stat -c 'private %a %U' ${d%/rules/*}]",
                "auth required pam_permit.so");
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "run", "--trace", "--confdir", confdir.toString(), "pjtrace-dir", "root", "auth");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.lines().contains("private 700 " + System.getProperty("user.name")), r.toString());
        assertFalse(Files.list(Path.of(System.getProperty("java.io.tmpdir")))
                .anyMatch(p -> p.getFileName().toString().startsWith("pam-java-trace.")), "the private directory is removed");
    }

    /**
     * SIGTERM while a module prompts ends the JVM without the traced run's finally: the private
     * directory (copies of the configuration) is removed all the same. The command makes it in a
     * java.io.tmpdir of this test's own, so that only this run's directory is looked at.
     */
    @Test
    void thePrivateDirectoryIsGoneAfterSigtermDuringAPrompt() throws Exception {
        Dist.service(confdir, "pjtrace-term", "auth required pam_exec.so expose_authtok /bin/true", "auth required pam_permit.so");
        Path javaTmp = Files.createDirectory(tmp.resolve("java-tmp"));
        ProcessBuilder pb = new ProcessBuilder(Dist.COMMAND.toString(), "run", "--trace", "--confdir", confdir.toString(),
                "pjtrace-term", "root", "auth").redirectError(tmp.resolve("term-stderr").toFile());
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + javaTmp);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start(); // stdin stays open: the prompt waits for an answer
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.contains("assword"));
            assertTrue(line != null, "pam_exec's prompt: " + Files.readString(tmp.resolve("term-stderr")));
            assertEquals(1, traceDirs(javaTmp).size(), "the private directory while the prompt waits");
            p.destroy(); // SIGTERM
            p.waitFor();
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of(), traceDirs(javaTmp), "the private directory after SIGTERM");
    }

    private static List<Path> traceDirs(Path dir) throws java.io.IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("pam-java-trace.")).toList();
        }
    }

    /**
     * {@code simulate --assume FILE:LINE=...} on every rule of a Java module: the module is not
     * loaded at all (its constructor, which writes a file, does not run) and simulate does not say
     * it runs for real; with one of its rules not assumed, it is loaded (the constructor ran).
     */
    @Test
    void aJavaModuleWhoseEveryRuleIsAssumedIsNotLoaded() throws Exception {
        Path constructed = tmp.resolve("constructed");
        Path module = Files.writeString(tmp.resolve("Constructed.java"), """
                public class Constructed implements org.pamjava.PamModule {
                    public Constructed() throws java.io.IOException {
                        java.nio.file.Files.writeString(java.nio.file.Path.of("MARKER"), "constructed");
                    }
                    @Override public int authenticate(org.pamjava.PamHandle pamh, int flags, java.util.List<String> args) {
                        return 0;
                    }
                }
                """.replace("MARKER", constructed.toString()));
        Dist.service(confdir, "pjtrace-ctor", "auth required $PAM_JAVA " + module, "account required $PAM_JAVA " + module);
        String dir = confdir.toString();
        PamJavaCommand.Result assumed = PamJavaCommand.run(tmp, "simulate", "--confdir", dir, "--assume", "pjtrace-ctor:1=success",
                "--assume", "pjtrace-ctor:2=perm_denied", "pjtrace-ctor", "alice", "auth", "acct");
        assertEquals(List.of("auth: 0 PAM_SUCCESS (Success)", "acct: 6 PAM_PERM_DENIED (Permission denied)"),
                assumed.lines().stream().filter(l -> RESULT_LINE.matcher(l).matches()).toList(), assumed.toString());
        assertFalse(Files.exists(constructed), "the module was not constructed: " + assumed);
        assertFalse(assumed.err().contains("runs for real"), assumed.toString());

        PamJavaCommand.Result half = PamJavaCommand.run(tmp, "simulate", "--confdir", dir, "--assume", "pjtrace-ctor:1=success",
                "pjtrace-ctor", "alice", "auth");
        assertTrue(Files.exists(constructed) && half.err().contains("runs for real"), "one rule not assumed: loaded: " + half);
    }

    /** Named by a rule of its own, outside a traced run, the tracing module has no sidecar and fails closed. */
    @Test
    void theTracingModuleNamedByARuleFailsClosed() throws Exception {
        Path tracing = Dist.HOME.resolve("lib/pam-java/pam_java_trace.so");
        assertTrue(Files.isRegularFile(tracing), tracing.toString());
        Dist.service(confdir, "pjtrace-alone", "auth required " + tracing, "auth required pam_permit.so",
                "account required " + tracing);
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "run", "--confdir", confdir.toString(), "pjtrace-alone", "root");
        assertEquals(List.of("auth: 4 PAM_SYSTEM_ERR (System error)", "acct: 4 PAM_SYSTEM_ERR (System error)"), r.lines(), r.toString());
        assertTrue(r.err().contains("pam_java_trace: cannot open " + tracing.getParent().resolve("rule")), r.toString());
    }

    /** What --trace cannot do, and per-rule assumptions that name no rule, are one clear line and status 2. */
    @Test
    void badInputIsOneClearLine() throws Exception {
        Dist.service(confdir, "pjtrace-bad", "auth required pam_permit.so", "# a comment", "auth required pam_deny.so");
        Dist.service(confdir, "pjtrace-isa", "auth required /lib/$ISA/pam_permit.so");
        Dist.service(confdir, "pjtrace-long", "auth required pam_permit.so " + "x".repeat(990));
        String dir = confdir.toString();
        assertError("run: --json goes with --trace", "run", "--json", "--confdir", dir, "pjtrace-bad", "root");
        assertError("no module rule of service pjtrace-bad starts at pjtrace-bad:2",
                "simulate", "--confdir", dir, "--assume", "pjtrace-bad:2=success", "pjtrace-bad", "root");
        assertError("not 'maybe'", "simulate", "--confdir", dir, "--assume", "pjtrace-bad:3=success,maybe", "pjtrace-bad", "root");
        assertError("pjtrace-isa:1: a module path with $ISA cannot be traced", "run", "--trace", "--confdir", dir, "pjtrace-isa", "root");
        assertError("pjtrace-long:1: the copied line would be longer than libpam reads",
                "run", "--trace", "--confdir", dir, "pjtrace-long", "root");
        // the same line runs without --trace
        assertEquals(0, PamJavaCommand.run(tmp, "run", "--no-log", "--confdir", dir, "pjtrace-long", "root", "auth").status());
    }

    private void assertError(String expected, String... args) throws Exception {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, args);
        assertEquals(2, r.status(), r.toString());
        List<String> own = r.errLines().stream().filter(l -> !l.matches("pam-java\\[\\d+\\]: .*")).toList();
        assertEquals(1, own.size(), r.toString());
        assertTrue(own.getFirst().startsWith("pam-java") && own.getFirst().contains(expected), r.toString());
    }

    /** One stack compared: its name, the operations' codes and how many rule calls the trace had. */
    record Comparison(String service, List<Integer> codes, int rules) {}

    private static void report(String what, List<Comparison> compared) {
        int rules = compared.stream().mapToInt(Comparison::rules).sum();
        System.out.println("run --trace differential " + what + ": compared " + compared.size() + " stacks, " + rules + " rules");
        assertTrue(rules > 0);
    }

    private Comparison compare(String service, String user, String input, List<String> rules) throws Exception {
        Dist.service(confdir, service, rules.toArray(String[]::new));
        List<String> common = new ArrayList<>(List.of("--confdir", confdir.toString(), service, user));
        common.addAll(List.of(OPERATIONS.split(" ")));
        String stack = service + " " + rules;

        PamJavaCommand.Result plain = PamJavaCommand.runWithInput(tmp, input, args("run", List.of(), common));
        PamJavaCommand.Result traced = PamJavaCommand.runWithInput(tmp, input, args("run", List.of("--trace", "--json"), common));
        List<Integer> plainCodes = plain.lines().stream().map(RESULT_LINE::matcher).filter(Matcher::matches)
                .map(m -> Integer.parseInt(m.group(2))).toList();
        assertEquals(6, plainCodes.size(), plain.toString());
        assertEquals(plainCodes, jsonResults(traced.out()), "the traced run's codes: " + stack + "\n" + plain + traced);
        assertEquals(plain.status(), traced.status(), stack + "\n" + traced);
        assertTrue(traced.out().contains("\"disagreements\": []"), stack + "\n" + traced);
        // with --json, stdout is one JSON object and nothing else: prompts and information go to stderr
        String json = traced.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), "stdout is the JSON alone: " + traced);
        // what libpam and the modules logged (run copies syslog to stderr), the tracing module's
        // lines for a module or entry point that is not there included; the plain run's
        // conversation (its stdout but the result lines) is in the traced run's stderr, in order
        List<String> conversation = plain.lines().stream().filter(l -> !RESULT_LINE.matcher(l).matches()).toList();
        List<String> tracedLog = new ArrayList<>();
        int said = 0;
        for (String l : traced.errLines()) {
            if (said < conversation.size() && l.equals(conversation.get(said))) {
                said++;
            } else {
                tracedLog.add(l);
            }
        }
        assertEquals(conversation.size(), said, "the conversation on the traced run's stderr: " + stack + "\n" + plain + traced);
        assertEquals(withoutPids(plain.err()), withoutPids(String.join("\n", tracedLog) + (tracedLog.isEmpty() ? "" : "\n")),
                "the logs: " + stack);
        assertFalse(Files.list(Path.of(System.getProperty("java.io.tmpdir")))
                .anyMatch(p -> p.getFileName().toString().startsWith("pam-java-trace.")), "the private directory is removed");

        List<Row> tracedRows = rows(traced.out());
        List<String> simulateArgs = new ArrayList<>(List.of("--json"));
        Map<String, List<String>> perRule = new LinkedHashMap<>();
        for (Row r : tracedRows) {
            perRule.computeIfAbsent(r.file() + ":" + r.line(), k -> new ArrayList<>()).add(Integer.toString(r.returned()));
        }
        perRule.forEach((rule, codes) -> simulateArgs.addAll(List.of("--assume", rule + "=" + String.join(",", codes))));
        PamJavaCommand.Result simulated = PamJavaCommand.run(tmp, args("simulate", simulateArgs, common));
        assertEquals(jsonResults(traced.out()), jsonResults(simulated.out()), stack + "\n" + simulated);
        assertEquals(tracedRows, rows(simulated.out()), "simulate --assume with the traced codes: " + stack);
        return new Comparison(service, plainCodes, tracedRows.size());
    }

    private static final Pattern RESULT_LINE = Pattern.compile("(auth|setcred|acct|open|close|chauthtok): (\\d+) .*");
    private static final Pattern JSON_RESULT = Pattern.compile("\\{\"operation\": \"(\\w+)\", \"code\": (\\d+), \"name\"");
    private static final Pattern JSON_ROW = Pattern.compile("\\{\"operation\": \"(\\w+)\", \"flags\": (\\d+), \"file\": \"([^\"]*)\", "
            + "\"line\": (\\d+), .*\"returned\": (\\d+), .*\"action\": \"([^\"]*)\", \"impression\": \"(\\w+)\", \"status\": (\\d+),");

    /** One rule of a trace: what ran, what its module returned, the action and the state after it. */
    record Row(String operation, int flags, String file, int line, int returned, String action, String impression, int status) {}

    private static List<Integer> jsonResults(String json) {
        return json.lines().map(JSON_RESULT::matcher).filter(Matcher::find).map(m -> Integer.parseInt(m.group(2))).toList();
    }

    private static List<Row> rows(String json) {
        return json.lines().map(JSON_ROW::matcher).filter(Matcher::find)
                .map(m -> new Row(m.group(1), Integer.parseInt(m.group(2)), m.group(3), Integer.parseInt(m.group(4)),
                        Integer.parseInt(m.group(5)), m.group(6), m.group(7), Integer.parseInt(m.group(8))))
                .toList();
    }

    private static String withoutPids(String log) {
        return log.replaceAll("(?m)^pam-java\\[\\d+\\]: ", "pam-java: ");
    }

    private static String[] args(String command, List<String> options, List<String> rest) {
        return Stream.of(List.of(command), options, rest).flatMap(List::stream).toArray(String[]::new);
    }

    private static int exec(String... command) throws Exception {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }
}
