package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
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
 * Protocol versions (docs/resident-protocol.md, "Versions"): a version-1 client (a pam_java.so
 * loaded before an upgrade: its first frame is a CALL) completes whole transactions against this
 * service, and gets the call's log as LOG requests; a client of this version has its HELLO
 * answered before its calls, and gets the log as LOG frames, unanswered, before the RESULT; a
 * client HELLO of another version (version 2's included), or a HELLO after a call, ends the
 * connection. The client here writes the frames byte for byte as pam_java.so does
 * (pam-java-shim/src/resident.c), reads them as a stream (LOG frames may come together with the
 * frame after them), and answers the module's requests.
 */
@Timeout(60)
class ResidentProtocolVersionsTest {
    @TempDir
    Path dir;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    /** What the call's log brought to the client, as "request TEXT" (version 1) or "frame TEXT". */
    private final List<String> records = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** pam_java.so's side of a connection: whole frames written, frames read one after another from the stream. */
    static final class Client implements AutoCloseable {
        private final SocketChannel socket;
        private final DataInputStream in;

        Client(SocketChannel socket) {
            this.socket = socket;
            this.in = new DataInputStream(Channels.newInputStream(socket));
        }

        void send(ResidentProtocol.Out frame) throws IOException {
            ByteBuffer bytes = frame.frame();
            while (bytes.hasRemaining()) {
                socket.write(bytes);
            }
        }

        /** The next frame, or null when the service closed the connection. */
        ResidentProtocol.In receive() throws IOException {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException closed) {
                return null;
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new ResidentProtocol.In(ByteBuffer.wrap(payload));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The service over dir/resident.sock, with dir/modules/Checks.java: user, password prompt, environment. */
    private Client connected() throws Exception {
        Path modules = Files.createDirectories(dir.resolve("modules"));
        Files.writeString(modules.resolve("Checks.java"), """
                import java.util.List;
                import org.pamjava.Message;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                public class Checks implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        String user = pamh.getUser();
                        String password = pamh.conversation(new Message(PamHandle.PAM_PROMPT_ECHO_OFF, "Password: ")).resp();
                        pamh.environment().put("CHECKED", user);
                        return password.equals("secret-of-" + user) ? PamHandle.PAM_SUCCESS : PamHandle.PAM_AUTH_ERR;
                    }
                }
                """);
        Path socket = dir.resolve("resident.sock");
        ServiceOnSocket.start(socket, logged, toClose);
        Client c = new Client(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        toClose.add(c);
        return c;
    }

    /** The service's HELLO: its kind and version; what a version-1 client reads of it is the kind alone. */
    private static void expectHello(Client c) throws IOException {
        ResidentProtocol.In hello = c.receive();
        assertEquals(ResidentProtocol.HELLO, hello.u8());
        assertEquals(ResidentProtocol.VERSION, hello.i32());
        assertEquals(0, hello.remaining());
    }

    /** A CALL as pam_java.so sends it: op, flags, pamh, its directory, the libpam version, MODULE and its arguments. */
    private ResidentProtocol.Out call(int op, long pamh) {
        return new ResidentProtocol.Out(ResidentProtocol.CALL).u8(op).i32(0).i64(pamh)
                .bytes(ServiceOnSocket.utf8(dir.resolve("modules").toString())).bytes(ServiceOnSocket.utf8("1.5.2")).i32(1).bytes(ServiceOnSocket.utf8("Checks.java"));
    }

    /**
     * Sends the call, answers its requests as the application of user {@code user} typing
     * {@code password}, and returns the RESULT's code; the requests' kinds go into {@code asked}.
     */
    private int transact(Client c, ResidentProtocol.Out call, String user, String password,
            List<Integer> asked) throws IOException {
        c.send(call);
        while (true) {
            ResidentProtocol.In frame = c.receive();
            int kind = frame.u8();
            if (kind == ResidentProtocol.RESULT) {
                return frame.i32();
            }
            if (kind == ResidentProtocol.LOG) {
                frame.i32(); // the priority, then the record: not answered
                records.add("frame " + new String(frame.bytes(), StandardCharsets.UTF_8));
                assertEquals(0, frame.remaining());
                continue;
            }
            assertEquals(ResidentProtocol.REQUEST, kind);
            int what = frame.u8();
            asked.add(what);
            ResidentProtocol.Out reply = new ResidentProtocol.Out(ResidentProtocol.REPLY).i32(PamConstants.PAM_SUCCESS);
            switch (what) {
                case ResidentChannel.GET_ITEM -> {
                    assertEquals(PamConstants.PAM_USER, frame.i32());
                    reply.bytes(ServiceOnSocket.utf8(user));
                }
                case ResidentChannel.CONVERSATION -> {
                    assertEquals(1, frame.i32());
                    assertEquals(PamConstants.PAM_PROMPT_ECHO_OFF, frame.i32());
                    assertEquals("Password: ", new String(frame.bytes(), StandardCharsets.UTF_8));
                    reply.bytes(ServiceOnSocket.utf8(password)).i32(0);
                }
                case ResidentChannel.GET_ENV -> {
                    assertEquals("CHECKED", new String(frame.bytes(), StandardCharsets.UTF_8));
                    reply.bytes(null); // not set
                }
                case ResidentChannel.PUT_ENV -> assertEquals("CHECKED=" + user, new String(frame.bytes(), StandardCharsets.UTF_8));
                case ResidentProtocol.VERSION_1_LOG_REQUEST -> {
                    frame.i32(); // the priority, then the line (the runtime's own: "compiled ...")
                    records.add("request " + new String(frame.bytes(), StandardCharsets.UTF_8));
                    asked.remove(asked.size() - 1);
                }
                default -> throw new AssertionError("request " + what + " not expected");
            }
            c.send(reply);
        }
    }

    /** The session logs why it dropped a connection after closing it: waited for (the class's timeout bounds it). */
    private void awaitLogged(String text) throws InterruptedException {
        while (logged.stream().noneMatch(m -> m.contains(text))) {
            Thread.sleep(10);
        }
    }

    @Test
    void aVersion1ClientCompletesWholeTransactionsOnOneConnection() throws Exception {
        Client c = connected();
        expectHello(c);
        // No HELLO of its own: the first frame is the CALL, as pam_java.so sent it before version 2.
        List<Integer> asked = new ArrayList<>();
        assertEquals(PamConstants.PAM_SUCCESS, transact(c, call(0, 1), "alice", "secret-of-alice", asked), logged.toString());
        assertEquals(List.of(ResidentChannel.GET_ITEM, ResidentChannel.CONVERSATION, ResidentChannel.GET_ENV,
                ResidentChannel.PUT_ENV), asked);
        assertEquals(1, records.size(), records.toString());
        assertTrue(records.get(0).startsWith("request compiled " + dir.resolve("modules/Checks.java")), records.toString());
        assertEquals(PamConstants.PAM_SUCCESS, transact(c, call(ResidentProtocol.OP_END, 1), "alice", "", asked));
        // The kept connection's check (an END with no instance), then the process's next handle.
        assertEquals(PamConstants.PAM_SUCCESS, transact(c, call(ResidentProtocol.OP_END, 0), "", "", asked));
        assertEquals(PamConstants.PAM_AUTH_ERR, transact(c, call(0, 2), "bob", "wrong", asked), logged.toString());
        assertEquals(PamConstants.PAM_SUCCESS, transact(c, call(ResidentProtocol.OP_END, 2), "bob", "", asked));
    }

    @Test
    void aClientOfThisVersionHasItsHelloAnsweredThenItsCallsServedWithTheLogAsFrames() throws Exception {
        Client c = connected();
        expectHello(c);
        c.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(ResidentProtocol.VERSION));
        ResidentProtocol.In answer = c.receive();
        assertEquals(ResidentProtocol.RESULT, answer.u8());
        assertEquals(PamConstants.PAM_SUCCESS, answer.i32());
        assertEquals(0, answer.remaining());
        List<Integer> asked = new ArrayList<>();
        assertEquals(PamConstants.PAM_SUCCESS, transact(c, call(0, 1), "carol", "secret-of-carol", asked), logged.toString());
        assertEquals(List.of(ResidentChannel.GET_ITEM, ResidentChannel.CONVERSATION, ResidentChannel.GET_ENV,
                ResidentChannel.PUT_ENV), asked, "no LOG request");
        assertEquals(1, records.size(), records.toString());
        assertTrue(records.get(0).startsWith("frame compiled " + dir.resolve("modules/Checks.java")), records.toString());
        assertEquals(PamConstants.PAM_SUCCESS, transact(c, call(ResidentProtocol.OP_END, 1), "carol", "", asked));
    }

    @Test
    void aVersion2ClientsHelloEndsTheConnection() throws Exception {
        // A version-2 pam_java.so never sends it (it meets this HELLO and runs in-process): one that did is refused.
        Client c = connected();
        expectHello(c);
        c.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(2));
        assertNull(c.receive(), "closed without an answer");
        awaitLogged("the client speaks protocol version 2, this service 4");
    }

    @Test
    void aVersion3ClientsHelloEndsTheConnection() throws Exception {
        // Version 3 knows no GET_AUTHTOK: served, it would end a token-asking module's call as a violation.
        Client c = connected();
        expectHello(c);
        c.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(3));
        assertNull(c.receive(), "closed without an answer");
        awaitLogged("the client speaks protocol version 3, this service 4");
    }

    @Test
    void aClientHelloOfAnotherVersionEndsTheConnection() throws Exception {
        Client c = connected();
        expectHello(c);
        c.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(ResidentProtocol.VERSION + 1));
        assertNull(c.receive(), "closed without an answer");
        awaitLogged("the client speaks protocol version 5");
    }

    @Test
    void aHelloAfterACallEndsTheConnection() throws Exception {
        Client c = connected();
        expectHello(c);
        assertEquals(PamConstants.PAM_SUCCESS, transact(c, call(ResidentProtocol.OP_END, 0), "", "", new ArrayList<>()));
        c.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(ResidentProtocol.VERSION));
        assertNull(c.receive(), "closed without an answer");
        awaitLogged("expected a call");
    }
}
