package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bound on the service's spinning threads (no timing). */
class SpinSlotsTest {
    @Test
    void atMostTheGivenNumberSpinAtOnceAndASlotGivenBackIsFreeAgain() {
        SpinSlots slots = new SpinSlots(2);
        assertTrue(slots.tryStart());
        assertTrue(slots.tryStart());
        assertFalse(slots.tryStart(), "a third spinner with two slots");
        assertEquals(2, slots.spinning());
        slots.stop();
        assertTrue(slots.tryStart(), "the slot given back");
    }

    @Test
    void withOneCpuNothingSpins() {
        assertFalse(new SpinSlots(0).tryStart());
        assertFalse(new SpinSlots(-1).tryStart(), "a negative count is none");
        assertEquals(0, new SpinSlots(-1).most());
    }

    @Test
    void theServiceLeavesOneCpuToTheApplications() {
        assertEquals(Math.max(0, Runtime.getRuntime().availableProcessors() - 1), SpinSlots.SERVICE.most());
    }

    @Test
    void manyThreadsAtOnceNeverHoldMoreThanTheSlots() throws Exception {
        SpinSlots slots = new SpinSlots(1);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger mostSeen = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    if (slots.tryStart()) {
                        mostSeen.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        holding.decrementAndGet();
                        slots.stop();
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, mostSeen.get(), "threads holding a slot at once");
        assertEquals(0, slots.spinning());
    }
}
