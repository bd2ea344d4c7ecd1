package org.pamjava.host;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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
import org.pamjava.bench.BenchModules;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoader;

/**
 * The Java side of pam_java.so for one PAM transaction, without the C: what the shim's worker
 * thread runs for authenticate, acct_mgmt, open_session, close_session and pam_end on a new
 * handle ({@link NativeEntry#call}, {@link NativeEntry#end}), with the trivial module (it calls no
 * libpam, so no native is needed). A new handle loads the module afresh, as in pam_java.so.
 * The JVM flags are pam_java.so's own (serial GC, C1 only, 96 MiB heap).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m", "-Xss256k"})
public class NativeEntryBench {
    private static final int AUTHENTICATE = 0;
    private static final int ACCT_MGMT = 2;
    private static final int OPEN_SESSION = 3;
    private static final int CLOSE_SESSION = 4;
    private static final Diagnostics QUIET = (priority, message) -> { };

    private Path dir;
    private long nextHandle = 1_000;
    private final long loadedHandle = 1;
    private byte[][] jarArgv;
    private byte[][] javaArgv;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchModules.prepare();
        // Compiles the .java module into the disk cache first, as the build's AOT training does: the
        // compiler's log line would go to syslog through a native. The benchmark measures the steady state.
        ModuleLoader quiet = new ModuleLoader(dir, dir.resolve("classes"), List.of(), QUIET);
        quiet.load("TrivialModule.java", QUIET);
        NativeEntry.init(dir.toString(), dir.toString(), dir.toString(), "", false, "jmh");
        jarArgv = new byte[][] {"TrivialModule.jar".getBytes(StandardCharsets.UTF_8)};
        javaArgv = new byte[][] {"TrivialModule.java".getBytes(StandardCharsets.UTF_8)};
        if (transaction(javaArgv) != 0 || NativeEntry.call(loadedHandle, loadedHandle, AUTHENTICATE, 0, jarArgv) != 0) {
            throw new IllegalStateException("the trivial module failed; see the log above");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        NativeEntry.end(loadedHandle, loadedHandle, jarArgv[0], 0);
        BenchModules.delete(dir);
    }

    /** A whole transaction's Java side with the jar module, loaded for the new handle. */
    @Benchmark
    public int transactionJar() {
        return transaction(jarArgv);
    }

    /** The same with the .java module (source hashed, classes from the cache, new class loader). */
    @Benchmark
    public int transactionJava() {
        return transaction(javaArgv);
    }

    /** One call on a handle whose module is loaded: the dispatch alone. */
    @Benchmark
    public int callOnLoadedHandle() {
        return NativeEntry.call(loadedHandle, loadedHandle, AUTHENTICATE, 0, jarArgv);
    }

    private int transaction(byte[][] argv) {
        long pamh = nextHandle++;
        int rc = NativeEntry.call(pamh, pamh, AUTHENTICATE, 0, argv) | NativeEntry.call(pamh, pamh, ACCT_MGMT, 0, argv)
                | NativeEntry.call(pamh, pamh, OPEN_SESSION, 0, argv) | NativeEntry.call(pamh, pamh, CLOSE_SESSION, 0, argv);
        NativeEntry.end(pamh, pamh, argv[0], 0);
        return rc;
    }
}
