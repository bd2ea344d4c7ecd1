package org.pamjava;



/**
 * A libpam call made through {@link PamHandle} failed; {@link #pamCode()} is the PAM code it
 * returned (pam_python's {@code PamHandle.exception} with its {@code pam_result}).
 *
 * <p>The message is pam_strerror(3) of the code, with what was being done.
 */
public class PamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int pamCode;

    /**
     * @param pamCode the PAM code the failing call returned
     * @param message what failed and why, for the log
     */
    public PamException(int pamCode, String message) {
        super(message);
        this.pamCode = pamCode;
    }

    /** The PAM code of the failure, for example {@link PamConstants#PAM_BAD_ITEM}. */
    public int pamCode() {
        return pamCode;
    }
}
