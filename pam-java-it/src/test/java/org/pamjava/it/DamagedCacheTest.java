package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 14, defect 4, through the real libpam and pam_java.so in the C host: an entry of the
 * compiled-class cache damaged on disk (a flipped byte in a class file, a class file cut to
 * nothing, an empty {@code module-class}) is dropped and rebuilt by the very transaction that
 * finds it, which succeeds; the next process loads the rebuilt entry without compiling.
 */
class DamagedCacheTest {

    @BeforeEach
    void asRoot() {
        assumeTrue(Hardening.isRoot(), "pam_java's cache rules are root's");
    }

    @AfterEach
    void defaultConfiguration() throws IOException {
        Hardening.variantConfig("# defaults");
    }

    /** A fresh module, cached by a first transaction; the cache entry's directory. */
    private static Path cachedModule(PamTestBed bed, Path[] module) throws Exception {
        Path cache = Files.createDirectory(bed.dir.resolve("cache"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Hardening.variantConfig("cache_dir = " + cache);
        module[0] = Files.writeString(bed.dir.resolve("Cached.java"), """
                // %s
                import java.util.List;
                import org.pamjava.*;
                public class Cached implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        return PamConstants.PAM_SUCCESS;
                    }
                }
                """.formatted(UUID.randomUUID()));
        bed.service("svc", "auth required " + Hardening.CONF_VARIANT + " " + module[0]);
        Run first = bed.run(Host.C, "svc", "auth");
        assertCodes(first, "auth", 0);
        String cached = first.authprivLog("cached as ").get(0);
        return cache.resolve("classes").resolve(cached.substring(cached.lastIndexOf(' ') + 1));
    }

    private static void assertRebuiltInTheSameCall(PamTestBed bed, Path module, Path entry) throws Exception {
        Run damaged = bed.run(Host.C, "svc", "auth");
        assertCodes(damaged, "auth", 0);
        assertFalse(damaged.authprivLog("not loading the cached classes in " + entry).isEmpty(), damaged.syslog().toString());
        assertFalse(damaged.authprivLog("compiled " + module).isEmpty(), damaged.syslog().toString());
        assertTrue(Files.size(entry.resolve("module-class")) > 0, "rebuilt");

        Run next = bed.run(Host.C, "svc", "auth");
        assertCodes(next, "auth", 0);
        assertTrue(next.authprivLog("compiled ").isEmpty(), "the rebuilt entry is used: " + next.syslog());
        assertTrue(next.authprivLog("not loading").isEmpty(), next.syslog().toString());
    }

    @Test
    void aClassFileWithAFlippedByteIsRebuilt() throws Exception {
        PamTestBed bed = Hardening.bed("cache-flipped");
        Path[] module = new Path[1];
        Path entry = cachedModule(bed, module);
        Path classFile = entry.resolve("Cached.class");
        byte[] bytes = Files.readAllBytes(classFile);
        bytes[bytes.length / 2] ^= 0x5a;
        bytes[9] ^= 0x7f; // inside the constant pool count: a ClassFormatError when loaded
        Files.write(classFile, bytes);
        assertRebuiltInTheSameCall(bed, module[0], entry);
    }

    @Test
    void aClassFileCutToNothingIsRebuilt() throws Exception {
        PamTestBed bed = Hardening.bed("cache-truncated");
        Path[] module = new Path[1];
        Path entry = cachedModule(bed, module);
        Files.write(entry.resolve("Cached.class"), new byte[0]);
        assertRebuiltInTheSameCall(bed, module[0], entry);
    }

    @Test
    void anEmptyModuleClassFileIsRebuiltNotRecompiledByEveryProcess() throws Exception {
        PamTestBed bed = Hardening.bed("cache-empty-listing");
        Path[] module = new Path[1];
        Path entry = cachedModule(bed, module);
        Files.write(entry.resolve("module-class"), new byte[0]);
        assertEquals(0, Files.size(entry.resolve("module-class")));
        assertRebuiltInTheSameCall(bed, module[0], entry);
    }
}
