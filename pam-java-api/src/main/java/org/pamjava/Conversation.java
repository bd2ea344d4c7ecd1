package org.pamjava;

/**
 * The application's conversation function, pam_conv(3): how modules talk to the user. The one
 * shape for every caller: an application on the real libpam ({@code org.pamjava.client}), the
 * stack engine ({@code org.pamjava.stack}), the test kit's {@code ScriptedConversation} and the
 * {@code pam-java} command.
 *
 * <p>libpam calls the conversation during an operation, on the thread that called the operation,
 * with one or more messages; {@link #reply} is asked once per message, in order. A reply is a
 * {@code char[]} so that a password never becomes a {@code String} in an application: the client
 * copies it into memory from malloc(3) (libpam frees it) and then overwrites the array with
 * zeros; the C copy is the module's to wipe. (The engine and the test kit give modules a
 * {@link Response}, whose text is a String, as {@link PamHandle#conversation} does.)
 *
 * <p>To fail the conversation call, throw: a {@link PamException} whose code is
 * {@code PAM_CONV_ERR}, {@code PAM_BUF_ERR} or {@code PAM_CONV_AGAIN} gives that code to the module,
 * an {@link OutOfMemoryError} gives {@code PAM_BUF_ERR}, anything else {@code PAM_CONV_ERR}. Nothing
 * thrown here escapes into libpam.
 */
@FunctionalInterface
public interface Conversation {

    /**
     * Shows {@code message} to the user and returns the answer.
     *
     * @param message the module's message; {@link Message#msgStyle()} is one of
     *     {@code PAM_PROMPT_ECHO_OFF} (a secret: do not echo), {@code PAM_PROMPT_ECHO_ON},
     *     {@code PAM_ERROR_MSG} and {@code PAM_TEXT_INFO}
     * @return the answer to a prompt, or {@code null} for no text (the usual reply to
     *     {@code PAM_ERROR_MSG} and {@code PAM_TEXT_INFO}); the array is wiped after use
     */
    char[] reply(Message message);

    /**
     * A conversation that answers every {@code PAM_PROMPT_ECHO_OFF} prompt with a copy of
     * {@code password} and shows nothing; any other prompt fails with {@code PAM_CONV_ERR} (a
     * stack that asks for something else than a password is not one this conversation can answer).
     * The caller keeps {@code password} and should wipe it when done.
     */
    static Conversation password(char[] password) {
        return new PasswordConversation(password);
    }
}
