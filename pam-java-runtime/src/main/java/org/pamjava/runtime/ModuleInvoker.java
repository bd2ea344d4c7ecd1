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

    /**
     * The call this thread runs: its handle (the PAM environment of its children, {@link
     * ModuleProcesses}; where its prints go, {@link CallOutput}) and the rule's arguments (whether
     * its LOG_DEBUG records are written, {@link ModuleLogging}).
     */
    private static final ThreadLocal<ModuleCall> CALLING = new ThreadLocal<>();

    /**
     * An operation or end hook in progress on a thread. {@code args} are the rule's (the module
     * path first), empty for the end hook, which pam_end(3) runs outside any rule; {@code debug}
     * says whether they hold the {@code debug} argument.
     */
    record ModuleCall(PamHandle handle, List<String> args, boolean debug) {}

    private ModuleInvoker() {}

    /** The handle of the PAM call this thread runs, or null (a thread of the module's own, host code). */
    static PamHandle handleOfThisThreadsCall() {
        ModuleCall call = CALLING.get();
        return call == null ? null : call.handle();
    }

    /**
     * Whether this thread runs a call on {@code pamh} (any handle when null) whose rule has the
     * {@code debug} argument: Linux-PAM's convention for LOG_DEBUG records.
     */
    static boolean thisThreadsCallHasDebug(PamHandle pamh) {
        ModuleCall call = CALLING.get();
        return call != null && call.debug() && (pamh == null || call.handle() == pamh);
    }

    /** Whether the rule's arguments (after the module path) include {@code debug}, as pam_unix's "debug". */
    static boolean hasDebugArgument(List<String> args) {
        for (int i = 1; i < args.size(); i++) {
            if ("debug".equals(args.get(i))) {
                return true;
            }
        }
        return false;
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
        boolean debug = hasDebugArgument(args);
        CALLING.set(new ModuleCall(pamh, args, debug));
        if (debug) {
            ModuleLogging.debugCallStarts();
        }
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
            if (debug) {
                ModuleLogging.debugCallEnds();
            }
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
        CALLING.set(new ModuleCall(pamh, List.of(), false));
        try {
            module.end(pamh);
        } catch (Throwable t) {
            log.logFailure(moduleName + " threw " + t.getClass().getName() + " in end", t);
        } finally {
            CALLING.remove();
        }
    }
}
