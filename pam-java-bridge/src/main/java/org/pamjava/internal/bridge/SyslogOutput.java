package org.pamjava.internal.bridge;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/** System.out and System.err of a JVM pam_java created: each line goes to syslog, not the terminal. */
final class SyslogOutput extends OutputStream {
    private static final int MAX_LINE = 1024;

    private final int priority;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    SyslogOutput(int priority) {
        this.priority = priority;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n' || line.size() >= MAX_LINE) {
            flushLine();
            if (b == '\n') {
                return;
            }
        }
        line.write(b);
    }

    @Override
    public synchronized void flush() {
        flushLine();
    }

    private void flushLine() {
        if (line.size() > 0) {
            LibPam.log(0, priority, line.toByteArray());
            line.reset();
        }
    }
}
