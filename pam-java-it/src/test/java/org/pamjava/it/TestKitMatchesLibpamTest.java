package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;
import org.pamjava.stack.PamCodes;
import org.pamjava.testing.OperationResult;
import org.pamjava.testing.TestStack;
import org.pamjava.testing.TestTransaction;

/**
 * The test kit's promise (pam-java-testing: a module "cannot tell the difference" from running
 * under pam_java.so) as a test: SuiteModule, the pam_python cases module, runs each case through
 * real libpam (the C host, with pam_java.so running the module in-process and in the resident
 * service) and through the test kit
 * ({@link TestStack} over the same pam.d directory, {@link org.pamjava.testing.ScriptedConversation}
 * with the same answers), and everything either side observes must be equal: what the module
 * records (items, xauth data, environment, conversation replies, get_user, strerror, fail delay
 * requests, exceptions and their codes), the messages the application is shown with their styles,
 * and the code of every operation. Real libpam is the reference.
 */
class TestKitMatchesLibpamTest {

    /**
     * One case: SuiteModule's {@code case=} (and further rule arguments), what the application
     * gives before the first operation, the user's answers to prompts, and the operations.
     */
    record Case(String name, String suiteCase, String user, Map<String, String> items, List<String> env,
                List<String> answers, boolean failDelayHook, List<String> operations) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case of(String name, String suiteCase, String... operations) {
        return new Case(name, suiteCase, null, Map.of(), List.of(), List.of(), false, List.of(operations));
    }

    static Stream<Case> cases() {
        Map<String, String> appItems = new LinkedHashMap<>();
        for (String item : List.of("tty", "rhost", "ruser", "user_prompt", "xdisplay", "authtok_type")) {
            appItems.put(item, item + "-app");
        }
        return Stream.of(
                of("basic", "basic", "auth", "setcred", "acct", "chauthtok", "open", "close", "end"),
                of("constants", "constants", "auth"),
                new Case("env", "env", null, Map.of(), List.of("x1=1", "x2=2", "x3=3"), List.of(), false, List.of("auth")),
                of("strerror", "strerror", "auth"),
                of("strerror of every code and beyond", "strerrorall", "auth"),
                new Case("items", "items", "user-app", appItems, List.of(), List.of(), false, List.of("open", "close")),
                of("xauth", "xauth", "auth"),
                new Case("conv", "conv", null, Map.of(), List.of(), List.of("one", "two", "three"), false,
                        List.of("auth", "acct")),
                of("exceptions", "exceptions", "auth"),
                new Case("faildelay", "faildelay", null, Map.of(), List.of(), List.of(), true, List.of("auth")),
                new Case("fail delays, largest wins, per operation", "faildelays", null, Map.of(), List.of(), List.of(),
                        true, List.of("auth", "chauthtok")),
                new Case("fail delays of a failing operation", "faildelays code=7", null, Map.of(), List.of(), List.of(),
                        true, List.of("auth", "chauthtok")),
                new Case("get_user without a user", "getuser", null, Map.of(), List.of(),
                        List.of("zed", "alice", "bob", "carol", "dave"), false, List.of("auth")),
                new Case("get_user with a user", "getuser", "eve", Map.of(), List.of(),
                        List.of("alice", "bob", "carol", "dave"), false, List.of("auth")),
                new Case("get_user with the application's user_prompt", "getuser", null, Map.of("user_prompt", "Who: "),
                        List.of(), List.of("zed", "alice", "bob", "carol", "dave"), false, List.of("auth")),
                new Case("environment edges", "envedge", null, Map.of(), List.of("x=1"), List.of(), false,
                        List.of("auth", "acct")),
                new Case("item edges", "itemedge", "user-app", appItems, List.of(), List.of(), false, List.of("auth", "acct")),
                new Case("conversation edges", "convedge", null, Map.of(), List.of(),
                        List.of("\u00e4nswer \u2713", "s3cret", "second-answer"), false, List.of("auth")),
                of("version", "version", "auth"));
    }

    /**
     * Each case against both ways pam_java.so runs a module: in the application (C host) and in
     * the resident service (root only), whose handle goes over the service's socket.
     */
    static Stream<Arguments> casesOnEachHost() {
        return cases().flatMap(c -> Stream.of(Arguments.of(Host.C, c), Arguments.of(Host.RESIDENT, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("casesOnEachHost")
    void theKitShowsTheModuleWhatLibpamShowsIt(Host host, Case c) throws Exception {
        PamTestBed bed = bed(host, c.name().replaceAll("[^a-z]+", "-"));
        suite(bed, c.suiteCase());
        assertSame(c, real(host, bed, c), kit(bed, c));
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void everyReturnCodeReachesTheApplicationAlike(Host host) throws Exception {
        PamTestBed bed = bed(host, "codes");
        for (int code = 0; code < 32; code++) {
            suite(bed, "code code=" + code);
            // Every operation returns the code; libpam (and the kit) map some per operation.
            Case c = of("code " + code, "code code=" + code, "auth", "setcred", "acct", "chauthtok", "open", "close", "end");
            assertSame(c, real(host, bed, c), kit(bed, c));
        }
    }

    /** What one side observed: the application's lines (conversation, fail delay, codes) and the module's. */
    record Observed(List<String> application, List<String> module) {}

    static PamTestBed bed(Host host, String name) throws IOException {
        Path root = Files.createDirectories(Path.of("target/it-work"));
        PamTestBed bed = new PamTestBed(Files.createTempDirectory(root, "kit-" + host + "-" + name + "-"));
        if (host == Host.RESIDENT) {
            try {
                bed.pamJava = ResidentFixture.pamJava();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return bed;
    }

    /** The rules of PamPythonCasesTest.suite: every module type runs SuiteModule with {@code case=}. */
    static void suite(PamTestBed bed, String suiteCase) throws IOException {
        String module = "$PAM_JAVA $MODULES/SuiteModule.java case=" + suiteCase;
        bed.service("suite",
                "auth     required " + module + " $OUT",
                "account  required " + module + " arg1 arg2 $OUT",
                "password required " + module + " $OUT",
                "session  required " + module + " $OUT");
        // The items case sets PAM_SERVICE: the next operation runs this service's rules.
        Files.copy(bed.confdir.resolve("suite"), bed.confdir.resolve("service-module"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static Observed real(Host host, PamTestBed bed, Case c) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>();
        if (c.user() != null) {
            options.addAll(List.of("--user", c.user()));
        }
        c.items().forEach((name, value) -> options.addAll(List.of("--item", name + "=" + value)));
        c.env().forEach(entry -> options.addAll(List.of("--env", entry)));
        if (c.failDelayHook()) {
            options.add("--fail-delay");
        }
        String stdin = c.answers().isEmpty() ? "" : String.join("\n", c.answers()) + "\n";
        Run run = bed.run(host, "suite", options, stdin, c.operations().toArray(String[]::new));
        List<String> application = new ArrayList<>();
        for (String line : run.lines()) {
            String first = line.split(" ", 2)[0];
            if (first.equals("conv") || first.equals("faildelay") || c.operations().contains(first)) {
                application.add(line);
            }
        }
        assertTrue(run.lines().contains("exit"), c + ": the host did not finish: " + run.lines() + "\n" + run.stderr());
        return new Observed(application, module(bed));
    }

    static Observed kit(PamTestBed bed, Case c) throws IOException {
        Files.deleteIfExists(bed.results);
        List<String> application = new ArrayList<>();
        try (TestTransaction pam = TestStack.directory(bed.confdir, "suite").start(c.user())) {
            PamHandle h = pam.handle();
            c.items().forEach((name, value) -> {
                switch (name) {
                    case "tty" -> h.setTty(value);
                    case "rhost" -> h.setRhost(value);
                    case "ruser" -> h.setRuser(value);
                    case "user_prompt" -> h.setUserPrompt(value);
                    case "xdisplay" -> h.setXdisplay(value);
                    case "authtok_type" -> h.setAuthtokType(value);
                    default -> throw new IllegalArgumentException(name);
                }
            });
            for (String entry : c.env()) {
                pam.environment().put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
            }
            pam.conversation().answers(c.answers().toArray(String[]::new));
            for (String op : c.operations()) {
                if (op.equals("end")) {
                    application.add("end " + pam.end(PamConstants.PAM_SUCCESS));
                    continue;
                }
                int delaysBefore = pam.failDelays().size();
                OperationResult r = switch (op) {
                    case "auth" -> pam.authenticate();
                    case "setcred" -> pam.setcred();
                    case "acct" -> pam.acctMgmt();
                    case "chauthtok" -> pam.chauthtok();
                    case "open" -> pam.openSession();
                    case "close" -> pam.closeSession();
                    default -> throw new IllegalArgumentException(op);
                };
                for (Message m : r.messages()) {
                    application.add("conv " + m.msgStyle() + " " + m.msg());
                }
                if (c.failDelayHook() && (op.equals("auth") || op.equals("chauthtok"))) {
                    // What libpam hands the application's PAM_FAIL_DELAY function: the largest
                    // request of the operation (libpam randomises it by up to half: see assertSame).
                    int largest = 0;
                    for (int usec : pam.failDelays().subList(delaysBefore, pam.failDelays().size())) {
                        largest = Math.max(largest, usec);
                    }
                    application.add("faildelay " + r.pamCode() + " " + largest);
                }
                application.add(op + " " + r.pamCode() + " " + PamCodes.strerror(r.pamCode()));
            }
        }
        return new Observed(application, module(bed));
    }

    /**
     * What the module recorded, without what tells the processes apart rather than the handles:
     * its class loader's identity hash, and whether pam_java created the JVM (the kit runs in the
     * test's own JVM, as the JVM host does; PamPythonCasesTest checks both hosts).
     */
    static List<String> module(PamTestBed bed) throws IOException {
        List<String> lines = new ArrayList<>();
        if (Files.exists(bed.results)) {
            for (String line : Files.readAllLines(bed.results)) {
                lines.add(line.replaceAll(" loader=-?\\d+", "").replaceAll(" jvmInitialized=\\w+", ""));
            }
        }
        return lines;
    }

    /**
     * Equal, line by line. libpam hands the fail-delay function the largest request randomised
     * within [1/2, 3/2) of it (pam_delay.c): a real {@code faildelay STATUS USEC} line matches the
     * kit's {@code faildelay STATUS LARGEST} when USEC is in that range.
     */
    static void assertSame(Case c, Observed real, Observed kit) {
        List<String> application = new ArrayList<>(real.application());
        for (int i = 0; i < application.size() && i < kit.application().size(); i++) {
            String[] r = application.get(i).split(" ");
            String[] k = kit.application().get(i).split(" ");
            if (r[0].equals("faildelay") && k[0].equals("faildelay") && r[1].equals(k[1])) {
                long usec = Long.parseLong(r[2]);
                long largest = Long.parseLong(k[2]);
                if (2 * usec >= largest && 2 * usec < 3 * largest || usec == 0 && largest == 0) {
                    application.set(i, kit.application().get(i));
                }
            }
        }
        assertEquals(String.join("\n", application), String.join("\n", kit.application()),
                c + ": what the application saw (real libpam, then the kit)");
        assertEquals(String.join("\n", real.module()), String.join("\n", kit.module()),
                c + ": what the module saw (real libpam, then the kit)");
        assertTrue(!real.module().isEmpty(), c + ": the module recorded nothing");
    }
}
