package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.SyslogOutput;

/** Hole 10 of issue 13, the service's side: its journal gets one line per message, whatever text it carries. */
class ResidentJournalLogTest {
    private static final String FORGED_USER = "bob\nsshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2";

    @Test
    void theResidentServiceWritesOneJournalLinePerMessage() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var log = new ResidentService.StderrLog(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        log.log(Diagnostics.LOG_WARNING, "refused " + FORGED_USER + "\n<0>emergency");
        PrintStream moduleOut = new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, log), true, StandardCharsets.UTF_8);
        moduleOut.println("login by " + FORGED_USER);
        assertEquals("<4>refused bob#012sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2#012<0>emergency\n"
                + "<6>login by bob#012sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2\n",
                bytes.toString(StandardCharsets.UTF_8));
    }
}
