package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;

/**
 * The stuck-call watch and the exit's closing of connections (ResidentCalls), on a real
 * connection: what counts as a call's module time, that a stuck call is said and interrupted
 * once, and that the exit closes every connection and lets none join after. The watch is given
 * its clock, so nothing here waits for time to pass.
 */
@Timeout(30)
class ResidentCallsTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final ResidentCalls calls = new ResidentCalls((priority, message) -> logged.add(message));
    private SocketChannel application;
    private SocketChannel serviceSide;
    private ResidentChannel channel;

    @BeforeEach
    void connect() throws IOException {
        SocketChannel[] pair = ResidentConnectionTest.socketPair(dir);
        application = pair[0];
        serviceSide = pair[1];
        channel = new ResidentChannel(new ResidentProtocol.Connection(serviceSide), (priority, message) -> logged.add(message));
        assertTrue(calls.add(serviceSide, channel));
    }

    @AfterEach
    void close() throws IOException {
        application.close();
        serviceSide.close();
    }

    /** A call on its own thread, begun, that sleeps in module code until interrupted (or a minute). */
    private Thread sleepingCall(AtomicBoolean interrupted) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Thread call = new Thread(() -> {
            channel.beginCall("Sleepy.java");
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            } finally {
                channel.endCall();
            }
        });
        call.start();
        started.await();
        return call;
    }

    @Test
    void aCallPastTheTimeoutIsStuckSaidAndInterruptedOnceAndNoLongerCountsOnceItEnds() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread call = sleepingCall(interrupted);
        long now = System.nanoTime();
        assertEquals(0, calls.watch(1000, now), "just begun");
        assertEquals(0, calls.watch(1000, now + SECOND + SECOND / 2), "past the timeout, within the grace");
        assertEquals(1, calls.watch(1000, now + 10 * SECOND));
        call.join();
        assertTrue(interrupted.get(), "the watch interrupted the module's thread");
        assertEquals(1, logged.stream().filter(l -> l.contains("the call of Sleepy.java has run for more than 2000 ms"
                + " of module time, past timeout (1000 ms)")).count(), logged.toString());
        assertEquals(0, calls.watch(1000, now + 20 * SECOND), "the call ended");
    }

    @Test
    void aStuckCallIsSaidOnceHoweverOftenTheWatchLooks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupts = new AtomicInteger();
        Thread call = new Thread(() -> {
            channel.beginCall("Deaf.java");
            started.countDown();
            // deaf to interrupts, as a loop is: each one is counted and the wait goes on
            for (int i = 0; i < 3; i++) {
                try {
                    Thread.sleep(i == 2 ? 0 : 60_000);
                } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                }
            }
            channel.endCall();
        });
        call.start();
        started.await();
        long now = System.nanoTime();
        assertEquals(1, calls.watch(1000, now + 10 * SECOND));
        while (interrupts.get() == 0) {
            Thread.onSpinWait(); // until the thread took the interrupt: two at once would make one
        }
        assertEquals(1, calls.watch(1000, now + 11 * SECOND));
        assertEquals(1, logged.size(), logged.toString());
        call.interrupt(); // the second sleep, so that the call ends
        call.join();
        assertEquals(2, interrupts.get(), "the watch interrupted once, the test once");
    }

    /** While a call waits for its application's reply (the conversation: the user typing), its module time stands still. */
    @Test
    void timeWaitingForTheApplicationIsNotModuleTime() throws Exception {
        byte[][] out = new byte[1][];
        AtomicInteger rc = new AtomicInteger(-1);
        Thread call = new Thread(() -> {
            channel.beginCall("Asking.java");
            rc.set(channel.getItem(0, PamConstants.PAM_USER, out));
            channel.endCall();
        });
        call.start();
        readFrame(application); // the REQUEST: the call now waits for the reply
        long now = System.nanoTime();
        assertEquals(channel.moduleNanos(now), channel.moduleNanos(now + 60 * SECOND));
        assertEquals(0, calls.watch(1000, now + 60 * SECOND), "waiting for the application is not being stuck");
        // REPLY: PAM_SUCCESS and the string "x"
        application.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 10, 2, 0, 0, 0, 0, 0, 0, 0, 1, 'x'}));
        call.join();
        assertEquals(PamConstants.PAM_SUCCESS, rc.get());
        assertEquals(List.of(), logged);
    }

    @Test
    void theExitClosesEveryConnectionNamesTheCallsInFlightAndNoneJoinsAfter() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread call = sleepingCall(interrupted);
        assertEquals(List.of("Sleepy.java"), calls.closeAll());
        assertEquals(-1, application.read(ByteBuffer.allocate(1)), "the application sees its connection closed");
        assertTrue(calls.exiting());
        assertFalse(calls.add(serviceSide, channel), "no connection is served after");
        call.interrupt();
        call.join();
    }

    private static void readFrame(SocketChannel c) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        while (length.hasRemaining()) {
            if (c.read(length) < 0) {
                throw new IOException("closed");
            }
        }
        ByteBuffer frame = ByteBuffer.allocate(length.getInt(0));
        while (frame.hasRemaining()) {
            if (c.read(frame) < 0) {
                throw new IOException("closed");
            }
        }
    }
}
