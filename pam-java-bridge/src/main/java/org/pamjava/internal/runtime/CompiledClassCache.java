package org.pamjava.internal.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiled {@code .java} modules on disk, keyed by a hash of what the compilation read (source,
 * JDK, API, class path), so a new process loads the classes instead of running the compiler. The
 * directory must belong to the effective user, have mode 0700 and not be a symbolic link, and
 * every directory above it must be safe ({@link TrustedPaths}), else someone else could put
 * classes there; when it is not, the cache is not used and modules are compiled in memory.
 * A missing directory is made so, whatever the umask, and as root owned by root:root (never with
 * the group of a setuid host's caller). Each entry, and each file in it, is checked again before
 * its classes are loaded: a file that is not the owner's alone is never loaded.
 *
 * <p>Layout: {@code <dir>/<hash>/module-class} names the module class; {@code <dir>/<hash>/<binary
 * name>.class} are the class files. Entries appear whole (written aside, then renamed).
 */
final class CompiledClassCache {
    private static final String MAIN_FILE = "module-class";
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int GROUP_OR_OTHERS_WRITE = 0022;
    private static final java.util.Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.fromString("rwx------");
    private static final java.util.Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final int owner;

    private CompiledClassCache(Path dir, int owner) {
        this.dir = dir;
        this.owner = owner;
    }

    /** The cache in {@code dir} (made if missing, see above), or {@code null} with a log line if unusable. */
    static CompiledClassCache open(Path dir, Diagnostics log) {
        int self = TrustedPaths.effectiveUidOfProcess();
        String problem;
        try {
            problem = prepare(dir.toAbsolutePath().normalize(), self);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            problem = e.toString();
        }
        if (problem != null) {
            log.log(Diagnostics.LOG_WARNING, "not caching compiled modules in " + dir + ": " + problem
                    + "; .java modules are compiled in memory by every process");
            return null;
        }
        return new CompiledClassCache(dir, self);
    }

    /** Makes {@code dir} and any missing directory above it; why it cannot be used, or null. */
    private static String prepare(Path dir, int self) throws IOException {
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        Path existing = dir;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            missing.push(existing);
            existing = existing.getParent();
        }
        if (existing == null) {
            return "no directory above it exists";
        }
        if (!missing.isEmpty()) {
            // Where no one else can write, no one can come between the mkdir and the checks.
            String problem = TrustedPaths.problem(existing, self);
            if (problem != null) {
                return "not creating it: " + problem;
            }
            while (!missing.isEmpty()) {
                createOwnerOnly(missing.pop(), self);
            }
        }
        Map<String, Object> st = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) st.get("mode");
        int uid = (Integer) st.get("uid");
        if ((mode & S_IFMT) != S_IFDIR) {
            return "it is not a directory (a symbolic link is not followed)";
        }
        if ((mode & 07777) != 0700) {
            return "its mode is " + Integer.toOctalString(mode & 07777) + ", not 700";
        }
        if (uid != self) {
            return dir + " belongs to uid " + uid + ", not " + self;
        }
        return TrustedPaths.problem(dir, self);
    }

    /**
     * mkdir(2) with mode 0700, then the mode set again (a umask such as 0777 takes bits away, none
     * can add any) and, as root, the group made root's: mkdir gives the effective group, which in a
     * setuid host like su is the caller's.
     */
    private static void createOwnerOnly(Path dir, int self) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } catch (FileAlreadyExistsException raced) {
            return; // made by another process meanwhile: checked like any existing directory
        }
        if (self == 0) {
            Files.setAttribute(dir, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
        }
        Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY);
    }

    /** The cached classes for {@code key}, or {@code null} (then the module is compiled again). */
    CompiledModule read(String key, Diagnostics log) {
        Path entry = dir.resolve(key);
        try {
            String problem = problemWith(entry, S_IFDIR);
            if (problem != null) {
                return refuse(entry, problem, log);
            }
            // File.list, not Files.newDirectoryStream: closing the latter (a SecureDirectoryStream)
            // links a method handle, and the java.lang.invoke and ClassFile classes that brings
            // would be in the AOT cache, loaded at every start.
            String[] names = entry.toFile().list();
            if (names == null) {
                return null;
            }
            Map<String, byte[]> classes = new HashMap<>();
            String main = null;
            for (String name : names) {
                boolean classFile = name.endsWith(".class");
                if (classFile || name.equals(MAIN_FILE)) {
                    Path file = entry.resolve(name);
                    problem = problemWith(file, S_IFREG);
                    if (problem != null) {
                        return refuse(entry, problem, log);
                    }
                    byte[] bytes = ModuleLoader.readFile(file);
                    if (classFile) {
                        classes.put(name.substring(0, name.length() - ".class".length()), bytes);
                    } else {
                        main = new String(bytes, StandardCharsets.UTF_8).strip();
                    }
                }
            }
            return main != null && classes.containsKey(main) ? new CompiledModule(main, classes) : null;
        } catch (NoSuchFileException notCached) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Why {@code file} (an entry or a file in one) must not be loaded: not of {@code type} (a
     * symbolic link never is), not the cache owner's, or writable by others; null if it may.
     */
    private String problemWith(Path file, int type) throws IOException {
        Map<String, Object> st = Files.readAttributes(file, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) st.get("mode");
        int uid = (Integer) st.get("uid");
        if ((mode & S_IFMT) != type) {
            return file + " is not a " + (type == S_IFDIR ? "directory" : "regular file");
        }
        if (uid != owner) {
            return file + " is owned by uid " + uid + ", not " + owner;
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            return file + " is writable by group or others";
        }
        return null;
    }

    /** Logs why an entry is not used and moves it aside (for whoever looks into it), so a fresh one can be stored. */
    private CompiledModule refuse(Path entry, String problem, Diagnostics log) {
        Path aside = entry.resolveSibling(".refused-" + entry.getFileName());
        boolean moved;
        try {
            if (Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(aside); // the one refused before; this one is the news
            }
            Files.move(entry, aside, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } catch (IOException | UnsupportedOperationException e) {
            moved = false;
        }
        log.log(Diagnostics.LOG_WARNING, "not loading the cached classes in " + entry + ": " + problem
                + (moved ? "; moved to " + aside : "") + "; compiling the module again");
        return null;
    }

    /** Stores {@code module} under {@code key}; failures only cost a later recompilation. */
    void write(String key, CompiledModule module, Diagnostics log) {
        Path temp = null;
        try {
            temp = Files.createTempDirectory(dir, ".incoming-");
            // Modes set explicitly: the files must pass read's checks whatever the umask was.
            Files.setPosixFilePermissions(temp, OWNER_ONLY_DIRECTORY);
            for (var e : module.classes().entrySet()) {
                writeOwnerOnly(temp.resolve(e.getKey() + ".class"), e.getValue());
            }
            writeOwnerOnly(temp.resolve(MAIN_FILE), (module.mainClass() + "\n").getBytes(StandardCharsets.UTF_8));
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

    private static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Leftovers are named .incoming-* and harmless.
        }
    }
}
