package org.pamjava.resident;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.SyslogRecords;

/**
 * The log records of one connection's call that wait for its application: what the module
 * printed and what pam_java logged about the call, in order. A print only adds to it, and never
 * waits: the application may be stopped (SIGSTOP of one's own setuid su), and a print that wrote
 * to it would hold the module's thread, and, under System.out's lock, every other module's
 * prints with it. The session's thread sends them before the call's next frame to the
 * application (ResidentChannel), so they keep their place between the conversation's messages,
 * and the last are out before the RESULT.
 *
 * <p>Bounded in records and bytes: beyond that a record is dropped and counted, and one record
 * after the kept ones says how many were dropped. Thread-safe (a module's call may print from
 * the thread the session sends from, or from another that runs the call).
 */
final class CallRecords {
    /** The most records that wait at once: a stack trace is up to 62 (Diagnostics.MAX_TRACE_LINES). */
    static final int MAX_RECORDS = 256;
    /** The most bytes of records that wait at once: 64 KiB per connection, 16 MiB for 256 of them. */
    static final int MAX_BYTES = 64 * 1024;

    /** One record, as pam_syslog(3) is to write it. */
    record Entry(int priority, byte[] text) {
        @Override
        public String toString() {
            return "<" + priority + ">" + new String(text, StandardCharsets.UTF_8);
        }
    }

    private final int maxRecords;
    private final int maxBytes;
    private List<Entry> waiting = new ArrayList<>();
    private int bytes;
    private long droppedRecords;
    private long droppedBytes;

    CallRecords() {
        this(MAX_RECORDS, MAX_BYTES);
    }

    /** With other bounds (tests). */
    CallRecords(int maxRecords, int maxBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /** Adds a record, or drops and counts it when the bounds are reached (then false). Never waits. */
    synchronized boolean offer(int priority, byte[] record) {
        if (droppedRecords > 0 || waiting.size() >= maxRecords || bytes + record.length > maxBytes) {
            // Once one is dropped, so is every later one until the next take: the records kept
            // are the first ones, in order, and the note that follows them says what is missing.
            droppedRecords++;
            droppedBytes += record.length;
            return false;
        }
        waiting.add(new Entry(priority, record));
        bytes += record.length;
        return true;
    }

    /** The records waiting, oldest first, then the note of those dropped (if any); none wait after. */
    synchronized List<Entry> take() {
        if (waiting.isEmpty() && droppedRecords == 0) {
            return List.of();
        }
        List<Entry> taken = waiting;
        if (droppedRecords > 0) {
            taken.add(new Entry(Diagnostics.LOG_WARNING, SyslogRecords.of(droppedRecords + " more records ("
                    + droppedBytes + " bytes) of this call were dropped: at most " + maxRecords + " records or "
                    + maxBytes + " bytes wait for the application at once")));
        }
        waiting = new ArrayList<>();
        bytes = 0;
        droppedRecords = 0;
        droppedBytes = 0;
        return taken;
    }
}
