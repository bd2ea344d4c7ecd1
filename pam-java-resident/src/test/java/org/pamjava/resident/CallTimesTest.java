package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The call-time buckets behind pam-java status's p50 and p99: exact bounds, the 1/8 promise, no lost counts. */
class CallTimesTest {
    @Test
    void theBucketsCoverEveryTimeWithoutGapsOrOverlapsEachAtMostAnEighthWide() {
        assertEquals(0, CallTimes.bucket(0));
        assertEquals(0, CallTimes.bucket(-5), "a clock step backwards counts as 0");
        long start = 0;
        for (int i = 0; i < CallTimes.BUCKETS; i++) {
            long largest = CallTimes.largest(i);
            assertEquals(i, CallTimes.bucket(start), "first time of bucket " + i);
            assertEquals(i, CallTimes.bucket(largest), "last time of bucket " + i);
            assertTrue(largest >= start, "bucket " + i);
            if (start >= 8) {
                assertTrue((largest - start + 1) * 8 <= start, "bucket " + i + " from " + start + " to " + largest
                        + " is wider than 1/8 of its start");
            }
            if (i + 1 < CallTimes.BUCKETS) {
                assertEquals(i + 1, CallTimes.bucket(largest + 1), "the time after bucket " + i);
            }
            start = largest + 1;
        }
        assertEquals(Long.MAX_VALUE, CallTimes.largest(CallTimes.BUCKETS - 1));
        assertEquals(CallTimes.BUCKETS - 1, CallTimes.bucket(Long.MAX_VALUE));
    }

    @Test
    void percentilesAreNeverBelowTheTrueOneAndAtMostAnEighthAbove() {
        CallTimes times = new CallTimes();
        // 1 to 1000 microseconds, once each: the true p50 is 500 us, the true p99 990 us.
        for (long us = 1000; us >= 1; us--) {
            times.record(us * 1000);
        }
        long[] counts = times.counts();
        assertEquals(1000, CallTimes.total(counts));
        long p50 = CallTimes.percentile(counts, 50);
        long p99 = CallTimes.percentile(counts, 99);
        assertTrue(p50 >= 500_000 && p50 <= 500_000 * 9 / 8, "p50 " + p50);
        assertTrue(p99 >= 990_000 && p99 <= 990_000 * 9 / 8, "p99 " + p99);
        assertEquals(CallTimes.largest(CallTimes.bucket(1_000_000)), CallTimes.percentile(counts, 100));
    }

    @Test
    void aFewSlowCallsMoveTheP99AndNotTheP50() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < 980; i++) {
            times.record(200_000); // 200 us
        }
        for (int i = 0; i < 20; i++) {
            times.record(2_000_000_000L); // 2 s: a module compiled at its first call, say
        }
        long[] counts = times.counts();
        assertEquals(CallTimes.largest(CallTimes.bucket(200_000)), CallTimes.percentile(counts, 50));
        assertEquals(CallTimes.largest(CallTimes.bucket(2_000_000_000L)), CallTimes.percentile(counts, 99));
    }

    @Test
    void noCallsHaveNoPercentiles() {
        long[] counts = new CallTimes().counts();
        assertEquals(0, CallTimes.percentile(counts, 50));
        assertEquals(0, CallTimes.percentile(counts, 99));
    }

    @Test
    void callsRecordedFromManyThreadsAtOnceAreAllCounted() throws Exception {
        CallTimes times = new CallTimes();
        int threads = 8;
        int each = 100_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long nanos = 1_000L << t; // a bucket per thread, and one shared by all below
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    times.record(nanos);
                    times.record(5);
                }
            });
            thread.start();
            running.add(thread);
        }
        go.countDown();
        for (Thread thread : running) {
            thread.join();
        }
        long[] counts = times.counts();
        assertEquals(2L * threads * each, CallTimes.total(counts));
        assertEquals((long) threads * each, counts[5], "the bucket every thread hit");
        for (int t = 0; t < threads; t++) {
            assertEquals(each, counts[CallTimes.bucket(1_000L << t)], "thread " + t + "'s bucket");
        }
    }
}
