package org.pamjava.runtime;

import java.io.OutputStream;

/**
 * System.out or System.err of a JVM pam_java runs modules in: what a module prints goes to syslog
 * (or the resident service's journal), not to the user's terminal.
 *
 * <p>A message is what one thread wrote up to a flush that ends a line: with an auto-flushing
 * PrintStream, one {@code println}, or several {@code print}s finished by a newline. It becomes
 * one record ({@link SyslogRecords}): a newline inside it (a user name such as
 * {@code "bob\nsshd[1]: Accepted password for root"}) is escaped, never the start of a record, and
 * a message longer than the record's maximum is cut with a marker, the rest dropped until the
 * message ends. A stack trace printed with {@code printStackTrace} is one record per line, as
 * Throwable prints each line with a println of its own; an exception's message stays whole in
 * its line's record.
 *
 * <p>Each thread's message is its own, and its record is sent on that thread: in the resident
 * service, threads of different applications' calls print at once, and a {@code print} of one
 * must never end up in a record, and so the syslog, of another ({@link CallOutput} routes by
 * thread).
 */
public final class SyslogOutput extends OutputStream {
    /** Where records go: pam_java.so's syslog, or the service's journal. */
    public interface Sink {
        void send(int priority, byte[] record);
    }

    private final int priority;
    private final Sink sink;
    private final ThreadLocal<Message> messages = new ThreadLocal<>();

    public SyslogOutput(int priority, Sink sink) {
        this.priority = priority;
        this.sink = sink;
    }

    /** The message a thread is writing: its start, and beyond that only a count. */
    private static final class Message {
        final byte[] start = new byte[SyslogRecords.MAX_BYTES];
        int kept;
        long total;
        int last = -1;
        int beforeLast = -1;
    }

    private Message message() {
        Message m = messages.get();
        if (m == null) {
            m = new Message();
            messages.set(m);
        }
        return m;
    }

    @Override
    public void write(int b) {
        Message m = message();
        if (m.kept < m.start.length) {
            m.start[m.kept++] = (byte) b;
        }
        m.total++;
        m.beforeLast = m.last;
        m.last = b & 0xFF;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        Message m = message();
        int room = Math.min(len, m.start.length - m.kept);
        System.arraycopy(b, off, m.start, m.kept, room);
        m.kept += room;
        m.total += len;
        if (len > 0) {
            m.beforeLast = len > 1 ? b[off + len - 2] & 0xFF : m.last;
            m.last = b[off + len - 1] & 0xFF;
        }
    }

    /** Sends this thread's message if it ends a line (a PrintStream flushes after every print, too). */
    @Override
    public void flush() {
        Message m = messages.get();
        if (m == null || m.last != '\n') {
            return;
        }
        // The line's terminator ends the record; it is not part of the message.
        long length = m.total - (m.beforeLast == '\r' ? 2 : 1);
        int kept = (int) Math.min(m.kept, length);
        m.kept = 0;
        m.total = 0;
        m.last = -1;
        m.beforeLast = -1;
        if (length > 0) {
            sink.send(priority, SyslogRecords.of(m.start, kept, length));
        }
    }
}
