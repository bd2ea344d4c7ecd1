package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * No wait of pam_java.so on the resident service is without a bound, with the shipped timeout = 0
 * (pam_java(8), "The resident service"): a stopped service (SIGSTOP: it holds its connections and
 * reads nothing) is found out on a kept connection before a call is sent on it (the module then
 * runs in-process, once), and during a call (which then fails closed with PAM_SERVICE_ERR, never
 * runs again in-process). A module that is merely slow in a live service still finishes. The
 * harness timeout is what fails a test whose host hangs; nothing here measures time.
 */
class ResidentWaitsTest {
    private static final int PAM_SERVICE_ERR = 3;

    @AfterEach
    void serviceBackToNormal() throws Exception {
        if (Hardening.isRoot()) {
            ResidentFixture.pamJava();
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    }

    private static List<Integer> codes(Run run, String operation) {
        return run.lines().stream().filter(l -> l.startsWith(operation + " "))
                .map(l -> Integer.parseInt(l.split(" ")[1])).toList();
    }

    /** A bed whose "svc" runs SlowModule: calls after the first of {@code started} sleep {@code sleepMillis}. */
    private static PamTestBed slowBed(String name, Path started, long sleepMillis) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed(name, Host.RESIDENT);
        bed.timeoutSeconds = 60;
        return bed.service("svc", "auth required $PAM_JAVA $MODULES/SlowModule.java started=" + started
                + " sleep=" + sleepMillis, "account required $PAM_JAVA $MODULES/SlowModule.java");
    }

    /** A file no test has written yet: the slow module's record of its calls. */
    private static Path markerFile(String name) throws Exception {
        Path root = Files.createDirectories(Path.of("target/it-work"));
        return Files.createTempDirectory(root, name).toAbsolutePath().resolve("started");
    }

    /** After SIGCONT the service serves the next application as before. */
    private static void assertServiceStillWorks(long pid) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("resident-after-stop", Host.RESIDENT);
        bed.service("svc", "auth required $PAM_JAVA $MODULES/ProcessIdModule.java $OUT");
        Run run = bed.run(Host.RESIDENT, "svc", "auth");
        assertEquals(0, run.code("auth"), run.lines() + "\nsyslog: " + run.syslog());
        assertEquals(List.of("authenticate pid=" + pid), run.results(), "ran in the service again");
    }

    @Test
    void aKeptConnectionToAStoppedServiceIsNotWaitedOnAndTheModuleRunsInProcessOnce() throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("resident-kept-stopped", Host.RESIDENT);
        bed.timeoutSeconds = 60;
        bed.service("svc", "auth required $PAM_JAVA $MODULES/ProcessIdModule.java $OUT");
        Path between = bed.dir.resolve("between");
        Path stopped = bed.dir.resolve("stopped");
        long pid = ResidentFixture.process().pid();
        // Handle 1 runs in the service and leaves its connection in the host's pool; the service
        // is stopped before handle 2 takes that connection.
        Process host = bed.start(Host.RESIDENT, "svc", List.of(), "", "auth", "end", "touch:" + between,
                "waitfor:" + stopped, "auth", "end");
        try {
            bed.awaitText(between, "");
            signal("STOP", pid);
            Files.writeString(stopped, "");
            Run run = bed.finish(host);
            assertEquals(List.of(0, 0), codes(run, "auth"), run.lines() + "\nsyslog: " + run.syslog());
            assertEquals(List.of("authenticate pid=" + pid, "authenticate pid=" + host.pid()), run.results(),
                    "the first in the service, the second once, in-process");
            assertFalse(run.authprivLog("is not available (Connection timed out: ").isEmpty(), run.syslog().toString());
        } finally {
            signal("CONT", pid);
        }
        assertServiceStillWorks(pid);
    }

    @Test
    void aServiceStoppedDuringACallOnANewConnectionFailsTheCallClosed() throws Exception {
        Path started = markerFile("new-in-call");
        Files.writeString(started, "primed\n"); // so that the first call sleeps
        PamTestBed bed = slowBed("resident-stopped-in-call", started, 30_000);
        long pid = ResidentFixture.process().pid();
        Process host = bed.start(Host.RESIDENT, "svc", List.of(), "", "auth", "acct");
        try {
            bed.awaitText(started, "primed\nstarted");
            signal("STOP", pid);
            Run run = bed.finish(host);
            assertEquals(PAM_SERVICE_ERR, run.code("auth"), run.lines() + "\nsyslog: " + run.syslog());
            assertFalse(run.authprivLog("the resident service stopped answering during the call").isEmpty(),
                    run.syslog().toString());
            assertEquals("primed\nstarted\n", Files.readString(started), "not run again in-process");
        } finally {
            signal("CONT", pid);
        }
        assertServiceStillWorks(pid);
    }

    @Test
    void aServiceStoppedDuringACallOnAKeptConnectionFailsTheCallClosed() throws Exception {
        Path started = markerFile("kept-in-call");
        PamTestBed bed = slowBed("resident-kept-stopped-in-call", started, 30_000);
        long pid = ResidentFixture.process().pid();
        // Handle 1's call returns at once and leaves its connection kept; handle 2's call sleeps in
        // the service on that connection, and the service is stopped meanwhile.
        Process host = bed.start(Host.RESIDENT, "svc", List.of(), "", "auth", "end", "auth", "end");
        try {
            bed.awaitText(started, "started\nstarted");
            signal("STOP", pid);
            Run run = bed.finish(host);
            assertEquals(List.of(0, PAM_SERVICE_ERR), codes(run, "auth"), run.lines() + "\nsyslog: " + run.syslog());
            assertFalse(run.authprivLog("the resident service stopped answering during the call").isEmpty(),
                    run.syslog().toString());
            assertEquals("started\nstarted\n", Files.readString(started), "not run again in-process");
        } finally {
            signal("CONT", pid);
        }
        assertServiceStillWorks(pid);
    }

    @Test
    void aModuleThatRunsLongInALiveServiceStillFinishesWithTimeoutZero() throws Exception {
        Path started = markerFile("long-call");
        Files.writeString(started, "primed\n");
        // Longer than two liveness checks (2 s of silence each): the service greets them, so the call goes on.
        PamTestBed bed = slowBed("resident-long-call", started, 5_000);
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "maps");
        assertEquals(0, run.code("auth"), run.lines() + "\nsyslog: " + run.syslog());
        assertTrue(run.authprivLog("stopped answering").isEmpty(), run.syslog().toString());
        List<String> maps = run.lines().stream().filter(l -> l.startsWith("maps")).toList();
        assertTrue(maps.get(maps.size() - 1).contains("libjvm.so=no"), "ran in the service: " + run.lines());
    }

    /**
     * A service that greets every connection (so the liveness probe passes) but stops two bytes
     * into its answer to a call: the rest of a frame must come within pam_java.so's bound, else
     * the call fails closed, and the module is not run in-process.
     */
    @Test
    void aServiceThatStopsInsideAFrameFailsTheCallClosed() throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("resident-stalled-frame", Host.RESIDENT);
        bed.timeoutSeconds = 60;
        bed.service("svc", "auth required $PAM_JAVA $MODULES/ProcessIdModule.java $OUT");
        Process real = ResidentFixture.process();
        real.destroy();
        real.waitFor();
        Files.deleteIfExists(ResidentFixture.SOCKET);
        List<SocketChannel> held = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(ResidentFixture.SOCKET));
            Thread accepting = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel c = fake.accept();
                        held.add(c);
                        Thread.ofVirtual().start(() -> greetThenStallInsideTheAnswer(c));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            Run run = bed.run(Host.RESIDENT, "svc", "auth");
            assertEquals(PAM_SERVICE_ERR, run.code("auth"), run.lines() + "\nsyslog: " + run.syslog());
            assertEquals(List.of(), run.results(), "not run in-process: it may have run in the service");
            assertFalse(run.authprivLog("stopped inside a frame").isEmpty(), run.syslog().toString());
        } finally {
            for (SocketChannel c : held) {
                c.close();
            }
            Files.deleteIfExists(ResidentFixture.SOCKET);
            ResidentFixture.start();
        }
    }

    /** HELLO (this pam_java.so's version) and the answer to the client's; then, once a CALL has come, two bytes of an answer. */
    private static void greetThenStallInsideTheAnswer(SocketChannel c) {
        try {
            c.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 5, 5, 0, 0, 0, (byte) ResidentFixture.protocolVersion()}));
            ByteBuffer frame = readFrame(c);
            if (frame != null && frame.get(0) == 5) { // the client's HELLO: RESULT 0
                c.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 5, 4, 0, 0, 0, 0}));
                frame = readFrame(c);
            }
            if (frame == null) {
                return; // a liveness probe: greeted, closed
            }
            c.write(ByteBuffer.wrap(new byte[] {0, 0}));
        } catch (IOException e) {
            // the host went away
        }
    }

    /** A frame's kind and fields, or null when the client closed first. */
    private static ByteBuffer readFrame(SocketChannel c) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        while (length.hasRemaining()) {
            if (c.read(length) < 0) {
                return null;
            }
        }
        ByteBuffer frame = ByteBuffer.allocate(length.getInt(0));
        while (frame.hasRemaining()) {
            if (c.read(frame) < 0) {
                return null;
            }
        }
        return frame;
    }
}
