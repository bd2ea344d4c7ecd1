package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * The resident service's own promises, against the real service and the real libpam: who may use
 * it, whom pam_java.so trusts, and that an application never waits on, or succeeds through, a
 * service that is down, dies or hangs. (PamPythonCasesTest runs every API case through it.)
 */
class ResidentServiceTest {
    private static final String MAPS = "maps";

    @AfterEach
    void serviceBackToNormal() throws Exception {
        if (Hardening.isRoot()) {
            ResidentFixture.pamJava();
        }
    }

    private static PamTestBed bed(String name, String how) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed(name, Host.RESIDENT);
        return Hardening.hostile(bed, how, bed.pamJava);
    }

    /** Whether the host's last "maps" probe found libjvm.so mapped: the module ran in-process. */
    static boolean jvmLoaded(Run run) {
        List<String> maps = run.lines().stream().filter(l -> l.startsWith(MAPS)).toList();
        return maps.get(maps.size() - 1).contains("libjvm.so=yes");
    }

    @Test
    void aRootApplicationRunsTheModuleInTheServiceWithoutAJvmOfItsOwn() throws Exception {
        Run run = bed("resident-root", "item").run(Host.RESIDENT, "svc", "auth", "acct", MAPS);
        assertCodes(run, "auth", 0, "acct", 0);
        assertFalse(jvmLoaded(run), () -> run.lines() + "\nsyslog: " + run.syslog() + "\n" + ResidentFixture.state());
        assertTrue(run.authprivLog("resident service").isEmpty(), run.syslog().toString());
    }

    @Test
    void anApplicationThatIsNotRootRunsTheModuleInProcess() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        PamTestBed bed = bed("resident-nobody", "item");
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        bed.wrapper.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        Run run = bed.run(Host.RESIDENT, "svc", "auth", MAPS);
        assertCodes(run, "auth", 0);
        assertTrue(jvmLoaded(run), "not root: the service's socket is not for it " + run.lines());
    }

    @Test
    void theServiceRefusesAConnectionFromAProcessThatIsNotRoot() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        ResidentFixture.pamJava();
        // Open the directory and socket up, as a mistaken administrator might: the service's own
        // check of the peer still turns the process away.
        Path probe = Files.createTempDirectory(Path.of("/tmp"), "resident-probe");
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path source = probe.resolve("Probe.java");
        Files.writeString(source, """
                import java.net.*; import java.nio.*; import java.nio.channels.*;
                public class Probe { public static void main(String[] a) throws Exception {
                    // Connecting works (the directory was opened up); a served client would get
                    // the service's greeting, a refused one sees the connection closed.
                    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(a[0]))) {
                        int n;
                        try { n = c.read(ByteBuffer.allocate(8)); } catch (java.io.IOException reset) { n = -1; }
                        System.out.println(n < 0 ? "closed" : "answered");
                    }
                } }
                """);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(ResidentFixture.SOCKET_DIR, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(ResidentFixture.SOCKET, PosixFilePermissions.fromString("rw-rw-rw-"));
        try {
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Duser.home=/tmp",
                    source.toString(), ResidentFixture.SOCKET.toString())
                    .directory(probe.toFile()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertEquals("closed", out);
            assertTrue(Files.readString(ResidentFixture.LOG).contains("refused a connection from nobody"),
                    Files.readString(ResidentFixture.LOG));
        } finally {
            Files.setPosixFilePermissions(ResidentFixture.SOCKET_DIR, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(ResidentFixture.SOCKET, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void pamJavaSendsNothingToASocketInADirectoryOthersCanWrite() throws Exception {
        PamTestBed bed = bed("resident-untrusted", "item");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "resident-untrusted");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = dir.resolve("resident.sock");
        try (ServerSocketChannel impostor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            impostor.bind(UnixDomainSocketAddress.of(socket));
            impostor.configureBlocking(false);
            Files.writeString(ResidentFixture.CONF, "resident_socket = " + socket + "\n");
            Run run = bed.run(Host.RESIDENT, "svc", "auth", MAPS);
            assertCodes(run, "auth", 0);
            assertNull(impostor.accept(), "pam_java.so connected to an untrusted socket");
            assertTrue(jvmLoaded(run), run.lines().toString());
            assertFalse(run.authprivLog("is writable by group or others").isEmpty(), run.syslog().toString());
        } finally {
            Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\n");
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void whileTheServiceIsDownModulesRunInProcess() throws Exception {
        PamTestBed bed = bed("resident-down", "item");
        ResidentFixture.stop();
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "acct", MAPS);
        assertCodes(run, "auth", 0, "acct", 0);
        assertTrue(jvmLoaded(run), run.lines().toString());
        assertFalse(run.authprivLog("is not available").isEmpty(), run.syslog().toString());
    }

    @Test
    void aStoppedServiceDoesNotHangTheApplication() throws Exception {
        PamTestBed bed = bed("resident-stopped", "item");
        long pid = ResidentFixture.process().pid();
        new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        try {
            bed.timeoutSeconds = 60;
            Run run = bed.run(Host.RESIDENT, "svc", "auth", "acct", MAPS);
            assertCodes(run, "auth", 0, "acct", 0);
            assertTrue(jvmLoaded(run), "ran in-process: " + run.lines());
            assertFalse(run.authprivLog("is not available (Connection timed out: ").isEmpty(), run.syslog().toString());
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
        }
    }

    @Test
    void aServiceThatDiesDuringACallFailsTheCallClosedAndTheHandleAfterIt() throws Exception {
        PamTestBed bed = bed("resident-dies", "loop");
        Process service = ResidentFixture.process();
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(1500);
                service.destroyForcibly(); // SIGKILL: the module's busy loop dies with the service
                // Until the JVM's reaper has waited for it, isAlive() still says true: without this,
                // the next test's ResidentFixture.pamJava() may keep the dead service, and that
                // test's module then runs in-process (its socket refuses connections).
                service.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "acct");
        killer.join();
        assertCodes(run, "auth", 3, "acct", 3); // PAM_SERVICE_ERR: never a success by accident
        assertFalse(run.authprivLog("the resident service failed during the call").isEmpty(), run.syslog().toString());
        assertFalse(run.authprivLog("connection to the resident service for").isEmpty(), run.syslog().toString());
    }

    @Test
    void aModuleThatRunsPastTheTimeoutGivesAuthinfoUnavail() throws Exception {
        PamTestBed bed = bed("resident-timeout", "loop");
        Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\ntimeout = 1\n");
        try {
            Run run = bed.run(Host.RESIDENT, "svc", "auth");
            assertCodes(run, "auth", 9); // PAM_AUTHINFO_UNAVAIL, as in-process
            assertFalse(run.authprivLog("did not finish within 1000 ms").isEmpty(), run.syslog().toString());
        } finally {
            Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\n");
            // The module's loop goes on in the service, as a hung module's worker does in-process.
            ResidentFixture.stop();
        }
    }

    @Test
    void aForkedChildGetsAnInstanceOfItsOwnInTheService() throws Exception {
        PamTestBed bed = bed("resident-fork", "item");
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "forkauth", "acct", "end");
        // In-process the child fails closed (it has no JVM threads); here it connects anew.
        assertCodes(run, "auth", 0, "child auth", 0, "child end", 0, "acct", 0, "end", 0);
        assertTrue(run.lines().contains("child exit status 0"), run.lines().toString());
    }

    /** The inodes of the host's connections to the service, from each "resident" probe line. */
    private static List<List<String>> connections(Run run, String prefix) {
        return run.lines().stream().filter(l -> l.startsWith(prefix + "resident "))
                .map(l -> List.of(l.substring(prefix.length() + "resident ".length()).split(" "))).toList();
    }

    private static List<Integer> codes(Run run, String operation) {
        return run.lines().stream().filter(l -> l.startsWith(operation + " "))
                .map(l -> Integer.parseInt(l.split(" ")[1])).toList();
    }

    @Test
    void theNextHandleOfTheProcessUsesTheConnectionOfAnEndedOne() throws Exception {
        PamTestBed bed = bed("resident-reuse", "item");
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "end", "resident", "auth", "acct", "end", "resident", MAPS);
        assertEquals(List.of(0, 0), codes(run, "auth"), run.lines().toString());
        assertEquals(List.of(0, 0), codes(run, "end"), run.lines().toString());
        List<List<String>> held = connections(run, "");
        assertEquals(2, held.size(), run.lines().toString());
        assertEquals(1, held.get(0).size(), "one connection, kept after pam_end: " + run.lines());
        assertFalse(held.get(0).contains("none"), run.lines().toString());
        assertEquals(held.get(0), held.get(1), "the second handle used the first one's connection: " + run.lines());
        assertFalse(jvmLoaded(run), run.lines().toString());
    }

    @Test
    void aKeptConnectionTheServiceClosedIsNotUsedAgain() throws Exception {
        PamTestBed bed = bed("resident-reuse-gone", "item");
        ResidentFixture.pamJava();
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(700);
                ResidentFixture.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        // The first handle's connection waits in the host's pool while the service stops; the
        // second handle must not fail on it, but find the service gone and run in-process.
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "end", "sleep:3000", "auth", "end", MAPS);
        stopper.join();
        assertEquals(List.of(0, 0), codes(run, "auth"), run.lines() + "\nsyslog: " + run.syslog());
        assertTrue(jvmLoaded(run), "ran in-process: " + run.lines());
        assertTrue(run.authprivLog("failed during the call").isEmpty(), run.syslog().toString());
    }

    @Test
    void aForkedChildNeverUsesItsParentsKeptConnections() throws Exception {
        PamTestBed bed = bed("resident-fork-pool", "item");
        // Handle 2's connection is kept in the pool when the child forks; the child must leave it
        // (and handle 1's) to the parent: two processes on one connection would mix their frames.
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "2:auth", "2:end", "resident", "forkauth", "acct", "end",
                "resident");
        assertCodes(run, "auth", 0, "2:auth", 0, "2:end", 0, "child auth", 0, "child end", 0, "acct", 0, "end", 0);
        List<String> parentBefore = connections(run, "").get(0);
        List<String> child = connections(run, "child ").get(0);
        List<String> parentAfter = connections(run, "").get(1);
        assertEquals(2, parentBefore.size(), "handle 1's connection and handle 2's kept one: " + run.lines());
        assertEquals(1, child.size(), "the child's own connection only: " + run.lines());
        assertFalse(parentBefore.contains(child.get(0)), run.lines().toString());
        assertEquals(parentBefore.stream().sorted().toList(), parentAfter.stream().sorted().toList(),
                "the parent kept both: " + run.lines());
    }
}
