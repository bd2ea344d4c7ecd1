package org.pamjava.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * <p>Layout: {@code <dir>/<hash>/module-class} names the module class and lists each class file
 * with its size and CRC32C; {@code <dir>/<hash>/<binary name>.class} are the class files. Entries
 * appear whole and durable (written aside and fsynced, then renamed); a damaged one is moved aside
 * and rebuilt by the call that finds it.
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

    /**
     * The cached classes for {@code key}, or {@code null} (then the module is compiled again). An
     * entry whose files do not match what {@code module-class} lists (a class file damaged,
     * truncated or missing, {@code module-class} empty or cut short, or written by a version that
     * listed no checksums) is moved aside like a refused one, so this very call compiles the module
     * and stores a fresh entry: a damaged entry costs one compilation, never the module.
     */
    CompiledModule read(String key, Diagnostics log) {
        Path entry = dir.resolve(key);
        try {
            String problem = problemWith(entry, S_IFDIR);
            if (problem != null) {
                return refuse(entry, problem, log);
            }
            Path listing = entry.resolve(MAIN_FILE);
            problem = problemWith(listing, S_IFREG);
            if (problem != null) {
                return refuse(entry, problem, log);
            }
            String[] lines = new String(ModuleLoader.readFile(listing), StandardCharsets.UTF_8).split("\n", -1);
            // module-class: the main class, one line "CRC32C SIZE NAME" per class file, and an empty
            // last line, which a file cut short lacks.
            if (lines.length < 3 || !lines[lines.length - 1].isEmpty() || lines[0].isBlank()) {
                return refuse(entry, listing + " is empty, cut short or from an earlier version", log);
            }
            String main = lines[0];
            Map<String, byte[]> classes = new HashMap<>();
            for (int i = 1; i < lines.length - 1; i++) {
                String[] fields = lines[i].split(" ", 3);
                if (fields.length != 3) {
                    return refuse(entry, listing + " line " + (i + 1) + " is not CRC32C SIZE NAME", log);
                }
                Path file = entry.resolve(fields[2] + ".class");
                if (!file.getParent().equals(entry)) {
                    return refuse(entry, listing + " names " + fields[2] + ", not a file of the entry", log);
                }
                problem = problemWith(file, S_IFREG);
                if (problem != null) {
                    return refuse(entry, problem, log);
                }
                byte[] bytes = ModuleLoader.readFile(file);
                if (!fields[0].equals(crc32c(bytes)) || !fields[1].equals(Integer.toString(bytes.length))) {
                    return refuse(entry, file + " is damaged (" + bytes.length + " bytes, CRC32C " + crc32c(bytes)
                            + "; written as " + fields[1] + " bytes, CRC32C " + fields[0] + ")", log);
                }
                classes.put(fields[2], bytes);
            }
            if (!classes.containsKey(main)) {
                return refuse(entry, listing + " names main class " + main + " but lists no class file for it", log);
            }
            return new CompiledModule(main, classes);
        } catch (NoSuchFileException notCached) {
            if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                return refuse(entry, "a file of it is missing: " + notCached.getMessage(), log);
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The CRC32C of {@code bytes}, in hex: a check against damage; the trust checks stand against people. */
    private static String crc32c(byte[] bytes) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes);
        return Long.toHexString(crc.getValue());
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

    /**
     * Stores {@code module} under {@code key}; failures only cost a later recompilation. Durable
     * before it is visible: every file is written and fsynced in a directory aside, that directory
     * fsynced, renamed into place, and the cache directory fsynced, so a crash or power loss
     * leaves either no entry or a whole one (and {@link #read} drops anything else).
     */
    void write(String key, CompiledModule module, Diagnostics log) {
        Path temp = null;
        try {
            temp = Files.createTempDirectory(dir, ".incoming-");
            // Modes set explicitly: the files must pass read's checks whatever the umask was.
            Files.setPosixFilePermissions(temp, OWNER_ONLY_DIRECTORY);
            StringBuilder listing = new StringBuilder(module.mainClass()).append('\n');
            for (var e : module.classes().entrySet()) {
                writeOwnerOnly(temp.resolve(e.getKey() + ".class"), e.getValue());
                listing.append(crc32c(e.getValue())).append(' ').append(e.getValue().length).append(' ')
                        .append(e.getKey()).append('\n');
            }
            writeOwnerOnly(temp.resolve(MAIN_FILE), listing.toString().getBytes(StandardCharsets.UTF_8));
            fsync(temp);
            Files.move(temp, dir.resolve(key), StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            fsync(dir);
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
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
    }

    /** fsync(2) of a directory, so the names in it (a new file, a rename) survive a crash. */
    private static void fsync(Path directory) throws IOException {
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static void deleteTree(Path root) {
        // A loop, not a lambda: this class is on pam_java's call path (CallPathClassesTest).
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().delete();
            }
        } catch (IOException ignored) {
            // Leftovers are named .incoming-* and harmless.
        }
    }
}
