package org.pamjava;

import java.util.Objects;

/**
 * One message of a PAM conversation, C's {@code struct pam_message} (pam_conv(3)).
 *
 * @param msgStyle one of {@link PamConstants#PAM_PROMPT_ECHO_OFF}, {@link PamConstants#PAM_PROMPT_ECHO_ON},
 *     {@link PamConstants#PAM_ERROR_MSG}, {@link PamConstants#PAM_TEXT_INFO} (or the rarely used
 *     {@link PamConstants#PAM_RADIO_TYPE}, {@link PamConstants#PAM_BINARY_PROMPT})
 * @param msg the text shown to the user; not null
 */
public record Message(int msgStyle, String msg) {
    public Message {
        Objects.requireNonNull(msg, "msg");
    }
}
