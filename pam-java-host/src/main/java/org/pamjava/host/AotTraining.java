package org.pamjava.host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.LibPamHandle;
import org.pamjava.runtime.ModuleInvoker;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.runtime.SecretStrings;
import org.pamjava.runtime.Utf8;

/**
 * The training run behind pam_java's AOT cache (run by the build, never by pam_java.so): walks the
 * path of a PAM call — runtime start, loading a jar module and a cached {@code .java} module,
 * dispatching operations — so the JVM records the classes it needs. The first phase
 * ({@code prepare}) compiles the training module into a disk cache, in a JVM whose classes are
 * not recorded, so the compiler's thousands of classes stay out of the cache.
 */
public final class AotTraining {
    private static final String SOURCE = """
            import java.util.List;
            import org.pamjava.PamConstants;
            import org.pamjava.PamHandle;
            import org.pamjava.PamModule;

            public class TrainingModule implements PamModule {
                @Override
                public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    return args.size() > 1 ? PamConstants.PAM_AUTH_ERR : PamConstants.PAM_SUCCESS;
                }

                @Override
                public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
                    return PamConstants.PAM_SUCCESS;
                }
            }
            """;

    private AotTraining() {}

    /** The training's log: a class, not a lambda (pam_java's call path makes no lambda either). */
    private static final class TrainingLog implements Diagnostics {
        @Override
        public void log(int priority, String message) {
            System.err.println("aot-training: " + message);
        }
    }

    /** {@code AotTraining prepare|train DIR}. */
    public static void main(String[] argv) throws Exception {
        Path dir = Path.of(argv[1]);
        Path source = dir.resolve("TrainingModule.java");
        Path cache = dir.resolve("classes");
        Diagnostics log = new TrainingLog();
        if (argv[0].equals("prepare")) {
            Files.writeString(source, SOURCE);
            new ModuleLoader(dir, cache, List.of(), log).load(source.getFileName().toString(), log);
            writeJar(dir.resolve("training.jar"), source);
            return;
        }
        // What pam_java.so does: init, then calls and pam_end for a .java and a jar module on a
        // (pretend) handle. The training module never calls libpam, so no native is needed.
        Class.forName(HostNatives.class.getName(), false, AotTraining.class.getClassLoader());
        NativeEntry.init(dir.toString(), dir.toString(), dir.toString(), "", false, "training");
        long pamh = 1;
        for (String moduleArg : List.of("TrainingModule.java", "training.jar")) {
            byte[][] argv0 = {moduleArg.getBytes(java.nio.charset.StandardCharsets.UTF_8)};
            for (PamOperation op : List.of(PamOperation.AUTHENTICATE, PamOperation.ACCT_MGMT)) {
                int rc = NativeEntry.call(pamh, pamh, op.ordinal(), 0, argv0);
                if (rc != PamConstants.PAM_SUCCESS) {
                    throw new IllegalStateException("training module failed: " + rc);
                }
            }
            NativeEntry.end(pamh, pamh, argv0[0], 0);
            pamh++;
        }
        PamModule module = new ModuleLoader(dir, cache, List.of(), log).load("training.jar", log);
        // A real handle, not a java.lang.reflect.Proxy: pam_java never makes a proxy, and a proxy
        // class is spun with the ClassFile API, whose classes the cache would then load at every start.
        PamHandle handle = new LibPamHandle(pamh, "training", HostCalls.INSTANCE);
        for (PamOperation op : PamOperation.values()) {
            ModuleInvoker.invoke(module, "training.jar", op, handle, 0, List.of("training.jar"), log);
        }
        Utf8.decode(Utf8.encode("training \u2713", "text"), "text");
        new LibPamHandle(pamh, "training", HostCalls.INSTANCE).environment();
        new SecretStrings(HostCalls.INSTANCE);
        new org.pamjava.Message(PamConstants.PAM_PROMPT_ECHO_OFF, "training");
        new org.pamjava.Response("training", 0).toString();
        // A module's first log record, java.util.logging's and System.Logger's, configured as
        // pam_java.so configures its JVM (-Djava.util.logging.config.class, jvm_options.c): no
        // route is set here, so the records are dropped.
        System.setProperty("java.util.logging.config.class", org.pamjava.runtime.ModuleLogging.class.getName());
        java.util.logging.Logger.getLogger("training").info("training");
        System.getLogger("training").log(System.Logger.Level.INFO, "training {0}", "record");
        // What init makes of System.out and System.err when pam_java.so created the JVM.
        new java.io.PrintStream(new org.pamjava.runtime.SyslogOutput(Diagnostics.LOG_INFO,
                new org.pamjava.runtime.CallOutput(new HostSyslog())), true, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Compiles the training module with javac on its own and packs it as a jar module. */
    private static void writeJar(Path jar, Path source) throws IOException {
        Path classes = Files.createDirectories(jar.resolveSibling("jar-classes"));
        String api = Path.of(java.net.URI.create(PamModule.class.getProtectionDomain().getCodeSource().getLocation()
                .toString())).toString();
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-proc:none", "-d",
                classes.toString(), "-cp", api, source.toString());
        if (rc != 0) {
            throw new IOException("cannot compile the training module " + source);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue(ModuleLoader.MODULE_CLASS_ATTRIBUTE, "TrainingModule");
        try (OutputStream out = Files.newOutputStream(jar);
             JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            jarOut.putNextEntry(new JarEntry("TrainingModule.class"));
            Files.copy(classes.resolve("TrainingModule.class"), jarOut);
            jarOut.closeEntry();
        }
    }
}
