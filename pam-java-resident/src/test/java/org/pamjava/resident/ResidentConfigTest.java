package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Defect 7 of issue 14: the service runs only on settings its own parser gives. The launcher has
 * read java_home, jvm_options and cache_dir to start the JVM, and says what it read; a file it
 * read otherwise (a drift between the two readers) is refused. ConfigGrammarTest (pam-java-it)
 * holds the readers themselves to one table.
 */
class ResidentConfigTest {
    private static final String LAUNCHER_JAVA_HOME = "pamjava.launcher.java_home";

    @AfterEach
    void noLauncher() {
        System.clearProperty(LAUNCHER_JAVA_HOME);
    }

    private static Path conf(String text) throws IOException {
        Path dir = Files.createDirectories(Path.of("target/resident-config-test")).toAbsolutePath();
        Path file = Files.writeString(dir.resolve("pam_java.conf"), text);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    @Test
    void aFileTheLauncherReadOtherwiseIsRefused() throws IOException {
        Path file = conf("java_home = /opt/jdk\nresident_socket = /run/pj/resident.sock\n");
        System.setProperty(LAUNCHER_JAVA_HOME, "/tmp/evil");
        IOException refused = assertThrows(IOException.class, () -> ResidentConfig.read(file));
        assertTrue(refused.getMessage().contains("the launcher read java_home as '/tmp/evil'"), refused.getMessage());
    }

    @Test
    void aFileTheLauncherReadAlikeIsServed() throws IOException {
        Path file = conf("java_home = /opt/jdk\nresident_socket = /run/pj/resident.sock\n");
        System.setProperty(LAUNCHER_JAVA_HOME, "/opt/jdk");
        assertEquals(Path.of("/run/pj/resident.sock"), ResidentConfig.read(file).residentSocket());
    }

    @Test
    void anOverLongLineIsAnErrorNamingTheLine() throws IOException {
        Path file = conf("timeout = 1\n#" + "x".repeat(8190) + "java_home = /tmp/evil\n");
        PamJavaConf.Invalid refused = assertThrows(PamJavaConf.Invalid.class, () -> ResidentConfig.read(file));
        assertEquals(2, refused.line, refused.getMessage());
    }
}
