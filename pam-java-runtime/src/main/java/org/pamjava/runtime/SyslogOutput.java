package org.pamjava.runtime;

import java.io.OutputStream;

/**
 * System.out or System.err of a JVM pam_java runs modules in: what a module prints goes to syslog
 * (or the resident service's journal), not to the user's terminal.
 *
 * <p>A message is what was written up to a flush that ends a line: with an auto-flushing
 * PrintStream, one {@code println}, or several {@code print}s finished by a newline. It becomes
 * one record ({@link SyslogRecords}): a newline inside it (a user name such as
 * {@code "bob\nsshd[1]: Accepted password for root"}) is escaped, never the start of a record, and
 * a message longer than the record's maximum is cut with a marker, the rest dropped until the
 * message ends. A stack trace printed with {@code printStackTrace} is one record per line, as
 * Throwable prints each line with a println of its own; an exception's message stays whole in
 * its line's record.
 */
public final class SyslogOutput extends OutputStream {
    /** Where records go: pam_java.so's syslog, or the service's journal. */
    public interface Sink {
        void send(int priority, byte[] record);
    }

    private final int priority;
    private final Sink sink;
    /** The start of the message being written; beyond it only a count is kept. */
    private final byte[] message = new byte[SyslogRecords.MAX_BYTES];
    private int kept;
    private long total;
    private int last = -1;
    private int beforeLast = -1;

    public SyslogOutput(int priority, Sink sink) {
        this.priority = priority;
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        if (kept < message.length) {
            message[kept++] = (byte) b;
        }
        total++;
        beforeLast = last;
        last = b & 0xFF;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int room = Math.min(len, message.length - kept);
        System.arraycopy(b, off, message, kept, room);
        kept += room;
        total += len;
        if (len > 0) {
            beforeLast = len > 1 ? b[off + len - 2] & 0xFF : last;
            last = b[off + len - 1] & 0xFF;
        }
    }

    /** Sends the message if it ends a line (a PrintStream flushes after every print, too). */
    @Override
    public synchronized void flush() {
        if (last != '\n') {
            return;
        }
        // The line's terminator ends the record; it is not part of the message.
        long length = total - (beforeLast == '\r' ? 2 : 1);
        if (length > 0) {
            sink.send(priority, SyslogRecords.of(message, (int) Math.min(kept, length), length));
        }
        kept = 0;
        total = 0;
        last = -1;
        beforeLast = -1;
    }
}
