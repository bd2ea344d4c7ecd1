package org.pamjava.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A java.util.logging record as syslog records: its level mapped to a syslog(3) level
 * ({@code SEVERE} LOG_ERR, {@code WARNING} LOG_WARNING, {@code INFO} LOG_INFO, {@code CONFIG}
 * and finer LOG_DEBUG; {@code System.Logger}'s ERROR, WARNING, INFO, DEBUG and TRACE arrive as
 * SEVERE, WARNING, INFO, FINE and FINER), and its text: the logger's formatted message
 * (parameters applied, resource bundle looked up), then a thrown exception's trace as
 * {@link Diagnostics#logFailure} writes one, a message per printed line. None of JUL's two-line
 * console format (time, source): syslog stamps records itself.
 */
public final class JulRecords {
    /** syslog(3)'s LOG_DEBUG. */
    public static final int LOG_DEBUG = 7;

    private static final Formatter MESSAGE = new MessageOnly();

    private JulRecords() {}

    /** The syslog level of a JUL level: by its value, so custom levels fall between the standard ones. */
    public static int priority(Level level) {
        int value = level == null ? Level.INFO.intValue() : level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return Diagnostics.LOG_ERR;
        }
        if (value >= Level.WARNING.intValue()) {
            return Diagnostics.LOG_WARNING;
        }
        if (value >= Level.INFO.intValue()) {
            return Diagnostics.LOG_INFO;
        }
        return LOG_DEBUG;
    }

    /**
     * The messages of {@code record}, each one syslog record: the formatted message (left out
     * when empty and an exception is there), then the exception's trace lines.
     */
    public static List<String> messages(LogRecord record) {
        String message = MESSAGE.formatMessage(record);
        Throwable thrown = record.getThrown();
        List<String> messages = new ArrayList<>();
        if (thrown == null) {
            messages.add(message == null ? "null" : message);
            return messages;
        }
        Collected trace = new Collected(messages);
        trace.logFailure(message == null ? "" : message, thrown);
        if (messages.get(0).isEmpty()) {
            messages.remove(0);
        }
        return messages;
    }

    /** Formatter's message formatting, without any layout of its own. */
    private static final class MessageOnly extends Formatter {
        @Override
        public String format(LogRecord record) {
            return formatMessage(record);
        }
    }

    /** The lines {@link Diagnostics#logFailure} writes, collected (their level is the record's). */
    private static final class Collected implements Diagnostics {
        private final List<String> lines;

        Collected(List<String> lines) {
            this.lines = lines;
        }

        @Override
        public void log(int priority, String message) {
            lines.add(message);
        }
    }
}
