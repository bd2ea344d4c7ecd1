package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 17, item 3: what a module logs reaches the application's syslog at its level, with
 * LOG_AUTHPRIV and the prefix pam_java(SERVICE:TYPE), in-process (a C host: pam_java created the
 * JVM) and through the resident service: PamHandle.syslog, java.util.logging, System.Logger,
 * System.out and System.err; LOG_DEBUG only with the rule's {@code debug} argument (and
 * isLoggable agreeing); a multi-line message one escaped record; a level outside 0..7 refused; a
 * record no call owns where prints outside calls go. In a Java application's own JVM the
 * loggers stay the application's. LogLevelsModule logs.
 */
class ModuleLoggingTest {
    private static final String PREFIX = "pam_java(svc:auth): ";

    private static PamTestBed bed(String name, Host host, String args) throws IOException {
        PamTestBed bed = PamPythonCasesTest.bed(name, host);
        bed.service("svc", "auth required $PAM_JAVA $MODULES/LogLevelsModule.java" + args,
                "account required pam_permit.so");
        if (host != Host.RESIDENT) {
            bed.inProcess(); // in the host's own JVM even when a resident service serves the default socket
        }
        return bed;
    }

    /** The call's records as "LEVEL TEXT", without pam_java's own lines and a trace's frames. */
    private static List<String> records(Run run) {
        List<String> records = new ArrayList<>();
        String facility = PamTestBed.LOG_AUTHPRIV + " ";
        for (String line : run.syslog()) {
            if (!line.startsWith(facility) || !line.contains(" " + PREFIX) || line.contains(PREFIX + "compiled ")
                    || line.contains(PREFIX + "    at ") || line.contains(PREFIX + "    ... ")) {
                continue;
            }
            records.add(line.substring(facility.length()).replace(PREFIX, ""));
        }
        return records;
    }

    private static final List<String> ALWAYS_BEFORE_DEBUG = List.of(
            "3 syslog err", "4 syslog warning", "5 syslog notice", "6 syslog info");

    /** What LogLevelsModule logs, with or without the rule's debug argument. */
    private static List<String> expected(boolean debug) {
        List<String> e = new ArrayList<>(ALWAYS_BEFORE_DEBUG);
        if (debug) {
            e.add("7 syslog debug");
        }
        e.addAll(List.of("6 two#012lines#033[31m", "6 level 8 refused",
                "3 jul severe", "4 jul warning", "6 jul info"));
        if (debug) {
            e.addAll(List.of("7 jul config", "7 jul fine", "7 jul finest"));
        }
        e.addAll(List.of("6 jul one of 2", "4 jul thrown", "4 java.lang.IllegalStateException: bad#012thing",
                "3 system error", "4 system warning", "6 system info"));
        if (debug) {
            e.addAll(List.of("7 system debug", "7 system trace"));
        }
        e.addAll(List.of("6 system parameter", "6 out line", "3 err line",
                "6 isLoggable jul fine=" + debug + " system debug=" + debug));
        return e;
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void everyWayOfLoggingReachesSyslogAtItsLevelAndDebugIsDroppedWithoutTheArgument(Host host) throws Exception {
        Run run = bed("logging-levels", host, "").run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(expected(false), records(run), run.syslog().toString());
        assertEquals("", run.stderr(), "nothing on the host's terminal");
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void theDebugArgumentKeepsDebugRecordsAndMakesThemLoggable(Host host) throws Exception {
        Run run = bed("logging-debug", host, " debug").run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(expected(true), records(run), run.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void anExceptionsTraceIsOneRecordPerLineAtTheRecordsLevel(Host host) throws Exception {
        Run run = bed("logging-trace", host, "").run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        String frame = PamTestBed.LOG_AUTHPRIV + " 4 " + PREFIX + "    at pam-java-module:" + PamTestBed.MODULES
                + "/LogLevelsModule.java//LogLevelsModule.authenticate(LogLevelsModule.java:";
        assertTrue(run.syslog().stream().anyMatch(l -> l.startsWith(frame)), run.syslog().toString());
    }

    /** A record on a thread of the module's own is no call's: plain syslog in-process, the service's journal there. */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void aRecordOutsideAnyCallGoesWhereOutsideOutputGoes(Host host) throws Exception {
        long journalBefore = host == Host.RESIDENT ? Files.size(ResidentFixture.LOG) : 0;
        Run run = bed("logging-outside", host, "").run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        List<String> app = run.syslog().stream().filter(l -> l.contains("jul from a thread of its own")).toList();
        if (host == Host.RESIDENT) {
            assertEquals(List.of(), app, run.syslog().toString());
            byte[] log = Files.readAllBytes(ResidentFixture.LOG);
            String journal = new String(log, (int) journalBefore, log.length - (int) journalBefore, StandardCharsets.UTF_8);
            assertTrue(journal.contains("pam_java resident: " + PamTestBed.MODULES
                    + "/LogLevelsModule.java printed outside a call: jul from a thread of its own"), journal);
        } else {
            assertEquals(List.of(PamTestBed.LOG_AUTHPRIV + " 4 pam_java: jul from a thread of its own"), app);
        }
    }

    /**
     * A Java application's own JVM (pam_java.so reuses it): its logging stays the application's,
     * so the module's JUL and System.Logger records go to the application's handlers (the JDK's
     * console handler here, on its stderr) and not to syslog; PamHandle.syslog still writes there.
     */
    @Test
    void aJavaApplicationsOwnJvmKeepsItsLogging() throws Exception {
        Run run = bed("logging-jvm-host", Host.JVM, " debug").run(Host.JVM, "svc", "auth");
        assertCodes(run, "auth", 0);
        List<String> records = records(run);
        assertEquals(List.of("3 syslog err", "4 syslog warning", "5 syslog notice", "6 syslog info", "7 syslog debug",
                "6 two#012lines#033[31m", "6 level 8 refused", "6 isLoggable jul fine=false system debug=false"),
                records, run.syslog().toString());
        assertTrue(run.stderr().contains("SEVERE: jul severe"), run.stderr());
        assertTrue(run.stderr().contains("SEVERE: system error"), run.stderr());
        assertFalse(run.syslog().stream().anyMatch(l -> l.contains("jul severe") || l.contains("system error")),
                run.syslog().toString());
    }
}
