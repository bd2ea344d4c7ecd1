package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pamjava.it.PamTestBed.assertCodes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, hole 12: no silent failures. After a failed set-up or JVM start, every later call
 * that fails says so in syslog, not only the first.
 */
class FailureLoggingTest {

    @AfterEach
    void defaultConfiguration() throws Exception {
        Hardening.variantConfig("# defaults");
    }

    @Test
    void everyCallAfterABadConfigurationSaysWhyItFails() throws Exception {
        Hardening.variantConfig("no_such_setting = 1");
        PamTestBed bed = Hardening.hostile(Hardening.bed("bad-config"), "answer", Hardening.CONF_VARIANT);
        Run run = bed.run(Host.C, "svc", "auth", "acct", "2:auth");
        assertCodes(run, "auth", 3, "acct", 3, "2:auth", 3);
        assertEquals(1, run.authprivLog("unknown setting 'no_such_setting'").size(), run.syslog().toString());
        // Three operations, and pam_end's end hooks of the two handles: each failure is a line.
        assertEquals(3, run.authprivLog("pam_java could not be set up in this process").size(), run.syslog().toString());
    }

    @Test
    void everyCallAfterAFailedJvmStartSaysWhyItFails() throws Exception {
        Hardening.variantConfig("java_home = /nonexistent/jdk");
        PamTestBed bed = Hardening.hostile(Hardening.bed("no-jdk"), "answer", Hardening.CONF_VARIANT);
        Run run = bed.run(Host.C, "svc", "auth", "acct", "2:auth");
        assertCodes(run, "auth", 3, "acct", 3, "2:auth", 3);
        // Three operations and the end hooks of the two handles at pam_end: a line for each.
        assertEquals(5, run.authprivLog("Java could not be started in this process").size(), run.syslog().toString());
    }
}
