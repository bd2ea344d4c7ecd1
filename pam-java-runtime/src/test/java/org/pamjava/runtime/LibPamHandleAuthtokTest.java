package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * LibPamHandle's getAuthtok family over the PamCalls port (libpam's pam_get_authtok itself runs in
 * pam_java.so, so pam-java-it compares the semantics): which function each method asks for, the
 * prompt as UTF-8 or null, libpam's code as the exception's, the token's bytes wiped, its String
 * form wiped at pam_end; and prompt, info and error as one-message conversations.
 */
class LibPamHandleAuthtokTest implements PamConstants {

    /** libpam's side: answers getAuthtok with {@code code} and {@code token}, records what it was asked. */
    private static final class Libpam extends SyslogOnlyApplication {
        final List<String> asked = new ArrayList<>();
        final List<String> wiped = new ArrayList<>();
        int code = PAM_SUCCESS;
        byte[] token = "t0k\u00e9n".getBytes(StandardCharsets.UTF_8);
        byte[] handedOut;
        int[] conversationStyles;
        byte[] conversationText;
        byte[] reply;

        @Override public int getAuthtok(long pamh, int which, byte[] prompt, byte[][] out) {
            asked.add(which + " " + (prompt == null ? "null" : new String(prompt, StandardCharsets.UTF_8)));
            handedOut = token == null ? null : token.clone();
            out[0] = code == PAM_SUCCESS ? handedOut : null;
            return code;
        }
        @Override public int conversation(long pamh, int[] styles, byte[][] messages, byte[][] replies, int[] retCodes) {
            conversationStyles = styles;
            conversationText = messages[0];
            replies[0] = reply;
            return code;
        }
        @Override public void wipeString(String secret) { wiped.add(secret); }
        @Override public byte[] strerror(long pamh, int errnum) { return ("error " + errnum).getBytes(StandardCharsets.UTF_8); }
    }

    @Test
    void eachMethodAsksForItsFunctionWithThePromptAsUtf8() {
        Libpam libpam = new Libpam();
        LibPamHandle h = new LibPamHandle(1, "1.5.2", libpam);
        assertArrayEquals("t0k\u00e9n".toCharArray(), h.getAuthtokChars(null));
        assertArrayEquals(new byte[libpam.token.length], libpam.handedOut, "the token's bytes are wiped");
        h.getOldauthtokChars("Alt \u00fc: ");
        h.getAuthtokNoverifyChars("Neu: ");
        h.verifyAuthtokChars(null);
        assertEquals("t0k\u00e9n", h.getAuthtok("P: "));
        assertEquals(List.of(PamCalls.AUTHTOK + " null", PamCalls.OLDAUTHTOK + " Alt \u00fc: ",
                PamCalls.AUTHTOK_NOVERIFY + " Neu: ", PamCalls.AUTHTOK_VERIFY + " null", PamCalls.AUTHTOK + " P: "),
                libpam.asked);
    }

    @Test
    void libpamsCodeIsTheExceptionsAndATokenlessSuccessIsAuthtokErr() {
        Libpam libpam = new Libpam();
        LibPamHandle h = new LibPamHandle(1, "1.5.2", libpam);
        libpam.code = PAM_TRY_AGAIN;
        assertEquals(PAM_TRY_AGAIN, assertThrows(PamException.class, () -> h.getAuthtokChars(null)).pamCode());
        libpam.code = PamCalls.NOT_IN_CALL;
        assertThrows(IllegalStateException.class, () -> h.verifyAuthtokChars(null));
        libpam.code = PAM_SUCCESS;
        libpam.token = null;
        assertEquals(PAM_AUTHTOK_ERR, assertThrows(PamException.class, () -> h.getAuthtok(null)).pamCode());
        libpam.token = new byte[] {(byte) 0xff};
        assertEquals(PAM_BAD_ITEM, assertThrows(PamException.class, () -> h.getAuthtokChars(null)).pamCode());
        assertThrows(IllegalArgumentException.class, () -> h.getAuthtokChars("a\0b"), "C would cut the prompt at the NUL");
    }

    @Test
    void theStringFormIsWipedAtPamEnd() {
        Libpam libpam = new Libpam();
        LibPamHandle h = new LibPamHandle(1, "1.5.2", libpam);
        String token = h.getAuthtok(null);
        h.wipeSecrets();
        assertEquals(1, libpam.wiped.size());
        assertSame(token, libpam.wiped.getFirst());
    }

    @Test
    void promptInfoAndErrorAreOneMessageConversations() {
        Libpam libpam = new Libpam();
        LibPamHandle h = new LibPamHandle(1, "1.5.2", libpam);
        libpam.reply = "secret".getBytes(StandardCharsets.UTF_8);
        String answer = h.prompt(PAM_PROMPT_ECHO_OFF, "Code %s: ");
        assertEquals("secret", answer);
        assertArrayEquals(new int[] {PAM_PROMPT_ECHO_OFF}, libpam.conversationStyles);
        assertEquals("Code %s: ", new String(libpam.conversationText, StandardCharsets.UTF_8));
        h.wipeSecrets();
        assertTrue(libpam.wiped.contains(answer), "an ECHO_OFF answer is a secret");
        libpam.reply = null;
        assertNull(h.prompt(PAM_PROMPT_ECHO_ON, "Name? "));
        h.info("100%");
        assertArrayEquals(new int[] {PAM_TEXT_INFO}, libpam.conversationStyles);
        h.error("bad %n");
        assertArrayEquals(new int[] {PAM_ERROR_MSG}, libpam.conversationStyles);
        assertEquals("bad %n", new String(libpam.conversationText, StandardCharsets.UTF_8));
        libpam.code = PAM_CONV_ERR;
        assertEquals(PAM_CONV_ERR, assertThrows(PamException.class, () -> h.info("x")).pamCode());
    }
}
