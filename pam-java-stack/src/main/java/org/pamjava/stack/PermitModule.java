package org.pamjava.stack;

import java.util.List;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * The Java equivalent of Linux-PAM's {@code pam_permit.so}: every operation succeeds. As the C
 * module does, {@link #authenticate} first makes sure a user name is known (asking through the
 * conversation if need be) and sets it to {@code nobody} when the answer is empty.
 */
public final class PermitModule implements PamModule {

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String user;
        try {
            user = pamh.getUser(null);
        } catch (PamException e) {
            return e.pamCode();
        }
        if (user.isEmpty()) {
            try {
                pamh.setUser("nobody");
            } catch (PamException e) {
                return PAM_USER_UNKNOWN;
            }
        }
        return PAM_SUCCESS;
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PAM_SUCCESS;
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        return PAM_SUCCESS;
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        return PAM_SUCCESS;
    }

    @Override
    public int chauthtok(PamHandle pamh, int flags, List<String> args) {
        return PAM_SUCCESS;
    }

    private static final int PAM_SUCCESS = PamHandle.PAM_SUCCESS;
    private static final int PAM_USER_UNKNOWN = PamHandle.PAM_USER_UNKNOWN;
}
