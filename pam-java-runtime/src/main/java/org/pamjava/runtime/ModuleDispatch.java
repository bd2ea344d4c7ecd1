package org.pamjava.runtime;

import java.util.Arrays;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamOperation;

/**
 * One operation or end hook on a module instance, the same for both hosts (pam-java-host's
 * NativeEntry in the application, pam-java-resident's session in the service): the rule's
 * arguments decoded, the module's own loader as context loader, and every failure turned into a
 * PAM code and a log line, so nothing escapes into the caller.
 */
public final class ModuleDispatch {
    private ModuleDispatch() {}

    /** One operation on the instance {@code instances} gives; every failure becomes a PAM code and a log line. */
    public static int run(int opNumber, int flags, byte[][] argv, Diagnostics log, ModuleInstance.Source instances) {
        try {
            PamOperation op = PamOperation.ofNumber(opNumber);
            List<String> args = arguments(argv);
            String moduleArg = args.get(0);
            ModuleInstance instance;
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

    /**
     * The end hook of {@code instance}, then its secrets wiped, its share of the handle's Java data
     * given up (the last instance's runs every value's cleanup with {@code status}, pam_end's) and
     * its own class loader closed.
     */
    public static void end(ModuleInstance instance, String module, int status, Diagnostics log) {
        Thread.currentThread().setContextClassLoader(instance.module().getClass().getClassLoader());
        try {
            ModuleInvoker.end(instance.module(), module, instance.handle(), log);
        } finally {
            Thread.currentThread().setContextClassLoader(null);
            drop(instance, status, log);
        }
    }

    /**
     * What ending an instance always does, end hook or not: its password Strings wiped, its share
     * of the handle's Java data given up ({@code status} for the cleanups when it was the last),
     * and a loader of its own closed, its jars and their native buffers released now rather than
     * at some later GC (a long-lived host would grow). The loader is closed only after the
     * handle's last cleanup has run: a value this module stored may need its classes then.
     */
    public static void drop(ModuleInstance instance, int status, Diagnostics log) {
        instance.handle().wipeSecrets();
        instance.handle().data().leave(status, log, new LoaderRelease(instance.module()));
    }

    /** Closes a module's own class loader ({@link ModuleLoader#release}). A class, not a lambda: see pom.xml. */
    private static final class LoaderRelease implements java.io.Closeable {
        private final org.pamjava.PamModule module;

        LoaderRelease(org.pamjava.PamModule module) {
            this.module = module;
        }

        @Override
        public void close() throws java.io.IOException {
            ModuleLoader.release(module);
        }
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
