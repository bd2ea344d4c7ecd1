package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;

/**
 * Holes 6 and 7 of issue 13: what a module's class loader and compiler read from a class path is
 * checked, entry by entry, transitively (as root, directories are refused), and classes compiled
 * against a class path jar are not reused once the jar changed.
 */
class ClassPathTrustTest {
    private static final String DECISION = """
            package policy;
            public class Decision { public static int verdict() { return %d; } }
            """;
    private static final String POLICY = """
            package policy;
            public final class Policy { public static final int VERDICT = %d; }
            """;
    private static final String DECIDING_MODULE = """
            import java.util.List;
            import org.pamjava.*;
            public class DecidingModule implements PamModule {
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    return policy.Decision.verdict();
                }
            }
            """;
    private static final String CONSTANT_MODULE = """
            import java.util.List;
            import org.pamjava.*;
            public class ConstantModule implements PamModule {
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    return policy.Policy.VERDICT; // inlined by javac
                }
            }
            """;

    @TempDir
    Path dir;
    final List<String> log = new ArrayList<>();
    final Diagnostics diagnostics = (priority, message) -> log.add(message);

    @BeforeEach
    void asRoot() {
        assumeTrue(TrustedPaths.runningAsRoot(), "the ownership rules are root's");
    }

    private ModuleLoader loader(Path cache, List<Path> classPath) {
        return new ModuleLoader(dir, cache, classPath, diagnostics);
    }

    private String refusal(ModuleLoader loader, String module) {
        ModuleLoadException e = assertThrows(ModuleLoadException.class, () -> loader.load(module, diagnostics));
        assertEquals(PamConstants.PAM_OPEN_ERR, e.pamCode());
        return e.getMessage();
    }

    /** A root-owned directory, closed to others, holding a subdirectory someone else owns. */
    private Path directoryWithAForeignSubdirectory() throws Exception {
        Path lib = TestJars.classes(Files.createDirectories(dir.resolve("lib")), Map.of("policy.Decision",
                DECISION.formatted(PamConstants.PAM_SUCCESS)));
        TestJars.chown(lib.resolve("policy"), 65534);
        TestJars.chown(lib.resolve("policy/Decision.class"), 65534);
        return lib;
    }

    @Test
    void aClassPathDirectoryIsRefusedNamingItBeforeTheCompilerReadsIt() throws Exception {
        Path lib = directoryWithAForeignSubdirectory();
        Files.writeString(dir.resolve("DecidingModule.java"), DECIDING_MODULE);
        String message = refusal(loader(null, List.of(lib)), "DecidingModule.java");
        assertEquals("refusing class_path entry " + lib + ": it is a directory; running as root, pam_java accepts"
                + " only jar files on a class path (the files in a directory are not checked one by one)", message);
        assertTrue(log.stream().noneMatch(l -> l.startsWith("compiled")), "javac never ran: " + log);
    }

    @Test
    void aDirectoryInAJarsClassPathIsRefused() throws Exception {
        Path lib = directoryWithAForeignSubdirectory();
        TestJars.jar(dir.resolve("module.jar"), Map.of("DecidingModule", DECIDING_MODULE,
                "policy.Decision", DECISION.formatted(7)), "DecidingModule", "lib/");
        assertEquals("refusing Class-Path entry of " + dir.resolve("module.jar") + " " + lib + ": it is a directory;"
                + " running as root, pam_java accepts only jar files on a class path (the files in a directory are"
                + " not checked one by one)", refusal(loader(null, List.of()), "module.jar"));
        // Also when a class_path jar names it: the JDK follows Class-Path from every jar it opens.
        Path api = TestJars.jar(dir.resolve("helpers.jar"), Map.of("policy.Helper", "package policy; public class Helper {}"),
                null, "lib/");
        Files.writeString(dir.resolve("DecidingModule.java"), DECIDING_MODULE);
        assertTrue(refusal(loader(null, List.of(api)), "DecidingModule.java")
                .startsWith("refusing Class-Path entry of " + api + " " + lib + ": it is a directory"));
    }

    @Test
    void aJarNamedByTheClassPathOfAnotherMustBeSafeToo() throws Exception {
        Path open = Files.createDirectories(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        TestJars.jar(open.resolve("decision.jar"), Map.of("policy.Decision", DECISION.formatted(0)), null, null);
        Path library = TestJars.jar(dir.resolve("library.jar"), Map.of("policy.Unused", "package policy; class Unused {}"),
                null, "open/decision.jar");
        Files.writeString(dir.resolve("DecidingModule.java"), DECIDING_MODULE);
        assertEquals("refusing Class-Path entry of " + library + " " + open.resolve("decision.jar") + ": " + open
                + " is writable by group or others", refusal(loader(null, List.of(library)), "DecidingModule.java"));
        // A jar module's dependency, one level further down.
        TestJars.jar(dir.resolve("module.jar"), Map.of("Jarred", DECIDING_MODULE.replace("DecidingModule", "Jarred"),
                "policy.Decision", DECISION.formatted(7)), "Jarred", "library.jar");
        assertTrue(refusal(loader(null, List.of()), "module.jar").startsWith("refusing Class-Path entry of " + library
                + " " + open.resolve("decision.jar")));
    }

    @Test
    void classPathCyclesAndSafeJarsLoad() throws Exception {
        TestJars.jar(dir.resolve("a.jar"), Map.of("policy.Decision", DECISION.formatted(7)), null, "b.jar");
        TestJars.jar(dir.resolve("b.jar"), Map.of("policy.Other", "package policy; class Other {}"), null, "a.jar");
        Files.writeString(dir.resolve("DecidingModule.java"), DECIDING_MODULE);
        assertEquals(7, loader(null, List.of(dir.resolve("b.jar"))).load("DecidingModule.java", diagnostics)
                .authenticate(null, 0, List.of()));
    }

    @Test
    void aReplacedClassPathJarMeansARecompilationInThisProcessAndTheNext() throws Exception {
        Path jar = TestJars.jar(dir.resolve("policy.jar"), Map.of("policy.Policy", POLICY.formatted(0)), null, null);
        Files.writeString(dir.resolve("ConstantModule.java"), CONSTANT_MODULE);
        Path cache = dir.resolve("cache/classes");
        ModuleLoader longLived = loader(cache, List.of(jar));
        assertEquals(0, longLived.load("ConstantModule.java", diagnostics).authenticate(null, 0, List.of()));
        assertEquals(0, loader(cache, List.of(jar)).load("ConstantModule.java", diagnostics)
                .authenticate(null, 0, List.of()), "the next process: from the disk cache");
        assertEquals(1, log.stream().filter(l -> l.startsWith("compiled ")).count(), log.toString());

        // The administrator revokes: the same path, new content.
        TestJars.jar(jar, Map.of("policy.Policy", POLICY.formatted(PamConstants.PAM_AUTH_ERR)), null, null);
        assertEquals(PamConstants.PAM_AUTH_ERR, loader(cache, List.of(jar)).load("ConstantModule.java", diagnostics)
                .authenticate(null, 0, List.of()), "a new process");
        assertEquals(PamConstants.PAM_AUTH_ERR, longLived.load("ConstantModule.java", diagnostics)
                .authenticate(null, 0, List.of()), "a long-lived one (the resident service)");
        assertEquals(2, log.stream().filter(l -> l.startsWith("compiled ")).count(), log.toString());
    }

    @Test
    void aClassPathJarRewrittenInPlaceChangesTheKeyToo() throws Exception {
        Path jar = TestJars.jar(dir.resolve("policy.jar"), Map.of("policy.Policy", POLICY.formatted(0)), null, null);
        String before = ClassPathResolver.identityOf(jar);
        byte[] bytes = Files.readAllBytes(jar);
        Files.write(jar, bytes); // same bytes, same inode: only the times tell
        assertTrue(!before.equals(ClassPathResolver.identityOf(jar)), before);
    }
}
