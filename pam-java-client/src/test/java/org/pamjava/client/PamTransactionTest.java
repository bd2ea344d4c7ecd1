package org.pamjava.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.XAuthData;

/** The transaction against the real libpam with Linux-PAM's own modules, configured in a private directory. */
class PamTransactionTest implements PamConstants {

    @TempDir
    Path tmp;
    PamConfDir pamd;
    final List<Message> shown = new ArrayList<>();
    final Conversation recording = message -> {
        shown.add(message);
        return null;
    };

    @BeforeEach
    void setUp() throws IOException {
        pamd = new PamConfDir(Files.createDirectory(tmp.resolve("pam.d")));
    }

    @Test
    void permitSucceedsInEveryOperation() throws IOException {
        pamd.service("svc", "auth required pam_permit.so", "account required pam_permit.so",
                "password required pam_permit.so", "session required pam_permit.so");
        try (PamTransaction pam = pamd.start("svc", "alice", recording)) {
            assertEquals(PAM_SUCCESS, pam.authenticate(0));
            assertEquals(PAM_SUCCESS, pam.setcred(PAM_ESTABLISH_CRED));
            assertEquals(PAM_SUCCESS, pam.acctMgmt(0));
            assertEquals(PAM_SUCCESS, pam.openSession(0));
            assertEquals(PAM_SUCCESS, pam.closeSession(0));
            assertEquals(PAM_SUCCESS, pam.chauthtok(0));
        }
    }

    @Test
    void withoutAConfigDirectoryTheSystemsPamDotDIsUsed() {
        // pam_start(3) itself (no confdir): a service no file names falls back to /etc/pam.d/other.
        try (PamTransaction pam = PamTransaction.start("pam-java-client-test-no-such-service", "nobody",
                message -> null)) {
            int code = pam.acctMgmt(0);
            assertTrue(code >= 0 && code < 32, "a PAM code from the system's 'other' stack: " + code);
        }
    }

    @Test
    void denyFailsWithTheCodesOfPamDeny() throws IOException {
        pamd.service("svc", "auth required pam_deny.so", "account required pam_deny.so",
                "password required pam_deny.so", "session required pam_deny.so");
        try (PamTransaction pam = pamd.start("svc", "alice", recording)) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate(0));
            assertEquals(PAM_CRED_ERR, pam.setcred(PAM_ESTABLISH_CRED));
            assertEquals(PAM_AUTH_ERR, pam.acctMgmt(0));
            assertEquals(PAM_SESSION_ERR, pam.openSession(0));
            assertEquals(PAM_AUTHTOK_ERR, pam.chauthtok(0));
            assertEquals("Authentication failure", pam.strerror(PAM_AUTH_ERR));
        }
    }

    @Test
    void debugReturnsTheNamedCodesAndItsMessagesReachTheConversation() throws IOException {
        pamd.service("svc", "auth required pam_debug.so auth=perm_denied cred=cred_expired",
                "account required pam_debug.so acct=new_authtok_reqd",
                "session required pam_debug.so open_session=success close_session=session_err");
        try (PamTransaction pam = pamd.start("svc", "alice", recording)) {
            assertEquals(PAM_PERM_DENIED, pam.authenticate(0));
            assertEquals(PAM_CRED_EXPIRED, pam.setcred(PAM_ESTABLISH_CRED));
            assertEquals(PAM_NEW_AUTHTOK_REQD, pam.acctMgmt(0));
            assertEquals(PAM_SUCCESS, pam.openSession(0));
            assertEquals(PAM_SESSION_ERR, pam.closeSession(0));
        }
        assertEquals(List.of(new Message(PAM_TEXT_INFO, "auth=perm_denied"), new Message(PAM_TEXT_INFO, "cred=cred_expired"),
                new Message(PAM_TEXT_INFO, "acct=new_authtok_reqd"), new Message(PAM_TEXT_INFO, "open_session=success"),
                new Message(PAM_TEXT_INFO, "close_session=session_err")), shown);
    }

    @Test
    void pamEnvFillsTheEnvironmentWhichTheApplicationReadsAndChanges() throws IOException {
        Path conf = Files.writeString(tmp.resolve("pam_env.conf"), "GREETING DEFAULT=hello\nPLACE DEFAULT=@{PAM_TTY}\n");
        pamd.service("svc", "auth required pam_env.so readenv=0 user_readenv=0 conffile=" + conf,
                "auth required pam_permit.so");
        try (PamTransaction pam = pamd.start("svc", "alice", recording)) {
            pam.setItem(PamItem.TTY, "tty7");
            pam.putenv("FROM_APP", "1");
            assertEquals(PAM_SUCCESS, pam.setcred(PAM_ESTABLISH_CRED));
            assertEquals("hello", pam.getenv("GREETING"));
            assertEquals("tty7", pam.getenv("PLACE"));
            assertEquals(Map.of("FROM_APP", "1", "GREETING", "hello", "PLACE", "tty7"), pam.environment());
            pam.putenv("GREETING", null);
            pam.putenv("NEVER_SET", null);
            assertNull(pam.getenv("GREETING"));
            assertEquals(List.of("FROM_APP", "PLACE"), List.copyOf(pam.environment().keySet()));
            assertThrows(IllegalArgumentException.class, () -> pam.putenv("A=B", "c"));
        }
    }

    @Test
    void itemsReadBackWhatWasSetAndNullUnsets() throws IOException {
        pamd.service("svc", "auth required pam_permit.so");
        try (PamTransaction pam = pamd.start("svc", null, recording)) {
            assertEquals("svc", pam.getItem(PamItem.SERVICE));
            assertNull(pam.getItem(PamItem.USER));
            for (PamItem item : List.of(PamItem.USER, PamItem.TTY, PamItem.RHOST, PamItem.RUSER, PamItem.USER_PROMPT,
                    PamItem.XDISPLAY, PamItem.AUTHTOK_TYPE)) {
                pam.setItem(item, "välue of " + item);
                assertEquals("välue of " + item, pam.getItem(item));
            }
            pam.setItem(PamItem.RHOST, null);
            assertNull(pam.getItem(PamItem.RHOST));
            assertNull(pam.getXAuthData());
            pam.setXAuthData(new XAuthData("MIT-MAGIC-COOKIE-1", new byte[] {1, 2, 0, 4}));
            XAuthData back = pam.getXAuthData();
            assertEquals("MIT-MAGIC-COOKIE-1", back.name());
            assertArrayEquals(new byte[] {1, 2, 0, 4}, back.data());
            pam.setXAuthData(null);
            assertNull(pam.getXAuthData());
        }
    }

    @Test
    void startWithoutAnyConfigurationFailsWithTheLibpamCode() {
        PamException e = assertThrows(PamException.class, () -> pamd.start("nothing", "alice", recording));
        assertEquals(PAM_ABORT, e.pamCode());
    }

    @Test
    void anEndedTransactionRefusesCallsAndClosesTwiceQuietly() throws IOException {
        pamd.service("svc", "auth required pam_permit.so");
        PamTransaction pam = pamd.start("svc", "alice", recording);
        assertEquals(PAM_SUCCESS, pam.end(PAM_SUCCESS));
        assertTrue(pam.isEnded());
        assertThrows(IllegalStateException.class, () -> pam.authenticate(0));
        assertThrows(IllegalStateException.class, () -> pam.getItem(PamItem.USER));
        pam.close();
        assertThrows(IllegalStateException.class, () -> pam.end(PAM_SUCCESS));
    }
}
