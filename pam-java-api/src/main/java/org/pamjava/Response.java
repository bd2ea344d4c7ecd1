package org.pamjava;

/**
 * One reply of a PAM conversation, C's {@code struct pam_response} (pam_conv(3)).
 *
 * @param resp what the user entered, or {@code null} when the application gave no text (as it does
 *     for {@link PamConstants#PAM_ERROR_MSG} and {@link PamConstants#PAM_TEXT_INFO})
 * @param retCode the {@code resp_retcode} field; Linux-PAM applications set it to 0
 */
public record Response(String resp, int retCode) {
    /** Keeps the reply text out of logs and exception messages. */
    @Override
    public String toString() {
        return "Response[resp=" + (resp == null ? "null" : "<" + resp.length() + " chars>")
                + ", retCode=" + retCode + "]";
    }
}
