package org.pamjava.client;

import java.nio.file.Path;
import org.pamjava.Conversation;
import org.pamjava.PamConstants;

/**
 * The one-call check most applications need: is this the user's password, and may the account be
 * used now?
 *
 * <p>{@link #login} runs pam_authenticate(3) and then, only if that succeeded,
 * pam_acct_mgmt(3), both with {@code PAM_DISALLOW_NULL_AUTHTOK} (an account without a password
 * does not log in). Skipping the second step (as libpam4j did, CVE-2017-12197) lets in expired
 * or locked accounts whose password is still right.
 */
public final class Pam {

    private Pam() {}

    /**
     * Authenticates {@code user} for {@code service} with {@code password} (the answer to every
     * password prompt), then checks the account.
     *
     * @param password the password; the caller keeps it (and should wipe it afterwards): only
     *     copies of it are handed to libpam, and those are wiped
     * @return {@code PAM_SUCCESS} when both steps succeeded, else the first failure's code
     *     (pam_authenticate's {@code PAM_AUTH_ERR}, {@code PAM_USER_UNKNOWN}, ..., or pam_acct_mgmt's
     *     {@code PAM_ACCT_EXPIRED}, {@code PAM_NEW_AUTHTOK_REQD}, {@code PAM_PERM_DENIED}, ...)
     * @throws org.pamjava.PamException when the transaction cannot start
     */
    public static int login(String service, String user, char[] password) {
        return login(service, user, password, null);
    }

    /** {@link #login(String, String, char[])} with the configuration read from {@code confdir} (pam_start_confdir(3)). */
    public static int login(String service, String user, char[] password, Path confdir) {
        try (PamTransaction pam = PamTransaction.start(service, user, Conversation.password(password), confdir)) {
            int rc = pam.authenticate(PamConstants.PAM_DISALLOW_NULL_AUTHTOK);
            if (rc != PamConstants.PAM_SUCCESS) {
                return rc;
            }
            return pam.acctMgmt(PamConstants.PAM_DISALLOW_NULL_AUTHTOK);
        }
    }
}
