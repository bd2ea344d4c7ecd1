package org.pamjava.host;

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
import org.pamjava.PamOperation;
import org.pamjava.runtime.CallOutput;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.HandleDataRegistry;
import org.pamjava.runtime.LibPamHandle;
import org.pamjava.runtime.ModuleDispatch;
import org.pamjava.runtime.ModuleInstance;
import org.pamjava.runtime.ModuleInvoker;
import org.pamjava.runtime.ModuleLoadException;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.runtime.ModuleLogging;
import org.pamjava.runtime.SharedStates;
import org.pamjava.runtime.SyslogOutput;
import org.pamjava.runtime.SyslogRecords;
import org.pamjava.runtime.Utf8;

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
    private static final Map<Long, ModuleInstance> INSTANCES = new ConcurrentHashMap<>();
    /**
     * The Java data of this process's handles, by handle address: every pam_java rule of a handle
     * runs its instance here (a forked child runs no Java), and the address is the handle's until
     * its pam_end, when its last instance leaves and the entry goes.
     */
    private static final HandleDataRegistry HANDLE_DATA = new HandleDataRegistry();
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
            HostNatives.log(pamh, priority, SyslogRecords.of(message));
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
                // The host's stdout and stderr are the user's terminal, not ours. A call's prints
                // go out as its pam_syslog lines do (CallOutput), the rest with plain syslog.
                SyslogOutput.Sink syslog = new CallOutput(new HostSyslog());
                System.setOut(new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, syslog), true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(new SyslogOutput(Diagnostics.LOG_ERR, syslog), true, StandardCharsets.UTF_8));
                // java.util.logging and System.Logger the same way, once something logs: the JVM's
                // -Djava.util.logging.config.class (jvm_options.c) names ModuleLogging.
                ModuleLogging.route(syslog);
            }
            List<Path> extra = new ArrayList<>();
            for (String entry : classPath.split(":")) {
                if (!entry.isBlank()) {
                    extra.add(Path.of(entry.strip()));
                }
            }
            NativeEntry.libpamVersion = libpamVersion;
            // One process, one set of shared states, closed by the JVM's shutdown hooks if they run.
            loader = new ModuleLoader(Path.of(moduleDir), cacheDir.isEmpty() ? null : Path.of(cacheDir, "classes"),
                    extra, log, new SharedStates(log, true));
        } catch (Throwable t) {
            log.logFailure("pam_java runtime failed to initialise: " + t, t);
        }
    }

    static int call(long pamh, long token, int opNumber, int flags, byte[][] argv) {
        return ModuleDispatch.run(opNumber, flags, argv, syslog(pamh), new ProcessInstances(pamh, token));
    }

    /** This process's instances, by pam_java.so's token. A class, not a lambda: see AotTraining. */
    private record ProcessInstances(long pamh, long token) implements ModuleInstance.Source {
        @Override
        public ModuleInstance instance(String moduleArg, Diagnostics log) throws ModuleLoadException {
            return NativeEntry.instance(pamh, token, moduleArg, log);
        }
    }

    /** pam_end of the instance {@code token} names: its end hook, then its share of the handle's data with pam_end's {@code status}. */
    static void end(long pamh, long token, byte[] moduleArg, int status) {
        Diagnostics log = syslog(pamh);
        try {
            String module = Utf8.decode(moduleArg, "module argument");
            ModuleInstance instance = INSTANCES.remove(token);
            if (instance != null) {
                ModuleDispatch.end(instance, module, status, log);
            }
        } catch (Throwable t) {
            log.logFailure("pam_java internal error at pam_end: " + t, t);
        }
    }

    private static ModuleInstance instance(long pamh, long token, String moduleArg, Diagnostics log)
            throws ModuleLoadException {
        ModuleInstance instance = INSTANCES.get(token);
        if (instance == null) {
            if (loader == null) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        "the pam_java runtime did not initialise; see the first error in syslog");
            }
            PamModule module = loader.load(moduleArg, log);
            instance = new ModuleInstance(module, new LibPamHandle(pamh, libpamVersion, HostCalls.INSTANCE,
                    HANDLE_DATA.join(Long.valueOf(pamh))));
            INSTANCES.put(token, instance); // one thread uses a handle at a time
        }
        return instance;
    }

}
