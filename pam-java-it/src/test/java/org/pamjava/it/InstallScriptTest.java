package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make install} and {@code make uninstall} (scripts/install.sh) into a DESTDIR, as a
 * {@code PREFIX=/usr/local} installation: uninstalling removes pam_java's files and nothing an
 * admin put beside them, above all not the jar modules {@code pam-java new --jar} tells root to
 * install under /usr/local/lib/pam-java, which PAM rules name (deleting them locks services out).
 */
class InstallScriptTest {
    private static final Path PROJECT = PamTestBed.DIST.getParent();

    @TempDir
    Path destdir;

    @Test
    void uninstallRemovesPamJavasFilesAndKeepsTheAdminsJarModulesAndTheConfiguration() throws Exception {
        installScript();
        Path trace = destdir.resolve("usr/local/lib/pam-java/pam_java_trace.so");
        assertTrue(Files.isRegularFile(trace), "install put the tracing module in lib/pam-java");
        // What `pam-java new --jar` prints, done by root: a module of the admin's own there.
        Path module = destdir.resolve("usr/local/lib/pam-java/pin-check/pin-check.jar");
        Path dependency = module.resolveSibling("lib/commons-codec-1.17.1.jar");
        Files.createDirectories(dependency.getParent());
        Files.writeString(module, "the admin's module");
        Files.writeString(dependency, "its dependency");

        installScript("uninstall");
        assertTrue(Files.isRegularFile(module) && Files.isRegularFile(dependency), "uninstall kept the admin's jar module and its lib/");
        assertEquals("the admin's module", Files.readString(module));
        assertEquals("its dependency", Files.readString(dependency));
        assertTrue(Files.notExists(trace), "uninstall removed the tracing module");
        Path conf = destdir.resolve("etc/security/pam_java.conf");
        try (Stream<Path> files = Files.walk(destdir)) {
            List<Path> left = files.filter(path -> !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            assertEquals(List.of(conf, dependency, module).stream().sorted().toList(), left,
                    "uninstall leaves the configuration and the admin's files, nothing of pam_java's");
        }
    }

    @Test
    void uninstallRemovesLibPamJavaWhenOnlyPamJavasFilesWereThere() throws Exception {
        installScript();
        installScript("uninstall");
        assertTrue(Files.notExists(destdir.resolve("usr/local/lib/pam-java")), "an empty lib/pam-java is removed");
    }

    /** install.sh, installing (no ARGS) or with ARGS ({@code uninstall}), into the test's DESTDIR. */
    private void installScript(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of("bash", PROJECT.resolve("scripts/install.sh").toString()),
                Stream.of(args)).toList()).redirectErrorStream(true);
        pb.environment().put("DESTDIR", destdir.toString());
        pb.environment().put("PREFIX", "/usr/local");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "install.sh " + String.join(" ", args) + ":\n" + out);
    }
}
