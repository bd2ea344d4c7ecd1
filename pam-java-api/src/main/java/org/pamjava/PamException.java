package org.pamjava;

/**
 * A libpam call made through {@link PamHandle} failed; {@link #pamResult()} is the PAM code it
 * returned (pam_python's {@code PamHandle.exception} with its {@code pam_result}).
 *
 * <p>The message is pam_strerror(3) of the code, with what was being done.
 */
public class PamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int pamResult;

    /**
     * @param pamResult the PAM code the failing call returned
     * @param message what failed and why, for the log
     */
    public PamException(int pamResult, String message) {
        super(message);
        this.pamResult = pamResult;
    }

    /** The PAM code of the failure, for example {@link PamConstants#PAM_BAD_ITEM}. */
    public int pamResult() {
        return pamResult;
    }
}
