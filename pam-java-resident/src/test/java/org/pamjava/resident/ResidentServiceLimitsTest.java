package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamModule;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoadException;
import org.pamjava.runtime.ModuleLoader;

/**
 * The resident service under failures and at its limits, in this JVM over a real Unix socket:
 * accept() and thread starts that fail, the connection limit, idle and stalled connections, frames
 * that claim more than they bring, and the bound on module loaders. (pam-java-it's
 * ResidentServiceTest makes the same attacks on the real service with real PAM hosts.)
 */
@Timeout(30) // a guard only: without a defence, some of these would wait for ever
class ResidentServiceLimitsTest {
    @TempDir
    Path dir;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Thread serving;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (serving != null) {
            serving.join(10_000);
        }
        threads.shutdownNow();
    }

    private Path socket() {
        return dir.resolve("resident.sock");
    }

    private ResidentService service(int maxConnections, long idleMillis, java.util.concurrent.Executor sessions) {
        return new ResidentService(socket(), null, List.of(), (priority, message) -> logged.add(message),
                maxConnections, idleMillis, sessions);
    }

    /**
     * Serves through {@code acceptor} on a thread of its own; returns what ended serve(), which
     * also closes {@code server} (as the service's exit would): connections then fail at once.
     */
    private List<Throwable> serve(ResidentService service, ServerSocketChannel server, ResidentService.Acceptor acceptor) {
        List<Throwable> ended = new CopyOnWriteArrayList<>();
        serving = new Thread(() -> {
            try {
                service.serve(acceptor);
            } catch (Throwable t) {
                ended.add(t);
                try {
                    server.close();
                } catch (IOException e) {
                    ended.add(e);
                }
            }
        });
        serving.setDaemon(true);
        serving.start();
        return ended;
    }

    private ServerSocketChannel listen() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket()), 64);
        toClose.add(server);
        return server;
    }

    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket()));
        toClose.add(c);
        return c;
    }

    /** The first frame's kind, or -1 when the service closed the connection without a frame. */
    private static int firstFrame(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(9);
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                if (b.position() == 0) {
                    return -1;
                }
                throw new EOFException("inside a frame");
            }
        }
        assertEquals(5, b.getInt(0), "HELLO carries the version");
        assertEquals(ResidentProtocol.VERSION, b.getInt(5));
        return b.get(4);
    }

    /** An end call (no instance: PAM_SUCCESS at once) and its RESULT: the connection is served. */
    private static int endCall(SocketChannel c) throws IOException {
        ResidentProtocol.Out call = new ResidentProtocol.Out(ResidentProtocol.CALL).u8(ResidentProtocol.OP_END).i32(0)
                .i64(1).bytes("/".getBytes(StandardCharsets.UTF_8)).bytes("1.5".getBytes(StandardCharsets.UTF_8))
                .i32(1).bytes("M.java".getBytes(StandardCharsets.UTF_8));
        try (ResidentProtocol.Connection connection = new ResidentProtocol.Connection(c)) {
            connection.send(call);
            ResidentProtocol.In result = connection.receive();
            assertEquals(ResidentProtocol.RESULT, result.u8());
            return result.i32();
        }
    }

    private long count(String text) {
        return logged.stream().filter(m -> m.contains(text)).count();
    }

    @Test
    void failuresToAcceptOrToStartAThreadDoNotEndTheServiceAndAreLoggedOnce() throws Exception {
        ServerSocketChannel server = listen();
        AtomicInteger acceptFailures = new AtomicInteger(5);
        AtomicInteger startFailures = new AtomicInteger(3);
        ResidentService service = service(8, 60_000, task -> {
            if (startFailures.getAndDecrement() > 0) {
                // What Thread.start throws under a pids limit.
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource"
                        + " limits reached");
            }
            threads.execute(task);
        });
        List<Throwable> ended = serve(service, server, () -> {
            if (acceptFailures.getAndDecrement() > 0) {
                throw new IOException("Cannot allocate memory");
            }
            return server.accept();
        });
        for (int i = 0; i < 3; i++) {
            assertEquals(-1, firstFrame(connect()), "no thread for it: closed before the greeting");
        }
        SocketChannel served = connect();
        assertEquals(ResidentProtocol.HELLO, firstFrame(served));
        assertEquals(0, endCall(served));
        assertTrue(ended.isEmpty(), "serve() ended: " + ended);
        assertEquals(1, count("cannot accept a connection: java.io.IOException: Cannot allocate memory"), logged.toString());
        assertEquals(1, count("cannot start a thread for a connection: java.lang.OutOfMemoryError"), logged.toString());
        assertEquals(1, count("serving connections again"), logged.toString());
    }

    @Test
    void theBackoffDoublesUpToASecondAndStartsAgainOnceServing() {
        ResidentService.Backoff backoff = new ResidentService.Backoff();
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pauses.add(backoff.next());
        }
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L, 1000L), pauses);
        backoff.reset();
        assertEquals(10L, backoff.next());
    }

    @Test
    void beyondTheConnectionLimitAConnectionIsClosedBeforeTheGreetingAndOneEndingMakesRoom() throws Exception {
        ServerSocketChannel server = listen();
        List<Throwable> ended = serve(service(2, 60_000, null), server, server::accept);
        SocketChannel first = connect();
        SocketChannel second = connect();
        assertEquals(ResidentProtocol.HELLO, firstFrame(first));
        assertEquals(ResidentProtocol.HELLO, firstFrame(second));
        assertEquals(-1, firstFrame(connect()), "a third is refused at once");
        assertEquals(1, count("refusing connections: 2 are open"), logged.toString());
        first.close();
        // The service counts the first one closed once its thread saw the end: until then a new
        // one may still be refused, and the application runs in-process, as it should.
        int kind;
        do {
            kind = firstFrame(connect());
        } while (kind == -1);
        assertEquals(ResidentProtocol.HELLO, kind);
        assertEquals(0, endCall(second));
        assertTrue(ended.isEmpty(), "serve() ended: " + ended);
    }

    @Test
    void aConnectionIdleBeforeItsFirstCallIsClosed() throws Exception {
        ServerSocketChannel server = listen();
        serve(service(8, 200, null), server, server::accept);
        SocketChannel idle = connect();
        assertEquals(ResidentProtocol.HELLO, firstFrame(idle));
        assertEquals(-1, idle.read(ByteBuffer.allocate(1)), "the service closes it after the idle limit");
    }

    @Test
    void aFrameThatStallsAfterItsFirstBytesIsDropped() throws Exception {
        try (ServerSocketChannel server = listen(); SocketChannel client = connect();
                ResidentProtocol.Connection service = new ResidentProtocol.Connection(server.accept(), 200)) {
            client.write(ByteBuffer.wrap(new byte[] {0, 0, 0}));
            IOException stalled = assertThrows(IOException.class, () -> service.receive(0));
            assertTrue(stalled.getMessage().contains("stalled"), stalled.toString());
        }
    }

    /** Bytes this thread allocated to receive a frame claiming {@link ResidentProtocol#MAX_FRAME} of which 6 bytes came. */
    private long allocatedForAShortClaim() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path path = dir.resolve("claim.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    ResidentProtocol.Connection service = new ResidentProtocol.Connection(server.accept())) {
                client.write(ByteBuffer.allocate(10).putInt(ResidentProtocol.MAX_FRAME).put((byte) 1).flip());
                client.shutdownOutput();
                long before = mx.getCurrentThreadAllocatedBytes();
                assertThrows(EOFException.class, () -> service.receive(0));
                return mx.getCurrentThreadAllocatedBytes() - before;
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void aFewBytesClaimingTheLargestFrameCostNoMoreThanTheInbox() throws Exception {
        allocatedForAShortClaim(); // the first also loads and links classes
        long allocated = allocatedForAShortClaim();
        // The inbox-sized start and the exception: tens of KB; the claimed length would be 1 MiB.
        assertTrue(allocated < ResidentProtocol.MAX_FRAME / 8,
                "a frame claiming " + ResidentProtocol.MAX_FRAME + " bytes with 6 sent allocated " + allocated);
    }

    @Test
    void aLargeFrameArrivingInPiecesIsReadWhole() throws Exception {
        try (ServerSocketChannel server = listen(); SocketChannel client = connect();
                ResidentProtocol.Connection service = new ResidentProtocol.Connection(server.accept())) {
            byte[] big = new byte[300_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31);
            }
            threads.execute(() -> {
                try {
                    ByteBuffer f = ByteBuffer.allocate(4 + 1 + 4 + big.length).putInt(1 + 4 + big.length)
                            .put((byte) ResidentProtocol.REPLY).putInt(big.length).put(big).flip();
                    while (f.hasRemaining()) {
                        ByteBuffer piece = f.slice().limit(Math.min(f.remaining(), 7_000));
                        f.position(f.position() + client.write(piece));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ResidentProtocol.In frame = service.receive(0);
            assertEquals(ResidentProtocol.REPLY, frame.u8());
            assertTrue(java.util.Arrays.equals(big, frame.bytes()));
            assertEquals(0, frame.remaining());
        }
    }

    @Test
    void loadersAreBoundedAndAnEvictedOneGoesOnWorkingForWhoeverHoldsIt() throws Exception {
        ResidentService service = service(8, 60_000, null);
        Path moduleDir = Files.createDirectories(dir.resolve("modules"));
        Files.writeString(moduleDir.resolve("Held.java"), """
                import java.util.List;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                public class Held implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return 0; }
                }
                """);
        ModuleLoader held = service.loader(moduleDir); // as a call in flight holds it
        for (int i = 0; i < 5 * ResidentService.MAX_LOADERS; i++) {
            service.loader(dir.resolve("other-" + i));
        }
        assertEquals(ResidentService.MAX_LOADERS, service.loaderCount());
        assertNotSame(held, service.loader(moduleDir), "evicted: a new call gets a new loader");
        PamModule module = held.load("Held.java", (priority, message) -> logged.add(message));
        assertInstanceOf(PamModule.class, module, logged.toString());
        ModuleLoader recent = service.loader(dir.resolve("recent"));
        for (int i = 0; i < ResidentService.MAX_LOADERS - 1; i++) {
            service.loader(dir.resolve("more-" + i));
            assertSame(recent, service.loader(dir.resolve("recent")), "used the most recently: kept");
        }
    }

    @Test
    void anErrorOutsideTheThreadStartDoesNotEndTheServiceEither() throws Exception {
        ServerSocketChannel server = listen();
        AtomicInteger errors = new AtomicInteger(2);
        ResidentService service = service(8, 60_000, threads);
        List<Throwable> ended = serve(service, server, () -> {
            if (errors.getAndDecrement() > 0) {
                throw new OutOfMemoryError("Java heap space"); // in accept, or in the checks of a connection
            }
            return server.accept();
        });
        SocketChannel served = connect();
        assertEquals(ResidentProtocol.HELLO, firstFrame(served));
        assertEquals(0, endCall(served));
        assertTrue(ended.isEmpty(), "serve() ended: " + ended);
        assertEquals(1, count("cannot serve a connection: java.lang.OutOfMemoryError: Java heap space"), logged.toString());
    }

    /**
     * What a load logs goes to the application; one whose user stopped it (SIGSTOP of one's own
     * su) must not hold the loads of everyone else while its log waits.
     */
    @Test
    void loadsWhoseApplicationsDoNotTakeTheirLogHoldNoOtherLoad() throws Exception {
        ResidentService service = service(8, 60_000, null);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(ResidentService.MAX_CONCURRENT_LOADS);
        Diagnostics stopped = (priority, message) -> {
            waiting.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        for (int i = 0; i < ResidentService.MAX_CONCURRENT_LOADS; i++) {
            Path moduleDir = module("stopped-" + i, "Stopped" + i);
            threads.execute(() -> {
                try {
                    service.load(moduleDir, moduleDir.getFileName().toString().equals("stopped-0")
                            ? "Stopped0.java" : "Stopped1.java", stopped);
                } catch (ModuleLoadException e) {
                    logged.add(e.toString());
                }
            });
        }
        waiting.await(); // both loads have logged, and their applications do not read it
        Path other = module("other", "Other");
        List<String> otherLog = new CopyOnWriteArrayList<>();
        PamModule loaded = service.load(other, "Other.java", (priority, message) -> otherLog.add(message));
        assertInstanceOf(PamModule.class, loaded, otherLog.toString());
        assertTrue(otherLog.stream().anyMatch(m -> m.startsWith("compiled ")), "its own log arrives: " + otherLog);
        never.countDown();
    }

    /** A directory holding {@code NAME.java}, a module that compiles. */
    private Path module(String directory, String name) throws IOException {
        Path moduleDir = Files.createDirectories(dir.resolve(directory));
        Files.writeString(moduleDir.resolve(name + ".java"), """
                import java.util.List;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                public class %s implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return 0; }
                }
                """.formatted(name));
        return moduleDir;
    }
}
