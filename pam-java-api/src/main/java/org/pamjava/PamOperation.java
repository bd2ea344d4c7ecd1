package org.pamjava;

import java.util.List;

/**
 * The six PAM service operations: what an application asks of libpam, and the {@link PamModule}
 * method each one calls. The order is pam_java.so's numbering of them ({@link #ofNumber}), which
 * the resident service's wire protocol carries too.
 */
public enum PamOperation {
    /** pam_authenticate(3), the module's {@code pam_sm_authenticate}. */
    AUTHENTICATE("authenticate", "pam_sm_authenticate"),
    /** pam_setcred(3), the module's {@code pam_sm_setcred}. */
    SETCRED("setcred", "pam_sm_setcred"),
    /** pam_acct_mgmt(3), the module's {@code pam_sm_acct_mgmt}. */
    ACCT_MGMT("acctMgmt", "pam_sm_acct_mgmt"),
    /** pam_open_session(3), the module's {@code pam_sm_open_session}. */
    OPEN_SESSION("openSession", "pam_sm_open_session"),
    /** pam_close_session(3), the module's {@code pam_sm_close_session}. */
    CLOSE_SESSION("closeSession", "pam_sm_close_session"),
    /** pam_chauthtok(3), the module's {@code pam_sm_chauthtok}: two passes, {@code PAM_PRELIM_CHECK} then {@code PAM_UPDATE_AUTHTOK}. */
    CHAUTHTOK("chauthtok", "pam_sm_chauthtok");

    private static final PamOperation[] BY_NUMBER = values();

    private final String methodName;
    private final String cName;

    PamOperation(String methodName, String cName) {
        this.methodName = methodName;
        this.cName = cName;
    }

    /** The {@link PamModule} method that implements it, for example {@code acctMgmt}. */
    public String methodName() {
        return methodName;
    }

    /** The C entry point libpam calls in a module, for example {@code pam_sm_acct_mgmt}. */
    public String cName() {
        return cName;
    }

    /**
     * The operation pam_java.so numbers {@code number} (its {@link #ordinal}).
     *
     * @throws IllegalArgumentException for a number that names no operation
     */
    public static PamOperation ofNumber(int number) {
        if (number < 0 || number >= BY_NUMBER.length) {
            throw new IllegalArgumentException("no PAM operation number " + number);
        }
        return BY_NUMBER[number];
    }

    /** Calls this operation's method of {@code module}, and returns what it returned. */
    public int call(PamModule module, PamHandle pamh, int flags, List<String> args) {
        return switch (this) {
            case AUTHENTICATE -> module.authenticate(pamh, flags, args);
            case SETCRED -> module.setcred(pamh, flags, args);
            case ACCT_MGMT -> module.acctMgmt(pamh, flags, args);
            case OPEN_SESSION -> module.openSession(pamh, flags, args);
            case CLOSE_SESSION -> module.closeSession(pamh, flags, args);
            case CHAUTHTOK -> module.chauthtok(pamh, flags, args);
        };
    }
}
