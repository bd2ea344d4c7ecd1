package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.itsupport.PrivateSystem;

/**
 * pam_java inside the real hosts it is meant for: util-linux su (setuid, run by an unprivileged
 * user, and run by root) and OpenSSH's sshd on a loopback port, with the example TOTP module asking
 * for a code; sudo, login on a pseudo-terminal, passwd and runuser with RealHostModule (a password
 * in a file, a recorded session, a two-pass chauthtok). They need a test user and service files in /etc/pam.d, so they run only in the private
 * copy of the system that scripts/private-system.sh makes (scripts/test.sh runs the suite in it):
 * there they add the user and write the services directly, and all of it is gone with the run.
 */
class RealHostsTest {
    static final String USER = "pamjava-it";
    static final String SECRET = "JBSWY3DPEHPK3PXP";
    static final Path TOTP = PamTestBed.MODULES.resolve("../../../../examples/totp/TotpModule.java").normalize();

    record Result(int exit, String out) {}

    @BeforeAll
    static void testUser() throws Exception {
        assumeTrue(Hardening.isRoot(), "real hosts need root to set up");
        PrivateSystem.require("add the user " + USER + " and write services in /etc/pam.d");
        if (run(List.of("id", USER), "", Map.of()).exit() != 0) {
            assertEquals(0, run(List.of("useradd", "--no-create-home", "--shell", "/bin/sh", USER), "", Map.of()).exit());
        }
    }

    static Result run(List<String> command, String stdin, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + command + "\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    static Path secrets(PamTestBed bed) throws IOException {
        Path file = bed.dir.resolve("totp.secrets");
        Files.writeString(file, USER + ":" + SECRET + "\nroot:" + SECRET + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    static String wrongCode(String code) {
        return String.format("%06d", (Integer.parseInt(code) + 500_000) % 1_000_000);
    }

    /** Writes /etc/pam.d/NAME (the private copy's: PrivateSystem.require ran first). */
    static void service(String name, String content) throws IOException {
        Files.writeString(Path.of("/etc/pam.d", name), content);
    }

    @Test
    void suWithAJavaSecondFactorLetsTheRightCodeInAndKeepsAWrongOneOut() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/su")) && Files.isExecutable(Path.of("/usr/bin/setpriv")));
        PamTestBed bed = Hardening.bed("su");
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        service("su", "auth required " + PamTestBed.PAM_JAVA + " " + TOTP + " secrets=" + secrets(bed) + " window=2\n"
                + "account required pam_permit.so\nsession required pam_permit.so\n");
        List<String> asUser = List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
                "su", "-c", "id -un", "root");
        String code = PamtesterTest.TotpCode.now(SECRET);
        Result right = run(asUser, code + "\n", Map.of());
        assertEquals(0, right.exit(), right.out());
        assertTrue(right.out().contains("root"), right.out());
        Result wrong = run(asUser, wrongCode(code) + "\n", Map.of());
        assertNotEquals(0, wrong.exit(), wrong.out());
        assertTrue(wrong.out().contains("Authentication failure"), wrong.out());
        assertFalse(wrong.out().contains("\nroot"), wrong.out());
    }

    /**
     * Threat 1 (docs/security.md#threat-1-the-callers-environment-and-working-directory) through su: the caller's Java variables change nothing, whether an ordinary user runs
     * su (setuid: HotSpot itself ignores JAVA_TOOL_OPTIONS and _JAVA_OPTIONS when the real and
     * effective uids differ) or root does (the uids are equal, as in sshd or login: only pam_java
     * hiding the variables keeps HotSpot from reading them). Most JVM output goes to syslog, not to
     * su's terminal, so the test looks for what the variables would leave behind: an agent's marker
     * file and -Xlog files; a plain java run first shows that they do leave them. HotSpot's "Picked
     * up" line is printed before it takes pam_java's vfprintf hook, so it would reach the terminal.
     */
    @Test
    void theCallersJavaVariablesChangeNothingInSu() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/su")) && Files.isExecutable(Path.of("/usr/bin/setpriv")));
        PamTestBed bed = Hardening.bed("su-java-variables");
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        service("su", "auth required " + PamTestBed.PAM_JAVA + " " + TOTP + " secrets=" + secrets(bed) + " window=2\n"
                + "account required pam_permit.so\nsession required pam_permit.so\n");
        Path agent = AttackerJava.agentJar(bed.dir.resolve("agent"));

        Path shown = Files.createDirectory(bed.dir.resolve("plain-java"));
        Result plain = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version"), "",
                AttackerJava.variables(agent, shown));
        assertEquals(0, plain.exit(), plain.out());
        assertEquals(AttackerJava.traces(shown), AttackerJava.tracesLeft(shown), "a plain java run reads the variables");

        Map<String, List<String>> callers = Map.of(
                "an ordinary user", List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
                        "su", "-c", "id -un", "root"),
                "root", List.of("su", "-c", "id -un", USER));
        for (var caller : callers.entrySet()) {
            Path dir = Files.createDirectory(bed.dir.resolve(caller.getKey().replace(' ', '-')));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Result attacked = run(caller.getValue(), PamtesterTest.TotpCode.now(SECRET) + "\n",
                    AttackerJava.variables(agent, dir));
            assertEquals(0, attacked.exit(), caller.getKey() + ": " + attacked.out());
            assertEquals(List.of(), AttackerJava.tracesLeft(dir), caller.getKey() + "'s su: " + attacked.out());
            assertFalse(attacked.out().contains("Picked up"), caller.getKey() + "'s su: " + attacked.out());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void sshdAsksTheJavaModuleThroughKeyboardInteractive() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")), "openssh-server is not installed");
        PamTestBed bed = Hardening.bed("sshd");
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // OpenSSH 9.2 names its PAM service after the program: a copy called sshd-pamjava.
        Path sshd = bed.dir.resolve("sshd-pamjava");
        Files.copy(Path.of("/usr/sbin/sshd"), sshd);
        Files.setPosixFilePermissions(sshd, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hostKey = bed.dir.resolve("host_key");
        assertEquals(0, run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()), "", Map.of()).exit());
        Files.createDirectories(Path.of("/run/sshd")); // its privilege separation directory (private /run)
        int port = freePort();
        Path config = bed.dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey, "UsePAM yes",
                "KbdInteractiveAuthentication yes", "PasswordAuthentication yes", "PubkeyAuthentication no",
                "PermitRootLogin no", "AllowUsers " + USER, "PidFile " + bed.dir.resolve("sshd.pid"),
                "StrictModes no", "LoginGraceTime 30", "MaxAuthTries 4", "") );
        // As in a real stack, another auth module (pam_unix in common-auth) answers setcred in the
        // session child sshd forks, where pam_java steps aside (PAM_IGNORE).
        String stack = "auth required " + PamTestBed.PAM_JAVA + " " + TOTP + " secrets=" + secrets(bed) + " window=2\n"
                + "auth optional pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n";
        Path askpass = bed.dir.resolve("askpass");
        Path answers = bed.dir.resolve("answers");
        // The client's answers: a wrong password to a password prompt, the code file's content to the module's.
        Files.writeString(askpass, "#!/bin/sh\ncase \"$1\" in *assword*) echo wrong-password;; *) cat " + answers + ";; esac\n");
        Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwxr-xr-x"));
        service("sshd-pamjava", stack);
        Process server = new ProcessBuilder(sshd.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(bed.dir.resolve("sshd.log").toFile()).start();
        try {
            waitForPort(port);
            Files.writeString(answers, PamtesterTest.TotpCode.now(SECRET) + "\n");
            Result right = ssh(port, askpass, "keyboard-interactive");
            assertEquals(0, right.exit(), right.out() + Files.readString(bed.dir.resolve("sshd.log")));
            assertTrue(right.out().contains(USER), right.out());
            Files.writeString(answers, wrongCode(PamtesterTest.TotpCode.now(SECRET)) + "\n");
            Result wrong = ssh(port, askpass, "keyboard-interactive");
            assertNotEquals(0, wrong.exit(), wrong.out());
            // A password attempt first (pam_authenticate in sshd's monitor starts the JVM there),
            // then keyboard-interactive (run in a child sshd forks): fails or succeeds, never hangs.
            Files.writeString(answers, PamtesterTest.TotpCode.now(SECRET) + "\n");
            long started = System.nanoTime();
            Result sequence = ssh(port, askpass, "password,keyboard-interactive");
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            assertTrue(seconds < 20, "the login ended in " + seconds + " s: " + sequence.out());
            assertTrue(server.isAlive(), "sshd survived");
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private static Result ssh(int port, Path askpass, String methods) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh", "-p", String.valueOf(port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=no",
                "-o", "PreferredAuthentications=" + methods, "-o", "NumberOfPasswordPrompts=1",
                "-o", "ConnectTimeout=10", USER + "@127.0.0.1", "id -un"));
        return run(command, "", Map.of("SSH_ASKPASS", askpass.toString(), "SSH_ASKPASS_REQUIRE", "force",
                "DISPLAY", ":0"));
    }

    private static void waitForPort(int port) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("sshd did not listen on " + port);
    }

    static final Path HOST_MODULE = PamTestBed.MODULES.resolve("RealHostModule.java");
    static final String PASSWORD = "right horse battery";
    /** ModuleEnvironmentTest's promise: all a module's System.getenv() shows, in every host. */
    static final String MODULE_GETENV = "{LC_ALL=C.UTF-8, " + ModuleEnvironmentTest.FIXED_PATH + "}";

    /**
     * A bed for a host: its directory readable by every user, a password store and the module's
     * record. With {@link Host#RESIDENT} the rules name the pam_java.so whose pam_java.conf names
     * the resident service's socket (ResidentFixture starts the service): a root host then runs
     * the module in the service, with its conversation going back to the host.
     */
    record HostBed(PamTestBed bed, Path store, Path record) {
        static HostBed of(String name) throws IOException {
            return of(name, Host.C);
        }

        static HostBed of(String name, Host host) throws IOException {
            PamTestBed bed = PamPythonCasesTest.bed(name, host);
            Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path store = bed.dir.resolve("password");
            Files.writeString(store, PASSWORD + "\n");
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
            Path record = bed.dir.resolve("module.out");
            Files.createFile(record);
            // The command a host runs as the test user appends to it too.
            Files.setPosixFilePermissions(record, PosixFilePermissions.fromString("rw-rw-rw-"));
            return new HostBed(bed, store, record);
        }

        /** The module's rule arguments after "pam_java.so". */
        String module(String... more) {
            return bed.pamJava + " " + HOST_MODULE + " store=" + store + " out=" + record
                    + (more.length == 0 ? "" : " " + String.join(" ", more));
        }

        List<String> lines() throws IOException {
            return Files.readAllLines(record);
        }

        /** The processes the module ran in, from the "pid=N" of its session and chauthtok lines. */
        java.util.Set<Long> modulePids() throws IOException {
            return lines().stream().filter(l -> l.matches(".* pid=\\d+.*"))
                    .map(l -> Long.parseLong(l.replaceAll(".* pid=(\\d+).*", "$1"))).collect(java.util.stream.Collectors.toSet());
        }

        /**
         * The session opened and closed (or both chauthtok passes ran) in one process: the
         * service's with {@link Host#RESIDENT}, else the host's own (which is never the service).
         */
        void assertWhereTheModuleRan(Host host) throws IOException {
            java.util.Set<Long> pids = modulePids();
            assertEquals(1, pids.size(), lines().toString());
            Process service = ResidentFixture.process();
            if (host == Host.RESIDENT) {
                assertEquals(java.util.Set.of(service.pid()), pids, lines().toString());
            } else if (service != null) {
                assertFalse(pids.contains(service.pid()), lines().toString());
            }
        }

        /** The record's lines other than the environment's: what the module decided, and the command's note. */
        List<String> events() throws IOException {
            return lines().stream().filter(l -> !l.contains("-getenv ") && !l.contains("-child ")).toList();
        }
    }

    /**
     * What {@code ls /proc/self/fd} lists in a command the test starts through a host: standard
     * input, output and error, and ls's own directory (the test's processes start with no others).
     */
    static final String ONLY_STANDARD_DESCRIPTORS = "0 1 2 3";

    static boolean setuidRoot(Path program) throws IOException {
        return Files.isExecutable(program) && Files.getAttribute(program, "unix:mode") instanceof Integer m
                && (m & 04000) != 0 && Files.getOwner(program).getName().equals("root");
    }

    static List<String> asTestUser(String... command) {
        List<String> line = new ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups"));
        line.addAll(List.of(command));
        return line;
    }

    /**
     * sudo 1.9 (setuid, run by the test user with -S: the password on stdin) with RealHostModule
     * for auth and session. The module authenticates the caller (PAM_USER is the test user), and
     * the session is the target's (PAM_USER root, PAM_RUSER the caller). The right password runs
     * the command between the module's open_session and close_session; a wrong one (three tries)
     * runs nothing and opens no session. With pam_java
     * in the stack, sudo's environment scrubbing holds: the caller's marker, LD_LIBRARY_PATH and
     * Java variables reach neither the module (its System.getenv() is ModuleEnvironmentTest's
     * promise, a child of it gets no caller variable) nor the JVM (no agent or -Xlog trace), and the
     * command's environment is exactly what sudo gives it with pam_permit in pam_java's place.
     */
    @Test
    void sudoRunsTheJavaModulesAuthAndSessionAndItsEnvironmentScrubbingHolds() throws Exception {
        Path sudo = Path.of("/usr/bin/sudo");
        assumeTrue(setuidRoot(sudo), "sudo (setuid root) is not installed: scripts/install-deps.sh installs it");
        HostBed host = HostBed.of("sudo");
        service("sudo", "auth required " + host.module() + "\naccount required pam_permit.so\n"
                + "session required " + host.module() + "\n");
        Path sudoers = Path.of("/etc/sudoers.d/pamjava-it");
        Files.writeString(sudoers, USER + " ALL=(root) ALL\n");
        Files.setPosixFilePermissions(sudoers, PosixFilePermissions.fromString("r--r-----"));
        Path agent = AttackerJava.agentJar(host.bed().dir.resolve("agent"));
        Path traces = Files.createDirectory(host.bed().dir.resolve("java-traces"));
        Files.setPosixFilePermissions(traces, PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> caller = new java.util.HashMap<>(AttackerJava.variables(agent, traces));
        caller.put("PAMJAVA_CALLER_MARKER", "from-the-caller");
        caller.put("LD_LIBRARY_PATH", host.bed().dir.resolve("evil-lib").toString());
        // -k: never a cached credential, every run asks; the command notes in the record when it runs.
        List<String> sudoEnv = asTestUser("sudo", "-S", "-k", "/bin/sh", "-c",
                "echo command uid=$(id -u) >> " + host.record() + "; exec /usr/bin/env");

        Result right = run(sudoEnv, PASSWORD + "\n", caller);
        assertEquals(0, right.exit(), right.out() + host.lines());
        assertTrue(right.out().contains("USER=root") && right.out().contains("SUDO_USER=" + USER), right.out());
        assertEquals(List.of(
                "authenticate service=sudo user=" + USER + " ruser=" + USER + " tty=null result=right",
                "open_session service=sudo user=root ruser=" + USER + " tty=null pid=",
                "command uid=0",
                "close_session service=sudo user=root ruser=" + USER + " tty=null pid="),
                host.events().stream().map(l -> l.replaceAll("pid=\\d+", "pid=")).toList(), host.lines().toString());
        for (String line : host.lines()) {
            if (line.contains("-getenv ")) {
                assertEquals(MODULE_GETENV, line.substring(line.indexOf(' ') + 1), line);
            }
            assertFalse(line.contains("PAMJAVA_CALLER_MARKER") || line.contains("LD_LIBRARY_PATH")
                    || line.contains("JAVA_TOOL_OPTIONS") || line.contains("evil"), line);
        }
        assertEquals(2, host.lines().stream().filter(l -> l.contains("-child ")).count(), host.lines().toString());
        assertEquals(List.of(), AttackerJava.tracesLeft(traces), right.out());
        assertFalse(right.out().contains("PAMJAVA_CALLER_MARKER") || right.out().contains("Picked up"), right.out());

        Files.writeString(host.record(), "");
        Result wrong = run(sudoEnv, "wrong\nwrong\nwrong\n", caller);
        assertNotEquals(0, wrong.exit(), wrong.out());
        assertTrue(wrong.out().contains("3 incorrect password attempts"), wrong.out());
        assertFalse(wrong.out().contains("SUDO_USER"), wrong.out());
        assertEquals(List.of("authenticate service=sudo user=" + USER + " ruser=" + USER + " tty=null result=wrong"),
                host.events().stream().distinct().toList(), host.lines().toString());
        assertEquals(3, host.events().size(), host.lines().toString());

        // On a terminal, as sudo is mostly used: the password typed at sudo's prompt (sudo reads
        // /dev/tty with echo off), and with Debian's use_pty the command runs on a terminal of its own.
        Files.writeString(host.record(), "");
        Result onTerminal = onPty(host.bed(), List.of("expect:[sudo] password for " + USER + ": ", "secret:" + PASSWORD),
                asTestUser("sudo", "-k", "/bin/sh", "-c", "echo command uid=$(id -u) >> " + host.record() + "; id -un"));
        assertEquals(0, onTerminal.exit(), onTerminal.out() + host.lines());
        assertTrue(onTerminal.out().lines().anyMatch("root"::equals), onTerminal.out());
        assertFalse(onTerminal.out().contains(PASSWORD), "the password was echoed: " + onTerminal.out());
        assertEquals(List.of(
                "authenticate service=sudo user=" + USER + " ruser=" + USER + " tty=/dev/pts/N result=right",
                "open_session service=sudo user=root ruser=" + USER + " tty=/dev/pts/N pid=",
                "command uid=0",
                "close_session service=sudo user=root ruser=" + USER + " tty=/dev/pts/N pid="),
                host.events().stream().map(l -> l.replaceAll("pid=\\d+", "pid=").replaceAll("tty=/dev/pts/\\d+", "tty=/dev/pts/N"))
                        .toList(), host.lines().toString());

        // What sudo gives the command without pam_java: the same, line for line.
        service("sudo", "auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n");
        Result plain = run(sudoEnv, "", caller);
        assertEquals(0, plain.exit(), plain.out());
        assertEquals(new java.util.TreeSet<>(plain.out().lines().toList()),
                new java.util.TreeSet<>(right.out().replace("[sudo] password for " + USER + ": ", "").lines().toList()));
    }

    /** Runs {@code command} on a pseudo-terminal, driven by {@code steps} (see {@link #PTY_DIALOG}). */
    static Result onPty(PamTestBed bed, List<String> steps, List<String> command) throws Exception {
        Path driver = bed.dir.resolve("pty-dialog.py");
        Files.writeString(driver, PTY_DIALOG);
        List<String> line = new ArrayList<>(List.of("/usr/bin/python3", driver.toString()));
        line.addAll(steps);
        line.add("--");
        line.addAll(command);
        Result r = run(line, "", Map.of());
        String out = r.out();
        int last = out.lastIndexOf("\npty-dialog exit ");
        if (r.exit() != 0 || last < 0) {
            throw new AssertionError("the dialog did not go as planned (" + r.exit() + "): " + out);
        }
        return new Result(Integer.parseInt(out.substring(last + "\npty-dialog exit ".length()).strip()), out.substring(0, last));
    }

    /**
     * The test's terminal: runs a command on a new pseudo-terminal (its controlling terminal) and
     * plays steps: "expect:TEXT" reads until TEXT appears; "secret:TEXT" waits until the program
     * has turned echo off (libpam_misc's conversation flushes input when it does, so typing ahead
     * would be lost) and types TEXT; "line:TEXT" types TEXT; "hangup" closes the terminal. Then it
     * reads to the end, and prints the transcript and "pty-dialog exit N" (the program's status).
     * A program that stops answering ends the dialog with exit 3 after 60 s (a guard, not a measure).
     */
    static final String PTY_DIALOG = """
            import os, pty, select, signal, sys, termios, time
            sep = sys.argv.index('--')
            steps, command = sys.argv[1:sep], sys.argv[sep + 1:]
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp(command[0], command)
            seen, start = b'', 0
            deadline = time.monotonic() + 60
            def give_up(why):
                os.kill(pid, signal.SIGKILL)
                sys.stdout.buffer.write(seen)
                print('\\npty-dialog: ' + why)
                sys.exit(3)
            def read(wait):
                global seen
                ready, _, _ = select.select([fd], [], [], wait)
                if not ready:
                    return True
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b''
                seen += data
                return bool(data)
            def echo_on():
                try:
                    return termios.tcgetattr(fd)[3] & termios.ECHO
                except termios.error:
                    return True
            open_ = True
            for step in steps:
                kind, _, text = step.partition(':')
                if kind == 'expect':
                    while text.encode() not in seen[start:]:
                        if time.monotonic() > deadline or not read(max(0, deadline - time.monotonic())):
                            give_up('no ' + repr(text))
                    start = seen.index(text.encode(), start) + len(text)
                elif kind == 'secret':
                    while echo_on():
                        if time.monotonic() > deadline or not read(0.02):
                            give_up('echo stays on before ' + repr(text))
                    os.write(fd, text.encode() + b'\\n')
                elif kind == 'line':
                    os.write(fd, text.encode() + b'\\n')
                elif kind == 'hangup':
                    os.close(fd)
                    open_ = False
                    break
            while open_ and read(max(0, deadline - time.monotonic())):
                if time.monotonic() > deadline:
                    give_up('no end')
            _, status = os.waitpid(pid, 0)
            sys.stdout.buffer.write(seen)
            print('\\npty-dialog exit', os.waitstatus_to_exitcode(status))
            """;

    /**
     * login on a pseudo-terminal (Debian 12's /bin/login is shadow's, package "login"; util-linux
     * builds its own only from Debian 13 on: the PAM contract is the same), run by root as getty
     * would, with RealHostModule for auth and session: the module's "Password: " prompt through login's
     * conversation; the right password gives the user's shell, which runs a command, inside the
     * module's session; a wrong one gives "Login incorrect" and no shell.
     */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void loginOnAPseudoTerminalAsksThroughTheJavaModule(Host where) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/login")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "login and python3 (the test's terminal) are needed");
        HostBed host = HostBed.of("login", where);
        service("login", "auth required " + host.module() + "\naccount required pam_permit.so\n"
                + "session required " + host.module() + "\n");
        // The shell prints 42 only by running the command: its echo of the typed line shows $((6*7)).
        // It lists its descriptors too: nothing the JVM or the module opened reaches the user's shell.
        Result right = onPty(host.bed(), List.of("expect:Password: ", "secret:" + PASSWORD, "expect:$ ",
                "line:echo shell-ran-$((6*7)) as $(id -un) with $(ls /proc/self/fd); exit"), List.of("/bin/login", USER));
        assertEquals(0, right.exit(), right.out() + host.lines());
        assertTrue(right.out().lines().map(String::strip)
                .anyMatch(("shell-ran-42 as " + USER + " with " + ONLY_STANDARD_DESCRIPTORS)::equals), right.out());
        assertFalse(right.out().contains(PASSWORD), "login echoed the password: " + right.out());
        List<String> events = host.events().stream().map(l -> l.replaceAll("pid=\\d+", "pid=")
                .replaceAll("tty=/dev/pts/\\d+", "tty=/dev/pts/N")).toList();
        assertEquals(List.of("authenticate service=login user=" + USER + " ruser=null tty=/dev/pts/N result=right",
                "open_session service=login user=" + USER + " ruser=null tty=/dev/pts/N pid=",
                "close_session service=login user=" + USER + " ruser=null tty=/dev/pts/N pid="), events,
                host.lines().toString());
        host.assertWhereTheModuleRan(where);

        Files.writeString(host.record(), "");
        Result wrong = onPty(host.bed(), List.of("expect:Password: ", "secret:wrong", "expect:Login incorrect", "hangup"),
                List.of("/bin/login", USER));
        assertNotEquals(0, wrong.exit(), wrong.out());
        assertFalse(wrong.out().contains("shell-ran"), wrong.out());
        assertEquals(List.of("authenticate service=login user=" + USER + " ruser=null tty=/dev/pts/N result=wrong"),
                host.events().stream().map(l -> l.replaceAll("tty=/dev/pts/\\d+", "tty=/dev/pts/N")).toList(),
                host.lines().toString());
    }

    /**
     * passwd (shadow's, setuid root) on a pseudo-terminal, with RealHostModule as the password
     * stack: libpam's first pass (PAM_PRELIM_CHECK) asks the current password, the second
     * (PAM_UPDATE_AUTHTOK) the new one twice, and the stored password changes. A wrong current
     * password ends it after the first pass; new passwords that differ are refused in the second;
     * neither changes the store. In-process, the test user runs it (setuid); with the resident
     * service, root runs {@code passwd USER}, a root application whose module runs in the service.
     */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void passwdChangesThePasswordThroughTheJavaModulesTwoPasses(Host where) throws Exception {
        Path passwd = Path.of("/usr/bin/passwd");
        assumeTrue(setuidRoot(passwd) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "passwd (setuid root) and python3 (the test's terminal) are needed");
        HostBed host = HostBed.of("passwd", where);
        service("passwd", "password required " + host.module() + "\n");
        String fresh = "a new password, typed twice";
        List<String> command = where == Host.RESIDENT ? List.of("passwd", USER) : asTestUser("passwd");
        String items = "service=passwd user=" + USER + " ruser=null tty=null";

        Result changed = onPty(host.bed(), List.of("expect:Current password: ", "secret:" + PASSWORD,
                "expect:New password: ", "secret:" + fresh, "expect:Retype new password: ", "secret:" + fresh), command);
        assertEquals(0, changed.exit(), changed.out() + host.lines());
        assertTrue(changed.out().contains("password updated successfully"), changed.out());
        assertEquals(List.of("chauthtok prelim " + items + " old=right",
                "chauthtok update " + items + " old-item=kept new-length=" + fresh.length() + " retype=match"),
                passes(host), host.lines().toString());
        host.assertWhereTheModuleRan(where);
        assertEquals(fresh, Files.readString(host.store()).strip());

        Files.writeString(host.record(), "");
        Result wrongOld = onPty(host.bed(), List.of("expect:Current password: ", "secret:" + PASSWORD), command);
        assertNotEquals(0, wrongOld.exit(), wrongOld.out());
        assertTrue(wrongOld.out().contains("password unchanged"), wrongOld.out());
        assertEquals(List.of("chauthtok prelim " + items + " old=wrong"), passes(host), host.lines().toString());

        Files.writeString(host.record(), "");
        Result mismatch = onPty(host.bed(), List.of("expect:Current password: ", "secret:" + fresh,
                "expect:New password: ", "secret:one new password", "expect:Retype new password: ",
                "secret:another new password", "expect:Sorry, passwords do not match."), command);
        assertNotEquals(0, mismatch.exit(), mismatch.out());
        assertTrue(mismatch.out().contains("password unchanged"), mismatch.out());
        assertEquals(List.of("chauthtok prelim " + items + " old=right",
                "chauthtok update " + items + " old-item=kept new-length=16 retype=mismatch"), passes(host),
                host.lines().toString());
        assertEquals(fresh, Files.readString(host.store()).strip(), "a refused change keeps the password");
    }

    /** The chauthtok lines of the record, without the process id. */
    private static List<String> passes(HostBed host) throws IOException {
        return host.events().stream().map(l -> l.replaceAll(" pid=\\d+", "")).toList();
    }

    /**
     * util-linux runuser, run by root, with RealHostModule as the session stack of both its
     * services ("runuser" for -u, "runuser-l" for -l): the command runs as the user inside the
     * module's session; when the module refuses the session, runuser runs nothing.
     */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void runuserRunsTheCommandInsideTheJavaModulesSession(Host where) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")), "runuser (util-linux) is needed");
        HostBed host = HostBed.of("runuser", where);
        String note = "echo command uid=$(id -u) >> " + host.record() + "; id -un; echo with $(ls /proc/self/fd)";
        for (String service : List.of("runuser", "runuser-l")) {
            Files.writeString(host.record(), "");
            service(service, "auth sufficient pam_rootok.so\naccount required pam_permit.so\n"
                    + "session required " + host.module() + "\n");
            List<String> command = service.equals("runuser")
                    ? List.of("runuser", "-u", USER, "--", "/bin/sh", "-c", note)
                    : List.of("runuser", "-l", USER, "-c", note);
            Result ran = run(command, "", Map.of());
            assertEquals(0, ran.exit(), ran.out() + host.lines());
            assertTrue(ran.out().lines().anyMatch(USER::equals), ran.out());
            assertTrue(ran.out().lines().anyMatch(("with " + ONLY_STANDARD_DESCRIPTORS)::equals), ran.out());
            String uid = run(List.of("id", "-u", USER), "", Map.of()).out().strip();
            String items = "service=" + service + " user=" + USER + " ruser=root tty=";
            assertEquals(List.of("open_session " + items + " pid=", "command uid=" + uid, "close_session " + items + " pid="),
                    host.events().stream().map(l -> l.replaceAll("tty=\\S*", "tty=").replaceAll("pid=\\d+", "pid="))
                            .toList(), service + ": " + host.lines());
            host.assertWhereTheModuleRan(where);

            Files.writeString(host.record(), "");
            service(service, "auth sufficient pam_rootok.so\naccount required pam_permit.so\n"
                    + "session required " + host.module("session=deny") + "\n");
            Result refused = run(command, "", Map.of());
            assertNotEquals(0, refused.exit(), refused.out());
            assertTrue(refused.out().contains("cannot open session"), refused.out());
            assertFalse(host.lines().stream().anyMatch(l -> l.startsWith("command")), service + ": " + host.lines());
        }
    }
}
