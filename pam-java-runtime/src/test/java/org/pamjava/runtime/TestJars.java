package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.pamjava.PamModule;

/** Jars and class directories for the runtime's tests, compiled with javac. */
final class TestJars {
    static final String API = PamModule.class.getProtectionDomain().getCodeSource().getLocation().getPath();

    private TestJars() {}

    /** Compiles {@code sources} (binary name to text) into the directory {@code out}. */
    static Path classes(Path out, Map<String, String> sources) throws IOException {
        Path src = Files.createTempDirectory(out.getParent(), "src-");
        List<String> args = new ArrayList<>(List.of("-nowarn", "-proc:none", "-cp", API, "-d", out.toString()));
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)));
        return out;
    }

    /**
     * A jar of {@code sources} at {@code jar}, written aside and renamed over it (as a package
     * manager replaces a file), with the manifest attributes given (null: none).
     */
    static Path jar(Path jar, Map<String, String> sources, String moduleClass, String classPath) throws IOException {
        Path out = classes(Files.createTempDirectory(jar.getParent(), "classes-"), sources);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (moduleClass != null) {
            manifest.getMainAttributes().putValue(ModuleLoader.MODULE_CLASS_ATTRIBUTE, moduleClass);
        }
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        Path aside = jar.resolveSibling(jar.getFileName() + ".new");
        try (OutputStream file = Files.newOutputStream(aside); JarOutputStream zip = new JarOutputStream(file, manifest);
             Stream<Path> files = Files.walk(out)) {
            for (Path c : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                zip.putNextEntry(new JarEntry(out.relativize(c).toString()));
                zip.write(Files.readAllBytes(c));
            }
        }
        return Files.move(aside, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void chown(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
