package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, the module runtime's holes, through the real libpam and pam_java.so in a C host run
 * as root (and a setuid copy run by nobody): 1 (the compiled-class cache made root-only whatever
 * the umask, its entries checked before loading), 6 (class path directories refused), 7 (a
 * replaced class path jar means a recompilation) and 10 (one syslog record per message).
 */
class RuntimeTrustTest {
    private static final String FORGED = "sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2";
    private static final String FORGING_USER = "bob\n" + FORGED;
    /** What syslog_capture records: facility, severity, then pam_java's prefix (with a handle or without). */
    private static final Pattern RECORD_PREFIX = Pattern.compile("^\\d+ \\d+ pam_java(\\([^)]*\\))?: ");

    @BeforeEach
    void asRoot() {
        assumeTrue(Hardening.isRoot(), "pam_java's trust rules are root's");
    }

    @AfterEach
    void defaultConfiguration() throws IOException {
        Hardening.variantConfig("# defaults");
    }

    /** A .java module no process has compiled yet, returning {@code verdict}. */
    private static Path freshModule(PamTestBed bed, String name, String verdict) throws IOException {
        return Files.writeString(bed.dir.resolve(name + ".java"), """
                // %s
                import java.util.List;
                import org.pamjava.*;
                public class %s implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        return %s;
                    }
                }
                """.formatted(UUID.randomUUID(), name, verdict));
    }

    /** A cache_dir as pam_java.so requires it (root's, 0700) in the bed, and the variant using it. */
    private static Path cacheDirectory(PamTestBed bed, String... moreConfig) throws IOException {
        Path cache = Files.createDirectory(bed.dir.resolve("cache"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String[] lines = new String[moreConfig.length + 1];
        lines[0] = "cache_dir = " + cache;
        System.arraycopy(moreConfig, 0, lines, 1, moreConfig.length);
        Hardening.variantConfig(lines);
        return cache;
    }

    /** Compiles {@code sources} (file name to text) into {@code out}, against the API jar. */
    private static void compile(Path out, Map<String, String> sources) throws IOException {
        Path src = Files.createTempDirectory(out.getParent(), "src-");
        List<String> args = new java.util.ArrayList<>(List.of("-proc:none", "-d", out.toString(), "-cp",
                PamTestBed.DIST.resolve("share/pam-java/pam-java-api.jar").toString()));
        for (var e : sources.entrySet()) {
            args.add(Files.writeString(src.resolve(e.getKey() + ".java"), e.getValue()).toString());
        }
        if (ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)) != 0) {
            throw new IOException("cannot compile " + sources.keySet());
        }
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static Object attribute(Path p, String name) throws IOException {
        return Files.getAttribute(p, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    // Hole 1 -----------------------------------------------------------------------------------

    @Test
    void theCacheIsMadeRootOnlyUnderUmask000InASetuidHostRunByNobody() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        PamTestBed bed = Hardening.bed("cache-umask");
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cache = cacheDirectory(bed);
        Path module = freshModule(bed, "Fresh", "PamConstants.PAM_SUCCESS");
        bed.service("svc", "auth required " + Hardening.CONF_VARIANT + " " + module);
        Path host = bed.dir.resolve("pam_host");
        Files.copy(PamTestBed.NATIVE.resolve("pam_host_capture"), host);
        Files.setAttribute(host, "unix:mode", 04755); // setuid root, as su
        bed.cHost = host;
        bed.wrapper.addAll(List.of("sh", "-c", "umask 000 && exec \"$@\"", "sh",
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        Run run = bed.run(Host.C, "svc", "auth");
        assertCodes(run, "auth", 0);
        assertFalse(run.authprivLog("compiled " + module).isEmpty(), run.syslog().toString());

        // The caller's umask (000) and group (65534) left no trace: root:root, owner only.
        Path classes = cache.resolve("classes");
        assertEquals(0700, mode(classes));
        assertEquals(0, attribute(classes, "uid"));
        assertEquals(0, attribute(classes, "gid"), "the group of the setuid host's caller");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(p -> !p.equals(classes)).toList()) {
                assertEquals(0, attribute(p, "uid"), p.toString());
                assertEquals(0, mode(p) & 0077, p + " has mode " + Integer.toOctalString(mode(p)));
            }
        }
    }

    @Test
    void aCachedClassSomeoneElseOwnsIsNeverLoaded() throws Exception {
        PamTestBed bed = Hardening.bed("cache-planted");
        Path cache = cacheDirectory(bed);
        Path module = freshModule(bed, "Fresh", "PamConstants.PAM_AUTH_ERR");
        bed.service("svc", "auth required " + Hardening.CONF_VARIANT + " " + module);
        Run first = bed.run(Host.C, "svc", "auth");
        assertCodes(first, "auth", 7);
        String cached = first.authprivLog("cached as ").get(0);
        Path entry = cache.resolve("classes").resolve(cached.substring(cached.lastIndexOf(' ') + 1));

        // Someone else's class where the module's was (a cache left open once, and closed later).
        Path forged = Files.createDirectories(bed.dir.resolve("forged"));
        compile(forged, Map.of("Fresh", Files.readString(module)
                .replace("PamConstants.PAM_AUTH_ERR", "PamConstants.PAM_SUCCESS")));
        Files.copy(forged.resolve("Fresh.class"), entry.resolve("Fresh.class"), StandardCopyOption.REPLACE_EXISTING);
        Files.setAttribute(entry.resolve("Fresh.class"), "unix:uid", 65534);

        Run second = bed.run(Host.C, "svc", "auth");
        assertCodes(second, "auth", 7);
        assertFalse(second.authprivLog("not loading the cached classes in " + entry + ": " + entry.resolve("Fresh.class")
                + " is owned by uid 65534, not 0").isEmpty(), second.syslog().toString());
        assertFalse(second.authprivLog("compiled " + module).isEmpty(), second.syslog().toString());
    }

    // Hole 6 -----------------------------------------------------------------------------------

    private static final String DECISION = "package policy; public class Decision { public static int verdict() { return %d; } }";

    /** A root-owned class_path directory, closed to others, whose policy/ someone else owns. */
    private static Path directoryWithAForeignPackage(PamTestBed bed) throws IOException {
        Path lib = Files.createDirectories(bed.dir.resolve("lib"));
        compile(lib, Map.of("Decision", DECISION.formatted(0)));
        Files.setAttribute(lib.resolve("policy"), "unix:uid", 65534);
        Files.setAttribute(lib.resolve("policy/Decision.class"), "unix:uid", 65534);
        return lib;
    }

    @Test
    void aClassPathDirectoryIsRefusedNamingIt() throws Exception {
        PamTestBed bed = Hardening.bed("cp-dir");
        Path lib = directoryWithAForeignPackage(bed);
        cacheDirectory(bed, "class_path = " + lib);
        Path module = freshModule(bed, "Deciding", "policy.Decision.verdict()");
        bed.service("svc", "auth required " + Hardening.CONF_VARIANT + " " + module);
        Run run = bed.run(Host.C, "svc", "auth");
        assertCodes(run, "auth", 1);
        assertFalse(run.authprivLog("refusing class_path entry " + lib + ": it is a directory; running as root,"
                + " pam_java accepts only jar files on a class path").isEmpty(), run.syslog().toString());
        assertTrue(run.authprivLog("compiled ").isEmpty(), "javac never read it: " + run.syslog());
    }

    @Test
    void aDirectoryInAJarModulesClassPathIsRefused() throws Exception {
        PamTestBed bed = Hardening.bed("cp-manifest");
        Path lib = directoryWithAForeignPackage(bed);
        Path classes = Files.createDirectories(bed.dir.resolve("module-classes"));
        compile(classes, Map.of("Decision", DECISION.formatted(7), "Deciding", Files.readString(
                freshModule(bed, "Deciding", "policy.Decision.verdict()"))));
        Path jar = bed.dir.resolve("deciding.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Pam-Module-Class", "Deciding");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("Deciding.class")); // policy.Decision only from lib/
            out.write(Files.readAllBytes(classes.resolve("Deciding.class")));
        }
        bed.service("svc", "auth required $PAM_JAVA " + jar);
        Run run = bed.run(Host.C, "svc", "auth");
        assertCodes(run, "auth", 1);
        assertFalse(run.authprivLog("refusing Class-Path entry of " + jar + " " + lib + ": it is a directory")
                .isEmpty(), run.syslog().toString());
    }

    // Hole 7 -----------------------------------------------------------------------------------

    /** lib/policy.jar with {@code policy.Policy.VERDICT = verdict}, written aside and renamed over the old one. */
    private static Path policyJar(PamTestBed bed, int verdict) throws IOException {
        Path classes = Files.createDirectories(bed.dir.resolve("policy-" + verdict));
        compile(classes, Map.of("Policy",
                "package policy; public final class Policy { public static final int VERDICT = " + verdict + "; }"));
        Path jar = Files.createDirectories(bed.dir.resolve("lib")).resolve("policy.jar");
        Path aside = jar.resolveSibling("policy.jar.new");
        try (OutputStream file = Files.newOutputStream(aside); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("policy/Policy.class"));
            out.write(Files.readAllBytes(classes.resolve("policy/Policy.class")));
        }
        return Files.move(aside, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void replacingAClassPathJarRecompilesTheModulesCompiledAgainstIt() throws Exception {
        PamTestBed bed = Hardening.bed("cp-replaced");
        Path jar = policyJar(bed, 0);
        cacheDirectory(bed, "class_path = " + jar);
        Path module = freshModule(bed, "Constant", "policy.Policy.VERDICT"); // a constant: javac inlines it
        bed.service("svc", "auth required " + Hardening.CONF_VARIANT + " " + module);
        assertCodes(bed.run(Host.C, "svc", "auth"), "auth", 0);
        Run cached = bed.run(Host.C, "svc", "auth");
        assertCodes(cached, "auth", 0);
        assertTrue(cached.authprivLog("compiled ").isEmpty(), "the second process uses the cache: " + cached.syslog());

        policyJar(bed, 7); // the administrator revokes
        Run revoked = bed.run(Host.C, "svc", "auth");
        assertCodes(revoked, "auth", 7);
        assertFalse(revoked.authprivLog("compiled " + module).isEmpty(), revoked.syslog().toString());
    }

    // Hole 10 ----------------------------------------------------------------------------------

    @Test
    void aUserNameWithANewlineCannotForgeASyslogRecord() throws Exception {
        PamTestBed bed = Hardening.bed("forged-record");
        Path module = Files.writeString(bed.dir.resolve("Chatty.java"), """
                import java.util.List;
                import org.pamjava.*;
                public class Chatty implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        String user = pamh.getUser();
                        System.out.println("login by " + user);
                        System.err.print("user ");
                        System.err.print(user);
                        System.err.println(" refused");
                        System.out.println("x".repeat(5000));
                        throw new IllegalStateException("no such user " + user);
                    }
                }
                """);
        bed.service("svc", "auth required $PAM_JAVA " + module);
        Run run = bed.run(Host.C, "svc", List.of("--user", FORGING_USER), "", "auth");
        assertCodes(run, "auth", 3);
        String escaped = "bob#012" + FORGED;
        // Printed in the call: pam_syslog's prefix, as pam_java's own lines about the call have.
        assertFalse(run.authprivLog("pam_java(svc:auth): login by " + escaped).isEmpty(), run.syslog().toString());
        assertFalse(run.authprivLog("pam_java(svc:auth): user " + escaped + " refused").isEmpty(), run.syslog().toString());
        assertFalse(run.authprivLog("java.lang.IllegalStateException: no such user " + escaped).isEmpty(),
                run.syslog().toString());
        List<String> cut = run.authprivLog("[cut: 5000 bytes in all]");
        assertEquals(1, cut.size(), run.syslog().toString());
        assertTrue(run.syslog().stream().noneMatch(l -> l.matches("\\d+ \\d+ pam_java\\(svc:auth\\): x+")), "not split");
        for (String record : run.syslog()) {
            String message = RECORD_PREFIX.matcher(record).replaceFirst("");
            assertFalse(message.startsWith("sshd["), "a forged record: " + record);
        }
    }
}
