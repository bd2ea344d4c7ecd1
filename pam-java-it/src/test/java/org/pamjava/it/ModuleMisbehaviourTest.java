package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/** Threat 4 (docs/security.md#threat-4-module-misbehaviour-never-takes-the-host-down): nothing a module does takes the host down or leaves it hanging. */
class ModuleMisbehaviourTest {

    @AfterEach
    void defaultConfiguration() throws Exception {
        Hardening.variantConfig("# defaults");
    }

    @ParameterizedTest
    @CsvSource({"exit,C", "runtimeexit,C", "halt,C", "exit,JVM", "runtimeexit,JVM", "halt,JVM"})
    void endingTheProcessFailsTheCallAndTheHostLives(String how, Host host) throws Exception {
        PamTestBed bed = Hardening.hostile(PamPythonCasesTest.bed(how, host), how, PamTestBed.PAM_JAVA);
        Run run = bed.run(host, "svc", "auth", "acct", "end");
        assertCodes(run, "auth", 3, "acct", 0, "end", 0);
        assertEquals(0, run.exitCode());
        assertEquals("exit", run.lines().getLast());
        assertFalse(run.authprivLog("must not end the host process").isEmpty(), run.syslog().toString());
    }

    /**
     * Hidden means a ClassNotFoundException for the module (the class exists: in-process the host's
     * jar holds HostNatives, in the service the service's jar holds ResidentService).
     */
    @ParameterizedTest
    @EnumSource(Host.class)
    void aModuleCanNameTheApiButNoneOfPamJavasOwnClasses(Host host) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("internals", host);
        Hardening.hostile(bed, "internals", bed.pamJava);
        Run run = bed.run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of("internals visible org.pamjava.PamConstants", "internals hidden org.pamjava.host.HostNatives",
                "internals hidden org.pamjava.host.NativeEntry", "internals hidden org.pamjava.runtime.ModuleDispatch",
                "internals hidden org.pamjava.runtime.LibPamHandle", "internals hidden org.pamjava.resident.ResidentService",
                "internals hidden org.pamjava.resident.ResidentChannel"), run.results("internals"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "JVM"})
    void aStackOverflowIsAnErrorAndLaterCallsWork(Host host) throws Exception {
        PamTestBed bed = Hardening.hostile(PamPythonCasesTest.bed("sof", host), "stackoverflow", PamTestBed.PAM_JAVA);
        Run run = bed.run(host, "svc", "auth", "acct", "2:auth");
        assertCodes(run, "auth", 3, "acct", 0, "2:auth", 3);
        assertFalse(run.authprivLog("StackOverflowError").isEmpty());
    }

    @Test
    void runningOutOfASmallHeapIsBufErrAndLaterCallsWork() throws Exception {
        Hardening.variantConfig("jvm_options = -Xmx32m");
        PamTestBed bed = Hardening.hostile(Hardening.bed("oom"), "oom", Hardening.CONF_VARIANT);
        Run run = bed.run(Host.C, "svc", "auth", "acct", "2:auth", "2:acct");
        assertCodes(run, "auth", 5, "acct", 0, "2:auth", 5, "2:acct", 0);
        // Issue 13, hole 9: no out-of-memory banner on the terminal, on either stream.
        assertEquals(List.of("auth 5 Memory buffer error", "acct 0 Success", "2:auth 5 Memory buffer error",
                "2:acct 0 Success", "exit"), run.lines());
        assertEquals("", run.stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "deadlock"})
    void aHungModuleGivesUpAfterTheTimeoutAndLaterCallsWork(String how) throws Exception {
        Hardening.variantConfig("timeout = 1.5");
        PamTestBed bed = Hardening.hostile(Hardening.bed(how), how, Hardening.CONF_VARIANT);
        bed.timeoutSeconds = 30;
        long started = System.nanoTime();
        Run run = bed.run(Host.C, "svc", "auth", "acct", "2:auth", "2:acct", "end", "2:end");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertCodes(run, "auth", 9, "acct", 0, "2:auth", 9, "2:acct", 0);
        assertEquals("exit", run.lines().getLast());
        assertTrue(seconds < 25, "bounded time, took " + seconds + " s");
        assertFalse(run.authprivLog("did not answer within 1500 ms").isEmpty(), run.syslog().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "JVM"})
    void threadsTheModuleLeavesRunningDoNotKeepTheHostAlive(Host host) throws Exception {
        PamTestBed bed = Hardening.hostile(PamPythonCasesTest.bed("threads", host), "thread", PamTestBed.PAM_JAVA);
        bed.timeoutSeconds = 30;
        Run run = bed.run(host, "svc", "auth", "acct", "end");
        assertCodes(run, "auth", 0, "acct", 0, "end", 0);
        assertEquals(0, run.exitCode());
        assertEquals(List.of("exit"), run.lines().subList(run.lines().size() - 1, run.lines().size()));
    }
}
