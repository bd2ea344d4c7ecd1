package org.pamjava.internal.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiled {@code .java} modules on disk, keyed by a hash of the source (and the Java version), so
 * a new process loads the classes instead of running the compiler. The directory must belong to
 * the effective user and be closed to everyone else, as must every directory above it (else
 * someone else could put classes there); when it is not, the cache is not used.
 *
 * <p>Layout: {@code <dir>/<hash>/module-class} names the module class; {@code <dir>/<hash>/<binary
 * name>.class} are the class files. Entries appear whole (written aside, then renamed).
 */
final class CompiledClassCache {
    private static final String MAIN_FILE = "module-class";

    private final Path dir;

    private CompiledClassCache(Path dir) {
        this.dir = dir;
    }

    /** The cache in {@code dir} (created 0700 if missing), or {@code null} with a log line if unusable. */
    static CompiledClassCache open(Path dir, Diagnostics log) {
        try {
            Files.createDirectories(dir.getParent());
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            String problem = problemWith(dir.toRealPath());
            if (problem != null) {
                log.log(Diagnostics.LOG_WARNING, "not caching compiled modules in " + dir + ": " + problem
                        + "; .java modules are compiled in memory by every process");
                return null;
            }
            return new CompiledClassCache(dir);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            log.log(Diagnostics.LOG_WARNING, "not caching compiled modules in " + dir + ": " + e
                    + "; .java modules are compiled in memory by every process");
            return null;
        }
    }

    private static String problemWith(Path dir) throws IOException {
        int mode = (Integer) Files.getAttribute(dir, "unix:mode") & 0777;
        if (mode != 0700) {
            return "its mode is " + Integer.toOctalString(mode) + ", not 700";
        }
        int self = TrustedPaths.effectiveUidOfProcess();
        int owner = (Integer) Files.getAttribute(dir, "unix:uid");
        return owner != self ? dir + " belongs to uid " + owner + ", not " + self : TrustedPaths.problem(dir, self);
    }

    /** The cached classes for {@code key}, or {@code null}. */
    CompiledModule read(String key) {
        Path entry = dir.resolve(key);
        try {
            String main = new String(ModuleLoader.readFile(entry.resolve(MAIN_FILE)), StandardCharsets.UTF_8).strip();
            Map<String, byte[]> classes = new HashMap<>();
            // File.list, not Files.newDirectoryStream: closing the latter (a SecureDirectoryStream)
            // links a method handle, and the java.lang.invoke and ClassFile classes that brings
            // would be in the AOT cache, loaded at every start.
            String[] names = entry.toFile().list();
            if (names == null) {
                return null;
            }
            for (String name : names) {
                if (name.endsWith(".class")) {
                    classes.put(name.substring(0, name.length() - ".class".length()),
                            ModuleLoader.readFile(entry.resolve(name)));
                }
            }
            return classes.containsKey(main) ? new CompiledModule(main, classes) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Stores {@code module} under {@code key}; failures only cost a later recompilation. */
    void write(String key, CompiledModule module, Diagnostics log) {
        Path temp = null;
        try {
            temp = Files.createTempDirectory(dir, ".incoming-");
            for (var e : module.classes().entrySet()) {
                Files.write(temp.resolve(e.getKey() + ".class"), e.getValue());
            }
            Files.writeString(temp.resolve(MAIN_FILE), module.mainClass() + "\n", StandardCharsets.UTF_8);
            Files.move(temp, dir.resolve(key), StandardCopyOption.ATOMIC_MOVE);
            temp = null;
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
            // Another process stored the same module first.
        } catch (IOException e) {
            log.log(Diagnostics.LOG_WARNING, "cannot cache compiled module in " + dir + ": " + e);
        } finally {
            if (temp != null) {
                deleteTree(temp);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Leftovers are named .incoming-* and harmless.
        }
    }
}
