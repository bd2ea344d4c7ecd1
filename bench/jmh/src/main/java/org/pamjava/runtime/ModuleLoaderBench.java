package org.pamjava.runtime;

import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;
import org.pamjava.bench.BenchModules;

/**
 * The parts of a pam_java call one at a time: loading a module for a new handle (jar, cached
 * {@code .java}), hashing the source, the ownership check, and {@link ModuleInvoker} dispatch on a
 * loaded module. The JVM flags are pam_java.so's own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m", "-Xss256k"})
public class ModuleLoaderBench {
    private static final Diagnostics QUIET = (priority, message) -> { };
    private static final List<String> ARGS = List.of("TrivialModule.jar");

    private Path dir;
    private ModuleLoader loader;
    private byte[] source;
    private Map<String, byte[]> classBytes;
    private PamModule loaded;
    private PamHandle handle;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchModules.prepare();
        loader = new ModuleLoader(dir, dir.resolve("classes"), List.of(), QUIET);
        loader.load("TrivialModule.java", QUIET); // compiled once, then cached
        source = Files.readAllBytes(dir.resolve("TrivialModule.java"));
        classBytes = Map.of("TrivialModule", Files.readAllBytes(dir.resolve("jar-classes/TrivialModule.class")));
        loaded = loader.load("TrivialModule.jar", QUIET);
        // The trivial module never touches its handle.
        handle = (PamHandle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PamHandle.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        BenchModules.delete(dir);
    }

    /** A jar module for a new handle: manifest, new class loader, class defined from the jar, instance. */
    @Benchmark
    public PamModule loadJar() throws ModuleLoadException {
        return loader.load("TrivialModule.jar", QUIET);
    }

    /** A .java module for a new handle: source read and hashed, cached classes, new class loader, instance. */
    @Benchmark
    public PamModule loadJavaCached() throws ModuleLoadException {
        return loader.load("TrivialModule.java", QUIET);
    }

    /**
     * What a new handle cannot avoid while each handle has a class loader of its own: a loader over
     * class bytes already in memory, the class defined (and rewritten), one instance.
     */
    @Benchmark
    public Object defineInNewLoader() throws ReflectiveOperationException {
        var loader = new ModuleClassLoader("pam-java-module:jmh", classBytes, null, new URL[0], true);
        return Class.forName("TrivialModule", false, loader).getConstructor().newInstance();
    }

    /** The SHA-256 of the module source that keys the compiled-class cache. */
    @Benchmark
    public byte[] sha256OfSource() {
        return Sha256.digest(source);
    }

    /** The ownership check of a module file (root only: otherwise it returns at once). */
    @Benchmark
    public String trustedPathCheck() {
        return TrustedPaths.problem(dir.resolve("TrivialModule.jar"));
    }

    /** authenticate, acct_mgmt, open_session, close_session on a loaded module. */
    @Benchmark
    public int invokeFourOperations() {
        return ModuleInvoker.invoke(loaded, "TrivialModule.jar", PamOperation.AUTHENTICATE, handle, 0, ARGS, QUIET)
                | ModuleInvoker.invoke(loaded, "TrivialModule.jar", PamOperation.ACCT_MGMT, handle, 0, ARGS, QUIET)
                | ModuleInvoker.invoke(loaded, "TrivialModule.jar", PamOperation.OPEN_SESSION, handle, 0, ARGS, QUIET)
                | ModuleInvoker.invoke(loaded, "TrivialModule.jar", PamOperation.CLOSE_SESSION, handle, 0, ARGS, QUIET);
    }
}
