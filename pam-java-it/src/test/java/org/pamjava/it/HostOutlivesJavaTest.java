package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, hole 3: no path from Java ends the host process. HotSpot's exit hook (System.exit and
 * Runtime.halt however reached) and its abort hook on pam_java's threads (a crash, a start that
 * cannot complete) park the thread; the waiting call and every later one fail with
 * PAM_SERVICE_ERR and a syslog line, and the host goes on to its own exit.
 */
class HostOutlivesJavaTest {

    private static void assertJavaEndedAndHostLived(Run run, String why) {
        assertCodes(run, "auth", 3, "acct", 3, "end", 0);
        assertEquals("exit", run.lines().getLast(), "the host ran on to its own end: " + run.lines());
        assertEquals(0, run.exitCode(), "the host's own exit status, not Java's");
        assertFalse(run.authprivLog("Java has ended in this process (" + why).isEmpty(), run.syslog().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"reflectexit", "methodref", "halthandle", "javacmain"})
    void anExitTheModulesOwnCodeDoesNotShowFailsTheCallsAndTheHostLives(String how) throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("ends-" + how), how, PamTestBed.PAM_JAVA).inProcess();
        Run run = bed.run(Host.C, "svc", "auth", "acct", "end");
        assertJavaEndedAndHostLived(run, "Java code asked to end the process with status 0");
        assertFalse(run.authprivLog("the host keeps running without Java").isEmpty(), run.syslog().toString());
    }

    @Test
    void aSetuidHostRunByAUserDoesNotExitZeroWhenAModuleExitsZero() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        // The host's JVM asked to end: in-process only (in the service such an exit ends the service,
        // its calls fail closed and it is started again: ResidentAvailabilityTest).
        PamTestBed bed = Hardening.hostile(Hardening.bed("ends-setuid"), "methodref", PamTestBed.PAM_JAVA).inProcess();
        Hardening.setuidHostRunByNobody(bed);
        Run run = bed.run(Host.C, "svc", "auth", "acct", "end");
        assertJavaEndedAndHostLived(run, "Java code asked to end the process");
    }

    @Test
    void aJvmCrashOnAPamJavaThreadFailsTheCallsAndTheHostLives() throws Exception {
        // The host's own JVM crashing: in-process only (the service's crash is ResidentAvailabilityTest's).
        PamTestBed bed = Hardening.hostile(Hardening.bed("ends-crash"), "crash", PamTestBed.PAM_JAVA).inProcess();
        Run run = bed.run(Host.C, "svc", "auth", "acct", "end");
        assertJavaEndedAndHostLived(run, "the JVM failed fatally");
    }

    @Test
    void aJvmCrashOnAModulesOwnThreadFailsTheCallsAndTheHostLives() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("ends-threadcrash"), "threadcrash", PamTestBed.PAM_JAVA).inProcess();
        Run run = bed.run(Host.C, "svc", "auth", "acct", "end");
        assertJavaEndedAndHostLived(run, "the JVM failed fatally");
    }

    @Test
    void aJvmStartThatFailsGivesTheHostItsEnvironmentBack() throws Exception {
        // An initial heap above the maximum: HotSpot's start fails after it began (the abort hook).
        Hardening.variantConfig("jvm_options = -Xms200m");
        try {
            PamTestBed bed = Hardening.hostile(Hardening.bed("ends-start"), "answer", Hardening.CONF_VARIANT);
            bed.hostEnvironment.put("LANG", "de_DE.UTF-8");
            bed.hostEnvironment.put("JAVA_HOME", "/the/hosts/own");
            Run run = bed.run(Host.C, "svc", "env", "auth", "env");
            assertCodes(run, "auth", 3);
            List<String> env = run.lines().stream().filter(l -> l.startsWith("env ")).toList();
            assertEquals(env.subList(0, env.size() / 2), env.subList(env.size() / 2, env.size()), run.lines().toString());
            assertTrue(env.contains("env LANG=de_DE.UTF-8"), env.toString());
        } finally {
            Hardening.variantConfig("# defaults");
        }
    }

    /**
     * A user sends their own setuid host a SIGSEGV whose siginfo they chose (a queued signal, fault
     * address 0): HotSpot would take it for an implicit null check and throw a NullPointerException
     * into the module (which here turns it into PAM_IGNORE). The host ends as that signal ends a
     * host without pam_java; the module never sees it.
     */
    @Test
    void aSignalTheUserForgesNeverReachesModuleCodeAsAnException() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        PamTestBed bed = Hardening.hostile(Hardening.bed("forged-segv"), "nullcanary", PamTestBed.PAM_JAVA).inProcess();
        Hardening.setuidHostRunByNobody(bed);
        bed.timeoutSeconds = 60;
        Process host = bed.start(Host.C, "svc", List.of(), "", "auth");
        bed.awaitText(bed.results, "started");
        // The setuid host's real user sends it: as nobody.
        Process forge = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                PamTestBed.NATIVE.resolve("forge_signal").toString(), "11", String.valueOf(host.pid()))
                .redirectErrorStream(true).start();
        String sent = new String(forge.getInputStream().readAllBytes());
        assertEquals(0, forge.waitFor(), sent);
        Run run = bed.finish(host);
        assertTrue(run.results().stream().noneMatch(l -> l.startsWith("caught")), run.results().toString());
        assertTrue(run.lines().stream().noneMatch(l -> l.startsWith("auth 6") || l.startsWith("auth 0")), run.lines().toString());
        assertEquals(128 + 11, run.exitCode(), "ended by SIGSEGV, as without pam_java: " + run.lines());
    }

    /**
     * The caller's limits: 500 MB of address space is less than pam_java's options reserve, 100 MB
     * makes HotSpot crash before its handlers exist, and a small data limit fails the heap. Each
     * is refused before the JVM loads, with PAM_BUF_ERR (StartupFailuresTest: the limits that work).
     */
    @ParameterizedTest
    @CsvSource({"-v 500000,RLIMIT_AS", "-v 100000,RLIMIT_AS", "-d 100000,RLIMIT_DATA"})
    void aJvmThatCannotStartUnderTheCallersLimitsIsAnErrorAndTheHostLives(String limit, String name)
            throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("ends-limit"), "answer", PamTestBed.PAM_JAVA).inProcess(); // a JVM start in the host
        bed.wrapper.addAll(List.of("bash", "-c", "ulimit " + limit + " && exec \"$0\" \"$@\""));
        Run run = bed.run(Host.C, "svc", "auth", "acct");
        assertCodes(run, "auth", 5, "acct", 5);
        assertEquals("exit", run.lines().getLast(), run.lines().toString());
        assertEquals(0, run.exitCode());
        assertFalse(run.authprivLog("(" + name + ", ulimit " + limit.substring(0, 2) + ") is").isEmpty(), run.syslog().toString());
        // auth, acct and the end hook at pam_end: each says why it fails.
        assertEquals(3, run.authprivLog("Java could not be started in this process").size(), run.syslog().toString());
        assertEquals("", run.stderr());
    }
}
