package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * pam_python's own test suite (src/test.py, src/ctest.c), case by case, through the real libpam
 * with pam_java.so and a Java module, from a C host and from a JVM host, and from a C host whose
 * pam_java.so runs the module in the resident service.
 */
class PamPythonCasesTest {

    static PamTestBed bed(String name, Host host) throws IOException {
        Path root = Files.createDirectories(Path.of("target/it-work"));
        PamTestBed bed = new PamTestBed(Files.createTempDirectory(root, name + "-" + host + "-"));
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

    static PamTestBed suite(String name, Host host, String testCase) throws IOException {
        String module = "$PAM_JAVA $MODULES/SuiteModule.java case=" + testCase;
        return bed(name, host).service("suite",
                "auth     required " + module + " $OUT",
                "account  required " + module + " arg1 arg2 $OUT",
                "password required " + module + " $OUT",
                "session  required " + module + " $OUT");
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void basicCallsReachEveryOperationWithFlagsAndArguments(Host host) throws Exception {
        PamTestBed bed = suite("basic", host, "basic");
        if (host != Host.RESIDENT) {
            bed.inProcess(); // the maps and jvmInitialized checked below are the host process's
        }
        Run run = bed.run(host, "suite", "maps", "auth", "setcred", "acct", "chauthtok", "open", "close", "end", "maps");
        assertCodes(run, "auth", 0, "setcred", 0, "acct", 0, "chauthtok", 0, "open", 0, "close", 0, "end", 0);
        String m = PamTestBed.MODULES + "/SuiteModule.java";
        List<String> calls = run.results().stream().map(l -> l.replaceAll(" instance=.*", "")).toList();
        assertEquals(List.of(
                "authenticate flags=0 args=[" + m + ", case=basic]",
                "setcred flags=2 args=[" + m + ", case=basic]",
                "acctMgmt flags=0 args=[" + m + ", case=basic, arg1, arg2]",
                "chauthtok flags=16384 args=[" + m + ", case=basic]",
                "chauthtok flags=8192 args=[" + m + ", case=basic]",
                "openSession flags=0 args=[" + m + ", case=basic]",
                "closeSession flags=0 args=[" + m + ", case=basic]",
                "end"), calls.stream().map(l -> l.startsWith("end ") ? "end" : l).toList());
        assertTrue(run.results().get(0).endsWith("jvmInitialized=" + (host != Host.JVM)), run.results().get(0));
        // One instance for the handle, shared by its rules (same MODULE), ended exactly once.
        assertEquals(1, run.results("end ").size());
        assertTrue(run.results().stream().allMatch(l -> l.contains("instance=1")), run.results().toString());
        // pam_java.so stays mapped after pam_end: the JVM still points into it (-z nodelete).
        // In the resident service's case, the application never loads a JVM at all.
        assertEquals(List.of("maps pam_java.so=no libjvm.so=" + (host == Host.JVM ? "yes" : "no"),
                "maps pam_java.so=yes libjvm.so=" + (host == Host.RESIDENT ? "no" : "yes")),
                run.lines().stream().filter(l -> l.startsWith("maps")).toList());
        assertEquals("", run.stderr());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void constantsAreExactlyThoseOfTheInstalledHeaders(Host host) throws Exception {
        PamTestBed bed = suite("constants", host, "constants");
        Run run = bed.run(host, "suite", "auth");
        assertCodes(run, "auth", 0);
        Map<String, String> seen = new TreeMap<>();
        for (String line : run.results("constant ")) {
            String[] kv = line.substring("constant ".length()).split("=", 2);
            seen.put(kv[0], kv[1]);
        }
        Map<String, String> headers = PamHeaderConstants.installed();
        assertEquals(67, seen.size(), seen.toString());
        assertEquals(headers, seen);
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void environmentIsALiveMapInPamOrder(Host host) throws Exception {
        PamTestBed bed = suite("env", host, "env");
        Run run = bed.run(host, "suite", List.of("--env", "x1=1", "--env", "x2=2", "--env", "x3=3"), "", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of(
                "size 3",
                "get x1 1",
                "put xx null",
                "get xx xxx",
                "overwrite xx xxx -> yyy",
                "remove xx yyy -> null",
                "get missing null",
                "put '' IllegalArgumentException",
                "put 'a=' IllegalArgumentException",
                "put null value NullPointerException",
                "containsKey x2 true missing false",
                "getOrDefault dflt 3",
                "remove x1 1",
                "keys [x2, x3, xx]",
                "values [2, 3, new]",
                "entries [x2=2, x3=3, xx=new]",
                "size 3"), run.results().subList(1, run.results().size() - 1));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void strerrorGivesLibpamsText(Host host) throws Exception {
        Run run = suite("strerror", host, "strerror").run(host, "suite", "auth");
        assertEquals(List.of("strerror 0 Success", "strerror 1 Failed to load module",
                "strerror 30 Conversation is waiting for event", "strerror 31 Application needs to call libpam again"),
                run.results("strerror"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void itemsAreReadAndRewrittenAndSeenByTheNextCall(Host host) throws Exception {
        PamTestBed bed = suite("items", host, "items");
        // Setting PAM_SERVICE makes libpam read the new service's rules for the next call.
        Files.copy(bed.confdir.resolve("suite"), bed.confdir.resolve("service-module"));
        Run run = bed.run(host, "suite", List.of("--user", "user-app", "--item", "tty=tty-app", "--item", "rhost=rhost-app",
                "--item", "ruser=ruser-app", "--item", "user_prompt=user_prompt-app", "--item", "xdisplay=xdisplay-app",
                "--item", "authtok_type=authtok_type-app"), "", "open", "close");
        assertCodes(run, "open", 0, "close", 0);
        assertEquals(List.of(
                "items user=user-app authtok=null oldauthtok=null rhost=rhost-app ruser=ruser-app service=suite"
                        + " tty=tty-app user_prompt=user_prompt-app xdisplay=xdisplay-app authtok_type=authtok_type-app",
                "items user=user-module authtok=authtok-module oldauthtok=oldauthtok-module rhost=rhost-module"
                        + " ruser=ruser-module service=service-module tty=tty-module user_prompt=user_prompt-module"
                        + " xdisplay=xdisplay-module authtok_type=authtok_type-module"), run.results("items"));
        assertEquals(List.of("getUser user-module"), run.results("getUser"));
        assertEquals(List.of("authtok chars authtok-module"), run.results("authtok chars"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void xauthdataIsSetAndRead(Host host) throws Exception {
        Run run = suite("xauth", host, "xauth").run(host, "suite", "auth");
        assertEquals(List.of("xauth initially null", "xauth name-module data-module",
                "xauth null name NullPointerException", "xauth cleared null"), run.results("xauth"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aModuleWithoutEndHookEndsCleanly(Host host) throws Exception {
        PamTestBed bed = bed("noend", host).service("absent", "auth required $PAM_JAVA $MODULES/AbsentModule.java");
        Run run = bed.run(host, "absent", "auth", "end");
        assertCodes(run, "auth", 0, "end", 0);
        assertTrue(run.lines().contains("exit"), run.lines().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void conversationWithFourMessagesAndWithOne(Host host) throws Exception {
        Run run = suite("conv", host, "conv").run(host, "suite", List.of("--echo"), "", "auth", "acct");
        assertCodes(run, "auth", 0, "acct", 0);
        assertEquals(List.of("conv 1 Prompt_echo_off", "conv 2 Prompt_echo_on", "conv 3 Error_msg", "conv 4 Text_info",
                "conv 2 single"), run.lines().stream().filter(l -> l.startsWith("conv")).toList());
        assertEquals(List.of("replies [Prompt_echo_off/0, Prompt_echo_on/0, Error_msg/0, Text_info/0]"),
                run.results("replies"));
        assertEquals(List.of("single reply single/0"), run.results("single reply"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void everyReturnCodePassesThrough(Host host) throws Exception {
        PamTestBed bed = bed("codes", host);
        for (int code = 0; code < 32; code++) {
            bed.service("code" + code, "auth required $PAM_JAVA $MODULES/SuiteModule.java case=code code=" + code + " $OUT");
        }
        for (int code = 0; code < 32; code++) {
            Run run = bed.run(host, "code" + code, "auth");
            // libpam turns PAM_IGNORE from the only module into PAM_PERM_DENIED.
            assertEquals(code == 25 ? 6 : code, run.code("auth"), "code " + code + ": " + run.lines());
        }
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void failDelayIsAccepted(Host host) throws Exception {
        Run run = suite("faildelay", host, "faildelay").run(host, "suite", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of("failDelay ok"), run.results("failDelay"));
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void failingLibpamCallsThrowPamExceptionWithTheirCode(Host host) throws Exception {
        // No stdin: the application's conversation fails, so do conversation and getUser.
        Run run = suite("exceptions", host, "exceptions").run(host, "suite", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of("conversation PamException 19"), run.results("conversation"));
        assertEquals(1, run.results("getUser PamException").size(), run.results().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void undefinedOperationsGiveSymbolErrAndSayWhich(Host host) throws Exception {
        String rule = "required $PAM_JAVA $MODULES/AbsentModule.java";
        PamTestBed bed = bed("absent", host).service("absent", "auth " + rule, "account " + rule,
                "password " + rule, "session " + rule);
        Run run = bed.run(host, "absent", "auth", "setcred", "acct", "chauthtok", "open", "close");
        assertCodes(run, "auth", 0, "setcred", 2, "acct", 2, "chauthtok", 2, "open", 2, "close", 2);
        for (String method : List.of("setcred (pam_sm_setcred)", "acctMgmt (pam_sm_acct_mgmt)",
                "chauthtok (pam_sm_chauthtok)", "openSession (pam_sm_open_session)",
                "closeSession (pam_sm_close_session)")) {
            assertFalse(run.authprivLog("does not implement " + method).isEmpty(), method + ": " + run.syslog());
        }
    }
}
