package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;

/**
 * A module's prints reach the application of the call whose thread printed them, through that
 * handle's PamCalls (pam_syslog of its handle), in both paths the same; a print from a thread the
 * module started is no call's. Lines a module prints from two threads at once stay apart.
 */
class CallOutputTest {
    private static final Diagnostics QUIET = (priority, message) -> {};

    /** The application's side of one handle: what reached its pam_syslog; nothing else answers. */
    private static final class Application extends SyslogOnlyApplication {}

    @Test
    void aCallsPrintsGoToItsHandleAndAThreadOfTheModulesToTheRest() {
        List<String> outside = new CopyOnWriteArrayList<>();
        SyslogOutput.Sink sink = new CallOutput((priority, record) -> outside.add(
                priority + " " + new String(record, StandardCharsets.UTF_8)));
        PrintStream out = new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, sink), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new SyslogOutput(Diagnostics.LOG_ERR, sink), true, StandardCharsets.UTF_8);
        PamModule module = new PamModule() {
            @Override
            public int authenticate(PamHandle pamh, int flags, List<String> args) {
                out.println("in the call");
                Thread own = new Thread(() -> out.println("from a thread of its own"));
                own.start();
                try {
                    own.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                new IllegalStateException("shown").printStackTrace(err);
                return PamConstants.PAM_SUCCESS;
            }

            @Override
            public void end(PamHandle pamh) {
                out.println("at the end");
            }
        };
        Application one = new Application();
        Application two = new Application();
        out.println("before any call");
        assertEquals(PamConstants.PAM_SUCCESS, ModuleInvoker.invoke(module, "M.java", PamOperation.AUTHENTICATE,
                new LibPamHandle(41, "1.5.2", one), 0, List.of("M.java"), QUIET));
        ModuleInvoker.end(module, "M.java", new LibPamHandle(42, "1.5.2", two), QUIET);
        out.println("after the calls");

        assertEquals("41 6 in the call", one.syslog.get(0));
        assertEquals("41 3 java.lang.IllegalStateException: shown", one.syslog.get(1));
        assertEquals("41 3 #011at org.pamjava.runtime.CallOutputTest$1.authenticate(CallOutputTest.java",
                one.syslog.get(2).replaceFirst(":\\d+\\)$", ""), "a stack trace: a record per line, on the call's handle");
        assertEquals(List.of("42 6 at the end"), two.syslog);
        assertEquals(List.of("6 before any call", "6 from a thread of its own", "6 after the calls"), outside);
    }

    @Test
    void linesPrintedInPiecesByTwoThreadsAtOnceStayApart() throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        PrintStream out = new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO,
                (priority, record) -> sent.add(new String(record, StandardCharsets.UTF_8))), true, StandardCharsets.UTF_8);
        out.print("alpha ");
        Thread other = new Thread(() -> {
            out.print("beta ");
            out.println("gamma");
        });
        other.start();
        other.join();
        out.println("omega");
        assertEquals(List.of("beta gamma", "alpha omega"), sent);
    }
}
