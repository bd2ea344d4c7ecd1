package org.pamjava.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;
import javax.lang.model.SourceVersion;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.JavaFileObject.Kind;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;

/**
 * javac's class path, read as the module's class loader reads it: jars through {@link JarFile},
 * directories with plain directory listings and opens, every other location from javac's own
 * file manager.
 *
 * <p>javac's own file manager opens a class path jar as a zip file system, which first asks
 * {@code access(2)} whether the jar is readable, and access(2) answers for the <em>real</em> uid.
 * In a setuid host (su run by an ordinary user) that is the user: a jar the user cannot reach
 * (pam_java's runtime directory made 0700, a {@code class_path} jar in a root-only directory)
 * made the module "not compile" though su, root by its effective uid, could read it and the class
 * loader did load from it. Here every read is an {@code open(2)}, as the effective uid.
 *
 * <p>The answers are javac's: entries in class path order, a package's files (and with
 * {@code recurse} those of its subpackages whose names are identifiers) of the kinds asked for,
 * a multi-release jar seen as this runtime's version sees it (javac's default target is this
 * version too), a missing entry skipped.
 */
final class ClassPathFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
    private final List<Entry> entries;

    private ClassPathFileManager(StandardJavaFileManager standard, List<Entry> entries) {
        super(standard);
        this.entries = entries;
    }

    /**
     * Opens every jar of {@code classPath} now, so that one that cannot be read is reported as
     * such rather than as a missing class. From the call on the result owns {@code standard}
     * (closed with it, or here when opening fails).
     */
    static ClassPathFileManager open(StandardJavaFileManager standard, List<Path> classPath) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try {
            // Nothing falls back to javac's reading of the class path (its default is "." or
            // java.class.path): it is served here alone.
            standard.setLocationFromPaths(StandardLocation.CLASS_PATH, List.of());
            for (Path path : classPath) {
                if (Files.isDirectory(path)) {
                    entries.add(new Directory(path));
                } else {
                    try {
                        entries.add(new Jar(path));
                    } catch (NoSuchFileException e) {
                        // javac skips a class path entry that does not exist, and so does the class loader
                    }
                }
            }
            return new ClassPathFileManager(standard, List.copyOf(entries));
        } catch (IOException | RuntimeException e) {
            for (Entry entry : entries) {
                closeQuietly(entry, e);
            }
            closeQuietly(standard, e);
            throw e;
        }
    }

    @Override
    public boolean hasLocation(Location location) {
        return location == StandardLocation.CLASS_PATH || super.hasLocation(location);
    }

    @Override
    public Iterable<JavaFileObject> list(Location location, String packageName, Set<Kind> kinds, boolean recurse)
            throws IOException {
        if (location != StandardLocation.CLASS_PATH) {
            return super.list(location, packageName, kinds, recurse);
        }
        List<JavaFileObject> files = new ArrayList<>();
        String directory = packageName.replace('.', '/');
        for (Entry entry : entries) {
            entry.list(directory, kinds, recurse, files);
        }
        return files;
    }

    @Override
    public String inferBinaryName(Location location, JavaFileObject file) {
        return file instanceof ClassPathFile f ? f.binaryName : super.inferBinaryName(location, file);
    }

    @Override
    public boolean isSameFile(FileObject a, FileObject b) {
        if (a instanceof ClassPathFile || b instanceof ClassPathFile) {
            return a.toUri().equals(b.toUri()); // javac's own would refuse file objects it did not make
        }
        return super.isSameFile(a, b);
    }

    @Override
    public boolean contains(Location location, FileObject file) throws IOException {
        if (file instanceof ClassPathFile) {
            return location == StandardLocation.CLASS_PATH;
        }
        return super.contains(location, file);
    }

    @Override
    public JavaFileObject getJavaFileForInput(Location location, String className, Kind kind) throws IOException {
        if (location != StandardLocation.CLASS_PATH) {
            return super.getJavaFileForInput(location, className, kind);
        }
        return find(className.replace('.', '/') + kind.extension);
    }

    @Override
    public FileObject getFileForInput(Location location, String packageName, String relativeName)
            throws IOException {
        if (location != StandardLocation.CLASS_PATH) {
            return super.getFileForInput(location, packageName, relativeName);
        }
        return find(packageName.isEmpty() ? relativeName : packageName.replace('.', '/') + "/" + relativeName);
    }

    private JavaFileObject find(String name) throws IOException {
        for (Entry entry : entries) {
            JavaFileObject file = entry.find(name);
            if (file != null) {
                return file;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Entry entry : entries) {
            try {
                entry.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        super.close();
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(AutoCloseable closeable, Exception failure) {
        try {
            closeable.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** Whether every /-separated part of {@code directory} can name a package (javac walks no others). */
    private static boolean packageDirectory(String directory) {
        for (String part : directory.split("/", -1)) {
            if (!SourceVersion.isIdentifier(part)) {
                return false;
            }
        }
        return true;
    }

    private static String child(String directory, String name) {
        return directory.isEmpty() ? name : directory + "/" + name;
    }

    /** A class path entry. */
    private sealed interface Entry extends AutoCloseable permits Jar, Directory {
        /** Adds the files of {@code directory} ("" is the unnamed package) of {@code kinds} to {@code files}. */
        void list(String directory, Set<Kind> kinds, boolean recurse, List<JavaFileObject> files) throws IOException;

        /** The file at {@code name} (a /-separated path in the entry), or null. */
        JavaFileObject find(String name) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A jar, its files indexed by directory once (what javac's own container does when it opens one). */
    private static final class Jar implements Entry {
        private final Path path;
        private final JarFile jar;
        private final Map<String, List<JarEntry>> filesByDirectory = new HashMap<>();

        Jar(Path path) throws IOException {
            this.path = path;
            // Signatures not verified, as javac does not verify them: trust is ownership (TrustedPaths).
            this.jar = new JarFile(path.toFile(), false, ZipFile.OPEN_READ, Runtime.version());
            jar.versionedStream().filter(e -> !e.isDirectory()).forEach(e -> {
                String name = e.getName();
                int slash = name.lastIndexOf('/');
                filesByDirectory.computeIfAbsent(slash < 0 ? "" : name.substring(0, slash), d -> new ArrayList<>())
                        .add(e);
            });
        }

        @Override
        public void list(String directory, Set<Kind> kinds, boolean recurse, List<JavaFileObject> files)
                throws IOException {
            add(filesByDirectory.get(directory), kinds, files);
            if (recurse) {
                String prefix = directory.isEmpty() ? "" : directory + "/";
                for (var d : filesByDirectory.entrySet()) {
                    String below = d.getKey();
                    if (below.length() > prefix.length() && below.startsWith(prefix)
                            && packageDirectory(below.substring(prefix.length()))) {
                        add(d.getValue(), kinds, files);
                    }
                }
            }
        }

        private void add(List<JarEntry> entries, Set<Kind> kinds, List<JavaFileObject> files) throws IOException {
            if (entries != null) {
                for (JarEntry e : entries) {
                    if (kinds.contains(ClassPathFile.kindOf(e.getName()))) {
                        files.add(file(e));
                    }
                }
            }
        }

        @Override
        public JavaFileObject find(String name) throws IOException {
            JarEntry e = jar.getJarEntry(name);
            return e == null || e.isDirectory() ? null : file(e);
        }

        private ClassPathFile file(JarEntry e) throws IOException {
            // Named by where its bytes are (a multi-release jar's META-INF/versions/N/...), as javac names it
            String where = e.getRealName();
            URI uri;
            try {
                uri = new URI("jar", path.toUri() + "!/" + where, null);
            } catch (URISyntaxException x) {
                throw new IOException("cannot name " + where + " in " + path + ": " + x.getMessage(), x);
            }
            return new ClassPathFile(uri, path + "(/" + where + ")", e.getName(), e.getTime(),
                    () -> jar.getInputStream(e));
        }

        @Override
        public void close() throws IOException {
            jar.close();
        }
    }

    /** A directory of class files, listed when javac asks (allowed only when not running as root). */
    private record Directory(Path root) implements Entry {
        @Override
        public void list(String directory, Set<Kind> kinds, boolean recurse, List<JavaFileObject> files)
                throws IOException {
            Path dir = directory.isEmpty() ? root : root.resolve(directory);
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path p : children) {
                    String name = p.getFileName().toString();
                    if (Files.isDirectory(p)) {
                        if (recurse && SourceVersion.isIdentifier(name)) {
                            list(child(directory, name), kinds, true, files);
                        }
                    } else if (kinds.contains(ClassPathFile.kindOf(name))) {
                        files.add(file(child(directory, name), p));
                    }
                }
            }
        }

        @Override
        public JavaFileObject find(String name) {
            Path p = root.resolve(name);
            return Files.isRegularFile(p) ? file(name, p) : null;
        }

        private static ClassPathFile file(String name, Path p) {
            long modified;
            try {
                modified = Files.getLastModifiedTime(p).toMillis();
            } catch (IOException e) {
                modified = 0; // as File.lastModified says of a file it cannot see
            }
            return new ClassPathFile(p.toUri(), p.toString(), name, modified, () -> Files.newInputStream(p));
        }

        @Override
        public void close() {}
    }
}
