package org.pamjava.stack;

import java.util.List;

/** PAM return codes as text: pam_strerror(3)'s messages (Linux-PAM 1.5.2, untranslated) and the C names. */
public final class PamCodes {

    private static final List<String> TEXTS = List.of(
            "Success",
            "Failed to load module",
            "Symbol not found",
            "Error in service module",
            "System error",
            "Memory buffer error",
            "Permission denied",
            "Authentication failure",
            "Insufficient credentials to access authentication data",
            "Authentication service cannot retrieve authentication info",
            "User not known to the underlying authentication module",
            "Have exhausted maximum number of retries for service",
            "Authentication token is no longer valid; new one required",
            "User account has expired",
            "Cannot make/remove an entry for the specified session",
            "Authentication service cannot retrieve user credentials",
            "User credentials expired",
            "Failure setting user credentials",
            "No module specific data is present",
            "Conversation error",
            "Authentication token manipulation error",
            "Authentication information cannot be recovered",
            "Authentication token lock busy",
            "Authentication token aging disabled",
            "Failed preliminary check by password service",
            "The return value should be ignored by PAM dispatch",
            "Critical error - immediate abort",
            "Authentication token expired",
            "Module is unknown",
            "Bad item passed to pam_*_item()",
            "Conversation is waiting for event",
            "Application needs to call libpam again");

    private PamCodes() {}

    /** pam_strerror(3): libpam's text for {@code code}, "Unknown PAM error" for an unknown one. */
    public static String strerror(int code) {
        return code >= 0 && code < TEXTS.size() ? TEXTS.get(code) : "Unknown PAM error";
    }

    /** {@code PAM_AUTH_ERR}-style name, or the number. */
    public static String name(int code) {
        if (code < 0 || code >= Control.RETURN_VALUES) {
            return Integer.toString(code);
        }
        String n = Control.returnName(code).toUpperCase(java.util.Locale.ROOT);
        return "PAM_" + (code == 21 ? "AUTHTOK_RECOVERY_ERR" : n);
    }
}
