package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.JavaFileObject.Kind;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiler's class path as {@link ClassPathFileManager} serves it gives javac's own file
 * manager's answers (the oracle here: the same jar and directory through
 * {@code StandardJavaFileManager}, with the multi-release version javac gives it by default):
 * which files a package lists with and without subpackages, of which kinds, under which binary
 * names, with which bytes, and which file a class name finds first.
 */
class ClassPathFileManagerTest {
    /** Files of a jar and a directory: packages, a non-package directory, every kind, the unnamed package. */
    private static final Map<String, String> FILES = files(
            "Top.class", "top",
            "a/A.class", "a",
            "a/A$Inner.class", "a-inner",
            "a/S.java", "package a; class S {}",
            "a/doc.html", "<p>",
            "a/messages.properties", "k=v",
            "a/b/c/D.class", "d", // a/b holds nothing but a package
            "a/b/package-info.class", "info",
            "a/not-a-package/E.class", "e",
            "a/b/2x/F.class", "f",
            "module-info.class", "module");
    private static final List<String> PACKAGES = List.of("", "a", "a.b", "a.b.c", "a.nope", "nope");
    private static final List<Set<Kind>> KINDS = List.of(EnumSet.of(Kind.CLASS), EnumSet.of(Kind.CLASS, Kind.SOURCE),
            EnumSet.of(Kind.OTHER), EnumSet.allOf(Kind.class));

    @TempDir
    Path dir;
    private StandardJavaFileManager javacs;
    private ClassPathFileManager ours;

    private static Map<String, String> files(String... nameAndText) {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) {
            files.put(nameAndText[i], nameAndText[i + 1]);
        }
        return files;
    }

    private static Path jar(Path jar, Map<String, String> files, boolean multiRelease) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (multiRelease) {
            manifest.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("a/")); // a directory entry, as jar(1) writes them
            for (var e : files.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return jar;
    }

    private static Path directory(Path root, Map<String, String> files) throws IOException {
        for (var e : files.entrySet()) {
            Path file = root.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
        }
        return root;
    }

    private void open(List<Path> classPath) throws IOException {
        javacs = ToolProvider.getSystemJavaCompiler().getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        javacs.setLocationFromPaths(StandardLocation.CLASS_PATH, classPath);
        // What javac's task tells its file manager when no --release is given (JavacTool.getTask).
        javacs.handleOption("--multi-release", List.of(Integer.toString(Runtime.version().feature())).iterator());
        ours = ClassPathFileManager.open(
                ToolProvider.getSystemJavaCompiler().getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8),
                classPath);
    }

    @BeforeEach
    void nothingOpen() {
        javacs = null;
        ours = null;
    }

    @AfterEach
    void close() throws IOException {
        if (javacs != null) {
            javacs.close();
        }
        if (ours != null) {
            ours.close();
        }
    }

    /** What list returns, one line per file: URI, kind, binary name and contents, in class path order. */
    private static List<String> listing(JavaFileManager manager, String packageName, Set<Kind> kinds, boolean recurse)
            throws IOException {
        List<String> lines = new ArrayList<>();
        for (JavaFileObject f : manager.list(StandardLocation.CLASS_PATH, packageName, kinds, recurse)) {
            lines.add(describe(manager, f));
        }
        return lines;
    }

    private static String describe(JavaFileManager manager, JavaFileObject f) throws IOException {
        try (InputStream in = f.openInputStream()) {
            return f.toUri() + " " + f.getKind() + " " + manager.inferBinaryName(StandardLocation.CLASS_PATH, f)
                    + " = " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The same files as javac's listing; within one entry the order is the walk's, so entry by entry. */
    private void assertSameListings() throws IOException {
        for (String p : PACKAGES) {
            for (Set<Kind> kinds : KINDS) {
                for (boolean recurse : List.of(false, true)) {
                    List<String> expected = listing(javacs, p, kinds, recurse);
                    List<String> actual = listing(ours, p, kinds, recurse);
                    String what = "package '" + p + "' " + kinds + (recurse ? " with subpackages" : "");
                    assertEquals(entryByEntry(expected), entryByEntry(actual), what);
                }
            }
        }
    }

    /** The listing's lines grouped by class path entry (the URI up to the jar's "!" or the entry's root), each group sorted. */
    private static List<List<String>> entryByEntry(List<String> lines) {
        List<List<String>> groups = new ArrayList<>();
        String current = null;
        for (String line : lines) {
            String entry = line.contains("!/") ? line.substring(0, line.indexOf("!/")) : line.substring(0, line.indexOf("/dir/") + 5);
            if (!entry.equals(current)) {
                groups.add(new ArrayList<>());
                current = entry;
            }
            groups.get(groups.size() - 1).add(line);
        }
        groups.forEach(g -> g.sort(null));
        return groups;
    }

    @Test
    void aJarListsAsJavacListsIt() throws IOException {
        open(List.of(jar(dir.resolve("lib.jar"), FILES, false)));
        assertSameListings();
        assertFalse(listing(ours, "a", EnumSet.of(Kind.CLASS), false).isEmpty(), "the test lists something");
    }

    @Test
    void aDirectoryListsAsJavacListsIt() throws IOException {
        open(List.of(directory(dir.resolve("dir"), FILES)));
        assertSameListings();
    }

    @Test
    void aMultiReleaseJarIsSeenAsThisVersionSeesIt() throws IOException {
        Map<String, String> files = new LinkedHashMap<>(FILES);
        files.putAll(files(
                "a/V.class", "base",
                "META-INF/versions/11/a/V.class", "eleven",
                "META-INF/versions/11/a/Since11.class", "since eleven",
                "META-INF/versions/9999/a/V.class", "a later version"));
        open(List.of(jar(dir.resolve("mr.jar"), files, true)));
        assertSameListings();
        assertTrue(listing(ours, "a", EnumSet.of(Kind.CLASS), false).stream()
                .anyMatch(l -> l.endsWith(" a.V = eleven")), listing(ours, "a", EnumSet.of(Kind.CLASS), false).toString());
    }

    @Test
    void entriesAreSearchedInClassPathOrderAndAMissingOneIsSkipped() throws IOException {
        Path first = jar(dir.resolve("first.jar"), files("a/A.class", "first", "a/OnlyFirst.class", "1"), false);
        Path second = directory(dir.resolve("dir"), files("a/A.class", "second", "a/OnlySecond.class", "2"));
        Path third = jar(dir.resolve("third.jar"), files("a/A.class", "third"), false);
        open(List.of(first, dir.resolve("missing.jar"), second, third));
        assertSameListings();
        List<String> listed = listing(ours, "a", EnumSet.of(Kind.CLASS), false);
        assertEquals(5, listed.size(), listed.toString());
        assertTrue(listed.get(0).contains("first.jar") && listed.get(4).contains("third.jar"), listed.toString());

        for (String name : List.of("a.A", "a.OnlySecond", "a.Nothing")) {
            JavaFileObject expected = javacs.getJavaFileForInput(StandardLocation.CLASS_PATH, name, Kind.CLASS);
            JavaFileObject actual = ours.getJavaFileForInput(StandardLocation.CLASS_PATH, name, Kind.CLASS);
            assertEquals(expected == null ? null : describe(javacs, expected), actual == null ? null : describe(ours, actual), name);
        }
        FileObject resource = ours.getFileForInput(StandardLocation.CLASS_PATH, "a", "OnlySecond.class");
        assertNotNull(resource);
        assertTrue(resource.toUri().toString().endsWith("/dir/a/OnlySecond.class"), resource.toUri().toString());
        assertNull(ours.getFileForInput(StandardLocation.CLASS_PATH, "a", "Nothing.class"));
    }

    @Test
    void filesAreNamedAndComparedAsJavacNamesAndComparesItsOwn() throws IOException {
        open(List.of(jar(dir.resolve("lib.jar"), FILES, false)));
        JavaFileObject a = ours.getJavaFileForInput(StandardLocation.CLASS_PATH, "a.A", Kind.CLASS);
        JavaFileObject again = ours.list(StandardLocation.CLASS_PATH, "a", EnumSet.of(Kind.CLASS), false).iterator().next();
        JavaFileObject javacsA = javacs.getJavaFileForInput(StandardLocation.CLASS_PATH, "a.A", Kind.CLASS);
        assertEquals(javacsA.toUri(), a.toUri());
        assertEquals(javacsA.getName(), a.getName()); // what a diagnostic shows
        assertTrue(a.isNameCompatible("A", Kind.CLASS));
        assertFalse(a.isNameCompatible("A", Kind.SOURCE));
        assertFalse(a.isNameCompatible("Inner", Kind.CLASS));
        assertTrue(ours.isSameFile(a, ours.getJavaFileForInput(StandardLocation.CLASS_PATH, "a.A", Kind.CLASS)));
        assertEquals(again.toUri().equals(a.toUri()), ours.isSameFile(a, again));
        assertTrue(ours.contains(StandardLocation.CLASS_PATH, a));
        assertFalse(ours.contains(StandardLocation.SOURCE_PATH, a));
        assertTrue(ours.hasLocation(StandardLocation.CLASS_PATH));
        JavaFileObject source = ours.getJavaFileForInput(StandardLocation.CLASS_PATH, "a.S", Kind.SOURCE);
        assertEquals("package a; class S {}", source.getCharContent(false).toString());
    }

    @Test
    void javacsOwnClassPathIsNeverRead() throws IOException {
        // The forwarded file manager's default class path (java.class.path, the test's classes)
        // does not leak in: only what was given is listed.
        open(List.of());
        assertEquals(List.of(), listing(ours, "org.pamjava.runtime", EnumSet.allOf(Kind.class), true));
        Iterator<JavaFileObject> none = ours.list(StandardLocation.CLASS_PATH, "", EnumSet.allOf(Kind.class), true)
                .iterator();
        assertFalse(none.hasNext());
    }
}
