package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/** Instances per (handle, MODULE), end hooks, several pam_java rules, and threads (docs/architecture.md#22-the-module-api-and-isolation, and decision 4 of #31-the-first-measurements-and-the-decisions-they-made). */
class LifecycleAndThreadsTest {

    private static final Pattern INSTANCE = Pattern.compile("instance=(\\d+) loader=(\\d+)");

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void twoHandlesInOneProcessHaveIsolatedInstancesEachEndedOnce(Host host) throws Exception {
        PamTestBed bed = PamPythonCasesTest.suite("handles", host, "basic");
        Run run = bed.run(host, "suite", "auth", "2:auth", "acct", "2:acct", "2:end", "end");
        assertCodes(run, "auth", 0, "2:auth", 0, "acct", 0, "2:acct", 0, "2:end", 0, "end", 0);
        List<String> calls = run.results("authenticate");
        assertEquals(2, calls.size());
        Matcher first = INSTANCE.matcher(calls.get(0));
        Matcher second = INSTANCE.matcher(calls.get(1));
        assertTrue(first.find() && second.find());
        // Each handle's module has a class loader of its own, so its static counter starts at 1.
        assertEquals("1", first.group(1));
        assertEquals("1", second.group(1));
        assertNotEquals(first.group(2), second.group(2));
        assertEquals(2, run.results("end ").size(), run.results().toString());
    }

    private static final Pattern STATELESS = Pattern.compile("instance=(\\d+) loader=(\\d+) calls=(\\d+)");

    private static PamTestBed stateless(String name, Host host, String... args) throws IOException {
        String module = "$PAM_JAVA $MODULES/StatelessModule.java " + String.join(" ", args);
        return PamPythonCasesTest.bed(name, host).service("stateless",
                "auth     required " + module + " $OUT",
                "account  required " + module + " $OUT");
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void aModuleWithoutStaticStateSharesItsClassLoaderButNotItsInstances(Host host) throws Exception {
        PamTestBed bed = stateless("stateless", host);
        Run run = bed.run(host, "stateless", "auth", "2:auth", "acct", "2:acct", "2:end", "end");
        assertCodes(run, "auth", 0, "2:auth", 0, "acct", 0, "2:acct", 0, "2:end", 0, "end", 0);
        List<Matcher> calls = run.results().stream().map(STATELESS::matcher).filter(Matcher::find).toList();
        assertEquals(4, calls.size(), run.results().toString());
        // One class loader for both handles: nothing static to keep apart, and no class defined twice.
        assertEquals(1, calls.stream().map(m -> m.group(2)).distinct().count(), run.results().toString());
        // Two instances, one per handle, whose fields count each handle's own calls.
        assertEquals(2, calls.stream().map(m -> m.group(1)).distinct().count(), run.results().toString());
        assertEquals(List.of("1", "1", "2", "2"), calls.stream().map(m -> m.group(3)).toList());
        assertEquals(calls.get(0).group(1), calls.get(2).group(1));
        assertEquals(calls.get(1).group(1), calls.get(3).group(1));
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void afterPamEndASharedLoadersInstanceIsUnreachable(Host host) throws Exception {
        PamTestBed bed = stateless("stateless-gc", host, "gc").inProcess(); // the host's own JVM's heap
        Run run = bed.run(host, "stateless", "auth", "end", "2:auth", "2:end");
        assertCodes(run, "auth", 0, "end", 0, "2:auth", 0, "2:end", 0);
        assertEquals(1, run.results("previous instance collected true").size(), run.results().toString());
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void afterPamEndTheInstanceAndItsClassLoaderAreUnreachable(Host host) throws Exception {
        PamTestBed bed = PamPythonCasesTest.suite("unreachable", host, "gc").inProcess(); // the host's own JVM's heap
        Run run = bed.run(host, "suite", "auth", "end", "2:auth", "2:end");
        assertCodes(run, "auth", 0, "end", 0, "2:auth", 0, "2:end", 0);
        assertEquals(List.of("previous loader collected true"), run.results("previous loader"));
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void libpamVersionAndHandleAreReported(Host host) throws Exception {
        Run run = PamPythonCasesTest.suite("version", host, "version").run(host, "suite", "auth");
        assertEquals(List.of("libpamVersion 1.5.2 pamh true"), run.results("libpamVersion"));
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void twoPamJavaRulesOnOneStackBothRun(Host host) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("tworules", host).service("svc",
                "auth required $PAM_JAVA $MODULES/SuiteModule.java case=basic $OUT",
                "auth required $PAM_JAVA $MODULES/AbsentModule.java",
                "auth requisite $PAM_JAVA $MODULES/FailingModule.java how=code42",
                "auth required $PAM_JAVA $MODULES/SuiteModule.java case=never $OUT");
        Run run = bed.run(host, "svc", "auth", "end");
        // FailingModule's invalid code becomes PAM_SERVICE_ERR and requisite stops the stack there.
        assertCodes(run, "auth", 3, "end", 0);
        assertEquals(1, run.results("authenticate").size(), run.results().toString());
        assertEquals(1, run.results("end ").size());
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void concurrentHandlesOnSeveralThreadsConverseOnTheirOwnThreads(Host host) throws Exception {
        PamTestBed bed = PamPythonCasesTest.suite("threads", host, "conv");
        Run run = bed.run(host, "suite", List.of("--echo", "--threads", "6"), "", "auth", "acct", "end");
        for (int t = 0; t < 6; t++) {
            assertCodes(run, "t" + t + " auth", 0, "t" + t + " acct", 0, "t" + t + " end", 0);
        }
        assertFalse(run.lines().contains("conv-wrong-thread"), run.lines().toString());
        assertEquals(6, run.results("replies [Prompt_echo_off/0, Prompt_echo_on/0, Error_msg/0, Text_info/0]").size());
        assertEquals(6, run.results("end ").size());
    }

    @Test
    void onASingleCpuHandOffsSleepInsteadOfSpinningAndStillConverse() throws Exception {
        // pam_java's caller and worker spin briefly for each other only when the process may use
        // more than one CPU; pinned to one, every hand-off goes through the condition variables.
        PamTestBed bed = PamPythonCasesTest.suite("one-cpu", Host.C, "conv");
        bed.wrapper.addAll(List.of("taskset", "-c", "0"));
        Run run = bed.run(Host.C, "suite", List.of("--echo", "--threads", "3", "--repeat", "20"), "",
                "auth", "acct", "end");
        assertEquals(0, run.exitCode(), run.lines() + run.stderr());
        assertFalse(run.lines().contains("conv-wrong-thread"), run.lines().toString());
        assertTrue(run.lines().contains("nonzero 0"), run.lines().toString());
        assertEquals(3, run.lines().stream().filter(l -> l.matches("t\\d stats last .*")).count());
        assertEquals(60, run.results("replies [Prompt_echo_off/0, Prompt_echo_on/0, Error_msg/0, Text_info/0]").size());
        assertEquals(60, run.results("end ").size());
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void javaRunsWithTheHostsAsynchronousSignalsBlocked(Host host) throws Exception {
        Run run = PamPythonCasesTest.suite("signals", host, "signals").inProcess().run(host, "suite", "auth");
        assertCodes(run, "auth", 0);
        List<String> masks = run.results("SigBlk");
        assertEquals(1, masks.size(), run.results().toString());
        BigInteger blocked = new BigInteger(masks.get(0).substring("SigBlk ".length()), 16);
        // pam_java blocks all of them in the threads it creates; HotSpot then unblocks its own
        // suspend/resume signal (SIGUSR2) and, in a JVM run without -Xrs (the JVM host), the
        // shutdown signals it handles for that application.
        int[] hostSignals = host == Host.C ? new int[] {1, 2, 3, 10, 14, 15, 17} : new int[] {10, 14, 17};
        for (int signal : hostSignals) {  // HUP INT QUIT USR1 ALRM TERM CHLD
            assertTrue(blocked.testBit(signal - 1), "signal " + signal + " not blocked: " + masks.get(0));
        }
    }
}
