package org.pamjava.runtime;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringTokenizer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.pamjava.PamConstants;

/**
 * A class path as the JDK reads it, a module's class loader (URLClassLoader) and a {@code .java}
 * module's compiler (javac) alike: the given entries and, after each jar, the entries its
 * manifest's {@code Class-Path} names, transitively, resolved as both resolve them.
 *
 * <p>Running as root, every entry must be a jar file that passes {@link TrustedPaths}; a directory
 * is refused, wherever it is named: the files in it, which need not be root's however the
 * directory is, would each decide what code runs. Its identity (path, device, inode, size,
 * modification and change times of every entry; a directory's files one by one when not root)
 * goes into the compiled-class cache's key, so a replaced jar means a fresh compilation.
 */
final class ClassPathResolver {
    /** A class path: its entries in the order the JDK searches them, and their identity. */
    record Resolved(List<Path> entries, String identity) {}

    /** The entries a jar's {@code Class-Path} names, as read when the jar had {@code identity}. */
    private record Links(String identity, List<Path> entries) {}

    private final Map<Path, Links> manifests = new ConcurrentHashMap<>();

    /**
     * The class path {@code roots} make, checked as described above.
     *
     * @param rootsAre what the roots are, for messages ("class_path entry")
     * @param asRootAnyway judge as root whatever this process runs as ({@code pam-java check})
     */
    Resolved resolve(List<Path> roots, String rootsAre, boolean asRootAnyway) throws ModuleLoadException {
        if (roots.isEmpty()) {
            return new Resolved(List.of(), "");
        }
        boolean asRoot = asRootAnyway || TrustedPaths.runningAsRoot();
        Set<Path> seen = new LinkedHashSet<>();
        StringBuilder identity = new StringBuilder();
        for (Path root : roots) {
            add(root.toAbsolutePath().normalize(), rootsAre, asRoot, seen, identity);
        }
        return new Resolved(List.copyOf(seen), identity.toString());
    }

    private void add(Path entry, String namedAs, boolean asRoot, Set<Path> seen, StringBuilder identity)
            throws ModuleLoadException {
        if (!seen.add(entry)) {
            return; // the JDK opens each once, too
        }
        if (asRoot) {
            String problem = TrustedPaths.problem(entry, 0);
            if (problem != null) {
                throw refusal(namedAs, entry, problem);
            }
        }
        Map<String, Object> st = attributes(entry, false);
        if (asRoot && st != null && (Boolean) st.get("isDirectory")) {
            throw refusal(namedAs, entry, "it is a directory; running as root, pam_java accepts only jar"
                    + " files on a class path (the files in a directory are not checked one by one)");
        }
        int start = identity.length();
        appendIdentity(entry, entry.toString(), st, identity);
        identity.append('\n');
        if (st != null && (Boolean) st.get("isRegularFile")) {
            for (Path linked : links(entry, identity.substring(start), asRoot)) {
                add(linked, "Class-Path entry of " + entry, asRoot, seen, identity);
            }
        }
    }

    private static ModuleLoadException refusal(String namedAs, Path entry, String problem) {
        return new ModuleLoadException(PamConstants.PAM_OPEN_ERR, "refusing " + namedAs + " " + entry + ": " + problem);
    }

    /** The Class-Path entries of {@code jar}, read again only when the jar changed. */
    private List<Path> links(Path jar, String identity, boolean asRoot) throws ModuleLoadException {
        Links known = manifests.get(jar);
        if (known != null && known.identity.equals(identity)) {
            return known.entries;
        }
        List<Path> entries = new ArrayList<>();
        String classPath;
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Manifest manifest = file.getManifest();
            classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        } catch (IOException notAJar) {
            classPath = null; // the JDK cannot read it either, so it names nothing
        }
        if (classPath != null) {
            for (StringTokenizer tokens = new StringTokenizer(classPath); tokens.hasMoreTokens(); ) {
                String token = tokens.nextToken();
                Path linked = resolveLink(jar, token);
                if (linked != null) {
                    entries.add(linked.toAbsolutePath().normalize());
                } else if (asRoot && token.indexOf(':') < 0) {
                    throw refusal("Class-Path entry of", jar, "cannot resolve " + token);
                }
            }
        }
        List<Path> result = List.copyOf(entries);
        manifests.put(jar, new Links(identity, result));
        return result;
    }

    /**
     * A Class-Path token resolved against its jar as the JDK does (URLClassPath's and javac's
     * tryResolveFile): a URL relative to the jar's; one with a scheme other than file is ignored
     * ({@code null}), as is one that names no local path.
     */
    @SuppressWarnings("deprecation") // new URL(URL, String): the very resolution the JDK uses
    private static Path resolveLink(Path jar, String token) {
        try {
            URL url = new URL(jar.toUri().toURL(), token);
            if (!"file".equalsIgnoreCase(url.getProtocol())) {
                return null;
            }
            return Path.of(url.toURI());
        } catch (MalformedURLException | URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * What identifies {@code entry}'s content without reading it: path, device, inode, size,
     * modification and change times (nanoseconds). Replacing or rewriting a file changes its change
     * time, which no one can set back; for root's files (all there are, as root) that is enough.
     * A directory (not root: allowed) is identified by every file in it (a symbolic link in it by
     * its target, without descending); a missing entry as such.
     */
    static String identityOf(Path entry) {
        StringBuilder id = new StringBuilder();
        appendIdentity(entry, entry.toString(), attributes(entry, false), id);
        return id.toString();
    }

    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime,isDirectory,isRegularFile,"
            + "isSymbolicLink";

    /** The attributes identity needs, of the file or (noFollow) of a link itself; null if absent. */
    private static Map<String, Object> attributes(Path file, boolean noFollow) {
        try {
            return noFollow ? Files.readAttributes(file, ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    : Files.readAttributes(file, ATTRIBUTES);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void appendIdentity(Path file, String name, Map<String, Object> st, StringBuilder id) {
        if (st == null) {
            id.append(name).append(" absent");
            return;
        }
        id.append(name).append(' ').append(st.get("dev")).append(' ').append(st.get("ino")).append(' ')
                .append(st.get("size")).append(' ').append(nanos(st.get("lastModifiedTime"))).append(' ')
                .append(nanos(st.get("ctime")));
        if ((Boolean) st.get("isSymbolicLink")) {
            try {
                id.append(" -> ").append(Files.readSymbolicLink(file));
            } catch (IOException e) {
                id.append(" -> ?");
            }
            Map<String, Object> target = attributes(file, false);
            if (target != null) {
                id.append(' ').append(target.get("dev")).append(' ').append(target.get("ino")).append(' ')
                        .append(target.get("size")).append(' ').append(nanos(target.get("ctime")));
            }
            return;
        }
        if ((Boolean) st.get("isDirectory")) {
            String[] names = file.toFile().list();
            if (names != null) {
                Arrays.sort(names);
                for (String child : names) {
                    Path path = file.resolve(child);
                    id.append('\n');
                    appendIdentity(path, name + File.separator + child, attributes(path, true), id);
                }
            }
        }
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }
}
