package org.pamjava.internal.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Where the runtime reports what went wrong: syslog in the native module, a list in tests. */
@FunctionalInterface
public interface Diagnostics {
    int LOG_CRIT = 2;
    int LOG_ERR = 3;
    int LOG_WARNING = 4;
    int LOG_NOTICE = 5;
    int LOG_INFO = 6;

    /** Most syslog daemons keep one line per message; a long trace is cut to this many lines. */
    int MAX_TRACE_LINES = 60;

    /** Logs one message at a syslog(3) priority. */
    void log(int priority, String message);

    /** Logs {@code what}, then the stack trace of {@code failure}, one line per message. */
    default void logFailure(String what, Throwable failure) {
        log(LOG_ERR, what);
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        String[] lines = trace.toString().split("\n");
        for (int i = 0; i < lines.length && i < MAX_TRACE_LINES; i++) {
            log(LOG_ERR, lines[i].replace("\t", "    "));
        }
        if (lines.length > MAX_TRACE_LINES) {
            log(LOG_ERR, "    ... " + (lines.length - MAX_TRACE_LINES) + " more lines");
        }
    }
}
