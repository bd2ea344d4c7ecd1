package org.pamjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} and {@code simulate} on the two include problems libpam does not survive: an
 * include without a file name (pam_start crashes) and includes that multiply (pam_start reads for
 * minutes or for ever). Both commands finish, and neither passes the configuration.
 */
class IncludeProblemsTest {
    @TempDir
    Path dir;

    private String check() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(Main.FAILED, CheckCommand.run(List.of(dir.toString())));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkNamesTheLineLibpamCrashesOn() throws Exception {
        Files.writeString(dir.resolve("crashy"), "auth required pam_permit.so\nauth include\n");
        String out = check();
        assertTrue(out.contains(dir.resolve("crashy") + ":2: error: include without a file name: libpam crashes on this line"), out);
    }

    @Test
    void checkReportsIncludesThatMultiply() throws Exception {
        Files.writeString(dir.resolve("doubling"), "auth include d0\n");
        for (int i = 0; i < 20; i++) {
            Files.writeString(dir.resolve("d" + i), "auth include d" + (i + 1) + "\nauth include d" + (i + 1) + "\n");
        }
        Files.writeString(dir.resolve("d20"), "auth required pam_permit.so\n");
        String out = check();
        assertTrue(out.contains(dir.resolve("doubling") + ": error: include expansion exceeds"), out);
    }

    @Test
    void simulateRefusesBoth() throws Exception {
        Files.writeString(dir.resolve("crashy"), "@include\n");
        // Debian's libpam, and so simulate, looks up relative include names in /etc/pam.d
        String self = dir.resolve("twice").toString();
        Files.writeString(dir.resolve("twice"), "auth include " + self + "\nauth include " + self + "\n");
        UsageException crash = assertThrows(UsageException.class,
                () -> SimulateCommand.run(List.of("--confdir", dir.toString(), "crashy", "alice", "auth")));
        assertTrue(crash.getMessage().contains("libpam's pam_start would crash the host"), crash.getMessage());
        UsageException twice = assertThrows(UsageException.class,
                () -> SimulateCommand.run(List.of("--confdir", dir.toString(), "twice", "alice", "auth")));
        assertTrue(twice.getMessage().contains("include expansion exceeds"), twice.getMessage());
    }
}
