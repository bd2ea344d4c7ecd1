package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Whenever pam_java.conf names the resident service's socket but a process runs its modules
 * in-process, syslog says why exactly once for that process, naming the socket and the reason,
 * however many handles and calls follow (issue 16, item 1): the application is not root (its uid),
 * there is no socket (no systemd, the unit not enabled, a container), the socket is untrusted,
 * nothing listens on it, the service closes connections before greeting, or does not greet.
 * The lines are counted in the host's own syslog (an LD_PRELOAD capture), and for setuid su and
 * pamtester in a private /dev/log.
 */
class ResidentInProcessReasonsTest {
    private static final String LINE = "; running Java in this process";
    /** Three PAM handles of two calls each, in one process. */
    private static final String[] THREE_HANDLES = {"auth", "acct", "end", "auth", "acct", "end", "auth", "acct"};

    @BeforeEach
    void rootOnly() throws Exception {
        assumeTrue(Hardening.isRoot(), "the resident service runs as root only");
        ActivatedService.writeConf(); // this run's socket: the file may be an earlier run's
    }

    @AfterEach
    void fixtureBack() throws Exception {
        ActivatedService.writeConf();
        ResidentFixture.pamJava();
    }

    private static PamTestBed bed(String name) throws Exception {
        return ActivatedService.bed(name).service("svc", "auth required $PAM_JAVA $MODULES/ProcessIdModule.java $OUT",
                "account required $PAM_JAVA $MODULES/ProcessIdModule.java");
    }

    /** Runs three handles in one C host: every call succeeds in-process; returns its one line. */
    private static String theOneLine(PamTestBed bed, String socket) throws Exception {
        Run run = bed.run(Host.RESIDENT, "svc", List.of(), "", THREE_HANDLES);
        assertEquals(List.of(0, 0, 0), run.lines().stream().filter(l -> l.startsWith("auth "))
                .map(l -> Integer.parseInt(l.split(" ")[1])).toList(), run.lines() + "\nsyslog: " + run.syslog());
        List<String> lines = run.authprivLog(LINE);
        assertEquals(1, lines.size(), "one line for the process: " + run.syslog());
        assertTrue(lines.get(0).contains("the resident service at " + socket + " "), lines.get(0));
        return lines.get(0);
    }

    private static void stopFixture() throws Exception {
        ResidentFixture.stop();
        Files.deleteIfExists(ResidentFixture.SOCKET);
    }

    @Test
    void noSocket() throws Exception {
        stopFixture();
        String line = theOneLine(bed("reason-no-socket"), ResidentFixture.SOCKET.toString());
        assertTrue(line.contains("is not available (No such file or directory: no socket there; the socket unit is not"
                + " enabled, or no systemd runs here"), line);
    }

    @Test
    void notRootSaysItsUid() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        PamTestBed bed = bed("reason-not-root");
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        bed.wrapper.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        String line = theOneLine(bed, ResidentFixture.SOCKET.toString());
        assertTrue(line.contains("is not for this process (it runs as uid 65534, euid 65534"), line);
    }

    @Test
    void anUntrustedSocketSaysWhatTheTrustWalkFound() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "reason-untrusted");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = dir.resolve("resident.sock");
        try (ServerSocketChannel impostor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            impostor.bind(UnixDomainSocketAddress.of(socket));
            Files.writeString(ResidentFixture.CONF, "resident_socket = " + socket + "\n");
            String line = theOneLine(bed("reason-untrusted"), socket.toString());
            assertTrue(line.contains("is not used (refusing " + socket + ": " + dir + " is writable by group or others)"),
                    line);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** A socket file nobody listens on (a service started by hand that died): a short wait, then in-process. */
    @Test
    void aRefusingSocket() throws Exception {
        stopFixture();
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(ResidentFixture.SOCKET)); // closed below: the file stays, refusing
        }
        try {
            String line = theOneLine(bed("reason-refused"), ResidentFixture.SOCKET.toString());
            assertTrue(line.contains("is not available (Connection refused: nothing listens on it, retried for 1000 ms"),
                    line);
        } finally {
            Files.deleteIfExists(ResidentFixture.SOCKET);
        }
    }

    /** A service at its connection limit closes a connection before greeting it. */
    @Test
    void aServiceThatClosesBeforeGreeting() throws Exception {
        stopFixture();
        try (ServerSocketChannel full = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            full.bind(UnixDomainSocketAddress.of(ResidentFixture.SOCKET));
            Thread refusing = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel c = full.accept();
                        c.close();
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            refusing.setDaemon(true);
            refusing.start();
            String line = theOneLine(bed("reason-closed"), ResidentFixture.SOCKET.toString());
            assertTrue(line.contains("it closed the connection before its greeting"), line);
        } finally {
            Files.deleteIfExists(ResidentFixture.SOCKET);
        }
    }

    /** A stopped service (SIGSTOP) greets no one: each handle waits for the greeting, the line comes once. */
    @Test
    void aServiceThatDoesNotGreet() throws Exception {
        ResidentFixture.pamJava();
        long pid = ResidentFixture.process().pid();
        new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        try {
            PamTestBed bed = bed("reason-silent");
            Run run = bed.run(Host.RESIDENT, "svc", List.of(), "", "auth", "end", "auth");
            assertEquals(List.of("auth 0 Success", "auth 0 Success"),
                    run.lines().stream().filter(l -> l.startsWith("auth ")).toList(), run.syslog().toString());
            List<String> lines = run.authprivLog(LINE);
            assertEquals(1, lines.size(), run.syslog().toString());
            assertTrue(lines.get(0).contains("the resident service at " + ResidentFixture.SOCKET
                    + " is not available (Connection timed out: no greeting within 5000 ms"), lines.get(0));
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
        }
    }

    /**
     * Real hosts whose syslog no LD_PRELOAD reaches, in a namespace whose /run has no socket and
     * whose /dev/log is a capture: setuid su run by a user (root by its effective uid: "no socket"),
     * and pamtester run as nobody (not root: its uid). Each makes several PAM calls in one process;
     * each says why once, at LOG_AUTHPRIV | LOG_NOTICE.
     */
    @Test
    void suAndPamtesterSayWhyOnceInTheRealSyslog() throws Exception {
        PrivateNamespace.assumeAvailable(true);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pamtester")), "pamtester is not installed");
        PamTestBed bed = Hardening.bed("reason-real-hosts");
        String module = ResidentFixture.PAM_JAVA + " " + PamTestBed.MODULES.resolve("ProcessIdModule.java");
        String stack = "auth required " + module + "\naccount required " + module + "\nsession required pam_permit.so\n";
        Path devlog = bed.dir.resolve("devlog.txt");
        PrivateNamespace.Outcome run = PrivateNamespace.run(bed, Map.of("su", stack, "pamjava-reasons", stack),
                PrivateNamespace.Resident.NO_SOCKET, devlog, PrivateNamespace.su("root", "echo shell-ran") + "; "
                        + "setpriv --reuid=65534 --regid=65534 --clear-groups pamtester pamjava-reasons nobody"
                        + " authenticate acct_mgmt authenticate acct_mgmt < /dev/null; echo \"pamtester-exit $?\"");
        List<String> syslog = Files.exists(devlog) ? Files.readAllLines(devlog) : List.of();
        String seen = run.lines() + "\nsyslog: " + syslog + "\n" + run.log();
        assertTrue(run.lines().contains("shell-ran"), seen);
        assertEquals("0", run.value("pamtester-exit"), seen);
        String socket = PrivateNamespace.SOCKET_DIR + "/resident.sock";
        List<String> su = syslog.stream().filter(l -> l.contains(LINE) && l.contains(" su")).toList();
        assertEquals(1, su.size(), seen);
        assertTrue(su.get(0).startsWith("<85>") && su.get(0).contains("the resident service at " + socket
                + " is not available (No such file or directory: no socket there"), seen);
        List<String> pamtester = syslog.stream().filter(l -> l.contains(LINE) && l.contains("pamtester")).toList();
        assertEquals(1, pamtester.size(), seen);
        assertTrue(pamtester.get(0).startsWith("<85>") && pamtester.get(0).contains("the resident service at " + socket
                + " is not for this process (it runs as uid 65534, euid 65534"), seen);
    }
}
