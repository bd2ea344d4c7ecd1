package org.pamjava.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.pamjava.PamModule;

/**
 * The benchmark's Java modules (bench/modules, packed in this jar as resources) laid out in a
 * fresh private directory as pam_java finds them: {@code TrivialModule.java},
 * {@code ConversingModule.java}, and each compiled into a jar module ({@code TrivialModule.jar}...).
 */
public final class BenchModules {
    public static final String[] NAMES = {"TrivialModule", "ConversingModule"};

    private BenchModules() {}

    /** A new directory (mode 0700, as a root-only module directory) holding the modules. */
    public static Path prepare() throws IOException {
        Path dir = Files.createTempDirectory("pam-java-jmh");
        Path classes = Files.createDirectory(dir.resolve("jar-classes"));
        for (String name : NAMES) {
            Path source = dir.resolve(name + ".java");
            try (InputStream in = BenchModules.class.getResourceAsStream("/" + name + ".java")) {
                if (in == null) {
                    throw new IOException(name + ".java is not among the benchmark's resources");
                }
                Files.copy(in, source);
            }
            int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-proc:none", "-nowarn", "-d",
                    classes.toString(), "-cp", apiLocation().toString(), source.toString());
            if (rc != 0) {
                throw new IOException("cannot compile " + source);
            }
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().putValue("Pam-Module-Class", name);
            try (OutputStream out = Files.newOutputStream(dir.resolve(name + ".jar"));
                 JarOutputStream jar = new JarOutputStream(out, manifest)) {
                jar.putNextEntry(new JarEntry(name + ".class"));
                Files.copy(classes.resolve(name + ".class"), jar);
                jar.closeEntry();
            }
        }
        return dir;
    }

    /** Removes a directory made by {@link #prepare}. */
    public static void delete(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Path apiLocation() throws IOException {
        try {
            return Path.of(PamModule.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
