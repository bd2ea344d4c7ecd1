package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Threat 1 (docs/security.md#threat-1-the-callers-environment-and-working-directory): nothing from the caller's environment or working directory changes what runs
 * (pam_python's CVE-2019-16729 was exactly this), for a root host and a setuid host run by an
 * unprivileged user.
 */
class HostEnvironmentTest {

    /** A -javaagent that, if it ever runs, leaves a marker file. */
    private static Path evilAgent(Path dir, Path marker) throws Exception {
        Path classes = dir.resolve("agent-classes");
        Hardening.compile(classes, Map.of("EvilAgent", """
                public class EvilAgent {
                    public static void premain(String args) throws Exception {
                        java.nio.file.Files.writeString(java.nio.file.Path.of("%s"), "agent ran");
                    }
                }
                """.formatted(marker)));
        Path jar = dir.resolve("evil.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", "EvilAgent");
        try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("EvilAgent.class"));
            Files.copy(classes.resolve("EvilAgent.class"), out);
            out.closeEntry();
        }
        return jar;
    }

    private static Map<String, String> attackerEnvironment(Path dir, Path agent) throws Exception {
        Path options = dir.resolve("vm.options");
        Files.writeString(options, "-javaagent:" + agent + "\n-XX:+PrintFlagsFinal\n");
        Path flags = dir.resolve("flags");
        Files.writeString(flags, "+PrintFlagsFinal\n");
        Files.createDirectories(dir.resolve("evil-lib"));
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("JAVA_TOOL_OPTIONS", "-javaagent:" + agent + " -XX:VMOptionsFile=" + options);
        env.put("_JAVA_OPTIONS", "-javaagent:" + agent + " -XX:Flags=" + flags);
        env.put("JDK_JAVA_OPTIONS", "-javaagent:" + agent);
        env.put("JDK_AOT_VM_OPTIONS", "-javaagent:" + agent + " -XX:AOTMode=create");
        env.put("_JAVA_SR_SIGNUM", "14");
        env.put("CLASSPATH", dir.toString());
        env.put("JAVA_HOME", dir.resolve("no-such-jdk").toString());
        env.put("LD_LIBRARY_PATH", dir.resolve("evil-lib").toString());
        // A time-window policy must not follow the caller's clock, nor a module the caller's locale.
        env.put("TZ", "Etc/GMT-12");
        env.put("LANG", "tr_TR.UTF-8");
        return env;
    }

    private static void assertNothingPlantedRan(Run run, Path marker, Map<String, String> attack) {
        assertFalse(Files.exists(marker), "the planted agent ran");
        String everything = String.join("\n", run.lines()) + run.stderr() + String.join("\n", run.syslog());
        assertFalse(everything.contains("Picked up"), everything);
        assertFalse(everything.contains("PrintFlagsFinal") || everything.contains("bool UseSerialGC"), everything);
        assertEquals("", run.stderr());
        // The host's own environment is as it was, before and after the call.
        List<String> env = run.lines().stream().filter(l -> l.startsWith("env ")).toList();
        assertEquals(20, env.size(), run.lines().toString());
        assertEquals(env.subList(0, 10), env.subList(10, 20));
        for (var e : attack.entrySet()) {
            assertTrue(env.contains("env " + e.getKey() + "=" + e.getValue()), e.getKey() + " in " + env);
        }
        // The JVM's view: explicit paths, not the caller's.
        assertTrue(run.results().contains("property user.home=" + PamTestBed.DIST.resolve("var/cache/pam-java")),
                run.results().toString());
        assertTrue(run.results().contains("property java.library.path=" + PamTestBed.DIST.resolve("share/pam-java")),
                run.results().toString());
        assertTrue(run.results().stream().noneMatch(l -> l.contains("evil")), run.results().toString());
        assertTrue(run.results().stream().noneMatch(l -> l.equals("timezone Etc/GMT-12") || l.startsWith("locale tr")),
                run.results().toString());
    }

    @Test
    void aRootHostIgnoresTheCallersJavaVariables() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("env-root"), "properties", PamTestBed.PAM_JAVA);
        Path marker = bed.dir.resolve("agent-ran");
        Map<String, String> attack = attackerEnvironment(bed.dir, evilAgent(bed.dir, marker));
        bed.hostEnvironment.putAll(attack);
        Run run = bed.run(Host.C, "svc", List.of("--signals"), "", "env", "auth", "env");
        assertCodes(run, "auth", 0);
        assertNothingPlantedRan(run, marker, attack);
        // _JAVA_SR_SIGNUM=14 would have moved HotSpot's suspend signal onto the host's SIGALRM.
        String changed = run.lines().stream().filter(l -> l.startsWith("sigchanged auth")).findFirst().orElseThrow();
        assertFalse(List.of(changed.split(" ")).contains("14"), changed);
    }

    @Test
    void aSetuidHostRunByAnUnprivilegedUserIgnoresThem() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        PamTestBed bed = Hardening.hostile(Hardening.bed("env-setuid"), "properties", PamTestBed.PAM_JAVA);
        Hardening.setuidHostRunByNobody(bed);
        Path marker = bed.dir.resolve("agent-ran");
        Map<String, String> attack = attackerEnvironment(bed.dir, evilAgent(bed.dir, marker));
        bed.hostEnvironment.putAll(attack);
        Run run = bed.run(Host.C, "svc", List.of(), "", "env", "auth", "env");
        assertCodes(run, "auth", 0);
        // LD_LIBRARY_PATH is erased by glibc itself in a setuid process: compare the rest.
        Map<String, String> kept = new java.util.HashMap<>(attack);
        kept.remove("LD_LIBRARY_PATH");
        List<String> env = run.lines().stream().filter(l -> l.startsWith("env ")).toList();
        assertEquals(env.subList(0, 10), env.subList(10, 20));
        assertFalse(Files.exists(marker), "the planted agent ran");
        assertTrue(run.lines().contains("env LD_LIBRARY_PATH=<unset>"), env.toString());
        for (var e : kept.entrySet()) {
            assertTrue(env.contains("env " + e.getKey() + "=" + e.getValue()), e.getKey() + " in " + env);
        }
        assertEquals("", run.stderr());
        assertTrue(run.results().contains("property user.home=" + PamTestBed.DIST.resolve("var/cache/pam-java")),
                run.results().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "JVM"})
    void classesServicesAndHotspotrcInTheWorkingDirectoryAreNeverLoaded(String hostName) throws Exception {
        Host host = Host.valueOf(hostName);
        PamTestBed bed = Hardening.hostile(PamPythonCasesTest.bed("planted", host), "planted", PamTestBed.PAM_JAVA);
        Path cwd = Files.createDirectories(bed.dir.resolve("attacker-cwd"));
        Hardening.compile(cwd, Map.of("Planted", """
                public class Planted implements Runnable {
                    static { try { java.nio.file.Files.writeString(java.nio.file.Path.of("PLANTED-RAN"), "x"); }
                             catch (Exception e) { } }
                    public void run() { }
                }
                """));
        Files.createDirectories(cwd.resolve("META-INF/services"));
        Files.writeString(cwd.resolve("META-INF/services/java.lang.Runnable"), "Planted\n");
        Files.writeString(cwd.resolve("META-INF/services/java.lang.System$LoggerFinder"), "Planted\n");
        Files.writeString(cwd.resolve("planted.txt"), "planted");
        Files.writeString(cwd.resolve(".hotspotrc"), "+PrintFlagsFinal\n");
        Files.writeString(cwd.resolve("jndi.properties"), "java.naming.factory.initial=Planted\n");
        bed.workingDirectory = cwd;
        Run run = bed.run(host, "svc", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of("planted class not found", "planted services 0", "planted resource null"),
                run.results("planted"));
        assertFalse(Files.exists(cwd.resolve("PLANTED-RAN")));
        // A Java host's own JVM, started in that directory, warns about .hotspotrc itself: only a
        // JVM pam_java creates is ours to keep quiet.
        String everything = String.join("\n", run.lines()) + String.join("\n", run.syslog())
                + (host == Host.C ? run.stderr() : "");
        assertFalse(everything.contains("hotspotrc") || everything.contains("PrintFlagsFinal"), everything);
    }
}
