package org.pamjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;

/** {@link Pam#login}: authentication and then account management, never the first alone. */
class PamLoginTest implements PamConstants {

    @TempDir
    Path tmp;

    int login(String auth, String account) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(auth.replace(' ', '_') + "-" + account.replace(' ', '_')));
        new PamConfDir(dir).service("app", "auth required " + auth, "account required " + account);
        return Pam.login("app", "alice", "secret".toCharArray(), dir);
    }

    @Test
    void succeedsOnlyWhenBothStepsSucceed() throws IOException {
        assertEquals(PAM_SUCCESS, login("pam_permit.so", "pam_permit.so"));
    }

    @Test
    void aRightPasswordForAnExpiredAccountIsNotALogin() throws IOException {
        assertEquals(PAM_ACCT_EXPIRED, login("pam_permit.so", "pam_debug.so acct=acct_expired"));
        assertEquals(PAM_NEW_AUTHTOK_REQD, login("pam_permit.so", "pam_debug.so acct=new_authtok_reqd"));
    }

    @Test
    void aFailedAuthenticationStopsBeforeTheAccountCheck() throws IOException {
        assertEquals(PAM_AUTH_ERR, login("pam_deny.so", "pam_debug.so acct=acct_expired"));
    }

    @Test
    void thePasswordGoesToThePrompt() throws IOException {
        assertEquals(PAM_USER_UNKNOWN, login("pam_unix.so nodelay", "pam_permit.so"));
    }
}
