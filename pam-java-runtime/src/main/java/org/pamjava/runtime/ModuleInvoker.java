package org.pamjava.runtime;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;

/**
 * Calls one operation of a module and turns whatever happens into a PAM code, the same way for
 * the native module and the Java stack engine: an operation the module does not override gives
 * {@code PAM_SYMBOL_ERR}; an exception {@code PAM_SERVICE_ERR} ({@code OutOfMemoryError}:
 * {@code PAM_BUF_ERR}); a code outside 0..31 {@code PAM_SERVICE_ERR}; each with a log line.
 */
public final class ModuleInvoker {

    private static final ClassValue<Set<PamOperation>> IMPLEMENTED = new ClassValue<>() {
        @Override
        protected Set<PamOperation> computeValue(Class<?> type) {
            Set<PamOperation> implemented = EnumSet.noneOf(PamOperation.class);
            for (PamOperation op : PamOperation.values()) {
                try {
                    var method = type.getMethod(op.methodName(), PamHandle.class, int.class, List.class);
                    if (method.getDeclaringClass() != PamModule.class) {
                        implemented.add(op);
                    }
                } catch (NoSuchMethodException impossible) {
                    throw new AssertionError(impossible);
                }
            }
            return implemented;
        }
    };

    /** The handle whose operation or end hook this thread runs: the PAM environment of its children ({@link ModuleProcesses}). */
    private static final ThreadLocal<PamHandle> CALLING = new ThreadLocal<>();

    private ModuleInvoker() {}

    /** The handle of the PAM call this thread runs, or null (a thread of the module's own, host code). */
    static PamHandle handleOfThisThreadsCall() {
        return CALLING.get();
    }

    /** Whether the module's class overrides the operation's method. */
    public static boolean implementsOperation(PamModule module, PamOperation op) {
        return IMPLEMENTED.get(module.getClass()).contains(op);
    }

    /**
     * Runs {@code op} on {@code module}.
     *
     * @param moduleName how log lines name the module (its path)
     */
    public static int invoke(PamModule module, String moduleName, PamOperation op, PamHandle pamh, int flags,
                             List<String> args, Diagnostics log) {
        int result;
        CALLING.set(pamh);
        try {
            result = op.call(module, pamh, flags, args);
        } catch (OutOfMemoryError e) {
            log.log(Diagnostics.LOG_ERR, moduleName + " ran out of memory in " + op.methodName());
            return PamConstants.PAM_BUF_ERR;
        } catch (Throwable t) {
            log.logFailure(moduleName + " threw " + t.getClass().getName() + " in " + op.methodName(), t);
            return PamConstants.PAM_SERVICE_ERR;
        } finally {
            CALLING.remove();
        }
        // PamModule's defaults return PAM_SYMBOL_ERR: only then is reflection needed to tell a
        // missing method (which gets its log line) from a module that returned the code itself.
        if (result == PamConstants.PAM_SYMBOL_ERR && !implementsOperation(module, op)) {
            log.log(Diagnostics.LOG_ERR, moduleName + " does not implement " + op.methodName() + " ("
                    + op.cName() + ")");
            return PamConstants.PAM_SYMBOL_ERR;
        }
        if (result < 0 || result >= PamConstants._PAM_RETURN_VALUES) {
            log.log(Diagnostics.LOG_ERR, moduleName + " returned " + result + " from " + op.methodName()
                    + ", which is not a PAM code");
            return PamConstants.PAM_SERVICE_ERR;
        }
        return result;
    }

    /** Runs the module's {@code end} hook; a failure is logged and otherwise ignored. */
    public static void end(PamModule module, String moduleName, PamHandle pamh, Diagnostics log) {
        CALLING.set(pamh);
        try {
            module.end(pamh);
        } catch (Throwable t) {
            log.logFailure(moduleName + " threw " + t.getClass().getName() + " in end", t);
        } finally {
            CALLING.remove();
        }
    }
}
