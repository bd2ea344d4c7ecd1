package org.pamjava.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * java.util.logging, and so {@code System.Logger} (whose default backend it is), in the JVMs
 * pam_java creates: the in-process JVM pam_java.so starts and the resident service. Named by
 * {@code -Djava.util.logging.config.class} (pam_java.so's jvm_options.c, the resident launcher),
 * LogManager instantiates it at its own initialisation, the first time any code logs: a JVM
 * whose modules never log loads none of java.util.logging. It configures one handler on the root
 * logger, {@link ModuleLogHandler}, which writes each record as syslog() of the call the logging
 * thread runs ({@link CallOutput}), and nothing else: no console handler, no file, no
 * {@code logging.properties} read.
 *
 * <p>The debug convention: the root logger's level is {@code INFO} while no call whose rule has
 * the {@code debug} argument runs, so {@code isLoggable(FINE)} and
 * {@code System.Logger.isLoggable(DEBUG)} are false and a module builds no debug message; while
 * one runs it is {@code ALL} (a JVM-wide level cannot be per call: in the resident service a
 * call without {@code debug} that runs meanwhile gets true too, and its debug records are dropped
 * by the handler).
 *
 * <p>A Java application's own JVM (pam_java.so reusing it, {@code jvmInitialized()} false) never
 * instantiates this class: its logging stays the application's, like its System.out.
 */
public final class ModuleLogging {
    /** The calls with {@code debug} in progress, on every thread. */
    private static final AtomicInteger DEBUG_CALLS = new AtomicInteger();
    /** Held while the root logger's level is set, never while LogManager's own locks are. */
    private static final Object LEVEL_LOCK = new Object();
    /** Whether LogManager took this class as its configuration (then levels follow the calls). */
    private static volatile boolean configured;
    /** Where records go: the JVM's {@link CallOutput}, set by the host before any module loads. */
    private static volatile SyslogOutput.Sink output;

    /**
     * LogManager's configuration: the root logger with {@link ModuleLogHandler} as its only
     * handler, at the level the calls in progress ask for.
     *
     * @throws IOException never in practice (the configuration is read from memory)
     */
    public ModuleLogging() throws IOException {
        // First the flag, then the count: a call that started before the flag was set is in the
        // count read here; one that starts after it sets the level itself (debugCallStarts).
        configured = true;
        String config = "handlers=" + ModuleLogHandler.class.getName() + "\n.level=" + rootLevel().getName() + "\n";
        LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(config.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Sends this JVM's log records to {@code callOutput} (the sink its System.out and System.err use). */
    public static void route(SyslogOutput.Sink callOutput) {
        output = callOutput;
    }

    /** Where records go, or null before the host routed them. */
    static SyslogOutput.Sink output() {
        return output;
    }

    /** A call with the {@code debug} argument starts on this thread ({@link ModuleInvoker}). */
    static void debugCallStarts() {
        DEBUG_CALLS.incrementAndGet();
        applyRootLevel();
    }

    /** A call with the {@code debug} argument ended on this thread. */
    static void debugCallEnds() {
        DEBUG_CALLS.decrementAndGet();
        applyRootLevel();
    }

    private static Level rootLevel() {
        return DEBUG_CALLS.get() > 0 ? Level.ALL : Level.INFO;
    }

    /**
     * The level for the count as it is now. Each change of the count is followed by a setting
     * made under the lock that reads the count then, so the last setting is the latest count's.
     */
    private static void applyRootLevel() {
        if (!configured) {
            return; // LogManager not started (or not ours): nothing to set, nothing to load
        }
        synchronized (LEVEL_LOCK) {
            Logger.getLogger("").setLevel(rootLevel());
        }
    }
}
