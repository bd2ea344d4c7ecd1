package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The service's spin back-off: which waits spin after which outcomes (no timing). */
class SpinPolicyTest {
    /** How many waits in a row sleep before the next one may spin again. */
    private static int sleepsBeforeTheNextSpin(SpinPolicy p) {
        int n = 0;
        while (!p.shouldSpin()) {
            n++;
        }
        return n;
    }

    @Test
    void aNewPolicySpinsAndAnsweredSpinsKeepItSpinning() {
        SpinPolicy p = new SpinPolicy();
        for (int i = 0; i < 100; i++) {
            assertTrue(p.shouldSpin(), "wait " + i);
            p.outcome(true);
        }
        assertEquals(0, p.level());
    }

    @Test
    void unansweredSpinsInARowBackOffExponentiallyUpToOneIn64() {
        SpinPolicy p = new SpinPolicy();
        int[] expected = {1, 3, 7, 15, 31, 63, 63, 63};
        for (int i = 0; i < expected.length; i++) {
            assertTrue(p.shouldSpin(), "the probing wait after " + i + " failures");
            p.outcome(false);
            assertEquals(expected[i], sleepsBeforeTheNextSpin(p), "after " + (i + 1) + " unanswered spins in a row");
        }
        assertEquals(SpinPolicy.MOST_LEVEL, p.level());
    }

    @Test
    void oneAnsweredSpinResetsTheBackOff() {
        SpinPolicy p = new SpinPolicy();
        for (int i = 0; i < 5; i++) {
            sleepsBeforeTheNextSpin(p);
            p.outcome(false);
        }
        sleepsBeforeTheNextSpin(p);
        p.outcome(true);
        assertEquals(0, p.level());
        assertTrue(p.shouldSpin(), "the wait after an answered spin");
        p.outcome(false);
        assertEquals(1, sleepsBeforeTheNextSpin(p), "a failure after the reset backs off as the first did");
    }

    @Test
    void aPolicyStartedBackedOffSleepsItsFirstWaits() {
        assertEquals(63, sleepsBeforeTheNextSpin(SpinPolicy.backedOff(SpinPolicy.MOST_LEVEL)));
        assertEquals(3, sleepsBeforeTheNextSpin(SpinPolicy.backedOff(2)));
        assertEquals(63, sleepsBeforeTheNextSpin(SpinPolicy.backedOff(99)), "clamped to the longest back-off");
        assertEquals(0, sleepsBeforeTheNextSpin(SpinPolicy.backedOff(-1)), "clamped to none");
    }

    @Test
    void aPolicyProbingAtALevelSpinsFirstAndTheProbeDecides() {
        SpinPolicy answered = SpinPolicy.probingAt(SpinPolicy.MOST_LEVEL);
        assertTrue(answered.shouldSpin(), "the probe");
        answered.outcome(true);
        assertEquals(0, answered.level());
        assertTrue(answered.shouldSpin(), "after an answered probe");

        SpinPolicy unanswered = SpinPolicy.probingAt(3);
        assertTrue(unanswered.shouldSpin(), "the probe");
        unanswered.outcome(false);
        assertEquals(4, unanswered.level());
        assertEquals(15, sleepsBeforeTheNextSpin(unanswered));
        assertEquals(SpinPolicy.MOST_LEVEL, SpinPolicy.probingAt(99).level(), "clamped");
    }
}
