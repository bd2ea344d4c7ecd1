package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, holes 1, 2 and 9: a crash of the JVM inside a setuid host writes nothing the caller
 * can aim (no report in the working directory or /tmp, none through a symlink, no banner on the
 * terminal), crash reports an administrator turns on are one file in the root-only cache
 * directory, and that directory is checked, or made root's 0700 whatever the caller's umask and
 * group, before the JVM exists.
 */
class CrashReportsTest {

    @AfterEach
    void defaultConfiguration() throws Exception {
        Hardening.variantConfig("# defaults");
    }

    private static Set<String> namesIn(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return new java.util.TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static Set<String> crashFilesInTmp() throws Exception {
        Set<String> names = namesIn(Path.of("/tmp"));
        names.removeIf(n -> !n.startsWith("hs_err") && !n.startsWith("replay_pid"));
        return names;
    }

    /** The attacker's working directory: theirs, with the report names HotSpot would fall back to planted. */
    private static Path attackerDirectory(PamTestBed bed, Path victim) throws Exception {
        Path cwd = Files.createDirectories(bed.dir.resolve("attacker-cwd"));
        for (int pid = 1; pid < 200; pid++) {
            Files.createSymbolicLink(cwd.resolve("hs_err_pid" + pid + ".log"), victim);
        }
        Files.createSymbolicLink(cwd.resolve("hs_err.log"), victim);
        Files.writeString(cwd.resolve(".hotspot_compiler"), "print *.*\n");
        new ProcessBuilder("chown", "-R", "-h", "65534:65534", cwd.toString()).inheritIO().start().waitFor();
        Files.setPosixFilePermissions(cwd, PosixFilePermissions.fromString("rwxrwxrwx"));
        return cwd;
    }

    @Test
    void aCrashInASetuidHostWritesNoReportAnywhereAndNothingOnTheTerminal() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        // A JVM crashing inside the setuid host itself: in-process only (the service's crash report
        // is its own, in its root-only cache directory).
        PamTestBed bed = Hardening.hostile(Hardening.bed("crash-setuid"), "crash", PamTestBed.PAM_JAVA).inProcess();
        Hardening.setuidHostRunByNobody(bed);
        Path victim = bed.dir.resolve("victim");
        Files.writeString(victim, "root:x:0:0:root:/root:/bin/bash\n");
        bed.workingDirectory = attackerDirectory(bed, victim);
        Set<String> before = namesIn(bed.workingDirectory);
        Set<String> tmpBefore = crashFilesInTmp();
        Path cache = PamTestBed.DIST.resolve("var/cache/pam-java");
        Set<String> cacheBefore = namesIn(cache);
        bed.hostEnvironment.put("JAVA_TOOL_OPTIONS", "pwned::0:0::/:/bin/sh");
        bed.wrapper.addAll(List.of("bash", "-c", "umask 000; exec \"$0\" \"$@\""));
        Run run = bed.run(Host.C, "svc", "auth", "acct");
        assertCodes(run, "auth", 3, "acct", 3);
        assertEquals("root:x:0:0:root:/root:/bin/bash\n", Files.readString(victim), "the symlinked file is intact");
        assertEquals(before, namesIn(bed.workingDirectory), "nothing new in the working directory");
        assertEquals(tmpBefore, crashFilesInTmp(), "nothing new in /tmp");
        assertEquals(cacheBefore, namesIn(cache), "no report in the cache directory either (reports are off)");
        assertEquals(List.of("auth 3 Error in service module", "acct 3 Error in service module", "exit"), run.lines(),
                "no banner on the host's stdout");
        assertEquals("", run.stderr());
        assertTrue(run.syslog().stream().noneMatch(l -> l.contains("hotspot_compiler")), run.syslog().toString());
    }

    @Test
    void aCrashSignalSentToTheHostEndsItAsWithoutPamJavaAndWritesNothing() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("crash-signal"), "answer", PamTestBed.PAM_JAVA);
        Path victim = bed.dir.resolve("victim");
        Files.writeString(victim, "intact\n");
        bed.workingDirectory = attackerDirectory(bed, victim);
        Set<String> before = namesIn(bed.workingDirectory);
        Set<String> tmpBefore = crashFilesInTmp();
        Process host = bed.start(Host.C, "svc", List.of(), "", "auth", "sleep:60000");
        bed.awaitText(bed.dir.resolve("stdout.txt"), "auth ");
        new ProcessBuilder("kill", "-SEGV", String.valueOf(host.pid())).inheritIO().start().waitFor();
        Run run = bed.finish(host);
        assertNotEquals(0, run.exitCode());
        assertEquals("intact\n", Files.readString(victim));
        assertEquals(before, namesIn(bed.workingDirectory));
        assertEquals(tmpBefore, crashFilesInTmp());
        assertEquals(List.of("auth 7 Authentication failure"), run.lines(), "no banner on the host's stdout");
        assertEquals("", run.stderr());
    }

    @Test
    void crashReportsTurnedOnByTheAdministratorAreOneFileInTheCacheDirectory() throws Exception {
        Hardening.variantConfig("jvm_options = -XX:-SuppressFatalErrorMessage");
        Path cache = Hardening.VARIANT_CACHE;
        Files.createDirectories(cache);
        try (Stream<Path> old = Files.list(cache)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList()) {
                Files.delete(p);
            }
        }
        for (int i = 0; i < 3; i++) {
            PamTestBed bed = Hardening.hostile(Hardening.bed("crash-report"), "crash", Hardening.CONF_VARIANT);
            bed.workingDirectory = Files.createDirectories(bed.dir.resolve("cwd"));
            Run run = bed.run(Host.C, "svc", "auth");
            assertCodes(run, "auth", 3);
            assertEquals(Set.of(), namesIn(bed.workingDirectory));
        }
        assertEquals(Set.of("hs_err.log"),
                namesIn(cache).stream().filter(n -> n.startsWith("hs_err")).collect(java.util.stream.Collectors.toSet()),
                "one report, replaced by the next crash");
    }

    private static PosixFileAttributes attributes(Path p) throws Exception {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aMissingCacheDirectoryIsMadeRootsAloneWhateverTheCallersUmaskAndGroup() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        PamTestBed bed = Hardening.hostile(Hardening.bed("cache-missing"), "answer", Hardening.CONF_VARIANT);
        Hardening.setuidHostRunByNobody(bed);
        Path cache = bed.dir.resolve("cache-that-was-removed");
        Hardening.variantConfig("cache_dir = " + cache);
        bed.wrapper.addAll(List.of("bash", "-c", "umask 000; exec \"$0\" \"$@\""));
        Run run = bed.run(Host.C, "svc", "auth", "acct");
        assertCodes(run, "auth", 7, "acct", 0);
        PosixFileAttributes made = attributes(cache);
        assertTrue(made.isDirectory());
        assertEquals("root", made.owner().getName());
        assertEquals("root", made.group().getName());
        assertEquals("rwx------", PosixFilePermissions.toString(made.permissions()));
        assertFalse(run.authprivLog("created the missing cache_dir").isEmpty(), run.syslog().toString());
        assertTrue(String.join("\n", run.lines()).indexOf("tmpdir") < 0 && run.stderr().isEmpty(), run.stderr());
    }

    @Test
    void aCacheDirectoryOthersCouldWriteOrASymlinkIsRefusedBeforeTheJvmStarts() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("cache-unsafe"), "answer", Hardening.CONF_VARIANT);
        Path open = Files.createDirectories(bed.dir.resolve("open-cache"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path link = Files.createSymbolicLink(bed.dir.resolve("linked-cache"), Files.createDirectories(bed.dir.resolve("elsewhere")));
        Files.setPosixFilePermissions(bed.dir.resolve("elsewhere"), PosixFilePermissions.fromString("rwx------"));
        for (Path cache : List.of(open, link)) {
            Hardening.variantConfig("cache_dir = " + cache);
            Run run = bed.run(Host.C, "svc", "auth", "acct", "maps");
            assertCodes(run, "auth", 3, "acct", 3);
            assertFalse(run.authprivLog("refusing cache_dir " + cache).isEmpty(), run.syslog().toString());
            assertTrue(run.lines().stream().anyMatch(l -> l.endsWith("libjvm.so=no")), "no JVM was loaded: " + run.lines());
        }
        Hardening.variantConfig("cache_dir = relative/cache");
        Run run = bed.run(Host.C, "svc", "auth");
        assertCodes(run, "auth", 3);
        assertFalse(run.authprivLog("cache_dir must be an absolute path").isEmpty(), run.syslog().toString());
    }
}
