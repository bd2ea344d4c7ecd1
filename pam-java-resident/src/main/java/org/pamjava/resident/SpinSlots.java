package org.pamjava.resident;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many of the service's threads may spin at once: at most one CPU fewer than the service may
 * use, so that a CPU is left for the applications whose answers the spinners wait for (with one
 * CPU, none: spinning would only keep the other side from running). A thread that finds no slot
 * free sleeps at once. With many connections at once (a login storm), spinning then takes at
 * most that much of the machine, whatever each connection's back-off says.
 *
 * <p>It also remembers how far the last spin within a handle left its connection's back-off
 * ({@link SpinPolicy}), where a new connection's starts: the connections of a storm, which all
 * wait for applications that have no CPU either, back off together instead of each learning it.
 */
final class SpinSlots {
    /** The service's: {@code availableProcessors() - 1} slots (the CPUs it may use, read at start). */
    static final SpinSlots SERVICE = new SpinSlots(Runtime.getRuntime().availableProcessors() - 1);

    private final int most;
    private final AtomicInteger spinning = new AtomicInteger();
    private volatile int recentLevel;

    SpinSlots(int most) {
        this.most = Math.max(0, most);
    }

    /** Takes a slot if one is free: then {@link #stop} must follow. */
    boolean tryStart() {
        for (int n = spinning.get(); n < most; n = spinning.get()) {
            if (spinning.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives the slot back. */
    void stop() {
        spinning.decrementAndGet();
    }

    /** Threads spinning now. */
    int spinning() {
        return spinning.get();
    }

    /** The most that spin at once. */
    int most() {
        return most;
    }

    /** Where a new connection's back-off within a handle starts: the last one's level after a spin. */
    int recentLevel() {
        return recentLevel;
    }

    void recordLevel(int level) {
        recentLevel = level;
    }
}
