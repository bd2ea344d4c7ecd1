package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, hole 5: a user cannot turn a module's answer into a timeout. The time a process
 * spends stopped (SIGSTOP, then SIGCONT after the deadline) does not count, and neither does the
 * JVM's start: a module that answers PAM_AUTH_ERR in time is heard, never PAM_AUTHINFO_UNAVAIL
 * (which a stack mapping authinfo_unavail=ignore would let through).
 */
class StoppedHostTimeoutTest {

    @AfterEach
    void defaultConfiguration() throws Exception {
        Hardening.variantConfig("# defaults");
    }

    private static void signal(Process host, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, String.valueOf(host.pid())).inheritIO().start().waitFor();
    }

    @Test
    void timeStoppedByTheUserDoesNotCountTowardsTheTimeout() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        Hardening.variantConfig("timeout = 1.5");
        PamTestBed bed = Hardening.hostile(Hardening.bed("stopped"), "slowanswer", Hardening.CONF_VARIANT);
        Hardening.setuidHostRunByNobody(bed);
        // Compiled once first, so the stop below falls into the module's second of running time.
        assertCodes(bed.run(Host.C, "svc", "auth"), "auth", 7);
        Process host = bed.start(Host.C, "svc", List.of(), "", "auth");
        bed.awaitText(bed.results, "started");
        signal(host, "STOP");
        Thread.sleep(3000);     // twice the timeout, while the process cannot run
        signal(host, "CONT");
        Run run = bed.finish(host);
        assertCodes(run, "auth", 7);
        assertFalse(run.syslog().stream().anyMatch(l -> l.contains("did not answer")), run.syslog().toString());
    }

    @Test
    void theJvmsStartDoesNotCountTowardsTheTimeout() throws Exception {
        // HotSpot's PauseAtStartup holds the JVM's start until the test removes its file: a start
        // three times as long as the 0.5 s budget of a module that answers at once (compiled and
        // cached by the first run).
        Hardening.variantConfig("timeout = 5");
        PamTestBed bed = Hardening.hostile(Hardening.bed("slow-start"), "answer", Hardening.CONF_VARIANT);
        assertCodes(bed.run(Host.C, "svc", "auth"), "auth", 7);
        java.nio.file.Path pause = bed.dir.resolve("jvm-paused");
        Hardening.variantConfig("timeout = 0.5", "jvm_options = -XX:+UnlockDiagnosticVMOptions -XX:+PauseAtStartup"
                + " -XX:PauseAtStartupFile=" + pause);
        Process host = bed.start(Host.C, "svc", List.of(), "", "auth");
        bed.awaitText(pause, "");
        Thread.sleep(1500);
        java.nio.file.Files.delete(pause);
        Run run = bed.finish(host);
        assertCodes(run, "auth", 7);
    }
}
