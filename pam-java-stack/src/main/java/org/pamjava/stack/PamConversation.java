package org.pamjava.stack;

import java.util.List;
import org.pamjava.Message;
import org.pamjava.Response;

/**
 * The application's conversation function, pam_conv(3), as the engine calls it.
 *
 * <p>It receives the messages of one call (1 to {@code PAM_MAX_NUM_MSG}) and returns one reply per
 * message, in order; a reply to a {@code PAM_ERROR_MSG} or {@code PAM_TEXT_INFO} usually has a
 * {@code null} text. To fail as a C conversation function fails, throw
 * {@link org.pamjava.PamException} with the code ({@code PAM_CONV_ERR}, {@code PAM_BUF_ERR},
 * {@code PAM_CONV_AGAIN}).
 */
@FunctionalInterface
public interface PamConversation {

    /** Shows {@code messages} and returns the replies, one per message. */
    List<Response> converse(List<Message> messages);
}
