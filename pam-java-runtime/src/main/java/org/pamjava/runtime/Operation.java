package org.pamjava.runtime;

import java.util.List;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/** The six PAM service operations, in the order pam_java.so numbers them. */
public enum Operation {
    AUTHENTICATE("authenticate", "pam_sm_authenticate"),
    SETCRED("setcred", "pam_sm_setcred"),
    ACCT_MGMT("acctMgmt", "pam_sm_acct_mgmt"),
    OPEN_SESSION("openSession", "pam_sm_open_session"),
    CLOSE_SESSION("closeSession", "pam_sm_close_session"),
    CHAUTHTOK("chauthtok", "pam_sm_chauthtok");

    private static final Operation[] BY_NUMBER = values();

    private final String methodName;
    private final String cName;

    Operation(String methodName, String cName) {
        this.methodName = methodName;
        this.cName = cName;
    }

    /** The {@link PamModule} method that implements it, for example {@code acctMgmt}. */
    public String methodName() {
        return methodName;
    }

    /** The C entry point libpam calls, for example {@code pam_sm_acct_mgmt}. */
    public String cName() {
        return cName;
    }

    /** The operation pam_java.so numbered {@code number}. */
    public static Operation ofNumber(int number) {
        if (number < 0 || number >= BY_NUMBER.length) {
            throw new IllegalArgumentException("no PAM operation number " + number);
        }
        return BY_NUMBER[number];
    }

    int call(PamModule module, PamHandle pamh, int flags, List<String> args) {
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
