package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;

/**
 * pam_java in a setuid host (su run by an ordinary user), which is root by its effective uid only:
 * what pam_java looks for, it looks for as that uid (issue 13, hole 8). It must use the resident
 * service like any root application, not start a JVM of its own; when it does run Java itself, it
 * uses the AOT cache even where the invoking user cannot see it, and compiles a module against
 * jars the invoking user cannot read.
 */
class SetuidHostTest {
    private static final Path RUNTIME = PamTestBed.DIST.resolve("share/pam-java");

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

    /**
     * pam_java's diagnostics reach a setuid host's syslog only, never the terminal of the user who
     * ran it, whatever environment that user gives it: only {@code pam-java run}, as its own
     * application, copies syslog to its stderr (openlog with LOG_PERROR); pam_java.so has no switch.
     */
    @Test
    void aSetuidHostPrintsNoneOfPamJavasDiagnosticsWhateverItsEnvironment() throws Exception {
        PrivateNamespace.assumeAvailable(true);
        PamTestBed bed = Hardening.bed("setuid-no-stderr-log");
        Path broken = Files.writeString(bed.dir.resolve("Broken.java"),
                "public class Broken implements org.pamjava.PamModule {\n    int x = ;\n}\n");
        String stack = "auth required " + PamTestBed.PAM_JAVA + " in_process " + broken
                + "\naccount required pam_permit.so\nsession required pam_permit.so\n";
        Path devlog = bed.dir.resolve("devlog.txt");
        PrivateNamespace.Outcome su = PrivateNamespace.run(bed, Map.of("su", stack), PrivateNamespace.Resident.NO_SOCKET, devlog,
                "env PAM_JAVA_LOG=stderr PAM_JAVA_DEBUG=1 SYSLOG_PERROR=1 JAVA_TOOL_OPTIONS=-Dpamjava.log=stderr "
                        + PrivateNamespace.su("root", "echo shell-ran") + " 2>&1; echo \"su-exit $?\"");
        List<String> syslog = Files.exists(devlog) ? Files.readAllLines(devlog) : List.of();
        String seen = su.lines() + "\nsyslog: " + syslog + "\n" + su.log();
        assertNotEquals("0", su.value("su-exit"), seen);
        assertTrue(syslog.stream().anyMatch(l -> l.contains("does not compile")), "the diagnostic went to syslog: " + seen);
        assertTrue(su.lines().stream().noneMatch(l -> l.contains("does not compile") || l.contains("pam_java")),
                "nothing of it on su's terminal: " + seen);
    }

    @Test
    void aSetuidHostRunningJavaItselfUsesTheAotCacheTheInvokingUserCannotReach() throws Exception {
        PrivateNamespace.assumeAvailable(true);
        PamTestBed bed = Hardening.bed("setuid-aot");
        assumeTrue(Files.exists(RUNTIME.resolve("pam-java.aot")), "the build made no AOT cache");
        // su's own JVM: in_process, whether or not a resident service serves the default socket.
        String stack = "auth required " + PamTestBed.PAM_JAVA + " in_process " + PamTestBed.MODULES.resolve("ProcessIdModule.java")
                + "\naccount required pam_permit.so\nsession required pam_permit.so\n";
        // The module is compiled in su (an empty cache), against the API jar su alone can read.
        PrivateNamespace.Outcome su = PrivateNamespace.run(bed, Map.of("su", stack), false, hideRuntime(bed)
                + " && " + emptyCache() + " && "
                + PrivateNamespace.su("root", "echo \"su-maps-aot $(grep -c pam-java.aot /proc/$PPID/maps)\""));
        assertEquals(0, su.exitCode(), su.lines() + "\n" + su.log());
        assertNotEquals("0", su.value("su-maps-aot"), "su's JVM mapped the AOT cache: " + su.lines());
    }

    /**
     * A setuid host run by nobody compiles a {@code .java} module (the cache is empty) that sits,
     * with the {@code class_path} jar it uses, in a directory only root may enter, against the API
     * jar in the runtime directory made root's alone: what su reads, it reads as its effective uid.
     * javac's own file manager asked access(2), the real uid: "cannot access unnamed package
     * .../pam-java-api.jar"; the module loader asked it too: "cannot open ...: permission denied".
     */
    @Test
    void aSetuidHostCompilesAModuleFromDirectoriesTheInvokingUserCannotRead() throws Exception {
        PrivateNamespace.assumeAvailable(false);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        PamTestBed bed = Hardening.bed("setuid-compile");
        Hardening.setuidHostRunByNobody(bed);
        Path build = Files.createDirectories(bed.dir.resolve("build"));
        Hardening.compile(build, Map.of("Policy",
                "package policy; public final class Policy { public static final int VERDICT = 0; }"));
        Path jar = build.resolve("policy.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("policy/Policy.class"));
            out.write(Files.readAllBytes(build.resolve("policy/Policy.class")));
        }
        Path source = Files.writeString(build.resolve("PolicyModule.java"), """
                // %s
                import java.util.List;
                import org.pamjava.*;
                public class PolicyModule implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        return policy.Policy.VERDICT; // from the class_path jar
                    }
                }
                """.formatted(UUID.randomUUID()));

        Path rootOnly = bed.dir.resolve("namespace/root-only"); // on the namespace's own tmpfs
        Path module = rootOnly.resolve("PolicyModule.java");
        Path privateJar = rootOnly.resolve("policy.jar");
        Path conf = bed.dir.resolve("namespace/pam_java.conf");
        String setUp = String.join(" && ", hideRuntime(bed), emptyCache(),
                "mkdir -m 0700 " + q(rootOnly), "cp " + q(jar) + " " + q(source) + " " + q(rootOnly),
                "echo " + q("class_path = " + privateJar) + " > " + q(conf), "chmod 0644 " + q(conf),
                "mount --bind " + q(conf) + " " + q(PamTestBed.DIST.resolve("etc/security/pam_java.conf")));
        String nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
        String probes = readsAsNobody(nobody, "api", RUNTIME.resolve("pam-java-api.jar"))
                + readsAsNobody(nobody, "module", module) + readsAsNobody(nobody, "jar", privateJar);
        String host = "PAM_JAVA_TEST_SYSLOG=" + q(bed.syslog) + " " + nobody + q(bed.cHost) + " svc auth";
        PrivateNamespace.Outcome run = PrivateNamespace.run(bed,
                Map.of("svc", "auth required " + PamTestBed.PAM_JAVA + " " + module + "\n"), false,
                setUp + " && " + probes + host);
        List<String> syslog = Files.exists(bed.syslog) ? Files.readAllLines(bed.syslog) : List.of();
        String seen = run.lines() + "\nsyslog: " + syslog + "\n" + run.log();
        assertEquals(List.of("no", "no", "no"), List.of(run.value("nobody-reads-api"), run.value("nobody-reads-module"),
                run.value("nobody-reads-jar")), "the invoking user can read none of them: " + seen);
        assertEquals("0 Success", run.value("auth"), seen);
        assertTrue(syslog.stream().anyMatch(l -> l.contains("compiled " + module + " in ")),
                "the setuid host compiled the module: " + seen);
    }

    private static String q(Object path) {
        return PrivateNamespace.quote(path.toString());
    }

    /**
     * In the namespace only: the runtime directory becomes root's alone (0700), as an
     * administrator may make it; the invoking user cannot reach what is in it, su (euid 0) can.
     */
    private static String hideRuntime(PamTestBed bed) {
        Path copy = bed.dir.resolve("namespace/runtime");
        return "mkdir -m 0700 " + q(copy) + " && cp -a " + q(RUNTIME + "/.") + " " + q(copy)
                + " && mount --bind " + q(copy) + " " + q(RUNTIME) + " && chmod 0700 " + q(RUNTIME);
    }

    /** In the namespace only: an empty cache directory (root's, 0700), so a .java module is compiled. */
    private static String emptyCache() {
        return "mount -t tmpfs -o mode=0700 pam-java-cache " + q(PamTestBed.DIST.resolve("var/cache/pam-java"));
    }

    /** Prints "nobody-reads-NAME yes" or "no": whether the invoking user could read {@code file}. */
    private static String readsAsNobody(String nobody, String name, Path file) {
        return "if " + nobody + "cat " + q(file) + " > /dev/null 2>&1; then echo 'nobody-reads-" + name
                + " yes'; else echo 'nobody-reads-" + name + " no'; fi; ";
    }
}
