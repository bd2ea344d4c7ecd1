package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Load in one host process: 8 threads x 1,000 transactions without a failure, and long runs whose
 * RSS grows by less than {@value #BOUND} bytes per transaction after the warm-up (a leak of 1 KB per
 * transaction, injected, exceeds it) and whose thread count stays put, for a module with static
 * state (a class loader per handle) and one without (one shared loader).
 * The figures are printed for the record; nothing here is timed.
 */
class LoadTest {
    /**
     * The most RSS may grow per transaction after the warm-up, in bytes. Measured here (JDK 25,
     * Serial GC): 0 with a shared loader; with a loader per handle RSS rises and falls by ~4 MB
     * every ~8,000 transactions as full GCs return memory, under a slow drift of ~50 bytes per
     * transaction that falls back every ~75,000; an injected leak of 1,024 bytes shows as ~1,080.
     */
    static final long BOUND = 256;
    private static final int TRANSACTIONS = 40_000;
    /** Transactions before measuring: the JIT compiles the call path, the heap reaches its working size. */
    private static final int WARM_UP = 8_000;
    private static final int SAMPLE_EVERY = 500;
    private static final Pattern STATS = Pattern.compile("stats (\\w+) rss_kb=(\\d+) threads=(\\d+)");

    /** A service whose auth, account and session rules run {@code module} (a file name and its arguments). */
    private static PamTestBed service(String name, String module) throws Exception {
        String rule = "required " + PamTestBed.PAM_JAVA + " " + PamTestBed.MODULES.resolve(module);
        return Hardening.bed(name).service("svc", "auth " + rule, "account " + rule, "session " + rule);
    }

    @Test
    void eightThreadsTimesAThousandTransactionsWithoutAFailure() throws Exception {
        PamTestBed bed = service("load-threads", "SuiteModule.java case=none out=/dev/null");
        bed.timeoutSeconds = 600;
        Run run = bed.run(Host.C, "svc", List.of("--threads", "8", "--repeat", "1000"), "",
                "auth", "acct", "open", "close", "end");
        assertEquals("nonzero 0", run.lines().get(run.lines().size() - 2), run.lines().toString());
        assertEquals(8, run.lines().stream().filter(l -> l.contains("stats last")).count());
        assertEquals("", run.stderr());
        System.out.println("8 x 1000 transactions: " + run.lines().stream().filter(l -> l.contains("stats last")).findFirst().orElse(""));
    }

    /**
     * Runs {@link #TRANSACTIONS} transactions in one host process and returns how many bytes RSS
     * grew per transaction after the warm-up: the highest RSS of the second half of the measured
     * transactions minus the highest of the first half, over the transactions between the halves.
     * Each half spans two of the rises and falls of a loader per handle, so they cancel out.
     */
    private static long growthPerTransaction(PamTestBed bed, String what) throws Exception {
        bed.timeoutSeconds = 600;
        Run run = bed.run(Host.C, "svc", List.of("--repeat", Integer.toString(TRANSACTIONS), "--stats-every",
                Integer.toString(SAMPLE_EVERY)), "", "auth", "acct", "open", "close", "end");
        assertEquals("nonzero 0", run.lines().get(run.lines().size() - 2), run.lines().toString());
        int half = (TRANSACTIONS - WARM_UP) / 2;
        long firstHalfPeak = 0;
        long secondHalfPeak = 0;
        Set<Long> threads = new TreeSet<>();
        for (String line : run.lines()) {
            Matcher m = STATS.matcher(line);
            if (m.find() && m.group(1).chars().allMatch(Character::isDigit)) {
                int after = Integer.parseInt(m.group(1));
                long rss = Long.parseLong(m.group(2));
                if (after > WARM_UP + half) {
                    secondHalfPeak = Math.max(secondHalfPeak, rss);
                } else if (after > WARM_UP) {
                    firstHalfPeak = Math.max(firstHalfPeak, rss);
                }
                if (after > WARM_UP) {
                    threads.add(Long.parseLong(m.group(3)));
                }
            }
        }
        assertTrue(firstHalfPeak > 0 && secondHalfPeak > 0, "no stats in " + run.lines());
        long growth = (secondHalfPeak - firstHalfPeak) * 1024 / half;
        System.out.printf("%,d transactions, %s: highest RSS %,d kB in transactions %,d-%,d, %,d kB in %,d-%,d:"
                + " %d bytes per transaction; threads %s%n", TRANSACTIONS, what, firstHalfPeak, WARM_UP, WARM_UP + half,
                secondHalfPeak, WARM_UP + half, TRANSACTIONS, growth, threads);
        assertEquals(1, threads.size(), "the thread count changes after the warm-up: " + threads);
        return growth;
    }

    @Test
    void aModuleWithoutStaticStateKeepsItsRssAfterItsWarmUp() throws Exception {
        // One class loader for all handles: nothing may accumulate per transaction or per handle.
        long growth = growthPerTransaction(service("load-shared", "StatelessModule.java"), "shared loader");
        assertTrue(growth < BOUND, "RSS grows by " + growth + " bytes per transaction");
    }

    @Test
    void aModuleWithALoaderPerHandleKeepsItsRssAfterItsWarmUp() throws Exception {
        long growth = growthPerTransaction(service("load-flat", "SuiteModule.java case=none out=/dev/null"), "a loader per handle");
        assertTrue(growth < BOUND, "RSS grows by " + growth + " bytes per transaction");
    }

    /** The bound catches a leak: SuiteModule's "leak" case keeps 1 KB per transaction for good. */
    @Test
    void aLeakOfAKilobytePerTransactionExceedsTheBound() throws Exception {
        // The host's own memory: in-process only (in the resident service the leak is the service's).
        long growth = growthPerTransaction(service("load-leak", "SuiteModule.java case=leak leak=1024 out=/dev/null").inProcess(),
                "a loader per handle, leaking 1 KB per transaction");
        assertTrue(growth > BOUND, "a leak of 1,024 bytes per transaction measured as " + growth);
    }
}
