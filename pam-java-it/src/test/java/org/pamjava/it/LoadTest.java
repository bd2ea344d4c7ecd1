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

    @Test
    void aModuleWithoutStaticStateKeepsRssWithinAMegabyteAfterItsWarmUp() throws Exception {
        // One class loader for all handles: after the warm-up (the JIT compiling the call path,
        // the young generation touched) nothing may accumulate per transaction or per handle.
        String rule = "required " + PamTestBed.PAM_JAVA + " " + PamTestBed.MODULES.resolve("StatelessModule.java");
        PamTestBed bed = Hardening.bed("load-shared").service("svc", "auth " + rule, "account " + rule,
                "session " + rule);
        bed.timeoutSeconds = 600;
        Run run = bed.run(Host.C, "svc", List.of("--repeat", "11000"), "", "auth", "acct", "open", "close", "end");
        assertEquals("nonzero 0", run.lines().get(run.lines().size() - 2), run.lines().toString());
        long[] first = stats(run, "", "first");
        long[] half = stats(run, "", "half");
        long[] last = stats(run, "", "last");
        System.out.printf("11,000 transactions, shared loader: RSS %d kB after the first, %d kB after 5,500, %d kB"
                + " after 11,000; threads %d, %d, %d%n", first[0], half[0], last[0], first[1], half[1], last[1]);
        assertEquals(half[1], last[1], "the thread count grows");
        assertTrue(last[0] - half[0] <= 1024, "RSS grows: " + half[0] + " kB -> " + last[0] + " kB");
    }

    @Test
    void tenThousandTransactionsInOneProcessKeepRssAndThreadsFlat() throws Exception {
        PamTestBed bed = trivialService("load-flat");
        bed.timeoutSeconds = 600;
        Run run = bed.run(Host.C, "svc", List.of("--repeat", "10000"), "", "auth", "acct", "open", "close", "end");
        assertEquals("nonzero 0", run.lines().get(run.lines().size() - 2), run.lines().toString());
        long[] first = stats(run, "", "first");
        long[] half = stats(run, "", "half");
        long[] last = stats(run, "", "last");
        System.out.printf("10,000 transactions: RSS %d kB after the first, %d kB after 5,000, %d kB after 10,000;"
                + " threads %d, %d, %d%n", first[0], half[0], last[0], first[1], half[1], last[1]);
        assertEquals(half[1], last[1], "the thread count grows");
        assertTrue(last[0] <= half[0] * 11 / 10, "RSS grows: " + half[0] + " kB -> " + last[0] + " kB");
    }
}
