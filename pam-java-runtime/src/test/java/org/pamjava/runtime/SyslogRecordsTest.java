package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hole 10 of issue 13: a message is one syslog record, whatever text it carries. */
class SyslogRecordsTest {
    private static final String FORGED_USER = "bob\nsshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2";

    /** Records a SyslogOutput sends, as text. */
    private static final class Records implements SyslogOutput.Sink {
        final List<String> sent = new ArrayList<>();

        @Override
        public void send(int priority, byte[] record) {
            sent.add(new String(record, StandardCharsets.UTF_8));
        }
    }

    private static String record(String message) {
        return new String(SyslogRecords.of(message), StandardCharsets.UTF_8);
    }

    @Test
    void controlCharactersAreEscapedAsRsyslogDoes() {
        assertEquals("bob#012sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2", record(FORGED_USER));
        assertEquals("a#011b#015c#000d#177e#033[31m", record("a\tb\rc\0d\u007fe\u001b[31m"));
        assertEquals("gr\u00fc\u00df dich \u2713", record("gr\u00fc\u00df dich \u2713"), "UTF-8 is left alone");
        assertEquals(record(FORGED_USER), record(record(FORGED_USER)), "escaping twice changes nothing");
    }

    @Test
    void aLongMessageIsCutWithAMarkerNeverInsideACharacterOrAnEscape() {
        String longText = "a" + "\u00e9".repeat(3000); // two bytes each, the cut falls inside one
        byte[] cut = SyslogRecords.of(longText);
        assertTrue(cut.length <= SyslogRecords.MAX_BYTES, cut.length + " bytes");
        String text = new String(cut, StandardCharsets.UTF_8);
        assertTrue(text.endsWith(" [cut: 6001 bytes in all]"), text);
        assertEquals(text.length() - 1 - " [cut: 6001 bytes in all]".length(),
                text.chars().filter(c -> c == '\u00e9').count(), "whole characters only");

        String newlines = record("\n".repeat(400));
        assertTrue(newlines.matches("(#012)+ \\[cut: 400 bytes in all]"), newlines);
        assertEquals(SyslogRecords.MAX_BYTES, record("x".repeat(SyslogRecords.MAX_BYTES)).length(), "at the maximum: not cut");
    }

    @Test
    void aPrintlnIsOneRecordEvenWithANewlineInIt() {
        Records records = new Records();
        PrintStream out = new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, records), true, StandardCharsets.UTF_8);
        out.println("login by " + FORGED_USER);
        out.print("user ");
        out.print(FORGED_USER);
        out.println(" denied");
        out.print("windows line\r\n");
        out.println();
        assertEquals(List.of("login by bob#012sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2",
                "user bob#012sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2 denied",
                "windows line"), records.sent);
    }

    @Test
    void aLongLineIsOneCutRecordAndTheNextLineItsOwn() {
        Records records = new Records();
        PrintStream out = new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, records), true, StandardCharsets.UTF_8);
        for (int i = 0; i < 50; i++) {
            out.print("0123456789".repeat(10)); // 5000 bytes in 50 flushes, no newline
        }
        out.println();
        out.println("next");
        assertEquals(2, records.sent.size(), records.sent.toString());
        assertTrue(records.sent.get(0).endsWith(" [cut: 5000 bytes in all]"), records.sent.get(0));
        assertTrue(records.sent.get(0).length() <= SyslogRecords.MAX_BYTES);
        assertEquals("next", records.sent.get(1));
    }

    @Test
    void aStackTraceOnSystemErrKeepsAnExceptionsMessageInItsLine() {
        Records records = new Records();
        PrintStream err = new PrintStream(new SyslogOutput(Diagnostics.LOG_ERR, records), true, StandardCharsets.UTF_8);
        new IllegalStateException("no such user " + FORGED_USER, new RuntimeException(FORGED_USER)).printStackTrace(err);
        assertEquals("java.lang.IllegalStateException: no such user bob#012sshd[1]: Accepted password for root"
                + " from 10.0.0.1 port 22 ssh2", records.sent.get(0));
        assertTrue(records.sent.stream().anyMatch(r -> r.startsWith("Caused by: java.lang.RuntimeException: bob#012sshd[1]")),
                records.sent.toString());
        assertTrue(records.sent.stream().noneMatch(r -> r.startsWith("sshd")), records.sent.toString());
    }

    @Test
    void logFailureKeepsAnExceptionsMessageInOneMessage() {
        List<String> messages = new ArrayList<>();
        Diagnostics log = (priority, message) -> messages.add(record(message));
        log.logFailure("module threw", new IllegalArgumentException(FORGED_USER));
        assertEquals("module threw", messages.get(0));
        assertEquals("java.lang.IllegalArgumentException: " + record(FORGED_USER), messages.get(1));
        assertTrue(messages.get(2).startsWith("    at org.pamjava.runtime.SyslogRecordsTest."), messages.get(2));
        assertFalse(messages.stream().anyMatch(m -> m.startsWith("sshd")), messages.toString());
    }
}
