package org.pamjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How check reads pam_java.conf where no root is needed: the grammar's words, a symbolic link
 * (pam_java.so opens the file with O_NOFOLLOW), a missing file (every default) and the class_path
 * it gives. (Root's refusals are compared with pam_java.so's own records in pam-java-app-it and
 * pam-java-it.)
 */
class PamJavaSetupTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingFileMeansEveryDefault() {
        PamJavaSetup setup = PamJavaSetup.read(tmp.resolve("pam_java.conf"), tmp.resolve("cache"), null);
        assertEquals(List.of(), setup.classPath());
        assertEquals(tmp.resolve("cache"), setup.cacheDir());
        assertTrue(setup.notes().getFirst().endsWith("does not exist: pam_java.so uses every setting's default"), setup.toString());
    }

    @Test
    void aSymbolicLinkIsRefusedAsOpenWithNoFollowRefusesIt() throws Exception {
        Path real = Files.writeString(tmp.resolve("real.conf"), "class_path = /opt/a.jar\n");
        Path link = Files.createSymbolicLink(tmp.resolve("pam_java.conf"), real);
        PamJavaSetup setup = PamJavaSetup.read(link, tmp.resolve("cache"), null);
        assertEquals(List.of("cannot open " + link + ": Too many levels of symbolic links"), setup.problems());
    }

    @Test
    void aDanglingSymbolicLinkIsRefusedTooNotTakenForAMissingFile() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("pam_java.conf"), tmp.resolve("gone.conf"));
        PamJavaSetup setup = PamJavaSetup.read(link, tmp.resolve("cache"), null);
        assertEquals(List.of("cannot open " + link + ": Too many levels of symbolic links"), setup.problems());
    }

    @Test
    void theClassPathIsReadByPamJavaSosGrammar() throws Exception {
        assumeTrue(org.pamjava.runtime.TrustedPaths.runningAsRoot(), "a file root's pam_java.so reads must be root's");
        Path conf = Files.writeString(tmp.resolve("pam_java.conf"), "# extra jars\nclass_path = /opt/a.jar::/opt/b.jar\n");
        PamJavaSetup setup = PamJavaSetup.read(conf, tmp.resolve("cache"), null);
        assertEquals(List.of(Path.of("/opt/a.jar"), Path.of("/opt/b.jar")), setup.classPath(), setup.toString());
    }
}
