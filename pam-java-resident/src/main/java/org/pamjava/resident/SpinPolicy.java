package org.pamjava.resident;

/**
 * Whether one kind of wait of one connection spins before it sleeps: an adaptive back-off, the
 * rule of the client's (pam-java-shim/src/spin.h). A spin pays only when the application answers
 * within it, which needs a CPU for the application while the service spins; on a machine busy
 * with other work (a login storm, builds) it rarely does, and the spin's budget is then burnt on
 * the CPU the application was waiting for. So a spin the answer did not cover makes the next
 * 2<sup>k</sup> - 1 waits sleep at once (k: such spins in a row, at most {@link #MOST_LEVEL}: then
 * one wait in 64 spins), and a spin it covered resets the back-off. Used by one thread at a time.
 */
final class SpinPolicy {
    /** The longest back-off: one wait in 2<sup>6</sup> spins. */
    static final int MOST_LEVEL = 6;

    /** Spins in a row the answer did not cover, at most {@link #MOST_LEVEL}. */
    private int level;
    /** Waits left that sleep without spinning. */
    private int skip;

    /** Starting to spin at once. */
    SpinPolicy() {
        this(0, 0);
    }

    private SpinPolicy(int level, int skip) {
        this.level = level;
        this.skip = skip;
    }

    /**
     * As after {@code level} unanswered spins in a row, but its first wait spins: what the first
     * wait finds decides (answered: no back-off; not: one level more). A start that slept its
     * first waits would learn nothing where waits are few (a cold login has six), and a level
     * handed on from connection to connection would then never come down.
     */
    static SpinPolicy probingAt(int level) {
        return new SpinPolicy(Math.clamp(level, 0, MOST_LEVEL), 0);
    }

    /** As after {@code level} unanswered spins in a row: its first 2<sup>level</sup> - 1 waits sleep. */
    static SpinPolicy backedOff(int level) {
        int clamped = Math.clamp(level, 0, MOST_LEVEL);
        return new SpinPolicy(clamped, (1 << clamped) - 1);
    }

    /** Whether this wait may spin; a wait that may not counts the back-off down. */
    boolean shouldSpin() {
        if (skip == 0) {
            return true;
        }
        skip--;
        return false;
    }

    /** After a wait that spun: whether the answer came within the spin. */
    void outcome(boolean answered) {
        if (answered) {
            level = 0;
            skip = 0;
            return;
        }
        level = Math.min(level + 1, MOST_LEVEL);
        skip = (1 << level) - 1;
    }

    /** Unanswered spins in a row (0 after an answered one). */
    int level() {
        return level;
    }
}
