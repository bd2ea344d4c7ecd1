package org.pamjava.runtime;

/** A module could not be loaded; {@link #pamCode()} is what the PAM call returns. */
public final class ModuleLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int pamCode;

    public ModuleLoadException(int pamCode, String message) {
        super(message);
        this.pamCode = pamCode;
    }

    public ModuleLoadException(int pamCode, String message, Throwable cause) {
        super(message, cause);
        this.pamCode = pamCode;
    }

    /** {@code PAM_OPEN_ERR} when the module cannot be opened, {@code PAM_SERVICE_ERR} when it is bad. */
    public int pamCode() {
        return pamCode;
    }
}
