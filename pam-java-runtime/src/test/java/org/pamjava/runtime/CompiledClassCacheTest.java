package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hole 1 of issue 13, the Java side: the compiled-class cache is made owner-only whatever the
 * umask, used only when safe, and an entry someone else could have written is never loaded.
 * (The umask and a setuid caller's group are shown through the real host in RuntimeTrustTest.)
 */
class CompiledClassCacheTest {
    private static final String KEY = "0123abcd";
    private static final CompiledModule MODULE = new CompiledModule("Probe", Map.of("Probe", new byte[] {1, 2, 3},
            "Probe$Inner", new byte[] {4}));

    @TempDir
    Path dir;
    final List<String> log = new ArrayList<>();
    final Diagnostics diagnostics = (priority, message) -> log.add(message);

    @BeforeEach
    void asRoot() {
        assumeTrue(TrustedPaths.runningAsRoot(), "the ownership rules are root's");
    }

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private CompiledClassCache cacheWithEntry() throws Exception {
        CompiledClassCache cache = CompiledClassCache.open(dir.resolve("classes"), diagnostics);
        assertNotNull(cache, log.toString());
        cache.write(KEY, MODULE, diagnostics);
        return cache;
    }

    @Test
    void missingDirectoriesAreMadeRootOnlyOwnedByRootRoot() throws Exception {
        Path cache = dir.resolve("var/cache/classes");
        assertNotNull(CompiledClassCache.open(cache, diagnostics), log.toString());
        for (Path p : List.of(cache, cache.getParent(), cache.getParent().getParent())) {
            assertEquals(0700, mode(p), p.toString());
            assertEquals(0, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(0, Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aCacheDirectoryThatIsASymlinkOrOpenIsNotUsed() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(dir.resolve("classes"), real);
        assertNull(CompiledClassCache.open(link, diagnostics));
        assertTrue(log.get(0).contains("it is not a directory (a symbolic link is not followed)"), log.toString());

        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNull(CompiledClassCache.open(real, diagnostics));
        assertTrue(log.get(1).contains("its mode is 777, not 700"), log.toString());
    }

    @Test
    void entriesAreWrittenOwnerOnlyAndReadBack() throws Exception {
        CompiledClassCache cache = cacheWithEntry();
        Path entry = dir.resolve("classes").resolve(KEY);
        assertEquals(0700, mode(entry));
        assertEquals(0600, mode(entry.resolve("Probe.class")));
        assertEquals(0600, mode(entry.resolve("module-class")));
        CompiledModule read = cache.read(KEY, diagnostics);
        assertEquals("Probe", read.mainClass());
        assertEquals(MODULE.classes().keySet(), read.classes().keySet());
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void aClassFileOwnedBySomeoneElseIsNeverLoaded() throws Exception {
        CompiledClassCache cache = cacheWithEntry();
        Path entry = dir.resolve("classes").resolve(KEY);
        TestJars.chown(entry.resolve("Probe$Inner.class"), 65534);
        assertNull(cache.read(KEY, diagnostics));
        assertTrue(log.get(0).startsWith("not loading the cached classes in " + entry + ": " + entry.resolve("Probe$Inner.class")
                + " is owned by uid 65534, not 0; moved to "), log.toString());
        // Moved aside, so the next compilation's classes can take the entry's place.
        assertFalse(Files.exists(entry));
        cache.write(KEY, MODULE, diagnostics);
        assertNotNull(cache.read(KEY, diagnostics));
    }

    @Test
    void writableOrLinkedEntriesAreNeverLoaded() throws Exception {
        CompiledClassCache cache = cacheWithEntry();
        Path entry = dir.resolve("classes").resolve(KEY);
        Files.setPosixFilePermissions(entry.resolve("module-class"), PosixFilePermissions.fromString("rw-rw-rw-"));
        assertNull(cache.read(KEY, diagnostics));
        assertTrue(log.get(0).contains("module-class is writable by group or others"), log.toString());

        cache.write(KEY, MODULE, diagnostics);
        Path planted = Files.write(dir.resolve("planted.class"), new byte[] {9});
        Files.delete(entry.resolve("Probe.class"));
        Files.createSymbolicLink(entry.resolve("Probe.class"), planted);
        assertNull(cache.read(KEY, diagnostics));
        assertTrue(log.get(1).contains("Probe.class is not a regular file"), log.toString());

        cache.write(KEY, MODULE, diagnostics);
        TestJars.chown(entry, 65534);
        assertNull(cache.read(KEY, diagnostics));
        assertTrue(log.get(2).contains(entry + " is owned by uid 65534"), log.toString());
    }

    // Issue 14, defect 4: a damaged entry is dropped and rebuilt, not loaded for ever.

    private void assertDroppedAndRebuilt(CompiledClassCache cache, String why) throws Exception {
        Path entry = dir.resolve("classes").resolve(KEY);
        assertNull(cache.read(KEY, diagnostics), why);
        assertTrue(log.getLast().startsWith("not loading the cached classes in " + entry + ": "), log.toString());
        assertTrue(log.getLast().contains(why), log.toString());
        assertTrue(log.getLast().endsWith("moved to " + dir.resolve("classes/.refused-" + KEY) + "; compiling the module again"),
                log.toString());
        assertFalse(Files.exists(entry), "the damaged entry is out of the way");
        cache.write(KEY, MODULE, diagnostics);
        CompiledModule read = cache.read(KEY, diagnostics);
        assertNotNull(read, log.toString());
        assertEquals(3, read.classes().get("Probe").length);
    }

    @Test
    void aClassFileWithAFlippedByteIsDroppedAndRebuilt() throws Exception {
        CompiledClassCache cache = cacheWithEntry();
        Path probe = dir.resolve("classes").resolve(KEY).resolve("Probe.class");
        Files.write(probe, new byte[] {1, 2, 3 ^ 0x10});
        assertDroppedAndRebuilt(cache, probe + " is damaged");
    }

    @Test
    void aClassFileCutToNothingIsDroppedAndRebuilt() throws Exception {
        CompiledClassCache cache = cacheWithEntry();
        Path inner = dir.resolve("classes").resolve(KEY).resolve("Probe$Inner.class");
        Files.write(inner, new byte[0]);
        assertDroppedAndRebuilt(cache, inner + " is damaged (0 bytes");
    }

    @Test
    void anEmptyOrMissingListingIsDroppedAndRebuilt() throws Exception {
        CompiledClassCache cache = cacheWithEntry();
        Path listing = dir.resolve("classes").resolve(KEY).resolve("module-class");
        Files.write(listing, new byte[0]);
        assertDroppedAndRebuilt(cache, "module-class is empty, cut short or from an earlier version");
        Files.delete(listing);
        assertDroppedAndRebuilt(cache, "a file of it is missing");
    }

    @Test
    void aListingCutShortIsDroppedAndRebuilt() throws Exception {
        CompiledClassCache cache = cacheWithEntry();
        Path listing = dir.resolve("classes").resolve(KEY).resolve("module-class");
        String text = Files.readString(listing);
        Files.writeString(listing, text.substring(0, text.length() - 3));
        assertDroppedAndRebuilt(cache, "module-class");
    }
}
