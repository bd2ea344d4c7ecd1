package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pamjava.itsupport.PrivateSystem;

/**
 * pamtester (Debian's package, a real PAM application reading /etc/pam.d) drives a service that
 * uses pam_java.so with the example TOTP module: it succeeds and fails as the module decides.
 * The service is written to /etc/pam.d, so the test runs only in scripts/private-system.sh's copy.
 */
class PamtesterTest {
    private static final String SECRET = "JBSWY3DPEHPK3PXP";

    record Result(int exit, String output) {}

    private static Result pamtester(String service, String answer) throws Exception {
        Process p = new ProcessBuilder("pamtester", "-v", service, "alice", "authenticate")
                .redirectErrorStream(true).start();
        p.getOutputStream().write((answer + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    @Test
    void pamtesterSucceedsAndFailsAsTheJavaModuleDecides() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pamtester")), "pamtester is not installed");
        assumeTrue(Hardening.isRoot(), "writing a service to /etc/pam.d needs root");
        PrivateSystem.require("write a service in /etc/pam.d");
        PamTestBed bed = PamPythonCasesTest.bed("pamtester", PamTestBed.Host.C);
        Path secrets = bed.dir.resolve("totp.secrets");
        Files.writeString(secrets, "alice:" + SECRET + "\n");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
        String service = "pam-java-it-" + ProcessHandle.current().pid();
        Path serviceFile = Path.of("/etc/pam.d", service);
        Path module = Path.of(System.getProperty("pamjava.testModules")).resolve("../../../../examples/totp/TotpModule.java")
                .normalize();
        Files.writeString(serviceFile, "auth required " + PamTestBed.PAM_JAVA + " " + module + " secrets=" + secrets
                + " window=2\naccount required pam_permit.so\n");
        try {
            String code = TotpCode.now(SECRET);
            Result right = pamtester(service, code);
            assertEquals(0, right.exit(), right.output());
            assertTrue(right.output().contains("successfully authenticated"), right.output());
            Result wrong = pamtester(service, String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000));
            assertNotEquals(0, wrong.exit(), wrong.output());
            assertTrue(wrong.output().contains("Authentication failure"), wrong.output());
        } finally {
            Files.deleteIfExists(serviceFile);
        }
    }

    /** The test's own RFC 6238 code, independent of the module under test. */
    static final class TotpCode {
        static String now(String base32) throws Exception {
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            java.io.ByteArrayOutputStream key = new java.io.ByteArrayOutputStream();
            int buffer = 0;
            int bits = 0;
            for (char c : base32.toCharArray()) {
                buffer = (buffer << 5) | alphabet.indexOf(c);
                bits += 5;
                if (bits >= 8) {
                    key.write((buffer >> (bits - 8)) & 0xff);
                    bits -= 8;
                }
            }
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.toByteArray(), "HmacSHA1"));
            byte[] h = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(System.currentTimeMillis() / 30_000).array());
            int o = h[19] & 0xf;
            int v = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
            return String.format("%06d", v % 1_000_000);
        }
    }
}
