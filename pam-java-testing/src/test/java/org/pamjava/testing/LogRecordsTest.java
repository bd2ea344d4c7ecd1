package org.pamjava.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Syslog;
import org.pamjava.stack.SyslogRecord;

/**
 * The test kit's captured log records: what a module logs through PamHandle.syslog,
 * System.Logger, java.util.logging, System.out and System.err during its calls, with the syslog
 * level pam_java writes it at and the rule whose call logged it; LOG_DEBUG only from a rule with
 * the {@code debug} argument; nothing from outside the calls; the test's logging left as it was.
 */
class LogRecordsTest {

    /** Logs one message each way, named by its {@code name=} argument. */
    public static final class ChattyModule implements PamModule {
        private static final Logger JUL = Logger.getLogger("chatty");
        private final System.Logger log = System.getLogger("chatty.system");

        @Override
        public int authenticate(PamHandle pamh, int flags, List<String> args) {
            String name = args.get(1);
            pamh.syslog(Syslog.LOG_NOTICE, name + " syslog notice");
            pamh.syslog(Syslog.LOG_DEBUG, name + " syslog debug");
            log.log(System.Logger.Level.WARNING, "{0} system warning", name);
            log.log(System.Logger.Level.DEBUG, name + " system debug");
            JUL.severe(name + " jul severe");
            JUL.fine(name + " jul fine");
            System.out.println(name + " out");
            System.err.println(name + " err\nsecond line");
            pamh.syslog(Syslog.LOG_INFO, name + " loggable " + log.isLoggable(System.Logger.Level.DEBUG));
            return PamConstants.PAM_SUCCESS;
        }

        @Override
        public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
            Thread own = new Thread(() -> JUL.warning("from a thread of its own"));
            own.start();
            try {
                own.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            JUL.log(Level.WARNING, "failed", new IllegalStateException("why"));
            return PamConstants.PAM_SUCCESS;
        }

        @Override
        public void end(PamHandle pamh) {
            pamh.syslog(Syslog.LOG_INFO, "end info");
            pamh.syslog(Syslog.LOG_DEBUG, "end debug");
        }
    }

    private static List<String> described(List<SyslogRecord> records) {
        return records.stream().map(r -> r.level() + " " + r.message() + (r.rule() == null ? " @-" : " @" + r.rule().line()))
                .toList();
    }

    @Test
    void everyWayOfLoggingIsCapturedWithItsLevelAndRuleAndDebugOnlyFromDebugRules() {
        TestStack stack = TestStack.service("login", """
                auth    required pam_java.so Chatty.java quiet
                auth    required pam_java.so Other.java loud debug
                account required pam_java.so Chatty.java quiet
                """).module("Chatty.java", ChattyModule::new).module("Other.java", ChattyModule::new);
        Level before = Logger.getLogger("").getLevel();
        List<SyslogRecord> records;
        try (TestTransaction pam = stack.start("alice")) {
            System.out.println("the test's own print");
            assertEquals(PamConstants.PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals(before, Logger.getLogger("").getLevel(), "the test's root level again after the operation");
            records = pam.logRecords();
            assertEquals(List.of(
                    "5 quiet syslog notice @1", "4 quiet system warning @1", "3 quiet jul severe @1", "6 quiet out @1",
                    "3 quiet err\nsecond line @1", "6 quiet loggable true @1",
                    "5 loud syslog notice @2", "7 loud syslog debug @2", "4 loud system warning @2", "7 loud system debug @2",
                    "3 loud jul severe @2", "7 loud jul fine @2", "6 loud out @2", "3 loud err\nsecond line @2",
                    "6 loud loggable true @2"), described(records));
            assertThrows(UnsupportedOperationException.class, () -> pam.logRecords().add(null));
            assertEquals(PamConstants.PAM_SUCCESS, pam.acctMgmt().pamCode());
            List<SyslogRecord> acct = pam.logRecords().subList(records.size(), pam.logRecords().size());
            assertEquals("4 failed @3", described(acct).get(0));
            assertEquals("4 java.lang.IllegalStateException: why @3", described(acct).get(1));
            assertEquals(true, acct.stream().noneMatch(r -> r.message().contains("thread of its own")), acct.toString());
            assertEquals(true, pam.logRecords().stream().noneMatch(r -> r.message().contains("the test's own print")));
        }
    }

    @Test
    void theEndHookHasNoRuleArgumentsSoNoDebugAndTheHandleUsedByTheTestIsNoRules() {
        TestStack stack = TestStack.service("login", "auth required pam_java.so Chatty.java first debug\n")
                .module("Chatty.java", ChattyModule::new);
        TestTransaction pam = stack.start("alice");
        pam.handle().syslog(Syslog.LOG_WARNING, "the test's own");
        pam.handle().syslog(Syslog.LOG_DEBUG, "the test's own debug");
        pam.close();
        assertEquals(List.of("4 the test's own @-", "6 end info @1"), described(pam.logRecords()));
        assertThrows(IllegalArgumentException.class, () -> pam.handle().syslog(8, "x"));
    }

    @Test
    void withoutAnyDebugRuleAModulesDebugLevelIsNotLoggable() {
        TestStack stack = TestStack.service("login", "auth required pam_java.so Chatty.java plain\n")
                .module("Chatty.java", ChattyModule::new);
        try (TestTransaction pam = stack.start("alice")) {
            pam.authenticate();
            assertEquals(List.of("6 plain loggable false @1"),
                    described(pam.logRecords()).stream().filter(r -> r.contains("loggable")).toList());
        }
    }
}
