package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModuleLoader#verify}, which {@code pam-java check} runs: it refuses what a load refuses,
 * with the same words, and runs none of the module's code (no class initialiser, no constructor,
 * not even an enum's that an annotation names).
 */
class ModuleLoaderVerifyTest {
    /** Set by the module code below when it runs; this JVM's own, so a test sees it at once. */
    private static final String RAN = "pamjava.test.verify.ran";

    @TempDir
    Path dir;
    private final List<String> log = new ArrayList<>();
    private final Diagnostics diagnostics = (priority, message) -> log.add(message);

    @Test
    void anAbstractModuleClassIsRefusedByVerifyAsByLoadInTheSameWords() throws Exception {
        TestJars.jar(dir.resolve("Unfinished.jar"), Map.of("Unfinished", """
                public abstract class Unfinished implements org.pamjava.PamModule {
                    public Unfinished() {}
                }
                """), "Unfinished", null);
        ModuleLoader checking = ModuleLoader.forChecking(dir, List.of(), diagnostics);
        ModuleLoadException verified = assertThrows(ModuleLoadException.class, () -> checking.verify("Unfinished.jar", diagnostics));
        ModuleLoadException loaded = assertThrows(ModuleLoadException.class,
                () -> new ModuleLoader(dir, null, List.of(), diagnostics).load("Unfinished.jar", diagnostics));
        assertEquals("Unfinished of " + dir.resolve("Unfinished.jar") + " must be a public concrete class (a nested one static)",
                verified.getMessage());
        assertEquals(verified.getMessage(), loaded.getMessage());
    }

    @Test
    void verifyRunsNoneOfTheModulesCodeNotEvenAnEnumItsAnnotationsName() throws Exception {
        System.clearProperty(RAN);
        TestJars.jar(dir.resolve("Pooled.jar"), Map.of("Pooled", """
                import java.lang.annotation.*;
                @Pooled.Tagged(Pooled.Level.HIGH)
                @org.pamjava.SharedState(Pooled.Pool.class)
                public class Pooled implements org.pamjava.PamModule {
                    @Retention(RetentionPolicy.RUNTIME) public @interface Tagged { Level value(); }
                    public enum Level { HIGH; static { System.setProperty("RAN", "enum"); } }
                    public static class Pool implements org.pamjava.ModuleState {
                        static { System.setProperty("RAN", "state"); }
                    }
                    static { System.setProperty("RAN", "module class"); }
                    public Pooled(Pool pool) { System.setProperty("RAN", "constructor"); }
                }
                """.replace("RAN", RAN)), "Pooled", null);
        ModuleLoader checking = ModuleLoader.forChecking(dir, List.of(), diagnostics);
        assertDoesNotThrow(() -> checking.verify("Pooled.jar", diagnostics));
        assertNull(System.getProperty(RAN), "verify ran module code");
        new ModuleLoader(dir, null, List.of(), diagnostics).load("Pooled.jar", diagnostics);
        assertEquals("constructor", System.getProperty(RAN), "a load does run it (the probe works)");
        System.clearProperty(RAN);
    }

    @Test
    void aSharedStateDeclarationWithoutTheConstructorTakingItIsRefusedByVerify() throws Exception {
        TestJars.jar(dir.resolve("Forgetful.jar"), Map.of("Forgetful", """
                @org.pamjava.SharedState(Forgetful.Pool.class)
                public class Forgetful implements org.pamjava.PamModule {
                    public static class Pool implements org.pamjava.ModuleState {}
                }
                """), "Forgetful", null);
        ModuleLoadException e = assertThrows(ModuleLoadException.class,
                () -> ModuleLoader.forChecking(dir, List.of(), diagnostics).verify("Forgetful.jar", diagnostics));
        assertEquals("Forgetful of " + dir.resolve("Forgetful.jar") + " declares @SharedState(Forgetful$Pool) but has no"
                + " public constructor taking Pool", e.getMessage());
    }
}
