package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * pam_java in a setuid host (su run by an ordinary user), which is root by its effective uid only:
 * what pam_java looks for, it looks for as that uid (issue 13, hole 8). It must use the resident
 * service like any root application, not start a JVM of its own; when it does run Java itself, it
 * uses the AOT cache even where the invoking user cannot see it.
 */
class SetuidHostTest {
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

    @Test
    void aSetuidHostRunningJavaItselfUsesTheAotCacheTheInvokingUserCannotReach() throws Exception {
        PrivateNamespace.assumeAvailable(true);
        PamTestBed bed = Hardening.bed("setuid-aot");
        Path runtime = PamTestBed.DIST.resolve("share/pam-java");
        assumeTrue(Files.exists(runtime.resolve("pam-java.aot")), "the build made no AOT cache");
        String stack = "auth required " + PamTestBed.PAM_JAVA + " " + PamTestBed.MODULES.resolve("ProcessIdModule.java")
                + "\naccount required pam_permit.so\nsession required pam_permit.so\n";
        // In the namespace only: the runtime directory becomes root's alone (0700), as an
        // administrator may make it; the invoking user cannot reach pam-java.aot, su (euid 0) can.
        Path copy = bed.dir.resolve("namespace/runtime");
        String hideRuntime = "mkdir -m 0700 " + PrivateNamespace.quote(copy.toString()) + " && cp -a "
                + PrivateNamespace.quote(runtime + "/.") + " " + PrivateNamespace.quote(copy.toString())
                + " && mount --bind " + PrivateNamespace.quote(copy.toString()) + " " + PrivateNamespace.quote(runtime.toString())
                + " && chmod 0700 " + PrivateNamespace.quote(runtime.toString()) + " && ";
        PrivateNamespace.Outcome su = PrivateNamespace.run(bed, Map.of("su", stack), false, hideRuntime
                + PrivateNamespace.su("root", "echo \"su-maps-aot $(grep -c pam-java.aot /proc/$PPID/maps)\""));
        assertEquals(0, su.exitCode(), su.lines() + "\n" + su.log());
        assertNotEquals("0", su.value("su-maps-aot"), "su's JVM mapped the AOT cache: " + su.lines());
    }
}
