package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;
import org.pamjava.Syslog;

/**
 * PamHandle.syslog and the JUL handler of pam_java's JVMs: one record per message at its level on
 * the call's handle, control characters escaped, LOG_DEBUG only in a call whose rule has
 * {@code debug}, a level outside 0..7 refused; JUL levels mapped, messages formatted, a thrown
 * exception's trace a record per line, a record outside calls where prints outside calls go.
 */
class ModuleLoggingTest {
    private static final Diagnostics QUIET = (priority, message) -> {};

    /** The application's side of one handle: what reached its pam_syslog; nothing else answers. */
    private static final class Application extends SyslogOnlyApplication {}

    /** A module whose authenticate runs {@code body} with its handle. */
    private static PamModule module(java.util.function.Consumer<PamHandle> body) {
        return new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                body.accept(pamh);
                return PamConstants.PAM_SUCCESS;
            }
        };
    }

    private static void call(PamModule module, LibPamHandle handle, String... ruleArgs) {
        List<String> args = new java.util.ArrayList<>(List.of("M.java"));
        args.addAll(List.of(ruleArgs));
        assertEquals(PamConstants.PAM_SUCCESS, ModuleInvoker.invoke(module, "M.java", PamOperation.AUTHENTICATE,
                handle, 0, List.copyOf(args), QUIET));
    }

    @AfterEach
    void noRoute() {
        ModuleLogging.route(null);
    }

    @Test
    void syslogWritesOneEscapedRecordAtItsLevelAndDebugOnlyWithTheDebugArgument() {
        PamModule m = module(pamh -> {
            pamh.syslog(Syslog.LOG_ERR, "an error");
            pamh.syslog(Syslog.LOG_NOTICE, "user bob\nsshd[1]: Accepted password for root");
            pamh.syslog(Syslog.LOG_DEBUG, "some detail");
        });
        Application app = new Application();
        call(m, new LibPamHandle(41, "1.5.2", app));
        call(m, new LibPamHandle(42, "1.5.2", app), "debug");
        call(m, new LibPamHandle(43, "1.5.2", app), "nodebug", "debug=1");
        assertEquals(List.of("41 3 an error", "41 5 user bob#012sshd[1]: Accepted password for root",
                "42 3 an error", "42 5 user bob#012sshd[1]: Accepted password for root", "42 7 some detail",
                "43 3 an error", "43 5 user bob#012sshd[1]: Accepted password for root"), app.syslog);
    }

    @Test
    void aLevelThatIsNoSyslogLevelIsRefused() {
        LibPamHandle handle = new LibPamHandle(41, "1.5.2", new Application());
        assertThrows(IllegalArgumentException.class, () -> handle.syslog(8, "x"));
        assertThrows(IllegalArgumentException.class, () -> handle.syslog(-1, "x"));
        assertThrows(NullPointerException.class, () -> handle.syslog(Syslog.LOG_INFO, null));
    }

    @Test
    void debugOutsideTheCallsThreadOrInTheEndHookIsDropped() throws Exception {
        Application app = new Application();
        LibPamHandle handle = new LibPamHandle(41, "1.5.2", app);
        PamModule m = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                Thread own = new Thread(() -> {
                    pamh.syslog(Syslog.LOG_DEBUG, "own thread debug");
                    pamh.syslog(Syslog.LOG_INFO, "own thread info");
                });
                own.start();
                try {
                    own.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return PamConstants.PAM_SUCCESS;
            }

            @Override
            public void end(PamHandle pamh) {
                pamh.syslog(Syslog.LOG_DEBUG, "end debug");
                pamh.syslog(Syslog.LOG_INFO, "end info");
            }
        };
        call(m, handle, "debug");
        ModuleInvoker.end(m, "M.java", handle, QUIET);
        assertEquals(List.of("41 6 own thread info", "41 6 end info"), app.syslog);
    }

    @Test
    void julLevelsMapToSyslogLevelsAsSystemLoggersArrive() {
        assertEquals(3, JulRecords.priority(Level.SEVERE));
        assertEquals(4, JulRecords.priority(Level.WARNING));
        assertEquals(6, JulRecords.priority(Level.INFO));
        assertEquals(7, JulRecords.priority(Level.CONFIG));
        assertEquals(7, JulRecords.priority(Level.FINE));
        assertEquals(7, JulRecords.priority(Level.FINER));
        assertEquals(7, JulRecords.priority(Level.FINEST));
        assertEquals(4, JulRecords.priority(Level.parse("950")), "a custom level between WARNING and SEVERE");
    }

    @Test
    void aRecordIsItsFormattedMessageThenItsExceptionsTraceLineByLine() {
        LogRecord r = new LogRecord(Level.WARNING, "lookup of {0} failed after {1} tries");
        r.setParameters(new Object[] {"bob", 3});
        assertEquals(List.of("lookup of bob failed after 3 tries"), JulRecords.messages(r));
        LogRecord thrown = new LogRecord(Level.SEVERE, "cannot reach the server");
        thrown.setThrown(new IllegalStateException("refused\nsecond line"));
        List<String> messages = JulRecords.messages(thrown);
        assertEquals("cannot reach the server", messages.get(0));
        assertEquals("java.lang.IllegalStateException: refused\nsecond line", messages.get(1), "one record: escaped when sent");
        assertEquals("    at org.pamjava.runtime.ModuleLoggingTest.aRecordIsItsFormattedMessageThenItsExceptionsTraceLineByLine",
                messages.get(2).replaceFirst("\\(.*", ""));
        LogRecord only = new LogRecord(Level.SEVERE, null);
        only.setThrown(new IllegalStateException("alone"));
        assertEquals("java.lang.IllegalStateException: alone", JulRecords.messages(only).get(0));
    }

    @Test
    void theHandlerWritesToTheCallsHandleAndOutsideCallsWhereOutsidePrintsGo() {
        List<String> outside = new CopyOnWriteArrayList<>();
        ModuleLogging.route(new CallOutput((priority, record) -> outside.add(
                priority + " " + new String(record, StandardCharsets.UTF_8))));
        ModuleLogHandler handler = new ModuleLogHandler();
        PamModule m = module(pamh -> {
            handler.publish(new LogRecord(Level.INFO, "in the call\nstill one record"));
            handler.publish(new LogRecord(Level.FINE, "detail"));
            LogRecord failed = new LogRecord(Level.WARNING, "failed");
            failed.setThrown(new IllegalStateException("why"));
            handler.publish(failed);
        });
        Application app = new Application();
        call(m, new LibPamHandle(41, "1.5.2", app));
        call(m, new LibPamHandle(42, "1.5.2", app), "debug");
        handler.publish(new LogRecord(Level.SEVERE, "no call's"));
        handler.publish(new LogRecord(Level.FINE, "no call's detail"));
        List<String> frames = app.syslog.stream().filter(l -> l.contains("    at ") || l.contains("    ... ")).toList();
        List<String> rest = app.syslog.stream().filter(l -> !l.contains("    at ") && !l.contains("    ... ")).toList();
        assertEquals(List.of("41 6 in the call#012still one record", "41 4 failed", "41 4 java.lang.IllegalStateException: why",
                "42 6 in the call#012still one record", "42 7 detail", "42 4 failed", "42 4 java.lang.IllegalStateException: why"),
                rest);
        assertEquals(true, frames.get(0).startsWith("41 4     at "), frames.toString());
        assertEquals(List.of("3 no call's"), outside, "outside calls no rule says debug");
    }

    @Test
    void beforeTheHostRoutedThemRecordsAreDropped() {
        ModuleLogHandler handler = new ModuleLogHandler();
        handler.publish(new LogRecord(Level.SEVERE, "too early")); // nothing to assert but that nothing throws
        handler.publish(null);
    }

    /**
     * LogManager configured as in pam_java's JVMs (the class -Djava.util.logging.config.class
     * names): ModuleLogHandler the root's only handler; System.Logger goes through it with its
     * levels mapped; the root level is INFO, ALL only while a call with debug runs, so
     * isLoggable(DEBUG) follows the rule. (This JVM's logging stays so configured: nothing else
     * in these tests logs.)
     */
    @Test
    void configuredAsPamJavasJvmsSystemLoggerReachesTheCallAndIsLoggableFollowsDebug() throws Exception {
        new ModuleLogging();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        assertEquals(List.of(ModuleLogHandler.class), java.util.Arrays.stream(root.getHandlers()).map(Object::getClass).toList());
        assertEquals(Level.INFO, root.getLevel());
        List<String> outside = new CopyOnWriteArrayList<>();
        ModuleLogging.route(new CallOutput((priority, record) -> outside.add(
                priority + " " + new String(record, StandardCharsets.UTF_8))));
        System.Logger logger = System.getLogger("module.logger");
        List<Boolean> loggable = new CopyOnWriteArrayList<>();
        PamModule m = module(pamh -> {
            loggable.add(logger.isLoggable(System.Logger.Level.DEBUG));
            logger.log(System.Logger.Level.ERROR, "error {0}", "one");
            logger.log(System.Logger.Level.WARNING, "warning");
            logger.log(System.Logger.Level.INFO, "info");
            logger.log(System.Logger.Level.DEBUG, "debug");
            logger.log(System.Logger.Level.TRACE, "trace");
        });
        Application app = new Application();
        call(m, new LibPamHandle(41, "1.5.2", app));
        call(m, new LibPamHandle(42, "1.5.2", app), "debug");
        assertEquals(Level.INFO, root.getLevel(), "back to INFO when no call with debug runs");
        assertEquals(List.of(false, true), loggable);
        assertEquals(List.of("41 3 error one", "41 4 warning", "41 6 info",
                "42 3 error one", "42 4 warning", "42 6 info", "42 7 debug", "42 7 trace"), app.syslog);
        assertEquals(List.of(), outside);
    }
}
