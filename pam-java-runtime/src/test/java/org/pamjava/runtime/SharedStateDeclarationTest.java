package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The @SharedState value read from class-file bytes, as reflection would read it, without initialising anything. */
class SharedStateDeclarationTest {
    @TempDir
    Path dir;

    /** Compiles {@code source} against the API and gives the class file of {@code className}. */
    private byte[] compile(String className, String source) throws IOException {
        Path src = dir.resolve(className + ".java");
        Files.writeString(src, source);
        Path out = Files.createDirectories(dir.resolve("out-" + className));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn", "-proc:none",
                "-cp", System.getProperty("java.class.path"), "-d", out.toString(), src.toString());
        assertEquals(0, rc, "javac failed for " + className);
        return Files.readAllBytes(out.resolve(className.replace('.', File.separatorChar) + ".class"));
    }

    @Test
    void theStateClassIsReadAmongOtherAnnotationsAndMembers() throws IOException {
        byte[] classFile = compile("Pooled", """
                import java.lang.annotation.*;
                @Pooled.Tagged(value = Pooled.Level.HIGH, names = {"a", "b"}, nested = @Deprecated, n = 3L, d = 1.5)
                @org.pamjava.SharedState(Pooled.Pool.class)
                public class Pooled implements Runnable {
                    @Retention(RetentionPolicy.RUNTIME) public @interface Tagged {
                        Level value(); String[] names(); Deprecated nested(); long n(); double d();
                    }
                    public enum Level { HIGH }
                    public static class Pool implements org.pamjava.ModuleState {}
                    static final long BIG = 1L << 40;
                    private final String name = "x";
                    @Deprecated public void run() { Runnable r = () -> System.out.println(name + BIG); r.run(); }
                }
                """);
        assertEquals("Pooled$Pool", SharedStateDeclaration.stateClassName(classFile));
    }

    @Test
    void aClassWithoutTheAnnotationHasNone() throws IOException {
        assertNull(SharedStateDeclaration.stateClassName(compile("Plain", """
                @Deprecated public class Plain implements Runnable { public void run() {} }
                """)));
    }

    @Test
    void bytesThatAreNoClassFileAreRefused() throws IOException {
        byte[] classFile = compile("Short", "public class Short {}");
        assertThrows(IllegalArgumentException.class,
                () -> SharedStateDeclaration.stateClassName(Arrays.copyOf(classFile, classFile.length / 2)));
        assertThrows(IllegalArgumentException.class, () -> SharedStateDeclaration.stateClassName(new byte[] {1, 2, 3, 4, 5}));
    }
}
