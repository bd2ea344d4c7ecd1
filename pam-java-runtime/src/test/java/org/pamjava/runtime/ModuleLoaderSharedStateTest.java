package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;
import org.pamjava.PamModule;

/** Modules declaring {@link org.pamjava.SharedState}: one state per version of the file, its lifecycle, its errors. */
class ModuleLoaderSharedStateTest {
    private static final Diagnostics QUIET = (priority, message) -> {};

    /**
     * A module counting its calls in its shared state; the state's constructor fails while a file
     * "fail" is next to the module, and its close appends the state's id to "closed" there.
     */
    private static final String COUNTER = """
            import java.nio.file.*;
            import java.util.List;
            import java.util.concurrent.atomic.AtomicInteger;
            import org.pamjava.*;
            @SharedState(%1$s.Calls.class)
            public class %1$s implements PamModule {
                public static final class Calls implements ModuleState {
                    public static final AtomicInteger CREATED = new AtomicInteger();
                    public final AtomicInteger calls = new AtomicInteger();
                    public final int id = CREATED.incrementAndGet();
                    public Calls() throws Exception {
                        if (Files.exists(here().resolveSibling("fail"))) throw new IllegalStateException("no directory");
                        Thread.sleep(%2$d); // widens the window in which concurrent first handles race
                    }
                    @Override public void close() {
                        try {
                            Files.writeString(here().resolveSibling("closed"), id + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        } catch (Exception e) { throw new RuntimeException(e); }
                        if (Files.exists(here().resolveSibling("close-throws"))) throw new IllegalStateException("close failed");
                    }
                    static Path here() {
                        try { return Path.of(Calls.class.getProtectionDomain().getCodeSource().getLocation().toURI()); }
                        catch (Exception e) { throw new RuntimeException(e); }
                    }
                }
                private final Calls calls;
                public %1$s(Calls calls) { this.calls = calls; }
                public Calls state() { return calls; }
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return calls.calls.incrementAndGet(); }
            }
            """;

    @TempDir
    Path dir;

    private Path counter(String name, long sleepMillis) throws IOException {
        return Files.writeString(dir.resolve(name + ".java"), COUNTER.formatted(name, sleepMillis));
    }

    private static Object stateOf(PamModule module) throws ReflectiveOperationException {
        return module.getClass().getMethod("state").invoke(module);
    }

    private static int authenticate(PamModule module) {
        return module.authenticate(null, 0, List.of());
    }

    private List<String> closed() throws IOException {
        Path closed = dir.resolve("closed");
        return Files.exists(closed) ? Files.readAllLines(closed) : List.of();
    }

    @Test
    void handlesOfOneVersionShareOneStateButEachGetsItsOwnInstance() throws Exception {
        counter("Counter", 0);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        PamModule first = loader.load("Counter.java", QUIET);
        PamModule second = loader.load("Counter.java", QUIET);
        assertNotSame(first, second);
        assertSame(first.getClass(), second.getClass(), "one class loader per version");
        assertSame(stateOf(first), stateOf(second));
        assertEquals(1, authenticate(first));
        assertEquals(2, authenticate(second), "the second handle sees the first one's call");
        ModuleLoader.release(first);
        ModuleLoader.release(second);
        assertEquals(List.of(), closed(), "the file did not change: the state stays");
        assertEquals(3, authenticate(loader.load("Counter.java", QUIET)));
    }

    @Test
    void aNewVersionOfTheFileGetsANewStateAndTheOldOneIsClosedWithItsLastInstance() throws Exception {
        counter("Counter", 0);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        PamModule old1 = loader.load("Counter.java", QUIET);
        PamModule old2 = loader.load("Counter.java", QUIET);
        Files.writeString(dir.resolve("Counter.java"), COUNTER.formatted("Counter", 0) + "// version 2\n");
        PamModule current = loader.load("Counter.java", QUIET);
        assertNotSame(old1.getClass(), current.getClass());
        assertNotSame(stateOf(old1), stateOf(current));
        assertEquals(1, authenticate(current), "a new state");
        ModuleLoader.release(old1);
        assertEquals(List.of(), closed(), "an instance of the old version is still alive");
        ModuleLoader.release(old2);
        assertEquals(List.of("1"), closed(), "the old version's state, closed with its last instance");
        ModuleLoader.release(current);
        assertEquals(List.of("1"), closed(), "the current version's state stays");
    }

    @Test
    void anOldVersionWithNoInstanceLeftIsClosedWhenTheNewOneLoads() throws Exception {
        counter("Counter", 0);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        ModuleLoader.release(loader.load("Counter.java", QUIET));
        Files.writeString(dir.resolve("Counter.java"), COUNTER.formatted("Counter", 0) + "// version 2\n");
        loader.load("Counter.java", QUIET);
        assertEquals(List.of("1"), closed());
    }

    @Test
    void aNewVersionWithoutTheAnnotationRetiresTheSharedOne() throws Exception {
        counter("Counter", 0);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        PamModule old = loader.load("Counter.java", QUIET);
        Files.writeString(dir.resolve("Counter.java"), """
                import java.util.List;
                import org.pamjava.*;
                public class Counter implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return 7; }
                }
                """);
        assertEquals(7, authenticate(loader.load("Counter.java", QUIET)));
        assertEquals(List.of(), closed());
        ModuleLoader.release(old);
        assertEquals(List.of("1"), closed());
    }

    @Test
    void aStateWhoseConstructorThrowsFailsTheLoadAndTheNextHandleTriesAgain() throws Exception {
        counter("Counter", 0);
        Files.writeString(dir.resolve("fail"), "");
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        ModuleLoadException e = assertThrows(ModuleLoadException.class, () -> loader.load("Counter.java", QUIET));
        assertEquals(PamConstants.PAM_SERVICE_ERR, e.pamCode());
        assertTrue(e.getMessage().contains("Counter$Calls") && e.getMessage().contains("failed to initialise")
                && e.getMessage().contains("no directory"), e.getMessage());
        assertThrows(ModuleLoadException.class, () -> loader.load("Counter.java", QUIET), "still failing");
        Files.delete(dir.resolve("fail"));
        PamModule module = loader.load("Counter.java", QUIET);
        assertEquals(1, authenticate(module));
        assertEquals(3, stateOf(module).getClass().getField("id").get(stateOf(module)), "the third try made it");
    }

    @Test
    void concurrentFirstHandlesCreateTheStateExactlyOnce() throws Exception {
        counter("Counter", 100);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        loader.load("Counter.java", QUIET, new SharedStates(QUIET, false)); // compiled now, in another scope
        int handles = 8;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(handles);
        ExecutorService pool = Executors.newFixedThreadPool(handles);
        try {
            List<Callable<PamModule>> loads = new ArrayList<>(Collections.nCopies(handles, () -> {
                start.await(); // every first handle at once
                return loader.load("Counter.java", QUIET);
            }));
            List<Object> states = new ArrayList<>();
            for (Future<PamModule> f : pool.invokeAll(loads)) {
                states.add(stateOf(f.get()));
            }
            for (Object state : states) {
                assertSame(states.getFirst(), state);
            }
            Object created = states.getFirst().getClass().getField("CREATED").get(null);
            assertEquals(1, ((java.util.concurrent.atomic.AtomicInteger) created).get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeAllClosesEveryStateAndLogsAndIgnoresAFailingClose() throws Exception {
        counter("Counter", 0);
        Files.writeString(dir.resolve("close-throws"), "");
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        SharedStates states = new SharedStates((priority, message) -> logged.add(message), false);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET, states);
        PamModule module = loader.load("Counter.java", QUIET);
        states.closeAll();
        assertEquals(List.of("1"), closed());
        assertTrue(logged.getFirst().contains("Counter$Calls threw java.lang.IllegalStateException in close"), logged.toString());
        ModuleLoader.release(module); // after the scope's end: nothing more to close
        assertEquals(List.of("1"), closed());
        PamModule later = loader.load("Counter.java", QUIET);
        assertNotSame(stateOf(module), stateOf(later), "a later handle gets a new state");
        assertEquals(1, authenticate(later));
    }

    @Test
    void twoScopesHaveTwoStatesOfOneFile() throws Exception {
        counter("Counter", 0);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        SharedStates other = new SharedStates(QUIET, false);
        PamModule a = loader.load("Counter.java", QUIET);
        PamModule b = loader.load("Counter.java", QUIET, other);
        assertNotSame(stateOf(a), stateOf(b));
        assertNotSame(a.getClass(), b.getClass(), "each scope its own class loader: its own static state");
    }

    @Test
    void aJarModuleNeedsOnlyTheAnnotationAndItsClassPathJarsAreDefinedOnceForAllHandles() throws Exception {
        Path dep = TestJars.jar(dir.resolve("dep.jar"), java.util.Map.of("dep.Hits", """
                package dep;
                public class Hits { public static int count; }
                """), null, null);
        Path src = Files.writeString(Files.createDirectories(dir.resolve("src")).resolve("JarCounter.java"), """
                import java.util.List;
                import org.pamjava.*;
                @SharedState(JarCounter.State.class)
                public class JarCounter implements PamModule {
                    public static final class State implements ModuleState {}
                    public JarCounter(State state) {}
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return ++dep.Hits.count; }
                }
                """);
        Path out = Files.createDirectories(dir.resolve("out"));
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn", "-cp",
                TestJars.API + ":" + dep, "-d", out.toString(), src.toString()));
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue(ModuleLoader.MODULE_CLASS_ATTRIBUTE, "JarCounter");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "dep.jar");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(dir.resolve("JarCounter.jar")), manifest)) {
            for (String name : List.of("JarCounter.class", "JarCounter$State.class")) {
                jar.putNextEntry(new java.util.jar.JarEntry(name));
                jar.write(Files.readAllBytes(out.resolve(name)));
            }
        }
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        assertEquals(1, authenticate(loader.load("JarCounter.jar", QUIET)));
        assertEquals(2, authenticate(loader.load("JarCounter.jar", QUIET)), "the dependency's static state is shared too");
    }

    @Test
    void aModuleWithoutTheAnnotationKeepsItsPerHandleIsolation() throws Exception {
        Files.writeString(dir.resolve("Plain.java"), """
                import java.util.List;
                import org.pamjava.*;
                public class Plain implements PamModule {
                    static int calls;
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return ++calls; }
                }
                """);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        assertEquals(1, authenticate(loader.load("Plain.java", QUIET)));
        assertEquals(1, authenticate(loader.load("Plain.java", QUIET)), "static state is per handle");
    }

    @Test
    void aStateThatCannotBeMadeOrAModuleThatCannotTakeItIsAClearLoadError() throws Exception {
        Files.writeString(dir.resolve("NoArg.java"), """
                import java.util.List;
                import org.pamjava.*;
                @SharedState(NoArg.Pool.class)
                public class NoArg implements PamModule {
                    public static final class Pool implements ModuleState {}
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return 0; }
                }
                """);
        Files.writeString(dir.resolve("Hidden.java"), """
                import java.util.List;
                import org.pamjava.*;
                @SharedState(Hidden.Pool.class)
                public class Hidden implements PamModule {
                    static final class Pool implements ModuleState {}
                    public Hidden(Pool pool) {}
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return 0; }
                }
                """);
        Files.writeString(dir.resolve("Args.java"), """
                import java.util.List;
                import org.pamjava.*;
                @SharedState(Args.Pool.class)
                public class Args implements PamModule {
                    public static final class Pool implements ModuleState { public Pool(String url) {} }
                    public Args(Pool pool) {}
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return 0; }
                }
                """);
        ModuleLoader loader = new ModuleLoader(dir, null, List.of(), QUIET);
        assertLoadError(loader, "NoArg.java", "has no public constructor taking Pool");
        assertLoadError(loader, "Hidden.java", "must be a public concrete class");
        assertLoadError(loader, "Args.java", "has no public no-argument constructor");
    }

    private static void assertLoadError(ModuleLoader loader, String module, String expected) {
        ModuleLoadException e = assertThrows(ModuleLoadException.class, () -> loader.load(module, QUIET));
        assertEquals(PamConstants.PAM_SERVICE_ERR, e.pamCode());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertNotEquals(-1, e.getMessage().indexOf("@SharedState"), e.getMessage());
    }

    @Test
    void onlyClassFilesNamingTheAnnotationAreLookedAt() {
        assertTrue(SharedStates.mayDeclare("..Lorg/pamjava/SharedState;..".getBytes()));
        assertTrue(!SharedStates.mayDeclare("..Lorg/pamjava/ModuleState;..".getBytes()));
        assertTrue(SharedStates.mayDeclare(null), "a class the loader has no bytes of is looked at");
    }
}
