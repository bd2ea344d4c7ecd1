package org.pamjava.stack;

import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * The Java equivalent of Linux-PAM's {@code pam_deny.so}: every operation fails, with the code the
 * C module returns for it ({@code PAM_AUTH_ERR}, {@code PAM_CRED_ERR}, {@code PAM_AUTH_ERR} for the
 * account, {@code PAM_AUTHTOK_ERR}, {@code PAM_SESSION_ERR}).
 */
public final class DenyModule implements PamModule {

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_AUTH_ERR;
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_CRED_ERR;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_AUTH_ERR;
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SESSION_ERR;
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SESSION_ERR;
    }

    @Override
    public int chauthtok(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_AUTHTOK_ERR;
    }
}
