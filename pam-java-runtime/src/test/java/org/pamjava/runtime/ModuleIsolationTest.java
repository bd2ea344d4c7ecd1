package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamModule;

/**
 * A module sees the API and nothing else of pam_java: the runtime's classes share the class path
 * with the API (in both hosts), and a module that could name them could dispatch calls, build
 * handles or reach another handle's secrets. The in-process host's and the service's packages are
 * checked through the real pam_java.so by pam-java-it's ModuleMisbehaviourTest.
 */
class ModuleIsolationTest {
    private static final Diagnostics QUIET = (priority, message) -> {};

    /** Reports, for each name, whether the module's own loader finds the class, and a resource. */
    private static final String PROBE = """
            import java.util.ArrayList;
            import java.util.Collections;
            import java.util.List;
            import java.util.function.Supplier;
            import org.pamjava.PamModule;
            public class Probe implements PamModule, Supplier<List<String>> {
                @Override public List<String> get() {
                    List<String> seen = new ArrayList<>();
                    ClassLoader own = Probe.class.getClassLoader();
                    for (String name : List.of("org.pamjava.PamConstants", "org.pamjava.runtime.ModuleDispatch",
                            "org.pamjava.runtime.StaticState", "org.pamjava.runtime.LibPamHandle",
                            "org.pamjava.runtime.SecretStrings", "org.pamjava.runtime.ModuleLoader")) {
                        try {
                            Class.forName(name, false, own);
                            seen.add("visible " + name);
                        } catch (ClassNotFoundException e) {
                            seen.add("hidden " + name);
                        }
                    }
                    try {
                        seen.add("resource " + (own.getResource("org/pamjava/runtime/ModuleDispatch.class") != null)
                                + " " + Collections.list(own.getResources("org/pamjava/runtime/ModuleDispatch.class")).size()
                                + " " + (own.getResourceAsStream("org/pamjava/runtime/ModuleDispatch.class") != null)
                                + " " + own.resources("org/pamjava/runtime/ModuleDispatch.class").count()
                                + " api " + (own.getResource("org/pamjava/PamConstants.class") != null));
                    } catch (java.io.IOException e) {
                        seen.add("resource " + e);
                    }
                    return seen;
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void aModuleSeesTheApiAndNoneOfTheRuntime() throws Exception {
        TestJars.jar(dir.resolve("Probe.jar"), Map.of("Probe", PROBE), "Probe", null);
        PamModule module = new ModuleLoader(dir, null, List.of(), QUIET).load("Probe.jar", QUIET);
        @SuppressWarnings("unchecked")
        List<String> seen = ((Supplier<List<String>>) module).get();
        assertEquals(List.of("visible org.pamjava.PamConstants", "hidden org.pamjava.runtime.ModuleDispatch",
                "hidden org.pamjava.runtime.StaticState", "hidden org.pamjava.runtime.LibPamHandle",
                "hidden org.pamjava.runtime.SecretStrings", "hidden org.pamjava.runtime.ModuleLoader",
                "resource false 0 false 0 api true"), seen);
    }
}
