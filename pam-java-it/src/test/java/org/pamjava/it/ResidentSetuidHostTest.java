package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, hole 8: a setuid host (su run by an ordinary user) is root by its effective uid only,
 * and must use the resident service like any root application, not start a JVM of its own.
 */
class ResidentSetuidHostTest {
    @Test
    void suRunByAnOrdinaryUserRunsTheModuleInTheResidentServiceAndMapsNoJvm() throws Exception {
        PrivateNamespace.assumeAvailable(true);
        PamTestBed bed = Hardening.bed("setuid-resident");
        String stack = "auth required " + ResidentFixture.PAM_JAVA + " " + PamTestBed.MODULES.resolve("ProcessIdModule.java")
                + " out=" + bed.results + "\naccount required pam_permit.so\nsession required pam_permit.so\n";
        // The shell su starts (as root) looks at su, its parent: its process id and whether it maps a JVM.
        PrivateNamespace.Outcome su = PrivateNamespace.run(bed, Map.of("su", stack), true, PrivateNamespace.su("root",
                "echo \"su-pid $PPID\"; echo \"su-maps-libjvm $(grep -c libjvm.so /proc/$PPID/maps)\""));
        assertEquals(0, su.exitCode(), su.lines() + "\n" + su.log());
        List<String> ran = Files.readAllLines(bed.results);
        assertEquals(1, ran.size(), ran.toString());
        long modulePid = Long.parseLong(ran.get(0).substring("authenticate pid=".length()));
        assertEquals(su.servicePid(), modulePid, "the module ran in the resident service: " + su.lines());
        assertNotEquals(Long.parseLong(su.value("su-pid")), modulePid, su.lines().toString());
        assertEquals("0", su.value("su-maps-libjvm"), "su mapped no JVM: " + su.lines());
    }
}
