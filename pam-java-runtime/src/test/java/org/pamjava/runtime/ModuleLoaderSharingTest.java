package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamModule;

/** Which modules share a class loader between PAM handles, and that instances never are shared. */
class ModuleLoaderSharingTest {
    private static final Diagnostics QUIET = (priority, message) -> {};

    private static final String STATELESS = """
            import java.util.List;
            import org.pamjava.PamHandle;
            import org.pamjava.PamModule;
            public class %s implements PamModule {
                static final String PROMPT = "Code: ";
                private int calls;
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return calls++; }
            }
            """;
    private static final String STATEFUL = """
            import java.util.List;
            import org.pamjava.PamHandle;
            import org.pamjava.PamModule;
            public class %s implements PamModule {
                static int instances;
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return instances++; }
            }
            """;

    @TempDir
    Path dir;

    private ModuleLoader loader(List<Path> classPath) {
        return new ModuleLoader(dir, null, classPath, QUIET);
    }

    private Path source(String name, String template) throws IOException {
        return Files.writeString(dir.resolve(name + ".java"), template.formatted(name));
    }

    /** A jar module of the class compiled from {@code template}, with an optional Class-Path. */
    private Path jar(String name, String template, String classPath) throws IOException {
        return jar(name, template, classPath, false);
    }

    /** With {@code versioned}, a multi-release jar whose class also sits in META-INF/versions/9. */
    private Path jar(String name, String template, String classPath, boolean versioned) throws IOException {
        Path src = source(name, template);
        Path out = Files.createDirectories(dir.resolve("classes-" + name));
        String api = PamModule.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn", "-cp", api, "-d",
                out.toString(), src.toString()));
        Files.delete(src);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue(ModuleLoader.MODULE_CLASS_ATTRIBUTE, name);
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        if (versioned) {
            manifest.getMainAttributes().putValue("Multi-Release", "true");
        }
        Path jar = dir.resolve(name + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out2 = new JarOutputStream(file, manifest)) {
            out2.putNextEntry(new JarEntry(name + ".class"));
            out2.write(Files.readAllBytes(out.resolve(name + ".class")));
            if (versioned) {
                out2.putNextEntry(new JarEntry("META-INF/versions/9/" + name + ".class"));
                out2.write(Files.readAllBytes(out.resolve(name + ".class")));
            }
        }
        return jar;
    }

    private static ClassLoader loaderOf(PamModule module) {
        return module.getClass().getClassLoader();
    }

    @Test
    void aSourceModuleWithoutStaticStateSharesOneClassButEachHandleGetsItsOwnInstance() throws Exception {
        source("Shared", STATELESS);
        ModuleLoader loader = loader(List.of());
        PamModule first = loader.load("Shared.java", QUIET);
        PamModule second = loader.load("Shared.java", QUIET);
        assertNotSame(first, second);
        assertSame(first.getClass(), second.getClass());
        assertFalse(((ModuleClassLoader) loaderOf(first)).perHandle());
        // Instance fields stay per handle.
        assertEquals(0, first.authenticate(null, 0, List.of()));
        assertEquals(1, first.authenticate(null, 0, List.of()));
        assertEquals(0, second.authenticate(null, 0, List.of()));
        // Releasing one handle's instance leaves the shared loader working for the next.
        ModuleLoader.release(first);
        assertSame(first.getClass(), loader.load("Shared.java", QUIET).getClass());
    }

    @Test
    void aModuleWithStaticStateGetsAClassLoaderPerHandle() throws Exception {
        source("Counting", STATEFUL);
        ModuleLoader loader = loader(List.of());
        PamModule first = loader.load("Counting.java", QUIET);
        PamModule second = loader.load("Counting.java", QUIET);
        assertNotSame(first.getClass(), second.getClass());
        assertTrue(((ModuleClassLoader) loaderOf(first)).perHandle());
        assertEquals(0, first.authenticate(null, 0, List.of()));
        assertEquals(0, second.authenticate(null, 0, List.of()), "statics are per handle");
    }

    @Test
    void jarModulesShareOnlyWithoutStaticStateAndWithoutOtherJars() throws Exception {
        jar("SharedJar", STATELESS, null);
        jar("CountingJar", STATEFUL, null);
        jar("Library", STATELESS, null);
        jar("WithDependency", STATELESS, "Library.jar");
        ModuleLoader loader = loader(List.of());
        assertSame(loader.load("SharedJar.jar", QUIET).getClass(), loader.load("SharedJar.jar", QUIET).getClass());
        assertNotSame(loader.load("CountingJar.jar", QUIET).getClass(), loader.load("CountingJar.jar", QUIET).getClass());
        // A dependency's classes are not scanned: they might hold state.
        assertNotSame(loader.load("WithDependency.jar", QUIET).getClass(),
                loader.load("WithDependency.jar", QUIET).getClass());
        // Nor a multi-release jar's versioned classes, which the class path would find on its own.
        jar("MultiRelease", STATELESS, null, true);
        assertNotSame(loader.load("MultiRelease.jar", QUIET).getClass(), loader.load("MultiRelease.jar", QUIET).getClass());
        // Nor are the configured class_path's.
        ModuleLoader withClassPath = loader(List.of(dir.resolve("Library.jar")));
        assertNotSame(withClassPath.load("SharedJar.jar", QUIET).getClass(),
                withClassPath.load("SharedJar.jar", QUIET).getClass());
    }

    @Test
    void aChangedModuleFileIsReadAgainAndGetsANewClass() throws Exception {
        Path file = source("Edited", STATELESS);
        ModuleLoader loader = loader(List.of());
        PamModule before = loader.load("Edited.java", QUIET);
        Files.writeString(file, STATEFUL.formatted("Edited"));
        PamModule after = loader.load("Edited.java", QUIET);
        assertNotSame(before.getClass(), after.getClass());
        assertTrue(((ModuleClassLoader) loaderOf(after)).perHandle(), "the new version has static state");
        assertEquals(0, after.authenticate(null, 0, List.of()));
        assertEquals(1, after.authenticate(null, 0, List.of()), "the new version's code runs");
    }
}
