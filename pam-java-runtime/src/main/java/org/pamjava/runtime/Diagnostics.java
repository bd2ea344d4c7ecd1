package org.pamjava.runtime;

import java.util.List;

/** Where the runtime reports what went wrong: syslog in the native module, a list in tests. */
@FunctionalInterface
public interface Diagnostics {
    int LOG_CRIT = 2;
    int LOG_ERR = 3;
    int LOG_WARNING = 4;
    int LOG_NOTICE = 5;
    int LOG_INFO = 6;

    /** A long trace is cut to this many lines (each its own record). */
    int MAX_TRACE_LINES = 60;

    /**
     * Logs one message at a syslog(3) priority. A message is one record whatever it holds: the
     * implementations that write to syslog or the journal escape its control characters, so a
     * newline in it (from a user name, say) cannot start a record of its own.
     */
    void log(int priority, String message);

    /**
     * Logs {@code what}, then the stack trace of {@code failure}, one message per line the trace
     * prints: per println, so a newline inside an exception's message stays in its line's message.
     */
    default void logFailure(String what, Throwable failure) {
        log(LOG_ERR, what);
        List<String> lines = TraceLines.of(failure);
        for (int i = 0; i < lines.size() && i < MAX_TRACE_LINES; i++) {
            log(LOG_ERR, lines.get(i).replace("\t", "    "));
        }
        if (lines.size() > MAX_TRACE_LINES) {
            log(LOG_ERR, "    ... " + (lines.size() - MAX_TRACE_LINES) + " more lines");
        }
    }
}
