package org.pamjava;

import java.util.Arrays;

/**
 * {@link Conversation#password}: a class, not a lambda, as everything in this jar is (it is on
 * pam_java.so's call path, where the first lambda of a fresh JVM costs milliseconds; see
 * pam-java-it's CallPathClassesTest).
 */
final class PasswordConversation implements Conversation {
    private final char[] password;

    PasswordConversation(char[] password) {
        this.password = password;
    }

    @Override
    public char[] reply(Message message) {
        return switch (message.msgStyle()) {
            case PamConstants.PAM_PROMPT_ECHO_OFF -> Arrays.copyOf(password, password.length);
            case PamConstants.PAM_PROMPT_ECHO_ON -> throw new PamException(PamConstants.PAM_CONV_ERR,
                    "no answer for the prompt \"" + message.msg() + "\"");
            default -> null;
        };
    }
}
