package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * The resident service's availability under systemd (issue 16, item 4), with the real service
 * socket-activated and restarted as its units do (ActivatedService), real libpam hosts and util-linux
 * su: a login during a restart waits for the new service; a service killed during a call fails that
 * call closed and su lives; an exit from module code fails the calls in flight and the restarted
 * service serves the next login; a module stuck in a loop is stopped by the timeout without holding
 * other applications' calls, and too many stuck make the service start afresh. Nothing here measures
 * time: the order of events is made with files the module writes and with process exits.
 */
class ResidentAvailabilityTest {
    private static final int PAM_SERVICE_ERR = 3;
    private static final int PAM_AUTHINFO_UNAVAIL = 9;
    private static final String HOSTILE = "$MODULES/HostileModule.java";

    @BeforeEach
    void rootOnly() throws Exception {
        assumeTrue(Hardening.isRoot(), "the resident service runs as root only");
        ActivatedService.writeConf(); // this run's socket: the file may be an earlier run's
    }

    @AfterEach
    void fixtureConfBack() throws Exception {
        ActivatedService.writeConf();
    }

    private static PamTestBed bed(String name) throws Exception {
        return ActivatedService.bed(name);
    }

    /** A bed whose "svc" runs HostileModule how=HOW, which records in {@link #marker}. */
    private static PamTestBed hostile(String name, String how) throws Exception {
        PamTestBed bed = bed(name);
        return bed.service("svc", "auth required $PAM_JAVA " + HOSTILE + " how=" + how + " out=" + marker(bed));
    }

    private static Path marker(PamTestBed bed) {
        return bed.dir.resolve("marker");
    }

    @Test
    void aLoginDuringARestartIsServedByTheNewServiceNotInProcess() throws Exception {
        try (ActivatedService systemd = new ActivatedService()) {
            ProcessHandle first = systemd.awaitServing();
            first.destroyForcibly(); // SIGKILL: systemd restarts it 1 s later; the socket stays
            ActivatedService.awaitExit(first);
            // This login connects while no service runs: its connection waits in the backlog.
            PamTestBed bed = bed("restart-login");
            String ran = ActivatedService.moduleProcess(bed);
            ProcessHandle second = systemd.awaitServing();
            assertNotEquals(first.pid(), second.pid());
            assertEquals("authenticate pid=" + second.pid(), ran, "served by the restarted service, not in-process: "
                    + Files.readString(bed.syslog));
        }
    }

    /**
     * su run by a user, its module in the service; the service is killed (SIGKILL) while the call
     * runs: su's pam_authenticate fails with PAM_SERVICE_ERR (exit 1, no shell), the module is
     * not run again in su, and su itself ends normally.
     */
    @Test
    void aServiceKilledDuringACallFailsItClosedAndSuLives() throws Exception {
        PrivateNamespace.assumeAvailable(true);
        PamTestBed bed = Hardening.bed("resident-killed-su");
        Path out = bed.dir.resolve("module.txt");
        String stack = "auth required " + ResidentFixture.PAM_JAVA + " " + PamTestBed.MODULES.resolve("HostileModule.java")
                + " how=wait out=" + out + "\naccount required pam_permit.so\nsession required pam_permit.so\n";
        String q = PrivateNamespace.quote(out.toString());
        String scenario = PrivateNamespace.su("root", "echo shell-ran") + " > " + PrivateNamespace.quote(
                bed.dir.resolve("su.out").toString()) + " 2>&1 & su=$!; "
                + "while ! grep -q started " + q + " 2>/dev/null; do sleep 0.05; done; "
                + "kill -KILL $(sed -n 's/^started pid=//p' " + q + "); "
                + "wait $su; echo \"su-exit $?\"";
        PrivateNamespace.Outcome run = PrivateNamespace.run(bed, Map.of("su", stack), true, scenario);
        String suSaid = Files.readString(bed.dir.resolve("su.out"));
        String seen = run.lines() + "\nsu: " + suSaid + "\n" + run.log();
        assertEquals(List.of("started pid=" + run.servicePid()), Files.readAllLines(out),
                "ran once, in the service, never again in su: " + seen);
        assertEquals("1", run.value("su-exit"), "su ended on its own, failing: " + seen);
        // pam_authenticate failed (su says pam_strerror(PAM_SERVICE_ERR)), not a later step, and no shell ran.
        assertEquals("su: Error in service module", suSaid.strip(), seen);
    }

    /**
     * Module code reaches the JVM's exit past the loader's rewrite while another application's
     * call runs in the service: both calls fail closed, the service process ends (even when a
     * module's shutdown hook never returns), and the next login is served by the restarted one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reflectexit", "halthandle", "hangexit"})
    void anExitFromModuleCodeFailsTheCallsInFlightAndTheRestartedServiceServesTheNextLogin(String how)
            throws Exception {
        try (ActivatedService systemd = new ActivatedService()) {
            ProcessHandle first = systemd.awaitServing();
            PamTestBed waiting = hostile("exit-inflight", "wait");
            Process inFlight = waiting.start(Host.RESIDENT, "svc", List.of(), "", "auth", "acct");
            waiting.awaitText(marker(waiting), "started pid=" + first.pid());

            PamTestBed exiting = hostile("exit-" + how, how);
            Run exit = exiting.run(Host.RESIDENT, "svc", List.of(), "", "auth");
            assertEquals(PAM_SERVICE_ERR, exit.code("auth"), exit.lines() + "\nsyslog: " + exit.syslog());
            assertEquals(0, exit.exitCode(), "the host lives");

            Run other = waiting.finish(inFlight);
            assertEquals(PAM_SERVICE_ERR, other.code("auth"), "the call in flight failed closed: " + other.lines());
            assertEquals(List.of("started pid=" + first.pid()), Files.readAllLines(marker(waiting)),
                    "not run again in-process");
            ActivatedService.awaitExit(first);
            ProcessHandle second = systemd.awaitServing();
            assertNotEquals(first.pid(), second.pid());
        }
    }

    /**
     * timeout = 1: a module that loops for ever fails its call (PAM_AUTHINFO_UNAVAIL) at the
     * timeout, while another application's call through the same service completes; its thread
     * runs on and is counted stuck. At ResidentCalls.MAX_STUCK_CALLS (4) the service exits for a
     * fresh start, and the restarted one serves the next login.
     */
    @Test
    void aModuleStuckInALoopFailsAtTheTimeoutWithoutHoldingOthersAndTooManyStuckRestartTheService()
            throws Exception {
        try (ActivatedService systemd = new ActivatedService("timeout = 1")) {
            ProcessHandle first = systemd.awaitServing();
            PamTestBed looping = hostile("stuck-loop", "spin");
            Process loop = looping.start(Host.RESIDENT, "svc", List.of(), "", "auth");
            looping.awaitText(marker(looping), "started pid=" + first.pid());
            // While the loop runs in the service, another application's login goes through it.
            assertEquals("authenticate pid=" + first.pid(), ActivatedService.moduleProcess(bed("stuck-other")));
            Run stuck = looping.finish(loop);
            assertEquals(PAM_AUTHINFO_UNAVAIL, stuck.code("auth"), stuck.lines() + "\nsyslog: " + stuck.syslog());
            awaitLog("(1 stuck now; at 4 the service exits");
            assertTrue(first.isAlive(), "one stuck call does not restart the service");

            List<Process> more = new ArrayList<>();
            List<PamTestBed> beds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                PamTestBed bed = hostile("stuck-more", "spin");
                beds.add(bed);
                more.add(bed.start(Host.RESIDENT, "svc", List.of(), "", "auth"));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(PAM_AUTHINFO_UNAVAIL, beds.get(i).finish(more.get(i)).code("auth"));
            }
            ActivatedService.awaitExit(first);
            assertTrue(ActivatedService.log().contains("4 calls are stuck past timeout; exiting with status 75"),
                    ActivatedService.log());
            ProcessHandle second = systemd.awaitServing();
            assertNotEquals(first.pid(), second.pid());
        }
    }

    /**
     * A service started by hand that died leaves its socket file, which refuses connections until
     * the service runs again and binds it anew: pam_java.so retries a refused connect for a short
     * while, so a login while the service is between two runs is served by the new one. The
     * service here is already running on another path, and its socket is renamed into place once
     * the host is seen waiting between its retries (its thread asleep in clock_nanosleep): a
     * host that ran in-process at the first refusal never waits.
     */
    @Test
    void aRefusingSocketIsRetriedBrieflySoAServiceBetweenTwoRunsServesTheLogin() throws Exception {
        String sleeping = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "230"; // clock_nanosleep, where usleep(3) sleeps
            case "aarch64" -> "115";
            default -> null;
        };
        assumeTrue(sleeping != null, "the system call numbers of this architecture are not known here");
        ResidentFixture.stop(); // SIGTERM: it removes its socket
        Files.deleteIfExists(ResidentFixture.SOCKET);
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(ResidentFixture.SOCKET)); // the file stays, refusing, as a killed service's
        }
        Path next = ResidentFixture.SOCKET_DIR.resolve("next.sock");
        Path log = bed("refused-service").dir.resolve("service.log");
        Process service = new ProcessBuilder(PamTestBed.DIST.resolve("bin/pam-java-resident").toString(), "--config",
                ResidentFixture.CONF.toString(), "--socket", next.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitGreeting(next, service, log);
            PamTestBed bed = bed("refused-retry");
            bed.service("probe", "auth required $PAM_JAVA $MODULES/ProcessIdModule.java $OUT");
            Process host = bed.start(Host.RESIDENT, "probe", List.of(), "", "auth");
            Path syscall = Path.of("/proc", Long.toString(host.pid()), "syscall");
            while (true) {
                assertTrue(host.isAlive(), () -> "the host never waited on the refusing socket: " + readQuietly(bed.syslog));
                String now = readQuietly(syscall);
                if (now.split(" ")[0].equals(sleeping)) {
                    break;
                }
                Thread.sleep(1);
            }
            Files.move(next, ResidentFixture.SOCKET, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Run run = bed.finish(host);
            assertEquals(List.of("authenticate pid=" + service.pid()), run.results(),
                    "served by the service that came back: " + run.syslog());
            assertTrue(run.authprivLog("running Java in this process").isEmpty(), run.syslog().toString());
        } finally {
            service.destroy();
            service.waitFor();
            Files.deleteIfExists(next);
            Files.deleteIfExists(ResidentFixture.SOCKET);
        }
    }

    /** Waits (a minute at most) until the service listening on {@code socket} greets a connection. */
    private static void awaitGreeting(Path socket, Process service, Path log) throws Exception {
        for (int i = 0; i < 600; i++) {
            assertTrue(service.isAlive(), () -> "the service exited: " + readQuietly(log));
            if (Files.exists(socket)) {
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    if (c.read(ByteBuffer.allocate(9)) > 0) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the service did not greet in a minute: " + readQuietly(log));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits (a minute at most) for {@code text} in the activated service's log. */
    private static void awaitLog(String text) throws Exception {
        for (int i = 0; i < 600 && !ActivatedService.log().contains(text); i++) {
            Thread.sleep(100);
        }
        assertTrue(ActivatedService.log().contains(text), "no \"" + text + "\" in " + ActivatedService.log());
    }
}
