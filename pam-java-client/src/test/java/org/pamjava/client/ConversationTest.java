package org.pamjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * The conversation through real C modules: pam_unix's password prompt (for a user that does not
 * exist, with {@code nodelay}, so no password is ever right and no delay follows) and pam_echo's
 * text. The exact codes a failing callback produces are checked by {@link ConversationFunctionTest}.
 */
class ConversationTest implements PamConstants {
    static final String NO_SUCH_USER = "pam-java-test-no-such-user";

    @TempDir
    Path tmp;
    PamConfDir pamd;

    @BeforeEach
    void setUp() throws IOException {
        pamd = new PamConfDir(Files.createDirectory(tmp.resolve("pam.d")));
        pamd.service("unix", "auth required pam_unix.so nodelay");
        pamd.service("echo", "auth required pam_echo.so hello %u on %t");
    }

    int unixWith(Conversation conversation) {
        try (PamTransaction pam = pamd.start("unix", NO_SUCH_USER, conversation)) {
            return pam.authenticate(0);
        }
    }

    @Test
    void aPromptIsAnsweredAndTheAnswerArrayIsWiped() {
        List<Message> prompts = new ArrayList<>();
        char[] answer = "not the password".toCharArray();
        int rc = unixWith(message -> {
            prompts.add(message);
            return answer;
        });
        assertEquals(List.of(new Message(PAM_PROMPT_ECHO_OFF, "Password: ")), prompts);
        assertEquals(PAM_USER_UNKNOWN, rc);
        assertEquals(new String(new char[answer.length]), new String(answer), "the reply array is zeroed");
    }

    @Test
    void textMessagesShowTheItemsTheApplicationSet() {
        List<Message> shown = new ArrayList<>();
        try (PamTransaction pam = pamd.start("echo", "alice", message -> {
            shown.add(message);
            return null;
        })) {
            pam.setItem(PamItem.TTY, "pts/9");
            assertEquals(PAM_SUCCESS, pam.authenticate(0));
        }
        assertEquals(List.of(new Message(PAM_TEXT_INFO, "hello alice on pts/9")), shown);
    }

    @Test
    void aCallbackThatThrowsFailsThePromptAndTheProcessGoesOn() {
        // pam_unix reports a password prompt that failed as PAM_AUTHTOK_ERR
        assertEquals(PAM_AUTHTOK_ERR, unixWith(message -> {
            throw new IllegalStateException("the terminal went away");
        }));
        assertEquals(PAM_AUTHTOK_ERR, unixWith(message -> {
            throw new StackOverflowError("an Error too");
        }));
        assertEquals(PAM_AUTHTOK_ERR, unixWith(message -> "nul\0inside".toCharArray()));
        assertEquals(PAM_USER_UNKNOWN, unixWith(message -> "naïve 密码".toCharArray()));
    }

    @Test
    void thePasswordConversationAnswersOnlyPasswordPrompts() {
        char[] password = "secret".toCharArray();
        Conversation conversation = Conversation.password(password);
        assertEquals("secret", new String(conversation.reply(new Message(PAM_PROMPT_ECHO_OFF, "Password: "))));
        assertEquals(null, conversation.reply(new Message(PAM_TEXT_INFO, "hello")));
        PamException e = assertThrows(PamException.class,
                () -> conversation.reply(new Message(PAM_PROMPT_ECHO_ON, "login: ")));
        assertEquals(PAM_CONV_ERR, e.pamCode());
        assertEquals("secret", new String(password), "the caller's array is left alone");
        assertEquals(PAM_USER_UNKNOWN, unixWith(conversation));
    }
}
