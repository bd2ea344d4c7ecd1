package org.pamjava.runtime;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The root logger's handler in a JVM pam_java created ({@link ModuleLogging}): each record as the
 * call's syslog records ({@link JulRecords}: the level mapped, the formatted message, a thrown
 * exception's trace one record per line), through the JVM's {@link CallOutput}: the call's
 * application's pam_syslog(3) on a thread that runs a module call, where output outside calls
 * goes otherwise. A LOG_DEBUG record is written only on a thread whose call's rule has the
 * {@code debug} argument (none outside calls). Instantiated by LogManager by name, so public.
 */
public final class ModuleLogHandler extends Handler {
    /** Takes every record: the levels are the loggers' (and {@link ModuleLogging}'s root level). */
    public ModuleLogHandler() {
        setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord record) {
        SyslogOutput.Sink sink = ModuleLogging.output();
        if (record == null || sink == null) {
            return;
        }
        int priority = JulRecords.priority(record.getLevel());
        if (priority == JulRecords.LOG_DEBUG && !ModuleInvoker.thisThreadsCallHasDebug(null)) {
            return;
        }
        try {
            List<String> messages = JulRecords.messages(record);
            for (int i = 0; i < messages.size(); i++) {
                sink.send(priority, SyslogRecords.of(messages.get(i)));
            }
        } catch (RuntimeException e) {
            // A record that cannot be written must not fail the module's call that logged it.
        }
    }

    /** Records are sent as they are published: nothing waits. */
    @Override
    public void flush() {}

    /** Nothing to release. */
    @Override
    public void close() {}
}
