package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * The integration cases that go through most of pam_java.so's C (the call hand-off, every libpam
 * service the natives and the resident client offer, the conversation, a failing module, a wrong
 * password), run through its AddressSanitizer and UndefinedBehaviorSanitizer build: a memory error
 * or undefined behaviour in the shim ends the host with a report, and PamTestBed fails the test
 * with it. scripts/sanitize.sh runs every integration test so.
 */
class SanitizedModuleTest {

    private static PamTestBed bed(String name, Host host) throws IOException, InterruptedException {
        PamTestBed bed = PamPythonCasesTest.bed("sanitized-" + name, host);
        bed.pamJava = host == Host.RESIDENT ? residentVariant() : PamTestBed.SANITIZED;
        bed.sanitized = true;
        return bed;
    }

    /** The sanitized resident client, with the service listening (root only, as ResidentFixture). */
    private static Path residentVariant() throws IOException, InterruptedException {
        ResidentFixture.pamJava();
        return PamTestBed.SANITIZED_RESIDENT;
    }

    private static PamTestBed suite(String name, Host host, String testCase) throws IOException, InterruptedException {
        String module = "$PAM_JAVA $MODULES/SuiteModule.java case=" + testCase;
        return bed(name, host).service("suite",
                "auth     required " + module + " $OUT",
                "account  required " + module + " $OUT",
                "password required " + module + " $OUT",
                "session  required " + module + " $OUT");
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aWholeTransactionRunsEveryOperation(Host host) throws Exception {
        Run run = suite("basic", host, "basic").run(host, "suite", "auth", "setcred", "acct", "chauthtok", "open",
                "close", "end");
        assertCodes(run, "auth", 0, "setcred", 0, "acct", 0, "chauthtok", 0, "open", 0, "close", 0, "end", 0);
        assertEquals(1, run.results("end ").size(), run.results().toString());
        assertEquals("", run.stderr());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aWrongPasswordFailsAndARightOneSucceeds(Host host) throws Exception {
        PamTestBed bed = bed("password", host);
        Hardening.hostile(bed, "secret", bed.pamJava);
        assertCodes(bed.run(host, "svc", List.of(), "wrong\n", "auth"), "auth", 7);
        assertCodes(bed.run(host, "svc", List.of(), "Zq9-right\n", "auth", "acct"), "auth", 0, "acct", 0);
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void theConversationCarriesFourMessagesAndTheirReplies(Host host) throws Exception {
        Run run = suite("conv", host, "conv").run(host, "suite", List.of("--echo"), "", "auth", "acct");
        assertCodes(run, "auth", 0, "acct", 0);
        assertEquals(List.of("replies [Prompt_echo_off/0, Prompt_echo_on/0, Error_msg/0, Text_info/0]"),
                run.results("replies"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void theEnvironmentIsReadAndWritten(Host host) throws Exception {
        Run run = suite("env", host, "env").run(host, "suite", List.of("--env", "x1=1", "--env", "x2=2", "--env", "x3=3"),
                "", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of("entries [x2=2, x3=3, xx=new]"), run.results("entries"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void itemsXauthDataAndStrerrorCrossBothWays(Host host) throws Exception {
        PamTestBed bed = suite("items", host, "items");
        Files.copy(bed.confdir.resolve("suite"), bed.confdir.resolve("service-module"));
        Run run = bed.run(host, "suite", List.of("--user", "user-app", "--item", "tty=tty-app", "--item", "rhost=rhost-app"),
                "", "open", "close");
        assertCodes(run, "open", 0, "close", 0);
        assertEquals(List.of("getUser user-module"), run.results("getUser"));

        Run xauth = suite("xauth", host, "xauth").run(host, "suite", "auth");
        assertEquals(List.of("xauth initially null", "xauth name-module data-module",
                "xauth null name NullPointerException", "xauth cleared null"), xauth.results("xauth"));
        Run strerror = suite("strerror", host, "strerror").run(host, "suite", "auth");
        assertEquals(List.of("strerror 0 Success", "strerror 1 Failed to load module",
                "strerror 30 Conversation is waiting for event", "strerror 31 Application needs to call libpam again"),
                strerror.results("strerror"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aModuleThatThrowsGivesServiceErr(Host host) throws Exception {
        PamTestBed bed = bed("throw", host).service("svc", "auth required $PAM_JAVA $MODULES/FailingModule.java how=throw");
        Run run = bed.run(host, "svc", "auth");
        assertCodes(run, "auth", 3);
        assertFalse(run.authprivLog("the module failed on purpose").isEmpty(), run.syslog().toString());
    }

    @Test
    void textThatIsNotUtf8IsRefusedClearly() throws Exception {
        PamTestBed bed = bed("badbytes", Host.C);
        Hardening.hostile(bed, "item", bed.pamJava);
        Run item = bed.run(Host.C, "svc", List.of("--item", "tty=pts\\xff\\xfe"), "", "auth");
        assertEquals(List.of("tty PamException 29 PAM_TTY is not valid UTF-8"), item.results("tty"));
        Hardening.hostile(bed, "secret", bed.pamJava);
        assertCodes(bed.run(Host.C, "svc", List.of("--reply-size", String.valueOf(1 << 18)), "", "auth"), "auth", 7);
    }
}
