package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Load in one host process: 8 threads x 1,000 transactions without a failure, and long runs with
 * a flat RSS and thread count (a leak per transaction or per handle would show), for a module with
 * static state (a class loader per handle) and one without (one shared loader).
 * The figures are printed for the record; nothing here is timed.
 */
class LoadTest {
    private static final Pattern STATS = Pattern.compile("stats (\\w+) rss_kb=(\\d+) threads=(\\d+)");

    private static PamTestBed trivialService(String name) throws Exception {
        String rule = "required " + PamTestBed.PAM_JAVA + " " + PamTestBed.MODULES.resolve("SuiteModule.java") + " case=none";
        return Hardening.bed(name).service("svc", "auth " + rule + " out=/dev/null", "account " + rule + " out=/dev/null",
                "session " + rule + " out=/dev/null");
    }

    private static long[] stats(Run run, String prefix, String when) {
        for (String line : run.lines()) {
            Matcher m = STATS.matcher(line);
            if (line.startsWith(prefix) && m.find() && m.group(1).equals(when)) {
                return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
            }
        }
        throw new AssertionError("no " + when + " stats in " + run.lines());
    }

    @Test
    void eightThreadsTimesAThousandTransactionsWithoutAFailure() throws Exception {
        PamTestBed bed = trivialService("load-threads");
        bed.timeoutSeconds = 600;
        Run run = bed.run(Host.C, "svc", List.of("--threads", "8", "--repeat", "1000"), "",
                "auth", "acct", "open", "close", "end");
        assertEquals("nonzero 0", run.lines().get(run.lines().size() - 2), run.lines().toString());
        assertEquals(8, run.lines().stream().filter(l -> l.contains("stats last")).count());
        assertEquals("", run.stderr());
        System.out.println("8 x 1000 transactions: " + run.lines().stream().filter(l -> l.contains("stats last")).findFirst().orElse(""));
    }

    /** RSS (kB) and threads after the first, the middle and the last of {@code n} transactions in one process. */
    private record Footprint(long[] first, long[] half, long[] last) {
        static Footprint of(PamTestBed bed, int n, String what) throws Exception {
            bed.timeoutSeconds = 600;
            Run run = bed.run(Host.C, "svc", List.of("--repeat", Integer.toString(n)), "",
                    "auth", "acct", "open", "close", "end");
            assertEquals("nonzero 0", run.lines().get(run.lines().size() - 2), run.lines().toString());
            Footprint f = new Footprint(stats(run, "", "first"), stats(run, "", "half"), stats(run, "", "last"));
            System.out.printf("%,d transactions, %s: RSS %d kB after the first, %d kB after %,d, %d kB after %,d;"
                    + " threads %d, %d, %d%n", n, what, f.first[0], f.half[0], n / 2, f.last[0], n, f.first[1],
                    f.half[1], f.last[1]);
            assertEquals(f.half[1], f.last[1], "the thread count grows");
            return f;
        }
    }

    @Test
    void aModuleWithoutStaticStateKeepsRssWithinAMegabyteAfterItsWarmUp() throws Exception {
        // One class loader for all handles: after the warm-up (the JIT compiling the call path,
        // the young generation touched) nothing may accumulate per transaction or per handle.
        String rule = "required " + PamTestBed.PAM_JAVA + " " + PamTestBed.MODULES.resolve("StatelessModule.java");
        PamTestBed bed = Hardening.bed("load-shared").service("svc", "auth " + rule, "account " + rule,
                "session " + rule);
        Footprint f = Footprint.of(bed, 11_000, "shared loader");
        assertTrue(f.last[0] - f.half[0] <= 1024, "RSS grows: " + f.half[0] + " kB -> " + f.last[0] + " kB");
    }

    @Test
    void tenThousandTransactionsInOneProcessKeepRssAndThreadsFlat() throws Exception {
        Footprint f = Footprint.of(trivialService("load-flat"), 10_000, "a loader per handle");
        assertTrue(f.last[0] <= f.half[0] * 11 / 10, "RSS grows: " + f.half[0] + " kB -> " + f.last[0] + " kB");
    }
}
