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

/**
 * pam_java inside the real hosts it is meant for: util-linux su (setuid, run by an unprivileged
 * user, and run by root) and OpenSSH's sshd on a loopback port, with the example TOTP module asking
 * for a code. They need a test user and service files in /etc/pam.d, so they run only in the private
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
     * Threat 1 through su: the caller's Java variables change nothing, whether an ordinary user runs
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
}
