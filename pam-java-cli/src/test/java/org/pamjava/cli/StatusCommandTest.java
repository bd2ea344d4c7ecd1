package org.pamjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pamjava.resident.ResidentStatus;
import org.pamjava.resident.ResidentStatus.Decision;
import org.pamjava.resident.ResidentStatus.Figures;
import org.pamjava.resident.ResidentStatus.Report;
import org.pamjava.resident.ResidentStatus.Status;

/** How pam-java status shows what ResidentStatus found: its exit statuses, its table, its JSON. */
class StatusCommandTest {
    private static final Path CONF = Path.of("/etc/security/pam_java.conf");
    private static final Path SOCKET = Path.of("/run/pam-java/resident.sock");

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), "no '" + part + "' in\n" + text);
        }
    }

    private static Status used(Report report, String noReport) {
        return new Status(Decision.SERVICE, "the socket is root's", CONF, SOCKET, report, noReport);
    }

    private static Report report() {
        return new Report(812, "0.1.0", 2, 90_061_000L, 2, 318, 1,
                new Figures(null, 1204, 37, 1, 212_000, 4_810_000),
                List.of(new Figures("/etc/security/Totp.java", 1200, 36, 0, 210_000, 4_800_000),
                        new Figures("/etc/security/bad\nname.java", 4, 1, 1, 1_900_000_000L, 1_900_000_000L),
                        new Figures(null, 0, 0, 0, 0, 0)));
    }

    @Test
    void eachDecisionHasItsExitStatus() {
        assertEquals(Main.OK, StatusCommand.exitStatus(used(report(), null)));
        assertEquals(StatusCommand.NOT_KNOWN, StatusCommand.exitStatus(used(null, "it does not know the request")));
        assertEquals(StatusCommand.IN_PROCESS, StatusCommand.exitStatus(
                new Status(Decision.IN_PROCESS, "resident_socket is not set", CONF, null, null, null)));
        assertEquals(StatusCommand.REFUSED, StatusCommand.exitStatus(
                new Status(Decision.REFUSED, "line 3: unknown setting", CONF, null, null, null)));
        assertEquals(StatusCommand.NOT_KNOWN, StatusCommand.exitStatus(
                new Status(Decision.UNKNOWN, "only root can reach it", CONF, SOCKET, null, null)));
        assertEquals(Main.ERROR, Main.run(List.of("status", "extra")));
    }

    @Test
    void theTextShowsTheServiceAndARowPerModuleWithControlCharactersEscaped() {
        assertContains(StatusCommand.text(used(report(), null)),
                "decision:        root applications run their Java modules in the resident service\n",
                "service:         pid 812, pam-java 0.1.0, protocol 2, up 1 d 01:01:01\n",
                "connections:     2 open, 318 served since it started, 1 refused\n",
                "calls:           1204, 37 failures, 1 error; time p50 212 us, p99 4.81 ms\n",
                "      1200         36        0     210 us    4.80 ms  /etc/security/Totp.java\n",
                "  /etc/security/bad\\x0aname.java\n",
                "(the other modules, beyond the service's bound)",
                "failures: calls whose result was not PAM_SUCCESS");
    }

    @Test
    void theHandlesHoldingJavaDataAreShownWhenTheServiceCountsThem() {
        Report old = report();
        Report counting = new Report(old.pid(), old.packageVersion(), old.protocolVersion(), old.uptimeMillis(),
                old.connectionsOpen(), old.connectionsServed(), old.connectionsRefused(), old.total(), old.modules(), 3);
        assertContains(StatusCommand.text(used(counting, null)),
                "handle data:     3 PAM handles in progress holding Java data\n");
        assertEquals(3, ((Map<?, ?>) StatusCommand.json(used(counting, null)).get("service")).get("handlesWithData"));
        assertFalse(StatusCommand.text(used(old, null)).contains("handle data:"), "an older service does not say");
    }

    @Test
    void aLongReasonIsWrappedUnderItsValue() {
        String why = "word ".repeat(40).strip();
        String text = StatusCommand.text(new Status(Decision.IN_PROCESS, why, CONF, null, null, null));
        List<String> lines = text.lines().filter(l -> l.startsWith("why:") || l.startsWith(" ".repeat(17) + "word"))
                .toList();
        assertTrue(lines.size() > 1, text);
        for (String line : lines) {
            assertTrue(line.length() <= StatusCommand.WIDTH, line);
        }
        assertEquals(why, String.join(" ", lines.stream().map(l -> l.substring(17)).toList()));
    }

    @Test
    void withoutAReportTheTextSaysWhyAndShowsNoFigures() {
        String text = StatusCommand.text(used(null, "the service did not answer the status request within 3000 ms"));
        assertTrue(text.contains("service:         no status: the service did not answer"), text);
        assertFalse(text.contains("calls:"), text);
    }

    @Test
    void timesAreShownWithTheirUnit() {
        assertEquals("0 ns", StatusCommand.duration(0));
        assertEquals("999 ns", StatusCommand.duration(999));
        assertEquals("212 us", StatusCommand.duration(212_345));
        assertEquals("4.81 ms", StatusCommand.duration(4_810_000));
        assertEquals("41.9 ms", StatusCommand.duration(41_943_039));
        assertEquals("250 ms", StatusCommand.duration(250_000_000));
        assertEquals("1.90 s", StatusCommand.duration(1_900_000_000L));
        assertEquals("00:00:59", StatusCommand.uptime(59_999));
        assertEquals("2 d 00:00:00", StatusCommand.uptime(172_800_000));
    }

    @Test
    void theJsonFormHasEveryFigureAndNullForTheOtherModules() {
        assertContains(Json.writeObjectByLines(StatusCommand.json(used(report(), null))),
                "\"decision\": \"service\"",
                "\"pid\": 812, \"packageVersion\": \"0.1.0\", \"protocolVersion\": 2,",
                "\"calls\": 1204, \"failures\": 37, \"errors\": 1, \"p50Nanos\": 212000,",
                "{\"module\": \"/etc/security/Totp.java\", \"calls\": 1200,",
                "{\"module\": \"/etc/security/bad\\nname.java\"",
                "{\"module\": null, \"calls\": 0,",
                "\"noReport\": null");
        String inProcess = Json.writeObjectByLines(StatusCommand.json(
                new Status(Decision.IN_PROCESS, "no socket", CONF, SOCKET, null, null)));
        assertTrue(inProcess.contains("\"decision\": \"in-process\""), inProcess);
        assertTrue(inProcess.contains("\"service\": null"), inProcess);
    }

    /** The record's accessors are what the command reads: keep ResidentStatus's shape in sight of this test. */
    @Test
    void theLimitsTheHelpNamesAreResidentStatuss() {
        assertTrue(StatusCommand.HELP.contains(ResidentStatus.CONNECT_MILLIS / 1000 + " s"), StatusCommand.HELP);
    }
}
