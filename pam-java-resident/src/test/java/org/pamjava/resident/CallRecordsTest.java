package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.pamjava.runtime.Diagnostics;

/**
 * A call's log queue: records in order, bounded in records and in bytes, what is dropped counted
 * and told in one record after the kept ones, and a print never waits, however many print at once.
 */
class CallRecordsTest {
    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<CallRecords.Entry> entries) {
        return entries.stream().map(CallRecords.Entry::toString).toList();
    }

    @Test
    void recordsComeOutInOrderAndOnlyOnce() {
        CallRecords records = new CallRecords();
        assertTrue(records.offer(Diagnostics.LOG_INFO, text("first")));
        assertTrue(records.offer(Diagnostics.LOG_ERR, text("second")));
        assertEquals(List.of("<6>first", "<3>second"), texts(records.take()));
        assertEquals(List.of(), records.take());
        assertTrue(records.offer(Diagnostics.LOG_INFO, text("third")));
        assertEquals(List.of("<6>third"), texts(records.take()));
    }

    @Test
    void beyondItsRecordsTheRestIsDroppedAndToldInOneRecordAfterTheKeptOnes() {
        CallRecords records = new CallRecords(3, 1000);
        for (int i = 1; i <= 10; i++) {
            assertEquals(i <= 3, records.offer(Diagnostics.LOG_INFO, text("line " + i)), "line " + i);
        }
        List<String> out = texts(records.take());
        assertEquals(List.of("<6>line 1", "<6>line 2", "<6>line 3", "<4>7 more records (43 bytes) of this call were"
                + " dropped: at most 3 records or 1000 bytes wait for the application at once"), out);
        assertTrue(records.offer(Diagnostics.LOG_INFO, text("after")), "room again once taken");
        assertEquals(List.of("<6>after"), texts(records.take()), "the count starts again");
    }

    @Test
    void beyondItsBytesTheRestIsDroppedEvenRecordsThatWouldFit() {
        CallRecords records = new CallRecords(100, 10);
        assertTrue(records.offer(Diagnostics.LOG_INFO, text("12345678")));
        assertFalse(records.offer(Diagnostics.LOG_INFO, text("123")), "over the bytes");
        assertFalse(records.offer(Diagnostics.LOG_INFO, text("1")), "after a drop, nothing until taken: order is kept");
        List<String> out = texts(records.take());
        assertEquals(2, out.size(), out.toString());
        assertEquals("<6>12345678", out.get(0));
        assertTrue(out.get(1).startsWith("<4>2 more records (4 bytes) of this call were dropped"), out.get(1));
    }

    @Test
    void theBoundsHoldWhileManyThreadsPrintAndOneTakes() throws Exception {
        CallRecords records = new CallRecords(CallRecords.MAX_RECORDS, CallRecords.MAX_BYTES);
        int threads = 8;
        int each = 20_000;
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> printers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread printer = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    records.offer(Diagnostics.LOG_INFO, text("x".repeat(i % 300)));
                }
                done.countDown();
            });
            printers.add(printer);
            printer.start();
        }
        long[] taken = {0};
        long[] told = {0};
        while (done.getCount() > 0) {
            takeAndCount(records, taken, told);
        }
        for (Thread printer : printers) {
            printer.join();
        }
        takeAndCount(records, taken, told); // what came after the last take while they ended
        assertEquals((long) threads * each, taken[0] + told[0], "every record kept or counted as dropped");
    }

    /** Takes what waits, checks the bounds held, and counts the records kept and those told dropped. */
    private static void takeAndCount(CallRecords records, long[] taken, long[] told) {
        List<CallRecords.Entry> batch = records.take();
        int bytes = 0;
        for (CallRecords.Entry e : batch) {
            String s = new String(e.text(), StandardCharsets.UTF_8);
            if (e.priority() == Diagnostics.LOG_WARNING) {
                told[0] += Long.parseLong(s.substring(0, s.indexOf(' ')));
            } else {
                taken[0]++;
                bytes += e.text().length;
            }
        }
        assertTrue(batch.size() <= CallRecords.MAX_RECORDS + 1, batch.size() + " records at once");
        assertTrue(bytes <= CallRecords.MAX_BYTES, bytes + " bytes at once");
    }
}
