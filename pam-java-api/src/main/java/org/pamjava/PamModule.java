package org.pamjava;

import java.util.List;

/**
 * A PAM service module written in Java: the six operations of pam_sm_authenticate(3) and its
 * siblings, plus {@link #end}.
 *
 * <p>A module implements the operations it supports; each returns a PAM code such as
 * {@link PamConstants#PAM_SUCCESS}, which reaches libpam unchanged. An operation the module does not
 * override is reported by the runtime as {@link PamConstants#PAM_SYMBOL_ERR} with a syslog line
 * naming it, exactly as libpam reports a C module that lacks the {@code pam_sm_*} symbol.
 *
 * <p>The runtime creates one instance per PAM handle and module at the handle's first use of the
 * module, and drops it after {@link #end} at pam_end(3). Instance fields therefore hold per-handle
 * data (what pam_set_data(3) is for in C). The class needs a public no-argument constructor, or,
 * when it declares {@link SharedState}, a public constructor taking its {@link ModuleState}: what
 * must outlive a handle (a connection pool, a cache) lives there.
 *
 * <p>Static fields are per handle too (unless the module declares {@link SharedState}: then its
 * classes are defined once per version of its file): a module whose classes have state of their own (a static
 * field other than a compile-time constant, a static initializer, which enums, {@code assert} and
 * non-constant {@code static final} fields all bring, a {@code synchronized} block or
 * {@code static synchronized} method, or an {@code invokedynamic} beyond lambdas, string
 * concatenation, records and pattern switches) is defined in a class loader of its own for every
 * handle. A module without any of these, which brings no other jars ({@code Class-Path},
 * {@code class_path}), shares one class loader per version of its file: a handle then skips
 * defining its classes again, which makes a warm transaction several times faster and keeps a
 * long-lived host's memory flat. Ordinary code cannot tell the difference; what it shares is the
 * class loader object itself (its assertion status, classes defined through it, per-loader caches
 * such as {@code ResourceBundle}'s), so leave that alone. Keep per-handle data in instance fields,
 * and a module gets both.
 *
 * <p>Where the module runs: in the process that called PAM, or, for root applications when the
 * administrator has enabled pam_java's resident service (pam-java-resident(8)), in that one
 * long-lived JVM. The API and the rules above are the same in both; in the service, what the module
 * does to its own process (working directory, environment, open files) happens in the service, and
 * a process the application forks gets a new instance at its first call.
 *
 * <p>In every method, {@code args} holds all the module arguments of the PAM rule, the module path
 * included as {@code args.get(0)}: for {@code auth required pam_java.so otp.jar digits=6} it is
 * {@code ["otp.jar", "digits=6"]}. The list is unmodifiable. {@code flags} are the flags libpam
 * passes ({@link PamConstants#PAM_SILENT} and the operation's own).
 *
 * <p>A runtime exception or error thrown out of an operation gives {@link PamConstants#PAM_SERVICE_ERR}
 * (an {@link OutOfMemoryError} gives {@link PamConstants#PAM_BUF_ERR}) with the stack trace in syslog;
 * a return value outside {@code 0..31} gives {@link PamConstants#PAM_SERVICE_ERR}.
 */
public interface PamModule {

    /** pam_sm_authenticate(3): prove the user is who they claim to be. */
    default int authenticate(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SYMBOL_ERR;
    }

    /** pam_sm_setcred(3): establish, delete or refresh the user's credentials. */
    default int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SYMBOL_ERR;
    }

    /** pam_sm_acct_mgmt(3): decide whether the (authenticated) account may be used now. */
    default int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SYMBOL_ERR;
    }

    /** pam_sm_open_session(3): set up the user's session. */
    default int openSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SYMBOL_ERR;
    }

    /** pam_sm_close_session(3): tear the user's session down. */
    default int closeSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SYMBOL_ERR;
    }

    /**
     * pam_sm_chauthtok(3): change the authentication token. libpam calls it twice per
     * pam_chauthtok(3): first with {@link PamConstants#PAM_PRELIM_CHECK}, then with
     * {@link PamConstants#PAM_UPDATE_AUTHTOK} in {@code flags}.
     */
    default int chauthtok(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SYMBOL_ERR;
    }

    /**
     * Called once at pam_end(3), before the instance is dropped (pam_python's {@code pam_sm_end}).
     * Items and the PAM environment can still be read here; the conversation should not be used.
     * An exception thrown here is logged and otherwise ignored.
     */
    default void end(PamHandle pamh) {}
}
