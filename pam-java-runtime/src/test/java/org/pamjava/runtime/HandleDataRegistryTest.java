package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;

/**
 * The Java data of PAM handles: one {@link HandleData} per key, shared by its members, cleaned up
 * when the last leaves (with its status), then gone from the registry; a loader a member closes is
 * closed only after the cleanups; thread-safe across handles.
 */
class HandleDataRegistryTest implements PamConstants {
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Diagnostics log = (priority, message) -> logged.add(message);

    @Test
    void membersOfOneKeyShareTheLastLeavingRunsTheCleanupsWithItsStatus() {
        HandleDataRegistry registry = new HandleDataRegistry();
        List<String> cleaned = new ArrayList<>();
        HandleData.Member first = registry.join(0x1234L);
        HandleData.Member second = registry.join(0x1234L);
        HandleData.Member otherHandle = registry.join(0x5678L);
        first.data().set("ticket", "T", (v, s) -> cleaned.add(v + " " + s), log);
        assertEquals("T", second.data().get("ticket", String.class));
        assertNull(otherHandle.data().get("ticket", String.class));
        assertEquals(2, registry.handles());

        second.leave(PAM_AUTH_ERR | PAM_DATA_SILENT, log, null);
        assertEquals(List.of(), cleaned, "an instance of the handle is still there");
        assertEquals("T", first.data().get("ticket", String.class));
        first.leave(PAM_AUTH_ERR | PAM_DATA_SILENT, log, null);
        assertEquals(List.of("T " + (PAM_AUTH_ERR | PAM_DATA_SILENT)), cleaned);
        first.leave(PAM_SUCCESS, log, null);
        assertEquals(1, cleaned.size(), "leaving twice does nothing");
        assertEquals(1, registry.handles());
        otherHandle.leave(PAM_SUCCESS, log, null);
        assertEquals(0, registry.handles());

        HandleData.Member next = registry.join(0x1234L);
        assertNull(next.data().get("ticket", String.class), "a new handle at the same address starts empty");
        next.data().set("x", "y", null, log);
    }

    @Test
    void aLoaderIsClosedOnlyAfterTheLastCleanup() {
        HandleDataRegistry registry = new HandleDataRegistry();
        List<String> order = new ArrayList<>();
        HandleData.Member early = registry.join("h");
        HandleData.Member last = registry.join("h");
        early.data().set("v", "of early", (v, s) -> order.add("cleanup " + v), log);
        early.leave(PAM_SUCCESS, log, () -> order.add("close early's loader"));
        assertEquals(List.of(), order, "early's value may need its loader in its cleanup");
        last.leave(PAM_SUCCESS, log, () -> order.add("close last's loader"));
        assertEquals(List.of("cleanup of early", "close early's loader", "close last's loader"), order);
    }

    @Test
    void aThrowingCleanupIsLoggedAndTheOthersRun() {
        HandleData.Member m = new HandleDataRegistry().join(1L);
        List<String> cleaned = new ArrayList<>();
        m.data().set("a", "a", (v, s) -> cleaned.add(v), log);
        m.data().set("b", "b", (v, s) -> {
            throw new IllegalStateException("broken");
        }, log);
        m.data().set("c", "c", (v, s) -> cleaned.add(v), log);
        m.leave(PAM_SUCCESS, log, null);
        assertEquals(List.of("a", "c"), cleaned);
        assertTrue(logged.stream().anyMatch(l -> l.contains("\"b\"") && l.contains("IllegalStateException")), logged.toString());
    }

    @Test
    void replaceAndRemoveRunTheOldCleanupWithDataReplace() {
        HandleData.Member m = new HandleDataRegistry().join(1L);
        List<String> cleaned = new ArrayList<>();
        m.data().set("n", "one", (v, s) -> cleaned.add(v + " " + s), log);
        m.data().set("n", "two", (v, s) -> cleaned.add(v + " " + s), log);
        m.data().set("n", null, null, log);
        assertEquals(List.of("one " + (PAM_DATA_REPLACE | PAM_SUCCESS), "two " + (PAM_DATA_REPLACE | PAM_SUCCESS)), cleaned);
        assertTrue(m.data().isEmpty());
    }

    @Test
    void aWrongTypeIsAClassCastException() {
        HandleData.Member m = new HandleDataRegistry().join(1L);
        m.data().set("n", 7, null, log);
        ClassCastException e = assertThrows(ClassCastException.class, () -> m.data().get("n", String.class));
        assertTrue(e.getMessage().contains("\"n\" is a java.lang.Integer, not a java.lang.String"), e.getMessage());
    }

    @Test
    void manyHandlesOnManyThreadsLeaveNothingBehind() throws InterruptedException {
        HandleDataRegistry registry = new HandleDataRegistry();
        AtomicInteger cleanups = new AtomicInteger();
        int threads = 4;
        int handles = 2000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < handles; i++) {
                        // Addresses reused across threads and handles, as malloc reuses them.
                        long pamh = (thread * 7 + i) % 13;
                        HandleData.Member a = registry.join(pamh);
                        HandleData.Member b = registry.join(pamh);
                        a.data().set("k" + thread + "-" + i, i, (v, s) -> cleanups.incrementAndGet(), log);
                        b.leave(PAM_SUCCESS, log, null);
                        a.leave(PAM_SUCCESS, log, null);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        assertEquals(0, registry.handles());
        assertEquals(threads * handles, cleanups.get());
        assertEquals(List.of(), logged);
    }
}
