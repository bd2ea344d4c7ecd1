package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private PAM world for one test: a config directory for pam_start_confdir(3), a results file
 * the test modules write to, and a syslog capture; runs the C host or the JVM host against it.
 */
final class PamTestBed {
    /**
     * Which kind of application calls PAM: a C program (pam_java creates the JVM), a Java one, or a C
     * program whose pam_java.so runs the module in the resident service (root only).
     */
    enum Host { C, JVM, RESIDENT }

    static final Path DIST = Path.of(System.getProperty("pamjava.dist", "../dist")).toAbsolutePath().normalize();
    static final Path NATIVE = Path.of(System.getProperty("pamjava.testNative", "target/test-native")).toAbsolutePath();
    static final Path MODULES = Path.of(System.getProperty("pamjava.testModules", "src/test/modules")).toAbsolutePath();
    /**
     * scripts/sanitize.sh: every host runs the AddressSanitizer and UndefinedBehaviorSanitizer build
     * of pam_java.so, and the test-native variants are sanitized builds too.
     */
    static final boolean SANITIZE_ALL = !System.getProperty("pamjava.sanitize", "").isEmpty();
    /** The sanitizer build with dist/'s paths (test/c/Makefile), and the resident variant's. */
    static final Path SANITIZED = NATIVE.resolve("sanitized/pam_java.so");
    static final Path SANITIZED_RESIDENT = NATIVE.resolve("sanitized/residentvariant/pam_java.so");
    static final Path PAM_JAVA = SANITIZE_ALL ? SANITIZED : DIST.resolve("lib/security/pam_java.so");
    static final int LOG_AUTHPRIV = 10 << 3;

    final Path dir;
    final Path confdir;
    final Path results;
    final Path syslog;

    /** Extra environment for the host process (the attacker's variables in hardening tests). */
    final Map<String, String> hostEnvironment = new java.util.HashMap<>();
    /** A command the host is run under, e.g. setpriv to run it as another user. */
    final List<String> wrapper = new ArrayList<>();
    /** The C host binary; pam_host_capture when LD_PRELOAD cannot be used (setuid hosts). */
    Path cHost = NATIVE.resolve("pam_host");
    /** The host's working directory. */
    Path workingDirectory;
    /** Bytes for the host's stdin instead of the UTF-8 text given to run(), for invalid input. */
    byte[] rawStdin;
    /** The pam_java.so that {@code $PAM_JAVA} names in service files. */
    Path pamJava = PAM_JAVA;
    /** How long a host may run before the test fails. */
    int timeoutSeconds = 120;
    /** The host preloads the sanitizer runtime, and a sanitizer report fails the run. */
    boolean sanitized = SANITIZE_ALL;
    /** Every pam_java.so rule says in_process (see {@link #inProcess}). */
    private boolean inProcess;

    PamTestBed(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.confdir = Files.createDirectories(this.dir.resolve("pam.d"));
        this.results = this.dir.resolve("results.txt");
        this.syslog = this.dir.resolve("syslog.txt");
        this.workingDirectory = this.dir;
    }

    /** Writes a service file; {@code $PAM_JAVA}, {@code $MODULES} and {@code $OUT} are replaced. */
    PamTestBed service(String name, String... lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line.replace("$PAM_JAVA", pamJava.toString()).replace("$MODULES", MODULES.toString())
                    .replace("$OUT", "out=" + results)).append('\n');
        }
        Files.writeString(confdir.resolve(name), inProcess ? IN_PROCESS_RULE.matcher(text).replaceAll("$1 in_process")
                : text.toString());
        return this;
    }

    private static final java.util.regex.Pattern IN_PROCESS_RULE = java.util.regex.Pattern.compile("(\\S*/pam_java\\.so)(?= )");

    /**
     * For a test of what only the in-process path does (a JVM in the host: its signal mask,
     * descriptors, crash reports, forks, class loaders): every pam_java.so rule of this bed's
     * services, those written and those to come, says {@code in_process}, so the test means the
     * same whether or not a resident service serves the default socket
     * (scripts/with-default-service.sh).
     */
    PamTestBed inProcess() throws IOException {
        inProcess = true;
        try (var files = Files.list(confdir)) {
            for (Path file : files.toList()) {
                Files.writeString(file, IN_PROCESS_RULE.matcher(Files.readString(file)).replaceAll("$1 in_process"));
            }
        }
        return this;
    }

    /** What one host run printed and logged. */
    record Run(int exitCode, List<String> lines, String stderr, List<String> syslog, List<String> results) {
        /** The PAM code printed for {@code operation} (e.g. "auth", "2:acct"). */
        int code(String operation) {
            for (String line : lines) {
                if (line.startsWith(operation + " ")) {
                    return Integer.parseInt(line.substring(operation.length() + 1).split(" ", 2)[0]);
                }
            }
            throw new AssertionError("no result for " + operation + " in " + lines);
        }

        /** Syslog lines at facility LOG_AUTHPRIV containing {@code text}. */
        List<String> authprivLog(String text) {
            return syslog.stream().filter(l -> l.startsWith(LOG_AUTHPRIV + " ") && l.contains(text)).toList();
        }

        List<String> results(String prefix) {
            return results.stream().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    Run run(Host host, String service, List<String> options, String stdin, String... operations)
            throws IOException, InterruptedException {
        return finish(start(host, service, options, stdin, operations));
    }

    /** Starts the host without waiting for it (to signal it meanwhile); {@link #finish} waits. */
    Process start(Host host, String service, List<String> options, String stdin, String... operations)
            throws IOException {
        Files.deleteIfExists(results);
        Files.deleteIfExists(syslog);
        List<String> command = new ArrayList<>(wrapper);
        if (host != Host.JVM) {
            command.add(cHost.toString());
        } else {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), JavaPamHost.class.getName()));
        }
        command.addAll(List.of("--confdir", confdir.toString()));
        command.addAll(options);
        command.add(service);
        command.addAll(List.of(operations));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile());
        Map<String, String> env = pb.environment();
        env.put("LD_PRELOAD", NATIVE.resolve("syslog_capture.so").toString());
        env.put("PAM_JAVA_TEST_SYSLOG", syslog.toString());
        env.putAll(hostEnvironment);
        if (sanitized) {
            assumeTrue(!isSetuid(cHost), "the sanitizer run cannot reach a setuid host: the loader drops LD_PRELOAD");
            sanitizerEnvironment(env, sanitizerLogs());
        }
        Path err = dir.resolve("stderr.txt");
        Path out = dir.resolve("stdout.txt");
        pb.redirectError(err.toFile());
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        p.getOutputStream().write(rawStdin != null ? rawStdin : stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        return p;
    }

    /** Waits (at most the host's timeout) until {@code file} of a started host contains {@code text}. */
    void awaitText(Path file, String text) throws IOException, InterruptedException {
        long until = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            if (System.nanoTime() > until) {
                fail("no \"" + text + "\" in " + file + " after " + timeoutSeconds + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Waits for a host {@link #start} started, and reads what it printed and logged. */
    Run finish(Process p) throws IOException, InterruptedException {
        Path err = dir.resolve("stderr.txt");
        Path out = dir.resolve("stdout.txt");
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("host did not finish in " + timeoutSeconds + " s: " + p.info().commandLine().orElse("?") + "\n"
                    + Files.readString(out));
        }
        List<String> lines = Files.readAllLines(out);
        if (sanitized) {
            assertNoSanitizerReport();
        }
        return new Run(p.exitValue(), lines, Files.readString(err), readLines(syslog), readLines(results));
    }

    /** Where the sanitizers write their reports (one file per process): sanitizer.PID. */
    Path sanitizerLogs() {
        return dir.resolve("sanitizer-logs");
    }

    /**
     * The host is not built with the sanitizers, so their runtime must be the first library it loads
     * (LD_PRELOAD). HotSpot handles SIGSEGV, SIGBUS and SIGFPE itself (null checks, safepoints):
     * ASan leaves those signals to it. LeakSanitizer cannot scan a process that holds a JVM (its
     * tracer faults on the JVM's reserved memory), so leaks are not checked. Any finding ends the
     * host (halt_on_error; the build does not recover from UB) and leaves a report file.
     */
    static void sanitizerEnvironment(Map<String, String> env, Path logs) throws IOException {
        String runtime = Files.readString(NATIVE.resolve("sanitized/runtime")).strip();
        String preload = env.getOrDefault("LD_PRELOAD", "");
        if (!preload.startsWith(runtime)) {
            env.put("LD_PRELOAD", preload.isEmpty() ? runtime : runtime + ":" + preload);
        }
        Files.createDirectories(logs);
        String log = "log_path=" + logs.resolve("sanitizer");
        env.put("ASAN_OPTIONS", "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:allow_user_segv_handler=1"
                + ":detect_leaks=0:halt_on_error=1:" + log);
        env.put("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1:" + log);
    }

    private static boolean isSetuid(Path program) throws IOException {
        return ((Integer) Files.getAttribute(program, "unix:mode") & 04000) != 0;
    }

    private void assertNoSanitizerReport() throws IOException {
        if (!Files.isDirectory(sanitizerLogs())) {
            return;
        }
        StringBuilder reports = new StringBuilder();
        try (var files = Files.list(sanitizerLogs())) {
            for (Path report : files.sorted().toList()) {
                reports.append(report).append(":\n").append(Files.readString(report)).append('\n');
            }
        }
        if (!reports.isEmpty()) {
            fail("the sanitizers found an error in pam_java.so:\n" + reports);
        }
    }

    Run run(Host host, String service, String... operations) throws IOException, InterruptedException {
        return run(host, service, List.of(), "", operations);
    }

    private static List<String> readLines(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    static void assertCodes(Run run, Object... operationAndCode) {
        for (int i = 0; i < operationAndCode.length; i += 2) {
            assertEquals((int) (Integer) operationAndCode[i + 1], run.code((String) operationAndCode[i]),
                    operationAndCode[i] + " in " + run.lines() + "\nsyslog: " + run.syslog());
        }
    }
}
