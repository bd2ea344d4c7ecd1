package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 14, defects 1, 6 and 9: a JVM that cannot start never ends the host or writes to its
 * terminal. The caller's address-space limit is checked against what pam_java's options reserve
 * (PAM_BUF_ERR below it), a JDK that is not all there is refused before libjvm.so is loaded
 * (PAM_SERVICE_ERR), a damaged AOT cache means a start without it, a native out-of-memory after
 * the start parks the JVM instead of ending the process, and the host's soft open-file limit
 * stays the host's.
 */
class StartupFailuresTest {
    private static final Path AOT_VARIANT = PamTestBed.NATIVE.resolve("aotvariant/pam_java.so");
    private static final Path AOT_RUNTIME = PamTestBed.NATIVE.resolve("aot-runtime");
    private static final List<String> REFUSED_FOR_MEMORY = List.of("auth 5 Memory buffer error",
            "acct 5 Memory buffer error", "exit");
    private static final List<String> NOT_STARTED = List.of("auth 3 Error in service module",
            "acct 3 Error in service module", "exit");
    private static final List<String> ANSWERED = List.of("auth 7 Authentication failure", "acct 0 Success", "exit");

    @AfterEach
    void defaultConfiguration() throws Exception {
        Hardening.variantConfig("# defaults");
    }

    /**
     * Runs the host of {@code bed} under the shell limits {@code ulimit} (e.g. "-v 100000"), set
     * before the bed's own wrapper (setpriv for a setuid host run by a user) and kept by it.
     */
    private static Run runLimited(PamTestBed bed, String ulimit, String... operations) throws Exception {
        List<String> wrapper = List.copyOf(bed.wrapper);
        bed.wrapper.addAll(0, List.of("bash", "-c", "ulimit " + ulimit + " && exec \"$0\" \"$@\""));
        try {
            return bed.run(Host.C, "svc", operations);
        } finally {
            bed.wrapper.clear();
            bed.wrapper.addAll(wrapper);
        }
    }

    /** The host lived to the end, and wrote nothing but its own lines: no JVM text on the terminal. */
    private static void hostSurvivedQuietly(Run run, List<String> expectedLines) {
        assertEquals(0, run.exitCode(), "the host ended with " + run.exitCode() + "; stderr: " + run.stderr());
        assertEquals("", run.stderr(), "nothing on the host's stderr");
        assertEquals(expectedLines, run.lines(), "nothing but the host's lines on its stdout\nsyslog: " + run.syslog());
    }

    @Test
    void anAddressSpaceLimitTheJvmCannotStartUnderIsRefusedWithBufErrAndOneLine() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("limit-as"), "answer", PamTestBed.PAM_JAVA).inProcess(); // a JVM start in the host
        hostSurvivedQuietly(bed.run(Host.C, "svc", "auth", "acct"), ANSWERED);   // the module compiled once
        for (String kib : List.of("100000", "500000")) {
            Run run = runLimited(bed, "-v " + kib, "auth", "acct");
            hostSurvivedQuietly(run, REFUSED_FOR_MEMORY);
            List<String> refusals = run.authprivLog("address-space limit (RLIMIT_AS, ulimit -v) is " + (Long.parseLong(kib) >> 10)
                    + " MiB; a JVM start with these options needs");
            assertEquals(1, refusals.size(), run.syslog().toString());
        }
        for (String kib : List.of("1000000", "1500000", "unlimited")) {
            hostSurvivedQuietly(runLimited(bed, "-v " + kib, "auth", "acct"), ANSWERED);
        }
    }

    @Test
    void aSetuidHostRunByAUserUnderTheirOwnLimitGetsBufErrAndNothingOnTheTerminal() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        PamTestBed bed = Hardening.hostile(Hardening.bed("limit-setuid"), "answer", PamTestBed.PAM_JAVA).inProcess(); // a JVM start in the host
        Hardening.setuidHostRunByNobody(bed);
        hostSurvivedQuietly(bed.run(Host.C, "svc", "auth", "acct"), ANSWERED);   // the module compiled once
        Run refused = runLimited(bed, "-v 100000", "auth", "acct");
        hostSurvivedQuietly(refused, REFUSED_FOR_MEMORY);
        assertEquals(1, refused.authprivLog("address-space limit (RLIMIT_AS, ulimit -v) is 97 MiB").size(),
                refused.syslog().toString());
        hostSurvivedQuietly(runLimited(bed, "-v 1000000", "auth", "acct"), ANSWERED);
    }

    @Test
    void aNativeOutOfMemoryAfterTheStartParksTheJvmAndTheHostGoesOn() throws Exception {
        // A big module compiled fresh under a limit the start passes: javac and C1 run out of
        // address space. HotSpot's fatal-error path calls the abort hook on a JVM thread, whose
        // first touch of pam_java's thread-locals must not need a malloc (the process ended in
        // glibc with "cannot allocate memory for thread-local data").
        PamTestBed bed = Hardening.bed("limit-compile");
        Path module = bed.dir.resolve("BigModule.java");
        StringBuilder source = new StringBuilder("// " + System.nanoTime() + "\nimport java.util.*;\nimport java.util.function.*;\n"
                + "import java.util.stream.*;\nimport org.pamjava.*;\npublic class BigModule implements PamModule {\n"
                + "  @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {\n    int s = 0;\n");
        for (int i = 0; i < 400; i++) {
            source.append("    s += new C").append(i).append("().f(args.size());\n");
        }
        source.append("    return s == 42 ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;\n  }\n");
        for (int i = 0; i < 400; i++) {
            source.append("  static final class C%d { record R%d(int a, String b) {} int f(int x) { Function<Integer, Integer> g = y -> y + %d;"
                    .formatted(i, i, i)).append(" return Stream.of(new R%d(x, \"%d\")).map(R%d::a).map(g)".formatted(i, i, i))
                    .append(".collect(Collectors.summingInt(Integer::intValue)); } }\n");
        }
        Files.writeString(module, source.append("}\n"));
        bed.service("svc", "auth required " + PamTestBed.PAM_JAVA + " " + module,
                "account required " + PamTestBed.PAM_JAVA + " " + Hardening.HOSTILE);
        Run run = runLimited(bed, "-v 900000", "auth", "acct");
        assertEquals(0, run.exitCode(), "the host ended with " + run.exitCode() + "; stderr: " + run.stderr());
        assertEquals("", run.stderr());
        assertTrue(Set.of(NOT_STARTED, ANSWERED).contains(run.lines()), run.lines() + "\nsyslog: " + run.syslog());
    }

    @Test
    void aJavaHomeHoldingOnlyLibjvmIsRefusedBeforeTheJvmLoads() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("half-jdk"), "answer", Hardening.CONF_VARIANT);
        Path home = bed.dir.resolve("half-jdk");
        Path server = Files.createDirectories(home.resolve("lib/server"));
        Files.copy(Path.of(System.getProperty("java.home"), "lib/server/libjvm.so"), server.resolve("libjvm.so"));
        Hardening.variantConfig("java_home = " + home);
        Run run = bed.run(Host.C, "svc", "auth", "acct", "maps");
        hostSurvivedQuietly(run, List.of("auth 3 Error in service module", "acct 3 Error in service module",
                "maps pam_java.so=yes libjvm.so=no", "exit"));
        assertEquals(1, run.authprivLog("java_home " + home + " is not a whole JDK: lib/modules: No such file or directory").size(),
                run.syslog().toString());
    }

    @Test
    void aJdkFileOthersCanWriteIsRefusedBeforeTheJvmLoadsIt() throws Exception {
        // A JDK of links to the real one's files, but for lib/libnet.so: a copy anyone may rewrite,
        // which the JVM would load as root while java.base starts.
        assumeTrue(Hardening.isRoot(), "pam_java's trust rules are root's");
        PamTestBed bed = Hardening.hostile(Hardening.bed("open-jdk-file"), "answer", Hardening.CONF_VARIANT);
        Path real = Path.of(System.getProperty("java.home"));
        Path home = bed.dir.resolve("linked-jdk");
        for (String file : List.of("lib/server/libjvm.so", "lib/modules", "lib/libjimage.so", "lib/libjava.so",
                "lib/libzip.so", "lib/libnio.so")) {
            Files.createDirectories(home.resolve(file).getParent());
            Files.createSymbolicLink(home.resolve(file), real.resolve(file));
        }
        Path open = Files.copy(real.resolve("lib/libnet.so"), home.resolve("lib/libnet.so"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        Hardening.variantConfig("java_home = " + home);
        Run run = bed.run(Host.C, "svc", "auth", "acct", "maps");
        hostSurvivedQuietly(run, List.of("auth 3 Error in service module", "acct 3 Error in service module",
                "maps pam_java.so=yes libjvm.so=no", "exit"));
        assertEquals(1, run.authprivLog(open + " is writable by group or others").size(), run.syslog().toString());
    }

    @Test
    void aJvmThatRefusesToStartSaysWhyInSyslogAndNothingOnTheTerminal() throws Exception {
        // Past every check pam_java can make: HotSpot prints "Error occurred during initialization
        // of VM" and gives up; its text goes through the vfprintf hook.
        PamTestBed bed = Hardening.hostile(Hardening.bed("jvm-refuses"), "answer", Hardening.CONF_VARIANT);
        Hardening.variantConfig("jvm_options = -Xms64m -Xmx32m");
        Run run = bed.run(Host.C, "svc", "auth", "acct");
        hostSurvivedQuietly(run, NOT_STARTED);
        assertFalse(run.authprivLog("jvm: Error occurred during initialization of VM").isEmpty(), run.syslog().toString());
    }

    /**
     * Options HotSpot acts on in its first pass, before it has read the vfprintf and exit hooks
     * (a missing file's error on the host's stderr, flags on its stdout), or that end the process
     * with status 0 past the exit hook; and those that would run a command from the host, exit it
     * past the hook, or put a crash on its terminal: refused before the JVM loads.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-XX:Flags=/nonexistent", "-XX:VMOptionsFile=/nonexistent", "-XX:+PrintVMOptions",
            "-XX:+PrintFlagsInitial", "-XX:+PrintSharedArchiveAndExit", "-XX:OnError=true",
            "-XX:OnOutOfMemoryError=true", "-XX:+ExitOnOutOfMemoryError", "-XX:+ErrorFileToStdout",
            "-XX:+ErrorFileToStderr", "-XX:+ShowMessageBoxOnError"})
    void anOptionHotSpotActsOnBeforeTheHooksIsRefused(String option) throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("early-option"), "answer", Hardening.CONF_VARIANT);
        Hardening.variantConfig("jvm_options = -Xss1m " + option);
        Run run = bed.run(Host.C, "svc", "auth", "acct", "maps");
        hostSurvivedQuietly(run, List.of("auth 3 Error in service module", "acct 3 Error in service module",
                "maps pam_java.so=yes libjvm.so=no", "exit"));
        assertEquals(1, run.authprivLog("jvm_options " + option + " is not accepted").size(), run.syslog().toString());
    }

    @Test
    void theHostsSoftOpenFileLimitIsUnchangedByTheJvm() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("nofile"), "answer", PamTestBed.PAM_JAVA);
        Run run = runLimited(bed, "-Hn 20000 && ulimit -Sn 256", "nofile", "auth", "acct", "end", "nofile");
        hostSurvivedQuietly(run, List.of("nofile 256 20000", "auth 7 Authentication failure", "acct 0 Success",
                "end 0", "nofile 256 20000", "exit"));
    }

    /** The tests' own runtime directory (what aotvariant/pam_java.so loads), with a fresh AOT cache. */
    private static Path freshAotRuntime() throws Exception {
        Files.createDirectories(AOT_RUNTIME);
        for (String jar : List.of("pam-java-api.jar", "pam-java-runtime.jar", "pam-java-host.jar")) {
            Files.copy(PamTestBed.DIST.resolve("share/pam-java/" + jar), AOT_RUNTIME.resolve(jar),
                    StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path script = PamTestBed.DIST.getParent().resolve("scripts/build-aot-cache.sh");
        Process build = new ProcessBuilder("sh", script.toString(), AOT_RUNTIME.toString(), System.getProperty("java.home"))
                .redirectErrorStream(true).redirectOutput(AOT_RUNTIME.resolveSibling("aot-build.log").toFile()).start();
        assertEquals(0, build.waitFor(), Files.readString(AOT_RUNTIME.resolveSibling("aot-build.log")));
        return AOT_RUNTIME.resolve("pam-java.aot");
    }

    /** Flips every seventh byte of 4 KiB in the middle of {@code file}, where the class metadata is. */
    private static void flipMiddleBytes(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            for (long at = f.length() / 2; at < f.length() / 2 + 4096; at += 7) {
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0xff);
            }
        }
    }

    @Test
    void aDamagedAotCacheMeansAStartWithoutItNeverACrash() throws Exception {
        assumeTrue(Hardening.isRoot(), "the runtime directory must be root's");
        Path cache = freshAotRuntime();
        Path intact = Files.copy(cache, AOT_RUNTIME.resolveSibling("pam-java.aot.intact"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
        PamTestBed bed = Hardening.hostile(Hardening.bed("aot-damaged"), "answer", AOT_VARIANT);
        try {
            Run first = bed.run(Host.C, "svc", "auth", "acct");
            hostSurvivedQuietly(first, ANSWERED);
            assertTrue(first.authprivLog("[aot]").isEmpty(), "an intact cache is used silently: " + first.syslog());

            flipMiddleBytes(cache);
            for (int i = 0; i < 40; i++) {   // the crash this prevents came in 12 of 40 starts
                Run run = bed.run(Host.C, "svc", "auth", "acct");
                hostSurvivedQuietly(run, ANSWERED);
                assertEquals(1, run.authprivLog("[aot] Checksum verification failed").size(), run.syslog().toString());
            }

            Files.copy(intact, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            try (RandomAccessFile f = new RandomAccessFile(cache.toFile(), "rw")) {
                f.setLength(f.length() / 2);
            }
            Run run = bed.run(Host.C, "svc", "auth", "acct");
            hostSurvivedQuietly(run, ANSWERED);
            assertEquals(1, run.authprivLog("[aot] The AOT cache has been truncated").size(), run.syslog().toString());
        } finally {
            Files.copy(intact, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}
