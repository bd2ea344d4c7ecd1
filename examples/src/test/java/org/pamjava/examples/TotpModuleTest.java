package org.pamjava.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pamjava.PamConstants.PAM_AUTHINFO_UNAVAIL;
import static org.pamjava.PamConstants.PAM_AUTH_ERR;
import static org.pamjava.PamConstants.PAM_IGNORE;
import static org.pamjava.PamConstants.PAM_PROMPT_ECHO_OFF;
import static org.pamjava.PamConstants.PAM_SUCCESS;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.testing.OperationResult;
import org.pamjava.testing.TestStack;
import org.pamjava.testing.TestTransaction;

/** The TOTP example, loaded from its .java file as pam_java.so would, run on the test kit. */
class TotpModuleTest {
    private static final Path MODULE = Path.of("totp/TotpModule.java").toAbsolutePath();
    /** RFC 6238's test key, "12345678901234567890", in base32. */
    private static final String SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    @TempDir
    Path dir;

    private TestStack stack(String extraArgs) throws Exception {
        Path secrets = dir.resolve("totp.secrets");
        Files.writeString(secrets, "alice:" + SECRET + "\n");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
        return TestStack.service("login", "auth required pam_java.so " + MODULE + " secrets=" + secrets
                + extraArgs + "\nauth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n");
    }

    /** The test's own RFC 6238 (SHA-1, 6 digits, 30 s), independent of the module's. */
    static String code(long epochSeconds) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("12345678901234567890".getBytes(), "HmacSHA1"));
        byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(epochSeconds / 30).array());
        int o = h[19] & 0xf;
        int v = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
        return String.format("%06d", v % 1_000_000);
    }

    @Test
    void theRightCodeLogsIn() throws Exception {
        try (TestTransaction pam = stack("").start("alice")) {
            pam.conversation().answer(code(System.currentTimeMillis() / 1000));
            List<OperationResult> results = pam.login();
            assertEquals(List.of(PAM_SUCCESS, PAM_SUCCESS, PAM_SUCCESS, PAM_SUCCESS), results.stream().map(OperationResult::pamCode).toList(),
                    results.toString());
            assertEquals(PAM_PROMPT_ECHO_OFF, pam.conversation().prompts().getFirst().msgStyle());
            assertEquals("Verification code: ", pam.conversation().prompts().getFirst().msg());
        }
    }

    @Test
    void aWrongCodeFailsWithAFailDelay() throws Exception {
        try (TestTransaction pam = stack("").start("alice")) {
            String right = code(System.currentTimeMillis() / 1000);
            pam.conversation().answer(right.equals("000000") ? "111111" : "000000");
            OperationResult result = pam.authenticate();
            assertEquals(PAM_AUTH_ERR, result.pamCode(), result.describe());
            assertEquals(List.of(2_000_000), pam.failDelays());
        }
    }

    @Test
    void aCodeFromTheNeighbouringStepIsAcceptedWithinTheWindow() throws Exception {
        long previousStep = System.currentTimeMillis() / 1000 - 30;
        try (TestTransaction pam = stack(" window=1").start("alice")) {
            pam.conversation().answer(code(previousStep));
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
        }
        try (TestTransaction pam = stack(" window=0").start("alice")) {
            String now = code(System.currentTimeMillis() / 1000);
            String before = code(previousStep);
            pam.conversation().answer(before);
            int expected = before.equals(now) ? PAM_SUCCESS : PAM_AUTH_ERR;
            assertEquals(expected, pam.authenticate().pamCode());
        }
    }

    @Test
    void aUserWithoutASecretFailsOrIsIgnored() throws Exception {
        try (TestTransaction pam = stack("").start("mallory")) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode());
            assertEquals(0, pam.conversation().prompts().size(), "no prompt for a user without a secret");
        }
        try (TestTransaction pam = stack(" nouser=ignore").start("mallory")) {
            // PAM_IGNORE: the rule does not count, and the pam_permit rule after it decides.
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
            assertEquals(PAM_IGNORE, pam.trace().getFirst().result());
        }
    }

    @Test
    void aSecretsFileOthersCanReadIsRefused() throws Exception {
        TestStack stack = stack("");
        Files.setPosixFilePermissions(dir.resolve("totp.secrets"), PosixFilePermissions.fromString("rw-r--r--"));
        try (TestTransaction pam = stack.start("alice")) {
            pam.conversation().answer(code(System.currentTimeMillis() / 1000));
            assertEquals(PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode());
        }
    }
}
