package org.pamjava.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.pamjava.Syslog;
import org.pamjava.runtime.JulRecords;
import org.pamjava.stack.CallLog;
import org.pamjava.stack.ModuleType;
import org.pamjava.stack.PamConfig;
import org.pamjava.stack.PamRule;

/**
 * What the test kit captures of a module's logging besides {@code PamHandle.syslog}, as pam_java
 * writes it to syslog: {@code java.util.logging} and {@code System.Logger} records (a handler
 * added to the root logger) and {@code System.out} / {@code System.err} lines (streams that pass
 * everything on to the test's own and copy the lines printed on a thread running a module call),
 * each kept in the transaction through {@link CallLog#toCurrentCall}. The test JVM's logging
 * stays the test's: its handlers and streams still get everything.
 *
 * <p>The root logger's level during an operation: {@code ALL} when a rule of the stack has the
 * {@code debug} argument (the engine keeps debug records only from such rules), else at most
 * {@code INFO}, so a module's {@code isLoggable(DEBUG)} is false, as in pam_java's JVMs; the
 * test's level is put back after the operation.
 */
final class CapturedLogging {
    private static Handler handler;
    private static PrintStream out;
    private static PrintStream err;
    private static int operations;
    private static Level levelBefore;

    private CapturedLogging() {}

    /**
     * Adds the capture, or adds it again where the test JVM replaced it (a LogManager reset, a
     * System.setOut). Before any module is made: LogManager is then initialised, so a
     * {@code System.Logger} a module gets is backed by JUL, not by the JDK's bootstrap console logger.
     */
    static synchronized void install() {
        Logger root = Logger.getLogger("");
        if (handler == null) {
            handler = new EngineLogHandler();
        }
        if (!List.of(root.getHandlers()).contains(handler)) {
            root.addHandler(handler);
        }
        if (System.out != out) {
            out = new PrintStream(new ModuleLines(System.out, Syslog.LOG_INFO), true, StandardCharsets.UTF_8);
            System.setOut(out);
        }
        if (System.err != err) {
            err = new PrintStream(new ModuleLines(System.err, Syslog.LOG_ERR), true, StandardCharsets.UTF_8);
            System.setErr(err);
        }
    }

    /** An operation of a transaction on {@code config} starts: the root level for it. */
    static synchronized void operationStarts(PamConfig config) {
        if (operations++ > 0) {
            return;
        }
        Logger root = Logger.getLogger("");
        levelBefore = root.getLevel();
        if (hasDebugRule(config)) {
            root.setLevel(Level.ALL);
        } else if (levelBefore == null || levelBefore.intValue() > Level.INFO.intValue()) {
            root.setLevel(Level.INFO);
        }
    }

    /** The operation ended: the test's own root level again. */
    static synchronized void operationEnds() {
        if (--operations == 0) {
            Logger.getLogger("").setLevel(levelBefore);
        }
    }

    private static boolean hasDebugRule(PamConfig config) {
        for (ModuleType type : ModuleType.values()) {
            for (PamRule rule : config.rules(type)) {
                if (rule.args().contains("debug")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** JUL records (System.Logger's too) of a module call, as pam_java's ModuleLogHandler writes them. */
    private static final class EngineLogHandler extends Handler {
        EngineLogHandler() {
            setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            if (record == null || !CallLog.inCall()) {
                return;
            }
            int level = JulRecords.priority(record.getLevel());
            for (String message : JulRecords.messages(record)) {
                CallLog.toCurrentCall(level, message);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /**
     * A stream that passes everything on, and keeps what a module call's thread prints as pam_java's
     * SyslogOutput does: a message is what the thread wrote up to a flush that ends a line (one
     * {@code println}, newlines inside it included), its terminator not part of it, an empty one
     * none.
     */
    private static final class ModuleLines extends OutputStream {
        private final PrintStream through;
        private final int level;
        private final ThreadLocal<ByteArrayOutputStream> messages = ThreadLocal.withInitial(ByteArrayOutputStream::new);

        ModuleLines(PrintStream through, int level) {
            this.through = through;
            this.level = level;
        }

        @Override
        public void write(int b) {
            through.write(b);
            if (CallLog.inCall()) {
                messages.get().write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            through.write(b, off, len);
            if (CallLog.inCall()) {
                messages.get().write(b, off, len);
            }
        }

        @Override
        public void flush() {
            through.flush();
            ByteArrayOutputStream message = messages.get();
            String text = message.toString(StandardCharsets.UTF_8);
            if (!text.endsWith("\n")) {
                return;
            }
            message.reset();
            text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
            if (!text.isEmpty()) {
                CallLog.toCurrentCall(level, text);
            }
        }
    }
}
