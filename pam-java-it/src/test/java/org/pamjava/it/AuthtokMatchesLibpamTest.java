package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;
import org.pamjava.testing.OperationResult;
import org.pamjava.testing.TestStack;
import org.pamjava.testing.TestTransaction;

/**
 * PamHandle's getAuthtok family, prompt, info and error side by side with libpam's own
 * pam_get_authtok(3), pam_get_authtok_noverify(3), pam_get_authtok_verify(3), pam_prompt(3),
 * pam_info(3) and pam_error(3): the same steps, rule arguments and scripted answers, run on the
 * same stacks through the real libpam (pam_start_confdir, the C host) by a C module calling
 * libpam's functions (authtok_probe.c, the reference) and by its Java twin (AuthtokProbe.java)
 * under pam_java.so, in the application and in the resident service, and by the Java twin on the
 * test kit's engine. Everything must be equal: what the user was asked (styles and texts), each
 * step's code and token, the items after each module, and the code of each operation.
 */
class AuthtokMatchesLibpamTest {

    /** Where the pam_java.so rule or the C module goes in a case's rules. */
    private static final String MODULE = "$M";
    private static final String C_MODULE = PamTestBed.NATIVE.resolve("pam_authtok_probe.so").toString();
    private static final String JAVA_MODULE = "$PAM_JAVA $MODULES/AuthtokProbe.java";

    /**
     * One case: its rules (each names {@code $M} for the module and ends with {@code $OUT}), the
     * application's PAM_AUTHTOK_TYPE (or null), the user's answers ("(null)": no reply, "(fail)":
     * the conversation fails), and the operations.
     */
    record Case(String name, List<String> rules, String authtokType, List<String> answers, List<String> operations) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case auth(String name, List<String> rules, String... answers) {
        return new Case(name, rules, null, List.of(answers), List.of("auth"));
    }

    private static Case chauthtok(String name, List<String> rules, String... answers) {
        return new Case(name, rules, null, List.of(answers), List.of("chauthtok"));
    }

    private static String auth(String args) {
        return "auth required " + MODULE + " " + args + " $OUT";
    }

    private static String password(String args) {
        return "password required " + MODULE + " " + args + " $OUT";
    }

    static Stream<Case> cases() {
        return Stream.of(
                auth("auth: asks Password:", List.of(auth("steps=get")), "pw"),
                auth("auth: the String form", List.of(auth("steps=getstr")), "pw"),
                auth("auth: a prompt of its own, never a format", List.of(auth("[steps=get=Your PIN (100%s): ]")), "1234"),
                auth("auth: use_first_pass without an item", List.of(auth("steps=get use_first_pass"))),
                auth("auth: use_first_pass with the item of an earlier rule",
                        List.of(auth("steps=set=preset"), auth("steps=get use_first_pass"))),
                auth("auth: try_first_pass with the item of an earlier rule",
                        List.of(auth("steps=set=preset"), auth("steps=get try_first_pass"))),
                auth("auth: try_first_pass without an item asks", List.of(auth("steps=get try_first_pass")), "pw"),
                auth("auth: use_authtok is for chauthtok only", List.of(auth("steps=get use_authtok")), "pw"),
                auth("auth: no answer", List.of(auth("steps=get")), "(null)"),
                auth("auth: the conversation fails", List.of(auth("steps=get")), "(fail)"),
                auth("auth: the old token, authtok_type not read", List.of(auth("steps=old authtok_type=LDAP")), "old"),
                auth("auth: noverify is get outside chauthtok", List.of(auth("steps=noverify")), "pw"),
                auth("auth: verify outside chauthtok", List.of(auth("steps=set=x;verify"))),
                auth("auth: verify without an item", List.of(auth("steps=verify"))),
                auth("auth: an empty answer is a token", List.of(auth("steps=get")), ""),
                auth("prompt, info and error, text as it is",
                        List.of(auth("[steps=prompt=1:Code %s? ;prompt=2:Name? ;prompt=1:Again? ;info=100% sure %d;error=oops %n]")),
                        "s3cret", "bob", "(null)"),
                auth("prompt: the conversation fails", List.of(auth("[steps=prompt=2:Name? ;info=after]")), "(fail)"),
                chauthtok("chauthtok: current, new and retype",
                        List.of(password("prelim=old steps=get")), "old", "new", "new"),
                chauthtok("chauthtok: the new password mistyped",
                        List.of(password("prelim=old steps=get")), "old", "new", "wen"),
                chauthtok("chauthtok: authtok_type= in the prompts, and set as the item",
                        List.of(password("prelim=old steps=get authtok_type=LDAP")), "old", "new", "new"),
                new Case("chauthtok: the application's PAM_AUTHTOK_TYPE", List.of(password("prelim=old steps=get")),
                        "NIS", List.of("old", "new", "new"), List.of("chauthtok")),
                chauthtok("chauthtok: use_authtok without an item", List.of(password("steps=get use_authtok"))),
                chauthtok("chauthtok: use_authtok with the item of an earlier rule",
                        List.of(password("steps=get"), password("steps=get use_authtok")), "new", "new"),
                chauthtok("chauthtok: use_first_pass without an old item",
                        List.of(password("prelim=old use_first_pass"))),
                chauthtok("chauthtok: use_first_pass without a new item",
                        List.of(password("steps=get use_first_pass"))),
                chauthtok("chauthtok: the old item of the preliminary pass kept for the update",
                        List.of(password("prelim=old steps=old;get")), "old", "new", "new"),
                chauthtok("chauthtok: noverify then verify", List.of(password("steps=noverify;verify")), "new", "new"),
                chauthtok("chauthtok: noverify then verify mistyped", List.of(password("steps=noverify;verify")), "new", "wen"),
                chauthtok("chauthtok: verify unanswered", List.of(password("steps=noverify;verify")), "new", "(null)"),
                chauthtok("chauthtok: verify without an item (libpam would read through NULL)",
                        List.of(password("steps=verify;get")), "x", "x"),
                chauthtok("chauthtok: verify after get asks nothing", List.of(password("steps=get;verify")), "new", "new"),
                chauthtok("chauthtok: prompts of its own",
                        List.of(password("[steps=noverify=New PIN: ;verify=New PIN: ;unset;get=Other PIN: ]")),
                        "1", "1", "2", "2"),
                chauthtok("chauthtok: a prompted question keeps libpam's verified flag",
                        List.of(password("[steps=get;unset;noverify=PIN: ;verify]")), "new", "new", "pin"),
                chauthtok("chauthtok: the retype unanswered", List.of(password("steps=get")), "new", "(null)"),
                chauthtok("chauthtok: the conversation fails", List.of(password("steps=get")), "(fail)"),
                chauthtok("chauthtok: the conversation fails at the retype", List.of(password("steps=get")), "new", "(fail)"),
                chauthtok("chauthtok: a preset item in the update pass",
                        List.of(password("steps=set=preset;get;verify"))),
                new Case("auth then chauthtok on one handle", List.of(auth("steps=get"), password("prelim=old steps=noverify;verify")),
                        null, List.of("pw", "old", "new", "new"), List.of("auth", "chauthtok")));
    }

    /** Each case in both ways pam_java.so runs a module, against libpam's own functions. */
    static Stream<org.junit.jupiter.params.provider.Arguments> casesOnEachHost() {
        return cases().flatMap(c -> Stream.of(org.junit.jupiter.params.provider.Arguments.of(Host.C, c),
                org.junit.jupiter.params.provider.Arguments.of(Host.RESIDENT, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("casesOnEachHost")
    void pamJavaDoesWhatLibpamsOwnFunctionsDo(Host host, Case c) throws Exception {
        Observed libpam = real(bed(Host.C, c, "libpam"), c, C_MODULE);
        assertTrue(libpam.module().size() >= c.rules().size(), c + ": the C module recorded nothing: " + libpam);
        Observed java = real(bed(host, c, "java"), c, JAVA_MODULE);
        assertSame(c, host + " pam_java", libpam, java);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theTestKitDoesWhatLibpamsOwnFunctionsDo(Case c) throws Exception {
        Observed libpam = real(bed(Host.C, c, "libpam"), c, C_MODULE);
        PamTestBed bed = bed(Host.C, c, "kit");
        writeRules(bed, c, JAVA_MODULE);
        assertSame(c, "the test kit", libpam, kit(bed, c));
    }

    /**
     * A token is an application's reply, bounded as the conversation's are (services.h's
     * PJ_MAX_REPLIES_BYTES, 512 KiB), in the application and through the resident service alike.
     */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void aTokenBeyondTheRepliesBoundFails(Host host) throws Exception {
        Case c = auth("bound", List.of(auth("steps=get")));
        PamTestBed bed = bed(host, c, "bound");
        writeRules(bed, c, JAVA_MODULE);
        Run run = bed.run(host, "probe", List.of("--reply-size", Integer.toString(512 * 1024 + 1)), "", "auth");
        assertEquals(List.of("auth get " + PamConstants.PAM_AUTHTOK_ERR + " -"), shortened(run.results("auth get")),
                run.lines().toString());
        assertFalse(run.authprivLog("has more than 524288 bytes").isEmpty(), run.syslog().toString());
        run = bed.run(host, "probe", List.of("--reply-size", Integer.toString(512 * 1024)), "", "auth");
        assertEquals(List.of("auth get 0 [aaaaaaaa... (524301 characters)"), shortened(run.results("auth get")));
    }

    /** Lines of megabytes, as an assertion can show them. */
    private static List<String> shortened(List<String> lines) {
        return lines.stream().map(l -> l.length() <= 60 ? l : l.substring(0, 20) + "... (" + l.length() + " characters)").toList();
    }

    /** What the application saw (conversation lines, operation codes) and what the module recorded. */
    record Observed(List<String> application, List<String> module) {}

    private static PamTestBed bed(Host host, Case c, String side) throws IOException {
        Path root = Files.createDirectories(Path.of("target/it-work"));
        String name = c.name().replaceAll("[^a-z]+", "-");
        PamTestBed bed = new PamTestBed(Files.createTempDirectory(root, "authtok-" + side + "-" + host + "-"
                + name.substring(0, Math.min(40, name.length())) + "-"));
        if (host == Host.RESIDENT) {
            try {
                bed.pamJava = ResidentFixture.pamJava();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        } else {
            bed.inProcess(); // in the application, even when a resident service serves the default socket
        }
        return bed;
    }

    private static void writeRules(PamTestBed bed, Case c, String module) throws IOException {
        bed.service("probe", c.rules().stream().map(r -> r.replace(MODULE, module)).toArray(String[]::new));
    }

    private static Observed real(PamTestBed bed, Case c, String module) throws IOException, InterruptedException {
        writeRules(bed, c, module);
        List<String> options = new ArrayList<>(List.of("--reply-markers"));
        if (c.authtokType() != null) {
            options.addAll(List.of("--item", "authtok_type=" + c.authtokType()));
        }
        String stdin = c.answers().isEmpty() ? "" : String.join("\n", c.answers()) + "\n";
        Run run = bed.run(Host.C, "probe", options, stdin, c.operations().toArray(String[]::new));
        assertTrue(run.lines().contains("exit"), c + ": the host did not finish: " + run.lines() + "\n" + run.stderr());
        List<String> application = new ArrayList<>();
        for (String line : run.lines()) {
            String first = line.split(" ", 2)[0];
            if (first.equals("conv") || c.operations().contains(first)) {
                application.add(line);
            }
        }
        return new Observed(application, run.results());
    }

    private static Observed kit(PamTestBed bed, Case c) throws IOException {
        Files.deleteIfExists(bed.results);
        List<String> application = new ArrayList<>();
        try (TestTransaction pam = TestStack.directory(bed.confdir, "probe").start(null)) {
            if (c.authtokType() != null) {
                pam.handle().setAuthtokType(c.authtokType());
            }
            for (String answer : c.answers()) {
                switch (answer) {
                    case "(null)" -> pam.conversation().noAnswer();
                    case "(fail)" -> pam.conversation().fail(PamConstants.PAM_CONV_ERR);
                    default -> pam.conversation().answer(answer);
                }
            }
            for (String op : c.operations()) {
                OperationResult r = switch (op) {
                    case "auth" -> pam.authenticate();
                    case "chauthtok" -> pam.chauthtok();
                    default -> throw new IllegalArgumentException(op);
                };
                for (Message m : r.messages()) {
                    application.add("conv " + m.msgStyle() + " " + m.msg());
                }
                application.add(op + " " + r.pamCode() + " " + org.pamjava.stack.PamCodes.strerror(r.pamCode()));
            }
        }
        return new Observed(application, Files.exists(bed.results) ? Files.readAllLines(bed.results) : List.of());
    }

    private static void assertSame(Case c, String side, Observed libpam, Observed other) {
        assertEquals(String.join("\n", libpam.application()), String.join("\n", other.application()),
                c + ": what the application saw (libpam's own functions, then " + side + ")");
        assertEquals(String.join("\n", libpam.module()), String.join("\n", other.module()),
                c + ": what the module got (libpam's own functions, then " + side + ")");
    }
}
