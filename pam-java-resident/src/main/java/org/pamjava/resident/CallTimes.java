package org.pamjava.resident;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long calls took, as counts in fixed log-scale buckets: for the p50 and p99 of {@code
 * pam-java status}. Recording a time is one atomic increment, never a lock, and the memory is
 * fixed ({@link #BUCKETS} counters) however many calls come. A bucket covers one eighth of a
 * power of two (below 8 ns, one nanosecond each), so a percentile read back is its bucket's
 * largest value: never below the true one, and at most 1/8 above it.
 */
final class CallTimes {
    /** Eight buckets per power of two: 2^3. */
    static final int SUB_BITS = 3;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    /** Enough for every non-negative long: the powers 2^3 to 2^62, eight buckets each, and 0-7 ns. */
    static final int BUCKETS = (63 - SUB_BITS) * SUB_BUCKETS + SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** Counts one call of {@code nanos} (a negative time, from a clock step, counts as 0). */
    void record(long nanos) {
        counts.getAndIncrement(bucket(nanos));
    }

    /** The bucket of a time: 0-7 for 0-7 ns, then eight per power of two. */
    static int bucket(long nanos) {
        if (nanos < SUB_BUCKETS) {
            return (int) Math.max(0, nanos);
        }
        int power = 63 - Long.numberOfLeadingZeros(nanos); // 3 to 62
        int sub = (int) (nanos >>> (power - SUB_BITS)) & (SUB_BUCKETS - 1);
        return (power - SUB_BITS + 1) * SUB_BUCKETS + sub;
    }

    /** The largest time in {@code bucket}. */
    static long largest(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int power = bucket / SUB_BUCKETS + SUB_BITS - 1;
        long sub = bucket % SUB_BUCKETS;
        long start = (SUB_BUCKETS + sub) << (power - SUB_BITS);
        long width = 1L << (power - SUB_BITS);
        return start + (width - 1);
    }

    /** The counts now (each read atomically; calls recorded meanwhile may be in or out). */
    long[] counts() {
        long[] copy = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            copy[i] = counts.get(i);
        }
        return copy;
    }

    /** Adds {@code counts} into {@code sum}. */
    static void add(long[] sum, long[] counts) {
        for (int i = 0; i < BUCKETS; i++) {
            sum[i] += counts[i];
        }
    }

    static long total(long[] counts) {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /**
     * The {@code percent}th percentile by nearest rank (the smallest time that at least {@code
     * percent}% of the calls did not exceed), as its bucket's largest value; 0 when there are no calls.
     */
    static long percentile(long[] counts, int percent) {
        long n = total(counts);
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (n * percent + 99) / 100); // ceil(n * percent / 100)
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return largest(i);
            }
        }
        return largest(BUCKETS - 1);
    }
}
