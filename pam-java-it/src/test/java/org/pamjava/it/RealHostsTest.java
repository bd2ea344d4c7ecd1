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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pam_java inside the real hosts it is meant for: util-linux su (setuid, run by an unprivileged
 * user) and OpenSSH's sshd on a loopback port, with the example TOTP module asking for a code.
 * The suite sets up a test user and PAM service files and removes them afterwards.
 */
class RealHostsTest {
    static final String USER = "pamjava-it";
    static final String SECRET = "JBSWY3DPEHPK3PXP";
    static final Path TOTP = PamTestBed.MODULES.resolve("../../../../examples/totp/TotpModule.java").normalize();
    static boolean createdUser;

    record Result(int exit, String out) {}

    @BeforeAll
    static void testUser() throws Exception {
        assumeTrue(Hardening.isRoot(), "real hosts need root to set up");
        if (run(List.of("id", USER), "", Map.of()).exit() != 0) {
            assertEquals(0, run(List.of("useradd", "--no-create-home", "--shell", "/bin/sh", USER), "", Map.of()).exit());
            createdUser = true;
        }
    }

    @AfterAll
    static void removeTestUser() throws Exception {
        if (createdUser) {
            run(List.of("userdel", USER), "", Map.of());
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

    /** Replaces /etc/pam.d/NAME for the duration of {@code body}, restoring it even if the test fails. */
    static void withService(String name, String content, ThrowingRunnable body) throws Exception {
        Path file = Path.of("/etc/pam.d", name);
        byte[] original = Files.exists(file) ? Files.readAllBytes(file) : null;
        Thread restore = new Thread(() -> restore(file, original));
        Runtime.getRuntime().addShutdownHook(restore);
        try {
            Files.writeString(file, content);
            body.run();
        } finally {
            restore(file, original);
            Runtime.getRuntime().removeShutdownHook(restore);
        }
    }

    private static void restore(Path file, byte[] original) {
        try {
            if (original == null) {
                Files.deleteIfExists(file);
            } else {
                Files.write(file, original);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void suWithAJavaSecondFactorLetsTheRightCodeInAndKeepsAWrongOneOut() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/su")) && Files.isExecutable(Path.of("/usr/bin/setpriv")));
        PamTestBed bed = Hardening.bed("su");
        Files.setPosixFilePermissions(bed.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String stack = "auth required " + PamTestBed.PAM_JAVA + " " + TOTP + " secrets=" + secrets(bed) + " window=2\n"
                + "account required pam_permit.so\nsession required pam_permit.so\n";
        List<String> asUser = List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups",
                "su", "-c", "id -un", "root");
        Path marker = bed.dir.resolve("agent-ran");
        withService("su", stack, () -> {
            String code = PamtesterTest.TotpCode.now(SECRET);
            Result right = run(asUser, code + "\n", Map.of());
            assertEquals(0, right.exit(), right.out());
            assertTrue(right.out().contains("root"), right.out());
            Result wrong = run(asUser, wrongCode(code) + "\n", Map.of());
            assertNotEquals(0, wrong.exit(), wrong.out());
            assertTrue(wrong.out().contains("Authentication failure"), wrong.out());
            assertFalse(wrong.out().contains("\nroot"), wrong.out());
            // Threat 1 through su: the invoking user's Java variables change nothing.
            Map<String, String> attack = Map.of(
                    "JAVA_TOOL_OPTIONS", "-javaagent:" + bed.dir.resolve("evil.jar") + " -XX:+PrintFlagsFinal",
                    "_JAVA_OPTIONS", "-XX:+PrintVMOptions",
                    "CLASSPATH", bed.dir.toString(), "_JAVA_SR_SIGNUM", "14", "JAVA_HOME", "/nonexistent");
            Result attacked = run(asUser, PamtesterTest.TotpCode.now(SECRET) + "\n", attack);
            assertEquals(0, attacked.exit(), attacked.out());
            assertFalse(attacked.out().contains("Picked up") || attacked.out().contains("UseSerialGC"), attacked.out());
            assertFalse(Files.exists(marker));
        });
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
        Files.createDirectories(Path.of("/run/sshd"));
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
        withService("sshd-pamjava", stack, () -> {
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
        });
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
