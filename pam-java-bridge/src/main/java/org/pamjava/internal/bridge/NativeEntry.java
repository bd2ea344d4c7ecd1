package org.pamjava.internal.bridge;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamModule;
import org.pamjava.internal.runtime.Diagnostics;
import org.pamjava.internal.runtime.ModuleInvoker;
import org.pamjava.internal.runtime.ModuleLoadException;
import org.pamjava.internal.runtime.ModuleLoader;
import org.pamjava.internal.runtime.Operation;

/**
 * What pam_java.so calls, on its own threads: {@link #init} once per process, {@link #call} for
 * each operation, {@link #end} at pam_end(3). Nothing may escape into C: every failure becomes a
 * PAM code and a syslog line.
 *
 * <p>Module instances live per (PAM handle, MODULE argument), which pam_java.so names with a
 * token it never reuses (a handle's address is reused by the next pam_start): created at the
 * first call, dropped after {@code end}.
 */
final class NativeEntry {
    /** A module instance and the handle it was created for. */
    record Instance(PamModule module, LibPamHandle handle) {}

    private static final Map<Long, Instance> INSTANCES = new ConcurrentHashMap<>();
    private static volatile ModuleLoader loader;
    private static volatile String libpamVersion = "unknown";

    private NativeEntry() {}

    /**
     * Logs through pam_syslog(3) for {@code pamh}, or syslog(3) for 0, each message one record
     * (see {@link SyslogRecords}). A class, not a lambda: see pom.xml.
     */
    private record Syslog(long pamh) implements Diagnostics {
        @Override
        public void log(int priority, String message) {
            LibPam.log(pamh, priority, SyslogRecords.of(message));
        }
    }

    static Diagnostics syslog(long pamh) {
        return new Syslog(pamh);
    }

    /**
     * @param runtimeDir where pam_java's jars are
     * @param moduleDir the directory holding pam_java.so (relative MODULEs resolve against it)
     * @param cacheDir the root-only cache directory of compiled .java modules
     * @param classPath extra class path for every module (':'-separated), may be empty
     * @param jvmCreated whether pam_java created this JVM (then System.out/err go to syslog)
     */
    static void init(String runtimeDir, String moduleDir, String cacheDir, String classPath, boolean jvmCreated,
                     String libpamVersion) {
        Diagnostics log = syslog(0);
        try {
            // The JDK copies the process's environment at the first System.getenv(). In a JVM that
            // pam_java.so created, the environment is now its fixed one, not the caller's (a setuid
            // host's caller is not to be trusted): take the copy now, so modules see that one.
            System.getenv();
            if (jvmCreated) {
                // The host's stdout and stderr are the user's terminal, not ours.
                SyslogOutput.Sink syslog = new SyslogOutput.LibPamSyslog();
                System.setOut(new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, syslog), true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(new SyslogOutput(Diagnostics.LOG_ERR, syslog), true, StandardCharsets.UTF_8));
            }
            List<Path> extra = new ArrayList<>();
            for (String entry : classPath.split(":")) {
                if (!entry.isBlank()) {
                    extra.add(Path.of(entry.strip()));
                }
            }
            NativeEntry.libpamVersion = libpamVersion;
            loader = new ModuleLoader(Path.of(moduleDir), cacheDir.isEmpty() ? null : Path.of(cacheDir, "classes"),
                    extra, log);
        } catch (Throwable t) {
            log.logFailure("pam_java runtime failed to initialise: " + t, t);
        }
    }

    static int call(long pamh, long token, int opNumber, int flags, byte[][] argv) {
        return run(opNumber, flags, argv, syslog(pamh), new ProcessInstances(pamh, token));
    }

    /** Where a call finds its module instance: created at the handle's first call, loaded by {@code log}'s rules. */
    interface InstanceSource {
        Instance instance(String moduleArg, Diagnostics log) throws ModuleLoadException;
    }

    /** This process's instances, by pam_java.so's token. A class, not a lambda: see AotTraining. */
    private record ProcessInstances(long pamh, long token) implements InstanceSource {
        @Override
        public Instance instance(String moduleArg, Diagnostics log) throws ModuleLoadException {
            return NativeEntry.instance(pamh, token, moduleArg, log);
        }
    }

    /** One operation on the instance {@code instances} gives; every failure becomes a PAM code and a log line. */
    static int run(int opNumber, int flags, byte[][] argv, Diagnostics log, InstanceSource instances) {
        try {
            Operation op = Operation.ofNumber(opNumber);
            List<String> args = arguments(argv);
            String moduleArg = args.get(0);
            Instance instance;
            try {
                instance = instances.instance(moduleArg, log);
            } catch (ModuleLoadException e) {
                log.log(Diagnostics.LOG_ERR, e.getMessage());
                if (e.getCause() != null && e.pamCode() == PamConstants.PAM_SERVICE_ERR) {
                    log.logFailure("caused by", e.getCause());
                }
                return e.pamCode();
            }
            // The module's own loader as context loader: ServiceLoader and frameworks then see the
            // module's classes, never the host application's class path.
            Thread thread = Thread.currentThread();
            thread.setContextClassLoader(instance.module().getClass().getClassLoader());
            try {
                return ModuleInvoker.invoke(instance.module(), moduleArg, op, instance.handle(), flags, args, log);
            } finally {
                thread.setContextClassLoader(null);
            }
        } catch (PamException e) {
            log.log(Diagnostics.LOG_ERR, e.getMessage());
            return PamConstants.PAM_SERVICE_ERR;
        } catch (OutOfMemoryError e) {
            return PamConstants.PAM_BUF_ERR;
        } catch (Throwable t) {
            log.logFailure("pam_java internal error: " + t, t);
            return PamConstants.PAM_SERVICE_ERR;
        }
    }

    static void end(long pamh, long token, byte[] moduleArg, int status) {
        Diagnostics log = syslog(pamh);
        try {
            String module = Utf8.decode(moduleArg, "module argument");
            Instance instance = INSTANCES.remove(token);
            if (instance != null) {
                end(instance, module, log);
            }
        } catch (Throwable t) {
            log.logFailure("pam_java internal error at pam_end: " + t, t);
        }
    }

    /** The end hook of {@code instance}, then its secrets wiped and its own class loader closed. */
    static void end(Instance instance, String module, Diagnostics log) throws java.io.IOException {
        Thread.currentThread().setContextClassLoader(instance.module().getClass().getClassLoader());
        try {
            ModuleInvoker.end(instance.module(), module, instance.handle(), log);
        } finally {
            Thread.currentThread().setContextClassLoader(null);
            drop(instance);
        }
    }

    /**
     * What ending an instance always does, end hook or not: its password Strings wiped, and a loader
     * of its own closed, its jars and their native buffers released now rather than at some later GC
     * (a long-lived host would grow).
     */
    static void drop(Instance instance) throws java.io.IOException {
        instance.handle().wipeSecrets();
        ModuleLoader.release(instance.module());
    }

    private static Instance instance(long pamh, long token, String moduleArg, Diagnostics log)
            throws ModuleLoadException {
        Instance instance = INSTANCES.get(token);
        if (instance == null) {
            if (loader == null) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        "the pam_java runtime did not initialise; see the first error in syslog");
            }
            instance = new Instance(loader.load(moduleArg, log), new LibPamHandle(pamh, libpamVersion, PamCalls.IN_PROCESS));
            INSTANCES.put(token, instance); // one thread uses a handle at a time
        }
        return instance;
    }

    /** The rule's arguments, strictly decoded before any module code sees them. */
    private static List<String> arguments(byte[][] argv) {
        String[] args = new String[argv.length];
        for (int i = 0; i < argv.length; i++) {
            args[i] = Utf8.decode(argv[i], "module argument " + (i + 1));
        }
        return List.copyOf(Arrays.asList(args));
    }
}
