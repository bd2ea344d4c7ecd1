package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResidentProtocol.Connection over a real Unix socket pair: the service's side of every frame. */
class ResidentConnectionTest {
    @TempDir
    Path dir;

    private SocketChannel client;
    private ResidentProtocol.Connection service;

    @BeforeEach
    void connect() throws IOException {
        SocketChannel[] pair = socketPair(dir);
        client = pair[0];
        service = new ResidentProtocol.Connection(pair[1]);
    }

    /** A connected Unix socket pair made through a listener in {@code dir}: the application's end, then the service's. */
    static SocketChannel[] socketPair(Path dir) throws IOException {
        Path path = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SocketChannel application = SocketChannel.open(UnixDomainSocketAddress.of(path));
            SocketChannel service = server.accept();
            Files.deleteIfExists(path);
            return new SocketChannel[] {application, service};
        }
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        service.close();
    }

    private void clientWrites(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            client.write(b);
        }
    }

    private byte[] clientReads(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (client.read(b) < 0) {
                throw new EOFException();
            }
        }
        return b.array();
    }

    private static byte[] frame(int kind, byte... fields) {
        ByteBuffer b = ByteBuffer.allocate(5 + fields.length).putInt(1 + fields.length).put((byte) kind).put(fields);
        return b.array();
    }

    @Test
    void aFrameArrivingAfterTheSpinIsStillReadWhole() throws Exception {
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(50); // well past the spin: the read sleeps on the selector
                byte[] f = frame(ResidentProtocol.CALL, (byte) 7, (byte) 0, (byte) 0, (byte) 0, (byte) 42);
                clientWrites(Arrays.copyOf(f, 3)); // and in pieces
                TimeUnit.MILLISECONDS.sleep(20);
                clientWrites(Arrays.copyOfRange(f, 3, f.length));
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        ResidentProtocol.In in = service.receive();
        late.get();
        assertEquals(ResidentProtocol.CALL, in.u8());
        assertEquals(7, in.u8());
        assertEquals(42, in.i32());
    }

    @Test
    void withAnIdleLimitNoFrameIsNullButAFrameThatStartedIsWaitedFor() throws Exception {
        long start = System.nanoTime();
        assertNull(service.receive(200));
        assertTrue(System.nanoTime() - start >= 190_000_000L, "returned before the limit");

        byte[] f = frame(ResidentProtocol.CALL, (byte) 1);
        clientWrites(Arrays.copyOf(f, 2));
        CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(400);
                clientWrites(Arrays.copyOfRange(f, 2, f.length));
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        ResidentProtocol.In in = service.receive(100);
        rest.get();
        assertEquals(ResidentProtocol.CALL, in.u8());
    }

    /** A second connection pair whose service side spins within {@code slots}. */
    private ResidentProtocol.Connection serviceSideWith(SpinSlots slots, SocketChannel[] clientSide) throws IOException {
        Path path = dir.resolve("spin");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            clientSide[0] = SocketChannel.open(UnixDomainSocketAddress.of(path));
            return new ResidentProtocol.Connection(server.accept(), ResidentProtocol.Connection.STALL_MILLIS, slots);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void waitsNoAnswerCoversBackOffAndANewConnectionProbesFromWhereTheyLeftIt() throws Exception {
        // No frame ever comes: every spin runs out, whatever the machine's load.
        SpinSlots slots = new SpinSlots(1);
        SocketChannel[] peer = new SocketChannel[1];
        try (ResidentProtocol.Connection c = serviceSideWith(slots, peer); SocketChannel p = peer[0]) {
            assertNull(c.receive(20));
            assertEquals(1, slots.recentLevel(), "the first unanswered spin");
            assertNull(c.receive(20)); // backed off: sleeps at once, no spin, no outcome
            assertEquals(1, slots.recentLevel());
            assertNull(c.receive(20));
            assertEquals(2, slots.recentLevel(), "the second, after the one wait it skipped");
            assertEquals(0, slots.spinning(), "the slot given back");
        }
        try (ResidentProtocol.Connection c = serviceSideWith(slots, peer); SocketChannel p = peer[0]) {
            assertNull(c.receive(20)); // starts at level 2 with a probe, unanswered: level 3
            assertEquals(3, slots.recentLevel(), "the new connection's first wait");
            for (int i = 0; i < 7; i++) {
                assertNull(c.receive(20)); // level 3: seven waits sleep
                assertEquals(3, slots.recentLevel(), "wait " + i + " after the probe spun");
            }
            assertNull(c.receive(20));
            assertEquals(4, slots.recentLevel());
        }
    }

    @Test
    void aWaitThatFindsNoSlotFreeSleepsAndLeavesTheBackOffAlone() throws Exception {
        SpinSlots slots = new SpinSlots(1);
        assertTrue(slots.tryStart()); // another connection spins
        SocketChannel[] peer = new SocketChannel[1];
        try (ResidentProtocol.Connection c = serviceSideWith(slots, peer); SocketChannel p = peer[0]) {
            assertNull(c.receive(20));
            assertEquals(0, slots.recentLevel(), "it spun without a slot");
            byte[] f = frame(ResidentProtocol.RESULT, (byte) 0, (byte) 0, (byte) 0, (byte) 5);
            ByteBuffer b = ByteBuffer.wrap(f);
            while (b.hasRemaining()) {
                p.write(b);
            }
            ResidentProtocol.In in = c.receive(1000);
            assertEquals(ResidentProtocol.RESULT, in.u8());
            assertEquals(5, in.i32());
        } finally {
            slots.stop();
        }
    }

    @Test
    void withOneCpuTheServiceNeverSpins() throws Exception {
        SpinSlots slots = new SpinSlots(0);
        SocketChannel[] peer = new SocketChannel[1];
        try (ResidentProtocol.Connection c = serviceSideWith(slots, peer); SocketChannel p = peer[0]) {
            for (int i = 0; i < 3; i++) {
                assertNull(c.receive(20));
            }
            assertEquals(0, slots.recentLevel(), "a spin ran with no slot");
        }
    }

    @Test
    void aFrameLargerThanTheSocketBufferIsSentWhole() throws Exception {
        byte[] big = new byte[900_000];
        Arrays.fill(big, (byte) 'x');
        ResidentProtocol.Out out = new ResidentProtocol.Out(ResidentProtocol.REQUEST).bytes(big);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(100); // the service's write finds the buffer full first
                int length = ByteBuffer.wrap(clientReads(4)).getInt();
                return clientReads(length);
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        service.send(out);
        byte[] payload = received.get(30, TimeUnit.SECONDS);
        assertEquals(1 + 4 + big.length, payload.length);
        assertEquals(ResidentProtocol.REQUEST, payload[0]);
        assertArrayEquals(big, Arrays.copyOfRange(payload, 5, payload.length));
    }

    @Test
    void theEndOfTheStreamIsNullBetweenFramesAndAnErrorInsideOne() throws Exception {
        client.shutdownOutput();
        assertNull(service.receive());

        close();
        connect();
        clientWrites(Arrays.copyOf(frame(ResidentProtocol.CALL, (byte) 1, (byte) 2), 6));
        client.shutdownOutput();
        assertThrows(EOFException.class, service::receive);
    }

    @Test
    void aFrameLengthOutOfBoundsIsRefused() throws Exception {
        clientWrites(ByteBuffer.allocate(4).putInt(ResidentProtocol.MAX_FRAME + 1).array());
        IOException e = assertThrows(IOException.class, service::receive);
        assertTrue(e.getMessage().contains("bad frame length"), e.getMessage());
    }
}
