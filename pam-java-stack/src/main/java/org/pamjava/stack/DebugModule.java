package org.pamjava.stack;

import java.util.List;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * The Java equivalent of Linux-PAM's {@code pam_debug.so}: each operation returns the code named by
 * its argument, {@code PAM_SUCCESS} when there is none. The arguments are {@code auth=},
 * {@code cred=}, {@code acct=}, {@code prechauthtok=}, {@code chauthtok=}, {@code open_session=}
 * and {@code close_session=}, each followed by a return-value name of the control syntax
 * ({@code auth=perm_denied}, {@code cred=ignore}, {@code acct=incomplete}...).
 *
 * <p>As in the C module, only the first argument for the operation counts; an unknown name leaves
 * {@code PAM_SUCCESS}; a recognised argument is echoed to the user as a {@code PAM_TEXT_INFO}
 * message (pam_info(3)), whose failure is ignored.
 */
public final class DebugModule implements PamModule {

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        return result(pamh, "auth", args);
    }

    @Override
    public int setcred(PamHandle pamh, int flags, List<String> args) {
        return result(pamh, "cred", args);
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return result(pamh, "acct", args);
    }

    @Override
    public int openSession(PamHandle pamh, int flags, List<String> args) {
        return result(pamh, "open_session", args);
    }

    @Override
    public int closeSession(PamHandle pamh, int flags, List<String> args) {
        return result(pamh, "close_session", args);
    }

    @Override
    public int chauthtok(PamHandle pamh, int flags, List<String> args) {
        return result(pamh, (flags & PamConstants.PAM_PRELIM_CHECK) != 0 ? "prechauthtok" : "chauthtok", args);
    }

    private static int result(PamHandle pamh, String event, List<String> args) {
        for (String arg : args) {
            if (arg.startsWith(event) && arg.length() > event.length() && arg.charAt(event.length()) == '=') {
                int code = Control.returnValue(arg.substring(event.length() + 1));
                if (code < 0) {
                    return PamConstants.PAM_SUCCESS;
                }
                try {
                    pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, arg));
                } catch (PamException e) {
                    // pam_debug ignores pam_info's result
                }
                return code;
            }
        }
        return PamConstants.PAM_SUCCESS;
    }
}
