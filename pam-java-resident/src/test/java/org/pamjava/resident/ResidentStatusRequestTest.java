package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;

/**
 * The STATUS request on the wire (docs/resident-protocol.md, "Status"): a real service counts the
 * calls a client makes as pam_java.so makes them, and answers pam-java status's request with
 * them (module paths, never arguments; the conversation's time left out); the request is refused
 * where the protocol does not allow it; and ResidentStatus's every wait on a service that does
 * not answer, or does not know the request, ends with a reason.
 */
// On a thread of its own: a wait that never ends (what the client must never do) fails the test
// instead of holding the build (an interrupted selector does not end a wait that loops).
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResidentStatusRequestTest {
    @TempDir
    Path dir;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Path socket;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** The real service on dir/resident.sock, with dir/modules/Outcome.java, whose arguments say what it does. */
    private void serviceRunning() throws Exception {
        Path modules = Files.createDirectories(dir.resolve("modules"));
        Files.writeString(modules.resolve("Outcome.java"), """
                import java.util.List;
                import org.pamjava.Message;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                public class Outcome implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        for (String a : args) {
                            if (a.equals("throw")) throw new IllegalStateException("on purpose");
                            if (a.equals("converse")) pamh.conversation(new Message(PamHandle.PAM_PROMPT_ECHO_OFF, "Code: "));
                            if (a.startsWith("rc=")) return Integer.parseInt(a.substring(3));
                        }
                        return PamHandle.PAM_SUCCESS;
                    }
                }
                """);
        Files.copy(modules.resolve("Outcome.java"), Files.createDirectories(dir.resolve("other")).resolve("Outcome.java"));
        socket = dir.resolve("resident.sock");
        ServiceOnSocket.start(socket, logged, toClose);
    }

    /** A connection greeted and, when {@code handshake}, past the handshake, as pam_java.so's. */
    private ResidentProtocolVersionsTest.Client connection(boolean handshake) throws IOException {
        ResidentProtocolVersionsTest.Client c = new ResidentProtocolVersionsTest.Client(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        toClose.add(c);
        ResidentProtocol.In hello = c.receive();
        assertEquals(ResidentProtocol.HELLO, hello.u8());
        if (handshake) {
            c.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(ResidentProtocol.VERSION));
            ResidentProtocol.In answer = c.receive();
            assertEquals(ResidentProtocol.RESULT, answer.u8());
            assertEquals(PamConstants.PAM_SUCCESS, answer.i32());
        }
        return c;
    }

    /**
     * One CALL of authenticate (or the end hook) of MODULE {@code module} with {@code args}; a
     * conversation is answered after {@code conversationMillis}. The RESULT's code, and in
     * {@code elapsed[0]} the nanoseconds from the CALL to the RESULT less those of the conversation.
     */
    private int call(ResidentProtocolVersionsTest.Client c, int op, String module, long conversationMillis, long[] elapsed,
            String... args) throws Exception {
        ResidentProtocol.Out call = new ResidentProtocol.Out(ResidentProtocol.CALL).u8(op).i32(0).i64(1)
                .bytes(ServiceOnSocket.utf8(dir.resolve("modules").toString())).bytes(ServiceOnSocket.utf8("1.5.2")).i32(1 + args.length)
                .bytes(ServiceOnSocket.utf8(module));
        for (String a : args) {
            call.bytes(ServiceOnSocket.utf8(a));
        }
        long start = System.nanoTime();
        long conversing = 0;
        c.send(call);
        while (true) {
            ResidentProtocol.In frame = c.receive();
            int kind = frame.u8();
            if (kind == ResidentProtocol.RESULT) {
                elapsed[0] = System.nanoTime() - start - conversing;
                return frame.i32();
            }
            if (kind == ResidentProtocol.LOG) {
                continue; // the module's log (a LOG frame): nothing to answer
            }
            assertEquals(ResidentProtocol.REQUEST, kind);
            int what = frame.u8();
            ResidentProtocol.Out reply = new ResidentProtocol.Out(ResidentProtocol.REPLY).i32(PamConstants.PAM_SUCCESS);
            if (what == ResidentChannel.CONVERSATION) {
                long slept = System.nanoTime();
                Thread.sleep(conversationMillis); // a person typing
                conversing += System.nanoTime() - slept;
                reply.bytes(ServiceOnSocket.utf8("123456")).i32(0);
            } else {
                throw new AssertionError("the module asks for nothing but the conversation: request " + what);
            }
            c.send(reply);
        }
    }

    private int auth(ResidentProtocolVersionsTest.Client c, String module, String... args) throws Exception {
        int rc = call(c, 0, module, 0, new long[1], args);
        call(c, ResidentProtocol.OP_END, module, 0, new long[1]);
        return rc;
    }

    private static ResidentStatus.Figures of(ResidentStatus.Report report, String module) {
        return report.modules().stream().filter(f -> module.equals(f.module())).findFirst()
                .orElseThrow(() -> new AssertionError(module + " not in " + report.modules()));
    }

    @Test
    void theServiceCountsEachModulesCallsFailuresAndErrorsAndReportsThemAfterTheHandshake() throws Exception {
        serviceRunning();
        ResidentProtocolVersionsTest.Client app = connection(true);
        assertEquals(PamConstants.PAM_SUCCESS, auth(app, "Outcome.java", "secret=hunter2"), logged.toString());
        assertEquals(PamConstants.PAM_SUCCESS, auth(app, "Outcome.java"));
        assertEquals(PamConstants.PAM_AUTH_ERR, auth(app, "Outcome.java", "rc=7"));
        assertEquals(PamConstants.PAM_SERVICE_ERR, auth(app, "Outcome.java", "throw"));
        String other = dir.resolve("other/Outcome.java").toString();
        assertEquals(PamConstants.PAM_SUCCESS, auth(connection(false), other)); // version 1: no handshake, counted too

        ResidentStatus.Status status = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket);
        assertEquals(ResidentStatus.Decision.SERVICE, status.decision(), status.why());
        assertNull(status.noReport());
        ResidentStatus.Report report = status.report();
        assertEquals(ProcessHandle.current().pid(), report.pid());
        assertEquals(ResidentProtocol.VERSION, report.protocolVersion());
        assertEquals(3, report.connectionsServed(), "two applications' and pam-java status's own");
        assertEquals(3, report.connectionsOpen());
        assertEquals(0, report.connectionsRefused());
        ResidentStatus.Figures outcome = of(report, dir.resolve("modules/Outcome.java").toString());
        assertEquals(4, outcome.calls(), "the end hooks are not calls");
        assertEquals(2, outcome.failures());
        assertEquals(1, outcome.errors());
        assertTrue(outcome.p50Nanos() > 0 && outcome.p50Nanos() <= outcome.p99Nanos(), outcome.toString());
        ResidentStatus.Figures second = of(report, other);
        assertEquals(1, second.calls());
        assertEquals(0, second.failures());
        assertEquals(2, report.modules().size(), report.modules().toString());
        assertEquals(new ResidentStatus.Figures(null, 5, 2, 1, report.total().p50Nanos(), report.total().p99Nanos()),
                report.total());
    }

    @Test
    void theReportNamesModulesButNeverTheirArguments() throws Exception {
        serviceRunning();
        ResidentProtocolVersionsTest.Client app = connection(true);
        auth(app, "Outcome.java", "secret=hunter2", "rc=7");
        ResidentProtocolVersionsTest.Client status = connection(true);
        status.send(new ResidentProtocol.Out(ResidentProtocol.STATUS));
        ResidentProtocol.In answer = status.receive();
        byte[] bytes = new byte[answer.remaining()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) answer.u8();
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "."); // its text, printable
        assertTrue(text.contains("Outcome.java"), text);
        assertFalse(text.contains("hunter2"), text);
        assertFalse(text.contains("rc=7"), text);
    }

    @Test
    void theTimeOfACallLeavesOutTheApplicationsConversation() throws Exception {
        serviceRunning();
        ResidentProtocolVersionsTest.Client app = connection(true);
        long[] elapsed = new long[1];
        call(app, 0, "Outcome.java", 0, elapsed); // loads (compiles) the module
        long slowest = 0;
        for (int i = 0; i < 4; i++) {
            call(app, 0, "Outcome.java", 500, elapsed, "converse");
            slowest = Math.max(slowest, elapsed[0]);
        }
        ResidentStatus.Report report = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket).report();
        ResidentStatus.Figures outcome = of(report, dir.resolve("modules/Outcome.java").toString());
        assertEquals(5, outcome.calls());
        // The service's time of a call lies within the client's, its conversation around the
        // client's pause: so at least three of the five times are at most the slowest call
        // less its pause, as the client saw it (a bucket is at most 1/8 above).
        assertTrue(outcome.p50Nanos() <= slowest + slowest / 8 + 8, "p50 " + outcome.p50Nanos()
                + " ns against at most " + slowest + " ns outside the conversation");
    }

    @Test
    void aStatusRequestBeforeTheHandshakeOrDuringAHandleEndsTheConnection() throws Exception {
        serviceRunning();
        ResidentProtocolVersionsTest.Client unshaken = connection(false);
        unshaken.send(new ResidentProtocol.Out(ResidentProtocol.STATUS));
        assertNull(unshaken.receive(), "closed without an answer");

        ResidentProtocolVersionsTest.Client inHandle = connection(true);
        assertEquals(PamConstants.PAM_SUCCESS, call(inHandle, 0, "Outcome.java", 0, new long[1]));
        inHandle.send(new ResidentProtocol.Out(ResidentProtocol.STATUS));
        assertNull(inHandle.receive(), "closed without an answer");
        while (logged.stream().filter(m -> m.contains("expected a call")).count() < 2) {
            Thread.sleep(10); // the session logs after it closed (the class's timeout bounds this)
        }
    }

    @Test
    void aServiceAlreadyAnsweringStatusKeepsTheConnectionForAnotherRequest() throws Exception {
        serviceRunning();
        ResidentProtocolVersionsTest.Client c = connection(true);
        for (int i = 0; i < 2; i++) {
            c.send(new ResidentProtocol.Out(ResidentProtocol.STATUS));
            ResidentProtocol.In answer = c.receive();
            assertEquals(ResidentProtocol.STATUS, answer.u8());
            assertEquals(0, ServiceStatistics.read(answer).total().calls());
        }
    }

    /** A fake service on dir/fake.sock: each connection gets {@code behaviour} on a thread of its own. */
    private void fake(FakeBehaviour behaviour) throws IOException {
        socket = dir.resolve("fake.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        toClose.add(server);
        Thread accepting = new Thread(() -> {
            try {
                while (true) {
                    SocketChannel c = server.accept();
                    toClose.add(c);
                    Thread.ofVirtual().start(() -> {
                        try {
                            behaviour.serve(new ResidentProtocol.Connection(c));
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        accepting.setDaemon(true);
        accepting.start();
    }

    interface FakeBehaviour {
        void serve(ResidentProtocol.Connection c) throws IOException;
    }

    /** Greets as a service of {@code version} does and completes the handshake. */
    private static void greetAndShake(ResidentProtocol.Connection c, int version) throws IOException {
        c.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(version));
        ResidentProtocol.In hello = c.receive();
        if (hello != null && hello.u8() == ResidentProtocol.HELLO) {
            c.send(new ResidentProtocol.Out(ResidentProtocol.RESULT).i32(PamConstants.PAM_SUCCESS));
        }
    }

    @Test
    void aServiceThatDoesNotKnowTheRequestIsUsedButGivesNoStatusAndSaysSoAtOnce() throws Exception {
        fake(c -> {
            greetAndShake(c, ResidentProtocol.VERSION);
            c.receive(); // the STATUS: not a CALL, so a service without the request drops the connection
            c.close();
        });
        ResidentStatus.Status status = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket);
        assertEquals(ResidentStatus.Decision.SERVICE, status.decision());
        assertNull(status.report());
        assertNotNull(status.noReport());
        assertTrue(status.noReport().contains("does not know the request"), status.noReport());
    }

    @Test
    void aServiceThatDoesNotAnswerTheRequestIsGivenUpAfterItsLimit() throws Exception {
        fake(c -> {
            greetAndShake(c, ResidentProtocol.VERSION);
            c.receive(0); // and then nothing, until the client closes
        });
        ResidentStatus.Status status = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket);
        assertEquals(ResidentStatus.Decision.SERVICE, status.decision());
        assertTrue(status.noReport().contains("did not answer the status request within "
                + ResidentStatus.ANSWER_MILLIS + " ms"), status.noReport());
    }

    @Test
    void aServiceThatDoesNotGreetOrSpeaksAnotherVersionMeansInProcess() throws Exception {
        fake(c -> c.receive(0)); // accepts, says nothing
        ResidentStatus.Status silent = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket);
        assertEquals(ResidentStatus.Decision.IN_PROCESS, silent.decision());
        assertTrue(silent.why().contains("did not greet within " + ResidentStatus.CONNECT_MILLIS + " ms"), silent.why());
        stop();
        toClose.clear();
        Files.delete(socket);

        fake(c -> greetAndShake(c, ResidentProtocol.VERSION + 1));
        ResidentStatus.Status later = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket);
        assertEquals(ResidentStatus.Decision.IN_PROCESS, later.decision());
        assertTrue(later.why().contains("speaks protocol version " + (ResidentProtocol.VERSION + 1)), later.why());
        stop();
        toClose.clear();
        Files.delete(socket);

        fake(c -> c.close()); // refused before the greeting (the service's limit on connections)
        ResidentStatus.Status closed = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket);
        assertEquals(ResidentStatus.Decision.IN_PROCESS, closed.decision());
        assertTrue(closed.why().contains("closed the connection"), closed.why());
    }

    @Test
    void aSocketNothingListensOnMeansInProcess() throws Exception {
        socket = dir.resolve("stale.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket)); // its file stays after the close: a stale socket
        }
        ResidentStatus.Status status = ResidentStatus.asked(dir.resolve("pam_java.conf"), socket);
        assertEquals(ResidentStatus.Decision.IN_PROCESS, status.decision());
        assertTrue(status.why().contains("cannot connect"), status.why());
    }
}
